// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hv_vmbus's channel API, the parts that need no host.
 *
 * GPADL messages: hvb_gpadl_nr_msgs() and hvb_gpadl_msg() for page counts
 * that fit in the header, need one, two or many bodies, and the largest
 * count a u16 range_buflen can describe; every field of every message is
 * checked and the PFNs of all messages, put back together, must be the
 * input in order.
 *
 * Request IDs: hvb_rqstor_alloc() on a channel the test allocates, then
 * vmbus_next_request_id() and vmbus_request_addr*() as a driver and a
 * hostile host would call them, and a long random sequence checked against
 * a model of the requestor.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/hyperv.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "../vmbus/hvb.h"

/* ------------------------------------------------------------------------
 * GPADL messages.
 */

/* PFNs in a GPADL_HEADER and in a GPADL_BODY with a 240-byte payload. */
#define VCT_HDR_PFNS	26
#define VCT_BODY_PFNS	28
/* Where the PFNs start: after the header and its one range, or the body. */
#define VCT_HDR_PFN_OFF	(sizeof(struct vmbus_channel_gpadl_header) + \
			 sizeof(struct gpa_range))
#define VCT_BODY_PFN_OFF offsetof(struct vmbus_channel_gpadl_body, pfn)
/* The most pages a u16 range_buflen covers: (65535 - 8) / 8. */
#define VCT_MAX_PFNS	8190

#define VCT_RELID	17
#define VCT_GPADL	0xe1e10000

static_assert(VCT_HDR_PFN_OFF == 28);
static_assert(VCT_BODY_PFN_OFF == 16);
static_assert(VCT_HDR_PFN_OFF + VCT_HDR_PFNS * 8 <= HV_MESSAGE_PAYLOAD_BYTE_COUNT);
static_assert(VCT_BODY_PFN_OFF + VCT_BODY_PFNS * 8 ==
	      HV_MESSAGE_PAYLOAD_BYTE_COUNT);

/* PFNs no two of which are equal, none 0, high bits set too. */
static u64 *vct_pfns(struct kunit *test, u32 n)
{
	u64 *pfns = kunit_kmalloc_array(test, n, sizeof(u64), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, pfns);
	for (i = 0; i < n; i++)
		pfns[i] = 0x000fedc000000000ULL + (u64)i * 0x10001 + 1;
	return pfns;
}

struct vct_gpadl_case {
	u32 pfn_count;
	u32 nr_msgs;
};

static const struct vct_gpadl_case vct_gpadl_cases[] = {
	/* The header alone. */
	{ 1, 1 },
	{ 25, 1 },
	{ 26, 1 },
	/* One body: 26 + 28 = 54. */
	{ 27, 2 },
	{ 54, 2 },
	/* Two bodies: 54 + 28 = 82. */
	{ 55, 3 },
	{ 82, 3 },
	{ 83, 4 },
	/* Many: 26 + 35 * 28 = 1006 >= 1000; 26 + 292 * 28 = 8202. */
	{ 1000, 36 },
	{ 1006, 36 },
	{ 1007, 37 },
	{ 8189, 293 },
	/* The largest count range_buflen can describe. */
	{ VCT_MAX_PFNS, 293 },
};

static void vct_gpadl_case_desc(const struct vct_gpadl_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u pages", c->pfn_count);
}

KUNIT_ARRAY_PARAM(vct_gpadl, vct_gpadl_cases, vct_gpadl_case_desc);

static void hvb_gpadl_nr_msgs_pages(struct kunit *test)
{
	const struct vct_gpadl_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hvb_gpadl_nr_msgs(c->pfn_count), c->nr_msgs);
}

static void hvb_gpadl_msg_pages(struct kunit *test)
{
	const struct vct_gpadl_case *c = test->param_value;
	const struct vmbus_channel_gpadl_header *hdr;
	const struct vmbus_channel_gpadl_body *body;
	u64 buf[HV_MESSAGE_PAYLOAD_BYTE_COUNT / sizeof(u64)];
	u32 idx, len, n, got = 0;
	u64 *pfns, *out;

	pfns = vct_pfns(test, c->pfn_count);
	out = kunit_kcalloc(test, c->pfn_count, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	hdr = (const void *)buf;
	body = (const void *)buf;

	for (idx = 0; idx < c->nr_msgs; idx++) {
		/* Stale bytes must not survive into the message. */
		memset(buf, 0xa5, sizeof(buf));
		len = hvb_gpadl_msg(buf, idx, VCT_RELID, VCT_GPADL, pfns,
				    c->pfn_count);
		if (!idx) {
			n = min(c->pfn_count, VCT_HDR_PFNS);
			KUNIT_ASSERT_EQ_MSG(test, len, VCT_HDR_PFN_OFF + n * 8,
					    "header");
			KUNIT_EXPECT_EQ(test, hdr->header.msgtype,
					CHANNELMSG_GPADL_HEADER);
			KUNIT_EXPECT_EQ(test, hdr->header.padding, 0);
			KUNIT_EXPECT_EQ(test, hdr->child_relid, VCT_RELID);
			KUNIT_EXPECT_EQ(test, hdr->gpadl, VCT_GPADL);
			KUNIT_EXPECT_EQ(test, hdr->range_buflen,
					sizeof(struct gpa_range) +
					c->pfn_count * sizeof(u64));
			KUNIT_EXPECT_EQ(test, hdr->rangecount, 1);
			KUNIT_EXPECT_EQ(test, hdr->range[0].byte_count,
					c->pfn_count * HV_HYP_PAGE_SIZE);
			KUNIT_EXPECT_EQ(test, hdr->range[0].byte_offset, 0);
			memcpy(out + got, (u8 *)buf + VCT_HDR_PFN_OFF, n * 8);
		} else {
			n = min(c->pfn_count - got, VCT_BODY_PFNS);
			KUNIT_ASSERT_EQ_MSG(test, len, VCT_BODY_PFN_OFF + n * 8,
					    "body %u", idx);
			KUNIT_EXPECT_EQ_MSG(test, body->header.msgtype,
					    CHANNELMSG_GPADL_BODY, "body %u",
					    idx);
			KUNIT_EXPECT_EQ(test, body->header.padding, 0);
			KUNIT_EXPECT_EQ_MSG(test, body->msgnumber, idx,
					    "body %u", idx);
			KUNIT_EXPECT_EQ_MSG(test, body->gpadl, VCT_GPADL,
					    "body %u", idx);
			memcpy(out + got, (u8 *)buf + VCT_BODY_PFN_OFF, n * 8);
		}
		/* Every message but the last is full. */
		if (idx + 1 < c->nr_msgs)
			KUNIT_EXPECT_EQ_MSG(test, n,
					    idx ? VCT_BODY_PFNS : VCT_HDR_PFNS,
					    "message %u", idx);
		KUNIT_EXPECT_LE(test, len, HV_MESSAGE_PAYLOAD_BYTE_COUNT);
		/* What follows the message is zeroed. */
		KUNIT_EXPECT_TRUE_MSG(test,
				      !memchr_inv((u8 *)buf + len, 0,
						  sizeof(buf) - len),
				      "message %u", idx);
		got += n;
		KUNIT_ASSERT_LE(test, got, c->pfn_count);
	}
	KUNIT_EXPECT_EQ(test, got, c->pfn_count);
	KUNIT_EXPECT_MEMEQ(test, out, pfns, c->pfn_count * sizeof(u64));

	/* Past the last message there is none, and buf is left alone. */
	memset(buf, 0xa5, sizeof(buf));
	KUNIT_EXPECT_EQ(test, hvb_gpadl_msg(buf, c->nr_msgs, VCT_RELID,
					    VCT_GPADL, pfns, c->pfn_count), 0);
	KUNIT_EXPECT_EQ(test, hvb_gpadl_msg(buf, c->nr_msgs + 1, VCT_RELID,
					    VCT_GPADL, pfns, c->pfn_count), 0);
	KUNIT_EXPECT_EQ(test, hvb_gpadl_msg(buf, U32_MAX, VCT_RELID,
					    VCT_GPADL, pfns, c->pfn_count), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0xa5, sizeof(buf)));
}

/* Counts no message can describe: nothing is built, for any index. */
static void hvb_gpadl_msg_undescribable(struct kunit *test)
{
	static const u32 counts[] = { 0, VCT_MAX_PFNS + 1, VCT_MAX_PFNS + 2,
				      0x10000, 0xfffffff };
	u64 buf[HV_MESSAGE_PAYLOAD_BYTE_COUNT / sizeof(u64)];
	u64 *pfns = vct_pfns(test, VCT_HDR_PFNS + VCT_BODY_PFNS);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		memset(buf, 0xa5, sizeof(buf));
		KUNIT_EXPECT_EQ_MSG(test, hvb_gpadl_msg(buf, 0, VCT_RELID,
							VCT_GPADL, pfns,
							counts[i]),
				    0, "%u pages, header", counts[i]);
		KUNIT_EXPECT_EQ_MSG(test, hvb_gpadl_msg(buf, 1, VCT_RELID,
							VCT_GPADL, pfns,
							counts[i]),
				    0, "%u pages, body 1", counts[i]);
		KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(buf, 0xa5, sizeof(buf)),
				      "%u pages", counts[i]);
	}
	/* The limit itself still works. */
	KUNIT_EXPECT_EQ(test, hvb_gpadl_msg(buf, 0, VCT_RELID, VCT_GPADL, pfns,
					    VCT_MAX_PFNS),
			VCT_HDR_PFN_OFF + VCT_HDR_PFNS * 8);
}

/*
 * Counts whose range length, 8 + 8 * count, needs more than 32 bits: no
 * more describable than 8191 pages, and as many messages as they need.
 */
static void hvb_gpadl_msg_range_len_wraps(struct kunit *test)
{
	static const struct vct_gpadl_case cases[] = {
		{ 0x1fffffff, 19173962 },	/* range length 1 << 32 */
		{ 0x20000000, 19173962 },	/* (1 << 32) + 8 */
		{ U32_MAX, 153391690 },		/* 1 << 35 */
	};
	u64 buf[HV_MESSAGE_PAYLOAD_BYTE_COUNT / sizeof(u64)];
	u64 *pfns = vct_pfns(test, VCT_HDR_PFNS + VCT_BODY_PFNS);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u32 count = cases[i].pfn_count;

		KUNIT_EXPECT_EQ_MSG(test, hvb_gpadl_nr_msgs(count),
				    cases[i].nr_msgs, "%u pages", count);
		memset(buf, 0xa5, sizeof(buf));
		KUNIT_EXPECT_EQ_MSG(test, hvb_gpadl_msg(buf, 0, VCT_RELID,
							VCT_GPADL, pfns, count),
				    0, "%u pages, header", count);
		KUNIT_EXPECT_EQ_MSG(test, hvb_gpadl_msg(buf, 1, VCT_RELID,
							VCT_GPADL, pfns, count),
				    0, "%u pages, body 1", count);
		KUNIT_EXPECT_TRUE_MSG(test, !memchr_inv(buf, 0xa5, sizeof(buf)),
				      "%u pages", count);
	}
}

/* ------------------------------------------------------------------------
 * Request IDs.
 */

static void vct_rqstor_release(void *arg)
{
	hvb_rqstor_free(arg);
}

/* A channel with a requestor of @size IDs, freed when the test ends. */
static struct vmbus_channel *vct_chan(struct kunit *test, u32 size)
{
	struct vmbus_channel *ch;

	ch = kunit_kzalloc(test, sizeof(*ch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ch);
	ch->rqstor_size = size;
	KUNIT_ASSERT_EQ(test, hvb_rqstor_alloc(ch), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   vct_rqstor_release,
							   ch));
	return ch;
}

/* The requestor's whole state, to show a refused call changed nothing. */
struct vct_snap {
	u64 next;
	u32 size;
	u64 *arr;
	unsigned long *bitmap;
};

static void vct_snap(struct kunit *test, struct vmbus_channel *ch,
		     struct vct_snap *s)
{
	const struct vmbus_requestor *r = &ch->requestor;

	size_t alen = r->size * sizeof(u64);
	size_t blen = BITS_TO_LONGS(r->size) * sizeof(long);

	s->next = r->next_request_id;
	s->size = r->size;
	s->arr = kunit_kmalloc(test, alen, GFP_KERNEL);
	s->bitmap = kunit_kmalloc(test, blen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->arr);
	KUNIT_ASSERT_NOT_NULL(test, s->bitmap);
	memcpy(s->arr, r->req_arr, alen);
	memcpy(s->bitmap, r->req_bitmap, blen);
}

static void vct_expect_same(struct kunit *test, struct vmbus_channel *ch,
			    const struct vct_snap *s, const char *what)
{
	const struct vmbus_requestor *r = &ch->requestor;

	KUNIT_EXPECT_EQ_MSG(test, r->next_request_id, s->next, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, r->size, s->size, "%s", what);
	KUNIT_EXPECT_MEMEQ_MSG(test, r->req_arr, s->arr,
			       s->size * sizeof(u64), "%s", what);
	KUNIT_EXPECT_TRUE_MSG(test, bitmap_equal(r->req_bitmap, s->bitmap,
						 s->size), "%s", what);
}

/* The value a test stores for an ID: never one of the special values. */
static u64 vct_val(u32 i)
{
	return 0xffff888000000000ULL + (u64)i * 64;
}

static const u32 vct_rqstor_sizes[] = { 1, 2, 7, 64, 1000 };

static void vct_size_desc(const u32 *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size %u", *size);
}

KUNIT_ARRAY_PARAM(vct_rqstor, vct_rqstor_sizes, vct_size_desc);

static void vmbus_next_request_id_until_full(struct kunit *test)
{
	u32 size = *(const u32 *)test->param_value;
	struct vmbus_channel *ch = vct_chan(test, size);
	unsigned long *seen;
	u64 id;
	u32 i;

	seen = kunit_kcalloc(test, BITS_TO_LONGS(size + 1), sizeof(long),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);

	/* Each ID of 1..size once: size IDs, all in range, none twice. */
	for (i = 0; i < size; i++) {
		id = vmbus_next_request_id(ch, vct_val(i));
		KUNIT_ASSERT_GE_MSG(test, id, 1, "take %u", i);
		KUNIT_ASSERT_LE_MSG(test, id, size, "take %u", i);
		KUNIT_ASSERT_FALSE_MSG(test, test_and_set_bit(id, seen),
				       "ID %llu twice", id);
	}
	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(ch, vct_val(size)),
			VMBUS_RQST_ERROR);
	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(ch, 0), VMBUS_RQST_ERROR);

	/* Each ID stands for the value it was taken for, once. */
	bitmap_zero(seen, size + 1);
	for (id = 1; id <= size; id++) {
		u64 val = vmbus_request_addr(ch, id);

		KUNIT_ASSERT_NE_MSG(test, val, VMBUS_RQST_ERROR, "ID %llu", id);
		KUNIT_ASSERT_EQ_MSG(test, (val - vct_val(0)) % 64, 0,
				    "ID %llu", id);
		i = (val - vct_val(0)) / 64;
		KUNIT_ASSERT_LT_MSG(test, i, size, "ID %llu", id);
		KUNIT_ASSERT_FALSE_MSG(test, test_and_set_bit(i, seen),
				       "value %u twice", i);
	}
	KUNIT_EXPECT_TRUE(test, bitmap_empty(ch->requestor.req_bitmap, size));

	/* All free again: size more IDs, then full. */
	for (i = 0; i < size; i++)
		KUNIT_EXPECT_NE(test, vmbus_next_request_id(ch, vct_val(i)),
				VMBUS_RQST_ERROR);
	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(ch, 1), VMBUS_RQST_ERROR);
}

static void vmbus_next_request_id_no_rqstor(struct kunit *test)
{
	struct vmbus_channel *ch = vct_chan(test, 0);

	KUNIT_EXPECT_NULL(test, ch->requestor.req_arr);
	KUNIT_EXPECT_NULL(test, ch->requestor.req_bitmap);
	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(ch, vct_val(0)),
			VMBUS_NO_RQSTOR);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 1), VMBUS_NO_RQSTOR);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 0), VMBUS_NO_RQSTOR);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr_match(ch, 1, vct_val(0)),
			VMBUS_NO_RQSTOR);
}

/* A requestor set up for 4 and freed (a closed channel) takes nothing. */
static void vmbus_next_request_id_after_free(struct kunit *test)
{
	struct vmbus_channel *ch = vct_chan(test, 4);

	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(ch, vct_val(0)), 1);
	hvb_rqstor_free(ch);
	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(ch, vct_val(1)),
			VMBUS_RQST_ERROR);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 1), VMBUS_RQST_ERROR);
}

/* What a host may send back; each refused without a change. */
enum vct_bad_kind {
	VCT_BAD_ZERO,		/* an unsolicited packet's ID */
	VCT_BAD_SIZE_PLUS_1,	/* one past the last ID */
	VCT_BAD_HUGE,		/* far out of range */
	VCT_BAD_MAX,		/* U64_MAX, also VMBUS_NO_RQSTOR */
	VCT_BAD_NEVER_ISSUED,	/* in range, free */
	VCT_BAD_TWICE,		/* completed already */
};

static const struct {
	enum vct_bad_kind kind;
	const char *name;
} vct_bad_cases[] = {
	{ VCT_BAD_ZERO, "ID 0" },
	{ VCT_BAD_SIZE_PLUS_1, "ID size + 1" },
	{ VCT_BAD_HUGE, "ID 1 << 32 + 1" },
	{ VCT_BAD_MAX, "ID U64_MAX" },
	{ VCT_BAD_NEVER_ISSUED, "ID never issued" },
	{ VCT_BAD_TWICE, "ID completed twice" },
};

static void vmbus_request_addr_bad_id(struct kunit *test)
{
	const u32 size = 8;
	struct vmbus_channel *ch = vct_chan(test, size);
	struct vct_snap s;
	unsigned int i;
	u64 id, done;
	u32 k;

	/* IDs for values 0..4 in use; the one of value 2 completed. */
	for (k = 0; k < 5; k++)
		KUNIT_ASSERT_EQ(test, vmbus_next_request_id(ch, vct_val(k)),
				k + 1);
	done = 3;
	KUNIT_ASSERT_EQ(test, vmbus_request_addr(ch, done), vct_val(2));

	for (i = 0; i < ARRAY_SIZE(vct_bad_cases); i++) {
		switch (vct_bad_cases[i].kind) {
		case VCT_BAD_ZERO:
			id = 0;
			break;
		case VCT_BAD_SIZE_PLUS_1:
			id = size + 1;
			break;
		case VCT_BAD_HUGE:
			id = (1ULL << 32) + 1;
			break;
		case VCT_BAD_MAX:
			id = U64_MAX;
			break;
		case VCT_BAD_NEVER_ISSUED:
			id = size;
			break;
		case VCT_BAD_TWICE:
		default:
			id = done;
			break;
		}
		vct_snap(test, ch, &s);
		KUNIT_EXPECT_EQ_MSG(test, vmbus_request_addr(ch, id),
				    VMBUS_RQST_ERROR, "%s",
				    vct_bad_cases[i].name);
		vct_expect_same(test, ch, &s, vct_bad_cases[i].name);
		KUNIT_EXPECT_EQ_MSG(test,
				    vmbus_request_addr_match(ch, id,
							     vct_val(2)),
				    VMBUS_RQST_ERROR, "%s, match",
				    vct_bad_cases[i].name);
		vct_expect_same(test, ch, &s, vct_bad_cases[i].name);
	}

	/* The IDs in use still stand for their values. */
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 1), vct_val(0));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 2), vct_val(1));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 4), vct_val(3));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 5), vct_val(4));
	KUNIT_EXPECT_TRUE(test, bitmap_empty(ch->requestor.req_bitmap, size));
}

static void vmbus_request_addr_match_wrong_addr(struct kunit *test)
{
	struct vmbus_channel *ch = vct_chan(test, 4);
	struct vct_snap s;
	u64 id;

	id = vmbus_next_request_id(ch, vct_val(1));
	KUNIT_ASSERT_EQ(test, id, 1);
	KUNIT_ASSERT_EQ(test, vmbus_next_request_id(ch, vct_val(2)), 2);

	/* The stored value comes back, and the ID stays in use. */
	vct_snap(test, ch, &s);
	KUNIT_EXPECT_EQ(test, vmbus_request_addr_match(ch, id, vct_val(2)),
			vct_val(1));
	vct_expect_same(test, ch, &s, "wrong address");
	KUNIT_EXPECT_TRUE(test, test_bit(id - 1, ch->requestor.req_bitmap));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr_match(ch, id, 0), vct_val(1));
	vct_expect_same(test, ch, &s, "address 0");

	/* The right one frees it; then it is refused. */
	KUNIT_EXPECT_EQ(test, vmbus_request_addr_match(ch, id, vct_val(1)),
			vct_val(1));
	KUNIT_EXPECT_FALSE(test, test_bit(id - 1, ch->requestor.req_bitmap));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr_match(ch, id, vct_val(1)),
			VMBUS_RQST_ERROR);
	/* The other ID was not touched. */
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 2), vct_val(2));
}

/* The locked variant, as a driver that holds the lock calls it. */
static void __vmbus_request_addr_match_locked(struct kunit *test)
{
	struct vmbus_channel *ch = vct_chan(test, 2);
	unsigned long flags;
	u64 a, b, c;

	KUNIT_ASSERT_EQ(test, vmbus_next_request_id(ch, vct_val(5)), 1);
	lock_requestor(ch, flags);
	a = __vmbus_request_addr_match(ch, 1, vct_val(6));
	b = __vmbus_request_addr_match(ch, 1, VMBUS_RQST_ADDR_ANY);
	c = __vmbus_request_addr_match(ch, 1, VMBUS_RQST_ADDR_ANY);
	unlock_requestor(ch, flags);
	KUNIT_EXPECT_EQ(test, a, vct_val(5));
	KUNIT_EXPECT_EQ(test, b, vct_val(5));
	KUNIT_EXPECT_EQ(test, c, VMBUS_RQST_ERROR);
}

static void vmbus_next_request_id_reuses_freed(struct kunit *test)
{
	struct vmbus_channel *ch = vct_chan(test, 4);
	u64 id, a, b;
	u32 k;

	for (k = 0; k < 4; k++)
		KUNIT_ASSERT_EQ(test, vmbus_next_request_id(ch, vct_val(k)),
				k + 1);
	KUNIT_ASSERT_EQ(test, vmbus_next_request_id(ch, 0), VMBUS_RQST_ERROR);

	/* One freed: exactly that one comes back, with its new value. */
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 2), vct_val(1));
	id = vmbus_next_request_id(ch, vct_val(10));
	KUNIT_EXPECT_EQ(test, id, 2);
	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(ch, 0), VMBUS_RQST_ERROR);

	/* Two freed: both come back, in some order, then full again. */
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 1), vct_val(0));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 4), vct_val(3));
	a = vmbus_next_request_id(ch, vct_val(11));
	b = vmbus_next_request_id(ch, vct_val(12));
	KUNIT_EXPECT_EQ(test, min(a, b), 1);
	KUNIT_EXPECT_EQ(test, max(a, b), 4);
	KUNIT_EXPECT_EQ(test, vmbus_next_request_id(ch, 0), VMBUS_RQST_ERROR);

	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 2), vct_val(10));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, a), vct_val(11));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, b), vct_val(12));
	KUNIT_EXPECT_EQ(test, vmbus_request_addr(ch, 3), vct_val(2));
}

/*
 * Random takes and completions (right, wrong and any address, IDs in use,
 * free and out of range) against a model: which IDs are in use, and for
 * which value.
 */
#define VCT_STEPS	10000

static void vmbus_request_ids_random(struct kunit *test)
{
	u32 size = *(const u32 *)test->param_value;
	struct vmbus_channel *ch = vct_chan(test, size);
	struct rnd_state rnd;
	u32 step, used = 0, takes = 0, fulls = 0, i;
	u64 *model;	/* 0: free; else the value the ID stands for */
	u64 id, val, ret, want;

	model = kunit_kcalloc(test, size + 1, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, model);
	prandom_seed_state(&rnd, 0x5eed0000 + size);

	for (step = 0; step < VCT_STEPS; step++) {
		u32 op = prandom_u32_state(&rnd) % 8;

		/* A value: never 0 (the model's free) nor a special one. */
		val = vct_val(step + 1);
		/* A random ID, half the time one in use if there is one. */
		id = prandom_u32_state(&rnd) % (size + 3);
		if (used && (prandom_u32_state(&rnd) & 1)) {
			u32 k = prandom_u32_state(&rnd) % used;

			for (id = 1; id <= size; id++)
				if (model[id] && !k--)
					break;
		}

		switch (op) {
		case 0 ... 2:	/* take */
			ret = vmbus_next_request_id(ch, val);
			if (used == size) {
				KUNIT_ASSERT_EQ_MSG(test, ret, VMBUS_RQST_ERROR,
						    "step %u: take when full",
						    step);
				fulls++;
				break;
			}
			KUNIT_ASSERT_GE_MSG(test, ret, 1, "step %u", step);
			KUNIT_ASSERT_LE_MSG(test, ret, size, "step %u", step);
			KUNIT_ASSERT_EQ_MSG(test, model[ret], 0,
					    "step %u: ID %llu in use", step,
					    ret);
			model[ret] = val;
			used++;
			takes++;
			break;
		case 3 ... 4:	/* complete, any value */
			ret = vmbus_request_addr(ch, id);
			want = id && id <= size && model[id] ? model[id] :
			       VMBUS_RQST_ERROR;
			KUNIT_ASSERT_EQ_MSG(test, ret, want,
					    "step %u: complete ID %llu", step,
					    id);
			if (want != VMBUS_RQST_ERROR) {
				model[id] = 0;
				used--;
			}
			break;
		case 5 ... 6:	/* complete, the right value */
			want = id && id <= size && model[id] ? model[id] :
			       VMBUS_RQST_ERROR;
			ret = vmbus_request_addr_match(ch, id, want);
			KUNIT_ASSERT_EQ_MSG(test, ret, want,
					    "step %u: match ID %llu", step, id);
			if (want != VMBUS_RQST_ERROR) {
				model[id] = 0;
				used--;
			}
			break;
		default:	/* complete, a wrong value: nothing freed */
			want = id && id <= size && model[id] ? model[id] :
			       VMBUS_RQST_ERROR;
			ret = vmbus_request_addr_match(ch, id, val);
			KUNIT_ASSERT_EQ_MSG(test, ret, want,
					    "step %u: mismatch ID %llu", step,
					    id);
			break;
		}

		/* The bitmap is the model's set of IDs in use. */
		for (i = 1; i <= size; i++)
			KUNIT_ASSERT_EQ_MSG(test,
					    test_bit(i - 1,
						     ch->requestor.req_bitmap),
					    !!model[i], "step %u: ID %u", step,
					    i);
	}

	/* The sequence did fill and drain the requestor. */
	KUNIT_EXPECT_GT(test, takes, size);
	if (size <= 64)
		KUNIT_EXPECT_GT(test, fulls, 0);

	/* What is left in use comes back for its value, then nothing. */
	for (id = 1; id <= size; id++) {
		want = model[id] ? model[id] : VMBUS_RQST_ERROR;
		KUNIT_EXPECT_EQ_MSG(test, vmbus_request_addr(ch, id), want,
				    "ID %llu", id);
	}
	KUNIT_EXPECT_TRUE(test, bitmap_empty(ch->requestor.req_bitmap, size));
}

static const u32 vct_random_sizes[] = { 1, 3, 16, 64, 256 };

KUNIT_ARRAY_PARAM(vct_random, vct_random_sizes, vct_size_desc);

static struct kunit_case vmbus_chan_cases[] = {
	KUNIT_CASE_PARAM(hvb_gpadl_nr_msgs_pages, vct_gpadl_gen_params),
	KUNIT_CASE_PARAM(hvb_gpadl_msg_pages, vct_gpadl_gen_params),
	KUNIT_CASE(hvb_gpadl_msg_undescribable),
	KUNIT_CASE(hvb_gpadl_msg_range_len_wraps),
	KUNIT_CASE_PARAM(vmbus_next_request_id_until_full,
			 vct_rqstor_gen_params),
	KUNIT_CASE(vmbus_next_request_id_no_rqstor),
	KUNIT_CASE(vmbus_next_request_id_after_free),
	KUNIT_CASE(vmbus_request_addr_bad_id),
	KUNIT_CASE(vmbus_request_addr_match_wrong_addr),
	KUNIT_CASE(__vmbus_request_addr_match_locked),
	KUNIT_CASE(vmbus_next_request_id_reuses_freed),
	KUNIT_CASE_PARAM(vmbus_request_ids_random, vct_random_gen_params),
	{}
};

static struct kunit_suite vmbus_chan_suite = {
	.name = "vmbus_chan",
	.test_cases = vmbus_chan_cases,
};
kunit_test_suite(vmbus_chan_suite);
