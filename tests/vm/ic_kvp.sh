#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils --kmod dummy --add /usr/bin/ip:/usr/local/sbin/ip --add /usr/sbin/hv_kvp_daemon --add /usr/libexec/hypervkvpd/hv_get_dns_info --add /usr/libexec/hypervkvpd/hv_get_dhcp_info
#
# The kernel's own hv_utils and Debian's hv_kvp_daemon on hvsim's KVP IC:
# no daemon, no answer (the host times out); then a dummy NIC's address
# in the host's NetworkAddressIPv4 read, a host value set in the external
# pool read by the guest, enumeration and deletion; the daemon killed,
# the host times out again (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_kvp
