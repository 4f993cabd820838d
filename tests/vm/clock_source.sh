#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# hv_clock's TSC-page clocksource on hvsim: it registers (rated low, so
# the kernel keeps its TSC), hvsim maps the guest's page, the page stays
# within 1 ms of hvsim's reference counter (the raw monotonic clock,
# computed without the page) over 10 s, it can be selected through sysfs
# and keeps time there, and while hvsim holds the page invalid readings
# fall back to the reference counter.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/clock_lib.inc

# accuracy N: N+1 readings 0.5 s apart; sets maxabs, lo, hi, span, valid,
# nread and gap (the widest bracket of counter readings around a page
# reading: the error of one comparison is half of it).
accuracy() {
	_i=0
	: >/tmp/acc
	while [ $_i -le "$1" ]; do
		cat $C/now >>/tmp/acc
		[ $_i = "$1" ] || sleep 0.5
		_i=$((_i + 1))
	done
	set -- $(awk '{ d = $2 - $4; if (d < 0) a = -d; else a = d;
		if (NR == 1 || d < lo) lo = d; if (NR == 1 || d > hi) hi = d;
		if (a > m) m = a; if (NR == 1) r0 = $4; r1 = $4; v += $6;
		if ($8 > g) g = $8 }
		END { print m, lo, hi, r1 - r0, v, NR, g }' /tmp/acc)
	maxabs=$1 lo=$2 hi=$3 span=$4 valid=$5 nread=$6 gap=$7
}

# slept_ticks: reference ticks that "sleep 1" takes.
slept_ticks() {
	_r0=$(ref_now)
	sleep 1
	echo $(($(ref_now) - _r0))
}

plan 24

check "hvsim loads" modprobe hvsim
check "hv_clock loads" modprobe hv_clock
check "hv_clock_tsc_page is an available clocksource" \
	grep -qw hv_clock_tsc_page $CS/available_clocksource
is "  the kernel keeps its own (rated low under hvsim)" \
	"$(cat $CS/current_clocksource)" tsc
is "  rated 40" "$(val $C/stats cs_rating)" 40
is "hvsim has the guest's page enabled" "$(val $HC/counters enabled)" 1
check "  at a page-aligned guest address" \
	sh -c "[ \$(($(val $HC/counters gpa) % 4096)) = 0 ]"
is "  sequence 1, nominal scale" \
	"$(val $HC/counters sequence) $(val $HC/counters ppm)" "1 0"
diag "tsc_khz $(val $HC/counters tsc_khz) scale $(val $HC/counters scale)"

accuracy 20
diag "page - ref over ${span} ticks: min $lo max $hi (100 ns units), $nread readings, widest bracket $gap"
check "over 10 s the page stays within 1 ms of hvsim's counter" \
	[ "$maxabs" -lt 10000 ]
check "  the readings span at least 10 s of reference time" \
	[ "$span" -ge 100000000 ]
is "  every reading came from the page" "$valid" "$nread"
is "  no reading fell back" "$(val $C/stats fallbacks)" 0

check "hv_clock_tsc_page can be selected" \
	write $CS/current_clocksource hv_clock_tsc_page
is "  it is the current clocksource" "$(cat $CS/current_clocksource)" \
	hv_clock_tsc_page
t=$(slept_ticks)
diag "sleep 1 took $t ticks"
check "  time runs on it: sleep 1 takes 1 to 3 s" \
	[ "$t" -ge 10000000 ] && [ "$t" -lt 30000000 ]

f0=$(val $C/stats fallbacks)
check "hvsim invalidates the page" write $HC/invalidate 1
is "  hvsim's page shows sequence 0" "$(val $HC/counters sequence)" 0
is "  readings come from the reference counter" "$(now_field valid)" 0
t=$(slept_ticks)
diag "sleep 1 took $t ticks on the fallback"
check "  time still runs: sleep 1 takes 1 to 3 s" \
	[ "$t" -ge 10000000 ] && [ "$t" -lt 30000000 ]
check "  counted as fallbacks" stats_at_least fallbacks $((f0 + 1))
check "the page is valid again" \
	sh -c "echo 0 >$HC/invalidate && [ \$(awk '{print \$6}' $C/now) = 1 ]"

check "the TSC is selected back" write $CS/current_clocksource tsc
check "hv_clock unloads, hvsim forgets the page" \
	sh -c "rmmod hv_clock && [ \$(awk '\$1 == \"enabled\" {print \$2}' $HC/counters) = 0 ]"
check "hvsim and hvcore unload" sh -c 'rmmod hvsim && rmmod hvcore'

done_testing
