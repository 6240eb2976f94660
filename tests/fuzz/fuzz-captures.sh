#!/usr/bin/env bash
# Wireshark-style fuzzing of the plugins (after tools/fuzz-test.sh): corrupt
# every capture with editcap -E at several rates and seeds, dissect it with
# our plugins loaded under CPU-time and memory limits, and fail on a crash,
# abort, hang, dissector bug or sanitizer report, keeping the failing input.
#
#   tests/fuzz/fuzz-captures.sh [ITERATIONS]    (default 40)
#
# APPLELEGACY_BUILD_DIR  the build to load (default build/)
# FUZZ_FAILURES          where failing inputs are kept (default tests/fuzz/failures)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
iterations=${1:-40}
failures=${FUZZ_FAILURES:-$here/tests/fuzz/failures}
rates=(0.002 0.01 0.05 0.2)
cpu_seconds=30
memory_kib=3000000

captures=("$here"/captures/*.pcap*)
for f in "$here"/../shared/captures/*.pcap*; do
    [ -f "$f" ] && captures+=("$f")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# AddressSanitizer reserves terabytes of address space for its shadow memory
# and aborts under ulimit -v: with the sanitizer runtimes preloaded, its own
# limit on the heap replaces it (hard_rss_limit_mb aborts at startup here).
vlimit=(-v "$memory_kib")
if [ -n "${APPLELEGACY_PRELOAD:-}" ]; then
    vlimit=()
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}malloc_limit_mb=$((memory_kib / 1024))"
fi

# Every Apple heuristic on (they are off by default), so their code is fuzzed too.
mapfile -t heuristics < <("$here/tools/apple-heuristic-args")
heuristics+=(--enable-heuristic apdisc_udp)

run() { # run NAME ARGS... < input; prints nothing on success
    local input=$1
    shift
    (
        ulimit -t $cpu_seconds "${vlimit[@]}"
        exec "$here/tools/tshark-with-plugins" -r - "$@" <"$input"
    ) >"$work/out" 2>"$work/err"
    local rc=$?
    if [ $rc -ge 128 ]; then
        echo "signal $((rc - 128))"
    elif grep -qiE "AddressSanitizer|LeakSanitizer|runtime error:|dissector bug|assertion.*failed|\*\* \(" "$work/err" "$work/out"; then
        grep -m1 -iE "AddressSanitizer|LeakSanitizer|runtime error:|dissector bug|assertion.*failed|\*\* \(" "$work/err" "$work/out"
    fi
}

# editcap cannot rewrite some pcapng files as they are (e.g. the demo capture
# with its decryption secrets block); tshark can, so rewrite those once first.
for ((c = 0; c < ${#captures[@]}; c++)); do
    if ! editcap "${captures[$c]}" "$work/probe.pcapng" >/dev/null 2>&1; then
        normalized="$work/normalized-$c.pcapng"
        tshark -r "${captures[$c]}" -w "$normalized" >/dev/null 2>&1 && captures[$c]=$normalized
    fi
done

n=0 failed=0
for ((i = 0; i < iterations; i++)); do
    capture=${captures[$((i % ${#captures[@]}))]}
    rate=${rates[$((i / ${#captures[@]} % ${#rates[@]}))]}
    seed=$((1000 + i))
    fuzzed="$work/fuzzed.pcapng"
    editcap -E "$rate" --seed "$seed" "$capture" "$fuzzed" >/dev/null 2>&1 || continue
    for mode in dissect report; do
        if [ $mode = dissect ]; then
            why=$(run "$fuzzed" -nVx -o applelegacy.scope:all "${heuristics[@]}")
        else
            why=$(run "$fuzzed" -nq -z applelegacy,report -z applelegacy,tree "${heuristics[@]}")
        fi
        if [ -n "$why" ]; then
            failed=$((failed + 1))
            mkdir -p "$failures"
            keep="$failures/$(basename "$capture")-E$rate-seed$seed.pcapng"
            cp "$fuzzed" "$keep"
            echo "FAIL ($mode): $why: input kept in $keep"
        fi
    done
    n=$((n + 1))
done
echo "fuzz: $n inputs from ${#captures[@]} captures, ${failed} failures"
[ $failed -eq 0 ]
