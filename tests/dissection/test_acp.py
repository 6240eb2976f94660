"""Dissection tests for the acp plugin: AirPort admin protocol "ACP", TCP 5009.

Messages are built here from the layout in apple-protocols.md section 6a
(128-byte header "!4s8i12x32s48x", Adler-32 of header and body, key = password
XOR a static keystream, property elements "!4s2I"), with Python's own zlib
for the checksums, so that the C code is checked against an independent
implementation. The authenticate exchange uses the real header bytes quoted
from ACP-WIRE (node-acp against a Time Capsule).
"""
import os
import random
import struct
import unittest
import zlib

import harness

CLIENT, SERVER = "10.1.0.2", "10.1.0.9"
CPORT, PORT = 40123, 5009
HEUR_PORT = 47123  # no dissector registered: only heuristics can claim it
HEUR = ["--enable-heuristic", "acp_tcp"]  # off by default
DECODE_AS = ["-d", "tcp.port==%d,acp" % PORT]
DEMO = os.path.join(harness.SOURCE, "captures", "apple-legacy-demo.pcapng")

K = bytes.fromhex("5b6faf5d9d5b0e1351f2da1de7e8d673")
KEYSTREAM = bytes((((i + 0x55) & 0xFF) ^ K[i % 16]) for i in range(32))

GET, SET, AUTH, FEAT, ECHO = 0x14, 0x15, 0x1A, 0x1B, 0x01

# ACP-WIRE, as quoted in section 6a: the first 36 bytes of each header. The
# rest of the request header is 12 zero bytes, the empty-password key (the
# keystream: the doc says bytes 48-79 are exactly those bytes) and 48 zero
# bytes. The reply's key is all zero: with it, the quoted header checksum
# 0x5d41052c is right, so these are the real 128 bytes.
WIRE_SENT = bytes.fromhex(
    "61637070 00030001 ff9510fe e60d0baf 00000024 00000004 00000000 0000001a 00000000")
WIRE_RECV = bytes.fromhex(
    "61637070 00030001 5d41052c 9664e2bd 000001ca 00000005 00000000 0000001a 00000000")
AUTH_REQUEST_HEADER = WIRE_SENT + bytes(12) + KEYSTREAM + bytes(48)
AUTH_REPLY_HEADER = WIRE_RECV + bytes(12) + bytes(32) + bytes(48)
# node-acp's stage-one body {state: 1, username: "admin"} as a CFL binary
# plist: its Adler-32 is the request header's body checksum 0xe60d0baf.
AUTH_REQUEST_BODY = b"CFB0\xd0\x70state\x00\x10\x01\x70username\x00\x70admin\x00\x00END!"
# The reply's 458-byte body (salt, generator, public key, modulus) is not
# quoted anywhere: a made-up plist of that size stands in, so its body
# checksum cannot match the real header's.
AUTH_REPLY_BODY = b"CFB0\xd0" + bytes(range(256)) + bytes(458 - 4 - 1 - 256 - 5) + b"\x00END!"

PASSWORD_EXPERT = 'AirPort admin password readable by anyone on the path: "%s"'
SESSION_EXPERT = ("After SRP authentication the session switches to AES-128-CTR; "
                  "later bytes are not decodable")


def key_for(password):
    pad = password[:32].ljust(32, b"\0")
    return bytes(a ^ b for a, b in zip(pad, KEYSTREAM))


def header(command, body=b"", flags=0, error=0, password=b"", key=None, version=0x00030001,
           body_size=None, body_sum=None, header_sum=None, magic=b"acpp"):
    key = key_for(password) if key is None else key
    size = len(body) if body_size is None else body_size
    bsum = zlib.adler32(body) if body_sum is None else body_sum
    raw = struct.pack("!4sIIIiIIIi12x32s48x", magic, version, 0, bsum, size, flags, 0, command,
                      error, key)
    hsum = zlib.adler32(raw) if header_sum is None else header_sum
    return raw[:8] + struct.pack("!I", hsum) + raw[12:]


def message(command, body=b"", **kw):
    return header(command, body, **kw) + body


def element(name, value, flags=0):
    return struct.pack("!4sII", name, flags, len(value)) + value


END = element(b"\0\0\0\0", b"\0\0\0\0")  # as acp_peer.py and airpyrt send it
END0 = struct.pack("!4sII", b"\0\0\0\0", 0, 0)  # the all-zero form


class AcpTestCase(harness.CaptureTestCase):

    def session(self, exchanges, port=PORT, close=True):
        cap = harness.Capture().tcp_session(CLIENT, SERVER, CPORT, port, exchanges, close=close)
        return self.write(cap)

    def rows(self, pcap, names, args=DECODE_AS, display_filter="acp"):
        """-T fields rows: frame.number, then names; args go before them."""
        cmd = list(args) + ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                            "-E", "aggregator=,", "-e", "frame.number"]
        for name in names:
            cmd += ["-e", name]
        if display_filter:
            cmd += ["-Y", display_filter]
        out = harness.tshark(cmd, pcap).stdout
        return [[harness.as_in_4_0(cell) for cell in line.split("|")]
                for line in out.splitlines()]


class TestDemoCapture(AcpTestCase):
    """Frames 116-125 of captures/apple-legacy-demo.pcapng (acp_peer.py)."""

    def setUp(self):
        super().setUp()
        if not os.path.exists(DEMO):
            self.skipTest("demo capture missing")

    def test_get_property_exchange(self):
        rows = self.rows(DEMO, ["acp.password", "acp.command", "acp.flags", "acp.error",
                                "acp.body_size", "acp.property.name", "acp.property.string",
                                "acp.reply", "_ws.expert.message", "_ws.col.Info"],
                         args=["-d", "tcp.port==5009,acp"])
        self.assertEqual(rows, [
            ["119", "public", "0x00000014", "4", "0", "16", "syNm", "", "0",
             PASSWORD_EXPERT % "public", "Get property request syNm"],
            ["121", "", "0x00000014", "5", "0", "40", "syNm", "Demo AirPort", "1", "",
             "Get property reply syNm"],
        ])

    def test_checksums_correct(self):
        rows = self.rows(DEMO, ["acp.header_checksum", "acp.header_checksum.status",
                                "acp.body_checksum", "acp.body_checksum.status"],
                         args=["-d", "tcp.port==5009,acp"])
        # status 1 = Good (proto_checksum_vals)
        self.assertEqual(rows, [["119", "0xe4e11107", "1", "0x183801ac", "1"],
                                ["121", "0xeeca10d6", "1", "0xa2c0061e", "1"]])

    def test_property_values(self):
        rows = self.rows(DEMO, ["acp.property.value", "acp.property.size", "acp.property.end"],
                         args=["-d", "tcp.port==5009,acp"])
        self.assertEqual(rows, [
            ["119", "00000000", "4", ""],
            ["121", "44656d6f20416972506f7274,00000000", "12,4", "1"],
        ])
        # the end element is there (FT_NONE: tshark prints 1 when present)
        rows = self.rows(DEMO, [], args=["-d", "tcp.port==5009,acp"],
                         display_filter="acp.property.end")
        self.assertEqual(rows, [["121"]])

    def test_only_the_acp_stream(self):
        """With Decode As on 5009 nothing else in the capture becomes ACP, and
        the frames of the stream without payload stay TCP."""
        rows = self.rows(DEMO, ["tcp.stream"], args=["-d", "tcp.port==5009,acp"])
        self.assertEqual([r[0] for r in rows], ["119", "121"])
        proc = harness.tshark(["-d", "tcp.port==5009,acp", "-Y", "frame.number>=116 && "
                               "frame.number<=125 && !acp", "-T", "fields", "-e",
                               "frame.number"], DEMO)
        self.assertEqual(proc.stdout.split(), ["116", "117", "118", "120", "122", "123", "124",
                                               "125"])

    def test_heuristic_finds_demo(self):
        """No Decode As: the TCP heuristic recognises the demo exchange."""
        rows = self.rows(DEMO, ["acp.password"], args=[])
        self.assertEqual(rows, [["119", "public"], ["121", ""]])


class TestMessages(AcpTestCase):

    def test_get_property_request_and_reply(self):
        req = message(GET, element(b"raNm", b"\0\0\0\0") + element(b"dbug", b"\0\0\0\0"),
                      flags=4, password=b"secret")
        rep = message(GET, element(b"raNm", b"HomeNet") + element(b"dbug", b"\x00\x00\x30\x00") +
                      END0, flags=5, key=bytes(32))
        pcap = self.session([(True, req), (False, rep)])
        rows = self.rows(pcap, ["acp.property.name", "acp.property.string",
                                "acp.property.value", "acp.password", "_ws.col.Info"])
        self.assertEqual(rows, [
            ["4", "raNm,dbug", "", "00000000,00000000", "secret", "Get property request raNm,dbug"],
            ["5", "raNm,dbug", "HomeNet", "486f6d654e6574,00003000", "",
             "Get property reply raNm,dbug"],
        ])

    def test_set_property(self):
        req = message(SET, element(b"syNm", b"New Name"), password=b"public")
        rep = message(SET, element(b"syNm", b"\0\0\0\0") + END, flags=1, key=bytes(32))
        pcap = self.session([(True, req), (False, rep)])
        rows = self.rows(pcap, ["acp.command", "acp.property.string", "_ws.col.Info"])
        self.assertEqual(rows, [["4", "0x00000015", "New Name", "Set property request syNm"],
                                ["5", "0x00000015", "", "Set property reply syNm"]])

    def test_property_error_element(self):
        rep = message(GET, element(b"raNm", struct.pack("!i", -10), flags=1) + END, flags=5)
        pcap = self.session([(True, message(GET, element(b"raNm", bytes(4)), flags=4)),
                             (False, rep)])
        rows = self.rows(pcap, ["acp.property.flags", "acp.property.flags.error",
                                "acp.property.error", "_ws.expert.message"],
                         display_filter="acp.reply == 1")
        self.assertEqual(rows, [["5", "0x00000001,0x00000000", "1,0", "-10",
                                 "Property raNm: error Not available (-10)"]])

    def test_header_error_codes(self):
        pcap = self.session([
            (True, message(GET, element(b"syNm", bytes(4)), flags=4, password=b"wrong")),
            (False, message(GET, error=-6754, key=bytes(32))),
            (True, message(GET, element(b"syNm", bytes(4)), flags=4, password=b"x")),
            (False, message(GET, error=-16, key=bytes(32))),
            (True, message(GET, element(b"syNm", bytes(4)), flags=4, password=b"y")),
            (False, message(GET, error=-5, key=bytes(32))),
        ])
        rows = self.rows(pcap, ["acp.error", "_ws.expert.message", "_ws.col.Info"],
                         display_filter="acp.reply == 1")
        self.assertEqual(rows, [
            ["5", "-6754", "ACP error Incorrect password (-6754)",
             "Get property reply error Incorrect password (-6754)"],
            ["7", "-16", "ACP error Invalid key (-16)", "Get property reply error Invalid key (-16)"],
            ["9", "-5", "ACP error -5", "Get property reply error -5"],
        ])
        out = harness.tshark(DECODE_AS + ["-Y", "frame.number==5", "-V"], pcap).stdout
        self.assertIn("Error code: Incorrect password (-6754)", out)

    def test_features_cflbinary(self):
        plist = b"CFB0\xa0\x70acp\x00\x00END!"
        pcap = self.session([(True, message(FEAT)), (False, message(FEAT, plist, key=bytes(32)))])
        rows = self.rows(pcap, ["acp.body_size", "acp.body_checksum", "acp.cflbinary",
                                "acp.cflbinary.contents", "acp.cflbinary.footer",
                                "_ws.expert.message", "_ws.col.Info"])
        self.assertEqual(rows, [
            ["4", "0", "0x00000001", "", "", "", "", "Get features request"],
            ["5", str(len(plist)), "0x%08x" % zlib.adler32(plist), "CFB0", "a0706163700000", "END!",
             "", "Get features reply"],
        ])

    def test_cflbinary_without_footer(self):
        pcap = self.session([(True, message(FEAT)),
                             (False, message(FEAT, b"CFB0\xd0\x00", key=bytes(32)))])
        rows = self.rows(pcap, ["acp.cflbinary", "_ws.expert.message"], display_filter="acp.reply == 1")
        self.assertEqual(rows, [["5", "CFB0", 'CFL binary plist does not end with "END!"']])

    def test_unknown_body_and_command(self):
        pcap = self.session([(True, message(ECHO, b"ping", flags=4)),
                             (True, message(0x17, b"\x01\x02"))])
        rows = self.rows(pcap, ["acp.command", "acp.body", "_ws.col.Info"])
        self.assertEqual(rows, [["4", "0x00000001", "70696e67", "Echo request"],
                                ["5", "0x00000017", "0102", "Command 0x17 request"]])

    def test_old_version_and_stream_header(self):
        """Version 1, a stream header (body size -1, no body) and a second message in
        the same segment."""
        seg = message(0x03, body_size=-1, version=1) + message(FEAT)
        pcap = self.session([(True, seg)])
        rows = self.rows(pcap, ["acp.version", "acp.body_size", "_ws.col.Info"])
        self.assertEqual(rows, [["4", "0x00000001,0x00030001", "-1,0",
                                 "Flash primary request ; Get features request"]])

    def test_negative_body_size(self):
        pcap = self.session([(True, message(ECHO, body_size=-2))])
        rows = self.rows(pcap, ["acp.body_size", "_ws.expert.message"])
        self.assertEqual(rows, [["4", "-2", "Negative body size -2 (only -1 is defined)"]])

    def test_body_size_too_large(self):
        """A body size whose message length would not fit a signed 32-bit length is
        flagged, and the rest of the segment is left undecoded."""
        pcap = self.session([(True, message(ECHO, b"tail", body_size=0x7FFFFFFF))])
        for prefs in ([], ["-o", "acp.desegment:FALSE"]):
            rows = self.rows(pcap, ["acp.body_size", "acp.body_checksum.status", "acp.undecoded",
                                    "_ws.expert.message"], args=DECODE_AS + prefs)
            self.assertEqual(rows, [["4", "2147483647", "2", "7461696c",
                                     "Body size 2147483647 is too large to frame (at most "
                                     "2147483519); the body is not decoded"]])

    def test_password_with_32_characters(self):
        pw = b"0123456789abcdefghijklmnopqrstuv"
        pcap = self.session([(True, message(GET, element(b"syNm", bytes(4)), password=pw))])
        rows = self.rows(pcap, ["acp.password", "_ws.expert.message"])
        self.assertEqual(rows, [["4", pw.decode(), PASSWORD_EXPERT % pw.decode()]])


class TestChecksums(AcpTestCase):

    def test_corrupted_header_checksum(self):
        good = header(GET, element(b"syNm", bytes(4)), password=b"public")
        right = struct.unpack("!I", good[8:12])[0]
        bad = good[:8] + struct.pack("!I", 0x12345678) + good[12:] + element(b"syNm", bytes(4))
        pcap = self.session([(True, bad)])
        rows = self.rows(pcap, ["acp.header_checksum", "acp.header_checksum.status",
                                "acp.body_checksum.status", "_ws.expert.message"])
        self.assertEqual(rows, [[
            "4", "0x12345678", "0", "1",
            "Bad ACP header checksum 0x12345678: the Adler-32 is 0x%08x,%s" % (
                right, PASSWORD_EXPERT % "public")]])
        out = harness.tshark(DECODE_AS + ["-Y", "acp", "-V"], pcap).stdout
        self.assertIn("Header checksum: 0x12345678 incorrect, should be 0x%08x" % right, out)
        self.assertIn("[Header checksum status: Bad]", out)
        self.assertIn("Body checksum: 0x%08x [correct]" % zlib.adler32(element(b"syNm", bytes(4))),
                      out)

    def test_changed_header_byte(self):
        """A flipped command byte: the stored checksum no longer fits."""
        msg = bytearray(message(FEAT))
        msg[31] = 0x1C
        pcap = self.session([(True, bytes(msg))])
        rows = self.rows(pcap, ["acp.header_checksum.status", "_ws.expert.message"])
        stored = struct.unpack("!I", msg[8:12])[0]
        right = zlib.adler32(bytes(msg[:8]) + bytes(4) + bytes(msg[12:128]))
        self.assertEqual(rows, [["4", "0", "Bad ACP header checksum 0x%08x: the Adler-32 is 0x%08x"
                                 % (stored, right)]])

    def test_corrupted_body_checksum(self):
        body = element(b"syNm", bytes(4))
        msg = message(GET, body, body_sum=0xDEADBEEF)
        pcap = self.session([(True, msg)])
        rows = self.rows(pcap, ["acp.header_checksum.status", "acp.body_checksum.status",
                                "_ws.expert.message"])
        self.assertEqual(rows, [["4", "1", "0", "Bad ACP body checksum 0xdeadbeef: the Adler-32 is "
                                 "0x%08x" % zlib.adler32(body)]])

    def test_empty_body_checksum(self):
        pcap = self.session([(True, message(FEAT)), (True, message(FEAT, body_sum=0))])
        rows = self.rows(pcap, ["acp.body_checksum", "acp.body_checksum.status",
                                "_ws.expert.message"])
        self.assertEqual(rows, [["4", "0x00000001", "1", ""],
                                ["5", "0x00000000", "0",
                                 "Bad ACP body checksum 0x00000000: the Adler-32 is 0x00000001"]])


class TestAuthenticate(AcpTestCase):

    def test_real_request_header(self):
        """ACP-WIRE's AUTH request: empty password, key = keystream, both checksums right."""
        self.assertEqual(zlib.adler32(AUTH_REQUEST_BODY), 0xE60D0BAF)
        self.assertEqual(len(AUTH_REQUEST_BODY), 0x24)
        self.assertEqual(AUTH_REQUEST_HEADER[48:80].hex(),
                         "0e39f805c401554f0cac857d868ab5173e09c835f431657f3c9cb56d969aa507")
        pcap = self.session([(True, AUTH_REQUEST_HEADER + AUTH_REQUEST_BODY)])
        rows = self.rows(pcap, ["acp.version", "acp.header_checksum", "acp.header_checksum.status",
                                "acp.body_checksum", "acp.body_checksum.status", "acp.body_size",
                                "acp.flags", "acp.command", "acp.error", "acp.key",
                                "acp.password", "acp.cflbinary", "acp.cflbinary.footer",
                                "_ws.expert.message", "_ws.col.Info"])
        self.assertEqual(rows, [[
            "4", "0x00030001", "0xff9510fe", "1", "0xe60d0baf", "1", "36", "4", "0x0000001a", "0",
            KEYSTREAM.hex(), "", "CFB0", "END!", "", "Authenticate (SRP) request"]])

    def test_real_reply_header(self):
        """ACP-WIRE's reply header (all-zero key: no password, no expert); the body is a
        stand-in, so only its checksum is wrong. The reply carries the session note."""
        pcap = self.session([(True, AUTH_REQUEST_HEADER + AUTH_REQUEST_BODY),
                             (False, AUTH_REPLY_HEADER + AUTH_REPLY_BODY)])
        rows = self.rows(pcap, ["acp.header_checksum", "acp.header_checksum.status",
                                "acp.body_checksum.status", "acp.body_size", "acp.flags",
                                "acp.password", "acp.reply", "_ws.expert.message",
                                "_ws.col.Info"], display_filter="acp.reply == 1")
        self.assertEqual(rows, [[
            "5", "0x5d41052c", "1", "0", "458", "5", "", "1",
            "Bad ACP body checksum 0x9664e2bd: the Adler-32 is 0x%08x,%s" % (
                zlib.adler32(AUTH_REPLY_BODY), SESSION_EXPERT),
            "Authenticate (SRP) reply"]])
        out = harness.tshark(DECODE_AS + ["-Y", "acp.reply == 1", "-V"], pcap).stdout
        self.assertIn("[Admin password:  (key field all zero: no password sent)]", out)

    def test_session_expert_group(self):
        pcap = self.session([(True, AUTH_REQUEST_HEADER + AUTH_REQUEST_BODY),
                             (False, message(AUTH, b"CFB0\xd0\x00END!", flags=5, key=bytes(32)))])
        out = harness.tshark(DECODE_AS + ["-Y", "acp.reply == 1", "-V"], pcap).stdout
        self.assertIn("[Expert Info (Note/Sequence): " + SESSION_EXPERT + "]", out)
        rows = self.rows(pcap, [], display_filter="_ws.expert.group == 0x02000000 && acp")
        self.assertEqual(rows, [["5"]])  # PI_SEQUENCE only on the reply

    def test_encrypted_after_authentication(self):
        rnd = random.Random(5009)
        c_data = bytes(rnd.randrange(256) for _ in range(150))
        s_data = bytes(rnd.randrange(256) for _ in range(77))
        pcap = self.session([
            (True, AUTH_REQUEST_HEADER + AUTH_REQUEST_BODY),
            (False, message(AUTH, b"CFB0\xd0\x00END!", flags=5, key=bytes(32))),
            (True, message(AUTH, b"CFB0\xd0\x70state\x00\x10\x03\x00END!", flags=4)),
            (False, message(AUTH, b"CFB0\xd0\x00END!", flags=5, key=bytes(32))),
            (True, c_data),
            (False, s_data),
        ])
        rows = self.rows(pcap, ["acp.encrypted", "_ws.expert.message", "_ws.col.Info"],
                         display_filter="acp.encrypted")
        self.assertEqual(rows, [
            ["8", c_data.hex(), "", "Encrypted session data (150 bytes)"],
            ["9", s_data.hex(), "", "Encrypted session data (77 bytes)"],
        ])
        # with the heuristic alone (no Decode As) the conversation stays ACP
        pcap = self.session([
            (True, AUTH_REQUEST_HEADER + AUTH_REQUEST_BODY),
            (False, message(AUTH, b"CFB0\xd0\x00END!", flags=5, key=bytes(32))),
            (True, c_data),
        ], port=HEUR_PORT)
        rows = self.rows(pcap, ["acp.encrypted"], args=HEUR, display_filter="acp.encrypted")
        self.assertEqual(rows, [["6", c_data.hex()]])

    def test_not_acp_without_authentication(self):
        pcap = self.session([(True, b"\x17\x03\x03\x00\x05hello")])
        rows = self.rows(pcap, ["acp.undecoded", "acp.encrypted", "_ws.expert.message"])
        self.assertEqual(rows, [["4", b"\x17\x03\x03\x00\x05hello".hex(), "",
                                 'No "acpp" magic: 10 bytes are not an ACP message']])


class TestReassemblyAndTruncation(AcpTestCase):

    def test_split_across_two_segments(self):
        req = message(GET, element(b"syNm", bytes(4)), flags=4, password=b"public")
        rep = message(GET, element(b"syNm", b"Demo AirPort") + END, flags=5, key=bytes(32))
        pcap = self.session([(True, req[:60]), (True, req[60:]), (False, rep[:130]),
                             (False, rep[130:])])
        rows = self.rows(pcap, ["acp.password", "acp.header_checksum.status",
                                "acp.body_checksum.status", "acp.property.string",
                                "tcp.reassembled.length", "_ws.col.Info"])
        self.assertEqual(rows, [
            ["5", "public", "1", "1", "", str(len(req)), "Get property request syNm"],
            ["7", "", "1", "1", "Demo AirPort", str(len(rep)), "Get property reply syNm"],
        ])

    def test_split_inside_magic_and_body_size(self):
        """The first segment holds 2 bytes (part of the magic), the second up to the
        middle of the body size field."""
        req = message(GET, element(b"syNm", bytes(4)), password=b"public")
        pcap = self.session([(True, req[:2]), (True, req[2:18]), (True, req[18:])])
        rows = self.rows(pcap, ["acp.password", "tcp.reassembled.length"])
        self.assertEqual(rows, [["6", "public", str(len(req))]])

    def test_truncated_header_at_end_of_capture(self):
        req = message(GET, element(b"syNm", bytes(4)), password=b"public")
        pcap = self.session([(True, req[:100])], close=False)
        rows = self.rows(pcap, ["acp.magic", "acp.command", "acp.password", "_ws.expert.message",
                                "_ws.col.Info"],
                         args=DECODE_AS + ["-o", "acp.desegment:FALSE"])
        self.assertEqual(rows, [["4", "acpp", "0x00000014", "",
                                 "Truncated ACP header: 100 of 128 bytes", "Truncated ACP header"]])
        # A few bytes only.
        pcap = self.session([(True, req[:6])], close=False)
        rows = self.rows(pcap, ["acp.magic", "_ws.expert.message"],
                         args=DECODE_AS + ["-o", "acp.desegment:FALSE"])
        self.assertEqual(rows, [["4", "acpp", "Truncated ACP header: 6 of 128 bytes"]])
        # With reassembly on (default) tshark waits for the rest: no ACP, no error.
        proc = harness.tshark(DECODE_AS + ["-Y", "acp || _ws.malformed"], pcap)
        self.assertEqual(proc.stdout, "")

    def test_truncated_body(self):
        body = element(b"syNm", b"Demo AirPort") + END
        msg = message(GET, body, flags=5)
        pcap = self.session([(False, msg[:150])], close=False)
        rows = self.rows(pcap, ["acp.body_checksum.status", "_ws.expert.message"],
                         args=DECODE_AS + ["-o", "acp.desegment:FALSE"])
        # status 2 = Unverified
        self.assertEqual(rows, [["4", "2", "Truncated ACP body: 22 of 40 bytes,"
                                 "Property value truncated: 10 of 12 bytes"]])

    def test_truncated_elements(self):
        cut_header = message(GET, element(b"syNm", bytes(4)) + b"raNm\0")
        cut_value = message(GET, struct.pack("!4sII", b"raNm", 0, 100) + b"abcd")
        after_end = message(GET, element(b"syNm", b"x") + END0 + b"junk")
        pcap = self.session([(True, cut_header), (True, cut_value), (True, after_end)])
        rows = self.rows(pcap, ["acp.property.name", "_ws.expert.message"])
        self.assertEqual(rows, [
            ["4", "syNm", "Property element header truncated: 5 of 12 bytes"],
            ["5", "raNm", "Property value truncated: 4 of 100 bytes"],
            ["6", "syNm", "4 bytes after the end element"],
        ])

    def test_bad_version_garbage(self):
        garbage = b"acpp\x00\x02\x00\x01" + bytes(range(40))
        pcap = self.session([(True, garbage)])
        rows = self.rows(pcap, ["acp.magic", "acp.version", "acp.undecoded", "acp.command",
                                "_ws.expert.message", "_ws.col.Info"])
        self.assertEqual(rows, [[
            "4", "acpp", "0x00020001", bytes(range(40)).hex(), "",
            "Unknown ACP version 0x00020001 (known: 0x00000001, 0x00030001); the rest is not "
            "decoded", "Unknown ACP version"]])

    def test_fuzzed_messages_never_raise(self):
        """Random corruptions of valid messages: tshark exits 0 and no dissector
        exception (_ws.malformed) shows up."""
        rnd = random.Random(1)
        base = [message(GET, element(b"syNm", b"Demo AirPort") + END, password=b"public"),
                AUTH_REQUEST_HEADER + AUTH_REQUEST_BODY, message(FEAT, b"CFB0\xd0\x00END!")]
        exchanges = []
        for i in range(120):
            msg = bytearray(rnd.choice(base))
            for _ in range(rnd.randrange(1, 6)):
                pos = rnd.randrange(len(msg))
                msg[pos] = rnd.randrange(256)
            if i % 3 == 0:
                msg[16:20] = struct.pack("!i", rnd.choice([-1, -2, 0, 3, 0x7FFFFFFF, -2**31]))
            exchanges.append((i % 2 == 0, bytes(msg[:rnd.randrange(1, len(msg) + 1)])))
        pcap = self.session(exchanges)
        for prefs in ([], ["-o", "acp.desegment:FALSE"]):
            out = harness.tshark(DECODE_AS + prefs + ["-V"], pcap).stdout
            self.assertIn("AirPort Admin Protocol (ACP)", out)
            # our own PI_MALFORMED experts are expected; exceptions are not
            for bad in ("Exception occurred", "Dissector bug", "[Malformed Packet"):
                self.assertNotIn(bad, out)


class TestHeuristic(AcpTestCase):

    def test_matches_on_any_port(self):
        pcap = self.session([(True, message(FEAT)), (False, message(FEAT, b"CFB0\xa0\x00END!"))],
                            port=HEUR_PORT)
        rows = self.rows(pcap, ["acp.command", "_ws.col.Info"], args=HEUR)
        self.assertEqual(rows, [["4", "0x0000001b", "Get features request"],
                                ["5", "0x0000001b", "Get features reply"]])

    def test_short_first_segment(self):
        """Eight bytes (magic and version) are enough to recognise the conversation."""
        req = message(GET, element(b"syNm", bytes(4)), password=b"public")
        pcap = self.session([(True, req[:8]), (True, req[8:])], port=HEUR_PORT)
        rows = self.rows(pcap, ["acp.password"], args=HEUR)
        self.assertEqual(rows, [["5", "public"]])

    def test_disabled_by_default(self):
        pcap = self.session([(True, message(FEAT))], port=HEUR_PORT)
        self.assertEqual(self.rows(pcap, [], args=[]), [])
        self.assertEqual(self.rows(pcap, [], args=HEUR), [["4"]])
        # Decode As works with the heuristic off
        rows = self.rows(pcap, [], args=["-d", "tcp.port==%d,acp" % HEUR_PORT])
        self.assertEqual(rows, [["4"]])

    def test_other_traffic_not_claimed(self):
        tls = bytes.fromhex("160301004a0100004603035f") + bytes(66)
        http = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n"
        rnd = random.Random(7)
        noise = bytes(rnd.randrange(256) for _ in range(300))
        for payload in (tls, http, noise, b"acpp", b"acpp\0\0\0\0" + bytes(120)):
            pcap = self.session([(True, payload)], port=HEUR_PORT)
            self.assertEqual(self.rows(pcap, [], args=HEUR), [], payload[:16])

    def test_bad_checksum_and_version_not_claimed(self):
        msg = message(GET, element(b"syNm", bytes(4)), header_sum=0x12345678)
        pcap = self.session([(True, msg)], port=HEUR_PORT)
        self.assertEqual(self.rows(pcap, [], args=HEUR), [])
        pcap = self.session([(True, message(FEAT, version=0x00020001))], port=HEUR_PORT)
        self.assertEqual(self.rows(pcap, [], args=HEUR), [])

    def test_registered(self):
        out = harness.tshark(["-G", "heuristic-decodes"]).stdout
        self.assertIn("tcp\tacp\tF", out.replace("  ", "\t"))
        out = harness.tshark(["-G", "protocols"]).stdout
        self.assertIn("AirPort Admin Protocol (ACP)\tACP\tacp", out)


if __name__ == "__main__":
    unittest.main()
