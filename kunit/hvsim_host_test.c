// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: hvsim's VMBus host, control plane.
 *
 * Each case creates a private host whose sink records the messages it
 * sends, and plays the guest with hvsim_vmbus_post(): no SynIC and no
 * interrupt handler are involved, and the connection of a bus driver to
 * the backend's own host is left alone.  Everything that impersonates the
 * guest is in the "guest" section below.  One case goes through hvcore to
 * the backend's host, with messages that change no connection state.
 */
#include <kunit/test.h>
#include <linux/hyperv.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/uuid.h>
#include <hvguest/hvcore.h>
#include "../hvsim/vmbus_host.h"

#define HHT_VPS		4	/* the VPs of the test partition */
#define HHT_CAPTURE	96	/* messages a case can take */
#define HHT_SINT	HVCORE_VMBUS_SINT

struct hht_msg {
	u32 vp;
	u32 sint;
	u32 len;
	u8 data[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

/* One case's host and what its sink recorded. */
struct hht {
	struct hvsim_vmbus *host;
	spinlock_t lock;
	bool full;		/* the sink refuses, like a full SynIC queue */
	unsigned int n;		/* recorded */
	unsigned int next;	/* taken by the case */
	unsigned int lost;	/* past HHT_CAPTURE */
	struct hht_msg msgs[HHT_CAPTURE];
};

static int hht_sink_post(void *ctx, u32 vp, u32 sint, const void *msg,
			 u32 len)
{
	struct hht *h = ctx;
	int ret = 0;

	/* What the SynIC answers for a VP or SINT it does not have. */
	if (vp >= HHT_VPS)
		return -ENODEV;
	if (sint >= HV_SYNIC_SINT_COUNT || len > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EINVAL;

	spin_lock(&h->lock);
	if (h->full) {
		ret = -EAGAIN;
	} else if (h->n == HHT_CAPTURE) {
		h->lost++;
	} else {
		h->msgs[h->n].vp = vp;
		h->msgs[h->n].sint = sint;
		h->msgs[h->n].len = len;
		memcpy(h->msgs[h->n].data, msg, len);
		h->n++;
	}
	spin_unlock(&h->lock);
	return ret;
}

static bool hht_sink_vp_valid(void *ctx, u32 vp)
{
	return vp < HHT_VPS;
}

static const struct hvsim_vmbus_sink hht_sink = {
	.post = hht_sink_post,
	.vp_valid = hht_sink_vp_valid,
};

static int hht_init(struct kunit *test)
{
	struct hht *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	spin_lock_init(&h->lock);
	h->host = hvsim_vmbus_create("hvsim_host_test", &hht_sink, h);
	KUNIT_ASSERT_NOT_NULL(test, h->host);
	test->priv = h;
	return 0;
}

static void hht_exit(struct kunit *test)
{
	struct hht *h = test->priv;

	if (!h)
		return;
	KUNIT_EXPECT_EQ(test, h->lost, 0);
	hvsim_vmbus_destroy(h->host);
}

static struct hht *hht(struct kunit *test)
{
	return test->priv;
}

static struct hvsim_vmbus_stats *hht_stats(struct kunit *test)
{
	struct hvsim_vmbus_stats *st;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	hvsim_vmbus_get_stats(hht(test)->host, st);
	return st;
}

/* The sink fills up, or has room again (and the host is told). */
static void hht_set_full(struct kunit *test, bool full)
{
	struct hht *h = hht(test);

	spin_lock(&h->lock);
	h->full = full;
	spin_unlock(&h->lock);
	if (!full) {
		hvsim_vmbus_kick(h->host);
		hvsim_vmbus_flush(h->host);
	}
}

/* The next message the host sent, or NULL. */
static const struct hht_msg *hht_next(struct kunit *test)
{
	struct hht *h = hht(test);
	const struct hht_msg *m = NULL;

	spin_lock(&h->lock);
	if (h->next < h->n)
		m = &h->msgs[h->next++];
	spin_unlock(&h->lock);
	return m;
}

/* The next message must be a @msgtype of @len bytes to the VMBus SINT. */
static const struct hht_msg *hht_expect(struct kunit *test, u32 msgtype,
					u32 len)
{
	const struct hht_msg *m = hht_next(test);

	KUNIT_ASSERT_NOT_NULL_MSG(test, m, "no message, want %s",
				  hvsim_vmbus_msg_name(msgtype));
	KUNIT_ASSERT_EQ_MSG(test, get_unaligned_le32(m->data), msgtype,
			    "got %s, want %s",
			    hvsim_vmbus_msg_name(get_unaligned_le32(m->data)),
			    hvsim_vmbus_msg_name(msgtype));
	KUNIT_EXPECT_EQ(test, m->len, len);
	KUNIT_EXPECT_EQ(test, m->sint, HHT_SINT);
	/* The header's padding word. */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(m->data + 4), 0);
	return m;
}

static void hht_expect_none(struct kunit *test)
{
	const struct hht_msg *m = hht_next(test);

	KUNIT_EXPECT_NULL_MSG(test, m, "unexpected %s",
			      m ? hvsim_vmbus_msg_name(get_unaligned_le32(m->data)) :
				  "");
}

/* A successful or failed VERSION_RESPONSE to @vp. */
static void hht_expect_version(struct kunit *test, u32 vp, u8 state,
			       u32 field)
{
	const struct hht_msg *m;
	const struct vmbus_channel_version_response *r;

	m = hht_expect(test, CHANNELMSG_VERSION_RESPONSE, sizeof(*r));
	r = (const void *)m->data;
	KUNIT_EXPECT_EQ(test, m->vp, vp);
	KUNIT_EXPECT_EQ(test, r->version_supported, 1);
	KUNIT_EXPECT_EQ(test, r->connection_state, state);
	KUNIT_EXPECT_EQ(test, r->padding, 0);
	KUNIT_EXPECT_EQ(test, r->msg_conn_id, field);
}

/* "Not supported": a short VERSION_RESPONSE, all zero after the type. */
static void hht_expect_unsupported(struct kunit *test, u32 vp, u32 sint)
{
	const struct hht_msg *m = hht_next(test);

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(m->data),
			CHANNELMSG_VERSION_RESPONSE);
	KUNIT_EXPECT_EQ(test, m->len,
			sizeof(struct vmbus_channel_version_response));
	KUNIT_EXPECT_EQ(test, m->vp, vp);
	KUNIT_EXPECT_EQ(test, m->sint, sint);
	KUNIT_EXPECT_NULL(test, memchr_inv(m->data + 4, 0, m->len - 4));
}

static void hht_expect_offer(struct kunit *test,
			     const struct hvsim_vmbus_dev_config *cfg,
			     u32 relid, u8 monitorid, bool allocated)
{
	const struct vmbus_channel_offer_channel *o;
	const struct hht_msg *m;

	m = hht_expect(test, CHANNELMSG_OFFERCHANNEL, sizeof(*o));
	o = (const void *)m->data;
	KUNIT_EXPECT_TRUE(test, guid_equal(&o->offer.if_type, &cfg->class_id));
	KUNIT_EXPECT_TRUE(test, guid_equal(&o->offer.if_instance,
					   &cfg->instance_id));
	KUNIT_EXPECT_EQ(test, o->offer.reserved1, 0);
	KUNIT_EXPECT_EQ(test, o->offer.reserved2, 0);
	KUNIT_EXPECT_EQ(test, o->offer.chn_flags, cfg->flags);
	KUNIT_EXPECT_EQ(test, o->offer.mmio_megabytes, cfg->mmio_mb);
	KUNIT_EXPECT_NULL(test, memchr_inv(o->offer.u.std.user_def, 0,
					   MAX_USER_DEFINED_BYTES));
	KUNIT_EXPECT_EQ(test, o->offer.sub_channel_index, 0);
	KUNIT_EXPECT_EQ(test, o->offer.reserved3, 0);
	KUNIT_EXPECT_EQ(test, o->child_relid, relid);
	KUNIT_EXPECT_EQ(test, o->monitorid, monitorid);
	KUNIT_EXPECT_EQ(test, (u32)o->monitor_allocated, allocated);
	KUNIT_EXPECT_EQ(test, (u32)o->reserved, 0);
	KUNIT_EXPECT_EQ(test, (u32)o->is_dedicated_interrupt, 1);
	KUNIT_EXPECT_EQ(test, (u32)o->reserved1, 0);
	KUNIT_EXPECT_EQ(test, o->connection_id, 0x2000 + relid);
}

static void hht_expect_rescind(struct kunit *test, u32 relid)
{
	const struct vmbus_channel_rescind_offer *r;

	r = (const void *)hht_expect(test, CHANNELMSG_RESCIND_CHANNELOFFER,
				     sizeof(*r))->data;
	KUNIT_EXPECT_EQ(test, r->child_relid, relid);
}

/* ------------------------------------------------------------------------
 * The guest: every message a case sends is built and posted here.
 */

#define HHT_MONITOR1	0x10000ULL	/* monitor page GPAs the guest gives */
#define HHT_MONITOR2	0x11000ULL
#define HHT_INT_PAGE	0x12000ULL	/* and its interrupt page */

/* Post @len bytes of @msg on @conn_id and let the host handle it. */
static int hht_post(struct kunit *test, u32 conn_id, const void *msg,
		    u32 len)
{
	int ret;

	ret = hvsim_vmbus_post(hht(test)->host, conn_id, HVSIM_VMBUS_MSG_TYPE,
			       msg, len);
	hvsim_vmbus_flush(hht(test)->host);
	return ret;
}

/* INITIATE_CONTACT as a Linux guest builds it. */
static void hht_contact_msg(struct vmbus_channel_initiate_contact *m,
			    u32 version, u32 vp, bool monitor)
{
	memset(m, 0, sizeof(*m));
	m->header.msgtype = CHANNELMSG_INITIATE_CONTACT;
	m->vmbus_version_requested = version;
	m->target_vcpu = vp;
	if (version >= VERSION_WIN10_V5)
		m->msg_sint = HHT_SINT;
	else
		m->interrupt_page = HHT_INT_PAGE;
	if (monitor) {
		m->monitor_page1 = HHT_MONITOR1;
		m->monitor_page2 = HHT_MONITOR2;
	}
}

/* Linux's connection: ID 4 from 5.0 on, 1 before. */
static u32 hht_conn_for(u32 version)
{
	return version >= VERSION_WIN10_V5 ? HVSIM_VMBUS_MULTICLIENT_CONN_ID :
					     HVSIM_VMBUS_MSG_CONN_ID;
}

static void hht_contact(struct kunit *test, u32 version, u32 vp,
			bool monitor)
{
	struct vmbus_channel_initiate_contact m;

	hht_contact_msg(&m, version, vp, monitor);
	KUNIT_ASSERT_EQ(test, hht_post(test, hht_conn_for(version), &m,
				       sizeof(m)), 0);
}

/* Negotiate @version, and take the VERSION_RESPONSE. */
static void hht_connect(struct kunit *test, u32 version, u32 vp,
			bool monitor)
{
	hht_contact(test, version, vp, monitor);
	hht_expect_version(test, version >= VERSION_WIN8_1 ? vp : 0, 0,
			   version >= VERSION_WIN10_V5 ? 1 : version);
}

/* A message of just a header. */
static int hht_send_type(struct kunit *test, u32 msgtype)
{
	struct vmbus_channel_message_header hdr = { .msgtype = msgtype };

	return hht_post(test, HVSIM_VMBUS_MSG_CONN_ID, &hdr, sizeof(hdr));
}

static void hht_request_offers(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, hht_send_type(test, CHANNELMSG_REQUESTOFFERS),
			0);
}

static void hht_unload(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, hht_send_type(test, CHANNELMSG_UNLOAD), 0);
}

static void hht_release(struct kunit *test, u32 relid)
{
	struct vmbus_channel_relid_released m = {
		.header.msgtype = CHANNELMSG_RELID_RELEASED,
		.child_relid = relid,
	};

	KUNIT_ASSERT_EQ(test, hht_post(test, HVSIM_VMBUS_MSG_CONN_ID, &m,
				       sizeof(m)), 0);
}

/* ------------------------------------------------------------------------
 * Devices.
 */

static void hht_dev(struct hvsim_vmbus_dev_config *cfg, u32 class1,
		    u8 instance, bool monitor)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->class_id = GUID_INIT(class1, 0x1234, 0x4567, 0x89, 0xab, 0xcd,
				  0xef, 0x01, 0x23, 0x45, 0x67);
	cfg->instance_id = GUID_INIT(0x11112222, 0x3333, 0x4444, 0x55, 0x55,
				     0x66, 0x66, 0x77, 0x77, 0x88, instance);
	cfg->monitor = monitor;
}

static void hht_add(struct kunit *test,
		    const struct hvsim_vmbus_dev_config *cfg)
{
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_add(hht(test)->host, cfg), 0);
}

/* ------------------------------------------------------------------------
 * Cases.
 */

struct hht_reject_case {
	const char *name;
	u32 conn_id;
	u32 type;
	u32 msgtype;	/* written at the start of the payload */
	u32 len;
	int err;
	enum hvsim_vmbus_reject why;
};

static const struct hht_reject_case hht_reject_cases[] = {
	{ "type 0", 1, 0, CHANNELMSG_UNLOAD, 8, -EINVAL, HVSIM_VMBUS_REJECT_TYPE },
	{ "type 2", 1, 2, CHANNELMSG_UNLOAD, 8, -EINVAL, HVSIM_VMBUS_REJECT_TYPE },
	{ "conn 0", 0, 1, CHANNELMSG_UNLOAD, 8, -ENXIO, HVSIM_VMBUS_REJECT_CONN_ID },
	{ "conn 2", 2, 1, CHANNELMSG_UNLOAD, 8, -ENXIO, HVSIM_VMBUS_REJECT_CONN_ID },
	{ "conn 3", 3, 1, CHANNELMSG_UNLOAD, 8, -ENXIO, HVSIM_VMBUS_REJECT_CONN_ID },
	{ "conn 0x800074", 0x800074, 1, CHANNELMSG_UNLOAD, 8, -ENXIO,
	  HVSIM_VMBUS_REJECT_CONN_ID },
	{ "241 bytes", 1, 1, CHANNELMSG_UNLOAD, 241, -EMSGSIZE,
	  HVSIM_VMBUS_REJECT_LONG },
	{ "empty", 1, 1, CHANNELMSG_UNLOAD, 0, -EINVAL, HVSIM_VMBUS_REJECT_SHORT },
	{ "7 bytes", 1, 1, CHANNELMSG_UNLOAD, 7, -EINVAL, HVSIM_VMBUS_REJECT_SHORT },
	{ "msgtype 0", 1, 1, CHANNELMSG_INVALID, 8, -EINVAL,
	  HVSIM_VMBUS_REJECT_MSGTYPE },
	{ "offer from the guest", 4, 1, CHANNELMSG_OFFERCHANNEL, 196, -EINVAL,
	  HVSIM_VMBUS_REJECT_MSGTYPE },
	{ "version response from the guest", 1, 1, CHANNELMSG_VERSION_RESPONSE,
	  16, -EINVAL, HVSIM_VMBUS_REJECT_MSGTYPE },
	{ "unload response from the guest", 1, 1, CHANNELMSG_UNLOAD_RESPONSE,
	  8, -EINVAL, HVSIM_VMBUS_REJECT_MSGTYPE },
	{ "msgtype 25", 1, 1, 25, 8, -EINVAL, HVSIM_VMBUS_REJECT_MSGTYPE },
	{ "msgtype 0x80000001", 1, 1, 0x80000001, 8, -EINVAL,
	  HVSIM_VMBUS_REJECT_MSGTYPE },
	{ "short initiate contact", 4, 1, CHANNELMSG_INITIATE_CONTACT, 39,
	  -EINVAL, HVSIM_VMBUS_REJECT_SHORT },
	{ "short relid released", 1, 1, CHANNELMSG_RELID_RELEASED, 11, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short open", 1, 1, CHANNELMSG_OPENCHANNEL, 147, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short close", 1, 1, CHANNELMSG_CLOSECHANNEL, 11, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short gpadl header", 1, 1, CHANNELMSG_GPADL_HEADER, 19, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short gpadl body", 1, 1, CHANNELMSG_GPADL_BODY, 15, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short gpadl teardown", 1, 1, CHANNELMSG_GPADL_TEARDOWN, 15, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short open reserved", 1, 1, CHANNELMSG_18, 27, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short close reserved", 1, 1, CHANNELMSG_19, 19, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short tl connect", 1, 1, CHANNELMSG_TL_CONNECT_REQUEST, 39, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
	{ "short modifychannel", 1, 1, CHANNELMSG_MODIFYCHANNEL, 15, -EINVAL,
	  HVSIM_VMBUS_REJECT_SHORT },
};

static void hht_reject_desc(const struct hht_reject_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(hht_reject, hht_reject_cases, hht_reject_desc);

/* Malformed posts are refused at once with their error, and counted. */
static void hvsim_vmbus_post_malformed(struct kunit *test)
{
	const struct hht_reject_case *c = test->param_value;
	struct hvsim_vmbus_stats *st0, *st;
	u8 msg[HV_MESSAGE_PAYLOAD_BYTE_COUNT + 1] = {};
	unsigned int i;

	st0 = hht_stats(test);
	put_unaligned_le32(c->msgtype, msg);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_post(hht(test)->host, c->conn_id,
					       c->type, msg, c->len), c->err);
	hvsim_vmbus_flush(hht(test)->host);
	st = hht_stats(test);
	for (i = 0; i < HVSIM_VMBUS_REJECT_COUNT; i++)
		KUNIT_EXPECT_EQ(test, st->rejected[i],
				st0->rejected[i] + (i == c->why));
	for (i = 0; i < CHANNELMSG_COUNT; i++)
		KUNIT_EXPECT_EQ(test, st->rx[i], 0);
	KUNIT_EXPECT_EQ(test, st->in_queue, 0);
	hht_expect_none(test);
}

/* A NULL payload is short; a message of exactly the minimum is taken. */
static void hvsim_vmbus_post_bounds(struct kunit *test)
{
	struct hvsim_vmbus *host = hht(test)->host;
	u8 msg[HV_MESSAGE_PAYLOAD_BYTE_COUNT] = {};
	struct hvsim_vmbus_stats *st;

	KUNIT_EXPECT_EQ(test, hvsim_vmbus_post(host, 1, 1, NULL, 8), -EINVAL);
	put_unaligned_le32(CHANNELMSG_INITIATE_CONTACT, msg);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_post(host, 4, 1, msg, 40), 0);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_post(host, 1, 1, msg, 240), 0);
	hvsim_vmbus_flush(host);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->rejected[HVSIM_VMBUS_REJECT_SHORT], 1);
	KUNIT_EXPECT_EQ(test, st->rx[CHANNELMSG_INITIATE_CONTACT], 2);
	/* Version 0: not supported, twice. */
	hht_expect_unsupported(test, 0, HHT_SINT);
	hht_expect_unsupported(test, 0, HHT_SINT);
	hht_expect_none(test);
}

struct hht_nego_case {
	u32 version;
	u32 max_version;
	bool ok;
};

static const struct hht_nego_case hht_nego_cases[] = {
	{ VERSION_WIN8, VERSION_WIN8, true },
	{ VERSION_WIN8, VERSION_WIN8_1, true },
	{ VERSION_WIN8, VERSION_WIN7, false },
	{ VERSION_WIN8_1, VERSION_WIN8_1, true },
	{ VERSION_WIN8_1, VERSION_WIN10, true },
	{ VERSION_WIN8_1, VERSION_WIN8, false },
	{ VERSION_WIN10, VERSION_WIN10, true },
	{ VERSION_WIN10, VERSION_WIN10_V4_1, true },
	{ VERSION_WIN10, VERSION_WIN8_1, false },
	{ VERSION_WIN10_V4_1, VERSION_WIN10_V4_1, true },
	{ VERSION_WIN10_V4_1, VERSION_WIN10_V5, true },
	{ VERSION_WIN10_V4_1, VERSION_WIN10, false },
	{ VERSION_WIN10_V5, VERSION_WIN10_V5, true },
	{ VERSION_WIN10_V5, VERSION_WIN10_V5_1, true },
	{ VERSION_WIN10_V5, VERSION_WIN10_V4_1, false },
	{ VERSION_WIN10_V5_1, VERSION_WIN10_V5_1, true },
	{ VERSION_WIN10_V5_1, VERSION_WIN10_V5_2, true },
	{ VERSION_WIN10_V5_1, VERSION_WIN10_V5, false },
	{ VERSION_WIN10_V5_2, VERSION_WIN10_V5_2, true },
	{ VERSION_WIN10_V5_2, VERSION_WIN10_V5_3, true },
	{ VERSION_WIN10_V5_2, VERSION_WIN10_V5_1, false },
	{ VERSION_WIN10_V5_3, VERSION_WIN10_V5_3, true },
	{ VERSION_WIN10_V5_3, 0x60000, true },
	{ VERSION_WIN10_V5_3, VERSION_WIN10_V5_2, false },
};

static void hht_nego_desc(const struct hht_nego_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "v%u.%u max %u.%u",
		 c->version >> 16, c->version & 0xffff, c->max_version >> 16,
		 c->max_version & 0xffff);
}
KUNIT_ARRAY_PARAM(hht_nego, hht_nego_cases, hht_nego_desc);

/* Each version of Linux's list against a cap at, above and below it. */
static void hvsim_vmbus_initiate_contact_version(struct kunit *test)
{
	const struct hht_nego_case *c = test->param_value;
	bool v5 = c->version >= VERSION_WIN10_V5;
	struct hvsim_vmbus_stats *st;
	u32 vp = 3;

	hvsim_vmbus_set_knob(hht(test)->host, HVSIM_KNOB_MAX_VERSION, c->max_version);
	hht_contact(test, c->version, vp, true);
	st = hht_stats(test);
	if (!c->ok) {
		hht_expect_unsupported(test, 0, HHT_SINT);
		hht_expect_none(test);
		KUNIT_EXPECT_FALSE(test, st->connected);
		KUNIT_EXPECT_EQ(test, st->version, 0);
		return;
	}

	/* The target VP counts from 3.0; 5.0 names the connection to use. */
	if (c->version < VERSION_WIN8_1)
		vp = 0;
	hht_expect_version(test, vp, 0, v5 ? 1 : c->version);
	hht_expect_none(test);
	KUNIT_EXPECT_TRUE(test, st->connected);
	KUNIT_EXPECT_FALSE(test, st->offers_sent);
	KUNIT_EXPECT_EQ(test, st->version, c->version);
	KUNIT_EXPECT_EQ(test, st->conn_id, hht_conn_for(c->version));
	KUNIT_EXPECT_EQ(test, st->target_vp, vp);
	/* Linux's interrupt page goes unused from 2.4. */
	KUNIT_EXPECT_EQ(test, st->interrupt_page, 0);
	KUNIT_EXPECT_EQ(test, st->monitor_page1, HHT_MONITOR1);
	KUNIT_EXPECT_EQ(test, st->monitor_page2, HHT_MONITOR2);
}

/* Versions off the list, or not implemented, read "not supported". */
static void hvsim_vmbus_initiate_contact_unsupported(struct kunit *test)
{
	static const u32 versions[] = {
		0, 0x10000, 0x20003, 0x40002, 0x50004, 0x60000, 0xffffffff,
	};
	struct hvsim_vmbus_stats *st;
	unsigned int i;

	hvsim_vmbus_set_knob(hht(test)->host, HVSIM_KNOB_MAX_VERSION, U32_MAX);
	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		hht_contact(test, versions[i], 2, false);
		hht_expect_unsupported(test, 0, HHT_SINT);
		st = hht_stats(test);
		KUNIT_EXPECT_FALSE(test, st->connected);
	}
	hht_expect_none(test);
}

/* A second contact ends the connection silently before it is answered. */
static void hvsim_vmbus_initiate_contact_again(struct kunit *test)
{
	struct hvsim_vmbus_dev_config a, b;
	struct hvsim_vmbus_stats *st;

	hht_dev(&a, 1, 1, true);
	hht_dev(&b, 1, 2, false);
	hht_add(test, &a);
	hht_add(test, &b);
	hht_connect(test, VERSION_WIN10_V5_3, 2, true);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, 0, true);
	hht_expect_offer(test, &b, 2, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_rescind_relid(hht(test)->host, 2),
			0);
	hht_expect_rescind(test, 2);

	/* No rescind, no UNLOAD_RESPONSE: just the new VERSION_RESPONSE. */
	hht_connect(test, VERSION_WIN10_V5_2, 1, false);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->version, VERSION_WIN10_V5_2);
	KUNIT_EXPECT_FALSE(test, st->offers_sent);
	KUNIT_EXPECT_EQ(test, st->relids, 0);
	KUNIT_EXPECT_EQ(test, st->monitors, 0);
	KUNIT_EXPECT_EQ(test, st->offered, 0);
	/* The rescinded device is gone with the connection. */
	KUNIT_EXPECT_EQ(test, st->devices, 1);

	/* Relids start again from 1; no monitor pages, no monitor ID. */
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	hht_expect_none(test);

	/* An unsupported version disconnects too, then says so. */
	hht_contact(test, 0x50004, 3, false);
	hht_expect_unsupported(test, 1, HHT_SINT);
	st = hht_stats(test);
	KUNIT_EXPECT_FALSE(test, st->connected);
	KUNIT_EXPECT_EQ(test, st->relids, 0);
	hht_expect_none(test);
}

/* 0.13 and 1.1: VP 0, the interrupt page, failures read unsupported. */
static void hvsim_vmbus_initiate_contact_legacy(struct kunit *test)
{
	struct vmbus_channel_initiate_contact m;
	struct hvsim_vmbus_stats *st;

	hht_connect(test, VERSION_WS2008, 3, false);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->target_vp, 0);
	KUNIT_EXPECT_EQ(test, st->interrupt_page, HHT_INT_PAGE);

	hht_connect(test, VERSION_WIN7, 2, true);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->version, VERSION_WIN7);
	KUNIT_EXPECT_EQ(test, st->interrupt_page, HHT_INT_PAGE);

	/* An interrupt page off a page boundary fails: unsupported. */
	hht_contact_msg(&m, VERSION_WIN7, 0, false);
	m.interrupt_page = HHT_INT_PAGE + 8;
	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &m, sizeof(m)), 0);
	hht_expect_unsupported(test, 0, HHT_SINT);
	/* So does one monitor page without the other. */
	hht_contact_msg(&m, VERSION_WIN7, 0, true);
	m.monitor_page2 = 0;
	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &m, sizeof(m)), 0);
	hht_expect_unsupported(test, 0, HHT_SINT);
	st = hht_stats(test);
	KUNIT_EXPECT_FALSE(test, st->connected);
	hht_expect_none(test);
}

/* From 2.4 a failure is reported: connection_state 2. */
static void hvsim_vmbus_initiate_contact_failed(struct kunit *test)
{
	struct vmbus_channel_initiate_contact m;
	struct hvsim_vmbus_stats *st;

	hht_contact_msg(&m, VERSION_WIN10_V5_3, 1, true);
	m.monitor_page1 = 0;
	KUNIT_ASSERT_EQ(test, hht_post(test, 4, &m, sizeof(m)), 0);
	hht_expect_version(test, 0, 2, 1);

	hht_contact_msg(&m, VERSION_WIN10, 1, true);
	m.monitor_page2 = 0;
	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &m, sizeof(m)), 0);
	hht_expect_version(test, 0, 2, VERSION_WIN10);

	/* A VP the partition does not have; the answer goes to the old one. */
	hht_contact_msg(&m, VERSION_WIN10_V5_3, HHT_VPS, false);
	KUNIT_ASSERT_EQ(test, hht_post(test, 4, &m, sizeof(m)), 0);
	hht_expect_version(test, 0, 2, 1);
	st = hht_stats(test);
	KUNIT_EXPECT_FALSE(test, st->connected);
	hht_expect_none(test);
}

/* Connection 4 honours SINT (5.0) and VTL (5.1); connection 1 does not. */
static void hvsim_vmbus_initiate_contact_multiclient(struct kunit *test)
{
	struct vmbus_channel_initiate_contact m;
	struct hvsim_vmbus_stats *st;

	/* Another SINT on connection 4: refused there, nothing changes. */
	hht_connect(test, VERSION_WIN10_V5_3, 1, false);
	hht_contact_msg(&m, VERSION_WIN10_V5, 2, false);
	m.msg_sint = 5;
	KUNIT_ASSERT_EQ(test, hht_post(test, 4, &m, sizeof(m)), 0);
	hht_expect_unsupported(test, 2, 5);
	st = hht_stats(test);
	KUNIT_EXPECT_TRUE(test, st->connected);
	KUNIT_EXPECT_EQ(test, st->version, VERSION_WIN10_V5_3);
	KUNIT_EXPECT_EQ(test, st->target_vp, 1);

	/* A SINT the SynIC does not have: refused into the void. */
	m.msg_sint = 16;
	KUNIT_ASSERT_EQ(test, hht_post(test, 4, &m, sizeof(m)), 0);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->undeliverable, 1);

	/* Another VTL: no server for it here, no reply. */
	hht_contact_msg(&m, VERSION_WIN10_V5_1, 2, false);
	m.msg_vtl = 2;
	KUNIT_ASSERT_EQ(test, hht_post(test, 4, &m, sizeof(m)), 0);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->dropped, 1);
	KUNIT_EXPECT_TRUE(test, st->connected);

	/* The VTL field only counts from 5.1. */
	hht_contact_msg(&m, VERSION_WIN10_V5, 2, false);
	m.msg_vtl = 2;
	KUNIT_ASSERT_EQ(test, hht_post(test, 4, &m, sizeof(m)), 0);
	hht_expect_version(test, 2, 0, 1);

	/* On connection 1 the SINT field is not read. */
	hht_contact_msg(&m, VERSION_WIN10_V5_2, 3, false);
	m.msg_sint = 5;
	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &m, sizeof(m)), 0);
	hht_expect_version(test, 3, 0, 1);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->conn_id, 1);

	/* Before 5.0 the field is the interrupt page, whatever the ID. */
	hht_contact_msg(&m, VERSION_WIN10, 0, false);
	m.msg_sint = 5;
	KUNIT_ASSERT_EQ(test, hht_post(test, 4, &m, sizeof(m)), 0);
	hht_expect_version(test, 0, 0, VERSION_WIN10);
	hht_expect_none(test);
}

/* N devices: N offers in (class, instance) order, ALLOFFERS_DELIVERED. */
static void hvsim_vmbus_request_offers_order(struct kunit *test)
{
	struct hvsim_vmbus_dev_config a, b, c;
	struct hvsim_vmbus_stats *st;

	hht_dev(&a, 0x20, 3, true);
	hht_dev(&b, 0x20, 1, false);
	hht_dev(&c, 0x10, 9, true);
	c.mmio_mb = 16;
	c.flags = VMBUS_CHANNEL_ENUMERATE_DEVICE_INTERFACE;
	hht_add(test, &a);
	hht_add(test, &b);
	hht_add(test, &c);

	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	hht_request_offers(test);
	hht_expect_offer(test, &c, 1, 0, true);
	hht_expect_offer(test, &b, 2, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect_offer(test, &a, 3, 1, true);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_TRUE(test, st->offers_sent);
	KUNIT_EXPECT_EQ(test, st->offered, 3);
	KUNIT_EXPECT_EQ(test, st->relids, 3);
	KUNIT_EXPECT_EQ(test, st->monitors, 2);
	KUNIT_EXPECT_EQ(test, st->tx[CHANNELMSG_OFFERCHANNEL], 3);

	/* A second REQUESTOFFERS is dropped. */
	hht_request_offers(test);
	hht_expect_none(test);
	KUNIT_EXPECT_EQ(test, hht_stats(test)->dropped, 1);
}

/* Without monitor pages the guest gets no monitor ID. */
static void hvsim_vmbus_request_offers_no_monitor_pages(struct kunit *test)
{
	struct hvsim_vmbus_dev_config a;

	hht_dev(&a, 0x20, 3, true);
	hht_add(test, &a);
	hht_connect(test, VERSION_WIN10_V5_3, 0, false);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	hht_expect_none(test);
}

/* Only INITIATE_CONTACT (and CLOSE_RESERVED) count while disconnected. */
static void hvsim_vmbus_request_offers_disconnected(struct kunit *test)
{
	struct hvsim_vmbus_dev_config a;
	struct hvsim_vmbus_stats *st;

	hht_dev(&a, 0x20, 3, true);
	hht_add(test, &a);
	hht_request_offers(test);
	hht_unload(test);
	hht_release(test, 1);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->dropped, 3);
	KUNIT_EXPECT_EQ(test, st->rx[CHANNELMSG_REQUESTOFFERS], 1);
	KUNIT_EXPECT_EQ(test, st->offered, 0);
}

/* A device added after REQUESTOFFERS is offered at once, alone. */
static void hvsim_vmbus_add_hot(struct kunit *test)
{
	struct hvsim_vmbus *host = hht(test)->host;
	struct hvsim_vmbus_dev_config a, b, dup;

	hht_dev(&a, 0x20, 3, false);
	hht_dev(&b, 0x10, 1, true);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	/* Connected but no REQUESTOFFERS yet: it waits for the batch. */
	hht_add(test, &a);
	hht_expect_none(test);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);

	hht_add(test, &b);
	hht_expect_offer(test, &b, 2, 0, true);
	hht_expect_none(test);

	/* Instance GUIDs are unique. */
	hht_dev(&dup, 0x30, 3, false);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_add(host, &dup), -EEXIST);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_add(host, &a), -EEXIST);
	KUNIT_EXPECT_EQ(test, hht_stats(test)->devices, 2);
}

/* Rescind, then the guest's RELID_RELEASED frees device and relid. */
static void hvsim_vmbus_rescind_release(struct kunit *test)
{
	struct hvsim_vmbus *host = hht(test)->host;
	struct hvsim_vmbus_dev_config a, b, c;
	struct hvsim_vmbus_stats *st;

	hht_dev(&a, 0x20, 1, true);
	hht_dev(&b, 0x20, 2, false);
	hht_dev(&c, 0x20, 3, false);
	hht_add(test, &a);
	hht_add(test, &b);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, 0, true);
	hht_expect_offer(test, &b, 2, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);

	KUNIT_ASSERT_EQ(test, hvsim_vmbus_rescind(host, &a.instance_id), 0);
	hht_expect_rescind(test, 1);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_rescind(host, &a.instance_id),
			-EALREADY);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_rescind(host, &c.instance_id),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_rescind_relid(host, 7), -ENOENT);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->devices, 2);
	KUNIT_EXPECT_EQ(test, st->rescinded, 1);
	KUNIT_EXPECT_EQ(test, st->offered, 2);
	KUNIT_EXPECT_EQ(test, st->relids, 2);
	KUNIT_EXPECT_EQ(test, st->monitors, 1);

	hht_release(test, 1);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->devices, 1);
	KUNIT_EXPECT_EQ(test, st->rescinded, 0);
	KUNIT_EXPECT_EQ(test, st->offered, 1);
	KUNIT_EXPECT_EQ(test, st->relids, 1);
	KUNIT_EXPECT_EQ(test, st->monitors, 0);

	/* The lowest free relid is taken again. */
	hht_add(test, &c);
	hht_expect_offer(test, &c, 1, HVSIM_VMBUS_NO_MONITOR, false);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_rescind_relid(host, 2), 0);
	hht_expect_rescind(test, 2);
	hht_expect_none(test);
}

/* A device nobody was offered goes at once and silently. */
static void hvsim_vmbus_rescind_unoffered(struct kunit *test)
{
	struct hvsim_vmbus_dev_config a;

	hht_dev(&a, 0x20, 1, true);
	hht_add(test, &a);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_rescind(hht(test)->host,
						  &a.instance_id), 0);
	hht_expect_none(test);
	KUNIT_EXPECT_EQ(test, hht_stats(test)->devices, 0);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	hht_request_offers(test);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	hht_expect_none(test);
}

/* Added again before the release: offered under the same relid after. */
static void hvsim_vmbus_rescind_reoffer(struct kunit *test)
{
	struct hvsim_vmbus *host = hht(test)->host;
	struct hvsim_vmbus_dev_config a, b, other;
	struct hvsim_vmbus_stats *st;

	hht_dev(&a, 0x20, 1, false);
	hht_dev(&b, 0x20, 2, false);
	hht_add(test, &a);
	hht_add(test, &b);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect_offer(test, &b, 2, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);

	KUNIT_ASSERT_EQ(test, hvsim_vmbus_rescind_relid(host, 2), 0);
	hht_expect_rescind(test, 2);
	KUNIT_ASSERT_EQ(test, hvsim_vmbus_rescind_relid(host, 1), 0);
	hht_expect_rescind(test, 1);
	/* Same instance, another class: a different device, refused. */
	other = b;
	other.class_id = a.class_id;
	other.class_id.b[0] ^= 1;
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_add(host, &other), -EEXIST);
	/* b again, now with a monitor; it waits for relid 2. */
	b.monitor = true;
	hht_add(test, &b);
	hht_expect_none(test);
	KUNIT_EXPECT_EQ(test, hht_stats(test)->devices, 3);

	/* Releasing 1 first: relid 1 is free, but b keeps to 2. */
	hht_release(test, 1);
	hht_expect_none(test);
	hht_release(test, 2);
	hht_expect_offer(test, &b, 2, 0, true);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->devices, 1);
	KUNIT_EXPECT_EQ(test, st->relids, 1);
	KUNIT_EXPECT_EQ(test, st->offered, 1);
}

/* A released, not rescinded, device waits for the next connection. */
static void hvsim_vmbus_relid_released_offered(struct kunit *test)
{
	static const u32 bad[] = { 0, 2, 2047, 2048, 0xffffffff };
	struct hvsim_vmbus_dev_config a;
	struct hvsim_vmbus_stats *st;
	unsigned int i;

	hht_dev(&a, 0x20, 1, true);
	hht_add(test, &a);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, 0, true);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		hht_release(test, bad[i]);
	hht_release(test, 1);
	hht_release(test, 1);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->dropped, ARRAY_SIZE(bad) + 1);
	KUNIT_EXPECT_EQ(test, st->devices, 1);
	KUNIT_EXPECT_EQ(test, st->offered, 0);
	KUNIT_EXPECT_EQ(test, st->relids, 0);
	KUNIT_EXPECT_EQ(test, st->monitors, 0);
	/* Not a device the guest holds: it goes silently. */
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_rescind_relid(hht(test)->host, 1),
			-ENOENT);

	hht_unload(test);
	hht_expect(test, CHANNELMSG_UNLOAD_RESPONSE, 8);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, 0, true);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	hht_expect_none(test);
}

/* UNLOAD: one UNLOAD_RESPONSE to the target VP, everything reset. */
static void hvsim_vmbus_unload_cycles(struct kunit *test)
{
	struct hvsim_vmbus *host = hht(test)->host;
	struct hvsim_vmbus_dev_config a, b, c;
	struct hvsim_vmbus_stats *st0, *st;
	const struct hht_msg *m;
	int round;

	hht_dev(&a, 0x20, 1, true);
	hht_dev(&b, 0x20, 2, true);
	hht_dev(&c, 0x20, 3, false);
	hht_add(test, &a);
	hht_add(test, &b);
	st0 = hht_stats(test);

	for (round = 0; round < 3; round++) {
		hht_connect(test, VERSION_WIN10_V5_3, 2, true);
		hht_request_offers(test);
		hht_expect_offer(test, &a, 1, 0, true);
		hht_expect_offer(test, &b, 2, 1, true);
		hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);
		hht_add(test, &c);
		hht_expect_offer(test, &c, 3, HVSIM_VMBUS_NO_MONITOR, false);
		KUNIT_ASSERT_EQ(test, hvsim_vmbus_rescind(host, &c.instance_id),
				0);
		hht_expect_rescind(test, 3);

		hht_unload(test);
		m = hht_expect(test, CHANNELMSG_UNLOAD_RESPONSE, 8);
		KUNIT_EXPECT_EQ(test, m->vp, 2);
		hht_expect_none(test);
		st = hht_stats(test);
		KUNIT_EXPECT_FALSE(test, st->connected);
		KUNIT_EXPECT_FALSE(test, st->offers_sent);
		KUNIT_EXPECT_EQ(test, st->version, 0);
		KUNIT_EXPECT_EQ(test, st->monitor_page1, 0);
		/* The live objects are back where they started. */
		KUNIT_EXPECT_EQ(test, st->devices, st0->devices);
		KUNIT_EXPECT_EQ(test, st->offered, st0->offered);
		KUNIT_EXPECT_EQ(test, st->rescinded, st0->rescinded);
		KUNIT_EXPECT_EQ(test, st->relids, st0->relids);
		KUNIT_EXPECT_EQ(test, st->monitors, st0->monitors);
		KUNIT_EXPECT_EQ(test, st->in_queue, 0);
		KUNIT_EXPECT_EQ(test, st->out_queue, 0);

		/* A second UNLOAD finds nothing to unload: no reply. */
		hht_unload(test);
		hht_expect_none(test);
	}
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->tx[CHANNELMSG_UNLOAD_RESPONSE], 3);
	KUNIT_EXPECT_EQ(test, st->rx[CHANNELMSG_UNLOAD], 6);
}

/* Channel messages are taken as for a relid the host does not know. */
static void hvsim_vmbus_channel_messages(struct kunit *test)
{
	struct vmbus_channel_gpadl_header gh = {
		.header.msgtype = CHANNELMSG_GPADL_HEADER,
		.child_relid = 1,
		.gpadl = 7,
	};
	struct vmbus_channel_modifychannel mc = {
		.header.msgtype = CHANNELMSG_MODIFYCHANNEL,
		.child_relid = 1,
	};
	struct vmbus_channel_tl_connect_request tl = {
		.header.msgtype = CHANNELMSG_TL_CONNECT_REQUEST,
		.guest_endpoint_id = GUID_INIT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
		.host_service_id = GUID_INIT(9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0),
	};
	static const u32 silent[] = {
		CHANNELMSG_OPENCHANNEL, CHANNELMSG_CLOSECHANNEL,
		CHANNELMSG_GPADL_BODY, CHANNELMSG_GPADL_TEARDOWN,
		CHANNELMSG_18, CHANNELMSG_19,
	};
	u8 msg[HV_MESSAGE_PAYLOAD_BYTE_COUNT] = {};
	const struct vmbus_channel_gpadl_created *gc;
	const struct vmbus_channel_modifychannel_response *mr;
	const u8 *tr;
	struct hvsim_vmbus_dev_config a;
	struct hvsim_vmbus_stats *st;
	unsigned int i;

	hht_dev(&a, 0x20, 1, false);
	hht_add(test, &a);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);

	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &gh, sizeof(gh)), 0);
	gc = (const void *)hht_expect(test, CHANNELMSG_GPADL_CREATED,
				      sizeof(*gc))->data;
	KUNIT_EXPECT_EQ(test, gc->child_relid, 1);
	KUNIT_EXPECT_EQ(test, gc->gpadl, 7);
	KUNIT_EXPECT_EQ(test, gc->creation_status, 0x8000ffff);

	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &mc, sizeof(mc)), 0);
	mr = (const void *)hht_expect(test, CHANNELMSG_MODIFYCHANNEL_RESPONSE,
				      sizeof(*mr))->data;
	KUNIT_EXPECT_EQ(test, mr->child_relid, 1);
	KUNIT_EXPECT_EQ(test, mr->status, 0x8000ffff);

	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &tl, sizeof(tl)), 0);
	tr = hht_expect(test, CHANNELMSG_TL_CONNECT_RESULT, 44)->data;
	KUNIT_EXPECT_EQ(test, memcmp(tr + 8, &tl.guest_endpoint_id, 16), 0);
	KUNIT_EXPECT_EQ(test, memcmp(tr + 24, &tl.host_service_id, 16), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(tr + 40), 0xc0000236);

	for (i = 0; i < ARRAY_SIZE(silent); i++) {
		put_unaligned_le32(silent[i], msg);
		KUNIT_EXPECT_EQ(test, hht_post(test, 1, msg, sizeof(msg)), 0);
	}
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->dropped, ARRAY_SIZE(silent));
	for (i = 0; i < ARRAY_SIZE(silent); i++)
		KUNIT_EXPECT_EQ(test, st->rx[silent[i]], 1);

	/* 5.2: MODIFYCHANNEL gets no response. */
	hht_connect(test, VERSION_WIN10_V5_2, 0, true);
	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &mc, sizeof(mc)), 0);
	hht_expect_none(test);
	/* 4.0: too old for MODIFYCHANNEL, and a refused connect is silent. */
	hht_connect(test, VERSION_WIN10, 0, true);
	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &mc, sizeof(mc)), 0);
	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &tl, sizeof(tl)), 0);
	/* 3.0: too old for a TL connect request. */
	hht_connect(test, VERSION_WIN8_1, 0, true);
	KUNIT_ASSERT_EQ(test, hht_post(test, 1, &tl, sizeof(tl)), 0);
	hht_expect_none(test);
	KUNIT_EXPECT_EQ(test, hht_stats(test)->dropped,
			ARRAY_SIZE(silent) + 4);
}

/* Signals are counted per connection ID, on channels the guest holds. */
static void hvsim_vmbus_signal_conn_id(struct kunit *test)
{
	static const u32 bad[] = { 0, 1, 2, 0x2000, 0x2002, 0x27ff, 0x2800 };
	struct hvsim_vmbus *host = hht(test)->host;
	struct hvsim_vmbus_dev_config a;
	struct hvsim_vmbus_stats *st;
	unsigned int i;

	hht_dev(&a, 0x20, 1, false);
	hht_add(test, &a);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_signal(host, 0x2001, 0), -ENXIO);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);
	hht_request_offers(test);
	hht_expect_offer(test, &a, 1, HVSIM_VMBUS_NO_MONITOR, false);

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, hvsim_vmbus_signal(host, 0x2001, i), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, hvsim_vmbus_signal(host, bad[i], 0),
				-ENXIO);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_signal_count(host, 0x2001), 3);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_signal_count(host, 0x2002), 0);

	hht_unload(test);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_signal(host, 0x2001, 0), -ENXIO);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->signals, 3);
	KUNIT_EXPECT_EQ(test, st->signals_refused, ARRAY_SIZE(bad) + 2);
}

/*
 * While a reply waits for room the host takes no guest message: its
 * queue fills and HvPostMessage reports busy.  With room, the replies go
 * in order and the guest's messages are taken again.
 */
static void hvsim_vmbus_post_backpressure(struct kunit *test)
{
	struct vmbus_channel_gpadl_body body = {
		.header.msgtype = CHANNELMSG_GPADL_BODY,
	};
	struct hvsim_vmbus_dev_config a, b;
	struct hvsim_vmbus_stats *st;
	unsigned int i;

	hht_dev(&a, 0x20, 1, false);
	hht_dev(&b, 0x20, 2, false);
	hht_add(test, &a);
	hht_add(test, &b);
	hht_connect(test, VERSION_WIN10_V5_3, 0, true);

	hht_set_full(test, true);
	hht_request_offers(test);
	hht_unload(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->out_queue, 3);
	KUNIT_EXPECT_EQ(test, st->in_queue, 1);
	for (i = 1; i < HVSIM_VMBUS_IN_QUEUE_LEN; i++)
		KUNIT_EXPECT_EQ(test, hht_post(test, 1, &body, sizeof(body)),
				0);
	KUNIT_EXPECT_EQ(test, hht_post(test, 1, &body, sizeof(body)), -EAGAIN);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->in_queue, HVSIM_VMBUS_IN_QUEUE_LEN);
	KUNIT_EXPECT_EQ(test, st->rejected[HVSIM_VMBUS_REJECT_BUSY], 1);
	/* A hot add queues behind. */
	hht_dev(&b, 0x20, 3, false);
	hht_add(test, &b);
	hht_expect_none(test);

	hht_set_full(test, false);
	hht_expect_offer(test, &a, 1, HVSIM_VMBUS_NO_MONITOR, false);
	hht_dev(&b, 0x20, 2, false);
	hht_expect_offer(test, &b, 2, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_ALLOFFERS_DELIVERED, 8);
	hht_dev(&b, 0x20, 3, false);
	hht_expect_offer(test, &b, 3, HVSIM_VMBUS_NO_MONITOR, false);
	hht_expect(test, CHANNELMSG_UNLOAD_RESPONSE, 8);
	hht_expect_none(test);
	st = hht_stats(test);
	KUNIT_EXPECT_EQ(test, st->in_queue, 0);
	KUNIT_EXPECT_EQ(test, st->out_queue, 0);
	/* The bodies came after the UNLOAD: disconnected, dropped. */
	KUNIT_EXPECT_EQ(test, st->dropped, HVSIM_VMBUS_IN_QUEUE_LEN - 1);
}

/* A host holds at most 2047 devices: one relid each. */
static void hvsim_vmbus_add_limit(struct kunit *test)
{
	struct hvsim_vmbus_dev_config cfg;
	unsigned int i;

	hht_dev(&cfg, 0x20, 0, false);
	for (i = 0; i < HVSIM_VMBUS_MAX_DEVICES; i++) {
		put_unaligned_le16(i, &cfg.instance_id.b[8]);
		KUNIT_ASSERT_EQ(test, hvsim_vmbus_add(hht(test)->host, &cfg), 0);
	}
	put_unaligned_le16(i, &cfg.instance_id.b[8]);
	KUNIT_EXPECT_EQ(test, hvsim_vmbus_add(hht(test)->host, &cfg), -ENOSPC);
	KUNIT_EXPECT_EQ(test, hht_stats(test)->devices,
			HVSIM_VMBUS_MAX_DEVICES);
}

/*
 * Through hvcore to the backend's own host, with posts it refuses and a
 * signal no channel takes: whoever is connected there is not disturbed.
 */
static void hvsim_vmbus_backend_refusals(struct kunit *test)
{
	struct vmbus_channel_message_header hdr = {
		.msgtype = CHANNELMSG_REQUESTOFFERS,
	};
	struct hvsim_vmbus_stats *st0, *st;
	struct hvsim_vmbus *host;

	if (hvcore_get_backend())
		kunit_skip(test, "no hypervisor backend");
	if (strcmp(hvcore_backend_name(), "sim")) {
		hvcore_put_backend();
		kunit_skip(test, "the backend is not hvsim");
	}
	host = hvsim_vmbus_host();
	st0 = kunit_kzalloc(test, sizeof(*st0), GFP_KERNEL);
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st0);
	KUNIT_ASSERT_NOT_NULL(test, st);

	hvsim_vmbus_get_stats(host, st0);
	KUNIT_EXPECT_EQ(test, hvcore_post_message(1, 2, &hdr, sizeof(hdr)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hvcore_post_message(3, 1, &hdr, sizeof(hdr)),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, hvcore_post_message(1, 1, &hdr, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvcore_signal_event(0x2000, 0), -ENXIO);
	hvsim_vmbus_get_stats(host, st);
	KUNIT_EXPECT_EQ(test, st->rejected[HVSIM_VMBUS_REJECT_TYPE],
			st0->rejected[HVSIM_VMBUS_REJECT_TYPE] + 1);
	KUNIT_EXPECT_EQ(test, st->rejected[HVSIM_VMBUS_REJECT_CONN_ID],
			st0->rejected[HVSIM_VMBUS_REJECT_CONN_ID] + 1);
	KUNIT_EXPECT_EQ(test, st->rejected[HVSIM_VMBUS_REJECT_SHORT],
			st0->rejected[HVSIM_VMBUS_REJECT_SHORT] + 1);
	KUNIT_EXPECT_EQ(test, st->signals_refused, st0->signals_refused + 1);
	hvcore_put_backend();
}

static struct kunit_case hvsim_host_cases[] = {
	KUNIT_CASE_PARAM(hvsim_vmbus_post_malformed, hht_reject_gen_params),
	KUNIT_CASE(hvsim_vmbus_post_bounds),
	KUNIT_CASE_PARAM(hvsim_vmbus_initiate_contact_version,
			 hht_nego_gen_params),
	KUNIT_CASE(hvsim_vmbus_initiate_contact_unsupported),
	KUNIT_CASE(hvsim_vmbus_initiate_contact_again),
	KUNIT_CASE(hvsim_vmbus_initiate_contact_legacy),
	KUNIT_CASE(hvsim_vmbus_initiate_contact_failed),
	KUNIT_CASE(hvsim_vmbus_initiate_contact_multiclient),
	KUNIT_CASE(hvsim_vmbus_request_offers_order),
	KUNIT_CASE(hvsim_vmbus_request_offers_no_monitor_pages),
	KUNIT_CASE(hvsim_vmbus_request_offers_disconnected),
	KUNIT_CASE(hvsim_vmbus_add_hot),
	KUNIT_CASE(hvsim_vmbus_rescind_release),
	KUNIT_CASE(hvsim_vmbus_rescind_unoffered),
	KUNIT_CASE(hvsim_vmbus_rescind_reoffer),
	KUNIT_CASE(hvsim_vmbus_relid_released_offered),
	KUNIT_CASE(hvsim_vmbus_unload_cycles),
	KUNIT_CASE(hvsim_vmbus_channel_messages),
	KUNIT_CASE(hvsim_vmbus_signal_conn_id),
	KUNIT_CASE(hvsim_vmbus_post_backpressure),
	KUNIT_CASE(hvsim_vmbus_add_limit),
	KUNIT_CASE(hvsim_vmbus_backend_refusals),
	{}
};

static struct kunit_suite hvsim_host_suite = {
	.name = "hvsim_host",
	.init = hht_init,
	.exit = hht_exit,
	.test_cases = hvsim_host_cases,
};
kunit_test_suite(hvsim_host_suite);
