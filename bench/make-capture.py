#!/usr/bin/env python3
"""Writes a large synthetic capture for the benchmark: mostly ordinary
traffic from ephemeral client ports (HTTPS, DNS, HTTP, SSH, IMAPS, NTP,
UDP peer-to-peer between two high ports), with a share on the ports the
registry annotates by default (5%: 660, 625, 311, 5009, 106, 3283/udp,
626/udp, APNS on 5223, iCal SSL on 8443, and a TCP server on 50100, which is
in Apple's Xsan range 49152-65535). "Ordinary" ports are the ones the default
scope leaves alone; 8443 and TCP servers on high ports are annotated, so
they count as Apple traffic.

    bench/make-capture.py [--mix default|flows] OUT.pcap [PACKETS] [APPLE_SHARE]

Deterministic (fixed seed). Each TCP conversation has a handshake, a few
data segments and a FIN exchange, so the plugins see real conversations.
This is the default mix (--mix default); its bytes never change, so that
earlier numbers stay comparable.

--mix flows: flow-heavy traffic, as scans and reflection floods make it:
nearly every packet is the first of its conversation. (APPLE_SHARE applies
to the default mix only.) Four parts, interleaved in time (a packet's reply
comes 0.1-3 ms after it, with other parts' packets in between):

 - TCP SYN scan (about 35% of the packets): an nmap-like vertical scan of
   nmap's top 100 TCP ports on 250 hosts of 172.16.0.0/16 (window 1024, MSS
   option) and a masscan-like sweep of 10.0.0.0/8 on 8 ports (no options),
   each SYN from a new random source port (1024-65535). 75% get no answer,
   20% a RST/ACK (closed), 3% a SYN/ACK (open) and the scanner's RST, 2% an
   ICMP communication administratively prohibited (type 3 code 13) from a
   router, quoting the IPv4 header and the first 8 bytes of the TCP header
   (RFC 792's minimum).
   Apple ports among the targets: 106, 465, 548, 5009, 5900, 7070, 8443 and
   49152-49157 (Xsan range).
 - UDP scan (about 20%): nmap-like probes of 32 UDP ports (nmap's payloads
   for 53, 123, 137, 161, 1900, 3283 and 5353, empty ones for the rest) on
   the same 250 hosts, each from a new source port; 55% answered with an
   ICMP port unreachable (type 3 code 3) quoting the whole probe (IPv4 and
   UDP headers and payload, as Linux does; every checksum correct, the
   quoted ones too), 5% with a UDP reply (random bytes where no reply
   format is built: Wireshark calls some of them, and some empty probes,
   malformed, as in real scans), the rest unanswered. Apple ports: 192,
   626, 3283, 3659 (49152 and 49154 are probed too, but a UDP pair of two
   Xsan-range or unlisted ports is not annotated).
 - Reflection flood (about 35%): carpet-bombing style, many spoofed sources
   (198.18.0.0/15, random source ports) send small requests to reflectors:
   88% DNS ANY queries with EDNS0 (2 open resolvers; 30% answered with
   1,100-1,450 bytes of A, AAAA and TXT records) and 12% ARD/Net Assistant
   probes to UDP 3283 (nmap's 5-byte and AMP-Research's 4-byte probe, 30
   Macs; 60% answered with a 1,002-byte ANSWER_GET_INFO).
 - Background (about 10%): whole conversations as in the default mix (5% of
   them on Apple ports).

About 10% of the packets are on Apple ports of the default scope (the
same packets tshark -Y applelegacy shows, ICMP errors quoting an Apple-port
probe included) and about two thirds are the first packet of their
conversation (TCP or UDP address/port pair, either direction; an ICMP
error counts with the conversation it quotes, never as a first). The
script prints the counts per part. One event (a probe, a request, a
background conversation's start) every 25 microseconds."""
import bisect
import heapq
import itertools
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


def default_mix(out, total, share):
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


# ---- --mix flows ----------------------------------------------------------

RST = 0x04
ETH = bytes.fromhex("020000000002" "020000000001") + b"\x08\x00"

# nmap's top 100 TCP ports; the Apple ones of the default scope are 106, 465,
# 548, 5009, 5900, 7070, 8443 and 49152-49157 (Xsan range).
SCAN_TCP = [7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119, 135,
            139, 143, 144, 179, 199, 389, 427, 443, 444, 445, 465, 513, 514, 515, 543, 544, 548,
            554, 587, 631, 646, 873, 990, 993, 995, 1025, 1026, 1027, 1028, 1029, 1110, 1433, 1720,
            1723, 1755, 1900, 2000, 2001, 2049, 2121, 2717, 3000, 3128, 3306, 3389, 3986, 4899,
            5000, 5009, 5051, 5060, 5101, 5190, 5357, 5432, 5631, 5666, 5800, 5900, 6000, 6001,
            6646, 7070, 8000, 8008, 8009, 8080, 8081, 8443, 8888, 9100, 9999, 10000, 32768,
            49152, 49153, 49154, 49155, 49156, 49157]
SWEEP_TCP = [22, 23, 80, 443, 445, 3389, 8080, 6379]
# UDP ports probed; Apple ones: 192, 626, 3283, 3659, 49152, 49154.
SCAN_UDP = [7, 53, 67, 68, 69, 111, 123, 135, 137, 138, 139, 161, 162, 177, 192, 427, 445, 500,
            514, 520, 626, 631, 1434, 1701, 1900, 2049, 3283, 3659, 4500, 5353, 49152, 49154]
# Ports of the default scope among the ones above (for the printed share;
# tshark -Y applelegacy counts the same packets).
APPLE_TCP = {106, 465, 548, 5009, 5900, 7070, 8443} | set(range(49152, 65536))
APPLE_UDP = {192, 626, 3283, 3659}
DNS_NAMES = ["isc.org", "ripe.net", "pizzaseo.com", "example.com", "sl", "cpsc.gov", "nic.cz"]


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _ip4(addr):
    return bytes(int(x) for x in addr.split("."))


def ipv4(src, dst, proto, l4, ttl=64, ident=0, df=True):
    """An IPv4 header (checksum right) and l4, without Ethernet."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0x4000 if df else 0, ttl, proto,
                      0, _ip4(src), _ip4(dst))
    return hdr[:10] + struct.pack("!H", _csum(hdr)) + hdr[12:] + l4


def tcp_ip(src, dst, sport, dport, flags, seq=0, ack=0, window=64240, options=b"", **ip):
    doff = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, window, 0, 0) + options
    pseudo = _ip4(src) + _ip4(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    hdr = hdr[:16] + struct.pack("!H", _csum(pseudo + hdr)) + hdr[18:]
    return ipv4(src, dst, 6, hdr, **ip)


def udp_ip(src, dst, sport, dport, payload, **ip):
    length = 8 + len(payload)
    pseudo = _ip4(src) + _ip4(dst) + struct.pack("!BBH", 0, 17, length)
    csum = _csum(pseudo + struct.pack("!HHHH", sport, dport, length, 0) + payload) or 0xFFFF
    return ipv4(src, dst, 17, struct.pack("!HHHH", sport, dport, length, csum) + payload, **ip)


def icmp_unreachable(src, dst, code, quoted, **ip):
    """ICMP destination unreachable (type 3) quoting `quoted` (an IPv4 packet
    or its start)."""
    msg = struct.pack("!BBHI", 3, code, 0, 0) + quoted
    msg = msg[:2] + struct.pack("!H", _csum(msg)) + msg[4:]
    return ipv4(src, dst, 1, msg, **ip)


def dns_query(rng, name, qtype=255, edns=True, rd=True):
    q = struct.pack("!HHHHHH", rng.randrange(1 << 16), 0x0100 if rd else 0, 1, 0, 0, 1 if edns else 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack("!HH", qtype, 1)
    if edns:
        q += b"\0" + struct.pack("!HHIH", 41, 4096, 0x8000, 0)  # OPT, DO bit
    return q


def dns_any_answer(rng, query, size):
    """A well-formed answer to query (a dns_query with EDNS0) of about size
    bytes: A, AAAA and TXT records, names compressed to the question."""
    qend = query.index(b"\0", 12) + 5
    records = []
    length = qend + 11
    for rtype, rdata in ((1, _ip4("192.0.2.%d" % rng.randrange(1, 255))),
                         (28, bytes.fromhex("20010db8") + rng.randbytes(12))):
        records.append(struct.pack("!HHHIH", 0xC00C, rtype, 1, 300, len(rdata)) + rdata)
        length += len(records[-1])
    while length < size - 40:
        n = min(255, size - length - 13)
        text = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789=-") for _ in range(n))
        rdata = bytes([n]) + text
        records.append(struct.pack("!HHHIH", 0xC00C, 16, 1, 300, len(rdata)) + rdata)
        length += len(records[-1])
    hdr = query[:2] + struct.pack("!HHHHH", 0x8180, 1, len(records), 0, 1)
    return hdr + query[12:qend] + b"".join(records) + b"\0" + struct.pack("!HHIH", 41, 4096, 0x8000, 0)


def ard_answer(rng, total=1002):
    """An ARD ANSWER_GET_INFO (the 1,002-byte reply of reflection reports)."""
    b = bytearray(total)
    b[0:4] = struct.pack("!HH", 0x0001, total - 4)
    b[4:6] = b"\x00\x31"
    b[0x28:0x2A] = struct.pack("!H", rng.choice([0x000D, 0x0002, 0x0003]))
    for off, size, text in ((0x2C, 48, rng.choice(["Finder", "Safari", "Mail"])),
                            (0x5E, 32, rng.choice(["admin", "lab", "student"])),
                            (0x7E, 32, "mac-%03d" % rng.randrange(1000))):
        b[off:off + 1 + len(text)] = bytes([len(text)]) + text.encode()
    b[0xCA:0xCE] = _ip4("172.16.40.%d" % rng.randrange(1, 255))
    b[0xDC:0xE2] = bytes([0x00, 0x1B, 0x63]) + rng.randbytes(3)
    name = "Mac %d" % rng.randrange(1000)
    b[0xE6:0xE8] = struct.pack("!H", len(name))
    b[0xE8:0xE8 + 2 * len(name)] = name.encode("utf-16-be")
    return bytes(b)


def snmp_get(rng):
    varbind = bytes.fromhex("300c06082b060102010101000500")
    pdu = b"\x02\x04" + rng.randbytes(4) + b"\x02\x01\x00\x02\x01\x00"
    pdu += b"\x30" + bytes([len(varbind)]) + varbind
    msg = b"\x02\x01\x00\x04\x06public" + b"\xa0" + bytes([len(pdu)]) + pdu
    return b"\x30" + bytes([len(msg)]) + msg


def udp_probe(rng, port):
    """nmap's payload for port (empty where nmap sends none)."""
    if port == 53:
        return struct.pack("!HHHHHH", rng.randrange(1 << 16), 0x1000, 0, 0, 0, 0)  # status request
    if port == 123:
        return b"\xe3\x00\x04\xfa\x00\x01\x00\x00\x00\x01\x00\x00" + bytes(28) + rng.randbytes(8)
    if port == 137:
        return struct.pack("!HHHHHH", rng.randrange(1 << 16), 0, 1, 0, 0, 0) + \
            b"\x20" + b"CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + b"\0\x00\x21\x00\x01"
    if port == 161:
        return snmp_get(rng)
    if port == 1900:
        return (b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                b"MAN: \"ssdp:discover\"\r\nMX: 3\r\nST: ssdp:all\r\n\r\n")
    if port == 3283:
        return bytes.fromhex("0014000103")
    if port == 5353:
        return dns_query(rng, "_services._dns-sd._udp.local", qtype=12, edns=False, rd=False)
    return b""


def udp_reply(rng, port, probe):
    if port == 53:
        return probe[:2] + struct.pack("!HHHHH", 0x9000, 0, 0, 0, 0)
    if port == 123:
        return b"\x24\x02\x04\xec" + rng.randbytes(44)
    if port == 3283:
        return ard_answer(rng)
    return rng.randbytes(rng.randrange(20, 120))


class Flows:
    """Writes the flows mix: events push packets onto a heap by time (integer
    microseconds), the writer takes them in time order."""

    def __init__(self, f, total):
        self.f, self.total = f, total
        self.rng = random.Random(20261208)
        self.bg_rng = random.Random(20261209)
        self.heap = []
        self.seq = itertools.count()
        self.now = 1767225600 * 1_000_000
        self.written = 0
        self.seen = set()
        self.counts = {}
        self.scan_hosts = ["172.16.%d.%d" % (self.rng.randrange(256), self.rng.randrange(1, 255))
                           for _ in range(250)]
        self.macs = ["172.16.40.%d" % self.rng.randrange(1, 255) for _ in range(30)]

    def at(self, delay, part, data, key, apple):
        """key: the TCP/UDP pair (None for ICMP: never a first)."""
        heapq.heappush(self.heap, (self.now + delay, next(self.seq), part, data, key, apple))

    @staticmethod
    def key(proto, a, ap, b, bp):
        return (proto,) + tuple(sorted(((a, ap), (b, bp))))

    def flush(self, until):
        while self.heap and self.heap[0][0] <= until and self.written < self.total:
            when, _, part, data, key, apple = heapq.heappop(self.heap)
            data = ETH + data
            self.f.write(struct.pack("<IIII", when // 1_000_000, when % 1_000_000, len(data), len(data)))
            self.f.write(data)
            self.written += 1
            c = self.counts.setdefault(part, [0, 0, 0])
            c[0] += 1
            if key is not None and key not in self.seen:
                self.seen.add(key)
                c[1] += 1
            c[2] += apple

    def syn_probe(self):
        rng = self.rng
        if rng.random() < 0.5:
            scanner, host, port, opts = "198.51.100.7", rng.choice(self.scan_hosts), rng.choice(SCAN_TCP), \
                b"\x02\x04\x05\xb4"
        else:
            scanner, port, opts = "203.0.113.45", rng.choice(SWEEP_TCP), b""
            host = "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        sport, seq = rng.randrange(1024, 65536), rng.randrange(1 << 32)
        key, apple = self.key(6, scanner, sport, host, port), port in APPLE_TCP
        ttl, ident = rng.randrange(37, 60), rng.randrange(1 << 16)
        self.at(0, "tcp-syn-scan", tcp_ip(scanner, host, sport, port, 0x02, seq, window=1024, options=opts,
                                          ttl=ttl, ident=ident, df=False), key, apple)
        r = rng.random()
        delay = rng.randrange(100, 3000)
        if r < 0.20:
            self.at(delay, "tcp-syn-scan",
                    tcp_ip(host, scanner, port, sport, RST | ACK, 0, seq + 1, window=0), key, apple)
        elif r < 0.23:
            sseq = rng.randrange(1 << 32)
            self.at(delay, "tcp-syn-scan", tcp_ip(host, scanner, port, sport, 0x12, sseq, seq + 1,
                                                  options=b"\x02\x04\x05\xb4"), key, apple)
            rst = tcp_ip(scanner, host, sport, port, RST, seq + 1, 0, window=0, ttl=64, df=False)
            self.at(delay + rng.randrange(50, 500), "tcp-syn-scan", rst, key, apple)
        elif r < 0.25:
            # The SYN as the router saw it: one hop less.
            probe = tcp_ip(scanner, host, sport, port, 0x02, seq, window=1024, options=opts, ttl=ttl - 1,
                           ident=ident, df=False)
            self.at(delay, "tcp-syn-scan", icmp_unreachable("172.16.0.1", scanner, 13, probe[:28], df=False,
                                                            ident=rng.randrange(1 << 16)), None, apple)

    def udp_scan_probe(self):
        rng = self.rng
        scanner, host, port = "192.0.2.66", rng.choice(self.scan_hosts), rng.choice(SCAN_UDP)
        sport = rng.randrange(1024, 65536)
        payload = udp_probe(rng, port)
        probe = udp_ip(scanner, host, sport, port, payload, ttl=rng.randrange(37, 60),
                       ident=rng.randrange(1 << 16), df=False)
        key, apple = self.key(17, scanner, sport, host, port), port in APPLE_UDP
        self.at(0, "udp-scan", probe, key, apple)
        r = rng.random()
        delay = rng.randrange(100, 3000)
        if r < 0.55:
            self.at(delay, "udp-scan", icmp_unreachable(host, scanner, 3, probe[:548], df=False,
                                                        ident=rng.randrange(1 << 16)), None, apple)
        elif r < 0.60:
            self.at(delay, "udp-scan", udp_ip(host, scanner, port, sport, udp_reply(rng, port, payload)), key,
                    apple)

    def reflection(self):
        rng = self.rng
        victim = "198.%d.%d.%d" % (rng.randrange(18, 20), rng.randrange(256), rng.randrange(1, 255))
        sport = rng.randrange(1024, 65536)
        delay = rng.randrange(200, 2000)
        if rng.random() < 0.12:
            mac = rng.choice(self.macs)
            probe = bytes.fromhex("0014000103") if rng.random() < 0.5 else bytes.fromhex("00140000")
            key = self.key(17, victim, sport, mac, 3283)
            self.at(0, "reflection", udp_ip(victim, mac, sport, 3283, probe, ttl=rng.randrange(40, 120),
                                            ident=rng.randrange(1 << 16), df=False), key, True)
            if rng.random() < 0.6:
                self.at(delay, "reflection", udp_ip(mac, victim, 3283, sport, ard_answer(rng)), key, True)
            return
        resolver = rng.choice(["172.16.53.10", "172.16.53.11"])
        query = dns_query(rng, rng.choice(DNS_NAMES))
        key = self.key(17, victim, sport, resolver, 53)
        self.at(0, "reflection", udp_ip(victim, resolver, sport, 53, query, ttl=rng.randrange(40, 120),
                                        ident=rng.randrange(1 << 16), df=False), key, False)
        if rng.random() < 0.30:
            answer = dns_any_answer(rng, query, rng.randrange(1100, 1450))
            self.at(delay, "reflection", udp_ip(resolver, victim, 53, sport, answer), key, False)

    def background(self):
        rng = self.bg_rng
        proto, port = rng.choice(APPLE) if rng.random() < 0.05 else rng.choice(ORDINARY)
        apple = (proto, port) in APPLE
        for i, data in enumerate(conversation(rng, proto, port, rng.randrange(1, 6), rng.randrange(1, 6))):
            sport, dport = struct.unpack("!HH", data[34:38])
            src, dst = ".".join(map(str, data[26:30])), ".".join(map(str, data[30:34]))
            key = self.key(6 if proto == "tcp" else 17, src, sport, dst, dport)
            self.at(i * 2000, "background", data[14:], key, apple)

    def run(self):
        # Event weights: packet shares of about 35/20/35/10 over the packets
        # each event makes (1.3, 1.6, 1.4 and about 12).
        events = [(self.syn_probe, 0.27), (self.udp_scan_probe, 0.125), (self.reflection, 0.25),
                  (self.background, 0.0085)]
        funcs = [e[0] for e in events]
        cum = list(itertools.accumulate(e[1] for e in events))
        while self.written < self.total:
            self.now += 25
            funcs[bisect.bisect_right(cum, self.rng.random() * cum[-1])]()
            self.flush(self.now)
        return self.written


def flows_mix(out, total):
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        fl = Flows(f, total)
        written = fl.run()
    print("%s: %d packets (flows mix)" % (out, written))
    firsts = sum(c[1] for c in fl.counts.values())
    apple = sum(c[2] for c in fl.counts.values())
    for part in ("tcp-syn-scan", "udp-scan", "reflection", "background"):
        n, first, ap = fl.counts.get(part, [0, 0, 0])
        print("  %-13s %8d packets (%5.1f%%), %5.1f%% first of their conversation, %5.1f%% on Apple ports"
              % (part, n, 100 * n / max(written, 1), 100 * first / max(n, 1), 100 * ap / max(n, 1)))
    print("  all           %8d packets, %5.1f%% first of their conversation, %5.1f%% on Apple ports"
          % (written, 100 * firsts / max(written, 1), 100 * apple / max(written, 1)))


def main():
    args = sys.argv[1:]
    mix = "default"
    if len(args) >= 2 and args[0] == "--mix":
        mix = args[1]
        args = args[2:]
    elif args and args[0].startswith("--mix="):
        mix = args[0][len("--mix="):]
        args = args[1:]
    if mix not in ("default", "flows") or not 1 <= len(args) <= 3 or (mix == "flows" and len(args) > 2):
        sys.exit("usage: make-capture.py [--mix default|flows] OUT.pcap [PACKETS] [APPLE_SHARE]"
                 " (APPLE_SHARE: default mix only)")
    out = args[0]
    total = int(args[1]) if len(args) > 1 else 1_000_000
    if mix == "flows":
        flows_mix(out, total)
        return
    share = float(args[2]) if len(args) > 2 else 0.05
    default_mix(out, total, share)


if __name__ == "__main__":
    main()
