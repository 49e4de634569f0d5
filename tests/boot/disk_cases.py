# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of the management domain's disk drivers (mgmt/virtio_blk.c,
mgmt/nvme.c; docs/disks.md): QEMU with raw image files the test makes
(64 MiB, random data in known sectors), the hypervisor with the
management domain, whose console (Ctrl-A x3) lists the disks and reads
and writes them. Reads are checked against the CRC-32 of the file's
bytes; a write is flushed, then QEMU is killed (SIGKILL, no clean
shutdown) and the file must hold it. tests/boot/cases.py appends
DISK_CASES to its CASES.
"""

import os
import random
import re
import signal
import struct
import zlib

import harness
from harness import ELF, Failure
from guest_cases import MGMT_ELF, check, wait_for

SECTORS = 131072          # 64 MiB
# sector -> bytes of random data the image holds there
PATTERN = {0: 512, 2048: 4096, 4096: 1 << 20, 8192: 64 << 10, SECTORS - 1: 512}


def make_image(lab, name, seed):
    """A sparse 64 MiB raw image with random data in PATTERN's sectors."""
    path = lab.tmp(name)
    rnd = random.Random(seed)
    with open(path, "wb") as f:
        f.truncate(SECTORS * 512)
        for sector, n in PATTERN.items():
            f.seek(sector * 512)
            f.write(rnd.randbytes(n))
    return path


def image_bytes(path, sector, count):
    with open(path, "rb") as f:
        f.seek(sector * 512)
        return f.read(count * 512)


def drive(path, did, extra=""):
    return ["-drive", "file=%s,if=none,id=%s,format=raw,cache=writeback%s" % (path, did, extra)]


def boot_mgmt(lab, qemu_args, limit=60, modules=(), opts=(), **qemu_kw):
    """QEMU with the hypervisor and the management domain (memory=16);
    returns the machine once its console has the serial input, and
    console(cmd, until): a command and the regex its output must match.
    opts: more hypervisor options; qemu_kw: for lab.qemu (serial=...)."""
    lab.need(ELF, MGMT_ELF)
    opts = ["loglevel=info", "domain=name=mgmt,type=pvh,image=mgmt.elf,memory=16,privileged=1"
            ] + list(opts)
    m = lab.qemu(["-kernel", ELF, "-append", " ".join(opts),
                  "-initrd", ",".join([MGMT_ELF] + list(modules))] + qemu_args, limit=limit,
                 **qemu_kw)
    wait_for(m, r"\(d0\) mgmt: management console ready", 40)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)

    def console(cmd, until, timeout=20):
        at = len(m.output)
        m.send(cmd + "\r")
        hit = wait_for(m, r"(?:%s)|\(d0\) error: [^\n]*\n" % until, timeout, at)
        if hit.group(0).startswith("(d0) error:") and not re.match(until, hit.group(0)):
            raise Failure("%s: %s" % (cmd, hit.group(0).strip()))
        return hit
    return m, console


def check_listed(console, name, sectors, block, driver, irq, flags):
    """`disks` lists name with its size, block size, driver, interrupt kind
    and flags (rw/ro, flush, discard)."""
    line = console("disks", r"\(d0\) %s\s+(\d+)\s+(\d+) MiB\s+(\d+) (\S+)\s+[0-9a-f:.]+ (\S+)\s+(\S+)\s"
                   % re.escape(name))
    got = (int(line[1]), int(line[2]), int(line[3]), line[4], line[5], line[6])
    want = (sectors, sectors >> 11, block, driver, irq, flags)
    check(got == want, "disks: %s is listed as %s, expected %s" % (name, got, want))


def check_read(console, disk, path, sector, count, scatter=False):
    """disk-read DISK SECTOR COUNT: the CRC-32 and first bytes of the file.
    scatter: each sector into a page of its own, at varying offsets."""
    data = image_bytes(path, sector, count)
    hit = console("disk-read %s %d %d%s" % (disk, sector, count, " scatter" if scatter else ""),
                  r"\(d0\) %s: sectors %d\+%d \(\d+ bytes, \d+ us\): crc32 ([0-9a-f]{8})\n"
                  r"\(d0\) %s: first bytes:((?: [0-9a-f]{2}){32})\n"
                  % (disk, sector, count, disk))
    want = "%08x" % zlib.crc32(data)
    check(hit[1] == want, "disk-read %s %d %d: crc32 %s, the image file has %s"
          % (disk, sector, count, hit[1], want))
    check(bytes.fromhex(hit[2]) == data[:32], "disk-read %s %d: first bytes %s, the file has %s"
          % (disk, sector, hit[2].strip(), data[:32].hex(" ")))


def check_refused(console, cmd, why):
    console(cmd, r"\(d0\) error: [^\n]*%s" % why)


def write(console, disk, sector, text):
    console("disk-write %s %d %s" % (disk, sector, text),
            r"\(d0\) %s: wrote \d+ bytes at sector %d, flushed\n" % (disk, sector))


def bench(console, disk, depth=8):
    """disk-bench: 16 MiB read sequentially; its MiB/s and interrupts per
    request (shown in the log)."""
    hit = console("disk-bench %s 16 %d" % (disk, depth),
                  r"\(d0\) %s: read 16 MiB in \d+ ms \(depth %d\): (\d+) MiB/s; 128 requests, "
                  r"(\d+) commands, (\d+) interrupts \((\S+) per request\)\n" % (disk, depth), 60)
    return int(hit[1]), float(hit[4])


def kill_hard(m):
    """SIGKILL to QEMU: no clean shutdown, nothing flushed on the way out."""
    try:
        os.killpg(m.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    m.proc.wait(10)
    m.close()


def check_written(path, sector, text, block=512):
    got = image_bytes(path, sector, block // 512)
    want = text.encode().ljust(block, b"\0")
    check(got == want, "after the kill, sector %d of the image holds %r..., expected %r"
          % (sector, got[:40], text))


def disk_virtio(lab):
    """QEMU pc: three virtio-blk-pci disks (modern virtio-pci): vda with
    MSI-X (cache=writeback, discard=unmap), vdb without MSI-X vectors
    (polled) whose first flush fails (blkdebug injects EIO into the
    host's flush), vdc read-only. `disks` lists them with their sizes and
    features; disk-read of the random sectors gives the file's CRC-32 (a
    1 MiB read is cut into two commands), past the end is refused; a
    discard reads back as zeroes; a write to vdc is refused; vdb's first
    flush reports the injected I/O error, the second succeeds; disk-bench
    reads 16 MiB; writes to vda (one at the last sector) are flushed, QEMU
    is killed, and the image file holds them."""
    img = [make_image(lab, "vd%s.img" % c, 10 + i) for i, c in enumerate("abc")]
    dbg = lab.tmp("blkdebug.conf")
    with open(dbg, "w") as f:
        f.write('[inject-error]\nevent = "flush_to_disk"\niotype = "flush"\nerrno = "5"\n'
                'once = "on"\n')
    args = (drive(img[0], "d0", ",discard=unmap") + ["-device", "virtio-blk-pci,drive=d0"] +
            ["-drive", "file=blkdebug:%s:%s,if=none,id=d1,format=raw,cache=writeback" % (dbg, img[1]),
             "-device", "virtio-blk-pci,drive=d1,vectors=0,serial=eyrie-vdb"] +
            drive(img[2], "d2", ",readonly=on") + ["-device", "virtio-blk-pci,drive=d2"])
    m, console = boot_mgmt(lab, args)
    out = m.output
    for name in ("vda", "vdb", "vdc"):
        check(re.search(r"\(d0\) mgmt: disk %s: virtio-blk at [0-9a-f:.]+ \S+, %d sectors "
                        r"\(64 MiB\), 512-byte blocks" % (name, SECTORS), out),
              "the boot did not report disk %s (64 MiB)" % name)
    check_listed(console, "vda", SECTORS, 512, "virtio-blk", "MSI-X", "rw,flush,discard")
    check_listed(console, "vdb", SECTORS, 512, "virtio-blk", "polled", "rw,flush,discard")
    check_listed(console, "vdc", SECTORS, 512, "virtio-blk", "MSI-X", "ro,flush,discard")
    console("disks", r"\(d0\)\s+model \"virtio-blk\" serial \"eyrie-vdb\"")
    for sector, n in PATTERN.items():
        check_read(console, "vda", img[0], sector, min(n // 512, 2048))
    check_read(console, "vda", img[0], 4096, 128, scatter=True)
    check_read(console, "vdb", img[1], 2048, 8)
    check_read(console, "vdc", img[2], 4096, 2048)
    check_refused(console, "disk-read vda %d" % SECTORS, "invalid request")
    check_refused(console, "disk-read vda %d 2" % (SECTORS - 1), "invalid request")
    console("disk-discard vda 8192 128", r"\(d0\) vda: discarded sectors 8192\+128")
    zeros = console("disk-read vda 8192 128", r"\(d0\) vda: sectors 8192\+128 [^\n]*crc32 (\w+)\s")
    check(zeros[1] == "%08x" % zlib.crc32(bytes(128 * 512)),
          "after disk-discard, vda's sectors read crc32 %s, not that of zeroes" % zeros[1])
    check_refused(console, "disk-write vdc 100 nope", "read-only")
    console("disk-write vdb 100 first", r"\(d0\) error: vdb: flush: I/O error")
    write(console, "vdb", 100, "second")
    rate, per_req = bench(console, "vda")
    rate1, per_req1 = bench(console, "vda", 1)
    write(console, "vda", 4000, "written by eyrie, then killed")
    write(console, "vda", SECTORS - 1, "the last sector")
    kill_hard(m)
    check_written(img[0], 4000, "written by eyrie, then killed")
    check_written(img[0], SECTORS - 1, "the last sector")
    check_written(img[1], 100, "second")
    check(image_bytes(img[2], 100, 1) == bytes(512), "the read-only disk was written")
    with open(m.log_path, "a") as f:
        f.write("\n# disk-bench vda: %d MiB/s (%.2f interrupts per request) at depth 8, "
                "%d MiB/s (%.2f) at depth 1\n" % (rate, per_req, rate1, per_req1))


def nvme_args(path, extra=""):
    return drive(path, "n0", ",discard=unmap") + ["-device", "nvme,drive=n0,serial=eyrie1" + extra]


def disk_nvme(lab):
    """QEMU pc: an NVMe controller (serial eyrie1, one namespace, 512-byte
    blocks, a volatile write cache): `disks` lists nvme0n1 with its size,
    model and serial; disk-read of the random sectors gives the file's
    CRC-32 (a 1 MiB read is cut at the controller's MDTS; PRP lists);
    past the end is refused; a discard (Dataset Management) reads back as
    zeroes; a write and its Flush (QEMU's trace shows the Flush reach the
    namespace), QEMU killed, the file holds it."""
    img = make_image(lab, "nvme.img", 20)
    m, console = boot_mgmt(lab, nvme_args(img) + ["-trace", "pci_nvme_flush_ns"])
    check(re.search(r"\(d0\) mgmt: disk nvme0n1: nvme at [0-9a-f:.]+ MSI-X, %d sectors "
                    r"\(64 MiB\), 512-byte blocks, write cache, discard" % SECTORS, m.output),
          "the boot did not report nvme0n1 (64 MiB, MSI-X)")
    check_listed(console, "nvme0n1", SECTORS, 512, "nvme", "MSI-X", "rw,flush,discard")
    console("disks", r"\(d0\)\s+model \"QEMU NVMe Ctrl\" serial \"eyrie1\"")
    for sector, n in PATTERN.items():
        check_read(console, "nvme0n1", img, sector, min(n // 512, 2048))
    # Sectors scattered over pages: a command wherever a gap breaks the
    # PRPs, 128 of them for a controller taking 31 at once.
    before = int(console("disks", r"\(d0\)\s+model [^\n]*; \d+ requests, (\d+) commands")[1])
    check_read(console, "nvme0n1", img, 4096, 128, scatter=True)
    after = int(console("disks", r"\(d0\)\s+model [^\n]*; \d+ requests, (\d+) commands")[1])
    check(after - before == 128, "a scattered read of 128 sectors took %d NVMe commands, not 128"
          % (after - before))
    check_read(console, "nvme0n1", img, 2048, 8, scatter=True)
    check_refused(console, "disk-read nvme0n1 %d" % SECTORS, "invalid request")
    console("disk-discard nvme0n1 8192 128", r"\(d0\) nvme0n1: discarded sectors 8192\+128")
    zeros = console("disk-read nvme0n1 8192 128", r"\(d0\) nvme0n1: sectors 8192\+128 [^\n]*crc32 (\w+)\s")
    check(zeros[1] == "%08x" % zlib.crc32(bytes(128 * 512)),
          "after disk-discard, nvme0n1's sectors read crc32 %s, not that of zeroes" % zeros[1])
    rate, per_req = bench(console, "nvme0n1")
    rate1, per_req1 = bench(console, "nvme0n1", 1)
    flushes = m.emu_log_text().count("pci_nvme_flush_ns")
    write(console, "nvme0n1", 4000, "nvme, then killed")
    kill_hard(m)
    check(m.emu_log_text().count("pci_nvme_flush_ns") > flushes,
          "QEMU's trace shows no Flush of the namespace after the write")
    check_written(img, 4000, "nvme, then killed")
    with open(m.log_path, "a") as f:
        f.write("\n# disk-bench nvme0n1: %d MiB/s (%.2f interrupts per request) at depth 8, "
                "%d MiB/s (%.2f) at depth 1\n" % (rate, per_req, rate1, per_req1))


def disk_nvme_q35(lab):
    """QEMU q35 (PCI Express): an NVMe controller with 4 KiB blocks behind
    a PCIe root port (bus 1: the enumeration crosses the bridge, which is
    made a bus master), and a modern-only virtio-blk-pci (1af4:1042).
    `pci` shows the bridge and both drivers; a 512-byte read of the 4 KiB
    disk is refused, 4 KiB and 1 MiB reads give the file's CRC-32; a
    4 KiB-block write is flushed, QEMU killed, the file holds it."""
    img = make_image(lab, "nvme4k.img", 30)
    vimg = make_image(lab, "vda.img", 31)
    args = (["-machine", "q35", "-device", "pcie-root-port,id=rp1,chassis=1,slot=1"] +
            drive(img, "n0") +
            ["-device", "nvme,drive=n0,serial=eyrie1,bus=rp1,logical_block_size=4096,"
             "physical_block_size=4096"] +
            drive(vimg, "d0") + ["-device", "virtio-blk-pci,drive=d0,disable-legacy=on"])
    m, console = boot_mgmt(lab, args)
    check_listed(console, "nvme0n1", SECTORS, 4096, "nvme", "MSI-X", "rw,flush,discard")
    check_listed(console, "vda", SECTORS, 512, "virtio-blk", "MSI-X", "rw,flush,discard")
    console("pci", r"\(d0\) 00:[0-9a-f]{2}\.\d 1b36:000c class 06:04:00 bridge")
    console("pci", r"\(d0\) 01:00\.0 1b36:0010 class 01:08:02 driver nvme")
    console("pci", r"\(d0\) 00:[0-9a-f]{2}\.\d 1af4:1042 class 01:00:00 driver virtio-blk")
    check_refused(console, "disk-read nvme0n1 0 1", "invalid request")
    check_refused(console, "disk-read nvme0n1 4 8", "invalid request")
    # 512-byte pieces of separate pages cannot make a 4 KiB block in PRPs.
    check_refused(console, "disk-read nvme0n1 8 8 scatter", "invalid request")
    check_read(console, "nvme0n1", img, 0, 8)
    check_read(console, "nvme0n1", img, 2048, 8)
    check_read(console, "nvme0n1", img, 4096, 2048)
    check_read(console, "vda", vimg, 2048, 8)
    write(console, "nvme0n1", 4000, "a 4 KiB block, then killed")
    write(console, "vda", 4000, "virtio on q35")
    kill_hard(m)
    check_written(img, 4000, "a 4 KiB block, then killed", 4096)
    check_written(vimg, 4000, "virtio on q35")


def elf_end(path):
    """The end of an ELF64's loaded segments (p_paddr + p_memsz)."""
    with open(path, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    end = 0
    for i in range(phnum):
        p_type, _, _, _, paddr, _, memsz = struct.unpack_from("<IIQQQQQ", data,
                                                              phoff + i * phentsize)
        if p_type == 1:
            end = max(end, paddr + memsz)
    return end


def disk_no_pool(lab):
    """QEMU pc, a virtio-blk disk, and a boot module that fills domain 0's
    16 MiB but for 128 KiB after its image and start info: the DMA pool
    (at least 256 KiB, in the RAM the image and the modules leave free)
    does not fit, the management domain says so and has no disks, and the
    rest of it works."""
    page = 4096
    image_end = (elf_end(MGMT_ELF) + page - 1) // page * page
    filler = lab.tmp("filler.bin")
    with open(filler, "wb") as f:
        f.truncate((16 << 20) - image_end - page - (128 << 10))
    img = make_image(lab, "vda.img", 40)
    m, console = boot_mgmt(lab, drive(img, "d0") + ["-device", "virtio-blk-pci,drive=d0"],
                           modules=[filler])
    check(re.search(r"\(d0\) mgmt: disks: no room for a DMA pool \(128 KiB free\): raise "
                    r"domain 0's memory", m.output),
          "no word about the DMA pool not fitting in 128 KiB")
    console("disks", r"\(d0\) no disks")
    console("pci", r"\(d0\) 00:[0-9a-f]{2}\.\d 1af4:1001 class 01:00:00\n")
    console("info", r"\(d0\) configs\s+: 0; boot modules: filler.bin \(\d+ KiB\)")


# name, function, rough seconds
DISK_CASES = [
    ("mgmt-disk-virtio", disk_virtio, 25),
    ("mgmt-disk-nvme", disk_nvme, 20),
    ("mgmt-disk-nvme-q35", disk_nvme_q35, 20),
    ("mgmt-disk-no-pool", disk_no_pool, 10),
]
