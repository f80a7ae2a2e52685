#!/usr/bin/env python3
"""make traceability — the requirement matrix of spec/requirements.tsv, checked against tests/.

requirements.tsv columns (tab-separated, header line first):
  id  source  level  requirement  status  implemented_by  tests
status is implemented | superseded | planned. `tests` is a comma-separated list of test names
(a C function `test_...` in tests/, or a pytest `test_...`). A test *names* a requirement with a
tag in a comment just above it (or on the same line), e.g.  /* REQ: XML-03, XML-04 */  or
# REQ: STR-15. Fails when:
  - an implemented requirement lists no test, or lists a test that does not exist;
  - a listed test does not carry the requirement's ID in its REQ tag;
  - a REQ tag anywhere in tests/ names an ID that requirements.tsv does not have;
  - an ID is duplicated, a status is unknown, or a superseded line does not name its decision.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TSV = os.path.join(ROOT, "spec", "requirements.tsv")
TAG = re.compile(r"REQ:\s*([A-Z][A-Z0-9]*-[0-9A-Za-z]+(?:\s*,\s*[A-Z][A-Z0-9]*-[0-9A-Za-z]+)*)")
FUNC = re.compile(r"^\s*(?:static\s+)?(?:void|int)\s+(test_\w+)\s*\(|^\s*(?:async\s+)?def\s+(test_\w+)\s*\(")
STATUSES = {"implemented", "superseded", "planned"}


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
    tests, tags = scan_tests()
    ids = {}
    for r in rows:
        if r["id"] in ids:
            errors.append(f"requirements.tsv:{r['lineno']}: duplicate id {r['id']}")
        ids[r["id"]] = r
        if r["status"] not in STATUSES:
            errors.append(f"{r['id']}: unknown status {r['status']!r}")
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
    for e in errors:
        print("traceability error: " + e)
    print(f"traceability: {len(rows) - len({e.split(':')[0] for e in errors})} passed, {len(errors)} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
