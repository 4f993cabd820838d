// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus: offers, rescinds and the channel objects.
 *
 * An offer becomes a struct vmbus_channel (inside a struct hvb_channel),
 * published in vmbus_connection.channels[relid] for the interrupt handler
 * and linked into vmbus_connection.chn_list (a primary channel) or its
 * primary's sc_list (a sub-channel).  Its device is added from an ordered
 * device work queue; a rescind queues the removal behind it on the same
 * queue, so a removal always follows the addition it undoes, and a probe
 * still running when the rescind comes finishes first (woken from any wait
 * for the host by channel->rescind).
 *
 * A channel goes in two steps: hvb_channel_unlink(), under channel_mutex,
 * takes it out of the lists and the relid map; hvb_channels_free(),
 * without the mutex, takes it out of sysfs, sends RELID_RELEASED and drops
 * the reference, whose release frees it after an RCU grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* Upstream's exporting file includes these; see hvb.h for why it matters. */
#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/cpu.h>
#include <linux/hyperv.h>
#include <asm/mshyperv.h>
#include <linux/sched/isolation.h>

#include "hvb.h"
#include "ring_buffer.h"

/* A row of vmbus_devs[]: @ring is the preferred ring size in bytes, or 0. */
#define HVB_DEV(_type, _guid, _perf, _isolated, _ring)		\
	[_type] = {						\
		.dev_type = _type,				\
		_guid,						\
		.perf_device = _perf,				\
		.allowed_in_isolated = _isolated,		\
		.pref_ring_size = _ring,			\
	}

/*
 * The device classes, indexed by enum vmbus_device_type (a channel's
 * device_id).  In-tree drivers read perf_device and pref_ring_size through
 * the inline helpers of upstream's hyperv_vmbus.h.
 */
const struct vmbus_device vmbus_devs[] = {
	HVB_DEV(HV_IDE,		HV_IDE_GUID,		true,	false,	0),
	HVB_DEV(HV_SCSI,	HV_SCSI_GUID,		true,	true,	0),
	HVB_DEV(HV_FC,		HV_SYNTHFC_GUID,	true,	false,	0),
	HVB_DEV(HV_NIC,		HV_NIC_GUID,		true,	true,	0),
	HVB_DEV(HV_ND,		HV_ND_GUID,		true,	false,	0),
	HVB_DEV(HV_PCIE,	HV_PCIE_GUID,		false,	true,	0),
	HVB_DEV(HV_FB,		HV_SYNTHVID_GUID,	false,	false,	0),
	HVB_DEV(HV_KBD,		HV_KBD_GUID,		false,	false,	0),
	HVB_DEV(HV_MOUSE,	HV_MOUSE_GUID,		false,	false,	0),
	HVB_DEV(HV_KVP,		HV_KVP_GUID,		false,	false,	0),
	HVB_DEV(HV_TS,		HV_TS_GUID,		false,	true,	0),
	HVB_DEV(HV_HB,		HV_HEART_BEAT_GUID,	false,	true,	0),
	HVB_DEV(HV_SHUTDOWN,	HV_SHUTDOWN_GUID,	false,	true,	0),
	/* fcopy has always used a 16 KiB ring. */
	HVB_DEV(HV_FCOPY,	HV_FCOPY_GUID,		false,	false,	0x4000),
	HVB_DEV(HV_BACKUP,	HV_VSS_GUID,		false,	false,	0),
	HVB_DEV(HV_DM,		HV_DM_GUID,		false,	false,	0),
	/* Anything else: a 64 KiB ring and its header page is plenty. */
	[HV_UNKNOWN] = {
		.dev_type = HV_UNKNOWN,
		.pref_ring_size = 0x11000,
	},
};
EXPORT_SYMBOL_GPL(vmbus_devs);

static_assert(ARRAY_SIZE(vmbus_devs) == HV_UNKNOWN + 1);

/* Offers of these classes get no class-specific treatment. */
static const struct {
	guid_t guid;
} hvb_unsupported_classes[] = {
	{ HV_AVMA1_GUID },
	{ HV_AVMA2_GUID },
	{ HV_RDV_GUID },
	{ HV_IMC_GUID },
};

/**
 * hvb_dev_type() - the device class of an offer.
 * @offer: the offer.
 *
 * Context: any.
 * Return: its enum vmbus_device_type; HV_UNKNOWN for hvsock offers, the
 * classes Linux has no use for and unknown classes.
 */
u16 hvb_dev_type(const struct vmbus_channel_offer_channel *offer)
{
	const guid_t *class = &offer->offer.if_type;
	unsigned int i;

	if (is_hvsock_offer(offer))
		return HV_UNKNOWN;
	for (i = 0; i < ARRAY_SIZE(hvb_unsupported_classes); i++)
		if (guid_equal(class, &hvb_unsupported_classes[i].guid))
			return HV_UNKNOWN;
	for (i = 0; i < HV_UNKNOWN; i++)
		if (guid_equal(class, &vmbus_devs[i].guid))
			return i;
	pr_info("Unknown GUID: %pUl\n", class);
	return HV_UNKNOWN;
}

/* Find our version in the host's list: the index of its entry, or -1. */
static int hvb_ic_find(const struct icmsg_negotiate *neg, unsigned int first,
		       unsigned int count, const int *ours, int nr_ours)
{
	unsigned int j;
	int i;

	for (i = 0; i < nr_ours; i++) {
		for (j = first; j < first + count; j++) {
			const struct ic_version *v = &neg->icversion_data[j];

			if (v->major == (u16)(ours[i] >> 16) &&
			    v->minor == (u16)(ours[i] & 0xffff))
				return j;
		}
	}
	return -1;
}

/**
 * vmbus_prep_negotiate_resp() - answer an integration component's version
 * negotiation in place.
 * @icmsghdrp: the IC message header inside @buf.
 * @buf: the negotiate packet received from the host; rewritten into the
 *	answer.
 * @buflen: the packet's length.
 * @fw_version: the framework versions the driver speaks, best first, each
 *	major << 16 | minor.
 * @fw_vercnt: entries in @fw_version.
 * @srv_version: the service versions the driver speaks, best first.
 * @srv_vercnt: entries in @srv_version.
 * @nego_fw_version: where to store the framework version chosen; may be
 *	NULL.
 * @nego_srv_version: where to store the service version chosen; may be
 *	NULL.
 *
 * The host lists its framework versions, then its service versions.  The
 * first of ours that the host lists is chosen, for each.  The answer names
 * both with one entry each, or none when either has no match.  Counts over
 * IC_VERSION_NEGOTIATION_MAX_VER_COUNT and lists longer than @buflen are
 * refused.  The outputs are written only on success.
 *
 * Context: any.
 * Return: true when both versions were agreed on; false otherwise (the
 * packet is then an answer with no versions when it is long enough to
 * hold one, and left alone when it is not).
 */
bool vmbus_prep_negotiate_resp(struct icmsg_hdr *icmsghdrp, u8 *buf,
			       u32 buflen, const int *fw_version, int fw_vercnt,
			       const int *srv_version, int srv_vercnt,
			       int *nego_fw_version, int *nego_srv_version)
{
	struct icmsg_negotiate *neg;
	struct ic_version fw = {}, srv = {};
	unsigned int nfw, nsrv;
	int f = -1, s = -1;

	if (buflen < ICMSG_HDR + offsetof(struct icmsg_negotiate, reserved)) {
		pr_err_ratelimited("IC negotiate packet too short (%u bytes)\n",
				   buflen);
		return false;
	}
	neg = (struct icmsg_negotiate *)&buf[ICMSG_HDR];
	nfw = neg->icframe_vercnt;
	nsrv = neg->icmsg_vercnt;

	if (nfw > IC_VERSION_NEGOTIATION_MAX_VER_COUNT ||
	    nsrv > IC_VERSION_NEGOTIATION_MAX_VER_COUNT ||
	    ICMSG_NEGOTIATE_PKT_SIZE(nfw, nsrv) > buflen) {
		pr_err_ratelimited("IC negotiate packet refused: %u framework and %u service versions in %u bytes\n",
				   nfw, nsrv, buflen);
	} else {
		f = hvb_ic_find(neg, 0, nfw, fw_version, fw_vercnt);
		if (f >= 0)
			s = hvb_ic_find(neg, nfw, nsrv, srv_version,
					srv_vercnt);
		if (s >= 0) {
			fw = neg->icversion_data[f];
			srv = neg->icversion_data[s];
		}
	}

	/*
	 * The answer: its size, the counts, then the two versions; the size
	 * never claims more than the packet holds (a host may send a
	 * negotiation too short for the versions).
	 */
	icmsghdrp->icmsgsize = min_t(u32, buflen - ICMSG_HDR,
				     sizeof(*neg) + 2 * sizeof(struct ic_version));
	neg->icframe_vercnt = s >= 0;
	neg->icmsg_vercnt = s >= 0;
	if (ICMSG_NEGOTIATE_PKT_SIZE(2, 0) <= buflen) {
		neg->icversion_data[0] = fw;
		neg->icversion_data[1] = srv;
	}
	if (s < 0)
		return false;

	if (nego_fw_version)
		*nego_fw_version = fw.major << 16 | fw.minor;
	if (nego_srv_version)
		*nego_srv_version = srv.major << 16 | srv.minor;
	return true;
}
EXPORT_SYMBOL_GPL(vmbus_prep_negotiate_resp);

/* ------------------------------------------------------------------------
 * Channel objects.
 */

/* Batched and direct channels: the callback in softirq context. */
static void hvb_chan_tasklet(struct tasklet_struct *t)
{
	struct vmbus_channel *ch = from_tasklet(ch, t, callback_event);
	void (*cb)(void *context) = READ_ONCE(ch->onchannel_callback);

	if (!cb)
		return;
	cb(ch->channel_callback_context);
	if (ch->callback_mode != HV_CALL_BATCHED)
		return;
	/* Packets that came while masked raised no interrupt: poll again. */
	if (hvb_ring_intr_unmask(&ch->inbound)) {
		hvb_ring_intr_mask(&ch->inbound);
		tasklet_schedule(&ch->callback_event);
	}
}

static void hvb_remove_work(struct work_struct *work);

static struct hvb_channel *
hvb_channel_alloc(const struct vmbus_channel_offer_channel *offer)
{
	struct hvb_channel *hc;
	struct vmbus_channel *ch;

	hc = kzalloc(sizeof(*hc), GFP_KERNEL);
	if (!hc)
		return NULL;
	ch = &hc->chan;

	/* From here on the kobject owns it: kobject_put() frees it. */
	kobject_init(&ch->kobj, &hvb_chan_ktype);
	atomic_inc(&hvb_stats.channels);

	spin_lock_init(&ch->sched_lock);
	init_completion(&ch->rescind_event);
	INIT_LIST_HEAD(&ch->listentry);
	INIT_LIST_HEAD(&ch->sc_list);
	tasklet_setup(&ch->callback_event, hvb_chan_tasklet);
	/* The ring sysfs files lock these before a ring exists. */
	spin_lock_init(&ch->inbound.ring_lock);
	mutex_init(&ch->inbound.ring_buffer_mutex);
	spin_lock_init(&ch->outbound.ring_lock);
	mutex_init(&ch->outbound.ring_buffer_mutex);
	INIT_WORK(&hc->remove_work, hvb_remove_work);
	INIT_LIST_HEAD(&hc->close_node);

	memcpy(&ch->offermsg, offer, sizeof(ch->offermsg));
	ch->state = CHANNEL_OFFER_STATE;
	ch->callback_mode = HV_CALL_BATCHED;
	ch->is_dedicated_interrupt = offer->is_dedicated_interrupt;
	ch->sig_event = offer->connection_id;
	ch->monitor_grp = offer->monitorid / 32;
	ch->monitor_bit = offer->monitorid % 32;
	ch->device_id = hvb_dev_type(offer);
	return hc;
}

static void hvb_release_relid(u32 relid)
{
	struct vmbus_channel_relid_released msg = {
		.header.msgtype = CHANNELMSG_RELID_RELEASED,
		.child_relid = relid,
	};
	int ret;

	if (READ_ONCE(vmbus_connection.conn_state) == DISCONNECTED)
		return;
	ret = hvb_post_msg(&msg, sizeof(msg));
	if (ret)
		pr_err_ratelimited("relid %u: RELID_RELEASED not posted (%d)\n",
				   relid, ret);
	else
		atomic_long_inc(&hvb_stats.relids_released);
}

/**
 * hvb_channel_unlink() - unpublish a channel and its sub-channels.
 * @ch: the channel.
 * @dead: the channels unlinked are added here, for hvb_channels_free().
 *
 * Takes @ch (and, for a primary, every sub-channel) out of the relid map
 * and the channel lists.  Does nothing for a channel already unlinked.
 *
 * Context: process context, vmbus_connection.channel_mutex held.
 */
void hvb_channel_unlink(struct vmbus_channel *ch, struct list_head *dead)
{
	struct hvb_channel *hc = to_hvb_channel(ch);
	struct vmbus_channel *sc, *tmp;
	u32 relid = ch->offermsg.child_relid;

	lockdep_assert_held(&vmbus_connection.channel_mutex);
	if (hc->removed)
		return;
	hc->removed = true;

	if (!ch->primary_channel)
		list_for_each_entry_safe(sc, tmp, &ch->sc_list, sc_list)
			hvb_channel_unlink(sc, dead);

	if (vmbus_connection.channels[relid] == ch)
		WRITE_ONCE(vmbus_connection.channels[relid], NULL);
	if (ch->primary_channel)
		list_del_init(&ch->sc_list);
	else
		list_del_init(&ch->listentry);
	list_add_tail(&ch->listentry, dead);
	/* Anyone waiting for it to be removable may stop waiting. */
	wake_up_all(&hvb_live_wq);
}

/**
 * hvb_channels_free() - finish removing the channels hvb_channel_unlink()
 * collected.
 * @dead: the list; empty on return.
 *
 * Each channel leaves sysfs, its relid is released to the host (while the
 * connection is up) and its reference dropped; it is freed once nothing
 * else holds one, after an RCU grace period.
 *
 * Context: process context, sleeps; vmbus_connection.channel_mutex not
 * held.
 */
void hvb_channels_free(struct list_head *dead)
{
	struct vmbus_channel *ch, *tmp;

	list_for_each_entry_safe(ch, tmp, dead, listentry) {
		list_del_init(&ch->listentry);
		hvb_chan_kobj_del(ch);
		hvb_release_relid(ch->offermsg.child_relid);
		tasklet_kill(&ch->callback_event);
		kobject_put(&ch->kobj);
	}
}

/**
 * hvb_channel_remove() - remove a channel that has no device of its own.
 * @ch: a channel never added, or a sub-channel.
 *
 * Context: process context, sleeps; channel_mutex not held.
 */
void hvb_channel_remove(struct vmbus_channel *ch)
{
	LIST_HEAD(dead);

	mutex_lock(&vmbus_connection.channel_mutex);
	hvb_channel_unlink(ch, &dead);
	mutex_unlock(&vmbus_connection.channel_mutex);
	hvb_channels_free(&dead);
}

/**
 * hvb_chan_stop_callback() - stop a channel's callback.
 * @ch: the channel.
 *
 * No tasklet run or interrupt-handler call starts after this returns.
 *
 * Context: process context.
 */
void hvb_chan_stop_callback(struct vmbus_channel *ch)
{
	unsigned long flags;

	tasklet_disable(&ch->callback_event);
	spin_lock_irqsave(&ch->sched_lock, flags);
	ch->onchannel_callback = NULL;
	spin_unlock_irqrestore(&ch->sched_lock, flags);
	tasklet_enable(&ch->callback_event);
}

/*
 * Mark the channel rescinded and wake whoever waits for the host's answer
 * about it: the host will not give one any more.
 */
static void hvb_chan_mark_rescinded(struct vmbus_channel *ch)
{
	struct vmbus_channel_msginfo *mi;
	unsigned long flags;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	WRITE_ONCE(ch->rescind, true);
	list_for_each_entry(mi, &vmbus_connection.chn_msg_list, msglistentry)
		if (mi->waiting_channel == ch)
			complete(&mi->waitevent);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
	wake_up_all(&hvb_live_wq);
}

/* The primary channel of an offer's device, if it has one already. */
static struct vmbus_channel *
hvb_find_primary(const struct vmbus_channel_offer_channel *offer)
{
	struct vmbus_channel *ch;

	lockdep_assert_held(&vmbus_connection.channel_mutex);
	list_for_each_entry(ch, &vmbus_connection.chn_list, listentry) {
		/* A rescinded device may be offered again meanwhile. */
		if (ch->rescind)
			continue;
		if (guid_equal(&ch->offermsg.offer.if_type,
			       &offer->offer.if_type) &&
		    guid_equal(&ch->offermsg.offer.if_instance,
			       &offer->offer.if_instance))
			return ch;
	}
	return NULL;
}

/*
 * CPU assignment follows upstream's init_vp_index(): channels of
 * performance devices (storage, network) take, node after node, a CPU
 * that no other channel of such a device took since the node's CPUs were
 * last all handed out, preferring one that no other channel of the same
 * device uses; every other channel interrupts the CPU the host sends
 * messages to.  hvb_numa_alloced[node] is that "taken" set.  All under
 * channel_mutex and cpus_read_lock(), so that a CPU stays online until the
 * channel is listed (the offline callback then sees it).
 */
static cpumask_t hvb_numa_alloced[MAX_NUMNODES];
static unsigned int hvb_next_node;

static bool hvb_is_perf(const struct vmbus_channel *ch)
{
	return vmbus_devs[ch->device_id].perf_device;
}

/* Whether another channel of @ch's device interrupts @cpu. */
static bool hvb_cpu_used_by_device(const struct vmbus_channel *ch,
				   unsigned int cpu)
{
	const struct vmbus_channel *primary = ch->primary_channel ?: ch;
	const struct vmbus_channel *sc;

	if (primary != ch && primary->target_cpu == cpu)
		return true;
	list_for_each_entry(sc, &primary->sc_list, sc_list)
		if (sc != ch && sc->target_cpu == cpu)
			return true;
	return false;
}

static void hvb_assign_cpu(struct vmbus_channel *ch)
{
	const struct cpumask *hk = housekeeping_cpumask(HK_TYPE_MANAGED_IRQ);
	unsigned int ncpu = num_online_cpus(), node, cpu, i, tries;
	cpumask_var_t avail;
	cpumask_t *taken;

	lockdep_assert_held(&vmbus_connection.channel_mutex);
	ch->target_cpu = VMBUS_CONNECT_CPU;
	if (!hvb_is_perf(ch))
		return;
	if (!alloc_cpumask_var(&avail, GFP_KERNEL)) {
		cpumask_set_cpu(VMBUS_CONNECT_CPU,
				&hvb_numa_alloced[cpu_to_node(VMBUS_CONNECT_CPU)]);
		return;
	}

	cpu = VMBUS_CONNECT_CPU;
	for (i = 1; i <= ncpu + 1; i++) {
		/* The next node with a usable CPU, round robin. */
		for (tries = 0; tries < nr_node_ids; tries++) {
			node = hvb_next_node;
			hvb_next_node = (node + 1) % nr_node_ids;
			cpumask_and(avail, cpumask_of_node(node),
				    cpu_online_mask);
			cpumask_and(avail, avail, hk);
			if (!cpumask_empty(avail))
				break;
		}
		if (cpumask_empty(avail))
			break;

		taken = &hvb_numa_alloced[node];
		/* Every CPU of the node was handed out: start again. */
		if (cpumask_subset(avail, taken))
			cpumask_andnot(taken, taken, avail);
		cpumask_andnot(avail, avail, taken);
		cpu = cpumask_first(avail);
		cpumask_set_cpu(cpu, taken);

		if (ch->offermsg.offer.sub_channel_index >= ncpu || i > ncpu ||
		    !hvb_cpu_used_by_device(ch, cpu))
			break;
	}
	ch->target_cpu = cpu;
	free_cpumask_var(avail);
}

/**
 * hvb_chan_set_cpu() - record that a channel moved to another CPU.
 * @ch: the channel, whose host was told.
 * @old: the CPU it interrupted.
 * @cpu: the CPU it interrupts now.
 *
 * Context: channel_mutex and cpus_read_lock() held.
 */
void hvb_chan_set_cpu(struct vmbus_channel *ch, unsigned int old,
		      unsigned int cpu)
{
	lockdep_assert_held(&vmbus_connection.channel_mutex);
	WRITE_ONCE(ch->target_cpu, cpu);
	if (!hvb_is_perf(ch))
		return;
	cpumask_clear_cpu(old, &hvb_numa_alloced[cpu_to_node(old)]);
	cpumask_set_cpu(cpu, &hvb_numa_alloced[cpu_to_node(cpu)]);
}

/**
 * hvb_cpu_has_channels() - whether a channel interrupts a CPU.
 * @cpu: the CPU.
 *
 * Context: process context (the CPU-hotplug offline callback).
 * Return: true when a primary or sub-channel targets @cpu.
 */
bool hvb_cpu_has_channels(unsigned int cpu)
{
	struct vmbus_channel *ch, *sc;
	bool found = false;

	mutex_lock(&vmbus_connection.channel_mutex);
	list_for_each_entry(ch, &vmbus_connection.chn_list, listentry) {
		if (ch->target_cpu == cpu)
			found = true;
		list_for_each_entry(sc, &ch->sc_list, sc_list)
			if (sc->target_cpu == cpu)
				found = true;
		if (found)
			break;
	}
	mutex_unlock(&vmbus_connection.channel_mutex);
	return found;
}

/* ------------------------------------------------------------------------
 * Adding and removing.
 */

/* A sub-channel joins its primary's device and driver. */
static void hvb_sub_add(struct vmbus_channel *ch)
{
	struct vmbus_channel *primary = ch->primary_channel;
	void (*cb)(struct vmbus_channel *new_sc);
	int ret;

	ret = hvb_chan_kobj_add(primary, ch);
	if (ret) {
		pr_err_ratelimited("relid %u: sub-channel not added (%d)\n",
				   ch->offermsg.child_relid, ret);
		hvb_channel_remove(ch);
		return;
	}
	cb = READ_ONCE(primary->sc_creation_callback);
	if (cb)
		cb(ch);
}

static void hvb_add_work(struct work_struct *work)
{
	struct vmbus_channel *ch = container_of(work, struct vmbus_channel,
						add_channel_work);
	bool skip;

	mutex_lock(&vmbus_connection.channel_mutex);
	skip = ch->rescind || to_hvb_channel(ch)->removed ||
	       vmbus_connection.conn_state != CONNECTED;
	if (!skip)
		ch->state = CHANNEL_OPEN_STATE;
	mutex_unlock(&vmbus_connection.channel_mutex);

	/* A skipped channel is removed by its rescind or by the disconnect. */
	if (!skip) {
		if (ch->primary_channel)
			hvb_sub_add(ch);
		else
			hvb_device_add(ch);
	}

	WRITE_ONCE(ch->probe_done, true);
	wake_up_all(&hvb_live_wq);
	kobject_put(&ch->kobj);
}

/**
 * hvb_on_offer() - OFFERCHANNEL: a channel, new device or sub-channel.
 * @hdr: the validated message (relid in range).
 * @len: its length.
 *
 * Refused, without releasing the relid (which may belong to another
 * channel): offers of a relid in use, a second primary channel for a
 * device, monitor IDs beyond the monitor pages.  Offers that come while
 * the bus disconnects are ignored.
 *
 * Context: the message work queue.
 */
void hvb_on_offer(const struct vmbus_channel_message_header *hdr, u32 len)
{
	const struct vmbus_channel_offer_channel *offer = (const void *)hdr;
	struct vmbus_channel *primary, *ch;
	struct hvb_channel *hc;
	u32 relid = offer->child_relid;
	const char *why;

	if (offer->monitor_allocated && offer->monitorid >= HVB_MONITOR_IDS) {
		why = "monitor ID out of range";
		goto refuse;
	}

	hc = hvb_channel_alloc(offer);
	if (!hc) {
		pr_err_ratelimited("relid %u: no memory for the channel\n",
				   relid);
		/* The relid is ours and unused: give it back. */
		hvb_release_relid(relid);
		return;
	}
	ch = &hc->chan;

	cpus_read_lock();
	mutex_lock(&vmbus_connection.channel_mutex);
	if (vmbus_connection.conn_state != CONNECTED) {
		/* A device added while the bus unloads: not an error. */
		mutex_unlock(&vmbus_connection.channel_mutex);
		cpus_read_unlock();
		kobject_put(&ch->kobj);
		pr_info_ratelimited("relid %u: offer ignored while disconnecting\n",
				    relid);
		return;
	}
	if (vmbus_connection.channels[relid]) {
		why = "relid in use";
		goto refuse_unlock;
	}
	primary = hvb_find_primary(offer);
	if (primary && !offer->offer.sub_channel_index) {
		why = "second primary channel of a device";
		goto refuse_unlock;
	}

	ch->primary_channel = primary;
	hvb_assign_cpu(ch);
	if (primary)
		list_add_tail(&ch->sc_list, &primary->sc_list);
	else
		list_add_tail(&ch->listentry, &vmbus_connection.chn_list);
	/* Initialised before the interrupt handler can find it. */
	smp_store_release(&vmbus_connection.channels[relid], ch);
	mutex_unlock(&vmbus_connection.channel_mutex);
	cpus_read_unlock();

	/* The add work holds a reference until it has run. */
	kobject_get(&ch->kobj);
	INIT_WORK(&ch->add_channel_work, hvb_add_work);
	queue_work(primary ? vmbus_connection.handle_sub_chan_wq :
			     vmbus_connection.handle_primary_chan_wq,
		   &ch->add_channel_work);
	return;

refuse_unlock:
	mutex_unlock(&vmbus_connection.channel_mutex);
	cpus_read_unlock();
	kobject_put(&ch->kobj);
refuse:
	atomic_long_inc(&hvb_stats.bad_offers);
	pr_err_ratelimited("relid %u: offer of %pUl refused: %s\n", relid,
			   &offer->offer.if_instance, why);
}

static void hvb_remove_work(struct work_struct *work)
{
	struct hvb_channel *hc = container_of(work, struct hvb_channel,
					      remove_work);
	struct vmbus_channel *ch = &hc->chan;
	struct hv_device *hv = NULL;
	LIST_HEAD(dead);

	mutex_lock(&vmbus_connection.channel_mutex);
	if (hc->removed) {
		/* Gone with its device or its primary already. */
	} else if (ch->primary_channel) {
		/* An open sub-channel is removed when its driver closes it. */
		if (ch->state == CHANNEL_OPENING_STATE ||
		    ch->state == CHANNEL_OPENED_STATE)
			complete(&ch->rescind_event);
		else
			hvb_channel_unlink(ch, &dead);
	} else if (!ch->device_obj) {
		hvb_channel_unlink(ch, &dead);
	} else {
		hv = ch->device_obj;
		get_device(&hv->device);
	}
	mutex_unlock(&vmbus_connection.channel_mutex);
	hvb_channels_free(&dead);

	if (hv) {
		/* hv_sock removes its device itself, when its socket closes. */
		if (ch->chn_rescind_callback)
			ch->chn_rescind_callback(ch);
		else
			hvb_device_unregister(hv);
		put_device(&hv->device);
	}
	kobject_put(&ch->kobj);
}

/**
 * hvb_on_rescind() - RESCIND_CHANNELOFFER: the host took a channel back.
 * @hdr: the validated message (relid in range).
 * @len: its length.
 *
 * The channel's callback stops, anyone waiting for the host about it is
 * woken, and its removal is queued behind its addition: the device is
 * unregistered (or hv_sock told), and the relid released once the device
 * is freed.  Rescinds of unknown relids, and repeated ones, are ignored.
 *
 * Context: the message work queue.
 */
void hvb_on_rescind(const struct vmbus_channel_message_header *hdr, u32 len)
{
	const struct vmbus_channel_rescind_offer *r = (const void *)hdr;
	struct vmbus_channel *ch;
	bool connected;

	mutex_lock(&vmbus_connection.channel_mutex);
	ch = vmbus_connection.channels[r->child_relid];
	if (!ch || ch->rescind_ref) {
		mutex_unlock(&vmbus_connection.channel_mutex);
		pr_info_ratelimited("relid %u: rescind of no channel ignored\n",
				    r->child_relid);
		return;
	}
	ch->rescind_ref = true;
	connected = vmbus_connection.conn_state == CONNECTED;
	/* The removal work holds a reference until it has run. */
	kobject_get(&ch->kobj);
	mutex_unlock(&vmbus_connection.channel_mutex);

	hvb_chan_stop_callback(ch);
	hvb_chan_mark_rescinded(ch);

	/* While disconnecting, hvb_channels_sweep() removes everything. */
	if (!connected) {
		kobject_put(&ch->kobj);
		return;
	}
	queue_work(ch->primary_channel ? vmbus_connection.handle_sub_chan_wq :
					 vmbus_connection.handle_primary_chan_wq,
		   &to_hvb_channel(ch)->remove_work);
}

/*
 * Wait for every device and channel to be freed.  A driver or a sysfs
 * reader still holding a device delays this; the wait is logged.
 */
static void hvb_wait_released(void)
{
	unsigned int waited = 0;

	while (!wait_event_timeout(hvb_live_wq,
				   !atomic_read(&hvb_stats.devices) &&
				   !atomic_read(&hvb_stats.channels), 10 * HZ)) {
		waited += 10;
		pr_notice("waiting for %d devices and %d channels to be freed (%u s)\n",
			  atomic_read(&hvb_stats.devices),
			  atomic_read(&hvb_stats.channels), waited);
	}
}

/**
 * hvb_channels_sweep() - remove every device and channel.
 *
 * For the disconnect: every channel is marked rescinded (waking waiters),
 * devices are unregistered (their drivers removed), channels without one
 * removed; returns once all are freed and their relids released.
 *
 * Context: process context, sleeps; conn_state is DISCONNECTING and the
 * device work queues are idle.
 */
void hvb_channels_sweep(void)
{
	struct vmbus_channel *ch, *tmp, *sc;
	struct hv_device *hv;
	LIST_HEAD(dead);

	do {
		hv = NULL;
		mutex_lock(&vmbus_connection.channel_mutex);
		list_for_each_entry_safe(ch, tmp, &vmbus_connection.chn_list,
					 listentry) {
			if (!ch->rescind)
				hvb_chan_mark_rescinded(ch);
			list_for_each_entry(sc, &ch->sc_list, sc_list)
				if (!sc->rescind)
					hvb_chan_mark_rescinded(sc);
			if (!ch->device_obj) {
				hvb_channel_unlink(ch, &dead);
				continue;
			}
			/* Already going: wait for its release below. */
			if (test_bit(HVB_DEV_GONE,
				     &to_hvb_device(ch->device_obj)->flags))
				continue;
			hv = ch->device_obj;
			get_device(&hv->device);
			break;
		}
		mutex_unlock(&vmbus_connection.channel_mutex);
		hvb_channels_free(&dead);
		if (hv) {
			hvb_device_unregister(hv);
			put_device(&hv->device);
		}
	} while (hv);

	/* Channel memory goes after a grace period: let it. */
	rcu_barrier();
	hvb_wait_released();
}

/* ------------------------------------------------------------------------
 * The exported channel API.
 */

/**
 * vmbus_set_sc_create_callback() - set the sub-channel creation callback.
 * @primary_channel: the device's primary channel.
 * @sc_cr_cb: called with each new sub-channel, in process context (the
 *	sub-channel work queue), once it is in sysfs; may open it.
 *
 * Context: any; usually the driver's probe, before asking for
 * sub-channels.
 */
void vmbus_set_sc_create_callback(struct vmbus_channel *primary_channel,
				  void (*sc_cr_cb)(struct vmbus_channel *new_sc))
{
	WRITE_ONCE(primary_channel->sc_creation_callback, sc_cr_cb);
}
EXPORT_SYMBOL_GPL(vmbus_set_sc_create_callback);

/**
 * vmbus_set_chn_rescind_callback() - handle the channel's rescind yourself.
 * @channel: the channel.
 * @chn_rescind_cb: called in process context when the host rescinds
 *	@channel, instead of the bus unregistering its device; the driver
 *	then calls vmbus_hvsock_device_unregister() when it is done.
 *
 * Context: any; usually the driver's probe.
 */
void vmbus_set_chn_rescind_callback(struct vmbus_channel *channel,
				    void (*chn_rescind_cb)(struct vmbus_channel *))
{
	WRITE_ONCE(channel->chn_rescind_callback, chn_rescind_cb);
}
EXPORT_SYMBOL_GPL(vmbus_set_chn_rescind_callback);

/**
 * vmbus_hvsock_device_unregister() - remove an hvsock channel's device.
 * @channel: the primary channel of an hvsock offer.
 *
 * Waits until the device's probe has finished and the host has rescinded
 * the channel (it always does when the connection closes), then
 * unregisters the device; the relid is released when it is freed.
 *
 * Context: process context, sleeps; not from the device's own probe.
 */
void vmbus_hvsock_device_unregister(struct vmbus_channel *channel)
{
	if (WARN_ON_ONCE(!is_hvsock_channel(channel)))
		return;

	wait_event(hvb_live_wq, READ_ONCE(channel->probe_done) &&
				READ_ONCE(channel->rescind));
	if (channel->device_obj)
		hvb_device_unregister(channel->device_obj);
}
EXPORT_SYMBOL_GPL(vmbus_hvsock_device_unregister);
