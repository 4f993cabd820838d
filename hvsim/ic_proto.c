// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the IC wire format, host side.  Builds the requests the host
 * sends and checks the answers the guest writes back (into the request's
 * own buffer, as Linux does).  Every offset is into the packet payload:
 * the 8-byte pipe header, the 20-byte IC header at 8, the message at 28.
 * Nothing here touches a channel: these are the functions the KUnit suite
 * hvsim_ic feeds malformed answers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": ic: " fmt

#include <linux/kernel.h>
#include <linux/nls.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include "ic.h"

/* The kernel's own structs, where this file reads by offset. */
static_assert(sizeof(struct vmbuspipe_hdr) == 8);
static_assert(sizeof(struct icmsg_hdr) == 20);
static_assert(offsetof(struct icmsg_hdr, icmsgtype) == 4);
static_assert(offsetof(struct icmsg_hdr, icvermsg) == 6);
static_assert(offsetof(struct icmsg_hdr, icmsgsize) == 10);
static_assert(offsetof(struct icmsg_hdr, status) == 12);
static_assert(offsetof(struct icmsg_hdr, ictransaction_id) == 16);
static_assert(offsetof(struct icmsg_hdr, icflags) == 17);
static_assert(sizeof(struct icmsg_negotiate) == 8);
static_assert(sizeof(struct hv_kvp_exchg_msg_value) == 2572);
static_assert(sizeof(struct hv_kvp_msg_enumerate) == 2576);
static_assert(sizeof(struct hv_vss_msg) == 12);

/* Payload offsets of the header's fields. */
#define IC_PIPE_FLAGS	0
#define IC_PIPE_SIZE	4
#define IC_FW		8
#define IC_TYPE		12
#define IC_MSGVER	14
#define IC_SIZE		18
#define IC_STATUS	20
#define IC_XID		24
#define IC_FLAGS	25

/* KVP: hv_kvp_hdr, and the value record of each operation. */
#define KVP_OP		28
#define KVP_POOL	29
#define KVP_REC_SET	HVSIM_KVP_BODY		/* SET, GET */
#define KVP_REC_ENUM	(HVSIM_KVP_BODY + 4)	/* after the index */
#define REC_TYPE	0
#define REC_KSIZE	4
#define REC_VSIZE	8
#define REC_KEY		12
#define REC_VALUE	(12 + HV_KVP_EXCHANGE_MAX_KEY_SIZE)
#define REC_LEN		(REC_VALUE + HV_KVP_EXCHANGE_MAX_VALUE_SIZE)

static const char * const hvsim_ic_bad_names[HVSIM_IC_BAD_COUNT] = {
	[HVSIM_IC_OK] = "ok",
	[HVSIM_IC_BAD_PKT] = "pkt",
	[HVSIM_IC_BAD_SHORT] = "short",
	[HVSIM_IC_BAD_LEN] = "len",
	[HVSIM_IC_BAD_TID] = "tid",
	[HVSIM_IC_BAD_PIPE] = "pipe",
	[HVSIM_IC_BAD_TYPE] = "type",
	[HVSIM_IC_BAD_FLAGS] = "flags",
	[HVSIM_IC_BAD_XID] = "xid",
	[HVSIM_IC_BAD_NEGO] = "nego",
	[HVSIM_IC_BAD_VERSION] = "version",
	[HVSIM_IC_BAD_SEQ] = "seq",
	[HVSIM_IC_BAD_KVP] = "kvp",
	[HVSIM_IC_BAD_UNSOLICITED] = "unsolicited",
};

/* The counter name of @why ("ok" for HVSIM_IC_OK). */
const char *hvsim_ic_bad_name(enum hvsim_ic_bad why)
{
	if (why >= HVSIM_IC_BAD_COUNT)
		return "?";
	return hvsim_ic_bad_names[why];
}

static void hvsim_ic_put_version(u8 *p, const struct ic_version *v)
{
	put_unaligned_le16(v->major, p);
	put_unaligned_le16(v->minor, p + 2);
}

static void hvsim_ic_get_version(const u8 *p, struct ic_version *v)
{
	v->major = get_unaligned_le16(p);
	v->minor = get_unaligned_le16(p + 2);
}

/*
 * Fill the pipe and IC headers of a @len-byte request of @msgtype, with
 * the negotiated versions and a TRANSACTION | REQUEST flag, as openvmm's
 * host writes them.  Returns @len.
 */
u32 hvsim_ic_build_hdr(u8 *buf, u32 len, u16 msgtype,
		       const struct ic_version *fw,
		       const struct ic_version *msg, u8 xid)
{
	memset(buf, 0, HVSIM_IC_HDR_LEN);
	put_unaligned_le32(HVSIM_IC_PIPE_DATA, buf + IC_PIPE_FLAGS);
	put_unaligned_le32(len - 8, buf + IC_PIPE_SIZE);
	hvsim_ic_put_version(buf + IC_FW, fw);
	put_unaligned_le16(msgtype, buf + IC_TYPE);
	hvsim_ic_put_version(buf + IC_MSGVER, msg);
	put_unaligned_le16(len - HVSIM_IC_HDR_LEN, buf + IC_SIZE);
	buf[IC_XID] = xid;
	buf[IC_FLAGS] = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_REQUEST;
	return len;
}

/*
 * A negotiate request offering @v: versions 0.0 in the header, the counts,
 * then the framework versions and the message versions.  Returns its
 * length.
 */
u32 hvsim_ic_build_negotiate(u8 *buf, const struct hvsim_ic_vers *v, u8 xid)
{
	static const struct ic_version none;
	u32 len = HVSIM_IC_NEGO_LIST + 4 * (v->nfw + v->nmsg);
	u8 *p = buf + HVSIM_IC_NEGO_LIST;
	unsigned int i;

	memset(buf, 0, len);
	hvsim_ic_build_hdr(buf, len, ICMSGTYPE_NEGOTIATE, &none, &none, xid);
	put_unaligned_le16(v->nfw, buf + HVSIM_IC_HDR_LEN);
	put_unaligned_le16(v->nmsg, buf + HVSIM_IC_HDR_LEN + 2);
	for (i = 0; i < v->nfw; i++, p += 4)
		hvsim_ic_put_version(p, &v->fw[i]);
	for (i = 0; i < v->nmsg; i++, p += 4)
		hvsim_ic_put_version(p, &v->msg[i]);
	return len;
}

/*
 * hvsim_ic_check_reply() - the checks every answer passes.
 * @req: the request as sent, @req_len bytes, VMBus transaction ID @req_tid.
 * @rep: the answer, @rep_len bytes (padding included), ID @rep_tid.
 *
 * The guest answers in the request's buffer: the answer is at most the
 * request's padded length and carries at least the headers; it echoes
 * both transaction IDs, keeps the pipe header a data message and the
 * message type, and flags the answer TRANSACTION | RESPONSE.
 */
enum hvsim_ic_bad hvsim_ic_check_reply(const u8 *req, u32 req_len,
				       u64 req_tid, const u8 *rep,
				       u32 rep_len, u64 rep_tid)
{
	if (rep_len < HVSIM_IC_HDR_LEN)
		return HVSIM_IC_BAD_SHORT;
	if (rep_len > ALIGN(req_len, 8))
		return HVSIM_IC_BAD_LEN;
	if (rep_tid != req_tid)
		return HVSIM_IC_BAD_TID;
	if (get_unaligned_le32(rep + IC_PIPE_FLAGS) != HVSIM_IC_PIPE_DATA)
		return HVSIM_IC_BAD_PIPE;
	if (get_unaligned_le16(rep + IC_TYPE) !=
	    get_unaligned_le16(req + IC_TYPE))
		return HVSIM_IC_BAD_TYPE;
	if (rep[IC_FLAGS] != (ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE))
		return HVSIM_IC_BAD_FLAGS;
	if (rep[IC_XID] != req[IC_XID])
		return HVSIM_IC_BAD_XID;
	if (get_unaligned_le16(rep + IC_SIZE) > rep_len - HVSIM_IC_HDR_LEN)
		return HVSIM_IC_BAD_LEN;
	return HVSIM_IC_OK;
}

/* The IC header's status of an answer that passed the checks. */
u32 hvsim_ic_status(const u8 *rep)
{
	return get_unaligned_le32(rep + IC_STATUS);
}

static bool hvsim_ic_offered(const struct ic_version *list, u16 n,
			     const struct ic_version *v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (list[i].major == v->major && list[i].minor == v->minor)
			return true;
	return false;
}

/*
 * hvsim_ic_parse_negotiate() - check a negotiate answer.
 * @rep: the answer (it passed hvsim_ic_check_reply()), @len bytes.
 * @v: what the host offered.
 * @refused: set when the guest found no common version (both counts 0;
 *	Linux keeps the status the host sent, so the counts tell).
 * @fw: the chosen framework version.
 * @msg: the chosen message version.
 *
 * A guest that accepts answers with one framework and one message
 * version, each one the host offered.
 */
enum hvsim_ic_bad hvsim_ic_parse_negotiate(const u8 *rep, u32 len,
					   const struct hvsim_ic_vers *v,
					   bool *refused,
					   struct ic_version *fw,
					   struct ic_version *msg)
{
	u16 nfw, nmsg;

	*refused = false;
	if (len < HVSIM_IC_NEGO_LIST)
		return HVSIM_IC_BAD_SHORT;
	nfw = get_unaligned_le16(rep + HVSIM_IC_HDR_LEN);
	nmsg = get_unaligned_le16(rep + HVSIM_IC_HDR_LEN + 2);
	if (!nfw && !nmsg) {
		*refused = true;
		return HVSIM_IC_OK;
	}
	if (nfw != 1 || nmsg != 1)
		return HVSIM_IC_BAD_NEGO;
	if (len < HVSIM_IC_NEGO_LIST + 8)
		return HVSIM_IC_BAD_SHORT;
	hvsim_ic_get_version(rep + HVSIM_IC_NEGO_LIST, fw);
	hvsim_ic_get_version(rep + HVSIM_IC_NEGO_LIST + 4, msg);
	if (!hvsim_ic_offered(v->fw, v->nfw, fw) ||
	    !hvsim_ic_offered(v->msg, v->nmsg, msg))
		return HVSIM_IC_BAD_VERSION;
	return HVSIM_IC_OK;
}

/* UTF-8 @s into UTF-16LE at @out, at most @max units; -EINVAL if more. */
static int hvsim_kvp_utf16(const char *s, u8 *out, int max)
{
	size_t n = strlen(s);
	int units;

	if (!n)
		return 0;
	units = utf8s_to_utf16s(s, n, UTF16_LITTLE_ENDIAN, (wchar_t *)out,
				max + 1);
	if (units < 0 || units > max)
		return -EINVAL;
	return units;
}

/**
 * hvsim_kvp_build() - the body of a KVP request.
 * @buf: the request, HVSIM_KVP_REQ_LEN bytes (the header is the
 *	caller's).
 * @op: KVP_OP_GET, _SET, _DELETE or _ENUMERATE.
 * @pool: the pool.
 * @index: ENUMERATE's index.
 * @key: the key, UTF-8 (GET, SET, DELETE).
 * @type: SET's REG_SZ, REG_U32 or REG_U64.
 * @value: SET's value, UTF-8, or the number in decimal.
 * @key_size: the key_size to write instead of the key's, or -1.
 * @value_size: the value_size to write instead of the value's, or -1.
 *
 * Sizes count bytes of UTF-16, the NUL included; every request has the
 * full size openvmm sends, so that the guest's answer fits.
 *
 * Return: 0; -EINVAL for a key or value that does not fit, a number
 * that does not parse, or another operation.
 */
int hvsim_kvp_build(u8 *buf, u8 op, u8 pool, u32 index, const char *key,
		    u32 type, const char *value, int key_size, int value_size)
{
	u8 *rec = buf + (op == KVP_OP_ENUMERATE ? KVP_REC_ENUM : KVP_REC_SET);
	int units, ks = 0, vs = 0;
	u64 num;

	memset(buf + HVSIM_IC_HDR_LEN, 0,
	       HVSIM_KVP_REQ_LEN - HVSIM_IC_HDR_LEN);
	buf[KVP_OP] = op;
	buf[KVP_POOL] = pool;

	switch (op) {
	case KVP_OP_ENUMERATE:
		put_unaligned_le32(index, buf + HVSIM_KVP_BODY);
		return 0;
	case KVP_OP_DELETE:
		units = hvsim_kvp_utf16(key, buf + HVSIM_KVP_BODY + 4,
					HV_KVP_EXCHANGE_MAX_KEY_SIZE / 2 - 1);
		if (units < 0)
			return units;
		ks = key_size >= 0 ? key_size : 2 * (units + 1);
		put_unaligned_le32(ks, buf + HVSIM_KVP_BODY);
		return 0;
	case KVP_OP_GET:
	case KVP_OP_SET:
		break;
	default:
		return -EINVAL;
	}

	units = hvsim_kvp_utf16(key, rec + REC_KEY,
				HV_KVP_EXCHANGE_MAX_KEY_SIZE / 2 - 1);
	if (units < 0)
		return units;
	ks = 2 * (units + 1);
	if (op == KVP_OP_SET) {
		switch (type) {
		case REG_SZ:
			units = hvsim_kvp_utf16(value, rec + REC_VALUE,
						HV_KVP_EXCHANGE_MAX_VALUE_SIZE /
						2 - 1);
			if (units < 0)
				return units;
			vs = 2 * (units + 1);
			break;
		case REG_U32:
			if (kstrtou64(value, 0, &num) || num > U32_MAX)
				return -EINVAL;
			put_unaligned_le32(num, rec + REC_VALUE);
			vs = 4;
			break;
		case REG_U64:
			if (kstrtou64(value, 0, &num))
				return -EINVAL;
			put_unaligned_le64(num, rec + REC_VALUE);
			vs = 8;
			break;
		default:
			return -EINVAL;
		}
		put_unaligned_le32(type, rec + REC_TYPE);
	}
	put_unaligned_le32(key_size >= 0 ? key_size : ks, rec + REC_KSIZE);
	put_unaligned_le32(value_size >= 0 ? value_size : vs, rec + REC_VSIZE);
	return 0;
}

/*
 * A UTF-16LE string of @size bytes at @p, the last unit its NUL, into
 * UTF-8 at @out (@max bytes).
 */
static bool hvsim_kvp_utf8(const u8 *p, u32 size, u32 limit, char *out,
			   size_t max)
{
	int n;

	if (size < 2 || size > limit || size % 2 ||
	    get_unaligned_le16(p + size - 2))
		return false;
	n = utf16s_to_utf8s((const wchar_t *)p, size / 2 - 1,
			    UTF16_LITTLE_ENDIAN, out, max - 1);
	if (n < 0)
		return false;
	out[n] = '\0';
	return true;
}

/*
 * hvsim_kvp_parse() - check a KVP answer and convert its record.
 * @req: the request as sent (HVSIM_KVP_REQ_LEN bytes).
 * @rep: the answer (it passed hvsim_ic_check_reply()), @len bytes.
 * @ans: the status, and for a successful GET or ENUMERATE the key (the
 *	request's for GET), the type and the value.
 *
 * The guest keeps the operation and the pool and returns the record in
 * place; a failed operation carries only its status.  A returned string
 * must be NUL-terminated within its size, sizes within the limits.
 */
enum hvsim_ic_bad hvsim_kvp_parse(const u8 *req, const u8 *rep, u32 len,
				  struct hvsim_kvp_answer *ans)
{
	const u8 *rec;
	u32 type, ks, vs;

	memset(ans, 0, sizeof(*ans));
	if (len < HVSIM_KVP_REQ_LEN)
		return HVSIM_IC_BAD_SHORT;
	if (rep[KVP_OP] != req[KVP_OP] || rep[KVP_POOL] != req[KVP_POOL])
		return HVSIM_IC_BAD_KVP;
	ans->status = hvsim_ic_status(rep);
	if (ans->status)
		return HVSIM_IC_OK;
	switch (rep[KVP_OP]) {
	case KVP_OP_ENUMERATE:
		if (get_unaligned_le32(rep + HVSIM_KVP_BODY) !=
		    get_unaligned_le32(req + HVSIM_KVP_BODY))
			return HVSIM_IC_BAD_KVP;
		rec = rep + KVP_REC_ENUM;
		break;
	case KVP_OP_GET:
		rec = rep + KVP_REC_SET;
		break;
	default:
		return HVSIM_IC_OK;
	}
	type = get_unaligned_le32(rec + REC_TYPE);
	ks = get_unaligned_le32(rec + REC_KSIZE);
	vs = get_unaligned_le32(rec + REC_VSIZE);
	ans->type = type;
	if (!hvsim_kvp_utf8(rec + REC_KEY, ks, HV_KVP_EXCHANGE_MAX_KEY_SIZE,
			    ans->key, sizeof(ans->key)))
		return HVSIM_IC_BAD_KVP;
	switch (type) {
	case REG_SZ:
		if (!hvsim_kvp_utf8(rec + REC_VALUE, vs,
				    HV_KVP_EXCHANGE_MAX_VALUE_SIZE, ans->value,
				    sizeof(ans->value)))
			return HVSIM_IC_BAD_KVP;
		break;
	case REG_U32:
		if (vs != 4)
			return HVSIM_IC_BAD_KVP;
		snprintf(ans->value, sizeof(ans->value), "%u",
			 get_unaligned_le32(rec + REC_VALUE));
		break;
	case REG_U64:
		if (vs != 8)
			return HVSIM_IC_BAD_KVP;
		snprintf(ans->value, sizeof(ans->value), "%llu",
			 get_unaligned_le64(rec + REC_VALUE));
		break;
	default:
		return HVSIM_IC_BAD_KVP;
	}
	return HVSIM_IC_OK;
}

/* KVP IP information: struct hv_kvp_ip_msg from the operation on. */
static_assert(sizeof(struct hv_kvp_ip_msg) ==
	      HVSIM_KVP_IP_REQ_LEN - HVSIM_IC_HDR_LEN);
#define KIP(f)	\
	(HVSIM_IC_HDR_LEN + offsetof(struct hv_kvp_ip_msg, kvp_ip_val.f))

/* ASCII @s into the UTF-16LE field at @out of @units units, NUL included. */
static int hvsim_kvp_ip_put(const char *s, u8 *out, size_t units)
{
	size_t i, n = strlen(s);

	if (n >= units)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return -EINVAL;
		put_unaligned_le16(s[i], out + 2 * i);
	}
	return 0;
}

/*
 * The UTF-16LE field at @p of @units units into @out (@units bytes): a
 * NUL within the field, printable ASCII before it.
 */
static bool hvsim_kvp_ip_get(const u8 *p, size_t units, char *out)
{
	size_t i;
	u16 c;

	for (i = 0; i < units; i++) {
		c = get_unaligned_le16(p + 2 * i);
		if (!c) {
			out[i] = '\0';
			return true;
		}
		if (c < 0x20 || c > 0x7e)
			return false;
		out[i] = c;
	}
	return false;
}

/**
 * hvsim_kvp_ip_build() - the body of a KVP IP-information request.
 * @buf: the request, HVSIM_KVP_IP_REQ_LEN bytes (the header is the
 *	caller's).
 * @op: KVP_OP_GET_IP_INFO (only @ip's adapter and family are sent) or
 *	KVP_OP_SET_IP_INFO (all of it).
 * @ip: the information, ASCII strings.
 *
 * The request has the whole struct hv_kvp_ip_msg, its fields zero past
 * their strings, so that the guest's answer (written in place) fits and
 * is terminated.  The pool is 0.
 *
 * Return: 0; -EINVAL for a string that does not fit its field or is not
 * printable ASCII, or another operation.
 */
int hvsim_kvp_ip_build(u8 *buf, u8 op, const struct hvsim_kvp_ip *ip)
{
	memset(buf + HVSIM_IC_HDR_LEN, 0,
	       HVSIM_KVP_IP_REQ_LEN - HVSIM_IC_HDR_LEN);
	if (op != KVP_OP_GET_IP_INFO && op != KVP_OP_SET_IP_INFO)
		return -EINVAL;
	buf[KVP_OP] = op;
	buf[KVP_POOL] = 0;
	if (hvsim_kvp_ip_put(ip->adapter, buf + KIP(adapter_id),
			     MAX_ADAPTER_ID_SIZE))
		return -EINVAL;
	buf[KIP(addr_family)] = ip->family;
	if (op == KVP_OP_GET_IP_INFO)
		return 0;
	buf[KIP(dhcp_enabled)] = ip->dhcp;
	if (hvsim_kvp_ip_put(ip->addr, buf + KIP(ip_addr), MAX_IP_ADDR_SIZE) ||
	    hvsim_kvp_ip_put(ip->subnet, buf + KIP(sub_net),
			     MAX_IP_ADDR_SIZE) ||
	    hvsim_kvp_ip_put(ip->gateway, buf + KIP(gate_way),
			     MAX_GATEWAY_SIZE) ||
	    hvsim_kvp_ip_put(ip->dns, buf + KIP(dns_addr), MAX_IP_ADDR_SIZE))
		return -EINVAL;
	return 0;
}

/**
 * hvsim_kvp_ip_parse() - check the answer to an IP-information request.
 * @req: the request as sent (HVSIM_KVP_IP_REQ_LEN bytes).
 * @rep: the answer (it passed hvsim_ic_check_reply()).
 * @len: its length.
 * @status: the IC header's status.
 * @ip: for a successful GET_IP_INFO, the guest's information.
 *
 * The guest keeps the operation and the pool.  A GET_IP_INFO answer
 * carries every field of the structure, each string terminated within
 * its field and printable ASCII; its adapter is still the one asked
 * for.  A SET_IP_INFO answer, or a failed one, carries only its status.
 */
enum hvsim_ic_bad hvsim_kvp_ip_parse(const u8 *req, const u8 *rep, u32 len,
				     u32 *status, struct hvsim_kvp_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	*status = 0;
	if (len < HVSIM_IC_HDR_LEN + 2)
		return HVSIM_IC_BAD_SHORT;
	if (rep[KVP_OP] != req[KVP_OP] || rep[KVP_POOL] != req[KVP_POOL])
		return HVSIM_IC_BAD_KVP;
	*status = hvsim_ic_status(rep);
	if (*status || rep[KVP_OP] != KVP_OP_GET_IP_INFO)
		return HVSIM_IC_OK;
	if (len < HVSIM_KVP_IP_REQ_LEN)
		return HVSIM_IC_BAD_SHORT;
	if (!hvsim_kvp_ip_get(rep + KIP(adapter_id), MAX_ADAPTER_ID_SIZE,
			      ip->adapter) ||
	    !hvsim_kvp_ip_get(rep + KIP(ip_addr), MAX_IP_ADDR_SIZE, ip->addr) ||
	    !hvsim_kvp_ip_get(rep + KIP(sub_net), MAX_IP_ADDR_SIZE,
			      ip->subnet) ||
	    !hvsim_kvp_ip_get(rep + KIP(gate_way), MAX_GATEWAY_SIZE,
			      ip->gateway) ||
	    !hvsim_kvp_ip_get(rep + KIP(dns_addr), MAX_IP_ADDR_SIZE, ip->dns))
		return HVSIM_IC_BAD_KVP;
	if (memcmp(rep + KIP(adapter_id), req + KIP(adapter_id),
		   2 * MAX_ADAPTER_ID_SIZE))
		return HVSIM_IC_BAD_KVP;
	ip->family = rep[KIP(addr_family)];
	ip->dhcp = rep[KIP(dhcp_enabled)];
	if (ip->family & ~(ADDR_FAMILY_IPV4 | ADDR_FAMILY_IPV6) ||
	    ip->dhcp > 1)
		return HVSIM_IC_BAD_KVP;
	return HVSIM_IC_OK;
}
