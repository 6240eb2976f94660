"""Real third-party captures from ../shared/captures (skipped when absent; never
copied into the project). See ../shared/captures/README."""
import glob
import json
import os
import subprocess
import unittest

from harness import SHARED_CAPTURES, SOURCE, fields, tshark
from test_report import text_report

HEURISTICS = subprocess.run([os.path.join(SOURCE, "tools", "apple-heuristic-args")],
                            capture_output=True, text=True, check=True).stdout.split()

ANYCONNECT = os.path.join(SHARED_CAPTURES, "ndpi-anyconnect-vpn.pcap")
UDP192 = os.path.join(SHARED_CAPTURES, "ndpi-anyconnect-vpn-udp192-only.pcap")
SYNSCAN = os.path.join(SHARED_CAPTURES, "ndpi-synscan.pcap")


def need(path):
    return unittest.skipUnless(os.path.exists(path), "%s not present" % path)


def registry_experts(capture):
    rows = fields(capture, ["frame.number", "_ws.expert.message"], "applelegacy")
    out = []
    for frame, messages in rows:
        for m in messages.split("\x1f"):
            if "IANA" in m or "abandoned" in m or "Apple" in m or "carries" in m:
                out.append((int(frame), m))
    return out


class AnyConnect(unittest.TestCase):
    """A Mac probing its gateway on UDP 192; everything else is ordinary."""

    @need(ANYCONNECT)
    def test_only_the_udp_192_probes_are_flagged(self):
        rows = fields(ANYCONNECT, ["frame.number", "udp.dstport", "applelegacy.port",
                                   "applelegacy.service"], "applelegacy.port == 192")
        frames = [int(r[0]) for r in rows]
        self.assertEqual(len(frames), 10)
        self.assertTrue(all(501 <= f <= 579 for f in frames))
        self.assertEqual({tuple(r[1:]) for r in rows},
                         {("192", "192", "AirPort base station PPP status or discovery")})
        # nobody answers: no warning, the probe finding's note on the second
        # probe, and nothing else in the capture warns (APNS is quiet)
        self.assertEqual(registry_experts(ANYCONNECT), [
            (frames[1], "Probe of Apple ports: 10.0.0.227 sent to 10.0.0.1 UDP 192 (AirPort base "
                        "station PPP status or discovery), no answer; every port it probed there "
                        "is in the report's probe findings"),
        ])

    @need(ANYCONNECT)
    def test_nothing_else_is_annotated_as_legacy(self):
        rows = fields(ANYCONNECT, ["applelegacy.port", "applelegacy.lifecycle"], "applelegacy")
        ports = {(r[0], r[1]) for r in rows}
        # APNS (current table) first, the 2010 iChat server row after it
        self.assertEqual(ports, {("192", "discontinued"), ("5223\x1f5223", "current\x1fdiscontinued")})


class Udp192Only(unittest.TestCase):
    @need(UDP192)
    def test_payloads_and_evidence(self):
        rows = fields(UDP192, ["frame.number", "udp.srcport", "udp.dstport", "data.data",
                               "applelegacy.port", "applelegacy.evidence"])
        self.assertEqual(len(rows), 10)
        for row in rows:
            self.assertEqual(row[1:3], ["52595", "192"])
            self.assertEqual(row[4:], ["192", "payload"])


class SynScan(unittest.TestCase):
    """nmap SYN scan: ports only, no payload evidence, never the scanner's port."""

    @need(SYNSCAN)
    def test_only_scanned_ports_no_payload_evidence(self):
        rows = fields(SYNSCAN, ["tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack",
                                "applelegacy.port", "applelegacy.evidence",
                                "applelegacy.observed"], "applelegacy")
        self.assertGreater(len(rows), 50)
        for sport, dport, syn, ack, port, evidence, observed in rows:
            server = dport if syn == "1" and ack == "0" else sport
            self.assertEqual(port.split("\x1f")[0], server)
            self.assertEqual(evidence.split("\x1f")[0], "port only")
            self.assertEqual(observed, "")
        scanned = {r[4].split("\x1f")[0] for r in rows}
        for port in ("106", "311", "625", "687", "3031", "3283", "3659", "4111", "5009"):
            self.assertIn(port, scanned)

    @need(SYNSCAN)
    def test_no_mismatch_without_payload(self):
        self.assertFalse([m for _, m in registry_experts(SYNSCAN) if "carries" in m])
        rows = json.loads(tshark(["-q", "-z", "applelegacy,report"], SYNSCAN).stdout)["rows"]
        self.assertFalse([r for r in rows if "protocol_mismatch" in r["warnings"]])


if __name__ == "__main__":
    unittest.main()


def report_json(capture):
    return json.loads(tshark(["-q", "-z", "applelegacy,report,json"] + HEURISTICS, capture).stdout)


ALL_CAPTURES = sorted(glob.glob(os.path.join(SHARED_CAPTURES, "*.pcap*")))


class EveryRealCapture(unittest.TestCase):
    """Every row of the default report answered; no prober is a server."""

    @unittest.skipUnless(ALL_CAPTURES, "../shared/captures not present")
    def test_rows_answered_and_no_scanner_is_a_server(self):
        for capture in ALL_CAPTURES:
            with self.subTest(capture=os.path.basename(capture)):
                report = report_json(capture)
                servers = {(r["server"], r["port"], r["transport"]) for r in report["rows"]}
                probers = {f["client"] for f in report["probes"]}
                self.assertFalse({s for s, _, _ in servers} & probers - {
                    r["server"] for r in report["rows"] if r["clients"]})
                for row in report["rows"]:
                    self.assertNotIn("unregistered_use", row["warnings"]
                                     if row["port"] == 5900 else [])
                    self.assertNotIn("protocol_mismatch", row["warnings"], row)


def need_file(name):
    path = os.path.join(SHARED_CAPTURES, name)
    return path, unittest.skipUnless(os.path.exists(path), "%s not present" % path)


SORADDANG, need_soraddang = need_file("soraddang-NETSECURITY--udp_scan.pcap")
VICTORIA, need_victoria = need_file("victorialugi-nmap--udp_scan.pcap")
AFP, need_afp = need_file("ntop-nDPI--afp.pcap")
METASPLOIT, need_metasploit = need_file("aazh94-metasploit--udp_scan.pcapng")
VNCMAC, need_vncmac = need_file("zeek-zeek--vncmac.pcap")
RADAR, need_radar = need_file("apple-oss-distributions-tcpdump--radar-33413692.pcap")


class Scans(unittest.TestCase):
    @need_soraddang
    def test_icmp_errors_reject_the_quoted_conversation(self):
        report = report_json(SORADDANG)
        self.assertEqual(report["rows"], [])
        [finding] = report["probes"]
        self.assertEqual((finding["client"], finding["server"], finding["ports_probed"],
                          finding["rejected"], finding["answered"]),
                         ("10.40.219.42", "10.40.201.225", 9, 9, 0))
        rows = fields(SORADDANG, ["frame.number", "applelegacy.state"], "icmp && applelegacy")
        self.assertTrue(rows and all(r[1] == "rejected" for r in rows), rows)

    @need_victoria
    def test_background_scans_of_high_ports_are_no_finding(self):
        # nmap's UDP scan of 626 and 3283 is the one finding; the internet's
        # SYNs to the scanner's own high ports (Xsan's range), answered by
        # RST, are none: the scanner is never a server
        report = report_json(VICTORIA)
        self.assertEqual(report["rows"], [])
        self.assertEqual([(f["client"], f["server"], f["ports_probed"], f["rejected"])
                          for f in report["probes"]],
                         [("10.129.0.4", "158.160.84.144", 2, 2)])
        notes = fields(VICTORIA, ["_ws.expert.message"], "applelegacy.expert.probe")
        self.assertEqual(len(notes), 1)
        self.assertIn("Probe of Apple ports: 10.129.0.4 sent to 158.160.84.144 UDP", notes[0][0])

    @need_metasploit
    def test_snquery_under_a_tftp_conversation_is_serialnumberd(self):
        # TFTP took it (an earlier probe's conversation); the registry decodes it
        rows = fields(METASPLOIT, ["serialnumberd", "applelegacy.observed"], "frame.number == 1960")
        self.assertEqual(rows, [["serialnumberd", "serialnumberd"]])


class AppleServices(unittest.TestCase):
    @need_afp
    def test_dsi_carries_afp(self):
        [row] = report_json(AFP)["rows"]
        self.assertEqual((row["port"], row["observed"], row["warnings"]), (548, "afp", []))

    @need_vncmac
    def test_screen_sharing_is_quiet(self):
        [row] = report_json(VNCMAC)["rows"]
        self.assertEqual((row["port"], row["warnings"]), (5900, []))

    @need_radar
    def test_apns_is_current_and_airports_are_inventoried(self):
        report = report_json(RADAR)
        [row] = report["rows"]
        self.assertEqual((row["port"], row["lifecycle"], row["warnings"]), (5223, "current", []))
        airports = [b for b in report["bonjour"] if b["service_type"] == "_airport._tcp"]
        self.assertEqual(len(airports), 13)
        self.assertEqual(sorted({b["firmware"] for b in airports}),
                         ["7.6.7", "7.6.8", "7.6.9", "7.7.8", "7.7.8f0 dev "])
        self.assertTrue(all(b["lifecycle"] == "discontinued" and b["port"] == 5009
                            for b in airports))


IP6FRAG, need_ip6frag = need_file("seladb-PcapPlusPlus--ip6_fragments.pcap")


class BonjourOverFragments(unittest.TestCase):
    @need_ip6frag
    def test_reassembled_ipv6_announcement(self):
        got = {(b["service_type"], b["port"]) for b in report_json(IP6FRAG)["bonjour"]}
        self.assertIn(("_afpovertcp._tcp", 548), got)
        self.assertIn(("_daap._tcp", 3689), got)


GOLDEN_REAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "real")


class GoldenReports(unittest.TestCase):
    """The whole default text report of every real capture, rendered from
    the model tshark prints (APPLELEGACY_REGEN_GOLDEN=1 rewrites them after a
    reviewed change)."""

    @unittest.skipUnless(ALL_CAPTURES, "../shared/captures not present")
    def test_reports_as_reviewed(self):
        for capture in ALL_CAPTURES:
            name = os.path.basename(capture) + ".txt"
            with self.subTest(capture=name):
                out = text_report(tshark(["-q", "-z", "applelegacy,report"] + HEURISTICS,
                                         capture).stdout)
                path = os.path.join(GOLDEN_REAL, name)
                if os.environ.get("APPLELEGACY_REGEN_GOLDEN"):
                    os.makedirs(GOLDEN_REAL, exist_ok=True)
                    with open(path, "w") as f:
                        f.write(out)
                self.assertTrue(os.path.exists(path), "no golden report %s" % path)
                with open(path) as f:
                    self.assertEqual(out, f.read())
