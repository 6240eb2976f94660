"""The "Apple Legacy Ports" configuration profile shipped in data/profile/:
every filter in it compiles with our plugins loaded, each Apple coloring rule
and filter button selects exactly the expected frames of the demo capture, and
tshark -C "Apple Legacy Ports" loads the profile: its custom columns and its
coloring rules show in the output, with nothing on stderr.

The profile is read from the shipped files, not repeated here, so a rule or
button added later is compiled too."""
import os
import re
import shutil

from harness import SOURCE, Capture, CaptureTestCase, own_stderr, tshark

PROFILE_SRC = os.path.join(SOURCE, "data", "profile")
PROFILE = "Apple Legacy Ports"
DEMO = os.path.join(SOURCE, "captures", "apple-legacy-demo.pcapng")

COLOR_RULE = re.compile(r"^(!?)@([^@]+)@(.+)@\[(\d+),(\d+),(\d+)\]\[(\d+),(\d+),(\d+)\]$")
UAT_FIELD = r'"((?:[^"\\]|\\.)*)"'
BUTTON = re.compile(r"^%s,%s,%s,%s$" % ((UAT_FIELD,) * 4))


def color_rules(colours=False):
    """(name, filter) of every rule in the shipped colorfilters, in order;
    with colours, (name, filter, background, foreground)."""
    rules = []
    with open(os.path.join(PROFILE_SRC, "colorfilters")) as f:
        for line in f.read().splitlines():
            if line.startswith("#"):
                continue
            m = COLOR_RULE.match(line)
            if not m:
                raise AssertionError("not a coloring rule: %r" % line)
            if any(int(c) > 65535 for c in m.groups()[3:]):
                raise AssertionError("colour component above 65535: %r" % line)
            rules.append((m.group(2), m.group(3)) + ((
                tuple(int(c) for c in m.groups()[3:6]),
                tuple(int(c) for c in m.groups()[6:9])) if colours else ()))
    return rules


def uat_unescape(s):
    """UAT strings escape bytes as \\xHH (Wireshark writes quotes as \\x22)."""
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), s)


def buttons():
    """(label, filter) of every display filter button."""
    result = []
    with open(os.path.join(PROFILE_SRC, "dfilter_buttons")) as f:
        for line in f.read().splitlines():
            if line.startswith("#"):
                continue
            m = BUTTON.match(line)
            if not m or m.group(1) != "TRUE":
                raise AssertionError("not an enabled filter button: %r" % line)
            result.append((uat_unescape(m.group(2)), uat_unescape(m.group(3))))
    return result


IO_GRAPH = re.compile(r"^%s$" % ",".join((UAT_FIELD,) * 9))
# Wireshark 4.0's choices (ui/qt/io_graph_dialog.cpp)
IO_GRAPH_STYLES = {"Line", "Impulse", "Bar", "Stacked Bar", "Dot", "Square", "Diamond", "Cross",
                   "Circle", "Plus"}
IO_GRAPH_UNITS = {"Packets", "Bytes", "Bits", "SUM(Y Field)", "COUNT FRAMES(Y Field)",
                  "COUNT FIELDS(Y Field)", "MAX(Y Field)", "MIN(Y Field)", "AVG(Y Field)",
                  "LOAD(Y Field)"}


def io_graphs():
    """(name, filter, colour, style, Y axis) of every I/O graph preset."""
    result = []
    with open(os.path.join(PROFILE_SRC, "io_graphs")) as f:
        for line in f.read().splitlines():
            if line.startswith("#"):
                continue
            m = IO_GRAPH.match(line)
            if not m:
                raise AssertionError("not an I/O graph: %r" % line)
            enabled, name, dfilter, colour, style, yaxis, yfield, sma, factor = (
                uat_unescape(g) for g in m.groups())
            if (enabled != "Enabled" or not re.match(r"^#[0-9A-F]{6}$", colour)
                    or style not in IO_GRAPH_STYLES or yaxis not in IO_GRAPH_UNITS
                    or yfield or sma != "None" or factor != "1"):
                raise AssertionError("not an enabled I/O graph of Wireshark 4.0: %r" % line)
            result.append((name, dfilter, colour, style, yaxis))
    return result


def runs(numbers):
    """[1, 2, 3, 7] -> [(1, 3), (7, 7)]"""
    out = []
    for n in numbers:
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


# What each Apple coloring rule and each button selects in the demo capture
# (frames 33-144 are on Apple ports; 66 and 84 are TLS on 625 and SSH on 660,
# 115 the ARD answer of 1,048 bytes to a 47-byte probe).
APPLE_RULE_FRAMES = {
    "Apple: protocol mismatch": [(66, 66), (84, 84)],
    "Apple: ARD amplification": [(115, 115)],
    "Apple: unregistered use": [(51, 80), (116, 144)],
    "Apple: discontinued service": [(33, 50), (81, 113), (116, 144)],
}
BUTTON_FRAMES = {
    "Apple ports": [(33, 144)],
    "Discontinued": [(33, 50), (81, 113), (116, 144)],
    "Unregistered use": [(51, 80), (116, 144)],
    "Registered to other": [(51, 80), (116, 144)],
    "Protocol mismatch": [(66, 66), (84, 84)],
    "ARD amplification": [(115, 115)],
    # where each flagged conversation's service answered (the SYN/ACK, the
    # serialnumberd reply 144), the mismatches, the ARD answer
    "Apple warnings": [(34, 34), (52, 52), (64, 64), (66, 66), (82, 82), (84, 84), (105, 105),
                       (115, 115), (117, 117), (127, 127), (144, 144)],
}


# What each I/O graph counts in the demo capture.
IO_GRAPH_FRAMES = {
    "All packets": [(1, 144)],
    "Apple ports": BUTTON_FRAMES["Apple ports"],
    "Apple warnings": BUTTON_FRAMES["Apple warnings"],
    "ARD amplification": BUTTON_FRAMES["ARD amplification"],
}


class Profile(CaptureTestCase):
    def setUp(self):
        super().setUp()
        self.config = self.path("config")
        shutil.copytree(PROFILE_SRC, os.path.join(self.config, "profiles", PROFILE))

    def frames(self, display_filter):
        out = tshark(["-Y", display_filter, "-T", "fields", "-e", "frame.number"], DEMO).stdout
        return runs([int(n) for n in out.split()])

    def test_apple_coloring_rules_select_expected_frames(self):
        rules = dict(r for r in color_rules() if r[0].startswith("Apple"))
        self.assertEqual(sorted(rules), sorted(APPLE_RULE_FRAMES))
        # the four Apple rules come before Wireshark's own
        self.assertEqual([name for name, _ in color_rules()[:4]],
                         ["Apple: protocol mismatch", "Apple: ARD amplification",
                          "Apple: unregistered use", "Apple: discontinued service"])
        for name, display_filter in rules.items():
            with self.subTest(rule=name):
                self.assertEqual(self.frames(display_filter), APPLE_RULE_FRAMES[name])

    def test_apple_coloring_rules_colours(self):
        """Wireshark reads [background][foreground]: the colours the README
        names, light text on the two dark warnings, dark text on the others."""
        white, dark = (65535, 65535, 65535), (4718, 10030, 11796)
        self.assertEqual({r[0]: r[2:] for r in color_rules(colours=True) if r[0].startswith("Apple")}, {
            "Apple: protocol mismatch": ((42148, 0, 0), white),           # dark red
            "Apple: ARD amplification": ((30069, 0, 41120), white),       # purple
            "Apple: unregistered use": ((65535, 50629, 20560), dark),     # orange
            "Apple: discontinued service": ((56026, 53456, 61166), dark), # lavender
        })
        # as Wireshark's own rules: TCP is dark text on light lavender
        self.assertIn(("TCP", "tcp", (59345, 58980, 65535), dark), color_rules(colours=True))

    def test_filter_buttons_select_expected_frames(self):
        found = buttons()
        self.assertEqual([label for label, _ in found], list(BUTTON_FRAMES))
        for label, display_filter in found:
            with self.subTest(button=label):
                self.assertEqual(self.frames(display_filter), BUTTON_FRAMES[label])

    def test_io_graphs_select_expected_frames(self):
        """Statistics > I/O Graphs presets: Wireshark's format, every filter
        compiles with our plugins and counts the expected demo frames (the
        GUI test shows the dialog with them)."""
        found = io_graphs()
        self.assertEqual([g[0] for g in found], list(IO_GRAPH_FRAMES))
        # fixed colours: the GUI test looks for them in its screenshot
        self.assertEqual([g[2] for g in found], ["#555753", "#3465A4", "#F57900", "#7500A0"])
        # a line first: Wireshark 4.0 logs a warning when no graph is one
        self.assertEqual([g[3] for g in found], ["Line", "Bar", "Bar", "Bar"])
        for name, display_filter, _, _, _ in found:
            with self.subTest(graph=name):
                self.assertEqual(self.frames(display_filter or "frame"), IO_GRAPH_FRAMES[name])

    def test_profile_colors_packets(self):
        """With --color every rule of the file is compiled (one that does not
        compile is reported on stderr) and each frame names its rule."""
        proc = tshark(["-C", PROFILE, "--color", "-T", "fields", "-e", "frame.number",
                       "-e", "frame.coloring_rule.name"], DEMO, config=self.config)
        self.assertEqual(own_stderr(proc.stderr), "")
        names = [line.split("\t")[1] for line in proc.stdout.splitlines()]
        self.assertEqual(len(names), 144)
        got = {}
        for number, name in enumerate(names, 1):
            if name.startswith("Apple"):
                got.setdefault(name, []).append(number)
        self.assertEqual({k: runs(v) for k, v in got.items()}, {
            # first match wins: a mismatch or an unregistered use on a
            # discontinued service shows as the more serious rule
            "Apple: protocol mismatch": [(66, 66), (84, 84)],
            "Apple: ARD amplification": [(115, 115)],
            "Apple: unregistered use": [(51, 65), (67, 80), (116, 144)],
            "Apple: discontinued service": [(33, 50), (81, 83), (85, 113)],
        })
        # the rest keeps Wireshark's usual colours: DNS, HTTP on 8080, the ARD probe
        self.assertEqual(names[0], "UDP")
        self.assertEqual(names[113], "UDP")
        self.assertEqual(set(names[:32]), {"UDP", "TCP", "TCP SYN/FIN", "HTTP"})

    def test_profile_columns(self):
        proc = tshark(["-C", PROFILE, "-T", "tabs"], DEMO, config=self.config)
        self.assertEqual(own_stderr(proc.stderr), "")
        lines = {}
        for line in proc.stdout.splitlines():
            cols = [c.strip() for c in line.split("\t")]
            # No., Time, Source, arrow, Destination, Protocol, the three Apple columns, Length, Info
            self.assertEqual(len(cols), 11, line)
            lines[int(cols[0])] = cols[5:9]
        self.assertEqual(len(lines), 144)
        self.assertEqual(lines[1], ["DNS", "", "", ""])
        self.assertEqual(lines[33], ["TCP", "Server Admin, Workgroup Manager, Server Monitor, Xsan Admin",
                                     "apple", ""])
        self.assertEqual(lines[36], ["TLSv1", "Server Admin, Workgroup Manager, Server Monitor, Xsan Admin",
                                     "apple", "tls"])
        self.assertEqual(lines[66], ["TLSv1", "Directory Service Proxy (DSProxy)", "other", "tls"])
        self.assertEqual(lines[84], ["SSH", "MacOS Server Admin", "apple", "ssh"])
        self.assertEqual(lines[115], ["ARD", "Net Assistant", "apple", "ard"])
        self.assertEqual(lines[144], ["serialnumberd", "serialnumberd", "other", "serialnumberd"])

    def test_profile_turns_the_apple_heuristics_on(self):
        """Off by default, every Apple heuristic is on in the profile: the
        file names exactly those registered, and ARD between two ports Apple
        never used is found with the profile only."""
        with open(os.path.join(PROFILE_SRC, "heuristic_protos")) as f:
            listed = dict(line.strip().split(",") for line in f if line.strip())
        apple = {"acp", "ard", "dsproxy", "eppc", "netinfo", "pwserver", "serialnumberd",
                 "servermgrd"}
        registered, sniffer = {}, {}
        for line in tshark(["-G", "heuristic-decodes"]).stdout.splitlines():
            table, proto, enabled = line.split("\t")[:3]
            if table == "applelegacy.sniffer":
                sniffer[proto] = enabled
            elif proto in apple:
                registered["%s_%s" % (proto, table)] = enabled
        self.assertEqual(listed, {name: "1" for name in registered})
        self.assertEqual(set(registered.values()), {"F"})
        # on the registry's ports they take part through its sniffer's list,
        # which needs no profile: every Apple plugin joins it, enabled
        self.assertEqual(sniffer, {name: "T" for name in apple | {"apdisc"}})
        from test_ard import answer
        cap = self.write(Capture().udp("10.0.0.17", "10.0.0.28", 41000, 41001,
                                       answer(total=360)))
        names = ["-T", "fields", "-e", "frame.protocols", "-e", "ard.response_bytes"]
        self.assertEqual(tshark(names, cap, config=self.config).stdout,
                         "eth:ethertype:ip:udp:data\t\n")
        self.assertEqual(tshark(["-C", PROFILE] + names, cap, config=self.config).stdout,
                         "eth:ethertype:ip:udp:ard\t360\n")

    def test_default_profile_has_no_apple_columns(self):
        out = tshark(["-T", "tabs", "-c", "1"], DEMO, config=self.config).stdout
        self.assertEqual(len(out.splitlines()[0].split("\t")), 8)

    def test_unknown_profile_is_refused(self):
        proc = tshark(["-C", "Apple Legacy Port"], DEMO, config=self.config, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn('Configuration Profile "Apple Legacy Port" does not exist', proc.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
