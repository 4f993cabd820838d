/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx: hvguest's built-in x86 Hyper-V layer (arch/x86), for kernels built
 * without CONFIG_HYPERV.  It does at boot what such a kernel lacks:
 * detection by CPUID, the guest OS ID, the hypercall page and the calling
 * conventions, per-CPU hypercall pages and VP indexes, the interrupt
 * vector of the VMBus SINT, the crash MSRs and the revocation of every
 * page shared with the hypervisor before kexec and on crash.  hvcore
 * (hvcore/hyperv_x86.c) makes a "hyperv" platform of it.
 *
 * Every access to the hypervisor goes through four primitives, hvx_cpuid(),
 * hvx_rdmsr(), hvx_wrmsr() and hvx_hypercall_raw(), which KUnit redirects
 * with static stubs (kunit/hv_arch_test.c).
 */
#ifndef _HVGUEST_HVX_H
#define _HVGUEST_HVX_H

#include <linux/types.h>
#include <asm/hyperv-tlfs.h>
#include <asm/irq_vectors.h>

struct pt_regs;

/**
 * struct hvx_info - what CPUID said about the hypervisor.
 * @max_leaf: the highest hypervisor CPUID leaf (0x40000000 EAX).
 * @features: partition features, 0x40000003 EAX (HV_MSR_*_AVAILABLE).
 * @privileges: partition privileges, 0x40000003 EBX (HV_POST_MESSAGES...).
 * @misc: miscellaneous features, 0x40000003 EDX
 *	(HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE...).
 * @hints: implementation recommendations, 0x40000004 EAX.
 */
struct hvx_info {
	u32 max_leaf;
	u32 features;
	u32 privileges;
	u32 misc;
	u32 hints;
};

/* What hvx needs, 0x40000003 EAX and EBX. */
#define HVX_NEEDED_FEATURES	(HV_MSR_HYPERCALL_AVAILABLE | \
				 HV_MSR_VP_INDEX_AVAILABLE | \
				 HV_MSR_SYNIC_AVAILABLE | \
				 HV_MSR_TIME_REF_COUNT_AVAILABLE)
#define HVX_NEEDED_PRIVILEGES	(HV_POST_MESSAGES | HV_SIGNAL_EVENTS)

/* "Hv#1", 0x40000001 EAX: the interface the TLFS describes. */
#define HVX_INTERFACE_SIGNATURE	0x31237648

/* Primitives (static-stub points). */
void hvx_cpuid(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);
u64 hvx_rdmsr(u32 msr);
void hvx_wrmsr(u32 msr, u64 val);
u64 hvx_hypercall_raw(u64 control, u64 rdx, u64 r8);
void hvx_each_cpu(void (*fn)(void *arg), void *arg);

/* Detection and the partition-wide setup. */
int hvx_detect(struct hvx_info *info);
u64 hvx_guest_os_id(void);
int hvx_hypercall_page_setup(void);
void hvx_hypercall_page_teardown(void);
bool hvx_ready(void);
const struct hvx_info *hvx_get_info(void);

/* Calling conventions. */
u64 hvx_hypercall(u64 control, void *input, void *output);
u64 hvx_fast_hypercall8(u16 code, u64 input);
u64 hvx_fast_hypercall16(u16 code, u64 input1, u64 input2);
u64 hvx_rep_hypercall(u16 code, u16 rep_count, u16 varhead_size,
		      void *input, void *output);
int hvx_status_to_errno(u64 status);

/* Per-CPU state. */
int hvx_cpu_online(unsigned int cpu);
void *hvx_input_page(void);
void *hvx_output_page(void);
u32 hvx_vp_index(unsigned int cpu);
u64 hvx_ref_time(void);

/* The SynIC interrupt vector. */
#define HVX_SINT_VECTOR		X86_PLATFORM_IPI_VECTOR
void hvx_set_callback(void (*fn)(void));
void hvx_clear_callback(void);

/* Crash, kexec and revocation. */
void hvx_report_crash(long code, struct pt_regs *regs);
void hvx_revoke_cpu(void *unused);
void hvx_revoke_partition(void);
void hvx_revoke_all(void);
void hvx_set_shutdown_hooks(void (*kexec)(void), void (*crash)(void));

#endif /* _HVGUEST_HVX_H */
