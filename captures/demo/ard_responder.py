#!/usr/bin/python3
"""Apple Remote Desktop / Net Assistant UDP 3283 responder (answers GET_INFO).

Layout: ../shared/reference/apple-protocols.md section 4a (ardclient
packet.py, nmap's netassistant match, the AMP-Research hexdump of a live reply).
  request : uint16 code | uint16 data length | data; nmap's probe is 00 14 00 01 03
            (code 0x0014 GET_INFO, length 1, data 03)
  reply   : code 0x0001 (ANSWER_GET_INFO), length 0x03EA (1002 data bytes, 1006 in all)
            offsets from the first payload byte:
            0x04 00 31 | 0x28 uint16 status | 0x2C Pascal string, focused app (48 bytes)
            0x5E Pascal string, user (32) | 0x7E Pascal string, computer name (32)
            0xCA IPv4 address | 0xDC MAC address (6) | 0xE6 uint16 count + UTF-16BE name
            every other byte is zero.
The values (computer "demo-imac", user "analyst", MAC f0:18:98:..., an Apple
OUI) are invented. Answers one GET_INFO request, then exits.

usage: ard_responder.py ADDR [PORT]
"""
import socket
import struct
import sys

STATUS = 2                  # "available"
FOCUSED_APP = b"Finder"
USER = b"analyst"
COMPUTER = "demo-imac"
MAC = bytes.fromhex("f01898a1b2c3")


def pascal(field_len, text):
    return (bytes([len(text)]) + text).ljust(field_len, b"\x00")


def build_reply(ipv4):
    data = bytearray(4 + 0x03EA)
    struct.pack_into("!HH", data, 0, 0x0001, 0x03EA)
    data[0x04:0x06] = b"\x00\x31"
    struct.pack_into("!H", data, 0x28, STATUS)
    data[0x2C:0x2C + 48] = pascal(48, FOCUSED_APP)
    data[0x5E:0x5E + 32] = pascal(32, USER)
    data[0x7E:0x7E + 32] = pascal(32, COMPUTER.encode("ascii"))
    data[0xCA:0xCE] = socket.inet_aton(ipv4)
    data[0xDC:0xE2] = MAC
    name16 = COMPUTER.encode("utf-16-be")
    struct.pack_into("!H", data, 0xE6, len(COMPUTER))
    data[0xE8:0xE8 + len(name16)] = name16
    return bytes(data)


def main(addr, port=3283):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(30)
    while True:
        request, peer = s.recvfrom(2048)
        if len(request) >= 4:
            code, length = struct.unpack("!HH", request[:4])
            if code == 0x0014 and length == len(request) - 4:
                s.sendto(build_reply(addr), peer)
                return


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
