# SPDX-License-Identifier: GPL-2.0-only
# The Linux boot-test guest (included by the top Makefile):
#   build/linux/vmlinuz     Debian's linux-image-amd64 kernel
#   build/linux/initrd.img  busybox-static plus tests/linux/init
#   build/linux/vmlinux     the ELF inside vmlinuz (for the loaders' unit tests)
#   build/linux/rootfs.img  a small ext4 root file system (the demo guest's disk)
# tools/linux_guest.py fetches the packages with `apt-get download` into
# build/linux/dl (the first run needs the network, later ones do not).
# `make linux-direct` boots them under plain QEMU TCG, the baseline for the
# boot tests.

LINUX_DIR     := $(BUILD)/linux
LINUX_VMLINUZ := $(LINUX_DIR)/vmlinuz
LINUX_INITRD  := $(LINUX_DIR)/initrd.img
LINUX_VMLINUX := $(LINUX_DIR)/vmlinux

.PHONY: linux-guest linux-direct
all: linux-guest
linux-guest: $(LINUX_VMLINUZ) $(LINUX_INITRD) $(LINUX_VMLINUX) $(LINUX_DIR)/rootfs.img

# One run writes both files (a grouped target, GNU make 4.3).
$(LINUX_VMLINUZ) $(LINUX_INITRD) $(LINUX_VMLINUX) $(LINUX_DIR)/rootfs.img &: tools/linux_guest.py tests/linux/init \
		tests/linux/rootinit
	$(PYTHON) tools/linux_guest.py $(LINUX_DIR)

linux-direct: linux-guest
	$(PYTHON) tools/linux_direct.py -v
