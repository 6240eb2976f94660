#!/usr/bin/env bash
# Benchmark: stock tshark against tshark with our plugins, side by side in
# one run, on a large capture (default 1,000,000 packets). Never a test.
#
#   bench/run-bench.sh [PACKETS] [RUNS] [ROWS]   (defaults 1000000, 3, all rows)
#
# ROWS: a comma list of summary, fields, verbose, report.
# MIX=flows: on make-capture.py's flow-heavy mix (scans and a reflection
# flood: most packets the first of their conversation) instead of the default.
# Both sides run through tools/tshark-with-plugins (same user, same fresh
# configuration); stock simply loads none of our plugins. For each command it
# prints the median wall time and the spread (min-max) of RUNS runs, the peak
# memory (max RSS), and the ratios ours/stock (of the medians; the median of
# the paired ratios of wall time, and of CPU time, user plus system: a VM's
# stolen time is in the first, not in the second), as a Markdown table under a
# line naming the machine (CPU model, cores, memory), tshark's version and the
# date, ready to paste. Stock tshark knows neither applelegacy.service nor
# -z applelegacy,report: its side of those rows is the same run without them
# (-e frame.number only; -q -z endpoints,eth), i.e. what the field and the
# report cost on top of dissecting the capture. With -q and no tap tshark
# reads the packets without dissecting them, no baseline for a report that
# needs every packet dissected; endpoints,eth is a cheap tap that makes both
# sides dissect without a protocol tree (io,stat builds one), and both run it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packets=${1:-1000000}
runs=${2:-3}
rows=${3:-summary,fields,verbose,report}
case "$packets$runs" in
'' | *[!0-9]*)
    echo "run-bench.sh: PACKETS and RUNS must be numbers (got \"$packets\" \"$runs\")" >&2
    exit 2
    ;;
esac
mix=${MIX:-default}
case $mix in
default | flows) ;;
*)
    echo "run-bench.sh: MIX must be default or flows, not \"$mix\"" >&2
    exit 2
    ;;
esac
build=${APPLELEGACY_BUILD_DIR:-$here/build}
work=$(mktemp -d /tmp/applelegacy-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
capture="$work/bench.pcap"
python3 "$here/bench/make-capture.py" --mix "$mix" "$capture" "$packets" >&2

measure() { # measure SIDE ARGS... -> "seconds maxrss_kib cpu_seconds"
    local side=$1
    shift
    local stock=
    [ "$side" = stock ] && stock=1
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" env APPLELEGACY_BUILD_DIR="$build" APPLELEGACY_STOCK="$stock" \
        "$here/tools/tshark-with-plugins" -r - "$@" <"$capture" >/dev/null 2>"$work/err" || {
        echo "bench: tshark failed: $(head -n1 "$work/err")" >&2
        exit 1
    }
    awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$work/time"
}

stats() { # stats DECIMALS VALUES... -> "median min max"
    local d=$1
    shift
    printf '%s\n' "$@" | sort -g | awk -v d="$d" '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; f="%." d "f"; printf f " " f " " f, m, v[1], v[NR]}'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
printf '%s\n' "Machine: ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(tshark -v 2>/dev/null | head -n1 | cut -d' ' -f1-3); $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%s\n' "Capture: $packets packets (--mix $mix), $(du -h "$capture" | cut -f1); $runs pairs of runs, stock first in odd pairs, ours first in even ones"
printf '\n%s\n%s\n' "| command | stock s (median, range) | ours s (median, range) | time ratio | paired ratio (median, range) | CPU paired ratio (median, range) | stock MiB | ours MiB | memory ratio |" \
    "|---|---|---|---|---|---|---|---|---|"
while IFS='|' read -r row label stock_args our_args; do
    [[ ",$rows," == *",$row,"* ]] || continue
    read -r -a sargv <<<"$stock_args"
    read -r -a oargv <<<"$our_args"
    # Paired ratios too: ours over stock, run one right after the other, in
    # turns stock first and ours first (a drift within a pair then favours
    # neither). On a shared machine whose speed drifts from minute to minute,
    # their median is steadier than the ratio of the two medians.
    st=() ot=() pr=() pc=() sm=0 om=0
    for ((r = 0; r < runs; r++)); do
        if ((r % 2 == 0)); then
            read -r s m sc <<<"$(measure stock "${sargv[@]}")"
            read -r o n oc <<<"$(measure ours "${oargv[@]}")"
        else
            read -r o n oc <<<"$(measure ours "${oargv[@]}")"
            read -r s m sc <<<"$(measure stock "${sargv[@]}")"
        fi
        st+=("$s")
        ot+=("$o")
        [ "$m" -gt "$sm" ] && sm=$m
        [ "$n" -gt "$om" ] && om=$n
        pr+=("$(awk -v a="$o" -v b="$s" 'BEGIN {printf "%.4f", a/b}')")
        pc+=("$(awk -v a="$oc" -v b="$sc" 'BEGIN {printf "%.4f", a/b}')")
    done
    read -r smed smin smax <<<"$(stats 2 "${st[@]}")"
    read -r omed omin omax <<<"$(stats 2 "${ot[@]}")"
    read -r pmed pmin pmax <<<"$(stats 3 "${pr[@]}")"
    read -r cmed cmin cmax <<<"$(stats 3 "${pc[@]}")"
    printf '| %s | %s (%s-%s) | %s (%s-%s) | %s | %s (%s-%s) | %s (%s-%s) | %s | %s | %s |\n' "$label" "$smed" "$smin" "$smax" "$omed" "$omin" "$omax" \
        "$(awk -v a="$omed" -v b="$smed" 'BEGIN {printf "%.3f", a/b}')" "$pmed" "$pmin" "$pmax" "$cmed" "$cmin" "$cmax" \
        "$((sm / 1024))" "$((om / 1024))" "$(awk -v a="$om" -v b="$sm" 'BEGIN {printf "%.3f", a/b}')"
done <<'CMDS'
summary|`tshark -r F` (summary lines)|-n|-n
fields|`tshark -r F -T fields -e frame.number -e applelegacy.service`|-n -T fields -e frame.number|-n -T fields -e frame.number -e applelegacy.service
verbose|`tshark -r F -V` (full trees)|-n -V|-n -V
report|`tshark -r F -q -z applelegacy,report`|-n -q -z endpoints,eth|-n -q -z endpoints,eth -z applelegacy,report
CMDS
