"""-z applelegacy,report (the report model), its rendering as text by
tools/applelegacy_report.py, the order both give the rows, -z applelegacy,tree,
and the report tool tools/applelegacy-report, on built and on embedded
captures.

Golden files live in golden/; to regenerate them after an intended change,
run with APPLELEGACY_REGEN_GOLDEN=1 and review the diff."""
import json
import os
import struct
import subprocess
import tempfile
import unittest

from harness import SOURCE, BUILD, SYN, CaptureTestCase, Capture, frame, tshark, tshark_series

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
DEMO = os.path.join(SOURCE, "captures", "apple-legacy-demo.pcapng")
REPORT_TOOL = os.path.join(SOURCE, "tools", "applelegacy-report")
HELPER = os.path.join(SOURCE, "tools", "applelegacy_report.py")


def render(model, *args):
    """What the report tool's helper renders of one report model (tshark's
    -z applelegacy,report), as the capture "capture"."""
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        f.write(model)
        f.flush()
        return subprocess.run(["python3", HELPER, "render"] + list(args)
                              + ["--report", "capture", f.name],
                              capture_output=True, text=True, check=True).stdout


def text_report(model):
    """The text report of one model: what tools/applelegacy-report prints
    after its "Capture:" line, without the empty line that ends it."""
    out = render(model, "--format", "text")
    assert out.startswith("Capture: capture\n") and out.endswith("\n\n"), out
    return out[len("Capture: capture\n"):-1]

C1, C2, S1, S2 = "10.0.0.5", "10.0.0.6", "10.0.0.9", "10.0.0.10"
TLS_HELLO = bytes.fromhex("160301002f0100002b0303") + b"\x00" * 32 + bytes.fromhex("000002002f0100")


def basic_capture():
    """Frames 1-7 and 8-14: two clients of Server Admin on 660; 15-16 an ARD
    probe and answer; 17-23 TLS on 625 (a mismatch); 24-30 HTTPS (quiet)."""
    cap = Capture()
    cap.tcp_session(C1, S1, 40000, 660, [(True, b"\x00\x01")])
    cap.tcp_session(C2, S1, 40001, 660, [(True, b"\x00\x02\x03")])
    cap.udp(C1, S1, 41000, 3283, b"\x00\x14\x00\x01\x03")
    cap.udp(S1, C1, 3283, 41000, b"\x00\x01\x00\x04abcd")
    cap.tcp_session(C1, S2, 40002, 625, [(True, TLS_HELLO)])
    cap.tcp_session(C1, S2, 40003, 443, [(True, TLS_HELLO)])
    return cap


def check_golden(test, name, actual):
    path = os.path.join(GOLDEN, name)
    if os.environ.get("APPLELEGACY_REGEN_GOLDEN"):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w") as f:
            f.write(actual)
    with open(path) as f:
        test.assertEqual(actual, f.read())


class Report(CaptureTestCase):
    def test_text_report(self):
        out = text_report(tshark(["-q", "-z", "applelegacy,report"],
                                 self.write(basic_capture())).stdout)
        check_golden(self, "report-basic.txt", out)
        lines = out.splitlines()
        self.assertIn("3 service endpoints, 4 conversations, 23 packets", lines)
        # most concerning first: the mismatch, then the abandoned port, then the rest
        self.assertEqual([l.split()[:2] for l in lines[5:8]],
                         [["10.0.0.10", "tcp/625"], ["10.0.0.9", "tcp/660"], ["10.0.0.9", "udp/3283"]])

    def test_json_report(self):
        cap = self.write(basic_capture())
        out = tshark(["-q", "-z", "applelegacy,report,json"], cap).stdout
        # ",json" asks for what -z applelegacy,report prints anyway
        self.assertEqual(tshark(["-q", "-z", "applelegacy,report"], cap).stdout, out)
        report = json.loads(out)
        self.assertEqual(list(report), ["report", "scope", "warnings", "states", "rows", "probes",
                                        "bonjour"])
        self.assertEqual(report["scope"], "apple")
        # the registry's own warnings, in report order (no ard event was raised)
        self.assertEqual(report["warnings"], [
            {"key": "protocol_mismatch", "title": "Protocol mismatch", "weight": 64},
            {"key": "abandoned", "title": "Abandoned port", "weight": 8},
            {"key": "registered_to_other", "title": "Registered to another service", "weight": 4},
            {"key": "unregistered_use", "title": "Unregistered use", "weight": 2},
            {"key": "unassigned", "title": "Unassigned port", "weight": 1}])
        self.assertEqual(report["states"], [
            {"name": "no answer", "answered": False}, {"name": "rejected", "answered": False},
            {"name": "answered", "answered": True}, {"name": "established", "answered": True},
            {"name": "data exchanged", "answered": True}])
        self.assertEqual([(r["server"], r["transport"], r["port"]) for r in report["rows"]],
                         [("10.0.0.10", "tcp", 625), ("10.0.0.9", "tcp", 660),
                          ("10.0.0.9", "udp", 3283)])
        admin = report["rows"][1]
        self.assertEqual(admin, {
            "server": "10.0.0.9", "port": 660, "transport": "tcp", "service": "MacOS Server Admin",
            "iana_name": "mac-srvr-admin", "registration": "apple", "lifecycle": "discontinued",
            "last_seen_in": "Mac OS X Server 10.4", "expected": "", "observed": "unknown",
            "clients": 2, "conversations": 2, "packets": 14, "bytes": 761,
            "first_seen": "2026-01-01T00:00:00.000000Z", "last_seen": "2026-01-01T00:00:00.130000Z",
            "client_addresses": ["10.0.0.5", "10.0.0.6"],
            # both sessions: handshake and the client's data, no reply data
            "states": {"established": 2}, "rank": 8, "warnings": ["abandoned"]})
        self.assertEqual(report["rows"][0]["observed"], "tls")
        self.assertEqual(report["rows"][0]["warnings"],
                         ["protocol_mismatch", "registered_to_other", "unregistered_use"])
        self.assertEqual([r["rank"] for r in report["rows"]], [70, 8, 0])

    def test_ard_amplification_is_counted(self):
        # a 5-byte GET_INFO probe answered with 1006 bytes (code 1, length 1002)
        answer = bytearray(1006)
        answer[0:6] = bytes.fromhex("000103ea0031")
        cap = Capture().udp(C1, S1, 41000, 3283, b"\x00\x14\x00\x01\x03")
        cap.udp(S1, C1, 3283, 41000, bytes(answer))
        report = json.loads(tshark(["-q", "-z", "applelegacy,report"], self.write(cap)).stdout)
        self.assertEqual([(r["port"], r["observed"], r["rank"], r["warnings"])
                          for r in report["rows"]], [(3283, "ard", 32, ["ard_amplification"])])
        # the event's key, title and weight, in the table in report order
        self.assertEqual([w["key"] for w in report["warnings"]][:3],
                         ["protocol_mismatch", "ard_amplification", "abandoned"])
        self.assertEqual(report["warnings"][1],
                         {"key": "ard_amplification", "title": "ARD amplification", "weight": 32})
        # without the ard plugin's events the row has no warning, the table no ard entry
        out = tshark(["-q", "--disable-protocol", "ard", "-z", "applelegacy,report"],
                     self.path("test.pcap")).stdout
        self.assertEqual(json.loads(out)["rows"][0]["warnings"], [])
        self.assertNotIn("ard_amplification", [w["key"] for w in json.loads(out)["warnings"]])

    def test_ard_many_sources_is_counted(self):
        # five requesters of one responder: amplification on each conversation,
        # many sources once, all on the responder's row
        from test_ard import NMAP_PROBE, RESPONDER, answer
        cap = Capture()
        for i in range(5):
            cap.udp("127.0.0.%d" % (101 + i), RESPONDER, 41000 + i, 3283, NMAP_PROBE)
            cap.udp(RESPONDER, "127.0.0.%d" % (101 + i), 3283, 41000 + i, answer())
        report = json.loads(tshark(["-q", "-z", "applelegacy,report"], self.write(cap)).stdout)
        self.assertEqual([(r["server"], r["port"], r["clients"], r["rank"], r["warnings"])
                          for r in report["rows"]],
                         [(RESPONDER, 3283, 5, 48, ["ard_amplification", "ard_many_sources"])])
        self.assertIn({"key": "ard_many_sources", "title": "ARD many sources", "weight": 16},
                      report["warnings"])

    def test_disabled_registry_reports_nothing(self):
        # applelegacy disabled: no frame is annotated, so the report's tap
        # gets nothing (libwireshark would hide the tree and expert items of a
        # disabled protocol, but not the tap records)
        out = tshark(["-q", "--disable-protocol", "applelegacy", "-z", "applelegacy,report,json"],
                     self.write(basic_capture())).stdout
        self.assertEqual(json.loads(out)["rows"], [])
        out = tshark(["-q", "-z", "applelegacy,report,json"], self.path("test.pcap")).stdout
        self.assertEqual(len(json.loads(out)["rows"]), 3)

    def test_report_with_filter_and_scope(self):
        cap = self.write(basic_capture())
        out = tshark(["-q", "-z", "applelegacy,report,json,ip.src==10.0.0.6"], cap).stdout
        rows = json.loads(out)["rows"]
        # the second client's SYN, ACK, data, FIN and last ACK
        self.assertEqual([(r["port"], r["packets"]) for r in rows], [(660, 5)])
        out = tshark(["-q", "-o", "applelegacy.scope:all", "-z", "applelegacy,report,json"], cap).stdout
        self.assertEqual(sorted(r["port"] for r in json.loads(out)["rows"]), [443, 625, 660, 3283])

    def test_bad_report_argument(self):
        """One line on stderr and no report. Only from 4.6 on can a -z
        statistic refuse its argument; before, tshark goes on (exit status 0)
        without the report, as the plugin neither exits nor aborts."""
        cap = self.write(basic_capture())
        refused = tshark_series() >= (4, 6)
        for arg, message in (
                ("applelegacy,reportx", 'tshark: invalid "-z applelegacy,reportx": expected -z '
                                        'applelegacy,report[,json][,FILTER]\n'),
                ("applelegacy,report,jsonx", 'tshark: cannot start -z applelegacy,report: '),
                ("applelegacy,report,ip.src==", "tshark: cannot start -z applelegacy,report: ")):
            with self.subTest(arg=arg):
                proc = tshark(["-q", "-z", arg], cap, check=False)
                self.assertEqual(proc.returncode != 0, refused, proc.stderr)
                self.assertEqual(proc.stdout, "")
                self.assertTrue(proc.stderr.startswith(message), proc.stderr)
                self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)

    def test_stats_tree(self):
        import re
        out = tshark(["-q", "-z", "applelegacy,tree"], self.write(basic_capture())).stdout
        # The menu path separator prints as "/" in 4.0 and " / " from 4.2 on.
        self.assertRegex(out, r"Apple Legacy Ports ?/ ?By registration, lifecycle and service:")
        counts = {}
        for line in out.splitlines():
            m = re.match(r"^(\s*)(\S.*?)\s{2,}(\d+)\s", line)
            if m:
                counts[(len(m.group(1)), m.group(2))] = int(m.group(3))
        self.assertEqual(counts[(0, "Apple legacy port packets by registration")], 23)
        self.assertEqual(counts[(1, "apple")], 16)
        self.assertEqual(counts[(3, "MacOS Server Admin")], 14)
        self.assertEqual(counts[(3, "Net Assistant")], 2)
        self.assertEqual(counts[(1, "other")], 7)
        self.assertEqual(counts[(3, "Directory Service Proxy (DSProxy)")], 7)


def dns_name(*labels):
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\0"


def announcement(instance, service_type, host, port, address):
    """An mDNS response advertising one service instance (PTR, SRV, A)."""
    kind = service_type.split(".")
    inst = dns_name(instance.encode(), *(k.encode() for k in kind), b"local")
    svc = dns_name(*(k.encode() for k in kind), b"local")
    target = dns_name(host.encode(), b"local")
    srv = struct.pack("!HHH", 0, 0, port) + target
    rr = [svc + struct.pack("!HHIH", 12, 1, 4500, len(inst)) + inst,
          inst + struct.pack("!HHIH", 33, 0x8001, 120, len(srv)) + srv,
          target + struct.pack("!HHIH", 1, 0x8001, 120, 4) + bytes(int(x) for x in
                                                                    address.split("."))]
    return struct.pack("!HHHHHH", 0, 0x8400, 0, len(rr), 0, 0) + b"".join(rr)


C3, C4, C5, S3, S4 = "10.0.0.7", "10.0.0.8", "10.0.0.20", "10.0.0.12", "10.0.0.11"


def order_capture():
    """Rows, probe findings and Bonjour entries that only the later keys of
    the order rules tell apart (docs/reports.md, "Order")."""
    cap = Capture()
    # rank 8 (abandoned): the most packets first, then by server address as
    # text ("10.0.0.10" before "10.0.0.9")
    cap.tcp_session(C1, S1, 40000, 660, [(True, b"\x00\x01")])
    cap.tcp_session(C1, S2, 40001, 660, [(True, b"\x00\x01")])
    cap.tcp_session(C1, S3, 40002, 660, [(True, b"\x00\x01"), (False, b"\x00\x02"),
                                         (True, b"\x00\x03")])
    # rank 72 (SSH where Server Admin was, abandoned), 7 packets each: by port
    for port in (687, 660):
        cap.tcp_session(C2, S4, 40003, port, [(False, b"SSH-2.0-OpenSSH_9.6\r\n")])
    # rank 0, 7 packets each: by transport
    cap.tcp_session(C2, S1, 40005, 3283, [(True, b"\x00\x01")])
    for i in range(7):
        cap.udp(C2, S1, 40006, 3283, b"hello") if i % 2 == 0 else \
            cap.udp(S1, C2, 3283, 40006, b"hello")
    # probe findings: two ports first, then one port each, by client and
    # server as text ("10.0.0.20" before "10.0.0.8")
    for client, server, port in ((C4, S2, 311), (C3, S2, 687), (C3, S2, 311), (C4, S1, 687),
                                 (C5, S1, 311)):
        cap.add(frame(client, server, 44000, port, flags=SYN))
    # Bonjour: the discontinued base station first, then by service type
    for inst, svc, host, port, addr in (("Music", "_daap._tcp", "mac-b", 3689, "10.0.1.3"),
                                        ("Files", "_afpovertcp._tcp", "mac-a", 548, "10.0.1.2"),
                                        ("Base", "_airport._tcp", "base", 5009, "10.0.1.1")):
        cap.udp(addr, "224.0.0.251", 5353, 5353, announcement(inst, svc, host, port, addr))
    return cap


class Order(CaptureTestCase):
    """report.c orders one capture's model, tools/applelegacy_report.py the
    merged models, by the same rules: the tool's merge of one model is the
    model itself, in the same order."""
    maxDiff = None

    def check_same_order(self, model_text):
        model = json.loads(model_text)
        # the model as it is, and its lists reversed: the tool orders them
        backwards = dict(model, **{k: model[k][::-1] for k in ("warnings", "rows", "probes",
                                                               "bonjour")})
        for given in (model_text, json.dumps(backwards)):
            merged = json.loads(render(given, "--format", "json"))
            self.assertEqual(merged["captures"], ["capture"])
            for r in merged["rows"]:
                self.assertEqual(r.pop("captures"), ["capture"])
            for key in ("warnings", "states", "rows", "probes", "bonjour"):
                self.assertEqual(merged[key], model[key], key)
        # --separate renders the model as it is: the same text
        self.assertEqual(render(model_text, "--format", "text", "--separate"),
                         render(model_text, "--format", "text"))
        return model

    def test_every_key_of_the_rules(self):
        model = self.check_same_order(tshark(["-q", "-z", "applelegacy,report"],
                                             self.write(order_capture())).stdout)
        self.assertEqual([(r["server"], r["transport"], r["port"], r["rank"], r["packets"])
                          for r in model["rows"]],
                         [(S4, "tcp", 660, 72, 7), (S4, "tcp", 687, 72, 7),
                          (S3, "tcp", 660, 8, 9), (S2, "tcp", 660, 8, 7), (S1, "tcp", 660, 8, 7),
                          (S1, "tcp", 3283, 0, 7), (S1, "udp", 3283, 0, 7)])
        self.assertEqual([(f["client"], f["server"], f["ports_probed"]) for f in model["probes"]],
                         [(C3, S2, 2), (C5, S1, 1), (C4, S2, 1), (C4, S1, 1)])
        self.assertEqual([(b["service_type"], b["rank"]) for b in model["bonjour"]],
                         [("_airport._tcp", 2), ("_afpovertcp._tcp", 0), ("_daap._tcp", 0)])

    def test_demo_and_basic(self):
        self.check_same_order(tshark(["-q", "-z", "applelegacy,report"], DEMO).stdout)
        self.check_same_order(tshark(["-q", "-z", "applelegacy,report"],
                                     self.write(basic_capture())).stdout)


class DemoCapture(unittest.TestCase):
    maxDiff = None

    def test_demo_report_golden(self):
        out = tshark(["-q", "-z", "applelegacy,report,json"], DEMO).stdout
        rows = json.loads(out)["rows"]
        summary = "".join("%s %s/%d %s observed=%s warnings=%s\n" % (
            r["server"], r["transport"], r["port"], r["service"], r["observed"],
            ",".join(r["warnings"])) for r in rows)
        check_golden(self, "demo-report.txt", summary)

    def test_demo_mismatches(self):
        rows = json.loads(tshark(["-q", "-z", "applelegacy,report,json"], DEMO).stdout)["rows"]
        mismatches = {(r["port"], r["observed"]) for r in rows if "protocol_mismatch" in r["warnings"]}
        self.assertIn((660, "ssh"), mismatches)
        self.assertIn((625, "tls"), mismatches)

    def test_demo_benign_traffic_untouched(self):
        # DNS, HTTPS and the client at 52000 talking to 8080 are never annotated
        rows = tshark(["-T", "fields", "-e", "frame.number", "-e", "applelegacy.port"], DEMO).stdout
        annotated = {int(f) for f, p in (l.split("\t") for l in rows.splitlines()) if p}
        self.assertFalse(annotated & set(range(1, 33)))  # frames 1-32: DNS, HTTPS, 8080


class ReportTool(CaptureTestCase):
    def run_tool(self, *args):
        env = dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD)
        return subprocess.run([REPORT_TOOL] + list(args), capture_output=True, text=True, env=env)

    def test_default_is_the_demo_capture(self):
        proc = self.run_tool()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(proc.stdout.startswith("Capture: %s\n" % DEMO))
        self.assertIn("Apple Legacy Port Registry report (scope: apple)", proc.stdout)

    def test_json_and_several_captures(self):
        cap = self.write(basic_capture())
        proc = self.run_tool("--json", DEMO, cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        report = json.loads(proc.stdout)  # one merged report (test_report_tool.py)
        self.assertEqual(report["captures"], [DEMO, cap])
        self.assertEqual(len(report["rows"]), 12)
        proc = self.run_tool("--json", "--separate", DEMO, cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        reports = json.loads(proc.stdout)
        self.assertEqual([r["capture"] for r in reports], [DEMO, cap])
        self.assertEqual(len(reports[1]["rows"]), 3)

    def test_bad_inputs_one_line_and_exit_2(self):
        text = self.path("notes.txt")
        with open(text, "w") as f:
            f.write("hello\n")
        empty = self.path("empty.pcap")
        open(empty, "w").close()
        truncated = self.path("cut.pcapng")
        with open(DEMO, "rb") as f, open(truncated, "wb") as g:
            g.write(f.read()[:20000])
        cases = [
            (self.path("missing.pcap"), "no such file"),
            (text, "not a network capture (wiretap sees: MP4 files)"),
            (empty, "empty file, not a capture"),
            (truncated, "truncated capture (cut short in the middle of a packet)"),
        ]
        for path, message in cases:
            with self.subTest(path=path):
                proc = self.run_tool(path)
                self.assertEqual(proc.returncode, 2)
                self.assertEqual(proc.stdout, "")
                self.assertEqual(proc.stderr.count("\n"), 1, proc.stderr)
                self.assertEqual(proc.stderr, "applelegacy-report: %s: %s\n" % (path, message))

    def test_bad_option(self):
        proc = self.run_tool("--scope", "everything")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, "applelegacy-report: unknown scope 'everything': "
                                      "use apple, all or legacy\n")


if __name__ == "__main__":
    unittest.main()
