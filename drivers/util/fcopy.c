// SPDX-License-Identifier: GPL-2.0
/*
 * hv_utils: the file copy IC through /dev/vmbus/hv_fcopy, for the
 * hv_fcopy_daemon of distributions whose hyperv-daemons predate Linux
 * 6.10 (Debian 12's).  Served only with the module parameter
 * fcopy_chardev=1: by default the device is left to uio_hv_generic and
 * hv_fcopy_uio_daemon, as in the kernel this module replaces.
 *
 * Registration: the daemon writes an int, its version; version 1 is
 * answered with the kernel's (a u32, 1), version 0 is not answered.  Each
 * request is then read as the host's message (names in UTF-8) and
 * answered with one int, the HV status.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "hvu.h"

static u32 hvu_fcopy_ver = FCOPY_CURRENT_VERSION;

static int hvu_fcopy_handshake(struct hvu_daemon *d, const void *msg,
			       size_t len, const void **reply,
			       size_t *reply_len)
{
	int ver;

	if (len != sizeof(int))
		return -EINVAL;
	ver = *(const int *)msg;
	switch (ver) {
	case FCOPY_VERSION_0:
		return 0;
	case FCOPY_VERSION_1:
		*reply = &hvu_fcopy_ver;
		*reply_len = sizeof(hvu_fcopy_ver);
		return 0;
	}
	pr_info_ratelimited("FCopy: unknown daemon version %d\n", ver);
	return -EINVAL;
}

static bool hvu_fcopy_host_msg(struct hvu_daemon *d, u32 *status)
{
	u32 len;

	*status = hvu_fcopy_to_daemon(d->buf, d->len, d->msg, &len);
	if (*status)
		return false;
	d->op = *(u32 *)d->msg;
	d->msg_len = len;
	return true;
}

static long hvu_fcopy_daemon_reply(struct hvu_daemon *d, const void *msg,
				   size_t len)
{
	return (u32)*(const int *)msg;
}

static unsigned int hvu_fcopy_timeout(struct hvu_daemon *d)
{
	return hvu_daemon_timeout;
}

const struct hvu_daemon_ops hvu_fcopy_ops = {
	.desc = &hvu_fcopy_desc,
	.devname = "vmbus/hv_fcopy",
	.handshake = hvu_fcopy_handshake,
	.host_msg = hvu_fcopy_host_msg,
	.daemon_reply = hvu_fcopy_daemon_reply,
	.reply_len = sizeof(int),
	.msg_max = sizeof(struct hv_do_fcopy),
	.timeout = hvu_fcopy_timeout,
};
