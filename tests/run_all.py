#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run every Eyrie test: the cmocka unit-test binaries build/unit/test_*, then
the boot tests of tests/boot/cases.py, two at a time.

One line per test, `PASS name (12.3 s)` or `FAIL name: reason`, then exactly
one summary line `N passed, N failed`; exit status 0 only if nothing failed.
Logs: build/test-logs/ (unit-NAME.log, and NAME.log / NAME.emu.log per boot
test).  See docs/testing.md.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "boot"))

import harness  # noqa: E402
import cases    # noqa: E402

UNIT_LIMIT = 120  # seconds per unit-test binary
_print_lock = threading.Lock()


def say(line):
    with _print_lock:
        print(line, flush=True)


def rel(path):
    return os.path.relpath(path, os.getcwd())


# -- unit tests ----------------------------------------------------------------

_RUN = re.compile(r"^\[ RUN      \] (.+)$")
_RESULT = re.compile(r"^\[ *(OK|FAILED|SKIPPED|ERROR) *\] (.+)$")
_ERROR_MSG = re.compile(r"^\[ *(?:ERROR|LINE) *\] --- (.+)$")


def run_unit(binary):
    """Run one cmocka binary; return (passed, failed) counts of its tests."""
    name = os.path.basename(binary)
    log = os.path.join(harness.LOG_DIR, "unit-%s.log" % name)
    t0 = time.monotonic()
    try:
        r = subprocess.run(["timeout", "-k", "5", str(UNIT_LIMIT), binary],
                           capture_output=True, text=True, errors="replace",
                           env=dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout"))
        out, err, rc = r.stdout, r.stderr, r.returncode
    except OSError as e:
        out, err, rc = "", str(e), -1
    secs = time.monotonic() - t0
    with open(log, "w") as f:
        f.write("$ %s\n%s\n--- stderr ---\n%s\n# exit status %d\n" % (binary, out, err, rc))
    # Per-test results are on stdout; failure messages are on stderr, in order.
    results, running = [], None
    for line in out.splitlines():
        m = _RUN.match(line)
        if m:
            running = m[1]
            continue
        m = _RESULT.match(line)
        if m and running is not None and m[2].strip() == running:
            results.append((running, m[1]))
            running = None
    messages = []            # one per failure: "message at file:line"
    for line in err.splitlines():
        m = _ERROR_MSG.match(line)
        if not m:
            continue
        if line.lstrip("[ ").startswith("LINE") and messages:
            messages[-1] += " at " + m[1]
        else:
            messages.append(m[1])
    passed = sum(1 for _, res in results if res == "OK")
    failed = 0
    for test, res in results:
        if res in ("FAILED", "ERROR"):
            failed += 1
            why = messages.pop(0) if messages else "failed"
            say("FAIL unit/%s/%s: %s (see %s)" % (name, test, why, rel(log)))
        elif res == "SKIPPED":
            say("SKIP unit/%s/%s" % (name, test))
    status = ("killed by signal %d" % -rc) if rc < 0 else ("exit status %d" % rc)
    if running is not None:
        failed += 1
        planned = sum(int(n) for n in re.findall(r"^\[=+\] Running (\d+) test", out, re.M))
        rest = planned - len(results) - 1
        say("FAIL unit/%s/%s: crashed (%s%s; see %s)"
            % (name, running, "timed out" if rc == 124 else status,
               ", %d later test(s) not run" % rest if rest > 0 else "", rel(log)))
    elif rc != 0 and failed == 0:
        failed += 1
        what = "timed out" if rc == 124 else status
        say("FAIL unit/%s: %s with no failed test reported (see %s)" % (name, what, rel(log)))
    if passed:
        say("PASS unit/%s: %d test(s) (%.1f s)" % (name, passed, secs))
    elif not results and rc == 0:
        say("FAIL unit/%s: ran no tests (see %s)" % (name, rel(log)))
        failed += 1
    return passed, failed


def picked(pattern, name):
    """-k TEXT: names containing TEXT; -k =NAME: that name only."""
    if pattern.startswith("="):
        return name == pattern[1:]
    return pattern in name


def run_units(pattern):
    passed = failed = 0
    bins = sorted(b for b in glob.glob(os.path.join(harness.BUILD, "unit", "test_*"))
                  if os.access(b, os.X_OK) and not b.endswith((".d", ".o"))
                  and os.path.isfile(b))
    for b in bins:
        if pattern and not picked(pattern, "unit/" + os.path.basename(b)):
            continue
        p, f = run_unit(b)
        passed += p
        failed += f
    return passed, failed


# -- boot tests ----------------------------------------------------------------

def run_case(name, func):
    t0 = time.monotonic()
    lab = harness.Lab(name)
    try:
        func(lab)
        ok, reason = True, ""
    except harness.Failure as e:
        ok, reason = False, str(e)
    except Exception as e:  # a bug in the test itself: still one FAIL line
        ok, reason = False, "test error: %s: %s" % (type(e).__name__, e)
    finally:
        lab.close()
    secs = time.monotonic() - t0
    if ok:
        say("PASS %s (%.1f s)" % (name, secs))
    else:
        reason = " ".join(reason.split())
        if len(reason) > 600:
            reason = reason[:600] + "..."
        log = os.path.join(harness.LOG_DIR, name + ".log")
        if "log " not in reason and "see " not in reason and os.path.exists(log):
            reason += "; log %s" % rel(log)
        say("FAIL %s: %s (%.1f s)" % (name, reason, secs))
    return ok


def run_boot(pattern, jobs):
    selected = [(n, f) for n, f, _ in sorted(cases.CASES, key=lambda c: -c[2])
                if picked(pattern, n)]
    passed = failed = 0
    interrupted = False
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_case, *c) for c in selected]
        while True:
            try:
                for fut in futures:
                    if not fut.cancelled():
                        ok = fut.result()
                        passed += ok
                        failed += not ok
                break
            except KeyboardInterrupt:
                # Stop: no new machines, kill the running ones (their tests
                # then fail at once), and collect what is left.
                interrupted = True
                for fut in futures:
                    fut.cancel()
                harness.stop_all()
                passed = failed = 0
    if interrupted:
        say("interrupted")
        failed += 1
    return passed, failed


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", metavar="TEXT", default="",
                    help="only tests whose name contains TEXT, or is NAME with -k =NAME "
                         "(unit tests are unit/test_NAME)")
    ap.add_argument("-j", type=int, default=2, help="boot tests run in parallel (default 2)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--unit-only", action="store_true")
    g.add_argument("--boot-only", action="store_true")
    ap.add_argument("--list", action="store_true", help="list the boot tests and exit")
    args = ap.parse_args()
    if args.list:
        for name, func, secs in cases.CASES:
            print("%-24s %s" % (name, ((func.__doc__ or "").strip().splitlines() or [""])[0]))
        return 0
    os.makedirs(harness.LOG_DIR, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupted)
    passed = failed = 0
    try:
        if not args.boot_only:
            p, f = run_units(args.k)
            passed, failed = passed + p, failed + f
        if not args.unit_only:
            p, f = run_boot(args.k, max(1, args.j))
            passed, failed = passed + p, failed + f
    except KeyboardInterrupt:
        harness.stop_all()
        say("interrupted")
        failed += 1
    say("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
