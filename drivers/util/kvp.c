// SPDX-License-Identifier: GPL-2.0
/*
 * hv_utils: KVP, the key-value pairs the host and hv_kvp_daemon exchange
 * through /dev/vmbus/hv_kvp.
 *
 * Registration: the daemon writes a struct hv_kvp_msg whose operation is
 * KVP_OP_REGISTER1 (or the old KVP_OP_REGISTER) and reads back the same
 * operation with a version string.  Then each host request becomes one
 * struct hv_kvp_msg in UTF-8 (ic.c converts and checks it), and the
 * daemon's struct hv_kvp_msg answer carries its error in its first word
 * (REGISTER1) or an empty key for "no such item" (REGISTER).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>
#include "hvu.h"

/* The version the daemon reports as IntegrationServicesVersion. */
#define HVU_KVP_DRV_VERSION	"3.1"

static struct hv_kvp_msg hvu_kvp_reg;
static int hvu_kvp_daemon_op;		/* REGISTER or REGISTER1 */

static int hvu_kvp_handshake(struct hvu_daemon *d, const void *msg,
			     size_t len, const void **reply, size_t *reply_len)
{
	const struct hv_kvp_msg *m = msg;
	int op;

	if (len < sizeof(*m))
		return -EINVAL;
	op = m->kvp_hdr.operation;
	if (op != KVP_OP_REGISTER1 && op != KVP_OP_REGISTER) {
		pr_info_ratelimited("KVP: incompatible daemon (operation %d, want %d)\n",
				    op, KVP_OP_REGISTER1);
		return -EINVAL;
	}
	if (op == KVP_OP_REGISTER)
		pr_info("KVP: old daemon: errors are reported as missing items\n");
	hvu_kvp_daemon_op = op;
	memset(&hvu_kvp_reg, 0, sizeof(hvu_kvp_reg));
	hvu_kvp_reg.kvp_hdr.operation = op;
	strscpy(hvu_kvp_reg.body.kvp_register.version, HVU_KVP_DRV_VERSION,
		sizeof(hvu_kvp_reg.body.kvp_register.version));
	*reply = &hvu_kvp_reg;
	*reply_len = sizeof(hvu_kvp_reg);
	return 0;
}

static bool hvu_kvp_host_msg(struct hvu_daemon *d, u32 *status)
{
	*status = hvu_kvp_to_daemon(d->buf, d->len, d->msg);
	if (*status)
		return false;
	d->op = ((struct hv_kvp_msg *)d->msg)->kvp_hdr.operation;
	d->msg_len = sizeof(struct hv_kvp_msg);
	return true;
}

static long hvu_kvp_daemon_reply(struct hvu_daemon *d, const void *msg,
				 size_t len)
{
	const struct hv_kvp_msg *m = msg;
	u32 error;

	if (hvu_kvp_daemon_op == KVP_OP_REGISTER)
		error = m->body.kvp_enum_data.data.key[0] ? 0 : HV_S_CONT;
	else
		error = m->error;
	if (error)
		return error;
	return hvu_kvp_to_host(d->buf, d->len, m);
}

static unsigned int hvu_kvp_timeout(struct hvu_daemon *d)
{
	return hvu_daemon_timeout;
}

const struct hvu_daemon_ops hvu_kvp_ops = {
	.desc = &hvu_kvp_desc,
	.devname = "vmbus/hv_kvp",
	.handshake = hvu_kvp_handshake,
	.host_msg = hvu_kvp_host_msg,
	.daemon_reply = hvu_kvp_daemon_reply,
	.min_reply_len = sizeof(struct hv_kvp_msg),
	.msg_max = sizeof(struct hv_kvp_msg),
	.timeout = hvu_kvp_timeout,
};
