# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts: the kernel of kernel.conf and where things live.
# shellcheck shell=bash

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../kernel.conf
. "$top/kernel.conf"
KVER=${KVER:-$KERNEL_ABI-$KERNEL_FLAVOUR}
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
HVGUEST_CACHE=${HVGUEST_CACHE:-$HOME/.cache/hvguest}
# The extracted target kernel source, shared by every clone on the machine.
KSRC=$HVGUEST_CACHE/linux-source-$KERNEL_DEB_VERSION

# Extract linux-source-6.12 into $KSRC once, atomically: a run killed
# half-way leaves no half tree behind.
ensure_source() {
	[ -e "$KSRC/.hvguest-extracted" ] && return 0
	echo "extracting linux-source-6.12 $KERNEL_DEB_VERSION into $HVGUEST_CACHE"
	mkdir -p "$HVGUEST_CACHE"
	rm -rf "$KSRC" "$KSRC.tmp"
	mkdir "$KSRC.tmp"
	tar -C "$KSRC.tmp" -xf /usr/src/linux-source-6.12.tar.xz \
		--strip-components=1
	touch "$KSRC.tmp/.hvguest-extracted"
	mv "$KSRC.tmp" "$KSRC"
}
