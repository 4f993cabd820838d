// SPDX-License-Identifier: GPL-2.0
/*
 * hvcore: the per-CPU SynIC pages and the interrupt entry.
 *
 * hvcore allocates one message page (SIMP) and one event-flags page
 * (SIEFP) for every possible CPU.  The bus enables a CPU's SynIC from its
 * CPU-hotplug callback on that CPU, which hands the pages to the backend;
 * from then on the backend writes them and interrupts the CPU by calling
 * hvcore_interrupt() there, in hard-IRQ context.  hvcore_interrupt() calls
 * the one handler the bus registered.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "internal.h"

/* One kernel page holds one hypervisor page: true on x86. */
static_assert(PAGE_SIZE == HV_HYP_PAGE_SIZE);

static DEFINE_PER_CPU(struct hvcore_synic, hvcore_synics);
static DEFINE_PER_CPU(u64, hvcore_irqs);

/* Serialises init and exit; counts their pairs. */
static DEFINE_MUTEX(hvcore_synic_lock);
static unsigned int hvcore_synic_users;

/*
 * The interrupt handler.  Published with rcu_assign_pointer() and called
 * inside an RCU read-side section, so that hvcore_clear_handler() can wait
 * for calls in flight with synchronize_rcu().
 */
struct hvcore_handler {
	void (*fn)(void);
};

static DEFINE_MUTEX(hvcore_handler_lock);
static struct hvcore_handler __rcu *hvcore_handler;

static void hvcore_synic_free_cpu(unsigned int cpu)
{
	struct hvcore_synic *s = per_cpu_ptr(&hvcore_synics, cpu);

	free_page((unsigned long)s->msg_page);
	free_page((unsigned long)s->event_page);
	s->msg_page = NULL;
	s->event_page = NULL;
	s->msg_pa = 0;
	s->event_pa = 0;
}

/**
 * hvcore_synic_init() - allocate the SynIC pages of every possible CPU.
 *
 * The pages start zeroed: every message slot free (HVMSG_NONE), every
 * event flag clear.  Calls nest: each successful call is paired with one
 * hvcore_synic_exit(), and the pages are freed by the last one.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM (nothing is left allocated then).
 */
int hvcore_synic_init(void)
{
	struct hvcore_synic *s;
	unsigned int cpu;
	int ret = 0;

	mutex_lock(&hvcore_synic_lock);
	if (hvcore_synic_users)
		goto out;

	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(&hvcore_synics, cpu);
		/* Pages kept by a previous exit (see there) are reused. */
		if (s->msg_page)
			continue;
		s->msg_page = (void *)get_zeroed_page(GFP_KERNEL);
		s->event_page = (void *)get_zeroed_page(GFP_KERNEL);
		if (!s->msg_page || !s->event_page) {
			ret = -ENOMEM;
			goto err_free;
		}
		s->msg_pa = virt_to_phys(s->msg_page);
		s->event_pa = virt_to_phys(s->event_page);
	}
	goto out;

err_free:
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(&hvcore_synics, cpu);
		if (!READ_ONCE(s->enabled))
			hvcore_synic_free_cpu(cpu);
	}
out:
	if (!ret)
		hvcore_synic_users++;
	mutex_unlock(&hvcore_synic_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvcore_synic_init);

/**
 * hvcore_synic_exit() - undo one hvcore_synic_init().
 *
 * The last call frees the pages.  Every CPU's SynIC must be disabled by
 * then; the pages of a CPU whose SynIC is still enabled are kept (the
 * hypervisor may still write them) and a warning is logged.
 *
 * Context: process context, may sleep.
 */
void hvcore_synic_exit(void)
{
	unsigned int cpu;

	mutex_lock(&hvcore_synic_lock);
	if (WARN_ON(!hvcore_synic_users) || --hvcore_synic_users)
		goto out;

	for_each_possible_cpu(cpu) {
		if (WARN(READ_ONCE(per_cpu_ptr(&hvcore_synics, cpu)->enabled),
			 "cpu%u: SynIC still enabled, its pages are kept\n",
			 cpu))
			continue;
		hvcore_synic_free_cpu(cpu);
	}
out:
	mutex_unlock(&hvcore_synic_lock);
}
EXPORT_SYMBOL_GPL(hvcore_synic_exit);

/**
 * hvcore_synic_enable() - give a CPU's SynIC pages to the hypervisor.
 * @cpu: the CPU; the caller runs on it.
 *
 * Between hvcore_synic_init() and hvcore_synic_exit().  From now on the
 * hypervisor may deliver messages and events for @cpu and call
 * hvcore_interrupt() on it, even before this returns (messages that
 * waited for the SynIC): the handler must be ready.
 *
 * Context: on @cpu with migration disabled (a CPU-hotplug callback, a
 * work item bound to @cpu, or preemption disabled); the caller holds a
 * backend reference.  Does not sleep.
 * Return: 0; -EINVAL when @cpu is not possible or not the current CPU;
 * -ENXIO before hvcore_synic_init(); -EBUSY when already enabled;
 * -ENODEV without a backend; or the backend's error.
 */
int hvcore_synic_enable(unsigned int cpu)
{
	const struct hvcore_backend_ops *ops = READ_ONCE(hvcore_ops);
	struct hvcore_synic *s;
	int ret;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -EINVAL;
	if (!ops)
		return -ENODEV;
	s = per_cpu_ptr(&hvcore_synics, cpu);
	if (!s->msg_page)
		return -ENXIO;

	preempt_disable();
	if (WARN_ON_ONCE(cpu != smp_processor_id())) {
		ret = -EINVAL;
	} else if (s->enabled) {
		ret = -EBUSY;
	} else {
		/* Set first: the backend may interrupt before returning. */
		WRITE_ONCE(s->enabled, true);
		ret = ops->synic_enable(cpu, s);
		if (ret)
			WRITE_ONCE(s->enabled, false);
	}
	preempt_enable();
	return ret;
}
EXPORT_SYMBOL_GPL(hvcore_synic_enable);

/**
 * hvcore_synic_disable() - take a CPU's SynIC pages back.
 * @cpu: the CPU; the caller runs on it.
 *
 * The hypervisor stops writing the pages and interrupting @cpu for new
 * messages; an interrupt already raised may still arrive, which the
 * handler must tolerate.  Nothing happens when the SynIC is not enabled.
 *
 * Context: as hvcore_synic_enable().
 */
void hvcore_synic_disable(unsigned int cpu)
{
	const struct hvcore_backend_ops *ops = READ_ONCE(hvcore_ops);
	struct hvcore_synic *s;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return;
	s = per_cpu_ptr(&hvcore_synics, cpu);

	preempt_disable();
	if (!WARN_ON_ONCE(cpu != smp_processor_id()) && s->enabled) {
		/* A backend never leaves with SynICs enabled; be safe. */
		if (!WARN_ON_ONCE(!ops))
			ops->synic_disable(cpu, s);
		WRITE_ONCE(s->enabled, false);
	}
	preempt_enable();
}
EXPORT_SYMBOL_GPL(hvcore_synic_disable);

/**
 * hvcore_synic() - a CPU's SynIC pages.
 * @cpu: the CPU.
 *
 * Context: any; valid between hvcore_synic_init() and hvcore_synic_exit().
 * Return: the pages, or NULL for an impossible CPU or outside that span.
 */
struct hvcore_synic *hvcore_synic(unsigned int cpu)
{
	struct hvcore_synic *s;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return NULL;
	s = per_cpu_ptr(&hvcore_synics, cpu);
	return READ_ONCE(s->msg_page) ? s : NULL;
}
EXPORT_SYMBOL_GPL(hvcore_synic);

/**
 * hvcore_set_handler() - register the SynIC interrupt handler.
 * @fn: called by hvcore_interrupt() in hard-IRQ context on the
 *	interrupted CPU, inside an RCU read-side section.  It must not
 *	sleep and should defer long work.
 *
 * One handler at a time (hv_vmbus's ISR).
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a NULL @fn, -EBUSY when a handler is set, or
 * -ENOMEM.
 */
int hvcore_set_handler(void (*fn)(void))
{
	struct hvcore_handler *h;
	int ret = 0;

	if (!fn)
		return -EINVAL;
	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->fn = fn;

	mutex_lock(&hvcore_handler_lock);
	if (rcu_access_pointer(hvcore_handler)) {
		ret = -EBUSY;
		kfree(h);
	} else {
		rcu_assign_pointer(hvcore_handler, h);
	}
	mutex_unlock(&hvcore_handler_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvcore_set_handler);

/**
 * hvcore_clear_handler() - unregister the SynIC interrupt handler.
 *
 * When it returns, no call of the old handler is running and none will
 * start: its module may go away.  Interrupts keep being counted.
 *
 * Context: process context, sleeps (synchronize_rcu()).
 */
void hvcore_clear_handler(void)
{
	struct hvcore_handler *old;

	mutex_lock(&hvcore_handler_lock);
	old = rcu_replace_pointer(hvcore_handler, NULL,
				  lockdep_is_held(&hvcore_handler_lock));
	mutex_unlock(&hvcore_handler_lock);
	/* Handlers run under rcu_read_lock(): wait for those in flight. */
	synchronize_rcu();
	kfree(old);
}
EXPORT_SYMBOL_GPL(hvcore_clear_handler);

/**
 * hvcore_interrupt() - the SynIC interrupt of the current CPU.
 *
 * Called by the backend on the interrupted CPU.  Counts the interrupt and
 * calls the registered handler, if any.
 *
 * Context: hard-IRQ context.
 */
void hvcore_interrupt(void)
{
	struct hvcore_handler *h;

	lockdep_assert_in_irq();
	this_cpu_inc(hvcore_irqs);

	rcu_read_lock();
	h = rcu_dereference(hvcore_handler);
	if (h)
		h->fn();
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(hvcore_interrupt);

/**
 * hvcore_interrupt_count() - SynIC interrupts a CPU has taken.
 * @cpu: the CPU.
 *
 * Context: any.
 * Return: the number of hvcore_interrupt() calls on @cpu since boot (or
 * since hvcore was loaded), 0 for an impossible CPU.
 */
u64 hvcore_interrupt_count(unsigned int cpu)
{
	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return 0;
	return READ_ONCE(*per_cpu_ptr(&hvcore_irqs, cpu));
}
EXPORT_SYMBOL_GPL(hvcore_interrupt_count);

static int hvcore_synic_show(struct seq_file *m, void *v)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct hvcore_synic *s = per_cpu_ptr(&hvcore_synics, cpu);

		seq_printf(m, "cpu%u.pages %d\n", cpu,
			   READ_ONCE(s->msg_page) ? 1 : 0);
		seq_printf(m, "cpu%u.enabled %d\n", cpu,
			   READ_ONCE(s->enabled) ? 1 : 0);
		seq_printf(m, "cpu%u.interrupts %llu\n", cpu,
			   hvcore_interrupt_count(cpu));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvcore_synic);

void hvcore_synic_debugfs(struct dentry *dir)
{
	debugfs_create_file("synic", 0444, dir, NULL, &hvcore_synic_fops);
}
