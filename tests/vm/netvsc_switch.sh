#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none --kmod hv_netvsc --kmod 8021q --add /usr/bin/ip:/usr/local/sbin/ip --timeout 900
#
# Two NICs of hvsim's netvsp on its switch, driven by the kernel's
# in-tree hv_netvsc, each in a network namespace of its own (iproute2's
# $IP netns): addresses, ping both ways, and 64 MiB over TCP (busybox nc)
# that arrive with the sender's SHA-256.  The host counts the frames it
# switched.  vRSS: each guest asks for a sub-channel per CPU (2 queues
# here), the host grants them, sends the send indirection table once all
# are open, and spreads received frames by the Toeplitz hash of the
# guest's key through the guest's indirection table: eight TCP flows
# from fixed ports land on both queues of each NIC (rx_rss, per queue).
# Task offloads: the guests turn on what the host offers (TCP/UDP
# checksums, LSOv2 up to 62780 bytes); the transfer goes as large sends
# that the host cuts into MSS-sized frames, with checksums the host
# fills and checks on receive.
# 802.1Q: a VLAN interface on each NIC; the tag travels as per-packet
# info both ways.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/net_lib.inc

# iproute2 (busybox sh runs its own applets before the PATH)
export IP=/usr/local/sbin/ip

vrss_ready() {
	[ "$(nic_val $NIC1 queues) $(nic_val $NIC1 table_sent)" = "2 1" ] &&
		[ "$(nic_val $NIC2 queues) $(nic_val $NIC2 table_sent)" = "2 1" ]
}

# rss_q INSTANCE Q: frames the host put on queue Q by RSS hash.
rss_q() {
	nic_val $1 rx_rss | cut -d, -f$(($2 + 1))
}

both_ifaces() {
	iface $MAC1 >/dev/null && iface $MAC2 >/dev/null
}

plan 34

check "hvsim and hv_vmbus load" sh -c 'modprobe hvsim && modprobe hv_vmbus'
check "two NICs are added" sh -c \
	"echo 'nic $NIC1 mac=$MAC1' >$H/add && echo 'nic $NIC2 mac=$MAC2' >$H/add"
check "the in-tree hv_netvsc loads" modprobe hv_netvsc
check "both interfaces appear" eventually both_ifaces
IF1=$(iface $MAC1)
IF2=$(iface $MAC2)
check "vRSS: both NICs have their 2 queues" eventually vrss_ready
is "  2 receive queues in the guest" \
	"$(ls -d /sys/class/net/$IF1/queues/rx-* | wc -l)" 2
check "two network namespaces" sh -c '$IP netns add a && $IP netns add b'
check "one NIC in each" sh -c \
	"$IP link set $IF1 netns a && $IP link set $IF2 netns b"
check "addresses and links up" sh -c "
	$IP -n a addr add 10.7.0.1/24 dev $IF1 &&
	$IP -n b addr add 10.7.0.2/24 dev $IF2 &&
	$IP -n a link set $IF1 up && $IP -n b link set $IF2 up &&
	$IP -n a link set lo up && $IP -n b link set lo up"
check "ping a -> b" eventually $IP netns exec a ping -c 1 -W 2 10.7.0.2
check "ping b -> a" $IP netns exec b ping -c 3 -W 2 10.7.0.1
diag "$(cat $N/nics)"

check "64 MiB of random data" \
	dd if=/dev/urandom of=/tmp/tx bs=1M count=64 status=none
want=$(sha256sum </tmp/tx | cut -d' ' -f1)
rm -f /tmp/rx.sum
# The listener's stdin stays open: busybox nc stops at the first end of
# file on either side.
$IP netns exec b sh -c \
	'sleep 3600 | nc -l -p 5001 | sha256sum >/tmp/rx.sum' &
sleep 1
t0=$(date +%s)
check "TCP a -> b: the sender finishes" \
	$IP netns exec a timeout 600 nc 10.7.0.2 5001 </tmp/tx
check "  the receiver finishes" eventually test -s /tmp/rx.sum
t1=$(date +%s)
diag "64 MiB in $((t1 - t0)) s"
is "  the SHA-256 matches" "$(cut -d' ' -f1 /tmp/rx.sum 2>/dev/null)" "$want"
diag "$(cat $N/nics)"
is "no frame dropped for want of a buffer" \
	"$(nic_val $NIC1 rx_dropped) $(nic_val $NIC2 rx_dropped)" "0 0"
is "RSS on at both NICs" "$(nic_val $NIC1 rss) $(nic_val $NIC2 rss)" "1 1"
is "no bad frame sent" \
	"$(nic_val $NIC1 tx_errors) $(nic_val $NIC2 tx_errors)" "0 0"

diag "$($IP -n a -d link show $IF1 | grep -o 'tso_max_size [0-9]*')"
is "offloads on: checksums but the IP header's, LSO v4 and v6" \
	"$(nic_val $NIC1 offload) $(nic_val $NIC2 offload)" "0x7e 0x7e"
is "  the guest's TSO limit is the host's 62780 bytes" \
	"$($IP -n a -d link show $IF1 | grep -o 'tso_max_size [0-9]*')" \
	"tso_max_size 62780"
lso=$(nic_val $NIC1 lso)
segs=$(nic_val $NIC1 lso_segs)
check "the sender's large sends were segmented by the host ($lso into $segs)" \
	test "$lso" -gt 0 -a "$segs" -gt "$lso"
check "  most of the 64 MiB went that way" \
	test "$segs" -gt 20000
check "the receiver's ACKs had their checksums filled by the host" \
	test "$(nic_val $NIC2 csum_filled)" -gt 0
check "the receiver got frames with their checksums claimed good" \
	test "$(nic_val $NIC2 rx_csum_ok)" -gt 20000

# vRSS on receive: eight short TCP flows a -> b from fixed ports.  With
# hv_netvsc's default key and table (queue = hash % 128 % 2) their
# segments go to both of NIC2's queues and their ACKs to both of NIC1's.
b0=$(rss_q $NIC2 0)
b1=$(rss_q $NIC2 1)
a0=$(rss_q $NIC1 0)
a1=$(rss_q $NIC1 1)
dd if=/tmp/tx of=/tmp/flow bs=64k count=1 status=none
flows=0
for k in 1 2 3 4 5 6 7 8; do
	$IP netns exec b timeout 60 nc -l -p $((5100 + k)) >/dev/null &
	lpid=$!
	sleep 1
	$IP netns exec a timeout 60 nc -p $((40000 + k)) 10.7.0.2 \
		$((5100 + k)) </tmp/flow && flows=$((flows + 1))
	wait $lpid
done
diag "$(cat $N/nics)"
is "eight TCP flows of 64 KiB a -> b" $flows 8
check "  NIC2 received frames of them on both queues" \
	test "$(rss_q $NIC2 0)" -gt "$b0" -a "$(rss_q $NIC2 1)" -gt "$b1"
check "  NIC1 received their ACKs on both queues" \
	test "$(rss_q $NIC1 0)" -gt "$a0" -a "$(rss_q $NIC1 1)" -gt "$a1"

check "802.1Q support loads" modprobe 8021q
check "VLAN 42 on both NICs" sh -c "
	$IP -n a link add link $IF1 name v42 type vlan id 42 &&
	$IP -n b link add link $IF2 name v42 type vlan id 42 &&
	$IP -n a addr add 10.42.0.1/24 dev v42 &&
	$IP -n b addr add 10.42.0.2/24 dev v42 &&
	$IP -n a link set v42 up && $IP -n b link set v42 up"
check "  ping a -> b over VLAN 42" \
	eventually $IP netns exec a ping -c 2 -W 2 10.42.0.2
check "  tagged frames went through the host both ways" \
	test "$(nic_val $NIC1 tx_vlan)" -gt 0 -a "$(nic_val $NIC2 tx_vlan)" -gt 0 \
	-a "$(nic_val $NIC1 rx_vlan)" -gt 0 -a "$(nic_val $NIC2 rx_vlan)" -gt 0
check "  NIC2 moves to VLAN 43" sh -c "
	$IP -n b link del v42 &&
	$IP -n b link add link $IF2 name v43 type vlan id 43 &&
	$IP -n b addr add 10.42.0.2/24 dev v43 && $IP -n b link set v43 up"
t1=$(nic_val $NIC1 tx_vlan)
r2=$(nic_val $NIC2 rx_vlan)
check "  a ping over VLAN 42 gets no answer" \
	sh -c "! $IP netns exec a ping -c 2 -W 1 10.42.0.2"
check "  though its frames reached NIC2, tagged: the guest kept them off 43" \
	test "$(nic_val $NIC1 tx_vlan)" -gt "$t1" -a \
	"$(nic_val $NIC2 rx_vlan)" -gt "$r2"
diag "$(cat $N/nics)"
diag "$(dmesg | grep netvsp | tail -5)"
exit $_tap_fail
