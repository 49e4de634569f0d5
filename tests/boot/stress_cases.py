# SPDX-License-Identifier: GPL-2.0-only
"""The SMP stress test (issue 14): the `stress` guest (tests/guests/stress.c)
as domains of 2, 3 and 4 vcpus on 4 CPUs (QEMU) or 2 (Bochs VMX) beside a
1-vcpu `pattern`: event-channel round trips between vcpus on different
CPUs, grant map/unmap and balloon storms (every unmap and give-back is a
remote flush before the frame is reused), victims created, paused,
unpaused and destroyed from the shell while their vcpus storm on other
CPUs. At the end nothing is lost (free frames and heap as before), the
audit reads zero, and every survivor made progress.
tests/boot/cases.py appends STRESS_CASES to its CASES.
"""

import hashlib
import re

from guest_cases import Dom, _modules, check, check_audit, check_pattern, check_report, \
    cmdline, domains_table, expect_poweroff, frames_and_heap, guest_text, make_iso_mods, \
    mem_frames, shell, wait_for
from harness import ELF, PROMPT_RE, Failure
from linux_cases import VMLINUX, hvm_cfg, linux_mods, mgmt_option

KEEP = Dom("keep", 4, image="pattern")
STRESS = "create name=%s,type=pvh,image=stress.elf,memory=8,vcpus=%d%s,cmdline=%s"


def _type(m, cmd, until):
    """shell(), typed again if the line arrived cut (the prompt came back
    without `until`): Bochs's 16-byte UART FIFO overflows when the CPU that
    reads it waits long for the big lock, which the storms keep busy."""
    for _ in range(3):
        at = len(m.output)
        m.send(cmd + "\r")
        hit = wait_for(m, r"(?:%s)|%s" % (until, PROMPT_RE), 60, at)
        if re.match(until, hit.group(0)):
            wait_for(m, PROMPT_RE, 30, hit.end())
            return m.output[at:]
    raise Failure("%r: typed 3 times, never answered with /%s/" % (cmd, until))


def _alive(m, k, start, timeout=60):
    """The k-th victim's next 'storming' line after start: its rounds."""
    e = wait_for(m, r"\(d4\) stress: v %d: 3 vcpus storming, (\d+) rounds\n" % k, timeout, start)
    return e, int(e[1])


def _victim(m, k, pause, rest):
    """Victim k (domain 4, 3 vcpus) maps a's grants and balloons on three
    CPUs; paused (its rounds stop), unpaused (they go on), destroyed while
    it storms."""
    at = len(m.output)
    _type(m, STRESS % ("v", 3, "", "v:2,%d%s" % (k, rest)),
          r"domain 4 \(v\): vcpus on CPU [\d,]+\n")
    e, _ = _alive(m, k, at)
    if pause:
        _type(m, "pause 4", r"domain 4 paused")
        before = max(int(n) for n in re.findall(r"\(d4\) stress: v %d: 3 vcpus storming, (\d+) "
                                                 r"rounds\n" % k, m.output[at:]))
        at_unpause = len(m.output)
        _type(m, "unpause 4", r"domain 4 (running|unpaused)")
        _, after = _alive(m, k, at_unpause)
        check(after > before, "victim %d: %d rounds before the pause, %d after" %
              (k, before, after))
    _type(m, "destroy 4", r"domain 4 \(v\) destroyed")
    fails = [l for l in guest_text(m.output[at:], 4) if l.startswith("FAIL")]
    check(not fails, "victim %d: %s" % (k, " | ".join(fails[:4])))


def _books(m):
    """(free frames + the heap's pages, heap bytes, heap allocations): the
    heap keeps the pages it grew by, its bytes and allocations come back."""
    free, nbytes, allocs = frames_and_heap(m)
    return (free + mem_frames(m).get("heap", 0), nbytes, allocs)


def smp_stress(lab, vmx=False, cycles=8):
    """QEMU SVM -smp 4: `keep` (pattern, 1 vcpu); from the shell `sa`
    (stress a, 4 vcpus, one per CPU) and `sb` (stress b, 2 vcpus, pinned
    to CPUs 2-3): 500 event round trips between sa's vcpu 0 (CPU 1) and
    sb's (CPU 2), each mapping and unmapping the other's 8 grants and
    ballooning 16 pages in a loop, sa verifying what it granted; `sa`
    paused and unpaused; 8 victims (3 vcpus on CPUs 0-2) created, mapping
    sa's grants and ballooning, paused, unpaused and destroyed while they
    storm; audit during the storms. Then sa and sb end with 0 failed, the
    free frames and heap equal those before sa was made, audit 0, `keep`
    still keeps its pattern."""
    mods = _modules([KEEP, Dom("stress", 8)])
    rest = " rest=100" if vmx else ""
    if vmx:
        iso = make_iso_mods(lab, mods, [cmdline([KEEP])])
        m = lab.bochs(iso, cpu="corei7_skylake_x", count=2, limit=600)
        m.boot(200)
    else:
        m = lab.qemu(["-kernel", ELF, "-append", cmdline([KEEP]), "-initrd", ",".join(mods)],
                     smp=4, limit=400)
        m.boot(40)
    wait_for(m, r"\(d1\) pattern ok", 60)
    before = _books(m)
    _type(m, STRESS % ("sa", 4, "", "a:3,4,%d%s" % (cycles, rest)),
          r"domain 2 \(sa\): vcpus on CPU")
    wait_for(m, r"\(d2\) stress: a: granted", 60)
    pin = "" if vmx else ",cpus=2-3"
    placed = _type(m, STRESS % ("sb", 2, pin, "b:2" + rest),
                   r"domain 3 \(sb\): vcpus on CPU [\d,]+\n")
    if not vmx:
        check(re.search(r"domain 2 \(sa\): vcpus on CPU 1,2,3,0\n", m.output) and
              "vcpus on CPU 2,3\n" in placed, "sa's vcpus should be on CPUs 1,2,3,0, sb's on "
              "2,3: %s" % re.findall(r"domain \d \(s.\): vcpus on CPU [\d,]+", m.output))
    _type(m, "pause 2", r"domain 2 paused")
    _type(m, "unpause 2", r"domain 2 (running|unpaused)")
    for k in range(1, cycles + 1):
        _victim(m, k, k <= 2, rest)
        if k == 2:
            check_audit(m, "grant and balloon storms on every CPU")
    expect_poweroff(m, 2, "sa", 300)
    expect_poweroff(m, 3, "sb", 120)
    for dom, name in ((2, "sa"), (3, "sb")):
        check_report(m.output, dom, "stress")
    wait_for(m, r"domain 3 \(sb\) destroyed", 30)
    check(list(domains_table(m)) == [1], "domains left: %s" % domains_table(m))
    after = _books(m)
    check(after == before, "free frames and heap pages, heap bytes, heap allocations %s after "
          "the stress; %s before it" % (after, before))
    check_audit(m, "the stress")
    check_pattern(m, 1, len(m.output))


def smp_stress_vmx(lab):
    """Bochs corei7_skylake_x with 2 processors: smp-stress with 2
    victims (VMCS moves, INVEPT on the CPU where the VMCS is)."""
    smp_stress(lab, vmx=True, cycles=2)




def _work_sums(n, size=8 << 20):
    """The md5 of the first `size` bytes of `yes eyrieI`, for I in 1..n."""
    sums = {}
    for i in range(1, n + 1):
        line = b"eyrie%d\n" % i
        sums[i] = hashlib.md5((line * (size // len(line) + 1))[:size]).hexdigest()
    return sums


def _check_work(lines, who, sums):
    """4 CPUs brought up and counted, and the 4 sums of the work."""
    got = dict((int(i), s) for l in lines for i, s in re.findall(r"^work (\d+) ([0-9a-f]{32})$", l))
    check(got == sums and "work-done 4" in lines and "cpu-count 4" in lines,
          "%s: cpu-count and work lines %s; sums %s, want %s"
          % (who, [l for l in lines if l.startswith(("cpu-count", "work"))], got, sums))


def linux_smp4(lab):
    """QEMU SVM -smp 4: the management domain autostarts two Linux guests
    of 4 vcpus each, one HVM (INIT and SIPI through the virtual local
    APIC) and one PVH (VCPUOP_up), their vcpus spread over the 4 CPUs,
    beside `keep` (pattern). Each brings up its 4 CPUs, counts them and
    runs 4 processes at once, each the md5 of 8 MiB (`yes | head -c |
    md5sum`): the sums are the host's; `keep` keeps its pattern."""
    sums = _work_sums(4)
    cfgs = {"lhvm.cfg": hvm_cfg(name="lhvm", vcpus=4, mib=128,
                                cmdline="console=ttyS0 eyrie.work=4"),
            "lpvh.cfg": 'name = "lpvh"\ntype = "pvh"\nmemory = 128\nvcpus = 4\n'
                        'kernel = "vmlinux"\nramdisk = "initrd.img"\n'
                        'cmdline = "console=hvc0 eyrie.work=4"\nautostart = 1\n'}
    mods = linux_mods(lab, cfgs, guests=("pattern",))
    mods.insert(1, VMLINUX)
    m = lab.qemu(["-kernel", ELF, "-append", " ".join([
        "loglevel=info", mgmt_option(112), KEEP.option()]), "-initrd", ",".join(mods)],
        mem=768, limit=400, smp=4)
    wait_for(m, r"\(d0\) mgmt: management console ready", 120)
    ids = {}
    for name in ("lhvm", "lpvh"):
        e = wait_for(m, r"domain (\d+) \(%s\): vcpus on CPU ([\d,]+)\n" % name, 120)
        check(sorted(e[2].split(",")) == ["0", "1", "2", "3"],
              "%s's vcpus should be on the 4 CPUs: %s" % (name, e[2]))
        ids[name] = int(e[1])
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)
    at = len(m.output)
    m.send("console lpvh\r")
    wait_for(m, r"\(d0\) \(attached to domain %d" % ids["lpvh"], 20, at)
    wait_for(m, r"\(d%d\) .*smp: Brought up 1 node, 4 CPUs" % ids["lhvm"], 300)
    wait_for(m, r"\(d0\) [^\n]*smp: Brought up 1 node, 4 CPUs", 300, at)
    expect_poweroff(m, ids["lhvm"], "lhvm", 300)
    _check_work(guest_text(m.output, ids["lhvm"]), "HVM Linux", sums)
    wait_for(m, r"\(d0\) EYRIE-LINUX-POWEROFF", 300, at)
    _check_work(guest_text(m.output[at:], 0), "PVH Linux", sums)
    check_pattern(m, 1, len(m.output))
    # Two vcpus touching a new 2 MiB region at once: the second's access
    # runs again, it is not dropped as a device access to nothing.
    lost = [a for a in re.findall(r"\((?:lhvm|lpvh)\): \w+ of guest-physical (0x[0-9a-f]+): "
                                  r"nothing there", m.output) if int(a, 16) < 128 << 20]
    check(not lost, "accesses to the guests' own RAM dropped as nothing there: %s" % lost[:4])


STRESS_CASES = [
    ("smp-stress", smp_stress, 60),
    ("smp-stress-vmx", smp_stress_vmx, 150),
    ("linux-smp4", linux_smp4, 150),
]
