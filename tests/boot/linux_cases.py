# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of an unmodified Linux kernel as an HVM guest on the virtual PC
platform (and as a PVH guest): Debian's linux-image-amd64 and a busybox
initramfs whose /init (tests/linux/init) prints what it sees and powers off
through ACPI. Both come from `make linux-guest` (build/linux/). As in Xen,
the hypervisor loads no bzImage: every HVM Linux guest here is built by the
management domain (domain 0) from an xl.cfg config among its boot modules
(type "hvm"), autostarted or typed with `create`. tests/boot/cases.py
appends LINUX_CASES to its CASES. See docs/hvm-guests.md.
"""

import hashlib
import os
import re
import subprocess
import time

import harness
from harness import CONF, ELF, PROMPT_RE
from guest_cases import (Dom, check, check_audit, ended, expect_poweroff, guest_text,
                         make_iso_mods, mem_frames, shell, wait_for, check_pattern, MIB_FRAMES,
                         _short)

LINUX_DIR = os.path.join(harness.BUILD, "linux")
VMLINUZ = os.path.join(LINUX_DIR, "vmlinuz")
INITRD = os.path.join(LINUX_DIR, "initrd.img")
VMLINUX = os.path.join(LINUX_DIR, "vmlinux")  # the uncompressed kernel: PVH boots it
LINUX_MIB = 160
MARKER = "EYRIE-LINUX-USERSPACE-OK"
MGMT = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
# The management domain of the HVM Linux tests: enough RAM for the boot
# modules it is given (vmlinuz and initrd.img, about 10 MiB).
MGMT_MIB = 24


def mgmt_option(mib=MGMT_MIB):
    return "domain=name=mgmt,type=pvh,image=mgmt.elf,memory=%d,privileged=1" % mib


def hvm_cfg(name="linux", cmdline="console=ttyS0", mib=LINUX_MIB, vcpus=1, xen=False,
            autostart=True, kernel="vmlinuz", extra=""):
    """An xl.cfg for the management domain: Debian's bzImage with the
    initramfs as an HVM guest (type "hvm"). xen: Xen's platform PCI device
    and ABI (Xen's PVHVM, xl's default); without it a plain HVM guest on the
    virtual PC platform alone."""
    return ('name = "%s"\ntype = "hvm"\nmemory = %d\nvcpus = %d\nkernel = "%s"\n'
            'ramdisk = "initrd.img"\ncmdline = "%s"\nxen_platform_pci = %d\nautostart = %d\n%s'
            % (name, mib, vcpus, kernel, cmdline, int(xen), int(autostart), extra))


def linux_mods(lab, cfgs, guests=()):
    """The boot modules of an HVM Linux test: the management domain,
    vmlinuz, initrd.img, the test guests, the xl.cfg configs (cfgs:
    {file name: text}, written now) and the hypervisor's config."""
    paths = []
    for fname, text in cfgs.items():
        paths.append(lab.tmp(fname))
        with open(paths[-1], "w") as f:
            f.write(text)
    mods = [MGMT, VMLINUZ, INITRD] + [os.path.join(harness.BUILD, "guests", g + ".elf")
                                      for g in guests] + paths + [CONF]
    lab.need(ELF, *mods)
    return mods


def qemu_linux(lab, options, cfgs, guests=(), limit=240, mgmt_mib=MGMT_MIB, smp=1):
    """QEMU -kernel: the management domain (domain 0, first) and the
    domain= options, with linux_mods() as multiboot modules."""
    mods = linux_mods(lab, cfgs, guests)
    return lab.qemu(["-kernel", ELF, "-append",
                     " ".join(["loglevel=info", mgmt_option(mgmt_mib)] + options),
                     "-initrd", ",".join(mods)], mem=512, limit=limit, smp=smp)


def bochs_linux(lab, cfgs, limit=1500):
    """Bochs corei7_skylake_x (VMX + EPT) booting an ISO whose GRUB loads
    the hypervisor with the management domain and linux_mods()."""
    iso = make_iso_mods(lab, linux_mods(lab, cfgs), ["loglevel=info", mgmt_option()])
    m = lab.bochs(iso, cpu="corei7_skylake_x", megs=320, limit=limit)
    m.boot(300)  # GRUB loads the kernel and initramfs from a CD: slow under Bochs
    return m


def check_userspace(m, dom, timeout, typed=False, model="AMD EPYC-Rome", stop=None, cpus=1,
                    start=0):
    """Waits for the marker, then checks what /init printed: timer
    interrupts that increase, the date, the CPU, and the poweroff. typed:
    the guest was booted with eyrie.shell=1; a command typed with `input`
    runs in its shell, and `input DOM poweroff -f` ends it. stop: instead,
    a function that makes the guest (booted with eyrie.shell=1) power off.
    cpus: the vcpus Linux must have brought up. start: where in the output
    this incarnation of domain `dom` starts (ids are reused)."""
    wait_for(m, r"\(d%d\) %s" % (dom, MARKER), timeout, start)
    host_now = time.time()
    if typed:
        wait_for(m, r"\(d%d\) EYRIE-LINUX-SHELL" % dom, 60, start)
        # The prompt comes back before the guest answers: no shell() here.
        at = len(m.output)
        m.send("input %d echo typed-$((6*7))\r" % dom)
        wait_for(m, r"\(d%d\) typed-42" % dom, 30, at)
        m.send("input %d poweroff -f\r" % dom)
    elif stop:
        wait_for(m, r"\(d%d\) EYRIE-LINUX-SHELL" % dom, 60, start)
        stop()
    expect_poweroff(m, dom, "linux", 120, start)
    lines = guest_text(m.output[start:], dom)
    # The local APIC timer, or (Xen's PVHVM) vcpu 0's Xen timer event.
    loc = [int(x) for l in lines for x in re.findall(r"^irq:\s+LOC:\s+(\d+)", l)]
    if not any(loc):
        loc = [int(x) for l in lines for x in re.findall(r"^irq:\s+\d+:\s+(\d+)\s.*\stimer0$", l)]
    check(len(loc) == 2 and loc[1] > loc[0],
          "timer interrupts did not increase over 1 s: %s" % loc)
    # The emulator's RTC starts at the host's time; an emulated clock may
    # fall behind the host's (Bochs on a loaded machine), never run ahead.
    date = [int(x) for l in lines for x in re.findall(r"^date-epoch (\d+)", l)]
    booted = host_now - m.elapsed()
    check(date and booted - 60 <= date[0] <= host_now + 60,
          "the guest's date is %s, the emulator started at %d, the host's now %d"
          % (date, booted, host_now))
    cpu = [l for l in lines if l.startswith(("cpu-hypervisor", "cpu-count", "cpuinfo"))]
    check("cpu-hypervisor yes" in cpu and "cpu-count %d" % cpus in cpu
          and any(l.startswith("cpuinfo ") and model in l for l in cpu),
          "/proc/cpuinfo: %s (expected model %r, the hypervisor flag, %d CPU(s))"
          % (cpu, model, cpus))
    check(any(l.startswith("clocksource ") for l in lines), "no clocksource line")
    return lines


def linux_qemu(lab):
    """QEMU SVM: the management domain builds Linux (`create linux` typed at
    its console) and it boots to userspace beside `pattern`; timer ticks,
    the date is the host's, ACPI poweroff ends the domain and frees its
    memory (the hypervisor's frames are as before the create); `console`
    shows its log; a command typed with `input` runs in its shell (the
    UART's receive path) and `poweroff -f` typed so ends it; `pattern` is
    unharmed. An autostarted config whose kernel is not a kernel is refused
    by the management domain with the reason, and the hypervisor refuses a
    domain= option of the old type=linux, saying where to go instead."""
    old = "domain=name=old,type=linux,image=vmlinuz,initrd=initrd.img,memory=16"
    cfgs = {"linux.cfg": hvm_cfg(cmdline="console=ttyS0 eyrie.shell=1", autostart=False),
            "bad.cfg": hvm_cfg("bad", kernel="initrd.img", mib=16)}
    m = qemu_linux(lab, ["domain=name=pattern,image=pattern.elf,memory=4", old], cfgs,
                   guests=["pattern"])
    wait_for(m, r"\(d0\) mgmt: management console ready", 90)
    out = m.output
    check(re.search(r"\[error\] domain config 'name=old,type=linux,[^']*': type=linux: build "
                    r"HVM Linux guests from the management domain \(xl.cfg type=\"hvm\"\)", out),
          "the hypervisor did not refuse domain=...,type=linux with where to go instead")
    check(re.search(r"\(d0\) error: domain bad: initrd.img: boot_flag at 0x1fe is "
                    r"0x[0-9a-f]{4}, not 0xaa55: not a Linux kernel", out),
          "the non-kernel image was not refused with its reason")
    m.boot(30)
    frames0 = mem_frames(m)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)
    at = len(m.output)
    m.send("create linux\r")
    wait_for(m, r"\(d0\) domain 2 \(linux\) created", 60, at)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10, at)
    lines = check_userspace(m, 2, 200, typed=True, start=at)
    out = m.output
    check(any("Linux version" in l for l in lines), "no 'Linux version' line from d2")
    check_pattern(m, 1, len(out), more=2, timeout=30)
    wait_for(m, r"domain 2 \(linux\) destroyed", 10)
    frames = mem_frames(m)
    check(frames.get("guest") == frames0.get("guest"),
          "after linux powered off: %s guest frames, before its create %s"
          % (frames.get("guest"), frames0.get("guest")))
    text = shell(m, "console 1 3", r"pattern ok \d+")
    check("pattern ok" in text, "console 1: %r" % _short(text))


def linux_qemu_panic(lab):
    """QEMU SVM: a Linux guest (autostarted by the management domain) that
    panics (sysrq crash, panic=-1 resets the machine) ends its own domain,
    which on_reboot="destroy" destroys; `pattern` beside it keeps running."""
    cfgs = {"linux.cfg": hvm_cfg(cmdline="console=ttyS0 eyrie.panic=1 panic=-1",
                                 extra='on_reboot = "destroy"\n')}
    m = qemu_linux(lab, ["domain=name=pattern,image=pattern.elf,memory=4"], cfgs,
                   guests=["pattern"])
    wait_for(m, r"\(d2\) EYRIE-LINUX-PANIC-NOW", 200)
    e = wait_for(m, ended(2, "linux"), 60)
    check(re.search(r"\(d2\) .*Kernel panic", m.output), "no 'Kernel panic' line from d2")
    check(e[1] == "shut down" and e[2].strip() == "reboot",
          "the panicking guest's domain: %s: %s" % (e[1], e[2]))
    wait_for(m, r"\(d0\) mgmt: domain 2 \(linux\) rebooted: destroy", 30, e.end())
    check_pattern(m, 1, e.end(), more=2, timeout=30)


def linux_qemu_nmi(lab):
    """QEMU SVM: the shell's `nmi 1` reaches a Linux HVM guest booted with
    unknown_nmi_panic and panic=-1 (waiting in its shell): Linux reports
    the unknown NMI and panics; the reset ends the domain, which
    on_reboot="destroy" destroys."""
    cfgs = {"linux.cfg": hvm_cfg(cmdline="console=ttyS0 eyrie.shell=1 unknown_nmi_panic panic=-1",
                                 extra='on_reboot = "destroy"\n')}
    m = qemu_linux(lab, [], cfgs)
    at = wait_for(m, r"\(d1\) EYRIE-LINUX-SHELL", 200).end()
    shell(m, "nmi 1", r"domain 1 vcpu 0: NMI sent")
    wait_for(m, r"\(d1\) .*NMI received for unknown reason", 60, at)
    wait_for(m, r"\(d1\) .*Kernel panic - not syncing: NMI", 60, at)
    e = wait_for(m, ended(1, "linux"), 60, at)
    check(e[1] == "shut down" and e[2].strip() == "reboot",
          "the domain after its NMI panic: %s: %s" % (e[1], e[2]))


def linux_from_mgmt(lab):
    """QEMU SVM: the management domain (domain 0) builds the Linux guest
    itself from an xl.cfg config and the kernel and initrd among its boot
    modules (type hvm, 2 vcpus, given COM2's ports and IRQ 3), typed
    `create linux` at its console; while Linux prints its boot, Ctrl-A x3
    and commands typed reach the hypervisor shell and back; at
    the management console `console linux` attaches to it: a command typed
    there runs in its shell (its output shown once, not also echoed by
    the hypervisor) (also 300 bytes sent by Linux's 8250 driver
    through the real COM2, with its interrupts), Ctrl-] detaches; `reboot -f` typed after
    re-attaching restarts it (xl's default on_reboot=restart) as domain 1
    again (the lowest free id), which reaches userspace again and is
    powered off the same way."""
    mgmt = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
    cfg = lab.tmp("linux.cfg")
    with open(cfg, "w") as f:
        f.write('name = "linux"\ntype = "hvm"\nmemory = %d\nkernel = "vmlinuz"\n'
                'ramdisk = "initrd.img"\ncmdline = "console=ttyS0 eyrie.shell=1"\n'
                'vcpus = 2\nioports = [ "2f8-2ff" ]\nirqs = [ 3 ]\n' % LINUX_MIB)
    mods = [mgmt, VMLINUZ, INITRD, cfg, CONF]
    lab.need(ELF, *mods)
    com2 = lab.tmp("com2.txt")
    m = lab.qemu(["-kernel", ELF, "-append",
                  "loglevel=info domain=name=mgmt,type=pvh,image=mgmt.elf,memory=24,privileged=1",
                  "-initrd", ",".join(mods), "-chardev", "file,id=com2,path=" + com2,
                  "-device", "isa-serial,iobase=0x2f8,irq=3,chardev=com2"], mem=512, limit=300)
    wait_for(m, r"\(d0\) mgmt: management console ready", 60)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)
    m.send("create linux\r")
    wait_for(m, r"\(d0\) domain 1 \(linux\) created", 60)
    # Typed while Linux prints its boot: every key arrives, Ctrl-A x3 too.
    wait_for(m, r"\(d1\) \[\s+[0-9.]+\] ", 60)
    m.send("\x01\x01\x01")
    at = len(m.output)
    wait_for(m, r"\(input to the hypervisor shell\)", 10, at)
    m.send("domains\r")
    wait_for(m, r"^\s+1 linux\s+running", 20, at)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10, at)
    m.send("list\r")
    wait_for(m, r"\(d0\)\s+1 linux\s+hvm\s+running", 20, at)
    wait_for(m, r"\(d1\) EYRIE-LINUX-SHELL", 200)
    at = len(m.output)
    m.send("console linux\r")
    wait_for(m, r"\(d0\) \(attached to domain 1; Ctrl-\] detaches\)", 20, at)
    m.send("echo hi-$((2+3))\r")
    wait_for(m, r"\(d0\) hi-5", 30, at)
    # Shown once: by the management console, not echoed by the hypervisor too.
    check(not re.search(r"\(d1\) hi-5", m.output[at:]),
          "the attached console's line was printed twice (the hypervisor echoed it)")
    # COM2, passed through (its ports and IRQ 3): Linux's 8250 driver sends
    # 300 bytes, more than its FIFO holds, so it needs the interrupts.
    at = len(m.output)
    m.send("exec 3>/dev/ttyS1; head -c 300 /dev/zero | tr '\\0' x >&3; "
           "grep ttyS1 /proc/interrupts; exec 3>&-; echo com2-$((40+2))\r")
    irqs = wait_for(m, r"\(d0\)\s+3:\s+(\d+)\s[^\n]*ttyS1", 60, at)
    wait_for(m, r"\(d0\) com2-42", 30, at)
    check(int(irqs[1]) > 0, "no COM2 interrupt reached Linux")
    with open(com2, errors="replace") as f:
        sent = f.read()
    check(sent.count("x") >= 300, "COM2's file holds %d of the 300 bytes" % sent.count("x"))
    m.send("\x1d")
    wait_for(m, r"\(d0\) \(detached from domain 1\)", 20, at)
    at = len(m.output)
    m.send("console 1\r")
    wait_for(m, r"\(d0\) \(attached to domain 1", 20, at)
    m.send("reboot -f\r")
    wait_for(m, r"domain 1 \(linux\) shut down: reboot", 60, at)
    wait_for(m, r"\(d0\) mgmt: domain 1 \(linux\) rebooted: restart", 10, at)
    again = wait_for(m, r"\(d0\) mgmt: domain linux restarted as domain 1", 30, at)
    wait_for(m, r"\(d0\) \(domain 1 is gone\)", 30, at)
    check_userspace(m, 1, 200, cpus=2, start=again.end(),
                    stop=lambda: (m.send("console 1\r"),
                                  wait_for(m, r"\(d0\) \(attached to domain 1", 20,
                                           len(m.output) - 300),
                                  m.send("poweroff -f\r")))


def linux_pvh_from_mgmt(lab):
    """QEMU SVM: the management domain builds Debian's uncompressed kernel
    (vmlinux, its PHYS32_ENTRY note) as a PVH guest with 2 vcpus, typed
    `create lpvh` at its console. Linux finds Xen (its CPUID leaves, the
    hypercall page, the callback vector, the xen clocksource, grant
    tables) and writes its console to hvc0: Linux's own hvc_xen driver on
    the console ring that domain 0 serves, and connects to the store.
    `console lpvh` shows its boot, a command typed there runs in its
    shell; `mem-set lpvh` lowers its balloon target and Linux gives the
    memory back; Ctrl-] and `shutdown lpvh` ask it through control/shutdown,
    as xl does: Linux powers itself off in order (its /sbin/poweroff)
    and on_poweroff destroys it."""
    mgmt = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
    cfg = lab.tmp("lpvh.cfg")
    with open(cfg, "w") as f:
        f.write('name = "lpvh"\ntype = "pvh"\nmemory = %d\nvcpus = 2\nkernel = "vmlinux"\n'
                'ramdisk = "initrd.img"\ncmdline = "console=hvc0 eyrie.shell=1"\n' % LINUX_MIB)
    mods = [mgmt, VMLINUX, INITRD, cfg, CONF]
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append",
                  "loglevel=info domain=name=mgmt,type=pvh,image=mgmt.elf,memory=96,privileged=1",
                  "-initrd", ",".join(mods)], mem=768, limit=300)
    wait_for(m, r"\(d0\) mgmt: management console ready", 90)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)
    m.send("create lpvh\r")
    d = wait_for(m, r"\(d0\) domain (\d+) \(lpvh\) created", 60)
    at = len(m.output)
    m.send("console lpvh\r")
    wait_for(m, r"\(d0\) \(attached to domain %s" % d[1], 20, at)
    wait_for(m, r"\(d0\) [^\n]*Booting kernel on Xen PVH", 120, at)
    wait_for(m, r"\(d0\) [^\n]*Grant table initialized", 120, at)
    wait_for(m, r"\(d0\) EYRIE-LINUX-USERSPACE-OK", 200, at)
    wait_for(m, r"\(d0\) cpu-count 2", 60, at)
    wait_for(m, r"\(d0\) clocksource xen", 60, at)
    wait_for(m, r"\(d0\) EYRIE-LINUX-SHELL", 60, at)
    at = len(m.output)
    m.send("echo pvh-$((6*7))\r")
    wait_for(m, r"\(d0\) pvh-42", 30, at)
    m.send("\x1d")
    wait_for(m, r"\(d0\) \(detached from domain %s\)" % d[1], 20, at)
    # Its balloon driver follows memory/target down: the hypervisor frees
    # the pages (list shows what the domain holds).
    m.send("mem-set lpvh %d\r" % (LINUX_MIB - 32))
    wait_for(m, r"\(d0\) domain %s: memory target %d KiB" % (d[1], (LINUX_MIB - 32) << 10), 20, at)
    deadline, held = time.monotonic() + harness.scaled(60), None
    while time.monotonic() < deadline:
        mark = len(m.output)
        m.send("list\r")
        row = wait_for(m, r"\(d0\)\s+%s lpvh\s+pvh\s+\w+\s+(\d+) MiB" % d[1], 20, mark)
        held = int(row[1])
        if held <= LINUX_MIB - 32:
            break
        time.sleep(2)
    check(held is not None and held <= LINUX_MIB - 32,
          "after mem-set %d the domain still holds %s MiB" % (LINUX_MIB - 32, held))
    m.send("shutdown lpvh\r")
    wait_for(m, r"\(d0\) mgmt: domain %s \(lpvh\): asked to poweroff \(control/shutdown\)" % d[1],
             20, at)
    wait_for(m, r"\(d0\) mgmt: domain %s \(lpvh\) powered off: destroy" % d[1], 60, at)
    check("did not stop within" not in m.output[at:], "Linux did not act on control/shutdown")
    m.send("xenstore-ls /local/domain/%s\r" % d[1])
    wait_for(m, r"\(d0\) error: /local/domain/%s: ENOENT" % d[1], 20, at)
    check("VDSO_CLOCKMODE_PVCLOCK not supported" not in m.output,
          "Linux could not register the vDSO's pvclock page")


def make_ext4(lab, name, files, size="16M"):
    """An ext4 image built now with mke2fs -d from a folder holding files
    ({name: text}); its path (a boot module named `name`)."""
    root = lab.tmp(name + ".root")
    os.makedirs(root, exist_ok=True)
    for fname, text in files.items():
        with open(os.path.join(root, fname), "w") as f:
            f.write(text)
    img = lab.tmp(name)
    if os.path.exists(img):
        os.remove(img)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", root, img, size], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return img


def linux_pvh_disk(lab):
    """QEMU SVM: Debian's kernel as a PVH guest built by the management
    domain with a disk (disk = [ 'format=raw, vdev=xvda, access=rw,
    target=disk.img' ]): an ext4 image made now with mke2fs -d, served from
    mgmt's memory by its block backend. Linux's own xen-blkfront (a ring
    of 4 pages: max_ring_page_order=2) connects; /init reads the whole
    disk (dd: the speed is reported), mounts it, prints the md5 of
    hello.txt (compared with the host's), writes guest.txt, syncs and
    unmounts. A second image is hot-plugged read-only with block-attach
    while the guest runs (its xenbus sees /dev/xvdb, the guest reads a
    file on it) and unplugged with block-detach (the frontend closes, the
    device goes). xvda's driver is unbound through sysfs (both ends go
    Closed; Linux's blkfront stays Closed when bound again), then xvda is
    unplugged and plugged again: it connects and guest.txt reads back as
    written. `reboot -f` restarts the domain (on_reboot = restart):
    the disk reconnects and the new boot reads back what the first wrote.
    After `poweroff -f` destroys it, no backend node is left in the store,
    no grant mapping in the hypervisor (audit: 0 foreign pages), and no
    guest frame but domain 0's."""
    mgmt = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
    hello = "hello from the host at %d\n" % int(time.time())
    img = make_ext4(lab, "disk.img", {"hello.txt": hello})
    extra = make_ext4(lab, "extra.img", {"extra.txt": "plugged in later\n"}, size="4M")
    cfg = lab.tmp("ldisk.cfg")
    with open(cfg, "w") as f:
        f.write('name = "ldisk"\ntype = "pvh"\nmemory = %d\nkernel = "vmlinux"\n'
                'ramdisk = "initrd.img"\n'
                'cmdline = "console=hvc0 eyrie.disk=1 eyrie.shell=1 eyrie.ring_order=2"\n'
                "disk = [ 'format=raw, vdev=xvda, access=rw, target=disk.img' ]\n"
                'on_reboot = "restart"\n' % LINUX_MIB)
    mods = [mgmt, VMLINUX, INITRD, img, extra, cfg, CONF]
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append",
                  "loglevel=info domain=name=mgmt,type=pvh,image=mgmt.elf,memory=112,privileged=1",
                  "-initrd", ",".join(mods)], mem=768, limit=300)
    wait_for(m, r"\(d0\) mgmt: management console ready", 90)
    m.boot(30)
    guests0 = mem_frames(m).get("guest")
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)

    def console(cmd, until, timeout=30):
        at = len(m.output)
        m.send(cmd + "\r")
        return wait_for(m, until, timeout, at)

    d = console("create ldisk", r"\(d0\) domain (\d+) \(ldisk\) created", 60)[1]
    console("console ldisk", r"\(d0\) \(attached to domain %s" % d)
    at = len(m.output)
    want = hashlib.md5(hello.encode()).hexdigest()
    got = wait_for(m, r"\(d0\) disk-read (\S+)\s", 120, at)
    check(got[1] == want, "the guest read hello.txt as md5 %s, the host wrote %s" % (got[1], want))
    sectors = wait_for(m, r"\(d0\) disk-sectors (\d*)\n", 10, at)
    check(sectors[1] == str(16 << 11), "/sys/block/xvda/size: %r, not 32768" % sectors[1])
    dd = wait_for(m, r"\(d0\) disk-dd ([^\n]*)\n", 10, at)
    check(re.match(r"16\+0 MiB in \d+ ms", dd[1]), "dd of /dev/xvda: %r" % dd[1])
    prev = wait_for(m, r"\(d0\) disk-previous ([^\n]*)\n", 10, at)
    check(prev[1] == "none", "guest.txt before the guest wrote it: %r" % prev[1])
    wrote = wait_for(m, r"\(d0\) disk-wrote (\S+)\s", 30, at)
    wait_for(m, r"\(d0\) disk-unmounted", 30, at)
    wait_for(m, r"\(d0\) EYRIE-LINUX-SHELL", 30, at)
    check(not re.search(r"\(d0\) disk-(insmod|mount)-failed", m.output[at:]),
          "the guest could not load its modules or mount the disk")
    check(re.search(r"blkfront: xvda: flush diskcache: enabled;.*indirect descriptors: enabled",
                    m.output[at:]) and "flush op failed" not in m.output[at:],
          "blkfront did not take the flush and indirect features: %s"
          % _short("\n".join(l for l in m.output[at:].split("\n") if "blkfront" in l), 600))
    # Hot-plug: a second disk, read-only, while the guest runs.
    m.send("\x1d")
    wait_for(m, r"\(d0\) \(detached from domain %s\)" % d, 20, at)
    console("block-attach ldisk vdev=xvdb, access=ro, target=extra.img",
            r"\(d0\) domain %s: disk attached" % d)
    bl = console("block-list ldisk", r"\(d0\) grant copies: (\d+) in (\d+) hypercalls")
    out = m.output[bl.start() - 2000:bl.end()]
    check(re.search(r"\(d0\)\s+%s xvda\s+51712 disk.img\s+rw Connected\s+Connected\s+4 pages, "
                    r"x86_64" % d, out), "block-list: xvda is not connected with a 4-page ring: %s"
          % _short(out, 800))
    console("console ldisk", r"\(d0\) \(attached to domain %s" % d)
    at = len(m.output)
    m.send("for i in $(seq 1 600); do [ -b /dev/xvdb ] && break; sleep 0.1; done; "
           "mount -o ro /dev/xvdb /mnt && cat /mnt/extra.txt && umount /mnt; echo hp-$((40+2))\r")
    wait_for(m, r"\(d0\) hp-42", 60, at)
    check(re.search(r"\(d0\) plugged in later", m.output[at:]),
          "the hot-plugged disk's file was not read: %s" % _short(m.output[at:], 600))
    m.send("\x1d")
    wait_for(m, r"\(d0\) \(detached from domain %s\)" % d, 20, at)
    console("block-detach ldisk xvdb", r"\(d0\) mgmt: domain %s: vbd xvdb detached" % d)
    console("console ldisk", r"\(d0\) \(attached to domain %s" % d)
    at = len(m.output)
    m.send("for i in $(seq 1 600); do [ -b /dev/xvdb ] || break; sleep 0.1; done; "
           "[ -b /dev/xvdb ] || echo xvdb-$((6*7))-gone\r")
    wait_for(m, r"\(d0\) xvdb-42-gone", 30, at)
    # The driver unbound from xvda (rmmod is refused while it has a
    # device): both ends go Closed, and Linux's blkfront, bound again, stays
    # Closed (it starts over only from Initialising); unplugged and plugged
    # again, it connects and reads what it wrote.
    m.send("echo vbd-51712 > /sys/bus/xen/drivers/vbd/unbind; echo unbound-$((1+1))\r")
    wait_for(m, r"\(d0\) unbound-2", 30, at)
    m.send("\x1d")
    wait_for(m, r"\(d0\) \(detached from domain %s\)" % d, 20, at)
    bl = console("block-list ldisk", r"\(d0\) grant copies: ")
    check(re.search(r"\(d0\)\s+%s xvda\s+51712 disk.img\s+rw Closed\s+Closed" % d,
                    m.output[bl.start() - 1000:]), "xvda after the driver was unbound: %s"
          % _short(m.output[bl.start() - 1000:], 600))
    console("block-detach ldisk xvda", r"\(d0\) mgmt: domain %s: vbd xvda detached" % d)
    console("block-attach ldisk format=raw, vdev=xvda, access=rw, target=disk.img",
            r"\(d0\) domain %s: disk attached" % d)
    console("console ldisk", r"\(d0\) \(attached to domain %s" % d)
    at = len(m.output)
    m.send("for i in $(seq 1 600); do [ -b /dev/xvda ] && break; sleep 0.1; done; "
           "mount /dev/xvda /mnt && md5sum /mnt/guest.txt && umount /mnt; echo re-$((40+2))\r")
    wait_for(m, r"\(d0\) re-42", 60, at)
    check(re.search(r"\(d0\) %s  /mnt/guest.txt" % wrote[1], m.output[at:]),
          "xvda plugged again: guest.txt is not what the guest wrote: %s"
          % _short(m.output[at:], 600))
    # A reboot: the domain is built again and its disk reconnects.
    m.send("reboot -f\r")
    wait_for(m, r"\(d0\) mgmt: domain %s \(ldisk\) rebooted: restart" % d, 60, at)
    d2 = wait_for(m, r"\(d0\) mgmt: domain ldisk restarted as domain (\d+)\D", 60, at)[1]
    wait_for(m, r"\(d0\) \(domain %s is gone\)" % d, 30, at)
    console("console ldisk", r"\(d0\) \(attached to domain %s" % d2)
    at = len(m.output)
    prev = wait_for(m, r"\(d0\) disk-previous ([^\n]*)\n", 120, at)
    check(prev[1].startswith("written by the guest at "),
          "after the reboot guest.txt holds %r, not what the first boot wrote" % prev[1])
    got = wait_for(m, r"\(d0\) disk-read (\S+)\s", 10, at)
    check(got[1] == want, "after the reboot hello.txt's md5 is %s" % got[1])
    wait_for(m, r"\(d0\) EYRIE-LINUX-SHELL", 60, at)
    m.send("poweroff -f\r")
    wait_for(m, r"\(d0\) mgmt: domain %s \(ldisk\) powered off: destroy" % d2, 60, at)
    wait_for(m, r"\(d0\) \(domain %s is gone\)" % d2, 30, at)
    console("xenstore-ls /local/domain/0", r"\(d0\) mgmt> ")
    time.sleep(1)
    check(not re.search(r"\(d0\)\s+backend", m.output[-3000:]),
          "backend nodes are left in the store: %s" % _short(m.output[-1500:], 600))
    console("block-list", r"\(d0\) no disks")
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    hit = check_audit(m, "a PVH guest with a disk, rebooted and destroyed")
    check(hit[3] == "0", "the hypervisor still counts %s foreign (grant-mapped) pages" % hit[3])
    # Only domain 0's own frames are left, less the pages it mapped rings
    # over (a grant mapping gives the RAM page under it back, and its unmap
    # leaves a hole, as in Xen): the console and store pages and the
    # 4-page rings of xvda and xvdb (the restarted domain's xvda used the
    # same pages again).
    guests1 = mem_frames(m).get("guest")
    check(guests1 == guests0 - 10, "guest frames after the destroy: %s, before the create: %s "
          "(10 pages of domain 0 are holes now)" % (guests1, guests0))


def linux_bochs_vmx(lab):
    """Bochs corei7_skylake_x (VMX + EPT): Linux with 2 vcpus (the second
    started by INIT and SIPI through the virtual local APIC), built by the
    management domain (autostart), to userspace, where it counts 2 CPUs."""
    m = bochs_linux(lab, {"linux.cfg": hvm_cfg(vcpus=2)})
    wait_for(m, r"\(d1\) .*tsc: Detected", 600)
    wait_for(m, r"\(d1\) .*smp: Brought up 1 node, 2 CPUs", 600)
    check_userspace(m, 1, 1200, model="Intel(R) Core(TM) i7-7800X", cpus=2)


def linux_smp(lab):
    """Host SMP (QEMU -smp 3): the management domain on CPU 0 builds Linux
    with 2 vcpus and `cpus = "0,2"` in its xl.cfg (plain HVM: the second
    vcpu started by INIT and SIPI through the virtual local APIC, IPIs
    through it); pinned so, its vcpus go to CPUs 2 and 0 (unpinned they
    would take the idle CPUs 1 and 2); Linux brings both up across the two
    physical CPUs, reaches userspace and counts 2 CPUs, the date, ticks
    and poweroff as in linux-qemu."""
    m = qemu_linux(lab, [], {"linux.cfg": hvm_cfg(vcpus=2, extra='cpus = "0,2"\n')}, smp=3)
    e = wait_for(m, r"domain 1 \(linux\): vcpus on CPU ([\d,]+)\n", 120)
    check(e[1] == "2,0", "linux's vcpus are on CPUs %s, not 2,0 as cpus = \"0,2\" wants" % e[1])
    wait_for(m, r"\(d1\) .*smp: Brought up 1 node, 2 CPUs", 300)
    check_userspace(m, 1, 300, cpus=2)


def linux_pvhvm(lab, bochs=False):
    """Linux as an HVM guest with Xen's ABI (xen_platform_pci = 1: Xen's
    PVHVM) and 2 vcpus: it finds Xen HVM (Xen's CPUID leaves, the hypercall page), takes
    events on the callback vector, uses Xen's clocksource and timers, IPIs
    over event channels, finds Xen's platform PCI device on the ACPI PCI
    root and binds xen-platform-pci to it (the unplug ports answer, its
    grant table frames go in the device's memory BAR), and reaches
    userspace with 2 CPUs. The management domain builds it (autostart,
    xen_platform_pci = 1, so it also gets a store; nothing here uses it)."""
    cfgs = {"linux.cfg": hvm_cfg(vcpus=2, xen=True)}
    m = bochs_linux(lab, cfgs) if bochs else qemu_linux(lab, [], cfgs)
    wait_for(m, r"\(d1\) .*Booting paravirtualized kernel on Xen HVM", 600)
    wait_for(m, r"\(d1\) .*Xen HVM callback vector for event delivery is enabled", 300)
    wait_for(m, r"\(d1\) .*pci 0000:00:02.0: \[5853:0001\]", 300)
    wait_for(m, r"\(d1\) .*Grant table initialized", 300)
    lines = check_userspace(m, 1, 1200, cpus=2,
                            model="Intel(R) Core(TM) i7-7800X" if bochs else "AMD EPYC-Rome")
    check("clocksource xen" in lines, "PVHVM Linux uses %s"
          % [l for l in lines if l.startswith("clocksource")])
    out = m.output
    check(re.search(r"\(d1\) .*xen-platform-pci 0000:00:02.0", out) and
          not re.search(r"Xen Platform PCI: unrecognised magic", out),
          "xen-platform-pci did not bind (or the unplug ports did not answer)")


def linux_pvhvm_vmx(lab):
    """Bochs corei7_skylake_x (VMX + EPT): linux-pvhvm on Intel's path."""
    linux_pvhvm(lab, bochs=True)


def linux_pvhvm_disk(lab):
    """QEMU SVM: Debian's kernel as an HVM guest built by the management
    domain (type hvm: Xen's platform PCI device by default, as xl) with a
    disk served by the block backend: Linux boots as Xen HVM, binds
    xen-platform-pci, connects to the store and its xen-blkfront to the
    disk, mounts it, reads hello.txt (md5 compared with the host's),
    writes guest.txt and powers off; the domain is destroyed and nothing
    is left (audit: 0 foreign pages)."""
    mgmt = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
    hello = "hello to an HVM guest at %d\n" % int(time.time())
    img = make_ext4(lab, "disk.img", {"hello.txt": hello})
    cfg = lab.tmp("hdisk.cfg")
    with open(cfg, "w") as f:
        f.write('name = "hdisk"\ntype = "hvm"\nmemory = %d\nvcpus = 2\nkernel = "vmlinuz"\n'
                'ramdisk = "initrd.img"\ncmdline = "console=ttyS0 eyrie.disk=1"\n'
                "disk = [ 'format=raw, vdev=xvda, access=rw, target=disk.img' ]\n" % LINUX_MIB)
    mods = [mgmt, VMLINUZ, INITRD, img, cfg, CONF]
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append",
                  "loglevel=info domain=name=mgmt,type=pvh,image=mgmt.elf,memory=64,privileged=1",
                  "-initrd", ",".join(mods)], mem=768, limit=300)
    wait_for(m, r"\(d0\) mgmt: management console ready", 90)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)
    at = len(m.output)
    m.send("create hdisk\r")
    d = int(wait_for(m, r"\(d0\) domain (\d+) \(hdisk\) created", 60, at)[1])
    wait_for(m, r"\(d%d\) .*Booting paravirtualized kernel on Xen HVM" % d, 120, at)
    wait_for(m, r"\(d%d\) .*xen-platform-pci 0000:00:02.0" % d, 120, at)
    got = wait_for(m, r"\(d%d\) disk-read (\S+)\s" % d, 200, at)
    want = hashlib.md5(hello.encode()).hexdigest()
    check(got[1] == want, "the HVM guest read hello.txt as md5 %s, the host wrote %s"
          % (got[1], want))
    wait_for(m, r"\(d%d\) disk-wrote \S+" % d, 60, at)
    wait_for(m, r"\(d%d\) disk-unmounted" % d, 60, at)
    wait_for(m, r"\(d0\) mgmt: domain %d \(hdisk\) powered off: destroy" % d, 120, at)
    m.send("xenstore-ls /local/domain/0/backend\r")
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10, at)
    hit = check_audit(m, "a PVHVM guest with a disk")
    check(hit[3] == "0", "%s foreign pages left after the guest was destroyed" % hit[3])


def linux_demo(lab):
    """QEMU SVM, the configuration `make run` boots (tools/run.py's
    management domain and linux.cfg, through QEMU -kernel): the management
    domain autostarts the Linux guest, an HVM guest with Xen's PV drivers
    whose root file system is /dev/xvda (build/linux/rootfs.img, served by
    the block backend): its initramfs switches to it, and a command typed
    with `input` runs there. Its vif on xenbr0 got a lease from QEMU's
    user network through the uplink (the NIC of run.py), and it pings
    slirp's 10.0.2.2."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("run", os.path.join(harness.ROOT, "tools", "run.py"))
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    conf, cfg = lab.tmp("run.conf"), lab.tmp("linux.cfg")
    with open(conf, "w") as f:
        f.write(run.MGMT_DOMAIN)
    with open(cfg, "w") as f:
        f.write(run.LINUX_CFG)
    mods = [os.path.join(harness.BUILD, "mgmt", "mgmt.elf"), VMLINUZ, INITRD,
            os.path.join(LINUX_DIR, "rootfs.img"), conf, cfg]
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append", "loglevel=info", "-initrd", ",".join(mods)]
                 + run.NIC, mem=1024, limit=300)
    root = wait_for(m, r"\(d1\) EYRIE-LINUX-ROOT: / is (\S+ \S+)\n", 240)
    check(root[1] == "/dev/xvda ext4", "the guest's root is %r, not /dev/xvda ext4" % root[1])
    m.boot(30)
    at = len(m.output)
    m.send("input 1 cat /etc/hostname\r")
    wait_for(m, r"^\(d1\) eyrie-guest\n", 60, at)
    lease = re.search(r"\(d1\) net-lease eth0 (\S+) from (\S+)", m.output)
    check(lease and lease.group(1, 2) == ("10.0.2.15/24", "10.0.2.2"),
          "the guest's DHCP lease: %s" % (lease and lease.group(0)))
    at = len(m.output)
    m.send("input 1 ping -c 2 -W 5 10.0.2.2\r")
    hit = wait_for(m, r"\(d1\) 2 packets transmitted, (\d) packets received", 60, at)
    check(hit[1] == "2", "the guest's pings to 10.0.2.2: %s of 2 answered" % hit[1])
    m.send("input 1 poweroff -f\r")
    wait_for(m, r"\(d0\) mgmt: domain 1 \(linux\) powered off: destroy", 60, at)


LINUX_CASES = [
    ("linux-demo", linux_demo, 40),
    ("linux-pvhvm-disk", linux_pvhvm_disk, 60),
    ("linux-pvhvm-vmx", linux_pvhvm_vmx, 900),
    ("linux-pvhvm", linux_pvhvm, 60),
    ("linux-bochs-vmx", linux_bochs_vmx, 900),
    ("linux-qemu", linux_qemu, 60),
    ("linux-smp", linux_smp, 60),
    ("linux-qemu-panic", linux_qemu_panic, 50),
    ("linux-qemu-nmi", linux_qemu_nmi, 50),
    ("linux-from-mgmt", linux_from_mgmt, 50),
    ("linux-pvh-from-mgmt", linux_pvh_from_mgmt, 40),
    ("linux-pvh-disk", linux_pvh_disk, 60),
]
