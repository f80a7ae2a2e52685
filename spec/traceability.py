#!/usr/bin/env python3
"""make traceability — the requirement matrix of spec/requirements.tsv, checked against tests/.

requirements.tsv columns (tab-separated, header line first):
  id  source  level  requirement  rfc6120  status  implemented_by  tests
status is implemented | superseded | planned. rfc6120 says how RFC 6120 treats the rule (the forms
are in RFC6120_FORMS below and in spec/README.md). `tests` is a comma-separated list of test names
(a C function `test_...` in tests/, or a pytest `test_...`). A test *names* a requirement with a
tag in a comment just above it (or on the same line), e.g.  /* REQ: XML-03, XML-04 */  or
# REQ: STR-15. Fails when:
  - an implemented requirement lists no test, or lists a test that does not exist;
  - a listed test does not carry the requirement's ID in its REQ tag;
  - a REQ tag anywhere in tests/ names an ID that requirements.tsv does not have;
  - an ID is duplicated, a status is unknown, or a superseded line does not name its decision;
  - the rfc6120 column is missing, or a cell is not one of the forms of RFC6120_FORMS.
Reader code keys every column by its header name, so the column order is free.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TSV = os.path.join(ROOT, "spec", "requirements.tsv")
TAG = re.compile(r"REQ:\s*([A-Z][A-Z0-9]*-[0-9A-Za-z]+(?:\s*,\s*[A-Z][A-Z0-9]*-[0-9A-Za-z]+)*)")
FUNC = re.compile(r"^\s*(?:static\s+)?(?:void|int)\s+(test_\w+)\s*\(|^\s*(?:async\s+)?def\s+(test_\w+)\s*\(")
STATUSES = {"implemented", "superseded", "planned"}
# The rfc6120 column: one of these forms, checked in this order (see spec/README.md).
#   same (RFC <n> §<section>...: where RFC 6120, or RFC 6122/6121 which it moved the rule to, states it)
#   changed: <how RFC 6120 changed it>; xmppd: <the behaviour xmppd follows, and what it accepts>
#   new in 6120 (<the RFC 6120 rule, or the XEP/DESIGN.md decision, that has no RFC 3920 counterpart>)
#   n/a (operational...)    xmppd's own operation (server features, configuration, tests): no RFC rule
RFC6120_FORMS = [
    ("same", re.compile(r"^same \(RFC \d+ (?:§|Appendix |App\. ).*\)$")),
    ("changed", re.compile(r"^changed: \S.*?; xmppd: \S.*$")),
    ("new in 6120", re.compile(r"^new in 6120 \(\S.*\)$")),
    ("n/a", re.compile(r"^n/a \(operational(?:[:;,] [^)]+)?\)$")),
]


def rfc6120_form(cell):
    """The name of the form the rfc6120 cell has, or None."""
    for name, rx in RFC6120_FORMS:
        if rx.match(cell):
            return name
    return None


def scan_tests():
    """Maps each test name to the set of IDs its REQ tags name, and collects every tag."""
    tests, tags = {}, []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "tests")):
        for name in sorted(files):
            if not name.endswith((".c", ".py", ".sh")):
                continue
            path = os.path.join(dirpath, name)
            pending = set()
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    for m in TAG.finditer(line):
                        ids = {i.strip() for i in m.group(1).split(",")}
                        pending |= ids
                        tags.append((os.path.relpath(path, ROOT), lineno, ids))
                    fm = FUNC.match(line)
                    if fm:
                        tname = fm.group(1) or fm.group(2)
                        tests.setdefault(tname, set()).update(pending)
                        pending = set()
    return tests, tags


def main():
    errors = []
    rows = []
    with open(TSV, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for lineno, line in enumerate(f, 2):
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != len(header):
                errors.append(f"requirements.tsv:{lineno}: {len(cols)} columns, want {len(header)}")
                continue
            rows.append(dict(zip(header, cols), lineno=lineno))
    if "rfc6120" not in header:
        errors.append("requirements.tsv:1: no rfc6120 column")
    tests, tags = scan_tests()
    ids = {}
    forms = {name: 0 for name, _ in RFC6120_FORMS}
    for r in rows:
        if r["id"] in ids:
            errors.append(f"requirements.tsv:{r['lineno']}: duplicate id {r['id']}")
        ids[r["id"]] = r
        if r["status"] not in STATUSES:
            errors.append(f"{r['id']}: unknown status {r['status']!r}")
        if "rfc6120" in r:
            form = rfc6120_form(r["rfc6120"].strip())
            if form is None:
                errors.append(f"{r['id']}: rfc6120 cell {r['rfc6120'][:60]!r} is none of: same (RFC 6120 §…), "
                              "changed: …; xmppd: …, new in 6120 (…), n/a (operational…)")
            else:
                forms[form] += 1
        listed = [t.strip() for t in r["tests"].split(",") if t.strip()]
        if r["status"] == "implemented":
            if not r["implemented_by"].strip():
                errors.append(f"{r['id']}: implemented but names nothing that implements it")
            if not listed:
                errors.append(f"{r['id']}: implemented but names no test")
        if r["status"] == "superseded" and "DESIGN" not in r["implemented_by"]:
            errors.append(f"{r['id']}: superseded without naming the DESIGN.md decision")
        for t in listed:
            if t not in tests:
                errors.append(f"{r['id']}: test {t} not found in tests/")
            elif r["id"] not in tests[t]:
                errors.append(f"{r['id']}: test {t} does not carry 'REQ: {r['id']}'")
    for path, lineno, tagged in tags:
        for i in sorted(tagged - ids.keys()):
            errors.append(f"{path}:{lineno}: REQ tag names unknown id {i}")

    width = max((len(r["id"]) for r in rows), default=4)
    print(f"{'id':<{width}}  {'level':<6} {'status':<11} tests  requirement")
    for r in rows:
        n = len([t for t in r["tests"].split(",") if t.strip()])
        print(f"{r['id']:<{width}}  {r['level']:<6} {r['status']:<11} {n:>5}  {r['requirement'][:70]}")
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in sorted(STATUSES)}
    print("traceability: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + f", {len(rows)} in all")
    print("rfc6120: " + ", ".join(f"{v} {k}" for k, v in forms.items())
          + f", {len(rows) - sum(forms.values())} invalid")
    for e in errors:
        print("traceability error: " + e)
    print(f"traceability: {len(rows) - len({e.split(':')[0] for e in errors})} passed, {len(errors)} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
