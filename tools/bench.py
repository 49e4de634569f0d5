#!/usr/bin/env python3
"""Boot-time figures (`make bench`): for each boot path, the median seconds
from emulator start to the hypervisor banner and to the first `eyrie> `
prompt, over several runs.  Runs are sequential so they do not compete for
the CPU.  Figures only: nothing here passes or fails.

    python3 tools/bench.py [--runs 5] [--bochs-runs 3] [--paths kernel,iso-bios]
"""

import argparse
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))

import harness  # noqa: E402


def one_run(path, i):
    """Seconds to the banner and to the prompt, or an error string."""
    with harness.Lab("bench-%s-%d" % (path, i)) as lab:
        try:
            m = lab.boot(path)
            m.expect(harness.BANNER_RE, m.limit - 5)
            banner = m.match_time
            m.expect_prompt(max(5, m.limit - 5 - m.elapsed()))
            return banner, m.match_time
        except harness.Failure as e:
            return str(e)


def emulator_version():
    try:
        out = subprocess.run([harness.QEMU, "--version"], capture_output=True,
                             text=True).stdout
        return out.splitlines()[0].strip()
    except (OSError, IndexError):
        return "QEMU version unknown"


def fmt(xs):
    return "%7.2f" % statistics.median(xs) if xs else "      -"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per QEMU path (default 5)")
    ap.add_argument("--bochs-runs", type=int, default=3, help="runs on Bochs (default 3)")
    ap.add_argument("--paths", default=",".join(harness.BOOT_PATHS),
                    help="comma-separated subset of: " + ", ".join(harness.BOOT_PATHS))
    args = ap.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    unknown = [p for p in paths if p not in harness.BOOT_PATHS]
    if unknown:
        ap.error("unknown boot path(s): %s" % ", ".join(unknown))

    rows, notes = [], []
    for path in paths:
        n = args.bochs_runs if path.startswith("bochs") else args.runs
        banners, prompts, errors = [], [], []
        for i in range(n):
            r = one_run(path, i)
            if isinstance(r, str):
                errors.append(r)
            else:
                banners.append(r[0])
                prompts.append(r[1])
            print("  %-10s run %d/%d: %s" % (path, i + 1, n, "no prompt" if isinstance(r, str)
                                             else "banner %.2f s, prompt %.2f s" % r),
                  file=sys.stderr, flush=True)
        rows.append((path, len(prompts), n, banners, prompts))
        if errors:
            notes.append("%s: %d of %d runs reached no prompt, e.g. %s"
                         % (path, len(errors), n, errors[0]))

    print("Seconds from emulator start to the banner and to the first prompt "
          "(medians; %s, TCG)" % emulator_version())
    print("%-10s %-42s %5s %7s %7s %7s %7s" % ("path", "how", "runs", "banner", "prompt",
                                               "min", "max"))
    for path, ok, n, banners, prompts in rows:
        print("%-10s %-42s %2d/%-2d %s %s %s %s"
              % (path, harness.BOOT_PATHS[path][0], ok, n, fmt(banners), fmt(prompts),
                 "%7.2f" % min(prompts) if prompts else "      -",
                 "%7.2f" % max(prompts) if prompts else "      -"))
    for note in notes:
        print("note: " + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
