#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# The simulated SynIC end to end, with hvsim's stand-in guest playing the
# bus: messages land on the CPU they are posted to, a busy slot queues them
# in the host until the guest's EOM, a full queue refuses, event flags
# interrupt, and an offline CPU keeps its messages and its interrupt until
# it is back, all without a kernel warning (vmrun fails on any).
. /hvguest/tests/vm/lib.sh

H=/sys/kernel/debug/hvsim
C=/sys/kernel/debug/hvcore/synic
CPU1=/sys/devices/system/cpu/cpu1/online

# refused FILE TEXT: the write fails.
refused() {
	! write "$1" "$2"
}

# at_least FILE KEY MIN
at_least() {
	[ "$(val "$1" "$2")" -ge "$3" ]
}

plan 39

check "hvsim loads" modprobe hvsim
check "debugfs has inject, signal, raise, guest, counters" \
	sh -c "for f in inject signal raise guest counters; do
		[ -e $H/\$f ] || exit 1; done"
check "hvcore shows the SynIC per CPU" test -r "$C"

# No guest SynIC yet: messages wait, signals are refused.
check "inject to vp0 with the SynIC disabled is accepted" \
	write $H/inject "0 2 1"
is "  it waits in the host queue" "$(val $H/counters vp0.waiting)" 1
is "  nothing is delivered" "$(val $H/counters vp0.delivered)" 0
check "a signal to a disabled SynIC is refused" refused $H/signal "0 2 3"
is "  and counted as dropped" "$(val $H/counters vp0.dropped)" 1
check "an inject to SINT 16 is refused" refused $H/inject "0 16 1"

# The stand-in guest enables the SynIC of both CPUs.
check "the stand-in guest starts" write $H/guest on
is "hvcore sees cpu0's SynIC enabled" "$(val $C cpu0.enabled)" 1
is "hvcore sees cpu1's SynIC enabled" "$(val $C cpu1.enabled)" 1
check "the waiting message is delivered on enable" \
	settles $H/guest cpu0.msgs 1
is "  and the host queue is empty" "$(val $H/counters vp0.waiting)" 0

check "a message to vp0 lands on cpu0" write $H/inject "0 2 1 16"
check "  cpu0 takes it" settles $H/guest cpu0.msgs 2
is "  with its length" "$(val $H/guest cpu0.last_len)" 16
check "a message to vp1 lands on cpu1" write $H/inject "1 2 0x80000010"
check "  cpu1 takes it" settles $H/guest cpu1.msgs 1
is "  with its type" "$(val $H/guest cpu1.last_type)" 0x80000010
check "  cpu1 took an interrupt" at_least $C cpu1.interrupts 1

# A guest that does not free its slot: the host queues, then refuses.
write $H/guest hold
write $H/inject "1 2 1"
settles $H/counters vp1.delivered 2 >/dev/null
n=0
i=0
while [ $i -lt 17 ]; do
	write $H/inject "1 2 1" && n=$((n + 1))
	i=$((i + 1))
done
is "16 more messages queue behind a held slot, the 17th is refused" "$n" 16
is "  the host counts the refusal" "$(val $H/counters vp1.refused)" 1
is "  16 wait" "$(val $H/counters vp1.waiting)" 16

# Taking them again: each freed slot with msg_pending gets an EOM.
write $H/guest consume
write $H/raise 1
check "after an interrupt the guest drains all 17 through EOMs" \
	settles $H/guest cpu1.msgs 18
is "  nothing waits" "$(val $H/counters vp1.waiting)" 0
check "  one EOM per redelivery" at_least $H/counters vp1.eoms 16
check "an event flag reaches cpu1" write $H/signal "1 2 5"
check "  cpu1 takes it" settles $H/guest cpu1.events 1
is "  the host counts one 0->1 signal" "$(val $H/counters vp1.signals)" 1
diag "cpu0: $(val $H/guest cpu0.msgs) messages, cpu1: $(val $H/guest cpu1.msgs)"

# CPU 1 goes offline: its SynIC is disabled, its interrupt held.
irqs=$(val $C cpu1.interrupts)
check "cpu1 goes offline" write $CPU1 0
write $H/inject "1 2 1"
write $H/raise 1
is "a message for the offline vp1 waits" \
	"$(val $H/counters vp1.waiting)" 1
is "an interrupt for the offline vp1 is held" \
	"$(val $H/counters vp1.irq_pending)" 1
check "cpu1 comes back" write $CPU1 1
check "  the held message is delivered there" \
	settles $H/guest cpu1.msgs 19
is "  the held interrupt is no longer pending" \
	"$(val $H/counters vp1.irq_pending)" 0
check "  cpu1 took it" eventually at_least $C cpu1.interrupts $((irqs + 1))
is "  it was counted as deferred once" "$(val $H/counters vp1.deferred)" 1

check "the guest stops and hvsim, hvcore unload" \
	sh -c "echo off >$H/guest && rmmod hvsim && rmmod hvcore"

done_testing
