// SPDX-License-Identifier: GPL-2.0
/*
 * hvsim: the VMBus host behind the "sim" backend, and its controls.
 *
 * The backend's post_message and signal_event go to this host, which
 * answers through the simulated SynIC and interrupts the guest's channels
 * with hvsim_signal_guest().  Module parameters:
 *
 *   max_version=V      highest version accepted (major << 16 | minor),
 *                      default 0x50003
 *   devices=N          N echo test devices configured at load, default 0
 *   gpadl_limit_mb=N   aggregate GPADL limit in MiB, default 1280 (as
 *                      Windows Server 2019 hosts)
 *   modify_lag_ms=N    how long the old VP keeps getting a channel's
 *                      interrupts after MODIFYCHANNEL, default 100
 *
 * and /sys/kernel/debug/hvsim/vmbus/:
 *
 *   add             write "CLASS INSTANCE [mmio=MB] [flags=N] [monitor]
 *                   [subch=N] [luns=N] [size_mb=N]": configure a device
 *                   (CLASS may be "echo" or "scsi", the synthetic SCSI
 *                   controller, "nic", or an IC: "shutdown", "timesync",
 *                   "heartbeat", "kvp", "vss", "fcopy", whose INSTANCE
 *                   may be left out for Hyper-V's); offered at once when
 *                   the guest has asked
 *                   for offers.  subch: most sub-channels, default 15 for
 *                   echo (HVSIM_ECHO_MAX_SUBCHANNELS), scsi_subch for
 *                   scsi, 0 for others.  luns, size_mb (scsi only): LUNs
 *                   0..N-1 of that size, default scsi_luns, scsi_lun_mb
 *   rescind         write "INSTANCE" or "RELID": rescind a device, all its
 *                   channels
 *   devices         read: "relid=R state=S class=G instance=G monitor=M
 *                   mmio=N flags=F" per device ("-" for none)
 *   channels        read: one line per channel the guest holds:
 *                   "relid=R instance=GUID sub=N state=S vp=V signals=N
 *                   unneeded=N irqs=N lag_irqs=N rx=N tx=N paused=0|1
 *                   masked=0|1 pend=0|1 broken=0|1"; state is offered,
 *                   open, closed or rescinded; vp 4294967295 is "no
 *                   interrupts"; rx/tx count packets read/written;
 *                   unneeded counts signals the host did not need;
 *                   lag_irqs counts interrupts to the old VP during a
 *                   MODIFYCHANNEL lag
 *   chanctl         write one of (anything else: -EINVAL, no change):
 *                     "pause RELID"       stop reading the guest's ring
 *                                         (interrupt_mask 0: the host
 *                                         waits, so one signal is needed)
 *                     "pause RELID mask"  ... with interrupt_mask 1
 *                     "resume RELID"      read again, mask 0 when empty
 *                     "pend RELID on|off" off: never set pending_send_sz,
 *                                         poll a full ring every 1 ms
 *   gpadls          read: "id=G relid=R pages=N state=S" per GPADL, state
 *                   receiving, accepted or teardown (waits for the close)
 *   counters        read: "name value" lines (connection, live objects,
 *                   rx.TYPE, tx.TYPE, rejected.REASON, signals, unneeded,
 *                   irqs, lag_irqs, gpadl.count, gpadl.bytes,
 *                   gpadl.refused, signal.CONNID)
 *   max_version     read/write: the cap, as hex
 *   gpadl_limit_mb  read/write: the GPADL limit, decimal MiB
 *   modify_lag_ms   read/write: the MODIFYCHANNEL lag, decimal ms
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vmbus: " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <hvguest/hvsim_echo.h>
#include "internal.h"
#include "vmbus_host.h"
#include "ic.h"

static unsigned int max_version = VERSION_WIN10_V5_3;
module_param(max_version, uint, 0444);
MODULE_PARM_DESC(max_version,
		 "Highest VMBus version accepted, major << 16 | minor (default 0x50003)");

static unsigned int devices;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "Echo test devices configured at load (default 0)");

static unsigned int gpadl_limit_mb = HVSIM_VMBUS_GPADL_LIMIT_MB;
module_param(gpadl_limit_mb, uint, 0444);
MODULE_PARM_DESC(gpadl_limit_mb,
		 "Aggregate GPADL limit in MiB (default 1280)");

static unsigned int modify_lag_ms = HVSIM_VMBUS_MODIFY_LAG_MS;
module_param(modify_lag_ms, uint, 0444);
MODULE_PARM_DESC(modify_lag_ms,
		 "Milliseconds the old VP keeps a channel's interrupts after MODIFYCHANNEL (default 100)");

/* The test echo device: a class of hvsim's own. */
static const guid_t hvsim_echo_class = HVSIM_ECHO_CLASS_GUID;
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

static int hvsim_vmbus_synic_signal(void *ctx, u32 vp, u32 sint, u32 flag)
{
	return hvsim_signal_guest(vp, sint, flag);
}

static const struct hvsim_vmbus_sink hvsim_vmbus_synic_sink = {
	.post = hvsim_vmbus_synic_post,
	.vp_valid = hvsim_vmbus_synic_vp_valid,
	.signal = hvsim_vmbus_synic_signal,
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
	cfg->subch = HVSIM_ECHO_MAX_SUBCHANNELS;
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

static int hvsim_vmbus_channels_show(struct seq_file *m, void *v)
{
	hvsim_vmbus_show_channels(hvsim_vmbus_default, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_vmbus_channels);

static int hvsim_vmbus_gpadls_show(struct seq_file *m, void *v)
{
	hvsim_vmbus_show_gpadls(hvsim_vmbus_default, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvsim_vmbus_gpadls);

/* The knobs' files: debugfs data is the enum hvsim_vmbus_knob. */
static int hvsim_vmbus_knob_get(void *data, u64 *val)
{
	*val = hvsim_vmbus_knob(hvsim_vmbus_default, (uintptr_t)data);
	return 0;
}

static int hvsim_vmbus_knob_set(void *data, u64 val)
{
	if (val > U32_MAX)
		return -EINVAL;
	hvsim_vmbus_set_knob(hvsim_vmbus_default, (uintptr_t)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hvsim_vmbus_knob_fops, hvsim_vmbus_knob_get,
			 hvsim_vmbus_knob_set, "%llu\n");
/* max_version reads best in hex. */
DEFINE_DEBUGFS_ATTRIBUTE(hvsim_vmbus_knob_hex_fops, hvsim_vmbus_knob_get,
			 hvsim_vmbus_knob_set, "%#llx\n");

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

/* "xx:xx:xx:xx:xx:xx" (mac_pton() needs the networking core). */
static int hvsim_vmbus_parse_mac(const char *s, u8 *mac)
{
	unsigned int b[6], i;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5]) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

/*
 * "CLASS INSTANCE [mmio=MB] [flags=N] [monitor] [subch=N]", and for the
 * NIC class [mac=MAC] [mtu=N]
 */
static ssize_t hvsim_vmbus_add_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct hvsim_vmbus_dev_config cfg = {};
	struct hvsim_nic_config nic = {};
	bool is_nic, has_mac = false, is_ic = false;
	char buf[160], *p = buf, *tok;
	unsigned int luns = 0, mb = 0;
	bool scsi, has_luns = false, has_mb = false;
	int ret;

	ret = hvsim_vmbus_copy_cmd(buf, sizeof(buf), ubuf, count);
	if (ret)
		return ret;

	tok = hvsim_vmbus_word(&p);
	if (!tok)
		return -EINVAL;
	if (!strcmp(tok, "echo"))
		cfg.class_id = hvsim_echo_class;
	else if (!strcmp(tok, "scsi"))
		cfg.class_id = hvsim_storvsp_class;
	else if (!strcmp(tok, "nic"))
		cfg.class_id = hvsim_netvsp_class;
	else if (!hvsim_ic_lookup(tok, &cfg.class_id, &cfg.instance_id))
		is_ic = true;
	else if (guid_parse(tok, &cfg.class_id))
		return -EINVAL;
	scsi = guid_equal(&cfg.class_id, &hvsim_storvsp_class);
	if (guid_equal(&cfg.class_id, &hvsim_echo_class))
		cfg.subch = HVSIM_ECHO_MAX_SUBCHANNELS;
	else if (scsi)
		cfg.subch = hvsim_storvsp_default_subch();
	is_nic = guid_equal(&cfg.class_id, &hvsim_netvsp_class);
	if (is_nic)
		cfg.subch = HVSIM_NETVSP_SUBCH_DEFAULT;
	tok = hvsim_vmbus_word(&p);
	if (is_ic && !tok)
		goto add;
	if (!tok || guid_parse(tok, &cfg.instance_id))
		return -EINVAL;

	while ((tok = hvsim_vmbus_word(&p)) != NULL) {
		if (is_nic && str_has_prefix(tok, "mac=")) {
			has_mac = true;
			ret = hvsim_vmbus_parse_mac(tok + 4, nic.mac);
		} else if (is_nic && str_has_prefix(tok, "mtu=")) {
			ret = kstrtou32(tok + 4, 0, &nic.max_mtu);
		} else if (!strcmp(tok, "monitor"))
			cfg.monitor = true;
		else if (str_has_prefix(tok, "mmio="))
			ret = kstrtou16(tok + 5, 0, &cfg.mmio_mb);
		else if (str_has_prefix(tok, "flags="))
			ret = kstrtou16(tok + 6, 0, &cfg.flags);
		else if (str_has_prefix(tok, "subch="))
			ret = kstrtou16(tok + 6, 0, &cfg.subch);
		else if (scsi && str_has_prefix(tok, "luns="))
			ret = kstrtouint(tok + 5, 0, &luns), has_luns = true;
		else if (scsi && str_has_prefix(tok, "size_mb="))
			ret = kstrtouint(tok + 8, 0, &mb), has_mb = true;
		else
			ret = -EINVAL;
		if (ret)
			return -EINVAL;
	}

	/* The LUNs are configured first: the guest may open at once. */
	if (scsi && (has_luns || has_mb)) {
		ret = hvsim_storvsp_configure(&cfg.instance_id,
					      has_luns ? luns : UINT_MAX,
					      has_mb ? mb : 0);
		if (ret)
			return ret;
	}
	if (is_nic) {
		nic.instance_id = cfg.instance_id;
		if (!has_mac)
			hvsim_netvsp_default_mac(&cfg.instance_id, nic.mac);
		ret = hvsim_netvsp_config(&nic);
		if (ret)
			return ret;
	}
add:
	ret = hvsim_vmbus_add(hvsim_vmbus_default, &cfg);
	return ret ? ret : count;
}

HVSIM_WRITE_FOPS(hvsim_vmbus_add_fops, hvsim_vmbus_add_write);

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

/* "pause RELID [mask]", "resume RELID", "pend RELID on|off" */
static int hvsim_vmbus_chanctl(char *p)
{
	char *cmd, *arg, *opt;
	u32 relid;

	cmd = hvsim_vmbus_word(&p);
	arg = hvsim_vmbus_word(&p);
	opt = hvsim_vmbus_word(&p);
	if (!cmd || !arg || hvsim_vmbus_word(&p) || kstrtou32(arg, 0, &relid))
		return -EINVAL;
	if (!strcmp(cmd, "pause")) {
		if (opt && strcmp(opt, "mask"))
			return -EINVAL;
		return hvsim_vmbus_pause(hvsim_vmbus_default, relid, !!opt);
	}
	if (!strcmp(cmd, "resume") && !opt)
		return hvsim_vmbus_resume(hvsim_vmbus_default, relid);
	if (!strcmp(cmd, "pend") && opt) {
		if (!strcmp(opt, "on"))
			return hvsim_vmbus_set_pend(hvsim_vmbus_default, relid,
						    true);
		if (!strcmp(opt, "off"))
			return hvsim_vmbus_set_pend(hvsim_vmbus_default, relid,
						    false);
	}
	return -EINVAL;
}

static ssize_t hvsim_vmbus_chanctl_write(struct file *file,
					 const char __user *ubuf, size_t count,
					 loff_t *ppos)
{
	char buf[64];
	int ret;

	ret = hvsim_vmbus_copy_cmd(buf, sizeof(buf), ubuf, count);
	if (ret)
		return ret;
	ret = hvsim_vmbus_chanctl(buf);
	return ret ? ret : count;
}

HVSIM_WRITE_FOPS(hvsim_vmbus_chanctl_fops, hvsim_vmbus_chanctl_write);

HVSIM_WRITE_FOPS(hvsim_vmbus_rescind_fops, hvsim_vmbus_rescind_write);

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
	debugfs_create_file_unsafe("max_version", 0600, dir,
				   (void *)HVSIM_KNOB_MAX_VERSION,
				   &hvsim_vmbus_knob_hex_fops);
	debugfs_create_file("channels", 0444, dir, NULL,
			    &hvsim_vmbus_channels_fops);
	debugfs_create_file("chanctl", 0200, dir, NULL,
			    &hvsim_vmbus_chanctl_fops);
	debugfs_create_file("gpadls", 0444, dir, NULL,
			    &hvsim_vmbus_gpadls_fops);
	debugfs_create_file_unsafe("gpadl_limit_mb", 0600, dir,
				   (void *)HVSIM_KNOB_GPADL_LIMIT_MB,
				   &hvsim_vmbus_knob_fops);
	debugfs_create_file_unsafe("modify_lag_ms", 0600, dir,
				   (void *)HVSIM_KNOB_MODIFY_LAG_MS,
				   &hvsim_vmbus_knob_fops);
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
	hvsim_vmbus_set_knob(host, HVSIM_KNOB_MAX_VERSION, max_version);
	hvsim_vmbus_set_knob(host, HVSIM_KNOB_GPADL_LIMIT_MB, gpadl_limit_mb);
	hvsim_vmbus_set_knob(host, HVSIM_KNOB_MODIFY_LAG_MS, modify_lag_ms);
	for (n = 1; n <= devices; n++) {
		hvsim_echo_config(n, &cfg);
		ret = hvsim_vmbus_add(host, &cfg);
		if (ret)
			goto err;
	}
	ret = hvsim_storvsp_init(host);
	if (ret)
		goto err;
	WRITE_ONCE(hvsim_vmbus_default, host);
	return 0;

err:
	hvsim_vmbus_destroy(host);
	hvsim_storvsp_exit();
	return ret;
}

/* After the backend is gone: nothing posts, signals or kicks any more. */
void hvsim_vmbus_ctl_exit(void)
{
	struct hvsim_vmbus *host = hvsim_vmbus_default;

	WRITE_ONCE(hvsim_vmbus_default, NULL);
	hvsim_vmbus_destroy(host);
	hvsim_storvsp_exit();
}
