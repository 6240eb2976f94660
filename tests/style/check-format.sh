#!/usr/bin/env bash
# Every C file the project tracks is formatted as .clang-format says.
#   tests/style/check-format.sh [SOURCE_DIR]
# Prints each file clang-format would change (with its first differing
# line) and exits 1; exits 0 when all are clean. Fix with:
#   git ls-files '*.c' '*.h' | xargs clang-format -i
set -euo pipefail
src=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$src"
command -v clang-format >/dev/null || {
    echo "check-format: clang-format is not installed (apt-get install clang-format)" >&2
    exit 1
}
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files '*.c' '*.h')
else
    mapfile -t files < <(find plugins tools tests -name '*.[ch]' | sort)
fi
bad=0
for f in "${files[@]}"; do
    if ! out=$(clang-format --dry-run -Werror "$f" 2>&1); then
        echo "$f: not formatted: $(printf '%s\n' "$out" | head -n1)"
        bad=$((bad + 1))
    fi
done
echo "check-format: ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ]
