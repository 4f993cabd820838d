/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvsim: the simulated hypervisor's calls, for the simulated VMBus host
 * and devices built on it, and for the KUnit suites.
 *
 * The simulated partition numbers its VPs like Linux numbers its CPUs: VP n
 * is CPU n.  Every possible CPU is a VP; one that is offline still takes
 * messages and events, and its interrupt waits until it comes online.
 */
#ifndef _HVSIM_HVSIM_H
#define _HVSIM_HVSIM_H

#include <linux/types.h>

/* Messages the host holds per (VP, SINT) while the guest's slot is busy. */
#define HVSIM_SINT_QUEUE_LEN	16

/**
 * struct hvsim_vp_stats - one VP's SynIC counters and state.
 * @delivered: messages written into a message slot.
 * @queued: posted messages that had to wait in the host queue.
 * @refused: posts refused because the host queue was full.
 * @irqs: interrupts sent to the CPU.
 * @deferred: interrupts held because the CPU was offline.
 * @signals: event flags set from 0 to 1 (each raised the interrupt).
 * @merged: signals of a flag that was already set (no interrupt).
 * @dropped: signals refused because the SynIC was disabled.
 * @eoms: end-of-message calls made on this CPU.
 * @waiting: messages in the host queues now, all SINTs.
 * @enabled: the guest has enabled this VP's SynIC.
 * @online: interrupts can be sent to the CPU now.
 * @irq_pending: an interrupt waits for the CPU to come online.
 */
struct hvsim_vp_stats {
	u64 delivered;
	u64 queued;
	u64 refused;
	u64 irqs;
	u64 deferred;
	u64 signals;
	u64 merged;
	u64 dropped;
	u64 eoms;
	unsigned int waiting;
	bool enabled;
	bool online;
	bool irq_pending;
};

int hvsim_post_to_guest(u32 vp, u32 sint, u32 type, const void *payload,
			u32 len);
int hvsim_signal_guest(u32 vp, u32 sint, u32 bit);
int hvsim_raise_vp(u32 vp);
void hvsim_sync_vp(u32 vp);
int hvsim_vp_stats(u32 vp, struct hvsim_vp_stats *st);

#endif /* _HVSIM_HVSIM_H */
