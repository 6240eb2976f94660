#!/usr/bin/env python3
"""Writes a large synthetic capture for the benchmark: mostly ordinary
traffic from ephemeral client ports (HTTPS, DNS, HTTP, SSH, IMAPS, NTP,
UDP peer-to-peer between two high ports), with a share on the ports the
registry annotates by default (5%: 660, 625, 311, 5009, 106, 3283/udp,
626/udp, APNS on 5223, iCal SSL on 8443, and a TCP server on 50100, which is
in Apple's Xsan range 49152-65535). "Ordinary" ports are the ones the default
scope leaves alone; 8443 and TCP servers on high ports are annotated, so
they count as Apple traffic.

    bench/make-capture.py OUT.pcap [PACKETS] [APPLE_SHARE]

Deterministic (fixed seed). Each TCP conversation has a handshake, a few
data segments and a FIN exchange, so the plugins see real conversations."""
import random
import struct
import sys

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "tests", "dissection"))
from harness import frame, SYN, ACK, FIN, PSH  # noqa: E402

ORDINARY = [("tcp", 443), ("udp", 53), ("tcp", 80), ("tcp", 22), ("tcp", 993), ("udp", 123),
            ("udp", 50100)]
APPLE = [("tcp", 660), ("tcp", 625), ("tcp", 311), ("tcp", 5009), ("tcp", 106), ("udp", 3283),
         ("udp", 626), ("tcp", 5223), ("tcp", 8443), ("tcp", 50100)]


def conversation(rng, proto, port, n_client, n_server):
    client = "10.%d.%d.%d" % (rng.randrange(1, 250), rng.randrange(256), rng.randrange(1, 255))
    server = "172.16.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
    cport = rng.randrange(49152, 65535)
    frames = []
    if proto == "udp":
        for _ in range(n_client):
            frames.append(frame(client, server, cport, port, rng.randbytes(rng.randrange(20, 120)), "udp"))
            frames.append(frame(server, client, port, cport, rng.randbytes(rng.randrange(40, 400)), "udp"))
        return frames
    cseq, sseq = rng.randrange(1 << 31), rng.randrange(1 << 31)
    frames.append(frame(client, server, cport, port, flags=SYN, seq=cseq))
    frames.append(frame(server, client, port, cport, flags=SYN | ACK, seq=sseq, ack=cseq + 1))
    cseq += 1
    sseq += 1
    frames.append(frame(client, server, cport, port, flags=ACK, seq=cseq, ack=sseq))
    for _ in range(max(n_client, n_server)):
        data = rng.randbytes(rng.randrange(40, 300))
        frames.append(frame(client, server, cport, port, data, flags=PSH | ACK, seq=cseq, ack=sseq))
        cseq += len(data)
        data = rng.randbytes(rng.randrange(100, 1400))
        frames.append(frame(server, client, port, cport, data, flags=PSH | ACK, seq=sseq, ack=cseq))
        sseq += len(data)
    frames.append(frame(client, server, cport, port, flags=FIN | ACK, seq=cseq, ack=sseq))
    frames.append(frame(server, client, port, cport, flags=FIN | ACK, seq=sseq, ack=cseq + 1))
    frames.append(frame(client, server, cport, port, flags=ACK, seq=cseq + 1, ack=sseq + 1))
    return frames


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    share = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
    rng = random.Random(20261123)
    written = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1767225600.0
        while written < total:
            proto, port = rng.choice(APPLE) if rng.random() < share else rng.choice(ORDINARY)
            for data in conversation(rng, proto, port, rng.randrange(1, 6), rng.randrange(1, 6)):
                if written == total:
                    break
                t += 0.0005
                f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(data), len(data)))
                f.write(data)
                written += 1
    print("%s: %d packets" % (out, written))


if __name__ == "__main__":
    main()
