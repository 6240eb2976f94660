"""Connection state, ICMP errors, probe findings and the Bonjour inventory on
small captures of our own (the real-capture cases of test_real_captures)."""
import json
import struct
import unittest

from harness import (ACK, RST, SYN, Capture, CaptureTestCase, _checksum, _ip, fields, frame,
                     tshark, tshark_series)

SCANNER, TARGET = "10.0.0.5", "10.0.0.9"


def icmp_unreachable(quoted, code=3):
    """An ICMP destination unreachable from the quoted packet's destination,
    quoting its IP header and 8 bytes (as hosts do)."""
    ip = quoted[14:]
    ihl = (ip[0] & 0x0F) * 4
    src, dst = ip[12:16], ip[16:20]
    body = ip[:ihl + 8]
    icmp = struct.pack("!BBHI", 3, code, 0, 0) + body
    icmp = icmp[:2] + struct.pack("!H", _checksum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0, dst, src)
    hdr = hdr[:10] + struct.pack("!H", _checksum(hdr)) + hdr[12:]
    return quoted[:14] + hdr + icmp


def report(capture):
    return json.loads(tshark(["-q", "-z", "applelegacy,report,json"], capture).stdout)


class ConnState(CaptureTestCase):
    def test_icmp_unreachable_rejects_the_quoted_conversation(self):
        probe = frame(SCANNER, TARGET, 40000, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr", proto="udp")
        cap = self.write(Capture().add(probe).add(icmp_unreachable(probe)))
        rows = fields(cap, ["frame.number", "applelegacy.port", "applelegacy.state",
                            "_ws.expert.message"], "applelegacy")
        self.assertEqual([r[:3] for r in rows], [["1", "626", "no answer"],
                                                 ["2", "626", "rejected"]])
        self.assertIn("Probe of Apple ports: 10.0.0.5 sent to 10.0.0.9 UDP 626 (serialnumberd), "
                      "rejected; every port it probed there is in the report's probe findings",
                      rows[1][3])
        self.assertNotIn("abandoned", rows[0][3] + rows[1][3])
        r = report(cap)
        self.assertEqual(r["rows"], [])  # the scanner is never a server
        [f] = r["probes"]
        self.assertEqual((f["client"], f["server"], f["rejected"], f["conversations"],
                          f["packets"]), (SCANNER, TARGET, 1, 1, 2))

    def test_range_ports_alone_are_no_finding(self):
        # SYNs to two high ports (Xsan's range), refused: the internet's
        # background scanning, not a probe of Apple ports
        cap = Capture()
        for port in (51713, 54967):
            cap.add(frame(SCANNER, TARGET, 44000, port, flags=SYN))
            cap.add(frame(TARGET, SCANNER, port, 44000, flags=RST | ACK))
        cap = self.write(cap)
        states = fields(cap, ["tcp.dstport", "applelegacy.state"], "applelegacy")
        self.assertEqual([s[1] for s in states], ["no answer", "rejected"] * 2)
        self.assertEqual(fields(cap, ["frame.number"], "applelegacy.expert.probe"), [])
        self.assertEqual(report(cap)["probes"], [])

    def test_rst_rejects_and_range_ports_are_one_entry(self):
        cap = Capture()
        for port in (51713, 54967, 3283):
            cap.add(frame(SCANNER, TARGET, 44000, port, flags=SYN))
            cap.add(frame(TARGET, SCANNER, port, 44000, flags=RST | ACK))
        cap = self.write(cap)
        states = fields(cap, ["tcp.dstport", "applelegacy.state"], "applelegacy")
        self.assertEqual([s[1] for s in states], ["no answer", "rejected"] * 3)
        from test_report import text_report
        out = text_report(tshark(["-q", "-z", "applelegacy,report"], cap).stdout)
        self.assertIn("tcp/3283 Net Assistant (rejected), tcp/49152-65535 Xsan (2 ports: "
                      "2 rejected)", out)
        self.assertIn("0 service endpoints", out)

    def test_parallel_connections_to_one_service_are_no_probe(self):
        # a client opens three connections to one service before the first
        # SYN/ACK (a LAN client does): no probe note, no finding
        cap = Capture()
        for i in range(3):
            cap.add(frame(SCANNER, TARGET, 50000 + i, 548, flags=SYN))
        for i in range(3):
            cap.add(frame(TARGET, SCANNER, 548, 50000 + i, flags=SYN | ACK))
        cap = self.write(cap)
        self.assertEqual(fields(cap, ["frame.number"], "applelegacy.expert.probe"), [])
        r = report(cap)
        self.assertEqual((len(r["rows"]), r["probes"]), (1, []))

    def test_states_of_an_answered_session(self):
        cap = self.write(Capture().tcp_session(SCANNER, TARGET, 40000, 660,
                                               [(True, b"hello"), (False, b"world")]))
        states = [r[0] for r in fields(cap, ["applelegacy.state"], "applelegacy")]
        # SYN, SYN/ACK, ACK, the client's data, the service's data
        self.assertEqual(states[:5], ["no answer", "answered", "established", "established",
                                      "data exchanged"])
        # the warnings on the SYN/ACK, where the service answered
        experts = fields(cap, ["frame.number"], "applelegacy.expert.abandoned")
        self.assertEqual(experts, [["2"]])

    def test_unanswered_syns_are_one_probe_finding(self):
        cap = Capture()
        for i, port in enumerate((106, 311, 625, 5009)):
            cap.add(frame(SCANNER, TARGET, 50000 + i, port, flags=SYN))
        cap = self.write(cap)
        self.assertEqual(fields(cap, ["frame.number"], "applelegacy.expert.probe"), [["2"]])
        self.assertEqual(fields(cap, ["frame.number"], "_ws.expert.severity >= 6291456 && "
                                                       "applelegacy"), [])
        [f] = report(cap)["probes"]
        self.assertEqual((f["ports_probed"], f["no_answer"]), (4, 4))


class Discovery(CaptureTestCase):
    def test_broadcast_is_no_probe(self):
        # a discovery broadcast to an Apple port (MikroTik's on 5678, the
        # SNATMAP row) gets no answer from a conversation: no probe finding
        cap = self.write(Capture().udp(SCANNER, "255.255.255.255", 5678, 5678, b"\x00" * 4)
                         .udp(SCANNER, "255.255.255.255", 5678, 5678, b"\x00" * 4))
        self.assertEqual(fields(cap, ["frame.number"], "applelegacy.expert.probe"), [])
        r = report(cap)
        self.assertEqual((r["rows"], r["probes"]), ([], []))


def dns_name(*labels):
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\0"


def airport_announcement():
    inst = dns_name(b"Base Station 1", b"_airport", b"_tcp", b"local")
    svc = dns_name(b"_airport", b"_tcp", b"local")
    host = dns_name(b"Base-Station-1", b"local")
    txt = b"waMA=00-11-22-33-44-55,syVs=7.6.8,model=AirPort7,120"
    rr = []
    rr.append(svc + struct.pack("!HHIH", 12, 1, 4500, len(inst)) + inst)
    srv = struct.pack("!HHH", 0, 0, 5009) + host
    rr.append(inst + struct.pack("!HHIH", 33, 0x8001, 120, len(srv)) + srv)
    t = bytes([len(txt)]) + txt
    rr.append(inst + struct.pack("!HHIH", 16, 0x8001, 4500, len(t)) + t)
    rr.append(host + struct.pack("!HHIH", 1, 0x8001, 120, 4) + _ip("10.0.1.1"))
    return struct.pack("!HHHHHH", 0, 0x8400, 0, len(rr), 0, 0) + b"".join(rr)


class Bonjour(CaptureTestCase):
    def test_airport_base_station_is_inventoried(self):
        cap = self.write(Capture().udp("10.0.1.1", "224.0.0.251", 5353, 5353,
                                       airport_announcement()))
        rows = fields(cap, ["applelegacy.bonjour.service_type", "applelegacy.bonjour.instance",
                            "applelegacy.port", "applelegacy.lifecycle",
                            "applelegacy.bonjour.model", "applelegacy.bonjour.firmware"])
        self.assertEqual(rows, [["_airport._tcp", "Base Station 1", "5009", "discontinued",
                                 "AirPort7,120", "7.6.8"]])
        [b] = report(cap)["bonjour"]
        self.assertEqual((b["target"], b["addresses"], b["service"], b["model"], b["firmware"]),
                         ("Base-Station-1.local", ["10.0.1.1"],
                          "AirPort Utility base station administration", "AirPort7,120", "7.6.8"))


if __name__ == "__main__":
    unittest.main()


def dsi(flags, command, request_id, payload):
    return struct.pack("!BBHIII", flags, command, request_id, 0, len(payload), 0) + payload


class ProtocolStack(CaptureTestCase):
    def test_dsi_carries_afp(self):
        # DSICommand FPGetSrvrParms (16) and its reply: Wireshark shows dsi
        # then afp; AFP is what 548 expects, so no mismatch
        cap = self.write(Capture().tcp_session(
            SCANNER, TARGET, 40000, 548,
            [(True, dsi(0, 2, 1, b"\x10\x00")),
             (False, dsi(1, 2, 1, b"\x00" * 10))]))
        rows = fields(cap, ["frame.protocols", "applelegacy.observed"], "dsi")
        self.assertIn("dsi:afp", rows[0][0])
        self.assertEqual({r[1] for r in rows}, {"afp"})
        self.assertEqual(fields(cap, ["frame.number"], "applelegacy.expert.protocol_mismatch"), [])

    def test_apple_signature_under_another_conversation(self):
        # a TFTP read request opens a conversation for the client's port;
        # the SNQUERY it sends next to UDP 626 goes to TFTP, yet it is
        # serialnumberd, observed and decoded
        rrq = b"\x00\x01a.txt\x00octet\x00"
        cap = self.write(Capture().udp(SCANNER, TARGET, 40000, 69, rrq)
                         .udp(SCANNER, TARGET, 40000, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr"))
        rows = fields(cap, ["frame.number", "tftp", "serialnumberd", "applelegacy.observed"],
                      "udp.port == 626")
        # 4.6's TFTP no longer claims a packet that is not TFTP
        taken = "tftp" if tshark_series() < (4, 6) else ""
        self.assertEqual(rows, [["2", taken, "serialnumberd", "serialnumberd"]])


    def test_apple_signature_under_tftp_claims_no_other_port(self):
        # TFTP's read request makes a conversation for any port of the
        # server; serialnumberd found under it on 626 decodes that datagram
        # only, not the next one to 523
        rrq = b"\x00\x01a.txt\x00octet\x00"
        cap = self.write(Capture().udp(SCANNER, TARGET, 40000, 69, rrq)
                         .udp(SCANNER, TARGET, 40000, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr")
                         .udp(SCANNER, TARGET, 40000, 523, b"xyz"))
        rows = fields(cap, ["frame.number", "serialnumberd", "applelegacy.port"])
        self.assertEqual([r for r in rows if r[1] or r[2]], [["2", "serialnumberd", "626"]])

    def test_record_of_a_wildcard_conversation_is_its_own_pair_s(self):
        # TFTP's conversation for any port of the server holds the record of
        # 54143 -> 626; the next datagram, 54143 -> 3283, is Net Assistant's
        rrq = b"\x00\x01a.txt\x00octet\x00"
        cap = self.write(Capture().udp(SCANNER, TARGET, 54143, 69, rrq)
                         .udp(SCANNER, TARGET, 54143, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr")
                         .udp(SCANNER, TARGET, 54143, 3283, b"\x00\x14\x00\x01\x03"))
        rows = fields(cap, ["frame.number", "applelegacy.port", "applelegacy.service"],
                      "applelegacy")
        self.assertEqual(rows, [["2", "626", "serialnumberd"], ["3", "3283", "Net Assistant"]])
        self.assertEqual(len(report(cap)["probes"][0]["ports"]), 2)

    def test_icmp_error_is_not_taken_for_a_wildcard_conversation(self):
        # TFTP's read request makes a conversation for any port of the
        # server: the unreachable quoting the probe of 732 must not be taken
        # for the serialnumberd conversation that conversation holds (the
        # client's port in Xsan's range, as in the Metasploit UDP scan, so
        # that the quote's ports are in the table)
        rrq = b"\x00\x01a.txt\x00octet\x00"
        snquery = frame(SCANNER, TARGET, 54143, 626, b"SNQUERY: 127.0.0.1:AAAAAA:xsvr", proto="udp")
        other = frame(SCANNER, TARGET, 54143, 732, b"x", proto="udp")
        cap = self.write(Capture().udp(SCANNER, TARGET, 54143, 69, rrq).add(snquery)
                         .add(icmp_unreachable(snquery)).add(other).add(icmp_unreachable(other)))
        rows = fields(cap, ["frame.number", "applelegacy.port", "applelegacy.state"], "applelegacy")
        self.assertEqual(rows, [["2", "626", "no answer"], ["3", "626", "rejected"]])


def ipv4_fragments(src, dst, udp_payload, sport=5353, dport=5353, split=64):
    """A UDP datagram in two IPv4 fragments (the UDP header in the first)."""
    length = 8 + len(udp_payload)
    pseudo = _ip(src) + _ip(dst) + struct.pack("!BBH", 0, 17, length)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    csum = _checksum(pseudo + hdr + udp_payload) or 0xFFFF
    datagram = hdr[:6] + struct.pack("!H", csum) + udp_payload
    frames = []
    for offset, chunk, more in ((0, datagram[:split], 1), (split, datagram[split:], 0)):
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), 7, (more << 13) | (offset // 8),
                         64, 17, 0, _ip(src), _ip(dst))
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        frames.append(bytes.fromhex("01005e0000fb" "020000000001") + b"\x08\x00" + ip + chunk)
    return frames


class BonjourReassembled(CaptureTestCase):
    def test_fragmented_announcement_is_inventoried(self):
        # the datagram's payload is in Wireshark's reassembled data source,
        # not in the frame
        cap = Capture()
        for f in ipv4_fragments("10.0.1.1", "224.0.0.251", airport_announcement()):
            cap.add(f)
        [b] = report(self.write(cap))["bonjour"]
        self.assertEqual((b["service_type"], b["port"], b["firmware"]),
                         ("_airport._tcp", 5009, "7.6.8"))
