// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the VMBus host, control plane.
 *
 * The server half of VMBus as the public hosts implement it (see
 * reference/vmbus-host-behaviour.md; where OpenVMM and QEMU differ this
 * follows OpenVMM): version negotiation, offers, rescinds, relid release
 * and unload.  The data plane (GPADLs, open and close, channel signals)
 * comes with the channel work; until then every channel message is handled
 * as the reference says for a relid the host does not know.
 *
 * A guest post is checked and copied in hvsim_vmbus_post(), in any context
 * but NMI, into a bounded incoming queue, then handled on the host's
 * ordered workqueue one message at a time, in order.  Replies go into a
 * FIFO that the sink (the SynIC, or a test) drains; while a reply waits
 * for room the host takes no further guest message, so a guest that does
 * not empty its message slot eventually sees HvPostMessage report busy.
 *
 * Decisions:
 *  - HvPostMessage errors: a message type other than 1, a short message or
 *    a msgtype the guest does not send (unknown, or one only the host
 *    sends) is -EINVAL (HV_STATUS_INVALID_HYPERCALL_INPUT); a connection
 *    other than 1 and 4 is -ENXIO (HV_STATUS_INVALID_CONNECTION_ID, the
 *    errno upstream turns it into); over 240 bytes is -EMSGSIZE; a full
 *    incoming queue is -EAGAIN (HV_STATUS_INSUFFICIENT_BUFFERS: retry).
 *    Connection 4 takes every message, as OpenVMM's does; only in
 *    INITIATE_CONTACT does it matter (the SINT and VTL fields count).
 *  - Versions 0.13 to 5.3 of OpenVMM's list are accepted, capped by
 *    max_version; 6.0 and its feature flags are not implemented.
 *  - Nothing of the guest's memory is mapped yet: the interrupt and
 *    monitor page GPAs are checked as OpenVMM checks them and recorded.
 *  - Relids are assigned at REQUESTOFFERS in (class, instance) order, or
 *    at once for a device added later, lowest free first; a device
 *    re-added while its rescinded predecessor is unreleased waits and is
 *    offered under the same relid on RELID_RELEASED.
 *  - Instance GUIDs are unique within a host.
 *  - A guest signal is accepted on the connection ID of any channel the
 *    guest holds (offered or rescinded) and counted; any other ID is
 *    -ENXIO.  Once channels open, only open ones will take signals.
 *
 * Locking: @in_lock (a spinlock, any context) covers the incoming queue
 * and its counters; @lock (a mutex) covers everything else and serialises
 * the handlers.  The relid bitmap is changed under @lock with atomic bit
 * operations, so hvsim_vmbus_signal() reads it without a lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmbus: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/list_sort.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/workqueue.h>
#include "internal.h"
#include "vmbus_host.h"

/* VERSION_RESPONSE connection_state values. */
#define HVSIM_VMBUS_CONN_SUCCESSFUL	0
#define HVSIM_VMBUS_CONN_FAILED		2

/* Wire structures <linux/hyperv.h> does not declare. */
struct hvsim_vmbus_open_reserved {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 target_vp;
	u32 target_sint;
	u32 ringbuffer_gpadl;
	u32 downstream_page_offset;
} __packed;

struct hvsim_vmbus_close_reserved {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 target_vp;
	u32 target_sint;
} __packed;

struct hvsim_vmbus_tl_connect_result {
	struct vmbus_channel_message_header header;
	guid_t endpoint_id;
	guid_t service_id;
	u32 status;
} __packed;

static_assert(sizeof(struct vmbus_channel_message_header) == 8);
static_assert(sizeof(struct vmbus_channel_offer_channel) == 196);
static_assert(sizeof(struct vmbus_channel_version_response) == 16);
static_assert(sizeof(struct vmbus_channel_initiate_contact) == 40);
static_assert(sizeof(struct vmbus_channel_open_channel) == 148);
static_assert(sizeof(struct vmbus_channel_gpadl_header) == 20);
static_assert(sizeof(struct vmbus_channel_gpadl_created) == 20);
static_assert(sizeof(struct vmbus_channel_tl_connect_request) == 40);
static_assert(sizeof(struct vmbus_channel_modifychannel_response) == 16);
static_assert(sizeof(struct hvsim_vmbus_open_reserved) == 28);
static_assert(sizeof(struct hvsim_vmbus_close_reserved) == 20);
static_assert(sizeof(struct hvsim_vmbus_tl_connect_result) == 44);

/* The versions a guest may ask for, OpenVMM's list up to 5.3. */
static const u32 hvsim_vmbus_versions[] = {
	VERSION_WS2008, VERSION_WIN7, VERSION_WIN8, VERSION_WIN8_1,
	VERSION_WIN10, VERSION_WIN10_V4_1, VERSION_WIN10_V5,
	VERSION_WIN10_V5_1, VERSION_WIN10_V5_2, VERSION_WIN10_V5_3,
};

enum hvsim_vmbus_dev_state {
	HVSIM_DEV_CONFIGURED,	/* offered with the next REQUESTOFFERS */
	HVSIM_DEV_OFFERED,	/* the guest holds its relid */
	HVSIM_DEV_RESCINDED,	/* freed when the guest releases the relid */
	HVSIM_DEV_RELEASED,	/* released: offered on the next connection */
	HVSIM_DEV_REOFFER,	/* waits for its rescinded predecessor */
};

static const char *const hvsim_vmbus_dev_states[] = {
	[HVSIM_DEV_CONFIGURED] = "configured",
	[HVSIM_DEV_OFFERED] = "offered",
	[HVSIM_DEV_RESCINDED] = "rescinded",
	[HVSIM_DEV_RELEASED] = "released",
	[HVSIM_DEV_REOFFER] = "reoffer",
};

struct hvsim_vmbus_dev {
	struct list_head node;
	struct hvsim_vmbus_dev_config cfg;
	enum hvsim_vmbus_dev_state state;
	u32 relid;		/* 0 unless offered or rescinded */
	u8 monitor_id;		/* HVSIM_VMBUS_NO_MONITOR when none */
};

/* A guest message, as copied at post time. */
struct hvsim_vmbus_in {
	u32 conn_id;
	u32 len;
	u8 data[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

/* A host message waiting for room at the sink. */
struct hvsim_vmbus_out {
	struct list_head node;
	u32 vp;
	u32 sint;
	u32 len;
	u8 data[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

struct hvsim_vmbus {
	const struct hvsim_vmbus_sink *sink;
	void *ctx;
	struct workqueue_struct *wq;
	struct work_struct work;
	u32 max_version;		/* READ_ONCE(): set from debugfs */

	/* The incoming queue: a ring of HVSIM_VMBUS_IN_QUEUE_LEN. */
	spinlock_t in_lock;
	unsigned int in_head;
	unsigned int in_len;
	struct hvsim_vmbus_in *in;
	u64 rx[CHANNELMSG_COUNT];
	u64 rejected[HVSIM_VMBUS_REJECT_COUNT];

	/* Lock-free: assigned relids, and signals per relid. */
	unsigned long *relids;		/* bit 0 never set */
	atomic64_t *signals;		/* [HVSIM_VMBUS_MAX_RELID + 1] */
	atomic64_t signals_refused;

	struct mutex lock;		/* all that follows */
	struct hvsim_vmbus_in cur;	/* the message being handled */
	struct list_head out;
	unsigned int out_len;
	struct list_head devices;
	unsigned int ndevices;
	DECLARE_BITMAP(monitors, HVSIM_VMBUS_MONITOR_IDS);
	bool connected;
	bool offers_sent;
	u32 version;
	u32 conn_id;
	u32 target_vp;
	u64 interrupt_page;
	u64 monitor_page1;
	u64 monitor_page2;
	u64 tx[CHANNELMSG_COUNT];
	u64 dropped;
	u64 undeliverable;
};

/* One row per msgtype: who sends it, its minimum size and version. */
struct hvsim_vmbus_msg {
	const char *name;
	u32 min_len;		/* guest messages, header included; 0: host's */
	u32 min_version;	/* 0: taken while disconnected too */
	void (*handle)(struct hvsim_vmbus *host,
		       const struct hvsim_vmbus_in *in);
};

static void hvsim_vmbus_initiate_contact(struct hvsim_vmbus *host,
					 const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_request_offers(struct hvsim_vmbus *host,
				       const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_relid_released(struct hvsim_vmbus *host,
				       const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_unload(struct hvsim_vmbus *host,
			       const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_gpadl_header(struct hvsim_vmbus *host,
				     const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_modifychannel(struct hvsim_vmbus *host,
				      const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_tl_connect(struct hvsim_vmbus *host,
				   const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_ignore(struct hvsim_vmbus *host,
			       const struct hvsim_vmbus_in *in);

/*
 * The channel messages (open, close, GPADLs, reserved channels) are taken
 * as for an unknown relid until the channel work implements them: a GPADL
 * header is refused with GPADL_CREATED, MODIFYCHANNEL with its response
 * from 5.3, the rest get no reply.  With no hvsock service, every
 * TL_CONNECT_REQUEST is refused from 4.1.
 */
static const struct hvsim_vmbus_msg hvsim_vmbus_msgs[CHANNELMSG_COUNT] = {
	[CHANNELMSG_OFFERCHANNEL] = { .name = "offer" },
	[CHANNELMSG_RESCIND_CHANNELOFFER] = { .name = "rescind" },
	[CHANNELMSG_REQUESTOFFERS] = {
		.name = "request_offers",
		.min_len = sizeof(struct vmbus_channel_message_header),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_request_offers,
	},
	[CHANNELMSG_ALLOFFERS_DELIVERED] = { .name = "all_offers_delivered" },
	[CHANNELMSG_OPENCHANNEL] = {
		.name = "open_channel",
		.min_len = sizeof(struct vmbus_channel_open_channel),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_ignore,
	},
	[CHANNELMSG_OPENCHANNEL_RESULT] = { .name = "open_result" },
	[CHANNELMSG_CLOSECHANNEL] = {
		.name = "close_channel",
		.min_len = sizeof(struct vmbus_channel_close_channel),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_ignore,
	},
	[CHANNELMSG_GPADL_HEADER] = {
		.name = "gpadl_header",
		.min_len = sizeof(struct vmbus_channel_gpadl_header),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_gpadl_header,
	},
	[CHANNELMSG_GPADL_BODY] = {
		.name = "gpadl_body",
		.min_len = sizeof(struct vmbus_channel_gpadl_body),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_ignore,
	},
	[CHANNELMSG_GPADL_CREATED] = { .name = "gpadl_created" },
	[CHANNELMSG_GPADL_TEARDOWN] = {
		.name = "gpadl_teardown",
		.min_len = sizeof(struct vmbus_channel_gpadl_teardown),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_ignore,
	},
	[CHANNELMSG_GPADL_TORNDOWN] = { .name = "gpadl_torndown" },
	[CHANNELMSG_RELID_RELEASED] = {
		.name = "relid_released",
		.min_len = sizeof(struct vmbus_channel_relid_released),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_relid_released,
	},
	[CHANNELMSG_INITIATE_CONTACT] = {
		.name = "initiate_contact",
		.min_len = sizeof(struct vmbus_channel_initiate_contact),
		.min_version = 0,
		.handle = hvsim_vmbus_initiate_contact,
	},
	[CHANNELMSG_VERSION_RESPONSE] = { .name = "version_response" },
	[CHANNELMSG_UNLOAD] = {
		.name = "unload",
		.min_len = sizeof(struct vmbus_channel_message_header),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_unload,
	},
	[CHANNELMSG_UNLOAD_RESPONSE] = { .name = "unload_response" },
	[CHANNELMSG_18] = {
		.name = "open_reserved_channel",
		.min_len = sizeof(struct hvsim_vmbus_open_reserved),
		.min_version = VERSION_WIN10,
		.handle = hvsim_vmbus_ignore,
	},
	[CHANNELMSG_19] = {
		.name = "close_reserved_channel",
		.min_len = sizeof(struct hvsim_vmbus_close_reserved),
		.min_version = 0,
		.handle = hvsim_vmbus_ignore,
	},
	[CHANNELMSG_20] = { .name = "close_reserved_response" },
	[CHANNELMSG_TL_CONNECT_REQUEST] = {
		.name = "tl_connect_request",
		.min_len = sizeof(struct vmbus_channel_tl_connect_request),
		.min_version = VERSION_WIN10,
		.handle = hvsim_vmbus_tl_connect,
	},
	[CHANNELMSG_MODIFYCHANNEL] = {
		.name = "modifychannel",
		.min_len = sizeof(struct vmbus_channel_modifychannel),
		.min_version = VERSION_WIN10_V4_1,
		.handle = hvsim_vmbus_modifychannel,
	},
	[CHANNELMSG_TL_CONNECT_RESULT] = { .name = "tl_connect_result" },
	[CHANNELMSG_MODIFYCHANNEL_RESPONSE] = { .name = "modifychannel_response" },
};

static const char *const hvsim_vmbus_rejects[] = {
	[HVSIM_VMBUS_REJECT_TYPE] = "type",
	[HVSIM_VMBUS_REJECT_CONN_ID] = "conn_id",
	[HVSIM_VMBUS_REJECT_LONG] = "long",
	[HVSIM_VMBUS_REJECT_SHORT] = "short",
	[HVSIM_VMBUS_REJECT_MSGTYPE] = "msgtype",
	[HVSIM_VMBUS_REJECT_BUSY] = "busy",
};
static_assert(ARRAY_SIZE(hvsim_vmbus_rejects) == HVSIM_VMBUS_REJECT_COUNT);

/**
 * hvsim_vmbus_msg_name() - the name hvsim gives a VMBus msgtype.
 * @msgtype: a CHANNELMSG_* value.
 *
 * The names are those of the counters file ("rx.NAME", "tx.NAME").
 *
 * Context: any.
 * Return: the name, or NULL for a msgtype hvsim does not know.
 */
const char *hvsim_vmbus_msg_name(u32 msgtype)
{
	return msgtype < CHANNELMSG_COUNT ? hvsim_vmbus_msgs[msgtype].name :
					    NULL;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_msg_name);

/* ------------------------------------------------------------------------
 * Host messages: a FIFO in front of the sink.
 */

/* Hand queued messages to the sink until it is full. */
static void hvsim_vmbus_flush_out(struct hvsim_vmbus *host)
{
	struct hvsim_vmbus_out *o;
	int ret;

	lockdep_assert_held(&host->lock);
	while ((o = list_first_entry_or_null(&host->out,
					     struct hvsim_vmbus_out, node))) {
		ret = host->sink->post(host->ctx, o->vp, o->sint, o->data,
				       o->len);
		if (ret == -EAGAIN)
			return;
		if (ret)
			host->undeliverable++;
		else
			host->tx[get_unaligned_le32(o->data)]++;
		list_del(&o->node);
		host->out_len--;
		kfree(o);
	}
}

/* Queue a message behind the others, and send what can be sent. */
static void hvsim_vmbus_send_to(struct hvsim_vmbus *host, u32 vp, u32 sint,
				const void *msg, u32 len)
{
	struct hvsim_vmbus_out *o;

	lockdep_assert_held(&host->lock);
	o = kmalloc(sizeof(*o), GFP_KERNEL);
	if (!o) {
		host->undeliverable++;
		pr_warn_ratelimited("out of memory: a message to the guest is lost\n");
		return;
	}
	o->vp = vp;
	o->sint = sint;
	o->len = len;
	memcpy(o->data, msg, len);
	list_add_tail(&o->node, &host->out);
	host->out_len++;
	hvsim_vmbus_flush_out(host);
}

/* A message to the connection's target: VMBus SINT of the target VP. */
static void hvsim_vmbus_send(struct hvsim_vmbus *host, const void *msg,
			     u32 len)
{
	hvsim_vmbus_send_to(host, host->target_vp, HVCORE_VMBUS_SINT, msg,
			    len);
}

/* A header-only message. */
static void hvsim_vmbus_send_type(struct hvsim_vmbus *host, u32 msgtype)
{
	struct vmbus_channel_message_header hdr = { .msgtype = msgtype };

	hvsim_vmbus_send(host, &hdr, sizeof(hdr));
}

/*
 * A message to a target of the guest's choosing skips the queue and is
 * not retried, as OpenVMM sends those.
 */
static void hvsim_vmbus_send_direct(struct hvsim_vmbus *host, u32 vp,
				    u32 sint, const void *msg, u32 len)
{
	lockdep_assert_held(&host->lock);
	if (host->sink->post(host->ctx, vp, sint, msg, len))
		host->undeliverable++;
	else
		host->tx[get_unaligned_le32(msg)]++;
}

/* ------------------------------------------------------------------------
 * Devices, relids and monitor IDs.
 */

static void hvsim_vmbus_unassign(struct hvsim_vmbus *host,
				 struct hvsim_vmbus_dev *dev)
{
	if (dev->relid) {
		clear_bit(dev->relid, host->relids);
		dev->relid = 0;
	}
	if (dev->monitor_id != HVSIM_VMBUS_NO_MONITOR) {
		clear_bit(dev->monitor_id, host->monitors);
		dev->monitor_id = HVSIM_VMBUS_NO_MONITOR;
	}
}

static void hvsim_vmbus_free_dev(struct hvsim_vmbus *host,
				 struct hvsim_vmbus_dev *dev)
{
	hvsim_vmbus_unassign(host, dev);
	list_del(&dev->node);
	host->ndevices--;
	kfree(dev);
}

/*
 * Give @dev a relid (unless it inherits one) and a monitor ID if it wants
 * one, then offer it.  Devices are capped below the relid count, so the
 * relids do not run out.
 */
static void hvsim_vmbus_offer(struct hvsim_vmbus *host,
			     struct hvsim_vmbus_dev *dev)
{
	struct vmbus_channel_offer_channel msg = {
		.header.msgtype = CHANNELMSG_OFFERCHANNEL,
	};
	unsigned long bit;

	lockdep_assert_held(&host->lock);
	if (!dev->relid) {
		bit = find_next_zero_bit(host->relids,
					 HVSIM_VMBUS_MAX_RELID + 1, 1);
		if (bit > HVSIM_VMBUS_MAX_RELID) {
			pr_warn_ratelimited("no relid left for %pUl\n",
					    &dev->cfg.instance_id);
			return;
		}
		set_bit(bit, host->relids);
		dev->relid = bit;
	}
	if (dev->cfg.monitor && dev->monitor_id == HVSIM_VMBUS_NO_MONITOR) {
		bit = find_first_zero_bit(host->monitors,
					  HVSIM_VMBUS_MONITOR_IDS);
		/* Out of monitor IDs: offered without one. */
		if (bit < HVSIM_VMBUS_MONITOR_IDS) {
			set_bit(bit, host->monitors);
			dev->monitor_id = bit;
		}
	}
	dev->state = HVSIM_DEV_OFFERED;

	msg.offer.if_type = dev->cfg.class_id;
	msg.offer.if_instance = dev->cfg.instance_id;
	msg.offer.chn_flags = dev->cfg.flags;
	msg.offer.mmio_megabytes = dev->cfg.mmio_mb;
	msg.child_relid = dev->relid;
	/* The ID is sent only to a guest that gave monitor pages. */
	if (dev->monitor_id != HVSIM_VMBUS_NO_MONITOR && host->monitor_page1) {
		msg.monitorid = dev->monitor_id;
		msg.monitor_allocated = 1;
	} else {
		msg.monitorid = HVSIM_VMBUS_NO_MONITOR;
	}
	/* Every channel has a dedicated interrupt, since Win8 hosts. */
	msg.is_dedicated_interrupt = 1;
	msg.connection_id = HVSIM_VMBUS_CHAN_CONN_ID(dev->relid);
	hvsim_vmbus_send(host, &msg, sizeof(msg));
}

static void hvsim_vmbus_rescind_dev(struct hvsim_vmbus *host,
				    struct hvsim_vmbus_dev *dev)
{
	struct vmbus_channel_rescind_offer msg = {
		.header.msgtype = CHANNELMSG_RESCIND_CHANNELOFFER,
		.child_relid = dev->relid,
	};

	dev->state = HVSIM_DEV_RESCINDED;
	hvsim_vmbus_send(host, &msg, sizeof(msg));
}

static struct hvsim_vmbus_dev *
hvsim_vmbus_find_relid(struct hvsim_vmbus *host, u32 relid)
{
	struct hvsim_vmbus_dev *dev;

	if (!relid || relid > HVSIM_VMBUS_MAX_RELID)
		return NULL;
	list_for_each_entry(dev, &host->devices, node)
		if (dev->relid == relid)
			return dev;
	return NULL;
}

/* The device with @instance_id, a rescinded one only if no other. */
static struct hvsim_vmbus_dev *
hvsim_vmbus_find_instance(struct hvsim_vmbus *host, const guid_t *instance_id)
{
	struct hvsim_vmbus_dev *dev, *found = NULL;

	list_for_each_entry(dev, &host->devices, node) {
		if (!guid_equal(&dev->cfg.instance_id, instance_id))
			continue;
		if (dev->state != HVSIM_DEV_RESCINDED)
			return dev;
		found = dev;
	}
	return found;
}

/* The device waiting to be offered again when @dev is released. */
static struct hvsim_vmbus_dev *
hvsim_vmbus_successor(struct hvsim_vmbus *host, struct hvsim_vmbus_dev *dev)
{
	struct hvsim_vmbus_dev *next;

	list_for_each_entry(next, &host->devices, node)
		if (next->state == HVSIM_DEV_REOFFER &&
		    guid_equal(&next->cfg.instance_id, &dev->cfg.instance_id))
			return next;
	return NULL;
}

/* A GUID's order: its fields as numbers, the way it is written. */
static int hvsim_vmbus_guid_cmp(const guid_t *a, const guid_t *b)
{
	u32 x = get_unaligned_le32(&a->b[0]), y = get_unaligned_le32(&b->b[0]);

	if (x != y)
		return x < y ? -1 : 1;
	x = get_unaligned_le16(&a->b[4]);
	y = get_unaligned_le16(&b->b[4]);
	if (x != y)
		return x < y ? -1 : 1;
	x = get_unaligned_le16(&a->b[6]);
	y = get_unaligned_le16(&b->b[6]);
	if (x != y)
		return x < y ? -1 : 1;
	return memcmp(&a->b[8], &b->b[8], 8);
}

static int hvsim_vmbus_dev_cmp(void *priv, const struct list_head *a,
			       const struct list_head *b)
{
	const struct hvsim_vmbus_dev *x = list_entry(a, typeof(*x), node);
	const struct hvsim_vmbus_dev *y = list_entry(b, typeof(*y), node);
	int ret;

	ret = hvsim_vmbus_guid_cmp(&x->cfg.class_id, &y->cfg.class_id);
	return ret ? ret : hvsim_vmbus_guid_cmp(&x->cfg.instance_id,
						&y->cfg.instance_id);
}

/*
 * End the connection without a message to the guest (UNLOAD replies
 * itself): every relid and monitor ID is freed, rescinded devices go, the
 * others wait for the next REQUESTOFFERS.  The message target VP stays.
 */
static void hvsim_vmbus_disconnect(struct hvsim_vmbus *host)
{
	struct hvsim_vmbus_dev *dev, *tmp;

	list_for_each_entry_safe(dev, tmp, &host->devices, node) {
		if (dev->state == HVSIM_DEV_RESCINDED) {
			hvsim_vmbus_free_dev(host, dev);
			continue;
		}
		hvsim_vmbus_unassign(host, dev);
		dev->state = HVSIM_DEV_CONFIGURED;
	}
	host->connected = false;
	host->offers_sent = false;
	host->version = 0;
	host->conn_id = 0;
	host->interrupt_page = 0;
	host->monitor_page1 = 0;
	host->monitor_page2 = 0;
}

/* ------------------------------------------------------------------------
 * Guest message handlers: process context, @lock held.
 */

static bool hvsim_vmbus_version_ok(struct hvsim_vmbus *host, u32 version)
{
	unsigned int i;

	if (version > READ_ONCE(host->max_version))
		return false;
	for (i = 0; i < ARRAY_SIZE(hvsim_vmbus_versions); i++)
		if (hvsim_vmbus_versions[i] == version)
			return true;
	return false;
}

/*
 * VERSION_RESPONSE for @version in @state; @version 0 is "not supported",
 * all zero.  Before 2.4 there is no way to report a failure, so a failure
 * reads as "not supported" too.
 */
static void hvsim_vmbus_version_msg(struct vmbus_channel_version_response *r,
				    u32 version, u8 state)
{
	memset(r, 0, sizeof(*r));
	r->header.msgtype = CHANNELMSG_VERSION_RESPONSE;
	if (!version ||
	    (state != HVSIM_VMBUS_CONN_SUCCESSFUL && version < VERSION_WIN8))
		return;
	r->version_supported = 1;
	r->connection_state = state;
	/* From 5.0 the field names the message connection to use. */
	r->msg_conn_id = version >= VERSION_WIN10_V5 ? HVSIM_VMBUS_MSG_CONN_ID :
						       version;
}

static void hvsim_vmbus_initiate_contact(struct hvsim_vmbus *host,
					 const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_initiate_contact *msg = (const void *)in->data;
	bool multiclient = in->conn_id == HVSIM_VMBUS_MULTICLIENT_CONN_ID;
	u32 version = msg->vmbus_version_requested;
	u64 page1 = msg->monitor_page1, page2 = msg->monitor_page2;
	struct vmbus_channel_version_response r;
	u32 sint = HVCORE_VMBUS_SINT, vp = 0;
	u64 int_page = 0;
	u8 vtl = 0;

	/* Messages went to VP 0 before 3.0. */
	if (version >= VERSION_WIN8_1)
		vp = msg->target_vcpu;
	/* From 5.0 the interrupt page field carries SINT and VTL instead. */
	if (multiclient && version >= VERSION_WIN10_V5)
		sint = msg->msg_sint;
	if (multiclient && version >= VERSION_WIN10_V5_1)
		vtl = msg->msg_vtl;
	if (version < VERSION_WIN8)
		int_page = msg->interrupt_page;

	/* Another VTL's server would take it: this partition has none. */
	if (vtl) {
		host->dropped++;
		return;
	}
	/* Another SINT is refused there, and nothing changes. */
	if (sint != HVCORE_VMBUS_SINT) {
		hvsim_vmbus_version_msg(&r, 0, 0);
		hvsim_vmbus_send_direct(host, vp, sint, &r, sizeof(r));
		return;
	}

	/* A new contact ends the current connection, without a message. */
	hvsim_vmbus_disconnect(host);

	if (!hvsim_vmbus_version_ok(host, version)) {
		hvsim_vmbus_version_msg(&r, 0, 0);
		hvsim_vmbus_send(host, &r, sizeof(r));
		return;
	}
	/* Both monitor pages or neither; a page-aligned interrupt page. */
	if (!page1 != !page2 || !IS_ALIGNED(int_page, HV_HYP_PAGE_SIZE) ||
	    !host->sink->vp_valid(host->ctx, vp)) {
		hvsim_vmbus_version_msg(&r, version, HVSIM_VMBUS_CONN_FAILED);
		hvsim_vmbus_send(host, &r, sizeof(r));
		return;
	}

	host->connected = true;
	host->version = version;
	host->conn_id = in->conn_id;
	host->interrupt_page = int_page;
	host->monitor_page1 = page1;
	host->monitor_page2 = page2;
	/* The response itself goes to the new target. */
	host->target_vp = vp;
	hvsim_vmbus_version_msg(&r, version, HVSIM_VMBUS_CONN_SUCCESSFUL);
	hvsim_vmbus_send(host, &r, sizeof(r));
}

static void hvsim_vmbus_request_offers(struct hvsim_vmbus *host,
				       const struct hvsim_vmbus_in *in)
{
	struct hvsim_vmbus_dev *dev;

	if (host->offers_sent) {
		host->dropped++;
		return;
	}
	host->offers_sent = true;

	/* Sorted, so that relids stay the same from one boot to the next. */
	list_sort(NULL, &host->devices, hvsim_vmbus_dev_cmp);
	list_for_each_entry(dev, &host->devices, node)
		if (dev->state == HVSIM_DEV_CONFIGURED)
			hvsim_vmbus_offer(host, dev);
	hvsim_vmbus_send_type(host, CHANNELMSG_ALLOFFERS_DELIVERED);
}

static void hvsim_vmbus_relid_released(struct hvsim_vmbus *host,
				       const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_relid_released *msg = (const void *)in->data;
	struct hvsim_vmbus_dev *dev, *next;

	dev = hvsim_vmbus_find_relid(host, msg->child_relid);
	if (!dev) {
		host->dropped++;
		return;
	}
	if (dev->state == HVSIM_DEV_OFFERED) {
		/* Not offered again on this connection. */
		hvsim_vmbus_unassign(host, dev);
		dev->state = HVSIM_DEV_RELEASED;
		return;
	}

	next = hvsim_vmbus_successor(host, dev);
	if (next) {
		/* The device added again takes over the relid. */
		next->relid = dev->relid;
		dev->relid = 0;
	}
	hvsim_vmbus_free_dev(host, dev);
	if (next)
		hvsim_vmbus_offer(host, next);
}

static void hvsim_vmbus_unload(struct hvsim_vmbus *host,
			       const struct hvsim_vmbus_in *in)
{
	hvsim_vmbus_disconnect(host);
	hvsim_vmbus_send_type(host, CHANNELMSG_UNLOAD_RESPONSE);
}

static void hvsim_vmbus_gpadl_header(struct hvsim_vmbus *host,
				     const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_gpadl_header *msg = (const void *)in->data;
	struct vmbus_channel_gpadl_created r = {
		.header.msgtype = CHANNELMSG_GPADL_CREATED,
		.child_relid = msg->child_relid,
		.gpadl = msg->gpadl,
		.creation_status = HVSIM_VMBUS_STATUS_UNSUCCESSFUL,
	};

	hvsim_vmbus_send(host, &r, sizeof(r));
}

static void hvsim_vmbus_modifychannel(struct hvsim_vmbus *host,
				      const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_modifychannel *msg = (const void *)in->data;
	struct vmbus_channel_modifychannel_response r = {
		.header.msgtype = CHANNELMSG_MODIFYCHANNEL_RESPONSE,
		.child_relid = msg->child_relid,
		.status = HVSIM_VMBUS_STATUS_UNSUCCESSFUL,
	};

	/* No response before 5.3. */
	if (host->version < VERSION_WIN10_V5_3) {
		host->dropped++;
		return;
	}
	hvsim_vmbus_send(host, &r, sizeof(r));
}

static void hvsim_vmbus_tl_connect(struct hvsim_vmbus *host,
				   const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_tl_connect_request *msg =
		(const void *)in->data;
	struct hvsim_vmbus_tl_connect_result r = {
		.header.msgtype = CHANNELMSG_TL_CONNECT_RESULT,
		.endpoint_id = msg->guest_endpoint_id,
		.service_id = msg->host_service_id,
		.status = HVSIM_VMBUS_STATUS_CONN_REFUSED,
	};

	/* A refusal has a message only from 4.1. */
	if (host->version < VERSION_WIN10_V4_1) {
		host->dropped++;
		return;
	}
	hvsim_vmbus_send(host, &r, sizeof(r));
}

static void hvsim_vmbus_ignore(struct hvsim_vmbus *host,
			       const struct hvsim_vmbus_in *in)
{
	host->dropped++;
}

static void hvsim_vmbus_handle(struct hvsim_vmbus *host,
			       const struct hvsim_vmbus_in *in)
{
	const struct hvsim_vmbus_msg *m;

	/* Checked when posted, and the copy is ours. */
	m = &hvsim_vmbus_msgs[get_unaligned_le32(in->data)];
	if (m->min_version &&
	    (!host->connected || host->version < m->min_version)) {
		host->dropped++;
		return;
	}
	m->handle(host, in);
}

/* Take the oldest guest message into @host->cur. */
static bool hvsim_vmbus_pop(struct hvsim_vmbus *host)
{
	bool ret = false;

	spin_lock_irq(&host->in_lock);
	if (host->in_len) {
		memcpy(&host->cur, &host->in[host->in_head], sizeof(host->cur));
		host->in_head = (host->in_head + 1) % HVSIM_VMBUS_IN_QUEUE_LEN;
		host->in_len--;
		ret = true;
	}
	spin_unlock_irq(&host->in_lock);
	return ret;
}

/* Guest messages are taken only while no reply waits for room. */
static bool hvsim_vmbus_runnable(struct hvsim_vmbus *host)
{
	lockdep_assert_held(&host->lock);
	return list_empty(&host->out) && READ_ONCE(host->in_len);
}

/*
 * Run the host's work on a CPU other than the poster's when there is one.
 * The host stands for a machine outside the guest: a guest CPU that
 * spins with interrupts off (a crash path polling for UNLOAD_RESPONSE)
 * must not keep it from answering, which a worker woken on that CPU
 * would.  The work is a single item of a per-CPU workqueue: it never runs
 * twice at once, and the messages keep their order in the host's queue.
 * A CPU that goes offline meanwhile only makes the work run elsewhere.
 */
static void hvsim_vmbus_queue(struct hvsim_vmbus *host)
{
	unsigned int self = raw_smp_processor_id();
	unsigned int cpu = cpumask_any_but(cpu_online_mask, self);

	if (cpu >= nr_cpu_ids)
		cpu = self;
	queue_work_on(cpu, host->wq, &host->work);
}

static void hvsim_vmbus_work(struct work_struct *work)
{
	struct hvsim_vmbus *host = container_of(work, struct hvsim_vmbus,
						work);
	unsigned int n;
	bool more;

	mutex_lock(&host->lock);
	hvsim_vmbus_flush_out(host);
	for (n = 0; n < HVSIM_VMBUS_IN_QUEUE_LEN && list_empty(&host->out);
	     n++) {
		if (!hvsim_vmbus_pop(host))
			break;
		hvsim_vmbus_handle(host, &host->cur);
	}
	more = hvsim_vmbus_runnable(host);
	mutex_unlock(&host->lock);
	/* A guest that keeps posting does not keep the mutex for long. */
	if (more)
		hvsim_vmbus_queue(host);
}

/* ------------------------------------------------------------------------
 * The API.
 */

/* What hvsim_vmbus_post() answers for each refusal. */
static const int hvsim_vmbus_reject_errno[] = {
	[HVSIM_VMBUS_REJECT_TYPE] = -EINVAL,
	[HVSIM_VMBUS_REJECT_CONN_ID] = -ENXIO,
	[HVSIM_VMBUS_REJECT_LONG] = -EMSGSIZE,
	[HVSIM_VMBUS_REJECT_SHORT] = -EINVAL,
	[HVSIM_VMBUS_REJECT_MSGTYPE] = -EINVAL,
	[HVSIM_VMBUS_REJECT_BUSY] = -EAGAIN,
};
static_assert(ARRAY_SIZE(hvsim_vmbus_reject_errno) ==
	      HVSIM_VMBUS_REJECT_COUNT);

/* Not a refusal: the message is good. */
#define HVSIM_VMBUS_TAKEN	HVSIM_VMBUS_REJECT_COUNT

/*
 * Check a guest post, copying it into @buf first: the checks and the
 * handler read our copy, which the guest cannot change.
 */
static enum hvsim_vmbus_reject hvsim_vmbus_check(u32 conn_id, u32 type,
						 const void *payload, u32 len,
						 u8 *buf)
{
	u32 msgtype;

	if (type != HVSIM_VMBUS_MSG_TYPE)
		return HVSIM_VMBUS_REJECT_TYPE;
	if (conn_id != HVSIM_VMBUS_MSG_CONN_ID &&
	    conn_id != HVSIM_VMBUS_MULTICLIENT_CONN_ID)
		return HVSIM_VMBUS_REJECT_CONN_ID;
	if (len > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HVSIM_VMBUS_REJECT_LONG;
	if (!payload || len < sizeof(struct vmbus_channel_message_header))
		return HVSIM_VMBUS_REJECT_SHORT;

	memcpy(buf, payload, len);
	msgtype = get_unaligned_le32(buf);
	if (msgtype >= CHANNELMSG_COUNT || !hvsim_vmbus_msgs[msgtype].min_len)
		return HVSIM_VMBUS_REJECT_MSGTYPE;
	if (len < hvsim_vmbus_msgs[msgtype].min_len)
		return HVSIM_VMBUS_REJECT_SHORT;
	return HVSIM_VMBUS_TAKEN;
}

/**
 * hvsim_vmbus_post() - a guest's HvPostMessage to the VMBus host.
 * @host: the host.
 * @conn_id: the message connection (1, or 4 for multiclient).
 * @type: the message type; VMBus messages are type 1.
 * @payload: @len bytes, copied before the call returns.
 * @len: payload length.
 *
 * The message is checked, copied and handled later, in order, on the
 * host's workqueue; its replies reach the guest through the host's sink.
 * A refusal is counted by reason.
 *
 * Context: any context but NMI.
 * Return: 0 when the host took the message; -EINVAL for a @type other
 * than 1, a message shorter than its msgtype needs or a msgtype a guest
 * does not send; -ENXIO for an unknown @conn_id; -EMSGSIZE when @len is
 * over 240; -EAGAIN when the host's queue is full (retry later).
 */
int hvsim_vmbus_post(struct hvsim_vmbus *host, u32 conn_id, u32 type,
		     const void *payload, u32 len)
{
	u8 buf[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	enum hvsim_vmbus_reject why;
	struct hvsim_vmbus_in *in;
	unsigned long flags;

	why = hvsim_vmbus_check(conn_id, type, payload, len, buf);

	spin_lock_irqsave(&host->in_lock, flags);
	if (why == HVSIM_VMBUS_TAKEN &&
	    host->in_len == HVSIM_VMBUS_IN_QUEUE_LEN)
		why = HVSIM_VMBUS_REJECT_BUSY;
	if (why != HVSIM_VMBUS_TAKEN) {
		host->rejected[why]++;
		spin_unlock_irqrestore(&host->in_lock, flags);
		return hvsim_vmbus_reject_errno[why];
	}
	in = &host->in[(host->in_head + host->in_len) %
		       HVSIM_VMBUS_IN_QUEUE_LEN];
	in->conn_id = conn_id;
	in->len = len;
	memcpy(in->data, buf, len);
	memset(in->data + len, 0, sizeof(in->data) - len);
	host->in_len++;
	host->rx[get_unaligned_le32(buf)]++;
	spin_unlock_irqrestore(&host->in_lock, flags);

	hvsim_vmbus_queue(host);
	return 0;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_post);

/**
 * hvsim_vmbus_signal() - a guest's HvSignalEvent to the VMBus host.
 * @host: the host.
 * @conn_id: the connection ID an offer gave.
 * @flag: the event flag number; ignored, as by OpenVMM.
 *
 * Counted per connection ID.
 *
 * Context: any context but NMI.
 * Return: 0, or -ENXIO when no channel the guest holds has @conn_id.
 */
int hvsim_vmbus_signal(struct hvsim_vmbus *host, u32 conn_id, u16 flag)
{
	u32 relid = conn_id - HVSIM_VMBUS_CHAN_CONN_ID(0);

	if (conn_id < HVSIM_VMBUS_CHAN_CONN_ID(0) ||
	    relid > HVSIM_VMBUS_MAX_RELID || !test_bit(relid, host->relids)) {
		atomic64_inc(&host->signals_refused);
		return -ENXIO;
	}
	atomic64_inc(&host->signals[relid]);
	return 0;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_signal);

/**
 * hvsim_vmbus_signal_count() - guest signals on one connection ID.
 * @host: the host.
 * @conn_id: a channel's connection ID (0x2000 + relid).
 *
 * Context: any.
 * Return: the signals accepted on @conn_id so far, 0 for an ID no channel
 * can have.
 */
u64 hvsim_vmbus_signal_count(struct hvsim_vmbus *host, u32 conn_id)
{
	u32 relid = conn_id - HVSIM_VMBUS_CHAN_CONN_ID(0);

	if (conn_id < HVSIM_VMBUS_CHAN_CONN_ID(0) ||
	    relid > HVSIM_VMBUS_MAX_RELID)
		return 0;
	return atomic64_read(&host->signals[relid]);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_signal_count);

/**
 * hvsim_vmbus_kick() - tell the host its sink has room again.
 * @host: the host.
 *
 * The host retries its waiting messages, then takes guest messages again.
 *
 * Context: any context but NMI.
 */
void hvsim_vmbus_kick(struct hvsim_vmbus *host)
{
	hvsim_vmbus_queue(host);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_kick);

/**
 * hvsim_vmbus_flush() - wait until the host has done what it can.
 * @host: the host.
 *
 * Returns once every guest message posted before the call is handled, or
 * the host waits for room at its sink.
 *
 * Context: process context; not from the sink.
 */
void hvsim_vmbus_flush(struct hvsim_vmbus *host)
{
	bool more;

	do {
		flush_work(&host->work);
		mutex_lock(&host->lock);
		more = hvsim_vmbus_runnable(host);
		mutex_unlock(&host->lock);
		if (more)
			hvsim_vmbus_kick(host);
	} while (more);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_flush);

/**
 * hvsim_vmbus_add() - configure a device on the host.
 * @host: the host.
 * @cfg: the device; copied.
 *
 * Connected with offers requested, the device is offered at once (no
 * ALLOFFERS_DELIVERED follows); otherwise with the next REQUESTOFFERS.  A
 * device added again while its rescinded predecessor is not yet released
 * is offered under the same relid when the guest releases it.
 *
 * Context: process context; takes the host's mutex.
 * Return: 0; -EEXIST when a device has that instance GUID (a rescinded
 * one of another class, or one not rescinded); -ENOSPC past
 * HVSIM_VMBUS_MAX_DEVICES; -ENOMEM.
 */
int hvsim_vmbus_add(struct hvsim_vmbus *host,
		    const struct hvsim_vmbus_dev_config *cfg)
{
	struct hvsim_vmbus_dev *dev, *old;
	int ret = 0;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->cfg = *cfg;
	dev->monitor_id = HVSIM_VMBUS_NO_MONITOR;
	dev->state = HVSIM_DEV_CONFIGURED;

	mutex_lock(&host->lock);
	old = hvsim_vmbus_find_instance(host, &cfg->instance_id);
	if (old && (old->state != HVSIM_DEV_RESCINDED ||
		    !guid_equal(&old->cfg.class_id, &cfg->class_id))) {
		ret = -EEXIST;
		goto out_free;
	}
	if (host->ndevices >= HVSIM_VMBUS_MAX_DEVICES) {
		ret = -ENOSPC;
		goto out_free;
	}
	list_add_tail(&dev->node, &host->devices);
	host->ndevices++;
	if (old)
		dev->state = HVSIM_DEV_REOFFER;
	else if (host->connected && host->offers_sent)
		hvsim_vmbus_offer(host, dev);
	mutex_unlock(&host->lock);
	return 0;

out_free:
	mutex_unlock(&host->lock);
	kfree(dev);
	return ret;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_add);

/* Rescind @dev: at once if the guest does not hold it. */
static int hvsim_vmbus_remove(struct hvsim_vmbus *host,
			      struct hvsim_vmbus_dev *dev)
{
	lockdep_assert_held(&host->lock);
	switch (dev->state) {
	case HVSIM_DEV_OFFERED:
		hvsim_vmbus_rescind_dev(host, dev);
		return 0;
	case HVSIM_DEV_RESCINDED:
		return -EALREADY;
	default:
		hvsim_vmbus_free_dev(host, dev);
		return 0;
	}
}

/**
 * hvsim_vmbus_rescind() - remove a device, by instance GUID.
 * @host: the host.
 * @instance_id: the device's instance GUID.
 *
 * A device the guest holds is rescinded (RESCIND_CHANNELOFFER) and freed
 * when the guest releases its relid; any other goes at once, silently.
 *
 * Context: process context; takes the host's mutex.
 * Return: 0; -ENOENT for no such device; -EALREADY when it is rescinded.
 */
int hvsim_vmbus_rescind(struct hvsim_vmbus *host, const guid_t *instance_id)
{
	struct hvsim_vmbus_dev *dev;
	int ret = -ENOENT;

	mutex_lock(&host->lock);
	dev = hvsim_vmbus_find_instance(host, instance_id);
	if (dev)
		ret = hvsim_vmbus_remove(host, dev);
	mutex_unlock(&host->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_rescind);

/**
 * hvsim_vmbus_rescind_relid() - rescind the device the guest knows as @relid.
 * @host: the host.
 * @relid: the relid of its offer.
 *
 * Context: process context; takes the host's mutex.
 * Return: 0; -ENOENT when no device has @relid; -EALREADY when it is
 * rescinded.
 */
int hvsim_vmbus_rescind_relid(struct hvsim_vmbus *host, u32 relid)
{
	struct hvsim_vmbus_dev *dev;
	int ret = -ENOENT;

	mutex_lock(&host->lock);
	dev = hvsim_vmbus_find_relid(host, relid);
	if (dev)
		ret = hvsim_vmbus_remove(host, dev);
	mutex_unlock(&host->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_rescind_relid);

/**
 * hvsim_vmbus_max_version() - the highest version the host accepts.
 * @host: the host.
 *
 * Context: any.
 * Return: the version, major << 16 | minor.
 */
u32 hvsim_vmbus_max_version(struct hvsim_vmbus *host)
{
	return READ_ONCE(host->max_version);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_max_version);

/**
 * hvsim_vmbus_set_max_version() - cap the versions the host accepts.
 * @host: the host.
 * @version: major << 16 | minor; a listed version above it is refused.
 *
 * Applies to the next INITIATE_CONTACT; a connection stays as it is.
 *
 * Context: any.
 */
void hvsim_vmbus_set_max_version(struct hvsim_vmbus *host, u32 version)
{
	WRITE_ONCE(host->max_version, version);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_set_max_version);

/**
 * hvsim_vmbus_get_stats() - read a host's counters and state.
 * @host: the host.
 * @st: filled with a consistent snapshot.
 *
 * Context: process context; takes the host's mutex.
 */
void hvsim_vmbus_get_stats(struct hvsim_vmbus *host,
			   struct hvsim_vmbus_stats *st)
{
	struct hvsim_vmbus_dev *dev;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	mutex_lock(&host->lock);
	spin_lock_irq(&host->in_lock);
	memcpy(st->rx, host->rx, sizeof(st->rx));
	memcpy(st->rejected, host->rejected, sizeof(st->rejected));
	st->in_queue = host->in_len;
	spin_unlock_irq(&host->in_lock);

	memcpy(st->tx, host->tx, sizeof(st->tx));
	st->dropped = host->dropped;
	st->undeliverable = host->undeliverable;
	for (i = 1; i <= HVSIM_VMBUS_MAX_RELID; i++)
		st->signals += atomic64_read(&host->signals[i]);
	st->signals_refused = atomic64_read(&host->signals_refused);
	st->devices = host->ndevices;
	list_for_each_entry(dev, &host->devices, node) {
		st->offered += dev->state == HVSIM_DEV_OFFERED ||
			       dev->state == HVSIM_DEV_RESCINDED;
		st->rescinded += dev->state == HVSIM_DEV_RESCINDED;
	}
	st->relids = bitmap_weight(host->relids, HVSIM_VMBUS_MAX_RELID + 1);
	st->monitors = bitmap_weight(host->monitors, HVSIM_VMBUS_MONITOR_IDS);
	st->out_queue = host->out_len;
	st->connected = host->connected;
	st->offers_sent = host->offers_sent;
	st->version = host->version;
	st->conn_id = host->conn_id;
	st->target_vp = host->target_vp;
	st->interrupt_page = host->interrupt_page;
	st->monitor_page1 = host->monitor_page1;
	st->monitor_page2 = host->monitor_page2;
	mutex_unlock(&host->lock);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_get_stats);

/* debugfs "devices": one line per device. */
void hvsim_vmbus_show_devices(struct hvsim_vmbus *host, struct seq_file *m)
{
	struct hvsim_vmbus_dev *dev;

	mutex_lock(&host->lock);
	list_for_each_entry(dev, &host->devices, node) {
		if (dev->relid)
			seq_printf(m, "relid=%u", dev->relid);
		else
			seq_puts(m, "relid=-");
		seq_printf(m, " state=%s class=%pUl instance=%pUl",
			   hvsim_vmbus_dev_states[dev->state],
			   &dev->cfg.class_id, &dev->cfg.instance_id);
		if (dev->monitor_id != HVSIM_VMBUS_NO_MONITOR)
			seq_printf(m, " monitor=%u", dev->monitor_id);
		else
			seq_puts(m, " monitor=-");
		seq_printf(m, " mmio=%u flags=%#x\n", dev->cfg.mmio_mb,
			   dev->cfg.flags);
	}
	mutex_unlock(&host->lock);
}

/* debugfs "counters": "name value" lines. */
void hvsim_vmbus_show_counters(struct hvsim_vmbus *host, struct seq_file *m)
{
	struct hvsim_vmbus_stats *st;
	unsigned int i;
	u64 n;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return;
	hvsim_vmbus_get_stats(host, st);
	seq_printf(m, "connected %d\n", st->connected);
	seq_printf(m, "version %#x\n", st->version);
	seq_printf(m, "conn_id %u\n", st->conn_id);
	seq_printf(m, "target_vp %u\n", st->target_vp);
	seq_printf(m, "offers_sent %d\n", st->offers_sent);
	seq_printf(m, "interrupt_page %#llx\n", st->interrupt_page);
	seq_printf(m, "monitor_page1 %#llx\n", st->monitor_page1);
	seq_printf(m, "monitor_page2 %#llx\n", st->monitor_page2);
	seq_printf(m, "max_version %#x\n", hvsim_vmbus_max_version(host));
	seq_printf(m, "devices %u\n", st->devices);
	seq_printf(m, "offered %u\n", st->offered);
	seq_printf(m, "rescinded %u\n", st->rescinded);
	seq_printf(m, "relids %u\n", st->relids);
	seq_printf(m, "monitors %u\n", st->monitors);
	seq_printf(m, "in_queue %u\n", st->in_queue);
	seq_printf(m, "out_queue %u\n", st->out_queue);
	for (i = 0; i < CHANNELMSG_COUNT; i++) {
		if (!hvsim_vmbus_msgs[i].name)
			continue;
		seq_printf(m, "%s.%s %llu\n",
			   hvsim_vmbus_msgs[i].min_len ? "rx" : "tx",
			   hvsim_vmbus_msgs[i].name,
			   hvsim_vmbus_msgs[i].min_len ? st->rx[i] : st->tx[i]);
	}
	for (i = 0; i < HVSIM_VMBUS_REJECT_COUNT; i++)
		seq_printf(m, "rejected.%s %llu\n", hvsim_vmbus_rejects[i],
			   st->rejected[i]);
	seq_printf(m, "dropped %llu\n", st->dropped);
	seq_printf(m, "undeliverable %llu\n", st->undeliverable);
	seq_printf(m, "signals %llu\n", st->signals);
	seq_printf(m, "signals_refused %llu\n", st->signals_refused);
	for (i = 1; i <= HVSIM_VMBUS_MAX_RELID; i++) {
		n = atomic64_read(&host->signals[i]);
		if (n)
			seq_printf(m, "signal.%#x %llu\n",
				   HVSIM_VMBUS_CHAN_CONN_ID(i), n);
	}
	kfree(st);
}

/**
 * hvsim_vmbus_create() - a new VMBus host, disconnected, with no device.
 * @name: names its workqueue.
 * @sink: where its messages to the guest go; must outlive the host.
 * @ctx: passed to @sink's calls.
 *
 * Its max_version starts at 5.3.
 *
 * Context: process context.
 * Return: the host, or NULL when out of memory.
 */
struct hvsim_vmbus *hvsim_vmbus_create(const char *name,
				       const struct hvsim_vmbus_sink *sink,
				       void *ctx)
{
	struct hvsim_vmbus *host;

	host = kzalloc(sizeof(*host), GFP_KERNEL);
	if (!host)
		return NULL;
	host->sink = sink;
	host->ctx = ctx;
	host->max_version = VERSION_WIN10_V5_3;
	spin_lock_init(&host->in_lock);
	mutex_init(&host->lock);
	INIT_LIST_HEAD(&host->out);
	INIT_LIST_HEAD(&host->devices);
	INIT_WORK(&host->work, hvsim_vmbus_work);

	host->in = kvcalloc(HVSIM_VMBUS_IN_QUEUE_LEN, sizeof(*host->in),
			    GFP_KERNEL);
	host->relids = bitmap_zalloc(HVSIM_VMBUS_MAX_RELID + 1, GFP_KERNEL);
	host->signals = kvcalloc(HVSIM_VMBUS_MAX_RELID + 1,
				 sizeof(*host->signals), GFP_KERNEL);
	host->wq = alloc_workqueue("%s", 0, 1, name);
	if (!host->in || !host->relids || !host->signals || !host->wq) {
		hvsim_vmbus_destroy(host);
		return NULL;
	}
	return host;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_create);

/**
 * hvsim_vmbus_destroy() - free a host and its devices.
 * @host: the host, or NULL.
 *
 * Messages still queued either way are dropped.
 *
 * Context: process context.  No call on @host may run or follow.
 */
void hvsim_vmbus_destroy(struct hvsim_vmbus *host)
{
	struct hvsim_vmbus_dev *dev, *tmp;
	struct hvsim_vmbus_out *o, *otmp;

	if (!host)
		return;
	if (host->wq)
		destroy_workqueue(host->wq);
	list_for_each_entry_safe(dev, tmp, &host->devices, node)
		kfree(dev);
	list_for_each_entry_safe(o, otmp, &host->out, node)
		kfree(o);
	kvfree(host->signals);
	bitmap_free(host->relids);
	kvfree(host->in);
	mutex_destroy(&host->lock);
	kfree(host);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_destroy);
