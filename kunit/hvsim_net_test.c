// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hvsim's netvsp, the checks of RNDIS PACKET messages from the
 * guest (hvsim_netvsp_parse_packet()), the task offloads (large-send
 * segmentation, checksums filled and checked) and the RSS hash.  Each
 * case builds a message the way hv_netvsc lays it out (8-byte header,
 * 36-byte PACKET body, per-packet info after the body, the frame after
 * that) and changes one field; a malformed one must be refused with
 * -EINVAL.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include "../hvsim/vmbus_host.h"

#define HNT_HDR		8	/* RNDIS message header */
#define HNT_BODY	36	/* PACKET body */
#define HNT_PPI_HDR	12
#define HNT_FRAME	60	/* a minimal Ethernet frame */
#define HNT_BUF		256

/* Body fields, as offsets from the message's start. */
#define HNT_DATA_OFF	(HNT_HDR + 0)
#define HNT_DATA_LEN	(HNT_HDR + 4)
#define HNT_OOB_OFF	(HNT_HDR + 8)
#define HNT_OOB_LEN	(HNT_HDR + 12)
#define HNT_NUM_OOB	(HNT_HDR + 16)
#define HNT_PPI_OFF	(HNT_HDR + 20)
#define HNT_PPI_LEN	(HNT_HDR + 24)
#define HNT_VC		(HNT_HDR + 28)

struct hnt_msg {
	u8 buf[HNT_BUF];
	u32 len;
};

/*
 * A PACKET with @nppi per-packet info elements of type @type and a 4-byte
 * value @val each, then a frame.
 */
static void hnt_build(struct hnt_msg *m, u32 nppi, u32 type, u32 val)
{
	u32 ppi_len = nppi * (HNT_PPI_HDR + 4), i;
	u8 *p = m->buf + HNT_HDR + HNT_BODY;

	memset(m->buf, 0, sizeof(m->buf));
	m->len = HNT_HDR + HNT_BODY + ppi_len + HNT_FRAME;
	put_unaligned_le32(1, m->buf);			/* PACKET */
	put_unaligned_le32(m->len, m->buf + 4);
	put_unaligned_le32(HNT_BODY + ppi_len, m->buf + HNT_DATA_OFF);
	put_unaligned_le32(HNT_FRAME, m->buf + HNT_DATA_LEN);
	if (nppi) {
		put_unaligned_le32(HNT_BODY, m->buf + HNT_PPI_OFF);
		put_unaligned_le32(ppi_len, m->buf + HNT_PPI_LEN);
	}
	for (i = 0; i < nppi; i++, p += HNT_PPI_HDR + 4) {
		put_unaligned_le32(HNT_PPI_HDR + 4, p);
		put_unaligned_le32(type, p + 4);
		put_unaligned_le32(HNT_PPI_HDR, p + 8);
		put_unaligned_le32(val, p + 12);
	}
	/* The frame: broadcast destination, a recognisable last byte. */
	memset(m->buf + m->len - HNT_FRAME, 0xff, 6);
	m->buf[m->len - 1] = 0x5a;
}

static int hnt_parse(struct hnt_msg *m, struct hvsim_netvsp_pkt_info *info)
{
	return hvsim_netvsp_parse_packet(m->buf, m->len, info);
}

static void hvsim_netvsp_parse_packet_plain(struct kunit *test)
{
	struct hvsim_netvsp_pkt_info info;
	struct hnt_msg m;

	hnt_build(&m, 0, 0, 0);
	KUNIT_ASSERT_EQ(test, hnt_parse(&m, &info), 0);
	KUNIT_EXPECT_EQ(test, info.data_offset, HNT_HDR + HNT_BODY);
	KUNIT_EXPECT_EQ(test, info.data_len, HNT_FRAME);
	KUNIT_EXPECT_FALSE(test, info.has_vlan);
	KUNIT_EXPECT_EQ(test, m.buf[info.data_offset + info.data_len - 1],
			0x5a);
}

static void hvsim_netvsp_parse_packet_vlan(struct kunit *test)
{
	struct hvsim_netvsp_pkt_info info;
	struct hnt_msg m;

	/* 802.1Q: priority 5, VLAN 42. */
	hnt_build(&m, 1, 6, 5 | 42 << 4);
	KUNIT_ASSERT_EQ(test, hnt_parse(&m, &info), 0);
	KUNIT_EXPECT_TRUE(test, info.has_vlan);
	KUNIT_EXPECT_EQ(test, info.vlan, 5 | 42 << 4);
	KUNIT_EXPECT_EQ(test, info.data_offset,
			HNT_HDR + HNT_BODY + HNT_PPI_HDR + 4);
}

static void hvsim_netvsp_parse_packet_other_ppis(struct kunit *test)
{
	struct hvsim_netvsp_pkt_info info;
	struct hnt_msg m;

	/* Checksum, large-send and hash infos are taken with their values. */
	hnt_build(&m, 1, 8, 0x1234);
	KUNIT_ASSERT_EQ(test, hnt_parse(&m, &info), 0);
	KUNIT_EXPECT_TRUE(test, info.has_hash);
	KUNIT_EXPECT_EQ(test, info.hash, 0x1234);
	hnt_build(&m, 1, 0, 0x5);
	KUNIT_ASSERT_EQ(test, hnt_parse(&m, &info), 0);
	KUNIT_EXPECT_TRUE(test, info.has_csum);
	KUNIT_EXPECT_EQ(test, info.csum, 0x5);
	KUNIT_EXPECT_FALSE(test, info.has_lso);
	hnt_build(&m, 1, 2, 0x40000000 | 34 << 20 | 1448);
	KUNIT_ASSERT_EQ(test, hnt_parse(&m, &info), 0);
	KUNIT_EXPECT_TRUE(test, info.has_lso);
	KUNIT_EXPECT_EQ(test, info.lso, 0x40000000 | 34 << 20 | 1448);
	/* Unknown types (original packet info, 7) are skipped, twice too. */
	hnt_build(&m, 2, 7, 0);
	KUNIT_EXPECT_EQ(test, hnt_parse(&m, &info), 0);
}

/* One malformation each; all refused. */
struct hnt_bad {
	const char *name;
	u32 nppi;
	u32 type;
	u32 off;	/* field to overwrite */
	u32 val;
	s32 len_delta;	/* change of the message length given */
};

static const struct hnt_bad hnt_bad_cases[] = {
	{ "shorter than a header", 0, 0, 0, 0, -(HNT_BODY + HNT_FRAME + 1) },
	{ "no whole body", 0, 0, 0, 0, -(HNT_FRAME + 1) },
	{ "OOB offset", 0, 0, HNT_OOB_OFF, 36, 0 },
	{ "OOB length", 0, 0, HNT_OOB_LEN, 8, 0 },
	{ "OOB count", 0, 0, HNT_NUM_OOB, 1, 0 },
	{ "VC handle", 0, 0, HNT_VC, 1, 0 },
	{ "data inside the body", 0, 0, HNT_DATA_OFF, 35, 0 },
	{ "data offset past the message", 0, 0, HNT_DATA_OFF, 4096, 0 },
	{ "data past the message", 0, 0, HNT_DATA_LEN, HNT_FRAME + 1, 0 },
	{ "data length wraps", 0, 0, HNT_DATA_LEN, 0xffffffff, 0 },
	{ "frame shorter than Ethernet", 0, 0, HNT_DATA_LEN, 13, 0 },
	{ "message cut short", 0, 0, 0, 0, -1 },
	{ "PPI inside the body", 1, 8, HNT_PPI_OFF, 4, 0 },
	{ "PPI past the message", 1, 8, HNT_PPI_LEN, 4096, 0 },
	{ "PPI area shorter than a PPI", 1, 8, HNT_PPI_LEN, 11, 0 },
	{ "PPI size below its header", 1, 8, HNT_HDR + HNT_BODY, 11, 0 },
	{ "PPI size past the area", 1, 8, HNT_HDR + HNT_BODY, 17, 0 },
	{ "PPI value offset inside its header", 1, 8, HNT_HDR + HNT_BODY + 8,
	  11, 0 },
	{ "PPI value offset past the PPI", 1, 8, HNT_HDR + HNT_BODY + 8, 17,
	  0 },
	{ "VLAN PPI without its value", 1, 6, HNT_HDR + HNT_BODY + 8, 16, 0 },
	{ "LSO PPI without its value", 1, 2, HNT_HDR + HNT_BODY + 8, 14, 0 },
	{ "checksum PPI without its value", 1, 0, HNT_HDR + HNT_BODY + 8, 16,
	  0 },
	{ "hash PPI without its value", 1, 8, HNT_HDR + HNT_BODY + 8, 13, 0 },
	{ "two VLAN PPIs", 2, 6, 0, 0, 0 },
	{ "two LSO PPIs", 2, 2, 0, 0, 0 },
	{ "two checksum PPIs", 2, 0, 0, 0, 0 },
	{ "two hash PPIs", 2, 8, 0, 0, 0 },
};

static void hnt_bad_desc(const struct hnt_bad *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hnt_bad, hnt_bad_cases, hnt_bad_desc);

static void hvsim_netvsp_parse_packet_malformed(struct kunit *test)
{
	const struct hnt_bad *c = test->param_value;
	struct hvsim_netvsp_pkt_info info;
	struct hnt_msg m;

	hnt_build(&m, c->nppi, c->type, 0);
	if (c->off)
		put_unaligned_le32(c->val, m.buf + c->off);
	m.len += c->len_delta;
	KUNIT_EXPECT_EQ(test, hnt_parse(&m, &info), -EINVAL);
}

/* ------------------------------------------------------------------------
 * Task offloads: hvsim_netvsp_tx_offload() and hvsim_netvsp_rx_csum() on
 * crafted frames.  Every checksum is checked here the long way: the
 * one's complement sum of the pseudo-header and the segment, summed
 * byte pair by byte pair.
 */

#define HNT_ETH		14
#define HNT_IP4		20
#define HNT_IP6		40
#define HNT_TCP		20
#define HNT_UDP		8
#define HNT_MAXF	1514
#define HNT_SEGS	64
#define LSO_V2		BIT(30)
#define LSO_V6		BIT(31)

struct hnt_out {
	unsigned int n;
	u32 len[HNT_SEGS];
	u8 *f[HNT_SEGS];
	int fail_at;		/* emit fails from this call on (-1 never) */
	struct kunit *test;
};

static int hnt_emit(void *ctx, const u8 *frame, u32 len)
{
	struct hnt_out *o = ctx;

	if (o->fail_at >= 0 && o->n >= o->fail_at)
		return -ENOSPC;
	if (o->n == HNT_SEGS)
		return -E2BIG;
	o->f[o->n] = kunit_kmalloc(o->test, len, GFP_KERNEL);
	if (!o->f[o->n])
		return -ENOMEM;
	memcpy(o->f[o->n], frame, len);
	o->len[o->n++] = len;
	return 0;
}

static struct hnt_out *hnt_out(struct kunit *test)
{
	struct hnt_out *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, o);
	o->test = test;
	o->fail_at = -1;
	return o;
}

/* The 16-bit one's complement sum, the slow way. */
static u32 hnt_sum(u32 sum, const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static u16 hnt_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Whether the TCP/UDP checksum of @f (transport at @l4, @l4len) holds. */
static bool hnt_l4_ok(const u8 *f, bool v6, u32 l4, u32 l4len, u8 proto)
{
	u32 sum;

	if (v6)
		sum = hnt_sum(0, f + HNT_ETH + 8, 32);
	else
		sum = hnt_sum(0, f + HNT_ETH + 12, 8);
	sum += proto + l4len;
	sum = hnt_sum(sum, f + l4, l4len);
	return hnt_fold(sum) == 0xffff;
}

static bool hnt_ip4_ok(const u8 *f)
{
	return hnt_fold(hnt_sum(0, f + HNT_ETH, (f[HNT_ETH] & 0xf) * 4)) ==
	       0xffff;
}

/*
 * A frame of @payload bytes (byte i is i * 7) over TCP or UDP, IPv4 or
 * IPv6.  @lso: the headers as Linux leaves them for a large send (IP
 * lengths and checksums 0); else the lengths right, checksums garbage.
 */
static u8 *hnt_frame(struct kunit *test, bool v6, u8 proto, u32 payload,
		     bool lso, u32 *len)
{
	u32 l3 = v6 ? HNT_IP6 : HNT_IP4, l4 = proto == 6 ? HNT_TCP : HNT_UDP;
	u32 i, n = HNT_ETH + l3 + l4 + payload;
	u8 *f = kunit_kzalloc(test, n, GFP_KERNEL), *ip, *th;

	KUNIT_ASSERT_NOT_NULL(test, f);
	memset(f, 0x02, 6);			/* destination */
	memset(f + 6, 0x04, 6);			/* source */
	put_unaligned_be16(v6 ? 0x86dd : 0x0800, f + 12);
	ip = f + HNT_ETH;
	if (v6) {
		ip[0] = 0x60;
		put_unaligned_be16(lso ? 0 : l4 + payload, ip + 4);
		ip[6] = proto;
		ip[7] = 64;
		for (i = 0; i < 16; i++) {
			ip[8 + i] = 0xfd;
			ip[24 + i] = i;
		}
	} else {
		ip[0] = 0x45;
		put_unaligned_be16(lso ? 0 : l3 + l4 + payload, ip + 2);
		put_unaligned_be16(0x1000, ip + 4);	/* ID */
		put_unaligned_be16(0x4000, ip + 6);	/* DF */
		ip[8] = 64;
		ip[9] = proto;
		put_unaligned_be16(lso ? 0 : 0xdead, ip + 10);
		put_unaligned_be32(0x0a070001, ip + 12);
		put_unaligned_be32(0x0a070002, ip + 16);
	}
	th = ip + l3;
	put_unaligned_be16(40000, th);
	put_unaligned_be16(5001, th + 2);
	if (proto == 6) {
		put_unaligned_be32(0x10000000, th + 4);	/* sequence */
		th[12] = 5 << 4;
		th[13] = 0x80 | 0x10 | 0x08 | 0x01;	/* CWR ACK PSH FIN */
		put_unaligned_be16(0xbeef, th + 16);
	} else {
		put_unaligned_be16(l4 + payload, th + 4);
		put_unaligned_be16(0xbeef, th + 6);
	}
	for (i = 0; i < payload; i++)
		th[l4 + i] = i * 7;
	*len = n;
	return f;
}

static void hvsim_netvsp_lso_segments(struct kunit *test)
{
	static const struct {
		bool v6;
		u32 payload, mss, segs;
	} cases[] = {
		{ false, 2500, 1000, 3 },
		{ false, 2000, 1000, 2 },
		{ true, 4000, 1440, 3 },
		{ false, 62780, 1460, 43 },
	};
	struct hvsim_netvsp_pkt_info info = { .has_lso = true };
	u8 *seg = kunit_kzalloc(test, HNT_MAXF, GFP_KERNEL);
	u32 c, i, len, l3, hlen, off, n;
	u8 *f, *ip, *th;

	KUNIT_ASSERT_NOT_NULL(test, seg);
	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		struct hnt_out *o = hnt_out(test);
		bool v6 = cases[c].v6;

		f = hnt_frame(test, v6, 6, cases[c].payload, true, &len);
		l3 = v6 ? HNT_IP6 : HNT_IP4;
		hlen = HNT_ETH + l3 + HNT_TCP;
		info.lso = LSO_V2 | (v6 ? LSO_V6 : 0) |
			   (HNT_ETH + l3) << 20 | cases[c].mss;
		KUNIT_ASSERT_EQ(test,
				hvsim_netvsp_tx_offload(f, len, &info,
							HVSIM_NETVSP_OFFLOAD_ALL,
							HNT_MAXF, seg,
							hnt_emit, o),
				cases[c].segs);
		KUNIT_ASSERT_EQ(test, o->n, cases[c].segs);
		for (i = 0, off = 0; i < o->n; i++, off += n) {
			n = min(cases[c].mss, cases[c].payload - off);
			KUNIT_EXPECT_EQ(test, o->len[i], hlen + n);
			ip = o->f[i] + HNT_ETH;
			th = ip + l3;
			if (v6) {
				KUNIT_EXPECT_EQ(test, get_unaligned_be16(ip + 4),
						HNT_TCP + n);
			} else {
				KUNIT_EXPECT_EQ(test, get_unaligned_be16(ip + 2),
						l3 + HNT_TCP + n);
				KUNIT_EXPECT_EQ(test, get_unaligned_be16(ip + 4),
						0x1000 + i);
				KUNIT_EXPECT_TRUE(test, hnt_ip4_ok(o->f[i]));
			}
			KUNIT_EXPECT_EQ(test, get_unaligned_be32(th + 4),
					0x10000000 + off);
			/* CWR on the first, PSH and FIN on the last, ACK all. */
			KUNIT_EXPECT_EQ(test, th[13],
					0x10 | (i ? 0 : 0x80) |
					(i == o->n - 1 ? 0x09 : 0));
			KUNIT_EXPECT_TRUE(test, hnt_l4_ok(o->f[i], v6,
							  HNT_ETH + l3,
							  HNT_TCP + n, 6));
			KUNIT_EXPECT_EQ(test,
					memcmp(o->f[i] + hlen, f + hlen + off, n),
					0);
			/* What the host claims on receive agrees. */
			KUNIT_EXPECT_EQ(test,
					hvsim_netvsp_rx_csum(o->f[i], o->len[i],
							     HVSIM_NETVSP_CSUM_ALL),
					HVSIM_NETVSP_RX_TCP_OK |
					(v6 ? 0 : HVSIM_NETVSP_RX_IP_OK));
		}
		KUNIT_EXPECT_EQ(test, off, cases[c].payload);
	}
}

static void hvsim_netvsp_csum_fill(struct kunit *test)
{
	static const struct {
		bool v6;
		u8 proto;
		u32 bits;
	} cases[] = {
		{ false, 6, BIT(0) | BIT(2) },
		{ false, 17, BIT(0) | BIT(3) },
		{ false, 6, BIT(0) | BIT(2) | BIT(4) },
		{ true, 6, BIT(1) | BIT(2) },
		{ true, 17, BIT(1) | BIT(3) },
	};
	struct hvsim_netvsp_pkt_info info = { .has_csum = true };
	u32 c, len, l3;
	u8 *f;

	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		struct hnt_out *o = hnt_out(test);
		bool v6 = cases[c].v6;

		l3 = v6 ? HNT_IP6 : HNT_IP4;
		f = hnt_frame(test, v6, cases[c].proto, 333, false, &len);
		info.csum = cases[c].bits | (HNT_ETH + l3) << 16;
		KUNIT_ASSERT_EQ(test,
				hvsim_netvsp_tx_offload(f, len, &info,
							HVSIM_NETVSP_OFFLOAD_ALL,
							HNT_MAXF, NULL,
							hnt_emit, o), 1);
		KUNIT_ASSERT_EQ(test, o->n, 1);
		KUNIT_EXPECT_EQ(test, o->len[0], len);
		KUNIT_EXPECT_TRUE(test,
				  hnt_l4_ok(o->f[0], v6, HNT_ETH + l3,
					    len - HNT_ETH - l3,
					    cases[c].proto));
		/* The IPv4 header checksum only when asked. */
		if (!v6)
			KUNIT_EXPECT_EQ(test, hnt_ip4_ok(o->f[0]),
					!!(cases[c].bits & BIT(4)));
	}
}

static void hvsim_netvsp_plain_send(struct kunit *test)
{
	struct hvsim_netvsp_pkt_info info = {};
	struct hnt_out *o = hnt_out(test);
	u32 len;
	u8 *f = hnt_frame(test, false, 6, 100, false, &len);

	/* No offload: the frame as it is, checksums untouched. */
	KUNIT_ASSERT_EQ(test, hvsim_netvsp_tx_offload(f, len, &info, 0,
						      HNT_MAXF, NULL,
						      hnt_emit, o), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(o->f[0] + 34 + 16), 0xbeef);
	/* An emit error comes back. */
	o->fail_at = 1;
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_tx_offload(f, len, &info, 0,
						      HNT_MAXF, NULL,
						      hnt_emit, o), -ENOSPC);
}

/* One refused offload each: the frame, its info, what is on, the error. */
struct hnt_off_bad {
	const char *name;
	bool v6, lso;
	u8 proto;
	u32 payload;
	u32 val;
	u32 enabled;
	u32 poke_off;	/* a frame byte to set (0: none) */
	u8 poke;
	int err;
};

#define HNT_LSO4(mss)	(LSO_V2 | 34 << 20 | (mss))
#define HNT_LSO6(mss)	(LSO_V2 | LSO_V6 | 54 << 20 | (mss))
#define HNT_CS4T	(BIT(0) | BIT(2) | 34 << 16)
#define HNT_ALL		HVSIM_NETVSP_OFFLOAD_ALL

static const struct hnt_off_bad hnt_off_bad_cases[] = {
	{ "LSO off for IPv4", false, true, 6, 3000, HNT_LSO4(1000),
	  HNT_ALL & ~HVSIM_NETVSP_LSO4, 0, 0, -EOPNOTSUPP },
	{ "LSO off for IPv6", true, true, 6, 3000, HNT_LSO6(1000),
	  HNT_ALL & ~HVSIM_NETVSP_LSO6, 0, 0, -EOPNOTSUPP },
	{ "LSOv1", false, true, 6, 3000, 34 << 20 | 1000, HNT_ALL, 0, 0,
	  -EOPNOTSUPP },
	{ "MSS 0", false, true, 6, 3000, HNT_LSO4(0), HNT_ALL, 0, 0, -EINVAL },
	{ "LSO of UDP", false, true, 17, 3000, HNT_LSO4(1000), HNT_ALL, 0, 0,
	  -EPROTO },
	{ "LSO TCP offset off the IP header", false, true, 6, 3000,
	  LSO_V2 | 38 << 20 | 1000, HNT_ALL, 0, 0, -EPROTO },
	{ "LSO IPv6 info on IPv4", false, true, 6, 3000, HNT_LSO6(1000),
	  HNT_ALL, 0, 0, -EPROTO },
	{ "LSO of a fragment", false, true, 6, 3000, HNT_LSO4(1000), HNT_ALL,
	  14 + 6, 0x20, -EPROTO },
	{ "LSO TCP header past the frame", false, true, 6, 30,
	  HNT_LSO4(1000), HNT_ALL, 34 + 12, 0xf0, -EPROTO },
	{ "LSO TCP header length below 20", false, true, 6, 3000,
	  HNT_LSO4(1000), HNT_ALL, 34 + 12, 0x40, -EPROTO },
	{ "LSO without payload", false, true, 6, 0, HNT_LSO4(1000), HNT_ALL,
	  0, 0, -EPROTO },
	{ "LSO IPv4 header length below 20", false, true, 6, 3000,
	  HNT_LSO4(1000), HNT_ALL, 14, 0x44, -EPROTO },
	{ "LSO not IP", false, true, 6, 3000, HNT_LSO4(1000), HNT_ALL, 12,
	  0x86, -EPROTO },
	{ "LSO segments past the port", false, true, 6, 3000,
	  HNT_LSO4(1461), HNT_ALL, 0, 0, -EMSGSIZE },
	{ "LSO past 62780 bytes", false, true, 6, 62781, HNT_LSO4(1460),
	  HNT_ALL, 0, 0, -EMSGSIZE },
	{ "checksum IPv4 and IPv6", false, false, 6, 100, HNT_CS4T | BIT(1),
	  HNT_ALL, 0, 0, -EINVAL },
	{ "checksum of neither IP version", false, false, 6, 100, BIT(2),
	  HNT_ALL, 0, 0, -EINVAL },
	{ "checksum TCP and UDP", false, false, 6, 100, HNT_CS4T | BIT(3),
	  HNT_ALL, 0, 0, -EINVAL },
	{ "IPv6 header checksum", true, false, 6, 100,
	  BIT(1) | BIT(4), HNT_ALL, 0, 0, -EINVAL },
	{ "TCP4 checksum off", false, false, 6, 100, HNT_CS4T,
	  HNT_ALL & ~HVSIM_NETVSP_CSUM_TCP4, 0, 0, -EOPNOTSUPP },
	{ "UDP6 checksum off", true, false, 17, 100,
	  BIT(1) | BIT(3) | 54 << 16, HNT_ALL & ~HVSIM_NETVSP_CSUM_UDP6, 0, 0,
	  -EOPNOTSUPP },
	{ "IP header checksum off", false, false, 6, 100, BIT(0) | BIT(4),
	  HNT_ALL & ~HVSIM_NETVSP_CSUM_IP4, 0, 0, -EOPNOTSUPP },
	{ "checksum TCP info on UDP", false, false, 17, 100, HNT_CS4T, HNT_ALL,
	  0, 0, -EPROTO },
	{ "checksum offset inside the IP header", false, false, 6, 100,
	  BIT(0) | BIT(2) | 30 << 16, HNT_ALL, 0, 0, -EPROTO },
	{ "checksum offset past the packet", false, false, 6, 100,
	  BIT(0) | BIT(2) | 1000 << 16, HNT_ALL, 0, 0, -EPROTO },
	{ "checksum IP length past the frame", false, false, 6, 100, HNT_CS4T,
	  HNT_ALL, 14 + 2, 0x10, -EPROTO },
	{ "checksum IP length below its header", false, false, 6, 100,
	  HNT_CS4T, HNT_ALL, 14 + 3, 0x10, -EPROTO },
	{ "checksum IPv6 length past the frame", true, false, 6, 100,
	  BIT(1) | BIT(2) | 54 << 16, HNT_ALL, 14 + 4, 0x10, -EPROTO },
	{ "checksum IP version 6 in an IPv4 frame", false, false, 6, 100,
	  HNT_CS4T, HNT_ALL, 14, 0x65, -EPROTO },
};

static void hnt_off_bad_desc(const struct hnt_off_bad *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hnt_off_bad, hnt_off_bad_cases, hnt_off_bad_desc);

static void hvsim_netvsp_offload_refused(struct kunit *test)
{
	const struct hnt_off_bad *c = test->param_value;
	struct hvsim_netvsp_pkt_info info = {
		.has_lso = c->lso,
		.lso = c->val,
		.has_csum = !c->lso,
		.csum = c->val,
	};
	u8 *seg = kunit_kzalloc(test, HNT_MAXF, GFP_KERNEL);
	struct hnt_out *o = hnt_out(test);
	u32 len;
	u8 *f = hnt_frame(test, c->v6, c->proto, c->payload, c->lso, &len);

	KUNIT_ASSERT_NOT_NULL(test, seg);
	if (c->poke_off)
		f[c->poke_off] = c->poke;
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_tx_offload(f, len, &info,
						      c->enabled, HNT_MAXF,
						      seg, hnt_emit, o),
			c->err);
	KUNIT_EXPECT_EQ(test, o->n, 0);
}

static void hvsim_netvsp_rx_checks(struct kunit *test)
{
	struct hvsim_netvsp_pkt_info info = { .has_csum = true };
	struct hnt_out *o = hnt_out(test);
	u32 len, all = HVSIM_NETVSP_CSUM_ALL;
	u8 *f, *pad;

	/* A good TCP/IPv4 frame (its checksums filled by the host). */
	f = hnt_frame(test, false, 6, 200, false, &len);
	info.csum = HNT_CS4T | BIT(4);
	KUNIT_ASSERT_EQ(test, hvsim_netvsp_tx_offload(f, len, &info,
						      HNT_ALL, HNT_MAXF, NULL,
						      hnt_emit, o), 1);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all),
			HVSIM_NETVSP_RX_IP_OK | HVSIM_NETVSP_RX_TCP_OK);
	/* Only what the guest has on is checked. */
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len,
						   HVSIM_NETVSP_CSUM_TCP4),
			HVSIM_NETVSP_RX_TCP_OK);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, 0), 0);
	/* Ethernet padding after the IP packet is not summed. */
	pad = kunit_kzalloc(test, len + 10, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pad);
	memcpy(pad, f, len);
	memset(pad + len, 0xff, 10);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(pad, len + 10, all),
			HVSIM_NETVSP_RX_IP_OK | HVSIM_NETVSP_RX_TCP_OK);
	/* A payload byte changed: TCP failed, IP still good. */
	f[len - 1] ^= 1;
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all),
			HVSIM_NETVSP_RX_IP_OK | HVSIM_NETVSP_RX_TCP_FAILED);
	/* An IP header byte changed: IP failed, nothing more claimed. */
	f[14 + 8] ^= 1;
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all),
			HVSIM_NETVSP_RX_IP_FAILED);

	/* UDP over IPv4 without a checksum (0): not claimed. */
	f = hnt_frame(test, false, 17, 50, false, &len);
	info.csum = BIT(0) | BIT(3) | BIT(4) | 34 << 16;
	KUNIT_ASSERT_EQ(test, hvsim_netvsp_tx_offload(f, len, &info,
						      HNT_ALL, HNT_MAXF, NULL,
						      hnt_emit, o), 1);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all),
			HVSIM_NETVSP_RX_IP_OK | HVSIM_NETVSP_RX_UDP_OK);
	put_unaligned_be16(0, f + 34 + 6);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all),
			HVSIM_NETVSP_RX_IP_OK);

	/* UDP over IPv6, good and bad. */
	f = hnt_frame(test, true, 17, 50, false, &len);
	info.csum = BIT(1) | BIT(3) | 54 << 16;
	KUNIT_ASSERT_EQ(test, hvsim_netvsp_tx_offload(f, len, &info,
						      HNT_ALL, HNT_MAXF, NULL,
						      hnt_emit, o), 1);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all),
			HVSIM_NETVSP_RX_UDP_OK);
	f[22] ^= 0x80;		/* the source address */
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all),
			HVSIM_NETVSP_RX_UDP_FAILED);

	/* Not IP (ARP), or an IPv4 fragment's transport: nothing claimed. */
	put_unaligned_be16(0x0806, f + 12);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all), 0);
	f = hnt_frame(test, false, 6, 200, false, &len);
	put_unaligned_be16(0x2000, f + 14 + 6);		/* MF */
	info.csum = HNT_CS4T | BIT(4);
	KUNIT_ASSERT_EQ(test, hvsim_netvsp_tx_offload(f, len, &info,
						      HNT_ALL, HNT_MAXF, NULL,
						      hnt_emit, o), 1);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, len, all),
			HVSIM_NETVSP_RX_IP_OK);
	/* A frame cut inside its IP header. */
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rx_csum(f, 30, all), 0);
}

/*
 * RSS: Microsoft's verification vectors for the Toeplitz hash with the
 * default key (the one hv_netvsc sets), IPv4 alone and IPv4 with TCP,
 * through what the host hashes of a frame (hvsim_netvsp_rss_input()):
 * the value a delivered frame's hash info carries.
 */
struct hnt_rss {
	u8 src[4];
	u8 dst[4];
	u16 sport;
	u16 dport;
	u32 ipv4;
	u32 tcp;
};

static const struct hnt_rss hnt_rss_vectors[] = {
	{ { 66, 9, 149, 187 }, { 161, 142, 100, 80 }, 2794, 1766,
	  0x323e8fc2, 0x51ccc178 },
	{ { 199, 92, 111, 2 }, { 65, 69, 140, 83 }, 14230, 4739,
	  0xd718262a, 0xc626b0ea },
	{ { 24, 19, 198, 95 }, { 12, 22, 207, 184 }, 12898, 38024,
	  0xd2d0a5de, 0x5c2b394a },
	{ { 38, 27, 205, 30 }, { 209, 142, 163, 6 }, 48228, 2217,
	  0x82989176, 0xafc7327f },
	{ { 153, 39, 163, 191 }, { 202, 188, 127, 2 }, 44251, 1303,
	  0x5d1809c5, 0x10e828a2 },
};

static const u8 hnt_rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void hnt_rss_desc(const struct hnt_rss *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%pI4:%u to %pI4:%u", v->src,
		 v->sport, v->dst, v->dport);
}

KUNIT_ARRAY_PARAM(hnt_rss, hnt_rss_vectors, hnt_rss_desc);

static void hvsim_netvsp_rss_hash(struct kunit *test)
{
	const struct hnt_rss *v = test->param_value;
	u8 f[HNT_FRAME] = {}, in[12];
	u8 *ip = f + 14;

	put_unaligned_be16(0x0800, f + 12);
	ip[0] = 0x45;
	put_unaligned_be16(HNT_FRAME - 14, ip + 2);
	ip[8] = 64;
	ip[9] = 6;				/* TCP */
	memcpy(ip + 12, v->src, 4);
	memcpy(ip + 16, v->dst, 4);
	put_unaligned_be16(v->sport, ip + 20);
	put_unaligned_be16(v->dport, ip + 22);
	KUNIT_ASSERT_EQ(test, hvsim_netvsp_rss_input(f, sizeof(f), in), 12);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_toeplitz(hnt_rss_key, in, 12),
			v->tcp);

	/* UDP, or a TCP fragment past the first: the addresses alone. */
	ip[9] = 17;
	KUNIT_ASSERT_EQ(test, hvsim_netvsp_rss_input(f, sizeof(f), in), 8);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_toeplitz(hnt_rss_key, in, 8),
			v->ipv4);
	ip[9] = 6;
	put_unaligned_be16(185, ip + 6);	/* fragment offset */
	KUNIT_ASSERT_EQ(test, hvsim_netvsp_rss_input(f, sizeof(f), in), 8);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_toeplitz(hnt_rss_key, in, 8),
			v->ipv4);

	/* Not IPv4, or cut inside the IP header: not hashed. */
	put_unaligned_be16(0x86dd, f + 12);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rss_input(f, sizeof(f), in), 0);
	put_unaligned_be16(0x0800, f + 12);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_rss_input(f, 14 + 19, in), 0);
}

static struct kunit_case hvsim_net_cases[] = {
	KUNIT_CASE(hvsim_netvsp_parse_packet_plain),
	KUNIT_CASE(hvsim_netvsp_parse_packet_vlan),
	KUNIT_CASE(hvsim_netvsp_parse_packet_other_ppis),
	KUNIT_CASE_PARAM(hvsim_netvsp_parse_packet_malformed,
			 hnt_bad_gen_params),
	KUNIT_CASE(hvsim_netvsp_lso_segments),
	KUNIT_CASE(hvsim_netvsp_csum_fill),
	KUNIT_CASE(hvsim_netvsp_plain_send),
	KUNIT_CASE_PARAM(hvsim_netvsp_offload_refused,
			 hnt_off_bad_gen_params),
	KUNIT_CASE(hvsim_netvsp_rx_checks),
	KUNIT_CASE_PARAM(hvsim_netvsp_rss_hash, hnt_rss_gen_params),
	{}
};

static struct kunit_suite hvsim_net_suite = {
	.name = "hvsim_net",
	.test_cases = hvsim_net_cases,
};
kunit_test_suite(hvsim_net_suite);

MODULE_LICENSE("GPL");
