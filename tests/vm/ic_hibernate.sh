#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils
#
# The kernel's own hv_utils and a hibernation request from hvsim's
# shutdown IC, with ACPI S4: the request is answered S_OK and user space
# gets the "EVENT=hibernate" uevent (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_hibernate yes
