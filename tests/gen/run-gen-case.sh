#!/usr/bin/env bash
# Runs gen-port-table on a bad CSV the way the build does and checks that it
# fails with exactly the expected message and leaves no output behind.
#   run-gen-case.sh GEN CSV EXPECTED_MESSAGE_FILE
set -u
gen=$1 csv=$2 expected=$(cat "$3")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
actual=$("$gen" "$csv" "$out/rows.c" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "FAIL: gen-port-table accepted $csv"
    exit 1
fi
if [ "$actual" != "$expected" ]; then
    printf 'FAIL: message differs\n expected: %s\n actual:   %s\n' "$expected" "$actual"
    exit 1
fi
if [ -e "$out/rows.c" ] || [ -e "$out/rows.c.tmp" ]; then
    echo "FAIL: a failed run left output behind"
    exit 1
fi
echo "ok: $actual"
