# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of the stateful hypercall fuzzer (tests/guests/fuzz.c): two
fuzzing PVH domains (`fuzza`, `fuzzb`, each the other's peer) beside a
`pattern` bystander and the management domain (build/mgmt/mgmt.elf,
domain 0). tests/boot/cases.py appends FUZZ_CASES to its CASES; tools/bench.py
runs a long one (`make bench`, section fuzz). See docs/guests.md (the
guest) and docs/testing.md (the cases, and how to replay a seed).

Each fuzzer prints its seed first (`(dN) fuzz: seed=S calls=N ...`) and a
FAIL line per disagreement with its model, naming the call's index; the
case fails on any FAIL line, a crashed domain, an exception in the
hypervisor, a bystander whose memory changed, or an `audit` that finds a
violation (run once while the fuzzers run, once after).

Seeds: fixed per case (FUZZ_SEED_QEMU, FUZZ_SEED_BOCHS; fuzzb gets the seed
+ 1), or EYRIE_FUZZ_SEED=N for both cases (N and N + 1), EYRIE_FUZZ_SEED=random
for a fresh one per run (printed). EYRIE_FUZZ_CALLS=N changes the calls per
fuzzer.
"""

import os
import random
import re
import time

from harness import ELF
from guest_cases import (MGMT_ELF, Dom, _modules, check, check_audit, check_pattern, cmdline,
                         domains_table, ended, guest_text, make_iso_mods, wait_for)

FUZZ_SEED_QEMU = 1001
FUZZ_SEED_BOCHS = 2002
FUZZ_CALLS = 100000
# fuzzb makes more calls than fuzza: it goes on after fuzza has shut down
# and been destroyed (its grants, ports and mappings of fuzza's frames
# then meet a granter that is gone).
FUZZB_EXTRA = 1.3
FUZZ_MIB = 8      # the guest's arena is RAM from 4 MiB up
MGMT_OPT = "domain=name=mgmt,type=pvh,image=mgmt.elf,memory=16,privileged=1"


def fuzz_seed(default):
    env = os.environ.get("EYRIE_FUZZ_SEED", "")
    if env == "random":
        return random.randrange(1, 1 << 31)
    return int(env) if env else default


def fuzz_calls():
    return int(os.environ.get("EYRIE_FUZZ_CALLS", FUZZ_CALLS))


def fuzz_doms(seed, calls, extra=FUZZB_EXTRA):
    """pattern (1), fuzza (2), fuzzb (3); the management domain is 0."""
    opt = ",type=pvh,vcpus=2,cmdline=fuzz:seed=%d,calls=%d"
    return [Dom("pattern", 4),
            Dom("fuzza", FUZZ_MIB, image="fuzz", extra=opt % (seed, calls)),
            Dom("fuzzb", FUZZ_MIB, image="fuzz", extra=opt % (seed + 1, int(calls * extra)))]


def fuzz_modules(doms):
    return [MGMT_ELF] + _modules(doms)


def fuzz_options(doms):
    return [cmdline(doms), MGMT_OPT]


def qemu_fuzz(lab, doms, limit):
    mods = fuzz_modules(doms)
    lab.need(ELF, *mods)
    return lab.qemu(["-kernel", ELF, "-append", " ".join(fuzz_options(doms)),
                     "-initrd", ",".join(mods)], limit=limit)


def bochs_fuzz(lab, doms, cpu, limit):
    iso = make_iso_mods(lab, fuzz_modules(doms), fuzz_options(doms))
    return lab.bochs(iso, cpu=cpu, limit=limit)


FUZZ_IDS = {"fuzza": 2, "fuzzb": 3}


def faults(out):
    """What must never appear: an exception in the hypervisor, a crashed
    domain, a FAIL line of any guest."""
    return (re.findall(r"\*\*\* EXCEPTION[^\n]*", out) +
            re.findall(r"domain \d+ \([^)]*\) crashed[^\n]*", out) +
            re.findall(r"\(d\d+\) FAIL [^\n]*", out))


def run_fuzzers(m, timeout, mid_audit=True):
    """Waits for both fuzzers to find each other and run to their end
    (an audit in between), then checks what they and the hypervisor say.
    Returns {name: (calls, guest ms)} and the audit match."""
    start = time.monotonic()
    m.boot(min(120, timeout))
    for name, dom in FUZZ_IDS.items():
        wait_for(m, r"\(d%d\) fuzz: peer is domain (\d+)\D" % dom, 120)
        wait_for(m, r"\(d%d\) fuzz: start" % dom, 60)
    if mid_audit:
        # while they run (or just after, on a fast machine)
        wait_for(m, r"\(d2\) fuzz: \d+ calls, \d+ disagreements", timeout)
        check_audit(m, "fuzzing, both fuzzers running")
    ends = {}
    for name, dom in FUZZ_IDS.items():
        left = max(10, timeout - (time.monotonic() - start))
        e = wait_for(m, ended(dom, name), left)
        out = m.output
        check(e[1] == "shut down" and e[2].strip() == "poweroff",
              "%s (d%d) %s: %s; its last lines: %s"
              % (name, dom, e[1], e[2], " | ".join(guest_text(out, dom)[-4:])))
        ends[name] = e
    out = m.output
    bad = faults(out)
    check(not bad, "%d fault(s): %s" % (len(bad), " | ".join(bad[:6])))
    stats = {}
    for name, dom in FUZZ_IDS.items():
        lines = guest_text(out, dom)
        seed = re.search(r"fuzz: seed=(\d+) calls=(\d+)", "\n".join(lines))
        done = [re.match(r"DONE fuzz: (\d+) passed, (\d+) failed", l) for l in lines]
        done = [d for d in done if d]
        check(seed and done and done[-1][2] == "0",
              "%s (d%d): %s; its last lines: %s" % (name, dom, done[-1][0] if done else
                                                   "no DONE line", " | ".join(lines[-4:])))
        end = re.search(r"fuzz: end: (\d+) calls in (\d+) ms", "\n".join(lines))
        check(end and int(end[1]) >= int(seed[2]),
              "%s: %s calls made of %s" % (name, end[1] if end else "no end line", seed[2]))
        stats[name] = (int(end[1]), int(end[2]), int(seed[1]))
    # The bystander's memory is intact, the books balance, the shell and
    # the management domain still answer.
    check_pattern(m, 1, max(e.end() for e in ends.values()), timeout=30)
    audit = check_audit(m, "fuzzing")
    doms = domains_table(m)
    check(doms.get(0, ("", ""))[0] == "mgmt" and doms.get(1, ("", ""))[1] == "running" and
          2 not in doms and 3 not in doms,
          "domains after the fuzzers ended: %s" % doms)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 20)
    at = len(m.output)
    m.send("list\r")
    wait_for(m, r"\(d0\)\s+1 pattern\s+elf\s+running", 60, at)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 20)
    check(not faults(m.output), "a fault at the end: %s" % " | ".join(faults(m.output)[:4]))
    return stats, audit


def fuzz_qemu_svm(lab):
    """QEMU SVM + NPT: two fuzzers (10^5 hypercalls each, fuzzb 30% more)
    beside pattern and the management domain: no FAIL, no crash, pattern
    intact, audit 0 violations during and after, domains and mgmt's list
    answer."""
    doms = fuzz_doms(fuzz_seed(FUZZ_SEED_QEMU), fuzz_calls())
    m = qemu_fuzz(lab, doms, limit=200)
    run_fuzzers(m, 170)


def fuzz_bochs_vmx(lab):
    """Bochs corei7_skylake_x (VMX + EPT): the same two fuzzers, 10^5
    hypercalls each (fuzzb 30% more), pattern and the management domain."""
    doms = fuzz_doms(fuzz_seed(FUZZ_SEED_BOCHS), fuzz_calls())
    m = bochs_fuzz(lab, doms, "corei7_skylake_x", limit=600)
    run_fuzzers(m, 270)


# name, function, rough seconds
FUZZ_CASES = [
    ("fuzz-bochs-vmx", fuzz_bochs_vmx, 100),
    ("fuzz-qemu-svm", fuzz_qemu_svm, 30),
]
