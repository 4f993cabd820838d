#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --mem 1536 --load none --kmod hv_storvsc --kmod sd_mod --kmod ext4 --kmod crc32c_generic --add /usr/sbin/mke2fs:/usr/sbin/mkfs.ext4 --add /usr/sbin/e2fsck --timeout 900
#
# The kernel's in-tree hv_storvsc on hvsim's SCSI controllers (storvsp):
# one controller of two 256 MiB LUNs from the module parameters, one of
# a 64 MiB LUN added through debugfs.  Every LUN becomes a disk of its
# size; an ext4 file system made on one passes fsck, and 128 MiB written
# into a file read back after the page cache was dropped has the same
# SHA-256.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/storvsc_lib.inc
C2=5c510000-0000-4000-8000-0000000000c2

plan 12
echo "storvsc_disk.sh: start" >/dev/kmsg

check "hvsim with a SCSI controller of two LUNs, hv_vmbus, hv_storvsc and sd_mod load" \
	scsi_up scsi_luns=2 scsi_lun_mb=256
check "a second controller with a 64 MiB LUN is added through debugfs" \
	write $H/add "scsi $C2 luns=1 size_mb=64"

# disks: the sizes (512-byte sectors) of the sd disks, sorted.
disks() {
	for _b in /sys/block/sd*; do
		[ -e "$_b/size" ] && cat "$_b/size"
	done | sort -n | tr '\n' ' '
}
has_disks() {
	[ "$(disks)" = "$1" ]
}
check "three disks appear" eventually has_disks "131072 524288 524288 "
is "  their sizes" "$(disks)" "131072 524288 524288 "
is "  both controllers finished the init sequence at 6.2" \
	"$(grep -c 'state=ready version=0x602' $S/luns)" 2

# errs: EXECUTE_SRBs the host failed, over all controllers (the probe's
# questions about pages a disk does not have among them).
errs() {
	sed -n 's/.* errors=\([0-9]*\).*/\1/p' $S/luns |
		awk '{ n += $1 } END { print n + 0 }'
}
errs_before=$(errs)
diag "after the probe: $(grep -m 1 ' errors=' $S/luns | sed 's/.* errors=/errors=/')"

# The 256 MiB disk at LUN 0 of the first controller.
dev=
for d in /sys/class/scsi_disk/*; do
	b=$(ls "$d/device/block" 2>/dev/null)
	[ "$(cat /sys/block/$b/size 2>/dev/null)" = 524288 ] && dev=/dev/$b &&
		break
done
diag "ext4 on $dev"
check "mkfs.ext4" sh -c "mkfs.ext4 -q -F $dev >/dev/null 2>&1"
check "fsck finds it clean" e2fsck -fn "$dev"
mkdir -p /mnt
check "128 MiB written into a file" \
	sh -c "modprobe crc32c_generic && modprobe ext4 && mount -t ext4 $dev /mnt &&
	       head -c 134217728 /dev/urandom | tee /mnt/f | sha256sum |
	       cut -d' ' -f1 >/tmp/sum && umount /mnt"
echo 3 >/proc/sys/vm/drop_caches
check "  read back with the same SHA-256" \
	sh -c "mount -t ext4 -o ro $dev /mnt &&
	       [ \"\$(sha256sum /mnt/f | cut -d' ' -f1)\" = \"\$(cat /tmp/sum)\" ] &&
	       umount /mnt"
check "  fsck still finds it clean" e2fsck -fn "$dev"
is "  no SRB failed on the host meanwhile" "$(errs)" "$errs_before"
check "no kernel warning or error on the way" \
	sh -c "! dmesg -r | sed -n '/storvsc_disk.sh: start/,\$p' |
	       grep -E '^<[0-4]>' | grep -v 'taints kernel'"

done_testing
