// SPDX-License-Identifier: GPL-2.0
/*
 * hvcore: the real Hyper-V backend, as the TLFS describes it.
 *
 * Everything here goes through a struct hvcore_hv_platform, so the same
 * code runs on Hyper-V (hyperv_kernel.c's platform) and in KUnit (a fake
 * platform that records MSR writes and hypercalls).  Covered: the ops of
 * the VMBus SINT (the message page (SIMP), the event-flags page (SIEFP),
 * SINT2 and the SynIC's global enable (SCONTROL), end of message,
 * HvPostMessage and HvSignalEvent), and the clocks' MSRs (the reference
 * TSC page, stimer0's configuration and count).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/align.h>
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/irqflags.h>
#include <linux/string.h>
#include "hyperv.h"

static const struct hvcore_hv_platform *hvcore_hv_plat;

static int hvcore_hv_ref_tsc(u64 val);
static int hvcore_hv_stimer_config(u64 config);
static int hvcore_hv_stimer_count(u64 count);

/**
 * hvcore_hv_set_platform() - choose the platform the "hyperv" ops use.
 * @plat: the platform, or NULL to detach.
 *
 * The clock ops are offered only when the partition has them: @ref_tsc
 * with HV_MSR_REFERENCE_TSC_AVAILABLE, the stimer0 ops with
 * HV_MSR_SYNTIMER_AVAILABLE.  Without them hvcore_ref_tsc() answers
 * -EOPNOTSUPP and hvcore_has_stimer() false.
 *
 * Context: process context, while the ops are not in use.
 */
void hvcore_hv_set_platform(const struct hvcore_hv_platform *plat)
{
	u32 features = plat ? plat->features : 0;
	bool stimer = features & HV_MSR_SYNTIMER_AVAILABLE;

	hvcore_hv_ops.ref_tsc = features & HV_MSR_REFERENCE_TSC_AVAILABLE ?
				hvcore_hv_ref_tsc : NULL;
	hvcore_hv_ops.stimer_config = stimer ? hvcore_hv_stimer_config : NULL;
	hvcore_hv_ops.stimer_count = stimer ? hvcore_hv_stimer_count : NULL;
	WRITE_ONCE(hvcore_hv_plat, plat);
}

static const struct hvcore_hv_platform *hvcore_hv_platform(void)
{
	const struct hvcore_hv_platform *plat = READ_ONCE(hvcore_hv_plat);

	/* The ops are only reachable once a platform is set. */
	WARN_ON_ONCE(!plat);
	return plat;
}

/*
 * A hypercall status word to an errno.  Only the low 16 bits are the
 * result; the rest carries rep counts.
 */
static int hvcore_hv_errno(u64 status)
{
	switch (status & HV_HYPERCALL_RESULT_MASK) {
	case HV_STATUS_SUCCESS:
		return 0;
	case HV_STATUS_INSUFFICIENT_MEMORY:
	case HV_STATUS_INSUFFICIENT_BUFFERS:
		/* The host's queue for the connection is full: try again. */
		return -EAGAIN;
	case HV_STATUS_INVALID_CONNECTION_ID:
		return -ENXIO;
	default:
		return -EIO;
	}
}

static int hvcore_hv_post_message(u32 conn_id, u32 type, const void *payload,
				  u32 len)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();
	struct hvcore_hv_post_input *in;
	unsigned long flags;
	u64 status;

	if (!plat)
		return -ENODEV;
	if (len > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EMSGSIZE;

	/* The input page is per CPU: nothing else may use it meanwhile. */
	local_irq_save(flags);
	in = plat->input_page();
	if (!in) {
		local_irq_restore(flags);
		return -EIO;
	}
	in->connection_id = conn_id;
	in->reserved = 0;
	in->message_type = type;
	in->payload_size = len;
	memcpy(in->payload, payload, len);
	/* Stale bytes of an earlier call are not the host's business. */
	memset((u8 *)in->payload + len, 0,
	       HV_MESSAGE_PAYLOAD_BYTE_COUNT - len);
	status = plat->hypercall(HVCALL_POST_MESSAGE, in, NULL);
	local_irq_restore(flags);

	return hvcore_hv_errno(status);
}

static int hvcore_hv_signal_event(u32 conn_id, u16 flag)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();

	if (!plat)
		return -ENODEV;
	/* Input: ConnectionId in bits 0-31, FlagNumber in bits 32-47. */
	return hvcore_hv_errno(plat->fast_hypercall8(HVCALL_SIGNAL_EVENT,
						     conn_id |
						     (u64)flag << 32));
}

static int hvcore_hv_synic_enable(unsigned int cpu, struct hvcore_synic *synic)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();
	union hv_synic_scontrol sctrl;
	union hv_synic_siefp siefp;
	union hv_synic_simp simp;
	union hv_synic_sint sint;

	if (!plat)
		return -ENODEV;
	if (!synic->msg_pa || !IS_ALIGNED(synic->msg_pa, HV_HYP_PAGE_SIZE) ||
	    !synic->event_pa || !IS_ALIGNED(synic->event_pa, HV_HYP_PAGE_SIZE))
		return -EINVAL;

	/*
	 * Each register is read, changed and written back, so that the bits
	 * the TLFS reserves keep what the hypervisor put there.  The order
	 * is the TLFS's: pages first, then the SINT, then the global enable.
	 */
	simp.as_uint64 = plat->read_msr(HV_MSR_SIMP);
	simp.base_simp_gpa = synic->msg_pa >> HV_HYP_PAGE_SHIFT;
	simp.simp_enabled = 1;
	plat->write_msr(HV_MSR_SIMP, simp.as_uint64);

	siefp.as_uint64 = plat->read_msr(HV_MSR_SIEFP);
	siefp.base_siefp_gpa = synic->event_pa >> HV_HYP_PAGE_SHIFT;
	siefp.siefp_enabled = 1;
	plat->write_msr(HV_MSR_SIEFP, siefp.as_uint64);

	sint.as_uint64 = plat->read_msr(HV_MSR_SINT0 + HVCORE_VMBUS_SINT);
	sint.vector = plat->vector;
	sint.masked = 0;
	/*
	 * With automatic EOI the APIC needs no EOI write; the hypervisor
	 * may advise against it, and then the vector's handler writes one.
	 */
	sint.auto_eoi = !(plat->hints & HV_DEPRECATING_AEOI_RECOMMENDED);
	sint.polling = 0;
	plat->write_msr(HV_MSR_SINT0 + HVCORE_VMBUS_SINT, sint.as_uint64);

	sctrl.as_uint64 = plat->read_msr(HV_MSR_SCONTROL);
	sctrl.enable = 1;
	plat->write_msr(HV_MSR_SCONTROL, sctrl.as_uint64);
	return 0;
}

static void hvcore_hv_synic_disable(unsigned int cpu,
				    struct hvcore_synic *synic)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();
	union hv_synic_scontrol sctrl;
	union hv_synic_siefp siefp;
	union hv_synic_simp simp;
	union hv_synic_sint sint;

	if (!plat)
		return;

	/* The reverse order: no interrupt first, then no pages. */
	sint.as_uint64 = plat->read_msr(HV_MSR_SINT0 + HVCORE_VMBUS_SINT);
	sint.masked = 1;
	plat->write_msr(HV_MSR_SINT0 + HVCORE_VMBUS_SINT, sint.as_uint64);

	/* hvcore frees the pages later: the hypervisor must forget them. */
	simp.as_uint64 = plat->read_msr(HV_MSR_SIMP);
	simp.simp_enabled = 0;
	simp.base_simp_gpa = 0;
	plat->write_msr(HV_MSR_SIMP, simp.as_uint64);

	siefp.as_uint64 = plat->read_msr(HV_MSR_SIEFP);
	siefp.siefp_enabled = 0;
	siefp.base_siefp_gpa = 0;
	plat->write_msr(HV_MSR_SIEFP, siefp.as_uint64);

	sctrl.as_uint64 = plat->read_msr(HV_MSR_SCONTROL);
	sctrl.enable = 0;
	plat->write_msr(HV_MSR_SCONTROL, sctrl.as_uint64);
}

static void hvcore_hv_eom(void)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();

	if (plat)
		plat->write_msr(HV_MSR_EOM, 0);
}

static u32 hvcore_hv_vp_index(unsigned int cpu)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();

	return plat ? plat->vp_index(cpu) : U32_MAX;
}

static u64 hvcore_hv_ref_time(void)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();

	return plat ? plat->ref_time() : 0;
}

/* stimer0 in message mode: the platform's timer, when it has one. */
static bool hvcore_hv_timer_message(void)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();

	if (!plat || !plat->timer_message)
		return false;
	plat->timer_message();
	return true;
}

/*
 * The reference TSC page: the guest names its page, the hypervisor fills
 * it.  The bits the TLFS reserves keep what the hypervisor put there.
 */
static int hvcore_hv_ref_tsc(u64 val)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();
	union hv_reference_tsc_msr msr, want = { .as_uint64 = val };

	if (!plat)
		return -ENODEV;
	if (want.reserved)
		return -EINVAL;
	msr.as_uint64 = plat->read_msr(HV_MSR_REFERENCE_TSC);
	msr.enable = want.enable;
	msr.pfn = want.pfn;
	plat->write_msr(HV_MSR_REFERENCE_TSC, msr.as_uint64);
	return 0;
}

/*
 * stimer0 of this CPU.  Without a vector of its own for direct mode the
 * real backend has only message mode, on the VMBus SINT.
 */
static int hvcore_hv_stimer_config(u64 config)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();
	union hv_stimer_config c = { .as_uint64 = config };

	if (!plat)
		return -ENODEV;
	if (c.direct_mode || c.reserved_z0 || c.reserved_z1)
		return -EINVAL;
	plat->write_msr(HV_MSR_STIMER0_CONFIG, config);
	return 0;
}

static int hvcore_hv_stimer_count(u64 count)
{
	const struct hvcore_hv_platform *plat = hvcore_hv_platform();

	if (!plat)
		return -ENODEV;
	plat->write_msr(HV_MSR_STIMER0_COUNT, count);
	return 0;
}

/*
 * The kernel's Hyper-V vector goes to hvcore only while a user holds the
 * backend: the in-tree hv_vmbus (same module name as ours, so never
 * loaded alongside) keeps it otherwise.
 */
static int hvcore_hv_attach(void)
{
	READ_ONCE(hvcore_hv_plat)->set_callback(hvcore_interrupt);
	return 0;
}

static void hvcore_hv_detach(void)
{
	READ_ONCE(hvcore_hv_plat)->clear_callback();
}

/* The clock ops are filled in by hvcore_hv_set_platform(). */
struct hvcore_backend_ops hvcore_hv_ops = {
	.name = "hyperv",
	.owner = THIS_MODULE,
	.post_message = hvcore_hv_post_message,
	.signal_event = hvcore_hv_signal_event,
	.synic_enable = hvcore_hv_synic_enable,
	.synic_disable = hvcore_hv_synic_disable,
	.eom = hvcore_hv_eom,
	.vp_index = hvcore_hv_vp_index,
	.ref_time = hvcore_hv_ref_time,
	.attach = hvcore_hv_attach,
	.detach = hvcore_hv_detach,
	.timer_message = hvcore_hv_timer_message,
};

/**
 * hvcore_hv_register() - register the "hyperv" backend on @plat.
 * @plat: the platform; must stay valid until hvcore_hv_unregister().
 *
 * Registers the ops with hvcore.  The platform's interrupt vector is
 * pointed at hvcore_interrupt() only while a user holds the backend (see
 * hvcore_hv_attach()).
 *
 * Context: process context, may sleep.
 * Return: 0 or the error of hvcore_register_backend(); nothing is left
 * set up on error.
 */
int hvcore_hv_register(const struct hvcore_hv_platform *plat)
{
	int ret;

	hvcore_hv_set_platform(plat);
	ret = hvcore_register_backend(&hvcore_hv_ops);
	if (ret)
		hvcore_hv_set_platform(NULL);
	return ret;
}

/**
 * hvcore_hv_unregister() - undo a successful hvcore_hv_register().
 *
 * Context: process context, may sleep; no user holds the backend.
 */
void hvcore_hv_unregister(void)
{
	const struct hvcore_hv_platform *plat = READ_ONCE(hvcore_hv_plat);

	if (!plat)
		return;
	hvcore_unregister_backend(&hvcore_hv_ops);
	hvcore_hv_set_platform(NULL);
}

/**
 * hvcore_hv_is_real() - whether the "hyperv" ops run on the kernel's
 * own Hyper-V platform.
 *
 * Context: any.
 * Return: true when the platform set is the real one (hyperv_kernel.c).
 */
bool hvcore_hv_is_real(void)
{
	const struct hvcore_hv_platform *plat = READ_ONCE(hvcore_hv_plat);

	return plat && plat->real;
}
