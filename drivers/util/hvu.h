/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_utils: the integration components (ICs) of a Hyper-V guest.
 *
 * Internal interface between the parts of the module: the checks of what
 * the host sends (ic.c, pure functions the KUnit suite hv_utils calls),
 * the services (basic.c, kvp.c, vss.c, fcopy.c), the engine that hands
 * host requests to a user-space daemon (daemon.c) and the driver (main.c).
 *
 * The wire structures are the kernel headers' (<linux/hyperv.h> for the
 * framing, <uapi/linux/hyperv.h> for KVP, VSS and fcopy); the asserts
 * below pin the sizes this code relies on.
 */
#ifndef _HVU_H
#define _HVU_H

#include <linux/build_bug.h>
#include <linux/hyperv.h>
#include <linux/mutex.h>
#include <linux/miscdevice.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

static_assert(sizeof(struct vmbuspipe_hdr) == 8);
static_assert(sizeof(struct icmsg_hdr) == 20);
static_assert(ICMSG_HDR == 28);
static_assert(sizeof(struct icmsg_negotiate) == 8);
static_assert(sizeof(struct shutdown_msg_data) == 2060);
static_assert(offsetof(struct shutdown_msg_data, flags) == 8);
static_assert(sizeof(struct heartbeat_msg_data) == 40);
static_assert(sizeof(struct ictimesync_data) == 25);
static_assert(sizeof(struct ictimesync_ref_data) == 22);
static_assert(sizeof(struct hv_kvp_hdr) == 4);
static_assert(sizeof(struct hv_kvp_exchg_msg_value) == 2572);
static_assert(sizeof(struct hv_kvp_msg) == 7432);
static_assert(sizeof(struct hv_kvp_ip_msg) == 7428);
static_assert(offsetof(struct hv_kvp_ipaddr_value, ip_addr) == 258);
static_assert(sizeof(struct hv_vss_msg) == 12);
static_assert(sizeof(struct hv_fcopy_hdr) == 36);
static_assert(sizeof(struct hv_start_fcopy) == 1088);
static_assert(offsetof(struct hv_do_fcopy, data) == 52);
static_assert(sizeof(struct hv_do_fcopy) == 52 + DATA_FRAGMENT);

/* Versions as major << 16 | minor, the form vmbus_prep_negotiate_resp takes. */
#define HVU_VER(maj, min)	((maj) << 16 | (min))
#define HVU_VER_MAJOR(v)	((u32)(v) >> 16)
#define HVU_VER_MINOR(v)	((u32)(v) & 0xffff)

/* The payload after the IC header. */
#define HVU_BODY(buf)		((buf) + ICMSG_HDR)

/* Sizes of receive buffers: the largest host packet each IC may send. */
#define HVU_SMALL_BUF		HV_HYP_PAGE_SIZE	/* shutdown, timesync, heartbeat */
#define HVU_LARGE_BUF		(4 * HV_HYP_PAGE_SIZE)	/* KVP, VSS, fcopy */

/* Windows' REG_QWORD, which hosts send for 64-bit KVP values. */
#define HVU_REG_QWORD		11

/* 100 ns units per second, and the staleness limit of a time sample. */
#define HVU_TICKS_PER_SEC	10000000ULL
#define HVU_TS_STALE_TICKS	(600 * HVU_TICKS_PER_SEC)
/* How far in the future a sample's reference time may lie (rounding). */
#define HVU_TS_FUTURE_TICKS	HVU_TICKS_PER_SEC
/*
 * Host times from 2200-01-01 on are refused: the clock's nanoseconds
 * (an s64) end in 2262, and a sample is later read up to its stale age on.
 */
#define HVU_TS_LAST_UNIX_S	7258118400ULL

/**
 * struct hvu_svc_desc - the static description of one IC.
 * @name: for the log ("Shutdown", "KVP", ...).
 * @msgtype: the ICMSGTYPE_* of its own messages.
 * @fw: framework versions, best first; @nfw entries.
 * @srv: service versions, best first; @nsrv entries.
 * @min_body: bytes its messages need after the IC header, at the least;
 *	shorter ones are answered with HV_INVALIDARG.
 */
struct hvu_svc_desc {
	const char *name;
	u16 msgtype;
	const int *fw;
	int nfw;
	const int *srv;
	int nsrv;
	u32 min_body;
};

/* What hvu_ic_classify() says to do with a packet. */
enum hvu_class {
	HVU_DROP,		/* no header to answer with: drop, logged */
	HVU_REPLY,		/* answer now, with the status in the header */
	HVU_SERVICE,		/* the service's own message, long enough */
};

enum hvu_class hvu_ic_classify(const struct hvu_svc_desc *d, u8 *buf,
			       u32 len, int *srv_version);
void hvu_ic_set_response(u8 *buf, u32 status);

/* Shutdown. */
enum hvu_shutdown_action {
	HVU_SD_NONE,
	HVU_SD_POWEROFF,
	HVU_SD_REBOOT,
	HVU_SD_HIBERNATE,
};

#define HVU_SD_FLAG_FORCE	0x1
#define HVU_SD_FLAG_RESTART	0x2
#define HVU_SD_FLAG_HIBERNATE	0x4

u32 hvu_shutdown_parse(const u8 *buf, u32 len, bool hibernate_ok,
		       enum hvu_shutdown_action *action);

/* Heartbeat. */
u32 hvu_heartbeat_answer(u8 *buf, u32 len);

/* Time sync. */
struct hvu_ts_sample {
	u64 parenttime;		/* host time, 100 ns since 1601 */
	u64 reftime;		/* reference counter it was read at */
	u8 flags;		/* ICTIMESYNCFLAG_* */
};

u32 hvu_timesync_parse(const u8 *buf, u32 len, int srv_version, u64 now_ref,
		       struct hvu_ts_sample *s);
bool hvu_timesync_stale(u64 sample_ref, u64 now_ref);

/* KVP. */
u32 hvu_kvp_to_daemon(const u8 *buf, u32 len, struct hv_kvp_msg *out);
u32 hvu_kvp_to_host(u8 *buf, u32 len, const struct hv_kvp_msg *in);

/* VSS: where a request is handled. */
enum hvu_vss_route {
	HVU_VSS_LOCAL,		/* answered by the kernel, status given */
	HVU_VSS_DAEMON,		/* handed to hv_vss_daemon */
};

u32 hvu_vss_route(const u8 *buf, u32 len, enum hvu_vss_route *route);

/* fcopy. */
u32 hvu_fcopy_to_daemon(const u8 *buf, u32 len, void *out, u32 *out_len);

/* ------------------------------------------------------------------------
 * The daemon engine (daemon.c).
 */
struct hvu_daemon;

/**
 * struct hvu_daemon_ops - what one daemon-backed IC adds to the engine.
 * @desc: its IC description.
 * @devname: the misc device, e.g. "vmbus/hv_kvp".
 * @handshake: the daemon wrote @len bytes before it was registered.
 *	Returns a negative errno to refuse, else 0; sets *@reply/@reply_len
 *	to an answer to queue (NULL for none).  Called with the lock held.
 * @host_msg: a service message from the host is in @d->buf.  Returns
 *	true after filling @d->msg and @d->msg_len for the daemon, or false
 *	with *@status the HV status to answer the host with at once.
 *	Called with the lock held.
 * @daemon_reply: the daemon wrote its answer to the message in flight.
 *	Returns the HV status for the host (and fills the host's buffer),
 *	or a negative errno to refuse the write.
 * @reply_len: the exact length of a daemon's answer (0: at least
 *	@min_reply_len).
 * @min_reply_len: see @reply_len.
 * @msg_max: the largest message for the daemon (and registration answer).
 * @done: optional; the transaction ended with @status (daemon answer,
 *	timeout, or daemon gone).  Called with the lock held.
 * @gone: optional; the daemon closed its file.  Called with the lock held.
 * @timeout: the seconds the daemon has for the message in flight.
 */
struct hvu_daemon_ops {
	const struct hvu_svc_desc *desc;
	const char *devname;
	int (*handshake)(struct hvu_daemon *d, const void *msg, size_t len,
			 const void **reply, size_t *reply_len);
	bool (*host_msg)(struct hvu_daemon *d, u32 *status);
	long (*daemon_reply)(struct hvu_daemon *d, const void *msg, size_t len);
	size_t reply_len;
	size_t min_reply_len;
	size_t msg_max;
	void (*done)(struct hvu_daemon *d, u32 status);
	void (*gone)(struct hvu_daemon *d);
	unsigned int (*timeout)(struct hvu_daemon *d);
};

/**
 * struct hvu_daemon - one daemon-backed IC: its channel, its transaction
 * with the host and its character device.
 *
 * One host request is handled at a time: while one is in flight the ring
 * is not read.  Everything below @lock is protected by it.
 */
struct hvu_daemon {
	const struct hvu_daemon_ops *ops;
	struct vmbus_channel *chan;
	struct miscdevice mdev;
	bool published;			/* mdev registered */
	void *priv;

	struct work_struct work;	/* reads the ring */
	struct delayed_work timeout;	/* the daemon took too long */
	wait_queue_head_t readq;

	struct mutex lock;
	bool dying;
	bool open;			/* a daemon holds the device */
	bool registered;		/* ... and finished its handshake */
	bool reg_pending;		/* registration answer not read yet */
	int srv_version;

	/* The host request in flight. */
	bool in_flight;
	bool sent;			/* handed to the daemon */
	unsigned long gen;		/* transaction number */
	u8 *buf;			/* the host's packet, answered in place */
	u32 len;
	u64 reqid;

	unsigned long deadline;		/* jiffies */
	u8 op;				/* service operation in flight */
	void *msg;			/* the request for the daemon */
	size_t msg_len;
	void *regbuf;			/* the registration answer */

	/* The one message queued for the daemon to read. */
	void *out;
	size_t out_len;
};

int hvu_daemon_start(struct hvu_daemon *d, const struct hvu_daemon_ops *ops,
		     struct vmbus_channel *chan);
int hvu_daemon_publish(struct hvu_daemon *d);
void hvu_daemon_stop(struct hvu_daemon *d);
void hvu_daemon_flush(struct hvu_daemon *d);
void hvu_daemon_callback(void *context);
void hvu_daemon_kick(struct hvu_daemon *d);

/**
 * struct hvu_basic - an IC the kernel answers alone (shutdown, timesync,
 * heartbeat), read in its channel callback.
 * @desc: the IC.
 * @handle: answers a message classified HVU_SERVICE; returns the status.
 * @after: optional; runs after each answer went out.
 * @setup: optional; before the channel opens.
 * @teardown: optional; after it closed.
 * @hdev: the device.
 * @chan: its channel.
 * @buf: the receive buffer, HVU_SMALL_BUF bytes.
 * @srv_version: the negotiated service version.
 * @action: shutdown only: what to do after answering.
 */
struct hvu_basic {
	const struct hvu_svc_desc *desc;
	u32 (*handle)(struct hvu_basic *b, u32 len);
	void (*after)(struct hvu_basic *b);
	int (*setup)(struct hvu_basic *b);
	void (*teardown)(struct hvu_basic *b);
	struct hv_device *hdev;
	struct vmbus_channel *chan;
	u8 *buf;
	int srv_version;
	enum hvu_shutdown_action action;
};

extern struct hvu_basic hvu_shutdown, hvu_timesync, hvu_heartbeat;
void hvu_basic_callback(void *context);

/* Module parameters shared by the parts (main.c). */
extern unsigned int hvu_daemon_timeout;

/* The partition reference counter, 100 ns units. */
u64 hvu_ref_time(void);

/* Services (basic.c, kvp.c, vss.c, fcopy.c). */
extern const struct hvu_svc_desc hvu_shutdown_desc;
extern const struct hvu_svc_desc hvu_timesync_desc;
extern const struct hvu_svc_desc hvu_heartbeat_desc;
extern const struct hvu_svc_desc hvu_kvp_desc;
extern const struct hvu_svc_desc hvu_vss_desc;
extern const struct hvu_svc_desc hvu_fcopy_desc;

extern const struct hvu_daemon_ops hvu_kvp_ops;
extern const struct hvu_daemon_ops hvu_vss_ops;
extern const struct hvu_daemon_ops hvu_fcopy_ops;

int hvu_vss_setup(struct hvu_daemon *d);
void hvu_vss_teardown(struct hvu_daemon *d);

#endif /* _HVU_H */
