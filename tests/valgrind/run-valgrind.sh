#!/usr/bin/env bash
# valgrind memcheck over every capture with our plugins loaded, the way
# Wireshark's tools/valgrind-wireshark.sh runs tshark (G_SLICE=always-malloc
# and WIRESHARK_DEBUG_WMEM_OVERRIDE=simple, so that every wmem and GSlice
# block is a malloc block valgrind checks on its own).
#
#   tests/valgrind/run-valgrind.sh [--demo] [CAPTURE...]
#
# Without arguments the captures are captures/*.pcapng, ../shared/captures/*
# when that folder exists, and one capture merged from every capture the
# dissection tests build (the tests run once, without valgrind, to collect
# them). --demo: only captures/apple-legacy-demo.pcapng.
#
# Each capture is read twice, each time with applelegacy.scope:all and the
# apdisc heuristic enabled: tshark -nVx (every field and the hex dump), and
# tshark -nq -z applelegacy,report -z applelegacy,tree. valgrind checks memory
# errors and, at exit, definite leaks (--leak-check=full), reading
# tests/valgrind/libwireshark.supp for libwireshark's and GLib's own noise.
# tests/valgrind/vg-errors.py then fails the run when an error left has a
# frame in one of our plugin files, and prints the others as not ours with
# the suppression valgrind generated for them.
#
# APPLELEGACY_BUILD_DIR  the build to load (default build/)
# VALGRIND_LOGS          keep every XML log there (default: removed)
#
# Exit status: 0 clean, 1 an error in our plugins or tshark failed, 2 bad use.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${APPLELEGACY_BUILD_DIR:-$here/build}
supp="$here/tests/valgrind/libwireshark.supp"

demo=0
if [ "${1:-}" = --demo ]; then
    demo=1
    shift
fi
for f in "$@"; do
    if [ ! -f "$f" ]; then
        echo "run-valgrind: $f: no such capture" >&2
        exit 2
    fi
done
if ! command -v valgrind >/dev/null; then
    echo "run-valgrind: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
fi
plugins=("$build"/plugins/*/epan/*.so)
if [ ! -e "${plugins[0]}" ]; then
    echo "run-valgrind: no plugins built in $build (run cmake --build first)" >&2
    exit 2
fi
# tools/tshark-with-plugins splits APPLELEGACY_WRAPPER on spaces.
case "$here$build" in
*[[:space:]]*)
    echo "run-valgrind: the source and build paths must not contain spaces" >&2
    exit 2
    ;;
esac

work=$(mktemp -d /tmp/applelegacy-valgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
# tshark, and so valgrind, run as user nobody when we are root.
chmod 1777 "$work"
logs=${VALGRIND_LOGS:-$work/logs}
mkdir -p "$logs"
chmod 1777 "$logs"

captures=()
if [ $# -gt 0 ]; then
    captures=("$@")
elif [ $demo = 1 ]; then
    captures=("$here/captures/apple-legacy-demo.pcapng")
else
    captures=("$here"/captures/*.pcapng)
    for f in "$here"/../shared/captures/*; do
        case $f in *.pcap | *.pcapng) captures+=("$f") ;; esac
    done
    # Every capture the dissection tests build, one after the other.
    mkdir "$work/kept"
    echo "run-valgrind: collecting the dissection tests' captures"
    # (test_memory writes its big captures itself: not kept, and not run.)
    modules=()
    for f in "$here"/tests/dissection/test_*.py; do
        [ "$(basename "$f")" = test_memory.py ] || modules+=("$(basename "$f" .py)")
    done
    if ! (cd "$here/tests/dissection" &&
        APPLELEGACY_BUILD_DIR=$build APPLELEGACY_SOURCE_DIR=$here APPLELEGACY_KEEP_CAPTURES=$work/kept \
            python3 -m unittest "${modules[@]}" >"$work/unittest.log" 2>&1); then
        echo "run-valgrind: note: some dissection tests failed; their captures are used anyway:"
        grep -E '^(FAIL|ERROR):' "$work/unittest.log" | sed 's/^/  /' || true
    fi
    kept=("$work"/kept/*.pcap)
    if [ ! -e "${kept[0]}" ]; then
        echo "run-valgrind: the dissection tests built no capture" >&2
        exit 1
    fi
    mergecap -a -F pcap -w "$work/dissection-tests.pcap" "${kept[@]}"
    chmod 644 "$work/dissection-tests.pcap"
    echo "run-valgrind: ${#kept[@]} test captures merged into dissection-tests.pcap"
    captures+=("$work/dissection-tests.pcap")
fi

export G_SLICE=always-malloc WIRESHARK_DEBUG_WMEM_OVERRIDE=simple
export APPLELEGACY_BUILD_DIR=$build
# Every Apple heuristic on (they are off by default), so their code runs too.
mapfile -t common < <("$here/tools/apple-heuristic-args")
common+=(-n -o applelegacy.scope:all --enable-heuristic apdisc_udp)
failed=0 runs=0
for capture in "${captures[@]}"; do
    for mode in dissect report; do
        runs=$((runs + 1))
        xml="$logs/$runs-$(basename "$capture")-$mode.xml"
        # --keep-debuginfo: tshark unloads the plugins before the leak check;
        # without it their frames would print as ??? with no file.
        export APPLELEGACY_WRAPPER="valgrind --tool=memcheck --error-exitcode=42
            --suppressions=$supp --gen-suppressions=all --xml=yes --xml-file=$xml
            --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
            --keep-debuginfo=yes --num-callers=40"
        if [ $mode = dissect ]; then
            args=("${common[@]}" -Vx)
        else
            # shellcheck disable=SC2054 # the commas belong to the -z arguments
            args=("${common[@]}" -q -z applelegacy,report -z applelegacy,tree)
        fi
        rc=0
        "$here/tools/tshark-with-plugins" -r - "${args[@]}" <"$capture" >"$work/out" 2>"$work/err" || rc=$?
        vrc=0
        result=$(python3 "$here/tests/valgrind/vg-errors.py" "$xml" "${plugins[@]}" 2>&1) || vrc=$?
        if [ $vrc -ne 0 ]; then
            failed=$((failed + 1))
            if [ $vrc = 1 ]; then
                echo "FAIL $(basename "$capture") ($mode): valgrind found errors in our plugins:"
                echo "$result"
            else
                echo "FAIL $(basename "$capture") ($mode): no valgrind log ($result); tshark said:"
                tail -5 "$work/err"
            fi
            continue
        fi
        if [ $rc -ne 0 ] && [ $rc -ne 42 ]; then
            failed=$((failed + 1))
            echo "FAIL $(basename "$capture") ($mode): tshark exited with $rc:"
            tail -5 "$work/err"
            continue
        fi
        echo "ok   $(basename "$capture") ($mode): ${result##*$'\n'}"
        if [ $rc -eq 42 ]; then
            # Not ours (else vg-errors.py failed): show them for the suppression file.
            echo "$result" | sed 's/^/     /'
        fi
    done
done
echo "valgrind: $runs runs over ${#captures[@]} captures, $failed failed"
[ $failed -eq 0 ]
