// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the TLFS logic of hvcore's real Hyper-V backend (hvcore/hyperv.c)
 * on a fake platform: a small file of synthetic MSRs that logs every
 * write in order, hypercalls that record their input and return a
 * programmed status, and the partition's feature bits.  The ops are
 * called directly; the backend is not registered (hvsim is, in the KUnit
 * kernel).
 */
#include <kunit/test.h>
#include <linux/irqflags.h>
#include <linux/string.h>
#include "../hvcore/hyperv.h"

#define FAKE_MSRS	8
#define FAKE_LOG	16
#define FAKE_VECTOR	0x42
#define FAKE_MSG_PA	0x123456000ULL
#define FAKE_EVENT_PA	0x0789a000ULL
#define FAKE_CLOCK_FEATURES	(HV_MSR_REFERENCE_TSC_AVAILABLE | \
				 HV_MSR_SYNTIMER_AVAILABLE)

struct fake_write {
	unsigned int reg;
	u64 val;
};

struct fake_hv {
	struct kunit *test;
	unsigned int msr_reg[FAKE_MSRS];
	u64 msr_val[FAKE_MSRS];
	unsigned int nr_msrs;
	struct fake_write log[FAKE_LOG];
	unsigned int nr_writes;

	u8 *input_page;
	u64 status;
	unsigned int calls;
	u64 control;
	void *input;
	void *output;
	bool irqs_were_off;
	u8 input_copy[sizeof(struct hvcore_hv_post_input)];
	u16 fast_code;
	u64 fast_input;
	void (*callback)(void);
	unsigned int callback_sets;
	unsigned int callback_clears;
	unsigned int timer_calls;
};

static struct fake_hv *fake;

static u64 *fake_msr(unsigned int reg)
{
	unsigned int i;

	for (i = 0; i < fake->nr_msrs; i++)
		if (fake->msr_reg[i] == reg)
			return &fake->msr_val[i];
	KUNIT_ASSERT_LT(fake->test, fake->nr_msrs, FAKE_MSRS);
	fake->msr_reg[fake->nr_msrs] = reg;
	fake->msr_val[fake->nr_msrs] = 0;
	return &fake->msr_val[fake->nr_msrs++];
}

static u64 fake_read_msr(unsigned int reg)
{
	return *fake_msr(reg);
}

static void fake_write_msr(unsigned int reg, u64 val)
{
	*fake_msr(reg) = val;
	KUNIT_ASSERT_LT(fake->test, fake->nr_writes, FAKE_LOG);
	fake->log[fake->nr_writes].reg = reg;
	fake->log[fake->nr_writes].val = val;
	fake->nr_writes++;
}

static u64 fake_hypercall(u64 control, void *input, void *output)
{
	fake->calls++;
	fake->control = control;
	fake->input = input;
	fake->output = output;
	fake->irqs_were_off = irqs_disabled();
	if (input)
		memcpy(fake->input_copy, input, sizeof(fake->input_copy));
	return fake->status;
}

static u64 fake_fast_hypercall8(u16 code, u64 input)
{
	fake->calls++;
	fake->fast_code = code;
	fake->fast_input = input;
	return fake->status;
}

static void *fake_input_page(void)
{
	return fake->input_page;
}

static u32 fake_vp_index(unsigned int cpu)
{
	return cpu + 100;
}

static u64 fake_ref_time(void)
{
	return 123456789;
}

static void fake_set_callback(void (*fn)(void))
{
	fake->callback = fn;
	fake->callback_sets++;
}

static void fake_clear_callback(void)
{
	fake->callback = NULL;
	fake->callback_clears++;
}

static void fake_timer_message(void)
{
	fake->timer_calls++;
}

static struct hvcore_hv_platform fake_platform = {
	.read_msr = fake_read_msr,
	.write_msr = fake_write_msr,
	.hypercall = fake_hypercall,
	.fast_hypercall8 = fake_fast_hypercall8,
	.input_page = fake_input_page,
	.vp_index = fake_vp_index,
	.ref_time = fake_ref_time,
	.set_callback = fake_set_callback,
	.clear_callback = fake_clear_callback,
	.vector = FAKE_VECTOR,
};

static int hyperv_test_init(struct kunit *test)
{
	fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake);
	fake->test = test;
	fake->input_page = kunit_kmalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake->input_page);
	memset(fake->input_page, 0xaa, HV_HYP_PAGE_SIZE);
	fake_platform.hints = 0;
	fake_platform.features = FAKE_CLOCK_FEATURES;
	fake_platform.timer_message = NULL;
	hvcore_hv_set_platform(&fake_platform);
	return 0;
}

static void hyperv_test_exit(struct kunit *test)
{
	hvcore_hv_set_platform(NULL);
	fake = NULL;
}

#define SINT2		(HV_MSR_SINT0 + HVCORE_VMBUS_SINT)

static void expect_write(struct kunit *test, unsigned int i,
			 unsigned int reg, u64 val)
{
	KUNIT_ASSERT_LT(test, i, fake->nr_writes);
	KUNIT_EXPECT_EQ_MSG(test, fake->log[i].reg, reg, "write %u", i);
	KUNIT_EXPECT_EQ_MSG(test, fake->log[i].val, val, "write %u", i);
}

/* Reserved bits set in every register before the SynIC is touched. */
#define SIMP_RSVD	0xabcULL		/* bits 1-11 */
#define SIEFP_RSVD	0x554ULL
#define SINT_RSVD	(0xa500ULL | BIT_ULL(19) | BIT_ULL(63))
#define SCTRL_RSVD	(BIT_ULL(1) | BIT_ULL(40))

static void preset_synic(void)
{
	/* Stale page numbers and a masked, polled SINT on a stale vector. */
	*fake_msr(HV_MSR_SIMP) = SIMP_RSVD | 0x777000ULL;
	*fake_msr(HV_MSR_SIEFP) = SIEFP_RSVD | 0x888000ULL;
	*fake_msr(SINT2) = SINT_RSVD | BIT_ULL(16) | BIT_ULL(18) | 0x31;
	*fake_msr(HV_MSR_SCONTROL) = SCTRL_RSVD;
}

static struct hvcore_synic test_synic = {
	.msg_pa = FAKE_MSG_PA,
	.event_pa = FAKE_EVENT_PA,
};

static void hyperv_synic_enable_aeoi(struct kunit *test)
{
	preset_synic();
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.synic_enable(0, &test_synic), 0);

	KUNIT_EXPECT_EQ(test, fake->nr_writes, 4U);
	expect_write(test, 0, HV_MSR_SIMP, FAKE_MSG_PA | SIMP_RSVD | 1);
	expect_write(test, 1, HV_MSR_SIEFP, FAKE_EVENT_PA | SIEFP_RSVD | 1);
	/* Vector, unmasked, auto EOI, not polled, reserved bits kept. */
	expect_write(test, 2, SINT2, SINT_RSVD | BIT_ULL(17) | FAKE_VECTOR);
	expect_write(test, 3, HV_MSR_SCONTROL, SCTRL_RSVD | 1);
	KUNIT_EXPECT_EQ(test, fake->calls, 0U);
}

static void hyperv_synic_enable_no_aeoi(struct kunit *test)
{
	fake_platform.hints = HV_DEPRECATING_AEOI_RECOMMENDED;
	preset_synic();
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.synic_enable(0, &test_synic), 0);

	KUNIT_EXPECT_EQ(test, fake->nr_writes, 4U);
	expect_write(test, 2, SINT2, SINT_RSVD | FAKE_VECTOR);
}

static void hyperv_synic_enable_bad_pages(struct kunit *test)
{
	struct hvcore_synic s = test_synic;

	s.msg_pa |= 0x800;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.synic_enable(0, &s), -EINVAL);
	s = test_synic;
	s.event_pa = 0;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.synic_enable(0, &s), -EINVAL);
	KUNIT_EXPECT_EQ(test, fake->nr_writes, 0U);
}

static void hyperv_synic_disable(struct kunit *test)
{
	preset_synic();
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.synic_enable(0, &test_synic), 0);
	fake->nr_writes = 0;
	hvcore_hv_ops.synic_disable(0, &test_synic);

	KUNIT_EXPECT_EQ(test, fake->nr_writes, 4U);
	/* Masked first; vector and AEOI as they were, reserved kept. */
	expect_write(test, 0, SINT2,
		     SINT_RSVD | BIT_ULL(16) | BIT_ULL(17) | FAKE_VECTOR);
	/* Pages disabled and forgotten. */
	expect_write(test, 1, HV_MSR_SIMP, SIMP_RSVD);
	expect_write(test, 2, HV_MSR_SIEFP, SIEFP_RSVD);
	expect_write(test, 3, HV_MSR_SCONTROL, SCTRL_RSVD);
}

static void hyperv_eom(struct kunit *test)
{
	*fake_msr(HV_MSR_EOM) = 0x1234;
	hvcore_hv_ops.eom();
	KUNIT_EXPECT_EQ(test, fake->nr_writes, 1U);
	expect_write(test, 0, HV_MSR_EOM, 0);
}

static void hyperv_post_message(struct kunit *test)
{
	const struct hvcore_hv_post_input *in = (void *)fake->input_copy;
	u8 payload[13];
	unsigned int i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = i + 1;
	fake->status = HV_STATUS_SUCCESS;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.post_message(0x4, 1, payload,
							 sizeof(payload)), 0);

	KUNIT_EXPECT_EQ(test, fake->calls, 1U);
	KUNIT_EXPECT_EQ(test, fake->control, (u64)HVCALL_POST_MESSAGE);
	KUNIT_EXPECT_PTR_EQ(test, fake->input, (void *)fake->input_page);
	KUNIT_EXPECT_NULL(test, fake->output);
	KUNIT_EXPECT_TRUE(test, fake->irqs_were_off);
	KUNIT_EXPECT_EQ(test, in->connection_id, 0x4U);
	KUNIT_EXPECT_EQ(test, in->reserved, 0U);
	KUNIT_EXPECT_EQ(test, in->message_type, 1U);
	KUNIT_EXPECT_EQ(test, in->payload_size, (u32)sizeof(payload));
	KUNIT_EXPECT_MEMEQ(test, in->payload, payload, sizeof(payload));
	/* The rest of the payload is cleared, not left from earlier calls. */
	for (i = sizeof(payload); i < HV_MESSAGE_PAYLOAD_BYTE_COUNT; i++)
		KUNIT_EXPECT_EQ(test, ((const u8 *)in->payload)[i], 0);
	/* Nothing beyond the input structure is written. */
	KUNIT_EXPECT_EQ(test, fake->input_page[sizeof(*in)], 0xaa);
}

static void hyperv_post_message_full_size(struct kunit *test)
{
	const struct hvcore_hv_post_input *in = (void *)fake->input_copy;
	u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT + 1];
	int ret;

	memset(payload, 0x5c, sizeof(payload));
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.post_message(1, 1, payload,
							 sizeof(payload)),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, fake->calls, 0U);

	ret = hvcore_hv_ops.post_message(1, 1, payload,
					 HV_MESSAGE_PAYLOAD_BYTE_COUNT);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, fake->calls, 1U);
	KUNIT_EXPECT_EQ(test, in->payload_size,
			(u32)HV_MESSAGE_PAYLOAD_BYTE_COUNT);
	KUNIT_EXPECT_MEMEQ(test, in->payload, payload,
			   HV_MESSAGE_PAYLOAD_BYTE_COUNT);
}

static const struct {
	u64 status;
	int err;
} hyperv_statuses[] = {
	{ HV_STATUS_SUCCESS, 0 },
	/* Bits above the result field (rep counts) do not matter. */
	{ BIT_ULL(32) | HV_STATUS_SUCCESS, 0 },
	{ HV_STATUS_INSUFFICIENT_MEMORY, -EAGAIN },
	{ HV_STATUS_INSUFFICIENT_BUFFERS, -EAGAIN },
	{ HV_STATUS_INVALID_CONNECTION_ID, -ENXIO },
	{ HV_STATUS_INVALID_PARAMETER, -EIO },
	{ HV_STATUS_ACCESS_DENIED, -EIO },
	{ HV_STATUS_INVALID_HYPERCALL_CODE, -EIO },
	{ HV_STATUS_INVALID_PORT_ID, -EIO },
	/* What the kernel returns without a hypercall page. */
	{ U64_MAX, -EIO },
};

static void hyperv_post_message_status(struct kunit *test)
{
	u64 word = 0x1122334455667788ULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hyperv_statuses); i++) {
		fake->status = hyperv_statuses[i].status;
		KUNIT_EXPECT_EQ_MSG(test,
				    hvcore_hv_ops.post_message(7, 1, &word,
							       sizeof(word)),
				    hyperv_statuses[i].err,
				    "status %#llx", hyperv_statuses[i].status);
	}
	KUNIT_EXPECT_EQ(test, fake->calls, (unsigned int)i);
}

static void hyperv_post_message_no_page(struct kunit *test)
{
	u64 word = 0;

	fake->input_page = NULL;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.post_message(7, 1, &word,
							 sizeof(word)), -EIO);
	KUNIT_EXPECT_EQ(test, fake->calls, 0U);
}

static void hyperv_signal_event(struct kunit *test)
{
	unsigned int i;

	fake->status = HV_STATUS_SUCCESS;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.signal_event(0x10013, 0xbeef), 0);
	KUNIT_EXPECT_EQ(test, fake->calls, 1U);
	KUNIT_EXPECT_EQ(test, fake->fast_code, HVCALL_SIGNAL_EVENT);
	KUNIT_EXPECT_EQ(test, fake->fast_input, 0x0000beef00010013ULL);

	for (i = 0; i < ARRAY_SIZE(hyperv_statuses); i++) {
		fake->status = hyperv_statuses[i].status;
		KUNIT_EXPECT_EQ_MSG(test, hvcore_hv_ops.signal_event(1, 0),
				    hyperv_statuses[i].err,
				    "status %#llx", hyperv_statuses[i].status);
	}
}

static void hyperv_vp_and_time(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.vp_index(1), 101U);
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.ref_time(), 123456789ULL);
	KUNIT_EXPECT_STREQ(test, hvcore_hv_ops.name, "hyperv");
}

/* The vector is taken by the first user and given back by the last. */
static void hyperv_attach_detach(struct kunit *test)
{
	KUNIT_ASSERT_NOT_NULL(test, hvcore_hv_ops.attach);
	KUNIT_ASSERT_NOT_NULL(test, hvcore_hv_ops.detach);
	KUNIT_EXPECT_EQ(test, fake->callback_sets, 0U);

	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.attach(), 0);
	KUNIT_EXPECT_EQ(test, fake->callback_sets, 1U);
	KUNIT_EXPECT_TRUE(test, fake->callback == hvcore_interrupt);

	hvcore_hv_ops.detach();
	KUNIT_EXPECT_EQ(test, fake->callback_clears, 1U);
	KUNIT_EXPECT_NULL(test, fake->callback);
}

/*
 * stimer0 expiries go to the platform's timer when it has one; a test
 * platform is never the real one.
 */
static void hyperv_timer_message(struct kunit *test)
{
	KUNIT_ASSERT_NOT_NULL(test, hvcore_hv_ops.timer_message);
	KUNIT_EXPECT_FALSE(test, hvcore_hv_ops.timer_message());

	fake_platform.timer_message = fake_timer_message;
	KUNIT_EXPECT_TRUE(test, hvcore_hv_ops.timer_message());
	KUNIT_EXPECT_EQ(test, fake->timer_calls, 1U);

	KUNIT_EXPECT_FALSE(test, hvcore_hv_is_real());
	/* The KUnit kernel's backend is hvsim's. */
	KUNIT_EXPECT_FALSE(test, hvcore_backend_is_real());
}

/*
 * The reference TSC page: the guest's PFN and enable bit go in, the bits
 * the hypervisor reserves keep their value, a value with reserved bits
 * set is refused before any MSR is touched.
 */
static void hyperv_ref_tsc(struct kunit *test)
{
	const u64 rsvd = 0x5a4ULL;	/* bits 2, 5, 7, 8, 10 */
	const u64 pa = 0xfedcba987000ULL;

	*fake_msr(HV_MSR_REFERENCE_TSC) = rsvd | 0x111000ULL;
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.ref_tsc(pa | 1), 0);
	KUNIT_EXPECT_EQ(test, fake->nr_writes, 1U);
	expect_write(test, 0, HV_MSR_REFERENCE_TSC, pa | rsvd | 1);

	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.ref_tsc(0), 0);
	KUNIT_EXPECT_EQ(test, fake->nr_writes, 2U);
	expect_write(test, 1, HV_MSR_REFERENCE_TSC, rsvd);

	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.ref_tsc(pa | 2 | 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, fake->nr_writes, 2U);
}

/*
 * stimer0 in message mode: the configuration and the count are written
 * as given, configuration first when the clock event arms it.  The real
 * backend has no vector of its own, so direct mode is refused.
 */
static void hyperv_stimer(struct kunit *test)
{
	union hv_stimer_config c = { .as_uint64 = 0 };

	c.enable = 1;
	c.auto_enable = 1;
	c.sintx = HVCORE_VMBUS_SINT;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.stimer_vector, 0);
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.stimer_config(c.as_uint64), 0);
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.stimer_count(1234567), 0);
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.stimer_count(0), 0);
	KUNIT_ASSERT_EQ(test, hvcore_hv_ops.stimer_config(0), 0);
	KUNIT_EXPECT_EQ(test, fake->nr_writes, 4U);
	expect_write(test, 0, HV_MSR_STIMER0_CONFIG, 0x20009ULL);
	expect_write(test, 1, HV_MSR_STIMER0_COUNT, 1234567);
	expect_write(test, 2, HV_MSR_STIMER0_COUNT, 0);
	expect_write(test, 3, HV_MSR_STIMER0_CONFIG, 0);

	c.direct_mode = 1;
	c.apic_vector = 0xed;
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.stimer_config(c.as_uint64),
			-EINVAL);
	c.as_uint64 = BIT_ULL(14);	/* reserved */
	KUNIT_EXPECT_EQ(test, hvcore_hv_ops.stimer_config(c.as_uint64),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, fake->nr_writes, 4U);
}

struct hyperv_clock_case {
	const char *name;
	u32 features;
	bool ref_tsc;
	bool stimer;
};

static const struct hyperv_clock_case hyperv_clock_cases[] = {
	{ "both", FAKE_CLOCK_FEATURES, true, true },
	{ "none", 0, false, false },
	{ "reference TSC only", HV_MSR_REFERENCE_TSC_AVAILABLE, true, false },
	{ "synthetic timers only", HV_MSR_SYNTIMER_AVAILABLE, false, true },
	{ "everything but the clocks",
	  ~(u32)FAKE_CLOCK_FEATURES, false, false },
};

KUNIT_ARRAY_PARAM_DESC(hyperv_clock, hyperv_clock_cases, name);

/*
 * The clock ops follow the partition's features (CPUID 0x40000003 EAX):
 * an op the partition lacks is not offered, so hvcore answers
 * -EOPNOTSUPP for the TSC page and has no stimer0; and detaching the
 * platform takes them away.
 */
static void hyperv_clock_ops_features(struct kunit *test)
{
	const struct hyperv_clock_case *c = test->param_value;

	fake_platform.features = c->features;
	hvcore_hv_set_platform(&fake_platform);
	KUNIT_EXPECT_EQ(test, !!hvcore_hv_ops.ref_tsc, c->ref_tsc);
	KUNIT_EXPECT_EQ(test, !!hvcore_hv_ops.stimer_config, c->stimer);
	KUNIT_EXPECT_EQ(test, !!hvcore_hv_ops.stimer_count, c->stimer);
	KUNIT_EXPECT_EQ(test, fake->nr_writes, 0U);

	hvcore_hv_set_platform(NULL);
	KUNIT_EXPECT_NULL(test, hvcore_hv_ops.ref_tsc);
	KUNIT_EXPECT_NULL(test, hvcore_hv_ops.stimer_config);
	KUNIT_EXPECT_NULL(test, hvcore_hv_ops.stimer_count);
}

static struct kunit_case hvcore_hyperv_cases[] = {
	KUNIT_CASE(hyperv_synic_enable_aeoi),
	KUNIT_CASE(hyperv_synic_enable_no_aeoi),
	KUNIT_CASE(hyperv_synic_enable_bad_pages),
	KUNIT_CASE(hyperv_synic_disable),
	KUNIT_CASE(hyperv_eom),
	KUNIT_CASE(hyperv_post_message),
	KUNIT_CASE(hyperv_post_message_full_size),
	KUNIT_CASE(hyperv_post_message_status),
	KUNIT_CASE(hyperv_post_message_no_page),
	KUNIT_CASE(hyperv_signal_event),
	KUNIT_CASE(hyperv_vp_and_time),
	KUNIT_CASE(hyperv_attach_detach),
	KUNIT_CASE(hyperv_timer_message),
	KUNIT_CASE(hyperv_ref_tsc),
	KUNIT_CASE(hyperv_stimer),
	KUNIT_CASE_PARAM(hyperv_clock_ops_features, hyperv_clock_gen_params),
	{}
};

static struct kunit_suite hvcore_hyperv_suite = {
	.name = "hvcore_hyperv",
	.init = hyperv_test_init,
	.exit = hyperv_test_exit,
	.test_cases = hvcore_hyperv_cases,
};
kunit_test_suite(hvcore_hyperv_suite);
