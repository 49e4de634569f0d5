# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of the hostile `attack` guest (tests/guests/attack.c): two
instances try every way the security review found to reach memory that is
not theirs through grants and memory_op (re-grant aliasing, freeing a
mapped page, a page mapped over itself, writes into read-only mappings,
long lists, reserved domain ids, a granter dying while mapped), beside the
`pattern` bystander, on both vendors: QEMU TCG EPYC-Rome (SVM + NPT) and
Bochs corei7_skylake_x (VMX + EPT). tests/boot/cases.py appends
ATTACK_CASES to its CASES. See docs/guests.md and docs/testing.md.

The flow, on a hypervisor booted with `pattern` (domain 1) only:

 1. a PVH `pattern` created and destroyed (the heap then holds its empty
    slabs), `audit`, `mem`: the free frames, heap bytes and allocations
    before the attackers;
 2. `create` B (attack, 8 MiB, cmdline b:3) and, once B has done its own
    checks, A (attack, 32 MiB, cmdline a:2): ids 2 and 3, the lowest free;
 3. A runs attacks 1-6 and grants B pages; B maps them; A writes its last
    data and powers off (it is reaped: destroyed); B still reads the page
    and says "holding the orphan";
 4. `audit` while B maps the dead domain's frames: 0 violations, B's
    foreign pages counted;
 5. `create` a PVH `pattern` ("reuse"): it gets A's id 3; B sees a domain
    3 again, still reads A's data through its mapping, unmaps, powers off
    (with A's read-only page still mapped);
 6. `destroy 3`; `pattern` kept its memory; `audit` 0 violations; free
    frames, heap bytes and allocations equal those of step 1.
"""

import os
import re

from harness import CONF, ELF
from guest_cases import (GUEST_DIR, Dom, check, check_audit, check_pattern, check_report,
                         cmdline, expect_poweroff, guest_text, make_iso_mods, shell,
                         wait_for)

ATTACK_ELF = os.path.join(GUEST_DIR, "attack.elf")
PATTERN_ELF = os.path.join(GUEST_DIR, "pattern.elf")
BOOT_DOMS = [Dom("pattern", 4)]

# Every check of each role: a missing one means an attack was skipped.
A_CHECKS = ["setup", "granter-setup", "granter-maps-peer",
            "regrant-first-map", "regrant-map-refused", "regrant-copy-refused",
            "regrant-copy-control", "regrant-unmap-give-back", "regrant-shared-info",
            "regrant-grant-frame", "regrant-over-frames",
            "freed-map", "freed-give-back-refused", "freed-replace-refused",
            "freed-unmap-wrong-address", "freed-after-unmap",
            "self-map-refused", "device-map-refused",
            "ro-map", "ro-registered-areas", "ro-hypercall-outputs", "ro-copy-and-map",
            "ro-replace-refused", "ro-unmapped",
            "bounded-balloon", "bounded-preemptible", "bounded-bad-entry", "bounded-list-in-hole",
            "bounded-grant-copy", "bounded-grant-maps", "bounded-bad-handles",
            "bounded-maptrack-full",
            "ids-cpuid", "ids-reserved-refused", "ids-peer-refused", "ids-dom0-refused",
            "granter-peer-mapped"]
B_CHECKS = ["setup", "ids-cpuid", "ids-reserved-refused", "ids-peer-refused",
            "ids-dom0-refused",
            "mapper-map", "mapper-alias-refused", "mapper-frames-refused", "mapper-read-only",
            "mapper-untouched-zero", "mapper-mapped-by-peer", "mapper-granter-gone",
            "mapper-peer-mapping-gone", "mapper-orphan-writable", "mapper-orphan-refused",
            "mapper-id-reused", "mapper-unmapped"]


def _check_all_passed(out, dom, who, names):
    passed = set(re.findall(r"\(d%d\) PASS attack/([\w-]+)" % dom, out))
    missing = [n for n in names if n not in passed]
    check(not missing, "attack %s (d%d): checks that never passed: %s; its last lines: %s"
          % (who, dom, ", ".join(missing), " | ".join(guest_text(out, dom)[-4:])))


# What ends a run early: the hypervisor's panic, an attacker killed.
DEATH = r"Eyrie PANIC[^\n]*\n|domain \d+ \(atk-[ab]\) crashed: [^\n]*\n"


def _wait(m, regex, timeout, start=0):
    """wait_for, failing at once (with that line) on a panic or a crash."""
    hit = wait_for(m, r"(?:%s)|(?:%s)" % (regex, DEATH), timeout, start)
    check(not re.match(DEATH, hit[0]), "%s (last lines of the attackers: %s)"
          % (hit[0].strip(), " | ".join(guest_text(m.output, 2)[-2:] +
                                        guest_text(m.output, 3)[-2:])))
    return hit


def _created(m, spec, name, timeout):
    out = shell(m, "create " + spec, r"domain \d+ \(%s\): |not created" % name, timeout)
    hit = re.search(r"domain (\d+) \(%s\): " % name, out)
    check(hit, "create %s: %r" % (name, out.strip()[-300:]))
    return int(hit[1])


HEAP_RE = re.compile(r"heap: (\d+) bytes in (\d+) allocations")


def _frames_and_heap(m):
    """(free frames, heap bytes, heap allocations) from `mem`."""
    out = shell(m, "mem", r"heap: \d+ bytes[^\n]*\n")
    f = re.search(r"frames: total \d+, free (\d+)", out)
    h = HEAP_RE.search(out)
    check(f and h, "mem: %r" % out.strip()[-300:])
    return (int(f[1]), int(h[1]), int(h[2]))


def _attack_flow(m, t):
    """The flow of the module docstring on machine m, booted with
    BOOT_DOMS; t scales the timeouts (Bochs is slower)."""
    m.boot(30 * t)
    wait_for(m, r"\(d1\) pattern ok \d+", 20 * t)
    # A PVH domain made and destroyed first: the heap keeps one empty
    # slab per size class once used, which is no leak; its classes are
    # then in use before the count.
    at = len(m.output)
    w_id = _created(m, "name=warm,type=pvh,image=pattern.elf,memory=4", "warm", 10 * t)
    wait_for(m, r"\(d%d\) pattern ok 1\n" % w_id, 20 * t, at)
    shell(m, "destroy %d" % w_id, r"domain %d \(warm\) destroyed" % w_id, 10 * t)
    check_audit(m, "boot")
    before = _frames_and_heap(m)

    # B first: after its own checks it waits for A's grant, quietly. The
    # shell is typed at only while no guest populates its memory: the
    # hypervisor zeroes a guest's 2 MiB region on its first use with
    # interrupts off, which under Bochs outlasts the UART's 16-byte FIFO
    # (Bochs logs "receive FIFO overflow" and the line arrives cut).
    at = len(m.output)
    b_id = _created(m, "name=atk-b,type=pvh,image=attack.elf,memory=8,cmdline=b:3", "atk-b",
                    10 * t)
    _wait(m, r"\(d%d\) PASS attack/ids-dom0-refused" % b_id, 30 * t, at)
    a_id = _created(m, "name=atk-a,type=pvh,image=attack.elf,memory=32,cmdline=a:2", "atk-a",
                    10 * t)
    check((a_id, b_id) == (3, 2), "the attackers got ids %d (A) and %d (B), not 3 and 2 (the "
          "lowest free: their command lines name each other)" % (a_id, b_id))

    # A powers off (and is reaped) once B has mapped its page; B then
    # holds the dead domain's frame.
    _wait(m, r"domain %d \(atk-a\) shut down" % a_id, 60 * t)
    a_end = expect_poweroff(m, a_id, "atk-a", 10 * t)
    _wait(m, r"domain %d \(atk-a\) destroyed" % a_id, 10 * t, a_end.start())
    _wait(m, r"\(d%d\) attack: holding the orphan of domain %d" % (b_id, a_id), 30 * t,
          a_end.start())
    held = check_audit(m, "domain %d died while domain %d maps its page" % (a_id, b_id))
    check(int(held[3]) >= 1, "audit while domain %d holds the orphan: %s foreign pages, "
          "expected its mapping" % (b_id, held[3]))
    a_text = m.output
    r_id = _created(m, "name=reuse,type=pvh,image=pattern.elf,memory=4", "reuse", 10 * t)
    check(r_id == a_id, "the new domain got id %d, not the dead granter's %d" % (r_id, a_id))
    _wait(m, r"domain %d \(atk-b\) shut down" % b_id, 60 * t)
    b_end = expect_poweroff(m, b_id, "atk-b", 10 * t)
    _wait(m, r"domain %d \(atk-b\) destroyed" % b_id, 10 * t, b_end.start())
    out = m.output

    check_report(a_text, a_id, "attack")
    _check_all_passed(a_text, a_id, "A", A_CHECKS)
    check_report(out, b_id, "attack")
    _check_all_passed(out, b_id, "B", B_CHECKS)
    wait_for(m, r"\(d%d\) pattern ok \d+" % r_id, 20 * t, len(a_text))
    shell(m, "destroy %d" % r_id, r"domain %d \(reuse\) destroyed" % r_id, 10 * t)
    check_pattern(m, 1, b_end.end(), more=2, timeout=15 * t)
    check_audit(m, "both attackers and the reused id gone")
    after = _frames_and_heap(m)
    check(after == before, "free frames, heap bytes and allocations before the attackers %s, "
          "after them %s" % (before, after))


def attack_qemu_svm(lab):
    """QEMU SVM (NPT): the `attack` guest twice (A: every attack, then the
    granter; B: the domain ids, then the mapper of A's page) beside
    `pattern`: every attack refused, A's page outlives A while B maps it,
    `audit` clean then and at the end, the frames all come back."""
    mods = [PATTERN_ELF, ATTACK_ELF, CONF]
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append", cmdline(BOOT_DOMS), "-initrd", ",".join(mods)],
                 limit=110)
    _attack_flow(m, 1)


def attack_bochs_vmx(lab):
    """Bochs corei7_skylake_x (VMX + EPT): the same as attack-qemu-svm."""
    iso = make_iso_mods(lab, [PATTERN_ELF, ATTACK_ELF], [cmdline(BOOT_DOMS)])
    m = lab.bochs(iso, cpu="corei7_skylake_x", limit=115)
    _attack_flow(m, 3)


# name, function, rough seconds
ATTACK_CASES = [
    ("attack-bochs-vmx", attack_bochs_vmx, 80),
    ("attack-qemu-svm", attack_qemu_svm, 15),
]
