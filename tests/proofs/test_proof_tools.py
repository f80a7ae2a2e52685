"""The helpers proofs/run.sh uses to select functions by file and to merge its two passes.

A selection by name is wrong as soon as two files define a static function of the same name:
Frama-C renames all but the first (step, step_0, ...), and -wp-fct / -wp-skip-fct select every
function of that source name. That is how the s2s skip list once skipped the c2s engine's step,
finish and run_action, and how pass B once ran the s2s engines' and the parser's step with the
c2s engine's. So a static's name is its own, and a namesake stops the run.
"""
import csv
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "proofs"))

from functions_of import functions_of  # noqa: E402

C_SOURCE = """/*@ assigns \\nothing; */
static int step(int x)
{
    return x;
}

int {public}(int x)
{
    return step(x);
}
"""

HEADER = ["directory", "file", "line", "function", "property kind", "status", "property"]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)


def make_sources(tmp_path):
    a = tmp_path / "a.c"
    b = tmp_path / "b.c"
    a.write_text(C_SOURCE.replace("{public}", "a_entry"))
    b.write_text(C_SOURCE.replace("{public}", "b_entry"))
    names = tmp_path / "names.csv"
    write_csv(names, [
        ["src/core", "a.c", "2", "step", "assigns clause", "Never tried", "assigns \\nothing;"],
        ["src/core", "b.c", "2", "step_0", "assigns clause", "Never tried", "assigns \\nothing;"],
        # the external functions' contracts sit in headers; their bodies have no annotation
        ["src/core", "a.h", "5", "a_entry", "postcondition", "Never tried", "\\result == x"],
        ["src/core", "b.h", "5", "b_entry", "postcondition", "Never tried", "\\result == x"],
    ])
    return str(a), str(b), str(names)


def stops_the_run(names, files, words):
    try:
        functions_of(names, files)
    except SystemExit as e:
        assert words in str(e)
    else:
        raise AssertionError(f"functions_of selected {files} and did not stop")


def test_static_with_a_namesake_stops_the_run_from_either_file(tmp_path):
    a, b, names = make_sources(tmp_path)
    stops_the_run(names, [b], "has a namesake in a.c")
    stops_the_run(names, [a], "has a namesake in b.c")


def test_static_of_its_own_name_is_selected(tmp_path):
    a, _, _ = make_sources(tmp_path)
    names = tmp_path / "own.csv"
    write_csv(names, [
        ["src/core", "a.c", "2", "step", "assigns clause", "Never tried", "assigns \\nothing;"],
        ["src/core", "a.h", "5", "a_entry", "postcondition", "Never tried", "\\result == x"],
    ])
    assert functions_of(str(names), [a]) == ["a_entry", "step"]


def test_unknown_function_stops_the_run(tmp_path):
    a, _, _ = make_sources(tmp_path)
    names = tmp_path / "empty.csv"
    write_csv(names, [])
    stops_the_run(str(names), [a], "cannot tell which")


def test_merge_takes_pass_b_for_its_functions_only(tmp_path):
    a_csv, b_csv = tmp_path / "a.csv", tmp_path / "b.csv"
    write_csv(a_csv, [
        ["src/core", "x.c", "3", "parse", "assertion", "Valid", "rte"],
        ["src/core", "e.c", "9", "step", "assertion", "Dead", "rte"],
    ])
    write_csv(b_csv, [
        ["src/core", "x.c", "3", "parse", "assertion", "Unknown", "rte"],
        ["src/core", "e.c", "9", "step", "assertion", "Valid", "rte"],
    ])
    out = subprocess.run([sys.executable, os.path.join(ROOT, "proofs", "merge_reports.py"), str(a_csv),
                          str(b_csv), "step"], capture_output=True, text=True, check=True).stdout
    rows = list(csv.DictReader(out.splitlines(), delimiter="\t"))
    assert [(r["function"], r["status"]) for r in rows] == [("parse", "Valid"), ("step", "Valid")]
