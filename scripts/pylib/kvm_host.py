"""Whether this machine's /dev/kvm can run a VM, and the nested-KVM runner."""

import fcntl
import os

KVM_GET_API_VERSION = 0xAE00
KVM_CREATE_VM = 0xAE01
KVM_API_VERSION = 12

IN_KVM = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "in-kvm")


def kvm_usable():
    """True when /dev/kvm opens read-write and makes a VM."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if fcntl.ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION:
            return False
        os.close(fcntl.ioctl(fd, KVM_CREATE_VM, 0))
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def needs_nested_vm():
    """True when a command needing KVM should go through scripts/in-kvm:
    /dev/kvm does not work here (or LGKVM_NESTED=1 asks for the VM), and
    we are not inside that VM already."""
    force = os.environ.get("LGKVM_NESTED", "")
    if os.environ.get("LGKVM_IN_NESTED_VM") or force == "0":
        return False
    return force == "1" or not kvm_usable()
