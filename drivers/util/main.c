// SPDX-License-Identifier: GPL-2.0
/*
 * hv_utils: the Hyper-V integration components (ICs) of a guest, a
 * drop-in replacement of the kernel's own module of the same name: the
 * same driver name, device ids, character devices, user-space protocol
 * and module parameter (timesync_implicit), so that the hyperv-daemons
 * work unchanged.
 *
 * Each IC is one VMBus device, found by its class GUID; only one device
 * of each class is served.  Shutdown, time sync and heartbeat are answered
 * by the kernel (basic.c); KVP, VSS and, with fcopy_chardev=1, fcopy are
 * served with their daemons (daemon.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <asm/mshyperv.h>
#include "hvu.h"

#if !IS_ENABLED(CONFIG_HYPERV)
#include <hvguest/hvcore.h>
#endif

#define HVU_RING_SIZE	VMBUS_RING_SIZE(3 * HV_HYP_PAGE_SIZE)

unsigned int hvu_daemon_timeout = 30;
module_param_named(daemon_timeout, hvu_daemon_timeout, uint, 0644);
MODULE_PARM_DESC(daemon_timeout,
		 "Seconds a KVP, VSS or fcopy request waits for its daemon before the host gets HV_E_FAIL (default 30)");

static bool hvu_fcopy_chardev;
module_param_named(fcopy_chardev, hvu_fcopy_chardev, bool, 0444);
MODULE_PARM_DESC(fcopy_chardev,
		 "Serve the file copy IC through /dev/vmbus/hv_fcopy (hv_fcopy_daemon of Linux before 6.10) instead of leaving it to uio_hv_generic (default off)");

/**
 * hvu_ref_time() - the partition reference counter.
 *
 * Return: the counter, in 100 ns units.
 */
u64 hvu_ref_time(void)
{
#if IS_ENABLED(CONFIG_HYPERV)
	/* The kernel's, which hvcore fills under a simulated host. */
	return hv_read_reference_counter();
#else
	return hvcore_ref_time();
#endif
}

struct hvu_kind {
	struct hvu_basic *basic;
	const struct hvu_daemon_ops *dops;
	struct hvu_daemon *daemon;
	bool bound;
};

static struct hvu_daemon hvu_kvp, hvu_vss_d, hvu_fcopy;

static struct hvu_kind hvu_kinds[] = {
	{ .basic = &hvu_shutdown },
	{ .basic = &hvu_timesync },
	{ .basic = &hvu_heartbeat },
	{ .dops = &hvu_kvp_ops, .daemon = &hvu_kvp },
	{ .dops = &hvu_vss_ops, .daemon = &hvu_vss_d },
	{ .dops = &hvu_fcopy_ops, .daemon = &hvu_fcopy },
};

static DEFINE_MUTEX(hvu_probe_lock);

static int hvu_probe_basic(struct hv_device *dev, struct hvu_basic *b)
{
	int ret;

	b->hdev = dev;
	b->chan = dev->channel;
	b->srv_version = 0;
	b->action = HVU_SD_NONE;
	b->buf = kzalloc(HVU_SMALL_BUF, GFP_KERNEL);
	if (!b->buf)
		return -ENOMEM;
	if (b->setup) {
		ret = b->setup(b);
		if (ret)
			goto err_buf;
	}
	ret = vmbus_open(dev->channel, HVU_RING_SIZE, HVU_RING_SIZE, NULL, 0,
			 hvu_basic_callback, b);
	if (ret)
		goto err_setup;
	return 0;

err_setup:
	if (b->teardown)
		b->teardown(b);
err_buf:
	kfree(b->buf);
	b->buf = NULL;
	return ret;
}

static void hvu_remove_basic(struct hv_device *dev, struct hvu_basic *b)
{
	vmbus_close(dev->channel);
	if (b->teardown)
		b->teardown(b);
	kfree(b->buf);
	b->buf = NULL;
}

static int hvu_probe_daemon(struct hv_device *dev, struct hvu_kind *k)
{
	struct hvu_daemon *d = k->daemon;
	int ret;

	if (k->dops == &hvu_vss_ops)
		hvu_vss_setup(d);
	ret = hvu_daemon_start(d, k->dops, dev->channel);
	if (ret)
		return ret;
	/* KVP's IP information and fcopy's writes are over a page. */
	dev->channel->max_pkt_size = HVU_LARGE_BUF;
	ret = vmbus_open(dev->channel, HVU_RING_SIZE, HVU_RING_SIZE, NULL, 0,
			 hvu_daemon_callback, d);
	if (ret)
		goto err;
	ret = hvu_daemon_publish(d);
	if (ret) {
		hvu_daemon_stop(d);
		vmbus_close(dev->channel);
		hvu_daemon_flush(d);
		goto out;
	}
	return 0;
err:
	hvu_daemon_stop(d);
	hvu_daemon_flush(d);
out:
	if (k->dops == &hvu_vss_ops)
		hvu_vss_teardown(d);
	return ret;
}

static void hvu_remove_daemon(struct hv_device *dev, struct hvu_kind *k)
{
	hvu_daemon_stop(k->daemon);
	vmbus_close(dev->channel);
	hvu_daemon_flush(k->daemon);
	if (k->dops == &hvu_vss_ops)
		hvu_vss_teardown(k->daemon);
}

static int hvu_probe(struct hv_device *dev, const struct hv_vmbus_device_id *id)
{
	struct hvu_kind *k = (struct hvu_kind *)id->driver_data;
	int ret;

	/* Without the parameter the device is uio_hv_generic's. */
	if (k->dops == &hvu_fcopy_ops && !hvu_fcopy_chardev)
		return -ENODEV;
	if (k->dops == &hvu_vss_ops && vmbus_proto_version < VERSION_WIN8_1) {
		pr_info("VSS: not served at VMBus version %u.%u (needs 3.0)\n",
			vmbus_proto_version >> 16, vmbus_proto_version & 0xffff);
		return -ENODEV;
	}

	mutex_lock(&hvu_probe_lock);
	if (k->bound) {
		dev_err(&dev->device, "a second %s device is not served\n",
			k->basic ? k->basic->desc->name : k->dops->desc->name);
		ret = -EBUSY;
		goto out;
	}
	/* One request at a time, read when the service is ready for it. */
	set_channel_read_mode(dev->channel, HV_CALL_DIRECT);
	if (k->basic)
		ret = hvu_probe_basic(dev, k->basic);
	else
		ret = hvu_probe_daemon(dev, k);
	if (!ret) {
		k->bound = true;
		hv_set_drvdata(dev, k);
	}
out:
	mutex_unlock(&hvu_probe_lock);
	return ret;
}

static void hvu_remove(struct hv_device *dev)
{
	struct hvu_kind *k = hv_get_drvdata(dev);

	mutex_lock(&hvu_probe_lock);
	if (k->basic)
		hvu_remove_basic(dev, k->basic);
	else
		hvu_remove_daemon(dev, k);
	k->bound = false;
	mutex_unlock(&hvu_probe_lock);
}

static const struct hv_vmbus_device_id hvu_id_table[] = {
	{ HV_SHUTDOWN_GUID, .driver_data = (unsigned long)&hvu_kinds[0] },
	{ HV_TS_GUID, .driver_data = (unsigned long)&hvu_kinds[1] },
	{ HV_HEART_BEAT_GUID, .driver_data = (unsigned long)&hvu_kinds[2] },
	{ HV_KVP_GUID, .driver_data = (unsigned long)&hvu_kinds[3] },
	{ HV_VSS_GUID, .driver_data = (unsigned long)&hvu_kinds[4] },
	{ HV_FCOPY_GUID, .driver_data = (unsigned long)&hvu_kinds[5] },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, hvu_id_table);

static struct hv_driver hvu_driver = {
	.name = "hv_utils",
	.id_table = hvu_id_table,
	.probe = hvu_probe,
	.remove = hvu_remove,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init hvu_init(void)
{
	return vmbus_driver_register(&hvu_driver);
}

static void __exit hvu_exit(void)
{
	vmbus_driver_unregister(&hvu_driver);
}

module_init(hvu_init);
module_exit(hvu_exit);

MODULE_DESCRIPTION("Hyper-V Utilities (hvguest)");
MODULE_LICENSE("GPL");
