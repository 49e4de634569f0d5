# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of the management domain's network backend and bridges
(mgmt/netback.c, mgmt/bridge.c; docs/network.md): Debian's kernel as PVH
and PVHVM guests built by the management domain, each with a vif on the
bridge xenbr0, driven through their consoles (tests/linux/init brings
eth0 up with the address of eyrie.net=). There is no emulated NIC and no
QEMU network at all: every frame stays inside the machine, between the
guests and the bridge. tests/boot/cases.py appends NET_CASES to its
CASES.
"""

import hashlib
import os
import re
import time

import harness
from harness import ELF, CONF
from guest_cases import (GUEST_DIR, check, check_audit, check_report, mem_frames, wait_for,
                         _short)
from linux_cases import LINUX_MIB, VMLINUX, VMLINUZ, INITRD

MGMT = os.path.join(harness.BUILD, "mgmt", "mgmt.elf")
NET = "192.0.2"            # RFC 5737's documentation range: never a real host
SEQ_N = 560000             # `seq 1 N`: about 4.4 MiB for the TCP transfer
MAC_B = "00:16:3e:0b:00:02"


def seq_md5(n):
    return hashlib.md5("".join("%d\n" % i for i in range(1, n + 1)).encode()).hexdigest()


def cfg(lab, name, kind, addr, vif, extra=""):
    """An xl.cfg for a Linux guest with one vif whose eth0 gets addr."""
    path = lab.tmp(name + ".cfg")
    pvh = kind == "pvh"
    with open(path, "w") as f:
        f.write('name = "%s"\ntype = "%s"\nmemory = %d\nkernel = "%s"\nramdisk = "initrd.img"\n'
                'cmdline = "console=%s eyrie.shell=1 eyrie.net=%s"\nvif = [ \'%s\' ]\n%s'
                % (name, kind, LINUX_MIB, "vmlinux" if pvh else "vmlinuz",
                   "hvc0" if pvh else "ttyS0", addr if addr == "dhcp" else addr + "/24", vif,
                   extra))
    return path


class Console:
    """The management console of a running machine, and the guests'
    consoles reached through it (`console NAME`, Ctrl-] back)."""

    def __init__(self, m):
        self.m = m
        self.attached = None
        self.n = 0

    def cmd(self, line, until, timeout=30):
        at = len(self.m.output)
        self.m.send(line + "\r")
        return wait_for(self.m, until, timeout, at)

    def attach(self, dom):
        """Attached to dom's console; self.since: where in the output its
        replayed log starts."""
        if self.attached == dom:
            return
        self.detach()
        self.since = len(self.m.output)
        self.cmd("console %s" % dom, r"\(d0\) \(attached to domain \d+")
        self.attached = dom

    def detach(self):
        if self.attached is not None:
            at = len(self.m.output)
            self.m.send("\x1d")
            wait_for(self.m, r"\(d0\) \((detached from|domain \d+ is gone)", 20, at)
            self.attached = None

    def run(self, dom, line, timeout=60):
        """A shell command in guest dom; the output up to its end marker."""
        self.attach(dom)
        self.n += 1
        at = len(self.m.output)
        self.m.send("%s; echo end-%d-$((6*7))\r" % (line, self.n))
        end = wait_for(self.m, r"\(d0\) end-%d-42" % self.n, timeout, at)
        return "\n".join(l[5:] for l in self.m.output[at:end.start()].split("\n")
                         if l.startswith("(d0) "))

    def mgmt(self, line, until, timeout=30):
        self.detach()
        return self.cmd(line, until, timeout)


def boot(lab, cfgs, mib=112, mem=1024, limit=600, qemu=()):
    mods = [MGMT, VMLINUX, VMLINUZ, INITRD] + cfgs + [CONF]
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append",
                  "loglevel=info domain=name=mgmt,type=pvh,image=mgmt.elf,memory=%d,privileged=1"
                  % mib, "-initrd", ",".join(mods)] + list(qemu), mem=mem, limit=limit)
    wait_for(m, r"\(d0\) mgmt: management console ready", 90)
    m.boot(30)
    frames0 = mem_frames(m).get("guest")
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)
    return m, Console(m), frames0


def create(c, name):
    return c.mgmt("create %s" % name, r"\(d0\) domain (\d+) \(%s\) created" % name, 60)[1]


def net_up(c, dom, timeout=200):
    """Waits for the guest's eth0 (its /init says net-up) and its shell."""
    c.attach(dom)
    at = c.since
    up = wait_for(c.m, r"\(d0\) (net-up eth0 (\S+) \S+|net-failed|net-insmod-failed)", timeout, at)
    check(up[1].startswith("net-up"), "guest %s: %s" % (dom, up[1]))
    wait_for(c.m, r"\(d0\) EYRIE-LINUX-SHELL", 60, at)
    return up[2]


def listen_md5(c, dom, port):
    """busybox nc listens on port in dom and prints the md5 of what it gets
    (rx-md5); returns once the port listens (its /proc/net/tcp row, state
    0A): a fixed sleep raced the sender on a loaded host."""
    c.run(dom, "(nc -l -p %d | md5sum | sed 's/^/rx-md5 /') & for i in $(seq 1 600); do "
          "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -q ':%04X [0-9A-F]*:0000 0A' "
          "&& break; sleep 0.1; done" % (port, port), 120)


def ping(c, dom, addr, count=3):
    out = c.run(dom, "ping -c %d -W 5 %s" % (count, addr), 60)
    hit = re.search(r"(\d+) packets transmitted, (\d+) packets received", out)
    check(hit, "ping from %s: %s" % (dom, _short(out, 500)))
    return int(hit[2])


def vif_row(c, dom):
    """network-list DOM: its first vif's lines as a dict of numbers."""
    hit = c.mgmt("network-list %s" % dom, r"\(d0\) grant copies: [^\n]*\n")
    text = c.m.output[max(0, hit.start() - 12000):hit.end()]
    rows = text[text.rfind("dom devid mac"):]
    r = re.search(r"\(d0\)\s+\d+\s+\d+ (\S+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)\n"
                  r"\(d0\)\s+in (\d+) frames [^(]*\(gso (\d+)\), out (\d+) frames [^(]*\(gso (\d+), "
                  r"segmented (\d+), csum filled (\d+)\)\n"
                  r"\(d0\)\s+drops: (.*); errors (\d+)", rows)
    check(r, "network-list %s: %s" % (dom, _short(rows, 800)))
    return {"mac": r[1], "bridge": r[2], "port": r[3], "state": r[4], "fe": r[5], "ring": r[6],
            "in": int(r[7]), "in_gso": int(r[8]), "out": int(r[9]), "out_gso": int(r[10]),
            "drops": r[13], "errors": int(r[14]), "text": rows}


def net_pvh(lab):
    """QEMU SVM: two PVH Linux guests (na: a MAC derived from its name; nb:
    a given MAC) on xenbr0. na pings nb; nb listens with busybox nc, na
    sends `seq 1 560000` (4.4 MiB) over TCP and nb's md5 of what it got
    is the host's; network-list shows both connected with sg, GSO and
    checksum offload negotiated and GSO frames through (in from na, out
    to nb); bridge-list shows both ports and the two learned addresses.
    na changes its MAC (`ip link set eth0 address`): its pings are dropped
    and counted as spoofed; back to its own MAC it pings again. `reboot -f`
    in na restarts it (on_reboot): its vif reconnects with the same MAC
    and it pings nb again. network-detach of nb's vif closes it (the
    guest's eth0 goes); network-attach gives it a new one. Then both are
    destroyed: no vif node in the store, no bridge, no frame in mgmt, and
    the hypervisor's audit finds no grant mapping left (0 foreign pages)."""
    cfgs = [cfg(lab, "na", "pvh", NET + ".1", "bridge=xenbr0", 'on_reboot = "restart"\n'),
            cfg(lab, "nb", "pvh", NET + ".2", "mac=%s, bridge=xenbr0" % MAC_B)]
    m, c, frames0 = boot(lab, cfgs)
    a, b = create(c, "na"), create(c, "nb")
    mac_a = net_up(c, "na")
    check(mac_a.startswith("00:16:3e:") and int(mac_a.split(":")[3], 16) < 0x80,
          "na's derived MAC %s is not under 00:16:3e with the fourth byte's top bit clear" % mac_a)
    check(net_up(c, "nb") == MAC_B, "nb's eth0 does not have the configured MAC %s" % MAC_B)
    check(ping(c, "na", NET + ".2") == 3, "na's pings to nb were not answered")
    # 4.4 MiB over TCP: nb listens, na sends, nb's md5 is the host's.
    listen_md5(c, "nb", 5000)
    out = c.run("na", "seq 1 %d > /tmp/f; md5sum /tmp/f; t0=$(cut -d' ' -f1 /proc/uptime); "
                "nc %s.2 5000 < /tmp/f; echo sent-$? $t0 $(cut -d' ' -f1 /proc/uptime)"
                % (SEQ_N, NET), 300)
    t = re.search(r"sent-0 ([\d.]+) ([\d.]+)", out)
    secs = float(t[2]) - float(t[1]) if t else -1
    want = seq_md5(SEQ_N)
    check("%s  /tmp/f" % want in out and "sent-0" in out, "na's side: %s" % _short(out, 500))
    c.detach()
    c.attach("nb")
    got = wait_for(m, r"\(d0\) [^\n]*rx-md5 (\w+)\s", 120, c.since)
    check(got[1] == want, "nb received md5 %s, na sent %s" % (got[1], want))
    bad = re.findall(r"net eth0: (Need more slots|Too many slots|rx->offset[^\n]*|Missing extra "
                     r"info|Invalid extra type[^\n]*|Bad rx response[^\n]*|GSO size must not be "
                     r"zero|Bad GSO type[^\n]*)", m.output)
    check(not bad, "xen-netfront complained about what it received: %s" % sorted(set(bad)))
    ra, rb = vif_row(c, "na"), vif_row(c, "nb")
    for r, who in ((ra, "na"), (rb, "nb")):
        check(r["state"] == "Connected" and r["fe"] == "Connected", "%s's vif: %s/%s"
              % (who, r["state"], r["fe"]))
        check(all(f in r["ring"].split() for f in ("sg", "gso4", "gso6", "csum4")),
              "%s's frontend did not take sg, GSO and checksum offload: %s" % (who, r["ring"]))
        check(r["errors"] == 0 and r["drops"] == "none", "%s's vif: drops %s, errors %d"
              % (who, r["drops"], r["errors"]))
    check(ra["mac"] == mac_a and rb["mac"] == MAC_B, "network-list MACs: %s %s"
          % (ra["mac"], rb["mac"]))
    check(ra["in_gso"] > 0 and rb["out_gso"] > 0,
          "no GSO frames went from na to nb (na in gso %d, nb out gso %d)"
          % (ra["in_gso"], rb["out_gso"]))
    bl = c.mgmt("bridge-list", r"\(d0\) bridge xenbr0: 2 ports, (\d+) addresses")
    text = m.output[bl.start():bl.start() + 2000]
    check(re.search(r"address %s at vif%s\.0" % (mac_a, a), text) and
          re.search(r"address %s at vif%s\.0" % (MAC_B, b), text),
          "bridge-list did not learn both guests: %s" % _short(text, 600))
    # A spoofed source: dropped and counted at na's port.
    spoofed0 = int((re.search(r"spoofed (\d+)", ra["drops"]) or [0, 0])[1])
    setmac = "ip link set eth0 down; ip link set eth0 address %s; ip link set eth0 up"
    out = c.run("na", (setmac % "00:16:3e:7f:00:99") + "; ping -c 2 -W 2 %s.2" % NET)
    check(" 0 packets received" in out, "a spoofed MAC still got answers: %s" % _short(out))
    r = vif_row(c, "na")
    spoofed = int((re.search(r"spoofed (\d+)", r["drops"]) or [0, 0])[1])
    check(spoofed >= spoofed0 + 2, "spoofed frames not counted at na's port: %s" % r["drops"])
    c.run("na", setmac % mac_a)
    check(ping(c, "na", NET + ".2") == 3, "na's own MAC again: no answers")
    # A reboot: a new domain, its vif again, the same MAC.
    c.attach("na")
    at = len(m.output)
    m.send("reboot -f\r")
    wait_for(m, r"\(d0\) mgmt: domain %s \(na\) rebooted: restart" % a, 60, at)
    a2 = wait_for(m, r"\(d0\) mgmt: domain na restarted as domain (\d+)\D", 60, at)[1]
    c.attached = None
    check(net_up(c, "na") == mac_a, "after the reboot na's MAC changed")
    check(ping(c, "na", NET + ".2") == 3, "after the reboot na's pings were not answered")
    # Unplug nb's vif (its netfront closes), then plug a new one.
    c.mgmt("network-detach nb 0", r"\(d0\) mgmt: domain %s: vif 0 detached" % b, 30)
    out = c.run("nb", "for i in $(seq 300); do [ -e /sys/class/net/eth0 ] || break; sleep 0.2; "
                "done; echo ifaces: $(ls /sys/class/net)")
    check(re.search(r"^ifaces: lo$", out, re.M), "nb still has eth0 after network-detach: %s"
          % _short(out))
    c.mgmt("network-attach nb mac=%s, bridge=xenbr0" % MAC_B, r"\(d0\) domain %s: vif attached" % b)
    out = c.run("nb", "for i in $(seq 300); do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; "
                "done; ip link set eth0 up; ip addr add %s.2/24 dev eth0; cat /sys/class/net/eth0/"
                "address" % NET)
    check(MAC_B in out, "nb's new vif: %s" % _short(out))
    check(ping(c, "na", NET + ".2") == 3, "na could not ping nb's new vif")
    # Destroy both: nothing left behind.
    c.mgmt("destroy na", r"\(d0\) domain %s: destroy done" % a2)
    c.mgmt("destroy nb", r"\(d0\) domain %s: destroy done" % b)
    c.mgmt("network-list", r"\(d0\) no vifs; grant copies: \d+ in \d+ hypercalls; frames in mgmt: 0 ")
    c.mgmt("bridge-list", r"\(d0\) no bridges")
    hit = c.mgmt("xenstore-ls /local/domain/0", r"\(d0\) mgmt> ")
    time.sleep(1)
    check(not re.search(r"\(d0\)\s+(vif|backend)", m.output[hit.end():]),
          "vif nodes left in the store: %s" % _short(m.output[hit.end():], 600))
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    hit = check_audit(m, "two PVH guests with vifs, one rebooted, destroyed")
    check(hit[3] == "0", "the hypervisor still counts %s foreign (grant-mapped) pages" % hit[3])
    # Domain 0's frames as before, less the console and store pages of the
    # two guest slots it mapped over its RAM (holes, as in Xen); the vifs'
    # rings were mapped above its RAM and cost none.
    frames1 = mem_frames(m).get("guest")
    check(frames1 == frames0 - 4, "guest frames after the destroy: %s, before the creates: %s "
          "(4 pages of domain 0 are holes now)" % (frames1, frames0))
    size = len("".join("%d\n" % i for i in range(1, SEQ_N + 1)))
    with open(m.log_path, "a") as f:
        f.write("\n# nc of %d bytes guest to guest: %.2f s by the sender's clock (%.2f MiB/s)\n"
                % (size, secs, size / secs / 1048576 if secs > 0 else 0))


def net_pvhvm(lab):
    """QEMU SVM: a PVHVM Linux guest (type hvm: Xen's platform device, as
    linux-pvhvm-disk) and a PVH one on xenbr0: the HVM guest's
    xen-netfront finds its vif through the store, connects (its rings in
    its own RAM, granted to domain 0), and its pings reach the PVH guest
    and back; 512 KiB sent over TCP from the PVH guest arrive intact.
    Both power off: no vif, bridge or grant mapping is left (audit)."""
    cfgs = [cfg(lab, "nh", "hvm", NET + ".3", ""),
            cfg(lab, "np", "pvh", NET + ".4", "bridge=xenbr0")]
    m, c, frames0 = boot(lab, cfgs)
    h, p = create(c, "nh"), create(c, "np")
    net_up(c, "nh", 300)
    net_up(c, "np")
    check(ping(c, "nh", NET + ".4") == 3, "the PVHVM guest's pings to the PVH one were not answered")
    listen_md5(c, "nh", 5001)
    out = c.run("np", "seq 1 80000 > /tmp/f; md5sum /tmp/f; nc %s.3 5001 < /tmp/f; echo sent-$?"
                % NET, 120)
    want = seq_md5(80000)
    check("%s  /tmp/f" % want in out and "sent-0" in out, "np's side: %s" % _short(out, 500))
    c.detach()
    c.attach("nh")
    got = wait_for(m, r"\(d0\) [^\n]*rx-md5 (\w+)\s", 120, c.since)
    check(got[1] == want, "the PVHVM guest received md5 %s, the PVH one sent %s" % (got[1], want))
    r = vif_row(c, "nh")
    check(r["state"] == "Connected" and r["fe"] == "Connected" and "sg" in r["ring"].split(),
          "the PVHVM guest's vif: %s" % _short(r["text"], 600))
    for dom, d in (("nh", h), ("np", p)):
        c.attach(dom)
        at = len(m.output)
        m.send("poweroff -f\r")
        wait_for(m, r"\(d0\) mgmt: domain %s \(%s\) powered off: destroy" % (d, dom), 60, at)
        c.attached = None
    c.mgmt("network-list", r"\(d0\) no vifs; grant copies: \d+ in \d+ hypercalls; frames in mgmt: 0 ")
    c.mgmt("bridge-list", r"\(d0\) no bridges")
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    hit = check_audit(m, "a PVHVM and a PVH guest with vifs")
    check(hit[3] == "0", "the hypervisor still counts %s foreign (grant-mapped) pages" % hit[3])


MAC_NF = {"nfa": "00:16:3e:4e:00:01", "nfb": "00:16:3e:4e:00:02", "nfh": "00:16:3e:4e:00:03"}
NF_BROKEN = 15             # broken rings netfront_hostile.c makes on its vif 0


def net_hostile(lab):
    """QEMU SVM: the management domain's network backend against a
    frontend that lies (tests/guests/netfront.c, cmdline "hostile", domain
    nfh) while two well-behaved ones (nfa and nfb, "good") probe each
    other every 5 ms on the same bridge. nfh first proves the honest path
    (its probe to nfa and a broadcast probe answered), then its attacks
    (bad frames answered with errors, a quiet ring, a flood of 20000
    frames during which the console answers, an event storm, its 7 sink
    vifs filling the frame budget, 15 broken rings each disconnecting it
    and a reconnection after, 13 refused connections, RX pages late or
    that cannot be written, a queue never taken, odd rings, state games)
    end with its vif's directory removed: DONE with 0 failed. mgmt said
    at most 8 lines about nfh's vif 0; network-list counts its broken
    rings, errors and drops (spoofed, bad gso, stalled) and the frames
    reclaimed from its sinks; nfa's vif has none, the bridge still has
    the good MACs at their own ports, and the good rounds went on during
    and after the attack with no probe lost. network-detach removes nfh's vif at once (not connected) and
    nfa's by force after 5 s (its guest is off and does not close); all
    destroyed: no vif, bridge, frame or store node is left and audit
    finds no grant mapping."""
    # nfh's vifs 1..7: "sinks" it connects and never posts RX pages to.
    sinks = {"nfa": [], "nfb": [], "nfh": ["00:16:3e:4e:01:%02x" % i for i in range(1, 8)]}
    cfgs = []
    for name, mode, peer in (("nfa", "good", "nfb"), ("nfb", "good", "nfa"),
                             ("nfh", "hostile", "nfa")):
        path = lab.tmp(name + ".cfg")
        with open(path, "w") as f:
            f.write('name = "%s"\ntype = "pvh"\nmemory = 4\nkernel = "netfront.elf"\n'
                    'cmdline = "%s peer=%s"\nvif = [ %s ]\non_poweroff = "preserve"\n'
                    % (name, mode, MAC_NF[peer], ", ".join("'mac=%s'" % mac for mac in
                                                            [MAC_NF[name]] + sinks[name])))
        cfgs.append(path)
    mods = [MGMT, os.path.join(GUEST_DIR, "netfront.elf")] + cfgs + [CONF]
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append",
                  "loglevel=info domain=name=mgmt,type=pvh,image=mgmt.elf,memory=24,privileged=1",
                  "-initrd", ",".join(mods)], limit=150)
    wait_for(m, r"\(d0\) mgmt: management console ready", 60)
    m.boot(30)
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to domain 0", 10)
    c = Console(m)
    a, b = int(create(c, "nfa")), int(create(c, "nfb"))
    for d in (a, b):
        wait_for(m, r"\(d%d\) netfront: good round \d+, lost 0" % d, 60)
    h = int(create(c, "nfh"))
    wait_for(m, r"\(d%d\) PASS netfront/event-serves-ring" % h, 60)
    # While the flood runs, the management console answers (within the
    # wait, a liveness bound; the time it took is printed, not judged: the
    # host's load decides it).
    t0 = time.monotonic()
    c.mgmt("list", r"\(d0\)\s+%d nfh\s+pvh\s+running" % h, 10)
    answered = time.monotonic() - t0
    flood = wait_for(m, r"\(d%d\) netfront: flood of 20000 frames in (\d+) ms" % h, 60)
    done = wait_for(m, r"\(d%d\) DONE netfront: " % h, 90)
    check_report(m.output, h, "netfront")
    said = re.findall(r"\(d0\) mgmt: domain %d: vif 0: ([^\n]*)\n" % h, m.output)
    check(len(said) == 8 and said[-1].endswith("(no more lines about this vif)") and
          "its TX ring is broken" in said[0],
          "mgmt's lines about nfh's vif (8 at most, the first a broken TX ring): %s" % said)
    # The good frontends went on meanwhile and after, losing nothing.
    wait_for(m, r"\(d%d\) netfront: good round \d+, lost 0" % a, 10, done.end())
    wait_for(m, r"\(d%d\) netfront: good round \d+, lost 0" % b, 10, done.end())
    rh, ra = vif_row(c, h), vif_row(c, a)
    check(rh["state"] == "Closed" and rh["fe"] == "Unknown",
          "nfh's vif after its device directory went: %s" % _short(rh["text"], 600))
    broken = re.search(r"broken rings (\d+)", rh["text"])
    check(broken and int(broken[1]) == NF_BROKEN, "nfh's broken rings: %s (wanted %d)"
          % (broken and broken[1], NF_BROKEN))
    bad = re.search(r"runt (\d+), oversize (\d+), zero (\d+), slots (\d+); copies (\d+), "
                    r"stalled (\d+)", rh["text"])
    check(bad and all(int(bad[i]) > 0 for i in range(1, 7)) and int(bad[6]) >= 3 and
          rh["errors"] > 10000, "nfh's errors %d, bad frames: %s" % (rh["errors"], bad and bad[0]))
    check(all(re.search(r"%s \d+" % why, rh["drops"]) for why in ("spoofed", "bad gso")),
          "nfh's port drops: %s" % rh["drops"])
    # Its sinks' queues held the frame budget until others needed it.
    reclaimed = sum(int(n) for n in re.findall(r"reclaimed (\d+)", rh["text"]))
    check(reclaimed > 0, "no frame reclaimed from nfh's sinks: %s" % _short(rh["text"], 1500))
    check(ra["state"] == "Connected" and ra["fe"] == "Connected" and ra["errors"] == 0 and
          ra["drops"] == "none", "nfa's vif: %s" % _short(ra["text"], 600))
    bl = c.mgmt("bridge-list", r"\(d0\) bridge xenbr0: 10 ports, (\d+) addresses")
    text = m.output[bl.start():bl.start() + 2000]
    for name, d in (("nfa", a), ("nfb", b), ("nfh", h)):
        check(re.search(r"address %s at vif%d\.0" % (MAC_NF[name], d), text),
              "bridge-list: %s not at its own port: %s" % (MAC_NF[name], _short(text, 800)))
    for d in (a, b):
        c.mgmt("xenstore-write /local/domain/%d/data/stop 1" % d, r"\(d0\) mgmt> ")
    for d in (a, b):
        stop = wait_for(m, r"\(d%d\) netfront: good stopped after (\d+) rounds, (\d+) lost" % d, 30)
        wait_for(m, r"\(d%d\) DONE netfront: " % d, 30)
        check_report(m.output, d, "netfront")
        check(int(stop[2]) == 0, "nf%s lost %s probes" % ("ab"[d != a], stop[2]))
    # Detach: nfh's at once (it is not connected); nfa's guest is off and
    # never closes: by force after 5 s.
    c.mgmt("network-detach nfh 0", r"\(d0\) mgmt: domain %d: vif 0 detached" % h, 10)
    t0 = time.monotonic()
    c.mgmt("network-detach nfa 0", r"\(d0\) mgmt: domain %d: vif 0: its frontend did not close "
           r"within 5 s: detached by force" % a, 30)
    forced = time.monotonic() - t0
    for d in (a, b, h):
        c.mgmt("destroy %d" % d, r"\(d0\) domain %d: destroy done" % d)
    c.mgmt("network-list", r"\(d0\) no vifs; grant copies: \d+ in \d+ hypercalls; frames in mgmt: 0 ")
    c.mgmt("bridge-list", r"\(d0\) no bridges")
    hit = c.mgmt("xenstore-ls /local/domain/0", r"\(d0\) mgmt> ")
    time.sleep(1)
    check(not re.search(r"\(d0\)\s+(vif|backend)", m.output[hit.end():]),
          "vif nodes left in the store: %s" % _short(m.output[hit.end():], 600))
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    hit = check_audit(m, "a hostile network frontend and two good ones")
    check(hit[3] == "0", "the hypervisor still counts %s foreign (grant-mapped) pages" % hit[3])
    print("    flood: 20000 frames in %s ms; console answered in %.1f s; forced detach after "
          "%.1f s" % (flood[1], answered, forced))


DOM0_IP = "10.0.2.200"     # domain 0's address on xenbr0, outside slirp's DHCP range
SINK_N = 400000            # `seq 1 N` to domain 0's discard port: about 2.7 MiB


def net_dhcp(lab, device):
    """QEMU SVM with one NIC on QEMU's user network (slirp, restrict=on):
    at boot the management domain makes eth0 the uplink of xenbr0
    (promiscuous). A PVH Linux guest on xenbr0 asks for a lease with
    busybox's udhcpc: slirp's offer of 10.0.2.15 comes back through the
    NIC and the bridge; the guest pings slirp's 10.0.2.2 through the
    uplink. Domain 0 takes 10.0.2.200 on the bridge (bridge-ip): the
    guest pings it and sends it 2.7 MiB over TCP (its discard port 9),
    all of which bridge-uplink counts. The guest destroyed, the bridge
    keeps its uplink and address, nothing of the guest is left (audit)."""
    nic = "virtio-net-pci" if device == "virtio" else device
    cfgs = [cfg(lab, "nd", "pvh", "dhcp", "bridge=xenbr0")]
    m, c, _ = boot(lab, cfgs, qemu=["-netdev", "user,id=n0,restrict=on",
                                    "-device", "%s,netdev=n0,mac=52:54:00:12:34:56" % nic])
    check(re.search(r"\(d0\) mgmt: xenbr0: uplink eth0", m.output),
          "no uplink of xenbr0 at boot: %s" % re.findall(r"\(d0\) mgmt: [^\n]*(?:nic|xenbr)[^\n]*",
                                                        m.output))
    c.mgmt("bridge-ip xenbr0 " + DOM0_IP, r"\(d0\) xenbr0: address " + re.escape(DOM0_IP))
    d = create(c, "nd")
    net_up(c, "nd", 240)
    lease = re.search(r"\(d0\) net-lease eth0 ([\d.]+)/(\d+) from ([\d.]+)", m.output)
    check(lease and lease.group(1, 2, 3) == ("10.0.2.15", "24", "10.0.2.2"),
          "the guest's lease: %s" % (lease and lease.group(0)))
    check(ping(c, "nd", "10.0.2.2") == 3, "slirp did not answer the guest's pings (through eth0)")
    check(ping(c, "nd", DOM0_IP) == 3, "domain 0's address did not answer the guest's pings")
    size = len("".join("%d\n" % i for i in range(1, SINK_N + 1)))
    out = c.run("nd", "seq 1 %d > /tmp/f; nc %s 9 < /tmp/f; echo sent-$?" % (SINK_N, DOM0_IP), 200)
    check("sent-0" in out, "the guest's nc to domain 0: %s" % _short(out))
    hit = c.mgmt("bridge-uplink", r"\(d0\) address xenbr0: [^\n]*\n(?:\(d0\)   discard:[^\n]*\n)*"
                 r"\(d0\)   discard: last transfer (\d+) bytes from 10\.0\.2\.15 in (\d+) us", 30)
    check(int(hit[1]) == size, "domain 0's discard port took %s bytes of %d" % (hit[1], size))
    sink_us = int(hit[2])
    up = re.search(r"\(d0\) uplink xenbr0: eth0 \(([\w-]+), [^)]*\), link up, promiscuous",
                   m.output[hit.start() - 600:hit.end()])
    check(up, "bridge-uplink does not show eth0 up and promiscuous")
    c.mgmt("destroy nd", r"\(d0\) domain %s: destroy done" % d)
    bl = c.mgmt("bridge-list", r"\(d0\) bridge xenbr0: 2 ports")
    text = m.output[bl.start():bl.start() + 1500]
    check("vif" not in text, "a vif is left on xenbr0: %s" % _short(text, 600))
    m.send("\x01\x01\x01")
    wait_for(m, r"\(input to the hypervisor shell\)", 10)
    hit = check_audit(m, "a PVH guest on the uplink's bridge")
    check(hit[3] == "0", "the hypervisor still counts %s foreign (grant-mapped) pages" % hit[3])
    with open(m.log_path, "a") as f:
        f.write("\n# guest to domain 0's discard port over %s: %d bytes in %d us (%.2f MiB/s)\n"
                % (nic, size, sink_us, size / max(sink_us, 1) * 1e6 / 1048576))


NET_CASES = [
    ("net-pvh", net_pvh, 240),
    ("net-pvhvm", net_pvhvm, 120),
    ("net-hostile", net_hostile, 60),
    ("net-dhcp-virtio", lambda lab: net_dhcp(lab, "virtio"), 180),
    ("net-dhcp-e1000", lambda lab: net_dhcp(lab, "e1000"), 180),
]
