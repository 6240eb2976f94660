#!/usr/bin/env python3
"""Sorts the errors of one valgrind --xml=yes log into ours and not ours.

    vg-errors.py LOG.xml PLUGIN.so...

An error is ours when any frame of any of its stacks (where it happened,
where the block was allocated or freed, where the value was created) lies in
one of the given plugin files (matched by file name, in a folder named epan).
Prints every unsuppressed error, ours first, each with the suppression
valgrind generated for it (--gen-suppressions=all). Exit status: 0 when no
error is ours, 1 when one is, 2 on a log that is not valgrind XML.
"""
import os
import sys
import xml.etree.ElementTree as ET


def frame_text(frame):
    fn = frame.findtext("fn") or "???"
    where = frame.findtext("obj") or ""
    if frame.findtext("file"):
        where = "%s:%s" % (frame.findtext("file"), frame.findtext("line") or "?")
    return "%s (%s)" % (fn, where)


def main(argv):
    if len(argv) < 2:
        print("usage: vg-errors.py LOG.xml PLUGIN.so...", file=sys.stderr)
        return 2
    ours = {os.path.basename(p) for p in argv[2:]}
    try:
        root = ET.parse(argv[1]).getroot()
    except (OSError, ET.ParseError) as e:
        print("vg-errors: %s: %s" % (argv[1], e), file=sys.stderr)
        return 2
    if root.tag != "valgrindoutput":
        print("vg-errors: %s: not a valgrind XML log" % argv[1], file=sys.stderr)
        return 2

    def is_ours(frame):
        obj = frame.findtext("obj") or ""
        return os.path.basename(obj) in ours and os.path.basename(os.path.dirname(obj)) == "epan"

    found = []
    for error in root.iter("error"):
        frames = [f for stack in error.iter("stack") for f in stack.iter("frame")]
        mine = any(is_ours(f) for f in frames)
        what = error.findtext("what") or error.findtext("xwhat/text") or ""
        lines = ["%s %s: %s" % ("OURS" if mine else "not ours", error.findtext("kind"), what)]
        for child in error:
            if child.tag in ("auxwhat", "xauxwhat"):
                lines.append("  " + (child.findtext("text") if child.tag == "xauxwhat" else child.text or ""))
            elif child.tag == "stack":
                lines += ["    " + frame_text(f) for f in child.iter("frame")]
        raw = error.findtext("suppression/rawtext")
        if raw:
            lines.append(raw.strip("\n"))
        found.append((not mine, "\n".join(lines)))
    found.sort(key=lambda x: x[0])
    for _, text in found:
        print(text)
    n_ours = sum(1 for notmine, _ in found if not notmine)
    print("valgrind: %d errors in our plugins, %d elsewhere (not in the suppression file)"
          % (n_ours, len(found) - n_ours))
    return 1 if n_ours else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
