// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus: module entry and the "vmbus" bus type.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/device.h>
#include <linux/hyperv.h>
#include <hvguest/hvcore.h>

static const struct bus_type hvb_bus = {
	.name = "vmbus",
};

static int __init hvb_init(void)
{
	int ret;

	ret = hvcore_get_backend();
	if (ret) {
		pr_err("no hypervisor backend: not on Hyper-V, and hvsim is not loaded\n");
		return ret;
	}

	ret = bus_register(&hvb_bus);
	if (ret)
		goto err_put;

	pr_info("bus registered on the %s backend\n", hvcore_backend_name());
	return 0;

err_put:
	hvcore_put_backend();
	return ret;
}

static void __exit hvb_exit(void)
{
	bus_unregister(&hvb_bus);
	hvcore_put_backend();
}

module_init(hvb_init);
module_exit(hvb_exit);
MODULE_DESCRIPTION("Microsoft Hyper-V VMBus driver (hvguest)");
MODULE_LICENSE("GPL");
