"""spec/fsmgen.py: the generator refuses broken tables, and what is committed is what it writes.

Run:  /usr/bin/python3 -m pytest -q tests/spec/test_fsmgen.py      (stdlib + pytest; gcc, dot)

Small tables are written to tmp_path; each refusal must exit 1 and name the file and line of
the offending declaration or row. The last tests regenerate every spec/*.fsm and compare the
outputs byte for byte with the committed files, and compile the generated lookup into a probe
that checks it against the generator's own resolution for every state, event and guard mask.
"""
import glob
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GEN = ROOT / "spec" / "fsmgen.py"
PY = "/usr/bin/python3"
sys.path.insert(0, str(ROOT / "spec"))
import fsmgen  # noqa: E402

CFLAGS = ["-std=c11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-Werror", "-Wshadow",
          "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wcast-qual", "-Wundef"]

HEAD = """\
machine toy
state A "first"
state B "second"
state Z "closed"
event X "x arrives"
event Y "y arrives"
event Q "shell: a result"
class @xy X Y
guard g "a data check"  pml: nondet
guard h "a policy"  pml: h_on
action go "go on"  pml: skip
action fail(se) "stream error"  pml: closed = 1
action deny(st,sc) "stanza error"  pml: skip
"""

GOOD_ROWS = """\
* | Q | - | fail(internal-server-error) | Z | global
A | X | g | go | B | r1
A | X | !h | deny(cancel,not-allowed) | = | r2
A | X | - | fail(bad-format) | Z | r3
B | * | - | go | A | r4
A | Y | - | go | = | r5
Z | * | - | - | Z | r6
"""


def write(tmp_path, rows, head=HEAD, name="toy.fsm"):
    path = tmp_path / name
    path.write_text(head + rows, encoding="utf-8")
    return path


def run(*args):
    return subprocess.run([PY, str(GEN), *map(str, args)], capture_output=True, text=True)


def refused(tmp_path, rows, head=HEAD):
    """Runs the generator on a table that must be refused; returns its message."""
    path = write(tmp_path, rows, head)
    p = run("--out", tmp_path / "out", path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert not (tmp_path / "out").exists(), "a refused table must not write anything"
    return p.stderr


def line_of(text, needle):
    for n, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_good_table_generates_c_that_compiles(tmp_path):
    path = write(tmp_path, GOOD_ROWS)
    p = run("--out", tmp_path / "out", path)
    assert p.returncode == 0, p.stderr
    gen = tmp_path / "out" / "src" / "core" / "gen"
    assert (gen / "xc_toy_table.h").is_file()
    assert (tmp_path / "out" / "spec" / "toy.svg").is_file()
    assert (tmp_path / "out" / "spec" / "toy.pml").is_file()
    c = subprocess.run(["gcc", *CFLAGS, f"-I{ROOT / 'src' / 'core'}", "-c",
                        str(gen / "xc_toy_table.c"), "-o", str(tmp_path / "t.o")],
                       capture_output=True, text=True)
    assert c.returncode == 0, c.stderr
    h = (gen / "xc_toy_table.h").read_text()
    assert "XC_TOY_S_A = 0," in h and "XC_TOY_E_COUNT" in h and "#define XC_TOY_ROWS 7u" in h


def test_precedence_state_event_then_state_star_then_star_event(tmp_path):
    t, _ = fsmgen.load(str(write(tmp_path, GOOD_ROWS)))
    lines = lambda s, e: [r.line for r in t.groups[(s, e)]]  # noqa: E731
    text = HEAD + GOOD_ROWS
    assert lines("A", "X") == [line_of(text, "r1"), line_of(text, "r2"), line_of(text, "r3")]
    assert lines("A", "Q") == [line_of(text, "global")]       # (*, event)
    assert lines("B", "Q") == [line_of(text, "r4")]           # (state, *) beats (*, event)
    assert lines("Z", "X") == [line_of(text, "r6")]


def test_refuses_a_table_that_is_not_total(tmp_path):
    rows = GOOD_ROWS.replace("A | Y | - | go | = | r5\n", "")
    msg = refused(tmp_path, rows)
    assert f"toy.fsm:{line_of(HEAD, 'state A')}: not total: state A has no row for Y" in msg


def test_refuses_a_row_shadowed_by_an_earlier_unguarded_row(tmp_path):
    rows = GOOD_ROWS.replace("A | Y | - | go | = | r5\n",
                             "A | Y | - | go | = | r5\nA | @xy | g | go | B | late\n")
    msg = refused(tmp_path, rows)
    ln = line_of(HEAD + rows, "late")
    assert f"toy.fsm:{ln}: unreachable row for (A, X), (A, Y)" in msg


def test_refuses_a_guarded_row_after_the_unguarded_one(tmp_path):
    rows = GOOD_ROWS.replace("A | X | - | fail(bad-format) | Z | r3\n",
                             "A | X | - | fail(bad-format) | Z | r3\nA | X | h | go | B | after\n")
    msg = refused(tmp_path, rows)
    assert f"toy.fsm:{line_of(HEAD + rows, 'after')}: unreachable row for (A, X)" in msg


def test_refuses_a_star_row_that_applies_to_no_pair(tmp_path):
    rows = GOOD_ROWS + "* | Y | - | go | = | never\n"    # A, B and Z all have their own row
    msg = refused(tmp_path, rows)
    assert f"toy.fsm:{line_of(HEAD + rows, 'never')}: unreachable row: every (state, event)" in msg


def test_refuses_a_group_whose_last_row_is_guarded(tmp_path):
    rows = GOOD_ROWS.replace("A | Y | - | go | = | r5", "A | Y | g | go | = | r5")
    msg = refused(tmp_path, rows)
    assert f"toy.fsm:{line_of(HEAD + rows, 'r5')}: (A, Y): the last row is guarded" in msg


def test_refuses_a_guard_tested_twice_in_one_group(tmp_path):
    rows = GOOD_ROWS.replace("A | X | !h |", "A | X | !g |")
    msg = refused(tmp_path, rows)
    assert f"toy.fsm:{line_of(HEAD + rows, 'r2')}: (A, X) tests guard g twice" in msg


@pytest.mark.parametrize("old,new,reason", [
    ("A | Y | - | go | = | r5", "C | Y | - | go | = | r5", "undeclared state 'C'"),
    ("A | Y | - | go | = | r5", "A | Y, W | - | go | = | r5", "undeclared event 'W'"),
    ("A | Y | - | go | = | r5", "A | @yx | - | go | = | r5", "undeclared class '@yx'"),
    ("A | Y | - | go | = | r5", "A | Y | k | go | = | r5", "undeclared guard 'k'"),
    ("A | Y | - | go | = | r5", "A | Y | - | stop | = | r5", "undeclared action 'stop'"),
    ("A | Y | - | go | = | r5", "A | Y | - | go | C | r5", "undeclared next state 'C'"),
    ("A | Y | - | go | = | r5", "A | Y | - | fail | = | r5", "action fail takes 1 argument"),
    ("A | Y | - | go | = | r5", "A | Y | - | fail(no-such-error) | Z | r5",
     "action fail: 'no-such-error' names no se condition"),
    ("A | Y | - | go | = | r5", "A | Y | - | deny(cancel) | = | r5", "action deny takes 2 argument"),
    ("A | Y | - | go | = | r5", "A | Y | - | go | = |", "the REFERENCE column is empty"),
])
def test_refuses_undeclared_or_misspelled_names(tmp_path, old, new, reason):
    rows = GOOD_ROWS.replace(old, new)
    assert rows != GOOD_ROWS
    msg = refused(tmp_path, rows)
    assert f"toy.fsm:{line_of(HEAD + rows, new)}: {reason}" in msg, msg


def test_refuses_a_class_naming_an_undeclared_event(tmp_path):
    head = HEAD.replace("class @xy X Y", "class @xy X Y W")
    msg = refused(tmp_path, GOOD_ROWS, head)
    assert f"toy.fsm:{line_of(head, 'class @xy')}: class @xy: 'W' is not a declared event" in msg


def test_refuses_an_unreachable_state_unless_allowed(tmp_path):
    head = HEAD.replace('state Z "closed"', 'state Z "closed"\nstate L "lost"')
    rows = GOOD_ROWS + "L | * | - | go | A | lost row\n"
    msg = refused(tmp_path, rows, head)
    assert f"toy.fsm:{line_of(head, 'state L')}: state L is unreachable from A" in msg
    path = write(tmp_path, rows, head)
    p = run("--allow-unreachable-states", "--pml", tmp_path / "m.pml", path)
    assert p.returncode == 0 and "warning: state L is unreachable" in p.stderr


def test_outputs_are_deterministic(tmp_path):
    path = write(tmp_path, GOOD_ROWS)
    for d in ("o1", "o2"):
        assert run("--out", tmp_path / d, path).returncode == 0
    for f in sorted((tmp_path / "o1").rglob("*")):
        if f.is_file():
            assert f.read_bytes() == (tmp_path / "o2" / f.relative_to(tmp_path / "o1")).read_bytes()


def test_committed_outputs_equal_a_fresh_generation(tmp_path):
    tables = sorted(glob.glob(str(ROOT / "spec" / "*.fsm")))
    assert tables
    p = run("--out", tmp_path, *tables)
    assert p.returncode == 0, p.stderr
    fresh = sorted(f.relative_to(tmp_path) for f in tmp_path.rglob("*") if f.is_file())
    assert fresh
    for rel in fresh:
        committed = ROOT / rel
        assert committed.is_file(), f"{rel} is generated but not committed (make gen)"
        assert committed.read_bytes() == (tmp_path / rel).read_bytes(), \
            f"{rel} differs from a fresh generation: run make gen"
    stale = {p.relative_to(ROOT) for p in (ROOT / "src" / "core" / "gen").iterdir()} - set(fresh)
    assert not stale, f"src/core/gen holds files no table generates: {sorted(map(str, stale))}"


def test_c2s_lookup_agrees_with_the_generator_resolution(tmp_path):
    """Every (state, event, guard mask) and out-of-range inputs, through the compiled lookup."""
    t, _ = fsmgen.load(str(ROOT / "spec" / "c2s.fsm"))
    n_g = len(t.guard_order)
    probe = tmp_path / "probe.c"
    probe.write_text(textwrap.dedent(f"""\
        #include <stdio.h>
        #include "gen/xc_c2s_table.h"
        int main(void) {{
            for (unsigned s = 0; s <= XC_C2S_S_COUNT; s++)
                for (unsigned e = 0; e <= XC_C2S_E_COUNT; e++)
                    for (uint32_t m = 0; m < (1u << {n_g}); m++)
                        printf("%u %u %u %u\\n", s, e, (unsigned)m,
                               (unsigned)xc_c2s_lookup((xc_c2s_state)s, (xc_c2s_event)e, m));
            return 0;
        }}
        """))
    exe = tmp_path / "probe"
    c = subprocess.run(["gcc", *CFLAGS, f"-I{ROOT / 'src' / 'core'}", str(probe),
                        str(ROOT / "src" / "core" / "gen" / "xc_c2s_table.c"), "-o", str(exe)],
                       capture_output=True, text=True)
    assert c.returncode == 0, c.stderr
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split("\n")
    states, events = t.state_names, t.event_names
    checked = 0
    for line in filter(None, out):
        s, e, m, idx = map(int, line.split())
        assert idx < len(t.rows)
        if s >= len(states) or e >= len(events):
            continue
        want = None
        for r in t.groups[(states[s], events[e])]:
            if r.guard is None:
                want = r
                break
            bit = bool(m & (1 << t.guard_order.index(r.guard[0])))
            if bit != r.guard[1]:
                want = r
                break
        assert t.rows[idx] is want, f"({states[s]}, {events[e]}, mask {m}): row {t.rows[idx].line}, want {want.line}"
        checked += 1
    assert checked == len(states) * len(events) * (1 << n_g)
