# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of the management domain's NIC drivers (mgmt/virtio_net.c,
mgmt/e1000.c; docs/nics.md): QEMU with the hypervisor, the management
domain and QEMU's user network (`-netdev user,restrict=on`: slirp, with
its DHCP server at 10.0.2.2 and nothing reaching the host's network).
The console (Ctrl-A x3) lists the interfaces with the MACs given on
QEMU's command line, gets a DHCP offer from slirp through each, and sends
300 ARP requests to 10.0.2.2 one after another (more frames than either
ring holds: both wrap several times), each answered, and checks the
device's own filter: replies to another MAC (a guest's behind the
bridge) arrive only in promiscuous mode. The figures (DHCP and ARP
times, interrupts) are appended to each log.
tests/boot/cases.py appends NIC_CASES to its CASES.
"""

import re

from guest_cases import check
from disk_cases import boot_mgmt, drive, kill_hard, make_image

MAC0 = "52:54:00:12:34:56"
MAC1 = "52:54:00:12:34:57"
GUEST = "52:54:00:aa:bb:cc"   # a guest's MAC behind the bridge
ARPS = 300


def netdev(i):
    return ["-netdev", "user,id=n%d,restrict=on" % i]


def check_boot_line(m, name, driver, irq, mac):
    hit = re.search(r"\(d0\) mgmt: nic %s: %s at [0-9a-f:.]+ %s, MAC %s, link up, (\d+) RX and "
                    r"(\d+) TX buffers" % (name, re.escape(driver), re.escape(irq), mac), m.output)
    check(hit, "the boot did not report %s (%s, %s, MAC %s, link up)" % (name, driver, irq, mac))
    check(int(hit[1]) == 128 and int(hit[2]) == 64,
          "%s has %s RX and %s TX buffers, not 128 and 64" % (name, hit[1], hit[2]))


def check_listed(console, name, driver, irq, mac):
    line = console("nics", r"\(d0\) %s\s+(\S+)\s+[0-9a-f]{2}:[0-9a-f]{2}\.\d (.+?)\s+(\S+)\s+(\S+)"
                   r"\s+(\S+)\s+\d+ rx, \d+ tx\n" % name)
    got = (line[1], line[2], line[3], line[4], line[5])
    want = (driver, irq, mac, "up", "off")
    check(got == want, "nics: %s is listed as %s, expected %s" % (name, got, want))


def counters(console, name):
    """rx packets, rx errors, tx packets, tx drops, tx errors, interrupts."""
    hit = console("nics", r"\(d0\) %s [^\n]*\n\(d0\)\s+rx (\d+) packets \d+ bytes (\d+) drops "
                  r"(\d+) errors; tx (\d+) packets \d+ bytes (\d+) drops (\d+) errors; "
                  r"(\d+) interrupts\n" % name)
    return {k: int(hit[i + 1]) for i, k in enumerate(
        ("rx", "rx_drops", "rx_errors", "tx", "tx_drops", "tx_errors", "irqs"))}


def dhcp(console, name):
    """nic-dhcp: slirp offers 10.0.2.15 from 10.0.2.2 for a day (with
    restrict=on, it names no router)."""
    hit = console("nic-dhcp %s" % name,
                  r"\(d0\) %s: offer (\S+) from (\S+) \(server (\S+), lease (\d+) s\)\n"
                  r"\(d0\) %s: mask (\S+), router (\S+); (\d+) discovers sent, answered in "
                  r"(\d+) us" % (name, name))
    got = (hit[1], hit[2], hit[3], hit[4], hit[5], hit[6])
    want = ("10.0.2.15", "10.0.2.2", "10.0.2.2", "86400", "255.255.255.0", "none")
    check(got == want, "%s: the offer was %s, expected %s" % (name, got, want))
    return int(hit[8])


def arp(console, name, count=ARPS):
    """nic-arp: count requests for 10.0.2.2, every one answered by slirp."""
    hit = console("nic-arp %s 10.0.2.2 %d" % (name, count),
                  r"\(d0\) %s: (\d+) of (\d+) ARP replies from 10\.0\.2\.2 \(52:55:0a:00:02:02\), "
                  r"round trip min (\d+) us, avg (\d+) us, max (\d+) us" % name, 120)
    check(hit[1] == hit[2] == str(count), "%s: %s of %s ARP requests answered" % (name, hit[1],
                                                                                   hit[2]))
    return int(hit[4])


def promisc(console, name):
    """ARP requests from a guest's MAC (as the bridge forwards them): the
    device's filter drops slirp's replies to it until the interface is
    promiscuous."""
    console("nic-arp %s 10.0.2.2 1 %s" % (name, GUEST),
            r"\(d0\) error: %s: no ARP reply from 10\.0\.2\.2 to %s \(1 requests\)" % (name, GUEST))
    console("nic-promisc %s on" % name, r"\(d0\) %s: promiscuous mode on" % name)
    console("nics", r"\(d0\) %s\s+[^\n]* up\s+on\s+\d+ rx" % name)
    hit = console("nic-arp %s 10.0.2.2 5 %s" % (name, GUEST),
                  r"\(d0\) %s: (\d+) of 5 ARP replies from 10\.0\.2\.2" % name, 30)
    check(hit[1] == "5", "%s: promiscuous: %s of 5 ARP replies to %s" % (name, hit[1], GUEST))
    console("nic-promisc %s off" % name, r"\(d0\) %s: promiscuous mode off" % name)


def exercise(lab, m, console, name, driver, irq, mac, polled=False):
    """The boot line, nics, DHCP, 300 ARP round trips, the counters,
    promiscuous mode. eth0, the uplink of xenbr0 since boot, is taken
    back from the bridge first (it is promiscuous as an uplink)."""
    check_boot_line(m, name, driver, irq, mac)
    if name == "eth0":
        check(re.search(r"\(d0\) mgmt: xenbr0: uplink eth0", m.output),
              "eth0 did not become xenbr0's uplink at boot")
        console("bridge-uplink xenbr0 none", r"\(d0\) xenbr0: uplink none")
    check_listed(console, name, driver, irq, mac)
    us = dhcp(console, name)
    rtt = arp(console, name)
    c = counters(console, name)
    check(c["tx"] >= ARPS + 1 and c["rx"] >= ARPS + 1,
          "%s: counters after DHCP and %d ARPs: %s" % (name, ARPS, c))
    check(c["rx_errors"] == 0 and c["tx_errors"] == 0 and c["tx_drops"] == 0,
          "%s: errors or drops: %s" % (name, c))
    # More than one: the line was unmasked again (INTx's EOI) or the
    # message sent again (MSI, MSI-X). Events that come while one is
    # pending merge: with QEMU's e1000 answering within the TDT write, the
    # reply is in the ring before its interrupt arrives, so fewer are
    # counted than frames.
    check(polled or c["irqs"] >= 2, "%s: %d interrupts counted: %s" % (name, c["irqs"], c))
    # Interrupts wake the console's wait (it sleeps up to 100 ms otherwise).
    check(rtt < 20000, "%s: ARP round trip avg %d us" % (name, rtt))
    promisc(console, name)
    return ("# %s (%s, %s): DHCP offer in %d us, ARP round trip avg %d us over %d, "
            "%d interrupts for %d frames received" % (name, driver, irq, us, rtt, ARPS, c["irqs"],
                                                       c["rx"]))


def finish(m, notes):
    """QEMU stopped, then the figures appended to the serial log."""
    kill_hard(m)
    with open(m.log_path, "a") as f:
        f.write("\n" + "\n".join(notes) + "\n")


def refusals(console):
    console("nic-dhcp eth9", r"\(d0\) error: no interface 'eth9'")
    console("nic-arp eth0 10.0.2", r"\(d0\) error: '10\.0\.2' is not an IPv4 address")
    console("nic-arp eth0 10.0.2.2 0", r"\(d0\) error: COUNT: 1 \.\. 100000")


def nic_virtio(lab):
    """QEMU pc, virtio-net-pci (modern virtio-pci, MSI-X) on slirp: eth0
    with QEMU's MAC, promiscuous mode turned off through the control
    queue at boot, a DHCP offer of 10.0.2.15, 300 ARP round trips;
    refusals of bad arguments."""
    m, console = boot_mgmt(lab, netdev(0) + ["-device", "virtio-net-pci,netdev=n0,mac=" + MAC0])
    check("promiscuous" not in m.output, "a word about promiscuous mode at boot: %s"
          % re.findall(r"[^\n]*promiscuous[^\n]*", m.output))
    note = exercise(lab, m, console, "eth0", "virtio-net", "MSI-X", MAC0)
    refusals(console)
    finish(m, [note])


def nic_e1000(lab):
    """QEMU pc, e1000 (82540EM, no MSI): INTx on the IRQ SeaBIOS routed it
    to, the MAC from its EEPROM, DHCP, 300 ARP round trips with
    interrupts counted."""
    m, console = boot_mgmt(lab, netdev(0) + ["-device", "e1000,netdev=n0,mac=" + MAC0])
    irq = re.search(r"\(d0\) mgmt: nic eth0: e1000 at [0-9a-f:.]+ (INTx \d+),", m.output)
    check(irq, "e1000 did not get INTx: %s" % re.findall(r"\(d0\) mgmt: nic [^\n]*", m.output))
    finish(m, [exercise(lab, m, console, "eth0", "e1000", irq[1], MAC0)])


def nic_e1000e(lab):
    """QEMU q35 (PCI Express), e1000e (82574L: MSI, the MAC from its NVM)
    and e1000-82545em (INTx: the line SeaBIOS routed on the ICH9): DHCP
    and 300 ARP round trips on each."""
    args = (["-machine", "q35"] + netdev(0) + ["-device", "e1000e,netdev=n0,mac=" + MAC0] +
            netdev(1) + ["-device", "e1000-82545em,netdev=n1,mac=" + MAC1])
    m, console = boot_mgmt(lab, args)
    irq = re.search(r"\(d0\) mgmt: nic eth1: e1000 at [0-9a-f:.]+ (INTx \d+),", m.output)
    check(irq, "eth1 is not an e1000 with INTx: %s"
          % re.findall(r"\(d0\) mgmt: nic [^\n]*", m.output))
    finish(m, [exercise(lab, m, console, "eth0", "e1000e", "MSI", MAC0),
               exercise(lab, m, console, "eth1", "e1000", irq[1], MAC1)])


def nic_two(lab):
    """QEMU pc: a virtio-blk disk, a virtio-net without MSI-X vectors
    (polled) and an e1000 (INTx), each NIC on its own slirp: the disk is
    found once (the PCI scan is shared), eth0 and eth1 named in PCI order
    with their MACs, each gets its own offer and answers."""
    img = make_image(lab, "vda.img", 50)
    args = (drive(img, "d0") + ["-device", "virtio-blk-pci,drive=d0"] +
            netdev(0) + ["-device", "virtio-net-pci,netdev=n0,vectors=0,mac=" + MAC0] +
            netdev(1) + ["-device", "e1000,netdev=n1,mac=" + MAC1])
    m, console = boot_mgmt(lab, args)
    check(len(re.findall(r"\(d0\) mgmt: disk vda:", m.output)) == 1, "vda not reported once")
    check(not re.search(r"\(d0\) mgmt: disk vdb", m.output), "a second disk appeared")
    irq = re.search(r"\(d0\) mgmt: nic eth1: e1000 at [0-9a-f:.]+ (INTx \d+),", m.output)
    check(irq, "eth1 is not the e1000 with INTx: %s"
          % re.findall(r"\(d0\) mgmt: nic [^\n]*", m.output))
    notes = [exercise(lab, m, console, "eth0", "virtio-net", "polled", MAC0, polled=True),
             exercise(lab, m, console, "eth1", "e1000", irq[1], MAC1)]
    console("pci", r"\(d0\) [0-9a-f:.]+ 8086:100e class 02:00:00 driver e1000")
    console("pci", r"\(d0\) [0-9a-f:.]+ 1af4:1000 class 02:00:00 driver virtio-net")
    console("disks", r"\(d0\) vda\s+131072")
    finish(m, notes)


# name, function, rough seconds
NIC_CASES = [
    ("mgmt-nic-virtio", nic_virtio, 15),
    ("mgmt-nic-e1000", nic_e1000, 15),
    ("mgmt-nic-e1000e", nic_e1000e, 15),
    ("mgmt-nic-two", nic_two, 25),
]
