// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the SynIC of the simulated hypervisor, through hvcore.
 *
 * hvsim is built in and registered in the KUnit kernel.  Each case plays
 * the guest: it takes hvcore's SynIC pages, registers its own interrupt
 * handler and enables the SynIC of every online CPU, then posts messages
 * and signals through hvsim's host calls and looks at the pages, the
 * handler's calls and hvsim's counters.  hv_vmbus, built in, owns the
 * handler and the SynICs while connected: the suite disconnects it first
 * and connects it again at the end.  Another owner makes the cases skip.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <hvguest/hvcore.h>
#include "../hvsim/hvsim.h"
#include "../vmbus/hvb.h"

#define HST_SINT	HVCORE_VMBUS_SINT
#define HST_TYPE	1	/* a VMBus message */
#define HST_TAKEN_MAX	(HVSIM_SINT_QUEUE_LEN + 4)

/* What the handler does with a message it finds. */
enum hst_mode {
	HST_LEAVE,	/* leave it in its slot (a slow guest) */
	HST_CONSUME,	/* copy it out, free the slot, EOM when pending */
};

/* The handler's record; one case runs at a time. */
static struct {
	enum hst_mode mode;
	atomic_t calls;
	atomic_t not_hardirq;
	int last_cpu;
	unsigned int ntaken;
	struct hv_message taken[HST_TAKEN_MAX];
} hst;

struct hst_priv {
	bool backend;
	bool synic;
	bool handler;
	cpumask_t enabled;
};

static struct hv_message *hst_slot(unsigned int cpu, u32 sint)
{
	return &hvcore_synic(cpu)->msg_page->sint_message[sint];
}

static unsigned long *hst_flags(unsigned int cpu, u32 sint)
{
	return hvcore_synic(cpu)->event_page->sint_flags[sint].flags;
}

/* Free a slot as a guest does.  Return: true when an EOM is due. */
static bool hst_free_slot(struct hv_message *slot)
{
	union hv_message_flags flags;
	u32 type = READ_ONCE(slot->header.message_type);

	if (type == HVMSG_NONE ||
	    cmpxchg(&slot->header.message_type, type, HVMSG_NONE) != type)
		return false;
	flags.asu8 = READ_ONCE(slot->header.message_flags.asu8);
	return flags.msg_pending;
}

static void hst_isr(void)
{
	unsigned int cpu = smp_processor_id();
	struct hvcore_synic *s = hvcore_synic(cpu);
	bool eom = false;
	u32 sint;

	if (!in_hardirq())
		atomic_inc(&hst.not_hardirq);
	WRITE_ONCE(hst.last_cpu, cpu);
	atomic_inc(&hst.calls);
	if (READ_ONCE(hst.mode) != HST_CONSUME || !s)
		return;

	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++) {
		struct hv_message *slot = &s->msg_page->sint_message[sint];

		if (READ_ONCE(slot->header.message_type) == HVMSG_NONE)
			continue;
		/* Pairs with the host's release of the type. */
		smp_rmb();
		if (sint == HST_SINT && hst.ntaken < HST_TAKEN_MAX) {
			memcpy(&hst.taken[hst.ntaken], slot, sizeof(*slot));
			WRITE_ONCE(hst.ntaken, hst.ntaken + 1);
		}
		eom |= hst_free_slot(slot);
	}
	if (eom)
		hvcore_eom();
}

/* Run @fn on @cpu in process context (bound to it). */
static long hst_on_cpu(unsigned int cpu, long (*fn)(void *), void *arg)
{
	return work_on_cpu(cpu, fn, arg);
}

static long hst_enable_fn(void *arg)
{
	return hvcore_synic_enable(smp_processor_id());
}

static long hst_disable_fn(void *arg)
{
	hvcore_synic_disable(smp_processor_id());
	return 0;
}

/* The guest frees the @sint slot of this CPU and signals EOM if due. */
static long hst_free_eom_fn(void *arg)
{
	u32 sint = *(u32 *)arg;
	bool eom;

	preempt_disable();
	eom = hst_free_slot(hst_slot(smp_processor_id(), sint));
	if (eom)
		hvcore_eom();
	preempt_enable();
	return eom;
}

/* Empty every slot and host queue of this CPU. */
static long hst_drain_fn(void *arg)
{
	unsigned int cpu = smp_processor_id();
	struct hvsim_vp_stats st;
	int i;
	u32 sint;

	for (i = 0; i < 4 * HVSIM_SINT_QUEUE_LEN * HV_SYNIC_SINT_COUNT; i++) {
		bool busy = false;

		preempt_disable();
		for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++)
			hst_free_slot(hst_slot(cpu, sint));
		hvcore_eom();
		preempt_enable();
		hvsim_sync_vp(cpu);

		for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++)
			busy |= READ_ONCE(hst_slot(cpu, sint)->header.message_type)
				!= HVMSG_NONE;
		if (!hvsim_vp_stats(cpu, &st) && !st.waiting && !busy)
			return 0;
	}
	return -EBUSY;
}

/* The CPU the cases post to: another one than the test's when there is. */
static unsigned int hst_target(void)
{
	return cpumask_last(cpu_online_mask);
}

static void hst_fill(u8 *buf, u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = seed + i;
}

static struct hvsim_vp_stats hst_stats(struct kunit *test, unsigned int cpu)
{
	struct hvsim_vp_stats st;

	KUNIT_ASSERT_EQ(test, hvsim_vp_stats(cpu, &st), 0);
	return st;
}

/*
 * Wait up to ten seconds for @cond, which the handler makes true: under
 * QEMU's emulation on a loaded machine a chain of IPIs can take seconds.
 */
#define hst_wait(cond)						\
({								\
	int __n;						\
	for (__n = 0; __n < 10000 && !(cond); __n++)		\
		usleep_range(1000, 2000);			\
	(cond);							\
})

static int hst_init(struct kunit *test)
{
	struct hst_priv *p;
	unsigned int cpu;
	long ret;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	test->priv = p;
	memset(&hst, 0, sizeof(hst));
	hst.last_cpu = -1;

	if (hvcore_get_backend())
		kunit_skip(test, "no hypervisor backend");
	p->backend = true;
	if (strcmp(hvcore_backend_name(), "sim"))
		kunit_skip(test, "the backend is not hvsim");

	KUNIT_ASSERT_EQ(test, hvcore_synic_init(), 0);
	p->synic = true;
	if (hvcore_set_handler(hst_isr))
		kunit_skip(test, "a bus driver owns the SynIC handler");
	p->handler = true;

	for_each_online_cpu(cpu) {
		ret = hst_on_cpu(cpu, hst_enable_fn, NULL);
		if (ret == -EBUSY)
			kunit_skip(test, "cpu%u's SynIC is in use", cpu);
		KUNIT_ASSERT_EQ(test, ret, 0);
		cpumask_set_cpu(cpu, &p->enabled);
	}
	return 0;
}

static void hst_exit(struct kunit *test)
{
	struct hst_priv *p = test->priv;
	unsigned int cpu;

	if (!p)
		return;
	for_each_cpu(cpu, &p->enabled)
		KUNIT_EXPECT_EQ(test, hst_on_cpu(cpu, hst_drain_fn, NULL), 0);
	for_each_cpu(cpu, &p->enabled)
		hst_on_cpu(cpu, hst_disable_fn, NULL);
	if (p->handler)
		hvcore_clear_handler();
	if (p->synic)
		hvcore_synic_exit();
	if (p->backend)
		hvcore_put_backend();
}

static void hvsim_post_to_guest_free_slot(struct kunit *test)
{
	unsigned int cpu = hst_target();
	struct hvsim_vp_stats st0 = hst_stats(test, cpu), st;
	u64 irqs0 = hvcore_interrupt_count(cpu);
	struct hv_message *slot = hst_slot(cpu, HST_SINT);
	union hv_message_flags flags;
	u8 payload[16];

	hst_fill(payload, sizeof(payload), 0x40);
	KUNIT_ASSERT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE,
						  payload, sizeof(payload)), 0);
	hvsim_sync_vp(cpu);

	KUNIT_EXPECT_EQ(test, READ_ONCE(slot->header.message_type), HST_TYPE);
	KUNIT_EXPECT_EQ(test, slot->header.payload_size, sizeof(payload));
	flags.asu8 = slot->header.message_flags.asu8;
	KUNIT_EXPECT_FALSE(test, flags.msg_pending);
	KUNIT_EXPECT_MEMEQ(test, slot->u.payload, payload, sizeof(payload));
	/* The rest of the payload is not stale data. */
	KUNIT_EXPECT_EQ(test, ((u8 *)slot->u.payload)[sizeof(payload)], 0);

	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 1);
	KUNIT_EXPECT_EQ(test, hvcore_interrupt_count(cpu), irqs0 + 1);
	st = hst_stats(test, cpu);
	KUNIT_EXPECT_EQ(test, st.delivered, st0.delivered + 1);
	KUNIT_EXPECT_EQ(test, st.queued, st0.queued);
	KUNIT_EXPECT_EQ(test, st.irqs, st0.irqs + 1);
	KUNIT_EXPECT_EQ(test, st.waiting, 0);
}

static void hvcore_interrupt_hardirq_on_target(struct kunit *test)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		int calls = atomic_read(&hst.calls);
		u64 irqs0 = hvcore_interrupt_count(cpu);

		KUNIT_ASSERT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT,
							  HST_TYPE, NULL, 0),
				0);
		hvsim_sync_vp(cpu);
		KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), calls + 1);
		KUNIT_EXPECT_EQ(test, READ_ONCE(hst.last_cpu), (int)cpu);
		KUNIT_EXPECT_EQ(test, hvcore_interrupt_count(cpu), irqs0 + 1);
		KUNIT_EXPECT_EQ(test, hst_on_cpu(cpu, hst_drain_fn, NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.not_hardirq), 0);
}

static void hvsim_post_to_guest_busy_slot(struct kunit *test)
{
	unsigned int cpu = hst_target();
	struct hvsim_vp_stats st0 = hst_stats(test, cpu), st;
	struct hv_message *slot = hst_slot(cpu, HST_SINT);
	union hv_message_flags flags;
	u32 sint = HST_SINT;
	u8 a[8], b[24];

	hst_fill(a, sizeof(a), 0xa0);
	hst_fill(b, sizeof(b), 0xb0);
	KUNIT_ASSERT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE,
						  a, sizeof(a)), 0);
	KUNIT_ASSERT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE + 1,
						  b, sizeof(b)), 0);
	hvsim_sync_vp(cpu);

	/* The slot still holds the first, now asking for an EOM. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(slot->header.message_type), HST_TYPE);
	KUNIT_EXPECT_MEMEQ(test, slot->u.payload, a, sizeof(a));
	flags.asu8 = READ_ONCE(slot->header.message_flags.asu8);
	KUNIT_EXPECT_TRUE(test, flags.msg_pending);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 1);
	st = hst_stats(test, cpu);
	KUNIT_EXPECT_EQ(test, st.queued, st0.queued + 1);
	KUNIT_EXPECT_EQ(test, st.waiting, 1);

	/* The guest frees it and signals EOM: the second one arrives. */
	KUNIT_EXPECT_EQ(test, hst_on_cpu(cpu, hst_free_eom_fn, &sint), 1);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, READ_ONCE(slot->header.message_type),
			HST_TYPE + 1);
	KUNIT_EXPECT_EQ(test, slot->header.payload_size, sizeof(b));
	KUNIT_EXPECT_MEMEQ(test, slot->u.payload, b, sizeof(b));
	flags.asu8 = READ_ONCE(slot->header.message_flags.asu8);
	KUNIT_EXPECT_FALSE(test, flags.msg_pending);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 2);
	st = hst_stats(test, cpu);
	KUNIT_EXPECT_EQ(test, st.delivered, st0.delivered + 2);
	KUNIT_EXPECT_EQ(test, st.eoms, st0.eoms + 1);
	KUNIT_EXPECT_EQ(test, st.waiting, 0);

	/* An EOM with nothing waiting delivers nothing. */
	KUNIT_EXPECT_EQ(test, hst_on_cpu(cpu, hst_free_eom_fn, &sint), 0);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 2);
}

/* Post @n messages from this CPU with interrupts off. */
struct hst_burst {
	u32 n;
	int ret[3];
};

static long hst_burst_fn(void *arg)
{
	struct hst_burst *b = arg;
	unsigned long flags;
	u8 seq;
	u32 i;

	local_irq_save(flags);
	for (i = 0; i < b->n; i++) {
		seq = i + 1;
		b->ret[i] = hvsim_post_to_guest(smp_processor_id(), HST_SINT,
						HST_TYPE, &seq, 1);
	}
	local_irq_restore(flags);
	return 0;
}

static void hvsim_post_to_guest_handler_eom(struct kunit *test)
{
	unsigned int cpu = hst_target();
	struct hst_burst b = { .n = 3 };
	struct hvsim_vp_stats st0 = hst_stats(test, cpu), st;
	unsigned int i;

	/* The handler frees each slot and signals EOM, as a bus does. */
	WRITE_ONCE(hst.mode, HST_CONSUME);
	hst_on_cpu(cpu, hst_burst_fn, &b);
	for (i = 0; i < b.n; i++)
		KUNIT_EXPECT_EQ(test, b.ret[i], 0);
	KUNIT_ASSERT_TRUE(test, hst_wait(READ_ONCE(hst.ntaken) == b.n));
	hvsim_sync_vp(cpu);

	for (i = 0; i < b.n; i++) {
		union hv_message_flags flags = hst.taken[i].header.message_flags;

		KUNIT_EXPECT_EQ(test, hst.taken[i].header.message_type,
				HST_TYPE);
		KUNIT_EXPECT_EQ(test, ((u8 *)hst.taken[i].u.payload)[0],
				i + 1);
		/* Each but the last asked for the EOM that brought the next. */
		KUNIT_EXPECT_EQ(test, (bool)flags.msg_pending, i + 1 < b.n);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), b.n);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.not_hardirq), 0);
	st = hst_stats(test, cpu);
	KUNIT_EXPECT_EQ(test, st.queued, st0.queued + b.n - 1);
	KUNIT_EXPECT_EQ(test, st.eoms, st0.eoms + b.n - 1);
	KUNIT_EXPECT_EQ(test, st.waiting, 0);
	KUNIT_EXPECT_EQ(test,
			READ_ONCE(hst_slot(cpu, HST_SINT)->header.message_type),
			HVMSG_NONE);
}

static void hvsim_post_to_guest_queue_full(struct kunit *test)
{
	unsigned int cpu = hst_target();
	struct hvsim_vp_stats st0 = hst_stats(test, cpu), st;
	u32 sint = HST_SINT;
	unsigned int i;
	u8 seq;

	for (i = 0; i <= HVSIM_SINT_QUEUE_LEN; i++) {
		seq = i;
		KUNIT_ASSERT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT,
							  HST_TYPE, &seq, 1),
				0);
	}
	seq = 0xff;
	KUNIT_EXPECT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE,
						  &seq, 1), -EAGAIN);
	/* Another SINT has its own queue. */
	KUNIT_EXPECT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT + 1, HST_TYPE,
						  &seq, 1), 0);
	st = hst_stats(test, cpu);
	KUNIT_EXPECT_EQ(test, st.refused, st0.refused + 1);
	KUNIT_EXPECT_EQ(test, st.waiting, HVSIM_SINT_QUEUE_LEN);

	/*
	 * The guest takes them all, in order, one EOM after another.  The
	 * interrupt of the other SINT's message must be over first: a
	 * handler running late in consume mode would take the first message
	 * itself and start the chain early.
	 */
	hvsim_sync_vp(cpu);
	WRITE_ONCE(hst.mode, HST_CONSUME);
	hst_on_cpu(cpu, hst_free_eom_fn, &sint);
	KUNIT_ASSERT_TRUE(test, hst_wait(READ_ONCE(hst.ntaken) >=
					 HVSIM_SINT_QUEUE_LEN));
	KUNIT_EXPECT_EQ(test, READ_ONCE(hst.ntaken), HVSIM_SINT_QUEUE_LEN);
	hvsim_sync_vp(cpu);
	for (i = 0; i < HVSIM_SINT_QUEUE_LEN; i++)
		KUNIT_EXPECT_EQ(test, ((u8 *)hst.taken[i].u.payload)[0],
				i + 1);
	st = hst_stats(test, cpu);
	KUNIT_EXPECT_EQ(test, st.waiting, 0);
	KUNIT_EXPECT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE,
						  &seq, 1), 0);
}

static void hvsim_post_to_guest_payload_size(struct kunit *test)
{
	unsigned int cpu = hst_target();
	u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT + 1];
	struct hv_message *slot = hst_slot(cpu, HST_SINT);

	hst_fill(payload, sizeof(payload), 1);
	KUNIT_EXPECT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE,
						  payload, sizeof(payload)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE,
						  payload, U32_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 0);

	KUNIT_ASSERT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE,
						  payload,
						  HV_MESSAGE_PAYLOAD_BYTE_COUNT),
			0);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, slot->header.payload_size,
			HV_MESSAGE_PAYLOAD_BYTE_COUNT);
	KUNIT_EXPECT_MEMEQ(test, slot->u.payload, payload,
			   HV_MESSAGE_PAYLOAD_BYTE_COUNT);
}

static void hvsim_post_to_guest_bad_args(struct kunit *test)
{
	unsigned int cpu = hst_target();
	struct hvsim_vp_stats st0 = hst_stats(test, cpu), st;
	u8 payload[8] = {};
	const struct {
		u32 vp, sint, type, len;
		const void *payload;
		int err;
	} cases[] = {
		{ nr_cpu_ids, HST_SINT, HST_TYPE, 8, payload, -ENODEV },
		{ U32_MAX, HST_SINT, HST_TYPE, 8, payload, -ENODEV },
		{ cpu, HV_SYNIC_SINT_COUNT, HST_TYPE, 8, payload, -EINVAL },
		{ cpu, U32_MAX, HST_TYPE, 8, payload, -EINVAL },
		{ cpu, HST_SINT, HVMSG_NONE, 8, payload, -EINVAL },
		{ cpu, HST_SINT, HST_TYPE, 8, NULL, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    hvsim_post_to_guest(cases[i].vp,
							cases[i].sint,
							cases[i].type,
							cases[i].payload,
							cases[i].len),
				    cases[i].err, "case %u", i);
	st = hst_stats(test, cpu);
	KUNIT_EXPECT_EQ(test, st.delivered, st0.delivered);
	KUNIT_EXPECT_EQ(test, st.waiting, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 0);
}

static void hvsim_signal_guest_sets_bit(struct kunit *test)
{
	unsigned int cpu = hst_target();
	struct hvsim_vp_stats st0 = hst_stats(test, cpu), st;
	unsigned long *flags = hst_flags(cpu, HST_SINT);

	KUNIT_ASSERT_EQ(test, hvsim_signal_guest(cpu, HST_SINT, 5), 0);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_TRUE(test, test_bit(5, flags));
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 1);

	/* Already set: merged, no interrupt. */
	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(cpu, HST_SINT, 5), 0);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 1);

	/* The last flag, and another SINT's page area. */
	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(cpu, HST_SINT,
						 HV_EVENT_FLAGS_COUNT - 1), 0);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_TRUE(test, test_bit(HV_EVENT_FLAGS_COUNT - 1, flags));
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 2);
	KUNIT_EXPECT_FALSE(test, test_bit(5, hst_flags(cpu, HST_SINT + 1)));

	/* Cleared by the guest, set again: 0 -> 1 interrupts again. */
	KUNIT_EXPECT_TRUE(test, test_and_clear_bit(5, flags));
	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(cpu, HST_SINT, 5), 0);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 3);

	st = hst_stats(test, cpu);
	KUNIT_EXPECT_EQ(test, st.signals, st0.signals + 3);
	KUNIT_EXPECT_EQ(test, st.merged, st0.merged + 1);
	clear_bit(5, flags);
	clear_bit(HV_EVENT_FLAGS_COUNT - 1, flags);
}

static void hvsim_signal_guest_bad_args(struct kunit *test)
{
	unsigned int cpu = hst_target();

	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(nr_cpu_ids, HST_SINT, 1),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(U32_MAX, HST_SINT, 1),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(cpu, HV_SYNIC_SINT_COUNT, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(cpu, HST_SINT,
						 HV_EVENT_FLAGS_COUNT), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(cpu, HST_SINT, U32_MAX),
			-EINVAL);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 0);
}

static void hvsim_synic_disabled_holds_messages(struct kunit *test)
{
	unsigned int cpu = hst_target();
	struct hvsim_vp_stats st0 = hst_stats(test, cpu), st;
	struct hv_message *slot = hst_slot(cpu, HST_SINT);
	u8 payload[4] = { 1, 2, 3, 4 };

	hst_on_cpu(cpu, hst_disable_fn, NULL);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(hvcore_synic(cpu)->enabled));
	KUNIT_EXPECT_EQ(test, hvsim_post_to_guest(cpu, HST_SINT, HST_TYPE,
						  payload, sizeof(payload)), 0);
	KUNIT_EXPECT_EQ(test, hvsim_signal_guest(cpu, HST_SINT, 7), -ENXIO);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, READ_ONCE(slot->header.message_type),
			HVMSG_NONE);
	KUNIT_EXPECT_FALSE(test, test_bit(7, hst_flags(cpu, HST_SINT)));
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 0);
	st = hst_stats(test, cpu);
	KUNIT_EXPECT_FALSE(test, st.enabled);
	KUNIT_EXPECT_EQ(test, st.waiting, 1);
	KUNIT_EXPECT_EQ(test, st.dropped, st0.dropped + 1);

	/* Enabling delivers what waited, and interrupts. */
	KUNIT_ASSERT_EQ(test, hst_on_cpu(cpu, hst_enable_fn, NULL), 0);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, READ_ONCE(slot->header.message_type), HST_TYPE);
	KUNIT_EXPECT_MEMEQ(test, slot->u.payload, payload, sizeof(payload));
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 1);
	KUNIT_EXPECT_EQ(test, hst_on_cpu(cpu, hst_enable_fn, NULL), -EBUSY);
}

static void hvcore_set_handler_busy(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hvcore_set_handler(hst_isr), -EBUSY);
	KUNIT_EXPECT_EQ(test, hvcore_set_handler(NULL), -EINVAL);
}

static void hvcore_clear_handler_stops_calls(struct kunit *test)
{
	struct hst_priv *p = test->priv;
	unsigned int cpu = hst_target();
	u64 irqs0 = hvcore_interrupt_count(cpu);

	hvcore_clear_handler();
	p->handler = false;
	KUNIT_ASSERT_EQ(test, hvsim_raise_vp(cpu), 0);
	hvsim_sync_vp(cpu);
	/* The interrupt is taken and counted, the handler not called. */
	KUNIT_EXPECT_EQ(test, hvcore_interrupt_count(cpu), irqs0 + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 0);

	KUNIT_ASSERT_EQ(test, hvcore_set_handler(hst_isr), 0);
	p->handler = true;
	KUNIT_ASSERT_EQ(test, hvsim_raise_vp(cpu), 0);
	hvsim_sync_vp(cpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&hst.calls), 1);
}

static void hvcore_synic_pages(struct kunit *test)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct hvcore_synic *s = hvcore_synic(cpu);

		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(s->msg_page));
		KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(s->event_page));
		KUNIT_EXPECT_EQ(test, s->msg_pa, virt_to_phys(s->msg_page));
		KUNIT_EXPECT_EQ(test, s->event_pa,
				virt_to_phys(s->event_page));
	}
	/* Calls nest: an inner pair keeps the pages. */
	KUNIT_ASSERT_EQ(test, hvcore_synic_init(), 0);
	hvcore_synic_exit();
	KUNIT_EXPECT_NOT_NULL(test, hvcore_synic(hst_target()));

	KUNIT_EXPECT_NULL(test, hvcore_synic(nr_cpu_ids));
	KUNIT_EXPECT_EQ(test, hvcore_synic_enable(nr_cpu_ids), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvcore_vp_index(nr_cpu_ids), U32_MAX);
	KUNIT_EXPECT_EQ(test, hvcore_interrupt_count(nr_cpu_ids), 0);
	KUNIT_EXPECT_EQ(test, hvcore_vp_index(hst_target()), hst_target());
}

static bool hst_bus_was_connected;

static int hst_suite_init(struct kunit_suite *suite)
{
	hst_bus_was_connected = hvb_connected();
	hvb_disconnect();
	return 0;
}

static void hst_suite_exit(struct kunit_suite *suite)
{
	int ret;

	if (!hst_bus_was_connected)
		return;
	ret = hvb_connect();
	if (ret)
		pr_err("hvsim_synic: hv_vmbus did not reconnect (%d)\n", ret);
}

static struct kunit_case hvsim_synic_cases[] = {
	KUNIT_CASE(hvcore_synic_pages),
	KUNIT_CASE(hvsim_post_to_guest_free_slot),
	KUNIT_CASE(hvcore_interrupt_hardirq_on_target),
	KUNIT_CASE(hvsim_post_to_guest_busy_slot),
	KUNIT_CASE(hvsim_post_to_guest_handler_eom),
	KUNIT_CASE(hvsim_post_to_guest_queue_full),
	KUNIT_CASE(hvsim_post_to_guest_payload_size),
	KUNIT_CASE(hvsim_post_to_guest_bad_args),
	KUNIT_CASE(hvsim_signal_guest_sets_bit),
	KUNIT_CASE(hvsim_signal_guest_bad_args),
	KUNIT_CASE(hvsim_synic_disabled_holds_messages),
	KUNIT_CASE(hvcore_set_handler_busy),
	KUNIT_CASE(hvcore_clear_handler_stops_calls),
	{}
};

static struct kunit_suite hvsim_synic_suite = {
	.name = "hvsim_synic",
	.suite_init = hst_suite_init,
	.suite_exit = hst_suite_exit,
	.init = hst_init,
	.exit = hst_exit,
	.test_cases = hvsim_synic_cases,
};
kunit_test_suite(hvsim_synic_suite);

MODULE_LICENSE("GPL");
