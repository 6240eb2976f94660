"""servermgrd / Server Admin (TCP 311, 687, 660) dissection: real tshark, the
fresh plugin build.

From apple-protocols.md sections 1 and 2: servermgrd is an HTTP server (HTTPS
on Mac OS X Server 10.x). Requests are
"GET /commands/servermgr_<module>?input=<URL-encoded XML plist>&send=Send+Command";
responses carry "Server: servermgrd", maybe the cookie com.apple.servermgrd,
the colon-less header lines "SupportsXMLRPC"/"SupportsBinaryPlist", a 401 with
'WWW-Authenticate: Basic realm = "Server Admin"', and an XML (or perhaps a
binary, "bplist00") property list body."""
import os
import random
import ssl
import subprocess
import unittest
import urllib.parse

import harness

DEMO = os.path.join(harness.SOURCE, "captures", "apple-legacy-demo.pcapng")

CLIENT, SERVER = "10.0.0.27", "10.0.0.14"
CPORT = 36884
DECODE_AS = ["-d", "tcp.port==687,servermgrd"]
HEUR_PORT = 40311  # no dissector owns it
NO_HTTP_HEUR = ["--disable-heuristic", "http_tcp"]
NO_SMD_HEUR = ["--disable-heuristic", "servermgrd_tcp"]
SMD_HEUR = ["--enable-heuristic", "servermgrd_tcp"]  # off by default

MSG_BASIC = "Server Admin credentials sent with HTTP Basic authentication without TLS"
MSG_NOT_HTTP = "Neither TLS nor HTTP: servermgrd speaks HTTP, or HTTP inside TLS"
MSG_NO_PLIST = "input= does not hold an XML property list dictionary"


def msg_colonless(name):
    return ("Header line without a colon: %s (not HTTP; Wireshark's HTTP dissector ends the "
            "header here and shows the rest as the body)" % name)


def msg_bad_input(count, first):
    return ("input= is not valid URL encoding: %d bad %%-escape(s), the first at byte %d of the "
            "value; kept as they are" % (count, first))


def msg_plist_stopped(at):
    return ("XML plist not well formed or cut short at byte %d; the keys after it are not shown"
            % at)


def plist(*pairs, version="0.9"):
    """An XML plist dict; each pair is (key, raw value element)."""
    body = "".join("<key>%s</key>%s" % (k, v) for k, v in pairs)
    return ('<?xml version="1.0" encoding="UTF-8"?><plist version="%s"><dict>%s</dict></plist>'
            % (version, body))


def s(text):
    return "<string>%s</string>" % text


def request(module, input_text=None, raw_input=None, headers=(), method="GET"):
    query = ""
    if input_text is not None or raw_input is not None:
        value = raw_input if raw_input is not None else urllib.parse.quote_plus(input_text)
        query = "?input=%s&send=Send+Command" % value
    lines = ["%s /commands/servermgr_%s%s HTTP/1.1" % (method, module, query), "Host: server:687"]
    lines += list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def response(status="200 OK", headers=("Server: servermgrd",), body=b"",
             content_type="text/xml", length=True):
    lines = ["HTTP/1.1 " + status] + list(headers)
    if content_type:
        lines.append("Content-Type: " + content_type)
    if length:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


REPLY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
         b"\t<key>state</key>\n\t<string>RUNNING</string>\n"
         b"\t<key>uptime</key>\n\t<integer>42</integer>\n"
         b"\t<key>services</key>\n\t<array><dict><key>name</key><string>afp</string></dict>"
         b"</array>\n</dict>\n</plist>\n")

BPLIST = b"bplist00\xd1\x01\x02Q" + bytes(range(0x20, 0x30))


class TlsPeers:
    """A TLS client and server joined by memory buffers (Python's ssl
    module): every record either side sends becomes one TCP segment, and the
    client writes an NSS key log so that tshark can decrypt."""

    def __init__(self, folder):
        key, crt = os.path.join(folder, "key.pem"), os.path.join(folder, "crt.pem")
        self.keylog = os.path.join(folder, "keys.txt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "1", "-subj", "/CN=servermgrd.test"],
                       check=True, capture_output=True)
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(crt, key)
        cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        cctx.check_hostname = False
        cctx.verify_mode = ssl.CERT_NONE
        cctx.keylog_filename = self.keylog
        self.c_in, self.c_out, self.s_in, self.s_out = (ssl.MemoryBIO() for _ in range(4))
        self.client = cctx.wrap_bio(self.c_in, self.c_out, server_side=False)
        self.server = sctx.wrap_bio(self.s_in, self.s_out, server_side=True)
        self.segments = []

    def pump(self):
        moved = False
        for out, into, from_client in ((self.c_out, self.s_in, True),
                                       (self.s_out, self.c_in, False)):
            data = out.read()
            if data:
                self.segments.append((from_client, data))
                into.write(data)
                moved = True
        return moved

    def handshake(self):
        done = [False, False]
        for _ in range(20):
            for i, side in enumerate((self.client, self.server)):
                if not done[i]:
                    try:
                        side.do_handshake()
                        done[i] = True
                    except ssl.SSLWantReadError:
                        pass
            if not self.pump() and all(done):
                return
        raise AssertionError("TLS handshake did not finish")

    def send(self, from_client, data):
        (self.client if from_client else self.server).write(data)
        self.pump()
        receiver = self.server if from_client else self.client
        got = b""
        while len(got) < len(data):
            got += receiver.read(65536)
            self.pump()
        assert got == data


class ServermgrdTest(harness.CaptureTestCase):

    def session(self, exchanges, sport=687, cport=CPORT, name="test.pcap", **kw):
        cap = harness.Capture().tcp_session(CLIENT, SERVER, cport, sport, exchanges, **kw)
        return self.write(cap, name)

    def rows(self, capture, names, args=(), display_filter="servermgrd", raw=False):
        """-T fields rows; several occurrences of a field are joined by ';'.
        Arguments starting with "-2" read the file by name (two passes need
        random access), the others give it on standard input."""
        cmd = list(args) + ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                            "-E", "aggregator=^"]
        for n in names:
            cmd += ["-e", n]
        if display_filter:
            cmd += ["-Y", display_filter]
        if "-2" in args:
            out = harness.tshark(["-r", capture] + cmd).stdout
        else:
            out = harness.tshark(cmd, capture).stdout
        rows = [[harness.as_in_4_0(cell, "^") for cell in line.split("\t")]
                for line in out.splitlines()]
        return rows if raw else [[f.replace("^", ";") for f in row] for row in rows]

    def experts(self, capture, args=(), display_filter="servermgrd"):
        """{frame: [expert messages]} without HTTP's own request/response-line chats."""
        result = {}
        for frame, msgs in self.rows(capture, ["frame.number", "_ws.expert.message"], args,
                                     display_filter, raw=True):
            result[int(frame)] = [m for m in msgs.split("^") if m and
                                  not m.startswith(("GET ", "POST ", "HTTP/"))]
        return result

    # --- the demo capture ---------------------------------------------------

    def test_demo_tls_311_frames_33_50(self):
        """HTTPS on 311 with the keys in the file: tshark decrypts it, HTTP
        comes out of TLS (no Decode As needed), the postdissector adds the
        servermgrd layer."""
        rows = self.rows(DEMO, ["frame.number", "servermgrd.module", "servermgrd.command",
                                "servermgrd.variant", "servermgrd.send", "servermgrd.server",
                                "servermgrd.reply_key", "servermgrd.over_tls", "_ws.col.Protocol",
                                "_ws.col.Info"],
                         display_filter="frame.number >= 33 && frame.number <= 50 && servermgrd")
        self.assertEqual(rows, [
            ["41", "info", "getState", "", "Send Command", "", "", "1", "servermgrd",
             "Request: info getState"],
            ["44", "", "", "", "", "servermgrd", "state", "1", "servermgrd",
             "Response: 200 OK, 1 key"],
        ])

    def test_demo_tls_311_decode_as(self):
        """The thin dissector in front: it hands the stream to TLS."""
        rows = self.rows(DEMO, ["frame.number", "frame.protocols", "servermgrd.module",
                                "servermgrd.command", "servermgrd.server"],
                         ["-d", "tcp.port==311,servermgrd"],
                         "frame.number >= 33 && frame.number <= 50 && http")
        self.assertEqual(rows, [
            ["41", "eth:ethertype:ip:tcp:servermgrd:tls:http", "info", "getState", ""],
            ["44", "eth:ethertype:ip:tcp:servermgrd:tls:http:xml", "", "", "servermgrd"],
        ])

    def test_demo_http_687_frames_104_113(self):
        rows = self.rows(DEMO, ["frame.number", "frame.protocols", "servermgrd.module",
                                "servermgrd.command", "servermgrd.variant", "servermgrd.server",
                                "servermgrd.reply_key", "servermgrd.over_tls", "_ws.col.Info"],
                         DECODE_AS, "frame.number >= 104 && frame.number <= 113 && servermgrd")
        self.assertEqual(rows, [
            ["107", "eth:ethertype:ip:tcp:servermgrd:http", "info", "getHardwareInfo",
             "withQuotaUsage", "", "", "0", "Request: info getHardwareInfo (withQuotaUsage)"],
            ["109", "eth:ethertype:ip:tcp:servermgrd:http:xml", "", "", "", "servermgrd",
             "cpuCount;cpuSpeed;cpuType;hardwareModel;memorySize;serverName", "0",
             "Response: 200 OK, 6 keys"],
        ])

    def test_demo_input_text(self):
        rows = self.rows(DEMO, ["servermgrd.input"], display_filter="frame.number == 107")
        self.assertEqual(rows, [[plist(("command", s("getHardwareInfo")),
                                       ("variant", s("withQuotaUsage")))]])

    def test_demo_687_without_decode_as(self):
        """No Decode As: the servermgrd_tcp heuristic (or, when the registry
        plugin is loaded too, its port sniffer, which calls servermgrd_match)
        hands the stream to servermgrd and pins the conversation."""
        rows = self.rows(DEMO, ["frame.number", "frame.protocols", "servermgrd.command"],
                         display_filter="tcp.port == 687 && servermgrd")
        self.assertEqual([(r[0], r[2]) for r in rows], [("107", "getHardwareInfo"), ("109", "")])
        self.assertRegex(rows[0][1], r"^eth:ethertype:ip:tcp:(applelegacy_sniffer:)?servermgrd:http$")
        self.assertEqual(rows[1][1], "eth:ethertype:ip:tcp:servermgrd:http:xml")

    def test_demo_only_servermgrd_frames(self):
        """The ordinary HTTPS (443), plain HTTP (8080), TLS on 625 and SSH on
        660 show no servermgrd, with or without Decode As on 311/687."""
        for args in ([], DECODE_AS + ["-d", "tcp.port==311,servermgrd"]):
            rows = self.rows(DEMO, ["frame.number"], args, "servermgrd")
            self.assertEqual([r[0] for r in rows], ["41", "44", "107", "109"], args)
        rows = self.rows(DEMO, ["frame.number"], [], "tcp.port == 8080 && http")
        self.assertEqual([r[0] for r in rows], ["24", "28"])  # HTTP is there, servermgrd is not

    def test_with_the_registry_disabled_or_absent(self):
        """servermgrd's postdissector is its own, with the registry plugin
        loaded, disabled or absent: it draws the same layer once."""
        names = ["frame.number", "_ws.col.Protocol", "servermgrd.command"]
        expected = [["41", "servermgrd", "getState"], ["44", "servermgrd", ""]]
        for args in ([], ["--disable-protocol", "applelegacy"]):
            rows = self.rows(DEMO, names, args, "frame.number in {41, 44}")
            self.assertEqual(rows, expected, args)
        proc = harness.tshark(["-e", "applelegacy.service", "-T", "fields"], DEMO, check=False,
                              only=("servermgrd",))
        self.assertNotEqual(proc.returncode, 0)  # the registry is not loaded
        self.assertIn("applelegacy.service", proc.stderr)
        rows = harness.fields(DEMO, names, "frame.number in {41, 44}", only=("servermgrd",))
        self.assertEqual(rows, expected)

    def test_layer_drawn_once(self):
        """One servermgrd layer a message, with every plugin loaded and alone."""
        for only in (None, ("servermgrd",)):
            out = harness.tshark(["-V", "-Y", "frame.number in {41, 44}"], DEMO, only=only).stdout
            self.assertEqual(out.count("\nApple Server Admin (servermgrd), Request"), 1, only)
            self.assertEqual(out.count("\nApple Server Admin (servermgrd), Response"), 1, only)

    def test_disabled_protocol_draws_nothing(self):
        """The postdissector's handle belongs to no protocol, so it checks
        itself that servermgrd is enabled: disabled, the HTTP frames inside
        TLS on 311 (drawn by the postdissector alone) keep HTTP's columns."""
        rows = self.rows(DEMO, ["frame.number", "_ws.col.Protocol", "servermgrd.command"],
                         ["--disable-protocol", "servermgrd"], "frame.number in {41, 44}")
        self.assertEqual(rows, [["41", "HTTP", ""], ["44", "HTTP/XML", ""]])
        rows = self.rows(DEMO, ["frame.number", "_ws.col.Protocol", "servermgrd.command"],
                         [], "frame.number in {41, 44}")
        self.assertEqual(rows, [["41", "servermgrd", "getState"], ["44", "servermgrd", ""]])

    # --- requests -----------------------------------------------------------

    def test_request_fields_and_params(self):
        text = plist(("command", s("getHistory")), ("variant", s("v1")),
                     ("timeScale", "<integer>3600</integer>"), ("detail", "<true/>"),
                     ("filter", "<dict><key>a</key><string>b</string></dict>"),
                     ("names", "<array><string>x</string></array>"),
                     ("label", s("a&amp;b")))
        cap = self.session([(True, request("xserve", text))])
        rows = self.rows(cap, ["servermgrd.module", "servermgrd.command", "servermgrd.variant",
                               "servermgrd.param", "servermgrd.send", "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [["xserve", "getHistory", "v1",
                                 "timeScale=3600;detail=true;filter=<dict>;names=<array>;"
                                 "label=a&amp;b",
                                 "Send Command", "Request: xserve getHistory (v1)"]])

    def test_request_without_input(self):
        cap = self.session([(True, request("nfs"))])
        rows = self.rows(cap, ["servermgrd.module", "servermgrd.input", "_ws.col.Info"],
                         DECODE_AS)
        self.assertEqual(rows, [["nfs", "", "Request: nfs (no command)"]])
        self.assertEqual(self.experts(cap, DECODE_AS), {4: []})

    def test_request_absolute_form(self):
        req = (b"GET http://server:687/commands/servermgr_network?input="
               + urllib.parse.quote_plus(plist(("command", s("readSettings")))).encode()
               + b" HTTP/1.1\r\nHost: server:687\r\n\r\n")
        cap = self.session([(True, req)])
        rows = self.rows(cap, ["servermgrd.module", "servermgrd.command"], DECODE_AS)
        self.assertEqual(rows, [["network", "readSettings"]])

    def test_module_list(self):
        """GET / is the "module list" only where the conversation is known to
        be servermgrd (Decode As here); on 8080 it is ordinary HTTP."""
        exchanges = [(True, b"GET / HTTP/1.1\r\nHost: server\r\n\r\n"),
                     (False, response(headers=("Server: servermgrd", "Connection: close"),
                                      body=b"<HTML><TITLE>Server Admin module list</TITLE>",
                                      content_type="text/html"))]
        cap = self.session(exchanges)
        rows = self.rows(cap, ["frame.number", "servermgrd.module_list", "servermgrd.server",
                               "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [["4", "1", "", "Request: module list"],
                                ["5", "", "servermgrd", "Response: 200 OK"]])
        rows = self.rows(cap, ["frame.number"], DECODE_AS, "servermgrd.module_list")
        self.assertEqual(rows, [["4"]])

        plain = self.session([(True, b"GET / HTTP/1.1\r\nHost: server\r\n\r\n")], sport=8080,
                             name="plain.pcap")
        self.assertEqual(self.rows(plain, ["frame.number"]), [])

    def test_first_frame_and_tree_kinds(self):
        """The capture starts with the request (no handshake), so nothing
        has asked for the HTTP fields yet when it is dissected. With a
        display filter only (summary lines) the tree is not visible, and the
        thin dissector makes it visible while HTTP dissects; -T fields builds
        a visible tree; with -2 and -T fields the first pass builds no tree,
        and the layer is decided in the second."""
        exchanges = [(True, request("info", plist(("command", s("getState"))))),
                     (False, response(body=REPLY))]
        cap = self.session(exchanges, handshake=False)
        for args in (DECODE_AS, ["-2"] + DECODE_AS):
            if "-2" in args:
                proc = harness.tshark(["-r", cap] + args + ["-Y", "servermgrd"])
            else:
                proc = harness.tshark(args + ["-Y", "servermgrd"], cap)
            lines = proc.stdout.splitlines()
            self.assertEqual(len(lines), 2, (args, lines))
            self.assertRegex(lines[0], r"^ *1 .* servermgrd \d+ Request: info getState$", args)
            self.assertRegex(lines[1], r"^ *2 .* servermgrd \d+ Response: 200 OK, 3 keys$", args)
        expected = [["1", "getState", "", "Request: info getState"],
                    ["2", "", "state;uptime;services", "Response: 200 OK, 3 keys"]]
        names = ["frame.number", "servermgrd.command", "servermgrd.reply_key", "_ws.col.Info"]
        for args in (DECODE_AS, ["-2"] + DECODE_AS):
            self.assertEqual(self.rows(cap, names, args, display_filter=None)[:2], expected, args)

    def test_module_list_after_command_on_same_connection(self):
        """Known from an earlier request of the same connection (heuristic
        port): the later GET / is the module list; one before it is not."""
        exchanges = [(True, b"GET / HTTP/1.1\r\nHost: s\r\n\r\n"),
                     (True, request("info", plist(("command", s("getState"))))),
                     (True, b"GET / HTTP/1.1\r\nHost: s\r\n\r\n")]
        cap = self.session(exchanges, sport=HEUR_PORT)
        for args in ([], ["-2"]):
            rows = self.rows(cap, ["frame.number", "_ws.col.Info"], args)
            self.assertEqual(rows, [["5", "Request: info getState"],
                                    ["6", "Request: module list"]], args)

    def test_pipelined_requests(self):
        both = (request("info", plist(("command", s("getState"))))
                + request("network", plist(("command", s("readSettings")))))
        cap = self.session([(True, both)])
        rows = self.rows(cap, ["servermgrd.module", "servermgrd.command", "_ws.col.Info"],
                         DECODE_AS)
        self.assertEqual(rows, [["info;network", "getState;readSettings",
                                 "Request: info getState | Request: network readSettings"]])

    # --- authentication -----------------------------------------------------

    def test_basic_auth_over_plain_http(self):
        req = request("info", plist(("command", s("getState"))),
                      headers=("Authorization: Basic YWRtaW46c2VjcmV0",))
        cap = self.session([(True, req)])
        self.assertEqual(self.experts(cap, DECODE_AS), {4: [MSG_BASIC]})
        rows = self.rows(cap, ["frame.number", "http.authbasic"], DECODE_AS,
                         "servermgrd.expert.basic_auth && servermgrd.basic_auth")
        self.assertEqual(rows, [["4", "admin:secret"]])

    def test_no_basic_auth_warning_without_basic(self):
        for hdrs in ((), ("Authorization: Digest username=\"admin\"",)):
            cap = self.session([(True, request("info", plist(("command", s("getState"))),
                                               headers=hdrs))])
            self.assertEqual(self.experts(cap, DECODE_AS), {4: []}, hdrs)
        # Basic auth to an ordinary web server is not ours to flag
        cap = self.session([(True, b"GET /index.html HTTP/1.1\r\nHost: w\r\n"
                                   b"Authorization: Basic YWRtaW46c2VjcmV0\r\n\r\n")],
                           sport=8080, name="web.pcap")
        self.assertEqual(self.rows(cap, ["frame.number"], [], "servermgrd.expert.basic_auth"), [])

    def test_401_with_realm(self):
        resp = response("401 Authorization Required",
                        ("Server: servermgrd", 'WWW-Authenticate: Basic realm = "Server Admin"'),
                        content_type=None)
        cap = self.session([(True, request("info", plist(("command", s("getState"))))),
                            (False, resp)])
        rows = self.rows(cap, ["frame.number", "servermgrd.server", "servermgrd.realm",
                               "_ws.col.Info"], DECODE_AS, "servermgrd.realm")
        self.assertEqual(rows, [["5", "servermgrd", "Server Admin",
                                 'Response: 401 Authorization Required, Basic realm "Server Admin"']])

    def test_cookie_only_response(self):
        """nmap's FourOhFourRequest match: no Server header, the cookie only;
        seen on a port nobody owns, so only the cookie identifies it."""
        resp = response("401 Unauthorized",
                        ('Www-Authenticate: Basic realm="host"',
                         "Set-Cookie: com.apple.servermgrd=A1B2C3; path=/"), content_type=None)
        cap = self.session([(True, b"GET /nice%20ports%2C/Tri%6Eity.txt%2ebak HTTP/1.0\r\n\r\n"),
                            (False, resp)], sport=HEUR_PORT)
        rows = self.rows(cap, ["frame.number", "frame.protocols", "servermgrd.cookie",
                               "servermgrd.realm", "servermgrd.server"])
        self.assertEqual(rows, [["5", "eth:ethertype:ip:tcp:http", "A1B2C3", "host", ""]])

    def test_cookie_in_request(self):
        req = request("info", plist(("command", s("getState"))),
                      headers=("Cookie: other=1; com.apple.servermgrd=A1B2C3",))
        cap = self.session([(True, req)])
        rows = self.rows(cap, ["frame.number", "servermgrd.cookie"], DECODE_AS)
        self.assertEqual(rows, [["4", "A1B2C3"]])

    # --- headers without a colon, binary plists -------------------------------

    def test_supports_lines_nmap_7747(self):
        """SupportsXMLRPC/SupportsBinaryPlist: the 4.0 HTTP dissector does
        not flag them; it ends the header at the first one and shows the rest
        (WWW-Authenticate, Content-Type, ...) as the body. The servermgrd
        layer reads those lines back and finds the real body after them."""
        resp = (b"HTTP/1.1 401 Authorization Required\r\nServer: servermgrd\r\n"
                b"SupportsXMLRPC\r\nSupportsBinaryPlist\r\n"
                b'WWW-Authenticate: Basic realm = "Server Admin"\r\n'
                b"Content-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(REPLY)) + REPLY
        cap = self.session([(True, request("info", plist(("command", s("getState"))))),
                            (False, resp)])
        rows = self.rows(cap, ["frame.number", "http.content_type", "servermgrd.server",
                               "servermgrd.supports_xmlrpc", "servermgrd.supports_binary_plist",
                               "servermgrd.body_header", "servermgrd.realm",
                               "servermgrd.reply_key", "_ws.col.Info"], DECODE_AS,
                         "servermgrd.supports_xmlrpc")
        self.assertEqual(rows, [["5", "", "servermgrd", "1", "1",
                                 "SupportsXMLRPC;SupportsBinaryPlist;"
                                 'WWW-Authenticate: Basic realm = "Server Admin";'
                                 "Content-Type: text/xml;Content-Length: %d" % len(REPLY),
                                 "Server Admin", "state;uptime;services",
                                 'Response: 401 Authorization Required, Basic realm '
                                 '"Server Admin", 3 keys']])
        self.assertEqual(self.experts(cap, DECODE_AS, "frame.number == 5"),
                         {5: [msg_colonless("SupportsXMLRPC"),
                              msg_colonless("SupportsBinaryPlist")]})

    def test_supports_binary_plist_then_bplist_body(self):
        """The Content-Type/Content-Length after the colon-less line are not
        seen by HTTP; the body is the rest of the segment, and the binary
        plist is found after the header lines."""
        resp = (b"HTTP/1.1 200 OK\r\nServer: servermgrd\r\nSupportsBinaryPlist\r\n"
                b"Content-Type: application/octet-stream\r\n"
                b"Content-Length: %d\r\n\r\n" % len(BPLIST)) + BPLIST
        cap = self.session([(True, request("info", plist(("command", s("getState"))))),
                            (False, resp)])
        rows = self.rows(cap, ["frame.number", "servermgrd.supports_binary_plist",
                               "servermgrd.binary_plist", "_ws.col.Info"], DECODE_AS,
                         "servermgrd.binary_plist")
        self.assertEqual(rows, [["5", "1", BPLIST.hex(), "Response: 200 OK, binary plist"]])

    def test_bplist_body(self):
        resp = response(body=BPLIST, content_type="application/x-bplist")
        cap = self.session([(True, request("info", plist(("command", s("getState"))))),
                            (False, resp)])
        rows = self.rows(cap, ["frame.number", "servermgrd.binary_plist", "servermgrd.reply_key",
                               "_ws.col.Info"], DECODE_AS, "frame.number == 5")
        self.assertEqual(rows, [["5", BPLIST.hex(), "", "Response: 200 OK, binary plist"]])

    def test_segmented_response_reassembled(self):
        """A response in three segments, through the thin dissector (Decode
        As) and through the heuristic: HTTP reassembles it below us."""
        resp = response(body=REPLY)
        parts = [resp[:30], resp[30:120], resp[120:]]
        exchanges = [(True, request("info", plist(("command", s("getState")))))]
        exchanges += [(False, p) for p in parts]
        for sport, args in ((687, DECODE_AS), (HEUR_PORT, NO_HTTP_HEUR + SMD_HEUR)):
            cap = self.session(exchanges, sport=sport, name="seg%d.pcap" % sport)
            rows = self.rows(cap, ["frame.number", "frame.protocols", "servermgrd.reply_key"],
                             args)
            self.assertEqual(rows, [["4", "eth:ethertype:ip:tcp:servermgrd:http", ""],
                                    ["7", "eth:ethertype:ip:tcp:servermgrd:http:xml",
                                     "state;uptime;services"]], sport)

    def test_chunked_response(self):
        """A chunked body is de-chunked by HTTP into its own data source."""
        head = (b"HTTP/1.1 200 OK\r\nServer: servermgrd\r\nContent-Type: text/xml\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        body = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (40, REPLY[:40], len(REPLY) - 40, REPLY[40:])
        cap = self.session([(True, request("info", plist(("command", s("getState"))))),
                            (False, head + body)])
        rows = self.rows(cap, ["frame.number", "servermgrd.reply_key"], DECODE_AS,
                         "frame.number == 5")
        self.assertEqual(rows, [["5", "state;uptime;services"]])

    # --- damaged input --------------------------------------------------------

    def test_bad_percent_escapes(self):
        """Garbled %-escapes are kept as they are (PI_PROTOCOL), the rest of
        the input is still read."""
        good = urllib.parse.quote_plus(plist(("command", s("getState"))))
        raw = good.replace("getState", "get%ZZState") + "%4"
        cap = self.session([(True, request("info", raw_input=raw))])
        self.assertEqual(self.experts(cap, DECODE_AS),
                         {4: [msg_bad_input(2, raw.index("%ZZ"))]})
        rows = self.rows(cap, ["servermgrd.command", "servermgrd.input"], DECODE_AS)
        self.assertEqual(rows, [["get%ZZState", plist(("command", s("get%ZZState"))) + "%4"]])
        rows = self.rows(cap, ["frame.number"], DECODE_AS,
                         "_ws.expert.group == 0x09000000 && servermgrd.expert.bad_input")
        self.assertEqual(rows, [["4"]])  # PI_PROTOCOL, not PI_MALFORMED

    def test_truncated_input(self):
        """input= cut in the middle of the plist (and of an escape)."""
        full = urllib.parse.quote_plus(plist(("command", s("getHardwareInfo")),
                                             ("variant", s("withQuotaUsage"))))
        cut = full[:full.index("withQuota") + 4] + "%3"
        decoded_len = len(urllib.parse.unquote_plus(cut[:-2]))
        cap = self.session([(True, request("info", raw_input=cut))])
        at = decoded_len - len("<string>with")
        self.assertEqual(self.experts(cap, DECODE_AS),
                         {4: [msg_bad_input(1, len(cut) - 2), msg_plist_stopped(at)]})
        rows = self.rows(cap, ["servermgrd.command", "servermgrd.variant"], DECODE_AS)
        self.assertEqual(rows, [["getHardwareInfo", ""]])

    def test_input_not_a_plist(self):
        for raw in ("hello+world", "", urllib.parse.quote_plus("<plist><array/></plist>")):
            cap = self.session([(True, request("info", raw_input=raw))], name="np.pcap")
            self.assertEqual(self.experts(cap, DECODE_AS), {4: [MSG_NO_PLIST]}, raw)

    def test_truncated_reply_body(self):
        """A reply plist cut short: the keys before the cut, then the expert
        (PI_MALFORMED: the scan gives up there)."""
        cut = REPLY[:REPLY.index(b"<key>services")]
        resp = response(body=cut)
        cap = self.session([(True, request("info", plist(("command", s("getState"))))),
                            (False, resp)])
        rows = self.rows(cap, ["frame.number", "servermgrd.reply_key", "_ws.col.Info"],
                         DECODE_AS, "frame.number == 5")
        self.assertEqual(rows, [["5", "state;uptime", "Response: 200 OK, 2 keys"]])
        self.assertEqual(self.experts(cap, DECODE_AS, "frame.number == 5"),
                         {5: [msg_plist_stopped(len(cut))]})
        rows = self.rows(cap, ["frame.number"], DECODE_AS,
                         "_ws.expert.group == 0x07000000 && servermgrd.expert.plist_stopped")
        self.assertEqual(rows, [["5"]])

    def test_not_tls_or_http_with_decode_as(self):
        cap = self.session([(True, b"\x00\x01garbage that is not HTTP\r\n")])
        rows = self.rows(cap, ["frame.number", "frame.protocols", "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [["4", "eth:ethertype:ip:tcp:servermgrd:data",
                                 "Neither TLS nor HTTP"]])
        self.assertEqual(self.experts(cap, DECODE_AS), {4: [MSG_NOT_HTTP]})

    def test_random_and_cut_payloads_do_not_crash(self):
        """Every prefix of a full exchange, and random byte flips in it,
        through Decode As and the heuristic: tshark exits 0."""
        full = (request("info", plist(("command", s("getState"))),
                        headers=("Authorization: Basic YWRtaW46c2VjcmV0",))
                + response(headers=("Server: servermgrd", "SupportsXMLRPC"), body=REPLY))
        rng = random.Random(311)
        cap = harness.Capture()
        for i, n in enumerate(range(1, len(full), 13)):
            cut = full[:n]
            cap.tcp_session(CLIENT, SERVER, 20000 + i, 687, [(True, cut)])
        for i in range(60):
            b = bytearray(full)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            split = rng.randrange(1, len(b))
            cap.tcp_session(CLIENT, SERVER, 30000 + i, 687,
                            [(True, bytes(b[:split])), (False, bytes(b[split:]))])
        path = self.write(cap, "fuzz.pcap")
        for args, by_name in ((DECODE_AS, False), (["-2"] + DECODE_AS, True), ([], False)):
            if by_name:
                proc = harness.tshark(["-r", path] + args + ["-V"])
            else:
                proc = harness.tshark(args + ["-V"], path)
            self.assertEqual(proc.returncode, 0)
            self.assertIn("servermgrd", proc.stdout)

    def test_basic_auth_inside_tls(self):
        """The same Basic credentials inside TLS (keys given to tshark): the
        request is decoded, and there is no warning."""
        peers = TlsPeers(self.tmp)
        peers.handshake()
        req = request("info", plist(("command", s("getState"))),
                      headers=("Authorization: Basic YWRtaW46c2VjcmV0",))
        peers.send(True, req)
        peers.send(False, response(body=REPLY))
        os.chmod(peers.keylog, 0o644)
        cap = self.session(peers.segments, sport=311)
        args = ["-o", "tls.keylog_file:" + peers.keylog, "-d", "tcp.port==311,servermgrd"]
        rows = self.rows(cap, ["frame.number", "frame.protocols", "servermgrd.command",
                               "servermgrd.over_tls", "http.authbasic", "servermgrd.reply_key",
                               "_ws.col.Info"], args)
        self.assertEqual([r[2:] for r in rows], [
            ["getState", "1", "admin:secret", "", "Request: info getState"],
            ["", "1", "", "state;uptime;services", "Response: 200 OK, 3 keys"]])
        for row in rows:
            self.assertTrue(row[1].startswith("eth:ethertype:ip:tcp:servermgrd:tls:http"), row)
        self.assertEqual(self.rows(cap, ["frame.number"], args, "servermgrd.basic_auth"),
                         [[rows[0][0]]])
        self.assertEqual(self.rows(cap, ["frame.number"], args, "servermgrd.expert.basic_auth"),
                         [])

    # --- the heuristic ----------------------------------------------------------

    def test_heuristic_claims_servermgrd(self):
        """Both directions match: the request path and the Server header."""
        exchanges = [(True, request("info", plist(("command", s("getState"))))),
                     (False, response(body=REPLY))]
        cap = self.session(exchanges, sport=HEUR_PORT)
        rows = self.rows(cap, ["frame.number", "frame.protocols", "servermgrd.command",
                               "servermgrd.server"], NO_HTTP_HEUR + SMD_HEUR)
        self.assertEqual(rows, [
            ["4", "eth:ethertype:ip:tcp:servermgrd:http", "getState", ""],
            ["5", "eth:ethertype:ip:tcp:servermgrd:http:xml", "", "servermgrd"]])
        # the response alone (capture started late) is claimed too
        cap = self.session([(False, response(body=REPLY))], sport=HEUR_PORT, name="r.pcap")
        rows = self.rows(cap, ["frame.number", "frame.protocols"], NO_HTTP_HEUR + SMD_HEUR)
        self.assertEqual(rows, [["4", "eth:ethertype:ip:tcp:servermgrd:http:xml"]])

    def test_heuristic_off_by_default(self):
        exchanges = [(True, request("info", plist(("command", s("getState")))))]
        cap = self.session(exchanges, sport=HEUR_PORT)
        for off in ([], NO_SMD_HEUR):
            # HTTP's own heuristic still finds the HTTP, and the layer is added
            rows = self.rows(cap, ["frame.number", "frame.protocols", "servermgrd.command"], off)
            self.assertEqual(rows, [["4", "eth:ethertype:ip:tcp:http", "getState"]])
            # with HTTP's heuristic off too nothing decodes it
            rows = self.rows(cap, ["frame.number", "frame.protocols"], off + NO_HTTP_HEUR,
                             "tcp.len > 0")
            self.assertEqual(rows, [["4", "eth:ethertype:ip:tcp:data"]])

    def test_heuristic_rejects_other_traffic(self):
        tls_hello = bytes.fromhex("16030100a5010000a10303") + bytes(32) + b"\x00\x00\x02\x13\x01"
        others = [
            [(True, b"GET /index.html HTTP/1.1\r\nHost: www\r\n\r\n"),
             (False, b"HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Length: 2\r\n\r\nhi")],
            [(True, tls_hello)],
            [(True, bytes(random.Random(5).randrange(256) for _ in range(200)))],
            [(True, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n")],
        ]
        for i, exchanges in enumerate(others):
            cap = self.session(exchanges, sport=HEUR_PORT, name="o%d.pcap" % i)
            rows = self.rows(cap, ["frame.number", "frame.protocols"], NO_HTTP_HEUR + SMD_HEUR,
                             "tcp.len > 0")
            for frame, protocols in rows:
                self.assertNotIn("servermgrd", protocols, (i, frame))
            self.assertEqual(self.rows(cap, ["frame.number"], SMD_HEUR), [], i)

    def test_plain_http_8080_is_not_servermgrd(self):
        exchanges = [(True, b"GET /index.html HTTP/1.1\r\nHost: www\r\n\r\n"),
                     (False, b"HTTP/1.1 200 OK\r\nServer: SimpleHTTP/0.6\r\n"
                             b"Content-Type: text/html\r\nContent-Length: 2\r\n\r\nhi")]
        cap = self.session(exchanges, sport=8080)
        self.assertEqual(self.rows(cap, ["frame.number"]), [])
        rows = self.rows(cap, ["frame.number"], [], "http")
        self.assertEqual(rows, [["4"], ["5"]])

    def test_registered_names(self):
        self.assertIn("tcp\tservermgrd\tF", harness.heuristic_decodes())
        if harness.tshark_series() >= (4, 4):  # 4.0 has no -G dissectors
            listed = harness.tshark(["-G", "dissectors"]).stdout.splitlines()
            self.assertIn("servermgrd.postdissector\tApple Server Admin (servermgrd) "
                          "postdissector", listed)
            self.assertIn("applelegacy.postdissector\tApple Legacy Port Registry "
                          "postdissector", listed)
        fields = harness.tshark(["-G", "fields"]).stdout
        for name in ("servermgrd.module", "servermgrd.input", "servermgrd.command",
                     "servermgrd.variant", "servermgrd.param", "servermgrd.server",
                     "servermgrd.reply_key", "servermgrd.binary_plist",
                     "servermgrd.expert.basic_auth", "servermgrd.expert.bad_input"):
            self.assertIn("\t%s\t" % name, fields)


if __name__ == "__main__":
    unittest.main()
