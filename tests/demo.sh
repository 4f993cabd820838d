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

step "the host's view"
cat $H/devices
grep -E '^(connected|version|offers_sent|devices|rx\.|tx\.)' $H/counters | awk '$2 != 0'

step "unload: the guest says UNLOAD, the host answers"
rmmod hv_vmbus
grep -E '^(connected|rx\.unload|tx\.unload)' $H/counters
