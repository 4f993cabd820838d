#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# stimer0 expiry messages (HVMSG_TIMER_EXPIRED) posted into the VMBus SINT
# slot through hvsim's inject file: hv_vmbus handles them in its interrupt
# handler (counted; as timer_dropped here, where hv_clock is not loaded
# and no stimer0 takes them), never in the VMBus message table, and the
# control messages queued behind them (a hot-added offer) still arrive.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc

INJECT=/sys/kernel/debug/hvsim/inject
TIMER=0x80000010

# timer VP: post one 24-byte timer message to VP's VMBus SINT.
timer() {
	write $INJECT "$1 2 $TIMER 24"
}

# burst INSTANCE: three timer messages on vp0, then hot-add INSTANCE.
burst() {
	timer 0 && timer 0 && timer 0 && write $H/add "$ECHO_CLASS $1"
}

# unloaded: hv_vmbus unloads and the host holds no relid any more.
unloaded() {
	rmmod hv_vmbus && [ "$(val $H/counters offered)" = 0 ]
}

plan 13

check "hvsim loads" modprobe hvsim
check "hv_vmbus loads" modprobe hv_vmbus
check "  and connects" settles $B connected 1
d0=$(val $B timer_dropped)
m0=$(val $B timer_messages)
r0=$(val $B rejected)
is "hv_vmbus counts timer messages" "${d0:+y}${m0:+y}" yy

check "a timer message on vp0 is posted" timer 0
check "  it is counted as dropped (hv_clock, whose stimer0 would take it, is not loaded)" \
	settles $B timer_dropped $((d0 + 1))
is "  no timer took it" "$(val $B timer_messages)" "$m0"
is "  the message table never saw it" "$(val $B rejected)" "$r0"

dev=$(inst 1)
check "three timer messages back to back, then a hot-added device" \
	burst "$dev"
check "  all three are counted" settles $B timer_dropped $((d0 + 4))
check "  and the offer behind them arrives" eventually ready "$dev"

check "hv_vmbus unloads, every relid back" unloaded
check "hvsim and hvcore unload" sh -c 'rmmod hvsim && rmmod hvcore'

done_testing
