#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none --kmod uio_hv_generic
#
# The kernel's in-tree uio_hv_generic, loaded with plain modprobe, drives
# an hvsim echo device on our bus from user space: bound through its
# new_id (no other driver is loaded for the device), /dev/uio0 appears,
# and uio_echo (tests/vm/uio_echo.c) maps the channel's rings through
# /dev/uio0 map 0 and the sysfs ring file, writes in-band packets into
# the tx ring, signals the host through /dev/uio0, waits for the
# interrupt and checks each echo in the rx ring.  Maps beyond their size,
# a second open, the ring file of a closed channel, unbind and remove_id
# fail or work as upstream's do, and leave nothing behind; so does a
# rescind while /dev/uio0 is open (its reads fail with EIO).
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc

U=/sys/bus/vmbus/drivers/uio_hv_generic
UIO=/dev/uio0
HC=$H/counters

# host N: the host's counter N.
host() {
	val $HC "$1"
}

# channel_open: the host has the device's channel open.
channel_open() {
	grep -q "relid=$relid .*state=open" $H/channels
}

# channel_closed: the host's channel is not open (the line may be gone).
channel_closed() {
	! channel_open
}

# quiet_log: no kernel message of level warning or worse since the mark,
# but for the out-of-tree taint notice.
quiet_log() {
	_bad=$(dmesg -r | sed -n '/uio_hv_generic.sh: start/,$p' |
		grep -E '^<[0-4]>' | grep -v 'taints kernel')
	[ -z "$_bad" ] && return 0
	echo "$_bad" | sed 's/^/#   /'
	return 1
}

# read_eio: a 4-byte read of fd 3 fails with EIO within 10 s.  (Not
# busybox timeout: its watcher process would keep fd 3 open a while.)
read_eio() {
	dd bs=4 count=1 <&3 >/dev/null 2>/tmp/dd.err &
	_pid=$!
	for _i in $(seq 50); do
		kill -0 $_pid 2>/dev/null || break
		sleep 0.2
	done
	if kill $_pid 2>/dev/null; then
		echo "#   the read still blocks after 10 s"
		wait $_pid
		return 1
	fi
	wait $_pid
	[ $? != 0 ] && grep -q 'Input/output error' /tmp/dd.err
}

# run_echo ARGS...: uio_echo, its output shown as TAP comments.
run_echo() {
	uio_echo "$@" >/tmp/uio_echo.out 2>&1
	_rc=$?
	cat /tmp/uio_echo.out
	return $_rc
}

plan 46
echo "uio_hv_generic.sh: start" >/dev/kmsg

check "hvsim loads with one echo device" modprobe hvsim devices=1
check "hv_vmbus loads" modprobe hv_vmbus
check "the device appears" eventually has_ndevs 1
inst=$(sed -n 's/.* instance=\([^ ]*\).*/\1/p' $H/devices | head -n 1)
relid=$(cat "$D/$inst/id")
dev=$D/$inst
ring=$dev/channels/$relid/ring
diag "echo device $inst, relid $relid"
check "  with no driver" gone "$dev/driver"

check "uio_hv_generic loads with plain modprobe" modprobe uio_hv_generic
check "  and registers on our bus" test -d $U
is "  the only driver there (no hvb_echo)" "$(ls /sys/bus/vmbus/drivers)" \
	uio_hv_generic
check "  binding nothing by itself" gone "$dev/driver"

check "new_id with the echo class" write $U/new_id "$ECHO_CLASS"
check "  binds the device to uio_hv_generic" \
	eventually sh -c "readlink $dev/driver | grep -q '/uio_hv_generic\$'"
check "  /dev/uio0 appears" eventually test -c $UIO
is "  its name" "$(cat /sys/class/uio/uio0/name 2>/dev/null)" uio_hv_generic
is "  map 0 is the rings" "$(cat /sys/class/uio/uio0/maps/map0/name)" \
	txrx_rings
# An unknown class gets vmbus_devs' HV_UNKNOWN ring size, 0x11000 bytes
# per ring (a control page and 64 KiB), tx then rx.
is "  of two 0x11000-byte rings" \
	"$(cat /sys/class/uio/uio0/maps/map0/size)" 0x0000000000022000
check "  the channel's ring file is there" test -f "$ring"
is "  with the size of map 0" "$(stat -c %s "$ring" 2>/dev/null)" 139264
is "  the host has two GPADLs (receive and send buffers)" \
	"$(grep -c "relid=$relid " $H/gpadls)" 2
check "  the channel stays closed until /dev/uio0 is opened" channel_closed

check "every map can be mapped and read" run_echo maps $UIO
check "a packet to the echo host and back through the rings" \
	run_echo echo $UIO "$ring" 61 1
check "  signalling the host once, through /dev/uio0" \
	grep -q 'signals 1$' /tmp/uio_echo.out
exec 3<>$UIO
check "  the host has the channel open while /dev/uio0 is open" channel_open
is "  and three GPADLs, the rings' too" \
	"$(grep -c "relid=$relid " $H/gpadls)" 3
exec 3>&-
check "  and closes it with the last close" eventually channel_closed
check "210 packets of 1 to 4000 bytes, wrapping both rings" \
	sh -c "for n in 1 8 9 100 1000 3001 4000; do \
			uio_echo echo $UIO $ring \$n 30 >/tmp/o 2>&1 || \
			{ cat /tmp/o; exit 1; }; done; \
	       cat /tmp/o; ! grep -q ', 0 wraps' /tmp/o"
check "a second open maps the same rings; its close keeps the channel" \
	run_echo second $UIO "$ring"
check "mappings beyond a map, short reads and writes fail with EINVAL" \
	run_echo limits $UIO "$ring"
check "the ring file of a closed channel does not map" \
	run_echo closed "$ring"
is "the host saw no corrupt ring" "$(host corrupt)" 0
is "  and no unneeded signal" "$(host unneeded)" 0

check "unbind" write $U/unbind "$inst"
check "  removes /dev/uio0 and the ring file" \
	eventually sh -c "[ ! -e $UIO ] && [ ! -e $ring ]"
check "  and the host's GPADLs" \
	eventually sh -c "! grep -q 'relid=$relid ' $H/gpadls"
check "remove_id" write $U/remove_id "$ECHO_CLASS"
check "  then bind is refused" sh -c "! echo $inst >$U/bind 2>/dev/null"

# The host takes the device away while user space holds /dev/uio0.
check "new_id again binds the device again" \
	sh -c "echo $ECHO_CLASS >$U/new_id && \
	       for i in \$(seq 50); do [ -c $UIO ] && exit 0; sleep 0.2; done; \
	       exit 1"
exec 3<>$UIO
check "  and packets go through while /dev/uio0 stays open" \
	run_echo echo $UIO "$ring" 200 3
check "the host rescinds the device while /dev/uio0 is open" \
	write $H/rescind "$inst"
check "  the device and /dev/uio0 go" \
	eventually sh -c "[ ! -e $dev ] && [ ! -e $UIO ]"
check "  a read of the open /dev/uio0 fails with EIO" read_eio
exec 3>&-
check "  the host's channel is closed" settles $HC channels_open 0
check "  its GPADLs are gone" settles $HC gpadl.count 0
check "  and the relid is released" \
	eventually sh -c "! grep -q 'instance=$inst' $H/devices"

check "uio_hv_generic and uio unload" \
	sh -c 'rmmod uio_hv_generic && rmmod uio'
check "hv_vmbus, hvsim and hvcore unload" \
	sh -c 'rmmod hv_vmbus && rmmod hvsim && rmmod hvcore'
check "no kernel warning or error on the way" quiet_log

done_testing
