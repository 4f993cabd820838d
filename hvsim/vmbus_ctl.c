// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the VMBus host behind the "sim" backend, and its controls.
 *
 * The backend's post_message and signal_event go to this host, which
 * answers through the simulated SynIC.  Module parameters:
 *
 *   max_version=V   highest version accepted (major << 16 | minor),
 *                   default 0x50003
 *   devices=N       N echo test devices configured at load, default 0
 *
 * and /sys/kernel/debug/hvsim/vmbus/:
 *
 *   add          write "CLASS INSTANCE [mmio=MB] [flags=N] [monitor]":
 *                configure a device (CLASS may be "echo"); offered at
 *                once when the guest has asked for offers
 *   rescind      write "INSTANCE" or "RELID": rescind a device
 *   devices      read: "relid=R state=S class=G instance=G monitor=M
 *                mmio=N flags=F" per device ("-" for none)
 *   counters     read: "name value" lines (connection, live objects,
 *                rx.TYPE, tx.TYPE, rejected.REASON, signal.CONNID)
 *   max_version  read/write: the cap, as hex
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmbus: " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "internal.h"
#include "vmbus_host.h"

static unsigned int max_version = VERSION_WIN10_V5_3;
module_param(max_version, uint, 0444);
MODULE_PARM_DESC(max_version,
		 "Highest VMBus version accepted, major << 16 | minor (default 0x50003)");

static unsigned int devices;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "Echo test devices configured at load (default 0)");

/* The test echo device: a class of hvsim's own. */
static const guid_t hvsim_echo_class =
	GUID_INIT(0xe4174281, 0x461d, 0x4d68,
		  0xbb, 0x05, 0x00, 0xc7, 0x2f, 0xb4, 0xb0, 0xff);
/* Echo device N (from 1) has this instance GUID, N in the last bytes. */
static const guid_t hvsim_echo_instance =
	GUID_INIT(0xa9aa704a, 0x6af4, 0x4adb,
		  0x8d, 0xe0, 0xf0, 0x92, 0xd8, 0xcb, 0x00, 0x00);

static struct hvsim_vmbus *hvsim_vmbus_default;

/**
 * hvsim_vmbus_host() - the VMBus host behind the "sim" backend.
 *
 * What the guest reaches through hvcore_post_message(): tests and
 * simulated devices add and rescind its devices and read its counters.
 *
 * Context: any; valid while hvsim is loaded.
 * Return: the host.
 */
struct hvsim_vmbus *hvsim_vmbus_host(void)
{
	return hvsim_vmbus_default;
}
EXPORT_SYMBOL_GPL(hvsim_vmbus_host);

static int hvsim_vmbus_synic_post(void *ctx, u32 vp, u32 sint,
				  const void *msg, u32 len)
{
	return hvsim_post_to_guest(vp, sint, HVSIM_VMBUS_MSG_TYPE, msg, len);
}

static bool hvsim_vmbus_synic_vp_valid(void *ctx, u32 vp)
{
	return hvsim_vp_exists(vp);
}

static const struct hvsim_vmbus_sink hvsim_vmbus_synic_sink = {
	.post = hvsim_vmbus_synic_post,
	.vp_valid = hvsim_vmbus_synic_vp_valid,
};

/* The SynIC made room on (@vp, @sint) after refusing a message. */
void hvsim_vmbus_space(u32 vp, u32 sint)
{
	struct hvsim_vmbus *host = READ_ONCE(hvsim_vmbus_default);

	if (host && sint == HVCORE_VMBUS_SINT)
		hvsim_vmbus_kick(host);
}

static void hvsim_echo_config(unsigned int n,
			      struct hvsim_vmbus_dev_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->class_id = hvsim_echo_class;
	cfg->instance_id = hvsim_echo_instance;
	cfg->instance_id.b[14] = n >> 8;
	cfg->instance_id.b[15] = n;
}

/* backend ops */
int hvsim_vmbus_backend_post(u32 conn_id, u32 type, const void *payload,
			     u32 len)
{
	return hvsim_vmbus_post(hvsim_vmbus_default, conn_id, type, payload,
				len);
}

int hvsim_vmbus_backend_signal(u32 conn_id, u16 flag)
{
	return hvsim_vmbus_signal(hvsim_vmbus_default, conn_id, flag);
}

static int hvsim_vmbus_devices_show(struct seq_file *m, void *v)
{
	hvsim_vmbus_show_devices(hvsim_vmbus_default, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_vmbus_devices);

static int hvsim_vmbus_counters_show(struct seq_file *m, void *v)
{
	hvsim_vmbus_show_counters(hvsim_vmbus_default, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_vmbus_counters);

static int hvsim_vmbus_max_version_get(void *data, u64 *val)
{
	*val = hvsim_vmbus_max_version(hvsim_vmbus_default);
	return 0;
}

static int hvsim_vmbus_max_version_set(void *data, u64 val)
{
	if (val > U32_MAX)
		return -EINVAL;
	hvsim_vmbus_set_max_version(hvsim_vmbus_default, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hvsim_vmbus_max_version_fops,
			 hvsim_vmbus_max_version_get,
			 hvsim_vmbus_max_version_set, "%#llx\n");

/* Copy a debugfs write into @buf as a string. */
static int hvsim_vmbus_copy_cmd(char *buf, size_t size,
				const char __user *ubuf, size_t count)
{
	if (count >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return 0;
}

/* A whitespace-separated word of @p, or NULL at the end. */
static char *hvsim_vmbus_word(char **p)
{
	char *tok;

	while ((tok = strsep(p, " \t\n")) != NULL)
		if (*tok)
			return tok;
	return NULL;
}

/* "CLASS INSTANCE [mmio=MB] [flags=N] [monitor]" */
static ssize_t hvsim_vmbus_add_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct hvsim_vmbus_dev_config cfg = {};
	char buf[160], *p = buf, *tok;
	int ret;

	ret = hvsim_vmbus_copy_cmd(buf, sizeof(buf), ubuf, count);
	if (ret)
		return ret;

	tok = hvsim_vmbus_word(&p);
	if (!tok)
		return -EINVAL;
	if (!strcmp(tok, "echo"))
		cfg.class_id = hvsim_echo_class;
	else if (guid_parse(tok, &cfg.class_id))
		return -EINVAL;
	tok = hvsim_vmbus_word(&p);
	if (!tok || guid_parse(tok, &cfg.instance_id))
		return -EINVAL;

	while ((tok = hvsim_vmbus_word(&p)) != NULL) {
		if (!strcmp(tok, "monitor"))
			cfg.monitor = true;
		else if (str_has_prefix(tok, "mmio="))
			ret = kstrtou16(tok + 5, 0, &cfg.mmio_mb);
		else if (str_has_prefix(tok, "flags="))
			ret = kstrtou16(tok + 6, 0, &cfg.flags);
		else
			ret = -EINVAL;
		if (ret)
			return -EINVAL;
	}

	ret = hvsim_vmbus_add(hvsim_vmbus_default, &cfg);
	return ret ? ret : count;
}

static const struct file_operations hvsim_vmbus_add_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = hvsim_vmbus_add_write,
	.llseek = noop_llseek,
};

/* "INSTANCE" or "RELID" */
static ssize_t hvsim_vmbus_rescind_write(struct file *file,
					 const char __user *ubuf, size_t count,
					 loff_t *ppos)
{
	char buf[64], *p = buf, *tok;
	guid_t instance;
	u32 relid;
	int ret;

	ret = hvsim_vmbus_copy_cmd(buf, sizeof(buf), ubuf, count);
	if (ret)
		return ret;
	tok = hvsim_vmbus_word(&p);
	if (!tok || hvsim_vmbus_word(&p))
		return -EINVAL;

	if (!guid_parse(tok, &instance))
		ret = hvsim_vmbus_rescind(hvsim_vmbus_default, &instance);
	else if (!kstrtou32(tok, 0, &relid))
		ret = hvsim_vmbus_rescind_relid(hvsim_vmbus_default, relid);
	else
		ret = -EINVAL;
	return ret ? ret : count;
}

static const struct file_operations hvsim_vmbus_rescind_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = hvsim_vmbus_rescind_write,
	.llseek = noop_llseek,
};

void hvsim_vmbus_ctl_debugfs(struct dentry *parent)
{
	struct dentry *dir = debugfs_create_dir("vmbus", parent);

	debugfs_create_file("add", 0200, dir, NULL, &hvsim_vmbus_add_fops);
	debugfs_create_file("rescind", 0200, dir, NULL,
			    &hvsim_vmbus_rescind_fops);
	debugfs_create_file("devices", 0444, dir, NULL,
			    &hvsim_vmbus_devices_fops);
	debugfs_create_file("counters", 0444, dir, NULL,
			    &hvsim_vmbus_counters_fops);
	debugfs_create_file_unsafe("max_version", 0600, dir, NULL,
				   &hvsim_vmbus_max_version_fops);
}

/* Before the backend registers: its posts need the host. */
int hvsim_vmbus_ctl_init(void)
{
	struct hvsim_vmbus_dev_config cfg;
	struct hvsim_vmbus *host;
	unsigned int n;
	int ret;

	if (devices > HVSIM_VMBUS_MAX_DEVICES) {
		pr_err("devices=%u: at most %u\n", devices,
		       HVSIM_VMBUS_MAX_DEVICES);
		return -EINVAL;
	}
	host = hvsim_vmbus_create("hvsim_vmbus", &hvsim_vmbus_synic_sink,
				  NULL);
	if (!host)
		return -ENOMEM;
	hvsim_vmbus_set_max_version(host, max_version);
	for (n = 1; n <= devices; n++) {
		hvsim_echo_config(n, &cfg);
		ret = hvsim_vmbus_add(host, &cfg);
		if (ret) {
			hvsim_vmbus_destroy(host);
			return ret;
		}
	}
	WRITE_ONCE(hvsim_vmbus_default, host);
	return 0;
}

/* After the backend is gone: nothing posts, signals or kicks any more. */
void hvsim_vmbus_ctl_exit(void)
{
	struct hvsim_vmbus *host = hvsim_vmbus_default;

	WRITE_ONCE(hvsim_vmbus_default, NULL);
	hvsim_vmbus_destroy(host);
}
