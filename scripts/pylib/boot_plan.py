"""Boot-test plans: TOML files of guests and test cases (scripts/boot-test).

A plan names guests (a kernel, initrd, command line, devices) and cases
(boot a guest, run shell steps, check their output and status, power off).
`load(path)` reads and checks one; every problem is a PlanError whose
message names the file, the place in it and what is wrong, on one line.
The format is documented in scripts/README-scripts.md.
"""

import os
import re
import tomllib

DEFAULT_PROMPT = re.escape("lgkvm-guest# ")  # scripts/make-initramfs's
BUSYBOX = "busybox"                         # initrd = "busybox": make one
ANY_EXIT = "any"


class PlanError(Exception):
    pass


class Step:
    def __init__(self, run, expect=None, expect_not=None, expect_exit=0, timeout=None):
        self.run = run
        self.expect = expect
        self.expect_not = expect_not
        self.expect_exit = expect_exit   # an int, or ANY_EXIT
        self.timeout = timeout


class Guest:
    def __init__(self, name):
        self.name = name
        self.kernel = None        # None: lgkvm's built-in demo guest
        self.initrd = None        # a path, BUSYBOX, or None
        self.append = "console=hvc0"
        self.mem = None
        self.options = []         # more `lgkvm run` arguments
        self.shell = True         # wait for a shell prompt, run steps
        self.prompt = None


class Case:
    def __init__(self, name, guest):
        self.name = name
        self.guest = guest
        self.steps = []
        self.env = {}
        self.timeout = None
        self.boot_timeout = None
        self.expect_output = []   # regexes the whole console output must match
        self.expect_kill = None   # regex: lgkvm must be killed (exit 1) with it on stderr
        self.expect_status = 0    # lgkvm's exit status at the end
        self.poweroff = "poweroff -f"
        self.skip = None


class Plan:
    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.mem = 64
        self.timeout = 120.0
        self.boot_timeout = None
        self.lgkvm = None
        self.prompt = DEFAULT_PROMPT
        self.guests = {}
        self.cases = []


# Keys each table may have, and the type each must be.
_NUM = (int, float)
DEFAULTS_KEYS = {"mem": int, "timeout": _NUM, "boot_timeout": _NUM, "lgkvm": str, "prompt": str}
GUEST_KEYS = {"name": str, "kernel": str, "initrd": str, "append": str, "mem": int, "options": list,
              "block": list, "net": str, "rng": bool, "pae": bool, "shell": bool, "prompt": str}
CASE_KEYS = {"name": str, "guest": str, "steps": list, "env": dict, "timeout": _NUM,
             "boot_timeout": _NUM, "expect_output": list, "expect_kill": str, "expect_status": int,
             "poweroff": (str, bool), "skip": str}
STEP_KEYS = {"run": str, "expect": str, "expect_not": str, "expect_exit": (int, str), "timeout": _NUM}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _expand(value, base_dir):
    """$VAR and ${VAR} from the environment (LGKVM_ROOT is the checkout);
    a relative path is relative to the plan's folder."""
    env = dict(os.environ)
    env.setdefault("LGKVM_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

    def sub(m):
        name = m.group(1) or m.group(2)
        if name not in env:
            raise KeyError(name)
        return env[name]
    value = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", sub, value)
    return value if os.path.isabs(value) else os.path.normpath(os.path.join(base_dir, value))


class _Checker:
    def __init__(self, plan_file):
        self.plan_file = plan_file

    def fail(self, where, what):
        raise PlanError("%s: %s: %s" % (self.plan_file, where, what))

    def table(self, where, value, keys, required=()):
        if not isinstance(value, dict):
            self.fail(where, "must be a table")
        for k, v in value.items():
            if k not in keys:
                self.fail(where, "unknown key '%s' (known: %s)" % (k, ", ".join(sorted(keys))))
            want = keys[k]
            # bool is an int in Python: keep them apart.
            wants = want if isinstance(want, tuple) else (want,)
            if isinstance(v, bool) and bool not in wants:
                ok = False
            else:
                ok = isinstance(v, wants)
            if not ok:
                names = " or ".join({int: "an integer", float: "a number", str: "a string", bool: "a boolean",
                                     list: "an array", dict: "a table"}[t] for t in wants)
                self.fail(where, "'%s' must be %s" % (k, names))
        for k in required:
            if k not in value:
                self.fail(where, "'%s' is missing" % k)

    def regex(self, where, key, rx):
        try:
            re.compile(rx, re.M)
        except re.error as e:
            self.fail(where, "'%s' is not a valid regular expression: %s" % (key, e))
        return rx

    def positive(self, where, key, v):
        if v is not None and v <= 0:
            self.fail(where, "'%s' must be positive" % key)
        return v

    def file_path(self, where, key, value, base_dir):
        try:
            return _expand(value, base_dir)
        except KeyError as e:
            self.fail(where, "'%s' uses $%s, which is not set" % (key, e.args[0]))


def _load_guest(c, where, g, base_dir):
    c.table(where, g, GUEST_KEYS, ("name",))
    guest = Guest(g["name"])
    if not NAME.match(guest.name):
        c.fail(where, "guest name '%s': use letters, digits, '.', '_' and '-'" % guest.name)
    where = "guest '%s'" % guest.name
    if g.get("kernel"):
        guest.kernel = c.file_path(where, "kernel", g["kernel"], base_dir)
    if g.get("initrd"):
        guest.initrd = BUSYBOX if g["initrd"] == BUSYBOX else c.file_path(where, "initrd", g["initrd"], base_dir)
    guest.append = g.get("append", guest.append)
    guest.mem = c.positive(where, "mem", g.get("mem"))
    for o in g.get("options", []):
        if not isinstance(o, str):
            c.fail(where, "'options' must be an array of strings")
        guest.options.append(o)
    for b in g.get("block", []):
        if not isinstance(b, str) or not b:
            c.fail(where, "'block' must be an array of FILE or FILE,ro strings")
        ro = b.endswith(",ro")
        guest.options += ["--block", c.file_path(where, "block", b[:-3] if ro else b, base_dir) + (",ro" if ro else "")]
    if "net" in g:
        guest.options += ["--net", g["net"]]
    if g.get("rng"):
        guest.options.append("--rng")
    if "pae" in g:
        guest.options.append("--pae" if g["pae"] else "--no-pae")
    guest.shell = g.get("shell", True)
    if "prompt" in g:
        guest.prompt = c.regex(where, "prompt", g["prompt"])
    return guest


def _load_step(c, where, s):
    if isinstance(s, str):
        s = {"run": s}
    c.table(where, s, STEP_KEYS, ("run",))
    ex = s.get("expect_exit", 0)
    if isinstance(ex, str) and ex != ANY_EXIT:
        c.fail(where, "'expect_exit' must be an integer or \"%s\"" % ANY_EXIT)
    return Step(s["run"],
                c.regex(where, "expect", s["expect"]) if "expect" in s else None,
                c.regex(where, "expect_not", s["expect_not"]) if "expect_not" in s else None,
                ex, c.positive(where, "timeout", s.get("timeout")))


def _load_case(c, where, k, guests):
    c.table(where, k, CASE_KEYS, ("name", "guest"))
    case = Case(k["name"], k["guest"])
    if not NAME.match(case.name):
        c.fail(where, "case name '%s': use letters, digits, '.', '_' and '-'" % case.name)
    where = "case '%s'" % case.name
    if case.guest not in guests:
        c.fail(where, "no guest named '%s'" % case.guest)
    shell = guests[case.guest].shell
    for i, s in enumerate(k.get("steps", []), 1):
        case.steps.append(_load_step(c, "%s: step %d" % (where, i), s))
    if case.steps and not shell:
        c.fail(where, "guest '%s' has no shell (shell = false), so it takes no steps" % case.guest)
    for name, value in k.get("env", {}).items():
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) or not isinstance(value, (str, int, float)):
            c.fail(where, "env: '%s' must be a variable name with a string or number value" % name)
        case.env[name] = str(value)
    case.timeout = c.positive(where, "timeout", k.get("timeout"))
    case.boot_timeout = c.positive(where, "boot_timeout", k.get("boot_timeout"))
    for rx in k.get("expect_output", []):
        if not isinstance(rx, str):
            c.fail(where, "'expect_output' must be an array of regular expressions")
        case.expect_output.append(c.regex(where, "expect_output", rx))
    if "expect_kill" in k:
        case.expect_kill = c.regex(where, "expect_kill", k["expect_kill"])
        case.expect_status = 1
    case.expect_status = k.get("expect_status", case.expect_status)
    if "poweroff" in k:
        case.poweroff = k["poweroff"] or None
        if k["poweroff"] is True:
            c.fail(where, "'poweroff' is a command, or false")
    if not shell or case.expect_kill:
        case.poweroff = None  # the guest ends by itself, or is killed
    case.skip = k.get("skip")
    return case


def load(path):
    """The plan at `path`, checked; PlanError on any problem."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise PlanError("%s: cannot read: %s" % (path, e.strerror))
    except tomllib.TOMLDecodeError as e:
        raise PlanError("%s: not valid TOML: %s" % (path, e))
    c = _Checker(path)
    base_dir = os.path.dirname(os.path.abspath(path))
    plan = Plan(path)
    for k in data:
        if k not in ("defaults", "guest", "case"):
            c.fail("top level", "unknown table '%s' (known: defaults, guest, case)" % k)
    d = data.get("defaults", {})
    c.table("[defaults]", d, DEFAULTS_KEYS)
    plan.mem = c.positive("[defaults]", "mem", d.get("mem", plan.mem))
    plan.timeout = c.positive("[defaults]", "timeout", d.get("timeout", plan.timeout))
    plan.boot_timeout = c.positive("[defaults]", "boot_timeout", d.get("boot_timeout"))
    if "lgkvm" in d:
        plan.lgkvm = c.file_path("[defaults]", "lgkvm", d["lgkvm"], base_dir)
    if "prompt" in d:
        plan.prompt = c.regex("[defaults]", "prompt", d["prompt"])
    guests = data.get("guest", [])
    if not isinstance(guests, list):
        c.fail("guest", "use [[guest]] tables")
    for i, g in enumerate(guests, 1):
        guest = _load_guest(c, "guest %d" % i, g, base_dir)
        if guest.name in plan.guests:
            c.fail("guest %d" % i, "a second guest named '%s'" % guest.name)
        plan.guests[guest.name] = guest
    cases = data.get("case", [])
    if not isinstance(cases, list):
        c.fail("case", "use [[case]] tables")
    names = set()
    for i, k in enumerate(cases, 1):
        case = _load_case(c, "case %d" % i, k, plan.guests)
        if case.name in names:
            c.fail("case %d" % i, "a second case named '%s'" % case.name)
        names.add(case.name)
        plan.cases.append(case)
    if not plan.cases:
        c.fail("top level", "no [[case]] to run")
    return plan
