#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils
#
# The kernel's own hv_utils on hvsim's heartbeat IC: negotiation, one
# heartbeat, then the host beating every 100 ms; the guest returns each
# sequence number plus one (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_heartbeat
