"""tests/fuzz/fuzz-captures.sh tells our failures from stock Wireshark's and
does not take a protocol's "assertion..." field for a failed assertion.
Needs the third-party captures of ../shared/captures (skipped without)."""
import os
import subprocess
import tempfile
import unittest

from harness import BUILD, SHARED_CAPTURES, SOURCE

FUZZ = os.path.join(SOURCE, "tests", "fuzz", "fuzz-captures.sh")


def shared(name):
    path = os.path.join(SHARED_CAPTURES, name)
    if not os.path.isfile(path):
        raise unittest.SkipTest("%s is not there (../shared/captures absent)" % path)
    return path


class FuzzHarness(unittest.TestCase):
    maxDiff = None

    def fuzz(self, capture, iterations, first):
        failures = tempfile.mkdtemp(prefix="applelegacy-fuzz-")
        self.addCleanup(subprocess.run, ["rm", "-rf", failures])
        env = dict(os.environ, APPLELEGACY_BUILD_DIR=BUILD, FUZZ_CAPTURES=capture,
                   FUZZ_FAILURES=failures)
        proc = subprocess.run([FUZZ, str(iterations), str(first)], capture_output=True, text=True,
                              env=env)
        return proc, failures

    def test_stock_wireshark_failure_is_theirs(self):
        # run 73 of one capture: rate 0.01, seed 1073, which makes TLS of
        # stock tshark 4.0 fail its assertion "fh" at packet-tls.c:2386
        capture = shared("ndpi-anyconnect-vpn.pcap")
        proc, failures = self.fuzz(capture, 1, 73)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[-1], "fuzz: 1 inputs from 1 captures (runs 73 to 73), 0 failures "
                                    "in our plugins, 2 in stock Wireshark")
        kept = os.path.join(failures, "stock", "ndpi-anyconnect-vpn.pcap-E0.01-seed1073.pcapng")
        for mode, line in zip(("dissect", "report"), lines[:2]):
            self.assertTrue(line.startswith("stock Wireshark (%s), not ours: " % mode), line)
            self.assertIn('packet-tls.c:2386: failed assertion "fh"', line)
            self.assertTrue(line.endswith(": input kept in %s" % kept), line)
        self.assertTrue(os.path.isfile(kept))
        self.assertEqual(sorted(os.listdir(failures)), ["stock"])

    def test_assertion_field_is_not_a_failure(self):
        # LDAP's assertionValue is in the -V tree of this capture, whole or corrupted
        capture = shared("apple-oss-distributions-tcpdump--radar-33413692.pcap")
        proc, failures = self.fuzz(capture, 1, 0)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "fuzz: 1 inputs from 1 captures (runs 0 to 0), 0 failures "
                                      "in our plugins, 0 in stock Wireshark\n")
        self.assertEqual(os.listdir(failures), [])


if __name__ == "__main__":
    unittest.main()
