// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus: the SynIC interrupt and the control messages of the host.
 *
 * The interrupt (hard IRQ, on the interrupted CPU) first scans this CPU's
 * event flags for channel relids, then looks at the VMBus message slot.  A
 * message is copied out by a per-CPU tasklet, which frees the slot and
 * signals end-of-message when the host has another one pending, and queues
 * the copy to the ordered message work queue.  There, and only there, the
 * copy is checked against the one table of control messages below (its
 * type, length, version and relid) before any handler reads it.
 *
 * The host is not trusted: the slot is read once into private memory, and
 * a message that fails a check is counted, logged (rate-limited) and
 * dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/workqueue.h>
#include <hvguest/hvcore.h>
#include "hvb.h"
#include "ring_buffer.h"

struct hvb_stats hvb_stats;
DECLARE_WAIT_QUEUE_HEAD(hvb_live_wq);

/* A CPU's message tasklet; @cpu is the CPU whose slot it empties. */
struct hvb_cpu {
	struct tasklet_struct msg_dpc;
	unsigned int cpu;
};

static DEFINE_PER_CPU(struct hvb_cpu, hvb_cpus);

static void hvb_on_offers_delivered(const struct vmbus_channel_message_header *hdr,
				    u32 len);
static void hvb_on_open_result(const struct vmbus_channel_message_header *hdr,
			       u32 len);
static void hvb_on_gpadl_created(const struct vmbus_channel_message_header *hdr,
				 u32 len);
static void hvb_on_gpadl_torndown(const struct vmbus_channel_message_header *hdr,
				  u32 len);
static void hvb_on_modify_response(const struct vmbus_channel_message_header *hdr,
				   u32 len);
static void hvb_on_tl_connect_result(const struct vmbus_channel_message_header *hdr,
				     u32 len);

/*
 * The result of a refused hvsock connect: not declared by the kernel
 * headers.  Nothing reads more than its header.
 */
#define HVB_TL_CONNECT_RESULT_LEN	44

#define HVB_HDR_LEN	sizeof(struct vmbus_channel_message_header)

/* Messages the hypervisor itself generates have bit 31 of their type set. */
#define HVB_MSG_HYPERVISOR	0x80000000

/*
 * The control messages, by type.  A row without a handler is a message
 * only a guest sends (or no message at all): from a host it is unknown.
 */
const struct hvb_msg_type hvb_msg_types[CHANNELMSG_COUNT] = {
	[CHANNELMSG_INVALID] = { .name = "INVALID" },
	[CHANNELMSG_OFFERCHANNEL] = {
		.name = "OFFERCHANNEL",
		.min_len = sizeof(struct vmbus_channel_offer_channel),
		.min_version = VERSION_WIN8,
		.relid_off = offsetof(struct vmbus_channel_offer_channel,
				      child_relid),
		.handler = hvb_on_offer,
	},
	[CHANNELMSG_RESCIND_CHANNELOFFER] = {
		.name = "RESCIND_CHANNELOFFER",
		.min_len = sizeof(struct vmbus_channel_rescind_offer),
		.min_version = VERSION_WIN8,
		.relid_off = offsetof(struct vmbus_channel_rescind_offer,
				      child_relid),
		.handler = hvb_on_rescind,
	},
	[CHANNELMSG_REQUESTOFFERS] = { .name = "REQUESTOFFERS" },
	[CHANNELMSG_ALLOFFERS_DELIVERED] = {
		.name = "ALLOFFERS_DELIVERED",
		.min_len = HVB_HDR_LEN,
		.min_version = VERSION_WIN8,
		.relid_off = -1,
		.handler = hvb_on_offers_delivered,
	},
	[CHANNELMSG_OPENCHANNEL] = { .name = "OPENCHANNEL" },
	[CHANNELMSG_OPENCHANNEL_RESULT] = {
		.name = "OPENCHANNEL_RESULT",
		.min_len = sizeof(struct vmbus_channel_open_result),
		.min_version = VERSION_WIN8,
		.relid_off = offsetof(struct vmbus_channel_open_result,
				      child_relid),
		.handler = hvb_on_open_result,
	},
	[CHANNELMSG_CLOSECHANNEL] = { .name = "CLOSECHANNEL" },
	[CHANNELMSG_GPADL_HEADER] = { .name = "GPADL_HEADER" },
	[CHANNELMSG_GPADL_BODY] = { .name = "GPADL_BODY" },
	[CHANNELMSG_GPADL_CREATED] = {
		.name = "GPADL_CREATED",
		.min_len = sizeof(struct vmbus_channel_gpadl_created),
		.min_version = VERSION_WIN8,
		.relid_off = offsetof(struct vmbus_channel_gpadl_created,
				      child_relid),
		.handler = hvb_on_gpadl_created,
	},
	[CHANNELMSG_GPADL_TEARDOWN] = { .name = "GPADL_TEARDOWN" },
	[CHANNELMSG_GPADL_TORNDOWN] = {
		.name = "GPADL_TORNDOWN",
		.min_len = sizeof(struct vmbus_channel_gpadl_torndown),
		.min_version = VERSION_WIN8,
		.relid_off = -1,
		.handler = hvb_on_gpadl_torndown,
	},
	[CHANNELMSG_RELID_RELEASED] = { .name = "RELID_RELEASED" },
	[CHANNELMSG_INITIATE_CONTACT] = { .name = "INITIATE_CONTACT" },
	[CHANNELMSG_VERSION_RESPONSE] = {
		.name = "VERSION_RESPONSE",
		.min_len = sizeof(struct vmbus_channel_version_response),
		.min_version = 0,
		.relid_off = -1,
		.handler = hvb_on_version_response,
	},
	[CHANNELMSG_UNLOAD] = { .name = "UNLOAD" },
	[CHANNELMSG_UNLOAD_RESPONSE] = {
		.name = "UNLOAD_RESPONSE",
		.min_len = HVB_HDR_LEN,
		.min_version = VERSION_WIN8,
		.relid_off = -1,
		.handler = hvb_on_unload_response,
	},
	[CHANNELMSG_18] = { .name = "OPEN_RESERVED_CHANNEL" },
	[CHANNELMSG_19] = { .name = "CLOSE_RESERVED_CHANNEL" },
	[CHANNELMSG_20] = { .name = "CLOSE_RESERVED_RESPONSE" },
	[CHANNELMSG_TL_CONNECT_REQUEST] = { .name = "TL_CONNECT_REQUEST" },
	[CHANNELMSG_MODIFYCHANNEL] = { .name = "MODIFYCHANNEL" },
	[CHANNELMSG_TL_CONNECT_RESULT] = {
		.name = "TL_CONNECT_RESULT",
		.min_len = HVB_TL_CONNECT_RESULT_LEN,
		.min_version = VERSION_WIN10_V4_1,
		.relid_off = -1,
		.handler = hvb_on_tl_connect_result,
	},
	[CHANNELMSG_MODIFYCHANNEL_RESPONSE] = {
		.name = "MODIFYCHANNEL_RESPONSE",
		.min_len = sizeof(struct vmbus_channel_modifychannel_response),
		.min_version = VERSION_WIN10_V5_3,
		.relid_off = offsetof(struct vmbus_channel_modifychannel_response,
				      child_relid),
		.handler = hvb_on_modify_response,
	},
};

/**
 * hvb_msg_validate() - check a host message before anything reads it.
 * @msg: a private copy of the SynIC message.
 * @version: the negotiated version, 0 before the handshake completes.
 * @type: set to the message's table row on success.
 *
 * In order: a hypervisor message (type with bit 31 set) or an empty one is
 * not a VMBus message; the payload must fit the slot and hold a header;
 * the type must be one a host sends; the payload must be as long as the
 * type needs (longer is accepted, the rest ignored); the type must be
 * valid at @version; a relid must name a possible channel.
 *
 * Context: any.
 * Return: 0; -ENOMSG for an empty, hypervisor or unknown message; -EMSGSIZE
 * for a payload over HV_MESSAGE_PAYLOAD_BYTE_COUNT; -EBADMSG for one
 * shorter than its type needs; -EPROTO for a type not valid at @version;
 * -ERANGE for a relid of 0 or MAX_CHANNEL_RELIDS and above.
 */
int hvb_msg_validate(const struct hv_message *msg, u32 version,
		     const struct hvb_msg_type **type)
{
	const struct vmbus_channel_message_header *hdr;
	const struct hvb_msg_type *t;
	u32 len = msg->header.payload_size;
	u32 msgtype;

	if (msg->header.message_type == HVMSG_NONE ||
	    (msg->header.message_type & HVB_MSG_HYPERVISOR))
		return -ENOMSG;
	if (len > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EMSGSIZE;
	if (len < HVB_HDR_LEN)
		return -EBADMSG;

	hdr = (const void *)msg->u.payload;
	msgtype = hdr->msgtype;
	if (msgtype >= CHANNELMSG_COUNT || !hvb_msg_types[msgtype].handler)
		return -ENOMSG;
	t = &hvb_msg_types[msgtype];
	if (len < t->min_len)
		return -EBADMSG;
	if (version < t->min_version)
		return -EPROTO;
	if (t->relid_off > 0 &&
	    !hvb_relid_valid(get_unaligned((const u32 *)((const u8 *)hdr +
							  t->relid_off))))
		return -ERANGE;

	*type = t;
	return 0;
}

/**
 * hvb_msg_dispatch() - validate a host message and run its handler.
 * @msg: a private copy of the SynIC message.
 *
 * A message that fails validation is counted and logged (rate-limited).
 *
 * Context: the message work queue (or a test standing in for it).
 */
void hvb_msg_dispatch(const struct hv_message *msg)
{
	const struct vmbus_channel_message_header *hdr = (const void *)msg->u.payload;
	const struct hvb_msg_type *t;
	int err;

	err = hvb_msg_validate(msg, READ_ONCE(vmbus_proto_version), &t);
	if (err) {
		atomic_long_inc(&hvb_stats.rejected);
		pr_err_ratelimited("host message refused (%pe): SynIC type %#x, VMBus type %u, %u bytes\n",
				   ERR_PTR(err), msg->header.message_type,
				   hdr->msgtype, msg->header.payload_size);
		return;
	}
	atomic_long_inc(&hvb_stats.rx[hdr->msgtype]);
	t->handler(hdr, msg->header.payload_size);
}

static void hvb_msg_work(struct work_struct *work)
{
	struct hvb_msg_ctx *ctx = container_of(work, struct hvb_msg_ctx, work);

	hvb_msg_dispatch(&ctx->msg);
	kfree(ctx);
}

/* ------------------------------------------------------------------------
 * Answers to the guest's requests: find the request, copy, wake.
 */

typedef bool (*hvb_match_fn)(const void *req, const void *resp);

static void hvb_answer(u32 req_type,
		       const struct vmbus_channel_message_header *resp,
		       size_t len, hvb_match_fn match)
{
	const struct vmbus_channel_message_header *req;
	struct vmbus_channel_msginfo *mi;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_for_each_entry(mi, &vmbus_connection.chn_msg_list, msglistentry) {
		req = (const void *)mi->msg;
		if (req->msgtype != req_type || (match && !match(req, resp)))
			continue;
		memcpy(&mi->response, resp, min(len, sizeof(mi->response)));
		complete(&mi->waitevent);
		found = true;
		break;
	}
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	if (!found) {
		atomic_long_inc(&hvb_stats.unsolicited);
		pr_warn_ratelimited("%s answers no request: ignored\n",
				    hvb_msg_types[resp->msgtype].name);
	}
}

/**
 * hvb_on_version_response() - VERSION_RESPONSE: wake the handshake.
 * @hdr: the validated message.
 * @len: its length.
 *
 * Context: the message work queue.
 */
void hvb_on_version_response(const struct vmbus_channel_message_header *hdr,
			     u32 len)
{
	hvb_answer(CHANNELMSG_INITIATE_CONTACT, hdr,
		   sizeof(struct vmbus_channel_version_response), NULL);
}

/**
 * hvb_on_unload_response() - UNLOAD_RESPONSE: wake hvb_disconnect().
 * @hdr: the validated message.
 * @len: its length.
 *
 * A spurious one completes an event nobody waits for; the next UNLOAD
 * re-arms it first.
 *
 * Context: the message work queue.
 */
void hvb_on_unload_response(const struct vmbus_channel_message_header *hdr,
			    u32 len)
{
	/* For the crash path, which cannot wait on the completion. */
	WRITE_ONCE(hvb_unload_answered, true);
	complete(&vmbus_connection.unload_event);
}

static void hvb_on_offers_delivered(const struct vmbus_channel_message_header *hdr,
				    u32 len)
{
	hvb_offers_delivered();
}

static bool hvb_open_match(const void *req, const void *resp)
{
	const struct vmbus_channel_open_channel *o = req;
	const struct vmbus_channel_open_result *r = resp;

	return o->child_relid == r->child_relid && o->openid == r->openid;
}

static void hvb_on_open_result(const struct vmbus_channel_message_header *hdr,
			       u32 len)
{
	hvb_answer(CHANNELMSG_OPENCHANNEL, hdr,
		   sizeof(struct vmbus_channel_open_result), hvb_open_match);
}

static bool hvb_gpadl_match(const void *req, const void *resp)
{
	const struct vmbus_channel_gpadl_header *h = req;
	const struct vmbus_channel_gpadl_created *r = resp;

	return h->child_relid == r->child_relid && h->gpadl == r->gpadl;
}

static void hvb_on_gpadl_created(const struct vmbus_channel_message_header *hdr,
				 u32 len)
{
	hvb_answer(CHANNELMSG_GPADL_HEADER, hdr,
		   sizeof(struct vmbus_channel_gpadl_created), hvb_gpadl_match);
}

static bool hvb_teardown_match(const void *req, const void *resp)
{
	const struct vmbus_channel_gpadl_teardown *t = req;
	const struct vmbus_channel_gpadl_torndown *r = resp;

	return t->gpadl == r->gpadl;
}

static void hvb_on_gpadl_torndown(const struct vmbus_channel_message_header *hdr,
				  u32 len)
{
	hvb_answer(CHANNELMSG_GPADL_TEARDOWN, hdr,
		   sizeof(struct vmbus_channel_gpadl_torndown),
		   hvb_teardown_match);
}

static bool hvb_modify_match(const void *req, const void *resp)
{
	const struct vmbus_channel_modifychannel *m = req;
	const struct vmbus_channel_modifychannel_response *r = resp;

	return m->child_relid == r->child_relid;
}

static void hvb_on_modify_response(const struct vmbus_channel_message_header *hdr,
				   u32 len)
{
	hvb_answer(CHANNELMSG_MODIFYCHANNEL, hdr,
		   sizeof(struct vmbus_channel_modifychannel_response),
		   hvb_modify_match);
}

/*
 * A refused hvsock connect.  Like upstream, nobody waits for it: the
 * connecting socket times out.
 */
static void hvb_on_tl_connect_result(const struct vmbus_channel_message_header *hdr,
				     u32 len)
{
	pr_debug("TL_CONNECT_RESULT: an hvsock connect was refused\n");
}

/* ------------------------------------------------------------------------
 * The interrupt and the message tasklet.
 */

/**
 * hvb_slot_free() - free a SynIC message slot and signal EOM if asked.
 * @slot: the slot.
 * @type: the message type the caller found in it.
 *
 * Only a slot that still holds @type is freed.  The cmpxchg() is a full
 * barrier: the slot reads free before msg_pending is read and EOM is
 * signalled, so the host always finds room for the message it delivers
 * on EOM.  EOM acts on the current CPU's SynIC.
 *
 * Context: preemption or interrupts disabled, any context but NMI.
 * Return: true when this call freed the slot.
 */
bool hvb_slot_free(struct hv_message *slot, u32 type)
{
	union hv_message_flags flags;

	if (cmpxchg(&slot->header.message_type, type, HVMSG_NONE) != type)
		return false;
	flags.asu8 = READ_ONCE(slot->header.message_flags.asu8);
	if (flags.msg_pending)
		hvcore_eom();
	return true;
}

/* Copy the slot out, free it, and queue the copy. */
static void hvb_msg_dpc(struct tasklet_struct *t)
{
	struct hvb_cpu *hc = from_tasklet(hc, t, msg_dpc);
	struct hvcore_synic *s;
	struct hv_message *slot;
	struct hvb_msg_ctx *ctx;
	u32 type;

	/*
	 * A tasklet left pending by a CPU that went offline runs elsewhere:
	 * that CPU's slot is not this CPU's to free.
	 */
	if (hc->cpu != smp_processor_id())
		return;
	s = hvcore_synic(hc->cpu);
	if (!s || !READ_ONCE(s->enabled))
		return;
	slot = &s->msg_page->sint_message[VMBUS_MESSAGE_SINT];
	type = READ_ONCE(slot->header.message_type);
	/*
	 * A timer expiry that landed after the interrupt handler looked is
	 * left to the interrupt its delivery raises: it is handled there.
	 */
	if (type == HVMSG_NONE || type == HVMSG_TIMER_EXPIRED)
		return;
	/* The host writes the type last: the body is complete once it shows. */
	virt_rmb();

	ctx = kmalloc(sizeof(*ctx), GFP_ATOMIC);
	if (ctx) {
		memcpy(&ctx->msg, slot, sizeof(ctx->msg));
		/* The type checked above, whatever the host wrote since. */
		ctx->msg.header.message_type = type;
	} else {
		atomic_long_inc(&hvb_stats.dropped);
		pr_err_ratelimited("no memory for a host message: dropped\n");
	}

	hvb_slot_free(slot, type);

	if (ctx) {
		INIT_WORK(&ctx->work, hvb_msg_work);
		queue_work(vmbus_connection.work_queue, &ctx->work);
	}
}

/*
 * stimer0 in message mode: its expiry is the kernel's timer interrupt,
 * so it is handled here in hard-IRQ context, as upstream does, and never
 * reaches the tasklet and the VMBus message table.
 */
static void hvb_timer_msg(struct hv_message *slot)
{
	if (hvcore_timer_message())
		atomic_long_inc(&hvb_stats.timer_messages);
	else
		atomic_long_inc(&hvb_stats.timer_dropped);
	hvb_slot_free(slot, HVMSG_TIMER_EXPIRED);
}

/* Batched and direct channels run their callback in their tasklet. */
static void hvb_chan_event(u32 relid)
{
	struct vmbus_channel **map;
	struct vmbus_channel *ch;
	void (*cb)(void *context);

	/* Channels are freed after a grace period (their kobject release). */
	rcu_read_lock();
	map = READ_ONCE(vmbus_connection.channels);
	ch = map ? READ_ONCE(map[relid]) : NULL;
	if (!ch || READ_ONCE(ch->rescind))
		goto out;

	/* Pairs with the callback being cleared under sched_lock. */
	spin_lock(&ch->sched_lock);
	cb = ch->onchannel_callback;
	if (cb) {
		ch->interrupts++;
		switch (ch->callback_mode) {
		case HV_CALL_ISR:
			cb(ch->channel_callback_context);
			break;
		case HV_CALL_BATCHED:
			hvb_ring_intr_mask(&ch->inbound);
			fallthrough;
		case HV_CALL_DIRECT:
			tasklet_schedule(&ch->callback_event);
			break;
		}
	}
	spin_unlock(&ch->sched_lock);
out:
	rcu_read_unlock();
}

/* Each set flag of the VMBus SINT is a relid; flag 0 is never a channel. */
static void hvb_chan_sched(union hv_synic_event_flags *ev)
{
	unsigned long *bits = ev->flags;
	unsigned int relid;

	for_each_set_bit(relid, bits, HV_EVENT_FLAGS_COUNT) {
		if (!sync_test_and_clear_bit(relid, bits) || !relid)
			continue;
		hvb_chan_event(relid);
	}
}

/**
 * hvb_isr() - the SynIC interrupt handler.
 *
 * Registered with hvcore_set_handler(): schedules the channels whose
 * event flag is set on this CPU, then handles a stimer0 expiry in the
 * VMBus slot at once, or schedules the message tasklet when the slot
 * holds any other message.
 *
 * Context: hard-IRQ context on the interrupted CPU, inside hvcore's RCU
 * read-side section.
 */
void hvb_isr(void)
{
	/*
	 * Always a true hard interrupt, never threaded: taking a channel's
	 * spinlock_t here is fine without PREEMPT_RT, which lockdep is told.
	 */
	static DEFINE_WAIT_OVERRIDE_MAP(hvb_isr_map, LD_WAIT_CONFIG);
	unsigned int cpu = smp_processor_id();
	struct hvcore_synic *s = hvcore_synic(cpu);
	struct hv_message *slot;
	u32 type;

	if (!s || !READ_ONCE(s->enabled))
		return;

	lock_map_acquire_try(&hvb_isr_map);
	hvb_chan_sched(&s->event_page->sint_flags[VMBUS_MESSAGE_SINT]);
	slot = &s->msg_page->sint_message[VMBUS_MESSAGE_SINT];
	type = READ_ONCE(slot->header.message_type);
	if (type == HVMSG_TIMER_EXPIRED) {
		hvb_timer_msg(slot);
		/* What the EOM brought in, if anything, is a new message. */
		type = READ_ONCE(slot->header.message_type);
	}
	if (type != HVMSG_NONE && type != HVMSG_TIMER_EXPIRED)
		tasklet_schedule(&this_cpu_ptr(&hvb_cpus)->msg_dpc);
	lock_map_release(&hvb_isr_map);
}

/**
 * hvb_msg_dpc_init() - set up every CPU's message tasklet.
 *
 * Context: process context, before the handler is registered.
 */
void hvb_msg_dpc_init(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct hvb_cpu *hc = per_cpu_ptr(&hvb_cpus, cpu);

		hc->cpu = cpu;
		tasklet_setup(&hc->msg_dpc, hvb_msg_dpc);
	}
}

/**
 * hvb_msg_dpc_kill() - wait for and disarm every CPU's message tasklet.
 *
 * Context: process context, after the handler is cleared.
 */
void hvb_msg_dpc_kill(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		tasklet_kill(&per_cpu_ptr(&hvb_cpus, cpu)->msg_dpc);
}
