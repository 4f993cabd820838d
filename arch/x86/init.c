// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: detection, the guest OS ID, the hypercall page, the per-CPU
 * hypercall pages and VP indexes, the SynIC interrupt vector, and the
 * boot-time setup that ties them together.
 *
 * Built into kernels without CONFIG_HYPERV only; such a kernel has no
 * Hyper-V code of its own, so nothing else claims any of this.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <kunit/visibility.h>
#include <asm/cpufeature.h>
#include <asm/ibt.h>
#include <asm/irq.h>
#include "hvx_internal.h"

struct hvx_state hvx_state;
DEFINE_PER_CPU(struct hvx_pcpu, hvx_pcpu) = {
	.vp_index = U32_MAX,
};

/**
 * hvx_detect() - look for Hyper-V and the features hvx needs.
 * @info: filled with what CPUID reports (zeroed first).
 *
 * Hyper-V is there when leaf 0x40000000 names "Microsoft Hv" with a
 * highest leaf in the TLFS's range and leaf 0x40000001 gives the "Hv#1"
 * interface.  hvx then needs the hypercall, VP index, SynIC and reference
 * counter MSRs, the right to post messages and signal events, and a
 * partition that is not isolated (confidential VMs are not supported).
 *
 * Context: any.
 * Return: 0, -ENODEV when there is no Hyper-V, -EOPNOTSUPP when it
 * lacks something hvx needs.
 */
int hvx_detect(struct hvx_info *info)
{
	u32 eax, ebx, ecx, edx;
	char vendor[12];
	u32 missing;

	memset(info, 0, sizeof(*info));
	hvx_cpuid(HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS, &eax, &ebx, &ecx,
		  &edx);
	memcpy(vendor, &ebx, 4);
	memcpy(vendor + 4, &ecx, 4);
	memcpy(vendor + 8, &edx, 4);
	if (memcmp(vendor, "Microsoft Hv", sizeof(vendor)))
		return -ENODEV;
	if (eax < HYPERV_CPUID_MIN || eax > HYPERV_CPUID_MAX) {
		pr_warn("Hyper-V reports leaves up to %#x: not usable\n", eax);
		return -ENODEV;
	}
	info->max_leaf = eax;

	hvx_cpuid(HYPERV_CPUID_INTERFACE, &eax, &ebx, &ecx, &edx);
	if (eax != HVX_INTERFACE_SIGNATURE) {
		pr_warn("Hyper-V interface %#x is not Hv#1\n", eax);
		return -ENODEV;
	}

	hvx_cpuid(HYPERV_CPUID_FEATURES, &eax, &ebx, &ecx, &edx);
	info->features = eax;
	info->privileges = ebx;
	info->misc = edx;
	hvx_cpuid(HYPERV_CPUID_ENLIGHTMENT_INFO, &eax, &ebx, &ecx, &edx);
	info->hints = eax;

	missing = HVX_NEEDED_FEATURES & ~info->features;
	if (missing) {
		pr_warn("Hyper-V without features %#x: not supported\n",
			missing);
		return -EOPNOTSUPP;
	}
	missing = HVX_NEEDED_PRIVILEGES & ~info->privileges;
	if (missing) {
		pr_warn("Hyper-V partition without privileges %#x: not supported\n",
			missing);
		return -EOPNOTSUPP;
	}
	if (info->privileges & HVX_PRIV_ISOLATION) {
		pr_warn("isolated (confidential) Hyper-V partition: not supported\n");
		return -EOPNOTSUPP;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(hvx_detect);

/**
 * hvx_guest_os_id() - the guest OS ID of this kernel.
 *
 * The Linux encoding: bit 63 open source, bits 62:56 OS type 1 (Linux),
 * bits 55:48 zero, bits 47:16 the kernel version as KERNEL_VERSION()
 * encodes it (major, patch level, sublevel capped at 255), bits 15:0
 * zero.
 *
 * Context: any.
 * Return: the value for HV_X64_MSR_GUEST_OS_ID.
 */
u64 hvx_guest_os_id(void)
{
	u64 version = KERNEL_VERSION(LINUX_VERSION_MAJOR,
				     LINUX_VERSION_PATCHLEVEL,
				     LINUX_VERSION_SUBLEVEL);

	return (u64)HV_LINUX_VENDOR_ID << 48 | version << 16;
}
EXPORT_SYMBOL_GPL(hvx_guest_os_id);

/* Disable the hypercall page in the MSR, its reserved bits kept. */
void hvx_hypercall_msr_off(void)
{
	union hv_x64_msr_hypercall_contents msr;

	msr.as_uint64 = hvx_rdmsr(HV_X64_MSR_HYPERCALL);
	msr.enable = 0;
	msr.guest_physical_address = 0;
	hvx_wrmsr(HV_X64_MSR_HYPERCALL, msr.as_uint64);
}

/**
 * hvx_hypercall_page_setup() - enable hypercalls.
 *
 * Writes the guest OS ID (hypercalls need one), allocates an executable
 * page and gives its GPA to HV_X64_MSR_HYPERCALL with the enable bit;
 * the hypervisor fills the page with the calling sequence.  The MSR is
 * read back: a hypervisor that did not take the page leaves hvx without
 * hypercalls.  With IBT on, a page that does not begin with ENDBR64 can
 * not be called indirectly, and is refused too.
 *
 * Context: process context, may sleep; boot, or a test.
 * Return: 0, -ENOMEM, or -EIO; nothing stays set up on error.
 */
int hvx_hypercall_page_setup(void)
{
	union hv_x64_msr_hypercall_contents msr;
	void *pg;

	hvx_wrmsr(HV_X64_MSR_GUEST_OS_ID, hvx_guest_os_id());

	pg = __vmalloc_node_range(PAGE_SIZE, 1, VMALLOC_START, VMALLOC_END,
				  GFP_KERNEL, PAGE_KERNEL_ROX,
				  VM_FLUSH_RESET_PERMS, NUMA_NO_NODE,
				  __builtin_return_address(0));
	if (!pg) {
		hvx_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
		return -ENOMEM;
	}

	msr.as_uint64 = hvx_rdmsr(HV_X64_MSR_HYPERCALL);
	msr.enable = 1;
	msr.guest_physical_address = vmalloc_to_pfn(pg);
	hvx_wrmsr(HV_X64_MSR_HYPERCALL, msr.as_uint64);

	msr.as_uint64 = hvx_rdmsr(HV_X64_MSR_HYPERCALL);
	if (!msr.enable || msr.guest_physical_address != vmalloc_to_pfn(pg)) {
		pr_err("the hypervisor did not take the hypercall page\n");
		goto off;
	}
	if (cpu_feature_enabled(X86_FEATURE_IBT) && !is_endbr(*(u32 *)pg)) {
		pr_err("IBT is on and the hypercall page has no ENDBR64\n");
		goto off;
	}
	WRITE_ONCE(hvx_state.hypercall_pg, pg);
	return 0;

off:
	hvx_hypercall_msr_off();
	hvx_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
	vfree(pg);
	return -EIO;
}
EXPORT_SYMBOL_GPL(hvx_hypercall_page_setup);

/**
 * hvx_hypercall_page_teardown() - undo hvx_hypercall_page_setup().
 *
 * In reverse: no more hypercalls, the page disabled in the MSR, the guest
 * OS ID cleared, then the page freed.
 *
 * Context: process context, may sleep; no hypercall is in flight.
 */
void hvx_hypercall_page_teardown(void)
{
	void *pg = READ_ONCE(hvx_state.hypercall_pg);

	if (!pg)
		return;
	WRITE_ONCE(hvx_state.hypercall_pg, NULL);
	hvx_hypercall_msr_off();
	hvx_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
	vfree(pg);
}
EXPORT_SYMBOL_GPL(hvx_hypercall_page_teardown);

/**
 * hvx_ready() - whether hvx found Hyper-V and set it up at boot.
 *
 * Context: any.
 * Return: true when the "hyperv" platform may be built on hvx.
 */
bool hvx_ready(void)
{
	return READ_ONCE(hvx_state.ready);
}
EXPORT_SYMBOL_GPL(hvx_ready);

/**
 * hvx_get_info() - what detection found.
 *
 * Context: any.
 * Return: the CPUID facts; all zero when hvx_ready() is false.
 */
const struct hvx_info *hvx_get_info(void)
{
	return &hvx_state.info;
}
EXPORT_SYMBOL_GPL(hvx_get_info);

/**
 * hvx_cpu_online() - set up hvx's per-CPU state of @cpu.
 * @cpu: the CPU; the caller runs on it (a CPU hotplug callback).
 *
 * Allocates the CPU's hypercall input and output pages (kept across
 * offline and online) and reads its VP index MSR.  A VP index that does
 * not fit 32 bits is logged and left unknown (U32_MAX).
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int hvx_cpu_online(unsigned int cpu)
{
	struct hvx_pcpu *pcpu = per_cpu_ptr(&hvx_pcpu, cpu);
	struct page *pages;
	u64 vp;

	if (!pcpu->input) {
		pages = alloc_pages_node(cpu_to_node(cpu),
					 GFP_KERNEL | __GFP_ZERO, 1);
		if (!pages)
			return -ENOMEM;
		pcpu->input = page_address(pages);
		pcpu->output = pcpu->input + PAGE_SIZE;
	}

	vp = hvx_rdmsr(HV_X64_MSR_VP_INDEX);
	if (vp >= U32_MAX) {
		pr_warn_ratelimited("CPU %u: VP index %#llx out of range\n",
				    cpu, vp);
		vp = U32_MAX;
	}
	WRITE_ONCE(pcpu->vp_index, vp);
	return 0;
}
EXPORT_SYMBOL_GPL(hvx_cpu_online);

/**
 * hvx_input_page() - this CPU's hypercall input page.
 *
 * Context: interrupts disabled, for as long as the page is used.
 * Return: the page (HV_HYP_PAGE_SIZE bytes, page aligned), or NULL when
 * the CPU has none.
 */
void *hvx_input_page(void)
{
	return this_cpu_read(hvx_pcpu.input);
}
EXPORT_SYMBOL_GPL(hvx_input_page);

/**
 * hvx_output_page() - this CPU's hypercall output page.
 *
 * Context: interrupts disabled, for as long as the page is used.
 * Return: the page, or NULL when the CPU has none.
 */
void *hvx_output_page(void)
{
	return this_cpu_read(hvx_pcpu.output);
}
EXPORT_SYMBOL_GPL(hvx_output_page);

/**
 * hvx_vp_index() - the hypervisor's VP number of @cpu.
 * @cpu: a possible CPU.
 *
 * Context: any.
 * Return: the VP index read when @cpu came online, or U32_MAX.
 */
u32 hvx_vp_index(unsigned int cpu)
{
	return READ_ONCE(per_cpu(hvx_pcpu, cpu).vp_index);
}
EXPORT_SYMBOL_GPL(hvx_vp_index);

/**
 * hvx_ref_time() - the partition reference counter.
 *
 * Context: any.
 * Return: HV_X64_MSR_TIME_REF_COUNT, in 100 ns units.
 */
u64 hvx_ref_time(void)
{
	return hvx_rdmsr(HV_X64_MSR_TIME_REF_COUNT);
}
EXPORT_SYMBOL_GPL(hvx_ref_time);

/*
 * The SINT's vector.  A kernel without CONFIG_HYPERV installs no handler
 * on HYPERVISOR_CALLBACK_VECTOR, and built-in code cannot add an IDT
 * entry of its own.  X86_PLATFORM_IPI_VECTOR is a system vector the
 * kernel keeps for platform code, with a handler that calls the
 * x86_platform_ipi_callback hook; only SGI UV's RTC and NumaChip's timer
 * use it, neither of which exists in a Hyper-V guest, and hvx takes it
 * only when it is free.  That handler writes the APIC EOI itself, so the
 * SINT must not use automatic EOI (see hvcore/hyperv_x86.c).
 */
static void (*hvx_callback)(void);

void hvx_sint_irq(void)
{
	typeof(hvx_callback) fn = READ_ONCE(hvx_callback);

	if (fn)
		fn();
}
EXPORT_SYMBOL_IF_KUNIT(hvx_sint_irq);

/**
 * hvx_set_callback() - call @fn on each interrupt of the SINT vector.
 * @fn: the handler, run in hard-IRQ context after the APIC EOI.
 *
 * Context: process context; hvx_ready().
 */
void hvx_set_callback(void (*fn)(void))
{
	WRITE_ONCE(hvx_callback, fn);
}
EXPORT_SYMBOL_GPL(hvx_set_callback);

/**
 * hvx_clear_callback() - undo hvx_set_callback().
 *
 * When it returns no CPU still runs the old handler: the vector's handler
 * runs with interrupts off, so an RCU grace period covers it.
 *
 * Context: process context, sleeps.
 */
void hvx_clear_callback(void)
{
	WRITE_ONCE(hvx_callback, NULL);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(hvx_clear_callback);

static int __init hvx_init(void)
{
	int ret;

	ret = hvx_detect(&hvx_state.info);
	if (ret)
		goto none;
	if (x86_platform_ipi_callback) {
		pr_warn("the platform IPI vector is taken: no Hyper-V support\n");
		goto none;
	}
	ret = hvx_hypercall_page_setup();
	if (ret)
		goto none;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvguest/hvx:online",
				hvx_cpu_online, NULL);
	if (ret < 0) {
		pr_err("per-CPU setup failed: %d\n", ret);
		hvx_hypercall_page_teardown();
		goto none;
	}

	x86_platform_ipi_callback = hvx_sint_irq;
	hvx_crash_init();
	WRITE_ONCE(hvx_state.ready, true);
	pr_info("Hyper-V: features %#x, privileges %#x, misc %#x, hints %#x\n",
		hvx_state.info.features, hvx_state.info.privileges,
		hvx_state.info.misc, hvx_state.info.hints);
	return 0;

none:
	memset(&hvx_state.info, 0, sizeof(hvx_state.info));
	return 0;
}
/*
 * Before device initcalls, where hvcore (built in) registers the backend;
 * and before the kernel makes machine_ops read-only.
 */
arch_initcall(hvx_init);
