#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --expect reboot
#
# This tree's hv_utils on hvsim's shutdown IC: a restart request
# answered S_OK reboots the VM (the last test is vmrun's).
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/utils_lib.inc

plan 8
ut_setup "" shutdown
check "shutdown negotiates" ut_wait shutdown state ready
is "  framework 3.0, shutdown 3.2" \
	"$(ut_val shutdown framework)/$(ut_val shutdown version)" 3.0/3.2
is "the host asks for a restart: S_OK" \
	"$(ut_do shutdown send 'reboot force')" ok
sleep 120
