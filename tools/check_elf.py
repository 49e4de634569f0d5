#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks the linked hypervisor image after every link:
- every PT_LOAD has p_vaddr == p_paddr (identity map) and the same
  file-offset-to-address delta (QEMU's multiboot a.out-kludge loader reads
  the image as one flat run of the file);
- no segment is both writable and executable (W^X);
- the multiboot1 header is in the first 8 KiB, the multiboot2 header in the
  first 32 KiB, 8-byte aligned."""
import struct
import sys


def main(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit(f"{path}: not an ELF64 file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    delta = None
    for i in range(phnum):
        p_type, p_flags, p_off, p_vaddr, p_paddr, p_filesz, p_memsz, _ = \
            struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type != 1:
            continue
        if p_vaddr != p_paddr:
            sys.exit(f"{path}: segment {i} vaddr {p_vaddr:#x} != paddr {p_paddr:#x}")
        if (p_flags & 3) == 3:
            sys.exit(f"{path}: segment {i} is writable and executable")
        d = p_vaddr - p_off
        if delta is not None and d != delta and p_filesz:
            sys.exit(f"{path}: segment {i} breaks the linear file layout")
        delta = d if delta is None else delta
    mb1 = data.find(struct.pack("<I", 0x1BADB002), 0, 8192)
    mb2 = data.find(struct.pack("<I", 0xE85250D6), 0, 32768)
    if mb1 < 0 or mb1 % 4:
        sys.exit(f"{path}: no multiboot1 header in the first 8 KiB")
    if mb2 < 0 or mb2 % 8:
        sys.exit(f"{path}: no 8-byte aligned multiboot2 header in the first 32 KiB")


if __name__ == "__main__":
    main(sys.argv[1])
