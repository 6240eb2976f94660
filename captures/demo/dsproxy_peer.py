#!/usr/bin/python3
"""DirectoryService proxy ("DSProxy", TCP 625) key negotiation, both ends.

Layout: ../shared/reference/apple-protocols.md section 3, taken from Apple's
DirectoryService/Proxy/DSTCPEndpoint.cpp (SendBuffer writes "DSPX" +
htonl(length) + payload; DSTCPAuthTag 'DHN2').
  every message : "DSPX" (44 53 50 58) | uint32 BE payload length | payload
  1 client->srv : "DHN2" | client DH public key (64 bytes: 512-bit DH)
  2 srv->client : server DH public key (64 bytes, no tag)
  3 client->srv : AES-128 block holding the 4-byte challenge (16 bytes)
  4 srv->client : AES-128 block holding challenge + 1 (16 bytes)
No real Diffie-Hellman or AES is done: keys and blocks are bytes from a
seeded PRNG, so the capture has the right shape and repeatable content.

usage: dsproxy_peer.py server ADDR PORT
       dsproxy_peer.py client SRC DST PORT
"""
import random
import socket
import struct
import sys

TAG = b"DSPX"
AUTH_TAG = b"DHN2"


def fake_bytes(seed, n):
    data = bytearray(random.Random(seed).randbytes(n))
    data[0] |= 0x40      # a 512-bit value with its top bits set, like a DH public key
    return bytes(data)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def send_msg(sock, payload):
    sock.sendall(TAG + struct.pack("!I", len(payload)) + payload)


def recv_msg(sock):
    tag, length = struct.unpack("!4sI", recv_exact(sock, 8))
    if tag != TAG:
        raise ValueError("bad tag %r" % tag)
    return recv_exact(sock, length)


def drain_and_close(sock):
    while sock.recv(4096):
        pass
    sock.close()


def server(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(30)
    conn, _ = ls.accept()
    ls.close()
    conn.settimeout(10)
    first = recv_msg(conn)
    if first[:4] != AUTH_TAG or len(first) != 68:
        raise ValueError("expected DHN2 + 64-byte key, got %d bytes" % len(first))
    send_msg(conn, fake_bytes("dsproxy-server-dh-public", 64))
    challenge = recv_msg(conn)
    if len(challenge) != 16:
        raise ValueError("expected one 16-byte AES block")
    send_msg(conn, random.Random("dsproxy-server-response").randbytes(16))
    drain_and_close(conn)           # client closes first; we answer its FIN


def client(src, dst, port):
    s = socket.create_connection((dst, int(port)), timeout=10, source_address=(src, 0))
    send_msg(s, AUTH_TAG + fake_bytes("dsproxy-client-dh-public", 64))
    if len(recv_msg(s)) != 64:
        raise ValueError("expected a 64-byte server key")
    send_msg(s, random.Random("dsproxy-client-challenge").randbytes(16))
    if len(recv_msg(s)) != 16:
        raise ValueError("expected a 16-byte answer")
    s.shutdown(socket.SHUT_WR)
    drain_and_close(s)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "server":
        server(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "client":
        client(*sys.argv[2:])
    else:
        sys.exit(__doc__)
