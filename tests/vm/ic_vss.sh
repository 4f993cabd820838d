#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils --kmod virtio_blk --kmod ext4 --kmod crc32c_generic --disk 64:ext4 --add /usr/sbin/hv_vss_daemon
#
# The kernel's own hv_utils and Debian's hv_vss_daemon on hvsim's VSS IC,
# with an ext4 file system on a virtio-blk disk: FREEZE fails without the
# daemon; with it a write blocks from FREEZE until THAW
# (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_vss
