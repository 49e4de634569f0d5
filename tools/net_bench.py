# SPDX-License-Identifier: GPL-2.0-only
"""`make bench`'s network section (tools/bench.py --sections net): TCP
between guests on one bridge, against the same transfer between two
processes of one guest over loopback. Figures only.

One QEMU TCG machine: the hypervisor, the management domain (mgmt) with
Debian's kernel among its modules, two PVH Linux guests (1 vcpu each) with
a vif on xenbr0, and domain 0's own address on xenbr0 (bridge-ip: its TCP
discard sink on port 9). Each transfer is `dd if=/dev/zero bs=64k` piped
into busybox `nc` (64 MiB), timed by the sender with /proc/uptime (10 ms;
nc returns once the receiver closed):
  - loopback: na to a `nc -l` of its own at 127.0.0.1;
  - guest -> guest: na to a `nc -l` in nb (on nb's vcpu);
  - guest -> domain 0: na to domain 0's discard sink, whose own clock
    (bridge-uplink: the first to the last segment) is printed too.
Around the guest -> guest transfer, network-list gives na's and nb's frames
and event-channel notifications (each way), and the hypervisor shell's
`exits` the VM exits of na, nb and domain 0: per MiB, and per frame.
Then `ping -c 20` from na to nb: the round trip.
"""

import os
import re
import statistics
import sys

import harness
import guest_cases
import linux_cases
import net_cases
from guest_cases import wait_for

MIB = 64
NET = net_cases.NET
DOM0 = NET + ".100"


class Bench:
    def __init__(self, lab):
        cfgs = [net_cases.cfg(lab, "na", "pvh", NET + ".1", "bridge=xenbr0"),
                net_cases.cfg(lab, "nb", "pvh", NET + ".2", "bridge=xenbr0")]
        self.m, self.c, _ = net_cases.boot(lab, cfgs, limit=1800)
        self.ids = {"na": int(net_cases.create(self.c, "na")),
                    "nb": int(net_cases.create(self.c, "nb")), "dom0": 0}
        net_cases.net_up(self.c, "na", 300)
        net_cases.net_up(self.c, "nb", 300)
        self.c.mgmt("bridge-ip xenbr0 " + DOM0, r"\(d0\) xenbr0: address ")

    def exits(self):
        """VM exits so far of na, nb and domain 0 (the hypervisor shell)."""
        self.c.detach()
        self.m.send("\x01\x01\x01")
        wait_for(self.m, r"\(input to the hypervisor shell\)", 10)
        out = {}
        for name, dom in self.ids.items():
            text = guest_cases.shell(self.m, "exits %d" % dom, r"domain %d vcpu \d+: \d+ exits"
                                     % dom)
            why = {}
            for reason, n in re.findall(r"^  (\w[\w ]*?)\s+(\d+)$", text, re.M):
                why[reason] = why.get(reason, 0) + int(n)
            out[name] = why
        self.m.send("\x01\x01\x01")
        wait_for(self.m, r"\(input to domain 0", 10)
        return out

    def vif(self, name):
        """A vif's frames in (from the guest), out (to it), and the events
        in (TX, RX) and out it counted."""
        r = net_cases.vif_row(self.c, name)
        ev = re.search(r"events in (\d+)/(\d+), out (\d+)/(\d+)", r["text"])
        gc = re.search(r"grant copies: (\d+) in (\d+) hypercalls", r["text"])
        return {"in": r["in"], "out": r["out"], "copy_calls": int(gc[2]) if gc else 0,
                "ev_in": int(ev[1]) + int(ev[2]), "ev_out": int(ev[3]) + int(ev[4])}

    def send(self, dest, port):
        """64 MiB from na to dest:port; seconds by na's clock."""
        out = self.c.run("na", "t0=$(cut -d' ' -f1 /proc/uptime); dd if=/dev/zero bs=64k count=%d"
                         " 2>/dev/null | nc %s %d; echo sent-$? $t0 $(cut -d' ' -f1 /proc/uptime)"
                         % (MIB * 16, dest, port), 1200)
        t = re.search(r"sent-0 ([\d.]+) ([\d.]+)", out)
        if not t:
            raise harness.Failure("nc to %s:%d: %s" % (dest, port, out[-300:]))
        return float(t[2]) - float(t[1])

    def listen(self, dom, port):
        self.c.run(dom, "(nc -l -p %d > /dev/null; echo got-%d-done) & sleep 1" % (port, port))


def one_run(i):
    with harness.Lab("bench-net-%d" % i) as lab:
        try:
            b = Bench(lab)
            r = {}
            b.listen("na", 5100)
            r["loop"] = b.send("127.0.0.1", 5100)
            b.listen("nb", 5000)
            x0, a0, n0 = b.exits(), b.vif("na"), b.vif("nb")
            r["g2g"] = b.send(NET + ".2", 5000)
            x1, a1, n1 = b.exits(), b.vif("na"), b.vif("nb")
            r["why"] = {k: {w: x1[k].get(w, 0) - x0[k].get(w, 0) for w in x1[k]} for k in x1}
            r["exits"] = {k: sum(v.values()) for k, v in r["why"].items()}
            r["na"] = {k: a1[k] - a0[k] for k in a0}
            r["nb"] = {k: n1[k] - n0[k] for k in n0}
            r["g2d"] = b.send(DOM0, 9)
            hit = b.c.mgmt("bridge-uplink", r"\(d0\)   discard: last transfer (\d+) bytes from "
                           r"[\d.]+ in (\d+) us")
            r["g2d_sink"] = (int(hit[1]), int(hit[2]))
            out = b.c.run("na", "ping -c 20 -i 0.2 %s.2" % NET, 120)
            rtt = re.search(r"round-trip min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms", out)
            r["rtt"] = tuple(float(x) for x in rtt.groups()) if rtt else None
            return r
        except harness.Failure as e:
            return str(e)


def net_section(args):
    if not os.path.exists(linux_cases.VMLINUX):
        print("net: %s missing: run make linux-guest" % linux_cases.VMLINUX)
        return
    runs = []
    for i in range(args.net_runs):
        r = one_run(i)
        print("  net run %d/%d: %s" % (i + 1, args.net_runs,
                                       "failed: " + r if isinstance(r, str) else "done"),
              file=sys.stderr, flush=True)
        if not isinstance(r, str):
            runs.append(r)
    if not runs:
        print("Network: every run failed")
        return
    med = lambda xs: statistics.median(xs)  # noqa: E731
    rate = lambda k: med([MIB / r[k] for r in runs])  # noqa: E731
    loop, g2g, g2d = rate("loop"), rate("g2g"), rate("g2d")
    print("Network: TCP, %d MiB of zeros by busybox nc, PVH Linux guests (1 vcpu) on xenbr0 "
          "(QEMU TCG); medians of %d run(s)" % (MIB, len(runs)))
    print("  loopback inside one guest:   %7.1f MiB/s" % loop)
    print("  guest -> guest (bridge):     %7.1f MiB/s  ratio to loopback %.2f (target >= 0.50)"
          % (g2g, g2g / loop))
    sink = med([r["g2d_sink"][0] / r["g2d_sink"][1] * 1e6 / 1048576 for r in runs])
    print("  guest -> domain 0 (port 9):  %7.1f MiB/s  (%.1f MiB/s by domain 0's clock, first "
          "to last segment)" % (g2d, sink))
    rtts = [r["rtt"] for r in runs if r["rtt"]]
    if rtts:
        print("  ping guest -> guest:         min/avg/max %.3f/%.3f/%.3f ms (20 pings)"
              % tuple(med([x[i] for x in rtts]) for i in range(3)))
    per = lambda f: med([f(r) / MIB for r in runs])  # noqa: E731
    print("  per MiB guest -> guest: %.0f frames sent (na TX), %.0f frames to na (ACKs);"
          % (per(lambda r: r["na"]["in"]), per(lambda r: r["na"]["out"])))
    print("    notifications: na -> backend %.1f, backend -> na %.1f, nb -> backend %.1f, "
          "backend -> nb %.1f" % (per(lambda r: r["na"]["ev_in"]), per(lambda r: r["na"]["ev_out"]),
                                  per(lambda r: r["nb"]["ev_in"]), per(lambda r: r["nb"]["ev_out"])))
    print("    VM exits: na %.0f, nb %.0f, domain 0 %.0f; per frame moved (both ways) %.2f"
          % (per(lambda r: r["exits"]["na"]), per(lambda r: r["exits"]["nb"]),
             per(lambda r: r["exits"]["dom0"]),
             med([sum(r["exits"].values()) / max(1, r["na"]["in"] + r["na"]["out"])
                  for r in runs])))
    for who in ("na", "nb", "dom0"):
        reasons = sorted(runs[0]["why"][who].items(), key=lambda kv: -kv[1])[:4]
        print("      %-4s by reason: %s" % (who, ", ".join(
            "%s %.1f" % (w, per(lambda r, w=w: r["why"][who].get(w, 0))) for w, _ in reasons)))
    print("    domain 0's grant-copy hypercalls: %.1f per MiB"
          % per(lambda r: r["nb"]["copy_calls"]))
