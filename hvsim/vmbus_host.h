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

struct hvsim_vmbus;

/**
 * struct hvsim_vmbus_sink - where a host's messages to the guest go.
 * @post: deliver @len bytes of VMBus message to (@vp, @sint).  Returns 0;
 *	-EAGAIN when the target queue is full (the host keeps the message
 *	and every later one until hvsim_vmbus_kick()); any other negative
 *	errno drops the message (counted as undeliverable).  Called in
 *	process context with the host's mutex held; may not call back into
 *	the host.
 * @vp_valid: whether the partition has VP @vp (a target the guest names
 *	in INITIATE_CONTACT).
 */
struct hvsim_vmbus_sink {
	int (*post)(void *ctx, u32 vp, u32 sint, const void *msg, u32 len);
	bool (*vp_valid)(void *ctx, u32 vp);
};

/**
 * struct hvsim_vmbus_dev_config - a device the host offers.
 * @class_id: interface type GUID (if_type of the offer).
 * @instance_id: instance GUID (if_instance); unique within a host.
 * @flags: the offer's chn_flags (VMBUS_CHANNEL_*).
 * @mmio_mb: the offer's mmio_megabytes.
 * @monitor: the device asks for monitored notification (MNF).
 *
 * Every device is a primary channel: sub_channel_index 0.
 */
struct hvsim_vmbus_dev_config {
	guid_t class_id;
	guid_t instance_id;
	u16 flags;
	u16 mmio_mb;
	bool monitor;
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
 * @signals: guest signals on a channel's connection ID.
 * @signals_refused: guest signals on a connection ID no channel has.
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

u32 hvsim_vmbus_max_version(struct hvsim_vmbus *host);
void hvsim_vmbus_set_max_version(struct hvsim_vmbus *host, u32 version);
void hvsim_vmbus_get_stats(struct hvsim_vmbus *host,
			   struct hvsim_vmbus_stats *st);
u64 hvsim_vmbus_signal_count(struct hvsim_vmbus *host, u32 conn_id);
const char *hvsim_vmbus_msg_name(u32 msgtype);

#endif /* _HVSIM_VMBUS_HOST_H */
