#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --add /usr/sbin/hv_fcopy_daemon
#
# This tree's hv_utils with fcopy_chardev=1 and Debian 12's
# hv_fcopy_daemon on hvsim's fcopy IC: a host file of several 6 KiB
# fragments arrives intact (the daemon creates only the directories
# followed by a '/', hence the path's trailing one); an existing file is not overwritten unless
# asked; malformed messages get errors.  Without the parameter the device
# is left alone (no /dev/vmbus/hv_fcopy).
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc

plan 17
ic_setup fcopy
check "without fcopy_chardev the device is not bound" \
	test ! -e /dev/vmbus/hv_fcopy -a ! -e /sys/bus/vmbus/devices/eb765408-105f-49b6-b4aa-c123b64d17d4/driver
check "hv_utils reloads with fcopy_chardev=1" \
	sh -c 'rmmod hv_utils && modprobe hv_utils fcopy_chardev=1'
check "  /dev/vmbus/hv_fcopy appears" eventually test -c /dev/vmbus/hv_fcopy
check "fcopy negotiates" ic_wait fcopy state ready
is "  framework 3.0, fcopy 1.1" \
	"$(ic_val fcopy framework)/$(ic_val fcopy version)" 3.0/1.1
hv_fcopy_daemon -n >/tmp/fcd.log 2>&1 &
check "hv_fcopy_daemon registers" eventually sh -c \
	'dmesg | grep -q "FCopy: daemon registered on vmbus/hv_fcopy"'
dd if=/dev/urandom of=/tmp/src bs=1000 count=20 2>/dev/null
check "the host has a 20000-byte file" sh -c "cat /tmp/src >$IC/fcopy/data"
is "it is copied to /tmp/in/file.bin" \
	"$(ic_do fcopy copy '/tmp/in/ file.bin create_path')" ok
check "  and arrives intact" cmp /tmp/src /tmp/in/file.bin
is "copying it again without overwrite: HV_ERROR_ALREADY_EXISTS" \
	"$(ic_do fcopy copy '/tmp/in/ file.bin')" status=0x80070050@start
is "  with overwrite: ok" "$(ic_do fcopy copy '/tmp/in/ file.bin overwrite')" ok
is "a message too short for its fcopy header: HV_INVALIDARG" \
	"$(ic_do fcopy inject 'type 7 60')" status=0x80070057
is "no bad answer from the guest" "$(ic_val fcopy bad)" 0
