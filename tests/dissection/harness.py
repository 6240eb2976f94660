"""Helpers for the dissection tests: build small captures packet by packet and
run real tshark with the freshly built plugins (tools/tshark-with-plugins),
the way Wireshark's own test/suite_dissection.py does with text2pcap.

Captures are written as classic pcap with Ethernet/IPv4 frames and correct
checksums; TCP conversations get a real handshake (SYN, SYN/ACK, ACK), data
with consistent sequence numbers, and FIN/ACK at the end, unless asked not to.
"""
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("APPLELEGACY_SOURCE_DIR") or os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("APPLELEGACY_BUILD_DIR") or os.path.join(SOURCE, "build")
TSHARK = os.path.join(SOURCE, "tools", "tshark-with-plugins")
SHARED_CAPTURES = os.path.normpath(os.path.join(SOURCE, "..", "shared", "captures"))

BASE_TIME = 1767225600  # 2026-01-01T00:00:00Z

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _ip(addr):
    return bytes(int(x) for x in addr.split("."))


def frame(src, dst, sport, dport, payload=b"", proto="tcp", flags=PSH | ACK, seq=0, ack=0):
    """One Ethernet/IPv4/TCP-or-UDP frame."""
    s, d = _ip(src), _ip(dst)
    if proto == "tcp":
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(hdr) + len(payload))
        csum = _checksum(pseudo + hdr + payload)
        l4 = hdr[:16] + struct.pack("!H", csum) + hdr[18:] + payload
        ipproto = 6
    else:
        length = 8 + len(payload)
        hdr = struct.pack("!HHHH", sport, dport, length, 0)
        pseudo = s + d + struct.pack("!BBH", 0, 17, length)
        csum = _checksum(pseudo + hdr + payload) or 0xFFFF
        l4 = hdr[:6] + struct.pack("!H", csum) + payload
        ipproto = 17
    iphdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, ipproto, 0, s, d)
    iphdr = iphdr[:10] + struct.pack("!H", _checksum(iphdr)) + iphdr[12:]
    eth = bytes.fromhex("020000000002" "020000000001") + b"\x08\x00"
    return eth + iphdr + l4


class Capture:
    """Frames in time order, written as pcap."""

    def __init__(self):
        self.frames = []

    def add(self, data):
        self.frames.append(data)
        return self

    def udp(self, src, dst, sport, dport, payload):
        return self.add(frame(src, dst, sport, dport, payload, proto="udp"))

    def tcp_session(self, client, server, cport, sport, exchanges=(), handshake=True, close=True):
        """exchanges: (from_client: bool, payload: bytes) in order."""
        cseq, sseq = 1000, 5000
        if handshake:
            self.add(frame(client, server, cport, sport, flags=SYN, seq=cseq))
            self.add(frame(server, client, sport, cport, flags=SYN | ACK, seq=sseq, ack=cseq + 1))
            cseq, sseq = cseq + 1, sseq + 1
            self.add(frame(client, server, cport, sport, flags=ACK, seq=cseq, ack=sseq))
        for from_client, payload in exchanges:
            if from_client:
                self.add(frame(client, server, cport, sport, payload, seq=cseq, ack=sseq))
                cseq += len(payload)
            else:
                self.add(frame(server, client, sport, cport, payload, seq=sseq, ack=cseq))
                sseq += len(payload)
        if close:
            self.add(frame(client, server, cport, sport, flags=FIN | ACK, seq=cseq, ack=sseq))
            self.add(frame(server, client, sport, cport, flags=FIN | ACK, seq=sseq, ack=cseq + 1))
            self.add(frame(client, server, cport, sport, flags=ACK, seq=cseq + 1, ack=sseq + 1))
        return self

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i, data in enumerate(self.frames):
                f.write(struct.pack("<IIII", BASE_TIME + i // 100, (i % 100) * 10000, len(data), len(data)))
                f.write(data)
        # APPLELEGACY_KEEP_CAPTURES=DIR keeps a copy of every capture the tests
        # build (tests/valgrind/run-valgrind.sh replays them under valgrind).
        keep = os.environ.get("APPLELEGACY_KEEP_CAPTURES")
        if keep:
            fd, copy = tempfile.mkstemp(prefix="%020d-" % time.time_ns(), suffix=".pcap", dir=keep)
            os.close(fd)
            shutil.copyfile(path, copy)
        return path


def tshark(args, capture=None, config=None, check=True, only=None):
    """Runs tshark with our plugins; the capture is given on standard input so
    that the unprivileged tshark (when the tests run as root) can read it.
    only: the names of the plugins to load (APPLELEGACY_ONLY of
    tools/tshark-with-plugins), e.g. ("ard",); None loads them all."""
    env = dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD)
    env.pop("APPLELEGACY_ONLY", None)
    if only is not None:
        env["APPLELEGACY_ONLY"] = ",".join(only)
    if config:
        env["APPLELEGACY_CONFIG_DIR"] = config
    stdin = open(capture, "rb") if capture else subprocess.DEVNULL
    try:
        cmd = [TSHARK] + (["-r", "-"] if capture else []) + list(args)
        proc = subprocess.run(cmd, stdin=stdin, capture_output=True, text=True, env=env)
    finally:
        if capture:
            stdin.close()
    if check and proc.returncode != 0:
        raise AssertionError("tshark %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr))
    return proc


def fields(capture, names, display_filter=None, prefs=(), config=None, only=None):
    """Rows of -T fields output, each a list of strings (frame.number first
    if asked for). Several occurrences of a field are joined with U+001F.
    only: the plugins to load, as for tshark()."""
    args = ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=\x1f"]
    for name in names:
        args += ["-e", name]
    if display_filter:
        args += ["-Y", display_filter]
    for p in prefs:
        args += ["-o", p]
    out = tshark(args, capture, config=config, only=only).stdout
    return [[as_in_4_0(cell) for cell in line.split("|")] for line in out.splitlines()]


def as_in_4_0(cell, aggregators=(",", "\x1f")):
    """A -T fields cell in Wireshark 4.0's form, which the tests expect
    (tools/run-tests-in-root runs them with 4.4 and 4.6 too): a boolean is
    1/0 in 4.0 and True/False from 4.2 on; a double has 15 significant digits
    in 4.0 (3.14285714285714) and as many as it takes to read it back from
    4.6 on (3.142857142857143). Several occurrences are joined by one of
    aggregators (the -E aggregator= of the tshark run)."""
    if isinstance(aggregators, str):
        aggregators = (aggregators,)
    for sep in aggregators:
        parts = cell.split(sep)
        if len(parts) > 1 and all(p in ("True", "False") for p in parts):
            return sep.join("1" if p == "True" else "0" for p in parts)
    if _LONG_DOUBLE.fullmatch(cell) and tshark_series() >= (4, 6):
        return "%.15g" % float(cell)
    return {"True": "1", "False": "0"}.get(cell, cell)


# A decimal number with more than 15 significant digits.
_LONG_DOUBLE = re.compile(r"-?(?=(?:0*\.0*)?(?:\d\.?){16})\d+\.\d+")


# A line Wireshark's own code logs (" ** (tshark:PID) TIME [DOMAIN LEVEL]
# ./epan/... -- function(): message"): 4.6's SSH warns on every post-quantum
# key exchange, which the demo capture's SSH on TCP 660 makes.
_STOCK_LOG = re.compile(r" \*\* \([\w-]+:\d+\) [\d:.]+ \[[\w-]+ [A-Z]+\] \./epan/")


def own_stderr(stderr):
    """tshark's stderr without the lines Wireshark's own dissectors log."""
    return "".join(line for line in stderr.splitlines(True) if not _STOCK_LOG.match(line))


_series = None


def tshark_series():
    """(major, minor) of the tshark the tests run, e.g. (4, 0)."""
    global _series
    if _series is None:
        first = tshark(["--version"]).stdout.splitlines()[0]  # TShark (Wireshark) 4.4.19.
        _series = tuple(int(n) for n in first.split()[2].split(".")[:2])
    return _series


def held_segment_info(summary):
    """The Info column of a TCP segment whose bytes wait in TCP reassembly for
    the rest of a message that never comes, given TCP's own summary of the
    segment: 4.0's TCP appends "[TCP segment of a reassembled PDU]" to it,
    4.4's leaves it as it is (4.2 was not checked)."""
    if tshark_series() < (4, 4):
        return summary + " [TCP segment of a reassembled PDU]"
    return summary


def _listing(kind):
    """The lines of tshark -G KIND cut to their first three columns (4.2 and
    later print three more)."""
    out = tshark(["-G", kind]).stdout
    return {"\t".join(line.split("\t")[:3]) for line in out.splitlines()}


def heuristic_decodes():
    """(table, protocol, enabled) lines of tshark -G heuristic-decodes."""
    return _listing("heuristic-decodes")


def protocols():
    """(name, short name, filter name) lines of tshark -G protocols."""
    return _listing("protocols")


class CaptureTestCase(unittest.TestCase):
    """A test case with a temporary folder every user can read."""

    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="applelegacy-test-")
        os.chmod(self.tmp, 0o755)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, capture, name="test.pcap"):
        return capture.write(self.path(name))
