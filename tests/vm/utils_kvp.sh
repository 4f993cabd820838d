#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none --kmod dummy --add /usr/bin/ip:/usr/local/sbin/ip --add /usr/sbin/hv_kvp_daemon --add /usr/libexec/hypervkvpd/hv_get_dns_info --add /usr/libexec/hypervkvpd/hv_get_dhcp_info
#
# This tree's hv_utils and Debian's hv_kvp_daemon on hvsim's KVP IC: with
# no daemon the host gets HV_E_FAIL after daemon_timeout; the guest's
# address in NetworkAddressIPv4; a value the host sets in the external
# pool read by the guest, and by the host with GET; enumerate and delete;
# oversized keys and values, short packets, unknown types and versions
# refused; a killed daemon, HV_E_FAIL again.
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc

plan 33

# kvp_timed OP: the result of a KVP operation and the whole seconds it
# took.
kvp_timed() {
	_t0=$(cut -d. -f1 /proc/uptime)
	_r=$(ic_do kvp op "$1")
	echo "$_r $(($(cut -d. -f1 /proc/uptime) - _t0))"
}
IC_PARAMS=daemon_timeout=3
ic_setup kvp
check "KVP negotiates without a daemon" ic_wait kvp state ready
is "  framework 3.0, KVP 4.0" \
	"$(ic_val kvp framework)/$(ic_val kvp version)" 3.0/4.0
r=$(kvp_timed 'enum 2 0')
is "with no daemon, a request fails (HV_E_FAIL)" "${r% *}" status=0x80004005
check "  after daemon_timeout (3 s), waiting for one to come: ${r#* } s" \
	test "${r#* }" -ge 2 -a "${r#* }" -le 5

check "a dummy NIC with 192.0.2.77" sh -c \
	'modprobe dummy; ip link add hvt0 type dummy && ip addr add 192.0.2.77/24 dev hvt0 && ip link set hvt0 up'
mkdir -p /var/lib/hyperv
hv_kvp_daemon -n >/tmp/kvpd.log 2>&1 &
kvpd=$!
check "hv_kvp_daemon registers" eventually sh -c \
	'dmesg | grep -q "KVP: daemon registered on vmbus/hv_kvp"'
is "enumerate pool 2, index 2" "$(ic_do kvp op 'enum 2 2')" ok
is "  the key is NetworkAddressIPv4" "$(ic_line kvp kvp.key)" \
	NetworkAddressIPv4
check "  the value has the NIC's address" \
	sh -c "sed -n 's/^kvp.value //p' $IC/kvp/status | grep -q '192\.0\.2\.77'"
is "index 10 is past the end (HV_S_CONT)" "$(ic_do kvp op 'enum 2 10')" \
	status=0x80070103
is "the host sets HostKey in the external pool" \
	"$(ic_do kvp op 'set 0 HostKey host value 1')" ok
check "  the guest reads it in pool 0" sh -c \
	"tr -s '\\0' '\\n' </var/lib/hyperv/.kvp_pool_0 | grep -qx HostKey"
check "  with its value" sh -c \
	"tr -s '\\0' '\\n' </var/lib/hyperv/.kvp_pool_0 | grep -qx 'host value 1'"
is "  a number (REG_U64)" "$(ic_do kvp op 'set64 0 Big 12345678901')" ok
is "GET HostKey" "$(ic_do kvp op 'get 0 HostKey')" ok
is "  returns its value" "$(ic_line kvp kvp.value)" "host value 1"
is "enumerate pool 0, index 1: Big = 12345678901" \
	"$(ic_do kvp op 'enum 0 1') $(ic_line kvp kvp.key)=$(ic_line kvp kvp.value)" \
	"ok Big=12345678901"
is "the host deletes HostKey" "$(ic_do kvp op 'delete 0 HostKey')" ok
check "  it is gone from the guest's pool" sh -c \
	"! tr -s '\\0' '\\n' </var/lib/hyperv/.kvp_pool_0 | grep -qx HostKey"
is "  deleting it again: HV_S_CONT" "$(ic_do kvp op 'delete 0 HostKey')" \
	status=0x80070103
is "a key over 512 bytes (HV_INVALIDARG)" \
	"$(ic_do kvp op 'set ksize=600 0 K V')" status=0x80070057
is "a value over 2048 bytes (HV_INVALIDARG)" \
	"$(ic_do kvp op 'set vsize=3000 0 K V')" status=0x80070057
is "a packet cut to 40 bytes (HV_INVALIDARG)" \
	"$(ic_do kvp inject 'short 40')" status=0x80070057
is "an unknown message type (HV_E_FAIL)" "$(ic_do kvp inject 'type 9')" \
	status=0x80004005
is "a negotiation offering only KVP 5.0: refused (0/0)" \
	"$(ic_do kvp inject 'nego 1.0,3.0 5.0')" refused
is "  KVP still answers at 4.0" "$(ic_do kvp op 'enum 2 2')" ok
kill "$kvpd" 2>/dev/null
wait "$kvpd" 2>/dev/null
r=$(kvp_timed 'enum 2 0')
is "the daemon is killed: HV_E_FAIL" "${r% *}" status=0x80004005
check "  after daemon_timeout (3 s): ${r#* } s" \
	test "${r#* }" -ge 2 -a "${r#* }" -le 5
is "no bad answer from the guest" "$(ic_val kvp bad)" 0
