#!/usr/bin/env python3
"""Rewrites proofs/pending.tsv from the last whole-core run (argv[1], or build/proofs/report_ab.csv:
passes A and B merged, or build/proofs/report.csv when pass B did not run):
one line per function that still has unproved properties, with their number. A reason already
written for a function is kept; a new function gets the placeholder below, to be replaced by
a real reason before committing. Run it only to *lower* the debt after proving more."""
import collections
import csv
import sys

import os

path = sys.argv[1] if len(sys.argv) > 1 else next(
    p for p in ("build/proofs/report_ab.csv", "build/proofs/report.csv") if os.path.exists(p) or p.endswith("report.csv"))
old = {}
try:
    with open("proofs/pending.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fn, _, why = line.rstrip("\n").split("\t", 2)
            old[fn] = why
except OSError:
    pass
with open(path, encoding="utf-8") as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
bad = collections.Counter(r["function"] for r in rows
                          if not r["status"].startswith("Valid") and r["status"] != "Considered valid")
with open("proofs/pending.tsv", "w", encoding="utf-8") as f:
    f.write("# function\tunproved properties allowed\twhy they are not proved yet\n")
    for fn in sorted(bad):
        f.write(f"{fn}\t{bad[fn]}\t{old.get(fn, 'TODO: explain')}\n")
print(f"pending: {sum(bad.values())} properties in {len(bad)} functions")
