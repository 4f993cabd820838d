// SPDX-License-Identifier: GPL-2.0
/*
 * hvcore: backend registration and the calls that go to the backend.
 *
 * Exactly one hypervisor backend may be registered at a time.  Users
 * (hv_vmbus, the clocks) take a reference with hvcore_get_backend(), which
 * pins the backend's module until hvcore_put_backend(); while they hold it
 * the ops table cannot change, so the hvcore_* calls below read it without
 * a lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/debugfs.h>
#include <linux/rcupdate.h>
#include "hyperv.h"

static DEFINE_MUTEX(hvcore_lock);
const struct hvcore_backend_ops *hvcore_ops;
static unsigned int hvcore_users;
/* The stimer0 expiry handler; calls run in hard-IRQ context (RCU). */
static struct {
	void (*fn)(void);
} hvcore_stimer;
static struct dentry *hvcore_debugfs;

/**
 * hvcore_register_backend() - make @ops the hypervisor backend.
 * @ops: the backend; must stay valid until hvcore_unregister_backend().
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for an incomplete table, or -EBUSY when another
 * backend is registered.
 */
int hvcore_register_backend(const struct hvcore_backend_ops *ops)
{
	int ret = 0;

	if (!ops || !ops->name || !ops->post_message || !ops->signal_event ||
	    !ops->synic_enable || !ops->synic_disable || !ops->eom ||
	    !ops->vp_index || !ops->ref_time)
		return -EINVAL;

	mutex_lock(&hvcore_lock);
	if (hvcore_ops) {
		pr_err("backend %s refused: %s is registered\n", ops->name,
		       hvcore_ops->name);
		ret = -EBUSY;
	} else {
		WRITE_ONCE(hvcore_ops, ops);
		pr_info("backend %s registered\n", ops->name);
	}
	mutex_unlock(&hvcore_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvcore_register_backend);

/**
 * hvcore_unregister_backend() - withdraw @ops.
 * @ops: the table given to hvcore_register_backend().
 *
 * Users pin the backend's module, so by the time its exit path calls this
 * there are none.
 *
 * Context: process context, may sleep.
 */
void hvcore_unregister_backend(const struct hvcore_backend_ops *ops)
{
	mutex_lock(&hvcore_lock);
	if (hvcore_ops == ops) {
		WARN_ON(hvcore_users);
		WRITE_ONCE(hvcore_ops, NULL);
		pr_info("backend %s unregistered\n", ops->name);
	}
	mutex_unlock(&hvcore_lock);
}
EXPORT_SYMBOL_GPL(hvcore_unregister_backend);

/**
 * hvcore_get_backend() - take a reference on the registered backend.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENODEV when no backend is registered or its module is
 * going away, or the error of the backend's attach.
 */
int hvcore_get_backend(void)
{
	int ret = -ENODEV;

	mutex_lock(&hvcore_lock);
	if (hvcore_ops && try_module_get(hvcore_ops->owner)) {
		ret = 0;
		if (!hvcore_users && hvcore_ops->attach)
			ret = hvcore_ops->attach();
		if (ret)
			module_put(hvcore_ops->owner);
		else if (!hvcore_users++)
			hvcore_kernel_hv_install(hvcore_ops);
	}
	mutex_unlock(&hvcore_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvcore_get_backend);

/**
 * hvcore_put_backend() - drop a reference taken by hvcore_get_backend().
 *
 * Context: process context, may sleep.
 */
void hvcore_put_backend(void)
{
	mutex_lock(&hvcore_lock);
	if (!WARN_ON(!hvcore_users || !hvcore_ops)) {
		if (!--hvcore_users) {
			hvcore_kernel_hv_restore();
			if (hvcore_ops->detach)
				hvcore_ops->detach();
		}
		module_put(hvcore_ops->owner);
	}
	mutex_unlock(&hvcore_lock);
}
EXPORT_SYMBOL_GPL(hvcore_put_backend);

/**
 * hvcore_backend_name() - name of the registered backend.
 *
 * Context: any; the caller holds a backend reference.
 * Return: the name, or "none".
 */
const char *hvcore_backend_name(void)
{
	const struct hvcore_backend_ops *ops = READ_ONCE(hvcore_ops);

	return ops ? ops->name : "none";
}
EXPORT_SYMBOL_GPL(hvcore_backend_name);

/**
 * hvcore_backend_is_real() - whether the backend is the hypervisor itself.
 *
 * True only for the "hyperv" backend on the kernel's own Hyper-V code,
 * never for a simulated backend nor for the "hyperv" ops driven by a test
 * platform.  Callers use it before touching the kernel's Hyper-V hooks
 * (kexec and crash handlers, stimer0), which exist only on Hyper-V.
 *
 * Context: any; the caller holds a backend reference.
 * Return: true on real Hyper-V.
 */
bool hvcore_backend_is_real(void)
{
	return READ_ONCE(hvcore_ops) == &hvcore_hv_ops && hvcore_hv_is_real();
}
EXPORT_SYMBOL_GPL(hvcore_backend_is_real);

/*
 * The backend of a caller that holds a reference.  A caller without one is
 * a bug in hvguest, not something a host can cause, hence the warning.
 */
static const struct hvcore_backend_ops *hvcore_backend(void)
{
	const struct hvcore_backend_ops *ops = READ_ONCE(hvcore_ops);

	WARN_ON_ONCE(!ops);
	return ops;
}

/**
 * hvcore_post_message() - send a message to the host (HvPostMessage).
 * @conn_id: the host's connection ID.
 * @type: the message type (1 for VMBus).
 * @payload: @len bytes to send; copied before the call returns.
 * @len: payload length, at most HV_MESSAGE_PAYLOAD_BYTE_COUNT.
 *
 * Context: any context but NMI; the caller holds a backend reference.
 * Return: 0; -EMSGSIZE when @len is too long; -EINVAL for a NULL
 * @payload with a non-zero @len; -EAGAIN when the host's queue is full
 * (retry later); -ENODEV without a backend; another negative errno from
 * the backend.
 */
int hvcore_post_message(u32 conn_id, u32 type, const void *payload, u32 len)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	if (!ops)
		return -ENODEV;
	if (len > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EMSGSIZE;
	if (len && !payload)
		return -EINVAL;
	return ops->post_message(conn_id, type, payload, len);
}
EXPORT_SYMBOL_GPL(hvcore_post_message);

/**
 * hvcore_signal_event() - signal the host (HvSignalEvent).
 * @conn_id: the host's connection ID.
 * @flag: the event flag number within that connection.
 *
 * Context: any context but NMI; the caller holds a backend reference.
 * Return: 0, -ENODEV without a backend, or a negative errno from the
 * backend.
 */
int hvcore_signal_event(u32 conn_id, u16 flag)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	return ops ? ops->signal_event(conn_id, flag) : -ENODEV;
}
EXPORT_SYMBOL_GPL(hvcore_signal_event);

/**
 * hvcore_eom() - end of message on the current CPU.
 *
 * Call it after freeing a message slot (message_type set to HVMSG_NONE
 * with a full barrier) whose header had msg_pending set: the hypervisor
 * then delivers its next queued message for this CPU and interrupts again.
 *
 * Context: preemption disabled (the interrupt handler or a tasklet on the
 * CPU whose slot was freed), any context but NMI; the caller holds a
 * backend reference.
 */
void hvcore_eom(void)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	if (ops)
		ops->eom();
}
EXPORT_SYMBOL_GPL(hvcore_eom);

/**
 * hvcore_vp_index() - the hypervisor's VP number of a CPU.
 * @cpu: a possible CPU.
 *
 * Context: any; the caller holds a backend reference.
 * Return: the VP index, or U32_MAX for an impossible CPU or without a
 * backend.
 */
u32 hvcore_vp_index(unsigned int cpu)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	if (!ops || cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return U32_MAX;
	return ops->vp_index(cpu);
}
EXPORT_SYMBOL_GPL(hvcore_vp_index);

/**
 * hvcore_ref_time() - the partition reference time.
 *
 * Context: any; the caller holds a backend reference.
 * Return: the reference counter in 100 ns units, or 0 without a backend.
 */
u64 hvcore_ref_time(void)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	return ops ? ops->ref_time() : 0;
}
EXPORT_SYMBOL_GPL(hvcore_ref_time);

/**
 * hvcore_timer_message() - hand a stimer0 expiry message to its timer.
 *
 * For a HVMSG_TIMER_EXPIRED found in this CPU's VMBus message slot.  The
 * caller frees the slot (and signals EOM) itself, whatever this returns.
 *
 * Context: hard-IRQ context on the CPU whose slot held the message; the
 * caller holds a backend reference.
 * Return: true when the backend's timer took it; false when the backend
 * has no timer in message mode (the expiry is then lost).
 */
bool hvcore_timer_message(void)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();
	typeof(hvcore_stimer.fn) fn = READ_ONCE(hvcore_stimer.fn);

	/* Our clock events, when they run stimer0, before the kernel's. */
	if (fn) {
		fn();
		return true;
	}
	return ops && ops->timer_message && ops->timer_message();
}
EXPORT_SYMBOL_GPL(hvcore_timer_message);

/**
 * hvcore_ref_tsc() - program the reference TSC page (the
 * HV_X64_MSR_REFERENCE_TSC write).
 * @val: a union hv_reference_tsc_msr: the page's guest PFN and the enable
 *	bit; 0 disables the page.
 *
 * The page must stay allocated until it is disabled again: the hypervisor
 * writes it meanwhile.  Its contents are the host's, checked by the
 * reader (sequence 0 means "not valid now").
 *
 * Context: process context; the caller holds a backend reference.
 * Return: 0; -EOPNOTSUPP when the backend has no TSC page; -ENODEV
 * without a backend; another negative errno from the backend.
 */
int hvcore_ref_tsc(u64 val)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	if (!ops)
		return -ENODEV;
	return ops->ref_tsc ? ops->ref_tsc(val) : -EOPNOTSUPP;
}
EXPORT_SYMBOL_GPL(hvcore_ref_tsc);

/**
 * hvcore_has_stimer() - whether the backend has synthetic timer 0.
 *
 * Context: any; the caller holds a backend reference.
 * Return: true when hvcore_stimer_config() and hvcore_stimer_count() work.
 */
bool hvcore_has_stimer(void)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	return ops && ops->stimer_config && ops->stimer_count;
}
EXPORT_SYMBOL_GPL(hvcore_has_stimer);

/**
 * hvcore_stimer_vector() - the vector of a direct-mode stimer0.
 *
 * Context: any; the caller holds a backend reference.
 * Return: the APIC vector to program, or -EOPNOTSUPP when the backend
 * delivers stimer0 only as messages (or has no stimer0).
 */
int hvcore_stimer_vector(void)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	if (!hvcore_has_stimer() || !ops->stimer_vector)
		return -EOPNOTSUPP;
	return ops->stimer_vector;
}
EXPORT_SYMBOL_GPL(hvcore_stimer_vector);

/**
 * hvcore_stimer_config() - write this CPU's stimer0 configuration.
 * @config: a union hv_stimer_config; 0 disables the timer.
 *
 * Context: on the timer's CPU with interrupts disabled (a clock event
 * callback); the caller holds a backend reference.
 * Return: 0, -EOPNOTSUPP without stimer0, or the backend's -errno.
 */
int hvcore_stimer_config(u64 config)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	if (!hvcore_has_stimer())
		return -EOPNOTSUPP;
	return ops->stimer_config(config);
}
EXPORT_SYMBOL_GPL(hvcore_stimer_config);

/**
 * hvcore_stimer_count() - arm this CPU's stimer0.
 * @count: the reference time (100 ns units) of the expiry; 0 stops it.
 *
 * Context: as hvcore_stimer_config().
 * Return: 0, -EOPNOTSUPP without stimer0, or the backend's -errno.
 */
int hvcore_stimer_count(u64 count)
{
	const struct hvcore_backend_ops *ops = hvcore_backend();

	if (!hvcore_has_stimer())
		return -EOPNOTSUPP;
	return ops->stimer_count(count);
}
EXPORT_SYMBOL_GPL(hvcore_stimer_count);

/**
 * hvcore_set_stimer_handler() - register the stimer0 expiry handler.
 * @fn: called in hard-IRQ context on the CPU whose stimer0 expired, for
 *	a direct-mode expiry (hvcore_stimer_interrupt()) and for a
 *	HVMSG_TIMER_EXPIRED message (hvcore_timer_message()).
 *
 * One handler at a time: the clock events of hv_clock.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a NULL @fn, -EBUSY when one is set.
 */
int hvcore_set_stimer_handler(void (*fn)(void))
{
	int ret = 0;

	if (!fn)
		return -EINVAL;
	mutex_lock(&hvcore_lock);
	if (hvcore_stimer.fn)
		ret = -EBUSY;
	else
		WRITE_ONCE(hvcore_stimer.fn, fn);
	mutex_unlock(&hvcore_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hvcore_set_stimer_handler);

/**
 * hvcore_clear_stimer_handler() - unregister the stimer0 handler.
 *
 * When it returns, no call of the old handler is running.
 *
 * Context: process context, sleeps.
 */
void hvcore_clear_stimer_handler(void)
{
	mutex_lock(&hvcore_lock);
	WRITE_ONCE(hvcore_stimer.fn, NULL);
	mutex_unlock(&hvcore_lock);
	/* The handler runs in hard-IRQ context: an RCU read-side section. */
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(hvcore_clear_stimer_handler);

/**
 * hvcore_stimer_interrupt() - a direct-mode stimer0 expired on this CPU.
 *
 * Called by the backend (hvsim's timer, or the vector the backend named
 * in hvcore_stimer_vector()).  An expiry without a handler is ignored.
 *
 * Context: hard-IRQ context on the CPU of the timer.
 */
void hvcore_stimer_interrupt(void)
{
	typeof(hvcore_stimer.fn) fn = READ_ONCE(hvcore_stimer.fn);

	if (fn)
		fn();
}
EXPORT_SYMBOL_GPL(hvcore_stimer_interrupt);

static int __init hvcore_init(void)
{
	hvcore_debugfs = debugfs_create_dir("hvcore", NULL);
	hvcore_synic_debugfs(hvcore_debugfs);
	hvcore_kernel_hv_debugfs(hvcore_debugfs);
	/* On Hyper-V the real backend is there from the start. */
	hvcore_hyperv_init();
	return 0;
}

static void __exit hvcore_exit(void)
{
	hvcore_hyperv_exit();
	debugfs_remove_recursive(hvcore_debugfs);
}

module_init(hvcore_init);
module_exit(hvcore_exit);
MODULE_DESCRIPTION("hvguest hypervisor backend layer");
MODULE_LICENSE("GPL");
