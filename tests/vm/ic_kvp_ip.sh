#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod hv_utils --kmod hv_netvsc --add /usr/bin/ip:/usr/local/sbin/ip --add /usr/sbin/hv_kvp_daemon --add /usr/libexec/hypervkvpd/hv_get_dns_info --add /usr/libexec/hypervkvpd/hv_get_dhcp_info
#
# The kernel's own hv_utils and Debian's hv_kvp_daemon on hvsim's KVP IC:
# the host reads a NIC's IP configuration by its MAC (GET_IP_INFO) and
# injects a new one by its VMBus instance (SET_IP_INFO), which the
# daemon writes to its ifcfg file and applies; unknown adapters get the
# daemon's errors.  The body is utils_kvp_ip's (tests/vm/ic_lib.inc).
IC_DRIVER=intree
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/net_lib.inc
. /hvguest/tests/vm/ic_lib.inc
ic_test_kvp_ip
