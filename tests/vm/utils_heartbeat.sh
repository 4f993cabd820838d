#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none
#
# This tree's hv_utils on hvsim's heartbeat IC, as ic_heartbeat.sh.
# The body is the in-tree driver's test's (tests/vm/ic_lib.inc).
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_heartbeat
