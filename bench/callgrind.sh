#!/usr/bin/env bash
# Instruction counts (valgrind callgrind, "Ir") of stock tshark and of tshark
# with our plugins, for the four benchmark commands. Instruction counts do not
# depend on the load of the machine, so this can run beside other jobs, where
# wall-clock timing (bench/run-bench.sh) cannot. Never a test.
#
#   bench/callgrind.sh [PACKETS] [OUT_DIR] [ROWS]
#
# Defaults: 50000 packets, a temporary folder, all rows (ROWS: a comma list of
# summary, fields, verbose, report).
#
# MIX=flows measures on make-capture.py's flow-heavy mix (scans and a
# reflection flood: most packets the first of their conversation) instead
# of the default one; the 1-packet start-up capture is then its first packet.
# Its profiles are named callgrind.out.flows-ROW.SIDE.
#
# APPLELEGACY_CG_STOCK_DIR=DIR takes the stock side, where it is there, from
# the OUT_DIR of an earlier run with the same PACKETS instead of running it
# again (stock tshark does not change when our plugins do).
#
# For each command it prints Ir of stock and ours on a capture of PACKETS
# packets (bench/make-capture.py), the ratio ours/stock, and the same for the
# per-packet part only: start-up (both sides dissecting a 1-packet capture)
# subtracted. With OUT_DIR the callgrind.out.* files are kept there for
# callgrind_annotate. Runs tshark as tools/tshark-with-plugins does (user
# nobody with a temporary HOME when root), with valgrind in front of it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packets=${1:-50000}
case $packets in
'' | *[!0-9]*)
    echo "callgrind.sh: PACKETS must be a number, not \"$packets\"" >&2
    exit 2
    ;;
esac
command -v valgrind >/dev/null || {
    echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
}
mix=${MIX:-default}
case $mix in
default) prefix= ;;
flows) prefix=flows- ;;
*)
    echo "callgrind.sh: MIX must be default or flows, not \"$mix\"" >&2
    exit 2
    ;;
esac
build=${APPLELEGACY_BUILD_DIR:-$here/build}
work=$(mktemp -d /tmp/applelegacy-callgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
out=${2:-$work/out}
rows=${3:-summary,fields,verbose,report}
mkdir -p "$out" "$work/bin"
chmod 777 "$out"
chmod 755 "$work" "$work/bin"

python3 "$here/bench/make-capture.py" --mix "$mix" "$work/bench.pcap" "$packets" >/dev/null
python3 "$here/bench/make-capture.py" --mix "$mix" "$work/one.pcap" 1 >/dev/null

# A tshark in front of the real one on PATH (the wrapper keeps only PATH of
# the environment): valgrind, writing to the file named in $work/target.
real=$(command -v tshark)
printf '#!/bin/sh\nfile=$(cat "%s/target")\nexec valgrind --tool=callgrind --callgrind-out-file="$file" --log-file="$file.log" "%s" "$@"\n' \
    "$work" "$real" >"$work/bin/tshark"
chmod 755 "$work/bin/tshark"

ir() { # ir SIDE NAME CAPTURE ARGS... -> Ir
    local side=$1 name=$2 capture=$3
    shift 3
    local earlier="${APPLELEGACY_CG_STOCK_DIR:-/nonexistent}/callgrind.out.$name.stock.log"
    if [ "$side" = stock ] && grep -q "Collected : " "$earlier" 2>/dev/null; then
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$earlier"
        return
    fi
    local stock=
    [ "$side" = stock ] && stock=1
    local file="$out/callgrind.out.$name.$side"
    printf '%s\n' "$file" >"$work/target"
    chmod 644 "$work/target"
    PATH="$work/bin:$PATH" APPLELEGACY_BUILD_DIR="$build" APPLELEGACY_STOCK="$stock" \
        "$here/tools/tshark-with-plugins" -r - "$@" <"$capture" >/dev/null 2>"$work/err" || {
        echo "callgrind.sh: tshark failed: $(head -n1 "$work/err")" >&2
        exit 1
    }
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$file.log"
}

printf '%s\n' "Capture: $packets packets (bench/make-capture.py --mix $mix); $(tshark -v 2>/dev/null | head -n1 | cut -d' ' -f1-3)"
printf '%-22s %16s %16s %8s %10s\n' command "stock Ir" "ours Ir" ratio "per-packet"
while IFS='|' read -r label stock_args our_args; do
    case ",$rows," in *",$label,"*) ;; *) continue ;; esac
    read -r -a sargv <<<"$stock_args"
    read -r -a oargv <<<"$our_args"
    s=$(ir stock "$prefix$label" "$work/bench.pcap" "${sargv[@]}")
    o=$(ir ours "$prefix$label" "$work/bench.pcap" "${oargv[@]}")
    s1=$(ir stock "$prefix$label-start" "$work/one.pcap" "${sargv[@]}")
    o1=$(ir ours "$prefix$label-start" "$work/one.pcap" "${oargv[@]}")
    printf '%-22s %16s %16s %8s %10s\n' "$label" "$s" "$o" \
        "$(awk -v a="$o" -v b="$s" 'BEGIN {printf "%.3f", a/b}')" \
        "$(awk -v a="$((o - o1))" -v b="$((s - s1))" 'BEGIN {printf "%.3f", a/b}')"
done <<'CMDS'
summary|-n|-n
fields|-n -T fields -e frame.number|-n -T fields -e frame.number -e applelegacy.service
verbose|-n -V|-n -V
report|-n -q -z endpoints,eth|-n -q -z endpoints,eth -z applelegacy,report
CMDS
