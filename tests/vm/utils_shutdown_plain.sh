#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --expect poweroff
#
# This tree's hv_utils on hvsim's shutdown IC: a shutdown request without
# the force flag, answered S_OK, powers the VM off as a forced one does (the
# last test is vmrun's, --expect) (tests/vm/ic_lib.inc).
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_shutdown poweroff plain
