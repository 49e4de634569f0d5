#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Boot the Linux boot-test guest directly under QEMU TCG, without Eyrie.

    python3 tools/linux_direct.py [-v] [VMLINUZ INITRD]

This is the baseline the boot tests and benchmarks compare against, and a
check that build/linux (see tools/linux_guest.py) works at all.  It reports
the wall time from starting QEMU to the guest's EYRIE-LINUX-USERSPACE-OK line
and to QEMU's exit; -v prints the serial output as it arrives.  Exit status 0
means the marker and EYRIE-LINUX-POWEROFF appeared and QEMU exited by itself.
"""

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("EYRIE_BUILD", os.path.join(ROOT, "build")))
MARKER = b"EYRIE-LINUX-USERSPACE-OK"
POWEROFF = "EYRIE-LINUX-POWEROFF"


def qemu_cmd(vmlinuz, initrd, timeout, append="console=ttyS0"):
    return ["timeout", str(timeout),
            "qemu-system-x86_64", "-machine", "pc", "-accel", "tcg",
            "-cpu", "EPYC-Rome", "-m", "256", "-nographic", "-no-reboot",
            "-kernel", vmlinuz, "-initrd", initrd, "-append", append,
            "-serial", "stdio", "-monitor", "none", "-display", "none",
            "-net", "none"]


def run_direct(vmlinuz, initrd, timeout=300, echo=None, append="console=ttyS0"):
    """Boot vmlinuz+initrd under QEMU TCG and wait for QEMU to exit (at most
    timeout seconds).  Returns dict(seconds_to_marker, seconds_total, output,
    returncode, ok); seconds_to_marker is None if the marker never came.
    echo, if given, is called with each chunk of serial output (bytes)."""
    start = time.monotonic()
    p = subprocess.Popen(qemu_cmd(vmlinuz, initrd, timeout, append),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = bytearray()
    to_marker = None
    while True:
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        out += chunk
        if to_marker is None and MARKER in out:
            to_marker = time.monotonic() - start
        if echo:
            echo(chunk)
    rc = p.wait()
    total = time.monotonic() - start
    # QEMU exits 0 on an ACPI power-off; timeout(1) gives 124 on a hang.
    text = out.decode("utf-8", "replace")
    powered_off = any(l.strip() == POWEROFF for l in text.splitlines())
    ok = rc == 0 and to_marker is not None and powered_off
    return dict(seconds_to_marker=to_marker, seconds_total=total,
                output=text, returncode=rc, ok=ok)


def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    if len(args) not in (0, 2):
        sys.exit("usage: linux_direct.py [-v] [VMLINUZ INITRD]")
    vmlinuz, initrd = args or [os.path.join(BUILD, "linux", n)
                               for n in ("vmlinuz", "initrd.img")]
    for f in (vmlinuz, initrd):
        if not os.path.exists(f):
            sys.exit("linux_direct: %s is missing: run make linux-guest" % f)

    def echo(chunk):
        sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()

    r = run_direct(vmlinuz, initrd, echo=echo if verbose else None)
    marker = ("%.2f s" % r["seconds_to_marker"]
              if r["seconds_to_marker"] is not None else "never")
    print("\nlinux-direct: marker after %s, QEMU exited after %.2f s (status %d): %s"
          % (marker, r["seconds_total"], r["returncode"],
             "ok" if r["ok"] else "FAILED"))
    sys.exit(0 if r["ok"] else 1)


if __name__ == "__main__":
    main()
