# SPDX-License-Identifier: GPL-2.0-only
# Boot images (included by the top Makefile; `make images`, part of `all`):
#   build/eyrie.iso      GRUB2 rescue ISO, boots on BIOS and UEFI (multiboot2)
#   build/eyrie-usb.img  GPT disk with one EFI System Partition holding our
#                        UEFI loader; dd it to a USB stick
#   build/pxe/           TFTP root for UEFI network boot (boot file BOOTX64.EFI)
# No loop mounts and no root: sfdisk writes the partition table into the
# image file, mtools writes the FAT file system at the partition's offset.
# See docs/uefi-loader.md.

ISO       := $(BUILD)/eyrie.iso
USB_IMG   := $(BUILD)/eyrie-usb.img
PXE_DIR   := $(BUILD)/pxe
PXE_STAMP := $(BUILD)/pxe.stamp
ISO_ROOT  := $(BUILD)/iso-root

# What goes into the images; override to package another build.
IMAGE_HV_ELF   ?= $(HV_ELF)
IMAGE_HV_CONF  ?= conf/hypervisor.conf
IMAGE_MANIFEST ?= conf/eyrie.cfg

# USB image geometry, in 512-byte sectors: the ESP starts at 1 MiB and ends
# 1 MiB before the end of the disk, which leaves room for the backup GPT.
USB_SIZE_MIB ?= 64
ESP_START    := 2048
ESP_SECTORS   = $(shell echo $$(( ($(USB_SIZE_MIB) - 2) * 2048 )))
# The GPT type GUID of an EFI System Partition (UEFI 2.10, 5.3.3).
ESP_TYPE     := C12A7328-F81F-11D2-BA4B-00A0C93EC93B
ESP_FILES     = $(EFI_APP) $(IMAGE_MANIFEST) $(IMAGE_HV_ELF) $(IMAGE_HV_CONF)

.PHONY: images iso usb pxe
images: $(ISO) $(USB_IMG) $(PXE_STAMP)
iso: $(ISO)
usb: $(USB_IMG)
pxe: $(PXE_STAMP)

$(ISO): conf/grub.cfg $(IMAGE_HV_ELF) $(IMAGE_HV_CONF) tools/images.mk
	rm -rf $(ISO_ROOT)
	mkdir -p $(ISO_ROOT)/boot/grub
	cp conf/grub.cfg $(ISO_ROOT)/boot/grub/grub.cfg
	cp $(IMAGE_HV_ELF) $(ISO_ROOT)/boot/eyrie.elf
	cp $(IMAGE_HV_CONF) $(ISO_ROOT)/boot/hypervisor.conf
	grub-mkrescue -o $@.tmp $(ISO_ROOT) >$(BUILD)/grub-mkrescue.log 2>&1 || \
		{ cat $(BUILD)/grub-mkrescue.log; rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

# mtools' geometry checks do not apply to a partition inside an image file.
$(USB_IMG): $(ESP_FILES) tools/images.mk
	rm -f $@.tmp
	truncate -s $(USB_SIZE_MIB)M $@.tmp
	printf 'label: gpt\nunit: sectors\nfirst-lba: %s\nstart=%s, size=%s, type=%s, name="EFI System"\n' \
		$(ESP_START) $(ESP_START) $(ESP_SECTORS) $(ESP_TYPE) | \
		sfdisk --quiet --no-reread --no-tell-kernel $@.tmp
	MTOOLS_SKIP_CHECK=1 mformat -i $@.tmp@@$$(( $(ESP_START) * 512 )) -F -c 1 \
		-T $(ESP_SECTORS) -h 64 -s 32 -H $(ESP_START) -v EYRIE ::
	MTOOLS_SKIP_CHECK=1 mmd -i $@.tmp@@$$(( $(ESP_START) * 512 )) ::/EFI ::/EFI/BOOT
	MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@$$(( $(ESP_START) * 512 )) $(EFI_APP) ::/EFI/BOOT/BOOTX64.EFI
	MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@$$(( $(ESP_START) * 512 )) $(IMAGE_MANIFEST) ::/EFI/BOOT/eyrie.cfg
	MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@$$(( $(ESP_START) * 512 )) $(IMAGE_HV_ELF) ::/EFI/BOOT/eyrie.elf
	MTOOLS_SKIP_CHECK=1 mcopy -i $@.tmp@@$$(( $(ESP_START) * 512 )) $(IMAGE_HV_CONF) ::/EFI/BOOT/hypervisor.conf
	mv $@.tmp $@

$(PXE_STAMP): $(ESP_FILES) tools/images.mk
	rm -rf $(PXE_DIR)
	mkdir -p $(PXE_DIR)
	cp $(EFI_APP) $(PXE_DIR)/BOOTX64.EFI
	cp $(IMAGE_MANIFEST) $(PXE_DIR)/eyrie.cfg
	cp $(IMAGE_HV_ELF) $(PXE_DIR)/eyrie.elf
	cp $(IMAGE_HV_CONF) $(PXE_DIR)/hypervisor.conf
	touch $@
