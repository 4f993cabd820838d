// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus: the "vmbus" bus type, its devices and drivers, module entry.
 *
 * Each primary channel's device is a struct hv_device (inside a struct
 * hvb_device), named by its instance GUID, under /sys/devices/vmbus.  A
 * device is added with drivers kept away until its channels/ directory is
 * in sysfs, then attached: a driver's probe always finds its channel's
 * directory.  Drivers match by class GUID (their id_table, then the
 * GUIDs added through new_id), by driver_override, and only the hvsock
 * driver matches hvsock offers.
 *
 * Removal: drivers are kept away again, the driver is unbound while the
 * channel directories still exist, then channels/ and the device leave
 * sysfs; the device's release unlinks its channels and releases their
 * relids.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* Upstream's exporting file includes these; see hvb.h for why it matters. */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/device.h>
#include <linux/platform_device.h>
#include <linux/interrupt.h>
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/acpi.h>
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/kernel_stat.h>
#include <linux/of_address.h>
#include <linux/clockchips.h>
#include <linux/cpu.h>
#include <linux/sched/isolation.h>
#include <linux/sched/task_stack.h>
#include <linux/smpboot.h>
#include <linux/delay.h>
#include <linux/panic_notifier.h>
#include <linux/ptrace.h>
#include <linux/screen_info.h>
#include <linux/efi.h>
#include <linux/random.h>
#include <linux/kernel.h>
#include <linux/syscore_ops.h>
#include <linux/dma-map-ops.h>
#include <linux/pci.h>
#include <clocksource/hyperv_timer.h>
#include <asm/mshyperv.h>

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <hvguest/hvcore.h>
#include "hvb.h"

/* A GUID added to a driver through new_id. */
struct hvb_dynid {
	struct list_head node;
	struct hv_vmbus_device_id id;
};

/* The parent of every vmbus device: /sys/devices/vmbus. */
static struct device *hvb_root;
static struct dentry *hvb_debugfs;

/*
 * Serialises adding channel directories with a device's removal: a
 * sub-channel never joins a device whose channels/ is going.  Never taken
 * by a sysfs callback, so kobjects may be removed under it.
 */
static DEFINE_MUTEX(hvb_kobj_lock);

/* An id for driver_override matches of drivers without a matching entry. */
static const struct hv_vmbus_device_id hvb_null_id;

/* ------------------------------------------------------------------------
 * Matching.
 */

static const struct hv_vmbus_device_id *
hvb_dynid_match(const struct hv_driver *drv, const guid_t *guid)
{
	/* The lock guards the list, not the driver: cast the const away. */
	struct hv_driver *d = (struct hv_driver *)drv;
	const struct hv_vmbus_device_id *id = NULL;
	struct hvb_dynid *dynid;

	spin_lock(&d->dynids.lock);
	list_for_each_entry(dynid, &d->dynids.list, node) {
		if (guid_equal(&dynid->id.guid, guid)) {
			id = &dynid->id;
			break;
		}
	}
	spin_unlock(&d->dynids.lock);
	return id;
}

static const struct hv_vmbus_device_id *
hvb_table_match(const struct hv_vmbus_device_id *id, const guid_t *guid)
{
	if (!id)
		return NULL;
	for (; !guid_is_null(&id->guid); id++)
		if (guid_equal(&id->guid, guid))
			return id;
	return NULL;
}

/*
 * driver_override: -1 when unset, else whether it names @drv.  Open-coded
 * with plain lock calls, which sparse can follow.
 */
static int hvb_override_match(struct device *dev,
			      const struct device_driver *drv)
{
	int ret = -1;

	spin_lock(&dev->driver_override.lock);
	if (dev->driver_override.name)
		ret = !strcmp(dev->driver_override.name, drv->name);
	spin_unlock(&dev->driver_override.lock);
	return ret;
}

/* The driver's entry for the device's class, or NULL. */
static const struct hv_vmbus_device_id *
hvb_get_id(const struct hv_driver *drv, struct hv_device *hv)
{
	const struct hv_vmbus_device_id *id;
	int override;

	/* With driver_override set, only the driver it names. */
	override = hvb_override_match(&hv->device, &drv->driver);
	if (!override)
		return NULL;

	id = hvb_dynid_match(drv, &hv->dev_type);
	if (!id)
		id = hvb_table_match(drv->id_table, &hv->dev_type);
	if (!id && override > 0)
		id = &hvb_null_id;
	return id;
}

static int hvb_bus_match(struct device *dev, const struct device_driver *drv)
{
	const struct hv_driver *hdrv = drv_to_hv_drv(drv);
	struct hv_device *hv = device_to_hv_device(dev);

	/* Not before its channel directories are in place. */
	if (!test_bit(HVB_DEV_READY, &to_hvb_device(hv)->flags))
		return 0;
	/* hvsock offers go to the hvsock driver, and only to it. */
	if (is_hvsock_channel(hv->channel))
		return hdrv->hvsock;
	return hvb_get_id(hdrv, hv) ? 1 : 0;
}

static int hvb_bus_probe(struct device *dev)
{
	struct hv_driver *drv = drv_to_hv_drv(dev->driver);
	struct hv_device *hv = device_to_hv_device(dev);
	int ret;

	if (!drv->probe) {
		dev_err(dev, "driver %s has no probe\n", drv->name);
		return -ENODEV;
	}
	ret = drv->probe(hv, hvb_get_id(drv, hv));
	if (ret)
		dev_err(dev, "probe by %s failed (%d)\n", drv->name, ret);
	return ret;
}

static void hvb_bus_remove(struct device *dev)
{
	struct hv_driver *drv = drv_to_hv_drv(dev->driver);

	if (drv->remove)
		drv->remove(device_to_hv_device(dev));
}

static void hvb_bus_shutdown(struct device *dev)
{
	struct hv_driver *drv;

	if (!dev->driver)
		return;
	drv = drv_to_hv_drv(dev->driver);
	if (drv->shutdown)
		drv->shutdown(device_to_hv_device(dev));
}

static int hvb_bus_uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	const struct hv_device *hv = device_to_hv_device(dev);

	return add_uevent_var(env, "MODALIAS=vmbus:%*phN", UUID_SIZE,
			      &hv->dev_type);
}

/* ------------------------------------------------------------------------
 * new_id and remove_id.
 */

static ssize_t hvb_new_id_store(struct device_driver *driver, const char *buf,
				size_t count)
{
	struct hv_driver *drv = drv_to_hv_drv(driver);
	struct hvb_dynid *dynid;
	guid_t guid;
	int ret;

	ret = guid_parse(buf, &guid);
	if (ret)
		return ret;
	if (hvb_dynid_match(drv, &guid))
		return -EEXIST;

	dynid = kzalloc(sizeof(*dynid), GFP_KERNEL);
	if (!dynid)
		return -ENOMEM;
	dynid->id.guid = guid;
	spin_lock(&drv->dynids.lock);
	list_add_tail(&dynid->node, &drv->dynids.list);
	spin_unlock(&drv->dynids.lock);

	ret = driver_attach(&drv->driver);
	return ret ? ret : count;
}

static ssize_t hvb_remove_id_store(struct device_driver *driver,
				   const char *buf, size_t count)
{
	struct hv_driver *drv = drv_to_hv_drv(driver);
	struct hvb_dynid *dynid, *tmp;
	ssize_t ret = -ENODEV;
	guid_t guid;

	if (guid_parse(buf, &guid))
		return -EINVAL;

	spin_lock(&drv->dynids.lock);
	list_for_each_entry_safe(dynid, tmp, &drv->dynids.list, node) {
		if (guid_equal(&dynid->id.guid, &guid)) {
			list_del(&dynid->node);
			kfree(dynid);
			ret = count;
			break;
		}
	}
	spin_unlock(&drv->dynids.lock);
	return ret;
}

static struct driver_attribute hvb_drv_attr_new_id =
	__ATTR(new_id, 0200, NULL, hvb_new_id_store);
static struct driver_attribute hvb_drv_attr_remove_id =
	__ATTR(remove_id, 0200, NULL, hvb_remove_id_store);

static struct attribute *hvb_drv_attrs[] = {
	&hvb_drv_attr_new_id.attr,
	&hvb_drv_attr_remove_id.attr,
	NULL,
};

static const struct attribute_group hvb_drv_group = {
	.attrs = hvb_drv_attrs,
};

static const struct attribute_group *hvb_drv_groups[] = {
	&hvb_drv_group,
	NULL,
};

static void hvb_free_dynids(struct hv_driver *drv)
{
	struct hvb_dynid *dynid, *tmp;

	spin_lock(&drv->dynids.lock);
	list_for_each_entry_safe(dynid, tmp, &drv->dynids.list, node) {
		list_del(&dynid->node);
		kfree(dynid);
	}
	spin_unlock(&drv->dynids.lock);
}

const struct bus_type hvb_bus = {
	.name		= "vmbus",
	.driver_override = true,
	.match		= hvb_bus_match,
	.probe		= hvb_bus_probe,
	.remove		= hvb_bus_remove,
	.shutdown	= hvb_bus_shutdown,
	.uevent		= hvb_bus_uevent,
	.dev_groups	= hvb_dev_groups,
	.drv_groups	= hvb_drv_groups,
	.bus_groups	= hvb_bus_groups,
};

/* ------------------------------------------------------------------------
 * Drivers.
 */

/**
 * __vmbus_driver_register() - register a VMBus driver.
 * @hv_driver: the driver; @hv_driver->name, ->id_table (or ->hvsock) and
 *	->probe set.  Must stay valid until vmbus_driver_unregister().
 * @owner: the driver's module.
 * @mod_name: its name (KBUILD_MODNAME).
 *
 * Use vmbus_driver_register(), which passes the last two.  Drivers bind
 * to matching devices already on the bus before this returns.
 *
 * Context: process context, sleeps.
 * Return: 0, or driver_register()'s negative errno (the driver is then
 * not registered).
 */
int __vmbus_driver_register(struct hv_driver *hv_driver, struct module *owner,
			    const char *mod_name)
{
	pr_info("registering driver %s\n", hv_driver->name);

	hv_driver->driver.name = hv_driver->name;
	hv_driver->driver.owner = owner;
	hv_driver->driver.mod_name = mod_name;
	hv_driver->driver.bus = &hvb_bus;
	spin_lock_init(&hv_driver->dynids.lock);
	INIT_LIST_HEAD(&hv_driver->dynids.list);

	return driver_register(&hv_driver->driver);
}
EXPORT_SYMBOL_GPL(__vmbus_driver_register);

/**
 * vmbus_driver_unregister() - unregister a VMBus driver.
 * @hv_driver: a driver registered with vmbus_driver_register().
 *
 * Unbinds it from its devices (its remove runs for each) and forgets the
 * GUIDs added through new_id.
 *
 * Context: process context, sleeps.
 */
void vmbus_driver_unregister(struct hv_driver *hv_driver)
{
	pr_info("unregistering driver %s\n", hv_driver->name);

	driver_unregister(&hv_driver->driver);
	hvb_free_dynids(hv_driver);
}
EXPORT_SYMBOL_GPL(vmbus_driver_unregister);

/* ------------------------------------------------------------------------
 * Devices.
 */

/**
 * hvb_chan_kobj_add() - give a channel its directory under channels/.
 * @primary: the primary channel of the device.
 * @ch: the channel: @primary itself, or one of its sub-channels.
 *
 * Context: process context, sleeps; channel_mutex not held.
 * Return: 0; -ENODEV when the device is going or a channel was removed;
 * kobject_add()'s negative errno.
 */
int hvb_chan_kobj_add(struct vmbus_channel *primary, struct vmbus_channel *ch)
{
	struct kset *kset = NULL;
	int ret;

	mutex_lock(&hvb_kobj_lock);
	mutex_lock(&vmbus_connection.channel_mutex);
	if (!to_hvb_channel(primary)->removed &&
	    !to_hvb_channel(ch)->removed && primary->device_obj)
		kset = primary->device_obj->channels_kset;
	mutex_unlock(&vmbus_connection.channel_mutex);

	ret = -ENODEV;
	if (kset) {
		ch->kobj.kset = kset;
		ret = kobject_add(&ch->kobj, NULL, "%u",
				  ch->offermsg.child_relid);
		if (!ret)
			kobject_uevent(&ch->kobj, KOBJ_ADD);
	}
	mutex_unlock(&hvb_kobj_lock);
	return ret;
}

/**
 * hvb_chan_kobj_del() - take a channel's directory out of sysfs.
 * @ch: the channel; nothing happens if it has no directory.
 *
 * Context: process context, sleeps; channel_mutex not held.
 */
void hvb_chan_kobj_del(struct vmbus_channel *ch)
{
	mutex_lock(&hvb_kobj_lock);
	if (ch->kobj.state_in_sysfs) {
		kobject_uevent(&ch->kobj, KOBJ_REMOVE);
		kobject_del(&ch->kobj);
	}
	mutex_unlock(&hvb_kobj_lock);
}

/* The last reference to a device: its channels go, their relids too. */
static void hvb_device_release(struct device *dev)
{
	struct hv_device *hv = device_to_hv_device(dev);
	LIST_HEAD(dead);

	mutex_lock(&vmbus_connection.channel_mutex);
	if (hv->channel) {
		hv->channel->device_obj = NULL;
		hvb_channel_unlink(hv->channel, &dead);
	}
	mutex_unlock(&vmbus_connection.channel_mutex);
	hvb_channels_free(&dead);

	kfree(to_hvb_device(hv));
	atomic_dec(&hvb_stats.devices);
	wake_up_all(&hvb_live_wq);
}

/**
 * hvb_device_add() - add the device of a primary channel to the bus.
 * @ch: the channel, published and in vmbus_connection.chn_list.
 *
 * The device appears (uevent with MODALIAS), then its channels/ directory
 * and the channel's own, then drivers may bind: a matching one probes
 * before this returns.  On failure the channel is removed and its relid
 * released.
 *
 * Context: process context, sleeps; the primary device work queue.
 * Return: 0 or a negative errno.
 */
int hvb_device_add(struct vmbus_channel *ch)
{
	struct hvb_device *hd;
	struct hv_device *hv;
	struct device *dev;
	struct kset *kset;
	LIST_HEAD(dead);
	int ret;

	hd = kzalloc(sizeof(*hd), GFP_KERNEL);
	if (!hd) {
		mutex_lock(&vmbus_connection.channel_mutex);
		hvb_channel_unlink(ch, &dead);
		mutex_unlock(&vmbus_connection.channel_mutex);
		hvb_channels_free(&dead);
		return -ENOMEM;
	}
	atomic_inc(&hvb_stats.devices);

	hv = &hd->hv;
	hv->channel = ch;
	guid_copy(&hv->dev_type, &ch->offermsg.offer.if_type);
	guid_copy(&hv->dev_instance, &ch->offermsg.offer.if_instance);
	hv->vendor_id = PCI_VENDOR_ID_MICROSOFT;
	hv->device_id = ch->device_id;

	/* From here on put_device() frees it and removes the channel. */
	dev = &hv->device;
	device_initialize(dev);
	dev->bus = &hvb_bus;
	dev->parent = hvb_root;
	dev->release = hvb_device_release;
	dev->dma_parms = &hv->dma_parms;
	dev->dma_mask = &hv->dma_mask;
	dma_set_mask(dev, DMA_BIT_MASK(64));
	mutex_lock(&vmbus_connection.channel_mutex);
	ch->device_obj = hv;
	mutex_unlock(&vmbus_connection.channel_mutex);

	ret = dev_set_name(dev, "%pUl", &ch->offermsg.offer.if_instance);
	if (!ret)
		ret = device_add(dev);
	if (ret) {
		pr_err("relid %u: device %pUl not added (%d)\n",
		       ch->offermsg.child_relid,
		       &ch->offermsg.offer.if_instance, ret);
		set_bit(HVB_DEV_GONE, &hd->flags);
		put_device(dev);
		return ret;
	}

	kset = kset_create_and_add("channels", NULL, &dev->kobj);
	if (!kset) {
		ret = -ENOMEM;
		goto err_unregister;
	}
	mutex_lock(&hvb_kobj_lock);
	hv->channels_kset = kset;
	mutex_unlock(&hvb_kobj_lock);
	ret = hvb_chan_kobj_add(ch, ch);
	if (ret)
		goto err_unregister;

	/* Drivers may match from now on; look for one. */
	set_bit(HVB_DEV_READY, &hd->flags);
	/* The flag before the attach, against a driver registering now. */
	smp_mb__after_atomic();
	ret = device_attach(dev);
	if (ret < 0)
		dev_warn(dev, "no driver attached (%d)\n", ret);
	return 0;

err_unregister:
	pr_err("relid %u: channel directory not added (%d)\n",
	       ch->offermsg.child_relid, ret);
	hvb_device_unregister(hv);
	return ret;
}

/**
 * hvb_device_unregister() - take a device off the bus.
 * @hv: the device.
 *
 * Drivers are kept away, the bound driver's remove runs (its channel
 * directories still there), then channels/ and the device leave sysfs.
 * The device is freed, and its relids released, when its last reference
 * goes.  A second call does nothing.
 *
 * Context: process context, sleeps; no vmbus lock held.
 */
void hvb_device_unregister(struct hv_device *hv)
{
	struct hvb_device *hd = to_hvb_device(hv);
	struct kset *kset;

	if (test_and_set_bit(HVB_DEV_GONE, &hd->flags))
		return;
	clear_bit(HVB_DEV_READY, &hd->flags);
	/* No new match from here: the flag before the unbind below. */
	smp_mb__after_atomic();

	device_release_driver(&hv->device);

	mutex_lock(&hvb_kobj_lock);
	kset = hv->channels_kset;
	hv->channels_kset = NULL;
	mutex_unlock(&hvb_kobj_lock);
	/* Takes the channel directories with it; the kobjects live on. */
	kset_unregister(kset);

	pr_debug("device %s unregistered\n", dev_name(&hv->device));
	device_unregister(&hv->device);
}

/**
 * vmbus_device_unregister() - remove a VMBus device.
 * @device_obj: the device.
 *
 * Its driver is unbound and the device leaves the bus; the device is
 * freed, and its channels' relids released to the host, when the last
 * reference to it goes.  Calling it twice for one device does nothing
 * the second time.
 *
 * Context: process context, sleeps; not from the device's own probe or
 * remove.
 */
void vmbus_device_unregister(struct hv_device *device_obj)
{
	hvb_device_unregister(device_obj);
}
EXPORT_SYMBOL_GPL(vmbus_device_unregister);

/**
 * hv_create_ring_sysfs() - show a channel's "ring" file.
 * @channel: the channel.
 * @hv_mmap_ring_buffer: maps the channel's ring buffer when user space
 *	mmaps channels/<relid>/ring.
 *
 * For uio_hv_generic.  The file is hidden otherwise.
 *
 * Context: process context, sleeps.
 * Return: 0, or sysfs_update_group()'s negative errno (also when the
 * channel has no directory yet).
 */
int hv_create_ring_sysfs(struct vmbus_channel *channel,
			 int (*hv_mmap_ring_buffer)(struct vmbus_channel *channel,
						    struct vm_area_struct *vma))
{
	WRITE_ONCE(channel->mmap_ring_buffer, hv_mmap_ring_buffer);
	channel->ring_sysfs_visible = true;
	return sysfs_update_group(&channel->kobj, &hvb_chan_group);
}
EXPORT_SYMBOL_GPL(hv_create_ring_sysfs);

/**
 * hv_remove_ring_sysfs() - hide a channel's "ring" file again.
 * @channel: the channel.
 *
 * Context: process context, sleeps.
 * Return: 0, or sysfs_update_group()'s negative errno.
 */
int hv_remove_ring_sysfs(struct vmbus_channel *channel)
{
	int ret;

	channel->ring_sysfs_visible = false;
	ret = sysfs_update_group(&channel->kobj, &hvb_chan_group);
	WRITE_ONCE(channel->mmap_ring_buffer, NULL);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_remove_ring_sysfs);

/* ------------------------------------------------------------------------
 * debugfs: /sys/kernel/debug/hv_vmbus/counters.
 */

static int hvb_counters_show(struct seq_file *m, void *v)
{
	u32 version = READ_ONCE(vmbus_proto_version);
	unsigned int i;

	seq_printf(m, "connected %d\n", hvb_connected());
	seq_printf(m, "version %u.%u\n", version >> 16, version & 0xffff);
	seq_printf(m, "msg_conn_id %u\n",
		   READ_ONCE(vmbus_connection.msg_conn_id));
	seq_printf(m, "devices %d\n", atomic_read(&hvb_stats.devices));
	seq_printf(m, "channels %d\n", atomic_read(&hvb_stats.channels));
	seq_printf(m, "pages %d\n", atomic_read(&hvb_stats.pages));
	seq_printf(m, "rejected %ld\n", atomic_long_read(&hvb_stats.rejected));
	seq_printf(m, "dropped %ld\n", atomic_long_read(&hvb_stats.dropped));
	seq_printf(m, "unsolicited %ld\n",
		   atomic_long_read(&hvb_stats.unsolicited));
	seq_printf(m, "bad_offers %ld\n",
		   atomic_long_read(&hvb_stats.bad_offers));
	seq_printf(m, "relids_released %ld\n",
		   atomic_long_read(&hvb_stats.relids_released));
	seq_printf(m, "timer_messages %ld\n",
		   atomic_long_read(&hvb_stats.timer_messages));
	seq_printf(m, "timer_dropped %ld\n",
		   atomic_long_read(&hvb_stats.timer_dropped));
	for (i = 0; i < CHANNELMSG_COUNT; i++)
		if (hvb_msg_types[i].handler)
			seq_printf(m, "rx.%s %ld\n", hvb_msg_types[i].name,
				   atomic_long_read(&hvb_stats.rx[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvb_counters);

/* ------------------------------------------------------------------------
 * Module entry.
 */

/**
 * vmbus_allocate_mmio() - claim MMIO space from the VMBus ranges.
 * @new: set to the resource on success.
 * @device_obj: the device asking.
 * @min: lowest acceptable start.
 * @max: highest acceptable end.
 * @size: bytes wanted.
 * @align: required alignment.
 * @fb_overlap_ok: whether the frame buffer's range may be used.
 *
 * The ranges come from the ACPI VMBus device (its _CRS), which hv_vmbus
 * does not bind yet: there is no range to claim from, under hvsim or on
 * Hyper-V.  Devices that need MMIO (synthetic video, PCI pass-through)
 * fail their probe cleanly.
 *
 * Context: process context.
 * Return: -ENXIO: no range holds the request.
 */
int vmbus_allocate_mmio(struct resource **new, struct hv_device *device_obj,
			resource_size_t min, resource_size_t max,
			resource_size_t size, resource_size_t align,
			bool fb_overlap_ok)
{
	*new = NULL;
	return -ENXIO;
}
EXPORT_SYMBOL_GPL(vmbus_allocate_mmio);

/**
 * vmbus_free_mmio() - give back MMIO space vmbus_allocate_mmio() claimed.
 * @start: its start.
 * @size: its size.
 *
 * vmbus_allocate_mmio() never succeeds yet, so there is nothing to give
 * back; a call is logged.
 *
 * Context: process context.
 */
void vmbus_free_mmio(resource_size_t start, resource_size_t size)
{
	pr_warn_ratelimited("%s(%pa, %pa): no such claim\n",
			    __func__, &start, &size);
}
EXPORT_SYMBOL_GPL(vmbus_free_mmio);

static int __init hvb_init(void)
{
	int ret;

	ret = bus_register(&hvb_bus);
	if (ret)
		return ret;
	hvb_root = root_device_register("vmbus");
	if (IS_ERR(hvb_root)) {
		ret = PTR_ERR(hvb_root);
		goto err_bus;
	}
	hvb_debugfs = debugfs_create_dir("hv_vmbus", NULL);
	debugfs_create_file("counters", 0444, hvb_debugfs, NULL,
			    &hvb_counters_fops);

	ret = hvb_connect();
	if (ret)
		goto err_root;
	pr_info("bus registered on the %s backend\n", hvcore_backend_name());
	return 0;

err_root:
	debugfs_remove_recursive(hvb_debugfs);
	root_device_unregister(hvb_root);
err_bus:
	bus_unregister(&hvb_bus);
	return ret;
}

static void __exit hvb_exit(void)
{
	hvb_disconnect();
	debugfs_remove_recursive(hvb_debugfs);
	root_device_unregister(hvb_root);
	bus_unregister(&hvb_bus);
	/* Channel frees queued with call_rcu() run our code. */
	rcu_barrier();
}

module_init(hvb_init);
module_exit(hvb_exit);
MODULE_DESCRIPTION("Microsoft Hyper-V VMBus driver (hvguest)");
MODULE_LICENSE("GPL");
