// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hvcore backend registration.
 *
 * In the KUnit kernel hvsim is built in and registered at boot, so these
 * tests see it as the current backend.
 */
#include <kunit/test.h>
#include <hvguest/hvcore.h>

static int fake_post(u32 conn_id, u32 type, const void *p, u32 len)
{
	return 0;
}

static int fake_signal(u32 conn_id, u16 flag)
{
	return 0;
}

static int fake_enable(unsigned int cpu, struct hvcore_synic *s)
{
	return 0;
}

static void fake_disable(unsigned int cpu, struct hvcore_synic *s)
{
}

static void fake_eom(void)
{
}

static u32 fake_vp(unsigned int cpu)
{
	return cpu;
}

static u64 fake_time(void)
{
	return 0;
}

static const struct hvcore_backend_ops fake_ops = {
	.name = "fake",
	.owner = THIS_MODULE,
	.post_message = fake_post,
	.signal_event = fake_signal,
	.synic_enable = fake_enable,
	.synic_disable = fake_disable,
	.eom = fake_eom,
	.vp_index = fake_vp,
	.ref_time = fake_time,
};

static void hvcore_register_backend_incomplete(struct kunit *test)
{
	struct hvcore_backend_ops ops = fake_ops;

	KUNIT_EXPECT_EQ(test, hvcore_register_backend(NULL), -EINVAL);
	ops.post_message = NULL;
	KUNIT_EXPECT_EQ(test, hvcore_register_backend(&ops), -EINVAL);
	ops = fake_ops;
	ops.ref_time = NULL;
	KUNIT_EXPECT_EQ(test, hvcore_register_backend(&ops), -EINVAL);
	ops = fake_ops;
	ops.name = NULL;
	KUNIT_EXPECT_EQ(test, hvcore_register_backend(&ops), -EINVAL);
}

static void hvcore_register_backend_second(struct kunit *test)
{
	/* hvsim holds the slot: a second backend is refused. */
	KUNIT_EXPECT_STREQ(test, hvcore_backend_name(), "sim");
	KUNIT_EXPECT_EQ(test, hvcore_register_backend(&fake_ops), -EBUSY);
	KUNIT_EXPECT_STREQ(test, hvcore_backend_name(), "sim");
	/* Unregistering a table that is not registered changes nothing. */
	hvcore_unregister_backend(&fake_ops);
	KUNIT_EXPECT_STREQ(test, hvcore_backend_name(), "sim");
}

static void hvcore_get_backend_pins(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, hvcore_get_backend(), 0);
	KUNIT_EXPECT_EQ(test, hvcore_get_backend(), 0);
	hvcore_put_backend();
	hvcore_put_backend();
}

static struct kunit_case hvcore_backend_cases[] = {
	KUNIT_CASE(hvcore_register_backend_incomplete),
	KUNIT_CASE(hvcore_register_backend_second),
	KUNIT_CASE(hvcore_get_backend_pins),
	{}
};

static struct kunit_suite hvcore_backend_suite = {
	.name = "hvcore_backend",
	.test_cases = hvcore_backend_cases,
};
kunit_test_suite(hvcore_backend_suite);

MODULE_LICENSE("GPL");
