// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hvsim's VMBus host, channels (GPADLs, open and close, the ring
 * data plane, signal accounting, MODIFYCHANNEL, sub-channels) and the
 * echo VSP, the storage VSP's protocol (suite hvsim_storvsp) and the
 * network VSP's control paths (suite hvsim_netvsp).
 *
 * Each case creates a private host whose sink records messages and
 * interrupts, and plays the guest with pages it allocates: the GPADLs
 * name their PFNs, the rings are the guest's own pages, read and written
 * here as a guest would.  No SynIC and no bus driver take part.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/hyperv.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/uuid.h>
#include <hvguest/hvcore.h>
#include <hvguest/hvsim_echo.h>
#include "../hvsim/vmbus_host.h"

#define HCT_VPS		4
#define HCT_CAPTURE	64
#define HCT_IRQS	64
#define HCT_SINT	HVCORE_VMBUS_SINT
#define HCT_FAIL	0x8000ffff

struct hct_msg {
	u32 vp;
	u32 len;
	u32 watched;		/* *watch when the message was sent */
	u8 data[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

struct hct_irq {
	u32 vp;
	u32 sint;
	u32 flag;
};

/* One open echo channel, as the guest holds it. */
struct hct_chan {
	u32 relid;
	u32 gpadl;
	struct page *pages;	/* the ring GPADL, contiguous */
	unsigned int order;
	u32 npages;
	u32 split;
	struct hv_ring_buffer *out;	/* guest-to-host */
	struct hv_ring_buffer *in;	/* host-to-guest */
	u32 out_size;
	u32 in_size;
};

struct hct {
	struct hvsim_vmbus *host;
	spinlock_t lock;
	unsigned int n, next, lost;
	struct hct_msg msgs[HCT_CAPTURE];
	unsigned int nirqs;
	struct hct_irq irqs[HCT_IRQS];
	const u32 *watch;
	struct page *spare;	/* a page whose PFN fills GPADLs */
};

static int hct_sink_post(void *ctx, u32 vp, u32 sint, const void *msg,
			 u32 len)
{
	struct hct *h = ctx;

	if (vp >= HCT_VPS)
		return -ENODEV;
	spin_lock(&h->lock);
	if (h->n == HCT_CAPTURE) {
		h->lost++;
	} else {
		h->msgs[h->n].vp = vp;
		h->msgs[h->n].len = len;
		h->msgs[h->n].watched = h->watch ? READ_ONCE(*h->watch) : 0;
		memcpy(h->msgs[h->n].data, msg, len);
		h->n++;
	}
	spin_unlock(&h->lock);
	return 0;
}

static bool hct_sink_vp_valid(void *ctx, u32 vp)
{
	return vp < HCT_VPS;
}

static int hct_sink_signal(void *ctx, u32 vp, u32 sint, u32 flag)
{
	struct hct *h = ctx;

	/* All are counted, the first HCT_IRQS recorded. */
	spin_lock(&h->lock);
	if (h->nirqs < HCT_IRQS) {
		h->irqs[h->nirqs].vp = vp;
		h->irqs[h->nirqs].sint = sint;
		h->irqs[h->nirqs].flag = flag;
	}
	h->nirqs++;
	spin_unlock(&h->lock);
	return 0;
}

static const struct hvsim_vmbus_sink hct_sink = {
	.post = hct_sink_post,
	.vp_valid = hct_sink_vp_valid,
	.signal = hct_sink_signal,
};

static int hct_init(struct kunit *test)
{
	struct hct *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	spin_lock_init(&h->lock);
	h->spare = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, h->spare);
	h->host = hvsim_vmbus_create("hvsim_chan_test", &hct_sink, h);
	KUNIT_ASSERT_NOT_NULL(test, h->host);
	test->priv = h;
	return 0;
}

static void hct_exit(struct kunit *test)
{
	struct hct *h = test->priv;

	if (!h)
		return;
	KUNIT_EXPECT_EQ(test, h->lost, 0);
	/* The host unmaps the rings before the guest frees them. */
	hvsim_vmbus_destroy(h->host);
	__free_page(h->spare);
}

static struct hct *hct(struct kunit *test)
{
	return test->priv;
}

static void hct_flush(struct kunit *test)
{
	hvsim_vmbus_flush(hct(test)->host);
}

static const struct hct_msg *hct_next(struct kunit *test)
{
	struct hct *h = hct(test);
	const struct hct_msg *m = NULL;

	spin_lock(&h->lock);
	if (h->next < h->n)
		m = &h->msgs[h->next++];
	spin_unlock(&h->lock);
	return m;
}

static const struct hct_msg *hct_expect(struct kunit *test, u32 msgtype)
{
	const struct hct_msg *m = hct_next(test);

	KUNIT_ASSERT_NOT_NULL_MSG(test, m, "no message, want %s",
				  hvsim_vmbus_msg_name(msgtype));
	KUNIT_ASSERT_EQ_MSG(test, get_unaligned_le32(m->data), msgtype,
			    "got %s, want %s",
			    hvsim_vmbus_msg_name(get_unaligned_le32(m->data)),
			    hvsim_vmbus_msg_name(msgtype));
	return m;
}

static void hct_expect_none(struct kunit *test)
{
	const struct hct_msg *m = hct_next(test);

	KUNIT_EXPECT_NULL_MSG(test, m, "unexpected %s",
			      m ? hvsim_vmbus_msg_name(get_unaligned_le32(m->data)) :
				  "");
}

static unsigned int hct_nirqs(struct kunit *test)
{
	struct hct *h = hct(test);
	unsigned int n;

	spin_lock(&h->lock);
	n = h->nirqs;
	spin_unlock(&h->lock);
	return n;
}

static void hct_post(struct kunit *test, const void *msg, u32 len)
{
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_post(hct(test)->host,
					       HVSIM_VMBUS_MSG_CONN_ID,
					       HVSIM_VMBUS_MSG_TYPE, msg, len),
			0);
	hct_flush(test);
}

static struct hvsim_vmbus_stats *hct_stats(struct kunit *test)
{
	struct hvsim_vmbus_stats *st;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	hvsim_vmbus_get_stats(hct(test)->host, st);
	return st;
}

static struct hvsim_chan_stats hct_chan_stats(struct kunit *test, u32 relid)
{
	struct hvsim_chan_stats st = {};

	KUNIT_EXPECT_EQ(test, hvsim_vmbus_chan_stats(hct(test)->host, relid,
						     &st), 0);
	return st;
}

/* ------------------------------------------------------------------------
 * The guest's control messages.
 */

static const guid_t hct_echo_class = HVSIM_ECHO_CLASS_GUID;
static const guid_t hct_instance =
	GUID_INIT(0x7e570000, 0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1);

/*
 * Connect at @version on connection 1 (4 from 5.0), with an interrupt
 * page (below 5.0) and monitor pages if given, and take the answer.
 */
static void hct_connect_pages(struct kunit *test, u32 version, u64 int_page,
			      u64 mon1, u64 mon2)
{
	struct vmbus_channel_initiate_contact m = {
		.header.msgtype = CHANNELMSG_INITIATE_CONTACT,
		.vmbus_version_requested = version,
		.monitor_page1 = mon1,
		.monitor_page2 = mon2,
	};
	const struct vmbus_channel_version_response *r;
	u32 conn = version >= VERSION_WIN10_V5 ?
		   HVSIM_VMBUS_MULTICLIENT_CONN_ID : HVSIM_VMBUS_MSG_CONN_ID;

	if (version >= VERSION_WIN10_V5)
		m.msg_sint = HCT_SINT;
	else
		m.interrupt_page = int_page;
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_post(hct(test)->host, conn,
					       HVSIM_VMBUS_MSG_TYPE, &m,
					       sizeof(m)), 0);
	hct_flush(test);
	r = (const void *)hct_expect(test, CHANNELMSG_VERSION_RESPONSE)->data;
	KUNIT_ASSERT_EQ(test, r->version_supported, 1);
	KUNIT_ASSERT_EQ(test, r->connection_state, 0);
}

static void hct_connect(struct kunit *test, u32 version, u64 int_page)
{
	hct_connect_pages(test, version, int_page, 0, 0);
}

/* An echo device with @subch sub-channels, offered as relid 1. */
static void hct_echo_device(struct kunit *test, u16 subch)
{
	struct hvsim_vmbus_dev_config cfg = {
		.class_id = HVSIM_ECHO_CLASS_GUID,
		.instance_id = hct_instance,
		.subch = subch,
	};
	struct vmbus_channel_message_header req = {
		.msgtype = CHANNELMSG_REQUESTOFFERS,
	};
	const struct vmbus_channel_offer_channel *o;

	KUNIT_ASSERT_EQ(test, hvsim_vmbus_add(hct(test)->host, &cfg), 0);
	hct_post(test, &req, sizeof(req));
	o = (const void *)hct_expect(test, CHANNELMSG_OFFERCHANNEL)->data;
	KUNIT_ASSERT_EQ(test, o->child_relid, 1);
	KUNIT_EXPECT_EQ(test, o->offer.sub_channel_index, 0);
	hct_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED);
}

/*
 * Post a GPADL of @n PFNs (the spare page's, or @pfns) as Linux splits
 * it: 26 in the header, 28 per body.  @bodies_sent counts the bodies.
 */
static void hct_gpadl_post(struct kunit *test, u32 relid, u32 id,
			   const u64 *pfns, u32 n, u32 *bodies_sent)
{
	u8 msg[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	struct vmbus_channel_gpadl_header *h = (void *)msg;
	struct vmbus_channel_gpadl_body *b = (void *)msg;
	u64 spare = page_to_pfn(hct(test)->spare);
	u32 i, k, chunk, done = 0, nb = 0;

	memset(msg, 0, sizeof(msg));
	h->header.msgtype = CHANNELMSG_GPADL_HEADER;
	h->child_relid = relid;
	h->gpadl = id;
	h->range_buflen = sizeof(struct gpa_range) + n * 8;
	h->rangecount = 1;
	put_unaligned_le32(n * HV_HYP_PAGE_SIZE, msg + sizeof(*h));
	put_unaligned_le32(0, msg + sizeof(*h) + 4);
	chunk = min(n, 26U);
	for (i = 0; i < chunk; i++)
		put_unaligned_le64(pfns ? pfns[i] : spare,
				   msg + sizeof(*h) + 8 + 8 * i);
	hct_post(test, msg, sizeof(*h) + 8 + 8 * chunk);
	done = chunk;
	while (done < n) {
		memset(msg, 0, sizeof(msg));
		b->header.msgtype = CHANNELMSG_GPADL_BODY;
		b->msgnumber = ++nb;
		b->gpadl = id;
		chunk = min(n - done, 28U);
		for (k = 0; k < chunk; k++)
			put_unaligned_le64(pfns ? pfns[done + k] : spare,
					   msg + sizeof(*b) + 8 * k);
		hct_post(test, msg, sizeof(*b) + 8 * chunk);
		done += chunk;
	}
	if (bodies_sent)
		*bodies_sent = nb;
}

static u32 hct_expect_created(struct kunit *test, u32 relid, u32 id)
{
	const struct vmbus_channel_gpadl_created *c;

	c = (const void *)hct_expect(test, CHANNELMSG_GPADL_CREATED)->data;
	KUNIT_EXPECT_EQ(test, c->child_relid, relid);
	KUNIT_EXPECT_EQ(test, c->gpadl, id);
	return c->creation_status;
}

static void hct_teardown(struct kunit *test, u32 relid, u32 id)
{
	struct vmbus_channel_gpadl_teardown t = {
		.header.msgtype = CHANNELMSG_GPADL_TEARDOWN,
		.child_relid = relid,
		.gpadl = id,
	};

	hct_post(test, &t, sizeof(t));
}

static void hct_expect_torndown(struct kunit *test, u32 id)
{
	const struct vmbus_channel_gpadl_torndown *t;

	t = (const void *)hct_expect(test, CHANNELMSG_GPADL_TORNDOWN)->data;
	KUNIT_EXPECT_EQ(test, t->gpadl, id);
}

static void hct_open_msg(struct kunit *test, u32 relid, u32 gpadl,
			 u32 split, u32 vp, u32 open_id)
{
	struct vmbus_channel_open_channel o = {
		.header.msgtype = CHANNELMSG_OPENCHANNEL,
		.child_relid = relid,
		.openid = open_id,
		.ringbuffer_gpadlhandle = gpadl,
		.target_vp = vp,
		.downstream_ringbuffer_pageoffset = split,
	};

	hct_post(test, &o, sizeof(o));
}

static u32 hct_expect_open_result(struct kunit *test, u32 relid,
				  u32 open_id)
{
	const struct vmbus_channel_open_result *r;

	r = (const void *)hct_expect(test,
				     CHANNELMSG_OPENCHANNEL_RESULT)->data;
	KUNIT_EXPECT_EQ(test, r->child_relid, relid);
	KUNIT_EXPECT_EQ(test, r->openid, open_id);
	return r->status;
}

static void hct_close(struct kunit *test, u32 relid)
{
	struct vmbus_channel_close_channel c = {
		.header.msgtype = CHANNELMSG_CLOSECHANNEL,
		.child_relid = relid,
	};

	hct_post(test, &c, sizeof(c));
}

static void hct_free_ring(void *data)
{
	struct hct_chan *c = data;

	__free_pages(c->pages, c->order);
}

/*
 * A ring GPADL of 2^@order pages, @split of them guest-to-host, created
 * as GPADL @id of @relid.  The pages stay until the case ends (after
 * the host is destroyed: kunit frees resources in reverse order, and the
 * host was created first).
 */
static struct hct_chan *hct_ring(struct kunit *test, u32 relid, u32 id,
				 unsigned int order, u32 split)
{
	struct hct_chan *c;
	u64 *pfns;
	u32 i;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->order = order;
	c->npages = 1U << order;
	c->pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	KUNIT_ASSERT_NOT_NULL(test, c->pages);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hct_free_ring, c),
			0);
	c->relid = relid;
	c->gpadl = id;
	c->split = split;
	c->out = page_address(c->pages);
	c->in = page_address(c->pages) + split * PAGE_SIZE;
	c->out_size = (split - 1) * PAGE_SIZE;
	c->in_size = (c->npages - split - 1) * PAGE_SIZE;

	pfns = kunit_kcalloc(test, c->npages, sizeof(*pfns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	for (i = 0; i < c->npages; i++)
		pfns[i] = page_to_pfn(c->pages) + i;
	hct_gpadl_post(test, relid, id, pfns, c->npages, NULL);
	KUNIT_ASSERT_EQ(test, hct_expect_created(test, relid, id), 0);
	return c;
}

/* A ring, opened on VP 0. */
static struct hct_chan *hct_open(struct kunit *test, u32 relid, u32 id,
				 unsigned int order, u32 split)
{
	struct hct_chan *c = hct_ring(test, relid, id, order, split);

	hct_open_msg(test, relid, id, split, 0, 0x1234 + relid);
	KUNIT_ASSERT_EQ(test, hct_expect_open_result(test, relid,
						     0x1234 + relid), 0);
	return c;
}

/* ------------------------------------------------------------------------
 * The guest's side of the rings.
 */

static void hct_ring_write(u8 *data, u32 size, u32 at, const void *src,
			   u32 len)
{
	u32 first = min(len, size - at);

	memcpy(data + at, src, first);
	memcpy(data, src + first, len - first);
}

static void hct_ring_read(const u8 *data, u32 size, u32 at, void *dst,
			  u32 len)
{
	u32 first = min(len, size - at);

	memcpy(dst, data + at, first);
	memcpy(dst + first, data, len - first);
}

/*
 * Write a raw packet (@pkt of @len bytes, a multiple of 8) into the
 * guest-to-host ring.  Returns whether Linux would signal: the ring was
 * empty and the host's mask is 0.  -ENOSPC when it does not fit.
 */
static int hct_write_raw(struct hct_chan *c, const void *pkt, u32 len)
{
	u32 w = READ_ONCE(c->out->write_index);
	u32 r = READ_ONCE(c->out->read_index);
	u32 used = w >= r ? w - r : c->out_size - r + w;
	u64 trailer = (u64)w << 32;

	if (len + 8 >= c->out_size - used)
		return -ENOSPC;
	hct_ring_write(c->out->buffer, c->out_size, w, pkt, len);
	hct_ring_write(c->out->buffer, c->out_size, (w + len) % c->out_size,
		       &trailer, 8);
	/* The packet before the index that shows it. */
	smp_store_release(&c->out->write_index, (w + len + 8) % c->out_size);
	/* The index before the host's mask, as Linux orders them. */
	smp_mb();
	return !READ_ONCE(c->out->interrupt_mask) &&
	       READ_ONCE(c->out->read_index) == w;
}

/* An in-band packet with @len bytes of payload (a multiple of 8). */
static int hct_write_inband(struct hct_chan *c, u16 flags, u64 trans_id,
			    const void *payload, u32 len)
{
	u8 buf[512];
	struct vmpacket_descriptor *d = (void *)buf;

	if (WARN_ON(len > sizeof(buf) - sizeof(*d) || len % 8))
		return -EINVAL;
	memset(buf, 0, sizeof(buf));
	d->type = VM_PKT_DATA_INBAND;
	d->offset8 = 2;
	d->len8 = (sizeof(*d) + len) / 8;
	d->flags = flags;
	d->trans_id = trans_id;
	memcpy(buf + sizeof(*d), payload, len);
	return hct_write_raw(c, buf, sizeof(*d) + len);
}

/* Signal the channel, as the guest does on its connection ID. */
static void hct_signal(struct kunit *test, u32 relid)
{
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_signal(hct(test)->host,
						 HVSIM_VMBUS_CHAN_CONN_ID(relid),
						 0), 0);
}

struct hct_pkt {
	struct vmpacket_descriptor d;
	u32 len;		/* payload */
	u8 data[1024];
};

/* Read the next host-to-guest packet; false when the ring is empty. */
static bool hct_read(struct kunit *test, struct hct_chan *c,
		     struct hct_pkt *p)
{
	u32 r = READ_ONCE(c->in->read_index);
	/* The index before the packets it shows. */
	u32 w = smp_load_acquire(&c->in->write_index);
	u32 len;
	u64 trailer;

	if (r == w)
		return false;
	hct_ring_read(c->in->buffer, c->in_size, r, &p->d, sizeof(p->d));
	len = p->d.len8 * 8;
	KUNIT_EXPECT_EQ(test, p->d.offset8, 2);
	KUNIT_ASSERT_LE(test, len - 16, (u32)sizeof(p->data));
	p->len = len - 16;
	hct_ring_read(c->in->buffer, c->in_size, (r + 16) % c->in_size,
		      p->data, p->len);
	hct_ring_read(c->in->buffer, c->in_size, (r + len) % c->in_size,
		      &trailer, 8);
	/* The trailer carries the packet's start in its upper half. */
	KUNIT_EXPECT_EQ(test, trailer, (u64)r << 32);
	/* The packet is copied out before the host may reuse its room. */
	smp_mb();
	WRITE_ONCE(c->in->read_index, (r + len + 8) % c->in_size);
	return true;
}

static void hct_ctl(struct kunit *test, struct hct_chan *c, u32 op, u32 arg,
		    s32 want);

/* ------------------------------------------------------------------------
 * GPADLs.
 */

/* 26 PFNs fit the header; 27 need a body; 28 more fill each body. */
static void hvsim_chan_gpadl_sizes(struct kunit *test)
{
	static const struct { u32 pfns, bodies; } cases[] = {
		{ 1, 0 }, { 26, 0 }, { 27, 1 }, { 54, 1 }, { 55, 2 },
		{ 300, 10 }, { 306, 10 }, { 307, 11 },
	};
	struct hvsim_vmbus_stats *st;
	u64 pages = 0;
	u32 i, nb;

	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		hct_gpadl_post(test, 1, 100 + i, NULL, cases[i].pfns, &nb);
		KUNIT_EXPECT_EQ(test, nb, cases[i].bodies);
		KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 100 + i), 0);
		pages += cases[i].pfns;
	}
	hct_expect_none(test);
	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->gpadl_count, ARRAY_SIZE(cases));
	KUNIT_EXPECT_EQ(test, st->gpadl_bytes, pages * HV_HYP_PAGE_SIZE);

	/* Torn down one by one: GPADL_TORNDOWN carries the ID. */
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		hct_teardown(test, 1, 100 + i);
		hct_expect_torndown(test, 100 + i);
	}
	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->gpadl_count, 0);
	KUNIT_EXPECT_EQ(test, st->gpadl_bytes, 0);
}

/* A GPADL that would pass the aggregate limit is refused and counted. */
static void hvsim_chan_gpadl_limit(struct kunit *test)
{
	struct hvsim_vmbus *host = hct(test)->host;
	struct hvsim_vmbus_stats *st;

	KUNIT_EXPECT_EQ(test, hvsim_vmbus_knob(host, HVSIM_KNOB_GPADL_LIMIT_MB), 1280);
	hvsim_vmbus_set_knob(host, HVSIM_KNOB_GPADL_LIMIT_MB, 1);
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);

	hct_gpadl_post(test, 1, 1, NULL, 200, NULL);	/* 800 KiB */
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 1), 0);
	hct_gpadl_post(test, 1, 2, NULL, 56, NULL);	/* 224 KiB: 1 MiB */
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 2), 0);
	hct_gpadl_post(test, 1, 3, NULL, 1, NULL);	/* one page too many */
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 3), HCT_FAIL);
	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->gpadl_refused, 1);
	KUNIT_EXPECT_EQ(test, st->gpadl_count, 2);
	KUNIT_EXPECT_EQ(test, st->gpadl_bytes, 256ULL * HV_HYP_PAGE_SIZE);

	/* Room again after a teardown; the refused ID is free. */
	hct_teardown(test, 1, 2);
	hct_expect_torndown(test, 2);
	hct_gpadl_post(test, 1, 3, NULL, 1, NULL);
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 3), 0);
	hct_expect_none(test);
	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->gpadl_refused, 1);
}

/* Malformed GPADLs: exact replies, and none where no relid is known. */
static void hvsim_chan_gpadl_malformed(struct kunit *test)
{
	u8 msg[HV_MESSAGE_PAYLOAD_BYTE_COUNT] = {};
	struct vmbus_channel_gpadl_header *h = (void *)msg;
	struct vmbus_channel_gpadl_body *b = (void *)msg;
	u64 spare = page_to_pfn(hct(test)->spare);
	struct hvsim_vmbus_stats *st;
	u64 dropped;
	u32 i;

	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);

	/* A body for no GPADL: no reply. */
	st = hct_stats(test);
	dropped = st->dropped;
	b->header.msgtype = CHANNELMSG_GPADL_BODY;
	b->gpadl = 77;
	put_unaligned_le64(spare, msg + sizeof(*b));
	hct_post(test, msg, sizeof(*b) + 8);
	hct_expect_none(test);
	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->dropped, dropped + 1);

	/* A body with no PFN is bad: the partial GPADL is refused. */
	hct_gpadl_post(test, 1, 5, NULL, 26, NULL);
	hct_expect_created(test, 1, 5);
	memset(msg, 0, sizeof(msg));
	h->header.msgtype = CHANNELMSG_GPADL_HEADER;
	h->child_relid = 1;
	h->gpadl = 6;
	h->range_buflen = 8 + 30 * 8;
	h->rangecount = 1;
	put_unaligned_le32(30 * HV_HYP_PAGE_SIZE, msg + sizeof(*h));
	hct_post(test, msg, sizeof(*h) + 8);	/* no PFN yet */
	hct_expect_none(test);
	memset(msg, 0, sizeof(msg));
	b->header.msgtype = CHANNELMSG_GPADL_BODY;
	b->gpadl = 6;
	hct_post(test, msg, sizeof(*b));
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 6), HCT_FAIL);
	/* ... and its ID is gone: a later body gets nothing. */
	put_unaligned_le64(spare, msg + sizeof(*b));
	hct_post(test, msg, sizeof(*b) + 8);
	hct_expect_none(test);

	/* A duplicate ID. */
	hct_gpadl_post(test, 1, 5, NULL, 1, NULL);
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 5), HCT_FAIL);
	/* An unknown relid: refused, relid and ID echoed. */
	hct_gpadl_post(test, 9, 7, NULL, 1, NULL);
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 9, 7), HCT_FAIL);

	/* Ranges: offset past the page, count 0, PFN not memory. */
	memset(msg, 0, sizeof(msg));
	h->header.msgtype = CHANNELMSG_GPADL_HEADER;
	h->child_relid = 1;
	h->gpadl = 8;
	h->range_buflen = 16;
	h->rangecount = 1;
	put_unaligned_le32(100, msg + sizeof(*h));
	put_unaligned_le32(HV_HYP_PAGE_SIZE, msg + sizeof(*h) + 4);
	put_unaligned_le64(spare, msg + sizeof(*h) + 8);
	hct_post(test, msg, sizeof(*h) + 16);
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 8), HCT_FAIL);
	put_unaligned_le32(0, msg + sizeof(*h));
	put_unaligned_le32(0, msg + sizeof(*h) + 4);
	hct_post(test, msg, sizeof(*h) + 16);
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 8), HCT_FAIL);
	put_unaligned_le32(HV_HYP_PAGE_SIZE, msg + sizeof(*h));
	put_unaligned_le64(1ULL << 50, msg + sizeof(*h) + 8);
	hct_post(test, msg, sizeof(*h) + 16);
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 8), HCT_FAIL);
	/* Two pages' bytes, one PFN. */
	put_unaligned_le32(2 * HV_HYP_PAGE_SIZE, msg + sizeof(*h));
	put_unaligned_le64(spare, msg + sizeof(*h) + 8);
	hct_post(test, msg, sizeof(*h) + 16);
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 8), HCT_FAIL);

	/* Teardown of an unknown ID or of another relid: no reply. */
	hct_teardown(test, 1, 99);
	hct_teardown(test, 2, 5);
	hct_expect_none(test);
	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->gpadl_count, 1);

	/* 256 GPADLs may be received at once; the 257th is refused. */
	memset(msg, 0, sizeof(msg));
	h->header.msgtype = CHANNELMSG_GPADL_HEADER;
	h->child_relid = 1;
	h->range_buflen = 8 + 30 * 8;
	h->rangecount = 1;
	put_unaligned_le32(30 * HV_HYP_PAGE_SIZE, msg + sizeof(*h));
	for (i = 0; i < 256; i++) {
		h->gpadl = 1000 + i;
		KUNIT_ASSERT_EQ(test, hvsim_vmbus_post(hct(test)->host,
						       HVSIM_VMBUS_MSG_CONN_ID,
						       HVSIM_VMBUS_MSG_TYPE,
						       msg, sizeof(*h) + 8), 0);
		hct_flush(test);
	}
	hct_expect_none(test);
	h->gpadl = 2000;
	hct_post(test, msg, sizeof(*h) + 8);
	KUNIT_EXPECT_EQ(test, hct_expect_created(test, 1, 2000), HCT_FAIL);
}

/* ------------------------------------------------------------------------
 * Open and close.
 */

static void hvsim_chan_open_checks(struct kunit *test)
{
	static const u32 bad_split[] = { 0, 1, 7, 8, 100 };
	struct hvsim_chan_stats cs;
	struct hct_chan *c;
	unsigned int i;

	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	c = hct_ring(test, 1, 10, 3, 4);	/* 8 pages */

	for (i = 0; i < ARRAY_SIZE(bad_split); i++) {
		hct_open_msg(test, 1, 10, bad_split[i], 0, i);
		KUNIT_EXPECT_EQ(test, hct_expect_open_result(test, 1, i),
				HCT_FAIL);
	}
	/* No such GPADL; a VP the partition has not. */
	hct_open_msg(test, 1, 11, 4, 0, 20);
	KUNIT_EXPECT_EQ(test, hct_expect_open_result(test, 1, 20), HCT_FAIL);
	hct_open_msg(test, 1, 10, 4, HCT_VPS, 21);
	KUNIT_EXPECT_EQ(test, hct_expect_open_result(test, 1, 21), HCT_FAIL);
	/* A relid the guest does not hold: no reply. */
	hct_open_msg(test, 5, 10, 4, 0, 22);
	hct_expect_none(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_STREQ(test, cs.state, "offered");

	/* Good: the host's ring says it sets pending_send_sz. */
	hct_open_msg(test, 1, 10, 4, 0, 23);
	KUNIT_EXPECT_EQ(test, hct_expect_open_result(test, 1, 23), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->in->feature_bits.value), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->in->pending_send_sz), 0);
	/* The host waits for data, unmasked. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->out->interrupt_mask), 0);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_STREQ(test, cs.state, "open");
	KUNIT_EXPECT_EQ(test, cs.target_vp, 0);

	/* Open again: no reply. */
	hct_open_msg(test, 1, 10, 4, 0, 24);
	hct_expect_none(test);

	/* Teardown of the ring while open: GPADL_TORNDOWN after the close. */
	hct_teardown(test, 1, 10);
	hct_expect_none(test);
	hct_close(test, 1);
	hct_expect_torndown(test, 10);
	hct_expect_none(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_STREQ(test, cs.state, "closed");
	/* Close again: no reply. */
	hct_close(test, 1);
	hct_expect_none(test);
	KUNIT_EXPECT_EQ(test, hct_stats(test)->gpadl_count, 0);
}

/* Unload closes open channels and drops GPADLs without a message. */
static void hvsim_chan_unload(struct kunit *test)
{
	struct vmbus_channel_message_header u = {
		.msgtype = CHANNELMSG_UNLOAD,
	};
	struct hvsim_vmbus_stats *st;

	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	hct_open(test, 1, 10, 2, 2);
	hct_gpadl_post(test, 1, 11, NULL, 3, NULL);
	hct_expect_created(test, 1, 11);
	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->channels_open, 1);
	hct_post(test, &u, sizeof(u));
	hct_expect(test, CHANNELMSG_UNLOAD_RESPONSE);
	hct_expect_none(test);
	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->channels_open, 0);
	KUNIT_EXPECT_EQ(test, st->gpadl_count, 0);
	KUNIT_EXPECT_EQ(test, st->gpadl_bytes, 0);
}

/* ------------------------------------------------------------------------
 * The echo VSP through real rings.
 */

static void hvsim_chan_echo_inband(struct kunit *test)
{
	struct hvsim_chan_stats cs;
	struct hct_pkt *p;
	struct hct_chan *c;
	u8 payload[64];
	unsigned int i;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = i * 7 + 1;
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	c = hct_open(test, 1, 10, 2, 2);

	/* No completion asked: an in-band echo, trans_id 0. */
	KUNIT_EXPECT_EQ(test, hct_write_inband(c, 0, 0xabc, payload, 40), 1);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_EQ(test, p->d.type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, p->d.flags, 0);
	KUNIT_EXPECT_EQ(test, p->d.trans_id, 0);
	KUNIT_EXPECT_EQ(test, p->len, 40);
	KUNIT_EXPECT_EQ(test, memcmp(p->data, payload, 40), 0);
	KUNIT_EXPECT_FALSE(test, hct_read(test, c, p));
	/* The ring was empty and the guest unmasked: one interrupt. */
	KUNIT_ASSERT_EQ(test, hct_nirqs(test), 1);
	KUNIT_EXPECT_EQ(test, hct(test)->irqs[0].vp, 0);
	KUNIT_EXPECT_EQ(test, hct(test)->irqs[0].sint, HCT_SINT);
	KUNIT_EXPECT_EQ(test, hct(test)->irqs[0].flag, 1);

	/* Completion asked: VM_PKT_COMP with the trans_id. */
	KUNIT_EXPECT_EQ(test, hct_write_inband(c,
					       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
					       0x1122334455667788ULL, payload,
					       64), 1);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_EQ(test, p->d.type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, p->d.flags, 0);
	KUNIT_EXPECT_EQ(test, p->d.trans_id, 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, p->len, 64);
	KUNIT_EXPECT_EQ(test, memcmp(p->data, payload, 64), 0);

	/* The guest masks its ring: the host writes, no interrupt. */
	WRITE_ONCE(c->in->interrupt_mask, 1);
	hct_write_inband(c, 0, 0, payload, 8);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_EXPECT_EQ(test, hct_nirqs(test), 2);
	KUNIT_EXPECT_TRUE(test, hct_read(test, c, p));

	/* Through the wrap of both rings, many times. */
	WRITE_ONCE(c->in->interrupt_mask, 0);
	for (i = 0; i < 200; i++) {
		payload[0] = i;
		hct_write_inband(c, 0, 0, payload, 56);
		hct_signal(test, 1);
		hct_flush(test);
		KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
		KUNIT_ASSERT_EQ(test, p->len, 56);
		KUNIT_ASSERT_EQ(test, memcmp(p->data, payload, 56), 0);
	}
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.rx, 203);
	KUNIT_EXPECT_EQ(test, cs.tx, 203);
	KUNIT_EXPECT_EQ(test, cs.signals, 203);
	KUNIT_EXPECT_EQ(test, cs.unneeded, 0);
	KUNIT_EXPECT_EQ(test, cs.broken, false);
	KUNIT_EXPECT_EQ(test, cs.irqs, 202);
}

/*
 * The host interrupts only when its ring goes from empty to not empty,
 * and never a channel opened with target_vp 0xFFFFFFFF.
 */
static void hvsim_chan_irq_rules(struct kunit *test)
{
	struct hvsim_chan_stats cs;
	struct hct_chan *c, *quiet;
	struct hct_pkt *p;
	u8 payload[8] = "irqrule";

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 1);
	c = hct_open(test, 1, 10, 2, 2);

	hct_write_inband(c, 0, 0, payload, 8);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_EXPECT_EQ(test, hct_nirqs(test), 1);
	/* The guest has not read the first echo: no interrupt for this one. */
	KUNIT_EXPECT_EQ(test, hct_write_inband(c, 0, 0, payload, 8), 1);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_EXPECT_EQ(test, hct_nirqs(test), 1);
	KUNIT_EXPECT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_FALSE(test, hct_read(test, c, p));
	hct_write_inband(c, 0, 0, payload, 8);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_EXPECT_EQ(test, hct_nirqs(test), 2);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.irqs, 2);
	KUNIT_EXPECT_EQ(test, cs.unneeded, 0);
	KUNIT_EXPECT_TRUE(test, hct_read(test, c, p));

	/* A sub-channel with no interrupts: the echo is there all the same. */
	hct_ctl(test, c, HVSIM_ECHO_OP_SUBCHANNELS, 1, 1);
	hct_expect(test, CHANNELMSG_OFFERCHANNEL);
	KUNIT_EXPECT_EQ(test, hct_nirqs(test), 3);
	quiet = hct_ring(test, 2, 20, 2, 2);
	hct_open_msg(test, 2, 20, 2, HVSIM_VMBUS_NO_VP, 5);
	KUNIT_ASSERT_EQ(test, hct_expect_open_result(test, 2, 5), 0);
	hct_write_inband(quiet, 0, 0, payload, 8);
	hct_signal(test, 2);
	hct_flush(test);
	KUNIT_EXPECT_TRUE(test, hct_read(test, quiet, p));
	KUNIT_EXPECT_EQ(test, hct_nirqs(test), 3);
	cs = hct_chan_stats(test, 2);
	KUNIT_EXPECT_EQ(test, cs.irqs, 0);
	KUNIT_EXPECT_EQ(test, cs.target_vp, HVSIM_VMBUS_NO_VP);
	KUNIT_EXPECT_EQ(test, cs.tx, 1);
}

/* GPA direct: the in-band part, then the memory read through the PFNs. */
static void hvsim_chan_echo_gpa_direct(struct kunit *test)
{
	struct page *mem;
	struct hct_pkt *p;
	struct hct_chan *c;
	u8 buf[128] = {}, *va;
	struct vmpacket_descriptor *d = (void *)buf;
	u32 i, off;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	mem = alloc_pages(GFP_KERNEL, 1);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	va = page_address(mem);
	for (i = 0; i < 2 * PAGE_SIZE; i++)
		va[i] = i % 251;

	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	c = hct_open(test, 1, 10, 2, 2);

	/*
	 * Two ranges: 300 bytes across the page boundary (2 PFNs), then 16
	 * bytes of the first page; 8 bytes of in-band payload after them.
	 */
	d->type = VM_PKT_DATA_USING_GPA_DIRECT;
	d->flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	d->trans_id = 42;
	put_unaligned_le32(2, buf + 20);		/* range_cnt */
	off = 24;
	put_unaligned_le32(300, buf + off);
	put_unaligned_le32(PAGE_SIZE - 100, buf + off + 4);
	put_unaligned_le64(page_to_pfn(mem), buf + off + 8);
	put_unaligned_le64(page_to_pfn(mem) + 1, buf + off + 16);
	off += 24;
	put_unaligned_le32(16, buf + off);
	put_unaligned_le32(8, buf + off + 4);
	put_unaligned_le64(page_to_pfn(mem), buf + off + 8);
	off += 16;
	d->offset8 = off / 8;
	memcpy(buf + off, "INBAND!!", 8);
	d->len8 = (off + 8) / 8;
	hct_write_raw(c, buf, off + 8);
	hct_signal(test, 1);
	hct_flush(test);

	KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_EQ(test, p->d.type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, p->d.trans_id, 42);
	KUNIT_ASSERT_EQ(test, p->len, ALIGN(8 + 300 + 16, 8));
	KUNIT_EXPECT_EQ(test, memcmp(p->data, "INBAND!!", 8), 0);
	KUNIT_EXPECT_EQ(test, memcmp(p->data + 8, va + PAGE_SIZE - 100, 300),
			0);
	KUNIT_EXPECT_EQ(test, memcmp(p->data + 308, va + 8, 16), 0);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);

	/* A PFN that is not memory: the ring is corrupt. */
	put_unaligned_le64(1ULL << 50, buf + 24 + 16);
	hct_write_raw(c, buf, off + 8);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_EXPECT_FALSE(test, hct_read(test, c, p));
	KUNIT_EXPECT_TRUE(test, hct_chan_stats(test, 1).broken);
	/* The host unmaps the rings before the pages go. */
	hct_close(test, 1);
	__free_pages(mem, 1);
}

/* Corrupt packets break the channel; the host survives and says so. */
static void hvsim_chan_corrupt(struct kunit *test)
{
	static const struct { u16 type, off8, len8, flags; } bad[] = {
		{ 0x5, 2, 2, 0 },			/* type */
		{ VM_PKT_DATA_INBAND, 2, 2, 0x2 },	/* flags */
		{ VM_PKT_DATA_INBAND, 1, 2, 0 },	/* offset < 16 */
		{ VM_PKT_DATA_INBAND, 3, 2, 0 },	/* len < offset */
		{ VM_PKT_DATA_INBAND, 2, 500, 0 },	/* past the data */
		{ VM_PKT_DATA_USING_GPA_DIRECT, 3, 3, 0 },	/* 0 ranges */
	};
	struct hvsim_chan_stats cs;
	struct hvsim_vmbus_stats *st;
	struct hct_chan *c;
	u8 buf[32];
	struct vmpacket_descriptor *d = (void *)buf;
	unsigned int i;

	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c = hct_open(test, 1, 10 + i, 2, 2);
		memset(buf, 0, sizeof(buf));
		d->type = bad[i].type;
		d->offset8 = bad[i].off8;
		d->len8 = bad[i].len8;
		d->flags = bad[i].flags;
		/* The header says len8; the ring holds 24 bytes. */
		hct_write_raw(c, buf, 24);
		hct_signal(test, 1);
		hct_flush(test);
		cs = hct_chan_stats(test, 1);
		KUNIT_EXPECT_TRUE_MSG(test, cs.broken, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, cs.tx, 0, "case %u", i);
		/* Nothing more is read, nothing is written. */
		hct_write_inband(c, 0, 0, buf, 8);
		hct_signal(test, 1);
		hct_flush(test);
		cs = hct_chan_stats(test, 1);
		KUNIT_EXPECT_EQ_MSG(test, cs.tx, 0, "case %u", i);
		KUNIT_EXPECT_EQ(test, READ_ONCE(c->in->write_index), 0);
		hct_close(test, 1);
		hct_expect_none(test);
		st = hct_stats(test);
		KUNIT_EXPECT_EQ(test, st->corrupt, i + 1);
	}
	/* A write index out of the ring. */
	c = hct_open(test, 1, 30, 2, 2);
	WRITE_ONCE(c->out->write_index, c->out_size + 8);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_EXPECT_TRUE(test, hct_chan_stats(test, 1).broken);
	/* A reopen starts clean. */
	hct_close(test, 1);
	WRITE_ONCE(c->out->write_index, 0);
	hct_open_msg(test, 1, 30, 2, 0, 1);
	KUNIT_EXPECT_EQ(test, hct_expect_open_result(test, 1, 1), 0);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
}

/* ------------------------------------------------------------------------
 * Signals, pause and flow control.
 */

/*
 * A paused host with mask 0 waits: the first of K signals is needed, the
 * other K - 1 are not.  Resumed, it reads all K.
 */
static void hvsim_chan_signal_paused(struct kunit *test)
{
	struct hvsim_vmbus *host = hct(test)->host;
	struct hvsim_chan_stats cs;
	struct hvsim_vmbus_stats *st;
	struct hct_pkt *p;
	struct hct_chan *c;
	u8 payload[8] = "paused!";
	unsigned int i, k = 5;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	c = hct_open(test, 1, 10, 2, 2);

	KUNIT_ASSERT_EQ(test, hvsim_vmbus_pause(host, 1, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->out->interrupt_mask), 0);
	for (i = 0; i < k; i++) {
		/* Linux would signal only the first; this guest always does. */
		KUNIT_EXPECT_EQ(test, hct_write_inband(c, 0, 0, payload, 8),
				i == 0);
		hct_signal(test, 1);
	}
	hct_flush(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.signals, k);
	KUNIT_EXPECT_EQ(test, cs.unneeded, k - 1);
	KUNIT_EXPECT_EQ(test, cs.rx, 0);
	KUNIT_EXPECT_TRUE(test, cs.paused);
	KUNIT_EXPECT_FALSE(test, cs.masked);

	KUNIT_ASSERT_EQ(test, hvsim_vmbus_resume(host, 1), 0);
	hct_flush(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.rx, k);
	KUNIT_EXPECT_EQ(test, cs.tx, k);
	KUNIT_EXPECT_FALSE(test, cs.paused);
	for (i = 0; i < k; i++)
		KUNIT_EXPECT_TRUE(test, hct_read(test, c, p));
	/* One interrupt: the host-to-guest ring was empty once. */
	KUNIT_EXPECT_EQ(test, cs.irqs, 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->out->interrupt_mask), 0);

	/* A signal with nothing in the ring is not needed. */
	hct_signal(test, 1);
	hct_flush(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.signals, k + 1);
	KUNIT_EXPECT_EQ(test, cs.unneeded, k);

	/* Masked: the guest sees interrupt_mask 1 and would not signal. */
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_pause(host, 1, true), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->out->interrupt_mask), 1);
	KUNIT_EXPECT_EQ(test, hct_write_inband(c, 0, 0, payload, 8), 0);
	hct_signal(test, 1);
	hct_flush(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_TRUE(test, cs.masked);
	KUNIT_EXPECT_EQ(test, cs.unneeded, k + 1);
	KUNIT_EXPECT_EQ(test, cs.rx, k);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_resume(host, 1), 0);
	hct_flush(test);
	KUNIT_EXPECT_EQ(test, hct_chan_stats(test, 1).rx, k + 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->out->interrupt_mask), 0);

	st = hct_stats(test);
	KUNIT_EXPECT_EQ(test, st->unneeded, k + 1);
	/* Controls on a relid the guest does not hold. */
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_pause(host, 2, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_resume(host, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_set_pend(host, 9, false), -EINVAL);
}

/*
 * The host-to-guest ring fills: replies wait in order, pending_send_sz
 * asks for room, the guest's signal for it is needed; with pend off the
 * field stays 0 and the host polls.
 */
static void hct_fill(struct kunit *test, bool pend)
{
	struct hvsim_vmbus *host = hct(test)->host;
	struct hvsim_chan_stats cs;
	struct hct_pkt *p;
	struct hct_chan *c;
	u8 payload[496];
	unsigned int i, n = 10;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	/* 8 pages: guest-to-host 1 + 5, host-to-guest 1 + 1 (4 KiB). */
	c = hct_open(test, 1, 10, 3, 6);
	if (!pend)
		KUNIT_ASSERT_EQ(test, hvsim_vmbus_set_pend(host, 1, false), 0);

	/* 512-byte packets: the host's ring takes 7. */
	for (i = 0; i < n; i++) {
		memset(payload, i, sizeof(payload));
		hct_write_inband(c, 0, 0, payload, sizeof(payload));
	}
	hct_signal(test, 1);
	hct_flush(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.tx, 7);
	KUNIT_EXPECT_EQ(test, cs.rx, 8);	/* the 8th waits to be echoed */
	KUNIT_EXPECT_EQ(test, cs.pend, pend);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->in->pending_send_sz),
			pend ? ((4096 - 8) / 4) & ~7 : 0);

	/* The guest reads them all. */
	for (i = 0; i < 7; i++) {
		KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
		KUNIT_EXPECT_EQ(test, p->data[0], i);
	}
	if (pend) {
		hct_signal(test, 1);
		hct_flush(test);
	} else {
		/* Nothing tells the host: it finds the room by polling. */
		for (i = 0; i < 100 && hct_chan_stats(test, 1).tx < n; i++)
			usleep_range(5000, 10000);
	}
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.tx, n);
	KUNIT_EXPECT_EQ(test, cs.rx, n);
	KUNIT_EXPECT_EQ(test, cs.unneeded, 0);
	KUNIT_EXPECT_EQ(test, cs.signals, pend ? 2 : 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->in->pending_send_sz), 0);
	/* In order, none lost. */
	for (i = 7; i < n; i++) {
		KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
		KUNIT_EXPECT_EQ(test, p->data[0], i);
		KUNIT_EXPECT_EQ(test, p->data[495], i);
	}
	KUNIT_EXPECT_FALSE(test, hct_read(test, c, p));
}

static void hvsim_chan_ring_full_pend(struct kunit *test)
{
	hct_fill(test, true);
}

static void hvsim_chan_ring_full_pend_off(struct kunit *test)
{
	hct_fill(test, false);
}

/*
 * The host reads the guest's ring free: it interrupts the guest only
 * when the guest asked (pending_send_sz) and the room crossed the mark.
 */
static void hvsim_chan_space_interrupt(struct kunit *test)
{
	struct hct_chan *c;
	struct hct_pkt *p;
	u8 payload[496] = {};
	unsigned int i;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 0);
	/* guest-to-host 4 KiB, host-to-guest 20 KiB */
	c = hct_open(test, 1, 10, 3, 2);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_pause(hct(test)->host, 1, false), 0);
	for (i = 0; i < 7; i++)
		hct_write_inband(c, 0, 0, payload, sizeof(payload));
	KUNIT_EXPECT_EQ(test, hct_write_inband(c, 0, 0, payload,
					       sizeof(payload)), -ENOSPC);
	/* The guest waits for 2 KiB. */
	WRITE_ONCE(c->out->pending_send_sz, 2048);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_EXPECT_EQ(test, hct_nirqs(test), 0);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_resume(hct(test)->host, 1), 0);
	hct_flush(test);
	/* One interrupt for the room, one for the replies (ring empty). */
	KUNIT_EXPECT_EQ(test, hct_chan_stats(test, 1).irqs, 2);
	for (i = 0; i < 7; i++)
		KUNIT_EXPECT_TRUE(test, hct_read(test, c, p));
}

/* ------------------------------------------------------------------------
 * MODIFYCHANNEL.
 */

static void hct_modify(struct kunit *test, u32 relid, u32 vp)
{
	struct vmbus_channel_modifychannel m = {
		.header.msgtype = CHANNELMSG_MODIFYCHANNEL,
		.child_relid = relid,
		.target_vp = vp,
	};

	hct_post(test, &m, sizeof(m));
}

static u32 hct_expect_modify_response(struct kunit *test, u32 relid)
{
	const struct vmbus_channel_modifychannel_response *r;

	r = (const void *)hct_expect(test,
				     CHANNELMSG_MODIFYCHANNEL_RESPONSE)->data;
	KUNIT_EXPECT_EQ(test, r->child_relid, relid);
	return r->status;
}

static const u32 hct_modify_versions[] = {
	VERSION_WIN10_V5_2, VERSION_WIN10_V5_3,
};

static void hct_version_desc(const u32 *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u.%u", *v >> 16, *v & 0xffff);
}

KUNIT_ARRAY_PARAM(hct_modify, hct_modify_versions, hct_version_desc);

/* The response at 5.3, none at 5.2; the VP switches either way. */
static void hvsim_chan_modifychannel(struct kunit *test)
{
	u32 version = *(const u32 *)test->param_value;
	struct hvsim_vmbus *host = hct(test)->host;
	bool resp = version >= VERSION_WIN10_V5_3;
	struct hvsim_chan_stats cs;
	struct hct_chan *c;
	struct hct_pkt *p;
	u8 payload[8] = {};

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_knob(host, HVSIM_KNOB_MODIFY_LAG_MS), 100);
	hvsim_vmbus_set_knob(host, HVSIM_KNOB_MODIFY_LAG_MS, 0);
	hct_connect(test, version, 0);
	hct_echo_device(test, 0);

	/* Not open: a failure, said only from 5.3. */
	hct_modify(test, 1, 1);
	if (resp)
		KUNIT_EXPECT_EQ(test, hct_expect_modify_response(test, 1),
				HCT_FAIL);
	hct_expect_none(test);

	c = hct_open(test, 1, 10, 2, 2);
	hct_modify(test, 1, 1);
	if (resp)
		KUNIT_EXPECT_EQ(test, hct_expect_modify_response(test, 1), 0);
	hct_expect_none(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.target_vp, 1);
	hct_write_inband(c, 0, 0, payload, 8);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_ASSERT_EQ(test, hct_nirqs(test), 1);
	KUNIT_EXPECT_EQ(test, hct(test)->irqs[0].vp, 1);
	KUNIT_EXPECT_TRUE(test, hct_read(test, c, p));

	/* A VP the partition has not, and "no VP": failures. */
	hct_modify(test, 1, HCT_VPS);
	hct_modify(test, 1, HVSIM_VMBUS_NO_VP);
	if (resp) {
		KUNIT_EXPECT_EQ(test, hct_expect_modify_response(test, 1),
				HCT_FAIL);
		KUNIT_EXPECT_EQ(test, hct_expect_modify_response(test, 1),
				HCT_FAIL);
	}
	hct_expect_none(test);

	/* With a lag the old VP keeps the interrupts for a while. */
	hvsim_vmbus_set_knob(host, HVSIM_KNOB_MODIFY_LAG_MS, 2000);
	hct_modify(test, 1, 2);
	hct_expect_none(test);
	hct_write_inband(c, 0, 0, payload, 8);
	hct_signal(test, 1);
	hct_flush(test);
	KUNIT_ASSERT_EQ(test, hct_nirqs(test), 2);
	KUNIT_EXPECT_EQ(test, hct(test)->irqs[1].vp, 1);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.lag_irqs, 1);
	KUNIT_EXPECT_EQ(test, cs.target_vp, 1);
	hct_expect_none(test);
}

/* ------------------------------------------------------------------------
 * Sub-channels.
 */

static void hct_ctl(struct kunit *test, struct hct_chan *c, u32 op, u32 arg,
		    s32 want)
{
	struct hvsim_echo_ctl req = {
		.magic = cpu_to_le32(HVSIM_ECHO_CTL_MAGIC),
		.op = cpu_to_le32(op),
		.arg = cpu_to_le32(arg),
	};
	struct hct_pkt *p;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hct_write_inband(c, VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, 7,
			 &req, sizeof(req));
	hct_signal(test, c->relid);
	hct_flush(test);
	KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_EQ(test, p->d.type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, p->d.trans_id, 7);
	KUNIT_ASSERT_EQ(test, p->len, sizeof(req));
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(p->data),
			HVSIM_ECHO_CTL_MAGIC);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(p->data + 4), op);
	KUNIT_EXPECT_EQ(test, (s32)get_unaligned_le32(p->data + 12), want);
}

static void hvsim_chan_subchannels(struct kunit *test)
{
	const struct vmbus_channel_offer_channel *o;
	const struct hct_msg *m;
	struct hvsim_chan_stats cs;
	struct hct_chan *c, *s;
	struct hct_pkt *p;
	u8 payload[8] = "subchan";
	u32 i, w0;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	hct_echo_device(test, 4);
	c = hct_open(test, 1, 10, 2, 2);

	hct_ctl(test, c, HVSIM_ECHO_OP_NOP, 0, 0);
	hct_ctl(test, c, 99, 0, -EOPNOTSUPP);

	/* The offers go before the answer: it was not in the ring yet. */
	w0 = READ_ONCE(c->in->write_index);
	hct(test)->watch = &c->in->write_index;
	hct_ctl(test, c, HVSIM_ECHO_OP_SUBCHANNELS, 3, 3);
	KUNIT_EXPECT_NE(test, READ_ONCE(c->in->write_index), w0);
	for (i = 1; i <= 3; i++) {
		m = hct_expect(test, CHANNELMSG_OFFERCHANNEL);
		o = (const void *)m->data;
		KUNIT_EXPECT_EQ(test, o->offer.sub_channel_index, i);
		KUNIT_EXPECT_EQ(test, o->child_relid, 1 + i);
		KUNIT_EXPECT_EQ(test, o->connection_id, 0x2001 + i);
		KUNIT_EXPECT_TRUE(test, guid_equal(&o->offer.if_instance,
						   &hct_instance));
		KUNIT_EXPECT_TRUE(test, guid_equal(&o->offer.if_type,
						   &hct_echo_class));
		KUNIT_EXPECT_EQ(test, m->watched, w0);
	}
	hct_expect_none(test);
	hct(test)->watch = NULL;
	/* Asking again offers only what is missing, up to the maximum. */
	hct_ctl(test, c, HVSIM_ECHO_OP_SUBCHANNELS, 2, 3);
	hct_expect_none(test);
	hct_ctl(test, c, HVSIM_ECHO_OP_SUBCHANNELS, 10, 4);
	o = (const void *)hct_expect(test, CHANNELMSG_OFFERCHANNEL)->data;
	KUNIT_EXPECT_EQ(test, o->offer.sub_channel_index, 4);
	KUNIT_EXPECT_EQ(test, o->child_relid, 5);
	hct_expect_none(test);

	/* A sub-channel echoes on itself. */
	s = hct_open(test, 3, 20, 2, 2);
	hct_write_inband(s, 0, 0, payload, 8);
	hct_signal(test, 3);
	hct_flush(test);
	KUNIT_ASSERT_TRUE(test, hct_read(test, s, p));
	KUNIT_EXPECT_EQ(test, memcmp(p->data, payload, 8), 0);
	KUNIT_EXPECT_FALSE(test, hct_read(test, c, p));
	cs = hct_chan_stats(test, 3);
	KUNIT_EXPECT_EQ(test, cs.index, 2);
	KUNIT_EXPECT_EQ(test, cs.rx, 1);

	/* A rescind takes every channel; each relid goes when released. */
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_rescind(hct(test)->host,
						  &hct_instance), 0);
	for (i = 1; i <= 5; i++) {
		const struct vmbus_channel_rescind_offer *r;

		r = (const void *)hct_expect(test,
				CHANNELMSG_RESCIND_CHANNELOFFER)->data;
		KUNIT_EXPECT_EQ(test, r->child_relid, i);
	}
	hct_expect_none(test);
	cs = hct_chan_stats(test, 3);
	KUNIT_EXPECT_STREQ(test, cs.state, "rescinded");
	for (i = 1; i <= 5; i++) {
		struct vmbus_channel_relid_released rr = {
			.header.msgtype = CHANNELMSG_RELID_RELEASED,
			.child_relid = i,
		};

		/* The rings first: answered at once after a rescind. */
		if (i == 1 || i == 3) {
			hct_close(test, i);
			hct_teardown(test, i, i == 1 ? 10 : 20);
			hct_expect_torndown(test, i == 1 ? 10 : 20);
		}
		hct_post(test, &rr, sizeof(rr));
		KUNIT_EXPECT_EQ(test, hct_stats(test)->relids, 5 - i);
	}
	KUNIT_EXPECT_EQ(test, hct_stats(test)->devices, 0);
	hct_expect_none(test);
}

/* ------------------------------------------------------------------------
 * Below 2.4: no dedicated interrupt; the interrupt page carries both ways.
 */
static void hvsim_chan_legacy_interrupt_page(struct kunit *test)
{
	const struct vmbus_channel_offer_channel *o;
	struct vmbus_channel_message_header req = {
		.msgtype = CHANNELMSG_REQUESTOFFERS,
	};
	struct hvsim_vmbus_dev_config cfg = {
		.class_id = HVSIM_ECHO_CLASS_GUID,
		.instance_id = hct_instance,
	};
	struct hvsim_vmbus *host = hct(test)->host;
	unsigned long *bits;
	struct page *ipage;
	struct hct_chan *c;
	struct hct_pkt *p;
	u8 payload[8] = "legacy!";

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	ipage = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, ipage);
	bits = page_address(ipage);

	hct_connect(test, VERSION_WIN7, page_to_phys(ipage));
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_add(host, &cfg), 0);
	hct_post(test, &req, sizeof(req));
	o = (const void *)hct_expect(test, CHANNELMSG_OFFERCHANNEL)->data;
	KUNIT_EXPECT_EQ(test, (u32)o->is_dedicated_interrupt, 0);
	hct_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED);
	c = hct_open(test, 1, 10, 2, 2);

	/* The guest sets relid 1 in the second half, signals connection 2. */
	hct_write_inband(c, 0, 0, payload, 8);
	set_bit(PAGE_SIZE / 2 * 8 + 1, bits);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_signal(host, 2, 0), 0);
	hct_flush(test);
	KUNIT_EXPECT_FALSE(test, test_bit(PAGE_SIZE / 2 * 8 + 1, bits));
	KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_EQ(test, memcmp(p->data, payload, 8), 0);
	/* The host sets relid 1 in the first half, signals flag 0. */
	KUNIT_EXPECT_TRUE(test, test_bit(1, bits));
	KUNIT_ASSERT_EQ(test, hct_nirqs(test), 1);
	KUNIT_EXPECT_EQ(test, hct(test)->irqs[0].flag, 0);
	KUNIT_EXPECT_EQ(test, hct(test)->irqs[0].sint, HCT_SINT);
	KUNIT_EXPECT_EQ(test, hct_chan_stats(test, 1).signals, 1);
	KUNIT_EXPECT_EQ(test, hct_stats(test)->signals_legacy, 1);

	hct_close(test, 1);
	hvsim_vmbus_flush(host);
	/* The page is the guest's: the host no longer knows it after this. */
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	__free_page(ipage);
}

/*
 * A monitored channel: the guest sets its monitor ID's pending bit in
 * the child-to-parent page instead of signalling; the host polls it.
 */
static void hvsim_chan_monitor(struct kunit *test)
{
	struct vmbus_channel_message_header req = {
		.msgtype = CHANNELMSG_REQUESTOFFERS,
	};
	struct hvsim_vmbus_dev_config cfg = {
		.class_id = HVSIM_ECHO_CLASS_GUID,
		.instance_id = hct_instance,
		.monitor = true,
	};
	const struct vmbus_channel_offer_channel *o;
	struct hvsim_vmbus *host = hct(test)->host;
	struct hvsim_chan_stats cs;
	struct page *mon;
	unsigned long *pending;
	struct hct_chan *c;
	struct hct_pkt *p;
	u8 payload[8] = "monitor";
	unsigned int i;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	mon = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	KUNIT_ASSERT_NOT_NULL(test, mon);
	/* Trigger group 0's pending word, at byte 8 of the second page. */
	pending = page_address(mon) + PAGE_SIZE + 8;

	hct_connect_pages(test, VERSION_WIN10_V5_3, 0, page_to_phys(mon),
			  page_to_phys(mon) + PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_add(host, &cfg), 0);
	hct_post(test, &req, sizeof(req));
	o = (const void *)hct_expect(test, CHANNELMSG_OFFERCHANNEL)->data;
	KUNIT_EXPECT_EQ(test, (u32)o->monitor_allocated, 1);
	KUNIT_EXPECT_EQ(test, o->monitorid, 0);
	hct_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED);
	c = hct_open(test, 1, 10, 2, 2);

	hct_write_inband(c, 0, 0, payload, 8);
	set_bit(0, pending);
	for (i = 0; i < 200 && test_bit(0, pending); i++)
		usleep_range(5000, 10000);
	KUNIT_EXPECT_FALSE(test, test_bit(0, pending));
	hct_flush(test);
	cs = hct_chan_stats(test, 1);
	KUNIT_EXPECT_EQ(test, cs.signals, 1);
	KUNIT_EXPECT_EQ(test, cs.unneeded, 0);
	KUNIT_EXPECT_EQ(test, cs.rx, 1);
	KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_EQ(test, memcmp(p->data, payload, 8), 0);

	/* Closed, the page is no longer looked at. */
	hct_close(test, 1);
	set_bit(0, pending);
	msleep(50);
	KUNIT_EXPECT_TRUE(test, test_bit(0, pending));
	/* A new connection forgets the pages before they go. */
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	__free_pages(mon, 1);
}

static struct kunit_case hvsim_chan_cases[] = {
	KUNIT_CASE(hvsim_chan_gpadl_sizes),
	KUNIT_CASE(hvsim_chan_gpadl_limit),
	KUNIT_CASE(hvsim_chan_gpadl_malformed),
	KUNIT_CASE(hvsim_chan_open_checks),
	KUNIT_CASE(hvsim_chan_unload),
	KUNIT_CASE(hvsim_chan_echo_inband),
	KUNIT_CASE(hvsim_chan_irq_rules),
	KUNIT_CASE(hvsim_chan_echo_gpa_direct),
	KUNIT_CASE(hvsim_chan_corrupt),
	KUNIT_CASE(hvsim_chan_signal_paused),
	KUNIT_CASE(hvsim_chan_ring_full_pend),
	KUNIT_CASE(hvsim_chan_ring_full_pend_off),
	KUNIT_CASE(hvsim_chan_space_interrupt),
	KUNIT_CASE_PARAM(hvsim_chan_modifychannel, hct_modify_gen_params),
	KUNIT_CASE(hvsim_chan_subchannels),
	KUNIT_CASE(hvsim_chan_legacy_interrupt_page),
	KUNIT_CASE(hvsim_chan_monitor),
	{}
};

static struct kunit_suite hvsim_chan_suite = {
	.name = "hvsim_chan",
	.init = hct_init,
	.exit = hct_exit,
	.test_cases = hvsim_chan_cases,
};
kunit_test_suite(hvsim_chan_suite);

/* ------------------------------------------------------------------------
 * The storage VSP (hvsim/storvsp.c) on the same harness: the vstor
 * protocol as hv_storvsc speaks it, and what a guest must not send.
 */

#define HSV_COMPLETE_IO		1
#define HSV_EXECUTE_SRB		3
#define HSV_BEGIN_INIT		7
#define HSV_END_INIT		8
#define HSV_QUERY_VERSION	9
#define HSV_QUERY_PROPERTIES	10
#define HSV_CREATE_SUB_CHANNELS	13
#define HSV_INVALID_PARAMETER	0xc000000d
#define HSV_REVISION_MISMATCH	0xc0000059
#define HSV_INVALID_STATE	0xc0000184
#define HSV_PKT_LEN		64
#define HSV_SRB			12	/* the SRB's offset in the packet */

static const guid_t hsv_class =
	GUID_INIT(0xba6163d9, 0x04a1, 0x4d29,
		  0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f);
static const guid_t hsv_instance =
	GUID_INIT(0x5c51f000, 0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1);

/* A SCSI controller with @subch sub-channels, offered and opened. */
static struct hct_chan *hsv_open(struct kunit *test, u16 subch)
{
	struct hvsim_vmbus_dev_config cfg = {
		.class_id = hsv_class,
		.instance_id = hsv_instance,
		.subch = subch,
	};
	struct vmbus_channel_message_header req = {
		.msgtype = CHANNELMSG_REQUESTOFFERS,
	};

	hct_connect(test, VERSION_WIN10_V5_3, 0);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_add(hct(test)->host, &cfg), 0);
	hct_post(test, &req, sizeof(req));
	hct_expect(test, CHANNELMSG_OFFERCHANNEL);
	hct_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED);
	return hct_open(test, 1, 10, 3, 4);
}

/* Close and open again, the rings emptied as a guest does. */
static void hsv_reopen(struct kunit *test, struct hct_chan *c, u32 open_id)
{
	hct_close(test, 1);
	WRITE_ONCE(c->out->write_index, 0);
	WRITE_ONCE(c->out->read_index, 0);
	WRITE_ONCE(c->in->write_index, 0);
	WRITE_ONCE(c->in->read_index, 0);
	hct_open_msg(test, 1, 10, 4, 0, open_id);
	KUNIT_ASSERT_EQ(test, hct_expect_open_result(test, 1, open_id), 0);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
}

/* Send a vstor packet of @len bytes: operation @op, @payload after it. */
static void hsv_send_len(struct kunit *test, struct hct_chan *c, u32 op,
			 u16 flags, const void *payload, u32 plen, u32 len)
{
	u8 pkt[128] = {};

	put_unaligned_le32(op, pkt);
	put_unaligned_le32(1, pkt + 4);
	if (plen)
		memcpy(pkt + HSV_SRB, payload, plen);
	KUNIT_ASSERT_GE(test, hct_write_inband(c, flags, 0x77, pkt, len), 0);
	hct_signal(test, c->relid);
	hct_flush(test);
}

static void hsv_send(struct kunit *test, struct hct_chan *c, u32 op,
		     const void *payload, u32 plen)
{
	hsv_send_len(test, c, op, VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
		     payload, plen, HSV_PKT_LEN);
}

/* The completion of the last request: its header status. */
static u32 hsv_reply(struct kunit *test, struct hct_chan *c,
		     struct hct_pkt *p, u32 len)
{
	KUNIT_ASSERT_TRUE(test, hct_read(test, c, p));
	KUNIT_EXPECT_EQ(test, p->d.type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, p->d.trans_id, 0x77);
	KUNIT_EXPECT_EQ(test, p->len, len);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(p->data), HSV_COMPLETE_IO);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(p->data + 4), 0);
	return get_unaligned_le32(p->data + 8);
}

static void hsv_init(struct kunit *test, struct hct_chan *c,
		     struct hct_pkt *p)
{
	u8 v[4] = { 0x02, 0x06 };

	hsv_send(test, c, HSV_BEGIN_INIT, NULL, 0);
	KUNIT_ASSERT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	hsv_send(test, c, HSV_QUERY_VERSION, v, sizeof(v));
	KUNIT_ASSERT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	hsv_send(test, c, HSV_QUERY_PROPERTIES, NULL, 0);
	KUNIT_ASSERT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	hsv_send(test, c, HSV_END_INIT, NULL, 0);
	KUNIT_ASSERT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
}

static struct hct_pkt *hsv_pkt(struct kunit *test)
{
	struct hct_pkt *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/* An SRB with @cdb0 and @dtl, direction @data_in. */
static void hsv_srb(u8 *srb, u8 cdb0, u8 data_in, u32 dtl)
{
	memset(srb, 0, 0x34);
	put_unaligned_le16(0x34, srb);
	srb[8] = 16;
	srb[9] = 0x14;
	srb[10] = data_in;
	put_unaligned_le32(dtl, srb + 12);
	srb[16] = cdb0;
}

static void hvsim_storvsp_init_sequence(struct kunit *test)
{
	struct hct_pkt *p = hsv_pkt(test);
	struct hct_chan *c = hsv_open(test, 4);
	u8 v[4] = { 0x00, 0x07 }, srb[0x34];

	hsv_send(test, c, HSV_BEGIN_INIT, NULL, 0);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	/* 7.0 is refused, the version echoed; the state stays. */
	hsv_send(test, c, HSV_QUERY_VERSION, v, sizeof(v));
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN),
			HSV_REVISION_MISMATCH);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(p->data + HSV_SRB), 0x0700);
	v[0] = 0x01;
	v[1] = 0x05;
	hsv_send(test, c, HSV_QUERY_VERSION, v, sizeof(v));
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(p->data + HSV_SRB), 0x0501);
	hsv_send(test, c, HSV_QUERY_PROPERTIES, NULL, 0);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(p->data + HSV_SRB + 4), 4);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(p->data + HSV_SRB + 8), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(p->data + HSV_SRB + 12),
			0x40000);
	hsv_send(test, c, HSV_END_INIT, NULL, 0);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);

	/* Ready: TEST UNIT READY on LUN 0 succeeds. */
	hsv_srb(srb, 0x00, 2, 0);
	hsv_send(test, c, HSV_EXECUTE_SRB, srb, sizeof(srb));
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 2], 0x01);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 3], 0x00);
	/* LUN 5 is not there: INVALID_LUN, DEVICE_DOES_NOT_EXIST. */
	srb[7] = 5;
	hsv_send(test, c, HSV_EXECUTE_SRB, srb, sizeof(srb));
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0xc00000c0);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 2], 0x20);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
}

static void hvsim_storvsp_wrong_state(struct kunit *test)
{
	struct hct_pkt *p = hsv_pkt(test);
	struct hct_chan *c = hsv_open(test, 0);
	u8 srb[0x34];

	hsv_srb(srb, 0x00, 2, 0);
	hsv_send(test, c, HSV_EXECUTE_SRB, srb, sizeof(srb));
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN),
			HSV_INVALID_STATE);
	hsv_send(test, c, HSV_QUERY_PROPERTIES, NULL, 0);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN),
			HSV_INVALID_STATE);
	hsv_send(test, c, HSV_BEGIN_INIT, NULL, 0);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	hsv_send(test, c, HSV_BEGIN_INIT, NULL, 0);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN),
			HSV_INVALID_STATE);
	hsv_send(test, c, HSV_END_INIT, NULL, 0);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN),
			HSV_INVALID_STATE);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);

	/* A close starts the sequence again. */
	hsv_reopen(test, c, 2);
	hsv_init(test, c, p);
}

/* A completion is as long as the request (up to 64 bytes). */
static void hvsim_storvsp_completion_size(struct kunit *test)
{
	struct hct_pkt *p = hsv_pkt(test);
	struct hct_chan *c = hsv_open(test, 0);

	hsv_send_len(test, c, HSV_BEGIN_INIT,
		     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, NULL, 0, 48);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, 48), 0);
	hsv_send_len(test, c, HSV_QUERY_PROPERTIES,
		     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, NULL, 0, 96);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN),
			HSV_INVALID_STATE);
}

/* What a guest must not send breaks the channel, and nothing answers. */
static void hvsim_storvsp_malformed(struct kunit *test)
{
	static const struct { u32 op; u16 flags; u32 len; } bad[] = {
		{ HSV_BEGIN_INIT, 0, HSV_PKT_LEN },	/* no completion flag */
		{ HSV_COMPLETE_IO, 1, HSV_PKT_LEN },	/* a host's operation */
		{ 2, 1, HSV_PKT_LEN },			/* REMOVE_DEVICE */
		{ 11, 1, HSV_PKT_LEN },			/* ENUMERATE_BUS */
		{ 14, 1, HSV_PKT_LEN },			/* unknown */
		{ 0x80000003, 1, HSV_PKT_LEN },		/* unknown */
		{ HSV_BEGIN_INIT, 1, 8 },		/* short header */
		{ HSV_QUERY_VERSION, 1, 8 },		/* short version */
	};
	struct hct_pkt *p = hsv_pkt(test);
	struct hvsim_chan_stats cs;
	struct hct_chan *c;
	unsigned int i;
	u8 srb[0x34];

	c = hsv_open(test, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hsv_send_len(test, c, bad[i].op, bad[i].flags, NULL, 0,
			     bad[i].len);
		cs = hct_chan_stats(test, 1);
		KUNIT_EXPECT_TRUE_MSG(test, cs.broken, "case %u", i);
		KUNIT_EXPECT_FALSE_MSG(test, hct_read(test, c, p), "case %u", i);
		hsv_reopen(test, c, 3 + i);
	}

	/* A short SRB, and an in-band SRB with a transfer length. */
	hsv_init(test, c, p);
	hsv_srb(srb, 0x00, 2, 0);
	hsv_send_len(test, c, HSV_EXECUTE_SRB,
		     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, srb, 0x24,
		     HSV_SRB + 0x24);
	KUNIT_EXPECT_TRUE(test, hct_chan_stats(test, 1).broken);
	hsv_reopen(test, c, 20);
	hsv_init(test, c, p);
	hsv_srb(srb, 0x28, 1, 512);
	hsv_send(test, c, HSV_EXECUTE_SRB, srb, sizeof(srb));
	KUNIT_EXPECT_TRUE(test, hct_chan_stats(test, 1).broken);
	KUNIT_EXPECT_FALSE(test, hct_read(test, c, p));
}

/*
 * A GPA-direct EXECUTE_SRB: @n ranges, the first of @len bytes at @off
 * in @mem (two pages); the vstor packet after the ranges.
 */
static void hsv_send_gpa(struct kunit *test, struct hct_chan *c,
			 struct page *mem, u32 n, u32 len, u32 off,
			 const u8 *srb)
{
	u32 npfn = DIV_ROUND_UP(off + len, PAGE_SIZE), pos = 24, i, j;
	u8 buf[160] = {};
	struct vmpacket_descriptor *d = (void *)buf;

	d->type = VM_PKT_DATA_USING_GPA_DIRECT;
	d->flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	d->trans_id = 0x77;
	put_unaligned_le32(n, buf + 20);
	for (i = 0; i < n; i++) {
		put_unaligned_le32(len, buf + pos);
		put_unaligned_le32(off, buf + pos + 4);
		pos += 8;
		for (j = 0; j < npfn; j++, pos += 8)
			put_unaligned_le64(page_to_pfn(mem) + j, buf + pos);
	}
	d->offset8 = pos / 8;
	put_unaligned_le32(HSV_EXECUTE_SRB, buf + pos);
	put_unaligned_le32(1, buf + pos + 4);
	memcpy(buf + pos + HSV_SRB, srb, 0x34);
	d->len8 = (pos + HSV_PKT_LEN) / 8;
	KUNIT_ASSERT_GE(test, hct_write_raw(c, buf, pos + HSV_PKT_LEN), 0);
	hct_signal(test, c->relid);
	hct_flush(test);
}

static void hvsim_storvsp_gpa_io(struct kunit *test)
{
	struct hct_pkt *p = hsv_pkt(test);
	struct page *mem;
	struct hct_chan *c;
	u8 srb[0x34], *va;
	u32 i;

	mem = alloc_pages(GFP_KERNEL, 1);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	va = page_address(mem);
	c = hsv_open(test, 0);
	hsv_init(test, c, p);

	/* WRITE(10) of 2 blocks from across the page boundary, LBA 9. */
	for (i = 0; i < 1024; i++)
		va[PAGE_SIZE - 512 + i] = i % 253;
	hsv_srb(srb, 0x2a, 0, 1024);
	put_unaligned_be32(9, srb + 16 + 2);
	put_unaligned_be16(2, srb + 16 + 7);
	hsv_send_gpa(test, c, mem, 1, 1024, PAGE_SIZE - 512, srb);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 2], 0x01);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(p->data + HSV_SRB + 12),
			1024);

	/* READ(10) of them into the start of the buffer. */
	memset(va, 0, 2 * PAGE_SIZE);
	srb[10] = 1;
	srb[16] = 0x28;
	hsv_send_gpa(test, c, mem, 1, 1024, 0, srb);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	for (i = 0; i < 1024; i++)
		if (va[i] != i % 253)
			break;
	KUNIT_EXPECT_EQ(test, i, 1024);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(va + 1024, 0, PAGE_SIZE), NULL);

	/* Past the end: CHECK CONDITION with sense, nothing moved. */
	put_unaligned_be32(U32_MAX, srb + 16 + 2);
	hsv_send_gpa(test, c, mem, 1, 1024, 0, srb);
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0xc0000185);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 2], 0x86);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 3], 0x02);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 9], 0x14);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(p->data + HSV_SRB + 12), 0);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 16], 0x70);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 16 + 2], 0x05);
	KUNIT_EXPECT_EQ(test, p->data[HSV_SRB + 16 + 12], 0x21);

	/* A range shorter than the transfer length breaks the channel. */
	put_unaligned_be32(9, srb + 16 + 2);
	hsv_send_gpa(test, c, mem, 1, 512, 0, srb);
	KUNIT_EXPECT_TRUE(test, hct_chan_stats(test, 1).broken);
	KUNIT_EXPECT_FALSE(test, hct_read(test, c, p));
	/* So do two ranges. */
	hsv_reopen(test, c, 5);
	hsv_init(test, c, p);
	hsv_send_gpa(test, c, mem, 2, 1024, 0, srb);
	KUNIT_EXPECT_TRUE(test, hct_chan_stats(test, 1).broken);
	hct_close(test, 1);
	__free_pages(mem, 1);
}

static void hvsim_storvsp_subchannels(struct kunit *test)
{
	const struct vmbus_channel_offer_channel *o;
	struct hct_pkt *p = hsv_pkt(test);
	struct hct_chan *c = hsv_open(test, 4);
	u8 n[2] = { 5, 0 };

	hsv_init(test, c, p);
	hsv_send(test, c, HSV_CREATE_SUB_CHANNELS, n, sizeof(n));
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN),
			HSV_INVALID_PARAMETER);
	hct_expect_none(test);
	n[0] = 2;
	hsv_send(test, c, HSV_CREATE_SUB_CHANNELS, n, sizeof(n));
	KUNIT_EXPECT_EQ(test, hsv_reply(test, c, p, HSV_PKT_LEN), 0);
	o = (const void *)hct_expect(test, CHANNELMSG_OFFERCHANNEL)->data;
	KUNIT_EXPECT_EQ(test, o->offer.sub_channel_index, 1);
	KUNIT_EXPECT_TRUE(test, guid_equal(&o->offer.if_type, &hsv_class));
	o = (const void *)hct_expect(test, CHANNELMSG_OFFERCHANNEL)->data;
	KUNIT_EXPECT_EQ(test, o->offer.sub_channel_index, 2);
	hct_expect_none(test);
}

static struct kunit_case hvsim_storvsp_cases[] = {
	KUNIT_CASE(hvsim_storvsp_init_sequence),
	KUNIT_CASE(hvsim_storvsp_wrong_state),
	KUNIT_CASE(hvsim_storvsp_completion_size),
	KUNIT_CASE(hvsim_storvsp_malformed),
	KUNIT_CASE(hvsim_storvsp_gpa_io),
	KUNIT_CASE(hvsim_storvsp_subchannels),
	{}
};

static struct kunit_suite hvsim_storvsp_suite = {
	.name = "hvsim_storvsp",
	.init = hct_init,
	.exit = hct_exit,
	.test_cases = hvsim_storvsp_cases,
};
kunit_test_suite(hvsim_storvsp_suite);

/* ------------------------------------------------------------------------
 * The network VSP (hvsim/netvsp.c) on the same harness: NVSP version
 * negotiation, the buffers' GPADLs, the RNDIS control messages as
 * hv_netvsc sends them (through a send-buffer section here), what a
 * guest must not send, and the sub-channels taken back when the guest
 * closes the primary.
 */

#define HNV_MSG			40	/* Linux's NVSP message size */
#define HNV_RBUF_PAGES		16	/* 36 sub-allocations of 1806 bytes */
#define HNV_SBUF_PAGES		4	/* 2 sections of 6144 bytes */
#define HNV_SUB_SIZE		(256 + 1514 + 36)
#define HNV_FAIL		2
#define HNV_OK			1
#define HNV_V61			0x60001
#define HNV_NOT_SUPPORTED	0xc00000bb
#define HNV_INVALID_LENGTH	0xc0010014
#define HNV_INVALID_DATA	0xc0010015

static const guid_t hnv_instance =
	GUID_INIT(0x9c3e0001, 0, 0x4000, 0x80, 0, 0, 0, 0, 0x0f, 0x0e, 0x01);

/* The guest's NIC: its channel, buffers and a packet to read into. */
struct hnv {
	struct hct_chan *c;
	u8 *rbuf;
	u8 *sbuf;
	u64 rpfn;
	u64 spfn;
	struct hct_pkt *p;
	u8 ans[2][512];		/* RNDIS answers of the last request */
	u32 alen[2];
	u32 nans;
};

static void hnv_free_pages(void *data)
{
	free_pages_exact(data, HNV_RBUF_PAGES * PAGE_SIZE);
}

/* Pages of their own (the host takes a reference on each it maps). */
static u8 *hnv_pages(struct kunit *test, u64 *pfn)
{
	u8 *va = alloc_pages_exact(HNV_RBUF_PAGES * PAGE_SIZE,
				   GFP_KERNEL | __GFP_ZERO);

	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, hnv_free_pages,
							va), 0);
	*pfn = page_to_pfn(virt_to_page(va));
	return va;
}

/* A GPADL @id of @n pages from @pfn on relid 1; its creation status. */
static u32 hnv_gpadl(struct kunit *test, u32 id, u64 pfn, u32 n)
{
	u64 pfns[HNV_RBUF_PAGES];
	u32 i;

	for (i = 0; i < n; i++)
		pfns[i] = pfn + i;
	hct_gpadl_post(test, 1, id, pfns, n, NULL);
	return hct_expect_created(test, 1, id);
}

/* A NIC with @subch sub-channels, offered as relid 1 and opened. */
static struct hnv *hnv_open(struct kunit *test, u16 subch)
{
	struct hvsim_vmbus_dev_config cfg = {
		.class_id = HVSIM_NIC_CLASS_GUID,
		.instance_id = hnv_instance,
		.subch = subch,
	};
	struct vmbus_channel_message_header req = {
		.msgtype = CHANNELMSG_REQUESTOFFERS,
	};
	struct hnv *n = kunit_kzalloc(test, sizeof(*n), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, n);
	n->p = kunit_kzalloc(test, sizeof(*n->p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, n->p);
	n->rbuf = hnv_pages(test, &n->rpfn);
	n->sbuf = hnv_pages(test, &n->spfn);
	hct_connect(test, VERSION_WIN10_V5_3, 0);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_add(hct(test)->host, &cfg), 0);
	hct_post(test, &req, sizeof(req));
	hct_expect(test, CHANNELMSG_OFFERCHANNEL);
	hct_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED);
	n->c = hct_open(test, 1, 10, 3, 4);
	return n;
}

/* The next packet of @c, any type; false when there is none. */
static bool hnv_read(struct kunit *test, struct hct_chan *c,
		     struct hct_pkt *p)
{
	u32 r = READ_ONCE(c->in->read_index);
	/* The index before the packets it shows. */
	u32 w = smp_load_acquire(&c->in->write_index);
	u32 len;

	if (r == w)
		return false;
	hct_ring_read(c->in->buffer, c->in_size, r, &p->d, sizeof(p->d));
	len = p->d.len8 * 8;
	KUNIT_ASSERT_GE(test, len, 16U);
	KUNIT_ASSERT_LE(test, len - 16, (u32)sizeof(p->data));
	p->len = len - 16;
	hct_ring_read(c->in->buffer, c->in_size, (r + 16) % c->in_size,
		      p->data, p->len);
	/* The packet is copied out before the host may reuse its room. */
	smp_mb();
	WRITE_ONCE(c->in->read_index, (r + len + 8) % c->in_size);
	return true;
}

/* Send NVSP message @m (40 bytes), completion requested if @comp. */
static void hnv_send(struct kunit *test, struct hct_chan *c, const u8 *m,
		     u32 len, bool comp)
{
	KUNIT_ASSERT_GE(test, hct_write_inband(c, comp ?
			VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED : 0,
			0x55, m, len), 0);
	hct_signal(test, c->relid);
	hct_flush(test);
}

/* An NVSP message of type @type with up to 4 u32 fields after it. */
static void hnv_msg(u8 *m, u32 type, u32 a, u32 b, u32 c, u32 d)
{
	memset(m, 0, HNV_MSG);
	put_unaligned_le32(type, m);
	put_unaligned_le32(a, m + 4);
	put_unaligned_le32(b, m + 8);
	put_unaligned_le32(c, m + 12);
	put_unaligned_le32(d, m + 16);
}

/* The completion of the last request: its payload in n->p. */
static void hnv_expect_comp(struct kunit *test, struct hnv *n, u32 len)
{
	KUNIT_ASSERT_TRUE(test, hnv_read(test, n->c, n->p));
	KUNIT_EXPECT_EQ(test, n->p->d.type, VM_PKT_COMP);
	KUNIT_EXPECT_EQ(test, n->p->d.trans_id, 0x55);
	/* Padded to 28 or 40 bytes, then to 8 in the ring. */
	KUNIT_EXPECT_EQ(test, n->p->len, ALIGN(len, 8));
}

static u32 hnv_u32(struct hnv *n, u32 off)
{
	return get_unaligned_le32(n->p->data + off);
}

/* INIT of @ver; the status of INIT_COMPLETE. */
static u32 hnv_init_ver(struct kunit *test, struct hnv *n, u32 min, u32 max)
{
	u8 m[HNV_MSG];

	hnv_msg(m, 1, min, max, 0, 0);
	hnv_send(test, n->c, m, HNV_MSG, true);
	hnv_expect_comp(test, n, max == HNV_V61 && min <= max ? 40 : 28);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 0), 2);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 4), max == 2 ? 2 : 0xffffffff);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 8), 34);
	return hnv_u32(n, 12);
}

/* A receive or send buffer request; the status of its completion. */
static u32 hnv_buf(struct kunit *test, struct hnv *n, u32 type, u32 gpadl,
		   u32 id)
{
	u8 m[HNV_MSG];

	hnv_msg(m, type, gpadl, id, 0, 0);
	hnv_send(test, n->c, m, HNV_MSG, true);
	hnv_expect_comp(test, n, 40);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 0), type + 1);
	return hnv_u32(n, 4);
}

/* The whole NVSP start as hv_netvsc does it, GPADLs @rid and @rid + 1. */
static void hnv_start(struct kunit *test, struct hnv *n, u32 rid)
{
	u8 m[HNV_MSG];

	KUNIT_ASSERT_EQ(test, hnv_init_ver(test, n, HNV_V61, HNV_V61), HNV_OK);
	hnv_msg(m, 125, 1514, 0, 0x8, 0);
	hnv_send(test, n->c, m, HNV_MSG, false);
	hnv_msg(m, 100, 6, 30, 0, 0);
	hnv_send(test, n->c, m, HNV_MSG, false);
	KUNIT_ASSERT_EQ(test, hnv_gpadl(test, rid, n->rpfn, HNV_RBUF_PAGES), 0);
	KUNIT_ASSERT_EQ(test, hnv_buf(test, n, 101, rid, 0xcafe), HNV_OK);
	KUNIT_ASSERT_EQ(test, hnv_gpadl(test, rid + 1, n->spfn,
					HNV_SBUF_PAGES), 0);
	KUNIT_ASSERT_EQ(test, hnv_buf(test, n, 104, rid + 1, 0), HNV_OK);
}

/* Complete a transfer-page packet as the guest does. */
static void hnv_complete_xfer(struct kunit *test, struct hnv *n, u64 tid)
{
	u8 pkt[24] = {};
	struct vmpacket_descriptor *d = (void *)pkt;

	d->type = VM_PKT_COMP;
	d->offset8 = 2;
	d->len8 = 3;
	d->trans_id = tid;
	put_unaligned_le32(108, pkt + 16);
	put_unaligned_le32(HNV_OK, pkt + 20);
	KUNIT_ASSERT_GE(test, hct_write_raw(n->c, pkt, sizeof(pkt)), 0);
}

/*
 * An RNDIS message of @len bytes through send-buffer section 0, of
 * channel type @ctype.  The host's answers (transfer-page packets) go
 * to n->ans[] and are completed; returns the status of the
 * SEND_RNDIS_PKT's completion.
 */
static u32 hnv_rndis(struct kunit *test, struct hnv *n, u32 ctype,
		     const u8 *msg, u32 len)
{
	u32 off, cnt, status;
	u8 m[HNV_MSG];

	memcpy(n->sbuf, msg, len);
	hnv_msg(m, 107, ctype, 0, len, 0);
	hnv_send(test, n->c, m, HNV_MSG, true);
	n->nans = 0;
	for (;;) {
		KUNIT_ASSERT_TRUE(test, hnv_read(test, n->c, n->p));
		if (n->p->d.type == VM_PKT_COMP)
			break;
		KUNIT_ASSERT_EQ(test, n->p->d.type,
				VM_PKT_DATA_USING_XFER_PAGES);
		KUNIT_ASSERT_LT(test, n->nans, 2U);
		/* Set 0xcafe, one range, then SEND_RNDIS_PKT (control). */
		KUNIT_EXPECT_EQ(test, get_unaligned_le16(n->p->data), 0xcafe);
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(n->p->data + 4), 1);
		cnt = get_unaligned_le32(n->p->data + 8);
		off = get_unaligned_le32(n->p->data + 12);
		KUNIT_EXPECT_EQ(test, hnv_u32(n, 16), 107);
		KUNIT_EXPECT_EQ(test, hnv_u32(n, 20), 1);
		KUNIT_EXPECT_EQ(test, hnv_u32(n, 24), 0xffffffff);
		KUNIT_EXPECT_EQ(test, off % HNV_SUB_SIZE, 0);
		KUNIT_ASSERT_LE(test, cnt, (u32)sizeof(n->ans[0]));
		KUNIT_ASSERT_LE(test, off + cnt, HNV_RBUF_PAGES * PAGE_SIZE);
		memcpy(n->ans[n->nans], n->rbuf + off, cnt);
		n->alen[n->nans++] = cnt;
		KUNIT_EXPECT_EQ(test, get_unaligned_le32(n->rbuf + off + 4),
				cnt);
		hnv_complete_xfer(test, n, n->p->d.trans_id);
	}
	KUNIT_EXPECT_EQ(test, n->p->d.trans_id, 0x55);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 0), 108);
	status = hnv_u32(n, 4);
	hct_signal(test, n->c->relid);
	hct_flush(test);
	return status;
}

/* RNDIS INITIALIZE (request ID 0, so no answer is checked here). */
static u32 hnv_rndis_init(struct kunit *test, struct hnv *n)
{
	u8 msg[24] = {};

	put_unaligned_le32(2, msg);			/* INITIALIZE */
	put_unaligned_le32(sizeof(msg), msg + 4);
	return hnv_rndis(test, n, 1, msg, sizeof(msg));
}

/* A 60-byte broadcast frame in one RNDIS PACKET; the completion's status. */
static u32 hnv_bcast(struct kunit *test, struct hnv *n)
{
	u8 msg[8 + 36 + 60] = {};

	put_unaligned_le32(1, msg);			/* PACKET */
	put_unaligned_le32(sizeof(msg), msg + 4);
	put_unaligned_le32(36, msg + 8);		/* data offset */
	put_unaligned_le32(60, msg + 12);		/* data length */
	memset(msg + 44, 0xff, 6);			/* broadcast */
	return hnv_rndis(test, n, 0, msg, sizeof(msg));
}

static u32 hnv_ans(struct hnv *n, u32 i, u32 off)
{
	return get_unaligned_le32(n->ans[i] + off);
}

/* QUERY or SET (@type 4 or 5) of @oid with @buf; the answer's status. */
static u32 hnv_oid(struct kunit *test, struct hnv *n, u32 type, u32 oid,
		   const void *buf, u32 blen)
{
	u8 msg[512] = {};

	put_unaligned_le32(type, msg);
	put_unaligned_le32(28 + blen, msg + 4);
	put_unaligned_le32(0x100 + oid % 251, msg + 8);	/* request ID */
	put_unaligned_le32(oid, msg + 12);
	put_unaligned_le32(blen, msg + 16);
	put_unaligned_le32(20, msg + 20);
	memcpy(msg + 28, buf, blen);
	KUNIT_EXPECT_EQ(test, hnv_rndis(test, n, 1, msg, 28 + blen), HNV_OK);
	KUNIT_ASSERT_GE(test, n->nans, 1U);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 0), 0x80000000 | type);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 8), 0x100 + oid % 251);
	return hnv_ans(n, 0, 12);
}

static const u32 hnv_versions[] = {
	0x2, 0x30002, 0x40000, 0x50000, 0x60000, 0x60001,
	0x0, 0x10000, 0x20000, 0x30000, 0x30001, 0x60002, 0x70000,
};

static void hnv_version_desc(const u32 *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%#x", *v);
}

KUNIT_ARRAY_PARAM(hnv_version, hnv_versions, hnv_version_desc);

static void hvsim_netvsp_versions(struct kunit *test)
{
	u32 v = *(const u32 *)test->param_value;
	bool ok = v == 0x2 || v == 0x30002 || v == 0x40000 || v == 0x50000 ||
		  v == 0x60000 || v == 0x60001;
	struct hnv *n = hnv_open(test, 0);

	/* OpenVMM: SUCCESS for its versions, NONE (0) for any other. */
	KUNIT_EXPECT_EQ(test, hnv_init_ver(test, n, v, v), ok ? HNV_OK : 0);
	if (!ok) {
		/* The guest tries the next one, as Linux does. */
		KUNIT_EXPECT_EQ(test, hnv_init_ver(test, n, 0x50000, 0x50000),
				HNV_OK);
	}
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
	/* A second INIT once one succeeded is a protocol error. */
	hnv_msg(n->p->data, 1, 0x2, 0x2, 0, 0);
	hnv_send(test, n->c, n->p->data, HNV_MSG, true);
	KUNIT_EXPECT_TRUE(test, hct_chan_stats(test, 1).broken);
}

static void hvsim_netvsp_init_range(struct kunit *test)
{
	struct hnv *n = hnv_open(test, 0);

	/* A minimum above the maximum is no version. */
	KUNIT_EXPECT_EQ(test, hnv_init_ver(test, n, HNV_V61, 0x50000), 0);
	KUNIT_EXPECT_EQ(test, hnv_init_ver(test, n, 0x2, HNV_V61), HNV_OK);
}

static void hvsim_netvsp_buffers(struct kunit *test)
{
	struct hnv *n = hnv_open(test, 0);
	u8 m[HNV_MSG];

	KUNIT_ASSERT_EQ(test, hnv_init_ver(test, n, HNV_V61, HNV_V61), HNV_OK);
	KUNIT_ASSERT_EQ(test, hnv_gpadl(test, 20, n->rpfn, HNV_RBUF_PAGES), 0);
	/* Before the NDIS config and version: refused. */
	KUNIT_EXPECT_EQ(test, hnv_buf(test, n, 101, 20, 0xcafe), HNV_FAIL);
	hnv_msg(m, 125, 1514, 0, 0x8, 0);
	hnv_send(test, n->c, m, HNV_MSG, false);
	KUNIT_EXPECT_EQ(test, hnv_buf(test, n, 101, 20, 0xcafe), HNV_FAIL);
	hnv_msg(m, 100, 6, 30, 0, 0);
	hnv_send(test, n->c, m, HNV_MSG, false);
	KUNIT_EXPECT_FALSE(test, hnv_read(test, n->c, n->p));
	/* A GPADL the guest never created; one too small (2 of 1806). */
	KUNIT_EXPECT_EQ(test, hnv_buf(test, n, 101, 99, 0xcafe), HNV_FAIL);
	KUNIT_ASSERT_EQ(test, hnv_gpadl(test, 30, n->spfn, 1), 0);
	KUNIT_EXPECT_EQ(test, hnv_buf(test, n, 101, 30, 0xcafe), HNV_FAIL);
	/* No send buffer before the receive buffer. */
	KUNIT_ASSERT_EQ(test, hnv_gpadl(test, 21, n->spfn, HNV_SBUF_PAGES), 0);
	KUNIT_EXPECT_EQ(test, hnv_buf(test, n, 104, 21, 0), HNV_FAIL);
	/* The receive buffer: one section of 1806-byte sub-allocations. */
	KUNIT_ASSERT_EQ(test, hnv_buf(test, n, 101, 20, 0xcafe), HNV_OK);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 8), 1);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 12), 0);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 16), HNV_SUB_SIZE);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 20),
			HNV_RBUF_PAGES * PAGE_SIZE / HNV_SUB_SIZE);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 24),
			HNV_RBUF_PAGES * PAGE_SIZE / HNV_SUB_SIZE *
			HNV_SUB_SIZE);
	/* Once only. */
	KUNIT_EXPECT_EQ(test, hnv_buf(test, n, 101, 20, 0xcafe), HNV_FAIL);
	/* The send buffer: no such GPADL, then 6144-byte sections. */
	KUNIT_EXPECT_EQ(test, hnv_buf(test, n, 104, 98, 0), HNV_FAIL);
	KUNIT_ASSERT_EQ(test, hnv_buf(test, n, 104, 21, 0xface), HNV_OK);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 8), 6144);
	KUNIT_EXPECT_EQ(test, hnv_buf(test, n, 104, 21, 0), HNV_FAIL);
	/* An unknown message is dropped without an answer. */
	hnv_msg(m, 999, 0, 0, 0, 0);
	hnv_send(test, n->c, m, HNV_MSG, true);
	KUNIT_EXPECT_FALSE(test, hnv_read(test, n->c, n->p));
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
	/* A message shorter than its type: the channel is broken. */
	hnv_msg(m, 133, 1, 0, 0, 0);
	hnv_send(test, n->c, m, 8, true);
	KUNIT_EXPECT_TRUE(test, hct_chan_stats(test, 1).broken);
}

/*
 * The guest revokes both buffers and sends them again, as hv_netvsc does
 * on each detach and attach: the host's private send copies go with the
 * receive buffer each time, and data is taken again after each attach.
 */
static void hvsim_netvsp_revoke(struct kunit *test)
{
	struct hnv *n = hnv_open(test, 0);
	int live = hvsim_netvsp_live_bufs();
	u8 m[HNV_MSG];
	u32 i, rid = 20;

	hnv_start(test, n, rid);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_live_bufs(), live + 1);
	KUNIT_EXPECT_EQ(test, hnv_rndis_init(test, n), HNV_OK);
	for (i = 0; i < 4; i++) {
		/* Without completions, then the GPADLs go. */
		hnv_msg(m, 103, 0xcafe, 0, 0, 0);
		hnv_send(test, n->c, m, HNV_MSG, false);
		hnv_msg(m, 106, 0, 0, 0, 0);
		hnv_send(test, n->c, m, HNV_MSG, false);
		KUNIT_EXPECT_FALSE(test, hnv_read(test, n->c, n->p));
		KUNIT_EXPECT_EQ(test, hvsim_netvsp_live_bufs(), live);
		hct_teardown(test, 1, rid);
		hct_expect_torndown(test, rid);
		hct_teardown(test, 1, rid + 1);
		hct_expect_torndown(test, rid + 1);

		rid += 2;
		KUNIT_ASSERT_EQ(test, hnv_gpadl(test, rid, n->rpfn,
						HNV_RBUF_PAGES), 0);
		KUNIT_ASSERT_EQ(test, hnv_buf(test, n, 101, rid, 0xcafe),
				HNV_OK);
		KUNIT_ASSERT_EQ(test, hnv_gpadl(test, rid + 1, n->spfn,
						HNV_SBUF_PAGES), 0);
		KUNIT_ASSERT_EQ(test, hnv_buf(test, n, 104, rid + 1, 0),
				HNV_OK);
		KUNIT_EXPECT_EQ(test, hvsim_netvsp_live_bufs(), live + 1);

		/* INITIALIZE again; then a 60-byte broadcast frame. */
		KUNIT_EXPECT_EQ(test, hnv_rndis_init(test, n), HNV_OK);
		KUNIT_EXPECT_EQ(test, hnv_bcast(test, n), HNV_OK);
	}
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
	/* The primary's close gives them back too. */
	hct_close(test, 1);
	KUNIT_EXPECT_EQ(test, hvsim_netvsp_live_bufs(), live);
}

static void hvsim_netvsp_rndis(struct kunit *test)
{
	struct hnv *n = hnv_open(test, 3);
	u8 msg[512] = {}, buf[200] = {};
	static const u8 mc[12] = { 0x01, 0, 0x5e, 0, 0, 1, 0x33, 0x33, 0, 0,
				   0, 1 };

	hnv_start(test, n, 20);

	/* INITIALIZE: OpenVMM's answer. */
	put_unaligned_le32(2, msg);
	put_unaligned_le32(24, msg + 4);
	put_unaligned_le32(7, msg + 8);
	put_unaligned_le32(1, msg + 12);
	put_unaligned_le32(0x4000, msg + 20);
	KUNIT_EXPECT_EQ(test, hnv_rndis(test, n, 1, msg, 24), HNV_OK);
	KUNIT_ASSERT_EQ(test, n->nans, 1U);
	KUNIT_EXPECT_EQ(test, n->alen[0], 52U);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 0), 0x80000002);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 8), 7);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 12), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 16), 1);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24), 1);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 32), 8);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 36), 0xefffffff);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 40), 3);

	/* QUERY: frame size, link speed, MAC, an unknown OID. */
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0x00010106, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 16), 4);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 20), 16);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24), 1500);
	/* 10 Gbit/s in units of 100 bit/s, as OpenVMM's default. */
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0x00010107, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 16), 4);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 20), 16);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24), 100000000);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0x01010101, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 16), 6);
	KUNIT_EXPECT_EQ(test, n->ans[0][24], 0x00);
	KUNIT_EXPECT_EQ(test, n->ans[0][25], 0x15);
	KUNIT_EXPECT_EQ(test, n->ans[0][26], 0x5d);
	KUNIT_EXPECT_EQ(test, n->ans[0][29], 0x01);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0x12345678, NULL, 0),
			HNV_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 16), 0);

	/* The offload capabilities, revision 3 as asked. */
	buf[0] = 0xa7;
	buf[1] = 3;
	put_unaligned_le16(156, buf + 2);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0xfc01020d, buf, 4), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 16), 156);
	KUNIT_EXPECT_EQ(test, n->ans[0][24], 0xa7);
	KUNIT_EXPECT_EQ(test, n->ans[0][25], 3);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24 + 8), 0x155);	/* IPv4 TX */
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24 + 24), 0x55);	/* IPv6 TX */
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24 + 80), 2);	/* 802.3 */
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24 + 84), 62780);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24 + 88), 2);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24 + 104), 5);
	/* RSS: 1 + 3 queues. */
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0x00010203, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 16), 18);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24 + 12), 4);

	/* SET: packet filter, multicast list, and their bad lengths. */
	put_unaligned_le32(0xd, buf);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0x0001010e, buf, 4), 0);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0x0001010e, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24), 0xd);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0x0001010e, buf, 2),
			HNV_INVALID_LENGTH);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0x01010103, mc, 12), 0);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0x01010103, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 16), 12);
	KUNIT_EXPECT_EQ(test, memcmp(n->ans[0] + 24, mc, 12), 0);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0x01010103, mc, 7),
			HNV_INVALID_LENGTH);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0x01010103, buf, 33 * 6),
			HNV_INVALID_LENGTH);
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0x12345678, buf, 4),
			HNV_NOT_SUPPORTED);

	/* OFFLOAD_PARAMETERS as Linux sets them: SET_C, then the new config. */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x80;
	buf[1] = 3;
	put_unaligned_le16(28, buf + 2);
	buf[4] = 1;			/* IPv4 header checksum off */
	buf[5] = buf[6] = buf[7] = buf[8] = 4;
	buf[11] = buf[12] = 2;		/* LSOv2 */
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0xfc01020c, buf, 28), 0);
	KUNIT_ASSERT_EQ(test, n->nans, 2U);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 1, 0), 7);		/* INDICATE */
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 1, 8), 0x40020006);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 1, 12), 156);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 1, 16), 12);
	KUNIT_EXPECT_EQ(test, n->ans[1][20], 0xa7);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 1, 20 + 8), 0x55);	/* no IP4 */
	/* LSOv1 or RSC on: not supported; a value out of range, bad type,
	 * short: invalid.  No new config is indicated.
	 */
	buf[9] = 2;
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0xfc01020c, buf, 28),
			HNV_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, n->nans, 1U);
	buf[9] = 0;
	buf[22] = 2;
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0xfc01020c, buf, 28),
			HNV_NOT_SUPPORTED);
	buf[22] = 0;
	buf[11] = 3;
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0xfc01020c, buf, 28),
			HNV_INVALID_DATA);
	buf[11] = 2;
	buf[5] = 5;
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0xfc01020c, buf, 28),
			HNV_INVALID_DATA);
	buf[5] = 4;
	buf[0] = 0x81;
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0xfc01020c, buf, 28),
			HNV_INVALID_DATA);
	buf[0] = 0x80;
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 5, 0xfc01020c, buf, 19),
			HNV_INVALID_LENGTH);
	KUNIT_EXPECT_EQ(test, n->nans, 1U);

	/* KEEPALIVE and RESET. */
	memset(msg, 0, sizeof(msg));
	put_unaligned_le32(8, msg);
	put_unaligned_le32(12, msg + 4);
	put_unaligned_le32(0x99, msg + 8);
	KUNIT_EXPECT_EQ(test, hnv_rndis(test, n, 1, msg, 12), HNV_OK);
	KUNIT_ASSERT_EQ(test, n->nans, 1U);
	KUNIT_EXPECT_EQ(test, n->alen[0], 16U);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 0), 0x80000008);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 8), 0x99);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 12), 0);
	put_unaligned_le32(6, msg);
	KUNIT_EXPECT_EQ(test, hnv_rndis(test, n, 1, msg, 12), HNV_OK);
	KUNIT_ASSERT_EQ(test, n->nans, 1U);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 0), 0x80000006);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 8), 0);
	/* The settings stay over a RESET. */
	KUNIT_EXPECT_EQ(test, hnv_oid(test, n, 4, 0x0001010e, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, hnv_ans(n, 0, 24), 0xd);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
}

/* One malformed control message each: FAIL, no answer, channel up. */
struct hnv_bad {
	const char *name;
	u32 type;
	u32 msg_len;
	u32 len;	/* bytes sent */
	u32 off;	/* a body field to set (0: none) */
	u32 val;
};

static const struct hnv_bad hnv_bad_cases[] = {
	{ "message length below its header", 4, 4, 28, 0, 0 },
	{ "message length past what was sent", 4, 64, 28, 0, 0 },
	{ "QUERY without a whole body", 4, 24, 24, 0, 0 },
	{ "QUERY info offset inside the body", 4, 32, 32, 12, 12 },
	{ "QUERY info past the message", 4, 32, 32, 8, 8 },
	{ "QUERY info length wraps", 4, 32, 32, 8, 0xfffffffc },
	{ "SET info offset past the message", 5, 32, 32, 12, 200 },
	{ "INITIALIZE without a whole body", 2, 20, 20, 0, 0 },
	{ "KEEPALIVE without its request ID", 8, 8, 8, 0, 0 },
	{ "SET_EX", 9, 32, 32, 0, 0 },
	{ "INDICATE_STATUS from the guest", 7, 20, 20, 0, 0 },
	{ "a completion type", 0x80000004, 28, 28, 0, 0 },
};

static void hnv_bad_desc(const struct hnv_bad *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hnv_bad, hnv_bad_cases, hnv_bad_desc);

static void hvsim_netvsp_rndis_malformed(struct kunit *test)
{
	const struct hnv_bad *c = test->param_value;
	struct hnv *n = hnv_open(test, 0);
	u8 msg[64] = {};

	hnv_start(test, n, 20);
	put_unaligned_le32(c->type, msg);
	put_unaligned_le32(c->msg_len, msg + 4);
	put_unaligned_le32(1, msg + 8);
	put_unaligned_le32(0x0001010e, msg + 12);	/* packet filter */
	put_unaligned_le32(4, msg + 16);
	put_unaligned_le32(20, msg + 20);
	if (c->off)
		put_unaligned_le32(c->val, msg + 8 + c->off);
	KUNIT_EXPECT_EQ(test, hnv_rndis(test, n, 1, msg, c->len), HNV_FAIL);
	KUNIT_EXPECT_EQ(test, n->nans, 0U);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
}

static void hvsim_netvsp_halt(struct kunit *test)
{
	struct hnv *n = hnv_open(test, 0);
	u8 msg[128] = {};

	hnv_start(test, n, 20);
	KUNIT_EXPECT_EQ(test, hnv_rndis_init(test, n), HNV_OK);
	/* A PACKET of a 60-byte frame is taken while initialized ... */
	KUNIT_EXPECT_EQ(test, hnv_bcast(test, n), HNV_OK);
	/* ... HALT has no answer ... */
	memset(msg, 0, 12);
	put_unaligned_le32(3, msg);
	put_unaligned_le32(12, msg + 4);
	KUNIT_EXPECT_EQ(test, hnv_rndis(test, n, 1, msg, 12), HNV_OK);
	KUNIT_EXPECT_EQ(test, n->nans, 0U);
	/* ... and data after it fails. */
	KUNIT_EXPECT_EQ(test, hnv_bcast(test, n), HNV_FAIL);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
}

/* SUBCHANNEL for @num; the granted count, @status checked. */
static u32 hnv_subchannel(struct kunit *test, struct hnv *n, u32 op, u32 num,
			  u32 status)
{
	u8 m[HNV_MSG];

	hnv_msg(m, 133, op, num, 0, 0);
	hnv_send(test, n->c, m, HNV_MSG, true);
	hnv_expect_comp(test, n, 40);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 0), 133);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 4), status);
	return hnv_u32(n, 8);
}

static u32 hnv_expect_offer(struct kunit *test, u16 index)
{
	const struct vmbus_channel_offer_channel *o;

	o = (const void *)hct_expect(test, CHANNELMSG_OFFERCHANNEL)->data;
	KUNIT_EXPECT_EQ(test, o->offer.sub_channel_index, index);
	KUNIT_EXPECT_TRUE(test, guid_equal(&o->offer.if_instance,
					   &hnv_instance));
	return o->child_relid;
}

static void hnv_release(struct kunit *test, u32 relid)
{
	struct vmbus_channel_relid_released r = {
		.header.msgtype = CHANNELMSG_RELID_RELEASED,
		.child_relid = relid,
	};

	hct_post(test, &r, sizeof(r));
}

static void hvsim_netvsp_subchannels(struct kunit *test)
{
	const struct vmbus_channel_rescind_offer *r;
	struct hnv *n = hnv_open(test, 2);
	u32 relid[2], i;

	hnv_start(test, n, 20);
	/* More than the device has, or another operation: FAIL, 0. */
	KUNIT_EXPECT_EQ(test, hnv_subchannel(test, n, 1, 3, HNV_FAIL), 0);
	KUNIT_EXPECT_EQ(test, hnv_subchannel(test, n, 2, 2, HNV_FAIL), 0);
	hct_expect_none(test);
	KUNIT_EXPECT_EQ(test, hnv_subchannel(test, n, 1, 2, HNV_OK), 2);
	relid[0] = hnv_expect_offer(test, 1);
	relid[1] = hnv_expect_offer(test, 2);
	/* Once per attach. */
	KUNIT_EXPECT_EQ(test, hnv_subchannel(test, n, 1, 2, HNV_FAIL), 0);
	hct_open(test, relid[0], 11, 2, 2);
	hct_open(test, relid[1], 12, 2, 2);
	/* All open: the send indirection table, at byte 40, i % 3. */
	KUNIT_ASSERT_TRUE(test, hnv_read(test, n->c, n->p));
	KUNIT_EXPECT_EQ(test, n->p->d.type, VM_PKT_DATA_INBAND);
	KUNIT_EXPECT_EQ(test, n->p->len, 104U);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 0), 134);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 4), 16);
	KUNIT_EXPECT_EQ(test, hnv_u32(n, 8), 40);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, hnv_u32(n, 40 + 4 * i), i % 3);

	/* The guest closes the sub-channels, then the primary. */
	hct_close(test, relid[0]);
	hct_close(test, relid[1]);
	hct_expect_none(test);
	hct_close(test, 1);
	for (i = 0; i < 2; i++) {
		r = (const void *)hct_expect(test,
					     CHANNELMSG_RESCIND_CHANNELOFFER)->data;
		KUNIT_EXPECT_EQ(test, r->child_relid, relid[i]);
	}
	hct_expect_none(test);
	/* A withdrawn sub-channel cannot be opened. */
	hct_open_msg(test, relid[0], 11, 2, 0, 0x77);
	hct_expect_none(test);

	/* Attached again: granted, offered once the guest let the old go. */
	WRITE_ONCE(n->c->out->write_index, 0);
	WRITE_ONCE(n->c->out->read_index, 0);
	WRITE_ONCE(n->c->in->write_index, 0);
	WRITE_ONCE(n->c->in->read_index, 0);
	hct_open_msg(test, 1, 10, 4, 0, 0x99);
	KUNIT_ASSERT_EQ(test, hct_expect_open_result(test, 1, 0x99), 0);
	hnv_start(test, n, 40);
	KUNIT_EXPECT_EQ(test, hnv_subchannel(test, n, 1, 2, HNV_OK), 2);
	hct_expect_none(test);
	hnv_release(test, relid[0]);
	hnv_expect_offer(test, 1);
	hct_expect_none(test);
	hnv_release(test, relid[1]);
	hnv_expect_offer(test, 2);
	hct_expect_none(test);
	KUNIT_EXPECT_FALSE(test, hct_chan_stats(test, 1).broken);
}

static struct kunit_case hvsim_netvsp_cases[] = {
	KUNIT_CASE_PARAM(hvsim_netvsp_versions, hnv_version_gen_params),
	KUNIT_CASE(hvsim_netvsp_init_range),
	KUNIT_CASE(hvsim_netvsp_buffers),
	KUNIT_CASE(hvsim_netvsp_revoke),
	KUNIT_CASE(hvsim_netvsp_rndis),
	KUNIT_CASE_PARAM(hvsim_netvsp_rndis_malformed, hnv_bad_gen_params),
	KUNIT_CASE(hvsim_netvsp_halt),
	KUNIT_CASE(hvsim_netvsp_subchannels),
	{}
};

static struct kunit_suite hvsim_netvsp_suite = {
	.name = "hvsim_netvsp",
	.init = hct_init,
	.exit = hct_exit,
	.test_cases = hvsim_netvsp_cases,
};
kunit_test_suite(hvsim_netvsp_suite);
