// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the echo device's VSP (include/hvguest/hvsim_echo.h).
 *
 * Every packet the guest sends on a channel of the device comes back on
 * that channel: an in-band payload unchanged, a GPA-direct packet as its
 * in-band payload followed by the guest memory its ranges describe, read
 * through the PFNs.  A completion is the answer when the guest asked for
 * one (VM_PKT_COMP with its trans_id), an in-band packet otherwise.  An
 * in-band payload that starts with struct hvsim_echo_ctl and its magic is
 * a request to the VSP instead.  Completions and transfer-page packets
 * from the guest have nothing to echo and are consumed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": echo: " fmt

#include <linux/hyperv.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <hvguest/hvsim_echo.h>
#include "vmbus_host.h"

static_assert(sizeof(struct hvsim_echo_ctl) == 16);
static_assert(offsetof(struct hvsim_echo_ctl, op) == 4);
static_assert(offsetof(struct hvsim_echo_ctl, arg) == 8);
static_assert(offsetof(struct hvsim_echo_ctl, status) == 12);
static_assert(sizeof(struct gpa_range) == 8);
static_assert(sizeof(struct vmdata_gpa_direct) == 32);

/* The largest GPA-direct echo the VSP builds (the ring limits it too). */
#define HVSIM_ECHO_MAX_GPA	(4U << 20)

static int hvsim_echo_ctl(struct hvsim_vmbus_chan *chan,
			  const struct hvsim_vmbus_pkt *pkt, u16 type,
			  u64 trans_id)
{
	struct hvsim_echo_ctl c;
	int status;

	memcpy(&c, pkt->data, sizeof(c));
	switch (le32_to_cpu(c.op)) {
	case HVSIM_ECHO_OP_SUBCHANNELS:
		/* The offers go out before the answer. */
		status = hvsim_chan_offer_subchannels(chan,
						      le32_to_cpu(c.arg));
		break;
	case HVSIM_ECHO_OP_NOP:
		status = 0;
		break;
	default:
		status = -EOPNOTSUPP;
		break;
	}
	c.status = cpu_to_le32((u32)status);
	return hvsim_chan_send(chan, type, 0, trans_id, &c, sizeof(c), NULL,
			       0);
}

/*
 * The bytes the ranges describe, after the in-band payload.  The ranges
 * were checked by the host (they lie within the header, offsets below a
 * page); a PFN that is not memory is the guest's error.
 */
static int hvsim_echo_gpa(struct hvsim_vmbus_chan *chan,
			  const struct hvsim_vmbus_pkt *pkt, u16 type,
			  u64 trans_id)
{
	const u8 *p = (const u8 *)pkt->hdr + sizeof(struct vmdata_gpa_direct) -
		      sizeof(struct gpa_range);
	u32 i, cnt, off, chunk, total = 0, pos = 0;
	u64 sum = 0;
	u8 *buf;
	int ret;

	/* First the size. */
	for (i = 0; i < pkt->ranges; i++) {
		cnt = get_unaligned_le32(p);
		off = get_unaligned_le32(p + 4);
		sum += cnt;
		p += sizeof(struct gpa_range) +
		     8 * DIV_ROUND_UP((u64)off + cnt, HV_HYP_PAGE_SIZE);
	}
	if (sum > HVSIM_ECHO_MAX_GPA)
		return -EMSGSIZE;
	total = sum;
	buf = kvmalloc(total ? total : 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	p = (const u8 *)pkt->hdr + sizeof(struct vmdata_gpa_direct) -
	    sizeof(struct gpa_range);
	for (i = 0; i < pkt->ranges; i++) {
		const u8 *pfns = p + sizeof(struct gpa_range);

		cnt = get_unaligned_le32(p);
		off = get_unaligned_le32(p + 4);
		p = pfns + 8 * DIV_ROUND_UP((u64)off + cnt, HV_HYP_PAGE_SIZE);
		while (cnt) {
			chunk = min_t(u32, cnt, HV_HYP_PAGE_SIZE - off);
			ret = hvsim_chan_read_gpa(get_unaligned_le64(pfns), off,
						  buf + pos, chunk);
			if (ret)
				goto out;
			pos += chunk;
			cnt -= chunk;
			off = 0;
			pfns += 8;
		}
	}
	ret = hvsim_chan_send(chan, type, 0, trans_id, pkt->data, pkt->len,
			      buf, total);
out:
	kvfree(buf);
	return ret;
}

static int hvsim_echo_packet(struct hvsim_vmbus_chan *chan,
			     const struct hvsim_vmbus_pkt *pkt)
{
	bool comp = pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	u16 type = comp ? VM_PKT_COMP : VM_PKT_DATA_INBAND;
	u64 trans_id = comp ? pkt->trans_id : 0;

	switch (pkt->type) {
	case VM_PKT_DATA_INBAND:
		if (pkt->len >= sizeof(struct hvsim_echo_ctl) &&
		    get_unaligned_le32(pkt->data) == HVSIM_ECHO_CTL_MAGIC)
			return hvsim_echo_ctl(chan, pkt, type, trans_id);
		return hvsim_chan_send(chan, type, 0, trans_id, pkt->data,
				       pkt->len, NULL, 0);
	case VM_PKT_DATA_USING_GPA_DIRECT:
		return hvsim_echo_gpa(chan, pkt, type, trans_id);
	default:
		return 0;
	}
}

const struct hvsim_vsp_ops hvsim_echo_vsp = {
	.name = "echo",
	.packet = hvsim_echo_packet,
};
