#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils
#
# hvsim offers all six ICs; the kernel's own hv_utils takes five (6.12
# has no fcopy driver), KVP waiting for its daemon; hvsim follows the
# driver's unload and reload and a rescind; everything unloads
# (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_devices
