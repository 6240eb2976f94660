#!/usr/bin/env python3
"""Generates a plugin's plugin.c: the entry points the Wireshark loader calls.

    make-plugin-reg.py --plugin NAME --template plugin.c.in --output plugin.c
                       [--source-root DIR] SOURCE...

Scans the plugin's C sources for the definitions Wireshark's own
tools/make-plugin-reg.py looks for,

    void proto_register_X(void) { ... }        a protocol to register
    void proto_reg_handoff_X(void) { ... }     its handoff (optional)
    void register_tap_listener_X(void) { ... } tap listeners to register

and fills the template with one proto_plugin per proto_register_X (with
proto_reg_handoff_X when there is one) and one tap_plugin per
register_tap_listener_X, and with the plugin's description flags (dissector,
and tap listener when it has one).

Only definitions count: the name followed by "(void)" and the function body.
Prototypes (ending with ";"), comments, string and character literals and
preprocessor lines (#define ...) are not registrations. Conditional
compilation (#if 0) is not evaluated.

Fails, naming the file and line, when the sources register no protocol, when
a function is defined twice or static (plugin.c could not call it), or when a
handoff has no proto_register_X of the same name (it would never be called).
A source file without any registration is fine.

Standard library only: the plugin build needs nothing beyond python3.
"""

import argparse
import os
import re
import sys

PROG = "make-plugin-reg"

# The kinds of registration, by the prefix of the function's name.
PROTO = "proto_register_"
HANDOFF = "proto_reg_handoff_"
TAP = "register_tap_listener_"

DEFINITION = re.compile(
    r"\bvoid\s+"
    r"(?P<prefix>proto_register_|proto_reg_handoff_|register_tap_listener_)"
    r"(?P<symbol>[A-Za-z0-9_]+)\s*\(\s*void\s*\)\s*\{"
)


class ScanError(Exception):
    pass


def logical_line_end(text, i):
    """The offset of the newline that ends the line at i, following
    backslash-newline continuations (len(text) at the end)."""
    while True:
        nl = text.find("\n", i)
        if nl < 0:
            return len(text)
        if text[i:nl].rstrip("\r").endswith("\\"):
            i = nl + 1
            continue
        return nl


def strip_c(text):
    """Returns text with comments, string and character literals and
    preprocessor directives replaced by blanks, newlines kept (so that
    offsets still give the right line numbers)."""
    out = []
    i = 0
    n = len(text)
    at_line_start = True  # only blanks and comments since the last newline
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(" " + "\n" * text.count("\n", i, end))
            i = end
            continue
        if text.startswith("//", i) or (c == "#" and at_line_start):
            end = logical_line_end(text, i)
            out.append(" " + "\n" * text.count("\n", i, end))
            i = end
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if j < n and text[j] == c:
                j += 1
            out.append(c + c + "\n" * text.count("\n", i, j))
            at_line_start = False
            i = j
            continue
        if c == "\n":
            at_line_start = True
        elif not c.isspace():
            at_line_start = False
        out.append(c)
        i += 1
    return "".join(out)


def scan(path, shown):
    """The registrations defined in one source file: a list of
    (prefix, symbol, line)."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError as e:
        raise ScanError("%s: cannot read: %s" % (shown, e.strerror))
    code = strip_c(text)
    found = []
    for m in DEFINITION.finditer(code):
        line = code.count("\n", 0, m.start("prefix")) + 1
        name = m.group("prefix") + m.group("symbol")
        # The declaration's specifiers: back to the end of the previous
        # declaration or function body.
        begin = max(code.rfind(c, 0, m.start()) for c in ";{}") + 1
        if re.search(r"\bstatic\b", code[begin : m.start()]):
            raise ScanError(
                "%s:%d: %s is static: plugin.c cannot call it; remove \"static\""
                % (shown, line, name)
            )
        found.append((m.group("prefix"), m.group("symbol"), line))
    return found


def collect(plugin, sources):
    """sources: a list of (path, shown name). Returns a dict prefix ->
    sorted list of symbols."""
    where = {}  # function name -> "file:line" of its definition
    regs = {PROTO: set(), HANDOFF: set(), TAP: set()}
    for path, shown in sources:
        for prefix, symbol, line in scan(path, shown):
            name = prefix + symbol
            here = "%s:%d" % (shown, line)
            if name in where:
                raise ScanError("%s: %s is already defined at %s" % (here, name, where[name]))
            where[name] = here
            regs[prefix].add(symbol)
    if not regs[PROTO]:
        raise ScanError(
            "plugin %s: none of its sources (%s) defines a function "
            "\"void proto_register_NAME(void) { ... }\": a plugin registers at least one protocol"
            % (plugin, ", ".join(shown for _, shown in sources) or "none given")
        )
    for symbol in sorted(regs[HANDOFF] - regs[PROTO]):
        raise ScanError(
            "%s: %s has no proto_register_%s in the plugin's sources, so it would never be called"
            % (where[HANDOFF + symbol], HANDOFF + symbol, symbol)
        )
    return {prefix: sorted(symbols) for prefix, symbols in regs.items()}


def generate(plugin, template, regs):
    decls = []
    for symbol in regs[PROTO]:
        decls.append("void %s%s(void);" % (PROTO, symbol))
        if symbol in regs[HANDOFF]:
            decls.append("void %s%s(void);" % (HANDOFF, symbol))
    for symbol in regs[TAP]:
        decls.append("void %s%s(void);" % (TAP, symbol))
    blocks = []
    for symbol in regs[PROTO]:
        handoff = HANDOFF + symbol if symbol in regs[HANDOFF] else "NULL"
        blocks.append([
            "    static proto_plugin proto_%s;" % symbol,
            "    proto_%s.register_protoinfo = %s%s;" % (symbol, PROTO, symbol),
            "    proto_%s.register_handoff = %s;" % (symbol, handoff),
            "    proto_register_plugin(&proto_%s);" % symbol,
        ])
    for symbol in regs[TAP]:
        blocks.append([
            "    static tap_plugin tap_%s;" % symbol,
            "    tap_%s.register_tap_listener = %s%s;" % (symbol, TAP, symbol),
            "    tap_register_plugin(&tap_%s);" % symbol,
        ])
    flags = "WS_PLUGIN_DESC_DISSECTOR"
    if regs[TAP]:
        flags += " | WS_PLUGIN_DESC_TAP_LISTENER"
    values = {
        "PLUGIN_NAME": plugin,
        "DESCRIPTION_FLAGS": flags,
        "DECLARATIONS": "\n".join(decls),
        "REGISTRATIONS": "\n\n".join("\n".join(block) for block in blocks),
    }
    missing = [key for key in values if "@%s@" % key not in template]
    if missing:
        raise ScanError("the template has no @%s@" % "@, @".join(missing))

    def substitute(m):
        if m.group(1) not in values:
            raise ScanError("the template names an unknown @%s@" % m.group(1))
        return values[m.group(1)]

    return re.sub(r"@([A-Z_]+)@", substitute, template)


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, description="Generates a plugin's plugin.c.")
    ap.add_argument("--plugin", required=True, help="the plugin's name, for messages")
    ap.add_argument("--template", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--source-root", help="messages name files relative to this folder")
    ap.add_argument("sources", nargs="*")
    args = ap.parse_args(argv)

    def shown(path):
        if args.source_root:
            rel = os.path.relpath(path, args.source_root)
            if not rel.startswith(".."):
                return rel
        return path

    try:
        regs = collect(args.plugin, [(p, shown(p)) for p in args.sources])
        try:
            with open(args.template, encoding="utf-8") as f:
                template = f.read()
        except OSError as e:
            raise ScanError("%s: cannot read: %s" % (args.template, e.strerror))
        code = generate(args.plugin, template, regs)
    except ScanError as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return 1
    # Written next to the output and renamed: a failed run leaves no
    # half-written plugin.c that a later build would take as up to date.
    tmp = args.output + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(code)
        os.replace(tmp, args.output)
    except OSError as e:
        print("%s: %s: cannot write: %s" % (PROG, args.output, e.strerror), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
