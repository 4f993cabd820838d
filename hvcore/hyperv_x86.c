// SPDX-License-Identifier: GPL-2.0
/*
 * hvcore: the Hyper-V platform of a kernel built without CONFIG_HYPERV.
 *
 * There hvguest's own built-in layer (arch/x86, include/hvguest/hvx.h)
 * did at boot what the kernel's Hyper-V code would have done: detection,
 * the guest OS ID, the hypercall page, per-CPU input pages and VP indexes,
 * and the SynIC vector.  This platform is made of it.  In a VM without
 * Hyper-V (QEMU's TCG, the KUnit tier) hvx finds nothing and no "hyperv"
 * backend registers: hvsim's "sim" may.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <hvguest/hvx.h>
#include "hyperv.h"

/**
 * hvcore_hvx_platform_init() - fill @plat with hvx's primitives.
 * @plat: the platform to fill.
 *
 * The SINT's vector is X86_PLATFORM_IPI_VECTOR, whose kernel handler
 * writes the APIC EOI before calling hvx: the SINT must not use automatic
 * EOI, so the hints given to hyperv.c always advise against it.
 *
 * Context: any.
 */
void hvcore_hvx_platform_init(struct hvcore_hv_platform *plat)
{
	*plat = (struct hvcore_hv_platform) {
		.read_msr = hvx_rdmsr,
		.write_msr = hvx_wrmsr,
		.hypercall = hvx_hypercall,
		.fast_hypercall8 = hvx_fast_hypercall8,
		.input_page = hvx_input_page,
		.vp_index = hvx_vp_index,
		.ref_time = hvx_ref_time,
		.set_callback = hvx_set_callback,
		.clear_callback = hvx_clear_callback,
		.vector = HVX_SINT_VECTOR,
		.hints = hvx_get_info()->hints |
			 HV_DEPRECATING_AEOI_RECOMMENDED,
		.features = hvx_get_info()->features,
		.real = true,
	};
}

static struct hvcore_hv_platform hvcore_hvx_platform;
static bool hvcore_hvx_registered;

/**
 * hvcore_hyperv_init() - register the "hyperv" backend when hvx found
 * Hyper-V.
 *
 * Does nothing anywhere else.  A failure is logged; hvcore loads all the
 * same.
 *
 * Context: hvcore's init.
 */
void hvcore_hyperv_init(void)
{
	int ret;

	if (!hvx_ready())
		return;
	hvcore_hvx_platform_init(&hvcore_hvx_platform);
	ret = hvcore_hv_register(&hvcore_hvx_platform);
	if (ret) {
		pr_err("hyperv backend not registered: %d\n", ret);
		return;
	}
	hvcore_hvx_registered = true;
}

/**
 * hvcore_hyperv_exit() - unregister the "hyperv" backend if registered.
 *
 * Context: hvcore's exit; no user holds the backend.
 */
void hvcore_hyperv_exit(void)
{
	if (!hvcore_hvx_registered)
		return;
	hvcore_hv_unregister();
	hvcore_hvx_registered = false;
}
