/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_vmbus internals shared by its files.
 *
 * Two kinds of declarations live here.  The first are ABI facts: the
 * exported struct vmbus_connection and the monitor page it points to are
 * read by in-tree modules (uio_hv_generic) built against upstream's
 * drivers/hv/hyperv_vmbus.h, so they are declared member for member as
 * there, names included (the export CRCs hash the names too).  The second
 * are hv_vmbus's own interfaces between its files, all prefixed hvb_.
 *
 * This header includes what upstream's hyperv_vmbus.h includes (tracepoint
 * and sync_bitops among them): the files that export symbols then see the
 * same type definitions as upstream's, which genksyms needs to produce the
 * same CRCs.
 */
#ifndef _HVGUEST_VMBUS_HVB_H
#define _HVGUEST_VMBUS_HVB_H

#include <linux/list.h>
#include <linux/bitops.h>
#include <asm/sync_bitops.h>
#include <asm/hyperv-tlfs.h>
#include <linux/atomic.h>
#include <linux/hyperv.h>
#include <linux/interrupt.h>
#include <linux/tracepoint.h>
#include <hvguest/hvcore.h>

/* --- ABI: the monitored notification pages (upstream layout) ----------- */

union hv_monitor_trigger_group {
	u64 as_uint64;
	struct {
		u32 pending;
		u32 armed;
	};
};

struct hv_monitor_parameter {
	union hv_connection_id connectionid;
	u16 flagnumber;
	u16 rsvdz;
};

union hv_monitor_trigger_state {
	u32 asu32;

	struct {
		u32 group_enable:4;
		u32 rsvdz:28;
	};
};

struct hv_monitor_page {
	union hv_monitor_trigger_state trigger_state;
	u32 rsvdz1;

	union hv_monitor_trigger_group trigger_group[4];
	u64 rsvdz2[3];

	s32 next_checktime[4][32];

	u16 latency[4][32];
	u64 rsvdz3[32];

	struct hv_monitor_parameter parameter[4][32];

	u8 rsvdz4[1984];
};

static_assert(sizeof(struct hv_monitor_page) == HV_HYP_PAGE_SIZE);
static_assert(offsetof(struct hv_monitor_page, trigger_group) == 0x8);
static_assert(offsetof(struct hv_monitor_page, latency) == 0x240);
static_assert(offsetof(struct hv_monitor_page, parameter) == 0x440);

/* Monitor IDs a channel may carry: 4 trigger groups of 32. */
#define HVB_MONITOR_IDS		(4 * 32)

/* --- ABI: connection IDs and limits (upstream values) ------------------ */

enum {
	VMBUS_MESSAGE_CONNECTION_ID	= 1,
	VMBUS_MESSAGE_CONNECTION_ID_4	= 4,
	VMBUS_MESSAGE_CONNECTION_ID_REDIRECT = 0x800074,
	VMBUS_MESSAGE_PORT_ID		= 1,
	VMBUS_EVENT_CONNECTION_ID	= 2,
	VMBUS_EVENT_PORT_ID		= 2,
	VMBUS_MONITOR_CONNECTION_ID	= 3,
	VMBUS_MONITOR_PORT_ID		= 3,
	VMBUS_MESSAGE_SINT		= 2,
};

static_assert(VMBUS_MESSAGE_SINT == HVCORE_VMBUS_SINT);

/* Channels the interrupt page can name: half a page of bits. */
#define MAX_NUM_CHANNELS	((HV_HYP_PAGE_SIZE >> 1) << 3)
#define MAX_NUM_CHANNELS_SUPPORTED	256
#define MAX_CHANNEL_RELIDS					\
	max(MAX_NUM_CHANNELS_SUPPORTED, HV_EVENT_FLAGS_COUNT)

/* The CPU the host sends control messages to, for the whole connection. */
#define VMBUS_CONNECT_CPU	0

/* --- ABI: the exported connection state (upstream layout) -------------- */

enum vmbus_connect_state {
	DISCONNECTED,
	CONNECTING,
	CONNECTED,
	DISCONNECTING
};

/**
 * struct vmbus_connection - the one VMBus connection of the partition.
 *
 * Declared exactly as upstream; the fields hv_vmbus uses keep upstream's
 * meaning:
 * @msg_conn_id: connection ID control messages are posted to.
 * @offer_in_progress: unused (the ordered message work queue orders
 *	offers and rescinds).
 * @conn_state: where the handshake is; changed under @channel_mutex.
 * @next_gpadl_handle: the next GPADL handle to hand out.
 * @unload_event: completed by UNLOAD_RESPONSE.
 * @int_page: the pre-5.0 interrupt page: receive half, then send half.
 * @send_int_page: second half of @int_page.
 * @recv_int_page: first half of @int_page.
 * @monitor_pages: parent-to-child, then child-to-parent monitor page.
 * @chn_msg_list: requests waiting for a host response.
 * @channelmsg_lock: protects @chn_msg_list; taken with interrupts off.
 * @chn_list: primary channels; their sub-channels hang off each one.
 * @channel_mutex: protects @chn_list, @channels updates, @conn_state.
 * @channels: relid to channel; read under RCU by the interrupt handler.
 * @work_queue: the ordered queue every control message is handled on.
 * @handle_primary_chan_wq: ordered queue adding and removing devices.
 * @handle_sub_chan_wq: ordered queue adding and removing sub-channels.
 * @rescind_work_queue: unused (rescinds go to the device queues).
 * @ignore_any_offer_msg: unused (no hibernation support yet).
 * @nr_chan_close_on_suspend: unused (no hibernation support yet).
 * @ready_for_suspend_event: unused (no hibernation support yet).
 * @nr_chan_fixup_on_resume: unused (no hibernation support yet).
 * @ready_for_resume_event: unused (no hibernation support yet).
 */
struct vmbus_connection {
	u32 msg_conn_id;

	atomic_t offer_in_progress;

	enum vmbus_connect_state conn_state;

	atomic_t next_gpadl_handle;

	struct completion  unload_event;
	void *int_page;
	void *send_int_page;
	void *recv_int_page;

	struct hv_monitor_page *monitor_pages[2];
	struct list_head chn_msg_list;
	spinlock_t channelmsg_lock;

	struct list_head chn_list;
	struct mutex channel_mutex;

	struct vmbus_channel **channels;

	struct workqueue_struct *work_queue;
	struct workqueue_struct *handle_primary_chan_wq;
	struct workqueue_struct *handle_sub_chan_wq;
	struct workqueue_struct *rescind_work_queue;

	bool ignore_any_offer_msg;

	atomic_t nr_chan_close_on_suspend;
	struct completion ready_for_suspend_event;

	atomic_t nr_chan_fixup_on_resume;
	struct completion ready_for_resume_event;
};

extern struct vmbus_connection vmbus_connection;
extern const struct vmbus_device vmbus_devs[];

/* Exported, and declared by upstream's internal header only. */
void vmbus_device_unregister(struct hv_device *device_obj);
int hv_create_ring_sysfs(struct vmbus_channel *channel,
			 int (*hv_mmap_ring_buffer)(struct vmbus_channel *channel,
						    struct vm_area_struct *vma));
int hv_remove_ring_sysfs(struct vmbus_channel *channel);

/* --- hv_vmbus internals ------------------------------------------------- */

/* The SynIC message type of every VMBus control message. */
#define HVB_MSG_TYPE_VMBUS	1

/* Relids a host may use: 1 .. MAX_CHANNEL_RELIDS - 1 (0 is never one). */
static inline bool hvb_relid_valid(u32 relid)
{
	return relid && relid < MAX_CHANNEL_RELIDS;
}

/**
 * struct hvb_channel - hv_vmbus's private part of a channel.
 * @chan: the channel as <linux/hyperv.h> defines it; drivers see this.
 * @remove_work: removes the channel (and its device) after a rescind,
 *	queued on the channel's device queue behind its add work.
 * @removed: set when hvb_channel_unlink() takes it out of the relid map
 *	and the lists; under vmbus_connection.channel_mutex.
 * @broken: the host broke the ring protocol; sends and receives fail.
 *	Cleared by the next open.
 * @close_node: on the list of sub-channels a primary's close collects.
 *
 * Allocated by the offer handler, freed by the release of @chan.kobj,
 * after an RCU grace period.
 */
struct hvb_channel {
	struct vmbus_channel chan;
	struct work_struct remove_work;
	bool removed;
	bool broken;
	struct list_head close_node;
};

static inline struct hvb_channel *to_hvb_channel(struct vmbus_channel *c)
{
	return container_of(c, struct hvb_channel, chan);
}

/* hvb_device.flags bits */
enum {
	HVB_DEV_READY,		/* channels are in sysfs: drivers may bind */
	HVB_DEV_GONE,		/* unregistration has started */
};

/**
 * struct hvb_device - hv_vmbus's private part of a device.
 * @hv: the device as <linux/hyperv.h> defines it; drivers see this.
 * @flags: HVB_DEV_* bits.
 */
struct hvb_device {
	struct hv_device hv;
	unsigned long flags;
};

static inline struct hvb_device *to_hvb_device(struct hv_device *hv)
{
	return container_of(hv, struct hvb_device, hv);
}

/* One message from the host, copied out of the SynIC slot. */
struct hvb_msg_ctx {
	struct work_struct work;
	struct hv_message msg;
};

/**
 * struct hvb_msg_type - one row of the control message table.
 * @name: the message's name, for the log and debugfs.
 * @min_len: the shortest payload accepted; longer ones are accepted and
 *	the rest ignored (hosts round sizes up, later versions append).
 * @min_version: the lowest negotiated version it is valid at; 0 for
 *	VERSION_RESPONSE, the only one valid before negotiation ends.
 * @relid_off: offset of a child_relid field to range check, or -1.
 * @handler: called on the message work queue with a validated private
 *	copy; NULL for types a host never sends.
 */
struct hvb_msg_type {
	const char *name;
	u32 min_len;
	u32 min_version;
	s16 relid_off;
	void (*handler)(const struct vmbus_channel_message_header *hdr,
			u32 len);
};

extern const struct hvb_msg_type hvb_msg_types[CHANNELMSG_COUNT];

/* Counters shown in debugfs. */
struct hvb_stats {
	atomic_long_t rx[CHANNELMSG_COUNT];	/* dispatched, by type */
	atomic_long_t rejected;			/* failed validation */
	atomic_long_t dropped;			/* no memory for a copy */
	atomic_long_t unsolicited;		/* answers nobody waited for */
	atomic_long_t relids_released;
	atomic_long_t bad_offers;
	atomic_long_t timer_messages;		/* stimer0 expiries handled */
	atomic_long_t timer_dropped;		/* ... with no timer to take them */
	atomic_long_t broken_rings;		/* rings a host corrupted */
	atomic_t devices;			/* live struct hvb_device */
	atomic_t channels;			/* live struct hvb_channel */
	atomic_t pages;				/* connection pages held */
};

extern struct hvb_stats hvb_stats;
extern wait_queue_head_t hvb_live_wq;

/* msg.c: validation, dispatch, the interrupt handler */
int hvb_msg_validate(const struct hv_message *msg, u32 version,
		     const struct hvb_msg_type **type);
void hvb_msg_dispatch(const struct hv_message *msg);
void hvb_isr(void);
bool hvb_slot_free(struct hv_message *slot, u32 type);
void hvb_msg_dpc_init(void);
void hvb_msg_dpc_kill(void);
void hvb_on_version_response(const struct vmbus_channel_message_header *hdr,
			     u32 len);
void hvb_on_unload_response(const struct vmbus_channel_message_header *hdr,
			    u32 len);

/*
 * connection.c: the handshake and the connection's life.
 *
 * struct hvb_nego is the handshake's state (see hvb_nego_next()): the
 * cap, the next row of hvb_versions[] to try, the version being offered
 * and the connection it goes on, and the result's message connection.
 */
struct hvb_nego {
	u32 max_version;
	unsigned int next;
	u32 version;
	u32 conn_id;
	u32 msg_conn_id;
};

/* What INITIATE_CONTACT tells the host: guest pages and target VP. */
struct hvb_contact_pages {
	phys_addr_t int_page;
	phys_addr_t monitor[2];
	u32 target_vp;
};

extern const u32 hvb_versions[];
extern const unsigned int hvb_nr_versions;

int hvb_nego_first(struct hvb_nego *n, u32 max_version);
int hvb_nego_next(struct hvb_nego *n, int err,
		  const struct vmbus_channel_version_response *resp);
void hvb_nego_build(const struct hvb_nego *n,
		    const struct hvb_contact_pages *pages,
		    struct vmbus_channel_initiate_contact *msg);
int hvb_post_msg(const void *buf, u32 len);
bool hvb_connected(void);
int hvb_unload_crash(void);
extern bool hvb_unload_answered;
int hvb_connect(void);
void hvb_disconnect(void);
void hvb_wait_idle(void);
void hvb_offers_delivered(void);

/* channel_mgmt.c: offers, rescinds, channel objects */
void hvb_on_offer(const struct vmbus_channel_message_header *hdr, u32 len);
void hvb_on_rescind(const struct vmbus_channel_message_header *hdr, u32 len);
void hvb_channel_unlink(struct vmbus_channel *ch, struct list_head *dead);
void hvb_channels_free(struct list_head *dead);
void hvb_channels_sweep(void);
bool hvb_cpu_has_channels(unsigned int cpu);
void hvb_channel_remove(struct vmbus_channel *ch);
void hvb_chan_set_cpu(struct vmbus_channel *ch, unsigned int old,
		      unsigned int cpu);
void hvb_chan_stop_callback(struct vmbus_channel *ch);

/* channel.c: the channel API; GPADL message building, for the tests */
void hvb_chan_broken(struct vmbus_channel *ch, const char *ring);
void hvb_chan_read_signal(struct vmbus_channel *ch, bool signal);
int hvb_rqstor_alloc(struct vmbus_channel *ch);
void hvb_rqstor_free(struct vmbus_channel *ch);
u32 hvb_gpadl_nr_msgs(u32 pfn_count);
u32 hvb_gpadl_msg(void *buf, u32 idx, u32 relid, u32 gpadl, const u64 *pfns,
		  u32 pfn_count);
u16 hvb_dev_type(const struct vmbus_channel_offer_channel *offer);

/* vmbus_drv.c: devices on the bus */
extern const struct bus_type hvb_bus;
int hvb_device_add(struct vmbus_channel *channel);
void hvb_device_unregister(struct hv_device *hv);
int hvb_chan_kobj_add(struct vmbus_channel *primary, struct vmbus_channel *ch);
void hvb_chan_kobj_del(struct vmbus_channel *ch);

/* sysfs.c: attributes */
extern const struct attribute_group *hvb_dev_groups[];
extern const struct attribute_group *hvb_bus_groups[];
extern const struct attribute_group hvb_chan_group;
extern const struct kobj_type hvb_chan_ktype;

#endif /* _HVGUEST_VMBUS_HVB_H */
