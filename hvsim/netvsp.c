// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the network device's VSP (netvsp) and the switch joining NICs.
 *
 * A NIC is a VMBus device of the netvsc class (HV_NIC_GUID).  Its host
 * side follows reference/vsp-host-behaviour.md part 2, which follows
 * OpenVMM's netvsp where hosts differ:
 *
 *  - NVSP: INIT for versions 1, 2, 4, 5, 6 and 6.1 (INIT_COMPLETE status
 *    SUCCESS, or NONE for another version); NDIS config (the frame size,
 *    clamped to 1514 .. the NIC's max_mtu + 14) and NDIS version; the
 *    receive buffer (one section of 256 + frame + 36 byte
 *    sub-allocations, the first 16 free ones kept for control messages)
 *    and the send buffer (6144-byte sections).  Replies are padded to 28
 *    bytes, 40 from 6.1.  Control messages come on the primary channel
 *    only; an unknown message is logged and dropped.
 *  - RNDIS control messages (INITIALIZE, QUERY, SET, RESET, KEEPALIVE,
 *    HALT) arrive as SEND_RNDIS_PKT of the control type; answers go into
 *    a receive-buffer sub-allocation and to the guest as a transfer-page
 *    packet, which the guest completes.
 *  - Data: SEND_RNDIS_PKT of the data type, in a send-buffer section, in
 *    GPA-direct ranges, or the section followed by the ranges; the
 *    section may hold several RNDIS PACKET messages, walked by msg_len.
 *    Every one is checked on the host's private copy; a bad one fails the
 *    whole SEND_RNDIS_PKT (status FAIL in its completion).
 *  - The switch: one for all NICs.  A frame goes to every other NIC whose
 *    link is up and whose packet filter takes it (the frame's destination
 *    against the NIC's current MAC, broadcast, multicast list, or
 *    promiscuous); a NIC without a free sub-allocation or ring room
 *    drops it, counted.  Each delivery is a transfer-page packet of one
 *    range, the sub-allocation's index its transaction ID, with a
 *    checksum per-packet info (what the host found checking the
 *    frame), an 802.1Q one for a tagged frame and a hash value one when
 *    RSS chose the queue.
 *  - Task offloads as OpenVMM offers them: TCP/UDP and IPv4 header
 *    checksums, LSOv2 up to 62780 bytes; the host fills the checksums
 *    and cuts large sends into MSS frames before switching them.
 *  - When the guest closes the primary channel, the sub-channels are
 *    rescinded (as Hyper-V), to be offered again on the next request.
 *  - Link changes (debugfs) go to the guest as INDICATE_STATUS
 *    MEDIA_CONNECT / MEDIA_DISCONNECT at once.
 *
 * Every state of a NIC lives under the host's mutex (the VSP ops and
 * hvsim_vmbus_vsp_call()); the list of NICs has its own mutex, taken
 * after the host's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": netvsp: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/hyperv.h>
#include <linux/if_vlan.h>
#include <linux/rndis.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <net/checksum.h>
#include "internal.h"
#include "vmbus_host.h"

/* ------------------------------------------------------------------------
 * NVSP wire format (little-endian, packed).
 */

#define NVSP_INIT			1
#define NVSP_INIT_COMPLETE		2
#define NVSP_SEND_NDIS_VER		100
#define NVSP_SEND_RECV_BUF		101
#define NVSP_SEND_RECV_BUF_COMPLETE	102
#define NVSP_REVOKE_RECV_BUF		103
#define NVSP_SEND_SEND_BUF		104
#define NVSP_SEND_SEND_BUF_COMPLETE	105
#define NVSP_REVOKE_SEND_BUF		106
#define NVSP_SEND_RNDIS_PKT		107
#define NVSP_SEND_RNDIS_PKT_COMPLETE	108
#define NVSP_SEND_NDIS_CONFIG		125
#define NVSP_SWITCH_DATA_PATH		129
#define NVSP_OID_QUERY_EX		131
#define NVSP_SUBCHANNEL			133
#define NVSP_SEND_INDIRECTION_TABLE	134
#define NVSP_SUBCHANNEL_ALLOCATE	1
/* Send indirection table: 16 entries after a whole 40-byte message. */
#define NVSP_SEND_TABLE_SIZE		16
#define NVSP_SEND_TABLE_OFFSET		40

#define NVSP_STAT_NONE			0
#define NVSP_STAT_SUCCESS		1
#define NVSP_STAT_FAIL			2

#define NVSP_VER_1			0x00002
#define NVSP_VER_2			0x30002
#define NVSP_VER_4			0x40000
#define NVSP_VER_5			0x50000
#define NVSP_VER_6			0x60000
#define NVSP_VER_61			0x60001

/* Reply sizes: 4 + the largest v1 body; 40 from 6.1. */
#define NVSP_MSG_SIZE_V1		28
#define NVSP_MSG_SIZE_V61		40

#define NVSP_NO_SECTION			0xffffffff
#define NVSP_RNDIS_DATA			0
#define NVSP_RNDIS_CONTROL		1

struct nvsp_init {
	__le32 type;
	__le32 min_ver;
	__le32 max_ver;
} __packed;

struct nvsp_init_complete {
	__le32 type;
	__le32 negotiated;	/* deprecated */
	__le32 max_mdl_chain_len;
	__le32 status;
} __packed;

struct nvsp_ndis_ver {
	__le32 type;
	__le32 major;
	__le32 minor;
} __packed;

struct nvsp_ndis_config {
	__le32 type;
	__le32 mtu;
	__le32 reserved;
	__le64 caps;
} __packed;

struct nvsp_buf {
	__le32 type;
	__le32 gpadl;
	__le16 id;
} __packed;

struct nvsp_section {
	__le32 offset;
	__le32 sub_alloc_size;
	__le32 num_sub_allocs;
	__le32 end_offset;
} __packed;

struct nvsp_recv_buf_complete {
	__le32 type;
	__le32 status;
	__le32 num_sections;
	struct nvsp_section section;
} __packed;

struct nvsp_send_buf_complete {
	__le32 type;
	__le32 status;
	__le32 section_size;
} __packed;

struct nvsp_revoke {
	__le32 type;
	__le16 id;
} __packed;

struct nvsp_rndis_pkt {
	__le32 type;
	__le32 channel_type;
	__le32 section_index;
	__le32 section_size;
} __packed;

struct nvsp_status {
	__le32 type;
	__le32 status;
} __packed;

struct nvsp_subchannel {
	__le32 type;
	__le32 op;
	__le32 num;
} __packed;

struct nvsp_subchannel_complete {
	__le32 type;
	__le32 status;
	__le32 num;
} __packed;

static_assert(sizeof(struct nvsp_init) == 12);
static_assert(sizeof(struct nvsp_init_complete) == 16);
static_assert(offsetof(struct nvsp_init_complete, status) == 12);
static_assert(sizeof(struct nvsp_ndis_ver) == 12);
static_assert(sizeof(struct nvsp_ndis_config) == 20);
static_assert(offsetof(struct nvsp_ndis_config, caps) == 12);
static_assert(sizeof(struct nvsp_buf) == 10);
static_assert(offsetof(struct nvsp_buf, id) == 8);
static_assert(sizeof(struct nvsp_recv_buf_complete) == 28);
static_assert(offsetof(struct nvsp_recv_buf_complete, section) == 12);
static_assert(sizeof(struct nvsp_send_buf_complete) == 12);
static_assert(sizeof(struct nvsp_revoke) == 6);
static_assert(sizeof(struct nvsp_rndis_pkt) == 16);
static_assert(offsetof(struct nvsp_rndis_pkt, section_size) == 12);
static_assert(sizeof(struct nvsp_status) == 8);
static_assert(sizeof(struct nvsp_subchannel) == 12);
static_assert(sizeof(struct nvsp_subchannel_complete) == 12);
static_assert(sizeof(struct nvsp_recv_buf_complete) <= NVSP_MSG_SIZE_V1);

/* ------------------------------------------------------------------------
 * RNDIS wire format (the message types and OIDs are <linux/rndis.h>'s).
 */

struct rndis_hdr {
	__le32 type;
	__le32 len;		/* the whole message, this header included */
} __packed;

struct rndis_init_req {
	__le32 req_id;
	__le32 major;
	__le32 minor;
	__le32 max_xfer_size;
} __packed;

struct rndis_init_cmplt {
	__le32 req_id;
	__le32 status;
	__le32 major;
	__le32 minor;
	__le32 dev_flags;
	__le32 medium;
	__le32 max_pkt_per_msg;
	__le32 max_xfer_size;
	__le32 pkt_align_factor;
	__le32 af_list_offset;
	__le32 af_list_size;
} __packed;

/* QUERY and SET requests share the layout. */
struct rndis_oid_req {
	__le32 req_id;
	__le32 oid;
	__le32 info_buflen;
	__le32 info_buf_offset;	/* from the start of this body */
	__le32 vc_handle;
} __packed;

struct rndis_query_cmplt {
	__le32 req_id;
	__le32 status;
	__le32 info_buflen;
	__le32 info_buf_offset;
} __packed;

/* SET_C and KEEPALIVE_C. */
struct rndis_req_cmplt {
	__le32 req_id;
	__le32 status;
} __packed;

struct rndis_reset_cmplt {
	__le32 status;
	__le32 addressing_reset;
} __packed;

struct rndis_indicate {
	__le32 status;
	__le32 buflen;
	__le32 buf_offset;
} __packed;

struct rndis_packet {
	__le32 data_offset;	/* offsets from the start of this body */
	__le32 data_len;
	__le32 oob_offset;
	__le32 oob_len;
	__le32 num_oob;
	__le32 ppi_offset;
	__le32 ppi_len;
	__le32 vc_handle;
	__le32 reserved;
} __packed;

struct rndis_ppi {
	__le32 size;		/* the element, this header included */
	__le32 type;
	__le32 ppi_offset;	/* of the value, from the element */
} __packed;

static_assert(sizeof(struct rndis_hdr) == 8);
static_assert(sizeof(struct rndis_init_req) == 16);
static_assert(sizeof(struct rndis_init_cmplt) == 44);
static_assert(offsetof(struct rndis_init_cmplt, pkt_align_factor) == 32);
static_assert(sizeof(struct rndis_oid_req) == 20);
static_assert(sizeof(struct rndis_query_cmplt) == 16);
static_assert(sizeof(struct rndis_req_cmplt) == 8);
static_assert(sizeof(struct rndis_reset_cmplt) == 8);
static_assert(sizeof(struct rndis_indicate) == 12);
static_assert(sizeof(struct rndis_packet) == 36);
static_assert(offsetof(struct rndis_packet, ppi_offset) == 20);
static_assert(sizeof(struct rndis_ppi) == 12);

/* Per-packet info types. */
#define PPI_CHECKSUM		0
#define PPI_LSO			2
#define PPI_VLAN		6
#define PPI_HASH_VALUE		8

/* NDIS object headers and the OIDs <linux/rndis.h> lacks. */
#define NDIS_OBJECT_TYPE_OFFLOAD		0xa7
#define NDIS_OBJECT_TYPE_DEFAULT		0x80
#define NDIS_OFFLOAD_SIZE_REV1			112
#define NDIS_OFFLOAD_SIZE_REV2			144
#define NDIS_OFFLOAD_SIZE_REV3			156
#define OID_TCP_OFFLOAD_PARAMETERS		0xfc01020c
#define OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES	0xfc01020d
#define OID_GEN_RECEIVE_SCALE_CAPABILITIES	0x00010203
#define OID_GEN_RECEIVE_SCALE_PARAMETERS	0x00010204
#define OID_GEN_TRANSMIT_BUFFER_SPACE		0x00010108
#define OID_GEN_RECEIVE_BUFFER_SPACE		0x00010109
#define OID_GEN_TRANSMIT_BLOCK_SIZE		0x0001010a
#define OID_GEN_RECEIVE_BLOCK_SIZE		0x0001010b

struct ndis_object_header {
	u8 type;
	u8 revision;
	__le16 size;
} __packed;

static_assert(sizeof(struct ndis_object_header) == 4);

#define NDIS_OBJECT_TYPE_RSS_CAPABILITIES	0x88
#define NDIS_OBJECT_TYPE_RSS_PARAMETERS		0x89
#define NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4	0x00000100
#define NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6	0x00000200
#define NDIS_HASH_FUNC_TOEPLITZ			0x00000001
#define NDIS_RSS_PARAM_FLAG_ITABLE_UNCHANGED	0x0004
#define NDIS_RSS_PARAM_FLAG_HASH_KEY_UNCHANGED	0x0008
#define NDIS_RSS_PARAM_FLAG_DISABLE_RSS		0x0010

struct ndis_rss_caps {
	struct ndis_object_header hdr;
	__le32 caps;
	__le32 num_int_msgs;
	__le32 num_recv_queues;
	__le16 num_table_entries;
} __packed;

struct ndis_rss_params {
	struct ndis_object_header hdr;
	__le16 flags;
	__le16 base_cpu;
	__le32 hash_info;
	__le16 table_size;	/* bytes: 4 per entry */
	__le16 pad1;
	__le32 table_offset;	/* from the start of this object */
	__le16 key_size;
	__le16 pad2;
	__le32 key_offset;
	__le32 proc_masks_offset;
	__le32 num_proc_masks;
	__le32 proc_masks_entry_size;
} __packed;

static_assert(sizeof(struct ndis_rss_caps) == 18);
static_assert(sizeof(struct ndis_rss_params) == 40);
static_assert(offsetof(struct ndis_rss_params, table_offset) == 16);
static_assert(offsetof(struct ndis_rss_params, key_offset) == 24);

/* NDIS_MAC_OPTION_*: copy lookahead, transfers not pend, no loopback,
 * 802.1p priority, 802.1Q VLAN (as OpenVMM answers).
 */
#define NETVSP_MAC_OPTIONS	(0x1 | 0x4 | 0x8 | 0x40 | 0x200)
#define NETVSP_STATUS_INVALID_LENGTH	0xc0010014
#define NETVSP_STATUS_INVALID_DATA	0xc0010015

/* ------------------------------------------------------------------------
 * Limits and choices.
 */

#define NETVSP_FRAME_MIN	1514	/* MTU 1500 + the Ethernet header */
#define NETVSP_FRAME_MAX	9216	/* OpenVMM's clamp */
#define NETVSP_MTU_DEFAULT	(NETVSP_FRAME_MAX - ETH_HLEN)
#define NETVSP_RX_HEADROOM	256	/* RNDIS header, PPIs; frame after */
#define NETVSP_RX_FOOTER	36	/* OpenVMM's unused tail */
#define NETVSP_RX_RESERVED	16	/* sub-allocations for control */
#define NETVSP_SEND_SECTION	6144
#define NETVSP_MAX_MDL_CHAIN	34
#define NETVSP_PKT_ALIGN_SHIFT	3	/* RNDIS packet alignment 8 */
#define NETVSP_PKT_ALIGN	(1 << NETVSP_PKT_ALIGN_SHIFT)
#define NETVSP_MAX_PKT_PER_MSG	8
#define NETVSP_TX_MAX		(128 * 1024)	/* one SEND_RNDIS_PKT */
#define NETVSP_CTL_MAX		1024	/* a control answer */
#define NETVSP_MC_MAX		32	/* multicast list entries */
#define NETVSP_LINK_SPEED	100000000	/* 10 Gbit/s in 100 bps */
#define NETVSP_BUFFER_SPACE	(256 * 1024)
#define NETVSP_VENDOR_ID	0x0000155d
#define NETVSP_DRIVER_VERSION	0x0100
#define NETVSP_RSS_TABLE_MAX	128	/* receive indirection entries */
#define NETVSP_RSS_KEY_SIZE	40

/* A NIC: its settings, and the protocol state of its open channels. */
struct hvsim_nic {
	struct list_head node;
	struct hvsim_nic_config cfg;
	bool link_up;		/* the host's setting */

	/* Under the host's mutex. */
	struct hvsim_vmbus_chan *chans[1 + HVSIM_VMBUS_MAX_SUBCH];
	u8 mac[ETH_ALEN];	/* current address */
	u32 nvsp_ver;		/* 0 until INIT succeeded */
	u32 msg_size;		/* NVSP reply size */
	u32 ndis_ver;
	bool ndis_config;
	u32 frame;		/* frame size the guest asked, clamped */
	u64 caps;
	void *rbuf;
	u32 rbuf_len;
	u16 rbuf_id;
	u32 sub_size;
	u32 nsub;
	u32 rx_inuse;
	u32 rx_hint;
	unsigned long *rx_used;
	void *sbuf;
	u32 sbuf_len;
	u32 nsect;
	bool rndis_ready;
	u32 filter;
	u32 nmc;
	u8 mc[NETVSP_MC_MAX][ETH_ALEN];
	u16 max_subch;		/* sub-channels the device may offer */
	u16 subch;		/* sub-channels granted */
	u16 nopen;		/* channels open */
	bool table_sent;	/* the send indirection table went out */
	bool rss;		/* receive-side scaling on */
	u32 rss_entries;
	u32 rss_table[NETVSP_RSS_TABLE_MAX];
	u8 rss_key[NETVSP_RSS_KEY_SIZE];
	u8 *txbuf;		/* private copy of one SEND_RNDIS_PKT */
	u8 *framebuf;		/* a frame with its 802.1Q tag taken out */
	u8 *segbuf;		/* one segment of a large send */
	bool has_bufs;		/* the three allocated, counted */
	bool guest_link;	/* what the guest was told */
	u32 tx_offload;		/* HVSIM_NETVSP_CSUM_*, _LSO* on for sends */
	u32 rx_csum;		/* HVSIM_NETVSP_CSUM_* on for receives */
	bool tx_has_vlan;	/* the 802.1Q info of the frame being sent */
	u32 tx_vlan_info;

	u64 tx_frames;
	u64 tx_errors;
	u64 rx_frames;
	u64 rx_sub_frames;	/* of those, on sub-channels */
	u64 rx_rss[1 + HVSIM_VMBUS_MAX_SUBCH];	/* by RSS hash, per queue */
	u64 rx_dropped;
	u64 ctl_msgs;
	u64 link_events;
	u64 lso_frames;		/* large sends segmented */
	u64 lso_segments;	/* the frames they made */
	u64 csum_frames;	/* frames whose checksums the host filled */
	u64 rx_csum_ok;		/* frames delivered with a checksum claimed good */
	u64 tx_vlan;
	u64 rx_vlan;
	u64 offload_sets;	/* OFFLOAD_PARAMETERS taken */
	u64 mc_sets;		/* multicast lists taken */
	u64 resets;
	u64 keepalives;
	u64 subch_rescinds;	/* primary closes that took sub-channels back */
};

/* The netvsc class, of every NIC this VSP serves. */
const guid_t hvsim_netvsp_class = HVSIM_NIC_CLASS_GUID;

static LIST_HEAD(hvsim_nics);
static DEFINE_MUTEX(hvsim_nics_lock);

static struct hvsim_nic *hvsim_nic_find(const guid_t *instance_id)
{
	struct hvsim_nic *nic;

	lockdep_assert_held(&hvsim_nics_lock);
	list_for_each_entry(nic, &hvsim_nics, node)
		if (guid_equal(&nic->cfg.instance_id, instance_id))
			return nic;
	return NULL;
}

static struct hvsim_nic *hvsim_nic_alloc(const struct hvsim_nic_config *cfg)
{
	struct hvsim_nic *nic = kzalloc(sizeof(*nic), GFP_KERNEL);

	if (!nic)
		return NULL;
	nic->cfg = *cfg;
	nic->link_up = true;
	list_add_tail(&nic->node, &hvsim_nics);
	return nic;
}

/**
 * hvsim_netvsp_config() - set a NIC's host-side settings.
 * @cfg: the settings; a max_mtu of 0 means the default (9202).
 *
 * A device of the NIC class whose settings were never set gets a MAC of
 * Hyper-V's prefix (00:15:5d) and the last bytes of its instance GUID.
 * New settings of a NIC already configured take effect when the guest
 * next opens it.
 *
 * Context: process context; takes the NIC list's mutex.
 * Return: 0, -EINVAL for a MAC that is not a unicast address or an MTU
 * out of 1500..9202, -ENOMEM.
 */
int hvsim_netvsp_config(const struct hvsim_nic_config *cfg)
{
	struct hvsim_nic_config c = *cfg;
	struct hvsim_nic *nic;
	int ret = 0;

	if (!c.max_mtu)
		c.max_mtu = NETVSP_MTU_DEFAULT;
	if (!is_valid_ether_addr(c.mac) || c.max_mtu < ETH_DATA_LEN ||
	    c.max_mtu > NETVSP_MTU_DEFAULT)
		return -EINVAL;
	mutex_lock(&hvsim_nics_lock);
	nic = hvsim_nic_find(&c.instance_id);
	if (nic)
		nic->cfg = c;
	else if (!hvsim_nic_alloc(&c))
		ret = -ENOMEM;
	mutex_unlock(&hvsim_nics_lock);
	return ret;
}

/**
 * hvsim_netvsp_default_mac() - the MAC of a NIC never configured.
 * @instance_id: the NIC's instance GUID.
 * @mac: the address: Hyper-V's prefix 00:15:5d, then the GUID's last
 *	three bytes.
 */
void hvsim_netvsp_default_mac(const guid_t *instance_id, u8 *mac)
{
	mac[0] = 0x00;
	mac[1] = 0x15;
	mac[2] = 0x5d;
	memcpy(&mac[3], &instance_id->b[13], 3);
}

static struct hvsim_nic *hvsim_nic_get(const guid_t *instance_id)
{
	struct hvsim_nic_config cfg = { .instance_id = *instance_id };
	struct hvsim_nic *nic;

	mutex_lock(&hvsim_nics_lock);
	nic = hvsim_nic_find(instance_id);
	if (!nic) {
		hvsim_netvsp_default_mac(instance_id, cfg.mac);
		cfg.max_mtu = NETVSP_MTU_DEFAULT;
		nic = hvsim_nic_alloc(&cfg);
	}
	mutex_unlock(&hvsim_nics_lock);
	return nic;
}

/* ------------------------------------------------------------------------
 * Buffers and replies.
 */

/* NICs holding their private send copies (txbuf, framebuf, segbuf). */
static atomic_t hvsim_netvsp_nbufs = ATOMIC_INIT(0);

/**
 * hvsim_netvsp_live_bufs() - NICs that hold their private send copies.
 *
 * A NIC holds them from SEND_RECV_BUF to REVOKE_RECV_BUF or the primary
 * channel's close: for tests, that a revoke gives them back.
 *
 * Context: any.
 * Return: the count.
 */
int hvsim_netvsp_live_bufs(void)
{
	return atomic_read(&hvsim_netvsp_nbufs);
}

/* The private send copies: data is taken only with a receive buffer. */
static int hvsim_nic_alloc_bufs(struct hvsim_nic *nic)
{
	nic->txbuf = kvmalloc(NETVSP_TX_MAX, GFP_KERNEL);
	nic->framebuf = kmalloc(NETVSP_FRAME_MAX + VLAN_HLEN, GFP_KERNEL);
	nic->segbuf = kmalloc(NETVSP_FRAME_MAX, GFP_KERNEL);
	nic->has_bufs = true;
	atomic_inc(&hvsim_netvsp_nbufs);
	if (!nic->txbuf || !nic->framebuf || !nic->segbuf)
		return -ENOMEM;
	return 0;
}

/* All three, or what an allocation that failed left. */
static void hvsim_nic_free_bufs(struct hvsim_nic *nic)
{
	if (!nic->has_bufs)
		return;
	nic->has_bufs = false;
	kvfree(nic->txbuf);
	nic->txbuf = NULL;
	kfree(nic->framebuf);
	nic->framebuf = NULL;
	kfree(nic->segbuf);
	nic->segbuf = NULL;
	atomic_dec(&hvsim_netvsp_nbufs);
}

static void hvsim_nic_revoke_recv(struct hvsim_nic *nic)
{
	if (nic->rbuf)
		hvsim_chan_unmap_gpadl(nic->rbuf, nic->rbuf_len);
	nic->rbuf = NULL;
	bitmap_free(nic->rx_used);
	nic->rx_used = NULL;
	nic->nsub = 0;
	nic->rx_inuse = 0;
	hvsim_nic_free_bufs(nic);
}

static void hvsim_nic_revoke_send(struct hvsim_nic *nic)
{
	if (nic->sbuf)
		hvsim_chan_unmap_gpadl(nic->sbuf, nic->sbuf_len);
	nic->sbuf = NULL;
	nic->nsect = 0;
}

/* The protocol starts again: a closed primary channel, or a new open. */
static void hvsim_nic_reset(struct hvsim_nic *nic)
{
	hvsim_nic_revoke_recv(nic);
	hvsim_nic_revoke_send(nic);
	/* Every offload offered is on until the guest says otherwise. */
	nic->tx_offload = HVSIM_NETVSP_OFFLOAD_ALL;
	nic->rx_csum = HVSIM_NETVSP_CSUM_ALL;
	nic->nvsp_ver = 0;
	nic->msg_size = NVSP_MSG_SIZE_V1;
	nic->ndis_ver = 0;
	nic->ndis_config = false;
	nic->frame = NETVSP_FRAME_MIN;
	nic->caps = 0;
	nic->rndis_ready = false;
	nic->filter = 0;
	nic->nmc = 0;
	nic->subch = 0;
	nic->table_sent = false;
	nic->rss = false;
	nic->rss_entries = 0;
	nic->guest_link = nic->link_up;
	memcpy(nic->mac, nic->cfg.mac, ETH_ALEN);
}

/* An NVSP reply as a completion of @trans_id, padded to the size. */
static int hvsim_nic_complete(struct hvsim_nic *nic,
			      struct hvsim_vmbus_chan *chan, u64 trans_id,
			      const void *msg, u32 len)
{
	u8 buf[NVSP_MSG_SIZE_V61] = {};

	memcpy(buf, msg, min_t(u32, len, sizeof(buf)));
	return hvsim_chan_send(chan, VM_PKT_COMP, 0, trans_id, buf,
			       max(nic->msg_size, len), NULL, 0);
}

static int hvsim_nic_rndis_complete(struct hvsim_nic *nic,
				    struct hvsim_vmbus_chan *chan,
				    const struct hvsim_vmbus_pkt *pkt,
				    u32 status)
{
	struct nvsp_status s = {
		.type = cpu_to_le32(NVSP_SEND_RNDIS_PKT_COMPLETE),
		.status = cpu_to_le32(status),
	};

	if (!(pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED))
		return 0;
	return hvsim_nic_complete(nic, chan, pkt->trans_id, &s, sizeof(s));
}

/* A free sub-allocation; data leaves the reserved ones to control. */
static int hvsim_nic_rx_alloc(struct hvsim_nic *nic, bool control)
{
	u32 idx;

	if (!nic->rx_used || nic->rx_inuse >= nic->nsub ||
	    (!control && nic->rx_inuse + NETVSP_RX_RESERVED >= nic->nsub))
		return -ENOSPC;
	idx = find_next_zero_bit(nic->rx_used, nic->nsub, nic->rx_hint);
	if (idx >= nic->nsub)
		idx = find_first_zero_bit(nic->rx_used, nic->nsub);
	if (idx >= nic->nsub)
		return -ENOSPC;
	__set_bit(idx, nic->rx_used);
	nic->rx_inuse++;
	nic->rx_hint = idx + 1;
	return idx;
}

static void hvsim_nic_rx_free(struct hvsim_nic *nic, u32 idx)
{
	__clear_bit(idx, nic->rx_used);
	nic->rx_inuse--;
}

/*
 * Send sub-allocation @idx, holding @len bytes of RNDIS message, as a
 * transfer-page packet on @chan; the guest completes it with @idx.
 */
static int hvsim_nic_rx_send(struct hvsim_nic *nic,
			     struct hvsim_vmbus_chan *chan, u32 idx, u32 len,
			     u32 channel_type, bool may_wait)
{
	struct vmtransfer_page_range range = {
		.byte_count = len,
		.byte_offset = idx * nic->sub_size,
	};
	struct nvsp_rndis_pkt msg = {
		.type = cpu_to_le32(NVSP_SEND_RNDIS_PKT),
		.channel_type = cpu_to_le32(channel_type),
		.section_index = cpu_to_le32(NVSP_NO_SECTION),
	};
	u8 buf[NVSP_MSG_SIZE_V61] = {};
	int ret;

	memcpy(buf, &msg, sizeof(msg));
	ret = hvsim_chan_send_xfer(chan,
				   VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED,
				   idx, nic->rbuf_id, &range, 1, buf,
				   nic->msg_size, may_wait);
	if (ret)
		hvsim_nic_rx_free(nic, idx);
	return ret;
}

/* An RNDIS control message (answer or indication) to the guest. */
static int hvsim_nic_ctl_send(struct hvsim_nic *nic,
			      struct hvsim_vmbus_chan *chan, u32 type,
			      const void *body, u32 blen, const void *data,
			      u32 dlen)
{
	struct rndis_hdr h = {
		.type = cpu_to_le32(type),
		.len = cpu_to_le32(sizeof(h) + blen + dlen),
	};
	u8 *p;
	int idx;

	if (sizeof(h) + blen + dlen > nic->sub_size)
		return -EMSGSIZE;
	idx = hvsim_nic_rx_alloc(nic, true);
	if (idx < 0) {
		pr_warn_ratelimited("%pUl: no receive buffer for a control message\n",
				    &nic->cfg.instance_id);
		return 0;
	}
	p = nic->rbuf + (u32)idx * nic->sub_size;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), body, blen);
	if (dlen)
		memcpy(p + sizeof(h) + blen, data, dlen);
	nic->ctl_msgs++;
	return hvsim_nic_rx_send(nic, chan, idx, sizeof(h) + blen + dlen,
				 NVSP_RNDIS_CONTROL, true);
}

/* ------------------------------------------------------------------------
 * The switch.
 */

static bool hvsim_nic_accepts(struct hvsim_nic *nic, const u8 *dst)
{
	u32 f = nic->filter;
	u32 i;

	if (f & RNDIS_PACKET_TYPE_PROMISCUOUS)
		return true;
	if (is_broadcast_ether_addr(dst))
		return f & RNDIS_PACKET_TYPE_BROADCAST;
	if (is_multicast_ether_addr(dst)) {
		if (f & RNDIS_PACKET_TYPE_ALL_MULTICAST)
			return true;
		if (!(f & RNDIS_PACKET_TYPE_MULTICAST))
			return false;
		for (i = 0; i < nic->nmc; i++)
			if (ether_addr_equal(nic->mc[i], dst))
				return true;
		return false;
	}
	return (f & RNDIS_PACKET_TYPE_DIRECTED) && ether_addr_equal(nic->mac, dst);
}

/**
 * hvsim_netvsp_toeplitz() - the Toeplitz hash of RSS.
 * @key: the 40-byte secret key.
 * @in: the input (IPv4: source and destination address, then source and
 *	destination port for TCP; network order).
 * @len: its length, at most 36 bytes.
 *
 * Context: any.
 * Return: the hash value, which the receive hash info carries.
 */
u32 hvsim_netvsp_toeplitz(const u8 *key, const u8 *in, u32 len)
{
	u32 hash = 0, window = get_unaligned_be32(key), i;
	int b;

	for (i = 0; i < len; i++) {
		for (b = 7; b >= 0; b--) {
			if (in[i] & BIT(b))
				hash ^= window;
			window <<= 1;
			if (i + 4 < NETVSP_RSS_KEY_SIZE &&
			    key[i + 4] & BIT(b))
				window |= 1;
		}
	}
	return hash;
}

/**
 * hvsim_netvsp_rss_input() - what RSS hashes of a frame.
 * @frame: an untagged Ethernet frame.
 * @len: its length.
 * @in: 12 bytes: the addresses of an IPv4 packet, and the ports of an
 *	unfragmented TCP segment.
 *
 * Context: any.
 * Return: the bytes of @in filled (8 or 12); 0 for a frame RSS does not
 * cover (not IPv4, or cut short).
 */
u32 hvsim_netvsp_rss_input(const u8 *frame, u32 len, u8 *in)
{
	const u8 *ip = frame + ETH_HLEN;
	u32 ihl;

	if (len < ETH_HLEN + 20 ||
	    get_unaligned_be16(frame + 2 * ETH_ALEN) != ETH_P_IP)
		return 0;
	ihl = (ip[0] & 0xf) * 4;
	if ((ip[0] >> 4) != 4 || ihl < 20 || len < ETH_HLEN + ihl)
		return 0;
	memcpy(in, ip + 12, 8);
	/* A first fragment of TCP with its ports. */
	if (ip[9] == IPPROTO_TCP && !(get_unaligned_be16(ip + 6) & 0x3fff) &&
	    len >= ETH_HLEN + ihl + 4) {
		memcpy(in + 8, ip + ihl, 4);
		return 12;
	}
	return 8;
}

/*
 * The RSS hash of an IPv4 frame as the guest asked for it (TCP: addresses
 * and ports, else the addresses); false for a frame it does not cover.
 */
static bool hvsim_nic_rss_hash(struct hvsim_nic *nic, const u8 *frame,
			       u32 len, u32 *hash)
{
	u8 in[12];
	u32 n;

	if (!nic->rss)
		return false;
	n = hvsim_netvsp_rss_input(frame, len, in);
	if (!n)
		return false;
	*hash = hvsim_netvsp_toeplitz(nic->rss_key, in, n);
	return true;
}

/* The channel a frame goes to: its hash through the indirection table. */
static struct hvsim_vmbus_chan *hvsim_nic_rx_chan(struct hvsim_nic *nic,
						  u32 hash, bool hashed)
{
	u32 q;

	if (!hashed || !nic->rss_entries)
		return nic->chans[0];
	q = nic->rss_table[hash % nic->rss_entries];
	if (q <= nic->subch && nic->chans[q])
		return nic->chans[q];
	return nic->chans[0];
}

/* A frame on the switch: untagged, its 802.1Q tag (if any) beside it. */
struct hvsim_sw_frame {
	const u8 *data;
	u32 len;
	bool has_vlan;
	u32 vlan;		/* the 802.1Q info's value */
	u32 csum[2];		/* receive checksum info: computed, valid */
};

/* Deliver one frame into @nic's receive buffer. */
static void hvsim_nic_deliver(struct hvsim_nic *nic, struct hvsim_sw_frame *f)
{
	struct hvsim_vmbus_chan *chan;
	struct rndis_hdr h = {
		.type = cpu_to_le32(RNDIS_MSG_PACKET),
		.len = cpu_to_le32(NETVSP_RX_HEADROOM + f->len),
	};
	struct rndis_packet rp = {
		.data_offset = cpu_to_le32(NETVSP_RX_HEADROOM - sizeof(h)),
		.data_len = cpu_to_le32(f->len),
		.ppi_offset = cpu_to_le32(sizeof(rp)),
	};
	struct rndis_ppi ppi = {
		.size = cpu_to_le32(sizeof(ppi) + 4),
		.type = cpu_to_le32(PPI_CHECKSUM),
		.ppi_offset = cpu_to_le32(sizeof(ppi)),
	};
	u32 ppi_len = sizeof(ppi) + 4, hash = 0, csum;
	bool hashed;
	u8 *p, *pp;
	int idx;

	hashed = hvsim_nic_rss_hash(nic, f->data, f->len, &hash);
	chan = hvsim_nic_rx_chan(nic, hash, hashed);
	if (hashed)
		ppi_len += sizeof(ppi) + 4;
	if (f->has_vlan)
		ppi_len += sizeof(ppi) + 4;
	rp.ppi_len = cpu_to_le32(ppi_len);

	if (!chan || !nic->rndis_ready || !nic->rbuf ||
	    NETVSP_RX_HEADROOM + f->len > nic->sub_size) {
		nic->rx_dropped++;
		return;
	}
	idx = hvsim_nic_rx_alloc(nic, false);
	if (idx < 0) {
		nic->rx_dropped++;
		return;
	}
	/* The checksums are checked once per frame, claimed per receiver. */
	if (!f->csum[1]) {
		f->csum[0] = hvsim_netvsp_rx_csum(f->data, f->len,
						  HVSIM_NETVSP_CSUM_ALL);
		f->csum[1] = 1;
	}
	csum = f->csum[0];
	if (!(nic->rx_csum & HVSIM_NETVSP_CSUM_IP4))
		csum &= ~(HVSIM_NETVSP_RX_IP_OK | HVSIM_NETVSP_RX_IP_FAILED);
	if (!(nic->rx_csum & (HVSIM_NETVSP_CSUM_TCP4 | HVSIM_NETVSP_CSUM_TCP6)))
		csum &= ~(HVSIM_NETVSP_RX_TCP_OK | HVSIM_NETVSP_RX_TCP_FAILED);
	if (!(nic->rx_csum & (HVSIM_NETVSP_CSUM_UDP4 | HVSIM_NETVSP_CSUM_UDP6)))
		csum &= ~(HVSIM_NETVSP_RX_UDP_OK | HVSIM_NETVSP_RX_UDP_FAILED);

	p = nic->rbuf + (u32)idx * nic->sub_size;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &rp, sizeof(rp));
	/* Checksum info first, as OpenVMM writes it: what the host checked. */
	pp = p + sizeof(h) + sizeof(rp);
	memcpy(pp, &ppi, sizeof(ppi));
	put_unaligned_le32(csum, pp + sizeof(ppi));
	pp += sizeof(ppi) + 4;
	if (f->has_vlan) {
		ppi.type = cpu_to_le32(PPI_VLAN);
		memcpy(pp, &ppi, sizeof(ppi));
		put_unaligned_le32(f->vlan, pp + sizeof(ppi));
		pp += sizeof(ppi) + 4;
	}
	if (hashed) {
		/* The hash value the queue was chosen by. */
		ppi.type = cpu_to_le32(PPI_HASH_VALUE);
		memcpy(pp, &ppi, sizeof(ppi));
		put_unaligned_le32(hash, pp + sizeof(ppi));
	}
	memcpy(p + NETVSP_RX_HEADROOM, f->data, f->len);
	if (hvsim_nic_rx_send(nic, chan, idx, NETVSP_RX_HEADROOM + f->len,
			      NVSP_RNDIS_DATA, false)) {
		nic->rx_dropped++;
		return;
	}
	nic->rx_frames++;
	if (csum & (HVSIM_NETVSP_RX_TCP_OK | HVSIM_NETVSP_RX_UDP_OK))
		nic->rx_csum_ok++;
	if (f->has_vlan)
		nic->rx_vlan++;
	if (chan != nic->chans[0])
		nic->rx_sub_frames++;
	if (hashed)
		nic->rx_rss[hvsim_chan_index(chan)]++;
	hvsim_chan_publish(chan);
}

/* A frame from @src: to every other NIC with its link up that takes it. */
static void hvsim_switch_forward(struct hvsim_nic *src,
				 struct hvsim_sw_frame *f)
{
	struct hvsim_nic *nic;

	mutex_lock(&hvsim_nics_lock);
	list_for_each_entry(nic, &hvsim_nics, node) {
		if (nic == src || !nic->link_up || !nic->chans[0])
			continue;
		if (hvsim_nic_accepts(nic, f->data))
			hvsim_nic_deliver(nic, f);
	}
	mutex_unlock(&hvsim_nics_lock);
}

/* 802.1Q info (priority 0-2, CFI 3, VLAN ID 4-15) and a tag's TCI. */
static u32 hvsim_tci_to_info(u16 tci)
{
	return (tci >> 13) | ((tci >> 12 & 1) << 3) | ((tci & 0xfff) << 4);
}

/*
 * One frame of @nic's to the switch.  A tag in the frame itself (a guest
 * may send one) is taken out: the switch carries it beside the frame,
 * and a receiver gets it as an 802.1Q info, as from the info of a sender.
 */
static int hvsim_nic_emit(void *ctx, const u8 *frame, u32 len)
{
	struct hvsim_nic *nic = ctx;
	struct hvsim_sw_frame f = {
		.data = frame,
		.len = len,
		.has_vlan = nic->tx_has_vlan,
		.vlan = nic->tx_vlan_info,
	};

	if (!f.has_vlan && len >= ETH_HLEN + VLAN_HLEN &&
	    get_unaligned_be16(frame + 2 * ETH_ALEN) == ETH_P_8021Q) {
		f.has_vlan = true;
		f.vlan = hvsim_tci_to_info(get_unaligned_be16(frame + 14));
		memcpy(nic->framebuf, frame, 2 * ETH_ALEN);
		memcpy(nic->framebuf + 2 * ETH_ALEN,
		       frame + 2 * ETH_ALEN + VLAN_HLEN,
		       len - 2 * ETH_ALEN - VLAN_HLEN);
		f.data = nic->framebuf;
		f.len = len - VLAN_HLEN;
	}
	nic->tx_frames++;
	if (f.has_vlan)
		nic->tx_vlan++;
	if (nic->link_up)
		hvsim_switch_forward(nic, &f);
	return 0;
}

/* ------------------------------------------------------------------------
 * RNDIS data from the guest.
 */

/**
 * hvsim_netvsp_parse_packet() - check one RNDIS PACKET message.
 * @m: the message, header included, in the host's private copy.
 * @len: its length (at least the header's 8 bytes).
 * @info: where its frame is, and its per-packet infos, on success.
 *
 * OpenVMM's checks: no OOB data and no VC handle; the frame (at least an
 * Ethernet header) and the per-packet info inside the message; every
 * per-packet info element at least its 12-byte header, inside the info
 * area, its value inside the element.  The checksum, large-send, 802.1Q
 * and hash value infos must hold a whole u32 and come once each; other
 * types are skipped.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int hvsim_netvsp_parse_packet(const u8 *m, u32 len,
			      struct hvsim_netvsp_pkt_info *info)
{
	const u8 *body = m + sizeof(struct rndis_hdr);
	u32 blen = len - sizeof(struct rndis_hdr);
	u32 doff, dlen, poff, plen, psize, ptype, pvoff, val;
	struct rndis_packet rp;
	bool *has;
	u32 *dst;

	memset(info, 0, sizeof(*info));
	if (len < sizeof(struct rndis_hdr) || blen < sizeof(rp))
		return -EINVAL;
	memcpy(&rp, body, sizeof(rp));
	doff = le32_to_cpu(rp.data_offset);
	dlen = le32_to_cpu(rp.data_len);
	poff = le32_to_cpu(rp.ppi_offset);
	plen = le32_to_cpu(rp.ppi_len);
	if (rp.oob_offset || rp.oob_len || rp.num_oob || rp.vc_handle)
		return -EINVAL;
	if (doff < sizeof(rp) || doff > blen || dlen > blen - doff ||
	    dlen < ETH_HLEN)
		return -EINVAL;
	if (plen && (poff < sizeof(rp) || poff > blen || plen > blen - poff))
		return -EINVAL;

	while (plen) {
		if (plen < sizeof(struct rndis_ppi))
			return -EINVAL;
		psize = get_unaligned_le32(body + poff);
		ptype = get_unaligned_le32(body + poff + 4);
		pvoff = get_unaligned_le32(body + poff + 8);
		if (psize < sizeof(struct rndis_ppi) || psize > plen ||
		    pvoff < sizeof(struct rndis_ppi) || pvoff > psize)
			return -EINVAL;
		switch (ptype) {
		case PPI_VLAN:
			has = &info->has_vlan;
			dst = &info->vlan;
			break;
		case PPI_CHECKSUM:
			has = &info->has_csum;
			dst = &info->csum;
			break;
		case PPI_LSO:
			has = &info->has_lso;
			dst = &info->lso;
			break;
		case PPI_HASH_VALUE:
			has = &info->has_hash;
			dst = &info->hash;
			break;
		default:
			has = NULL;
			dst = NULL;
			break;
		}
		if (has) {
			if (psize - pvoff < 4 || *has)
				return -EINVAL;
			val = get_unaligned_le32(body + poff + pvoff);
			*dst = val;
			*has = true;
		}
		poff += psize;
		plen -= psize;
	}
	info->data_offset = sizeof(struct rndis_hdr) + doff;
	info->data_len = dlen;
	return 0;
}

/* ------------------------------------------------------------------------
 * Task offloads: checksums and large sends done by the host.
 */

#define LSO_MSS(v)		((v) & 0xfffff)
#define LSO_TCP_OFFSET(v)	(((v) >> 20) & 0x3ff)
#define LSO_V2			BIT(30)
#define LSO_IPV6		BIT(31)
#define CSUM_IPV4		BIT(0)
#define CSUM_IPV6		BIT(1)
#define CSUM_TCP		BIT(2)
#define CSUM_UDP		BIT(3)
#define CSUM_IP_HEADER		BIT(4)
#define CSUM_L4_OFFSET(v)	(((v) >> 16) & 0x3ff)
#define IP4_MF_OFFSET		0x3fff	/* more fragments, fragment offset */
#define TCP_FLAG_FIN_B		0x01
#define TCP_FLAG_PSH_B		0x08
#define TCP_FLAG_CWR_B		0x80

/*
 * The IP packet of @frame: its header's end (the transport header for
 * IPv4) and its end (@len or less: the frame may be padded).  -EPROTO
 * for anything but a whole IPv4 or IPv6 header of the version asked.
 */
static int hvsim_ip_bounds(const u8 *frame, u32 len, bool v6, bool lso,
			   u32 *l3hlen, u32 *end)
{
	const u8 *ip = frame + ETH_HLEN;
	u32 ihl, tot;

	if (len < ETH_HLEN + (v6 ? 40 : 20))
		return -EPROTO;
	if (get_unaligned_be16(frame + 2 * ETH_ALEN) !=
	    (v6 ? ETH_P_IPV6 : ETH_P_IP) || (ip[0] >> 4) != (v6 ? 6 : 4))
		return -EPROTO;
	if (v6) {
		*l3hlen = 40;
		tot = 40 + get_unaligned_be16(ip + 4);
	} else {
		ihl = (ip[0] & 0xf) * 4;
		if (ihl < 20 || len < ETH_HLEN + ihl)
			return -EPROTO;
		*l3hlen = ihl;
		tot = get_unaligned_be16(ip + 2);
		if (tot < ihl && !lso)
			return -EPROTO;
	}
	/* A large send's IP length is 0 (the guest leaves it to the host). */
	if (lso)
		tot = len - ETH_HLEN;
	if (tot > len - ETH_HLEN)
		return -EPROTO;
	*end = ETH_HLEN + tot;
	return 0;
}

/* The TCP or UDP checksum of @l4len bytes at @l4, with its pseudo-header. */
static __sum16 hvsim_l4_csum(const u8 *frame, bool v6, const u8 *l4,
			     u32 l4len, u8 proto)
{
	const u8 *ip = frame + ETH_HLEN;
	__wsum sum = csum_partial(l4, l4len, 0);

	if (!v6)
		return csum_tcpudp_magic((__force __be32)get_unaligned((u32 *)(ip + 12)),
					 (__force __be32)get_unaligned((u32 *)(ip + 16)),
					 l4len, proto, sum);
	/* The IPv6 pseudo-header: both addresses, length, next header. */
	sum = csum_partial(ip + 8, 32, sum);
	sum = csum_add(sum, (__force __wsum)htonl(l4len));
	sum = csum_add(sum, (__force __wsum)htonl(proto));
	return csum_fold(sum);
}

static void hvsim_ip4_fill_csum(u8 *ip, u32 ihl)
{
	put_unaligned(0, (u16 *)(ip + 10));
	put_unaligned((__force u16)ip_fast_csum(ip, ihl / 4), (u16 *)(ip + 10));
}

/* Fill the checksums a checksum info asks for, in place. */
static int hvsim_tx_csum(u8 *frame, u32 len, u32 v, u32 enabled)
{
	bool v6 = v & CSUM_IPV6, tcp = v & CSUM_TCP, udp = v & CSUM_UDP;
	u32 l3hlen, end, off = CSUM_L4_OFFSET(v), need;
	__sum16 sum;
	u8 *l4;
	int ret;

	if (!(v & CSUM_IPV4) == !v6 || (tcp && udp) ||
	    (v6 && (v & CSUM_IP_HEADER)))
		return -EINVAL;
	if (((v & CSUM_IP_HEADER) && !(enabled & HVSIM_NETVSP_CSUM_IP4)) ||
	    (tcp && !(enabled & (v6 ? HVSIM_NETVSP_CSUM_TCP6 :
				      HVSIM_NETVSP_CSUM_TCP4))) ||
	    (udp && !(enabled & (v6 ? HVSIM_NETVSP_CSUM_UDP6 :
				      HVSIM_NETVSP_CSUM_UDP4))))
		return -EOPNOTSUPP;
	ret = hvsim_ip_bounds(frame, len, v6, false, &l3hlen, &end);
	if (ret)
		return ret;
	if (v & CSUM_IP_HEADER)
		hvsim_ip4_fill_csum(frame + ETH_HLEN, l3hlen);
	if (!tcp && !udp)
		return 0;
	need = tcp ? 20 : 8;
	if (off < ETH_HLEN + l3hlen || off > end || end - off < need)
		return -EPROTO;
	/* IPv4 names its transport; IPv6's may follow extension headers. */
	if (!v6 && (off != ETH_HLEN + l3hlen ||
		    frame[ETH_HLEN + 9] != (tcp ? IPPROTO_TCP : IPPROTO_UDP)))
		return -EPROTO;
	l4 = frame + off;
	put_unaligned(0, (u16 *)(l4 + (tcp ? 16 : 6)));
	sum = hvsim_l4_csum(frame, v6, l4, end - off,
			    tcp ? IPPROTO_TCP : IPPROTO_UDP);
	if (udp && !sum)
		sum = CSUM_MANGLED_0;
	put_unaligned((__force u16)sum, (u16 *)(l4 + (tcp ? 16 : 6)));
	return 0;
}

/* Cut a large send into MSS-sized frames, each through @emit. */
static int hvsim_tx_lso(const u8 *frame, u32 len, u32 v, u32 enabled,
			u32 max_frame, u8 *seg,
			int (*emit)(void *ctx, const u8 *frame, u32 len),
			void *ctx)
{
	u32 mss = LSO_MSS(v), thoff = LSO_TCP_OFFSET(v), l3hlen, end, hlen;
	u32 payload, off, n, seq, i;
	bool v6 = v & LSO_IPV6;
	u16 id;
	u8 *ip, *th;
	int ret;

	if (!(v & LSO_V2))
		return -EOPNOTSUPP;	/* LSOv1 is not offered */
	if (!mss)
		return -EINVAL;
	if (!(enabled & (v6 ? HVSIM_NETVSP_LSO6 : HVSIM_NETVSP_LSO4)))
		return -EOPNOTSUPP;
	ret = hvsim_ip_bounds(frame, len, v6, true, &l3hlen, &end);
	if (ret)
		return ret;
	ip = (u8 *)frame + ETH_HLEN;
	if (v6) {
		if (thoff < ETH_HLEN + l3hlen ||
		    (thoff == ETH_HLEN + l3hlen && ip[6] != IPPROTO_TCP))
			return -EPROTO;
	} else if (thoff != ETH_HLEN + l3hlen || ip[9] != IPPROTO_TCP ||
		   (get_unaligned_be16(ip + 6) & IP4_MF_OFFSET)) {
		return -EPROTO;
	}
	if (thoff > len || len - thoff < 20)
		return -EPROTO;
	hlen = thoff + (frame[thoff + 12] >> 4) * 4;
	if (hlen < thoff + 20 || hlen >= len)
		return -EPROTO;
	payload = len - hlen;
	if (payload > HVSIM_NETVSP_LSO_MAX || hlen + mss > max_frame)
		return -EMSGSIZE;

	seq = get_unaligned_be32(frame + thoff + 4);
	id = get_unaligned_be16(ip + 4);
	for (off = 0, i = 0; off < payload; off += n, i++) {
		n = min(mss, payload - off);
		memcpy(seg, frame, hlen);
		memcpy(seg + hlen, frame + hlen + off, n);
		ip = seg + ETH_HLEN;
		th = seg + thoff;
		if (v6) {
			put_unaligned_be16(hlen - ETH_HLEN - 40 + n, ip + 4);
		} else {
			put_unaligned_be16(hlen - ETH_HLEN + n, ip + 2);
			put_unaligned_be16(id + i, ip + 4);
			hvsim_ip4_fill_csum(ip, l3hlen);
		}
		put_unaligned_be32(seq + off, th + 4);
		if (off + n < payload)
			th[13] &= ~(TCP_FLAG_FIN_B | TCP_FLAG_PSH_B);
		if (i)
			th[13] &= ~TCP_FLAG_CWR_B;
		put_unaligned(0, (u16 *)(th + 16));
		put_unaligned((__force u16)hvsim_l4_csum(seg, v6, th,
							 hlen - thoff + n,
							 IPPROTO_TCP),
			      (u16 *)(th + 16));
		ret = emit(ctx, seg, hlen + n);
		if (ret)
			return ret;
	}
	return i;
}

/**
 * hvsim_netvsp_tx_offload() - do what a frame's per-packet infos ask.
 * @frame: the frame (Ethernet header first, no 802.1Q tag for an
 *	offload), in the host's private copy: checksums are filled in place.
 * @len: its length.
 * @info: its per-packet infos, from hvsim_netvsp_parse_packet().
 * @enabled: the offloads the guest has on (HVSIM_NETVSP_CSUM_*, _LSO*).
 * @max_frame: the largest frame the port takes (for a large send's
 *	segments).
 * @seg: room for one segment of @max_frame bytes.
 * @emit: called with each frame to send; a non-zero return stops.
 * @ctx: its argument.
 *
 * A large send (LSOv2 only) is cut into frames of the MSS: the headers
 * copied, IPv4 total length, ID (one more each) and header checksum, or
 * IPv6 payload length, TCP sequence number, FIN and PSH on the last only,
 * CWR on the first only, and the TCP checksum.  Otherwise a checksum info
 * has the IPv4 header, TCP or UDP checksum computed.  A frame without
 * either goes as it is.
 *
 * Context: any.
 * Return: the number of frames sent; -EINVAL for an info value that makes
 * no sense, -EOPNOTSUPP for an offload that is off (or LSOv1), -EPROTO
 * for a frame that does not match its info, -EMSGSIZE for a large send
 * past HVSIM_NETVSP_LSO_MAX or with segments past @max_frame, or what
 * @emit returned.
 */
int hvsim_netvsp_tx_offload(u8 *frame, u32 len,
			    const struct hvsim_netvsp_pkt_info *info,
			    u32 enabled, u32 max_frame, u8 *seg,
			    int (*emit)(void *ctx, const u8 *frame, u32 len),
			    void *ctx)
{
	int ret;

	/* A large send's checksums are the host's anyway. */
	if (info->has_lso)
		return hvsim_tx_lso(frame, len, info->lso, enabled, max_frame,
				    seg, emit, ctx);
	if (info->has_csum) {
		ret = hvsim_tx_csum(frame, len, info->csum, enabled);
		if (ret)
			return ret;
	}
	ret = emit(ctx, frame, len);
	return ret ? ret : 1;
}

/**
 * hvsim_netvsp_rx_csum() - the receive checksum info of a frame.
 * @frame: the frame, no 802.1Q tag.
 * @len: its length.
 * @enabled: the receive checksums the guest has on
 *	(HVSIM_NETVSP_CSUM_*).
 *
 * The host checks what the guest lets it: the IPv4 header checksum, and
 * the TCP or UDP checksum of an unfragmented IPv4 packet or of an IPv6
 * packet whose transport follows the fixed header.  Each checked one is
 * claimed good or failed; a UDP checksum of 0 over IPv4 (none) is not
 * claimed.
 *
 * Context: any.
 * Return: HVSIM_NETVSP_RX_* bits; 0 for a frame nothing was checked of.
 */
u32 hvsim_netvsp_rx_csum(const u8 *frame, u32 len, u32 enabled)
{
	u16 proto = len >= ETH_HLEN ? get_unaligned_be16(frame + 12) : 0;
	bool v6 = proto == ETH_P_IPV6;
	const u8 *ip = frame + ETH_HLEN;
	u32 l3hlen, end, r = 0, need;
	u8 l4p;

	if ((proto != ETH_P_IP && !v6) ||
	    hvsim_ip_bounds(frame, len, v6, false, &l3hlen, &end))
		return 0;
	if (!v6) {
		if (enabled & HVSIM_NETVSP_CSUM_IP4) {
			if (ip_fast_csum(ip, l3hlen / 4))
				return HVSIM_NETVSP_RX_IP_FAILED;
			r = HVSIM_NETVSP_RX_IP_OK;
		}
		if (get_unaligned_be16(ip + 6) & IP4_MF_OFFSET)
			return r;
		l4p = ip[9];
	} else {
		l4p = ip[6];
	}
	need = l4p == IPPROTO_TCP ? 20 : 8;
	if ((l4p != IPPROTO_TCP && l4p != IPPROTO_UDP) ||
	    end - ETH_HLEN - l3hlen < need)
		return r;
	if (l4p == IPPROTO_TCP &&
	    (enabled & (v6 ? HVSIM_NETVSP_CSUM_TCP6 : HVSIM_NETVSP_CSUM_TCP4)))
		return r | (hvsim_l4_csum(frame, v6, ip + l3hlen,
					  end - ETH_HLEN - l3hlen, l4p) ?
			    HVSIM_NETVSP_RX_TCP_FAILED : HVSIM_NETVSP_RX_TCP_OK);
	if (l4p == IPPROTO_UDP &&
	    (enabled & (v6 ? HVSIM_NETVSP_CSUM_UDP6 : HVSIM_NETVSP_CSUM_UDP4))) {
		if (!v6 && !get_unaligned((u16 *)(ip + l3hlen + 6)))
			return r;
		return r | (hvsim_l4_csum(frame, v6, ip + l3hlen,
					  end - ETH_HLEN - l3hlen, l4p) ?
			    HVSIM_NETVSP_RX_UDP_FAILED : HVSIM_NETVSP_RX_UDP_OK);
	}
	return r;
}

/*
 * Check one PACKET message (@len bytes at @m, header included), do its
 * offloads and send its frames.  -EINVAL (or another errno of
 * hvsim_netvsp_tx_offload()) for a malformed message.
 */
static int hvsim_nic_tx_packet(struct hvsim_nic *nic, u8 *m, u32 len)
{
	struct hvsim_netvsp_pkt_info info;
	int ret;

	ret = hvsim_netvsp_parse_packet(m, len, &info);
	if (ret)
		return ret;
	/* A frame may carry its own tag; a large send is checked below. */
	if (!info.has_lso &&
	    info.data_len > nic->frame + (info.has_vlan ? 0 : VLAN_HLEN)) {
		nic->tx_errors++;
		return 0;	/* oversized for the port: dropped */
	}
	nic->tx_has_vlan = info.has_vlan;
	nic->tx_vlan_info = info.vlan;
	ret = hvsim_netvsp_tx_offload(m + info.data_offset, info.data_len,
				      &info, nic->tx_offload, nic->frame,
				      nic->segbuf, hvsim_nic_emit, nic);
	if (ret < 0) {
		pr_warn_ratelimited("%pUl: offload refused (%d): csum %#x lso %#x\n",
				    &nic->cfg.instance_id, ret, info.csum,
				    info.lso);
		return ret;
	}
	if (info.has_lso) {
		nic->lso_frames++;
		nic->lso_segments += ret;
	} else if (info.has_csum) {
		nic->csum_frames++;
	}
	return 0;
}

/* Walk the PACKET messages of one data SEND_RNDIS_PKT. */
static int hvsim_nic_tx_data(struct hvsim_nic *nic, u8 *buf, u32 len)
{
	u32 type, mlen, n = 0;
	int ret;

	while (len >= sizeof(struct rndis_hdr)) {
		type = get_unaligned_le32(buf);
		mlen = get_unaligned_le32(buf + 4);
		if (!type && !mlen && n)
			break;		/* padding after the last message */
		/*
		 * Linux pads a message it batches to the alignment (8) in
		 * msg_len, also the last one of a "partial copy", whose frame
		 * then follows in GPA ranges without that padding: a last
		 * message may claim up to 7 bytes more than there are.
		 */
		if (mlen > len && mlen - len < NETVSP_PKT_ALIGN)
			mlen = len;
		if (type != RNDIS_MSG_PACKET || mlen > len ||
		    mlen < sizeof(struct rndis_hdr) + sizeof(struct rndis_packet))
			return -EINVAL;
		ret = hvsim_nic_tx_packet(nic, buf, mlen);
		if (ret)
			return ret;
		buf += mlen;
		len -= mlen;
		n++;
	}
	return n ? 0 : -EINVAL;
}

/*
 * Gather a SEND_RNDIS_PKT into the private buffer: the send-buffer
 * section (if any), then the GPA-direct ranges (if any).  Returns the
 * length or a negative errno.
 */
static int hvsim_nic_gather(struct hvsim_nic *nic,
			    const struct hvsim_vmbus_pkt *pkt,
			    const struct nvsp_rndis_pkt *m)
{
	u32 idx = le32_to_cpu(m->section_index);
	u32 size = le32_to_cpu(m->section_size);
	u32 total = 0, i, cnt, off, chunk;
	const u8 *p, *pfns;
	int ret;

	if (idx != NVSP_NO_SECTION) {
		if (!nic->sbuf || idx >= nic->nsect || !size ||
		    size > NETVSP_SEND_SECTION)
			return -EINVAL;
		memcpy(nic->txbuf, nic->sbuf + idx * NETVSP_SEND_SECTION, size);
		total = size;
	}
	if (pkt->type != VM_PKT_DATA_USING_GPA_DIRECT)
		return total;

	p = (const u8 *)pkt->hdr + sizeof(struct vmdata_gpa_direct) -
	    sizeof(struct gpa_range);
	for (i = 0; i < pkt->ranges; i++) {
		cnt = get_unaligned_le32(p);
		off = get_unaligned_le32(p + 4);
		pfns = p + sizeof(struct gpa_range);
		p = pfns + 8 * DIV_ROUND_UP((u64)off + cnt, HV_HYP_PAGE_SIZE);
		if (cnt > NETVSP_TX_MAX - total)
			return -EMSGSIZE;
		while (cnt) {
			chunk = min_t(u32, cnt, HV_HYP_PAGE_SIZE - off);
			ret = hvsim_chan_read_gpa(get_unaligned_le64(pfns), off,
						  nic->txbuf + total, chunk);
			if (ret)
				return ret;
			total += chunk;
			cnt -= chunk;
			off = 0;
			pfns += 8;
		}
	}
	return total;
}

/* ------------------------------------------------------------------------
 * RNDIS control messages.
 */

/* NDIS_OFFLOAD's fields (offsets from the object's start). */
#define NDIS_OFF_CSUM_IP4_TXENC		4
#define NDIS_OFF_CSUM_IP4_TX		8
#define NDIS_OFF_CSUM_IP4_RXENC		12
#define NDIS_OFF_CSUM_IP4_RX		16
#define NDIS_OFF_CSUM_IP6_TXENC		20
#define NDIS_OFF_CSUM_IP6_TX		24
#define NDIS_OFF_CSUM_IP6_RXENC		28
#define NDIS_OFF_CSUM_IP6_RX		32
#define NDIS_OFF_LSOV2_IP4_ENCAP	80
#define NDIS_OFF_LSOV2_IP4_MAXSZ	84
#define NDIS_OFF_LSOV2_IP4_MINSG	88
#define NDIS_OFF_LSOV2_IP6_ENCAP	92
#define NDIS_OFF_LSOV2_IP6_MAXSZ	96
#define NDIS_OFF_LSOV2_IP6_MINSG	100
#define NDIS_OFF_LSOV2_IP6_OPTS		104
#define NDIS_ENCAP_8023			0x2
/* Checksum capability bits: IPv4 options, TCP options, TCP, UDP, IP. */
#define NDIS_CSUM_CAP_IPOPT		0x001
#define NDIS_CSUM_CAP_TCPOPT		0x004
#define NDIS_CSUM_CAP_TCP		0x010
#define NDIS_CSUM_CAP_UDP		0x040
#define NDIS_CSUM_CAP_IP4		0x100
#define NDIS_LSO_MIN_SEGS		2
/* NDIS_OFFLOAD_PARAMETERS' fields. */
#define NDIS_PARAM_IP4_CSUM		4
#define NDIS_PARAM_TCP4_CSUM		5
#define NDIS_PARAM_UDP4_CSUM		6
#define NDIS_PARAM_TCP6_CSUM		7
#define NDIS_PARAM_UDP6_CSUM		8
#define NDIS_PARAM_LSOV1		9
#define NDIS_PARAM_LSOV2_IP4		11
#define NDIS_PARAM_LSOV2_IP6		12
#define NDIS_PARAM_RSC_IP4		22
#define NDIS_PARAM_RSC_IP6		23
#define NDIS_PARAM_MIN_SIZE		20	/* OpenVMM's minimum */
#define NDIS_PARAM_CSUM_TX_RX_ENABLED	4
#define NDIS_PARAM_ENABLED		2	/* LSO, RSC */
#define RNDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG 0x40020006

static u32 hvsim_csum_caps(u32 mask, bool v6)
{
	u32 c = 0;

	if (mask & (v6 ? HVSIM_NETVSP_CSUM_TCP6 : HVSIM_NETVSP_CSUM_TCP4))
		c |= NDIS_CSUM_CAP_IPOPT | NDIS_CSUM_CAP_TCPOPT |
		     NDIS_CSUM_CAP_TCP;
	if (mask & (v6 ? HVSIM_NETVSP_CSUM_UDP6 : HVSIM_NETVSP_CSUM_UDP4))
		c |= NDIS_CSUM_CAP_IPOPT | NDIS_CSUM_CAP_UDP;
	if (!v6 && (mask & HVSIM_NETVSP_CSUM_IP4))
		c |= NDIS_CSUM_CAP_IPOPT | NDIS_CSUM_CAP_IP4;
	return c;
}

/*
 * An NDIS_OFFLOAD of revision @rev (1..3) into @out: the checksums of
 * @tx and @rx (HVSIM_NETVSP_CSUM_*) and the large sends of @tx
 * (HVSIM_NETVSP_LSO*), as OpenVMM reports them (LSOv2 only, up to 62780
 * bytes, 2 segments at least, IPv6 extension headers and TCP options; no
 * LSOv1, IPsec or RSC).  Returns its size.
 */
static u32 hvsim_nic_offload_caps(u8 *out, u8 rev, u32 tx, u32 rx)
{
	u32 size = rev == 1 ? NDIS_OFFLOAD_SIZE_REV1 :
		   rev == 2 ? NDIS_OFFLOAD_SIZE_REV2 : NDIS_OFFLOAD_SIZE_REV3;

	memset(out, 0, size);
	out[0] = NDIS_OBJECT_TYPE_OFFLOAD;
	out[1] = rev;
	put_unaligned_le16(size, out + 2);
	put_unaligned_le32(NDIS_ENCAP_8023, out + NDIS_OFF_CSUM_IP4_TXENC);
	put_unaligned_le32(hvsim_csum_caps(tx, false), out + NDIS_OFF_CSUM_IP4_TX);
	put_unaligned_le32(NDIS_ENCAP_8023, out + NDIS_OFF_CSUM_IP4_RXENC);
	put_unaligned_le32(hvsim_csum_caps(rx, false), out + NDIS_OFF_CSUM_IP4_RX);
	put_unaligned_le32(NDIS_ENCAP_8023, out + NDIS_OFF_CSUM_IP6_TXENC);
	put_unaligned_le32(hvsim_csum_caps(tx, true), out + NDIS_OFF_CSUM_IP6_TX);
	put_unaligned_le32(NDIS_ENCAP_8023, out + NDIS_OFF_CSUM_IP6_RXENC);
	put_unaligned_le32(hvsim_csum_caps(rx, true), out + NDIS_OFF_CSUM_IP6_RX);
	if (tx & HVSIM_NETVSP_LSO4) {
		put_unaligned_le32(NDIS_ENCAP_8023, out + NDIS_OFF_LSOV2_IP4_ENCAP);
		put_unaligned_le32(HVSIM_NETVSP_LSO_MAX,
				   out + NDIS_OFF_LSOV2_IP4_MAXSZ);
		put_unaligned_le32(NDIS_LSO_MIN_SEGS, out + NDIS_OFF_LSOV2_IP4_MINSG);
	}
	if (tx & HVSIM_NETVSP_LSO6) {
		put_unaligned_le32(NDIS_ENCAP_8023, out + NDIS_OFF_LSOV2_IP6_ENCAP);
		put_unaligned_le32(HVSIM_NETVSP_LSO_MAX,
				   out + NDIS_OFF_LSOV2_IP6_MAXSZ);
		put_unaligned_le32(NDIS_LSO_MIN_SEGS, out + NDIS_OFF_LSOV2_IP6_MINSG);
		put_unaligned_le32(NDIS_CSUM_CAP_IPOPT | NDIS_CSUM_CAP_TCPOPT,
				   out + NDIS_OFF_LSOV2_IP6_OPTS);
	}
	return size;
}

/*
 * One checksum setting of OFFLOAD_PARAMETERS: 0 no change, 1 both off,
 * 2 send only, 3 receive only, 4 both.  False for another value.
 */
static bool hvsim_csum_param(u8 v, u32 bit, u32 *tx, u32 *rx)
{
	if (v > NDIS_PARAM_CSUM_TX_RX_ENABLED)
		return false;
	if (!v)
		return true;
	*tx &= ~bit;
	*rx &= ~bit;
	if (v == 2 || v == 4)
		*tx |= bit;
	if (v == 3 || v == 4)
		*rx |= bit;
	return true;
}

/* One LSO setting: 0 no change, 1 off, 2 on. */
static bool hvsim_lso_param(u8 v, u32 bit, u32 *tx)
{
	if (v > NDIS_PARAM_ENABLED)
		return false;
	if (v == 1)
		*tx &= ~bit;
	else if (v == NDIS_PARAM_ENABLED)
		*tx |= bit;
	return true;
}

/*
 * OID_TCP_OFFLOAD_PARAMETERS: an NDIS object of type DEFAULT, revision 1
 * or more, 20 bytes at least (OpenVMM's checks); every setting in range;
 * LSOv1 or RSC on is not supported (neither is offered).  All or nothing.
 */
static u32 hvsim_nic_set_offload(struct hvsim_nic *nic, const u8 *in,
				 u32 inlen)
{
	u32 tx = nic->tx_offload, rx = nic->rx_csum;

	if (inlen < NDIS_PARAM_MIN_SIZE)
		return NETVSP_STATUS_INVALID_LENGTH;
	if (in[0] != NDIS_OBJECT_TYPE_DEFAULT || !in[1])
		return NETVSP_STATUS_INVALID_DATA;
	if (in[NDIS_PARAM_LSOV1] == NDIS_PARAM_ENABLED ||
	    (inlen > NDIS_PARAM_RSC_IP6 &&
	     (in[NDIS_PARAM_RSC_IP4] == NDIS_PARAM_ENABLED ||
	      in[NDIS_PARAM_RSC_IP6] == NDIS_PARAM_ENABLED)))
		return RNDIS_STATUS_NOT_SUPPORTED;
	if (!hvsim_csum_param(in[NDIS_PARAM_IP4_CSUM], HVSIM_NETVSP_CSUM_IP4,
			      &tx, &rx) ||
	    !hvsim_csum_param(in[NDIS_PARAM_TCP4_CSUM], HVSIM_NETVSP_CSUM_TCP4,
			      &tx, &rx) ||
	    !hvsim_csum_param(in[NDIS_PARAM_UDP4_CSUM], HVSIM_NETVSP_CSUM_UDP4,
			      &tx, &rx) ||
	    !hvsim_csum_param(in[NDIS_PARAM_TCP6_CSUM], HVSIM_NETVSP_CSUM_TCP6,
			      &tx, &rx) ||
	    !hvsim_csum_param(in[NDIS_PARAM_UDP6_CSUM], HVSIM_NETVSP_CSUM_UDP6,
			      &tx, &rx) ||
	    !hvsim_lso_param(in[NDIS_PARAM_LSOV2_IP4], HVSIM_NETVSP_LSO4, &tx) ||
	    !hvsim_lso_param(in[NDIS_PARAM_LSOV2_IP6], HVSIM_NETVSP_LSO6, &tx))
		return NETVSP_STATUS_INVALID_DATA;
	nic->tx_offload = tx;
	nic->rx_csum = rx;
	nic->offload_sets++;
	return RNDIS_STATUS_SUCCESS;
}

/*
 * After a new OFFLOAD_PARAMETERS, OpenVMM indicates the configuration in
 * force: TASK_OFFLOAD_CURRENT_CONFIG with an NDIS_OFFLOAD (revision 3).
 */
static int hvsim_nic_indicate_offload(struct hvsim_nic *nic,
				      struct hvsim_vmbus_chan *chan)
{
	struct rndis_indicate ind = {
		.status = cpu_to_le32(RNDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG),
		.buflen = cpu_to_le32(NDIS_OFFLOAD_SIZE_REV3),
		.buf_offset = cpu_to_le32(sizeof(ind)),
	};
	u8 caps[NDIS_OFFLOAD_SIZE_REV3];

	hvsim_nic_offload_caps(caps, 3, nic->tx_offload, nic->rx_csum);
	return hvsim_nic_ctl_send(nic, chan, RNDIS_MSG_INDICATE, &ind,
				  sizeof(ind), caps, sizeof(caps));
}

static void hvsim_put_utf16(u8 *out, const char *s, u32 *len)
{
	u32 i;

	for (i = 0; s[i]; i++)
		put_unaligned_le16(s[i], out + 2 * i);
	put_unaligned_le16(0, out + 2 * i);
	*len = 2 * (i + 1);
}

/* Answer QUERY @oid into @out (NETVSP_CTL_MAX bytes); an RNDIS status. */
static u32 hvsim_nic_query(struct hvsim_nic *nic, u32 oid, const u8 *in,
			   u32 inlen, u8 *out, u32 *outlen)
{
	u32 v = 0;
	u8 rev;

	*outlen = 4;
	switch (oid) {
	case RNDIS_OID_GEN_HARDWARE_STATUS:
	case RNDIS_OID_GEN_MEDIA_SUPPORTED:
	case RNDIS_OID_GEN_MEDIA_IN_USE:
		v = 0;
		break;
	case RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD:
	case RNDIS_OID_GEN_CURRENT_LOOKAHEAD:
	case RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE:
		v = nic->frame - ETH_HLEN;
		break;
	case RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE:
	case OID_GEN_TRANSMIT_BLOCK_SIZE:
	case OID_GEN_RECEIVE_BLOCK_SIZE:
		v = nic->frame;
		break;
	case RNDIS_OID_GEN_LINK_SPEED:
		v = NETVSP_LINK_SPEED;
		break;
	case OID_GEN_TRANSMIT_BUFFER_SPACE:
	case OID_GEN_RECEIVE_BUFFER_SPACE:
		v = NETVSP_BUFFER_SPACE;
		break;
	case RNDIS_OID_GEN_VENDOR_ID:
		v = NETVSP_VENDOR_ID;
		break;
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		v = nic->filter;
		break;
	case RNDIS_OID_GEN_MAC_OPTIONS:
		v = NETVSP_MAC_OPTIONS;
		break;
	case RNDIS_OID_GEN_MEDIA_CONNECT_STATUS:
		/* NdisMediaStateConnected 0, Disconnected 1. */
		v = nic->link_up ? 0 : 1;
		nic->guest_link = nic->link_up;
		break;
	case RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS:
		v = U32_MAX;
		break;
	case RNDIS_OID_802_3_MAXIMUM_LIST_SIZE:
		v = NETVSP_MC_MAX;
		break;
	case RNDIS_OID_GEN_DRIVER_VERSION:
	case RNDIS_OID_GEN_VENDOR_DRIVER_VERSION:
		put_unaligned_le16(NETVSP_DRIVER_VERSION, out);
		*outlen = 2;
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_VENDOR_DESCRIPTION:
		*outlen = sizeof("Microsoft Corporation");
		memcpy(out, "Microsoft Corporation", *outlen);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_FRIENDLY_NAME:
		hvsim_put_utf16(out, "Network Device", outlen);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_802_3_PERMANENT_ADDRESS:
		memcpy(out, nic->cfg.mac, ETH_ALEN);
		*outlen = ETH_ALEN;
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_802_3_CURRENT_ADDRESS:
		memcpy(out, nic->mac, ETH_ALEN);
		*outlen = ETH_ALEN;
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_802_3_MULTICAST_LIST:
		memcpy(out, nic->mc, nic->nmc * ETH_ALEN);
		*outlen = nic->nmc * ETH_ALEN;
		return RNDIS_STATUS_SUCCESS;
	case OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
		/* The revision the guest asks for (1 without a header). */
		rev = 1;
		if (inlen >= sizeof(struct ndis_object_header))
			rev = clamp_t(u8, in[1], 1, 3);
		*outlen = hvsim_nic_offload_caps(out, rev,
						 HVSIM_NETVSP_OFFLOAD_ALL,
						 HVSIM_NETVSP_CSUM_ALL);
		return RNDIS_STATUS_SUCCESS;
	case OID_GEN_RECEIVE_SCALE_CAPABILITIES: {
		struct ndis_rss_caps c = {
			.hdr.type = NDIS_OBJECT_TYPE_RSS_CAPABILITIES,
			.hdr.revision = 2,
			.hdr.size = cpu_to_le16(sizeof(c)),
			.caps = cpu_to_le32(NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4 |
					    NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6 |
					    NDIS_HASH_FUNC_TOEPLITZ),
			.num_int_msgs = cpu_to_le32(1),
			.num_recv_queues = cpu_to_le32(1 + nic->max_subch),
			.num_table_entries = cpu_to_le16(NETVSP_RSS_TABLE_MAX),
		};

		if (nic->nvsp_ver < NVSP_VER_5) {
			*outlen = 0;
			break;
		}
		memcpy(out, &c, sizeof(c));
		*outlen = sizeof(c);
		return RNDIS_STATUS_SUCCESS;
	}
	default:
		*outlen = 0;
		break;
	}
	if (*outlen != 4) {
		*outlen = 0;
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
	put_unaligned_le32(v, out);
	return RNDIS_STATUS_SUCCESS;
}

/*
 * OID_GEN_RECEIVE_SCALE_PARAMETERS, checked as OpenVMM does: disabled by
 * its flag or a hash function of 0; else a 40-byte key, a table of whole
 * u32 entries (at most 128), each a queue the guest has.
 */
static u32 hvsim_nic_set_rss(struct hvsim_nic *nic, const u8 *in, u32 inlen)
{
	u32 tsize, toff, ksize, koff, i, q;
	struct ndis_rss_params p;
	u16 flags;

	if (inlen < sizeof(p))
		return NETVSP_STATUS_INVALID_LENGTH;
	memcpy(&p, in, sizeof(p));
	if (p.hdr.type != NDIS_OBJECT_TYPE_RSS_PARAMETERS || !p.hdr.revision)
		return NETVSP_STATUS_INVALID_DATA;
	flags = le16_to_cpu(p.flags);
	if ((flags & NDIS_RSS_PARAM_FLAG_DISABLE_RSS) ||
	    !(le32_to_cpu(p.hash_info) & 0xff)) {
		nic->rss = false;
		return RNDIS_STATUS_SUCCESS;
	}
	tsize = le16_to_cpu(p.table_size);
	toff = le32_to_cpu(p.table_offset);
	ksize = le16_to_cpu(p.key_size);
	koff = le32_to_cpu(p.key_offset);
	if (!(flags & NDIS_RSS_PARAM_FLAG_ITABLE_UNCHANGED)) {
		if (!tsize || tsize % 4 || tsize / 4 > NETVSP_RSS_TABLE_MAX ||
		    toff > inlen || tsize > inlen - toff)
			return NETVSP_STATUS_INVALID_DATA;
		for (i = 0; i < tsize / 4; i++) {
			q = get_unaligned_le32(in + toff + 4 * i);
			if (q > nic->max_subch)
				return NETVSP_STATUS_INVALID_DATA;
		}
	}
	if (!(flags & NDIS_RSS_PARAM_FLAG_HASH_KEY_UNCHANGED) &&
	    (ksize != NETVSP_RSS_KEY_SIZE || koff > inlen ||
	     ksize > inlen - koff))
		return NETVSP_STATUS_INVALID_DATA;
	if (!(flags & NDIS_RSS_PARAM_FLAG_ITABLE_UNCHANGED)) {
		nic->rss_entries = tsize / 4;
		for (i = 0; i < nic->rss_entries; i++)
			nic->rss_table[i] = get_unaligned_le32(in + toff + 4 * i);
	}
	if (!(flags & NDIS_RSS_PARAM_FLAG_HASH_KEY_UNCHANGED))
		memcpy(nic->rss_key, in + koff, NETVSP_RSS_KEY_SIZE);
	nic->rss = nic->rss_entries;
	return RNDIS_STATUS_SUCCESS;
}

/* Apply SET @oid; an RNDIS status. */
static u32 hvsim_nic_set(struct hvsim_nic *nic, u32 oid, const u8 *in,
			 u32 inlen)
{
	switch (oid) {
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		if (inlen < 4)
			return NETVSP_STATUS_INVALID_LENGTH;
		nic->filter = get_unaligned_le32(in);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_802_3_MULTICAST_LIST:
		if (inlen % ETH_ALEN || inlen / ETH_ALEN > NETVSP_MC_MAX)
			return NETVSP_STATUS_INVALID_LENGTH;
		memcpy(nic->mc, in, inlen);
		nic->nmc = inlen / ETH_ALEN;
		nic->mc_sets++;
		return RNDIS_STATUS_SUCCESS;
	case OID_TCP_OFFLOAD_PARAMETERS:
		return hvsim_nic_set_offload(nic, in, inlen);
	case RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER:
		/* Accepted and ignored, as OpenVMM does. */
		return RNDIS_STATUS_SUCCESS;
	case OID_GEN_RECEIVE_SCALE_PARAMETERS:
		return hvsim_nic_set_rss(nic, in, inlen);
	default:
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
}

/* The info buffer of a QUERY or SET body of @blen bytes. */
static int hvsim_oid_buf(const u8 *body, u32 blen,
			 const struct rndis_oid_req *r, const u8 **buf,
			 u32 *len)
{
	u32 off = le32_to_cpu(r->info_buf_offset);
	u32 n = le32_to_cpu(r->info_buflen);

	*buf = NULL;
	*len = 0;
	if (!n)
		return 0;
	if (off < sizeof(*r) || off > blen || n > blen - off)
		return -EINVAL;
	*buf = body + off;
	*len = n;
	return 0;
}

/* One control message of @len bytes. -EINVAL when malformed. */
static int hvsim_nic_control(struct hvsim_nic *nic,
			     struct hvsim_vmbus_chan *chan, const u8 *m,
			     u32 len)
{
	u32 type, mlen, blen, status, outlen;
	const u8 *body = m + sizeof(struct rndis_hdr);
	struct rndis_oid_req r;
	const u8 *in;
	u32 inlen;
	u8 *out;
	int ret;

	if (len < sizeof(struct rndis_hdr))
		return -EINVAL;
	type = get_unaligned_le32(m);
	mlen = get_unaligned_le32(m + 4);
	if (mlen < sizeof(struct rndis_hdr) || mlen > len)
		return -EINVAL;
	blen = mlen - sizeof(struct rndis_hdr);

	switch (type) {
	case RNDIS_MSG_INIT: {
		struct rndis_init_cmplt c = {
			.status = cpu_to_le32(RNDIS_STATUS_SUCCESS),
			.major = cpu_to_le32(1),
			.minor = cpu_to_le32(0),
			.dev_flags = cpu_to_le32(1),	/* connectionless */
			.medium = cpu_to_le32(0),	/* 802.3 */
			.max_pkt_per_msg = cpu_to_le32(NETVSP_MAX_PKT_PER_MSG),
			.max_xfer_size = cpu_to_le32(0xefffffff),
			.pkt_align_factor = cpu_to_le32(NETVSP_PKT_ALIGN_SHIFT),
		};

		if (blen < sizeof(struct rndis_init_req))
			return -EINVAL;
		c.req_id = cpu_to_le32(get_unaligned_le32(body));
		nic->rndis_ready = true;
		return hvsim_nic_ctl_send(nic, chan, RNDIS_MSG_INIT_C, &c,
					  sizeof(c), NULL, 0);
	}
	case RNDIS_MSG_QUERY:
	case RNDIS_MSG_SET:
		if (blen < sizeof(r))
			return -EINVAL;
		memcpy(&r, body, sizeof(r));
		if (hvsim_oid_buf(body, blen, &r, &in, &inlen))
			return -EINVAL;
		if (type == RNDIS_MSG_SET) {
			struct rndis_req_cmplt c = {
				.req_id = r.req_id,
			};

			status = hvsim_nic_set(nic, le32_to_cpu(r.oid), in,
					       inlen);
			c.status = cpu_to_le32(status);
			ret = hvsim_nic_ctl_send(nic, chan, RNDIS_MSG_SET_C,
						 &c, sizeof(c), NULL, 0);
			if (!ret && status == RNDIS_STATUS_SUCCESS &&
			    le32_to_cpu(r.oid) == OID_TCP_OFFLOAD_PARAMETERS)
				ret = hvsim_nic_indicate_offload(nic, chan);
			return ret;
		}
		out = kzalloc(NETVSP_CTL_MAX, GFP_KERNEL);
		if (!out)
			return -ENOMEM;
		status = hvsim_nic_query(nic, le32_to_cpu(r.oid), in, inlen,
					 out, &outlen);
		{
			struct rndis_query_cmplt c = {
				.req_id = r.req_id,
				.status = cpu_to_le32(status),
				.info_buflen = cpu_to_le32(outlen),
				.info_buf_offset = cpu_to_le32(sizeof(c)),
			};

			ret = hvsim_nic_ctl_send(nic, chan, RNDIS_MSG_QUERY_C,
						 &c, sizeof(c), out, outlen);
		}
		kfree(out);
		return ret;
	case RNDIS_MSG_KEEPALIVE: {
		struct rndis_req_cmplt c = {
			.status = cpu_to_le32(RNDIS_STATUS_SUCCESS),
		};

		if (blen < 4)
			return -EINVAL;
		c.req_id = cpu_to_le32(get_unaligned_le32(body));
		nic->keepalives++;
		return hvsim_nic_ctl_send(nic, chan, RNDIS_MSG_KEEPALIVE_C, &c,
					  sizeof(c), NULL, 0);
	}
	case RNDIS_MSG_RESET: {
		struct rndis_reset_cmplt c = {
			.status = cpu_to_le32(RNDIS_STATUS_SUCCESS),
		};

		/* A soft reset: the settings and addresses stay. */
		nic->resets++;
		return hvsim_nic_ctl_send(nic, chan, RNDIS_MSG_RESET_C, &c,
					  sizeof(c), NULL, 0);
	}
	case RNDIS_MSG_HALT:
		/* No answer; the device stops receiving. */
		nic->rndis_ready = false;
		nic->filter = 0;
		return 0;
	default:
		pr_warn_ratelimited("%pUl: RNDIS control message %#x not handled\n",
				    &nic->cfg.instance_id, type);
		return -EINVAL;
	}
}

/* ------------------------------------------------------------------------
 * NVSP messages.
 */

static bool hvsim_nvsp_version_ok(u32 v)
{
	switch (v) {
	case NVSP_VER_1:
	case NVSP_VER_2:
	case NVSP_VER_4:
	case NVSP_VER_5:
	case NVSP_VER_6:
	case NVSP_VER_61:
		return true;
	default:
		return false;
	}
}

static int hvsim_nvsp_init(struct hvsim_nic *nic,
			   struct hvsim_vmbus_chan *chan,
			   const struct hvsim_vmbus_pkt *pkt)
{
	struct nvsp_init m;
	struct nvsp_init_complete c = {
		.type = cpu_to_le32(NVSP_INIT_COMPLETE),
		.max_mdl_chain_len = cpu_to_le32(NETVSP_MAX_MDL_CHAIN),
		.status = cpu_to_le32(NVSP_STAT_NONE),
	};
	u32 v;

	memcpy(&m, pkt->data, sizeof(m));
	v = le32_to_cpu(m.max_ver);
	if (nic->nvsp_ver) {
		pr_warn_ratelimited("%pUl: INIT again\n", &nic->cfg.instance_id);
		return -EPROTO;
	}
	if (le32_to_cpu(m.min_ver) <= v && hvsim_nvsp_version_ok(v)) {
		nic->nvsp_ver = v;
		nic->msg_size = v >= NVSP_VER_61 ? NVSP_MSG_SIZE_V61 :
						   NVSP_MSG_SIZE_V1;
		c.status = cpu_to_le32(NVSP_STAT_SUCCESS);
	}
	c.negotiated = cpu_to_le32(v == NVSP_VER_1 ? 2 : 0xffffffff);
	return hvsim_nic_complete(nic, chan, pkt->trans_id, &c, sizeof(c));
}

static int hvsim_nvsp_ndis_config(struct hvsim_nic *nic,
				  struct hvsim_vmbus_chan *chan,
				  const struct hvsim_vmbus_pkt *pkt)
{
	struct nvsp_ndis_config m;
	u32 frame;

	memcpy(&m, pkt->data, sizeof(m));
	if (nic->ndis_config || nic->rbuf)
		return -EPROTO;
	frame = le32_to_cpu(m.mtu);
	if (frame < NETVSP_FRAME_MIN || frame > NETVSP_FRAME_MAX)
		frame = NETVSP_FRAME_MIN;
	nic->frame = min(frame, nic->cfg.max_mtu + ETH_HLEN);
	nic->caps = le64_to_cpu(m.caps);
	nic->ndis_config = true;
	if (pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
		return hvsim_chan_send(chan, VM_PKT_COMP, 0, pkt->trans_id,
				       NULL, 0, NULL, 0);
	return 0;
}

static int hvsim_nvsp_ndis_ver(struct hvsim_nic *nic,
			       struct hvsim_vmbus_chan *chan,
			       const struct hvsim_vmbus_pkt *pkt)
{
	struct nvsp_ndis_ver m;

	memcpy(&m, pkt->data, sizeof(m));
	if (nic->ndis_ver)
		return -EPROTO;
	nic->ndis_ver = le32_to_cpu(m.major) << 16 |
			(le32_to_cpu(m.minor) & 0xffff);
	if (!nic->ndis_ver)
		return -EPROTO;
	if (pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
		return hvsim_chan_send(chan, VM_PKT_COMP, 0, pkt->trans_id,
				       NULL, 0, NULL, 0);
	return 0;
}

static int hvsim_nvsp_recv_buf(struct hvsim_nic *nic,
			       struct hvsim_vmbus_chan *chan,
			       const struct hvsim_vmbus_pkt *pkt)
{
	struct nvsp_recv_buf_complete c = {
		.type = cpu_to_le32(NVSP_SEND_RECV_BUF_COMPLETE),
		.status = cpu_to_le32(NVSP_STAT_FAIL),
	};
	struct nvsp_buf m;
	void *va;
	u32 len;

	memcpy(&m, pkt->data, sizeof(m));
	if (nic->rbuf || !nic->ndis_ver ||
	    (nic->nvsp_ver >= NVSP_VER_2 && !nic->ndis_config))
		goto reply;
	va = hvsim_chan_map_gpadl(chan, le32_to_cpu(m.gpadl), &len);
	if (IS_ERR(va)) {
		pr_warn_ratelimited("%pUl: receive buffer GPADL %u: %ld\n",
				    &nic->cfg.instance_id,
				    le32_to_cpu(m.gpadl), PTR_ERR(va));
		goto reply;
	}
	nic->sub_size = NETVSP_RX_HEADROOM + nic->frame + NETVSP_RX_FOOTER;
	nic->nsub = len / nic->sub_size;
	if (nic->nsub <= NETVSP_RX_RESERVED) {
		hvsim_chan_unmap_gpadl(va, len);
		goto reply;
	}
	nic->rx_used = bitmap_zalloc(nic->nsub, GFP_KERNEL);
	if (!nic->rx_used || hvsim_nic_alloc_bufs(nic)) {
		hvsim_chan_unmap_gpadl(va, len);
		/* rbuf is not set: nothing is unmapped twice. */
		hvsim_nic_revoke_recv(nic);
		return -ENOMEM;
	}
	nic->rbuf = va;
	nic->rbuf_len = len;
	nic->rbuf_id = le16_to_cpu(m.id);
	nic->rx_inuse = 0;
	nic->rx_hint = 0;
	c.status = cpu_to_le32(NVSP_STAT_SUCCESS);
	c.num_sections = cpu_to_le32(1);
	c.section.sub_alloc_size = cpu_to_le32(nic->sub_size);
	c.section.num_sub_allocs = cpu_to_le32(nic->nsub);
	c.section.end_offset = cpu_to_le32(nic->sub_size * nic->nsub);
reply:
	return hvsim_nic_complete(nic, chan, pkt->trans_id, &c, sizeof(c));
}

static int hvsim_nvsp_send_buf(struct hvsim_nic *nic,
			       struct hvsim_vmbus_chan *chan,
			       const struct hvsim_vmbus_pkt *pkt)
{
	struct nvsp_send_buf_complete c = {
		.type = cpu_to_le32(NVSP_SEND_SEND_BUF_COMPLETE),
		.status = cpu_to_le32(NVSP_STAT_FAIL),
	};
	struct nvsp_buf m;
	void *va;
	u32 len;

	/* The guest's ID is not checked: Linux and FreeBSD differ. */
	memcpy(&m, pkt->data, sizeof(m));
	if (nic->sbuf || !nic->rbuf)
		goto reply;
	va = hvsim_chan_map_gpadl(chan, le32_to_cpu(m.gpadl), &len);
	if (IS_ERR(va)) {
		pr_warn_ratelimited("%pUl: send buffer GPADL %u: %ld\n",
				    &nic->cfg.instance_id,
				    le32_to_cpu(m.gpadl), PTR_ERR(va));
		goto reply;
	}
	nic->sbuf = va;
	nic->sbuf_len = len;
	nic->nsect = len / NETVSP_SEND_SECTION;
	c.status = cpu_to_le32(NVSP_STAT_SUCCESS);
	c.section_size = cpu_to_le32(NETVSP_SEND_SECTION);
reply:
	return hvsim_nic_complete(nic, chan, pkt->trans_id, &c, sizeof(c));
}

static int hvsim_nvsp_revoke_recv(struct hvsim_nic *nic,
				  struct hvsim_vmbus_chan *chan,
				  const struct hvsim_vmbus_pkt *pkt)
{
	hvsim_nic_revoke_recv(nic);
	nic->rndis_ready = false;
	return 0;
}

static int hvsim_nvsp_revoke_send(struct hvsim_nic *nic,
				  struct hvsim_vmbus_chan *chan,
				  const struct hvsim_vmbus_pkt *pkt)
{
	hvsim_nic_revoke_send(nic);
	return 0;
}

static int hvsim_nvsp_rndis_pkt(struct hvsim_nic *nic,
				struct hvsim_vmbus_chan *chan,
				const struct hvsim_vmbus_pkt *pkt)
{
	struct nvsp_rndis_pkt m;
	u32 status = NVSP_STAT_SUCCESS;
	int len, ret = 0;

	memcpy(&m, pkt->data, sizeof(m));
	if (!nic->rbuf) {
		/* OpenVMM: an RNDIS packet before the receive buffer. */
		return -EPROTO;
	}
	len = hvsim_nic_gather(nic, pkt, &m);
	if (len < 0)
		ret = len;
	else if (le32_to_cpu(m.channel_type) == NVSP_RNDIS_CONTROL)
		ret = hvsim_nic_control(nic, chan, nic->txbuf, len);
	else if (!nic->rndis_ready)
		ret = -EINVAL;
	else
		ret = hvsim_nic_tx_data(nic, nic->txbuf, len);
	if (ret == -ENOMEM || ret == -ENOTCONN)
		return ret;
	if (ret) {
		nic->tx_errors++;
		status = NVSP_STAT_FAIL;
		pr_warn_ratelimited("%pUl: bad RNDIS packet (%d)\n",
				    &nic->cfg.instance_id, ret);
	}
	return hvsim_nic_rndis_complete(nic, chan, pkt, status);
}

static int hvsim_nvsp_subchannel(struct hvsim_nic *nic,
				 struct hvsim_vmbus_chan *chan,
				 const struct hvsim_vmbus_pkt *pkt)
{
	struct nvsp_subchannel_complete c = {
		.type = cpu_to_le32(NVSP_SUBCHANNEL),
		.status = cpu_to_le32(NVSP_STAT_FAIL),
	};
	struct nvsp_subchannel m;
	u32 num;
	int got;

	/*
	 * As OpenVMM: the whole request or nothing, and only while the
	 * receive buffer has a sub-allocation per queue beyond the reserved.
	 */
	memcpy(&m, pkt->data, sizeof(m));
	num = le32_to_cpu(m.num);
	if (le32_to_cpu(m.op) != NVSP_SUBCHANNEL_ALLOCATE || !num ||
	    num > nic->max_subch || nic->subch || !nic->rbuf ||
	    nic->nsub < NETVSP_RX_RESERVED + 1 + num)
		goto reply;
	/*
	 * Sub-channels of an earlier attach are rescinded when the primary
	 * closes; still offered here, a guest would wait for offers that
	 * would not come.  Refused: the guest goes on with one queue.
	 */
	if (hvsim_chan_offer_subchannels(chan, 0)) {
		pr_warn_ratelimited("%pUl: sub-channels already offered\n",
				    &nic->cfg.instance_id);
		goto reply;
	}
	got = hvsim_chan_offer_subchannels(chan, num);
	if (got < 0 || got != num) {
		pr_warn_ratelimited("%pUl: %u sub-channels wanted, %d offered\n",
				    &nic->cfg.instance_id, num, got);
		goto reply;
	}
	nic->subch = num;
	c.status = cpu_to_le32(NVSP_STAT_SUCCESS);
	c.num = cpu_to_le32(num);
reply:
	return hvsim_nic_complete(nic, chan, pkt->trans_id, &c, sizeof(c));
}

/* A message without a handler of its own: completed if asked, no more. */
static int hvsim_nvsp_nop(struct hvsim_nic *nic, struct hvsim_vmbus_chan *chan,
			  const struct hvsim_vmbus_pkt *pkt)
{
	if (pkt->flags & VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED)
		return hvsim_chan_send(chan, VM_PKT_COMP, 0, pkt->trans_id,
				       NULL, 0, NULL, 0);
	return 0;
}

/**
 * struct hvsim_nvsp_handler - one NVSP message the guest may send.
 * @type: the message type.
 * @min_len: its shortest length.
 * @min_ver: the NVSP version that has it.
 * @any_chan: allowed on sub-channels too (else the primary only).
 * @before_init: allowed before INIT succeeded.
 * @fn: the handler.
 */
struct hvsim_nvsp_handler {
	u32 type;
	u32 min_len;
	u32 min_ver;
	bool any_chan;
	bool before_init;
	int (*fn)(struct hvsim_nic *nic, struct hvsim_vmbus_chan *chan,
		  const struct hvsim_vmbus_pkt *pkt);
};

static const struct hvsim_nvsp_handler hvsim_nvsp_handlers[] = {
	{ NVSP_INIT, sizeof(struct nvsp_init), 0, false, true,
	  hvsim_nvsp_init },
	{ NVSP_SEND_NDIS_VER, sizeof(struct nvsp_ndis_ver), NVSP_VER_1, false,
	  false, hvsim_nvsp_ndis_ver },
	{ NVSP_SEND_RECV_BUF, sizeof(struct nvsp_buf), NVSP_VER_1, false,
	  false, hvsim_nvsp_recv_buf },
	{ NVSP_REVOKE_RECV_BUF, sizeof(struct nvsp_revoke), NVSP_VER_1, false,
	  false, hvsim_nvsp_revoke_recv },
	{ NVSP_SEND_SEND_BUF, sizeof(struct nvsp_buf), NVSP_VER_1, false,
	  false, hvsim_nvsp_send_buf },
	{ NVSP_REVOKE_SEND_BUF, sizeof(struct nvsp_revoke), NVSP_VER_1, false,
	  false, hvsim_nvsp_revoke_send },
	{ NVSP_SEND_RNDIS_PKT, sizeof(struct nvsp_rndis_pkt), NVSP_VER_1, true,
	  false, hvsim_nvsp_rndis_pkt },
	{ NVSP_SEND_NDIS_CONFIG, sizeof(struct nvsp_ndis_config), NVSP_VER_2,
	  false, false, hvsim_nvsp_ndis_config },
	{ NVSP_SWITCH_DATA_PATH, 8, NVSP_VER_4, false, false,
	  hvsim_nvsp_nop },
	{ NVSP_SUBCHANNEL, sizeof(struct nvsp_subchannel), NVSP_VER_5, false,
	  false, hvsim_nvsp_subchannel },
};

/* The guest completed a transfer-page packet: free its sub-allocation. */
static void hvsim_nic_rx_done(struct hvsim_nic *nic,
			      const struct hvsim_vmbus_pkt *pkt)
{
	u64 idx = pkt->trans_id;

	if (pkt->len < sizeof(struct nvsp_status) ||
	    get_unaligned_le32(pkt->data) != NVSP_SEND_RNDIS_PKT_COMPLETE ||
	    !nic->rx_used || idx >= nic->nsub ||
	    !test_bit(idx, nic->rx_used)) {
		pr_warn_ratelimited("%pUl: stray completion %llu\n",
				    &nic->cfg.instance_id, idx);
		return;
	}
	hvsim_nic_rx_free(nic, idx);
}

static int hvsim_netvsp_packet(struct hvsim_vmbus_chan *chan,
			       const struct hvsim_vmbus_pkt *pkt)
{
	struct hvsim_nic *nic = hvsim_chan_vsp_data(chan);
	const struct hvsim_nvsp_handler *h = NULL;
	u32 type, i;

	if (!nic)
		return -ENODEV;
	if (pkt->type == VM_PKT_COMP) {
		hvsim_nic_rx_done(nic, pkt);
		return 0;
	}
	if (pkt->type != VM_PKT_DATA_INBAND &&
	    pkt->type != VM_PKT_DATA_USING_GPA_DIRECT)
		return -EPROTO;
	if (pkt->len < 4)
		return -EPROTO;
	type = get_unaligned_le32(pkt->data);
	for (i = 0; i < ARRAY_SIZE(hvsim_nvsp_handlers); i++)
		if (hvsim_nvsp_handlers[i].type == type)
			h = &hvsim_nvsp_handlers[i];
	if (!h || (!h->before_init && !nic->nvsp_ver) ||
	    nic->nvsp_ver < h->min_ver) {
		pr_warn_ratelimited("%pUl: NVSP message %u not handled\n",
				    &nic->cfg.instance_id, type);
		return 0;
	}
	if (pkt->len < h->min_len || (!h->any_chan && hvsim_chan_index(chan)))
		return -EPROTO;
	if (pkt->type == VM_PKT_DATA_USING_GPA_DIRECT &&
	    type != NVSP_SEND_RNDIS_PKT)
		return -EPROTO;
	return h->fn(nic, chan, pkt);
}

/*
 * Every granted channel is open: the send indirection table goes to the
 * guest, entries i % channels.  The table sits at byte 40, after a whole
 * NVSP message, with offset 40: what Hyper-V sends, and what every Linux
 * version reads (some ignore the offset, citing a host bug).
 */
static void hvsim_nic_send_table(struct hvsim_nic *nic)
{
	u8 msg[NVSP_SEND_TABLE_OFFSET + 4 * NVSP_SEND_TABLE_SIZE] = {};
	u32 i;

	put_unaligned_le32(NVSP_SEND_INDIRECTION_TABLE, msg);
	put_unaligned_le32(NVSP_SEND_TABLE_SIZE, msg + 4);
	put_unaligned_le32(NVSP_SEND_TABLE_OFFSET, msg + 8);
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		put_unaligned_le32(i % (1 + nic->subch),
				   msg + NVSP_SEND_TABLE_OFFSET + 4 * i);
	if (hvsim_chan_send(nic->chans[0], VM_PKT_DATA_INBAND, 0, 0, msg,
			    sizeof(msg), NULL, 0))
		return;
	nic->table_sent = true;
	hvsim_chan_publish(nic->chans[0]);
}

static int hvsim_netvsp_open(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_nic *nic = hvsim_nic_get(hvsim_chan_instance(chan));
	u16 index = hvsim_chan_index(chan);

	if (!nic)
		return -ENOMEM;
	if (index >= ARRAY_SIZE(nic->chans))
		return -EINVAL;
	if (!index) {
		hvsim_nic_reset(nic);
		nic->max_subch = min_t(u16, hvsim_chan_subch_max(chan),
				       ARRAY_SIZE(nic->chans) - 1);
		nic->nopen = 0;
	}
	nic->chans[index] = chan;
	nic->nopen++;
	hvsim_chan_set_vsp_data(chan, nic);
	if (index && nic->subch && nic->nopen == 1 + nic->subch &&
	    !nic->table_sent)
		hvsim_nic_send_table(nic);
	return 0;
}

static void hvsim_netvsp_close(struct hvsim_vmbus_chan *chan)
{
	struct hvsim_nic *nic = hvsim_chan_vsp_data(chan);
	u16 index = hvsim_chan_index(chan);

	if (!nic)
		return;
	/*
	 * The guest closes the primary (hv_netvsc's detach, e.g. for an MTU
	 * change): as Hyper-V, the host takes the sub-channels back, so that
	 * the next attach's SUBCHANNEL request gets them offered anew.
	 */
	if (!index && hvsim_chan_rescind_subchannels(chan) > 0)
		nic->subch_rescinds++;
	nic->chans[index] = NULL;
	nic->nopen--;
	if (!index)
		hvsim_nic_reset(nic);
	hvsim_chan_set_vsp_data(chan, NULL);
}

const struct hvsim_vsp_ops hvsim_netvsp_vsp = {
	.name = "netvsp",
	.open = hvsim_netvsp_open,
	.close = hvsim_netvsp_close,
	.packet = hvsim_netvsp_packet,
};

/* ------------------------------------------------------------------------
 * Host controls.
 */

static int hvsim_netvsp_link_fn(struct hvsim_vmbus_chan *chan, void *arg)
{
	struct rndis_indicate ind = {};
	bool up = *(bool *)arg;
	struct hvsim_nic *nic;
	int ret;

	/* Another class's device would get a NIC of its own. */
	if (!guid_equal(&hvsim_chan_config(chan)->class_id,
			&hvsim_netvsp_class)) {
		pr_warn("%pUl is not a NIC\n", hvsim_chan_instance(chan));
		return -EINVAL;
	}
	nic = hvsim_nic_get(hvsim_chan_instance(chan));
	if (!nic)
		return -ENOMEM;
	nic->link_up = up;
	if (!nic->chans[0] || !nic->rndis_ready || !nic->rbuf ||
	    nic->guest_link == up)
		return 0;
	ind.status = cpu_to_le32(up ? RNDIS_STATUS_MEDIA_CONNECT :
				      RNDIS_STATUS_MEDIA_DISCONNECT);
	ret = hvsim_nic_ctl_send(nic, nic->chans[0], RNDIS_MSG_INDICATE, &ind,
				 sizeof(ind), NULL, 0);
	if (ret)
		return ret;
	nic->guest_link = up;
	nic->link_events++;
	hvsim_chan_publish(nic->chans[0]);
	return 0;
}

/**
 * hvsim_netvsp_set_link() - take a NIC's link up or down.
 * @host: the host.
 * @instance_id: the NIC.
 * @up: the new state.
 *
 * The guest is told at once with INDICATE_STATUS when the NIC is open and
 * initialized; a NIC that is down neither sends nor receives frames, and
 * answers OID_GEN_MEDIA_CONNECT_STATUS with "disconnected".
 *
 * Context: process context; takes the host's mutex.
 * Return: 0, -ENODEV for no such device, -EINVAL for a device that is
 * not a NIC.
 */
int hvsim_netvsp_set_link(struct hvsim_vmbus *host, const guid_t *instance_id,
			  bool up)
{
	return hvsim_vmbus_vsp_call(host, instance_id, hvsim_netvsp_link_fn,
				    &up);
}

/* "INSTANCE up|down" */
static ssize_t hvsim_netvsp_link_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	char buf[64], inst[40], state[8];
	guid_t id;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%39s %7s", inst, state) != 2 || guid_parse(inst, &id))
		return -EINVAL;
	if (!strcmp(state, "up"))
		ret = hvsim_netvsp_set_link(hvsim_vmbus_host(), &id, true);
	else if (!strcmp(state, "down"))
		ret = hvsim_netvsp_set_link(hvsim_vmbus_host(), &id, false);
	else
		ret = -EINVAL;
	return ret ? ret : count;
}

HVSIM_WRITE_FOPS(hvsim_netvsp_link_fops, hvsim_netvsp_link_write);

static int hvsim_netvsp_nic_show(struct hvsim_vmbus_chan *chan, void *arg)
{
	struct seq_file *m = arg;
	struct hvsim_nic *nic;
	u32 i;

	mutex_lock(&hvsim_nics_lock);
	nic = hvsim_nic_find(hvsim_chan_instance(chan));
	mutex_unlock(&hvsim_nics_lock);
	if (!nic)
		return 0;
	seq_printf(m, "instance=%pUl mac=%pM link=%s open=%d queues=%u rss=%d table_sent=%d nvsp=%#x ndis=%#x mtu=%u max_mtu=%u filter=%#x rx_subs=%u rx_sub_size=%u sections=%u tx=%llu tx_errors=%llu rx=%llu rx_sub=%llu rx_dropped=%llu ctl=%llu link_events=%llu offload=%#x rx_csum=%#x offload_sets=%llu lso=%llu lso_segs=%llu csum_filled=%llu rx_csum_ok=%llu tx_vlan=%llu rx_vlan=%llu mc=%u mc_sets=%llu resets=%llu keepalives=%llu subch_rescinds=%llu",
		   &nic->cfg.instance_id, nic->mac,
		   nic->link_up ? "up" : "down", !!nic->chans[0],
		   1 + nic->subch, nic->rss, nic->table_sent,
		   nic->nvsp_ver, nic->ndis_ver, nic->frame - ETH_HLEN,
		   nic->cfg.max_mtu, nic->filter, nic->nsub, nic->sub_size,
		   nic->nsect, nic->tx_frames, nic->tx_errors, nic->rx_frames,
		   nic->rx_sub_frames, nic->rx_dropped, nic->ctl_msgs, nic->link_events,
		   nic->tx_offload, nic->rx_csum, nic->offload_sets,
		   nic->lso_frames, nic->lso_segments, nic->csum_frames,
		   nic->rx_csum_ok, nic->tx_vlan, nic->rx_vlan, nic->nmc,
		   nic->mc_sets, nic->resets, nic->keepalives,
		   nic->subch_rescinds);
	/* Frames RSS put on each queue: "rx_rss=Q0,Q1,...". */
	for (i = 0; i <= nic->subch; i++)
		seq_printf(m, "%s%llu", i ? "," : " rx_rss=", nic->rx_rss[i]);
	seq_putc(m, '\n');
	return 0;
}

static int hvsim_netvsp_nics_show(struct seq_file *m, void *v)
{
	struct hvsim_nic *nic;
	guid_t *ids;
	u32 n = 0, i;

	/* The host's mutex comes first: collect the IDs, then ask it. */
	mutex_lock(&hvsim_nics_lock);
	list_for_each_entry(nic, &hvsim_nics, node)
		n++;
	ids = kcalloc(n, sizeof(*ids), GFP_KERNEL);
	if (ids) {
		i = 0;
		list_for_each_entry(nic, &hvsim_nics, node)
			ids[i++] = nic->cfg.instance_id;
	}
	mutex_unlock(&hvsim_nics_lock);
	if (!ids)
		return n ? -ENOMEM : 0;
	for (i = 0; i < n; i++)
		hvsim_vmbus_vsp_call(hvsim_vmbus_host(), &ids[i],
				     hvsim_netvsp_nic_show, m);
	kfree(ids);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_netvsp_nics);

/**
 * hvsim_netvsp_debugfs() - the NICs' debugfs files.
 * @parent: hvsim's directory.
 *
 * net/link (write "INSTANCE up|down") and net/nics (read: one line per
 * NIC with its settings, protocol state and counters).
 */
void hvsim_netvsp_debugfs(struct dentry *parent)
{
	struct dentry *dir = debugfs_create_dir("net", parent);

	debugfs_create_file("link", 0200, dir, NULL, &hvsim_netvsp_link_fops);
	debugfs_create_file("nics", 0444, dir, NULL, &hvsim_netvsp_nics_fops);
}

/* After the host is gone: every channel is closed, nothing maps. */
void hvsim_netvsp_exit(void)
{
	struct hvsim_nic *nic, *tmp;

	list_for_each_entry_safe(nic, tmp, &hvsim_nics, node) {
		list_del(&nic->node);
		kfree(nic);
	}
}
