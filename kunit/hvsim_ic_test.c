// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hvsim's checks of the guest's IC answers (hvsim/ic_proto.c).
 * Each case builds the request the host sends, then the answer Linux
 * writes back in the same buffer, and changes one thing: the common
 * checks (length, both transaction IDs, pipe header, type, flags, size),
 * the negotiate answer (counts, versions), the KVP answer (operation,
 * pool, index, sizes, NULs, types), the KVP IP-information answer
 * (operation, pool, adapter, NULs, characters, family, DHCP).  A
 * malformed answer must be refused with its exact reason.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include "../hvsim/ic.h"

#define HIT_TID		0x1234
#define HIT_XID		0x34
#define HIT_BUF		HVSIM_IC_MAX_REQ

/* Offsets of the IC header in the payload. */
#define HIT_PIPE	0
#define HIT_TYPE	12
#define HIT_SIZE	18
#define HIT_STATUS	20
#define HIT_XIDOFF	24
#define HIT_FLAGS	25

static const struct hvsim_ic_vers hit_offer = {
	.nfw = 2, .nmsg = 4,
	.fw = { { 1, 0 }, { 3, 0 } },
	.msg = { { 1, 0 }, { 3, 0 }, { 3, 1 }, { 3, 2 } },
};

struct hit {
	u8 req[HIT_BUF];
	u8 rep[HIT_BUF];
	u32 req_len;
	u32 rep_len;
};

/* The buffers are too big for a KUnit case's stack. */
static struct hit *hit_new(struct kunit *test)
{
	struct hit *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	return h;
}

/* A heartbeat-sized request and Linux's answer to it. */
static void hit_simple(struct hit *h)
{
	static const struct ic_version fw = { 3, 0 }, msg = { 3, 0 };

	memset(h, 0, sizeof(*h));
	h->req_len = HVSIM_IC_HDR_LEN + 40;
	hvsim_ic_build_hdr(h->req, h->req_len, ICMSGTYPE_HEARTBEAT, &fw, &msg,
			   HIT_XID);
	memcpy(h->rep, h->req, h->req_len);
	h->rep_len = ALIGN(h->req_len, 8);
	h->rep[HIT_FLAGS] = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
}

static enum hvsim_ic_bad hit_check(struct hit *h, u64 tid)
{
	return hvsim_ic_check_reply(h->req, h->req_len, HIT_TID, h->rep,
				    h->rep_len, tid);
}

static void hvsim_ic_build_layout(struct kunit *test)
{
	struct hit *h = hit_new(test);

	hit_simple(h);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(h->req + HIT_PIPE), 1U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(h->req + 4), h->req_len - 8);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(h->req + 8), 3);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(h->req + HIT_TYPE),
			ICMSGTYPE_HEARTBEAT);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(h->req + 14), 3);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(h->req + HIT_SIZE), 40);
	KUNIT_EXPECT_EQ(test, h->req[HIT_XIDOFF], HIT_XID);
	KUNIT_EXPECT_EQ(test, h->req[HIT_FLAGS],
			ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_REQUEST);
}

static void hvsim_ic_reply_good(struct kunit *test)
{
	struct hit *h = hit_new(test);

	hit_simple(h);
	KUNIT_EXPECT_EQ(test, hit_check(h, HIT_TID), HVSIM_IC_OK);
	/* A header-only answer (icmsgsize 0) is well formed too. */
	put_unaligned_le16(0, h->rep + HIT_SIZE);
	h->rep_len = HVSIM_IC_HDR_LEN;
	KUNIT_EXPECT_EQ(test, hit_check(h, HIT_TID), HVSIM_IC_OK);
}

struct hit_bad {
	const char *name;
	u32 off;	/* 0: none */
	u32 size;	/* 1, 2 or 4 bytes written at off */
	u32 val;
	int len_delta;
	u64 tid;
	enum hvsim_ic_bad want;
};

static const struct hit_bad hit_bad_replies[] = {
	/* 72 bytes (68 padded) cut to 27 */
	{ "short", 0, 0, 0, -45, HIT_TID, HVSIM_IC_BAD_SHORT },
	{ "longer than the request", 0, 0, 0, 8, HIT_TID, HVSIM_IC_BAD_LEN },
	{ "another VMBus transaction", 0, 0, 0, 0, HIT_TID + 1,
	  HVSIM_IC_BAD_TID },
	{ "pipe header not data", HIT_PIPE, 4, 2, 0, HIT_TID,
	  HVSIM_IC_BAD_PIPE },
	{ "another message type", HIT_TYPE, 2, ICMSGTYPE_SHUTDOWN, 0, HIT_TID,
	  HVSIM_IC_BAD_TYPE },
	{ "request flag kept", HIT_FLAGS, 1,
	  ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_REQUEST, 0, HIT_TID,
	  HVSIM_IC_BAD_FLAGS },
	{ "no transaction flag", HIT_FLAGS, 1, ICMSGHDRFLAG_RESPONSE, 0,
	  HIT_TID, HVSIM_IC_BAD_FLAGS },
	{ "another IC transaction", HIT_XIDOFF, 1, HIT_XID + 1, 0, HIT_TID,
	  HVSIM_IC_BAD_XID },
	{ "icmsgsize past the packet", HIT_SIZE, 2, 45, 0, HIT_TID,
	  HVSIM_IC_BAD_LEN },
};

static void hit_bad_desc(const struct hit_bad *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hit_bad, hit_bad_replies, hit_bad_desc);

static void hit_put(u8 *p, u32 size, u32 val)
{
	if (size == 1)
		*p = val;
	else if (size == 2)
		put_unaligned_le16(val, p);
	else
		put_unaligned_le32(val, p);
}

static void hvsim_ic_reply_malformed(struct kunit *test)
{
	const struct hit_bad *c = test->param_value;
	struct hit *h = hit_new(test);

	hit_simple(h);
	if (c->size)
		hit_put(h->rep + c->off, c->size, c->val);
	h->rep_len += c->len_delta;
	KUNIT_EXPECT_EQ(test, hit_check(h, c->tid), c->want);
}

/* The NEGOTIATE the host sends, and Linux's answer choosing fw/msg. */
static void hit_nego(struct hit *h, u16 fw, u16 msg_major, u16 msg_minor)
{
	memset(h, 0, sizeof(*h));
	h->req_len = hvsim_ic_build_negotiate(h->req, &hit_offer, HIT_XID);
	memcpy(h->rep, h->req, h->req_len);
	h->rep_len = ALIGN(h->req_len, 8);
	h->rep[HIT_FLAGS] = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
	put_unaligned_le16(0x10, h->rep + HIT_SIZE);
	put_unaligned_le16(1, h->rep + HVSIM_IC_HDR_LEN);
	put_unaligned_le16(1, h->rep + HVSIM_IC_HDR_LEN + 2);
	put_unaligned_le16(fw, h->rep + HVSIM_IC_NEGO_LIST);
	put_unaligned_le16(0, h->rep + HVSIM_IC_NEGO_LIST + 2);
	put_unaligned_le16(msg_major, h->rep + HVSIM_IC_NEGO_LIST + 4);
	put_unaligned_le16(msg_minor, h->rep + HVSIM_IC_NEGO_LIST + 6);
}

static enum hvsim_ic_bad hit_parse_nego(struct hit *h, bool *refused,
					struct ic_version *fw,
					struct ic_version *msg)
{
	return hvsim_ic_parse_negotiate(h->rep, h->rep_len, &hit_offer,
					refused, fw, msg);
}

static void hvsim_ic_negotiate_request(struct kunit *test)
{
	struct hit *h = hit_new(test);

	hit_nego(h, 3, 3, 2);
	KUNIT_EXPECT_EQ(test, h->req_len, HVSIM_IC_NEGO_LIST + 4 * 6);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(h->req + HIT_TYPE),
			ICMSGTYPE_NEGOTIATE);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(h->req + HIT_SIZE), 8 + 24);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(h->req + 8), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(h->req + HVSIM_IC_HDR_LEN), 2);
	KUNIT_EXPECT_EQ(test,
			get_unaligned_le16(h->req + HVSIM_IC_HDR_LEN + 2), 4);
	/* fw 1.0, 3.0, then msg 1.0, 3.0, 3.1, 3.2 */
	KUNIT_EXPECT_EQ(test,
			get_unaligned_le16(h->req + HVSIM_IC_NEGO_LIST + 4), 3);
	KUNIT_EXPECT_EQ(test,
			get_unaligned_le16(h->req + HVSIM_IC_NEGO_LIST + 20), 3);
	KUNIT_EXPECT_EQ(test,
			get_unaligned_le16(h->req + HVSIM_IC_NEGO_LIST + 22), 2);
}

static void hvsim_ic_negotiate_good(struct kunit *test)
{
	struct ic_version fw, msg;
	bool refused;
	struct hit *h = hit_new(test);

	hit_nego(h, 3, 3, 2);
	KUNIT_ASSERT_EQ(test, hit_check(h, HIT_TID), HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, hit_parse_nego(h, &refused, &fw, &msg),
			HVSIM_IC_OK);
	KUNIT_EXPECT_FALSE(test, refused);
	KUNIT_EXPECT_EQ(test, fw.major, 3);
	KUNIT_EXPECT_EQ(test, fw.minor, 0);
	KUNIT_EXPECT_EQ(test, msg.major, 3);
	KUNIT_EXPECT_EQ(test, msg.minor, 2);
}

static void hvsim_ic_negotiate_refused(struct kunit *test)
{
	struct ic_version fw, msg;
	bool refused;
	struct hit *h = hit_new(test);

	/* Linux's refusal: both counts 0, the status left as it was. */
	hit_nego(h, 3, 3, 2);
	put_unaligned_le32(0, h->rep + HVSIM_IC_HDR_LEN);
	KUNIT_EXPECT_EQ(test, hit_parse_nego(h, &refused, &fw, &msg),
			HVSIM_IC_OK);
	KUNIT_EXPECT_TRUE(test, refused);
}

struct hit_nego_bad {
	const char *name;
	u16 nfw, nmsg;
	u16 fw, msg_major, msg_minor;
	u32 len;	/* 0: the full answer */
	enum hvsim_ic_bad want;
};

static const struct hit_nego_bad hit_nego_bads[] = {
	{ "no room for the counts", 1, 1, 3, 3, 2, HVSIM_IC_NEGO_LIST - 1,
	  HVSIM_IC_BAD_SHORT },
	{ "no room for the versions", 1, 1, 3, 3, 2, HVSIM_IC_NEGO_LIST + 4,
	  HVSIM_IC_BAD_SHORT },
	{ "one framework, no message version", 1, 0, 3, 3, 2, 0,
	  HVSIM_IC_BAD_NEGO },
	{ "two frameworks", 2, 1, 3, 3, 2, 0, HVSIM_IC_BAD_NEGO },
	{ "the host's counts echoed", 2, 4, 3, 3, 2, 0, HVSIM_IC_BAD_NEGO },
	{ "framework 2.0, never offered", 1, 1, 2, 3, 2, 0,
	  HVSIM_IC_BAD_VERSION },
	{ "message 3.3, never offered", 1, 1, 3, 3, 3, 0,
	  HVSIM_IC_BAD_VERSION },
	{ "message 4.0, never offered", 1, 1, 3, 4, 0, 0,
	  HVSIM_IC_BAD_VERSION },
};

static void hit_nego_bad_desc(const struct hit_nego_bad *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hit_nego_bad, hit_nego_bads, hit_nego_bad_desc);

static void hvsim_ic_negotiate_malformed(struct kunit *test)
{
	const struct hit_nego_bad *c = test->param_value;
	struct ic_version fw, msg;
	bool refused;
	struct hit *h = hit_new(test);

	hit_nego(h, c->fw, c->msg_major, c->msg_minor);
	put_unaligned_le16(c->nfw, h->rep + HVSIM_IC_HDR_LEN);
	put_unaligned_le16(c->nmsg, h->rep + HVSIM_IC_HDR_LEN + 2);
	if (c->len)
		h->rep_len = c->len;
	KUNIT_EXPECT_EQ(test, hit_parse_nego(h, &refused, &fw, &msg),
			c->want);
	KUNIT_EXPECT_FALSE(test, refused);
}

/* KVP: record offsets of an ENUMERATE body. */
#define HIT_KVP_INDEX	HVSIM_KVP_BODY
#define HIT_ENUM_REC	(HVSIM_KVP_BODY + 4)
#define HIT_REC_TYPE	0
#define HIT_REC_KSIZE	4
#define HIT_REC_VSIZE	8
#define HIT_REC_KEY	12
#define HIT_REC_VALUE	(12 + 512)

/* UTF-16LE of ASCII @s at @p; returns the size with the NUL. */
static u32 hit_utf16(u8 *p, const char *s)
{
	u32 i, n = strlen(s);

	for (i = 0; i < n; i++)
		put_unaligned_le16(s[i], p + 2 * i);
	put_unaligned_le16(0, p + 2 * n);
	return 2 * (n + 1);
}

/* ENUMERATE pool 2 index 2, and an answer with @key = @value. */
static void hit_kvp_enum(struct kunit *test, struct hit *h, const char *key,
			 const char *value)
{
	static const struct ic_version fw = { 3, 0 }, msg = { 4, 0 };
	u8 *rec;

	memset(h, 0, sizeof(*h));
	h->req_len = HVSIM_KVP_REQ_LEN;
	KUNIT_ASSERT_EQ(test, hvsim_kvp_build(h->req, KVP_OP_ENUMERATE,
					      KVP_POOL_AUTO, 2, NULL, 0, NULL,
					      -1, -1), 0);
	hvsim_ic_build_hdr(h->req, h->req_len, ICMSGTYPE_KVPEXCHANGE, &fw,
			   &msg, HIT_XID);
	memcpy(h->rep, h->req, h->req_len);
	h->rep_len = ALIGN(h->req_len, 8);
	h->rep[HIT_FLAGS] = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
	rec = h->rep + HIT_ENUM_REC;
	put_unaligned_le32(REG_SZ, rec + HIT_REC_TYPE);
	put_unaligned_le32(hit_utf16(rec + HIT_REC_KEY, key),
			   rec + HIT_REC_KSIZE);
	put_unaligned_le32(hit_utf16(rec + HIT_REC_VALUE, value),
			   rec + HIT_REC_VSIZE);
}

static void hvsim_ic_kvp_enum_good(struct kunit *test)
{
	struct hvsim_kvp_answer *ans;
	struct hit *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	ans = kunit_kzalloc(test, sizeof(*ans), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, ans);
	hit_kvp_enum(test, h, "NetworkAddressIPv4", "192.0.2.77");
	KUNIT_EXPECT_EQ(test, h->req[HVSIM_IC_HDR_LEN], KVP_OP_ENUMERATE);
	KUNIT_EXPECT_EQ(test, h->req[HVSIM_IC_HDR_LEN + 1], KVP_POOL_AUTO);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(h->req + HIT_KVP_INDEX), 2U);
	KUNIT_ASSERT_EQ(test, hit_check(h, HIT_TID), HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_parse(h->req, h->rep, h->rep_len, ans),
			HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, ans->status, 0U);
	KUNIT_EXPECT_EQ(test, ans->type, (u32)REG_SZ);
	KUNIT_EXPECT_STREQ(test, ans->key, "NetworkAddressIPv4");
	KUNIT_EXPECT_STREQ(test, ans->value, "192.0.2.77");

	/* HV_S_CONT: the status alone, whatever the record holds. */
	put_unaligned_le32(HV_S_CONT, h->rep + HIT_STATUS);
	put_unaligned_le32(3, h->rep + HIT_ENUM_REC + HIT_REC_KSIZE);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_parse(h->req, h->rep, h->rep_len, ans),
			HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, ans->status, (u32)HV_S_CONT);
	KUNIT_EXPECT_STREQ(test, ans->key, "");
}

static void hvsim_ic_kvp_u32(struct kunit *test)
{
	struct hvsim_kvp_answer *ans;
	struct hit *h;
	u8 *rec;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	ans = kunit_kzalloc(test, sizeof(*ans), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, ans);
	hit_kvp_enum(test, h, "Count", "");
	rec = h->rep + HIT_ENUM_REC;
	put_unaligned_le32(REG_U32, rec + HIT_REC_TYPE);
	put_unaligned_le32(4, rec + HIT_REC_VSIZE);
	put_unaligned_le32(42, rec + HIT_REC_VALUE);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_parse(h->req, h->rep, h->rep_len, ans),
			HVSIM_IC_OK);
	KUNIT_EXPECT_STREQ(test, ans->value, "42");
	/* A REG_U32 of 8 bytes is not one. */
	put_unaligned_le32(8, rec + HIT_REC_VSIZE);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_parse(h->req, h->rep, h->rep_len, ans),
			HVSIM_IC_BAD_KVP);
}

struct hit_kvp_bad {
	const char *name;
	u32 off;	/* into the answer; 0: none */
	u32 size;
	u32 val;
	int len_delta;
	enum hvsim_ic_bad want;
};

#define HIT_REC(f)	(HIT_ENUM_REC + (f))

static const struct hit_kvp_bad hit_kvp_bads[] = {
	{ "cut short", 0, 0, 0, -16, HVSIM_IC_BAD_SHORT },
	{ "operation changed", HVSIM_IC_HDR_LEN, 1, KVP_OP_GET, 0,
	  HVSIM_IC_BAD_KVP },
	{ "pool changed", HVSIM_IC_HDR_LEN + 1, 1, KVP_POOL_EXTERNAL, 0,
	  HVSIM_IC_BAD_KVP },
	{ "index changed", HIT_KVP_INDEX, 4, 3, 0, HVSIM_IC_BAD_KVP },
	{ "key_size 0", HIT_REC(HIT_REC_KSIZE), 4, 0, 0, HVSIM_IC_BAD_KVP },
	{ "key_size odd", HIT_REC(HIT_REC_KSIZE), 4, 37, 0,
	  HVSIM_IC_BAD_KVP },
	{ "key_size over 512", HIT_REC(HIT_REC_KSIZE), 4, 514, 0,
	  HVSIM_IC_BAD_KVP },
	{ "key without its NUL", HIT_REC(HIT_REC_KSIZE), 4, 36, 0,
	  HVSIM_IC_BAD_KVP },
	{ "value_size over 2048", HIT_REC(HIT_REC_VSIZE), 4, 2050, 0,
	  HVSIM_IC_BAD_KVP },
	{ "value without its NUL", HIT_REC(HIT_REC_VSIZE), 4, 20, 0,
	  HVSIM_IC_BAD_KVP },
	{ "unknown value type", HIT_REC(HIT_REC_TYPE), 4, 11, 0,
	  HVSIM_IC_BAD_KVP },
};

static void hit_kvp_bad_desc(const struct hit_kvp_bad *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hit_kvp_bad, hit_kvp_bads, hit_kvp_bad_desc);

static void hvsim_ic_kvp_malformed(struct kunit *test)
{
	const struct hit_kvp_bad *c = test->param_value;
	struct hvsim_kvp_answer *ans;
	struct hit *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	ans = kunit_kzalloc(test, sizeof(*ans), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, ans);
	/* "NetworkAddressIPv4" is 38 bytes, "192.0.2.77" 22. */
	hit_kvp_enum(test, h, "NetworkAddressIPv4", "192.0.2.77");
	if (c->size)
		hit_put(h->rep + c->off, c->size, c->val);
	h->rep_len += c->len_delta;
	KUNIT_EXPECT_EQ(test, hvsim_kvp_parse(h->req, h->rep, h->rep_len, ans),
			c->want);
}

static void hvsim_ic_kvp_build_limits(struct kunit *test)
{
	char *s;
	u8 *buf;

	buf = kunit_kzalloc(test, HVSIM_KVP_REQ_LEN, GFP_KERNEL);
	s = kunit_kzalloc(test, 2048, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, s);

	/* 255 characters and the NUL fill the 512-byte key. */
	memset(s, 'k', 255);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_SET, 0, 0, s, REG_SZ,
					      "v", -1, -1), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + HVSIM_KVP_BODY + 4),
			512U);
	s[255] = 'k';
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_SET, 0, 0, s, REG_SZ,
					      "v", -1, -1), -EINVAL);
	memset(s, 'v', 1024);
	s[1024] = '\0';
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_SET, 0, 0, "k",
					      REG_SZ, s, -1, -1), -EINVAL);
	s[1023] = '\0';
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_SET, 0, 0, "k",
					      REG_SZ, s, -1, -1), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + HVSIM_KVP_BODY + 8),
			2048U);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_SET, 0, 0, "k",
					      REG_U32, "4294967296", -1, -1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_SET, 0, 0, "k",
					      REG_U64, "x", -1, -1), -EINVAL);
	/* The fault injection's sizes go out as given. */
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_SET, 0, 0, "k",
					      REG_SZ, "v", 600, 4000), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + HVSIM_KVP_BODY + 4),
			600U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + HVSIM_KVP_BODY + 8),
			4000U);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_DELETE, 0, 0, "key",
					      0, NULL, -1, -1), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + HVSIM_KVP_BODY), 8U);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_build(buf, KVP_OP_GET_IP_INFO, 0, 0,
					      "k", 0, NULL, -1, -1), -EINVAL);
}

/* The IP-information message's fields, from the reference's offsets. */
#define HIT_IP_ADAPTER	30
#define HIT_IP_FAMILY	286
#define HIT_IP_DHCP	287
#define HIT_IP_ADDR	288
#define HIT_IP_SUBNET	2336
#define HIT_IP_GW	4384
#define HIT_IP_DNS	5408
#define HIT_MAC		"00:15:5D:42:00:01"

/* @s as UTF-16LE at @p, no NUL written. */
static void hit_ascii16(u8 *p, const char *s)
{
	while (*s) {
		put_unaligned_le16(*s++, p);
		p += 2;
	}
}

/*
 * A GET_IP_INFO request for HIT_MAC and the answer Linux writes in place:
 * two addresses, their masks, a gateway, no DNS, both families.
 */
static void hit_kvp_ip(struct kunit *test, struct hit *h)
{
	static const struct ic_version fw = { 3, 0 }, msg = { 4, 0 };
	struct hvsim_kvp_ip *ip = kunit_kzalloc(test, sizeof(*ip), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ip);
	memset(h, 0, sizeof(*h));
	h->req_len = HVSIM_KVP_IP_REQ_LEN;
	strscpy(ip->adapter, HIT_MAC, sizeof(ip->adapter));
	KUNIT_ASSERT_EQ(test, hvsim_kvp_ip_build(h->req, KVP_OP_GET_IP_INFO,
						 ip), 0);
	hvsim_ic_build_hdr(h->req, h->req_len, ICMSGTYPE_KVPEXCHANGE, &fw,
			   &msg, HIT_XID);
	memcpy(h->rep, h->req, h->req_len);
	h->rep_len = h->req_len;
	h->rep[HIT_FLAGS] = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
	h->rep[HIT_IP_FAMILY] = ADDR_FAMILY_IPV4 | ADDR_FAMILY_IPV6;
	hit_ascii16(h->rep + HIT_IP_ADDR, "192.0.2.77;fe80::1");
	hit_ascii16(h->rep + HIT_IP_SUBNET, "255.255.255.0;/64");
	hit_ascii16(h->rep + HIT_IP_GW, "192.0.2.1");
}

static void hvsim_ic_kvp_ip_build(struct kunit *test)
{
	struct hvsim_kvp_ip *ip;
	u8 *buf;

	buf = kunit_kzalloc(test, HVSIM_KVP_IP_REQ_LEN, GFP_KERNEL);
	ip = kunit_kzalloc(test, sizeof(*ip), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, ip);
	KUNIT_EXPECT_EQ(test, HVSIM_KVP_IP_REQ_LEN, 7456);

	strscpy(ip->adapter, "{ab}", sizeof(ip->adapter));
	strscpy(ip->addr, "198.51.100.5", sizeof(ip->addr));
	strscpy(ip->subnet, "255.255.255.0", sizeof(ip->subnet));
	strscpy(ip->gateway, "198.51.100.1", sizeof(ip->gateway));
	strscpy(ip->dns, "198.51.100.53", sizeof(ip->dns));
	ip->family = ADDR_FAMILY_IPV4;
	ip->dhcp = 1;
	/* GET_IP_INFO sends the adapter and the family, nothing else. */
	KUNIT_ASSERT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_GET_IP_INFO, ip),
			0);
	KUNIT_EXPECT_EQ(test, buf[HVSIM_IC_HDR_LEN], KVP_OP_GET_IP_INFO);
	KUNIT_EXPECT_EQ(test, buf[HVSIM_IC_HDR_LEN + 1], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_ADAPTER), '{');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_ADAPTER + 6),
			'}');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_ADAPTER + 8), 0);
	KUNIT_EXPECT_EQ(test, buf[HIT_IP_FAMILY], ADDR_FAMILY_IPV4);
	KUNIT_EXPECT_EQ(test, buf[HIT_IP_DHCP], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_ADDR), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_DNS), 0);
	/* SET_IP_INFO sends every field at its offset. */
	KUNIT_ASSERT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_SET_IP_INFO, ip),
			0);
	KUNIT_EXPECT_EQ(test, buf[HVSIM_IC_HDR_LEN], KVP_OP_SET_IP_INFO);
	KUNIT_EXPECT_EQ(test, buf[HIT_IP_DHCP], 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_ADDR + 2), '9');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_ADDR + 24), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_SUBNET), '2');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_GW + 22), '1');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_DNS + 24), '3');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_DNS + 26), 0);

	/* 127 characters and the NUL fill the adapter field; 128 do not. */
	memset(ip->adapter, 'a', 127);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_GET_IP_INFO, ip),
			0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + HIT_IP_FAMILY - 4),
			'a');
	ip->adapter[127] = 'a';
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_GET_IP_INFO, ip),
			-EINVAL);
	strscpy(ip->adapter, "{ab}", sizeof(ip->adapter));
	memset(ip->gateway, '1', 511);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_SET_IP_INFO, ip),
			0);
	ip->gateway[511] = '1';
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_SET_IP_INFO, ip),
			-EINVAL);
	strscpy(ip->gateway, "198.51.100.1", sizeof(ip->gateway));
	/* Not printable ASCII: refused, not sent mangled. */
	ip->dns[0] = '\xc3';
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_SET_IP_INFO, ip),
			-EINVAL);
	ip->dns[0] = '\n';
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_SET_IP_INFO, ip),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_build(buf, KVP_OP_SET, ip), -EINVAL);
}

static void hvsim_ic_kvp_ip_good(struct kunit *test)
{
	struct hvsim_kvp_ip *ip = kunit_kzalloc(test, sizeof(*ip), GFP_KERNEL);
	struct hit *h = hit_new(test);
	u32 status = 1, i;

	KUNIT_ASSERT_NOT_NULL(test, ip);
	hit_kvp_ip(test, h);
	KUNIT_ASSERT_EQ(test, hit_check(h, HIT_TID), HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_parse(h->req, h->rep, h->rep_len,
						 &status, ip), HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, status, 0U);
	KUNIT_EXPECT_STREQ(test, ip->adapter, HIT_MAC);
	KUNIT_EXPECT_STREQ(test, ip->addr, "192.0.2.77;fe80::1");
	KUNIT_EXPECT_STREQ(test, ip->subnet, "255.255.255.0;/64");
	KUNIT_EXPECT_STREQ(test, ip->gateway, "192.0.2.1");
	KUNIT_EXPECT_STREQ(test, ip->dns, "");
	KUNIT_EXPECT_EQ(test, ip->family, ADDR_FAMILY_IPV4 | ADDR_FAMILY_IPV6);
	KUNIT_EXPECT_EQ(test, ip->dhcp, 0);

	/* A field filled to its last unit, the NUL there, is whole. */
	for (i = 0; i < MAX_GATEWAY_SIZE - 1; i++)
		put_unaligned_le16('1', h->rep + HIT_IP_GW + 2 * i);
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_parse(h->req, h->rep, h->rep_len,
						 &status, ip), HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, strlen(ip->gateway), MAX_GATEWAY_SIZE - 1);

	/* A failure carries its status alone, whatever the fields hold. */
	put_unaligned_le32(HV_E_FAIL, h->rep + HIT_STATUS);
	h->rep[HIT_IP_FAMILY] = 0xff;
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_parse(h->req, h->rep, h->rep_len,
						 &status, ip), HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, status, (u32)HV_E_FAIL);
	KUNIT_EXPECT_STREQ(test, ip->addr, "");

	/* So does a SET_IP_INFO answer. */
	put_unaligned_le32(0, h->rep + HIT_STATUS);
	h->req[HVSIM_IC_HDR_LEN] = KVP_OP_SET_IP_INFO;
	h->rep[HVSIM_IC_HDR_LEN] = KVP_OP_SET_IP_INFO;
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_parse(h->req, h->rep, h->rep_len,
						 &status, ip), HVSIM_IC_OK);
	KUNIT_EXPECT_EQ(test, status, 0U);
}

struct hit_ip_bad {
	const char *name;
	u32 off;	/* into the answer; 0: none */
	u32 size;	/* 1 or 2 bytes written at off, or units filled */
	u32 val;
	int len_delta;
	enum hvsim_ic_bad want;
};

static const struct hit_ip_bad hit_ip_bads[] = {
	{ "cut short", 0, 0, 0, -8, HVSIM_IC_BAD_SHORT },
	{ "operation changed", HVSIM_IC_HDR_LEN, 1, KVP_OP_SET_IP_INFO, 0,
	  HVSIM_IC_BAD_KVP },
	{ "pool changed", HVSIM_IC_HDR_LEN + 1, 1, KVP_POOL_GUEST, 0,
	  HVSIM_IC_BAD_KVP },
	{ "another adapter", HIT_IP_ADAPTER + 2, 2, '1', 0, HVSIM_IC_BAD_KVP },
	{ "addresses without their NUL", HIT_IP_ADDR, MAX_IP_ADDR_SIZE, '1',
	  0, HVSIM_IC_BAD_KVP },
	{ "DNS without its NUL", HIT_IP_DNS, MAX_IP_ADDR_SIZE, '8', 0,
	  HVSIM_IC_BAD_KVP },
	{ "adapter without its NUL", HIT_IP_ADAPTER, MAX_ADAPTER_ID_SIZE, 'A',
	  0, HVSIM_IC_BAD_KVP },
	{ "a non-ASCII netmask", HIT_IP_SUBNET + 4, 2, 0xe9, 0,
	  HVSIM_IC_BAD_KVP },
	{ "a newline in the gateway", HIT_IP_GW + 2, 2, '\n', 0,
	  HVSIM_IC_BAD_KVP },
	{ "an unknown family", HIT_IP_FAMILY, 1, 4, 0, HVSIM_IC_BAD_KVP },
	{ "DHCP neither 0 nor 1", HIT_IP_DHCP, 1, 2, 0, HVSIM_IC_BAD_KVP },
};

static void hit_ip_bad_desc(const struct hit_ip_bad *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hit_ip_bad, hit_ip_bads, hit_ip_bad_desc);

static void hvsim_ic_kvp_ip_malformed(struct kunit *test)
{
	const struct hit_ip_bad *c = test->param_value;
	struct hvsim_kvp_ip *ip = kunit_kzalloc(test, sizeof(*ip), GFP_KERNEL);
	struct hit *h = hit_new(test);
	u32 status, i;

	KUNIT_ASSERT_NOT_NULL(test, ip);
	hit_kvp_ip(test, h);
	if (c->size > 2) {
		for (i = 0; i < c->size; i++)
			put_unaligned_le16(c->val, h->rep + c->off + 2 * i);
	} else if (c->size) {
		hit_put(h->rep + c->off, c->size, c->val);
	}
	h->rep_len += c->len_delta;
	KUNIT_EXPECT_EQ(test, hvsim_kvp_ip_parse(h->req, h->rep, h->rep_len,
						 &status, ip), c->want);
}

static struct kunit_case hvsim_ic_cases[] = {
	KUNIT_CASE(hvsim_ic_build_layout),
	KUNIT_CASE(hvsim_ic_reply_good),
	KUNIT_CASE_PARAM(hvsim_ic_reply_malformed, hit_bad_gen_params),
	KUNIT_CASE(hvsim_ic_negotiate_request),
	KUNIT_CASE(hvsim_ic_negotiate_good),
	KUNIT_CASE(hvsim_ic_negotiate_refused),
	KUNIT_CASE_PARAM(hvsim_ic_negotiate_malformed,
			 hit_nego_bad_gen_params),
	KUNIT_CASE(hvsim_ic_kvp_enum_good),
	KUNIT_CASE(hvsim_ic_kvp_u32),
	KUNIT_CASE_PARAM(hvsim_ic_kvp_malformed, hit_kvp_bad_gen_params),
	KUNIT_CASE(hvsim_ic_kvp_build_limits),
	KUNIT_CASE(hvsim_ic_kvp_ip_build),
	KUNIT_CASE(hvsim_ic_kvp_ip_good),
	KUNIT_CASE_PARAM(hvsim_ic_kvp_ip_malformed, hit_ip_bad_gen_params),
	{}
};

static struct kunit_suite hvsim_ic_suite = {
	.name = "hvsim_ic",
	.test_cases = hvsim_ic_cases,
};
kunit_test_suite(hvsim_ic_suite);

MODULE_LICENSE("GPL");
