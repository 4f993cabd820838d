/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire protocol of hvsim's echo device, a test device of our own.
 *
 * The echo VSP returns every packet the guest sends on any channel of the
 * device (primary or sub-channel), on the same channel:
 *
 *  - VM_PKT_DATA_INBAND: the payload comes back unchanged.  When the guest
 *    set VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED, the echo is a
 *    VM_PKT_COMP carrying the guest's trans_id; otherwise it is a
 *    VM_PKT_DATA_INBAND with trans_id 0 and no flags.
 *  - VM_PKT_DATA_USING_GPA_DIRECT: the echo (a completion or an in-band
 *    packet, as above) carries the packet's in-band payload (what follows
 *    the range array) and then the bytes of guest memory that the ranges
 *    describe, in order, read by the host through the PFNs.
 *
 * An in-band payload that starts with struct hvsim_echo_ctl whose magic is
 * HVSIM_ECHO_CTL_MAGIC is a request to the VSP, not echoed: the answer is
 * the same struct with @status filled in, sent as the echo would be.
 */
#ifndef _HVGUEST_HVSIM_ECHO_H
#define _HVGUEST_HVSIM_ECHO_H

#include <linux/types.h>
#include <linux/uuid.h>

/* The interface type (class) GUID of the echo device. */
#define HVSIM_ECHO_CLASS_GUID						\
	GUID_INIT(0xe4174281, 0x461d, 0x4d68,				\
		  0xbb, 0x05, 0x00, 0xc7, 0x2f, 0xb4, 0xb0, 0xff)

#define HVSIM_ECHO_CTL_MAGIC		0x4f484345	/* "ECHO" */

/* Sub-channels an echo device offers at most, unless configured lower. */
#define HVSIM_ECHO_MAX_SUBCHANNELS	15

enum hvsim_echo_op {
	/*
	 * Offer sub-channels: @arg is how many the guest wants in all.  The
	 * host offers those it has not offered yet, up to the device's
	 * maximum, with sub_channel_index 1, 2, ...; their OFFERCHANNEL
	 * messages are sent before the answer.  @status is then the number
	 * of sub-channels the device has, or a negative errno.
	 */
	HVSIM_ECHO_OP_SUBCHANNELS = 1,
	/* Nothing; @status is 0.  A round trip through the control path. */
	HVSIM_ECHO_OP_NOP = 2,
};

struct hvsim_echo_ctl {
	__le32 magic;
	__le32 op;
	__le32 arg;
	__le32 status;		/* s32 in the answer */
} __packed;

#endif /* _HVGUEST_HVSIM_ECHO_H */
