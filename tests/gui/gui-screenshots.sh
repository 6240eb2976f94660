#!/usr/bin/env bash
# Opens the demo capture in Wireshark's Qt GUI, under Xvfb, with this build's
# plugins and the "Apple Legacy Ports" profile of data/profile/, takes three
# screenshots and checks that every plugin loaded cleanly.
#
#   tests/gui/gui-screenshots.sh [--build DIR] [--update] [--expect-plugin-error]
#
# --build DIR   the build folder (default: $APPLELEGACY_BUILD_DIR, else build/)
# --update      write the screenshots to docs/screenshots/ (committed, shown in
#               the README) instead of DIR/gui-screenshots/
# --expect-plugin-error
#               self-test of the checks: a file x.so that is not a plugin is
#               added to the plugin folder; passes only when both the GUI
#               check and the tshark check report it
#
# Screenshots: packet-details.png (frame 84, SSH on TCP 660, with the "Apple
# Legacy Port Registry" tree expanded), expert-information.png (Analyze >
# Expert Information for the annotated packets) and io-graphs.png
# (Statistics > I/O Graphs with the profile's presets, data/profile/io_graphs:
# each bar graph must show in its colour).
# Checks: Wireshark shows the capture (window title) and opens no error dialog
# ("Couldn't load plugin ..." is a dialog in the GUI, not a line on stderr);
# its stderr has no plugin, dissector or registration complaint and no logged
# warning or error; tshark with the same plugin folder lists all ten plugins
# with a clean stderr; the screenshots are not blank.
# Exit status: 0 passed, 1 a check failed, 2 bad usage, 77 skipped (the GUI
# packages are not installed: wireshark-qt xvfb x11-apps x11-utils imagemagick
# xdotool).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${APPLELEGACY_BUILD_DIR:-$here/build}
update=0
selftest=0
while [ $# -gt 0 ]; do
    case $1 in
    --build) [ $# -ge 2 ] || { echo "gui-screenshots: --build needs a folder" >&2; exit 2; }
             build=$2; shift 2 ;;
    --update) update=1; shift ;;
    --expect-plugin-error) selftest=1; shift ;;
    *) echo "gui-screenshots: unknown argument \"$1\" (see the header of $0)" >&2; exit 2 ;;
    esac
done
[ -d "$build" ] || { echo "gui-screenshots: no build folder $build" >&2; exit 2; }
build=$(cd "$build" && pwd)

for tool in wireshark Xvfb xwd xwininfo convert identify xdotool setpriv; do
    if ! command -v "$tool" >/dev/null; then
        echo "gui-screenshots: SKIP: $tool is not installed (apt-get install wireshark-qt xvfb x11-apps x11-utils imagemagick xdotool)"
        exit 77
    fi
done

capture_name=apple-legacy-demo.pcapng
profile="Apple Legacy Ports"
frame=84        # the first SSH packet on TCP 660: "TCP 660 carries SSH"
plugins_expected="acp apdisc applelegacy ard dsproxy eppc netinfo pwserver serialnumberd servermgrd"
if [ $update = 1 ]; then out=$here/docs/screenshots; else out=$build/gui-screenshots; fi
[ $selftest = 1 ] && out=$build/gui-screenshots-selftest
mkdir -p "$out"

tmp=$(mktemp -d /tmp/applelegacy-gui.XXXXXX)
chmod 755 "$tmp"
xvfb_pid=
ws_pgid=
cleanup() {
    if [ -n "$ws_pgid" ] && kill -0 "$ws_pgid" 2>/dev/null; then
        kill -TERM -- "-$ws_pgid" 2>/dev/null || true
    fi
    if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

failures=()
fail() {
    echo "gui-screenshots: FAIL: $*"
    failures+=("$*")
}

# The plugin folder the wrapper links into the temporary HOME: the build's,
# or for the self-test a copy with a file that is not a plugin added.
series=$(pkg-config --modversion wireshark 2>/dev/null | cut -d. -f1,2) || true
[ -n "$series" ] || series=$(tshark -v | sed -n '1s/.* \([0-9]*\.[0-9]*\)\.[0-9]*.*/\1/p')
plugin_build=$build
if [ $selftest = 1 ]; then
    plugin_build=$tmp/build
    mkdir -p "$plugin_build/plugins/$series/epan"
    ln -s "$build/plugins/$series/epan"/*.so "$plugin_build/plugins/$series/epan/"
    echo "this is not a plugin" >"$plugin_build/plugins/$series/epan/x.so"
fi
run_with_plugins() {
    APPLELEGACY_BUILD_DIR=$plugin_build "$here/tools/tshark-with-plugins" "$@"
}

# 1. tshark with the same plugin folder: every plugin listed, nothing on stderr.
if ! run_with_plugins -G plugins >"$tmp/plugins.out" 2>"$tmp/plugins.err"; then
    fail "tshark -G plugins exited with status $?: $(head -c 500 "$tmp/plugins.err")"
fi
if [ -s "$tmp/plugins.err" ]; then
    fail "tshark -G plugins complained: $(head -c 500 "$tmp/plugins.err")"
fi
for p in $plugins_expected; do
    grep -q "^$p\.so[[:space:]].*/plugins/$series/epan/$p\.so\$" "$tmp/plugins.out" ||
        fail "tshark -G plugins does not list $p.so from the build"
done

# 2. Xvfb on a free display.
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 200); do
    [ -s "$tmp/display" ] && break
    kill -0 "$xvfb_pid" 2>/dev/null || { echo "gui-screenshots: Xvfb died: $(cat "$tmp/xvfb.log")" >&2; exit 1; }
    sleep 0.1
done
[ -s "$tmp/display" ] || { echo "gui-screenshots: Xvfb gave no display within 20 s" >&2; exit 1; }
DISPLAY=":$(head -n1 "$tmp/display")"
export DISPLAY

# 3. Wireshark: a fixed 1400x900 main window at 0,0 (there is no window
# manager), packet list above the packet details, no byte view, no capture
# interfaces probed. The capture is a copy user nobody can read.
mkdir "$tmp/config"
cat >"$tmp/config/recent_common" <<'EOF'
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: 1400
gui.geometry_main_height: 900
gui.geometry_main_maximized: FALSE
EOF
cat >"$tmp/config/recent" <<'EOF'
gui.geometry_main_upper_pane: 200
gui.geometry_main_lower_pane: 560
EOF
cat >"$tmp/config/preferences" <<'EOF'
gui.layout_content_3: NONE
capture.no_interface_load: TRUE
EOF
# The "Apple Legacy Ports" profile as shipped, with the same layout (a
# profile has its own preferences and recent files): its columns, colours
# and I/O graph presets.
profile_dir="$tmp/config/profiles/$profile"
mkdir -p "$profile_dir"
cp "$here"/data/profile/* "$profile_dir/"
cat "$tmp/config/preferences" >>"$profile_dir/preferences"
cp "$tmp/config/recent" "$profile_dir/recent"
install -m 644 "$here/captures/$capture_name" "$tmp/$capture_name"

# shellcheck disable=SC2016 # $$ and $@ are the inner shell's
setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' - "$tmp/ws.pid" \
    env APPLELEGACY_BUILD_DIR="$plugin_build" APPLELEGACY_PROGRAM=wireshark \
    APPLELEGACY_CONFIG_DIR="$tmp/config" "$here/tools/tshark-with-plugins" \
    -C "$profile" -r "$tmp/$capture_name" -Y applelegacy -g "$frame" >"$tmp/ws.out" 2>"$tmp/ws.err" &
ws_job=$!
for _ in $(seq 50); do [ -s "$tmp/ws.pid" ] && break; sleep 0.1; done
ws_pgid=$(cat "$tmp/ws.pid")

alive() { kill -0 "$ws_job" 2>/dev/null; }

# Visible Wireshark windows as "ID NAME" lines: with menus=1 only the
# override-redirect ones (open menus, tooltips), else only the others
# (the main window and dialogs).
windows() {
    local menus=${1:-0} w override
    for w in $(xdotool search --onlyvisible --class wireshark 2>/dev/null); do
        override=0
        xwininfo -id "$w" 2>/dev/null | grep -q 'Override Redirect State: yes' && override=1
        [ $override = "$menus" ] && echo "$w $(xdotool getwindowname "$w" 2>/dev/null)"
    done
}

# Waits until a visible window's name contains the text; fails at once on
# any other visible Wireshark window whose name does not match the allowed
# regular expression (an error dialog) or when Wireshark dies. Sets found.
found=
wait_window() {
    local pattern=$1 allowed=$2 seconds=$3 id name
    found=
    for _ in $(seq $((seconds * 5))); do
        alive || { fail "wireshark exited while waiting for \"$pattern\": $(head -c 500 "$tmp/ws.err")"; return 1; }
        while read -r id name; do
            [ -n "$id" ] || continue
            if [[ $name == *"$pattern"* ]]; then
                found=$id
                return 0
            fi
            if ! [[ $name =~ $allowed ]]; then
                xwd -root -silent | convert xwd:- "$out/error-dialog.png" || true
                fail "Wireshark opened a window \"$name\" (an error dialog? screenshot: $out/error-dialog.png)"
                return 1
            fi
        done < <(windows)
        sleep 0.2
    done
    fail "no window \"$pattern\" within $seconds s; windows: $(windows | tr '\n' ';')"
    return 1
}

# A checksum of the window's pixels.
pixels() { xwd -id "$1" -silent 2>/dev/null | md5sum; }

# Waits until the window's pixels have not changed for a second (a dump
# takes a few tenths of a second itself).
wait_stable() {
    local id=$1 previous='' now changed start
    start=$(date +%s%N)
    changed=$start
    while [ $(($(date +%s%N) - start)) -lt 30000000000 ]; do
        now=$(pixels "$id")
        if [ "$now" != "$previous" ]; then
            changed=$(date +%s%N)
        elif [ $(($(date +%s%N) - changed)) -ge 1000000000 ]; then
            return 0
        fi
        previous=$now
        sleep 0.2
    done
    fail "window $id kept changing for 30 s"
    return 1
}

# Waits until the window's pixels differ from the checksum, then are stable.
wait_change() {
    local id=$1 before=$2 what=$3
    for _ in $(seq 100); do
        [ "$(pixels "$id")" != "$before" ] && { wait_stable "$id"; return; }
        sleep 0.2
    done
    fail "$what: the window did not change within 20 s"
    return 1
}

# Number of colours in a region (WxH+X+Y) of the window: 1 when empty.
colours_in() { xwd -id "$1" -silent | convert xwd:- -crop "$2" +repage -format %k info:; }

# The colour of one pixel of the window, as srgb(R,G,B).
pixel_at() { xwd -id "$1" -silent | convert xwd:- -crop "1x1+$2+$3" -format '%[pixel:p{0,0}]' info:; }

# Saves a window as a 256-colour PNG (a third of the size, the same look)
# and checks it is not blank.
shoot() {
    local id=$1 file=$2 colours size
    xwd -id "$id" -silent | convert xwd:- -strip -colors 256 "PNG8:$file"
    colours=$(identify -format %k "$file")
    size=$(stat -c %s "$file")
    echo "gui-screenshots: $file: $(identify -format '%wx%h' "$file"), $colours colours, $size bytes"
    [ "$colours" -ge 64 ] || fail "$file looks blank: $colours colours"
    [ "$size" -le 200000 ] || fail "$file is too large for the README: $size bytes"
}

quit_sent=0
# The main window is first "The Wireshark Network Analyzer", then named after
# the capture once it is open.
if wait_window "$capture_name" '^(The Wireshark Network Analyzer)$' 90 &&
    main_window=$found && wait_stable "$main_window"; then
    # The details pane is empty below its six top-level rows (frame, Ethernet,
    # IP, TCP, SSH, Apple Legacy Port Registry) until the last is expanded.
    # The sixth row, at y = 388, has Wireshark's background for an expert
    # warning (yellow): our warning is on the Apple Legacy Port Registry tree.
    below_rows=1380x330+10+420
    [ "$(colours_in "$main_window" "$below_rows")" = 1 ] ||
        fail "the packet details of frame $frame are not six collapsed trees"
    colour=$(pixel_at "$main_window" 1000 388)
    [ "$colour" = "srgb(247,242,83)" ] ||
        fail "the sixth tree of frame $frame has colour $colour, not the expert warning yellow"
    # Focus the packet details (a click in its empty lower part), select its
    # last item, the Apple Legacy Port Registry tree, and expand its subtrees.
    before=$(pixels "$main_window")
    xdotool mousemove --sync 700 760 click 1 key End shift+Right mousemove --sync 1390 890
    if wait_change "$main_window" "$before" "expanding the Apple Legacy Port Registry tree"; then
        [ "$(colours_in "$main_window" "$below_rows")" -gt 16 ] ||
            fail "the Apple Legacy Port Registry tree did not expand"
        colour=$(pixel_at "$main_window" 1000 388)
        [[ $colour =~ ^srgb\(4[6-9],14[0-3],(19[7-9]|20[0-3])\)$ ]] ||
            fail "the sixth tree of frame $frame is not the selected one (colour $colour)"
        [ $selftest = 1 ] || shoot "$main_window" "$out/packet-details.png"
    fi

    # Analyze > Expert Information, the menu's last item, once the menu is up.
    xdotool key alt+a
    for _ in $(seq 50); do [ -n "$(windows 1)" ] && break; sleep 0.2; done
    [ -n "$(windows 1)" ] || fail "Alt+A opened no Analyze menu"
    xdotool key Up Return
    if wait_window "Expert Information" "^(The Wireshark Network Analyzer|$capture_name)$" 30; then
        expert=$found
        xdotool windowsize --sync "$expert" 1100 460 windowmove --sync "$expert" 0 0
        if wait_stable "$expert"; then
            [ $selftest = 1 ] || shoot "$expert" "$out/expert-information.png"
        fi
    fi

    # Statistics > I/O Graphs: the profile's presets (data/profile/io_graphs),
    # each drawn in its colour.
    xdotool windowfocus --sync "$main_window" key alt+s
    for _ in $(seq 50); do [ -n "$(windows 1)" ] && break; sleep 0.2; done
    [ -n "$(windows 1)" ] || fail "Alt+S opened no Statistics menu"
    xdotool key i
    if wait_window "I/O Graph" "^(The Wireshark Network Analyzer|$capture_name|.*Expert Information.*)$" 30; then
        iograph=$found
        xdotool windowsize --sync "$iograph" 1000 620 windowmove --sync "$iograph" 0 0
        if wait_stable "$iograph"; then
            for colour in 3465A4 F57900 7500A0; do
                n=$(xwd -id "$iograph" -silent | convert xwd:- -crop 980x420+10+40 +repage \
                    -format %c histogram:info:- | grep -i "#${colour}" | sed 's/^ *\([0-9]*\):.*/\1/' | head -n1)
                [ "${n:-0}" -ge 20 ] || fail "the I/O graph shows no preset drawn in #$colour (${n:-0} pixels)"
            done
            [ $selftest = 1 ] || shoot "$iograph" "$out/io-graphs.png"
        fi
    fi
    # Quit (nothing to save: the capture was only read).
    xdotool windowfocus --sync "$main_window" key ctrl+q
    quit_sent=1
fi
if [ $quit_sent = 1 ]; then
    for _ in $(seq 100); do alive || break; sleep 0.1; done
    alive && fail "wireshark did not quit within 10 s of Ctrl+Q"
fi
if alive; then
    kill -TERM -- "-$ws_pgid" 2>/dev/null || true
    wait "$ws_job" 2>/dev/null || true
else
    status=0
    wait "$ws_job" || status=$?
    [ $status = 0 ] || fail "wireshark exited with status $status"
fi
ws_pgid=

# 4. Wireshark's stderr: no plugin, dissector or registration complaint, no
# logged warning, critical or error.
if [ -s "$tmp/ws.err" ]; then
    echo "gui-screenshots: wireshark's stderr:"
    sed 's/^/    /' "$tmp/ws.err"
fi
if grep -Eai 'plugin|\.so\b|undefined symbol|dissector|regist|duplicate|applelegacy|\[[a-z-]+ (warning|critical|error)\]' \
    "$tmp/ws.err" >"$tmp/ws.bad"; then
    fail "wireshark's stderr: $(head -c 500 "$tmp/ws.bad")"
fi

if [ $selftest = 1 ]; then
    # Both the tshark check and the GUI check must have caught x.so.
    printf '%s\n' "${failures[@]}" >"$tmp/failures"
    ok=1
    grep -q "tshark -G plugins complained: .*Couldn't load plugin 'x.so'" "$tmp/failures" || ok=0
    grep -q 'Wireshark opened a window "Wireshark"' "$tmp/failures" || ok=0
    if [ $ok = 1 ]; then
        echo "gui-screenshots: self-test passed: the broken plugin x.so was reported by tshark and by the GUI"
        exit 0
    fi
    echo "gui-screenshots: self-test FAILED: x.so was not reported by both checks"
    exit 1
fi
if [ ${#failures[@]} -gt 0 ]; then
    echo "gui-screenshots: ${#failures[@]} check(s) failed"
    exit 1
fi
echo "gui-screenshots: passed; screenshots in $out"
