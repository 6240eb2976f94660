#!/bin/bash
# make-demo-capture.sh - record captures/apple-legacy-demo.pcapng (run as root).
#
# dumpcap records the loopback interface while real programs talk over it:
# openssl s_server / curl (TLS and HTTP), python3 -m http.server, sshd / ssh,
# nmap (UDP probes), and the small stdlib-only python peers in captures/demo/
# for the Apple protocols that no installed program speaks. Servers listen on
# 127.0.0.10-19, clients bind 127.0.0.20-31. Every process started here is
# stopped by the EXIT trap. See captures/README.md for the conversation list.
#
# Needs: dumpcap, editcap, tshark, openssl, curl, sshd/ssh-keygen/ssh
# (openssh-server/-client), nmap, socat, ss (iproute2), /usr/bin/python3.
# Usage: sudo captures/make-demo-capture.sh [output.pcapng]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEMO=$HERE/demo
OUT=${1:-$HERE/apple-legacy-demo.pcapng}
PY=/usr/bin/python3

if [[ $EUID -ne 0 ]]; then
    echo "run as root (dumpcap on lo, ports < 1024, sshd, nmap raw sockets)" >&2
    exit 1
fi
for tool in dumpcap editcap tshark openssl curl /usr/sbin/sshd ssh-keygen ssh nmap socat ss ip unshare sysctl "$PY"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

# Run in a private network namespace: its own loopback (no other traffic, no
# port clashes) and its own ephemeral port range. The range is narrowed to
# 32768-49151 there, so no kernel-chosen client port falls in 49152-65535:
# the only client port in that range is the one forced to 52000 below.
if [[ -z ${APPLE_DEMO_NETNS:-} ]]; then
    if unshare --net true 2>/dev/null; then
        export APPLE_DEMO_NETNS=1
        exec unshare --net -- /bin/bash "$HERE/$(basename "${BASH_SOURCE[0]}")" "$OUT"
    fi
    echo "note: no private network namespace (unshare --net failed); using the host" \
         "loopback, so client ports may fall anywhere in the host's ephemeral range" >&2
else
    ip link set lo up
    sysctl -q -w net.ipv4.ip_local_port_range="32768 49151"
fi

WORK=$(mktemp -d /tmp/apple-legacy-demo.XXXXXX)
LOG=$WORK/programs.log
PIDS=()
CREATED_RUN_SSHD=0

cleanup() {
    local rc=$?
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ $CREATED_RUN_SSHD == 1 ]]; then
        rmdir /run/sshd 2>/dev/null || true
    fi
    if [[ $rc -ne 0 && -s $LOG ]]; then
        echo "---- program output ($LOG) ----" >&2
        tail -n 40 "$LOG" >&2 || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start CMD...: run in the background, remember the pid in $LAST and PIDS
start() {
    "$@" >>"$LOG" 2>&1 &
    LAST=$!
    PIDS+=("$LAST")
}

# wait_port tcp|udp ADDR PORT: until something listens / is bound there
wait_port() {
    local flag=t
    [[ $1 == udp ]] && flag=u
    for _ in $(seq 200); do
        if ss -Hln"$flag" "sport = :$3" | awk '{print $4}' | grep -qx "$2:$3"; then
            return 0
        fi
        sleep 0.02
    done
    echo "timeout: nothing listening on $1 $2:$3" >&2
    return 1
}

# forget PID: drop a reaped pid from PIDS, so the trap never signals a reused pid
forget() {
    local keep=() pid
    for pid in "${PIDS[@]}"; do
        [[ $pid == "$1" ]] || keep+=("$pid")
    done
    PIDS=("${keep[@]}")
}

# finish PID: wait (max 10 s) for a one-shot server to exit; fail if it failed
finish() {
    local rc=0
    for _ in $(seq 500); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.02
    done
    kill -0 "$1" 2>/dev/null && { echo "server $1 did not finish" >&2; return 1; }
    wait "$1" || rc=$?
    forget "$1"
    return "$rc"
}

# stop PID: end a long-running server we started
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget "$1"
}

pause() { sleep 0.2; }

step() { echo "== $*"; }

# ---------------------------------------------------------------- material
# One self-signed EC certificate for all TLS servers (small handshakes).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$WORK/server.key" -out "$WORK/server.crt" -days 2 \
    -subj "/CN=demo-server.example.com" 2>>"$LOG"

# Page served by python3 -m http.server (8080)
PAGE='<html><body>ordinary demo page</body></html>
'
mkdir -p "$WORK/www"
printf '%s' "$PAGE" >"$WORK/www/index.html"

# openssl s_server -HTTP sends the requested file as it is, so each file holds
# a complete HTTP response (with Content-Length, so decrypted views end cleanly).
# (s_server maps "GET /" to an empty file name, so clients ask for /index.html.)
mkdir -p "$WORK/tls-www"
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "${#PAGE}" "$PAGE" >"$WORK/tls-www/index.html"

# servermgrd on TLS 311: s_server -HTTP sends a file that holds a complete
# HTTP response; it does not strip the query string, so the file is named
# after the whole request target (hence the short getState plist).
Q311='input=%3C%3Fxml+version%3D%221.0%22+encoding%3D%22UTF-8%22%3F%3E%3Cplist+version%3D%220.9%22%3E%3Cdict%3E%3Ckey%3Ecommand%3C%2Fkey%3E%3Cstring%3EgetState%3C%2Fstring%3E%3C%2Fdict%3E%3C%2Fplist%3E&send=Send+Command'
mkdir -p "$WORK/srvmgr/commands"
BODY311='<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>state</key>
	<string>RUNNING</string>
</dict>
</plist>
'
printf 'HTTP/1.1 200 OK\r\nServer: servermgrd\r\nContent-Type: text/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "${#BODY311}" "$BODY311" >"$WORK/srvmgr/commands/servermgr_info?$Q311"

# servermgrd on plain HTTP 687 (getHardwareInfo/withQuotaUsage, as in doc section 1)
Q687='input=%3C%3Fxml+version%3D%221.0%22+encoding%3D%22UTF-8%22%3F%3E%3Cplist+version%3D%220.9%22%3E%3Cdict%3E%3Ckey%3Ecommand%3C%2Fkey%3E%3Cstring%3EgetHardwareInfo%3C%2Fstring%3E%3Ckey%3Evariant%3C%2Fkey%3E%3Cstring%3EwithQuotaUsage%3C%2Fstring%3E%3C%2Fdict%3E%3C%2Fplist%3E&send=Send+Command'

# sshd for TCP 660: temporary host key and config
ssh-keygen -q -t ed25519 -N '' -C demo-host-key -f "$WORK/ssh_host_ed25519_key"
cat >"$WORK/sshd_config" <<EOF
ListenAddress 127.0.0.13:660
HostKey $WORK/ssh_host_ed25519_key
PidFile $WORK/sshd.pid
UsePAM no
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile none
LogLevel INFO
EOF
if [[ ! -d /run/sshd ]]; then        # privilege-separation directory
    mkdir -m 0755 /run/sshd
    CREATED_RUN_SSHD=1
fi
/usr/sbin/sshd -t -f "$WORK/sshd_config" -h "$WORK/ssh_host_ed25519_key"

# TLS key log: curl writes it, editcap embeds it so Wireshark can decrypt
export SSLKEYLOGFILE=$WORK/tls-keys.log
: >"$SSLKEYLOGFILE"

# ---------------------------------------------------------------- capture
# Only packets whose source and destination are both in 127.0.0.10-31.
FILTER='ip and ip[12:4] >= 0x7f00000a and ip[12:4] <= 0x7f00001f and ip[16:4] >= 0x7f00000a and ip[16:4] <= 0x7f00001f'
RAW=$WORK/raw.pcapng
dumpcap -q -i lo -f "$FILTER" -w "$RAW" 2>"$WORK/dumpcap.err" &
DUMPCAP=$!
PIDS+=("$DUMPCAP")
for _ in $(seq 250); do
    grep -q "Capturing on" "$WORK/dumpcap.err" 2>/dev/null && break
    kill -0 "$DUMPCAP" 2>/dev/null || { cat "$WORK/dumpcap.err" >&2; exit 1; }
    sleep 0.02
done
grep -q "Capturing on" "$WORK/dumpcap.err" || { echo "dumpcap did not start" >&2; exit 1; }
sleep 0.5

# 1. DNS over UDP 53 (ordinary)
step "DNS      127.0.0.21 -> 127.0.0.10:53/udp"
start "$PY" "$DEMO/dns_peer.py" server 127.0.0.10; srv=$LAST
wait_port udp 127.0.0.10 53
"$PY" "$DEMO/dns_peer.py" client 127.0.0.21 127.0.0.10 www.example.com
finish "$srv"
pause

# 2. HTTPS on 443 (ordinary): openssl s_server -HTTP, curl
step "HTTPS    127.0.0.20 -> 127.0.0.10:443/tcp"
(cd "$WORK/tls-www" && exec openssl s_server -quiet -naccept 1 -accept 127.0.0.10:443 \
    -cert "$WORK/server.crt" -key "$WORK/server.key" -HTTP) >>"$LOG" 2>&1 &
srv=$!; PIDS+=("$srv")
wait_port tcp 127.0.0.10 443
curl -sS -k --interface 127.0.0.20 -o /dev/null https://127.0.0.10:443/index.html
finish "$srv"
pause

# 3. Plain HTTP on 8080 from client port 52000 (ordinary; client port in Xsan's 49152-65535)
step "HTTP     127.0.0.22:52000 -> 127.0.0.10:8080/tcp"
start "$PY" -m http.server --bind 127.0.0.10 --directory "$WORK/www" 8080; srv=$LAST
wait_port tcp 127.0.0.10 8080
curl -sS --interface 127.0.0.22 --local-port 52000 -o /dev/null http://127.0.0.10:8080/
sleep 0.1
stop "$srv"
pause

# 4. TCP 311: servermgrd request inside TLS (openssl s_server -HTTP, curl)
step "TLS      127.0.0.23 -> 127.0.0.11:311/tcp (servermgrd)"
(cd "$WORK/srvmgr" && exec openssl s_server -quiet -naccept 1 -accept 127.0.0.11:311 \
    -cert "$WORK/server.crt" -key "$WORK/server.key" -HTTP) >>"$LOG" 2>&1 &
srv=$!; PIDS+=("$srv")
wait_port tcp 127.0.0.11 311
curl -sS -k --interface 127.0.0.23 -o /dev/null "https://127.0.0.11:311/commands/servermgr_info?$Q311"
finish "$srv"
pause

# 5. TCP 625: DSProxy key negotiation
step "DSProxy  127.0.0.24 -> 127.0.0.12:625/tcp"
start "$PY" "$DEMO/dsproxy_peer.py" server 127.0.0.12 625; srv=$LAST
wait_port tcp 127.0.0.12 625
"$PY" "$DEMO/dsproxy_peer.py" client 127.0.0.24 127.0.0.12 625
finish "$srv"
pause

# 6. TCP 625 carrying TLS (protocol mismatch): openssl s_server -HTTP, curl
step "TLS      127.0.0.25 -> 127.0.0.19:625/tcp (mismatch)"
(cd "$WORK/tls-www" && exec openssl s_server -quiet -naccept 1 -accept 127.0.0.19:625 \
    -cert "$WORK/server.crt" -key "$WORK/server.key" -HTTP) >>"$LOG" 2>&1 &
srv=$!; PIDS+=("$srv")
wait_port tcp 127.0.0.19 625
curl -sS -k --interface 127.0.0.25 -o /dev/null https://127.0.0.19:625/index.html
finish "$srv"
pause

# 7. TCP 660 carrying SSH (protocol mismatch): real sshd and ssh, auth fails
step "SSH      127.0.0.26 -> 127.0.0.13:660/tcp (mismatch)"
start /usr/sbin/sshd -D -e -f "$WORK/sshd_config" -h "$WORK/ssh_host_ed25519_key"; srv=$LAST
wait_port tcp 127.0.0.13 660
if ssh -F /dev/null -b 127.0.0.26 -p 660 -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o IdentityAgent=none -o PubkeyAuthentication=no \
    -o LogLevel=ERROR nobody@127.0.0.13 true 2>>"$LOG"; then
    echo "unexpected: ssh login succeeded" >&2
fi
sleep 0.1
stop "$srv"
pause

# 8. TCP 687: servermgrd-style plain HTTP (python responder, curl)
step "HTTP     127.0.0.27 -> 127.0.0.14:687/tcp (servermgrd)"
start "$PY" "$DEMO/servermgrd_http.py" 127.0.0.14 687; srv=$LAST
wait_port tcp 127.0.0.14 687
curl -sS --interface 127.0.0.27 -o /dev/null "http://127.0.0.14:687/commands/servermgr_info?$Q687"
finish "$srv"
pause

# 9. UDP 3283: nmap's ARD GET_INFO probe and a GET_INFO answer.
# nmap sends from a raw socket; socat holds the source port open so the
# kernel does not answer the reply with ICMP port unreachable.
step "ARD      127.0.0.28:41283 -> 127.0.0.17:3283/udp (nmap)"
start "$PY" "$DEMO/ard_responder.py" 127.0.0.17; srv=$LAST
start socat -u UDP4-RECV:41283,bind=127.0.0.28 OPEN:/dev/null; sink=$LAST
wait_port udp 127.0.0.17 3283
wait_port udp 127.0.0.28 41283
nmap -sU -p 3283 --reason -Pn -n -e lo -S 127.0.0.28 -g 41283 127.0.0.17 >>"$LOG" 2>&1
finish "$srv"
stop "$sink"
pause

# 10. TCP 5009: AirPort ACP get-property syNm
step "ACP      127.0.0.29 -> 127.0.0.18:5009/tcp"
start "$PY" "$DEMO/acp_peer.py" server 127.0.0.18 5009; srv=$LAST
wait_port tcp 127.0.0.18 5009
"$PY" "$DEMO/acp_peer.py" client 127.0.0.29 127.0.0.18 5009
finish "$srv"
pause

# 11. TCP 106: Apple Password Server session
step "APS      127.0.0.30 -> 127.0.0.15:106/tcp"
start "$PY" "$DEMO/password_server_peer.py" server 127.0.0.15 106; srv=$LAST
wait_port tcp 127.0.0.15 106
"$PY" "$DEMO/password_server_peer.py" client 127.0.0.30 127.0.0.15 106
finish "$srv"
pause

# 12. UDP 626: nmap's serialnumberd probe and an SNRESPS answer
step "SNQUERY  127.0.0.31:40626 -> 127.0.0.16:626/udp (nmap)"
start "$PY" "$DEMO/serialnumberd_responder.py" 127.0.0.16; srv=$LAST
start socat -u UDP4-RECV:40626,bind=127.0.0.31 OPEN:/dev/null; sink=$LAST
wait_port udp 127.0.0.16 626
wait_port udp 127.0.0.31 40626
nmap -sU -p 626 --reason -Pn -n -e lo -S 127.0.0.31 -g 40626 127.0.0.16 >>"$LOG" 2>&1
finish "$srv"
stop "$sink"

# ---------------------------------------------------------------- finish
sleep 0.5
kill -INT "$DUMPCAP"
wait "$DUMPCAP" || true
forget "$DUMPCAP"

# Embed the TLS secrets (443, 311 and 625/TLS) so Wireshark decrypts them.
if [[ -s $SSLKEYLOGFILE ]]; then
    editcap --inject-secrets "tls,$SSLKEYLOGFILE" "$RAW" "$WORK/final.pcapng"
else
    echo "warning: no TLS key log written; capture left without secrets" >&2
    cp "$RAW" "$WORK/final.pcapng"
fi
mv "$WORK/final.pcapng" "$OUT"
chmod 0644 "$OUT"

echo "wrote $OUT ($(stat -c %s "$OUT") bytes)"
tshark -r "$OUT" -q -z conv,tcp -z conv,udp 2>/dev/null | grep -E '<->|Conversations'
