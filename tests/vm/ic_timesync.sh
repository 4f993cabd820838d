#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils
#
# The kernel's own hv_utils on hvsim's time sync IC: the host clock set an
# hour ahead and a SYNC move the guest clock and the "hyperv" PTP clock; a
# SAMPLE moves only the PTP clock; samples 300 and 700 s old (hvsim's
# reference counter starts an hour before the boot) are aged and taken
# (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_timesync
