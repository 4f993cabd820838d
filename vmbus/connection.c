// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus: the connection to the host.
 *
 * hvb_connect() brings the connection up: a backend reference, the SynIC
 * pages, the interrupt and monitor pages, the work queues, the interrupt
 * handler and the SynIC of every online CPU (a CPU-hotplug state keeps
 * them enabled), then the version handshake and REQUESTOFFERS.
 * hvb_disconnect() takes it down in the reverse order: the devices go and
 * their relids are released, UNLOAD is answered, and everything is handed
 * back.  The bus type stays registered across a disconnect, so that KUnit
 * suites can take the connection down and bring it back.
 *
 * The handshake itself is a pure state machine (hvb_nego_*()): given the
 * outcome of each INITIATE_CONTACT, it says which version to offer next
 * and on which connection, or what was negotiated.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* Upstream's exporting file includes these; see hvb.h for why it matters. */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/hyperv.h>
#include <linux/export.h>
#include <linux/io.h>
#include <linux/set_memory.h>
#include <asm/mshyperv.h>

#include <linux/cpuhotplug.h>
#include <linux/workqueue.h>
#include <hvguest/hvcore.h>
#if IS_ENABLED(CONFIG_HVGUEST_X86)
#include <hvguest/hvx.h>
#endif
#include "hvb.h"

/* How long the host gets to answer INITIATE_CONTACT, UNLOAD, REQUESTOFFERS. */
#define HVB_CONTACT_TIMEOUT	(10 * HZ)
#define HVB_UNLOAD_TIMEOUT	(10 * HZ)
#define HVB_OFFERS_TIMEOUT	(5 * HZ)

/*
 * The crash path cannot sleep: it polls every CPU's message slot for the
 * UNLOAD_RESPONSE, HVB_CRASH_POLL_MS apart, HVB_CRASH_POLLS times at most
 * (posting the UNLOAD included), so about five seconds in all.
 */
#define HVB_CRASH_POLL_MS	1
#define HVB_CRASH_POLLS		5000

/* Retries of a post the host refused as busy; about a second in all. */
#define HVB_POST_TRIES		60
#define HVB_POST_DELAY_MAX_US	20000

/* A connection ID is 24 bits wide (union hv_connection_id). */
#define HVB_CONN_ID_MAX		0xffffff

struct vmbus_connection vmbus_connection = {
	.conn_state		= DISCONNECTED,
	.next_gpadl_handle	= ATOMIC_INIT(0x1000),
	.unload_event		= COMPLETION_INITIALIZER(vmbus_connection.unload_event),
	.chn_msg_list		= LIST_HEAD_INIT(vmbus_connection.chn_msg_list),
	.channelmsg_lock	= __SPIN_LOCK_UNLOCKED(vmbus_connection.channelmsg_lock),
	.chn_list		= LIST_HEAD_INIT(vmbus_connection.chn_list),
	.channel_mutex		= __MUTEX_INITIALIZER(vmbus_connection.channel_mutex),
	.ready_for_suspend_event =
		COMPLETION_INITIALIZER(vmbus_connection.ready_for_suspend_event),
	.ready_for_resume_event	=
		COMPLETION_INITIALIZER(vmbus_connection.ready_for_resume_event),
};
EXPORT_SYMBOL_GPL(vmbus_connection);

/* The negotiated version; 0 while no connection is up. */
__u32 vmbus_proto_version;
EXPORT_SYMBOL_GPL(vmbus_proto_version);

/* Every version hv_vmbus speaks, from the newest down. */
const u32 hvb_versions[] = {
	VERSION_WIN10_V5_3,
	VERSION_WIN10_V5_2,
	VERSION_WIN10_V5_1,
	VERSION_WIN10_V5,
	VERSION_WIN10_V4_1,
	VERSION_WIN10,
	VERSION_WIN8_1,
	VERSION_WIN8,
};
const unsigned int hvb_nr_versions = ARRAY_SIZE(hvb_versions);

static uint max_version = VERSION_WIN10_V5_3;
module_param(max_version, uint, 0444);
MODULE_PARM_DESC(max_version,
		 "Highest VMBus version to offer the host, as major << 16 | minor");

/* Serialises hvb_connect() and hvb_disconnect(). */
static DEFINE_MUTEX(hvb_conn_lock);
static bool hvb_up;
static int hvb_cpuhp_state;
static DECLARE_COMPLETION(hvb_all_offers);

/*
 * Set by the UNLOAD_RESPONSE handler, for the crash path, which may not
 * wait on unload_event (its lock may be held by a CPU that crashed).
 */
bool hvb_unload_answered;

/*
 * The kexec or crash path got the host's UNLOAD_RESPONSE: the host has
 * forgotten the connection, and hvb_disconnect() does not unload again.
 */
static bool hvb_unloaded;

/* ------------------------------------------------------------------------
 * The handshake state machine.  Pure: no I/O, no globals but the table.
 */

/* Move to the next version at or below the cap. */
static int hvb_nego_advance(struct hvb_nego *n)
{
	while (n->next < hvb_nr_versions) {
		u32 v = hvb_versions[n->next++];

		if (v > n->max_version)
			continue;
		n->version = v;
		/* 5.0 and later make contact on the multiclient connection. */
		n->conn_id = v >= VERSION_WIN10_V5 ?
			     VMBUS_MESSAGE_CONNECTION_ID_4 :
			     VMBUS_MESSAGE_CONNECTION_ID;
		n->msg_conn_id = 0;
		return -EAGAIN;
	}
	return -ECONNREFUSED;
}

/**
 * hvb_nego_first() - start a version handshake.
 * @n: the state to initialise.
 * @max_version: the highest version to offer (major << 16 | minor).
 *
 * Context: any.
 * Return: 0 with @n->version and @n->conn_id naming the first
 * INITIATE_CONTACT to send, or -EINVAL when @max_version is below every
 * version hv_vmbus speaks.
 */
int hvb_nego_first(struct hvb_nego *n, u32 max_version)
{
	memset(n, 0, sizeof(*n));
	n->max_version = max_version;
	return hvb_nego_advance(n) == -EAGAIN ? 0 : -EINVAL;
}

/**
 * hvb_nego_next() - take the outcome of one INITIATE_CONTACT.
 * @n: the state.
 * @err: 0 when @resp holds the host's VERSION_RESPONSE; -ETIMEDOUT when
 *	none came; another negative errno when the post itself failed (a
 *	host without the multiclient connection refuses it, for one).
 * @resp: the response when @err is 0, a private copy.
 *
 * A refused version, or one that could not be posted, moves to the next
 * lower one; a host that does not answer ends the handshake, as does one
 * that accepts the version but reports the connection failed.
 *
 * Context: any.
 * Return: 0 when negotiated: @n->version and @n->msg_conn_id (the
 * connection every later message goes to) are the result; -EAGAIN to send
 * the next INITIATE_CONTACT (@n->version, @n->conn_id); -ECONNREFUSED when
 * no version is left; -ETIMEDOUT; -ECONNABORTED when the host reported a
 * failed connection; -EPROTO when a 5.0+ answer names no usable message
 * connection.
 */
int hvb_nego_next(struct hvb_nego *n, int err,
		  const struct vmbus_channel_version_response *resp)
{
	if (err == -ETIMEDOUT)
		return -ETIMEDOUT;
	if (err || !resp || !resp->version_supported)
		return hvb_nego_advance(n);
	if (resp->connection_state)
		return -ECONNABORTED;

	if (n->version < VERSION_WIN10_V5) {
		n->msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID;
		return 0;
	}
	if (!resp->msg_conn_id || resp->msg_conn_id > HVB_CONN_ID_MAX)
		return -EPROTO;
	n->msg_conn_id = resp->msg_conn_id;
	return 0;
}

/**
 * hvb_nego_build() - the INITIATE_CONTACT for the version being offered.
 * @n: the state.
 * @pages: the guest pages and target VP to announce.
 * @msg: filled in completely.
 *
 * From 5.0 the interrupt page field carries the SINT (and VTL 0) instead.
 *
 * Context: any.
 */
void hvb_nego_build(const struct hvb_nego *n,
		    const struct hvb_contact_pages *pages,
		    struct vmbus_channel_initiate_contact *msg)
{
	memset(msg, 0, sizeof(*msg));
	msg->header.msgtype = CHANNELMSG_INITIATE_CONTACT;
	msg->vmbus_version_requested = n->version;
	msg->target_vcpu = pages->target_vp;
	if (n->version >= VERSION_WIN10_V5) {
		msg->msg_sint = VMBUS_MESSAGE_SINT;
		msg->msg_vtl = 0;
	} else {
		msg->interrupt_page = pages->int_page;
	}
	msg->monitor_page1 = pages->monitor[0];
	msg->monitor_page2 = pages->monitor[1];
}

/* ------------------------------------------------------------------------
 * Signalling a channel's host side.
 */

/**
 * vmbus_set_event() - signal the host on the channel's connection.
 * @channel: the channel.
 *
 * Context: any context but NMI.
 */
void vmbus_set_event(struct vmbus_channel *channel)
{
	int ret;

	channel->sig_events++;
	ret = hvcore_signal_event(channel->sig_event, 0);
	if (ret)
		pr_err_ratelimited("relid %u: signal refused (%d)\n",
				   channel->offermsg.child_relid, ret);
}
EXPORT_SYMBOL_GPL(vmbus_set_event);

/* ------------------------------------------------------------------------
 * Posting messages.
 */

static int hvb_post_msg_to(u32 conn_id, const void *buf, u32 len)
{
	unsigned int delay = 10, i;
	int ret;

	for (i = 0; ; i++) {
		ret = hvcore_post_message(conn_id, HVB_MSG_TYPE_VMBUS, buf, len);
		if ((ret != -EAGAIN && ret != -ENOBUFS) || i == HVB_POST_TRIES)
			return ret;
		usleep_range(delay, 2 * delay);
		delay = min(2 * delay, HVB_POST_DELAY_MAX_US);
	}
}

/**
 * hvb_post_msg() - send a control message on the connection.
 * @buf: the message, starting with its struct vmbus_channel_message_header.
 * @len: its length, at most HV_MESSAGE_PAYLOAD_BYTE_COUNT.
 *
 * A host that reports its queue full is retried for about a second.
 *
 * Context: process context, may sleep; the connection holds the backend.
 * Return: 0, or the backend's negative errno.
 */
int hvb_post_msg(const void *buf, u32 len)
{
	return hvb_post_msg_to(READ_ONCE(vmbus_connection.msg_conn_id), buf,
			       len);
}

/* ------------------------------------------------------------------------
 * The handshake, REQUESTOFFERS and UNLOAD.
 */

static void hvb_msginfo_add(struct vmbus_channel_msginfo *mi)
{
	unsigned long flags;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_add_tail(&mi->msglistentry, &vmbus_connection.chn_msg_list);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
}

static void hvb_msginfo_del(struct vmbus_channel_msginfo *mi)
{
	unsigned long flags;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_del(&mi->msglistentry);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
}

/* One INITIATE_CONTACT and its answer, into @mi->response. */
static int hvb_contact(const struct hvb_nego *n,
		       const struct hvb_contact_pages *pages,
		       struct vmbus_channel_msginfo *mi)
{
	struct vmbus_channel_initiate_contact *msg = (void *)mi->msg;
	int err;

	hvb_nego_build(n, pages, msg);
	init_completion(&mi->waitevent);
	memset(&mi->response, 0, sizeof(mi->response));

	/* Listed before the post: the answer may beat the post's return. */
	hvb_msginfo_add(mi);
	err = hvb_post_msg_to(n->conn_id, msg, sizeof(*msg));
	if (!err && !wait_for_completion_timeout(&mi->waitevent,
						 HVB_CONTACT_TIMEOUT))
		err = -ETIMEDOUT;
	hvb_msginfo_del(mi);
	return err;
}

static int hvb_negotiate(void)
{
	struct hv_monitor_page **mp = vmbus_connection.monitor_pages;
	struct hvb_contact_pages pages = {
		.int_page = virt_to_phys(vmbus_connection.int_page),
		.monitor = { virt_to_phys(mp[0]), virt_to_phys(mp[1]) },
		.target_vp = hvcore_vp_index(VMBUS_CONNECT_CPU),
	};
	struct vmbus_channel_msginfo *mi;
	struct hvb_nego n;
	int err, ret;

	ret = hvb_nego_first(&n, max_version);
	if (ret) {
		pr_err("max_version %u.%u is below 2.4, the lowest version spoken\n",
		       max_version >> 16, max_version & 0xffff);
		return ret;
	}

	mi = kzalloc(sizeof(*mi) + sizeof(struct vmbus_channel_initiate_contact),
		     GFP_KERNEL);
	if (!mi)
		return -ENOMEM;

	do {
		err = hvb_contact(&n, &pages, mi);
		if (err && err != -ETIMEDOUT)
			pr_debug("version %u.%u: INITIATE_CONTACT not posted (%d)\n",
				 n.version >> 16, n.version & 0xffff, err);
		ret = hvb_nego_next(&n, err,
				    err ? NULL : &mi->response.version_response);
	} while (ret == -EAGAIN);
	kfree(mi);

	switch (ret) {
	case 0:
		WRITE_ONCE(vmbus_connection.msg_conn_id, n.msg_conn_id);
		WRITE_ONCE(vmbus_proto_version, n.version);
		pr_info("Vmbus version:%d.%d\n", n.version >> 16,
			n.version & 0xffff);
		break;
	case -ETIMEDOUT:
		pr_err("the host did not answer INITIATE_CONTACT for version %u.%u\n",
		       n.version >> 16, n.version & 0xffff);
		break;
	case -ECONNABORTED:
		pr_err("the host accepted version %u.%u but failed the connection\n",
		       n.version >> 16, n.version & 0xffff);
		break;
	case -EPROTO:
		pr_err("the host named no usable message connection for version %u.%u\n",
		       n.version >> 16, n.version & 0xffff);
		break;
	default:
		pr_err("the host refused every version from %u.%u down to 2.4\n",
		       min_t(u32, max_version, VERSION_WIN10_V5_3) >> 16,
		       min_t(u32, max_version, VERSION_WIN10_V5_3) & 0xffff);
		break;
	}
	return ret;
}

/**
 * hvb_offers_delivered() - the host has sent every offer it had.
 *
 * Called by the ALLOFFERS_DELIVERED handler: every offer before it has
 * been handled by then, the message queue being ordered.
 *
 * Context: the message work queue.
 */
void hvb_offers_delivered(void)
{
	complete(&hvb_all_offers);
}

static int hvb_request_offers(void)
{
	struct vmbus_channel_message_header hdr = {
		.msgtype = CHANNELMSG_REQUESTOFFERS,
	};
	int ret;

	reinit_completion(&hvb_all_offers);
	ret = hvb_post_msg(&hdr, sizeof(hdr));
	if (ret) {
		pr_err("REQUESTOFFERS not posted (%d)\n", ret);
		return ret;
	}
	/* Not fatal: offers keep being handled whenever they come. */
	if (!wait_for_completion_timeout(&hvb_all_offers, HVB_OFFERS_TIMEOUT))
		pr_warn("no ALLOFFERS_DELIVERED after %u s; continuing\n",
			HVB_OFFERS_TIMEOUT / HZ);
	return 0;
}

/* UNLOAD and its answer, waiting up to HVB_UNLOAD_TIMEOUT.  May sleep. */
static int hvb_unload(void)
{
	struct vmbus_channel_message_header hdr = {
		.msgtype = CHANNELMSG_UNLOAD,
	};
	u32 version = READ_ONCE(vmbus_proto_version);
	int ret;

	/* Hosts before 3.0 (WS2012) do not support unload and reconnect. */
	if (version < VERSION_WIN8_1) {
		pr_info("version %u.%u has no UNLOAD: not sent\n",
			version >> 16, version & 0xffff);
		return -EOPNOTSUPP;
	}

	WRITE_ONCE(hvb_unload_answered, false);
	reinit_completion(&vmbus_connection.unload_event);
	ret = hvb_post_msg(&hdr, sizeof(hdr));
	if (ret) {
		pr_err("UNLOAD not posted (%d)\n", ret);
		return ret;
	}
	if (!wait_for_completion_timeout(&vmbus_connection.unload_event,
					 HVB_UNLOAD_TIMEOUT)) {
		pr_err("no UNLOAD_RESPONSE after %u s: disconnecting anyway\n",
		       HVB_UNLOAD_TIMEOUT / HZ);
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Look at @cpu's VMBus message slot, from whatever CPU: free what is
 * there and say whether it was the UNLOAD_RESPONSE.  Only the type is
 * looked at; the host may rewrite the slot meanwhile, which at worst
 * makes us miss the answer and wait out the bound.
 */
static bool hvb_crash_poll_slot(unsigned int cpu)
{
	const struct vmbus_channel_message_header *hdr;
	struct hvcore_synic *s = hvcore_synic(cpu);
	struct hv_message *slot;
	bool found;
	u32 type;

	if (!s || !READ_ONCE(s->enabled))
		return false;
	slot = &s->msg_page->sint_message[VMBUS_MESSAGE_SINT];
	type = READ_ONCE(slot->header.message_type);
	if (type == HVMSG_NONE)
		return false;
	/* The host writes the type last: the body is complete once it shows. */
	virt_rmb();
	hdr = (const void *)slot->u.payload;
	found = type == HVB_MSG_TYPE_VMBUS &&
		READ_ONCE(slot->header.payload_size) >= sizeof(*hdr) &&
		READ_ONCE(hdr->msgtype) == CHANNELMSG_UNLOAD_RESPONSE;
	/* Anything else is dropped: the host may have queued more behind it. */
	hvb_slot_free(slot, type);
	return found;
}

/* UNLOAD, then poll for its answer without sleeping. */
static int hvb_crash_unload_poll(void)
{
	struct vmbus_channel_message_header hdr = {
		.msgtype = CHANNELMSG_UNLOAD,
	};
	unsigned int cpu, i;
	int ret;

	WRITE_ONCE(hvb_unload_answered, false);
	for (i = 0; i < HVB_CRASH_POLLS; i++) {
		ret = hvcore_post_message(READ_ONCE(vmbus_connection.msg_conn_id),
					  HVB_MSG_TYPE_VMBUS, &hdr, sizeof(hdr));
		if (ret != -EAGAIN && ret != -ENOBUFS)
			break;
		mdelay(HVB_CRASH_POLL_MS);
	}
	if (ret)
		return ret;

	/*
	 * The answer goes to VMBUS_CONNECT_CPU, whose interrupts may be off
	 * (this CPU) or on (then its handler may take the answer first and
	 * the message work report it): both are watched.
	 */
	for (; i < HVB_CRASH_POLLS; i++) {
		for_each_present_cpu(cpu)
			if (hvb_crash_poll_slot(cpu))
				return 0;
		if (READ_ONCE(hvb_unload_answered))
			return 0;
		mdelay(HVB_CRASH_POLL_MS);
	}
	return -ETIMEDOUT;
}

/**
 * hvb_unload_crash() - unload the connection from a crashing kernel.
 *
 * Sends UNLOAD and polls the VMBus message slot of every present CPU for
 * the UNLOAD_RESPONSE, freeing (and EOMing) whatever else it finds there,
 * for about five seconds at most; then disables the SynIC of the current
 * CPU, so that the host writes no more into pages the next kernel may
 * reuse.  Takes no lock and never sleeps.  Only the first of this and the
 * kexec path unloads; the SynIC is disabled in every case.  The
 * connection is left for hvb_disconnect() to take down, which then does
 * not send UNLOAD again when this one was answered.
 *
 * Context: any CPU, interrupts and preemption disabled (a crash, or a test
 * under local_irq_save()); other CPUs may be stopped anywhere.
 * Return: 0 when the host answered; -ENOTCONN when not connected or
 * already unloaded; -EOPNOTSUPP for a version before 3.0 (no UNLOAD);
 * -ETIMEDOUT; or the backend's error for the post.
 */
int hvb_unload_crash(void)
{
	int ret;

	if (xchg(&vmbus_connection.conn_state, DISCONNECTED) != CONNECTED)
		ret = -ENOTCONN;
	else if (READ_ONCE(vmbus_proto_version) < VERSION_WIN8_1)
		ret = -EOPNOTSUPP;
	else
		ret = hvb_crash_unload_poll();
	if (!ret)
		WRITE_ONCE(hvb_unloaded, true);

	hvcore_synic_disable(smp_processor_id());
	return ret;
}

#if IS_ENABLED(CONFIG_HYPERV) || IS_ENABLED(CONFIG_HVGUEST_X86)
/*
 * Hooks run on the way into a kexec'd or crash kernel, set only on real
 * Hyper-V, where that kernel reconnects: the kernel's own when it has
 * CONFIG_HYPERV, else those of the built-in layer (arch/x86), which then
 * revokes the shared pages.
 */
static bool hvb_hooks_set;

/* Before kexec: process context on the reboot CPU, may sleep. */
static void hvb_kexec_handler(void)
{
	if (xchg(&vmbus_connection.conn_state, DISCONNECTED) == CONNECTED &&
	    !hvb_unload())
		WRITE_ONCE(hvb_unloaded, true);
	preempt_disable();
	hvcore_synic_disable(smp_processor_id());
	preempt_enable();
}
#endif

#if IS_ENABLED(CONFIG_HYPERV)
static void hvb_crash_handler(struct pt_regs *regs)
{
	hvb_unload_crash();
}

static void hvb_set_hooks(void)
{
	if (!hvcore_backend_is_real())
		return;
	hv_setup_kexec_handler(hvb_kexec_handler);
	hv_setup_crash_handler(hvb_crash_handler);
	hvb_hooks_set = true;
}

static void hvb_clear_hooks(void)
{
	if (!hvb_hooks_set)
		return;
	hv_remove_kexec_handler();
	hv_remove_crash_handler();
	hvb_hooks_set = false;
}
#elif IS_ENABLED(CONFIG_HVGUEST_X86)
static void hvb_crash_handler(void)
{
	hvb_unload_crash();
}

static void hvb_set_hooks(void)
{
	if (!hvcore_backend_is_real())
		return;
	hvx_set_shutdown_hooks(hvb_kexec_handler, hvb_crash_handler);
	hvb_hooks_set = true;
}

static void hvb_clear_hooks(void)
{
	if (!hvb_hooks_set)
		return;
	hvx_set_shutdown_hooks(NULL, NULL);
	hvb_hooks_set = false;
}
#else
/* No Hyper-V code in this kernel: nothing to hook. */
static inline void hvb_set_hooks(void)
{
}

static inline void hvb_clear_hooks(void)
{
}
#endif

/* ------------------------------------------------------------------------
 * Resources of a connection.
 */

static void hvb_set_state(enum vmbus_connect_state state)
{
	mutex_lock(&vmbus_connection.channel_mutex);
	WRITE_ONCE(vmbus_connection.conn_state, state);
	mutex_unlock(&vmbus_connection.channel_mutex);
}

static void hvb_free_pages(void)
{
	struct vmbus_connection *c = &vmbus_connection;

	kfree(c->channels);
	c->channels = NULL;
	free_page((unsigned long)c->int_page);
	free_page((unsigned long)c->monitor_pages[0]);
	free_page((unsigned long)c->monitor_pages[1]);
	c->int_page = NULL;
	c->recv_int_page = NULL;
	c->send_int_page = NULL;
	c->monitor_pages[0] = NULL;
	c->monitor_pages[1] = NULL;
	atomic_set(&hvb_stats.pages, 0);
}

/*
 * The interrupt page (its first half the host's bits, its second ours) and
 * the two monitor pages are whole, zeroed system pages: uio_hv_generic
 * maps them into user space.
 */
static int hvb_alloc_pages(void)
{
	struct vmbus_connection *c = &vmbus_connection;

	BUILD_BUG_ON(PAGE_SIZE < HV_HYP_PAGE_SIZE);
	BUILD_BUG_ON(MAX_CHANNEL_RELIDS < HV_EVENT_FLAGS_COUNT);

	c->int_page = (void *)get_zeroed_page(GFP_KERNEL);
	c->monitor_pages[0] = (void *)get_zeroed_page(GFP_KERNEL);
	c->monitor_pages[1] = (void *)get_zeroed_page(GFP_KERNEL);
	c->channels = kcalloc(MAX_CHANNEL_RELIDS, sizeof(*c->channels),
			      GFP_KERNEL);
	if (!c->int_page || !c->monitor_pages[0] || !c->monitor_pages[1] ||
	    !c->channels) {
		hvb_free_pages();
		return -ENOMEM;
	}
	c->recv_int_page = c->int_page;
	c->send_int_page = (u8 *)c->int_page + (HV_HYP_PAGE_SIZE >> 1);
	atomic_set(&hvb_stats.pages, 3);
	return 0;
}

static void hvb_destroy_queues(void)
{
	struct vmbus_connection *c = &vmbus_connection;

	/* Messages first: their handlers queue device work. */
	if (c->work_queue)
		destroy_workqueue(c->work_queue);
	if (c->handle_primary_chan_wq)
		destroy_workqueue(c->handle_primary_chan_wq);
	if (c->handle_sub_chan_wq)
		destroy_workqueue(c->handle_sub_chan_wq);
	c->work_queue = NULL;
	c->handle_primary_chan_wq = NULL;
	c->handle_sub_chan_wq = NULL;
}

/*
 * Ordered queues: control messages are handled one at a time in the order
 * the host sent them, and a channel's removal runs after its addition.
 * Devices and sub-channels have queues of their own, so that a driver's
 * probe waiting for its sub-channels does not block them.
 */
static int hvb_create_queues(void)
{
	struct vmbus_connection *c = &vmbus_connection;

	c->work_queue = alloc_ordered_workqueue("hv_vmbus_con",
						WQ_MEM_RECLAIM);
	c->handle_primary_chan_wq = alloc_ordered_workqueue("hv_pri_chan", 0);
	c->handle_sub_chan_wq = alloc_ordered_workqueue("hv_sub_chan", 0);
	if (!c->work_queue || !c->handle_primary_chan_wq ||
	    !c->handle_sub_chan_wq) {
		hvb_destroy_queues();
		return -ENOMEM;
	}
	return 0;
}

static int hvb_cpu_online(unsigned int cpu)
{
	int ret = hvcore_synic_enable(cpu);

	if (ret)
		pr_err("cpu%u: SynIC enable failed (%d)\n", cpu, ret);
	return ret;
}

/*
 * A CPU may not go while connected if the host sends it control messages
 * (the host cannot be told another one) or channel interrupts.
 */
static int hvb_cpu_offline(unsigned int cpu)
{
	if (READ_ONCE(vmbus_connection.conn_state) != DISCONNECTED &&
	    (cpu == VMBUS_CONNECT_CPU || hvb_cpu_has_channels(cpu)))
		return -EBUSY;
	hvcore_synic_disable(cpu);
	return 0;
}

/* Everything but the handshake, in reverse order of hvb_connect(). */
static void hvb_teardown(void)
{
	hvb_set_state(DISCONNECTED);
	WRITE_ONCE(vmbus_proto_version, 0);
	cpuhp_remove_state(hvb_cpuhp_state);
	hvcore_clear_handler();
	hvb_msg_dpc_kill();
	hvb_destroy_queues();
	hvb_free_pages();
	WRITE_ONCE(vmbus_connection.msg_conn_id, 0);
	hvcore_synic_exit();
	hvcore_put_backend();
}

/*
 * The devices go (their relids released as each is freed), then the
 * connection is unloaded.  No offer is taken from DISCONNECTING on.
 */
static void hvb_shutdown(void)
{
	struct vmbus_connection *c = &vmbus_connection;

	hvb_set_state(DISCONNECTING);
	flush_workqueue(c->work_queue);
	flush_workqueue(c->handle_primary_chan_wq);
	flush_workqueue(c->handle_sub_chan_wq);
	hvb_channels_sweep();
	if (READ_ONCE(hvb_unloaded))
		pr_info("UNLOAD already answered: not sent again\n");
	else
		hvb_unload();
}

/**
 * hvb_connect() - bring the VMBus connection up.
 *
 * Takes the hypervisor backend, sets up the SynIC of every online CPU,
 * negotiates the highest version both sides speak (capped by the
 * max_version parameter) and asks for the offers; devices are added as
 * they arrive.  Waits a few seconds for ALLOFFERS_DELIVERED, not for the
 * drivers' probes.
 *
 * Context: process context, sleeps.  Not with the device lock of a vmbus
 * device held.
 * Return: 0; -EBUSY when already connected; -ENODEV without a backend;
 * -ENOMEM; -EINVAL for a max_version below 2.4; -ECONNREFUSED when the
 * host accepts no version; -ETIMEDOUT, -ECONNABORTED or -EPROTO from the
 * handshake; another negative errno from the backend or the CPU-hotplug
 * setup.  Nothing is left set up after a failure.
 */
int hvb_connect(void)
{
	int ret;

	mutex_lock(&hvb_conn_lock);
	if (hvb_up) {
		ret = -EBUSY;
		goto out_unlock;
	}

	WRITE_ONCE(hvb_unloaded, false);
	ret = hvcore_get_backend();
	if (ret) {
		pr_err("no hypervisor backend: not on Hyper-V, and hvsim is not loaded\n");
		goto out_unlock;
	}
	ret = hvcore_synic_init();
	if (ret)
		goto err_put;
	ret = hvb_alloc_pages();
	if (ret)
		goto err_synic;
	ret = hvb_create_queues();
	if (ret)
		goto err_pages;
	hvb_msg_dpc_init();
	ret = hvcore_set_handler(hvb_isr);
	if (ret) {
		pr_err("the SynIC interrupt handler is taken (%d)\n", ret);
		goto err_dpc;
	}

	hvb_set_state(CONNECTING);
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hv_vmbus:online",
				hvb_cpu_online, hvb_cpu_offline);
	if (ret < 0)
		goto err_handler;
	hvb_cpuhp_state = ret;

	ret = hvb_negotiate();
	if (ret)
		goto err_cpuhp;
	hvb_set_state(CONNECTED);

	ret = hvb_request_offers();
	if (ret)
		goto err_shutdown;

	hvb_up = true;
	hvb_set_hooks();
	mutex_unlock(&hvb_conn_lock);
	return 0;

err_shutdown:
	hvb_shutdown();
	hvb_teardown();
	goto out_unlock;
err_cpuhp:
	hvb_set_state(DISCONNECTED);
	WRITE_ONCE(vmbus_proto_version, 0);
	cpuhp_remove_state(hvb_cpuhp_state);
err_handler:
	hvb_set_state(DISCONNECTED);
	hvcore_clear_handler();
err_dpc:
	hvb_msg_dpc_kill();
	hvb_destroy_queues();
err_pages:
	hvb_free_pages();
err_synic:
	hvcore_synic_exit();
err_put:
	hvcore_put_backend();
out_unlock:
	mutex_unlock(&hvb_conn_lock);
	return ret;
}

/**
 * hvb_disconnect() - take the VMBus connection down.
 *
 * Removes every device (their drivers' remove runs), releases every relid,
 * waits for the last device and channel to be freed, sends UNLOAD and
 * waits up to 10 s for the answer (not sent to hosts before 3.0, nor
 * when hvb_unload_crash() or the kexec path got an answer already), then
 * disables the SynICs and gives everything back.  Does nothing when not
 * connected.
 *
 * Context: process context, sleeps; not from a vmbus driver's callbacks.
 */
void hvb_disconnect(void)
{
	mutex_lock(&hvb_conn_lock);
	if (hvb_up) {
		hvb_clear_hooks();
		hvb_shutdown();
		hvb_teardown();
		hvb_up = false;
		pr_info("disconnected\n");
	}
	mutex_unlock(&hvb_conn_lock);
}

/**
 * hvb_connected() - whether hvb_connect() has brought the connection up.
 *
 * Context: any.
 * Return: true between a successful hvb_connect() and hvb_disconnect().
 */
bool hvb_connected(void)
{
	return READ_ONCE(hvb_up);
}

/**
 * hvb_wait_idle() - wait for the messages and device work queued so far.
 *
 * Every host message already taken from the SynIC is handled, and every
 * device addition and removal it queued has run, probes included.
 *
 * Context: process context, sleeps; not from the work queues themselves.
 */
void hvb_wait_idle(void)
{
	struct vmbus_connection *c = &vmbus_connection;

	mutex_lock(&hvb_conn_lock);
	if (hvb_up) {
		flush_workqueue(c->work_queue);
		flush_workqueue(c->handle_primary_chan_wq);
		flush_workqueue(c->handle_sub_chan_wq);
	}
	mutex_unlock(&hvb_conn_lock);
}
