// SPDX-License-Identifier: GPL-2.0
/*
 * hv_utils: the ICs served by a user-space daemon (KVP, VSS, fcopy).
 *
 * Each has a misc device, /dev/vmbus/hv_kvp and friends, with the
 * protocol of <uapi/linux/hyperv.h> the hyperv-daemons speak: the daemon
 * opens the device (one opener at a time), writes a registration and reads
 * the answer (if its version expects one); from then on it reads one
 * request at a time and writes back one answer.
 *
 * Host requests are read and handled in process context (a work item the
 * channel callback queues), one at a time: while a request is in flight
 * the ring is left alone, so the host's next request waits in it.  A
 * request waits at most daemon_timeout seconds for a daemon to register,
 * then at most ops->timeout() seconds (VSS's FREEZE: vss_freeze_timeout)
 * for the daemon's answer once handed over: then the host gets
 * HV_E_FAIL.  A daemon that closes its file fails the request it
 * holds the same way.  Negotiation needs no daemon and is answered at
 * once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "hvu.h"

/* The largest write a daemon may make. */
#define HVU_WRITE_MAX	(2 * sizeof(struct hv_kvp_msg))

static struct hvu_daemon *hvu_file_daemon(struct file *f)
{
	struct miscdevice *m = f->private_data;

	return container_of(m, struct hvu_daemon, mdev);
}

static void hvu_daemon_send_host(struct hvu_daemon *d, u32 status)
{
	int ret;

	hvu_ic_set_response(d->buf, status);
	ret = vmbus_sendpacket(d->chan, d->buf, d->len, d->reqid,
			       VM_PKT_DATA_INBAND, 0);
	if (ret)
		pr_err_ratelimited("%s: answer to the host not sent: %d\n",
				   d->ops->desc->name, ret);
}

static void hvu_daemon_arm(struct hvu_daemon *d, unsigned int secs)
{
	d->deadline = jiffies + secs * HZ;
	mod_delayed_work(system_wq, &d->timeout, secs * HZ);
}

/* Queue the request in flight for the daemon, if it can take it now. */
static void hvu_daemon_try_send(struct hvu_daemon *d)
{
	if (!d->in_flight || d->sent || !d->registered || d->out_len)
		return;
	d->out = d->msg;
	d->out_len = d->msg_len;
	d->sent = true;
	/* The daemon's own time limit starts now. */
	hvu_daemon_arm(d, d->ops->timeout(d));
	wake_up_interruptible(&d->readq);
}

/* End the transaction in flight with @status; the lock is held. */
static void hvu_daemon_finish(struct hvu_daemon *d, u32 status)
{
	if (d->sent && d->out == d->msg && d->out_len)
		d->out_len = 0;		/* not read: withdrawn */
	d->in_flight = false;
	d->sent = false;
	cancel_delayed_work(&d->timeout);
	if (!d->dying)
		hvu_daemon_send_host(d, status);
	if (d->ops->done)
		d->ops->done(d, status);
	if (!d->dying)
		queue_work(system_wq, &d->work);
}

static void hvu_daemon_work(struct work_struct *w)
{
	struct hvu_daemon *d = container_of(w, struct hvu_daemon, work);
	const struct hvu_svc_desc *desc = d->ops->desc;
	u32 status;
	int ret;

	mutex_lock(&d->lock);
	while (d->published && !d->dying && !d->in_flight) {
		ret = vmbus_recvpacket(d->chan, d->buf, HVU_LARGE_BUF, &d->len,
				       &d->reqid);
		if (ret) {
			pr_err_ratelimited("%s: packet not read: %d\n",
					   desc->name, ret);
			break;
		}
		if (!d->len)
			break;
		switch (hvu_ic_classify(desc, d->buf, d->len, &d->srv_version)) {
		case HVU_DROP:
			continue;
		case HVU_REPLY:
			hvu_daemon_send_host(d, ((struct icmsg_hdr *)
				(d->buf + sizeof(struct vmbuspipe_hdr)))->status);
			continue;
		case HVU_SERVICE:
			break;
		}
		status = HV_E_FAIL;
		if (!d->ops->host_msg(d, &status)) {
			hvu_daemon_send_host(d, status);
			continue;
		}
		d->in_flight = true;
		d->gen++;
		/* Waiting for a daemon to register: daemon_timeout. */
		hvu_daemon_arm(d, hvu_daemon_timeout);
		hvu_daemon_try_send(d);
	}
	mutex_unlock(&d->lock);
}

static void hvu_daemon_timeout_fn(struct work_struct *w)
{
	struct hvu_daemon *d = container_of(to_delayed_work(w),
					    struct hvu_daemon, timeout);

	mutex_lock(&d->lock);
	if (d->in_flight && !time_before(jiffies, d->deadline)) {
		pr_warn_ratelimited("%s: %s, request failed\n",
				    d->ops->desc->name,
				    d->sent ? "the daemon did not answer in time" :
					      "no daemon registered in time");
		hvu_daemon_finish(d, HV_E_FAIL);
	}
	mutex_unlock(&d->lock);
}

/**
 * hvu_daemon_callback() - the channel callback of a daemon-backed IC.
 * @context: the struct hvu_daemon.
 *
 * Context: the channel's tasklet.  Only queues the reader.
 */
void hvu_daemon_callback(void *context)
{
	struct hvu_daemon *d = context;

	queue_work(system_wq, &d->work);
}

/**
 * hvu_daemon_kick() - read the ring again.
 * @d: the IC.
 */
void hvu_daemon_kick(struct hvu_daemon *d)
{
	queue_work(system_wq, &d->work);
}

static int hvu_daemon_open(struct inode *inode, struct file *f)
{
	struct hvu_daemon *d = hvu_file_daemon(f);
	int ret = 0;

	mutex_lock(&d->lock);
	if (d->dying)
		ret = -ENODEV;
	else if (d->open)
		ret = -EBUSY;
	else
		d->open = true;
	mutex_unlock(&d->lock);
	return ret;
}

static int hvu_daemon_release(struct inode *inode, struct file *f)
{
	struct hvu_daemon *d = hvu_file_daemon(f);

	mutex_lock(&d->lock);
	d->open = false;
	if (d->registered || d->reg_pending)
		pr_info("%s: daemon closed %s\n", d->ops->desc->name,
			d->ops->devname);
	d->registered = false;
	d->reg_pending = false;
	d->out_len = 0;
	if (d->ops->gone)
		d->ops->gone(d);
	if (d->in_flight && d->sent)
		hvu_daemon_finish(d, HV_E_FAIL);
	mutex_unlock(&d->lock);
	return 0;
}

static ssize_t hvu_daemon_read(struct file *f, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct hvu_daemon *d = hvu_file_daemon(f);
	bool was_reg;
	ssize_t ret;

	for (;;) {
		if (!(f->f_flags & O_NONBLOCK) &&
		    wait_event_interruptible(d->readq,
					     READ_ONCE(d->out_len) ||
					     READ_ONCE(d->dying)))
			return -EINTR;
		mutex_lock(&d->lock);
		if (d->dying) {
			ret = -EBADF;
			break;
		}
		if (d->out_len)
			break;
		mutex_unlock(&d->lock);
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
	}
	if (d->dying)
		goto out;
	if (count < d->out_len) {
		ret = -EINVAL;
		goto out;
	}
	if (copy_to_user(ubuf, d->out, d->out_len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = d->out_len;
	was_reg = d->out == d->regbuf;
	d->out_len = 0;
	if (was_reg) {
		d->reg_pending = false;
		d->registered = true;
		pr_info("%s: daemon registered on %s\n", d->ops->desc->name,
			d->ops->devname);
		hvu_daemon_try_send(d);
		queue_work(system_wq, &d->work);
	}
out:
	mutex_unlock(&d->lock);
	return ret;
}

static ssize_t hvu_daemon_write(struct file *f, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct hvu_daemon *d = hvu_file_daemon(f);
	const struct hvu_daemon_ops *ops = d->ops;
	const void *reply = NULL;
	size_t reply_len = 0;
	void *msg;
	ssize_t ret;
	long st;

	if (count > HVU_WRITE_MAX)
		return -EINVAL;
	msg = memdup_user(ubuf, count);
	if (IS_ERR(msg))
		return PTR_ERR(msg);

	mutex_lock(&d->lock);
	ret = -EBADF;
	if (d->dying)
		goto out;

	if (!d->registered && !d->reg_pending) {
		ret = ops->handshake(d, msg, count, &reply, &reply_len);
		if (ret < 0) {
			pr_warn_ratelimited("%s: daemon registration refused\n",
					    ops->desc->name);
			goto out;
		}
		if (reply) {
			memcpy(d->regbuf, reply, reply_len);
			d->out = d->regbuf;
			d->out_len = reply_len;
			d->reg_pending = true;
			wake_up_interruptible(&d->readq);
		} else {
			d->registered = true;
			pr_info("%s: daemon registered on %s\n",
				ops->desc->name, ops->devname);
			hvu_daemon_try_send(d);
			queue_work(system_wq, &d->work);
		}
		ret = count;
		goto out;
	}

	/* An answer: to the request the daemon has read, and whole. */
	ret = -EINVAL;
	if (!d->registered || !d->in_flight || !d->sent || d->out_len) {
		pr_debug("%s: answer without a request\n", ops->desc->name);
		goto out;
	}
	if (ops->reply_len ? count != ops->reply_len :
			     count < ops->min_reply_len)
		goto out;
	st = ops->daemon_reply(d, msg, count);
	if (st < 0) {
		ret = st;
		goto out;
	}
	hvu_daemon_finish(d, st);
	ret = count;
out:
	mutex_unlock(&d->lock);
	kfree(msg);
	return ret;
}

static __poll_t hvu_daemon_poll(struct file *f, poll_table *wait)
{
	struct hvu_daemon *d = hvu_file_daemon(f);

	poll_wait(f, &d->readq, wait);
	if (READ_ONCE(d->dying))
		return EPOLLERR | EPOLLHUP;
	if (READ_ONCE(d->out_len))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static const struct file_operations hvu_daemon_fops = {
	.owner = THIS_MODULE,
	.open = hvu_daemon_open,
	.release = hvu_daemon_release,
	.read = hvu_daemon_read,
	.write = hvu_daemon_write,
	.poll = hvu_daemon_poll,
	.llseek = noop_llseek,
};

/**
 * hvu_daemon_start() - set a daemon-backed IC up, before its channel opens.
 * @d: the IC's state, zeroed or stopped and flushed before.
 * @ops: the IC.
 * @chan: its channel, to be opened with hvu_daemon_callback() and @d.
 *
 * Context: process.
 * Return: 0 or a negative errno (then nothing is left to undo).
 */
int hvu_daemon_start(struct hvu_daemon *d, const struct hvu_daemon_ops *ops,
		     struct vmbus_channel *chan)
{
	int ret;

	/* The lock and queues outlive a stop: a daemon may still hold a file. */
	if (!d->ops) {
		mutex_init(&d->lock);
		init_waitqueue_head(&d->readq);
		INIT_WORK(&d->work, hvu_daemon_work);
		INIT_DELAYED_WORK(&d->timeout, hvu_daemon_timeout_fn);
	}
	mutex_lock(&d->lock);
	if (d->open) {
		mutex_unlock(&d->lock);
		pr_err("%s: a daemon still holds %s\n", ops->desc->name,
		       ops->devname);
		return -EBUSY;
	}
	d->ops = ops;
	d->chan = chan;
	d->dying = false;
	d->open = false;
	d->registered = false;
	d->reg_pending = false;
	d->in_flight = false;
	d->sent = false;
	d->out_len = 0;
	d->srv_version = 0;
	mutex_unlock(&d->lock);

	d->buf = kzalloc(HVU_LARGE_BUF, GFP_KERNEL);
	d->msg = kzalloc(ops->msg_max, GFP_KERNEL);
	d->regbuf = kzalloc(ops->msg_max, GFP_KERNEL);
	if (!d->buf || !d->msg || !d->regbuf) {
		ret = -ENOMEM;
		goto err;
	}

	return 0;
err:
	kfree(d->regbuf);
	kfree(d->msg);
	kfree(d->buf);
	d->buf = NULL;
	d->msg = NULL;
	d->regbuf = NULL;
	return ret;
}

/**
 * hvu_daemon_publish() - create the device node once the channel is open.
 * @d: the IC, started.
 *
 * Only now, with the ring set up, may a daemon register and the ring be
 * read.
 *
 * Context: process.
 * Return: 0 or a negative errno (then stop and flush as usual).
 */
int hvu_daemon_publish(struct hvu_daemon *d)
{
	int ret;

	d->mdev.minor = MISC_DYNAMIC_MINOR;
	d->mdev.name = d->ops->devname;
	d->mdev.fops = &hvu_daemon_fops;
	ret = misc_register(&d->mdev);
	if (ret) {
		pr_err("%s: %s not created: %d\n", d->ops->desc->name,
		       d->ops->devname, ret);
		return ret;
	}
	d->published = true;
	/* Packets may have arrived since the open. */
	queue_work(system_wq, &d->work);
	return 0;
}

/**
 * hvu_daemon_stop() - the first half of taking an IC down.
 * @d: the IC.
 *
 * Removes the device node and makes a daemon still holding it fail its
 * reads and writes.  The caller closes the channel next, then calls
 * hvu_daemon_flush().
 *
 * Context: process.
 */
void hvu_daemon_stop(struct hvu_daemon *d)
{
	mutex_lock(&d->lock);
	d->dying = true;
	d->registered = false;
	d->out_len = 0;
	if (d->in_flight)
		hvu_daemon_finish(d, HV_E_FAIL);
	if (d->ops->gone)
		d->ops->gone(d);
	mutex_unlock(&d->lock);
	wake_up_interruptible_all(&d->readq);
	if (d->published)
		misc_deregister(&d->mdev);
	d->published = false;
}

/**
 * hvu_daemon_flush() - the second half: no work left, buffers freed.
 * @d: the IC, stopped, its channel closed.
 *
 * Context: process.
 */
void hvu_daemon_flush(struct hvu_daemon *d)
{
	cancel_work_sync(&d->work);
	cancel_delayed_work_sync(&d->timeout);
	kfree(d->regbuf);
	kfree(d->msg);
	kfree(d->buf);
	d->buf = NULL;
	d->msg = NULL;
	d->regbuf = NULL;
}
