// SPDX-License-Identifier: GPL-2.0
/*
 * hvb_echo: a VMBus driver for hvsim's echo device, for the VM tests.
 *
 * It uses every send and receive entry point of <linux/hyperv.h>, so that
 * traffic through the echo host exercises all of them:
 *
 *   channel 0     HV_CALL_DIRECT, read with hv_pkt_iter_*() (in place)
 *   odd index     HV_CALL_BATCHED, read with vmbus_recvpacket()
 *   even index    HV_CALL_ISR, read with vmbus_recvpacket_raw()
 *
 * and sends, by sequence number: in-band packets without completion
 * (vmbus_sendpacket), with a completion through the requestor
 * (vmbus_sendpacket, vmbus_sendpacket_getid), and GPA-direct packets
 * (vmbus_sendpacket_mpb_desc) whose data the host reads from a page.
 * Every echo is checked byte for byte and counted once; a completion is
 * matched through vmbus_request_addr().
 *
 * Control: /sys/kernel/debug/hvb_echo/<device>/cmd takes one command per
 * write, carried out before the write returns (its errno is the write's):
 *
 *   echo N MIN MAX   N packets of MIN..MAX payload bytes over the open
 *                    channels; waits for all echoes; -EIO on a bad,
 *                    lost or duplicated one
 *   send K SIZE      K in-band packets on channel 0, no waiting
 *   wait             wait for the echoes of everything sent
 *   hold 0|1         channel 0's callback leaves packets in the ring
 *   drain            read channel 0's ring now
 *   subch N          ask the host for N sub-channels; wait until open
 *   close I, open I  close or reopen sub-channel I on its own
 *   gpadl KB [keep]  establish a GPADL of KB KiB, and tear it down unless
 *                    kept (up to 8 are kept)
 *   release          tear down the kept GPADLs
 *   tlconnect        send an hv_sock connect request
 *   mmio             vmbus_allocate_mmio() fails as documented
 *
 * and `stats` shows the counters (see hvb_echo_stats_show()).
 *
 * A second driver, hvb_echo_sock, takes hvsock offers (it opens nothing):
 * it handles its channel's rescind itself, as hv_sock does, through
 * vmbus_set_chn_rescind_callback() and vmbus_hvsock_device_unregister().
 * Its counters are the read-only parameters sock_probes and sock_removes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/debugfs.h>
#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <hvguest/hvsim_echo.h>

static unsigned int send_kb = 64;
module_param(send_kb, uint, 0444);
MODULE_PARM_DESC(send_kb, "Outbound ring size in KiB (default 64)");

static unsigned int recv_kb = 16;
module_param(recv_kb, uint, 0444);
MODULE_PARM_DESC(recv_kb, "Inbound ring size in KiB (default 16)");

#define HVB_ECHO_MAGIC		0x45425648	/* "HVBE" */
#define HVB_ECHO_MAX_CHANS	(HVSIM_ECHO_MAX_SUBCHANNELS + 1)
#define HVB_ECHO_MAX_PAYLOAD	3072
#define HVB_ECHO_PKT_MAX	4096
#define HVB_ECHO_RQSTOR		128
#define HVB_ECHO_CPUS		8
#define HVB_ECHO_WAIT		(60 * HZ)
#define HVB_ECHO_KEPT		8

/* The head of every echo payload; the pattern follows. */
struct hvb_echo_hdr {
	__le32 magic;
	__le32 seq;
	__le32 len;		/* payload bytes, this header included */
	__le32 kind;
} __packed;

/* What a request ID stands for while its completion is awaited. */
struct hvb_echo_req {
	u32 seq;
	u32 len;
	struct page *page;	/* GPA-direct data, or NULL */
};

struct hvb_echo_dev;

struct hvb_echo_chan {
	struct hvb_echo_dev *dev;
	struct vmbus_channel *ch;
	unsigned int idx;
	bool open;
	spinlock_t rx_lock;	/* one reader at a time: callback, drain */
	u8 *rxbuf;
	atomic64_t tx;
	atomic64_t rx;
	atomic64_t stale;	/* callbacks on a CPU it no longer targets */
	atomic64_t on_cpu[HVB_ECHO_CPUS];
};

struct hvb_echo_dev {
	struct hv_device *hv;
	struct dentry *dir;
	struct mutex lock;	/* channel open and close */
	wait_queue_head_t wq;
	struct hvb_echo_chan chans[HVB_ECHO_MAX_CHANS];
	bool hold;
	struct vmbus_gpadl kept[HVB_ECHO_KEPT];

	/* The current run. */
	unsigned long *seen;
	u32 nseq;
	atomic64_t sent;
	atomic64_t received;
	atomic64_t bad;
	atomic64_t dup;
	atomic64_t unknown_comp;
	s32 ctl_status;
	bool ctl_answered;
};

static u8 hvb_echo_byte(u32 seq, u32 i)
{
	return (u8)(seq * 31 + i * 7 + (i >> 8));
}

static void hvb_echo_fill(u8 *p, u32 seq, u32 from, u32 len)
{
	u32 i;

	for (i = from; i < len; i++)
		p[i - from] = hvb_echo_byte(seq, i);
}

/* Check an echo's payload; @req is its request when it completes one. */
static void hvb_echo_check(struct hvb_echo_dev *dev, const u8 *data, u32 len,
			   const struct hvb_echo_req *req)
{
	const struct hvb_echo_hdr *h = (const void *)data;
	u32 seq, i;

	if (len < sizeof(*h) || le32_to_cpu(h->magic) != HVB_ECHO_MAGIC)
		goto bad;
	seq = le32_to_cpu(h->seq);
	/* Packets are padded to 8 bytes: the echo may carry the padding. */
	if (le32_to_cpu(h->len) > len || len - le32_to_cpu(h->len) >= 8 ||
	    seq >= READ_ONCE(dev->nseq) || !dev->seen)
		goto bad;
	len = le32_to_cpu(h->len);
	if (req && (req->seq != seq || req->len != len))
		goto bad;
	for (i = sizeof(*h); i < len; i++)
		if (data[i] != hvb_echo_byte(seq, i))
			goto bad;
	if (test_and_set_bit(seq, dev->seen))
		atomic64_inc(&dev->dup);
	atomic64_inc(&dev->received);
	return;
bad:
	atomic64_inc(&dev->bad);
	pr_err_ratelimited("bad echo of %u bytes\n", len);
}

static void hvb_echo_ctl_answer(struct hvb_echo_dev *dev, const u8 *data,
				u32 len)
{
	const struct hvsim_echo_ctl *c = (const void *)data;

	WRITE_ONCE(dev->ctl_status, (s32)le32_to_cpu(c->status));
	/* The status is visible before the flag that says it is there. */
	smp_store_release(&dev->ctl_answered, true);
}

static bool hvb_echo_is_ctl(const u8 *data, u32 len)
{
	const struct hvsim_echo_ctl *c = (const void *)data;

	return len >= sizeof(*c) &&
	       le32_to_cpu(c->magic) == HVSIM_ECHO_CTL_MAGIC;
}

/* One received packet: @data is its payload (after the descriptor). */
static void hvb_echo_packet(struct hvb_echo_chan *c, u16 type, u64 trans_id,
			    const u8 *data, u32 len)
{
	struct hvb_echo_dev *dev = c->dev;
	struct hvb_echo_req *req = NULL;
	u64 addr;

	atomic64_inc(&c->rx);
	if (hvb_echo_is_ctl(data, len)) {
		hvb_echo_ctl_answer(dev, data, len);
		goto out;
	}
	if (type == VM_PKT_COMP) {
		addr = vmbus_request_addr(c->ch, trans_id);
		if (addr == VMBUS_RQST_ERROR || addr == VMBUS_NO_RQSTOR) {
			atomic64_inc(&dev->unknown_comp);
			goto out;
		}
		req = (struct hvb_echo_req *)(unsigned long)addr;
	} else if (type != VM_PKT_DATA_INBAND || trans_id) {
		atomic64_inc(&dev->bad);
		goto out;
	}
	hvb_echo_check(dev, data, len, req);
	if (req) {
		if (req->page)
			__free_page(req->page);
		kfree(req);
	}
out:
	wake_up(&dev->wq);
}

/* Read what the ring holds, in the channel's way; under rx_lock. */
static void hvb_echo_read(struct hvb_echo_chan *c)
{
	const struct vmpacket_descriptor *d;
	u32 actual;
	u64 id;
	int ret;

	if (c->idx == 0) {
		foreach_vmbus_pkt(d, c->ch)
			hvb_echo_packet(c, d->type, d->trans_id, hv_pkt_data(d),
					hv_pkt_datalen(d));
		return;
	}
	for (;;) {
		if (c->idx & 1) {
			ret = vmbus_recvpacket(c->ch, c->rxbuf, HVB_ECHO_PKT_MAX,
					       &actual, &id);
			if (ret || !actual)
				break;
			/* The payload alone: type unknown, an ID means a reply. */
			hvb_echo_packet(c, id ? VM_PKT_COMP : VM_PKT_DATA_INBAND,
					id, c->rxbuf, actual);
			continue;
		}
		ret = vmbus_recvpacket_raw(c->ch, c->rxbuf, HVB_ECHO_PKT_MAX,
					   &actual, &id);
		if (ret || !actual)
			break;
		d = (const void *)c->rxbuf;
		if (actual < sizeof(*d) || hv_pkt_len(d) != actual ||
		    d->trans_id != id) {
			atomic64_inc(&c->dev->bad);
			continue;
		}
		hvb_echo_packet(c, d->type, id, hv_pkt_data(d),
				hv_pkt_datalen(d));
	}
	if (ret)
		pr_err_ratelimited("channel %u: receive failed (%d)\n", c->idx,
				   ret);
}

static void hvb_echo_callback(void *context)
{
	struct hvb_echo_chan *c = context;
	unsigned int cpu = smp_processor_id();
	unsigned long flags;

	if (cpu < HVB_ECHO_CPUS)
		atomic64_inc(&c->on_cpu[cpu]);
	if (cpu != READ_ONCE(c->ch->target_cpu))
		atomic64_inc(&c->stale);
	if (c->idx == 0 && READ_ONCE(c->dev->hold))
		return;
	spin_lock_irqsave(&c->rx_lock, flags);
	hvb_echo_read(c);
	spin_unlock_irqrestore(&c->rx_lock, flags);
}

static int hvb_echo_open(struct hvb_echo_chan *c)
{
	struct vmbus_channel *ch = c->ch;
	int ret;

	if (c->open)
		return 0;
	if (!c->rxbuf) {
		c->rxbuf = kmalloc(HVB_ECHO_PKT_MAX, GFP_KERNEL);
		if (!c->rxbuf)
			return -ENOMEM;
	}
	ch->max_pkt_size = HVB_ECHO_PKT_MAX;
	ch->rqstor_size = HVB_ECHO_RQSTOR;
	ch->next_request_id_callback = vmbus_next_request_id;
	ch->request_addr_callback = vmbus_request_addr;
	if (c->idx == 0)
		set_channel_read_mode(ch, HV_CALL_DIRECT);
	else
		set_channel_read_mode(ch, c->idx & 1 ? HV_CALL_BATCHED :
						       HV_CALL_ISR);

	/* Channel 0 goes the long way round, the others through vmbus_open(). */
	if (c->idx == 0) {
		ret = vmbus_alloc_ring(ch, send_kb * SZ_1K, recv_kb * SZ_1K);
		if (ret)
			return ret;
		ret = vmbus_connect_ring(ch, hvb_echo_callback, c);
		if (ret)
			vmbus_free_ring(ch);
	} else {
		ret = vmbus_open(ch, send_kb * SZ_1K, recv_kb * SZ_1K, NULL, 0,
				 hvb_echo_callback, c);
	}
	if (!ret)
		c->open = true;
	return ret;
}

static void hvb_echo_close(struct hvb_echo_chan *c)
{
	if (!c->open)
		return;
	c->open = false;
	if (c->idx == 0) {
		if (!vmbus_disconnect_ring(c->ch))
			vmbus_free_ring(c->ch);
	} else {
		vmbus_close(c->ch);
	}
}

/* A new sub-channel: open it at once. */
static void hvb_echo_sc_create(struct vmbus_channel *sc)
{
	struct hv_device *hv = sc->primary_channel->device_obj;
	struct hvb_echo_dev *dev = hv_get_drvdata(hv);
	u16 idx = sc->offermsg.offer.sub_channel_index;
	struct hvb_echo_chan *c;
	int ret;

	if (!dev || !idx || idx >= HVB_ECHO_MAX_CHANS) {
		pr_err("sub-channel index %u refused\n", idx);
		return;
	}
	mutex_lock(&dev->lock);
	c = &dev->chans[idx];
	c->ch = sc;
	ret = hvb_echo_open(c);
	mutex_unlock(&dev->lock);
	if (ret)
		pr_err("sub-channel %u: open failed (%d)\n", idx, ret);
	wake_up(&dev->wq);
}

/* Send packet @seq of @len payload bytes on @c; kind by sequence number. */
static int hvb_echo_send_one(struct hvb_echo_chan *c, u32 seq, u32 len,
			     unsigned int kind)
{
	struct {
		struct vmbus_packet_mpb_array d;
		u64 pfn;
	} __packed mpb;
	struct hvb_echo_hdr *h;
	struct hvb_echo_req *req = NULL;
	u64 trans_id = 0;
	u8 *buf;
	int ret;

	if (kind == 3 && len <= sizeof(*h))
		kind = 1;
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	h = (void *)buf;
	h->magic = cpu_to_le32(HVB_ECHO_MAGIC);
	h->seq = cpu_to_le32(seq);
	h->len = cpu_to_le32(len);
	h->kind = cpu_to_le32(kind);
	hvb_echo_fill(buf + sizeof(*h), seq, sizeof(*h), len);

	if (kind) {
		req = kzalloc(sizeof(*req), GFP_KERNEL);
		if (!req) {
			ret = -ENOMEM;
			goto out;
		}
		req->seq = seq;
		req->len = len;
	}

	switch (kind) {
	case 0:
		ret = vmbus_sendpacket(c->ch, buf, len, 0, VM_PKT_DATA_INBAND, 0);
		break;
	case 1:
		ret = vmbus_sendpacket(c->ch, buf, len, (unsigned long)req,
				       VM_PKT_DATA_INBAND,
				       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
		break;
	case 2:
		ret = vmbus_sendpacket_getid(c->ch, buf, len, (unsigned long)req,
					     &trans_id, VM_PKT_DATA_INBAND,
					     VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
		if (!ret && (!trans_id || trans_id > HVB_ECHO_RQSTOR))
			atomic64_inc(&c->dev->bad);
		break;
	default:
		/* The header in band, the pattern in a page the host reads. */
		req->page = alloc_page(GFP_KERNEL);
		if (!req->page) {
			ret = -ENOMEM;
			break;
		}
		memcpy(page_address(req->page), buf + sizeof(*h),
		       len - sizeof(*h));
		memset(&mpb, 0, sizeof(mpb));
		mpb.d.rangecount = 1;
		mpb.d.range.len = len - sizeof(*h);
		mpb.d.range.offset = 0;
		mpb.d.range.pfn_array[0] = page_to_pfn(req->page);
		ret = vmbus_sendpacket_mpb_desc(c->ch, &mpb.d, sizeof(mpb), buf,
						sizeof(*h), (unsigned long)req);
		break;
	}
	if (!ret) {
		atomic64_inc(&c->tx);
		req = NULL;
	}
out:
	if (req) {
		if (req->page)
			__free_page(req->page);
		kfree(req);
	}
	kfree(buf);
	return ret;
}

/* Send with retries while the ring or the requestor is full. */
static int hvb_echo_send_retry(struct hvb_echo_dev *dev,
			       struct hvb_echo_chan *c, u32 seq, u32 len,
			       unsigned int kind)
{
	unsigned long end = jiffies + HVB_ECHO_WAIT;
	int ret;

	for (;;) {
		ret = hvb_echo_send_one(c, seq, len, kind);
		if (ret != -EAGAIN)
			break;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(200, 1000);
	}
	if (!ret)
		atomic64_inc(&dev->sent);
	return ret;
}

static int hvb_echo_reset(struct hvb_echo_dev *dev, u32 n)
{
	unsigned long *seen = bitmap_zalloc(max(n, 1U), GFP_KERNEL);

	if (!seen)
		return -ENOMEM;
	bitmap_free(dev->seen);
	WRITE_ONCE(dev->nseq, 0);
	dev->seen = seen;
	atomic64_set(&dev->sent, 0);
	atomic64_set(&dev->received, 0);
	atomic64_set(&dev->bad, 0);
	atomic64_set(&dev->dup, 0);
	atomic64_set(&dev->unknown_comp, 0);
	WRITE_ONCE(dev->nseq, n);
	return 0;
}

static bool hvb_echo_gone(struct hvb_echo_dev *dev)
{
	return READ_ONCE(dev->chans[0].ch->rescind);
}

static int hvb_echo_wait(struct hvb_echo_dev *dev)
{
	if (!wait_event_timeout(dev->wq, atomic64_read(&dev->received) +
				atomic64_read(&dev->bad) >=
				atomic64_read(&dev->sent) || hvb_echo_gone(dev),
				HVB_ECHO_WAIT))
		return -ETIMEDOUT;
	if (atomic64_read(&dev->received) + atomic64_read(&dev->bad) <
	    atomic64_read(&dev->sent))
		return -ENODEV;
	if (atomic64_read(&dev->bad) || atomic64_read(&dev->dup) ||
	    atomic64_read(&dev->unknown_comp))
		return -EIO;
	return 0;
}

static int hvb_echo_run(struct hvb_echo_dev *dev, u32 n, u32 min, u32 max)
{
	struct hvb_echo_chan *open[HVB_ECHO_MAX_CHANS];
	unsigned int nopen = 0, i;
	u32 seq, len;
	int ret;

	if (min < sizeof(struct hvb_echo_hdr) || max < min ||
	    max > HVB_ECHO_MAX_PAYLOAD || !n)
		return -EINVAL;
	for (i = 0; i < HVB_ECHO_MAX_CHANS; i++)
		if (dev->chans[i].open)
			open[nopen++] = &dev->chans[i];
	if (!nopen)
		return -ENOTCONN;
	ret = hvb_echo_reset(dev, n);
	if (ret)
		return ret;

	for (seq = 0; seq < n; seq++) {
		len = min + (seq * 2654435761U >> 7) % (max - min + 1);
		ret = hvb_echo_send_retry(dev, open[seq % nopen], seq, len,
					  (seq / nopen) % 4);
		if (ret)
			return ret;
	}
	return hvb_echo_wait(dev);
}

static int hvb_echo_ctl(struct hvb_echo_dev *dev, u32 op, u32 arg)
{
	struct hvsim_echo_ctl ctl = {
		.magic = cpu_to_le32(HVSIM_ECHO_CTL_MAGIC),
		.op = cpu_to_le32(op),
		.arg = cpu_to_le32(arg),
	};
	int ret;

	WRITE_ONCE(dev->ctl_answered, false);
	ret = vmbus_sendpacket(dev->chans[0].ch, &ctl, sizeof(ctl), 0,
			       VM_PKT_DATA_INBAND, 0);
	if (ret)
		return ret;
	/* Pairs with the release in hvb_echo_ctl_answer(): status is set. */
	if (!wait_event_timeout(dev->wq, smp_load_acquire(&dev->ctl_answered) ||
				hvb_echo_gone(dev), 10 * HZ))
		return -ETIMEDOUT;
	/* As above. */
	if (!smp_load_acquire(&dev->ctl_answered))
		return -ENODEV;
	return READ_ONCE(dev->ctl_status);
}

static unsigned int hvb_echo_nopen(struct hvb_echo_dev *dev)
{
	unsigned int i, n = 0;

	for (i = 0; i < HVB_ECHO_MAX_CHANS; i++)
		n += READ_ONCE(dev->chans[i].open);
	return n;
}

static int hvb_echo_subch(struct hvb_echo_dev *dev, u32 n)
{
	int ret;

	if (n >= HVB_ECHO_MAX_CHANS)
		return -EINVAL;
	ret = hvb_echo_ctl(dev, HVSIM_ECHO_OP_SUBCHANNELS, n);
	if (ret < 0)
		return ret;
	if (ret < n)
		return -ENOSPC;
	if (!wait_event_timeout(dev->wq, hvb_echo_nopen(dev) >= n + 1,
				10 * HZ))
		return -ETIMEDOUT;
	return 0;
}

/* Tear down a GPADL; a GPADL that was not may still be the host's. */
static int hvb_echo_gpadl_put(struct hvb_echo_dev *dev,
			      struct vmbus_gpadl *gpadl)
{
	int ret = vmbus_teardown_gpadl(dev->chans[0].ch, gpadl);

	if (!gpadl->gpadl_handle)
		vfree(gpadl->buffer);
	gpadl->buffer = NULL;
	return ret;
}

static int hvb_echo_gpadl(struct hvb_echo_dev *dev, u32 kb, bool keep)
{
	struct vmbus_gpadl gpadl, *slot = NULL;
	unsigned int i;
	void *buf;
	int ret;

	if (!kb || kb % (PAGE_SIZE / SZ_1K))
		return -EINVAL;
	for (i = 0; keep && !slot && i < HVB_ECHO_KEPT; i++)
		if (!dev->kept[i].buffer)
			slot = &dev->kept[i];
	if (keep && !slot)
		return -ENOSPC;
	buf = vzalloc(kb * SZ_1K);
	if (!buf)
		return -ENOMEM;
	ret = vmbus_establish_gpadl(dev->chans[0].ch, buf, kb * SZ_1K, &gpadl);
	if (ret) {
		vfree(buf);
		return ret;
	}
	if (keep) {
		*slot = gpadl;
		return 0;
	}
	return hvb_echo_gpadl_put(dev, &gpadl);
}

static int hvb_echo_release(struct hvb_echo_dev *dev)
{
	unsigned int i;
	int ret = 0, r;

	for (i = 0; i < HVB_ECHO_KEPT; i++) {
		if (!dev->kept[i].buffer)
			continue;
		r = hvb_echo_gpadl_put(dev, &dev->kept[i]);
		if (r)
			ret = r;
	}
	return ret;
}

static int hvb_echo_drain(struct hvb_echo_dev *dev)
{
	struct hvb_echo_chan *c = &dev->chans[0];
	unsigned long flags;

	spin_lock_irqsave(&c->rx_lock, flags);
	hvb_echo_read(c);
	spin_unlock_irqrestore(&c->rx_lock, flags);
	return 0;
}

static int hvb_echo_send_k(struct hvb_echo_dev *dev, u32 k, u32 size)
{
	u32 base, i;
	int ret;

	if (size < sizeof(struct hvb_echo_hdr) || size > HVB_ECHO_MAX_PAYLOAD)
		return -EINVAL;
	/* Sequence numbers go on from the current run's. */
	base = atomic64_read(&dev->sent);
	if (base + k > dev->nseq)
		return -ENOSPC;
	for (i = 0; i < k; i++) {
		ret = hvb_echo_send_one(&dev->chans[0], base + i, size, 0);
		if (ret)
			return ret;
		atomic64_inc(&dev->sent);
	}
	return 0;
}

static int hvb_echo_tlconnect(void)
{
	guid_t guest, host;

	generate_random_guid(guest.b);
	generate_random_guid(host.b);
	return vmbus_send_tl_connect_request(&guest, &host);
}

static int hvb_echo_mmio(struct hvb_echo_dev *dev)
{
	struct resource *res = (void *)1;
	int ret;

	ret = vmbus_allocate_mmio(&res, dev->hv, 0, -1, SZ_1M, SZ_1M, false);
	if (ret != -ENXIO || res)
		return -EIO;
	vmbus_free_mmio(0, SZ_1M);
	return 0;
}

static int hvb_echo_debuginfo(struct hvb_echo_dev *dev)
{
	struct hv_ring_buffer_debug_info in, out;
	struct vmbus_channel *ch = dev->chans[0].ch;
	int ret;

	ret = hv_ringbuffer_get_debuginfo(&ch->inbound, &in);
	if (!ret)
		ret = hv_ringbuffer_get_debuginfo(&ch->outbound, &out);
	if (ret)
		return ret;
	if (in.current_interrupt_mask > 1 ||
	    out.bytes_avail_towrite + out.bytes_avail_toread !=
	    ch->outbound.ring_datasize || hv_ringbuffer_spinlock_busy(ch))
		return -EIO;
	return 0;
}

static int hvb_echo_cmd(struct hvb_echo_dev *dev, char *line)
{
	u32 a = 0, b = 0, c = 0;
	char op[16];
	int n;

	n = sscanf(line, "%15s %u %u %u", op, &a, &b, &c);
	if (n == 2 && strstr(line, " keep"))
		n = 3;
	if (n < 1)
		return -EINVAL;
	if (!strcmp(op, "echo") && n == 4)
		return hvb_echo_run(dev, a, b, c);
	if (!strcmp(op, "send") && n == 3) {
		if (!atomic64_read(&dev->sent) && dev->nseq < 100000) {
			n = hvb_echo_reset(dev, 100000);
			if (n)
				return n;
		}
		return hvb_echo_send_k(dev, a, b);
	}
	if (!strcmp(op, "wait") && n == 1)
		return hvb_echo_wait(dev);
	if (!strcmp(op, "reset") && n == 1)
		return hvb_echo_reset(dev, 100000);
	if (!strcmp(op, "hold") && n == 2) {
		WRITE_ONCE(dev->hold, !!a);
		return 0;
	}
	if (!strcmp(op, "drain") && n == 1)
		return hvb_echo_drain(dev);
	if (!strcmp(op, "subch") && n == 2)
		return hvb_echo_subch(dev, a);
	if ((!strcmp(op, "close") || !strcmp(op, "open")) && n == 2) {
		if (!a || a >= HVB_ECHO_MAX_CHANS || !dev->chans[a].ch)
			return -EINVAL;
		mutex_lock(&dev->lock);
		if (op[0] == 'o')
			n = hvb_echo_open(&dev->chans[a]);
		else
			hvb_echo_close(&dev->chans[a]);
		mutex_unlock(&dev->lock);
		return op[0] == 'o' ? n : 0;
	}
	if (!strcmp(op, "gpadl") && (n == 2 || n == 3))
		return hvb_echo_gpadl(dev, a, strstr(line, " keep"));
	if (!strcmp(op, "release") && n == 1)
		return hvb_echo_release(dev);
	if (!strcmp(op, "tlconnect") && n == 1)
		return hvb_echo_tlconnect();
	if (!strcmp(op, "mmio") && n == 1)
		return hvb_echo_mmio(dev);
	if (!strcmp(op, "debuginfo") && n == 1)
		return hvb_echo_debuginfo(dev);
	return -EINVAL;
}

static ssize_t hvb_echo_cmd_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct hvb_echo_dev *dev = file_inode(file)->i_private;
	char line[64];
	int ret;

	if (!count || count >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';

	/* The tests send one command at a time. */
	ret = hvb_echo_cmd(dev, line);
	return ret ? ret : count;
}

static const struct file_operations hvb_echo_cmd_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = hvb_echo_cmd_write,
	.llseek = noop_llseek,
};

/*
 * First line: the run's counters.  Then per channel:
 * "chan=I relid=R cpu=C open=O tx=N rx=N stale=N in_pending=P cpus=N0,..."
 * where in_pending is the host's pending_send_sz in the inbound ring.
 */
static int hvb_echo_stats_show(struct seq_file *m, void *v)
{
	struct hvb_echo_dev *dev = m->private;
	unsigned int i, cpu;

	seq_printf(m, "sent=%lld received=%lld bad=%lld dup=%lld unknown_comp=%lld chans=%u\n",
		   atomic64_read(&dev->sent), atomic64_read(&dev->received),
		   atomic64_read(&dev->bad), atomic64_read(&dev->dup),
		   atomic64_read(&dev->unknown_comp), hvb_echo_nopen(dev));
	for (i = 0; i < HVB_ECHO_MAX_CHANS; i++) {
		struct hvb_echo_chan *c = &dev->chans[i];

		if (!c->ch)
			continue;
		seq_printf(m, "chan=%u relid=%u cpu=%u open=%d tx=%lld rx=%lld stale=%lld in_pending=%u cpus=",
			   i, c->ch->offermsg.child_relid,
			   READ_ONCE(c->ch->target_cpu), READ_ONCE(c->open),
			   atomic64_read(&c->tx), atomic64_read(&c->rx),
			   atomic64_read(&c->stale),
			   c->open ? READ_ONCE(c->ch->inbound.ring_buffer->pending_send_sz) : 0);
		for (cpu = 0; cpu < HVB_ECHO_CPUS; cpu++)
			seq_printf(m, "%s%lld", cpu ? "," : "",
				   atomic64_read(&c->on_cpu[cpu]));
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvb_echo_stats);

static struct dentry *hvb_echo_root;

static int sock_probes;
module_param(sock_probes, int, 0444);
MODULE_PARM_DESC(sock_probes, "hvsock devices hvb_echo_sock probed");

static int sock_removes;
module_param(sock_removes, int, 0444);
MODULE_PARM_DESC(sock_removes, "hvsock devices removed after their rescind");

static struct workqueue_struct *hvb_echo_wq;

struct hvb_echo_sock {
	struct work_struct work;
	struct vmbus_channel *ch;
};

static void hvb_echo_sock_unregister(struct work_struct *work)
{
	struct hvb_echo_sock *s = container_of(work, struct hvb_echo_sock,
					       work);

	vmbus_hvsock_device_unregister(s->ch);
	kfree(s);
}

/* The host took the channel back: remove the device from another context. */
static void hvb_echo_sock_rescind(struct vmbus_channel *ch)
{
	struct hvb_echo_sock *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return;
	s->ch = ch;
	INIT_WORK(&s->work, hvb_echo_sock_unregister);
	queue_work(hvb_echo_wq, &s->work);
}

static int hvb_echo_sock_probe(struct hv_device *hv,
			       const struct hv_vmbus_device_id *id)
{
	vmbus_set_chn_rescind_callback(hv->channel, hvb_echo_sock_rescind);
	sock_probes++;
	return 0;
}

static void hvb_echo_sock_remove(struct hv_device *hv)
{
	sock_removes++;
}

static struct hv_driver hvb_echo_sock_driver = {
	.name = "hvb_echo_sock",
	.hvsock = true,
	.probe = hvb_echo_sock_probe,
	.remove = hvb_echo_sock_remove,
};

static int hvb_echo_probe(struct hv_device *hv,
			  const struct hv_vmbus_device_id *id)
{
	struct hvb_echo_dev *dev;
	unsigned int i;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->hv = hv;
	mutex_init(&dev->lock);
	init_waitqueue_head(&dev->wq);
	for (i = 0; i < HVB_ECHO_MAX_CHANS; i++) {
		dev->chans[i].dev = dev;
		dev->chans[i].idx = i;
		spin_lock_init(&dev->chans[i].rx_lock);
	}
	dev->chans[0].ch = hv->channel;
	ret = hvb_echo_reset(dev, 100000);
	if (ret)
		goto err_free;
	hv_set_drvdata(hv, dev);
	vmbus_set_sc_create_callback(hv->channel, hvb_echo_sc_create);

	mutex_lock(&dev->lock);
	ret = hvb_echo_open(&dev->chans[0]);
	mutex_unlock(&dev->lock);
	if (ret)
		goto err_drvdata;

	dev->dir = debugfs_create_dir(dev_name(&hv->device), hvb_echo_root);
	debugfs_create_file("cmd", 0200, dev->dir, dev, &hvb_echo_cmd_fops);
	debugfs_create_file("stats", 0444, dev->dir, dev, &hvb_echo_stats_fops);
	return 0;

err_drvdata:
	hv_set_drvdata(hv, NULL);
	bitmap_free(dev->seen);
err_free:
	kfree(dev->chans[0].rxbuf);
	kfree(dev);
	return ret;
}

static void hvb_echo_remove(struct hv_device *hv)
{
	struct hvb_echo_dev *dev = hv_get_drvdata(hv);
	unsigned int i;

	debugfs_remove_recursive(dev->dir);
	hvb_echo_release(dev);
	mutex_lock(&dev->lock);
	/* Closing the primary closes the sub-channels' host side too. */
	for (i = HVB_ECHO_MAX_CHANS - 1; i > 0; i--)
		hvb_echo_close(&dev->chans[i]);
	hvb_echo_close(&dev->chans[0]);
	mutex_unlock(&dev->lock);
	hv_set_drvdata(hv, NULL);
	for (i = 0; i < HVB_ECHO_MAX_CHANS; i++)
		kfree(dev->chans[i].rxbuf);
	bitmap_free(dev->seen);
	kfree(dev);
}

static const struct hv_vmbus_device_id hvb_echo_ids[] = {
	{ .guid = HVSIM_ECHO_CLASS_GUID },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, hvb_echo_ids);

static struct hv_driver hvb_echo_driver = {
	.name = KBUILD_MODNAME,
	.id_table = hvb_echo_ids,
	.probe = hvb_echo_probe,
	.remove = hvb_echo_remove,
};

static int __init hvb_echo_init(void)
{
	int ret;

	hvb_echo_wq = alloc_workqueue(KBUILD_MODNAME, 0, 0);
	if (!hvb_echo_wq)
		return -ENOMEM;
	hvb_echo_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = vmbus_driver_register(&hvb_echo_driver);
	if (ret)
		goto err_debugfs;
	ret = vmbus_driver_register(&hvb_echo_sock_driver);
	if (ret)
		goto err_echo;
	return 0;

err_echo:
	vmbus_driver_unregister(&hvb_echo_driver);
err_debugfs:
	debugfs_remove_recursive(hvb_echo_root);
	destroy_workqueue(hvb_echo_wq);
	return ret;
}

static void __exit hvb_echo_exit(void)
{
	destroy_workqueue(hvb_echo_wq);
	vmbus_driver_unregister(&hvb_echo_sock_driver);
	vmbus_driver_unregister(&hvb_echo_driver);
	debugfs_remove_recursive(hvb_echo_root);
}

module_init(hvb_echo_init);
module_exit(hvb_echo_exit);
MODULE_DESCRIPTION("hvguest test VSC for hvsim's echo device");
MODULE_LICENSE("GPL");
