# SPDX-License-Identifier: GPL-2.0
#
# hvguest: top-level make targets.  The kernel build itself is Kbuild's
# (see Kbuild); this file only drives it and the test tiers.
#
#   make            build every module against the kernel of kernel.conf
#   make check      W=1 + sparse + checkpatch + export CRCs vs Module.symvers
#   make kunit      KUnit suites in the debug KUnit kernel (QEMU)
#   make vmtest     VM tests in the stock Debian kernel (QEMU)
#   make test       check + kunit + vmtest, one "N passed, N failed" line
#   make demo       the stack on the simulated host, in a VM
#   make bench      benchmarks (tests/bench), ratios measured in one run
#   make install    modules into /lib/modules/KVER/updates, depmod
#   make clean
#
# T=NAME picks one KUnit suite (make kunit) or one VM test (make vmtest).

include kernel.conf

KVER	?= $(KERNEL_ABI)-$(KERNEL_FLAVOUR)
KDIR	?= /usr/src/linux-headers-$(KVER)
BUILD	:= $(CURDIR)/build/$(KVER)
MODDIR	?= /lib/modules/$(KVER)/updates
J	?= $(shell nproc)

# Directories mirrored (as symlinks) into the build directory, so that
# objects never land in the source tree; the KUnit tier links the same
# directories into the kernel source.
SRCDIRS	:= include arch hvcore vmbus hvsim clocksource drivers tests

export KVER KDIR BUILD

.PHONY: all modules deps vmdeps vmprogs mirror check kunit vmtest test demo \
	bench install clean

all: modules

# Packages come from scripts/deps only for the kernel of kernel.conf; a
# build for another kernel (KVER=..., DKMS) uses what that machine has.
deps:
ifeq ($(KVER),$(KERNEL_ABI)-$(KERNEL_FLAVOUR))
	@scripts/deps build
endif

vmdeps:
	@scripts/deps vm

# The VM tests' user-space programs, tests/vm/NAME.c into build/KVER/progs/,
# static for the busybox initramfs; scripts/vmrun puts them on the VM's
# PATH.
VMCC	?= gcc
VMPROGS	:= $(patsubst tests/vm/%.c,$(BUILD)/progs/%,$(wildcard tests/vm/*.c))

vmprogs: $(VMPROGS)

$(BUILD)/progs/%: tests/vm/%.c | vmdeps
	@mkdir -p $(@D)
	$(VMCC) -static -O2 -Wall -Wextra -Werror -o $@ $<

mirror:
	@mkdir -p $(BUILD)
	@find $(BUILD) -xtype l -delete
	@cp -rs --remove-destination $(addprefix $(CURDIR)/,$(SRCDIRS) Kbuild) \
		$(BUILD)/

# The built-in layer (arch/x86, hvcore/hyperv_x86.c) can not be a module.
# For the kernel of kernel.conf it is compiled all the same, linked into
# nothing, so that make check's W=1 and sparse see it; not for others.
ifeq ($(KVER),$(KERNEL_ABI)-$(KERNEL_FLAVOUR))
BUILTIN_CHECK := HVGUEST_BUILTIN_CHECK=y
endif

modules: deps mirror
	$(MAKE) -s -C $(KDIR) M=$(BUILD) -j$(J) $(KBUILD_ARGS) $(BUILTIN_CHECK) \
		modules

check:
	@scripts/check

kunit:
	@scripts/kunit $(T)

vmtest: modules vmprogs
	@scripts/vmtest $(T)

bench: modules
	@scripts/bench $(T)

test:
	@scripts/test

demo: modules
	@scripts/demo

install: modules
	install -d $(DESTDIR)$(MODDIR)
	cd $(BUILD) && find . -name '*.ko' ! -path './tests/*' \
		-exec install -m 0644 {} $(DESTDIR)$(MODDIR)/ \;
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)

clean:
	rm -rf build
