#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none --kmod hv_storvsc --kmod sd_mod
#
# LUNs come, go and grow at run time under the in-tree hv_storvsc, the
# way the host tells it: a LUN added through hvsim's storvsp/ctl is
# announced by ENUMERATE_BUS and the guest's scan finds it; a LUN removed
# is announced the same way, the guest's TEST UNIT READY gets INVALID_LUN
# and the disk goes; a LUN resized answers its next command with UNIT
# ATTENTION, CAPACITY DATA HAS CHANGED, and the guest rescans it.  A
# LUN removed without a word is found gone after REMOVE_DEVICE, which
# the host counts (luns: removes=).
# storvsc logs the failed commands of the removed and the resized LUN
# (its "status: scsi 0x2 srb 0x20" and "srb 0x84" lines): those are the
# expected answers and are not counted as warnings.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/storvsc_lib.inc

inst=5c510000-0000-4000-8000-000000000001

plan 16
echo "storvsc_hotplug.sh: start" >/dev/kmsg

check "hvsim with a SCSI controller of two 32 MiB LUNs, hv_vmbus, hv_storvsc and sd_mod load" \
	scsi_up scsi_luns=2 scsi_lun_mb=32

# luns: "LUN:sectors" of the disks, sorted.
luns() {
	for _d in /sys/class/scsi_disk/*; do
		[ -e "$_d" ] || continue
		_b=$(ls "$_d/device/block" 2>/dev/null) || continue
		echo "${_d##*:}:$(cat /sys/block/$_b/size 2>/dev/null)"
	done | sort | tr '\n' ' '
}
has_luns() {
	[ "$(luns)" = "$1" ]
}
check "LUNs 0 and 1 are disks" eventually has_luns "0:65536 1:65536 "

rescans=$(ctrl_val rescans)
check "LUN 2 of 48 MiB is added on the host" write $S/ctl "add $inst 2 48"
is "  the host sent ENUMERATE_BUS" \
	"$(ctrl_val rescans)" $((rescans + 1))
check "  the guest finds it" eventually has_luns "0:65536 1:65536 2:98304 "

check "LUN 1 is removed on the host" write $S/ctl "remove $inst 1"
check "  its disk goes" eventually has_luns "0:65536 2:98304 "

check "LUN 0 grows to 64 MiB on the host" write $S/ctl "resize $inst 0 64"
# The guest learns at the LUN's next command.
b0=$(ls /sys/class/scsi_disk/*:0/device/block)
dd if=/dev/$b0 of=/dev/null bs=512 count=1 iflag=direct 2>/dev/null
check "  after a read the guest sees the new size" \
	eventually has_luns "0:131072 2:98304 "

# REMOVE_DEVICE makes the guest scan as ENUMERATE_BUS does: a TEST UNIT
# READY to each disk, then REPORT LUNS.  LUN 2 is removed quietly first
# (no ENUMERATE_BUS): only REMOVE_DEVICE can make the guest drop it.
rescans=$(ctrl_val rescans)
check "LUN 2 is removed on the host without telling the guest" \
	write $S/ctl "remove $inst 2 quiet"
is "  no ENUMERATE_BUS sent" \
	"$(ctrl_val rescans)" $rescans
srbs0=$(ctrl_val srbs)
removes0=$(ctrl_val removes)
check "the host sends REMOVE_DEVICE" write $S/ctl "remove_device $inst"
is "  the host counts it sent" "$(ctrl_val removes)" $((removes0 + 1))
scanned() {
	[ "$(ctrl_val srbs)" -ge $((srbs0 + 3)) ]
}
check "  the guest scans the controller" eventually scanned
check "  LUN 2's disk goes, LUN 0's stays" eventually has_luns "0:131072 "

check "no kernel warning or error on the way" \
	sh -c "! dmesg -r | sed -n '/storvsc_hotplug.sh: start/,\$p' |
	       grep -E '^<[0-4]>' | grep -v 'taints kernel' |
	       grep -vE 'hv_storvsc .*status: scsi 0x2 srb 0x(20|84) '"

done_testing
