#!/usr/bin/python3
"""DNS A query and answer over UDP 53 (ordinary traffic for apple-legacy-demo.pcapng).

Layout: RFC 1035 section 4.1. Header (4.1.1): ID, flags, QDCOUNT, ANCOUNT,
NSCOUNT, ARCOUNT, six uint16 in network order. Question (4.1.2): QNAME as
length-prefixed labels ending in a zero byte, QTYPE 1 (A), QCLASS 1 (IN).
Answer RR (4.1.3): NAME as a compression pointer 0xC00C to the question
(4.1.4), TYPE A, CLASS IN, TTL uint32, RDLENGTH 4, RDATA = IPv4 address.

usage: dns_peer.py server ADDR           answer one query on ADDR:53, then exit
       dns_peer.py client SRC SERVER NAME  send one A query from SRC:<ephemeral>
"""
import socket
import struct
import sys

QUERY_ID = 0x1D2C                       # fixed, so the capture bytes are repeatable
ZONE = {"www.example.com": "127.0.0.10"}  # the HTTPS/HTTP server in the demo


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def decode_question(msg):
    pos, labels = 12, []
    while msg[pos]:
        labels.append(msg[pos + 1:pos + 1 + msg[pos]].decode("ascii"))
        pos += 1 + msg[pos]
    qtype, qclass = struct.unpack("!HH", msg[pos + 1:pos + 5])
    return ".".join(labels), qtype, qclass, pos + 5


def server(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    s.settimeout(30)
    query, peer = s.recvfrom(512)
    qid, = struct.unpack("!H", query[:2])
    name, qtype, qclass, qend = decode_question(query)
    question = query[12:qend]
    if qtype == 1 and qclass == 1 and name.lower() in ZONE:
        # QR=1, opcode 0, AA=1, RD copied, RA=1, RCODE 0
        flags = 0x8400 | (struct.unpack("!H", query[2:4])[0] & 0x0100) | 0x0080
        answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4)
        answer += socket.inet_aton(ZONE[name.lower()])
        reply = struct.pack("!HHHHHH", qid, flags, 1, 1, 0, 0) + question + answer
    else:
        reply = struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question  # NXDOMAIN
    s.sendto(reply, peer)


def client(src, server_addr, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))                    # kernel picks an ephemeral source port
    s.settimeout(5)
    # flags 0x0100: standard query, RD=1
    query = struct.pack("!HHHHHH", QUERY_ID, 0x0100, 1, 0, 0, 0)
    query += encode_name(name) + struct.pack("!HH", 1, 1)
    s.sendto(query, (server_addr, 53))
    reply, _ = s.recvfrom(512)
    ancount, = struct.unpack("!H", reply[6:8])
    if ancount:
        print("%s A %s" % (name, socket.inet_ntoa(reply[-4:])))
    else:
        sys.exit("no answer for %s" % name)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "server":
        server(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "client":
        client(*sys.argv[2:])
    else:
        sys.exit(__doc__)
