"""tools/applelegacy-report --html OUT: one self-contained HTML page (the
service endpoints, probe findings, Bonjour inventory and an SVG timeline),
checked cell by cell against the JSON report, for hostile Bonjour names, for
several captures, for the output-file safety it shares with --write; and,
when Debian's chromium runs, rendered headless to a PNG for the README:

  python3 test_html_report.py [--update]

writes build/html-screenshot.png, or with --update (or
APPLELEGACY_UPDATE_SCREENSHOTS=1) docs/screenshots/html-report.png."""
import html.parser
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

from harness import ACK, BUILD, RST, SOURCE, SYN, Capture, CaptureTestCase, frame
from test_conn_state import dns_name
from test_report_tool import DEMO, REPORT_TOOL, run_tool

HOSTILE = '<script>alert("x")</script> & Co\'s'
SCANNER, TARGET, BASE = "10.0.0.5", "10.0.0.9", "10.0.1.1"
UPDATE = os.environ.get("APPLELEGACY_UPDATE_SCREENSHOTS") == "1"


def hostile_announcement():
    """test_conn_state.airport_announcement() with a hostile instance name."""
    inst = dns_name(HOSTILE.encode(), b"_airport", b"_tcp", b"local")
    svc = dns_name(b"_airport", b"_tcp", b"local")
    host = dns_name(b"Base-Station-1", b"local")
    txt = b"waMA=00-11-22-33-44-55,syVs=7.6.8,model=AirPort7,120"
    rr = [svc + struct.pack("!HHIH", 12, 1, 4500, len(inst)) + inst]
    srv = struct.pack("!HHH", 0, 0, 5009) + host
    rr.append(inst + struct.pack("!HHIH", 33, 0x8001, 120, len(srv)) + srv)
    t = bytes([len(txt)]) + txt
    rr.append(inst + struct.pack("!HHIH", 16, 0x8001, 4500, len(t)) + t)
    rr.append(host + struct.pack("!HHIH", 1, 0x8001, 120, 4) + bytes([10, 0, 1, 1]))
    return struct.pack("!HHHHHH", 0, 0x8400, 0, len(rr), 0, 0) + b"".join(rr)


def scan_capture():
    """A Bonjour announcement with a hostile name, a refused probe of TCP
    660 and UDP 626... (RST), and one answered session on TCP 311."""
    cap = Capture().udp(BASE, "224.0.0.251", 5353, 5353, hostile_announcement())
    for port in (660, 687):
        cap.add(frame(SCANNER, TARGET, 44000, port, flags=SYN))
        cap.add(frame(TARGET, SCANNER, port, 44000, flags=RST | ACK))
    return cap.tcp_session(SCANNER, TARGET, 40000, 311, [(True, b"hello"), (False, b"hi")])


class Page(html.parser.HTMLParser):
    """The tables of the page by section title (h2), as lists of cell texts,
    the classes of their rows, and every tag and attribute seen."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tables, self.row_classes, self.tags, self.attrs = {}, {}, [], []
        self.section = self.cell = None
        self.in_h2 = False
        self.svg_rects = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag == "h2":
            self.in_h2, self.section = True, ""
        elif tag == "tr":
            self.tables.setdefault(self.section, []).append([])
            self.row_classes.setdefault(self.section, []).append(dict(attrs).get("class", ""))
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "rect":
            self.svg_rects.append(dict(attrs).get("class", ""))
        elif tag == "span" and self.cell is not None and self.cell:
            self.cell += " "  # warning badges, one word each

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[self.section][-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.in_h2:
            self.section += data
        elif self.cell is not None:
            self.cell += data


def json_report(*captures):
    proc = run_tool("--json", *captures)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def t(text):
    return text.replace("T", " ").rstrip("Z")


def png_facts(path):
    """(width, height, distinct bytes of the pixel data) of a PNG file."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


class HtmlReport(CaptureTestCase):
    maxDiff = None

    def make(self, *captures, name="report.html"):
        out = self.path(name)
        proc = run_tool("--html", out, *captures)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(out, encoding="utf-8") as f:
            text = f.read()
        return out, proc, text

    def check_self_contained(self, text):
        self.assertNotIn("http://", text)
        self.assertNotIn("https://", text)
        self.assertNotIn("<script", text.lower())
        low = text.lower()
        for needle in ("src=", "href=", "url(", "@import"):
            at = low.find(needle)
            while at >= 0:
                self.assertTrue(low[at + len(needle):].lstrip("\"' ").startswith("data:"),
                                "external reference: %r" % text[at:at + 80])
                at = low.find(needle, at + 1)

    def test_demo_page(self):
        out, proc, text = self.make(DEMO)
        self.assertEqual(proc.stderr, "applelegacy-report: wrote %s: 9 service endpoints, 0 probe "
                                      "findings, 0 advertised services\n" % out)
        # stdout is the usual text report
        self.assertIn("Apple Legacy Port Registry report (scope: apple)", proc.stdout)
        self.check_self_contained(text)
        page = Page(text)
        report = json_report(DEMO)
        services = page.tables["Service endpoints"]
        self.assertEqual(services[0], [
            "Server", "Port", "Service", "Warnings", "Registration", "Lifecycle", "Expected",
            "Observed", "IANA name", "Clients", "Conv", "State", "Packets", "Bytes",
            "First seen (UTC)", "Last seen (UTC)"])
        self.assertEqual(services[1], [
            "127.0.0.13", "tcp/660", "MacOS Server Admin", "protocol_mismatch abandoned", "apple",
            "discontinued", "-", "ssh", "mac-srvr-admin", "1", "1", "data exchanged", "23", "7260",
            "2026-11-23 16:33:32.059100", "2026-11-23 16:33:32.217573"])
        # every row as the JSON report has it, in its order
        self.assertEqual(services[1:], [[
            r["server"], "%s/%d" % (r["transport"], r["port"]), r["service"],
            " ".join(r["warnings"]) or "-", r["registration"], r["lifecycle"],
            r["expected"] or "-", r["observed"] or "-", r["iana_name"] or "-", str(r["clients"]),
            str(r["conversations"]), "data exchanged", str(r["packets"]), str(r["bytes"]),
            t(r["first_seen"]), t(r["last_seen"])] for r in report["rows"]])
        # warnings highlighted: every demo row has one; each badge coloured by
        # its weight and titled from the report's table
        self.assertEqual(page.row_classes["Service endpoints"], [""] + ["warn"] * 9)
        self.assertIn('<span class="w high protocol_mismatch" title="Protocol mismatch">'
                      'protocol_mismatch</span><span class="w low abandoned" title="Abandoned '
                      'port">abandoned</span>', text)
        self.assertIn('<span class="w mid ard_amplification" title="ARD amplification">', text)
        self.assertNotIn("Probe findings", page.tables)
        self.assertNotIn("Bonjour inventory", page.tables)
        self.assertIn("No probe findings.", text)
        # the timeline: one bar per endpoint, red for those with warnings
        self.assertEqual(text.count("<svg "), 1)
        self.assertEqual(page.svg_rects, ["endpoint warned"] * 9)
        # the header: capture, scope, the capture's first and last packet
        self.assertIn("<li>%s: 2026-11-23 16:33:29.840607 UTC to 2026-11-23 16:33:34.315569 UTC"
                      "</li>" % DEMO, text)
        self.assertIn("<dt>Scope</dt><dd>apple</dd>", text)
        self.assertIn("<dt>Capture range</dt><dd>2026-11-23 16:33:29.840607 UTC to 2026-11-23 "
                      "16:33:34.315569 UTC</dd>", text)

    def test_probes_bonjour_and_a_hostile_name(self):
        cap = self.write(scan_capture(), "scan.pcap")
        out, proc, text = self.make(cap)
        self.assertEqual(proc.stderr, "applelegacy-report: wrote %s: 1 service endpoints, 1 probe "
                                      "findings, 1 advertised services\n" % out)
        self.check_self_contained(text)
        self.assertNotIn(HOSTILE, text)
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co&#x27;s", text)
        page = Page(text)
        report = json_report(cap)
        [p] = report["probes"]
        # the answered session on 311 counts among the scanner's ports
        self.assertEqual(page.tables["Probe findings"][1], [
            SCANNER, TARGET, "3", "1", "2", "0", "3", "12", t(p["first_seen"]), t(p["last_seen"]),
            "tcp/311 Server Admin, Workgroup Manager, Server Monitor, Xsan Admin (data exchanged), "
            "tcp/660 MacOS Server Admin (rejected), tcp/687 Server administration (Server Admin) "
            "(rejected)"])
        [b] = report["bonjour"]
        self.assertEqual(b["instance"], HOSTILE)
        self.assertEqual(page.tables["Bonjour inventory"][1], [
            "Base-Station-1.local", BASE, "_airport._tcp", HOSTILE, "tcp/5009",
            "AirPort Utility base station administration", "discontinued", "AirPort7,120",
            "7.6.8", "1", t(b["first_seen"]), t(b["last_seen"])])
        self.assertEqual(page.tables["Service endpoints"][1][:3],
                         [TARGET, "tcp/311", "Server Admin, Workgroup Manager, Server Monitor, "
                                             "Xsan Admin"])
        # one bar for the endpoint, one for the probe finding, in its own colour
        self.assertEqual(page.svg_rects, ["endpoint warned", "probe"])

    def test_several_captures(self):
        cap = self.write(scan_capture(), "scan.pcap")
        out, proc, text = self.make(DEMO, cap)
        self.check_self_contained(text)
        page = Page(text)
        services = page.tables["Service endpoints"]
        self.assertEqual(services[0][-1], "Captures")
        self.assertEqual(len(services), 1 + 10)
        self.assertEqual(services[1][0], "127.0.0.13")
        self.assertEqual(services[1][-1], DEMO)
        self.assertEqual([r[-1] for r in services].count(cap), 1)
        self.assertEqual(page.svg_rects, ["endpoint warned"] * 10 + ["probe"])
        for c in (DEMO, cap):
            self.assertIn("<li>%s: " % c, text)
        # the range runs from the scan's first packet to the demo's last
        self.assertIn("<dt>Capture range</dt><dd>2026-01-01 00:00:00.000000 UTC to 2026-11-23 "
                      "16:33:34.315569 UTC</dd>", text)

    def test_output_file_safety(self):
        target = self.path("kept.html")
        with open(target, "w") as f:
            f.write("old\n")
        link = self.path("link.html")
        os.symlink(target, link)
        for args, message in [
                (["--html", link, DEMO],
                 "%s: is a symbolic link; --html neither follows nor replaces one" % link),
                (["--html", self.tmp, DEMO], "%s: is a folder; --html needs a file name" % self.tmp),
                (["--html", "", DEMO], "--html needs a file name, not an empty one"),
                (["--html", DEMO, DEMO], "%s: is the input capture itself" % DEMO),
                (["--html", target, "--write", target, DEMO],
                 "%s: --html and --write need two different files" % target)]:
            with self.subTest(args=args):
                proc = run_tool(*args)
                self.assertEqual((proc.returncode, proc.stdout, proc.stderr),
                                 (2, "", "applelegacy-report: %s\n" % message))
        with open(target) as f:
            self.assertEqual(f.read(), "old\n")
        # a regular file is replaced, with mode 0666 less the umask, no temporary left
        proc = subprocess.run(["sh", "-c", 'umask 027 && exec "$@"', "sh", REPORT_TOOL, "--html",
                               target, DEMO], capture_output=True, text=True,
                              env=dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o640)
        with open(target) as f:
            self.assertTrue(f.read().startswith("<!DOCTYPE html>"))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["kept.html", "link.html"])

    def test_screenshot_in_headless_chromium(self):
        chromium = shutil.which("chromium")
        if not chromium:
            self.skipTest("chromium is not installed (apt-get install chromium)")
        # the README's picture: the demo and the scan (moved to 3 s after the
        # demo's end) merged, every section filled
        scan = self.write(scan_capture(), "scan.pcap")
        cap = self.path("scan-after-demo.pcap")
        subprocess.run(["editcap", "-t", "%.6f" % (1795451614.3 + 3 - 1767225600), scan, cap],
                       check=True, capture_output=True)
        page, _, _ = self.make(DEMO, cap)
        shot = (os.path.join(SOURCE, "docs", "screenshots", "html-report.png") if UPDATE
                else os.path.join(BUILD, "html-screenshot.png"))
        raw = self.path("raw.png")
        profile = tempfile.mkdtemp(prefix="applelegacy-chromium.")
        self.addCleanup(shutil.rmtree, profile, True)
        try:
            proc = subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                 "--user-data-dir=" + profile, "--window-size=1400,1640",
                 "--screenshot=" + raw, "file://" + page],
                capture_output=True, text=True, timeout=120, cwd=self.tmp)
        except subprocess.TimeoutExpired:
            self.skipTest("chromium did not finish within 120 s")
        if proc.returncode != 0 or not os.path.exists(raw):
            self.skipTest("chromium cannot run here (exit status %d): %s" % (
                proc.returncode, proc.stderr.strip().splitlines()[-1:] or ""))
        width, height, distinct = png_facts(raw)
        self.assertEqual((width, height), (1400, 1640))
        self.assertGreater(os.path.getsize(raw), 20000)
        self.assertGreater(distinct, 64, "the screenshot looks blank")
        os.makedirs(os.path.dirname(shot), exist_ok=True)
        # 256 colours (a third of the size, the same look) when ImageMagick is there
        if shutil.which("convert") and subprocess.run(
                ["convert", raw, "-strip", "-colors", "256", "PNG8:" + shot]).returncode == 0:
            pass
        else:
            shutil.copyfile(raw, shot)
        print("html screenshot: %s (%d bytes)" % (shot, os.path.getsize(shot)), file=sys.stderr)


class ProfileIsNotABuildInput(CaptureTestCase):
    def test_a_newer_profile_file_builds_nothing(self):
        """The plugins do not use data/profile/: editing it (io_graphs) must
        not make every run rebuild them and say so on stderr."""
        profile_file = os.path.join(SOURCE, "data", "profile", "io_graphs")
        st = os.stat(profile_file)
        self.addCleanup(os.utime, profile_file, ns=(st.st_atime_ns, st.st_mtime_ns))
        future = st.st_mtime + 3600 * 24 * 365
        os.utime(profile_file, (future, future))
        out = self.path("report.html")
        proc = run_tool("--html", out, DEMO)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertNotIn("building the plugins", proc.stderr)


if __name__ == "__main__":
    if "--update" in sys.argv:
        sys.argv.remove("--update")
        UPDATE = True
    unittest.main()
