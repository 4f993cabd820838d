/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvsim internals shared by its files.
 */
#ifndef _HVSIM_INTERNAL_H
#define _HVSIM_INTERNAL_H

#include <hvguest/hvcore.h>
#include "hvsim.h"

struct dentry;
struct seq_file;

/* synic.c: the hypervisor's SynIC. */
int hvsim_synic_init(void);
void hvsim_synic_exit(void);
int hvsim_synic_enable(unsigned int cpu, struct hvcore_synic *synic);
void hvsim_synic_disable(unsigned int cpu, struct hvcore_synic *synic);
void hvsim_eom(void);
void hvsim_synic_show(struct seq_file *m);
void hvsim_synic_debugfs(struct dentry *dir);

/* guest.c: the stand-in guest of the VM tests. */
int hvsim_guest_init(struct dentry *dir);
void hvsim_guest_exit(void);

#endif /* _HVSIM_INTERNAL_H */
