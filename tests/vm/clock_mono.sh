#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# hv_clock never goes backwards across 100 changes of the TSC page's
# scale and offset (hvsim's clock/change, made the way a host updates the
# page after a live migration) while two CPUs read it in a loop
# (clock_mono), first beside the kernel's TSC clocksource, then as the
# kernel's clocksource (CLOCK_MONOTONIC then runs on it too).
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/clock_lib.inc

# mono: run clock_mono, its lines as TAP comments; its exit status.
mono() {
	clock_mono $C/now $HC/change 100 >/tmp/mono 2>&1
	_rc=$?
	sed 's/^/# /' /tmp/mono
	return $_rc
}

plan 13

check "hvsim loads" modprobe hvsim
check "hv_clock loads" modprobe hv_clock
is "two CPUs online" "$(cat /sys/devices/system/cpu/online)" 0-1

check "100 changes, two readers: never backwards, all accepted" mono
is "  hvsim made them (and the reset)" "$(val $HC/counters changes)" 101
is "  the page is back at the nominal scale" "$(val $HC/counters ppm)" 0
is "  hv_clock never gave up on the page" "$(val $C/stats given_up)" 0

check "hv_clock_tsc_page selected as the kernel's clocksource" \
	write $CS/current_clocksource hv_clock_tsc_page
check "100 more changes: never backwards, nor CLOCK_MONOTONIC" mono
is "  hvsim made them" "$(val $HC/counters changes)" 202
check "the TSC is selected back" write $CS/current_clocksource tsc
diag "hv_clock: retries $(val $C/stats retries) invalid $(val $C/stats invalid) fallbacks $(val $C/stats fallbacks)"

check "hv_clock unloads" rmmod hv_clock
check "hvsim and hvcore unload" sh -c 'rmmod hvsim && rmmod hvcore'

done_testing
