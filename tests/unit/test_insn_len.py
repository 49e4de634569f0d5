#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Cross-check vmm/emul/insn_len.c against binutils' disassembler.

    python3 tests/unit/test_insn_len.py [-n SAMPLES] [--seed N] [--record FILE]

Needs build/unit/test_insn_len (make unit-bins). It checks the unit test's
hand-written table (`test_insn_len --table`) and random byte strings in
16-, 32- and 64-bit code against `objdump -D -b binary`, and prints a summary
of disagreements by kind. With --record it rewrites the table of recorded
encodings (tests/unit/test_insn_len.inc) from samples where objdump decoded
a valid instruction and agrees with the decoder; the unit test then needs no
objdump. Only a development tool: the unit test does not run it.
"""

import argparse
import collections
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "build", "unit", "test_insn_len")
MACHINE = {16: "i8086", 32: "i386", 64: "i386:x86-64"}
SLOT = 32          # each sample sits in its own 32-byte slot ...
SAMPLE = 16        # ... 16 bytes of it, then NOPs so objdump resynchronizes
HOT = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x0f, 0x0f, 0x0f, 0x38, 0x3a,
       0xc4, 0xc5, 0x62, 0x8f, 0xf6, 0xf7, 0xa1, 0xc8]
LINE = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(.*))?$")


def objdump_lengths(bits, blob):
    """{offset: (length, text)} for every instruction objdump decodes."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(blob)
        f.flush()
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-m", MACHINE[bits], f.name],
                             capture_output=True, text=True, check=True).stdout
    insns, cur = {}, None
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        n = len(m.group(2).split())
        if m.group(3) is not None:
            cur = int(m.group(1), 16)
            insns[cur] = [n, m.group(3)]
        elif cur is not None:
            insns[cur][0] += n
    return insns


def our_lengths(queries):
    text = "".join("%d %s\n" % (bits, hexs) for bits, hexs in queries)
    out = subprocess.run([BIN, "--lengths"], input=text, capture_output=True,
                         text=True, check=True).stdout
    return [int(x) for x in out.split()]


PREFIXES = {"data16", "data32", "addr16", "addr32", "lock", "rep", "repz", "repnz",
            "cs", "ds", "es", "ss", "fs", "gs", "bnd", "notrack", "xacquire", "xrelease"}


def bad(text):
    """objdump shows an undecodable byte as "(bad)" or ".byte", and prefixes
    it could not attach to an instruction alone ("data16", "rex.W")."""
    words = text.split()
    return ("(bad)" in text or text.startswith(".byte") or
            all(w in PREFIXES or w.startswith("rex") for w in words))


def sample(rng, bits):
    b = []
    for _ in range(rng.randrange(0, 4)):
        b.append(rng.choice(HOT[:6] + ([0x40 | rng.randrange(16)] if bits == 64 else [])))
    while len(b) < SAMPLE:
        b.append(rng.choice(HOT) if rng.random() < 0.15 else rng.randrange(256))
    return bytes(b[:SAMPLE])


def compare(bits, samples):
    """Yield (kind, hex, ours, theirs, text) per sample."""
    blob = b"".join(s + b"\x90" * (SLOT - len(s)) for s in samples)
    theirs = objdump_lengths(bits, blob)
    queries = [(bits, blob[i * SLOT:(i + 1) * SLOT].hex(" ")) for i in range(len(samples))]
    ours = our_lengths(queries)
    for i, s in enumerate(samples):
        n, text = theirs.get(i * SLOT, (0, "(missing)"))
        o = ours[i]
        if bad(text):
            kind = "both invalid" if o < 0 else "objdump invalid, we decode"
        elif o < 0:
            kind = "we reject, objdump decodes"
        elif o == n:
            kind = "agree"
        else:
            kind = "LENGTH DIFFERS"
        yield kind, s.hex(" "), o, n, text


def check_table():
    rows = subprocess.run([BIN, "--table"], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    diffs = 0
    for bits in (16, 32, 64):
        mine = [r.split(" ", 2) for r in rows if r.startswith("%d " % bits)]
        samples = [bytes.fromhex(h) for _, _, h in mine]
        for (_, want, h), (kind, _, _, n, text) in zip(mine, compare(bits, samples)):
            want = int(want)
            if (want > 0 and n != want) or (want < 0 and not bad(text)) or bad(text) != (want < 0):
                diffs += 1
                print("table %2d-bit %-40s ours %3d objdump %2d  %s" % (bits, h, want, n, text))
    print("table: %d rows x 3 modes, %d differ from objdump (see above)" % (len(rows) // 3, diffs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20000, help="random samples per mode")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--record", metavar="FILE", help="write agreeing samples as a C table")
    ap.add_argument("--record-count", type=int, default=360, help="samples recorded (all modes)")
    ap.add_argument("-v", action="store_true", help="print every disagreement")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    check_table()
    record = []
    for bits in (16, 32, 64):
        samples = [sample(rng, bits) for _ in range(args.n)]
        counts, shown, agree = collections.Counter(), collections.Counter(), []
        for kind, h, o, n, text in compare(bits, samples):
            counts[kind] += 1
            if kind == "agree":
                agree.append((bits, n, h))
            elif kind != "both invalid" and (args.v or (shown[kind] < 8 and kind == "LENGTH DIFFERS")):
                shown[kind] += 1
                print("%2d-bit %-48s ours %3d objdump %2d  %s" % (bits, h, o, n, text))
        print("%d-bit: %s" % (bits, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        rng.shuffle(agree)
        record += agree[:args.record_count // 3]
    if args.record:
        picked = sorted(record)
        with open(args.record, "w") as f:
            f.write("/* Generated by tests/unit/test_insn_len.py --record: random encodings\n"
                    " * with the lengths binutils' objdump gives them. { bits, length, bytes } */\n")
            for bits, n, h in picked:
                f.write('{ %d, %d, "%s" },\n' % (bits, n, " ".join(h.split()[:n])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
