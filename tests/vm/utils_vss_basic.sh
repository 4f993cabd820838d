#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod virtio_blk --kmod ext4 --kmod crc32c_generic --disk 64:ext4 --add /usr/sbin/hv_vss_daemon
#
# This tree's hv_utils and hv_vss_daemon on hvsim's VSS IC, as ic_vss.sh.
# The body is the in-tree driver's test's (tests/vm/ic_lib.inc).
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_vss
