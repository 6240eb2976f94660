#!/usr/bin/env bash
# Wireshark-style fuzzing of the plugins (after tools/fuzz-test.sh): corrupt
# every capture with editcap -E at several rates and seeds, dissect it with
# our plugins loaded under CPU-time and memory limits, and fail on a crash,
# abort, hang, dissector bug or sanitizer report, keeping the failing input.
# A failing input is run again with stock tshark (none of our plugins): when
# stock tshark fails on it too, the failure is Wireshark's own, reported
# apart ("stock Wireshark") and not counted as ours (seen: packet-tls.c's
# failed assertion "fh" on corrupted copies of ndpi-anyconnect-vpn.pcap).
#
#   tests/fuzz/fuzz-captures.sh [ITERATIONS [FIRST]]  (default 40 runs from 0)
#
# Run i corrupts capture i mod N at rate i / N mod 4 with seed 1000 + i, so
# FIRST lets two processes share a long run (0 and ITERATIONS, for example).
#
# APPLELEGACY_BUILD_DIR  the build to load (default build/)
# FUZZ_CAPTURES          the captures to corrupt, separated by ':' (default: captures/
#                        and ../shared/captures)
# FUZZ_FAILURES          where failing inputs are kept (default tests/fuzz/failures;
#                        stock Wireshark's in its stock/ folder)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
iterations=${1:-40}
first=${2:-0}
[[ $iterations =~ ^[0-9]+$ && $first =~ ^[0-9]+$ ]] || {
    echo "fuzz-captures.sh: ITERATIONS and FIRST must be numbers, not '$iterations' '$first'" >&2
    exit 2
}
failures=${FUZZ_FAILURES:-$here/tests/fuzz/failures}
rates=(0.002 0.01 0.05 0.2)
cpu_seconds=30
memory_kib=3000000

captures=("$here"/captures/*.pcap*)
for f in "$here"/../shared/captures/*.pcap*; do
    [ -f "$f" ] && captures+=("$f")
done
if [ -n "${FUZZ_CAPTURES:-}" ]; then
    IFS=: read -r -a captures <<<"$FUZZ_CAPTURES"
fi

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

# What a failure looks like: on standard error (sanitizers, GLib's "** (tshark"
# criticals, ws_assert's "failed assertion"), and in the -V tree a "[Dissector
# bug, ...]" item. Not a plain "assertion" in the tree: protocols have fields
# of that name (LDAP's assertionValue).
err_pattern='AddressSanitizer|LeakSanitizer|runtime error:|dissector bug|failed assertion|assertion failed|\*\* \('
out_pattern='\[Dissector bug'

run() { # run INPUT ARGS...; prints nothing on success (APPLELEGACY_STOCK=1: stock tshark)
    local input=$1
    shift
    (
        ulimit -t $cpu_seconds "${vlimit[@]}"
        exec "$here/tools/tshark-with-plugins" -r - "$@" <"$input"
    ) >"$work/out" 2>"$work/err"
    local rc=$?
    if [ $rc -ge 128 ]; then
        echo "signal $((rc - 128))"
    elif grep -qiE "$err_pattern" "$work/err"; then
        grep -m1 -iE "$err_pattern" "$work/err"
    elif grep -qE "$out_pattern" "$work/out"; then
        grep -m1 -E "$out_pattern" "$work/out" | sed 's/^ *//'
    fi
}

# Does stock tshark (no plugin of ours, none of our options) fail on it too?
# Both ways: the full tree (-V) and the quick pass the report makes.
fails_in_stock() {
    local why
    why=$(APPLELEGACY_STOCK=1 run "$1" -nVx)
    [ -n "$why" ] || why=$(APPLELEGACY_STOCK=1 run "$1" -nq)
    [ -n "$why" ] && echo "$why"
}

# editcap cannot rewrite some pcapng files as they are (e.g. the demo capture
# with its decryption secrets block); tshark can, so rewrite those once first.
for ((c = 0; c < ${#captures[@]}; c++)); do
    if ! editcap "${captures[$c]}" "$work/probe.pcapng" >/dev/null 2>&1; then
        normalized="$work/normalized-$c.pcapng"
        tshark -r "${captures[$c]}" -w "$normalized" >/dev/null 2>&1 && captures[$c]=$normalized
    fi
done

n=0 failed=0 stock=0
for ((i = first; i < first + iterations; i++)); do
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
        [ -n "$why" ] || continue
        name="$(basename "$capture")-E$rate-seed$seed.pcapng"
        if theirs=$(fails_in_stock "$fuzzed"); then
            stock=$((stock + 1))
            mkdir -p "$failures/stock"
            cp "$fuzzed" "$failures/stock/$name"
            echo "stock Wireshark ($mode), not ours: $theirs: input kept in $failures/stock/$name"
        else
            failed=$((failed + 1))
            mkdir -p "$failures"
            cp "$fuzzed" "$failures/$name"
            echo "FAIL ($mode): $why: input kept in $failures/$name"
        fi
    done
    n=$((n + 1))
done
echo "fuzz: $n inputs from ${#captures[@]} captures (runs $first to $((first + iterations - 1))), $failed failures in our plugins, $stock in stock Wireshark"
[ $failed -eq 0 ]
