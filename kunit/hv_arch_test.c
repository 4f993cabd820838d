// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hvx, the built-in x86 Hyper-V layer (arch/x86), against a fake
 * hypervisor: KUnit static stubs replace its four primitives with a CPUID
 * table, a file of MSRs that logs every write in order, and a hypercall
 * that records its registers and answers with programmed status words;
 * "every CPU" is two runs on the test's CPU.
 *
 * The suite saves hvx's state and restores it: in the KUnit VM (QEMU TCG,
 * no Hyper-V) that state is empty, hvx did not register anything.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kdebug.h>
#include <linux/mm.h>
#include <linux/panic.h>
#include <linux/string.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <asm/ptrace.h>
#include "../arch/x86/hvx_internal.h"
#include "../hvcore/hyperv.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define FAKE_MSRS	48
#define FAKE_LOG	96
#define FAKE_CALLS	8
#define FAKE_LEAVES	6
#define FAKE_CPUS	2U
#define FAKE_VP		7U

#define FULL_FEATURES	(HVX_NEEDED_FEATURES | HV_MSR_SYNTIMER_AVAILABLE | \
			 HV_MSR_REFERENCE_TSC_AVAILABLE)
#define FULL_PRIVS	HVX_NEEDED_PRIVILEGES
#define FULL_MISC	HV_FEATURE_GUEST_CRASH_MSR_AVAILABLE
#define FULL_HINTS	0x24U

struct fake_write {
	u32 reg;
	u64 val;
};

struct fake_call {
	u64 control;
	u64 rdx;
	u64 r8;
};

struct hv_arch_fake {
	struct kunit *test;
	u32 cpuid[FAKE_LEAVES][4];

	u32 msr_reg[FAKE_MSRS];
	u64 msr_val[FAKE_MSRS];
	unsigned int nr_msrs;
	u64 spare;
	u32 sticky;		/* writes to this MSR do not take */
	struct fake_write log[FAKE_LOG];
	unsigned int nr_writes;

	struct fake_call calls[FAKE_CALLS];
	unsigned int nr_calls;
	u64 status[FAKE_CALLS];
	u8 input_copy[sizeof(struct hvcore_hv_post_input)];

	unsigned int cpu_runs;
	unsigned int callbacks;
};

static struct hv_arch_fake *fk;
static struct hvx_state saved_state;
static struct hvx_pcpu *saved_pcpu;
static int saved_crash_reported;

/* Fakes may run with interrupts off: they never abort the test. */
static u64 *fake_msr(u32 reg)
{
	unsigned int i;

	for (i = 0; i < fk->nr_msrs; i++)
		if (fk->msr_reg[i] == reg)
			return &fk->msr_val[i];
	if (fk->nr_msrs == FAKE_MSRS) {
		KUNIT_FAIL(fk->test, "MSR file full at %#x", reg);
		return &fk->spare;
	}
	fk->msr_reg[fk->nr_msrs] = reg;
	fk->msr_val[fk->nr_msrs] = 0;
	return &fk->msr_val[fk->nr_msrs++];
}

static void fake_cpuid(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	u32 i = leaf - HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS;
	u32 none[4] = {};
	u32 *r = none;

	if (leaf >= HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS && i < FAKE_LEAVES)
		r = fk->cpuid[i];
	*eax = r[0];
	*ebx = r[1];
	*ecx = r[2];
	*edx = r[3];
}

static u64 fake_rdmsr(u32 msr)
{
	return *fake_msr(msr);
}

static void fake_wrmsr(u32 msr, u64 val)
{
	if (fk->nr_writes == FAKE_LOG) {
		KUNIT_FAIL(fk->test, "MSR write log full at %#x", msr);
		return;
	}
	fk->log[fk->nr_writes].reg = msr;
	fk->log[fk->nr_writes].val = val;
	fk->nr_writes++;
	if (msr != fk->sticky)
		*fake_msr(msr) = val;
}

static u64 fake_hypercall_raw(u64 control, u64 rdx, u64 r8)
{
	unsigned int i = fk->nr_calls;

	if (i == FAKE_CALLS) {
		KUNIT_FAIL(fk->test, "too many hypercalls");
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	fk->calls[i] = (struct fake_call){ control, rdx, r8 };
	fk->nr_calls++;
	if (!(control & HV_HYPERCALL_FAST_BIT) && rdx)
		memcpy(fk->input_copy, phys_to_virt(rdx),
		       sizeof(fk->input_copy));
	return fk->status[i];
}

static void fake_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < FAKE_CPUS; i++) {
		fk->cpu_runs++;
		local_irq_disable();
		fn(arg);
		local_irq_enable();
	}
}

static void fake_hyperv_cpuid(void)
{
	/* "Microsoft Hv" in EBX, ECX, EDX. */
	static const char vendor[12] = "Microsoft Hv";

	fk->cpuid[0][0] = HYPERV_CPUID_IMPLEMENT_LIMITS;
	memcpy(&fk->cpuid[0][1], vendor, 4);
	memcpy(&fk->cpuid[0][2], vendor + 4, 4);
	memcpy(&fk->cpuid[0][3], vendor + 8, 4);
	fk->cpuid[1][0] = HVX_INTERFACE_SIGNATURE;
	fk->cpuid[3][0] = FULL_FEATURES;
	fk->cpuid[3][1] = FULL_PRIVS;
	fk->cpuid[3][3] = FULL_MISC;
	fk->cpuid[4][0] = FULL_HINTS;
}

static int hv_arch_init(struct kunit *test)
{
	unsigned int cpu;

	fk = kunit_kzalloc(test, sizeof(*fk), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fk);
	fk->test = test;
	fake_hyperv_cpuid();

	saved_pcpu = kunit_kcalloc(test, nr_cpu_ids, sizeof(*saved_pcpu),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, saved_pcpu);
	for_each_possible_cpu(cpu)
		saved_pcpu[cpu] = per_cpu(hvx_pcpu, cpu);
	saved_state = hvx_state;
	saved_crash_reported = atomic_read(&hvx_crash_reported);

	memset(&hvx_state, 0, sizeof(hvx_state));
	hvx_state.info = (struct hvx_info){
		.max_leaf = HYPERV_CPUID_IMPLEMENT_LIMITS,
		.features = FULL_FEATURES,
		.privileges = FULL_PRIVS,
		.misc = FULL_MISC,
		.hints = FULL_HINTS,
	};
	atomic_set(&hvx_crash_reported, 0);

	kunit_activate_static_stub(test, hvx_cpuid, fake_cpuid);
	kunit_activate_static_stub(test, hvx_rdmsr, fake_rdmsr);
	kunit_activate_static_stub(test, hvx_wrmsr, fake_wrmsr);
	kunit_activate_static_stub(test, hvx_hypercall_raw,
				   fake_hypercall_raw);
	kunit_activate_static_stub(test, hvx_each_cpu, fake_each_cpu);
	return 0;
}

static void hv_arch_exit(struct kunit *test)
{
	unsigned int cpu;

	/* A page a failed test left behind; no MSR is touched here. */
	if (hvx_state.hypercall_pg &&
	    hvx_state.hypercall_pg != saved_state.hypercall_pg &&
	    is_vmalloc_addr(hvx_state.hypercall_pg))
		vfree(hvx_state.hypercall_pg);
	for_each_possible_cpu(cpu) {
		struct hvx_pcpu *pcpu = per_cpu_ptr(&hvx_pcpu, cpu);

		if (pcpu->input && pcpu->input != saved_pcpu[cpu].input)
			free_pages((unsigned long)pcpu->input, 1);
		*pcpu = saved_pcpu[cpu];
	}
	hvx_state = saved_state;
	atomic_set(&hvx_crash_reported, saved_crash_reported);
	hvcore_hv_set_platform(NULL);
	fk = NULL;
}

static void expect_write(struct kunit *test, unsigned int i, u32 reg,
			 u64 val)
{
	KUNIT_ASSERT_LT(test, i, fk->nr_writes);
	KUNIT_EXPECT_EQ_MSG(test, fk->log[i].reg, reg, "write %u", i);
	KUNIT_EXPECT_EQ_MSG(test, fk->log[i].val, val, "write %u", i);
}

/* --- detection ---------------------------------------------------------- */

static void hv_arch_detect_ok(struct kunit *test)
{
	struct hvx_info info;

	KUNIT_ASSERT_EQ(test, hvx_detect(&info), 0);
	KUNIT_EXPECT_EQ(test, info.max_leaf, HYPERV_CPUID_IMPLEMENT_LIMITS);
	KUNIT_EXPECT_EQ(test, info.features, (u32)FULL_FEATURES);
	KUNIT_EXPECT_EQ(test, info.privileges, (u32)FULL_PRIVS);
	KUNIT_EXPECT_EQ(test, info.misc, (u32)FULL_MISC);
	KUNIT_EXPECT_EQ(test, info.hints, FULL_HINTS);
	/* Detection reads CPUID only. */
	KUNIT_EXPECT_EQ(test, fk->nr_writes, 0U);
	KUNIT_EXPECT_EQ(test, fk->nr_msrs, 0U);
}

static void hv_arch_detect_other_hypervisor(struct kunit *test)
{
	static const char kvm[12] = "KVMKVMKVM\0\0\0";
	struct hvx_info info;

	memcpy(&fk->cpuid[0][1], kvm, 4);
	memcpy(&fk->cpuid[0][2], kvm + 4, 4);
	memcpy(&fk->cpuid[0][3], kvm + 8, 4);
	KUNIT_EXPECT_EQ(test, hvx_detect(&info), -ENODEV);
	KUNIT_EXPECT_EQ(test, info.features, 0U);

	/* No hypervisor at all: the leaves read as zero. */
	memset(fk->cpuid, 0, sizeof(fk->cpuid));
	KUNIT_EXPECT_EQ(test, hvx_detect(&info), -ENODEV);
}

static void hv_arch_detect_bad_leaves(struct kunit *test)
{
	struct hvx_info info;

	fk->cpuid[0][0] = HYPERV_CPUID_MIN - 1;
	KUNIT_EXPECT_EQ(test, hvx_detect(&info), -ENODEV);
	fk->cpuid[0][0] = HYPERV_CPUID_MAX + 1;
	KUNIT_EXPECT_EQ(test, hvx_detect(&info), -ENODEV);

	fk->cpuid[0][0] = HYPERV_CPUID_MIN;
	fk->cpuid[1][0] = 0x30237648;	/* "Hv#0" */
	KUNIT_EXPECT_EQ(test, hvx_detect(&info), -ENODEV);
	fk->cpuid[1][0] = HVX_INTERFACE_SIGNATURE;
	KUNIT_EXPECT_EQ(test, hvx_detect(&info), 0);
}

/* Each feature and privilege hvx needs, taken away one at a time. */
static void hv_arch_detect_missing(struct kunit *test)
{
	static const struct {
		unsigned int reg;	/* 0 EAX features, 1 EBX privileges */
		u32 bit;
	} needed[] = {
		{ 0, HV_MSR_HYPERCALL_AVAILABLE },
		{ 0, HV_MSR_VP_INDEX_AVAILABLE },
		{ 0, HV_MSR_SYNIC_AVAILABLE },
		{ 0, HV_MSR_TIME_REF_COUNT_AVAILABLE },
		{ 1, HV_POST_MESSAGES },
		{ 1, HV_SIGNAL_EVENTS },
	};
	struct hvx_info info;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(needed); i++) {
		fake_hyperv_cpuid();
		fk->cpuid[3][needed[i].reg] &= ~needed[i].bit;
		KUNIT_EXPECT_EQ_MSG(test, hvx_detect(&info), -EOPNOTSUPP,
				    "without %u:%#x", needed[i].reg,
				    needed[i].bit);
	}

	/* Neither the crash MSRs nor the timers are needed. */
	fake_hyperv_cpuid();
	fk->cpuid[3][0] &= ~(HV_MSR_SYNTIMER_AVAILABLE |
			     HV_MSR_REFERENCE_TSC_AVAILABLE);
	fk->cpuid[3][3] = 0;
	KUNIT_EXPECT_EQ(test, hvx_detect(&info), 0);

	/* An isolated (confidential) partition is refused. */
	fake_hyperv_cpuid();
	fk->cpuid[3][1] |= HVX_PRIV_ISOLATION;
	KUNIT_EXPECT_EQ(test, hvx_detect(&info), -EOPNOTSUPP);
}

/* --- guest OS ID and the hypercall page ----------------------------------- */

static void hv_arch_guest_os_id(struct kunit *test)
{
	u64 id = hvx_guest_os_id();

	KUNIT_EXPECT_EQ(test, id >> 63, 1ULL);		/* open source */
	KUNIT_EXPECT_EQ(test, (id >> 56) & 0x7f, 1ULL);	/* Linux */
	KUNIT_EXPECT_EQ(test, (id >> 48) & 0xff, 0ULL);
	KUNIT_EXPECT_EQ(test, (id >> 32) & 0xffff, (u64)LINUX_VERSION_MAJOR);
	KUNIT_EXPECT_EQ(test, (id >> 24) & 0xff, (u64)LINUX_VERSION_PATCHLEVEL);
	KUNIT_EXPECT_EQ(test, (id >> 16) & 0xff,
			(u64)min(LINUX_VERSION_SUBLEVEL, 255));
	KUNIT_EXPECT_EQ(test, id & 0xffff, 0ULL);
}

#define HC_RSVD		0x004ULL	/* a reserved bit (1-11) */

static void hv_arch_hypercall_page(struct kunit *test)
{
	u64 pfn;

	*fake_msr(HV_X64_MSR_HYPERCALL) = HC_RSVD | 0x555000ULL;
	KUNIT_ASSERT_EQ(test, hvx_hypercall_page_setup(), 0);
	KUNIT_ASSERT_NOT_NULL(test, hvx_state.hypercall_pg);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(hvx_state.hypercall_pg));
	pfn = vmalloc_to_pfn(hvx_state.hypercall_pg);

	/* The guest OS ID first, then the page with the enable bit. */
	KUNIT_ASSERT_EQ(test, fk->nr_writes, 2U);
	expect_write(test, 0, HV_X64_MSR_GUEST_OS_ID, hvx_guest_os_id());
	expect_write(test, 1, HV_X64_MSR_HYPERCALL,
		     pfn << HV_HYP_PAGE_SHIFT | HC_RSVD | 1);

	/* Calls reach the page's code (the stub here). */
	KUNIT_EXPECT_EQ(test, hvx_fast_hypercall8(HVCALL_SIGNAL_EVENT, 1), 0ULL);
	KUNIT_EXPECT_EQ(test, fk->nr_calls, 1U);

	/* Teardown in reverse: the page, then the guest OS ID. */
	hvx_hypercall_page_teardown();
	KUNIT_EXPECT_NULL(test, hvx_state.hypercall_pg);
	KUNIT_ASSERT_EQ(test, fk->nr_writes, 4U);
	expect_write(test, 2, HV_X64_MSR_HYPERCALL, HC_RSVD);
	expect_write(test, 3, HV_X64_MSR_GUEST_OS_ID, 0);

	/* Twice is harmless. */
	hvx_hypercall_page_teardown();
	KUNIT_EXPECT_EQ(test, fk->nr_writes, 4U);
}

/* A hypervisor that does not take the page leaves nothing set up. */
static void hv_arch_hypercall_page_refused(struct kunit *test)
{
	fk->sticky = HV_X64_MSR_HYPERCALL;
	KUNIT_EXPECT_EQ(test, hvx_hypercall_page_setup(), -EIO);
	KUNIT_EXPECT_NULL(test, hvx_state.hypercall_pg);
	KUNIT_ASSERT_EQ(test, fk->nr_writes, 4U);
	expect_write(test, 0, HV_X64_MSR_GUEST_OS_ID, hvx_guest_os_id());
	KUNIT_EXPECT_EQ(test, fk->log[1].reg, (u32)HV_X64_MSR_HYPERCALL);
	KUNIT_EXPECT_EQ(test, fk->log[1].val & 1, 1ULL);
	expect_write(test, 2, HV_X64_MSR_HYPERCALL, 0);
	expect_write(test, 3, HV_X64_MSR_GUEST_OS_ID, 0);
}

/* --- calling conventions ---------------------------------------------- */

static void hv_arch_slow_hypercall(struct kunit *test)
{
	u64 *in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	u64 *out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	fk->status[0] = HV_STATUS_INVALID_CONNECTION_ID;
	KUNIT_EXPECT_EQ(test, hvx_hypercall(HVCALL_POST_MESSAGE, in, out),
			(u64)HV_STATUS_INVALID_CONNECTION_ID);
	KUNIT_ASSERT_EQ(test, fk->nr_calls, 1U);
	/* Slow: no fast bit, GPAs in RDX and R8. */
	KUNIT_EXPECT_EQ(test, fk->calls[0].control, (u64)HVCALL_POST_MESSAGE);
	KUNIT_EXPECT_EQ(test, fk->calls[0].rdx, (u64)virt_to_phys(in));
	KUNIT_EXPECT_EQ(test, fk->calls[0].r8, (u64)virt_to_phys(out));

	KUNIT_EXPECT_EQ(test, hvx_hypercall(HVCALL_POST_MESSAGE, NULL, NULL),
			0ULL);
	KUNIT_EXPECT_EQ(test, fk->calls[1].rdx, 0ULL);
	KUNIT_EXPECT_EQ(test, fk->calls[1].r8, 0ULL);

	/* Misaligned buffers never reach the hypervisor. */
	KUNIT_EXPECT_EQ(test, hvx_hypercall(HVCALL_POST_MESSAGE,
					    (u8 *)in + 4, NULL),
			(u64)HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, hvx_hypercall(HVCALL_POST_MESSAGE, in,
					    (u8 *)out + 1),
			(u64)HV_STATUS_INVALID_ALIGNMENT);
	KUNIT_EXPECT_EQ(test, fk->nr_calls, 2U);
}

static void hv_arch_fast_hypercall(struct kunit *test)
{
	fk->status[1] = HV_STATUS_INVALID_PORT_ID;
	KUNIT_EXPECT_EQ(test, hvx_fast_hypercall8(HVCALL_SIGNAL_EVENT,
						  0x123456789aULL), 0ULL);
	KUNIT_EXPECT_EQ(test, hvx_fast_hypercall16(0x0099, 1, 2),
			(u64)HV_STATUS_INVALID_PORT_ID);
	KUNIT_ASSERT_EQ(test, fk->nr_calls, 2U);
	KUNIT_EXPECT_EQ(test, fk->calls[0].control,
			(u64)HVCALL_SIGNAL_EVENT | BIT_ULL(16));
	KUNIT_EXPECT_EQ(test, fk->calls[0].rdx, 0x123456789aULL);
	KUNIT_EXPECT_EQ(test, fk->calls[0].r8, 0ULL);
	KUNIT_EXPECT_EQ(test, fk->calls[1].control, 0x0099ULL | BIT_ULL(16));
	KUNIT_EXPECT_EQ(test, fk->calls[1].rdx, 1ULL);
	KUNIT_EXPECT_EQ(test, fk->calls[1].r8, 2ULL);
}

static u64 reps_done(u64 result, u64 reps)
{
	return result | reps << 32;
}

/* The control word: code 15:0, varhead 26:17, count 43:32, start 59:48. */
static u64 rep_control(u16 code, u64 varhead, u64 count, u64 start)
{
	return code | varhead << 17 | count << 32 | start << 48;
}

static void hv_arch_rep_hypercall_one_go(struct kunit *test)
{
	u64 *in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	u64 *out = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_ASSERT_NOT_NULL(test, out);
	fk->status[0] = reps_done(HV_STATUS_SUCCESS, 7);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_GET_VP_REGISTERS, 7, 2,
						in, out),
			reps_done(HV_STATUS_SUCCESS, 7));
	KUNIT_ASSERT_EQ(test, fk->nr_calls, 1U);
	KUNIT_EXPECT_EQ(test, fk->calls[0].control,
			rep_control(HVCALL_GET_VP_REGISTERS, 2, 7, 0));
	KUNIT_EXPECT_EQ(test, fk->calls[0].rdx, (u64)virt_to_phys(in));
	KUNIT_EXPECT_EQ(test, fk->calls[0].r8, (u64)virt_to_phys(out));
}

/* Partial completion: the call is made again from the first rep not done. */
static void hv_arch_rep_hypercall_continue(struct kunit *test)
{
	u64 *in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	fk->status[0] = reps_done(HV_STATUS_SUCCESS, 3);
	fk->status[1] = reps_done(HV_STATUS_SUCCESS, 4);
	fk->status[2] = reps_done(HV_STATUS_SUCCESS, 1000);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_SET_VP_REGISTERS, 1000,
						0, in, NULL),
			reps_done(HV_STATUS_SUCCESS, 1000));
	KUNIT_ASSERT_EQ(test, fk->nr_calls, 3U);
	KUNIT_EXPECT_EQ(test, fk->calls[0].control,
			rep_control(HVCALL_SET_VP_REGISTERS, 0, 1000, 0));
	KUNIT_EXPECT_EQ(test, fk->calls[1].control,
			rep_control(HVCALL_SET_VP_REGISTERS, 0, 1000, 3));
	KUNIT_EXPECT_EQ(test, fk->calls[2].control,
			rep_control(HVCALL_SET_VP_REGISTERS, 0, 1000, 4));
}

/* An error mid-way ends the loop with the hypervisor's status. */
static void hv_arch_rep_hypercall_error(struct kunit *test)
{
	u64 *in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	fk->status[0] = reps_done(HV_STATUS_SUCCESS, 2);
	fk->status[1] = reps_done(HV_STATUS_INVALID_PARAMETER, 4);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_SET_VP_REGISTERS, 9, 1,
						in, NULL),
			reps_done(HV_STATUS_INVALID_PARAMETER, 4));
	KUNIT_EXPECT_EQ(test, fk->nr_calls, 2U);
	KUNIT_EXPECT_EQ(test, fk->calls[1].control,
			rep_control(HVCALL_SET_VP_REGISTERS, 1, 9, 2));
}

/* A hypervisor that claims no progress, or too much, does not loop us. */
static void hv_arch_rep_hypercall_bogus(struct kunit *test)
{
	u64 *in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	fk->status[0] = reps_done(HV_STATUS_SUCCESS, 2);
	fk->status[1] = reps_done(HV_STATUS_SUCCESS, 2);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_SET_VP_REGISTERS, 5, 0,
						in, NULL),
			reps_done(HV_STATUS_INVALID_PARAMETER, 2));
	KUNIT_EXPECT_EQ(test, fk->nr_calls, 2U);

	fk->nr_calls = 0;
	fk->status[0] = reps_done(HV_STATUS_SUCCESS, 0);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_SET_VP_REGISTERS, 5, 0,
						in, NULL),
			reps_done(HV_STATUS_INVALID_PARAMETER, 0));
	KUNIT_EXPECT_EQ(test, fk->nr_calls, 1U);

	fk->nr_calls = 0;
	fk->status[0] = reps_done(HV_STATUS_SUCCESS, 6);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_SET_VP_REGISTERS, 5, 0,
						in, NULL),
			reps_done(HV_STATUS_INVALID_PARAMETER, 0));
	KUNIT_EXPECT_EQ(test, fk->nr_calls, 1U);
}

static void hv_arch_rep_hypercall_bad_args(struct kunit *test)
{
	u64 *in = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, in);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_SET_VP_REGISTERS,
						4096, 0, in, NULL),
			(u64)HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_SET_VP_REGISTERS,
						1, 1024, in, NULL),
			(u64)HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, fk->nr_calls, 0U);

	/* The largest fields fit. */
	fk->status[0] = reps_done(HV_STATUS_SUCCESS, 4095);
	KUNIT_EXPECT_EQ(test, hvx_rep_hypercall(HVCALL_SET_VP_REGISTERS,
						4095, 1023, in, NULL),
			reps_done(HV_STATUS_SUCCESS, 4095));
	KUNIT_EXPECT_EQ(test, fk->calls[0].control,
			rep_control(HVCALL_SET_VP_REGISTERS, 1023, 4095, 0));
}

/* Without a hypercall page the real call fails without calling. */
static void hv_arch_no_hypercall_page(struct kunit *test)
{
	u64 status;

	kunit_deactivate_static_stub(test, hvx_hypercall_raw);
	KUNIT_ASSERT_NULL(test, hvx_state.hypercall_pg);
	status = hvx_fast_hypercall8(HVCALL_SIGNAL_EVENT, 0);
	KUNIT_EXPECT_NE(test, status & HV_HYPERCALL_RESULT_MASK,
			(u64)HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hvx_status_to_errno(status), -EIO);
}

static void hv_arch_status_errno(struct kunit *test)
{
	static const struct {
		u16 status;
		int err;
	} cases[] = {
		{ HV_STATUS_SUCCESS, 0 },
		{ HV_STATUS_INVALID_HYPERCALL_CODE, -EOPNOTSUPP },
		{ HV_STATUS_INVALID_HYPERCALL_INPUT, -EINVAL },
		{ HV_STATUS_INVALID_ALIGNMENT, -EINVAL },
		{ HV_STATUS_INVALID_PARAMETER, -EINVAL },
		{ HV_STATUS_ACCESS_DENIED, -EACCES },
		{ HV_STATUS_OPERATION_DENIED, -EACCES },
		{ HV_STATUS_INSUFFICIENT_MEMORY, -EAGAIN },
		{ HV_STATUS_INSUFFICIENT_BUFFERS, -EAGAIN },
		{ HV_STATUS_INVALID_PORT_ID, -ENXIO },
		{ HV_STATUS_INVALID_CONNECTION_ID, -ENXIO },
		{ HV_STATUS_TIME_OUT, -ETIMEDOUT },
		{ 0x7777, -EIO },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* The rep-complete bits do not change the result. */
		KUNIT_EXPECT_EQ_MSG(test,
				    hvx_status_to_errno(reps_done(cases[i].status,
								  5)),
				    cases[i].err, "status %#x",
				    cases[i].status);
	}
}

/* --- per-CPU state ------------------------------------------------------ */

static void hv_arch_cpu_online(struct kunit *test)
{
	unsigned int cpu = raw_smp_processor_id();
	struct hvx_pcpu *pcpu = per_cpu_ptr(&hvx_pcpu, cpu);

	*fake_msr(HV_X64_MSR_VP_INDEX) = FAKE_VP;
	KUNIT_ASSERT_EQ(test, hvx_cpu_online(cpu), 0);
	KUNIT_EXPECT_EQ(test, hvx_vp_index(cpu), FAKE_VP);
	KUNIT_ASSERT_NOT_NULL(test, pcpu->input);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(pcpu->input));
	KUNIT_EXPECT_PTR_EQ(test, pcpu->output, pcpu->input + PAGE_SIZE);

	/* Again (offline, online): the pages stay, the index is reread. */
	*fake_msr(HV_X64_MSR_VP_INDEX) = FAKE_VP + 1;
	KUNIT_ASSERT_EQ(test, hvx_cpu_online(cpu), 0);
	KUNIT_EXPECT_EQ(test, hvx_vp_index(cpu), FAKE_VP + 1);

	/* An index that does not fit is unknown, not truncated. */
	*fake_msr(HV_X64_MSR_VP_INDEX) = BIT_ULL(32) | 3;
	KUNIT_ASSERT_EQ(test, hvx_cpu_online(cpu), 0);
	KUNIT_EXPECT_EQ(test, hvx_vp_index(cpu), U32_MAX);

	KUNIT_EXPECT_EQ(test, fk->nr_writes, 0U);
	*fake_msr(HV_X64_MSR_TIME_REF_COUNT) = 0x123456789ULL;
	KUNIT_EXPECT_EQ(test, hvx_ref_time(), 0x123456789ULL);
}

/* --- hvcore's hyperv.c on the hvx platform ------------------------------- */

static void hv_arch_test_callback(void)
{
	fk->callbacks++;
}

#define SINT2		(HV_X64_MSR_SINT0 + HVCORE_VMBUS_SINT)
#define TEST_MSG_PA	0x12345000ULL
#define TEST_EVENT_PA	0x6789a000ULL

static void hv_arch_hyperv_platform(struct kunit *test)
{
	struct hvcore_synic synic = {
		.msg_pa = TEST_MSG_PA,
		.event_pa = TEST_EVENT_PA,
	};
	struct hvcore_hv_platform *plat;
	const struct hvcore_hv_post_input *in;
	static const u8 payload[5] = { 1, 2, 3, 4, 5 };
	unsigned int cpu;
	void *page;

	plat = kunit_kzalloc(test, sizeof(*plat), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, plat);
	hvx_state.info.hints = 0;	/* automatic EOI not advised against */
	hvcore_hvx_platform_init(plat);
	KUNIT_EXPECT_EQ(test, plat->vector, (u8)X86_PLATFORM_IPI_VECTOR);
	KUNIT_EXPECT_TRUE(test, plat->real);
	hvcore_hv_set_platform(plat);

	*fake_msr(HV_X64_MSR_VP_INDEX) = FAKE_VP;
	for_each_online_cpu(cpu)
		KUNIT_ASSERT_EQ(test, hvx_cpu_online(cpu), 0);

	/* SynIC: pages, SINT2 on the platform vector without AEOI, enable. */
	*fake_msr(SINT2) = BIT_ULL(16);
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.synic_enable(0, &synic), 0);
	KUNIT_ASSERT_EQ(test, fk->nr_writes, 4U);
	expect_write(test, 0, HV_X64_MSR_SIMP, TEST_MSG_PA | 1);
	expect_write(test, 1, HV_X64_MSR_SIEFP, TEST_EVENT_PA | 1);
	expect_write(test, 2, SINT2, X86_PLATFORM_IPI_VECTOR);
	expect_write(test, 3, HV_X64_MSR_SCONTROL, 1);

	hvcore_hv_ops.eom();
	expect_write(test, 4, HV_X64_MSR_EOM, 0);

	/* HvPostMessage: a slow call on this CPU's input page. */
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.post_message(0x2a, 1, payload,
							 sizeof(payload)), 0);
	KUNIT_ASSERT_EQ(test, fk->nr_calls, 1U);
	KUNIT_EXPECT_EQ(test, fk->calls[0].control, (u64)HVCALL_POST_MESSAGE);
	page = phys_to_virt(fk->calls[0].rdx);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(page));
	in = (const void *)fk->input_copy;
	KUNIT_EXPECT_EQ(test, in->connection_id, 0x2aU);
	KUNIT_EXPECT_EQ(test, in->message_type, 1U);
	KUNIT_EXPECT_EQ(test, in->payload_size, 5U);
	KUNIT_EXPECT_EQ(test, memcmp(in->payload, payload, 5), 0);

	/* HvSignalEvent: fast, connection and flag in RDX. */
	fk->status[1] = HV_STATUS_INVALID_CONNECTION_ID;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.signal_event(0x77, 3), -ENXIO);
	KUNIT_EXPECT_EQ(test, fk->calls[1].control,
			(u64)HVCALL_SIGNAL_EVENT | BIT_ULL(16));
	KUNIT_EXPECT_EQ(test, fk->calls[1].rdx, 0x77ULL | 3ULL << 32);

	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.vp_index(0), FAKE_VP);
	*fake_msr(HV_X64_MSR_TIME_REF_COUNT) = 42;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.ref_time(), 42ULL);

	/* The vector's handler reaches hvcore's only while attached. */
	plat->set_callback(hv_arch_test_callback);
	hvx_sint_irq();
	KUNIT_EXPECT_EQ(test, fk->callbacks, 1U);
	plat->clear_callback();
	hvx_sint_irq();
	KUNIT_EXPECT_EQ(test, fk->callbacks, 1U);

	hvcore_hv_ops.synic_disable(0, &synic);
	KUNIT_ASSERT_EQ(test, fk->nr_writes, 9U);
	expect_write(test, 5, SINT2, X86_PLATFORM_IPI_VECTOR | BIT_ULL(16));
	expect_write(test, 6, HV_X64_MSR_SIMP, 0);
	expect_write(test, 7, HV_X64_MSR_SIEFP, 0);
	expect_write(test, 8, HV_X64_MSR_SCONTROL, 0);
}

/* --- crash MSRs ------------------------------------------------------- */

#define TEST_GUEST_ID	0x8100000c0075abcdULL

static void expect_crash(struct kunit *test, unsigned int first, u64 p0,
			 u64 ip, u64 ax, u64 sp)
{
	expect_write(test, first, HV_X64_MSR_CRASH_P0, p0);
	expect_write(test, first + 1, HV_X64_MSR_CRASH_P1, TEST_GUEST_ID);
	expect_write(test, first + 2, HV_X64_MSR_CRASH_P2, ip);
	expect_write(test, first + 3, HV_X64_MSR_CRASH_P3, ax);
	expect_write(test, first + 4, HV_X64_MSR_CRASH_P4, sp);
	expect_write(test, first + 5, HV_X64_MSR_CRASH_CTL,
		     HV_CRASH_CTL_CRASH_NOTIFY);
}

static void hv_arch_crash_panic(struct kunit *test)
{
	*fake_msr(HV_X64_MSR_GUEST_OS_ID) = TEST_GUEST_ID;
	KUNIT_EXPECT_EQ(test, hvx_panic_event(NULL, 0, "test panic"),
			NOTIFY_DONE);
	/* No interrupted registers in process context. */
	KUNIT_ASSERT_EQ(test, fk->nr_writes, 6U);
	expect_crash(test, 0, 0, 0, 0, 0);

	/* The host hears of the first crash only. */
	hvx_panic_event(NULL, 0, "again");
	hvx_report_crash(1, NULL);
	KUNIT_EXPECT_EQ(test, fk->nr_writes, 6U);
}

static void hv_arch_crash_die(struct kunit *test)
{
	struct pt_regs regs = {
		.ip = 0xffffffff81234567UL,
		.ax = 0xdeadbeefUL,
		.sp = 0xffffc90000123f00UL,
	};
	struct die_args args = {
		.regs = &regs,
		.str = "oops",
		.err = 0x1234,
	};
	int old = panic_on_oops;

	*fake_msr(HV_X64_MSR_GUEST_OS_ID) = TEST_GUEST_ID;

	/* An oops that does not panic is not a crash of the guest. */
	panic_on_oops = 0;
	hvx_die_event(NULL, DIE_OOPS, &args);
	KUNIT_EXPECT_EQ(test, fk->nr_writes, 0U);

	panic_on_oops = 1;
	hvx_die_event(NULL, DIE_GPF, &args);
	KUNIT_EXPECT_EQ(test, fk->nr_writes, 0U);
	hvx_die_event(NULL, DIE_OOPS, &args);
	panic_on_oops = old;
	KUNIT_ASSERT_EQ(test, fk->nr_writes, 6U);
	expect_crash(test, 0, 0x1234, regs.ip, regs.ax, regs.sp);

	/* The panic that follows adds nothing. */
	hvx_panic_event(NULL, 0, "after the oops");
	KUNIT_EXPECT_EQ(test, fk->nr_writes, 6U);
}

static void hv_arch_crash_no_feature(struct kunit *test)
{
	hvx_state.info.misc = 0;
	hvx_panic_event(NULL, 0, "test panic");
	KUNIT_EXPECT_EQ(test, fk->nr_writes, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&hvx_crash_reported), 0);
}

/* --- revocation ------------------------------------------------------- */

#define SIMP_RSVD	0xabcULL
#define SIEFP_RSVD	0x554ULL
#define SCTRL_RSVD	(BIT_ULL(1) | BIT_ULL(40))
#define TSC_RSVD	0x002ULL

static u64 sint_preset(unsigned int i)
{
	/* A vector, automatic EOI, a reserved bit; SINT 5 already masked. */
	return (0x30 + i) | BIT_ULL(17) | BIT_ULL(19) |
	       (i == 5 ? BIT_ULL(16) : 0);
}

static void preset_shared_pages(void)
{
	unsigned int i;

	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		*fake_msr(HV_X64_MSR_SINT0 + i) = sint_preset(i);
	*fake_msr(HV_X64_MSR_SIMP) = 0x777000ULL | SIMP_RSVD | 1;
	*fake_msr(HV_X64_MSR_SIEFP) = 0x888000ULL | SIEFP_RSVD | 1;
	*fake_msr(HV_X64_MSR_SCONTROL) = SCTRL_RSVD | 1;
	*fake_msr(HV_X64_MSR_REFERENCE_TSC) = 0x999000ULL | TSC_RSVD | 1;
	*fake_msr(HV_X64_MSR_HYPERCALL) = 0xaaa000ULL | HC_RSVD | 1;
	*fake_msr(HV_X64_MSR_GUEST_OS_ID) = TEST_GUEST_ID;
}

/* One CPU's writes from @first; returns the index after them. */
static unsigned int expect_cpu_revoked(struct kunit *test,
				       unsigned int first, bool timers)
{
	static const u32 stimer[] = {
		HV_X64_MSR_STIMER0_CONFIG, HV_X64_MSR_STIMER1_CONFIG,
		HV_X64_MSR_STIMER2_CONFIG, HV_X64_MSR_STIMER3_CONFIG,
	};
	unsigned int i, w = first;

	if (timers)
		for (i = 0; i < ARRAY_SIZE(stimer); i++)
			expect_write(test, w++, stimer[i], 0);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		expect_write(test, w++, HV_X64_MSR_SINT0 + i,
			     sint_preset(i) | BIT_ULL(16));
	expect_write(test, w++, HV_X64_MSR_SIMP, SIMP_RSVD);
	expect_write(test, w++, HV_X64_MSR_SIEFP, SIEFP_RSVD);
	expect_write(test, w++, HV_X64_MSR_SCONTROL, SCTRL_RSVD);
	return w;
}

static void hv_arch_revoke_all(struct kunit *test)
{
	unsigned int w;

	preset_shared_pages();
	hvx_state.hypercall_pg = fk;	/* never called: stubbed */
	hvx_revoke_all();
	KUNIT_EXPECT_EQ(test, fk->cpu_runs, FAKE_CPUS);

	/* Every CPU's timers, SINTs, pages and SynIC, then the partition. */
	w = expect_cpu_revoked(test, 0, true);
	w = expect_cpu_revoked(test, w, true);
	expect_write(test, w++, HV_X64_MSR_REFERENCE_TSC, TSC_RSVD);
	expect_write(test, w++, HV_X64_MSR_HYPERCALL, HC_RSVD);
	expect_write(test, w++, HV_X64_MSR_GUEST_OS_ID, 0);
	KUNIT_EXPECT_EQ(test, fk->nr_writes, w);
	KUNIT_EXPECT_NULL(test, hvx_state.hypercall_pg);

	/* Hypercalls fail from now on (the real call, not the stub). */
	kunit_deactivate_static_stub(test, hvx_hypercall_raw);
	KUNIT_EXPECT_EQ(test, hvx_status_to_errno(hvx_fast_hypercall8(
				HVCALL_SIGNAL_EVENT, 0)), -EIO);
}

/* What a shutdown hook saw: how many MSR writes came before it. */
static int hook_calls;
static unsigned int hook_writes;

static void record_hook(void)
{
	hook_calls++;
	hook_writes = fk->nr_writes;
}

/*
 * The hooks (hv_vmbus's unload) run before anything is revoked, while
 * the hypercall page and the SynIC still work: on kexec before every
 * CPU's and the partition's pages go, on crash before the crashing CPU's.
 */
static void hv_arch_shutdown_hooks(struct kunit *test)
{
	unsigned int w;

	preset_shared_pages();
	hvx_state.hypercall_pg = fk;	/* never called: stubbed */
	hook_calls = 0;
	hvx_set_shutdown_hooks(record_hook, NULL);
	hvx_shutdown_revoke();
	KUNIT_EXPECT_EQ(test, hook_calls, 1);
	KUNIT_EXPECT_EQ(test, hook_writes, 0U);
	w = expect_cpu_revoked(test, 0, true);
	w = expect_cpu_revoked(test, w, true);
	expect_write(test, w++, HV_X64_MSR_REFERENCE_TSC, TSC_RSVD);
	KUNIT_EXPECT_EQ(test, fk->nr_writes, w + 2);

	/* Crash: only the crash hook, then this CPU's SynIC. */
	hook_calls = 0;
	w = fk->nr_writes;
	preset_shared_pages();
	hvx_set_shutdown_hooks(NULL, record_hook);
	hvx_crash_revoke_cpu();
	KUNIT_EXPECT_EQ(test, hook_calls, 1);
	KUNIT_EXPECT_EQ(test, hook_writes, w);
	KUNIT_EXPECT_EQ(test, expect_cpu_revoked(test, w, true),
			fk->nr_writes);

	/* Without hooks the same paths only revoke. */
	hook_calls = 0;
	hvx_set_shutdown_hooks(NULL, NULL);
	hvx_crash_revoke_cpu();
	KUNIT_EXPECT_EQ(test, hook_calls, 0);
}

/* Without timers and TSC page only what exists is written. */
static void hv_arch_revoke_minimal(struct kunit *test)
{
	unsigned int w;

	hvx_state.info.features = HVX_NEEDED_FEATURES;
	preset_shared_pages();
	hvx_revoke_cpu(NULL);
	hvx_revoke_partition();
	w = expect_cpu_revoked(test, 0, false);
	expect_write(test, w++, HV_X64_MSR_HYPERCALL, HC_RSVD);
	expect_write(test, w++, HV_X64_MSR_GUEST_OS_ID, 0);
	KUNIT_EXPECT_EQ(test, fk->nr_writes, w);
}

/* Without Hyper-V, revocation writes nothing (no MSR would exist). */
static void hv_arch_revoke_no_hyperv(struct kunit *test)
{
	memset(&hvx_state.info, 0, sizeof(hvx_state.info));
	hvx_revoke_all();
	KUNIT_EXPECT_EQ(test, fk->cpu_runs, 0U);
	KUNIT_EXPECT_EQ(test, fk->nr_writes, 0U);
}

/*
 * In the KUnit VM (QEMU TCG) there is no Hyper-V: hvx found nothing at
 * boot and hvcore's backend is hvsim's.
 */
static void hv_arch_not_on_hyperv(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, saved_state.ready);
	KUNIT_EXPECT_NULL(test, saved_state.hypercall_pg);
	KUNIT_EXPECT_EQ(test, saved_state.info.max_leaf, 0U);
	KUNIT_EXPECT_FALSE(test, hvcore_backend_is_real());
}

static struct kunit_case hv_arch_cases[] = {
	KUNIT_CASE(hv_arch_detect_ok),
	KUNIT_CASE(hv_arch_detect_other_hypervisor),
	KUNIT_CASE(hv_arch_detect_bad_leaves),
	KUNIT_CASE(hv_arch_detect_missing),
	KUNIT_CASE(hv_arch_guest_os_id),
	KUNIT_CASE(hv_arch_hypercall_page),
	KUNIT_CASE(hv_arch_hypercall_page_refused),
	KUNIT_CASE(hv_arch_slow_hypercall),
	KUNIT_CASE(hv_arch_fast_hypercall),
	KUNIT_CASE(hv_arch_rep_hypercall_one_go),
	KUNIT_CASE(hv_arch_rep_hypercall_continue),
	KUNIT_CASE(hv_arch_rep_hypercall_error),
	KUNIT_CASE(hv_arch_rep_hypercall_bogus),
	KUNIT_CASE(hv_arch_rep_hypercall_bad_args),
	KUNIT_CASE(hv_arch_no_hypercall_page),
	KUNIT_CASE(hv_arch_status_errno),
	KUNIT_CASE(hv_arch_cpu_online),
	KUNIT_CASE(hv_arch_hyperv_platform),
	KUNIT_CASE(hv_arch_crash_panic),
	KUNIT_CASE(hv_arch_crash_die),
	KUNIT_CASE(hv_arch_crash_no_feature),
	KUNIT_CASE(hv_arch_revoke_all),
	KUNIT_CASE(hv_arch_shutdown_hooks),
	KUNIT_CASE(hv_arch_revoke_minimal),
	KUNIT_CASE(hv_arch_revoke_no_hyperv),
	KUNIT_CASE(hv_arch_not_on_hyperv),
	{}
};

static struct kunit_suite hv_arch_suite = {
	.name = "hv_arch",
	.init = hv_arch_init,
	.exit = hv_arch_exit,
	.test_cases = hv_arch_cases,
};
kunit_test_suite(hv_arch_suite);
