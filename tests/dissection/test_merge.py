"""tools/applelegacy-report --merge: JSON reports made anywhere (one a
capture, --separate, merged ones, merged ones of merged ones) give exactly
what one run over all their captures gives, in text, JSON and CSV; without
tshark; and every input that is not such a report is a one-line error with
exit status 2 (docs/scale-out.md)."""
import json
import os
import shutil
import subprocess

from harness import SYN, Capture, CaptureTestCase, frame
from test_conn_state import airport_announcement, icmp_unreachable
from test_report_tool import DEMO, REPORT_TOOL, editcap, run_tool

C1, C2, C3, S1, S2 = "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.9", "10.0.0.10"
STATES = [{"name": n, "answered": a} for n, a in (
    ("no answer", False), ("rejected", False), ("answered", True), ("established", True),
    ("data exchanged", True))]


def row(service="zeta", packets=5, port=9999, warnings=(), rank=0):
    return {"server": S1, "port": port, "transport": "tcp", "service": service,
            "iana_name": "", "registration": "unregistered", "lifecycle": "current",
            "last_seen_in": "", "expected": "", "observed": "unknown", "clients": 1,
            "conversations": 1, "packets": packets, "bytes": 100 * packets,
            "first_seen": "2026-01-01T00:00:00.000000Z",
            "last_seen": "2026-01-01T00:00:01.000000Z", "client_addresses": [C1],
            "states": {"established": 1}, "rank": rank, "warnings": list(warnings)}


class MergeCase(CaptureTestCase):
    maxDiff = None

    def report(self, name, *args):
        """Runs the tool with args, keeps its standard output in name."""
        proc = run_tool(*args)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        path = self.path(name)
        with open(path, "w") as f:
            f.write(proc.stdout)
        return path

    def merge(self, *args):
        proc = run_tool("--merge", *args)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def made(self, capture, rows, warnings=(), **changes):
        """A report of --separate for capture, written here: rows made by
        row(), the table of warnings given."""
        path = self.path(capture + ".json")
        with open(path, "w") as f:
            json.dump(dict({"capture": capture, "report": "applelegacy", "scope": "apple",
                            "warnings": list(warnings), "states": STATES, "rows": rows,
                            "probes": [], "bonjour": []}, **changes), f)
        return path


    def small_captures(self):
        """Three captures with the same endpoints, clients, probes and
        Bonjour announcements in several of them, an hour apart."""
        probe = frame(C1, S2, 40000, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr", proto="udp")
        a = self.write(Capture().tcp_session(C1, S1, 40000, 660, [(True, b"\x00\x01")])
                       .add(probe).add(icmp_unreachable(probe))
                       .udp("10.0.1.1", "224.0.0.251", 5353, 5353, airport_announcement()),
                       "a.pcap")
        b0 = self.write(Capture().tcp_session(C2, S1, 40001, 660, [(True, b"\x00\x02")])
                        .add(frame(C1, S2, 40002, 311, flags=SYN))
                        .tcp_session(C3, S2, 40003, 660, [(True, b"\x00\x03")]), "b0.pcap")
        c0 = self.write(Capture().tcp_session(C1, S1, 40004, 660, [(True, b"\x00\x04\x05")])
                        .udp("10.0.1.2", "224.0.0.251", 5353, 5353, airport_announcement())
                        .add(frame(C3, S2, 40005, 625, flags=SYN)), "c0.pcap")
        b, c = self.path("b.pcap"), self.path("c.pcap")
        editcap("-t", "3600", b0, b)
        editcap("-t", "7200", c0, c)
        return a, b, c


class Exact(MergeCase):
    def check_all_formats(self, captures, groups):
        """groups: lists of reports (file names) whose --merge must give the
        one run over captures, in every format."""
        for fmt in ("--json", "--csv", None):
            one = run_tool(*([fmt] if fmt else []) + list(captures))
            self.assertEqual(one.returncode, 0, one.stderr)
            for group in groups:
                with self.subTest(format=fmt, reports=group):
                    self.assertEqual(self.merge(*([fmt] if fmt else []) + list(group)),
                                     one.stdout)

    def test_small_captures_every_grouping(self):
        a, b, c = self.small_captures()
        ra = self.report("ra.json", "--json", a)
        rb = self.report("rb.json", "--json", b)
        rc = self.report("rc.json", "--json", c)
        sep_ab = self.report("sep-ab.json", "--json", "--separate", a, b)  # a JSON list
        sep_c = self.report("sep-c.json", "--json", "--separate", c)  # one object
        rab = self.report("rab.json", "--json", a, b)
        # a merged report of merged reports, merged again
        rab_c = self.report("rab-c.json", "--json", "--merge", rab, rc)
        self.check_all_formats([a, b, c], [[ra, rb, rc], [sep_ab, sep_c], [rab, rc],
                                           [ra, self.report("rbc.json", "--json", b, c)],
                                           [sep_ab, rc], [rab_c]])
        whole = json.loads(run_tool("--json", a, b, c).stdout)
        self.assertEqual(whole["captures"], [a, b, c])
        # the pieces really are in several captures
        self.assertEqual([(r["server"], r["port"], r["clients"], r["captures"])
                          for r in whole["rows"]],
                         [(S1, 660, 2, [a, b, c]), (S2, 660, 1, [b])])
        self.assertEqual([(f["client"], f["server"], f["ports_probed"]) for f in whole["probes"]],
                         [(C1, S2, 2), (C3, S2, 1)])
        self.assertEqual([(x["addresses"], x["announcements"]) for x in whole["bonjour"]],
                         [(["10.0.1.1", "10.0.1.2"], 2)])

    def test_demo_split_in_two(self):
        first, second = self.path("1-80.pcapng"), self.path("81-144.pcapng")
        editcap("-T", "ether", "-r", DEMO, first, "1-80")
        editcap("-T", "ether", DEMO, second, "1-80")
        r1 = self.report("r1.json", "--json", first)
        r2 = self.report("r2.json", "--json", second)
        self.check_all_formats([first, second], [[r1, r2]])

    def test_order_of_the_reports_is_the_order_of_the_captures(self):
        a, b, c = self.small_captures()
        rb = self.report("rb.json", "--json", b)
        rca = self.report("rca.json", "--json", c, a)
        self.assertEqual(self.merge("--json", rb, rca), run_tool("--json", b, c, a).stdout)
        merged = json.loads(self.merge("--json", rca, rb))
        self.assertEqual(merged["captures"], [c, a, b])
        self.assertEqual(merged["rows"][0]["captures"], [c, a, b])
        self.assertEqual(self.merge("--json", rca, rb), run_tool("--json", c, a, b).stdout)

    def test_merged_report_merged_again_is_itself(self):
        a, b, _ = self.small_captures()
        for args in (["--json", a, b], ["--json", DEMO]):
            with self.subTest(args=args):
                report = self.report("r.json", *args)
                with open(report) as f:
                    self.assertEqual(self.merge("--json", report), f.read())

    def test_scope_is_the_reports(self):
        a, b, _ = self.small_captures()
        ra = self.report("ra.json", "--json", "--scope", "all", a)
        rb = self.report("rb.json", "--json", "--scope=all", b)
        one = run_tool("--scope", "all", a, b).stdout
        self.assertIn("(scope: all)", one)
        self.assertEqual(self.merge(ra, rb), one)
        self.assertEqual(self.merge("--scope", "all", ra, rb), one)

    def test_same_report_twice_is_read_once(self):
        a, _, _ = self.small_captures()
        ra = self.report("ra.json", "--json", a)
        proc = run_tool("--json", "--merge", ra, ra)
        self.assertEqual(proc.stdout, run_tool("--json", a).stdout)
        self.assertEqual(proc.stderr, "applelegacy-report: %s is the same file as %s: read once\n"
                         % (ra, ra))

    def test_rows_tied_but_for_the_service(self):
        """Reports made with other port tables may name the service of one
        server, port and transport otherwise: rows then tie on the order's
        other keys, and the service decides, whatever the grouping."""
        ra, rb, rc = (self.made("a", [row("zeta", 5)]), self.made("b", [row("alpha", 10)]),
                      self.made("c", [row("zeta", 5)]))
        rab = self.path("rab.json")
        with open(rab, "w") as f:
            f.write(self.merge("--json", ra, rb))
        at_once = self.merge("--json", ra, rb, rc)
        self.assertEqual(self.merge("--json", rab, rc), at_once)
        self.assertEqual([r["service"] for r in json.loads(at_once)["rows"]], ["alpha", "zeta"])


class Tables(MergeCase):
    """Ranks, the order of the rows and of their warnings come from the
    reports' tables of warnings: a warning the tool has never heard of ranks
    by the weight its reports give it."""

    def test_ranks_from_the_reports_weights(self):
        event = {"key": "test_event", "title": "A test event", "weight": 100}
        minor = {"key": "test_minor", "title": "A minor one", "weight": 1}
        ra = self.made("a", [row("x", 5, 9999), row("y", 10, 8888)])
        rb = self.made("b", [row("x", 5, 9999, ["test_event"], 100)], [event])
        # x has test_event in two reports: a row's rank is its warnings' weights,
        # each once
        rc = self.made("c", [row("x", 1, 9999, ["test_event", "test_minor"], 101),
                             row("y", 1, 8888, ["test_minor"], 1)], [minor, event])
        alone = json.loads(self.merge("--json", ra))
        self.assertEqual([(r["service"], r["rank"]) for r in alone["rows"]], [("y", 0), ("x", 0)])
        merged = json.loads(self.merge("--json", ra, rb, rc))
        self.assertEqual(merged["warnings"], [event, minor])
        self.assertEqual(merged["states"], STATES)
        self.assertEqual([(r["service"], r["packets"], r["rank"], r["warnings"])
                          for r in merged["rows"]],
                         [("x", 11, 101, ["test_event", "test_minor"]),
                          ("y", 11, 1, ["test_minor"])])
        text = self.merge(ra, rb, rc).splitlines()
        self.assertTrue(text[8].startswith(S1 + "  tcp/9999  x  "), text[8])
        self.assertTrue(text[8].endswith("  test_event,test_minor"), text[8])
        # the merged report merged again is itself
        again = self.path("again.json")
        with open(again, "w") as f:
            f.write(self.merge("--json", ra, rb, rc))
        self.assertEqual(self.merge("--json", again), self.merge("--json", ra, rb, rc))

    def test_tables_that_disagree(self):
        ra = self.made("a", [row("x", 5, 9999, ["test_event"], 100)],
                       [{"key": "test_event", "title": "A test event", "weight": 100}])
        rb = self.made("b", [row("x", 5, 9999, ["test_event"], 50)],
                       [{"key": "test_event", "title": "A test event", "weight": 50}])
        rc = self.made("c", [], states=STATES[:-1])
        old = self.made("d", [row("x", 5)])
        with open(old) as f:
            model = json.load(f)
        del model["warnings"]
        with open(old, "w") as f:
            json.dump(model, f)
        unknown = self.made("e", [row("x", 5, 9999, ["test_event"], 100)])
        not_report = "not a report of applelegacy-report --json"
        for args, message in [
                ([ra, rb], '%s: warning test_event is "A test event" of weight 50, not "A test '
                           'event" of weight 100 as in %s: merge reports of one version'
                 % (rb, ra)),
                ([ra, rc], "%s: connection states no answer, rejected, answered, established, "
                           "not no answer, rejected, answered, established, data exchanged as "
                           "in %s: merge reports of one version" % (rc, ra)),
                ([old], '%s: %s: no "warnings" (a report of an older version? make it again)'
                 % (old, not_report)),
                ([unknown], "%s: %s: rows[0] has the warning 'test_event', which \"warnings\" "
                            "does not define" % (unknown, not_report))]:
            with self.subTest(args=args):
                proc = run_tool("--merge", *args)
                self.assertEqual((proc.returncode, proc.stdout, proc.stderr),
                                 (2, "", "applelegacy-report: %s\n" % message))


class ProbeLimit(MergeCase):
    def test_findings_are_per_capture(self):
        """The documented limit (docs/scale-out.md), the same in one run
        and in --merge: each capture is read by its own tshark, and a client
        and server whose conversations in a capture were all answered are no
        probe finding of that capture; tshark over the captures joined
        (mergecap) sees them in one finding."""
        p1 = self.write(Capture().add(frame(C1, S2, 40000, 311, flags=SYN)), "p1.pcap")
        p2 = self.write(Capture().tcp_session(C1, S2, 40001, 660, [(True, b"\x00\x01")]),
                        "p2.pcap")
        one = run_tool("--json", p1, p2).stdout
        r1, r2 = self.report("r1.json", "--json", p1), self.report("r2.json", "--json", p2)
        self.assertEqual(self.merge("--json", r1, r2), one)
        probes = json.loads(one)["probes"]
        self.assertEqual([(f["ports_probed"], f["no_answer"], f["answered"], f["conversations"])
                          for f in probes], [(1, 1, 0, 1)])
        joined = self.path("joined.pcap")
        subprocess.run(["mergecap", "-a", "-F", "pcap", "-w", joined, p1, p2], check=True)
        probes = json.loads(run_tool("--json", joined).stdout)["probes"]
        self.assertEqual([(f["ports_probed"], f["no_answer"], f["answered"], f["conversations"])
                          for f in probes], [(2, 1, 1, 2)])


class NoTshark(MergeCase):
    def test_merge_runs_without_tshark_and_without_a_build(self):
        a, b, _ = self.small_captures()
        ra, rb = self.report("ra.json", "--json", a), self.report("rb.json", "--json", b)
        expected = run_tool(a, b).stdout
        bin_dir = self.path("bin")
        os.mkdir(bin_dir)
        for tool in ("bash", "python3", "dirname"):
            os.symlink(shutil.which(tool), os.path.join(bin_dir, tool))
        env = dict(os.environ, PATH=bin_dir, APPLELEGACY_BUILD_DIR=self.path("no-build"))
        proc = subprocess.run([REPORT_TOOL, "--merge", ra, rb], capture_output=True, text=True,
                              env=env)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertEqual(proc.stdout, expected)
        self.assertFalse(os.path.exists(self.path("no-build")))


class Errors(MergeCase):
    def check_error(self, args, message):
        proc = run_tool(*args)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr),
                         (2, "", "applelegacy-report: %s\n" % message))

    def test_inputs_that_are_not_reports(self):
        a, b, _ = self.small_captures()
        ra = self.report("ra.json", "--json", a)
        rb_legacy = self.report("rb.json", "--json", "--scope", "legacy", b)
        ra_again = self.report("ra-again.json", "--json", a)
        tshark_own = self.report("tshark.json", "--json", a)
        with open(tshark_own) as f:
            own = json.load(f)
        del own["captures"]
        bad_rows = dict(own, captures=["x"], rows=[dict(own["rows"][0], packets="12",
                                                        captures=["x"])])
        bad_caps = dict(own, captures=["x"], rows=[dict(own["rows"][0], captures=["y"])])
        files = {}
        for name, content in (("own.json", json.dumps(own)), ("bad-rows.json", json.dumps(bad_rows)),
                              ("bad-caps.json", json.dumps(bad_caps)), ("empty.json", ""),
                              ("broken.json", '{"report": "applelegacy", "rows": [\n'),
                              ("other.json", '{"name": "something else"}'),
                              ("list.json", "[]"), ("csv.json", run_tool("--csv", a).stdout)):
            files[name] = self.path(name)
            with open(files[name], "w") as f:
                f.write(content)
        not_report = "not a report of applelegacy-report --json"
        missing = self.path("missing.json")
        cases = [
            ([missing], "%s: no such file" % missing),
            ([self.tmp], "%s: is a folder, not a JSON report" % self.tmp),
            ([ra, a], "%s: is a capture, not a JSON report; --merge takes only reports written "
                      "by --json (run the report on the captures first)" % a),
            ([files["empty.json"]], "%s: empty file, not a JSON report" % files["empty.json"]),
            ([files["broken.json"]], "%s: not JSON (Expecting value: line 2 column 1 (char 36))"
             % files["broken.json"]),
            ([files["csv.json"]], "%s: not JSON (Expecting value: line 1 column 1 (char 0))"
             % files["csv.json"]),
            ([files["other.json"]], '%s: %s: no "report": "applelegacy"'
             % (files["other.json"], not_report)),
            ([files["list.json"]], "%s: %s: an empty list" % (files["list.json"], not_report)),
            ([files["own.json"]], "%s: %s: no \"captures\" or \"capture\" (tshark's own report "
                                  "names no capture)" % (files["own.json"], not_report)),
            ([files["bad-rows.json"]], "%s: %s: rows[0]['packets'] is not a number"
             % (files["bad-rows.json"], not_report)),
            ([files["bad-caps.json"]], "%s: %s: rows[0]['captures'] is not a list of the "
                                       "report's captures" % (files["bad-caps.json"], not_report)),
            ([ra, rb_legacy], "%s: scope legacy, not apple as in %s: merge reports of one scope"
             % (rb_legacy, ra)),
            (["--scope", "legacy", ra], "%s: scope apple, not legacy as --scope asks: merge "
                                        "reports of one scope" % ra),
            ([ra, ra_again], "%s: capture %s is in %s too: its packets would count twice"
             % (ra_again, a, ra)),
            ([], "--merge needs JSON reports written by --json (see --help)"),
            (["--separate", ra], "--merge and --separate exclude each other: --merge makes one "
                                 "report"),
            (["--write", self.path("out.pcapng"), ra],
             "--merge and --write exclude each other: --write needs a capture"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                self.check_error(["--merge"] + args, message)
