"""Real third-party captures from ../shared/captures (skipped when absent; never
copied into the project). See ../shared/captures/README."""
import os
import unittest

from harness import SHARED_CAPTURES, fields, tshark

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
        # one conversation: its warnings once, on its first frame, and nothing else
        # in the capture warns (APNS on 5223 is annotated quietly)
        self.assertEqual(registry_experts(ANYCONNECT), [
            (frames[0], "Traffic on abandoned port UDP 192: AirPort base station PPP status or "
                        "discovery is discontinued, last release unknown"),
            (frames[0], "UDP 192 is registered by IANA to osu-nms (OSU Network Monitoring "
                        "System), not to Apple's AirPort base station PPP status or discovery"),
        ])

    @need(ANYCONNECT)
    def test_nothing_else_is_annotated_as_legacy(self):
        rows = fields(ANYCONNECT, ["applelegacy.port", "applelegacy.lifecycle"], "applelegacy")
        ports = {(r[0], r[1]) for r in rows}
        # APNS shares 5223 with the discontinued 2010 iChat server row: both rows shown
        self.assertEqual(ports, {("192", "discontinued"), ("5223\x1f5223", "discontinued\x1fcurrent")})


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
        out = tshark(["-q", "-z", "applelegacy,report,json"], SYNSCAN).stdout
        self.assertNotIn("protocol_mismatch", out)


if __name__ == "__main__":
    unittest.main()
