# SPDX-License-Identifier: GPL-2.0-only
# Eyrie — one GNU Makefile. `make` builds every image, `make run` boots the
# default configuration in QEMU, `make test` runs everything CI checks,
# `make bench` prints boot-time figures.

BUILD   := build
CC      := gcc
HOSTCC  := gcc
PYTHON  := python3
WERROR  ?=
# `make test` builds with -Werror (see the test target).

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wundef -Wvla -Wwrite-strings -Wno-unused-parameter \
        $(WERROR)

# Freestanding C11 for everything that runs on the machine.
HV_CFLAGS := -std=c11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
        -fno-omit-frame-pointer -mno-red-zone -mgeneral-regs-only \
        -mcmodel=small -fno-builtin -fno-common -O2 -g $(WARN) -I. \
        -MMD -MP
HV_ASFLAGS := -D__ASSEMBLY__ -I. -g -MMD -MP
HV_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -z max-page-size=0x1000 \
        -z noexecstack -T linker.ld

# The hypervisor: every C and asm file of the privileged folders except the
# UEFI loader (a separate PE application) .
HV_SRCS := $(wildcard boot/multiboot/*.c boot/multiboot/*.S boot/*.c \
        arch/x86_64/*.c arch/x86_64/*.S arch/x86_64/svm/*.c arch/x86_64/svm/*.S \
        arch/x86_64/vmx/*.c arch/x86_64/vmx/*.S kernel/*.c drivers/*.c vmm/*/*.c)
HV_OBJS := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SRCS)) $(BUILD)/hv/font.o
HV_ELF  := $(BUILD)/eyrie.elf

.PHONY: all hv run test unit boot-test bench clean deps clang-check
all: hv images

hv: $(HV_ELF)

deps:
	@sh tools/deps.sh

$(BUILD)/hv/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/hv/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(HV_ASFLAGS) -c $< -o $@

# The framebuffer console font comes from Debian's console-setup-linux at
# build time (converted to C, never committed).
FONT_PSF := /usr/share/consolefonts/Lat15-VGA16.psf.gz
$(BUILD)/gen/font.c: tools/psf2c.py
	@mkdir -p $(dir $@)
	$(PYTHON) tools/psf2c.py $(FONT_PSF) $@
$(BUILD)/hv/font.o: $(BUILD)/gen/font.c
	$(CC) $(HV_CFLAGS) -c $< -o $@

# Two links: the first gives the text symbols, which are compiled into the
# second (kernel/ksyms.h) for symbolized backtraces; the table lands after
# all text, so text addresses must not move between the links.
$(HV_ELF): $(HV_OBJS) linker.ld tools/ksyms.py
	$(CC) $(HV_LDFLAGS) -o $(BUILD)/eyrie.pass1.elf $(HV_OBJS) -lgcc
	$(PYTHON) tools/ksyms.py $(BUILD)/eyrie.pass1.elf $(BUILD)/gen/ksyms.c
	$(CC) $(HV_CFLAGS) -c $(BUILD)/gen/ksyms.c -o $(BUILD)/hv/ksyms.o
	$(CC) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/hv/ksyms.o -lgcc
	@nm $(BUILD)/eyrie.pass1.elf | grep -i ' t ' > $(BUILD)/syms.1
	@nm $@ | grep -i ' t ' > $(BUILD)/syms.2
	@cmp -s $(BUILD)/syms.1 $(BUILD)/syms.2 || { echo "text moved between links"; exit 1; }
	@$(PYTHON) tools/check_elf.py $@

include boot/efi/efi.mk
include tools/images.mk
include tests/unit/unit.mk
include tests/boot/boot.mk
include tests/guests/guests.mk
include tests/linux/linux.mk
include mgmt/newlib.mk
include mgmt/mgmt.mk

run: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/run.py

test: deps
	@$(MAKE) --no-print-directory clean-objs
	@$(MAKE) --no-print-directory WERROR=-Werror all unit-bins
	@$(MAKE) --no-print-directory clang-check
	@$(PYTHON) tests/run_all.py

# The hypervisor must also build with clang and -Werror (a second compiler
# finds what one lets pass); the image is not booted.
clang-check:
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/clang CC=clang WERROR=-Werror \
		HV_LDFLAGS="$(filter-out -no-pie,$(HV_LDFLAGS))" $(BUILD)/clang/eyrie.elf

bench: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/bench.py

clean-objs:
	rm -rf $(BUILD)/hv $(BUILD)/efi $(BUILD)/unit

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
