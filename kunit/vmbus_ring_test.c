// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "vmbus_ring" for the hvguest VMBus ring buffer core.
 *
 * Each test allocates a real ring with alloc_pages() and plays the host by
 * accessing the same pages through their linear mapping: the "host view"
 * (struct ring_fx .hdr and .data). The host view maps the data area only
 * once, so host-side copies are split at the end of the ring by hand, which
 * makes them an independent check of the guest's double mapping.
 */

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/reciprocal_div.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uio.h>

#include "../vmbus/ring_buffer.h"

#define DESC_SIZE	((u32)sizeof(struct vmpacket_descriptor))
#define TRAILER		((u32)HVB_RING_TRAILER_SIZE)

struct ring_fx {
	struct hv_ring_buffer_info rbi;
	struct page *pages;
	unsigned int order;
	bool inited;
	/* Host view of the shared pages. */
	struct hv_ring_buffer *hdr;
	u8 *data;
	u32 dsize;
};

static void ring_fx_release(void *arg)
{
	struct ring_fx *fx = arg;

	if (fx->inited)
		hvb_ring_cleanup(&fx->rbi);
	__free_pages(fx->pages, fx->order);
}

/* Allocate the pages of a ring; the caller runs hvb_ring_init(). */
static struct ring_fx *ring_fx_alloc(struct kunit *test, u32 page_cnt)
{
	struct ring_fx *fx;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->order = get_order((size_t)page_cnt * PAGE_SIZE);
	fx->pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, fx->order);
	KUNIT_ASSERT_NOT_NULL(test, fx->pages);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, ring_fx_release, fx));

	fx->hdr = page_address(fx->pages);
	fx->data = (u8 *)fx->hdr + PAGE_SIZE;
	fx->dsize = (page_cnt - 1) * PAGE_SIZE;
	return fx;
}

static struct ring_fx *ring_fx_create(struct kunit *test, u32 page_cnt,
				      u32 max_pkt)
{
	struct ring_fx *fx = ring_fx_alloc(test, page_cnt);

	KUNIT_ASSERT_EQ(test, 0,
			hvb_ring_init(&fx->rbi, fx->pages, page_cnt, max_pkt));
	fx->inited = true;
	return fx;
}

/* Put an empty ring's shared and private positions at @off. */
static void ring_set_pos(struct ring_fx *fx, u32 off)
{
	fx->hdr->read_index = off;
	fx->hdr->write_index = off;
	fx->rbi.priv_read_index = off;
}

static u8 pattern(u32 seed, u32 i)
{
	return (u8)(seed * 131 + i * 7 + (i >> 8) * 3 + 1);
}

/* A packet of @size bytes: descriptor with the given fields, then pattern. */
static void build_pkt(void *buf, u32 size, u16 offset8, u16 len8,
		      u64 trans_id, u32 seed)
{
	struct vmpacket_descriptor desc = {
		.type = VM_PKT_DATA_INBAND,
		.offset8 = offset8,
		.len8 = len8,
		.trans_id = trans_id,
	};
	u8 *p = buf;
	u32 i;

	for (i = 0; i < size; i++)
		p[i] = pattern(seed, i);
	memcpy(buf, &desc, min(size, DESC_SIZE));
}

static void *alloc_pkt(struct kunit *test, u32 size, u32 seed)
{
	void *buf = kunit_kmalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	build_pkt(buf, size, 2, size / 8, 0x1000 + seed, seed);
	return buf;
}

/* Host copies into/out of the data area, split by hand at the end. */
static void host_copy_in(struct ring_fx *fx, u32 off, const void *src, u32 len)
{
	u32 first = min(len, fx->dsize - off);

	memcpy(fx->data + off, src, first);
	memcpy(fx->data, (const u8 *)src + first, len - first);
}

static void host_copy_out(struct ring_fx *fx, u32 off, void *dst, u32 len)
{
	u32 first = min(len, fx->dsize - off);

	memcpy(dst, fx->data + off, first);
	memcpy((u8 *)dst + first, fx->data, len - first);
}

/* Host publishes @len bytes of @pkt plus a trailer; returns start offset. */
static u32 host_put(struct ring_fx *fx, const void *pkt, u32 len)
{
	u32 wr = fx->hdr->write_index;
	u64 trailer = (u64)wr << 32;

	host_copy_in(fx, wr, pkt, len);
	host_copy_in(fx, (wr + len) % fx->dsize, &trailer, TRAILER);
	fx->hdr->write_index = (wr + len + TRAILER) % fx->dsize;
	return wr;
}

static int guest_write_kv(struct ring_fx *fx, const struct kvec *kv, u32 cnt,
			  bool *signal)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&fx->rbi.ring_lock, flags);
	ret = hvb_ring_write(&fx->rbi, kv, cnt, signal);
	spin_unlock_irqrestore(&fx->rbi.ring_lock, flags);
	return ret;
}

static int guest_write(struct ring_fx *fx, const void *pkt, u32 len,
		       bool *signal)
{
	struct kvec kv = { .iov_base = (void *)pkt, .iov_len = len };

	return guest_write_kv(fx, &kv, 1, signal);
}

/* ---- hvb_ring_init / hvb_ring_cleanup ---------------------------------- */

struct init_valid_case {
	const char *name;
	u32 page_cnt;
	u32 max_pkt;
	u32 buf_size;
};

static const struct init_valid_case init_valid_cases[] = {
	{ "1 data page, 4096", 2, 4096, 4096 },
	{ "4 data pages, 100 rounds up", 5, 100, 104 },
	{ "4 data pages, descriptor only", 5, 16, 16 },
	{ "1 data page, U32_MAX capped", 2, U32_MAX, HVB_RING_MAX_PKT_LEN },
};

KUNIT_ARRAY_PARAM_DESC(init_valid, init_valid_cases, name);

static void hvb_ring_init_valid_args(struct kunit *test)
{
	const struct init_valid_case *c = test->param_value;
	struct reciprocal_value rv;
	struct ring_fx *fx;
	u8 *mirror;
	u32 i;

	fx = ring_fx_alloc(test, c->page_cnt);
	/* Garbage left in the header must not survive initialisation. */
	memset(fx->hdr, 0xa5, PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, 0, hvb_ring_init(&fx->rbi, fx->pages,
					       c->page_cnt, c->max_pkt));
	fx->inited = true;

	KUNIT_ASSERT_NOT_NULL(test, fx->rbi.ring_buffer);
	KUNIT_EXPECT_EQ(test, fx->rbi.ring_size, c->page_cnt * (u32)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, fx->rbi.ring_datasize, fx->dsize);
	KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, 0U);
	KUNIT_EXPECT_NOT_NULL(test, fx->rbi.pkt_buffer);
	KUNIT_EXPECT_EQ(test, fx->rbi.pkt_buffer_size, c->buf_size);

	rv = reciprocal_value(fx->rbi.ring_size / 10);
	KUNIT_EXPECT_EQ(test, fx->rbi.ring_size_div10_reciprocal.m, rv.m);
	KUNIT_EXPECT_EQ(test, fx->rbi.ring_size_div10_reciprocal.sh1, rv.sh1);
	KUNIT_EXPECT_EQ(test, fx->rbi.ring_size_div10_reciprocal.sh2, rv.sh2);

	/* Header as the host sees it. */
	KUNIT_EXPECT_EQ(test, fx->hdr->write_index, 0U);
	KUNIT_EXPECT_EQ(test, fx->hdr->read_index, 0U);
	KUNIT_EXPECT_EQ(test, fx->hdr->interrupt_mask, 0U);
	KUNIT_EXPECT_EQ(test, fx->hdr->pending_send_sz, 0U);
	KUNIT_EXPECT_EQ(test, fx->hdr->feature_bits.value, 1U);

	/* The guest mapping is the host's page 0 ... */
	fx->hdr->pending_send_sz = 0x12345678;
	KUNIT_EXPECT_EQ(test, fx->rbi.ring_buffer->pending_send_sz, 0x12345678U);

	/* ... followed by the data area twice. */
	for (i = 0; i < fx->dsize; i++)
		fx->data[i] = pattern(3, i);
	mirror = fx->rbi.ring_buffer->buffer;
	KUNIT_EXPECT_MEMEQ(test, mirror, fx->data, fx->dsize);
	KUNIT_EXPECT_MEMEQ(test, mirror + fx->dsize, fx->data, fx->dsize);
	mirror[fx->dsize + 8] = 0x5a;
	KUNIT_EXPECT_EQ(test, fx->data[8], 0x5a);
}

struct init_invalid_case {
	const char *name;
	bool null_pages;
	u32 page_cnt;
	u32 max_pkt;
};

static const struct init_invalid_case init_invalid_cases[] = {
	{ "no pages", true, 2, 4096 },
	{ "page_cnt 0", false, 0, 4096 },
	{ "page_cnt 1", false, 1, 4096 },
	{ "page_cnt too large", false, HVB_RING_MAX_PAGES + 1, 4096 },
	{ "max_pkt 0", false, 2, 0 },
	{ "max_pkt 15", false, 2, 15 },
};

KUNIT_ARRAY_PARAM_DESC(init_invalid, init_invalid_cases, name);

static void hvb_ring_init_invalid_args(struct kunit *test)
{
	const struct init_invalid_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_alloc(test, 2);
	int ret;

	ret = hvb_ring_init(&fx->rbi, c->null_pages ? NULL : fx->pages,
			    c->page_cnt, c->max_pkt);
	fx->inited = true;
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	KUNIT_EXPECT_NULL(test, fx->rbi.ring_buffer);
	KUNIT_EXPECT_NULL(test, fx->rbi.pkt_buffer);
	KUNIT_EXPECT_EQ(test, fx->rbi.pkt_buffer_size, 0U);
	/* The release action runs hvb_ring_cleanup() on the failed ring. */
}

static void hvb_ring_cleanup_twice(struct kunit *test)
{
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	struct hv_ring_buffer_debug_info info;

	KUNIT_ASSERT_EQ(test, 0, hvb_ring_debuginfo(&fx->rbi, &info));

	hvb_ring_cleanup(&fx->rbi);
	KUNIT_EXPECT_NULL(test, fx->rbi.ring_buffer);
	KUNIT_EXPECT_NULL(test, fx->rbi.pkt_buffer);
	KUNIT_EXPECT_EQ(test, fx->rbi.pkt_buffer_size, 0U);
	KUNIT_EXPECT_EQ(test, hvb_ring_debuginfo(&fx->rbi, &info), -EINVAL);

	/* A second cleanup (from the release action) must be harmless. */
	hvb_ring_cleanup(&fx->rbi);
	KUNIT_EXPECT_NULL(test, fx->rbi.ring_buffer);
}

/* ---- hvb_ring_write + hvb_ring_peek round trip ------------------------- */

struct roundtrip_case {
	const char *name;
	u32 page_cnt;
	u32 payload;
	u32 nkv;
};

static const struct roundtrip_case roundtrip_cases[] = {
	{ "1 data page, 8 byte payload, 1 kvec", 2, 8, 1 },
	{ "1 data page, 1000 byte payload, 3 kvecs", 2, 1000, 3 },
	{ "4 data pages, 4096 byte payload, 2 kvecs", 5, 4096, 2 },
	{ "4 data pages, 6000 byte payload, 3 kvecs", 5, 6000, 3 },
};

KUNIT_ARRAY_PARAM_DESC(roundtrip, roundtrip_cases, name);

static void hvb_ring_write_read_roundtrip(struct kunit *test)
{
	const struct roundtrip_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, c->page_cnt, 4 * PAGE_SIZE);
	u32 len = DESC_SIZE + c->payload, total = len + TRAILER;
	struct vmpacket_descriptor *pkt;
	struct kvec kv[3];
	u32 i, k, pos, chunk;
	u64 trailer;
	bool signal;
	u8 *buf[2];
	int err;

	KUNIT_ASSERT_LE(test, c->nkv, (u32)ARRAY_SIZE(kv));
	for (i = 0; i < 2; i++) {
		buf[i] = alloc_pkt(test, len, i + 1);
		/*
		 * One kvec for the whole packet, or the descriptor followed by
		 * the payload in nkv - 1 pieces of arbitrary (unaligned) size.
		 */
		kv[0].iov_base = buf[i];
		kv[0].iov_len = c->nkv == 1 ? len : DESC_SIZE;
		pos = kv[0].iov_len;
		for (k = 1; k < c->nkv; k++) {
			chunk = k == c->nkv - 1 ? len - pos :
						  c->payload / (c->nkv - 1) + 1;
			kv[k].iov_base = buf[i] + pos;
			kv[k].iov_len = chunk;
			pos += chunk;
		}
		KUNIT_ASSERT_EQ(test, 0, guest_write_kv(fx, kv, c->nkv, &signal));
		/* Only the first packet finds the ring empty. */
		KUNIT_EXPECT_EQ(test, signal, i == 0);
		KUNIT_EXPECT_EQ(test, fx->hdr->write_index, (i + 1) * total);
	}

	/* Host view: packets back to back, each trailer = start << 32. */
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_MEMEQ(test, fx->data + i * total, buf[i], len);
		memcpy(&trailer, fx->data + i * total + len, TRAILER);
		KUNIT_EXPECT_EQ(test, trailer, (u64)(i * total) << 32);
	}

	pkt = hvb_ring_peek(&fx->rbi, &err);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_NOT_NULL(test, pkt);
		KUNIT_EXPECT_EQ(test, err, 0);
		KUNIT_EXPECT_MEMEQ(test, pkt, buf[i], len);
		pkt = hvb_ring_next(&fx->rbi, pkt, &err);
	}
	KUNIT_EXPECT_NULL(test, pkt);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, 2 * total);

	hvb_ring_commit_read(&fx->rbi);
	KUNIT_EXPECT_EQ(test, fx->hdr->read_index, 2 * total);
	KUNIT_EXPECT_TRUE(test, hvb_ring_is_empty(&fx->rbi));
}

/* ---- hvb_ring_write argument checks ------------------------------------ */

struct write_invalid_case {
	const char *name;
	u32 nkv;
	size_t len[2];
	int err;
};

static const struct write_invalid_case write_invalid_cases[] = {
	{ "no kvec", 0, { 0, 0 }, -EINVAL },
	{ "8 bytes, shorter than descriptor", 1, { 8, 0 }, -EINVAL },
	{ "20 bytes, unaligned", 1, { 20, 0 }, -EINVAL },
	{ "16 + 14 bytes, unaligned total", 2, { 16, 14 }, -EINVAL },
	{ "ring size minus trailer", 1, { PAGE_SIZE - 8, 0 }, -EMSGSIZE },
	{ "ring size", 1, { PAGE_SIZE, 0 }, -EMSGSIZE },
	{ "huge kvec", 2, { 16, SIZE_MAX - 8 }, -EMSGSIZE },
};

KUNIT_ARRAY_PARAM_DESC(write_invalid, write_invalid_cases, name);

static void hvb_ring_write_invalid_packet(struct kunit *test)
{
	const struct write_invalid_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u8 *src = alloc_pkt(test, 2 * PAGE_SIZE, 1);
	u8 *zero = kunit_kzalloc(test, fx->dsize, GFP_KERNEL);
	struct kvec kv[2];
	bool signal = true;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, zero);
	for (i = 0; i < c->nkv; i++) {
		kv[i].iov_base = src;
		kv[i].iov_len = c->len[i];
	}

	KUNIT_EXPECT_EQ(test, guest_write_kv(fx, kv, c->nkv, &signal), c->err);
	KUNIT_EXPECT_FALSE(test, signal);
	KUNIT_EXPECT_EQ(test, fx->hdr->write_index, 0U);
	KUNIT_EXPECT_MEMEQ(test, fx->data, zero, fx->dsize);
}

/* ---- wrap-around at every offset --------------------------------------- */

struct ring_size_case {
	const char *name;
	u32 page_cnt;
};

static const struct ring_size_case ring_size_cases[] = {
	{ "1 data page", 2 },
	{ "4 data pages", 5 },
};

KUNIT_ARRAY_PARAM_DESC(ring_size, ring_size_cases, name);

/*
 * For every 8-byte aligned start offset in the last data page, and for a
 * small and a maximal packet, the guest writes a packet there into an
 * empty ring and reads it back.
 */
static void hvb_ring_write_wrap_every_offset(struct kunit *test)
{
	const struct ring_size_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, c->page_cnt, 4 * PAGE_SIZE);
	u32 dsize = fx->dsize, crossed = 0, off, s;
	struct vmpacket_descriptor *pkt;
	u8 *exp, *got;
	bool signal;
	int err;

	exp = kunit_kmalloc(test, dsize, GFP_KERNEL);
	got = kunit_kmalloc(test, dsize, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, exp);
	KUNIT_ASSERT_NOT_NULL(test, got);

	for (s = 0; s < 2; s++) {
		u32 len = s ? dsize - DESC_SIZE : 24;
		u32 total = len + TRAILER;

		for (off = dsize - PAGE_SIZE; off < dsize; off += 8) {
			u32 end = (off + total) % dsize;
			u64 trailer = (u64)off << 32;

			build_pkt(exp, len, 2, len / 8, off, off + s);
			memcpy(exp + len, &trailer, TRAILER);
			ring_set_pos(fx, off);

			err = guest_write(fx, exp, len, &signal);
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "off %u len %u",
					    off, len);
			KUNIT_ASSERT_TRUE_MSG(test, signal, "off %u", off);
			KUNIT_ASSERT_EQ_MSG(test, fx->hdr->write_index, end,
					    "off %u len %u", off, len);

			/* What the host sees, split by hand at the end. */
			host_copy_out(fx, off, got, total);
			KUNIT_ASSERT_MEMEQ_MSG(test, got, exp, total,
					       "off %u len %u", off, len);

			/*
			 * The guest did one linear copy: what it wrote past
			 * the end through the second mapping must be at the
			 * start of the data area.
			 */
			if (off + total > dsize) {
				u32 tail = off + total - dsize;

				crossed++;
				KUNIT_ASSERT_MEMEQ_MSG(test, fx->data,
						       exp + (dsize - off),
						       tail, "off %u len %u",
						       off, len);
				KUNIT_ASSERT_MEMEQ_MSG(test,
						       fx->rbi.ring_buffer->buffer + dsize,
						       fx->data, tail,
						       "off %u len %u", off,
						       len);
			}

			pkt = hvb_ring_peek(&fx->rbi, &err);
			KUNIT_ASSERT_NOT_NULL_MSG(test, pkt, "off %u err %d",
						  off, err);
			KUNIT_ASSERT_MEMEQ_MSG(test, pkt, exp, len,
					       "off %u len %u", off, len);
			pkt = hvb_ring_next(&fx->rbi, pkt, &err);
			KUNIT_ASSERT_NULL_MSG(test, pkt, "off %u", off);
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "off %u", off);
			hvb_ring_commit_read(&fx->rbi);
			KUNIT_ASSERT_EQ_MSG(test, fx->hdr->read_index, end,
					    "off %u len %u", off, len);
		}
	}

	/* Small packets cross at the last 3 offsets, big ones at all > 8. */
	KUNIT_EXPECT_EQ(test, crossed,
			3 + (PAGE_SIZE / 8) - (dsize == PAGE_SIZE ? 2 : 0));
}

/* Same, with the host writing and the guest reading. */
static void hvb_ring_peek_wrap_every_offset(struct kunit *test)
{
	const struct ring_size_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, c->page_cnt, 4 * PAGE_SIZE);
	u32 dsize = fx->dsize, off, s;
	struct vmpacket_descriptor *pkt;
	u8 *exp;
	int err;

	exp = kunit_kmalloc(test, dsize, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, exp);

	for (s = 0; s < 2; s++) {
		u32 len = s ? dsize - DESC_SIZE : 24;
		u32 end;

		for (off = dsize - PAGE_SIZE; off < dsize; off += 8) {
			end = (off + len + TRAILER) % dsize;
			build_pkt(exp, len, 2, len / 8, off, off + 7 * s);
			ring_set_pos(fx, off);
			host_put(fx, exp, len);

			pkt = hvb_ring_peek(&fx->rbi, &err);
			KUNIT_ASSERT_NOT_NULL_MSG(test, pkt, "off %u err %d",
						  off, err);
			KUNIT_ASSERT_MEMEQ_MSG(test, pkt, exp, len,
					       "off %u len %u", off, len);
			pkt = hvb_ring_next(&fx->rbi, pkt, &err);
			KUNIT_ASSERT_NULL_MSG(test, pkt, "off %u", off);
			KUNIT_ASSERT_EQ_MSG(test, err, 0, "off %u", off);
			KUNIT_ASSERT_EQ_MSG(test, fx->rbi.priv_read_index, end,
					    "off %u len %u", off, len);
			KUNIT_ASSERT_EQ_MSG(test, fx->hdr->read_index, off,
					    "off %u", off);
			hvb_ring_commit_read(&fx->rbi);
			KUNIT_ASSERT_EQ_MSG(test, fx->hdr->read_index, end,
					    "off %u len %u", off, len);
		}
	}
}

/* ---- full and empty ---------------------------------------------------- */

static void hvb_ring_write_full_ring(struct kunit *test)
{
	const struct ring_size_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, c->page_cnt, 4096);
	u32 dsize = fx->dsize, n = 0, i, bytes;
	struct vmpacket_descriptor *pkt;
	u8 *pkt64, *last, *small, *snap;
	u32 wr_before;
	bool signal;
	int err;

	pkt64 = alloc_pkt(test, 56, 1);
	small = alloc_pkt(test, 16, 2);
	snap = kunit_kmalloc(test, dsize, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, snap);

	/* Empty ring: nothing to read, and that is not an error. */
	err = -1;
	KUNIT_EXPECT_NULL(test, hvb_ring_peek(&fx->rbi, &err));
	KUNIT_EXPECT_EQ(test, err, 0);

	/* 64 bytes per packet with trailer, until the ring refuses. */
	while ((err = guest_write(fx, pkt64, 56, &signal)) == 0) {
		n++;
		KUNIT_ASSERT_LE(test, n, dsize / 64);
	}
	KUNIT_EXPECT_EQ(test, err, -EAGAIN);
	/* A packet needs strictly more free space than its size. */
	KUNIT_EXPECT_EQ(test, n, dsize / 64 - 1);
	KUNIT_ASSERT_EQ(test, 0, hvb_ring_bytes_to_write(&fx->rbi, &bytes));
	KUNIT_EXPECT_EQ(test, bytes, 64U);

	/* Filling up to the 8-byte gap is allowed ... */
	last = alloc_pkt(test, 48, 3);
	KUNIT_EXPECT_EQ(test, 0, guest_write(fx, last, 48, &signal));
	KUNIT_EXPECT_FALSE(test, signal);
	KUNIT_ASSERT_EQ(test, 0, hvb_ring_bytes_to_write(&fx->rbi, &bytes));
	KUNIT_EXPECT_EQ(test, bytes, TRAILER);
	KUNIT_ASSERT_EQ(test, 0, hvb_ring_bytes_to_read(&fx->rbi, &bytes));
	KUNIT_EXPECT_EQ(test, bytes, dsize - TRAILER);

	/* ... but not even the smallest packet fits any more. */
	memcpy(snap, fx->data, dsize);
	wr_before = fx->hdr->write_index;
	signal = true;
	KUNIT_EXPECT_EQ(test, guest_write(fx, small, 16, &signal), -EAGAIN);
	KUNIT_EXPECT_FALSE(test, signal);
	KUNIT_EXPECT_EQ(test, fx->hdr->write_index, wr_before);
	KUNIT_EXPECT_MEMEQ(test, fx->data, snap, dsize);

	/* Read everything back. */
	pkt = hvb_ring_peek(&fx->rbi, &err);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, pkt, "packet %u err %d", i, err);
		KUNIT_ASSERT_MEMEQ_MSG(test, pkt, pkt64, 56, "packet %u", i);
		pkt = hvb_ring_next(&fx->rbi, pkt, &err);
	}
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_MEMEQ(test, pkt, last, 48);
	pkt = hvb_ring_next(&fx->rbi, pkt, &err);
	KUNIT_EXPECT_NULL(test, pkt);
	KUNIT_EXPECT_EQ(test, err, 0);
	hvb_ring_commit_read(&fx->rbi);
	KUNIT_EXPECT_TRUE(test, hvb_ring_is_empty(&fx->rbi));
	KUNIT_EXPECT_NULL(test, hvb_ring_peek(&fx->rbi, &err));
	KUNIT_EXPECT_EQ(test, err, 0);
}

static void hvb_ring_write_max_packet(struct kunit *test)
{
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u32 dsize = fx->dsize, bytes;
	u8 *pkt = alloc_pkt(test, dsize, 1);
	bool signal;

	/* Packet plus trailer as large as the ring: can never fit. */
	KUNIT_EXPECT_EQ(test, guest_write(fx, pkt, dsize - TRAILER, &signal),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, fx->hdr->write_index, 0U);

	/* Largest packet that fits an empty ring leaves the 8-byte gap. */
	build_pkt(pkt, dsize - 16, 2, (dsize - 16) / 8, 1, 1);
	KUNIT_EXPECT_EQ(test, 0, guest_write(fx, pkt, dsize - 16, &signal));
	KUNIT_EXPECT_TRUE(test, signal);
	KUNIT_EXPECT_EQ(test, fx->hdr->write_index, dsize - TRAILER);
	KUNIT_ASSERT_EQ(test, 0, hvb_ring_bytes_to_write(&fx->rbi, &bytes));
	KUNIT_EXPECT_EQ(test, bytes, TRAILER);
	KUNIT_EXPECT_EQ(test, guest_write(fx, pkt, 16, &signal), -EAGAIN);
}

struct peek_short_case {
	const char *name;
	u32 published;
	bool found;
};

static const struct peek_short_case peek_short_cases[] = {
	{ "0 bytes", 0, false },
	{ "8 bytes", 8, false },
	{ "16 bytes", 16, false },
	{ "24 bytes, descriptor and trailer", 24, true },
};

KUNIT_ARRAY_PARAM_DESC(peek_short, peek_short_cases, name);

static void hvb_ring_peek_short_ring(struct kunit *test)
{
	const struct peek_short_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	struct vmpacket_descriptor *pkt;
	int err = -1;

	build_pkt(fx->data, 24, 2, 2, 7, 7);
	fx->hdr->write_index = c->published;

	pkt = hvb_ring_peek(&fx->rbi, &err);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, !!pkt, c->found);
	KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, 0U);
}

/* ---- signalling -------------------------------------------------------- */

struct write_signal_case {
	const char *name;
	u32 start;	/* ring position before the first write */
	u32 queued;	/* packets written before the one under test */
	u32 consumed;	/* how many of them the host has read */
	u32 mask;
	bool signal;
};

/* Packets are 40 bytes with trailer; PAGE_SIZE - 32 makes the first wrap. */
static const struct write_signal_case write_signal_cases[] = {
	{ "empty ring", 0, 0, 0, 0, true },
	{ "empty ring, interrupts masked", 0, 0, 0, 1, false },
	{ "one unread packet", 0, 1, 0, 0, false },
	{ "host one packet behind", 0, 2, 1, 0, false },
	{ "host caught up", 0, 2, 2, 0, true },
	{ "host caught up, interrupts masked", 0, 2, 2, 1, false },
	{ "empty ring at the end", PAGE_SIZE - 8, 0, 0, 0, true },
	{ "unread packets across the end", PAGE_SIZE - 32, 2, 0, 0, false },
	{ "host caught up across the end", PAGE_SIZE - 32, 2, 2, 0, true },
};

KUNIT_ARRAY_PARAM_DESC(write_signal, write_signal_cases, name);

static void hvb_ring_write_signal(struct kunit *test)
{
	const struct write_signal_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u8 *pkt = alloc_pkt(test, 32, 1);
	bool signal;
	u32 i;

	ring_set_pos(fx, c->start);
	for (i = 0; i < c->queued; i++) {
		KUNIT_ASSERT_EQ(test, 0, guest_write(fx, pkt, 32, &signal));
		if (i < c->consumed)
			fx->hdr->read_index = fx->hdr->write_index;
	}
	fx->hdr->interrupt_mask = c->mask;

	KUNIT_ASSERT_EQ(test, 0, guest_write(fx, pkt, 32, &signal));
	KUNIT_EXPECT_EQ(test, signal, c->signal);
}

struct commit_case {
	const char *name;
	u32 feature;
	u32 pending;
	u32 consume;	/* 64-byte packets read out of 60 */
	bool signal;
};

/* 60 packets of 64 bytes in a 4096 byte ring: 256 bytes free up front. */
static const struct commit_case commit_cases[] = {
	{ "pending_send_sz 0", 1, 0, 2, false },
	{ "feature bit clear", 0, 300, 2, false },
	{ "read crosses threshold", 1, 300, 2, true },
	{ "room before read", 1, 200, 2, false },
	{ "still not enough room", 1, 400, 2, false },
	{ "room before equals pending", 1, 256, 2, true },
	{ "room after equals pending", 1, 384, 2, false },
	{ "nothing consumed", 1, 300, 0, false },
	{ "everything consumed", 1, 4000, 60, true },
};

KUNIT_ARRAY_PARAM_DESC(commit, commit_cases, name);

static void hvb_ring_commit_read_signal(struct kunit *test)
{
	const struct commit_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u8 *src = alloc_pkt(test, 56, 1);
	struct vmpacket_descriptor *pkt;
	u32 i, bytes;
	int err;

	for (i = 0; i < 60; i++)
		host_put(fx, src, 56);
	KUNIT_ASSERT_EQ(test, 0, hvb_ring_bytes_to_write(&fx->rbi, &bytes));
	KUNIT_ASSERT_EQ(test, bytes, 256U);

	fx->hdr->feature_bits.value = c->feature;
	fx->hdr->pending_send_sz = c->pending;

	pkt = hvb_ring_peek(&fx->rbi, &err);
	for (i = 0; i < c->consume; i++) {
		KUNIT_ASSERT_NOT_NULL(test, pkt);
		pkt = hvb_ring_next(&fx->rbi, pkt, &err);
	}
	KUNIT_ASSERT_EQ(test, err, 0);

	KUNIT_EXPECT_EQ(test, hvb_ring_commit_read(&fx->rbi), c->signal);
	KUNIT_EXPECT_EQ(test, fx->hdr->read_index, c->consume * 64 % fx->dsize);
	/* A repeated commit frees nothing and never signals. */
	KUNIT_EXPECT_FALSE(test, hvb_ring_commit_read(&fx->rbi));
}

/* ---- batched read ------------------------------------------------------ */

static void hvb_ring_next_batch(struct kunit *test)
{
	static const u16 len8s[] = { 2, 5, 13, 3, 64 };
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u32 start = fx->dsize - 64, pos = start, i, bytes;
	struct vmpacket_descriptor *pkt;
	u8 *src[ARRAY_SIZE(len8s)];
	int err;

	ring_set_pos(fx, start);
	for (i = 0; i < ARRAY_SIZE(len8s); i++) {
		src[i] = kunit_kmalloc(test, len8s[i] * 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, src[i]);
		build_pkt(src[i], len8s[i] * 8, 2, len8s[i], 100 + i, i);
		host_put(fx, src[i], len8s[i] * 8);
	}

	pkt = hvb_ring_peek(&fx->rbi, &err);
	for (i = 0; i < ARRAY_SIZE(len8s); i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, pkt, "packet %u err %d", i, err);
		KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, pos);
		KUNIT_EXPECT_EQ(test, pkt->trans_id, 100ULL + i);
		KUNIT_EXPECT_MEMEQ(test, pkt, src[i], len8s[i] * 8);
		pos = (pos + len8s[i] * 8 + TRAILER) % fx->dsize;

		pkt = hvb_ring_next(&fx->rbi, pkt, &err);
		/* Nothing is handed back to the host during the batch. */
		KUNIT_EXPECT_EQ(test, fx->hdr->read_index, start);
	}
	KUNIT_EXPECT_NULL(test, pkt);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, pos);
	KUNIT_EXPECT_EQ(test, fx->hdr->write_index, pos);
	KUNIT_EXPECT_FALSE(test, hvb_ring_is_empty(&fx->rbi));

	KUNIT_EXPECT_FALSE(test, hvb_ring_commit_read(&fx->rbi));
	KUNIT_EXPECT_EQ(test, fx->hdr->read_index, pos);
	KUNIT_ASSERT_EQ(test, 0, hvb_ring_bytes_to_read(&fx->rbi, &bytes));
	KUNIT_EXPECT_EQ(test, bytes, 0U);

	/* Committing again changes nothing. */
	KUNIT_EXPECT_FALSE(test, hvb_ring_commit_read(&fx->rbi));
	KUNIT_EXPECT_EQ(test, fx->hdr->read_index, pos);
}

/* ---- malformed input from the host ------------------------------------- */

#define WR_KEEP		0	/* write_index covers the published bytes */

struct malformed_case {
	const char *name;
	u16 offset8;
	u16 len8;
	u32 published;	/* bytes the host publishes, trailer included */
	u32 max_pkt;
	u32 write_index;	/* WR_KEEP or a raw value */
	int err;
};

static const struct malformed_case malformed_cases[] = {
	{ "offset8 0", 0, 4, 40, 4096, WR_KEEP, -EBADMSG },
	{ "offset8 1", 1, 4, 40, 4096, WR_KEEP, -EBADMSG },
	{ "len8 below offset8", 4, 3, 40, 4096, WR_KEEP, -EBADMSG },
	{ "trailer not published", 2, 4, 32, 4096, WR_KEEP, -EBADMSG },
	{ "len8 beyond published", 2, 100, 40, 4096, WR_KEEP, -EBADMSG },
	{ "len8 beyond pkt_buffer", 2, 9, 80, 64, WR_KEEP, -EBADMSG },
	{ "control: len8 fills pkt_buffer", 2, 8, 72, 64, WR_KEEP, 0 },
	{ "control: offset8 equals len8", 3, 3, 32, 4096, WR_KEEP, 0 },
	{ "write_index = data size", 2, 4, 40, 4096, PAGE_SIZE, -EBADMSG },
	{ "write_index = U32_MAX", 2, 4, 40, 4096, U32_MAX, -EBADMSG },
};

KUNIT_ARRAY_PARAM_DESC(malformed, malformed_cases, name);

/*
 * A valid packet followed by the case's packet. Reaching the bad packet
 * through hvb_ring_next(), hvb_ring_peek() and hvb_ring_read() must report
 * the error and leave the read position at the bad packet.
 */
static void hvb_ring_peek_malformed(struct kunit *test)
{
	const struct malformed_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, 2, c->max_pkt);
	struct vmpacket_descriptor *pkt;
	u32 bad_pos, actual, rd;
	u8 *good, *bad, *buf;
	bool signal;
	u64 reqid;
	int err;

	good = alloc_pkt(test, 24, 1);
	bad = kunit_kmalloc(test, c->published, GFP_KERNEL);
	buf = kunit_kmalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	host_put(fx, good, 24);
	bad_pos = fx->hdr->write_index;
	build_pkt(bad, c->published, c->offset8, c->len8, 0xbad, 9);
	host_copy_in(fx, bad_pos, bad, c->published);
	fx->hdr->write_index = c->write_index == WR_KEEP ?
			       bad_pos + c->published : c->write_index;
	rd = fx->hdr->read_index;

	if (c->write_index != WR_KEEP) {
		/* Even the good packet is unreachable behind a bad index. */
		err = 0;
		KUNIT_EXPECT_NULL(test, hvb_ring_peek(&fx->rbi, &err));
		KUNIT_EXPECT_EQ(test, err, c->err);
		KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, 0U);
		KUNIT_EXPECT_EQ(test, hvb_ring_read(&fx->rbi, buf, 4096,
						    &actual, &reqid, false,
						    &signal), c->err);
		KUNIT_EXPECT_EQ(test, actual, 0U);
		KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, 0U);
		KUNIT_EXPECT_EQ(test, fx->hdr->read_index, rd);
		KUNIT_EXPECT_EQ(test, fx->hdr->write_index, c->write_index);
		return;
	}

	pkt = hvb_ring_peek(&fx->rbi, &err);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_MEMEQ(test, pkt, good, 24);

	pkt = hvb_ring_next(&fx->rbi, pkt, &err);
	KUNIT_EXPECT_EQ(test, err, c->err);
	KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, bad_pos);
	KUNIT_EXPECT_EQ(test, fx->hdr->read_index, rd);
	if (!c->err) {
		KUNIT_ASSERT_NOT_NULL(test, pkt);
		KUNIT_EXPECT_EQ(test, pkt->len8, c->len8);
		KUNIT_EXPECT_EQ(test, pkt->offset8, c->offset8);
		KUNIT_EXPECT_MEMEQ(test, pkt, bad, c->len8 * 8);
		return;
	}
	KUNIT_EXPECT_NULL(test, pkt);

	/* Sticky: looking again gives the same answer. */
	err = 0;
	KUNIT_EXPECT_NULL(test, hvb_ring_peek(&fx->rbi, &err));
	KUNIT_EXPECT_EQ(test, err, c->err);
	KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, bad_pos);

	hvb_ring_commit_read(&fx->rbi);
	KUNIT_EXPECT_EQ(test, hvb_ring_read(&fx->rbi, buf, 4096, &actual,
					    &reqid, true, &signal), c->err);
	KUNIT_EXPECT_EQ(test, actual, 0U);
	KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, bad_pos);
	KUNIT_EXPECT_EQ(test, fx->hdr->read_index, bad_pos);
	KUNIT_EXPECT_EQ(test, fx->hdr->write_index, bad_pos + c->published);
}

struct bad_index_case {
	const char *name;
	u32 read_index;
	u32 write_index;
};

static const struct bad_index_case bad_index_cases[] = {
	{ "read_index = data size", PAGE_SIZE, 0 },
	{ "read_index = U32_MAX", U32_MAX, 0 },
	{ "write_index = data size", 0, PAGE_SIZE },
	{ "write_index = data size + 8", 8, PAGE_SIZE + 8 },
};

KUNIT_ARRAY_PARAM_DESC(bad_index, bad_index_cases, name);

/* Out-of-range shared indices are errors, never offsets. */
static void hvb_ring_write_bad_index(struct kunit *test)
{
	const struct bad_index_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u8 *zero = kunit_kzalloc(test, fx->dsize, GFP_KERNEL);
	u8 *pkt = alloc_pkt(test, 32, 1);
	bool signal = true;
	u32 bytes = 1;

	KUNIT_ASSERT_NOT_NULL(test, zero);
	fx->hdr->read_index = c->read_index;
	fx->hdr->write_index = c->write_index;

	KUNIT_EXPECT_EQ(test, guest_write(fx, pkt, 32, &signal), -EBADMSG);
	KUNIT_EXPECT_FALSE(test, signal);
	KUNIT_EXPECT_EQ(test, fx->hdr->read_index, c->read_index);
	KUNIT_EXPECT_EQ(test, fx->hdr->write_index, c->write_index);
	KUNIT_EXPECT_MEMEQ(test, fx->data, zero, fx->dsize);

	KUNIT_EXPECT_EQ(test, hvb_ring_bytes_to_read(&fx->rbi, &bytes),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, bytes, 0U);
	bytes = 1;
	KUNIT_EXPECT_EQ(test, hvb_ring_bytes_to_write(&fx->rbi, &bytes),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, bytes, 0U);
	KUNIT_EXPECT_FALSE(test, hvb_ring_is_empty(&fx->rbi));
}

/* ---- host rewrites the packet after it was copied ---------------------- */

static void hvb_ring_peek_host_rewrite_after_copy(struct kunit *test)
{
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	struct vmpacket_descriptor *pkt, *shared;
	u8 *a = alloc_pkt(test, 48, 1);
	u8 *b = alloc_pkt(test, 32, 2);
	u32 a_pos, b_pos;
	int err;

	a_pos = host_put(fx, a, 48);
	b_pos = host_put(fx, b, 32);

	pkt = hvb_ring_peek(&fx->rbi, &err);
	KUNIT_ASSERT_NOT_NULL(test, pkt);

	/* The host now rewrites the packet in shared memory. */
	shared = (struct vmpacket_descriptor *)(fx->data + a_pos);
	shared->len8 = 1;
	shared->offset8 = 0;
	shared->trans_id = 0xdead;
	memset(fx->data + a_pos + DESC_SIZE, 0xff, 48 - DESC_SIZE);

	/* The copy is unaffected ... */
	KUNIT_EXPECT_EQ(test, pkt->len8, 6);
	KUNIT_EXPECT_EQ(test, pkt->offset8, 2);
	KUNIT_EXPECT_MEMEQ(test, pkt, a, 48);

	/* ... and the validated length decides where the next packet is. */
	pkt = hvb_ring_next(&fx->rbi, pkt, &err);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, b_pos);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_MEMEQ(test, pkt, b, 32);
}

/* ---- hvb_ring_read ----------------------------------------------------- */

struct read_case {
	const char *name;
	bool raw;
	bool empty;
	u32 buflen;
	int ret;
	u32 actual;
};

/* The packet: 64 bytes, offset8 3, i.e. 24 header and 40 payload bytes. */
static const struct read_case read_cases[] = {
	{ "payload", false, false, 64, 0, 40 },
	{ "payload, exact buffer", false, false, 40, 0, 40 },
	{ "payload, buffer too small", false, false, 39, -ENOBUFS, 40 },
	{ "raw", true, false, 64, 0, 64 },
	{ "raw, buffer too small", true, false, 63, -ENOBUFS, 64 },
	{ "empty ring", false, true, 64, 0, 0 },
	{ "empty ring, raw", true, true, 64, 0, 0 },
};

KUNIT_ARRAY_PARAM_DESC(read, read_cases, name);

static void hvb_ring_read_modes(struct kunit *test)
{
	const struct read_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u8 *src = kunit_kmalloc(test, 64, GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, 128, GFP_KERNEL);
	u32 actual = 1234, end;
	bool signal = true;
	u64 reqid = 1;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, src);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	build_pkt(src, 64, 3, 8, 0xabcdef0123ULL, 5);
	if (!c->empty)
		host_put(fx, src, 64);
	end = fx->hdr->write_index;

	ret = hvb_ring_read(&fx->rbi, buf, c->buflen, &actual, &reqid, c->raw,
			    &signal);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	KUNIT_EXPECT_EQ(test, actual, c->actual);
	KUNIT_EXPECT_EQ(test, reqid, c->empty ? 0 : 0xabcdef0123ULL);
	KUNIT_EXPECT_FALSE(test, signal);

	if (c->ret == -ENOBUFS) {
		/* Nothing consumed; a large enough buffer gets the packet. */
		KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, 0U);
		KUNIT_EXPECT_EQ(test, fx->hdr->read_index, 0U);
		KUNIT_EXPECT_EQ(test, 0, hvb_ring_read(&fx->rbi, buf, 128,
						       &actual, &reqid, c->raw,
						       &signal));
		KUNIT_EXPECT_EQ(test, actual, c->actual);
	}
	if (!c->empty) {
		KUNIT_EXPECT_MEMEQ(test, buf, src + (c->raw ? 0 : 24),
				   c->actual);
		KUNIT_EXPECT_EQ(test, fx->rbi.priv_read_index, end);
		KUNIT_EXPECT_EQ(test, fx->hdr->read_index, end);
	}
	KUNIT_EXPECT_TRUE(test, hvb_ring_is_empty(&fx->rbi));
}

static void hvb_ring_read_signal_waiting_host(struct kunit *test)
{
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u8 *src = alloc_pkt(test, 56, 1);
	u8 buf[64];
	bool signal;
	u32 actual;
	u64 reqid;
	u32 i;

	/* 256 bytes free; the host waits for more than 300. */
	for (i = 0; i < 60; i++)
		host_put(fx, src, 56);
	fx->hdr->pending_send_sz = 300;

	/* 320 bytes free after the first packet: the host can go on. */
	KUNIT_ASSERT_EQ(test, 0, hvb_ring_read(&fx->rbi, buf, sizeof(buf),
					       &actual, &reqid, false, &signal));
	KUNIT_EXPECT_EQ(test, actual, 40U);
	KUNIT_EXPECT_TRUE(test, signal);

	/* It was already told; more free space needs no further signal. */
	KUNIT_ASSERT_EQ(test, 0, hvb_ring_read(&fx->rbi, buf, sizeof(buf),
					       &actual, &reqid, false, &signal));
	KUNIT_EXPECT_FALSE(test, signal);
}

/* ---- debug info -------------------------------------------------------- */

struct debuginfo_case {
	const char *name;
	u32 read_index;
	u32 write_index;
	u32 mask;
	int ret;
	u32 toread;
};

static const struct debuginfo_case debuginfo_cases[] = {
	{ "empty", 0, 0, 0, 0, 0 },
	{ "128 bytes, masked", 64, 192, 1, 0, 128 },
	{ "wrapped", PAGE_SIZE - 96, 64, 0, 0, 160 },
	{ "read_index out of range", PAGE_SIZE, 0, 0, -EBADMSG, 0 },
	{ "write_index out of range", 0, U32_MAX, 1, -EBADMSG, 0 },
};

KUNIT_ARRAY_PARAM_DESC(debuginfo, debuginfo_cases, name);

static void hvb_ring_debuginfo_values(struct kunit *test)
{
	const struct debuginfo_case *c = test->param_value;
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	struct hv_ring_buffer_debug_info info;
	u32 towrite = c->ret ? 0 : fx->dsize - c->toread;
	u32 bytes;

	fx->hdr->read_index = c->read_index;
	fx->hdr->write_index = c->write_index;
	fx->hdr->interrupt_mask = c->mask;

	KUNIT_EXPECT_EQ(test, hvb_ring_debuginfo(&fx->rbi, &info), c->ret);
	KUNIT_EXPECT_EQ(test, info.current_interrupt_mask, c->mask);
	KUNIT_EXPECT_EQ(test, info.current_read_index, c->read_index);
	KUNIT_EXPECT_EQ(test, info.current_write_index, c->write_index);
	KUNIT_EXPECT_EQ(test, info.bytes_avail_toread, c->toread);
	KUNIT_EXPECT_EQ(test, info.bytes_avail_towrite, towrite);

	/* The byte-count helpers agree. */
	KUNIT_EXPECT_EQ(test, hvb_ring_bytes_to_read(&fx->rbi, &bytes), c->ret);
	KUNIT_EXPECT_EQ(test, bytes, c->toread);
	KUNIT_EXPECT_EQ(test, hvb_ring_bytes_to_write(&fx->rbi, &bytes),
			c->ret);
	KUNIT_EXPECT_EQ(test, bytes, towrite);
}

/* ---- interrupt mask ---------------------------------------------------- */

static void hvb_ring_intr_unmask_pending(struct kunit *test)
{
	struct ring_fx *fx = ring_fx_create(test, 2, 4096);
	u8 *src = alloc_pkt(test, 32, 1);
	struct vmpacket_descriptor *pkt;
	int err;

	hvb_ring_intr_mask(&fx->rbi);
	KUNIT_EXPECT_EQ(test, fx->hdr->interrupt_mask, 1U);
	KUNIT_EXPECT_FALSE(test, hvb_ring_intr_unmask(&fx->rbi));
	KUNIT_EXPECT_EQ(test, fx->hdr->interrupt_mask, 0U);

	/* Packet arrived while masked: the caller has to poll again. */
	hvb_ring_intr_mask(&fx->rbi);
	host_put(fx, src, 32);
	KUNIT_EXPECT_TRUE(test, hvb_ring_intr_unmask(&fx->rbi));

	pkt = hvb_ring_peek(&fx->rbi, &err);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_NULL(test, hvb_ring_next(&fx->rbi, pkt, &err));
	hvb_ring_commit_read(&fx->rbi);
	KUNIT_EXPECT_FALSE(test, hvb_ring_intr_unmask(&fx->rbi));

	/* A broken ring also sends the caller back to hvb_ring_peek(). */
	fx->hdr->write_index = fx->dsize;
	KUNIT_EXPECT_TRUE(test, hvb_ring_intr_unmask(&fx->rbi));
}

static struct kunit_case vmbus_ring_cases[] = {
	KUNIT_CASE_PARAM(hvb_ring_init_valid_args, init_valid_gen_params),
	KUNIT_CASE_PARAM(hvb_ring_init_invalid_args, init_invalid_gen_params),
	KUNIT_CASE(hvb_ring_cleanup_twice),
	KUNIT_CASE_PARAM(hvb_ring_write_read_roundtrip, roundtrip_gen_params),
	KUNIT_CASE_PARAM(hvb_ring_write_invalid_packet,
			 write_invalid_gen_params),
	KUNIT_CASE_PARAM(hvb_ring_write_wrap_every_offset,
			 ring_size_gen_params),
	KUNIT_CASE_PARAM(hvb_ring_peek_wrap_every_offset, ring_size_gen_params),
	KUNIT_CASE_PARAM(hvb_ring_write_full_ring, ring_size_gen_params),
	KUNIT_CASE(hvb_ring_write_max_packet),
	KUNIT_CASE_PARAM(hvb_ring_peek_short_ring, peek_short_gen_params),
	KUNIT_CASE_PARAM(hvb_ring_write_signal, write_signal_gen_params),
	KUNIT_CASE_PARAM(hvb_ring_commit_read_signal, commit_gen_params),
	KUNIT_CASE(hvb_ring_next_batch),
	KUNIT_CASE_PARAM(hvb_ring_peek_malformed, malformed_gen_params),
	KUNIT_CASE_PARAM(hvb_ring_write_bad_index, bad_index_gen_params),
	KUNIT_CASE(hvb_ring_peek_host_rewrite_after_copy),
	KUNIT_CASE_PARAM(hvb_ring_read_modes, read_gen_params),
	KUNIT_CASE(hvb_ring_read_signal_waiting_host),
	KUNIT_CASE_PARAM(hvb_ring_debuginfo_values, debuginfo_gen_params),
	KUNIT_CASE(hvb_ring_intr_unmask_pending),
	{}
};

static struct kunit_suite vmbus_ring_suite = {
	.name = "vmbus_ring",
	.test_cases = vmbus_ring_cases,
};

kunit_test_suite(vmbus_ring_suite);

MODULE_DESCRIPTION("KUnit tests for the hvguest VMBus ring buffer core");
MODULE_LICENSE("GPL");
