# SPDX-License-Identifier: GPL-2.0-only
"""Boot-test harness: run an emulator under a hard time limit and talk to its
serial line (COM1).

A test gets a Lab (one per test: names the logs, owns a scratch folder, starts
machines, kills them all at the end).  A Machine is one emulator process:

    m = lab.boot("kernel")               # one of BOOT_PATHS, started
    m.expect_prompt()                    # waits for 'eyrie> '
    out = m.command("info")              # text between the echo and the next prompt
    m.send("poweroff\\r"); m.wait_exit(30)

Every emulator runs under `timeout -k 5 LIMIT` in its own process group and
is always killed and reaped (Lab.close, atexit).  The serial bytes are saved
unchanged to build/test-logs/NAME.log; the emulator's command line, stderr
and exit status go to NAME.emu.log.  Matching works on a cleaned copy of the
text: ANSI escape sequences removed (cursor positioning becomes a newline),
CR and NUL dropped, so output lines end with a plain "\\n".

Only the Python standard library is used.
"""

import atexit
import glob
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import tty
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("EYRIE_BUILD", os.path.join(ROOT, "build")))
LOG_DIR = os.path.abspath(os.environ.get("EYRIE_TEST_LOGS",
                                         os.path.join(ROOT, "build", "test-logs")))
CONF = os.path.join(ROOT, "conf", "hypervisor.conf")

ELF = os.path.join(BUILD, "eyrie.elf")
ISO = os.path.join(BUILD, "eyrie.iso")
USB_IMG = os.path.join(BUILD, "eyrie-usb.img")
PXE_DIR = os.path.join(BUILD, "pxe")

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
BOCHS_BIOS = "/usr/share/bochs/BIOS-bochs-latest"
BOCHS_VGA = "/usr/share/vgabios/vgabios.bin"

# Every wait for output (expect, wait_for, a QMP reply, an exit) is a
# liveness bound: it costs nothing when the output comes, and a loaded
# machine (CI: 2 cores, two emulators of several threads each, load
# average 7) runs an emulator several times slower than an idle one. So
# each wait is the figure its test gives times TIMEOUT_SCALE. A run's hard
# limit (limit=) is not scaled: it stops a hung emulator.
TIMEOUT_SCALE = float(os.environ.get("EYRIE_TIMEOUT_SCALE", "3"))


def scaled(timeout):
    """A test's wait of `timeout` seconds as the harness waits it."""
    return timeout * TIMEOUT_SCALE


PROMPT = "eyrie> "
PROMPT_RE = re.escape(PROMPT)
BANNER_RE = r"Eyrie hypervisor"

# CSI sequences (ESC [ params letter), two-byte escapes, lone ESC.
_ANSI = re.compile(rb"\x1b\[[0-9;?=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[@-Z\\-_=>78c]")
_ANSI_CUP = re.compile(rb"\x1b\[[0-9;]*[Hf]")


class Failure(Exception):
    """A test failed; the message is one line meant for the report."""


def clean(data):
    """Raw serial bytes -> text for matching (see the module comment)."""
    data = _ANSI_CUP.sub(b"\n", data)
    data = _ANSI.sub(b"", data)
    data = data.replace(b"\r", b"").replace(b"\x00", b"").replace(b"\x1b", b"")
    return data.decode("latin-1")


def _split_escape_tail(buf):
    """Split buf into (ready, held): held is a trailing escape sequence that
    may still be incomplete, kept until more bytes arrive."""
    i = buf.rfind(b"\x1b")
    if i < 0 or len(buf) - i > 32 or _ANSI.match(buf, i):
        return buf, b""
    return buf[:i], buf[i:]


def _netns_prefix():
    """Command prefix running a process in a new, empty network namespace
    (only a down loopback), so Bochs's VNC server listens nowhere
    reachable. Root uses unshare -n; others try a user namespace too."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        try:
            if subprocess.run(prefix + ["true"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0:
                return prefix
        except OSError:
            pass
    return []


def _oneline(text, limit=160):
    text = " | ".join(l for l in text.strip().splitlines() if l.strip())
    return text if len(text) <= limit else "..." + text[-limit:]


NETNS = _netns_prefix()

_live = set()
_live_lock = threading.Lock()


_stopping = threading.Event()


def _kill_all():
    with _live_lock:
        machines = list(_live)
    for m in machines:
        m.close()


def stop_all():
    """Interrupted: start no more machines, kill the running ones."""
    _stopping.set()
    _kill_all()


atexit.register(_kill_all)


class Machine:
    """One emulator process and its serial line.

    transport "stdio": the serial line is the emulator's stdin/stdout (QEMU
    `-serial stdio`).  transport "pty": the emulator opens the slave side of
    a pseudo-terminal we hold the master of (Bochs `mode=term`), pass it as
    pty=(master_fd, slave_fd).
    """

    def __init__(self, name, argv, *, limit, transport="stdio", pty=None,
                 cwd=None, env=None, pace=None, qmp=None):
        self.name = name
        # QEMU only: path of a QMP unix socket; its SHUTDOWN events tell a
        # guest power-off ("guest-shutdown") from a reset ("guest-reset",
        # which -no-reboot turns into an exit).
        self.qmp_path = qmp
        self.qmp_events = []
        self._qmp_replies = []
        self._qmp_sock = None
        self._qmp_thread = None
        self.argv = list(argv)
        self.limit = limit
        self.transport = transport
        self.pty_master, self._pty_slave = pty or (None, None)
        self.cwd = cwd
        self.env = env
        # (chunk, delay): send at most chunk bytes, then sleep delay seconds.
        # Bochs's UART takes one byte per character time from its socket and
        # drops it if the 16-byte FIFO is full, so input is paced there.
        self.pace = pace
        self.log_path = os.path.join(LOG_DIR, name + ".log")
        self.emu_log_path = os.path.join(LOG_DIR, name + ".emu.log")
        self.proc = None
        self.rc = None
        self.t_start = None
        self.before = ""          # text between the previous and the last match
        self.match_time = None    # seconds from start to the data that completed the last match
        self._raw = bytearray()
        self._held = b""
        self._text = ""
        self._stamps = []         # (len(self._text) after a chunk, arrival time)
        self._pos = 0
        self._eof = False
        self._cond = threading.Condition()
        self._reader = None
        self._log = None
        self._emu_log = None
        self._closed = False
        self._close_lock = threading.Lock()

    # -- life cycle --------------------------------------------------------

    def start(self):
        if _stopping.is_set():
            raise Failure("interrupted")
        os.makedirs(LOG_DIR, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self._emu_log = open(self.emu_log_path, "wb")
        cmd = ["timeout", "-k", "5", str(self.limit)] + self.argv
        self._emu_log.write(("$ " + " ".join(cmd) + "\n").encode())
        self._emu_log.flush()
        stdio = self.transport == "stdio"
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen(
            cmd, cwd=self.cwd, env=self.env, start_new_session=True,
            stdin=subprocess.PIPE if stdio else subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdio else self._emu_log,
            stderr=self._emu_log)
        with _live_lock:
            _live.add(self)
        self._reader = threading.Thread(target=self._read_loop, daemon=True,
                                        name="serial-" + self.name)
        self._reader.start()
        if self.qmp_path:
            self._qmp_thread = threading.Thread(target=self._qmp_loop, daemon=True,
                                                name="qmp-" + self.name)
            self._qmp_thread.start()
        return self

    def _qmp_loop(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + scaled(20)
        while True:
            try:
                sock.connect(self.qmp_path)
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    sock.close()
                    return
                time.sleep(0.05)
        try:
            sock.sendall(b'{"execute": "qmp_capabilities"}\n')
            with self._cond:
                self._qmp_sock = sock
                self._cond.notify_all()
            f = sock.makefile("rb")
            for line in f:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                with self._cond:
                    if "event" in msg:
                        self.qmp_events.append(msg)
                    elif "return" in msg or "error" in msg:
                        self._qmp_replies.append(msg)
                    self._cond.notify_all()
        except OSError:
            pass
        finally:
            with self._cond:
                self._qmp_sock = None
            sock.close()

    def qmp(self, command, timeout=20, **arguments):
        """Runs a QMP command on this (QEMU) machine; returns its "return"
        value, or fails the test with QEMU's error."""
        timeout = scaled(timeout)
        deadline = time.monotonic() + timeout
        with self._cond:
            # The first reply answers qmp_capabilities.
            while self._qmp_sock is None or not self._qmp_replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    self._fail("QMP is not available for %s" % command)
                self._cond.wait(left)
            n = len(self._qmp_replies)
            msg = {"execute": command}
            if arguments:
                msg["arguments"] = arguments
            self._qmp_sock.sendall(json.dumps(msg).encode() + b"\n")
            while len(self._qmp_replies) == n:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._fail("no QMP reply to %s within %d s" % (command, timeout))
                self._cond.wait(left)
            reply = self._qmp_replies[n]
        if "error" in reply:
            self._fail("QMP %s: %s" % (command, reply["error"].get("desc")))
        return reply["return"]

    def shutdown_reason(self):
        """After the emulator exited: the reason of QEMU's SHUTDOWN event
        ("guest-shutdown", "guest-reset", ...) or None."""
        if self._qmp_thread:
            self._qmp_thread.join(5)
        with self._cond:
            for ev in reversed(self.qmp_events):
                if ev.get("event") == "SHUTDOWN":
                    return ev.get("data", {}).get("reason")
        return None

    def _read_pty(self):
        """We keep the slave open (the emulator opens it by name, maybe
        later), so the master never reports EOF: poll for the exit."""
        while True:
            ready, _, _ = select.select([self.pty_master], [], [], 0.2)
            if ready:
                return os.read(self.pty_master, 65536)
            if self.proc.poll() is not None:
                return b""

    def _read_loop(self):
        fd = self.proc.stdout.fileno() if self.transport == "stdio" else None
        while True:
            try:
                data = os.read(fd, 65536) if fd is not None else self._read_pty()
            except OSError:
                data = b""
            now = time.monotonic()
            with self._cond:
                if data:
                    self._raw += data
                    self._log.write(data)
                    self._log.flush()
                    ready, self._held = _split_escape_tail(self._held + data)
                else:
                    ready, self._held = self._held, b""
                    self._eof = True
                self._text += clean(ready)
                self._stamps.append((len(self._text), now))
                self._cond.notify_all()
            if not data:
                return

    def close(self):
        """Kill the emulator (whole process group), reap it, close the logs."""
        with self._close_lock:
            if self._closed or self.proc is None:
                return
            self._closed = True
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    pass
        self.rc = self.proc.wait()
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        if self._reader:
            self._reader.join(5)
        if self._qmp_thread:
            self._qmp_thread.join(5)
        if self.pty_master is not None:
            os.close(self.pty_master)
            os.close(self._pty_slave)
            self.pty_master = self._pty_slave = None
        if self.proc.stdout:
            self.proc.stdout.close()
        with self._cond:
            self._log.close()
        self._emu_log.write(("\n# exit status %s after %.1f s\n"
                             % (self.rc, time.monotonic() - self.t_start)).encode())
        self._emu_log.close()
        with _live_lock:
            _live.discard(self)

    # -- serial line -------------------------------------------------------

    @property
    def output(self):
        """Everything received so far, cleaned."""
        with self._cond:
            return self._text

    @property
    def raw(self):
        with self._cond:
            return bytes(self._raw)

    def elapsed(self):
        return time.monotonic() - self.t_start

    def exited(self):
        return self.proc.poll() is not None

    def emu_log_text(self):
        """The emulator's own output so far (stderr; for Bochs also stdout)."""
        try:
            with open(self.emu_log_path, "rb") as f:
                return f.read().decode("latin-1")
        except OSError:
            return ""

    def exit_story(self):
        """After an unexpected exit: QEMU's shutdown reason and, from its
        reset log (-d cpu_reset), a triple fault and the state the last
        CPU reset caught (its RIP, CR3, IDT, TR), for the failure line:
        a CI log has nothing else to go on."""
        reason = self.shutdown_reason()
        parts = [reason] if reason else []
        try:
            with open(self.qemu_log_path, encoding="latin-1") as f:
                text = f.read()
        except (OSError, AttributeError):
            text = ""
        if "Triple fault" in text:
            parts.append("triple fault")
        resets = text.split("CPU Reset (")
        if len(resets) > 1 and (reason == "guest-reset" or "Triple fault" in text):
            last = resets[-1]
            regs = re.findall(r"\b(RIP|EIP|RSP|CR3|IDT|TR|CR0)\s*=\s*([0-9a-f]+(?: [0-9a-f]+)?)",
                              last)
            parts.append("last reset: %s %s" % (
                last.split(")")[0], " ".join("%s=%s" % r for r in regs)))
        return "; ".join(parts)

    def emu_tail(self):
        try:
            with open(self.emu_log_path, "rb") as f:
                lines = [l for l in f.read().decode("latin-1").splitlines()
                         if l.strip() and not l.startswith("$ ")
                         and "TCG doesn't support requested feature" not in l]
        except OSError:
            return ""
        return _oneline("\n".join(lines[-3:]))

    def _fail(self, what):
        tail = _oneline(self._text[-400:]) or "(no serial output)"
        raise Failure("%s; last output: %r; log %s" % (what, tail, self.rel_log()))

    def rel_log(self):
        return os.path.relpath(self.log_path, os.getcwd())

    def expect(self, regex, timeout=30, flags=re.M):
        """Wait until regex matches the cleaned output after the last match;
        return the re.Match.  self.before is the text skipped over."""
        rx = re.compile(regex, flags)
        timeout = scaled(timeout)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = rx.search(self._text, self._pos)
                if m:
                    self.before = self._text[self._pos:m.start()]
                    self._pos = m.end()
                    self.match_time = next(t for n, t in self._stamps
                                           if n >= m.end()) - self.t_start
                    return m
                left = deadline - time.monotonic()
                if self._eof:
                    self.proc_wait_quietly()
                    rc = self.proc.returncode
                    how = ("hit its hard time limit of %d s" % self.limit
                           if rc in (124, 137, -9) else "exited (status %s)" % rc)
                    tail = self.emu_tail()
                    story = self.exit_story() if rc not in (124, 137, -9) else ""
                    self._fail("emulator %s while waiting for /%s/%s%s"
                               % (how, regex, (" (%s)" % story) if story else "",
                                  ("; stderr: " + tail) if tail else ""))
                if left <= 0:
                    self._fail("/%s/ not seen within %g s" % (regex, timeout))
                self._cond.wait(min(left, 0.5))

    def proc_wait_quietly(self):
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            pass

    def expect_prompt(self, timeout=30):
        return self.expect(PROMPT_RE, timeout)

    def boot(self, timeout=60):
        """Wait for the banner and then the first prompt."""
        self.expect(BANNER_RE, timeout)
        return self.expect_prompt(max(10, timeout - self.elapsed()))

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        chunk, delay = self.pace or (len(data) or 1, 0)
        for i in range(0, len(data), chunk):
            part = data[i:i + chunk]
            try:
                if self.transport == "stdio":
                    self.proc.stdin.write(part)
                    self.proc.stdin.flush()
                else:
                    os.write(self.pty_master, part)
            except OSError as e:
                self._fail("cannot send to the serial line (%s)" % e)
            if delay:
                time.sleep(delay)

    def command(self, cmd, timeout=20, check_echo=True):
        """Type cmd + Enter, wait for the next prompt, return the output lines
        after the echoed command line (as one string, lines end with \\n).
        Backspaces in the echo are applied before comparing."""
        self.send(cmd + "\r")
        self.expect_prompt(timeout)
        lines = self.before.split("\n")
        want = _render_bs(cmd)
        for i, line in enumerate(lines):
            if _render_bs(line).endswith(want) or (not check_echo and i == 0):
                return "\n".join(lines[i + 1:])
        if check_echo:
            self._fail("echo of %r not seen before the prompt" % want)
        return "\n".join(lines[1:])

    def wait_exit(self, timeout=30):
        """Wait for the emulator to exit on its own; return its exit status."""
        timeout = scaled(timeout)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._fail("emulator still running %g s later" % timeout)
        if rc in (124, 137) and self.elapsed() >= self.limit:
            self._fail("emulator hit its hard limit of %d s" % self.limit)
        if self._reader:
            self._reader.join(5)
        return rc


def _render_bs(line):
    out = []
    for ch in line:
        if ch in "\b\x7f":
            if out:
                out.pop()
        else:
            out.append(ch)
    return "".join(out)


# -- labs and boot paths ------------------------------------------------------

QEMU = "qemu-system-x86_64"


class Lab:
    """Per-test context: names logs after the test, owns a scratch folder,
    starts machines and kills them all on close."""

    def __init__(self, name):
        self.name = name
        self.machines = []
        self.tmpdir = tempfile.mkdtemp(prefix="eyrie-%s-" % name)
        # Logs of an earlier run of this test must not be mistaken for ours.
        for old in glob.glob(os.path.join(LOG_DIR, glob.escape(name) + ".*log")):
            if re.fullmatch(r"(\.\d+)?(\.emu)?\.log", old[len(os.path.join(LOG_DIR, name)):]):
                os.remove(old)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for m in self.machines:
            m.close()
        if not os.environ.get("EYRIE_KEEP_TMP"):
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def tmp(self, name):
        return os.path.join(self.tmpdir, name)

    def _machine_name(self):
        n = len(self.machines)
        return self.name if n == 0 else "%s.%d" % (self.name, n)

    @staticmethod
    def need(*paths):
        for p in paths:
            if not os.path.exists(p):
                shown = os.path.relpath(p, ROOT) if p.startswith(ROOT + os.sep) else p
                raise Failure("%s is missing (run make)" % shown)

    def qemu(self, args, *, firmware="bios", cpu="EPYC-Rome", smp=1, mem=512,
             limit=90, serial=("-serial", "stdio")):
        """Start QEMU TCG with the test-bed flags, serial on stdio.
        firmware: "bios" (SeaBIOS) or "ovmf" (pflash + a fresh VARS copy).
        serial: the arguments giving the machine the UART we talk to on
        stdio (default COM1; e.g. "-serial null -serial stdio" for COM2)."""
        argv = [QEMU, "-name", "eyrie-" + self.name, "-accel", "tcg", "-cpu", cpu,
                "-smp", str(smp), "-m", str(mem), "-nodefaults", "-display", "none",
                *serial, "-no-reboot",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if firmware == "ovmf":
            self.need(OVMF_CODE, OVMF_VARS)
            vars_fd = self.tmp("OVMF_VARS.%d.fd" % len(self.machines))
            shutil.copyfile(OVMF_VARS, vars_fd)
            argv += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                     "-drive", "if=pflash,format=raw,unit=1,file=" + vars_fd]
        qmp = self.tmp("qmp.%d.sock" % len(self.machines))
        argv += ["-qmp", "unix:%s,server=on,wait=off" % qmp]
        # A reset (a triple fault with -no-reboot ends QEMU with status 0)
        # leaves the CPU state it caught here: Machine.exit_story. Not for
        # a test that reads QEMU's -trace output on stderr: -D takes it.
        qemu_log = os.path.join(LOG_DIR, self._machine_name() + ".qemu.log")
        if "-trace" not in args:
            argv += ["-d", "cpu_reset", "-D", qemu_log]
        m = Machine(self._machine_name(), argv + list(args), limit=limit, qmp=qmp)
        m.qemu_log_path = qemu_log
        self.machines.append(m)
        return m.start()

    def bochs(self, iso, *, cpu="corei7_skylake_x", count=1, megs=256, limit=180,
              extra=""):
        """Start Bochs booting a BIOS ISO, COM1 on a pseudo-terminal, in an
        empty network namespace."""
        self.need(iso, BOCHS_BIOS, BOCHS_VGA)
        rc_file = self.tmp("dbg.rc")
        with open(rc_file, "w") as f:
            f.write("c\n")
        master, slave = os.openpty()
        tty.setraw(slave)
        bochsrc = self.tmp("bochsrc.%d" % len(self.machines))
        with open(bochsrc, "w") as f:
            f.write(BOCHSRC % dict(megs=megs, cpu=cpu, count=count,
                                   bios=BOCHS_BIOS, vga=BOCHS_VGA,
                                   iso=os.path.abspath(iso),
                                   tty=os.ttyname(slave)) + extra)
        argv = NETNS + ["bochs", "-q", "-f", bochsrc, "-rc", rc_file]
        m = Machine(self._machine_name(), argv, limit=limit, transport="pty",
                    pty=(master, slave), cwd=self.tmpdir, pace=(8, 0.02))
        self.machines.append(m)
        return m.start()

    def boot(self, path, **kw):
        """Start one of BOOT_PATHS (not yet waiting for the prompt)."""
        return BOOT_PATHS[path][1](self, **kw)


# Bochs 2.7 as packaged in Debian 12 (see docs/testing.md):
#  - sound: driver=dummy, or the ALSA sound module aborts Bochs with
#    "buffer overflow detected" on machines without a sound card;
#  - the only display library is rfb (no term, no nogui); timeout=0 starts
#    without a viewer; it listens on 0.0.0.0:5900 (or the next free port),
#    so Bochs runs in its own empty network namespace (NETNS);
#  - com1 mode=term opens a tty by name: the slave of a pty we hold, so the
#    serial line needs no TCP port at all.
BOCHSRC = """\
megs: %(megs)d
cpu: model=%(cpu)s, count=%(count)d, ips=100000000, reset_on_triple_fault=0
romimage: file=%(bios)s
vgaromimage: file=%(vga)s
ata0-master: type=cdrom, path=%(iso)s, status=inserted
boot: cdrom
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=term, dev=%(tty)s
sound: driver=dummy
plugin_ctrl: unmapped=1
panic: action=fatal
clock: sync=none, time0=local
"""


def _kernel(lab, limit=30, mem=512, append="loglevel=info"):
    lab.need(ELF, CONF)
    return lab.qemu(["-kernel", ELF, "-append", append, "-initrd", CONF],
                    mem=mem, limit=limit, smp=2)


def _ovmf_disk(lab, limit=60, image=None, extra=()):
    image = image or USB_IMG
    lab.need(image)
    return lab.qemu(["-drive", "if=none,id=esp,format=raw,snapshot=on,file=" + image,
                     "-device", "virtio-blk-pci,drive=esp,bootindex=1"] + list(extra),
                    firmware="ovmf", limit=limit, smp=2)


def _ovmf_usb(lab, limit=60, image=None):
    image = image or USB_IMG
    lab.need(image)
    return lab.qemu(["-drive", "if=none,id=stick,format=raw,snapshot=on,file=" + image,
                     "-device", "qemu-xhci,id=xhci",
                     "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=1"],
                    firmware="ovmf", limit=limit, smp=2)


def _ovmf_pxe(lab, limit=90):
    lab.need(os.path.join(PXE_DIR, "BOOTX64.EFI"))
    return lab.qemu(["-netdev", "user,id=n,restrict=on,tftp=%s,bootfile=BOOTX64.EFI"
                     % PXE_DIR,
                     "-device", "virtio-net-pci,netdev=n,romfile=,bootindex=1"],
                    firmware="ovmf", limit=limit, smp=2)


def _cdrom(iso):
    return ["-drive", "if=none,id=cd,format=raw,media=cdrom,readonly=on,file=" + iso,
            "-device", "ide-cd,drive=cd,bootindex=1"]


def _iso_uefi(lab, limit=60):
    lab.need(ISO)
    return lab.qemu(_cdrom(ISO), firmware="ovmf", limit=limit, smp=2)


def _iso_bios(lab, limit=40):
    lab.need(ISO)
    return lab.qemu(_cdrom(ISO), firmware="bios", limit=limit, smp=2)


def _bochs_iso(lab, limit=120):
    return lab.bochs(ISO, limit=limit)


# name -> (description, start function).  Shared by the tests and tools/bench.py.
BOOT_PATHS = {
    "kernel": ("QEMU -kernel, multiboot1", _kernel),
    "ovmf-disk": ("OVMF, USB image as virtio-blk", _ovmf_disk),
    "ovmf-usb": ("OVMF, USB image on xHCI usb-storage", _ovmf_usb),
    "ovmf-pxe": ("OVMF PXE, virtio-net, TFTP build/pxe", _ovmf_pxe),
    "iso-uefi": ("OVMF, ISO on IDE CD-ROM (GRUB2 EFI)", _iso_uefi),
    "iso-bios": ("SeaBIOS, ISO on IDE CD-ROM (GRUB2 BIOS)", _iso_bios),
    "bochs-iso": ("Bochs corei7_skylake_x, ISO (GRUB2 BIOS)", _bochs_iso),
}
