"""netinfo (NetInfo over ONC RPC) dissection: real tshark, the fresh plugin build.

Wireshark's RPC dissector decodes RPC; the plugin names the programs
200100000 (NetInfo) and 200100001 (netinfobind) and the NetInfo v2
procedures (apple-protocols.md section 11), and hands port payload to RPC."""
import struct
import unittest

import harness

# The registry plugin (applelegacy, a postdissector) adds its own expert items
# on Apple ports when it is built beside this plugin; these tests look at this
# dissector alone.
ALONE = ["--disable-protocol", "applelegacy"]


def tshark(args, capture):
    return harness.tshark(ALONE + list(args), capture)


CLIENT, SERVER = "127.0.0.20", "127.0.0.10"
NETINFO, NETINFOBIND, NFS = 200100000, 200100001, 100003
NAMED = {0: "PING", 1: "STATISTICS", 2: "ROOT", 3: "SELF", 4: "PARENT", 5: "CREATE",
         28: "LOOKUPREAD"}
DECODE_AS = ["-d", "udp.port==985,netinfo", "-d", "tcp.port==985,netinfo"]
NO_RPC_HEUR = ["--disable-heuristic", "rpc_udp", "--disable-heuristic", "rpc_tcp"]
NO_NETINFO_HEUR = ["--disable-heuristic", "netinfo_udp", "--disable-heuristic", "netinfo_tcp"]
NETINFO_HEUR = ["--enable-heuristic", "netinfo_udp", "--enable-heuristic", "netinfo_tcp"]


def call(xid, prog=NETINFO, vers=2, proc=0, body=b""):
    """RPC CALL: xid, CALL, rpcvers 2, prog, vers, proc, AUTH_NULL cred and verifier."""
    return struct.pack("!10I", xid, 0, 2, prog, vers, proc, 0, 0, 0, 0) + body


def reply(xid, body=b""):
    """RPC REPLY: xid, REPLY, MSG_ACCEPTED, AUTH_NULL verifier, SUCCESS."""
    return struct.pack("!6I", xid, 1, 0, 0, 0, 0) + body


def record(data, last=True):
    """TCP record marking (RFC 5531 section 11)."""
    return struct.pack("!I", (0x80000000 if last else 0) | len(data)) + data


def proc_name(proc):
    return NAMED.get(proc, "proc-%d (name unknown)" % proc)


def run_fields(capture, names, args=()):
    cmd = list(args) + ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                        "-E", "aggregator=,"]
    for n in names:
        cmd += ["-e", n]
    out = tshark(cmd, capture).stdout
    return [[harness.as_in_4_0(cell) for cell in line.split("|")] for line in out.splitlines()]


class NetinfoTest(harness.CaptureTestCase):

    def udp_exchange(self, *pairs, cport=40985, sport=985):
        cap = harness.Capture()
        for c, r in pairs:
            cap.udp(CLIENT, SERVER, cport, sport, c)
            if r is not None:
                cap.udp(SERVER, CLIENT, sport, cport, r)
        return self.write(cap)

    def tcp_exchange(self, exchanges, cport=41985, sport=985):
        cap = harness.Capture().tcp_session(CLIENT, SERVER, cport, sport, exchanges)
        return self.write(cap)

    # --- UDP and TCP on 985 with Decode As ---

    def test_udp_ping_call_and_reply(self):
        cap = self.udp_exchange((call(0x1001), reply(0x1001)))
        rows = run_fields(cap, ["frame.number", "rpc.program", "rpc.programversion",
                                "rpc.procedure", "netinfo.procedure_v2", "_ws.col.Protocol",
                                "_ws.col.Info"], DECODE_AS)
        # The RPC fields appear twice: RPC's own and the generated copy in the
        # NetInfo subtree (program version) / the reply's generated ones.
        self.assertEqual(rows, [
            ["1", "200100000", "2,2", "0", "0", "NetInfo", "V2 PING Call"],
            ["2", "200100000", "2,2", "0", "0", "NetInfo", "V2 PING Reply (Call In 1)"],
        ])

    def test_udp_ping_names_in_tree(self):
        cap = self.udp_exchange((call(0x1001), reply(0x1001)))
        out = tshark(DECODE_AS + ["-V", "-O", "rpc,netinfo"], cap).stdout
        self.assertEqual(out.count("    Program: NetInfo (200100000)\n"), 1)      # call
        self.assertEqual(out.count("    [Program: NetInfo (200100000)]\n"), 1)    # reply
        self.assertIn("    Procedure: PING (0)\n", out)
        self.assertEqual(out.count("    [V2 Procedure: PING (0)]\n"), 2)

    def test_tcp_ping_call_and_reply_with_record_marking(self):
        cap = self.tcp_exchange([(True, record(call(0x2001))), (False, record(reply(0x2001)))])
        rows = run_fields(cap, ["frame.number", "rpc.program", "rpc.procedure", "rpc.lastfrag",
                                "rpc.fraglen", "_ws.col.Info"], DECODE_AS + ["-Y", "rpc"])
        self.assertEqual(rows, [
            ["4", "200100000", "0", "1", "40", "V2 PING Call"],
            ["5", "200100000", "0", "1", "24", "V2 PING Reply (Call In 4)"],
        ])

    def test_tcp_record_split_over_two_segments_is_reassembled(self):
        rec = record(call(0x3001, proc=5, body=b"\0\0\0\1" * 4))
        cap = self.tcp_exchange([(True, rec[:20]), (True, rec[20:]),
                                 (False, record(reply(0x3001)) + record(reply(0x3001)))])
        rows = run_fields(cap, ["frame.number", "_ws.col.Info"], DECODE_AS + ["-Y", "rpc"])
        self.assertEqual(rows, [
            ["5", "V2 CREATE Call"],
            ["6", "V2 CREATE Reply (Call In 5)  ; V2 CREATE Reply (Call In 5)"],
        ])

    def test_every_v2_procedure_name(self):
        cap = self.udp_exchange(*[(call(0x100 + p, proc=p), None) for p in range(29)])
        rows = run_fields(cap, ["rpc.procedure", "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [[str(p), "V2 %s Call" % proc_name(p)] for p in range(29)])
        self.assertEqual(proc_name(6), "proc-6 (name unknown)")

    def test_procedure_outside_0_to_28(self):
        cap = self.udp_exchange((call(0x1, proc=29), None))
        self.assertEqual(run_fields(cap, ["_ws.col.Info"], DECODE_AS), [["V2 proc-29 Call"]])

    def test_arguments_are_not_decoded(self):
        cap = self.udp_exchange((call(0x1, proc=7, body=b"\0\0\0\1\0\0\0\2"), None))
        out = tshark(DECODE_AS + ["-V", "-O", "netinfo"], cap).stdout
        self.assertIn("[V2 Procedure: proc-7 (name unknown) (7)]", out)
        self.assertIn("Unknown RPC call/reply body", out)

    def test_netinfobind_program_name(self):
        cap = self.udp_exchange((call(0x1003, prog=NETINFOBIND, vers=1, proc=3), reply(0x1003)))
        rows = run_fields(cap, ["rpc.program", "_ws.col.Protocol", "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [["200100001", "netinfobind", "V1 proc-3 Call"],
                                ["200100001", "netinfobind", "V1 proc-3 Reply (Call In 1)"]])
        out = tshark(DECODE_AS + ["-V", "-O", "rpc"], cap).stdout
        self.assertIn("    Program: netinfobind (200100001)\n", out)

    def test_netinfobind_over_tcp(self):
        cap = self.tcp_exchange([(True, record(call(0x7, prog=NETINFOBIND, vers=1, proc=0)))])
        rows = run_fields(cap, ["_ws.col.Protocol", "_ws.col.Info"], DECODE_AS + ["-Y", "rpc"])
        self.assertEqual(rows, [["netinfobind", "V1 proc-0 Call"]])

    # --- heuristics ---

    def test_udp_heuristic_without_rpc_heuristic(self):
        cap = self.udp_exchange((call(0x1001), reply(0x1001)), cport=40001, sport=41000)
        rows = run_fields(cap, ["frame.protocols", "_ws.col.Info"], NO_RPC_HEUR + NETINFO_HEUR)
        # The call matches; the pinned conversation carries the reply. The
        # "netinfo" layer is the thin dissector that hands the payload to RPC.
        self.assertEqual(rows, [["eth:ethertype:ip:udp:netinfo:rpc", "V2 PING Call"],
                                ["eth:ethertype:ip:udp:netinfo:rpc",
                                 "V2 PING Reply (Call In 1)"]])

    def test_tcp_heuristic_without_rpc_heuristic(self):
        cap = self.tcp_exchange([(True, record(call(0x2001, proc=2))),
                                 (False, record(reply(0x2001)))], cport=40001, sport=41000)
        rows = run_fields(cap, ["frame.number", "_ws.col.Info"],
                          NO_RPC_HEUR + NETINFO_HEUR + ["-Y", "rpc"])
        self.assertEqual(rows, [["4", "V2 ROOT Call"], ["5", "V2 ROOT Reply (Call In 4)"]])

    def test_heuristics_off_by_default(self):
        udp = self.udp_exchange((call(0x1001), reply(0x1001)), cport=40001, sport=41000)
        for off in ([], NO_NETINFO_HEUR):
            rows = run_fields(udp, ["frame.protocols"], NO_RPC_HEUR + off)
            self.assertEqual(rows, [["eth:ethertype:ip:udp:data"]] * 2)
        tcp = self.tcp_exchange([(True, record(call(0x2001)))], cport=40001, sport=41000)
        for off in ([], NO_NETINFO_HEUR):
            rows = run_fields(tcp, ["frame.number"], NO_RPC_HEUR + off + ["-Y", "rpc"])
            self.assertEqual(rows, [])

    def test_rpc_own_heuristic_knows_the_program(self):
        # Once registered, RPC's own heuristic names NetInfo on any port too.
        udp = self.udp_exchange((call(0x1001), None), cport=40001, sport=41000)
        rows = run_fields(udp, ["_ws.col.Info"], NO_NETINFO_HEUR)
        self.assertEqual(rows, [["V2 PING Call"]])

    def test_heuristic_ignores_other_traffic(self):
        others = [call(0x1, prog=NFS, vers=3, proc=0),          # another RPC program
                  reply(0x1) + bytes(16),                       # a reply alone
                  b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n\r\n",
                  bytes.fromhex("160301003b0100003703") + bytes(50),
                  bytes(range(48)), call(0x1)[:39]]             # 39 bytes: too short
        cap = harness.Capture()
        for i, p in enumerate(others):
            cap.udp(CLIENT, SERVER, 40001 + i, 41000, p)
        cap = self.write(cap)
        rows = run_fields(cap, ["frame.protocols"], NO_RPC_HEUR + NETINFO_HEUR)
        self.assertEqual([r for r in rows if "rpc" in r[0] or "netinfo" in r[0]], [])
        self.assertEqual(len(rows), len(others))

    def test_tcp_heuristic_ignores_other_traffic(self):
        for payload in (record(call(0x1, prog=NFS, vers=3)), record(call(0x1))[:27],
                        struct.pack("!I", 0x80000000 | 39) + call(0x1)[:39]):
            cap = self.tcp_exchange([(True, payload)], cport=40001, sport=41000)
            rows = run_fields(cap, ["frame.number"], NO_RPC_HEUR + NETINFO_HEUR + ["-Y", "rpc || netinfo"])
            self.assertEqual(rows, [], payload.hex())

    # --- robustness ---

    def test_garbage_does_not_crash(self):
        payloads = [call(0x1)[:20], call(0x1, proc=0xFFFFFFFF), reply(0x99) + b"\xff" * 3,
                    b"\x00", bytes(range(256)) * 4, call(0x1, body=b"\xff" * 1000)]
        cap = self.udp_exchange(*[(p, None) for p in payloads])
        proc = tshark(DECODE_AS + ["-V"], cap)
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn("Dissector bug", proc.stdout)
        tcp = self.tcp_exchange([(True, record(b"\x00" * 7)), (True, b"\xff" * 100),
                                 (True, struct.pack("!I", 0xFFFFFFFF) + call(0x1))])
        proc = tshark(DECODE_AS + ["-V"], tcp)
        self.assertEqual(proc.returncode, 0)
        self.assertNotIn("Dissector bug", proc.stdout)

    def test_registered_names(self):
        heur = harness.tshark(["-G", "heuristic-decodes"]).stdout
        self.assertIn("udp\tnetinfo\tF", heur)
        self.assertIn("tcp\tnetinfo\tF", heur)
        protocols = harness.tshark(["-G", "protocols"]).stdout
        self.assertIn("NetInfo\tNetInfo\tnetinfo", protocols)
        self.assertIn("NetInfo binder (nibindd)\tnetinfobind\tnetinfobind", protocols)
        self.assertIn("\tnetinfo.procedure_v2\t", harness.tshark(["-G", "fields"]).stdout)


if __name__ == "__main__":
    unittest.main()
