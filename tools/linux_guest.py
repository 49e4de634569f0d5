#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Build the Linux boot-test guest: a Debian kernel and a busybox initramfs.

    python3 tools/linux_guest.py build/linux

writes build/linux/vmlinuz and build/linux/initrd.img, and
build/linux/rootfs.img: a small ext4 root file system (busybox and
tests/linux/rootinit as /sbin/init) made with `mke2fs -d` (no mounts, no
root needed), the demo guest's disk in `make run`.  The kernel and busybox
come from Debian packages fetched with `apt-get download` and cached in
build/linux/dl, so only the first run needs the network.  Nothing here is
committed.

The initramfs is a gzip-compressed cpio "newc" archive written here rather
than by cpio(1), so its contents are exactly the list below and the same
inputs give the same bytes (all mtimes are zero).
"""

import glob
import gzip
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INIT = os.path.join(ROOT, "tests", "linux", "init")
ROOTINIT = os.path.join(ROOT, "tests", "linux", "rootinit")
ROOTFS_SIZE = "32M"
META_PKG = "linux-image-amd64"
BUSYBOX_PKG = "busybox-static"

# Directories of the initramfs, all mode 0755.
DIRS = ["bin", "sbin", "proc", "sys", "dev", "tmp", "mnt", "usr", "usr/bin", "usr/sbin",
        "lib", "lib/modules"]
# Kernel modules from the same package, in load order (each after those it
# depends on, as their modinfo `depends=` says): the PV disk and network
# frontends and the ext4 file system. /init loads them with insmod.
MODULES = ["kernel/lib/crc16.ko", "kernel/crypto/crc32c_generic.ko", "kernel/fs/mbcache.ko",
           "kernel/fs/jbd2/jbd2.ko", "kernel/fs/ext4/ext4.ko",
           "kernel/drivers/block/xen-blkfront.ko", "kernel/drivers/net/xen-netfront.ko"]
# Device nodes: name, mode, (major, minor).  The kernel opens /dev/console
# for init's stdin/stdout/stderr before devtmpfs is mounted.
DEVS = [("dev/console", 0o600, (5, 1)), ("dev/null", 0o666, (1, 3))]

S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


class Fail(Exception):
    pass


def run(cmd, cwd=None):
    """Run cmd; return its stdout, or raise Fail with its last stderr line."""
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or ["exit status %d" % p.returncode])[-1]
        raise Fail("%s failed: %s" % (" ".join(cmd), err))
    return p.stdout


def up_to_date(outputs):
    if not all(os.path.exists(o) for o in outputs):
        return False
    newest_input = max(os.path.getmtime(p) for p in (os.path.abspath(__file__), INIT, ROOTINIT))
    return min(os.path.getmtime(o) for o in outputs) > newest_input


# --- Fetching -------------------------------------------------------------

def apt_download(pkg, dl):
    """apt-get download pkg into dl (via a temp dir, so a half-fetched file
    never looks cached); return the .deb's path.  Runs `apt-get update` once
    and retries if the package lists are missing or stale."""
    tmp = tempfile.mkdtemp(prefix="apt-", dir=dl)
    try:
        try:
            run(["apt-get", "download", pkg], cwd=tmp)
        except Fail:
            run(["apt-get", "update"])
            run(["apt-get", "download", pkg], cwd=tmp)
        debs = glob.glob(os.path.join(tmp, "*.deb"))
        if len(debs) != 1:
            raise Fail("apt-get download %s gave %d .deb files" % (pkg, len(debs)))
        dst = os.path.join(dl, os.path.basename(debs[0]))
        os.replace(debs[0], dst)
        return dst
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def deb_field(deb, field):
    return run(["dpkg-deb", "-f", deb, field]).strip()


def kernel_package(meta_deb):
    """The versioned image package the meta package depends on, e.g.
    linux-image-6.1.0-56-amd64, from the meta .deb's Depends: line."""
    for dep in deb_field(meta_deb, "Depends").split(","):
        name = dep.split("(")[0].split("|")[0].strip()
        if name.startswith("linux-image-") and name != META_PKG:
            return name
    raise Fail("%s: no linux-image-* in Depends:" % os.path.basename(meta_deb))


def cached(dl, pattern):
    hits = sorted(glob.glob(os.path.join(dl, pattern)))
    return hits[-1] if hits else None


def fetch(dl):
    """Return (kernel .deb, busybox .deb), downloading what is not cached."""
    os.makedirs(dl, exist_ok=True)
    meta = cached(dl, META_PKG + "_*.deb") or apt_download(META_PKG, dl)
    kpkg = kernel_package(meta)
    kdeb = cached(dl, kpkg + "_*.deb") or apt_download(kpkg, dl)
    bdeb = cached(dl, BUSYBOX_PKG + "_*.deb") or apt_download(BUSYBOX_PKG, dl)
    return kdeb, bdeb


# --- Extracting -----------------------------------------------------------

def extract_one(deb, want, dst):
    """Stream the .deb's data tar and copy the first regular file named want
    (a trailing * matches any suffix) to dst; return the member's name.
    Stops reading there, so the kernel's modules (which follow /boot) are
    never unpacked."""
    def match(name):
        return name.startswith(want[:-1]) if want.endswith("*") else name == want

    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    found, bad = None, None
    try:
        with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
            for m in tar:
                if m.isfile() and match(m.name):
                    with tar.extractfile(m) as src, open(dst + ".tmp", "wb") as out:
                        shutil.copyfileobj(src, out)
                    os.replace(dst + ".tmp", dst)
                    found = m.name
                    break
    except tarfile.TarError as e:
        bad = e
    finally:
        p.stdout.close()        # an unfinished dpkg-deb gets SIGPIPE
        if found:
            p.kill()
        rc = p.wait()
    name = os.path.basename(deb)
    if found is None and rc != 0:
        raise Fail("dpkg-deb --fsys-tarfile %s failed (status %d)" % (name, rc))
    if bad is not None:
        raise Fail("%s: bad data archive: %s" % (name, bad))
    if found is None:
        raise Fail("%s: no %s in the package" % (name, want))
    return found


# --- The initramfs --------------------------------------------------------

def cpio_entry(ino, name, mode, data=b"", rdev=(0, 0), nlink=1):
    """One newc record: "070701", thirteen 8-digit hex fields, the name with
    its NUL, padded so the data starts on a 4-byte boundary, then the data,
    padded to 4 bytes again."""
    namez = name.encode() + b"\0"
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
              rdev[0], rdev[1], len(namez), 0)
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields) + namez
    hdr += b"\0" * (-len(hdr) % 4)
    return hdr + data + b"\0" * (-len(data) % 4)


def extract_modules(deb):
    """{basename: bytes} of MODULES from the kernel package (one pass over
    its data archive)."""
    found = {}
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
            for m in tar:
                rel = m.name.split("/", 4)[-1] if m.name.startswith("./lib/modules/") else ""
                if m.isfile() and rel in MODULES:
                    with tar.extractfile(m) as src:
                        found[rel] = src.read()
                    if len(found) == len(MODULES):
                        break
    except tarfile.TarError as e:
        raise Fail("%s: bad data archive: %s" % (os.path.basename(deb), e))
    finally:
        p.stdout.close()
        p.kill()
        p.wait()
    missing = [m for m in MODULES if m not in found]
    if missing:
        raise Fail("%s: no %s in the package" % (os.path.basename(deb), ", ".join(missing)))
    return [(os.path.basename(m), found[m]) for m in MODULES]


def build_initrd(busybox, init, modules):
    entries = [(d, S_IFDIR | 0o755, b"", (0, 0), 2) for d in DIRS]
    entries += [(n, S_IFCHR | m, b"", rdev, 1) for n, m, rdev in DEVS]
    entries += [("bin/busybox", S_IFREG | 0o755, busybox, (0, 0), 1),
                ("init", S_IFREG | 0o755, init, (0, 0), 1)]
    # What the kernel runs for an orderly power-off or reboot (Xen's
    # control/shutdown, ACPI's power button): /init is a shell, not an
    # init that takes busybox's signals, so these act at once.
    entries += [("sbin/" + c, S_IFREG | 0o755, b"#!/bin/busybox sh\necho EYRIE-LINUX-ORDERLY-%s\n"
                 b"/bin/busybox sync\nexec /bin/busybox %s -f\n" % (c.upper().encode(), c.encode()),
                 (0, 0), 1) for c in ("poweroff", "reboot")]
    entries += [("lib/modules/" + n, S_IFREG | 0o644, data, (0, 0), 1) for n, data in modules]
    out = b"".join(cpio_entry(i + 1, *e) for i, e in enumerate(entries))
    out += cpio_entry(0, "TRAILER!!!", 0)
    return gzip.compress(out, mtime=0)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def extract_vmlinux(vmlinuz, dst):
    """The ELF kernel inside a bzImage whose payload is XZ (Debian's is), for
    the loaders' unit tests (the PVH entry note is in it)."""
    import lzma
    data = read(vmlinuz)
    at = data.find(b"\xfd7zXZ\x00")
    if at < 0:
        raise Fail("%s: no XZ payload found" % vmlinuz)
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[at:])
    if elf[:4] != b"\x7fELF":
        raise Fail("%s: the XZ payload is not an ELF" % vmlinuz)
    write(dst, elf)


def build_rootfs(busybox, path):
    """An ext4 image of ROOTFS_SIZE holding busybox, its applets as links,
    /sbin/init (tests/linux/rootinit) and an /etc with a hostname and a
    motd, made by mke2fs -d from a staging folder."""
    stage = tempfile.mkdtemp(prefix="rootfs-")
    try:
        for d in ("bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "mnt"):
            os.makedirs(os.path.join(stage, d))
        write(os.path.join(stage, "bin", "busybox"), busybox)
        os.chmod(os.path.join(stage, "bin", "busybox"), 0o755)
        for applet in ("sh", "mount", "umount", "ls", "cat", "df", "poweroff", "reboot"):
            os.symlink("busybox", os.path.join(stage, "bin", applet))
        write(os.path.join(stage, "sbin", "init"), read(ROOTINIT))
        os.chmod(os.path.join(stage, "sbin", "init"), 0o755)
        write(os.path.join(stage, "etc", "hostname"), b"eyrie-guest\n")
        write(os.path.join(stage, "etc", "motd"),
              b"This root file system is /dev/xvda: an ext4 image the management domain\n"
              b"serves from its memory through Xen's block protocol (writes last until\n"
              b"the machine powers off). 'poweroff -f' ends the domain.\n")
        if os.path.exists(path):
            os.remove(path)
        run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "eyrie-root", "-d", stage, path, ROOTFS_SIZE])
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def build(out):
    vmlinuz = os.path.join(out, "vmlinuz")
    initrd = os.path.join(out, "initrd.img")
    vmlinux = os.path.join(out, "vmlinux")
    rootfs = os.path.join(out, "rootfs.img")
    if up_to_date([vmlinuz, initrd, vmlinux, rootfs]):
        return
    if not os.path.isfile(INIT):
        raise Fail("%s is missing" % INIT)
    kdeb, bdeb = fetch(os.path.join(out, "dl"))

    kname = extract_one(kdeb, "./boot/vmlinuz-*", vmlinuz)
    bb = os.path.join(out, "dl", "busybox")
    extract_one(bdeb, "./bin/busybox", bb)
    write(initrd, build_initrd(read(bb), read(INIT), extract_modules(kdeb)))
    build_rootfs(read(bb), rootfs)
    os.remove(bb)
    extract_vmlinux(vmlinuz, vmlinux)

    print("linux-guest: kernel %s (%s %s), busybox %s; vmlinuz %d bytes, initrd %d bytes"
          % (kname[len("./boot/vmlinuz-"):], deb_field(kdeb, "Package"),
             deb_field(kdeb, "Version"), deb_field(bdeb, "Version"),
             os.path.getsize(vmlinuz), os.path.getsize(initrd)))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: linux_guest.py OUTDIR")
    out = sys.argv[1]
    try:
        os.makedirs(out, exist_ok=True)
        build(out)
    except (Fail, OSError) as e:
        sys.exit("linux_guest: %s" % e)


if __name__ == "__main__":
    main()
