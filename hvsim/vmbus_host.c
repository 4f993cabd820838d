// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the VMBus host, control plane and channels.
 *
 * The server half of VMBus as the public hosts implement it (see
 * reference/vmbus-host-behaviour.md; where OpenVMM and QEMU differ this
 * follows OpenVMM): version negotiation, offers, rescinds, relid release
 * and unload; GPADLs, open and close, MODIFYCHANNEL, sub-channels; and
 * the data plane: the host reads each open channel's guest-to-host ring,
 * hands the packets to the device's VSP (struct hvsim_vsp_ops) and writes
 * the replies into the host-to-guest ring.
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
 *  - Guest memory is reached only through the PFNs the guest gave:
 *    GPADL PFN lists (checked with pfn_valid() when the GPADL completes;
 *    a ring GPADL is mapped with vmap(), its data pages twice in a row),
 *    GPA-direct ranges, and the interrupt and monitor page GPAs of
 *    INITIATE_CONTACT (kmap_local_page() for each use).
 *  - GPADLs: range_buflen / 8 values are collected, the ranges checked on
 *    completion; an aggregate limit (gpadl_limit_mb, 1280 by default like
 *    Windows Server 2019 hosts) refuses a GPADL that would pass it.  A
 *    body with no value is bad (the GPADL is refused); a body for no
 *    GPADL being received gets no reply.
 *  - OPENCHANNEL: a ring GPADL of the channel, one range of whole pages at
 *    offset 0, each ring a control page and at least one data page, a VP
 *    the partition has (or 0xFFFFFFFF), indices in range; else
 *    0x8000FFFF.  An open or rescinded channel, an unknown relid: no
 *    reply.  CLOSECHANNEL has no reply.  A rescind or an unload closes
 *    the channels itself.
 *  - The reader follows OpenVMM: interrupt_mask 1 while reading, 0 when
 *    the ring looks empty and a last look; read_index published once per
 *    batch (at most 64 packets, then the other channels get a turn).  A
 *    packet is checked on a private copy; a corrupt one breaks the
 *    channel for good (until it is reopened), and the control plane says
 *    nothing.  Replies that do not fit wait in order, and the host reads
 *    no further packet; pending_send_sz asks the guest for the room.
 *  - A guest signal is queued; the channel's work accounts it (needed or
 *    not) before it runs.  Monitored channels are polled every 1 ms while
 *    open; so is a full ring with pend off.  MODIFYCHANNEL takes
 *    modify_lag_ms (100 by default) before the VP switches.
 *  - Relids are assigned at REQUESTOFFERS in (class, instance) order, or
 *    at once for a device added later, lowest free first; a device
 *    re-added while its rescinded predecessor is unreleased waits and is
 *    offered under the same relid on RELID_RELEASED.
 *  - Instance GUIDs are unique within a host.
 *  - A guest signal is accepted on the connection ID of any channel the
 *    guest holds (offered or rescinded) and counted (a closed channel's
 *    as not needed); any other ID is -ENXIO.  Below 2.4 connection 2 is
 *    taken too: the relids are the bits of the interrupt page.
 *
 * Locking: @in_lock (a spinlock, any context) covers the incoming queue
 * and its counters; @lock (a mutex) covers everything else and serialises
 * the handlers, the channels' work and the VSPs.  The relid and signalled
 * bitmaps are changed with atomic bit operations, so hvsim_vmbus_signal()
 * uses them without a lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmbus: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/list_sort.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <hvguest/hvsim_echo.h>
#include "internal.h"
#include "vmbus_host.h"
#include "ic.h"

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

enum hvsim_vmbus_gpadl_state {
	HVSIM_GPADL_RECEIVING,	/* waits for GPADL_BODY messages */
	HVSIM_GPADL_ACCEPTED,	/* GPADL_CREATED sent */
	/* The ring of an open channel: GPADL_TORNDOWN when it closes. */
	HVSIM_GPADL_TEARDOWN,
};

static const char *const hvsim_vmbus_gpadl_states[] = {
	[HVSIM_GPADL_RECEIVING] = "receiving",
	[HVSIM_GPADL_ACCEPTED] = "accepted",
	[HVSIM_GPADL_TEARDOWN] = "teardown",
};

/*
 * A GPADL: the u64 values of its range array (each range a byte_count |
 * byte_offset << 32 word, then its PFNs), collected from GPADL_HEADER and
 * GPADL_BODY messages until @count are there.
 */
struct hvsim_vmbus_gpadl {
	struct list_head node;
	enum hvsim_vmbus_gpadl_state state;
	u32 id;
	u32 relid;
	u16 rangecount;
	u32 count;		/* values wanted */
	u32 have;		/* values collected */
	u32 pages;		/* PFNs, once accepted */
	struct hvsim_vmbus_chan *ring_of;	/* open channel using it */
	u64 vals[] __counted_by(count);
};

/* One direction of a channel's ring buffer, mapped by the host. */
struct hvsim_vmbus_ring {
	struct hv_ring_buffer *ctrl;	/* the control page */
	u8 *data;			/* data pages, mapped twice in a row */
	u32 size;			/* bytes of data */
};

enum hvsim_vmbus_chan_state {
	HVSIM_CHAN_OFFERED,	/* held by the guest, never opened */
	HVSIM_CHAN_OPEN,
	HVSIM_CHAN_CLOSED,
};

/* A reply that waits for room in the host-to-guest ring. */
struct hvsim_vmbus_reply {
	struct list_head node;
	u32 len;		/* packet bytes, trailer excluded */
	u8 pkt[];
};

/*
 * A channel: the primary (index 0) or a sub-channel of a device.  Its
 * data plane runs in the host's work with @lock held.
 */
struct hvsim_vmbus_chan {
	struct hvsim_vmbus *host;
	struct hvsim_vmbus_dev *dev;
	u16 index;
	u32 relid;		/* 0 unless the guest holds it */
	bool withdrawn;		/* a sub-channel rescinded, relid not released */
	bool reoffer;		/* ... to be offered again once it is */
	u8 monitor_id;		/* HVSIM_VMBUS_NO_MONITOR when none */
	bool monitored;		/* offered with monitor_allocated */
	enum hvsim_vmbus_chan_state state;

	/* Open: the rings of @gpadl, mapped at @map. */
	struct hvsim_vmbus_gpadl *gpadl;
	void *map;
	struct hvsim_vmbus_ring in;	/* guest-to-host: the host reads */
	struct hvsim_vmbus_ring out;	/* host-to-guest: the host writes */
	u32 in_read;		/* private read index of @in */
	u32 out_write;		/* private write index of @out */
	u32 target_vp;
	u32 new_vp;		/* MODIFYCHANNEL waiting for its lag */
	bool modifying;
	unsigned long modify_at;
	u8 *rxbuf;		/* a private copy of the packet being read */
	struct list_head replies;

	/* Controls and flow state. */
	bool paused;
	bool masked;
	bool pend;
	bool broken;
	bool waiting_data;	/* mask 0 after finding @in empty */
	bool waiting_space;	/* pending_send_sz set in @out */
	bool polling;		/* @out full, pend off: poll every 1 ms */

	/* Counters; signals come from host->signals[relid]. */
	u64 sig_base;		/* host->signals[relid] at assignment */
	u64 sig_seen;		/* signals accounted so far */
	u64 unneeded;
	u64 irqs;
	u64 lag_irqs;
	u64 rx;
	u64 tx;
	void *vsp_data;
};

struct hvsim_vmbus_dev {
	struct list_head node;
	struct hvsim_vmbus_dev_config cfg;
	enum hvsim_vmbus_dev_state state;
	const struct hvsim_vsp_ops *vsp;
	u16 nsub;		/* sub-channels offered */
	struct hvsim_vmbus_chan chan[];	/* 1 + cfg.subch */
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
	struct hvsim_vmbus_chan *guest_closing;	/* in its CLOSECHANNEL */
	struct workqueue_struct *wq;
	struct work_struct work;
	u32 knobs[HVSIM_KNOB_COUNT];	/* READ_ONCE(): set from debugfs */

	/* The incoming queue: a ring of HVSIM_VMBUS_IN_QUEUE_LEN. */
	spinlock_t in_lock;
	unsigned int in_head;
	unsigned int in_len;
	struct hvsim_vmbus_in *in;
	u64 rx[CHANNELMSG_COUNT];
	u64 rejected[HVSIM_VMBUS_REJECT_COUNT];

	/* Lock-free: assigned relids, and signals per relid. */
	unsigned long *relids;		/* bit 0 never set */
	unsigned long *signalled;	/* relids with a signal to handle */
	atomic64_t *signals;		/* [HVSIM_VMBUS_MAX_RELID + 1] */
	atomic64_t signals_refused;
	atomic64_t signals_legacy;
	atomic_t legacy_scan;		/* a signal on connection 2 */
	u32 version_seen;		/* READ_ONCE(): version, for signals */
	struct delayed_work timer;	/* modify lags, monitors, polling */

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
	bool dying;
	struct hvsim_vmbus_chan **chans;	/* by relid */
	struct list_head gpadls;
	u64 gpadl_bytes;
	unsigned int gpadl_count;
	unsigned int gpadl_receiving;
	u64 gpadl_refused;
	u64 unneeded;
	u64 irqs;
	u64 lag_irqs;
	u64 corrupt;
	unsigned int open;
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
static void hvsim_vmbus_gpadl_body(struct hvsim_vmbus *host,
				   const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_gpadl_teardown(struct hvsim_vmbus *host,
				       const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_open_channel(struct hvsim_vmbus *host,
				     const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_close_channel(struct hvsim_vmbus *host,
				      const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_modifychannel(struct hvsim_vmbus *host,
				      const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_tl_connect(struct hvsim_vmbus *host,
				   const struct hvsim_vmbus_in *in);
static void hvsim_vmbus_ignore(struct hvsim_vmbus *host,
			       const struct hvsim_vmbus_in *in);

/*
 * Reserved channels (Windows kernel debug) are not implemented: their
 * messages get no reply.  With no hvsock service, every
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
		.handle = hvsim_vmbus_open_channel,
	},
	[CHANNELMSG_OPENCHANNEL_RESULT] = { .name = "open_result" },
	[CHANNELMSG_CLOSECHANNEL] = {
		.name = "close_channel",
		.min_len = sizeof(struct vmbus_channel_close_channel),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_close_channel,
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
		.handle = hvsim_vmbus_gpadl_body,
	},
	[CHANNELMSG_GPADL_CREATED] = { .name = "gpadl_created" },
	[CHANNELMSG_GPADL_TEARDOWN] = {
		.name = "gpadl_teardown",
		.min_len = sizeof(struct vmbus_channel_gpadl_teardown),
		.min_version = VERSION_WS2008,
		.handle = hvsim_vmbus_gpadl_teardown,
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

/* ------------------------------------------------------------------------
 * Guest memory: only through the PFNs the guest gave, mapped as a host
 * maps them.  The simulated partition's PFNs are 4 KiB frames, like the
 * kernel's pages on x86.
 */
static_assert(PAGE_SIZE == HV_HYP_PAGE_SIZE);

/* Monitor page: trigger group G's pending word is at byte 8 + 8 * G. */
#define HVSIM_MONITOR_PENDING_BIT(id)	\
	((8 + 8 * ((id) / 32)) * BITS_PER_BYTE + (id) % 32)
/* Interrupt page: host-to-guest bits, then guest-to-host bits. */
#define HVSIM_INT_PAGE_HALF_BITS	(HV_HYP_PAGE_SIZE / 2 * BITS_PER_BYTE)

/* The page of a guest PFN, or NULL when the PFN is not memory. */
static struct page *hvsim_vmbus_pfn_page(u64 pfn)
{
	if (pfn > ULONG_MAX || !pfn_valid(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

/**
 * hvsim_chan_read_gpa() - read guest memory through a PFN it gave.
 * @pfn: a PFN of a GPA-direct range or a GPADL.
 * @offset: byte offset in the page.
 * @buf: where the bytes go.
 * @len: how many; @offset + @len must not pass the page.
 *
 * Context: process context, may be called with the host's mutex held.
 * Return: 0, or -EFAULT for a PFN that is not memory or a span beyond
 * the page.
 */
int hvsim_chan_read_gpa(u64 pfn, u32 offset, void *buf, u32 len)
{
	struct page *page = hvsim_vmbus_pfn_page(pfn);
	void *va;

	if (!page || offset >= PAGE_SIZE || len > PAGE_SIZE - offset)
		return -EFAULT;
	va = kmap_local_page(page);
	memcpy(buf, va + offset, len);
	kunmap_local(va);
	return 0;
}
EXPORT_SYMBOL_GPL(hvsim_chan_read_gpa);

/**
 * hvsim_chan_write_gpa() - write guest memory through a PFN it gave.
 * @pfn: a PFN of a GPA-direct range or a GPADL.
 * @offset: byte offset in the page.
 * @buf: the bytes.
 * @len: how many; @offset + @len must not pass the page.
 *
 * Context: process context, may be called with the host's mutex held.
 * Return: 0, or -EFAULT for a PFN that is not memory or a span beyond
 * the page.
 */
int hvsim_chan_write_gpa(u64 pfn, u32 offset, const void *buf, u32 len)
{
	struct page *page = hvsim_vmbus_pfn_page(pfn);
	void *va;

	if (!page || offset >= PAGE_SIZE || len > PAGE_SIZE - offset)
		return -EFAULT;
	va = kmap_local_page(page);
	memcpy(va + offset, buf, len);
	kunmap_local(va);
	return 0;
}
EXPORT_SYMBOL_GPL(hvsim_chan_write_gpa);

/* Set, or test and clear, bit @bit of the guest page at @gpa. */
static bool hvsim_vmbus_gpa_bit(u64 gpa, unsigned int bit, bool set)
{
	struct page *page = hvsim_vmbus_pfn_page(gpa >> PAGE_SHIFT);
	unsigned long *va;
	bool ret = false;

	if (!page || bit >= HV_HYP_PAGE_SIZE * BITS_PER_BYTE)
		return false;
	va = kmap_local_page(page);
	if (set)
		set_bit(bit, va);
	else
		ret = test_and_clear_bit(bit, va);
	kunmap_local(va);
	return ret;
}

/* ------------------------------------------------------------------------
 * Channels: the data plane.  Everything here runs with @lock held.
 */

#define HVSIM_CHAN_BUDGET	64	/* packets per run of a channel */
/* GPADLs being received at once: a guest cannot pin host memory. */
#define HVSIM_VMBUS_MAX_RECEIVING	256

enum {
	HVSIM_BATCH_EMPTY,	/* read up to the write index */
	HVSIM_BATCH_BLOCKED,	/* a reply waits for room */
	HVSIM_BATCH_BUDGET,	/* more to read another time */
};

static void hvsim_vmbus_timer_kick(struct hvsim_vmbus *host,
				   unsigned long delay)
{
	lockdep_assert_held(&host->lock);
	if (!host->dying)
		mod_delayed_work(host->wq, &host->timer, delay);
}

static bool hvsim_ring_index_ok(const struct hvsim_vmbus_ring *r, u32 idx)
{
	return idx < r->size && !(idx & 7);
}

/* Bytes between @read and @write. */
static u32 hvsim_ring_used(const struct hvsim_vmbus_ring *r, u32 read,
			   u32 write)
{
	return write >= read ? write - read : r->size - read + write;
}

/* Room for a writer: one can never fill the ring completely. */
static u32 hvsim_ring_free(const struct hvsim_vmbus_ring *r, u32 read,
			   u32 write)
{
	return r->size - hvsim_ring_used(r, read, write) - 8;
}

static void hvsim_chan_corrupt(struct hvsim_vmbus_chan *chan,
			       const char *why)
{
	if (chan->broken)
		return;
	chan->broken = true;
	chan->host->corrupt++;
	pr_warn_ratelimited("relid %u: corrupt ring (%s): channel broken\n",
			    chan->relid, why);
}

/* Interrupt the guest for @chan: its event flag, or the legacy bitmap. */
static void hvsim_chan_interrupt(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_vmbus *host = chan->host;
	u32 flag = chan->relid;

	if (chan->target_vp == HVSIM_VMBUS_NO_VP)
		return;
	chan->irqs++;
	host->irqs++;
	if (chan->modifying) {
		chan->lag_irqs++;
		host->lag_irqs++;
	}
	if (host->version < VERSION_WIN8) {
		if (host->interrupt_page)
			hvsim_vmbus_gpa_bit(host->interrupt_page, chan->relid,
					    true);
		flag = 0;
	}
	if (host->sink->signal)
		host->sink->signal(host->ctx, chan->target_vp,
				   HVCORE_VMBUS_SINT, flag);
}

/*
 * Write one packet of @len bytes (trailer excluded) at the private write
 * index.  -EAGAIN when it does not fit now, -EPROTO when the guest's read
 * index is corrupt.
 */
static int hvsim_chan_put(struct hvsim_vmbus_chan *chan, const u8 *pkt,
			  u32 len)
{
	struct hvsim_vmbus_ring *r = &chan->out;
	u32 read = READ_ONCE(r->ctrl->read_index);
	u32 start = chan->out_write;

	if (!hvsim_ring_index_ok(r, read))
		return -EPROTO;
	if (len + 8 > hvsim_ring_free(r, read, start))
		return -EAGAIN;
	/* The guest is done with the room before the host reuses it. */
	smp_mb();
	/* The data pages are mapped twice: no wrap within a packet. */
	memcpy(r->data + start, pkt, len);
	put_unaligned_le64((u64)start << 32, r->data + start + len);
	chan->out_write = (start + len + 8) % r->size;
	chan->tx++;
	return 0;
}

/* Write the waiting replies, in order; true when none is left. */
static bool hvsim_chan_flush_replies(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_vmbus_reply *rep;
	int ret;

	while ((rep = list_first_entry_or_null(&chan->replies,
					       struct hvsim_vmbus_reply,
					       node))) {
		ret = hvsim_chan_put(chan, rep->pkt, rep->len);
		if (ret == -EAGAIN)
			return false;
		if (ret) {
			hvsim_chan_corrupt(chan, "read index");
			return false;
		}
		list_del(&rep->node);
		kfree(rep);
	}
	return true;
}

static void hvsim_chan_free_replies(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_vmbus_reply *rep, *tmp;

	list_for_each_entry_safe(rep, tmp, &chan->replies, node) {
		list_del(&rep->node);
		kfree(rep);
	}
}

/* The room the first waiting reply needs, trailer included. */
static u32 hvsim_chan_need(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_vmbus_reply *rep;

	rep = list_first_entry_or_null(&chan->replies,
				       struct hvsim_vmbus_reply, node);
	return rep ? rep->len + 8 : 0;
}

/*
 * The host-to-guest ring is full.  With pend on, ask the guest for an
 * interrupt through pending_send_sz (the larger of the room needed and a
 * quarter of the largest packet, as OpenVMM asks), then look again: the
 * guest may have read before it saw the field.  With pend off, poll.
 * Returns true when the replies went out after all.
 */
static bool hvsim_chan_wait_space(struct hvsim_vmbus_chan *chan)
{
	struct hv_ring_buffer *c = chan->out.ctrl;
	u32 want;

	if (!chan->pend) {
		if (!chan->polling) {
			chan->polling = true;
			hvsim_vmbus_timer_kick(chan->host, 1);
		}
		return false;
	}
	want = max(hvsim_chan_need(chan), ((chan->out.size - 8) / 4) & ~7u);
	WRITE_ONCE(c->pending_send_sz, want);
	chan->waiting_space = true;
	/* The request is visible before the read index is looked at. */
	smp_mb();
	return hvsim_chan_flush_replies(chan);
}

/* The replies are out: the host waits for space no more. */
static void hvsim_chan_space_done(struct hvsim_vmbus_chan *chan)
{
	if (chan->waiting_space)
		WRITE_ONCE(chan->out.ctrl->pending_send_sz, 0);
	chan->waiting_space = false;
	chan->polling = false;
}

/*
 * Publish the private write index.  The guest is interrupted only when it
 * has interrupts on in this ring and had read everything before this
 * batch: the ring went from empty to not empty.
 */
static void hvsim_chan_commit_write(struct hvsim_vmbus_chan *chan, u32 old)
{
	struct hv_ring_buffer *c = chan->out.ctrl;

	if (chan->out_write == old)
		return;
	/* The packets before the index that shows them. */
	smp_store_release(&c->write_index, chan->out_write);
	/* The index before the guest's mask and read index are read. */
	smp_mb();
	if (!READ_ONCE(c->interrupt_mask) && READ_ONCE(c->read_index) == old)
		hvsim_chan_interrupt(chan);
}

/* Check a GPA-direct header: its ranges lie within the data offset. */
static bool hvsim_chan_gpa_ok(const u8 *pkt, u32 off, u32 *ranges)
{
	u32 n, i, pos = sizeof(struct vmdata_gpa_direct) -
			sizeof(struct gpa_range);
	u64 cnt, boff, npfn;

	if (off < pos)
		return false;
	n = get_unaligned_le32(pkt + pos - 4);
	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		if (off - pos < sizeof(struct gpa_range))
			return false;
		cnt = get_unaligned_le32(pkt + pos);
		boff = get_unaligned_le32(pkt + pos + 4);
		if (!cnt || boff >= HV_HYP_PAGE_SIZE)
			return false;
		npfn = DIV_ROUND_UP(boff + cnt, HV_HYP_PAGE_SIZE);
		pos += sizeof(struct gpa_range);
		if ((off - pos) / 8 < npfn)
			return false;
		pos += npfn * 8;
	}
	*ranges = n;
	return true;
}

/* Check a transfer-page header: its range array fits the data offset. */
static bool hvsim_chan_xfer_ok(const u8 *pkt, u32 off)
{
	const u32 hlen = sizeof(struct vmtransfer_page_packet_header);
	u32 n;

	if (off < hlen)
		return false;
	n = get_unaligned_le32(pkt + hlen - 4);
	return n <= (off - hlen) / sizeof(struct vmtransfer_page_range);
}

/*
 * Read the packet at *@read, copy it, check the copy and hand it to the
 * VSP.  -EPROTO (the channel is broken) for a corrupt packet.
 */
static int hvsim_chan_read_one(struct hvsim_vmbus_chan *chan, u32 *read,
			       u32 write)
{
	struct hvsim_vmbus_ring *r = &chan->in;
	u32 avail = hvsim_ring_used(r, *read, write);
	struct hvsim_vmbus_pkt pkt = {};
	struct vmpacket_descriptor desc;
	const struct hvsim_vsp_ops *vsp;
	u32 off, len;

	if (avail < sizeof(desc) + 8) {
		hvsim_chan_corrupt(chan, "short packet");
		return -EPROTO;
	}
	memcpy(&desc, r->data + *read, sizeof(desc));
	off = desc.offset8 * 8;
	len = desc.len8 * 8;
	if (desc.offset8 < 2 || len < off || len + 8 > avail) {
		hvsim_chan_corrupt(chan, "packet length");
		return -EPROTO;
	}
	switch (desc.type) {
	case VM_PKT_DATA_INBAND:
	case VM_PKT_DATA_USING_XFER_PAGES:
	case VM_PKT_DATA_USING_GPA_DIRECT:
	case VM_PKT_COMP:
		break;
	default:
		hvsim_chan_corrupt(chan, "packet type");
		return -EPROTO;
	}
	if (desc.flags & ~VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED) {
		hvsim_chan_corrupt(chan, "packet flags");
		return -EPROTO;
	}
	/* The copy keeps the descriptor that was checked. */
	memcpy(chan->rxbuf, r->data + *read, len);
	memcpy(chan->rxbuf, &desc, sizeof(desc));
	*read = (*read + len + 8) % r->size;
	chan->rx++;

	if (desc.type == VM_PKT_DATA_USING_GPA_DIRECT &&
	    !hvsim_chan_gpa_ok(chan->rxbuf, off, &pkt.ranges)) {
		hvsim_chan_corrupt(chan, "GPA direct ranges");
		return -EPROTO;
	}
	if (desc.type == VM_PKT_DATA_USING_XFER_PAGES &&
	    !hvsim_chan_xfer_ok(chan->rxbuf, off)) {
		hvsim_chan_corrupt(chan, "transfer page ranges");
		return -EPROTO;
	}

	vsp = chan->dev->vsp;
	if (!vsp)
		return 0;
	pkt.type = desc.type;
	pkt.flags = desc.flags;
	pkt.trans_id = desc.trans_id;
	pkt.hdr = chan->rxbuf;
	pkt.hdr_len = off;
	pkt.data = chan->rxbuf + off;
	pkt.len = len - off;
	if (vsp->packet(chan, &pkt)) {
		hvsim_chan_corrupt(chan, "refused by the device");
		return -EPROTO;
	}
	return chan->broken ? -EPROTO : 0;
}

/*
 * Read packets up to the write index seen at the start, then publish the
 * read index once.  The guest is interrupted when it waits for room
 * (pending_send_sz, rounded down to 8) and this batch made it.
 */
static int hvsim_chan_read_batch(struct hvsim_vmbus_chan *chan,
				 unsigned int *budget)
{
	struct hvsim_vmbus_ring *r = &chan->in;
	u32 read = chan->in_read, write, free_before, pending;
	int ret = HVSIM_BATCH_EMPTY;

	/* The index before the packets it covers. */
	write = smp_load_acquire(&r->ctrl->write_index);
	if (!hvsim_ring_index_ok(r, write)) {
		hvsim_chan_corrupt(chan, "write index");
		return -EPROTO;
	}
	free_before = hvsim_ring_free(r, read, write);
	while (read != write) {
		if (!*budget) {
			ret = HVSIM_BATCH_BUDGET;
			break;
		}
		(*budget)--;
		if (hvsim_chan_read_one(chan, &read, write))
			return -EPROTO;
		if (!list_empty(&chan->replies)) {
			ret = HVSIM_BATCH_BLOCKED;
			break;
		}
	}
	if (read == chan->in_read)
		return ret;
	chan->in_read = read;
	/* The packets are copied out before the guest may reuse the room. */
	smp_store_release(&r->ctrl->read_index, read);
	/* The new index before the guest's pending_send_sz is read. */
	smp_mb();
	pending = READ_ONCE(r->ctrl->pending_send_sz) & ~7u;
	if (pending && free_before < pending &&
	    hvsim_ring_free(r, read, write) >= pending)
		hvsim_chan_interrupt(chan);
	return ret;
}

static bool hvsim_chan_has_data(struct hvsim_vmbus_chan *chan)
{
	return READ_ONCE(chan->in.ctrl->write_index) != chan->in_read;
}

/*
 * Count the signals that came since the last run.  One of them was
 * needed if the host waited for data and there is data, or waited for
 * room and the room is there; every other one was not.
 */
static void hvsim_chan_account(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_vmbus *host = chan->host;
	u64 now, n, needed = 0;
	u32 read;

	if (!chan->relid)
		return;
	now = atomic64_read(&host->signals[chan->relid]) - chan->sig_base;
	n = now - chan->sig_seen;
	if (!n)
		return;
	chan->sig_seen = now;
	if (chan->state == HVSIM_CHAN_OPEN && !chan->broken) {
		if (chan->waiting_data && hvsim_chan_has_data(chan)) {
			chan->waiting_data = false;
			needed = 1;
		} else if (chan->waiting_space) {
			read = READ_ONCE(chan->out.ctrl->read_index);
			if (hvsim_ring_index_ok(&chan->out, read) &&
			    hvsim_ring_free(&chan->out, read, chan->out_write) >=
			    hvsim_chan_need(chan))
				needed = 1;
		}
	}
	chan->unneeded += n - needed;
	host->unneeded += n - needed;
}

/*
 * A channel's host work, after a signal, a poll or a control: account the
 * signals, send what waits, then read the guest-to-host ring as OpenVMM's
 * reader does: interrupt_mask 1 while reading, 0 when the ring looks
 * empty, then a last look.
 */
static void hvsim_chan_run(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_vmbus *host = chan->host;
	struct hv_ring_buffer *in;
	unsigned int budget = HVSIM_CHAN_BUDGET;
	u32 published;
	int ret;

	lockdep_assert_held(&host->lock);
	hvsim_chan_account(chan);
	if (chan->state != HVSIM_CHAN_OPEN || chan->broken)
		return;
	in = chan->in.ctrl;
	published = chan->out_write;

	/* Nothing overtakes a reply that waits. */
	if (!list_empty(&chan->replies) && !hvsim_chan_flush_replies(chan) &&
	    !hvsim_chan_wait_space(chan))
		goto commit;
	hvsim_chan_space_done(chan);

	while (!chan->paused && !chan->broken) {
		if (READ_ONCE(in->interrupt_mask) != 1)
			WRITE_ONCE(in->interrupt_mask, 1);
		chan->waiting_data = false;
		ret = hvsim_chan_read_batch(chan, &budget);
		if (ret < 0)
			break;
		if (ret == HVSIM_BATCH_BLOCKED) {
			/* Publish what fits, so that the guest can read. */
			hvsim_chan_commit_write(chan, published);
			published = chan->out_write;
			if (!hvsim_chan_wait_space(chan))
				break;
			hvsim_chan_space_done(chan);
			continue;
		}
		if (ret == HVSIM_BATCH_BUDGET) {
			/* Let the other channels and messages run. */
			set_bit(chan->relid, host->signalled);
			break;
		}
		/* Empty: wait for a signal, but look once more first. */
		WRITE_ONCE(in->interrupt_mask, 0);
		/* Pairs with the guest's write index before its mask check. */
		smp_mb();
		if (!hvsim_chan_has_data(chan)) {
			chan->waiting_data = true;
			break;
		}
	}
commit:
	if (!chan->broken)
		hvsim_chan_commit_write(chan, published);
}

/*
 * Build a packet: @hdr (a descriptor whose offset8 covers @hlen bytes,
 * len8 filled in here), then the two payload parts, padded to 8.  Written
 * now, or kept in order when @may_wait; -EAGAIN when it cannot be written
 * now and may not wait.
 */
static int hvsim_chan_queue(struct hvsim_vmbus_chan *chan, void *hdr,
			    u32 hlen, const void *data1, u32 len1,
			    const void *data2, u32 len2, bool may_wait)
{
	struct vmpacket_descriptor *desc = hdr;
	struct hvsim_vmbus_reply *rep;
	u64 plen = ALIGN((u64)hlen + len1 + len2, 8);
	int ret;

	lockdep_assert_held(&chan->host->lock);
	if (chan->state != HVSIM_CHAN_OPEN || chan->broken)
		return -ENOTCONN;
	if (plen + 16 > chan->out.size || plen / 8 > U16_MAX)
		return -EMSGSIZE;
	if (!may_wait && !list_empty(&chan->replies))
		return -EAGAIN;
	desc->len8 = plen / 8;
	rep = kzalloc(struct_size(rep, pkt, plen), GFP_KERNEL);
	if (!rep)
		return -ENOMEM;
	rep->len = plen;
	memcpy(rep->pkt, hdr, hlen);
	if (len1)
		memcpy(rep->pkt + hlen, data1, len1);
	if (len2)
		memcpy(rep->pkt + hlen + len1, data2, len2);

	if (list_empty(&chan->replies)) {
		ret = hvsim_chan_put(chan, rep->pkt, rep->len);
		if (ret != -EAGAIN || !may_wait) {
			kfree(rep);
			if (ret == -EAGAIN)
				return ret;
			if (ret) {
				hvsim_chan_corrupt(chan, "read index");
				return -ENOTCONN;
			}
			return 0;
		}
	}
	list_add_tail(&rep->node, &chan->replies);
	return 0;
}

/**
 * hvsim_chan_send() - write a packet into a channel's host-to-guest ring.
 * @chan: the channel, open.
 * @type: VM_PKT_DATA_INBAND or VM_PKT_COMP.
 * @flags: 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED.
 * @trans_id: the transaction ID.
 * @data1: payload, first part.
 * @len1: its length.
 * @data2: payload, second part, or NULL.
 * @len2: its length.
 *
 * The packet is written now, or kept until the guest makes room: the
 * host then reads no further packet of the channel.  Replies are never
 * dropped or reordered.
 *
 * Context: a VSP op (process context, the host's mutex held).
 * Return: 0 (written or kept); -ENOTCONN when the channel is not open or
 * broken; -EMSGSIZE when the packet can never fit the ring; -ENOMEM.
 */
int hvsim_chan_send(struct hvsim_vmbus_chan *chan, u16 type, u16 flags,
		    u64 trans_id, const void *data1, u32 len1,
		    const void *data2, u32 len2)
{
	struct vmpacket_descriptor desc = {
		.type = type,
		.offset8 = sizeof(desc) / 8,
		.flags = flags,
		.trans_id = trans_id,
	};

	return hvsim_chan_queue(chan, &desc, sizeof(desc), data1, len1, data2,
				len2, true);
}
EXPORT_SYMBOL_GPL(hvsim_chan_send);

/* The transfer-page packet header of at most this many ranges. */
#define HVSIM_XFER_MAX_RANGES	375

/**
 * hvsim_chan_send_xfer() - write a transfer-page packet to the guest.
 * @chan: the channel, open.
 * @flags: 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED.
 * @trans_id: the transaction ID.
 * @set_id: the transfer page set (the guest's ID for the buffer).
 * @ranges: byte ranges within that buffer.
 * @nranges: how many, 1 to 375.
 * @data: the in-band payload after the ranges.
 * @len: its length.
 * @may_wait: keep the packet in order when the ring has no room now
 *	(as hvsim_chan_send() does); when false, such a packet is refused
 *	with -EAGAIN and the caller drops it, as a switch port drops a
 *	frame its queue has no room for.
 *
 * The packet is in the ring at once, but the guest sees it only once the
 * write index is published: by the channel's own work, or by
 * hvsim_chan_publish() for a channel that is not the one being served.
 *
 * Context: a VSP op or hvsim_vmbus_vsp_call() (the host's mutex held).
 * Return: 0; -EAGAIN (see @may_wait); -EINVAL for a bad range count;
 * otherwise as hvsim_chan_send().
 */
int hvsim_chan_send_xfer(struct hvsim_vmbus_chan *chan, u16 flags,
			 u64 trans_id, u16 set_id,
			 const struct vmtransfer_page_range *ranges,
			 u32 nranges, const void *data, u32 len, bool may_wait)
{
	u8 buf[sizeof(struct vmtransfer_page_packet_header) +
	       4 * sizeof(struct vmtransfer_page_range)];
	struct vmtransfer_page_packet_header *h;
	u32 hlen = sizeof(*h) + nranges * sizeof(*ranges);
	void *hdr = buf;
	int ret;

	if (!nranges || nranges > HVSIM_XFER_MAX_RANGES)
		return -EINVAL;
	if (hlen > sizeof(buf)) {
		hdr = kmalloc(hlen, GFP_KERNEL);
		if (!hdr)
			return -ENOMEM;
	}
	h = hdr;
	memset(h, 0, sizeof(*h));
	h->d.type = VM_PKT_DATA_USING_XFER_PAGES;
	h->d.offset8 = hlen / 8;
	h->d.flags = flags;
	h->d.trans_id = trans_id;
	h->xfer_pageset_id = set_id;
	h->range_cnt = nranges;
	memcpy(h->ranges, ranges, nranges * sizeof(*ranges));
	ret = hvsim_chan_queue(chan, hdr, hlen, data, len, NULL, 0, may_wait);
	if (hdr != buf)
		kfree(hdr);
	return ret;
}
EXPORT_SYMBOL_GPL(hvsim_chan_send_xfer);

/**
 * hvsim_chan_publish() - show the guest what was written to a channel.
 * @chan: the channel.
 *
 * Publishes the write index of the host-to-guest ring and interrupts the
 * guest if the ring was empty before (and interrupts are on).  A VSP
 * calls it after writing to a channel other than the one whose packet it
 * handles (a switch delivering a frame, a host event); the channel being
 * served publishes at the end of its batch anyway.
 *
 * Context: a VSP op or hvsim_vmbus_vsp_call() (the host's mutex held).
 */
void hvsim_chan_publish(struct hvsim_vmbus_chan *chan)
{
	lockdep_assert_held(&chan->host->lock);
	if (chan->state != HVSIM_CHAN_OPEN || chan->broken)
		return;
	hvsim_chan_commit_write(chan, READ_ONCE(chan->out.ctrl->write_index));
}
EXPORT_SYMBOL_GPL(hvsim_chan_publish);

/**
 * hvsim_chan_instance() - the instance GUID of a channel's device.
 * @chan: the channel.
 *
 * Context: a VSP op.
 * Return: the GUID, valid while the channel is.
 */
const guid_t *hvsim_chan_instance(struct hvsim_vmbus_chan *chan)
{
	return &chan->dev->cfg.instance_id;
}
EXPORT_SYMBOL_GPL(hvsim_chan_instance);

/**
 * hvsim_chan_subch_max() - the sub-channels a channel's device may offer.
 * @chan: a channel of the device.
 *
 * Context: a VSP op.
 * Return: the device's configured subch.
 */
u16 hvsim_chan_subch_max(struct hvsim_vmbus_chan *chan)
{
	return chan->dev->cfg.subch;
}
EXPORT_SYMBOL_GPL(hvsim_chan_subch_max);

/**
 * hvsim_chan_sibling() - another channel of the same device.
 * @chan: a channel.
 * @index: the sub_channel_index wanted (0: the primary).
 *
 * Context: a VSP op.
 * Return: the channel, open, or NULL.
 */
struct hvsim_vmbus_chan *hvsim_chan_sibling(struct hvsim_vmbus_chan *chan,
					    u16 index)
{
	struct hvsim_vmbus_chan *c;

	if (index > chan->dev->nsub || index > chan->dev->cfg.subch)
		return NULL;
	c = &chan->dev->chan[index];
	return c->state == HVSIM_CHAN_OPEN && !c->broken ? c : NULL;
}
EXPORT_SYMBOL_GPL(hvsim_chan_sibling);

/**
 * hvsim_chan_relid() - a channel's relid.
 * @chan: the channel.
 *
 * Context: a VSP op.
 * Return: the relid.
 */
u32 hvsim_chan_relid(struct hvsim_vmbus_chan *chan)
{
	return chan->relid;
}
EXPORT_SYMBOL_GPL(hvsim_chan_relid);

/**
 * hvsim_chan_index() - a channel's sub_channel_index.
 * @chan: the channel.
 *
 * Context: a VSP op.
 * Return: 0 for the primary channel, 1.. for sub-channels.
 */
u16 hvsim_chan_index(struct hvsim_vmbus_chan *chan)
{
	return chan->index;
}
EXPORT_SYMBOL_GPL(hvsim_chan_index);

/**
 * hvsim_chan_vsp_data() - the VSP's pointer of a channel.
 * @chan: the channel.
 *
 * Context: a VSP op.
 * Return: what hvsim_chan_set_vsp_data() stored, NULL at first.
 */
void *hvsim_chan_vsp_data(struct hvsim_vmbus_chan *chan)
{
	return chan->vsp_data;
}
EXPORT_SYMBOL_GPL(hvsim_chan_vsp_data);

/**
 * hvsim_chan_set_vsp_data() - store the VSP's pointer of a channel.
 * @chan: the channel.
 * @data: the VSP's; the host never dereferences it.
 *
 * Context: a VSP op.
 */
void hvsim_chan_set_vsp_data(struct hvsim_vmbus_chan *chan, void *data)
{
	chan->vsp_data = data;
}
EXPORT_SYMBOL_GPL(hvsim_chan_set_vsp_data);

/**
 * hvsim_chan_config() - the configuration of a channel's device.
 * @chan: the channel.
 *
 * Context: a VSP op.
 * Return: the device's configuration (its class and instance GUIDs, its
 * most sub-channels), valid while the channel is.
 */
const struct hvsim_vmbus_dev_config *
hvsim_chan_config(struct hvsim_vmbus_chan *chan)
{
	return &chan->dev->cfg;
}
EXPORT_SYMBOL_GPL(hvsim_chan_config);

/* ------------------------------------------------------------------------
 * GPADLs.
 */

static struct hvsim_vmbus_gpadl *hvsim_vmbus_find_gpadl(struct hvsim_vmbus *host,
							u32 id)
{
	struct hvsim_vmbus_gpadl *g;

	list_for_each_entry(g, &host->gpadls, node)
		if (g->id == id)
			return g;
	return NULL;
}

static void hvsim_vmbus_free_gpadl(struct hvsim_vmbus *host,
				   struct hvsim_vmbus_gpadl *g)
{
	if (g->state != HVSIM_GPADL_RECEIVING) {
		host->gpadl_bytes -= (u64)g->pages * HV_HYP_PAGE_SIZE;
		host->gpadl_count--;
	} else {
		host->gpadl_receiving--;
	}
	list_del(&g->node);
	kvfree(g);
}

/* Drop the GPADLs of @relid without a message (released, unloaded). */
static void hvsim_vmbus_drop_gpadls(struct hvsim_vmbus *host, u32 relid)
{
	struct hvsim_vmbus_gpadl *g, *tmp;

	list_for_each_entry_safe(g, tmp, &host->gpadls, node)
		if (g->relid == relid && !g->ring_of)
			hvsim_vmbus_free_gpadl(host, g);
}

/*
 * Check a complete GPADL's ranges as OpenVMM does (a byte count, an
 * offset within the page, enough PFNs) and that every PFN is memory;
 * count its pages.
 */
static bool hvsim_vmbus_gpadl_ok(struct hvsim_vmbus_gpadl *g)
{
	u32 pos = 0, i, j, cnt, off;
	u64 npfn, pages = 0;

	for (i = 0; i < g->rangecount; i++) {
		if (pos >= g->count)
			return false;
		cnt = lower_32_bits(g->vals[pos]);
		off = upper_32_bits(g->vals[pos]);
		pos++;
		if (!cnt || off >= HV_HYP_PAGE_SIZE)
			return false;
		npfn = DIV_ROUND_UP((u64)off + cnt, HV_HYP_PAGE_SIZE);
		if (npfn > g->count - pos)
			return false;
		for (j = 0; j < npfn; j++)
			if (!hvsim_vmbus_pfn_page(g->vals[pos + j]))
				return false;
		pos += npfn;
		pages += npfn;
	}
	g->pages = pages;
	return true;
}

/**
 * hvsim_chan_map_gpadl() - map a GPADL of a device for its VSP.
 * @chan: a channel of the device.
 * @id: the GPADL's ID, as the guest named it in its own protocol.
 * @len: the GPADL's byte count, on success.
 *
 * The GPADL must be accepted, created on the device's primary channel,
 * not a ring, and one range at offset 0 (a buffer such as netvsc's
 * receive and send buffers, which OpenVMM requires the same way).  Its
 * pages are pinned (a page reference each) and mapped contiguously; a
 * GPADL the guest tears down while mapped stays pinned until the VSP
 * unmaps it, so that the host never writes to memory the guest reused.
 *
 * Context: a VSP op (the host's mutex held).
 * Return: the mapping, for hvsim_chan_unmap_gpadl(); an ERR_PTR: -ENOENT
 * for no such GPADL, -EINVAL for one of the wrong shape or channel,
 * -ENOMEM.
 */
void *hvsim_chan_map_gpadl(struct hvsim_vmbus_chan *chan, u32 id, u32 *len)
{
	struct hvsim_vmbus_gpadl *g;
	struct page **pages;
	u32 i, n;
	void *va;

	lockdep_assert_held(&chan->host->lock);
	g = hvsim_vmbus_find_gpadl(chan->host, id);
	if (!g)
		return ERR_PTR(-ENOENT);
	if (g->state != HVSIM_GPADL_ACCEPTED || g->ring_of ||
	    g->relid != chan->dev->chan[0].relid || g->rangecount != 1 ||
	    upper_32_bits(g->vals[0]) || !g->pages)
		return ERR_PTR(-EINVAL);
	n = g->pages;
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++) {
		pages[i] = hvsim_vmbus_pfn_page(g->vals[1 + i]);
		if (!pages[i]) {
			kvfree(pages);
			return ERR_PTR(-EINVAL);
		}
	}
	va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (va) {
		for (i = 0; i < n; i++)
			get_page(pages[i]);
	}
	kvfree(pages);
	if (!va)
		return ERR_PTR(-ENOMEM);
	*len = lower_32_bits(g->vals[0]);
	return va;
}
EXPORT_SYMBOL_GPL(hvsim_chan_map_gpadl);

/**
 * hvsim_chan_unmap_gpadl() - undo hvsim_chan_map_gpadl().
 * @va: the mapping.
 * @len: the byte count it returned.
 *
 * Context: process context.
 */
void hvsim_chan_unmap_gpadl(void *va, u32 len)
{
	u32 i, n = DIV_ROUND_UP(len, PAGE_SIZE);
	struct page **pages;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL | __GFP_NOFAIL);
	for (i = 0; i < n; i++)
		pages[i] = vmalloc_to_page(va + i * PAGE_SIZE);
	vunmap(va);
	for (i = 0; i < n; i++)
		put_page(pages[i]);
	kvfree(pages);
}
EXPORT_SYMBOL_GPL(hvsim_chan_unmap_gpadl);

static void hvsim_vmbus_gpadl_reply(struct hvsim_vmbus *host, u32 relid,
				    u32 id, u32 status)
{
	struct vmbus_channel_gpadl_created r = {
		.header.msgtype = CHANNELMSG_GPADL_CREATED,
		.child_relid = relid,
		.gpadl = id,
		.creation_status = status,
	};

	hvsim_vmbus_send(host, &r, sizeof(r));
}

/* All values are in: accept the GPADL or refuse it. */
static void hvsim_vmbus_gpadl_complete(struct hvsim_vmbus *host,
				       struct hvsim_vmbus_gpadl *g)
{
	u64 limit = (u64)hvsim_vmbus_knob(host, HVSIM_KNOB_GPADL_LIMIT_MB) << 20;
	u32 relid = g->relid, id = g->id;
	u64 bytes;

	if (!hvsim_vmbus_gpadl_ok(g))
		goto refuse;
	bytes = (u64)g->pages * HV_HYP_PAGE_SIZE;
	if (host->gpadl_bytes + bytes > limit) {
		host->gpadl_refused++;
		pr_info_ratelimited("GPADL %#x of %llu KiB refused: %llu KiB of %u MiB in use\n",
				    id, bytes >> 10, host->gpadl_bytes >> 10,
				    hvsim_vmbus_knob(host, HVSIM_KNOB_GPADL_LIMIT_MB));
		goto refuse;
	}
	g->state = HVSIM_GPADL_ACCEPTED;
	host->gpadl_receiving--;
	host->gpadl_bytes += bytes;
	host->gpadl_count++;
	hvsim_vmbus_gpadl_reply(host, relid, id, 0);
	return;

refuse:
	hvsim_vmbus_free_gpadl(host, g);
	hvsim_vmbus_gpadl_reply(host, relid, id,
				HVSIM_VMBUS_STATUS_UNSUCCESSFUL);
}

/* Append up to @n values of a message; extra ones are ignored. */
static void hvsim_vmbus_gpadl_append(struct hvsim_vmbus_gpadl *g,
				     const u8 *p, u32 n)
{
	n = min(n, g->count - g->have);
	while (n--) {
		g->vals[g->have++] = get_unaligned_le64(p);
		p += 8;
	}
}

/* ------------------------------------------------------------------------
 * Open and close.
 */

/* Map the ring GPADL: each ring's control page, then its data twice. */
static int hvsim_chan_map(struct hvsim_vmbus_chan *chan,
			  struct hvsim_vmbus_gpadl *g, u32 split)
{
	u32 parts[2][2] = { { 0, split }, { split, g->pages } };
	u32 n = 2 * g->pages - 2, k = 0, p, i, rep;
	struct page **pages;
	u8 *map;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (p = 0; p < 2; p++) {
		pages[k++] = hvsim_vmbus_pfn_page(g->vals[1 + parts[p][0]]);
		for (rep = 0; rep < 2; rep++)
			for (i = parts[p][0] + 1; i < parts[p][1]; i++)
				pages[k++] = hvsim_vmbus_pfn_page(g->vals[1 + i]);
	}
	for (i = 0; i < n; i++) {
		if (!pages[i]) {
			kvfree(pages);
			return -EFAULT;
		}
	}
	map = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!map)
		return -ENOMEM;
	chan->map = map;
	chan->in.ctrl = (void *)map;
	chan->in.data = map + PAGE_SIZE;
	chan->in.size = (split - 1) * PAGE_SIZE;
	map += (2 * split - 1) * PAGE_SIZE;
	chan->out.ctrl = (void *)map;
	chan->out.data = map + PAGE_SIZE;
	chan->out.size = (g->pages - split - 1) * PAGE_SIZE;
	return 0;
}

static void hvsim_chan_unmap(struct hvsim_vmbus_chan *chan)
{
	vunmap(chan->map);
	chan->map = NULL;
	memset(&chan->in, 0, sizeof(chan->in));
	memset(&chan->out, 0, sizeof(chan->out));
}

/*
 * Open @chan on the rings of GPADL @id (the checks of OpenVMM's device
 * side: a known, accepted GPADL of this channel, one range at offset 0 of
 * whole pages, each ring a control page and at least one data page,
 * indices in range).  Returns 0 or a negative errno.
 */
static int hvsim_chan_open(struct hvsim_vmbus_chan *chan,
			   const struct vmbus_channel_open_channel *msg)
{
	struct hvsim_vmbus *host = chan->host;
	u32 split = msg->downstream_ringbuffer_pageoffset;
	u32 vp = msg->target_vp;
	struct hvsim_vmbus_gpadl *g;
	int ret;

	g = hvsim_vmbus_find_gpadl(host, msg->ringbuffer_gpadlhandle);
	if (!g || g->state != HVSIM_GPADL_ACCEPTED || g->relid != chan->relid ||
	    g->ring_of || g->rangecount != 1 || upper_32_bits(g->vals[0]) ||
	    (u64)lower_32_bits(g->vals[0]) != (u64)g->pages * PAGE_SIZE)
		return -EINVAL;
	if (split < 2 || g->pages < 4 || split > g->pages - 2)
		return -EINVAL;
	if (vp != HVSIM_VMBUS_NO_VP && !host->sink->vp_valid(host->ctx, vp))
		return -EINVAL;

	ret = hvsim_chan_map(chan, g, split);
	if (ret)
		return ret;
	chan->in_read = READ_ONCE(chan->in.ctrl->read_index);
	chan->out_write = READ_ONCE(chan->out.ctrl->write_index);
	if (!hvsim_ring_index_ok(&chan->in, chan->in_read) ||
	    !hvsim_ring_index_ok(&chan->out, chan->out_write)) {
		ret = -EINVAL;
		goto err_unmap;
	}
	chan->rxbuf = kvmalloc(chan->in.size, GFP_KERNEL);
	if (!chan->rxbuf) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	chan->target_vp = vp;
	chan->broken = false;
	chan->modifying = false;
	chan->waiting_space = false;
	chan->polling = false;
	chan->state = HVSIM_CHAN_OPEN;
	if (chan->dev->vsp && chan->dev->vsp->open) {
		ret = chan->dev->vsp->open(chan);
		if (ret)
			goto err_free;
	}

	/* The host writes pending_send_sz in its ring; it reads, masked. */
	WRITE_ONCE(chan->out.ctrl->feature_bits.value, 1);
	WRITE_ONCE(chan->out.ctrl->pending_send_sz, 0);
	WRITE_ONCE(chan->in.ctrl->interrupt_mask, 1);
	chan->waiting_data = false;
	if (chan->paused && !chan->masked) {
		WRITE_ONCE(chan->in.ctrl->interrupt_mask, 0);
		chan->waiting_data = true;
	}
	g->ring_of = chan;
	chan->gpadl = g;
	host->open++;
	if (chan->monitored)
		hvsim_vmbus_timer_kick(host, 1);
	return 0;

err_free:
	chan->state = HVSIM_CHAN_CLOSED;
	kvfree(chan->rxbuf);
	chan->rxbuf = NULL;
err_unmap:
	hvsim_chan_unmap(chan);
	return ret;
}

/*
 * Close @chan: the VSP stops, the host stops touching the rings.  A ring
 * GPADL the guest tore down meanwhile goes now, with GPADL_TORNDOWN when
 * @notify.
 */
static void hvsim_chan_close(struct hvsim_vmbus_chan *chan, bool notify)
{
	struct hvsim_vmbus *host = chan->host;
	struct vmbus_channel_gpadl_torndown t = {
		.header.msgtype = CHANNELMSG_GPADL_TORNDOWN,
	};
	struct hvsim_vmbus_gpadl *g = chan->gpadl;

	if (chan->state != HVSIM_CHAN_OPEN)
		return;
	if (chan->dev->vsp && chan->dev->vsp->close)
		chan->dev->vsp->close(chan);
	hvsim_chan_free_replies(chan);
	hvsim_chan_unmap(chan);
	kvfree(chan->rxbuf);
	chan->rxbuf = NULL;
	chan->state = HVSIM_CHAN_CLOSED;
	chan->modifying = false;
	chan->waiting_data = false;
	chan->waiting_space = false;
	chan->polling = false;
	chan->gpadl = NULL;
	host->open--;
	g->ring_of = NULL;
	if (g->state == HVSIM_GPADL_TEARDOWN) {
		t.gpadl = g->id;
		hvsim_vmbus_free_gpadl(host, g);
		if (notify)
			hvsim_vmbus_send(host, &t, sizeof(t));
	}
}

/* ------------------------------------------------------------------------
 * Devices, channels, relids and monitor IDs.
 */

static struct hvsim_vmbus_chan *hvsim_vmbus_find_chan(struct hvsim_vmbus *host,
						      u32 relid)
{
	if (!relid || relid > HVSIM_VMBUS_MAX_RELID)
		return NULL;
	return host->chans[relid];
}

/* The guest no longer holds @chan: its relid, GPADLs and monitor go. */
static void hvsim_chan_unassign(struct hvsim_vmbus *host,
				struct hvsim_vmbus_chan *chan)
{
	hvsim_chan_close(chan, false);
	if (chan->relid) {
		hvsim_vmbus_drop_gpadls(host, chan->relid);
		host->chans[chan->relid] = NULL;
		clear_bit(chan->relid, host->signalled);
		clear_bit(chan->relid, host->relids);
		chan->relid = 0;
	}
	if (chan->monitor_id != HVSIM_VMBUS_NO_MONITOR) {
		clear_bit(chan->monitor_id, host->monitors);
		chan->monitor_id = HVSIM_VMBUS_NO_MONITOR;
	}
	chan->monitored = false;
	chan->withdrawn = false;
	chan->reoffer = false;
	chan->state = HVSIM_CHAN_OFFERED;
}

static unsigned int hvsim_dev_nchans(struct hvsim_vmbus_dev *dev)
{
	return 1 + dev->cfg.subch;
}

static void hvsim_vmbus_unassign(struct hvsim_vmbus *host,
				 struct hvsim_vmbus_dev *dev)
{
	unsigned int i;

	for (i = 0; i < hvsim_dev_nchans(dev); i++)
		hvsim_chan_unassign(host, &dev->chan[i]);
	dev->nsub = 0;
}

/* Whether the guest still holds a relid of @dev. */
static bool hvsim_dev_held(struct hvsim_vmbus_dev *dev)
{
	unsigned int i;

	for (i = 0; i < hvsim_dev_nchans(dev); i++)
		if (dev->chan[i].relid)
			return true;
	return false;
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
 * Give @chan a relid (unless it inherits one) and a monitor ID if its
 * device wants one, then offer it.  -ENOSPC when the relids ran out.
 */
static int hvsim_vmbus_offer_chan(struct hvsim_vmbus *host,
				  struct hvsim_vmbus_chan *chan)
{
	struct hvsim_vmbus_dev *dev = chan->dev;
	struct vmbus_channel_offer_channel msg = {
		.header.msgtype = CHANNELMSG_OFFERCHANNEL,
	};
	unsigned long bit;

	lockdep_assert_held(&host->lock);
	if (!chan->relid) {
		bit = find_next_zero_bit(host->relids,
					 HVSIM_VMBUS_MAX_RELID + 1, 1);
		if (bit > HVSIM_VMBUS_MAX_RELID) {
			pr_warn_ratelimited("no relid left for %pUl\n",
					    &dev->cfg.instance_id);
			return -ENOSPC;
		}
		set_bit(bit, host->relids);
		chan->relid = bit;
	}
	host->chans[chan->relid] = chan;
	chan->sig_base = atomic64_read(&host->signals[chan->relid]);
	chan->sig_seen = 0;
	chan->unneeded = 0;
	chan->irqs = 0;
	chan->lag_irqs = 0;
	chan->rx = 0;
	chan->tx = 0;
	chan->state = HVSIM_CHAN_OFFERED;
	chan->target_vp = HVSIM_VMBUS_NO_VP;
	if (dev->cfg.monitor && chan->monitor_id == HVSIM_VMBUS_NO_MONITOR) {
		bit = find_first_zero_bit(host->monitors,
					  HVSIM_VMBUS_MONITOR_IDS);
		/* Out of monitor IDs: offered without one. */
		if (bit < HVSIM_VMBUS_MONITOR_IDS) {
			set_bit(bit, host->monitors);
			chan->monitor_id = bit;
		}
	}

	msg.offer.if_type = dev->cfg.class_id;
	msg.offer.if_instance = dev->cfg.instance_id;
	msg.offer.chn_flags = dev->cfg.flags;
	msg.offer.mmio_megabytes = dev->cfg.mmio_mb;
	msg.offer.sub_channel_index = chan->index;
	msg.child_relid = chan->relid;
	/* The ID is sent only to a guest that gave monitor pages. */
	chan->monitored = chan->monitor_id != HVSIM_VMBUS_NO_MONITOR &&
			  host->monitor_page1;
	if (chan->monitored) {
		msg.monitorid = chan->monitor_id;
		msg.monitor_allocated = 1;
	} else {
		msg.monitorid = HVSIM_VMBUS_NO_MONITOR;
	}
	/*
	 * Every channel has a dedicated interrupt from Win8 on; below it the
	 * guest signals through its interrupt page, which Linux does only
	 * for a channel offered without one.
	 */
	msg.is_dedicated_interrupt = host->version >= VERSION_WIN8;
	msg.connection_id = HVSIM_VMBUS_CHAN_CONN_ID(chan->relid);
	hvsim_vmbus_send(host, &msg, sizeof(msg));
	return 0;
}

static void hvsim_vmbus_offer(struct hvsim_vmbus *host,
			      struct hvsim_vmbus_dev *dev)
{
	if (!hvsim_vmbus_offer_chan(host, &dev->chan[0]))
		dev->state = HVSIM_DEV_OFFERED;
}

/**
 * hvsim_chan_offer_subchannels() - offer a device's sub-channels.
 * @chan: any channel of the device.
 * @want: how many sub-channels the guest wants in all.
 *
 * Offers those not offered yet, up to the device's maximum, with
 * sub_channel_index 1, 2, ...; their OFFERCHANNEL messages queue behind
 * what the host sent before.
 *
 * Context: a VSP op (process context, the host's mutex held).
 * Return: the number of sub-channels the device has now; -ENODEV when
 * the device is not offered; -ENOSPC when the relids ran out.
 */
int hvsim_chan_offer_subchannels(struct hvsim_vmbus_chan *chan,
				 unsigned int want)
{
	struct hvsim_vmbus_dev *dev = chan->dev;
	struct hvsim_vmbus *host = chan->host;
	struct hvsim_vmbus_chan *sc;
	int ret;

	lockdep_assert_held(&host->lock);
	if (dev->state != HVSIM_DEV_OFFERED)
		return -ENODEV;
	want = min_t(unsigned int, want, dev->cfg.subch);
	while (dev->nsub < want) {
		sc = &dev->chan[dev->nsub + 1];
		if (sc->withdrawn) {
			/* Its old relid is still the guest's: offered anew
			 * once the guest releases it.
			 */
			sc->reoffer = true;
		} else {
			ret = hvsim_vmbus_offer_chan(host, sc);
			if (ret)
				return ret;
		}
		dev->nsub++;
	}
	return dev->nsub;
}
EXPORT_SYMBOL_GPL(hvsim_chan_offer_subchannels);

/**
 * hvsim_chan_rescind_subchannels() - take back a device's sub-channels.
 * @chan: the device's primary channel, in its close by the guest.
 *
 * What Hyper-V does when a guest closes a primary channel: each
 * sub-channel offered is closed (if the guest left it open) and
 * rescinded.  A later hvsim_chan_offer_subchannels() offers them again,
 * each under a new relid once the guest has released the old one.  For a
 * VSP's close op: only the guest's CLOSECHANNEL of @chan does it, not a
 * rescind of the device or the end of the connection.
 *
 * Context: a VSP's close op (process context, the host's mutex held).
 * Return: the number of sub-channels rescinded; -EPERM outside the
 * guest's close of an offered device's primary channel.
 */
int hvsim_chan_rescind_subchannels(struct hvsim_vmbus_chan *chan)
{
	struct vmbus_channel_rescind_offer msg = {
		.header.msgtype = CHANNELMSG_RESCIND_CHANNELOFFER,
	};
	struct hvsim_vmbus_dev *dev = chan->dev;
	struct hvsim_vmbus *host = chan->host;
	struct hvsim_vmbus_chan *sc;
	unsigned int i;
	int n = 0;

	lockdep_assert_held(&host->lock);
	if (chan->index || host->guest_closing != chan ||
	    dev->state != HVSIM_DEV_OFFERED)
		return -EPERM;
	for (i = 1; i < hvsim_dev_nchans(dev); i++) {
		sc = &dev->chan[i];
		sc->reoffer = false;
		if (!sc->relid || sc->withdrawn)
			continue;
		hvsim_chan_close(sc, true);
		sc->withdrawn = true;
		msg.child_relid = sc->relid;
		hvsim_vmbus_send(host, &msg, sizeof(msg));
		n++;
	}
	dev->nsub = 0;
	return n;
}
EXPORT_SYMBOL_GPL(hvsim_chan_rescind_subchannels);

/*
 * Rescind every channel the guest holds: the host closes it (a ring
 * GPADL torn down meanwhile gets its GPADL_TORNDOWN), then
 * RESCIND_CHANNELOFFER.
 */
static void hvsim_vmbus_rescind_dev(struct hvsim_vmbus *host,
				    struct hvsim_vmbus_dev *dev)
{
	struct vmbus_channel_rescind_offer msg = {
		.header.msgtype = CHANNELMSG_RESCIND_CHANNELOFFER,
	};
	unsigned int i;

	dev->state = HVSIM_DEV_RESCINDED;
	for (i = 0; i < hvsim_dev_nchans(dev); i++) {
		/* A withdrawn sub-channel was rescinded already. */
		if (!dev->chan[i].relid || dev->chan[i].withdrawn)
			continue;
		hvsim_chan_close(&dev->chan[i], true);
		msg.child_relid = dev->chan[i].relid;
		hvsim_vmbus_send(host, &msg, sizeof(msg));
	}
}

static struct hvsim_vmbus_dev *
hvsim_vmbus_find_relid(struct hvsim_vmbus *host, u32 relid)
{
	struct hvsim_vmbus_chan *chan = hvsim_vmbus_find_chan(host, relid);

	return chan ? chan->dev : NULL;
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
 * itself): open channels are closed, GPADLs dropped, every relid and
 * monitor ID freed; rescinded devices go, the others wait for the next
 * REQUESTOFFERS.  The message target VP stays.
 */
static void hvsim_vmbus_disconnect(struct hvsim_vmbus *host)
{
	struct hvsim_vmbus_dev *dev, *tmp;
	struct hvsim_vmbus_gpadl *g, *gtmp;

	list_for_each_entry_safe(dev, tmp, &host->devices, node) {
		if (dev->state == HVSIM_DEV_RESCINDED) {
			hvsim_vmbus_free_dev(host, dev);
			continue;
		}
		hvsim_vmbus_unassign(host, dev);
		dev->state = HVSIM_DEV_CONFIGURED;
	}
	list_for_each_entry_safe(g, gtmp, &host->gpadls, node)
		hvsim_vmbus_free_gpadl(host, g);
	host->connected = false;
	host->offers_sent = false;
	host->version = 0;
	WRITE_ONCE(host->version_seen, 0);
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

	if (version > hvsim_vmbus_knob(host, HVSIM_KNOB_MAX_VERSION))
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
	WRITE_ONCE(host->version_seen, version);
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
	struct hvsim_vmbus_chan *chan, *nchan;
	struct hvsim_vmbus_dev *dev, *next = NULL;
	u32 relid = msg->child_relid;

	chan = hvsim_vmbus_find_chan(host, relid);
	/* Not while open (a rescind closes the channel itself). */
	if (!chan || chan->state == HVSIM_CHAN_OPEN) {
		host->dropped++;
		return;
	}
	dev = chan->dev;
	if (dev->state == HVSIM_DEV_OFFERED) {
		bool again = chan->reoffer;

		/* Not offered again on this connection, unless asked for. */
		hvsim_chan_unassign(host, chan);
		if (!chan->index)
			dev->state = HVSIM_DEV_RELEASED;
		else if (again)
			hvsim_vmbus_offer_chan(host, chan);
		return;
	}

	if (!chan->index)
		next = hvsim_vmbus_successor(host, dev);
	if (next) {
		/* The device added again takes over the relid. */
		hvsim_vmbus_drop_gpadls(host, relid);
		nchan = &next->chan[0];
		nchan->relid = relid;
		host->chans[relid] = nchan;
		chan->relid = 0;
	}
	hvsim_chan_unassign(host, chan);
	if (!hvsim_dev_held(dev))
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

/*
 * A GPADL starts: its range array is range_buflen / 8 values, the first
 * ones here, the rest in GPADL_BODY messages.  Refused at once for an
 * unknown relid, a duplicate ID, no range, or while
 * HVSIM_VMBUS_MAX_RECEIVING others are being received.
 */
static void hvsim_vmbus_gpadl_header(struct hvsim_vmbus *host,
				     const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_gpadl_header *msg = (const void *)in->data;
	u32 count = msg->range_buflen / 8;
	struct hvsim_vmbus_gpadl *g;

	if (!hvsim_vmbus_find_chan(host, msg->child_relid) || !count ||
	    !msg->rangecount || hvsim_vmbus_find_gpadl(host, msg->gpadl) ||
	    host->gpadl_receiving >= HVSIM_VMBUS_MAX_RECEIVING)
		goto refuse;
	g = kvzalloc(struct_size(g, vals, count), GFP_KERNEL);
	if (!g)
		goto refuse;
	g->count = count;
	g->id = msg->gpadl;
	g->relid = msg->child_relid;
	g->rangecount = msg->rangecount;
	g->state = HVSIM_GPADL_RECEIVING;
	host->gpadl_receiving++;
	list_add_tail(&g->node, &host->gpadls);
	hvsim_vmbus_gpadl_append(g, in->data + sizeof(*msg),
				 (in->len - sizeof(*msg)) / 8);
	if (g->have == g->count)
		hvsim_vmbus_gpadl_complete(host, g);
	return;

refuse:
	hvsim_vmbus_gpadl_reply(host, msg->child_relid, msg->gpadl,
				HVSIM_VMBUS_STATUS_UNSUCCESSFUL);
}

/*
 * More values of a GPADL being received.  A body for no such GPADL has
 * no relid to answer to: no reply.  A body with no value is bad: the
 * GPADL is refused.
 */
static void hvsim_vmbus_gpadl_body(struct hvsim_vmbus *host,
				   const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_gpadl_body *msg = (const void *)in->data;
	u32 n = (in->len - sizeof(*msg)) / 8;
	struct hvsim_vmbus_gpadl *g;
	u32 relid, id;

	g = hvsim_vmbus_find_gpadl(host, msg->gpadl);
	if (!g || g->state != HVSIM_GPADL_RECEIVING) {
		host->dropped++;
		return;
	}
	if (!n) {
		relid = g->relid;
		id = g->id;
		hvsim_vmbus_free_gpadl(host, g);
		hvsim_vmbus_gpadl_reply(host, relid, id,
					HVSIM_VMBUS_STATUS_UNSUCCESSFUL);
		return;
	}
	hvsim_vmbus_gpadl_append(g, in->data + sizeof(*msg), n);
	if (g->have == g->count)
		hvsim_vmbus_gpadl_complete(host, g);
}

/*
 * Only an accepted GPADL of the named relid is torn down; GPADL_TORNDOWN
 * follows at once, or when the channel whose ring it is closes.
 */
static void hvsim_vmbus_gpadl_teardown(struct hvsim_vmbus *host,
				       const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_gpadl_teardown *msg = (const void *)in->data;
	struct vmbus_channel_gpadl_torndown t = {
		.header.msgtype = CHANNELMSG_GPADL_TORNDOWN,
		.gpadl = msg->gpadl,
	};
	struct hvsim_vmbus_gpadl *g;

	g = hvsim_vmbus_find_gpadl(host, msg->gpadl);
	if (!g || g->state != HVSIM_GPADL_ACCEPTED ||
	    g->relid != msg->child_relid) {
		host->dropped++;
		return;
	}
	if (g->ring_of) {
		g->state = HVSIM_GPADL_TEARDOWN;
		return;
	}
	hvsim_vmbus_free_gpadl(host, g);
	hvsim_vmbus_send(host, &t, sizeof(t));
}

/*
 * OPENCHANNEL of a channel the guest holds, closed and not rescinded
 * (anything else gets no reply); OPENCHANNEL_RESULT echoes open_id.
 */
static void hvsim_vmbus_open_channel(struct hvsim_vmbus *host,
				     const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_open_channel *msg = (const void *)in->data;
	struct vmbus_channel_open_result r = {
		.header.msgtype = CHANNELMSG_OPENCHANNEL_RESULT,
		.child_relid = msg->child_relid,
		.openid = msg->openid,
		.status = HVSIM_VMBUS_STATUS_UNSUCCESSFUL,
	};
	struct hvsim_vmbus_chan *chan;
	int ret;

	chan = hvsim_vmbus_find_chan(host, msg->child_relid);
	if (!chan || chan->dev->state != HVSIM_DEV_OFFERED ||
	    chan->state == HVSIM_CHAN_OPEN || chan->withdrawn) {
		host->dropped++;
		return;
	}
	ret = hvsim_chan_open(chan, msg);
	if (!ret)
		r.status = 0;
	hvsim_vmbus_send(host, &r, sizeof(r));
	/* Start reading: the mask goes to 0 once the ring is empty. */
	if (!ret)
		hvsim_chan_run(chan);
}

/* No reply, ever; a no-op on a rescinded channel. */
static void hvsim_vmbus_close_channel(struct hvsim_vmbus *host,
				      const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_close_channel *msg = (const void *)in->data;
	struct hvsim_vmbus_chan *chan;

	chan = hvsim_vmbus_find_chan(host, msg->child_relid);
	if (chan && chan->dev->state == HVSIM_DEV_RESCINDED)
		return;
	if (!chan || chan->state != HVSIM_CHAN_OPEN) {
		host->dropped++;
		return;
	}
	host->guest_closing = chan;
	hvsim_chan_close(chan, true);
	host->guest_closing = NULL;
}

static void hvsim_vmbus_modify_reply(struct hvsim_vmbus *host, u32 relid,
				     u32 status)
{
	struct vmbus_channel_modifychannel_response r = {
		.header.msgtype = CHANNELMSG_MODIFYCHANNEL_RESPONSE,
		.child_relid = relid,
		.status = status,
	};

	/* No response before 5.3. */
	if (host->version < VERSION_WIN10_V5_3) {
		if (status)
			host->dropped++;
		return;
	}
	hvsim_vmbus_send(host, &r, sizeof(r));
}

/*
 * Move an open channel's interrupts to another VP.  The old VP keeps
 * getting them for modify_lag_ms, as a real host's move takes a while;
 * then the switch, and the response from 5.3.
 */
static void hvsim_vmbus_modifychannel(struct hvsim_vmbus *host,
				      const struct hvsim_vmbus_in *in)
{
	const struct vmbus_channel_modifychannel *msg = (const void *)in->data;
	struct hvsim_vmbus_chan *chan;

	chan = hvsim_vmbus_find_chan(host, msg->child_relid);
	if (!chan || chan->dev->state != HVSIM_DEV_OFFERED ||
	    chan->state != HVSIM_CHAN_OPEN ||
	    chan->target_vp == HVSIM_VMBUS_NO_VP ||
	    msg->target_vp == HVSIM_VMBUS_NO_VP ||
	    !host->sink->vp_valid(host->ctx, msg->target_vp)) {
		hvsim_vmbus_modify_reply(host, msg->child_relid,
					 HVSIM_VMBUS_STATUS_UNSUCCESSFUL);
		return;
	}
	if (chan->modifying) {
		/* Below 5.3 the latest one wins; from 5.3 it is an error. */
		if (host->version >= VERSION_WIN10_V5_3)
			host->dropped++;
		else
			chan->new_vp = msg->target_vp;
		return;
	}
	chan->modifying = true;
	chan->new_vp = msg->target_vp;
	chan->modify_at = jiffies +
			  msecs_to_jiffies(hvsim_vmbus_knob(host, HVSIM_KNOB_MODIFY_LAG_MS));
	hvsim_vmbus_timer_kick(host, 0);
}

static void hvsim_chan_modify_done(struct hvsim_vmbus_chan *chan)
{
	chan->modifying = false;
	chan->target_vp = chan->new_vp;
	hvsim_vmbus_modify_reply(chan->host, chan->relid, 0);
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

/* Channels have signals to handle. */
static bool hvsim_vmbus_chans_runnable(struct hvsim_vmbus *host)
{
	return atomic_read(&host->legacy_scan) ||
	       !bitmap_empty(host->signalled, HVSIM_VMBUS_MAX_RELID + 1);
}

/*
 * Below 2.4 a guest signals through the second half of its interrupt
 * page: each set bit is a signal of that relid.  On connection 2 every
 * bit is looked at; on a channel's own connection (Linux signals it after
 * setting the bit) only its own bit is cleared, already counted.
 */
static void hvsim_vmbus_scan_legacy(struct hvsim_vmbus *host)
{
	unsigned int relid;

	if (host->version >= VERSION_WIN8 || !host->interrupt_page)
		return;
	for_each_set_bit(relid, host->relids, HVSIM_VMBUS_MAX_RELID + 1) {
		if (!hvsim_vmbus_gpa_bit(host->interrupt_page,
					 HVSIM_INT_PAGE_HALF_BITS + relid,
					 false))
			continue;
		atomic64_inc(&host->signals[relid]);
		set_bit(relid, host->signalled);
	}
}

static void hvsim_vmbus_run_chans(struct hvsim_vmbus *host)
{
	struct hvsim_vmbus_chan *chan;
	unsigned int relid;

	lockdep_assert_held(&host->lock);
	if (atomic_xchg(&host->legacy_scan, 0))
		hvsim_vmbus_scan_legacy(host);
	for_each_set_bit(relid, host->signalled, HVSIM_VMBUS_MAX_RELID + 1) {
		if (!test_and_clear_bit(relid, host->signalled))
			continue;
		chan = host->chans[relid];
		if (!chan)
			continue;
		if (host->version < VERSION_WIN8 && host->interrupt_page)
			hvsim_vmbus_gpa_bit(host->interrupt_page,
					    HVSIM_INT_PAGE_HALF_BITS + relid,
					    false);
		hvsim_chan_run(chan);
	}
}

/*
 * The host's timed work: MODIFYCHANNEL lags that end, monitor pages of
 * open monitored channels (the guest's pending bits, every 1 ms) and
 * full rings the host polls (pend off, every 1 ms).
 */
static void hvsim_vmbus_timer_fn(struct work_struct *work)
{
	struct hvsim_vmbus *host = container_of(to_delayed_work(work),
						struct hvsim_vmbus, timer);
	unsigned long now = jiffies, next = 0;
	struct hvsim_vmbus_chan *chan;
	unsigned int relid;
	bool poll = false;

	mutex_lock(&host->lock);
	for_each_set_bit(relid, host->relids, HVSIM_VMBUS_MAX_RELID + 1) {
		chan = host->chans[relid];
		if (!chan || chan->state != HVSIM_CHAN_OPEN)
			continue;
		if (chan->modifying) {
			if (time_after_eq(now, chan->modify_at))
				hvsim_chan_modify_done(chan);
			else if (!next || time_before(chan->modify_at, next))
				next = chan->modify_at;
		}
		if (chan->monitored && host->monitor_page2) {
			poll = true;
			if (hvsim_vmbus_gpa_bit(host->monitor_page2,
						HVSIM_MONITOR_PENDING_BIT(chan->monitor_id),
						false)) {
				atomic64_inc(&host->signals[relid]);
				set_bit(relid, host->signalled);
			}
		}
		if (chan->polling) {
			poll = true;
			set_bit(relid, host->signalled);
		}
	}
	hvsim_vmbus_run_chans(host);
	if (!host->dying) {
		if (poll)
			queue_delayed_work(host->wq, &host->timer,
					   msecs_to_jiffies(1));
		else if (next)
			queue_delayed_work(host->wq, &host->timer,
					   time_after(next, now) ? next - now : 0);
	}
	mutex_unlock(&host->lock);
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
	hvsim_vmbus_run_chans(host);
	more = hvsim_vmbus_runnable(host) || hvsim_vmbus_chans_runnable(host);
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
 * @conn_id: the connection ID an offer gave, or 2 (the shared event
 *	connection of versions below 2.4: the relids are the bits set in
 *	the second half of the guest's interrupt page).
 * @flag: the event flag number; ignored, as by OpenVMM.
 *
 * Counted per connection ID; the channel's host work runs later on the
 * host's workqueue.
 *
 * Context: any context but NMI (hard IRQ included).
 * Return: 0, or -ENXIO when no channel the guest holds has @conn_id.
 */
int hvsim_vmbus_signal(struct hvsim_vmbus *host, u32 conn_id, u16 flag)
{
	u32 relid = conn_id - HVSIM_VMBUS_CHAN_CONN_ID(0);
	u32 version = READ_ONCE(host->version_seen);

	if (conn_id == HVSIM_VMBUS_EVENT_CONN_ID && version &&
	    version < VERSION_WIN8) {
		atomic64_inc(&host->signals_legacy);
		atomic_set(&host->legacy_scan, 1);
		hvsim_vmbus_queue(host);
		return 0;
	}
	if (conn_id < HVSIM_VMBUS_CHAN_CONN_ID(0) ||
	    relid > HVSIM_VMBUS_MAX_RELID || !test_bit(relid, host->relids)) {
		atomic64_inc(&host->signals_refused);
		return -ENXIO;
	}
	atomic64_inc(&host->signals[relid]);
	set_bit(relid, host->signalled);
	hvsim_vmbus_queue(host);
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
 * Returns once every guest message posted and every signal given before
 * the call is handled, or the host waits for room at its sink.  Timed
 * host work (a MODIFYCHANNEL lag, polling) runs once more, early, but
 * waits on as it would.
 *
 * Context: process context; not from the sink.
 */
void hvsim_vmbus_flush(struct hvsim_vmbus *host)
{
	bool more;

	do {
		flush_work(&host->work);
		flush_delayed_work(&host->timer);
		mutex_lock(&host->lock);
		more = hvsim_vmbus_runnable(host) ||
		       hvsim_vmbus_chans_runnable(host);
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
 * HVSIM_VMBUS_MAX_DEVICES; -EINVAL for more than HVSIM_VMBUS_MAX_SUBCH
 * sub-channels; -ENOMEM.
 */
int hvsim_vmbus_add(struct hvsim_vmbus *host,
		    const struct hvsim_vmbus_dev_config *cfg)
{
	static const guid_t echo_class = HVSIM_ECHO_CLASS_GUID;
	struct hvsim_vmbus_dev *dev, *old;
	struct hvsim_vmbus_chan *chan;
	unsigned int i;
	int ret = 0;

	if (cfg->subch > HVSIM_VMBUS_MAX_SUBCH)
		return -EINVAL;
	dev = kzalloc(struct_size(dev, chan, 1 + cfg->subch), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->cfg = *cfg;
	dev->state = HVSIM_DEV_CONFIGURED;
	if (guid_equal(&cfg->class_id, &echo_class))
		dev->vsp = &hvsim_echo_vsp;
	else if (guid_equal(&cfg->class_id, &hvsim_storvsp_class))
		dev->vsp = &hvsim_storvsp_vsp;
	else if (guid_equal(&cfg->class_id, &hvsim_netvsp_class))
		dev->vsp = &hvsim_netvsp_vsp;
	else
		dev->vsp = hvsim_ic_vsp(&cfg->class_id);
	for (i = 0; i < hvsim_dev_nchans(dev); i++) {
		chan = &dev->chan[i];
		chan->host = host;
		chan->dev = dev;
		chan->index = i;
		chan->monitor_id = HVSIM_VMBUS_NO_MONITOR;
		chan->target_vp = HVSIM_VMBUS_NO_VP;
		chan->pend = true;
		INIT_LIST_HEAD(&chan->replies);
	}

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

/**
 * hvsim_vmbus_vsp_call() - run a VSP function for a device, as the host.
 * @host: the host.
 * @instance_id: the device.
 * @fn: called with the device's primary channel (open or not) and @arg,
 *	under the host's mutex, as a VSP op is; may send and publish.
 * @arg: for @fn.
 *
 * For events that start at the host rather than with a guest packet: a
 * link change, a LUN added.  What @fn wrote into the host-to-guest ring is
 * published and the guest interrupted as after a VSP op (hvsim_chan_send()
 * fails with -ENOTCONN on a channel that is not open).
 *
 * Context: process context; takes the host's mutex.
 * Return: what @fn returns; -ENODEV when no device has @instance_id.
 */
int hvsim_vmbus_vsp_call(struct hvsim_vmbus *host, const guid_t *instance_id,
			 int (*fn)(struct hvsim_vmbus_chan *chan, void *arg),
			 void *arg)
{
	struct hvsim_vmbus_dev *dev;
	struct hvsim_vmbus_chan *chan;
	u32 published;
	int ret;

	mutex_lock(&host->lock);
	dev = hvsim_vmbus_find_instance(host, instance_id);
	if (!dev || dev->state == HVSIM_DEV_RESCINDED) {
		mutex_unlock(&host->lock);
		return -ENODEV;
	}
	chan = &dev->chan[0];
	published = chan->out_write;
	ret = fn(chan, arg);
	if (chan->state == HVSIM_CHAN_OPEN && !chan->broken) {
		hvsim_chan_commit_write(chan, published);
		/* A reply waits for room: the channel's work asks for it. */
		if (!list_empty(&chan->replies)) {
			set_bit(chan->relid, host->signalled);
			hvsim_vmbus_queue(host);
		}
	}
	mutex_unlock(&host->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_vsp_call);

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
		/* Released, but the guest may hold sub-channels still. */
		if (dev->state == HVSIM_DEV_RELEASED && hvsim_dev_held(dev))
			hvsim_vmbus_rescind_dev(host, dev);
		else
			hvsim_vmbus_free_dev(host, dev);
		return 0;
	}
}

/**
 * hvsim_vmbus_rescind() - remove a device, by instance GUID.
 * @host: the host.
 * @instance_id: the device's instance GUID.
 *
 * A device the guest holds is rescinded (RESCIND_CHANNELOFFER for each of
 * its channels, which the host closes first) and freed when the guest has
 * released every relid; any other goes at once, silently.
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
 * hvsim_vmbus_knob() - one of the host's settings.
 * @host: the host.
 * @knob: which.
 *
 * Context: any.
 * Return: its value (see enum hvsim_vmbus_knob), 0 for no such knob.
 */
u32 hvsim_vmbus_knob(struct hvsim_vmbus *host, enum hvsim_vmbus_knob knob)
{
	if (knob >= HVSIM_KNOB_COUNT)
		return 0;
	return READ_ONCE(host->knobs[knob]);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_knob);

/**
 * hvsim_vmbus_set_knob() - change one of the host's settings.
 * @host: the host.
 * @knob: which.
 * @val: its new value; it applies from the next message it concerns
 *	(a connection, a GPADL or a MODIFYCHANNEL already taken stays).
 *
 * Context: any.
 */
void hvsim_vmbus_set_knob(struct hvsim_vmbus *host, enum hvsim_vmbus_knob knob,
			  u32 val)
{
	if (knob < HVSIM_KNOB_COUNT)
		WRITE_ONCE(host->knobs[knob], val);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_set_knob);

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
	st->signals_legacy = atomic64_read(&host->signals_legacy);
	st->unneeded = host->unneeded;
	st->irqs = host->irqs;
	st->lag_irqs = host->lag_irqs;
	st->corrupt = host->corrupt;
	st->gpadl_count = host->gpadl_count;
	st->gpadl_bytes = host->gpadl_bytes;
	st->gpadl_refused = host->gpadl_refused;
	st->channels_open = host->open;
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
		if (dev->chan[0].relid)
			seq_printf(m, "relid=%u", dev->chan[0].relid);
		else
			seq_puts(m, "relid=-");
		seq_printf(m, " state=%s class=%pUl instance=%pUl",
			   hvsim_vmbus_dev_states[dev->state],
			   &dev->cfg.class_id, &dev->cfg.instance_id);
		if (dev->chan[0].monitor_id != HVSIM_VMBUS_NO_MONITOR)
			seq_printf(m, " monitor=%u", dev->chan[0].monitor_id);
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
	seq_printf(m, "max_version %#x\n", hvsim_vmbus_knob(host, HVSIM_KNOB_MAX_VERSION));
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
	seq_printf(m, "signals_legacy %llu\n", st->signals_legacy);
	seq_printf(m, "unneeded %llu\n", st->unneeded);
	seq_printf(m, "irqs %llu\n", st->irqs);
	seq_printf(m, "lag_irqs %llu\n", st->lag_irqs);
	seq_printf(m, "corrupt %llu\n", st->corrupt);
	seq_printf(m, "channels_open %u\n", st->channels_open);
	seq_printf(m, "gpadl.count %llu\n", st->gpadl_count);
	seq_printf(m, "gpadl.bytes %llu\n", st->gpadl_bytes);
	seq_printf(m, "gpadl.refused %llu\n", st->gpadl_refused);
	seq_printf(m, "gpadl_limit_mb %u\n", hvsim_vmbus_knob(host, HVSIM_KNOB_GPADL_LIMIT_MB));
	seq_printf(m, "modify_lag_ms %u\n", hvsim_vmbus_knob(host, HVSIM_KNOB_MODIFY_LAG_MS));
	for (i = 1; i <= HVSIM_VMBUS_MAX_RELID; i++) {
		n = atomic64_read(&host->signals[i]);
		if (n)
			seq_printf(m, "signal.%#x %llu\n",
				   HVSIM_VMBUS_CHAN_CONN_ID(i), n);
	}
	kfree(st);
}

static const char *hvsim_chan_state_name(struct hvsim_vmbus_chan *chan)
{
	if (chan->dev->state == HVSIM_DEV_RESCINDED || chan->withdrawn)
		return "rescinded";
	switch (chan->state) {
	case HVSIM_CHAN_OPEN:
		return "open";
	case HVSIM_CHAN_CLOSED:
		return "closed";
	default:
		return "offered";
	}
}

static void hvsim_chan_fill_stats(struct hvsim_vmbus_chan *chan,
				  struct hvsim_chan_stats *st)
{
	/* Signals not run yet are accounted first. */
	hvsim_chan_account(chan);
	st->relid = chan->relid;
	st->index = chan->index;
	st->state = hvsim_chan_state_name(chan);
	st->target_vp = chan->target_vp;
	st->signals = chan->sig_seen;
	st->unneeded = chan->unneeded;
	st->irqs = chan->irqs;
	st->lag_irqs = chan->lag_irqs;
	st->rx = chan->rx;
	st->tx = chan->tx;
	st->paused = chan->paused;
	st->masked = chan->masked;
	st->pend = chan->pend;
	st->broken = chan->broken;
}

static void hvsim_chan_stats_act(struct hvsim_vmbus_chan *chan, void *arg)
{
	hvsim_chan_fill_stats(chan, arg);
}

/*
 * The per-channel controls: @act on the channel the guest holds as
 * @relid, under the host's mutex; @missing when it holds none.
 */
static int hvsim_vmbus_chan_do(struct hvsim_vmbus *host, u32 relid,
			       int missing,
			       void (*act)(struct hvsim_vmbus_chan *chan,
					   void *arg),
			       void *arg)
{
	struct hvsim_vmbus_chan *chan;
	int ret = missing;

	mutex_lock(&host->lock);
	chan = hvsim_vmbus_find_chan(host, relid);
	if (chan) {
		act(chan, arg);
		ret = 0;
	}
	mutex_unlock(&host->lock);
	return ret;
}

/**
 * hvsim_vmbus_chan_stats() - read one channel's counters and state.
 * @host: the host.
 * @relid: a relid the guest holds.
 * @st: filled in.
 *
 * Signals given since the host last ran the channel are accounted now.
 *
 * Context: process context; takes the host's mutex.
 * Return: 0, or -ENOENT when the guest holds no channel @relid.
 */
int hvsim_vmbus_chan_stats(struct hvsim_vmbus *host, u32 relid,
			   struct hvsim_chan_stats *st)
{
	return hvsim_vmbus_chan_do(host, relid, -ENOENT, hvsim_chan_stats_act,
				   st);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_chan_stats);

static void hvsim_chan_pause_act(struct hvsim_vmbus_chan *chan, void *arg)
{
	bool mask = *(bool *)arg;

	hvsim_chan_account(chan);
	chan->paused = true;
	chan->masked = mask;
	if (chan->state == HVSIM_CHAN_OPEN && !chan->broken) {
		WRITE_ONCE(chan->in.ctrl->interrupt_mask, mask);
		chan->waiting_data = !mask;
	}
}

/**
 * hvsim_vmbus_pause() - stop reading a channel's guest-to-host ring.
 * @host: the host.
 * @relid: a relid the guest holds.
 * @mask: also keep interrupt_mask at 1 in that ring, as a polling host
 *	would; without it the mask is 0 and the host counts as waiting for
 *	data (the next signal with data there is needed).
 *
 * Signals are still counted.  Applies to a channel opened later too.
 *
 * Context: process context; takes the host's mutex.
 * Return: 0, or -EINVAL when the guest holds no channel @relid.
 */
int hvsim_vmbus_pause(struct hvsim_vmbus *host, u32 relid, bool mask)
{
	return hvsim_vmbus_chan_do(host, relid, -EINVAL, hvsim_chan_pause_act,
				   &mask);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_pause);

static void hvsim_chan_resume_act(struct hvsim_vmbus_chan *chan, void *arg)
{
	hvsim_chan_account(chan);
	chan->paused = false;
	chan->masked = false;
	hvsim_chan_run(chan);
}

/**
 * hvsim_vmbus_resume() - read a paused channel's ring again.
 * @host: the host.
 * @relid: a relid the guest holds.
 *
 * The host reads what is there, then waits with interrupt_mask 0.
 *
 * Context: process context; takes the host's mutex.
 * Return: 0, or -EINVAL when the guest holds no channel @relid.
 */
int hvsim_vmbus_resume(struct hvsim_vmbus *host, u32 relid)
{
	return hvsim_vmbus_chan_do(host, relid, -EINVAL, hvsim_chan_resume_act,
				   NULL);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_resume);

static void hvsim_chan_set_pend_act(struct hvsim_vmbus_chan *chan, void *arg)
{
	chan->pend = *(bool *)arg;
	if (chan->state == HVSIM_CHAN_OPEN && !chan->broken &&
	    !list_empty(&chan->replies)) {
		hvsim_chan_space_done(chan);
		hvsim_chan_run(chan);
	}
}

/**
 * hvsim_vmbus_set_pend() - whether the host asks for room in its ring.
 * @host: the host.
 * @relid: a relid the guest holds.
 * @on: true (the default): the host sets pending_send_sz when the
 *	host-to-guest ring is full and waits for the guest's signal; false:
 *	it never writes the field and polls the ring every 1 ms instead.
 *
 * Context: process context; takes the host's mutex.
 * Return: 0, or -EINVAL when the guest holds no channel @relid.
 */
int hvsim_vmbus_set_pend(struct hvsim_vmbus *host, u32 relid, bool on)
{
	return hvsim_vmbus_chan_do(host, relid, -EINVAL,
				   hvsim_chan_set_pend_act, &on);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_set_pend);

/* debugfs "channels": one line per channel the guest holds. */
void hvsim_vmbus_show_channels(struct hvsim_vmbus *host, struct seq_file *m)
{
	struct hvsim_vmbus_chan *chan;
	struct hvsim_chan_stats st;
	unsigned int relid;

	mutex_lock(&host->lock);
	for_each_set_bit(relid, host->relids, HVSIM_VMBUS_MAX_RELID + 1) {
		chan = host->chans[relid];
		if (!chan)
			continue;
		hvsim_chan_fill_stats(chan, &st);
		seq_printf(m, "relid=%u instance=%pUl sub=%u state=%s vp=%u signals=%llu unneeded=%llu irqs=%llu lag_irqs=%llu rx=%llu tx=%llu paused=%d masked=%d pend=%d broken=%d\n",
			   st.relid, &chan->dev->cfg.instance_id, st.index,
			   st.state, st.target_vp, st.signals, st.unneeded,
			   st.irqs, st.lag_irqs, st.rx, st.tx, st.paused,
			   st.masked, st.pend, st.broken);
	}
	mutex_unlock(&host->lock);
}

/* debugfs "gpadls": one line per GPADL. */
void hvsim_vmbus_show_gpadls(struct hvsim_vmbus *host, struct seq_file *m)
{
	struct hvsim_vmbus_gpadl *g;

	mutex_lock(&host->lock);
	list_for_each_entry(g, &host->gpadls, node)
		seq_printf(m, "id=%u relid=%u pages=%u state=%s\n", g->id,
			   g->relid, g->pages,
			   hvsim_vmbus_gpadl_states[g->state]);
	mutex_unlock(&host->lock);
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
	host->knobs[HVSIM_KNOB_MAX_VERSION] = VERSION_WIN10_V5_3;
	host->knobs[HVSIM_KNOB_GPADL_LIMIT_MB] = HVSIM_VMBUS_GPADL_LIMIT_MB;
	host->knobs[HVSIM_KNOB_MODIFY_LAG_MS] = HVSIM_VMBUS_MODIFY_LAG_MS;
	spin_lock_init(&host->in_lock);
	mutex_init(&host->lock);
	INIT_LIST_HEAD(&host->out);
	INIT_LIST_HEAD(&host->devices);
	INIT_LIST_HEAD(&host->gpadls);
	INIT_WORK(&host->work, hvsim_vmbus_work);
	INIT_DELAYED_WORK(&host->timer, hvsim_vmbus_timer_fn);

	host->in = kvcalloc(HVSIM_VMBUS_IN_QUEUE_LEN, sizeof(*host->in),
			    GFP_KERNEL);
	host->relids = bitmap_zalloc(HVSIM_VMBUS_MAX_RELID + 1, GFP_KERNEL);
	host->signalled = bitmap_zalloc(HVSIM_VMBUS_MAX_RELID + 1, GFP_KERNEL);
	host->signals = kvcalloc(HVSIM_VMBUS_MAX_RELID + 1,
				 sizeof(*host->signals), GFP_KERNEL);
	host->chans = kvcalloc(HVSIM_VMBUS_MAX_RELID + 1, sizeof(*host->chans),
			       GFP_KERNEL);
	host->wq = alloc_workqueue("%s", 0, 1, name);
	if (!host->in || !host->relids || !host->signalled || !host->signals ||
	    !host->chans || !host->wq) {
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
	mutex_lock(&host->lock);
	host->dying = true;
	mutex_unlock(&host->lock);
	cancel_delayed_work_sync(&host->timer);
	if (host->wq)
		destroy_workqueue(host->wq);
	mutex_lock(&host->lock);
	list_for_each_entry_safe(dev, tmp, &host->devices, node)
		hvsim_vmbus_free_dev(host, dev);
	hvsim_vmbus_disconnect(host);
	mutex_unlock(&host->lock);
	list_for_each_entry_safe(o, otmp, &host->out, node)
		kfree(o);
	kvfree(host->chans);
	kvfree(host->signals);
	bitmap_free(host->signalled);
	bitmap_free(host->relids);
	kvfree(host->in);
	mutex_destroy(&host->lock);
	kfree(host);
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_destroy);
