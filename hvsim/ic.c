// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the host side of the integration components.
 *
 * One device per IC kind may be offered (debugfs vmbus/add "shutdown",
 * "timesync", "heartbeat", "kvp", "vss" or "fcopy", with Hyper-V's
 * instance GUID unless one is given).  When the guest opens its channel
 * the host sends NEGOTIATE, as openvmm does, and checks the answer: one
 * framework and one message version, each one it offered.  After that the
 * host sends one request at a time (Linux relies on it) and waits for the
 * answer at most timeout_ms; an answer is checked (ic_proto.c) before it
 * counts, a bad one is counted by reason and ends the request.  Requests
 * asked for while the negotiation is still open wait for it, and time out
 * like the others (Linux's KVP does not answer NEGOTIATE before its daemon
 * registered).  The controls are under /sys/kernel/debug/hvsim/ic/ (see
 * docs/decisions.md, "hvsim: integration components").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": ic: " fmt

#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nls.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <linux/workqueue.h>
#include "internal.h"
#include "ic.h"
#include "vmbus_host.h"

enum hvsim_ic_kind {
	HVSIM_IC_SHUTDOWN,
	HVSIM_IC_TIMESYNC,
	HVSIM_IC_HEARTBEAT,
	HVSIM_IC_KVP,
	HVSIM_IC_VSS,
	HVSIM_IC_FCOPY,
	HVSIM_IC_KINDS
};

enum hvsim_ic_state {
	HVSIM_IC_CLOSED,
	HVSIM_IC_OPENED,	/* NEGOTIATE not sent yet */
	HVSIM_IC_NEGOTIATING,
	HVSIM_IC_READY,
	HVSIM_IC_REFUSED,	/* the guest had no common version */
	HVSIM_IC_FAILED,	/* a malformed negotiate answer */
};

static const char * const hvsim_ic_state_names[] = {
	[HVSIM_IC_CLOSED] = "closed",
	[HVSIM_IC_OPENED] = "opened",
	[HVSIM_IC_NEGOTIATING] = "negotiating",
	[HVSIM_IC_READY] = "ready",
	[HVSIM_IC_REFUSED] = "refused",
	[HVSIM_IC_FAILED] = "failed",
};

#define V(a, b)	{ .major = (a), .minor = (b) }

/**
 * struct hvsim_ic_desc - an IC kind.
 * @name: its debugfs and vmbus/add name.
 * @class_id: the class GUID Linux matches.
 * @instance_id: the instance GUID Hyper-V uses.
 * @msgtype: its ICMSGTYPE.
 * @offer: the versions offered by default (openvmm's where it has a
 *	host; see docs/decisions.md).
 * @timeout_ms: the default answer timeout.
 */
struct hvsim_ic_desc {
	const char *name;
	guid_t class_id;
	guid_t instance_id;
	u16 msgtype;
	struct hvsim_ic_vers offer;
	unsigned int timeout_ms;
};

static const struct hvsim_ic_desc hvsim_ic_descs[HVSIM_IC_KINDS] = {
	[HVSIM_IC_SHUTDOWN] = {
		.name = "shutdown",
		.class_id = GUID_INIT(0x0e0b6031, 0x5213, 0x4934, 0x81, 0x8b,
				      0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb),
		.instance_id = GUID_INIT(0xb6650ff7, 0x33bc, 0x4840, 0x80,
					 0x48, 0xe0, 0x67, 0x67, 0x86, 0xf3,
					 0x93),
		.msgtype = ICMSGTYPE_SHUTDOWN,
		.offer = { 2, 4, { V(1, 0), V(3, 0) },
			   { V(1, 0), V(3, 0), V(3, 1), V(3, 2) } },
		.timeout_ms = 10000,
	},
	[HVSIM_IC_TIMESYNC] = {
		.name = "timesync",
		.class_id = GUID_INIT(0x9527e630, 0xd0ae, 0x497b, 0xad, 0xce,
				      0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf),
		.instance_id = GUID_INIT(0x2dd1ce17, 0x079e, 0x403c, 0xb3,
					 0x52, 0xa1, 0x92, 0x1e, 0xe2, 0x07,
					 0xee),
		.msgtype = ICMSGTYPE_TIMESYNC,
		.offer = { 2, 1, { V(1, 0), V(3, 0) }, { V(4, 0) } },
		.timeout_ms = 10000,
	},
	[HVSIM_IC_HEARTBEAT] = {
		.name = "heartbeat",
		.class_id = GUID_INIT(0x57164f39, 0x9115, 0x4e78, 0xab, 0x55,
				      0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d),
		.instance_id = GUID_INIT(0xfd149e91, 0x82e0, 0x4a7d, 0xaf,
					 0xa6, 0x2a, 0x41, 0x66, 0xcb, 0xd7,
					 0xc0),
		.msgtype = ICMSGTYPE_HEARTBEAT,
		.offer = { 2, 2, { V(1, 0), V(3, 0) }, { V(1, 0), V(3, 0) } },
		.timeout_ms = 10000,
	},
	[HVSIM_IC_KVP] = {
		.name = "kvp",
		.class_id = GUID_INIT(0xa9a0f4e7, 0x5a45, 0x4d96, 0xb8, 0x27,
				      0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6),
		.instance_id = GUID_INIT(0x242ff919, 0x07db, 0x4180, 0x9c,
					 0x2e, 0xb8, 0x6c, 0xb6, 0x8c, 0x8c,
					 0x55),
		.msgtype = ICMSGTYPE_KVPEXCHANGE,
		.offer = { 2, 3, { V(1, 0), V(3, 0) },
			   { V(3, 0), V(4, 0), V(5, 0) } },
		/* Linux gives its daemon 30 s. */
		.timeout_ms = 45000,
	},
	[HVSIM_IC_VSS] = {
		.name = "vss",
		.class_id = GUID_INIT(0x35fa2e29, 0xea23, 0x4236, 0x96, 0xae,
				      0x3a, 0x6e, 0xba, 0xcb, 0xa4, 0x40),
		.instance_id = GUID_INIT(0x2450ee40, 0x33bf, 0x4fbd, 0x89,
					 0x2e, 0x9f, 0xb0, 0x6e, 0x92, 0x14,
					 0xcf),
		.msgtype = ICMSGTYPE_VSS,
		.offer = { 2, 4, { V(1, 0), V(3, 0) },
			   { V(4, 0), V(5, 0), V(6, 0), V(7, 0) } },
		.timeout_ms = 45000,
	},
	[HVSIM_IC_FCOPY] = {
		.name = "fcopy",
		.class_id = GUID_INIT(0x34d14be3, 0xdee4, 0x41c8, 0x9a, 0xe7,
				      0x6b, 0x17, 0x49, 0x77, 0xc1, 0x92),
		.instance_id = GUID_INIT(0xeb765408, 0x105f, 0x49b6, 0xb4,
					 0xaa, 0xc1, 0x23, 0xb6, 0x4d, 0x17,
					 0xd4),
		.msgtype = ICMSGTYPE_FCOPY,
		.offer = { 2, 1, { V(1, 0), V(3, 0) }, { V(1, 1) } },
		.timeout_ms = 45000,
	},
};

/* Shutdown: shutdown_msg_data after the IC header. */
#define SD_LEN		(HVSIM_IC_HDR_LEN + 2060)
#define SD_REASON	HVSIM_IC_HDR_LEN
#define SD_TIMEOUT	(HVSIM_IC_HDR_LEN + 4)
#define SD_FLAGS	(HVSIM_IC_HDR_LEN + 8)
/* SHTDN_REASON_FLAG_PLANNED, as openvmm sends. */
#define SD_REASON_PLANNED	0x80000000
/* Time sync: v4 (openvmm's 24-byte body) and older (28 bytes). */
#define TS_PARENT	HVSIM_IC_HDR_LEN
#define TS_REF		(HVSIM_IC_HDR_LEN + 8)
#define TS4_FLAGS	(HVSIM_IC_HDR_LEN + 16)
#define TS4_LEN		(HVSIM_IC_HDR_LEN + 24)
#define TS3_FLAGS	(HVSIM_IC_HDR_LEN + 24)
#define TS3_LEN		(HVSIM_IC_HDR_LEN + 28)
/* Heartbeat: heartbeat_msg_data (seq_num, reserved[8]). */
#define HB_SEQ		HVSIM_IC_HDR_LEN
#define HB_LEN		(HVSIM_IC_HDR_LEN + 40)
/* VSS: hv_vss_msg. */
#define VSS_OP		HVSIM_IC_HDR_LEN
#define VSS_FLAGS	(HVSIM_IC_HDR_LEN + 8)
/* fcopy: hv_fcopy_hdr, then the start or write body. */
#define FC_HDR_LEN	(HVSIM_IC_HDR_LEN + 36)
#define FC_FILE		FC_HDR_LEN
#define FC_PATH		(FC_HDR_LEN + 2 * W_MAX_PATH)
#define FC_CFLAGS	(FC_HDR_LEN + 4 * W_MAX_PATH)
#define FC_FSIZE	(FC_CFLAGS + 4)
#define FC_START_LEN	(FC_FSIZE + 8)
#define FC_OFFSET	(FC_HDR_LEN + 4)
#define FC_SIZE		(FC_HDR_LEN + 12)
#define FC_DATA		(FC_HDR_LEN + 16)
#define FC_WRITE_LEN	(FC_DATA + DATA_FRAGMENT)
/* The most bytes a debugfs fcopy buffer holds. */
#define FC_MAX_FILE	(16U << 20)

static_assert(sizeof(struct shutdown_msg_data) == SD_LEN - HVSIM_IC_HDR_LEN);
static_assert(sizeof(struct heartbeat_msg_data) == HB_LEN - HVSIM_IC_HDR_LEN);
static_assert(sizeof(struct hv_start_fcopy) ==
	      FC_START_LEN - HVSIM_IC_HDR_LEN);
static_assert(sizeof(struct hv_do_fcopy) == FC_WRITE_LEN - HVSIM_IC_HDR_LEN);
static_assert(HVSIM_IC_MAX_REQ >= FC_WRITE_LEN);
static_assert(offsetof(struct hv_do_fcopy, offset) == FC_OFFSET -
	      HVSIM_IC_HDR_LEN);
static_assert(offsetof(struct hv_start_fcopy, copy_flags) == FC_CFLAGS -
	      HVSIM_IC_HDR_LEN);

enum hvsim_fc_step { FC_IDLE, FC_START, FC_WRITE, FC_COMPLETE, FC_CANCEL };

/**
 * struct hvsim_ic - the host side of one IC kind (one device).
 * @desc: the kind.
 * @dir: its debugfs directory.
 * @offer: the versions the next negotiation offers.
 * @used: the versions the current one offered.
 * @state: where the channel is.
 * @open: the guest has the channel open.
 * @instance: the device.
 * @fw: the negotiated framework version.
 * @msg: the negotiated message version.
 * @timeout_ms: how long an answer may take.
 * @nego: the NEGOTIATE the host sent.
 * @nego_len: its length.
 * @nego_tid: its VMBus transaction ID.
 * @req: the request outstanding (or queued).
 * @req_len: its length.
 * @tid: its VMBus transaction ID (its low byte is ictransaction_id).
 * @next_tid: the next one.
 * @busy: a request is outstanding or queued.
 * @sent: ... and was sent.
 * @what: its name, for the status.
 * @deadline: when it times out.
 * @late_tid: the ID of the last request that timed out.
 * @tmo: the timeout's work.
 * @tick: the work that negotiates and sends periodic requests.
 * @result: how the last request ended.
 * @status: the last answer's status.
 * @rep: a copy of the last answer.
 * @rep_len: its length.
 * @sent_count: requests sent, NEGOTIATE included.
 * @answers: well-formed answers.
 * @timeouts: requests that got no answer in time.
 * @late: answers that came after their request timed out.
 * @bad: bad answers by reason.
 * @bad_total: all of them.
 * @hb_seq: heartbeat: the sequence number the guest last returned.
 * @hb_beats: heartbeat: answered heartbeats.
 * @hb_interval_ms: heartbeat: the period, 0 for none.
 * @ts_offset_s: time sync: the host clock's offset from its base.
 * @ts_stale_s: time sync: how old the samples are.
 * @ts_sample_ms: time sync: the SAMPLE period, 0 for none.
 * @ts_syncs: time sync: SYNC requests answered.
 * @ts_samples: time sync: SAMPLE requests answered.
 * @kvp: KVP: the last answer.
 * @kvp_op: KVP: the last operation.
 * @kvp_ip: KVP: the last GET_IP_INFO answer.
 * @vss_flags: VSS: the flags of the last answer.
 * @fc_data: fcopy: the file's contents.
 * @fc_len: fcopy: their length.
 * @fc_off: fcopy: the bytes written so far.
 * @fc_step: fcopy: the request outstanding.
 * @fc_path: fcopy: the guest directory (UTF-8).
 * @fc_name: fcopy: the file name (UTF-8).
 * @fc_flags: fcopy: OVER_WRITE, CREATE_PATH.
 */
struct hvsim_ic {
	const struct hvsim_ic_desc *desc;
	struct dentry *dir;
	struct hvsim_ic_vers offer;
	struct hvsim_ic_vers used;
	enum hvsim_ic_state state;
	bool open;
	guid_t instance;
	struct ic_version fw;
	struct ic_version msg;
	unsigned int timeout_ms;
	u8 nego[HVSIM_IC_NEGO_LIST + 8 * HVSIM_IC_MAX_VERSIONS];
	u32 nego_len;
	u64 nego_tid;
	u8 req[HVSIM_IC_MAX_REQ];
	u32 req_len;
	u64 tid;
	u64 next_tid;
	bool busy;
	bool sent;
	const char *what;
	unsigned long deadline;
	u64 late_tid;
	struct delayed_work tmo;
	struct delayed_work tick;
	char result[48];
	u32 status;
	u8 rep[HVSIM_IC_MAX_REQ];
	u32 rep_len;
	u64 sent_count;
	u64 answers;
	u64 timeouts;
	u64 late;
	u64 bad[HVSIM_IC_BAD_COUNT];
	u64 bad_total;
	u64 hb_seq;
	u64 hb_beats;
	unsigned int hb_interval_ms;
	s64 ts_offset_s;
	unsigned int ts_stale_s;
	unsigned int ts_sample_ms;
	u64 ts_syncs;
	u64 ts_samples;
	struct hvsim_kvp_answer kvp;
	const char *kvp_op;
	struct hvsim_kvp_ip kvp_ip;
	u32 vss_flags;
	u8 *fc_data;
	size_t fc_len;
	size_t fc_off;
	enum hvsim_fc_step fc_step;
	char fc_path[W_MAX_PATH];
	char fc_name[W_MAX_PATH];
	u32 fc_flags;
};

/* Lock order: the VMBus host's mutex, then this one. */
static DEFINE_MUTEX(hvsim_ic_lock);
static struct hvsim_ic *hvsim_ics[HVSIM_IC_KINDS];
static bool hvsim_ic_stopping;
static struct dentry *hvsim_ic_dir;
/* The host clock: the wall clock at load, advanced by the raw clock. */
static u64 hvsim_ic_base_real_ns;
static u64 hvsim_ic_base_raw_ns;

static void hvsim_ic_arm_tmo(struct hvsim_ic *ic)
{
	ic->deadline = jiffies + msecs_to_jiffies(ic->timeout_ms);
	mod_delayed_work(system_wq, &ic->tmo,
			 msecs_to_jiffies(ic->timeout_ms));
}

/* End the request outstanding with @result. */
static __printf(2, 3) void hvsim_ic_finish(struct hvsim_ic *ic, const char *fmt, ...)
{
	va_list ap;

	ic->busy = false;
	ic->sent = false;
	ic->fc_step = FC_IDLE;
	cancel_delayed_work(&ic->tmo);
	va_start(ap, fmt);
	vsnprintf(ic->result, sizeof(ic->result), fmt, ap);
	va_end(ap);
}

static void hvsim_ic_bad_answer(struct hvsim_ic *ic, enum hvsim_ic_bad why)
{
	ic->bad[why]++;
	ic->bad_total++;
	pr_warn_ratelimited("%s: bad answer from the guest (%s)\n",
			    ic->desc->name, hvsim_ic_bad_name(why));
}

static int hvsim_ic_xmit(struct hvsim_vmbus_chan *chan, u64 tid,
			 const u8 *buf, u32 len)
{
	return hvsim_chan_send(chan, VM_PKT_DATA_INBAND, 0, tid, buf, len,
			       NULL, 0);
}

/* Send the request in ic->req (its header is filled here). */
static int hvsim_ic_send_req(struct hvsim_ic *ic,
			     struct hvsim_vmbus_chan *chan)
{
	int ret;

	hvsim_ic_build_hdr(ic->req, ic->req_len,
			   get_unaligned_le16(ic->req + 12), &ic->fw, &ic->msg,
			   ic->tid);
	ret = hvsim_ic_xmit(chan, ic->tid, ic->req, ic->req_len);
	if (ret) {
		hvsim_ic_finish(ic, "send error %d", ret);
		return ret;
	}
	ic->sent = true;
	ic->sent_count++;
	return 0;
}

/*
 * Start a request of @len bytes whose body the caller wrote into ic->req
 * (and whose message type into its header's place): sent now when the
 * channel is ready, else queued until the negotiation ends.
 */
static int hvsim_ic_start(struct hvsim_ic *ic, struct hvsim_vmbus_chan *chan,
			  const char *what, u16 msgtype, u32 len)
{
	if (ic->busy)
		return -EBUSY;
	if (ic->state != HVSIM_IC_READY && ic->state != HVSIM_IC_OPENED &&
	    ic->state != HVSIM_IC_NEGOTIATING)
		return -ENOTCONN;
	put_unaligned_le16(msgtype, ic->req + 12);
	ic->req_len = len;
	ic->tid = ic->next_tid++;
	ic->busy = true;
	ic->sent = false;
	ic->what = what;
	snprintf(ic->result, sizeof(ic->result), "pending");
	hvsim_ic_arm_tmo(ic);
	if (ic->state != HVSIM_IC_READY)
		return 0;
	return hvsim_ic_send_req(ic, chan);
}

/* Send NEGOTIATE with the versions the host offers now. */
static int hvsim_ic_negotiate(struct hvsim_ic *ic,
			      struct hvsim_vmbus_chan *chan)
{
	int ret;

	ic->used = ic->offer;
	ic->nego_tid = ic->next_tid++;
	ic->nego_len = hvsim_ic_build_negotiate(ic->nego, &ic->used,
						ic->nego_tid);
	ret = hvsim_ic_xmit(chan, ic->nego_tid, ic->nego, ic->nego_len);
	if (ret)
		return ret;
	ic->sent_count++;
	ic->state = HVSIM_IC_NEGOTIATING;
	return 0;
}


/*
 * The host clock in 100 ns units since 1601: the wall clock when hvsim
 * loaded, advanced by the raw monotonic clock (so that the guest setting
 * its own clock does not move it), plus the offset the tests set.
 * @raw_ns is the raw clock's reading it stands for.
 */
static u64 hvsim_ic_host_time(const struct hvsim_ic *ic, u64 raw_ns)
{
	s64 ns = hvsim_ic_base_real_ns + (s64)(raw_ns - hvsim_ic_base_raw_ns) +
		 ic->ts_offset_s * NSEC_PER_SEC;

	if (ns < 0)
		ns = 0;
	return div_u64(ns, 100) + WLTIMEDELTA;
}

/*
 * A time sync request: the host time and the partition reference time
 * (timer.c's, from the raw clock) of one moment, ts_stale_s before now.
 * Version 4 carries the reference time; older ones only the time.
 */
static int hvsim_ic_timesync(struct hvsim_ic *ic,
			     struct hvsim_vmbus_chan *chan, u8 flags)
{
	u64 raw = ktime_get_raw_ns();
	u64 ref = hvsim_ref_of_raw(raw);
	u64 back = (u64)ic->ts_stale_s * NSEC_PER_SEC;
	u8 *r = ic->req;
	u32 len;

	if (ic->state != HVSIM_IC_READY)
		return -ENOTCONN;
	if (ic->busy)
		return -EBUSY;
	/*
	 * The sample's moment, no earlier than the partition's start (which
	 * ref_start_s may put before the guest's boot: the raw clock then
	 * wraps, and hvsim_ic_host_time() takes it as a difference).
	 */
	back = min(back, ref * 100);
	ref -= div_u64(back, 100);
	raw -= back;
	memset(r + HVSIM_IC_HDR_LEN, 0, TS3_LEN - HVSIM_IC_HDR_LEN);
	put_unaligned_le64(hvsim_ic_host_time(ic, raw), r + TS_PARENT);
	if (ic->msg.major >= 4) {
		put_unaligned_le64(ref, r + TS_REF);
		r[TS4_FLAGS] = flags;
		len = TS4_LEN;
	} else {
		r[TS3_FLAGS] = flags;
		len = TS3_LEN;
	}
	return hvsim_ic_start(ic, chan,
			      flags == ICTIMESYNCFLAG_SYNC ? "sync" :
			      flags == ICTIMESYNCFLAG_SAMPLE ? "sample" :
			      "probe", ICMSGTYPE_TIMESYNC, len);
}

static int hvsim_ic_heartbeat(struct hvsim_ic *ic,
			      struct hvsim_vmbus_chan *chan)
{
	if (ic->state != HVSIM_IC_READY)
		return -ENOTCONN;
	if (ic->busy)
		return -EBUSY;
	memset(ic->req + HVSIM_IC_HDR_LEN, 0, HB_LEN - HVSIM_IC_HDR_LEN);
	put_unaligned_le64(ic->hb_seq, ic->req + HB_SEQ);
	return hvsim_ic_start(ic, chan, "heartbeat", ICMSGTYPE_HEARTBEAT,
			      HB_LEN);
}

/* fcopy: the next request of the copy, after @step succeeded. */
static int hvsim_ic_fcopy_next(struct hvsim_ic *ic,
			       struct hvsim_vmbus_chan *chan)
{
	u8 *r = ic->req;
	u32 chunk;

	ic->tid = ic->next_tid++;
	memset(r + HVSIM_IC_HDR_LEN, 0, FC_HDR_LEN - HVSIM_IC_HDR_LEN);
	if (ic->fc_off < ic->fc_len) {
		chunk = min_t(size_t, ic->fc_len - ic->fc_off, DATA_FRAGMENT);
		memset(r + FC_HDR_LEN, 0, FC_WRITE_LEN - FC_HDR_LEN);
		put_unaligned_le32(WRITE_TO_FILE, r + HVSIM_IC_HDR_LEN);
		put_unaligned_le64(ic->fc_off, r + FC_OFFSET);
		put_unaligned_le32(chunk, r + FC_SIZE);
		memcpy(r + FC_DATA, ic->fc_data + ic->fc_off, chunk);
		ic->fc_off += chunk;
		ic->fc_step = FC_WRITE;
		ic->req_len = FC_WRITE_LEN;
	} else {
		put_unaligned_le32(COMPLETE_FCOPY, r + HVSIM_IC_HDR_LEN);
		ic->fc_step = FC_COMPLETE;
		ic->req_len = FC_HDR_LEN;
	}
	hvsim_ic_arm_tmo(ic);
	return hvsim_ic_send_req(ic, chan);
}

static const char *hvsim_ic_fc_step_name(enum hvsim_fc_step s)
{
	switch (s) {
	case FC_START:
		return "start";
	case FC_WRITE:
		return "write";
	case FC_COMPLETE:
		return "complete";
	case FC_CANCEL:
		return "cancel";
	default:
		return "idle";
	}
}

/* The guest answered NEGOTIATE. */
static void hvsim_ic_nego_answer(struct hvsim_ic *ic,
				 struct hvsim_vmbus_chan *chan, const u8 *rep,
				 u32 len, u64 tid)
{
	struct ic_version fw, msg;
	enum hvsim_ic_bad why;
	bool refused;

	why = hvsim_ic_check_reply(ic->nego, ic->nego_len, ic->nego_tid, rep,
				   len, tid);
	if (!why)
		why = hvsim_ic_parse_negotiate(rep, len, &ic->used, &refused,
					       &fw, &msg);
	if (why) {
		hvsim_ic_bad_answer(ic, why);
		ic->state = HVSIM_IC_FAILED;
		if (ic->busy)
			hvsim_ic_finish(ic, "negotiation-failed");
		return;
	}
	ic->answers++;
	if (refused) {
		ic->state = HVSIM_IC_REFUSED;
		if (ic->busy)
			hvsim_ic_finish(ic, "refused");
		return;
	}
	ic->fw = fw;
	ic->msg = msg;
	ic->state = HVSIM_IC_READY;
	if (ic->busy && !ic->sent) {
		hvsim_ic_send_req(ic, chan);
		return;
	}
	/* openvmm's time sync host sends one SYNC right away. */
	if (ic->desc->msgtype == ICMSGTYPE_TIMESYNC)
		hvsim_ic_timesync(ic, chan, ICTIMESYNCFLAG_SYNC);
	if ((ic->desc->msgtype == ICMSGTYPE_HEARTBEAT && ic->hb_interval_ms) ||
	    (ic->desc->msgtype == ICMSGTYPE_TIMESYNC && ic->ts_sample_ms))
		mod_delayed_work(system_wq, &ic->tick, HZ / 10);
}

static void hvsim_ic_finish_status(struct hvsim_ic *ic)
{
	if (ic->status)
		hvsim_ic_finish(ic, "status=0x%08x", ic->status);
	else
		hvsim_ic_finish(ic, "ok");
}

/* The answer to the request outstanding passed the common checks. */
static void hvsim_ic_op_answer(struct hvsim_ic *ic,
			       struct hvsim_vmbus_chan *chan, const u8 *rep,
			       u32 len)
{
	u16 type = get_unaligned_le16(ic->req + 12);
	enum hvsim_ic_bad why = HVSIM_IC_OK;
	struct ic_version fw, msg;
	bool refused;
	u64 seq;

	switch (type) {
	case ICMSGTYPE_NEGOTIATE:
		/* An injected one: the state stays as it was. */
		why = hvsim_ic_parse_negotiate(rep, len, &ic->used, &refused,
					       &fw, &msg);
		if (why)
			break;
		if (refused)
			hvsim_ic_finish(ic, "refused");
		else
			hvsim_ic_finish(ic, "fw=%u.%u,msg=%u.%u", fw.major,
					fw.minor, msg.major, msg.minor);
		return;
	case ICMSGTYPE_HEARTBEAT:
		if (len < HB_SEQ + 8) {
			why = HVSIM_IC_BAD_SHORT;
			break;
		}
		seq = get_unaligned_le64(rep + HB_SEQ);
		if (seq != get_unaligned_le64(ic->req + HB_SEQ) + 1) {
			why = HVSIM_IC_BAD_SEQ;
			break;
		}
		ic->hb_seq = seq;
		ic->hb_beats++;
		break;
	case ICMSGTYPE_TIMESYNC:
		if (!strcmp(ic->what, "sync"))
			ic->ts_syncs++;
		else if (!strcmp(ic->what, "sample"))
			ic->ts_samples++;
		break;
	case ICMSGTYPE_KVPEXCHANGE:
		if (ic->req_len == HVSIM_KVP_REQ_LEN)
			why = hvsim_kvp_parse(ic->req, rep, len, &ic->kvp);
		else if (ic->req_len == HVSIM_KVP_IP_REQ_LEN)
			why = hvsim_kvp_ip_parse(ic->req, rep, len,
						 &ic->status, &ic->kvp_ip);
		break;
	case ICMSGTYPE_VSS:
		ic->vss_flags = len >= VSS_FLAGS + 4 ?
				get_unaligned_le32(rep + VSS_FLAGS) : 0;
		break;
	case ICMSGTYPE_FCOPY:
		if (ic->fc_step == FC_IDLE)
			break;
		if (ic->status) {
			hvsim_ic_finish(ic, "status=0x%08x@%s", ic->status,
					hvsim_ic_fc_step_name(ic->fc_step));
			return;
		}
		if (ic->fc_step == FC_START || ic->fc_step == FC_WRITE) {
			hvsim_ic_fcopy_next(ic, chan);
			return;
		}
		break;
	default:
		break;
	}
	if (why) {
		hvsim_ic_bad_answer(ic, why);
		hvsim_ic_finish(ic, "bad=%s", hvsim_ic_bad_name(why));
		return;
	}
	hvsim_ic_finish_status(ic);
}

static void hvsim_ic_answer(struct hvsim_ic *ic,
			    struct hvsim_vmbus_chan *chan,
			    const struct hvsim_vmbus_pkt *pkt)
{
	const u8 *rep = pkt->data;
	enum hvsim_ic_bad why;
	u32 len = pkt->len;

	if (pkt->type != VM_PKT_DATA_INBAND) {
		hvsim_ic_bad_answer(ic, HVSIM_IC_BAD_PKT);
		return;
	}
	ic->rep_len = min_t(u32, len, sizeof(ic->rep));
	memcpy(ic->rep, rep, ic->rep_len);
	if (ic->state == HVSIM_IC_NEGOTIATING && len >= HVSIM_IC_HDR_LEN &&
	    get_unaligned_le16(rep + 12) == ICMSGTYPE_NEGOTIATE &&
	    !(ic->busy && ic->sent)) {
		hvsim_ic_nego_answer(ic, chan, rep, len, pkt->trans_id);
		return;
	}
	if (!ic->busy || !ic->sent) {
		if (ic->late_tid && pkt->trans_id == ic->late_tid) {
			ic->late++;
			ic->late_tid = 0;
			return;
		}
		hvsim_ic_bad_answer(ic, HVSIM_IC_BAD_UNSOLICITED);
		return;
	}
	why = hvsim_ic_check_reply(ic->req, ic->req_len, ic->tid, rep, len,
				   pkt->trans_id);
	if (why) {
		hvsim_ic_bad_answer(ic, why);
		hvsim_ic_finish(ic, "bad=%s", hvsim_ic_bad_name(why));
		return;
	}
	ic->answers++;
	ic->status = hvsim_ic_status(rep);
	hvsim_ic_op_answer(ic, chan, rep, len);
}

/* VSP ops */

static struct hvsim_ic *hvsim_ic_of_class(const guid_t *class_id)
{
	unsigned int i;

	for (i = 0; i < HVSIM_IC_KINDS; i++)
		if (guid_equal(class_id, &hvsim_ic_descs[i].class_id))
			return hvsim_ics[i];
	return NULL;
}

static int hvsim_ic_open(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_ic *ic = hvsim_ic_of_class(&hvsim_chan_config(chan)->class_id);
	int ret = 0;

	if (!ic || hvsim_chan_index(chan))
		return -ENODEV;
	mutex_lock(&hvsim_ic_lock);
	if (ic->open) {
		ret = -EBUSY;
		goto out;
	}
	ic->open = true;
	ic->instance = *hvsim_chan_instance(chan);
	ic->state = HVSIM_IC_OPENED;
	ic->fw = (struct ic_version){};
	ic->msg = (struct ic_version){};
	hvsim_chan_set_vsp_data(chan, ic);
	/* NEGOTIATE goes out once the open is complete. */
	if (!hvsim_ic_stopping)
		mod_delayed_work(system_wq, &ic->tick, 1);
out:
	mutex_unlock(&hvsim_ic_lock);
	return ret;
}

static void hvsim_ic_close(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_ic *ic = hvsim_chan_vsp_data(chan);

	if (!ic)
		return;
	mutex_lock(&hvsim_ic_lock);
	ic->open = false;
	ic->state = HVSIM_IC_CLOSED;
	if (ic->busy)
		hvsim_ic_finish(ic, "closed");
	cancel_delayed_work(&ic->tick);
	hvsim_chan_set_vsp_data(chan, NULL);
	mutex_unlock(&hvsim_ic_lock);
}

static int hvsim_ic_packet(struct hvsim_vmbus_chan *chan,
			   const struct hvsim_vmbus_pkt *pkt)
{
	struct hvsim_ic *ic = hvsim_chan_vsp_data(chan);

	if (!ic)
		return 0;
	mutex_lock(&hvsim_ic_lock);
	hvsim_ic_answer(ic, chan, pkt);
	mutex_unlock(&hvsim_ic_lock);
	/* A bad answer is counted, never a reason to break the channel. */
	return 0;
}

static const struct hvsim_vsp_ops hvsim_ic_vsp_ops = {
	.name = "ic",
	.open = hvsim_ic_open,
	.close = hvsim_ic_close,
	.packet = hvsim_ic_packet,
};

/**
 * hvsim_ic_vsp() - the VSP of an IC class.
 * @class_id: a device's class.
 *
 * Return: the IC VSP for the six IC classes, NULL for others.
 */
const struct hvsim_vsp_ops *hvsim_ic_vsp(const guid_t *class_id)
{
	return hvsim_ic_of_class(class_id) ? &hvsim_ic_vsp_ops : NULL;
}

/**
 * hvsim_ic_lookup() - an IC's class and default instance by name.
 * @name: "shutdown", "timesync", "heartbeat", "kvp", "vss" or "fcopy".
 * @class_id: its class GUID.
 * @instance_id: the instance GUID Hyper-V gives it.
 *
 * Return: 0, -ENOENT for another name.
 */
int hvsim_ic_lookup(const char *name, guid_t *class_id, guid_t *instance_id)
{
	unsigned int i;

	for (i = 0; i < HVSIM_IC_KINDS; i++) {
		if (strcmp(name, hvsim_ic_descs[i].name))
			continue;
		*class_id = hvsim_ic_descs[i].class_id;
		*instance_id = hvsim_ic_descs[i].instance_id;
		return 0;
	}
	return -ENOENT;
}

/* Running something on the channel, as the host. */

struct hvsim_ic_call {
	struct hvsim_ic *ic;
	int (*fn)(struct hvsim_ic *ic, struct hvsim_vmbus_chan *chan,
		  void *arg);
	void *arg;
};

static int hvsim_ic_call_fn(struct hvsim_vmbus_chan *chan, void *arg)
{
	struct hvsim_ic_call *c = arg;
	int ret;

	mutex_lock(&hvsim_ic_lock);
	if (hvsim_chan_vsp_data(chan) != c->ic || !c->ic->open)
		ret = -ENOTCONN;
	else
		ret = c->fn(c->ic, chan, c->arg);
	mutex_unlock(&hvsim_ic_lock);
	return ret;
}

/* Run @fn with the host's mutex and the IC lock held, on the channel. */
static int hvsim_ic_call(struct hvsim_ic *ic,
			 int (*fn)(struct hvsim_ic *ic,
				   struct hvsim_vmbus_chan *chan, void *arg),
			 void *arg)
{
	struct hvsim_ic_call c = { .ic = ic, .fn = fn, .arg = arg };
	struct hvsim_vmbus *host = hvsim_vmbus_host();
	guid_t instance;
	bool open;

	mutex_lock(&hvsim_ic_lock);
	open = ic->open && !hvsim_ic_stopping;
	instance = ic->instance;
	mutex_unlock(&hvsim_ic_lock);
	if (!open || !host)
		return -ENOTCONN;
	return hvsim_vmbus_vsp_call(host, &instance, hvsim_ic_call_fn, &c);
}

/* The tick: NEGOTIATE after the open, then the periodic requests. */
static int hvsim_ic_tick_call(struct hvsim_ic *ic,
			      struct hvsim_vmbus_chan *chan, void *arg)
{
	unsigned int period = 0;

	if (ic->state == HVSIM_IC_OPENED)
		return hvsim_ic_negotiate(ic, chan);
	if (ic->state != HVSIM_IC_READY)
		return 0;
	if (ic->desc->msgtype == ICMSGTYPE_HEARTBEAT) {
		period = ic->hb_interval_ms;
		if (period && !ic->busy)
			hvsim_ic_heartbeat(ic, chan);
	} else if (ic->desc->msgtype == ICMSGTYPE_TIMESYNC) {
		period = ic->ts_sample_ms;
		if (period && !ic->busy)
			hvsim_ic_timesync(ic, chan, ICTIMESYNCFLAG_SAMPLE);
	}
	if (period && !hvsim_ic_stopping)
		mod_delayed_work(system_wq, &ic->tick,
				 msecs_to_jiffies(period));
	return 0;
}

static void hvsim_ic_tick_work(struct work_struct *work)
{
	struct hvsim_ic *ic = container_of(to_delayed_work(work),
					   struct hvsim_ic, tick);

	hvsim_ic_call(ic, hvsim_ic_tick_call, NULL);
}

static void hvsim_ic_tmo_work(struct work_struct *work)
{
	struct hvsim_ic *ic = container_of(to_delayed_work(work),
					   struct hvsim_ic, tmo);

	mutex_lock(&hvsim_ic_lock);
	if (ic->busy && time_after_eq(jiffies, ic->deadline)) {
		ic->timeouts++;
		ic->late_tid = ic->sent ? ic->tid : 0;
		pr_info_ratelimited("%s: no answer to %s in %u ms\n",
				    ic->desc->name, ic->what, ic->timeout_ms);
		hvsim_ic_finish(ic, "timeout");
	}
	mutex_unlock(&hvsim_ic_lock);
}

/* Requests from debugfs */

static int hvsim_ic_shutdown_fn(struct hvsim_ic *ic,
				struct hvsim_vmbus_chan *chan, void *arg)
{
	u32 flags = *(u32 *)arg;
	u8 *r = ic->req;

	if (ic->busy)
		return -EBUSY;
	memset(r + HVSIM_IC_HDR_LEN, 0, SD_LEN - HVSIM_IC_HDR_LEN);
	put_unaligned_le32(SD_REASON_PLANNED, r + SD_REASON);
	put_unaligned_le32(flags, r + SD_FLAGS);
	return hvsim_ic_start(ic, chan, "shutdown", ICMSGTYPE_SHUTDOWN,
			      SD_LEN);
}

static int hvsim_ic_timesync_fn(struct hvsim_ic *ic,
				struct hvsim_vmbus_chan *chan, void *arg)
{
	return hvsim_ic_timesync(ic, chan, *(u8 *)arg);
}

static int hvsim_ic_heartbeat_fn(struct hvsim_ic *ic,
				 struct hvsim_vmbus_chan *chan, void *arg)
{
	return hvsim_ic_heartbeat(ic, chan);
}

struct hvsim_ic_kvp_req {
	u8 op;
	u8 pool;
	u32 index;
	u32 type;
	const char *key;
	const char *value;
	int ksize;
	int vsize;
	const char *name;
};

/* Send the KVP request built in ic->req, forgetting the last answer. */
static int hvsim_ic_kvp_send(struct hvsim_ic *ic,
			     struct hvsim_vmbus_chan *chan, const char *name,
			     u32 len)
{
	memset(&ic->kvp, 0, sizeof(ic->kvp));
	memset(&ic->kvp_ip, 0, sizeof(ic->kvp_ip));
	ic->kvp_op = name;
	return hvsim_ic_start(ic, chan, name, ICMSGTYPE_KVPEXCHANGE, len);
}

static int hvsim_ic_kvp_fn(struct hvsim_ic *ic, struct hvsim_vmbus_chan *chan,
			   void *arg)
{
	struct hvsim_ic_kvp_req *k = arg;
	int ret;

	if (ic->busy)
		return -EBUSY;
	ret = hvsim_kvp_build(ic->req, k->op, k->pool, k->index, k->key,
			      k->type, k->value, k->ksize, k->vsize);
	if (ret)
		return ret;
	return hvsim_ic_kvp_send(ic, chan, k->name, HVSIM_KVP_REQ_LEN);
}

struct hvsim_ic_kvp_ip_req {
	u8 op;
	const char *name;
	struct hvsim_kvp_ip ip;
};

/*
 * IP information goes in the string layout of KVP 4.0, the version that
 * brought it: it waits for the negotiation (-EAGAIN before), and a guest
 * that negotiated less is not asked (-EOPNOTSUPP).
 */
static int hvsim_ic_kvp_ip_fn(struct hvsim_ic *ic,
			      struct hvsim_vmbus_chan *chan, void *arg)
{
	struct hvsim_ic_kvp_ip_req *k = arg;
	int ret;

	if (ic->busy)
		return -EBUSY;
	if (ic->state != HVSIM_IC_READY)
		return -EAGAIN;
	if (ic->msg.major < 4)
		return -EOPNOTSUPP;
	ret = hvsim_kvp_ip_build(ic->req, k->op, &k->ip);
	if (ret)
		return ret;
	return hvsim_ic_kvp_send(ic, chan, k->name, HVSIM_KVP_IP_REQ_LEN);
}

static int hvsim_ic_vss_fn(struct hvsim_ic *ic, struct hvsim_vmbus_chan *chan,
			   void *arg)
{
	u8 op = *(u8 *)arg;

	if (ic->busy)
		return -EBUSY;
	memset(ic->req + HVSIM_IC_HDR_LEN, 0,
	       HVSIM_VSS_REQ_LEN - HVSIM_IC_HDR_LEN);
	ic->req[VSS_OP] = op;
	ic->vss_flags = 0;
	return hvsim_ic_start(ic, chan, "vss", ICMSGTYPE_VSS,
			      HVSIM_VSS_REQ_LEN);
}

/* UTF-8 @s into a W_MAX_PATH UTF-16LE field at @out (NUL included). */
static int hvsim_ic_fc_name(const char *s, u8 *out)
{
	int n = utf8s_to_utf16s(s, strlen(s), UTF16_LITTLE_ENDIAN,
				(wchar_t *)out, W_MAX_PATH);

	return n < 0 || n >= W_MAX_PATH ? -ENAMETOOLONG : 0;
}

static int hvsim_ic_fcopy_fn(struct hvsim_ic *ic,
			     struct hvsim_vmbus_chan *chan, void *arg)
{
	u8 *r = ic->req;
	int ret;

	if (ic->busy)
		return -EBUSY;
	if (ic->state != HVSIM_IC_READY)
		return -ENOTCONN;
	memset(r + HVSIM_IC_HDR_LEN, 0, FC_START_LEN - HVSIM_IC_HDR_LEN);
	put_unaligned_le32(START_FILE_COPY, r + HVSIM_IC_HDR_LEN);
	ret = hvsim_ic_fc_name(ic->fc_name, r + FC_FILE);
	if (!ret)
		ret = hvsim_ic_fc_name(ic->fc_path, r + FC_PATH);
	if (ret)
		return ret;
	put_unaligned_le32(ic->fc_flags, r + FC_CFLAGS);
	put_unaligned_le64(ic->fc_len, r + FC_FSIZE);
	ic->fc_off = 0;
	ret = hvsim_ic_start(ic, chan, "fcopy", ICMSGTYPE_FCOPY, FC_START_LEN);
	if (!ret)
		ic->fc_step = FC_START;
	return ret;
}

static int hvsim_ic_fcancel_fn(struct hvsim_ic *ic,
			       struct hvsim_vmbus_chan *chan, void *arg)
{
	if (ic->busy)
		return -EBUSY;
	memset(ic->req + HVSIM_IC_HDR_LEN, 0, FC_HDR_LEN - HVSIM_IC_HDR_LEN);
	put_unaligned_le32(CANCEL_FCOPY, ic->req + HVSIM_IC_HDR_LEN);
	return hvsim_ic_start(ic, chan, "fcancel", ICMSGTYPE_FCOPY,
			      FC_HDR_LEN);
}

/* fault injection: a request as given, sent as is */
struct hvsim_ic_raw {
	const u8 *buf;
	u32 len;
	u32 wire_len;	/* bytes sent: at most len */
	bool hdr;	/* fill the headers for len bytes */
	u16 msgtype;
};

static int hvsim_ic_inject_fn(struct hvsim_ic *ic,
			      struct hvsim_vmbus_chan *chan, void *arg)
{
	struct hvsim_ic_raw *raw = arg;
	int ret;

	if (ic->busy)
		return -EBUSY;
	if (ic->state != HVSIM_IC_READY)
		return -ENOTCONN;
	memcpy(ic->req, raw->buf, raw->len);
	ic->req_len = raw->len;
	ic->tid = ic->next_tid++;
	if (raw->hdr && raw->len >= HVSIM_IC_HDR_LEN)
		hvsim_ic_build_hdr(ic->req, raw->len, raw->msgtype, &ic->fw,
				   &ic->msg, ic->tid);
	ic->busy = true;
	ic->what = "inject";
	snprintf(ic->result, sizeof(ic->result), "pending");
	hvsim_ic_arm_tmo(ic);
	/* The answer is checked against what went out. */
	ic->req_len = raw->wire_len;
	ret = hvsim_ic_xmit(chan, ic->tid, ic->req, raw->wire_len);
	if (ret) {
		hvsim_ic_finish(ic, "send error %d", ret);
		return ret;
	}
	ic->sent = true;
	ic->sent_count++;
	return 0;
}

static int hvsim_ic_renego_fn(struct hvsim_ic *ic,
			      struct hvsim_vmbus_chan *chan, void *arg)
{
	if (ic->busy)
		return -EBUSY;
	return hvsim_ic_negotiate(ic, chan);
}

/* debugfs */

static char *hvsim_ic_word(char **p)
{
	char *tok;

	while ((tok = strsep(p, " \t\n")) != NULL)
		if (*tok)
			return tok;
	return NULL;
}

/* "M.N" */
static int hvsim_ic_parse_version(const char *s, struct ic_version *v)
{
	unsigned int maj, min;
	char c;

	if (sscanf(s, "%u.%u%c", &maj, &min, &c) != 2 || maj > U16_MAX ||
	    min > U16_MAX)
		return -EINVAL;
	v->major = maj;
	v->minor = min;
	return 0;
}

/* "M.N,M.N,..." into @list (at most HVSIM_IC_MAX_VERSIONS). */
static int hvsim_ic_parse_list(char *s, struct ic_version *list, u16 *n)
{
	char *tok;

	*n = 0;
	while ((tok = strsep(&s, ",")) != NULL) {
		if (!*tok)
			continue;
		if (*n == HVSIM_IC_MAX_VERSIONS ||
		    hvsim_ic_parse_version(tok, &list[*n]))
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

static struct hvsim_ic *hvsim_ic_of_file(struct file *file)
{
	return file->f_inode->i_private;
}

typedef int (*hvsim_ic_cmd_fn)(struct hvsim_ic *ic, char *cmd);

static ssize_t hvsim_ic_cmd_write(struct file *file, const char __user *ubuf,
				  size_t count, hvsim_ic_cmd_fn fn)
{
	char *buf;
	int ret;

	if (count > 3 * PAGE_SIZE)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	strim(buf);
	ret = fn(hvsim_ic_of_file(file), buf);
	kfree(buf);
	return ret ? ret : count;
}

#define HVSIM_IC_CMD_FOPS(name)						\
static ssize_t name##_write(struct file *file, const char __user *ubuf,	\
			    size_t count, loff_t *ppos)			\
{									\
	return hvsim_ic_cmd_write(file, ubuf, count, name);		\
}									\
HVSIM_WRITE_FOPS(name##_fops, name##_write)

/* "shutdown|poweroff|reboot|hibernate [force]" or "flags N" */
static int hvsim_ic_shutdown_cmd(struct hvsim_ic *ic, char *p)
{
	char *what = hvsim_ic_word(&p), *opt = hvsim_ic_word(&p);
	u32 flags;

	if (!what || hvsim_ic_word(&p))
		return -EINVAL;
	if (!strcmp(what, "flags")) {
		if (!opt || kstrtou32(opt, 0, &flags))
			return -EINVAL;
		return hvsim_ic_call(ic, hvsim_ic_shutdown_fn, &flags);
	}
	if (!strcmp(what, "shutdown") || !strcmp(what, "poweroff"))
		flags = 0;
	else if (!strcmp(what, "reboot"))
		flags = 2;
	else if (!strcmp(what, "hibernate"))
		flags = 4;
	else
		return -EINVAL;
	if (opt) {
		if (strcmp(opt, "force"))
			return -EINVAL;
		flags |= 1;
	}
	return hvsim_ic_call(ic, hvsim_ic_shutdown_fn, &flags);
}
HVSIM_IC_CMD_FOPS(hvsim_ic_shutdown_cmd);

/* "sync", "sample" or "probe" */
static int hvsim_ic_timesync_cmd(struct hvsim_ic *ic, char *p)
{
	u8 flags;

	if (!strcmp(p, "sync"))
		flags = ICTIMESYNCFLAG_SYNC;
	else if (!strcmp(p, "sample"))
		flags = ICTIMESYNCFLAG_SAMPLE;
	else if (!strcmp(p, "probe"))
		flags = ICTIMESYNCFLAG_PROBE;
	else
		return -EINVAL;
	return hvsim_ic_call(ic, hvsim_ic_timesync_fn, &flags);
}
HVSIM_IC_CMD_FOPS(hvsim_ic_timesync_cmd);

static int hvsim_ic_beat_cmd(struct hvsim_ic *ic, char *p)
{
	return hvsim_ic_call(ic, hvsim_ic_heartbeat_fn, NULL);
}
HVSIM_IC_CMD_FOPS(hvsim_ic_beat_cmd);

/* @val into @dst (@size bytes); "-" for an empty string. */
static int hvsim_ic_kvp_ip_str(char *dst, size_t size, const char *val)
{
	if (!strcmp(val, "-"))
		val = "";
	return strscpy(dst, val, size) < 0 ? -EINVAL : 0;
}

/*
 * "ipget ADAPTER [family=N]", "ipset ADAPTER [family=N] [dhcp=0|1]
 * [addr=LIST] [subnet=LIST] [gateway=LIST] [dns=LIST]".
 */
static int hvsim_ic_kvp_ip_cmd(struct hvsim_ic *ic, const char *op, char *p)
{
	struct hvsim_ic_kvp_ip_req *k;
	char *tok, *val;
	int ret = -EINVAL;
	u8 num;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	k->op = strcmp(op, "ipget") ? KVP_OP_SET_IP_INFO : KVP_OP_GET_IP_INFO;
	k->name = k->op == KVP_OP_GET_IP_INFO ? "ipget" : "ipset";
	tok = hvsim_ic_word(&p);
	if (!tok || hvsim_ic_kvp_ip_str(k->ip.adapter, sizeof(k->ip.adapter),
					tok))
		goto out;
	while ((tok = hvsim_ic_word(&p))) {
		val = strchr(tok, '=');
		if (!val)
			goto out;
		*val++ = '\0';
		ret = 0;
		if (!strcmp(tok, "family") && !kstrtou8(val, 0, &num))
			k->ip.family = num;
		else if (!strcmp(tok, "dhcp") && !kstrtou8(val, 0, &num) &&
			 num <= 1 && k->op == KVP_OP_SET_IP_INFO)
			k->ip.dhcp = num;
		else if (k->op == KVP_OP_GET_IP_INFO)
			ret = -EINVAL;
		else if (!strcmp(tok, "addr"))
			ret = hvsim_ic_kvp_ip_str(k->ip.addr,
						  sizeof(k->ip.addr), val);
		else if (!strcmp(tok, "subnet"))
			ret = hvsim_ic_kvp_ip_str(k->ip.subnet,
						  sizeof(k->ip.subnet), val);
		else if (!strcmp(tok, "gateway"))
			ret = hvsim_ic_kvp_ip_str(k->ip.gateway,
						  sizeof(k->ip.gateway), val);
		else if (!strcmp(tok, "dns"))
			ret = hvsim_ic_kvp_ip_str(k->ip.dns,
						  sizeof(k->ip.dns), val);
		else
			ret = -EINVAL;
		if (ret)
			goto out;
	}
	ret = hvsim_ic_call(ic, hvsim_ic_kvp_ip_fn, k);
out:
	kfree(k);
	return ret;
}

/*
 * "OP [ksize=N] [vsize=N] POOL ARGS": set POOL KEY VALUE (REG_SZ; the
 * rest of the line), set32/set64 POOL KEY NUMBER, get POOL KEY,
 * delete POOL KEY, enum POOL INDEX; or ipget/ipset (above).
 */
static int hvsim_ic_kvp_cmd(struct hvsim_ic *ic, char *p)
{
	struct hvsim_ic_kvp_req k = { .ksize = -1, .vsize = -1,
				      .value = "" };
	char *op = hvsim_ic_word(&p), *tok;

	if (!op)
		return -EINVAL;
	if (!strcmp(op, "ipget") || !strcmp(op, "ipset"))
		return hvsim_ic_kvp_ip_cmd(ic, op, p);
	k.name = op;
	if (!strcmp(op, "set")) {
		k.op = KVP_OP_SET;
		k.type = REG_SZ;
		k.name = "set";
	} else if (!strcmp(op, "set32")) {
		k.op = KVP_OP_SET;
		k.type = REG_U32;
		k.name = "set32";
	} else if (!strcmp(op, "set64")) {
		k.op = KVP_OP_SET;
		k.type = REG_U64;
		k.name = "set64";
	} else if (!strcmp(op, "get")) {
		k.op = KVP_OP_GET;
		k.name = "get";
	} else if (!strcmp(op, "delete")) {
		k.op = KVP_OP_DELETE;
		k.name = "delete";
	} else if (!strcmp(op, "enum")) {
		k.op = KVP_OP_ENUMERATE;
		k.name = "enum";
	} else {
		return -EINVAL;
	}
	for (;;) {
		tok = hvsim_ic_word(&p);
		if (!tok)
			return -EINVAL;
		if (str_has_prefix(tok, "ksize=")) {
			if (kstrtoint(tok + 6, 0, &k.ksize) || k.ksize < 0)
				return -EINVAL;
		} else if (str_has_prefix(tok, "vsize=")) {
			if (kstrtoint(tok + 6, 0, &k.vsize) || k.vsize < 0)
				return -EINVAL;
		} else {
			break;
		}
	}
	if (kstrtou8(tok, 0, &k.pool) || k.pool >= KVP_POOL_COUNT)
		return -EINVAL;
	tok = hvsim_ic_word(&p);
	if (!tok)
		return -EINVAL;
	if (k.op == KVP_OP_ENUMERATE) {
		if (kstrtou32(tok, 0, &k.index) || p)
			return -EINVAL;
	} else {
		k.key = tok;
		if (k.op == KVP_OP_SET) {
			if (!p)
				return -EINVAL;
			k.value = skip_spaces(p);
		} else if (p && *skip_spaces(p)) {
			return -EINVAL;
		}
	}
	return hvsim_ic_call(ic, hvsim_ic_kvp_fn, &k);
}
HVSIM_IC_CMD_FOPS(hvsim_ic_kvp_cmd);

static const char * const hvsim_vss_ops[] = {
	[VSS_OP_CREATE] = "create",
	[VSS_OP_DELETE] = "delete",
	[VSS_OP_HOT_BACKUP] = "hot_backup",
	[VSS_OP_GET_DM_INFO] = "dm_info",
	[VSS_OP_BU_COMPLETE] = "bu_complete",
	[VSS_OP_FREEZE] = "freeze",
	[VSS_OP_THAW] = "thaw",
	[VSS_OP_AUTO_RECOVER] = "auto_recover",
};

/* an operation's name, or "op N" */
static int hvsim_ic_vss_cmd(struct hvsim_ic *ic, char *p)
{
	char *tok = hvsim_ic_word(&p), *arg = hvsim_ic_word(&p);
	unsigned int i;
	u8 op;

	if (!tok || hvsim_ic_word(&p))
		return -EINVAL;
	if (!strcmp(tok, "op")) {
		if (!arg || kstrtou8(arg, 0, &op))
			return -EINVAL;
		return hvsim_ic_call(ic, hvsim_ic_vss_fn, &op);
	}
	if (arg)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(hvsim_vss_ops); i++) {
		if (!strcmp(tok, hvsim_vss_ops[i])) {
			op = i;
			return hvsim_ic_call(ic, hvsim_ic_vss_fn, &op);
		}
	}
	return -EINVAL;
}
HVSIM_IC_CMD_FOPS(hvsim_ic_vss_cmd);

/* "PATH NAME [overwrite] [create_path]" or "cancel" */
static int hvsim_ic_fcopy_cmd(struct hvsim_ic *ic, char *p)
{
	char *path = hvsim_ic_word(&p), *name = hvsim_ic_word(&p), *tok;
	u32 flags = 0;
	int ret;

	if (path && !name && !strcmp(path, "cancel"))
		return hvsim_ic_call(ic, hvsim_ic_fcancel_fn, NULL);
	if (!path || !name || strlen(path) >= W_MAX_PATH ||
	    strlen(name) >= W_MAX_PATH)
		return -EINVAL;
	while ((tok = hvsim_ic_word(&p)) != NULL) {
		if (!strcmp(tok, "overwrite"))
			flags |= OVER_WRITE;
		else if (!strcmp(tok, "create_path"))
			flags |= CREATE_PATH;
		else
			return -EINVAL;
	}
	mutex_lock(&hvsim_ic_lock);
	if (ic->busy) {
		mutex_unlock(&hvsim_ic_lock);
		return -EBUSY;
	}
	strscpy(ic->fc_path, path);
	strscpy(ic->fc_name, name);
	ic->fc_flags = flags;
	mutex_unlock(&hvsim_ic_lock);
	ret = hvsim_ic_call(ic, hvsim_ic_fcopy_fn, NULL);
	return ret;
}
HVSIM_IC_CMD_FOPS(hvsim_ic_fcopy_cmd);

/* fcopy/data: the file's contents; opening it with O_TRUNC empties it. */
static int hvsim_ic_fcdata_open(struct inode *inode, struct file *file)
{
	struct hvsim_ic *ic = inode->i_private;

	if ((file->f_flags & O_TRUNC) && (file->f_mode & FMODE_WRITE)) {
		mutex_lock(&hvsim_ic_lock);
		if (ic->busy) {
			mutex_unlock(&hvsim_ic_lock);
			return -EBUSY;
		}
		kvfree(ic->fc_data);
		ic->fc_data = NULL;
		ic->fc_len = 0;
		mutex_unlock(&hvsim_ic_lock);
	}
	return 0;
}

static ssize_t hvsim_ic_fcdata_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct hvsim_ic *ic = hvsim_ic_of_file(file);
	size_t end;
	u8 *n;

	if (*ppos < 0 || *ppos > FC_MAX_FILE || count > FC_MAX_FILE - *ppos)
		return -EFBIG;
	end = *ppos + count;
	mutex_lock(&hvsim_ic_lock);
	if (ic->busy) {
		mutex_unlock(&hvsim_ic_lock);
		return -EBUSY;
	}
	if (end > ic->fc_len) {
		n = kvrealloc(ic->fc_data, end ? end : 1, GFP_KERNEL);
		if (!n) {
			mutex_unlock(&hvsim_ic_lock);
			return -ENOMEM;
		}
		memset(n + ic->fc_len, 0, end - ic->fc_len);
		ic->fc_data = n;
		ic->fc_len = end;
	}
	if (copy_from_user(ic->fc_data + *ppos, ubuf, count)) {
		mutex_unlock(&hvsim_ic_lock);
		return -EFAULT;
	}
	mutex_unlock(&hvsim_ic_lock);
	*ppos = end;
	return count;
}

static const struct file_operations hvsim_ic_fcdata_fops = {
	.owner = THIS_MODULE,
	.open = hvsim_ic_fcdata_open,
	.write = hvsim_ic_fcdata_write,
	.llseek = default_llseek,
};

/* A request of this IC's usual kind, zero body, @len bytes. */
static u32 hvsim_ic_usual_len(struct hvsim_ic *ic)
{
	switch (ic->desc->msgtype) {
	case ICMSGTYPE_SHUTDOWN:
		return SD_LEN;
	case ICMSGTYPE_TIMESYNC:
		return ic->msg.major >= 4 ? TS4_LEN : TS3_LEN;
	case ICMSGTYPE_HEARTBEAT:
		return HB_LEN;
	case ICMSGTYPE_KVPEXCHANGE:
		return HVSIM_KVP_REQ_LEN;
	case ICMSGTYPE_VSS:
		return HVSIM_VSS_REQ_LEN;
	default:
		return FC_START_LEN;
	}
}

static int hvsim_ic_hex(const char *s, u8 *out, u32 max, u32 *len)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max || hex2bin(out, s, n / 2))
		return -EINVAL;
	*len = n / 2;
	return 0;
}

/*
 * "short N"            the usual request cut to N bytes
 * "type T [LEN]"       message type T, LEN bytes (default the usual)
 * "nego FWS MSGS"      NEGOTIATE offering M.N,M.N lists (as is)
 * "nego_count NFW NMSG" NEGOTIATE whose counts claim more than it holds
 * "hex BYTES"          a payload as given (headers included)
 * "renegotiate"        NEGOTIATE with the configured versions
 */
static int hvsim_ic_inject_cmd(struct hvsim_ic *ic, char *p)
{
	char *cmd = hvsim_ic_word(&p), *a1 = hvsim_ic_word(&p);
	char *a2 = hvsim_ic_word(&p);
	struct hvsim_ic_raw raw = {};
	struct hvsim_ic_vers v = {};
	u32 n, m;
	u8 *buf;
	int ret = -EINVAL;

	if (!cmd || hvsim_ic_word(&p))
		return -EINVAL;
	if (!strcmp(cmd, "renegotiate"))
		return a1 ? -EINVAL : hvsim_ic_call(ic, hvsim_ic_renego_fn,
						    NULL);
	buf = kzalloc(HVSIM_IC_MAX_REQ, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	raw.buf = buf;
	raw.msgtype = ic->desc->msgtype;
	if (!strcmp(cmd, "short") && a1 && !a2) {
		if (kstrtou32(a1, 0, &n) || !n || n > hvsim_ic_usual_len(ic))
			goto out;
		raw.len = hvsim_ic_usual_len(ic);
		raw.wire_len = n;
		raw.hdr = true;
	} else if (!strcmp(cmd, "type") && a1) {
		if (kstrtou32(a1, 0, &n) || n > U16_MAX)
			goto out;
		raw.msgtype = n;
		raw.len = hvsim_ic_usual_len(ic);
		if (a2 && (kstrtou32(a2, 0, &raw.len) ||
			   raw.len < HVSIM_IC_HDR_LEN ||
			   raw.len > HVSIM_IC_MAX_REQ))
			goto out;
		raw.wire_len = raw.len;
		raw.hdr = true;
	} else if (!strcmp(cmd, "nego") && a1 && a2) {
		if (hvsim_ic_parse_list(a1, v.fw, &v.nfw) ||
		    hvsim_ic_parse_list(a2, v.msg, &v.nmsg))
			goto out;
		raw.len = hvsim_ic_build_negotiate(buf, &v, 0);
		raw.wire_len = raw.len;
		raw.hdr = true;
		raw.msgtype = ICMSGTYPE_NEGOTIATE;
	} else if (!strcmp(cmd, "nego_count") && a1 && a2) {
		if (kstrtou32(a1, 0, &n) || kstrtou32(a2, 0, &m) ||
		    n > U16_MAX || m > U16_MAX)
			goto out;
		raw.len = hvsim_ic_build_negotiate(buf, &ic->offer, 0);
		put_unaligned_le16(n, buf + HVSIM_IC_HDR_LEN);
		put_unaligned_le16(m, buf + HVSIM_IC_HDR_LEN + 2);
		raw.wire_len = raw.len;
		raw.hdr = true;
		raw.msgtype = ICMSGTYPE_NEGOTIATE;
	} else if (!strcmp(cmd, "hex") && a1 && !a2) {
		if (hvsim_ic_hex(a1, buf, HVSIM_IC_MAX_REQ, &raw.len) ||
		    !raw.len)
			goto out;
		raw.wire_len = raw.len;
	} else {
		goto out;
	}
	/* An injected NEGOTIATE's answer is checked against its lists. */
	if (raw.msgtype == ICMSGTYPE_NEGOTIATE && raw.hdr) {
		mutex_lock(&hvsim_ic_lock);
		if (!ic->busy)
			ic->used = v.nfw ? v : ic->offer;
		mutex_unlock(&hvsim_ic_lock);
	}
	ret = hvsim_ic_call(ic, hvsim_ic_inject_fn, &raw);
out:
	kfree(buf);
	return ret;
}
HVSIM_IC_CMD_FOPS(hvsim_ic_inject_cmd);

static void hvsim_ic_show_list(struct seq_file *m, const char *name,
			       const struct ic_version *v, u16 n)
{
	unsigned int i;

	seq_printf(m, "%s ", name);
	for (i = 0; i < n; i++)
		seq_printf(m, "%s%u.%u", i ? "," : "", v[i].major, v[i].minor);
	seq_puts(m, n ? "\n" : "-\n");
}

static int hvsim_ic_status_show(struct seq_file *m, void *v)
{
	struct hvsim_ic *ic = m->private;
	unsigned int i;
	u64 t;

	mutex_lock(&hvsim_ic_lock);
	seq_printf(m, "state %s\n", hvsim_ic_state_names[ic->state]);
	seq_printf(m, "instance %pUl\n", &ic->instance);
	seq_printf(m, "framework %u.%u\n", ic->fw.major, ic->fw.minor);
	seq_printf(m, "version %u.%u\n", ic->msg.major, ic->msg.minor);
	hvsim_ic_show_list(m, "offer_fw", ic->offer.fw, ic->offer.nfw);
	hvsim_ic_show_list(m, "offer_msg", ic->offer.msg, ic->offer.nmsg);
	seq_printf(m, "pending %s\n", ic->busy ? ic->what : "none");
	seq_printf(m, "queued %d\n", ic->busy && !ic->sent);
	seq_printf(m, "result %s\n", ic->result[0] ? ic->result : "none");
	seq_printf(m, "status 0x%08x\n", ic->status);
	seq_printf(m, "sent %llu\n", ic->sent_count);
	seq_printf(m, "answers %llu\n", ic->answers);
	seq_printf(m, "timeouts %llu\n", ic->timeouts);
	seq_printf(m, "late %llu\n", ic->late);
	seq_printf(m, "bad %llu\n", ic->bad_total);
	for (i = HVSIM_IC_BAD_PKT; i < HVSIM_IC_BAD_COUNT; i++)
		seq_printf(m, "bad.%s %llu\n", hvsim_ic_bad_name(i),
			   ic->bad[i]);
	seq_printf(m, "timeout_ms %u\n", ic->timeout_ms);
	switch (ic->desc->msgtype) {
	case ICMSGTYPE_HEARTBEAT:
		seq_printf(m, "seq %llu\n", ic->hb_seq);
		seq_printf(m, "beats %llu\n", ic->hb_beats);
		seq_printf(m, "interval_ms %u\n", ic->hb_interval_ms);
		break;
	case ICMSGTYPE_TIMESYNC:
		t = hvsim_ic_host_time(ic, ktime_get_raw_ns()) - WLTIMEDELTA;
		seq_printf(m, "host_time %llu\n", div_u64(t, 10000000));
		seq_printf(m, "offset_s %lld\n", ic->ts_offset_s);
		seq_printf(m, "stale_s %u\n", ic->ts_stale_s);
		seq_printf(m, "sample_ms %u\n", ic->ts_sample_ms);
		seq_printf(m, "syncs %llu\n", ic->ts_syncs);
		seq_printf(m, "samples %llu\n", ic->ts_samples);
		break;
	case ICMSGTYPE_KVPEXCHANGE:
		seq_printf(m, "kvp.op %s\n", ic->kvp_op ? ic->kvp_op : "none");
		seq_printf(m, "kvp.type %u\n", ic->kvp.type);
		/* The guest's strings: a newline would forge a line. */
		seq_puts(m, "kvp.key ");
		seq_escape(m, ic->kvp.key, "\n\\");
		seq_puts(m, "\nkvp.value ");
		seq_escape(m, ic->kvp.value, "\n\\");
		seq_putc(m, '\n');
		/* Printable ASCII only, as hvsim_kvp_ip_parse() checked. */
		seq_printf(m, "kvp.ip.family %u\n", ic->kvp_ip.family);
		seq_printf(m, "kvp.ip.dhcp %u\n", ic->kvp_ip.dhcp);
		seq_printf(m, "kvp.ip.adapter %s\n", ic->kvp_ip.adapter);
		seq_printf(m, "kvp.ip.addr %s\n", ic->kvp_ip.addr);
		seq_printf(m, "kvp.ip.subnet %s\n", ic->kvp_ip.subnet);
		seq_printf(m, "kvp.ip.gateway %s\n", ic->kvp_ip.gateway);
		seq_printf(m, "kvp.ip.dns %s\n", ic->kvp_ip.dns);
		break;
	case ICMSGTYPE_VSS:
		seq_printf(m, "vss.flags 0x%x\n", ic->vss_flags);
		break;
	case ICMSGTYPE_FCOPY:
		seq_printf(m, "fcopy.size %zu\n", ic->fc_len);
		seq_printf(m, "fcopy.written %zu\n", ic->fc_off);
		seq_printf(m, "fcopy.step %s\n",
			   hvsim_ic_fc_step_name(ic->fc_step));
		break;
	}
	mutex_unlock(&hvsim_ic_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_ic_status);

/* "fw=M.N,... msg=M.N,...": the next negotiation's offer. */
static int hvsim_ic_versions_cmd(struct hvsim_ic *ic, char *p)
{
	struct hvsim_ic_vers v = ic->desc->offer;
	char *tok;

	while ((tok = hvsim_ic_word(&p)) != NULL) {
		if (str_has_prefix(tok, "fw=")) {
			if (hvsim_ic_parse_list(tok + 3, v.fw, &v.nfw))
				return -EINVAL;
		} else if (str_has_prefix(tok, "msg=")) {
			if (hvsim_ic_parse_list(tok + 4, v.msg, &v.nmsg))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	mutex_lock(&hvsim_ic_lock);
	ic->offer = v;
	mutex_unlock(&hvsim_ic_lock);
	return 0;
}
HVSIM_IC_CMD_FOPS(hvsim_ic_versions_cmd);

/* Knobs: debugfs data is the IC, the file says which field. */
#define HVSIM_IC_KNOB(field, min, max, define)				\
static int field##_get(void *data, u64 *val)				\
{									\
	struct hvsim_ic *ic = data;					\
									\
	mutex_lock(&hvsim_ic_lock);					\
	*val = ic->field;						\
	mutex_unlock(&hvsim_ic_lock);					\
	return 0;							\
}									\
static int field##_set(void *data, u64 val)				\
{									\
	struct hvsim_ic *ic = data;					\
	s64 s = val;							\
									\
	if (s < (s64)(min) || s > (s64)(max))				\
		return -EINVAL;						\
	mutex_lock(&hvsim_ic_lock);					\
	ic->field = s;							\
	if (ic->open && !hvsim_ic_stopping)				\
		mod_delayed_work(system_wq, &ic->tick, 1);		\
	mutex_unlock(&hvsim_ic_lock);					\
	return 0;							\
}									\
define(field##_fops, field##_get, field##_set, "%lld\n")

HVSIM_IC_KNOB(timeout_ms, 1, 3600000, DEFINE_DEBUGFS_ATTRIBUTE);
HVSIM_IC_KNOB(hb_interval_ms, 0, 3600000, DEFINE_DEBUGFS_ATTRIBUTE);
/* The offset may be negative: written and read signed. */
HVSIM_IC_KNOB(ts_offset_s, -(s64)1000000000, 1000000000,
	      DEFINE_DEBUGFS_ATTRIBUTE_SIGNED);
HVSIM_IC_KNOB(ts_stale_s, 0, 1000000, DEFINE_DEBUGFS_ATTRIBUTE);
HVSIM_IC_KNOB(ts_sample_ms, 0, 3600000, DEFINE_DEBUGFS_ATTRIBUTE);

/**
 * hvsim_ic_debugfs() - the ICs' debugfs directory.
 * @parent: hvsim's directory.
 */
void hvsim_ic_debugfs(struct dentry *parent)
{
	struct dentry *d;
	struct hvsim_ic *ic;
	unsigned int i;

	hvsim_ic_dir = debugfs_create_dir("ic", parent);
	for (i = 0; i < HVSIM_IC_KINDS; i++) {
		ic = hvsim_ics[i];
		if (!ic)
			continue;
		d = debugfs_create_dir(ic->desc->name, hvsim_ic_dir);
		ic->dir = d;
		debugfs_create_file("status", 0444, d, ic,
				    &hvsim_ic_status_fops);
		debugfs_create_file("versions", 0200, d, ic,
				    &hvsim_ic_versions_cmd_fops);
		debugfs_create_file("inject", 0200, d, ic,
				    &hvsim_ic_inject_cmd_fops);
		debugfs_create_file_unsafe("timeout_ms", 0600, d, ic,
					   &timeout_ms_fops);
		switch (ic->desc->msgtype) {
		case ICMSGTYPE_SHUTDOWN:
			debugfs_create_file("send", 0200, d, ic,
					    &hvsim_ic_shutdown_cmd_fops);
			break;
		case ICMSGTYPE_TIMESYNC:
			debugfs_create_file("send", 0200, d, ic,
					    &hvsim_ic_timesync_cmd_fops);
			debugfs_create_file_unsafe("offset_s", 0600, d, ic,
						   &ts_offset_s_fops);
			debugfs_create_file_unsafe("stale_s", 0600, d, ic,
						   &ts_stale_s_fops);
			debugfs_create_file_unsafe("sample_ms", 0600, d, ic,
						   &ts_sample_ms_fops);
			break;
		case ICMSGTYPE_HEARTBEAT:
			debugfs_create_file("beat", 0200, d, ic,
					    &hvsim_ic_beat_cmd_fops);
			debugfs_create_file_unsafe("interval_ms", 0600, d, ic,
						   &hb_interval_ms_fops);
			break;
		case ICMSGTYPE_KVPEXCHANGE:
			debugfs_create_file("op", 0200, d, ic,
					    &hvsim_ic_kvp_cmd_fops);
			break;
		case ICMSGTYPE_VSS:
			debugfs_create_file("op", 0200, d, ic,
					    &hvsim_ic_vss_cmd_fops);
			break;
		case ICMSGTYPE_FCOPY:
			debugfs_create_file("data", 0200, d, ic,
					    &hvsim_ic_fcdata_fops);
			debugfs_create_file("copy", 0200, d, ic,
					    &hvsim_ic_fcopy_cmd_fops);
			break;
		}
	}
}

/**
 * hvsim_ic_init() - set up the ICs' host side.
 *
 * Return: 0 or -ENOMEM.
 */
int hvsim_ic_init(void)
{
	struct hvsim_ic *ic;
	unsigned int i;

	hvsim_ic_base_real_ns = ktime_get_real_ns();
	hvsim_ic_base_raw_ns = ktime_get_raw_ns();
	hvsim_ic_stopping = false;
	for (i = 0; i < HVSIM_IC_KINDS; i++) {
		ic = kvzalloc(sizeof(*ic), GFP_KERNEL);
		if (!ic) {
			hvsim_ic_exit();
			return -ENOMEM;
		}
		ic->desc = &hvsim_ic_descs[i];
		ic->offer = ic->desc->offer;
		ic->timeout_ms = ic->desc->timeout_ms;
		ic->next_tid = 1;
		INIT_DELAYED_WORK(&ic->tmo, hvsim_ic_tmo_work);
		INIT_DELAYED_WORK(&ic->tick, hvsim_ic_tick_work);
		hvsim_ics[i] = ic;
	}
	return 0;
}

/**
 * hvsim_ic_stop() - stop the ICs' work, before the VMBus host goes.
 *
 * Nothing sends on an IC channel afterwards; the channels' close still
 * finds the IC state.
 */
void hvsim_ic_stop(void)
{
	unsigned int i;

	mutex_lock(&hvsim_ic_lock);
	hvsim_ic_stopping = true;
	mutex_unlock(&hvsim_ic_lock);
	for (i = 0; i < HVSIM_IC_KINDS; i++) {
		if (!hvsim_ics[i])
			continue;
		cancel_delayed_work_sync(&hvsim_ics[i]->tick);
		cancel_delayed_work_sync(&hvsim_ics[i]->tmo);
	}
}

/**
 * hvsim_ic_exit() - free the ICs' host side, after the VMBus host went.
 */
void hvsim_ic_exit(void)
{
	unsigned int i;

	hvsim_ic_stop();
	for (i = 0; i < HVSIM_IC_KINDS; i++) {
		if (!hvsim_ics[i])
			continue;
		kvfree(hvsim_ics[i]->fc_data);
		kvfree(hvsim_ics[i]);
		hvsim_ics[i] = NULL;
	}
}
