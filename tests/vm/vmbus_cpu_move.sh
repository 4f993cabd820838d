#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 4 --load none
#
# Moving channel interrupts between CPUs through sysfs while echo traffic
# runs: MODIFYCHANNEL reaches the host, which keeps interrupting the old
# CPU for its lag (answering at 5.3, silent below); interrupts that land
# on the old CPU are handled; no packet is lost or duplicated; a CPU with
# channels bound cannot go offline until they are moved away.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/echo_lib.inc

plan 26

# relids: the device's channels, primary first.
relids() {
	for i in 0 1 2 3; do echan $i relid; done
}

# cpu_count IDX CPU: callbacks of channel IDX on CPU.
cpu_count() {
	echan "$1" cpus | cut -d, -f$(($2 + 1))
}

# traffic N: echo rounds of N packets in the background until
# traffic_ok stops them, so that traffic runs through every move and
# every lag however fast the machine is; the rounds' status and count
# land in /tmp/traffic.rc.
traffic() {
	rm -f /tmp/traffic.rc /tmp/traffic.stop
	(_rc=0 _n=0
	 while [ ! -e /tmp/traffic.stop ]; do
		cmd echo "$1" 16 1024 || { _rc=1; break; }
		_n=$((_n + 1))
	 done
	 echo "$_rc $_n" >/tmp/traffic.rc) &
}

# traffic_running: the background traffic has not ended on its own.
traffic_running() {
	[ ! -e /tmp/traffic.rc ]
}

# traffic_ok: stop the traffic; every round ended with its echoes intact.
traffic_ok() {
	touch /tmp/traffic.stop
	eventually [ -e /tmp/traffic.rc ] || sleep 30
	set -- $(cat /tmp/traffic.rc 2>/dev/null)
	diag "traffic: status ${1:-none} after ${2:-0} rounds"
	[ "${1:-1}" = 0 ] && [ "${2:-0}" -gt 0 ]
}

# move ROUND: every channel to CPU (index + ROUND) % 4.
move() {
	_i=0
	for _r in $(relids); do
		echo $(((_i + $1) % 4)) >"$D/$(echo_dev 1)/channels/$_r/cpu" ||
			return 1
		_i=$((_i + 1))
	done
}

check "one echo device at 5.3, a lag of 200 ms" \
	echo_up 1 "modify_lag_ms=200"
check "  4 channels" cmd subch 3
is "  all on cpu0" "$(for i in 0 1 2 3; do echan $i cpu; done | sort -u)" 0

traffic 2000
sleep 1
for k in 1 2 3; do
	move $k || break
	sleep 0.3
done
is "every channel moved in 3 rounds" "$k" 3
check "  while the traffic ran" traffic_running
r0=$(echan 0 relid)
is "  sysfs shows the new CPU" "$(cat "$D/$(echo_dev 1)/channels/$r0/cpu")" 3
is "  the host targets the new VP" "$(hchan "$r0" vp)" 3
check "  the host interrupted old VPs during the lags" \
	[ "$(val $H/counters lag_irqs)" -gt 0 ]
check "  the traffic ended with every echo intact" traffic_ok
diag "$(cat "$E/stats")"

# The counts follow the move.
before=$(cpu_count 0 3)
check "traffic after the moves" cmd echo 4000 16 256
check "  channel 0 now takes its interrupts on cpu3" \
	[ "$(cpu_count 0 3)" -gt "$before" ]

# A CPU with a channel stays online until the channel leaves it.
check "cpu3 cannot go offline while channel 0 is there: EBUSY" \
	sh -c "sh -c 'echo 0 >/sys/devices/system/cpu/cpu3/online' 2>&1 |
	       grep -q 'resource busy'"
is "  it stays online" "$(cat /sys/devices/system/cpu/cpu3/online)" 1
for r in $(relids); do
	echo 1 >"$D/$(echo_dev 1)/channels/$r/cpu"
done
check "  after every channel moved to cpu1, cpu3 goes offline" \
	write /sys/devices/system/cpu/cpu3/online 0
check "  a channel cannot move to the offline cpu3" \
	sh -c "! echo 3 >$D/$(echo_dev 1)/channels/$r0/cpu 2>/dev/null"
check "  cpu3 comes back" write /sys/devices/system/cpu/cpu3/online 1
check "  and traffic still flows" cmd echo 2000 16 256
check "unload" sh -c 'rmmod hvb_echo && rmmod hv_vmbus && rmmod hvsim'

# Below 5.3 the host does not answer: the guest moves at once, and the
# interrupts of the lag land on a CPU the channel no longer targets.
check "again at 5.2" echo_up 1 "max_version=0x50002 modify_lag_ms=300"
check "  4 channels" cmd subch 3
traffic 2000
sleep 1
for k in 1 2 3; do
	move $k || break
	sleep 0.4
done
is "  the moves were accepted" "$k" 3
check "  while the traffic ran" traffic_running
check "  interrupts came to old CPUs, and were handled there" \
	[ "$(for i in 0 1 2 3; do echan $i stale; done | awk '{ s += $1 } END { print s }')" -gt 0 ]
check "  the traffic ended with every echo intact" traffic_ok
check "  an out-of-range CPU is refused" \
	sh -c "! echo 64 >$D/$(echo_dev 1)/channels/$r0/cpu 2>/dev/null"
check "unload" sh -c 'rmmod hvb_echo && rmmod hv_vmbus && rmmod hvsim'
done_testing
