/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvcore's real Hyper-V backend, in parts:
 *  - hyperv.c speaks the TLFS (SynIC MSRs, HvPostMessage, HvSignalEvent)
 *    through the small platform interface below and builds everywhere,
 *    the KUnit kernel included, where a fake platform drives it;
 *  - hyperv_kernel.c, built only when the kernel has CONFIG_HYPERV, is the
 *    platform made of the kernel's own Hyper-V code (its hypercall page,
 *    MSR accessors, per-CPU input pages and callback vector);
 *  - hyperv_x86.c, built only into kernels without CONFIG_HYPERV, is the
 *    platform made of hvguest's built-in x86 layer (arch/x86, hvx).
 */
#ifndef _HVCORE_HYPERV_H
#define _HVCORE_HYPERV_H

#include <linux/kconfig.h>
#include "internal.h"

/**
 * struct hvcore_hv_post_input - the input page of HvPostMessage.
 * @connection_id: the host's connection ID (24 bits used).
 * @reserved: zero.
 * @message_type: the message type (1 for VMBus).
 * @payload_size: bytes used in @payload.
 * @payload: the message.
 *
 * The TLFS layout; the kernel declares it only in a private header of
 * drivers/hv, hence our own name.
 */
struct hvcore_hv_post_input {
	u32 connection_id;
	u32 reserved;
	u32 message_type;
	u32 payload_size;
	u64 payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
} __packed;

static_assert(sizeof(struct hvcore_hv_post_input) == 16 +
	      HV_MESSAGE_PAYLOAD_BYTE_COUNT);
static_assert(offsetof(struct hvcore_hv_post_input, payload) == 16);

/**
 * struct hvcore_hv_platform - how hyperv.c reaches the hypervisor.
 * @read_msr: read synthetic MSR @reg (an HV_MSR_* number) of this CPU.
 * @write_msr: write @val to synthetic MSR @reg of this CPU.
 * @hypercall: slow hypercall with control word @control and the input
 *	and output pages given by kernel virtual address (NULL for none).
 *	Returns the hypercall status word.
 * @fast_hypercall8: fast hypercall @code with 8 bytes of input in a
 *	register; returns the status word.
 * @input_page: this CPU's hypercall input page, at least
 *	HV_HYP_PAGE_SIZE bytes, page aligned, or NULL when there is none.
 *	Called and used with interrupts disabled.
 * @vp_index: the hypervisor's VP number of @cpu.
 * @ref_time: the partition reference counter (100 ns units).
 * @set_callback: make @fn the handler of the SynIC interrupt vector; it is
 *	called in hard-IRQ context on the interrupted CPU.
 * @clear_callback: undo @set_callback; when it returns, no call of the
 *	old handler is running.
 * @timer_message: optional; give a stimer0 expiry message to the
 *	kernel's timer.  Hard-IRQ context on the CPU that got it.
 * @vector: the interrupt vector the SINT raises.
 * @hints: the hypervisor's recommendations (CPUID 0x40000004 EAX, the
 *	kernel's ms_hyperv.hints); only HV_DEPRECATING_AEOI_RECOMMENDED is
 *	used.
 * @features: the partition's features (CPUID 0x40000003 EAX, the
 *	kernel's ms_hyperv.features); HV_MSR_REFERENCE_TSC_AVAILABLE and
 *	HV_MSR_SYNTIMER_AVAILABLE decide which clock ops are offered.
 * @real: the platform is the kernel's own Hyper-V code, not a test's.
 */
struct hvcore_hv_platform {
	u64 (*read_msr)(unsigned int reg);
	void (*write_msr)(unsigned int reg, u64 val);
	u64 (*hypercall)(u64 control, void *input, void *output);
	u64 (*fast_hypercall8)(u16 code, u64 input);
	void *(*input_page)(void);
	u32 (*vp_index)(unsigned int cpu);
	u64 (*ref_time)(void);
	void (*set_callback)(void (*fn)(void));
	void (*clear_callback)(void);
	void (*timer_message)(void);
	u8 vector;
	u32 hints;
	u32 features;
	bool real;
};

/* The "hyperv" ops; they act on the platform given to the calls below. */
extern struct hvcore_backend_ops hvcore_hv_ops;

void hvcore_hv_set_platform(const struct hvcore_hv_platform *plat);
int hvcore_hv_register(const struct hvcore_hv_platform *plat);
void hvcore_hv_unregister(void);
bool hvcore_hv_is_real(void);

/* No CONFIG_HYPERV: the built-in x86 layer's platform (hyperv_x86.c). */
void hvcore_hvx_platform_init(struct hvcore_hv_platform *plat);

#if IS_ENABLED(CONFIG_HYPERV) || IS_ENABLED(CONFIG_HVGUEST_X86)
void hvcore_hyperv_init(void);
void hvcore_hyperv_exit(void);
#else
/* No Hyper-V code in this kernel: only simulated backends exist. */
static inline void hvcore_hyperv_init(void)
{
}

static inline void hvcore_hyperv_exit(void)
{
}
#endif

#endif /* _HVCORE_HYPERV_H */
