#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none
#
# hvsim offers all six ICs; this tree's hv_utils takes five and negotiates
# each, KVP and VSS without a daemon; fcopy is left alone without
# fcopy_chardev; hvsim follows the driver's unload and reload and a
# rescind; everything unloads.
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc

plan 21
ic_setup shutdown timesync heartbeat kvp vss fcopy
for n in shutdown timesync heartbeat kvp vss; do
	check "$n negotiates" ic_wait $n state ready
done
is "fcopy is not bound" \
	"$(readlink /sys/bus/vmbus/devices/eb765408-105f-49b6-b4aa-c123b64d17d4/driver)" ""
check "/dev/vmbus/hv_kvp and hv_vss, no hv_fcopy" sh -c \
	'[ -c /dev/vmbus/hv_kvp ] && [ -c /dev/vmbus/hv_vss ] && [ ! -e /dev/vmbus/hv_fcopy ]'
check "one opener at a time on hv_kvp" sh -c \
	'exec 3</dev/vmbus/hv_kvp; ! cat /dev/vmbus/hv_kvp 2>/dev/null'
check "hv_utils unloads" rmmod hv_utils
check "  hvsim sees the channels closed" ic_wait heartbeat state closed
check "  the device nodes are gone" test ! -e /dev/vmbus/hv_kvp
check "hv_utils loads again" modprobe hv_utils
check "  heartbeat negotiates again" ic_wait heartbeat state ready
check "  KVP negotiates again" ic_wait kvp state ready
check "the heartbeat device is rescinded" \
	write $ICH/rescind fd149e91-82e0-4a7d-afa6-2a4166cbd7c0
check "  hvsim sees its channel closed" ic_wait heartbeat state closed
check "hv_utils, hv_vmbus and hvsim unload" \
	sh -c 'rmmod hv_utils && rmmod hv_vmbus && rmmod hvsim'
