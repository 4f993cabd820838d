// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvguest: VMBus ring buffer core.
 *
 * Shared state and who owns it:
 *
 *   write_index      producer; offset of the next byte to be written
 *   read_index       consumer; offset of the next byte to be read
 *   interrupt_mask   consumer; non-zero while it is polling the ring and
 *                    does not want interrupts
 *   pending_send_sz  producer; free space it is waiting for, 0 if none
 *   feature_bits     feat_pending_send_sz announces that the owner of the
 *                    bit honours the pending_send_sz protocol
 *
 * Both indices are byte offsets into the data area. Equal indices mean an
 * empty ring, so a producer never fills the last free byte. Packets and the
 * data area size are multiples of 8 bytes, and every packet is followed by a
 * 64-bit trailer holding the packet's start offset in its upper half.
 *
 * The data area is mapped twice in a row behind the header, so any access
 * of at most ring_datasize bytes starting inside the data area is a single
 * linear copy, even when it runs past the end of the ring.
 *
 * Every index this file computes with is first checked to lie inside the
 * data area. A value written by the host that fails the check is reported
 * as -EBADMSG and is never used in arithmetic or as an offset.
 */

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/hyperv.h>
#include <linux/lockdep.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/reciprocal_div.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/barrier.h>

#include "ring_buffer.h"

static_assert(sizeof(struct hv_ring_buffer) == PAGE_SIZE);
static_assert(sizeof(struct vmpacket_descriptor) == 2 * sizeof(u64));
static_assert(HVB_RING_TRAILER_SIZE == 8);

/* Forward distance from @from to @to; both must be below @dsize. */
static inline u32 hvb_ring_dist(u32 from, u32 to, u32 dsize)
{
	return to >= from ? to - from : dsize - from + to;
}

/* @pos moved forward by @len bytes; needs @pos < @dsize and @len <= @dsize. */
static inline u32 hvb_ring_fwd(u32 pos, u32 len, u32 dsize)
{
	return len >= dsize - pos ? len - (dsize - pos) : pos + len;
}

/*
 * Bytes published by the producer beyond our private read position, i.e.
 * what the current batch can still consume. priv_read_index lives in guest
 * private memory and only this file moves it, so it is trusted.
 */
static int hvb_ring_unread(const struct hv_ring_buffer_info *rbi, u32 *bytes)
{
	u32 wr = READ_ONCE(rbi->ring_buffer->write_index);

	*bytes = 0;
	if (wr >= rbi->ring_datasize)
		return -EBADMSG;
	*bytes = hvb_ring_dist(rbi->priv_read_index, wr, rbi->ring_datasize);
	return 0;
}

/**
 * hvb_ring_init() - Map a ring and prepare its bookkeeping.
 * @rbi: Ring state to initialise; any previous content is discarded.
 * @pages: First page of a physically contiguous block of @page_cnt pages.
 *         Page 0 becomes the shared header, the rest the data area.
 * @page_cnt: Number of pages in @pages, header included.
 * @max_pkt_size: Largest inbound packet, descriptor included, that the ring
 *                must accept. Rounded up to a multiple of 8 and capped at
 *                the largest length a descriptor can express.
 *
 * Maps header, data area and the data area again into one virtually
 * contiguous range, allocates the private packet buffer that inbound packets
 * are copied into, and initialises the header for a fresh ring: indices
 * zero, interrupts unmasked, no pending send size, and our
 * feat_pending_send_sz bit set. The host must not be using the ring yet.
 *
 * @pages stays owned by the caller and must outlive hvb_ring_cleanup().
 * On failure @rbi is left in a state that hvb_ring_cleanup() accepts.
 *
 * Context: Process context, may sleep. No concurrent user of @rbi.
 * Return: 0 on success, -EINVAL for a bad argument, -ENOMEM if mapping or
 *         allocation fails.
 */
int hvb_ring_init(struct hv_ring_buffer_info *rbi, struct page *pages,
		  u32 page_cnt, u32 max_pkt_size)
{
	u32 data_pages, map_cnt, buf_size, i;
	struct hv_ring_buffer *rb;
	struct page **map;

	memset(rbi, 0, sizeof(*rbi));
	spin_lock_init(&rbi->ring_lock);
	mutex_init(&rbi->ring_buffer_mutex);

	if (!pages || page_cnt < 2 || page_cnt > HVB_RING_MAX_PAGES)
		return -EINVAL;
	if (max_pkt_size < sizeof(struct vmpacket_descriptor))
		return -EINVAL;

	buf_size = round_up(min(max_pkt_size, HVB_RING_MAX_PKT_LEN), 8);

	data_pages = page_cnt - 1;
	map_cnt = 1 + 2 * data_pages;
	map = kvmalloc_array(map_cnt, sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;

	map[0] = pages;
	for (i = 0; i < data_pages; i++) {
		map[1 + i] = nth_page(pages, 1 + i);
		map[1 + data_pages + i] = map[1 + i];
	}

	/*
	 * The ring is shared with the host, so in an isolated VM the mapping
	 * must not be encrypted; elsewhere pgprot_decrypted() is a no-op.
	 */
	rb = vmap(map, map_cnt, VM_MAP, pgprot_decrypted(PAGE_KERNEL));
	kvfree(map);
	if (!rb)
		return -ENOMEM;

	rbi->pkt_buffer = kvzalloc(buf_size, GFP_KERNEL);
	if (!rbi->pkt_buffer) {
		vunmap(rb);
		return -ENOMEM;
	}
	rbi->pkt_buffer_size = buf_size;

	rbi->ring_size = page_cnt << PAGE_SHIFT;
	rbi->ring_datasize = rbi->ring_size - sizeof(struct hv_ring_buffer);
	rbi->ring_size_div10_reciprocal = reciprocal_value(rbi->ring_size / 10);
	rbi->priv_read_index = 0;

	memset(rb, 0, sizeof(*rb));
	rb->feature_bits.feat_pending_send_sz = 1;
	rbi->ring_buffer = rb;

	return 0;
}

/**
 * hvb_ring_cleanup() - Undo hvb_ring_init().
 * @rbi: Ring state set up by hvb_ring_init(), successfully or not.
 *
 * Removes the mapping and frees the packet buffer. The pages handed to
 * hvb_ring_init() are not freed. Waits for a concurrent
 * hvb_ring_debuginfo(), which afterwards reports -EINVAL.
 *
 * Context: Process context, may sleep. The host and all readers and
 *          writers of the ring must be done with it.
 */
void hvb_ring_cleanup(struct hv_ring_buffer_info *rbi)
{
	mutex_lock(&rbi->ring_buffer_mutex);
	if (rbi->ring_buffer)
		vunmap(rbi->ring_buffer);
	rbi->ring_buffer = NULL;
	rbi->ring_size = 0;
	rbi->ring_datasize = 0;
	rbi->priv_read_index = 0;
	mutex_unlock(&rbi->ring_buffer_mutex);

	kvfree(rbi->pkt_buffer);
	rbi->pkt_buffer = NULL;
	rbi->pkt_buffer_size = 0;
}

/**
 * hvb_ring_bytes_to_read() - Bytes between the shared read and write index.
 * @rbi: An initialised ring.
 * @bytes: Set to the byte count, or to 0 on error.
 *
 * Uses the published read_index, so on an inbound ring the packets of a
 * batch that has not been committed yet are still counted.
 *
 * Return: 0, or -EBADMSG if either index lies outside the data area.
 */
int hvb_ring_bytes_to_read(const struct hv_ring_buffer_info *rbi, u32 *bytes)
{
	u32 dsize = rbi->ring_datasize;
	u32 rd = READ_ONCE(rbi->ring_buffer->read_index);
	u32 wr = READ_ONCE(rbi->ring_buffer->write_index);

	*bytes = 0;
	if (rd >= dsize || wr >= dsize)
		return -EBADMSG;
	*bytes = hvb_ring_dist(rd, wr, dsize);
	return 0;
}

/**
 * hvb_ring_bytes_to_write() - Free bytes in the data area.
 * @rbi: An initialised ring.
 * @bytes: Set to the byte count, or to 0 on error.
 *
 * A packet of N bytes including its trailer fits only if more than N bytes
 * are free, because the ring never becomes completely full.
 *
 * Return: 0, or -EBADMSG if either index lies outside the data area.
 */
int hvb_ring_bytes_to_write(const struct hv_ring_buffer_info *rbi, u32 *bytes)
{
	int ret = hvb_ring_bytes_to_read(rbi, bytes);

	if (!ret)
		*bytes = rbi->ring_datasize - *bytes;
	return ret;
}

/**
 * hvb_ring_is_empty() - Whether the shared indices describe an empty ring.
 * @rbi: An initialised ring.
 *
 * A ring with an out-of-range index is reported as not empty, so that a
 * caller deciding whether to look for work goes on to hvb_ring_peek() and
 * gets the error from there.
 *
 * Return: true if read_index equals write_index.
 */
bool hvb_ring_is_empty(const struct hv_ring_buffer_info *rbi)
{
	u32 bytes;

	return !hvb_ring_bytes_to_read(rbi, &bytes) && !bytes;
}

/**
 * hvb_ring_write() - Append one packet to an outbound ring.
 * @rbi: An initialised ring; the caller holds @rbi->ring_lock.
 * @kv: Pieces of the packet, written back to back. The first one starts
 *      with the struct vmpacket_descriptor built by the caller.
 * @kv_cnt: Number of entries in @kv.
 * @signal: Set to true if the host has to be signalled about this packet.
 *
 * Copies the packet and its trailer into the ring and then publishes the
 * new write_index. Nothing is written unless the whole packet fits.
 *
 * @signal is set only when the host is not polling (interrupt_mask clear)
 * and had consumed everything before this packet: in every other case the
 * host is bound to find the packet without an interrupt.
 *
 * Context: Any context; must hold @rbi->ring_lock.
 * Return: 0 on success; -EINVAL if the packet is shorter than a descriptor
 *         or not a multiple of 8 bytes; -EMSGSIZE if it can never fit in
 *         this ring; -EAGAIN if it does not fit now; -EBADMSG if an index
 *         in the shared header lies outside the data area.
 */
int hvb_ring_write(struct hv_ring_buffer_info *rbi, const struct kvec *kv,
		   u32 kv_cnt, bool *signal)
{
	struct hv_ring_buffer *rb = rbi->ring_buffer;
	u32 dsize = rbi->ring_datasize;
	u32 pkt_len = 0, old_wr, wr, rd, i;
	u64 trailer;

	lockdep_assert_held(&rbi->ring_lock);
	*signal = false;

	for (i = 0; i < kv_cnt; i++) {
		if (kv[i].iov_len >= dsize - pkt_len)
			return -EMSGSIZE;
		pkt_len += kv[i].iov_len;
	}
	if (pkt_len < sizeof(struct vmpacket_descriptor) ||
	    !IS_ALIGNED(pkt_len, 8))
		return -EINVAL;
	if (pkt_len >= dsize - HVB_RING_TRAILER_SIZE)
		return -EMSGSIZE;

	old_wr = READ_ONCE(rb->write_index);
	rd = READ_ONCE(rb->read_index);
	if (old_wr >= dsize || rd >= dsize)
		return -EBADMSG;

	/*
	 * The stores below into space the host has freed are control
	 * dependent on this check, so they cannot become visible before our
	 * load of read_index, i.e. before the host finished reading there.
	 */
	if (dsize - hvb_ring_dist(rd, old_wr, dsize) <=
	    pkt_len + HVB_RING_TRAILER_SIZE)
		return -EAGAIN;

	wr = old_wr;
	for (i = 0; i < kv_cnt; i++) {
		memcpy(rb->buffer + wr, kv[i].iov_base, kv[i].iov_len);
		wr = hvb_ring_fwd(wr, kv[i].iov_len, dsize);
	}
	trailer = (u64)old_wr << 32;
	memcpy(rb->buffer + wr, &trailer, sizeof(trailer));
	wr = hvb_ring_fwd(wr, sizeof(trailer), dsize);

	/*
	 * Publish: the host loads write_index, then (after its read barrier)
	 * the bytes it covers. The packet must be visible before the index.
	 */
	virt_wmb();
	WRITE_ONCE(rb->write_index, wr);

	/*
	 * A host that stops polling clears interrupt_mask, issues a full
	 * barrier and then looks at write_index once more. Our full barrier
	 * between publishing write_index and sampling its state pairs with
	 * that: either the host sees this packet, or we see that it went idle
	 * and signal it.
	 */
	virt_mb();
	if (READ_ONCE(rb->interrupt_mask))
		return 0;

	/*
	 * The host updates read_index before it clears interrupt_mask. Load
	 * in the opposite order so that a clear mask implies a read_index at
	 * least as recent as that unmask.
	 */
	virt_rmb();
	if (READ_ONCE(rb->read_index) == old_wr)
		*signal = true;

	return 0;
}

/**
 * hvb_ring_peek() - Copy out and validate the next inbound packet.
 * @rbi: An initialised ring. Readers of one ring must be serialised.
 * @err: Set to 0, or to -EBADMSG if the host broke the ring protocol.
 *
 * Looks at the packet at the private read position without consuming it.
 * The descriptor is read from shared memory exactly once and checked:
 * offset8 covers at least the descriptor, len8 covers at least offset8,
 * the packet plus its trailer has been published by the host, and the
 * packet fits into @rbi->pkt_buffer. The packet is then copied into
 * @rbi->pkt_buffer and the checked descriptor is stored over the copy's
 * own, so later changes to the ring by the host have no effect on what the
 * caller sees.
 *
 * Fewer published bytes than a descriptor plus trailer count as an empty
 * ring. On error the ring state is not modified.
 *
 * Context: Any context.
 * Return: The packet inside @rbi->pkt_buffer, valid until the next peek;
 *         NULL if the ring is empty (*@err == 0) or broken (*@err < 0).
 */
struct vmpacket_descriptor *hvb_ring_peek(struct hv_ring_buffer_info *rbi,
					  int *err)
{
	struct hv_ring_buffer *rb = rbi->ring_buffer;
	const u64 *src = (const u64 *)(rb->buffer + rbi->priv_read_index);
	union {
		struct vmpacket_descriptor desc;
		u64 raw[2];
	} snap;
	u32 avail, len;

	*err = hvb_ring_unread(rbi, &avail);
	if (*err)
		return NULL;
	if (avail < sizeof(snap.desc) + HVB_RING_TRAILER_SIZE)
		return NULL;

	/*
	 * Pairs with the host's write barrier between filling the data area
	 * and storing write_index: the @avail bytes are complete.
	 */
	virt_rmb();

	/* The only read of the descriptor in shared memory. */
	snap.raw[0] = READ_ONCE(src[0]);
	snap.raw[1] = READ_ONCE(src[1]);

	len = (u32)snap.desc.len8 * 8;
	if (snap.desc.offset8 < sizeof(snap.desc) / 8 ||
	    snap.desc.len8 < snap.desc.offset8 ||
	    len > avail - HVB_RING_TRAILER_SIZE ||
	    len > rbi->pkt_buffer_size) {
		*err = -EBADMSG;
		return NULL;
	}

	memcpy(rbi->pkt_buffer, src, len);
	memcpy(rbi->pkt_buffer, &snap.desc, sizeof(snap.desc));

	return rbi->pkt_buffer;
}

/*
 * Move the private read position past @pkt and its trailer. @pkt must be
 * the copy returned by the last peek; the step is checked once more against
 * what the host has published, so neither a caller that edited the copy nor
 * a host that moved write_index backwards can push the position past data
 * that was actually written.
 */
static int hvb_ring_consume(struct hv_ring_buffer_info *rbi,
			    const struct vmpacket_descriptor *pkt)
{
	u32 step, avail;
	int ret;

	if (WARN_ON_ONCE(pkt != rbi->pkt_buffer))
		return -EINVAL;

	ret = hvb_ring_unread(rbi, &avail);
	if (ret)
		return ret;

	step = (u32)pkt->len8 * 8 + HVB_RING_TRAILER_SIZE;
	if (step > avail)
		return -EBADMSG;

	rbi->priv_read_index = hvb_ring_fwd(rbi->priv_read_index, step,
					    rbi->ring_datasize);
	return 0;
}

/**
 * hvb_ring_next() - Consume the current packet and peek at the next one.
 * @rbi: An initialised ring. Readers of one ring must be serialised.
 * @pkt: The packet returned by the last hvb_ring_peek() or hvb_ring_next().
 * @err: Set as by hvb_ring_peek(); -EINVAL if @pkt is not that packet.
 *
 * Only the private read position moves. The host sees the space as free
 * once the batch is published with hvb_ring_commit_read().
 *
 * Context: Any context.
 * Return: As for hvb_ring_peek().
 */
struct vmpacket_descriptor *hvb_ring_next(struct hv_ring_buffer_info *rbi,
					  const struct vmpacket_descriptor *pkt,
					  int *err)
{
	*err = hvb_ring_consume(rbi, pkt);
	if (*err)
		return NULL;
	return hvb_ring_peek(rbi, err);
}

/**
 * hvb_ring_commit_read() - Hand the space of consumed packets to the host.
 * @rbi: An initialised ring. Readers of one ring must be serialised.
 *
 * Publishes the private read position as read_index, once for a whole
 * batch. Then decides whether the host, which may be waiting for space,
 * has to be signalled. That is the case only if the host announced the
 * pending_send_sz protocol in feature_bits, asked for space with a
 * non-zero pending_send_sz, there is now more free space than it asked
 * for, and there was not before this commit.
 *
 * Context: Any context.
 * Return: true if the host must be signalled.
 */
bool hvb_ring_commit_read(struct hv_ring_buffer_info *rbi)
{
	struct hv_ring_buffer *rb = rbi->ring_buffer;
	u32 dsize = rbi->ring_datasize;
	u32 new_rd = rbi->priv_read_index;
	u32 old_rd = READ_ONCE(rb->read_index);
	typeof(rb->feature_bits) features;
	u32 pending, wr, freed, free_now;

	if (new_rd == old_rd)
		return false;

	/*
	 * All loads from the consumed packets must be complete before the
	 * host may see the space as free and overwrite it. Ordering earlier
	 * loads before a store takes a full barrier.
	 */
	virt_mb();
	WRITE_ONCE(rb->read_index, new_rd);

	/*
	 * A host that finds the ring too full stores pending_send_sz, issues
	 * a full barrier and loads read_index again before it waits. Pairs
	 * with this barrier: either the host sees the space we just freed, or
	 * we see its request below.
	 */
	virt_mb();

	features.value = READ_ONCE(rb->feature_bits.value);
	if (!features.feat_pending_send_sz)
		return false;
	pending = READ_ONCE(rb->pending_send_sz);
	if (!pending)
		return false;

	wr = READ_ONCE(rb->write_index);
	if (wr >= dsize)
		return false;
	free_now = dsize - hvb_ring_dist(new_rd, wr, dsize);
	if (free_now <= pending)
		return false;

	/*
	 * Our own read_index was corrupted: we cannot tell whether the host
	 * was already satisfied, and a spurious signal is harmless.
	 */
	if (old_rd >= dsize)
		return true;

	freed = hvb_ring_dist(old_rd, new_rd, dsize);
	return free_now <= freed || free_now - freed <= pending;
}

/**
 * hvb_ring_read() - Receive one inbound packet into a caller buffer.
 * @rbi: An initialised ring. Readers of one ring must be serialised.
 * @buf: Destination.
 * @buflen: Size of @buf.
 * @actual_len: Set to the size of the data the packet has for @buf, also
 *              when @buf is too small; 0 if there is no packet.
 * @requestid: Set to the packet's trans_id, also when @buf is too small.
 * @raw: Copy the whole packet including its descriptor, instead of only
 *       the payload that starts at offset8 * 8.
 * @signal: Set to true if the host must be signalled, see
 *          hvb_ring_commit_read().
 *
 * Peeks, copies, consumes and commits a single packet. Must not be mixed
 * with an uncommitted hvb_ring_peek()/hvb_ring_next() batch.
 *
 * Context: Any context.
 * Return: 0 on success or if the ring is empty; -ENOBUFS if @buflen is too
 *         small, in which case nothing is consumed; -EBADMSG if the host
 *         broke the ring protocol.
 */
int hvb_ring_read(struct hv_ring_buffer_info *rbi, void *buf, u32 buflen,
		  u32 *actual_len, u64 *requestid, bool raw, bool *signal)
{
	struct vmpacket_descriptor *pkt;
	u32 skip, len;
	int err;

	*actual_len = 0;
	*requestid = 0;
	*signal = false;

	pkt = hvb_ring_peek(rbi, &err);
	if (!pkt)
		return err;

	skip = raw ? 0 : (u32)pkt->offset8 * 8;
	len = (u32)pkt->len8 * 8 - skip;
	*actual_len = len;
	*requestid = pkt->trans_id;
	if (len > buflen)
		return -ENOBUFS;

	memcpy(buf, (u8 *)pkt + skip, len);

	err = hvb_ring_consume(rbi, pkt);
	if (err)
		return err;
	*signal = hvb_ring_commit_read(rbi);
	return 0;
}

/**
 * hvb_ring_intr_mask() - Tell the host that we are polling an inbound ring.
 * @rbi: An initialised ring.
 *
 * While interrupt_mask is set the host does not signal new packets.
 *
 * Context: Any context.
 */
void hvb_ring_intr_mask(struct hv_ring_buffer_info *rbi)
{
	WRITE_ONCE(rbi->ring_buffer->interrupt_mask, 1);
	/*
	 * Order the mask before the loads of write_index in the batch that
	 * follows; pairs with the full barrier in the host's write path.
	 */
	virt_mb();
}

/**
 * hvb_ring_intr_unmask() - Stop polling an inbound ring.
 * @rbi: An initialised ring.
 *
 * Clears interrupt_mask so that the host signals the next packet, then
 * checks for packets that were published before the host could see the
 * mask cleared; those raise no interrupt. Call it after
 * hvb_ring_commit_read(): the host signals only when it sees read_index
 * caught up with its write_index.
 *
 * Context: Any context.
 * Return: true if unread packets are pending (or the ring is broken) and
 *         the caller must poll again.
 */
bool hvb_ring_intr_unmask(struct hv_ring_buffer_info *rbi)
{
	u32 avail;

	WRITE_ONCE(rbi->ring_buffer->interrupt_mask, 0);
	/*
	 * The host stores write_index, issues a full barrier and then loads
	 * interrupt_mask. With our full barrier here, either it sees the mask
	 * clear and signals, or we see its write_index below.
	 */
	virt_mb();

	if (hvb_ring_unread(rbi, &avail))
		return true;
	return avail != 0;
}

/**
 * hvb_ring_debuginfo() - Snapshot of a ring's shared state for debugging.
 * @rbi: A ring, set up or not.
 * @info: Filled with the header fields and the derived byte counts. Fields
 *        that cannot be determined are 0.
 *
 * The byte counts are derived from the same index values that are reported.
 *
 * Context: Process context, may sleep (takes @rbi->ring_buffer_mutex).
 * Return: 0; -EINVAL if the ring is not set up; -EBADMSG if an index lies
 *         outside the data area (the raw indices are still reported).
 */
int hvb_ring_debuginfo(struct hv_ring_buffer_info *rbi,
		       struct hv_ring_buffer_debug_info *info)
{
	struct hv_ring_buffer *rb;
	u32 dsize, rd, wr;
	int ret = 0;

	memset(info, 0, sizeof(*info));

	mutex_lock(&rbi->ring_buffer_mutex);
	rb = rbi->ring_buffer;
	if (!rb) {
		ret = -EINVAL;
		goto out;
	}

	dsize = rbi->ring_datasize;
	rd = READ_ONCE(rb->read_index);
	wr = READ_ONCE(rb->write_index);
	info->current_interrupt_mask = READ_ONCE(rb->interrupt_mask);
	info->current_read_index = rd;
	info->current_write_index = wr;
	if (rd >= dsize || wr >= dsize) {
		ret = -EBADMSG;
		goto out;
	}
	info->bytes_avail_toread = hvb_ring_dist(rd, wr, dsize);
	info->bytes_avail_towrite = dsize - info->bytes_avail_toread;
out:
	mutex_unlock(&rbi->ring_buffer_mutex);
	return ret;
}
