// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the synthetic SCSI controller's VSP (storvsp).
 *
 * The vstor protocol as the host side of reference/vsp-host-behaviour.md
 * PART 1 describes it (OpenVMM's storvsp where hosts differ): the
 * initialization sequence on the primary channel, EXECUTE_SRB on every
 * channel with the data moved only through the GPA range the guest gave,
 * CREATE_SUB_CHANNELS, and ENUMERATE_BUS when LUNs come and go.  The LUNs
 * are RAM disks (scsi_disk.c) at path 0, target 0.
 *
 * Decisions:
 *  - Versions 6.2, 6.0 and 5.1 are accepted, up to scsi_max_version;
 *    any other gets REVISION_MISMATCH with the version echoed (the
 *    pre-Win8 ones would need the short SRB).
 *  - Each operation has a state in which it is taken (table below);
 *    elsewhere it is completed with INVALID_DEVICE_STATE.  Operations a
 *    guest never sends, packets without the completion-requested flag,
 *    completions and transfer-page packets, short packets, GPA-direct
 *    packets with more than one range or a range shorter than the
 *    transfer length, and in-band packets with a transfer length break
 *    the channel (OpenVMM stops its worker).
 *  - A completion is as long as the packet the guest sent, up to the
 *    64-byte vstor_packet; ENUMERATE_BUS and REMOVE_DEVICE are 64 bytes.
 *  - QUERY_PROPERTIES: multi-channel, as many sub-channels as the device
 *    may offer, 256 KiB transfers.
 *  - Hot add and removal send ENUMERATE_BUS once the controller is ready,
 *    as OpenVMM; REMOVE_DEVICE only when asked through debugfs.  A resize
 *    is a UNIT ATTENTION on the LUN's next command.
 *  - A controller's LUNs are configured when it is added (`add scsi ...`)
 *    or from the module parameters, and kept until hvsim unloads; the
 *    protocol state follows the primary channel's open and close.
 *
 * Locking: the protocol state is the host's (VSP ops and
 * hvsim_vmbus_vsp_call() run under its mutex); a controller's LUNs are
 * under its @lock, taken inside the host's mutex or alone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": storvsp: " fmt

#include <linux/debugfs.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include "internal.h"
#include "scsi_disk.h"
#include "vmbus_host.h"

/* The synthetic SCSI controller's interface type. */
const guid_t hvsim_storvsp_class =
	GUID_INIT(0xba6163d9, 0x04a1, 0x4d29,
		  0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f);

/* Operations (A.3). */
enum {
	VSTOR_OP_COMPLETE_IO = 1,
	VSTOR_OP_REMOVE_DEVICE = 2,
	VSTOR_OP_EXECUTE_SRB = 3,
	VSTOR_OP_RESET_LUN = 4,
	VSTOR_OP_RESET_ADAPTER = 5,
	VSTOR_OP_RESET_BUS = 6,
	VSTOR_OP_BEGIN_INIT = 7,
	VSTOR_OP_END_INIT = 8,
	VSTOR_OP_QUERY_VERSION = 9,
	VSTOR_OP_QUERY_PROPERTIES = 10,
	VSTOR_OP_ENUMERATE_BUS = 11,
	VSTOR_OP_FCHBA_DATA = 12,
	VSTOR_OP_CREATE_SUB_CHANNELS = 13,
	VSTOR_OP_COUNT
};

/* NTSTATUS values of the packet header (A.8). */
#define VSTOR_STATUS_SUCCESS			0x00000000
#define VSTOR_STATUS_BUFFER_OVERFLOW		0x80000005
#define VSTOR_STATUS_INVALID_PARAMETER		0xc000000d
#define VSTOR_STATUS_INVALID_DEVICE_REQUEST	0xc0000010
#define VSTOR_STATUS_REVISION_MISMATCH		0xc0000059
#define VSTOR_STATUS_DEVICE_DOES_NOT_EXIST	0xc00000c0
#define VSTOR_STATUS_CANCELLED			0xc0000120
#define VSTOR_STATUS_INVALID_DEVICE_STATE	0xc0000184
#define VSTOR_STATUS_IO_DEVICE_ERROR		0xc0000185

#define VSTOR_VERSION_WIN8	0x0501
#define VSTOR_VERSION_WIN8_1	0x0600
#define VSTOR_VERSION_WIN10	0x0602

#define VSTOR_PROP_MULTI_CHANNEL	0x1
#define VSTOR_MAX_TRANSFER		0x40000
#define VSTOR_CDB_LEN			16
#define VSTOR_SENSE_LEN			0x14
#define VSTOR_SRB_LEN			0x34
#define VSTOR_HDR_LEN			12

/* The SCSI request block (B.1), Win8 size. */
struct hvsim_vstor_srb {
	__le16 length;
	u8 srb_status;
	u8 scsi_status;
	u8 port;
	u8 path_id;
	u8 target_id;
	u8 lun;
	u8 cdb_length;
	u8 sense_info_length;
	u8 data_in;
	u8 reserved;
	__le32 data_transfer_length;
	union {
		u8 cdb[VSTOR_CDB_LEN];
		u8 sense[VSTOR_SENSE_LEN];
	};
	__le16 reserve;
	u8 queue_tag;
	u8 queue_action;
	__le32 srb_flags;
	__le32 time_out_value;
	__le32 queue_sort_key;
} __packed;

/* QUERY_PROPERTIES' answer (A.6). */
struct hvsim_vstor_props {
	__le32 reserved;
	__le16 max_channel_cnt;
	__le16 reserved1;
	__le32 flags;
	__le32 max_transfer_bytes;
	__le64 reserved2;
} __packed;

struct hvsim_vstor_version {
	__le16 major_minor;
	__le16 revision;
} __packed;

/* The vstor_packet (A.2). */
struct hvsim_vstor_packet {
	__le32 operation;
	__le32 flags;
	__le32 status;
	union {
		struct hvsim_vstor_srb srb;
		struct hvsim_vstor_props props;
		struct hvsim_vstor_version version;
		__le16 sub_channel_count;
		u8 buffer[VSTOR_SRB_LEN];
	};
} __packed;

static_assert(sizeof(struct hvsim_vstor_srb) == VSTOR_SRB_LEN);
static_assert(offsetof(struct hvsim_vstor_srb, data_in) == 0x0a);
static_assert(offsetof(struct hvsim_vstor_srb, data_transfer_length) == 0x0c);
static_assert(offsetof(struct hvsim_vstor_srb, cdb) == 0x10);
static_assert(offsetof(struct hvsim_vstor_srb, reserve) == 0x24);
static_assert(offsetof(struct hvsim_vstor_srb, srb_flags) == 0x28);
static_assert(offsetof(struct hvsim_vstor_srb, queue_sort_key) == 0x30);
static_assert(sizeof(struct hvsim_vstor_props) == 24);
static_assert(offsetof(struct hvsim_vstor_props, max_channel_cnt) == 4);
static_assert(offsetof(struct hvsim_vstor_props, flags) == 8);
static_assert(offsetof(struct hvsim_vstor_props, max_transfer_bytes) == 12);
static_assert(sizeof(struct hvsim_vstor_version) == 4);
static_assert(sizeof(struct hvsim_vstor_packet) == 64);
static_assert(offsetof(struct hvsim_vstor_packet, srb) == VSTOR_HDR_LEN);
static_assert(sizeof(struct gpa_range) == 8);
static_assert(sizeof(struct vmdata_gpa_direct) == 32);

/* LUNs 0..63 at path 0, target 0. */
#define HVSIM_STORVSP_MAX_LUNS	64

/* The protocol state of a controller (its primary channel). */
enum hvsim_storvsp_state {
	STORVSP_CLOSED,
	STORVSP_BEGIN,		/* waits for BEGIN_INITIALIZATION */
	STORVSP_VERSION,	/* ... QUERY_PROTOCOL_VERSION */
	STORVSP_PROPERTIES,	/* ... QUERY_PROPERTIES */
	STORVSP_END,		/* ... END_INITIALIZATION */
	STORVSP_READY,
};

static const char * const hvsim_storvsp_state_names[] = {
	[STORVSP_CLOSED] = "closed",
	[STORVSP_BEGIN] = "begin",
	[STORVSP_VERSION] = "version",
	[STORVSP_PROPERTIES] = "properties",
	[STORVSP_END] = "end",
	[STORVSP_READY] = "ready",
};

/**
 * struct hvsim_storvsp_ctrl - one SCSI controller.
 * @node: in hvsim_storvsp_ctrls.
 * @instance: the device's instance GUID.
 * @lock: covers @luns and the disks.
 * @luns: the disks by LUN, NULL where none.
 * @state: protocol state (the host's mutex).
 * @version: negotiated version (the host's mutex).
 * @srbs: EXECUTE_SRBs handled (the host's mutex).
 * @errors: of those, not SRB_STATUS_SUCCESS.
 * @rescans: ENUMERATE_BUS sent.
 * @removes: REMOVE_DEVICE sent.
 * @unsent: ENUMERATE_BUS or REMOVE_DEVICE not sent: the guest's
 *	controller was not ready (it scans when it is).
 * @last_error: the opcode, sense key and ASC of the last failed SRB.
 * @open: its channels open (the list lock): a controller with one open
 *	is not replaced.
 */
struct hvsim_storvsp_ctrl {
	struct list_head node;
	guid_t instance;
	struct mutex lock;
	struct hvsim_scsi_disk *luns[HVSIM_STORVSP_MAX_LUNS];
	enum hvsim_storvsp_state state;
	u16 version;
	u64 srbs;
	u64 errors;
	u64 rescans;
	u64 removes;
	u64 unsent;
	u8 last_error[3];
	unsigned int open;
};

static unsigned int scsi_controllers;
module_param(scsi_controllers, uint, 0444);
MODULE_PARM_DESC(scsi_controllers,
		 "SCSI controllers configured at load (default 0)");

static unsigned int scsi_luns = 1;
module_param(scsi_luns, uint, 0444);
MODULE_PARM_DESC(scsi_luns,
		 "LUNs of a SCSI controller not configured otherwise (default 1)");

static unsigned int scsi_lun_mb = 64;
module_param(scsi_lun_mb, uint, 0444);
MODULE_PARM_DESC(scsi_lun_mb, "Size of those LUNs in MiB (default 64)");

static unsigned int scsi_max_version = VSTOR_VERSION_WIN10;
module_param(scsi_max_version, uint, 0444);
MODULE_PARM_DESC(scsi_max_version,
		 "Highest vstor version accepted, major << 8 | minor (default 0x602)");

static unsigned int scsi_subch = 8;
module_param(scsi_subch, uint, 0444);
MODULE_PARM_DESC(scsi_subch,
		 "Sub-channels a SCSI controller offers at most (default 8)");

static LIST_HEAD(hvsim_storvsp_ctrls);
static DEFINE_MUTEX(hvsim_storvsp_list_lock);	/* the list */

/* SCSI controller N (from 1) of the module parameter. */
static const guid_t hvsim_storvsp_instance =
	GUID_INIT(0x5c510000, 0x0000, 0x4000,
		  0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);

/* ------------------------------------------------------------------------
 * Controllers and LUNs.
 */

static struct hvsim_storvsp_ctrl *hvsim_storvsp_find(const guid_t *instance)
{
	struct hvsim_storvsp_ctrl *c;

	lockdep_assert_held(&hvsim_storvsp_list_lock);
	list_for_each_entry(c, &hvsim_storvsp_ctrls, node)
		if (guid_equal(&c->instance, instance))
			return c;
	return NULL;
}

/* A LUN's identity: the controller's, with the LUN in the last byte. */
static void hvsim_storvsp_lun_id(struct hvsim_storvsp_ctrl *c,
				 unsigned int lun, guid_t *id)
{
	*id = c->instance;
	id->b[15] ^= lun + 1;
}

static int hvsim_storvsp_add_lun(struct hvsim_storvsp_ctrl *c,
				 unsigned int lun, u64 bytes)
{
	struct hvsim_scsi_disk *disk;
	guid_t id;
	int ret;

	lockdep_assert_held(&c->lock);
	if (lun >= HVSIM_STORVSP_MAX_LUNS)
		return -EINVAL;
	if (c->luns[lun])
		return -EEXIST;
	disk = kzalloc(sizeof(*disk), GFP_KERNEL);
	if (!disk)
		return -ENOMEM;
	hvsim_storvsp_lun_id(c, lun, &id);
	ret = hvsim_scsi_disk_init(disk, bytes, &id);
	if (ret) {
		kfree(disk);
		return ret;
	}
	c->luns[lun] = disk;
	return 0;
}

static void hvsim_storvsp_free_lun(struct hvsim_storvsp_ctrl *c,
				   unsigned int lun)
{
	lockdep_assert_held(&c->lock);
	if (!c->luns[lun])
		return;
	hvsim_scsi_disk_free(c->luns[lun]);
	kfree(c->luns[lun]);
	c->luns[lun] = NULL;
}

static void hvsim_storvsp_free_ctrl(struct hvsim_storvsp_ctrl *c)
{
	unsigned int i;

	mutex_lock(&c->lock);
	for (i = 0; i < HVSIM_STORVSP_MAX_LUNS; i++)
		hvsim_storvsp_free_lun(c, i);
	mutex_unlock(&c->lock);
	mutex_destroy(&c->lock);
	kfree(c);
}

/* A controller with @luns LUNs of @mb MiB, listed; the list lock held. */
static struct hvsim_storvsp_ctrl *
hvsim_storvsp_new_ctrl(const guid_t *instance, unsigned int luns,
		       unsigned int mb)
{
	struct hvsim_storvsp_ctrl *c;
	unsigned int i;
	int ret = 0;

	lockdep_assert_held(&hvsim_storvsp_list_lock);
	if (luns > HVSIM_STORVSP_MAX_LUNS)
		return ERR_PTR(-EINVAL);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->instance = *instance;
	mutex_init(&c->lock);
	mutex_lock(&c->lock);
	for (i = 0; i < luns && !ret; i++)
		ret = hvsim_storvsp_add_lun(c, i, (u64)mb << 20);
	mutex_unlock(&c->lock);
	if (ret) {
		hvsim_storvsp_free_ctrl(c);
		return ERR_PTR(ret);
	}
	list_add_tail(&c->node, &hvsim_storvsp_ctrls);
	return c;
}

/**
 * hvsim_storvsp_configure() - the LUNs of a controller about to be added.
 * @instance: its instance GUID.
 * @luns: LUNs 0..@luns - 1; UINT_MAX: scsi_luns.
 * @mb: their size in MiB; 0: scsi_lun_mb.
 *
 * Replaces the LUNs of a controller of that instance that no guest holds
 * open, or configures a new one.
 *
 * Context: process context.
 * Return: 0; -EINVAL for too many LUNs or a bad size; -EBUSY when the
 * controller is open; -ENOMEM.
 */
int hvsim_storvsp_configure(const guid_t *instance, unsigned int luns,
			    unsigned int mb)
{
	struct hvsim_storvsp_ctrl *c, *old;

	if (luns == UINT_MAX)
		luns = scsi_luns;
	if (!mb)
		mb = scsi_lun_mb;
	mutex_lock(&hvsim_storvsp_list_lock);
	old = hvsim_storvsp_find(instance);
	if (old && old->open) {
		mutex_unlock(&hvsim_storvsp_list_lock);
		return -EBUSY;
	}
	if (old)
		list_del(&old->node);
	c = hvsim_storvsp_new_ctrl(instance, luns, mb);
	if (IS_ERR(c)) {
		if (old)
			list_add_tail(&old->node, &hvsim_storvsp_ctrls);
		mutex_unlock(&hvsim_storvsp_list_lock);
		return PTR_ERR(c);
	}
	mutex_unlock(&hvsim_storvsp_list_lock);
	if (old)
		hvsim_storvsp_free_ctrl(old);
	return 0;
}

/* ------------------------------------------------------------------------
 * The data buffer: the guest's one GPA range.
 */

struct hvsim_storvsp_range {
	const u8 *pfns;		/* the range's PFN array (checked) */
	u32 offset;		/* in the first page */
};

static int hvsim_storvsp_copy(struct hvsim_scsi_buf *buf, u32 off, void *data,
			      u32 n, bool to_init)
{
	struct hvsim_storvsp_range *r = buf->ctx;
	u8 *kbuf = data;
	u64 pos = (u64)r->offset + off, pfn;
	u32 chunk, in_page;
	int ret;

	while (n) {
		in_page = pos % HV_HYP_PAGE_SIZE;
		chunk = min_t(u32, n, HV_HYP_PAGE_SIZE - in_page);
		pfn = get_unaligned_le64(r->pfns + 8 * (pos / HV_HYP_PAGE_SIZE));
		if (to_init)
			ret = hvsim_chan_write_gpa(pfn, in_page, kbuf, chunk);
		else
			ret = hvsim_chan_read_gpa(pfn, in_page, kbuf, chunk);
		if (ret)
			return ret;
		kbuf += chunk;
		pos += chunk;
		n -= chunk;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The protocol.
 */

static int hvsim_storvsp_complete(struct hvsim_vmbus_chan *chan,
				  const struct hvsim_vmbus_pkt *pkt,
				  struct hvsim_vstor_packet *reply, u32 status)
{
	u32 len = min_t(u32, pkt->len, sizeof(*reply));

	reply->operation = cpu_to_le32(VSTOR_OP_COMPLETE_IO);
	reply->flags = 0;
	reply->status = cpu_to_le32(status);
	return hvsim_chan_send(chan, VM_PKT_COMP, 0, pkt->trans_id, reply, len,
			       NULL, 0);
}

/* The header status of an SRB status, as OpenVMM maps it. */
static u32 hvsim_storvsp_nt_status(u8 srb)
{
	switch (srb & ~(HVSIM_SRB_AUTOSENSE_VALID | 0x40)) {
	case HVSIM_SRB_SUCCESS:
		return VSTOR_STATUS_SUCCESS;
	case HVSIM_SRB_INVALID_LUN:
		return VSTOR_STATUS_DEVICE_DOES_NOT_EXIST;
	case HVSIM_SRB_DATA_OVERRUN:
		return VSTOR_STATUS_BUFFER_OVERFLOW;
	case HVSIM_SRB_ABORTED:
		return VSTOR_STATUS_CANCELLED;
	default:
		return VSTOR_STATUS_IO_DEVICE_ERROR;
	}
}

static void hvsim_storvsp_scsi(struct hvsim_storvsp_ctrl *c,
			       const struct hvsim_vstor_srb *srb,
			       struct hvsim_scsi_buf *buf,
			       struct hvsim_scsi_result *res)
{
	u8 present[HVSIM_STORVSP_MAX_LUNS];
	struct hvsim_scsi_disk *disk = NULL;
	bool ours = !srb->path_id && !srb->target_id;
	unsigned int i, n = 0;

	mutex_lock(&c->lock);
	if (srb->cdb[0] == 0xa0) {		/* REPORT LUNS */
		for (i = 0; ours && i < HVSIM_STORVSP_MAX_LUNS; i++)
			if (c->luns[i])
				present[n++] = i;
		hvsim_scsi_report_luns(srb->cdb, present, n, buf, res);
		goto out;
	}
	if (ours && srb->lun < HVSIM_STORVSP_MAX_LUNS)
		disk = c->luns[srb->lun];
	if (disk)
		hvsim_scsi_disk_exec(disk, srb->cdb, buf, res);
	else
		hvsim_scsi_absent_lun(srb->cdb, buf, res);
out:
	mutex_unlock(&c->lock);
}

static int hvsim_storvsp_execute_srb(struct hvsim_vmbus_chan *chan,
				     struct hvsim_storvsp_ctrl *c,
				     const struct hvsim_vmbus_pkt *pkt,
				     const struct hvsim_vstor_packet *req)
{
	const struct hvsim_vstor_srb *srb = &req->srb;
	u32 dtl = le32_to_cpu(srb->data_transfer_length);
	struct hvsim_vstor_packet reply = {};
	struct hvsim_storvsp_range range = {};
	struct hvsim_scsi_buf buf = {
		.dir = HVSIM_SCSI_DIR_NONE,
		.copy = hvsim_storvsp_copy,
		.ctx = &range,
	};
	struct hvsim_scsi_result res;
	const u8 *r;

	if (pkt->type == VM_PKT_DATA_USING_GPA_DIRECT) {
		/* One range (checked by the host), at least dtl long. */
		r = (const u8 *)pkt->hdr + sizeof(struct vmdata_gpa_direct) -
		    sizeof(struct gpa_range);
		if (pkt->ranges != 1 || get_unaligned_le32(r) < dtl)
			return -EPROTO;
		range.offset = get_unaligned_le32(r + 4);
		range.pfns = r + sizeof(struct gpa_range);
	} else if (dtl) {
		return -EPROTO;
	}
	if (srb->data_in == 0 || srb->data_in == 1) {
		buf.len = dtl;
		buf.dir = srb->data_in ? HVSIM_SCSI_DIR_IN : HVSIM_SCSI_DIR_OUT;
	}

	hvsim_storvsp_scsi(c, srb, &buf, &res);
	c->srbs++;
	if (res.srb_status != HVSIM_SRB_SUCCESS) {
		c->errors++;
		c->last_error[0] = srb->cdb[0];
		c->last_error[1] = res.sense_len ? res.sense[2] & 0x0f : 0;
		c->last_error[2] = res.sense_len ? res.sense[12] : 0;
	}

	reply.srb.length = cpu_to_le16(VSTOR_SRB_LEN);
	reply.srb.srb_status = res.srb_status;
	reply.srb.scsi_status = res.scsi_status;
	reply.srb.cdb_length = VSTOR_CDB_LEN;
	reply.srb.data_transfer_length = cpu_to_le32(res.xfer);
	if (res.sense_len) {
		reply.srb.sense_info_length = VSTOR_SENSE_LEN;
		memcpy(reply.srb.sense, res.sense, res.sense_len);
	}
	return hvsim_storvsp_complete(chan, pkt, &reply,
				      hvsim_storvsp_nt_status(res.srb_status));
}

static int hvsim_storvsp_version(struct hvsim_vmbus_chan *chan,
				 struct hvsim_storvsp_ctrl *c,
				 const struct hvsim_vmbus_pkt *pkt,
				 const struct hvsim_vstor_packet *req)
{
	struct hvsim_vstor_packet reply = {};
	u16 v = le16_to_cpu(req->version.major_minor);
	u32 status = VSTOR_STATUS_REVISION_MISMATCH;

	if ((v == VSTOR_VERSION_WIN10 || v == VSTOR_VERSION_WIN8_1 ||
	     v == VSTOR_VERSION_WIN8) && v <= scsi_max_version) {
		c->version = v;
		c->state = STORVSP_PROPERTIES;
		status = VSTOR_STATUS_SUCCESS;
	}
	reply.version.major_minor = cpu_to_le16(v);
	return hvsim_storvsp_complete(chan, pkt, &reply, status);
}

static int hvsim_storvsp_properties(struct hvsim_vmbus_chan *chan,
				    struct hvsim_storvsp_ctrl *c,
				    const struct hvsim_vmbus_pkt *pkt,
				    const struct hvsim_vstor_packet *req)
{
	struct hvsim_vstor_packet reply = {};

	reply.props.max_channel_cnt =
		cpu_to_le16(hvsim_chan_config(chan)->subch);
	reply.props.flags = cpu_to_le32(VSTOR_PROP_MULTI_CHANNEL);
	reply.props.max_transfer_bytes = cpu_to_le32(VSTOR_MAX_TRANSFER);
	c->state = STORVSP_END;
	return hvsim_storvsp_complete(chan, pkt, &reply, VSTOR_STATUS_SUCCESS);
}

static int hvsim_storvsp_subchannels(struct hvsim_vmbus_chan *chan,
				     struct hvsim_storvsp_ctrl *c,
				     const struct hvsim_vmbus_pkt *pkt,
				     const struct hvsim_vstor_packet *req)
{
	struct hvsim_vstor_packet reply = {};
	u16 n = le16_to_cpu(req->sub_channel_count);
	int ret;

	if (hvsim_chan_index(chan))
		return hvsim_storvsp_complete(chan, pkt, &reply,
					      VSTOR_STATUS_INVALID_DEVICE_STATE);
	if (n > hvsim_chan_config(chan)->subch)
		return hvsim_storvsp_complete(chan, pkt, &reply,
					      VSTOR_STATUS_INVALID_PARAMETER);
	ret = hvsim_storvsp_complete(chan, pkt, &reply, VSTOR_STATUS_SUCCESS);
	if (ret)
		return ret;
	/* The offers follow the answer. */
	ret = hvsim_chan_offer_subchannels(chan, n);
	if (ret < 0)
		pr_warn_ratelimited("%pUl: %u sub-channels not offered: %d\n",
				    &c->instance, n, ret);
	return 0;
}

/* Operations that need nothing but a successful completion. */
static int hvsim_storvsp_ack(struct hvsim_vmbus_chan *chan,
			     struct hvsim_storvsp_ctrl *c,
			     const struct hvsim_vmbus_pkt *pkt,
			     const struct hvsim_vstor_packet *req)
{
	struct hvsim_vstor_packet reply = {};
	u32 op = le32_to_cpu(req->operation);

	if (op == VSTOR_OP_BEGIN_INIT)
		c->state = STORVSP_VERSION;
	else if (op == VSTOR_OP_END_INIT)
		c->state = STORVSP_READY;
	/* Resets have always been no-ops (OpenVMM). */
	return hvsim_storvsp_complete(chan, pkt, &reply, VSTOR_STATUS_SUCCESS);
}

/**
 * struct hvsim_storvsp_op - how the VSP takes one operation.
 * @handler: the handler; NULL for an operation a guest never sends.
 * @min_len: the payload the packet needs after the 12-byte header.
 * @states: the states (bits) in which it is taken.
 * @subchannel: whether a sub-channel may carry it.
 */
struct hvsim_storvsp_op {
	int (*handler)(struct hvsim_vmbus_chan *chan,
		       struct hvsim_storvsp_ctrl *c,
		       const struct hvsim_vmbus_pkt *pkt,
		       const struct hvsim_vstor_packet *req);
	u32 min_len;
	u32 states;
	bool subchannel;
};

#define ST(s)	BIT(STORVSP_##s)

static const struct hvsim_storvsp_op hvsim_storvsp_ops[VSTOR_OP_COUNT] = {
	[VSTOR_OP_EXECUTE_SRB] = { hvsim_storvsp_execute_srb, VSTOR_SRB_LEN,
				   ST(READY), true },
	[VSTOR_OP_RESET_LUN] = { hvsim_storvsp_ack, 0, ST(READY), true },
	[VSTOR_OP_RESET_ADAPTER] = { hvsim_storvsp_ack, 0, ST(READY), true },
	[VSTOR_OP_RESET_BUS] = { hvsim_storvsp_ack, 0, ST(READY), true },
	[VSTOR_OP_BEGIN_INIT] = { hvsim_storvsp_ack, 0, ST(BEGIN), false },
	[VSTOR_OP_END_INIT] = { hvsim_storvsp_ack, 0, ST(END), false },
	[VSTOR_OP_QUERY_VERSION] = {
		hvsim_storvsp_version, sizeof(struct hvsim_vstor_version),
		ST(VERSION), false },
	[VSTOR_OP_QUERY_PROPERTIES] = { hvsim_storvsp_properties, 0,
					ST(PROPERTIES), false },
	[VSTOR_OP_CREATE_SUB_CHANNELS] = { hvsim_storvsp_subchannels,
					   sizeof(__le16), ST(END) | ST(READY),
					   false },
};

static int hvsim_storvsp_packet(struct hvsim_vmbus_chan *chan,
				const struct hvsim_vmbus_pkt *pkt)
{
	struct hvsim_storvsp_ctrl *c = hvsim_chan_vsp_data(chan);
	struct hvsim_vstor_packet req = {}, reply = {};
	const struct hvsim_storvsp_op *op;
	bool sub = hvsim_chan_index(chan);
	u32 opcode;

	if (!c)
		return -ENODEV;
	if ((pkt->type != VM_PKT_DATA_INBAND &&
	     pkt->type != VM_PKT_DATA_USING_GPA_DIRECT) ||
	    !(pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED) ||
	    pkt->len < VSTOR_HDR_LEN)
		goto bad;
	memcpy(&req, pkt->data, min_t(u32, pkt->len, sizeof(req)));
	opcode = le32_to_cpu(req.operation);
	if (opcode >= VSTOR_OP_COUNT || !hvsim_storvsp_ops[opcode].handler)
		goto bad;
	op = &hvsim_storvsp_ops[opcode];
	if (pkt->len < VSTOR_HDR_LEN + op->min_len)
		goto bad;
	/* GPA ranges only with a request that moves data. */
	if (pkt->type == VM_PKT_DATA_USING_GPA_DIRECT &&
	    opcode != VSTOR_OP_EXECUTE_SRB)
		goto bad;
	if ((sub && !op->subchannel) || !(op->states & BIT(c->state)))
		return hvsim_storvsp_complete(chan, pkt, &reply,
					      VSTOR_STATUS_INVALID_DEVICE_STATE);
	return op->handler(chan, c, pkt, &req);

bad:
	pr_warn_ratelimited("%pUl: relid %u: malformed packet (type %u, %u bytes)\n",
			    &c->instance, hvsim_chan_relid(chan), pkt->type,
			    pkt->len);
	return -EPROTO;
}

static int hvsim_storvsp_open(struct hvsim_vmbus_chan *chan)
{
	const guid_t *instance = &hvsim_chan_config(chan)->instance_id;
	struct hvsim_storvsp_ctrl *c;
	int ret = 0;

	mutex_lock(&hvsim_storvsp_list_lock);
	c = hvsim_storvsp_find(instance);
	/* A controller added without a configuration: the defaults. */
	if (!c)
		c = hvsim_storvsp_new_ctrl(instance, scsi_luns, scsi_lun_mb);
	if (IS_ERR(c)) {
		ret = PTR_ERR(c);
	} else {
		hvsim_chan_set_vsp_data(chan, c);
		c->open++;
		if (!hvsim_chan_index(chan)) {
			c->state = STORVSP_BEGIN;
			c->version = 0;
		}
	}
	mutex_unlock(&hvsim_storvsp_list_lock);
	return ret;
}

static void hvsim_storvsp_close(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_storvsp_ctrl *c = hvsim_chan_vsp_data(chan);

	if (!c)
		return;
	mutex_lock(&hvsim_storvsp_list_lock);
	if (!hvsim_chan_index(chan))
		WRITE_ONCE(c->state, STORVSP_CLOSED);
	c->open--;
	mutex_unlock(&hvsim_storvsp_list_lock);
	hvsim_chan_set_vsp_data(chan, NULL);
}

const struct hvsim_vsp_ops hvsim_storvsp_vsp = {
	.name = "storvsp",
	.open = hvsim_storvsp_open,
	.close = hvsim_storvsp_close,
	.packet = hvsim_storvsp_packet,
};

/* ------------------------------------------------------------------------
 * Host-initiated packets and the controls.
 */

/* ENUMERATE_BUS or REMOVE_DEVICE: in-band, no completion, ID 0. */
static int hvsim_storvsp_notify(struct hvsim_vmbus_chan *chan, void *arg)
{
	struct hvsim_storvsp_ctrl *c = hvsim_chan_vsp_data(chan);
	struct hvsim_vstor_packet p = {};
	u32 op = (uintptr_t)arg;
	int ret;

	/* The instance may be any device's: its data is not ours then. */
	if (!guid_equal(&hvsim_chan_config(chan)->class_id,
			&hvsim_storvsp_class)) {
		pr_warn("%pUl is not a SCSI controller\n",
			hvsim_chan_instance(chan));
		return -EINVAL;
	}
	/* Before END_INITIALIZATION the guest scans anyway. */
	if (!c || c->state != STORVSP_READY) {
		if (c)
			c->unsent++;
		pr_info("%pUl: controller not ready, operation %u not sent\n",
			hvsim_chan_instance(chan), op);
		return 0;
	}
	p.operation = cpu_to_le32(op);
	ret = hvsim_chan_send(chan, VM_PKT_DATA_INBAND, 0, 0, &p, sizeof(p),
			      NULL, 0);
	if (!ret && op == VSTOR_OP_ENUMERATE_BUS)
		c->rescans++;
	else if (!ret)
		c->removes++;
	return ret;
}

static int hvsim_storvsp_tell(const guid_t *instance, u32 op)
{
	int ret;

	ret = hvsim_vmbus_vsp_call(hvsim_vmbus_host(), instance,
				   hvsim_storvsp_notify, (void *)(uintptr_t)op);
	/* A controller the guest does not hold learns at its next scan. */
	return ret == -ENODEV ? 0 : ret;
}

/*
 * "add|resize INSTANCE LUN MB", "remove INSTANCE LUN [quiet]",
 * "rescan|remove_device INSTANCE"
 */
static int hvsim_storvsp_ctl(char *p)
{
	char *cmd, *inst, *arg1, *arg2;
	struct hvsim_storvsp_ctrl *c;
	unsigned int lun = 0, mb = 0;
	bool quiet = false;
	guid_t instance;
	int ret;

	cmd = strsep(&p, " ");
	inst = strsep(&p, " ");
	arg1 = strsep(&p, " ");
	arg2 = strsep(&p, " ");
	if (!cmd || !inst || p || guid_parse(inst, &instance))
		return -EINVAL;
	if (!strcmp(cmd, "rescan") && !arg1)
		return hvsim_storvsp_tell(&instance, VSTOR_OP_ENUMERATE_BUS);
	if (!strcmp(cmd, "remove_device") && !arg1)
		return hvsim_storvsp_tell(&instance, VSTOR_OP_REMOVE_DEVICE);
	if (!arg1 || kstrtouint(arg1, 0, &lun) ||
	    lun >= HVSIM_STORVSP_MAX_LUNS)
		return -EINVAL;
	if (!strcmp(cmd, "remove")) {
		if (arg2 && strcmp(arg2, "quiet"))
			return -EINVAL;
		quiet = !!arg2;
	} else if (!arg2 || kstrtouint(arg2, 0, &mb) || !mb) {
		return -EINVAL;
	}

	mutex_lock(&hvsim_storvsp_list_lock);
	c = hvsim_storvsp_find(&instance);
	if (!c) {
		mutex_unlock(&hvsim_storvsp_list_lock);
		return -ENOENT;
	}
	mutex_lock(&c->lock);
	if (!strcmp(cmd, "add")) {
		ret = hvsim_storvsp_add_lun(c, lun, (u64)mb << 20);
	} else if (!strcmp(cmd, "remove")) {
		ret = c->luns[lun] ? 0 : -ENOENT;
		hvsim_storvsp_free_lun(c, lun);
	} else if (!strcmp(cmd, "resize")) {
		ret = c->luns[lun] ?
		      hvsim_scsi_disk_resize(c->luns[lun], (u64)mb << 20) :
		      -ENOENT;
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&c->lock);
	mutex_unlock(&hvsim_storvsp_list_lock);
	if (ret)
		return ret;
	/*
	 * A resize shows as a UNIT ATTENTION; LUNs come and go by a scan,
	 * which a quiet removal leaves to a later rescan or REMOVE_DEVICE.
	 */
	if (strcmp(cmd, "resize") && !quiet)
		ret = hvsim_storvsp_tell(&instance, VSTOR_OP_ENUMERATE_BUS);
	return ret;
}

static ssize_t hvsim_storvsp_ctl_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	char buf[128];
	int ret;

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	strim(buf);
	ret = hvsim_storvsp_ctl(buf);
	return ret ? ret : count;
}

HVSIM_WRITE_FOPS(hvsim_storvsp_ctl_fops, hvsim_storvsp_ctl_write);

static int hvsim_storvsp_luns_show(struct seq_file *m, void *v)
{
	struct hvsim_storvsp_ctrl *c;
	struct hvsim_scsi_disk *d;
	unsigned int i;

	mutex_lock(&hvsim_storvsp_list_lock);
	list_for_each_entry(c, &hvsim_storvsp_ctrls, node) {
		mutex_lock(&c->lock);
		seq_printf(m, "instance=%pUl state=%s version=%#x srbs=%llu errors=%llu rescans=%llu removes=%llu unsent=%llu last_error=%02x/%x/%02x\n",
			   &c->instance,
			   hvsim_storvsp_state_names[READ_ONCE(c->state)],
			   READ_ONCE(c->version), READ_ONCE(c->srbs),
			   READ_ONCE(c->errors), READ_ONCE(c->rescans),
			   READ_ONCE(c->removes), READ_ONCE(c->unsent),
			   c->last_error[0], c->last_error[1],
			   c->last_error[2]);
		for (i = 0; i < HVSIM_STORVSP_MAX_LUNS; i++) {
			d = c->luns[i];
			if (!d)
				continue;
			seq_printf(m, "instance=%pUl lun=%u blocks=%llu pages=%llu\n",
				   &c->instance, i, d->blocks, d->allocated);
		}
		mutex_unlock(&c->lock);
	}
	mutex_unlock(&hvsim_storvsp_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_storvsp_luns);

/**
 * hvsim_storvsp_debugfs() - the controls, in @parent/storvsp/.
 * @parent: hvsim's debugfs directory.
 *
 *   luns  read: per controller "instance=G state=S version=V srbs=N
 *         errors=N rescans=N removes=N unsent=N last_error=OP/KEY/ASC"
 *         (rescans, removes: ENUMERATE_BUS and REMOVE_DEVICE sent;
 *         unsent: either not sent, the controller not being ready;
 *         last_error: of the last SRB that failed, hex), then per LUN
 *         "instance=G lun=L blocks=N pages=N" (4 KiB pages allocated)
 *   ctl   write: "add INSTANCE LUN MB", "remove INSTANCE LUN [quiet]"
 *         (the guest is told by ENUMERATE_BUS, unless quiet),
 *         "resize INSTANCE LUN MB" (UNIT ATTENTION on the LUN's next
 *         command), "rescan INSTANCE" (ENUMERATE_BUS), "remove_device
 *         INSTANCE" (REMOVE_DEVICE); an INSTANCE that is not a SCSI
 *         controller is -EINVAL
 */
void hvsim_storvsp_debugfs(struct dentry *parent)
{
	struct dentry *dir = debugfs_create_dir("storvsp", parent);

	debugfs_create_file("ctl", 0200, dir, NULL, &hvsim_storvsp_ctl_fops);
	debugfs_create_file("luns", 0444, dir, NULL, &hvsim_storvsp_luns_fops);
}

/**
 * hvsim_storvsp_init() - the controllers of the module parameters.
 * @host: the host they are added to.
 *
 * Context: process context, at load.
 * Return: 0 or a negative errno.
 */
int hvsim_storvsp_init(struct hvsim_vmbus *host)
{
	struct hvsim_vmbus_dev_config cfg = {
		.class_id = hvsim_storvsp_class,
	};
	unsigned int n;
	int ret;

	if (scsi_subch > HVSIM_VMBUS_MAX_SUBCH || scsi_controllers > 255) {
		pr_err("scsi_subch at most %u, scsi_controllers at most 255\n",
		       HVSIM_VMBUS_MAX_SUBCH);
		return -EINVAL;
	}
	cfg.subch = scsi_subch;
	for (n = 1; n <= scsi_controllers; n++) {
		cfg.instance_id = hvsim_storvsp_instance;
		cfg.instance_id.b[15] = n;
		ret = hvsim_storvsp_configure(&cfg.instance_id, scsi_luns,
					      scsi_lun_mb);
		if (!ret)
			ret = hvsim_vmbus_add(host, &cfg);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * hvsim_storvsp_default_subch() - sub-channels of a controller added
 * without subch=.
 *
 * Context: any.
 * Return: the scsi_subch parameter.
 */
u16 hvsim_storvsp_default_subch(void)
{
	return min_t(unsigned int, scsi_subch, HVSIM_VMBUS_MAX_SUBCH);
}

/**
 * hvsim_storvsp_exit() - free every controller.
 *
 * Context: process context, once the host is gone (no channel is open).
 */
void hvsim_storvsp_exit(void)
{
	struct hvsim_storvsp_ctrl *c, *tmp;

	mutex_lock(&hvsim_storvsp_list_lock);
	list_for_each_entry_safe(c, tmp, &hvsim_storvsp_ctrls, node) {
		list_del(&c->node);
		hvsim_storvsp_free_ctrl(c);
	}
	mutex_unlock(&hvsim_storvsp_list_lock);
}
