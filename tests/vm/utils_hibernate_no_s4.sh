#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --no-s4
#
# This tree's hv_utils and a hibernation request from hvsim's shutdown IC,
# with no ACPI S4 (vmrun --no-s4): the request is refused with HV_E_FAIL
# and no uevent is sent (tests/vm/ic_lib.inc).
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_hibernate no
