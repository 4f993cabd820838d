// SPDX-License-Identifier: GPL-2.0
/*
 * hvcore: the kernel's own Hyper-V globals under a simulated host.
 *
 * A distro kernel built with CONFIG_HYPERV exports hv_vp_index,
 * hv_max_vp_index and hv_read_reference_counter from its built-in Hyper-V
 * code, and in-tree drivers (hv_utils, pci-hyperv, ...) use them.  On
 * Hyper-V that code fills them at boot.  Anywhere else hv_vp_index stays
 * NULL and hv_read_reference_counter reads an MSR that does not exist, so
 * while a backend is in use and the kernel's code has not filled them,
 * hvcore does: the VP numbers and the reference time come from the
 * backend.  Both are restored when the last user lets go of the backend;
 * since every user pins the backend's module, the backend cannot go away
 * while the globals point at it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "internal.h"

#if IS_ENABLED(CONFIG_HYPERV)
#include <asm/mshyperv.h>

static u32 *hvcore_vp_array;		/* ours while installed */
static u32 hvcore_saved_max_vp;
static u64 (*hvcore_saved_ref_counter)(void);

static u64 hvcore_ref_counter(void)
{
	return READ_ONCE(hvcore_ops)->ref_time();
}

/* Called under the registration mutex when the first user arrives. */
void hvcore_kernel_hv_install(const struct hvcore_backend_ops *ops)
{
	unsigned int cpu;
	u32 *vps, max = 0;

	/* The kernel's own Hyper-V code is active: leave it alone. */
	if (READ_ONCE(hv_vp_index))
		return;

	/* Without memory, in-tree drivers that need the array fail later. */
	vps = kmalloc_array(nr_cpu_ids, sizeof(*vps), GFP_KERNEL);
	if (!vps)
		return;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		vps[cpu] = cpu_possible(cpu) ? ops->vp_index(cpu) : VP_INVAL;
		if (vps[cpu] != VP_INVAL && vps[cpu] > max)
			max = vps[cpu];
	}

	hvcore_saved_max_vp = hv_max_vp_index;
	hvcore_saved_ref_counter = hv_read_reference_counter;
	hv_max_vp_index = max;
	WRITE_ONCE(hv_read_reference_counter, hvcore_ref_counter);
	/* Readers index the array as soon as they see the pointer. */
	smp_store_release(&hv_vp_index, vps);
	hvcore_vp_array = vps;
	pr_info("filled hv_vp_index and hv_read_reference_counter from the %s backend\n",
		ops->name);
}

/* Called under the registration mutex when the last user leaves. */
void hvcore_kernel_hv_restore(void)
{
	if (!hvcore_vp_array)
		return;
	WRITE_ONCE(hv_vp_index, NULL);
	WRITE_ONCE(hv_read_reference_counter, hvcore_saved_ref_counter);
	hv_max_vp_index = hvcore_saved_max_vp;
	/* A reader that loaded the pointer just before is done after this. */
	synchronize_rcu();
	kfree(hvcore_vp_array);
	hvcore_vp_array = NULL;
}

static int hvcore_kernel_hv_show(struct seq_file *m, void *v)
{
	u32 *vps = READ_ONCE(hv_vp_index);
	unsigned int cpu;

	seq_printf(m, "installed %d\n", hvcore_vp_array ? 1 : 0);
	seq_printf(m, "hv_vp_index %s\n", vps ? "set" : "null");
	if (vps) {
		for_each_possible_cpu(cpu)
			seq_printf(m, "cpu%u.vp %u\n", cpu, vps[cpu]);
		seq_printf(m, "hv_max_vp_index %u\n", hv_max_vp_index);
	}
	/* Only call it when it is ours: the kernel's reads a Hyper-V MSR. */
	if (hvcore_vp_array)
		seq_printf(m, "reference_counter %llu\n",
			   hv_read_reference_counter());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvcore_kernel_hv);

void hvcore_kernel_hv_debugfs(struct dentry *dir)
{
	debugfs_create_file("kernel_hv", 0444, dir, NULL,
			    &hvcore_kernel_hv_fops);
}

#else /* !CONFIG_HYPERV: the kernel has no such globals to fill. */

void hvcore_kernel_hv_install(const struct hvcore_backend_ops *ops)
{
}

void hvcore_kernel_hv_restore(void)
{
}

void hvcore_kernel_hv_debugfs(struct dentry *dir)
{
}

#endif
