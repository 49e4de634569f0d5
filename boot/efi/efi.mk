# SPDX-License-Identifier: GPL-2.0-only
# The UEFI loader, BOOTX64.EFI (included by the top Makefile).
# Built with gnu-efi: compiled as position-independent ELF, linked as a
# shared object with gnu-efi's crt0 and linker script, converted to a PE32+
# EFI application (subsystem 10) with objcopy. See docs/uefi-loader.md.

EFI_INC  ?= /usr/include/efi
EFI_LIB  ?= /usr/lib
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o
EFI_LDS  := $(EFI_LIB)/elf_x86_64_efi.lds
EFI_DIR  := $(BUILD)/efi
EFI_APP  := $(EFI_DIR)/BOOTX64.EFI

# GNU_EFI_USE_MS_ABI: firmware function pointers are declared ms_abi, so we
# call them directly instead of through uefi_call_wrapper. gnu-efi's own
# headers are -isystem: our warnings are for our code.
EFI_CFLAGS := -std=c11 -ffreestanding -fpic -fshort-wchar -mno-red-zone \
        -fno-stack-protector -fno-stack-check -fno-strict-aliasing \
        $(if $(findstring clang,$(CC)),,-maccumulate-outgoing-args \
        -fno-tree-loop-distribute-patterns) \
        -DGNU_EFI_USE_MS_ABI -isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 \
        -O2 -g $(WARN) -I. -MMD -MP
# --no-undefined: a shared object may otherwise link with missing symbols.
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined -T $(EFI_LDS)
EFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
        -j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc

# kernel/elf.c and boot/bootinfo.c are pure and shared with the hypervisor.
EFI_SRCS := $(wildcard boot/efi/*.c) kernel/elf.c boot/bootinfo.c
EFI_OBJS := $(patsubst %.c,$(EFI_DIR)/%.o,$(EFI_SRCS))

.PHONY: efi
efi: $(EFI_APP)

$(EFI_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c $< -o $@

$(EFI_DIR)/BOOTX64.so: $(EFI_OBJS) $(EFI_CRT0) $(EFI_LDS)
	ld $(EFI_LDFLAGS) $(EFI_CRT0) $(EFI_OBJS) -L$(EFI_LIB) -lefi -lgnuefi -o $@

$(EFI_APP): $(EFI_DIR)/BOOTX64.so
	objcopy $(EFI_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@
