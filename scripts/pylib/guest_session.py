"""One boot-test case under lgkvm: boot the guest on a pty, wait for its
shell prompt, run the steps, power off, and say how it went.

The one implementation of prompt detection, step timing and teardown,
shared by scripts/boot-test (many cases, in parallel) and
scripts/boot-to-shell (one case from its options).  Each lgkvm runs in a
session of its own; kill_all() ends every one still running (Ctrl-C).
"""

import codecs
import errno
import os
import pty
import re
import select
import signal
import subprocess
import threading
import time
import tty

from boot_plan import ANY_EXIT, Step

# CSI sequences (cursor queries, colours) a shell's line editor may print.
CSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]")

PASS, FAIL, ERROR, SKIP = "pass", "fail", "error", "skip"

_running = set()
_running_lock = threading.Lock()
_stopping = threading.Event()


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def stop_on_signals():
    """Ctrl-C, SIGTERM and SIGHUP raise KeyboardInterrupt, so the caller
    can kill_all() and stop.  SIGINT too: started in the background by a
    non-interactive shell (a CI job), Python inherits it ignored."""
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _interrupt)


def kill_all():
    """Kill every lgkvm a case started and keep new ones from starting."""
    _stopping.set()
    with _running_lock:
        procs = list(_running)
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class CaseResult:
    def __init__(self, case):
        self.case = case
        self.verdict = PASS
        self.reason = ""
        self.details = []      # diagnostic lines: the step, the pattern, console tail
        self.seconds = 0.0
        self.steps = []        # (command, exit status or None, seconds)
        self.console = ""      # console output, cleaned
        self.stderr = ""       # lgkvm's stderr
        self.status = None     # lgkvm's exit status


class Ended(Exception):
    """The case is decided: verdict, reason, details."""

    def __init__(self, verdict, reason, details=()):
        Exception.__init__(self, reason)
        self.verdict, self.reason, self.details = verdict, reason, list(details)


class LgkvmExited(Exception):
    pass


class Console:
    """The guest console on a pty master: copied to a sink, kept as text
    (without \\r and CSI sequences) to search."""

    def __init__(self, fd, sink):
        self.fd = fd
        self.sink = sink
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.held = b""   # an escape sequence cut off at the end of a read
        self.text = ""
        self.pos = 0      # searches start here
        self.eof = False

    def _feed(self, data):
        if self.sink:
            self.sink.write(data)
            self.sink.flush()
        data = self.held + data
        self.held = b""
        esc = data.rfind(b"\x1b")
        if esc >= 0 and len(data) - esc < 32 and not CSI.match(data, esc):
            data, self.held = data[:esc], data[esc:]
        data = CSI.sub(b"", data).replace(b"\r", b"")
        self.text += self.decoder.decode(data)

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536)
        except OSError as e:
            if e.errno != errno.EIO:  # EIO: every slave fd is closed
                raise
            data = b""
        if data:
            self._feed(data)
        else:
            self.eof = True

    def wait_for(self, regex, timeout):
        """The match of regex from self.pos on (moved past it); None on
        timeout; LgkvmExited when the console closes first."""
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            if self.eof:
                raise LgkvmExited()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.read(left)

    def drain(self, timeout):
        """Read until the console closes or timeout passes."""
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            self.read(deadline - time.monotonic())

    def send(self, s):
        data = s.encode()
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def tail(self, n=8):
        lines = [l for l in self.text.splitlines() if l.strip()]
        return lines[-n:]


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def lgkvm_argv(lgkvm, plan, case, guest, initrd):
    argv = [lgkvm, "run", "--mem", str(guest.mem or plan.mem)]
    if initrd:
        argv += ["--initrd", initrd]
    argv += guest.options
    if guest.kernel:
        argv.append(guest.kernel)
        argv += guest.append.split()
    return argv


class Session:
    def __init__(self, plan, case, guest, console, proc, observer):
        self.plan, self.case, self.guest = plan, case, guest
        self.con, self.proc = console, proc
        self.observer = observer or (lambda *a, **k: None)
        self.prompt = re.compile(guest.prompt or plan.prompt)

    def limit(self, *values):
        for v in values:
            if v:
                return v
        return self.plan.timeout

    def wait_exit(self, timeout):
        """lgkvm's exit status, or None if it still runs after timeout."""
        self.con.drain(timeout)
        try:
            return self.proc.wait(timeout=max(0.5, 2 if self.con.eof else 0))
        except subprocess.TimeoutExpired:
            return None

    def run_step(self, index, step, label=None):
        """One command, bracketed by markers so only its own output is
        checked: the quotes split the markers in the echoed command line."""
        tag = "BT%d" % index
        timeout = self.limit(step.timeout, self.case.timeout)
        what = label or "step %d `%s`" % (index, step.run)
        t0 = time.monotonic()
        self.con.send("echo '<<'%s'>>'; eval %s; echo '<<'%s:$?'>>'\n" % (tag, shell_quote(step.run), tag))
        if not self.con.wait_for(re.compile(r"<<%s>>\n" % tag), timeout):
            raise Ended(ERROR, "%s: timed out after %g s (it never started)" % (what, timeout))
        start = self.con.pos
        end = self.con.wait_for(re.compile(r"<<%s:(\d+)>>" % tag), max(timeout - (time.monotonic() - t0), 0))
        if not end:
            raise Ended(ERROR, "%s: timed out after %g s" % (what, timeout),
                        ["output so far: " + l for l in self.con.text[start:].splitlines()[-6:]])
        output = self.con.text[start:end.start()]
        status = int(end.group(1))
        seconds = time.monotonic() - t0
        if not self.con.wait_for(self.prompt, timeout):
            raise Ended(ERROR, "%s: no prompt after it within %g s" % (what, timeout))
        out_lines = ["output: " + l for l in output.splitlines()[-8:]] or ["output: (none)"]
        if step.expect and not re.search(step.expect, output, re.M):
            raise Ended(FAIL, "%s: output does not match /%s/" % (what, step.expect), out_lines)
        if step.expect_not and re.search(step.expect_not, output, re.M):
            raise Ended(FAIL, "%s: output matches /%s/, which it must not" % (what, step.expect_not), out_lines)
        if step.expect_exit != ANY_EXIT and status != step.expect_exit:
            raise Ended(FAIL, "%s: exit status %d, expected %d" % (what, status, step.expect_exit), out_lines)
        return status, seconds, output

    def run(self, result):
        case, guest = self.case, self.guest
        boot = self.limit(case.boot_timeout, self.plan.boot_timeout, case.timeout)
        t0 = time.monotonic()
        if guest.shell:
            if not self.con.wait_for(self.prompt, boot):
                raise Ended(ERROR, "boot: no shell prompt within %g s" % boot)
            self.observer("prompt", seconds=time.monotonic() - t0, pid=self.proc.pid)
            if case.env:
                self.run_step(0, Step("export " + " ".join("%s=%s" % (k, shell_quote(v))
                                                          for k, v in case.env.items())), "setting env")
            for i, step in enumerate(case.steps, 1):
                status, seconds, output = self.run_step(i, step)
                result.steps.append((step.run, status, seconds))
                self.observer("step", index=i, step=step, status=status, seconds=seconds, output=output)
            if case.poweroff:
                self.con.send(case.poweroff + "\n")
        end = self.limit(case.timeout) if guest.shell else boot
        status = self.wait_exit(end)
        if status is None:
            if case.expect_kill:
                raise Ended(FAIL, "lgkvm still runs %g s after the steps: the guest was not killed" % end)
            if case.poweroff:
                raise Ended(ERROR, "poweroff: lgkvm still runs %g s after `%s`" % (end, case.poweroff))
            raise Ended(ERROR, "timed out after %g s waiting for the guest to end" % end)
        return status


def _check_end(result, case, status):
    """The verdict once lgkvm has exited with `status`."""
    result.status = status
    if case.expect_kill:
        if status != 1 or not re.search(case.expect_kill, result.stderr, re.M | re.I):
            raise Ended(FAIL, "expected lgkvm to kill the guest (exit 1, /%s/ on stderr); it exited %s"
                        % (case.expect_kill, status), ["stderr: " + l for l in result.stderr.splitlines()[-4:]])
    elif status != case.expect_status:
        raise Ended(FAIL, "lgkvm exit status %s, expected %d" % (status, case.expect_status),
                    ["stderr: " + l for l in result.stderr.splitlines()[-4:]])
    for rx in case.expect_output:
        if not re.search(rx, result.console, re.M):
            raise Ended(FAIL, "console output has no match for /%s/" % rx)


def run_case(plan, case, lgkvm, initrd, console_sink=None, stderr_path=None, observer=None):
    """Runs one case; returns its CaseResult.  initrd: the path to use for
    the guest's initrd (BUSYBOX already resolved), or None."""
    guest = plan.guests[case.guest]
    result = CaseResult(case)
    t0 = time.monotonic()
    if case.skip:
        result.verdict, result.reason = SKIP, case.skip
        return result
    for what, path in (("kernel", guest.kernel), ("initrd", initrd)):
        if path and not os.path.isfile(path):
            result.verdict, result.reason = ERROR, "%s not found: %s" % (what, path)
            return result
    if _stopping.is_set():
        result.verdict, result.reason = ERROR, "interrupted before it started"
        return result
    argv = lgkvm_argv(lgkvm, plan, case, guest, initrd)
    master, slave = pty.openpty()
    tty.setraw(slave)  # no echo or newline mangling by the host pty
    err = open(stderr_path, "w+b") if stderr_path else open(os.devnull, "w+b")
    try:
        with _running_lock:
            proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=err,
                                    start_new_session=True, close_fds=True)
            _running.add(proc)
    except OSError as e:
        os.close(master)
        os.close(slave)
        err.close()
        result.verdict, result.reason = ERROR, "cannot run %s: %s" % (lgkvm, e.strerror)
        return result
    os.close(slave)
    con = Console(master, console_sink)
    session = Session(plan, case, guest, con, proc, observer)
    try:
        try:
            status = session.run(result)
        except LgkvmExited:
            status = session.wait_exit(5)
            if not case.expect_kill:
                result.console = con.text
                err.seek(0)
                result.stderr = err.read().decode("utf-8", "replace")
                raise Ended(FAIL, "lgkvm exited (status %s) before the case was done" % status,
                            ["stderr: " + l for l in result.stderr.splitlines()[-4:]])
        result.console = con.text
        err.seek(0)
        result.stderr = err.read().decode("utf-8", "replace")
        _check_end(result, case, status)
    except Ended as e:
        result.verdict, result.reason = e.verdict, e.reason
        # The console's last lines; fewer when the step's output is shown.
        result.details = e.details + ["console: " + l for l in con.tail(3 if e.details else 8)]
        if _stopping.is_set():
            result.verdict, result.reason = ERROR, "interrupted (%s)" % e.reason
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
        with _running_lock:
            _running.discard(proc)
        os.close(master)
        if not result.console:
            result.console = con.text
        if not result.stderr:
            err.seek(0)
            result.stderr = err.read().decode("utf-8", "replace")
        err.close()
        if result.status is None:
            result.status = proc.returncode
        result.seconds = time.monotonic() - t0
    return result
