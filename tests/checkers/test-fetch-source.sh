#!/usr/bin/env bash
# fetch-wireshark-source.sh against a Debian mirror made up here and served on
# 127.0.0.1 (python3 -m http.server): ctest checkers/fetch-source.
#
# The mirror's Sources indexes list a made-up wireshark release per suite:
#   bookworm 9.8.7-1  a good orig tarball (tools/, epan/tfs.c and files that
#                     must not be unpacked)
#   trixie   9.8.6-1  a SHA-256 in the index that is not the tarball's
#   forky    9.8.5-1  no tarball in the pool (404)
#   sid      9.8.4+dfsg-2  a tarball without tools/checkAPIs.pl
# Checked: the folder printed and what is in it, its reuse with the mirror
# gone, the lock (a run waits for the one that holds it and takes what that
# one fetched), the one line and the exit status of each failure, and
# run-checkers.sh's skip (77) when it cannot fetch.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fetch=$here/fetch-wireshark-source.sh
for tool in python3 xz curl tar sha256sum flock; do
    command -v "$tool" >/dev/null || { echo "test-fetch-source: SKIPPED: $tool is not installed"; exit 77; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/test-fetch-source.XXXXXX") || exit 2
server_pid=""
# shellcheck disable=SC2317 # run by the trap
cleanup()
{
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

failed=0
fail()
{
    echo "FAIL: $*"
    failed=1
}

# make_tarball VERSION WITH_TOOLS: pool/main/w/wireshark/wireshark_VERSION.orig.tar.xz
make_tarball()
{
    local top=$work/tree/wireshark-$1
    rm -rf "$work/tree"
    mkdir -p "$top/tools" "$top/epan/dissectors" "$top/doc"
    [ "$2" = 1 ] && echo '# checkAPIs.pl stand-in' >"$top/tools/checkAPIs.pl"
    echo '# check_tfs.py stand-in' >"$top/tools/check_tfs.py"
    echo 'const true_false_string tfs_yes_no = { "Yes", "No" };' >"$top/epan/tfs.c"
    echo '/* not unpacked */' >"$top/epan/proto.c"
    echo '/* not unpacked */' >"$top/epan/dissectors/packet-x.c"
    echo 'not unpacked' >"$top/doc/README"
    mkdir -p "$work/mirror/pool/main/w/wireshark"
    tar -C "$work/tree" -cJf "$work/mirror/pool/main/w/wireshark/wireshark_$1.orig.tar.xz" "wireshark-$1"
}

# make_sources SUITE DEBIAN_VERSION UPSTREAM [SHA256]: the suite's Sources.xz
# with a wireshark stanza (and another package's before it).
make_sources()
{
    local tarball=$work/mirror/pool/main/w/wireshark/wireshark_$3.orig.tar.xz sha size
    sha=${4:-$(sha256sum "$tarball" | cut -d ' ' -f 1)}
    size=$(stat -c %s "$tarball" 2>/dev/null || echo 1000)
    mkdir -p "$work/mirror/dists/$1/main/source"
    {
        printf 'Package: wiresharkish\nVersion: %s\nDirectory: pool/main/w/wiresharkish\n\n' "$2"
        printf 'Package: wireshark\nBinary: tshark, wireshark\nVersion: %s\n' "$2"
        printf 'Files:\n 0123 100 wireshark_%s.dsc\n 4567 %s wireshark_%s.orig.tar.xz\n' "$2" "$size" "$3"
        printf 'Checksums-Sha256:\n'
        printf ' %s 100 wireshark_%s.dsc\n' "$(printf '%064d' 0)" "$2"
        printf ' %s %s wireshark_%s.orig.tar.xz\n' "$sha" "$size" "$3"
        printf ' %s 100 wireshark_%s.debian.tar.xz\n' "$(printf '%064d' 1)" "$2"
        printf 'Directory: pool/main/w/wireshark\nSection: net\n\n'
    } | xz >"$work/mirror/dists/$1/main/source/Sources.xz"
}

make_tarball 9.8.7 1
make_sources bookworm 9.8.7-1 9.8.7
make_tarball 9.8.6 1
make_sources trixie 9.8.6-1 9.8.6 "$(printf '%064d' 6)"
make_sources forky 9.8.5-1 9.8.5 "$(printf '%064d' 5)"
make_tarball 9.8.4+dfsg 0
make_sources sid 1:9.8.4+dfsg-2 9.8.4+dfsg

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/mirror" 2>"$work/server.log" >/dev/null &
server_pid=$!
for _ in $(seq 50); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/dists/bookworm/main/source/Sources.xz" 2>/dev/null && break
    sleep 0.1
done
mirror=http://127.0.0.1:$port
export APPLELEGACY_DEBIAN_MIRROR=$mirror APPLELEGACY_DEBIAN_SUITES="bookworm trixie forky sid"
export APPLELEGACY_WSSRC_CACHE=$work/cache
orig_url=$mirror/pool/main/w/wireshark/wireshark_9.8.7.orig.tar.xz

# run VERSION: out, err (curl's "after N ms" made "after N ms"), rc of the
# fetch script.
run()
{
    out=$("$fetch" "$@" 2>"$work/err")
    rc=$?
    err=$(sed 's/ after [0-9]* ms: / after N ms: /' "$work/err")
}

# A run waits while another holds the lock (as a parallel run that is
# downloading does), and fetches when it is released.
dest=$work/cache/wireshark-source-9.8.7
mkdir -p "$work/cache"
exec 8>"$dest.lock"
flock 8
timeout 60 "$fetch" 9.8.7 >"$work/out1" 2>&1 8>&- &
pid=$!
sleep 1
kill -0 $pid 2>/dev/null || fail "a run did not wait for the lock: $(cat "$work/out1")"
! grep -q 'GET /pool/' "$work/server.log" || fail "a run downloaded while another held the lock"
exec 8>&-
wait $pid
[ "$(cat "$work/out1")" = "$dest" ] || fail "after the lock: expected $dest, got: $(cat "$work/out1")"
n=$(grep -c 'GET /pool/main/w/wireshark/wireshark_9.8.7.orig.tar.xz' "$work/server.log")
[ "$n" = 1 ] || fail "the tarball was downloaded $n times, not once"

# A run that waited for the lock takes what the holder fetched.
mv "$dest" "$work/fetched"
exec 8>"$dest.lock"
flock 8
timeout 60 "$fetch" 9.8.7 >"$work/out2" 2>&1 8>&- &
pid=$!
sleep 1
mv "$work/fetched" "$dest"
exec 8>&-
wait $pid
[ "$(cat "$work/out2")" = "$dest" ] || fail "after another run's download: expected $dest, got: $(cat "$work/out2")"
n=$(grep -c 'GET /pool/main/w/wireshark/wireshark_9.8.7.orig.tar.xz' "$work/server.log")
[ "$n" = 1 ] || fail "after another run's download, the tarball was downloaded again ($n times)"

# What was unpacked, and nothing else.
expected="SOURCE
epan/tfs.c
tools/checkAPIs.pl
tools/check_tfs.py"
got=$(cd "$dest" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
[ "$got" = "$expected" ] || fail "files in $dest: expected
$expected
got
$got"
expected="Wireshark 9.8.7's tools/ and epan/tfs.c from Debian bookworm's source package wireshark 9.8.7-1
URL: $orig_url
SHA-256: $(sha256sum "$work/mirror/pool/main/w/wireshark/wireshark_9.8.7.orig.tar.xz" | cut -d ' ' -f 1)"
[ "$(cat "$dest/SOURCE")" = "$expected" ] || fail "SOURCE: expected
$expected
got
$(cat "$dest/SOURCE")"
left=$(find "$work/cache" -name '*.tar.*' -o -name '.wireshark-source-*')
[ -z "$left" ] || fail "left in the cache: $left"

# Reused with the mirror gone.
APPLELEGACY_DEBIAN_MIRROR=http://127.0.0.1:1 run 9.8.7
if [ $rc != 0 ] || [ "$out" != "$dest" ] || [ -n "$err" ]; then
    fail "reuse without a mirror: rc $rc, out '$out', err '$err'"
fi

# Each failure: exit 1, one line, nothing left in the cache.
expect_failure()
{
    local version=$1 expected=$2
    run "$version"
    if [ $rc != 1 ] || [ -n "$out" ] || [ "$err" != "$expected" ]; then
        fail "$version: expected exit 1 and the line
    $expected
got exit $rc, stdout '$out', stderr
    $err"
    fi
    [ ! -e "$APPLELEGACY_WSSRC_CACHE/wireshark-source-$version" ] || fail "$version: a cache folder was left"
}
expect_failure 9.8.6 "$mirror/pool/main/w/wireshark/wireshark_9.8.6.orig.tar.xz: its SHA-256 is not $(printf '%064d' 6), the one in Debian trixie's Sources index"
expect_failure 9.8.5 "$mirror/pool/main/w/wireshark/wireshark_9.8.5.orig.tar.xz: (22) The requested URL returned error: 404"
expect_failure 9.8.4 "wireshark_9.8.4+dfsg.orig.tar.xz has no tools/checkAPIs.pl"
APPLELEGACY_DEBIAN_SUITES="bookworm experimental trixie" expect_failure 1.2.3 \
    "cannot get Debian's source package of Wireshark 1.2.3 (Debian bookworm has 9.8.7-1; $mirror/dists/experimental/main/source/Sources.xz: (22) The requested URL returned error: 404; Debian trixie has 9.8.6-1)"
APPLELEGACY_WSSRC_CACHE=$work/cache-offline APPLELEGACY_DEBIAN_MIRROR=http://127.0.0.1:1 expect_failure 9.8.7 \
    "cannot get Debian's source package of Wireshark 9.8.7 (http://127.0.0.1:1/dists/bookworm/main/source/Sources.xz: (7) Failed to connect to 127.0.0.1 port 1 after N ms: Couldn't connect to server)"

# run-checkers.sh: skipped (77) with that line when there is nothing to run.
out=$(APPLELEGACY_WSSRC_CACHE=$work/cache-offline APPLELEGACY_DEBIAN_MIRROR=http://127.0.0.1:1 \
    env -u WIRESHARK_CHECKERS_DIR "$here/run-checkers.sh" 2>&1)
rc=$?
if [ $rc != 77 ] || [[ $out != "run-checkers: SKIPPED: cannot get Debian's source package of Wireshark "*"(http://127.0.0.1:1/dists/bookworm/main/source/Sources.xz: (7) Failed to connect to 127.0.0.1 port 1 after "*" ms: Couldn't connect to server)" ]]; then
    fail "run-checkers.sh without its checkers: expected exit 77 and the SKIPPED line, got exit $rc:
$out"
fi

if [ $failed = 0 ]; then
    echo "test-fetch-source: fetched, checked, unpacked only tools/ and epan/tfs.c, reused, waited for the lock; each failure said why"
fi
exit $failed
