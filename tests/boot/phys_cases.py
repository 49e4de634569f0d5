# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of guests' disks backed by the machine's disks (mgmt's block
backend over its own virtio-blk and NVMe drivers, mgmt/blkstore_disk.c;
docs/block.md): QEMU with image files the test makes (ext4 with
mke2fs -d, GPT tables written with sfdisk, file systems placed in a
partition with mke2fs -E offset=), Debian's kernel as a PVH or PVHVM
guest built by the management domain whose own xen-blkfront mounts the
disk (tests/linux/init, eyrie.disk=1), and the image file checked on the
host afterwards with e2fsprogs (debugfs; e2fsck on a copy after a
SIGKILL, to replay the journal as a crashed machine's next mount would).
tests/boot/cases.py appends PHYS_CASES to its CASES.
"""

import hashlib
import os
import random
import re
import subprocess
import time

import harness
from harness import CONF, ELF
from guest_cases import check, check_audit, wait_for, _short
from linux_cases import INITRD, LINUX_MIB, VMLINUX, VMLINUZ, make_ext4
from disk_cases import kill_hard

MGMT = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
DISK_MIB = 64
# The GPT disk: partition 1 a random pattern nobody may touch, partition 2
# (eyrie-root) the guest's ext4, partition 3 (eyrie-data) the rest.
P1 = (2048, 2048)             # first sector, sectors (512-byte)
P2 = (4096, 32 << 11)         # 32 MiB
P3 = (4096 + (32 << 11), 16 << 11)
ROOT_LABEL = "eyrie-root"


def vda_args(path, did="d0", dev="virtio-blk-pci", extra=""):
    return ["-drive", "file=%s,if=none,id=%s,format=raw,cache=writeback" % (path, did),
            "-device", "%s,drive=%s%s" % (dev, did, extra)]


def nvme_args(path):
    return vda_args(path, "n0", "nvme", ",serial=eyrie1") + ["-trace", "pci_nvme_flush_ns"]


def make_gpt_disk(lab, name, hello):
    """A 64 MiB raw disk with a GPT (sfdisk), a random pattern in
    partition 1 and an ext4 file system holding hello.txt in partition 2
    (eyrie-root); its path and partition 1's bytes."""
    img = lab.tmp(name)
    with open(img, "wb") as f:
        f.truncate(DISK_MIB << 20)
    script = ("label: gpt\n"
              "start=%d, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=eyrie-spare\n"
              "start=%d, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=%s\n"
              "start=%d, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=eyrie-data\n"
              % (P1 + P2 + (ROOT_LABEL,) + P3))
    subprocess.run(["sfdisk", "-q", img], input=script.encode(), check=True,
                   stdout=subprocess.DEVNULL)
    pattern = random.Random(7).randbytes(P1[1] * 512)
    with open(img, "r+b") as f:
        f.seek(P1[0] * 512)
        f.write(pattern)
    root = lab.tmp(name + ".root")
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "hello.txt"), "w") as f:
        f.write(hello)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", root,
                    "-E", "offset=%d" % (P2[0] * 512), img, "%dk" % (P2[1] // 2)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return img, pattern


def part_bytes(img, part):
    with open(img, "rb") as f:
        f.seek(part[0] * 512)
        return f.read(part[1] * 512)


def fs_cat(lab, img, path, part=None, replay=False):
    """The file at path in the ext4 file system of img (or of its
    partition part), read with debugfs; replay: e2fsck -fy on a copy first
    (the journal of a guest that never unmounted)."""
    fs = img
    if part or replay:
        fs = lab.tmp(os.path.basename(img) + ".fs")
        data = part_bytes(img, part) if part else open(img, "rb").read()
        with open(fs, "wb") as f:
            f.write(data)
    if replay:
        r = subprocess.run(["e2fsck", "-fy", fs], capture_output=True, text=True)
        check(r.returncode in (0, 1), "e2fsck -fy of the guest's file system: exit %d: %s"
              % (r.returncode, _short(r.stdout + r.stderr, 400)))
    r = subprocess.run(["debugfs", "-R", "cat " + path, fs], capture_output=True)
    return r.stdout.decode(errors="replace")


def boot_mgmt_linux(lab, cfg_text, cfg_name, qemu_args, kernel, mgmt_mib):
    """QEMU with the hypervisor, the management domain (mgmt_mib MiB, the
    kernel, the initrd and the config among its modules) and the disks
    of qemu_args; returns the machine with the management console's
    input, and console(cmd, until)."""
    cfg = lab.tmp(cfg_name)
    with open(cfg, "w") as f:
        f.write(cfg_text)
    mods = [MGMT, kernel, INITRD, cfg, CONF]
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append",
                  "loglevel=info domain=name=mgmt,type=pvh,image=mgmt.elf,memory=%d,privileged=1"
                  % mgmt_mib, "-initrd", ",".join(mods)] + qemu_args, mem=768, limit=300)
    wait_for(m, r"\(d0\) mgmt: management console ready", 90)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)

    def console(cmd, until, timeout=30):
        at = len(m.output)
        m.send(cmd + "\r")
        return wait_for(m, until, timeout, at)
    return m, console


def pvh_cfg(name, target, shell=False):
    return ('name = "%s"\ntype = "pvh"\nmemory = %d\nkernel = "vmlinux"\nramdisk = "initrd.img"\n'
            'cmdline = "console=hvc0 eyrie.disk=1%s"\n'
            "disk = [ 'format=raw, vdev=xvda, access=rw, target=%s' ]\n"
            % (name, LINUX_MIB, " eyrie.shell=1" if shell else "", target))


def guest_disk_run(m, at, prefix, sectors, hello):
    """What /init printed about its disk (after `at`, lines starting with
    prefix): its size, hello.txt's md5, nothing written before; the md5 of
    what it wrote to guest.txt."""
    size = wait_for(m, r"%s disk-sectors (\d*)\n" % prefix, 200, at)
    check(size[1] == str(sectors), "/sys/block/xvda/size: %r, the disk has %d sectors"
          % (size[1], sectors))
    got = wait_for(m, r"%s disk-read (\S+)\s" % prefix, 60, at)
    want = hashlib.md5(hello.encode()).hexdigest()
    check(got[1] == want, "the guest read hello.txt as md5 %s, the host wrote %s" % (got[1], want))
    prev = wait_for(m, r"%s disk-previous ([^\n]*)\n" % prefix, 30, at)
    check(prev[1] == "none", "guest.txt before the guest wrote it: %r" % prev[1])
    wrote = wait_for(m, r"%s disk-wrote (\S+)\s" % prefix, 60, at)
    wait_for(m, r"%s disk-unmounted" % prefix, 60, at)
    check(not re.search(r"%s disk-(insmod|mount)-failed" % prefix, m.output[at:]),
          "the guest could not load its modules or mount the disk")
    check("flush op failed" not in m.output[at:], "blkfront's flush failed")
    return wrote[1]


def check_guest_txt(text, md5, where):
    check(text.startswith("written by the guest at ") and
          hashlib.md5(text.encode()).hexdigest() == md5,
          "%s: guest.txt holds %r, not what the guest wrote (md5 %s)" % (where, text[:80], md5))


def linux_pvh_disk_virtio(lab):
    """QEMU SVM: a PVH Linux guest (Debian's kernel) built by the
    management domain with disk = [ '..., target=/dev/vda' ]: the whole
    of a QEMU virtio-blk-pci disk (an ext4 image file) served through
    mgmt's virtio driver. Beforehand the same disk is refused to a second
    attachment (writable: busy), a read-only disk (vdb) is refused
    writable, and a missing label says so. The guest mounts the disk,
    checks hello.txt's md5, writes guest.txt, syncs, unmounts and powers
    off; block-list showed the disk on vda; after the destroy no disk is
    left, and on the host debugfs finds guest.txt in the image file as the
    guest wrote it. Zero-copy: block-list's totals count grants mapped
    for the device, and no unmap failed."""
    hello = "hello from the host's virtio disk at %d\n" % int(time.time())
    img = make_ext4(lab, "vda.img", {"hello.txt": hello}, size="32M")
    ro = make_ext4(lab, "vdb.img", {"ro.txt": "read-only\n"}, size="4M")
    m, console = boot_mgmt_linux(
        lab, pvh_cfg("pdisk", "/dev/vda"), "pdisk.cfg",
        vda_args(img) + ["-drive", "file=%s,if=none,id=d1,format=raw,readonly=on" % ro,
                         "-device", "virtio-blk-pci,drive=d1"], VMLINUX, 96)
    check(re.search(r"\(d0\) mgmt: disk vda: virtio-blk [^\n]*65536 sectors", m.output),
          "mgmt did not find vda (32 MiB)")
    d = console("create pdisk", r"\(d0\) domain (\d+) \(pdisk\) created", 60)[1]
    console("block-attach pdisk vdev=xvdb, target=vda",
            r"\(d0\) error: domain %s: disk xvdb: vda \(or a partition or disk it overlaps\) is "
            r"attached to another disk already" % d)
    console("block-attach pdisk vdev=xvdb, target=/dev/vdb",
            r"\(d0\) error: domain %s: disk xvdb: vdb is read-only: give it with access=ro" % d)
    console("block-attach pdisk vdev=xvdb, access=ro, target=label:nope",
            r"\(d0\) error: domain %s: disk xvdb: no GPT partition labelled 'nope' on any disk"
            % d)
    console("block-attach pdisk vdev=xvdb, target=vda3",
            r"\(d0\) error: domain %s: disk xvdb: vda: no GPT \(no protective MBR\)" % d)
    bl = console("block-list pdisk", r"\(d0\)\s+on vda: sectors 0\+65536 of vda; \d+ flushes")
    check(re.search(r"\(d0\)\s+%s xvda\s+51712 /dev/vda\s+rw " % d,
                    m.output[bl.start() - 1000:bl.end()]),
          "block-list: %s" % _short(m.output[bl.start() - 1000:bl.end()], 600))
    console("console pdisk", r"\(d0\) \(attached to domain %s" % d)
    at = len(m.output)
    wrote = guest_disk_run(m, at, r"\(d0\)", 65536, hello)
    wait_for(m, r"\(d0\) mgmt: domain %s \(pdisk\) powered off: destroy" % d, 120, at)
    wait_for(m, r"\(d0\) \(domain %s is gone\)" % d, 30, at)
    zc = console("block-list", r"\(d0\) no disks; grant copies: \d+ in \d+ hypercalls; maps for "
                 r"devices: (\d+) in (\d+) hypercalls, \d+ unmap hypercalls \((\d+) errors\)")
    check(int(zc[1]) > 0 and zc[3] == "0", "no grant mapped for the device, or unmaps failed: %s"
          % zc[0])
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    hit = check_audit(m, "a PVH guest on a physical disk")
    check(hit[3] == "0", "%s foreign pages left after the guest was destroyed" % hit[3])
    m.close()
    check_guest_txt(fs_cat(lab, img, "/guest.txt"), wrote, "the virtio image file")


def zero_copied(console, name):
    """block-list's zero-copy and copied reads and writes of name's disk."""
    hit = console("block-list %s" % name, r"\(d0\)\s+(\d+) reads and writes zero-copy, (\d+) "
                  r"copied\n")
    return int(hit[1]), int(hit[2])


def destroy_reading(m, console, d, name):
    """The guest d at its shell reads its disk over and over (1 MiB,
    O_DIRECT); its zero-copy count moves; destroyed while it reads, its
    disk goes, and the hypervisor's audit finds nothing left: no
    violation, no foreign page (the frames mapped for the device went
    back, orphans included)."""
    console("console %s" % name, r"\(d0\) \(attached to domain %s" % d)
    at = len(m.output)
    m.send("while :; do dd if=/dev/xvda of=/dev/null bs=1M iflag=direct 2>/dev/null; done & "
           "sleep 1; echo reading-$((40+2))\r")
    wait_for(m, r"\(d0\) reading-42", 60, at)
    m.send("\x1d")
    wait_for(m, r"\(d0\) \(detached from domain %s\)" % d, 20, at)
    before = after = zero_copied(console, name)
    for _ in range(50):  # a loaded machine may not run the guest at once
        after = zero_copied(console, name)
        if after[0] > before[0]:
            break
        time.sleep(0.2)
    check(after[0] > before[0], "the zero-copy count did not move while the guest read: %s, %s"
          % (before, after))
    # The books balance while requests are mapped for the device (each a
    # frame reference without a p2m leaf), whether or not one is now.
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    seen = []
    for _ in range(6):  # until one lands while a request is mapped (more foreign pages)
        seen.append(int(check_audit(m, "a guest reading its disk, zero-copy")[3]))
        if max(seen) > min(seen):
            break
        time.sleep(0.1)
    print("    audits while reading: %s foreign pages (device mappings included)" % seen)
    at = len(m.output)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10, at)
    console("destroy %s" % name, r"\(d0\) domain %s: destroy done" % d)
    console("block-list", r"\(d0\) no disks")
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    hit = check_audit(m, "a guest destroyed while its disk reads were mapped for the device")
    check(hit[3] == "0", "%s foreign pages left after the guest was destroyed" % hit[3])


def gpt_region(img):
    """The protective MBR, both GPT headers and their arrays."""
    with open(img, "rb") as f:
        head = f.read(34 * 512)
        f.seek(-33 * 512, os.SEEK_END)
        return head + f.read()


def linux_pvh_disk_nvme_gpt(lab):
    """QEMU SVM: a PVH Linux guest whose disk is a GPT partition found by
    its label (target=label:eyrie-root) on a QEMU NVMe disk (512-byte
    blocks, a volatile write cache), made on the host with sfdisk and
    mke2fs -E offset=. The guest sees only the partition (its size),
    mounts it, reads hello.txt, writes guest.txt and unmounts; then, at
    its shell, writes flush.txt, trims the free space (fstrim: blkif
    discards, NVMe Dataset Management) and syncs: QEMU's trace shows an
    NVMe Flush reach the namespace, block-list counts the guest's flushes
    and discards, and
    QEMU is killed (SIGKILL, no clean shutdown, the guest never unmounted).
    On the host the partition, its journal replayed by e2fsck, holds both
    files as the guest wrote them; partition 1 and the partition tables
    are untouched. Zero-copy: block-list counts the guest's requests as
    zero-copy; a loop of reads at the guest's shell, destroyed in the
    middle, leaves nothing behind (see destroy_reading)."""
    hello = "hello from the host's NVMe partition at %d\n" % int(time.time())
    img, pattern = make_gpt_disk(lab, "nvme.img", hello)
    tables = gpt_region(img)
    m, console = boot_mgmt_linux(lab, pvh_cfg("pgpt", "label:" + ROOT_LABEL, shell=True),
                                 "pgpt.cfg", nvme_args(img), VMLINUX, 96)
    d = console("create pgpt", r"\(d0\) domain (\d+) \(pgpt\) created", 60)[1]
    console("console pgpt", r"\(d0\) \(attached to domain %s" % d)
    at = len(m.output)
    wrote = guest_disk_run(m, at, r"\(d0\)", P2[1], hello)
    wait_for(m, r"\(d0\) EYRIE-LINUX-SHELL", 60, at)
    flushes = m.emu_log_text().count("pci_nvme_flush_ns")
    at = len(m.output)
    m.send("mount /dev/xvda /mnt && echo \"flushed by the guest at $(date +%s)\" > /mnt/flush.txt "
           "&& fstrim /mnt && sync && md5sum /mnt/flush.txt && echo synced-$((40+2))\r")
    wait_for(m, r"\(d0\) synced-42", 60, at)
    flushed = re.search(r"\(d0\) (\w{32})  /mnt/flush.txt", m.output[at:])
    check(flushed, "no md5 of flush.txt: %s" % _short(m.output[at:], 400))
    check(m.emu_log_text().count("pci_nvme_flush_ns") > flushes,
          "QEMU's trace shows no NVMe Flush after the guest's sync")
    m.send("\x1d")
    wait_for(m, r"\(d0\) \(detached from domain %s\)" % d, 20, at)
    bl = console("block-list pgpt", r"\(d0\)\s+on nvme0n1p2: sectors %d\+%d of nvme0n1; "
                 r"(\d+) flushes, (\d+) discards" % P2)
    check(int(bl[1]) > 0, "block-list counts no flush of the guest's")
    check(int(bl[2]) > 0, "block-list counts no discard of the guest's (fstrim)")
    check(re.search(r"\(d0\)\s+%s xvda\s+51712 label:eyrie-root\s+rw Connected" % d,
                    m.output[bl.start() - 1000:bl.end()]),
          "block-list: %s" % _short(m.output[bl.start() - 1000:bl.end()], 600))
    zc, copied = zero_copied(console, "pgpt")
    check(zc > 0, "block-list counts no zero-copy request (%d copied)" % copied)
    destroy_reading(m, console, d, "pgpt")
    kill_hard(m)
    check(part_bytes(img, P1) == pattern, "partition 1 of the NVMe disk was changed")
    check(gpt_region(img) == tables, "the partition tables were changed")
    check_guest_txt(fs_cat(lab, img, "/guest.txt", P2, replay=True), wrote, "the NVMe partition")
    text = fs_cat(lab, img, "/flush.txt", P2)
    check(text.startswith("flushed by the guest at ") and
          hashlib.md5(text.encode()).hexdigest() == flushed[1],
          "after SIGKILL, flush.txt holds %r, not what the guest synced" % text[:80])


def linux_pvhvm_disk_nvme(lab):
    """QEMU SVM: Debian's kernel as a PVHVM guest (type hvm, Xen's
    platform device) built by the management domain, its disk partition
    2 of a GPT NVMe disk named by number (target=nvme0n1p2) whose primary
    GPT header is broken (its CRC): mgmt says so and uses the backup at
    the disk's end. The guest's xen-blkfront mounts it, reads hello.txt,
    writes guest.txt, syncs, unmounts and powers off; the domain is
    destroyed and nothing is left (audit); on the host debugfs finds
    guest.txt in the partition as written."""
    hello = "hello to a PVHVM guest on NVMe at %d\n" % int(time.time())
    img, pattern = make_gpt_disk(lab, "nvme.img", hello)
    with open(img, "r+b") as f:
        f.seek(512 + 40)  # the primary header's first usable LBA, its CRC left as it was
        f.write(b"\x23")
    cfg = ('name = "hgpt"\ntype = "hvm"\nmemory = %d\nvcpus = 2\nkernel = "vmlinuz"\n'
           'ramdisk = "initrd.img"\ncmdline = "console=ttyS0 eyrie.disk=1"\n'
           "disk = [ 'format=raw, vdev=xvda, access=rw, target=nvme0n1p2' ]\n" % LINUX_MIB)
    m, console = boot_mgmt_linux(lab, cfg, "hgpt.cfg", nvme_args(img), VMLINUZ, 64)
    at = len(m.output)
    m.send("create hgpt\r")
    d = int(wait_for(m, r"\(d0\) domain (\d+) \(hgpt\) created", 60, at)[1])
    check(re.search(r"\(d0\) mgmt: nvme0n1: the primary GPT header is bad \(header CRC32 "
                    r"[0-9a-f]{8}, computed [0-9a-f]{8}\): using the backup", m.output[at:]),
          "mgmt did not say that it used the backup GPT header")
    wait_for(m, r"\(d%d\) .*Booting paravirtualized kernel on Xen HVM" % d, 120, at)
    wrote = guest_disk_run(m, at, r"\(d%d\)" % d, P2[1], hello)
    wait_for(m, r"\(d0\) mgmt: domain %d \(hgpt\) powered off: destroy" % d, 120, at)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10, at)
    hit = check_audit(m, "a PVHVM guest on an NVMe partition")
    check(hit[3] == "0", "%s foreign pages left after the guest was destroyed" % hit[3])
    m.close()
    check(part_bytes(img, P1) == pattern, "partition 1 of the NVMe disk was changed")
    check_guest_txt(fs_cat(lab, img, "/guest.txt", P2), wrote, "the NVMe partition")


# name, function, rough seconds
PHYS_CASES = [
    ("linux-pvh-disk-virtio", linux_pvh_disk_virtio, 60),
    ("linux-pvh-disk-nvme-gpt", linux_pvh_disk_nvme_gpt, 60),
    ("linux-pvhvm-disk-nvme", linux_pvhvm_disk_nvme, 60),
]
