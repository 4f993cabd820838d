// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the partition's time: the reference counter, the reference TSC
 * page and each VP's stimer0.
 *
 * Reference counter: the kernel's raw monotonic clock in 100 ns units
 * (never slewed by NTP), read fresh on every call.  It knows nothing of
 * the page, so the page can be checked against it, as long as the
 * kernel's clocksource is not hv_clock's (then the raw clock comes from
 * the page: see hvsim_ref_time()).
 *
 * TSC page: the guest names a page of its memory (hvsim_ref_tsc(), the
 * HV_X64_MSR_REFERENCE_TSC write); the host maps that guest physical page
 * (memremap(), RAM only) and writes it, as a host would.  The scale comes
 * from the TSC frequency the kernel measured (tsc_khz):
 *
 *	scale = 10^7 * 2^64 / (tsc_khz * 1000)
 *
 * and the offset makes the page read the reference counter at the moment
 * the page is enabled.  From then on the page runs free; nothing derives
 * it from the counter again.  (Under TCG the guest's clocksource is
 * normally the TSC itself, whose rate the kernel derives from the same
 * tsc_khz, so the page and the counter agree to a fraction of a ppm.)
 *
 * Changes ("clock/change": a scale PPM away from that nominal one, and an
 * optional forward step) keep the page's reference time continuous: the
 * new offset makes the new scale give, at the TSC of the change, exactly
 * what the old one gave.  The update runs under stop_machine(), the way a
 * host updates the page while the VM is paused for a migration: no reader
 * is between its two sequence reads on any CPU, except one preempted
 * there, which sees the sequence change and reads again.  The sequence is
 * set to 0 (invalid) while scale and offset are written, then to a new
 * value that is never 0.
 *
 * stimer0: one-shot, with auto-enable, in direct mode (an hrtimer on the
 * VP's CPU calls hvcore_stimer_interrupt() in hard-IRQ context) or in
 * message mode (HVMSG_TIMER_EXPIRED posted to the VP's SINTx slot, which
 * the guest's handler takes to hvcore_timer_message()).  The guest writes
 * its VP's registers on that VP's CPU with interrupts off, and the hrtimer
 * runs there too, so a VP's timer state needs no lock.  An expiry is
 * never early by the reference counter: if the hrtimer (CLOCK_MONOTONIC)
 * fires before the counter reaches the count, it is armed again for the
 * rest.  Periodic mode is not simulated (Linux does not use it): refused.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/stop_machine.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include "internal.h"

/* Reference ticks per second. */
#define HVSIM_REF_HZ		10000000ULL
/* The largest scale change a test may ask for, in ppm. */
#define HVSIM_MAX_PPM		100000
/* The largest forward step, in reference ticks: one hour. */
#define HVSIM_MAX_STEP		(3600 * HVSIM_REF_HZ)
/* TLFS: stimer vectors 0-15 are not valid. */
#define HVSIM_MIN_VECTOR	16

struct hvsim_clock {
	struct mutex lock;		/* page state and page writes */
	struct ms_hyperv_tsc_page *page; /* the guest's page, mapped */
	u64 msr;			/* the guest's last enable value */
	u64 nominal;			/* the scale of tsc_khz */
	u64 scale;			/* published scale */
	s64 offset;			/* published offset */
	u32 seq;			/* last non-zero sequence */
	s32 ppm;			/* scale vs nominal */
	bool invalid;			/* the host holds the page invalid */
	u64 enables;
	u64 refused;
	u64 changes;
	u64 invalidations;
};

static struct hvsim_clock hvsim_clock = {
	.lock = __MUTEX_INITIALIZER(hvsim_clock.lock),
};

struct hvsim_stimer {
	struct hrtimer timer;
	unsigned int cpu;
	u64 config;			/* union hv_stimer_config */
	u64 count;
	/* Counters, written on @cpu only. */
	u64 armed;
	u64 fired;
	u64 messages;
	u64 lost;
	u64 rearmed;
	u64 wrong_cpu;
	u64 refused;
	u64 late_max;			/* ticks past the count, worst */
	u64 last_count;			/* the count of the last expiry */
	u64 last_fire;			/* the counter when it was delivered */
};

static DEFINE_PER_CPU(struct hvsim_stimer, hvsim_stimers);

/* One CPU's last reading of the counter, and whether it is in one. */
struct hvsim_ref_pcpu {
	u64 tsc;
	u64 ref;
	bool busy;
};

static DEFINE_PER_CPU(struct hvsim_ref_pcpu, hvsim_ref_pcpu);

/*
 * Where the reference counter starts: a real partition's counts from its
 * creation, so a guest may have been up for days when it loads a driver.
 */
static unsigned int ref_start_s;
module_param(ref_start_s, uint, 0444);
MODULE_PARM_DESC(ref_start_s,
		 "seconds added to the reference counter, as if the partition had run that long before the guest booted (default 0)");

/**
 * hvsim_ref_of_raw() - the reference time of a raw monotonic clock reading.
 * @raw_ns: ktime_get_raw_ns() or the like.
 *
 * Return: what hvsim_ref_time() read at that moment.
 */
u64 hvsim_ref_of_raw(u64 raw_ns)
{
	return div_u64(raw_ns, 100) + (u64)ref_start_s * HVSIM_REF_HZ;
}

/**
 * hvsim_ref_time() - the partition reference counter.
 *
 * The raw monotonic clock in 100 ns units (plus ref_start_s), through
 * the lockless reader (ktime_get_raw_fast_ns()), which never waits for a
 * timekeeping update in progress: the guest may call this from inside
 * one, when its timekeeping runs on hv_clock and the TSC page is invalid.
 * The raw clock is then itself read through hv_clock, which calls here
 * again: that nested call, the only one that can happen on a CPU already
 * in here, extrapolates this CPU's last reading with the TSC at the
 * nominal scale instead of recursing.
 *
 * Context: any but NMI.
 * Return: the reference time.
 */
u64 hvsim_ref_time(void)
{
	struct hvsim_ref_pcpu *p;
	unsigned long flags;
	u64 ref, tsc;

	local_irq_save(flags);
	p = this_cpu_ptr(&hvsim_ref_pcpu);
	tsc = rdtsc_ordered();
	if (unlikely(p->busy)) {
		u64 scale = READ_ONCE(hvsim_clock.nominal);

		ref = p->ref + mul_u64_u64_shr(tsc - p->tsc, scale, 64);
	} else {
		p->busy = true;
		ref = hvsim_ref_of_raw(ktime_get_raw_fast_ns());
		p->tsc = tsc;
		p->ref = ref;
		p->busy = false;
	}
	local_irq_restore(flags);
	return ref;
}

/**
 * hvsim_clock_scale() - the TSC page scale for a TSC frequency.
 * @tsc_hz: TSC ticks per second; above 10 MHz.
 * @ppm: parts per million to add to the exact scale (-100000..100000).
 *
 * Return: 2^64 * 10^7 / @tsc_hz, times (1 + @ppm / 10^6), rounded down;
 * 0 when @tsc_hz or @ppm is out of range.
 */
u64 hvsim_clock_scale(u64 tsc_hz, s32 ppm)
{
	u64 scale;

	if (tsc_hz <= HVSIM_REF_HZ || ppm < -HVSIM_MAX_PPM ||
	    ppm > HVSIM_MAX_PPM)
		return 0;
	/* 2^63 * (2 * 10^7) / tsc_hz < 2^64 since tsc_hz > 10^7. */
	scale = mul_u64_u64_div_u64(1ULL << 63, 2 * HVSIM_REF_HZ, tsc_hz);
	if (!ppm)
		return scale;
	/* Below 2^64: the exact scale is under 2^64 / 1.1. */
	if (tsc_hz <= HVSIM_REF_HZ + HVSIM_REF_HZ / 10)
		return 0;
	return mul_u64_u64_div_u64(scale, 1000000 + ppm, 1000000);
}

/**
 * hvsim_clock_offset() - the offset that makes a page read @ref at @tsc.
 * @tsc: the TSC.
 * @ref: the reference time wanted at @tsc.
 * @scale: the page's scale.
 *
 * Return: @ref - ((@tsc * @scale) >> 64), modulo 2^64.
 */
s64 hvsim_clock_offset(u64 tsc, u64 ref, u64 scale)
{
	return (s64)(ref - mul_u64_u64_shr(tsc, scale, 64));
}

/* What the page reads at @tsc with scale @scale and offset @offset. */
static u64 hvsim_clock_at(u64 tsc, u64 scale, s64 offset)
{
	return mul_u64_u64_shr(tsc, scale, 64) + (u64)offset;
}

/* Samples taken to anchor the page; the tightest one is kept. */
#define HVSIM_CLOCK_SAMPLES	16

/*
 * A TSC reading paired with the reference counter read between two TSC
 * reads, their midpoint standing for it.  Under TCG a vCPU can stall
 * anywhere, between the two TSC reads too, which would put the midpoint
 * off by half the stall: of several samples the tightest pair is kept.
 */
static void hvsim_clock_sample(u64 *tsc, u64 *ref)
{
	u64 t1, t2, r, best = U64_MAX;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < HVSIM_CLOCK_SAMPLES; i++) {
		local_irq_save(flags);
		t1 = rdtsc_ordered();
		r = hvsim_ref_time();
		t2 = rdtsc_ordered();
		local_irq_restore(flags);
		if (t2 - t1 < best) {
			best = t2 - t1;
			*tsc = t1 + (t2 - t1) / 2;
			*ref = r;
		}
	}
}

/*
 * Write scale and offset to the guest's page between two sequence values:
 * 0 first (a reader that sees it falls back, one that read the old value
 * sees it change), then a new value, never 0.  Lock held.
 */
static void hvsim_clock_publish(struct hvsim_clock *c)
{
	struct ms_hyperv_tsc_page *pg = c->page;

	lockdep_assert_held(&c->lock);
	if (!pg)
		return;
	WRITE_ONCE(pg->tsc_sequence, 0);
	/* Pairs with the reader's first smp_rmb(): 0 before new values. */
	smp_wmb();
	WRITE_ONCE(pg->tsc_scale, c->scale);
	WRITE_ONCE(pg->tsc_offset, c->offset);
	/* Pairs with the reader's second smp_rmb(): values before the seq. */
	smp_wmb();
	if (c->invalid)
		return;
	c->seq++;
	/* 0 means invalid; the TLFS once named 0xffffffff so: skip both. */
	if (!c->seq || c->seq == U32_MAX)
		c->seq = 1;
	WRITE_ONCE(pg->tsc_sequence, c->seq);
}

struct hvsim_clock_change {
	struct hvsim_clock *c;
	u64 scale;
	u64 step;
};

/* Runs on one CPU under stop_machine(): no guest code runs anywhere. */
static int hvsim_clock_change_fn(void *arg)
{
	struct hvsim_clock_change *ch = arg;
	struct hvsim_clock *c = ch->c;
	u64 tsc = rdtsc_ordered();
	u64 now = hvsim_clock_at(tsc, c->scale, c->offset);

	c->offset = hvsim_clock_offset(tsc, now + ch->step, ch->scale);
	c->scale = ch->scale;
	hvsim_clock_publish(c);
	return 0;
}

static int hvsim_clock_change(s32 ppm, u64 step)
{
	struct hvsim_clock *c = &hvsim_clock;
	struct hvsim_clock_change ch = { .c = c, .step = step };
	int ret;

	if (step > HVSIM_MAX_STEP)
		return -EINVAL;
	ch.scale = hvsim_clock_scale((u64)tsc_khz * 1000, ppm);
	if (!ch.scale)
		return -EINVAL;

	mutex_lock(&c->lock);
	if (!c->page) {
		ret = -ENODEV;
	} else {
		ret = stop_machine(hvsim_clock_change_fn, &ch, NULL);
		if (!ret) {
			c->ppm = ppm;
			c->changes++;
		}
	}
	mutex_unlock(&c->lock);
	return ret;
}

static int hvsim_clock_invalidate(bool invalid)
{
	struct hvsim_clock *c = &hvsim_clock;
	int ret = 0;

	mutex_lock(&c->lock);
	if (!c->page) {
		ret = -ENODEV;
	} else if (c->invalid != invalid) {
		c->invalid = invalid;
		if (invalid)
			c->invalidations++;
		/* Scale and offset unchanged; the sequence moves. */
		hvsim_clock_publish(c);
	}
	mutex_unlock(&c->lock);
	return ret;
}

/* Forget the guest's page; lock held. */
static void hvsim_clock_unmap(struct hvsim_clock *c)
{
	lockdep_assert_held(&c->lock);
	if (!c->page)
		return;
	WRITE_ONCE(c->page->tsc_sequence, 0);
	memunmap(c->page);
	c->page = NULL;
	c->msr = 0;
}

/**
 * hvsim_ref_tsc() - backend op: the guest's HV_X64_MSR_REFERENCE_TSC write.
 * @val: a union hv_reference_tsc_msr.
 *
 * Enabling maps the named guest page (which must be RAM) and writes it,
 * anchored to the reference counter now; disabling (enable bit clear)
 * stops every write to it before returning.
 *
 * Context: process context.
 * Return: 0; -EINVAL for reserved bits or a page that is not RAM;
 * -ENODEV when the kernel knows no TSC frequency; -ENOMEM.
 */
int hvsim_ref_tsc(u64 val)
{
	union hv_reference_tsc_msr msr = { .as_uint64 = val };
	struct hvsim_clock *c = &hvsim_clock;
	phys_addr_t gpa = (phys_addr_t)msr.pfn << HV_HYP_PAGE_SHIFT;
	struct ms_hyperv_tsc_page *pg;
	u64 scale, tsc, ref;
	int ret = 0;

	if (msr.reserved)
		goto refuse;
	mutex_lock(&c->lock);
	hvsim_clock_unmap(c);
	if (!msr.enable)
		goto out;

	scale = hvsim_clock_scale((u64)tsc_khz * 1000, 0);
	if (!scale) {
		ret = -ENODEV;
		goto out;
	}
	if (region_intersects(gpa, HV_HYP_PAGE_SIZE, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_INTERSECTS) {
		ret = -EINVAL;
		goto out;
	}
	pg = memremap(gpa, HV_HYP_PAGE_SIZE, MEMREMAP_WB);
	if (!pg) {
		ret = -ENOMEM;
		goto out;
	}

	hvsim_clock_sample(&tsc, &ref);
	c->page = pg;
	c->msr = val;
	WRITE_ONCE(c->nominal, scale);
	c->scale = scale;
	c->offset = hvsim_clock_offset(tsc, ref, scale);
	c->ppm = 0;
	c->invalid = false;
	/* The guest reads nothing before the enable returns. */
	hvsim_clock_publish(c);
	c->enables++;
out:
	if (ret)
		c->refused++;
	mutex_unlock(&c->lock);
	if (ret)
		pr_warn_ratelimited("guest's TSC page %#llx refused: %d\n",
				    val, ret);
	return ret;

refuse:
	pr_warn_ratelimited("guest's TSC page MSR %#llx has reserved bits\n",
			    val);
	return -EINVAL;
}

/**
 * hvsim_stimer_delay() - the hrtimer delay of a stimer0 count ahead.
 * @ticks: reference ticks (100 ns) from now to the count.
 *
 * A guest may write any 64-bit count: one too far ahead for ktime_t (more
 * than about 292 years) waits forever rather than wrapping to an early,
 * or negative, delay.
 *
 * Return: @ticks in ns, at most KTIME_MAX.
 */
ktime_t hvsim_stimer_delay(u64 ticks)
{
	if (ticks > (u64)KTIME_MAX / 100)
		return KTIME_MAX;
	return ns_to_ktime(ticks * 100);
}

/* Start @t's hrtimer for its count; on its CPU, IRQs off. */
static void hvsim_stimer_arm(struct hvsim_stimer *t)
{
	u64 ref = hvsim_ref_time();
	u64 ticks = t->count > ref ? t->count - ref : 0;

	t->armed++;
	/* A relative start saturates at KTIME_MAX (ktime_add_safe()). */
	hrtimer_start(&t->timer, hvsim_stimer_delay(ticks),
		      HRTIMER_MODE_REL_PINNED_HARD);
}

static enum hrtimer_restart hvsim_stimer_fire(struct hrtimer *h)
{
	struct hvsim_stimer *t = container_of(h, struct hvsim_stimer, timer);
	union hv_stimer_config cfg = { .as_uint64 = t->config };
	struct hv_timer_message_payload msg = { };
	u64 ref = hvsim_ref_time();
	u64 count = t->count;

	if (!cfg.enable || !count)
		return HRTIMER_NORESTART;
	/* Moved off a CPU that went down while armed: that VP is gone. */
	if (smp_processor_id() != t->cpu) {
		t->wrong_cpu++;
		return HRTIMER_NORESTART;
	}
	if (ref < count) {
		/* CLOCK_MONOTONIC ran ahead of the counter: not yet. */
		t->rearmed++;
		hrtimer_set_expires(h, ktime_add_safe(hrtimer_cb_get_time(h),
					hvsim_stimer_delay(count - ref)));
		return HRTIMER_RESTART;
	}

	/* A one-shot timer disables itself; the guest may re-arm it below. */
	cfg.enable = 0;
	t->config = cfg.as_uint64;
	t->fired++;
	if (ref - count > t->late_max)
		t->late_max = ref - count;
	WRITE_ONCE(t->last_count, count);
	WRITE_ONCE(t->last_fire, ref);

	if (cfg.direct_mode) {
		hvcore_stimer_interrupt();
		return HRTIMER_NORESTART;
	}
	msg.timer_index = 0;
	msg.expiration_time = count;
	msg.delivery_time = ref;
	if (hvsim_post_to_guest(t->cpu, cfg.sintx, HVMSG_TIMER_EXPIRED, &msg,
				sizeof(msg)))
		t->lost++;
	else
		t->messages++;
	return HRTIMER_NORESTART;
}

/*
 * Stop @t.  Its callback may be running (this is then the guest's handler
 * called from it), which is why the cancel is only tried: the callback
 * sees the timer disabled or re-armed and does not restart it.
 */
static void hvsim_stimer_stop(struct hvsim_stimer *t)
{
	hrtimer_try_to_cancel(&t->timer);
}

/**
 * hvsim_stimer_config() - backend op: this VP's STIMER0_CONFIG write.
 * @config: a union hv_stimer_config.
 *
 * Context: on the VP's CPU with interrupts disabled.
 * Return: 0, or -EINVAL for reserved bits, periodic mode or a direct
 * vector below 16.
 */
int hvsim_stimer_config(u64 config)
{
	struct hvsim_stimer *t = this_cpu_ptr(&hvsim_stimers);
	union hv_stimer_config c = { .as_uint64 = config };

	lockdep_assert_irqs_disabled();
	if (c.reserved_z0 || c.reserved_z1 || c.periodic ||
	    (c.direct_mode && (c.enable || c.auto_enable) &&
	     c.apic_vector < HVSIM_MIN_VECTOR)) {
		t->refused++;
		pr_warn_ratelimited("vp%u: stimer0 config %#llx refused\n",
				    t->cpu, config);
		return -EINVAL;
	}
	/* TLFS: enabling with a count of 0 leaves the timer disabled. */
	if (!t->count)
		c.enable = 0;
	t->config = c.as_uint64;
	if (c.enable)
		hvsim_stimer_arm(t);
	else
		hvsim_stimer_stop(t);
	return 0;
}

/**
 * hvsim_stimer_count() - backend op: this VP's STIMER0_COUNT write.
 * @count: the reference time of the expiry; 0 stops the timer.
 *
 * With auto-enable set, a non-zero count enables the timer.
 *
 * Context: on the VP's CPU with interrupts disabled.
 * Return: 0.
 */
int hvsim_stimer_count(u64 count)
{
	struct hvsim_stimer *t = this_cpu_ptr(&hvsim_stimers);
	union hv_stimer_config c = { .as_uint64 = t->config };

	lockdep_assert_irqs_disabled();
	t->count = count;
	if (!count)
		c.enable = 0;
	else if (c.auto_enable)
		c.enable = 1;
	t->config = c.as_uint64;
	if (c.enable)
		hvsim_stimer_arm(t);
	else
		hvsim_stimer_stop(t);
	return 0;
}

/* "ref": the counter, the TSC, and the page as the host computes it. */
static int hvsim_clock_ref_show(struct seq_file *m, void *v)
{
	struct hvsim_clock *c = &hvsim_clock;
	u64 tsc, ref, page = 0;

	mutex_lock(&c->lock);
	hvsim_clock_sample(&tsc, &ref);
	if (c->page)
		page = hvsim_clock_at(tsc, c->scale, c->offset);
	mutex_unlock(&c->lock);
	seq_printf(m, "ref %llu tsc %llu page %llu\n", ref, tsc, page);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_clock_ref);

static int hvsim_clock_counters_show(struct seq_file *m, void *v)
{
	struct hvsim_clock *c = &hvsim_clock;
	unsigned int cpu;

	mutex_lock(&c->lock);
	seq_printf(m, "enabled %d\n", !!c->page);
	seq_printf(m, "gpa %#llx\n", c->msr & ~(u64)(HV_HYP_PAGE_SIZE - 1));
	seq_printf(m, "tsc_khz %u\n", tsc_khz);
	seq_printf(m, "nominal %llu\n", c->nominal);
	seq_printf(m, "scale %llu\n", c->scale);
	seq_printf(m, "offset %lld\n", c->offset);
	seq_printf(m, "ppm %d\n", c->ppm);
	seq_printf(m, "sequence %u\n", c->page ?
		   READ_ONCE(c->page->tsc_sequence) : 0);
	seq_printf(m, "invalid %d\n", c->invalid);
	seq_printf(m, "enables %llu\n", c->enables);
	seq_printf(m, "refused %llu\n", c->refused);
	seq_printf(m, "changes %llu\n", c->changes);
	seq_printf(m, "invalidations %llu\n", c->invalidations);
	mutex_unlock(&c->lock);

	for_each_possible_cpu(cpu) {
		struct hvsim_stimer *t = per_cpu_ptr(&hvsim_stimers, cpu);

		seq_printf(m, "vp%u.stimer_config %#llx\n", cpu,
			   READ_ONCE(t->config));
		seq_printf(m, "vp%u.stimer_armed %llu\n", cpu,
			   READ_ONCE(t->armed));
		seq_printf(m, "vp%u.stimer_fired %llu\n", cpu,
			   READ_ONCE(t->fired));
		seq_printf(m, "vp%u.stimer_messages %llu\n", cpu,
			   READ_ONCE(t->messages));
		seq_printf(m, "vp%u.stimer_lost %llu\n", cpu,
			   READ_ONCE(t->lost));
		seq_printf(m, "vp%u.stimer_rearmed %llu\n", cpu,
			   READ_ONCE(t->rearmed));
		seq_printf(m, "vp%u.stimer_wrong_cpu %llu\n", cpu,
			   READ_ONCE(t->wrong_cpu));
		seq_printf(m, "vp%u.stimer_refused %llu\n", cpu,
			   READ_ONCE(t->refused));
		seq_printf(m, "vp%u.stimer_late_max %llu\n", cpu,
			   READ_ONCE(t->late_max));
		seq_printf(m, "vp%u.stimer_last_count %llu\n", cpu,
			   READ_ONCE(t->last_count));
		seq_printf(m, "vp%u.stimer_last_fire %llu\n", cpu,
			   READ_ONCE(t->last_fire));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_clock_counters);

/* Copy a short debugfs write into @buf, NUL-terminated. */
static int hvsim_clock_get_str(const char __user *ubuf, size_t count,
			       char *buf, size_t size)
{
	if (count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return 0;
}

/* "PPM [STEP]": a new scale PPM from nominal, reference time stepped. */
static ssize_t hvsim_clock_change_write(struct file *file,
					const char __user *ubuf, size_t count,
					loff_t *ppos)
{
	char buf[64];
	u64 step = 0;
	int ret, n;
	s32 ppm;

	ret = hvsim_clock_get_str(ubuf, count, buf, sizeof(buf));
	if (ret)
		return ret;
	n = sscanf(buf, "%d %llu", &ppm, &step);
	if (n < 1)
		return -EINVAL;
	ret = hvsim_clock_change(ppm, step);
	return ret ? ret : count;
}

/* "1": hold the page invalid (sequence 0); "0": valid again. */
static ssize_t hvsim_clock_invalidate_write(struct file *file,
					    const char __user *ubuf,
					    size_t count, loff_t *ppos)
{
	bool invalid;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &invalid);
	if (!ret)
		ret = hvsim_clock_invalidate(invalid);
	return ret ? ret : count;
}

HVSIM_WRITE_FOPS(hvsim_clock_change_fops, hvsim_clock_change_write);

HVSIM_WRITE_FOPS(hvsim_clock_invalidate_fops, hvsim_clock_invalidate_write);

/**
 * hvsim_timer_debugfs() - create hvsim/clock/.
 * @parent: hvsim's debugfs directory.
 */
void hvsim_timer_debugfs(struct dentry *parent)
{
	struct dentry *dir = debugfs_create_dir("clock", parent);

	debugfs_create_file("ref", 0444, dir, NULL, &hvsim_clock_ref_fops);
	debugfs_create_file("counters", 0444, dir, NULL,
			    &hvsim_clock_counters_fops);
	debugfs_create_file("change", 0200, dir, NULL,
			    &hvsim_clock_change_fops);
	debugfs_create_file("invalidate", 0200, dir, NULL,
			    &hvsim_clock_invalidate_fops);
}

void hvsim_timer_init(void)
{
	unsigned int cpu;

	/* The nested counter reading needs it before any page exists. */
	hvsim_clock.nominal = hvsim_clock_scale((u64)tsc_khz * 1000, 0);

	for_each_possible_cpu(cpu) {
		struct hvsim_stimer *t = per_cpu_ptr(&hvsim_stimers, cpu);

		memset(t, 0, sizeof(*t));
		t->cpu = cpu;
		hrtimer_init(&t->timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
		t->timer.function = hvsim_stimer_fire;
	}
}

/* No guest is left (it held the backend): stop everything. */
void hvsim_timer_exit(void)
{
	struct hvsim_clock *c = &hvsim_clock;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		hrtimer_cancel(&per_cpu_ptr(&hvsim_stimers, cpu)->timer);
	mutex_lock(&c->lock);
	hvsim_clock_unmap(c);
	mutex_unlock(&c->lock);
}
