#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What make demo shows, inside the VM: the stack on the simulated host.
H=/sys/kernel/debug/hvsim/vmbus
D=/sys/bus/vmbus/devices
step() {
	echo
	echo "== $*"
}

step "kernel $(uname -r), $(nproc) CPUs; modules"
grep -E '^(hvcore|hvsim|hv_vmbus) ' /proc/modules | cut -d' ' -f1-4

step "kernel log: backend, negotiation"
dmesg | grep -E 'hvcore|hvsim|hv_vmbus' | sed 's/^\[[ 0-9.]*\] //'

step "the host offers three test devices at run time (hot add)"
for n in 1 2 3; do
	echo "echo 6d0cd8b6-0000-4000-8000-00000000000$n" >$H/add
done
sleep 1
for d in $D/*; do
	[ -e "$d" ] || continue
	echo "$(basename "$d"): class_id=$(cat "$d/class_id") id=$(cat "$d/id") state=$(cat "$d/state")"
done

step "the host rescinds one"
echo 6d0cd8b6-0000-4000-8000-000000000002 >$H/rescind
sleep 1
ls $D

step "channels: the test VSC hvb_echo opens an echo device's channel"
echo "echo 6d0cd8b6-0000-4000-8000-0000000000e1" >$H/add
modprobe hvb_echo
sleep 1
E=/sys/kernel/debug/hvb_echo/6d0cd8b6-0000-4000-8000-0000000000e1
echo "subch 1" >$E/cmd && echo "asked the host for a sub-channel: opened"
echo "echo 10000 16 3000" >$E/cmd && echo "10,000 packets echoed, content checked"
head -n 1 $E/stats
step "moving the sub-channel's interrupts to CPU 1 (MODIFYCHANNEL)"
r=$(sed -n 's/^chan=1 relid=\([0-9]*\).*/\1/p' $E/stats)
echo 1 >$D/6d0cd8b6-0000-4000-8000-0000000000e1/channels/$r/cpu
echo "echo 2000 16 512" >$E/cmd
grep -E '^chan=' $E/stats
grep -E 'sub=' $H/channels | cut -d' ' -f1,3-8
rmmod hvb_echo

step "integration components: our hv_utils on the host's heartbeat and time sync"
IC=/sys/kernel/debug/hvsim/ic
echo heartbeat >$H/add
echo timesync >$H/add
modprobe hv_utils
sleep 2
echo 1 >$IC/heartbeat/beat
sleep 1
grep -E '^(state|framework|version|result|seq) ' $IC/heartbeat/status
echo "guest clock before: $(date -u)"
echo 3600 >$IC/timesync/offset_s
echo sync >$IC/timesync/send
sleep 2
echo "host an hour ahead, after SYNC: $(date -u)"
echo "PTP clock: $(cat /sys/class/ptp/ptp*/clock_name 2>/dev/null)"
rmmod hv_utils

step "clocks: hv_clock on hvsim's TSC page and stimer0"
modprobe hv_clock
echo "clocksources: $(cat /sys/devices/system/clocksource/clocksource0/available_clocksource)"
grep -E '^(enabled|tsc_khz|scale|offset|sequence) ' /sys/kernel/debug/hvsim/clock/counters
cat /sys/kernel/debug/hvsim/clock/ref

step "the host's view"
cat $H/devices
grep -E '^(connected|version|offers_sent|devices|rx\.|tx\.)' $H/counters | awk '$2 != 0'

step "unload: the guest says UNLOAD, the host answers"
rmmod hv_vmbus
grep -E '^(connected|rx\.unload|tx\.unload)' $H/counters
