#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 4 --load none --kmod hv_storvsc --kmod sd_mod
#
# Multiple hardware queues of the in-tree hv_storvsc on hvsim's storvsp:
# with four CPUs the guest asks for three sub-channels after
# END_INITIALIZATION, the host offers them, the guest opens them, the
# disk gets four blk-mq hardware queues, and reads issued from every CPU
# travel on the sub-channels (the host's per-channel packet counters).
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/storvsc_lib.inc

inst=5c510000-0000-4000-8000-000000000001

plan 9
echo "storvsc_mq.sh: start" >/dev/kmsg

check "hvsim with a SCSI controller, hv_vmbus, hv_storvsc and sd_mod load" \
	scsi_up scsi_lun_mb=32
check "the disk appears" eventually [ -e /sys/block/sda/size ]
# open_chans: the controller's channels the host has open.
open_chans() {
	grep "instance=$inst " $H/channels | grep -c 'state=open'
}
check "the host offered three sub-channels and the guest opened them" \
	eventually [ "$(open_chans)" = 4 ]
is "  the guest's device has four channels" \
	"$(ls $D/$inst/channels | wc -l)" 4
is "  the disk has four hardware queues" "$(ls /sys/block/sda/mq | wc -l)" 4

# sub_rx: "SUB PACKETS" per sub-channel: packets the host read on it.
# Only what changes during the reads counts: the probe's I/O is before.
sub_rx() {
	grep "instance=$inst sub=[1-9]" $H/channels |
		sed 's/.* sub=\([0-9]*\) .* rx=\([0-9]*\) .*/\1 \2/'
}
sub_rx >/tmp/sub_rx0
ok=0
for cpu in 0 1 2 3; do
	taskset -c $cpu dd if=/dev/sda of=/dev/null bs=4096 count=256 \
		iflag=direct 2>/dev/null && ok=$((ok + 1))
done
is "direct reads of 1 MiB from each of the four CPUs" $ok 4
sub_rx >/tmp/sub_rx1
# delta: "SUB CHANGE" per sub-channel, from both snapshots.
delta() {
	awk 'NR == FNR { b[$1] = $2; next } { print $1, $2 - b[$1] }' \
		/tmp/sub_rx0 /tmp/sub_rx1
}
diag "sub-channel packets during the reads: $(delta | tr '\n' ' ')"
check "  the sub-channels carried them" \
	[ "$(delta | awk '{ n += $2 } END { print n + 0 }')" -ge 256 ]
check "  more than one sub-channel carried I/O" \
	[ "$(delta | awk '$2 > 0' | wc -l)" -ge 2 ]
check "no kernel warning or error on the way" \
	sh -c "! dmesg -r | sed -n '/storvsc_mq.sh: start/,\$p' |
	       grep -E '^<[0-4]>' | grep -v 'taints kernel'"

done_testing
