#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# Under a simulated host the kernel's own hv_vp_index and
# hv_read_reference_counter are filled from the backend while the bus uses
# it, and restored when it lets go.
. /hvguest/tests/vm/lib.sh

plan 9

f=/sys/kernel/debug/hvcore/kernel_hv
val() {
	sed -n "s/^$1 //p" $f
}

modprobe hvsim
is "nothing installed while the backend is unused" "$(val installed)" 0
is "hv_vp_index is the kernel's NULL" "$(val hv_vp_index)" null

modprobe hv_vmbus
is "installed while hv_vmbus holds the backend" "$(val installed)" 1
is "cpu0 is VP 0" "$(val cpu0.vp)" 0
is "cpu1 is VP 1" "$(val cpu1.vp)" 1
is "hv_max_vp_index" "$(val hv_max_vp_index)" 1

# The reference counter runs at 10 MHz from boot, as uptime does.
r1=$(val reference_counter)
sleep 1
r2=$(val reference_counter)
up=$(cut -d. -f1 /proc/uptime)
d=$(( (r2 - r1) / 100000 ))
check "hv_read_reference_counter advances at 10 MHz ($d centiseconds in 1s)" \
	test "$d" -ge 90 -a "$d" -le 300
check "and counts from boot (${r2}, uptime ${up}s)" \
	test $((r2 / 10000000)) -ge $((up - 2)) -a $((r2 / 10000000)) -le $((up + 2))

rmmod hv_vmbus
is "restored when the last user leaves" "$(val hv_vp_index)" null

done_testing
