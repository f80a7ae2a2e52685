#!/usr/bin/env python3
"""Prints, comma-separated, the names Frama-C gives the functions some .c files define.

argv: names.csv FILE...   (names.csv: `frama-c <all core files> -rte -then -report-untried
-report-csv names.csv`, i.e. every property of every function with the file it sits in)

Frama-C links all of src/core into one program, so a static function whose name another file
also uses is renamed (step, step_0, step_1, ...). -wp-fct and -wp-skip-fct then select every
function of that source name, whichever name Frama-C gave it (measured: `-wp-fct step` ran both
step and step_0), so a selection by file would take other files' functions with it. Every
function of src/core therefore has a name of its own, and a renamed one stops the run here.
A function is found by its annotations: the rows of names.csv in its own file; a function with
no annotation in its body is external (its contract is in a header), and Frama-C never renames
those.
"""
import csv
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_contracts import defined_in  # noqa: E402


def kernel_names(names_csv):
    """file basename -> the function names that have a property in that file."""
    by_file = {}
    with open(names_csv, encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["file"] and r["function"]:
                by_file.setdefault(r["file"], set()).add(r["function"])
    return by_file


def functions_of(names_csv, files):
    by_file = kernel_names(names_csv)
    out = []
    for path in files:
        here = by_file.get(os.path.basename(path), set())
        for name in defined_in([path]):
            found = sorted(k for k in here if k == name or re.fullmatch(re.escape(name) + r"_\d+", k))
            if not found and any(name in names for names in by_file.values()):
                # no annotation in its body: an external function (its contract sits in a
                # header), and external names are never renamed
                found = [name]
            if len(found) != 1:
                sys.exit(f"functions_of: {path}: cannot tell which of {found or 'no function'} is {name}")
            same = re.compile(re.escape(name) + r"(_\d+)?")
            elsewhere = sorted(f for f, names in by_file.items()
                               if f.endswith(".c") and f != os.path.basename(path)
                               and any(same.fullmatch(k) for k in names))
            if found[0] != name or elsewhere:
                sys.exit(f"functions_of: {path}: the static function {name} has a namesake in "
                         f"{', '.join(elsewhere) or 'another file'} (Frama-C calls this one {found[0]}); "
                         f"a selection by name would take both, so give it a name of its own")
            out.append(found[0])
    return out


if __name__ == "__main__":
    print(",".join(functions_of(sys.argv[1], sys.argv[2:])))
