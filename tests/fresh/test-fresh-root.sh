#!/usr/bin/env bash
# The README's first command on a fresh Debian 12, as a new user runs it: in
# a bookworm minbase root filesystem (debootstrap; nothing of ours
# installed), tools/applelegacy-report
#   - as another user: one line naming the missing packages and the exact
#     apt-get line, exit status 2 (not "unreadable capture: capinfos: command
#     not found");
#   - as root: installs the runtime and build packages with apt-get, builds
#     the plugins and prints the report of the demo capture.
# The minbase root is made once and kept in DIR (default
# ~/.cache/applelegacy/bookworm-minbase-root); each run works on a throwaway
# overlay (or copy) of it, so the cached root stays fresh.
#
#   tests/fresh/test-fresh-root.sh [--root DIR] [--skip-exit N]
#
# Needs root (debootstrap, chroot, mount) and the Debian mirror
# (APPLELEGACY_DEBIAN_MIRROR, default http://deb.debian.org/debian). When the
# root cannot be made or the packages cannot be fetched, it prints
# "SKIPPED: reason" and exits N (default 77, ctest's SKIP_RETURN_CODE).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
prog=test-fresh-root
root=${XDG_CACHE_HOME:-$HOME/.cache}/applelegacy/bookworm-minbase-root
skip_exit=77
while [ $# -gt 0 ]; do
    case $1 in
    --root) root=$2; shift 2 ;;
    --skip-exit) skip_exit=$2; shift 2 ;;
    *) echo "$prog: unknown argument $1" >&2; exit 2 ;;
    esac
done
skip() {
    echo "$prog: SKIPPED: $*"
    exit "$skip_exit"
}
fail() {
    echo "$prog: FAIL: $*"
    exit 1
}
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed"
mirror=${APPLELEGACY_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if ! [ -x "$root/usr/bin/apt-get" ]; then
    rm -rf "$root.new"
    mkdir -p "$(dirname "$root")"
    echo "$prog: debootstrap --variant=minbase bookworm into $root"
    if ! timeout 1200 debootstrap --variant=minbase bookworm "$root.new" "$mirror" >"$root.log" 2>&1; then
        rm -rf "$root.new"
        skip "debootstrap from $mirror failed: $(tail -n 1 "$root.log") (see $root.log)"
    fi
    mv "$root.new" "$root"
fi

# A throwaway root: an overlay on the cached one, else a copy.
scratch=$(mktemp -d -t applelegacy-fresh.XXXXXX)
chmod 755 "$scratch"
mnt=$scratch/root
mkdir -p "$mnt" "$scratch/upper" "$scratch/work"
cleanup() {
    umount "$mnt/proc" 2>/dev/null || true
    umount "$mnt" 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT
if ! mount -t overlay overlay -o "lowerdir=$root,upperdir=$scratch/upper,workdir=$scratch/work" "$mnt" 2>/dev/null; then
    cp -a "$root/." "$mnt/"
fi
mount -t proc proc "$mnt/proc"
cp /etc/resolv.conf "$mnt/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$mnt/src"
tar -C "$here" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$mnt/src" -xf -
chmod -R a+rX "$mnt/src"

in_root() { # in_root USERSPEC COMMAND...: stdout and stderr apart, exit status kept
    chroot --userspec="$1" "$mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp \
        LANG=C.UTF-8 "${@:2}"
}

# Nothing of ours is there.
for t in tshark capinfos editcap python3 cmake gcc; do
    ! in_root root:root sh -c "command -v $t" >/dev/null || fail "$t is in the fresh root already"
done

# Another user: the exact apt-get line, exit status 2, nothing on stdout.
need="tshark wireshark-common python3 cmake make gcc libc6-dev pkg-config libglib2.0-dev libwireshark-dev"
rc=0
out=$(in_root nobody:nogroup /src/tools/applelegacy-report 2>"$scratch/err") || rc=$?
err=$(cat "$scratch/err")
expected="applelegacy-report: missing Debian packages $need; install them with: sudo apt-get install -y $need"
[ "$rc" = 2 ] || fail "as nobody: exit status $rc, expected 2 ($err)"
[ -z "$out" ] || fail "as nobody: output on stdout: $out"
[ "$err" = "$expected" ] || fail "as nobody: stderr
  got:      $err
  expected: $expected"
echo "$prog: ok: as nobody: $err"

# Root: installs, builds, reports.
rc=0
in_root root:root /src/tools/applelegacy-report >"$scratch/out" 2>"$scratch/err" || rc=$?
if [ "$rc" != 0 ] && grep -q "apt-get could not install" "$scratch/err"; then
    skip "the packages cannot be fetched from the mirror: $(head -n 1 "$scratch/err")"
fi
[ "$rc" = 0 ] || fail "as root: exit status $rc: $(tail -n 3 "$scratch/err")"
first_err=$(head -n 1 "$scratch/err")
[ "$first_err" = "applelegacy-report: installing $need with apt-get ..." ] ||
    fail "as root: first message: $first_err"
grep -qx "applelegacy-report: building the plugins in /src/build ..." "$scratch/err" ||
    fail "as root: no build message: $(cat "$scratch/err")"
grep -qx "9 service endpoints, 9 conversations, 112 packets" "$scratch/out" ||
    fail "as root: not the demo's report: $(head -n 5 "$scratch/out")"
for p in $need; do
    in_root root:root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        fail "as root: $p is not installed"
done
# the test tools were not installed
for p in valgrind clang-format debootstrap wireshark-qt; do
    ! in_root root:root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        fail "as root: $p was installed too"
done
echo "$prog: ok: as root: installed, built, reported"
