#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --load none
#
# This tree's hv_utils on hvsim's heartbeat and time sync ICs, and bad
# host input on each: negotiation, heartbeats, the host clock an hour
# ahead moving the guest's clock and the PTP clock "hyperv", short,
# unknown and malformed messages answered with errors, unsupported
# versions refused, and no crash (stale samples: utils_timesync;
# hibernation: utils_hibernate*).
IC_DRIVER=ours
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/ic_lib.inc

plan 28
ic_setup heartbeat timesync shutdown
check "heartbeat negotiates" ic_wait heartbeat state ready
is "  framework 3.0, heartbeat 3.0" \
	"$(ic_val heartbeat framework)/$(ic_val heartbeat version)" 3.0/3.0
is "a heartbeat is answered" "$(ic_do heartbeat beat 1)" ok
is "  with the sequence plus one" "$(ic_val heartbeat seq)" 1
check "the host beats every 100 ms" write $IC/heartbeat/interval_ms 100
check "  the sequence advances (20 beats)" ic_atleast heartbeat beats 21 60
check "  stopped" write $IC/heartbeat/interval_ms 0
ic_wait heartbeat pending none >/dev/null
is "  every beat came back plus one" \
	"$(ic_val heartbeat seq)" "$(ic_val heartbeat beats)"

check "time sync negotiates" ic_wait timesync state ready
is "  time sync 4.0" "$(ic_val timesync version)" 4.0
ptp=$(ic_ptp_dev)
check "the PTP clock \"hyperv\" exists" test -c "$ptp"
check "the host's clock goes an hour ahead" write $IC/timesync/offset_s 3600
is "  a SYNC is answered" "$(ic_do timesync send sync)" ok
check "  the guest's clock follows" \
	eventually sh -c "[ \$(( \$(date +%s) - \$(sed -n 's/^host_time //p' $IC/timesync/status) )) -le 3 ] &&
		[ \$(( \$(sed -n 's/^host_time //p' $IC/timesync/status) - \$(date +%s) )) -le 3 ]"
check "  the PTP clock reads the host's time" \
	ic_near "$(ptp_read "$ptp")" "$(ic_val timesync host_time)" 3
is "a SAMPLE is answered" "$(ic_do timesync send sample)" ok

# Bad input.
# The guest answers HV_INVALIDARG with what it got (32 bytes); hvsim
# counts an answer without the sequence number as short before it looks
# at the status.
is "heartbeat: a body too short is answered, not dropped (bad=short)" \
	"$(ic_do heartbeat inject 'short 32')" bad=short
is "heartbeat: an unknown message type (HV_E_FAIL)" \
	"$(ic_do heartbeat inject 'type 9')" status=0x80004005
is "shutdown: unknown flags (HV_E_FAIL)" \
	"$(ic_do shutdown send 'flags 8')" status=0x80004005
is "heartbeat: no version shared: refused (0/0)" \
	"$(ic_do heartbeat inject 'nego 1.0,3.0 7.0')" refused
is "heartbeat: a negotiation with counts past the packet: refused (0/0)" \
	"$(ic_do heartbeat inject 'nego_count 2 90')" refused
check "  not a crash" ic_no_oops
is "  and beating again" "$(ic_do heartbeat beat 1)" ok
is "no other bad answer from the guest" \
	"$(ic_val heartbeat bad.seq)/$(ic_val heartbeat bad.len)/$(ic_val timesync bad)/$(ic_val shutdown bad)" 0/0/0/0
