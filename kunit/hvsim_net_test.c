// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hvsim's netvsp, the checks of RNDIS PACKET messages from the
 * guest (hvsim_netvsp_parse_packet()).  Each case builds a message the
 * way hv_netvsc lays it out (8-byte header, 36-byte PACKET body,
 * per-packet info after the body, the frame after that) and changes one
 * field; a malformed one must be refused with -EINVAL.
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

	/* Checksum and hash infos are taken (and ignored). */
	hnt_build(&m, 2, 8, 0x1234);
	KUNIT_EXPECT_EQ(test, hnt_parse(&m, &info), 0);
	hnt_build(&m, 1, 0, 0x5);
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
	{ "large send, never offered", 1, 2, 0, 0, 0 },
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

static struct kunit_case hvsim_net_cases[] = {
	KUNIT_CASE(hvsim_netvsp_parse_packet_plain),
	KUNIT_CASE(hvsim_netvsp_parse_packet_vlan),
	KUNIT_CASE(hvsim_netvsp_parse_packet_other_ppis),
	KUNIT_CASE_PARAM(hvsim_netvsp_parse_packet_malformed,
			 hnt_bad_gen_params),
	{}
};

static struct kunit_suite hvsim_net_suite = {
	.name = "hvsim_net",
	.test_cases = hvsim_net_cases,
};
kunit_test_suite(hvsim_net_suite);

MODULE_LICENSE("GPL");
