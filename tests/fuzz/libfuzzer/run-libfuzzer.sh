#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, makes their seed corpora from the
# captures and runs every target for SECONDS_PER_TARGET seconds (default 60).
# Fails on the first crash, sanitizer report, invariant failure, timeout or
# memory blow-up, and keeps the input that caused it.
#
#   tests/fuzz/libfuzzer/run-libfuzzer.sh [--build DIR] [--no-build]
#                                         [SECONDS_PER_TARGET] [TARGET...]
#
# --build DIR   the clang build (default build-fuzz/); configured with
#               -DCMAKE_C_COMPILER=clang -DAPPLELEGACY_LIBFUZZER=ON
# --no-build    use the targets already built in DIR (the ctest entry does)
# TARGET        acp apdisc ard dsproxy eppc netinfo port-table pwserver
#               serialnumberd servermgrd sniff (default: all)
#
# In DIR: libfuzzer-seeds/ (remade each run), libfuzzer-corpus/TARGET/ (what
# the runs found; kept between runs), libfuzzer-logs/TARGET.log and
# libfuzzer-crashes/ (failing inputs; LIBFUZZER_CRASHES overrides). Replay a
# kept input with: DIR/tests/fuzz/libfuzzer/fuzz-TARGET FILE
set -euo pipefail

usage() {
    echo "usage: $0 [--build DIR] [--no-build] [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
all_targets=(acp apdisc ard dsproxy eppc netinfo port-table pwserver serialnumberd servermgrd
             sniff)
build="$here/build-fuzz"
do_build=1
while [ $# -gt 0 ]; do
    case $1 in
    --build)
        [ $# -ge 2 ] || usage
        build=$2
        shift 2
        ;;
    --no-build) do_build=0; shift ;;
    -*) usage ;;
    *) break ;;
    esac
done
seconds=60
if [ $# -gt 0 ]; then
    [[ $1 =~ ^[1-9][0-9]*$ ]] || usage
    seconds=$1
    shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] || {
        echo "run-libfuzzer: unknown target: $t" >&2
        exit 2
    }
done

if [ $do_build = 1 ]; then
    command -v clang >/dev/null || {
        echo "run-libfuzzer: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2
        exit 2
    }
    cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER=clang -DAPPLELEGACY_LIBFUZZER=ON \
        -DAPPLELEGACY_WERROR=ON >/dev/null
    cmake --build "$build" --target libfuzzer-targets -j"$(nproc)" >/dev/null
fi
bin="$build/tests/fuzz/libfuzzer"
[ -x "$bin/fuzz-sniff" ] || {
    echo "run-libfuzzer: no libFuzzer targets in $build (configure with APPLELEGACY_LIBFUZZER=ON)" >&2
    exit 2
}

seeds="$build/libfuzzer-seeds"
logs="$build/libfuzzer-logs"
crashes=${LIBFUZZER_CRASHES:-$build/libfuzzer-crashes}
"$here/tests/fuzz/libfuzzer/make-seeds.sh" "$seeds" >/dev/null
mkdir -p "$logs" "$crashes"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0 total=0
for t in "${targets[@]}"; do
    corpus="$build/libfuzzer-corpus/$t"
    mkdir -p "$corpus"
    dict=()
    [ -f "$here/tests/fuzz/libfuzzer/$t.dict" ] && dict=(-dict="$here/tests/fuzz/libfuzzer/$t.dict")
    # New inputs go to the first folder (corpus); the seeds are only read.
    # (A subshell, so that bash does not report the abort of a crashing run.)
    if ("$bin/fuzz-$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/$t-" "${dict[@]}" \
        "$corpus" "$seeds/$t" >"$logs/$t.log" 2>&1); then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log")
        total=$((total + ${execs:-0}))
        echo "libfuzzer: $t: ok, ${execs:-?} executions in ${seconds} s," \
            "corpus $(find "$corpus" -type f | wc -l) inputs"
    else
        failed=$((failed + 1))
        kept=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$logs/$t.log" | tail -1)
        why=$(grep -m1 -E 'invariant failed|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' \
            "$logs/$t.log" || true)
        echo "libfuzzer: $t: FAIL: ${why:-see $logs/$t.log}; input kept in ${kept:-$crashes}"
    fi
done
echo "libfuzzer: ${#targets[@]} targets, ${seconds} s each, $total executions, $failed failed"
[ $failed -eq 0 ]
