/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvcore: the only layer of hvguest that talks to the hypervisor.
 *
 * A backend (the real Hyper-V one, or hvsim's simulated host) registers one
 * ops table; hv_vmbus and the clock code use the hypervisor only through
 * the hvcore_* calls below.  hvcore owns the per-CPU SynIC message and
 * event-flags pages and the interrupt entry into hv_vmbus.
 */
#ifndef _HVGUEST_HVCORE_H
#define _HVGUEST_HVCORE_H

#include <linux/types.h>
#include <linux/module.h>
#include <asm/hyperv-tlfs.h>

/* The SINT every VMBus message and event arrives on. */
#define HVCORE_VMBUS_SINT	2

/**
 * struct hvcore_synic - one CPU's SynIC pages, owned by hvcore.
 * @msg_page: the SIMP page: one struct hv_message slot per SINT.
 * @event_page: the SIEFP page: one struct hv_synic_event_flags per SINT.
 * @msg_pa: physical address of @msg_page.
 * @event_pa: physical address of @event_page.
 */
struct hvcore_synic {
	struct hv_message_page *msg_page;
	struct hv_synic_event_flags_page *event_page;
	phys_addr_t msg_pa;
	phys_addr_t event_pa;
};

/**
 * struct hvcore_backend_ops - what a hypervisor backend provides.
 * @name: short name shown in the log ("hyperv", "sim").
 * @owner: the module that implements the ops; pinned while registered
 *	users hold it.
 * @post_message: HvPostMessage: send @len bytes to the host's connection
 *	@conn_id with message type @type.  Returns 0 or a negative errno
 *	(-EAGAIN when the host's queue is full and the caller may retry).
 * @signal_event: HvSignalEvent on connection @conn_id, flag @flag.
 * @synic_enable: program this CPU's SynIC to use @synic's pages and
 *	unmask the VMBus SINT.  Called on @cpu with preemption disabled.
 * @synic_disable: undo @synic_enable on @cpu.
 * @eom: signal end-of-message on the current CPU, so the hypervisor
 *	redelivers a pending message.
 * @vp_index: the hypervisor's VP number of @cpu.
 * @ref_time: the partition reference time, in 100 ns units.
 */
struct hvcore_backend_ops {
	const char *name;
	struct module *owner;
	int (*post_message)(u32 conn_id, u32 type, const void *payload,
			    u32 len);
	int (*signal_event)(u32 conn_id, u16 flag);
	int (*synic_enable)(unsigned int cpu, struct hvcore_synic *synic);
	void (*synic_disable)(unsigned int cpu, struct hvcore_synic *synic);
	void (*eom)(void);
	u32 (*vp_index)(unsigned int cpu);
	u64 (*ref_time)(void);
};

int hvcore_register_backend(const struct hvcore_backend_ops *ops);
void hvcore_unregister_backend(const struct hvcore_backend_ops *ops);

int hvcore_get_backend(void);
void hvcore_put_backend(void);
const char *hvcore_backend_name(void);

#endif /* _HVGUEST_HVCORE_H */
