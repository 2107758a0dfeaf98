#!/usr/bin/env python3
"""scripts/boot-test and scripts/boot-to-shell under real lgkvm, on the
guests the build makes (minish, the demo, conformance guests): the example
plan passes; every deliberate failure of failing.toml gets its verdict and
reason in TAP and JUnit and its logs; -j 3 gives the same verdicts; Ctrl-C
leaves no lgkvm behind.  Needs a working /dev/kvm: scripts/test runs it
where the conformance suite runs (through scripts/in-kvm if need be).
Prints TAP; exits 1 if anything failed."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOOT_TEST = os.path.join(ROOT, "scripts", "boot-test")
BOOT_TO_SHELL = os.path.join(ROOT, "scripts", "boot-to-shell")
MINISH = os.path.join(ROOT, "build", "tests", "conformance", "images", "minish.bzImage")

n = failed = 0


def check(cond, name, *details):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, name))
    if not cond:
        for d in details:
            for line in str(d).splitlines()[-15:]:
                print("# " + line)
    sys.stdout.flush()


def boot_test(plan, work, *args, timeout=300):
    return subprocess.run([BOOT_TEST, os.path.join(HERE, plan), "--logs", os.path.join(work, "logs"),
                           "--junit", os.path.join(work, "junit.xml")] + list(args),
                          capture_output=True, text=True, timeout=timeout)


def tap_verdicts(out):
    """{case: (ok, first diagnostic line)} from boot-test's TAP."""
    v, last = {}, None
    for line in out.splitlines():
        m = re.match(r"^(not )?ok \d+ - (\S+)", line)
        if m:
            last = m.group(2)
            v[last] = [m.group(1) is None, "", "# SKIP" in line]
        elif line.startswith("# ") and last and not v[last][1]:
            v[last][1] = line[2:]
    return v


def junit(work):
    root = ET.parse(os.path.join(work, "junit.xml")).getroot()
    suite = root.find("testsuite")
    cases = {}
    for tc in suite.findall("testcase"):
        kind = "pass"
        for k in ("failure", "error", "skipped"):
            el = tc.find(k)
            if el is not None:
                kind = (k, el.get("message"))
        cases[tc.get("name")] = (kind, tc.findtext("system-out") or "")
    return {k: int(suite.get(k)) for k in ("tests", "failures", "errors", "skipped")}, cases


def lgkvm_running(marker):
    r = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return r.stdout.split()


EXPECTED = {  # case: (TAP ok, JUnit kind, reason pattern)
    "passes": (True, "pass", None),
    "output-mismatch": (False, "failure", r"step 1 `echo 41`: output does not match /\^42\$/"),
    "wrong-exit-status": (False, "failure", r"step 2 `false`: exit status 1, expected 0"),
    "step-times-out": (False, "error", r"step 1 `sleep 100`: timed out after 3 s"),
    "kernel-missing": (False, "error", r"kernel not found: .*no-such-dir/bzImage"),
    "no-prompt": (False, "error", r"boot: no shell prompt within 3 s"),
    "not-killed": (False, "failure", r"the guest was not killed"),
    "output-missing": (False, "failure", r"console output has no match for /\^this line is never printed\$/"),
    "skipped": (True, "skipped", r"shows how a case is skipped"),
}


def check_failing_plan(jobs):
    with tempfile.TemporaryDirectory(prefix="boot-test-check.") as work:
        t0 = time.monotonic()
        r = boot_test("failing.toml", work, "-j", str(jobs))
        took = time.monotonic() - t0
        tag = "failing.toml -j %d" % jobs
        check(r.returncode == 1, "%s: exit status 1" % tag, r.stdout, r.stderr)
        check(re.search(r"^1\.\.9$", r.stdout, re.M) is not None, "%s: TAP plan 1..9" % tag, r.stdout)
        check(re.search(r"^1 passed, 7 failed, 1 skipped", r.stdout, re.M) is not None,
              "%s: closing line '1 passed, 7 failed, 1 skipped'" % tag, r.stdout)
        v = tap_verdicts(r.stdout)
        counts, cases = junit(work)
        check(counts == {"tests": 9, "failures": 4, "errors": 3, "skipped": 1},
              "%s: JUnit counts 9 tests, 4 failures, 3 errors, 1 skipped" % tag, counts)
        for case, (ok, kind, reason) in EXPECTED.items():
            got = v.get(case)
            good = got is not None and got[0] == ok
            if reason and not ok:
                good = good and re.search(reason, got[1]) is not None
            check(good, "%s: TAP says %s for %s%s" % (tag, "ok" if ok else "not ok", case,
                                                       " (%s)" % reason if reason and not ok else ""), got)
            jk = cases.get(case, (None, ""))[0]
            jgood = (jk == "pass") if kind == "pass" else (isinstance(jk, tuple) and jk[0] == kind and
                                                           (not reason or re.search(reason, jk[1] or "")))
            check(bool(jgood), "%s: JUnit has <%s> for %s" % (tag, kind, case), jk)
        check("<<BT1>>" in cases["output-mismatch"][1] and "41" in cases["output-mismatch"][1],
              "%s: JUnit system-out holds the console" % tag)
        logs = os.path.join(work, "logs")
        check(all(os.path.exists(os.path.join(logs, c + ".console.log")) for c in EXPECTED if c not in
                  ("kernel-missing", "skipped")), "%s: a console log per case that ran" % tag, os.listdir(logs))
        with open(os.path.join(logs, "output-mismatch.console.log"), "rb") as f:
            check(b"never-run" not in f.read().split(b"\n<<BT1:0>>")[-1], "%s: a failing step stops its case" % tag)
        print("# %s took %.1f s" % (tag, took))
        return took


def check_example():
    with tempfile.TemporaryDirectory(prefix="boot-test-check.") as work:
        r = boot_test("example.toml", work, "-j", "2")
        check(r.returncode == 0 and re.search(r"^5 passed, 0 failed", r.stdout, re.M) is not None,
              "example.toml -j 2: all 5 cases pass, exit 0", r.stdout, r.stderr)
        counts, _ = junit(work)
        check(counts == {"tests": 5, "failures": 0, "errors": 0, "skipped": 0}, "example.toml: JUnit 5 tests, none failed",
              counts)
        r = boot_test("failing.toml", work, "--filter", "^(passes|skipped)$")
        check(r.returncode == 0, "failing.toml --filter on the passing cases: exit 0", r.stdout)


def check_interrupt():
    marker = "ctrlc.marker=%d" % os.getpid()
    with tempfile.TemporaryDirectory(prefix="boot-test-check.") as work:
        plan = os.path.join(work, "long.toml")
        with open(plan, "w") as f:
            f.write('[defaults]\nmem = 32\ntimeout = 300\n[[guest]]\nname = "m"\nkernel = "%s"\nappend = "console=hvc0 %s"\n'
                    % (MINISH, marker))
            for i in range(4):
                f.write('[[case]]\nname = "sleeper%d"\nguest = "m"\nsteps = ["sleep 200"]\n' % i)
        # Started as a CI job's background command is: with SIGINT ignored,
        # which boot-test must undo to stop on Ctrl-C.
        p = subprocess.Popen([BOOT_TEST, plan, "-j", "2", "--logs", os.path.join(work, "logs")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        deadline = time.monotonic() + 60
        while len(lgkvm_running(marker)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        check(len(lgkvm_running(marker)) == 2, "Ctrl-C: two guests running with -j 2 before it")
        time.sleep(1)
        p.send_signal(signal.SIGINT)
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        check(p.returncode == 130, "Ctrl-C: boot-test exits 130", p.returncode, out, err)
        time.sleep(0.5)
        check(not lgkvm_running(marker), "Ctrl-C: no lgkvm left running", lgkvm_running(marker))


def check_boot_to_shell():
    r = subprocess.run([BOOT_TO_SHELL, "--mem", "32", "--kernel", MINISH, "--initrd", MINISH,
                        "--cmd", "echo $((1))", "--expect", "x", "--log", os.devnull],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 1 and "boot-to-shell: FAILED: step 1" in r.stderr,
          "boot-to-shell: a mismatch is exit 1 with a FAILED line", r.stderr)
    r = subprocess.run([BOOT_TO_SHELL, "--mem", "32", "--kernel", MINISH, "--initrd", MINISH,
                        "--append", "bts.flag=7", "--cmd", "cat /proc/cmdline", "--expect", "bts.flag=7",
                        "--cmd", "false", "--expect", ""], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and "passed: 2 command(s), lgkvm exited 0" in r.stderr,
          "boot-to-shell: commands pass (exit statuses reported, not checked)", r.stderr)


def main():
    for path in (MINISH,):
        if not os.path.exists(path):
            print("Bail out! %s is missing (build first)" % path)
            return 2
    check_example()
    serial = check_failing_plan(1)
    parallel = check_failing_plan(3)
    print("# failing.toml: %.1f s one at a time, %.1f s with -j 3" % (serial, parallel))
    check_interrupt()
    check_boot_to_shell()
    print("1..%d" % n)
    print("%d passed, %d failed" % (n - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
