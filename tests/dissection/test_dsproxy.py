"""DSProxy (TCP 625) dissection: real tshark, the fresh plugin build.

Layouts from apple-protocols.md section 3 (Apple's DSTCPEndpoint.cpp):
"DSPX" | uint32 BE length | payload; the client opens with "DHN2" + its DH
public key, the server answers with its key, then an encrypted challenge and
its answer, then encrypted bodies."""
import os
import re
import struct
import unittest

import harness

DEMO = os.path.join(harness.SOURCE, "captures", "apple-legacy-demo.pcapng")

CLIENT, SERVER = "10.0.0.24", "10.0.0.12"
CPORT = 45333
DECODE_AS = ["-d", "tcp.port==625,dsproxy"]
NO_TLS_HEUR = ["--disable-heuristic", "tls_tcp"]
HEUR = ["--enable-heuristic", "dsproxy_tcp"]  # off by default
NO_REASSEMBLY = ["-o", "tcp.desegment_tcp_streams:FALSE"]

ENCRYPTED_NOTE = ("DSProxy body encrypted with the session key (AES-128 derived from DH); "
                  "not decodable")

CLIENT_KEY = bytes(range(0x40, 0x80))          # 64 bytes
SERVER_KEY = bytes(range(0x80, 0xC0))          # 64 bytes
CHALLENGE = bytes(range(0xC0, 0xD0))           # 16 bytes
RESPONSE = bytes(range(0xD0, 0xE0))            # 16 bytes
BODY1 = bytes(range(0x10, 0x40))               # 48 bytes
BODY2 = bytes(range(0x00, 0x20))               # 32 bytes


def dspx(payload, length=None, pad=0):
    return b"\0" * pad + b"DSPX" + struct.pack("!I", len(payload) if length is None else length) + payload


HELLO = dspx(b"DHN2" + CLIENT_KEY)
SKEY = dspx(SERVER_KEY)
CHAL = dspx(CHALLENGE)
RESP = dspx(RESPONSE)

STAGE_FIELDS = ["frame.number", "dsproxy.stage", "dsproxy.length", "_ws.col.Info"]


class DsproxyTest(harness.CaptureTestCase):

    def session(self, exchanges, sport=625, **kw):
        cap = harness.Capture().tcp_session(CLIENT, SERVER, CPORT, sport, exchanges, **kw)
        return self.write(cap)

    def rows(self, capture, names, args=(), display_filter="dsproxy"):
        """-T fields rows (lists of strings), with extra tshark arguments."""
        cmd = list(args) + ["-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                            "-E", "aggregator=,"]
        for n in names:
            cmd += ["-e", n]
        if display_filter:
            cmd += ["-Y", display_filter]
        out = harness.tshark(cmd, capture).stdout
        return [line.split("|") for line in out.splitlines()]

    # --- the demo capture: frames 51-62 (DSProxy), 63-80 (TLS on 625) ---

    def test_demo_frames_51_62(self):
        rows = self.rows(DEMO, ["frame.number", "dsproxy.tag", "dsproxy.length", "dsproxy.stage",
                                "dsproxy.auth_tag", "dsproxy.dh.client_public_length",
                                "dsproxy.dh.server_public_length", "_ws.expert.message",
                                "_ws.col.Info"],
                         DECODE_AS, "frame.number >= 51 && frame.number <= 62 && dsproxy")
        self.assertEqual(rows, [
            ["54", "DSPX", "68", "1", "DHN2", "64", "", "", "Client DH public key (64 bytes)"],
            ["56", "DSPX", "64", "2", "", "", "64", "", "Server DH public key (64 bytes)"],
            ["58", "DSPX", "16", "3", "", "", "", "", "Encrypted challenge (16 bytes)"],
            ["59", "DSPX", "16", "4", "", "", "", "", "Encrypted challenge response (16 bytes)"],
        ])

    def test_demo_key_and_blocks_bytes(self):
        rows = self.rows(DEMO, ["frame.number", "tcp.payload", "dsproxy.dh.client_public",
                                "dsproxy.dh.server_public", "dsproxy.challenge",
                                "dsproxy.challenge_response"],
                         DECODE_AS, "frame.number >= 51 && frame.number <= 62 && dsproxy")
        self.assertEqual([r[0] for r in rows], ["54", "56", "58", "59"])
        # each field is the payload after the 8-byte header (and "DHN2")
        self.assertEqual(rows[0][2], rows[0][1][24:])
        self.assertTrue(rows[0][2].startswith("c20ceaee835bc354"))
        self.assertEqual(rows[1][3], rows[1][1][16:])
        self.assertEqual(rows[2][4], "369032442dd659930f78a6202f1a0d3a")
        self.assertEqual(rows[3][5], "266c6d932d88fc825eb5bb2f8238453f")

    def test_demo_heuristic_finds_dsproxy_not_tls(self):
        # tls_tcp off, so that our heuristic really is asked about the TLS bytes
        rows = self.rows(DEMO, ["frame.number", "frame.protocols"], NO_TLS_HEUR,
                         "tcp.port == 625 && tcp.len > 0")
        self.assertEqual([r[0] for r in rows if r[1].endswith(":dsproxy")],
                         ["54", "56", "58", "59"])
        tls_frames = [r for r in rows if int(r[0]) >= 63]
        self.assertEqual(len(tls_frames), 9)
        for number, protocols in tls_frames:
            # data, or TLS when the applelegacy port sniffer is loaded too
            self.assertRegex(protocols, r"^eth:ethertype:ip:tcp:(data$|(applelegacy_sniffer:)?tls)",
                             number)
            self.assertNotIn("dsproxy", protocols, number)

    def test_demo_tls_frames_keep_tls(self):
        rows = self.rows(DEMO, ["frame.number"], (), "frame.number >= 63 && frame.number <= 80 "
                         "&& dsproxy")
        self.assertEqual(rows, [])
        tls = self.rows(DEMO, ["frame.number"], (), "frame.number >= 63 && frame.number <= 80 "
                        "&& tls")
        self.assertEqual(len(tls), 9)

    # --- each message type, and the encrypted phase ---

    def full_session(self, **kw):
        return self.session([(True, HELLO), (False, SKEY), (True, CHAL), (False, RESP),
                             (True, dspx(BODY1)), (False, dspx(BODY2)), (True, dspx(BODY1))],
                            **kw)

    def test_full_negotiation_then_encrypted(self):
        rows = self.rows(self.full_session(),
                         STAGE_FIELDS + ["dsproxy.encrypted_body", "_ws.expert.message"],
                         DECODE_AS)
        self.assertEqual(rows, [
            ["4", "1", "68", "Client DH public key (64 bytes)", "", ""],
            ["5", "2", "64", "Server DH public key (64 bytes)", "", ""],
            ["6", "3", "16", "Encrypted challenge (16 bytes)", "", ""],
            ["7", "4", "16", "Encrypted challenge response (16 bytes)", "", ""],
            ["8", "5", "48", "Encrypted body (48 bytes)", BODY1.hex(), ENCRYPTED_NOTE],
            ["9", "5", "32", "Encrypted body (32 bytes)", BODY2.hex(), ""],
            ["10", "5", "48", "Encrypted body (48 bytes)", BODY1.hex(), ""],
        ])

    def test_stages_stable_in_two_passes(self):
        cap = self.full_session()
        one = self.rows(cap, STAGE_FIELDS + ["_ws.expert.message"], DECODE_AS)
        # two passes need random access: -r FILE, not standard input
        two = self.rows(None, STAGE_FIELDS + ["_ws.expert.message"],
                        DECODE_AS + ["-2", "-r", cap])
        self.assertEqual(len(one), 7)
        self.assertEqual(two, one)

    def test_key_fields(self):
        rows = self.rows(self.full_session(),
                         ["frame.number", "dsproxy.dh.client_public", "dsproxy.dh.server_public",
                          "dsproxy.challenge", "dsproxy.challenge_response"],
                         DECODE_AS, "dsproxy.stage < 5")
        self.assertEqual(rows, [
            ["4", CLIENT_KEY.hex(), "", "", ""],
            ["5", "", SERVER_KEY.hex(), "", ""],
            ["6", "", "", CHALLENGE.hex(), ""],
            ["7", "", "", "", RESPONSE.hex()],
        ])

    def test_midstream_capture_is_encrypted(self):
        # not on 625: without a handshake its first packet carries the registry's notes
        cap = self.session([(True, dspx(BODY1)), (False, dspx(BODY2)), (True, dspx(BODY2))],
                           sport=2625, handshake=False)
        rows = self.rows(cap, STAGE_FIELDS + ["_ws.expert.message"],
                         ["-d", "tcp.port==2625,dsproxy"])
        self.assertEqual(rows, [
            ["1", "5", "48", "Encrypted body (48 bytes)", ENCRYPTED_NOTE],
            ["2", "5", "32", "Encrypted body (32 bytes)", ""],
            ["3", "5", "32", "Encrypted body (32 bytes)", ""],
        ])

    def test_encrypted_note_is_an_expert_of_group_decryption(self):
        out = harness.tshark(DECODE_AS + ["-q", "-z", "expert,note"], self.full_session()).stdout
        self.assertIn(ENCRYPTED_NOTE, out)
        self.assertRegex(out, r"\n\s+1\s+Decryption\s+DSProxy\s+" + re.escape(ENCRYPTED_NOTE))

    # --- framing: split, coalesced, padded ---

    def test_message_split_over_segments(self):
        # the header itself is cut (5 + 3 bytes), then the key in two parts
        parts = [HELLO[:5], HELLO[5:20], HELLO[20:50], HELLO[50:]]
        cap = self.session([(True, p) for p in parts] + [(False, SKEY[:40]), (False, SKEY[40:])])
        rows = self.rows(cap, STAGE_FIELDS + ["dsproxy.dh.client_public_length",
                                              "dsproxy.dh.client_public", "_ws.expert.message"],
                         DECODE_AS)
        self.assertEqual(rows, [
            ["7", "1", "68", "Client DH public key (64 bytes)", "64", CLIENT_KEY.hex(), ""],
            ["9", "2", "64", "Server DH public key (64 bytes)", "", "", ""],
        ])

    def test_two_messages_in_one_segment(self):
        cap = self.session([(True, HELLO + CHAL), (False, SKEY + RESP)])
        rows = self.rows(cap, STAGE_FIELDS + ["dsproxy.tag"], DECODE_AS)
        self.assertEqual(rows, [
            ["4", "1,3", "68,16",
             "Client DH public key (64 bytes), Encrypted challenge (16 bytes)", "DSPX,DSPX"],
            ["5", "2,4", "64,16",
             "Server DH public key (64 bytes), Encrypted challenge response (16 bytes)",
             "DSPX,DSPX"],
        ])

    def test_message_and_a_half_in_one_segment(self):
        both = SKEY + RESP
        cap = self.session([(True, HELLO), (False, both[:80]), (False, both[80:])])
        rows = self.rows(cap, STAGE_FIELDS, DECODE_AS)
        self.assertEqual(rows, [
            ["4", "1", "68", "Client DH public key (64 bytes)"],
            ["5", "2", "64", "Server DH public key (64 bytes)"],
            ["6", "4", "16", "Encrypted challenge response (16 bytes)"],
        ])

    def test_leading_zero_padding(self):
        cap = self.session([(True, dspx(b"DHN2" + CLIENT_KEY, pad=3)),
                            (False, SKEY + dspx(RESPONSE, pad=2))])
        rows = self.rows(cap, STAGE_FIELDS + ["dsproxy.padding", "_ws.expert.message"],
                         DECODE_AS)
        self.assertEqual(rows, [
            ["4", "1", "68", "Client DH public key (64 bytes)", "000000", ""],
            ["5", "2,4", "64,16",
             "Server DH public key (64 bytes), Encrypted challenge response (16 bytes)", "0000",
             ""],
        ])

    def test_padding_split_from_its_message(self):
        padded = dspx(b"DHN2" + CLIENT_KEY, pad=4)
        cap = self.session([(True, padded[:3]), (True, padded[3:10]), (True, padded[10:])])
        rows = self.rows(cap, STAGE_FIELDS + ["dsproxy.padding", "dsproxy.dh.client_public"],
                         DECODE_AS)
        self.assertEqual(rows, [
            ["6", "1", "68", "Client DH public key (64 bytes)", "00000000", CLIENT_KEY.hex()],
        ])

    def test_heuristic_with_padding(self):
        cap = self.session([(True, dspx(b"DHN2" + CLIENT_KEY, pad=2)), (False, SKEY)],
                           sport=40625)
        rows = self.rows(cap, ["frame.number", "dsproxy.stage", "dsproxy.padding"], HEUR)
        self.assertEqual(rows, [["4", "1", "0000"], ["5", "2", ""]])

    # --- bad input ---

    def test_absurd_length(self):
        cap = self.session([(True, HELLO), (False, dspx(b"\x01" * 20, length=0xFFFFFFFF)),
                            (False, SKEY)])
        proc = harness.tshark(DECODE_AS + ["-T", "fields", "-e", "frame.number", "-e",
                                           "dsproxy.length", "-e", "dsproxy.stage", "-e",
                                           "dsproxy.data", "-e", "_ws.expert.message", "-e",
                                           "_ws.col.Info", "-E", "separator=|", "-Y", "dsproxy"],
                              cap)
        self.assertEqual(proc.returncode, 0)
        self.assertEqual([line.split("|") for line in proc.stdout.splitlines()], [
            ["4", "68", "1", "", "", "Client DH public key (64 bytes)"],
            ["5", "4294967295", "", "01" * 20,
             "DSPX length 4294967295 is over the 16 MiB limit; rest of the segment not dissected",
             "Bad DSPX length 4294967295"],
            # the bad message did not count: the next one is still the server's key
            ["6", "64", "2", "", "", "Server DH public key (64 bytes)"],
        ])

    def test_just_over_16_mib(self):
        cap = self.session([(True, dspx(b"", length=16 * 1024 * 1024 + 1))])
        rows = self.rows(cap, ["frame.number", "_ws.expert.message"], DECODE_AS)
        self.assertEqual(rows, [["4", "DSPX length 16777217 is over the 16 MiB limit; rest of "
                                      "the segment not dissected"]])

    def test_expert_groups_of_bad_length(self):
        cap = self.session([(True, dspx(b"x", length=0x7FFFFFFF))])
        out = harness.tshark(DECODE_AS + ["-q", "-z", "expert,error"], cap).stdout
        self.assertRegex(out, r"\n\s+1\s+Malformed\s+DSProxy\s+DSPX length 2147483647 is over")

    def test_no_tag_in_a_dsproxy_conversation(self):
        cap = self.session([(True, HELLO), (False, b"HTTP/1.0 200 OK\r\n\r\n"), (False, SKEY)])
        rows = self.rows(cap, ["frame.number", "dsproxy.stage", "_ws.expert.message",
                               "_ws.col.Info"], DECODE_AS)
        self.assertEqual(rows, [
            ["4", "1", "", "Client DH public key (64 bytes)"],
            ["5", "", "No DSPX tag where a message should start; 19 bytes not dissected",
             "No DSPX tag"],
            ["6", "2", "", "Server DH public key (64 bytes)"],
        ])

    def test_truncated_message_without_reassembly(self):
        cap = self.session([(True, HELLO[:20])])
        rows = self.rows(cap, ["frame.number", "dsproxy.length", "dsproxy.stage",
                               "dsproxy.dh.client_public", "_ws.expert.message"],
                         DECODE_AS + NO_REASSEMBLY)
        self.assertEqual(rows, [
            ["4", "68", "1", CLIENT_KEY[:8].hex(),
             "DSPX message truncated: payload length 68, 12 bytes captured"],
        ])

    def test_truncated_header_without_reassembly(self):
        cap = self.session([(True, b"DSP")])
        rows = self.rows(cap, ["frame.number", "dsproxy.data", "_ws.expert.message",
                               "_ws.col.Info"], DECODE_AS + NO_REASSEMBLY)
        self.assertEqual(rows, [["4", "445350", "DSPX header truncated: 3 of 8 bytes captured",
                                 "Truncated DSPX header"]])

    def test_truncated_at_end_of_capture_waits_quietly(self):
        # With reassembly the unfinished message is only a TCP segment: the
        # columns stay TCP's (DSProxy writes them with its first message).
        cap = self.session([(True, HELLO[:20])])
        proc = harness.tshark(DECODE_AS + ["-T", "fields", "-e", "frame.number", "-e",
                                           "dsproxy.stage", "-e", "_ws.col.Protocol", "-e",
                                           "_ws.col.Info", "-Y", "tcp.len > 0"], cap)
        self.assertEqual(proc.returncode, 0)
        info = harness.held_segment_info("45333 → 625 [PSH, ACK] Seq=1 Ack=1 Win=65535 Len=20")
        self.assertEqual(proc.stdout.splitlines(), ["4\t\tTCP\t" + info])

    def test_garbage_does_not_crash(self):
        junk = bytes((i * 37 + 11) & 0xFF for i in range(300))
        cap = self.session([(True, junk), (False, b"\0" * 50), (True, b"DSPX\0\0"),
                            (False, b"DSPX"), (True, dspx(b"", length=0))])
        for extra in ([], NO_REASSEMBLY):
            proc = harness.tshark(DECODE_AS + extra + ["-V"], cap)
            self.assertEqual(proc.returncode, 0)
            self.assertNotIn("Dissector bug", proc.stdout)
            self.assertNotIn("[Malformed Packet", proc.stdout)

    # --- the heuristic and Decode As ---

    def test_heuristic_on_a_random_port(self):
        rows = self.rows(self.full_session(sport=40625), ["frame.number", "dsproxy.stage"], HEUR)
        self.assertEqual(rows, [["4", "1"], ["5", "2"], ["6", "3"], ["7", "4"], ["8", "5"],
                                ["9", "5"], ["10", "5"]])

    def test_heuristic_off_by_default(self):
        cap = self.full_session(sport=40625)
        self.assertEqual(self.rows(cap, ["frame.number"]), [])
        rows = self.rows(cap, ["frame.number"], ["--disable-heuristic", "dsproxy_tcp"])
        self.assertEqual(rows, [])
        # Decode As still works with the heuristic off
        rows = self.rows(cap, ["frame.number"],
                         ["--disable-heuristic", "dsproxy_tcp", "-d", "tcp.port==40625,dsproxy"])
        self.assertEqual(len(rows), 7)

    def test_heuristic_rejects_other_traffic(self):
        tls_hello = bytes.fromhex("160301002d0100002903035a") + bytes(32) + b"\0\0\x02\x13\x01\x01\0"
        http = b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
        random_bytes = bytes((i * 73 + 5) & 0xFF for i in range(64))
        small_length = dspx(b"abc")      # a length under 4 is not a signature
        lower_tag = b"dspx" + struct.pack("!I", 16) + bytes(16)
        zeros = bytes(40)
        for i, payload in enumerate([tls_hello, http, random_bytes, small_length, lower_tag,
                                     zeros]):
            cap = self.session([(True, payload), (False, payload)], sport=41000 + i)
            rows = self.rows(cap, ["frame.number"], NO_TLS_HEUR + HEUR)
            self.assertEqual(rows, [], payload[:8])

    def test_registration(self):
        self.assertIn("tcp\tdsproxy\tF", harness.heuristic_decodes())
        self.assertIn("Apple DirectoryService Proxy\tDSProxy\tdsproxy", harness.protocols())
        # Decode As on any TCP port, here one nothing else would claim
        cap = self.session([(True, HELLO)], sport=40626)
        rows = self.rows(cap, ["frame.number", "dsproxy.stage"],
                         ["--disable-heuristic", "dsproxy_tcp", "-d", "tcp.port==40626,dsproxy"])
        self.assertEqual(rows, [["4", "1"]])

if __name__ == "__main__":
    unittest.main()
