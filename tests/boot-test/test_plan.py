#!/usr/bin/env python3
"""scripts/boot-test on bad plans and bad usage: one line naming the file,
the place and the problem, exit status 2, no guest started (so no KVM
needed).  Also what a good plan loads into.  Run by ctest."""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOOT_TEST = os.path.join(ROOT, "scripts", "boot-test")
sys.path.insert(0, os.path.join(ROOT, "scripts", "pylib"))
import boot_plan  # noqa: E402

GOOD = """
[defaults]
mem = 48
timeout = 7
[[guest]]
name = "g"
kernel = "k/bzImage"
initrd = "busybox"
block = ["disk.img", "/abs/ro.img,ro"]
rng = true
[[case]]
name = "c"
guest = "g"
env = { A = "1" }
steps = [ "true", { run = "echo x", expect = "^x$", expect_exit = "any", timeout = 3 } ]
"""


class BadPlans(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def run_plan(self, text, *args):
        path = os.path.join(self.dir.name, "plan.toml")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([BOOT_TEST, path, "--logs", os.path.join(self.dir.name, "logs"),
                            "--lgkvm", "/nonexistent/lgkvm"] + list(args),
                           capture_output=True, text=True, timeout=60)
        return path, r

    def assertBad(self, text, *needles, args=()):
        path, r = self.run_plan(text, *args)
        self.assertEqual(r.returncode, 2, r.stderr)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertEqual(r.stdout, "")
        for n in needles:
            self.assertIn(n, lines[0])
        self.assertFalse(os.path.exists(os.path.join(self.dir.name, "logs")))
        return lines[0]

    def test_toml_syntax_error_names_the_line(self):
        line = self.assertBad(GOOD.replace('mem = 48', 'mem = = 48'), "not valid TOML", "line 3")
        self.assertIn("plan.toml", line)

    def test_unknown_key(self):
        self.assertBad(GOOD.replace('expect = "^x$"', 'expct = "^x$"'), "case 'c': step 2", "unknown key 'expct'")

    def test_wrong_type(self):
        self.assertBad(GOOD.replace("mem = 48", 'mem = "48"'), "[defaults]", "'mem' must be an integer")

    def test_case_names_a_missing_guest(self):
        self.assertBad(GOOD.replace('guest = "g"', 'guest = "h"'), "case 'c'", "no guest named 'h'")

    def test_bad_regex(self):
        self.assertBad(GOOD.replace('"^x$"', '"(x"'), "step 2", "'expect' is not a valid regular expression")

    def test_duplicate_case(self):
        self.assertBad(GOOD + '[[case]]\nname = "c"\nguest = "g"\n', "case 2", "a second case named 'c'")

    def test_steps_for_a_guest_without_shell(self):
        self.assertBad(GOOD.replace('rng = true', 'shell = false'), "case 'c'", "takes no steps")

    def test_unset_variable_in_a_path(self):
        self.assertBad(GOOD.replace('"k/bzImage"', '"${LGKVM_TEST_NEVER_SET}/bzImage"'),
                       "guest 'g'", "$LGKVM_TEST_NEVER_SET")

    def test_bad_expect_exit(self):
        self.assertBad(GOOD.replace('expect_exit = "any"', 'expect_exit = "some"'), "'expect_exit'")

    def test_no_cases(self):
        self.assertBad('[[guest]]\nname = "g"\n', "no [[case]]")

    def test_missing_plan_file(self):
        r = subprocess.run([BOOT_TEST, os.path.join(self.dir.name, "none.toml")], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot read", r.stderr)

    def test_filter_matching_nothing(self):
        self.assertBad(GOOD, "no case matches", args=("--filter", "zzz"))

    def test_missing_lgkvm_is_a_usage_error(self):
        self.assertBad(GOOD, "no lgkvm binary at /nonexistent/lgkvm")


class GoodPlan(unittest.TestCase):
    def test_loads_what_it_says(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "p.toml")
            with open(path, "w") as f:
                f.write(GOOD)
            plan = boot_plan.load(path)
        self.assertEqual((plan.mem, plan.timeout), (48, 7))
        g = plan.guests["g"]
        self.assertEqual(g.kernel, os.path.join(d, "k", "bzImage"))
        self.assertEqual(g.initrd, boot_plan.BUSYBOX)
        self.assertEqual(g.options, ["--block", os.path.join(d, "disk.img"), "--block", "/abs/ro.img,ro", "--rng"])
        c = plan.cases[0]
        self.assertEqual(c.env, {"A": "1"})
        self.assertEqual([s.run for s in c.steps], ["true", "echo x"])
        self.assertEqual(c.steps[0].expect_exit, 0)
        self.assertEqual(c.steps[1].expect_exit, boot_plan.ANY_EXIT)
        self.assertEqual(c.steps[1].timeout, 3)
        self.assertEqual(c.poweroff, "poweroff -f")

    def test_the_shipped_plans_load(self):
        os.environ.setdefault("LGKVM_BZIMAGE", "/k1")
        os.environ.setdefault("LGKVM_PAE_BZIMAGE", "/k2")
        here = os.path.dirname(os.path.abspath(__file__))
        for name in ("example.toml", "failing.toml", "linux.toml"):
            plan = boot_plan.load(os.path.join(here, name))
            self.assertTrue(plan.cases, name)


if __name__ == "__main__":
    unittest.main(verbosity=1)
