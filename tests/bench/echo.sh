#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Channel benchmark, inside the VM: a million echo packets through
# hv_vmbus and hvsim, half on one channel, half spread over four (a
# primary and three sub-channels), side by side in one run.  Prints rates
# and the ratios that matter: 4 channels against 1, and the signals and
# interrupts each packet costs (the ring protocol's batching).
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/echo_lib.inc

N=${BENCH_PACKETS:-500000}

now() {
	cut -d' ' -f1 /proc/uptime
}

# run N: echo N packets of 16..1024 bytes; prints seconds elapsed.
run() {
	_t0=$(now)
	cmd echo "$1" 16 1024 || { echo "bench: echo failed" >&2; exit 1; }
	awk -v a="$_t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

totals() {
	awk '$1 == "signals" || $1 == "irqs" { printf "%s ", $2 }' $H/counters
}

echo_up 1 || exit 1
set -- $(totals)
s0=$1 i0=$2
t1=$(run "$N")
set -- $(totals)
s1=$1 i1=$2
cmd subch 3 || exit 1
t4=$(run "$N")
set -- $(totals)
s4=$1 i4=$2

awk -v n="$N" -v t1="$t1" -v t4="$t4" \
    -v s1=$((s1 - s0)) -v i1=$((i1 - i0)) \
    -v s4=$((s4 - s1)) -v i4=$((i4 - i1)) 'BEGIN {
	printf "bench: %d packets on 1 channel: %.1f s, %.0f packets/s\n", n, t1, n / t1
	printf "bench: %d packets on 4 channels: %.1f s, %.0f packets/s\n", n, t4, n / t4
	printf "bench: ratio 4 channels / 1 channel throughput: %.2f\n", t1 / t4
	printf "bench: guest signals per 100 packets: %.2f (1 channel), %.2f (4)\n", 100 * s1 / n, 100 * s4 / n
	printf "bench: host interrupts per 100 packets: %.2f (1 channel), %.2f (4)\n", 100 * i1 / n, 100 * i4 / n
}'
head -n 1 "$E/stats"
rmmod hvb_echo && rmmod hv_vmbus && rmmod hvsim
