# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of host SMP bring-up (kernel/smp.c, arch/x86_64/trampoline.S;
docs/smp.md): every enabled CPU of the MADT started with INIT-SIPI-SIPI,
its vendor extension enabled, listed by `cpus` and `info`; cpus=N limits
them and bad values are refused with a warning; guests still run with the
other CPUs up, on both vendors.
tests/boot/cases.py appends SMP_CASES to its CASES.
"""

import os
import re

from guest_cases import GUEST_DIR, IPI_DOM, Dom, bochs_guests, check, check_audit, \
    check_pattern, check_report, expect_poweroff, frames_and_heap, qemu_guests, shell, wait_for


def check_cpus(m, online, madt):
    """The boot line, `cpus` and `info` agree on `online` CPUs of `madt`."""
    e = wait_for(m, r"smp: (\d+) CPU\(s\) in the MADT, (\d+) online(.*)\n", 60)
    check(int(e[1]) == madt and int(e[2]) == online,
          "expected %d of %d CPUs online: %r" % (online, madt, e[0]))
    check(not re.search(r"smp: .*(did not answer|set-up failed|no room)", m.output),
          "a CPU failed to come up: %s" % re.findall(r"smp: .*", m.output))
    out = shell(m, "cpus", r"cpu apic-id state")
    rows = re.findall(r"^\s*(\d+)\s+(\d+)\s+online\s+(\d+)\s+(\S+)$", out, re.M)
    check(len(rows) == online and len({r[1] for r in rows}) == online,
          "`cpus` should list %d online CPUs with distinct APIC ids: %r" % (online, out))
    locks = re.findall(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\n", out.split("lock-taken")[-1], re.M)
    check(len(locks) == online and all(int(t) > 0 and int(w) <= int(t) for _, t, w, _ in locks),
          "`cpus` should count the big lock's takes (> 0) and waits (<= takes) of each of "
          "the %d CPUs: %r" % (online, out))
    info = shell(m, "info", r"cpus: \d+ online")
    check(re.search(r"^cpus: %d online$" % online, info, re.M),
          "info: expected 'cpus: %d online': %r" % (online, info))
    return e


def placed(m, want):
    """The creation log puts domain d's vcpus on the CPUs want[d] lists."""
    for dom, cpus in want.items():
        e = wait_for(m, r"domain %d \(\S+\): vcpus on CPU ([\d,]+)\n" % dom, 30)
        check(e[1] == ",".join(map(str, cpus)),
              "domain %d's vcpus are on CPUs %s, expected %r" % (dom, e[1], cpus))


def smp_qemu(lab):
    """QEMU SVM with 4 CPUs: all 4 come up (SVM enabled on each); the
    vcpus of `exits` and `ipi` (2 vcpus) are spread one per CPU and run in
    parallel: `exits` passes, `ipi`'s vcpus on CPUs 1 and 2 wake each
    other 3 x 1000 times across CPUs (kick IPIs). No CPU-bound bystander:
    on CI's two cores its thread would take the host time the woken CPUs
    need (the round trips then wait for host scheduling, not for us)."""
    m = qemu_guests(lab, [Dom("exits", 2), IPI_DOM], smp=4, limit=240)
    m.boot(40)
    check_cpus(m, 4, 4)
    placed(m, {1: [0], 2: [1, 2]})
    expect_poweroff(m, 1, "exits", 60)
    check_report(m.output, 1, "exits")
    expect_poweroff(m, 2, "ipi", 60)
    check_report(m.output, 2, "ipi")


def smp_limit(lab):
    """QEMU with 4 CPUs and cpus=abc cpus=0 cpus=2: the first two are refused
    with a warning, 2 CPUs come up and the boot line says why. A domain
    with cpus=1 (pinned at creation) runs on CPU 1, not on the quieter
    CPU 0; one whose cpus=3 names no online CPU is refused with why."""
    off = "domain=name=off,image=exits.elf,memory=2,cpus=3"
    m = qemu_guests(lab, [Dom("exits", 2, extra=",cpus=1")], smp=4,
                    options=["cpus=abc", "cpus=0", "cpus=2", off])
    m.boot(40)
    e = check_cpus(m, 2, 4)
    placed(m, {1: [1]})
    check(re.search(r"domain off: cpus= names no online CPU", m.output),
          "the domain pinned to an offline CPU was not refused with the reason")
    check("limited by cpus=" in e[3], "the boot line does not say cpus= limited it: %r" % e[0])
    for bad in ("abc", "0"):
        check(re.search(r"options \(command line\): cpus=%s: not a count of CPUs" % bad,
                        m.output), "cpus=%s was not refused with a warning" % bad)
    expect_poweroff(m, 1, "exits", 60)
    check_report(m.output, 1, "exits")


def smp_bochs_vmx(lab):
    """Bochs corei7_skylake_x with 2 processors: the local APICs run in
    x2APIC mode (the CPU has it), the second comes up with VMX on (its own
    VMXON region); `pattern` runs on CPU 0, `exits` on CPU 1 (its VMCS,
    made on CPU 0, moves there: VMCLEAR there first) and passes."""
    m = bochs_guests(lab, [Dom("pattern", 4), Dom("exits", 2)], "corei7_skylake_x", count=2)
    m.boot(200)
    check_cpus(m, 2, 2)
    placed(m, {1: [0], 2: [1]})
    info = shell(m, "info", r"cpus: \d+ online")
    check(re.search(r"^timer: .* x2 APIC", info, re.M), "info: not in x2APIC mode: %r" % info)
    expect_poweroff(m, 2, "exits", 200)
    check_report(m.output, 2, "exits")


def smp_destroy(lab, cycles=20, vmx=False):
    """QEMU SVM -smp 2: `keep` (pattern) pinned to CPU 0; from the shell on
    CPU 0, 20 times: a pattern domain pinned to CPU 1 is created, runs
    (CPU-bound: in guest mode on CPU 1 when the command comes), is paused
    and unpaused once, and destroyed while it runs there (CPU 1 is made to
    leave guest mode and drops the freed vcpu untouched). After them the
    free frames and the heap equal those after the first cycle, `audit`
    finds no violation, `keep` still runs."""
    keep = [Dom("keep", 4, image="pattern", extra=",cpus=0")]
    if vmx:
        m = bochs_guests(lab, keep, "corei7_skylake_x", count=2, limit=600)
        m.boot(200)
    else:
        m = qemu_guests(lab, keep, smp=2, limit=300)
        m.boot(40)
    spec = "name=v,image=pattern.elf,memory=4,cpus=1"
    first = now = None
    for i in range(1, cycles + 1):
        at = len(m.output)
        shell(m, "create " + spec, r"domain 2 \(v\): vcpus on CPU 1")
        wait_for(m, r"\(d2\) pattern: filling", 30, at)
        if i == 1:
            shell(m, "pause 2", r"domain 2 paused")
            shell(m, "unpause 2", r"domain 2 (running|unpaused)")
            wait_for(m, r"\(d2\) pattern ok", 30, len(m.output))
        shell(m, "destroy 2", r"domain 2 \(v\) destroyed")
        if i == 1 or i == cycles:
            now = frames_and_heap(m)
            first = first or now
    check(now == first, "after %d create/destroy cycles on CPU 1: free frames, heap bytes, "
          "heap allocations %s; after the first %s" % (cycles, now, first))
    check_audit(m, "%d destroys of a domain running on another CPU" % cycles)
    check_pattern(m, 1, len(m.output))


def smp_destroy_vmx(lab):
    """Bochs corei7_skylake_x with 2 processors: smp-destroy's cycles (5),
    the VMCS of the vcpu on CPU 1 VMCLEARed there for the destroy."""
    smp_destroy(lab, cycles=5, vmx=True)


def lapicipi_dom(name, cpus=""):
    """The lapicipi guest (tests/guests/lapicipi.c) as an HVM domain with the
    PC platform and 2 vcpus, both pinned to `cpus` if given."""
    return Dom(name, 2, image="lapicipi",
               extra=",type=multiboot,platform=pc,vcpus=2" + (",cpus=" + cpus if cpus else ""))


def lapicipi_bare(lab, limit=60):
    """The same image on bare QEMU -smp 2 (multi-threaded TCG): multiboot
    -kernel, port 0xE9 on -debugcon, the end on isa-debug-exit."""
    elf = os.path.join(GUEST_DIR, "lapicipi.elf")
    lab.need(elf)
    return lab.qemu(["-kernel", elf], serial=("-debugcon", "stdio"), smp=2, mem=64,
                    limit=limit)


LAPICIPI_DONE = "DONE lapicipi: 3 passed, 0 failed"


def _uart_storm(out, d):
    """Every byte of lapicipi's UART storm on domain d's console: 490
    letters from each vcpu between its two markers, nothing else."""
    text = out.split("(d%d) lapicipi-uart: storm\n" % d, 1)[-1]
    text = text.split("(d%d) lapicipi-uart: done\n" % d, 1)[0]
    got = "".join(l[len("(d%d) " % d):] for l in text.split("\n")
                  if l.startswith("(d%d) " % d))
    check(got.count("a") == 490 and got.count("b") == 490 and len(got) == 980,
          "lapicipi (d%d): the UART storm's bytes on the console: %d a, %d b, %d in all "
          "(want 490, 490, 980)" % (d, got.count("a"), got.count("b"), len(got)))


def _lapicipi(m, doms):
    for d, name in enumerate(doms, 1):
        expect_poweroff(m, d, name, 120)
        check_report(m.output, d, "lapicipi")
        _uart_storm(m.output, d)
        check(re.search(r"\(d%d\) lapicipi: 1000 round trips, \d+ TSC" % d, m.output),
              "lapicipi (d%d) printed no round-trip figure" % d)
        check(re.search(r"\(d%d\) lapicipi-x2apic: 1000 round trips, \d+ TSC" % d, m.output),
              "lapicipi (d%d) made no round trips through the x2APIC MSRs" % d)


def smp_lapicipi(lab):
    """QEMU SVM -smp 2: lapicipi (HVM, PC platform, 2 vcpus) starts its second
    vcpu with INIT-SIPI-SIPI through its local APIC and makes 1000 IPI round
    trips (fixed vectors by the ICR), each from a vcpu halted in HLT, with
    TSCs in order across the vcpus, then switches both APICs to x2APIC
    mode, makes hostile accesses and 1000 more round trips through the
    MSRs (handled without the big lock); once with its vcpus on both CPUs,
    once with both pinned to CPU 1 (beside it). Then the same image on bare
    QEMU -smp 2 passes too (what bench's figures compare with; QEMU 7.2's
    TCG has no x2APIC, so the MSR phase is skipped there)."""
    doms = [lapicipi_dom("ipa"), lapicipi_dom("ipb", "1")]
    m = qemu_guests(lab, doms, smp=2, limit=150)
    placed(m, {1: [0, 1], 2: [1, 1]})
    _lapicipi(m, ["ipa", "ipb"])
    m.close()
    bare = lapicipi_bare(lab)
    wait_for(bare, r"^(DONE lapicipi: .*)\n", 50)
    check(LAPICIPI_DONE in bare.output, "lapicipi on bare QEMU -smp 2: %s"
          % re.findall(r"(?:FAIL|DONE) .*", bare.output))


def smp_lapicipi_vmx(lab):
    """Bochs corei7_skylake_x with 2 processors: lapicipi as in smp-lapicipi,
    on both CPUs and with both vcpus on CPU 1."""
    doms = [lapicipi_dom("ipa"), lapicipi_dom("ipb", "1")]
    m = bochs_guests(lab, doms, "corei7_skylake_x", count=2, limit=400)
    _lapicipi(m, ["ipa", "ipb"])


SMP_CASES = [
    ("smp-lapicipi", smp_lapicipi, 10),
    ("smp-lapicipi-vmx", smp_lapicipi_vmx, 60),
    ("smp-destroy", smp_destroy, 30),
    ("smp-destroy-vmx", smp_destroy_vmx, 60),
    ("smp-qemu", smp_qemu, 10),
    ("smp-limit", smp_limit, 8),
    ("smp-bochs-vmx", smp_bochs_vmx, 40),
]
