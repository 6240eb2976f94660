#!/usr/bin/python3
"""AirPort admin protocol "ACP" (TCP 5009): one get-property exchange, both ends.

Layout: ../shared/reference/apple-protocols.md section 6a (airpyrt-tools
acp/message.py + acp/keystream.py + acp/property.py, node-acp message.ts and
property.ts, Metasploit acpp/message.rb).
128-byte header, struct "!4s8i12x32s48x", all big-endian:
   0 "acpp" | 4 version 0x00030001 | 8 header Adler-32 (computed with this
   field set to 0) | 12 body Adler-32 | 16 body size | 20 flags | 24 unused 0 |
  28 command (0x14 = get property) | 32 error code | 36 12 zero bytes |
  48 key: password NUL-padded to 32 bytes XOR keystream | 80 48 zero bytes
Keystream: key[i] = ((i + 0x55) & 0xff) ^ K[i % 16],
  K = 5b 6f af 5d 9d 5b 0e 13 51 f2 da 1d e7 e8 d6 73.
Body: property elements "!4s2I" = name, flags, size, then <size> value bytes.
  request : "syNm", flags 0, size 4, value 00 00 00 00 (the "null" value;
            airpyrt compose_raw_element and node-acp composeRawElement both
            write size = len(value) = 4 for it)
  reply   : "syNm", flags 0, size 12, "Demo AirPort", then the empty end
            marker element (name 00000000, flags 0, size 4, value 00000000)
            that airpyrt's/node-acp's get_properties loop stops on.
Request header: flags 4, key from password "public". Reply header: flags 5 and
an empty-password key, as node-acp's server sends for a get-property reply
(and as in the real reply bytes quoted in the doc: flags 5).

usage: acp_peer.py server ADDR PORT
       acp_peer.py client SRC DST PORT
"""
import socket
import struct
import sys
import zlib

HEADER = struct.Struct("!4s8i12x32s48x")
ELEMENT = struct.Struct("!4s2I")
MAGIC = b"acpp"
VERSION = 0x00030001
CMD_GET_PROPERTY = 0x14
K = bytes.fromhex("5b6faf5d9d5b0e1351f2da1de7e8d673")
PASSWORD = b"public"
DEVICE_NAME = b"Demo AirPort"


def header_key(password):
    pad = password[:32].ljust(32, b"\x00")
    return bytes(pad[i] ^ (((i + 0x55) & 0xFF) ^ K[i % 16]) for i in range(32))


def build_message(flags, command, password, body, error=0):
    fields = [MAGIC, VERSION, 0, s32(zlib.adler32(body)), len(body), flags, 0, command,
              error, header_key(password)]
    fields[2] = s32(zlib.adler32(HEADER.pack(*fields)))
    return HEADER.pack(*fields) + body


def s32(value):
    """Checksums are unsigned; the "i" struct fields are signed (as in airpyrt)."""
    return value - 0x100000000 if value >= 0x80000000 else value


def parse_header(raw):
    (magic, version, hsum, bsum, bsize, flags, unused, command, error,
     key) = HEADER.unpack(raw)
    if magic != MAGIC or version not in (1, VERSION):
        raise ValueError("not an acpp header")
    zeroed = HEADER.pack(magic, version, 0, bsum, bsize, flags, unused, command, error, key)
    if hsum & 0xFFFFFFFF != zlib.adler32(zeroed):
        raise ValueError("header checksum mismatch")
    return bsum & 0xFFFFFFFF, bsize, flags, command, error


def element(name, flags, value):
    return ELEMENT.pack(name, flags, len(value)) + value


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def recv_message(sock):
    bsum, bsize, flags, command, error = parse_header(recv_exact(sock, HEADER.size))
    body = recv_exact(sock, bsize) if bsize > 0 else b""
    if zlib.adler32(body) != bsum:
        raise ValueError("body checksum mismatch")
    return command, flags, error, body


def server(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    ls.settimeout(30)
    conn, _ = ls.accept()
    ls.close()
    conn.settimeout(10)
    command, _, _, body = recv_message(conn)
    name = ELEMENT.unpack(body[:ELEMENT.size])[0]
    if command != CMD_GET_PROPERTY or name != b"syNm":
        raise ValueError("unexpected request")
    reply = element(b"syNm", 0, DEVICE_NAME) + element(b"\x00" * 4, 0, b"\x00" * 4)
    conn.sendall(build_message(5, CMD_GET_PROPERTY, b"", reply))
    while conn.recv(4096):          # client closes first
        pass
    conn.close()


def client(src, dst, port):
    s = socket.create_connection((dst, int(port)), timeout=10, source_address=(src, 0))
    request = element(b"syNm", 0, b"\x00" * 4)
    s.sendall(build_message(4, CMD_GET_PROPERTY, PASSWORD, request))
    _, _, error, body = recv_message(s)
    name, flags, size = ELEMENT.unpack(body[:ELEMENT.size])
    print("%s = %r (error %d)" % (name.decode(), body[12:12 + size].decode(), error))
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "server":
        server(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "client":
        client(*sys.argv[2:])
    else:
        sys.exit(__doc__)
