#!/usr/bin/python3
"""Apple Password Server (TCP 106) text session, both ends.

Layout: ../shared/reference/apple-protocols.md section 8 (Radius::ApplePasswordServer
client, Apple's PasswordServer client code, nmap's pop3pw match). CRLF-terminated
lines with POP-like "+OK" / "-ERR" status prefixes:
  S: +OK ApplePasswordServer 10.6.0.0 password server at <addr> ready.
  C: LIST RSAPUBLIC
  S: +OK (SASL "CRAM-MD5" "DIGEST-MD5" "MS-CHAPv2")
  S: +OK <bits> <exponent> <modulus> <name>         (RSA public key, decimal)
  C: USER <slot id 0x + 32 hex> AUTH CRAM-MD5
  S: +AUTHOK <hex of the CRAM-MD5 challenge>
  C: AUTH2 <hex of "<slot id> <HMAC-MD5(password, challenge)>">  (RFC 2195 response)
  S: +OK
  C: QUIT
  S: +OK
The RSA "key" is a seeded random 1024-bit odd number, not a real key; the
password ("demo-password") and the challenge are invented. The hex case is upper.

usage: password_server_peer.py server ADDR PORT
       password_server_peer.py client SRC DST PORT
"""
import hashlib
import hmac
import random
import socket
import sys

SLOT_ID = "0x0123456789abcdef0123456789abcdef"
PASSWORD = b"demo-password"
CHALLENGE = b"<1700000000.4242@demo-server.example.com>"


def fake_modulus():
    n = random.Random("aps-rsa-modulus").getrandbits(1024)
    return n | (1 << 1023) | 1


def cram_md5_response():
    digest = hmac.new(PASSWORD, CHALLENGE, hashlib.md5).hexdigest()
    return ("%s %s" % (SLOT_ID, digest)).encode("ascii")


class Lines:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def read(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("ascii")

    def send(self, *lines):
        self.sock.sendall(b"".join(l.encode("ascii") + b"\r\n" for l in lines))


def server(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(30)
    conn, _ = ls.accept()
    ls.close()
    conn.settimeout(10)
    io = Lines(conn)
    io.send("+OK ApplePasswordServer 10.6.0.0 password server at %s ready." % addr)
    while True:
        words = io.read().split()
        cmd = words[0].upper() if words else ""
        if cmd == "LIST" and words[1:] == ["RSAPUBLIC"]:
            io.send('+OK (SASL "CRAM-MD5" "DIGEST-MD5" "MS-CHAPv2")',
                    "+OK 1024 65537 %d root@demo-server.example.com" % fake_modulus())
        elif cmd == "USER" and len(words) >= 4 and words[2].upper() == "AUTH":
            io.send("+AUTHOK %s" % CHALLENGE.hex().upper())
        elif cmd == "AUTH2" and len(words) == 2:
            ok = bytes.fromhex(words[1]) == cram_md5_response()
            io.send("+OK" if ok else "-ERR SASL authentication failed")
        elif cmd == "QUIT":
            io.send("+OK")
            break
        else:
            io.send("-ERR unknown command")
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(4096):
        pass
    conn.close()


def client(src, dst, port):
    s = socket.create_connection((dst, int(port)), timeout=10, source_address=(src, 0))
    io = Lines(s)

    def expect(prefix):
        line = io.read()
        if not line.startswith(prefix):
            raise ValueError("expected %r, got %r" % (prefix, line))
        return line

    expect("+OK ApplePasswordServer ")
    io.send("LIST RSAPUBLIC")
    expect("+OK (SASL ")
    expect("+OK 1024 ")
    io.send("USER %s AUTH CRAM-MD5" % SLOT_ID)
    challenge = bytes.fromhex(expect("+AUTHOK ").split()[1])
    if challenge != CHALLENGE:
        raise ValueError("unexpected challenge")
    io.send("AUTH2 %s" % cram_md5_response().hex().upper())
    expect("+OK")
    io.send("QUIT")
    expect("+OK")
    while s.recv(4096):             # server closes first
        pass
    s.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "server":
        server(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "client":
        client(*sys.argv[2:])
    else:
        sys.exit(__doc__)
