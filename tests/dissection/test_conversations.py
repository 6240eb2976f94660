"""Conversations as libwireshark sees them, and the registry's verdict per
frame (packet-applelegacy.c, handshakes.c): the port rule, or the handshake
where the frame shows one or the pair's handshake differed from the rule; a
reused port pair starts a new conversation, with the same roles or swapped,
and the verdict, the warnings and the report follow the conversation, in one
pass and in two (-2: every frame revisited, read from what it kept)."""
import ipaddress
import json
import struct

from harness import CaptureTestCase, Capture, frame, fields, tshark, SYN, ACK, FIN, PSH

C, S = "10.0.0.5", "10.0.0.9"


def frame6(src, dst, sport, dport, payload=b"", flags=PSH | ACK, seq=0, ack=0):
    """One Ethernet/IPv6/TCP frame (TCP checksum left zero: not verified)."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip6 = struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64)
    ip6 += ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed
    eth = bytes.fromhex("020000000002" "020000000001") + b"\x86\xdd"
    return eth + ip6 + tcp


def session(cap, client, server, cport, sport, cseq, sseq, payload=b"hello", make=frame):
    """Handshake, one data segment, FIN exchange: 7 frames."""
    cap.add(make(client, server, cport, sport, flags=SYN, seq=cseq))
    cap.add(make(server, client, sport, cport, flags=SYN | ACK, seq=sseq, ack=cseq + 1))
    cap.add(make(client, server, cport, sport, flags=ACK, seq=cseq + 1, ack=sseq + 1))
    cap.add(make(client, server, cport, sport, payload, flags=PSH | ACK, seq=cseq + 1, ack=sseq + 1))
    end = cseq + 1 + len(payload)
    cap.add(make(client, server, cport, sport, flags=FIN | ACK, seq=end, ack=sseq + 1))
    cap.add(make(server, client, sport, cport, flags=FIN | ACK, seq=sseq + 1, ack=end + 1))
    cap.add(make(client, server, cport, sport, flags=ACK, seq=end + 1, ack=sseq + 2))


NAMES = ["frame.number", "tcp.stream", "applelegacy.port", "applelegacy.service",
         "applelegacy.service_side"]


class PortReuse(CaptureTestCase):
    def rows(self, cap, two_pass=False, read_filter=None):
        args = ["-T", "fields", "-E", "separator=|"]
        for n in NAMES:
            args += ["-e", n]
        if read_filter:
            # Only the frames the first pass keeps are revisited: out of
            # order with the rest, as Wireshark revisits a frame clicked on.
            out = tshark(["-2", "-R", read_filter, "-r", cap] + args).stdout
        elif two_pass:
            # -2 needs a file it can seek in: the test folder is readable by all.
            out = tshark(["-2", "-r", cap] + args).stdout
        else:
            out = tshark(args, cap).stdout
        return [line.split("|") for line in out.splitlines()]

    def test_same_roles_new_conversation_warns_again(self):
        cap = Capture()
        session(cap, C, S, 40000, 660, 1000, 5000)
        session(cap, C, S, 40000, 660, 900000, 700000)
        path = self.write(cap)
        rows = self.rows(path)
        self.assertEqual([r[1] for r in rows], ["0"] * 7 + ["1"] * 7)
        for r in rows:
            self.assertEqual(r[2:], ["660", "MacOS Server Admin", "handshake"])
        abandoned = [f for f, m in fields(path, ["frame.number", "_ws.expert.message"])
                     if "abandoned port TCP 660" in m]
        self.assertEqual(abandoned, ["2", "9"])  # each SYN/ACK
        self.assertEqual(self.rows(path, two_pass=True), rows)
        [row] = json.loads(tshark(["-q", "-z", "applelegacy,report"], path).stdout)["rows"]
        self.assertEqual(row["conversations"], 2)

    def check_roles_swapped(self, client, server, make):
        cap = Capture()
        session(cap, client, server, 50000, 443, 1000, 5000, make=make)
        session(cap, server, client, 443, 50000, 900000, 700000, make=make)
        path = self.write(cap)
        rows = self.rows(path)
        self.assertEqual([r[1] for r in rows], ["0"] * 7 + ["1"] * 7)
        for r in rows[:7]:
            self.assertEqual(r[2:], ["", "", ""], r)
        for r in rows[7:]:
            self.assertEqual(r[2:], ["50000", "Xsan", "handshake"], r)
        self.assertEqual(self.rows(path, two_pass=True), rows)
        # the first conversation's frames without their handshake, revisited
        # after the second's made 50000 a service: each frame's own verdict
        # (tshark numbers the frames it keeps anew)
        kept = self.rows(path, read_filter="!(tcp.stream == 0 && tcp.flags.syn == 1)")
        self.assertEqual([r[1:] for r in kept], [r[1:] for r in rows[2:]])

    def test_roles_swapped_on_reuse(self):
        """50000 -> 443 is a client on an ephemeral port: nothing to say.
        The same pair reused with 50000 as the server (the SYN goes to it) is
        a service in Apple's Xsan range, from the new SYN on."""
        self.check_roles_swapped(C, S, frame)

    def test_roles_swapped_on_reuse_over_ipv6(self):
        """The same over IPv6."""
        self.check_roles_swapped("2001:db8::5", "2001:db8::9", frame6)

    def test_service_pair_reused_by_a_client_is_forgotten(self):
        """The pair first serves on 50000 (the SYN goes to it: Xsan), then is
        reused with 50000 as the client's port toward 443: the new handshake
        agrees with the port rule, so the kept handshake is forgotten and
        the second conversation's frames are nobody's service."""
        cap = Capture()
        session(cap, S, C, 443, 50000, 1000, 5000)
        session(cap, C, S, 50000, 443, 900000, 700000)
        path = self.write(cap)
        rows = self.rows(path)
        for r in rows[:7]:
            self.assertEqual(r[2:], ["50000", "Xsan", "handshake"], r)
        for r in rows[7:]:
            self.assertEqual(r[2:], ["", "", ""], r)
        self.assertEqual(self.rows(path, two_pass=True), rows)

    def test_syn_ack_alone_names_the_server(self):
        """A capture that missed the SYN: the SYN/ACK's source port serves,
        for it and for every later frame of the pair."""
        cap = Capture()
        cap.add(frame(S, C, 50000, 443, flags=SYN | ACK, seq=5000, ack=1001))
        cap.add(frame(C, S, 443, 50000, flags=ACK, seq=1001, ack=5001))
        cap.add(frame(C, S, 443, 50000, b"hello", flags=PSH | ACK, seq=1001, ack=5001))
        path = self.write(cap)
        rows = self.rows(path)
        self.assertEqual([r[2:] for r in rows], [["50000", "Xsan", "handshake"]] * 3)
        self.assertEqual(self.rows(path, two_pass=True), rows)

    def test_syn_inside_a_known_conversation(self):
        """A SYN that starts no new conversation (its sequence number is the
        one before TCP's base for that direction) keeps the verdict of the
        conversation's first frame: a capture starting mid-stream says 660
        serves by its port rule, and a later SYN to 40000 does not turn that
        around (the cache decides a SYN alone only for a pair it does not
        know), in one pass as in two."""
        cap = Capture()
        cap.add(frame(C, S, 40000, 660, b"hello", flags=PSH | ACK, seq=1000, ack=5000))
        cap.add(frame(S, C, 660, 40000, b"world", flags=PSH | ACK, seq=5000, ack=1005))
        cap.add(frame(S, C, 660, 40000, flags=SYN, seq=4999))
        cap.add(frame(C, S, 40000, 660, flags=ACK, seq=1005, ack=5005))
        path = self.write(cap)
        rows = self.rows(path)
        self.assertEqual(rows, [[str(n), "0", "660", "MacOS Server Admin", "port rule"]
                                for n in range(1, 5)])
        self.assertEqual(self.rows(path, two_pass=True), rows)

    def test_interleaved_conversations(self):
        """Many live conversations, interleaved: every one is told apart,
        warned about once and counted once."""
        cap = Capture()
        n = 5000
        for i in range(n):
            cap.add(frame(C, S, 20000 + i, 660, b"x", flags=PSH | ACK, seq=1, ack=1))
        for i in range(n):
            cap.add(frame(S, C, 660, 20000 + i, b"y", flags=PSH | ACK, seq=1, ack=2))
        path = self.write(cap)
        experts = fields(path, ["frame.number", "_ws.expert.message"])
        warned = [int(f) for f, m in experts if "abandoned port TCP 660" in m]
        # on each conversation's first frame of the service side
        self.assertEqual(warned, list(range(n + 1, 2 * n + 1)))
        # data segments seen mid-stream are no probes
        self.assertFalse([f for f, m in experts if "Probe of Apple ports" in m])
        [row] = json.loads(tshark(["-q", "-z", "applelegacy,report"], path).stdout)["rows"]
        self.assertEqual((row["conversations"], row["packets"]), (n, 2 * n))
