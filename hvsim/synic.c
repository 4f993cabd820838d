// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the hypervisor's SynIC.
 *
 * For every possible CPU (VP) the host keeps the SynIC pages the guest
 * enabled, one bounded message queue per SINT, and the means to enter the
 * guest on that CPU in hard-IRQ context through hvcore_interrupt(): an
 * irq_work when the host runs on that CPU (a self-IPI), an asynchronous
 * IPI (smp_call_function_single_async()) from any other CPU.  The kernel
 * does not export irq_work_queue_on() to modules; and a call function for
 * the current CPU would run inline, under our lock, not in an interrupt.
 *
 * Message slots follow the TLFS protocol.  The host writes a slot only
 * while its type is HVMSG_NONE: body first, type last with release order.
 * A message that finds the slot busy waits in the host queue, and the host
 * sets msg_pending in the busy slot's header.  The guest frees a slot by
 * setting its type to HVMSG_NONE with a full barrier, reads msg_pending
 * and, when set, signals end-of-message; on EOM the host delivers the next
 * queued message of each SINT of that CPU and interrupts it again.  The
 * delivered message carries msg_pending itself while more are queued.
 * A poster that was refused because a queue was full is told when that
 * queue makes room again (hvsim_vmbus_space(), for the VMBus host).
 *
 * Decisions:
 *  - Messages for a VP whose SynIC is disabled are accepted and stay
 *    queued (as Hyper-V and OpenVMM's KVM back end keep them); enabling
 *    the SynIC delivers them.  Signals for such a VP are refused with
 *    -ENXIO (QEMU's answer; OpenVMM drops them): there is no event page
 *    to set a flag in.
 *  - A VP's interrupt is sent only while hvsim's CPU-hotplug state says
 *    the CPU is up.  An interrupt for a CPU that is offline (or going
 *    down) is kept pending, counted as deferred, and sent by the online
 *    callback when the CPU comes back, the way a pending interrupt waits
 *    in an APIC.  The offline callback waits for interrupts already sent,
 *    so the handler always runs in hard-IRQ context on its CPU, never from
 *    the dying CPU's queue flush, and no IPI targets an offline CPU.
 *  - An interrupt still in flight covers a new one (the handler scans
 *    everything), as a pending interrupt does in hardware.
 *  - Every SINT of a VP shares its one interrupt, as Linux programs the
 *    VMBus and timer SINTs with one vector; the handler scans them all.
 *
 * Locking: one raw spinlock per VP, taken with interrupts off, covers the
 * queues, the SynIC pointer, the online state and the counters; the host
 * touches the guest's pages only under it, so hvsim_synic_disable()
 * returning means the pages are no longer written.  It is raw because the
 * guest's handler calls EOM in hard-IRQ context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/irq_work.h>
#include <linux/smp.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "internal.h"

struct hvsim_sint_queue {
	unsigned int head;
	unsigned int len;
	bool refused;		/* a post found it full since it last drained */
	struct hv_message msg[HVSIM_SINT_QUEUE_LEN];
};

struct hvsim_vp {
	raw_spinlock_t lock;
	unsigned int cpu;
	struct hvcore_synic *synic;	/* NULL while the SynIC is disabled */
	bool online;			/* interrupts may be sent to @cpu */
	bool irq_pending;		/* raised while not @online */
	struct irq_work irq_work;	/* interrupt from @cpu itself */
	call_single_data_t csd;		/* interrupt from another CPU */
	atomic_t ipis;			/* @csd sent, handler not finished */
	u16 space;			/* SINTs with room after a refusal */
	struct hvsim_vp_stats st;	/* counters; the state fields unused */
	struct hvsim_sint_queue *queues;	/* [HV_SYNIC_SINT_COUNT] */
};

/* Indexed by VP (= CPU) number; NULL for CPUs that are not possible. */
static struct hvsim_vp **hvsim_vps;
static int hvsim_cpuhp_state;

static struct hvsim_vp *hvsim_vp(u32 vp)
{
	if (!hvsim_vps || vp >= nr_cpu_ids)
		return NULL;
	return hvsim_vps[vp];
}

static void hvsim_vp_irq(struct irq_work *work)
{
	hvcore_interrupt();
}

static void hvsim_vp_ipi(void *arg)
{
	struct hvsim_vp *v = arg;

	/*
	 * A CPU that polls while idle runs call functions from its idle
	 * loop, with interrupts off but not in an interrupt.  Hand over to
	 * the irq_work, a self-IPI, so the guest's handler always runs in
	 * hard-IRQ context; hvsim_vp_quiesce() waits for it too.
	 */
	if (in_hardirq())
		hvcore_interrupt();
	else
		irq_work_queue(&v->irq_work);
	/* The last access to @v: hvsim_vp_quiesce() may free it next. */
	atomic_dec_return_release(&v->ipis);
}

/* Wait for the interrupts sent to @v.  Interrupts on, may spin. */
static void hvsim_vp_quiesce(struct hvsim_vp *v)
{
	while (atomic_read_acquire(&v->ipis))
		cpu_relax();
	irq_work_sync(&v->irq_work);
}

/* Interrupt the VP's CPU, or keep the interrupt pending while it is down. */
static void hvsim_raise(struct hvsim_vp *vp)
{
	lockdep_assert_held(&vp->lock);

	/*
	 * @online is set by the online callback, which runs once the CPU is
	 * up, and cleared under this lock by the offline callback before the
	 * CPU starts going down: no interrupt is sent to an offline CPU.
	 */
	if (!vp->online) {
		vp->irq_pending = true;
		vp->st.deferred++;
		return;
	}

	/* The lock keeps us on this CPU. */
	if (vp->cpu == smp_processor_id()) {
		if (irq_work_queue(&vp->irq_work))
			vp->st.irqs++;
		return;
	}
	atomic_inc(&vp->ipis);
	if (smp_call_function_single_async(vp->cpu, &vp->csd))
		atomic_dec(&vp->ipis);	/* still in flight */
	else
		vp->st.irqs++;
}

/*
 * Deliver the oldest queued message of @sint if the guest's slot is free.
 * Return: true when a message was written (the caller raises).
 */
static bool hvsim_sint_deliver(struct hvsim_vp *vp, u32 sint)
{
	struct hvsim_sint_queue *q = &vp->queues[sint];
	union hv_message_flags flags = { .asu8 = 0 };
	struct hv_message *slot, *m;

	lockdep_assert_held(&vp->lock);
	if (!vp->synic || !q->len)
		return false;
	slot = &vp->synic->msg_page->sint_message[sint];

	if (READ_ONCE(slot->header.message_type) != HVMSG_NONE) {
		/*
		 * Busy: ask for an EOM.  The guest frees the slot, then (full
		 * barrier) reads msg_pending; we set msg_pending, then (full
		 * barrier) read the type again.  One side sees the other's
		 * store, so either the guest signals EOM or we find the slot
		 * free right here: the message cannot be stranded.
		 */
		flags.msg_pending = 1;
		WRITE_ONCE(slot->header.message_flags.asu8, flags.asu8);
		/* Pairs with the full barrier of the guest's cmpxchg(). */
		smp_mb();
		if (READ_ONCE(slot->header.message_type) != HVMSG_NONE)
			return false;
	}

	m = &q->msg[q->head];
	flags.msg_pending = q->len > 1;
	memcpy(&slot->u, &m->u, sizeof(slot->u));
	slot->header.payload_size = m->header.payload_size;
	slot->header.message_flags.asu8 = flags.asu8;
	memset(slot->header.reserved, 0, sizeof(slot->header.reserved));
	slot->header.sender = 0;
	/* The type last: a guest that sees it sees the whole message. */
	smp_store_release(&slot->header.message_type,
			  m->header.message_type);

	q->head = (q->head + 1) % HVSIM_SINT_QUEUE_LEN;
	q->len--;
	if (q->refused) {
		q->refused = false;
		vp->space |= BIT(sint);
	}
	vp->st.delivered++;
	return true;
}

/* The SINTs of @vp that made room for a refused poster; lock held. */
static unsigned long hvsim_take_space(struct hvsim_vp *vp)
{
	unsigned long space = vp->space;

	lockdep_assert_held(&vp->lock);
	vp->space = 0;
	return space;
}

/* Tell the posters, after the VP's lock is dropped. */
static void hvsim_notify_space(u32 vp, unsigned long space)
{
	unsigned int sint;

	for_each_set_bit(sint, &space, HV_SYNIC_SINT_COUNT)
		hvsim_vmbus_space(vp, sint);
}

/* Deliver what the free slots of @vp can take; raise once if any. */
static void hvsim_vp_deliver(struct hvsim_vp *vp)
{
	bool raise = false;
	u32 sint;

	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++)
		raise |= hvsim_sint_deliver(vp, sint);
	if (raise)
		hvsim_raise(vp);
}

/**
 * hvsim_post_to_guest() - post a message to a VP's SynIC message slot.
 * @vp: the target VP (CPU number).
 * @sint: the SINT, below HV_SYNIC_SINT_COUNT.
 * @type: the message type; HVMSG_NONE is not a message.
 * @payload: @len bytes, copied before the call returns.
 * @len: payload length, at most HV_MESSAGE_PAYLOAD_BYTE_COUNT.
 *
 * When the slot is free and the SynIC enabled the message is written and
 * the VP interrupted; otherwise it waits in the (VP, SINT) host queue and
 * is delivered after the guest's EOM, or when the guest enables the SynIC.
 * Messages of one (VP, SINT) are delivered in the order posted.  After an
 * -EAGAIN, hvsim_vmbus_space() is called once the queue makes room.
 *
 * Context: any context but NMI.
 * Return: 0 when delivered or queued; -ENODEV for a VP that does not
 * exist; -EINVAL for a bad @sint, @type, @len or NULL @payload; -EAGAIN
 * when the host queue is full (retry after the guest's EOM).
 */
int hvsim_post_to_guest(u32 vp, u32 sint, u32 type, const void *payload,
			u32 len)
{
	struct hvsim_vp *v = hvsim_vp(vp);
	struct hvsim_sint_queue *q;
	unsigned long irqflags, space;
	struct hv_message *m;
	bool raise = false;
	int ret = 0;

	if (!v)
		return -ENODEV;
	if (sint >= HV_SYNIC_SINT_COUNT || type == HVMSG_NONE ||
	    len > HV_MESSAGE_PAYLOAD_BYTE_COUNT || (len && !payload))
		return -EINVAL;

	raw_spin_lock_irqsave(&v->lock, irqflags);
	q = &v->queues[sint];
	/* A slot freed without an EOM yet makes room. */
	if (q->len == HVSIM_SINT_QUEUE_LEN)
		raise = hvsim_sint_deliver(v, sint);
	if (q->len == HVSIM_SINT_QUEUE_LEN) {
		q->refused = true;
		v->st.refused++;
		ret = -EAGAIN;
		goto out;
	}

	m = &q->msg[(q->head + q->len) % HVSIM_SINT_QUEUE_LEN];
	memset(m, 0, sizeof(*m));
	m->header.message_type = type;
	m->header.payload_size = len;
	if (len)
		memcpy(m->u.payload, payload, len);
	q->len++;

	raise |= hvsim_sint_deliver(v, sint);
	/* First in, first out: if anything still waits, this one does. */
	if (q->len)
		v->st.queued++;
out:
	if (raise)
		hvsim_raise(v);
	space = hvsim_take_space(v);
	raw_spin_unlock_irqrestore(&v->lock, irqflags);
	hvsim_notify_space(vp, space);
	return ret;
}
EXPORT_SYMBOL_GPL(hvsim_post_to_guest);

/**
 * hvsim_signal_guest() - set an event flag in a VP's SIEF page.
 * @vp: the target VP (CPU number).
 * @sint: the SINT, below HV_SYNIC_SINT_COUNT.
 * @bit: the flag, below HV_EVENT_FLAGS_COUNT.
 *
 * The VP is interrupted only when the flag goes from 0 to 1: a flag the
 * guest has not cleared yet merges further signals.
 *
 * Context: any context but NMI.
 * Return: 0 when the flag is set (now or already); -ENODEV for a VP that
 * does not exist; -EINVAL for a bad @sint or @bit; -ENXIO when the VP's
 * SynIC is disabled (the signal is dropped).
 */
int hvsim_signal_guest(u32 vp, u32 sint, u32 bit)
{
	struct hvsim_vp *v = hvsim_vp(vp);
	unsigned long irqflags;
	int ret = 0;

	if (!v)
		return -ENODEV;
	if (sint >= HV_SYNIC_SINT_COUNT || bit >= HV_EVENT_FLAGS_COUNT)
		return -EINVAL;

	raw_spin_lock_irqsave(&v->lock, irqflags);
	if (!v->synic) {
		v->st.dropped++;
		ret = -ENXIO;
	} else if (!test_and_set_bit(bit,
			v->synic->event_page->sint_flags[sint].flags)) {
		v->st.signals++;
		hvsim_raise(v);
	} else {
		v->st.merged++;
	}
	raw_spin_unlock_irqrestore(&v->lock, irqflags);
	return ret;
}
EXPORT_SYMBOL_GPL(hvsim_signal_guest);

/**
 * hvsim_raise_vp() - interrupt a VP with nothing new to deliver.
 * @vp: the target VP (CPU number).
 *
 * A host action for tests (a spurious or repeated interrupt): it follows
 * the rules of every interrupt, so it waits while the CPU is offline.
 *
 * Context: any context but NMI.
 * Return: 0, or -ENODEV for a VP that does not exist.
 */
int hvsim_raise_vp(u32 vp)
{
	struct hvsim_vp *v = hvsim_vp(vp);
	unsigned long irqflags;

	if (!v)
		return -ENODEV;
	raw_spin_lock_irqsave(&v->lock, irqflags);
	hvsim_raise(v);
	raw_spin_unlock_irqrestore(&v->lock, irqflags);
	return 0;
}
EXPORT_SYMBOL_GPL(hvsim_raise_vp);

/**
 * hvsim_sync_vp() - wait until an interrupt sent to a VP has been handled.
 * @vp: the VP (CPU number).
 *
 * An interrupt deferred for an offline CPU is not waited for.
 *
 * Context: process context with interrupts enabled.
 */
void hvsim_sync_vp(u32 vp)
{
	struct hvsim_vp *v = hvsim_vp(vp);

	if (v)
		hvsim_vp_quiesce(v);
}
EXPORT_SYMBOL_GPL(hvsim_sync_vp);

/**
 * hvsim_vp_stats() - read a VP's counters and state.
 * @vp: the VP (CPU number).
 * @st: filled with a consistent snapshot.
 *
 * Context: any context but NMI.
 * Return: 0, or -ENODEV for a VP that does not exist.
 */
int hvsim_vp_stats(u32 vp, struct hvsim_vp_stats *st)
{
	struct hvsim_vp *v = hvsim_vp(vp);
	unsigned long irqflags;
	u32 sint;

	if (!v)
		return -ENODEV;
	raw_spin_lock_irqsave(&v->lock, irqflags);
	*st = v->st;
	st->waiting = 0;
	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++)
		st->waiting += v->queues[sint].len;
	st->enabled = !!v->synic;
	st->online = v->online;
	st->irq_pending = v->irq_pending;
	raw_spin_unlock_irqrestore(&v->lock, irqflags);
	return 0;
}
EXPORT_SYMBOL_GPL(hvsim_vp_stats);

/**
 * hvsim_vp_exists() - whether the partition has a VP.
 * @vp: the VP (CPU) number.
 *
 * Context: any.
 * Return: true for a possible CPU's number.
 */
bool hvsim_vp_exists(u32 vp)
{
	return hvsim_vp(vp);
}

/* Backend op: the guest enables @cpu's SynIC; deliver what waited. */
int hvsim_synic_enable(unsigned int cpu, struct hvcore_synic *synic)
{
	struct hvsim_vp *v = hvsim_vp(cpu);
	unsigned long irqflags, space;
	int ret = 0;

	if (!v || !synic || !synic->msg_page || !synic->event_page)
		return -EINVAL;
	raw_spin_lock_irqsave(&v->lock, irqflags);
	if (v->synic) {
		ret = -EBUSY;
	} else {
		v->synic = synic;
		hvsim_vp_deliver(v);
	}
	space = hvsim_take_space(v);
	raw_spin_unlock_irqrestore(&v->lock, irqflags);
	hvsim_notify_space(cpu, space);
	return ret;
}

/* Backend op: after this the host no longer touches @synic's pages. */
void hvsim_synic_disable(unsigned int cpu, struct hvcore_synic *synic)
{
	struct hvsim_vp *v = hvsim_vp(cpu);
	unsigned long irqflags;

	if (!v)
		return;
	raw_spin_lock_irqsave(&v->lock, irqflags);
	if (v->synic == synic)
		v->synic = NULL;
	raw_spin_unlock_irqrestore(&v->lock, irqflags);
}

/* Backend op: end-of-message on the current CPU. */
void hvsim_eom(void)
{
	struct hvsim_vp *v = hvsim_vp(get_cpu());
	unsigned long irqflags, space;

	if (v) {
		raw_spin_lock_irqsave(&v->lock, irqflags);
		v->st.eoms++;
		hvsim_vp_deliver(v);
		space = hvsim_take_space(v);
		raw_spin_unlock_irqrestore(&v->lock, irqflags);
		hvsim_notify_space(v->cpu, space);
	}
	put_cpu();
}

/* CPU hotplug: runs on @cpu once it is up; sends a held interrupt. */
static int hvsim_cpu_online(unsigned int cpu)
{
	struct hvsim_vp *v = hvsim_vp(cpu);
	unsigned long irqflags;

	raw_spin_lock_irqsave(&v->lock, irqflags);
	v->online = true;
	if (v->irq_pending) {
		v->irq_pending = false;
		hvsim_raise(v);
	}
	raw_spin_unlock_irqrestore(&v->lock, irqflags);
	return 0;
}

/* CPU hotplug: runs on @cpu before it goes down. */
static int hvsim_cpu_offline(unsigned int cpu)
{
	struct hvsim_vp *v = hvsim_vp(cpu);
	unsigned long irqflags;

	raw_spin_lock_irqsave(&v->lock, irqflags);
	v->online = false;
	raw_spin_unlock_irqrestore(&v->lock, irqflags);
	/* Let interrupts already sent run here, in hard-IRQ context. */
	hvsim_vp_quiesce(v);
	return 0;
}

static void hvsim_vps_free(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct hvsim_vp *v = hvsim_vps[cpu];

		if (!v)
			continue;
		hvsim_vp_quiesce(v);
		kvfree(v->queues);
		kfree(v);
	}
	kfree(hvsim_vps);
	hvsim_vps = NULL;
}

int hvsim_synic_init(void)
{
	unsigned int cpu;
	int ret;

	hvsim_vps = kcalloc(nr_cpu_ids, sizeof(*hvsim_vps), GFP_KERNEL);
	if (!hvsim_vps)
		return -ENOMEM;

	for_each_possible_cpu(cpu) {
		struct hvsim_vp *v = kzalloc(sizeof(*v), GFP_KERNEL);

		if (!v)
			goto err_nomem;
		raw_spin_lock_init(&v->lock);
		v->cpu = cpu;
		v->irq_work = IRQ_WORK_INIT_HARD(hvsim_vp_irq);
		INIT_CSD(&v->csd, hvsim_vp_ipi, v);
		hvsim_vps[cpu] = v;
		v->queues = kvcalloc(HV_SYNIC_SINT_COUNT, sizeof(*v->queues),
				     GFP_KERNEL);
		if (!v->queues)
			goto err_nomem;
	}

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvsim/vp:online",
				hvsim_cpu_online, hvsim_cpu_offline);
	if (ret < 0)
		goto err_free;
	hvsim_cpuhp_state = ret;
	return 0;

err_nomem:
	ret = -ENOMEM;
err_free:
	hvsim_vps_free();
	return ret;
}

void hvsim_synic_exit(void)
{
	cpuhp_remove_state(hvsim_cpuhp_state);
	hvsim_vps_free();
}

void hvsim_synic_show(struct seq_file *m)
{
	struct hvsim_vp_stats st;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (hvsim_vp_stats(cpu, &st))
			continue;
		seq_printf(m, "vp%u.enabled %d\n", cpu, st.enabled);
		seq_printf(m, "vp%u.online %d\n", cpu, st.online);
		seq_printf(m, "vp%u.delivered %llu\n", cpu, st.delivered);
		seq_printf(m, "vp%u.queued %llu\n", cpu, st.queued);
		seq_printf(m, "vp%u.refused %llu\n", cpu, st.refused);
		seq_printf(m, "vp%u.waiting %u\n", cpu, st.waiting);
		seq_printf(m, "vp%u.irqs %llu\n", cpu, st.irqs);
		seq_printf(m, "vp%u.deferred %llu\n", cpu, st.deferred);
		seq_printf(m, "vp%u.irq_pending %d\n", cpu, st.irq_pending);
		seq_printf(m, "vp%u.signals %llu\n", cpu, st.signals);
		seq_printf(m, "vp%u.merged %llu\n", cpu, st.merged);
		seq_printf(m, "vp%u.dropped %llu\n", cpu, st.dropped);
		seq_printf(m, "vp%u.eoms %llu\n", cpu, st.eoms);
	}
}

/*
 * Parse @min to @max unsigned numbers (decimal or 0x hex) written to a
 * debugfs file into @v.  Return: 0, or a negative errno.
 */
static int hvsim_parse_u32s(const char __user *ubuf, size_t count, u32 *v,
			    int min, int max)
{
	char buf[80], *p, *tok;
	int n = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	p = buf;
	while ((tok = strsep(&p, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (n == max || kstrtou32(tok, 0, &v[n]))
			return -EINVAL;
		n++;
	}
	return n < min ? -EINVAL : 0;
}

/* "VP SINT TYPE [LEN]": post a LEN-byte (default 8) test message. */
static ssize_t hvsim_inject_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	u32 v[4] = { 0, 0, 0, 8 };
	int ret;
	u32 i;

	ret = hvsim_parse_u32s(ubuf, count, v, 3, ARRAY_SIZE(v));
	if (ret)
		return ret;
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = i;
	ret = hvsim_post_to_guest(v[0], v[1], v[2], payload, v[3]);
	return ret ? ret : count;
}
HVSIM_WRITE_FOPS(hvsim_inject_fops, hvsim_inject_write);

/* "VP SINT BIT": set an event flag. */
static ssize_t hvsim_signal_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	u32 v[3];
	int ret;

	ret = hvsim_parse_u32s(ubuf, count, v, 3, 3);
	if (!ret)
		ret = hvsim_signal_guest(v[0], v[1], v[2]);
	return ret ? ret : count;
}
HVSIM_WRITE_FOPS(hvsim_signal_fops, hvsim_signal_write);

/* "VP": interrupt the VP. */
static ssize_t hvsim_raise_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	u32 vp;
	int ret;

	ret = hvsim_parse_u32s(ubuf, count, &vp, 1, 1);
	if (!ret)
		ret = hvsim_raise_vp(vp);
	return ret ? ret : count;
}
HVSIM_WRITE_FOPS(hvsim_raise_fops, hvsim_raise_write);

void hvsim_synic_debugfs(struct dentry *dir)
{
	debugfs_create_file("inject", 0200, dir, NULL, &hvsim_inject_fops);
	debugfs_create_file("signal", 0200, dir, NULL, &hvsim_signal_fops);
	debugfs_create_file("raise", 0200, dir, NULL, &hvsim_raise_fops);
}
