// SPDX-License-Identifier: GPL-2.0
/*
 * hv_utils: VSS, the host's backups of a running guest, with
 * hv_vss_daemon on /dev/vmbus/hv_vss.
 *
 * Registration: the daemon writes a 12-byte struct hv_vss_msg with
 * VSS_OP_REGISTER1 and reads back a u32 129 (VSS_OP_REGISTER gets no
 * answer).  HOT_BACKUP, FREEZE and THAW go to the daemon as a struct
 * hv_vss_msg, which it answers with its error in the first word; the other
 * operations are answered by the kernel.
 *
 * The daemon freezes file systems with FIFREEZE, and only it thaws them:
 * a daemon that dies, hangs or is never told to thaw would leave them
 * frozen for good.  So the kernel thaws them itself when
 *  - the daemon closes its file (it died) while they may be frozen,
 *  - a FREEZE or THAW fails or times out,
 *  - a THAW arrives and no daemon is there to take it,
 *  - vss_thaw_timeout seconds pass after a FREEZE without a THAW.
 * "Them" are the block-device file systems frozen from user space that
 * were not frozen before the FREEZE was handed to the daemon (an
 * administrator's own fsfreeze is left alone).  They are found the way
 * the kernel's own iterate_bdevs() walks block devices, through the
 * exported blockdev_superblock, and thawed as FITHAW would
 * (FREEZE_HOLDER_USERSPACE), each under an active reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include "hvu.h"

#define HVU_VSS_MAX_SB	64

static unsigned int hvu_vss_freeze_timeout = 15 * 60;
module_param_named(vss_freeze_timeout, hvu_vss_freeze_timeout, uint, 0644);
MODULE_PARM_DESC(vss_freeze_timeout,
		 "Seconds hv_vss_daemon has to freeze the file systems (default 900)");

static unsigned int hvu_vss_thaw_timeout = 60;
module_param_named(vss_thaw_timeout, hvu_vss_thaw_timeout, uint, 0644);
MODULE_PARM_DESC(vss_thaw_timeout,
		 "Seconds file systems may stay frozen without a THAW from the host before the kernel thaws them; 0: no limit (default 60)");

static struct {
	struct hvu_daemon *d;
	struct delayed_work watchdog;
	bool frozen;			/* a FREEZE may have frozen some */
	unsigned int nbefore;
	dev_t before[HVU_VSS_MAX_SB];	/* frozen before the FREEZE */
} hvu_vss;

static u32 hvu_vss_reg = VSS_OP_REGISTER1;

static bool hvu_sb_user_frozen(struct super_block *sb)
{
	return READ_ONCE(sb->s_writers.frozen) == SB_FREEZE_COMPLETE &&
	       READ_ONCE(sb->s_writers.freeze_ucount) > 0;
}

/*
 * The file systems on block devices frozen from user space, each with an
 * active reference.  Returns how many are in @sbs.
 */
static unsigned int hvu_vss_collect(struct super_block **sbs,
				    unsigned int max)
{
	struct super_block *bsb = blockdev_superblock;
	struct inode *inode, *old = NULL;
	unsigned int n = 0, i;

	spin_lock(&bsb->s_inode_list_lock);
	list_for_each_entry(inode, &bsb->s_inodes, i_sb_list) {
		struct block_device *bdev;
		struct super_block *sb;

		spin_lock(&inode->i_lock);
		if (inode->i_state & (I_FREEING | I_WILL_FREE | I_NEW)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&bsb->s_inode_list_lock);
		iput(old);
		old = inode;

		bdev = I_BDEV(inode);
		mutex_lock(&bdev->bd_holder_lock);
		sb = bdev->bd_holder_ops == &fs_holder_ops ?
			bdev->bd_holder : NULL;
		if (sb && n < max && hvu_sb_user_frozen(sb)) {
			for (i = 0; i < n && sbs[i] != sb; i++)
				;
			if (i == n && atomic_inc_not_zero(&sb->s_active))
				sbs[n++] = sb;
		}
		mutex_unlock(&bdev->bd_holder_lock);

		spin_lock(&bsb->s_inode_list_lock);
	}
	spin_unlock(&bsb->s_inode_list_lock);
	iput(old);
	return n;
}

/* Before a FREEZE: what is frozen already is not ours to thaw. */
static void hvu_vss_note_before(void)
{
	struct super_block **sbs;
	unsigned int n, i;

	hvu_vss.nbefore = 0;
	sbs = kcalloc(HVU_VSS_MAX_SB, sizeof(*sbs), GFP_KERNEL);
	if (!sbs)
		return;
	n = hvu_vss_collect(sbs, HVU_VSS_MAX_SB);
	for (i = 0; i < n; i++) {
		hvu_vss.before[i] = sbs[i]->s_dev;
		deactivate_super(sbs[i]);
	}
	hvu_vss.nbefore = n;
	kfree(sbs);
}

static bool hvu_vss_was_before(dev_t dev)
{
	unsigned int i;

	for (i = 0; i < hvu_vss.nbefore; i++)
		if (hvu_vss.before[i] == dev)
			return true;
	return false;
}

/* Thaw what the daemon froze; @why goes to the log. */
static void hvu_vss_thaw(const char *why)
{
	struct super_block **sbs;
	unsigned int n, i, thawed = 0;
	int ret;

	cancel_delayed_work(&hvu_vss.watchdog);
	if (!hvu_vss.frozen)
		return;
	hvu_vss.frozen = false;
	sbs = kcalloc(HVU_VSS_MAX_SB, sizeof(*sbs), GFP_KERNEL);
	if (!sbs) {
		pr_err("VSS: %s, but no memory to thaw the file systems\n", why);
		return;
	}
	n = hvu_vss_collect(sbs, HVU_VSS_MAX_SB);
	for (i = 0; i < n; i++) {
		struct super_block *sb = sbs[i];

		if (!hvu_vss_was_before(sb->s_dev)) {
			if (sb->s_op->thaw_super)
				ret = sb->s_op->thaw_super(sb,
						FREEZE_HOLDER_USERSPACE);
			else
				ret = thaw_super(sb, FREEZE_HOLDER_USERSPACE);
			if (ret)
				pr_err("VSS: thawing %s (%pg) failed: %d\n",
				       sb->s_id, sb->s_bdev, ret);
			else
				thawed++;
		}
		deactivate_super(sb);
	}
	kfree(sbs);
	pr_warn("VSS: %s: the kernel thawed %u file system%s\n", why, thawed,
		thawed == 1 ? "" : "s");
}

static void hvu_vss_watchdog(struct work_struct *w)
{
	struct hvu_daemon *d = hvu_vss.d;

	mutex_lock(&d->lock);
	if (hvu_vss.frozen && !(d->in_flight && d->op == VSS_OP_THAW))
		hvu_vss_thaw("no THAW from the host in time");
	mutex_unlock(&d->lock);
}

static int hvu_vss_handshake(struct hvu_daemon *d, const void *msg,
			     size_t len, const void **reply, size_t *reply_len)
{
	const struct hv_vss_msg *m = msg;

	if (len != sizeof(*m))
		return -EINVAL;
	switch (m->vss_hdr.operation) {
	case VSS_OP_REGISTER1:
		*reply = &hvu_vss_reg;
		*reply_len = sizeof(hvu_vss_reg);
		return 0;
	case VSS_OP_REGISTER:
		return 0;
	}
	pr_info_ratelimited("VSS: incompatible daemon (operation %u)\n",
			    m->vss_hdr.operation);
	return -EINVAL;
}

static bool hvu_vss_host_msg(struct hvu_daemon *d, u32 *status)
{
	struct hv_vss_msg *out = d->msg;
	enum hvu_vss_route route;
	u8 op;

	*status = hvu_vss_route(d->buf, d->len, &route);
	if (route == HVU_VSS_LOCAL)
		return false;
	op = ((struct hv_vss_msg *)HVU_BODY(d->buf))->vss_hdr.operation;
	if (op == VSS_OP_THAW && !d->registered) {
		/* No one else will thaw: the kernel does, and says so. */
		hvu_vss_thaw("THAW with no daemon registered");
		*status = HV_S_OK;
		return false;
	}
	if (op == VSS_OP_FREEZE && !hvu_vss.frozen) {
		hvu_vss_note_before();
		hvu_vss.frozen = true;
	}
	memset(out, 0, sizeof(*out));
	out->vss_hdr.operation = op;
	d->op = op;
	d->msg_len = sizeof(*out);
	return true;
}

static long hvu_vss_daemon_reply(struct hvu_daemon *d, const void *msg,
				 size_t len)
{
	const struct hv_vss_msg *m = msg;
	struct hv_vss_msg *host = (struct hv_vss_msg *)HVU_BODY(d->buf);

	if (d->op == VSS_OP_HOT_BACKUP)
		host->vss_cf.flags = VSS_HBU_NO_AUTO_RECOVERY;
	return (u32)m->error;
}

static void hvu_vss_done(struct hvu_daemon *d, u32 status)
{
	switch (d->op) {
	case VSS_OP_FREEZE:
		if (status) {
			hvu_vss_thaw("FREEZE failed");
		} else if (hvu_vss_thaw_timeout) {
			mod_delayed_work(system_wq, &hvu_vss.watchdog,
					 hvu_vss_thaw_timeout * HZ);
		}
		break;
	case VSS_OP_THAW:
		if (status) {
			hvu_vss_thaw("THAW failed");
		} else {
			hvu_vss.frozen = false;
			cancel_delayed_work(&hvu_vss.watchdog);
		}
		break;
	}
}

static void hvu_vss_gone(struct hvu_daemon *d)
{
	hvu_vss_thaw("hv_vss_daemon went away");
}

static unsigned int hvu_vss_timeout(struct hvu_daemon *d)
{
	return d->op == VSS_OP_FREEZE ? hvu_vss_freeze_timeout :
					hvu_daemon_timeout;
}

const struct hvu_daemon_ops hvu_vss_ops = {
	.desc = &hvu_vss_desc,
	.devname = "vmbus/hv_vss",
	.handshake = hvu_vss_handshake,
	.host_msg = hvu_vss_host_msg,
	.daemon_reply = hvu_vss_daemon_reply,
	.reply_len = sizeof(struct hv_vss_msg),
	.msg_max = sizeof(struct hv_vss_msg),
	.done = hvu_vss_done,
	.gone = hvu_vss_gone,
	.timeout = hvu_vss_timeout,
};

/**
 * hvu_vss_setup() - before the VSS daemon engine starts.
 * @d: its state.
 *
 * Return: 0.
 */
int hvu_vss_setup(struct hvu_daemon *d)
{
	hvu_vss.d = d;
	hvu_vss.frozen = false;
	INIT_DELAYED_WORK(&hvu_vss.watchdog, hvu_vss_watchdog);
	return 0;
}

/**
 * hvu_vss_teardown() - after the engine is stopped and flushed.
 * @d: its state.
 */
void hvu_vss_teardown(struct hvu_daemon *d)
{
	cancel_delayed_work_sync(&hvu_vss.watchdog);
}
