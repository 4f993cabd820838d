#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none --kmod hv_netvsc --add /usr/bin/ip:/usr/local/sbin/ip
#
# The kernel's in-tree hv_netvsc binds to a NIC of hvsim's netvsp: NVSP
# and RNDIS initialization, the receive and send buffers; an Ethernet
# interface appears with the MAC the host was given (add nic ... mac=),
# and the host sees the guest's NVSP and NDIS versions and its packet
# filter once the interface is up.  The host takes the link down and up
# (debugfs net/link): the guest's carrier follows.  An MTU change makes
# hv_netvsc detach and attach again (a new NDIS config and receive
# buffer); an MTU above the host port's (add ... mtu=4000) is lowered to
# it.  The host withdraws (rescinds) the sub-channels when the guest
# closes the primary channel, so that vRSS comes back with both queues
# after each MTU change.  The guest's promiscuous mode reaches the host
# as its packet filter.  The link speed the host answers is the guest's.
# storvsp's controls refuse a NIC, net/link refuses a SCSI controller.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/net_lib.inc

S=/sys/kernel/debug/hvsim/storvsp
SCSI=5c510000-0000-4000-8000-0000000000aa

# carrier IF: the interface's carrier.
carrier() {
	cat /sys/class/net/$IF/carrier 2>/dev/null
}

# carrier_is WANT
carrier_is() {
	[ "$(carrier)" = "$1" ]
}

# mtu_is WANT: the interface's MTU, and the host's idea of it.
mtu_is() {
	[ "$(cat /sys/class/net/$IF/mtu)" = "$1" ] &&
		[ "$(nic_val $NIC1 mtu)" = "$1" ]
}

# slowly CMD...: retry CMD for up to 60 s (a detach and attach under TCG).
slowly() {
	_w=0
	while [ $_w -lt 600 ]; do
		"$@" && return 0
		sleep 0.1
		_w=$((_w + 1))
	done
	return 1
}

# queues_are N: the guest's receive queues, and the host's.
queues_are() {
	[ "$(ls -d /sys/class/net/$IF/queues/rx-* | wc -l)" = "$1" ] &&
		[ "$(nic_val $NIC1 queues) $(nic_val $NIC1 table_sent)" = "$1 1" ]
}

# filter_is WANT: the packet filter the host has.
filter_is() {
	[ "$(nic_val $NIC1 filter)" = "$1" ]
}

plan 37

check "hvsim loads" modprobe hvsim
check "hv_vmbus loads" modprobe hv_vmbus
check "a NIC is added with a MAC" write $H/add "nic $NIC1 mac=$MAC1 mtu=4000"
check "the in-tree hv_netvsc loads" modprobe hv_netvsc
check "an interface with the host's MAC appears" eventually has_iface $MAC1
IF=$(iface $MAC1)
is "  bound to hv_netvsc" \
	"$(basename "$(readlink /sys/class/net/$IF/device/driver)")" hv_netvsc
is "  NVSP version 6.1 negotiated" "$(nic_val $NIC1 nvsp)" 0x60001
check "  it comes up" ip link set "$IF" up
check "  its packet filter reaches the host" \
	eventually sh -c "[ \"\$(grep instance=$NIC1 $N/nics | sed 's/.* filter=\([^ ]*\).*/\1/')\" != 0 ]"
is "  carrier on" "$(carrier)" 1
is "  link speed 10 Gbit/s (OID_GEN_LINK_SPEED)" \
	"$(cat /sys/class/net/$IF/speed)" 10000
check "  vRSS: 2 queues (one per CPU)" slowly queues_are 2
check "promiscuous mode on" ip link set "$IF" promisc on
check "  the host's filter is PROMISCUOUS alone" eventually filter_is 0x20
check "promiscuous mode off" ip link set "$IF" promisc off
check "  directed, all-multicast and broadcast again" eventually filter_is 0xd

check "the host takes the link down" write $N/link "$NIC1 down"
check "  the guest loses its carrier" eventually carrier_is 0
check "the host brings the link up" write $N/link "$NIC1 up"
check "  the guest has its carrier again" eventually carrier_is 1
is "  the host told the guest twice" "$(nic_val $NIC1 link_events)" 2
check "a link change of an unknown NIC is refused" \
	sh -c "! echo '9c3e0001-0000-4000-8000-0000000000ff down' 2>/dev/null >$N/link"

# Each VSP's controls take only their own class's devices.
check "a SCSI controller is added (no driver for it here)" \
	write $H/add "scsi $SCSI luns=1 size_mb=8"
check "  storvsp/ctl refuses the open NIC's instance for a rescan" \
	sh -c "! echo 'rescan $NIC1' 2>/dev/null >$S/ctl"
check "  and for REMOVE_DEVICE" \
	sh -c "! echo 'remove_device $NIC1' 2>/dev/null >$S/ctl"
check "  net/link refuses the controller's instance" \
	sh -c "! echo '$SCSI down' 2>/dev/null >$N/link"
is "  no NIC was made for it" "$(grep -c "instance=$SCSI" $N/nics)" 0

check "MTU 3000" ip link set "$IF" mtu 3000
check "  the guest and the host agree" eventually mtu_is 3000
is "  receive sub-allocations for 3014-byte frames" \
	"$(nic_val $NIC1 rx_sub_size)" $((256 + 3014 + 36))
check "  vRSS back with its 2 queues" slowly queues_are 2
check "  the host took the old sub-channels back" \
	test "$(nic_val $NIC1 subch_rescinds)" -ge 1
check "MTU 6000, above the port's 4000" ip link set "$IF" mtu 6000
check "  the guest ends at the host's 4000" eventually mtu_is 4000
check "  vRSS back with its 2 queues again" slowly queues_are 2
is "no send the host refused" "$(nic_val $NIC1 tx_errors)" 0
is "  no bad RNDIS packet, refused offload or stray completion logged" \
	"$(dmesg | grep -c 'bad RNDIS packet\|offload refused\|stray completion')" 0
diag "$(cat $N/nics)"
exit $_tap_fail
