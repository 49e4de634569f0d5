#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Benchmarks (`make bench`), figures only: nothing here passes or fails.

boot:  for each boot path, the median seconds from emulator start to the
       hypervisor banner and to the first `eyrie> ` prompt, over several runs.
exits: the cost of a VM exit round trip (CPUID, OUT to an unclaimed port,
       a null hypercall), measured by the `bench` test guest
       (tests/guests/bench.c): in executed instructions under QEMU TCG with
       -icount shift=0 (the guest TSC then counts instructions: exact and
       independent of machine load), and in wall-clock microseconds under
       QEMU TCG and under Bochs (VMX and SVM-with-NRIPS models).

evtchn: an event-channel round trip between two PVH domains (the evtchn
       test guest), and between the two vcpus of one (the ipi guest: both
       polling, the sender spinning with and without PAUSE), in
       instructions under QEMU -icount shift=0.
smp:   host SMP's parallel speedup: the spin guest (tests/guests/spin.c;
       a PVH domain whose two vcpus each run the same CPU-bound loop)
       under QEMU TCG -smp 2 (multi-threaded TCG: a host thread per CPU),
       Eyrie with cpus=1 and with both CPUs, side by side in each run;
       the wall time of the two loops by the guest's TSC, and the ratio
       (the target is >= 1.8 on a 2-core host with nothing else running);
       then what crossing CPUs costs (tools/smp_bench.py), same CPU vs two
       CPUs: LAPIC IPI round trips and the wake-up from HLT between two
       vcpus of an HVM guest (the lapicipi guest; also on bare QEMU -smp 2),
       event-channel round trips between two domains (evtchn pair) and
       between two vcpus of one (the ipi guest).
fuzz:  the stateful hypercall fuzzer (tests/guests/fuzz.c) under QEMU TCG:
       two fuzzing PVH domains, 10^6 hypercalls in all, beside pattern and
       the management domain; hypercalls per second, the faults seen (an
       exception in the hypervisor, a crashed domain: must be 0), the
       fuzzers' disagreements with their models, and the audit.
disk:  a guest's disk on a machine's disk (docs/block.md): 64 MiB read and
       written sequentially with dd (O_DIRECT, page cache dropped) in 4 KiB
       and 1 MiB requests by a PVH Linux guest through its xen-blkfront, a
       QEMU virtio-blk disk served by the management domain's backend,
       against the same transfer done inside the management domain on the
       same device (disk-bench, depth 1, the same request size); MiB/s of
       both and their ratio, the ring's requests per event each way, and
       VM exits per MiB (the guest's and domain 0's, the hypervisor
       shell's `exits`); then the reads again from a PVHVM guest.
net:   TCP between two PVH Linux guests on one bridge (docs/network.md):
       64 MiB through busybox nc guest -> guest, guest -> domain 0's
       discard sink, and between two processes of one guest over loopback
       (the ratio's reference); ping's round trip; frames, event-channel
       notifications, grant-copy hypercalls and VM exits (by reason) per
       MiB (tools/net_bench.py).
linux: the Linux guest (build/linux/: Debian's kernel + busybox initramfs)
       from emulator start to its userspace marker, directly under QEMU TCG
       (-kernel, SeaBIOS) and as an HVM guest of Eyrie under the same QEMU
       (built by the management domain from an xl.cfg, autostarted: the
       time includes domain 0's start), side by side in one run, as a
       ratio; then the guest's VM exits during that boot, by reason.

Runs are sequential so they do not compete for the CPU.

    python3 tools/bench.py [--sections boot,exits,evtchn,smp,fuzz,disk,net,linux] [--runs 5] [--bochs-runs 3]
                           [--paths kernel,iso-bios] [--exit-runs 3]
                           [--exit-bochs-runs 1] [--no-bochs] [--fuzz-calls 1000000]
                           [--disk-runs 1] [--net-runs 1]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))

import harness  # noqa: E402
import guest_cases  # noqa: E402
import fuzz_cases  # noqa: E402
import linux_cases  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tools"))
import linux_direct  # noqa: E402
import disk_bench  # noqa: E402
import net_bench  # noqa: E402
import smp_bench  # noqa: E402

LINUX_BENCH_MIB = 256  # as linux_direct.py gives the direct run


def one_run(path, i):
    """Seconds to the banner and to the prompt, or an error string."""
    with harness.Lab("bench-%s-%d" % (path, i)) as lab:
        try:
            m = lab.boot(path)
            m.expect(harness.BANNER_RE, m.limit - 5)
            banner = m.match_time
            m.expect_prompt(max(5, m.limit - 5 - m.elapsed()))
            return banner, m.match_time
        except harness.Failure as e:
            return str(e)


def emulator_version():
    try:
        out = subprocess.run([harness.QEMU, "--version"], capture_output=True,
                             text=True).stdout
        return out.splitlines()[0].strip()
    except (OSError, IndexError):
        return "QEMU version unknown"


def fmt(xs):
    return "%7.2f" % statistics.median(xs) if xs else "      -"


def boot_section(args, paths):
    rows, notes = [], []
    for path in paths:
        n = args.bochs_runs if path.startswith("bochs") else args.runs
        banners, prompts, errors = [], [], []
        for i in range(n):
            r = one_run(path, i)
            if isinstance(r, str):
                errors.append(r)
            else:
                banners.append(r[0])
                prompts.append(r[1])
            print("  %-10s run %d/%d: %s" % (path, i + 1, n, "no prompt" if isinstance(r, str)
                                             else "banner %.2f s, prompt %.2f s" % r),
                  file=sys.stderr, flush=True)
        rows.append((path, len(prompts), n, banners, prompts))
        if errors:
            notes.append("%s: %d of %d runs reached no prompt, e.g. %s"
                         % (path, len(errors), n, errors[0]))

    print("Seconds from emulator start to the banner and to the first prompt "
          "(medians; %s, TCG)" % emulator_version())
    print("%-10s %-42s %5s %7s %7s %7s %7s" % ("path", "how", "runs", "banner", "prompt",
                                               "min", "max"))
    for path, ok, n, banners, prompts in rows:
        print("%-10s %-42s %2d/%-2d %s %s %s %s"
              % (path, harness.BOOT_PATHS[path][0], ok, n, fmt(banners), fmt(prompts),
                 "%7.2f" % min(prompts) if prompts else "      -",
                 "%7.2f" % max(prompts) if prompts else "      -"))
    for note in notes:
        print("note: " + note)


# -- exits --------------------------------------------------------------------

EXIT_KINDS = ("cpuid", "out", "hypercall")
BENCH_DOM = [guest_cases.Dom("bench", 2)]


def _bench_lines(m, timeout):
    """Wait for the bench guest to finish; its "(d1) bench ..." lines."""
    guest_cases.wait_for(m, guest_cases.ended(1, "bench"), timeout)
    return guest_cases.guest_text(m.output, 1)


def exits_icount(i):
    """Instructions per round trip, from the guest's TSC under -icount."""
    with harness.Lab("bench-exits-icount-%d" % i) as lab:
        try:
            m = guest_cases.qemu_guests(lab, BENCH_DOM, icount=True, limit=300)
            lines = _bench_lines(m, 290)
        except harness.Failure as e:
            return str(e)
    calib = [l.split() for l in lines if l.startswith("bench calib ")]
    raw = dict((l.split()[2], l.split()[3:]) for l in lines if l.startswith("bench raw "))
    if not calib or set(raw) != set(EXIT_KINDS):
        return "no figures from the guest: %s" % " | ".join(lines[-3:])
    insns, ticks = int(calib[0][2]), int(calib[0][3])
    per_insn = ticks / insns            # 1.0 when the TSC counts instructions
    return dict((k, (int(raw[k][1]) - int(raw[k][2])) / int(raw[k][0]) / per_insn)
                for k in EXIT_KINDS), per_insn


def exits_wall(i, where):
    """Microseconds per round trip: the serial-line time between the guest's
    "bench wall KIND begin N" and "... end" lines, over N exits."""
    with harness.Lab("bench-exits-%s-%d" % (where, i)) as lab:
        try:
            if where == "qemu":
                m = guest_cases.qemu_guests(lab, BENCH_DOM, limit=120)
            else:
                m = guest_cases.bochs_guests(lab, BENCH_DOM, where, limit=300)
            res = {}
            for k in EXIT_KINDS:
                b = m.expect(r"\(d1\) bench wall %s begin (\d+)\n" % k, 280)
                t0, n = m.match_time, int(b[1])
                m.expect(r"\(d1\) bench wall %s end\n" % k, 280)
                res[k] = (m.match_time - t0) / n * 1e6
            if where != "qemu":
                # Bochs runs with ips=100M and its TSC at 100 MHz: one TSC
                # tick per executed instruction, so the guest's own figures
                # ("bench KIND TICKS") are instruction counts.
                text = "\n".join(guest_cases.guest_text(m.output, 1))
                khz = re.search(r"bench tsc_khz (\d+)", text)
                if khz and abs(int(khz[1]) - 100000) < 500:
                    res["insns"] = dict((k, float(re.search(r"bench %s (\d+)" % k, text)[1]))
                                        for k in EXIT_KINDS)
            return res
        except harness.Failure as e:
            return str(e)


def exits_section(args):
    rows, notes = [], []
    runs = [("QEMU TCG EPYC-Rome, -icount shift=0", "instructions", "icount", args.runs),
            ("QEMU TCG EPYC-Rome (SVM, no NRIPS)", "us wall", "qemu", args.exit_runs)]
    if not args.no_bochs:
        runs += [("Bochs corei7_skylake_x (VMX)", "us wall", "corei7_skylake_x",
                  args.exit_bochs_runs),
                 ("Bochs ryzen (SVM, NRIPS)", "us wall", "ryzen", args.exit_bochs_runs)]
    for label, unit, where, n in runs:
        if where == "icount":
            n = 1                       # deterministic: one run is the figure
        got = []
        for i in range(n):
            r = exits_icount(i) if where == "icount" else exits_wall(i, where)
            if isinstance(r, str):
                notes.append("%s: %s" % (label, r))
            else:
                got.append(r[0] if where == "icount" else r)
                if where == "icount" and abs(r[1] - 1.0) > 0.01:
                    notes.append("%s: %.3f TSC ticks per instruction (expected 1)"
                                 % (label, r[1]))
            print("  exits %-12s run %d/%d: %s" % (where, i + 1, n,
                  "failed" if isinstance(r, str) else "ok"), file=sys.stderr, flush=True)
        med = dict((k, statistics.median([g[k] for g in got])) for k in EXIT_KINDS) if got \
            else None
        rows.append((label, unit, len(got), n, med))
        insns = [g["insns"] for g in got if "insns" in g]
        if insns:
            rows.append((label, "instructions", len(insns), n,
                         dict((k, statistics.median([g[k] for g in insns])) for k in EXIT_KINDS)))
    print("VM exit round trips, `bench` guest (tests/guests/bench.c), medians")
    print("%-38s %-13s %5s %10s %10s %10s" % ("where", "unit", "runs", *EXIT_KINDS))
    for label, unit, ok, n, med in rows:
        cells = ["%10.1f" % med[k] if med else "%10s" % "-" for k in EXIT_KINDS]
        print("%-38s %-13s %2d/%-2d %s" % (label, unit, ok, n, " ".join(cells)))
    print("target: at most 300 instructions for a CPUID round trip")
    for note in notes:
        print("note: " + note)


def evtchn_section(args):
    """Event-channel round trips between two PVH domains (the evtchn test
    guest: ping sends, pong's upcall answers, ping's upcall sees it), under
    QEMU -icount shift=0, where the guest TSC counts instructions."""
    got, notes = [], []
    for i in range(args.exit_runs):
        with harness.Lab("bench-evtchn-%d" % i) as lab:
            try:
                m = guest_cases.qemu_guests(lab, guest_cases.evtchn_pair(1), icount=True,
                                            limit=300)
                hit = guest_cases.wait_for(
                    m, r"\(d1\) evtchn: (\d+) round trips, (\d+) TSC ticks each", 280)
                if int(hit[1]) == 100:
                    got.append(int(hit[2]))
                else:
                    notes.append("run %d: %s round trips" % (i + 1, hit[1]))
            except harness.Failure as e:
                notes.append("run %d: %s" % (i + 1, e))
    print("Event channel send -> upcall -> send -> upcall round trip between two PVH domains")
    print("(QEMU TCG EPYC-Rome, -icount shift=0: instructions, both guests and the hypervisor)")
    print("  median of %d/%d runs: %s instructions per round trip"
          % (len(got), args.exit_runs, "%d" % statistics.median(got) if got else "-"))
    # The ipi guest: event round trips between two vcpus of one domain,
    # the answer waking a blocked (poll) or spinning vcpu (vcpu_wake).
    ipi = {}
    for i in range(args.exit_runs):
        with harness.Lab("bench-ipi-%d" % i) as lab:
            try:
                m = guest_cases.qemu_guests(lab, [guest_cases.IPI_DOM],
                                            icount=True, limit=300)
                guest_cases.expect_poweroff(m, 1, "ipi", 280)
                for kind, n in re.findall(r"\(d1\) (ipi[\w-]*): 1000 round trips, (\d+) TSC",
                                          m.output):
                    ipi.setdefault(kind, []).append(int(n))
            except harness.Failure as e:
                notes.append("ipi run %d: %s" % (i + 1, e))
    print("Event round trip between the two vcpus of one PVH domain (the ipi guest;")
    print("QEMU TCG EPYC-Rome, -icount shift=0: instructions; a wait for the 100 Hz tick would be ~10^7)")
    for kind, what in (("ipi", "both waiting in SCHEDOP_poll"),
                       ("ipi-spin-pause", "vcpu 0 spinning with PAUSE"),
                       ("ipi-spin", "vcpu 0 spinning without PAUSE")):
        v = ipi.get(kind, [])
        print("  %-32s median of %d/%d runs: %s" % (what, len(v), args.exit_runs,
                                                      "%d" % statistics.median(v) if v else "-"))
    # Emulator start -> the management domain's console is ready (QEMU -kernel).
    mgmt = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
    secs = []
    for i in range(args.exit_runs):
        with harness.Lab("bench-mgmt-%d" % i) as lab:
            try:
                lab.need(mgmt)
                m = lab.qemu(["-kernel", harness.ELF, "-append",
                              "domain=name=mgmt,type=pvh,image=mgmt.elf,memory=16,privileged=1",
                              "-initrd", mgmt], limit=60)
                m.expect(r"\(d0\) mgmt: management console ready", 50)
                secs.append(m.match_time)
            except harness.Failure as e:
                notes.append("mgmt run %d: %s" % (i + 1, e))
    print("Emulator start -> management console ready (QEMU -kernel, mgmt as domain 0): %s s"
          % ("%.2f" % statistics.median(secs) if secs else "-"))
    for note in notes:
        print("note: " + note)


SPIN_DOM = guest_cases.Dom("spin", 2, extra=",type=pvh,vcpus=2")


def spin_us(cpus):
    """One run of the spin guest with Eyrie on `cpus` CPUs of QEMU -smp 2:
    the microseconds it printed, or None."""
    with harness.Lab("bench-smp-%d" % cpus) as lab:
        m = guest_cases.qemu_guests(lab, [SPIN_DOM], smp=2, limit=240,
                                    options=["cpus=%d" % cpus])
        guest_cases.expect_poweroff(m, 1, "spin", 200)
        hit = re.search(r"\(d1\) spin: 2 vcpus x \d+ iterations in (\d+) us", m.output)
        return int(hit[1]) if hit else None


def smp_section(args):
    """The spin guest's two loops with Eyrie on one CPU and on two, in
    turns, args.exit_runs times: medians and their ratio."""
    got, notes = {1: [], 2: []}, []
    for i in range(args.exit_runs):
        for cpus in (1, 2):
            try:
                us = spin_us(cpus)
                if us:
                    got[cpus].append(us)
            except harness.Failure as e:
                notes.append("run %d, cpus=%d: %s" % (i + 1, cpus, e))
    print("Parallel speedup: a PVH domain's 2 vcpus each running the same CPU-bound loop")
    print("(QEMU TCG EPYC-Rome -smp 2, multi-threaded TCG; wall time by the guest's TSC)")
    med = {c: statistics.median(v) if v else None for c, v in got.items()}
    for c in (1, 2):
        print("  cpus=%d: median of %d/%d runs: %s ms" % (
            c, len(got[c]), args.exit_runs, "%.0f" % (med[c] / 1000) if med[c] else "-"))
    if med[1] and med[2]:
        print("  speedup (cpus=1 / cpus=2): %.2fx (target >= 1.8)" % (med[1] / med[2]))
    for note in notes:
        print("note: " + note)
    smp_bench.ipi_section(args)


def fuzz_section(args):
    """Two fuzzers (args.fuzz_calls hypercalls in all, half each) under QEMU
    TCG beside pattern and the management domain: calls per second from the
    serial times of their start and end lines."""
    half = args.fuzz_calls // 2
    seed = fuzz_cases.fuzz_seed(3003)
    notes, res, m = [], None, None
    with harness.Lab("bench-fuzz") as lab:
        try:
            doms = fuzz_cases.fuzz_doms(seed, half, extra=1.0)
            m = fuzz_cases.qemu_fuzz(lab, doms, limit=max(300, args.fuzz_calls // 1000))
            m.boot(120)
            m.expect(r"\(d[23]\) fuzz: start\n", 180)
            t0 = m.match_time
            m.expect(r"\(d[23]\) fuzz: start\n", 60)
            calls = 0
            for _ in range(2):
                e = m.expect(r"\(d[23]\) fuzz: end: (\d+) calls", m.limit - 10)
                calls += int(e[1])
            t1 = m.match_time
            for name, dom in fuzz_cases.FUZZ_IDS.items():
                guest_cases.wait_for(m, guest_cases.ended(dom, name), 120)
            out = guest_cases.shell(m, "audit", r"audit: \d+ domains, [^\n]*: \d+ violations",
                                    timeout=60)
            audit = re.search(r"audit: [^\n]*", out)
            res = (calls, t1 - t0, audit[0] if audit else "no audit line")
        except harness.Failure as e:
            notes.append(str(e))
        text = m.output if m else ""
    hv = re.findall(r"\*\*\* EXCEPTION[^\n]*", text)
    crashed = re.findall(r"domain \d+ \([^)]*\) crashed[^\n]*", text)
    # each fuzzer's summary: per family, its disagreements
    fails = [(f, int(n)) for f, n in re.findall(
        r"\(d\d+\) fuzz:\s+([a-z]+)\s+\d+ calls,\s+\d+ succeeded, (\d+) disagreements", text)]
    print("Hypercall fuzzer (tests/guests/fuzz.c), two PVH domains beside pattern and mgmt "
          "(%s, TCG, seeds %d and %d)" % (emulator_version(), seed, seed + 1))
    if res:
        print("  %d hypercalls in %.1f s: %.0f calls per second" % (res[0], res[1],
                                                                   res[0] / res[1]))
    print("  faults seen: %d (hypervisor exceptions %d, crashed domains %d)"
          % (len(hv) + len(crashed), len(hv), len(crashed)))
    by = {}
    for fam, n in fails:
        if n:
            by[fam] = by.get(fam, 0) + n
    print("  disagreements with the fuzzers' models: %d%s" % (
        sum(by.values()), " (%s)" % ", ".join("%s %d" % kv for kv in sorted(by.items()))
        if by else ""))
    print("  %s" % (res[2] if res else "audit: not reached"))
    for line in (hv + crashed)[:5]:
        print("note: " + line)
    for note in notes:
        print("note: " + note)


def linux_eyrie(i, extra=""):
    """Seconds from emulator start to the marker of the Linux guest under
    Eyrie, and its exits by reason then (the guest waits in its shell). The
    management domain builds it (autostart): the seconds include domain 0's
    start and its loading of the guest, as in Xen."""
    with harness.Lab("bench-linux-%d" % i) as lab:
        try:
            cfg = linux_cases.hvm_cfg(cmdline="console=ttyS0 %seyrie.shell=1" % extra,
                                      mib=LINUX_BENCH_MIB)
            m = linux_cases.qemu_linux(lab, [], {"linux.cfg": cfg}, limit=300)
            m.expect(r"\(d1\) " + linux_cases.MARKER, 280)
            secs = m.match_time
            guest_cases.wait_for(m, r"\(d1\) EYRIE-LINUX-SHELL", 60)
            out = guest_cases.shell(m, "exits 1", r"domain 1 vcpu 0: \d+ exits")
            exits = dict((k, int(v)) for k, v in re.findall(r"^\s+([\w-]+)\s+(\d+)$", out, re.M))
            return secs, exits
        except harness.Failure as e:
            return str(e)


def linux_pair(args, extra):
    """Alternate direct and Eyrie runs with kernel arguments `extra`."""
    vmlinuz, initrd = linux_cases.VMLINUZ, linux_cases.INITRD
    direct, eyrie, exits, notes = [], [], [], []
    for i in range(args.linux_runs):
        r = linux_direct.run_direct(vmlinuz, initrd, append="console=ttyS0 " + extra)
        if r["seconds_to_marker"] is None:
            notes.append("direct run %d: no marker" % (i + 1))
        else:
            direct.append(r["seconds_to_marker"])
        e = linux_eyrie(i, extra)
        if isinstance(e, str):
            notes.append("eyrie run %d: %s" % (i + 1, e))
        else:
            eyrie.append(e[0])
            exits.append(e[1])
        print("  linux%s run %d/%d: direct %s, eyrie %s" % (
            " (%s)" % extra.strip() if extra else "", i + 1, args.linux_runs,
            "%.2f s" % direct[-1] if len(direct) > i else "failed",
            "%.2f s" % eyrie[-1] if len(eyrie) > i else "failed"), file=sys.stderr, flush=True)
    return direct, eyrie, exits, notes


def linux_section(args):
    if not (os.path.exists(linux_cases.VMLINUZ) and os.path.exists(linux_cases.INITRD)):
        print("linux: %s missing: run make linux-guest" % os.path.relpath(linux_cases.VMLINUZ, ROOT))
        return
    direct, eyrie, exits, notes = linux_pair(args, "")
    qdirect, qeyrie, qexits, qnotes = linux_pair(args, "quiet ") if args.linux_quiet else \
        ([], [], [], [])
    print("Linux guest, emulator start -> userspace marker (%s), seconds, medians of %d"
          % (emulator_version(), args.linux_runs))
    print("%-52s %8s %8s %6s" % ("where", "seconds", "exits", "ratio"))
    rows = [("QEMU TCG EPYC-Rome -kernel (no hypervisor)", direct, None, None),
            ("Eyrie on QEMU TCG EPYC-Rome (SVM+NPT), built by mgmt", eyrie, exits, direct)]
    if args.linux_quiet:
        rows += [("  the same with `quiet`: direct", qdirect, None, None),
                 ("  the same with `quiet`: Eyrie", qeyrie, qexits, qdirect)]
    for label, xs, ex, base in rows:
        n = "%8d" % statistics.median([sum(e.values()) for e in ex]) if ex else "%8s" % ""
        ratio = "%5.2fx" % (statistics.median(xs) / statistics.median(base)) \
            if xs and base else ""
        print("%-52s %s %s %s" % (label, fmt(xs), n, ratio))
    print("target: the default boot (console=ttyS0) at most 1.15x")
    if exits:
        print("VM exits until the marker, console=ttyS0 (median of %d runs), by reason:"
              % len(exits))
        for k in sorted(exits[0], key=lambda k: -exits[0][k]):
            print("  %-14s %8d" % (k, statistics.median([e.get(k, 0) for e in exits])))
    for note in notes + qnotes:
        print("note: " + note)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", default="boot,exits,evtchn,smp,fuzz,disk,net,linux",
                    help="comma-separated: boot, exits, evtchn, smp, fuzz, disk, net, linux")
    ap.add_argument("--disk-runs", type=int, default=1,
                    help="disk: runs of the whole section (default 1; medians)")
    ap.add_argument("--net-runs", type=int, default=1,
                    help="net: runs of the whole section (default 1; medians)")
    ap.add_argument("--linux-runs", type=int, default=3,
                    help="linux: runs of each side (default 3)")
    ap.add_argument("--no-linux-quiet", dest="linux_quiet", action="store_false",
                    help="linux: skip the runs with `quiet` (console output left out)")
    ap.add_argument("--runs", type=int, default=5, help="runs per QEMU path (default 5)")
    ap.add_argument("--bochs-runs", type=int, default=3, help="runs on Bochs (default 3)")
    ap.add_argument("--paths", default=",".join(harness.BOOT_PATHS),
                    help="comma-separated subset of: " + ", ".join(harness.BOOT_PATHS))
    ap.add_argument("--exit-runs", type=int, default=3,
                    help="exits: wall-clock runs under QEMU (default 3)")
    ap.add_argument("--exit-bochs-runs", type=int, default=1,
                    help="exits: runs per Bochs model (default 1)")
    ap.add_argument("--no-bochs", action="store_true", help="exits: QEMU only")
    ap.add_argument("--fuzz-calls", type=int, default=1000000,
                    help="fuzz: hypercalls in all, over the two fuzzers (default 10^6)")
    args = ap.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    unknown = [p for p in paths if p not in harness.BOOT_PATHS]
    if unknown:
        ap.error("unknown boot path(s): %s" % ", ".join(unknown))
    sections = [s for s in args.sections.split(",") if s]
    known = {"boot", "exits", "evtchn", "smp", "fuzz", "disk", "net", "linux"}
    if set(sections) - known:
        ap.error("unknown section(s): %s" % ", ".join(set(sections) - known))
    if "boot" in sections:
        boot_section(args, paths)
    if "exits" in sections:
        if "boot" in sections:
            print()
        exits_section(args)
    if "evtchn" in sections:
        if sections.index("evtchn"):
            print()
        evtchn_section(args)
    if "smp" in sections:
        if sections.index("smp"):
            print()
        smp_section(args)
    if "fuzz" in sections:
        if sections.index("fuzz"):
            print()
        fuzz_section(args)
    if "disk" in sections:
        if sections.index("disk"):
            print()
        disk_bench.disk_section(args)
    if "net" in sections:
        if sections.index("net"):
            print()
        net_bench.net_section(args)
    if "linux" in sections:
        if sections.index("linux"):
            print()
        linux_section(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
