#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none
#
# hv_vmbus needs a hypervisor backend: without one it refuses to load with
# a clear message; with hvsim it registers the bus and pins the backend;
# load and unload repeat cleanly.
. /hvguest/tests/vm/lib.sh

plan 11

dmesg -c >/dev/null
check "hv_vmbus refuses to load without a backend" \
	sh -c '! modprobe hv_vmbus 2>/dev/null'
check "the refusal is explained in the log" \
	sh -c 'dmesg | grep -q "hv_vmbus: no hypervisor backend"'
check "no vmbus bus without a backend" test ! -e /sys/bus/vmbus

check "hvsim loads" modprobe hvsim
check "hv_vmbus loads on hvsim" modprobe hv_vmbus
check "the bus is registered" test -d /sys/bus/vmbus/devices
check "the log names the sim backend" \
	sh -c 'dmesg | grep -q "hv_vmbus: bus registered on the sim backend"'
check "hvsim is pinned while hv_vmbus uses it" \
	sh -c '! rmmod hvsim 2>/dev/null'

fails=0
i=0
while [ $i -lt 5 ]; do
	rmmod hv_vmbus && rmmod hvsim && rmmod hvcore || fails=$((fails + 1))
	[ ! -e /sys/bus/vmbus ] || fails=$((fails + 1))
	modprobe hv_vmbus 2>/dev/null && fails=$((fails + 1))
	modprobe hvsim && modprobe hv_vmbus || fails=$((fails + 1))
	i=$((i + 1))
done
is "5 unload/load cycles" "$fails" 0

check "unload in order" sh -c 'rmmod hv_vmbus && rmmod hvsim && rmmod hvcore'
check "nothing of ours is left loaded" \
	sh -c '! grep -qE "^(hv_vmbus|hvsim|hvcore) " /proc/modules'

done_testing
