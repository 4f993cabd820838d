// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the reference TSC page arithmetic and reader of hv_clock
 * (clocksource/hv_clock.h), and the host side of hvsim's clocks
 * (hvsim/timer.c): the scale of a TSC frequency, the offset that keeps
 * reference time continuous across a change, the guest's page, the
 * checks on stimer0's configuration and a direct-mode expiry; and the
 * pure rules of hv_clock: when it registers what, and the sched_clock
 * bias.
 *
 * The reader runs on pages of the test's own, with a TSC stub that can
 * play the host updating the page between the reader's two sequence
 * reads.  Expected values come from 128-bit arithmetic done here.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/smp.h>
#include <linux/uuid.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include "../clocksource/hv_clock.h"
#include "../hvsim/internal.h"

#define HC_TSC_HZ	2596143000ULL	/* the VM tier's TSC */

/* ((tsc * scale) >> 64) + offset, the long way. */
static u64 hc_ref(u64 tsc, u64 scale, s64 offset)
{
	unsigned __int128 p = (unsigned __int128)tsc * scale;

	return (u64)(p >> 64) + (u64)offset;
}

struct hc_math_case {
	const char *name;
	u64 tsc;
	u64 scale;
	s64 offset;
	u64 want;
};

static const struct hc_math_case hc_math_cases[] = {
	{ "zero tsc", 0, ~0ULL, 12345, 12345 },
	{ "all ones", ~0ULL, ~0ULL, 0, ~0ULL - 1 },
	{ "all ones, offset 1 wraps to max", ~0ULL, ~0ULL, 1, ~0ULL },
	{ "all ones, offset 2 wraps past max", ~0ULL, ~0ULL, 2, 0 },
	{ "half scale of all ones", ~0ULL, 1ULL << 63, 5, (1ULL << 63) + 4 },
	{ "2^32 * 2^32 >> 64", 1ULL << 32, 1ULL << 32, 0, 1 },
	{ "just under one tick", (1ULL << 32) - 1, 1ULL << 32, 0, 0 },
	{ "negative offset below zero wraps", 0, 1, -1, ~0ULL },
	{ "min offset", ~0ULL, ~0ULL, S64_MIN, (~0ULL - 1) + (1ULL << 63) },
};

static void hc_math_case_desc(const struct hc_math_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hc_math, hc_math_cases, hc_math_case_desc);

/* The formula against hand-worked values and the 128-bit product. */
static void hv_clock_tsc_to_ref_edges(struct kunit *test)
{
	const struct hc_math_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hv_clock_tsc_to_ref(c->tsc, c->scale, c->offset),
			c->want);
	KUNIT_EXPECT_EQ(test, hv_clock_tsc_to_ref(c->tsc, c->scale, c->offset),
			hc_ref(c->tsc, c->scale, c->offset));
}

/* A 2.6 GHz scale over a century of TSC, in steps across the range. */
static void hv_clock_tsc_to_ref_century(struct kunit *test)
{
	u64 scale = hvsim_clock_scale(HC_TSC_HZ, 0);
	u64 tsc, end = HC_TSC_HZ * 3600ULL * 24 * 366 * 100;
	s64 offset = -987654321;

	KUNIT_ASSERT_NE(test, scale, 0ULL);
	for (tsc = 0; tsc < end; tsc += end / 997 + 12345)
		KUNIT_ASSERT_EQ(test, hv_clock_tsc_to_ref(tsc, scale, offset),
				hc_ref(tsc, scale, offset));
	/* A century is 3.16e16 ticks, to within a tick per second. */
	KUNIT_EXPECT_LE(test, hv_clock_tsc_to_ref(end, scale, 0),
			10000000ULL * 3600 * 24 * 366 * 100);
	KUNIT_EXPECT_GE(test, hv_clock_tsc_to_ref(end, scale, 0),
			10000000ULL * 3600 * 24 * 366 * 100 -
			3600ULL * 24 * 366 * 100);
}

/* hvsim's scale: one second of TSC is 10^7 ticks, less a rounding. */
static void hvsim_clock_scale_freqs(struct kunit *test)
{
	static const u64 freqs[] = {
		10000001ULL, 1000000000ULL, HC_TSC_HZ, 3999999999ULL,
		1000000000000ULL,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(freqs); i++) {
		u64 scale = hvsim_clock_scale(freqs[i], 0);
		u64 sec = hv_clock_tsc_to_ref(freqs[i], scale, 0);
		u64 hour = hv_clock_tsc_to_ref(freqs[i] * 3600, scale, 0);

		KUNIT_EXPECT_GE_MSG(test, sec, 9999999ULL, "%llu Hz", freqs[i]);
		KUNIT_EXPECT_LE_MSG(test, sec, 10000000ULL, "%llu Hz",
				    freqs[i]);
		KUNIT_EXPECT_GE_MSG(test, hour, 36000000000ULL - 1,
				    "%llu Hz", freqs[i]);
		KUNIT_EXPECT_LE_MSG(test, hour, 36000000000ULL, "%llu Hz",
				    freqs[i]);
	}
}

static void hvsim_clock_scale_ppm(struct kunit *test)
{
	u64 fast = hvsim_clock_scale(HC_TSC_HZ, 1000);
	u64 slow = hvsim_clock_scale(HC_TSC_HZ, -100000);
	u64 v;

	v = hv_clock_tsc_to_ref(HC_TSC_HZ, fast, 0);
	KUNIT_EXPECT_GE(test, v, 10009998ULL);
	KUNIT_EXPECT_LE(test, v, 10010000ULL);
	v = hv_clock_tsc_to_ref(HC_TSC_HZ, slow, 0);
	KUNIT_EXPECT_GE(test, v, 8999998ULL);
	KUNIT_EXPECT_LE(test, v, 9000000ULL);

	/* Out of range: a TSC not above 10 MHz, or too large a change. */
	KUNIT_EXPECT_EQ(test, hvsim_clock_scale(10000000ULL, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, hvsim_clock_scale(0, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, hvsim_clock_scale(HC_TSC_HZ, 100001), 0ULL);
	KUNIT_EXPECT_EQ(test, hvsim_clock_scale(HC_TSC_HZ, -100001), 0ULL);
	/* Whose +10% would not fit in 64 bits. */
	KUNIT_EXPECT_EQ(test, hvsim_clock_scale(10500000ULL, 100000), 0ULL);
	KUNIT_EXPECT_NE(test, hvsim_clock_scale(10500000ULL, 0), 0ULL);
}

/*
 * A change of scale keeps the page's time at the TSC of the change, and
 * after it time only moves forward, near the top of the TSC's range too.
 */
static void hvsim_clock_offset_continuous(struct kunit *test)
{
	static const u64 tscs[] = { 0, 1, 123456789, 1ULL << 63,
				    ~0ULL - 100000 };
	u64 s1 = hvsim_clock_scale(HC_TSC_HZ, 0);
	u64 s2 = hvsim_clock_scale(HC_TSC_HZ, 5000);
	u64 s3 = hvsim_clock_scale(HC_TSC_HZ, -5000);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tscs); i++) {
		u64 tsc = tscs[i];
		s64 o1 = hvsim_clock_offset(tsc, 777, s1);
		u64 now = hv_clock_tsc_to_ref(tsc, s1, o1);
		s64 o2 = hvsim_clock_offset(tsc, now, s2);
		s64 o3;

		KUNIT_EXPECT_EQ(test, now, 777ULL);
		KUNIT_EXPECT_EQ(test, hv_clock_tsc_to_ref(tsc, s2, o2), now);
		KUNIT_EXPECT_GE(test, hv_clock_tsc_to_ref(tsc + 100000, s2, o2),
				now);
		o3 = hvsim_clock_offset(tsc, now, s3);
		KUNIT_EXPECT_EQ(test, hv_clock_tsc_to_ref(tsc, s3, o3), now);
	}
}

/* The reader's TSC stub, which may play the host. */
struct hc_fake {
	struct ms_hyperv_tsc_page *pg;
	u64 tsc;
	unsigned int calls;
	/* On call number @update_at: write @scale and @offset. */
	unsigned int update_at;
	u64 scale;
	s64 offset;
	u32 new_seq;		/* sequence left after the update */
	bool forever;		/* move the sequence on every call */
};

static u64 hc_fake_tsc(void *ctx)
{
	struct hc_fake *f = ctx;

	f->calls++;
	if (f->forever) {
		f->pg->tsc_sequence++;
	} else if (f->calls == f->update_at) {
		f->pg->tsc_sequence = 0;
		f->pg->tsc_scale = f->scale;
		f->pg->tsc_offset = f->offset;
		f->pg->tsc_sequence = f->new_seq;
	}
	return f->tsc;
}

static struct ms_hyperv_tsc_page hc_page;

static void hc_page_set(u32 seq, u64 scale, s64 offset)
{
	hc_page.tsc_sequence = seq;
	hc_page.tsc_scale = scale;
	hc_page.tsc_offset = offset;
}

static void hv_clock_page_read_valid(struct kunit *test)
{
	struct hc_fake f = { .pg = &hc_page, .tsc = 0x123456789abcULL };
	struct hv_clock_read_stats st = { };
	u64 t = 0;

	hc_page_set(7, hvsim_clock_scale(HC_TSC_HZ, 0), -42);
	KUNIT_ASSERT_TRUE(test, hv_clock_page_read(&hc_page, hc_fake_tsc, &f,
						   &t, &st));
	KUNIT_EXPECT_EQ(test, t, hc_ref(f.tsc, hc_page.tsc_scale, -42));
	KUNIT_EXPECT_EQ(test, f.calls, 1U);
	KUNIT_EXPECT_EQ(test, st.retries + st.invalid + st.given_up, 0UL);
}

static void hv_clock_page_read_invalid(struct kunit *test)
{
	struct hc_fake f = { .pg = &hc_page, .tsc = 1000 };
	struct hv_clock_read_stats st = { };
	u64 t = 99;

	hc_page_set(0, 1ULL << 63, 0);
	KUNIT_EXPECT_FALSE(test, hv_clock_page_read(&hc_page, hc_fake_tsc, &f,
						    &t, &st));
	KUNIT_EXPECT_EQ(test, t, 99ULL);
	KUNIT_EXPECT_EQ(test, st.invalid, 1UL);
	KUNIT_EXPECT_EQ(test, f.calls, 0U);
}

/*
 * The host updates scale and offset after the reader took the sequence:
 * the reader sees the sequence move, reads again, and returns the time
 * of the new values, never a mix.
 */
static void hv_clock_page_read_retry(struct kunit *test)
{
	struct hc_fake f = {
		.pg = &hc_page, .tsc = 5000000000ULL, .update_at = 1,
		.scale = 1ULL << 62, .offset = 1000, .new_seq = 8,
	};
	struct hv_clock_read_stats st = { };
	u64 t = 0;

	hc_page_set(7, 1ULL << 63, -5);
	KUNIT_ASSERT_TRUE(test, hv_clock_page_read(&hc_page, hc_fake_tsc, &f,
						   &t, &st));
	KUNIT_EXPECT_EQ(test, t, f.tsc / 4 + 1000);
	KUNIT_EXPECT_EQ(test, st.retries, 1UL);
	KUNIT_EXPECT_EQ(test, f.calls, 2U);
}

/* A host caught in the middle of an update: sequence 0, fall back. */
static void hv_clock_page_read_mid_update(struct kunit *test)
{
	struct hc_fake f = {
		.pg = &hc_page, .tsc = 77, .update_at = 1,
		.scale = 1, .offset = 1, .new_seq = 0,
	};
	struct hv_clock_read_stats st = { };
	u64 t = 3;

	hc_page_set(9, 1ULL << 63, 0);
	KUNIT_EXPECT_FALSE(test, hv_clock_page_read(&hc_page, hc_fake_tsc, &f,
						    &t, &st));
	KUNIT_EXPECT_EQ(test, t, 3ULL);
	KUNIT_EXPECT_EQ(test, st.retries, 1UL);
	KUNIT_EXPECT_EQ(test, st.invalid, 1UL);
}

/* A host that never stops: the reader gives up, it does not spin. */
static void hv_clock_page_read_gives_up(struct kunit *test)
{
	struct hc_fake f = { .pg = &hc_page, .tsc = 1, .forever = true };
	struct hv_clock_read_stats st = { };
	u64 t = 0;

	hc_page_set(1, 1ULL << 63, 0);
	KUNIT_EXPECT_FALSE(test, hv_clock_page_read(&hc_page, hc_fake_tsc, &f,
						    &t, &st));
	KUNIT_EXPECT_EQ(test, f.calls, (unsigned int)HV_CLOCK_MAX_RETRIES);
	KUNIT_EXPECT_EQ(test, st.retries, (unsigned long)HV_CLOCK_MAX_RETRIES);
	KUNIT_EXPECT_EQ(test, st.given_up, 1UL);
}

static u64 hc_rdtsc(void *ctx)
{
	return rdtsc_ordered();
}

/*
 * hvsim's page end to end: enabled on a page of ours, it reads hvsim's
 * counter to within 1 ms; reserved bits and a page that is not RAM are
 * refused; disabling sets the sequence to 0.
 */
static void hvsim_ref_tsc_page(struct kunit *test)
{
	union hv_reference_tsc_msr msr = { .as_uint64 = 0 };
	struct ms_hyperv_tsc_page *pg;
	u64 t = 0, ref;
	s64 d;

	pg = (void *)get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pg);

	msr.enable = 1;
	msr.pfn = virt_to_phys(pg) >> HV_HYP_PAGE_SHIFT;
	KUNIT_EXPECT_EQ(test, hvsim_ref_tsc(msr.as_uint64 | BIT_ULL(3)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pg->tsc_sequence, 0U);
	/* The local APIC's page: MMIO, not guest RAM. */
	KUNIT_EXPECT_EQ(test, hvsim_ref_tsc((0xfee00000ULL) | 1), -EINVAL);

	KUNIT_ASSERT_EQ(test, hvsim_ref_tsc(msr.as_uint64), 0);
	KUNIT_EXPECT_NE(test, pg->tsc_sequence, 0U);
	KUNIT_EXPECT_EQ(test, pg->tsc_scale,
			hvsim_clock_scale((u64)tsc_khz * 1000, 0));
	KUNIT_EXPECT_TRUE(test, hv_clock_page_read(pg, hc_rdtsc, NULL, &t,
						   NULL));
	ref = hvsim_ref_time();
	d = ref - t;
	KUNIT_EXPECT_LT(test, abs(d), 10000LL);

	KUNIT_EXPECT_EQ(test, hvsim_ref_tsc(0), 0);
	KUNIT_EXPECT_EQ(test, pg->tsc_sequence, 0U);
	free_page((unsigned long)pg);
}

/* stimer0 configurations hvsim refuses, with nothing armed. */
static void hvsim_stimer_config_refused(struct kunit *test)
{
	union hv_stimer_config c = { .as_uint64 = 0 };
	unsigned long flags;

	local_irq_save(flags);
	c.enable = 1;
	c.periodic = 1;
	KUNIT_EXPECT_EQ(test, hvsim_stimer_config(c.as_uint64), -EINVAL);
	c.periodic = 0;
	c.direct_mode = 1;
	c.apic_vector = 15;
	KUNIT_EXPECT_EQ(test, hvsim_stimer_config(c.as_uint64), -EINVAL);
	c.as_uint64 = BIT_ULL(13);
	KUNIT_EXPECT_EQ(test, hvsim_stimer_config(c.as_uint64), -EINVAL);
	c.as_uint64 = BIT_ULL(40);
	KUNIT_EXPECT_EQ(test, hvsim_stimer_config(c.as_uint64), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_stimer_config(0), 0);
	local_irq_restore(flags);
}

static atomic_t hc_fired;
static int hc_fired_cpu;
static u64 hc_fired_ref;

static void hc_stimer_handler(void)
{
	hc_fired_cpu = smp_processor_id();
	hc_fired_ref = hvsim_ref_time();
	WARN_ON_ONCE(!in_hardirq());
	atomic_inc(&hc_fired);
}

/*
 * A direct-mode expiry 1 ms ahead: one call of the stimer handler, on
 * the CPU that armed it, in hard-IRQ context, not before the count.
 */
static void hvsim_stimer_direct_expiry(struct kunit *test)
{
	union hv_stimer_config c = { .as_uint64 = 0 };
	unsigned long flags;
	int cpu, i;
	u64 count;

	atomic_set(&hc_fired, 0);
	KUNIT_ASSERT_EQ(test, hvcore_set_stimer_handler(hc_stimer_handler), 0);
	c.enable = 1;
	c.auto_enable = 1;
	c.direct_mode = 1;
	c.apic_vector = 0xed;

	local_irq_save(flags);
	cpu = smp_processor_id();
	KUNIT_EXPECT_EQ(test, hvsim_stimer_config(c.as_uint64), 0);
	count = hvsim_ref_time() + 10000;
	KUNIT_EXPECT_EQ(test, hvsim_stimer_count(count), 0);
	local_irq_restore(flags);

	for (i = 0; i < 1000 && !atomic_read(&hc_fired); i++)
		usleep_range(1000, 2000);
	/* Let a second, wrong expiry show itself. */
	msleep(20);
	hvcore_clear_stimer_handler();

	KUNIT_EXPECT_EQ(test, atomic_read(&hc_fired), 1);
	KUNIT_EXPECT_EQ(test, hc_fired_cpu, cpu);
	KUNIT_EXPECT_GE(test, hc_fired_ref, count);

	local_irq_save(flags);
	hvsim_stimer_count(0);
	hvsim_stimer_config(0);
	local_irq_restore(flags);
}

struct hc_sched_case {
	const char *name;
	u64 ref;	/* reference time at the switch */
	u64 now_ns;	/* the old sched_clock then */
};

static const struct hc_sched_case hc_sched_cases[] = {
	{ "boot: 3 s of sched_clock, 40 s of partition", 400000000ULL,
	  3000000000ULL },
	{ "old clock ahead of the reference time", 10, 5000000000ULL },
	{ "both zero", 0, 0 },
	{ "old clock near wrap", 123456789ULL, U64_MAX - 50 },
	{ "reference time * 100 past 2^64", U64_MAX / 50, 987654321ULL },
	{ "reference time at its maximum", U64_MAX, 1 },
};

KUNIT_ARRAY_PARAM_DESC(hc_sched, hc_sched_cases, name);

/*
 * sched_clock switched to the reference time late in boot: at the switch
 * it reads exactly what the old one read (not 0 plus a little, a jump
 * back), and from there it advances 100 ns per reference tick, modulo
 * 2^64 like every u64 clock.
 */
static void hv_clock_sched_continues(struct kunit *test)
{
	const struct hc_sched_case *c = test->param_value;
	u64 bias = hv_clock_sched_bias(c->ref, c->now_ns);

	KUNIT_EXPECT_EQ(test, hv_clock_sched_ns(c->ref, bias), c->now_ns);
	KUNIT_EXPECT_EQ(test, hv_clock_sched_ns(c->ref + 1, bias),
			c->now_ns + 100);
	KUNIT_EXPECT_EQ(test, hv_clock_sched_ns(c->ref + 10000000, bias),
			c->now_ns + NSEC_PER_SEC);
	/* The difference of two readings is the elapsed time. */
	KUNIT_EXPECT_EQ(test, hv_clock_sched_ns(c->ref + 777, bias) -
			hv_clock_sched_ns(c->ref + 700, bias), 7700ULL);
}

struct hc_mode_case {
	const char *name;
	struct hv_clock_env env;
	enum hv_clock_mode want;
};

#define HC_ENV(s, b, p, c, f) { .sim = s, .builtin = b, .kernel_page = p, \
				.kernel_counter = c, .force = f }

static const struct hc_mode_case hc_mode_cases[] = {
	{ "hvsim, module", HC_ENV(1, 0, 0, 0, 0), HV_CLOCK_OWN },
	{ "hvsim, module, forced", HC_ENV(1, 0, 0, 0, 1), HV_CLOCK_OWN },
	{ "hvsim, built in", HC_ENV(1, 1, 0, 0, 0), HV_CLOCK_OFF },
	{ "hvsim, built in, forced", HC_ENV(1, 1, 0, 0, 1), HV_CLOCK_OFF },
	/* The simulated MSRs are not the kernel's, whatever it registered. */
	{ "hvsim, kernel page", HC_ENV(1, 0, 1, 1, 0), HV_CLOCK_OWN },
	{ "Hyper-V, no kernel clocksource", HC_ENV(0, 0, 0, 0, 0),
	  HV_CLOCK_OWN },
	{ "Hyper-V, built in, no kernel clocksource", HC_ENV(0, 1, 0, 0, 0),
	  HV_CLOCK_OWN },
	{ "Hyper-V, forced, no kernel clocksource", HC_ENV(0, 0, 0, 0, 1),
	  HV_CLOCK_OWN },
	{ "Hyper-V, kernel page and counter", HC_ENV(0, 0, 1, 1, 0),
	  HV_CLOCK_OFF },
	{ "Hyper-V, kernel page alone", HC_ENV(0, 0, 1, 0, 0), HV_CLOCK_OFF },
	{ "Hyper-V, kernel counter alone", HC_ENV(0, 0, 0, 1, 0),
	  HV_CLOCK_OFF },
	{ "Hyper-V, built in, kernel page", HC_ENV(0, 1, 1, 1, 0),
	  HV_CLOCK_OFF },
	{ "Hyper-V, forced, kernel page and counter", HC_ENV(0, 0, 1, 1, 1),
	  HV_CLOCK_KERNEL_PAGE },
	{ "Hyper-V, forced, kernel page alone", HC_ENV(0, 0, 1, 0, 1),
	  HV_CLOCK_KERNEL_PAGE },
	{ "Hyper-V, forced, kernel counter alone", HC_ENV(0, 0, 0, 1, 1),
	  HV_CLOCK_KERNEL_COUNTER },
	{ "Hyper-V, built in, forced, kernel page", HC_ENV(0, 1, 1, 1, 1),
	  HV_CLOCK_KERNEL_PAGE },
};

KUNIT_ARRAY_PARAM_DESC(hc_mode, hc_mode_cases, name);

/*
 * Registration: its own page and stimer0 only where the kernel has no
 * Hyper-V clocksource (or the host is simulated); next to the kernel's,
 * nothing unless forced, and forced, never the kernel's MSRs.
 */
static void hv_clock_choose_env(struct kunit *test)
{
	const struct hc_mode_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hv_clock_choose(&c->env), c->want);
}

/*
 * Over every input: the kernel's MSRs (a real backend, the kernel's
 * clocksource there) are written only in HV_CLOCK_OWN, never when the
 * kernel has a clocksource of its own.
 */
static void hv_clock_choose_never_clobbers(struct kunit *test)
{
	unsigned int bits;

	for (bits = 0; bits < 32; bits++) {
		struct hv_clock_env env = HC_ENV(bits & 1, bits & 2, bits & 4,
						 bits & 8, bits & 16);
		enum hv_clock_mode mode = hv_clock_choose(&env);

		if (!env.sim && (env.kernel_page || env.kernel_counter))
			KUNIT_EXPECT_NE_MSG(test, mode, HV_CLOCK_OWN,
					    "inputs %#x", bits);
		if (mode == HV_CLOCK_KERNEL_PAGE)
			KUNIT_EXPECT_TRUE_MSG(test, env.kernel_page,
					      "inputs %#x", bits);
		if (!env.force && !env.sim &&
		    (env.kernel_page || env.kernel_counter))
			KUNIT_EXPECT_EQ_MSG(test, mode, HV_CLOCK_OFF,
					    "inputs %#x", bits);
	}
}

/*
 * A stimer0 count written far ahead: the hrtimer's delay is the ticks in
 * ns while they fit a ktime_t, and KTIME_MAX past that, never a product
 * that wrapped to a short (or negative) delay and fired early.
 */
static void hvsim_stimer_delay_far(struct kunit *test)
{
	const u64 last = (u64)KTIME_MAX / 100;

	KUNIT_EXPECT_EQ(test, hvsim_stimer_delay(0), 0);
	KUNIT_EXPECT_EQ(test, hvsim_stimer_delay(10000), 1000000);
	KUNIT_EXPECT_EQ(test, hvsim_stimer_delay(last), (ktime_t)(last * 100));
	KUNIT_EXPECT_EQ(test, hvsim_stimer_delay(last + 1), KTIME_MAX);
	/* ticks * 100 would wrap to 84 ns. */
	KUNIT_EXPECT_EQ(test, hvsim_stimer_delay(184467440737095517ULL),
			KTIME_MAX);
	/* ...and to a negative ktime_t. */
	KUNIT_EXPECT_EQ(test, hvsim_stimer_delay(1ULL << 62), KTIME_MAX);
	KUNIT_EXPECT_EQ(test, hvsim_stimer_delay(U64_MAX), KTIME_MAX);
}

static struct kunit_case hv_clock_cases[] = {
	KUNIT_CASE_PARAM(hv_clock_tsc_to_ref_edges, hc_math_gen_params),
	KUNIT_CASE(hv_clock_tsc_to_ref_century),
	KUNIT_CASE(hvsim_clock_scale_freqs),
	KUNIT_CASE(hvsim_clock_scale_ppm),
	KUNIT_CASE(hvsim_clock_offset_continuous),
	KUNIT_CASE(hv_clock_page_read_valid),
	KUNIT_CASE(hv_clock_page_read_invalid),
	KUNIT_CASE(hv_clock_page_read_retry),
	KUNIT_CASE(hv_clock_page_read_mid_update),
	KUNIT_CASE(hv_clock_page_read_gives_up),
	KUNIT_CASE(hvsim_stimer_delay_far),
	KUNIT_CASE_PARAM(hv_clock_choose_env, hc_mode_gen_params),
	KUNIT_CASE(hv_clock_choose_never_clobbers),
	KUNIT_CASE_PARAM(hv_clock_sched_continues, hc_sched_gen_params),
	KUNIT_CASE(hvsim_ref_tsc_page),
	KUNIT_CASE(hvsim_stimer_config_refused),
	KUNIT_CASE(hvsim_stimer_direct_expiry),
	{}
};

static struct kunit_suite hv_clock_suite = {
	.name = "hv_clock",
	.test_cases = hv_clock_cases,
};
kunit_test_suite(hv_clock_suite);

MODULE_LICENSE("GPL");
