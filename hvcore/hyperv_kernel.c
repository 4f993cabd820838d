// SPDX-License-Identifier: GPL-2.0
/*
 * hvcore: the Hyper-V platform of a kernel built with CONFIG_HYPERV.
 *
 * On Hyper-V such a kernel has set up, at boot, everything the guest
 * needs before VMBus: the guest OS ID, the hypercall page, a hypercall
 * input page per CPU, the VP index of each CPU, the reference counter and
 * the callback vector with its vmbus_handler hook.  This platform uses
 * all of them and defines none.  Built only when CONFIG_HYPERV is set.
 *
 * Confidential VMs (SNP or TDX, with or without a paravisor) need
 * decrypted pages and other hypercall paths: not supported, and refused.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <asm/irq_vectors.h>
#include <asm/mshyperv.h>
#include <clocksource/hyperv_timer.h>
#include "hyperv.h"

static u64 hvcore_hvk_rdmsr(unsigned int reg)
{
	return hv_get_msr(reg);
}

static void hvcore_hvk_wrmsr(unsigned int reg, u64 val)
{
	hv_set_msr(reg, val);
}

static u64 hvcore_hvk_hypercall(u64 control, void *input, void *output)
{
	return hv_do_hypercall(control, input, output);
}

static u64 hvcore_hvk_fast_hypercall8(u16 code, u64 input)
{
	return hv_do_fast_hypercall8(code, input);
}

static void *hvcore_hvk_input_page(void)
{
	return *this_cpu_ptr(hyperv_pcpu_input_arg);
}

static u32 hvcore_hvk_vp_index(unsigned int cpu)
{
	return hv_vp_index[cpu];
}

static u64 hvcore_hvk_ref_time(void)
{
	return hv_read_reference_counter();
}

static void hvcore_hvk_set_callback(void (*fn)(void))
{
	hv_setup_vmbus_handler(fn);
}

static void hvcore_hvk_clear_callback(void)
{
	hv_remove_vmbus_handler();
	/*
	 * The vector's handler runs with interrupts off; once every CPU
	 * has passed a quiescent state, none still calls the old hook.
	 */
	synchronize_rcu();
}

#if IS_ENABLED(CONFIG_HYPERV_TIMER)
/*
 * stimer0 in message mode: its expiry comes as a message on the VMBus
 * SINT, and the kernel's Hyper-V timer code runs the clock event.
 */
static void hvcore_hvk_timer_message(void)
{
	hv_stimer0_isr();
}
#else
#define hvcore_hvk_timer_message NULL
#endif

static struct hvcore_hv_platform hvcore_hvk_platform = {
	.read_msr = hvcore_hvk_rdmsr,
	.write_msr = hvcore_hvk_wrmsr,
	.hypercall = hvcore_hvk_hypercall,
	.fast_hypercall8 = hvcore_hvk_fast_hypercall8,
	.input_page = hvcore_hvk_input_page,
	.vp_index = hvcore_hvk_vp_index,
	.ref_time = hvcore_hvk_ref_time,
	.set_callback = hvcore_hvk_set_callback,
	.clear_callback = hvcore_hvk_clear_callback,
	.timer_message = hvcore_hvk_timer_message,
	.vector = HYPERVISOR_CALLBACK_VECTOR,
	.real = true,
};

static bool hvcore_hvk_registered;

/**
 * hvcore_hyperv_init() - register the "hyperv" backend when on Hyper-V.
 *
 * Does nothing anywhere else (then a simulated backend may register).
 * A failure is logged; hvcore loads all the same.
 *
 * Context: hvcore's module init.
 */
void hvcore_hyperv_init(void)
{
	int ret;

	if (!hv_is_hyperv_initialized())
		return;
	if (hv_is_isolation_supported()) {
		pr_warn("confidential (isolated) Hyper-V VM: not supported, no hyperv backend\n");
		return;
	}
	if (!READ_ONCE(hv_vp_index) || !hyperv_pcpu_input_arg ||
	    !READ_ONCE(hv_read_reference_counter)) {
		pr_warn("the kernel's Hyper-V setup is incomplete: no hyperv backend\n");
		return;
	}

	hvcore_hvk_platform.hints = ms_hyperv.hints;
	hvcore_hvk_platform.features = ms_hyperv.features;
	ret = hvcore_hv_register(&hvcore_hvk_platform);
	if (ret) {
		pr_err("hyperv backend not registered: %d\n", ret);
		return;
	}
	hvcore_hvk_registered = true;
}

/**
 * hvcore_hyperv_exit() - unregister the "hyperv" backend if registered.
 *
 * Context: hvcore's module exit; no user holds the backend.
 */
void hvcore_hyperv_exit(void)
{
	if (!hvcore_hvk_registered)
		return;
	hvcore_hv_unregister();
	hvcore_hvk_registered = false;
}
