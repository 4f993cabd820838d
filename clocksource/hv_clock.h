/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_clock: the arithmetic and the reader of the Hyper-V reference TSC
 * page, kept apart from the module so that KUnit can drive them with a
 * page and a TSC of its own.
 *
 * The page (struct ms_hyperv_tsc_page, TLFS "reference TSC page") holds a
 * sequence number, a scale and an offset.  Reference time, in 100 ns
 * units, is
 *
 *	((TSC * scale) >> 64) + offset
 *
 * with a 128-bit product and the sum taken modulo 2^64 (the offset is
 * signed).  A sequence of 0 says the page is not valid now: the guest
 * reads the reference counter MSR instead.  The hypervisor changes the
 * sequence around every update of scale and offset, so a reader that
 * sees the same non-zero sequence before and after reading them (and the
 * TSC) has a consistent set.
 */
#ifndef _HV_CLOCK_H
#define _HV_CLOCK_H

#include <linux/compiler.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <asm/barrier.h>
#include <asm/hyperv-tlfs.h>

/* The reference time's frequency: 10 MHz, 100 ns per unit. */
#define HV_CLOCK_REF_HZ		10000000

/*
 * A reader that sees the sequence change this many times in a row gives
 * up on the page for this reading: a host that never stops updating it
 * must not hold a CPU forever.
 */
#define HV_CLOCK_MAX_RETRIES	64

static_assert(sizeof(struct ms_hyperv_tsc_page) == 24);
static_assert(offsetof(struct ms_hyperv_tsc_page, tsc_scale) == 8);
static_assert(offsetof(struct ms_hyperv_tsc_page, tsc_offset) == 16);

/**
 * hv_clock_tsc_to_ref() - reference time of a TSC value.
 * @tsc: the TSC.
 * @scale: the page's scale: 2^64 times reference ticks per TSC tick.
 * @offset: the page's offset, in reference ticks.
 *
 * Return: ((@tsc * @scale) >> 64) + @offset, modulo 2^64.
 */
static inline u64 hv_clock_tsc_to_ref(u64 tsc, u64 scale, s64 offset)
{
	return mul_u64_u64_shr(tsc, scale, 64) + (u64)offset;
}

/**
 * struct hv_clock_read_stats - what a page reader met.
 * @retries: sequence changes under the reader (each one read again).
 * @invalid: readings that found sequence 0.
 * @given_up: readings abandoned after HV_CLOCK_MAX_RETRIES changes.
 */
struct hv_clock_read_stats {
	unsigned long retries;
	unsigned long invalid;
	unsigned long given_up;
};

/**
 * hv_clock_page_read() - reference time from a TSC page.
 * @pg: the page; the hypervisor writes it at any time.
 * @read_tsc: reads the TSC, ordered after the loads before it.
 * @ctx: passed to @read_tsc.
 * @time: set to the reference time on success.
 * @st: counts retries and failures; may be NULL.
 *
 * Context: any.
 * Return: true with @time set; false when the page is not valid (its
 * sequence is 0) or kept changing: the caller reads the reference counter.
 */
static __always_inline bool
hv_clock_page_read(const struct ms_hyperv_tsc_page *pg,
		   u64 (*read_tsc)(void *ctx), void *ctx, u64 *time,
		   struct hv_clock_read_stats *st)
{
	unsigned int tries = 0;
	u64 scale, tsc;
	s64 offset;
	u32 seq;

	for (;;) {
		seq = READ_ONCE(pg->tsc_sequence);
		if (!seq) {
			if (st)
				st->invalid++;
			return false;
		}
		/* Scale and offset belong to the sequence read before them. */
		smp_rmb();
		scale = READ_ONCE(pg->tsc_scale);
		offset = READ_ONCE(pg->tsc_offset);
		tsc = read_tsc(ctx);
		/* ...and are still current if the sequence has not moved. */
		smp_rmb();
		if (READ_ONCE(pg->tsc_sequence) == seq)
			break;
		if (st)
			st->retries++;
		if (++tries == HV_CLOCK_MAX_RETRIES) {
			if (st)
				st->given_up++;
			return false;
		}
	}
	*time = hv_clock_tsc_to_ref(tsc, scale, offset);
	return true;
}

/* Nanoseconds per reference tick. */
#define HV_CLOCK_NS_PER_REF	(NSEC_PER_SEC / HV_CLOCK_REF_HZ)

/**
 * hv_clock_sched_bias() - the bias that continues a running sched_clock.
 * @ref: the reference time at the switch.
 * @now_ns: the outgoing sched_clock's value at the switch.
 *
 * A sched_clock installed long after boot must go on from the value of
 * the one it replaces, not restart near 0: a jump back would be seen by
 * the scheduler and in every timestamp.  The new clock reads
 * hv_clock_sched_ns(ref, bias); all sums are modulo 2^64, so a bias
 * "below zero" works as well.
 *
 * Return: @now_ns - @ref * 100, modulo 2^64.
 */
static inline u64 hv_clock_sched_bias(u64 ref, u64 now_ns)
{
	return now_ns - ref * HV_CLOCK_NS_PER_REF;
}

/**
 * hv_clock_sched_ns() - sched_clock in ns from the reference time.
 * @ref: the reference time.
 * @bias: from hv_clock_sched_bias().
 *
 * Return: @ref * 100 + @bias, modulo 2^64.
 */
static __always_inline u64 hv_clock_sched_ns(u64 ref, u64 bias)
{
	return ref * HV_CLOCK_NS_PER_REF + bias;
}

/**
 * enum hv_clock_mode - what hv_clock registers.
 * @HV_CLOCK_OFF: nothing; the module stays loaded and idle.
 * @HV_CLOCK_OWN: a clocksource on a TSC page of its own (it writes
 *	HV_X64_MSR_REFERENCE_TSC), or on the reference counter where the
 *	backend has no page, and stimer0 clock events.
 * @HV_CLOCK_KERNEL_PAGE: forced next to the kernel's own
 *	hyperv_clocksource_tsc_page: a clocksource reading the kernel's page
 *	(hv_get_tsc_page()), no MSR written, no clock events (the kernel's
 *	stimer0 is in use).
 * @HV_CLOCK_KERNEL_COUNTER: forced next to the kernel's
 *	hyperv_clocksource_msr alone: a clocksource on the reference counter,
 *	no MSR written, no clock events.
 */
enum hv_clock_mode {
	HV_CLOCK_OFF,
	HV_CLOCK_OWN,
	HV_CLOCK_KERNEL_PAGE,
	HV_CLOCK_KERNEL_COUNTER,
};

/**
 * struct hv_clock_env - what decides hv_clock's mode.
 * @sim: the backend is a simulated host: the MSRs hv_clock writes are
 *	the simulator's, never the kernel's.
 * @builtin: hv_clock is built into the kernel, not a module.
 * @kernel_page: the kernel registered hyperv_clocksource_tsc_page (its
 *	hv_get_tsc_pfn() is not 0).
 * @kernel_counter: the kernel registered hyperv_clocksource_msr.
 * @force: the "force" module parameter.
 */
struct hv_clock_env {
	bool sim;
	bool builtin;
	bool kernel_page;
	bool kernel_counter;
	bool force;
};

/**
 * hv_clock_choose() - the mode for an environment.
 * @env: the environment.
 *
 * Under a simulated host hv_clock registers its own, except when built
 * in (the KUnit kernel, whose suites need hvcore's timer path as they
 * left it).  On Hyper-V it registers its own only where the kernel has
 * no Hyper-V clocksource; where it has one, nothing unless forced, and
 * forced, only a clocksource that leaves the kernel's MSRs alone.
 *
 * Return: the mode.
 */
static inline enum hv_clock_mode hv_clock_choose(const struct hv_clock_env *env)
{
	if (env->sim)
		return env->builtin ? HV_CLOCK_OFF : HV_CLOCK_OWN;
	if (!env->kernel_page && !env->kernel_counter)
		return HV_CLOCK_OWN;
	if (!env->force)
		return HV_CLOCK_OFF;
	return env->kernel_page ? HV_CLOCK_KERNEL_PAGE :
				  HV_CLOCK_KERNEL_COUNTER;
}

#endif /* _HV_CLOCK_H */
