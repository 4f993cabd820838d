#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils
#
# hvsim's fault injection on the heartbeat IC, answered by the kernel's
# own hv_utils: unknown type, short packets, bad NEGOTIATEs
# (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_inject
