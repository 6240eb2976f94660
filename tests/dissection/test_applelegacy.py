"""The Apple Legacy Port Registry plugin in real tshark: exact fields, the
service-side rule, scopes, warnings once per conversation, preferences and
the user table."""
import os
import unittest

from harness import CaptureTestCase, Capture, fields, protocols, tshark, tshark_series

C, S = "10.0.0.5", "10.0.0.9"  # client, server

REGISTRY_FIELDS = [
    "frame.number",
    "applelegacy.port",
    "applelegacy.transport",
    "applelegacy.service",
    "applelegacy.iana_name",
    "applelegacy.registration",
    "applelegacy.unregistered_use",
    "applelegacy.lifecycle",
    "applelegacy.last_seen_in",
    "applelegacy.expected",
    "applelegacy.service_side",
]


def expert_rows(capture, prefs=(), config=None):
    """(frame, message) for every registry expert item."""
    rows = fields(capture, ["frame.number", "_ws.expert.message"], "applelegacy", prefs, config)
    out = []
    for frame, messages in rows:
        for m in messages.split("\x1f"):
            if "IANA" in m or "Apple" in m or "abandoned" in m or "carries" in m:
                out.append((frame, m))
    return out


class PluginLoads(unittest.TestCase):
    def test_tshark_lists_the_plugin(self):
        out = tshark(["-G", "plugins"]).stdout
        self.assertRegex(out, r"(?m)^applelegacy\.so\s+0\.1\.0\s+dissector\s")

    def test_protocol_and_fields_registered(self):
        self.assertIn("Apple Legacy Port Registry\tAppleLegacy\tapplelegacy", protocols())
        names = {line.split("\t")[2] for line in tshark(["-G", "fields"]).stdout.splitlines()
                 if line.startswith("F\t")}
        for f in REGISTRY_FIELDS[1:] + ["applelegacy.used_by", "applelegacy.observed",
                                        "applelegacy.evidence", "applelegacy.iana_description"]:
            self.assertIn(f, names)


class Fields(CaptureTestCase):
    def test_discontinued_server_admin_on_660(self):
        cap = self.write(Capture().tcp_session(C, S, 40000, 660, [(True, b"\x00\x01\x02\x03")]))
        rows = fields(cap, REGISTRY_FIELDS)
        self.assertEqual(len(rows), 7)
        expected = ["660", "tcp", "MacOS Server Admin", "mac-srvr-admin", "apple", "0",
                    "discontinued", "Mac OS X Server 10.4", "", "handshake"]
        for row in rows:  # the tree is on every packet, both directions
            self.assertEqual(row[1:], expected)

    def test_unregistered_dsproxy_on_625(self):
        cap = self.write(Capture().tcp_session(C, S, 40001, 625, [(True, b"x")]))
        row = fields(cap, REGISTRY_FIELDS)[0]
        self.assertEqual(row[1:], ["625", "tcp", "Directory Service Proxy (DSProxy)", "dec-dlm",
                                   "other", "1", "current", "", "dsproxy", "handshake"])

    def test_udp_serialnumberd_on_626_and_asia_on_tcp_626(self):
        cap = Capture().udp(C, S, 41000, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr")
        cap.tcp_session(C, S, 40002, 626, [(True, b"a")])
        rows = fields(self.write(cap), ["applelegacy.transport", "applelegacy.service",
                                        "applelegacy.last_seen_in"])
        self.assertEqual(rows[0], ["udp", "serialnumberd", "Mac OS X Server 10.6"])
        self.assertEqual(rows[1], ["tcp", "AppleShare Imap Admin (ASIA)", "Mac OS X Server 10.2.8"])


class ServiceSide(CaptureTestCase):
    """No annotation or warning ever lands on a client's ephemeral port."""

    def annotated_ports(self, cap, prefs=()):
        return [r[1] for r in fields(self.write(cap), ["frame.number", "applelegacy.port"],
                                     prefs=prefs) if r[1]]

    def test_client_port_in_xsan_range_is_never_xsan(self):
        # a client at 52000 talks to SSH and HTTPS: nothing Apple-specific here
        cap = Capture().tcp_session(C, S, 52000, 22, [(True, b"SSH-2.0-x\r\n")])
        cap.tcp_session(C, S, 52001, 443, [(True, b"\x16\x03\x01\x00\x05hello")])
        self.assertEqual(self.annotated_ports(cap), [])
        # with every row in scope, only the server sides, 22 and 443, are annotated
        self.assertEqual(set(self.annotated_ports(cap, ["applelegacy.scope:all"])), {"22", "443"})

    def test_server_on_a_dynamic_port_is_xsan_after_a_handshake(self):
        cap = Capture().tcp_session(C, S, 40000, 50000, [(True, b"x")])
        rows = fields(self.write(cap), ["applelegacy.port", "applelegacy.service",
                                        "applelegacy.service_side"])
        self.assertEqual(rows[0], ["50000", "Xsan", "handshake"])
        self.assertEqual(len({tuple(r) for r in rows}), 1)

    def test_no_handshake_port_rule(self):
        # capture starts mid-stream: the non-ephemeral side is the service
        cap = Capture().tcp_session(C, S, 52000, 660, [(True, b"a"), (False, b"b")],
                                    handshake=False, close=False)
        rows = fields(self.write(cap), ["applelegacy.port", "applelegacy.service_side"])
        self.assertEqual(rows, [["660", "port rule"], ["660", "port rule"]])

    def test_no_handshake_two_dynamic_ports(self):
        cap = Capture().tcp_session(C, S, 52000, 50003, [(True, b"a")], handshake=False)
        self.assertEqual(self.annotated_ports(cap), [])

    def test_range_row_needs_an_ephemeral_peer_without_handshake(self):
        # a Linux client port (42100, inside 42000-42999) talking to 9999
        cap = Capture().tcp_session(C, S, 42100, 9999, [(True, b"a")], handshake=False)
        self.assertEqual(self.annotated_ports(cap, ["applelegacy.scope:all"]), [])

    def test_reflection_source_port_3283(self):
        # ARD responses from UDP 3283 towards a victim's random port
        cap = Capture().udp(S, C, 3283, 55123, b"\x00\x01\x03\xea\x00\x31" + b"\x00" * 1000)
        self.assertEqual(self.annotated_ports(cap), ["3283"])

    def test_ephemeral_range_preference(self):
        cap = Capture().tcp_session(C, S, 52000, 50003, [(True, b"a")], handshake=False)
        # FileMaker 50003 is a service once 50000-50010 no longer counts as ephemeral
        ports = self.annotated_ports(cap, ["applelegacy.ephemeral_ports:50011-65535"])
        self.assertEqual(set(ports), {"50003"})


class Scope(CaptureTestCase):
    def capture(self):
        cap = Capture().tcp_session(C, S, 40000, 80, [(True, b"GET / HTTP/1.0\r\n\r\n")])
        cap.tcp_session(C, S, 40001, 660, [(True, b"a")])
        cap.udp(C, S, 40002, 3283, b"\x00\x14\x00\x01\x03")
        cap.tcp_session(C, S, 40003, 5009, [(True, b"a")])
        return self.write(cap)

    def services(self, scope):
        rows = fields(self.capture(), ["applelegacy.port"], prefs=["applelegacy.scope:" + scope])
        return sorted({r[0] for r in rows if r[0]}, key=int)

    def test_apple_default(self):
        self.assertEqual(self.services("apple"), ["660", "3283", "5009"])

    def test_all(self):
        self.assertEqual(self.services("all"), ["80", "660", "3283", "5009"])

    def test_legacy(self):
        # 3283 (Net Assistant) is current; 5009 is discontinued; 660 too
        self.assertEqual(self.services("legacy"), ["660", "5009"])

    def test_bad_scope_value_is_refused(self):
        cap = self.capture()
        proc = tshark(["-o", "applelegacy.scope:everything", "-T", "fields",
                       "-e", "applelegacy.port"], cap)
        self.assertIn('tshark: applelegacy.scope: "everything" is not a scope (use apple, all or '
                      'legacy); keeping "apple"', proc.stderr)
        ports = sorted({p for p in proc.stdout.split() if p}, key=int)
        self.assertEqual(ports, ["660", "3283", "5009"])  # still the default scope

    def test_bad_ephemeral_range_is_refused(self):
        proc = tshark(["-o", "applelegacy.ephemeral_ports:49152-x"], self.capture(), check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('Invalid -o flag "applelegacy.ephemeral_ports:49152-x"', proc.stderr)


class Warnings(CaptureTestCase):
    def test_each_warning_once_per_conversation(self):
        cap = Capture().tcp_session(C, S, 40000, 625, [(True, b"a"), (False, b"b")])
        cap.tcp_session(C, S, 40001, 625, [(True, b"c")])
        cap.tcp_session(C, S, 40002, 660, [(True, b"d")])
        cap.tcp_session(C, S, 40003, 985, [(True, b"e")])
        got = expert_rows(self.write(cap))
        # on the SYN/ACK: the frame where the service answered
        self.assertEqual(got, [
            ("2", "TCP 625 is registered by IANA to dec-dlm (DEC DLM), not to Apple's "
                  "Directory Service Proxy (DSProxy)"),
            ("2", "Unregistered use: Apple's own port table calls its use of TCP 625 "
                  "(Directory Service Proxy (DSProxy)) unregistered"),
            ("10", "TCP 625 is registered by IANA to dec-dlm (DEC DLM), not to Apple's "
                  "Directory Service Proxy (DSProxy)"),
            ("10", "Unregistered use: Apple's own port table calls its use of TCP 625 "
                  "(Directory Service Proxy (DSProxy)) unregistered"),
            ("17", "Traffic on abandoned port TCP 660: MacOS Server Admin is discontinued, "
                   "last seen in Mac OS X Server 10.4"),
            ("24", "Traffic on abandoned port TCP 985: NetInfo Static Port is discontinued, "
                   "last release unknown"),
            ("24", "TCP 985 is not assigned by IANA; only Apple's table links it to NetInfo "
                   "Static Port"),
        ])

    def test_expert_groups_and_severities(self):
        cap = self.write(Capture().tcp_session(C, S, 40000, 5009, [(True, b"a")]))
        out = tshark(["-q", "-z", "expert"], cap).stdout
        self.assertRegex(out, r"1 Deprecated\s+AppleLegacy\s+Traffic on abandoned port TCP 5009")
        self.assertRegex(out, r"1 Assumption\s+AppleLegacy\s+TCP 5009 is registered by IANA to "
                              r"winfs \(Microsoft Windows Filesystem\)")
        self.assertRegex(out, r"1 Assumption\s+AppleLegacy\s+Unregistered use: ")
        self.assertIn("Warns (3)", out)

    def test_warnings_switched_off_by_preference(self):
        cap = self.write(Capture().tcp_session(C, S, 40000, 5009, [(True, b"a")]))
        got = expert_rows(cap, prefs=["applelegacy.warn_abandoned:FALSE",
                                      "applelegacy.warn_unregistered_use:FALSE"])
        self.assertEqual([m for _, m in got], [
            "TCP 5009 is registered by IANA to winfs (Microsoft Windows Filesystem), not to "
            "Apple's AirPort Utility base station administration"])
        got = expert_rows(cap, prefs=["applelegacy.warn_registered_to_other:FALSE",
                                      "applelegacy.warn_abandoned:FALSE",
                                      "applelegacy.warn_unregistered_use:FALSE"])
        self.assertEqual(got, [])

    def test_quiet_on_ordinary_and_current_traffic(self):
        cap = Capture().tcp_session(C, S, 40000, 443, [(True, b"\x16\x03\x01\x00\x05hello")])
        cap.udp(C, S, 40001, 53, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00")
        cap.udp(S, C, 53, 40001, b"\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00")
        cap.tcp_session(C, "17.57.144.116", 40002, 5223, [(True, b"\x16\x03\x01\x00\x05hello")])
        cap.udp(C, S, 40003, 3283, b"\x00\x14\x00\x01\x03")
        self.assertEqual(expert_rows(self.write(cap), prefs=["applelegacy.scope:all"]), [])


class UserTable(CaptureTestCase):
    ROW = ('"7777","7777","tcp","Lab relay","cbt","cbt","other","false","Lab",'
           '"discontinued","Lab OS 1","","","notes",""')

    def test_user_row_adds_a_port(self):
        cap = self.write(Capture().tcp_session(C, S, 40000, 7777, [(True, b"a")]))
        rows = fields(cap, ["applelegacy.service", "applelegacy.user_row", "applelegacy.sources"],
                      prefs=["uat:applelegacy_ports:" + self.ROW])
        self.assertEqual(rows[0], ["Lab relay", "1", "notes"])
        self.assertIn(("2", "Traffic on abandoned port TCP 7777: Lab relay is discontinued, "
                            "last seen in Lab OS 1"),
                      expert_rows(cap, prefs=["uat:applelegacy_ports:" + self.ROW]))

    def test_long_non_ascii_service_is_cut_on_a_character(self):
        # the registry's messages carry the row's text: a long service name
        # of two-byte characters is cut on a character boundary, with an
        # ellipsis, never in the middle of one
        row = self.ROW.replace('"Lab relay"', '"' + "\u00e9" * 200 + '"')
        cap = self.write(Capture().tcp_session(C, S, 40000, 7777, [(True, b"a")]))
        proc = tshark(["-T", "fields", "-e", "applelegacy.expert.abandoned", "-e",
                       "_ws.expert.message", "-o", "uat:applelegacy_ports:" + row,
                       "-Y", "applelegacy.expert.abandoned"], cap)
        message = [m for m in proc.stdout.strip().split("\t")[1].split(",")
                   if m.startswith("Traffic on abandoned port")][0]
        self.assertTrue(message.startswith("Traffic on abandoned port TCP 7777: \u00e9\u00e9"))
        self.assertTrue(message.endswith("\u00e9\u2026"), message[-20:])

    def test_user_row_overrides_a_builtin_row(self):
        row = ('"660","660","tcp","My admin tool","mac-srvr-admin","","apple","false","",'
               '"current","","","","",""')
        cap = self.write(Capture().tcp_session(C, S, 40000, 660, [(True, b"a")]))
        rows = fields(cap, ["applelegacy.service", "applelegacy.lifecycle"],
                      prefs=["uat:applelegacy_ports:" + row])
        self.assertEqual(rows[0], ["My admin tool", "current"])

    def test_user_table_file_in_profile(self):
        config = self.path("config")
        os.makedirs(config)
        with open(os.path.join(config, "applelegacy_ports"), "w") as f:
            f.write(self.ROW + "\n")
        os.chmod(config, 0o755)
        cap = self.write(Capture().tcp_session(C, S, 40000, 7777, [(True, b"a")]))
        rows = fields(cap, ["applelegacy.service"], config=config)
        self.assertEqual(rows[0], ["Lab relay"])

    def test_bad_rows_are_refused_naming_the_field(self):
        cases = [
            ('"77777","7777","tcp","X","","","unassigned","false","","current","","","","",""',
             'applelegacy_ports:1: port_lo: "77777": not a port number (0-65535): too large'),
            ('"7777","77777","tcp","X","","","unassigned","false","","current","","","","",""',
             'applelegacy_ports:1: port_hi: "77777": not a port number (0-65535): too large'),
            ('"7777","7777","tcp","","","","unassigned","false","","current","","","","",""',
             'applelegacy_ports:1: service: "": empty; this column is required'),
            ('"7777","7777","tcp","X","","","gone","false","","current","","","","",""',
             'applelegacy_ports:1: registration: "gone": unknown registration; expected apple, '
             'standard, other, unassigned or mixed'),
            ('"7777","7777","sctp","X","","","unassigned","false","","current","","","","",""',
             'transport: "sctp": unknown transport; expected tcp or udp'),
            ('"7777","7777","tcp","X","","","unassigned","maybe","","current","","","","",""',
             'unregistered_use: "maybe": not a boolean; expected true or false'),
            ('"7777","7000","tcp","X","","","unassigned","false","","current","","","","",""',
             "port_hi: port_hi is lower than port_lo"),
        ]
        cap = self.write(Capture().udp(C, S, 1, 2, b"x"))
        for row, message in cases:
            with self.subTest(row=row):
                proc = tshark(["-o", "uat:applelegacy_ports:" + row], cap, check=False)
                self.assertIn(message, proc.stderr)


class Sniffer(CaptureTestCase):
    def observed(self, cap, prefs=()):
        return fields(self.write(cap), ["frame.number", "applelegacy.observed",
                                        "applelegacy.evidence", "_ws.col.Protocol"], prefs=prefs)

    def test_ssh_on_660_is_a_mismatch(self):
        cap = Capture().tcp_session(C, S, 40000, 660, [(False, b"SSH-2.0-OpenSSH_9.2\r\n"),
                                                       (True, b"SSH-2.0-OpenSSH_9.2\r\n")])
        rows = self.observed(cap)
        self.assertEqual(rows[0], ["1", "", "port only", "TCP"])  # SYN: no payload yet
        self.assertEqual(rows[3], ["4", "ssh", "payload", "SSH"])
        self.assertEqual(rows[4][1:3], ["ssh", "payload"])
        self.assertIn(("4", "TCP 660 carries SSH; MacOS Server Admin (mac-srvr-admin) expected"),
                      expert_rows(self.path("test.pcap")))

    def test_dissector_handed_to_knows_the_client_on_every_packet(self):
        # SSH tells client from server by pinfo->match_uint, which Wireshark
        # does not set for a conversation's dissector: the sniffer must, or
        # every packet after the first is taken for the server's.
        # SSH_MSG_IGNORE "ab": length 12, padding 4
        kexinit = bytes.fromhex("0000000c0402") + bytes.fromhex("000000026162") + b"\x00" * 4
        cap = Capture().tcp_session(C, S, 40000, 660, [(True, b"SSH-2.0-OpenSSH_9.2\r\n"),
                                                       (False, b"SSH-2.0-OpenSSH_9.2\r\n"),
                                                       (True, kexinit), (False, kexinit),
                                                       (True, kexinit)])
        rows = fields(self.write(cap), ["frame.number", "_ws.col.Info"], "ssh")
        self.assertEqual([(n, info.split(":")[0]) for n, info in rows],
                         [("4", "Client"), ("5", "Server"), ("6", "Client"), ("7", "Server"),
                          ("8", "Client")])

    def test_tls_on_625_is_a_mismatch(self):
        hello = bytes.fromhex("160301002f0100002b0303") + b"\x00" * 32 + bytes.fromhex("000002002f0100")
        cap = Capture().tcp_session(C, S, 40000, 625, [(True, hello)])
        rows = self.observed(cap)
        self.assertEqual(rows[3][1:3], ["tls", "payload"])
        self.assertIn(("4", "TCP 625 carries TLS; Directory Service Proxy (DSProxy) (dsproxy) "
                            "expected"), expert_rows(self.path("test.pcap")))

    def test_unknown_payload_is_not_a_mismatch(self):
        cap = Capture().tcp_session(C, S, 40000, 660, [(True, b"\x8f\x00garbage")])
        rows = self.observed(cap)
        self.assertEqual(rows[3][1:], ["unknown", "payload", "TCP"])
        self.assertFalse([m for _, m in expert_rows(self.path("test.pcap")) if "carries" in m])

    def test_expected_protocol_is_not_a_mismatch(self):
        hello = bytes.fromhex("160301002f0100002b0303") + b"\x00" * 32 + bytes.fromhex("000002002f0100")
        cap = Capture().tcp_session(C, S, 40000, 311, [(True, hello)])
        rows = self.observed(cap)
        self.assertEqual(rows[3][1:3], ["tls", "payload"])
        self.assertFalse([m for _, m in expert_rows(self.path("test.pcap")) if "carries" in m])

    def test_stock_ports_are_never_taken(self):
        # 548 (AFP over DSI) and 5900 (VNC) belong to stock dissectors: even SSH
        # bytes there are dissected exactly as stock tshark does
        import subprocess
        cap = Capture().tcp_session(C, S, 40000, 548, [(True, b"SSH-2.0-x\r\n")])
        cap.tcp_session(C, S, 40001, 5900, [(True, b"SSH-2.0-x\r\n")])
        path = self.write(cap)
        ours = [r[3] for r in self.observed(cap, prefs=["applelegacy.scope:all"])]
        stock = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "_ws.col.Protocol"],
                               capture_output=True, text=True).stdout.splitlines()
        self.assertEqual(ours, stock)
        self.assertNotIn("SSH", ours)

    def test_sniffer_can_be_disabled(self):
        cap = Capture().tcp_session(C, S, 40000, 660, [(True, b"SSH-2.0-x\r\n")])
        self.write(cap)
        proc = tshark(["--disable-protocol", "applelegacy_sniffer", "-T", "fields",
                       "-e", "_ws.col.Protocol"], self.path("test.pcap"))
        # Stock tshark's protocol: 4.6 has an SSH heuristic on TCP of its own.
        self.assertEqual(proc.stdout.splitlines()[3], "SSH" if tshark_series() >= (4, 6) else "TCP")

    def test_mismatch_warning_switched_off(self):
        cap = Capture().tcp_session(C, S, 40000, 660, [(True, b"SSH-2.0-x\r\n")])
        self.write(cap)
        got = expert_rows(self.path("test.pcap"), prefs=["applelegacy.warn_protocol_mismatch:FALSE"])
        self.assertFalse([m for _, m in got if "carries" in m])


if __name__ == "__main__":
    unittest.main()
