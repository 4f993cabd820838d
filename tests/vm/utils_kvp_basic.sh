#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod dummy --add /usr/bin/ip:/usr/local/sbin/ip --add /usr/sbin/hv_kvp_daemon --add /usr/libexec/hypervkvpd/hv_get_dns_info --add /usr/libexec/hypervkvpd/hv_get_dhcp_info
#
# This tree's hv_utils (daemon_timeout=3) and Debian's hv_kvp_daemon on
# hvsim's KVP IC, as ic_kvp.sh; with no daemon the host gets HV_E_FAIL
# after daemon_timeout instead of a timeout.  The body is the in-tree
# driver's test's (tests/vm/ic_lib.inc).
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc
ic_test_kvp
