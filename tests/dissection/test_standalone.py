"""Each Apple protocol plugin loaded alone (APPLELEGACY_ONLY of
tools/tshark-with-plugins), without the registry plugin: it registers the
ports its README documents itself (plugins/common/applelegacy-api.h), and a
frame on them decodes as it does with every plugin loaded, where the
registry's port sniffer hands the payload over.

Each test asserts exact fields of the plugin alone, frame.protocols showing
the plugin's dissector straight above TCP or UDP (the port, not a heuristic:
every Apple heuristic is off by default), and then the plugin's whole layer
(every field and expert item, as tshark -T json gives it) equal with one
plugin and with all."""
import json
import os
import struct
import unittest

import harness

DEMO = os.path.join(harness.SOURCE, "captures", "apple-legacy-demo.pcapng")
APDISC_REAL = os.path.join(harness.SHARED_CAPTURES, "ndpi-anyconnect-vpn-udp192-only.pcap")
CLIENT, SERVER = "10.0.0.40", "10.0.0.41"


def netinfo_call(xid):
    """An RPC CALL of NetInfo's PING (program 200100000, version 2,
    procedure 0) with AUTH_NULL, as in test_netinfo.py."""
    return struct.pack("!10I", xid, 0, 2, 200100000, 2, 0, 0, 0, 0, 0)


def netinfo_reply(xid):
    return struct.pack("!6I", xid, 1, 0, 0, 0, 0)


def netinfo_record(data):
    """TCP record marking: last fragment, length."""
    return struct.pack("!I", 0x80000000 | len(data)) + data


def layers(capture, proto, frames, only=None):
    """{frame number: [each `proto` layer of the frame]} for the given frames,
    from tshark -T json. A layer is kept as its list of (name, value) pairs,
    in order and with repeated fields (json.loads would keep the last)."""
    shown = "frame.number in {%s}" % ", ".join(str(f) for f in frames)
    out = harness.tshark(["-T", "json", "-J", "frame " + proto, "-Y", shown], capture,
                         only=only).stdout
    result = {}
    for packet in json.loads(out, object_pairs_hook=list):
        found = dict(dict(dict(packet)["_source"])["layers"])
        number = int(dict(found["frame"])["frame.number"])
        result[number] = [value for name, value in dict(packet)["_source"][0][1] if name == proto]
    return result


class StandaloneTest(harness.CaptureTestCase):

    def alone(self, plugin, capture, names, frames):
        """-T fields rows of the plugin alone for the given frames (frame
        number first)."""
        shown = "frame.number in {%s}" % ", ".join(str(f) for f in frames)
        return harness.fields(capture, ["frame.number"] + names, shown, only=(plugin,))

    def assert_same_with_all(self, plugin, proto, capture, frames):
        """The plugin's layer in each frame: present, and the same alone as
        with every plugin loaded."""
        alone = layers(capture, proto, frames, only=(plugin,))
        self.assertEqual(sorted(alone), sorted(frames))
        for frame in frames:
            self.assertTrue(alone[frame], "frame %d has no %s layer alone" % (frame, proto))
        self.assertEqual(layers(capture, proto, frames), alone)

    def tcp(self, sport, exchanges):
        cap = harness.Capture().tcp_session(CLIENT, SERVER, 43210, sport, exchanges)
        return self.write(cap, "tcp-%d.pcap" % sport)

    def udp(self, sport, datagrams):
        """datagrams: (to_server, payload) in order."""
        cap = harness.Capture()
        for to_server, payload in datagrams:
            if to_server:
                cap.udp(CLIENT, SERVER, 43210, sport, payload)
            else:
                cap.udp(SERVER, CLIENT, sport, 43210, payload)
        return self.write(cap, "udp-%d.pcap" % sport)

    # --- the wrapper ---------------------------------------------------------

    def test_only_loads_the_named_plugins(self):
        def ours(only):
            out = harness.tshark(["-G", "plugins"], only=only).stdout
            return sorted(line.split()[0] for line in out.splitlines()
                          if "/applelegacy-home." in line)
        self.assertEqual(ours(("ard",)), ["ard.so"])
        self.assertEqual(ours(("acp", "servermgrd")), ["acp.so", "servermgrd.so"])
        self.assertIn("applelegacy.so", ours(None))
        self.assertGreater(len(ours(None)), 9)

    def test_only_refuses_an_unknown_name(self):
        for only in (("nosuchplugin",), ("ard", "", "acp"), ("../ard",), ("", "")):
            proc = harness.tshark(["-v"], only=only, check=False)
            self.assertEqual(proc.returncode, 2, only)
            self.assertIn("APPLELEGACY_ONLY", proc.stderr)

    # --- each plugin on its documented ports ---------------------------------

    def test_acp_tcp_5009(self):
        self.assertEqual(self.alone("acp", DEMO, ["frame.protocols", "acp.command",
                                                  "acp.property.name", "acp.property.string"],
                                    [119, 121]), [
            ["119", "eth:ethertype:ip:tcp:acp", "0x00000014", "syNm", ""],
            ["121", "eth:ethertype:ip:tcp:acp", "0x00000014", "syNm", "Demo AirPort"],
        ])
        self.assert_same_with_all("acp", "acp", DEMO, [119, 121])

    def test_acp_port_preference(self):
        """The port is a preference (acp.tcp.port): the demo's ACP exchange on
        TCP 5010 is decoded once 5010 is added."""
        demo = harness.fields(DEMO, ["tcp.payload"], "frame.number in {119, 121}")
        cap = self.tcp(5010, [(True, bytes.fromhex(demo[0][0])),
                              (False, bytes.fromhex(demo[1][0]))])
        for prefs, command in (([], ""), (["acp.tcp.port:5010"], "0x00000014")):
            rows = harness.fields(cap, ["frame.number", "acp.command"], "frame.number in {4, 5}",
                                  prefs=prefs, only=("acp",))
            self.assertEqual(rows, [["4", command], ["5", command]], prefs)

    def test_apdisc_udp_192(self):
        cap = self.udp(192, [(True, bytes.fromhex("08010310")), (True, bytes.fromhex("10010310"))])
        self.assertEqual(self.alone("apdisc", cap, ["frame.protocols", "apdisc.byte0",
                                                    "apdisc.unknown"], [1, 2]), [
            ["1", "eth:ethertype:ip:udp:apdisc", "0x08", "010310"],
            ["2", "eth:ethertype:ip:udp:apdisc", "0x10", "010310"],
        ])
        self.assert_same_with_all("apdisc", "apdisc", cap, [1, 2])

    @unittest.skipUnless(os.path.exists(APDISC_REAL), "shared capture not present")
    def test_apdisc_real_capture(self):
        rows = harness.fields(APDISC_REAL, ["frame.number", "apdisc.byte0"], only=("apdisc",))
        self.assertEqual([r[1] for r in rows], ["0x08", "0x10"] * 5)
        self.assert_same_with_all("apdisc", "apdisc", APDISC_REAL, range(1, 11))

    def test_ard_udp_3283(self):
        self.assertEqual(self.alone("ard", DEMO, ["frame.protocols", "ard.code",
                                                  "ard.info.computer_name", "ard.info.user"],
                                    [114, 115]), [
            ["114", "eth:ethertype:ip:udp:ard", "0x0014", "", ""],
            ["115", "eth:ethertype:ip:udp:ard", "0x0001", "demo-imac", "analyst"],
        ])
        self.assert_same_with_all("ard", "ard", DEMO, [114, 115])

    def test_ard_tcp_3283(self):
        """Alone, TCP 3283 is ARD (framing unknown). With the registry it is
        ARD only by Decode As: nothing in its payload tells it."""
        cap = self.tcp(3283, [(True, b"\x00\x01\x02\x03")])
        rows = self.alone("ard", cap, ["frame.protocols", "ard.tcp.data"], [4])
        self.assertEqual(rows, [["4", "eth:ethertype:ip:tcp:ard", "00010203"]])

    def test_dsproxy_tcp_625(self):
        self.assertEqual(self.alone("dsproxy", DEMO, ["frame.protocols", "dsproxy.length",
                                                      "dsproxy.stage"], [54, 56, 58, 59]), [
            ["54", "eth:ethertype:ip:tcp:dsproxy", "68", "1"],
            ["56", "eth:ethertype:ip:tcp:dsproxy", "64", "2"],
            ["58", "eth:ethertype:ip:tcp:dsproxy", "16", "3"],
            ["59", "eth:ethertype:ip:tcp:dsproxy", "16", "4"],
        ])
        self.assert_same_with_all("dsproxy", "dsproxy", DEMO, [54, 56, 58, 59])

    def test_eppc_tcp_3031(self):
        """nmap's eppc-enum-processes exchange (test_eppc.py): opening, target
        request, reply with uid and pid."""
        cap = self.tcp(3031, [
            (True, b"PPCT\x00\x00\x00\x01\x00\x00\x00\x01"),
            (False, b"\x00\x00\x00\x01\x7f\x00"),
            (True, bytes.fromhex("e44c50525401e101") + b"\xe7\x06Finder" +
             bytes.fromhex("dfdbe302013ddfdfdfdfd500")),
            (False, b"\x00\x00\x01\x02\xe2\x00uid=501&pid=1234\x00\x00\x00\x00"),
        ])
        self.assertEqual(self.alone("eppc", cap, ["frame.protocols", "eppc.target_app",
                                                  "eppc.uid", "eppc.pid"], [4, 6, 7]), [
            ["4", "eth:ethertype:ip:tcp:eppc", "", "", ""],
            ["6", "eth:ethertype:ip:tcp:eppc", "Finder", "", ""],
            ["7", "eth:ethertype:ip:tcp:eppc", "", "501", "1234"],
        ])
        self.assert_same_with_all("eppc", "eppc", cap, [4, 5, 6, 7])

    def test_netinfo_tcp_985(self):
        """A NetInfo PING call and reply with record marking (test_netinfo.py);
        RPC decodes, the plugin names program and procedure."""
        call = netinfo_record(netinfo_call(0x2001))
        reply = netinfo_record(netinfo_reply(0x2001))
        cap = self.tcp(985, [(True, call), (False, reply)])
        self.assertEqual(self.alone("netinfo", cap, ["frame.protocols", "rpc.program",
                                                     "netinfo.procedure_v2"], [4, 5]), [
            ["4", "eth:ethertype:ip:tcp:netinfo:rpc", "200100000", "0"],
            ["5", "eth:ethertype:ip:tcp:rpc", "200100000", "0"],  # RPC's conversation
        ])
        self.assert_same_with_all("netinfo", "rpc", cap, [4, 5])

    def test_netinfo_udp_985(self):
        call, reply = netinfo_call(0x1001), netinfo_reply(0x1001)
        cap = self.udp(985, [(True, call), (False, reply)])
        self.assertEqual(self.alone("netinfo", cap, ["frame.protocols", "rpc.program",
                                                     "netinfo.procedure_v2"], [1, 2]), [
            ["1", "eth:ethertype:ip:udp:netinfo:rpc", "200100000", "0"],
            ["2", "eth:ethertype:ip:udp:netinfo:rpc", "200100000", "0"],
        ])
        self.assert_same_with_all("netinfo", "rpc", cap, [1, 2])

    def test_pwserver_tcp_106(self):
        frames = [129, 131, 133, 134, 135, 136, 137, 138, 139]
        rows = self.alone("pwserver", DEMO, ["frame.protocols", "pwserver.server_version",
                                             "pwserver.command"], frames)
        self.assertEqual(set(r[1] for r in rows), {"eth:ethertype:ip:tcp:pwserver"})
        self.assertEqual([r[0] for r in rows], [str(f) for f in frames])
        self.assertEqual([r[2:] for r in rows[:4]],
                         [["10.6.0.0", ""], ["", "LIST"], ["", ""], ["", "USER"]])
        self.assert_same_with_all("pwserver", "pwserver", DEMO, frames)

    def test_pwserver_tcp_3659(self):
        cap = self.tcp(3659, [(False, b"+OK ApplePasswordServer 10.4.5.0 password server at "
                                      b"10.0.0.41 ready.\r\n"), (True, b"LIST RSAPUBLIC\r\n")])
        self.assertEqual(self.alone("pwserver", cap, ["frame.protocols", "pwserver.server_version",
                                                      "pwserver.command"], [4, 5]), [
            ["4", "eth:ethertype:ip:tcp:pwserver", "10.4.5.0", ""],
            ["5", "eth:ethertype:ip:tcp:pwserver", "", "LIST"],
        ])
        self.assert_same_with_all("pwserver", "pwserver", cap, [4, 5])

    def test_pwserver_udp_3659(self):
        cap = self.udp(3659, [(False, b"How was your weekend?;0A1B2C3D\0")])
        self.assertEqual(self.alone("pwserver", cap, ["frame.protocols", "pwserver.udp.hex"],
                                    [1]), [["1", "eth:ethertype:ip:udp:pwserver", "0A1B2C3D"]])
        self.assert_same_with_all("pwserver", "pwserver", cap, [1])

    def test_serialnumberd_udp_626(self):
        self.assertEqual(self.alone("serialnumberd", DEMO, ["frame.protocols", "serialnumberd.type",
                                                            "serialnumberd.serial"], [143, 144]), [
            ["143", "eth:ethertype:ip:udp:serialnumberd", "SNQUERY", "AAAAAA"],
            ["144", "eth:ethertype:ip:udp:serialnumberd", "SNRESPS", ""],
        ])
        self.assert_same_with_all("serialnumberd", "serialnumberd", DEMO, [143, 144])

    def test_servermgrd_tcp_311(self):
        """HTTPS on 311: alone, servermgrd's thin dissector is in front of TLS
        (with the registry, its sniffer hands TLS to TLS); the postdissector
        draws the same layer either way."""
        self.assertEqual(self.alone("servermgrd", DEMO, ["frame.protocols", "servermgrd.command",
                                                         "servermgrd.server"], [41, 44]), [
            ["41", "eth:ethertype:ip:tcp:servermgrd:tls:http", "getState", ""],
            ["44", "eth:ethertype:ip:tcp:servermgrd:tls:http:xml", "", "servermgrd"],
        ])
        self.assert_same_with_all("servermgrd", "servermgrd", DEMO, [41, 44])


if __name__ == "__main__":
    unittest.main()
