// SPDX-License-Identifier: GPL-2.0
/*
 * hv_utils: the ICs the kernel answers alone: shutdown, time sync and
 * heartbeat.  Their channel callbacks drain the ring, answering each
 * packet in place in the order it came.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/reboot.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>
#include <asm/mshyperv.h>
#include "hvu.h"

/**
 * hvu_basic_callback() - the channel callback of shutdown, timesync and
 * heartbeat.
 * @context: the struct hvu_basic.
 *
 * Context: the channel's tasklet.
 */
void hvu_basic_callback(void *context)
{
	struct hvu_basic *b = context;
	struct icmsg_hdr *hdr;
	u64 reqid;
	u32 len;
	int ret;

	for (;;) {
		ret = vmbus_recvpacket(b->chan, b->buf, HVU_SMALL_BUF, &len,
				       &reqid);
		if (ret) {
			pr_err_ratelimited("%s: packet not read: %d\n",
					   b->desc->name, ret);
			return;
		}
		if (!len)
			return;
		switch (hvu_ic_classify(b->desc, b->buf, len, &b->srv_version)) {
		case HVU_DROP:
			continue;
		case HVU_REPLY:
			break;
		case HVU_SERVICE:
			hvu_ic_set_response(b->buf, b->handle(b, len));
			break;
		}
		hdr = (struct icmsg_hdr *)(b->buf + sizeof(struct vmbuspipe_hdr));
		ret = vmbus_sendpacket(b->chan, b->buf, len, reqid,
				       VM_PKT_DATA_INBAND, 0);
		if (ret)
			pr_err_ratelimited("%s: answer not sent: %d\n",
					   b->desc->name, ret);
		if (b->after && hdr->icmsgtype == b->desc->msgtype)
			b->after(b);
	}
}

/* ------------------------------------------------------------------------
 * Shutdown.
 */

static void hvu_poweroff_fn(struct work_struct *w)
{
	/* The orderly way first; the kernel's own if user space cannot. */
	orderly_poweroff(true);
}

static void hvu_reboot_fn(struct work_struct *w)
{
	orderly_reboot();
}

static void hvu_hibernate_fn(struct work_struct *w)
{
	char event[] = "EVENT=hibernate";
	char *env[2];

	env[0] = event;
	env[1] = NULL;

	/* User space hibernates the VM: the kernel cannot from here. */
	kobject_uevent_env(&hvu_shutdown.hdev->device.kobj, KOBJ_CHANGE, env);
	pr_info("Shutdown: hibernation uevent sent\n");
}

static DECLARE_WORK(hvu_poweroff_work, hvu_poweroff_fn);
static DECLARE_WORK(hvu_reboot_work, hvu_reboot_fn);
static DECLARE_WORK(hvu_hibernate_work, hvu_hibernate_fn);

static u32 hvu_shutdown_handle(struct hvu_basic *b, u32 len)
{
	return hvu_shutdown_parse(b->buf, len, hv_is_hibernation_supported(),
				  &b->action);
}

static void hvu_shutdown_after(struct hvu_basic *b)
{
	enum hvu_shutdown_action a = b->action;

	b->action = HVU_SD_NONE;
	switch (a) {
	case HVU_SD_POWEROFF:
		pr_info("Shutdown: power-off requested by the host\n");
		schedule_work(&hvu_poweroff_work);
		break;
	case HVU_SD_REBOOT:
		pr_info("Shutdown: restart requested by the host\n");
		schedule_work(&hvu_reboot_work);
		break;
	case HVU_SD_HIBERNATE:
		pr_info("Shutdown: hibernation requested by the host\n");
		schedule_work(&hvu_hibernate_work);
		break;
	case HVU_SD_NONE:
		break;
	}
}

static void hvu_shutdown_teardown(struct hvu_basic *b)
{
	/*
	 * A power-off or restart the host asked for is handed to the kernel
	 * (which only queues its own work) before the module may go; the
	 * hibernation uevent needs the device, which is going.
	 */
	flush_work(&hvu_poweroff_work);
	flush_work(&hvu_reboot_work);
	cancel_work_sync(&hvu_hibernate_work);
}

struct hvu_basic hvu_shutdown = {
	.desc = &hvu_shutdown_desc,
	.handle = hvu_shutdown_handle,
	.after = hvu_shutdown_after,
	.teardown = hvu_shutdown_teardown,
};

/* ------------------------------------------------------------------------
 * Time sync: the last sample, the clock it sets, and the PTP clock that
 * reads it.
 */

static bool hvu_timesync_implicit;
module_param_named(timesync_implicit, hvu_timesync_implicit, bool, 0644);
MODULE_PARM_DESC(timesync_implicit,
		 "If set treat SAMPLE as SYNC when clock is behind");

static struct {
	spinlock_t lock;
	bool valid;
	u64 host_time;		/* host time at @ref_time, 100 ns since 1601 */
	u64 ref_time;
} hvu_ts = {
	.lock = __SPIN_LOCK_UNLOCKED(hvu_ts.lock),
};

static struct ptp_clock *hvu_ptp;

/* The host's time now, from the last sample; -ESTALE when too old. */
static int hvu_host_time(struct timespec64 *ts)
{
	unsigned long flags;
	u64 now, t;
	int ret = 0;

	spin_lock_irqsave(&hvu_ts.lock, flags);
	if (!hvu_ts.valid) {
		spin_unlock_irqrestore(&hvu_ts.lock, flags);
		return -ENODATA;
	}
	now = hvu_ref_time();
	if (hvu_timesync_stale(hvu_ts.ref_time, now))
		ret = -ESTALE;
	t = hvu_ts.host_time + (now - hvu_ts.ref_time);
	spin_unlock_irqrestore(&hvu_ts.lock, flags);

	*ts = ns_to_timespec64((t - WLTIMEDELTA) * 100);
	if (ret)
		pr_warn_ratelimited("TimeSync: the last sample is stale\n");
	return ret;
}

static void hvu_settime_fn(struct work_struct *w)
{
	struct timespec64 ts;

	if (!hvu_host_time(&ts))
		do_settimeofday64(&ts);
}

static DECLARE_WORK(hvu_settime_work, hvu_settime_fn);

/* timesync_implicit: a SAMPLE sets the clock if it is 5 s or more behind. */
static bool hvu_clock_behind(u64 host_time)
{
	struct timespec64 host, now;

	host = ns_to_timespec64((host_time - WLTIMEDELTA) * 100);
	ktime_get_real_ts64(&now);
	now.tv_sec += 5;
	return timespec64_compare(&host, &now) >= 0;
}

static u32 hvu_timesync_handle(struct hvu_basic *b, u32 len)
{
	struct hvu_ts_sample s;
	unsigned long flags;
	u64 now = hvu_ref_time(), host;
	u32 st;

	st = hvu_timesync_parse(b->buf, len, b->srv_version, now, &s);
	if (st)
		return st;
	/* The host's time now: the sample plus what passed since it. */
	host = s.parenttime + (now - s.reftime);
	spin_lock_irqsave(&hvu_ts.lock, flags);
	hvu_ts.host_time = host;
	hvu_ts.ref_time = now;
	hvu_ts.valid = true;
	spin_unlock_irqrestore(&hvu_ts.lock, flags);

	if (s.flags & ICTIMESYNCFLAG_SYNC ||
	    (hvu_timesync_implicit && hvu_clock_behind(host)))
		schedule_work(&hvu_settime_work);
	return HV_S_OK;
}

static int hvu_ptp_gettime(struct ptp_clock_info *info, struct timespec64 *ts)
{
	return hvu_host_time(ts);
}

static int hvu_ptp_adjfine(struct ptp_clock_info *info, long delta)
{
	return -EOPNOTSUPP;
}

static int hvu_ptp_adjtime(struct ptp_clock_info *info, s64 delta)
{
	return -EOPNOTSUPP;
}

static int hvu_ptp_settime(struct ptp_clock_info *info,
			   const struct timespec64 *ts)
{
	return -EOPNOTSUPP;
}

static int hvu_ptp_enable(struct ptp_clock_info *info,
			  struct ptp_clock_request *req, int on)
{
	return -EOPNOTSUPP;
}

static struct ptp_clock_info hvu_ptp_info = {
	.owner = THIS_MODULE,
	.name = "hyperv",
	.gettime64 = hvu_ptp_gettime,
	.adjfine = hvu_ptp_adjfine,
	.adjtime = hvu_ptp_adjtime,
	.settime64 = hvu_ptp_settime,
	.enable = hvu_ptp_enable,
};

static int hvu_timesync_setup(struct hvu_basic *b)
{
	unsigned long flags;

	spin_lock_irqsave(&hvu_ts.lock, flags);
	hvu_ts.valid = false;
	spin_unlock_irqrestore(&hvu_ts.lock, flags);

	/* Without PTP support the clock is still set on SYNC. */
	hvu_ptp = ptp_clock_register(&hvu_ptp_info, NULL);
	if (IS_ERR_OR_NULL(hvu_ptp)) {
		pr_err("TimeSync: no PTP clock: %d\n",
		       (int)PTR_ERR_OR_ZERO(hvu_ptp));
		hvu_ptp = NULL;
	}
	return 0;
}

static void hvu_timesync_teardown(struct hvu_basic *b)
{
	if (hvu_ptp)
		ptp_clock_unregister(hvu_ptp);
	hvu_ptp = NULL;
	cancel_work_sync(&hvu_settime_work);
}

struct hvu_basic hvu_timesync = {
	.desc = &hvu_timesync_desc,
	.handle = hvu_timesync_handle,
	.setup = hvu_timesync_setup,
	.teardown = hvu_timesync_teardown,
};

/* ------------------------------------------------------------------------
 * Heartbeat.
 */

static u32 hvu_heartbeat_handle(struct hvu_basic *b, u32 len)
{
	return hvu_heartbeat_answer(b->buf, len);
}

struct hvu_basic hvu_heartbeat = {
	.desc = &hvu_heartbeat_desc,
	.handle = hvu_heartbeat_handle,
};
