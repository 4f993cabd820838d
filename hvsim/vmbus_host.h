/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvsim: the VMBus host, control plane.
 *
 * One struct hvsim_vmbus is one VMBus server: the guest's posts arrive
 * through hvsim_vmbus_post(), its replies leave through a sink.  The
 * instance behind the "sim" backend (hvsim_vmbus_host()) sends through the
 * simulated SynIC; KUnit suites create private instances with a sink of
 * their own, so that they can play the guest without disturbing the bus
 * driver that owns the real connection.
 */
#ifndef _HVSIM_VMBUS_HOST_H
#define _HVSIM_VMBUS_HOST_H

#include <linux/hyperv.h>
#include <linux/types.h>
#include <linux/uuid.h>

/* HvPostMessage message type of every VMBus message. */
#define HVSIM_VMBUS_MSG_TYPE		1
/* Guest-to-host message connections (the ordinary one, and multiclient). */
#define HVSIM_VMBUS_MSG_CONN_ID		1
#define HVSIM_VMBUS_MULTICLIENT_CONN_ID	4
/* Relids are 1..2047: event flag 0 is the legacy bitmap's. */
#define HVSIM_VMBUS_MAX_RELID		2047
#define HVSIM_VMBUS_MAX_DEVICES		HVSIM_VMBUS_MAX_RELID
/* A channel's signalling connection ID: relid | SINT 2 << 12 | VTL 0. */
#define HVSIM_VMBUS_CHAN_CONN_ID(relid)	((relid) | (2 << 12))
/* Monitor IDs 0..127; an offer without one carries this. */
#define HVSIM_VMBUS_MONITOR_IDS		128
#define HVSIM_VMBUS_NO_MONITOR		0xff
/* Guest messages the host holds before HvPostMessage reports it busy. */
#define HVSIM_VMBUS_IN_QUEUE_LEN	64
/* The status of every refusal the host sends (STATUS_UNSUCCESSFUL). */
#define HVSIM_VMBUS_STATUS_UNSUCCESSFUL	0x8000ffff
/* TL_CONNECT_RESULT's status when no service listens. */
#define HVSIM_VMBUS_STATUS_CONN_REFUSED	0xc0000236
/* The shared event connection of guests below 2.4 (interrupt page). */
#define HVSIM_VMBUS_EVENT_CONN_ID	2
/* OPENCHANNEL's target_vp for "no host-to-guest interrupts". */
#define HVSIM_VMBUS_NO_VP		0xffffffff
/* Sub-channels a device may have at most. */
#define HVSIM_VMBUS_MAX_SUBCH		64
/* Defaults of the GPADL limit (as Windows Server 2019) and modify lag. */
#define HVSIM_VMBUS_GPADL_LIMIT_MB	1280
#define HVSIM_VMBUS_MODIFY_LAG_MS	100

struct hvsim_vmbus;
struct hvsim_vmbus_chan;
struct dentry;

/**
 * struct hvsim_vmbus_sink - where a host's messages to the guest go.
 * @post: deliver @len bytes of VMBus message to (@vp, @sint).  Returns 0;
 *	-EAGAIN when the target queue is full (the host keeps the message
 *	and every later one until hvsim_vmbus_kick()); any other negative
 *	errno drops the message (counted as undeliverable).  Called in
 *	process context with the host's mutex held; may not call back into
 *	the host.
 * @vp_valid: whether the partition has VP @vp (a target the guest names
 *	in INITIATE_CONTACT, OPENCHANNEL or MODIFYCHANNEL).
 * @signal: interrupt the guest: set event flag @flag of (@vp, @sint) and
 *	raise the VP's interrupt if the flag was clear.  A channel's
 *	interrupt from 2.4 on is (target VP, 2, relid); below 2.4 the host
 *	sets the relid's bit in the guest's interrupt page first and signals
 *	(target VP, 2, 0).  Called in process context with the host's mutex
 *	held; may not call back into the host.  Optional: without it the
 *	interrupts are only counted.
 */
struct hvsim_vmbus_sink {
	int (*post)(void *ctx, u32 vp, u32 sint, const void *msg, u32 len);
	bool (*vp_valid)(void *ctx, u32 vp);
	int (*signal)(void *ctx, u32 vp, u32 sint, u32 flag);
};

/**
 * struct hvsim_vmbus_pkt - a packet the guest wrote, as a VSP sees it.
 * @type: VM_PKT_DATA_INBAND, VM_PKT_DATA_USING_XFER_PAGES,
 *	VM_PKT_DATA_USING_GPA_DIRECT or VM_PKT_COMP.
 * @flags: 0 or VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED.
 * @trans_id: the guest's transaction ID.
 * @hdr: the whole packet, descriptor first (@hdr_len bytes: the
 *	descriptor and, for GPA direct and transfer pages, the range array).
 * @hdr_len: the data offset (offset8 * 8).
 * @data: the payload after the header.
 * @len: payload length (padding included, as the guest sent it).
 * @ranges: for GPA direct, the number of ranges (checked: each range's
 *	byte_offset is below a page, its byte_count is not 0, and its PFNs
 *	lie within @hdr).
 *
 * All of it is the host's private copy, checked before the VSP is called:
 * the guest cannot change it any more.
 */
struct hvsim_vmbus_pkt {
	u16 type;
	u16 flags;
	u64 trans_id;
	const void *hdr;
	u32 hdr_len;
	const void *data;
	u32 len;
	u32 ranges;
};

/**
 * struct hvsim_vsp_ops - a device's host side (VSP).
 * @name: for logs.
 * @open: the guest opened a channel of the device; 0 or a negative
 *	errno, which fails the open (OPENCHANNEL_RESULT 0x8000FFFF).
 * @close: the channel is closed (by the guest, a rescind or an unload).
 * @packet: a packet from the guest; 0, or a negative errno that marks
 *	the channel broken (a protocol error of the guest).  Replies go
 *	through hvsim_chan_send().
 *
 * Every call is made in process context with the host's mutex held; the
 * VSP may call the hvsim_chan_*() functions and nothing else of the host.
 */
struct hvsim_vsp_ops {
	const char *name;
	int (*open)(struct hvsim_vmbus_chan *chan);
	void (*close)(struct hvsim_vmbus_chan *chan);
	int (*packet)(struct hvsim_vmbus_chan *chan,
		      const struct hvsim_vmbus_pkt *pkt);
};

/**
 * struct hvsim_vmbus_dev_config - a device the host offers.
 * @class_id: interface type GUID (if_type of the offer).
 * @instance_id: instance GUID (if_instance); unique within a host.
 * @flags: the offer's chn_flags (VMBUS_CHANNEL_*).
 * @mmio_mb: the offer's mmio_megabytes.
 * @monitor: the device asks for monitored notification (MNF).
 * @subch: sub-channels the device may offer, at most
 *	HVSIM_VMBUS_MAX_SUBCH; offered when its VSP asks.
 *
 * Every device has a primary channel (sub_channel_index 0), offered when
 * the guest asks for offers, and up to @subch sub-channels.  The VSP is
 * chosen by @class_id (the echo class has one).
 */
struct hvsim_vmbus_dev_config {
	guid_t class_id;
	guid_t instance_id;
	u16 flags;
	u16 mmio_mb;
	bool monitor;
	u16 subch;
};

/* Why hvsim_vmbus_post() refused a message; indexes rejected[]. */
enum hvsim_vmbus_reject {
	HVSIM_VMBUS_REJECT_TYPE,	/* HvPostMessage type is not 1 */
	HVSIM_VMBUS_REJECT_CONN_ID,	/* no such message connection */
	HVSIM_VMBUS_REJECT_LONG,	/* over 240 bytes */
	HVSIM_VMBUS_REJECT_SHORT,	/* short of its msgtype's minimum */
	HVSIM_VMBUS_REJECT_MSGTYPE,	/* not a message a guest sends */
	HVSIM_VMBUS_REJECT_BUSY,	/* the incoming queue is full */
	HVSIM_VMBUS_REJECT_COUNT
};

/**
 * struct hvsim_vmbus_stats - a snapshot of a host's counters and state.
 * @rx: guest messages accepted, by msgtype.
 * @tx: host messages delivered to the sink, by msgtype.
 * @rejected: guest posts refused, by reason.
 * @dropped: accepted guest messages the host dropped without a reply
 *	(wrong state or version, unknown relid, not implemented).
 * @undeliverable: host messages the sink refused for good.
 * @signals: guest signals on a channel's connection ID (or its bit in
 *	the interrupt page, below 2.4).
 * @signals_refused: guest signals on a connection ID no channel has.
 * @signals_legacy: guest signals on the shared event connection (2).
 * @unneeded: guest signals the host did not need (see hvsim_chan_stats).
 * @irqs: host-to-guest channel interrupts.
 * @lag_irqs: of those, sent to the old VP while a MODIFYCHANNEL lags.
 * @corrupt: channels marked broken for a corrupt ring.
 * @gpadl_count: accepted GPADLs.
 * @gpadl_bytes: the memory they describe (pages times 4 KiB).
 * @gpadl_refused: GPADLs refused for the aggregate limit.
 * @channels_open: open channels.
 * @devices: devices configured, rescinded ones not yet released included.
 * @offered: devices whose relid the guest holds (offered or rescinded).
 * @rescinded: rescinded devices waiting for RELID_RELEASED.
 * @relids: relids assigned.
 * @monitors: monitor IDs assigned.
 * @in_queue: guest messages waiting for the host.
 * @out_queue: host messages waiting for room at the sink.
 * @connected: a version was negotiated.
 * @offers_sent: REQUESTOFFERS was answered on this connection.
 * @version: the negotiated version; 0 when disconnected.
 * @conn_id: the connection the INITIATE_CONTACT came on.
 * @target_vp: the VP host messages go to.
 * @interrupt_page: the guest's interrupt page (versions below 2.4).
 * @monitor_page1: the guest's parent-to-child monitor page.
 * @monitor_page2: the guest's child-to-parent monitor page.
 */
struct hvsim_vmbus_stats {
	u64 rx[CHANNELMSG_COUNT];
	u64 tx[CHANNELMSG_COUNT];
	u64 rejected[HVSIM_VMBUS_REJECT_COUNT];
	u64 dropped;
	u64 undeliverable;
	u64 signals;
	u64 signals_refused;
	u64 signals_legacy;
	u64 unneeded;
	u64 irqs;
	u64 lag_irqs;
	u64 corrupt;
	u64 gpadl_count;
	u64 gpadl_bytes;
	u64 gpadl_refused;
	unsigned int channels_open;
	unsigned int devices;
	unsigned int offered;
	unsigned int rescinded;
	unsigned int relids;
	unsigned int monitors;
	unsigned int in_queue;
	unsigned int out_queue;
	bool connected;
	bool offers_sent;
	u32 version;
	u32 conn_id;
	u32 target_vp;
	u64 interrupt_page;
	u64 monitor_page1;
	u64 monitor_page2;
};

struct hvsim_vmbus *hvsim_vmbus_create(const char *name,
				       const struct hvsim_vmbus_sink *sink,
				       void *ctx);
void hvsim_vmbus_destroy(struct hvsim_vmbus *host);
struct hvsim_vmbus *hvsim_vmbus_host(void);

int hvsim_vmbus_post(struct hvsim_vmbus *host, u32 conn_id, u32 type,
		     const void *payload, u32 len);
int hvsim_vmbus_signal(struct hvsim_vmbus *host, u32 conn_id, u16 flag);
void hvsim_vmbus_kick(struct hvsim_vmbus *host);
void hvsim_vmbus_flush(struct hvsim_vmbus *host);

int hvsim_vmbus_add(struct hvsim_vmbus *host,
		    const struct hvsim_vmbus_dev_config *cfg);
int hvsim_vmbus_rescind(struct hvsim_vmbus *host, const guid_t *instance_id);
int hvsim_vmbus_rescind_relid(struct hvsim_vmbus *host, u32 relid);

/**
 * enum hvsim_vmbus_knob - a host's settings.
 * @HVSIM_KNOB_MAX_VERSION: highest version accepted (major << 16 | minor);
 *	a listed version above it is refused.
 * @HVSIM_KNOB_GPADL_LIMIT_MB: MiB that all accepted GPADLs together may
 *	describe; a GPADL that would pass it is refused (0x8000FFFF).
 * @HVSIM_KNOB_MODIFY_LAG_MS: milliseconds the old VP keeps getting a
 *	channel's interrupts after MODIFYCHANNEL.
 * @HVSIM_KNOB_COUNT: the number of knobs.
 */
enum hvsim_vmbus_knob {
	HVSIM_KNOB_MAX_VERSION,
	HVSIM_KNOB_GPADL_LIMIT_MB,
	HVSIM_KNOB_MODIFY_LAG_MS,
	HVSIM_KNOB_COUNT
};

u32 hvsim_vmbus_knob(struct hvsim_vmbus *host, enum hvsim_vmbus_knob knob);
void hvsim_vmbus_set_knob(struct hvsim_vmbus *host, enum hvsim_vmbus_knob knob,
			  u32 val);
void hvsim_vmbus_get_stats(struct hvsim_vmbus *host,
			   struct hvsim_vmbus_stats *st);
u64 hvsim_vmbus_signal_count(struct hvsim_vmbus *host, u32 conn_id);
const char *hvsim_vmbus_msg_name(u32 msgtype);

/**
 * struct hvsim_chan_stats - one channel as the host sees it.
 * @relid: its relid.
 * @index: sub_channel_index (0: the primary).
 * @state: "offered", "open", "closed" or "rescinded".
 * @target_vp: the VP its interrupts go to (HVSIM_VMBUS_NO_VP: none).
 * @signals: guest signals on it.
 * @unneeded: those the host did not need: it was neither waiting for data
 *	(interrupt_mask 0 in the guest-to-host ring after it found the ring
 *	empty, or paused unmasked) with data now there, nor waiting for
 *	space (its pending_send_sz set) with that space now free.
 * @irqs: interrupts to the guest.
 * @lag_irqs: of those, to the old VP while a MODIFYCHANNEL lagged.
 * @rx: packets read from the guest.
 * @tx: packets written to the guest.
 * @paused: the host does not read the guest-to-host ring.
 * @masked: ... and keeps its interrupt_mask at 1.
 * @pend: the host sets pending_send_sz when its ring is full (else polls).
 * @broken: the ring was found corrupt; the host no longer touches it.
 */
struct hvsim_chan_stats {
	u32 relid;
	u16 index;
	const char *state;
	u32 target_vp;
	u64 signals;
	u64 unneeded;
	u64 irqs;
	u64 lag_irqs;
	u64 rx;
	u64 tx;
	bool paused;
	bool masked;
	bool pend;
	bool broken;
};

int hvsim_vmbus_chan_stats(struct hvsim_vmbus *host, u32 relid,
			   struct hvsim_chan_stats *st);
int hvsim_vmbus_pause(struct hvsim_vmbus *host, u32 relid, bool mask);
int hvsim_vmbus_resume(struct hvsim_vmbus *host, u32 relid);
int hvsim_vmbus_set_pend(struct hvsim_vmbus *host, u32 relid, bool on);

/* For VSPs, from their ops (the host's mutex held). */
u32 hvsim_chan_relid(struct hvsim_vmbus_chan *chan);
u16 hvsim_chan_index(struct hvsim_vmbus_chan *chan);
void *hvsim_chan_vsp_data(struct hvsim_vmbus_chan *chan);
void hvsim_chan_set_vsp_data(struct hvsim_vmbus_chan *chan, void *data);
int hvsim_chan_send(struct hvsim_vmbus_chan *chan, u16 type, u16 flags,
		    u64 trans_id, const void *data1, u32 len1,
		    const void *data2, u32 len2);
int hvsim_chan_read_gpa(u64 pfn, u32 offset, void *buf, u32 len);
int hvsim_chan_write_gpa(u64 pfn, u32 offset, const void *buf, u32 len);
const struct hvsim_vmbus_dev_config *
hvsim_chan_config(struct hvsim_vmbus_chan *chan);
int hvsim_chan_offer_subchannels(struct hvsim_vmbus_chan *chan,
				 unsigned int want);
int hvsim_chan_rescind_subchannels(struct hvsim_vmbus_chan *chan);

int hvsim_chan_send_xfer(struct hvsim_vmbus_chan *chan, u16 flags,
			 u64 trans_id, u16 set_id,
			 const struct vmtransfer_page_range *ranges,
			 u32 nranges, const void *data, u32 len,
			 bool may_wait);
void hvsim_chan_publish(struct hvsim_vmbus_chan *chan);
const guid_t *hvsim_chan_instance(struct hvsim_vmbus_chan *chan);
struct hvsim_vmbus_chan *hvsim_chan_sibling(struct hvsim_vmbus_chan *chan,
					    u16 index);
u16 hvsim_chan_subch_max(struct hvsim_vmbus_chan *chan);
void *hvsim_chan_map_gpadl(struct hvsim_vmbus_chan *chan, u32 id, u32 *len);
void hvsim_chan_unmap_gpadl(void *va, u32 len);
int hvsim_vmbus_vsp_call(struct hvsim_vmbus *host, const guid_t *instance_id,
			 int (*fn)(struct hvsim_vmbus_chan *chan, void *arg),
			 void *arg);

/* The echo device's VSP (echo.c). */
extern const struct hvsim_vsp_ops hvsim_echo_vsp;
/* The SCSI controller's VSP (storvsp.c), and its class GUID. */
extern const struct hvsim_vsp_ops hvsim_storvsp_vsp;
extern const guid_t hvsim_storvsp_class;
/* The network device's VSP (netvsp.c), its class GUID and NIC settings. */
/* The netvsc class (HV_NIC_GUID, which is an initializer of a device ID). */
#define HVSIM_NIC_CLASS_GUID						\
	GUID_INIT(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f, 0xf2, 0xd2,	\
		  0xf9, 0x65, 0xed, 0x0e)
extern const struct hvsim_vsp_ops hvsim_netvsp_vsp;
extern const guid_t hvsim_netvsp_class;

/* Sub-channels of a NIC added through debugfs: 8 queues in all. */
#define HVSIM_NETVSP_SUBCH_DEFAULT	7

/**
 * struct hvsim_nic_config - a simulated NIC's host-side settings.
 * @instance_id: the device (its VMBus instance GUID).
 * @mac: its permanent MAC address.
 * @max_mtu: the largest MTU the host port takes (frame size - 14).
 */
struct hvsim_nic_config {
	guid_t instance_id;
	u8 mac[6];
	u32 max_mtu;
};

int hvsim_netvsp_config(const struct hvsim_nic_config *cfg);
void hvsim_netvsp_default_mac(const guid_t *instance_id, u8 *mac);
int hvsim_netvsp_set_link(struct hvsim_vmbus *host, const guid_t *instance_id,
			  bool up);
void hvsim_netvsp_debugfs(struct dentry *parent);
int hvsim_netvsp_live_bufs(void);
u32 hvsim_netvsp_toeplitz(const u8 *key, const u8 *in, u32 len);
u32 hvsim_netvsp_rss_input(const u8 *frame, u32 len, u8 *in);

/**
 * struct hvsim_netvsp_pkt_info - an RNDIS PACKET message, checked.
 * @data_offset: where the frame starts, from the message's start.
 * @data_len: the frame's length.
 * @has_vlan: an 802.1Q per-packet info came with it.
 * @vlan: its value (priority bits 0-2, CFI 3, VLAN ID 4-15).
 * @has_csum: a TCP/IP checksum info came with it.
 * @csum: its value (IPv4 0, IPv6 1, TCP 2, UDP 3, IP header 4, the
 *	transport header's offset in bits 16-25).
 * @has_lso: a large-send info came with it.
 * @lso: its value (MSS bits 0-19, TCP header offset 20-29, LSOv2 30,
 *	IPv6 31).
 * @has_hash: a hash value info came with it.
 * @hash: its value.
 */
struct hvsim_netvsp_pkt_info {
	u32 data_offset;
	u32 data_len;
	bool has_vlan;
	u32 vlan;
	bool has_csum;
	u32 csum;
	bool has_lso;
	u32 lso;
	bool has_hash;
	u32 hash;
};

/* The task offloads a guest may have on (OID_TCP_OFFLOAD_PARAMETERS). */
#define HVSIM_NETVSP_CSUM_IP4	BIT(0)
#define HVSIM_NETVSP_CSUM_TCP4	BIT(1)
#define HVSIM_NETVSP_CSUM_UDP4	BIT(2)
#define HVSIM_NETVSP_CSUM_TCP6	BIT(3)
#define HVSIM_NETVSP_CSUM_UDP6	BIT(4)
#define HVSIM_NETVSP_LSO4	BIT(5)
#define HVSIM_NETVSP_LSO6	BIT(6)
#define HVSIM_NETVSP_CSUM_ALL	0x1f
#define HVSIM_NETVSP_OFFLOAD_ALL 0x7f
/* The largest TCP payload of one large send (OpenVMM's, vmswitch's). */
#define HVSIM_NETVSP_LSO_MAX	62780

/* Receive checksum info bits (the host's claims about a frame). */
#define HVSIM_NETVSP_RX_TCP_FAILED	BIT(0)
#define HVSIM_NETVSP_RX_UDP_FAILED	BIT(1)
#define HVSIM_NETVSP_RX_IP_FAILED	BIT(2)
#define HVSIM_NETVSP_RX_TCP_OK		BIT(3)
#define HVSIM_NETVSP_RX_UDP_OK		BIT(4)
#define HVSIM_NETVSP_RX_IP_OK		BIT(5)

int hvsim_netvsp_parse_packet(const u8 *m, u32 len,
			      struct hvsim_netvsp_pkt_info *info);
int hvsim_netvsp_tx_offload(u8 *frame, u32 len,
			    const struct hvsim_netvsp_pkt_info *info,
			    u32 enabled, u32 max_frame, u8 *seg,
			    int (*emit)(void *ctx, const u8 *frame, u32 len),
			    void *ctx);
u32 hvsim_netvsp_rx_csum(const u8 *frame, u32 len, u32 enabled);
void hvsim_netvsp_exit(void);

#endif /* _HVSIM_VMBUS_HOST_H */
