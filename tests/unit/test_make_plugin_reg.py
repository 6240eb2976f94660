"""cmake/make-plugin-reg.py, the generator of a plugin's plugin.c.

The scanner on the fixtures in tests/unit/plugin-reg/: what is and is not a
registration, two protocols and a tap listener in one plugin, and the
failures that stop the build. Then the generated plugin.c of the
two-protocol fixture compiled into a real plugin and loaded by tshark: both
protocols, the handoff and the tap listener registered.

    python3 -m unittest -v test_make_plugin_reg   (in tests/unit)
"""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.join(SOURCE_DIR, "cmake", "make-plugin-reg.py")
TEMPLATE = os.path.join(SOURCE_DIR, "plugins", "common", "plugin.c.in")
FIXTURES = os.path.join(HERE, "plugin-reg")


def fixture(name):
    return os.path.join(FIXTURES, name)


class Generator:
    """Runs the script as the build does, into a temporary folder."""

    def __init__(self, test):
        self.dir = tempfile.mkdtemp(prefix="plugin-reg.")
        test.addCleanup(shutil.rmtree, self.dir)
        self.output = os.path.join(self.dir, "plugin.c")

    def run(self, *sources, plugin="fixture"):
        proc = subprocess.run(
            [sys.executable, SCRIPT, "--plugin", plugin, "--template", TEMPLATE,
             "--output", self.output, "--source-root", SOURCE_DIR] + list(sources),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        return proc

    def source(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        return path


def section(code, first, last):
    """The lines of code from the line equal to first to the one equal to
    last, both included."""
    lines = code.splitlines()
    start = lines.index(first)
    return lines[start: lines.index(last, start) + 1]


def declarations(code):
    return [line for line in code.splitlines()
            if line.startswith("void ") and line.endswith("(void);")
            and line != "void plugin_register(void);"]


def describe_line(code):
    return [line for line in code.splitlines() if line.startswith("AL_PLUGIN_DESCRIBE(")]


class TestScanner(unittest.TestCase):
    def generate(self, *sources):
        gen = Generator(self)
        proc = gen.run(*sources)
        self.assertEqual(proc.stderr, "")
        self.assertEqual(proc.returncode, 0)
        with open(gen.output) as f:
            return f.read()

    def test_comments_strings_macros_and_prototypes_are_not_registrations(self):
        code = self.generate(fixture("not-registrations.c"))
        self.assertEqual(declarations(code),
                         ["void proto_register_real(void);", "void proto_reg_handoff_real(void);"])
        self.assertEqual(section(code, "void plugin_register(void)", "}"), [
            "void plugin_register(void)",
            "{",
            "    static proto_plugin proto_real;",
            "    proto_real.register_protoinfo = proto_register_real;",
            "    proto_real.register_handoff = proto_reg_handoff_real;",
            "    proto_register_plugin(&proto_real);",
            "}",
        ])
        self.assertEqual(describe_line(code), ["AL_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR)"])

    def test_two_protocols_and_a_tap_listener_are_all_registered(self):
        code = self.generate(fixture("proto-one.c"), fixture("proto-two.c"), fixture("helpers.c"))
        self.assertEqual(declarations(code), [
            "void proto_register_fixtureone(void);",
            "void proto_reg_handoff_fixtureone(void);",
            "void proto_register_fixturetwo(void);",
            "void register_tap_listener_fixturetwo(void);",
        ])
        self.assertEqual(section(code, "void plugin_register(void)", "}"), [
            "void plugin_register(void)",
            "{",
            "    static proto_plugin proto_fixtureone;",
            "    proto_fixtureone.register_protoinfo = proto_register_fixtureone;",
            "    proto_fixtureone.register_handoff = proto_reg_handoff_fixtureone;",
            "    proto_register_plugin(&proto_fixtureone);",
            "",
            "    static proto_plugin proto_fixturetwo;",
            "    proto_fixturetwo.register_protoinfo = proto_register_fixturetwo;",
            "    proto_fixturetwo.register_handoff = NULL;",
            "    proto_register_plugin(&proto_fixturetwo);",
            "",
            "    static tap_plugin tap_fixturetwo;",
            "    tap_fixturetwo.register_tap_listener = register_tap_listener_fixturetwo;",
            "    tap_register_plugin(&tap_fixturetwo);",
            "}",
        ])
        self.assertEqual(describe_line(code),
                         ["AL_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER)"])
        self.assertIn(" * fixture plugin. Generated at build time", code)
        self.assertNotIn("@", code)

    def test_the_order_of_the_sources_does_not_matter(self):
        one = self.generate(fixture("proto-one.c"), fixture("proto-two.c"), fixture("helpers.c"))
        two = self.generate(fixture("helpers.c"), fixture("proto-two.c"), fixture("proto-one.c"))
        self.assertEqual(one, two)


class TestFailures(unittest.TestCase):
    """Each stops the build with one line naming the cause; no plugin.c is
    left behind for a later build to take as up to date."""

    def fails(self, gen, *sources):
        proc = gen.run(*sources)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "")
        self.assertFalse(os.path.exists(gen.output))
        self.assertFalse(os.path.exists(gen.output + ".tmp"))
        return proc.stderr

    def test_no_protocol_or_no_file(self):
        gen = Generator(self)
        self.assertEqual(
            self.fails(gen, fixture("helpers.c"), fixture("no-such.c")),
            "make-plugin-reg: tests/unit/plugin-reg/no-such.c: cannot read: No such file or directory\n")
        self.assertEqual(
            self.fails(gen, fixture("helpers.c")),
            "make-plugin-reg: plugin fixture: none of its sources (tests/unit/plugin-reg/helpers.c) "
            "defines a function \"void proto_register_NAME(void) { ... }\": a plugin registers "
            "at least one protocol\n")

    def test_only_a_tap_listener(self):
        gen = Generator(self)
        tap = gen.source("tap.c", """\
            void register_tap_listener_x(void)
            {
            }
            """)
        self.assertIn("plugin fixture: none of its sources", self.fails(gen, tap))

    def test_static_registration(self):
        gen = Generator(self)
        src = gen.source("static.c", """\
            /* static */ void proto_register_ok(void) {}

            static
            void proto_register_hidden(void)
            {
            }
            """)
        self.assertEqual(
            self.fails(gen, src),
            "make-plugin-reg: %s:4: proto_register_hidden is static: plugin.c cannot call it; "
            "remove \"static\"\n" % src)

    def test_defined_twice(self):
        gen = Generator(self)
        again = gen.source("again.c", """\
            // A second definition of the protocol of proto-one.c.

            void proto_register_fixtureone(void) { }
            """)
        self.assertEqual(
            self.fails(gen, fixture("proto-one.c"), again),
            "make-plugin-reg: %s:3: proto_register_fixtureone is already defined at "
            "tests/unit/plugin-reg/proto-one.c:22\n" % again)

    def test_handoff_without_its_protocol(self):
        gen = Generator(self)
        src = gen.source("handoff.c", """\
            void proto_register_a(void) {}
            void proto_reg_handoff_b(void) {}
            """)
        self.assertEqual(
            self.fails(gen, src),
            "make-plugin-reg: %s:2: proto_reg_handoff_b has no proto_register_b in the plugin's "
            "sources, so it would never be called\n" % src)


def run(cmd, **kwargs):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kwargs)


class TestGeneratedPluginLoads(unittest.TestCase):
    """The two-protocol fixture built as a real plugin with the generated
    plugin.c, and loaded by tshark (tools/tshark-with-plugins)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="plugin-reg-build.")
        series = run(["pkg-config", "--modversion", "wireshark"]).stdout.strip()
        series = ".".join(series.split(".")[:2])
        plugins = os.path.join(cls.dir, "plugins", series, "epan")
        os.makedirs(plugins)
        plugin_c = os.path.join(cls.dir, "plugin.c")
        sources = [fixture("proto-one.c"), fixture("proto-two.c"), fixture("helpers.c")]
        proc = run([sys.executable, SCRIPT, "--plugin", "regfixture", "--template", TEMPLATE,
                    "--output", plugin_c] + sources)
        if proc.returncode != 0:
            raise AssertionError("make-plugin-reg failed: " + proc.stderr)
        flags = run(["pkg-config", "--cflags", "--libs", "wireshark", "glib-2.0"]).stdout.split()
        cc = os.environ.get("CC", "cc")
        so = os.path.join(plugins, "regfixture.so")
        proc = run([cc, "-shared", "-fPIC", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror",
                    "-DPLUGIN_VERSION=\"0.0.1\"", "-DWS_LOG_DOMAIN=\"regfixture\"",
                    "-I", os.path.join(SOURCE_DIR, "plugins", "common"), "-I", FIXTURES,
                    "-o", so, plugin_c] + sources + flags)
        if proc.returncode != 0:
            raise AssertionError("the fixture plugin does not compile:\n" + proc.stderr)
        # As root, tshark-with-plugins runs tshark as nobody, who must read it.
        for root, dirs, files in os.walk(cls.dir):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), 0o755)
        os.chmod(cls.dir, 0o755)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def tshark(self, *args, stream="stdout"):
        env = dict(os.environ, APPLELEGACY_BUILD_DIR=self.dir)
        proc = run([os.path.join(SOURCE_DIR, "tools", "tshark-with-plugins")] + list(args), env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return getattr(proc, stream).splitlines()

    def test_both_protocols(self):
        protocols = [line.split("\t")[:3] for line in self.tshark("-G", "protocols")]
        self.assertIn(["Registration fixture one", "FIXTUREONE", "fixtureone"], protocols)
        self.assertIn(["Registration fixture two", "FIXTURETWO", "fixturetwo"], protocols)

    def test_the_handoff(self):
        self.assertIn("udp.port\t65001\tfixtureone", self.tshark("-G", "decodes"))

    def test_the_tap_listener(self):
        self.assertIn("     fixturetwo,tree", self.tshark("-z", "help", stream="stderr"))

    def test_the_plugin(self):
        names = [line.split("\t")[0].strip() for line in self.tshark("-G", "plugins")]
        self.assertIn("regfixture.so", names)


if __name__ == "__main__":
    unittest.main()
