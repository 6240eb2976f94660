#!/usr/bin/env bash
# The Debian package end to end: builds it with cpack, checks its name,
# control fields and exact file list, installs it with dpkg, checks that tshark
# (run as root, so only the system plugin folder counts) lists all the plugins
# from the system folder and that the "Apple Legacy Ports" profile loads from
# Wireshark's global profiles folder, then purges it and checks nothing is left.
#
#   tests/packaging/test-deb.sh BUILD_DIR [CPACK]
#
# Root only, and not for sanitizer builds: exits 77 (ctest's skip code)
# otherwise. Where the kernel allows it (unshare and overlayfs), dpkg runs in a
# private mount namespace with /usr and /var/lib/dpkg overlaid by throwaway
# folders, so the rest of the machine (other tests' tshark, other users) never
# sees the package; otherwise it is installed for real, a trap always purges
# it, and ctest runs this test alone (RUN_SERIAL) so the installed copy never
# shadows the build under test.
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR [CPACK]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
build=$(cd "$1" 2>/dev/null && pwd) || { echo "test-deb: no build folder $1" >&2; exit 2; }
cpack=${2:-cpack}
[ -f "$build/CMakeCache.txt" ] || { echo "test-deb: $build is not a CMake build folder" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
    echo "skip: installing a .deb needs root"
    exit 77
fi

if grep -q '^APPLELEGACY_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "skip: a sanitizer build is not packaged (tshark would load it without the runtimes)"
    exit 77
fi

fail() { echo "FAIL: $*" >&2; exit 1; }

pkg=applelegacy-wireshark-plugins
profile="Apple Legacy Ports"
series=$(pkg-config --modversion wireshark | cut -d. -f1,2)
plugindir=$(pkg-config --variable=plugindir wireshark)/epan
profiles=$(pkg-config --variable=prefix wireshark)/share/wireshark/profiles
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)
deb="$build/${pkg}_${version}_${arch}.deb"
mapfile -t plugins < <(cd "$build/plugins/$series/epan" && ls -- *.so)
[ ${#plugins[@]} -eq 10 ] || fail "expected 10 built plugins, found ${#plugins[@]}: ${plugins[*]}"

# ---- Outside the namespace: build and inspect the package ------------------
if [ -z "${APPLELEGACY_DEB_STAGE:-}" ]; then
    rm -f "$deb"
    (cd "$build" && "$cpack" -G DEB >cpack.log 2>&1) || { cat "$build/cpack.log"; fail "cpack failed"; }
    [ -f "$deb" ] || fail "cpack did not make $deb: $(ls "$build"/*.deb 2>/dev/null)"

    # The dependency, found independently of CMake: the package shipping the
    # SONAME of the libwireshark pkg-config names, within the series.
    lib=$(pkg-config --variable=libdir wireshark)/libwireshark.so
    soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
    libpkg=$(dpkg-query -S "$(dirname "$lib")/$soname" | cut -d: -f1)
    major=${series%.*} minor=${series#*.}
    expected="$libpkg (>= $series.0), $libpkg (<< $major.$((minor + 1))~)"
    for f in Package:$pkg Version:$version Architecture:$arch "Depends:$expected" Section:net; do
        got=$(dpkg-deb -f "$deb" "${f%%:*}")
        [ "$got" = "${f#*:}" ] || fail "${f%%:*} is '$got', expected '${f#*:}'"
    done
    [ -n "$(dpkg-deb -f "$deb" Maintainer)" ] || fail "no Maintainer"
    echo "ok: $(basename "$deb"): Depends: $expected"

    # Exactly the plugins, the profile and the copyright file; nothing else.
    want=$(
        for p in "${plugins[@]}"; do echo "$plugindir/$p"; done
        for f in colorfilters dfilter_buttons heuristic_protos io_graphs preferences; do echo "$profiles/$profile/$f"; done
        echo "/usr/share/doc/$pkg/copyright"
    )
    got=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -n 's|^\./|/|; /[^/]$/p')
    [ "$(sort <<<"$got")" = "$(sort <<<"$want")" ] ||
        fail "file list differs:"$'\n'"$(diff <(sort <<<"$want") <(sort <<<"$got"))"
    echo "ok: the package holds ${#plugins[@]} plugins, 5 profile files and the copyright file"

    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
        fail "$pkg is already installed on this machine; remove it first (apt remove $pkg)"
    fi

    # A private mount namespace with overlays, when the kernel allows it.
    scratch=$(mktemp -d /tmp/applelegacy-deb.XXXXXX)
    trap 'rm -rf "$scratch"' EXIT
    if unshare --mount --propagation private sh -c \
        "mkdir -p '$scratch/probe/u' '$scratch/probe/w' &&
         mount -t overlay overlay -o lowerdir=/var/lib/dpkg,upperdir='$scratch/probe/u',workdir='$scratch/probe/w' /var/lib/dpkg" \
        2>/dev/null; then
        echo "ok: installing in a private mount namespace (/usr and /var/lib/dpkg overlaid)"
        APPLELEGACY_DEB_STAGE=namespace APPLELEGACY_DEB_SCRATCH=$scratch \
            unshare --mount --propagation private -- "$0" "$build" "$cpack"
    else
        echo "ok: no private mount namespace here: installing for real (purged on exit)"
        APPLELEGACY_DEB_STAGE=host APPLELEGACY_DEB_SCRATCH=$scratch "$0" "$build" "$cpack"
    fi
    exit
fi

# ---- Install, check, purge --------------------------------------------------
scratch=$APPLELEGACY_DEB_SCRATCH
if [ "$APPLELEGACY_DEB_STAGE" = namespace ]; then
    for d in /usr /var/lib/dpkg; do
        n=$scratch/overlay$(tr / _ <<<"$d")
        mkdir -p "$n/u" "$n/w"
        mount -t overlay overlay -o "lowerdir=$d,upperdir=$n/u,workdir=$n/w" "$d"
    done
else
    trap 'dpkg --log=/dev/null --purge "$pkg" >/dev/null 2>&1 || true' EXIT
fi

dpkg --log=/dev/null -i "$deb" >"$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log"; fail "dpkg -i failed"; }
[ "$(dpkg-query -W -f='${Status}' "$pkg")" = "install ok installed" ] || fail "$pkg not installed"

# tshark as root: the personal folder is ignored, so only the package counts.
home="$scratch/home"
mkdir -p "$home"
ts() { env -i PATH="$PATH" HOME="$home" LANG=C.UTF-8 TZ=UTC tshark "$@"; }
listed=$(ts -G plugins 2>/dev/null | awk -F'\t' '{ gsub(/ +$/, "", $1); print $1 "|" $2 "|" $3 "|" $4 }')
for p in "${plugins[@]}"; do
    grep -qxF "$p|$version|dissector|$plugindir/$p" <<<"$listed" ||
        fail "tshark -G plugins does not list $plugindir/$p"
done
echo "ok: tshark -G plugins lists ${plugins[*]} from $plugindir"

for f in colorfilters dfilter_buttons heuristic_protos io_graphs preferences; do
    cmp -s "$profiles/$profile/$f" "$here/data/profile/$f" || fail "$profiles/$profile/$f differs from data/profile/$f"
done
# -C copies a global profile into the personal folder and uses it: the
# custom columns and the coloring rules show.
demo="$here/captures/apple-legacy-demo.pcapng"
out=$(ts -C "$profile" --color -r "$demo" -Y 'frame.number == 84' -T fields \
    -e frame.coloring_rule.name -e _ws.col.Protocol 2>"$scratch/err")
[ "$out" = $'Apple: protocol mismatch\tSSH' ] || fail "coloring with the profile gave '$out'"
line=$(ts -C "$profile" -r "$demo" -Y 'frame.number == 84' -T tabs 2>>"$scratch/err" | cut -f6-9)
[ "$line" = $'SSH\tMacOS Server Admin\tapple\tssh' ] || fail "the profile's columns gave '$line'"
# Not counted: the root warning, and what Wireshark's own dissectors log
# (4.6's SSH warns on the demo's post-quantum key exchange).
if grep -v '^Running as user "root"' "$scratch/err" |
    grep -Ev '^ \*\* \([a-z-]+:[0-9]+\) [0-9:.]+ \[[A-Za-z0-9_-]+ [A-Z]+\] \./epan/' | grep -q .; then
    cat "$scratch/err" >&2
    fail "tshark complained with the installed profile"
fi
[ -f "$home/.config/wireshark/profiles/$profile/colorfilters" ] || fail "tshark -C did not use the global profile"
echo "ok: the profile loads from $profiles/$profile (columns and coloring rules)"

dpkg --log=/dev/null --purge "$pkg" >"$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log"; fail "dpkg --purge failed"; }
status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
case $status in
*"ok installed"* | *config-files*) fail "$pkg is '$status' after purge" ;;
esac
for p in "${plugins[@]}"; do
    [ ! -e "$plugindir/$p" ] || fail "$plugindir/$p left after purge"
done
[ ! -e "$profiles/$profile" ] || fail "$profiles/$profile left after purge"
[ -z "$(ts -G plugins 2>/dev/null | grep -F "$plugindir/applelegacy.so")" ] || fail "tshark still loads applelegacy.so"
echo "ok: purged: no plugin, no profile left"
