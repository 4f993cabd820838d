#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none --kmod uio_hv_generic
#
# Sub-channels under the kernel's in-tree uio_hv_generic, as DPDK's
# netvsc uses them: with /dev/uio0 open, uio_echo asks the echo device
# for three sub-channels; uio_hv_generic's sub-channel callback opens
# each (2 MiB rings) and shows its sysfs ring file; a packet goes there
# and back on each, through its ring file, with the interrupts on
# /dev/uio0.  Closing /dev/uio0 closes every channel; unbind and unload
# leave nothing on the host.
#
# The test ends with that close: uio_hv_generic of 6.12 must not be
# opened again once sub-channels were closed, as its irqcontrol then
# writes to the closed sub-channels' rings (a NULL pointer).
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc

U=/sys/bus/vmbus/drivers/uio_hv_generic
UIO=/dev/uio0
HC=$H/counters

plan 12
echo "uio_hv_subchannels.sh: start" >/dev/kmsg

check "hvsim, hv_vmbus and uio_hv_generic load with one echo device" \
	sh -c 'modprobe hvsim devices=1 && modprobe hv_vmbus &&
	       modprobe uio_hv_generic'
check "the device appears" eventually has_ndevs 1
inst=$(sed -n 's/.* instance=\([^ ]*\).*/\1/p' $H/devices | head -n 1)
relid=$(cat "$D/$inst/id")
dev=$D/$inst
check "new_id binds it to uio_hv_generic" \
	sh -c "echo $ECHO_CLASS >$U/new_id && \
	       for i in \$(seq 50); do [ -c $UIO ] && exit 0; sleep 0.2; done; \
	       exit 1"

check "three sub-channels, opened by uio_hv_generic, echo a packet each" \
	uio_echo subchannels $UIO "$dev/channels/$relid/ring" 3
is "  the device has four channels" "$(ls "$dev/channels" | wc -l)" 4
check "  the host counts four channels, closed with /dev/uio0" \
	eventually sh -c "[ \$(grep -c 'instance=$inst .*state=closed' \
		$H/channels) = 4 ]"
is "  each sub-channel carried one packet each way" \
	"$(grep "instance=$inst sub=[1-9]" $H/channels | grep -c 'rx=1 tx=1')" 3
is "  no ring was corrupt" "$(val $HC corrupt)" 0

check "unbind" write $U/unbind "$inst"
check "  the host has no channel open and no GPADL" \
	sh -c "[ \"\$(awk '\$1 == \"channels_open\" { print \$2 }' $HC)\" = 0 ] &&
	       [ \"\$(awk '\$1 == \"gpadl.count\" { print \$2 }' $HC)\" = 0 ]"
check "the modules unload" \
	sh -c 'rmmod uio_hv_generic && rmmod uio && rmmod hv_vmbus &&
	       rmmod hvsim && rmmod hvcore'
check "no kernel warning or error on the way" \
	sh -c "! dmesg -r | sed -n '/uio_hv_subchannels.sh: start/,\$p' |
	       grep -E '^<[0-4]>' | grep -v 'taints kernel'"

done_testing
