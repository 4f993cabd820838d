// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hv_vmbus on hvsim, end to end, under KASAN and lockdep.
 *
 * hvsim and hv_vmbus are built in: the bus connected to hvsim's VMBus host
 * at boot.  The cases add and rescind devices on that host and watch the
 * bus: devices appear with their channels, drivers bind by class GUID
 * (hvsock offers only to the hvsock driver), a rescind removes the device
 * even while its driver probes, the relid is released only after the
 * driver's remove, messages a host should not send are refused, a
 * disconnect and reconnect gives every device back, stimer0 expiry
 * messages are taken in the interrupt without holding up the offers
 * behind them, and the crash path unloads with interrupts off.  Every case ends with
 * the bus's live devices and channels back where they started.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <hvguest/hvcore.h>
#include "../hvsim/hvsim.h"
#include "../hvsim/vmbus_host.h"
#include "../vmbus/hvb.h"

/* The class of the cases' devices; instance N is VBT_INSTANCE with N. */
#define VBT_CLASS	GUID_INIT(0x6b1e07a8, 0x23c4, 0x4f5e, 0x9d, 0x0c, \
				  0x1c, 0x2d, 0x3e, 0x4f, 0x50, 0x61)
#define VBT_INSTANCE(n)	GUID_INIT(0x0b5e0000 + (n), 0x7a3c, 0x4e11, 0x8b, \
				  0x2f, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55)

struct vbt_priv {
	struct hvsim_vmbus *host;
	int devices;
	int channels;
	bool driver;
	bool hvsock_driver;
};

/* The test driver's record. */
static struct {
	atomic_t probes;
	atomic_t removes;
	bool block;
	struct completion entered;
	struct completion release;
	struct hv_device *probing;
	bool saw_rescind;
	u64 released_at_remove;
} vbt;

static u64 vbt_released(void)
{
	struct hvsim_vmbus_stats st;

	hvsim_vmbus_get_stats(hvsim_vmbus_host(), &st);
	return st.rx[CHANNELMSG_RELID_RELEASED];
}

static int vbt_probe(struct hv_device *hv, const struct hv_vmbus_device_id *id)
{
	atomic_inc(&vbt.probes);
	if (!READ_ONCE(vbt.block))
		return 0;

	WRITE_ONCE(vbt.probing, hv);
	complete(&vbt.entered);
	/* A driver waiting on the host: the rescind must not wait for it. */
	wait_for_completion_timeout(&vbt.release, 10 * HZ);
	vbt.saw_rescind = READ_ONCE(hv->channel->rescind);
	WRITE_ONCE(vbt.probing, NULL);
	return 0;
}

static void vbt_remove(struct hv_device *hv)
{
	vbt.released_at_remove = vbt_released();
	atomic_inc(&vbt.removes);
}

static const struct hv_vmbus_device_id vbt_ids[] = {
	{ .guid = VBT_CLASS },
	{}
};

static struct hv_driver vbt_driver = {
	.name = "vmbus_kunit",
	.id_table = vbt_ids,
	.probe = vbt_probe,
	.remove = vbt_remove,
};

static atomic_t vbt_hvsock_probes;

static int vbt_hvsock_probe(struct hv_device *hv,
			    const struct hv_vmbus_device_id *id)
{
	atomic_inc(&vbt_hvsock_probes);
	return 0;
}

static void vbt_hvsock_remove(struct hv_device *hv)
{
}

static struct hv_driver vbt_hvsock_driver = {
	.name = "vmbus_kunit_hvsock",
	.hvsock = true,
	.probe = vbt_hvsock_probe,
	.remove = vbt_hvsock_remove,
};

/*
 * Wait up to 5 s for @cond, letting host and bus finish their work first
 * each time.
 */
#define vbt_wait(p, cond)						\
({									\
	int __n;							\
	bool __ok = false;						\
	for (__n = 0; __n < 500 && !__ok; __n++) {			\
		hvsim_vmbus_flush((p)->host);				\
		hvb_wait_idle();					\
		__ok = (cond);						\
		if (!__ok)						\
			usleep_range(10000, 20000);			\
	}								\
	__ok;								\
})

static struct hv_device *vbt_find(const guid_t *instance)
{
	struct device *dev;
	char name[UUID_STRING_LEN + 1];

	snprintf(name, sizeof(name), "%pUl", instance);
	dev = bus_find_device_by_name(&hvb_bus, NULL, name);
	return dev ? device_to_hv_device(dev) : NULL;
}

static bool vbt_present(const guid_t *instance)
{
	struct hv_device *hv = vbt_find(instance);

	if (hv)
		put_device(&hv->device);
	return hv;
}

/* Device @n is on the bus, its addition (and any probe) finished. */
static bool vbt_ready(unsigned int n)
{
	guid_t inst = VBT_INSTANCE(n);
	struct hv_device *hv = vbt_find(&inst);
	bool ready;

	if (!hv)
		return false;
	ready = test_bit(HVB_DEV_READY, &to_hvb_device(hv)->flags) &&
		READ_ONCE(hv->channel->probe_done);
	put_device(&hv->device);
	return ready;
}

static int vbt_add(struct vbt_priv *p, unsigned int n, u16 flags)
{
	struct hvsim_vmbus_dev_config cfg = {
		.class_id = VBT_CLASS,
		.instance_id = VBT_INSTANCE(n),
		.flags = flags,
	};

	return hvsim_vmbus_add(p->host, &cfg);
}

static int vbt_rescind(struct vbt_priv *p, unsigned int n)
{
	guid_t inst = VBT_INSTANCE(n);

	return hvsim_vmbus_rescind(p->host, &inst);
}

/* Wait up to 5 s for a rescind, without waiting for device work. */
static bool vbt_wait_rescind(struct vmbus_channel *ch)
{
	int n;

	for (n = 0; n < 500 && !READ_ONCE(ch->rescind); n++)
		usleep_range(10000, 20000);
	return READ_ONCE(ch->rescind);
}

static bool vbt_live_back(struct vbt_priv *p)
{
	return atomic_read(&hvb_stats.devices) == p->devices &&
	       atomic_read(&hvb_stats.channels) == p->channels;
}

static int vbt_init(struct kunit *test)
{
	struct vbt_priv *p;

	/* Connected at boot, or by the suite before (hvsim_synic's exit). */
	KUNIT_ASSERT_TRUE_MSG(test, hvb_connected() || !hvb_connect(),
			      "hv_vmbus cannot connect to hvsim");
	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p->host = hvsim_vmbus_host();
	KUNIT_ASSERT_NOT_NULL(test, p->host);
	test->priv = p;

	memset(&vbt, 0, sizeof(vbt));
	init_completion(&vbt.entered);
	init_completion(&vbt.release);
	atomic_set(&vbt_hvsock_probes, 0);

	hvb_wait_idle();
	p->devices = atomic_read(&hvb_stats.devices);
	p->channels = atomic_read(&hvb_stats.channels);
	return 0;
}

static void vbt_exit(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	unsigned int n;

	if (!p)
		return;
	complete_all(&vbt.release);
	/* Whatever a failed case left behind. */
	for (n = 0; n < 8; n++)
		vbt_rescind(p, n);
	if (p->driver)
		vmbus_driver_unregister(&vbt_driver);
	if (p->hvsock_driver)
		vmbus_driver_unregister(&vbt_hvsock_driver);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
}

static void vmbus_offer_adds_device(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	struct hv_device *hv;
	struct vmbus_channel *ch;
	guid_t inst = VBT_INSTANCE(1), class = VBT_CLASS;
	unsigned int n;

	for (n = 1; n <= 3; n++)
		KUNIT_ASSERT_EQ(test, vbt_add(p, n, 0), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_ready(1) && vbt_ready(2) &&
					    vbt_ready(3)));
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.devices), p->devices + 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.channels), p->channels + 3);

	hv = vbt_find(&inst);
	KUNIT_ASSERT_NOT_NULL(test, hv);
	ch = hv->channel;
	KUNIT_EXPECT_TRUE(test, guid_equal(&hv->dev_type, &class));
	KUNIT_EXPECT_TRUE(test, guid_equal(&hv->dev_instance, &inst));
	KUNIT_EXPECT_EQ(test, hv->vendor_id, 0x1414);
	KUNIT_EXPECT_EQ(test, hv->device_id, HV_UNKNOWN);
	KUNIT_EXPECT_PTR_EQ(test, ch->device_obj, hv);
	KUNIT_EXPECT_TRUE(test, hvb_relid_valid(ch->offermsg.child_relid));
	KUNIT_EXPECT_PTR_EQ(test,
			    vmbus_connection.channels[ch->offermsg.child_relid],
			    ch);
	KUNIT_EXPECT_EQ(test, ch->state, CHANNEL_OPEN_STATE);
	KUNIT_EXPECT_EQ(test, ch->target_cpu, VMBUS_CONNECT_CPU);
	KUNIT_EXPECT_NOT_NULL(test, hv->channels_kset);
	KUNIT_EXPECT_TRUE(test, ch->kobj.state_in_sysfs);
	KUNIT_EXPECT_NULL(test, hv->device.driver);
	put_device(&hv->device);

	for (n = 1; n <= 3; n++)
		KUNIT_EXPECT_EQ(test, vbt_rescind(p, n), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
	KUNIT_EXPECT_FALSE(test, vbt_present(&inst));
}

static void vmbus_driver_binds_hot_added_device(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	guid_t inst = VBT_INSTANCE(2);
	struct hv_device *hv;
	u64 released;

	KUNIT_ASSERT_EQ(test, vmbus_driver_register(&vbt_driver), 0);
	p->driver = true;
	KUNIT_ASSERT_EQ(test, vbt_add(p, 2, 0), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, atomic_read(&vbt.probes) == 1));
	hv = vbt_find(&inst);
	KUNIT_ASSERT_NOT_NULL(test, hv);
	KUNIT_EXPECT_PTR_EQ(test, hv->device.driver, &vbt_driver.driver);
	put_device(&hv->device);

	released = vbt_released();
	KUNIT_ASSERT_EQ(test, vbt_rescind(p, 2), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.removes), 1);
	/* The driver let go before the relid was given back. */
	KUNIT_EXPECT_EQ(test, vbt.released_at_remove, released);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_released() == released + 1));
	KUNIT_EXPECT_FALSE(test, vbt_present(&inst));
}

static void vmbus_driver_binds_existing_device(struct kunit *test)
{
	struct vbt_priv *p = test->priv;

	KUNIT_ASSERT_EQ(test, vbt_add(p, 3, 0), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_ready(3)));
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.probes), 0);
	KUNIT_ASSERT_EQ(test, vmbus_driver_register(&vbt_driver), 0);
	p->driver = true;
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.probes), 1);
	vmbus_driver_unregister(&vbt_driver);
	p->driver = false;
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.removes), 1);
	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 3), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
}

static void vmbus_rescind_during_probe(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	guid_t inst = VBT_INSTANCE(4);
	struct hv_device *hv;
	u64 released;

	WRITE_ONCE(vbt.block, true);
	KUNIT_ASSERT_EQ(test, vmbus_driver_register(&vbt_driver), 0);
	p->driver = true;
	KUNIT_ASSERT_EQ(test, vbt_add(p, 4, 0), 0);
	/* Not vbt_wait(): it would wait for the blocked probe. */
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&vbt.entered,
							   5 * HZ), 0);
	hv = READ_ONCE(vbt.probing);
	KUNIT_ASSERT_NOT_NULL(test, hv);

	released = vbt_released();
	KUNIT_ASSERT_EQ(test, vbt_rescind(p, 4), 0);
	/* The rescind is handled while the probe still runs. */
	hvsim_vmbus_flush(p->host);
	KUNIT_EXPECT_TRUE(test, vbt_wait_rescind(hv->channel));
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.removes), 0);
	complete(&vbt.release);

	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
	KUNIT_EXPECT_TRUE(test, vbt.saw_rescind);
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.probes), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.removes), 1);
	KUNIT_EXPECT_EQ(test, vbt.released_at_remove, released);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_released() == released + 1));
	KUNIT_EXPECT_FALSE(test, vbt_present(&inst));
}

static void vmbus_hvsock_offer_matches_hvsock_driver(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	guid_t inst = VBT_INSTANCE(5);
	struct hv_device *hv;

	KUNIT_ASSERT_EQ(test, vmbus_driver_register(&vbt_driver), 0);
	p->driver = true;
	KUNIT_ASSERT_EQ(test, vbt_add(p, 5, VMBUS_CHANNEL_TLNPI_PROVIDER_OFFER),
			0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_ready(5)));
	/* Its class matches vbt_driver, which is not the hvsock driver. */
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.probes), 0);

	KUNIT_ASSERT_EQ(test, vmbus_driver_register(&vbt_hvsock_driver), 0);
	p->hvsock_driver = true;
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt_hvsock_probes), 1);
	hv = vbt_find(&inst);
	KUNIT_ASSERT_NOT_NULL(test, hv);
	KUNIT_EXPECT_PTR_EQ(test, hv->device.driver,
			    &vbt_hvsock_driver.driver);
	KUNIT_EXPECT_EQ(test, hv->channel->device_id, HV_UNKNOWN);
	put_device(&hv->device);

	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 5), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
}

static void vmbus_disconnect_reconnect(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	struct hvsim_vmbus_stats st;
	guid_t inst = VBT_INSTANCE(6);

	KUNIT_ASSERT_EQ(test, vmbus_driver_register(&vbt_driver), 0);
	p->driver = true;
	KUNIT_ASSERT_EQ(test, vbt_add(p, 6, 0), 0);
	KUNIT_ASSERT_EQ(test, vbt_add(p, 7, 0), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, atomic_read(&vbt.probes) == 2));

	hvb_disconnect();
	KUNIT_EXPECT_FALSE(test, hvb_connected());
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt.removes), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.devices), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.channels), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.pages), 0);
	KUNIT_EXPECT_EQ(test, vmbus_proto_version, 0);
	hvsim_vmbus_flush(p->host);
	hvsim_vmbus_get_stats(p->host, &st);
	KUNIT_EXPECT_FALSE(test, st.connected);
	KUNIT_EXPECT_EQ(test, st.offered, 0);
	KUNIT_EXPECT_FALSE(test, vbt_present(&inst));

	/* The host offers its devices again on the new connection. */
	KUNIT_ASSERT_EQ(test, hvb_connect(), 0);
	KUNIT_EXPECT_EQ(test, vmbus_proto_version, VERSION_WIN10_V5_3);
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.pages), 3);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, atomic_read(&vbt.probes) == 4));
	KUNIT_EXPECT_TRUE(test, vbt_present(&inst));
	hvsim_vmbus_get_stats(p->host, &st);
	KUNIT_EXPECT_TRUE(test, st.connected);
	KUNIT_EXPECT_EQ(test, st.version, VERSION_WIN10_V5_3);

	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 6), 0);
	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 7), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
}

static atomic_t vbt_cb_calls;
static atomic_t vbt_cb_hardirq;

static void vbt_callback(void *context)
{
	atomic_inc(&vbt_cb_calls);
	if (in_hardirq())
		atomic_inc(&vbt_cb_hardirq);
}

static void vbt_set_callback(struct vmbus_channel *ch,
			     enum hv_callback_mode mode,
			     void (*cb)(void *context))
{
	unsigned long flags;

	spin_lock_irqsave(&ch->sched_lock, flags);
	ch->callback_mode = mode;
	ch->channel_callback_context = ch;
	ch->onchannel_callback = cb;
	spin_unlock_irqrestore(&ch->sched_lock, flags);
}

static bool vbt_flag_set(unsigned int cpu, u32 relid)
{
	union hv_synic_event_flags *ev;

	ev = &hvcore_synic(cpu)->event_page->sint_flags[HVCORE_VMBUS_SINT];
	return test_bit(relid, ev->flags);
}

static void vmbus_channel_event_runs_callback(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	guid_t inst = VBT_INSTANCE(1);
	struct vmbus_channel *ch;
	struct hv_device *hv;
	unsigned int cpu, ncpus = 0;
	u32 relid;

	atomic_set(&vbt_cb_calls, 0);
	atomic_set(&vbt_cb_hardirq, 0);
	KUNIT_ASSERT_EQ(test, vbt_add(p, 1, 0), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_ready(1)));
	hv = vbt_find(&inst);
	KUNIT_ASSERT_NOT_NULL(test, hv);
	ch = hv->channel;
	relid = ch->offermsg.child_relid;

	/*
	 * ISR mode: the callback runs in the interrupt, on whichever CPU the
	 * event arrives (an event may still come to a channel's old CPU).
	 */
	vbt_set_callback(ch, HV_CALL_ISR, vbt_callback);
	for_each_online_cpu(cpu) {
		KUNIT_ASSERT_EQ(test, hvsim_signal_guest(hvcore_vp_index(cpu),
							 HVCORE_VMBUS_SINT,
							 relid), 0);
		hvsim_sync_vp(hvcore_vp_index(cpu));
		ncpus++;
		KUNIT_EXPECT_EQ(test, atomic_read(&vbt_cb_calls), ncpus);
		/* The flag is taken, so the next signal interrupts again. */
		KUNIT_EXPECT_FALSE(test, vbt_flag_set(cpu, relid));
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt_cb_hardirq), ncpus);
	KUNIT_EXPECT_EQ(test, ch->interrupts, ncpus);

	/* Direct mode: in the channel's tasklet. */
	vbt_set_callback(ch, HV_CALL_DIRECT, vbt_callback);
	KUNIT_ASSERT_EQ(test, hvsim_signal_guest(hvcore_vp_index(0),
						 HVCORE_VMBUS_SINT, relid), 0);
	hvsim_sync_vp(hvcore_vp_index(0));
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, atomic_read(&vbt_cb_calls) ==
					    ncpus + 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt_cb_hardirq), ncpus);

	/* No callback, no call; the event is still taken. */
	vbt_set_callback(ch, HV_CALL_DIRECT, NULL);
	KUNIT_ASSERT_EQ(test, hvsim_signal_guest(hvcore_vp_index(0),
						 HVCORE_VMBUS_SINT, relid), 0);
	hvsim_sync_vp(hvcore_vp_index(0));
	hvb_wait_idle();
	KUNIT_EXPECT_EQ(test, atomic_read(&vbt_cb_calls), ncpus + 1);
	put_device(&hv->device);

	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 1), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
}

/* Post a raw VMBus message to the guest, as a broken host would. */
static void vbt_inject(struct kunit *test, const void *msg, u32 len)
{
	KUNIT_ASSERT_EQ(test,
			hvsim_post_to_guest(hvcore_vp_index(VMBUS_CONNECT_CPU),
					    HVCORE_VMBUS_SINT,
					    HVB_MSG_TYPE_VMBUS, msg, len), 0);
}

static void vmbus_host_messages_refused(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	struct vmbus_channel_offer_channel offer = {
		.header.msgtype = CHANNELMSG_OFFERCHANNEL,
		.offer.if_type = VBT_CLASS,
		.offer.if_instance = VBT_INSTANCE(0),
	};
	struct vmbus_channel_rescind_offer rescind = {
		.header.msgtype = CHANNELMSG_RESCIND_CHANNELOFFER,
		.child_relid = 2046,
	};
	struct vmbus_channel_message_header bogus = { .msgtype = 99 };
	long rejected = atomic_long_read(&hvb_stats.rejected);
	long bad = atomic_long_read(&hvb_stats.bad_offers);
	guid_t inst = VBT_INSTANCE(1);
	struct hv_device *hv;

	/* Refused by the table: relid 0, short, unknown type. */
	offer.child_relid = 0;
	vbt_inject(test, &offer, sizeof(offer));
	vbt_inject(test, &offer, sizeof(offer) - 1);
	vbt_inject(test, &bogus, sizeof(bogus));
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, atomic_long_read(&hvb_stats.rejected)
					    == rejected + 3));

	/* Refused by the offer handler: a relid in use, a monitor ID past
	 * the pages.
	 */
	KUNIT_ASSERT_EQ(test, vbt_add(p, 1, 0), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_ready(1)));
	hv = vbt_find(&inst);
	KUNIT_ASSERT_NOT_NULL(test, hv);
	offer.child_relid = hv->channel->offermsg.child_relid;
	put_device(&hv->device);
	vbt_inject(test, &offer, sizeof(offer));
	offer.child_relid = 2045;
	offer.monitor_allocated = 1;
	offer.monitorid = 200;
	vbt_inject(test, &offer, sizeof(offer));
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, atomic_long_read(&hvb_stats.bad_offers)
					    == bad + 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.devices), p->devices + 1);

	/* A rescind of a relid nobody holds changes nothing. */
	vbt_inject(test, &rescind, sizeof(rescind));
	hvsim_vmbus_flush(p->host);
	hvb_wait_idle();
	KUNIT_EXPECT_TRUE(test, vbt_present(&inst));

	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 1), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
}

static atomic_t vbt_sc_created;

static void vbt_sc_create(struct vmbus_channel *sc)
{
	atomic_inc(&vbt_sc_created);
}

/* A sub-channel offer for device @n, under a relid the host never uses. */
static void vbt_inject_sub(struct kunit *test, unsigned int n, u32 relid)
{
	struct vmbus_channel_offer_channel offer = {
		.header.msgtype = CHANNELMSG_OFFERCHANNEL,
		.offer.if_type = VBT_CLASS,
		.offer.if_instance = VBT_INSTANCE(n),
		.offer.sub_channel_index = 1,
		.child_relid = relid,
	};

	vbt_inject(test, &offer, sizeof(offer));
}

static void vmbus_subchannel_offer(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	struct vmbus_channel_rescind_offer rescind = {
		.header.msgtype = CHANNELMSG_RESCIND_CHANNELOFFER,
		.child_relid = 2000,
	};
	guid_t inst = VBT_INSTANCE(1);
	struct vmbus_channel *ch, *sc;
	struct hv_device *hv;

	atomic_set(&vbt_sc_created, 0);
	KUNIT_ASSERT_EQ(test, vbt_add(p, 1, 0), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_ready(1)));
	hv = vbt_find(&inst);
	KUNIT_ASSERT_NOT_NULL(test, hv);
	ch = hv->channel;
	vmbus_set_sc_create_callback(ch, vbt_sc_create);

	/* It joins its primary's device: no device of its own. */
	vbt_inject_sub(test, 1, 2000);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, atomic_read(&vbt_sc_created) == 1));
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.devices), p->devices + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&hvb_stats.channels),
			p->channels + 2);
	sc = vmbus_connection.channels[2000];
	KUNIT_ASSERT_NOT_NULL(test, sc);
	KUNIT_EXPECT_PTR_EQ(test, sc->primary_channel, ch);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&ch->sc_list));
	KUNIT_EXPECT_TRUE(test, sc->kobj.state_in_sysfs);
	KUNIT_EXPECT_PTR_EQ(test, sc->kobj.kset, hv->channels_kset);

	/* Its rescind removes it alone. */
	vbt_inject(test, &rescind, sizeof(rescind));
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, atomic_read(&hvb_stats.channels) ==
					    p->channels + 1));
	KUNIT_EXPECT_TRUE(test, list_empty(&ch->sc_list));
	KUNIT_EXPECT_NULL(test, vmbus_connection.channels[2000]);
	KUNIT_EXPECT_TRUE(test, vbt_present(&inst));

	/* Another one goes with its primary. */
	vbt_inject_sub(test, 1, 2001);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, atomic_read(&vbt_sc_created) == 2));
	put_device(&hv->device);
	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 1), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
	KUNIT_EXPECT_NULL(test, vmbus_connection.channels[2001]);
}

#define VBT_NIC_CLASS	GUID_INIT(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f, \
				  0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e)

static void vmbus_cpu_with_channel_stays_online(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	struct hvsim_vmbus_dev_config cfg = { .class_id = VBT_NIC_CLASS };
	unsigned int n, busy_cpu = 0;
	struct hv_device *hv;
	guid_t inst;

	if (num_online_cpus() < 2 || !cpu_online(1))
		kunit_skip(test, "needs cpu1");

	/* Two NICs: performance channels, spread over both CPUs. */
	for (n = 1; n <= 2; n++) {
		cfg.instance_id = VBT_INSTANCE(n);
		KUNIT_ASSERT_EQ(test, hvsim_vmbus_add(p->host, &cfg), 0);
	}
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_ready(1) && vbt_ready(2)));
	for (n = 1; n <= 2; n++) {
		inst = VBT_INSTANCE(n);
		hv = vbt_find(&inst);
		KUNIT_ASSERT_NOT_NULL(test, hv);
		KUNIT_EXPECT_EQ(test, hv->channel->device_id, HV_NIC);
		if (hv->channel->target_cpu)
			busy_cpu = hv->channel->target_cpu;
		put_device(&hv->device);
	}
	KUNIT_ASSERT_EQ(test, busy_cpu, 1);

	/* A CPU a channel interrupts cannot go while connected. */
	KUNIT_EXPECT_EQ(test, remove_cpu(1), -EBUSY);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(hvcore_synic(1)->enabled));

	for (n = 1; n <= 2; n++)
		KUNIT_EXPECT_EQ(test, vbt_rescind(p, n), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_live_back(p)));

	/* Without channels it goes, its SynIC off, and comes back on. */
	KUNIT_ASSERT_EQ(test, remove_cpu(1), 0);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(hvcore_synic(1)->enabled));
	KUNIT_ASSERT_EQ(test, add_cpu(1), 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(hvcore_synic(1)->enabled));
}

/* A stimer0 expiry, as the hypervisor posts it in message mode. */
static void vbt_inject_timer(struct kunit *test)
{
	struct hv_timer_message_payload t = { .expiration_time = 1 };

	KUNIT_ASSERT_EQ(test,
			hvsim_post_to_guest(hvcore_vp_index(VMBUS_CONNECT_CPU),
					    HVCORE_VMBUS_SINT,
					    HVMSG_TIMER_EXPIRED, &t, sizeof(t)),
			0);
}

static long vbt_timer_count(void)
{
	return atomic_long_read(&hvb_stats.timer_messages) +
	       atomic_long_read(&hvb_stats.timer_dropped);
}

static void vmbus_timer_message_handled_in_isr(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	long msgs = atomic_long_read(&hvb_stats.timer_messages);
	long dropped = atomic_long_read(&hvb_stats.timer_dropped);
	long rejected = atomic_long_read(&hvb_stats.rejected);

	/* hvsim has no stimer0: every expiry is counted as dropped. */
	vbt_inject_timer(test);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_timer_count() ==
					    msgs + dropped + 1));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&hvb_stats.timer_dropped),
			dropped + 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&hvb_stats.timer_messages), msgs);

	/* Queued back to back, with an offer behind them. */
	vbt_inject_timer(test);
	vbt_inject_timer(test);
	vbt_inject_timer(test);
	KUNIT_ASSERT_EQ(test, vbt_add(p, 2, 0), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_ready(2)));
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_timer_count() ==
					    msgs + dropped + 4));
	/* None went through the VMBus message table. */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&hvb_stats.rejected), rejected);

	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 2), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
}

/* The crash path's result, from the CPU it ran on. */
struct vbt_crash {
	int ret;
	u64 ns;
};

/* As a crash would: interrupts off, nothing may sleep. */
static long vbt_crash_fn(void *arg)
{
	struct vbt_crash *c = arg;
	unsigned long flags;
	u64 t0;

	local_irq_save(flags);
	t0 = ktime_get_ns();
	c->ret = hvb_unload_crash();
	c->ns = ktime_get_ns() - t0;
	local_irq_restore(flags);
	return 0;
}

static void vmbus_crash_unload_polls(struct kunit *test)
{
	struct vbt_priv *p = test->priv;
	struct hvsim_vmbus_stats before, st;
	struct vbt_crash c = { .ret = -EINVAL };

	KUNIT_ASSERT_EQ(test, vbt_add(p, 3, 0), 0);
	KUNIT_ASSERT_TRUE(test, vbt_wait(p, vbt_ready(3)));
	hvsim_vmbus_get_stats(p->host, &before);

	/*
	 * On the CPU the host answers to, with its interrupts off: the
	 * answer is only seen by reading the slot, and the host answers
	 * from its work queue on the other CPU.
	 */
	KUNIT_ASSERT_EQ(test, work_on_cpu(VMBUS_CONNECT_CPU, vbt_crash_fn, &c),
			0);
	KUNIT_EXPECT_EQ(test, c.ret, 0);
	/* Within the bound of about 5 s, and in practice far less. */
	KUNIT_EXPECT_LT(test, c.ns, 5ULL * NSEC_PER_SEC);

	hvsim_vmbus_flush(p->host);
	hvsim_vmbus_get_stats(p->host, &st);
	KUNIT_EXPECT_EQ(test, st.rx[CHANNELMSG_UNLOAD],
			before.rx[CHANNELMSG_UNLOAD] + 1);
	KUNIT_EXPECT_EQ(test, st.tx[CHANNELMSG_UNLOAD_RESPONSE],
			before.tx[CHANNELMSG_UNLOAD_RESPONSE] + 1);
	KUNIT_EXPECT_FALSE(test, st.connected);
	KUNIT_EXPECT_FALSE(test,
			   READ_ONCE(hvcore_synic(VMBUS_CONNECT_CPU)->enabled));
	/* A second call finds the connection unloaded already. */
	KUNIT_EXPECT_EQ(test, work_on_cpu(VMBUS_CONNECT_CPU, vbt_crash_fn, &c),
			0);
	KUNIT_EXPECT_EQ(test, c.ret, -ENOTCONN);

	/* The host was answered once: no second UNLOAD on the way down. */
	hvb_disconnect();
	hvsim_vmbus_flush(p->host);
	hvsim_vmbus_get_stats(p->host, &st);
	KUNIT_EXPECT_EQ(test, st.rx[CHANNELMSG_UNLOAD],
			before.rx[CHANNELMSG_UNLOAD] + 1);

	/* A fresh connection gives the device back. */
	KUNIT_ASSERT_EQ(test, hvb_connect(), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_ready(3)));
	KUNIT_EXPECT_TRUE(test,
			  READ_ONCE(hvcore_synic(VMBUS_CONNECT_CPU)->enabled));

	KUNIT_EXPECT_EQ(test, vbt_rescind(p, 3), 0);
	KUNIT_EXPECT_TRUE(test, vbt_wait(p, vbt_live_back(p)));
}

static struct kunit_case vmbus_bus_cases[] = {
	KUNIT_CASE(vmbus_offer_adds_device),
	KUNIT_CASE(vmbus_driver_binds_hot_added_device),
	KUNIT_CASE(vmbus_driver_binds_existing_device),
	KUNIT_CASE(vmbus_rescind_during_probe),
	KUNIT_CASE(vmbus_hvsock_offer_matches_hvsock_driver),
	KUNIT_CASE(vmbus_disconnect_reconnect),
	KUNIT_CASE(vmbus_host_messages_refused),
	KUNIT_CASE(vmbus_channel_event_runs_callback),
	KUNIT_CASE(vmbus_subchannel_offer),
	KUNIT_CASE(vmbus_cpu_with_channel_stays_online),
	KUNIT_CASE(vmbus_timer_message_handled_in_isr),
	KUNIT_CASE(vmbus_crash_unload_polls),
	{}
};

static struct kunit_suite vmbus_bus_suite = {
	.name = "vmbus_bus",
	.init = vbt_init,
	.exit = vbt_exit,
	.test_cases = vmbus_bus_cases,
};
kunit_test_suite(vmbus_bus_suite);
