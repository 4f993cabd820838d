#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none
#
# Offers become devices on /sys/bus/vmbus with upstream's sysfs ABI: one
# directory per offered device, named by its instance GUID, with the
# class and instance GUIDs, the relid, the modalias and the uevent's
# MODALIAS, a channels/<relid> directory, monitor attributes only for a
# channel with a monitor ID, /sys/bus/vmbus/hibernation.  A device added
# at run time appears with an "add" uevent; a rescinded one (no driver)
# goes with a "remove" uevent and its relid is released to the host.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc

N=4

# guid_hex GUID: the GUID's 16 bytes in memory order, as the modalias
# shows them (the first three fields are little-endian).
guid_hex() {
	echo "$1" | sed 's/-//g' |
		sed 's/^\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)/\4\3\2\1\6\5\8\7/'
}

# check_dev LINE: a line of the host's device list against sysfs.
check_dev() {
	_relid=$(echo "$1" | sed 's/^relid=\([^ ]*\).*/\1/')
	_class=$(echo "$1" | sed 's/.* class=\([^ ]*\).*/\1/')
	_inst=$(echo "$1" | sed 's/.* instance=\([^ ]*\).*/\1/')
	_d=$D/$_inst
	[ -d "$_d" ] || { echo "#   no $_d"; return 1; }
	[ "$(cat "$_d/class_id")" = "{$_class}" ] ||
		{ echo "#   class_id $(cat "$_d/class_id")"; return 1; }
	[ "$(cat "$_d/device_id")" = "{$_inst}" ] ||
		{ echo "#   device_id $(cat "$_d/device_id")"; return 1; }
	[ "$(cat "$_d/id")" = "$_relid" ] ||
		{ echo "#   id $(cat "$_d/id"), host relid $_relid"; return 1; }
	[ -d "$_d/channels/$_relid" ] ||
		{ echo "#   no channels/$_relid"; return 1; }
	[ "$(cat "$_d/modalias")" = "vmbus:$(guid_hex "$_class")" ] ||
		{ echo "#   modalias $(cat "$_d/modalias")"; return 1; }
	[ "$(cat "$_d/channel_vp_mapping")" = "$_relid:0" ] ||
		{ echo "#   vp mapping $(cat "$_d/channel_vp_mapping")"; return 1; }
}

# uevents ACTION INSTANCE: the uevent log has ACTION for the device.
uevents() {
	grep -q "^ACTION=$1 DEVPATH=.*/$2 SUBSYSTEM=vmbus" /tmp/uevents
}

plan 42

check "hvsim loads with $N echo devices" modprobe hvsim devices=$N
check "hv_vmbus loads" modprobe hv_vmbus
check "$N devices appear" eventually has_ndevs $N
is "the bus counts $N devices" "$(val $B devices)" $N
is "  and $N channels" "$(val $B channels)" $N
is "  and its 3 pages" "$(val $B pages)" 3

bad=0
while read -r line; do
	check_dev "$line" || bad=$((bad + 1))
done <$H/devices
is "every host device has its directory, GUIDs, relid, modalias" "$bad" 0

d=$D/$(grep relid=1 $H/devices | sed 's/.* instance=\([^ ]*\).*/\1/')
is "vendor is Microsoft's" "$(cat "$d/vendor")" 0x1414
is "device is the class's device type (unknown)" "$(cat "$d/device")" 0x10
is "state is CHANNEL_OPEN_STATE" "$(cat "$d/state")" 2
is "numa_node" "$(cat "$d/numa_node")" 0
check "the uevent file carries MODALIAS" \
	grep -q "^MODALIAS=vmbus:$(guid_hex $ECHO_CLASS)$" "$d/uevent"
check "driver_override is there" test -w "$d/driver_override"
check "no monitor attributes without a monitor ID" \
	sh -c "! ls $d | grep -q monitor"
check "ring attributes fail until the channel is opened" \
	sh -c "! cat $d/in_read_index 2>/dev/null"
check "the channel directory has the counters" \
	sh -c "for f in cpu events interrupts in_mask out_mask read_avail \
		write_avail subchannel_id intr_in_full intr_out_empty \
		out_full_first out_full_total; do \
		[ -e $d/channels/1/\$f ] || exit 1; done"
is "  interrupts is 0" "$(cat $d/channels/1/interrupts)" 0
is "/sys/bus/vmbus/hibernation" "$(cat /sys/bus/vmbus/hibernation)" 0

# Hot add, with a uevent listener running.
uevent sh -c 'echo "ACTION=$ACTION DEVPATH=$DEVPATH SUBSYSTEM=$SUBSYSTEM MODALIAS=$MODALIAS" >>/tmp/uevents' &
ulistener=$!
sleep 1
new=$(inst 1)
check "a device added at run time" \
	write $H/add "$ECHO_CLASS $new monitor"
check "  appears" eventually ready "$new"
check "  with an add uevent carrying its MODALIAS" \
	eventually sh -c "grep -q 'ACTION=add DEVPATH=.*/$new SUBSYSTEM=vmbus MODALIAS=vmbus:$(guid_hex $ECHO_CLASS)' /tmp/uevents"
mid=$(grep "instance=$new" $H/devices | sed 's/.* monitor=\([^ ]*\).*/\1/')
is "  its monitor_id is the host's" "$(cat $D/$new/monitor_id)" "$mid"
relid=$(cat $D/$new/id)
check "  its monitor attributes are there" \
	sh -c "for f in server_monitor_pending client_monitor_pending \
		server_monitor_latency client_monitor_latency \
		server_monitor_conn_id client_monitor_conn_id \
		channels/$relid/pending channels/$relid/latency \
		channels/$relid/monitor_id; do \
		cat $D/$new/\$f >/dev/null || exit 1; done"

check "rescinding it" write $H/rescind "$new"
check "  removes the directory" eventually gone "$D/$new"
check "  with a remove uevent" eventually uevents remove "$new"
check "  and the host gets its relid back" \
	eventually sh -c "! grep -q 'instance=$new' $H/devices"
is "  the bus counts $N devices again" "$(val $B devices)" $N
check "  and $N channels" settles $B channels $N
kill $ulistener 2>/dev/null

# A CPU without channels may go and come back: its SynIC follows.
C=/sys/kernel/debug/hvcore/synic
check "cpu1, which no channel targets, goes offline" \
	write /sys/devices/system/cpu/cpu1/online 0
is "  its SynIC is disabled" "$(val $C cpu1.enabled)" 0
check "  and comes back with its SynIC enabled" \
	sh -c "echo 1 >/sys/devices/system/cpu/cpu1/online && \
	       [ \"\$(awk '\$1 == \"cpu1.enabled\" { print \$2 }' $C)\" = 1 ]"

# Performance devices are spread over the CPUs as upstream's
# init_vp_index() does: the first takes cpu0, the next cpu1, which then
# stays online.
NIC=f8615163-df3e-46c5-913f-f2d2f965ed0e
nic=$(inst 9)
nic2=$(inst 10)
check "a synthetic NIC is offered" write $H/add "$NIC $nic"
check "  its channel targets cpu0" \
	eventually sh -c "grep -q ':0\$' $D/$nic/channel_vp_mapping"
is "  its device type is HV_NIC" "$(cat $D/$nic/device 2>/dev/null)" 0x3
check "a second NIC is offered" write $H/add "$NIC $nic2"
check "  its channel targets cpu1" \
	eventually sh -c "grep -q ':1\$' $D/$nic2/channel_vp_mapping"
check "  cpu1 cannot go offline while it is there" \
	sh -c '! echo 0 >/sys/devices/system/cpu/cpu1/online 2>/dev/null'
write $H/rescind "$nic2"
eventually gone "$D/$nic2"
check "  once it is rescinded, cpu1 can go" \
	sh -c "echo 0 >/sys/devices/system/cpu/cpu1/online && \
	       echo 1 >/sys/devices/system/cpu/cpu1/online"
write $H/rescind "$nic"
check "  the first NIC goes too" eventually gone "$D/$nic"

check "hv_vmbus unloads: devices gone, relids back" \
	sh -c "rmmod hv_vmbus && [ \"\$(awk '\$1 == \"offered\" { print \$2 }' $H/counters)\" = 0 ]"
check "hvsim and hvcore unload" sh -c 'rmmod hvsim && rmmod hvcore'

done_testing
