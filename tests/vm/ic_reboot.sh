#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils --expect reboot
#
# The kernel's own hv_utils on hvsim's shutdown IC: a reboot request
# answered S_OK restarts the VM through /sbin/reboot and init (the last
# test is vmrun's, --expect reboot) (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_shutdown reboot
