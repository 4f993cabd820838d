// SPDX-License-Identifier: GPL-2.0
/*
 * hvb_testdrv: a VMBus driver for hv_vmbus's VM tests.
 *
 * It has no ID table: it binds only through new_id or driver_override.
 * Its probe can be made slow (probe_delay_ms), waiting the way a driver
 * waits for its host, which a rescind cuts short; a test can then rescind
 * the device while it probes.  Read-only parameters count what happened:
 * probes, removes, probing (probes running now) and rescinds_seen (probes
 * that found their channel rescinded).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/hyperv.h>
#include <linux/jiffies.h>
#include <linux/module.h>

static unsigned int probe_delay_ms;
module_param(probe_delay_ms, uint, 0644);
MODULE_PARM_DESC(probe_delay_ms, "How long each probe waits (default 0)");

static int probes;
module_param(probes, int, 0444);
MODULE_PARM_DESC(probes, "Probes completed");

static int removes;
module_param(removes, int, 0444);
MODULE_PARM_DESC(removes, "Removes completed");

static int probing;
module_param(probing, int, 0444);
MODULE_PARM_DESC(probing, "Probes running now");

static int rescinds_seen;
module_param(rescinds_seen, int, 0444);
MODULE_PARM_DESC(rescinds_seen, "Probes that ended on a rescind");

/* Probes of several devices may run at once. */
static DEFINE_MUTEX(hvb_testdrv_lock);

static void hvb_testdrv_count(int *counter, int delta)
{
	mutex_lock(&hvb_testdrv_lock);
	WRITE_ONCE(*counter, *counter + delta);
	mutex_unlock(&hvb_testdrv_lock);
}

static int hvb_testdrv_probe(struct hv_device *hv,
			     const struct hv_vmbus_device_id *id)
{
	unsigned long end = jiffies +
			    msecs_to_jiffies(READ_ONCE(probe_delay_ms));
	bool rescinded;

	hvb_testdrv_count(&probing, 1);
	while (time_before(jiffies, end) && !READ_ONCE(hv->channel->rescind))
		msleep(20);
	rescinded = READ_ONCE(hv->channel->rescind);
	if (rescinded)
		hvb_testdrv_count(&rescinds_seen, 1);
	dev_info(&hv->device, "probed%s\n",
		 rescinded ? ", channel rescinded meanwhile" : "");
	hvb_testdrv_count(&probes, 1);
	hvb_testdrv_count(&probing, -1);
	return 0;
}

static void hvb_testdrv_remove(struct hv_device *hv)
{
	dev_info(&hv->device, "removed\n");
	hvb_testdrv_count(&removes, 1);
}

static struct hv_driver hvb_testdrv = {
	.name = "hvb_testdrv",
	.probe = hvb_testdrv_probe,
	.remove = hvb_testdrv_remove,
};

static int __init hvb_testdrv_init(void)
{
	return vmbus_driver_register(&hvb_testdrv);
}

static void __exit hvb_testdrv_exit(void)
{
	vmbus_driver_unregister(&hvb_testdrv);
}

module_init(hvb_testdrv_init);
module_exit(hvb_testdrv_exit);
MODULE_DESCRIPTION("VMBus test driver for hvguest's VM tests");
MODULE_LICENSE("GPL");
