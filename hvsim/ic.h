/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvsim: the host side of the integration components (ICs): shutdown,
 * time sync, heartbeat, KVP, VSS and fcopy.  ic.c runs the channels and
 * the debugfs controls; ic_proto.c builds the requests and checks the
 * guest's answers (pure functions, for the KUnit suite hvsim_ic).
 */
#ifndef _HVSIM_IC_H
#define _HVSIM_IC_H

#include <linux/hyperv.h>
#include <linux/types.h>
#include <linux/uuid.h>

/* Payload offsets: pipe header (8), IC header (20), then the message. */
#define HVSIM_IC_HDR_LEN	28
/* The version list of a negotiate message starts here. */
#define HVSIM_IC_NEGO_LIST	(HVSIM_IC_HDR_LEN + 8)
/* Versions the host offers per list at most. */
#define HVSIM_IC_MAX_VERSIONS	8
/* KVP IP information: struct hv_kvp_ip_msg after the IC header. */
#define HVSIM_KVP_IP_REQ_LEN	(HVSIM_IC_HDR_LEN + 7428)
/* The largest request the host builds (a KVP IP-information one). */
#define HVSIM_IC_MAX_REQ	HVSIM_KVP_IP_REQ_LEN
/* The pipe header's packet type of a whole message. */
#define HVSIM_IC_PIPE_DATA	1

/* KVP: the body after hv_kvp_hdr, and the full request openvmm sends. */
#define HVSIM_KVP_BODY		(HVSIM_IC_HDR_LEN + 4)
#define HVSIM_KVP_REQ_LEN	(HVSIM_KVP_BODY + 4 + 2572)
/* VSS: hv_vss_msg after the IC header. */
#define HVSIM_VSS_REQ_LEN	(HVSIM_IC_HDR_LEN + 12)

/**
 * enum hvsim_ic_bad - why the host refused a guest's answer.
 * @HVSIM_IC_OK: the answer is well formed.
 * @HVSIM_IC_BAD_PKT: not an in-band data packet.
 * @HVSIM_IC_BAD_SHORT: shorter than the IC header, or than the fields
 *	this answer must carry.
 * @HVSIM_IC_BAD_LEN: longer than the request (the guest answers in the
 *	request's buffer), or icmsgsize runs past the packet.
 * @HVSIM_IC_BAD_TID: the VMBus transaction ID is not the request's.
 * @HVSIM_IC_BAD_PIPE: the pipe header is not a data message.
 * @HVSIM_IC_BAD_TYPE: icmsgtype is not the request's.
 * @HVSIM_IC_BAD_FLAGS: icflags are not TRANSACTION | RESPONSE.
 * @HVSIM_IC_BAD_XID: ictransaction_id is not the request's.
 * @HVSIM_IC_BAD_NEGO: a negotiate answer with counts other than 1/1
 *	(0/0 is a refusal, not an error).
 * @HVSIM_IC_BAD_VERSION: a negotiated version the host did not offer.
 * @HVSIM_IC_BAD_SEQ: a heartbeat's sequence number is not the request's
 *	plus one.
 * @HVSIM_IC_BAD_KVP: a KVP answer that changed the operation or pool, or
 *	whose key or value has a bad size, type or no terminating NUL.
 * @HVSIM_IC_BAD_UNSOLICITED: an answer when no request is outstanding.
 * @HVSIM_IC_BAD_COUNT: the number of reasons.
 */
enum hvsim_ic_bad {
	HVSIM_IC_OK,
	HVSIM_IC_BAD_PKT,
	HVSIM_IC_BAD_SHORT,
	HVSIM_IC_BAD_LEN,
	HVSIM_IC_BAD_TID,
	HVSIM_IC_BAD_PIPE,
	HVSIM_IC_BAD_TYPE,
	HVSIM_IC_BAD_FLAGS,
	HVSIM_IC_BAD_XID,
	HVSIM_IC_BAD_NEGO,
	HVSIM_IC_BAD_VERSION,
	HVSIM_IC_BAD_SEQ,
	HVSIM_IC_BAD_KVP,
	HVSIM_IC_BAD_UNSOLICITED,
	HVSIM_IC_BAD_COUNT
};

const char *hvsim_ic_bad_name(enum hvsim_ic_bad why);

/**
 * struct hvsim_ic_vers - version lists the host offers.
 * @nfw: framework versions.
 * @nmsg: message (service) versions.
 * @fw: the framework versions.
 * @msg: the message versions.
 */
struct hvsim_ic_vers {
	u16 nfw;
	u16 nmsg;
	struct ic_version fw[HVSIM_IC_MAX_VERSIONS];
	struct ic_version msg[HVSIM_IC_MAX_VERSIONS];
};

u32 hvsim_ic_build_hdr(u8 *buf, u32 len, u16 msgtype,
		       const struct ic_version *fw,
		       const struct ic_version *msg, u8 xid);
u32 hvsim_ic_build_negotiate(u8 *buf, const struct hvsim_ic_vers *v,
			     u8 xid);
enum hvsim_ic_bad hvsim_ic_check_reply(const u8 *req, u32 req_len,
				       u64 req_tid, const u8 *rep,
				       u32 rep_len, u64 rep_tid);
enum hvsim_ic_bad hvsim_ic_parse_negotiate(const u8 *rep, u32 len,
					   const struct hvsim_ic_vers *v,
					   bool *refused,
					   struct ic_version *fw,
					   struct ic_version *msg);
u32 hvsim_ic_status(const u8 *rep);

/**
 * struct hvsim_kvp_answer - a KVP answer, checked and converted.
 * @status: the IC header's status.
 * @type: value_type (REG_SZ, REG_U32, REG_U64).
 * @key: the key in UTF-8, NUL-terminated.
 * @value: the value in UTF-8 (a number in decimal for REG_U32/U64).
 */
struct hvsim_kvp_answer {
	u32 status;
	u32 type;
	char key[HV_KVP_EXCHANGE_MAX_KEY_SIZE];
	char value[HV_KVP_EXCHANGE_MAX_VALUE_SIZE];
};

/**
 * struct hvsim_kvp_ip - the IP information of one adapter, in UTF-8.
 * @family: addr_family: ADDR_FAMILY_NONE, _IPV4, _IPV6 or both bits.
 * @dhcp: dhcp_enabled.
 * @adapter: adapter_id: the MAC (GET_IP_INFO) or the VMBus instance as
 *	"{guid}" (SET_IP_INFO).
 * @addr: ip_addr, a ';'-separated list.
 * @subnet: sub_net, likewise.
 * @gateway: gate_way, likewise.
 * @dns: dns_addr, likewise.
 *
 * Each buffer has one byte per UTF-16 unit of its wire field: the host
 * takes only ASCII there (addresses, MACs, GUIDs).
 */
struct hvsim_kvp_ip {
	u8 family;
	u8 dhcp;
	char adapter[MAX_ADAPTER_ID_SIZE];
	char addr[MAX_IP_ADDR_SIZE];
	char subnet[MAX_IP_ADDR_SIZE];
	char gateway[MAX_GATEWAY_SIZE];
	char dns[MAX_IP_ADDR_SIZE];
};

int hvsim_kvp_ip_build(u8 *buf, u8 op, const struct hvsim_kvp_ip *ip);
enum hvsim_ic_bad hvsim_kvp_ip_parse(const u8 *req, const u8 *rep, u32 len,
				     u32 *status, struct hvsim_kvp_ip *ip);
int hvsim_kvp_build(u8 *buf, u8 op, u8 pool, u32 index, const char *key,
		    u32 type, const char *value, int key_size,
		    int value_size);
enum hvsim_ic_bad hvsim_kvp_parse(const u8 *req, const u8 *rep, u32 len,
				  struct hvsim_kvp_answer *ans);

/* ic.c: the ICs' VSP, setup and controls. */
struct hvsim_vsp_ops;
struct dentry;
const struct hvsim_vsp_ops *hvsim_ic_vsp(const guid_t *class_id);
int hvsim_ic_lookup(const char *name, guid_t *class_id, guid_t *instance_id);
int hvsim_ic_init(void);
void hvsim_ic_stop(void);
void hvsim_ic_exit(void);
void hvsim_ic_debugfs(struct dentry *parent);

#endif /* _HVSIM_IC_H */
