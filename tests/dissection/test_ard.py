"""Dissection tests of the ard plugin (Apple Remote Desktop / Net Assistant,
UDP 3283): messages built from the layouts in apple-protocols.md section 4,
the demo capture's frames 114-115, the heuristic, Decode As, truncated and
corrupted payloads, and the reflection/amplification analysis."""
import os
import random
import struct
import unittest

import harness

RESPONDER = "127.0.0.17"
CLIENT = "127.0.0.28"
DEMO = os.path.join(harness.SOURCE, "captures", "apple-legacy-demo.pcapng")

NMAP_PROBE = bytes.fromhex("0014000103")
AMP_PROBE = bytes.fromhex("00140000")
ARMS_SCAN = bytes.fromhex("0000")


def message(code, data):
    return struct.pack("!HH", code, len(data)) + data


def pstring(text, size):
    raw = text.encode("ascii")
    return (bytes([len(raw)]) + raw).ljust(size, b"\0")


def answer(total=1006, status=0x000D, app="Safari", user="jdoe", name="lab-mac-07",
           ipv4="192.0.2.45", mac="00:11:22:33:44:55", uname="Lab M\u00e4c 07", marker=0x31):
    """An ANSWER_GET_INFO of `total` payload bytes with made-up values at the
    offsets of apple-protocols.md 4a."""
    b = bytearray(max(total, 0x168))
    b[0:4] = struct.pack("!HH", 0x0001, total - 4)
    b[4:6] = bytes([0x00, marker])
    b[0x10] = 0xAB  # an unknown byte, to see it kept as unknown
    b[0x28:0x2A] = struct.pack("!H", status)
    b[0x2C:0x5C] = pstring(app, 48)
    b[0x5E:0x7E] = pstring(user, 32)
    b[0x7E:0x9E] = pstring(name, 32)
    b[0xCA:0xCE] = bytes(int(x) for x in ipv4.split("."))
    b[0xDC:0xE2] = bytes(int(x, 16) for x in mac.split(":"))
    utf16 = uname.encode("utf-16-be")
    b[0xE6:0xE8] = struct.pack("!H", len(uname))
    b[0xE8:0xE8 + len(utf16)] = utf16
    return bytes(b[:total])


class ArdTestCase(harness.CaptureTestCase):
    def run_fields(self, capture, names, args=(), display_filter="ard", two_pass=False):
        """Rows of tab-separated fields; several occurrences joined with '#'."""
        opts = ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=#"]
        for name in names:
            opts += ["-e", name]
        if display_filter:
            opts += ["-Y", display_filter]
        opts += list(args)
        if two_pass:
            # -2 needs a file it can seek in: the test folder is readable by all.
            os.chmod(capture, 0o644)
            proc = harness.tshark(["-2", "-r", capture] + opts)
        else:
            proc = harness.tshark(opts, capture)
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn("dissector bug", proc.stdout + proc.stderr)
        return [[harness.as_in_4_0(cell, "#") for cell in line.split("\t")]
                for line in proc.stdout.splitlines()]

    def udp(self, *datagrams, sport=41283, dport=3283, src=CLIENT, dst=RESPONDER):
        """Capture of datagrams; each item is a payload (client -> responder)
        or ('r', payload) for responder -> client."""
        cap = harness.Capture()
        for d in datagrams:
            if isinstance(d, tuple):
                cap.udp(dst, src, dport, sport, d[1])
            else:
                cap.udp(src, dst, sport, dport, d)
        return self.write(cap)


DECODE_AS = ("-d", "udp.port==3283,ard")
HEUR = ("--enable-heuristic", "ard_udp")  # off by default


class DemoCaptureTest(ArdTestCase):
    """Frames 114-115 of captures/apple-legacy-demo.pcapng: nmap's probe and
    demo/ard_responder.py's 1006-byte answer."""

    def setUp(self):
        super().setUp()
        if not os.path.exists(DEMO):
            self.skipTest("demo capture missing")

    def test_probe_frame(self):
        rows = self.run_fields(DEMO, ["frame.number", "ard.code", "ard.length",
                                      "ard.get_info.request", "ard.probe", "ard.response",
                                      "ard.request_bytes", "ard.response_bytes",
                                      "_ws.col.Info", "_ws.expert.message"],
                               args=DECODE_AS, display_filter="frame.number==114")
        self.assertEqual(rows, [["114", "0x0014", "1", "0x03", "1", "0", "5", "0",
                                 "GET_INFO (nmap probe)", ""]])

    def test_answer_frame(self):
        rows = self.run_fields(DEMO, ["frame.number", "ard.code", "ard.length",
                                      "ard.info.unknown_0x04", "ard.info.status",
                                      "ard.info.focused_app", "ard.info.user",
                                      "ard.info.computer_name", "ard.info.ipv4", "ard.info.mac",
                                      "ard.info.name_utf16_count", "ard.info.name_utf16"],
                               args=DECODE_AS, display_filter="frame.number==115")
        self.assertEqual(rows, [["115", "0x0001", "1002", "0x0031", "2", "Finder", "analyst",
                                 "demo-imac", "127.0.0.17", "f0:18:98:a1:b2:c3", "9",
                                 "demo-imac"]])

    def test_answer_amplification(self):
        rows = self.run_fields(DEMO, ["frame.number", "ard.response", "ard.request_bytes",
                                      "ard.response_bytes", "ard.amplification_ratio",
                                      "_ws.col.Info", "_ws.expert.message"],
                               args=DECODE_AS, display_filter="frame.number==115")
        self.assertEqual(rows, [[
            "115", "1", "5", "1006", "201.2",
            'ANSWER_GET_INFO "demo-imac", user "analyst", status Available',
            "ARD reflection/amplification: 127.0.0.17 sent 1006 bytes for 5 received "
            "(ratio 201.2)"]])

    def test_heuristic_finds_demo_frames(self):
        rows = self.run_fields(DEMO, ["frame.number", "ard.code"])
        self.assertEqual(rows, [["114", "0x0014"], ["115", "0x0001"]])

    def test_nothing_else_in_demo_is_ard(self):
        rows = self.run_fields(DEMO, ["frame.number"], args=DECODE_AS,
                               display_filter="ard && !(udp.port==3283)")
        self.assertEqual(rows, [])

    def test_expert_raised_once_in_two_passes(self):
        rows = self.run_fields(DEMO, ["frame.number", "ard.request_bytes", "ard.response_bytes",
                                      "_ws.expert.message"],
                               args=DECODE_AS, two_pass=True)
        # The second pass shows the conversation's totals, and the expert's
        # values as they were when it was raised.
        self.assertEqual(rows, [
            ["114", "5", "1006", ""],
            ["115", "5", "1006", "ARD reflection/amplification: 127.0.0.17 sent 1006 bytes "
                                 "for 5 received (ratio 201.2)"]])


class AnswerTest(ArdTestCase):
    def test_built_1002_byte_answer(self):
        cap = self.udp(NMAP_PROBE, ("r", answer()))
        rows = self.run_fields(cap, ["ard.code", "ard.length", "ard.info.unknown_0x04",
                                     "ard.info.status", "ard.info.focused_app", "ard.info.user",
                                     "ard.info.computer_name", "ard.info.ipv4", "ard.info.mac",
                                     "ard.info.name_utf16_count", "ard.info.name_utf16",
                                     "_ws.col.Info"],
                               display_filter="ard.code==1")
        self.assertEqual(rows, [["0x0001", "1002", "0x0031", "13", "Safari", "jdoe",
                                 "lab-mac-07", "192.0.2.45", "00:11:22:33:44:55", "10",
                                 "Lab M\u00e4c 07",
                                 'ANSWER_GET_INFO "lab-mac-07", user "jdoe", status Locked']])

    def test_unknown_ranges_kept(self):
        cap = self.udp(("r", answer(status=0x001A)))
        rows = self.run_fields(cap, ["ard.info.unknown", "ard.info.status"], args=DECODE_AS)
        unknown = rows[0][0].split("#")
        # 0x06-0x27, 0x2A-0x2B, 0x5C-0x5D, 0x9E-0xC9, 0xCE-0xDB, 0xE2-0xE5, 0x168-end
        self.assertEqual([len(u) // 2 for u in unknown], [34, 2, 2, 44, 14, 4, 1006 - 0x168])
        self.assertEqual(unknown[0][20:22], "ab")
        self.assertEqual(rows[0][1], "26")

    def test_status_unknown_value(self):
        cap = self.udp(("r", answer(status=0x0007)))
        rows = self.run_fields(cap, ["ard.info.status", "_ws.col.Info"], args=DECODE_AS)
        self.assertEqual(rows, [["7", 'ANSWER_GET_INFO "lab-mac-07", user "jdoe", status unknown']])

    def test_356_byte_answer_with_ardclient_marker(self):
        cap = self.udp(AMP_PROBE, ("r", answer(total=360, marker=0x30)))
        rows = self.run_fields(cap, ["ard.length", "ard.info.unknown_0x04", "ard.info.name_utf16",
                                     "ard.info.unknown", "_ws.expert.message"],
                               display_filter="ard.code==1")
        self.assertEqual(rows[0][0:3], ["356", "0x0030", "Lab M\u00e4c 07"])
        self.assertEqual(len(rows[0][3].split("#")), 6)  # nothing after 0x168
        self.assertEqual(rows[0][4], "ARD reflection/amplification: 127.0.0.17 sent 360 bytes "
                                     "for 4 received (ratio 90.0)")

    def test_pascal_string_too_long(self):
        data = bytearray(answer())
        data[0x5E] = 40  # user field is 32 bytes
        data[0x5F:0x7E] = b"u" * 31
        cap = self.udp(NMAP_PROBE, ("r", bytes(data)))
        rows = self.run_fields(cap, ["ard.info.user", "_ws.expert.message"],
                               display_filter="ard.code==1",
                               args=("-o", "ard.amplification_threshold:0"))
        self.assertEqual(rows, [["u" * 31, "Pascal string length 40 exceeds its 32-byte field"]])

    def test_utf16_count_too_large(self):
        data = bytearray(answer())
        data[0xE6:0xE8] = struct.pack("!H", 200)
        cap = self.udp(NMAP_PROBE, ("r", bytes(data)))
        rows = self.run_fields(cap, ["ard.info.name_utf16_count", "_ws.expert.message"],
                               display_filter="ard.code==1",
                               args=("-o", "ard.amplification_threshold:0"))
        self.assertEqual(rows, [["200", "UTF-16 name count 200 exceeds its 128-byte field"]])


PROBE_NOTE = ("Probe of Apple ports: 127.0.0.28 sent to 127.0.0.17 UDP 3283 (Net Assistant), "
              "no answer; every port it probed there is in the report's probe findings")


class TruncatedTest(ArdTestCase):
    def test_answer_cut_at_0x60(self):
        cut = answer()[:0x60]
        cap = self.udp(("r", cut))
        rows = self.run_fields(cap, ["ard.length", "ard.info.status", "ard.info.focused_app",
                                     "ard.info.user", "_ws.expert.message", "_ws.col.Info"],
                               args=DECODE_AS + ("-o", "ard.amplification_threshold:0"),
                               display_filter=None)
        self.assertEqual(rows, [[
            "1002", "13", "Safari", "",
            "Length field says 1002 data bytes, the datagram has 92 after the header#"
            "Truncated ANSWER_GET_INFO: 96 of 360 bytes, fields from user (0x5E) on are missing#"
            "ARD reflection/amplification: 127.0.0.17 sent 96 bytes for 0 received "
            "(unsolicited response to 127.0.0.28, no request seen; ARMS attack signature "
            "00 01 03 ea 00 31 from port 3283)",
            'ANSWER_GET_INFO, status Locked']])

    def test_answer_cut_in_every_field(self):
        full = answer()
        expected = [(0x05, "unknown 0x04 (0x04)"), (0x29, "status (0x28)"),
                    (0x5B, "focused application (0x2C)"), (0x7D, "user (0x5E)"),
                    (0x9D, "computer name (0x7E)"), (0xCD, "IPv4 address (0xCA)"),
                    (0xE1, "MAC address (0xDC)"), (0x167, "UTF-16 computer name (0xE6)")]
        cap = harness.Capture()
        for n, _ in expected:
            # consistent length fields, so only the truncation is reported
            cap.udp(RESPONDER, CLIENT, 3283, 41283, struct.pack("!HH", 1, n - 4) + full[4:n])
        rows = self.run_fields(self.write(cap), ["_ws.expert.message"],
                               args=DECODE_AS + ("-o", "ard.amplification_threshold:0"))
        got = [r[0].split("#")[0] for r in rows]
        want = ["Truncated ANSWER_GET_INFO: %d of 360 bytes, fields from %s on are missing"
                % (n, f) for n, f in expected]
        self.assertEqual(got, want)

    def test_short_datagrams(self):
        # UDP hands no empty payload to a subdissector: the last row is UDP's.
        cap = self.udp(b"\x00", b"\x00\x01\x03", b"")
        rows = self.run_fields(cap, ["udp.length", "ard.data", "_ws.expert.message",
                                     "_ws.col.Info"],
                               args=DECODE_AS, display_filter=None)
        self.assertEqual(rows, [
            ["9", "00", "Truncated: 1-byte datagram, shorter than the 4-byte ARD header",
             "Truncated header"],
            ["11", "000103", "Truncated: 3-byte datagram, shorter than the 4-byte ARD header#"
             + PROBE_NOTE, "Truncated header"],
            ["8", "", "", "41283 \u2192 3283 Len=0"]])

    def test_length_field_too_small_leaves_trailer(self):
        cap = self.udp(bytes.fromhex("00770001aabbcc"))
        rows = self.run_fields(cap, ["ard.code", "ard.length", "ard.data", "ard.trailer",
                                     "_ws.expert.message"], args=DECODE_AS)
        self.assertEqual(rows, [["0x0077", "1", "aa", "bbcc",
                                 "Length field says 1 data bytes, the datagram has 3 after the "
                                 "header"]])

    def test_ack_too_short(self):
        cap = self.udp(bytes.fromhex("0000000114"))
        rows = self.run_fields(cap, ["ard.ack.code", "ard.data", "_ws.expert.message"],
                               args=DECODE_AS)
        self.assertEqual(rows, [["", "14", "Truncated ACK: 1 data bytes, its structure needs "
                                           "at least 2"]])

    def test_garbage_never_breaks_tshark(self):
        rnd = random.Random(3283)
        cap = harness.Capture()
        base = answer()
        for i in range(300):
            n = rnd.randrange(0, 1100)
            if i % 3 == 0:
                payload = bytes(rnd.randrange(256) for _ in range(n))
            elif i % 3 == 1:
                payload = bytearray(base[:n])
                for _ in range(8):
                    if payload:
                        payload[rnd.randrange(len(payload))] = rnd.randrange(256)
                payload = bytes(payload)
            else:
                code = rnd.choice([0, 1, 0x14, 0x3D, 0x5F, 0x6B, 0x6C, 0x6D, 0x76, 0x77, 0x7D00])
                payload = struct.pack("!HH", code, rnd.randrange(0, 0x10000)) + bytes(
                    rnd.randrange(256) for _ in range(rnd.randrange(0, 80)))
            src = "127.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
            if rnd.random() < 0.5:
                cap.udp(src, RESPONDER, 40000 + i, 3283, payload)
            else:
                cap.udp(RESPONDER, src, 3283, 40000 + i, payload)
        path = self.write(cap)
        proc = harness.tshark(["-V"] + list(DECODE_AS), path)
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn("Dissector bug", proc.stdout)
        self.assertNotIn("Malformed Packet", proc.stdout)
        self.assertEqual(proc.stdout.count("Apple Remote Desktop (Net Assistant)"), 300)


class MessageTest(ArdTestCase):
    def test_other_codes(self):
        send_cmd = message(0x006B, struct.pack("!I", 0xDEADBEEF) + bytes(41) + b"\x05uname")
        cap = self.udp(message(0x0077, b""), ("r", message(0x0076, b"\x01\x02")),
                       message(0x003D, struct.pack("!I", 2)),
                       ("r", message(0x0000, b"\x00\x3d")),
                       send_cmd, ("r", message(0x005F, b"hello")),
                       ("r", message(0x006C, b"")), message(0x006D, b""),
                       message(0x7D01, bytes(64)), message(0x7D00, bytes(64)),
                       message(0x4242, b"\x01"))
        rows = self.run_fields(cap, ["ard.code", "ard.ack.code", "ard.shutdown.action",
                                     "ard.send_cmd.unknown_u32", "ard.send_cmd.command",
                                     "ard.data", "_ws.col.Info"], args=DECODE_AS)
        self.assertEqual(rows, [
            ["0x0077", "", "", "", "", "", "PING"],
            ["0x0076", "", "", "", "", "0102", "PING_REPLY"],
            ["0x003d", "", "2", "", "", "", "SHUTDOWN/RESTART action 2"],
            ["0x0000", "0x003d", "", "", "", "", "ACK of SHUTDOWN/RESTART"],
            ["0x006b", "", "", "0xdeadbeef", "uname", "", "SEND_CMD"],
            ["0x005f", "", "", "", "", "68656c6c6f", "CMD_RESULTS"],
            ["0x006c", "", "", "", "", "", "CMD_RESULTS_2"],
            ["0x006d", "", "", "", "", "", "CANCEL_CMD"],
            ["0x7d01", "", "", "", "", "00" * 64, "ADD_COMPUTER (step 1)"],
            ["0x7d00", "", "", "", "", "00" * 64, "ADD_COMPUTER (step 2)"],
            ["0x4242", "", "", "", "", "01", "Unknown code 0x4242"]])

    def test_probes(self):
        cap = self.udp(NMAP_PROBE, AMP_PROBE, ARMS_SCAN, sport=50123)
        rows = self.run_fields(cap, ["ard.probe", "ard.code", "ard.length",
                                     "ard.get_info.request", "ard.data", "_ws.col.Info",
                                     "_ws.expert.message"])
        self.assertEqual(rows, [
            ["1", "0x0014", "1", "0x03", "", "GET_INFO (nmap probe)", ""],
            # the second probe without an answer: the registry's probe finding
            ["2", "0x0014", "0", "", "", "GET_INFO (AMP-Research probe)", PROBE_NOTE],
            ["3", "", "", "", "0000", "ARMS reflector scan (00 00)", ""]])

    def test_get_info_probe_4_byte_then_answer(self):
        cap = self.udp(AMP_PROBE, ("r", answer()))
        rows = self.run_fields(cap, ["ard.request_bytes", "ard.response_bytes",
                                     "ard.amplification_ratio", "_ws.expert.message"])
        self.assertEqual(rows, [
            ["4", "0", "", ""],
            ["4", "1006", "251.5", "ARD reflection/amplification: 127.0.0.17 sent 1006 bytes "
                                   "for 4 received (ratio 251.5)"]])

    def test_arms_scan_then_answer(self):
        cap = self.udp(ARMS_SCAN, ("r", answer()))
        rows = self.run_fields(cap, ["ard.response", "ard.amplification_ratio",
                                     "_ws.expert.message"])
        self.assertEqual(rows, [
            ["0", "", ""],
            ["1", "503", "ARD reflection/amplification: 127.0.0.17 sent 1006 bytes for 2 "
                         "received (ratio 503.0)"]])


class AmplificationTest(ArdTestCase):
    def test_unsolicited_response_reflection_victim(self):
        victim = "198.51.100.7"
        cap = harness.Capture()
        cap.udp(RESPONDER, victim, 3283, 41999, answer())
        cap.udp(RESPONDER, victim, 3283, 41999, answer())
        rows = self.run_fields(self.write(cap), ["ard.response", "ard.request_bytes",
                                                 "ard.response_bytes", "ard.amplification_ratio",
                                                 "_ws.expert.message"], args=DECODE_AS)
        self.assertEqual(rows, [
            ["1", "0", "1006", "",
             "ARD reflection/amplification: 127.0.0.17 sent 1006 bytes for 0 received "
             "(unsolicited response to 198.51.100.7, no request seen; ARMS attack signature "
             "00 01 03 ea 00 31 from port 3283)"],
            ["1", "0", "2012", "", ""]])

    def test_unsolicited_found_on_3283_without_decode_as(self):
        """The registry's port sniffer on UDP 3283 looks at the whole
        datagram (1006 bytes here, whose length field ard_match checks), so
        a reflected answer is found with every Apple heuristic off."""
        cap = harness.Capture()
        cap.udp(RESPONDER, "198.51.100.7", 3283, 41999, answer())
        rows = self.run_fields(self.write(cap), ["ard.code", "_ws.expert.severity",
                                                 "_ws.expert.group"])
        self.assertEqual(rows, [["0x0001", "6291456", "167772160"]])

    def test_unsolicited_without_signature(self):
        cap = self.udp(("r", answer(total=360)), sport=41000, dport=41001)
        rows = self.run_fields(cap, ["_ws.expert.message"], args=HEUR)
        self.assertEqual(rows, [["ARD reflection/amplification: 127.0.0.17 sent 360 bytes for 0 "
                                 "received (unsolicited response to 127.0.0.28, no request "
                                 "seen)"]])

    def test_unsolicited_needs_a_response_code(self):
        # An ACK from the 3283 side is not a response code.
        cap = self.udp(("r", message(0, b"\x00\x14")))
        rows = self.run_fields(cap, ["ard.response", "_ws.expert.message"], args=DECODE_AS)
        self.assertEqual(rows, [["1", ""]])

    def test_below_threshold(self):
        cap = self.udp(message(0x0077, bytes(10)), ("r", message(0x0076, bytes(40))),
                       ("r", message(0x0076, bytes(40))), ("r", message(0x0076, bytes(56))))
        rows = self.run_fields(cap, ["ard.request_bytes", "ard.response_bytes",
                                     "ard.amplification_ratio", "_ws.expert.message"])
        # 14 request bytes; 44, 88, 148 response bytes: the ratio reaches 10 at 148.
        self.assertEqual(rows, [
            ["14", "0", "", ""],
            ["14", "44", "3.14285714285714", ""],
            ["14", "88", "6.28571428571429", ""],
            ["14", "148", "10.5714285714286",
             "ARD reflection/amplification: 127.0.0.17 sent 148 bytes for 14 received "
             "(ratio 10.6)"]])

    def test_threshold_preference(self):
        cap = self.udp(NMAP_PROBE, ("r", answer()))
        for threshold, expert in (("201", True), ("202", False), ("0", False)):
            rows = self.run_fields(cap, ["_ws.expert.message"], display_filter="ard.code==1",
                                   args=("-o", "ard.amplification_threshold:" + threshold))
            self.assertEqual(rows[0][0] != "", expert, threshold)

    def test_expert_once_per_conversation(self):
        cap = self.udp(NMAP_PROBE, ("r", answer()), NMAP_PROBE, ("r", answer()))
        rows = self.run_fields(cap, ["_ws.expert.message"])
        self.assertEqual([r[0] != "" for r in rows], [False, True, False, False])

    def test_normal_exchange_not_flagged(self):
        # A request as large as its answer: ratio 1.
        cap = self.udp(message(0x0077, bytes(50)), ("r", message(0x0076, bytes(50))))
        rows = self.run_fields(cap, ["ard.amplification_ratio", "_ws.expert.message"])
        self.assertEqual(rows, [["", ""], ["1", ""]])

    def test_many_sources(self):
        cap = harness.Capture()
        for i in range(6):
            src = "127.0.0.%d" % (101 + i)
            cap.udp(src, RESPONDER, 41000 + i, 3283, NMAP_PROBE)
            cap.udp(RESPONDER, src, 3283, 41000 + i, answer())
        # a seventh answer to a source already counted
        cap.udp("127.0.0.101", RESPONDER, 41000, 3283, NMAP_PROBE)
        cap.udp(RESPONDER, "127.0.0.101", 3283, 41000, answer())
        path = self.write(cap)
        rows = self.run_fields(path, ["frame.number", "_ws.expert.message"],
                               display_filter="ard.expert.many_sources")
        self.assertEqual(rows, [["10", "ARD reflection/amplification: 127.0.0.17 sent 1006 bytes "
                                       "for 5 received (ratio 201.2)#ARD responder 127.0.0.17 "
                                       "answered GET_INFO to 5 distinct sources"]])
        rows = self.run_fields(path, ["frame.number"], display_filter="ard.expert.many_sources",
                               args=("-o", "ard.many_sources_threshold:3"))
        self.assertEqual(rows, [["6"]])
        rows = self.run_fields(path, ["frame.number"], display_filter="ard.expert.many_sources",
                               args=("-o", "ard.many_sources_threshold:7"))
        self.assertEqual(rows, [])
        rows = self.run_fields(path, ["frame.number"], display_filter="ard.expert.many_sources",
                               args=("-o", "ard.many_sources_threshold:0"))
        self.assertEqual(rows, [])
        rows = self.run_fields(path, ["frame.number"], display_filter="ard.expert.many_sources",
                               two_pass=True)
        self.assertEqual(rows, [["10"]])

    def test_many_sources_counts_per_responder(self):
        cap = harness.Capture()
        for i in range(5):
            responder = "127.0.0.%d" % (50 + i % 2)
            src = "127.0.0.%d" % (101 + i)
            cap.udp(src, responder, 41000 + i, 3283, NMAP_PROBE)
            cap.udp(responder, src, 3283, 41000 + i, answer())
        rows = self.run_fields(self.write(cap), ["frame.number"],
                               display_filter="ard.expert.many_sources")
        self.assertEqual(rows, [])

    def test_expert_severity_and_group(self):
        cap = self.udp(NMAP_PROBE, ("r", answer()))
        rows = self.run_fields(cap, ["_ws.expert.severity", "_ws.expert.group"],
                               display_filter="ard.expert.amplification")
        # PI_WARN, PI_SECURITY
        self.assertEqual(rows, [["6291456", "167772160"]])


class HeuristicTest(ArdTestCase):
    def test_matches_on_any_port(self):
        cap = self.udp(NMAP_PROBE, ("r", answer()), sport=40001, dport=40002)
        rows = self.run_fields(cap, ["udp.dstport", "ard.code"], args=HEUR)
        self.assertEqual(rows, [["40002", "0x0014"], ["40001", "0x0001"]])

    def test_pins_the_conversation(self):
        # The second datagram alone would not match (its length is wrong).
        bad = bytearray(answer())
        bad[3] = 0x00
        cap = self.udp(NMAP_PROBE, ("r", bytes(bad)), sport=40001, dport=40002)
        rows = self.run_fields(cap, ["ard.code", "ard.length"], args=HEUR)
        self.assertEqual(rows, [["0x0014", "1"], ["0x0001", "768"]])

    def test_does_not_match_other_traffic(self):
        rnd = random.Random(1)
        dns = (bytes.fromhex("1d2c01000001000000000000")
               + b"\x03www\x07example\x03com\x00\x00\x01\x00\x01")
        payloads = [
            dns,
            b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
            bytes.fromhex("16fefd0000000000000000") + bytes(40),  # DTLS-like
            bytes.fromhex("0014000203ff"),                        # GET_INFO with 2 data bytes
            bytes.fromhex("00000000"),                            # ACK of nothing
            bytes.fromhex("0000000100"),
            bytes.fromhex("00010004000000"),                      # answer w/o 00 31, bad length
            bytes.fromhex("000100020032"),                        # answer with 00 32
            bytes.fromhex("003d000400000009"),                    # SHUTDOWN action 9
            bytes.fromhex("000000"),
            bytes.fromhex("00"),
        ] + [bytes(rnd.randrange(256) for _ in range(rnd.randrange(4, 200))) for _ in range(200)]
        cap = harness.Capture()
        for i, p in enumerate(payloads):
            cap.udp("127.0.0.40", "127.0.0.41", 20000 + i, 30000 + i, p)
        rows = self.run_fields(self.write(cap), ["frame.number"], args=HEUR)
        self.assertEqual(rows, [])

    def test_arms_scan_only_on_3283(self):
        cap = harness.Capture()
        cap.udp(CLIENT, RESPONDER, 40001, 40002, ARMS_SCAN)
        cap.udp(CLIENT, RESPONDER, 40003, 3283, ARMS_SCAN)
        cap.udp(RESPONDER, CLIENT, 3283, 40004, ARMS_SCAN)
        rows = self.run_fields(self.write(cap), ["frame.number", "ard.probe"], args=HEUR)
        self.assertEqual(rows, [["2", "3"], ["3", "3"]])

    def test_heuristic_off_by_default(self):
        cap = self.udp(NMAP_PROBE, ("r", answer()), sport=40001, dport=40002)
        self.assertEqual(self.run_fields(cap, ["ard.code"]), [])
        rows = self.run_fields(cap, ["ard.code"], args=("--disable-heuristic", "ard_udp"))
        self.assertEqual(rows, [])
        # Decode As still works with the heuristic off.
        rows = self.run_fields(cap, ["ard.code"],
                               args=("--disable-heuristic", "ard_udp",
                                     "-d", "udp.port==40002,ard"))
        self.assertEqual(rows, [["0x0014"], ["0x0001"]])
        # and so does the Decode As preference
        rows = self.run_fields(cap, ["ard.code"],
                               args=("--disable-heuristic", "ard_udp",
                                     "-o", "ard.udp.port:40002"))
        self.assertEqual(rows, [["0x0014"], ["0x0001"]])

    def test_disabled_protocol(self):
        cap = self.udp(NMAP_PROBE, ("r", answer()))
        rows = self.run_fields(cap, ["frame.number"], args=("--disable-protocol", "ard"))
        self.assertEqual(rows, [])


class TcpTest(ArdTestCase):
    def tcp(self, port=3283):
        cap = harness.Capture().tcp_session(CLIENT, RESPONDER, 41000, port, [
            (True, NMAP_PROBE), (False, b"\x00\x01\x00\x02\x00\x31\x99")])
        return self.write(cap)

    def test_no_heuristic_on_tcp(self):
        rows = self.run_fields(self.tcp(), ["frame.number"])
        self.assertEqual(rows, [])
        rows = self.run_fields(self.tcp(40002), ["frame.number"])
        self.assertEqual(rows, [])

    def test_decode_as_shows_unknown_data(self):
        rows = self.run_fields(self.tcp(), ["ard.tcp.data", "ard.code", "_ws.col.Info",
                                            "_ws.expert.message", "_ws.expert.group"],
                               args=("-d", "tcp.port==3283,ard"))
        note = ("ARD over TCP 3283: framing unknown (reporting and file transfer per Apple); "
                "payload not decoded")
        self.assertEqual(rows, [
            ["0014000103", "", "TCP data, 5 bytes (framing unknown)", note, "83886080"],
            ["00010002003199", "", "TCP data, 7 bytes (framing unknown)", note, "83886080"]])


if __name__ == "__main__":
    unittest.main()
