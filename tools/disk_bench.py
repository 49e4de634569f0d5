# SPDX-License-Identifier: GPL-2.0-only
"""`make bench`'s disk section (tools/bench.py --sections disk): a guest's
disk on a machine's disk, against the management domain's own access to
it. Figures only.

One QEMU TCG machine: a 96 MiB raw virtio-blk disk (random data), the
hypervisor, the management domain (mgmt) with Debian's kernel among its
modules. First mgmt reads and writes the first 64 MiB itself
(`disk-bench vda 64 1 KIB [write]`: depth 1, like dd). Then a PVH Linux
guest with disk = [ 'target=/dev/vda' ] loads xen-blkfront with
max_indirect_segments=256 (so a 1 MiB request is one ring request) and
runs dd with O_DIRECT (iflag=direct / oflag=direct) in 4 KiB and 1 MiB
blocks after `echo 3 > /proc/sys/vm/drop_caches`. Around each dd the
backend's counters (block-list: requests, events from the guest,
notifications to it) and the hypervisor shell's `exits` of the guest and
of domain 0 are read. Then the guest powers off and a PVHVM guest (type
hvm) does the reads.
"""

import os
import re
import statistics
import sys
import time

import harness
import guest_cases
import linux_cases
from guest_cases import wait_for

MGMT = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
DISK_MIB = 96
MIB = 64
CASES = [("read", 4), ("read", 1024), ("write", 4), ("write", 1024)]
HVM_CASES = [("read", 4), ("read", 1024)]


class Bench:
    """The machine and the console we are typing to."""

    def __init__(self, lab):
        self.lab = lab
        img = lab.tmp("bench.img")
        with open(img, "wb") as f:
            f.write(os.urandom(DISK_MIB << 20))
        cfgs = []
        for name, kind, kernel, console in (("bpvh", "pvh", "vmlinux", "hvc0"),
                                            ("bhvm", "hvm", "vmlinuz", "ttyS0")):
            cfg = lab.tmp(name + ".cfg")
            with open(cfg, "w") as f:
                f.write('name = "%s"\ntype = "%s"\nmemory = 256\nvcpus = 1\nkernel = "%s"\n'
                        'ramdisk = "initrd.img"\ncmdline = "console=%s eyrie.shell=1"\n'
                        "disk = [ 'format=raw, vdev=xvda, access=rw, target=/dev/vda' ]\n"
                        % (name, kind, kernel, console))
            cfgs.append(cfg)
        mods = [MGMT, linux_cases.VMLINUX, linux_cases.VMLINUZ, linux_cases.INITRD] + cfgs + \
            [harness.CONF]
        lab.need(harness.ELF, *mods)
        self.m = lab.qemu(["-kernel", harness.ELF, "-append",
                           "loglevel=info domain=name=mgmt,type=pvh,image=mgmt.elf,memory=128,"
                           "privileged=1", "-initrd", ",".join(mods),
                           "-drive", "file=%s,if=none,id=d0,format=raw,cache=writeback" % img,
                           "-device", "virtio-blk-pci,drive=d0"], mem=1024, limit=1800)
        wait_for(self.m, r"\(d0\) mgmt: management console ready", 120)
        self.where = "hv"
        self.to("mgmt")

    def to(self, where):
        """Ctrl-A x3 until the input goes to the hypervisor shell ("hv") or
        domain 0 ("mgmt")."""
        want = r"\(input to the hypervisor shell\)" if where == "hv" else r"\(input to domain 0"
        for _ in range(4):
            if self.where == where:
                return
            at = len(self.m.output)
            self.m.send("\x01\x01\x01")
            hit = wait_for(self.m, r"\(input to [^\n]*", 10, at)
            if re.match(want, hit.group(0)):
                self.where = where
        if self.where != where:
            raise harness.Failure("the input never went to " + where)

    def mgmt(self, cmd, until, timeout=60):
        self.to("mgmt")
        at = len(self.m.output)
        self.m.send(cmd + "\r")
        return wait_for(self.m, until, timeout, at)

    def exits(self, dom):
        """A domain's VM exits (all vcpus) and the count of each reason."""
        self.to("hv")
        out = guest_cases.shell(self.m, "exits %d" % dom, r"domain %d vcpu \d+: \d+ exits" % dom)
        total = sum(int(x) for x in re.findall(r"vcpu \d+: (\d+) exits", out))
        return total

    def cpu_ms(self, dom):
        """A domain's CPU time in ms (all vcpus: the shell's `vcpus`)."""
        self.to("hv")
        out = guest_cases.shell(self.m, "vcpus", r"uptime \d+ ms")
        return sum(int(ms) for d, ms in re.findall(
            r"^\s*(\d+)\s+\d+\s+\d+\s+\S+\s+0x[0-9a-f]+\s+\d+\s+(\d+)\s+0x", out, re.M)
            if int(d) == dom)

    def ring(self, name):
        """block-list's requests, events in (from the guest) and out."""
        hit = self.mgmt("block-list %s" % name, r"\(d0\)\s+(\d+) requests \(\d+ refused\), [^\n]*"
                        r" (\d+) events in, (\d+) out")
        return int(hit[1]), int(hit[2]), int(hit[3])

    def sample(self, dom, name):
        return self.exits(dom), self.exits(0), self.ring(name), self.cpu_ms(dom), self.cpu_ms(0)

    def guest(self, name, cmd, until, timeout=600, detach=True):
        """A command typed at the guest's shell (its console attached
        through mgmt), then detached again."""
        self.mgmt("console %s" % name, r"\(d0\) \(attached to domain")
        at = len(self.m.output)
        self.m.send(cmd + "\r")
        hit = wait_for(self.m, until, timeout, at)
        if detach:
            self.m.send("\x1d")
            wait_for(self.m, r"\(d0\) \(detached from domain", 20, at)
        return hit


def mgmt_local(b):
    """disk-bench at depth 1 for each case: MiB/s, domain 0's exits and CPU ms."""
    out = {}
    for op, kib in CASES:
        before, ms = b.exits(0), b.cpu_ms(0)
        hit = b.mgmt("disk-bench vda %d 1 %d%s" % (MIB, kib, " write" if op == "write" else ""),
                     r"\(d0\) vda: (?:read|wrote) %d MiB in \d+ ms [^\n]*: (\d+) MiB/s" % MIB, 600)
        out[(op, kib)] = (int(hit[1]), b.exits(0) - before, b.cpu_ms(0) - ms)
    return out


def guest_run(b, name, cases):
    """The guest `name`: booted, blkfront loaded, dd for each case: MiB/s,
    requests, events in and out, the guest's and domain 0's exits."""
    at = len(b.m.output)
    dom = int(b.mgmt("create %s" % name, r"\(d0\) domain (\d+) \(%s\) created" % name)[1])
    b.mgmt("console %s" % name, r"\(d0\) \(attached to domain")
    wait_for(b.m, r"\(d0\) EYRIE-LINUX-SHELL", 400, at)
    at = len(b.m.output)
    b.m.send("insmod /lib/modules/xen-blkfront.ko max_indirect_segments=256 max_ring_page_order=2;"
             " for i in $(seq 1 100); do [ -b /dev/xvda ] && break; sleep 0.1; done;"
             " echo ready-$((1+1))\r")
    wait_for(b.m, r"\(d0\) ready-2", 120, at)
    b.m.send("\x1d")
    wait_for(b.m, r"\(d0\) \(detached from domain", 20, at)
    out = {}
    for op, kib in cases:
        n = MIB * 1024 // kib
        bs = "1M" if kib == 1024 else "%dk" % kib
        dd = ("dd if=/dev/xvda of=/dev/null bs=%s count=%d iflag=direct" % (bs, n) if op == "read"
              else "dd if=/dev/zero of=/dev/xvda bs=%s count=%d oflag=direct" % (bs, n))
        g0, d0, r0, gm0, dm0 = b.sample(dom, name)
        # busybox's dd does not time itself: /proc/uptime (10 ms) around
        # it. A tag of its own: attaching the console shows its log again.
        tag = "%s%d" % (op, kib)
        hit = b.guest(name, "echo 3 > /proc/sys/vm/drop_caches; t0=$(cut -d' ' -f1 /proc/uptime);"
                      " r=$(%s 2>&1 | tail -1); t1=$(cut -d' ' -f1 /proc/uptime);"
                      " echo dd-$((0+0))-%s $r $t0 $t1" % (dd, tag),
                      r"\(d0\) dd-0-%s (\d+)\+0 records out ([\d.]+) ([\d.]+)" % tag)
        g1, d1, r1, gm1, dm1 = b.sample(dom, name)
        secs = float(hit[3]) - float(hit[2])
        moved = int(hit[1]) * kib * 1024
        out[(op, kib)] = (moved / secs / (1 << 20) if secs > 0 else 0, r1[0] - r0[0],
                          r1[1] - r0[1], r1[2] - r0[2], g1 - g0, d1 - d0, gm1 - gm0, dm1 - dm0)
    b.guest(name, "poweroff -f", r"\(d0\) \(domain %d is gone\)" % dom, 120, detach=False)
    return out


def one_run(i):
    with harness.Lab("bench-disk-%d" % i) as lab:
        try:
            b = Bench(lab)
            local = mgmt_local(b)
            pvh = guest_run(b, "bpvh", CASES)
            hvm = guest_run(b, "bhvm", HVM_CASES)
            return local, pvh, hvm
        except harness.Failure as e:
            return str(e)


def med(xs):
    return statistics.median(xs) if xs else 0


def disk_section(args):
    if not os.path.exists(linux_cases.VMLINUX):
        print("disk: %s missing: run make linux-guest" % linux_cases.VMLINUX)
        return
    runs, notes = [], []
    for i in range(args.disk_runs):
        r = one_run(i)
        (notes if isinstance(r, str) else runs).append(r)
        print("  disk run %d/%d: %s" % (i + 1, args.disk_runs,
                                        "failed: " + r if isinstance(r, str) else "done"),
              file=sys.stderr, flush=True)
    print("Disk: %d MiB sequential on a QEMU virtio-blk disk (TCG), depth 1: guest dd "
          "(O_DIRECT) through xen-blkfront vs mgmt's disk-bench; medians of %d run(s)"
          % (MIB, len(runs)))
    print("%-24s %8s %8s %6s %9s %9s %10s %10s %9s %9s" % (
        "what", "guest", "mgmt", "ratio", "req/evt", "req/notif", "guest x/MiB", "dom0 x/MiB",
        "guest ms", "dom0 ms"))
    for label, idx, cases in (("PVH", 1, CASES), ("PVHVM", 2, HVM_CASES)):
        for op, kib in cases:
            g = [r[idx][(op, kib)] for r in runs]
            local = [r[0][(op, kib)] for r in runs]
            rate, lrate = med([x[0] for x in g]), med([x[0] for x in local])
            req = med([x[1] for x in g])
            print("%-24s %8.1f %8.1f %6.2f %9.2f %9.2f %10.1f %10.1f %9.2f %9.2f" % (
                "%s %s %s" % (label, op, "1 MiB" if kib == 1024 else "%d KiB" % kib),
                rate, lrate, rate / lrate if lrate else 0,
                req / med([x[2] for x in g]) if med([x[2] for x in g]) else 0,
                req / med([x[3] for x in g]) if med([x[3] for x in g]) else 0,
                med([x[4] for x in g]) / MIB, med([x[5] for x in g]) / MIB,
                med([x[6] for x in g]) / MIB, med([x[7] for x in g]) / MIB))
    for op, kib in CASES:
        local = [r[0][(op, kib)] for r in runs]
        print("  mgmt %s %s: domain 0's exits per MiB %.1f, CPU ms per MiB %.2f" % (
            op, "1 MiB" if kib == 1024 else "%d KiB" % kib, med([x[1] for x in local]) / MIB,
            med([x[2] for x in local]) / MIB))
    print("MiB/s; req/evt: ring requests per event from the guest; req/notif: per notification "
          "to it; x/MiB: VM exits per MiB moved; ms: CPU ms per MiB moved (vcpus' cpu-ms)")
    print("target: PVH read 1 MiB at least 0.90 of mgmt's")
    for n in notes:
        print("note: " + n)
