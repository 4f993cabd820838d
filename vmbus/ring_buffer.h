/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvguest: VMBus ring buffer core.
 *
 * A VMBus channel owns two rings: an outbound one that the guest fills and
 * the host drains, and an inbound one that the host fills and the guest
 * drains. Each ring is a 4 KiB header page (struct hv_ring_buffer) followed
 * by a data area. Packets in the data area are a struct vmpacket_descriptor,
 * a payload, and an 8-byte trailer; every packet is a multiple of 8 bytes.
 *
 * This layer only moves bytes and decides whether the other side has to be
 * signalled. It knows nothing about struct vmbus_channel: the channel layer
 * provides locking, sends the actual signals and reacts to errors.
 *
 * Everything the host can write is untrusted. Indices read from the shared
 * header are range checked before use, and inbound packets are validated
 * on a private copy (rbi->pkt_buffer), never in shared memory.
 */
#ifndef _HVGUEST_VMBUS_RING_BUFFER_H
#define _HVGUEST_VMBUS_RING_BUFFER_H

#include <linux/hyperv.h>
#include <linux/types.h>
#include <linux/uio.h>

struct page;

/* Size of the trailer that follows every packet in the data area. */
#define HVB_RING_TRAILER_SIZE	sizeof(u64)

/* Largest packet a vmpacket_descriptor can describe (len8 is a u16). */
#define HVB_RING_MAX_PKT_LEN	((u32)U16_MAX * 8)

/* Largest ring hvb_ring_init() accepts, header page included. */
#define HVB_RING_MAX_PAGES	(U32_MAX >> (PAGE_SHIFT + 1))

int hvb_ring_init(struct hv_ring_buffer_info *rbi, struct page *pages,
		  u32 page_cnt, u32 max_pkt_size);
void hvb_ring_cleanup(struct hv_ring_buffer_info *rbi);

int hvb_ring_bytes_to_read(const struct hv_ring_buffer_info *rbi, u32 *bytes);
int hvb_ring_bytes_to_write(const struct hv_ring_buffer_info *rbi, u32 *bytes);
bool hvb_ring_is_empty(const struct hv_ring_buffer_info *rbi);

int hvb_ring_write(struct hv_ring_buffer_info *rbi, const struct kvec *kv,
		   u32 kv_cnt, bool *signal);

struct vmpacket_descriptor *hvb_ring_peek(struct hv_ring_buffer_info *rbi,
					  int *err);
struct vmpacket_descriptor *hvb_ring_next(struct hv_ring_buffer_info *rbi,
					  const struct vmpacket_descriptor *pkt,
					  int *err);
bool hvb_ring_commit_read(struct hv_ring_buffer_info *rbi);
int hvb_ring_read(struct hv_ring_buffer_info *rbi, void *buf, u32 buflen,
		  u32 *actual_len, u64 *requestid, bool raw, bool *signal);

void hvb_ring_intr_mask(struct hv_ring_buffer_info *rbi);
bool hvb_ring_intr_unmask(struct hv_ring_buffer_info *rbi);

int hvb_ring_debuginfo(struct hv_ring_buffer_info *rbi,
		       struct hv_ring_buffer_debug_info *info);

#endif /* _HVGUEST_VMBUS_RING_BUFFER_H */
