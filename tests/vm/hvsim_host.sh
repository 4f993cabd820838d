#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# hvsim's VMBus host end to end, with the stand-in guest posting through
# hvcore and taking the replies from its SynIC: negotiation, offers, hot
# add, rescind and release, a guest that leaves its slot full (the host
# holds its replies and then its guest's messages, until the slot frees),
# unload and reconnect, the version cap, and module reloads that bring
# every live counter back.
. /hvguest/tests/vm/lib.sh

H=/sys/kernel/debug/hvsim
V=$H/vmbus
ECHO=e4174281-461d-4d68-bb05-00c72fb4b0ff

# le32 N: N as four little-endian bytes in hex.
le32() {
	printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'
}

# post CONN HEX: the stand-in guest's HvPostMessage.
post() {
	write $H/post "$1 $2"
}

Z8=0000000000000000

# contact CONN VERSION: INITIATE_CONTACT as Linux sends it, for VP 0.
contact() {
	if [ "$2" -ge $((0x50000)) ]; then
		_tail="02000000 00000000"	# SINT 2, VTL 0
	else
		_tail=$Z8			# no interrupt page
	fi
	post "$1" "0e000000 00000000 $(le32 "$2") 00000000 $_tail $Z8 $Z8"
}

request_offers() {
	post 1 "03000000 00000000"
}

release() {
	post 1 "0d000000 00000000 $(le32 "$1")"
}

unload() {
	post 1 "10000000 00000000"
}

# dev N: a test device's instance GUID.
dev() {
	printf '5a5a0000-0000-4000-8000-%012x' "$1"
}

plan 65

check "hvsim loads with two echo devices" modprobe hvsim devices=2
check "debugfs has vmbus/add, rescind, devices, counters, max_version..." \
	sh -c "for f in add rescind devices counters max_version channels \
		chanctl gpadls gpadl_limit_mb modify_lag_ms; do
		[ -e $V/\$f ] || exit 1; done"
is "two devices configured" "$(val $V/counters devices)" 2
is "not connected" "$(val $V/counters connected)" 0
is "max_version is 5.3" "$(val $V/counters max_version)" 0x50003
is "the devices wait, with no relid" \
	"$(grep -c "relid=- state=configured class=$ECHO" $V/devices)" 2

check "the stand-in guest starts" write $H/guest on

# Negotiation as a 5.3 Linux guest: connection 4, SINT 2.
check "INITIATE_CONTACT 5.3 on connection 4 is taken" \
	contact 4 $((0x50003))
check "  the host connects" settles $V/counters connected 1
is "  at 5.3" "$(val $V/counters version)" 0x50003
is "  from connection 4" "$(val $V/counters conn_id)" 4
check "  the guest takes a 16-byte VERSION_RESPONSE on cpu0" \
	settles $H/guest cpu0.last_len 16

check "REQUESTOFFERS is taken" request_offers
check "  two offers" settles $V/counters tx.offer 2
check "  then ALLOFFERS_DELIVERED" \
	settles $V/counters tx.all_offers_delivered 1
is "  relids 1 and 2, in instance order" \
	"$(sed -n 's/^relid=\([0-9]*\) state=offered .*instance=a9aa704a-6af4-4adb-8de0-f092d8cb000\([12]\) .*/\1\2/p' $V/devices | tr '\n' ' ')" \
	"11 22 "
check "  the guest took them all" settles $H/guest cpu0.msgs 4

# The channel controls, on channels that are offered and not open.
is "channels lists both, offered, untouched" \
	"$(grep -c '^relid=[12] instance=a9aa704a-6af4-4adb-8de0-f092d8cb000[12] sub=0 state=offered vp=4294967295 signals=0 unneeded=0 irqs=0 lag_irqs=0 rx=0 tx=0 paused=0 masked=0 pend=1 broken=0$' $V/channels)" 2
check "chanctl pauses relid 1, masked" write $V/chanctl "pause 1 mask"
check "  pend off" write $V/chanctl "pend 1 off"
is "  channels says so" \
	"$(grep -c '^relid=1 .* paused=1 masked=1 pend=0 broken=0$' $V/channels)" 1
check "  resume" write $V/chanctl "resume 1"
check "chanctl refuses bad input" sh -c "for c in pause 'pause 9' \
	'pause 1 x' 'resume 1 mask' 'pend 1' 'pend 1 maybe' 'stop 1' \
	'pause x' 'pause 1 mask more'; do
		echo \"\$c\" >$V/chanctl 2>/dev/null && exit 1; done; exit 0"
is "  and changed nothing" \
	"$(grep -c '^relid=1 .* paused=0 masked=0 pend=0 broken=0$' $V/channels)" 1
is "no GPADL" "$(wc -l <$V/gpadls)" 0
is "gpadl_limit_mb is 1280" "$(cat $V/gpadl_limit_mb)" 1280
check "  and takes 64" sh -c "echo 64 >$V/gpadl_limit_mb &&
	[ \$(cat $V/gpadl_limit_mb) = 64 ] && echo 1280 >$V/gpadl_limit_mb"
is "modify_lag_ms is 100" "$(cat $V/modify_lag_ms)" 100
is "counters has gpadl.count, gpadl.bytes, gpadl.refused at 0" \
	"$(val $V/counters gpadl.count) $(val $V/counters gpadl.bytes) $(val $V/counters gpadl.refused)" \
	"0 0 0"

check "a device added now is offered at once" \
	write $V/add "echo $(dev 1) mmio=8 monitor"
check "  one more offer" settles $V/counters tx.offer 3
is "  with relid 3" \
	"$(grep -c "^relid=3 state=offered .*$(dev 1) monitor=0 mmio=8" $V/devices)" 1
check "adding the same instance again is refused" \
	sh -c "! echo 'echo $(dev 1)' >$V/add 2>/dev/null"

check "rescind by instance" write $V/rescind "$(dev 1)"
check "  RESCIND_CHANNELOFFER is sent" settles $V/counters tx.rescind 1
is "  the device waits for the release" "$(val $V/counters rescinded)" 1
check "RELID_RELEASED 3 frees it" release 3
check "  three devices less one" settles $V/counters devices 2
is "  relid 3 is free" "$(val $V/counters relids)" 2
check "rescind by relid" write $V/rescind 2
check "  RESCIND_CHANNELOFFER is sent" settles $V/counters tx.rescind 2
check "RELID_RELEASED 2 frees it" release 2
check "  one device left" settles $V/counters devices 1

check "a post on connection 3 is refused" \
	sh -c "! echo '3 10000000 00000000' >$H/post 2>/dev/null"
is "  and counted" "$(val $V/counters rejected.conn_id)" 1

# A guest that leaves its slot full: 20 offers fill the slot and the
# SynIC queue (1 + 16), the host keeps the other 3, and the guest's UNLOAD
# waits behind them.
check "the guest holds its messages" write $H/guest hold
i=1
while [ $i -le 20 ]; do
	write $V/add "echo $(dev $((i + 100)))" || break
	i=$((i + 1))
done
check "  the host keeps 3 offers" settles $V/counters out_queue 3
check "  the SynIC queues 16" settles $H/counters vp0.waiting 16
check "an UNLOAD meanwhile is taken" unload
is "  and waits" "$(val $V/counters in_queue)" 1
check "the guest takes its messages again" write $H/guest consume
check "  an interrupt starts it" write $H/raise 0
check "  every offer gets through" settles $V/counters tx.offer 23
check "  then the UNLOAD_RESPONSE" settles $V/counters tx.unload_response 1
check "  nothing waits in the SynIC" settles $H/counters vp0.waiting 0
is "  nothing waits in the host" \
	"$(val $V/counters out_queue) $(val $V/counters in_queue)" "0 0"
is "  no relid, monitor or offer is left" \
	"$(val $V/counters relids) $(val $V/counters monitors) $(val $V/counters offered)" \
	"0 0 0"

# Again at 4.0 on connection 1; then the cap.
contact 1 $((0x40000))
check "4.0 on connection 1 connects" settles $V/counters version 0x40000
request_offers
check "  all 21 devices are offered again" settles $V/counters tx.offer 44
unload
settles $V/counters connected 0 >/dev/null
write $V/max_version 0x40001
contact 4 $((0x50000))
check "capped at 4.1, 5.0 is not supported" \
	settles $V/counters tx.version_response 3
is "  and does not connect" "$(val $V/counters connected)" 0
contact 1 $((0x40001))
check "  4.1 is" settles $V/counters version 0x40001
unload
settles $V/counters connected 0 >/dev/null

check "the stand-in guest stops" write $H/guest off
fails=0
for n in 3 0 5; do
	rmmod hvsim && modprobe hvsim devices=$n || fails=$((fails + 1))
	[ "$(val $V/counters devices) $(val $V/counters offered) $(val $V/counters relids) $(val $V/counters connected)" = "$n 0 0 0" ] ||
		fails=$((fails + 1))
done
is "3 reloads start from their configured devices" "$fails" 0
check "unload" sh -c 'rmmod hvsim && rmmod hvcore'

done_testing
