#!/usr/bin/python3
"""serialnumberd UDP 626 responder (answers one SNQUERY).

Layout: ../shared/reference/apple-protocols.md section 7 (nmap-service-probes
serialnumberd probe and matches, lines 16158-16163).
  request : ASCII "SNQUERY: <ip>:<serial>:<product>"; nmap sends
            "SNQUERY: 127.0.0.1:AAAAAA:xsvr" (30 bytes)
  reply   : ASCII "SNRESPS:<ip>:0x<40 hex>:xsvr:0x<40 hex>:0x<8 hex>:0x<40 hex>:<ip>" + NUL
The hex fields are invented: SHA-1 / CRC-32 digests of fixed strings, so they
have the right length and do not change between runs.

usage: serialnumberd_responder.py ADDR [PORT]
"""
import hashlib
import socket
import sys
import zlib


def hex40(text):
    return "0x" + hashlib.sha1(text.encode("ascii")).hexdigest()


def build_reply(ip, product):
    fields = ["SNRESPS", ip, hex40("demo serial number"), product,
              hex40("demo registration"), "0x%08x" % zlib.crc32(b"demo seats"),
              hex40("demo signature"), ip]
    return ":".join(fields).encode("ascii") + b"\x00"


def main(addr, port=626):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(30)
    while True:
        request, peer = s.recvfrom(2048)
        if request.startswith(b"SNQUERY:"):
            parts = request.decode("ascii", "replace").rstrip("\x00").split(":")
            product = parts[-1] if len(parts) >= 4 else "xsvr"
            s.sendto(build_reply(addr, product), peer)
            return


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
