// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: the crash MSRs, and the revocation of every page shared with the
 * hypervisor before kexec and on crash.
 *
 * The pages the hypervisor writes (the hypercall page, each CPU's SynIC
 * message and event-flags pages, the reference TSC page) belong to this
 * kernel's memory.  A kexec'd kernel reuses that memory: the hypervisor
 * must have forgotten every one of them first, or it overwrites the new
 * kernel.  A kernel without CONFIG_HYPERV gives built-in code one place
 * that runs late enough on both paths, machine_ops: hvx chains its own
 * shutdown and crash_shutdown in front of the native ones at boot (it is
 * written before the kernel makes it read-only).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/init.h>
#include <linux/kdebug.h>
#include <linux/notifier.h>
#include <linux/panic.h>
#include <linux/panic_notifier.h>
#include <kunit/visibility.h>
#include <asm/irq_regs.h>
#include <asm/ptrace.h>
#include <asm/reboot.h>
#include "hvx_internal.h"

atomic_t hvx_crash_reported = ATOMIC_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(hvx_crash_reported);

/**
 * hvx_report_crash() - tell the host that this guest crashed.
 * @code: the error code (P0).
 * @regs: the registers of the crash, or NULL when there are none.
 *
 * When the partition has the crash MSRs: P0 the code, P1 the guest OS ID,
 * P2 RIP, P3 RAX, P4 RSP (zero without @regs), then CRASH_CTL with the
 * notify bit, which the host logs.  Only the first call writes anything.
 *
 * Context: any, the panic path included.
 */
void hvx_report_crash(long code, struct pt_regs *regs)
{
	if (!(READ_ONCE(hvx_state.info.misc) &
	      HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE))
		return;
	if (atomic_xchg(&hvx_crash_reported, 1))
		return;

	hvx_wrmsr(HV_X64_MSR_CRASH_P0, code);
	hvx_wrmsr(HV_X64_MSR_CRASH_P1, hvx_rdmsr(HV_X64_MSR_GUEST_OS_ID));
	hvx_wrmsr(HV_X64_MSR_CRASH_P2, regs ? regs->ip : 0);
	hvx_wrmsr(HV_X64_MSR_CRASH_P3, regs ? regs->ax : 0);
	hvx_wrmsr(HV_X64_MSR_CRASH_P4, regs ? regs->sp : 0);
	hvx_wrmsr(HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_CRASH_NOTIFY);
}
EXPORT_SYMBOL_GPL(hvx_report_crash);

/* An oops that is going to panic: its registers make the best report. */
int hvx_die_event(struct notifier_block *nb, unsigned long val, void *args)
{
	struct die_args *die = args;

	if (val == DIE_OOPS && panic_on_oops)
		hvx_report_crash(die->err, die->regs);
	return NOTIFY_DONE;
}
EXPORT_SYMBOL_IF_KUNIT(hvx_die_event);

/* Any other panic: the interrupted registers if in an interrupt. */
int hvx_panic_event(struct notifier_block *nb, unsigned long val, void *msg)
{
	hvx_report_crash(val, get_irq_regs());
	return NOTIFY_DONE;
}
EXPORT_SYMBOL_IF_KUNIT(hvx_panic_event);

static struct notifier_block hvx_die_nb = {
	.notifier_call = hvx_die_event,
};

static struct notifier_block hvx_panic_nb = {
	.notifier_call = hvx_panic_event,
};

static const u32 hvx_stimer_config[HVX_STIMER_COUNT] = {
	HV_X64_MSR_STIMER0_CONFIG,
	HV_X64_MSR_STIMER1_CONFIG,
	HV_X64_MSR_STIMER2_CONFIG,
	HV_X64_MSR_STIMER3_CONFIG,
};

/**
 * hvx_revoke_cpu() - make the hypervisor forget this CPU's SynIC.
 * @unused: unused (an on_each_cpu() function).
 *
 * Stops the synthetic timers (they raise SINTs), masks every SINT (keeping
 * its vector), disables the message page and the event-flags page with
 * their GPAs cleared, then the SynIC itself.  Reserved bits keep what the
 * hypervisor put there.
 *
 * Context: on the CPU concerned, interrupts disabled.
 */
void hvx_revoke_cpu(void *unused)
{
	u32 features = READ_ONCE(hvx_state.info.features);
	union hv_synic_scontrol sctrl;
	union hv_synic_siefp siefp;
	union hv_synic_simp simp;
	union hv_synic_sint sint;
	unsigned int i;

	if (features & HV_MSR_SYNTIMER_AVAILABLE)
		for (i = 0; i < HVX_STIMER_COUNT; i++)
			hvx_wrmsr(hvx_stimer_config[i], 0);
	if (!(features & HV_MSR_SYNIC_AVAILABLE))
		return;

	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		sint.as_uint64 = hvx_rdmsr(HV_X64_MSR_SINT0 + i);
		sint.masked = 1;
		hvx_wrmsr(HV_X64_MSR_SINT0 + i, sint.as_uint64);
	}

	simp.as_uint64 = hvx_rdmsr(HV_X64_MSR_SIMP);
	simp.simp_enabled = 0;
	simp.base_simp_gpa = 0;
	hvx_wrmsr(HV_X64_MSR_SIMP, simp.as_uint64);

	siefp.as_uint64 = hvx_rdmsr(HV_X64_MSR_SIEFP);
	siefp.siefp_enabled = 0;
	siefp.base_siefp_gpa = 0;
	hvx_wrmsr(HV_X64_MSR_SIEFP, siefp.as_uint64);

	sctrl.as_uint64 = hvx_rdmsr(HV_X64_MSR_SCONTROL);
	sctrl.enable = 0;
	hvx_wrmsr(HV_X64_MSR_SCONTROL, sctrl.as_uint64);
}
EXPORT_SYMBOL_GPL(hvx_revoke_cpu);

/**
 * hvx_revoke_partition() - make the hypervisor forget the partition's
 * pages.
 *
 * After every CPU's hvx_revoke_cpu(): the reference TSC page, then the
 * hypercall page (hvx makes no hypercall from here on: they fail), then
 * the guest OS ID, the reverse of the boot order.  Nothing is freed: the
 * kernel is going away, maybe in a context that cannot free.
 *
 * Context: any; no hypercall is in flight on another CPU.
 */
void hvx_revoke_partition(void)
{
	u32 features = READ_ONCE(hvx_state.info.features);
	union hv_reference_tsc_msr tsc;

	if (!READ_ONCE(hvx_state.info.max_leaf))
		return;

	if (features & HV_MSR_REFERENCE_TSC_AVAILABLE) {
		tsc.as_uint64 = hvx_rdmsr(HV_X64_MSR_REFERENCE_TSC);
		tsc.enable = 0;
		tsc.pfn = 0;
		hvx_wrmsr(HV_X64_MSR_REFERENCE_TSC, tsc.as_uint64);
	}
	WRITE_ONCE(hvx_state.hypercall_pg, NULL);
	hvx_hypercall_msr_off();
	hvx_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0);
}
EXPORT_SYMBOL_GPL(hvx_revoke_partition);

/**
 * hvx_revoke_all() - revoke every shared page, on every CPU.
 *
 * hvx_revoke_cpu() on each online CPU (only this one when interrupts are
 * disabled), then hvx_revoke_partition().  Does nothing without Hyper-V.
 *
 * Context: process context before kexec, or any but NMI.
 */
void hvx_revoke_all(void)
{
	if (!READ_ONCE(hvx_state.info.max_leaf))
		return;
	hvx_each_cpu(hvx_revoke_cpu, NULL);
	hvx_revoke_partition();
}
EXPORT_SYMBOL_GPL(hvx_revoke_all);

static void (*hvx_kexec_hook)(void);
static void (*hvx_crash_hook)(void);
static void (*hvx_prev_shutdown)(void);
static void (*hvx_prev_crash_shutdown)(struct pt_regs *regs);

/**
 * hvx_set_shutdown_hooks() - run functions before the revocation.
 * @kexec: called first on machine shutdown (kexec, reboot, power off),
 *	in process context, while hypercalls still work: the place to
 *	unload VMBus.  NULL for none.
 * @crash: called first on crash shutdown (kdump), on the crashing CPU
 *	with interrupts off.  NULL for none.
 *
 * Context: process context.
 */
void hvx_set_shutdown_hooks(void (*kexec)(void), void (*crash)(void))
{
	WRITE_ONCE(hvx_kexec_hook, kexec);
	WRITE_ONCE(hvx_crash_hook, crash);
}
EXPORT_SYMBOL_GPL(hvx_set_shutdown_hooks);

/*
 * machine_shutdown(): on kexec after device shutdown, with every CPU
 * still online and interrupts on; the native shutdown then stops the
 * other CPUs.
 */
void hvx_shutdown_revoke(void)
{
	typeof(hvx_kexec_hook) hook = READ_ONCE(hvx_kexec_hook);

	if (hook)
		hook();
	hvx_revoke_all();
}
EXPORT_SYMBOL_IF_KUNIT(hvx_shutdown_revoke);

static void hvx_machine_shutdown(void)
{
	hvx_shutdown_revoke();
	hvx_prev_shutdown();
}

/*
 * machine_crash_shutdown(): the crashing CPU, interrupts off, the other
 * CPUs not reachable until the native code stops them.  This CPU's SynIC
 * goes first; the other CPUs' pages stay known to the hypervisor, but
 * they lie in the crashed kernel's memory, which the kdump kernel (in its
 * reserved region) does not use.  The partition's pages go once the
 * other CPUs are stopped, so none is inside a hypercall.
 */
void hvx_crash_revoke_cpu(void)
{
	typeof(hvx_crash_hook) hook = READ_ONCE(hvx_crash_hook);

	if (hook)
		hook();
	hvx_revoke_cpu(NULL);
}
EXPORT_SYMBOL_IF_KUNIT(hvx_crash_revoke_cpu);

static void hvx_machine_crash_shutdown(struct pt_regs *regs)
{
	hvx_crash_revoke_cpu();
	hvx_prev_crash_shutdown(regs);
	hvx_revoke_partition();
}

void __init hvx_crash_init(void)
{
	if (hvx_state.info.misc & HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE) {
		/* The host hears of a panic even when kdump takes over. */
		crash_kexec_post_notifiers = true;
		atomic_notifier_chain_register(&panic_notifier_list,
					       &hvx_panic_nb);
		register_die_notifier(&hvx_die_nb);
	}

	hvx_prev_shutdown = machine_ops.shutdown;
	machine_ops.shutdown = hvx_machine_shutdown;
	if (IS_ENABLED(CONFIG_CRASH_DUMP) && machine_ops.crash_shutdown) {
		hvx_prev_crash_shutdown = machine_ops.crash_shutdown;
		machine_ops.crash_shutdown = hvx_machine_crash_shutdown;
	}
}
