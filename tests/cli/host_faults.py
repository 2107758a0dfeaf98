#!/usr/bin/env python3
"""lgkvm when the host side fails under a running guest: stdout closed or its
reader gone, stdin closed, SIGTERM/SIGINT/SIGHUP while the guest runs on a
terminal (lgkvm stops and the terminal is as it found it; the disk writes
the guest already saw completed are in the file).  Needs a working
/dev/kvm: scripts/test runs it where the conformance suite runs.  (Disk and
tap faults are unit tests: test_virtio_blk, test_virtio_net; a corrupt
initrd: test_loader.)  Prints TAP; exits 1 if anything failed."""

import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LGKVM = os.environ.get("LGKVM") or os.path.join(ROOT, "build", "vmm", "lgkvm")
MINISH = os.path.join(ROOT, "build", "tests", "conformance", "images", "minish.bzImage")

TAP = Tap(8)
check = TAP.check


def demo(**kw):
    return subprocess.run([LGKVM, "run"], timeout=120, **kw)


def check_closed_streams():
    r = demo(stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
             preexec_fn=lambda: os.close(1))
    check(r.returncode == 0, "stdout closed: the demo guest still powers off (exit 0)", r.stderr)
    r = demo(stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(0))
    check(r.returncode == 0, "stdin closed: the demo guest still powers off (exit 0)", r.stderr)
    p = subprocess.Popen([LGKVM, "run"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    p.stdout.read(20)
    p.stdout.close()  # the reader goes away mid-output
    err = p.stderr.read()
    p.wait(timeout=120)
    check(p.returncode == 0, "stdout's reader gone mid-output: exit 0, output dropped", err)


def read_until(fd, rx, timeout):
    buf, end = b"", time.monotonic() + timeout
    while not re.search(rx, buf) and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def check_signal(sig):
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    p = subprocess.Popen([LGKVM, "run", "--mem", "32", MINISH], stdin=slave, stdout=slave,
                         stderr=subprocess.PIPE, start_new_session=True)
    out = read_until(master, rb"lgkvm-guest# ", 60)
    raw = termios.tcgetattr(slave)
    p.send_signal(sig)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    after = termios.tcgetattr(slave)
    name = signal.Signals(sig).name
    check(b"lgkvm-guest# " in out and not (raw[3] & termios.ICANON),
          "%s: the guest ran with the terminal in raw mode" % name, out[-200:])
    check(p.returncode == -sig, "%s stops lgkvm (it dies of the signal)" % name, p.returncode)
    check(after == before, "%s: the terminal is back as lgkvm found it" % name,
          "before %r" % before[:4], "after %r" % after[:4])
    os.close(master)
    os.close(slave)


def check_completed_writes_survive(sig):
    """Writes the guest saw completed are in the disk file after lgkvm is
    stopped mid-stream (minish's blkwrite: a request at a time)."""
    import tempfile
    name = signal.Signals(sig).name
    with tempfile.NamedTemporaryFile(prefix="lgkvm-durability.", suffix=".img") as disk:
        disk.truncate(1 << 20)
        disk.flush()
        master, slave = pty.openpty()
        p = subprocess.Popen([LGKVM, "run", "--mem", "32", "--block", disk.name, MINISH], stdin=slave,
                             stdout=slave, stderr=subprocess.PIPE, start_new_session=True)
        read_until(master, rb"lgkvm-guest# ", 60)
        os.write(master, b"blkwrite 0 2000\n")
        out = read_until(master, rb"written 20\r?\n", 60)
        p.send_signal(sig)
        out += read_until(master, rb"(?!)", 2)  # what it printed before it stopped
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        done = [int(x) for x in re.findall(rb"written (\d+)", out)]
        data = open(disk.name, "rb").read()
        bad = [s for s in (done or [-1]) if s < 0 or
               data[s * 512:(s + 1) * 512] != s.to_bytes(4, "little") * 128]
        check(done and max(done) >= 20 and not bad,
              "%s mid-stream: all %d writes the guest saw completed are in the disk file"
              % (name, len(done)), "bad sectors %r" % bad[:5])
        os.close(master)
        os.close(slave)


def main():
    if not os.access(LGKVM, os.X_OK) or not os.path.exists(MINISH):
        print("Bail out! build first (%s, %s)" % (LGKVM, MINISH))
        return 2
    check_closed_streams()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        check_signal(sig)
    for sig in (signal.SIGTERM, signal.SIGINT):
        check_completed_writes_survive(sig)
    return TAP.finish()


if __name__ == "__main__":
    sys.exit(main())
