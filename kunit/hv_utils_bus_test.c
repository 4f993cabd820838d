// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hv_utils on hv_vmbus on hvsim's IC host, end to end, under KASAN
 * and lockdep (suite hv_utils_bus).
 *
 * hvsim, hv_vmbus and hv_utils are built in.  The case offers the
 * heartbeat, time sync, KVP and VSS ICs on hvsim's host, waits for
 * hv_utils to bind each and for the host's NEGOTIATE to be answered with
 * the versions hvsim offers (heartbeat 3.0, time sync 4.0), then rescinds
 * them all: the devices go, and the bus's live devices and channels are
 * back where they started.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/string.h>
#include "../hvsim/ic.h"
#include "../hvsim/vmbus_host.h"
#include "../vmbus/hvb.h"
#include "../drivers/util/hvu.h"

static const char * const hubt_ics[] = { "heartbeat", "timesync", "kvp", "vss" };

/* Poll @cond for up to 5 s, letting the host and the bus settle. */
#define hubt_wait(host, cond)						\
({									\
	int __n;							\
	bool __ok = false;						\
	for (__n = 0; __n < 500 && !__ok; __n++) {			\
		hvsim_vmbus_flush(host);				\
		hvb_wait_idle();					\
		__ok = (cond);						\
		if (!__ok)						\
			usleep_range(10000, 20000);			\
	}								\
	__ok;								\
})

static struct hv_device *hubt_find(const guid_t *instance)
{
	char name[UUID_STRING_LEN + 1];
	struct device *dev;

	snprintf(name, sizeof(name), "%pUl", instance);
	dev = bus_find_device_by_name(&hvb_bus, NULL, name);
	return dev ? device_to_hv_device(dev) : NULL;
}

/* The device is on the bus and bound to hv_utils. */
static bool hubt_bound(const guid_t *instance)
{
	struct hv_device *hv = hubt_find(instance);
	bool ok;

	if (!hv)
		return false;
	device_lock(&hv->device);
	ok = hv->device.driver && !strcmp(hv->device.driver->name, "hv_utils");
	device_unlock(&hv->device);
	put_device(&hv->device);
	return ok;
}

static bool hubt_gone(const guid_t *instance)
{
	struct hv_device *hv = hubt_find(instance);

	if (hv)
		put_device(&hv->device);
	return !hv;
}

static void hv_utils_bus_bind_negotiate_rescind(struct kunit *test)
{
	guid_t cls[ARRAY_SIZE(hubt_ics)], inst[ARRAY_SIZE(hubt_ics)];
	struct hvsim_vmbus *host;
	int devices, channels, i;

	KUNIT_ASSERT_TRUE_MSG(test, hvb_connected() || !hvb_connect(),
			      "hv_vmbus cannot connect to hvsim");
	host = hvsim_vmbus_host();
	KUNIT_ASSERT_NOT_NULL(test, host);
	hvb_wait_idle();
	devices = atomic_read(&hvb_stats.devices);
	channels = atomic_read(&hvb_stats.channels);

	for (i = 0; i < ARRAY_SIZE(hubt_ics); i++) {
		struct hvsim_vmbus_dev_config cfg = {};

		KUNIT_ASSERT_EQ(test, hvsim_ic_lookup(hubt_ics[i], &cls[i],
						      &inst[i]), 0);
		cfg.class_id = cls[i];
		cfg.instance_id = inst[i];
		KUNIT_ASSERT_EQ_MSG(test, hvsim_vmbus_add(host, &cfg), 0,
				    "offer %s", hubt_ics[i]);
	}
	for (i = 0; i < ARRAY_SIZE(hubt_ics); i++)
		KUNIT_EXPECT_TRUE_MSG(test, hubt_wait(host, hubt_bound(&inst[i])),
				      "%s bound to hv_utils", hubt_ics[i]);

	KUNIT_EXPECT_TRUE(test, hubt_wait(host, READ_ONCE(hvu_heartbeat.srv_version) ==
					  HVU_VER(3, 0)));
	KUNIT_EXPECT_TRUE(test, hubt_wait(host, READ_ONCE(hvu_timesync.srv_version) ==
					  HVU_VER(4, 0)));

	for (i = 0; i < ARRAY_SIZE(hubt_ics); i++) {
		KUNIT_EXPECT_EQ(test, hvsim_vmbus_rescind(host, &inst[i]), 0);
		KUNIT_EXPECT_TRUE_MSG(test, hubt_wait(host, hubt_gone(&inst[i])),
				      "%s removed", hubt_ics[i]);
	}
	KUNIT_EXPECT_TRUE(test, hubt_wait(host,
		atomic_read(&hvb_stats.devices) == devices &&
		atomic_read(&hvb_stats.channels) == channels));
}

static struct kunit_case hv_utils_bus_cases[] = {
	KUNIT_CASE_SLOW(hv_utils_bus_bind_negotiate_rescind),
	{}
};

static struct kunit_suite hv_utils_bus_suite = {
	.name = "hv_utils_bus",
	.test_cases = hv_utils_bus_cases,
};
kunit_test_suite(hv_utils_bus_suite);
