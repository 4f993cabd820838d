#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none --timeout 1200
#
# 20 load/unload cycles of hv_vmbus with devices present (two of them with
# monitor IDs), each with a hot add and a rescind, and the test
# driver bound to every device: the bus's live devices,
# channels and pages match what is offered while loaded, and hvsim's live
# objects (offers, relids, monitor IDs, queued messages) and hvcore's
# SynIC pages come back to their starting values after each unload.  vmrun
# fails the run on any kernel warning.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc

C=/sys/kernel/debug/hvcore/synic
CYCLES=20
KEYS="devices offered rescinded relids monitors in_queue out_queue connected"

# host_live: hvsim's live-object counters, on one line.
host_live() {
	for k in $KEYS; do
		printf '%s=%s ' "$k" "$(val $H/counters $k)"
	done
}

# synic_live: hvcore's SynIC pages and enables, on one line.
synic_live() {
	grep -E '\.(pages|enabled) ' $C | tr '\n' ' '
}

# fail WHAT: count a failed step of a cycle.
fail() {
	echo "#   cycle $i: $*"
	fails=$((fails + 1))
}

plan 10

check "hvsim loads with four echo devices" modprobe hvsim devices=4
check "two more with monitor IDs" \
	sh -c "echo '$ECHO_CLASS $(inst 1) monitor' >$H/add && \
	       echo '$ECHO_CLASS $(inst 2) monitor' >$H/add"
host0=$(host_live)
synic0=$(synic_live)
diag "host: $host0"
testdrv=0
modinfo hvb_testdrv >/dev/null 2>&1 && testdrv=1
is "the test driver is built, so every cycle binds a driver" "$testdrv" 1

fails=0
i=1
while [ $i -le $CYCLES ]; do
	modprobe hv_vmbus || fail "hv_vmbus did not load"
	eventually has_ndevs 6 || fail "$(ndevs) devices, not 6"
	[ "$(val $B devices)" = 6 ] || fail "bus devices $(val $B devices)"
	[ "$(val $B channels)" = 6 ] || fail "bus channels $(val $B channels)"
	[ "$(val $B pages)" = 3 ] || fail "bus pages $(val $B pages)"

	if [ $testdrv = 1 ]; then
		modprobe hvb_testdrv || fail "hvb_testdrv did not load"
		write $TESTDRV/new_id $ECHO_CLASS || fail "new_id"
		eventually sh -c "[ \$(cat $TESTDRV_P/probes) = 6 ]" ||
			fail "probes $(param probes)"
	fi

	write $H/add "$ECHO_CLASS $(inst 3)" || fail "hot add"
	eventually ready "$(inst 3)" || fail "hot-added device missing"
	write $H/rescind "$(inst 3)" || fail "rescind"
	eventually gone "$D/$(inst 3)" || fail "rescinded device still there"
	settles $B channels 6 >/dev/null || fail "channels after rescind"

	if [ $testdrv = 1 ]; then
		rmmod hvb_testdrv || fail "hvb_testdrv did not unload"
	fi
	rmmod hv_vmbus || fail "hv_vmbus did not unload"
	[ "$(host_live)" = "$host0" ] || fail "host: $(host_live)"
	[ "$(synic_live)" = "$synic0" ] || fail "synic: $(synic_live)"
	i=$((i + 1))
done
is "$CYCLES load/unload cycles, every step as expected" "$fails" 0

is "hvsim's live objects are back to their start" "$(host_live)" "$host0"
is "hvcore's SynIC pages are back to their start" "$(synic_live)" "$synic0"
is "nothing is left on the bus" "$(ls -d /sys/bus/vmbus 2>/dev/null)" ""
is "no host message was refused or dropped" \
	"$(grep -E '^(rejected\.|dropped|undeliverable)' $H/counters |
	   awk '{ s += $2 } END { print s + 0 }')" 0
check "hv_vmbus logged no refused message" \
	sh -c '! dmesg | grep -q "hv_vmbus: host message refused"'
check "hvsim and hvcore unload" sh -c 'rmmod hvsim && rmmod hvcore'

done_testing
