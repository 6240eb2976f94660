"""Dissection tests of the Apple Password Server plugin (plugins/pwserver):
TCP 106/3659 text lines and the UDP 3659 reply, built from the layouts of
../shared/reference/apple-protocols.md section 8, plus the demo capture's
TCP 106 conversation (frames 126-142)."""
import os
import random
import struct
import subprocess
import unittest

import harness

DEMO = os.path.join(harness.SOURCE, "captures", "apple-legacy-demo.pcapng")
DECODE_106 = ["-d", "tcp.port==106,pwserver"]
HEUR_TCP = ["--enable-heuristic", "pwserver_tcp"]  # off by default
HEUR_UDP = ["--enable-heuristic", "pwserver_udp"]

CLIENT, SERVER = "10.0.0.2", "10.0.0.1"
SLOT = b"0x0123456789abcdef0123456789abcdef"
GREETING = b"+OK ApplePasswordServer 10.4.5.0 password server at 0.0.0.0 ready.\r\n"
SASL = b'+OK (SASL "CRAM-MD5" "DIGEST-MD5" "MS-CHAPv2")\r\n'
MODULUS = b"1" * 40 + b"7"
RSA_KEY = b"+OK 2048 65537 " + MODULUS + b" root@pw.example.com\r\n"

WEAK_CRAM = "Weak SASL mechanism CRAM-MD5 chosen for Apple Password Server authentication"
OFFERED = "Server offers weak SASL mechanisms: CRAM-MD5, DIGEST-MD5, MS-CHAPv2"
TRUNCATED = "Truncated line: the data ends before CRLF"
ENCRYPTED = "Non-text data: the session may have switched to encrypted framing (format unknown)"
UDP_UNKNOWN = 'Unknown datagram: only the reply "How was your weekend?;<hex>" is known'

SEP, AGG = "\x1e", "\x1f"


def rows(capture, names, args=(), display_filter=None):
    """-T fields output as lists of values; a field with several occurrences
    becomes a list, one with none an empty list."""
    # The registry plugin's own annotations (and experts) are not what these
    # tests are about: leave it out so they see only pwserver's.
    cmd = ["--disable-protocol", "applelegacy", "-T", "fields", "-E", "separator=" + SEP,
           "-E", "occurrence=a", "-E", "aggregator=" + AGG]
    for name in names:
        cmd += ["-e", name]
    if display_filter:
        cmd += ["-Y", display_filter]
    out = harness.tshark(list(args) + cmd, capture).stdout
    result = []
    for line in out.split("\n"):  # not splitlines(): it also splits at U+001E
        if not line:
            continue
        values = line.split(SEP)
        result.append([[harness.as_in_4_0(x) for x in v.split(AGG)] if v else []
                       for v in values])
    return result


def by_frame(table):
    """{frame number: [values of the other fields]} for rows whose first field
    is frame.number."""
    return {int(r[0][0]): r[1:] for r in table}


class PwserverTest(harness.CaptureTestCase):

    def session(self, exchanges, sport=106, close=True, name="test.pcap"):
        cap = harness.Capture().tcp_session(CLIENT, SERVER, 40001, sport, exchanges, close=close)
        return self.write(cap, name)

    def frames(self, capture, names, args=DECODE_106):
        return by_frame(rows(capture, ["frame.number"] + names, args, display_filter="pwserver"))

    def experts(self, capture, args=DECODE_106):
        """{frame: [expert messages]} for every frame with a pwserver layer."""
        table = self.frames(capture, ["_ws.expert.message"], args)
        return {f: v[0] for f, v in table.items()}


class DemoCapture(PwserverTest):
    """The demo capture's TCP 106 conversation, made by
    captures/demo/password_server_peer.py."""

    def test_frames_and_info(self):
        table = by_frame(rows(DEMO, ["frame.number", "_ws.col.Info"], DECODE_106,
                              display_filter="pwserver"))
        info = {f: v[0][0] for f, v in table.items()}
        self.assertEqual(sorted(info), [129, 131, 133, 134, 135, 136, 137, 138, 139])
        self.assertEqual(info[129], "Response: +OK ApplePasswordServer 10.6.0.0 password server "
                                    "at 127.0.0.15 ready.")
        self.assertEqual(info[131], "Request: LIST RSAPUBLIC")
        self.assertTrue(info[133].startswith(
            'Response: +OK (SASL "CRAM-MD5" "DIGEST-MD5" "MS-CHAPv2") | +OK 1024 65537 '))
        self.assertEqual(info[134],
                         "Request: USER 0x0123456789abcdef0123456789abcdef AUTH CRAM-MD5")
        self.assertEqual(info[137], "Response: +OK")
        self.assertEqual(info[138], "Request: QUIT")
        self.assertEqual(info[139], "Response: +OK")
        # the range the captures README gives: nothing of ours outside it
        all_frames = by_frame(rows(DEMO, ["frame.number"], DECODE_106, display_filter="pwserver"))
        self.assertTrue(all(126 <= f <= 142 for f in all_frames))

    def test_greeting(self):
        t = self.frames(DEMO, ["pwserver.status", "pwserver.greeting", "pwserver.server_version",
                               "pwserver.server_address"])
        self.assertEqual(t[129], [["+OK"],
                                  ["ApplePasswordServer 10.6.0.0 password server at 127.0.0.15 "
                                   "ready."], ["10.6.0.0"], ["127.0.0.15"]])

    def test_mechanisms_and_rsa_key(self):
        t = self.frames(DEMO, ["pwserver.status", "pwserver.sasl_mechanism", "pwserver.rsa.bits",
                               "pwserver.rsa.exponent", "pwserver.rsa.key_name",
                               "pwserver.rsa.modulus"])
        status, mechs, bits, exponent, name, modulus = t[133]
        self.assertEqual(status, ["+OK", "+OK"])
        self.assertEqual(mechs, ["CRAM-MD5", "DIGEST-MD5", "MS-CHAPv2"])
        self.assertEqual((bits, exponent, name),
                         (["1024"], ["65537"], ["root@demo-server.example.com"]))
        self.assertEqual(len(modulus[0]), 309)  # a 1024-bit number in decimal
        self.assertTrue(modulus[0].isdigit())

    def test_user_and_weak_mechanism(self):
        t = self.frames(DEMO, ["pwserver.command", "pwserver.user.slot_id",
                               "pwserver.auth.mechanism", "_ws.expert.message"])
        self.assertEqual(t[134], [["USER"], ["0x0123456789abcdef0123456789abcdef"], ["CRAM-MD5"],
                                  [WEAK_CRAM]])

    def test_experts_of_the_conversation(self):
        experts = self.experts(DEMO)
        self.assertEqual(experts[133], [OFFERED])
        self.assertEqual(experts[134], [WEAK_CRAM])
        for frame in (129, 131, 135, 136, 137, 138, 139):
            self.assertEqual(experts[frame], [], frame)

    def test_sasl_exchange_and_quit(self):
        t = self.frames(DEMO, ["pwserver.command", "pwserver.status", "pwserver.auth.data_decoded"])
        self.assertEqual(t[135][1], ["+AUTHOK"])
        self.assertEqual(bytes.fromhex(t[135][2][0]), b"<1700000000.4242@demo-server.example.com>")
        self.assertEqual(t[136][0], ["AUTH2"])
        self.assertTrue(bytes.fromhex(t[136][2][0]).startswith(SLOT + b" "))
        self.assertEqual(t[137][1], ["+OK"])
        self.assertEqual(t[138][0], ["QUIT"])
        self.assertEqual(t[139][1], ["+OK"])

    def test_request_and_response_sides(self):
        t = self.frames(DEMO, ["pwserver.request", "pwserver.response"])
        for frame in (129, 133, 135, 137, 139):
            self.assertEqual(t[frame][0], [], frame)
            self.assertNotEqual(t[frame][1], [], frame)
        for frame in (131, 134, 136, 138):
            self.assertNotEqual(t[frame][0], [], frame)
            self.assertEqual(t[frame][1], [], frame)


class Framing(PwserverTest):

    def test_lines_split_across_segments(self):
        cap = self.session([(False, GREETING[:10]), (False, GREETING[10:40]),
                            (False, GREETING[40:]), (True, b"LIST RSA"),
                            (True, b"PUBLIC\r"), (True, b"\nQUIT\r\n")])
        t = self.frames(cap, ["pwserver.request", "pwserver.response",
                              "pwserver.server_version", "_ws.expert.message"])
        # handshake 1-3, data 4-9: each line is decoded once, where it ends
        self.assertEqual(sorted(t), [6, 9])
        self.assertEqual(t[6], [[], [GREETING[:-2].decode()], ["10.4.5.0"], []])
        self.assertEqual(t[9], [["LIST RSAPUBLIC", "QUIT"], [], [], []])
        info = by_frame(rows(cap, ["frame.number", "_ws.col.Info"], DECODE_106))
        self.assertEqual(info[9][0], ["Request: LIST RSAPUBLIC | QUIT"])

    def test_two_lines_in_one_segment(self):
        cap = self.session([(False, GREETING), (True, b"LIST RSAPUBLIC\r\n"),
                            (False, SASL + RSA_KEY)])
        t = self.frames(cap, ["pwserver.response", "pwserver.status", "pwserver.sasl_mechanism",
                              "pwserver.rsa.bits", "pwserver.rsa.exponent",
                              "pwserver.rsa.modulus", "pwserver.rsa.key_name"])
        self.assertEqual(t[6], [[SASL[:-2].decode(), RSA_KEY[:-2].decode()], ["+OK", "+OK"],
                                ["CRAM-MD5", "DIGEST-MD5", "MS-CHAPv2"], ["2048"], ["65537"],
                                [MODULUS.decode()], ["root@pw.example.com"]])

    def test_truncated_line_closed_by_fin(self):
        """The peer closed the connection in the middle of a line: the FIN
        rides on the last data segment."""
        cap = harness.Capture().tcp_session(CLIENT, SERVER, 40001, 106, [(False, GREETING)],
                                            close=False)
        cap.add(harness.frame(CLIENT, SERVER, 40001, 106, b"USER 0x0123",
                              flags=harness.FIN | harness.PSH | harness.ACK, seq=1001,
                              ack=5001 + len(GREETING)))
        path = self.write(cap)
        t = self.frames(path, ["pwserver.request", "pwserver.command", "pwserver.parameter",
                               "_ws.expert.message"])
        tcp_experts = ["Connection finish (FIN)", "This frame initiates the connection closing"]
        self.assertEqual(t[5], [["USER 0x0123"], ["USER"], ["0x0123"], tcp_experts + [TRUNCATED]])

    def test_truncated_line_without_reassembly(self):
        """At the end of a capture with no FIN, TCP waits for the rest of the
        line; with line reassembly off the partial line is shown at once."""
        path = self.session([(False, GREETING), (True, b"USER " + SLOT + b" AU")],
                            close=False)
        t = self.frames(path, ["pwserver.request", "pwserver.user.slot_id",
                               "_ws.expert.message"],
                        DECODE_106 + ["-o", "pwserver.desegment:FALSE"])
        self.assertEqual(t[5], [["USER " + SLOT.decode() + " AU"], [], [TRUNCATED]])
        # by default the incomplete line is held by TCP reassembly: not shown
        self.assertNotIn(5, self.frames(path, ["pwserver.request"]))

    def test_overlong_line_is_not_reassembled_forever(self):
        line = b"+OK " + b"A" * 39996
        cap = self.session([(False, line[:20000]), (False, line[20000:]), (False, b"\r\n+OK\r\n")])
        t = self.frames(cap, ["pwserver.status", "_ws.expert.message"])
        self.assertEqual(sorted(t), [5, 6])
        self.assertEqual(t[5], [["+OK"], ["Line longer than 32768 bytes without CRLF: not "
                                          "reassembled further"]])
        self.assertEqual(t[6], [["+OK"], []])  # the empty rest of the long line, then +OK

    def test_truncated_by_snap_length(self):
        """A frame cut by the capture's snap length ends the line early."""
        cap = harness.Capture().tcp_session(CLIENT, SERVER, 40001, 106, [(False, GREETING)],
                                            close=False)
        path = self.path("snap.pcap")
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i, data in enumerate(cap.frames):
                kept = data[:54 + 30] if i == len(cap.frames) - 1 else data
                f.write(struct.pack("<IIII", harness.BASE_TIME, i, len(kept), len(data)))
                f.write(kept)
        t = self.frames(path, ["pwserver.response", "pwserver.server_version",
                               "_ws.expert.message"])
        self.assertEqual(t[4], [[GREETING[:30].decode()], ["10.4.5"], [TRUNCATED]])

    def test_binary_data_once_per_conversation(self):
        rnd = random.Random(106)
        blob1 = bytes([0x00, 0x8f]) + bytes(rnd.randrange(256) for _ in range(62))
        blob2 = bytes([0x17, 0x03]) + bytes(rnd.randrange(256) for _ in range(30))
        cap = self.session([(False, GREETING), (True, b"QUIT\r\n"), (False, blob1),
                            (True, blob2), (True, b"QUIT\r\n")])
        t = self.frames(cap, ["pwserver.encrypted", "_ws.col.Info", "_ws.expert.message"])
        self.assertEqual(t[6], [[blob1.hex()], ["Response: Non-text data, 64 bytes"], [ENCRYPTED]])
        self.assertEqual(t[7], [[blob2.hex()], ["Request: Non-text data, 32 bytes"], []])
        # text still decodes as text afterwards
        self.assertEqual(t[8][1], ["Request: QUIT"])

    def test_text_line_then_binary_in_one_segment(self):
        cap = self.session([(False, GREETING + b"+OK\r\n\x01\x02\x03\xff")])
        t = self.frames(cap, ["pwserver.response", "pwserver.encrypted", "_ws.expert.message"])
        self.assertEqual(t[4], [[GREETING[:-2].decode(), "+OK"], ["010203ff"], [ENCRYPTED]])

    def test_corrupted_demo_conversation(self):
        """The demo's TCP 106 payloads with random bytes changed and segments
        cut short: tshark finishes cleanly and nothing is malformed."""
        demo = rows(DEMO, ["tcp.srcport", "tcp.payload"],
                    display_filter="tcp.port==106 && tcp.len>0")
        payloads = [(r[0][0] != "106", bytes.fromhex(r[1][0])) for r in demo]
        self.assertEqual(len(payloads), 9)
        cap = harness.Capture()
        for seed in range(1, 17):  # one conversation per seed
            rnd = random.Random(seed)
            exchanges = []
            for from_client, data in payloads:
                data = bytearray(data)
                for i in range(len(data)):
                    if rnd.random() < 0.05:
                        data[i] = rnd.randrange(256)
                if rnd.random() < 0.3:
                    data = data[:rnd.randrange(len(data) + 1)]
                if data:
                    exchanges.append((from_client, bytes(data)))
            cap.tcp_session(CLIENT, SERVER, 41000 + seed, 106, exchanges)
        path = self.write(cap)
        for extra in ([], ["-o", "pwserver.desegment:FALSE"]):
            proc = harness.tshark(DECODE_106 + extra + ["-V"], path)
            self.assertEqual(proc.returncode, 0)
            self.assertIn("Apple Password Server", proc.stdout)
            self.assertNotIn("Malformed Packet", proc.stdout)
            self.assertNotIn("Dissector bug", proc.stdout)


class Lines(PwserverTest):

    def test_err_lines(self):
        cap = self.session([(False, GREETING), (True, b"AUTH2 0A0B\r\n"),
                            (False, b"-ERR SASL authentication failed\r\n"),
                            (True, b"QUIT\r\n"), (False, b"-ERR\r\n")])
        t = self.frames(cap, ["pwserver.status", "pwserver.error", "pwserver.error.sasl",
                              "_ws.expert.message"])
        self.assertEqual(t[6], [["-ERR"], ["SASL authentication failed"], ["1"],
                                ["Server error: SASL authentication failed"]])
        self.assertEqual(t[8], [["-ERR"], [], ["0"], ["Server error: (no text)"]])

    def test_rsapublic_and_rsavalidate(self):
        cap = self.session([(False, GREETING), (True, b"RSAPUBLIC\r\n"), (False, RSA_KEY),
                            (True, b"RSAVALIDATE {16}QUJDREVGR0hJSktMTU5PUA==\r\n"),
                            (False, b"+OK {16}UFFSU1RVVldYWVphYmNkZQ==\r\n")])
        t = self.frames(cap, ["pwserver.command", "pwserver.rsa.bits",
                              "pwserver.rsavalidate.length",
                              "pwserver.rsavalidate.data", "_ws.expert.message"])
        self.assertEqual(t[5], [["RSAPUBLIC"], [], [], [], []])
        self.assertEqual(t[6], [[], ["2048"], [], [], []])
        self.assertEqual(t[7], [["RSAVALIDATE"], [], ["16"], ["QUJDREVGR0hJSktMTU5PUA=="], []])
        self.assertEqual(t[8], [[], [], ["16"], ["UFFSU1RVVldYWVphYmNkZQ=="], []])

    def test_user_with_data_and_strong_mechanism(self):
        cap = self.session([(True, b"USER " + SLOT + b" AUTH GSSAPI 60820123\r\n"),
                            (False, b"+AUTHOK 0A0B\r\n")])
        t = self.frames(cap, ["pwserver.user.slot_id", "pwserver.auth.mechanism",
                              "pwserver.auth.data", "pwserver.auth.data_decoded",
                              "_ws.expert.message"])
        self.assertEqual(t[4], [[SLOT.decode()], ["GSSAPI"], ["60820123"], ["60820123"], []])
        self.assertEqual(t[5], [[], [], ["0A0B"], ["0a0b"], []])

    def test_weak_mechanism_preference(self):
        cap = self.session([(True, b"USER " + SLOT + b" AUTH GSSAPI\r\n"),
                            (True, b"USER " + SLOT + b" AUTH cram-md5\r\n"),
                            (False, SASL)])
        experts = self.experts(cap, DECODE_106 + ["-o", "pwserver.weak_mechanisms: gssapi ,PLAIN"])
        self.assertEqual(experts[4], ["Weak SASL mechanism GSSAPI chosen for Apple Password "
                                      "Server authentication"])
        self.assertEqual(experts[5], [])
        self.assertEqual(experts[6], [])  # none of the offered ones is weak now
        default = self.experts(cap)
        self.assertEqual(default[4], [])
        self.assertEqual(default[5], ["Weak SASL mechanism cram-md5 chosen for Apple Password "
                                      "Server authentication"])

    def test_weak_offered_once_per_conversation(self):
        cap = self.session([(False, GREETING), (True, b"LIST RSAPUBLIC\r\n"), (False, SASL),
                            (True, b"LIST RSAPUBLIC\r\n"), (False, SASL)])
        experts = self.experts(cap)
        self.assertEqual(experts[6], [OFFERED])
        self.assertEqual(experts[8], [])

    def test_getpptpkeys(self):
        cap = self.session([(True, b"GETPPTPKEYS " + SLOT + b" 0A1B2C 16\r\n"),
                            (True, b"GETPPTPKEYS x\r\n")])
        t = self.frames(cap, ["pwserver.getpptpkeys.id", "pwserver.getpptpkeys.data",
                              "pwserver.getpptpkeys.length", "pwserver.parameter",
                              "_ws.expert.message"])
        self.assertEqual(t[4], [[SLOT.decode()], ["0A1B2C"], ["16"], [], []])
        self.assertEqual(t[5], [[], [], [], ["x"],
                                ["Malformed GETPPTPKEYS line: expected GETPPTPKEYS <id> <hex> "
                                 "<length>"]])

    def test_unknown_and_malformed_lines(self):
        cap = self.session([(False, GREETING), (True, b"NOOP now\r\n"),
                            (True, b"AUTH2 xyz\r\n"), (True, b"USER alice AUTH PLAIN\r\n"),
                            (False, b"* what\r\n"),
                            (False, b"+OK ApplePasswordServer 10.4 hello\r\n")])
        t = self.frames(cap, ["pwserver.command", "pwserver.parameter", "_ws.expert.message"])
        self.assertEqual(t[5], [["NOOP"], ["now"], ["Unknown command: NOOP"]])
        self.assertEqual(t[6], [["AUTH2"], [], ["Malformed AUTH2 line: expected AUTH2 <hex>"]])
        self.assertEqual(t[7], [["USER"], [], [
            "Slot ID is not 0x followed by 32 hex digits",
            "Weak SASL mechanism PLAIN chosen for Apple Password Server authentication"]])
        self.assertEqual(t[8], [[], [], ["Server line without a +OK, -ERR or +AUTHOK status"]])
        self.assertEqual(t[9], [[], [], [
            "Malformed greeting: expected +OK ApplePasswordServer <version> password server at "
            "<address> ready."]])

    def test_direction_from_first_client_line(self):
        """No greeting captured: the first line is a command, so its sender is
        the client, whatever the ports."""
        cap = harness.Capture().tcp_session(CLIENT, SERVER, 106, 50000,
                                            [(True, b"RSAPUBLIC\r\n"), (False, RSA_KEY),
                                             (False, b"* what\r\n"), (True, b"+x\r\n")])
        path = self.write(cap)
        t = self.frames(path, ["pwserver.request", "pwserver.response", "_ws.expert.message"])
        self.assertEqual(t[4], [["RSAPUBLIC"], [], []])
        self.assertEqual(t[5], [[], [RSA_KEY[:-2].decode()], []])
        # lines that do not tell their side by themselves: the conversation does
        self.assertEqual(t[6], [[], ["* what"], ["Server line without a +OK, -ERR or +AUTHOK "
                                                 "status"]])
        self.assertEqual(t[7], [["+x"], [], ["Unknown command: +x"]])


class Heuristics(PwserverTest):

    def test_heuristic_on_other_port(self):
        cap = self.session([(False, GREETING), (True, b"QUIT\r\n"), (False, b"+OK\r\n")],
                           sport=45678)
        t = self.frames(cap, ["pwserver.server_version", "pwserver.command", "pwserver.status"],
                        args=HEUR_TCP)
        self.assertEqual(t[4], [["10.4.5.0"], [], ["+OK"]])
        self.assertEqual(t[5], [[], ["QUIT"], []])  # the conversation is pinned
        self.assertEqual(t[6], [[], [], ["+OK"]])

    def test_heuristic_on_client_line(self):
        cap = self.session([(True, b"USER " + SLOT + b" AUTH DIGEST-MD5\r\n")], sport=45678)
        t = self.frames(cap, ["pwserver.auth.mechanism"], args=HEUR_TCP)
        self.assertEqual(t[4], [["DIGEST-MD5"]])

    def test_heuristic_off_by_default(self):
        cap = self.session([(False, GREETING), (True, b"LIST RSAPUBLIC\r\n")], sport=45678)
        self.assertEqual(self.frames(cap, ["pwserver.status"], args=()), {})
        t = self.frames(cap, ["pwserver.status"], args=["--disable-heuristic", "pwserver_tcp"])
        self.assertEqual(t, {})

    def test_heuristic_ignores_other_traffic(self):
        tls = bytes.fromhex("160301003a0100003603035a") + bytes(46)
        http = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        pop = b"+OK POP3 server ready\r\n"
        noise = bytes(random.Random(7).randrange(256) for _ in range(200))
        for i, payload in enumerate((tls, http, pop, noise, b"QUIT\r\n")):
            cap = self.session([(True, payload)], sport=45678, name="o%d.pcap" % i)
            protocols = rows(cap, ["frame.protocols"], HEUR_TCP)
            self.assertFalse(any("pwserver" in r[0][0] for r in protocols if r[0]), payload)

    def test_decode_as_tcp_3659(self):
        cap = self.session([(False, GREETING), (True, b"LIST RSAPUBLIC\r\n")], sport=3659)
        args = ["--disable-heuristic", "pwserver_tcp", "-d", "tcp.port==3659,pwserver"]
        t = self.frames(cap, ["pwserver.server_version", "pwserver.command"], args)
        self.assertEqual(t, {4: [["10.4.5.0"], []], 5: [[], ["LIST"]]})


class Udp(PwserverTest):

    REPLY = b"How was your weekend?;0A1B2C3D\0"
    RPC_PROBE = bytes.fromhex("72fe1d130000000000000002000186a00001977c0000000000000000"
                              "0000000000000000")

    def udp(self, payloads, sport=3659, name="udp.pcap"):
        cap = harness.Capture()
        for to_server, payload in payloads:
            if to_server:
                cap.udp(CLIENT, SERVER, 40002, sport, payload)
            else:
                cap.udp(SERVER, CLIENT, sport, 40002, payload)
        return self.write(cap, name)

    def test_reply_by_decode_as(self):
        path = self.udp([(True, self.RPC_PROBE), (False, self.REPLY)])
        args = ["--disable-heuristic", "pwserver_udp", "-d", "udp.port==3659,pwserver"]
        t = by_frame(rows(path, ["frame.number", "pwserver.udp.reply", "pwserver.udp.hex",
                                 "pwserver.udp.unknown", "_ws.col.Info", "_ws.expert.message"],
                          args))
        self.assertEqual(t[1], [[], [], [self.RPC_PROBE.hex()], ["Unknown data, 36 bytes"],
                                [UDP_UNKNOWN]])
        self.assertEqual(t[2], [["How was your weekend?;0A1B2C3D"], ["0A1B2C3D"], [],
                                ["Reply: How was your weekend?;0A1B2C3D"], []])

    def test_reply_without_nul(self):
        path = self.udp([(False, b"How was your weekend?;0A1B")])
        t = by_frame(rows(path, ["frame.number", "pwserver.udp.hex", "_ws.expert.message"],
                          ["-d", "udp.port==3659,pwserver"]))
        self.assertEqual(t[1], [["0A1B"], ["Malformed UDP reply: expected a NUL after the hex "
                                           "digits"]])

    def test_udp_heuristic(self):
        path = self.udp([(False, self.REPLY), (True, self.RPC_PROBE)], sport=50505)
        t = by_frame(rows(path, ["frame.number", "pwserver.udp.hex", "pwserver.udp.unknown"],
                          HEUR_UDP))
        self.assertEqual(t[1], [["0A1B2C3D"], []])
        self.assertEqual(t[2], [[], [self.RPC_PROBE.hex()]])  # pinned conversation
        for off in ([], ["--disable-heuristic", "pwserver_udp"]):  # off by default
            self.assertEqual(by_frame(rows(path, ["frame.number", "pwserver.udp.hex"], off))[1],
                             [[]])

    def test_udp_heuristic_ignores_other_datagrams(self):
        path = self.udp([(True, self.RPC_PROBE), (True, b"How was your weekend?;XYZ\0")],
                        sport=50505)
        protocols = rows(path, ["frame.protocols"], HEUR_UDP)
        self.assertFalse(any("pwserver" in r[0][0] for r in protocols))


if __name__ == "__main__":
    unittest.main()
