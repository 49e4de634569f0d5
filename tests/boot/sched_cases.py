# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of the credit scheduler (vmm/core/run.c; docs/scheduling.md):
weights and caps measured from the hypervisor's per-vcpu run time, vcpus
moved between CPUs at run time on both vendors, more vcpus than CPUs,
hostile arguments to the shell's controls. The CPU-bound guest is `burn`
(tests/guests/burn.c). Ratios are of run time (TSC) of domains sharing
one CPU: robust to a loaded host, which slows them alike.
tests/boot/cases.py appends SCHED_CASES to its CASES.
"""

import re
import time

from guest_cases import MGMT_ELF, Dom, _modules, bochs_guests, check, check_pattern, guest_text, \
    qemu_guests, shell, wait_for
from harness import ELF

VCPU_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+0x[0-9a-f]+\s+\d+\s+(\d+)\s+"
                      r"0x([0-9a-f]+)\n", re.M)


def vcpus(m):
    """{(dom, vcpu): (cpu, state, cpu_ms, affinity)} from the shell's `vcpus`,
    and "up": the hypervisor's uptime in ms at that moment."""
    out = shell(m, "vcpus", r"uptime \d+ ms\n")
    rows = {(int(r[0]), int(r[1])): (int(r[2]), r[3], int(r[4]), int(r[5], 16))
            for r in VCPU_ROW.findall(out)}
    rows["up"] = int(re.search(r"uptime (\d+) ms\n", out)[1])
    return rows


def note(m, text):
    """A figure for the log (printed, never judged)."""
    with open(m.log_path, "a") as f:
        f.write("\n# %s\n" % text)


def burning(m, doms, timeout=60):
    """Each domain of doms printed a "burn N" line."""
    for d in doms:
        wait_for(m, r"\(d%d\) burn \d+\n" % d, timeout)


def run_ms(m, doms, warm=2.0, window=6.0):
    """Each domain's vcpu-0 run time (ms) over about `window` seconds after
    `warm` seconds: a delta between two reads of `vcpus`; "up": the span
    by the hypervisor's clock."""
    time.sleep(warm)
    a = vcpus(m)
    time.sleep(window)
    b = vcpus(m)
    ms = {d: b[(d, 0)][2] - a[(d, 0)][2] for d in doms}
    ms["up"] = b["up"] - a["up"]
    return ms, b


def burn(name, extra):
    return Dom(name, 2, image="burn", extra=extra)


def sched_weights(lab):
    """QEMU -smp 2: two burn domains pinned to CPU 1 (cpus=1), weights 256
    (the default) and 512 (weight=512 in domain=): over a 6 s window the
    second ran twice as long as the first, within 10% (1.8 .. 2.2).
    `sched-credit` shows both weights."""
    m = qemu_guests(lab, [burn("a", ",cpus=1"), burn("b", ",cpus=1,weight=512")], smp=2,
                    limit=90)
    m.boot(40)
    burning(m, [1, 2])
    out = shell(m, "sched-credit", r"id name\s+weight")
    check(re.search(r"^\s*1 a\s+256\s+0\n", out, re.M) and
          re.search(r"^\s*2 b\s+512\s+0\n", out, re.M), "sched-credit: %r" % out)
    ms, _ = run_ms(m, [1, 2])
    ratio = ms[2] / max(ms[1], 1)
    m.close()  # its log closed: the note goes after it
    note(m, "sched-weights: weight 256 ran %d ms, weight 512 ran %d ms in %d ms: ratio %.3f"
         % (ms[1], ms[2], ms["up"], ratio))
    check(1.8 <= ratio <= 2.2, "weights 256:512 on one CPU got %d:%d ms (ratio %.2f, want "
          "2 within 10%%)" % (ms[1], ms[2], ratio))


def sched_cap(lab):
    """QEMU -smp 2: a burn domain alone on CPU 1 with cap 50 (set from the
    shell: `sched-credit 1 cap=50`) runs 45-55% of a 6 s window by the
    hypervisor's clock; then cap=0 lifts it (over 60%: on a loaded host
    CPU 1 also waits for the big lock and for host time outside slices)."""
    m = qemu_guests(lab, [burn("c", ",cpus=1")], smp=2, limit=90)
    m.boot(40)
    burning(m, [1])
    shell(m, "sched-credit 1 cap=50", r"\s+1 c\s+256\s+50\n")
    ms, _ = run_ms(m, [1], warm=1.0)
    share = ms[1] / ms["up"]
    check(0.45 <= share <= 0.55, "cap 50: ran %d ms of %d ms (%.1f%%, want 45-55%%)"
          % (ms[1], ms["up"], share * 100))
    shell(m, "sched-credit 1 cap=0", r"\s+1 c\s+256\s+0\n")
    free, _ = run_ms(m, [1], warm=0.5, window=3.0)
    check(free[1] >= 0.6 * free["up"], "cap 0: ran %d ms of %d ms" % (free[1], free["up"]))
    m.close()  # its log closed: the note goes after it
    note(m, "sched-cap: cap 50 ran %d ms of %d ms: %.1f%%; uncapped %d ms of %d ms"
         % (ms[1], ms["up"], share * 100, free[1], free["up"]))


def on_cpu(m, dom, cpu, timeout):
    """Poll `vcpus` until vcpu 0 of dom is on cpu (a vcpu running in guest
    mode moves at the end of its slice)."""
    deadline = time.monotonic() + timeout
    while True:
        now = vcpus(m)[(dom, 0)][0]
        if now == cpu or time.monotonic() > deadline:
            return now
        time.sleep(0.3)


def progress(m, dom, after, timeout):
    """dom printed a new "burn N" line after text position `after`, and no
    "burn BAD" (its xmm0 lost on a move) anywhere."""
    wait_for(m, r"\(d%d\) burn \d+\n" % dom, timeout, after)
    bad = [l for l in guest_text(m.output, dom) if "BAD" in l]
    check(not bad, "burn (d%d) lost its SSE state: %s" % (dom, bad[:3]))


def sched_pin(lab, vmx=False, moves=6):
    """QEMU SVM -smp 2: `burn` (CPU-bound: in guest mode on its CPU when the
    command comes) and `pattern` (blocked between its rounds: moved while
    it waits, its timer follows) are moved between CPUs 0 and 1 with
    `vcpu-pin` `moves` times, opposite ways; each time `vcpus` shows the
    new CPU and affinity, burn goes on with its xmm0 intact (the CPU it
    left saved its SSE state), pattern goes on with its memory intact.
    Then `vcpu-pin 1 0 all`. SVM: the VMCB gets a new ASID on the new CPU;
    VMX (sched-pin-vmx): the old CPU VMCLEARs the VMCS first."""
    doms = [burn("b", ",cpus=1"), Dom("pattern", 4, extra=",cpus=0")]
    m = (bochs_guests(lab, doms, "corei7_skylake_x", count=2, limit=600) if vmx
         else qemu_guests(lab, doms, smp=2, limit=120))
    m.boot(200 if vmx else 40)
    slow = 10 if vmx else 1
    burning(m, [1], 60 * slow)
    wait_for(m, r"\(d2\) pattern ok \d+\n", 30 * slow)
    for i in range(moves):
        cpu = 0 if i % 2 == 0 else 1
        at = len(m.output)
        shell(m, "vcpu-pin 1 0 %d" % cpu, r"domain 1 vcpu 0: affinity 0x%x" % (1 << cpu))
        shell(m, "vcpu-pin 2 0 %d" % (1 - cpu), r"domain 2 vcpu 0: affinity 0x%x" % (2 >> cpu))
        got = (on_cpu(m, 1, cpu, 10 * slow), on_cpu(m, 2, 1 - cpu, 10 * slow))
        check(got == (cpu, 1 - cpu), "move %d: burn on CPU %d, pattern on CPU %d; want %d, %d"
              % (i + 1, got[0], got[1], cpu, 1 - cpu))
        progress(m, 1, at, 30 * slow)
        check_pattern(m, 2, at, more=1, timeout=15 * slow)
    shell(m, "vcpu-pin 1 0 all", r"domain 1 vcpu 0: affinity 0xffffffffffffffff")
    row = vcpus(m)[(1, 0)]
    check(row[3] == 0xffffffffffffffff, "vcpus: affinity 0x%x after 'all'" % row[3])


def sched_pin_vmx(lab):
    """Bochs corei7_skylake_x with 2 processors: sched-pin's moves (4) on
    VMX: the VMCS VMCLEARed on the CPU the vcpu left, the host state
    rewritten and VPID, EPT flushed on the new one."""
    sched_pin(lab, vmx=True, moves=4)


def sched_overcommit(lab):
    """QEMU -smp 2: three burn domains pinned to CPU 1 (three vcpus on one
    CPU): each makes progress and, all weights equal, each ran a third
    of their total within 10% of it (0.3 .. 0.367). Then domain 3 may run
    anywhere (`vcpu-pin 3 0 all`): the idle CPU 0 takes it from CPU 1
    (load balancing), domains 1 and 2 share CPU 1."""
    m = qemu_guests(lab, [burn(n, ",cpus=1") for n in ("a", "b", "c")], smp=2, limit=120)
    m.boot(40)
    burning(m, [1, 2, 3])
    at = len(m.output)
    ms, _ = run_ms(m, [1, 2, 3])
    total = ms[1] + ms[2] + ms[3]
    for d in (1, 2, 3):
        progress(m, d, at, 30)
        check(0.3 <= ms[d] / max(total, 1) <= 0.367, "three vcpus on one CPU ran %d, %d, %d ms"
              % (ms[1], ms[2], ms[3]))
    shell(m, "vcpu-pin 3 0 all", r"domain 3 vcpu 0: affinity")
    check(on_cpu(m, 3, 0, 10) == 0, "the idle CPU 0 did not take domain 3's waiting vcpu")
    out = shell(m, "cpus", r"cpu apic-id state")
    cpu1 = re.search(r"^\s*1\s+\d+\s+online\s+2\s+.*", out, re.M | re.S)
    check(cpu1 and "d1.0" in cpu1[0] and "d2.0" in cpu1[0] and "d3.0" not in cpu1[0],
          "cpus: CPU 1 should have domains 1 and 2 (running or queued), not 3: %r" % out)
    m.close()  # its log closed: the note goes after it
    note(m, "sched-overcommit: three vcpus on one CPU ran %d, %d, %d ms in %d ms"
         % (ms[1], ms[2], ms[3], ms["up"]))


def sched_hostile(lab):
    """QEMU -smp 2: the shell's vcpu-pin and sched-credit refuse, with an
    error line and nothing changed: no such domain or vcpu, a CPU list
    that is malformed, empty of online CPUs or beyond CPU 63, weight 0
    and 65536, cap -1 and 101 (one vcpu), an unknown key; the burn domain
    runs on with weight 256, cap 0, affinity CPU 1."""
    m = qemu_guests(lab, [burn("b", ",cpus=1")], smp=2, limit=90)
    m.boot(40)
    burning(m, [1])
    for cmd, err in (("vcpu-pin 7 0 0", "no domain"), ("vcpu-pin 1 1 0", "no vcpu"),
                     ("vcpu-pin 1 99999999 0", "no vcpu"), ("vcpu-pin x 0 0", "no domain"),
                     ("vcpu-pin 1 0 5", "'5' names no online CPU"),
                     ("vcpu-pin 1 0 64", "'64' names"), ("vcpu-pin 1 0 1-0", "'1-0' names"),
                     ("vcpu-pin 1 0 ,", "',' names"), ("vcpu-pin 1 0", "usage"),
                     ("vcpu-pin 1 0 0 1", "usage"),
                     ("sched-credit 7", "no domain"), ("sched-credit 1 weight=0", "weight 0"),
                     ("sched-credit 1 weight=65536", "usage"),
                     ("sched-credit 1 weight=99999999999", "usage"),
                     ("sched-credit 1 cap=-1", "usage"), ("sched-credit 1 cap=101", "weight"),
                     ("sched-credit 1 cap=", "usage"), ("sched-credit 1 speed=3", "usage")):
        shell(m, cmd, err, refused=True)
    out = shell(m, "sched-credit 1", r"id name\s+weight")
    check(re.search(r"^\s*1 b\s+256\s+0\n", out, re.M), "sched-credit changed: %r" % out)
    row = vcpus(m)[(1, 0)]
    check(row[0] == 1 and row[3] == 2, "vcpu moved or affinity changed: %r" % (row,))
    progress(m, 1, len(m.output), 30)


def sched_mgmt(lab):
    """QEMU -smp 2: the management console's controls. mgmt (domain 0) and
    burn (domain 1, on CPU 1); from the console: `create` with weight=512
    and cap=50 in its xl.cfg keys (sched-credit shows them), `sched-credit
    1 weight=300 cap=20`, `vcpu-pin 1 0 0` (vcpu-list shows CPU 0 and
    affinity 0, the hypervisor's `vcpus` agrees), then hostile arguments,
    each refused with an error line (the hypervisor's op refuses weight 0,
    cap over 100 per vcpu, a vcpu it lacks, a CPU not online; mgmt
    refuses the rest before): nothing changes and burn runs on."""
    mods = [MGMT_ELF] + _modules([Dom("burn", 2), Dom("pattern", 4)])
    lab.need(ELF, *mods)
    opts = ["loglevel=info", "domain=name=mgmt,type=pvh,image=mgmt.elf,memory=16,privileged=1",
            "domain=name=b,image=burn.elf,memory=2,cpus=1"]
    m = lab.qemu(["-kernel", ELF, "-append", " ".join(opts), "-initrd", ",".join(mods)],
                 limit=150, smp=2)

    def console(cmd, until):
        """A console command; the match of `until` in the output after it."""
        start = len(m.output)
        m.send(cmd + "\r")
        return wait_for(m, until, 30, start)

    wait_for(m, r"\(d0\) mgmt: management console ready", 60)
    burning(m, [1])
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)
    made = console("create name=w type=pvh memory=4 kernel=pattern.elf weight=512 cap=50",
                   r"\(d0\) domain (\d+) \(w\) created")
    console("sched-credit", r"\(d0\) w\s+%s\s+512\s+50\n" % made[1])
    console("sched-credit 1 weight=300 cap=20", r"\(d0\) b\s+1\s+300\s+20\n")
    console("vcpu-pin 1 0 0", r"\(d0\) domain 1 vcpu 0: affinity 0\n")
    deadline = time.monotonic() + 10
    while not console("vcpu-list 1", r"\(d0\) b\s+1\s+0\s+(\d+)\s+\S+\s+[\d.]+ (\S+)\n")[1] == "0":
        check(time.monotonic() < deadline, "vcpu-list: domain 1's vcpu not on CPU 0")
        time.sleep(0.5)
    console("vcpu-list", r"\(d0\) mgmt\s+0\s+0\s+\d+\s+r--\s+[\d.]+ all\n")
    for cmd, err in (("sched-credit 1 weight=0", "weight 0 or cap 20 out of range"),
                     ("sched-credit 1 weight=65536", "usage"),
                     ("sched-credit 1 cap=-1", "usage"),
                     ("sched-credit 1 cap=101", "weight 300 or cap 101 out of range"),
                     ("sched-credit 1 cap=", "usage"), ("sched-credit 1 x", "usage"),
                     ("sched-credit 99", "no domain '99'"),
                     ("vcpu-pin 1 5 0", "no such vcpu"), ("vcpu-pin 1 0 7", "no such vcpu, or"),
                     ("vcpu-pin 1 0 64", "'64' is not a CPU list"),
                     ("vcpu-pin 1 0 1-0", "not a CPU list"), ("vcpu-pin 1 x 0", "not a vcpu"),
                     ("vcpu-pin 1 -1 0", "not a vcpu"),
                     ("vcpu-pin 1 99999999999 0", "not a vcpu"),
                     ("vcpu-pin 1 0", "usage"), ("vcpu-list 1 2", "usage")):
        console(cmd, r"\(d0\) error: [^\n]*%s" % re.escape(err))
    console("sched-credit 1", r"\(d0\) b\s+1\s+300\s+20\n")
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    row = vcpus(m)[(1, 0)]
    check(row[0] == 0 and row[3] == 1, "vcpus: domain 1 on CPU %d, affinity 0x%x" % (row[0], row[3]))
    at = len(m.output)
    progress(m, 1, at, 30)


PAUSES = [Dom("pauses", 2)]


def _pauses(m, filtered, slow=1):
    """`pauses` made 1000 lone PAUSEs and a spin of 100000; its PAUSE
    exits (the shell's `exits`) tell what the CPU filtered."""
    m.boot(40 * slow)
    wait_for(m, r"\(d1\) pauses: 1000 alone, 100000 in one spin\n", 60 * slow)
    out = shell(m, "exits 1", r"domain 1 vcpu 0: \d+ exits[^\n]*\n", 30 * slow)
    hit = re.search(r"^\s+pause\s+(\d+)\n", out, re.M)
    n = int(hit[1]) if hit else 0
    if filtered:
        check(1 <= n < 1000, "%d PAUSE exits: want the spin to exit (at least once) and "
              "fewer than the 1000 lone PAUSEs (filtered): %r" % (n, out))
    else:
        check(n >= 101000, "%d PAUSE exits: without a pause filter every one of the "
              "101000 PAUSEs exits" % n)
    note(m, "pauses: %d PAUSE exits for 1000 lone PAUSEs and a spin of 100000" % n)


def sched_pause(lab):
    """QEMU SVM (TCG offers no pause filter): every PAUSE of `pauses`
    exits (pause_count 0), 101000 of them."""
    _pauses(qemu_guests(lab, PAUSES, limit=120), False)


def sched_pause_vmx(lab):
    """Bochs corei7_skylake_x: PAUSE-loop exiting (gap 128, window 4096
    TSC ticks) instead of PAUSE exiting: the 1000 lone PAUSEs of `pauses`
    do not exit, its spin of 100000 does, fewer than 1000 exits in all."""
    _pauses(bochs_guests(lab, PAUSES, "corei7_skylake_x"), True, 4)


def sched_pause_bochs_svm(lab):
    """Bochs ryzen: the pause filter (count 3000, threshold 128 TSC
    ticks): the same as sched-pause-vmx."""
    _pauses(bochs_guests(lab, PAUSES, "ryzen"), True, 4)


SCHED_CASES = [
    ("sched-weights", sched_weights, 12),
    ("sched-cap", sched_cap, 12),
    ("sched-pin", sched_pin, 8),
    ("sched-pin-vmx", sched_pin_vmx, 190),
    ("sched-overcommit", sched_overcommit, 12),
    ("sched-hostile", sched_hostile, 5),
    ("sched-mgmt", sched_mgmt, 6),
    ("sched-pause", sched_pause, 8),
    ("sched-pause-vmx", sched_pause_vmx, 40),
    ("sched-pause-bochs-svm", sched_pause_bochs_svm, 40),
]
