#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# Drivers and rescinds, with the test driver hvb_testdrv (tests/modules):
# new_id binds it to a class, remove_id stops new bindings, driver_override
# binds one device, hvsock offers never go to it; a rescinded device with a
# bound driver is removed (the driver's remove runs) and its relid given
# back; a rescind while the driver probes ends the probe's wait, then the
# device is removed.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc

# echo_dev N: the instance GUID of the host's echo device N (from 1).
echo_dev() {
	printf 'a9aa704a-6af4-4adb-8de0-f092d8cb%04x' "$1"
}

# counter NAME WANT: wait for a test driver counter to read WANT.
counter() {
	eventually sh -c "[ \"\$(cat $TESTDRV_P/$1)\" = '$2' ]" && return 0
	echo "#   $1: '$(param "$1")', want '$2'"
	return 1
}

released() {
	val $H/counters rx.relid_released
}

plan 35

check "hvsim loads with two echo devices" modprobe hvsim devices=2
check "hv_vmbus loads" modprobe hv_vmbus
check "two devices appear" eventually has_ndevs 2
if ! modprobe hvb_testdrv; then
	not_ok "hvb_testdrv loads (it is built when the Makefile mirrors tests/ into the build directory)"
	done_testing
fi
ok "hvb_testdrv loads"
is "without an ID table it binds nothing" "$(param probes)" 0

check "new_id adds the echo class" write $TESTDRV/new_id $ECHO_CLASS
check "  both echo devices are probed" counter probes 2
check "  and bound" sh -c "[ -e $TESTDRV/$(echo_dev 1) ] && \
	[ -e $TESTDRV/$(echo_dev 2) ]"
check "new_id of the same GUID again is refused" \
	sh -c "! echo $ECHO_CLASS >$TESTDRV/new_id 2>/dev/null"
check "new_id of a malformed GUID is refused" \
	sh -c "! echo not-a-guid >$TESTDRV/new_id 2>/dev/null"

# A rescind with a driver bound.
r0=$(released)
check "rescinding a bound device" write $H/rescind "$(echo_dev 1)"
check "  runs the driver's remove" counter removes 1
check "  removes the device" eventually gone "$D/$(echo_dev 1)"
check "  releases its relid" eventually sh -c "[ \$(awk '\$1 == \"rx.relid_released\" { print \$2 }' $H/counters) = $((r0 + 1)) ]"
check "  and the host frees it" \
	eventually sh -c "! grep -q 'instance=$(echo_dev 1)' $H/devices"

# A rescind while the driver probes.
write $TESTDRV_P/probe_delay_ms 5000
slow=$(inst 1)
check "a device added while probes are slow" \
	write $H/add "$ECHO_CLASS $slow"
check "  is being probed" counter probing 1
check "rescinding it during the probe" write $H/rescind "$slow"
check "  ends the probe's wait on the rescind" counter rescinds_seen 1
check "  then runs the driver's remove" counter removes 2
check "  and removes the device" eventually gone "$D/$slow"
check "  whose relid the host gets back" \
	eventually sh -c "! grep -q 'instance=$slow' $H/devices"
write $TESTDRV_P/probe_delay_ms 0

# hvsock offers go only to the hvsock driver.
sock=$(inst 2)
check "an hvsock offer of the echo class" \
	write $H/add "$ECHO_CLASS $sock flags=0x2000"
check "  appears" eventually ready "$sock"
is "  and is not bound to hvb_testdrv" "$(ls $D/$sock/driver 2>/dev/null)" ""

# remove_id and driver_override.
check "remove_id drops the echo class" write $TESTDRV/remove_id $ECHO_CLASS
check "remove_id of a GUID not there is refused" \
	sh -c "! echo $ECHO_CLASS >$TESTDRV/remove_id 2>/dev/null"
plain=$(inst 3)
write $H/add "$ECHO_CLASS $plain"
check "a device added after remove_id" eventually ready "$plain"
probes=$(param probes)
is "  is not bound" "$(ls $D/$plain/driver 2>/dev/null)" ""
check "driver_override and drivers_probe bind it" \
	sh -c "echo hvb_testdrv >$D/$plain/driver_override"
eventually sh -c "echo $plain >/sys/bus/vmbus/drivers_probe; \
		  [ -e $D/$plain/driver ]"
check "  it is probed" counter probes $((probes + 1))

check "hv_vmbus cannot go while a driver uses it" \
	sh -c '! rmmod hv_vmbus 2>/dev/null'
check "hvb_testdrv unloads" rmmod hvb_testdrv
check "hv_vmbus unloads, every relid back" \
	sh -c "rmmod hv_vmbus && [ \"\$(awk '\$1 == \"offered\" { print \$2 }' $H/counters)\" = 0 ]"
check "hvsim and hvcore unload" sh -c 'rmmod hvsim && rmmod hvcore'

done_testing
