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

#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/module.h>
#include <asm/hyperv-tlfs.h>

/* The SINT every VMBus message and event arrives on. */
#define HVCORE_VMBUS_SINT	2

/*
 * The SIEF page: 256 bytes (2048 flag bits) per SINT.  The kernel headers
 * of the targets define the per-SINT union but not the page, so it is
 * declared here under our own name.
 */
struct hvcore_event_page {
	union hv_synic_event_flags sint_flags[HV_SYNIC_SINT_COUNT];
};

static_assert(sizeof(struct hv_message) == HV_MESSAGE_SIZE);
static_assert(sizeof(struct hv_message_page) == HV_HYP_PAGE_SIZE);
static_assert(sizeof(union hv_synic_event_flags) * BITS_PER_BYTE ==
	      HV_EVENT_FLAGS_COUNT);
static_assert(sizeof(struct hvcore_event_page) == HV_HYP_PAGE_SIZE);

/**
 * struct hvcore_synic - one CPU's SynIC pages, owned by hvcore.
 * @msg_page: the SIMP page: one struct hv_message slot per SINT.
 * @event_page: the SIEFP page: one union hv_synic_event_flags per SINT.
 * @msg_pa: physical address of @msg_page.
 * @event_pa: physical address of @event_page.
 * @enabled: true from the start of a successful hvcore_synic_enable()
 *	to the end of hvcore_synic_disable() on this CPU, so an interrupt
 *	raised from inside the enable already sees it; READ_ONCE() it.
 *
 * The pages live from hvcore_synic_init() to the last hvcore_synic_exit().
 * The hypervisor writes them while the SynIC is enabled: the guest reads
 * them as shared memory that the host may change at any time.
 */
struct hvcore_synic {
	struct hv_message_page *msg_page;
	struct hvcore_event_page *event_page;
	phys_addr_t msg_pa;
	phys_addr_t event_pa;
	bool enabled;
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
 *	unmask its SINTs.  Called on @cpu with preemption disabled; may not
 *	sleep.  From then on the backend may raise the interrupt on @cpu,
 *	which it does by calling hvcore_interrupt() there in hard-IRQ
 *	context.
 * @synic_disable: undo @synic_enable on @cpu, under the same conditions.
 *	The backend no longer touches @synic's pages once it returns.
 * @eom: end-of-message on the current CPU, so the hypervisor delivers its
 *	next queued message into a slot the guest has freed.  Called with
 *	preemption disabled, from any context but NMI.
 * @vp_index: the hypervisor's VP number of @cpu.
 * @ref_time: the partition reference time, in 100 ns units.
 * @attach: optional; called in process context when the first user takes
 *	the backend (hvcore_get_backend()), before it uses anything.  The
 *	real backend takes the kernel's Hyper-V interrupt vector here, not at
 *	registration, so that merely loading hvcore next to the in-tree
 *	hv_vmbus changes nothing.  An error fails hvcore_get_backend().
 * @detach: optional; undoes @attach when the last user lets go.
 * @timer_message: optional; a HVMSG_TIMER_EXPIRED arrived in this CPU's
 *	VMBus message slot: the partition's stimer0 runs in message mode and
 *	its clock event is due.  Called in hard-IRQ context on that CPU.
 *	Returns true when a timer took the expiry, false when there is none
 *	to give it to.  Only asked when no stimer handler is set (see
 *	hvcore_set_stimer_handler()): the kernel's own timer, on Hyper-V.
 * @ref_tsc: optional; the guest's write of HV_X64_MSR_REFERENCE_TSC,
 *	@val a union hv_reference_tsc_msr: the guest physical page of the
 *	reference TSC page and its enable bit.  While enabled the hypervisor
 *	keeps that page up to date; 0 disables it.  Process context.
 *	Returns 0 or a negative errno.
 * @stimer_config: optional; write this CPU's HV_X64_MSR_STIMER0_CONFIG
 *	(a union hv_stimer_config).  Called on the CPU with interrupts
 *	disabled.  Returns 0 or a negative errno (bad configuration).
 * @stimer_count: with @stimer_config; write this CPU's
 *	HV_X64_MSR_STIMER0_COUNT, the reference time at which the one-shot
 *	timer expires (0 stops it).  Same context.  Returns 0 or -errno.
 * @stimer_vector: the APIC vector to put in a direct-mode stimer0
 *	configuration, 0 when the backend has no direct mode.  A direct
 *	expiry enters the guest through hvcore_stimer_interrupt().
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
	int (*attach)(void);
	void (*detach)(void);
	bool (*timer_message)(void);
	int (*ref_tsc)(u64 val);
	int (*stimer_config)(u64 config);
	int (*stimer_count)(u64 count);
	u8 stimer_vector;
};

int hvcore_register_backend(const struct hvcore_backend_ops *ops);
void hvcore_unregister_backend(const struct hvcore_backend_ops *ops);

int hvcore_get_backend(void);
void hvcore_put_backend(void);
const char *hvcore_backend_name(void);
bool hvcore_backend_is_real(void);

/* Calls into the backend; the caller holds a backend reference. */
int hvcore_post_message(u32 conn_id, u32 type, const void *payload, u32 len);
int hvcore_signal_event(u32 conn_id, u16 flag);
void hvcore_eom(void);
u32 hvcore_vp_index(unsigned int cpu);
u64 hvcore_ref_time(void);
bool hvcore_timer_message(void);

/* Clocks: the reference TSC page and stimer0. */
int hvcore_ref_tsc(u64 val);
bool hvcore_has_stimer(void);
int hvcore_stimer_vector(void);
int hvcore_stimer_config(u64 config);
int hvcore_stimer_count(u64 count);
int hvcore_set_stimer_handler(void (*fn)(void));
void hvcore_clear_stimer_handler(void);
void hvcore_stimer_interrupt(void);

/* Per-CPU SynIC pages. */
int hvcore_synic_init(void);
void hvcore_synic_exit(void);
int hvcore_synic_enable(unsigned int cpu);
void hvcore_synic_disable(unsigned int cpu);
struct hvcore_synic *hvcore_synic(unsigned int cpu);

/* Interrupt entry. */
int hvcore_set_handler(void (*fn)(void));
void hvcore_clear_handler(void);
void hvcore_interrupt(void);
u64 hvcore_interrupt_count(unsigned int cpu);

#endif /* _HVGUEST_HVCORE_H */
