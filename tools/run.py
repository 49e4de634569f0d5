#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""`make run`: boot Eyrie in QEMU (TCG, AMD-V with nested paging) with the
serial line on this terminal, so you type into the debug shell.

    EYRIE_RUN=usb     (default) the USB image under OVMF, as from a USB stick
    EYRIE_RUN=kernel  QEMU -kernel build/eyrie.elf (multiboot1): fastest
    EYRIE_RUN=iso     the GRUB2 ISO under SeaBIOS

Every mode also starts the management domain (build/mgmt/mgmt.elf) as
domain 0 -- Ctrl-A three times reaches its console (`list`, `create`, ...)
-- which autostarts the Linux guest from linux.cfg (build/linux/: Debian's
kernel and a busybox initramfs) as domain 1, an HVM guest with Xen's PV
drivers whose root file system is /dev/xvda (build/linux/rootfs.img, served
by the management domain's block backend), with a shell on its serial
port: type `input 1 uname -a` at the eyrie> prompt, `console 1` shows its
output.
EYRIE_RUN_LINUX=0 boots the hypervisor alone.

Extra arguments are passed on to QEMU.  QEMU's escape key is moved to
Ctrl-T (-echr 0x14) so that Ctrl-A reaches Eyrie: quit with Ctrl-T X.
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


# The management domain holds the guest's kernel, initramfs and 32 MiB
# root file system among its boot modules (it serves the disk from them).
MGMT_DOMAIN = "domain=name=mgmt,type=pvh,image=mgmt.elf,memory=80,privileged=1\n"
# The Linux guest: an xl.cfg config the management domain autostarts.
LINUX_CFG = """# written by tools/run.py: the default guest, started by the management domain
name = "linux"
type = "hvm"
memory = 256
kernel = "vmlinuz"
ramdisk = "initrd.img"
cmdline = "console=ttyS0 eyrie.root=xvda eyrie.net=dhcp"
disk = [ 'format=raw, vdev=xvda, access=rw, target=rootfs.img' ]
vif = [ 'bridge=xenbr0' ]
autostart = 1
"""
# The machine's NIC on QEMU's user network, restricted (nothing reaches the
# host's network): the management domain makes it xenbr0's uplink, and the
# guest's vif on xenbr0 gets its address from QEMU's DHCP server.
NIC = ["-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0"]


def linux_modules(tmp):
    """The Linux guest's files and a run.conf starting it ([] when off)."""
    if os.environ.get("EYRIE_RUN_LINUX", "1") == "0":
        return []
    conf = os.path.join(tmp, "run.conf")
    with open(conf, "w") as f:
        f.write("# written by tools/run.py: the management domain (0)\n" + MGMT_DOMAIN)
    cfg = os.path.join(tmp, "linux.cfg")
    with open(cfg, "w") as f:
        f.write(LINUX_CFG)
    return [need(os.path.join(BUILD, "mgmt", "mgmt.elf")),
            need(os.path.join(BUILD, "linux", "vmlinuz")),
            need(os.path.join(BUILD, "linux", "initrd.img")),
            need(os.path.join(BUILD, "linux", "rootfs.img")), conf, cfg]


def usb_with(img, mods, tmp):
    """A copy of the USB image with mods added to its ESP and manifest."""
    if not mods:
        return img
    copy = os.path.join(tmp, "eyrie-usb.img")
    shutil.copyfile(img, copy)
    at = "%s@@%d" % (copy, 2048 * 512)  # the ESP's offset (tools/images.mk)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    cfg = os.path.join(tmp, "eyrie.cfg")
    subprocess.run(["mcopy", "-o", "-i", at, "::/EFI/BOOT/eyrie.cfg", cfg], check=True, env=env)
    with open(cfg, "a") as f:
        for m in mods:
            f.write("module %s\n" % os.path.basename(m))
    for m in mods + [cfg]:
        subprocess.run(["mcopy", "-o", "-i", at, m, "::/EFI/BOOT/" + os.path.basename(m)],
                       check=True, env=env)
    return copy


def main():
    mode = os.environ.get("EYRIE_RUN", "usb")
    argv = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "EPYC-Rome", "-smp", "2",
            "-m", "1024", "-nodefaults", "-display", "none", "-serial", "mon:stdio", "-echr", "0x14",
            "-no-reboot"] + NIC
    tmp = tempfile.mkdtemp(prefix="eyrie-run-")
    try:
        mods = linux_modules(tmp)
        if mode == "usb":
            img = usb_with(need(os.path.join(BUILD, "eyrie-usb.img")), mods, tmp)
            vars_fd = os.path.join(tmp, "OVMF_VARS.fd")
            shutil.copyfile(need(OVMF_VARS), vars_fd)
            argv += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + need(OVMF_CODE),
                     "-drive", "if=pflash,format=raw,unit=1,file=" + vars_fd,
                     "-drive", "if=none,id=stick,format=raw,snapshot=on,file=" + img,
                     "-device", "qemu-xhci,id=xhci",
                     "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=1"]
            what = "build/eyrie-usb.img under OVMF (USB stick)"
        elif mode == "kernel":
            elf = need(os.path.join(BUILD, "eyrie.elf"))
            argv += ["-kernel", elf, "-append", "loglevel=info",
                     "-initrd", ",".join([need(os.path.join(ROOT, "conf", "hypervisor.conf"))]
                                         + mods)]
            what = "%s via QEMU -kernel (multiboot1)" % os.path.relpath(elf)
        elif mode == "iso":
            if mods:
                print("run: EYRIE_RUN=iso boots without the Linux guest", flush=True)
            iso = need(os.path.join(BUILD, "eyrie.iso"))
            argv += ["-drive", "if=none,id=cd,format=raw,media=cdrom,readonly=on,file=" + iso,
                     "-device", "ide-cd,drive=cd,bootindex=1"]
            what = "%s under SeaBIOS" % os.path.relpath(iso)
        else:
            sys.exit("run: EYRIE_RUN must be usb, kernel or iso (not %r)" % mode)
        argv += sys.argv[1:]
        print("Booting %s; quit with Ctrl-T X (Ctrl-T C: QEMU monitor); Ctrl-A three times "
              "switches between the eyrie> shell and the management console." % what, flush=True)
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
