#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none --kmod hv_netvsc --add /usr/bin/ip:/usr/local/sbin/ip
#
# The kernel's in-tree hv_netvsc binds to a NIC of hvsim's netvsp: NVSP
# and RNDIS initialization, the receive and send buffers; an Ethernet
# interface appears with the MAC the host was given (add nic ... mac=),
# and the host sees the guest's NVSP and NDIS versions and its packet
# filter once the interface is up.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc

N=/sys/kernel/debug/hvsim/net
NIC1=9c3e0001-0000-4000-8000-000000000001
MAC1=00:15:5d:42:00:01

# nic_val INSTANCE KEY: a field of the host's line for the NIC.
nic_val() {
	grep "instance=$1" $N/nics | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# iface MAC: the interface with that address.
iface() {
	for _i in /sys/class/net/*; do
		[ "$(cat "$_i/address")" = "$1" ] && basename "$_i" && return 0
	done
	return 1
}

# has_iface MAC: an interface has that address.
has_iface() {
	iface "$1" >/dev/null
}

plan 9

check "hvsim loads" modprobe hvsim
check "hv_vmbus loads" modprobe hv_vmbus
check "a NIC is added with a MAC" write $H/add "nic $NIC1 mac=$MAC1"
check "the in-tree hv_netvsc loads" modprobe hv_netvsc
check "an interface with the host's MAC appears" eventually has_iface $MAC1
IF=$(iface $MAC1)
is "  bound to hv_netvsc" \
	"$(basename "$(readlink /sys/class/net/$IF/device/driver)")" hv_netvsc
is "  NVSP version 6.1 negotiated" "$(nic_val $NIC1 nvsp)" 0x60001
check "  it comes up" ip link set "$IF" up
check "  its packet filter reaches the host" \
	eventually sh -c "[ \"\$(grep instance=$NIC1 $N/nics | sed 's/.* filter=\([^ ]*\).*/\1/')\" != 0 ]"
diag "$(cat $N/nics)"
exit $_tap_fail
