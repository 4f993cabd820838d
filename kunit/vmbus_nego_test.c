// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hv_vmbus's version handshake, as a pure state machine against a
 * fake host.
 *
 * The fake host answers each INITIATE_CONTACT the state machine asks for
 * as a configured host would: it may lack the multiclient connection (a
 * post to connection 4 fails, as on QEMU), accept versions up to a cap,
 * never answer one version, report a failed connection, or name a message
 * connection.  Each case checks the versions tried in order, the
 * connection each was sent on, and the result.
 */
#include <kunit/test.h>
#include <linux/hyperv.h>
#include <linux/string.h>
#include "../vmbus/hvb.h"

#define V(maj, min)	((maj) << 16 | (min))
#define VNT_MAX_TRIES	16

struct vnt_host {
	u32 max;		/* highest version accepted; 0: none */
	bool no_multiclient;	/* posts to connection 4 fail */
	u32 silent_at;		/* no answer to this version */
	u8 conn_state;		/* of an accepting answer */
	u32 msg_conn_id;	/* of a 5.0+ accepting answer */
};

struct vnt_case {
	const char *name;
	u32 guest_max;
	struct vnt_host host;
	int result;
	u32 tried[VNT_MAX_TRIES];	/* ends at 0 */
	u32 version;			/* negotiated, when result is 0 */
	u32 msg_conn_id;
};

/* The fake host's part of one INITIATE_CONTACT. */
static int vnt_answer(const struct vnt_host *h, const struct hvb_nego *n,
		      struct vmbus_channel_version_response *r)
{
	if (n->conn_id == VMBUS_MESSAGE_CONNECTION_ID_4 && h->no_multiclient)
		return -ENXIO;
	if (n->version == h->silent_at)
		return -ETIMEDOUT;

	memset(r, 0, sizeof(*r));
	r->header.msgtype = CHANNELMSG_VERSION_RESPONSE;
	if (n->version > h->max)
		return 0;
	r->version_supported = 1;
	r->connection_state = h->conn_state;
	/* Before 5.0 the field is the version, as OpenVMM sends it. */
	r->msg_conn_id = n->version >= VERSION_WIN10_V5 ? h->msg_conn_id :
							  n->version;
	return 0;
}

static const struct vnt_case vnt_cases[] = {
	{ "host 5.3", V(5, 3), { .max = V(5, 3), .msg_conn_id = 1 },
	  0, { V(5, 3) }, V(5, 3), 1 },
	{ "host 5.2", V(5, 3), { .max = V(5, 2), .msg_conn_id = 1 },
	  0, { V(5, 3), V(5, 2) }, V(5, 2), 1 },
	{ "host 5.1", V(5, 3), { .max = V(5, 1), .msg_conn_id = 1 },
	  0, { V(5, 3), V(5, 2), V(5, 1) }, V(5, 1), 1 },
	{ "host 5.0, message connection 9", V(5, 3),
	  { .max = V(5, 0), .msg_conn_id = 9 },
	  0, { V(5, 3), V(5, 2), V(5, 1), V(5, 0) }, V(5, 0), 9 },
	{ "host 4.1", V(5, 3), { .max = V(4, 1), .msg_conn_id = 1 },
	  0, { V(5, 3), V(5, 2), V(5, 1), V(5, 0), V(4, 1) }, V(4, 1), 1 },
	{ "host 4.0 without multiclient", V(5, 3),
	  { .max = V(4, 0), .no_multiclient = true },
	  0, { V(5, 3), V(5, 2), V(5, 1), V(5, 0), V(4, 1), V(4, 0) },
	  V(4, 0), 1 },
	{ "host 3.0", V(5, 3), { .max = V(3, 0), .msg_conn_id = 1 },
	  0, { V(5, 3), V(5, 2), V(5, 1), V(5, 0), V(4, 1), V(4, 0),
	       V(3, 0) }, V(3, 0), 1 },
	{ "host 2.4", V(5, 3), { .max = V(2, 4), .msg_conn_id = 1 },
	  0, { V(5, 3), V(5, 2), V(5, 1), V(5, 0), V(4, 1), V(4, 0),
	       V(3, 0), V(2, 4) }, V(2, 4), 1 },
	{ "host accepts nothing", V(5, 3), { .max = 0 },
	  -ECONNREFUSED, { V(5, 3), V(5, 2), V(5, 1), V(5, 0), V(4, 1),
			   V(4, 0), V(3, 0), V(2, 4) } },
	{ "guest capped at 4.1", V(4, 1), { .max = V(5, 3), .msg_conn_id = 1 },
	  0, { V(4, 1) }, V(4, 1), 1 },
	{ "guest cap between versions", V(4, 5),
	  { .max = V(5, 3), .msg_conn_id = 1 },
	  0, { V(4, 1) }, V(4, 1), 1 },
	{ "guest capped at 2.4", V(2, 4), { .max = V(5, 3), .msg_conn_id = 1 },
	  0, { V(2, 4) }, V(2, 4), 1 },
	{ "guest cap above 5.3", V(9, 9), { .max = V(5, 3), .msg_conn_id = 1 },
	  0, { V(5, 3) }, V(5, 3), 1 },
	{ "no answer to 5.1", V(5, 3),
	  { .max = V(5, 0), .silent_at = V(5, 1), .msg_conn_id = 1 },
	  -ETIMEDOUT, { V(5, 3), V(5, 2), V(5, 1) } },
	{ "host reports a failed connection", V(5, 3),
	  { .max = V(5, 2), .conn_state = 2, .msg_conn_id = 1 },
	  -ECONNABORTED, { V(5, 3), V(5, 2) } },
	{ "5.x answer with message connection 0", V(5, 3),
	  { .max = V(5, 3), .msg_conn_id = 0 },
	  -EPROTO, { V(5, 3) } },
	{ "5.x answer with a 25-bit message connection", V(5, 3),
	  { .max = V(5, 3), .msg_conn_id = 0x1000000 },
	  -EPROTO, { V(5, 3) } },
	{ "4.x answer's connection field is ignored", V(4, 1),
	  { .max = V(4, 1), .msg_conn_id = 0 },
	  0, { V(4, 1) }, V(4, 1), 1 },
};

static void vnt_case_desc(const struct vnt_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vnt, vnt_cases, vnt_case_desc);

static void hvb_nego_against_fake_host(struct kunit *test)
{
	const struct vnt_case *c = test->param_value;
	struct vmbus_channel_version_response r;
	struct hvb_nego n;
	unsigned int tries = 0;
	int err, ret;

	KUNIT_ASSERT_EQ(test, hvb_nego_first(&n, c->guest_max), 0);
	do {
		KUNIT_ASSERT_LT(test, tries, VNT_MAX_TRIES - 1);
		KUNIT_EXPECT_EQ_MSG(test, n.version, c->tried[tries],
				    "attempt %u", tries);
		/* 5.0 and later make contact on connection 4, others on 1. */
		KUNIT_EXPECT_EQ(test, n.conn_id,
				n.version >= VERSION_WIN10_V5 ? 4 : 1);
		tries++;
		err = vnt_answer(&c->host, &n, &r);
		ret = hvb_nego_next(&n, err, err ? NULL : &r);
	} while (ret == -EAGAIN);

	KUNIT_EXPECT_EQ(test, ret, c->result);
	KUNIT_EXPECT_EQ(test, c->tried[tries], 0);
	if (!c->result) {
		KUNIT_EXPECT_EQ(test, n.version, c->version);
		KUNIT_EXPECT_EQ(test, n.msg_conn_id, c->msg_conn_id);
	}
}

static void hvb_nego_first_below_lowest(struct kunit *test)
{
	struct hvb_nego n;

	KUNIT_EXPECT_EQ(test, hvb_nego_first(&n, V(2, 3)), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvb_nego_first(&n, VERSION_WIN7), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvb_nego_first(&n, 0), -EINVAL);
}

static void hvb_nego_versions_table(struct kunit *test)
{
	static const u32 want[] = { V(5, 3), V(5, 2), V(5, 1), V(5, 0),
				    V(4, 1), V(4, 0), V(3, 0), V(2, 4) };
	unsigned int i;

	KUNIT_ASSERT_EQ(test, hvb_nr_versions, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ(test, hvb_versions[i], want[i]);
}

static void hvb_nego_build_each_version(struct kunit *test)
{
	const struct hvb_contact_pages pages = {
		.int_page = 0x12345000,
		.monitor = { 0x22222000, 0x33333000 },
		.target_vp = 3,
	};
	struct vmbus_channel_initiate_contact msg;
	struct hvb_nego n;
	unsigned int i;

	for (i = 0; i < hvb_nr_versions; i++) {
		u32 v = hvb_versions[i];

		n.version = v;
		memset(&msg, 0xa5, sizeof(msg));
		hvb_nego_build(&n, &pages, &msg);
		KUNIT_EXPECT_EQ(test, msg.header.msgtype,
				CHANNELMSG_INITIATE_CONTACT);
		KUNIT_EXPECT_EQ(test, msg.header.padding, 0);
		KUNIT_EXPECT_EQ(test, msg.vmbus_version_requested, v);
		KUNIT_EXPECT_EQ(test, msg.target_vcpu, 3);
		KUNIT_EXPECT_EQ(test, msg.monitor_page1, 0x22222000);
		KUNIT_EXPECT_EQ(test, msg.monitor_page2, 0x33333000);
		if (v >= VERSION_WIN10_V5) {
			/* SINT 2, VTL 0, the rest zero. */
			KUNIT_EXPECT_EQ(test, msg.interrupt_page, 2);
		} else {
			KUNIT_EXPECT_EQ(test, msg.interrupt_page, 0x12345000);
		}
	}
}

static struct kunit_case vmbus_nego_cases[] = {
	KUNIT_CASE_PARAM(hvb_nego_against_fake_host, vnt_gen_params),
	KUNIT_CASE(hvb_nego_first_below_lowest),
	KUNIT_CASE(hvb_nego_versions_table),
	KUNIT_CASE(hvb_nego_build_each_version),
	{}
};

static struct kunit_suite vmbus_nego_suite = {
	.name = "vmbus_nego",
	.test_cases = vmbus_nego_cases,
};
kunit_test_suite(vmbus_nego_suite);
