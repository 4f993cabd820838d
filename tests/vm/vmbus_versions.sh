#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# For each highest version the host accepts, from WIN8 (2.4) to WIN10 5.3,
# hv_vmbus negotiates exactly that version, logs it as upstream does, makes
# contact on the multiclient connection from 5.0 on, and sees the host's
# devices; its own max_version caps the offer; a cap below 2.4, and a host
# that accepts nothing, are refused with a clear message.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc

VERSIONS="0x20004 0x30000 0x40000 0x40001 0x50000 0x50001 0x50002 0x50003"

# logged: the last version hv_vmbus logged.
logged() {
	dmesg | sed -n 's/.*hv_vmbus: Vmbus version:\([0-9.]*\)$/\1/p' |
		tail -n 1
}

plan 66

check "hvsim loads with two echo devices" modprobe hvsim devices=2

for v in $VERSIONS; do
	want="$((v >> 16)).$((v & 0xffff))"
	conn=1
	[ $((v)) -ge $((0x50000)) ] && conn=4
	write $H/max_version "$v"
	dmesg -c >/dev/null
	check "host max $want: hv_vmbus loads" modprobe hv_vmbus
	is "  the log says Vmbus version:$want" "$(logged)" "$want"
	is "  the bus reports $want" "$(val $B version)" "$want"
	is "  the host agrees" "$(val $H/counters version)" "$v"
	is "  contact was made on connection $conn" \
		"$(val $H/counters conn_id)" "$conn"
	check "  both devices appear" eventually has_ndevs 2
	check "  hv_vmbus unloads" rmmod hv_vmbus
done

write $H/max_version 0x50003
dmesg -c >/dev/null
check "max_version=0x40001 caps the offer" \
	modprobe hv_vmbus max_version=0x40001
is "  4.1 is negotiated with a 5.3 host" "$(logged)" "4.1"
check "  and hv_vmbus unloads" rmmod hv_vmbus

dmesg -c >/dev/null
check "max_version=0x10001 is refused" \
	sh -c '! modprobe hv_vmbus max_version=0x10001 2>/dev/null'
check "  with a clear message" \
	sh -c 'dmesg | grep -q "max_version 1.1 is below 2.4"'

write $H/max_version 0x10001
dmesg -c >/dev/null
check "a host that accepts no version is refused" \
	sh -c '! modprobe hv_vmbus 2>/dev/null'
check "  with a clear message" \
	sh -c 'dmesg | grep -q "the host refused every version from 5.3 down to 2.4"'
is "  no bus is left behind" "$(ls -d /sys/bus/vmbus 2>/dev/null)" ""

write $H/max_version 0x50003
check "hvsim and hvcore unload" sh -c 'rmmod hvsim && rmmod hvcore'

done_testing
