// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus: the channel API of <linux/hyperv.h>.
 *
 * A channel's life as a driver sees it:
 *
 *   vmbus_alloc_ring()      one block of pages: the outbound ring (header
 *                           page + data), then the inbound ring
 *   vmbus_connect_ring()    GPADL of the block, OPENCHANNEL, wait for the
 *                           result; the callback may run from then on
 *   vmbus_sendpacket*()     write a packet, signal the host if the ring was
 *   vmbus_recvpacket*()     empty; read one, signal the host if it waits
 *   hv_pkt_iter_*()         for the space the read freed
 *   vmbus_disconnect_ring() callback stopped, CLOSECHANNEL, ring GPADL
 *                           torn down (a primary's open sub-channels first)
 *   vmbus_free_ring()
 *
 * vmbus_open() and vmbus_close() do both steps.  Requests that wait for
 * the host (GPADL, open, modify) are listed on vmbus_connection.chn_msg_list
 * and woken by the answer (msg.c) or by the channel's rescind.
 *
 * The ring protocol itself (indices, copies, when to signal) is in
 * ring_buffer.c; this file adds the locking, the statistics, the request
 * IDs and the broken state: a channel whose host broke the ring protocol
 * fails every later send and receive with -EIO.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* Upstream's exporting file includes these; see hvb.h for why it matters. */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/module.h>
#include <linux/hyperv.h>
#include <linux/uio.h>
#include <linux/interrupt.h>
#include <linux/set_memory.h>
#include <asm/page.h>
#include <asm/mshyperv.h>

#include "hvb.h"
#include "ring_buffer.h"

/* PFNs that fit in a GPADL_HEADER (after one range) and in a GPADL_BODY. */
#define HVB_GPADL_HDR_PFNS						\
	((HV_MESSAGE_PAYLOAD_BYTE_COUNT -				\
	  sizeof(struct vmbus_channel_gpadl_header) -			\
	  sizeof(struct gpa_range)) / sizeof(u64))
#define HVB_GPADL_BODY_PFNS						\
	((HV_MESSAGE_PAYLOAD_BYTE_COUNT -				\
	  sizeof(struct vmbus_channel_gpadl_body)) / sizeof(u64))

/* The most PFNs one GPADL can describe: range_buflen is a u16. */
#define HVB_GPADL_MAX_PFNS						\
	((U16_MAX - sizeof(struct gpa_range)) / sizeof(u64))

static_assert(HVB_GPADL_HDR_PFNS == 26);
static_assert(HVB_GPADL_MAX_PFNS == 8190);
static_assert(HVB_GPADL_BODY_PFNS == 28);

/* How often a request that the host leaves unanswered is logged. */
#define HVB_REQUEST_TIMEOUT	(30 * HZ)

/* ------------------------------------------------------------------------
 * Requests that wait for the host.
 */

/*
 * A request is listed before its first message is posted (the answer may
 * come before the post returns) and unlisted after the wait.  A rescind
 * of the channel, or the disconnect, completes the wait with no answer.
 */
static void hvb_req_add(struct vmbus_channel *ch,
			struct vmbus_channel_msginfo *mi)
{
	unsigned long flags;

	init_completion(&mi->waitevent);
	mi->waiting_channel = ch;
	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_add_tail(&mi->msglistentry, &vmbus_connection.chn_msg_list);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
}

/*
 * Wait unless @ret says the post failed; then unlist.  0 means answered.
 * Like upstream, there is no time limit: a caller told "timed out" might
 * free memory the host then takes.  A rescind or the disconnect ends the
 * wait; a host that stays silent is logged every HVB_REQUEST_TIMEOUT.
 */
static int hvb_req_wait(struct vmbus_channel *ch,
			struct vmbus_channel_msginfo *mi, int ret)
{
	const struct vmbus_channel_message_header *answer =
		(const void *)&mi->response;
	const struct vmbus_channel_message_header *req = (const void *)mi->msg;
	unsigned long flags;
	unsigned int waited = 0;

	while (!ret && !wait_for_completion_timeout(&mi->waitevent,
						    HVB_REQUEST_TIMEOUT)) {
		waited += HVB_REQUEST_TIMEOUT / HZ;
		pr_warn_ratelimited("relid %u: %s unanswered for %u s\n",
				    ch->offermsg.child_relid,
				    req->msgtype < CHANNELMSG_COUNT ?
				    hvb_msg_types[req->msgtype].name : "?",
				    waited);
	}

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_del(&mi->msglistentry);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	if (!ret && !answer->msgtype)
		ret = -ENODEV;
	return ret;
}

/* One message, one answer. */
static int hvb_request(struct vmbus_channel *ch,
		       struct vmbus_channel_msginfo *mi, u32 len)
{
	hvb_req_add(ch, mi);
	return hvb_req_wait(ch, mi, hvb_post_msg(mi->msg, len));
}

static struct vmbus_channel_msginfo *hvb_msginfo_alloc(u32 len)
{
	return kzalloc(sizeof(struct vmbus_channel_msginfo) + len, GFP_KERNEL);
}

/* ------------------------------------------------------------------------
 * GPADLs.
 */

/**
 * hvb_gpadl_nr_msgs() - messages a GPADL of @pfn_count pages takes.
 * @pfn_count: pages in the GPADL.
 *
 * Return: 1 (the header) plus the GPADL_BODY messages.
 */
u32 hvb_gpadl_nr_msgs(u32 pfn_count)
{
	if (pfn_count <= HVB_GPADL_HDR_PFNS)
		return 1;
	return 1 + DIV_ROUND_UP(pfn_count - HVB_GPADL_HDR_PFNS,
				HVB_GPADL_BODY_PFNS);
}

/**
 * hvb_gpadl_msg() - build one message of a single-range GPADL.
 * @buf: HV_MESSAGE_PAYLOAD_BYTE_COUNT bytes, overwritten.
 * @idx: 0 for the GPADL_HEADER, 1.. for the GPADL_BODY messages.
 * @relid: the channel.
 * @gpadl: the GPADL handle.
 * @pfns: the pages, @pfn_count of them.
 * @pfn_count: pages in the GPADL, at least 1.
 *
 * The range covers all of the pages from offset 0.
 *
 * Return: the message's length, or 0 when @idx is beyond the last message
 * or @pfn_count cannot be described (range_buflen is a u16).
 */
u32 hvb_gpadl_msg(void *buf, u32 idx, u32 relid, u32 gpadl, const u64 *pfns,
		  u32 pfn_count)
{
	struct vmbus_channel_gpadl_header *hdr = buf;
	struct vmbus_channel_gpadl_body *body = buf;
	u32 first, n;

	/* range_buflen, a u16, holds the range and its PFNs. */
	if (!pfn_count || pfn_count > HVB_GPADL_MAX_PFNS ||
	    idx >= hvb_gpadl_nr_msgs(pfn_count))
		return 0;
	memset(buf, 0, HV_MESSAGE_PAYLOAD_BYTE_COUNT);

	if (!idx) {
		n = min_t(u32, pfn_count, HVB_GPADL_HDR_PFNS);
		hdr->header.msgtype = CHANNELMSG_GPADL_HEADER;
		hdr->child_relid = relid;
		hdr->gpadl = gpadl;
		hdr->range_buflen = sizeof(struct gpa_range) +
				    pfn_count * sizeof(u64);
		hdr->rangecount = 1;
		hdr->range[0].byte_offset = 0;
		hdr->range[0].byte_count = pfn_count * HV_HYP_PAGE_SIZE;
		memcpy(hdr->range[0].pfn_array, pfns, n * sizeof(u64));
		return sizeof(*hdr) + sizeof(struct gpa_range) +
		       n * sizeof(u64);
	}

	first = HVB_GPADL_HDR_PFNS + (idx - 1) * HVB_GPADL_BODY_PFNS;
	n = min_t(u32, pfn_count - first, HVB_GPADL_BODY_PFNS);
	body->header.msgtype = CHANNELMSG_GPADL_BODY;
	body->msgnumber = idx;
	body->gpadl = gpadl;
	memcpy(body->pfn, pfns + first, n * sizeof(u64));
	return sizeof(*body) + n * sizeof(u64);
}

static u64 hvb_virt_to_pfn(void *addr)
{
	if (is_vmalloc_addr(addr))
		return page_to_pfn(vmalloc_to_page(addr));
	return virt_to_phys(addr) >> HV_HYP_PAGE_SHIFT;
}

static int hvb_establish_gpadl(struct vmbus_channel *ch, void *kbuffer,
			       u32 size, struct vmbus_gpadl *gpadl)
{
	struct vmbus_channel_gpadl_created *created;
	struct vmbus_channel_msginfo *mi;
	u32 relid = ch->offermsg.child_relid;
	u32 pfn_count, nr, i, len, handle;
	u8 *body = NULL;
	u64 *pfns;
	int ret;

	memset(gpadl, 0, sizeof(*gpadl));
	if (!kbuffer || !size || !PAGE_ALIGNED(kbuffer) || !PAGE_ALIGNED(size))
		return -EINVAL;
	pfn_count = size >> HV_HYP_PAGE_SHIFT;
	if (pfn_count > HVB_GPADL_MAX_PFNS)
		return -EINVAL;

	pfns = kvmalloc_array(pfn_count, sizeof(u64), GFP_KERNEL);
	mi = hvb_msginfo_alloc(HV_MESSAGE_PAYLOAD_BYTE_COUNT);
	body = kmalloc(HV_MESSAGE_PAYLOAD_BYTE_COUNT, GFP_KERNEL);
	if (!pfns || !mi || !body) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < pfn_count; i++)
		pfns[i] = hvb_virt_to_pfn(kbuffer + i * HV_HYP_PAGE_SIZE);

	handle = atomic_inc_return(&vmbus_connection.next_gpadl_handle);
	nr = hvb_gpadl_nr_msgs(pfn_count);
	len = hvb_gpadl_msg(mi->msg, 0, relid, handle, pfns, pfn_count);

	/* The host answers once it has the header and every body. */
	hvb_req_add(ch, mi);
	ret = hvb_post_msg(mi->msg, len);
	for (i = 1; !ret && i < nr; i++) {
		len = hvb_gpadl_msg(body, i, relid, handle, pfns, pfn_count);
		ret = hvb_post_msg(body, len);
	}
	ret = hvb_req_wait(ch, mi, ret);
	if (ret)
		goto out;

	created = (void *)&mi->response;
	if (created->creation_status) {
		pr_err_ratelimited("relid %u: host refused a GPADL of %u pages (status %#x)\n",
				   relid, pfn_count, created->creation_status);
		ret = -ENOSPC;
	} else {
		gpadl->gpadl_handle = handle;
		gpadl->size = size;
		gpadl->buffer = kbuffer;
	}
out:
	kfree(body);
	kfree(mi);
	kvfree(pfns);
	return ret;
}

/**
 * vmbus_establish_gpadl() - share a buffer with the host.
 * @channel: the channel the GPADL belongs to.
 * @kbuffer: page-aligned buffer (kmalloc'ed, page-allocated or vmalloc'ed).
 * @size: its size in bytes, a multiple of the page size.
 * @gpadl: filled with the handle, size and buffer on success; zeroed first.
 *
 * Sends GPADL_HEADER and the GPADL_BODY messages the page list needs and
 * waits for GPADL_CREATED.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a bad buffer or size (more than 8190 pages cannot
 * be described); -ENOMEM; -ENOSPC when the host refused the GPADL (its
 * GPADL memory limit, for one); -ENODEV when the channel was rescinded or
 * the bus went down meanwhile; or the error of posting the messages.  The
 * buffer stays the caller's.
 */
int vmbus_establish_gpadl(struct vmbus_channel *channel, void *kbuffer,
			  u32 size, struct vmbus_gpadl *gpadl)
{
	return hvb_establish_gpadl(channel, kbuffer, size, gpadl);
}
EXPORT_SYMBOL_GPL(vmbus_establish_gpadl);

/**
 * vmbus_teardown_gpadl() - stop sharing a buffer with the host.
 * @channel: the channel the GPADL was established on.
 * @gpadl: the GPADL; its handle is cleared once the host let go of it.
 *
 * Sends GPADL_TEARDOWN and waits for GPADL_TORNDOWN.  A host tears the
 * ring GPADL of an open channel down only after the close.  A rescinded
 * channel's host may not answer: the wait then ends with the rescind.
 *
 * Context: process context, may sleep.
 * Return: 0 (also for a rescinded channel); -ENOMEM; -ENODEV (the bus
 * went down); or the error of posting.  On an error the handle is kept: the buffer may
 * still be the host's, and freeing it is at the caller's risk.
 */
int vmbus_teardown_gpadl(struct vmbus_channel *channel,
			 struct vmbus_gpadl *gpadl)
{
	struct vmbus_channel_gpadl_teardown *msg;
	struct vmbus_channel_msginfo *mi;
	int ret;

	if (!gpadl->gpadl_handle)
		return 0;
	mi = hvb_msginfo_alloc(sizeof(*msg));
	if (!mi)
		return -ENOMEM;
	msg = (void *)mi->msg;
	msg->header.msgtype = CHANNELMSG_GPADL_TEARDOWN;
	msg->child_relid = channel->offermsg.child_relid;
	msg->gpadl = gpadl->gpadl_handle;

	ret = hvb_request(channel, mi, sizeof(*msg));
	/* A rescinded channel's GPADLs are the host's no more either. */
	if (!ret || ret == -ENODEV)
		gpadl->gpadl_handle = 0;
	kfree(mi);
	return ret == -ENODEV ? 0 : ret;
}
EXPORT_SYMBOL_GPL(vmbus_teardown_gpadl);

/* ------------------------------------------------------------------------
 * Request IDs.
 */

/*
 * The requestor hands out IDs 1..size: slot i holds the caller's value
 * while ID i + 1 is in use, and the index of the next free slot while it
 * is free.  ID 0 is never handed out: a host packet with trans_id 0 is
 * unsolicited.
 */
/**
 * hvb_rqstor_alloc() - set up a channel's requestor for rqstor_size IDs.
 * @ch: the channel; nothing is allocated when rqstor_size is 0.
 *
 * Context: process context.
 * Return: 0 or -ENOMEM.
 */
int hvb_rqstor_alloc(struct vmbus_channel *ch)
{
	struct vmbus_requestor *r = &ch->requestor;
	u32 size = ch->rqstor_size, i;

	memset(r, 0, sizeof(*r));
	spin_lock_init(&r->req_lock);
	if (!size)
		return 0;
	r->req_arr = kcalloc(size, sizeof(u64), GFP_KERNEL);
	r->req_bitmap = bitmap_zalloc(size, GFP_KERNEL);
	if (!r->req_arr || !r->req_bitmap) {
		kfree(r->req_arr);
		bitmap_free(r->req_bitmap);
		r->req_arr = NULL;
		r->req_bitmap = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < size; i++)
		r->req_arr[i] = i + 1;
	r->size = size;
	r->next_request_id = 0;
	return 0;
}

/**
 * hvb_rqstor_free() - free what hvb_rqstor_alloc() allocated.
 * @ch: the channel.
 *
 * Context: process context.
 */
void hvb_rqstor_free(struct vmbus_channel *ch)
{
	struct vmbus_requestor *r = &ch->requestor;

	kfree(r->req_arr);
	bitmap_free(r->req_bitmap);
	r->req_arr = NULL;
	r->req_bitmap = NULL;
	r->size = 0;
}

/**
 * vmbus_next_request_id() - take a request ID for a value.
 * @channel: an open channel whose driver set rqstor_size before the open.
 * @rqst_addr: the value the ID stands for (usually a request's address).
 *
 * Context: any context but NMI; takes the requestor lock.
 * Return: an ID from 1 to rqstor_size; VMBUS_RQST_ERROR when all are in
 * use; VMBUS_NO_RQSTOR when the channel has no requestor.
 */
u64 vmbus_next_request_id(struct vmbus_channel *channel, u64 rqst_addr)
{
	struct vmbus_requestor *r = &channel->requestor;
	unsigned long flags;
	u64 id;

	if (!channel->rqstor_size)
		return VMBUS_NO_RQSTOR;

	lock_requestor(channel, flags);
	id = r->next_request_id;
	if (id >= r->size) {
		unlock_requestor(channel, flags);
		return VMBUS_RQST_ERROR;
	}
	r->next_request_id = r->req_arr[id];
	r->req_arr[id] = rqst_addr;
	__set_bit(id, r->req_bitmap);
	unlock_requestor(channel, flags);
	return id + 1;
}
EXPORT_SYMBOL_GPL(vmbus_next_request_id);

/**
 * __vmbus_request_addr_match() - vmbus_request_addr_match() for a caller
 * that holds the requestor lock.
 * @channel: the channel.
 * @trans_id: an ID from the host, untrusted.
 * @rqst_addr: the value expected for it, or VMBUS_RQST_ADDR_ANY.
 *
 * Context: the caller holds lock_requestor().
 * Return: as vmbus_request_addr_match().
 */
u64 __vmbus_request_addr_match(struct vmbus_channel *channel, u64 trans_id,
			       u64 rqst_addr)
{
	struct vmbus_requestor *r = &channel->requestor;
	u64 addr;

	if (!channel->rqstor_size)
		return VMBUS_NO_RQSTOR;
	/* 0 is an unsolicited packet's; beyond size or free: never issued. */
	if (!trans_id || trans_id > r->size ||
	    !test_bit(trans_id - 1, r->req_bitmap))
		return VMBUS_RQST_ERROR;

	trans_id--;
	addr = r->req_arr[trans_id];
	if (rqst_addr == VMBUS_RQST_ADDR_ANY || addr == rqst_addr) {
		r->req_arr[trans_id] = r->next_request_id;
		r->next_request_id = trans_id;
		__clear_bit(trans_id, r->req_bitmap);
	}
	return addr;
}
EXPORT_SYMBOL_GPL(__vmbus_request_addr_match);

/**
 * vmbus_request_addr_match() - give back a request ID the host completed.
 * @channel: the channel.
 * @trans_id: the ID in the host's packet, untrusted.
 * @rqst_addr: the value the ID must stand for, or VMBUS_RQST_ADDR_ANY.
 *
 * The ID is freed only when its value matches: a host cannot complete an
 * ID the guest did not issue, nor one twice.
 *
 * Context: any context but NMI; takes the requestor lock.
 * Return: the value the ID stands for (also when it did not match, in
 * which case the ID stays in use); VMBUS_RQST_ERROR for 0, an ID out of
 * range or one not in use; VMBUS_NO_RQSTOR without a requestor.
 */
u64 vmbus_request_addr_match(struct vmbus_channel *channel, u64 trans_id,
			     u64 rqst_addr)
{
	unsigned long flags;
	u64 addr;

	lock_requestor(channel, flags);
	addr = __vmbus_request_addr_match(channel, trans_id, rqst_addr);
	unlock_requestor(channel, flags);
	return addr;
}
EXPORT_SYMBOL_GPL(vmbus_request_addr_match);

/**
 * vmbus_request_addr() - give back any request ID the host completed.
 * @channel: the channel.
 * @trans_id: the ID in the host's packet, untrusted.
 *
 * Context: any context but NMI; takes the requestor lock.
 * Return: as vmbus_request_addr_match() with VMBUS_RQST_ADDR_ANY.
 */
u64 vmbus_request_addr(struct vmbus_channel *channel, u64 trans_id)
{
	return vmbus_request_addr_match(channel, trans_id,
					VMBUS_RQST_ADDR_ANY);
}
EXPORT_SYMBOL_GPL(vmbus_request_addr);

/* ------------------------------------------------------------------------
 * Signalling the host.
 */

/**
 * vmbus_setevent() - tell the host a ring needs its attention.
 * @channel: the channel.
 *
 * A channel with a monitor ID (and not in low-latency mode) sets its
 * pending bit in the child-to-parent monitor page, which the host polls;
 * any other signals the host at once.
 *
 * Context: any context but NMI.
 */
void vmbus_setevent(struct vmbus_channel *channel)
{
	struct hv_monitor_page *mp;

	if (channel->offermsg.monitor_allocated && !channel->low_latency) {
		mp = vmbus_connection.monitor_pages[1];
		channel->sig_events++;
		sync_set_bit(channel->monitor_bit,
			     (unsigned long *)&mp->trigger_group
				     [channel->monitor_grp].pending);
	} else {
		vmbus_set_event(channel);
	}
}
EXPORT_SYMBOL_GPL(vmbus_setevent);

/* ------------------------------------------------------------------------
 * Rings.
 */

/**
 * vmbus_alloc_ring() - allocate a channel's two rings.
 * @channel: a channel that has no ring.
 * @send_size: outbound ring size in bytes, header page included.
 * @recv_size: inbound ring size in bytes, header page included.
 *
 * One physically contiguous block: the outbound ring, then the inbound
 * ring, each at least a header page and a data page.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for sizes that are not page multiples of at least
 * two pages, -EBUSY when the channel has rings already, -ENOMEM.
 */
int vmbus_alloc_ring(struct vmbus_channel *channel, u32 send_size,
		     u32 recv_size)
{
	struct page *page;
	int order;

	if (!PAGE_ALIGNED(send_size) || !PAGE_ALIGNED(recv_size) ||
	    send_size < 2 * PAGE_SIZE || recv_size < 2 * PAGE_SIZE ||
	    (u64)send_size + recv_size > U32_MAX)
		return -EINVAL;
	if (channel->ringbuffer_page)
		return -EBUSY;

	order = get_order(send_size + recv_size);
	page = alloc_pages_node(cpu_to_node(channel->target_cpu),
				GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (!page)
		page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return -ENOMEM;

	channel->ringbuffer_page = page;
	channel->ringbuffer_pagecount = (send_size + recv_size) >> PAGE_SHIFT;
	channel->ringbuffer_send_offset = send_size >> PAGE_SHIFT;
	return 0;
}
EXPORT_SYMBOL_GPL(vmbus_alloc_ring);

/**
 * vmbus_free_ring() - free what vmbus_alloc_ring() allocated.
 * @channel: a channel that is not open.
 *
 * Context: process context.
 */
void vmbus_free_ring(struct vmbus_channel *channel)
{
	hvb_ring_cleanup(&channel->outbound);
	hvb_ring_cleanup(&channel->inbound);
	if (channel->ringbuffer_page) {
		__free_pages(channel->ringbuffer_page,
			     get_order(channel->ringbuffer_pagecount <<
				       PAGE_SHIFT));
		channel->ringbuffer_page = NULL;
	}
}
EXPORT_SYMBOL_GPL(vmbus_free_ring);

/* The connection ID and VP a channel's OPENCHANNEL names. */
static int hvb_open_msg(struct vmbus_channel *ch, u32 gpadl, void *userdata,
			u32 userdatalen, struct vmbus_channel_open_channel *msg)
{
	if (userdatalen > MAX_USER_DEFINED_BYTES)
		return -EINVAL;
	msg->header.msgtype = CHANNELMSG_OPENCHANNEL;
	msg->openid = ch->offermsg.child_relid;
	msg->child_relid = ch->offermsg.child_relid;
	msg->ringbuffer_gpadlhandle = gpadl;
	msg->downstream_ringbuffer_pageoffset =
		(ch->ringbuffer_send_offset << PAGE_SHIFT) >> HV_HYP_PAGE_SHIFT;
	msg->target_vp = hvcore_vp_index(ch->target_cpu);
	if (userdatalen)
		memcpy(msg->userdata, userdata, userdatalen);
	return 0;
}

/* vmbus_connect_ring(), with user data for OPENCHANNEL. */
static int hvb_connect_ring(struct vmbus_channel *channel,
			    void (*onchannel_callback)(void *context),
			    void *context, void *userdata, u32 userdatalen)
{
	struct vmbus_channel_open_channel *msg;
	struct vmbus_channel_msginfo *mi;
	struct page *page = channel->ringbuffer_page;
	u32 send_pages = channel->ringbuffer_send_offset;
	u32 recv_pages = channel->ringbuffer_pagecount - send_pages;
	unsigned long flags;
	u32 status;
	int ret;

	if (!page || channel->state != CHANNEL_OPEN_STATE)
		return -EINVAL;
	if (channel->rescind)
		return -ENODEV;

	if (!channel->max_pkt_size)
		channel->max_pkt_size = VMBUS_DEFAULT_MAX_PKT_SIZE;
	ret = hvb_rqstor_alloc(channel);
	if (ret)
		return ret;

	channel->state = CHANNEL_OPENING_STATE;
	to_hvb_channel(channel)->broken = false;

	ret = hvb_ring_init(&channel->outbound, page, send_pages,
			    channel->max_pkt_size);
	if (ret)
		goto err_rings;
	ret = hvb_ring_init(&channel->inbound, nth_page(page, send_pages),
			    recv_pages, channel->max_pkt_size);
	if (ret)
		goto err_rings;

	/*
	 * The interrupt handler calls back (and, batched, masks the inbound
	 * ring) once it sees the callback under sched_lock: only now, with
	 * both rings set up, even if a stale event flag fires early.
	 */
	spin_lock_irqsave(&channel->sched_lock, flags);
	channel->channel_callback_context = context;
	channel->onchannel_callback = onchannel_callback;
	spin_unlock_irqrestore(&channel->sched_lock, flags);

	ret = hvb_establish_gpadl(channel, page_address(page),
				  channel->ringbuffer_pagecount << PAGE_SHIFT,
				  &channel->ringbuffer_gpadlhandle);
	if (ret)
		goto err_rings;

	mi = hvb_msginfo_alloc(sizeof(*msg));
	if (!mi) {
		ret = -ENOMEM;
		goto err_gpadl;
	}
	msg = (void *)mi->msg;
	ret = hvb_open_msg(channel, channel->ringbuffer_gpadlhandle.gpadl_handle,
			   userdata, userdatalen, msg);
	if (!ret)
		ret = hvb_request(channel, mi, sizeof(*msg));
	status = mi->response.open_result.status;
	kfree(mi);
	if (ret)
		goto err_gpadl;
	if (status) {
		pr_err_ratelimited("relid %u: host refused the open (status %#x)\n",
				   channel->offermsg.child_relid, status);
		ret = -EAGAIN;
		goto err_gpadl;
	}
	channel->state = CHANNEL_OPENED_STATE;
	return 0;

err_gpadl:
	vmbus_teardown_gpadl(channel, &channel->ringbuffer_gpadlhandle);
err_rings:
	hvb_ring_cleanup(&channel->outbound);
	hvb_ring_cleanup(&channel->inbound);
	hvb_chan_stop_callback(channel);
	hvb_rqstor_free(channel);
	channel->state = CHANNEL_OPEN_STATE;
	return ret;
}

/**
 * vmbus_connect_ring() - open a channel on rings vmbus_alloc_ring() made.
 * @channel: an offered, closed channel with rings.
 * @onchannel_callback: called when the host signals the channel, in the
 *	channel's callback mode (batched or direct: softirq; ISR: hard IRQ).
 * @context: its argument.
 *
 * Shares the rings with the host through one GPADL, sends OPENCHANNEL and
 * waits for OPENCHANNEL_RESULT.  rqstor_size and max_pkt_size are read
 * here: set them before.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a channel that is not closed or has no rings;
 * -ENOMEM; -EAGAIN when the host refused the open; -ENODEV when the
 * channel was rescinded; the GPADL's errors.  On failure the channel is
 * closed again and its rings are kept for vmbus_free_ring().
 */
int vmbus_connect_ring(struct vmbus_channel *channel,
		       void (*onchannel_callback)(void *context),
		       void *context)
{
	return hvb_connect_ring(channel, onchannel_callback, context, NULL, 0);
}
EXPORT_SYMBOL_GPL(vmbus_connect_ring);

/**
 * vmbus_open() - allocate a channel's rings and open it.
 * @channel: an offered, closed channel.
 * @send_ringbuffer_size: outbound ring size, a page multiple.
 * @recv_ringbuffer_size: inbound ring size, a page multiple.
 * @userdata: up to MAX_USER_DEFINED_BYTES for the host, or NULL.
 * @userdatalen: their length.
 * @onchannel_callback: as for vmbus_connect_ring().
 * @context: its argument.
 *
 * Context: process context, may sleep.
 * Return: as vmbus_alloc_ring() and vmbus_connect_ring(); the rings are
 * freed on failure.
 */
int vmbus_open(struct vmbus_channel *channel, u32 send_ringbuffer_size,
	       u32 recv_ringbuffer_size, void *userdata, u32 userdatalen,
	       void (*onchannel_callback)(void *context), void *context)
{
	int ret;

	if (userdatalen > MAX_USER_DEFINED_BYTES)
		return -EINVAL;
	ret = vmbus_alloc_ring(channel, send_ringbuffer_size,
			       recv_ringbuffer_size);
	if (ret)
		return ret;
	ret = hvb_connect_ring(channel, onchannel_callback, context, userdata,
			       userdatalen);
	/* Rings whose GPADL the host may still hold are leaked, not freed. */
	if (ret && !channel->ringbuffer_gpadlhandle.gpadl_handle)
		vmbus_free_ring(channel);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_open);

/*
 * Close one channel: stop its callback, tell the host (unless it took the
 * channel back) and tear the ring GPADL down.  Under channel_mutex.
 */
static int hvb_close_one(struct vmbus_channel *ch)
{
	struct vmbus_channel_close_channel msg = {
		.header.msgtype = CHANNELMSG_CLOSECHANNEL,
		.child_relid = ch->offermsg.child_relid,
	};
	int ret;

	lockdep_assert_held(&vmbus_connection.channel_mutex);
	hvb_chan_stop_callback(ch);
	if (ch->state != CHANNEL_OPENED_STATE)
		return -EINVAL;
	ch->state = CHANNEL_OPEN_STATE;

	if (!ch->rescind) {
		ret = hvb_post_msg(&msg, sizeof(msg));
		if (ret)
			pr_err_ratelimited("relid %u: CLOSECHANNEL not posted (%d)\n",
					   ch->offermsg.child_relid, ret);
	}
	/* The GPADL wait may need the rescind handler: let it run. */
	mutex_unlock(&vmbus_connection.channel_mutex);
	ret = vmbus_teardown_gpadl(ch, &ch->ringbuffer_gpadlhandle);
	mutex_lock(&vmbus_connection.channel_mutex);
	if (ret)
		pr_err_ratelimited("relid %u: ring GPADL not torn down (%d): rings leaked\n",
				   ch->offermsg.child_relid, ret);
	hvb_rqstor_free(ch);
	return ret;
}

/*
 * A rescinded sub-channel that its driver closes is removed here, unless
 * its removal work still has to run (it then removes it, being closed).
 */
static bool hvb_sub_closed_rescinded(struct vmbus_channel *ch)
{
	lockdep_assert_held(&vmbus_connection.channel_mutex);
	return ch->primary_channel && ch->rescind_ref &&
	       completion_done(&ch->rescind_event);
}

/* Close and free one sub-channel. */
static void hvb_close_sub(struct vmbus_channel *sc)
{
	bool remove;
	int ret;

	kobject_get(&sc->kobj);
	mutex_lock(&vmbus_connection.channel_mutex);
	ret = hvb_close_one(sc);
	remove = !ret && hvb_sub_closed_rescinded(sc);
	mutex_unlock(&vmbus_connection.channel_mutex);
	if (!ret || !sc->ringbuffer_gpadlhandle.gpadl_handle)
		vmbus_free_ring(sc);
	if (remove)
		hvb_channel_remove(sc);
	kobject_put(&sc->kobj);
}

/**
 * vmbus_disconnect_ring() - close a channel, keeping its rings.
 * @channel: an open channel.
 *
 * For a primary channel, its open sub-channels are closed (and their rings
 * freed) first.  CLOSECHANNEL has no answer; the ring GPADL is torn down.
 * The callback does not run once this returns.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a channel that was not open; the teardown's
 * error (the rings may then still be the host's: vmbus_close() keeps
 * them).
 */
int vmbus_disconnect_ring(struct vmbus_channel *channel)
{
	struct vmbus_channel *sc;
	LIST_HEAD(open_subs);
	int ret;

	if (!channel->primary_channel) {
		/* sc_list changes under channel_mutex: collect, then close. */
		mutex_lock(&vmbus_connection.channel_mutex);
		list_for_each_entry(sc, &channel->sc_list, sc_list) {
			if (sc->state != CHANNEL_OPENED_STATE)
				continue;
			kobject_get(&sc->kobj);
			list_add_tail(&to_hvb_channel(sc)->close_node,
				      &open_subs);
		}
		mutex_unlock(&vmbus_connection.channel_mutex);
		while (!list_empty(&open_subs)) {
			struct hvb_channel *hc;

			hc = list_first_entry(&open_subs, struct hvb_channel,
					      close_node);
			list_del_init(&hc->close_node);
			hvb_close_sub(&hc->chan);
			kobject_put(&hc->chan.kobj);
		}
	}

	mutex_lock(&vmbus_connection.channel_mutex);
	ret = hvb_close_one(channel);
	mutex_unlock(&vmbus_connection.channel_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_disconnect_ring);

/**
 * vmbus_close() - close a channel and free its rings.
 * @channel: an open channel, primary or sub-channel.
 *
 * Closing a primary channel closes its open sub-channels first.  A
 * sub-channel may be closed on its own, and opened again.  A rescinded
 * sub-channel goes away once closed.
 *
 * Context: process context, may sleep.
 */
void vmbus_close(struct vmbus_channel *channel)
{
	if (channel->primary_channel) {
		hvb_close_sub(channel);
		return;
	}
	if (!vmbus_disconnect_ring(channel) ||
	    !channel->ringbuffer_gpadlhandle.gpadl_handle)
		vmbus_free_ring(channel);
}
EXPORT_SYMBOL_GPL(vmbus_close);

/* ------------------------------------------------------------------------
 * Sending.
 */

/* The host broke the ring protocol: say so once, fail from now on. */
/**
 * hvb_chan_broken() - the host broke a ring of the channel.
 * @ch: the channel.
 * @ring: "inbound" or "outbound", for the log.
 *
 * Logged once; sends and receives fail from now on.
 *
 * Context: any context but NMI.
 */
void hvb_chan_broken(struct vmbus_channel *ch, const char *ring)
{
	struct hvb_channel *hc = to_hvb_channel(ch);

	if (!xchg(&hc->broken, true)) {
		atomic_long_inc(&hvb_stats.broken_rings);
		pr_err_ratelimited("relid %u: host corrupted the %s ring: channel broken\n",
				   ch->offermsg.child_relid, ring);
	}
}

/*
 * Write one packet whose descriptor (kv[0], writable) the caller built with
 * trans_id still to fill, take a request ID for it when a completion is
 * requested and the driver has a requestor callback, and signal the host
 * when the ring was empty.
 */
static int hvb_chan_write(struct vmbus_channel *ch, struct kvec *kv,
			  u32 kv_cnt, u64 requestid, u64 *trans_id)
{
	struct hv_ring_buffer_info *rbi = &ch->outbound;
	struct vmpacket_descriptor *desc = kv[0].iov_base;
	u64 rqst_id = VMBUS_NO_RQSTOR;
	u32 total = HVB_RING_TRAILER_SIZE, avail, i;
	unsigned long flags;
	bool signal = false;
	int ret;

	if (READ_ONCE(ch->rescind))
		return -ENODEV;
	if (READ_ONCE(to_hvb_channel(ch)->broken))
		return -EIO;
	if (!rbi->ring_buffer)
		return -EINVAL;
	for (i = 0; i < kv_cnt; i++)
		total += kv[i].iov_len;

	spin_lock_irqsave(&rbi->ring_lock, flags);
	ret = hvb_ring_bytes_to_write(rbi, &avail);
	if (ret)
		goto unlock;
	/* Room for exactly the packet counts as full: one byte stays free. */
	if (avail <= total) {
		ch->out_full_total++;
		if (!ch->out_full_flag) {
			ch->out_full_first++;
			ch->out_full_flag = true;
		}
		ret = -EAGAIN;
		goto unlock;
	}
	ch->out_full_flag = false;

	if (desc->flags == VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED &&
	    ch->next_request_id_callback) {
		rqst_id = ch->next_request_id_callback(ch, requestid);
		if (rqst_id == VMBUS_RQST_ERROR) {
			ret = -EAGAIN;
			goto unlock;
		}
	}
	desc->trans_id = rqst_id == VMBUS_NO_RQSTOR ? requestid : rqst_id;
	ret = hvb_ring_write(rbi, kv, kv_cnt, &signal);
	if (ret && rqst_id != VMBUS_NO_RQSTOR && ch->request_addr_callback)
		ch->request_addr_callback(ch, rqst_id);
	if (!ret && trans_id)
		*trans_id = desc->trans_id;
	if (signal)
		ch->intr_out_empty++;
unlock:
	spin_unlock_irqrestore(&rbi->ring_lock, flags);

	if (ret == -EBADMSG) {
		hvb_chan_broken(ch, "outbound");
		return -EIO;
	}
	if (signal)
		vmbus_setevent(ch);
	return ret;
}

/**
 * vmbus_sendpacket_getid() - send a packet and learn its transaction ID.
 * @channel: an open channel.
 * @buffer: the payload.
 * @bufferlen: its length; the packet is padded to 8 bytes.
 * @requestid: the transaction ID, or with a requestor callback and
 *	@flags asking for a completion, the value an ID is taken for.
 * @trans_id: if not NULL, set to the transaction ID sent.
 * @type: the packet type (VM_PKT_DATA_INBAND, VM_PKT_COMP, ...).
 * @flags: 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED.
 *
 * Context: any context but NMI; takes the outbound ring's spinlock.
 * Return: 0; -EAGAIN when the ring (or the requestor) is full; -EMSGSIZE
 * for a packet that can never fit; -ENODEV for a rescinded channel; -EIO
 * for a broken one; -EINVAL for a channel without rings.
 */
int vmbus_sendpacket_getid(struct vmbus_channel *channel, void *buffer,
			   u32 bufferlen, u64 requestid, u64 *trans_id,
			   enum vmbus_packet_type type, u32 flags)
{
	u32 len = sizeof(struct vmpacket_descriptor) + bufferlen;
	u32 aligned = ALIGN(len, sizeof(u64));
	struct vmpacket_descriptor desc;
	u64 pad = 0;
	struct kvec kv[3] = {
		{ .iov_base = &desc, .iov_len = sizeof(desc) },
		{ .iov_base = buffer, .iov_len = bufferlen },
		{ .iov_base = &pad, .iov_len = aligned - len },
	};

	if (aligned > HVB_RING_MAX_PKT_LEN)
		return -EMSGSIZE;
	desc.type = type;
	desc.flags = flags;
	desc.offset8 = sizeof(desc) >> 3;
	desc.len8 = aligned >> 3;
	desc.trans_id = 0;
	return hvb_chan_write(channel, kv, ARRAY_SIZE(kv), requestid,
			      trans_id);
}
EXPORT_SYMBOL_GPL(vmbus_sendpacket_getid);

/**
 * vmbus_sendpacket() - send a packet.
 * @channel: an open channel.
 * @buffer: the payload.
 * @bufferlen: its length.
 * @requestid: as for vmbus_sendpacket_getid().
 * @type: the packet type.
 * @flags: 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED.
 *
 * Context: any context but NMI.
 * Return: as vmbus_sendpacket_getid().
 */
int vmbus_sendpacket(struct vmbus_channel *channel, void *buffer,
		     u32 bufferlen, u64 requestid, enum vmbus_packet_type type,
		     u32 flags)
{
	return vmbus_sendpacket_getid(channel, buffer, bufferlen, requestid,
				      NULL, type, flags);
}
EXPORT_SYMBOL_GPL(vmbus_sendpacket);

/**
 * vmbus_sendpacket_mpb_desc() - send a GPA-direct packet.
 * @channel: an open channel.
 * @desc: the packet header with its rangecount and that many multi-page
 *	ranges filled in (each range's PFN array right after it, as
 *	hv_netvsc builds them); the rest of the header is filled here.
 * @desc_size: bytes of @desc, range and PFN array included, a multiple of 8.
 * @buffer: in-band payload after the range, or NULL.
 * @bufferlen: its length.
 * @requestid: as for vmbus_sendpacket_getid(); a completion is requested.
 *
 * Context: any context but NMI.
 * Return: as vmbus_sendpacket_getid(), and -EINVAL for a @desc_size that
 * is not a multiple of 8 or is shorter than the header.
 */
int vmbus_sendpacket_mpb_desc(struct vmbus_channel *channel,
			      struct vmbus_packet_mpb_array *desc,
			      u32 desc_size, void *buffer, u32 bufferlen,
			      u64 requestid)
{
	u32 len = desc_size + bufferlen;
	u32 aligned = ALIGN(len, sizeof(u64));
	u64 pad = 0;
	struct kvec kv[3] = {
		{ .iov_base = desc, .iov_len = desc_size },
		{ .iov_base = buffer, .iov_len = bufferlen },
		{ .iov_base = &pad, .iov_len = aligned - len },
	};

	if (desc_size < sizeof(*desc) || !IS_ALIGNED(desc_size, 8) ||
	    desc_size > HVB_RING_MAX_PKT_LEN)
		return -EINVAL;
	if (aligned > HVB_RING_MAX_PKT_LEN)
		return -EMSGSIZE;
	desc->type = VM_PKT_DATA_USING_GPA_DIRECT;
	desc->flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	desc->dataoffset8 = desc_size >> 3;
	desc->length8 = aligned >> 3;
	desc->transactionid = 0;
	desc->reserved = 0;
	return hvb_chan_write(channel, kv, ARRAY_SIZE(kv), requestid, NULL);
}
EXPORT_SYMBOL_GPL(vmbus_sendpacket_mpb_desc);

/* ------------------------------------------------------------------------
 * Receiving.  Readers of one channel are serialised by the caller (the
 * channel's callback runs on one CPU at a time).
 */

/**
 * hvb_chan_read_signal() - signal the host after a read, if it must be.
 * @ch: the channel.
 * @signal: what the ring core decided.
 *
 * Context: any context but NMI.
 */
void hvb_chan_read_signal(struct vmbus_channel *ch, bool signal)
{
	if (!signal)
		return;
	ch->intr_in_full++;
	vmbus_setevent(ch);
}

static int hvb_chan_recv(struct vmbus_channel *ch, void *buf, u32 buflen,
			 u32 *actual_len, u64 *requestid, bool raw)
{
	bool signal;
	int ret;

	*actual_len = 0;
	*requestid = 0;
	if (READ_ONCE(to_hvb_channel(ch)->broken))
		return -EIO;
	if (!ch->inbound.ring_buffer)
		return -EINVAL;
	ret = hvb_ring_read(&ch->inbound, buf, buflen, actual_len, requestid,
			    raw, &signal);
	if (ret == -EBADMSG) {
		hvb_chan_broken(ch, "inbound");
		return -EIO;
	}
	if (!ret)
		hvb_chan_read_signal(ch, signal);
	return ret;
}

/**
 * vmbus_recvpacket() - receive the next packet's payload.
 * @channel: an open channel.
 * @buffer: where the payload goes.
 * @bufferlen: its size.
 * @buffer_actual_len: set to the payload's length; 0 when the ring is
 *	empty.
 * @requestid: set to the packet's transaction ID (untrusted).
 *
 * The packet is copied out of shared memory and validated before any of
 * it is used.
 *
 * Context: any context but NMI; readers of @channel serialised.
 * Return: 0 (also when empty); -ENOBUFS when @bufferlen is too small (the
 * packet stays, @buffer_actual_len says what it needs); -EIO for a broken
 * channel.
 */
int vmbus_recvpacket(struct vmbus_channel *channel, void *buffer,
		     u32 bufferlen, u32 *buffer_actual_len, u64 *requestid)
{
	return hvb_chan_recv(channel, buffer, bufferlen, buffer_actual_len,
			     requestid, false);
}
EXPORT_SYMBOL_GPL(vmbus_recvpacket);

/**
 * vmbus_recvpacket_raw() - receive the next packet, descriptor included.
 * @channel: an open channel.
 * @buffer: where the packet goes.
 * @bufferlen: its size.
 * @buffer_actual_len: set to the packet's length; 0 when empty.
 * @requestid: set to the packet's transaction ID (untrusted).
 *
 * Context: any context but NMI; readers of @channel serialised.
 * Return: as vmbus_recvpacket().
 */
int vmbus_recvpacket_raw(struct vmbus_channel *channel, void *buffer,
			 u32 bufferlen, u32 *buffer_actual_len,
			 u64 *requestid)
{
	return hvb_chan_recv(channel, buffer, bufferlen, buffer_actual_len,
			     requestid, true);
}
EXPORT_SYMBOL_GPL(vmbus_recvpacket_raw);

/**
 * hv_ringbuffer_get_debuginfo() - a ring's indices and sizes.
 * @ring_info: one of a channel's rings.
 * @debug_info: filled in.
 *
 * Context: process context: takes the ring's mutex.
 * Return: 0, or -EINVAL for a ring that is not set up.
 */
int hv_ringbuffer_get_debuginfo(struct hv_ring_buffer_info *ring_info,
				struct hv_ring_buffer_debug_info *debug_info)
{
	return hvb_ring_debuginfo(ring_info, debug_info);
}
EXPORT_SYMBOL_GPL(hv_ringbuffer_get_debuginfo);

/* ------------------------------------------------------------------------
 * Other control messages.
 */

/**
 * vmbus_send_modifychannel() - move a channel's interrupts to another VP.
 * @channel: an open channel.
 * @target_vp: the VP.
 *
 * From 5.3 the host answers, and the answer is waited for: the host then
 * sends no further interrupts to the old VP.  Below 5.3 (from 4.1) there
 * is no answer and interrupts may still come to the old VP for a while.
 *
 * Context: process context; the caller holds
 * vmbus_connection.channel_mutex, which is dropped during the wait.
 * Return: 0; -EINVAL below 4.1; -EAGAIN when the host refused; -ENOMEM;
 * -ENODEV (rescinded); or the error of posting.
 */
int vmbus_send_modifychannel(struct vmbus_channel *channel, u32 target_vp)
{
	struct vmbus_channel_modifychannel *msg;
	struct vmbus_channel_msginfo *mi;
	u32 status;
	int ret;

	if (vmbus_proto_version < VERSION_WIN10_V4_1)
		return -EINVAL;
	mi = hvb_msginfo_alloc(sizeof(*msg));
	if (!mi)
		return -ENOMEM;
	msg = (void *)mi->msg;
	msg->header.msgtype = CHANNELMSG_MODIFYCHANNEL;
	msg->child_relid = channel->offermsg.child_relid;
	msg->target_vp = target_vp;

	if (vmbus_proto_version < VERSION_WIN10_V5_3) {
		ret = hvb_post_msg(msg, sizeof(*msg));
		kfree(mi);
		return ret;
	}

	/* A rescind waits for channel_mutex: it must not while we wait. */
	mutex_unlock(&vmbus_connection.channel_mutex);
	ret = hvb_request(channel, mi, sizeof(*msg));
	mutex_lock(&vmbus_connection.channel_mutex);
	status = mi->response.modify_response.status;
	kfree(mi);
	if (!ret && status) {
		pr_err_ratelimited("relid %u: host refused to move it to VP %u (status %#x)\n",
				   channel->offermsg.child_relid, target_vp,
				   status);
		ret = -EAGAIN;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_send_modifychannel);

/**
 * vmbus_send_tl_connect_request() - ask the host for an hv_sock connection.
 * @shv_guest_servie_id: the guest's endpoint ID.
 * @shv_host_servie_id: the host service's ID.
 *
 * A host that accepts offers a channel for it; one that refuses answers
 * TL_CONNECT_RESULT (ignored: the connecting socket times out).
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL below version 4.0, or the error of posting.
 */
int vmbus_send_tl_connect_request(const guid_t *shv_guest_servie_id,
				  const guid_t *shv_host_servie_id)
{
	struct vmbus_channel_tl_connect_request msg = {
		.header.msgtype = CHANNELMSG_TL_CONNECT_REQUEST,
		.guest_endpoint_id = *shv_guest_servie_id,
		.host_service_id = *shv_host_servie_id,
	};

	if (vmbus_proto_version < VERSION_WIN10)
		return -EINVAL;
	return hvb_post_msg(&msg, sizeof(msg));
}
EXPORT_SYMBOL_GPL(vmbus_send_tl_connect_request);
