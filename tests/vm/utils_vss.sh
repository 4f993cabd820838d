#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod virtio_blk --kmod ext4 --kmod crc32c_generic --disk 64:ext4 --add /usr/sbin/hv_vss_daemon
#
# This tree's hv_utils and Debian's hv_vss_daemon on hvsim's VSS IC, with
# an ext4 file system on a virtio-blk disk: FREEZE blocks a write until
# THAW; a daemon killed while the file system is frozen, and a host that
# never sends THAW (vss_thaw_timeout), are both ended by the kernel
# thawing it.
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc

# frozen_write N: a write in the background, its mark /tmp/w.N.
frozen_write() {
	(echo "write $1" >"/mnt/vss/f$1" && sync && touch "/tmp/w.$1") &
}

vssd_up() {
	hv_vss_daemon -n >/tmp/vssd.log 2>&1 &
	vssd=$!
	eventually sh -c "[ \$(dmesg | grep -c 'VSS: daemon registered') -ge $1 ]"
}

plan 25
check "the disk's ext4 mounts" sh -c \
	'modprobe virtio_blk && modprobe crc32c_generic && modprobe ext4 && mkdir -p /mnt/vss &&
	 for i in $(seq 1 60); do [ -b /dev/vda ] && break; sleep 0.5; done &&
	 mount -t ext4 /dev/vda /mnt/vss'
IC_PARAMS="daemon_timeout=3 vss_thaw_timeout=8"
ic_setup vss
check "VSS negotiates" ic_wait vss state ready
is "  framework 3.0, VSS 5.0" \
	"$(ic_val vss framework)/$(ic_val vss version)" 3.0/5.0
is "GET_DM_INFO is the kernel's: S_OK" "$(ic_do vss op dm_info)" ok
is "a packet cut to 32 bytes (HV_INVALIDARG)" \
	"$(ic_do vss inject 'short 32')" status=0x80070057
is "an unknown message type (HV_E_FAIL)" "$(ic_do vss inject 'type 9')" \
	status=0x80004005
check "hv_vss_daemon registers" vssd_up 1
is "HOT_BACKUP: no auto-recovery" "$(ic_do vss op hot_backup) $(ic_val vss vss.flags)" \
	"ok 0x5"

is "FREEZE" "$(ic_do vss op freeze)" ok
frozen_write 1
sleep 3
check "  a write blocks while frozen" test ! -e /tmp/w.1
is "THAW" "$(ic_do vss op thaw)" ok
check "  the write completes" eventually test -e /tmp/w.1

is "FREEZE again" "$(ic_do vss op freeze)" ok
frozen_write 2
sleep 2
check "  a write blocks" test ! -e /tmp/w.2
kill -9 "$vssd"
check "the daemon is killed: the kernel thaws, the write completes" \
	eventually test -e /tmp/w.2
is "  THAW with no daemon: S_OK" "$(ic_do vss op thaw)" ok

check "the daemon comes back" vssd_up 2
is "FREEZE, and no THAW from the host" "$(ic_do vss op freeze)" ok
frozen_write 3
sleep 2
check "  a write blocks" test ! -e /tmp/w.3
check "  after vss_thaw_timeout (8 s) the kernel thaws" \
	sh -c 'for i in $(seq 1 150); do [ -e /tmp/w.3 ] && exit 0; sleep 0.1; done; exit 1'
check "  and says why" sh -c \
	"dmesg | grep -q 'VSS: no THAW from the host in time: the kernel thawed 1 file system'"
