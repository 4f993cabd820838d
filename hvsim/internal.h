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
bool hvsim_vp_exists(u32 vp);
void hvsim_synic_exit(void);
int hvsim_synic_enable(unsigned int cpu, struct hvcore_synic *synic);
void hvsim_synic_disable(unsigned int cpu, struct hvcore_synic *synic);
void hvsim_eom(void);
void hvsim_synic_show(struct seq_file *m);
void hvsim_synic_debugfs(struct dentry *dir);

/* vmbus_host.c: the VMBus host's debugfs views. */
struct hvsim_vmbus;
void hvsim_vmbus_show_devices(struct hvsim_vmbus *host, struct seq_file *m);
void hvsim_vmbus_show_counters(struct hvsim_vmbus *host, struct seq_file *m);
void hvsim_vmbus_show_channels(struct hvsim_vmbus *host, struct seq_file *m);
void hvsim_vmbus_show_gpadls(struct hvsim_vmbus *host, struct seq_file *m);

/* storvsp.c: the SCSI controllers' configuration and controls. */
int hvsim_storvsp_configure(const guid_t *instance, unsigned int luns,
			    unsigned int mb);
int hvsim_storvsp_init(struct hvsim_vmbus *host);
void hvsim_storvsp_exit(void);
void hvsim_storvsp_debugfs(struct dentry *parent);
u16 hvsim_storvsp_default_subch(void);

/* vmbus_ctl.c: the VMBus host behind the backend, and its controls. */
int hvsim_vmbus_ctl_init(void);
void hvsim_vmbus_ctl_exit(void);
void hvsim_vmbus_ctl_debugfs(struct dentry *parent);
void hvsim_vmbus_space(u32 vp, u32 sint);
int hvsim_vmbus_backend_post(u32 conn_id, u32 type, const void *payload,
			     u32 len);
int hvsim_vmbus_backend_signal(u32 conn_id, u16 flag);

/* timer.c: reference counter, TSC page, stimer0. */
u64 hvsim_ref_time(void);
u64 hvsim_ref_of_raw(u64 raw_ns);
u64 hvsim_clock_scale(u64 tsc_hz, s32 ppm);
s64 hvsim_clock_offset(u64 tsc, u64 ref, u64 scale);
int hvsim_ref_tsc(u64 val);
int hvsim_stimer_config(u64 config);
int hvsim_stimer_count(u64 count);
ktime_t hvsim_stimer_delay(u64 ticks);
void hvsim_timer_init(void);
void hvsim_timer_exit(void);
void hvsim_timer_debugfs(struct dentry *parent);

/*
 * A write-only debugfs file: @writer takes each write.  simple_open()
 * leaves the file's inode private data in file->private_data.
 */
#define HVSIM_WRITE_FOPS(name, writer)			\
static const struct file_operations name = {		\
	.owner = THIS_MODULE,				\
	.open = simple_open,				\
	.write = writer,				\
	.llseek = noop_llseek,				\
}

/* guest.c: the stand-in guest of the VM tests. */
int hvsim_guest_init(struct dentry *dir);
void hvsim_guest_exit(void);

#endif /* _HVSIM_INTERNAL_H */
