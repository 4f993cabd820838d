#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# Channels end to end with the test VSC hvb_echo and hvsim's echo device:
# 100,000 packets of mixed sizes over every send and receive entry point,
# content checked; sub-channels carrying traffic in parallel, closed and
# reopened on their own; the per-channel sysfs files; the GPADL limit;
# the entry points that cannot work here failing as documented.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/echo_lib.inc

plan 52

check "hvsim, hv_vmbus and hvb_echo load with one echo device" echo_up 1
dev=$D/$(echo_dev 1)
relid=$(cat "$dev/id")
is "the host sees the primary channel open" "$(hchan "$relid" state)" open
is "  interrupting vp 0" "$(hchan "$relid" vp)" 0

check "100,000 echoes of 16..3000 bytes come back intact" \
	cmd echo 100000 16 3000
is "  all received" "$(estat received)" 100000
is "  none bad" "$(estat bad)" 0
is "  none twice" "$(estat dup)" 0
is "  no completion the guest did not ask for" "$(estat unknown_comp)" 0
is "  the host read every packet" "$(hchan "$relid" rx)" 100000
is "  and corrupted nothing" "$(hchan "$relid" broken)" 0
diag "host: $(grep "^relid=$relid " "$HC")"

# The sysfs view of the open channel.
C=$dev/channels/$relid
for f in cpu in_mask out_mask read_avail write_avail interrupts events \
	 intr_in_full intr_out_empty out_full_first out_full_total \
	 subchannel_id; do
	[ -r "$C/$f" ] || missing="$missing $f"
done
is "every channels/RELID file is there" "${missing:-none}" none
check "  but no monitor files: no monitor ID" \
	sh -c "! ls $C/pending $C/latency $C/monitor_id 2>/dev/null"
is "  the ring is empty again" "$(cat "$C/read_avail")" 0
check "  it took interrupts" [ "$(cat "$C/interrupts")" -gt 0 ]
check "  and signalled the host" [ "$(cat "$C/events")" -gt 0 ]
is "  the guest's signals are the host's" "$(cat "$C/events")" \
	"$(hchan "$relid" signals)"
check "  the outbound ring was full at times" \
	[ "$(cat "$C/out_full_total")" -gt 0 ]
is "  subchannel_id of the primary" "$(cat "$C/subchannel_id")" 0
for f in in_intr_mask in_read_index in_write_index in_read_bytes_avail \
	 in_write_bytes_avail out_intr_mask out_read_index out_write_index \
	 out_read_bytes_avail out_write_bytes_avail channel_vp_mapping; do
	[ -r "$dev/$f" ] || missing2="$missing2 $f"
done
is "every in_*, out_* and channel_vp_mapping file is there" \
	"${missing2:-none}" none
is "  channel_vp_mapping names the channel" \
	"$(cat "$dev/channel_vp_mapping")" "$relid:0"

check "3 sub-channels are asked for and opened" cmd subch 3
is "  4 channels are open" "$(estat chans)" 4
is "  the host offered 3 more channels" \
	"$(grep -c "instance=$(echo_dev 1) sub=[123] state=open" "$HC")" 3
check "  4 channel directories in sysfs" \
	[ "$(ls "$dev/channels" | wc -l)" = 4 ]
is "  channel_vp_mapping lists 4" \
	"$(tr ',' '\n' <"$dev/channel_vp_mapping" | wc -l)" 4
check "20,000 echoes spread over the 4 channels" cmd echo 20000 16 2048
busy=0
for i in 0 1 2 3; do
	[ "$(echan $i rx)" -ge 5000 ] && busy=$((busy + 1))
done
is "  each channel carried its share" "$busy" 4
check "sub-channel 2 closes on its own" cmd close 2
is "  the host sees it closed" "$(grep -c "sub=2 state=closed" "$HC")" 1
is "  the others stay open" "$(estat chans)" 3
check "  traffic goes on over the 3 others" cmd echo 3000 16 512
check "  and it opens again" cmd open 2
check "  and carries traffic again" cmd echo 4000 16 512

check "a GPADL of 8 MiB is granted and torn down" cmd gpadl 8192
write $H/gpadl_limit_mb 64
check "with a 64 MiB limit, 30 MiB is granted" cmd gpadl 30720 keep
check "  and another 30 MiB" cmd gpadl 30720 keep
check "  but not 8 MiB more" sh -c "! echo 'gpadl 8192' >$E/cmd"
is "  the host counted the refusal" "$(val $H/counters gpadl.refused)" 1
check "  the traffic goes on" cmd echo 1000 16 3000
check "  the two are torn down" cmd release
check "  then 16 MiB is granted again" cmd gpadl 16384
check "a GPADL beyond what one header can describe is refused" \
	sh -c "! echo 'gpadl 65536' >$E/cmd"

# A channel with a monitor ID: the guest signals through the monitor page.
mon=$(inst 77)
check "an echo device with a monitor ID is offered" \
	write $H/add "echo $mon monitor"
check "  hvb_echo binds it" eventually [ -e /sys/kernel/debug/hvb_echo/$mon/cmd ]
mrelid=$(cat "$D/$mon/id")
MC=$D/$mon/channels/$mrelid
check "  its monitor files are there" \
	[ -r "$MC/pending" ] && [ -r "$MC/latency" ] && [ -r "$MC/monitor_id" ]
is "  monitor_id is the host's" "$(cat "$MC/monitor_id")" \
	"$(grep "instance=$mon" $H/devices | kv monitor)"
E0=$E
E=/sys/kernel/debug/hvb_echo/$mon
check "  2,000 echoes through the monitor page" cmd echo 2000 16 1024
check "  the host saw the guest's signals" [ "$(hchan "$mrelid" signals)" -gt 0 ]
E=$E0

check "vmbus_allocate_mmio fails with -ENXIO, free_mmio copes" cmd mmio
check "ring debug info is consistent" cmd debuginfo
check "an hv_sock connect request is posted" cmd tlconnect
check "hvb_echo, hv_vmbus and hvsim unload" \
	sh -c 'rmmod hvb_echo && rmmod hv_vmbus && rmmod hvsim'
done_testing
