# SPDX-License-Identifier: GPL-2.0-only
# Test guests (tests/guests/, see docs/guests.md), included by the top
# Makefile: `make guests` (part of `all`) builds build/guests/NAME.elf.
# 32-bit guests: tests/guests/NAME.c + the runtime in lib/, linked at 1 MiB
# by lib/guest.ld. `modes` is a 64-bit ELF (real mode -> long mode) built
# from modes/ with the 64-bit half of the runtime.
# `make guests-smoke` runs each guest on bare QEMU (no hypervisor) to check
# the guest code itself: see tests/guests/smoke.py.

GUESTS_DIR := tests/guests
GUEST_OUT  := $(BUILD)/guests
GUESTS32   := exits pattern wild triple badstate hostile bench virt devices pvh evtchn mgmt iopass \
        reboot attack xsclient fuzz blkfront netfront ipi fid acpi xsave fifo spin stress burn lapicipi pauses
GUESTS64   := modes
GUEST_ELFS := $(patsubst %,$(GUEST_OUT)/%.elf,$(GUESTS32) $(GUESTS64)) $(GUEST_OUT)/fid-x64.elf

# Freestanding C11, no SSE (no FPU state to set up), strict warnings and
# -Werror always: the guests are small and entirely ours.
GUEST_CFLAGS := -std=c11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
        -mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-builtin \
        -fno-delete-null-pointer-checks -fno-common -O2 -g $(WARN) -Werror \
        -I$(GUESTS_DIR)/lib -I. -MMD -MP
GUEST_CFLAGS32 := $(GUEST_CFLAGS) -m32 -march=i686
GUEST_CFLAGS64 := $(GUEST_CFLAGS) -m64 -mno-red-zone -mcmodel=small
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -z max-page-size=0x1000 \
        -z noexecstack

GUEST_LIB32 := entry32.S isr32.S rt.c console.c string.c hypercall.c time.c idt.c \
        check.c div64.c conring.c vcpu.c
GUEST_LIB64 := console.c string.c hypercall.c check.c
GUEST_LIB32_OBJS := $(patsubst %,$(GUEST_OUT)/lib32/%.o,$(GUEST_LIB32))
# A frontend's plumbing (grants, event channels, the store): an archive
# linked into every 32-bit guest, so that only the guests that call it
# carry it.
GUEST_XENBUS := $(GUEST_OUT)/lib32/libxenbus.a
GUEST_LIB64_OBJS := $(patsubst %,$(GUEST_OUT)/lib64/%.o,$(GUEST_LIB64))
GUEST_MODES_OBJS := $(GUEST_OUT)/modes/modes16.S.o $(GUEST_OUT)/modes/modes64.c.o

.PHONY: guests guests-smoke
guests: $(GUEST_ELFS)
all: guests

$(GUEST_OUT)/lib32/%.c.o: $(GUESTS_DIR)/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS32) -c $< -o $@
$(GUEST_OUT)/lib32/%.S.o: $(GUESTS_DIR)/lib/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS32) -D__ASSEMBLY__ -c $< -o $@
# The console ring code of the management domain (the frontend half here).
$(GUEST_OUT)/lib32/conring.c.o: mgmt/conring.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS32) -c $< -o $@
$(GUEST_XENBUS): $(GUEST_OUT)/lib32/xenbus.c.o
	rm -f $@
	$(AR) rcs $@ $<
$(GUEST_OUT)/lib64/%.c.o: $(GUESTS_DIR)/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS64) -c $< -o $@
$(GUEST_OUT)/obj32/%.c.o: $(GUESTS_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS32) -c $< -o $@
$(GUEST_OUT)/modes/%.c.o: $(GUESTS_DIR)/modes/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS64) -c $< -o $@
$(GUEST_OUT)/modes/%.S.o: $(GUESTS_DIR)/modes/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS64) -D__ASSEMBLY__ -c $< -o $@

# A guest of more than one file lists its other objects as prerequisites
# of its ELF (netfront, fuzz and attack below); every guest object is linked.
$(patsubst %,$(GUEST_OUT)/%.elf,$(GUESTS32)): $(GUEST_OUT)/%.elf: $(GUEST_OUT)/obj32/%.c.o \
		$(GUEST_LIB32_OBJS) $(GUEST_XENBUS) $(GUESTS_DIR)/lib/guest.ld $(GUESTS_DIR)/guests.mk
	$(CC) -m32 $(GUEST_LDFLAGS) -T $(GUESTS_DIR)/lib/guest.ld -o $@ \
		$(filter $(GUEST_OUT)/obj32/%,$^) $(GUEST_LIB32_OBJS) $(GUEST_XENBUS)
$(GUEST_OUT)/netfront.elf: $(GUEST_OUT)/obj32/netfront_hostile.c.o
$(GUEST_OUT)/fuzz.elf: $(patsubst %,$(GUEST_OUT)/obj32/fuzz_%.c.o,model grant mem evt vcpu misc)
$(GUEST_OUT)/attack.elf: $(GUEST_OUT)/obj32/attack_mem.c.o $(GUEST_OUT)/obj32/attack_dom.c.o

$(GUEST_OUT)/modes.elf: $(GUEST_MODES_OBJS) $(GUEST_LIB64_OBJS) $(GUESTS_DIR)/modes/modes.ld \
		$(GUESTS_DIR)/guests.mk
	$(CC) -m64 $(GUEST_LDFLAGS) -Wl,--no-warn-rwx-segments -T $(GUESTS_DIR)/modes/modes.ld -o $@ \
		$(GUEST_MODES_OBJS) $(GUEST_LIB64_OBJS)

# fid again in the elf32-x86-64 container (ELFCLASS32, EM_X86_64), as
# Xen's own test kernels are: a PVH kernel all the same.
$(GUEST_OUT)/fid-x64.elf: $(GUEST_OUT)/fid.elf
	objcopy -O elf32-x86-64 $< $@

guests-smoke: guests
	$(PYTHON) $(GUESTS_DIR)/smoke.py
