# SPDX-License-Identifier: GPL-2.0-only
# newlib for the management domain: built at build time from Debian's
# `newlib-source` tarball by tools/newlib.sh, cached under $(BUILD)/newlib.
# Include from the top Makefile (after BUILD is set).
#
#   make newlib          build (no-op once $(NEWLIB_STAMP) is current)
#   NEWLIB_INC           newlib headers
#   NEWLIB_LIB           directory holding libc.a and libm.a
#   NEWLIB_CFLAGS        compile flags for mgmt/ C files using newlib
#   NEWLIB_LIBS          what to put last on the mgmt link line
#
# Mgmt objects must have $(NEWLIB_STAMP) as an order-only prerequisite
# (| $(NEWLIB_STAMP)) so the headers exist before they are compiled.
# newlib was configured for x86_64-elf, whose syscalls use the plain names
# (write, read, sbrk, close, fstat, isatty, lseek, kill, getpid, _exit):
# see mgmt/syscalls_stub.c.

BUILD        ?= build
NEWLIB_DIR   := $(BUILD)/newlib
NEWLIB_STAMP := $(NEWLIB_DIR)/stamp
NEWLIB_INC   := $(NEWLIB_DIR)/install/x86_64-elf/include
NEWLIB_LIB   := $(NEWLIB_DIR)/install/x86_64-elf/lib
NEWLIB_TARBALL := $(wildcard /usr/src/newlib/newlib-*.tar.*)

# Same code-generation flags newlib itself was built with (tools/newlib.sh).
# -nostdinc drops the host glibc headers; gcc's own include dir is kept
# (after newlib's) for stddef.h, stdarg.h, float.h and friends.
NEWLIB_CFLAGS := -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mcmodel=small -fno-stack-protector -nostdinc \
	-isystem $(NEWLIB_INC) -isystem $(shell $(CC) -print-file-name=include)
NEWLIB_LIBS := -Wl,--start-group $(NEWLIB_LIB)/libm.a $(NEWLIB_LIB)/libc.a -lgcc \
	-Wl,--end-group

.PHONY: newlib
newlib: $(NEWLIB_STAMP)

$(NEWLIB_STAMP): tools/newlib.sh $(NEWLIB_TARBALL)
	@sh tools/newlib.sh $(NEWLIB_DIR)
	@touch $@
