#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The house as rooms and arrows: which privileged folder includes which.

    python3 tools/layers.py            # print the picture (docs/architecture.md holds it)
    python3 tools/layers.py --check    # exit 1 if docs/architecture.md's copy is stale

Rooms are the privileged folders (arch/x86_64 without its vendor folders,
svm, vmx, drivers, kernel, vmm's five rooms, boot). An arrow A -> B counts
the files of A that include a header of B. The layers, bottom up, are

    lib < arch < drivers < kernel
        < vmm/load < vmm/emul < vmm/plat < vmm/xen < vmm/core
        < svm, vmx < boot

vmm/core is drawn above the other vmm rooms because it dispatches to
them (exits, the run loop, domain building); they in turn use its guest
memory, p2m and domain structs, and those arrows are listed as upward.

lib is the freestanding C library the hypervisor carries (string, errno,
log/printk, bytes, date, crc32, symbols, the ELF checks), whose headers live in kernel/
for now. boot/boot_info.h, the hand-off from the loaders, is an interface
like include/public and not drawn. (boot is the entry: it hands struct boot_info to kmain; svm and vmx
implement vmm's vcpu interface, vmm/core/vcpu.h, and are reached through its
table of operations). An arrow from a lower layer to a higher one is
listed as "upward" with the files that make it; include/public (the guest
ABI) is shared by all and not drawn.
"""

import collections
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "architecture.md")
BEGIN = "<!-- layers.py: begin -->"
END = "<!-- layers.py: end -->"
LIB = {"kernel/string.h", "kernel/errno.h", "kernel/log.h", "kernel/bytes.h", "kernel/date.h",
       "kernel/crc32.h", "kernel/ksyms.h", "kernel/string.c", "kernel/log.c", "kernel/date.c",
       "kernel/crc32.c", "kernel/ksyms.c", "kernel/printf.c", "kernel/elf.h", "kernel/elf.c",
       "kernel/spin.h"}
INTERFACES = {"boot/boot_info.h"}
VMM_ROOMS = ("load", "emul", "plat", "xen", "core")
RANK = {"lib": -1, "arch": 0, "drivers": 1, "kernel": 2, "svm": 4, "vmx": 4, "boot": 5}
RANK.update({"vmm/" + r: 3 + i / 10 for i, r in enumerate(VMM_ROOMS)})
JOB = {
    "boot": "UEFI loader and multiboot entry: the machine's facts in one struct boot_info",
    "svm": "AMD-V backend: VMCB, exits decoded into neutral structs",
    "vmx": "VT-x backend: VMCS, exits decoded into neutral structs",
    "vmm/core": "vendor-neutral guests: vcpus, run loop, exits, p2m, guest memory, domains, shell",
    "vmm/xen": "the Xen ABI: hypercall dispatch, one file per family, vcpu ops, PIRQs",
    "vmm/plat": "the virtual platform: LAPIC, IOAPIC, PIC, PIT, RTC, PM timer, UART, PCI, ACPI",
    "vmm/emul": "instruction decoder and emulator, instruction lengths, CPUID and MSR policy",
    "vmm/load": "guest loaders shared with mgmt: multiboot, PVH, placement",
    "kernel": "frames, heap, event channels, grant tables, scheduler loop, log, debug shell",
    "drivers": "hardware the hypervisor keeps: UART, framebuffer, ACPI tables, PCI config, RTC",
    "arch": "x86_64: CPU features, paging, APIC, timer, traps, per-CPU state",
    "lib": "the freestanding C library: string, errno, printk and the log, bytes, date, crc32, ELF, spinlock",
}
ORDER = ["boot", "svm", "vmx", "vmm/core", "vmm/xen", "vmm/plat", "vmm/emul", "vmm/load",
         "kernel", "drivers", "arch", "lib"]


def room(path):
    p = path.replace(os.sep, "/")
    if p in INTERFACES:
        return None
    if p in LIB:
        return "lib"
    if p.startswith("arch/x86_64/svm/"):
        return "svm"
    if p.startswith("arch/x86_64/vmx/"):
        return "vmx"
    parts = p.split("/")
    if parts[0] == "vmm":
        return "vmm/" + parts[1] if len(parts) > 2 and parts[1] in VMM_ROOMS else None
    return parts[0] if parts[0] in RANK else None


def arrows():
    """{(from, to): set of files of `from` that include a header of `to`}."""
    out = collections.defaultdict(set)
    for top in ("boot", "arch", "kernel", "drivers", "vmm"):
        for dp, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if not f.endswith((".c", ".h", ".S")):
                    continue
                path = os.path.relpath(os.path.join(dp, f), ROOT)
                src = room(path)
                if src is None:
                    continue
                text = open(os.path.join(ROOT, path), errors="replace").read()
                for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
                    dst = room(inc)
                    if dst and dst != src:
                        out[(src, dst)].add(path.replace(os.sep, "/"))
    return out


def picture():
    a = arrows()
    lines = ["Rooms, top (the entry) to bottom (the hardware), with each one's job:", "", "```"]
    for r in ORDER:
        lines.append("%-9s %s" % (r, JOB[r]))
        down = sorted((d for (s, d) in a if s == r and RANK[d] < RANK[r]), key=ORDER.index)
        if down:
            lines.append("%-9s   uses: %s" % ("", ", ".join("%s (%d)" % (d, len(a[(r, d)]))
                                                          for d in down)))
    lines.append("```")
    up = sorted(((s, d) for (s, d) in a if RANK[d] >= RANK[s]),
                key=lambda sd: (ORDER.index(sd[0]), ORDER.index(sd[1])))
    lines += ["", "Arrows that do not run down (a lower or same-rank room including a higher "
              "one's headers; (n) counts files):", ""]
    if not up:
        lines.append("none")
    for s, d in up:
        files = sorted(a[(s, d)])
        lines.append("- %s -> %s (%d): %s" % (s, d, len(files), ", ".join("`%s`" % f
                                                                        for f in files)))
    return "\n".join(lines) + "\n"


def main():
    text = picture()
    if "--check" not in sys.argv:
        sys.stdout.write(text)
        return 0
    doc = open(DOC).read()
    if BEGIN not in doc or END not in doc:
        print("layers: %s has no %s ... %s block" % (DOC, BEGIN, END))
        return 1
    have = doc[doc.index(BEGIN) + len(BEGIN):doc.index(END)].strip("\n") + "\n"
    if have != text:
        print("layers: docs/architecture.md is stale: run python3 tools/layers.py and paste "
              "its output between the markers")
        return 1
    print("layers: docs/architecture.md matches the code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
