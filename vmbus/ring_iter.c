// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmbus: the in-place packet iterator of <linux/hyperv.h>.
 *
 * In a file of its own because its exports must hash (genksyms) exactly as
 * upstream's do, and upstream defines them in a file that includes what
 * this one includes.  The iterator reads validated private copies of the
 * packets (ring_buffer.c); a ring the host corrupted breaks the channel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* Upstream's exporting file includes these; see hvb.h for why it matters. */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/hyperv.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/prefetch.h>
#include <linux/io.h>
#include <asm/mshyperv.h>

#include "hvb.h"
#include "ring_buffer.h"

/**
 * hv_pkt_iter_first() - start a batch: the first unread packet.
 * @channel: an open channel.
 *
 * The packet is a validated private copy, valid until the next call.
 * Nothing is handed back to the host before hv_pkt_iter_close().
 *
 * Context: any context but NMI; readers of @channel serialised.
 * Return: the packet, or NULL when the ring is empty or broken.
 */
struct vmpacket_descriptor *hv_pkt_iter_first(struct vmbus_channel *channel)
{
	struct vmpacket_descriptor *pkt;
	int err;

	if (READ_ONCE(to_hvb_channel(channel)->broken) ||
	    !channel->inbound.ring_buffer)
		return NULL;
	pkt = hvb_ring_peek(&channel->inbound, &err);
	if (err)
		hvb_chan_broken(channel, "inbound");
	return pkt;
}
EXPORT_SYMBOL_GPL(hv_pkt_iter_first);

/**
 * __hv_pkt_iter_next() - consume a packet of the batch, get the next one.
 * @channel: the channel.
 * @pkt: the packet hv_pkt_iter_first() or this returned last.
 *
 * Context: as hv_pkt_iter_first().
 * Return: the next packet, or NULL at the end of the data (or on a broken
 * ring); the caller then calls hv_pkt_iter_close().
 */
struct vmpacket_descriptor *
__hv_pkt_iter_next(struct vmbus_channel *channel,
		   const struct vmpacket_descriptor *pkt)
{
	struct vmpacket_descriptor *next;
	int err;

	if (READ_ONCE(to_hvb_channel(channel)->broken))
		return NULL;
	next = hvb_ring_next(&channel->inbound, pkt, &err);
	if (err)
		hvb_chan_broken(channel, "inbound");
	return next;
}
EXPORT_SYMBOL_GPL(__hv_pkt_iter_next);

/**
 * hv_pkt_iter_close() - end a batch: hand the space back to the host.
 * @channel: the channel.
 *
 * read_index is published once for the whole batch; the host is signalled
 * when it waits for space that this batch freed.
 *
 * Context: as hv_pkt_iter_first().
 */
void hv_pkt_iter_close(struct vmbus_channel *channel)
{
	if (!channel->inbound.ring_buffer)
		return;
	hvb_chan_read_signal(channel,
			     hvb_ring_commit_read(&channel->inbound));
}
EXPORT_SYMBOL_GPL(hv_pkt_iter_close);

/**
 * hv_ringbuffer_spinlock_busy() - whether a sender holds the outbound
 * ring's lock.
 * @channel: the channel.
 *
 * For drivers that poll the ring from a path that must not spin on it.
 *
 * Context: any.
 * Return: true when the lock is held.
 */
bool hv_ringbuffer_spinlock_busy(struct vmbus_channel *channel)
{
	return raw_spin_is_locked(&channel->outbound.ring_lock.rlock);
}
EXPORT_SYMBOL_GPL(hv_ringbuffer_spinlock_busy);
