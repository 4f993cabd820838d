#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What make demo shows, inside the VM.
set -e
echo "== kernel $(uname -r), $(nproc) CPUs"
echo "== modules"
grep -E '^(hvcore|hvsim|hv_vmbus) ' /proc/modules | cut -d' ' -f1-4
echo "== kernel log of the stack"
dmesg | grep -E 'hvcore|hvsim|hv_vmbus' || true
echo "== /sys/bus/vmbus"
ls /sys/bus/vmbus
echo "== devices on the bus: $(ls /sys/bus/vmbus/devices | wc -l)"
echo "== simulated host counters"
cat /sys/kernel/debug/hvsim/counters
