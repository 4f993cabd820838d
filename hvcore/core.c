// SPDX-License-Identifier: GPL-2.0
/*
 * hvcore: backend registration.
 *
 * Exactly one hypervisor backend may be registered at a time.  Users
 * (hv_vmbus, the clocks) take a reference with hvcore_get_backend(), which
 * pins the backend's module until hvcore_put_backend().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <hvguest/hvcore.h>

static DEFINE_MUTEX(hvcore_lock);
static const struct hvcore_backend_ops *hvcore_ops;
static unsigned int hvcore_users;

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
		hvcore_ops = ops;
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
		hvcore_ops = NULL;
		pr_info("backend %s unregistered\n", ops->name);
	}
	mutex_unlock(&hvcore_lock);
}
EXPORT_SYMBOL_GPL(hvcore_unregister_backend);

/**
 * hvcore_get_backend() - take a reference on the registered backend.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENODEV when no backend is registered or its module is
 * going away.
 */
int hvcore_get_backend(void)
{
	int ret = -ENODEV;

	mutex_lock(&hvcore_lock);
	if (hvcore_ops && try_module_get(hvcore_ops->owner)) {
		hvcore_users++;
		ret = 0;
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
		hvcore_users--;
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

MODULE_DESCRIPTION("hvguest hypervisor backend layer");
MODULE_LICENSE("GPL");
