"""apdisc (UDP 192 AirPort base-station probes) dissection: real tshark, the
fresh plugin build.

The only evidence is one real capture (apple-protocols.md section 6b): 4-byte
datagrams 08 01 03 10 / 10 01 03 10 from a Mac to its gateway's UDP 192."""
import os
import unittest

import harness

# The registry plugin (applelegacy, a postdissector) adds its own expert items
# on Apple ports when it is built beside this plugin; these tests look at this
# dissector alone.
ALONE = ["--disable-protocol", "applelegacy"]


def tshark(args, capture):
    return harness.tshark(ALONE + list(args), capture)


MAC, GATEWAY = "10.0.0.227", "10.0.0.1"
PROBE_08 = bytes.fromhex("08010310")
PROBE_10 = bytes.fromhex("10010310")
LOW_CONFIDENCE = ("AirPort base-station probe (UDP 192): layout inferred from one real "
                  "capture; meaning of the bytes unknown")
DECODE_AS = ["-d", "udp.port==192,apdisc"]
FIELDS = ["frame.number", "apdisc.byte0", "apdisc.unknown", "apdisc.payload",
          "_ws.expert.message", "_ws.col.Info"]

REAL_ONLY = os.path.join(harness.SHARED_CAPTURES, "ndpi-anyconnect-vpn-udp192-only.pcap")
REAL_FULL = os.path.join(harness.SHARED_CAPTURES, "ndpi-anyconnect-vpn.pcap")
REAL_FRAMES = ["501", "520", "527", "532", "541", "542", "557", "563", "575", "579"]


def run_fields(capture, names, args=()):
    cmd = list(args) + ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                        "-E", "aggregator=,"]
    for n in names:
        cmd += ["-e", n]
    out = tshark(cmd, capture).stdout
    return [line.split("|") for line in out.splitlines()]


class ApdiscTest(harness.CaptureTestCase):

    def probes(self, *payloads, sport=52595, dport=192):
        cap = harness.Capture()
        for p in payloads:
            cap.udp(MAC, GATEWAY, sport, dport, p)
        return self.write(cap)

    # --- the two known probes ---

    def test_two_probes(self):
        cap = self.probes(PROBE_08, PROBE_10)
        self.assertEqual(run_fields(cap, FIELDS, DECODE_AS), [
            ["1", "0x08", "010310", "", LOW_CONFIDENCE,
             "AirPort base-station probe, byte 0 0x08 (meaning unknown)"],
            ["2", "0x10", "010310", "", LOW_CONFIDENCE,
             "AirPort base-station probe, byte 0 0x10 (meaning unknown)"],
        ])

    def test_probe_tree_says_meaning_unknown(self):
        cap = self.probes(PROBE_10)
        out = tshark(DECODE_AS + ["-V", "-O", "apdisc"], cap).stdout
        self.assertIn("Byte 0: seen in a real capture, meaning unknown (0x10)", out)
        self.assertIn("Bytes 1-3 (meaning unknown): 010310", out)

    def test_expert_group_and_severity(self):
        cap = self.probes(PROBE_08)
        rows = run_fields(cap, ["_ws.expert.group", "_ws.expert.severity"], DECODE_AS)
        self.assertEqual(rows, [[str(0x0D000000), str(0x00400000)]])  # PI_ASSUMPTION, PI_NOTE

    # --- anything else on 192 ---

    def test_other_payloads_are_unknown_data_without_expert(self):
        others = [bytes.fromhex("0801031000"),  # 5 bytes
                  bytes.fromhex("080103"),      # 3 bytes
                  bytes.fromhex("09010310"),    # byte 0 not seen
                  bytes.fromhex("08010311"),    # tail differs
                  bytes(64)]
        cap = self.probes(*others)
        rows = run_fields(cap, FIELDS, DECODE_AS)
        self.assertEqual(rows, [
            [str(i + 1), "", "", p.hex(), "", "Unknown data, %d bytes" % len(p)]
            for i, p in enumerate(others)])

    def test_garbage_does_not_crash(self):
        payloads = [b"\x08", b"\x10\x01", bytes(range(256)) * 5, b"\xff" * 4]
        cap = self.probes(*payloads)
        proc = tshark(DECODE_AS + ["-V"], cap)
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn("Dissector bug", proc.stdout)
        self.assertEqual(len(run_fields(cap, ["apdisc.payload"], DECODE_AS + ["-Y", "apdisc"])),
                         4)

    # --- heuristic (disabled by default) and Decode As ---

    def test_heuristic_disabled_by_default(self):
        cap = self.probes(PROBE_08, PROBE_10, sport=40001, dport=40192)
        rows = run_fields(cap, ["frame.protocols"])
        self.assertEqual(rows, [["eth:ethertype:ip:udp:data"]] * 2)
        listed = harness.tshark(["-G", "heuristic-decodes"]).stdout
        self.assertIn("udp\tapdisc\tF", listed)  # registered, disabled

    def test_heuristic_when_enabled(self):
        cap = self.probes(PROBE_08, PROBE_10, bytes.fromhex("08010311"), sport=40001,
                          dport=40192)
        rows = run_fields(cap, ["frame.protocols", "apdisc.byte0"],
                          ["--enable-heuristic", "apdisc_udp"])
        # The heuristic pins the conversation: the third datagram, not a
        # probe, is then shown as apdisc unknown data.
        self.assertEqual(rows, [["eth:ethertype:ip:udp:apdisc", "0x08"],
                                ["eth:ethertype:ip:udp:apdisc", "0x10"],
                                ["eth:ethertype:ip:udp:apdisc", ""]])

    def test_enabled_heuristic_ignores_other_traffic(self):
        payloads = [bytes.fromhex("08010311"), bytes.fromhex("0801031000"), b"GET / HTTP/1.1\r\n",
                    bytes.fromhex("1603010005"), bytes(4)]
        cap = harness.Capture()
        for i, p in enumerate(payloads):  # one conversation each
            cap.udp(MAC, GATEWAY, 40001 + i, 40192, p)
        cap = self.write(cap)
        rows = run_fields(cap, ["apdisc"], ["--enable-heuristic", "apdisc_udp"])
        self.assertEqual(rows, [[""]] * len(payloads))

    # --- the real capture (third-party data beside the project) ---

    @unittest.skipUnless(os.path.exists(REAL_ONLY), "shared capture not present")
    def test_real_capture_udp192_only(self):
        rows = run_fields(REAL_ONLY, ["frame.number", "apdisc.byte0", "apdisc.unknown",
                                      "_ws.expert.message"], DECODE_AS)
        self.assertEqual(rows, [[str(i + 1), "0x08" if i % 2 == 0 else "0x10", "010310",
                                 LOW_CONFIDENCE] for i in range(10)])
        expert = tshark(DECODE_AS + ["-q", "-z", "expert,note"], REAL_ONLY).stdout
        self.assertIn("\nNotes (10)\n", expert)
        rows = [line.split(None, 3) for line in expert.splitlines() if "apdisc" in line]
        self.assertEqual(rows, [["10", "Assumption", "apdisc", LOW_CONFIDENCE]])

    @unittest.skipUnless(os.path.exists(REAL_FULL), "shared capture not present")
    def test_real_full_capture_only_frames_501_to_579(self):
        rows = run_fields(REAL_FULL, ["frame.number", "apdisc.byte0"], DECODE_AS + ["-Y", "apdisc"])
        self.assertEqual([r[0] for r in rows], REAL_FRAMES)
        self.assertEqual([r[1] for r in rows], ["0x08", "0x10"] * 5)

    @unittest.skipUnless(os.path.exists(REAL_FULL), "shared capture not present")
    def test_real_full_capture_enabled_heuristic_claims_nothing_else(self):
        rows = run_fields(REAL_FULL, ["frame.number"],
                          ["--enable-heuristic", "apdisc_udp", "-Y", "apdisc"])
        self.assertEqual([r[0] for r in rows], REAL_FRAMES)


if __name__ == "__main__":
    unittest.main()
