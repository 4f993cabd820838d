#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils --expect reboot
#
# The kernel's own hv_utils on hvsim's shutdown IC: a reboot request without
# the force flag, answered S_OK, restarts the VM as a forced one does (the
# last test is vmrun's, --expect) (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_shutdown reboot plain
