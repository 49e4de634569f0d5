#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""SPDX-License-Identifier lines on every source file git tracks (LICENSE).

    python3 tools/spdx.py           # add the line where it is missing
    python3 tools/spdx.py --check   # list files without one; exit 1 if any

C, assembly and linker scripts get `/* SPDX-License-Identifier: ... */` as
their first line; Python, shell, make and config files `# SPDX-...`, after
a `#!` line if there is one. include/public/ is MIT, the rest GPL-2.0-only.
"""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
C_LIKE = (".c", ".h", ".S", ".ld", ".inc")
HASH = (".py", ".sh", ".mk", ".conf", ".cfg")
HASH_NAMES = {"Makefile", "run", "init", "rootinit"}


def licence(path):
    return "MIT" if path.startswith("include/public/") else "GPL-2.0-only"


def kind(path):
    name = os.path.basename(path)
    if name.endswith(C_LIKE):
        return "c"
    if name.endswith(HASH) or name in HASH_NAMES:
        return "hash"
    return None


def files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return [f for f in out if f and kind(f) and os.path.isfile(os.path.join(ROOT, f))]


def tagged(text):
    return "SPDX-License-Identifier:" in "\n".join(text.split("\n")[:3])


def add(path):
    full = os.path.join(ROOT, path)
    text = open(full, encoding="utf-8", errors="surrogateescape").read()
    if tagged(text):
        return False
    tag = "SPDX-License-Identifier: " + licence(path)
    if kind(path) == "c":
        text = "/* %s */\n" % tag + text
    elif text.startswith("#!"):
        first, _, rest = text.partition("\n")
        text = "%s\n# %s\n%s" % (first, tag, rest)
    else:
        text = "# %s\n" % tag + text
    with open(full, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)
    return True


def main():
    if "--check" in sys.argv:
        missing = [f for f in files()
                   if not tagged(open(os.path.join(ROOT, f), errors="replace").read(4096))]
        for f in missing:
            print("spdx: no SPDX-License-Identifier line: " + f)
        print("spdx: %d of %d files without a licence line" % (len(missing), len(files())))
        return 1 if missing else 0
    n = sum(add(f) for f in files())
    print("spdx: added the line to %d files" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
