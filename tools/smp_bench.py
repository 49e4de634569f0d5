# SPDX-License-Identifier: GPL-2.0-only
"""bench.py's smp section after the parallel speedup: what crossing CPUs
costs, under QEMU TCG -smp 2 (multi-threaded TCG, no -icount: wall time by
the guests' TSCs, which under Eyrie run at the host's rate, offset per
domain), each figure the median over args.exit_runs runs of each placement
taken in turns (docs/testing.md):

- LAPIC IPIs between the two vcpus of one HVM guest (tests/guests/lapicipi.c:
  INIT-SIPI-SIPI, then 1000 round trips from HLT; the guest's own medians):
  both vcpus on CPU 0 (cpus=0), on CPUs 0 and 1, and the same image on bare
  QEMU -smp 2; the round trip and the wake-up of the vcpu halted in HLT
  (TSC at the send to TSC in the woken vcpu's handler).
- Event-channel round trips between two PVH domains (the evtchn pair, 100
  round trips; the guest's mean): both on CPU 0, and on CPUs 0 and 1.
- Event round trips between the two vcpus of one PVH domain (the ipi guest:
  both waiting in SCHEDOP_poll, i.e. each leg the wake-up of a blocked vcpu;
  then vcpu 0 spinning with and without PAUSE; means): on CPU 0, on 0 and 1.
"""

import re
import statistics

import harness
import guest_cases
import smp_cases

LAPIC_RE = r"(lapicipi(?:-wake)?): 1000 [\w -]+?, \d+ TSC ticks each \(min \d+, median (\d+)\)"
PLACES = (("same CPU", "0"), ("two CPUs", ""))


def lapicipi_run(cpus, bare):
    """One lapicipi run: {figure: ticks, "khz": guest TSC kHz (Eyrie only)}."""
    with harness.Lab("bench-lapicipi-%s" % ("bare" if bare else cpus or "01")) as lab:
        if bare:
            m = smp_cases.lapicipi_bare(lab)
            guest_cases.wait_for(m, r"^DONE lapicipi: .*\n", 50)
        else:
            m = guest_cases.qemu_guests(lab, [smp_cases.lapicipi_dom("lapicipi", cpus)],
                                        smp=2, limit=120)
            guest_cases.expect_poweroff(m, 1, "lapicipi", 100)
        got = {k: int(v) for k, v in re.findall(LAPIC_RE, m.output)}
        khz = re.search(r"lapicipi: under Eyrie, APIC ID 0, tsc_khz (\d+)", m.output)
        if khz:
            got["khz"] = int(khz[1])
        return got


def evtchn_run(cpus):
    """The evtchn pair, ping on CPU 0 and pong on `cpus`: ticks per round trip."""
    doms = guest_cases.evtchn_pair(1)
    for d, c in zip(doms, ("0", cpus)):  # before cmdline=, which takes the rest
        d.extra = d.extra.replace(",cmdline=", ",cpus=%s,cmdline=" % c)
    with harness.Lab("bench-smp-evtchn-%s" % cpus) as lab:
        m = guest_cases.qemu_guests(lab, doms, smp=2, limit=200)
        hit = guest_cases.wait_for(
            m, r"\(d1\) evtchn: (\d+) round trips, (\d+) TSC ticks each", 180)
        return {"evtchn": int(hit[2])} if int(hit[1]) == 100 else {}


def ipi_run(cpus):
    """The ipi guest's three figures, its two vcpus pinned to `cpus` or not."""
    dom = guest_cases.Dom("ipi", 2, extra=guest_cases.IPI_DOM.extra +
                          (",cpus=" + cpus if cpus else ""))
    with harness.Lab("bench-smp-ipi-%s" % (cpus or "01")) as lab:
        m = guest_cases.qemu_guests(lab, [dom], smp=2, limit=300)
        guest_cases.expect_poweroff(m, 1, "ipi", 280)
        return {k: int(n) for k, n in
                re.findall(r"\(d1\) (ipi[\w-]*): 1000 round trips, (\d+) TSC", m.output)}


def collect(args, runs):
    """runs: {column: function}; each called args.exit_runs times, in turns.
    {column: {figure: [values]}}, notes."""
    got, notes = {c: {} for c in runs}, []
    for i in range(args.exit_runs):
        for col, fn in runs.items():
            try:
                for k, v in fn().items():
                    got[col].setdefault(k, []).append(v)
            except harness.Failure as e:
                notes.append("run %d, %s: %s" % (i + 1, col, e))
    return got, notes


def table(got, rows, khz):
    """One line per (figure, label): each column's median in ticks and us."""
    cols = list(got)
    print("  %-34s" % "" + "".join("%24s" % c for c in cols))
    for key, label in rows:
        cells = []
        for c in cols:
            v = got[c].get(key, [])
            med = statistics.median(v) if v else None
            cells.append("%24s" % ("-" if med is None else "%d (%.1f us)" % (
                med, med * 1000.0 / khz) if khz else "%d" % med))
        print("  %-34s" % label + "".join(cells))


def ipi_section(args):
    lap, notes = collect(args, {
        "Eyrie, same CPU": lambda: lapicipi_run("0", False),
        "Eyrie, two CPUs": lambda: lapicipi_run("", False),
        "bare QEMU": lambda: lapicipi_run("", True)})
    khz = [k for c in lap.values() for k in c.get("khz", [])]
    khz = statistics.median(khz) if khz else None
    print()
    print("LAPIC IPIs between the two vcpus of an HVM guest (lapicipi: INIT-SIPI-SIPI, then")
    print("1000 round trips by the ICR, each from HLT; medians in TSC ticks, us at %s kHz)"
          % (khz or "?"))
    table(lap, (("lapicipi", "round trip"), ("lapicipi-wake", "wake-up from HLT")), khz)
    ev, n2 = collect(args, {"same CPU": lambda: evtchn_run("0"),
                            "two CPUs": lambda: evtchn_run("1")})
    print("Event-channel round trip between two PVH domains (evtchn pair, mean of 100)")
    table(ev, (("evtchn", "send -> upcall -> send -> upcall"),), khz)
    ipi, n3 = collect(args, {"same CPU": lambda: ipi_run("0"),
                             "two CPUs": lambda: ipi_run("")})
    print("Event round trip between the two vcpus of one PVH domain (ipi guest, mean of 1000)")
    table(ipi, (("ipi", "both blocked in SCHEDOP_poll"),
                ("ipi-spin-pause", "vcpu 0 spinning with PAUSE"),
                ("ipi-spin", "vcpu 0 spinning without PAUSE")), khz)
    for note in notes + n2 + n3:
        print("note: " + note)
