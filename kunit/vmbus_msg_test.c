// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hv_vmbus's control message table, through hvb_msg_validate().
 *
 * Every message a host sends is checked for every way it can be wrong:
 * short, oversized, of an unknown type, before its version, with a relid
 * out of range, or not a VMBus message at all; each with its exact error.
 * Also the IC version negotiation helper vmbus_prep_negotiate_resp().
 */
#include <kunit/test.h>
#include <linux/hyperv.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include "../vmbus/hvb.h"

#define VMT_V53		VERSION_WIN10_V5_3

/* A SynIC message of VMBus type @msgtype and @len payload bytes. */
static void vmt_msg(struct hv_message *m, u32 msgtype, u32 len)
{
	memset(m, 0, sizeof(*m));
	m->header.message_type = HVB_MSG_TYPE_VMBUS;
	m->header.payload_size = len;
	put_unaligned(msgtype, (u32 *)m->u.payload);
}

/* Put a valid relid (or @relid) where the type's row says it is. */
static void vmt_relid(struct hv_message *m, const struct hvb_msg_type *t,
		      u32 relid)
{
	if (t->relid_off > 0)
		put_unaligned(relid, (u32 *)((u8 *)m->u.payload + t->relid_off));
}

static int vmt_check(struct hv_message *m, u32 version)
{
	const struct hvb_msg_type *t = NULL;

	return hvb_msg_validate(m, version, &t);
}

/* Host-to-guest types: the rows with a handler. */
static bool vmt_host_type(u32 type)
{
	return type < CHANNELMSG_COUNT && hvb_msg_types[type].handler;
}

static void hvb_msg_validate_each_type_minimal(struct kunit *test)
{
	const struct hvb_msg_type *t;
	struct hv_message m;
	unsigned int n = 0;
	u32 type;

	for (type = 0; type < CHANNELMSG_COUNT; type++) {
		if (!vmt_host_type(type))
			continue;
		vmt_msg(&m, type, hvb_msg_types[type].min_len);
		vmt_relid(&m, &hvb_msg_types[type], 1);
		t = NULL;
		KUNIT_EXPECT_EQ_MSG(test, hvb_msg_validate(&m, VMT_V53, &t), 0,
				    "%s", hvb_msg_types[type].name);
		KUNIT_EXPECT_PTR_EQ(test, t, &hvb_msg_types[type]);
		n++;
	}
	/* What hosts send: offer, rescind, all delivered, open result, GPADL
	 * created and torn down, version and unload responses, TL connect
	 * result, modify channel response.
	 */
	KUNIT_EXPECT_EQ(test, n, 10);
}

static void hvb_msg_validate_each_type_short(struct kunit *test)
{
	struct hv_message m;
	u32 type;

	for (type = 0; type < CHANNELMSG_COUNT; type++) {
		u32 min = hvb_msg_types[type].min_len;

		if (!vmt_host_type(type))
			continue;
		vmt_msg(&m, type, min - 1);
		vmt_relid(&m, &hvb_msg_types[type], 1);
		KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, VMT_V53), -EBADMSG,
				    "%s, %u bytes", hvb_msg_types[type].name,
				    min - 1);
		/* Not even a header. */
		vmt_msg(&m, type, 7);
		KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, VMT_V53), -EBADMSG,
				    "%s, 7 bytes", hvb_msg_types[type].name);
		vmt_msg(&m, type, 0);
		KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, VMT_V53), -EBADMSG,
				    "%s, 0 bytes", hvb_msg_types[type].name);
	}
}

static void hvb_msg_validate_each_type_oversized(struct kunit *test)
{
	static const u32 lens[] = { HV_MESSAGE_PAYLOAD_BYTE_COUNT + 1, 248,
				    255 };
	struct hv_message m;
	unsigned int i;
	u32 type;

	for (type = 0; type < CHANNELMSG_COUNT + 2; type++) {
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			vmt_msg(&m, type, lens[i]);
			if (vmt_host_type(type))
				vmt_relid(&m, &hvb_msg_types[type], 1);
			KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, VMT_V53),
					    -EMSGSIZE, "type %u, %u bytes",
					    type, lens[i]);
		}
	}
}

static void hvb_msg_validate_longer_than_needed(struct kunit *test)
{
	struct hv_message m;
	u32 type;

	/* Hosts round sizes up, later versions append: the rest is ignored. */
	for (type = 0; type < CHANNELMSG_COUNT; type++) {
		if (!vmt_host_type(type))
			continue;
		vmt_msg(&m, type, HV_MESSAGE_PAYLOAD_BYTE_COUNT);
		vmt_relid(&m, &hvb_msg_types[type], 2047);
		KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, VMT_V53), 0, "%s",
				    hvb_msg_types[type].name);
	}
}

static void hvb_msg_validate_unknown_type(struct kunit *test)
{
	static const u32 extra[] = { CHANNELMSG_COUNT, 26, 100, 0x10000,
				     0x80000001, U32_MAX };
	struct hv_message m;
	unsigned int i, n = 0;
	u32 type;

	/* Messages only a guest sends, and the unused numbers. */
	for (type = 0; type < CHANNELMSG_COUNT; type++) {
		if (vmt_host_type(type))
			continue;
		vmt_msg(&m, type, HV_MESSAGE_PAYLOAD_BYTE_COUNT);
		KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, VMT_V53), -ENOMSG,
				    "%s", hvb_msg_types[type].name);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, CHANNELMSG_COUNT - 10);

	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		vmt_msg(&m, extra[i], HV_MESSAGE_PAYLOAD_BYTE_COUNT);
		KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, VMT_V53), -ENOMSG,
				    "type %#x", extra[i]);
	}
}

static void hvb_msg_validate_relid_range(struct kunit *test)
{
	static const struct {
		u32 relid;
		int err;
	} cases[] = {
		{ 0, -ERANGE },
		{ 1, 0 },
		{ 2047, 0 },
		{ 2048, -ERANGE },
		{ 0x10000, -ERANGE },
		{ INVALID_RELID, -ERANGE },
	};
	const struct hvb_msg_type *t;
	struct hv_message m;
	unsigned int i, n = 0;
	u32 type;

	for (type = 0; type < CHANNELMSG_COUNT; type++) {
		t = &hvb_msg_types[type];
		if (!vmt_host_type(type) || t->relid_off <= 0)
			continue;
		n++;
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			vmt_msg(&m, type, t->min_len);
			vmt_relid(&m, t, cases[i].relid);
			KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, VMT_V53),
					    cases[i].err, "%s, relid %u",
					    t->name, cases[i].relid);
		}
	}
	/* Offer, rescind, open result, GPADL created, modify response. */
	KUNIT_EXPECT_EQ(test, n, 5);
}

static void hvb_msg_validate_version(struct kunit *test)
{
	static const struct {
		u32 type;
		u32 version;
		int err;
	} cases[] = {
		/* Before the handshake, only its answer. */
		{ CHANNELMSG_VERSION_RESPONSE, 0, 0 },
		{ CHANNELMSG_OFFERCHANNEL, 0, -EPROTO },
		{ CHANNELMSG_RESCIND_CHANNELOFFER, 0, -EPROTO },
		{ CHANNELMSG_ALLOFFERS_DELIVERED, 0, -EPROTO },
		{ CHANNELMSG_UNLOAD_RESPONSE, 0, -EPROTO },
		{ CHANNELMSG_OPENCHANNEL_RESULT, 0, -EPROTO },
		{ CHANNELMSG_OFFERCHANNEL, VERSION_WIN8, 0 },
		{ CHANNELMSG_TL_CONNECT_RESULT, VERSION_WIN10, -EPROTO },
		{ CHANNELMSG_TL_CONNECT_RESULT, VERSION_WIN10_V4_1, 0 },
		{ CHANNELMSG_MODIFYCHANNEL_RESPONSE, VERSION_WIN10_V5_2,
		  -EPROTO },
		{ CHANNELMSG_MODIFYCHANNEL_RESPONSE, VERSION_WIN10_V5_3, 0 },
	};
	struct hv_message m;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct hvb_msg_type *t = &hvb_msg_types[cases[i].type];

		vmt_msg(&m, cases[i].type, t->min_len);
		vmt_relid(&m, t, 5);
		KUNIT_EXPECT_EQ_MSG(test, vmt_check(&m, cases[i].version),
				    cases[i].err, "%s at %#x", t->name,
				    cases[i].version);
	}
}

static void hvb_msg_validate_not_vmbus(struct kunit *test)
{
	struct hv_message m;

	vmt_msg(&m, CHANNELMSG_OFFERCHANNEL, 200);
	vmt_relid(&m, &hvb_msg_types[CHANNELMSG_OFFERCHANNEL], 1);
	m.header.message_type = HVMSG_NONE;
	KUNIT_EXPECT_EQ(test, vmt_check(&m, VMT_V53), -ENOMSG);
	/* Hypervisor messages: a timer, an intercept. */
	m.header.message_type = HVMSG_TIMER_EXPIRED;
	KUNIT_EXPECT_EQ(test, vmt_check(&m, VMT_V53), -ENOMSG);
	m.header.message_type = 0x80000000;
	KUNIT_EXPECT_EQ(test, vmt_check(&m, VMT_V53), -ENOMSG);
	m.header.message_type = HVB_MSG_TYPE_VMBUS;
	KUNIT_EXPECT_EQ(test, vmt_check(&m, VMT_V53), 0);
}

static void hvb_msg_validate_order(struct kunit *test)
{
	struct hv_message m;

	/* Oversized wins over everything else. */
	vmt_msg(&m, 999, 250);
	KUNIT_EXPECT_EQ(test, vmt_check(&m, 0), -EMSGSIZE);
	/* An unknown type is unknown however short. */
	vmt_msg(&m, CHANNELMSG_REQUESTOFFERS, 8);
	KUNIT_EXPECT_EQ(test, vmt_check(&m, 0), -ENOMSG);
	/* Short before too early. */
	vmt_msg(&m, CHANNELMSG_OFFERCHANNEL, 20);
	KUNIT_EXPECT_EQ(test, vmt_check(&m, 0), -EBADMSG);
	/* Too early before a bad relid. */
	vmt_msg(&m, CHANNELMSG_RESCIND_CHANNELOFFER, 12);
	KUNIT_EXPECT_EQ(test, vmt_check(&m, 0), -EPROTO);
}

static void hvb_msg_dispatch_counts_refusals(struct kunit *test)
{
	long before = atomic_long_read(&hvb_stats.rejected);
	struct hv_message m;

	/* Refused before any handler: the live connection is untouched. */
	vmt_msg(&m, CHANNELMSG_OFFERCHANNEL, 100);
	hvb_msg_dispatch(&m);
	vmt_msg(&m, 77, 16);
	hvb_msg_dispatch(&m);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&hvb_stats.rejected),
			before + 2);
}

/* ------------------------------------------------------------------------
 * vmbus_prep_negotiate_resp()
 */

#define VMT_NEG_OFF	ICMSG_HDR

struct vmt_ic {
	u8 buf[256];
	struct icmsg_hdr *hdr;
	struct icmsg_negotiate *neg;
};

/* A host's negotiate packet: @nfw framework versions, then @nsrv. */
static u32 vmt_ic_build(struct vmt_ic *ic, const u32 *fw, u16 nfw,
			const u32 *srv, u16 nsrv)
{
	unsigned int i;

	memset(ic->buf, 0, sizeof(ic->buf));
	ic->hdr = (void *)&ic->buf[sizeof(struct vmbuspipe_hdr)];
	ic->neg = (void *)&ic->buf[VMT_NEG_OFF];
	ic->neg->icframe_vercnt = nfw;
	ic->neg->icmsg_vercnt = nsrv;
	for (i = 0; i < nfw; i++) {
		ic->neg->icversion_data[i].major = fw[i] >> 16;
		ic->neg->icversion_data[i].minor = fw[i] & 0xffff;
	}
	for (i = 0; i < nsrv; i++) {
		ic->neg->icversion_data[nfw + i].major = srv[i] >> 16;
		ic->neg->icversion_data[nfw + i].minor = srv[i] & 0xffff;
	}
	return ICMSG_NEGOTIATE_PKT_SIZE(nfw, nsrv);
}

static const int vmt_our_fw[] = { 3 << 16, 1 << 16 };
static const int vmt_our_srv[] = { 4 << 16, 3 << 16 | 2, 3 << 16 };

static void vmbus_prep_negotiate_resp_match(struct kunit *test)
{
	static const u32 fw[] = { 1 << 16, 3 << 16 };
	static const u32 srv[] = { 3 << 16, 3 << 16 | 2, 5 << 16 };
	struct vmt_ic ic;
	int nfw = -1, nsrv = -1;
	u32 len = vmt_ic_build(&ic, fw, 2, srv, 3);

	KUNIT_ASSERT_TRUE(test, vmbus_prep_negotiate_resp(ic.hdr, ic.buf, len,
							   vmt_our_fw, 2,
							   vmt_our_srv, 3,
							   &nfw, &nsrv));
	/* Our preference wins: 3.0 over 1.0, 3.2 over 3.0. */
	KUNIT_EXPECT_EQ(test, nfw, 3 << 16);
	KUNIT_EXPECT_EQ(test, nsrv, 3 << 16 | 2);
	KUNIT_EXPECT_EQ(test, ic.hdr->icmsgsize, 0x10);
	KUNIT_EXPECT_EQ(test, ic.neg->icframe_vercnt, 1);
	KUNIT_EXPECT_EQ(test, ic.neg->icmsg_vercnt, 1);
	KUNIT_EXPECT_EQ(test, ic.neg->icversion_data[0].major, 3);
	KUNIT_EXPECT_EQ(test, ic.neg->icversion_data[0].minor, 0);
	KUNIT_EXPECT_EQ(test, ic.neg->icversion_data[1].major, 3);
	KUNIT_EXPECT_EQ(test, ic.neg->icversion_data[1].minor, 2);
}

static void vmbus_prep_negotiate_resp_no_match(struct kunit *test)
{
	static const u32 fw[] = { 3 << 16 };
	static const u32 srv[] = { 9 << 16 };
	static const u32 bad_fw[] = { 2 << 16 };
	struct vmt_ic ic;
	int nfw = 7, nsrv = 7;
	u32 len;

	/* The framework matches, the service does not. */
	len = vmt_ic_build(&ic, fw, 1, srv, 1);
	KUNIT_EXPECT_FALSE(test, vmbus_prep_negotiate_resp(ic.hdr, ic.buf, len,
							    vmt_our_fw, 2,
							    vmt_our_srv, 3,
							    &nfw, &nsrv));
	KUNIT_EXPECT_EQ(test, ic.neg->icframe_vercnt, 0);
	KUNIT_EXPECT_EQ(test, ic.neg->icmsg_vercnt, 0);
	KUNIT_EXPECT_EQ(test, nfw, 7);
	KUNIT_EXPECT_EQ(test, nsrv, 7);

	/* No framework version in common. */
	len = vmt_ic_build(&ic, bad_fw, 1, srv, 1);
	KUNIT_EXPECT_FALSE(test, vmbus_prep_negotiate_resp(ic.hdr, ic.buf, len,
							    vmt_our_fw, 2,
							    vmt_our_srv, 3,
							    NULL, NULL));
	KUNIT_EXPECT_EQ(test, ic.neg->icframe_vercnt, 0);
}

static void vmbus_prep_negotiate_resp_bad_packet(struct kunit *test)
{
	static const u32 v[] = { 3 << 16, 4 << 16 };
	struct vmt_ic ic, before;
	u32 len;

	/* Counts past the limit. */
	len = vmt_ic_build(&ic, v, 1, v, 1);
	ic.neg->icframe_vercnt = IC_VERSION_NEGOTIATION_MAX_VER_COUNT + 1;
	KUNIT_EXPECT_FALSE(test, vmbus_prep_negotiate_resp(ic.hdr, ic.buf,
							    sizeof(ic.buf),
							    vmt_our_fw, 2,
							    vmt_our_srv, 3,
							    NULL, NULL));
	KUNIT_EXPECT_EQ(test, ic.neg->icframe_vercnt, 0);

	/* Counts that run past the packet. */
	len = vmt_ic_build(&ic, v, 1, &v[1], 1);
	KUNIT_EXPECT_FALSE(test, vmbus_prep_negotiate_resp(ic.hdr, ic.buf,
							    len - 1,
							    vmt_our_fw, 2,
							    vmt_our_srv, 3,
							    NULL, NULL));

	/* Too short to hold the counts: left alone. */
	vmt_ic_build(&ic, v, 1, &v[1], 1);
	before = ic;
	KUNIT_EXPECT_FALSE(test, vmbus_prep_negotiate_resp(ic.hdr, ic.buf,
							    VMT_NEG_OFF + 3,
							    vmt_our_fw, 2,
							    vmt_our_srv, 3,
							    NULL, NULL));
	KUNIT_EXPECT_MEMEQ(test, ic.buf, before.buf, sizeof(ic.buf));
}

static struct kunit_case vmbus_msg_cases[] = {
	KUNIT_CASE(hvb_msg_validate_each_type_minimal),
	KUNIT_CASE(hvb_msg_validate_each_type_short),
	KUNIT_CASE(hvb_msg_validate_each_type_oversized),
	KUNIT_CASE(hvb_msg_validate_longer_than_needed),
	KUNIT_CASE(hvb_msg_validate_unknown_type),
	KUNIT_CASE(hvb_msg_validate_relid_range),
	KUNIT_CASE(hvb_msg_validate_version),
	KUNIT_CASE(hvb_msg_validate_not_vmbus),
	KUNIT_CASE(hvb_msg_validate_order),
	KUNIT_CASE(hvb_msg_dispatch_counts_refusals),
	KUNIT_CASE(vmbus_prep_negotiate_resp_match),
	KUNIT_CASE(vmbus_prep_negotiate_resp_no_match),
	KUNIT_CASE(vmbus_prep_negotiate_resp_bad_packet),
	{}
};

static struct kunit_suite vmbus_msg_suite = {
	.name = "vmbus_msg",
	.test_cases = vmbus_msg_cases,
};
kunit_test_suite(vmbus_msg_suite);
