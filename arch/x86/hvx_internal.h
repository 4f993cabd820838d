/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvx internals shared by its files and its KUnit suite.
 */
#ifndef _HVX_INTERNAL_H
#define _HVX_INTERNAL_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <hvguest/hvx.h>

struct notifier_block;

/**
 * struct hvx_state - the partition-wide state of hvx.
 * @info: what detection found (all zero when it found nothing).
 * @hypercall_pg: the executable hypercall page, NULL while hypercalls
 *	are not possible (before setup, after revocation).
 * @ready: detection, the hypercall page and the per-CPU pages all
 *	succeeded at boot; the "hyperv" platform may be registered.
 */
struct hvx_state {
	struct hvx_info info;
	void *hypercall_pg;
	bool ready;
};

extern struct hvx_state hvx_state;

/**
 * struct hvx_pcpu - one CPU's hvx state.
 * @input: hypercall input page (one page, page aligned).
 * @output: hypercall output page, the page after @input.
 * @vp_index: the hypervisor's VP number of the CPU, U32_MAX if unknown.
 */
struct hvx_pcpu {
	void *input;
	void *output;
	u32 vp_index;
};

DECLARE_PER_CPU(struct hvx_pcpu, hvx_pcpu);

/* Set once the crash MSRs were written: the host hears of one crash. */
extern atomic_t hvx_crash_reported;

void hvx_sint_irq(void);
void hvx_crash_init(void);
void hvx_hypercall_msr_off(void);
int hvx_panic_event(struct notifier_block *nb, unsigned long val, void *msg);
int hvx_die_event(struct notifier_block *nb, unsigned long val, void *args);
/* The machine_ops paths' own parts: the hook, then the revocation. */
void hvx_shutdown_revoke(void);
void hvx_crash_revoke_cpu(void);

/* 0x40000003 EBX bit 22: an isolated (confidential) partition. */
#define HVX_PRIV_ISOLATION	HV_ISOLATION

/* Four synthetic timers per VP, CONFIG and COUNT MSRs interleaved. */
#define HVX_STIMER_COUNT	4

#endif /* _HVX_INTERNAL_H */
