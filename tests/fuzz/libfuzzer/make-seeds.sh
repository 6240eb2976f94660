#!/usr/bin/env bash
# Builds the seed corpora of the libFuzzer targets (tests/fuzz/libfuzzer/):
# one folder per target under OUT_DIR, each seed a file named by its SHA-1.
#
#   tests/fuzz/libfuzzer/make-seeds.sh OUT_DIR [CAPTURE...]
#
# From the captures (default: captures/*.pcap* and, when present,
# ../shared/captures/*.pcap*) tshark extracts the TCP and UDP payloads of
# each target's ports: every payload alone, and for TCP each direction of
# each connection joined into one stream. The CSV target gets
# data/apple-ports.csv and tests/gen/*.csv. Every target also gets a few
# seeds written from the documented layouts (plugins/NAME/NAME-parse.h), for
# the protocols the captures lack. OUT_DIR is emptied first.
set -euo pipefail

usage() {
    echo "usage: $0 OUT_DIR [CAPTURE...]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
case $1 in -*) usage ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
out=$1
shift
captures=("$@")
if [ ${#captures[@]} -eq 0 ]; then
    for f in "$here"/captures/*.pcap* "$here"/../shared/captures/*.pcap*; do
        [ -f "$f" ] && captures+=("$f")
    done
fi
for f in "${captures[@]}"; do
    [ -f "$f" ] || {
        echo "make-seeds: no such capture: $f" >&2
        exit 2
    }
done
command -v tshark >/dev/null || {
    echo "make-seeds: tshark is missing (apt-get install tshark)" >&2
    exit 2
}

rm -rf "$out"
mkdir -p "$out"

# One tshark pass per capture: "stream, tcp ports, udp ports, payloads" lines.
# The Python part gives each target the payloads of its ports (sniff: all),
# each alone and, for TCP, each direction of each connection joined.
fields="$out/fields"
: >"$fields"
for capture in "${captures[@]}"; do
    if ! tshark -n -r "$capture" -Y "tcp.len > 0 || udp.length > 8" -T fields -E separator=/t \
        -e tcp.stream -e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport \
        -e tcp.payload -e udp.payload 2>"$out/tshark.err" | sed "s|^|$capture\t|" >>"$fields"; then
        echo "make-seeds: tshark failed on $capture: $(grep -v '^Running as' "$out/tshark.err" | head -1)" >&2
        exit 1
    fi
done
python3 - "$out" "$fields" <<'PY'
import hashlib, os, sys

out, fields = sys.argv[1], sys.argv[2]
# target -> (TCP ports, UDP ports); None: every payload.
ports = {
    "sniff": None,
    "acp": ({5009}, set()),
    "apdisc": (set(), {192}),
    "ard": ({3283}, {3283}),
    "dsproxy": ({625}, set()),
    "eppc": ({3031}, {3031}),
    "netinfo": ({985}, {985}),
    "pwserver": ({106, 3659}, {3659}),
    "serialnumberd": (set(), {626}),
    "servermgrd": ({311, 660, 687}, set()),
}
streams = {}

def put(target, data):
    if data:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out, target, name), "wb") as f:
            f.write(data)

for target in ports:
    os.makedirs(os.path.join(out, target), exist_ok=True)
with open(fields) as f:
    for line in f:
        cols = (line.rstrip("\n").split("\t") + [""] * 8)[:8]
        capture, stream, tsrc, tdst, usrc, udst, tcp_hex, udp_hex = cols
        data = bytes.fromhex(tcp_hex or udp_hex)
        tcp = {int(p) for p in (tsrc, tdst) if p}
        udp = {int(p) for p in (usrc, udst) if p}
        for target, sel in ports.items():
            if sel is not None and not (tcp & sel[0] or udp & sel[1]):
                continue
            put(target, data)
            if tcp_hex:
                streams.setdefault((target, capture, stream, tsrc), bytearray()).extend(data)
for (target, *_), joined in streams.items():
    put(target, bytes(joined))
PY
rm -f "$fields" "$out/tshark.err"

# Seeds from the documented layouts.
seed() { # seed TARGET NAME BYTES (backslash escapes as in printf %b)
    printf "%b" "$3" >"$out/$1/layout-$1-$2"
    # The port sniffer sees every protocol's first bytes.
    printf "%b" "$3" >"$out/sniff/layout-$1-$2"
}
seed acp header 'acpp\x00\x03\x00\x01'
seed apdisc probe-08 '\x08\x01\x03\x10'
seed apdisc probe-10 '\x10\x01\x03\x10'
seed ard nmap-probe '\x00\x14\x00\x01\x03'
seed ard ping '\x00\x77\x00\x00'
seed ard send-cmd '\x00\x6b\x00\x32\x00\x00\x00\x01AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x04ls -l'
seed dsproxy auth 'DSPX\x00\x00\x00\x08DHN2abcdDSPX\x00\x00\x00\x04wxyz'
seed eppc opening 'PPCT\x00\x00\x00\x01\x00\x00\x00\x01'
seed eppc request '\xe4LPRT\x01\xe1\x01\xe7\x06Finder\xdf\xdb\xe3\x02\x01\x3d\xdf\xdf\xdf\xdf\xd5\x00'
seed eppc reply 'xxuid=501&pid=123xx'
seed netinfo udp-call '\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x0b\xed\x3d\xa0\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
seed netinfo tcp-call '\x80\x00\x00\x28\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x0b\xed\x3d\xa1\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
seed pwserver udp-reply 'How was your weekend?;0123abcd\x00'
seed pwserver session '+OK ApplePasswordServer 10.6.0.0 password server at 10.0.0.1 ready.\r\nLIST RSAPUBLIC\r\n+OK (SASL "CRAM-MD5" "DIGEST-MD5")\r\n+OK 1024 65537 1234567 root@host\r\nUSER 0x0123456789abcdef0123456789abcdef AUTH CRAM-MD5 abcd\r\n+OK {12}aGVsbG8=\r\n'
seed serialnumberd query 'SNQUERY: 10.0.0.1:AAAA-BBBB-CCCC-DDDD-EEEE-FFFF:Xsan'
seed servermgrd request 'POST /commands/servermgr_info?input=%3C%3Fxml+version%3D&send=1 HTTP/1.1\r\nHost: x\r\n\r\n'
seed servermgrd plist 'HTTP/1.1 200 OK\r\nServer: servermgrd\r\n\r\nSupportsXMLRPC\r\nContentType: text/xml\r\n\r\n<?xml version="1.0"?><plist version="1.0"><dict><key>a</key><string>b</string><key>c</key><array><integer>1</integer></array><key>d</key><true/></dict></plist>'

mkdir -p "$out/port-table"
for csv in "$here"/data/apple-ports.csv "$here"/tests/gen/*.csv; do
    cp "$csv" "$out/port-table/$(basename "$csv")"
done

for target in $(cd "$out" && ls); do
    echo "make-seeds: $target: $(find "$out/$target" -type f | wc -l) seeds"
done
