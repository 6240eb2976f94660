#!/usr/bin/env bash
# A bad row in the port table must stop the real build, naming FILE:LINE.
#   build-fails.sh SOURCE_DIR
set -u
src=$1
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cmake -S "$src" -B "$build" -DBUILD_TESTING=OFF \
    -DAPPLELEGACY_PORTS_CSV=tests/gen/bad-port.csv >"$build/configure.log" 2>&1 || {
    echo "FAIL: configure failed"; cat "$build/configure.log"; exit 1; }
if cmake --build "$build" --target applelegacy >"$build/build.log" 2>&1; then
    echo "FAIL: the build succeeded with a bad row"
    exit 1
fi
expected='tests/gen/bad-port.csv:3: column port_hi: "66000": not a port number (0-65535): too large'
if ! grep -qF "$expected" "$build/build.log"; then
    echo "FAIL: the build log does not name the bad row; expected: $expected"
    cat "$build/build.log"
    exit 1
fi
echo "ok: build stopped with: $expected"
