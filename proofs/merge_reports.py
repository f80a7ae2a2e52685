#!/usr/bin/env python3
"""Merges the two Frama-C reports of a whole-core run (proofs/run.sh).

argv: report_a.csv report_b.csv FUNCTIONS   (FUNCTIONS: comma-separated, pass B's functions)
Pass A (EVA, then WP) decides every function but pass B's; pass B (WP alone) decides its own,
whose properties pass A saw only as "Dead" (no EVA driver reaches them). Prints the merged
report on stdout.
"""
import csv
import sys


def main(a_path, b_path, functions):
    own = set(functions.split(","))
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    header = None
    for path, keep in ((a_path, lambda fn: fn not in own), (b_path, lambda fn: fn in own)):
        with open(path, encoding="utf-8") as f:
            rows = csv.reader(f, delimiter="\t")
            head = next(rows, None)
            if head is None:
                continue
            if header is None:
                header = head
                out.writerow(header)
            fn_col = head.index("function")
            for r in rows:
                if keep(r[fn_col]):
                    out.writerow(r)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3]))
