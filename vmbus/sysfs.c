// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus: the sysfs ABI of Documentation/ABI/stable/sysfs-bus-vmbus.
 *
 * /sys/bus/vmbus/hibernation, the attributes of each device, and the
 * per-channel directories devices/<UUID>/channels/<relid>/, whose kobject
 * is the channel's own: its release frees the channel.  Names, formats
 * and visibility rules are upstream's, for lsvmbus and the distributions'
 * tools.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/isolation.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/topology.h>
#include "hvb.h"
#include "ring_buffer.h"

/* ------------------------------------------------------------------------
 * Device attributes.
 */

#define HVB_DEV_ATTR_RO(_name)						\
	static struct device_attribute hvb_dev_attr_##_name =		\
		__ATTR(_name, 0444, hvb_##_name##_show, NULL)

static struct vmbus_channel *hvb_dev_channel(struct device *dev)
{
	return device_to_hv_device(dev)->channel;
}

static ssize_t hvb_id_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev);

	if (!ch)
		return -ENODEV;
	return sysfs_emit(buf, "%d\n", ch->offermsg.child_relid);
}
HVB_DEV_ATTR_RO(id);

static ssize_t hvb_state_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev);

	if (!ch)
		return -ENODEV;
	return sysfs_emit(buf, "%d\n", ch->state);
}
HVB_DEV_ATTR_RO(state);

static ssize_t hvb_monitor_id_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev);

	if (!ch)
		return -ENODEV;
	return sysfs_emit(buf, "%d\n", ch->offermsg.monitorid);
}
HVB_DEV_ATTR_RO(monitor_id);

static ssize_t hvb_class_id_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev);

	if (!ch)
		return -ENODEV;
	return sysfs_emit(buf, "{%pUl}\n", &ch->offermsg.offer.if_type);
}
HVB_DEV_ATTR_RO(class_id);

static ssize_t hvb_device_id_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev);

	if (!ch)
		return -ENODEV;
	return sysfs_emit(buf, "{%pUl}\n", &ch->offermsg.offer.if_instance);
}
HVB_DEV_ATTR_RO(device_id);

static ssize_t hvb_modalias_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct hv_device *hv = device_to_hv_device(dev);

	return sysfs_emit(buf, "vmbus:%*phN\n", UUID_SIZE, &hv->dev_type);
}
HVB_DEV_ATTR_RO(modalias);

#ifdef CONFIG_NUMA
static ssize_t hvb_numa_node_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev);

	if (!ch)
		return -ENODEV;
	return sysfs_emit(buf, "%d\n", cpu_to_node(ch->target_cpu));
}
HVB_DEV_ATTR_RO(numa_node);
#endif

/* A monitor page's field for the channel; hidden unless it has an ID. */
enum hvb_monitor_field { HVB_MON_PENDING, HVB_MON_LATENCY, HVB_MON_CONN_ID };

static ssize_t hvb_monitor_show(struct device *dev, char *buf,
				unsigned int page, enum hvb_monitor_field f)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev);
	struct hv_monitor_page *mp;
	u8 grp, bit;
	u32 val;

	mp = READ_ONCE(vmbus_connection.monitor_pages[page]);
	if (!ch || !mp)
		return -ENODEV;
	/* Offers with a monitor ID beyond the page are refused. */
	grp = ch->offermsg.monitorid / 32;
	bit = ch->offermsg.monitorid % 32;
	if (grp >= ARRAY_SIZE(mp->trigger_group))
		return -ENODEV;

	switch (f) {
	case HVB_MON_PENDING:
		val = READ_ONCE(mp->trigger_group[grp].pending);
		break;
	case HVB_MON_LATENCY:
		val = READ_ONCE(mp->latency[grp][bit]);
		break;
	default:
		val = READ_ONCE(mp->parameter[grp][bit].connectionid.asu32) &
		      0xffffff;
		break;
	}
	return sysfs_emit(buf, "%d\n", val);
}

#define HVB_MONITOR_ATTR(_name, _page, _field)				\
static ssize_t hvb_##_name##_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	return hvb_monitor_show(dev, buf, _page, _field);		\
}									\
HVB_DEV_ATTR_RO(_name)

HVB_MONITOR_ATTR(server_monitor_pending, 0, HVB_MON_PENDING);
HVB_MONITOR_ATTR(client_monitor_pending, 1, HVB_MON_PENDING);
HVB_MONITOR_ATTR(server_monitor_latency, 0, HVB_MON_LATENCY);
HVB_MONITOR_ATTR(client_monitor_latency, 1, HVB_MON_LATENCY);
HVB_MONITOR_ATTR(server_monitor_conn_id, 0, HVB_MON_CONN_ID);
HVB_MONITOR_ATTR(client_monitor_conn_id, 1, HVB_MON_CONN_ID);

/* A ring's state; -EINVAL until the channel is opened. */
enum hvb_ring_field {
	HVB_RING_INTR_MASK,
	HVB_RING_READ_INDEX,
	HVB_RING_WRITE_INDEX,
	HVB_RING_READ_AVAIL,
	HVB_RING_WRITE_AVAIL,
};

static ssize_t hvb_ring_show(struct device *dev, char *buf, bool outbound,
			     enum hvb_ring_field f)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev);
	struct hv_ring_buffer_debug_info info;
	u32 val;
	int ret;

	if (!ch)
		return -ENODEV;
	ret = hvb_ring_debuginfo(outbound ? &ch->outbound : &ch->inbound,
				 &info);
	if (ret == -EINVAL)
		return ret;

	switch (f) {
	case HVB_RING_INTR_MASK:
		val = info.current_interrupt_mask;
		break;
	case HVB_RING_READ_INDEX:
		val = info.current_read_index;
		break;
	case HVB_RING_WRITE_INDEX:
		val = info.current_write_index;
		break;
	case HVB_RING_READ_AVAIL:
		val = info.bytes_avail_toread;
		break;
	default:
		val = info.bytes_avail_towrite;
		break;
	}
	return sysfs_emit(buf, "%d\n", val);
}

#define HVB_RING_ATTR(_name, _out, _field)				\
static ssize_t hvb_##_name##_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	return hvb_ring_show(dev, buf, _out, _field);			\
}									\
HVB_DEV_ATTR_RO(_name)

HVB_RING_ATTR(out_intr_mask, true, HVB_RING_INTR_MASK);
HVB_RING_ATTR(out_read_index, true, HVB_RING_READ_INDEX);
HVB_RING_ATTR(out_write_index, true, HVB_RING_WRITE_INDEX);
HVB_RING_ATTR(out_read_bytes_avail, true, HVB_RING_READ_AVAIL);
HVB_RING_ATTR(out_write_bytes_avail, true, HVB_RING_WRITE_AVAIL);
HVB_RING_ATTR(in_intr_mask, false, HVB_RING_INTR_MASK);
HVB_RING_ATTR(in_read_index, false, HVB_RING_READ_INDEX);
HVB_RING_ATTR(in_write_index, false, HVB_RING_WRITE_INDEX);
HVB_RING_ATTR(in_read_bytes_avail, false, HVB_RING_READ_AVAIL);
HVB_RING_ATTR(in_write_bytes_avail, false, HVB_RING_WRITE_AVAIL);

static ssize_t hvb_channel_vp_mapping_show(struct device *dev,
					   struct device_attribute *attr,
					   char *buf)
{
	struct vmbus_channel *ch = hvb_dev_channel(dev), *sc;
	int n;

	if (!ch)
		return -ENODEV;
	mutex_lock(&vmbus_connection.channel_mutex);
	n = sysfs_emit(buf, "%u:%u\n", ch->offermsg.child_relid,
		       ch->target_cpu);
	list_for_each_entry(sc, &ch->sc_list, sc_list)
		n += sysfs_emit_at(buf, n, "%u:%u\n", sc->offermsg.child_relid,
				   sc->target_cpu);
	mutex_unlock(&vmbus_connection.channel_mutex);
	return n;
}
HVB_DEV_ATTR_RO(channel_vp_mapping);

static ssize_t hvb_vendor_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%x\n", device_to_hv_device(dev)->vendor_id);
}
HVB_DEV_ATTR_RO(vendor);

static ssize_t hvb_device_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%x\n", device_to_hv_device(dev)->device_id);
}
HVB_DEV_ATTR_RO(device);

static struct attribute *hvb_dev_attrs[] = {
	&hvb_dev_attr_id.attr,
	&hvb_dev_attr_state.attr,
	&hvb_dev_attr_monitor_id.attr,
	&hvb_dev_attr_class_id.attr,
	&hvb_dev_attr_device_id.attr,
	&hvb_dev_attr_modalias.attr,
#ifdef CONFIG_NUMA
	&hvb_dev_attr_numa_node.attr,
#endif
	&hvb_dev_attr_server_monitor_pending.attr,
	&hvb_dev_attr_client_monitor_pending.attr,
	&hvb_dev_attr_server_monitor_latency.attr,
	&hvb_dev_attr_client_monitor_latency.attr,
	&hvb_dev_attr_server_monitor_conn_id.attr,
	&hvb_dev_attr_client_monitor_conn_id.attr,
	&hvb_dev_attr_out_intr_mask.attr,
	&hvb_dev_attr_out_read_index.attr,
	&hvb_dev_attr_out_write_index.attr,
	&hvb_dev_attr_out_read_bytes_avail.attr,
	&hvb_dev_attr_out_write_bytes_avail.attr,
	&hvb_dev_attr_in_intr_mask.attr,
	&hvb_dev_attr_in_read_index.attr,
	&hvb_dev_attr_in_write_index.attr,
	&hvb_dev_attr_in_read_bytes_avail.attr,
	&hvb_dev_attr_in_write_bytes_avail.attr,
	&hvb_dev_attr_channel_vp_mapping.attr,
	&hvb_dev_attr_vendor.attr,
	&hvb_dev_attr_device.attr,
	NULL,
};

static bool hvb_is_monitor_attr(const struct attribute *a)
{
	return a == &hvb_dev_attr_monitor_id.attr ||
	       a == &hvb_dev_attr_server_monitor_pending.attr ||
	       a == &hvb_dev_attr_client_monitor_pending.attr ||
	       a == &hvb_dev_attr_server_monitor_latency.attr ||
	       a == &hvb_dev_attr_client_monitor_latency.attr ||
	       a == &hvb_dev_attr_server_monitor_conn_id.attr ||
	       a == &hvb_dev_attr_client_monitor_conn_id.attr;
}

/* The monitor attributes exist only for channels that have a monitor ID. */
static umode_t hvb_dev_attr_visible(struct kobject *kobj,
				    struct attribute *attr, int idx)
{
	struct vmbus_channel *ch = hvb_dev_channel(kobj_to_dev(kobj));

	if (hvb_is_monitor_attr(attr) &&
	    (!ch || !ch->offermsg.monitor_allocated))
		return 0;
	return attr->mode;
}

static const struct attribute_group hvb_dev_group = {
	.attrs = hvb_dev_attrs,
	.is_visible = hvb_dev_attr_visible,
};

const struct attribute_group *hvb_dev_groups[] = {
	&hvb_dev_group,
	NULL,
};

/* ------------------------------------------------------------------------
 * /sys/bus/vmbus/hibernation.
 */

/*
 * Whether the VM can hibernate on this bus.  hv_vmbus has no suspend and
 * resume yet, so it cannot, whatever the host offers.
 */
static ssize_t hvb_hibernation_show(const struct bus_type *bus, char *buf)
{
	return sysfs_emit(buf, "%d\n", 0);
}

static struct bus_attribute hvb_bus_attr_hibernation =
	__ATTR(hibernation, 0444, hvb_hibernation_show, NULL);

static struct attribute *hvb_bus_attrs[] = {
	&hvb_bus_attr_hibernation.attr,
	NULL,
};

static const struct attribute_group hvb_bus_group = {
	.attrs = hvb_bus_attrs,
};

const struct attribute_group *hvb_bus_groups[] = {
	&hvb_bus_group,
	NULL,
};

/* ------------------------------------------------------------------------
 * Channel directories.
 */

struct hvb_chan_attr {
	struct attribute attr;
	ssize_t (*show)(struct vmbus_channel *ch, char *buf);
	ssize_t (*store)(struct vmbus_channel *ch, const char *buf,
			 size_t count);
};

#define HVB_CHAN_ATTR(_name, _mode, _show, _store)			\
	static struct hvb_chan_attr hvb_chan_attr_##_name =		\
		__ATTR(_name, _mode, _show, _store)

#define to_chan_attr(a)	container_of(a, struct hvb_chan_attr, attr)
#define to_channel(k)	container_of(k, struct vmbus_channel, kobj)

static ssize_t hvb_chan_attr_show(struct kobject *kobj, struct attribute *a,
				  char *buf)
{
	const struct hvb_chan_attr *ca = to_chan_attr(a);

	return ca->show ? ca->show(to_channel(kobj), buf) : -EIO;
}

static ssize_t hvb_chan_attr_store(struct kobject *kobj, struct attribute *a,
				   const char *buf, size_t count)
{
	const struct hvb_chan_attr *ca = to_chan_attr(a);

	return ca->store ? ca->store(to_channel(kobj), buf, count) : -EIO;
}

static const struct sysfs_ops hvb_chan_sysfs_ops = {
	.show = hvb_chan_attr_show,
	.store = hvb_chan_attr_store,
};

/* Read from a ring while it cannot be torn down; -EINVAL without one. */
static ssize_t hvb_chan_ring_show(struct hv_ring_buffer_info *rbi, char *buf,
				  int (*get)(struct hv_ring_buffer_info *rbi,
					     u32 *val))
{
	ssize_t ret;
	u32 val;

	mutex_lock(&rbi->ring_buffer_mutex);
	ret = rbi->ring_buffer ? get(rbi, &val) : -EINVAL;
	mutex_unlock(&rbi->ring_buffer_mutex);
	return ret ? ret : sysfs_emit(buf, "%u\n", val);
}

static int hvb_get_mask(struct hv_ring_buffer_info *rbi, u32 *val)
{
	*val = READ_ONCE(rbi->ring_buffer->interrupt_mask);
	return 0;
}

static int hvb_get_read_avail(struct hv_ring_buffer_info *rbi, u32 *val)
{
	return hvb_ring_bytes_to_read(rbi, val);
}

static int hvb_get_write_avail(struct hv_ring_buffer_info *rbi, u32 *val)
{
	return hvb_ring_bytes_to_write(rbi, val);
}

static ssize_t hvb_out_mask_show(struct vmbus_channel *ch, char *buf)
{
	return hvb_chan_ring_show(&ch->outbound, buf, hvb_get_mask);
}
HVB_CHAN_ATTR(out_mask, 0444, hvb_out_mask_show, NULL);

static ssize_t hvb_in_mask_show(struct vmbus_channel *ch, char *buf)
{
	return hvb_chan_ring_show(&ch->inbound, buf, hvb_get_mask);
}
HVB_CHAN_ATTR(in_mask, 0444, hvb_in_mask_show, NULL);

static ssize_t hvb_read_avail_show(struct vmbus_channel *ch, char *buf)
{
	return hvb_chan_ring_show(&ch->inbound, buf, hvb_get_read_avail);
}
HVB_CHAN_ATTR(read_avail, 0444, hvb_read_avail_show, NULL);

static ssize_t hvb_write_avail_show(struct vmbus_channel *ch, char *buf)
{
	return hvb_chan_ring_show(&ch->outbound, buf, hvb_get_write_avail);
}
HVB_CHAN_ATTR(write_avail, 0444, hvb_write_avail_show, NULL);

static ssize_t hvb_cpu_show(struct vmbus_channel *ch, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ch->target_cpu));
}

/*
 * Move an open channel's interrupts to another CPU (4.1 and later): the
 * host is sent MODIFYCHANNEL; from 5.3 its answer is waited for.  Below
 * 5.3 interrupts may still reach the old CPU for a while, which the
 * interrupt handler copes with (it finds channels by relid, on any CPU).
 * cpus_read_lock() keeps the target online until the channel is bound to
 * it, so that the offline callback sees the binding.
 */
static ssize_t hvb_cpu_store(struct vmbus_channel *ch, const char *buf,
			     size_t count)
{
	unsigned int cpu, old;
	ssize_t ret;

	if (READ_ONCE(vmbus_proto_version) < VERSION_WIN10_V4_1)
		return -EIO;
	if (kstrtouint(buf, 10, &cpu))
		return -EIO;
	if (cpu >= nr_cpumask_bits ||
	    !cpumask_test_cpu(cpu, housekeeping_cpumask(HK_TYPE_MANAGED_IRQ)))
		return -EINVAL;

	cpus_read_lock();
	if (!cpu_online(cpu)) {
		ret = -EINVAL;
		goto out_cpus;
	}
	mutex_lock(&vmbus_connection.channel_mutex);
	ret = count;
	old = ch->target_cpu;
	if (ch->state != CHANNEL_OPENED_STATE || ch->rescind) {
		ret = -EIO;
	} else if (cpu != old) {
		if (vmbus_send_modifychannel(ch, hvcore_vp_index(cpu)))
			ret = -EIO;
		/* The mutex was dropped while waiting: look again. */
		else if (ch->state != CHANNEL_OPENED_STATE)
			ret = -EIO;
		else
			hvb_chan_set_cpu(ch, old, cpu);
	}
	/* Storage moves its per-CPU queues; under the mutex, as upstream. */
	if (ret == count && cpu != old && ch->change_target_cpu_callback)
		ch->change_target_cpu_callback(ch, old, cpu);
	mutex_unlock(&vmbus_connection.channel_mutex);
out_cpus:
	cpus_read_unlock();
	return ret;
}
HVB_CHAN_ATTR(cpu, 0644, hvb_cpu_show, hvb_cpu_store);

static ssize_t hvb_chan_monitor_show(struct vmbus_channel *ch, char *buf,
				     bool latency)
{
	struct hv_monitor_page *mp;
	u32 val;

	mp = READ_ONCE(vmbus_connection.monitor_pages[1]);
	if (!mp || ch->monitor_grp >= ARRAY_SIZE(mp->trigger_group))
		return -ENODEV;
	if (latency)
		val = READ_ONCE(mp->latency[ch->monitor_grp][ch->monitor_bit]);
	else
		val = READ_ONCE(mp->trigger_group[ch->monitor_grp].pending);
	return sysfs_emit(buf, "%d\n", val);
}

static ssize_t hvb_pending_show(struct vmbus_channel *ch, char *buf)
{
	return hvb_chan_monitor_show(ch, buf, false);
}
HVB_CHAN_ATTR(pending, 0444, hvb_pending_show, NULL);

static ssize_t hvb_latency_show(struct vmbus_channel *ch, char *buf)
{
	return hvb_chan_monitor_show(ch, buf, true);
}
HVB_CHAN_ATTR(latency, 0444, hvb_latency_show, NULL);

#define HVB_CHAN_COUNTER(_name, _field)					\
static ssize_t hvb_##_name##_show(struct vmbus_channel *ch, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  (unsigned long long)READ_ONCE(ch->_field));	\
}									\
HVB_CHAN_ATTR(_name, 0444, hvb_##_name##_show, NULL)

HVB_CHAN_COUNTER(interrupts, interrupts);
HVB_CHAN_COUNTER(events, sig_events);
HVB_CHAN_COUNTER(intr_in_full, intr_in_full);
HVB_CHAN_COUNTER(intr_out_empty, intr_out_empty);
HVB_CHAN_COUNTER(out_full_first, out_full_first);
HVB_CHAN_COUNTER(out_full_total, out_full_total);

static ssize_t hvb_chan_monitor_id_show(struct vmbus_channel *ch, char *buf)
{
	return sysfs_emit(buf, "%u\n", ch->offermsg.monitorid);
}
HVB_CHAN_ATTR(monitor_id, 0444, hvb_chan_monitor_id_show, NULL);

static ssize_t hvb_subchannel_id_show(struct vmbus_channel *ch, char *buf)
{
	return sysfs_emit(buf, "%u\n", ch->offermsg.offer.sub_channel_index);
}
HVB_CHAN_ATTR(subchannel_id, 0444, hvb_subchannel_id_show, NULL);

static int hvb_chan_ring_mmap(struct file *filp, struct kobject *kobj,
			      struct bin_attribute *attr,
			      struct vm_area_struct *vma)
{
	struct vmbus_channel *ch = to_channel(kobj);
	int (*mmap_ring)(struct vmbus_channel *ch, struct vm_area_struct *vma);

	/* Visible only between hv_create_ring_sysfs() and its removal. */
	mmap_ring = READ_ONCE(ch->mmap_ring_buffer);
	return mmap_ring ? mmap_ring(ch, vma) : -ENODEV;
}

static struct bin_attribute hvb_chan_attr_ring = {
	.attr = { .name = "ring", .mode = 0600 },
	.mmap = hvb_chan_ring_mmap,
};

static struct attribute *hvb_chan_attrs[] = {
	&hvb_chan_attr_out_mask.attr,
	&hvb_chan_attr_in_mask.attr,
	&hvb_chan_attr_read_avail.attr,
	&hvb_chan_attr_write_avail.attr,
	&hvb_chan_attr_cpu.attr,
	&hvb_chan_attr_pending.attr,
	&hvb_chan_attr_latency.attr,
	&hvb_chan_attr_interrupts.attr,
	&hvb_chan_attr_events.attr,
	&hvb_chan_attr_intr_in_full.attr,
	&hvb_chan_attr_intr_out_empty.attr,
	&hvb_chan_attr_out_full_first.attr,
	&hvb_chan_attr_out_full_total.attr,
	&hvb_chan_attr_monitor_id.attr,
	&hvb_chan_attr_subchannel_id.attr,
	NULL,
};

static struct bin_attribute *hvb_chan_bin_attrs[] = {
	&hvb_chan_attr_ring,
	NULL,
};

static umode_t hvb_chan_attr_visible(struct kobject *kobj,
				     struct attribute *attr, int idx)
{
	const struct vmbus_channel *ch = to_channel(kobj);

	if (!ch->offermsg.monitor_allocated &&
	    (attr == &hvb_chan_attr_pending.attr ||
	     attr == &hvb_chan_attr_latency.attr ||
	     attr == &hvb_chan_attr_monitor_id.attr))
		return 0;
	return attr->mode;
}

/* "ring" shows only while a driver (uio_hv_generic) has made it so. */
static umode_t hvb_chan_bin_attr_visible(struct kobject *kobj,
					 struct bin_attribute *attr, int idx)
{
	const struct vmbus_channel *ch = to_channel(kobj);

	if (attr == &hvb_chan_attr_ring && !ch->ring_sysfs_visible)
		return 0;
	attr->size = (size_t)ch->ringbuffer_pagecount << PAGE_SHIFT;
	return attr->attr.mode;
}

const struct attribute_group hvb_chan_group = {
	.attrs = hvb_chan_attrs,
	.bin_attrs = hvb_chan_bin_attrs,
	.is_visible = hvb_chan_attr_visible,
	.is_bin_visible = hvb_chan_bin_attr_visible,
};

static const struct attribute_group *hvb_chan_groups[] = {
	&hvb_chan_group,
	NULL,
};

static void hvb_chan_free_rcu(struct rcu_head *rcu)
{
	struct vmbus_channel *ch = container_of(rcu, struct vmbus_channel, rcu);

	kfree(to_hvb_channel(ch));
	atomic_dec(&hvb_stats.channels);
	wake_up_all(&hvb_live_wq);
}

/*
 * The last reference to a channel is gone.  The interrupt handler may
 * still be looking at it (it finds channels under RCU): free it after a
 * grace period.
 */
static void hvb_chan_release(struct kobject *kobj)
{
	call_rcu(&to_channel(kobj)->rcu, hvb_chan_free_rcu);
}

const struct kobj_type hvb_chan_ktype = {
	.sysfs_ops = &hvb_chan_sysfs_ops,
	.release = hvb_chan_release,
	.default_groups = hvb_chan_groups,
};
