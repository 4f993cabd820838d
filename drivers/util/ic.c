// SPDX-License-Identifier: GPL-2.0
/*
 * hv_utils: what the host sends, checked.
 *
 * Pure functions over one received packet: the IC header and version
 * negotiation common to every IC, then each IC's own message.  They never
 * trust a length, count, size or operation the host wrote; what they
 * refuse is answered with an HV status (HV_INVALIDARG for a malformed
 * message, HV_ERROR_NOT_SUPPORTED for an operation this driver does not
 * know, HV_E_FAIL otherwise) and logged, rate-limited.  The KUnit suite
 * hv_utils drives them directly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/nls.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include "hvu.h"

/* Framework versions: 3.0, then Windows Server 2008's 1.0. */
static const int hvu_fw_all[] = { HVU_VER(3, 0), HVU_VER(1, 0) };
static const int hvu_fw_3[] = { HVU_VER(3, 0) };

static const int hvu_sd_versions[] = {
	HVU_VER(3, 2), HVU_VER(3, 1), HVU_VER(3, 0), HVU_VER(1, 0)
};
static const int hvu_ts_versions[] = {
	HVU_VER(4, 0), HVU_VER(3, 0), HVU_VER(1, 0)
};
static const int hvu_hb_versions[] = { HVU_VER(3, 0), HVU_VER(1, 0) };
static const int hvu_kvp_versions[] = {
	HVU_VER(4, 0), HVU_VER(3, 0), HVU_VER(1, 0)
};
static const int hvu_vss_versions[] = { HVU_VER(5, 0) };
static const int hvu_fcopy_versions[] = { HVU_VER(1, 1) };

const struct hvu_svc_desc hvu_shutdown_desc = {
	.name = "Shutdown",
	.msgtype = ICMSGTYPE_SHUTDOWN,
	.fw = hvu_fw_all, .nfw = ARRAY_SIZE(hvu_fw_all),
	.srv = hvu_sd_versions, .nsrv = ARRAY_SIZE(hvu_sd_versions),
	/* reason, timeout and flags; the display message is not needed */
	.min_body = offsetof(struct shutdown_msg_data, display_message),
};

const struct hvu_svc_desc hvu_timesync_desc = {
	.name = "TimeSync",
	.msgtype = ICMSGTYPE_TIMESYNC,
	.fw = hvu_fw_all, .nfw = ARRAY_SIZE(hvu_fw_all),
	.srv = hvu_ts_versions, .nsrv = ARRAY_SIZE(hvu_ts_versions),
	/* the shorter layout (4.0); the version picks the real minimum */
	.min_body = sizeof(struct ictimesync_ref_data),
};

const struct hvu_svc_desc hvu_heartbeat_desc = {
	.name = "Heartbeat",
	.msgtype = ICMSGTYPE_HEARTBEAT,
	.fw = hvu_fw_all, .nfw = ARRAY_SIZE(hvu_fw_all),
	.srv = hvu_hb_versions, .nsrv = ARRAY_SIZE(hvu_hb_versions),
	/* hosts may leave the reserved words out */
	.min_body = sizeof(u64),
};

const struct hvu_svc_desc hvu_kvp_desc = {
	.name = "KVP",
	.msgtype = ICMSGTYPE_KVPEXCHANGE,
	.fw = hvu_fw_all, .nfw = ARRAY_SIZE(hvu_fw_all),
	.srv = hvu_kvp_versions, .nsrv = ARRAY_SIZE(hvu_kvp_versions),
	.min_body = sizeof(struct hv_kvp_hdr),
};

const struct hvu_svc_desc hvu_vss_desc = {
	.name = "VSS",
	.msgtype = ICMSGTYPE_VSS,
	.fw = hvu_fw_3, .nfw = ARRAY_SIZE(hvu_fw_3),
	.srv = hvu_vss_versions, .nsrv = ARRAY_SIZE(hvu_vss_versions),
	.min_body = sizeof(struct hv_vss_msg),
};

const struct hvu_svc_desc hvu_fcopy_desc = {
	.name = "FCopy",
	.msgtype = ICMSGTYPE_FCOPY,
	.fw = hvu_fw_3, .nfw = ARRAY_SIZE(hvu_fw_3),
	.srv = hvu_fcopy_versions, .nsrv = ARRAY_SIZE(hvu_fcopy_versions),
	.min_body = sizeof(struct hv_fcopy_hdr),
};

static struct icmsg_hdr *hvu_hdr(u8 *buf)
{
	return (struct icmsg_hdr *)(buf + sizeof(struct vmbuspipe_hdr));
}

/**
 * hvu_ic_set_response() - make a received packet the answer to itself.
 * @buf: the packet, at least ICMSG_HDR bytes.
 * @status: the HV status to answer with.
 *
 * Guests answer in the host's own buffer with the transaction and
 * response flags; everything else in the header is echoed.
 */
void hvu_ic_set_response(u8 *buf, u32 status)
{
	struct icmsg_hdr *hdr = hvu_hdr(buf);

	hdr->status = status;
	hdr->icflags = ICMSGHDRFLAG_TRANSACTION | ICMSGHDRFLAG_RESPONSE;
}

/**
 * hvu_ic_classify() - the checks every IC makes on a received packet.
 * @d: the IC.
 * @buf: the packet (pipe header first); rewritten when answered here.
 * @len: its length.
 * @srv_version: the service version agreed with the host, 0 for none;
 *	updated by a negotiation.
 *
 * A packet without a full IC header cannot be answered: HVU_DROP.  A
 * negotiation is answered in place (HVU_REPLY, with the counts at 0 when
 * no version is shared, as the protocol has it; the version agreed before,
 * if any, then stays, as upstream's).  A message of another
 * type gets HV_E_FAIL, one of the IC's type before any negotiation
 * HV_E_FAIL, and a negotiation too short for its version counts or a
 * message shorter than @d->min_body HV_INVALIDARG (HVU_REPLY).  What is left is HVU_SERVICE.
 *
 * Context: any; does not sleep.
 */
enum hvu_class hvu_ic_classify(const struct hvu_svc_desc *d, u8 *buf,
			       u32 len, int *srv_version)
{
	struct icmsg_hdr *hdr;
	int fw = 0, srv = 0;

	if (len < ICMSG_HDR) {
		pr_err_ratelimited("%s: packet of %u bytes has no IC header, dropped\n",
				   d->name, len);
		return HVU_DROP;
	}
	hdr = hvu_hdr(buf);
	hdr->status = 0;

	/* An answer never claims more message than the packet holds. */
	if (hdr->icmsgsize > len - ICMSG_HDR)
		hdr->icmsgsize = len - ICMSG_HDR;

	if (hdr->icmsgtype == ICMSGTYPE_NEGOTIATE) {
		if (len < ICMSG_HDR + offsetof(struct icmsg_negotiate,
					       reserved)) {
			pr_err_ratelimited("%s: negotiate packet of %u bytes is too short\n",
					   d->name, len);
			hvu_ic_set_response(buf, HV_INVALIDARG);
			return HVU_REPLY;
		}
		if (vmbus_prep_negotiate_resp(hdr, buf, len, d->fw, d->nfw,
					      d->srv, d->nsrv, &fw, &srv)) {
			if (srv != *srv_version)
				pr_info("%s IC version %u.%u\n", d->name,
					HVU_VER_MAJOR(srv), HVU_VER_MINOR(srv));
			*srv_version = srv;
		} else {
			pr_err_ratelimited("%s: no framework and service version shared with the host\n",
					   d->name);
		}
		hvu_ic_set_response(buf, hdr->status);
		return HVU_REPLY;
	}

	if (hdr->icmsgtype != d->msgtype) {
		pr_err_ratelimited("%s: unknown message type %u\n", d->name,
				   hdr->icmsgtype);
		hvu_ic_set_response(buf, HV_E_FAIL);
		return HVU_REPLY;
	}
	if (!*srv_version) {
		pr_err_ratelimited("%s: message before a version was negotiated\n",
				   d->name);
		hvu_ic_set_response(buf, HV_E_FAIL);
		return HVU_REPLY;
	}
	if (len - ICMSG_HDR < d->min_body) {
		pr_err_ratelimited("%s: message of %u bytes too short (%u needed)\n",
				   d->name, len, (u32)ICMSG_HDR + d->min_body);
		hvu_ic_set_response(buf, HV_INVALIDARG);
		return HVU_REPLY;
	}
	return HVU_SERVICE;
}

/**
 * hvu_shutdown_parse() - what a shutdown request asks for.
 * @buf: the packet, classified HVU_SERVICE by hvu_shutdown_desc.
 * @len: its length.
 * @hibernate_ok: whether this VM can hibernate.
 * @action: set to what to do after answering.
 *
 * The flags: bit 0 forces (accepted with every request), bit 1 restarts,
 * bit 2 hibernates; the two together, or any other bit, are refused with
 * HV_E_FAIL, as upstream does.
 *
 * Return: the HV status to answer with.
 */
u32 hvu_shutdown_parse(const u8 *buf, u32 len, bool hibernate_ok,
		       enum hvu_shutdown_action *action)
{
	u32 flags;

	*action = HVU_SD_NONE;
	if (len < ICMSG_HDR + hvu_shutdown_desc.min_body)
		return HV_INVALIDARG;
	flags = get_unaligned_le32(HVU_BODY(buf) +
				   offsetof(struct shutdown_msg_data, flags));
	if (flags & ~(HVU_SD_FLAG_FORCE | HVU_SD_FLAG_RESTART |
		      HVU_SD_FLAG_HIBERNATE) ||
	    (flags & HVU_SD_FLAG_RESTART && flags & HVU_SD_FLAG_HIBERNATE)) {
		pr_err_ratelimited("Shutdown: unknown request flags %#x\n",
				   flags);
		return HV_E_FAIL;
	}
	if (flags & HVU_SD_FLAG_HIBERNATE) {
		if (!hibernate_ok) {
			pr_info_ratelimited("Shutdown: hibernation requested, but this VM cannot hibernate\n");
			return HV_E_FAIL;
		}
		*action = HVU_SD_HIBERNATE;
	} else if (flags & HVU_SD_FLAG_RESTART) {
		*action = HVU_SD_REBOOT;
	} else {
		*action = HVU_SD_POWEROFF;
	}
	return HV_S_OK;
}

/**
 * hvu_heartbeat_answer() - answer a heartbeat in place.
 * @buf: the packet, classified HVU_SERVICE by hvu_heartbeat_desc.
 * @len: its length.
 *
 * The guest proves it is alive by adding one to the sequence number.
 *
 * Return: the HV status to answer with.
 */
u32 hvu_heartbeat_answer(u8 *buf, u32 len)
{
	u8 *seq = HVU_BODY(buf) + offsetof(struct heartbeat_msg_data, seq_num);

	if (len < ICMSG_HDR + sizeof(u64))
		return HV_INVALIDARG;
	put_unaligned_le64(get_unaligned_le64(seq) + 1, seq);
	return HV_S_OK;
}

/**
 * hvu_timesync_stale() - whether a time sample is too old to use.
 * @sample_ref: the reference counter the sample belongs to.
 * @now_ref: the reference counter now.
 *
 * Return: true when more than 600 s passed since the sample.
 */
bool hvu_timesync_stale(u64 sample_ref, u64 now_ref)
{
	return now_ref > sample_ref && now_ref - sample_ref > HVU_TS_STALE_TICKS;
}

/**
 * hvu_timesync_parse() - the time sample a timesync message carries.
 * @buf: the packet, classified HVU_SERVICE by hvu_timesync_desc.
 * @len: its length.
 * @srv_version: the negotiated timesync version: from 4.0 on the message
 *	carries the reference counter the host read its clock at.
 * @now_ref: the reference counter now.
 * @s: the sample, valid when 0 is returned.
 *
 * A host time before 1970 or after 2199, a reference time in the future
 * or one more than 600 s old is refused: the sample would set the clock
 * wrong.
 *
 * Return: the HV status to answer with; 0 when @s may be used.
 */
u32 hvu_timesync_parse(const u8 *buf, u32 len, int srv_version, u64 now_ref,
		       struct hvu_ts_sample *s)
{
	const u8 *body = HVU_BODY(buf);
	bool v4 = srv_version >= HVU_VER(4, 0);
	u32 need = v4 ? sizeof(struct ictimesync_ref_data) :
			sizeof(struct ictimesync_data);

	if (len < ICMSG_HDR || len - ICMSG_HDR < need) {
		pr_err_ratelimited("TimeSync: message of %u bytes too short for version %u.%u\n",
				   len, HVU_VER_MAJOR(srv_version),
				   HVU_VER_MINOR(srv_version));
		return HV_INVALIDARG;
	}
	if (v4) {
		s->parenttime = get_unaligned_le64(body +
			offsetof(struct ictimesync_ref_data, parenttime));
		s->reftime = get_unaligned_le64(body +
			offsetof(struct ictimesync_ref_data, vmreferencetime));
		s->flags = body[offsetof(struct ictimesync_ref_data, flags)];
	} else {
		s->parenttime = get_unaligned_le64(body +
			offsetof(struct ictimesync_data, parenttime));
		s->reftime = now_ref;
		s->flags = body[offsetof(struct ictimesync_data, flags)];
	}

	if (s->parenttime < (u64)WLTIMEDELTA) {
		pr_err_ratelimited("TimeSync: host time %llu is before 1970, refused\n",
				   s->parenttime);
		return HV_INVALIDARG;
	}
	if (s->parenttime - WLTIMEDELTA >=
	    HVU_TS_LAST_UNIX_S * HVU_TICKS_PER_SEC) {
		pr_err_ratelimited("TimeSync: host time %llu is after 2199, refused\n",
				   s->parenttime);
		return HV_INVALIDARG;
	}
	if (s->reftime > now_ref) {
		if (s->reftime - now_ref > HVU_TS_FUTURE_TICKS) {
			pr_err_ratelimited("TimeSync: sample from the future (reference time %llu, now %llu), refused\n",
					   s->reftime, now_ref);
			return HV_INVALIDARG;
		}
		s->reftime = now_ref;
	}
	if (hvu_timesync_stale(s->reftime, now_ref)) {
		pr_warn_ratelimited("TimeSync: stale sample, %llu s old, refused\n",
				    (now_ref - s->reftime) / HVU_TICKS_PER_SEC);
		return HV_E_FAIL;
	}
	return HV_S_OK;
}

/* ------------------------------------------------------------------------
 * UTF-16LE from the host <-> UTF-8 for the daemons.
 */

/* UTF-8 bytes that @n units of UTF-16LE at @src need, up to a NUL. */
static size_t hvu_utf16_utf8_len(const u8 *src, size_t n, size_t *units)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		u16 c = get_unaligned_le16(src + 2 * i);

		if (!c)
			break;
		if (c < 0x80)
			out += 1;
		else if (c < 0x800)
			out += 2;
		else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
			out += 4;
			i++;
		} else {
			out += 3;
		}
	}
	*units = i;
	return out;
}

/*
 * Host UTF-16LE (@n units at most, to a NUL) into a NUL-terminated UTF-8
 * string in @dst of @size bytes.  Returns the UTF-8 length, or
 * -ENAMETOOLONG when it does not fit.
 */
static int hvu_from_utf16(const u8 *src, size_t n, u8 *dst, size_t size)
{
	size_t units, need = hvu_utf16_utf8_len(src, n, &units);
	int got;

	if (need >= size)
		return -ENAMETOOLONG;
	got = utf16s_to_utf8s((const wchar_t *)src, units, UTF16_LITTLE_ENDIAN,
			      dst, size - 1);
	if (got < 0)
		return got;
	dst[got] = 0;
	return got;
}

/*
 * A daemon's UTF-8 string (at most @n bytes, to a NUL) into UTF-16LE at
 * @dst, @units units at most with the NUL.  Returns the units written
 * without the NUL, or a negative errno for invalid UTF-8.
 */
static int hvu_to_utf16(const u8 *src, size_t n, u8 *dst, size_t units)
{
	int got;

	if (!units)
		return -ENOSPC;
	got = utf8s_to_utf16s(src, strnlen(src, n), UTF16_LITTLE_ENDIAN,
			      (wchar_t *)dst, units - 1);
	if (got < 0)
		return got;
	put_unaligned_le16(0, dst + 2 * got);
	return got;
}

/* The KVP message a host's packet carries, after the IC header. */
#define HVU_KVP(buf)		((const struct hv_kvp_msg *)HVU_BODY(buf))
#define HVU_KVP_HDR		sizeof(struct hv_kvp_hdr)

static u32 hvu_kvp_need(u8 op)
{
	switch (op) {
	case KVP_OP_GET:
	case KVP_OP_SET:
		return HVU_KVP_HDR + sizeof(struct hv_kvp_exchg_msg_value);
	case KVP_OP_DELETE:
		return HVU_KVP_HDR + sizeof(struct hv_kvp_msg_delete);
	case KVP_OP_ENUMERATE:
		return HVU_KVP_HDR + sizeof(struct hv_kvp_msg_enumerate);
	case KVP_OP_GET_IP_INFO:
	case KVP_OP_SET_IP_INFO:
		return sizeof(struct hv_kvp_ip_msg);
	}
	return 0;
}

/* A key from the host: a size within the limit, and UTF-8 that fits. */
static u32 hvu_kvp_key(u32 key_size, const u8 *key, u8 *dst, void *dst_size)
{
	int got;

	if (key_size > HV_KVP_EXCHANGE_MAX_KEY_SIZE) {
		pr_err_ratelimited("KVP: key of %u bytes, over the %u-byte limit\n",
				   key_size, HV_KVP_EXCHANGE_MAX_KEY_SIZE);
		return HV_INVALIDARG;
	}
	got = hvu_from_utf16(key, key_size / 2, dst,
			     HV_KVP_EXCHANGE_MAX_KEY_SIZE);
	if (got <= 0) {
		pr_err_ratelimited("KVP: key %s\n",
				   got ? "too long in UTF-8" : "empty");
		return HV_INVALIDARG;
	}
	put_unaligned_le32(got + 1, dst_size);
	return 0;
}

static u32 hvu_kvp_set_value(const struct hv_kvp_exchg_msg_value *in,
			     struct hv_kvp_exchg_msg_value *out)
{
	u32 type = get_unaligned_le32(&in->value_type);
	u32 size = get_unaligned_le32(&in->value_size);
	int got;

	if (size > HV_KVP_EXCHANGE_MAX_VALUE_SIZE) {
		pr_err_ratelimited("KVP: value of %u bytes, over the %u-byte limit\n",
				   size, HV_KVP_EXCHANGE_MAX_VALUE_SIZE);
		return HV_INVALIDARG;
	}
	switch (type) {
	case REG_SZ:
		got = hvu_from_utf16(in->value, size / 2, out->value,
				     HV_KVP_EXCHANGE_MAX_VALUE_SIZE);
		if (got < 0) {
			pr_err_ratelimited("KVP: string value too long in UTF-8\n");
			return HV_INVALIDARG;
		}
		break;
	case REG_U32:
		got = scnprintf(out->value, sizeof(out->value), "%u",
				get_unaligned_le32(in->value));
		break;
	case REG_U64:
	case HVU_REG_QWORD:
		got = scnprintf(out->value, sizeof(out->value), "%llu",
				get_unaligned_le64(in->value));
		break;
	default:
		pr_err_ratelimited("KVP: unknown value type %u\n", type);
		return HV_INVALIDARG;
	}
	out->value_type = REG_SZ;
	out->value_size = got + 1;
	return 0;
}

/* One UTF-16LE field of an IP-info message into a UTF-8 one. */
#define hvu_ip_in(out, in, field)					\
	hvu_from_utf16((const u8 *)(in)->field, ARRAY_SIZE((in)->field),	\
		       (u8 *)(out)->field, sizeof((out)->field))

static u32 hvu_kvp_ip_in(const struct hv_kvp_ip_msg *in, u8 op,
			 struct hv_kvp_ipaddr_value *out)
{
	const struct hv_kvp_ipaddr_value *v = &in->kvp_ip_val;

	if (hvu_ip_in(out, v, adapter_id) < 0)
		goto bad;
	out->addr_family = v->addr_family;
	if (op == KVP_OP_GET_IP_INFO)
		return 0;
	if (hvu_ip_in(out, v, ip_addr) < 0 || hvu_ip_in(out, v, sub_net) < 0 ||
	    hvu_ip_in(out, v, gate_way) < 0 || hvu_ip_in(out, v, dns_addr) < 0)
		goto bad;
	out->dhcp_enabled = v->dhcp_enabled;
	return 0;
bad:
	pr_err_ratelimited("KVP: IP information too long in UTF-8\n");
	return HV_INVALIDARG;
}

/**
 * hvu_kvp_to_daemon() - the message for hv_kvp_daemon from a host request.
 * @buf: the packet, classified HVU_SERVICE by hvu_kvp_desc.
 * @len: its length.
 * @out: the message to fill (struct hv_kvp_msg, UTF-8 strings).
 *
 * Checks the operation, the pool and the packet's length for the
 * operation (the answer is written in place, so a request must hold the
 * full structure), key and value sizes against the protocol's limits and
 * their UTF-8 forms against the daemon's buffers.  Scalars become decimal
 * strings; Windows' REG_QWORD (11) is taken as Linux's REG_U64.  A GET
 * asks the daemon for the whole value.
 *
 * Return: 0, or the HV status to answer the host with.
 */
u32 hvu_kvp_to_daemon(const u8 *buf, u32 len, struct hv_kvp_msg *out)
{
	const struct hv_kvp_msg *in = HVU_KVP(buf);
	u8 op, pool;
	u32 need, st;

	memset(out, 0, sizeof(*out));
	if (len < ICMSG_HDR + HVU_KVP_HDR)
		return HV_INVALIDARG;
	op = in->kvp_hdr.operation;
	pool = in->kvp_hdr.pool;
	need = hvu_kvp_need(op);
	if (!need) {
		pr_err_ratelimited("KVP: unknown operation %u\n", op);
		return HV_ERROR_NOT_SUPPORTED;
	}
	if (pool >= KVP_POOL_COUNT) {
		pr_err_ratelimited("KVP: unknown pool %u\n", pool);
		return HV_INVALIDARG;
	}
	if (len - ICMSG_HDR < need) {
		pr_err_ratelimited("KVP: operation %u in %u bytes, %u needed\n",
				   op, len, (u32)ICMSG_HDR + need);
		return HV_INVALIDARG;
	}
	out->kvp_hdr.operation = op;
	out->kvp_hdr.pool = pool;

	switch (op) {
	case KVP_OP_SET:
		st = hvu_kvp_key(get_unaligned_le32(&in->body.kvp_set.data.key_size),
				 in->body.kvp_set.data.key,
				 out->body.kvp_set.data.key,
				 &out->body.kvp_set.data.key_size);
		if (st)
			return st;
		return hvu_kvp_set_value(&in->body.kvp_set.data,
					 &out->body.kvp_set.data);
	case KVP_OP_GET:
		out->body.kvp_get.data.value_size =
			HV_KVP_EXCHANGE_MAX_VALUE_SIZE;
		return hvu_kvp_key(get_unaligned_le32(&in->body.kvp_get.data.key_size),
				   in->body.kvp_get.data.key,
				   out->body.kvp_get.data.key,
				   &out->body.kvp_get.data.key_size);
	case KVP_OP_DELETE:
		return hvu_kvp_key(get_unaligned_le32(&in->body.kvp_delete.key_size),
				   in->body.kvp_delete.key,
				   out->body.kvp_delete.key,
				   &out->body.kvp_delete.key_size);
	case KVP_OP_ENUMERATE:
		out->body.kvp_enum_data.index =
			get_unaligned_le32(&in->body.kvp_enum_data.index);
		return 0;
	default:	/* the IP-info operations */
		return hvu_kvp_ip_in((const struct hv_kvp_ip_msg *)in, op,
				     &out->body.kvp_ip_val);
	}
}

/* One UTF-8 field of the daemon's IP information into UTF-16LE. */
#define hvu_ip_out(out, in, field)					\
	hvu_to_utf16((const u8 *)(in)->field, sizeof((in)->field),	\
		     (u8 *)(out)->field, ARRAY_SIZE((out)->field))

static int hvu_kvp_string_out(const u8 *s, size_t n, u8 *dst, size_t bytes,
			      void *size)
{
	int got = hvu_to_utf16(s, n, dst, bytes / 2);

	if (got >= 0)
		put_unaligned_le32(2 * (got + 1), size);
	return got;
}

/**
 * hvu_kvp_to_host() - write the daemon's answer into the host's request.
 * @buf: the host's packet, checked by hvu_kvp_to_daemon().
 * @len: its length.
 * @in: the daemon's successful answer (UTF-8 strings, maybe unterminated).
 *
 * ENUMERATE gets the key and the value, GET the value, GET_IP_INFO the
 * addresses, all as UTF-16LE strings (type REG_SZ); the others carry no
 * data back.  A string too long for the host's field is cut short.
 *
 * Return: 0, or HV_E_FAIL when the daemon's text is not valid UTF-8.
 */
u32 hvu_kvp_to_host(u8 *buf, u32 len, const struct hv_kvp_msg *in)
{
	struct hv_kvp_msg *host = (struct hv_kvp_msg *)HVU_BODY(buf);
	const struct hv_kvp_exchg_msg_value *iv;
	struct hv_kvp_exchg_msg_value *hv;
	struct hv_kvp_ipaddr_value *hip;
	u8 op;

	if (len < ICMSG_HDR + HVU_KVP_HDR)
		return HV_E_FAIL;
	op = host->kvp_hdr.operation;
	if (!hvu_kvp_need(op) || len - ICMSG_HDR < hvu_kvp_need(op))
		return HV_E_FAIL;

	switch (op) {
	case KVP_OP_ENUMERATE:
		iv = &in->body.kvp_enum_data.data;
		hv = &host->body.kvp_enum_data.data;
		if (hvu_kvp_string_out(iv->key, sizeof(iv->key), hv->key,
				       sizeof(hv->key), &hv->key_size) < 0)
			goto bad;
		break;
	case KVP_OP_GET:
		iv = &in->body.kvp_get.data;
		hv = &host->body.kvp_get.data;
		break;
	case KVP_OP_GET_IP_INFO:
		hip = &((struct hv_kvp_ip_msg *)host)->kvp_ip_val;
		if (hvu_ip_out(hip, &in->body.kvp_ip_val, adapter_id) < 0 ||
		    hvu_ip_out(hip, &in->body.kvp_ip_val, ip_addr) < 0 ||
		    hvu_ip_out(hip, &in->body.kvp_ip_val, sub_net) < 0 ||
		    hvu_ip_out(hip, &in->body.kvp_ip_val, gate_way) < 0 ||
		    hvu_ip_out(hip, &in->body.kvp_ip_val, dns_addr) < 0)
			goto bad;
		hip->addr_family = in->body.kvp_ip_val.addr_family;
		hip->dhcp_enabled = in->body.kvp_ip_val.dhcp_enabled;
		return 0;
	default:
		return 0;
	}
	if (hvu_kvp_string_out(iv->value, sizeof(iv->value), hv->value,
			       sizeof(hv->value), &hv->value_size) < 0)
		goto bad;
	put_unaligned_le32(REG_SZ, &hv->value_type);
	return 0;
bad:
	pr_err_ratelimited("KVP: the daemon's answer to operation %u is not UTF-8\n",
			   op);
	return HV_E_FAIL;
}

/**
 * hvu_vss_route() - who handles a VSS request.
 * @buf: the packet, classified HVU_SERVICE by hvu_vss_desc; a GET_DM_INFO
 *	is answered in it.
 * @len: its length.
 * @route: set to HVU_VSS_DAEMON for HOT_BACKUP, FREEZE and THAW, else to
 *	HVU_VSS_LOCAL.
 *
 * Return: the HV status for a local answer: 0 for the operations the
 * kernel completes alone, HV_ERROR_NOT_SUPPORTED for unknown ones.
 */
u32 hvu_vss_route(const u8 *buf, u32 len, enum hvu_vss_route *route)
{
	struct hv_vss_msg *m = (struct hv_vss_msg *)HVU_BODY(buf);

	*route = HVU_VSS_LOCAL;
	if (len < ICMSG_HDR + sizeof(*m))
		return HV_INVALIDARG;
	switch (m->vss_hdr.operation) {
	case VSS_OP_HOT_BACKUP:
	case VSS_OP_FREEZE:
	case VSS_OP_THAW:
		*route = HVU_VSS_DAEMON;
		return 0;
	case VSS_OP_GET_DM_INFO:
		put_unaligned_le32(0, &m->dm_info.flags);
		return 0;
	case VSS_OP_CREATE:
	case VSS_OP_DELETE:
	case VSS_OP_BU_COMPLETE:
	case VSS_OP_AUTO_RECOVER:
		return 0;
	}
	pr_err_ratelimited("VSS: unknown operation %u\n", m->vss_hdr.operation);
	return HV_ERROR_NOT_SUPPORTED;
}

/**
 * hvu_fcopy_to_daemon() - the message for hv_fcopy_daemon from a request.
 * @buf: the packet, classified HVU_SERVICE by hvu_fcopy_desc.
 * @len: its length.
 * @out: a buffer of sizeof(struct hv_do_fcopy) bytes to fill.
 * @out_len: set to the message's length.
 *
 * START_FILE_COPY's names become UTF-8 (the daemon's form), WRITE_TO_FILE
 * must hold the @size bytes it announces (at most DATA_FRAGMENT), and
 * COMPLETE_FCOPY and CANCEL_FCOPY pass as their header.
 *
 * Return: 0, or the HV status to answer the host with.
 */
u32 hvu_fcopy_to_daemon(const u8 *buf, u32 len, void *out, u32 *out_len)
{
	const u8 *body = HVU_BODY(buf);
	u32 op, size, flags;

	*out_len = 0;
	if (len < ICMSG_HDR + sizeof(struct hv_fcopy_hdr))
		return HV_INVALIDARG;
	op = get_unaligned_le32(body);
	memset(out, 0, sizeof(struct hv_do_fcopy));

	switch (op) {
	case START_FILE_COPY: {
		const struct hv_start_fcopy *in = (const void *)body;
		struct hv_start_fcopy *o = out;

		if (len - ICMSG_HDR < sizeof(*in))
			goto short_msg;
		flags = get_unaligned_le32(&in->copy_flags);
		if (flags & ~(OVER_WRITE | CREATE_PATH)) {
			pr_err_ratelimited("FCopy: unknown copy flags %#x\n",
					   flags);
			return HV_INVALIDARG;
		}
		o->hdr.operation = op;
		if (hvu_from_utf16((const u8 *)in->file_name, W_MAX_PATH,
				   (u8 *)o->file_name, W_MAX_PATH) <= 0 ||
		    hvu_from_utf16((const u8 *)in->path_name, W_MAX_PATH,
				   (u8 *)o->path_name, W_MAX_PATH) <= 0) {
			pr_err_ratelimited("FCopy: file or path name empty or too long\n");
			return HV_INVALIDARG;
		}
		o->copy_flags = flags;
		o->file_size = get_unaligned_le64(&in->file_size);
		*out_len = sizeof(*o);
		return 0;
	}
	case WRITE_TO_FILE:
		if (len - ICMSG_HDR < offsetof(struct hv_do_fcopy, data))
			goto short_msg;
		size = get_unaligned_le32(body + offsetof(struct hv_do_fcopy, size));
		if (size > DATA_FRAGMENT ||
		    len - ICMSG_HDR < offsetof(struct hv_do_fcopy, data) + size) {
			pr_err_ratelimited("FCopy: write of %u bytes in a %u-byte packet\n",
					   size, len);
			return HV_INVALIDARG;
		}
		memcpy(out, body, offsetof(struct hv_do_fcopy, data) + size);
		*out_len = sizeof(struct hv_do_fcopy);
		return 0;
	case COMPLETE_FCOPY:
	case CANCEL_FCOPY:
		memcpy(out, body, sizeof(struct hv_fcopy_hdr));
		*out_len = sizeof(struct hv_fcopy_hdr);
		return 0;
	}
	pr_err_ratelimited("FCopy: unknown operation %u\n", op);
	return HV_ERROR_NOT_SUPPORTED;

short_msg:
	pr_err_ratelimited("FCopy: operation %u in %u bytes, too short\n", op,
			   len);
	return HV_INVALIDARG;
}
