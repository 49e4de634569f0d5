#!/usr/bin/env python3
"""`make run`: boot Eyrie in QEMU (TCG, AMD-V with nested paging) with the
serial line on this terminal, so you type into the debug shell.

    EYRIE_RUN=usb     (default) the USB image under OVMF, as from a USB stick
    EYRIE_RUN=kernel  QEMU -kernel build/eyrie.elf (multiboot1): fastest
    EYRIE_RUN=iso     the GRUB2 ISO under SeaBIOS

Extra arguments are passed on to QEMU.  Quit with Ctrl-A X.
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("EYRIE_BUILD", os.path.join(ROOT, "build")))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


def need(path):
    if not os.path.exists(path):
        sys.exit("run: %s is missing: build it with make" % path)
    return path


def main():
    mode = os.environ.get("EYRIE_RUN", "usb")
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "EPYC-Rome", "-smp", "2",
            "-m", "1024", "-nodefaults", "-display", "none", "-serial", "mon:stdio",
            "-no-reboot"]
    tmp = tempfile.mkdtemp(prefix="eyrie-run-")
    try:
        if mode == "usb":
            img = need(os.path.join(BUILD, "eyrie-usb.img"))
            vars_fd = os.path.join(tmp, "OVMF_VARS.fd")
            shutil.copyfile(need(OVMF_VARS), vars_fd)
            argv += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + need(OVMF_CODE),
                     "-drive", "if=pflash,format=raw,unit=1,file=" + vars_fd,
                     "-drive", "if=none,id=stick,format=raw,snapshot=on,file=" + img,
                     "-device", "qemu-xhci,id=xhci",
                     "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=1"]
            what = "%s under OVMF (USB stick)" % os.path.relpath(img)
        elif mode == "kernel":
            elf = need(os.path.join(BUILD, "eyrie.elf"))
            argv += ["-kernel", elf, "-append", "loglevel=info",
                     "-initrd", need(os.path.join(ROOT, "conf", "hypervisor.conf"))]
            what = "%s via QEMU -kernel (multiboot1)" % os.path.relpath(elf)
        elif mode == "iso":
            iso = need(os.path.join(BUILD, "eyrie.iso"))
            argv += ["-drive", "if=none,id=cd,format=raw,media=cdrom,readonly=on,file=" + iso,
                     "-device", "ide-cd,drive=cd,bootindex=1"]
            what = "%s under SeaBIOS" % os.path.relpath(iso)
        else:
            sys.exit("run: EYRIE_RUN must be usb, kernel or iso (not %r)" % mode)
        argv += sys.argv[1:]
        print("Booting %s; quit with Ctrl-A X (Ctrl-A C: QEMU monitor)." % what, flush=True)
        # Drop QEMU's start-up warnings about EPYC-Rome features TCG lacks.
        proc = subprocess.Popen(argv, stderr=subprocess.PIPE)
        for line in proc.stderr:
            if b"TCG doesn't support requested feature" not in line:
                sys.stderr.buffer.write(line)
                sys.stderr.buffer.flush()
        return proc.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
