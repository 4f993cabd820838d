/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvcore internals shared by its files.
 */
#ifndef _HVCORE_INTERNAL_H
#define _HVCORE_INTERNAL_H

#include <hvguest/hvcore.h>

struct dentry;

/*
 * The registered backend.  Written under the registration mutex; read
 * locklessly by callers that hold a backend reference (it cannot change
 * under them) and by hvcore_synic_*(), which check it for NULL.
 */
extern const struct hvcore_backend_ops *hvcore_ops;

void hvcore_synic_debugfs(struct dentry *dir);

void hvcore_kernel_hv_install(const struct hvcore_backend_ops *ops);
void hvcore_kernel_hv_restore(void);
void hvcore_kernel_hv_debugfs(struct dentry *dir);

#endif /* _HVCORE_INTERNAL_H */
