#!/usr/bin/env python3
"""Helper of tools/applelegacy-report (python3 standard library only).

  applelegacy_report.py render --format text|json|csv [--separate] \\
      --report CAPTURE JSON [--report CAPTURE JSON ...]
  applelegacy_report.py merge --format text|json|csv [--scope SCOPE] \\
      --json-report FILE [--json-report FILE ...]
  applelegacy_report.py annotate --experts JSON --input CAPTURE --output OUT \\
      [--encap SHORTNAME]
  applelegacy_report.py html --json REPORT --output OUT

The only renderer of the report (text, CSV, HTML) and its merger. What it
renders is the report model tshark prints (-z applelegacy,report, see
plugins/applelegacy/report.c and docs/reports.md): the sections in report
order, each row's rank, and the tables of the warnings (key, title, weight)
and of the connection states. Nothing here names a warning, knows a weight
or the order of the states (only the probe findings' counts name "rejected",
as their fields do): merged rows are ranked and ordered from the models'
tables, by the rules report.c orders one capture's lists (sort_rows(),
merge_probes(), merge_bonjour(), Tables.ordered()).

render: reads the report models tshark wrote, one per capture, and prints
ONE report of all of them (rows merged by server, port, transport and service:
counts summed, clients as the union of the client addresses, first seen the
earliest, last seen the latest, warnings the union), or with --separate one
report per capture.

merge: reads JSON reports this tool wrote (--json, merged or --separate,
made anywhere) and prints what render prints for all their captures at once:
a merged report's rows carry their captures, and the merge functions are
associative. An input that is not such a report, a mix of scopes or a
capture in two inputs: one line on standard error, exit status 2.

annotate: reads tshark's -T json output of the flagged packets and writes a
pcapng copy of CAPTURE in which every flagged frame carries one pcapng packet
comment per expert item, "applelegacy: [Group/Severity] message" (the
registry's items) or "applelegacy/PROTO: [Group/Severity] message" (an Apple
dissector's), after the comments the frame already had. editcap makes the
pcapng copy, the comments are added to its Enhanced Packet Blocks here.

html: reads the merged JSON report (render --format json) and writes OUT, one
self-contained HTML page (inline CSS and SVG, no script, no external
reference, every text escaped): the header, the service endpoints, the probe
findings, the Bonjour inventory and a timeline of each endpoint and finding.

Errors: one line on standard error, exit status 1 (a signal: 128 + its
number), never a traceback. The output is written to a temporary file beside
OUT (mode 0666 less the umask) and renamed onto OUT only when complete: OUT is
then kept as it was on any error or signal, and no temporary file is left. An
OUT that exists and is not a regular file (a device, a FIFO, a folder, a
symbolic link) is never replaced. Paths may start with '-': every option
takes the next argument as it is.
"""
import csv
import datetime
import html
import io
import json
import math
import os
import signal
import stat
import struct
import subprocess
import sys
import tempfile

PROG = "applelegacy-report"

# Our protocols, as in -J / -Y of tools/applelegacy-report.
PROTOCOLS = ("applelegacy", "applelegacy_sniffer", "acp", "apdisc", "ard", "dsproxy", "eppc",
             "netinfo", "netinfobind", "pwserver", "serialnumberd", "servermgrd")

# epan/proto.h and epan/expert.c (stable across 4.0 to 4.6).
SEVERITIES = {0x00100000: "Comment", 0x00200000: "Chat", 0x00400000: "Note",
              0x00600000: "Warning", 0x00800000: "Error"}
PI_NOTE, PI_WARN = 0x00400000, 0x00600000
GROUPS = {0x01000000: "Checksum", 0x02000000: "Sequence", 0x03000000: "Response",
          0x04000000: "Request", 0x05000000: "Undecoded", 0x06000000: "Reassemble",
          0x07000000: "Malformed", 0x08000000: "Debug", 0x09000000: "Protocol",
          0x0A000000: "Security", 0x0B000000: "Comment", 0x0C000000: "Decryption",
          0x0D000000: "Assumption", 0x0E000000: "Deprecated", 0x0F000000: "Receive",
          0x10000000: "Interface", 0x11000000: "Dissector bug"}
PI_SECURITY = 0x0A000000

# One table, a row per service endpoint ("service"), probe finding ("probe")
# and advertised service ("bonjour"); a section leaves the others' columns
# empty.
CSV_COLUMNS = ("section", "capture", "server", "port", "transport", "service", "iana_name",
               "registration", "lifecycle", "last_seen_in", "expected", "observed", "clients",
               "conversations", "states", "packets", "bytes", "first_seen", "last_seen",
               "warnings", "client", "ports_probed", "answered", "rejected", "no_answer",
               "probed", "target", "addresses", "service_type", "instance", "model", "firmware",
               "announcements")

TEXT_TITLES = ("Server", "Port", "Service", "Registration", "Lifecycle", "Expected", "Observed",
               "Clients", "Conv", "State", "Packets", "Bytes", "First seen (UTC)",
               "Last seen (UTC)", "Warnings")
TEXT_RIGHT = {7, 8, 10, 11}
PROBE_TITLES = ("Client", "Server", "Ports", "Answered", "Rejected", "No answer", "Conv", "Packets",
                "First seen (UTC)", "Last seen (UTC)", "Apple ports probed")
PROBE_RIGHT = {2, 3, 4, 5, 6, 7}
BONJOUR_TITLES = ("Host", "Addresses", "Service type", "Instance", "Port", "Service", "Lifecycle",
                  "Model", "Firmware", "Announcements", "First seen (UTC)", "Last seen (UTC)")
BONJOUR_RIGHT = {9}
RULE = "=" * 72
THIN_RULE = "-" * 72


class Failure(Exception):
    pass


class Stopped(Exception):
    """A signal (TERM, INT, HUP) arrived: unwind, removing the temporaries."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _stop(signum, _frame):
    # once: a second signal (the process group's, then the caller's) must not
    # interrupt the cleanup or the message
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise Stopped(signum)


# What annotate() did to OUT when a signal stopped it: main() says so.
STATE = {"written": False}


def _hold_signals():
    """Until _release_signals(): a signal waits, so that a temporary file is
    never made without being recorded, nor OUT replaced without it being
    known."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def _release_signals():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # a waiting one raises Stopped


# ---------------------------------------------------------------- render


class Tables:
    """What the report models define for every row: the warnings (key ->
    {"key", "title", "weight"}) and the connection states, least to furthest
    ([(name, answered)]). Models of one build agree; add() refuses one that
    does not."""

    def __init__(self):
        self.warnings, self.origin = {}, {}  # origin: where each warning came from
        self.states, self.states_origin = None, None

    def add(self, report, where, error=Failure):
        """Takes the tables of report (named where in an error message)."""
        for w in report["warnings"]:
            old = self.warnings.setdefault(w["key"], {k: w[k] for k in ("key", "title", "weight")})
            self.origin.setdefault(w["key"], where)
            if (old["title"], old["weight"]) != (w["title"], w["weight"]):
                raise error("%s: warning %s is \"%s\" of weight %d, not \"%s\" of weight %d as "
                            "in %s: merge reports of one version" % (
                                where, w["key"], w["title"], w["weight"], old["title"],
                                old["weight"], self.origin[w["key"]]))
        states = [(s["name"], s["answered"]) for s in report["states"]]
        if self.states is None:
            self.states, self.states_origin = states, where
        elif states != self.states:
            raise error("%s: connection states %s, not %s as in %s: merge reports of one "
                        "version" % (where, ", ".join(n for n, _ in states),
                                     ", ".join(n for n, _ in self.states), self.states_origin))
        return self

    def ordered(self):
        """The warnings in report order: weight descending, then key (report.c's
        kind_order())."""
        return sorted(self.warnings.values(), key=lambda w: (-w["weight"], w["key"].encode()))

    def ordered_warnings(self, keys):
        return [w["key"] for w in self.ordered() if w["key"] in keys]

    def rank(self, keys):
        """A row's rank: the sum of its warnings' weights."""
        return sum(self.warnings[k]["weight"] for k in keys)

    def title(self, key):
        return self.warnings[key]["title"]

    def progress(self, state):
        return [n for n, _ in self.states].index(state)

    def answered(self, state):
        return dict(self.states)[state]

    def json(self):
        return {"warnings": self.ordered(),
                "states": [{"name": n, "answered": a} for n, a in self.states]}


def sort_rows(rows):
    """The service rows in report order (docs/reports.md, "Order"; report.c's
    row_order()): rank descending, packets descending, then port, transport,
    server and service. One capture has one row a server, port and transport;
    reports made with other port tables may name its service otherwise."""
    rows.sort(key=lambda r: (-r["rank"], -r["packets"], r["port"], r["transport"].encode(),
                             r["server"].encode(), r["service"].encode()))
    return rows


def observed_rank(observed):
    return 0 if not observed else 1 if observed == "unknown" else 2


def capture_list(capture):
    """The captures of one entry of reports: a name (tshark's report of one
    capture) or a list of names (a merged report read back by --merge)."""
    return capture if isinstance(capture, list) else [capture]


def all_captures(reports):
    """Every capture of reports, in order, once."""
    out = {}  # a dict keeps the order
    for capture, _ in reports:
        out.update(dict.fromkeys(capture_list(capture)))
    return list(out)


def merge(reports, tables):
    """reports: [(capture, report model)] -> merged rows, ranked and in report
    order. A row of a merged report carries its captures: merging merged
    reports gives what one merge of all their captures gives."""
    merged = {}
    for capture, report in reports:
        for r in report["rows"]:
            key = (r["server"], r["port"], r["transport"], r["service"])
            m = merged.get(key)
            if m is None:
                m = dict(r)
                m["client_addresses"] = set(r["client_addresses"])
                m["warnings"] = set(r["warnings"])
                m["states"] = dict(r["states"])
                m["captures"] = dict.fromkeys(r.get("captures", capture_list(capture)))
                merged[key] = m
                continue
            m["client_addresses"].update(r["client_addresses"])
            m["warnings"].update(r["warnings"])
            for state, n in r["states"].items():
                m["states"][state] = m["states"].get(state, 0) + n
            for field in ("conversations", "packets", "bytes"):
                m[field] += r[field]
            m["first_seen"] = min(m["first_seen"], r["first_seen"])
            m["last_seen"] = max(m["last_seen"], r["last_seen"])
            # like the tap: a recognised protocol wins over "unknown", the first one stays
            if observed_rank(r["observed"]) > observed_rank(m["observed"]):
                m["observed"] = r["observed"]
            m["captures"].update(dict.fromkeys(r.get("captures", capture_list(capture))))
    # each report's captures in order, the reports in order: every row's
    # captures are in the order of all_captures(reports)
    rows = []
    for m in merged.values():
        m["client_addresses"] = sorted(m["client_addresses"], key=str.encode)
        m["clients"] = len(m["client_addresses"])
        m["states"] = {s: m["states"][s] for s, _ in reversed(tables.states)
                       if m["states"].get(s)}
        m["rank"] = tables.rank(m["warnings"])
        m["warnings"] = tables.ordered_warnings(m["warnings"])
        m["captures"] = list(m.pop("captures"))  # the model's keys, then the captures
        rows.append(m)
    return sort_rows(rows)


def merge_probes(reports, tables):
    """Probe findings by client and server: counts summed, ports by their best
    outcome; in report order (report.c's probe_order() and port_order())."""
    merged = {}
    for _, report in reports:
        for f in report["probes"]:
            key = (f["client"], f["server"])
            m = merged.setdefault(key, {"client": f["client"], "server": f["server"],
                                        "conversations": 0, "packets": 0,
                                        "first_seen": f["first_seen"],
                                        "last_seen": f["last_seen"], "ports": {}})
            m["conversations"] += f["conversations"]
            m["packets"] += f["packets"]
            m["first_seen"] = min(m["first_seen"], f["first_seen"])
            m["last_seen"] = max(m["last_seen"], f["last_seen"])
            for p in f["ports"]:
                old = m["ports"].get((p["transport"], p["port"]))
                if old is None or tables.progress(p["state"]) > tables.progress(old["state"]):
                    m["ports"][(p["transport"], p["port"])] = dict(p)
    out = []
    for m in merged.values():
        ports = sorted(m.pop("ports").values(),
                       key=lambda p: (p["transport"].encode(), p["port_lo"], p["port"]))
        states = [p["state"] for p in ports]
        m["ports_probed"] = len(ports)
        m["answered"] = sum(1 for s in states if tables.answered(s))
        m["rejected"] = states.count("rejected")
        m["no_answer"] = len(states) - m["answered"] - m["rejected"]
        m["ports"] = ports
        out.append({k: m[k] for k in ("client", "server", "ports_probed", "answered", "rejected",
                                      "no_answer", "conversations", "packets", "first_seen",
                                      "last_seen", "ports")})
    out.sort(key=lambda f: (-f["ports_probed"], f["client"].encode(), f["server"].encode()))
    return out


def ports_text(ports, tables):
    """A finding's ports: a range row is one entry, never one per port."""
    parts, i = [], 0
    while i < len(ports):
        p = ports[i]
        if p["port_hi"] == p["port_lo"]:
            parts.append("%s/%d %s (%s)" % (p["transport"], p["port"], p["service"], p["state"]))
            i += 1
            continue
        j = i
        while j < len(ports) and (ports[j]["transport"], ports[j]["port_lo"],
                                  ports[j]["port_hi"]) == (p["transport"], p["port_lo"],
                                                           p["port_hi"]):
            j += 1
        states = [q["state"] for q in ports[i:j]]
        n_answered = sum(1 for s in states if tables.answered(s))
        counts = [(n_answered, "answered"), (states.count("rejected"), "rejected"),
                  (len(states) - n_answered - states.count("rejected"), "no answer")]
        parts.append("%s/%d-%d %s (%d port%s:%s)" % (
            p["transport"], p["port_lo"], p["port_hi"], p["service"], j - i,
            "" if j - i == 1 else "s",
            ",".join(" %d %s" % (n, what) for n, what in counts if n)))
        i = j
    return ", ".join(parts)


def text_table(titles, right, cells):
    """Left-aligned cells but the counts (right), padded by characters; the
    last cell unpadded."""
    width = [max([len(t)] + [len(c[i]) for c in cells]) for i, t in enumerate(titles)]
    last = len(titles) - 1
    out = []
    for line in [list(titles)] + cells:
        parts = []
        for c, text in enumerate(line):
            pad = " " * (width[c] - len(text))
            parts.append(pad + text if c in right else text if c == last else text + pad)
        out.append("  ".join(parts))
    return out


def probe_cells(probes, tables):
    return [[f["client"], f["server"], str(f["ports_probed"]), str(f["answered"]),
             str(f["rejected"]), str(f["no_answer"]), str(f["conversations"]),
             str(f["packets"]), f["first_seen"], f["last_seen"], ports_text(f["ports"], tables)]
            for f in probes]


def render_probes(probes, tables):
    out = [THIN_RULE, "Probe findings: %d (client and server where Apple ports went unanswered "
           "or were refused)" % len(probes)]
    if probes:
        out += text_table(PROBE_TITLES, PROBE_RIGHT, probe_cells(probes, tables))
    return out


def merge_bonjour(reports):
    """The Bonjour inventory by host, service type, instance and port; in
    report order (report.c's bonjour_order()): rank descending, then service
    type, host, instance and port."""
    merged = {}
    for _, report in reports:
        for b in report["bonjour"]:
            key = (b["target"], b["service_type"], b["instance"], b["port"])
            m = merged.get(key)
            if m is None:
                m = merged[key] = dict(b)
                m["addresses"] = set(b["addresses"])
                continue
            m["addresses"].update(b["addresses"])
            m["announcements"] += b["announcements"]
            m["first_seen"] = min(m["first_seen"], b["first_seen"])
            m["last_seen"] = max(m["last_seen"], b["last_seen"])
            for field in ("model", "firmware"):
                m[field] = m[field] or b[field]
    out = []
    for m in merged.values():
        m["addresses"] = sorted(m["addresses"], key=str.encode)
        out.append(m)
    out.sort(key=lambda b: (-b["rank"], b["service_type"].encode(), b["target"].encode(),
                            b["instance"].encode(), b["port"]))
    return out


def bonjour_cells(bonjour):
    return [[b["target"], ",".join(b["addresses"]), b["service_type"], b["instance"],
             "%s/%d" % (b["transport"], b["port"]), b["service"], b["lifecycle"],
             b["model"] or "-", b["firmware"] or "-", str(b["announcements"]), b["first_seen"],
             b["last_seen"]] for b in bonjour]


def render_bonjour(bonjour):
    out = [THIN_RULE, "Bonjour inventory: %d advertised services on Apple ports" % len(bonjour)]
    if bonjour:
        out += text_table(BONJOUR_TITLES, BONJOUR_RIGHT, bonjour_cells(bonjour))
    return out


def states_text(states):
    """A row's states (furthest first, as the model lists them): the name
    alone where every conversation got there, else counts."""
    kinds = [(s, n) for s, n in states.items() if n]
    if len(kinds) == 1:
        return kinds[0][0]
    return ", ".join("%d %s" % (n, s) for s, n in kinds)


def service_cells(rows):
    """The cells of the service table, a list per row, in TEXT_TITLES order."""
    return [[r["server"], "%s/%d" % (r["transport"], r["port"]), r["service"],
             r["registration"], r["lifecycle"], r["expected"] or "-", r["observed"] or "-",
             str(r["clients"]), str(r["conversations"]), states_text(r["states"]),
             str(r["packets"]), str(r["bytes"]),
             r["first_seen"], r["last_seen"], ",".join(r["warnings"]) or "-"] for r in rows]


def render_text(scope, rows, probes, bonjour, tables):
    """The text report: the header, the service endpoints, the probe findings
    and the Bonjour inventory, each in the order given."""
    out = [RULE, "Apple Legacy Port Registry report (scope: %s)" % scope,
           "%d service endpoints, %d conversations, %d packets" % (
               len(rows), sum(r["conversations"] for r in rows), sum(r["packets"] for r in rows)),
           THIN_RULE]
    out += text_table(TEXT_TITLES, TEXT_RIGHT, service_cells(rows))
    out += render_probes(probes, tables)
    out += render_bonjour(bonjour)
    out.append(RULE)
    return "\n".join(out) + "\n"


def json_list(items):
    body = ",\n  ".join(json.dumps(r, ensure_ascii=False) for r in items)
    return "[%s]" % ("\n  " + body + "\n" if items else "")


def json_object(head, rows, probes, bonjour):
    """The header keys, then one row (one finding) a line."""
    text = json.dumps(head, ensure_ascii=False)[:-1]
    return '%s, "rows": %s, "probes": %s, "bonjour": %s}' % (
        text, json_list(rows), json_list(probes), json_list(bonjour))


def csv_text(rows, probes, bonjour, tables):
    """rows, probes, bonjour: [(capture, item)]."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # RFC 4180
    writer.writerow(CSV_COLUMNS)

    def write(section, capture, cells):
        cells = dict(cells, section=section, capture=capture)
        writer.writerow([cells.get(c, "") for c in CSV_COLUMNS])

    for capture, r in rows:
        write("service", capture, {k: r[k] for k in CSV_COLUMNS if k in r} | {
            "warnings": ";".join(r["warnings"]), "states": states_text(r["states"])})
    for capture, f in probes:
        write("probe", capture, {k: f[k] for k in (
            "server", "client", "ports_probed", "answered", "rejected", "no_answer",
            "conversations", "packets", "first_seen", "last_seen")} | {
            "probed": ports_text(f["ports"], tables)})
    for capture, b in bonjour:
        write("bonjour", capture, {k: b[k] for k in (
            "target", "service_type", "instance", "port", "transport", "service", "registration",
            "lifecycle", "model", "firmware", "announcements", "first_seen", "last_seen")} | {
            "addresses": ";".join(b["addresses"])})
    return buf.getvalue()


def model_head(report):
    """A model's keys before its sections: report, scope and the tables."""
    return {k: report[k] for k in ("report", "scope", "warnings", "states")}


def render(fmt, separate, reports, tables):
    """reports: [(capture or captures, report model)]; tables: theirs."""
    scope = reports[0][1]["scope"]
    if separate:
        if fmt == "text":
            return "".join("Capture: %s\n%s\n" % (cap, render_text(
                rep["scope"], rep["rows"], rep["probes"], rep["bonjour"], tables))
                for cap, rep in reports)
        if fmt == "csv":
            return csv_text([(cap, r) for cap, rep in reports for r in rep["rows"]],
                            [(cap, f) for cap, rep in reports for f in rep["probes"]],
                            [(cap, b) for cap, rep in reports for b in rep["bonjour"]], tables)
        objs = [json_object(dict({"capture": cap}, **model_head(rep)), rep["rows"],
                            rep["probes"], rep["bonjour"]) for cap, rep in reports]
        return (objs[0] if len(objs) == 1 else "[\n" + ",\n".join(objs) + "\n]") + "\n"
    rows = merge(reports, tables)
    probes = merge_probes(reports, tables)
    bonjour = merge_bonjour(reports)
    captures = all_captures(reports)
    if fmt == "text":
        return ("".join("Capture: %s\n" % cap for cap in captures)
                + render_text(scope, rows, probes, bonjour, tables) + "\n")
    if fmt == "csv":
        every = ";".join(captures)
        return csv_text([(";".join(r["captures"]), r) for r in rows],
                        [(every, f) for f in probes], [(every, b) for b in bonjour], tables)
    head = dict({"report": "applelegacy", "scope": scope, "captures": captures}, **tables.json())
    return json_object(head, rows, probes, bonjour) + "\n"


def load_report(capture, path):
    """tshark's report model. Bytes that are not UTF-8 (text of a packet or
    of a table row that got through) become U+FFFD instead of stopping it."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise Failure("%s: cannot read tshark's report %s: %s" % (capture, path, e.strerror))
    try:
        report = json.loads(text)
    except ValueError:
        raise Failure("%s: tshark gave no readable report" % capture)

    def bad(why):
        raise Failure("%s: tshark gave no readable report: %s" % (capture, why))

    check_model(report, bad)
    return report


# ---------------------------------------------------------------- merge


class BadInput(Failure):
    """A --merge input that is not a report: exit status 2, like the
    wrapper's errors before any work."""


# The fields of a model that merge(), merge_probes(), merge_bonjour() and the
# renderers read, with their types: a list of one type is a list of those; a
# dict with the key "" maps any name to its type.
WARNING_FIELDS = {"key": str, "title": str, "weight": int}
STATE_FIELDS = {"name": str, "answered": bool}
ROW_FIELDS = {"server": str, "port": int, "transport": str, "service": str, "iana_name": str,
              "registration": str, "lifecycle": str, "last_seen_in": str, "expected": str,
              "observed": str, "conversations": int, "packets": int, "bytes": int,
              "first_seen": str, "last_seen": str, "client_addresses": [str],
              "states": {"": int}, "rank": int, "warnings": [str]}
PORT_FIELDS = {"transport": str, "port": int, "port_lo": int, "port_hi": int, "service": str,
               "state": str}
PROBE_FIELDS = {"client": str, "server": str, "conversations": int, "packets": int,
                "first_seen": str, "last_seen": str, "ports": [PORT_FIELDS]}
BONJOUR_FIELDS = {"target": str, "addresses": [str], "service_type": str, "instance": str,
                  "port": int, "transport": str, "service": str, "registration": str,
                  "lifecycle": str, "model": str, "firmware": str, "announcements": int,
                  "first_seen": str, "last_seen": str, "rank": int}
# What a capture file starts with: pcap (both byte orders, µs and ns), pcapng, gzip.
CAPTURE_MAGIC = (b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d",
                 b"\x4d\x3c\xb2\xa1", b"\x0a\x0d\x0d\x0a", b"\x1f\x8b")


def check_value(value, kind, where):
    """None when value is of kind (see ROW_FIELDS), else what is wrong."""
    if isinstance(kind, list):
        if not isinstance(value, list):
            return "%s is not a list" % where
        for i, item in enumerate(value):
            wrong = check_value(item, kind[0], "%s[%d]" % (where, i))
            if wrong:
                return wrong
        return None
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            return "%s is not an object" % where
        if "" in kind:  # {name: value}
            for name, item in value.items():
                wrong = check_value(item, kind[""], "%s[%r]" % (where, name))
                if wrong:
                    return wrong
            return None
        for name, sub in kind.items():
            if name not in value:
                return "%s has no %r" % (where, name)
            wrong = check_value(value[name], sub, "%s[%r]" % (where, name))
            if wrong:
                return wrong
        return None
    if kind is int:  # a count, a port: not a boolean, never negative
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else "%s is not a number" % where
    if kind is bool:
        return None if isinstance(value, bool) else "%s is not true or false" % where
    return None if isinstance(value, kind) else "%s is not a string" % where


def check_head(obj, bad):
    if not isinstance(obj, dict) or obj.get("report") != "applelegacy":
        bad('no "report": "applelegacy"')
    if obj.get("scope") not in ("apple", "all", "legacy"):
        bad('no "scope" apple, all or legacy')


def check_model(obj, bad):
    """Calls bad(why) unless obj is a report model: its tables, its sections,
    and rows that name only the warnings and states of its tables."""
    check_head(obj, bad)
    for section, fields in (("warnings", WARNING_FIELDS), ("states", STATE_FIELDS),
                            ("rows", ROW_FIELDS), ("probes", PROBE_FIELDS),
                            ("bonjour", BONJOUR_FIELDS)):
        wrong = check_value(obj.get(section), [fields], section)
        if section not in obj:
            wrong = 'no "%s" (a report of an older version? make it again)' % section \
                if section in ("warnings", "states") else 'no "%s"' % section
        if wrong:
            bad(wrong)
    keys = [w["key"] for w in obj["warnings"]]
    names = [s["name"] for s in obj["states"]]
    if len(set(keys)) != len(keys):
        bad('"warnings" defines a warning twice')
    if not names or len(set(names)) != len(names):
        bad('"states" is empty or names a state twice')
    for i, r in enumerate(obj["rows"]):
        for w in r["warnings"]:
            if w not in keys:
                bad("rows[%d] has the warning %r, which \"warnings\" does not define" % (i, w))
        for s in r["states"]:
            if s not in names:
                bad("rows[%d]['states'] has an unknown state %r" % (i, s))
    for i, f in enumerate(obj["probes"]):
        for p in f["ports"]:
            if p["state"] not in names:
                bad("probes[%d] has a port of unknown state %r" % (i, p["state"]))


def check_report(obj, where):
    """(captures, report) of one report object, or BadInput."""
    def bad(why):
        raise BadInput("%s: not a report of applelegacy-report --json: %s" % (where, why))

    check_head(obj, bad)
    if "captures" in obj:
        captures = obj["captures"]
        if not captures or check_value(captures, [str], "captures"):
            bad('"captures" is not a list of capture names')
        if len(set(captures)) != len(captures):
            bad('"captures" names a capture twice')
    elif "capture" in obj:
        if not isinstance(obj["capture"], str):
            bad('"capture" is not a capture name')
        captures = [obj["capture"]]
    else:
        bad('no "captures" or "capture" (tshark\'s own report names no capture)')
    check_model(obj, bad)
    for i, r in enumerate(obj["rows"]):
        # a merged report's rows name their captures, which are the report's
        if "captures" in r or "captures" in obj:
            row_caps = r.get("captures")
            if check_value(row_caps, [str], "") or not row_caps or \
                    not set(row_caps) <= set(captures):
                bad("rows[%d]['captures'] is not a list of the report's captures" % i)
    return (captures if "captures" in obj else captures[0]), obj


def load_merge_input(path):
    """The reports of one --merge input: a merged report (--json), one of
    --separate, or the list --separate writes for several captures."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise BadInput("%s: no such file" % path)
    except IsADirectoryError:
        raise BadInput("%s: is a folder, not a JSON report" % path)
    except OSError as e:
        raise BadInput("%s: cannot read it: %s" % (path, e.strerror))
    if data.startswith(CAPTURE_MAGIC):
        raise BadInput("%s: is a capture, not a JSON report; --merge takes only reports "
                       "written by --json (run the report on the captures first)" % path)
    if not data.strip():
        raise BadInput("%s: empty file, not a JSON report" % path)
    try:
        obj = json.loads(data.decode("utf-8", errors="replace"))
    except ValueError as e:
        raise BadInput("%s: not JSON (%s)" % (path, e))
    if isinstance(obj, list):  # --separate of several captures
        if not obj:
            raise BadInput("%s: not a report of applelegacy-report --json: an empty list" % path)
        return [check_report(o, "%s: report %d" % (path, i + 1) if i else path)
                for i, o in enumerate(obj)]
    return [check_report(obj, path)]


def load_merge_inputs(paths, scope=None):
    """([(capture or captures, report)], Tables) of every input, checked: one
    scope (scope when --scope was given), tables that agree, and no capture in
    two of them (its packets would count twice)."""
    reports, seen, files, tables = [], {}, {}, Tables()
    for path in paths:
        try:
            st = os.stat(path)
            if (st.st_dev, st.st_ino) in files:
                # as the captures of one run: the same file is read once
                print("%s: %s is the same file as %s: read once" % (
                    PROG, path, files[st.st_dev, st.st_ino]), file=sys.stderr)
                continue
            files[st.st_dev, st.st_ino] = path
        except OSError:
            pass  # load_merge_input() says why
        for captures, report in load_merge_input(path):
            first = scope or (reports[0][1]["scope"] if reports else report["scope"])
            if report["scope"] != first:
                raise BadInput("%s: scope %s, not %s as %s: merge reports of one scope" % (
                    path, report["scope"], first,
                    "--scope asks" if scope else "in %s" % paths[0]))
            for c in capture_list(captures):
                if c in seen:
                    raise BadInput("%s: capture %s is in %s too: its packets would count "
                                   "twice" % (path, c, seen[c]))
                seen[c] = path
            tables.add(report, path, BadInput)
            reports.append((captures, report))
    return reports, tables


# ---------------------------------------------------------------- annotate


def tshark_packets(path):
    """The packets of tshark -T json output, one at a time (the file can be large)."""
    decoder = json.JSONDecoder()
    # errors="replace": tshark copies text from packets; a byte that is not
    # UTF-8 becomes U+FFFD (pcapng comments must be UTF-8) and stops nothing.
    with open(path, encoding="utf-8", errors="replace") as f:
        buf, eof = "", False
        while True:
            pos = 0
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n,[]":
                    pos += 1
                if pos == len(buf):
                    break
                try:
                    obj, pos = decoder.raw_decode(buf, pos)
                except ValueError:
                    if eof:
                        raise Failure("cannot read tshark's JSON output of the flagged packets")
                    break
                yield obj
            buf = buf[pos:]
            if eof:
                return
            chunk = f.read(1 << 20)
            eof = not chunk
            buf += chunk


def expert_items(tree):
    """Every _ws.expert object in a packet's layers (with --no-duplicate-keys)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "_ws.expert":
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict):
                        yield item
            else:
                yield from expert_items(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from expert_items(value)


def first(value):
    return value[0] if isinstance(value, list) else value


def comment_for(item):
    """The comment for one expert item, or None when it is not flagged: items
    of our protocols of severity Warning or Error, the registry's Notes and
    our Security Notes."""
    names = [k for k in item if not k.startswith("_ws.expert")]
    if not names or "_ws.expert.message" not in item:
        return None
    proto = names[0].split(".")[0]
    if proto not in PROTOCOLS:
        return None
    try:
        severity = int(first(item.get("_ws.expert.severity", "0")))
        group = int(first(item.get("_ws.expert.group", "0")))
    except ValueError:
        return None
    flagged = severity >= PI_WARN or (severity == PI_NOTE and (
        proto == "applelegacy" or group == PI_SECURITY))
    if not flagged:
        return None
    source = "applelegacy" if proto == "applelegacy" else "applelegacy/" + proto
    return "%s: [%s/%s] %s" % (source, GROUPS.get(group, "Group %#x" % group),
                               SEVERITIES.get(severity, "Severity %#x" % severity),
                               first(item["_ws.expert.message"]))


def flagged_frames(experts_json):
    """{frame number: [comment, ...]} in frame and tree order, without repeats."""
    frames = {}
    for packet in tshark_packets(experts_json):
        layers = packet.get("_source", {}).get("layers", {})
        number = int(first(layers.get("frame", {}).get("frame.number", "0")))
        for name, layer in layers.items():
            if name == "frame":
                continue
            for item in expert_items(layer):
                text = comment_for(item)
                if text is not None and text not in frames.setdefault(number, []):
                    frames[number].append(text)
        if number in frames and not frames[number]:
            del frames[number]
    return frames


# pcapng blocks (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html)
PCAPNG_SHB, PCAPNG_EPB = 0x0A0D0D0A, 0x00000006
PCAPNG_PACKET_BLOCKS = (0x00000002, 0x00000003, PCAPNG_EPB)  # obsolete PB, SPB, EPB
OPT_ENDOFOPT, OPT_COMMENT = 0, 1


def _pad4(n):
    return (n + 3) & ~3


def epb_with_comments(block, endian, comments):
    """An Enhanced Packet Block with opt_comment options added after the
    options it has (its own comments stay first)."""
    caplen = struct.unpack_from(endian + "I", block, 20)[0]
    start = 28 + _pad4(caplen)
    options, pos = [], start
    while pos + 4 <= len(block) - 4:
        code, length = struct.unpack_from(endian + "HH", block, pos)
        if code == OPT_ENDOFOPT:
            break
        options.append(block[pos:pos + 4 + _pad4(length)])
        pos += 4 + _pad4(length)
    for text in comments:
        value = text.encode("utf-8")
        if len(value) > 0xFFFF:
            value = value[:0xFFFF]
        options.append(struct.pack(endian + "HH", OPT_COMMENT, len(value)) + value
                       + b"\0" * (_pad4(len(value)) - len(value)))
    body = bytes(block[8:start]) + b"".join(options) + struct.pack(endian + "HH", OPT_ENDOFOPT, 0)
    total = 8 + len(body) + 4
    return struct.pack(endian + "II", PCAPNG_EPB, total) + body + struct.pack(endian + "I", total)


def add_comments(source, output, frames):
    """Copies the pcapng file source (as editcap writes it: every packet an
    Enhanced Packet Block) to output, block by block, with the comments of
    frames ({frame number: [comment, ...]}) added to their packets. editcap -a
    cannot do it in every series: 4.0 adds one comment a frame per run after
    those the frame has, 4.4 keeps one comment a frame and drops the ones the
    frame had."""
    endian, number = "<", 0
    with open(source, "rb") as src, open(output, "wb") as dst:
        while True:
            head = src.read(8)
            if not head:
                break
            if len(head) < 8:
                raise Failure("%s: pcapng block cut short" % source)
            if head[:4] == b"\x0a\x0d\x0d\x0a":
                magic = src.read(4)
                endian = "<" if magic == b"\x4d\x3c\x2b\x1a" else ">"
                head += magic
            btype, length = struct.unpack(endian + "II", head[:8])
            if length < 12 or length % 4:
                raise Failure("%s: bad pcapng block length %d" % (source, length))
            rest = src.read(length - len(head))
            if len(rest) != length - len(head):
                raise Failure("%s: pcapng block cut short" % source)
            block = head + rest
            if btype in PCAPNG_PACKET_BLOCKS:
                number += 1
                if number in frames:
                    if btype != PCAPNG_EPB:
                        raise Failure("%s: frame %d is not an Enhanced Packet Block"
                                      % (source, number))
                    block = epb_with_comments(block, endian, frames[number])
            dst.write(block)


def check_output(output, option="--write"):
    """Refuses an OUT that exists and is not a regular file: a link is
    neither followed nor replaced, a device or a FIFO never replaced."""
    try:
        st = os.lstat(output)
    except FileNotFoundError:
        return
    except OSError as e:
        raise Failure("%s: %s" % (output, e.strerror))
    if stat.S_ISLNK(st.st_mode):
        raise Failure("%s: is a symbolic link; %s neither follows nor replaces one"
                      % (output, option))
    if not stat.S_ISREG(st.st_mode):
        raise Failure("%s: exists and is not a regular file; %s replaces only a regular "
                      "file" % (output, option))


def current_umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_output(output, option, suffix, fill, count=1):
    """Writes OUT safely (--write, --html): check_output(), then count
    temporary files beside OUT; fill(temps) leaves the complete content in the
    last one, which gets mode 0666 less the umask and is renamed onto OUT.
    OUT is kept as it was on any error or signal; no temporary is left."""
    outdir = os.path.dirname(os.path.abspath(output))
    check_output(output, option)
    temps = []
    try:
        try:
            for _ in range(count):
                _hold_signals()
                try:
                    fd, temp = tempfile.mkstemp(prefix=".applelegacy-", suffix=suffix,
                                                dir=outdir)
                    temps.append(temp)
                finally:
                    _release_signals()
                os.close(fd)
        except OSError as e:
            raise Failure("%s: cannot write in %s: %s" % (output, outdir, e.strerror))
        try:
            fill(temps)
            os.chmod(temps[-1], 0o666 & ~current_umask())
        except OSError as e:
            raise Failure("%s: cannot write it: %s (in %s); nothing written" % (
                output, e.strerror, outdir))
        _hold_signals()
        check_output(output, option)
        try:
            os.replace(temps[-1], output)
        except OSError as e:
            raise Failure("%s: cannot replace it: %s; it is kept as it was" % (output, e.strerror))
        STATE["written"] = True
        temps.pop()
    finally:
        # a signal waits until the temporaries are gone
        _hold_signals()
        for temp in temps:
            try:
                os.unlink(temp)
            except OSError:
                pass
        _release_signals()


def annotate(experts_json, capture, output, encap):
    """editcap makes a pcapng copy of capture (pcap, compressed, or pcapng
    with other block types in), then add_comments writes the comments."""
    frames = flagged_frames(experts_json)

    def fill(temps):
        # -T: a pcapng whose first interface comes after another block
        # (a decryption secrets block) is otherwise "not writable". The
        # absolute path: a name starting with '-' is not an option.
        cmd = ["editcap", "-F", "pcapng"] + (["-T", encap] if encap else [])
        proc = subprocess.run(cmd + [os.path.abspath(capture), temps[0]], capture_output=True,
                              text=True, errors="replace")
        if proc.returncode != 0:
            err = (proc.stderr.strip().splitlines() or ["exit status %d" % proc.returncode])[0]
            raise Failure("%s: editcap failed: %s" % (capture, err))
        add_comments(temps[0], temps[1], frames)

    write_output(output, "--write", ".pcapng", fill, count=2)
    return sum(len(c) for c in frames.values()), len(frames)


# ---------------------------------------------------------------- html


HTML_CSS = """
body { font: 14px/1.4 "DejaVu Sans", Arial, sans-serif; color: #1f2328; margin: 24px;
       background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
dl.head { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; }
dl.head dt { font-weight: bold; }
dl.head dd { margin: 0; }
dl.head ul { margin: 0; padding-left: 18px; }
table { border-collapse: collapse; font-size: 12.5px; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left; vertical-align: top; }
td { white-space: nowrap; }
td.wrap { white-space: normal; min-width: 150px; }
th { background: #f0f3f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.warn td { background: #fff1e5; }
span.w { display: inline-block; background: #a40000; color: #fff; border-radius: 3px;
         padding: 0 4px; margin: 1px 2px 1px 0; font-size: 11.5px; white-space: nowrap; }
span.w.mid { background: #7500a0; }
span.w.low { background: #f57900; color: #1f2328; }
p.none { color: #57606a; font-style: italic; }
svg text { font: 11px "DejaVu Sans", Arial, sans-serif; fill: #1f2328; }
svg .axis { stroke: #57606a; stroke-width: 1; }
svg .grid { stroke: #d0d7de; stroke-width: 1; }
svg rect.endpoint { fill: #3465a4; }
svg rect.endpoint.warned { fill: #a40000; }
svg rect.probe { fill: #f57900; }
.legend span { display: inline-block; width: 12px; height: 12px; vertical-align: middle;
               margin: 0 4px 0 12px; }
footer { margin-top: 28px; color: #57606a; font-size: 12px; }
"""


def parse_time(text):
    """The report's UTC times ("2026-11-23T16:33:29.840607Z") as seconds
    since the epoch, or None."""
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.datetime.strptime(text, fmt).replace(
                tzinfo=datetime.timezone.utc).timestamp()
        except (TypeError, ValueError):
            pass
    return None


def readable_time(text):
    """2026-11-23T16:33:29.840607Z -> 2026-11-23 16:33:29.840607 UTC"""
    return text.replace("T", " ").replace("Z", " UTC") if text else "-"


def table_time(text):
    """2026-11-23T16:33:29.840607Z -> 2026-11-23 16:33:29.840607 (the
    tables say UTC in their titles)"""
    return text.replace("T", " ").rstrip("Z") if text else "-"


def epoch_text(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S.%f UTC")


def capture_ranges(captures):
    """{capture: (first packet, last packet)} in seconds since the epoch,
    as capinfos reads them; a capture it cannot read is left out."""
    ranges = {}
    for capture in captures:
        try:
            proc = subprocess.run(["capinfos", "-T", "-r", "-a", "-e", "-S", "--",
                                   os.path.abspath(capture)], capture_output=True, text=True,
                                  errors="replace")
            first, last = proc.stdout.rstrip("\n").split("\t")[-2:]
            ranges[capture] = (float(first), float(last))
        except (OSError, ValueError):
            pass
    return ranges


def esc(value):
    return html.escape(str(value), quote=True)


def html_table(titles, right, cells, row_classes=None, wrap=()):
    out = ["<table>", "<tr>" + "".join("<th>%s</th>" % esc(t) for t in titles) + "</tr>"]
    for i, row in enumerate(cells):
        cls = row_classes[i] if row_classes else ""
        tds = []
        for c, value in enumerate(row):
            # a cell is text (escaped here) or ("html", markup made of escaped parts)
            body = value[1] if isinstance(value, tuple) else esc(value)
            cls_td = "num" if c in right else "wrap" if c in wrap else ""
            tds.append('<td class="%s">%s</td>' % (cls_td, body) if cls_td else "<td>%s</td>" % body)
        out.append(('<tr class="%s">' % esc(cls) if cls else "<tr>") + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def warning_badges(warnings, tables):
    """A badge per warning, its title as the tooltip, coloured by its weight:
    red from 64, purple from 16, orange below."""
    if not warnings:
        return "-"
    badges = []
    for w in warnings:
        weight = tables.warnings[w]["weight"]
        band = "high" if weight >= 64 else "mid" if weight >= 16 else "low"
        badges.append('<span class="w %s %s" title="%s">%s</span>' % (
            band, esc(w), esc(tables.title(w)), esc(w)))
    return ("html", "".join(badges))


def nice_step(span, ticks=6):
    """A tick step of 1, 2 or 5 times a power of ten (seconds), or of
    minutes, hours, days, giving about `ticks` ticks over span."""
    raw = span / ticks
    for unit in (86400, 3600, 60, 1):
        if raw >= unit or unit == 1:
            break
    value = raw / unit
    power = 10 ** math.floor(math.log10(value)) if value > 0 else 1
    for m in (1, 2, 5, 10):
        if m * power >= value:
            return m * power * unit, unit
    return 10 * power * unit, unit


UNIT_NAMES = {86400: "d", 3600: "h", 60: "min", 1: "s"}


def timeline_svg(rows, probes, tables):
    """One bar per service endpoint (blue, red when it has warnings) and per
    probe finding (orange) from first to last seen, on one time axis."""
    items = [("endpoint" + (" warned" if r["warnings"] else ""),
              "%s %s/%d %s" % (r["server"], r["transport"], r["port"], r["service"]),
              r["first_seen"], r["last_seen"],
              "%s %s/%d %s: %s to %s, %d packets%s" % (
                  r["server"], r["transport"], r["port"], r["service"],
                  readable_time(r["first_seen"]), readable_time(r["last_seen"]), r["packets"],
                  "; " + ", ".join(r["warnings"]) if r["warnings"] else ""))
             for r in rows]
    items += [("probe", "%s \u2192 %s probe" % (f["client"], f["server"]), f["first_seen"],
               f["last_seen"], "probe %s \u2192 %s: %s to %s, %s" % (
                   f["client"], f["server"], readable_time(f["first_seen"]),
                   readable_time(f["last_seen"]), ports_text(f["ports"], tables)))
              for f in probes]
    times = [t for item in items for t in (parse_time(item[2]), parse_time(item[3]))
             if t is not None]
    if not times:
        return '<p class="none">No service endpoint or probe finding to draw.</p>'
    t0, t1 = min(times), max(times)
    span = max(t1 - t0, 0.001)
    step, unit = nice_step(span)
    label_w, plot_w, row_h, top = 330, 600, 18, 24
    width = label_w + plot_w + 30
    height = top + row_h * len(items) + 34

    def x(t):
        return label_w + (t - t0) / span * plot_w

    out = ['<svg class="timeline" width="%d" height="%d" viewBox="0 0 %d %d" role="img" '
           'aria-label="Timeline of the service endpoints and probe findings">'
           % (width, height, width, height)]
    axis_y = top + row_h * len(items) + 4
    n = 0
    while n * step <= span + step * 1e-9:
        xt = x(t0 + n * step)
        out.append('<line class="grid" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>'
                   % (xt, top - 4, xt, axis_y))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">+%s %s</text>'
                   % (xt, axis_y + 16, "%g" % round(n * step / unit, 6), UNIT_NAMES[unit]))
        n += 1
    out.append('<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>'
               % (label_w, axis_y, label_w + plot_w, axis_y))
    out.append('<text x="%d" y="%d">%s</text>' % (label_w, 14, esc(
        "time since %s" % readable_time(
            datetime.datetime.fromtimestamp(t0, datetime.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%S.%fZ")))))
    for i, (cls, label, first_seen, last_seen, title) in enumerate(items):
        y = top + i * row_h
        a, b = parse_time(first_seen), parse_time(last_seen)
        if a is None or b is None:
            a = b = t0
        x0 = x(a)
        w = max(x(b) - x0, 3)
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>'
                   % (label_w - 8, y + 12, esc(label if len(label) <= 52 else label[:51] + "\u2026")))
        out.append('<rect class="%s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title>'
                   '</rect>' % (cls, x0, y + 2, w, row_h - 5, esc(title)))
    out.append("</svg>")
    out.append('<div class="legend"><span style="background:#3465a4"></span>service endpoint'
               '<span style="background:#a40000"></span>service endpoint with warnings'
               '<span style="background:#f57900"></span>probe finding</div>')
    return "\n".join(out)


def render_html(report, tables, ranges=None):
    """The merged JSON report (render --format json) as one self-contained
    HTML page: no script, no external reference, every text escaped. tables:
    the report's; ranges: capture_ranges() of its captures."""
    rows, probes = report.get("rows", []), report.get("probes", [])
    bonjour, captures = report.get("bonjour", []), report.get("captures", [])
    ranges = ranges or {}
    known = [ranges[c] for c in captures if c in ranges]
    span = ("%s to %s" % (epoch_text(min(r[0] for r in known)), epoch_text(max(r[1] for r in known)))
            if known else "unknown")
    several = len(captures) > 1
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           "<title>Apple Legacy Port Registry report</title>",
           "<style>%s</style>" % HTML_CSS, "</head>", "<body>",
           "<h1>Apple Legacy Port Registry report</h1>", '<dl class="head">',
           "<dt>Captures</dt><dd><ul>%s</ul></dd>" % "".join(
               "<li>%s</li>" % esc(c + ("" if c not in ranges else ": %s to %s" % (
                   epoch_text(ranges[c][0]), epoch_text(ranges[c][1]))))
               for c in captures),
           "<dt>Scope</dt><dd>%s</dd>" % esc(report.get("scope", "")),
           "<dt>Capture range</dt><dd>%s</dd>" % esc(span),
           "<dt>Findings</dt><dd>%s</dd>" % esc(
               "%d service endpoints (%d with warnings), %d conversations, %d packets; "
               "%d probe findings; %d advertised services" % (
                   len(rows), sum(1 for r in rows if r["warnings"]),
                   sum(r["conversations"] for r in rows), sum(r["packets"] for r in rows),
                   len(probes), len(bonjour))),
           "</dl>", "<h2>Timeline</h2>", timeline_svg(rows, probes, tables),
           "<h2>Service endpoints</h2>"]
    if rows:
        # the text report's columns, the warnings next to the service (what
        # a reader looks for first) and the IANA name added
        titles = TEXT_TITLES[:3] + TEXT_TITLES[-1:] + TEXT_TITLES[3:7] + ("IANA name",) + (
            TEXT_TITLES[7:-1]) + (("Captures",) if several else ())
        cells = [[r["server"], "%s/%d" % (r["transport"], r["port"]), r["service"],
                  warning_badges(r["warnings"], tables), r["registration"], r["lifecycle"],
                  r["expected"] or "-", r["observed"] or "-", r["iana_name"] or "-",
                  str(r["clients"]), str(r["conversations"]), states_text(r["states"]),
                  str(r["packets"]), str(r["bytes"]), table_time(r["first_seen"]),
                  table_time(r["last_seen"])]
                 + ([", ".join(r.get("captures", []))] if several else []) for r in rows]
        out.append(html_table(titles, {9, 10, 12, 13}, cells,
                              ["warn" if r["warnings"] else "" for r in rows], wrap={2, 3}))
    else:
        out.append('<p class="none">No service on an Apple port answered.</p>')
    out.append("<h2>Probe findings</h2>")
    if probes:
        out.append("<p>Client and server where Apple ports went unanswered or were refused.</p>")
        out.append(html_table(PROBE_TITLES, PROBE_RIGHT, [
            [f["client"], f["server"], str(f["ports_probed"]), str(f["answered"]),
             str(f["rejected"]), str(f["no_answer"]), str(f["conversations"]), str(f["packets"]),
             table_time(f["first_seen"]), table_time(f["last_seen"]),
             ports_text(f["ports"], tables)]
            for f in probes], wrap={10}))
    else:
        out.append('<p class="none">No probe findings.</p>')
    out.append("<h2>Bonjour inventory</h2>")
    if bonjour:
        out.append("<p>Services mDNS advertises on Apple ports.</p>")
        out.append(html_table(BONJOUR_TITLES, BONJOUR_RIGHT, [
            [b["target"], ", ".join(b["addresses"]), b["service_type"], b["instance"],
             "%s/%d" % (b["transport"], b["port"]), b["service"], b["lifecycle"],
             b["model"] or "-", b["firmware"] or "-", str(b["announcements"]),
             table_time(b["first_seen"]), table_time(b["last_seen"])] for b in bonjour],
            ["warn" if b["lifecycle"] == "discontinued" else "" for b in bonjour], wrap={3, 5}))
    else:
        out.append('<p class="none">No advertised services on Apple ports.</p>')
    out.append("<footer>Made by tools/applelegacy-report --html (Apple Legacy Port Registry "
               "plugins for Wireshark). Times are UTC.</footer>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_html(report_json, output):
    """render_html() of the JSON report, written safely to output."""
    try:
        with open(report_json, encoding="utf-8", errors="replace") as f:
            report = json.load(f)
    except OSError as e:
        raise Failure("cannot read the JSON report %s: %s" % (report_json, e.strerror))
    except ValueError:
        raise Failure("the JSON report %s is not readable" % report_json)

    def bad(why):
        raise Failure("the JSON report %s is not readable: %s" % (report_json, why))

    check_model(report, bad)
    tables = Tables().add(report, report_json)
    page = render_html(report, tables, capture_ranges(report.get("captures", []))).encode("utf-8")

    def fill(temps):
        with open(temps[0], "wb") as f:
            f.write(page)

    write_output(output, "--html", ".html", fill)
    return report


# ---------------------------------------------------------------- main


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

USAGE = ("usage: applelegacy_report.py render --format text|json|csv [--separate] "
         "--report CAPTURE JSON [--report CAPTURE JSON ...] | merge --format text|json|csv "
         "[--scope SCOPE] --json-report FILE [--json-report FILE ...] | annotate --experts JSON "
         "--input CAPTURE --output OUT [--encap SHORTNAME] | html --json REPORT --output OUT")


def parse_args(argv):
    """The arguments, taken as they are: a value is the next argument even
    when it starts with '-' (a capture or OUT named -x.pcapng)."""
    if not argv or argv[0] not in ("render", "annotate", "merge", "html"):
        raise Failure(USAGE)
    command, rest = argv[0], argv[1:]
    takes = ({"--format": 1, "--separate": 0, "--report": 2} if command == "render" else
             {"--format": 1, "--scope": 1, "--json-report": 1} if command == "merge" else
             {"--json": 1, "--output": 1} if command == "html" else
             {"--experts": 1, "--input": 1, "--output": 1, "--encap": 1})
    opts = {"command": command, "format": "text", "separate": False, "report": [], "encap": ""}
    i = 0
    while i < len(rest):
        name = rest[i]
        if name not in takes:
            raise Failure("unexpected argument %r; %s" % (name, USAGE))
        n = takes[name]
        if i + n >= len(rest):
            raise Failure("%s needs %d value(s); %s" % (name, n, USAGE))
        values = rest[i + 1:i + 1 + n]
        key = name[2:]
        if name == "--report":
            opts["report"].append(tuple(values))
        elif name == "--json-report":
            opts["report"].append(values[0])
        elif n == 0:
            opts[key] = True
        else:
            opts[key] = values[0]
        i += 1 + n
    if command in ("render", "merge"):
        if opts["format"] not in ("text", "json", "csv") or not opts["report"]:
            raise Failure(USAGE)
    elif command == "html":
        if not all(k in opts for k in ("json", "output")):
            raise Failure(USAGE)
    elif not all(k in opts for k in ("experts", "input", "output")):
        raise Failure(USAGE)
    return opts


def main(argv):
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop)
    args = {}
    try:
        args = parse_args(argv)
        if args["command"] == "render":
            reports = [(cap, load_report(cap, path)) for cap, path in args["report"]]
            tables = Tables()
            for cap, report in reports:
                tables.add(report, cap)
            sys.stdout.write(render(args["format"], args["separate"], reports, tables))
            sys.stdout.flush()
        elif args["command"] == "html":
            report = write_html(args["json"], args["output"])
            print("%s: wrote %s: %d service endpoints, %d probe findings, %d advertised services"
                  % (PROG, args["output"], len(report["rows"]), len(report.get("probes", [])),
                     len(report.get("bonjour", []))), file=sys.stderr)
        elif args["command"] == "merge":
            reports, tables = load_merge_inputs(args["report"], args.get("scope"))
            sys.stdout.write(render(args["format"], False, reports, tables))
            sys.stdout.flush()
        else:
            comments, frames = annotate(args["experts"], args["input"], args["output"],
                                        args["encap"])
            print("%s: wrote %s: %d comments on %d frames" % (PROG, args["output"], comments,
                                                             frames), file=sys.stderr)
    except Failure as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 2 if isinstance(e, BadInput) else 1
    except Stopped as e:
        name = signal.Signals(e.signum).name
        if args.get("output") and STATE["written"]:
            name += " after %s was written" % args["output"]
        elif args.get("output"):
            name += ": %s not written (kept as it was)" % args["output"]
        print("%s: stopped by %s" % (PROG, name), file=sys.stderr)
        return 128 + e.signum
    except BrokenPipeError:
        # the reader went away (| head): nothing more to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:
        print("%s: %s: %s" % (PROG, e.filename or "output", e.strerror), file=sys.stderr)
        return 1
    except Exception as e:  # a bug of ours: still one line, never a traceback
        print("%s: internal error: %s: %s" % (PROG, type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
