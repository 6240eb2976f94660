#!/usr/bin/env bash
# Wireshark's own source checkers on the plugins' C files: ctest
# checkers/wireshark.
#
#   tests/checkers/run-checkers.sh [--self-test-only] [FOLDER...]
#
# FOLDER: plugin folders to check, e.g. plugins/acp (relative to the source
# folder or to the current one); default: every plugins/*/ folder. Every *.c
# file in them is checked, except that checkfiltername.pl only gets the
# packet-*.c files (it takes the protocol's name from that file name).
#
# The checkers are those of the installed Wireshark release, from Debian's
# source package of it: fetch-wireshark-source.sh here downloads it once
# (checked against the SHA-256 of Debian's Sources index) and keeps tools/
# and epan/tfs.c in ~/.cache/applelegacy/wireshark-source-VERSION/. Each
# checker runs with the strictest options its version has. Required:
# checkAPIs.pl, checkhf.pl, checkfiltername.pl, check_typed_item_calls.py,
# check_tfs.py, fix-encoding-args.pl. check_val_to_str.py and
# check_col_apis.py run when the source has them (newer releases than 4.0).
#
# First a self-test: each checker must report the mistake planted for it in
# samples/packet-checkersample.c, and a checker that is missing, cannot open
# its file or crashes must be caught as broken, not taken for a clean run.
# Then the checkers run on the plugins. A finding that suppressions.txt
# excuses (one line each: CHECKER | TEXT | REASON) is not counted.
#
# Exit status: 0 no finding; 1 findings (listed); 2 a checker is missing,
# crashed or printed something this script does not understand, or the
# self-test failed; 77 the checkers cannot be had (the line says why: no
# network, a release Debian does not have, a checksum that differs ...).
#
# WIRESHARK_CHECKERS_DIR: a Wireshark tools/ folder to take the checkers from
# instead (nothing is fetched); its ../epan/tfs.c, when there is one, is the
# one check_tfs.py compares with.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
suppressions_file=$here/suppressions.txt
sample=$here/samples/packet-checkersample.c
CHECKERS=(checkAPIs checkhf checkfiltername check_typed_item_calls check_tfs check_val_to_str
          check_col_apis fix-encoding-args)
# Checkers that Wireshark's source has only from some release on: missing
# from the source, they are not run (and said so); the others must be there.
OPTIONAL_CHECKERS=(check_val_to_str check_col_apis)

self_test_only=0
if [ "${1:-}" = --self-test-only ]; then
    self_test_only=1
    shift
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/run-checkers.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/epan" "$work/empty"

# Where the checkers come from. checkers_label names it in "not in ...".
source_tfs=""
if [ -n "${WIRESHARK_CHECKERS_DIR:-}" ]; then
    if ! [ -d "$WIRESHARK_CHECKERS_DIR" ]; then
        echo "run-checkers: WIRESHARK_CHECKERS_DIR: no folder $WIRESHARK_CHECKERS_DIR"
        exit 2
    fi
    checkers_dir=$(cd "$WIRESHARK_CHECKERS_DIR" && pwd)
    # The release, from the source tree's CMakeLists.txt: "project(Wireshark
    # VERSION X.Y.Z" in newer ones, set(PROJECT_{MAJOR,MINOR,PATCH}_VERSION N)
    # in 4.0's.
    version=$(awk '
        match($0, /^project\(Wireshark VERSION [0-9]+\.[0-9]+\.[0-9]+/) { print $3; exit }
        /^set\(PROJECT_(MAJOR|MINOR|PATCH)_VERSION [0-9]+\)$/ {
            v = v sep substr($2, 1, length($2) - 1); sep = "."
            if (++n == 3) { print v; exit }
        }' "$checkers_dir/../CMakeLists.txt" 2>/dev/null)
    checkers_label=$checkers_dir
    [ -n "$version" ] && checkers_label="Wireshark $version's source"
    [ -f "$checkers_dir/../epan/tfs.c" ] && source_tfs=$checkers_dir/../epan/tfs.c
    echo "checkers: from WIRESHARK_CHECKERS_DIR=$checkers_dir"
else
    if ! root=$("$here/fetch-wireshark-source.sh" 2>"$work/fetch.err"); then
        why=$(head -n 1 "$work/fetch.err")
        echo "run-checkers: SKIPPED: ${why:-fetch-wireshark-source.sh failed without saying why}"
        exit 77
    fi
    checkers_dir=$root/tools
    source_tfs=$root/epan/tfs.c
    checkers_label="Wireshark ${root##*/wireshark-source-}'s source"
    echo "checkers: $(head -n 1 "$root/SOURCE"), cached in $root"
fi

# check_tfs.py reads Wireshark's shared true/false strings (tfs_yes_no ...)
# from epan/tfs.c in its working folder: the source's when there is one.
# Otherwise that file is printed by a small program built against the
# installed libwireshark: the names from its epan/tfs.h, the strings from the
# library, so the checker compares with exactly what a plugin can use.
tfs_error=""
make_tfs_c()
{
    local cflags libs tfs_h names n out
    if ! cflags=$(pkg-config --cflags wireshark 2>&1) || ! libs=$(pkg-config --libs wireshark 2>&1); then
        tfs_error="pkg-config wireshark failed: $cflags $libs"
        return
    fi
    for n in $cflags; do
        [ -f "${n#-I}/epan/tfs.h" ] && tfs_h=${n#-I}/epan/tfs.h && break
    done
    if [ -z "${tfs_h:-}" ]; then
        tfs_error="no epan/tfs.h under: $cflags"
        return
    fi
    names=$(sed -n 's/^WS_DLL_PUBLIC const true_false_string \(tfs_[A-Za-z0-9_]*\);.*/\1/p' "$tfs_h")
    if [ -z "$names" ]; then
        tfs_error="no true_false_string declared in $tfs_h"
        return
    fi
    {
        echo '#include <stdio.h>'
        echo '#include <epan/tfs.h>'
        echo 'int main(void)'
        echo '{'
        for n in $names; do
            printf '    printf("const true_false_string %s = { \\"%%s\\", \\"%%s\\" };\\n", %s.true_string, %s.false_string);\n' \
                "$n" "$n" "$n"
        done
        echo '    return 0;'
        echo '}'
    } >"$work/gen-tfs.c"
    # shellcheck disable=SC2086
    if ! out=$(${CC:-cc} $cflags "$work/gen-tfs.c" -o "$work/gen-tfs" $libs 2>&1); then
        tfs_error="cannot build the tfs.c generator: $out"
        return
    fi
    if ! "$work/gen-tfs" >"$work/epan/tfs.c"; then
        tfs_error="the tfs.c generator failed"
        return
    fi
}
if [ -n "$source_tfs" ]; then
    cp "$source_tfs" "$work/epan/tfs.c" || tfs_error="cannot copy $source_tfs"
else
    make_tfs_c
fi

# Suppressions: CHECKER | TEXT | REASON; a finding of CHECKER whose line
# contains TEXT is excused (ends with it, when TEXT ends with "$").
supp_checker=() supp_text=() supp_used=()
suppression_error=""
load_suppressions()
{
    local n=0 line checker text reason
    [ -f "$suppressions_file" ] || return
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        case $line in '' | '#'*) continue ;; esac
        checker=${line%% | *}
        text=${line#* | }
        reason=${text#* | }
        text=${text%% | *}
        if [ "$checker" = "$line" ] || [ "$reason" = "${line#* | }" ] || [ -z "$text" ] ||
            [ -z "${reason// /}" ] || [[ " ${CHECKERS[*]} " != *" $checker "* ]]; then
            suppression_error="$suppressions_file:$n: not CHECKER | TEXT | REASON with a known checker: $line"
            return
        fi
        supp_checker+=("$checker")
        supp_text+=("$text")
        supp_used+=(0)
    done <"$suppressions_file"
}

perl_crash_re=' at .* line [0-9]+\.$|^No such file|^Can.t (open|locate)|^Couldn.t open|^no files to process|^Usage:'
python_crash_re='^Traceback|^Chosen file .* does not exist|^Folder .* not found|^usage: '

# check_options NAME SCRIPT: the options that make the checker check all it
# can, among those its version has (read from its argparse calls).
check_options()
{
    local o wanted=()
    case $1 in
    check_typed_item_calls)
        # --all-checks (newer releases) turns on every check below.
        if grep -q "'--all-checks'" "$2"; then
            echo --all-checks
            return
        fi
        wanted=(--mask --mask-exact-width --label --consecutive --missing-items --check-bitmask-fields
                --label-vs-filter --extra-value-string-checks)
        ;;
    # --common: a true/false pair defined three times or more, which could
    # be shared. (--common-usage only counts uses of tfs.c's pairs.)
    check_tfs) wanted=(--check-value-strings --common) ;;
    esac
    for o in "${wanted[@]}"; do
        grep -q "add_argument('$o'" "$2" && echo "$o"
    done
}

# run_checker [--no-suppressions] NAME FILE...
# Sets: status (clean, findings or broken), findings (array of lines),
# notes (lines the checker prints but does not count), why (for broken),
# raw (the checker's whole output), options (the options it was given).
run_checker()
{
    local use_supp=1
    if [ "$1" = --no-suppressions ]; then
        use_supp=0
        shift
    fi
    local name=$1
    shift
    local files=("$@") script interp f rc line
    local args=()
    status=broken findings=() notes=() why="" raw="" options=""
    case $name in
    checkAPIs | checkhf | checkfiltername | fix-encoding-args) script=$checkers_dir/$name.pl interp=perl ;;
    *) script=$checkers_dir/$name.py interp=python3 ;;
    esac
    if [ ! -f "$script" ]; then
        why="checker missing: $script"
        return
    fi
    if ! command -v "$interp" >/dev/null; then
        why="$interp is not installed"
        return
    fi
    if [ "$name" = check_tfs ] && [ -n "$tfs_error" ]; then
        why="epan/tfs.c for check_tfs.py: $tfs_error"
        return
    fi
    local opts=()
    case $name in
    checkAPIs) opts=(-g dissectors-prohibited -g dissectors-restricted) ;;
    checkfiltername) opts=(--showlineno) ;;
    check_typed_item_calls | check_tfs) mapfile -t opts < <(check_options "$name" "$script") ;;
    esac
    options=${opts[*]+"${opts[*]}"}
    args=(${opts[@]+"${opts[@]}"})
    if [ "$interp" = python3 ]; then
        for f in "${files[@]}"; do
            args+=(--file "$f")
        done
    else
        args+=("${files[@]}")
    fi

    # A fixed hash seed: the Python checkers print sets, in the same order each run.
    raw=$(cd "$work" && PYTHONHASHSEED=0 "$interp" "$script" "${args[@]}" 2>&1)
    rc=$?
    raw=${raw//"$src/"/}

    local crash_re=$perl_crash_re
    [ "$interp" = python3 ] && crash_re=$python_crash_re
    if line=$(grep -m1 -E "$crash_re" <<<"$raw"); then
        why="the checker failed: $line"
        return
    fi

    local file_list=" ${files[*]//"$src/"/} " counted=0 have_summary=0 errors_line=0 cur_file=""
    local total=-1 n
    while IFS= read -r line; do
        [ -n "${line//[[:space:]]/}" ] || continue
        case $name in
        checkAPIs | fix-encoding-args)
            if [[ $line == $'\t'* ]] && [ ${#findings[@]} -gt 0 ]; then
                findings[-1]+=" ${line#$'\t'}"
            else
                findings+=("$line")
            fi
            [[ $line == Error* || $line == *": error:"* ]] && errors_line=1
            ;;
        checkhf)
            # "Unused entry: FILE, hf_x" in older texts, "Unused href entry:
            # FILE: hf_x" and "Unused ei entry: ..." in 4.0's.
            if [[ $line =~ ^(Unused(\ href|\ ei)?\ entry|ERROR:\ NO\ ARRAY):\ |^\?\ one\ or\ more ]]; then
                findings+=("$line")
                [[ $line == ERROR* ]] && errors_line=1
            else
                why="unexpected output: $line"
                return
            fi
            ;;
        checkfiltername)
            if [[ $line =~ ^(.+)\ \([0-9]+\ \(of\ [0-9]+\)\ fields\)$ ]] ||
                [[ $line =~ ^(.+)\ \ -\ NO\ PROTOCOL\ REGISTERED$ ]]; then
                cur_file=${BASH_REMATCH[1]}
            elif [[ $line =~ "doesn't match PROTOABBREV"|"duplicates PROTOABBREV"|"contains an unnecessary" ]]; then
                findings+=("$cur_file:$line")
            elif [[ $line =~ ^TOTAL\ ERRORS:\ ([0-9]+) ]]; then
                total=${BASH_REMATCH[1]}
            elif [[ $line == *"doesn't fit format of packet-PROTABBREV.c" ]]; then
                why="unexpected output: $line"
                return
            fi
            ;;
        *)
            if [[ $line =~ ^([0-9]+)\ warnings(\ found)?$ ]]; then
                have_summary=1
                counted=$((counted + BASH_REMATCH[1]))
            elif [[ $line =~ ^([0-9]+)\ errors(\ found)?$ ]]; then
                errors_line=1
                counted=$((counted + BASH_REMATCH[1]))
            elif [[ $line == Examining: || $line == "All dissector"* ||
                $line =~ \ label-vs-filter\ matches\ out\ of\ [0-9]+\ so\ reporting\ mismatches$ ]]; then
                :
            elif [[ $line == Note:* || $line =~ ^\[[0-9,\ ]*\]\ \[[0-9,\ ]*\]$ ]]; then
                notes+=("$line")
            elif [[ $line == [[:space:]]* ]] && [ ${#findings[@]} -gt 0 ]; then
                # The rest of the finding above, e.g. "    (allowed types are ...)".
                findings[-1]+=" ${line#"${line%%[![:space:]]*}"}"
            else
                # The list of the files examined is not a finding.
                local listed=1 words
                read -ra words <<<"$line"
                for f in "${words[@]}"; do
                    [[ $file_list == *" $f "* ]] || listed=0
                done
                [ $listed = 1 ] || findings+=("$line")
            fi
            ;;
        esac
    done <<<"$raw"

    case $name in
    checkAPIs)
        if [ $rc -ne 0 ] && [ $errors_line = 0 ]; then
            why="exit status $rc without an error line"
            return
        fi
        ;;
    checkhf)
        if [ $rc -gt 1 ] || { [ $rc = 1 ] && [ $errors_line = 0 ]; }; then
            why="exit status $rc"
            return
        fi
        ;;
    checkfiltername)
        # 4.0's prints TOTAL ERRORS and exits 1 only when it found errors;
        # other texts print it always and exit 0.
        local total_always=1
        # shellcheck disable=SC2016 # a Perl variable, not a shell one
        grep -q '^if (\$totalerrorcount > 0) {' "$script" && total_always=0
        if [ $rc -gt 1 ] || { [ $rc = 1 ] && [ "$total" -le 0 ]; } ||
            { [ $total_always = 1 ] && [ "$total" -lt 0 ]; }; then
            why="exit status $rc, TOTAL ERRORS ${total/#-1/not printed}: it did not run to the end"
            return
        fi
        if [ "$total" -lt 0 ] && [ ${#findings[@]} -gt 0 ]; then
            why="findings but no TOTAL ERRORS line: it did not run to the end"
            return
        fi
        if [ "$total" -gt 0 ] && [ ${#findings[@]} -eq 0 ]; then
            why="it counts $total errors but none was understood here"
            return
        fi
        ;;
    fix-encoding-args)
        if [ $rc -ne 0 ] && [ ${#findings[@]} -eq 0 ]; then
            why="exit status $rc with no output"
            return
        fi
        ;;
    *)
        if [ $have_summary = 0 ]; then
            why="exit status $rc, no summary line: it did not run to the end"
            return
        fi
        if [ $rc -ne 0 ] && [ $errors_line = 0 ]; then
            why="exit status $rc without an error count"
            return
        fi
        if [ $counted -gt 0 ] && [ ${#findings[@]} -eq 0 ]; then
            why="it counts $counted findings but none was understood here"
            return
        fi
        ;;
    esac

    if [ $use_supp = 1 ] && [ ${#supp_checker[@]} -gt 0 ]; then
        local kept=() i excused
        for line in "${findings[@]}"; do
            excused=0
            for i in "${!supp_checker[@]}"; do
                [ "${supp_checker[$i]}" = "$name" ] || continue
                if [[ ${supp_text[$i]} == *'$' && $line == *"${supp_text[$i]%'$'}" ]] ||
                    [[ ${supp_text[$i]} != *'$' && $line == *"${supp_text[$i]}"* ]]; then
                    excused=1
                    supp_used[i]=1
                fi
            done
            [ $excused = 1 ] || kept+=("$line")
        done
        findings=(${kept[@]+"${kept[@]}"})
    fi
    n=${#findings[@]}
    if [ "$n" -gt 0 ]; then
        status=findings
    else
        status=clean
    fi
}

# have_checker NAME: the checker's script is in checkers_dir.
have_checker()
{
    case $1 in
    checkAPIs | checkhf | checkfiltername | fix-encoding-args) [ -f "$checkers_dir/$1.pl" ] ;;
    *) [ -f "$checkers_dir/$1.py" ] ;;
    esac
}

# not_in_source NAME: an optional checker this source does not have.
not_in_source()
{
    [[ " ${OPTIONAL_CHECKERS[*]} " == *" $1 "* ]] && ! have_checker "$1"
}

# The checkers must see what they are meant to see.
self_test()
{
    local failed=0 name expected alternative found missing=$work/packet-missing.c notutf8=$work/packet-notutf8.c
    local rel_sample=${sample#"$src/"}
    # CHECKER|text its findings must contain; "||" separates the texts of
    # different releases, one of which must be there.
    local expectations=(
        "checkAPIs|Error: Found dissectors-prohibited APIs in $rel_sample: exit"
        "checkAPIs|Warning: Found dissectors-restricted APIs in $rel_sample: printf"
        "checkhf|Unused entry: $rel_sample, hf_sample_forgotten||Unused href entry: $rel_sample: hf_sample_forgotten"
        "checkfiltername|$rel_sample:60 other.value doesn't match PROTOABBREV of checkersample"
        "check_typed_item_calls|Error: proto_tree_add_uint(.., hf_sample_flag, ...) called at $rel_sample:44 with type FT_BOOLEAN"
        "check_tfs|sample_tfs - could have used tfs_yes_no from tfs.c instead"
        "check_val_to_str|should have suitable format specifier in unknown string"
        "check_col_apis|called col_add_str with \"Sample\" - could call col_set_str() instead"
        "fix-encoding-args|hf_sample_value, tvb, 0, 1, [[FALSE]-->[ENC_BIG_ENDIAN]]);"
    )
    for name in "${CHECKERS[@]}"; do
        not_in_source "$name" && continue
        run_checker --no-suppressions "$name" "$sample"
        if [ "$status" != findings ]; then
            echo "self-test: $name on $rel_sample: expected findings, got $status ${why:+($why)}"
            [ -n "$raw" ] && sed 's/^/    | /' <<<"$raw" | head -n 20
            failed=1
            continue
        fi
        for expected in "${expectations[@]}"; do
            [ "${expected%%|*}" = "$name" ] || continue
            expected=${expected#*|}
            found=0
            while [ -n "$expected" ]; do
                alternative=${expected%%||*}
                printf '%s\n' "${findings[@]}" | grep -qF -- "$alternative" && found=1
                [ "$alternative" = "$expected" ] && break
                expected=${expected#*||}
            done
            if [ $found = 0 ]; then
                echo "self-test: $name on $rel_sample: no finding with: ${alternative}"
                printf '    | %s\n' "${findings[@]}"
                failed=1
            fi
        done
    done

    # A missing checker, a file it cannot open, a file that makes it crash
    # (not UTF-8: the Python checkers read files as UTF-8 and raise).
    printf '/* \xff\xfe */\n' >"$notutf8"
    for name in "${CHECKERS[@]}"; do
        checkers_dir=$work/empty run_checker --no-suppressions "$name" "$sample"
        if [ "$status" != broken ]; then
            echo "self-test: $name missing from its folder was not caught (status $status)"
            failed=1
        fi
        not_in_source "$name" && continue
        run_checker --no-suppressions "$name" "$missing"
        if [ "$status" != broken ]; then
            echo "self-test: $name on a missing file was not caught (status $status)"
            failed=1
        fi
    done
    for name in check_typed_item_calls check_val_to_str check_col_apis; do
        not_in_source "$name" && continue
        run_checker --no-suppressions "$name" "$notutf8"
        if [ "$status" != broken ] || [[ $why != *Traceback* ]]; then
            echo "self-test: $name on a non-UTF-8 file: expected a caught crash (Traceback), got $status ${why:+($why)}"
            failed=1
        fi
    done
    if [ $failed = 0 ]; then
        echo "self-test: each checker reports its planted mistake; missing, failing and crashing checkers are caught"
    fi
    return $failed
}

load_suppressions
if [ -n "$suppression_error" ]; then
    echo "run-checkers: $suppression_error"
    exit 2
fi

if ! self_test; then
    echo "run-checkers: self-test failed"
    exit 2
fi
[ $self_test_only = 1 ] && exit 0

folders=()
if [ $# -eq 0 ]; then
    for d in "$src"/plugins/*/; do
        folders+=("${d%/}")
    done
else
    for d in "$@"; do
        if [ -d "$d" ]; then
            folders+=("$(cd "$d" && pwd)")
        elif [ -d "$src/$d" ]; then
            folders+=("$(cd "$src/$d" && pwd)")
        else
            echo "run-checkers: no folder $d"
            exit 2
        fi
    done
fi
files=() packet_files=()
for d in "${folders[@]}"; do
    for f in "$d"/*.c; do
        [ -f "$f" ] || continue
        files+=("$f")
        [[ ${f##*/} == packet-*.c ]] && packet_files+=("$f")
    done
done
if [ ${#files[@]} -eq 0 ]; then
    echo "run-checkers: no C file in ${folders[*]}"
    exit 2
fi

total_findings=0 broken=0 ran=0
for name in "${CHECKERS[@]}"; do
    if not_in_source "$name"; then
        echo "$name: not in $checkers_label: not run"
        continue
    fi
    ran=$((ran + 1))
    if [ "$name" = checkfiltername ]; then
        if [ ${#packet_files[@]} -eq 0 ]; then
            echo "$name: no packet-*.c file to check"
            continue
        fi
        run_checker "$name" "${packet_files[@]}"
    else
        run_checker "$name" "${files[@]}"
    fi
    label=$name${options:+ ($options)}
    case $status in
    clean) echo "$label: no finding" ;;
    findings)
        echo "$label: ${#findings[@]} finding(s):"
        printf '    %s\n' "${findings[@]}"
        total_findings=$((total_findings + ${#findings[@]}))
        ;;
    broken)
        echo "$label: BROKEN: $why"
        [ -n "$raw" ] && sed 's/^/    | /' <<<"$raw" | head -n 40
        broken=$((broken + 1))
        ;;
    esac
    if [ ${#notes[@]} -gt 0 ]; then
        echo "$name: notes (not counted by the checker):"
        printf '    %s\n' "${notes[@]}"
    fi
done
for i in "${!supp_checker[@]}"; do
    [ "${supp_used[$i]}" = 1 ] ||
        echo "note: suppression not used in this run: ${supp_checker[$i]} | ${supp_text[$i]}"
done

echo "run-checkers: $ran checkers on ${#files[@]} files in ${#folders[@]} folders:" \
    "$total_findings finding(s), $broken broken checker(s)"
[ $broken -eq 0 ] || exit 2
[ $total_findings -eq 0 ] || exit 1
exit 0
