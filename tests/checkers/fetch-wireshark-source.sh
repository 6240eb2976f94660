#!/usr/bin/env bash
# Wireshark's source checkers (tools/) and epan/tfs.c, from Debian's source
# package of a Wireshark release: the folder that tests/checkers/run-checkers.sh
# runs them from.
#
#   tests/checkers/fetch-wireshark-source.sh [VERSION]
#
# VERSION: a Wireshark release, e.g. 4.0.17; default: the installed one
# (pkg-config --modversion wireshark).
#
# Prints the folder that holds tools/ and epan/tfs.c of that release, exit 0.
# The first time, it looks for the release in the Sources index of the Debian
# suite installed here (VERSION_CODENAME of /etc/os-release), then of
# bookworm, trixie, forky and sid: the "wireshark" source package whose
# upstream version is VERSION (a Debian repack such as VERSION+dfsg counts).
# It downloads that package's orig tarball from the mirror, checks its SHA-256
# against the index, and unpacks only tools/ and epan/tfs.c into
# CACHE/wireshark-source-VERSION/ (with a SOURCE file saying where they come
# from); the tarball is not kept. Later runs take that folder as it is and
# fetch nothing. A lock (flock on CACHE/wireshark-source-VERSION.lock) makes a
# parallel run wait for the first one's download instead of doing its own.
#
# When the release cannot be had (no network, not in those suites, 404, a
# checksum that differs, a tarball without tools/checkAPIs.pl): one line on
# stderr saying why, exit 1. Exit 2: bad usage.
#
# Environment: APPLELEGACY_DEBIAN_MIRROR (default http://deb.debian.org/debian);
# APPLELEGACY_DEBIAN_SUITES: the suites to look in, in order, instead of those
# above; APPLELEGACY_WSSRC_CACHE: CACHE (default ~/.cache/applelegacy). The
# suites' Sources indexes, reduced to the wireshark stanza, are kept in
# CACHE/debian-sources/ for a day.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=tools/debian-archive.sh
. "$src/tools/debian-archive.sh"

fail()
{
    echo "$*" >&2
    exit 1
}

case ${1:-} in
-h | --help)
    sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"
    exit 0
    ;;
esac
if [ $# -gt 1 ]; then
    echo "usage: $0 [VERSION]" >&2
    exit 2
fi
if [ $# = 1 ]; then
    version=$1
elif ! version=$(pkg-config --modversion wireshark 2>/dev/null); then
    fail "pkg-config finds no Wireshark (package libwireshark-dev), so the installed release is unknown"
fi
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "not a Wireshark release: '$version'" >&2
    exit 2
fi

cache=${APPLELEGACY_WSSRC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/applelegacy}
dest=$cache/wireshark-source-$version
if [ -f "$dest/SOURCE" ]; then
    echo "$dest"
    exit 0
fi
mkdir -p "$cache/debian-sources" 2>/dev/null || fail "cannot create the cache folder $cache/debian-sources"
exec 9>"$dest.lock" || fail "cannot create the lock $dest.lock"
if command -v flock >/dev/null && ! flock -w 1800 9; then
    fail "another run has held $dest.lock for 30 minutes"
fi
# The run that held the lock may have fetched it.
if [ -f "$dest/SOURCE" ]; then
    echo "$dest"
    exit 0
fi
work=$(mktemp -d "$cache/.wireshark-source-$version.XXXXXX") || fail "cannot write in $cache"
trap 'rm -rf "$work"' EXIT

if [ -n "${APPLELEGACY_DEBIAN_SUITES:-}" ]; then
    candidates=$APPLELEGACY_DEBIAN_SUITES
else
    candidates="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") bookworm trixie forky sid"
fi
suites=()
for s in $candidates; do
    [[ " ${suites[*]} " == *" $s "* ]] || suites+=("$s")
done

found="" tried=()
for suite in "${suites[@]}"; do
    idx=$cache/debian-sources/$suite
    url=$debian_mirror/dists/$suite/main/source/Sources.xz
    if ! reason=$(debian_index "$url" "$idx" wireshark); then
        tried+=("$reason")
        # Only a suite the mirror does not have is worth going on from; a
        # mirror that cannot be reached would fail the same way for each.
        [[ $reason == *"returned error: 404"* ]] || break
        continue
    fi
    debian_version=$(debian_field "$idx" wireshark Version)
    if [ -z "$debian_version" ]; then
        tried+=("Debian $suite has no wireshark source package")
        continue
    fi
    upstream=${debian_version#*:}
    upstream=${upstream%-*}
    if [ "$upstream" = "$version" ] || [[ $upstream == "$version"+* ]]; then
        found=$suite
        break
    fi
    tried+=("Debian $suite has $debian_version")
done
if [ -z "$found" ]; then
    list=$(printf '%s; ' "${tried[@]}")
    fail "cannot get Debian's source package of Wireshark $version (${list%; })"
fi

# The orig tarball's line in Checksums-Sha256: SHA256 SIZE NAME.
read -r sha _ file < <(debian_field "$idx" wireshark Checksums-Sha256 |
    awk -v base="wireshark_$upstream.orig.tar." '
        index($3, base) == 1 && substr($3, length(base) + 1) ~ /^(xz|bz2|gz)$/ { print; exit }')
directory=$(debian_field "$idx" wireshark Directory)
if [ -z "${file:-}" ] || [ -z "$directory" ]; then
    fail "Debian $found's Sources index gives no orig tarball for wireshark $debian_version"
fi
url=$debian_mirror/$directory/$file
reason=$(debian_fetch "$url" "$work/$file" 2>&1) || fail "$url: $reason"
if ! echo "$sha  $work/$file" | sha256sum -c --status; then
    fail "$url: its SHA-256 is not $sha, the one in Debian $found's Sources index"
fi

top=$(tar -tf "$work/$file" 2>/dev/null | head -n 1)
top=${top%%/*}
mkdir "$work/x"
if [ -z "$top" ] || ! out=$(tar -xf "$work/$file" -C "$work/x" "$top/tools" "$top/epan/tfs.c" 2>&1); then
    fail "cannot unpack tools/ and epan/tfs.c from $file: ${out:-not a tar archive}"
fi
[ -f "$work/x/$top/tools/checkAPIs.pl" ] || fail "$file has no tools/checkAPIs.pl"
{
    echo "Wireshark $version's tools/ and epan/tfs.c from Debian $found's source package wireshark $debian_version"
    echo "URL: $url"
    echo "SHA-256: $sha"
} >"$work/x/$top/SOURCE"
rm -rf "$dest"
mv "$work/x/$top" "$dest" || fail "cannot move the unpacked files to $dest"
echo "$dest"
