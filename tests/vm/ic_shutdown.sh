#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils --expect poweroff
#
# The kernel's own hv_utils on hvsim's shutdown IC: a shutdown request
# answered S_OK powers the VM off through /sbin/poweroff and init (the
# last test is vmrun's, --expect poweroff) (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_shutdown poweroff
