"""Debian packages fetched without touching the machine's package state.

`fetch_deb` downloads one package's .deb for any architecture through a
private apt configuration (its own lists, cache and status file under the
cache directory, the machine's own sources), so no root is needed and the
machine's dpkg architectures stay as they are.  Downloads are kept, so a
second call works offline.  `unpack` is `dpkg -x`.
"""

import glob
import os
import shutil
import subprocess


class PackageError(Exception):
    """A package could not be fetched or unpacked (the message says why)."""


def default_cache_dir():
    """$LGKVM_CACHE_DIR, else $XDG_CACHE_HOME/lgkvm, else ~/.cache/lgkvm."""
    if os.environ.get("LGKVM_CACHE_DIR"):
        return os.environ["LGKVM_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lgkvm")


def _apt_options(apt_dir, arch):
    opts = {
        "Dir::State": os.path.join(apt_dir, "state"),
        "Dir::State::status": os.path.join(apt_dir, "state", "status"),
        "Dir::Cache": os.path.join(apt_dir, "cache"),
        "APT::Architecture": arch,
        "APT::Architectures": arch,
        "Acquire::Languages": "none",
    }
    if os.geteuid() == 0:
        # The private directories may sit where the _apt user cannot reach.
        opts["APT::Sandbox::User"] = "root"
    out = []
    for key, val in opts.items():
        out += ["-o", "%s=%s" % (key, val)]
    return out


class PrivateApt:
    """apt-get and apt-cache over a private state for one architecture."""

    def __init__(self, cache_dir, arch, note=None):
        self.arch = arch
        self.dir = os.path.join(cache_dir, "apt-" + arch)
        self.note = note or (lambda msg: None)
        self.updated = False

    def _prepare(self):
        if shutil.which("apt-get") is None:
            raise PackageError("apt-get is needed to fetch Debian packages")
        for d in ("state/lists/partial", "cache/archives/partial"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        status = os.path.join(self.dir, "state", "status")
        if not os.path.exists(status):
            open(status, "w").close()

    def update(self):
        if self.updated:
            return
        self._prepare()
        self.note("reading the package lists for %s into %s" % (self.arch, self.dir))
        # One failing index (a mirror in sync) need not stop us: the
        # download says whether the package was found.
        r = subprocess.run(["apt-get", "-q"] + _apt_options(self.dir, self.arch) + ["update"],
                           stdout=subprocess.DEVNULL)
        if r.returncode != 0:
            self.note("warning: apt-get update exited %d; going on" % r.returncode)
        self.updated = True

    def depends(self, package):
        """The packages `package` depends on (e.g. the versioned kernel of a
        linux-image metapackage)."""
        self.update()
        r = subprocess.run(["apt-cache"] + _apt_options(self.dir, self.arch) + ["depends", package],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise PackageError("apt-cache depends %s failed: %s" % (package, r.stderr.strip()))
        return [l.split(":", 1)[1].strip() for l in r.stdout.splitlines()
                if l.strip().startswith("Depends:")]

    def fetch(self, package, deb_dir):
        """The newest .deb of `package` in deb_dir, downloaded if there is none."""
        debs = cached_debs(deb_dir, package, self.arch)
        if debs:
            return debs[-1]
        self.note("fetching %s:%s with a private apt state" % (package, self.arch))
        return self.download(package, deb_dir)

    def download(self, package, deb_dir):
        self.update()
        os.makedirs(deb_dir, exist_ok=True)
        r = subprocess.run(["apt-get", "-q"] + _apt_options(self.dir, self.arch) +
                           ["download", "%s:%s" % (package, self.arch)],
                           cwd=deb_dir, stdout=subprocess.DEVNULL)
        debs = cached_debs(deb_dir, package, self.arch)
        if r.returncode != 0 or not debs:
            raise PackageError("apt-get download %s:%s failed (exit %d)" % (package, self.arch, r.returncode))
        return debs[-1]


def cached_debs(deb_dir, package, arch):
    return sorted(glob.glob(os.path.join(deb_dir, "%s_*_%s.deb" % (package, arch))),
                  key=os.path.getmtime)


def fetch_deb(cache_dir, package, arch, note=None):
    """Path of a .deb of `package` for `arch`, downloaded once into
    cache_dir/debs."""
    return PrivateApt(cache_dir, arch, note).fetch(package, os.path.join(cache_dir, "debs"))


def unpack(deb, dest):
    """dpkg -x DEB DEST."""
    if shutil.which("dpkg") is None:
        raise PackageError("dpkg is needed to unpack %s" % deb)
    if subprocess.run(["dpkg", "-x", deb, dest]).returncode != 0:
        raise PackageError("cannot unpack %s" % deb)
