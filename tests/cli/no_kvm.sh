#!/usr/bin/env bash
# lgkvm on a machine without /dev/kvm: one line naming /dev/kvm and a
# remedy, exit 1; bad input is still exit 2 with its own message, because
# input is checked before /dev/kvm is opened.  The machine is made to lack
# /dev/kvm with a private mount namespace whose /dev is an empty tmpfs
# (needs root and unshare; otherwise the test is reported skipped, code 77).
set -u
lgkvm=${1:?usage: no_kvm.sh LGKVM}
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  echo "skipped: needs root and unshare"
  exit 77
fi
if [ "${LGKVM_IN_PRIVATE_DEV:-}" != 1 ]; then
  exec env LGKVM_IN_PRIVATE_DEV=1 unshare --mount --propagation private \
    sh -c 'mount -t tmpfs none /dev && exec bash "$0" "$@"' "$(readlink -f "$0")" "$lgkvm"
fi

failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'not a kernel at all\n' > "$work/bad-kernel"

# expect STATUS GREP-PATTERN NOT-PATTERN -- lgkvm args...
expect() {
  local want=$1 pattern=$2 absent=$3
  shift 4
  "$lgkvm" "$@" </dev/null >"$work/out" 2>"$work/err"
  local got=$? lines
  lines=$(wc -l <"$work/err")
  if [ "$got" != "$want" ] || [ "$lines" != 1 ] || ! grep -qE "$pattern" "$work/err" ||
     { [ -n "$absent" ] && grep -qE "$absent" "$work/err"; }; then
    echo "FAIL: lgkvm $*: exit $got (want $want), $lines stderr lines:"
    sed 's/^/  | /' "$work/err"
    failed=1
  else
    echo "ok: lgkvm $*: exit $got: $(cat "$work/err")"
  fi
}

[ ! -e /dev/kvm ] || { echo "FAIL: /dev/kvm still visible"; exit 1; }
expect 1 '/dev/kvm.*(kvm-intel|kvm-amd).*scripts/in-kvm' '' -- run
expect 1 '/dev/kvm.*scripts/in-kvm' '' -- probe
expect 2 'bad-kernel' '/dev/kvm' -- run "$work/bad-kernel"
expect 2 'bad-kernel' '/dev/kvm' -- 32 "$work/bad-kernel" console=hvc0
expect 2 'no-such-initrd' '/dev/kvm' -- run --initrd "$work/no-such-initrd"
expect 2 'no-such-disk' '/dev/kvm' -- run --block "$work/no-such-disk"
expect 2 'memory size' '/dev/kvm' -- run --mem 0
exit $failed
