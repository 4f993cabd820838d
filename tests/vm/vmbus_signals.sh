#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# The guest signals the host exactly when it must, counted by hvsim: once
# when a ring goes from empty to non-empty while the host waits, never
# while the host polls (interrupt_mask set), and after reading only when
# the host waits for the space (pending_send_sz) and the read freed it.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/echo_lib.inc

plan 28

check "one echo device, hvb_echo bound" echo_up 1
R=$(cat "$D/$(echo_dev 1)/id")
C=$D/$(echo_dev 1)/channels/$R
sig() { hchan "$R" signals; }
unneeded() { hchan "$R" unneeded; }

# A: a paused host waits (interrupt_mask 0): K packets, one signal.
cmd reset
s0=$(sig)
check "the host pauses channel $R" write $H/chanctl "pause $R"
check "  10 packets are sent" cmd send 10 64
is "  exactly 1 signal for them" "$(($(sig) - s0))" 1
is "  and it was needed" "$(unneeded)" 0
check "  the host resumes and echoes all" \
	sh -c "echo 'resume $R' >$H/chanctl && echo wait >$E/cmd"

# B: a host that polls (interrupt_mask 1) gets no signal.
s0=$(sig)
check "the host pauses with interrupt_mask set" write $H/chanctl "pause $R mask"
is "  the guest sees the mask" "$(cat "$C/out_mask")" 1
check "  10 packets are sent" cmd send 10 64
is "  no signal at all" "$(($(sig) - s0))" 0
check "  the host resumes and echoes all" \
	sh -c "echo 'resume $R' >$H/chanctl && echo wait >$E/cmd"
is "  nothing unneeded so far" "$(unneeded)" 0

# fill: with channel 0's callback holding packets, send 60 of 496 bytes:
# the echoes fill the 16 KiB inbound ring and the host waits for space.
fill() {
	cmd hold 1 && cmd send 60 496 &&
		eventually [ "$(cat "$C/read_avail")" -ge 11000 ]
}

# C: the host asked for space (pending_send_sz): the read that frees it
# signals once, however many packets it reads.
check "the inbound ring fills up" fill
check "  the host waits for space: pending_send_sz is set" \
	eventually [ "$(echan 0 in_pending)" -gt 0 ]
check "  and is paused" write $H/chanctl "pause $R"
s0=$(sig)
check "  the guest reads everything" cmd drain
is "  exactly 1 signal" "$(($(sig) - s0))" 1
is "  and it was needed" "$(unneeded)" 0
check "  the rest is echoed" sh -c "echo 'resume $R' >$H/chanctl && \
	echo 'hold 0' >$E/cmd && echo drain >$E/cmd && echo wait >$E/cmd"

# D: without pending_send_sz the host polls: reading signals nothing.
check "the host stops using pending_send_sz" write $H/chanctl "pend $R off"
check "the inbound ring fills up" fill
sleep 0.5
is "  pending_send_sz stays 0" "$(echan 0 in_pending)" 0
check "  and the host is paused" write $H/chanctl "pause $R"
s0=$(sig)
check "  the guest reads everything" cmd drain
is "  no signal" "$(($(sig) - s0))" 0
check "  the rest is echoed" sh -c "echo 'resume $R' >$H/chanctl && \
	echo 'hold 0' >$E/cmd && echo drain >$E/cmd && echo wait >$E/cmd"
is "no signal was unneeded" "$(unneeded)" 0
check "unload" sh -c 'rmmod hvb_echo && rmmod hv_vmbus && rmmod hvsim'
done_testing
