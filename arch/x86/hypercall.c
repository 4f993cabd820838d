// SPDX-License-Identifier: GPL-2.0
/*
 * hvx: the primitives every hypervisor access goes through, and the
 * TLFS hypercall conventions built on them.
 *
 * The primitives (CPUID, MSR read and write, the raw call into the
 * hypercall page, running a function on every CPU) are redirected by
 * KUnit static stubs, so the suite checks the exact sequence of MSR
 * writes and hypercall register values without a hypervisor.
 *
 * x64 hypercall registers (TLFS): RCX the control word, RDX the input
 * (a GPA for the slow form, data for the fast one), R8 the output GPA
 * (or the second input qword of a fast call), RAX the status.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/nmi.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <kunit/static_stub.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/page.h>
#include <asm/processor.h>
#include "hvx_internal.h"

/* The status of a hypercall made while there is no hypercall page. */
#define HVX_STATUS_NO_PAGE	U64_MAX

/**
 * hvx_cpuid() - read a CPUID leaf.
 * @leaf: the leaf (subleaf 0).
 * @eax: EAX out.
 * @ebx: EBX out.
 * @ecx: ECX out.
 * @edx: EDX out.
 *
 * The hypervisor range (0x40000000 and up) reads as zero on a CPU that
 * reports no hypervisor: there it may echo a basic leaf instead.
 *
 * Context: any.
 */
void hvx_cpuid(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	KUNIT_STATIC_STUB_REDIRECT(hvx_cpuid, leaf, eax, ebx, ecx, edx);

	if (leaf >= HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS &&
	    !boot_cpu_has(X86_FEATURE_HYPERVISOR)) {
		*eax = 0;
		*ebx = 0;
		*ecx = 0;
		*edx = 0;
		return;
	}
	cpuid(leaf, eax, ebx, ecx, edx);
}
EXPORT_SYMBOL_GPL(hvx_cpuid);

/**
 * hvx_rdmsr() - read a synthetic MSR of this CPU.
 * @msr: the MSR number (HV_X64_MSR_*).
 *
 * Context: any; the caller stays on the CPU whose MSR it wants.
 * Return: the MSR's value.
 */
u64 hvx_rdmsr(u32 msr)
{
	u64 val;

	KUNIT_STATIC_STUB_REDIRECT(hvx_rdmsr, msr);

	rdmsrl(msr, val);
	return val;
}
EXPORT_SYMBOL_GPL(hvx_rdmsr);

/**
 * hvx_wrmsr() - write a synthetic MSR of this CPU.
 * @msr: the MSR number (HV_X64_MSR_*).
 * @val: the value.
 *
 * Context: any; the caller stays on the CPU whose MSR it writes.
 */
void hvx_wrmsr(u32 msr, u64 val)
{
	KUNIT_STATIC_STUB_REDIRECT(hvx_wrmsr, msr, val);

	wrmsrl(msr, val);
}
EXPORT_SYMBOL_GPL(hvx_wrmsr);

/**
 * hvx_hypercall_raw() - call into the hypercall page.
 * @control: the control word (RCX).
 * @rdx: RDX: the input GPA, or the first input qword of a fast call.
 * @r8: R8: the output GPA, or the second input qword of a fast call.
 *
 * Context: any; the input and output pages, if any, stay put.
 * Return: the status word (RAX), or U64_MAX when there is no hypercall
 * page (not set up, or revoked).
 */
u64 hvx_hypercall_raw(u64 control, u64 rdx, u64 r8)
{
	void *pg = READ_ONCE(hvx_state.hypercall_pg);
	u64 status;

	KUNIT_STATIC_STUB_REDIRECT(hvx_hypercall_raw, control, rdx, r8);

	if (!pg)
		return HVX_STATUS_NO_PAGE;
	{
		register u64 out asm("r8") = r8;

		/*
		 * The page's code follows the calling convention of the
		 * TLFS and may use R9-R11 as scratch.
		 */
		asm volatile(CALL_NOSPEC
			     : "=a" (status), ASM_CALL_CONSTRAINT,
			       "+c" (control), "+d" (rdx), "+r" (out)
			     : THUNK_TARGET(pg)
			     : "cc", "memory", "r9", "r10", "r11");
	}
	return status;
}
EXPORT_SYMBOL_GPL(hvx_hypercall_raw);

/**
 * hvx_each_cpu() - run @fn on every online CPU and wait for it.
 * @fn: the function, called with interrupts disabled.
 * @arg: its argument.
 *
 * With interrupts disabled (an emergency path) only the current CPU
 * runs @fn: no other CPU can be asked to.
 *
 * Context: any but NMI.
 */
void hvx_each_cpu(void (*fn)(void *arg), void *arg)
{
	KUNIT_STATIC_STUB_REDIRECT(hvx_each_cpu, fn, arg);

	if (irqs_disabled()) {
		fn(arg);
		return;
	}
	on_each_cpu(fn, arg, 1);
}
EXPORT_SYMBOL_GPL(hvx_each_cpu);

/*
 * The TLFS wants input and output 8-byte aligned; that they do not cross
 * a page is the caller's (they live in the per-CPU pages).
 */
static bool hvx_hypercall_buf_ok(const void *buf)
{
	unsigned long addr = (unsigned long)buf;

	return IS_ALIGNED(addr, 8);
}

/**
 * hvx_hypercall() - a slow (memory-based) hypercall.
 * @control: the control word: call code, and for rep calls the rep count,
 *	start index and variable header size.
 * @input: the input, in the kernel's linear map (a per-CPU input page),
 *	8-byte aligned, or NULL for none.
 * @output: the output, same rules, or NULL.
 *
 * The GPAs of @input and @output go to the hypervisor.
 *
 * Context: any; usually with interrupts off around the per-CPU page.
 * Return: the status word (HV_HYPERCALL_RESULT_MASK gives the result);
 * HV_STATUS_INVALID_ALIGNMENT without a call for a misaligned buffer.
 */
u64 hvx_hypercall(u64 control, void *input, void *output)
{
	u64 in_pa = input ? virt_to_phys(input) : 0;
	u64 out_pa = output ? virt_to_phys(output) : 0;

	if ((input && !hvx_hypercall_buf_ok(input)) ||
	    (output && !hvx_hypercall_buf_ok(output)))
		return HV_STATUS_INVALID_ALIGNMENT;
	return hvx_hypercall_raw(control, in_pa, out_pa);
}
EXPORT_SYMBOL_GPL(hvx_hypercall);

/**
 * hvx_fast_hypercall8() - a fast hypercall with one input qword.
 * @code: the call code.
 * @input: the input, passed in RDX.
 *
 * Context: any.
 * Return: the status word.
 */
u64 hvx_fast_hypercall8(u16 code, u64 input)
{
	return hvx_hypercall_raw((u64)code | HV_HYPERCALL_FAST_BIT, input, 0);
}
EXPORT_SYMBOL_GPL(hvx_fast_hypercall8);

/**
 * hvx_fast_hypercall16() - a fast hypercall with two input qwords.
 * @code: the call code.
 * @input1: the first qword, in RDX.
 * @input2: the second qword, in R8.
 *
 * Context: any.
 * Return: the status word.
 */
u64 hvx_fast_hypercall16(u16 code, u64 input1, u64 input2)
{
	return hvx_hypercall_raw((u64)code | HV_HYPERCALL_FAST_BIT, input1,
				 input2);
}
EXPORT_SYMBOL_GPL(hvx_fast_hypercall16);

/**
 * hvx_rep_hypercall() - a slow rep hypercall, run to completion.
 * @code: the call code.
 * @rep_count: the number of elements (at most 4095).
 * @varhead_size: the variable header size, in qwords (at most 1023).
 * @input: the input: fixed header, variable header, then the elements.
 * @output: the output elements, or NULL.
 *
 * The hypervisor may return before every element is done; the call is
 * then made again from the first element not done (the rep start index),
 * until all are.  A reply that claims no progress or more elements than
 * asked ends the loop with HV_STATUS_INVALID_PARAMETER and the elements
 * done so far: the hypervisor is not trusted to stop it.
 *
 * Context: any; the watchdog is touched between the calls.
 * Return: the last status word; its rep-complete field (bits 43:32) is
 * the number of elements done.
 */
u64 hvx_rep_hypercall(u16 code, u16 rep_count, u16 varhead_size,
		      void *input, void *output)
{
	u64 control = code;
	u64 status;
	u32 done = 0;
	u32 reps;

	if (rep_count > FIELD_MAX(HV_HYPERCALL_REP_COMP_MASK) ||
	    varhead_size > FIELD_MAX(HV_HYPERCALL_VARHEAD_MASK))
		return HV_STATUS_INVALID_PARAMETER;

	control |= FIELD_PREP(HV_HYPERCALL_VARHEAD_MASK, varhead_size);
	control |= FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, rep_count);
	for (;;) {
		status = hvx_hypercall(control, input, output);
		if ((status & HV_HYPERCALL_RESULT_MASK) != HV_STATUS_SUCCESS)
			return status;
		reps = FIELD_GET(HV_HYPERCALL_REP_COMP_MASK, status);
		if (reps == rep_count)
			return status;
		if (reps <= done || reps > rep_count) {
			pr_warn_ratelimited("hypercall %#x: %u of %u reps done after %u\n",
					    code, reps, rep_count, done);
			return HV_STATUS_INVALID_PARAMETER |
			       FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, done);
		}
		done = reps;
		control &= ~HV_HYPERCALL_REP_START_MASK;
		control |= FIELD_PREP(HV_HYPERCALL_REP_START_MASK, done);
		touch_nmi_watchdog();
	}
}
EXPORT_SYMBOL_GPL(hvx_rep_hypercall);

/**
 * hvx_status_to_errno() - the errno of a hypercall status word.
 * @status: the status word; only bits 15:0 (the result) count.
 *
 * Context: any.
 * Return: 0 for success, -EAGAIN when the hypervisor lacks memory or
 * buffers for now, -EINVAL for bad input, -EACCES when the partition may
 * not make the call, -EOPNOTSUPP for an unknown call, -ENXIO for an
 * unknown port or connection, -ETIMEDOUT, or -EIO for anything else.
 */
int hvx_status_to_errno(u64 status)
{
	switch (status & HV_HYPERCALL_RESULT_MASK) {
	case HV_STATUS_SUCCESS:
		return 0;
	case HV_STATUS_INSUFFICIENT_MEMORY:
	case HV_STATUS_INSUFFICIENT_BUFFERS:
		return -EAGAIN;
	case HV_STATUS_INVALID_HYPERCALL_INPUT:
	case HV_STATUS_INVALID_ALIGNMENT:
	case HV_STATUS_INVALID_PARAMETER:
		return -EINVAL;
	case HV_STATUS_ACCESS_DENIED:
	case HV_STATUS_OPERATION_DENIED:
		return -EACCES;
	case HV_STATUS_INVALID_HYPERCALL_CODE:
		return -EOPNOTSUPP;
	case HV_STATUS_INVALID_PORT_ID:
	case HV_STATUS_INVALID_CONNECTION_ID:
		return -ENXIO;
	case HV_STATUS_TIME_OUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}
EXPORT_SYMBOL_GPL(hvx_status_to_errno);
