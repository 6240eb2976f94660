"""serialnumberd (UDP 626) dissection: real tshark, the fresh plugin build.

Layouts from apple-protocols.md section 7 (nmap's probe and matches)."""
import os
import unittest

import harness

# The registry plugin (applelegacy, a postdissector) adds its own expert items
# on Apple ports when it is built beside this plugin; these tests look at this
# dissector alone.
ALONE = ["--disable-protocol", "applelegacy"]


def tshark(args, capture):
    return harness.tshark(ALONE + list(args), capture)


DEMO = os.path.join(harness.SOURCE, "captures", "apple-legacy-demo.pcapng")

CLIENT, SERVER = "127.0.0.31", "127.0.0.16"
NMAP_QUERY = b"SNQUERY: 127.0.0.1:AAAAAA:xsvr"
D1 = "0x" + "c05ee77dc33c2b5ab0d55823ccdacf9722ca33e9"
D2 = "0x" + "4585060ac8ebe6103f81c1b48be4b33db6621c49"
V8 = "0x650e248a"
D3 = "0x" + "cf2f408e70b0c4420921e7e0b86f22b3386628d2"
RESPONSE_FIELDS = [SERVER, D1, "xsvr", D2, V8, D3, SERVER]

DECODE_AS = ["-d", "udp.port==626,serialnumberd"]
HEUR = ["--enable-heuristic", "serialnumberd_udp"]  # off by default
ALL_FIELDS = [
    "frame.number", "serialnumberd.type", "serialnumberd.address", "serialnumberd.serial",
    "serialnumberd.product", "serialnumberd.digest1", "serialnumberd.digest2",
    "serialnumberd.value8", "serialnumberd.digest3", "serialnumberd.address2",
    "serialnumberd.unknown", "_ws.expert.message", "_ws.col.Info",
]


def response(fields=RESPONSE_FIELDS, nul=True):
    return b"SNRESPS:" + ":".join(fields).encode() + (b"\0" if nul else b"")


class SerialnumberdTest(harness.CaptureTestCase):

    def udp_capture(self, *payloads, sport=40626, dport=626):
        """Client -> server datagrams (str/bytes) or (from_server, payload)."""
        cap = harness.Capture()
        for p in payloads:
            from_server, data = p if isinstance(p, tuple) else (False, p)
            if from_server:
                cap.udp(SERVER, CLIENT, dport, sport, data)
            else:
                cap.udp(CLIENT, SERVER, sport, dport, data)
        return self.write(cap)

    def decode(self, capture, names=ALL_FIELDS):
        return self._fields_with_args(capture, names, DECODE_AS)

    def _fields_with_args(self, capture, names, args):
        """harness.fields() with extra tshark arguments (-d, --disable-heuristic)."""
        cmd = list(args) + ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                            "-E", "aggregator=,"]
        for n in names:
            cmd += ["-e", n]
        out = tshark(cmd, capture).stdout
        return [line.split("|") for line in out.splitlines()]

    # --- the demo capture (nmap's probe and a responder) ---

    def test_demo_capture_frames_143_144(self):
        rows = self._fields_with_args(DEMO, ALL_FIELDS, DECODE_AS + ["-Y", "serialnumberd"])
        self.assertEqual(rows, [
            ["143", "SNQUERY", "127.0.0.1", "AAAAAA", "xsvr", "", "", "", "", "", "",
             "Server serial number sent in clear: AAAAAA",
             "Query: address 127.0.0.1, serial AAAAAA, product xsvr"],
            ["144", "SNRESPS", "127.0.0.16", "", "xsvr", D1, D2, V8, D3, "127.0.0.16", "", "",
             "Response: address 127.0.0.16, product xsvr"],
        ])

    def test_demo_capture_dummy_serial_is_labelled(self):
        out = tshark(DECODE_AS + ["-Y", "frame.number==143", "-V", "-O", "serialnumberd"],
                             DEMO).stdout
        self.assertIn("Serial number: AAAAAA (nmap's dummy value)", out)
        self.assertIn("Hex value 1 (meaning unknown)", tshark(
            DECODE_AS + ["-Y", "frame.number==144", "-V", "-O", "serialnumberd"], DEMO).stdout)

    # --- queries ---

    def test_query_with_real_looking_serial(self):
        cap = self.udp_capture(b"SNQUERY: 10.0.1.5:W8734ABCDEFG:xsvr")
        self.assertEqual(self.decode(cap), [
            ["1", "SNQUERY", "10.0.1.5", "W8734ABCDEFG", "xsvr", "", "", "", "", "", "",
             "Server serial number sent in clear: W8734ABCDEFG",
             "Query: address 10.0.1.5, serial W8734ABCDEFG, product xsvr"],
        ])
        out = tshark(DECODE_AS + ["-V", "-O", "serialnumberd"], cap).stdout
        self.assertIn("Serial number: W8734ABCDEFG\n", out)  # no dummy label

    def test_query_expert_group_and_severity(self):
        cap = self.udp_capture(NMAP_QUERY)
        rows = self._fields_with_args(cap, ["_ws.expert.group", "_ws.expert.severity"], DECODE_AS)
        # Group and severity as Wireshark encodes them: PI_SECURITY, PI_NOTE.
        self.assertEqual(rows, [[str(0x0A000000), str(0x00400000)]])

    def test_query_with_empty_serial_has_no_exposure_note(self):
        cap = self.udp_capture(b"SNQUERY: 127.0.0.1::xsvr")
        self.assertEqual(self.decode(cap, ["serialnumberd.serial", "_ws.expert.message"]),
                         [["", ""]])

    def test_query_wrong_field_count(self):
        cap = self.udp_capture(b"SNQUERY: 127.0.0.1:AAAAAA")
        self.assertEqual(self.decode(cap), [
            ["1", "SNQUERY", "", "", "", "", "", "", "", "", b"127.0.0.1:AAAAAA".hex(),
             "Malformed field count: 2 ':'-separated fields, expected 3",
             "Query with 2 fields (expected 3)"],
        ])

    # --- responses ---

    def test_response_wrong_field_count(self):
        cap = self.udp_capture((True, response(RESPONSE_FIELDS[:6])))
        body = ":".join(RESPONSE_FIELDS[:6]).encode().hex()
        self.assertEqual(self.decode(cap), [
            ["1", "SNRESPS", "", "", "", "", "", "", "", "", body,
             "Malformed field count: 6 ':'-separated fields, expected 7",
             "Response with 6 fields (expected 7)"],
        ])

    def test_response_too_many_fields(self):
        cap = self.udp_capture((True, response(RESPONSE_FIELDS + ["extra"])))
        rows = self.decode(cap, ["serialnumberd.address", "_ws.expert.message"])
        self.assertEqual(rows, [["", "Malformed field count: 8 ':'-separated fields, expected 7"]])

    def test_response_missing_nul(self):
        cap = self.udp_capture((True, response(nul=False)))
        self.assertEqual(self.decode(cap), [
            ["1", "SNRESPS", SERVER, "", "xsvr", D1, D2, V8, D3, SERVER, "",
             "Malformed terminator: response does not end with NUL",
             "Response: address 127.0.0.16, product xsvr"],
        ])

    def test_query_without_nul_is_fine(self):
        cap = self.udp_capture(NMAP_QUERY)
        rows = self.decode(cap, ["_ws.expert.message"])
        self.assertEqual(rows, [["Server serial number sent in clear: AAAAAA"]])

    def test_response_bad_hex(self):
        fields = list(RESPONSE_FIELDS)
        fields[3] = "0x" + "zz" * 20          # digest2: non-hex
        fields[4] = "0x650e24"                 # value8: 6 digits
        fields[5] = D3[2:] + "00"              # digest3: no 0x
        cap = self.udp_capture((True, response(fields)))
        rows = self.decode(cap, ["serialnumberd.digest2", "serialnumberd.value8",
                                 "_ws.expert.message"])
        self.assertEqual(rows, [[
            fields[3], fields[4],
            "Malformed serialnumberd.digest2: not \"0x\" followed by 40 hex digits,"
            "Malformed serialnumberd.value8: not \"0x\" followed by 8 hex digits,"
            "Malformed serialnumberd.digest3: not \"0x\" followed by 40 hex digits",
        ]])

    def test_malformed_expert_group_and_severity(self):
        cap = self.udp_capture((True, response(nul=False)))
        rows = self._fields_with_args(cap, ["_ws.expert.group", "_ws.expert.severity"], DECODE_AS)
        self.assertEqual(rows, [[str(0x07000000), str(0x00600000)]])  # PI_MALFORMED, PI_WARN

    def test_trailing_bytes_after_nul_are_unknown(self):
        cap = self.udp_capture((True, response() + b"\x01\x02"))
        rows = self.decode(cap, ["serialnumberd.address2", "serialnumberd.unknown",
                                 "_ws.expert.message"])
        self.assertEqual(rows, [[SERVER, "0102", ""]])

    # --- what is not serialnumberd ---

    def test_truncated_type(self):
        cap = self.udp_capture(b"SNQ")
        self.assertEqual(self.decode(cap), [
            ["1", "", "", "", "", "", "", "", "", "", "534e51",
             "Malformed serialnumberd.type: truncated (3 of 8 bytes)", "Truncated message type"],
        ])

    def test_unknown_payload_is_unknown_data(self):
        # Tiger Server's 32-byte multicast packets: layout unknown, no expert.
        cap = self.udp_capture(bytes(range(32)))
        self.assertEqual(self.decode(cap, ["serialnumberd.unknown", "_ws.expert.message",
                                           "_ws.col.Info"]),
                         [[bytes(range(32)).hex(), "", "Unknown data, 32 bytes"]])

    def test_garbage_does_not_crash(self):
        payloads = [b"SNRESPS:" + bytes(range(256)), b"SNQUERY:" + b":" * 500, b"SNRESPS:\0\0\0",
                    b"\0", b"SNQUERY:", b"SNRESPS:" + b"\xff" * 1400]
        cap = self.udp_capture(*payloads)
        proc = tshark(DECODE_AS + ["-V"], cap)
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn("Dissector bug", proc.stdout)
        rows = self.decode(cap, ["serialnumberd.type"])
        self.assertEqual([r[0] for r in rows], ["SNRESPS", "SNQUERY", "SNRESPS", "", "SNQUERY",
                                                "SNRESPS"])

    # --- heuristic and Decode As ---

    def test_heuristic_on_other_port(self):
        cap = self.udp_capture(NMAP_QUERY, (True, response()), sport=40001, dport=45626)
        rows = self._fields_with_args(cap, ["frame.protocols", "serialnumberd.type"], HEUR)
        self.assertEqual(rows, [["eth:ethertype:ip:udp:serialnumberd", "SNQUERY"],
                                ["eth:ethertype:ip:udp:serialnumberd", "SNRESPS"]])

    def test_heuristic_off_by_default(self):
        cap = self.udp_capture(NMAP_QUERY, (True, response()), sport=40001, dport=45626)
        for off in ([], ["--disable-heuristic", "serialnumberd_udp"]):
            rows = self._fields_with_args(cap, ["frame.protocols"], off)
            self.assertEqual(rows, [["eth:ethertype:ip:udp:data"]] * 2)

    def test_heuristic_ignores_other_traffic(self):
        tls = bytes.fromhex("16030100a5010000a10303") + bytes(160)
        payloads = [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", tls, bytes(range(40)), b"SNQ",
                    b"snquery: 127.0.0.1:AAAAAA:xsvr", b"SNQUERY 127.0.0.1:AAAAAA:xsvr"]
        cap = self.udp_capture(*payloads, sport=40001, dport=45626)
        rows = self._fields_with_args(cap, ["serialnumberd"], HEUR)
        self.assertEqual(rows, [[""]] * len(payloads))

    def test_decode_as_without_heuristic(self):
        cap = self.udp_capture(NMAP_QUERY)
        rows = self._fields_with_args(
            cap, ["serialnumberd.type"], DECODE_AS + ["--disable-heuristic", "serialnumberd_udp"])
        self.assertEqual(rows, [["SNQUERY"]])

    def test_registered_names(self):
        out = harness.tshark(["-G", "heuristic-decodes"]).stdout
        self.assertIn("udp\tserialnumberd\tF", out)  # table, protocol, enabled (off by default)
        fields = harness.tshark(["-G", "fields"]).stdout
        for name in ["serialnumberd.type", "serialnumberd.address", "serialnumberd.serial",
                     "serialnumberd.product", "serialnumberd.digest1", "serialnumberd.digest2",
                     "serialnumberd.value8", "serialnumberd.digest3", "serialnumberd.address2",
                     "serialnumberd.unknown"]:
            self.assertIn("\t" + name + "\t", fields)
        self.assertIn("serialnumberd.expert.serial_exposed", fields)
        self.assertIn("serialnumberd.expert.malformed_field", fields)


if __name__ == "__main__":
    unittest.main()
