"""Memory stays bounded on a capture with 100,000 conversations on legacy ports.

The capture: 10,000 clients (10.2.0.0/16), each with two conversations to each
of five service endpoints, so 100,000 conversations and 260,000 packets:
TCP 311 and 660 (servermgrd over HTTP) and 625 (DSProxy) on 10.1.0.1, with
SYN, SYN/ACK and one request; UDP 3283 (ARD) and 626 (serialnumberd) on
10.1.0.2, with one request and one reply.

tshark reads it with our plugins and the applelegacy report (-z
applelegacy,report,json), and stock tshark (APPLELEGACY_STOCK=1) reads it
too; both with -z io,stat,0, without which tshark -q would not dissect.
Peak resident memory is the ru_maxrss of the children of a fresh Python
process that runs only the wrapper, which covers tshark below it. The same is measured on the first 1,000
conversations, so that the fixed cost of loading the plugins cancels out of
the cost per conversation:

    per conversation = ((ours - stock) at 100,000 - (ours - stock) at 1,000) / 99,000

Bounds, checked with the measures printed in the test output:
- per conversation, ours costs less than PER_CONVERSATION_BOUND (1 KiB)
  beyond stock tshark. Measured on Debian 12 / tshark 4.0.17: stock 363 MiB,
  ours 426 MiB at 100,000 conversations, about 650 bytes per conversation
  (stock itself about 2 KiB): the applelegacy conversation record and the
  UDP conversations it creates ~240, servermgrd (HTTP state) ~110, the port
  sniffer ~110, ard ~40, the report ~60;
- in total, ours <= stock * 1.5 + 64 MiB;
- the report still aggregates by service endpoint: exactly five rows, each
  with 10,000 clients, 20,000 conversations and the right packet count.
Tried once each: a plugin that keeps 512 bytes more per conversation
(measured 1,178 bytes) or leaks 4 KiB per serialnumberd packet (2,302 bytes)
fails the first bound.
Memory, not time: no bound here depends on the speed of the machine.
"""
import json
import os
import struct
import subprocess
import sys
import unittest

import harness
from harness import ACK, PSH, SYN, frame

CLIENTS = 10000
PER_ENDPOINT = 2  # conversations per client and endpoint
PER_CONVERSATION_BOUND = 1024  # bytes beyond stock tshark
SMALL = 1000  # conversations in the small capture

TCP_SERVER, UDP_SERVER = "10.1.0.1", "10.1.0.2"
HTTP = b"POST /commands/servermgr_info HTTP/1.1\r\nHost: 10.1.0.1\r\nContent-Length: 0\r\n\r\n"
ENDPOINTS = [  # (transport, port, server, request, reply)
    ("tcp", 311, TCP_SERVER, HTTP, None),
    ("tcp", 660, TCP_SERVER, HTTP, None),
    ("tcp", 625, TCP_SERVER, b"dspx" + struct.pack("!I", 16) + bytes(16), None),
    ("udp", 3283, UDP_SERVER, bytes.fromhex("0014000103"), bytes.fromhex("0014000103") + bytes(64)),
    ("udp", 626, UDP_SERVER, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr", b"SNRESPS:ABCDEFGHIJKL:xsvr\0"),
]


def conversation_frames(client, cport, endpoint):
    transport, port, server, request, reply = endpoint
    if transport == "tcp":
        return [
            frame(client, server, cport, port, flags=SYN, seq=1000),
            frame(server, client, port, cport, flags=SYN | ACK, seq=5000, ack=1001),
            frame(client, server, cport, port, request, flags=PSH | ACK, seq=1001, ack=5001),
        ]
    return [frame(client, server, cport, port, request, proto="udp"),
            frame(server, client, port, cport, reply, proto="udp")]


def write_capture(path, conversations):
    """The first CONVERSATIONS conversations, in client order; returns the
    expected packets per endpoint."""
    packets = {}
    n = 0
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for c in range(CLIENTS):
            client = "10.2.%d.%d" % (c // 250, c % 250 + 1)
            for k in range(len(ENDPOINTS) * PER_ENDPOINT):
                if n == conversations:
                    return packets
                endpoint = ENDPOINTS[k % len(ENDPOINTS)]
                for data in conversation_frames(client, 50000 + k, endpoint):
                    t = harness.BASE_TIME * 1000000 + n * 1000
                    f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(data), len(data)))
                    f.write(data)
                    packets[endpoint[1]] = packets.get(endpoint[1], 0) + 1
                n += 1
    return packets


def measure(args, capture, stock):
    """Peak RSS (bytes) of tshark and its standard output. tshark runs below a
    fresh Python child whose RUSAGE_CHILDREN holds only that one run."""
    env = dict(os.environ, APPLELEGACY_BUILD_DIR=harness.BUILD)
    env.pop("APPLELEGACY_WRAPPER", None)
    if stock:
        env["APPLELEGACY_STOCK"] = "1"
    code = ("import resource, subprocess, sys\n"
            "with open(sys.argv[1], 'rb') as f:\n"
            "    p = subprocess.run(sys.argv[2:], stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
            "sys.stderr.write(p.stderr.decode(errors='replace'))\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.stdout.write(p.stdout.decode())\n"
            "sys.exit(p.returncode)\n")
    proc = subprocess.run([sys.executable, "-c", code, capture, harness.TSHARK, "-r", "-"] + args,
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise AssertionError("tshark %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr))
    first, _, rest = proc.stdout.partition("\n")
    return int(first) * 1024, rest


class MemoryTest(harness.CaptureTestCase):
    # With -q and no tap, tshark does not dissect at all: the one-interval
    # I/O statistics make stock tshark dissect every packet, as ours does.
    STOCK = ["-n", "-q", "-z", "io,stat,0"]
    OURS = STOCK + ["-z", "applelegacy,report,json"]

    def test_100000_conversations_memory_is_bounded(self):
        if os.environ.get("APPLELEGACY_PRELOAD"):
            self.skipTest("peak memory means nothing with the sanitizer runtimes preloaded")
        total = CLIENTS * len(ENDPOINTS) * PER_ENDPOINT
        self.assertEqual(total, 100000)
        big, small = self.path("big.pcap"), self.path("small.pcap")
        packets = write_capture(big, total)
        write_capture(small, SMALL)

        ours_big, out = measure(self.OURS, big, stock=False)
        stock_big, _ = measure(self.STOCK, big, stock=True)
        ours_small, _ = measure(self.OURS, small, stock=False)
        stock_small, _ = measure(self.STOCK, small, stock=True)
        per_conv = ((ours_big - stock_big) - (ours_small - stock_small)) / (total - SMALL)
        print("\npeak RSS: ours %.1f MiB, stock %.1f MiB at %d conversations; "
              "ours %.1f MiB, stock %.1f MiB at %d; ours costs %.0f bytes per conversation beyond stock"
              % (ours_big / 2**20, stock_big / 2**20, total, ours_small / 2**20, stock_small / 2**20,
                 SMALL, per_conv))

        # The report: one row per service endpoint, not per conversation.
        rows = json.JSONDecoder().raw_decode(out, out.index('{"report"'))[0]["rows"]
        got = sorted((r["server"], r["transport"], r["port"], r["clients"], r["conversations"], r["packets"])
                     for r in rows)
        want = sorted((server, transport, port, CLIENTS, CLIENTS * PER_ENDPOINT, packets[port])
                      for transport, port, server, _, _ in ENDPOINTS)
        self.assertEqual(got, want)

        self.assertLess(per_conv, PER_CONVERSATION_BOUND)
        self.assertLessEqual(ours_big, stock_big * 1.5 + 64 * 2**20)


if __name__ == "__main__":
    unittest.main()
