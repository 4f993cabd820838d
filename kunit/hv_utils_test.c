// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hv_utils's checks of what the host sends (drivers/util/ic.c).
 *
 * Each case builds a packet as a host lays it out (pipe header, IC
 * header, body) and asserts the exact answer: the class of the packet,
 * the HV status, the negotiated version, the message made for a daemon,
 * or the answer written back for the host.  Malformed input (short
 * packets, unknown types and operations, oversized KVP keys and values,
 * stale or impossible time samples, unsupported versions) must each get
 * its own error.
 */
#include <kunit/test.h>
#include <linux/hyperv.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include "../drivers/util/hvu.h"

#define HUT_BUF		8192
#define HUT_NOW		(1000000ULL * HVU_TICKS_PER_SEC)

/* Offsets in the packet. */
#define HUT_TYPE	(8 + 4)		/* icmsgtype */
#define HUT_STATUS	(8 + 12)
#define HUT_FLAGS	(8 + 17)
#define HUT_BODY	ICMSG_HDR

static u8 *hut_pkt(struct kunit *test, u16 type)
{
	u8 *b = kunit_kzalloc(test, HUT_BUF, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	put_unaligned_le32(1, b);			/* pipe: data */
	put_unaligned_le16(type, b + HUT_TYPE);
	put_unaligned_le32(0, b + HUT_STATUS);
	b[HUT_FLAGS] = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_REQUEST;
	return b;
}

static u32 hut_status(const u8 *b)
{
	return get_unaligned_le32(b + HUT_STATUS);
}

/* A negotiate request listing @fw then @srv (major << 16 | minor). */
static u32 hut_nego(u8 *b, const int *fw, int nfw, const int *srv, int nsrv)
{
	u8 *v = b + HUT_BODY + 8;
	int i;

	put_unaligned_le16(nfw, b + HUT_BODY);
	put_unaligned_le16(nsrv, b + HUT_BODY + 2);
	for (i = 0; i < nfw + nsrv; i++, v += 4) {
		int x = i < nfw ? fw[i] : srv[i - nfw];

		put_unaligned_le16(HVU_VER_MAJOR(x), v);
		put_unaligned_le16(HVU_VER_MINOR(x), v + 2);
	}
	return HUT_BODY + 8 + 4 * (nfw + nsrv);
}

static const int hut_host_fw[] = { HVU_VER(1, 0), HVU_VER(3, 0) };

static void hv_utils_negotiate_picks_best_shared(struct kunit *test)
{
	static const int srv[] = {
		HVU_VER(1, 0), HVU_VER(3, 0), HVU_VER(3, 1), HVU_VER(3, 2)
	};
	u8 *b = hut_pkt(test, ICMSGTYPE_NEGOTIATE);
	u32 len = hut_nego(b, hut_host_fw, 2, srv, 4);
	int ver = 0;

	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_shutdown_desc, b, len, &ver),
			HVU_REPLY);
	KUNIT_EXPECT_EQ(test, ver, HVU_VER(3, 2));
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_BODY), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_BODY + 2), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_BODY + 8), 3);	/* fw 3.0 */
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_BODY + 12), 3);	/* 3.2 */
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_BODY + 14), 2);
	KUNIT_EXPECT_EQ(test, b[HUT_FLAGS],
			ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE);
}

static void hv_utils_negotiate_nothing_shared(struct kunit *test)
{
	static const int srv[] = { HVU_VER(4, 0), HVU_VER(6, 0) };
	u8 *b = hut_pkt(test, ICMSGTYPE_NEGOTIATE);
	u32 len = hut_nego(b, hut_host_fw, 2, srv, 2);
	int ver = HVU_VER(5, 0);

	/* VSS speaks 5.0 only: no answer version; the old one stays. */
	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_vss_desc, b, len, &ver),
			HVU_REPLY);
	KUNIT_EXPECT_EQ(test, ver, HVU_VER(5, 0));
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_BODY), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_BODY + 2), 0);
}

static void hv_utils_negotiate_counts_over_buffer(struct kunit *test)
{
	static const int srv[] = { HVU_VER(3, 0) };
	u8 *b = hut_pkt(test, ICMSGTYPE_NEGOTIATE);
	u32 len = hut_nego(b, hut_host_fw, 2, srv, 1);
	int ver = 0;

	/* The host claims 100 service versions in a packet that has one. */
	put_unaligned_le16(100, b + HUT_BODY + 2);
	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_heartbeat_desc, b, len, &ver),
			HVU_REPLY);
	KUNIT_EXPECT_EQ(test, ver, 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_BODY + 2), 0);
}

/*
 * Negotiations too short for what they claim; each starts with a
 * version agreed before, which stays.
 */
static const struct {
	const char *what;
	u32 body;		/* bytes after the IC header */
	u16 size;		/* the icmsgsize the host claims */
	u32 status;		/* the answer's status ... */
	u16 size_out;		/* ... and size */
} hut_nego_short[] = {
	/* Half the version counts: refused, the size cut to what came. */
	{ "2 bytes claiming 100", 2, 100, HV_INVALIDARG, 2 },
	/*
	 * The counts and nothing more (a 30-byte packet arrives padded to
	 * 32): no version shared, and an answer that claims only the 4
	 * bytes of body it has.
	 */
	{ "the counts alone", 4, 2, HV_S_OK, 4 },
};

static void hv_utils_negotiate_short(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hut_nego_short); i++) {
		u8 *b = hut_pkt(test, ICMSGTYPE_NEGOTIATE);
		int ver = HVU_VER(3, 0);

		kunit_info(test, "%s\n", hut_nego_short[i].what);
		put_unaligned_le16(hut_nego_short[i].size, b + 8 + 10);
		KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_heartbeat_desc, b,
				HUT_BODY + hut_nego_short[i].body, &ver),
				HVU_REPLY);
		KUNIT_EXPECT_EQ(test, hut_status(b), hut_nego_short[i].status);
		KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 8 + 10),
				hut_nego_short[i].size_out);
		KUNIT_EXPECT_EQ(test, b[HUT_FLAGS],
				ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE);
		KUNIT_EXPECT_EQ(test, ver, HVU_VER(3, 0));
	}
}

static void hv_utils_classify_short_dropped(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_HEARTBEAT);
	int ver = HVU_VER(3, 0);

	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_heartbeat_desc, b,
					      ICMSG_HDR - 1, &ver), HVU_DROP);
	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_heartbeat_desc, b, 0, &ver),
			HVU_DROP);
}

static void hv_utils_classify_unknown_type(struct kunit *test)
{
	u8 *b = hut_pkt(test, 9);
	int ver = HVU_VER(3, 0);

	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_heartbeat_desc, b, 64, &ver),
			HVU_REPLY);
	KUNIT_EXPECT_EQ(test, hut_status(b), HV_E_FAIL);
	KUNIT_EXPECT_EQ(test, b[HUT_FLAGS],
			ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE);
}

static void hv_utils_classify_before_negotiation(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_HEARTBEAT);
	int ver = 0;

	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_heartbeat_desc, b, 64, &ver),
			HVU_REPLY);
	KUNIT_EXPECT_EQ(test, hut_status(b), HV_E_FAIL);
}

static void hv_utils_classify_short_body(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_HEARTBEAT);
	int ver = HVU_VER(3, 0);

	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_heartbeat_desc, b,
					      ICMSG_HDR + 7, &ver), HVU_REPLY);
	KUNIT_EXPECT_EQ(test, hut_status(b), HV_INVALIDARG);
	KUNIT_EXPECT_EQ(test, hvu_ic_classify(&hvu_heartbeat_desc, b,
					      ICMSG_HDR + 8, &ver), HVU_SERVICE);
}

static void hv_utils_heartbeat_increments(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_HEARTBEAT);

	put_unaligned_le64(41, b + HUT_BODY);
	KUNIT_EXPECT_EQ(test, hvu_heartbeat_answer(b, ICMSG_HDR + 8), HV_S_OK);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + HUT_BODY), 42);
	KUNIT_EXPECT_EQ(test, hvu_heartbeat_answer(b, ICMSG_HDR + 4),
			HV_INVALIDARG);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + HUT_BODY), 42);
}

struct hut_sd_case {
	u32 flags;
	bool hib_ok;
	u32 status;
	enum hvu_shutdown_action action;
};

static const struct hut_sd_case hut_sd_cases[] = {
	{ 0, false, HV_S_OK, HVU_SD_POWEROFF },
	{ 1, false, HV_S_OK, HVU_SD_POWEROFF },
	{ 2, false, HV_S_OK, HVU_SD_REBOOT },
	{ 3, false, HV_S_OK, HVU_SD_REBOOT },
	{ 4, true, HV_S_OK, HVU_SD_HIBERNATE },
	{ 5, true, HV_S_OK, HVU_SD_HIBERNATE },
	{ 4, false, HV_E_FAIL, HVU_SD_NONE },
	{ 5, false, HV_E_FAIL, HVU_SD_NONE },
	{ 6, true, HV_E_FAIL, HVU_SD_NONE },
	{ 8, true, HV_E_FAIL, HVU_SD_NONE },
	{ 0x80000000, true, HV_E_FAIL, HVU_SD_NONE },
};

static void hv_utils_shutdown_flags(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_SHUTDOWN);
	u32 len = ICMSG_HDR + sizeof(struct shutdown_msg_data);
	enum hvu_shutdown_action a;
	int i;

	for (i = 0; i < ARRAY_SIZE(hut_sd_cases); i++) {
		const struct hut_sd_case *c = &hut_sd_cases[i];

		put_unaligned_le32(c->flags, b + HUT_BODY + 8);
		KUNIT_EXPECT_EQ_MSG(test, hvu_shutdown_parse(b, len, c->hib_ok, &a),
				    c->status, "flags %#x", c->flags);
		KUNIT_EXPECT_EQ_MSG(test, a, c->action, "flags %#x", c->flags);
	}
	/* Flags present but no display message: still a request. */
	put_unaligned_le32(2, b + HUT_BODY + 8);
	KUNIT_EXPECT_EQ(test, hvu_shutdown_parse(b, ICMSG_HDR + 12, false, &a),
			HV_S_OK);
	KUNIT_EXPECT_EQ(test, a, HVU_SD_REBOOT);
	KUNIT_EXPECT_EQ(test, hvu_shutdown_parse(b, ICMSG_HDR + 11, false, &a),
			HV_INVALIDARG);
	KUNIT_EXPECT_EQ(test, a, HVU_SD_NONE);
}

/* A timesync 4.0 message: host time @parent at reference time @ref. */
static u32 hut_ts4(u8 *b, u64 parent, u64 ref, u8 flags)
{
	put_unaligned_le64(parent, b + HUT_BODY);
	put_unaligned_le64(ref, b + HUT_BODY + 8);
	b[HUT_BODY + 16] = flags;
	return ICMSG_HDR + sizeof(struct ictimesync_ref_data);
}

static void hv_utils_timesync_v4_sample(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_TIMESYNC);
	u64 parent = WLTIMEDELTA + 1700000000ULL * HVU_TICKS_PER_SEC;
	u32 len = hut_ts4(b, parent, HUT_NOW - 10 * HVU_TICKS_PER_SEC,
			  ICTIMESYNCFLAG_SYNC);
	struct hvu_ts_sample s;

	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(4, 0), HUT_NOW,
						 &s), HV_S_OK);
	KUNIT_EXPECT_EQ(test, s.parenttime, parent);
	KUNIT_EXPECT_EQ(test, s.reftime, HUT_NOW - 10 * HVU_TICKS_PER_SEC);
	KUNIT_EXPECT_EQ(test, s.flags, ICTIMESYNCFLAG_SYNC);
	/* A hair in the future is rounding: taken as now. */
	hut_ts4(b, parent, HUT_NOW + 100, ICTIMESYNCFLAG_SAMPLE);
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(4, 0), HUT_NOW,
						 &s), HV_S_OK);
	KUNIT_EXPECT_EQ(test, s.reftime, HUT_NOW);
	/* One byte short of the 4.0 layout. */
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len - 1, HVU_VER(4, 0),
						 HUT_NOW, &s), HV_INVALIDARG);
}

static void hv_utils_timesync_refused(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_TIMESYNC);
	u64 parent = WLTIMEDELTA + 1700000000ULL * HVU_TICKS_PER_SEC;
	struct hvu_ts_sample s;
	u32 len;

	/* Stale: 601 s before now. */
	len = hut_ts4(b, parent, HUT_NOW - 601 * HVU_TICKS_PER_SEC, 1);
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(4, 0), HUT_NOW,
						 &s), HV_E_FAIL);
	/* From the future. */
	hut_ts4(b, parent, HUT_NOW + 2 * HVU_TICKS_PER_SEC, 1);
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(4, 0), HUT_NOW,
						 &s), HV_INVALIDARG);
	/* Before 1970. */
	hut_ts4(b, WLTIMEDELTA - 1, HUT_NOW, 1);
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(4, 0), HUT_NOW,
						 &s), HV_INVALIDARG);
	/* 2200-01-01 and the largest time a host can send: refused. */
	hut_ts4(b, WLTIMEDELTA + HVU_TS_LAST_UNIX_S * HVU_TICKS_PER_SEC,
		HUT_NOW, 1);
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(4, 0), HUT_NOW,
						 &s), HV_INVALIDARG);
	hut_ts4(b, U64_MAX, HUT_NOW, 1);
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(4, 0), HUT_NOW,
						 &s), HV_INVALIDARG);
	/* The last second of 2199 is taken. */
	hut_ts4(b, WLTIMEDELTA + (HVU_TS_LAST_UNIX_S - 1) * HVU_TICKS_PER_SEC,
		HUT_NOW, 1);
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(4, 0), HUT_NOW,
						 &s), HV_S_OK);
}

static void hv_utils_timesync_v3_layout(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_TIMESYNC);
	u64 parent = WLTIMEDELTA + 42;
	struct hvu_ts_sample s;
	u32 len = ICMSG_HDR + sizeof(struct ictimesync_data);

	put_unaligned_le64(parent, b + HUT_BODY);
	b[HUT_BODY + 24] = ICTIMESYNCFLAG_SAMPLE;
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, len, HVU_VER(3, 0), HUT_NOW,
						 &s), HV_S_OK);
	KUNIT_EXPECT_EQ(test, s.parenttime, parent);
	KUNIT_EXPECT_EQ(test, s.reftime, HUT_NOW);
	KUNIT_EXPECT_EQ(test, s.flags, ICTIMESYNCFLAG_SAMPLE);
	/* 4.0's 22 bytes are too short for 3.0's 25. */
	KUNIT_EXPECT_EQ(test, hvu_timesync_parse(b, ICMSG_HDR + 22, HVU_VER(3, 0),
						 HUT_NOW, &s), HV_INVALIDARG);
}

static void hv_utils_timesync_stale_boundary(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, hvu_timesync_stale(HUT_NOW - HVU_TS_STALE_TICKS,
						    HUT_NOW));
	KUNIT_EXPECT_TRUE(test, hvu_timesync_stale(HUT_NOW - HVU_TS_STALE_TICKS - 1,
						   HUT_NOW));
	KUNIT_EXPECT_FALSE(test, hvu_timesync_stale(HUT_NOW + 5, HUT_NOW));
}

/* KVP: offsets of a GET/SET record after the IC header. */
#define HUT_KVP_OP	(HUT_BODY + 0)
#define HUT_KVP_POOL	(HUT_BODY + 1)
#define HUT_KV		(HUT_BODY + 4)	/* struct hv_kvp_exchg_msg_value */
#define HUT_KV_TYPE	(HUT_KV + 0)
#define HUT_KV_KSIZE	(HUT_KV + 4)
#define HUT_KV_VSIZE	(HUT_KV + 8)
#define HUT_KV_KEY	(HUT_KV + 12)
#define HUT_KV_VALUE	(HUT_KV + 12 + HV_KVP_EXCHANGE_MAX_KEY_SIZE)
#define HUT_KVP_FULL	(HUT_KV + sizeof(struct hv_kvp_exchg_msg_value))

/* Write @s as UTF-16LE with its NUL at @p; returns the bytes. */
static u32 hut_utf16(u8 *p, const char *s)
{
	u32 i, n = strlen(s);

	for (i = 0; i <= n; i++)
		put_unaligned_le16((u8)s[i], p + 2 * i);
	return 2 * (n + 1);
}

static u8 *hut_kvp(struct kunit *test, u8 op, u8 pool)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_KVPEXCHANGE);

	b[HUT_KVP_OP] = op;
	b[HUT_KVP_POOL] = pool;
	return b;
}

static void hv_utils_kvp_set_string(struct kunit *test)
{
	u8 *b = hut_kvp(test, KVP_OP_SET, KVP_POOL_EXTERNAL);
	struct hv_kvp_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	put_unaligned_le32(REG_SZ, b + HUT_KV_TYPE);
	put_unaligned_le32(hut_utf16(b + HUT_KV_KEY, "Key1"), b + HUT_KV_KSIZE);
	put_unaligned_le32(hut_utf16(b + HUT_KV_VALUE, "Val"), b + HUT_KV_VSIZE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m), 0);
	KUNIT_EXPECT_EQ(test, m->kvp_hdr.operation, KVP_OP_SET);
	KUNIT_EXPECT_EQ(test, m->kvp_hdr.pool, KVP_POOL_EXTERNAL);
	KUNIT_EXPECT_STREQ(test, (char *)m->body.kvp_set.data.key, "Key1");
	KUNIT_EXPECT_EQ(test, m->body.kvp_set.data.key_size, 5);
	KUNIT_EXPECT_STREQ(test, (char *)m->body.kvp_set.data.value, "Val");
	KUNIT_EXPECT_EQ(test, m->body.kvp_set.data.value_size, 4);
}

static void hv_utils_kvp_set_scalars(struct kunit *test)
{
	u8 *b = hut_kvp(test, KVP_OP_SET, KVP_POOL_GUEST);
	struct hv_kvp_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	put_unaligned_le32(hut_utf16(b + HUT_KV_KEY, "n"), b + HUT_KV_KSIZE);
	put_unaligned_le32(REG_U32, b + HUT_KV_TYPE);
	put_unaligned_le32(4, b + HUT_KV_VSIZE);
	put_unaligned_le32(0xffffffff, b + HUT_KV_VALUE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m), 0);
	KUNIT_EXPECT_STREQ(test, (char *)m->body.kvp_set.data.value,
			   "4294967295");
	/* Linux's REG_U64 (8) and Windows' REG_QWORD (11) alike. */
	put_unaligned_le32(REG_U64, b + HUT_KV_TYPE);
	put_unaligned_le32(8, b + HUT_KV_VSIZE);
	put_unaligned_le64(12345678901ULL, b + HUT_KV_VALUE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m), 0);
	KUNIT_EXPECT_STREQ(test, (char *)m->body.kvp_set.data.value,
			   "12345678901");
	put_unaligned_le32(HVU_REG_QWORD, b + HUT_KV_TYPE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m), 0);
	KUNIT_EXPECT_STREQ(test, (char *)m->body.kvp_set.data.value,
			   "12345678901");
	/* REG_BINARY (3) is not a type the daemon stores. */
	put_unaligned_le32(3, b + HUT_KV_TYPE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m),
			HV_INVALIDARG);
}

static void hv_utils_kvp_oversized(struct kunit *test)
{
	u8 *b = hut_kvp(test, KVP_OP_SET, KVP_POOL_EXTERNAL);
	struct hv_kvp_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	put_unaligned_le32(REG_SZ, b + HUT_KV_TYPE);
	put_unaligned_le32(hut_utf16(b + HUT_KV_VALUE, "v"), b + HUT_KV_VSIZE);
	put_unaligned_le32(hut_utf16(b + HUT_KV_KEY, "k"), b + HUT_KV_KSIZE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m), 0);

	/* Key and value sizes over the protocol's limits. */
	put_unaligned_le32(HV_KVP_EXCHANGE_MAX_KEY_SIZE + 2, b + HUT_KV_KSIZE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m),
			HV_INVALIDARG);
	put_unaligned_le32(4, b + HUT_KV_KSIZE);
	put_unaligned_le32(HV_KVP_EXCHANGE_MAX_VALUE_SIZE + 2, b + HUT_KV_VSIZE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m),
			HV_INVALIDARG);

	/* 256 units of U+00E9 with no NUL: 512 bytes of UTF-8, over 511. */
	put_unaligned_le32(4, b + HUT_KV_VSIZE);
	for (i = 0; i < 256; i++)
		put_unaligned_le16(0xe9, b + HUT_KV_KEY + 2 * i);
	put_unaligned_le32(HV_KVP_EXCHANGE_MAX_KEY_SIZE, b + HUT_KV_KSIZE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m),
			HV_INVALIDARG);
	/* 255 of them fit (510 bytes). */
	put_unaligned_le16(0, b + HUT_KV_KEY + 2 * 255);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m), 0);
	KUNIT_EXPECT_EQ(test, m->body.kvp_set.data.key_size, 511);

	/* An empty key. */
	put_unaligned_le16(0, b + HUT_KV_KEY);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m),
			HV_INVALIDARG);
}

static void hv_utils_kvp_bad_requests(struct kunit *test)
{
	u8 *b = hut_kvp(test, KVP_OP_DELETE, KVP_POOL_EXTERNAL);
	struct hv_kvp_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	u32 del_len = HUT_BODY + 4 + sizeof(struct hv_kvp_msg_delete);

	KUNIT_ASSERT_NOT_NULL(test, m);
	put_unaligned_le32(hut_utf16(b + HUT_BODY + 8, "gone"), b + HUT_BODY + 4);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, del_len, m), 0);
	KUNIT_EXPECT_STREQ(test, (char *)m->body.kvp_delete.key, "gone");
	/* One byte short of the DELETE body. */
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, del_len - 1, m),
			HV_INVALIDARG);
	/* No KVP header at all. */
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_BODY + 2, m),
			HV_INVALIDARG);
	/* A pool past the last. */
	b[HUT_KVP_POOL] = KVP_POOL_COUNT;
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, del_len, m), HV_INVALIDARG);
	/* An operation the protocol does not have. */
	b[HUT_KVP_POOL] = 0;
	b[HUT_KVP_OP] = KVP_OP_COUNT;
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, del_len, m),
			HV_ERROR_NOT_SUPPORTED);
	/* ENUMERATE must hold the whole record it is answered in. */
	b[HUT_KVP_OP] = KVP_OP_ENUMERATE;
	put_unaligned_le32(7, b + HUT_BODY + 4);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL + 3, m),
			HV_INVALIDARG);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL + 4, m), 0);
	KUNIT_EXPECT_EQ(test, m->body.kvp_enum_data.index, 7);
}

static void hv_utils_kvp_enumerate_answer(struct kunit *test)
{
	u8 *b = hut_kvp(test, KVP_OP_ENUMERATE, KVP_POOL_AUTO);
	struct hv_kvp_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	u32 len = HUT_KVP_FULL + 4;
	u8 *rec = b + HUT_BODY + 8;	/* after the index */

	KUNIT_ASSERT_NOT_NULL(test, m);
	strscpy(m->body.kvp_enum_data.data.key, "OSName",
		sizeof(m->body.kvp_enum_data.data.key));
	strscpy(m->body.kvp_enum_data.data.value, "Debian",
		sizeof(m->body.kvp_enum_data.data.value));
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_host(b, len, m), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(rec), REG_SZ);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(rec + 4), 14);	/* key_size */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(rec + 8), 14);	/* value_size */
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(rec + 12), 'O');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(rec + 12 + 10), 'e');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(rec + 12 + 12), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(rec + 12 + 512), 'D');
	/* Not UTF-8: the host gets a failure, not garbage. */
	m->body.kvp_enum_data.data.value[0] = 0xff;
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_host(b, len, m), HV_E_FAIL);
}

static void hv_utils_kvp_get_answer(struct kunit *test)
{
	u8 *b = hut_kvp(test, KVP_OP_GET, KVP_POOL_EXTERNAL);
	struct hv_kvp_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	put_unaligned_le32(hut_utf16(b + HUT_KV_KEY, "Key1"), b + HUT_KV_KSIZE);
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_KVP_FULL, m), 0);
	/* The daemon is asked for the whole value. */
	KUNIT_EXPECT_EQ(test, m->body.kvp_get.data.value_size,
			HV_KVP_EXCHANGE_MAX_VALUE_SIZE);
	strscpy(m->body.kvp_get.data.value, "ab",
		sizeof(m->body.kvp_get.data.value));
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_host(b, HUT_KVP_FULL, m), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + HUT_KV_VSIZE), 6);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_KV_VALUE + 2), 'b');
}

/* struct hv_kvp_ip_msg in the packet: its fields from the IC body on. */
#define HUT_IP(f)	\
	(HUT_BODY + offsetof(struct hv_kvp_ip_msg, kvp_ip_val.f))
#define HUT_IP_FULL	(HUT_BODY + sizeof(struct hv_kvp_ip_msg))

static void hv_utils_kvp_ip_set(struct kunit *test)
{
	u8 *b = hut_kvp(test, KVP_OP_SET_IP_INFO, KVP_POOL_EXTERNAL);
	struct hv_kvp_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct hv_kvp_ipaddr_value *v = &m->body.kvp_ip_val;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_EXPECT_EQ(test, HUT_IP(adapter_id), 30);
	KUNIT_EXPECT_EQ(test, HUT_IP(dns_addr), 5408);
	hut_utf16(b + HUT_IP(adapter_id),
		  "{9c3e0001-0000-4000-8000-000000000001}");
	b[HUT_IP(addr_family)] = ADDR_FAMILY_IPV4;
	b[HUT_IP(dhcp_enabled)] = 1;
	hut_utf16(b + HUT_IP(ip_addr), "198.51.100.5;198.51.100.6");
	hut_utf16(b + HUT_IP(sub_net), "255.255.255.0;255.255.0.0");
	hut_utf16(b + HUT_IP(gate_way), "198.51.100.1");
	hut_utf16(b + HUT_IP(dns_addr), "198.51.100.53");
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_IP_FULL, m), 0);
	KUNIT_EXPECT_EQ(test, m->kvp_hdr.operation, KVP_OP_SET_IP_INFO);
	KUNIT_EXPECT_STREQ(test, (char *)v->adapter_id,
			   "{9c3e0001-0000-4000-8000-000000000001}");
	KUNIT_EXPECT_STREQ(test, (char *)v->ip_addr,
			   "198.51.100.5;198.51.100.6");
	KUNIT_EXPECT_STREQ(test, (char *)v->sub_net,
			   "255.255.255.0;255.255.0.0");
	KUNIT_EXPECT_STREQ(test, (char *)v->gate_way, "198.51.100.1");
	KUNIT_EXPECT_STREQ(test, (char *)v->dns_addr, "198.51.100.53");
	KUNIT_EXPECT_EQ(test, v->addr_family, ADDR_FAMILY_IPV4);
	KUNIT_EXPECT_EQ(test, v->dhcp_enabled, 1);
	/* The whole message must be there: the answer is written in it. */
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_IP_FULL - 1, m),
			HV_INVALIDARG);
}

static void hv_utils_kvp_ip_get(struct kunit *test)
{
	u8 *b = hut_kvp(test, KVP_OP_GET_IP_INFO, KVP_POOL_EXTERNAL);
	struct hv_kvp_msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct hv_kvp_ipaddr_value *v = &m->body.kvp_ip_val;

	KUNIT_ASSERT_NOT_NULL(test, m);
	hut_utf16(b + HUT_IP(adapter_id), "00:15:5D:42:00:01");
	/* A GET passes the adapter and the family, nothing else. */
	hut_utf16(b + HUT_IP(ip_addr), "203.0.113.9");
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_daemon(b, HUT_IP_FULL, m), 0);
	KUNIT_EXPECT_STREQ(test, (char *)v->adapter_id, "00:15:5D:42:00:01");
	KUNIT_EXPECT_STREQ(test, (char *)v->ip_addr, "");

	/* The daemon's answer goes back in UTF-16, each field terminated. */
	strscpy((char *)v->ip_addr, "192.0.2.77;fe80::1", sizeof(v->ip_addr));
	strscpy((char *)v->sub_net, "255.255.255.0;/64", sizeof(v->sub_net));
	strscpy((char *)v->gate_way, "192.0.2.1", sizeof(v->gate_way));
	v->addr_family = ADDR_FAMILY_IPV4 | ADDR_FAMILY_IPV6;
	v->dhcp_enabled = 1;
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_host(b, HUT_IP_FULL, m), 0);
	KUNIT_EXPECT_EQ(test, b[HUT_KVP_OP], KVP_OP_GET_IP_INFO);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_IP(ip_addr)), '1');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_IP(ip_addr) + 2 * 17),
			'1');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_IP(ip_addr) + 2 * 18),
			0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_IP(sub_net) + 2 * 14),
			'/');
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_IP(gate_way) + 2 * 9),
			0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_IP(dns_addr)), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + HUT_IP(adapter_id) + 2),
			'0');
	KUNIT_EXPECT_EQ(test, b[HUT_IP(addr_family)], 3);
	KUNIT_EXPECT_EQ(test, b[HUT_IP(dhcp_enabled)], 1);
	/* Not UTF-8 from the daemon: a failure, not garbage. */
	v->dns_addr[0] = 0xff;
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_host(b, HUT_IP_FULL, m), HV_E_FAIL);
	/* An answer that does not fit the host's packet is not written. */
	v->dns_addr[0] = 0;
	KUNIT_EXPECT_EQ(test, hvu_kvp_to_host(b, HUT_IP_FULL - 2, m),
			HV_E_FAIL);
}

static void hv_utils_vss_routes(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_VSS);
	u32 len = ICMSG_HDR + sizeof(struct hv_vss_msg);
	enum hvu_vss_route r;

	b[HUT_BODY] = VSS_OP_FREEZE;
	KUNIT_EXPECT_EQ(test, hvu_vss_route(b, len, &r), 0);
	KUNIT_EXPECT_EQ(test, r, HVU_VSS_DAEMON);
	b[HUT_BODY] = VSS_OP_THAW;
	KUNIT_EXPECT_EQ(test, hvu_vss_route(b, len, &r), 0);
	KUNIT_EXPECT_EQ(test, r, HVU_VSS_DAEMON);
	b[HUT_BODY] = VSS_OP_GET_DM_INFO;
	put_unaligned_le32(0xdead, b + HUT_BODY + 8);
	KUNIT_EXPECT_EQ(test, hvu_vss_route(b, len, &r), 0);
	KUNIT_EXPECT_EQ(test, r, HVU_VSS_LOCAL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + HUT_BODY + 8), 0);
	b[HUT_BODY] = VSS_OP_BU_COMPLETE;
	KUNIT_EXPECT_EQ(test, hvu_vss_route(b, len, &r), 0);
	KUNIT_EXPECT_EQ(test, r, HVU_VSS_LOCAL);
	b[HUT_BODY] = 8;	/* cluster information: not Linux's */
	KUNIT_EXPECT_EQ(test, hvu_vss_route(b, len, &r), HV_ERROR_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, r, HVU_VSS_LOCAL);
	KUNIT_EXPECT_EQ(test, hvu_vss_route(b, len - 1, &r), HV_INVALIDARG);
}

static void hv_utils_fcopy_start(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_FCOPY);
	struct hv_start_fcopy *o = kunit_kzalloc(test, sizeof(struct hv_do_fcopy),
						 GFP_KERNEL);
	u32 len = ICMSG_HDR + sizeof(struct hv_start_fcopy), olen;

	KUNIT_ASSERT_NOT_NULL(test, o);
	put_unaligned_le32(START_FILE_COPY, b + HUT_BODY);
	hut_utf16(b + HUT_BODY + 36, "file.bin");
	hut_utf16(b + HUT_BODY + 36 + 2 * W_MAX_PATH, "/tmp");
	put_unaligned_le32(OVER_WRITE | CREATE_PATH, b + HUT_BODY + 1076);
	put_unaligned_le64(12345, b + HUT_BODY + 1080);
	KUNIT_EXPECT_EQ(test, hvu_fcopy_to_daemon(b, len, o, &olen), 0);
	KUNIT_EXPECT_EQ(test, olen, sizeof(struct hv_start_fcopy));
	KUNIT_EXPECT_STREQ(test, (char *)o->file_name, "file.bin");
	KUNIT_EXPECT_STREQ(test, (char *)o->path_name, "/tmp");
	KUNIT_EXPECT_EQ(test, o->copy_flags, OVER_WRITE | CREATE_PATH);
	KUNIT_EXPECT_EQ(test, o->file_size, 12345);

	KUNIT_EXPECT_EQ(test, hvu_fcopy_to_daemon(b, len - 1, o, &olen),
			HV_INVALIDARG);
	put_unaligned_le32(0x4, b + HUT_BODY + 1076);
	KUNIT_EXPECT_EQ(test, hvu_fcopy_to_daemon(b, len, o, &olen),
			HV_INVALIDARG);
	put_unaligned_le32(0, b + HUT_BODY + 1076);
	put_unaligned_le16(0, b + HUT_BODY + 36);	/* no file name */
	KUNIT_EXPECT_EQ(test, hvu_fcopy_to_daemon(b, len, o, &olen),
			HV_INVALIDARG);
}

static void hv_utils_fcopy_write(struct kunit *test)
{
	u8 *b = hut_pkt(test, ICMSGTYPE_FCOPY);
	struct hv_do_fcopy *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	u32 olen;

	KUNIT_ASSERT_NOT_NULL(test, o);
	put_unaligned_le32(WRITE_TO_FILE, b + HUT_BODY);
	put_unaligned_le64(4096, b + HUT_BODY + 40);
	put_unaligned_le32(100, b + HUT_BODY + 48);
	memset(b + HUT_BODY + 52, 0x5a, 100);
	KUNIT_EXPECT_EQ(test, hvu_fcopy_to_daemon(b, ICMSG_HDR + 152, o, &olen),
			0);
	KUNIT_EXPECT_EQ(test, olen, sizeof(*o));
	KUNIT_EXPECT_EQ(test, o->offset, 4096);
	KUNIT_EXPECT_EQ(test, o->size, 100);
	KUNIT_EXPECT_EQ(test, o->data[99], 0x5a);
	KUNIT_EXPECT_EQ(test, o->data[100], 0);
	/* Announces more than the packet holds. */
	KUNIT_EXPECT_EQ(test, hvu_fcopy_to_daemon(b, ICMSG_HDR + 151, o, &olen),
			HV_INVALIDARG);
	/* Over the fragment size. */
	put_unaligned_le32(DATA_FRAGMENT + 1, b + HUT_BODY + 48);
	KUNIT_EXPECT_EQ(test, hvu_fcopy_to_daemon(b, HUT_BUF, o, &olen),
			HV_INVALIDARG);
	/* Unknown operation. */
	put_unaligned_le32(9, b + HUT_BODY);
	KUNIT_EXPECT_EQ(test, hvu_fcopy_to_daemon(b, HUT_BUF, o, &olen),
			HV_ERROR_NOT_SUPPORTED);
}

static struct kunit_case hv_utils_cases[] = {
	KUNIT_CASE(hv_utils_negotiate_picks_best_shared),
	KUNIT_CASE(hv_utils_negotiate_nothing_shared),
	KUNIT_CASE(hv_utils_negotiate_counts_over_buffer),
	KUNIT_CASE(hv_utils_negotiate_short),
	KUNIT_CASE(hv_utils_classify_short_dropped),
	KUNIT_CASE(hv_utils_classify_unknown_type),
	KUNIT_CASE(hv_utils_classify_before_negotiation),
	KUNIT_CASE(hv_utils_classify_short_body),
	KUNIT_CASE(hv_utils_heartbeat_increments),
	KUNIT_CASE(hv_utils_shutdown_flags),
	KUNIT_CASE(hv_utils_timesync_v4_sample),
	KUNIT_CASE(hv_utils_timesync_refused),
	KUNIT_CASE(hv_utils_timesync_v3_layout),
	KUNIT_CASE(hv_utils_timesync_stale_boundary),
	KUNIT_CASE(hv_utils_kvp_set_string),
	KUNIT_CASE(hv_utils_kvp_set_scalars),
	KUNIT_CASE(hv_utils_kvp_oversized),
	KUNIT_CASE(hv_utils_kvp_bad_requests),
	KUNIT_CASE(hv_utils_kvp_enumerate_answer),
	KUNIT_CASE(hv_utils_kvp_get_answer),
	KUNIT_CASE(hv_utils_kvp_ip_set),
	KUNIT_CASE(hv_utils_kvp_ip_get),
	KUNIT_CASE(hv_utils_vss_routes),
	KUNIT_CASE(hv_utils_fcopy_start),
	KUNIT_CASE(hv_utils_fcopy_write),
	{}
};

static struct kunit_suite hv_utils_suite = {
	.name = "hv_utils",
	.test_cases = hv_utils_cases,
};
kunit_test_suite(hv_utils_suite);
