# SPDX-License-Identifier: GPL-2.0-only
"""The boot tests: one function per case, each taking a Lab (the machine
factory of harness.py).  A case returns normally when it passes and raises
harness.Failure (one-line reason) when it fails.  CASES at the bottom lists
them for tests/run_all.py; see docs/testing.md for how to add one.
"""

import os
import re
import struct
import subprocess
import zlib

import harness
from harness import (BANNER_RE, CONF, ELF, USB_IMG, Failure, Lab, PROMPT_RE)


# -- checks ------------------------------------------------------------------

def check(cond, msg):
    if not cond:
        raise Failure(msg)


def _short(text, limit=200):
    text = " | ".join(l.strip() for l in text.splitlines() if l.strip())
    return text if len(text) <= limit else text[:limit] + "..."


def find_line(out, regex, what):
    m = re.search(regex, out, re.M)
    check(m, "%s: no line matching /%s/ in %r" % (what, regex, _short(out)))
    return m


def check_help(out):
    # "  NAME  description", NAME possibly followed by its arguments.
    names = re.findall(r"^ {1,4}([a-z][\w-]*)(?: |$)", out, re.M)
    missing = [c for c in ("help", "info", "mem", "log", "reboot", "poweroff")
               if c not in names]
    check(not missing, "help: commands %s not listed (got %s)" % (missing, names))


def check_module(out, host_file=CONF):
    """The `modules:` list of `info` has host_file with the same size and
    CRC-32 as on the host: the module arrived intact."""
    with open(host_file, "rb") as f:
        data = f.read()
    n = int(find_line(out, r"^modules: (\d+)", "info")[1])
    mods = re.findall(r"^\s+(\d+): (\S+)\s+(\d+) bytes\s+crc32 0x([0-9a-fA-F]{1,8})\s*$",
                      out, re.M)
    check(len(mods) == n, "info: 'modules: %d' but %d module lines" % (n, len(mods)))
    base = os.path.basename(host_file)
    hits = [m for m in mods if os.path.basename(m[1]) == base]
    check(hits, "info: module %s not listed (modules: %s)"
          % (base, [m[1] for m in mods]))
    _, name, size, crc = hits[0]
    check(int(size) == len(data) and int(crc, 16) == zlib.crc32(data),
          "module %s arrived as %s bytes crc32 0x%s, host file has %d bytes "
          "crc32 0x%08x" % (name, size, crc, len(data), zlib.crc32(data)))


def check_info(out, *, boot, virt="SVM", features=("NPT",), vendor="AuthenticAMD",
               cpus=2, mem=512, online=None):
    """online: the CPUs the hypervisor started (default: all cpus)."""
    find_line(out, r"^cpu: vendor %s\b" % vendor, "info")
    words = find_line(out, r"^virt: (.*)$", "info")[1].replace(",", " ").split()
    check(words and words[0] == virt, "info: expected 'virt: %s', got 'virt: %s'"
          % (virt, " ".join(words)))
    missing = [f for f in features if f not in words[1:]]
    check(not missing, "info: virt line lacks %s: 'virt: %s'" % (missing, " ".join(words)))
    m = find_line(out, r"^memory: (\d+) MiB usable, (\d+) MiB free", "info")
    usable, free = int(m[1]), int(m[2])
    check(mem * 3 // 4 <= usable <= mem and free <= usable,
          "info: implausible memory for -m %d: %s" % (mem, m[0]))
    m = find_line(out, r"^acpi: (\d+) CPU\(s\).*?(\d+) IOAPIC\(s\)", "info")
    check(int(m[1]) == cpus and int(m[2]) >= 1,
          "info: expected %d CPU(s) and an IOAPIC: %s" % (cpus, m[0]))
    m = find_line(out, r"^cpus: (\d+) online", "info")
    want = cpus if online is None else online
    check(int(m[1]) == want, "info: expected %d CPU(s) online: %s" % (want, m[0]))
    m = find_line(out, r"^boot: (\S+) via (.+)$", "info")
    check(m[1] == boot, "info: expected 'boot: %s via ...', got %r" % (boot, m[0]))
    check_module(out)


def check_error(out, what, prefix="error:"):
    check(re.search(r"^%s" % re.escape(prefix), out, re.M),
          "%s: expected a line starting %r, got %r" % (what, prefix, _short(out)))


def still_works(m, after):
    out = m.command("help")
    try:
        check_help(out)
    except Failure as e:
        raise Failure("shell broken after %s: %s" % (after, e))


def poweroff(m, exit_timeout=30):
    m.send("poweroff\r")
    m.expect(r"powering off", 10)
    m.wait_exit(exit_timeout)
    reason = m.shutdown_reason()
    check(reason == "guest-shutdown",
          "poweroff: QEMU reported %s, not a guest power-off" % (reason or "no SHUTDOWN event"))


# -- cases -------------------------------------------------------------------

def kernel_shell_poweroff(lab):
    """QEMU -kernel (multiboot1): the whole debug-shell contract, then ACPI S5."""
    m = lab.boot("kernel")
    m.boot(25)
    check_help(m.command("help"))
    check_info(m.command("info"), boot="multiboot1")
    out = m.command("mem")
    f = find_line(out, r"^frames: total (\d+), free (\d+), used (\d+)", "mem")
    total, free, used = int(f[1]), int(f[2]), int(f[3])
    check(0 < free <= total and used <= total, "mem: implausible %r" % f[0])
    find_line(out, r"^heap: ", "mem")
    for level in ("debug", "warn", "error", "info"):
        find_line(m.command("log " + level), r"^log level: %s\s*$" % level, "log " + level)
    check_error(m.command("log loud"), "log with a bad level")
    still_works(m, "a bad log level")
    out = m.command("")
    check("error" not in out, "an empty line answered %r" % _short(out))
    check_error(m.command("frobnicate"), "unknown command", "error: unknown command")
    still_works(m, "an unknown command")
    check_error(m.command("x" * 300, check_echo=False), "a 300-character line",
                "error: line too long")
    still_works(m, "a 300-character line")
    check_error(m.command("\x00\x01\xff\x1b[Z\x80\xfe", check_echo=False),
                "binary input")
    still_works(m, "binary input")
    check_help(m.command("hepl\x7f\x7flp"))          # DEL, as terminals send
    check_help(m.command("helx\x08p"))               # BS (Ctrl-H)
    still_works(m, "backspace editing")
    # Ctrl-A three times with no management domain: nothing to switch to.
    m.send("\x01\x01\x01")
    m.expect(r"\(no management domain to switch to\)\n" + PROMPT_RE, 10)
    still_works(m, "Ctrl-A three times")
    poweroff(m)


def kernel_reboot(lab):
    """QEMU -kernel: `reboot` resets the machine (-no-reboot makes QEMU exit)."""
    m = lab.boot("kernel")
    m.boot(30)
    find_line(m.command("info"), r"^boot: multiboot1 via ", "info")
    m.send("reboot\r")
    m.expect(r"rebooting", 10)
    m.wait_exit(30)
    reason = m.shutdown_reason()
    check(reason == "guest-reset",
          "reboot: QEMU reported %s, not a reset" % (reason or "no SHUTDOWN event"))


def _boot_path_case(path, boot, power=False, **info):
    def case(lab):
        m = lab.boot(path)
        m.boot(m.limit - 10)
        check_info(m.command("info", timeout=30), boot=boot, **info)
        if power:
            poweroff(m)
    case.__doc__ = "%s: reach the prompt; info shows boot %s, virt and the module CRC%s" % (
        harness.BOOT_PATHS[path][0], boot, "; poweroff" if power else "")
    return case


ovmf_disk = _boot_path_case("ovmf-disk", "uefi", power=True)
ovmf_usb = _boot_path_case("ovmf-usb", "uefi")
ovmf_pxe = _boot_path_case("ovmf-pxe", "uefi")
iso_uefi = _boot_path_case("iso-uefi", "multiboot2")
iso_bios = _boot_path_case("iso-bios", "multiboot2", power=True)


def kernel_exception_dump(lab):
    """An exception in the hypervisor prints a readable, symbolized dump."""
    m = lab.boot("kernel")
    m.boot(25)
    m.send("crash pf\r")
    m.expect(r"EXCEPTION 14: #PF page fault, error code 0x0", 10)
    m.expect(r"CR0 [0-9a-f]{16} CR2 0000000000000010", 5)
    m.expect(r"page fault: not-present read", 5)
    m.expect(r"faulting instruction:\s+#0 0x[0-9a-f]+ cmd_crash\+0x", 5)
    # (shell_feed shows up when the compiler does not inline it)
    m.expect(r"backtrace:\s+#0 0x[0-9a-f]+ shell_exec\+0x[0-9a-f]+\s+"
             r"(?:#\d 0x[0-9a-f]+ shell_feed\+0x[0-9a-f]+\s+)?"
             r"#\d 0x[0-9a-f]+ shell_poll\+0x[0-9a-f]+\s+#\d 0x[0-9a-f]+ sched_loop\+", 5)
    m.expect(r"System halted", 5)


def kernel_multiboot_guest(lab):
    """A multiboot1 guest kernel (type=multiboot): the exits test guest, loaded
    and entered through vmm/load/mb1_guest.c, runs all its checks; a module that
    is no multiboot kernel is refused with a clear line and nothing else
    is harmed."""
    exits = os.path.join(harness.BUILD, "guests", "exits.elf")
    lab.need(harness.ELF, harness.CONF, exits)
    append = ("loglevel=info domain=name=junk,image=hypervisor.conf,memory=4,type=multiboot "
              "domain=name=mb,image=exits.elf,memory=4,type=multiboot")
    m = lab.qemu(["-kernel", harness.ELF, "-append", append,
                  "-initrd", "%s,%s" % (harness.CONF, exits)], limit=60)
    m.expect(r"domain junk: multiboot image hypervisor.conf: [^\n]+", 20)
    m.expect(r"domain 1 \(mb\): 4 MiB, image exits.elf, entry 0x[0-9a-f]+ \(multiboot\)", 20)
    done = m.expect(r"\(d1\) DONE exits: (\d+) passed, (\d+) failed", 40)
    check(int(done[1]) >= 40 and done[2] == "0", "exits under multiboot: %s" % done[0])
    m.expect(r"domain 1 \(mb\) destroyed", 10)
    out = m.command("domains")
    check("junk" not in out and " mb " not in out, "domains after the run: %r" % _short(out))


def read_ppm(path):
    """(width, height, pixel bytes) of a binary PPM (P6, maxval 255)."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    check(fields[0] == b"P6" and fields[3] == b"255", "screendump is not a P6 PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]


def ovmf_framebuffer(lab):
    """OVMF with a VGA card: the UEFI loader passes the GOP framebuffer and
    the hypervisor mirrors its log there (text pixels on QEMU's screen)."""
    m = lab.boot("ovmf-disk", extra=["-device", "VGA"])
    m.boot(m.limit - 10)
    out = m.command("info", timeout=30)
    f = find_line(out, r"^framebuffer: (\d+)x(\d+)x32 at 0x[0-9a-f]+, console mirrored",
                  "info")
    path = lab.tmp("screen.ppm")
    m.qmp("screendump", filename=path)
    w, h, px = read_ppm(path)
    check((w, h) == (int(f[1]), int(f[2])),
          "screen is %dx%d, the hypervisor reported %sx%s" % (w, h, f[1], f[2]))
    lit = sum(1 for i in range(0, len(px), 3) if px[i] > 128 and px[i + 1] > 128)
    # Dozens of lines of 8x16 text light a few percent of the pixels, not all.
    check(2000 < lit < w * h // 4, "the framebuffer shows no text (%d lit pixels)" % lit)


def bochs_iso_vmx(lab):
    """Bochs corei7_skylake_x, ISO on BIOS: the VMX backend probe sees EPT."""
    m = lab.boot("bochs-iso")
    m.boot(m.limit - 20)
    check_info(m.command("info", timeout=60), boot="multiboot2", virt="VMX",
               features=("EPT",), vendor="GenuineIntel", cpus=1, mem=256)
    # Bochs ends on ACPI S5 through a "panic" (exit status 1 either way):
    # judge by its log line.
    m.send("poweroff\r")
    m.expect(r"powering off", 20)
    m.wait_exit(30)
    check("ACPI control: soft power off" in m.emu_log_text(),
          "poweroff: Bochs exited without an ACPI soft power-off (see %s)"
          % os.path.relpath(m.emu_log_path))


# -- bad input to the UEFI loader ---------------------------------------------

ESP_GUID = bytes.fromhex("28732ac11ff8d211ba4b00a0c93ec93b")


def esp_offset(image):
    """Byte offset of the EFI system partition in a GPT disk image."""
    with open(image, "rb") as f:
        f.seek(512)
        hdr = f.read(92)
        check(hdr[:8] == b"EFI PART", "%s has no GPT header" % image)
        entries_lba, count, size = struct.unpack_from("<QII", hdr, 72)
        f.seek(entries_lba * 512)
        table = f.read(count * size)
    for i in range(count):
        e = table[i * size:(i + 1) * size]
        if e[:16] == ESP_GUID:
            return struct.unpack_from("<Q", e, 32)[0] * 512
    raise Failure("%s has no EFI system partition" % image)


def _bad_elf_case(make_bad, what):
    def case(lab):
        Lab.need(USB_IMG, ELF)
        img = lab.tmp("bad-usb.img")
        subprocess.run(["cp", "--sparse=always", USB_IMG, img], check=True)
        bad = lab.tmp("eyrie.elf")
        with open(ELF, "rb") as f:
            elf = f.read()
        with open(bad, "wb") as f:
            f.write(make_bad(elf))
        r = subprocess.run(["mcopy", "-o", "-i", "%s@@%d" % (img, esp_offset(img)),
                            bad, "::/EFI/BOOT/eyrie.elf"],
                           capture_output=True, text=True,
                           env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
        check(r.returncode == 0, "mcopy failed: %s" % _short(r.stderr))
        m = lab.boot("ovmf-disk", image=img)
        e = m.expect(r"(Eyrie loader: error:[^\n]*)\n|%s|%s" % (BANNER_RE, PROMPT_RE),
                     m.limit - 10)
        check(e[1], "the hypervisor started from a %s eyrie.elf" % what)
        check(re.search(r"(?i)elf", e[1]), "loader error does not mention the ELF: %r" % e[1])
    case.__doc__ = "OVMF: the loader refuses a %s eyrie.elf with 'Eyrie loader: error:'" % what
    return case


def _garbage(elf):
    return bytes((i * 37 + 11) & 0xff for i in range(16384))


def _truncated(elf):
    # ELF header and program headers intact, the segments cut off.
    return elf[:1024]


ovmf_bad_elf_garbage = _bad_elf_case(_garbage, "garbage (not an ELF)")
ovmf_bad_elf_truncated = _bad_elf_case(_truncated, "truncated")


# name, function, rough seconds (longest start first when run in parallel)
CASES = [
    ("bochs-iso-vmx", bochs_iso_vmx, 60),
    ("ovmf-pxe", ovmf_pxe, 30),
    ("ovmf-disk", ovmf_disk, 20),
    ("ovmf-usb", ovmf_usb, 20),
    ("iso-uefi", iso_uefi, 20),
    ("ovmf-bad-elf-garbage", ovmf_bad_elf_garbage, 15),
    ("ovmf-bad-elf-truncated", ovmf_bad_elf_truncated, 15),
    ("iso-bios", iso_bios, 10),
    ("kernel-shell-poweroff", kernel_shell_poweroff, 8),
    ("kernel-reboot", kernel_reboot, 5),
    ("kernel-exception-dump", kernel_exception_dump, 5),
    ("kernel-multiboot-guest", kernel_multiboot_guest, 8),
    ("ovmf-framebuffer", ovmf_framebuffer, 20),
]
from guest_cases import GUEST_CASES; CASES += GUEST_CASES  # noqa: E402  (tests/guests/)
from fidelity_cases import FIDELITY_CASES; CASES += FIDELITY_CASES  # noqa: E402  (fid, acpi, xsave)
from mgmt_cases import MGMT_CASES; CASES += MGMT_CASES  # noqa: E402  (the management domain)
from attack_cases import ATTACK_CASES; CASES += ATTACK_CASES  # noqa: E402  (tests/guests/attack.c)
from linux_cases import LINUX_CASES; CASES += LINUX_CASES  # noqa: E402  (build/linux/)
from disk_cases import DISK_CASES; CASES += DISK_CASES  # noqa: E402  (mgmt's disk drivers)
from nic_cases import NIC_CASES; CASES += NIC_CASES  # noqa: E402  (mgmt's NIC drivers)
from phys_cases import PHYS_CASES; CASES += PHYS_CASES  # noqa: E402  (guests on mgmt's disks)
from fuzz_cases import FUZZ_CASES; CASES += FUZZ_CASES  # noqa: E402  (tests/guests/fuzz.c)
from serial_cases import SERIAL_CASES; CASES += SERIAL_CASES  # noqa: E402  (the console UART)
from net_cases import NET_CASES; CASES += NET_CASES  # noqa: E402  (guests' vifs and bridges)
from smp_cases import SMP_CASES; CASES += SMP_CASES  # noqa: E402  (host SMP bring-up)
from stress_cases import STRESS_CASES; CASES += STRESS_CASES  # noqa: E402  (tests/guests/stress.c)
from sched_cases import SCHED_CASES; CASES += SCHED_CASES  # noqa: E402  (the credit scheduler)


def layers_doc(lab):
    """docs/architecture.md's picture of rooms and arrows is what
    tools/layers.py computes from the code's #include lines now."""
    r = subprocess.run(["python3", os.path.join(harness.ROOT, "tools", "layers.py"),
                        "--check"], capture_output=True, text=True, timeout=60)
    if r.returncode:
        raise Failure(r.stdout.strip() or r.stderr.strip())


CASES.append(("layers-doc", layers_doc, 60))


def spdx_lines(lab):
    """Every source file git tracks carries its SPDX licence line
    (tools/spdx.py --check; LICENSE and README say which licence)."""
    r = subprocess.run(["python3", os.path.join(harness.ROOT, "tools", "spdx.py"),
                        "--check"], capture_output=True, text=True, timeout=60)
    if r.returncode:
        raise Failure(r.stdout.strip() or r.stderr.strip())


CASES.append(("spdx-lines", spdx_lines, 5))
