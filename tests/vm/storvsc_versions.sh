#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vmrun: --smp 2 --load none --kmod hv_storvsc --kmod sd_mod
#
# vstor version negotiation with the in-tree hv_storvsc, which asks for
# 6.2, then 6.0, then 5.1: capped by scsi_max_version, storvsp answers
# REVISION_MISMATCH to the newer ones and the guest settles on the cap;
# its disk works at each version.
. /hvguest/tests/vm/lib.sh
. /hvguest/tests/vm/vmbus_lib.inc
. /hvguest/tests/vm/storvsc_lib.inc

plan 10
echo "storvsc_versions.sh: start" >/dev/kmsg

for v in 0x602 0x600 0x501; do
	check "hvsim capped at vstor $v, hv_vmbus, hv_storvsc and sd_mod load" \
		scsi_up scsi_lun_mb=16 scsi_max_version=$v
	check "  the disk appears and reads, at version $v" \
		sh -c "for i in \$(seq 100); do [ -e /sys/block/sda ] && break;
			sleep 0.1; done
		       dd if=/dev/sda of=/dev/null bs=64k count=16 iflag=direct \
			2>/dev/null &&
		       grep -q 'state=ready version=$v ' $S/luns"
	check "  everything unloads" \
		scsi_down
done
check "no kernel warning or error on the way" \
	sh -c "! dmesg -r | sed -n '/storvsc_versions.sh: start/,\$p' |
	       grep -E '^<[0-4]>' | grep -v 'taints kernel'"

done_testing
