"""eppc (Remote Apple Events, TCP 3031) dissection: real tshark, the fresh
plugin build.

Layouts from apple-protocols.md section 9 (nmap's eppc-enum-processes.nse):
the opening "PPCT" 00 00 00 01 00 00 00 01, the target request
e4 4c 50 52 54 01 e1 01 | 0xe1 + len | Pascal string |
df db e3 02 01 3d df df df df d5 00, and "uid=<n>&pid=<n>" in the reply."""
import unittest

import harness

CLIENT, SERVER = "10.0.0.30", "10.0.0.31"
DECODE_AS = ["-d", "tcp.port==3031,eppc"]
NO_TLS_HEUR = ["--disable-heuristic", "tls_tcp"]
HEUR = ["--enable-heuristic", "eppc_tcp"]  # off by default

OPENING = b"PPCT\x00\x00\x00\x01\x00\x00\x00\x01"
PREFIX = bytes.fromhex("e44c50525401e101")
SUFFIX = bytes.fromhex("dfdbe302013ddfdfdfdfd500")
# What the server sends before the reply is not documented: made-up bytes.
SERVER_HELLO = b"\x00\x00\x00\x01\x7f\x00"


def request(name, marker=None):
    n = name.encode()
    return PREFIX + bytes([0xE1 + len(n) if marker is None else marker, len(n)]) + n + SUFFIX


def reply(uid, pid):
    return b"\x00\x00\x01\x02\xe2\x00" + b"uid=%d&pid=%d" % (uid, pid) + b"\x00\x00\x00\x00"


def disclosure(uid, pid, name=None):
    of = ' of "%s"' % name if name else ""
    return "Remote Apple Events disclosed uid %d and pid %d%s before authentication" % (uid, pid, of)


NMAP_SESSION = [(True, OPENING), (False, SERVER_HELLO), (True, request("Finder")),
                (False, reply(501, 1234))]


class EppcTest(harness.CaptureTestCase):

    def capture(self, *sessions, sport=3031):
        """Each session: a list of (from_client, payload), on its own client port."""
        cap = harness.Capture()
        for i, exchanges in enumerate(sessions):
            cap.tcp_session(CLIENT, SERVER, 43000 + i, sport, exchanges)
        return self.write(cap)

    def rows(self, capture, names, args=(), display_filter="eppc"):
        """-T fields rows (lists of strings), with extra tshark arguments."""
        cmd = list(args) + ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                            "-E", "aggregator=,"]
        for n in names:
            cmd += ["-e", n]
        if display_filter:
            cmd += ["-Y", display_filter]
        out = harness.tshark(cmd, capture).stdout
        return [line.split("|") for line in out.splitlines()]

    # --- each message ---

    def test_opening(self):
        rows = self.rows(self.capture([(True, OPENING)]),
                         ["frame.number", "eppc.magic", "eppc.unknown1", "eppc.unknown2",
                          "eppc.data", "_ws.expert.message", "_ws.col.Protocol", "_ws.col.Info"],
                         DECODE_AS)
        self.assertEqual(rows, [["4", "PPCT", "1", "1", "", "", "EPPC", "Opening PPCT"]])

    def test_opening_with_other_values(self):
        rows = self.rows(self.capture([(True, b"PPCT\x00\x00\x00\x02\xff\xff\xff\xff")]),
                         ["eppc.magic", "eppc.unknown1", "eppc.unknown2"], DECODE_AS)
        self.assertEqual(rows, [["PPCT", "2", "4294967295"]])

    def test_target_request_finder(self):
        rows = self.rows(self.capture([(True, OPENING), (True, request("Finder"))]),
                         ["frame.number", "eppc.unknown", "eppc.name_marker",
                          "eppc.target_app_length", "eppc.target_app", "eppc.data",
                          "_ws.col.Info"], DECODE_AS, "eppc.target_app")
        self.assertEqual(rows, [["5", "e44c50525401e101,dfdbe302013ddfdfdfdfd500", "0xe7", "6",
                                 "Finder", "", 'Target application "Finder"']])

    def test_reply_with_uid_and_pid(self):
        rows = self.rows(self.capture(NMAP_SESSION),
                         ["frame.number", "eppc.uid", "eppc.pid", "eppc.data",
                          "_ws.expert.message", "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [
            ["4", "", "", "", "", "Opening PPCT"],
            ["5", "", "", SERVER_HELLO.hex(), "", "Data (6 bytes)"],
            ["6", "", "", "", "", 'Target application "Finder"'],
            ["7", "501", "1234", reply(501, 1234).hex(), disclosure(501, 1234, "Finder"),
             "Process uid=501 pid=1234"],
        ])

    def test_disclosure_is_a_security_warning(self):
        out = harness.tshark(DECODE_AS + ["-q", "-z", "expert,warn"],
                             self.capture(NMAP_SESSION)).stdout
        self.assertRegex(out, r"\n\s+1\s+Security\s+EPPC\s+" + disclosure(501, 1234, "Finder"))
        self.assertIn("Warns (1)", out)

    def test_reply_without_a_request_omits_the_name(self):
        rows = self.rows(self.capture([(False, reply(0, 1))]),
                         ["eppc.uid", "eppc.pid", "_ws.expert.message"], DECODE_AS)
        self.assertEqual(rows, [["0", "1", disclosure(0, 1)]])

    def test_uid_pid_fields_cover_the_digits(self):
        # 54 bytes of headers, 6 bytes, "uid=" -> digits at 64..66, "&pid=" -> 72..75
        pdml = harness.tshark(DECODE_AS + ["-T", "pdml"], self.capture([(False, reply(501, 1234))]))
        self.assertIn('name="eppc.uid" showname="uid: 501" size="3" pos="64"', pdml.stdout)
        self.assertIn('name="eppc.pid" showname="pid: 1234" size="4" pos="72"', pdml.stdout)

    def test_garbage(self):
        junk = bytes((i * 53 + 7) & 0xFF for i in range(40))
        rows = self.rows(self.capture([(True, junk), (False, b"uid=abc&pid=1")]),
                         ["frame.number", "eppc.data", "eppc.uid", "_ws.expert.message",
                          "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [
            ["4", junk.hex(), "", "", "Data (40 bytes)"],
            ["5", b"uid=abc&pid=1".hex(), "", "", "Data (13 bytes)"],
        ])

    # --- an nmap-like run: one connection per application ---

    def test_nmap_like_session(self):
        cap = self.capture(
            NMAP_SESSION,
            [(True, OPENING), (False, SERVER_HELLO), (True, request("Safari")),
             (False, b"\x00\x00\x01\x02\xe2\x00no such process\x00")],
            [(True, OPENING), (False, SERVER_HELLO), (True, request("VLC media player")),
             (False, reply(501, 367))])
        rows = self.rows(cap, ["tcp.stream", "eppc.target_app", "eppc.uid", "eppc.pid",
                               "_ws.expert.message"],
                         DECODE_AS, "eppc.target_app || eppc.uid")
        self.assertEqual(rows, [
            ["0", "Finder", "", "", ""],
            ["0", "", "501", "1234", disclosure(501, 1234, "Finder")],
            ["1", "Safari", "", "", ""],
            ["2", "VLC media player", "", "", ""],
            ["2", "", "501", "367", disclosure(501, 367, "VLC media player")],
        ])

    def test_name_stable_in_two_passes(self):
        cap = self.capture(NMAP_SESSION, [(True, OPENING), (True, request("Terminal")),
                                          (False, reply(501, 266))])
        names = ["frame.number", "eppc.uid", "_ws.expert.message"]
        one = self.rows(cap, names, DECODE_AS, "eppc.uid")
        # two passes need random access: -r FILE, not standard input
        two = self.rows(None, names, DECODE_AS + ["-2", "-r", cap], "eppc.uid")
        self.assertEqual(one, [["7", "501", disclosure(501, 1234, "Finder")],
                               ["16", "501", disclosure(501, 266, "Terminal")]])
        self.assertEqual(two, one)

    def test_opening_and_request_in_one_segment(self):
        rows = self.rows(self.capture([(True, OPENING + request("Finder") + b"\x01\x02")]),
                         ["eppc.magic", "eppc.target_app", "eppc.data", "_ws.col.Info"],
                         DECODE_AS)
        self.assertEqual(rows, [["PPCT", "Finder", "0102",
                                 'Opening PPCT, Target application "Finder", Data (2 bytes)']])

    def test_request_with_other_prefix_is_data(self):
        other = b"\xe4\x4d" + request("Finder")[2:]
        rows = self.rows(self.capture([(True, other)]),
                         ["eppc.target_app", "eppc.unknown", "eppc.data", "_ws.expert.message"],
                         DECODE_AS)
        self.assertEqual(rows, [["", "", other.hex(), ""]])

    def test_request_with_other_marker_and_suffix(self):
        odd = request("Finder", marker=0x01)[:-1] + b"\xff"
        rows = self.rows(self.capture([(True, odd)]),
                         ["eppc.name_marker", "eppc.target_app", "eppc.unknown", "eppc.data"],
                         DECODE_AS)
        self.assertEqual(rows, [["0x01", "Finder", PREFIX.hex(), (SUFFIX[:-1] + b"\xff").hex()]])
        tree = harness.tshark(DECODE_AS + ["-O", "eppc"], self.capture([(True, odd)])).stdout
        self.assertIn("Name marker: 0x01 (not 0xe1 + name length as in nmap's probe)", tree)

    def test_request_with_pascal_length_past_the_end(self):
        bad = PREFIX + b"\xe7\x40Finder"
        rows = self.rows(self.capture([(True, bad)]),
                         ["eppc.target_app", "eppc.data", "_ws.expert.message"], DECODE_AS)
        self.assertEqual(rows, [["", bad.hex(), ""]])

    # --- truncated input ---

    def test_truncated_opening_ppc(self):
        cap = self.capture([(True, b"PPC")])
        proc = harness.tshark(DECODE_AS + ["-T", "fields", "-e", "frame.number", "-e",
                                           "eppc.magic", "-e", "eppc.data", "-e",
                                           "_ws.expert.message", "-e", "_ws.col.Info",
                                           "-E", "separator=|", "-Y", "eppc"], cap)
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout.splitlines(), ["4||505043||Data (3 bytes)"])
        # the heuristic does not take three bytes
        self.assertEqual(self.rows(self.capture([(True, b"PPC")], sport=40331),
                                   ["frame.number"]), [])

    def test_truncated_opening_after_magic(self):
        rows = self.rows(self.capture([(True, OPENING[:6])]),
                         ["eppc.magic", "eppc.unknown1", "eppc.data", "_ws.expert.message",
                          "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [["PPCT", "", "0000", "", "Opening PPCT (incomplete)"]])

    def test_truncated_request_and_reply(self):
        cap = self.capture([(True, OPENING), (True, request("Finder")[:12]),
                            (False, b"\x00uid=501&pi")])
        rows = self.rows(cap, ["frame.number", "eppc.target_app", "eppc.uid", "eppc.data",
                               "_ws.expert.message"], DECODE_AS, "frame.number > 4 && eppc")
        self.assertEqual(rows, [
            ["5", "", "", request("Finder")[:12].hex(), ""],
            ["6", "", "", b"\x00uid=501&pi".hex(), ""],
        ])

    def test_garbage_does_not_crash(self):
        payloads = [b"PPCT", OPENING * 3 + b"PP", PREFIX, PREFIX + b"\xe1", PREFIX + b"\xe1\x00",
                    b"uid=" * 50, b"uid=1&pid=" + b"9" * 40, bytes(range(256)) * 4]
        cap = self.capture([(i % 2 == 0, p) for i, p in enumerate(payloads)])
        proc = harness.tshark(DECODE_AS + ["-V"], cap)
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn("Dissector bug", proc.stdout)
        self.assertNotIn("Malformed", proc.stdout)

    # --- the heuristic and Decode As ---

    def test_heuristic_on_a_random_port(self):
        rows = self.rows(self.capture(NMAP_SESSION, sport=40331),
                         ["frame.number", "eppc.magic", "eppc.target_app", "eppc.pid"], HEUR)
        # the server's reply is decoded too: the opening pinned the conversation
        self.assertEqual(rows, [["4", "PPCT", "", ""], ["5", "", "", ""], ["6", "", "Finder", ""],
                                ["7", "", "", "1234"]])

    def test_heuristic_off_by_default(self):
        cap = self.capture(NMAP_SESSION, sport=40331)
        self.assertEqual(self.rows(cap, ["frame.number"]), [])
        self.assertEqual(self.rows(cap, ["frame.number"], ["--disable-heuristic", "eppc_tcp"]),
                         [])
        rows = self.rows(cap, ["frame.number"],
                         ["--disable-heuristic", "eppc_tcp", "-d", "tcp.port==40331,eppc"])
        self.assertEqual(len(rows), 4)

    def test_heuristic_rejects_other_traffic(self):
        tls_hello = bytes.fromhex("160301002d0100002903035a") + bytes(32)
        http = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        random_bytes = bytes((i * 73 + 5) & 0xFF for i in range(64))
        dspx = b"DSPX\x00\x00\x00\x44DHN2" + bytes(64)
        other_version = b"PPCT\x00\x00\x00\x02\x00\x00\x00\x01"
        lower = b"ppct\x00\x00\x00\x01\x00\x00\x00\x01"
        for i, payload in enumerate([tls_hello, http, random_bytes, dspx, other_version, lower,
                                     request("Finder"), reply(501, 1234)]):
            cap = self.capture([(True, payload), (False, payload)], sport=41000 + i)
            self.assertEqual(self.rows(cap, ["frame.number"], NO_TLS_HEUR + HEUR), [],
                             payload[:8])

    def test_registration(self):
        self.assertIn("tcp\teppc\tF", harness.heuristic_decodes())
        fields = harness.tshark(["-G", "fields"]).stdout.splitlines()
        names = {line.split("\t")[2] for line in fields if line.startswith("F\t")
                 and "\teppc\t" in line}
        self.assertEqual(names, {"eppc.magic", "eppc.unknown1", "eppc.unknown2", "eppc.unknown",
                                 "eppc.name_marker", "eppc.target_app_length", "eppc.target_app",
                                 "eppc.uid", "eppc.pid", "eppc.data",
                                 "eppc.expert.process_disclosure"})


if __name__ == "__main__":
    unittest.main()
