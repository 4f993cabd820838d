#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils --no-s4
#
# The kernel's own hv_utils and a hibernation request from hvsim's
# shutdown IC, with no ACPI S4 (vmrun --no-s4): the request is refused
# with HV_E_FAIL and no uevent is sent (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_hibernate no
