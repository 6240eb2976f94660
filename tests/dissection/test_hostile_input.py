"""tools/applelegacy-report and the plugins under hostile input (issue 16):
packets whose text does not fit an expert message, bad bytes in the user
table, odd file names, output paths that are not regular files, signals,
doubled inputs. No input may give a traceback, a doubled count or a lost or
replaced file."""
import json
import os
import subprocess
import unittest

from harness import BUILD, TSHARK, Capture, CaptureTestCase
from test_report_tool import REPORT_TOOL, run_tool, stock_comments

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
        from harness import tshark
        messages = tshark(["-o", "applelegacy.scope:legacy", "-T", "fields", "-e",
                           "_ws.expert.message", "-Y", "applelegacy"], cap).stdout
        self.assertNotIn("abandoned", messages)


if __name__ == "__main__":
    unittest.main()
