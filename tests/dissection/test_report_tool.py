"""tools/applelegacy-report beyond one capture: --write (pcapng packet
comments, checked with stock tshark, without our plugins), --csv, one merged
report of several captures or folders, -j N, --separate, and its errors.

Golden files live in golden/; to regenerate them after an intended change,
run with APPLELEGACY_REGEN_GOLDEN=1 and review the diff."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

from harness import SOURCE, BUILD, TSHARK, CaptureTestCase, Capture, tshark

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
DEMO_REL = os.path.join("captures", "apple-legacy-demo.pcapng")
DEMO = os.path.join(SOURCE, DEMO_REL)
REPORT_TOOL = os.path.join(SOURCE, "tools", "applelegacy-report")

C1, C2, S1 = "10.0.0.5", "10.0.0.6", "10.0.0.9"


def check_golden(test, name, actual):
    path = os.path.join(GOLDEN, name)
    if os.environ.get("APPLELEGACY_REGEN_GOLDEN"):
        with open(path, "w") as f:
            f.write(actual)
    with open(path) as f:
        test.assertEqual(actual, f.read())


def run_tool(*args, env=None, cwd=None):
    """Text output as is (not text=True, which would turn the CSV's CRLF into LF)."""
    full_env = dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD, **(env or {}))
    proc = subprocess.run([REPORT_TOOL] + list(args), capture_output=True, env=full_env, cwd=cwd)
    proc.stdout, proc.stderr = proc.stdout.decode(), proc.stderr.decode()
    return proc


def stock_comments(capture):
    """{frame number: [comments]} as stock tshark (none of our plugins) reads them."""
    env = dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD, APPLELEGACY_STOCK="1")
    with open(capture, "rb") as f:
        proc = subprocess.run([TSHARK, "-r", "-", "-T", "json", "-e", "frame.number", "-e",
                               "frame.comment", "-Y", "frame.comment"], stdin=f,
                              capture_output=True, text=True, env=env, check=True)
    packets = json.loads(proc.stdout)
    return {int(p["_source"]["layers"]["frame.number"][0]): p["_source"]["layers"]["frame.comment"]
            for p in packets}


def stock_hex(capture):
    env = dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD, APPLELEGACY_STOCK="1")
    with open(capture, "rb") as f:
        return subprocess.run([TSHARK, "-r", "-", "-x"], stdin=f, capture_output=True,
                              text=True, env=env, check=True).stdout


def editcap(*args):
    subprocess.run(["editcap"] + list(args), check=True, capture_output=True)


def comments_text(comments):
    return "".join("%d\t%s\n" % (n, c) for n in sorted(comments) for c in comments[n])


# The frames of the demo capture that carry our warnings (see golden/demo-comments.txt).
DEMO_FLAGGED = [34, 52, 64, 66, 82, 84, 105, 115, 117, 119, 127, 133, 134, 143, 144]


class Write(CaptureTestCase):
    maxDiff = None

    def test_demo_comments_with_stock_tshark(self):
        out = self.path("annotated.pcapng")
        proc = run_tool("--write", out, DEMO)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "applelegacy-report: wrote %s: 23 comments on 15 frames\n"
                         % out)
        self.assertIn("Apple Legacy Port Registry report (scope: apple)", proc.stdout)
        comments = stock_comments(out)
        self.assertEqual(sorted(comments), DEMO_FLAGGED)
        self.assertEqual(comments[84], ["applelegacy: [Security/Warning] TCP 660 carries SSH; "
                                        "MacOS Server Admin (mac-srvr-admin) expected"])
        self.assertEqual(comments[115], [
            "applelegacy/ard: [Security/Warning] ARD reflection/amplification: 127.0.0.17 sent "
            "1006 bytes for 5 received (ratio 201.2)"])
        # a Security Note of an Apple dissector on the request; the registry's
        # three warnings on the reply, where the service answered
        self.assertEqual(comments[143], ["applelegacy/serialnumberd: [Security/Note] Server "
                                         "serial number sent in clear: AAAAAA"])
        self.assertEqual(len(comments[144]), 3)
        check_golden(self, "demo-comments.txt", comments_text(comments))
        # the same packets, bytes for bytes, and a pcapng file
        self.assertEqual(stock_hex(out), stock_hex(DEMO))
        info = subprocess.run(["capinfos", "-t", "-c", out], capture_output=True, text=True)
        self.assertIn("pcapng", info.stdout)
        self.assertIn("Number of packets:   144", info.stdout)

    def test_pcap_input_and_comments_the_frame_had(self):
        # a pcap input with an analyst's comment on frame 84: pcap has no
        # comments, so make it pcapng first, then write pcap-free pcapng
        commented = self.path("commented.pcapng")
        editcap("-T", "ether", "-a", "84:analyst: look here", DEMO, commented)
        plain = self.path("plain.pcap")
        editcap("-T", "ether", "-F", "pcap", DEMO, plain)
        out1, out2 = self.path("out1.pcapng"), self.path("out2.pcapng")
        proc = run_tool("--write", out1, commented)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = run_tool("--write", out2, plain)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with_note, without = stock_comments(out1), stock_comments(out2)
        self.assertEqual(with_note[84][0], "analyst: look here")
        self.assertEqual(with_note[84][1:], without[84])
        del with_note[84][0]
        self.assertEqual(with_note, without)
        self.assertEqual(sorted(without), DEMO_FLAGGED)

    def test_quiet_capture_gives_a_copy_without_comments(self):
        cap = self.write(Capture().tcp_session(C1, S1, 40000, 443, [(True, b"hello")]))
        out = self.path("quiet.pcapng")
        proc = run_tool("--write", out, cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "applelegacy-report: wrote %s: 0 comments on 0 frames\n" % out)
        self.assertEqual(stock_comments(out), {})
        self.assertEqual(stock_hex(out), stock_hex(cap))

    def test_other_notes_are_not_flagged(self):
        # an AirPort probe on UDP 192 and its answer: the apdisc plugin's
        # Assumption Note is not a finding; the registry's two warnings are,
        # on the answer
        cap = self.write(Capture().udp(C1, S1, 41000, 192, b"\x10\x01\x03\x10")
                         .udp(S1, C1, 192, 41000, b"\x10\x01\x03\x10"))
        notes = tshark(["-T", "fields", "-e", "_ws.expert.message", "-Y",
                        "apdisc.expert.low_confidence"], cap).stdout
        self.assertTrue(notes.startswith("AirPort base-station probe (UDP 192): "), notes)
        out = self.path("probe.pcapng")
        proc = run_tool("--write", out, cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(stock_comments(out), {2: [
            "applelegacy: [Deprecated/Warning] Traffic on abandoned port UDP 192: AirPort base "
            "station PPP status or discovery is discontinued, last release unknown",
            "applelegacy: [Assumption/Warning] UDP 192 is registered by IANA to osu-nms (OSU "
            "Network Monitoring System), not to Apple's AirPort base station PPP status or "
            "discovery"]})

    def test_unanswered_probe_is_a_note_not_a_warning(self):
        # the same probe unanswered, twice: no warning, the probe finding's
        # Security Note on the second
        cap = self.write(Capture().udp(C1, S1, 41000, 192, b"\x10\x01\x03\x10")
                         .udp(C1, S1, 41000, 192, b"\x10\x01\x03\x10"))
        out = self.path("probe.pcapng")
        proc = run_tool("--write", out, cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(stock_comments(out), {2: [
            "applelegacy: [Security/Note] Probe of Apple ports: %s sent to %s UDP 192 (AirPort "
            "base station PPP status or discovery), no answer; every port it probed there is in "
            "the report's probe findings" % (C1, S1)]})

    def test_apple_heuristics_on(self):
        """The tool turns on the Apple heuristics (off in Wireshark by
        default): an unsolicited ARD answer between two ports Apple never
        used is found, and its amplification warning is a finding."""
        from test_ard import answer
        cap = self.write(Capture().udp(S1, C1, 41000, 41001, answer(total=360)))
        self.assertEqual(tshark(["-T", "fields", "-e", "frame.protocols"], cap).stdout,
                         "eth:ethertype:ip:udp:data\n")
        out = self.path("ard.pcapng")
        proc = run_tool("--write", out, cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(stock_comments(out), {1: [
            "applelegacy/ard: [Security/Warning] ARD reflection/amplification: %s sent 360 bytes "
            "for 0 received (unsolicited response to %s, no request seen)" % (S1, C1)]})


class Csv(unittest.TestCase):
    maxDiff = None

    def test_demo_csv_golden(self):
        proc = run_tool("--csv", DEMO_REL, cwd=SOURCE)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # RFC 4180: every line ends in CRLF (the golden file keeps LF)
        lines = proc.stdout.split("\r\n")
        self.assertEqual(lines[-1], "")
        self.assertNotIn("\n", "".join(lines))
        check_golden(self, "demo-report.csv", proc.stdout.replace("\r\n", "\n"))
        self.assertEqual(lines[0], "section,capture,server,port,transport,service,iana_name,"
                                   "registration,lifecycle,last_seen_in,expected,observed,clients,"
                                   "conversations,states,packets,bytes,first_seen,last_seen,"
                                   "warnings,client,ports_probed,answered,rejected,no_answer,"
                                   "probed,target,addresses,service_type,instance,model,firmware,"
                                   "announcements")
        self.assertEqual(lines[7], 'service,captures/apple-legacy-demo.pcapng,127.0.0.11,311,tcp,'
                                   '"Server Admin, Workgroup Manager, Server Monitor, Xsan Admin",'
                                   'asip-webadmin,apple,discontinued,,tls,tls,1,1,data exchanged,'
                                   '18,3734,2026-11-23T16:33:31.048937Z,'
                                   '2026-11-23T16:33:31.056011Z,abandoned' + "," * 13)
        self.assertEqual(len(lines), 11)  # header, 9 rows, and the empty rest after the last CRLF


class CsvSections(CaptureTestCase):
    def test_probe_and_bonjour_rows(self):
        from test_conn_state import airport_announcement, icmp_unreachable
        from harness import frame
        probe = frame(C1, S1, 40000, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr", proto="udp")
        cap = self.write(Capture().add(probe).add(icmp_unreachable(probe))
                         .udp("10.0.1.1", "224.0.0.251", 5353, 5353, airport_announcement()))
        proc = run_tool("--csv", cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rows = list(csv.DictReader(io.StringIO(proc.stdout)))
        self.assertEqual([r["section"] for r in rows], ["probe", "bonjour"])
        self.assertEqual({k: rows[0][k] for k in ("client", "server", "ports_probed", "rejected",
                                                   "probed")},
                         {"client": C1, "server": S1, "ports_probed": "1", "rejected": "1",
                          "probed": "udp/626 serialnumberd (rejected)"})
        self.assertEqual({k: rows[1][k] for k in ("target", "addresses", "service_type", "port",
                                                   "lifecycle", "model", "firmware")},
                         {"target": "Base-Station-1.local", "addresses": "10.0.1.1",
                          "service_type": "_airport._tcp", "port": "5009",
                          "lifecycle": "discontinued", "model": "AirPort7,120",
                          "firmware": "7.6.8"})


class Merge(CaptureTestCase):
    maxDiff = None

    def two_captures(self):
        """a: C1 on 660 at 00:00; b: C1 and C2 on 660 an hour later."""
        a = self.write(Capture().tcp_session(C1, S1, 40000, 660, [(True, b"\x00\x01")]), "a.pcap")
        b0 = self.write(Capture().tcp_session(C1, S1, 40001, 660, [(True, b"\x00\x02")])
                        .tcp_session(C2, S1, 40002, 660, [(True, b"\x00\x03\x04")]), "b0.pcap")
        b = self.path("b.pcap")
        editcap("-t", "3600", b0, b)
        return a, b

    def test_clients_counted_once_and_counts_summed(self):
        a, b = self.two_captures()
        proc = run_tool("--json", a, b)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        report = json.loads(proc.stdout)
        self.assertEqual(report["captures"], [a, b])
        self.assertEqual(report["rows"], [{
            "server": S1, "port": 660, "transport": "tcp", "service": "MacOS Server Admin",
            "iana_name": "mac-srvr-admin", "registration": "apple", "lifecycle": "discontinued",
            "last_seen_in": "Mac OS X Server 10.4", "expected": "", "observed": "unknown",
            "clients": 2, "conversations": 3, "packets": 21, "bytes": 1141,
            "first_seen": "2026-01-01T00:00:00.000000Z", "last_seen": "2026-01-01T01:00:00.130000Z",
            "client_addresses": [C1, C2], "states": {"established": 3}, "rank": 8,
            "warnings": ["abandoned"], "captures": [a, b]}])
        # the tables of the models, as tshark printed them
        model = json.loads(tshark(["-q", "-z", "applelegacy,report"], a).stdout)
        self.assertEqual((report["warnings"], report["states"]),
                         (model["warnings"], model["states"]))
        text = run_tool(a, b).stdout
        self.assertTrue(text.startswith("Capture: %s\nCapture: %s\n====" % (a, b)), text)
        self.assertIn("\n1 service endpoints, 3 conversations, 21 packets\n", text)
        # the old behaviour: one report a capture
        separate = json.loads(run_tool("--json", "--separate", a, b).stdout)
        self.assertEqual([(r["capture"], r["rows"][0]["clients"], r["rows"][0]["packets"])
                          for r in separate], [(a, 1, 7), (b, 2, 14)])

    def test_demo_split_in_two_merges_back(self):
        first, second = self.path("1-80.pcapng"), self.path("81-144.pcapng")
        editcap("-T", "ether", "-r", DEMO, first, "1-80")
        editcap("-T", "ether", DEMO, second, "1-80")
        whole = json.loads(run_tool("--json", DEMO).stdout)["rows"]
        merged = json.loads(run_tool("--json", first, second).stdout)["rows"]
        captures = {r["server"]: r.pop("captures") for r in merged}
        self.assertEqual(captures, {
            "127.0.0.11": [first], "127.0.0.12": [first], "127.0.0.19": [first],
            "127.0.0.13": [second], "127.0.0.14": [second], "127.0.0.15": [second],
            "127.0.0.16": [second], "127.0.0.17": [second], "127.0.0.18": [second]})
        for r in whole:
            r.pop("captures", None)
        self.assertEqual(merged, whole)

    def test_demo_twice(self):
        # the same file twice is read once: its packets are not counted twice
        once = json.loads(run_tool("--json", DEMO).stdout)
        proc = run_tool("--json", DEMO, DEMO)
        self.assertEqual(json.loads(proc.stdout), once)
        self.assertEqual(proc.stderr, "applelegacy-report: %s is the same file as %s: read once\n"
                         % (DEMO, DEMO))

    def test_copy_of_the_demo_is_another_capture(self):
        # a copy is another file: both are read (the tool cannot know)
        copy = self.path("copy.pcapng")
        shutil.copy(DEMO, copy)
        once = json.loads(run_tool("--json", DEMO).stdout)["rows"]
        twice = json.loads(run_tool("--json", DEMO, copy).stdout)["rows"]
        self.assertEqual(len(twice), 9)
        for one, two in zip(once, twice):
            self.assertEqual((two["clients"], two["client_addresses"]),
                             (one["clients"], one["client_addresses"]))
            self.assertEqual([two[k] for k in ("conversations", "packets", "bytes")],
                             [2 * one[k] for k in ("conversations", "packets", "bytes")])
            self.assertEqual(two["captures"], [DEMO, copy])


class Folders(CaptureTestCase):
    def test_folder_recursive_and_jobs(self):
        folder = os.path.join(self.tmp, "case")
        os.makedirs(os.path.join(folder, "sub"))
        shutil.copy(DEMO, os.path.join(folder, "sub", "demo.pcapng"))
        Capture().tcp_session(C1, S1, 40000, 660, [(True, b"\x00\x01")]).write(
            os.path.join(folder, "B.PCAP"))
        Capture().udp(C2, S1, 41000, 3283, b"\x00\x14\x00\x01\x03").write(
            os.path.join(folder, "a.cap"))
        with open(os.path.join(folder, "notes.txt"), "w") as f:
            f.write("not a capture\n")
        one = run_tool("-j1", folder, DEMO)
        three = run_tool("--jobs=3", folder, DEMO)
        self.assertEqual(one.returncode, 0, one.stderr)
        self.assertEqual(one.stdout, three.stdout)
        captures = [os.path.join(folder, n) for n in ("B.PCAP", "a.cap", "sub/demo.pcapng")]
        self.assertEqual(one.stdout.splitlines()[:4],
                         ["Capture: %s" % c for c in captures + [DEMO]])
        self.assertIn("\n10 service endpoints, 19 conversations, 231 packets\n", one.stdout)


class Readme(unittest.TestCase):
    """The README's first command and its output, as the tool prints it: every
    line it shows is the tool's (the checkout's path aside), its service
    table is the tool's with the columns it says it leaves out left out."""
    maxDiff = None

    def test_first_command_output(self):
        sys.path.insert(0, os.path.join(SOURCE, "tools"))
        import applelegacy_report as helper
        with open(os.path.join(SOURCE, "README.md")) as f:
            readme = f.read()
        block = readme.split("```\ntools/applelegacy-report\n```\n\n```\n", 1)[1]
        shown = block.split("```", 1)[0].splitlines()
        proc = run_tool()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        printed = proc.stdout.replace(SOURCE, "/path/to/checkout").splitlines()
        start = next(i for i, line in enumerate(shown) if line.startswith("Server "))
        end = next(i for i, line in enumerate(shown) if line.startswith("Probe findings"))
        # the lines around the table, in the tool's order
        rest = iter(printed)
        for line in shown[:start] + shown[end:]:
            self.assertIn(line, rest)
        # the table: the tool's cells of the columns shown, laid out by the renderer
        titles = re.split(r"\s{2,}", shown[start])
        self.assertEqual(set(helper.TEXT_TITLES) - set(titles),
                         {"Clients", "Conv", "Packets", "Bytes", "First seen (UTC)",
                          "Last seen (UTC)"})
        columns = [helper.TEXT_TITLES.index(t) for t in titles]
        rows = json.loads(run_tool("--json").stdout)["rows"]
        cells = [[row[c] for c in columns] for row in helper.service_cells(rows)]
        right = {i for i, c in enumerate(columns) if c in helper.TEXT_RIGHT}
        self.assertEqual(shown[start:end], helper.text_table(titles, right, cells))
        self.assertIn("(Shortened: the full table also has clients, conversations, packets, "
                      "bytes, first and\nlast seen.)", readme)


class Errors(CaptureTestCase):
    def check_error(self, args, message):
        proc = run_tool(*args)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(proc.stderr, "applelegacy-report: %s\n" % message)

    def test_errors_before_any_work(self):
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty)
        junk = os.path.join(self.tmp, "junk")
        os.makedirs(junk)
        with open(os.path.join(junk, "notes.txt"), "w") as f:
            f.write("hello\n")
        bad = os.path.join(self.tmp, "bad")
        os.makedirs(bad)
        shutil.copy(DEMO, os.path.join(bad, "a.pcapng"))
        open(os.path.join(bad, "b.pcap"), "w").close()
        out = self.path("out.pcapng")
        cases = [
            ([bad], "%s: empty file, not a capture" % os.path.join(bad, "b.pcap")),
            (["-j", "x", DEMO], "-j needs a number of processes from 1 to 9999, not 'x'"),
            (["--write", out, DEMO, os.path.join(bad, "a.pcapng")],
             "--write takes exactly one capture, not 2"),
            (["--csv", "--json"], "--json and --csv exclude each other: choose one"),
            (["--json", "--csv"], "--json and --csv exclude each other: choose one"),
            (["--bogus"], "unknown option --bogus (see --help)"),
            ([empty], "%s: no capture files in this folder (*.pcap, *.pcapng, *.cap, *.ntar, "
                      "or .gz of them)" % empty),
            ([junk], "%s: no capture files in this folder (*.pcap, *.pcapng, *.cap, *.ntar, "
                     "or .gz of them)" % junk),
            (["-j", "0"], "-j needs a number of processes from 1 to 9999, not '0'"),
            (["--write"], "--write needs a value (see --help)"),
            (["--write", os.path.join(self.tmp, "no", "out.pcapng")],
             "%s: no such folder: %s" % (os.path.join(self.tmp, "no", "out.pcapng"),
                                         os.path.join(self.tmp, "no"))),
            (["--write", empty], "%s: is a folder; --write needs a file name" % empty),
            (["--write", DEMO, DEMO], "%s: is the input capture itself" % DEMO),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.check_error(args, message)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
