// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: a simulated Hyper-V host.
 *
 * Registers the "sim" backend with hvcore.  The hypervisor half (synic.c)
 * delivers messages and events into the SynIC pages the guest enabled and
 * interrupts its CPUs; the VMBus host (vmbus_host.c, vmbus_ctl.c) takes
 * the guest's posts and signals and answers through it.  This file holds
 * the ops table, the partition reference time and the debugfs directory
 * (/sys/kernel/debug/hvsim/):
 *
 *   counters  read: guest-to-host counts, then each VP's "vpN.name value"
 *   inject    write "VP SINT TYPE [LEN]": post a test message
 *   signal    write "VP SINT BIT": set an event flag
 *   raise     write "VP": interrupt a VP
 *   guest     the stand-in guest of the VM tests (guest.c)
 *   post      the stand-in guest's HvPostMessage (guest.c)
 *   vmbus/    the VMBus host's devices and counters (vmbus_ctl.c)
 *   storvsp/  the SCSI controllers' LUNs (storvsp.c)
 *   ic/       the integration components' host side (ic.c)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/atomic.h>
#include <linux/timekeeping.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "internal.h"
#include "vmbus_host.h"
#include "ic.h"

static atomic64_t hvsim_msgs_in;	/* guest -> host messages */
static atomic64_t hvsim_signals;	/* guest -> host signals */
static struct dentry *hvsim_debugfs;

static int hvsim_post_message(u32 conn_id, u32 type, const void *payload,
			      u32 len)
{
	atomic64_inc(&hvsim_msgs_in);
	return hvsim_vmbus_backend_post(conn_id, type, payload, len);
}

static int hvsim_signal_event(u32 conn_id, u16 flag)
{
	atomic64_inc(&hvsim_signals);
	return hvsim_vmbus_backend_signal(conn_id, flag);
}

static u32 hvsim_vp_index(unsigned int cpu)
{
	/* The simulated partition numbers its VPs like Linux its CPUs. */
	return cpu;
}

static u64 hvsim_ref_time(void)
{
	/* 100 ns units, from the raw monotonic clock (never slewed). */
	return div_u64(ktime_get_raw_ns(), 100);
}

static const struct hvcore_backend_ops hvsim_ops = {
	.name = "sim",
	.owner = THIS_MODULE,
	.post_message = hvsim_post_message,
	.signal_event = hvsim_signal_event,
	.synic_enable = hvsim_synic_enable,
	.synic_disable = hvsim_synic_disable,
	.eom = hvsim_eom,
	.vp_index = hvsim_vp_index,
	.ref_time = hvsim_ref_time,
};

static int hvsim_counters_show(struct seq_file *m, void *v)
{
	struct hvsim_vp_stats st;
	unsigned int cpu, synics = 0;

	for_each_possible_cpu(cpu)
		if (!hvsim_vp_stats(cpu, &st) && st.enabled)
			synics++;

	seq_printf(m, "messages_in %lld\n", atomic64_read(&hvsim_msgs_in));
	seq_printf(m, "signals %lld\n", atomic64_read(&hvsim_signals));
	seq_printf(m, "synics %u\n", synics);
	hvsim_synic_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_counters);

static int __init hvsim_init(void)
{
	int ret;

	ret = hvsim_ic_init();
	if (ret)
		return ret;
	ret = hvsim_synic_init();
	if (ret)
		goto err_ic;
	ret = hvsim_vmbus_ctl_init();
	if (ret)
		goto err_synic;
	ret = hvcore_register_backend(&hvsim_ops);
	if (ret)
		goto err_vmbus;

	hvsim_debugfs = debugfs_create_dir("hvsim", NULL);
	debugfs_create_file("counters", 0444, hvsim_debugfs, NULL,
			    &hvsim_counters_fops);
	hvsim_synic_debugfs(hvsim_debugfs);
	hvsim_vmbus_ctl_debugfs(hvsim_debugfs);
	hvsim_storvsp_debugfs(hvsim_debugfs);
	hvsim_netvsp_debugfs(hvsim_debugfs);
	hvsim_ic_debugfs(hvsim_debugfs);
	ret = hvsim_guest_init(hvsim_debugfs);
	if (ret)
		goto err_debugfs;
	return 0;

err_debugfs:
	debugfs_remove_recursive(hvsim_debugfs);
	hvcore_unregister_backend(&hvsim_ops);
err_vmbus:
	hvsim_ic_stop();
	hvsim_vmbus_ctl_exit();
	hvsim_netvsp_exit();
err_synic:
	hvsim_synic_exit();
err_ic:
	hvsim_ic_exit();
	return ret;
}

static void __exit hvsim_exit(void)
{
	/* No debugfs write runs or starts once the files are gone. */
	debugfs_remove_recursive(hvsim_debugfs);
	hvsim_guest_exit();
	hvcore_unregister_backend(&hvsim_ops);
	/* No guest is left to post, signal or end a message. */
	hvsim_ic_stop();
	hvsim_vmbus_ctl_exit();
	hvsim_netvsp_exit();
	hvsim_synic_exit();
	hvsim_ic_exit();
}

module_init(hvsim_init);
module_exit(hvsim_exit);
MODULE_DESCRIPTION("hvguest simulated Hyper-V host");
MODULE_LICENSE("GPL");
