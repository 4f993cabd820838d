// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: a simulated Hyper-V host.
 *
 * Registers the "sim" backend with hvcore.  The hypervisor half keeps the
 * per-CPU SynIC pages the guest enabled and the partition reference time;
 * the VMBus host half is built on top of it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/timekeeping.h>
#include <linux/debugfs.h>
#include <hvguest/hvcore.h>

struct hvsim_cpu {
	struct hvcore_synic *synic;	/* NULL while the SynIC is disabled */
};

static DEFINE_PER_CPU(struct hvsim_cpu, hvsim_cpus);
static atomic64_t hvsim_msgs_in;	/* guest -> host messages */
static atomic64_t hvsim_signals;	/* guest -> host signals */
static atomic_t hvsim_synics;		/* CPUs with an enabled SynIC */
static struct dentry *hvsim_debugfs;

static int hvsim_post_message(u32 conn_id, u32 type, const void *payload,
			      u32 len)
{
	atomic64_inc(&hvsim_msgs_in);
	if (len > HV_MESSAGE_PAYLOAD_BYTE_COUNT - sizeof(u32))
		return -EINVAL;
	/* No VMBus host listens on any connection yet. */
	return -EHOSTUNREACH;
}

static int hvsim_signal_event(u32 conn_id, u16 flag)
{
	atomic64_inc(&hvsim_signals);
	return 0;
}

static int hvsim_synic_enable(unsigned int cpu, struct hvcore_synic *synic)
{
	struct hvsim_cpu *hc = per_cpu_ptr(&hvsim_cpus, cpu);

	if (hc->synic)
		return -EBUSY;
	WRITE_ONCE(hc->synic, synic);
	atomic_inc(&hvsim_synics);
	return 0;
}

static void hvsim_synic_disable(unsigned int cpu, struct hvcore_synic *synic)
{
	struct hvsim_cpu *hc = per_cpu_ptr(&hvsim_cpus, cpu);

	if (hc->synic == synic) {
		WRITE_ONCE(hc->synic, NULL);
		atomic_dec(&hvsim_synics);
	}
}

static void hvsim_eom(void)
{
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
	seq_printf(m, "messages_in %lld\n", atomic64_read(&hvsim_msgs_in));
	seq_printf(m, "signals %lld\n", atomic64_read(&hvsim_signals));
	seq_printf(m, "synics %d\n", atomic_read(&hvsim_synics));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_counters);

static int __init hvsim_init(void)
{
	int ret;

	ret = hvcore_register_backend(&hvsim_ops);
	if (ret)
		return ret;

	hvsim_debugfs = debugfs_create_dir("hvsim", NULL);
	debugfs_create_file("counters", 0444, hvsim_debugfs, NULL,
			    &hvsim_counters_fops);
	return 0;
}

static void __exit hvsim_exit(void)
{
	debugfs_remove_recursive(hvsim_debugfs);
	hvcore_unregister_backend(&hvsim_ops);
}

module_init(hvsim_init);
module_exit(hvsim_exit);
MODULE_DESCRIPTION("hvguest simulated Hyper-V host");
MODULE_LICENSE("GPL");
