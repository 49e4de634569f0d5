# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of the console UART (drivers/uart.c, drivers/uartcfg.c;
docs/boot.md, "Serial console on a real server"): the only serial line on
COM2 with com2=, the management console on it and its UART refused to
domains; a PCI serial card named by com1=...,pci; ACPI's SPCR table (given
to QEMU with -acpitable, as a server's firmware gives it) taken after an
option naming no UART was refused with a warning; a memory-mapped UART
named where there is none and an SPCR naming no 16550: COM1, not a mute
machine.
tests/boot/cases.py appends SERIAL_CASES to its CASES.
"""

import os
import re
import struct

from harness import CONF, ELF
from guest_cases import GUEST_DIR, check, shell, wait_for
from disk_cases import boot_mgmt

# COM1 exists but goes nowhere; COM2 (0x2F8, IRQ 3) is the test's line.
COM2 = ("-serial", "null", "-serial", "stdio")


def spcr_file(lab, io_base, irq, kind=0):
    """A file with the 44 bytes after the header of an 80-byte SPCR
    (revision 2; QEMU's -acpitable adds the header): a UART of interface
    type kind (0: 16550) at an I/O port, its ISA IRQ, 115200 baud, not on
    PCI."""
    path = lab.tmp("spcr.bin")
    with open(path, "wb") as f:
        f.write(struct.pack("<B3x", kind) +
                struct.pack("<BBBBQ", 1, 8, 0, 1, io_base) +    # GAS: I/O, 8-bit, byte access
                struct.pack("<BBI", 1, irq, 0) +                # an 8259 (ISA) IRQ
                bytes([7, 0, 1, 0, 0, 0]) +                     # 115200, no parity, 1 stop bit
                struct.pack("<HHBBBIB4x", 0xffff, 0xffff, 0, 0, 0, 0, 0))
    return ["-acpitable", "sig=SPCR,rev=2,oem_id=EYRIE,data=" + path]


def kernel(lab, options, qemu_args=(), serial=COM2, limit=40):
    lab.need(ELF, CONF)
    return lab.qemu(["-kernel", ELF, "-append", "loglevel=info " + options, "-initrd", CONF]
                    + list(qemu_args), serial=serial, limit=limit)


def info_serial(m, regex):
    out = shell(m, "info", r"^modules: ")
    line = re.search(r"^serial: .*$", out, re.M)
    check(line and re.match(regex, line[0]), "info: expected /%s/, got %r"
          % (regex, line and line[0]))


def serial_com2_mgmt(lab):
    """The only serial line on COM2 and com2=115200,8n1: the boot log and
    `info` name COM2 and the option; the management console answers on
    it; its `create` with COM2's ports or IRQ 3 is refused with the
    reason, COM1's ports (no longer the console's) are granted."""
    pattern = os.path.join(GUEST_DIR, "pattern.elf")
    m, console = boot_mgmt(lab, [], modules=[pattern], opts=["com2=115200,8n1"], serial=COM2)
    check(re.search(r"^serial: console on I/O 0x2f8, 115200 8n1, IRQ 3 \(option com2\)$",
                    m.output, re.M), "no boot line naming COM2 and the option")
    base = "create name=bad type=pvh memory=4 kernel=pattern.elf "
    console(base + "ioports=2f8-2ff", r"\(d0\) error: domain bad: ioports 2f8-2ff: the "
            r"hypervisor's console UART")
    console(base + "ioports=2f0-2f8", r"\(d0\) error: domain bad: ioports 2f0-2f8: the "
            r"hypervisor's console UART")
    console(base + "irqs=3", r"\(d0\) error: domain bad: irq 3: the hypervisor's own")
    ok = console("create name=ok type=pvh memory=4 kernel=pattern.elf ioports=3f8-3ff",
                 r"\(d0\) domain (\d+) \(ok\) created")
    console("destroy %s" % ok[1], r"domain %s \(ok\) destroyed" % ok[1])
    at = len(m.output)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10, at)
    info_serial(m, r"serial: 16550 I/O 0x2f8, 115200 8n1, input on GSI 3, source option com2")


def irq_count(m, irq):
    """QEMU's count of interrupts raised on the IOAPIC's pin irq."""
    out = m.qmp("human-monitor-command", **{"command-line": "info irq"}).replace("\r", "")
    hit = re.search(r"IRQ statistics for ioapic:\n(?:\s*\d+: \d+\n)*?\s*%d: (\d+)" % irq, out)
    check(hit, "QEMU's info irq has no count for IOAPIC pin %d: %r" % (irq, out[:300]))
    return int(hit[1])


def serial_pci(lab):
    """The only serial line on a PCI card (QEMU's pci-serial in slot 2,
    no ISA UART at all). com1=115200,8n1,pci: the card found by its
    class, its I/O BAR used, input polled; the shell answers. Then
    com1=115200,8n1,pci,10 (SeaBIOS routes slot 2's INTA to IRQ 10, which
    QEMU's MADT makes level-triggered): input and output by interrupt,
    QEMU counts the card's interrupts while `help` is typed and answered."""
    card = ("-chardev", "stdio,id=s0", "-device", "pci-serial,chardev=s0,addr=02.0")
    m = kernel(lab, "com1=115200,8n1,pci", serial=card)
    m.boot(30)
    check(re.search(r"^serial: console on PCI 00:02\.0 I/O 0x[0-9a-f]+, 115200 8n1, "
                    r"polled \(option com1\)$", m.output, re.M),
          "no boot line naming the PCI card and the option")
    info_serial(m, r"serial: 16550 PCI 00:02\.0 I/O 0x[0-9a-f]+, 115200 8n1, "
                r"input polled, source option com1")
    m.close()
    m = kernel(lab, "com1=115200,8n1,pci,10", serial=card)
    m.boot(30)
    info_serial(m, r"serial: 16550 PCI 00:02\.0 I/O 0x[0-9a-f]+, 115200 8n1, "
                r"input on GSI 10, source option com1, 0 byte")
    before = irq_count(m, 10)
    shell(m, "help", r"^  reboot ")
    after = irq_count(m, 10)
    check(after - before >= 20, "the card raised %d interrupts on IRQ 10 while help was typed "
          "and answered" % (after - before))


def serial_spcr(lab):
    """The only serial line on COM2, an SPCR table naming it, and
    com1=115200,8n1,0x3e8 where no UART is: the option is refused with a
    warning (on the UART taken instead) and SPCR's UART is the console,
    interrupt-driven; `info` says so."""
    m = kernel(lab, "com1=115200,8n1,0x3e8", spcr_file(lab, 0x2f8, 3))
    m.boot(30)
    out = m.output
    check(re.search(r"^\[warn\] serial: com1: no UART answers at I/O 0x3e8; falling back to "
                    r"the default$", out, re.M), "no warning about com1 at 0x3e8")
    check(re.search(r"^serial: console on I/O 0x2f8, 115200 8n1, IRQ 3 \(ACPI SPCR\)$", out,
                    re.M), "no boot line naming SPCR's UART")
    info_serial(m, r"serial: 16550 I/O 0x2f8, 115200 8n1, input on GSI 3, source ACPI SPCR")


def serial_fallback(lab):
    """com2= naming a memory-mapped UART (32-bit registers 4 bytes apart)
    where none is, console=com2,vga, and an SPCR naming an Arm PL011
    (interface type 3): both are refused with a warning and COM1 is the
    console, the boot log saying why."""
    m = kernel(lab, "com2=115200,8n1,0xd0000000,0,reg-shift=2,reg-width=4 console=com2,vga",
               spcr_file(lab, 0x3f8, 4, kind=3), serial=("-serial", "stdio"))
    m.boot(30)
    out = m.output
    check(re.search(r"^\[warn\] serial: com2: no UART answers at MMIO 0xd0000000; falling back "
                    r"to the default$", out, re.M), "no warning about com2 at 0xd0000000")
    check(re.search(r"^\[warn\] serial: ACPI SPCR: interface type 0x3 is not a 16550; taking "
                    r"COM1$", out, re.M), "no warning about SPCR's PL011")
    check(re.search(r"^serial: console on I/O 0x3f8, 115200 8n1, IRQ 4 \(default: ACPI SPCR: "
                    r"interface type 0x3 is not a 16550\)$", out, re.M),
          "no boot line naming COM1 as the default")
    info_serial(m, r"serial: 16550 I/O 0x3f8, 115200 8n1, input on GSI 4, source default")


# name, function, rough seconds
SERIAL_CASES = [
    ("serial-com2-mgmt", serial_com2_mgmt, 20),
    ("serial-pci", serial_pci, 5),
    ("serial-spcr", serial_spcr, 5),
    ("serial-fallback", serial_fallback, 5),
]
