# Downloads from a Debian mirror, shared by tools/check-wireshark-versions
# (header packages) and tests/checkers/fetch-wireshark-source.sh (Wireshark's
# source package). Sourced, not run; sets nothing but the names below.
#
#   debian_mirror   APPLELEGACY_DEBIAN_MIRROR, default http://deb.debian.org/debian
#   debian_offline  1: debian_index uses only what is cached (default 0)
#
# Needs curl or wget, xz (package xz-utils) and awk.
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by the scripts that source this file
debian_mirror=${APPLELEGACY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
debian_offline=${debian_offline:-0}

# debian_fetch URL FILE: downloads URL to FILE (through FILE.part, so that
# FILE is whole or absent); the reason on stderr when it cannot.
debian_fetch() {
    local err
    if command -v curl >/dev/null; then
        err=$(curl -fsS --retry 2 --connect-timeout 20 --max-time 600 -o "$2.part" "$1" 2>&1) || {
            echo "${err##*curl: }" >&2
            rm -f "$2.part"
            return 1
        }
    elif command -v wget >/dev/null; then
        wget -q --tries=2 --timeout=60 -O "$2.part" "$1" || {
            echo "wget failed on $1" >&2
            rm -f "$2.part"
            return 1
        }
    else
        echo "neither curl nor wget is installed" >&2
        return 1
    fi
    mv "$2.part" "$2"
}

# debian_index URL FILE PACKAGE...: FILE gets the stanzas of the PACKAGEs
# from the xz-compressed index at URL (a suite's Packages.xz or Sources.xz),
# fetched again when FILE is older than a day; when that fails, an older FILE
# is kept. With debian_offline=1, only FILE as it is. FILE is empty when the
# index lists none of them. On failure: the reason on stdout, status 1.
debian_index() {
    local url=$1 out=$2 reason tmp
    shift 2
    if [ "$debian_offline" = 0 ] && [ -z "$(find "$out" -mmin -1440 2>/dev/null)" ]; then
        tmp=$(mktemp "$out.XXXXXX") || { echo "cannot write next to $out"; return 1; }
        if reason=$(debian_fetch "$url" "$tmp.xz" 2>&1); then
            if ! command -v xz >/dev/null; then
                rm -f "$tmp" "$tmp.xz"
                echo "xz is not installed (package xz-utils)"
                return 1
            fi
            # Paragraph mode: one record per stanza, its first line "Package: NAME".
            if ! xz -dc "$tmp.xz" | awk -v RS= -v ORS='\n\n' -v want=" $* " '
                    { split($0, line, "\n"); sub(/^Package: /, "", line[1]) }
                    index(want, " " line[1] " ") { print }' >"$tmp"; then
                rm -f "$tmp" "$tmp.xz"
                echo "$url: cannot decompress it"
                return 1
            fi
            rm -f "$tmp.xz"
            mv "$tmp" "$out"
        else
            rm -f "$tmp"
            if ! [ -f "$out" ]; then
                echo "$url: $reason"
                return 1
            fi
        fi
    fi
    [ -f "$out" ] || { echo "no cached copy of $url (offline)"; return 1; }
}

# debian_field FILE PACKAGE FIELD: FIELD of PACKAGE's first stanza in FILE
# (from debian_index). A multi-line field (Checksums-Sha256 ...) prints its
# continuation lines, without their leading space.
debian_field() {
    awk -v RS= -v p="$2" -v f="$3" '
        {
            n = split($0, line, "\n")
            if (line[1] != "Package: " p) next
            for (i = 2; i <= n; i++) {
                if (index(line[i], f ":") != 1) continue
                value = substr(line[i], length(f) + 2)
                sub(/^ /, "", value)
                if (value != "") print value
                while (++i <= n && line[i] ~ /^ /) print substr(line[i], 2)
                exit
            }
            exit
        }' "$1"
}
