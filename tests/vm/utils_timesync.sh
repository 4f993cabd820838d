#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none
#
# This tree's hv_utils on hvsim's time sync IC, as ic_timesync.sh, except
# that a sample over 600 s old is refused (HV_E_FAIL, and a log line) and
# leaves the clock alone.  The body is the in-tree driver's test's
# (tests/vm/ic_lib.inc).
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_timesync
