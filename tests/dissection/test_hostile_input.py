"""tools/applelegacy-report and the plugins under hostile input (issue 16):
packets whose text does not fit an expert message, bad bytes in the user
table, odd file names, output paths that are not regular files, signals,
doubled inputs. No input may give a traceback, a doubled count or a lost or
replaced file."""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import time
import unittest

from harness import BUILD, TSHARK, Capture, CaptureTestCase, tshark
from test_report_tool import DEMO, REPORT_TOOL, run_tool, stock_comments

C1, S1 = "10.0.0.5", "10.0.0.9"
U_FFFD = "\ufffd"
ELLIPSIS = "\u2026"


class ExpertTextCutOnCharacters(CaptureTestCase):
    """Expert messages carrying the packet's text are cut on a character
    boundary: tshark -T json stays valid UTF-8 and --write works."""

    def json_messages(self, capture, display_filter):
        env = dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD)
        with open(capture, "rb") as f:
            out = subprocess.run([TSHARK, "-r", "-", "-T", "fields", "-E", "occurrence=a",
                                  "-E", "aggregator=\x1f", "-e", "_ws.expert.message",
                                  "-Y", display_filter], stdin=f, capture_output=True,
                                 env=env, check=True).stdout
        return out.decode("utf-8").rstrip("\n").split("\x1f")  # strict: fails on a cut character

    def test_serialnumberd_serial_of_non_text_bytes(self):
        cap = self.write(Capture().udp(C1, S1, 41000, 626, b"SNQUERY: 127.0.0.1:" + b"\xff" * 100
                                       + b":xsvr"))
        message = self.json_messages(cap, "serialnumberd")[0]
        # 239 bytes at most: the prefix, 66 whole U+FFFD (3 bytes each), the ellipsis
        self.assertEqual(message, "Server serial number sent in clear: " + U_FFFD * 66 + ELLIPSIS)
        self.assertEqual(len(message.encode()), 237)
        out = self.path("out.pcapng")
        proc = run_tool("--write", out, cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(stock_comments(out)[1][0],
                         "applelegacy/serialnumberd: [Security/Note] " + message)

    def test_eppc_long_application_name(self):
        from test_eppc import OPENING, PREFIX, SERVER_HELLO, SUFFIX, reply
        name = ("\u00e9" * 100).encode()  # 200 bytes, 100 characters of two bytes
        req = PREFIX + bytes([0xE1, len(name)]) + name + SUFFIX
        cap = self.write(Capture().tcp_session(C1, S1, 43000, 3031, [
            (True, OPENING), (False, SERVER_HELLO), (True, req), (False, reply(501, 1234))]))
        messages = self.json_messages(cap, "eppc.uid")
        # the name cut after 90 of its characters (238 bytes: an "é" is two)
        self.assertEqual(messages[0], "Remote Apple Events disclosed uid 501 and pid 1234 of \""
                         + "\u00e9" * 90 + ELLIPSIS)
        out = self.path("out.pcapng")
        proc = run_tool("--write", out, cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("applelegacy/eppc: [Security/Warning] " + messages[0],
                      sum(stock_comments(out).values(), []))


class ToolReadsTsharkDefensively(CaptureTestCase):
    HELPER = os.path.join(os.path.dirname(REPORT_TOOL), "applelegacy_report.py")

    def test_invalid_utf8_in_tsharks_json(self):
        """Whatever tshark prints (a Wireshark that cuts a character in two),
        the helper reads it: a byte that is not UTF-8 becomes U+FFFD."""
        cap = self.write(Capture().udp(C1, S1, 41000, 626, b"SNQUERY: 127.0.0.1:AB:xsvr"))
        experts = self.path("experts.json")
        with open(experts, "wb") as f:
            f.write(b'[{"_source": {"layers": {"frame": {"frame.number": "1"}, "serialnumberd": '
                    b'{"_ws.expert": {"serialnumberd.expert.serial_exposed": "", '
                    b'"_ws.expert.message": "Server serial number sent in clear: A\xef\xbf", '
                    b'"_ws.expert.severity": "4194304", "_ws.expert.group": "167772160"}}}}}]')
        out = self.path("out.pcapng")
        proc = subprocess.run(["python3", self.HELPER, "annotate", "--experts", experts,
                               "--input", cap, "--output", out], capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stderr),
                         (0, "applelegacy-report: wrote %s: 1 comments on 1 frames\n" % out))
        self.assertEqual(stock_comments(out), {1: [
            "applelegacy/serialnumberd: [Security/Note] Server serial number sent in clear: "
            "A\ufffd"]})

    def test_unreadable_report_is_one_line(self):
        report = self.path("report.json")
        with open(report, "wb") as f:
            f.write(b'{"report": "applelegacy", "scope": "apple", "rows": [\xff')
        proc = subprocess.run(["python3", self.HELPER, "render", "--report", "-x.pcap", report],
                              capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr),
                         (1, "", "applelegacy-report: -x.pcap: tshark gave no readable report\n"))


class ScopeLegacy(CaptureTestCase):
    def test_http_on_8080_is_not_abandoned(self):
        """8080 has a current row (Apache) beside the discontinued JBOSS one:
        --scope legacy must not call ordinary HTTP there abandoned."""
        cap = self.write(Capture().tcp_session(C1, S1, 52000, 8080, [
            (True, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            (False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]))
        proc = run_tool("--json", "--scope", "legacy", cap)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rows = json.loads(proc.stdout)["rows"]
        self.assertEqual([(r["port"], r["lifecycle"], r["warnings"]) for r in rows],
                         [(8080, "current", [])])
        self.assertEqual(rows[0]["service"], "Alternate port for Apache / HTTP and HTTPS ports "
                                             "for Tomcat Standalone and JBOSS (J2EE)")
        messages = tshark(["-o", "applelegacy.scope:legacy", "-T", "fields", "-e",
                           "_ws.expert.message", "-Y", "applelegacy"], cap).stdout
        self.assertNotIn("abandoned", messages)



def is_root():
    return os.geteuid() == 0


class Mounted(CaptureTestCase):
    """A test case that can mount a small tmpfs (root only)."""

    def tmpfs(self, name, size):
        if not is_root():
            self.skipTest("needs root to mount a small tmpfs")
        path = self.path(name)
        os.makedirs(path)
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs",
                               path], capture_output=True, text=True)
        if proc.returncode != 0:
            self.skipTest("cannot mount a tmpfs here: %s" % proc.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", path])
        return path

    def fill(self, folder, leave):
        """Fills the tmpfs at folder up to leave bytes."""
        st = os.statvfs(folder)
        free = st.f_bavail * st.f_frsize
        with open(os.path.join(folder, "filler"), "wb") as f:
            f.write(b"\0" * max(0, free - leave))


class WriteTargets(Mounted):
    """--write OUT: never replaces what is not a regular file, never follows a
    link, honours the umask, keeps the old OUT, leaves no temporary."""

    def check_refused(self, out, message):
        proc = run_tool("--write", out, DEMO)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr),
                         (2, "", "applelegacy-report: %s\n" % message))

    def test_fifo_device_and_link_are_refused(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        self.check_refused(fifo, "%s: exists and is not a regular file; --write replaces only a "
                                 "regular file" % fifo)
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        target = self.path("target.pcapng")
        with open(target, "w") as f:
            f.write("analyst's file\n")
        link = self.path("link.pcapng")
        os.symlink(target, link)
        self.check_refused(link, "%s: is a symbolic link; --write neither follows nor replaces one"
                           % link)
        dangling = self.path("dangling.pcapng")
        os.symlink(self.path("nowhere"), dangling)
        self.check_refused(dangling, "%s: is a symbolic link; --write neither follows nor "
                                     "replaces one" % dangling)
        self.assertTrue(os.path.islink(link) and os.path.islink(dangling))
        self.assertFalse(os.path.exists(self.path("nowhere")))
        with open(target) as f:
            self.assertEqual(f.read(), "analyst's file\n")
        if is_root():  # a device node of our own, a copy of /dev/null
            null = self.path("null")
            os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
            self.check_refused(null, "%s: exists and is not a regular file; --write replaces "
                                     "only a regular file" % null)
            self.assertTrue(stat.S_ISCHR(os.lstat(null).st_mode))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith(".applelegacy-")], [])

    def test_empty_name_is_refused(self):
        self.check_refused("", "--write needs a file name, not an empty one")
        proc = run_tool("--write=", DEMO)
        self.assertEqual((proc.returncode, proc.stderr),
                         (2, "applelegacy-report: --write needs a file name, not an empty one\n"))

    def test_mode_follows_the_umask(self):
        out = self.path("out.pcapng")
        proc = subprocess.run(["sh", "-c", 'umask 027 && exec "$@"', "sh", REPORT_TOOL, "--write",
                               out, DEMO], capture_output=True, text=True,
                              env=dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o640)

    def big_flagged_capture(self):
        """20,000 serial-number queries, each a flagged frame: the final
        phase of --write takes a while."""
        cap = Capture()
        for i in range(20000):
            cap.udp(C1, S1, 40000 + i % 20000, 626, b"SNQUERY: 127.0.0.1:SERIAL%05d:xsvr" % i)
        return self.write(cap, "big.pcap")

    def test_signal_in_the_final_phase(self):
        cap = self.big_flagged_capture()
        out = self.path("out.pcapng")
        with open(out, "w") as f:
            f.write("old\n")
        env = dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD)
        proc = subprocess.Popen([REPORT_TOOL, "--write", out, cap], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, start_new_session=True)
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None:
            if any(n.startswith(".applelegacy-") for n in os.listdir(self.tmp)):
                break
            time.sleep(0.02)
        self.assertIsNone(proc.poll(), "the run ended before its final phase")
        os.killpg(proc.pid, signal.SIGTERM)  # as a terminal or timeout(1) does: the whole group
        _, err = proc.communicate(timeout=300)
        self.assertEqual(proc.returncode, 143, err)
        self.assertEqual(err.decode(), "applelegacy-report: stopped by SIGTERM: %s not written "
                                       "(kept as it was)\n" % out)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["big.pcap", "out.pcapng"])
        with open(out) as f:
            self.assertEqual(f.read(), "old\n")

    def test_full_disk_keeps_the_old_out(self):
        folder = self.tmpfs("small", "256k")
        out = os.path.join(folder, "out.pcapng")
        with open(out, "w") as f:
            f.write("old\n")
        self.fill(folder, 40 * 1024)  # editcap's copy fits, the commented one does not
        proc = run_tool("--write", out, DEMO)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(proc.stderr, "applelegacy-report: %s: cannot write it: No space left on "
                                      "device (in %s); nothing written\n" % (out, folder))
        self.assertEqual(proc.stdout, "")
        self.assertEqual(sorted(os.listdir(folder)), ["filler", "out.pcapng"])
        with open(out) as f:
            self.assertEqual(f.read(), "old\n")

    def test_out_of_another_user_in_a_sticky_folder(self):
        if not is_root() or not shutil.which("setpriv"):
            self.skipTest("needs root and setpriv to run as nobody")
        folder = self.path("shared")
        os.makedirs(folder)
        os.chmod(folder, 0o1777)
        out = os.path.join(folder, "out.pcapng")
        with open(out, "w") as f:
            f.write("root's\n")
        cap = self.path("demo.pcapng")
        shutil.copy(DEMO, cap)
        os.chmod(cap, 0o644)
        proc = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                               REPORT_TOOL, "--write", out, cap], capture_output=True, text=True,
                              env=dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD, HOME="/"))
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(proc.stderr, "applelegacy-report: %s: cannot replace it: Operation not "
                                      "permitted; it is kept as it was\n" % out)
        self.assertEqual(os.listdir(folder), ["out.pcapng"])
        with open(out) as f:
            self.assertEqual(f.read(), "root's\n")


class WorkFolder(Mounted):
    WORK = re.compile(r"applelegacy-report\.[A-Za-z0-9]{6}")

    def test_tmpdir_is_honoured_and_a_full_one_named(self):
        tmp = self.tmpfs("tmp", "1m")
        self.fill(tmp, 8 * 1024)
        out = self.path("out.pcapng")
        proc = run_tool("--write", out, DEMO, env={"TMPDIR": tmp})
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(self.WORK.sub("applelegacy-report.XXXXXX", proc.stderr),
                         "applelegacy-report: %s/applelegacy-report.XXXXXX: cannot keep tshark's "
                         "output of %s there: No space left on device (set TMPDIR to a folder "
                         "with room)\n" % (tmp, DEMO))
        self.assertEqual(os.listdir(tmp), ["filler"])
        self.assertFalse(os.path.exists(out))

    def test_missing_tmpdir(self):
        proc = run_tool(DEMO, env={"TMPDIR": self.path("none")})
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stderr, "applelegacy-report: %s: no such folder; TMPDIR must name "
                                      "a folder for the work files\n" % self.path("none"))


class Names(CaptureTestCase):
    def test_leading_dash(self):
        shutil.copy(DEMO, self.path("-leading.pcapng"))
        proc = run_tool("--", "-leading.pcapng", cwd=self.tmp)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(proc.stdout.startswith("Capture: -leading.pcapng\n===="), proc.stdout)
        proc = run_tool("--write", "-out.pcapng", "--", "-leading.pcapng", cwd=self.tmp)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # the demo's flagged frames, as test_report_tool's DEMO_FLAGGED
        self.assertEqual(proc.stderr, "applelegacy-report: wrote -out.pcapng: 23 comments on 15 "
                                      "frames\n")
        self.assertEqual(len(stock_comments(self.path("-out.pcapng"))), 15)
        os.makedirs(self.path("-dir"))
        shutil.copy(DEMO, self.path("-dir/a.pcapng"))
        proc = run_tool("--", "-dir", cwd=self.tmp)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(proc.stdout.startswith("Capture: -dir/a.pcapng\n===="), proc.stdout)


class Counting(CaptureTestCase):
    def rows(self, *args):
        proc = run_tool("--json", *args)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc, json.loads(proc.stdout)

    def test_same_capture_twice_is_read_once(self):
        _, once = self.rows(DEMO)
        proc, twice = self.rows(DEMO, DEMO)
        self.assertEqual(twice, once)
        self.assertEqual(proc.stderr, "applelegacy-report: %s is the same file as %s: read once\n"
                         % (DEMO, DEMO))

    def test_folder_with_a_link_to_its_own_capture(self):
        folder = self.path("case")
        os.makedirs(folder)
        shutil.copy(DEMO, os.path.join(folder, "a.pcapng"))
        os.symlink("a.pcapng", os.path.join(folder, "b.pcapng"))
        _, once = self.rows(DEMO)
        proc, rows = self.rows(folder)
        self.assertEqual(rows["captures"], [os.path.join(folder, "a.pcapng")])
        self.assertEqual([(r["packets"], r["bytes"], r["conversations"]) for r in rows["rows"]],
                         [(r["packets"], r["bytes"], r["conversations"]) for r in once["rows"]])
        self.assertEqual(proc.stderr, "applelegacy-report: %s is the same file as %s: read once\n"
                         % (os.path.join(folder, "b.pcapng"), os.path.join(folder, "a.pcapng")))

    def test_folder_skips_our_temporaries(self):
        # a partial .applelegacy-*.pcapng of an interrupted --write (older
        # versions left them) is not a capture of the case
        folder = self.path("case")
        os.makedirs(folder)
        shutil.copy(DEMO, os.path.join(folder, "a.pcapng"))
        with open(DEMO, "rb") as f, open(os.path.join(folder, ".applelegacy-x1.pcapng"), "wb") as g:
            g.write(f.read()[:5000])
        proc, rows = self.rows(folder)
        self.assertEqual(rows["captures"], [os.path.join(folder, "a.pcapng")])
        self.assertEqual(proc.stderr, "")

    def test_folder_given_as_a_link(self):
        folder = self.path("case")
        os.makedirs(folder)
        shutil.copy(DEMO, os.path.join(folder, "a.pcapng"))
        os.symlink(folder, self.path("link"))
        proc, rows = self.rows(self.path("link"))
        self.assertEqual(rows["captures"], [self.path("link/a.pcapng")])
        self.assertEqual(sum(r["packets"] for r in rows["rows"]), 112)


class Jobs(CaptureTestCase):
    def test_jobs_capped_by_processors_and_memory(self):
        caps = []
        for i in range(3):
            caps.append(self.write(Capture().udp(C1, S1, 41000, 626, b"SNQUERY: x:y:z"),
                                   "c%d.pcap" % i))
        proc = run_tool("-j", "9999", *caps)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        m = re.fullmatch(r"applelegacy-report: -j 9999 lowered to (\d+): (\d+) processors, "
                         r"(\d+) MiB of memory available, about 200 MiB a tshark\n", proc.stderr)
        self.assertIsNotNone(m, proc.stderr)
        lowered, cpus, mib = (int(g) for g in m.groups())
        self.assertEqual(cpus, os.cpu_count())
        self.assertEqual(lowered, max(1, min(cpus, mib // 200)))



class UserTableMessages(CaptureTestCase):
    """Every refused user-table row: "applelegacy_ports:LINE: column: ...",
    the value with control and non-UTF-8 bytes shown as \\xNN."""

    @staticmethod
    def row(service="X", lo="17776", hi="17776", used_by=""):
        return ('"%s","%s","tcp","%s","","","unassigned","false","%s","current","","","","",""'
                % (lo, hi, service, used_by))

    def message(self, row):
        cap = self.write(Capture().udp(C1, S1, 1, 2, b"x"))
        proc = tshark(["-o", "uat:applelegacy_ports:" + row], cap, check=False)
        self.assertNotEqual(proc.returncode, 0)
        return proc.stderr.split('": ', 1)[1] if '": ' in proc.stderr else proc.stderr

    def test_messages(self):
        cases = [
            (self.row(lo="17776", hi="17000"),
             "applelegacy_ports:1: port_hi: port_hi is lower than port_lo\n"),
            (self.row(service="X\\x01y\\x1b[31m"),
             'applelegacy_ports:1: service: "X\\x01y\\x1B[31m": contains a control character '
             '(newline, tab, ...)\n'),
            (self.row(service="Lab\\x00relay"),
             'applelegacy_ports:1: service: "Lab\\x00relay": contains a NUL byte\n'),
            (self.row(used_by="Caf\\xe9"),
             'applelegacy_ports:1: used_by: "Caf\\xE9": not UTF-8 text (a byte of another '
             'encoding, such as Latin-1); write it in UTF-8\n'),
        ]
        for row, message in cases:
            with self.subTest(row=row):
                self.assertEqual(self.message(row), message)

    def test_utf8_text_is_accepted(self):
        from harness import fields
        cap = self.write(Capture().tcp_session(C1, S1, 40000, 17776, [(True, b"a")]))
        rows = fields(cap, ["applelegacy.service"],
                      prefs=["uat:applelegacy_ports:" + self.row(service="Caf\u00e9 relay")])
        self.assertEqual(rows[0], ["Caf\u00e9 relay"])

    def test_latin1_row_in_the_profile_is_refused_and_said(self):
        config = self.path("config")
        os.makedirs(config)
        with open(os.path.join(config, "applelegacy_ports"), "wb") as f:
            f.write(('"17776","17776","tcp","Lab relay","cbt","cbt","other","false","Caf\xe9",'
                     '"discontinued","Lab OS 1","","","notes",""\n').encode("latin-1"))
        os.chmod(config, 0o755)
        cap = self.write(Capture().tcp_session(C1, S1, 40000, 17776, [(True, b"a")]))
        proc = run_tool("--json", cap, env={"APPLELEGACY_CONFIG_DIR": config})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["rows"], [])
        self.assertEqual(proc.stderr, "applelegacy-report: warning: Error loading table 'Apple "
                                      "legacy port rows': applelegacy_ports:1: used_by: "
                                      "\"Caf\\xE9\": not UTF-8 text (a byte of another encoding, "
                                      "such as Latin-1); write it in UTF-8\n")


if __name__ == "__main__":
    unittest.main()
