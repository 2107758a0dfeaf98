"""TAP output for the end-to-end checks in tests/cli: one `ok N - name`
line per check, the details of a failed one as `#` lines, the plan last."""

import sys


class Tap:
    def __init__(self, detail_lines=8):
        self.n = self.failed = 0
        self.detail_lines = detail_lines

    def check(self, cond, name, *details):
        self.n += 1
        self.failed += 0 if cond else 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, name))
        for d in ([] if cond else details):
            for line in str(d).splitlines()[-self.detail_lines:]:
                print("# " + line)
        sys.stdout.flush()

    def finish(self):
        """Prints the plan and the totals; the exit status to use."""
        print("1..%d" % self.n)
        print("%d passed, %d failed" % (self.n - self.failed, self.failed))
        return 1 if self.failed else 0
