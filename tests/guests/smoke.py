#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Smoke runs of the test guests on bare QEMU, without the hypervisor.

Each guest image carries a multiboot header (`modes`: the a.out kludge, as
QEMU takes no 64-bit multiboot ELF), so QEMU -kernel runs its code directly:
port 0xE9 output via -debugcon, exit via isa-debug-exit at 0xf4. There is
no hypervisor, so hypercalls fault (#UD, caught: -ENOSYS) and the checks
that need Eyrie FAIL; what this shows is that the guest code itself runs:
entry, runtime, printf, fault fixups, the mode switches of `modes` and
`badstate`, the triple fault of `triple`. A developer tool, not part of
`make test`:

    python3 tests/guests/smoke.py [NAME...] [--cpu EPYC-Rome] [--timeout 10]
"""

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUESTS = ["exits", "modes", "pattern", "wild", "triple", "badstate", "hostile", "bench",
          "virt"]


def run(name, cpu, timeout, mem):
    elf = os.path.join(ROOT, "build", "guests", name + ".elf")
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", cpu, "-m", str(mem),
            "-nodefaults", "-display", "none", "-no-reboot", "-debugcon", "stdio",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", elf]
    try:
        r = subprocess.run(argv, capture_output=True, timeout=timeout)
        out, rc = r.stdout.decode("latin-1"), r.returncode
        how = "exit status %d" % rc
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("latin-1")
        how = "still running after %d s (killed)" % timeout
    return out, how


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=GUESTS)
    ap.add_argument("--cpu", default="EPYC-Rome")
    ap.add_argument("--timeout", type=int, default=10)
    ap.add_argument("--mem", type=int, default=64)
    args = ap.parse_args()
    for name in args.names:
        out, how = run(name, args.cpu, args.timeout, args.mem)
        print("==== %s (%s)" % (name, how))
        lines = out.splitlines()
        for line in lines[:200]:
            print("  " + line)
        if len(lines) > 200:
            print("  ... %d more lines" % (len(lines) - 200))
    return 0


if __name__ == "__main__":
    sys.exit(main())
