# SPDX-License-Identifier: GPL-2.0-only
test_efi_memmap_SRCS := boot/efi/memmap.c boot/bootinfo.c
