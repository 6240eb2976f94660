#!/usr/bin/env bash
# docs/scale-out.md, run: GNU parallel --sshlogin runs tools/applelegacy-report
# --json on one capture a job on two "hosts", 127.0.0.2 and 127.0.0.3 (an sshd
# of this test on loopback, a throwaway host key and user key in a temporary
# folder), brings every report back on its standard output (--results),
# merges them with --merge, and the merge must be the JSON, text and CSV of
# one run over all the captures, byte for byte.
#
# Nothing of the system's ssh setup is used or changed: the sshd has its own
# configuration (-f), the clients theirs (ssh -F), parallel its own home
# (PARALLEL_HOME). The sshd listens on 127.0.0.2 and 127.0.0.3 only, on a
# free port, and is stopped on exit, with the temporary folder removed.
# Exit 77 (skipped, with the reason) when not root or when openssh-server,
# openssh-client or parallel is missing (tools/run-tests installs them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export APPLELEGACY_BUILD_DIR=${APPLELEGACY_BUILD_DIR:-$here/build}
tool=$here/tools/applelegacy-report

skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[ "$(id -u)" = 0 ] || skip "not root: the sshd of the test logs in as root"
for t in /usr/sbin/sshd ssh ssh-keygen parallel; do
    command -v "$t" >/dev/null ||
        skip "$t not found: install openssh-server openssh-client parallel (tools/run-tests does)"
done

tmp=$(mktemp -d -t applelegacy-scaleout.XXXXXX)
chmod 755 "$tmp" # the captures: tshark reads them as another user
sshd_pid=
made_run_sshd=0
cleanup() {
    if [ -n "$sshd_pid" ]; then
        kill "$sshd_pid" 2>/dev/null || true
        wait "$sshd_pid" 2>/dev/null || true
    fi
    [ $made_run_sshd = 0 ] || rmdir /run/sshd 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# The captures: the demo in three pieces, and one with a probe finding and a
# Bonjour announcement (made with the dissection tests' helpers).
mkdir "$tmp/captures" "$tmp/results"
demo=$here/captures/apple-legacy-demo.pcapng
editcap -T ether -r "$demo" "$tmp/captures/demo-1.pcapng" 1-50
editcap -T ether -r "$demo" "$tmp/captures/demo-2.pcapng" 51-100
editcap -T ether -r "$demo" "$tmp/captures/demo-3.pcapng" 101-144
PYTHONPATH=$here/tests/dissection python3 - "$tmp/captures/probe.pcap" <<'EOF'
import sys
from harness import Capture, frame
from test_conn_state import airport_announcement, icmp_unreachable
probe = frame("10.0.0.5", "10.0.0.9", 40000, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr", proto="udp")
Capture().add(probe).add(icmp_unreachable(probe)).udp(
    "10.0.1.1", "224.0.0.251", 5353, 5353, airport_announcement()).write(sys.argv[1])
EOF
captures=("$tmp"/captures/demo-1.pcapng "$tmp"/captures/demo-2.pcapng
          "$tmp"/captures/demo-3.pcapng "$tmp"/captures/probe.pcap)

# Built once here, so that the two jobs do not both build.
"$tool" --json "${captures[@]}" >"$tmp/one.json"
"$tool" "${captures[@]}" >"$tmp/one.txt"
"$tool" --csv "${captures[@]}" >"$tmp/one.csv"

# Keys, sshd and client configuration, all in $tmp.
ssh-keygen -q -t ed25519 -N '' -C applelegacy-test-host -f "$tmp/host_key"
ssh-keygen -q -t ed25519 -N '' -C applelegacy-test-user -f "$tmp/user_key"
cp "$tmp/user_key.pub" "$tmp/authorized_keys"
if [ ! -d /run/sshd ]; then # sshd's privilege separation folder
    mkdir -m 755 /run/sshd
    made_run_sshd=1
fi
user=$(id -un)
start_sshd() {
    local port=$1
    cat >"$tmp/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.2
ListenAddress 127.0.0.3
HostKey $tmp/host_key
PidFile none
AuthorizedKeysFile $tmp/authorized_keys
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $user
StrictModes no
UsePAM no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
MaxStartups 20
LoginGraceTime 30
EOF
    /usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
    sshd_pid=$!
    local i
    for i in $(seq 50); do
        kill -0 "$sshd_pid" 2>/dev/null || { wait "$sshd_pid" || true; sshd_pid=; return 1; }
        grep -q "Server listening on 127.0.0.3" "$tmp/sshd.log" && return 0
        sleep 0.1
    done
    return 1
}
started=0
for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0)); print(s.getsockname()[1])')
    if start_sshd "$port"; then
        started=1
        break
    fi
done
[ $started = 1 ] || fail "sshd did not start: $(tail -n 3 "$tmp/sshd.log")"

{
    printf '[127.0.0.2]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$tmp/host_key.pub")"
    printf '[127.0.0.3]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$tmp/host_key.pub")"
} >"$tmp/known_hosts"
cat >"$tmp/ssh_config" <<EOF
Host 127.0.0.2 127.0.0.3
    Port $port
    User $user
    IdentityFile $tmp/user_key
    IdentitiesOnly yes
    UserKnownHostsFile $tmp/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    ConnectTimeout 10
    LogLevel ERROR
EOF

# The jobs, as docs/scale-out.md has them: one capture a job, one job at a
# time on each host, every report back on the job's standard output.
mkdir "$tmp/parallel-home"
export PARALLEL_HOME=$tmp/parallel-home
cd "$tmp"
timeout 300 parallel --will-cite --ssh "ssh -F $tmp/ssh_config" \
    --sshlogin 1/127.0.0.2,1/127.0.0.3 --env APPLELEGACY_BUILD_DIR --joblog "$tmp/joblog" \
    --results "$tmp/results/report-{#}" \
    'echo "job on $(echo $SSH_CONNECTION | cut -d" " -f3)" >&2; '"$here"'/tools/applelegacy-report --json {}' \
    ::: "${captures[@]}" >/dev/null ||
    fail "parallel failed ($?): $(cat "$tmp"/results/report-*.err 2>/dev/null | head -n 5)"

# Every job ran over ssh, on both hosts.
hosts=$(cat "$tmp"/results/report-*.err | sed -n 's/^job on //p' | sort -u | tr '\n' ' ')
[ "$hosts" = "127.0.0.2 127.0.0.3 " ] || fail "the jobs ran on '$hosts', not on 127.0.0.2 and 127.0.0.3"
n=$(cat "$tmp"/results/report-*.err | grep -c '^job on ' || true)
[ "$n" = ${#captures[@]} ] || fail "$n of ${#captures[@]} jobs ran over ssh"

reports=()
for i in $(seq ${#captures[@]}); do reports+=("$tmp/results/report-$i"); done
"$tool" --json --merge "${reports[@]}" >"$tmp/merged.json"
"$tool" --merge "${reports[@]}" >"$tmp/merged.txt"
"$tool" --csv --merge "${reports[@]}" >"$tmp/merged.csv"
status=0
for f in json txt csv; do
    if ! diff -u "$tmp/one.$f" "$tmp/merged.$f"; then
        echo "FAIL: --merge of the reports made over ssh differs from one run ($f)" >&2
        status=1
    fi
done
[ $status = 0 ] || exit 1
grep -q '"probes": \[$' "$tmp/merged.json" || fail "no probe finding in the merged report"
echo "OK: ${#captures[@]} captures on 127.0.0.2 and 127.0.0.3 (ssh port $port) merged as one run"
