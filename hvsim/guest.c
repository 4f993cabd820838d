// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: a stand-in guest for the VM tests of the simulated SynIC.
 *
 * Until a bus driver does it, something has to play the guest side of the
 * SynIC for the VM tier: /sys/kernel/debug/hvsim/guest does.  "on" sets up
 * the pages, registers an interrupt handler and enables each CPU's SynIC
 * from a CPU-hotplug state (disabled when the CPU goes down, enabled when
 * it comes up, as a bus driver does); "off" undoes it.  The handler takes
 * every message it finds, frees the slot and signals EOM when msg_pending
 * is set, and clears the event flags, counting both per CPU.  "hold" makes
 * it leave messages in their slots, so that further ones queue up in the
 * host; "consume" takes them again from the next interrupt on.
 *
 * /sys/kernel/debug/hvsim/post is its HvPostMessage: write "CONN_ID HEX",
 * HEX being the VMBus message's bytes (whitespace between bytes allowed),
 * and it posts them as a VMBus message (type 1) on that connection; the
 * write fails with the post's error.
 *
 * It uses only hvcore's guest API, and fails with -EBUSY when a real bus
 * driver already owns the interrupt handler.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "internal.h"
#include "vmbus_host.h"

/* Written only by its CPU (handler, hotplug callbacks); read anywhere. */
struct hvsim_guest_cpu {
	bool enabled;
	u64 irqs;
	u64 msgs;
	u64 events;
	u64 eoms;
	u64 bad;	/* messages with an impossible payload size */
	u32 last_type;
	u32 last_len;
};

static struct hvsim_guest_cpu *hvsim_guest_cpus;	/* [nr_cpu_ids] */
static DEFINE_MUTEX(hvsim_guest_lock);
static bool hvsim_guest_on;
static bool hvsim_guest_hold;
static int hvsim_guest_cpuhp_state;

static void hvsim_guest_inc(u64 *counter)
{
	WRITE_ONCE(*counter, *counter + 1);
}

/* Take the message in @slot, if any.  Return: true if an EOM is due. */
static bool hvsim_guest_take_msg(struct hvsim_guest_cpu *gc,
				 struct hv_message *slot)
{
	union hv_message_flags flags;
	u32 type, len;

	type = READ_ONCE(slot->header.message_type);
	if (type == HVMSG_NONE || READ_ONCE(hvsim_guest_hold))
		return false;
	/* Pairs with the host's release of the type: the body is there. */
	smp_rmb();
	len = READ_ONCE(slot->header.payload_size);
	if (len > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		hvsim_guest_inc(&gc->bad);
	hvsim_guest_inc(&gc->msgs);
	WRITE_ONCE(gc->last_type, type);
	WRITE_ONCE(gc->last_len, len);

	/* Free the slot; cmpxchg() is the full barrier before the flags. */
	if (cmpxchg(&slot->header.message_type, type, HVMSG_NONE) != type)
		return false;
	flags.asu8 = READ_ONCE(slot->header.message_flags.asu8);
	return flags.msg_pending;
}

static void hvsim_guest_take_events(struct hvsim_guest_cpu *gc,
				    union hv_synic_event_flags *ev)
{
	unsigned long w;
	unsigned int i;

	for (i = 0; i < HV_EVENT_FLAGS_LONG_COUNT; i++) {
		if (!READ_ONCE(ev->flags[i]))
			continue;
		w = xchg(&ev->flags[i], 0);
		WRITE_ONCE(gc->events, gc->events + hweight_long(w));
	}
}

/* hvcore interrupt handler: hard-IRQ context on the interrupted CPU. */
static void hvsim_guest_isr(void)
{
	struct hvsim_guest_cpu *gc = &hvsim_guest_cpus[smp_processor_id()];
	struct hvcore_synic *s = hvcore_synic(smp_processor_id());
	bool eom = false;
	u32 sint;

	hvsim_guest_inc(&gc->irqs);
	/* Late interrupts after a disable find nothing of ours to read. */
	if (!s || !READ_ONCE(gc->enabled))
		return;

	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++) {
		eom |= hvsim_guest_take_msg(gc, &s->msg_page->sint_message[sint]);
		hvsim_guest_take_events(gc, &s->event_page->sint_flags[sint]);
	}
	if (eom) {
		hvsim_guest_inc(&gc->eoms);
		hvcore_eom();
	}
}

static int hvsim_guest_cpu_online(unsigned int cpu)
{
	int ret;

	/* Ready before enabling: waiting messages interrupt at once. */
	WRITE_ONCE(hvsim_guest_cpus[cpu].enabled, true);
	ret = hvcore_synic_enable(cpu);
	if (ret) {
		WRITE_ONCE(hvsim_guest_cpus[cpu].enabled, false);
		pr_err("test guest: cpu%u: SynIC enable failed (%d)\n", cpu,
		       ret);
	}
	return ret;
}

static int hvsim_guest_cpu_offline(unsigned int cpu)
{
	WRITE_ONCE(hvsim_guest_cpus[cpu].enabled, false);
	hvcore_synic_disable(cpu);
	return 0;
}

static int hvsim_guest_start(void)
{
	int ret;

	lockdep_assert_held(&hvsim_guest_lock);
	if (hvsim_guest_on)
		return 0;

	ret = hvcore_synic_init();
	if (ret)
		return ret;
	ret = hvcore_set_handler(hvsim_guest_isr);
	if (ret)
		goto err_exit;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvsim/guest:online",
				hvsim_guest_cpu_online,
				hvsim_guest_cpu_offline);
	if (ret < 0)
		goto err_clear;
	hvsim_guest_cpuhp_state = ret;
	hvsim_guest_on = true;
	return 0;

err_clear:
	hvcore_clear_handler();
err_exit:
	hvcore_synic_exit();
	return ret;
}

static void hvsim_guest_stop(void)
{
	lockdep_assert_held(&hvsim_guest_lock);
	if (!hvsim_guest_on)
		return;

	/* Disables the SynIC of every online CPU; offline ones already are. */
	cpuhp_remove_state(hvsim_guest_cpuhp_state);
	hvcore_clear_handler();
	hvcore_synic_exit();
	hvsim_guest_on = false;
}

static int hvsim_guest_show(struct seq_file *m, void *v)
{
	unsigned int cpu;

	seq_printf(m, "on %d\n", READ_ONCE(hvsim_guest_on));
	seq_printf(m, "hold %d\n", READ_ONCE(hvsim_guest_hold));
	for_each_possible_cpu(cpu) {
		struct hvsim_guest_cpu *gc = &hvsim_guest_cpus[cpu];

		seq_printf(m, "cpu%u.enabled %d\n", cpu, READ_ONCE(gc->enabled));
		seq_printf(m, "cpu%u.irqs %llu\n", cpu, READ_ONCE(gc->irqs));
		seq_printf(m, "cpu%u.msgs %llu\n", cpu, READ_ONCE(gc->msgs));
		seq_printf(m, "cpu%u.events %llu\n", cpu, READ_ONCE(gc->events));
		seq_printf(m, "cpu%u.eoms %llu\n", cpu, READ_ONCE(gc->eoms));
		seq_printf(m, "cpu%u.bad %llu\n", cpu, READ_ONCE(gc->bad));
		seq_printf(m, "cpu%u.last_type %#x\n", cpu,
			   READ_ONCE(gc->last_type));
		seq_printf(m, "cpu%u.last_len %u\n", cpu,
			   READ_ONCE(gc->last_len));
	}
	return 0;
}

static int hvsim_guest_open(struct inode *inode, struct file *file)
{
	return single_open(file, hvsim_guest_show, NULL);
}

/* "on", "off", "hold" or "consume". */
static ssize_t hvsim_guest_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[16];
	int ret = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	strim(buf);

	mutex_lock(&hvsim_guest_lock);
	if (!strcmp(buf, "on"))
		ret = hvsim_guest_start();
	else if (!strcmp(buf, "off"))
		hvsim_guest_stop();
	else if (!strcmp(buf, "hold"))
		WRITE_ONCE(hvsim_guest_hold, true);
	else if (!strcmp(buf, "consume"))
		WRITE_ONCE(hvsim_guest_hold, false);
	else
		ret = -EINVAL;
	mutex_unlock(&hvsim_guest_lock);
	return ret ? ret : count;
}

/* "CONN_ID HEX": post the bytes as a VMBus message. */
static ssize_t hvsim_guest_post_write(struct file *file,
				      const char __user *ubuf, size_t count,
				      loff_t *ppos)
{
	u8 msg[HV_MESSAGE_PAYLOAD_BYTE_COUNT + 1];
	char *buf, *p, *tok;
	u32 conn_id, len = 0;
	int hi, lo, ret;

	if (count > PAGE_SIZE)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	p = buf;
	ret = -EINVAL;
	tok = strsep(&p, " \t\n");
	if (!tok || kstrtou32(tok, 0, &conn_id) || !p)
		goto out;
	/* One byte more than a message holds lets the host see it long. */
	while (*p) {
		if (isspace(*p)) {
			p++;
			continue;
		}
		hi = hex_to_bin(p[0]);
		lo = hex_to_bin(p[1]);
		if (hi < 0 || lo < 0 || len == sizeof(msg))
			goto out;
		msg[len++] = hi << 4 | lo;
		p += 2;
	}
	ret = hvcore_post_message(conn_id, HVSIM_VMBUS_MSG_TYPE, msg, len);
out:
	kfree(buf);
	return ret ? ret : count;
}

HVSIM_WRITE_FOPS(hvsim_guest_post_fops, hvsim_guest_post_write);

static const struct file_operations hvsim_guest_fops = {
	.owner = THIS_MODULE,
	.open = hvsim_guest_open,
	.read = seq_read,
	.write = hvsim_guest_write,
	.llseek = seq_lseek,
	.release = single_release,
};

int hvsim_guest_init(struct dentry *dir)
{
	hvsim_guest_cpus = kcalloc(nr_cpu_ids, sizeof(*hvsim_guest_cpus),
				   GFP_KERNEL);
	if (!hvsim_guest_cpus)
		return -ENOMEM;
	debugfs_create_file("guest", 0600, dir, NULL, &hvsim_guest_fops);
	debugfs_create_file("post", 0200, dir, NULL, &hvsim_guest_post_fops);
	return 0;
}

/* After the debugfs files are gone: nothing can start it again. */
void hvsim_guest_exit(void)
{
	mutex_lock(&hvsim_guest_lock);
	hvsim_guest_stop();
	mutex_unlock(&hvsim_guest_lock);
	kfree(hvsim_guest_cpus);
	hvsim_guest_cpus = NULL;
}
