#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# The host rescinds an echo device whose channels (a primary and two
# sub-channels) carry traffic: the sender fails instead of hanging, the
# driver closes every channel, GPADLs are torn down and relids released,
# nothing leaks or warns, and a new device works afterwards.  An hvsock
# device's driver handles its rescind itself.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/echo_lib.inc

plan 19

check "one echo device, 3 channels" sh -c "true" && echo_up 1 && cmd subch 2
dev=$(echo_dev 1)
is "  the host has 3 open channels" "$(grep -c "instance=$dev .*state=open" "$HC")" 3
check "  and their ring GPADLs" [ "$(grep -c . $H/gpadls)" -ge 3 ]

rm -f /tmp/traffic.rc
(cmd echo 50000 16 2048; echo $? >/tmp/traffic.rc) &
sleep 1
check "the device is rescinded during traffic" write $H/rescind "$dev"
check "  the sender stops with an error" \
	eventually sh -c '[ -e /tmp/traffic.rc ] && [ "$(cat /tmp/traffic.rc)" != 0 ]'
check "  the device leaves sysfs" eventually gone "$D/$dev"
check "  the host gets every relid back" \
	eventually sh -c "! grep -q 'instance=$dev' $H/devices"
check "  and holds no channel of it" \
	eventually sh -c "! grep -q 'instance=$dev' $HC"
check "  nor any GPADL" eventually sh -c '[ "$(grep -c . '$H'/gpadls)" = 0 ]'
check "  the bus holds no channel" settles $B channels 0
check "a new echo device is offered" write $H/add "echo $(inst 5)"
E=/sys/kernel/debug/hvb_echo/$(inst 5)
check "  hvb_echo binds it" eventually [ -e "$E/cmd" ]
check "  and it echoes" cmd echo 5000 16 3000
# An hvsock device whose driver handles the rescind itself, as hv_sock.
sock=$(inst 6)
SP=/sys/module/hvb_echo/parameters
write $H/add "echo $sock flags=0x2000"
check "an hvsock offer goes to hvb_echo_sock" \
	eventually sh -c "[ \"\$(cat $SP/sock_probes)\" = 1 ]"
is "  its driver" "$(basename "$(readlink "$D/$sock/driver")")" hvb_echo_sock
write $H/rescind "$sock"
check "  its rescind: the driver's callback unregisters it" \
	eventually sh -c "[ \"\$(cat $SP/sock_removes)\" = 1 ]"
check "  the device leaves sysfs" eventually gone "$D/$sock"
check "  and the host gets its relid back" \
	eventually sh -c "! grep -q 'instance=$sock' $H/devices"
check "unload" sh -c 'rmmod hvb_echo && rmmod hv_vmbus && rmmod hvsim'
done_testing
