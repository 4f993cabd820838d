// SPDX-License-Identifier: GPL-2.0
/*
 * hv_clock: the Hyper-V reference time as a clocksource and stimer0 as
 * per-CPU clock events, on hvcore's backend (Hyper-V itself or hvsim).
 *
 * Clocksource: the guest gives the hypervisor a page of its memory (the
 * HV_X64_MSR_REFERENCE_TSC write, hvcore_ref_tsc()), which the hypervisor
 * fills with a scale and an offset turning the TSC into 10 MHz reference
 * time (see hv_clock.h).  While the page says it is not valid, or keeps
 * changing under the reader, a reading comes from the backend's reference
 * counter instead (hvcore_ref_time(): the HV_X64_MSR_TIME_REF_COUNT MSR
 * on Hyper-V).  A backend without the page gets a clocksource made of the
 * counter alone.
 *
 * Clock events: stimer0 of each CPU, one-shot, programmed with the
 * absolute reference time of its expiry.  Direct mode (the timer raises a
 * vector, hvcore_stimer_interrupt()) when the backend has one, else
 * message mode (HVMSG_TIMER_EXPIRED in the VMBus SINT's slot, which
 * hv_vmbus hands over through hvcore_timer_message()).
 *
 * A kernel with CONFIG_HYPERV_TIMER registers its own Hyper-V clocksource
 * and stimer0 on Hyper-V: then this module loads but registers nothing,
 * unless the "force" parameter asks, and forced it reads the kernel's own
 * page and leaves the kernel's MSRs and stimer0 alone (hv_clock_choose()).
 * Under a simulated host both are rated low, so that the kernel never
 * picks them by itself (the tests select the clocksource in sysfs and
 * drive stimer0 through debugfs); in particular stimer0, which hvsim runs
 * on an hrtimer, must never become the tick device that drives that
 * hrtimer, nor the broadcast device (below the HPET's 50).
 *
 * debugfs (/sys/kernel/debug/hv_clock/):
 *   now     read: "page P ref R valid V gap G": a page reading (or the
 *           fallback) and the backend's reference counter around it
 *   stats   read: counters
 *   stimer  write "CPU DELTA": program CPU's stimer0, unused by the
 *           kernel, through set_next_event() DELTA ticks ahead; read:
 *           per CPU the last such request and when it fired
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/clockchips.h>
#include <linux/clocksource.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cpuid.h>
#include <asm/hypervisor.h>
#include <asm/msr.h>
#include <hvguest/hvcore.h>
#if IS_ENABLED(CONFIG_HYPERV_TIMER)
#include <asm/mshyperv.h>
#include <clocksource/hyperv_timer.h>
#endif
#if IS_ENABLED(CONFIG_PARAVIRT)
#include <asm/paravirt.h>
#endif
#include "hv_clock.h"

static bool force;
module_param(force, bool, 0444);
MODULE_PARM_DESC(force, "Register even where the kernel has its own Hyper-V clocksource");

static bool direct_mode = true;
module_param(direct_mode, bool, 0444);
MODULE_PARM_DESC(direct_mode, "Run stimer0 in direct mode when the backend can (else message mode)");

/* Ratings on Hyper-V, as the kernel's own driver has them. */
#define HV_CLOCK_CS_RATING		500
#define HV_CLOCK_CS_RATING_INVARIANT	250
#define HV_CLOCK_CE_RATING		1000
/*
 * Under a simulated host: below every x86 clocksource worth having, and
 * below the LAPIC timer (100) and the HPET (50, the broadcast device).
 */
#define HV_CLOCK_SIM_CS_RATING		40
#define HV_CLOCK_SIM_CE_RATING		40

/* stimer0 deltas: at least one tick, at most 2^32 - 1 ticks (~7 min). */
#define HV_CLOCK_MIN_DELTA		1
#define HV_CLOCK_MAX_DELTA		0xffffffffUL

/* struct hv_clock_pcpu - one CPU's clock event and counters. */
struct hv_clock_pcpu {
	struct clock_event_device ced;
	bool registered;
	/* The debugfs test of stimer0; written on this CPU, IRQs off. */
	bool test_armed;
	u64 test_count;		/* the expiry asked for */
	u64 test_page;		/* the clocksource when it fired */
	u64 test_ref;		/* the backend's counter when it fired */
	unsigned long test_fired;
	/* Counters. */
	unsigned long irqs;
	unsigned long reads;
	unsigned long fallbacks;
	unsigned long retries;
	unsigned long invalid;
	unsigned long given_up;
};

static DEFINE_PER_CPU(struct hv_clock_pcpu, hv_clock_pcpu);

static enum hv_clock_mode hv_clock_mode;
static struct ms_hyperv_tsc_page *hv_clock_page;
static bool hv_clock_stimer_direct;
static u8 hv_clock_stimer_vector;
static bool hv_clock_is_sim;
static int hv_clock_cpuhp = -1;
static struct dentry *hv_clock_debugfs;

static const char *hv_clock_mode_name(enum hv_clock_mode mode)
{
	switch (mode) {
	case HV_CLOCK_OWN:
		return "own";
	case HV_CLOCK_KERNEL_PAGE:
		return "kernel_page";
	case HV_CLOCK_KERNEL_COUNTER:
		return "kernel_counter";
	default:
		return "off";
	}
}

static notrace u64 hv_clock_rdtsc(void *ctx)
{
	return rdtsc_ordered();
}

/*
 * Reference time: the page, else the backend's counter.  @valid tells
 * which one gave it.
 */
static notrace u64 hv_clock_read_ref(bool *valid)
{
	struct hv_clock_read_stats st = { };
	bool ok = false;
	u64 t;

	if (hv_clock_page)
		ok = hv_clock_page_read(hv_clock_page, hv_clock_rdtsc, NULL,
					&t, &st);
	if (!ok)
		t = hvcore_ref_time();

	this_cpu_inc(hv_clock_pcpu.reads);
	if (unlikely(!ok))
		this_cpu_inc(hv_clock_pcpu.fallbacks);
	if (unlikely(st.retries | st.invalid | st.given_up)) {
		this_cpu_add(hv_clock_pcpu.retries, st.retries);
		this_cpu_add(hv_clock_pcpu.invalid, st.invalid);
		this_cpu_add(hv_clock_pcpu.given_up, st.given_up);
	}
	if (valid)
		*valid = ok;
	return t;
}

static u64 hv_clock_cs_read(struct clocksource *cs)
{
	return hv_clock_read_ref(NULL);
}

static struct clocksource hv_clock_cs = {
	.name = "hv_clock_tsc_page",
	.rating = HV_CLOCK_CS_RATING,
	.read = hv_clock_cs_read,
	.mask = CLOCKSOURCE_MASK(64),
	.flags = CLOCK_SOURCE_IS_CONTINUOUS,
};

#if !defined(MODULE) && IS_ENABLED(CONFIG_PARAVIRT)
/* sched_clock in ns: the reference time, biased to continue the old one. */
static u64 hv_clock_sched_bias_ns __ro_after_init;

static u64 notrace hv_clock_sched_clock(void)
{
	return hv_clock_sched_ns(hv_clock_read_ref(NULL),
				 hv_clock_sched_bias_ns);
}

/*
 * Built into a kernel on Hyper-V: the reference time as sched_clock, as
 * the kernel's own driver does where the TSC is not invariant.  Only at
 * boot (paravirt_set_sched_clock() is init-time only), never under a
 * simulated host.
 *
 * This runs at device initcall, long after sched_clock started: the new
 * clock continues from the old one's value at the switch.  The two are
 * read together with interrupts off; the switch itself may sleep (it
 * patches a static call), and both clocks advance alike meanwhile, so
 * a reader sees no jump but the rates' difference over that moment.
 */
static void __init hv_clock_sched_clock_init(void)
{
	unsigned long flags;
	u64 ref, old;

	if (!hv_clock_page || hv_clock_is_sim)
		return;
	if (cpuid_eax(HYPERV_CPUID_FEATURES) & HV_ACCESS_TSC_INVARIANT)
		return;
	local_irq_save(flags);
	old = sched_clock();
	ref = hv_clock_read_ref(NULL);
	local_irq_restore(flags);
	hv_clock_sched_bias_ns = hv_clock_sched_bias(ref, old);
	paravirt_set_sched_clock(hv_clock_sched_clock);
	pr_info("reference time is sched_clock, continuing from %llu ns\n",
		old);
}
#else
static inline void hv_clock_sched_clock_init(void)
{
}
#endif

/* stimer0's configuration for one-shot use, in the chosen mode. */
static u64 hv_clock_stimer_config(void)
{
	union hv_stimer_config c = { .as_uint64 = 0 };

	c.enable = 1;
	c.auto_enable = 1;
	if (hv_clock_stimer_direct) {
		c.direct_mode = 1;
		c.apic_vector = hv_clock_stimer_vector;
	} else {
		c.sintx = HVCORE_VMBUS_SINT;
	}
	return c.as_uint64;
}

static int hv_clock_ce_next(unsigned long delta,
			    struct clock_event_device *ced)
{
	struct hv_clock_pcpu *pc = container_of(ced, struct hv_clock_pcpu,
						ced);
	u64 count = hv_clock_read_ref(NULL) + delta;

	if (pc->test_armed)
		pc->test_count = count;
	return hvcore_stimer_count(count);
}

static int hv_clock_ce_oneshot(struct clock_event_device *ced)
{
	return hvcore_stimer_config(hv_clock_stimer_config());
}

static int hv_clock_ce_shutdown(struct clock_event_device *ced)
{
	int ret = hvcore_stimer_count(0);

	return hvcore_stimer_config(0) ?: ret;
}

/*
 * stimer0 expired on this CPU (either mode).  Hard-IRQ context, called by
 * hvcore, which keeps this module alive while the handler is set.
 */
static void hv_clock_stimer_isr(void)
{
	struct hv_clock_pcpu *pc = this_cpu_ptr(&hv_clock_pcpu);

	pc->irqs++;
	if (pc->test_armed) {
		pc->test_page = hv_clock_read_ref(NULL);
		pc->test_ref = hvcore_ref_time();
		pc->test_armed = false;
		/* The test owns the timer: it stops with the test. */
		hv_clock_ce_shutdown(&pc->ced);
		/* The results above are visible to whoever sees the count. */
		smp_store_release(&pc->test_fired, pc->test_fired + 1);
		return;
	}
	if (pc->registered && pc->ced.event_handler)
		pc->ced.event_handler(&pc->ced);
}

static int hv_clock_cpu_online(unsigned int cpu)
{
	struct hv_clock_pcpu *pc = per_cpu_ptr(&hv_clock_pcpu, cpu);
	struct clock_event_device *ced = &pc->ced;

	memset(ced, 0, sizeof(*ced));
	ced->name = "hv_clock_stimer0";
	/*
	 * Not CLOCK_EVT_FEAT_PERCPU, though stimer0 interrupts only its own
	 * VP: with it the tick core takes a one-shot device as the CPU's
	 * idle wakeup device (tick_set_oneshot_wakeup_device()), whatever
	 * its rating, and then neither the test hook nor CPU offline can
	 * have it back.
	 */
	ced->features = CLOCK_EVT_FEAT_ONESHOT;
	ced->rating = hv_clock_is_sim ? HV_CLOCK_SIM_CE_RATING :
					HV_CLOCK_CE_RATING;
	ced->cpumask = cpumask_of(cpu);
	ced->set_state_shutdown = hv_clock_ce_shutdown;
	ced->set_state_oneshot = hv_clock_ce_oneshot;
	ced->set_next_event = hv_clock_ce_next;
	pc->test_armed = false;
	pc->registered = true;
	clockevents_config_and_register(ced, HV_CLOCK_REF_HZ,
					HV_CLOCK_MIN_DELTA,
					HV_CLOCK_MAX_DELTA);
	return 0;
}

static int hv_clock_cpu_offline(unsigned int cpu)
{
	struct hv_clock_pcpu *pc = per_cpu_ptr(&hv_clock_pcpu, cpu);
	int ret;

	if (!pc->registered)
		return 0;
	/* Hands the tick to another device of this CPU if ours had it. */
	ret = clockevents_unbind_device(&pc->ced, cpu);
	if (ret) {
		pr_err("cpu%u: stimer0 clock event still in use: %d\n", cpu,
		       ret);
		return ret;
	}
	local_irq_disable();
	pc->registered = false;
	pc->test_armed = false;
	hv_clock_ce_shutdown(&pc->ced);
	local_irq_enable();
	return 0;
}

/* Bracketed readings "now" takes; the tightest one is shown. */
#define HV_CLOCK_NOW_TRIES	4

/*
 * "now": one clocksource reading, and the backend's counter read just
 * before and just after it: "ref" is their midpoint, "gap" their
 * distance, the error of comparing the two.  Under TCG a vCPU can stall
 * between any two reads, so of a few brackets the tightest is shown.
 */
static int hv_clock_now_show(struct seq_file *m, void *v)
{
	u64 t = 0, r1, r2, ref = 0, gap = U64_MAX, tt;
	unsigned long flags;
	bool valid = false, vv;
	unsigned int i;

	for (i = 0; i < HV_CLOCK_NOW_TRIES; i++) {
		local_irq_save(flags);
		r1 = hvcore_ref_time();
		tt = hv_clock_read_ref(&vv);
		r2 = hvcore_ref_time();
		local_irq_restore(flags);
		if (r2 - r1 < gap) {
			gap = r2 - r1;
			ref = r1 + gap / 2;
			t = tt;
			valid = vv;
		}
	}
	seq_printf(m, "page %llu ref %llu valid %d gap %llu\n", t, ref, valid,
		   gap);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hv_clock_now);

static int hv_clock_stats_show(struct seq_file *m, void *v)
{
	unsigned long reads = 0, fallbacks = 0, retries = 0, invalid = 0;
	unsigned long given_up = 0, irqs = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct hv_clock_pcpu *pc = per_cpu_ptr(&hv_clock_pcpu, cpu);

		reads += READ_ONCE(pc->reads);
		fallbacks += READ_ONCE(pc->fallbacks);
		retries += READ_ONCE(pc->retries);
		invalid += READ_ONCE(pc->invalid);
		given_up += READ_ONCE(pc->given_up);
		irqs += READ_ONCE(pc->irqs);
	}
	seq_printf(m, "mode %s\n", hv_clock_mode_name(hv_clock_mode));
	seq_printf(m, "clocksource %s\n", hv_clock_cs.name);
	seq_printf(m, "page %d\n", !!hv_clock_page);
	seq_printf(m, "stimer %s\n", hv_clock_cpuhp < 0 ? "none" :
		   hv_clock_stimer_direct ? "direct" : "message");
	seq_printf(m, "cs_rating %d\n", hv_clock_cs.rating);
	seq_printf(m, "reads %lu\n", reads);
	seq_printf(m, "fallbacks %lu\n", fallbacks);
	seq_printf(m, "retries %lu\n", retries);
	seq_printf(m, "invalid %lu\n", invalid);
	seq_printf(m, "given_up %lu\n", given_up);
	seq_printf(m, "stimer_irqs %lu\n", irqs);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hv_clock_stats);

struct hv_clock_test_req {
	unsigned long delta;
	int ret;
};

/*
 * Program this CPU's stimer0 for the test, through the clock event's own
 * callbacks, if the kernel does not use it.  IRQs off on the CPU.
 */
static void hv_clock_test_arm(void *arg)
{
	struct hv_clock_pcpu *pc = this_cpu_ptr(&hv_clock_pcpu);
	struct hv_clock_test_req *req = arg;

	if (!pc->registered || pc->test_armed ||
	    !clockevent_state_detached(&pc->ced)) {
		req->ret = -EBUSY;
		return;
	}
	pc->test_armed = true;
	req->ret = pc->ced.set_state_oneshot(&pc->ced);
	if (!req->ret)
		req->ret = pc->ced.set_next_event(req->delta, &pc->ced);
	if (req->ret) {
		pc->test_armed = false;
		hv_clock_ce_shutdown(&pc->ced);
	}
}

static ssize_t hv_clock_stimer_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct hv_clock_test_req req = { };
	unsigned int cpu;
	char buf[48];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%u %lu", &cpu, &req.delta) != 2 ||
	    req.delta < HV_CLOCK_MIN_DELTA || req.delta > HV_CLOCK_MAX_DELTA)
		return -EINVAL;
	if (hv_clock_cpuhp < 0)
		return -EOPNOTSUPP;

	cpus_read_lock();
	if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		cpus_read_unlock();
		return -ENODEV;
	}
	ret = smp_call_function_single(cpu, hv_clock_test_arm, &req, 1);
	cpus_read_unlock();
	if (!ret)
		ret = req.ret;
	return ret ? ret : count;
}

static int hv_clock_stimer_show(struct seq_file *m, void *v)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		struct hv_clock_pcpu *pc = per_cpu_ptr(&hv_clock_pcpu, cpu);
		/* Pairs with the ISR's release: the results match the count. */
		unsigned long fired = smp_load_acquire(&pc->test_fired);

		seq_printf(m, "cpu%u fired %lu count %llu page %llu ref %llu armed %d\n",
			   cpu, fired, READ_ONCE(pc->test_count),
			   READ_ONCE(pc->test_page), READ_ONCE(pc->test_ref),
			   READ_ONCE(pc->test_armed));
	}
	return 0;
}

static int hv_clock_stimer_open(struct inode *inode, struct file *file)
{
	return single_open(file, hv_clock_stimer_show, NULL);
}

static const struct file_operations hv_clock_stimer_fops = {
	.owner = THIS_MODULE,
	.open = hv_clock_stimer_open,
	.read = seq_read,
	.write = hv_clock_stimer_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* What decides the mode (see hv_clock_choose()). */
static void hv_clock_get_env(struct hv_clock_env *env)
{
	memset(env, 0, sizeof(*env));
	env->sim = !hvcore_backend_is_real();
#ifndef MODULE
	env->builtin = true;
#endif
	env->force = force;
#if IS_ENABLED(CONFIG_HYPERV_TIMER)
	/*
	 * hv_init_tsc_clocksource() sets the PFN as it gives the page to the
	 * hypervisor and registers hyperv_clocksource_tsc_page.
	 */
	env->kernel_page = hv_get_tsc_pfn() != 0;
	/*
	 * Nothing the kernel exports says hyperv_clocksource_msr is
	 * registered: hv_init_clocksource() registers it at boot on Hyper-V
	 * whenever the reference counter is offered, and that is the test.
	 */
	env->kernel_counter = hypervisor_is_type(X86_HYPER_MS_HYPERV) &&
			      (ms_hyperv.features &
			       HV_MSR_TIME_REF_COUNT_AVAILABLE);
#endif
}

static int hv_clock_page_enable(void)
{
	union hv_reference_tsc_msr msr = { .as_uint64 = 0 };
	struct ms_hyperv_tsc_page *pg;
	int ret;

	pg = (void *)get_zeroed_page(GFP_KERNEL);
	if (!pg)
		return -ENOMEM;
	msr.enable = 1;
	msr.pfn = virt_to_phys(pg) >> HV_HYP_PAGE_SHIFT;
	ret = hvcore_ref_tsc(msr.as_uint64);
	if (ret) {
		free_page((unsigned long)pg);
		return ret;
	}
	hv_clock_page = pg;
	return 0;
}

static void hv_clock_page_disable(void)
{
	/*
	 * Only in HV_CLOCK_OWN is a page ours (given to the hypervisor by
	 * hv_clock_page_enable()); the kernel's, or none, is not ours to
	 * free, nor the MSR to clear.
	 */
	if (hv_clock_mode == HV_CLOCK_OWN && hv_clock_page) {
		/* The host writes the page until this returns: only then free. */
		hvcore_ref_tsc(0);
		free_page((unsigned long)hv_clock_page);
	}
	hv_clock_page = NULL;
}

/*
 * The clocksource's page: one of our own (the MSR write), the kernel's
 * (read only), or none (the reference counter alone).
 */
static int hv_clock_page_init(void)
{
	int ret;

	switch (hv_clock_mode) {
	case HV_CLOCK_OWN:
		ret = hv_clock_page_enable();
		if (ret != -EOPNOTSUPP)
			return ret;
		break;
#if IS_ENABLED(CONFIG_HYPERV_TIMER)
	case HV_CLOCK_KERNEL_PAGE:
		hv_clock_page = hv_get_tsc_page();
		if (hv_clock_page)
			return 0;
		break;
#endif
	default:
		break;
	}
	hv_clock_cs.name = "hv_clock_ref";
	return 0;
}

static int hv_clock_stimer_init(void)
{
	int vector, ret;

	if (!hvcore_has_stimer())
		return 0;
	vector = hvcore_stimer_vector();
	hv_clock_stimer_direct = direct_mode && vector > 0;
	hv_clock_stimer_vector = hv_clock_stimer_direct ? vector : 0;

	ret = hvcore_set_stimer_handler(hv_clock_stimer_isr);
	if (ret)
		return ret;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hv_clock:online",
				hv_clock_cpu_online, hv_clock_cpu_offline);
	if (ret < 0) {
		hvcore_clear_stimer_handler();
		return ret;
	}
	hv_clock_cpuhp = ret;
	return 0;
}

static void hv_clock_stimer_exit(void)
{
	if (hv_clock_cpuhp < 0)
		return;
	cpuhp_remove_state(hv_clock_cpuhp);
	hv_clock_cpuhp = -1;
	hvcore_clear_stimer_handler();
}

/* Says why the mode is what it is. */
static void hv_clock_log_mode(const struct hv_clock_env *env)
{
	const char *kcs = env->kernel_page ? "hyperv_clocksource_tsc_page" :
					     "hyperv_clocksource_msr";

	switch (hv_clock_mode) {
	case HV_CLOCK_OFF:
		if (env->sim)
			pr_info("built in next to a simulated backend: registering nothing\n");
		else
			pr_info("the kernel registered %s: registering nothing (force=1 to override)\n",
				kcs);
		break;
	case HV_CLOCK_KERNEL_PAGE:
		pr_info("forced next to the kernel's %s: reading the kernel's TSC page, its REFERENCE_TSC and stimer0 left alone, no clock events\n",
			kcs);
		break;
	case HV_CLOCK_KERNEL_COUNTER:
		pr_info("forced next to the kernel's %s: reference counter only, its stimer0 left alone, no clock events\n",
			kcs);
		break;
	default:
		break;
	}
}

static int __init hv_clock_init(void)
{
	struct hv_clock_env env;
	int ret;

	ret = hvcore_get_backend();
	if (ret) {
		pr_err("no hypervisor backend: %d\n", ret);
		return ret;
	}
	hv_clock_get_env(&env);
	hv_clock_is_sim = env.sim;
	hv_clock_mode = hv_clock_choose(&env);
	hv_clock_log_mode(&env);
	if (hv_clock_mode == HV_CLOCK_OFF) {
		/* Loaded and idle: hv_clock_exit() has nothing to undo. */
		hvcore_put_backend();
		return 0;
	}

	ret = hv_clock_page_init();
	if (ret) {
		pr_err("TSC page refused: %d\n", ret);
		goto err_put;
	}
	if (hv_clock_is_sim)
		hv_clock_cs.rating = HV_CLOCK_SIM_CS_RATING;
	else if (cpuid_eax(HYPERV_CPUID_FEATURES) & HV_ACCESS_TSC_INVARIANT)
		hv_clock_cs.rating = HV_CLOCK_CS_RATING_INVARIANT;

	ret = clocksource_register_hz(&hv_clock_cs, HV_CLOCK_REF_HZ);
	if (ret)
		goto err_page;

	/* Forced next to the kernel's clocksource, stimer0 is the kernel's. */
	ret = hv_clock_mode == HV_CLOCK_OWN ? hv_clock_stimer_init() : 0;
	if (ret) {
		pr_err("stimer0 clock events not registered: %d\n", ret);
		goto err_cs;
	}

	hv_clock_debugfs = debugfs_create_dir("hv_clock", NULL);
	debugfs_create_file("now", 0444, hv_clock_debugfs, NULL,
			    &hv_clock_now_fops);
	debugfs_create_file("stats", 0444, hv_clock_debugfs, NULL,
			    &hv_clock_stats_fops);
	debugfs_create_file("stimer", 0644, hv_clock_debugfs, NULL,
			    &hv_clock_stimer_fops);

	if (hv_clock_mode == HV_CLOCK_OWN)
		hv_clock_sched_clock_init();
	pr_info("%s registered on the %s backend, stimer0 %s\n",
		hv_clock_cs.name, hvcore_backend_name(),
		hv_clock_cpuhp < 0 ? "absent" :
		hv_clock_stimer_direct ? "in direct mode" : "in message mode");
	return 0;

err_cs:
	clocksource_unregister(&hv_clock_cs);
err_page:
	hv_clock_page_disable();
err_put:
	hvcore_put_backend();
	return ret;
}

static void __exit hv_clock_exit(void)
{
	if (hv_clock_mode == HV_CLOCK_OFF)
		return;
	debugfs_remove_recursive(hv_clock_debugfs);
	hv_clock_stimer_exit();
	clocksource_unregister(&hv_clock_cs);
	hv_clock_page_disable();
	hvcore_put_backend();
}

module_init(hv_clock_init);
module_exit(hv_clock_exit);
MODULE_DESCRIPTION("hvguest Hyper-V reference time clocksource and stimer0 clock events");
MODULE_LICENSE("GPL");
