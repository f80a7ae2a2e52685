"""The s2s state tables (spec/s2s_in.fsm, spec/s2s_out.fsm, spec/s2s_verify.fsm): structural
properties of the dialback rules that a table edit could break, checked row by row, plus the
generic checks the c2s table gets (references, generated lookup against the generator's own
resolution, refusal of a broken table) and the link to the composition model
(proofs/dialback.pml must define every guard and action of the three tables).

Run:  /usr/bin/python3 -m pytest -q tests/spec/test_s2s_tables.py      (stdlib + pytest; gcc)

Each property is stated over the generator's resolution of every (state, event) pair
(fsmgen.load fills t.groups), so a row that applies through a `*` state or a class counts
where it applies, not only where it is written.
"""
import pathlib
import random
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GEN = ROOT / "spec" / "fsmgen.py"
PY = "/usr/bin/python3"
sys.path.insert(0, str(ROOT / "spec"))
import fsmgen  # noqa: E402

TABLES = ("s2s_in", "s2s_out", "s2s_verify")
CFLAGS = ["-std=c11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-Werror", "-Wshadow",
          "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wcast-qual", "-Wundef"]

# The same pattern tests/spec/test_c2s_relation.py asks of every c2s row.
REFERENCE_SOURCE = re.compile(
    r"RFC ?\d{4} +(§ ?\d|[Aa]ppendix|App\.)|XEP-\d{4}|CVE-\d{4}-\d{4,}|protocol-notes|DESIGN\.md")

# Actions after which the stream is over with an error, or that refuse what arrived.
REFUSING = {"stream_error", "tls_failure", "drop", "sasl_failure"}


def load(name):
    t, warnings = fsmgen.load(str(ROOT / "spec" / f"{name}.fsm"))
    assert not warnings, warnings
    return t


@pytest.fixture(scope="module")
def tables():
    return {n: load(n) for n in TABLES}


def names(row):
    return [a for a, _ in row.actions]


def where(r):
    return f"{r.state} | {r.events_text} (line {r.line})"


def pairs(t, events=None, states=None):
    """(state, event, rows) for every pair of the alphabet, as the table resolves it."""
    for s in t.state_names:
        if states is not None and s not in states:
            continue
        for e in t.event_names:
            if events is not None and e not in events:
                continue
            yield s, e, t.groups[(s, e)]


def guarded_by(row, guard):
    return row.guard == (guard, False)


# ------------------------------------------------------------------ generic, every table

@pytest.mark.parametrize("name", TABLES)
def test_every_row_cites_a_source(name):
    t = load(name)
    bad = [f"line {r.line}: {r.ref}" for r in t.rows if not REFERENCE_SOURCE.search(r.ref)]
    assert not bad, "rows whose REFERENCE cites no RFC section, XEP, CVE, protocol-notes or DESIGN.md:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", TABLES)
def test_every_declared_guard_and_action_is_used(name):
    t = load(name)
    used_g = {r.guard[0] for r in t.rows if r.guard}
    used_a = {a for r in t.rows for a in names(r)}
    assert set(t.guard_order) - used_g == set(), "declared guards no row tests"
    assert set(t.action_order) - used_a == set(), "declared actions no row runs"


@pytest.mark.parametrize("name", TABLES)
def test_closed_is_terminal_and_silent(name):
    t = load(name)
    for s, e, rows in pairs(t, states=["CLOSED"]):
        for r in rows:
            assert r.next in ("CLOSED", "="), where(r)
            assert not set(names(r)) & {"stream_error", "close_stream", "send_header", "route",
                                        "send_stanza", "set_pair_valid", "add_pending"}, where(r)


@pytest.mark.parametrize("name", TABLES)
def test_nothing_is_read_during_the_tls_handshake(name):
    """RFC 3920 §5.2 step 5: in TLS_HS every element event ends the stream without a byte."""
    t = load(name)
    shell = {e for e, m, _ in t.events if m.startswith("shell:")}
    for s, e, rows in pairs(t, states=["TLS_HS"]):
        if e in shell:
            continue
        assert [names(r) for r in rows] in ([["drop"]], [["drop", "bounce_all"]],
                                            [["drop", "report_error_all"]]), (e, [where(r) for r in rows])


@pytest.mark.parametrize("name", TABLES)
def test_generator_refuses_the_table_without_a_row(tmp_path, name):
    """The global TIMEOUT row removed: the header states have no row for TIMEOUT any more."""
    text = (ROOT / "spec" / f"{name}.fsm").read_text(encoding="utf-8")
    broken = re.sub(r"^\* +\| TIMEOUT +\|.*\n", "", text, flags=re.M)
    assert broken != text
    path = tmp_path / f"{name}.fsm"
    path.write_text(broken, encoding="utf-8")
    p = subprocess.run([PY, str(GEN), "--out", str(tmp_path / "out"), str(path)],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert re.search(r"not total: state WAIT_HDR has no row for .*TIMEOUT", p.stderr), p.stderr
    assert not (tmp_path / "out").exists()


def test_generator_refuses_a_correlation_guard_without_its_fallback(tmp_path):
    """Deleting the row that drops unmatched answers leaves (WAIT_ANSWER, DB_VERIFY_VALID) ending
    in a guarded row: the generator refuses it (a table cannot silently lose its default)."""
    text = (ROOT / "spec" / "s2s_verify.fsm").read_text(encoding="utf-8")
    broken = re.sub(r"^WAIT_ANSWER +\| @answer .*\n", "", text, flags=re.M)
    assert broken != text
    path = tmp_path / "s2s_verify.fsm"
    path.write_text(broken, encoding="utf-8")
    p = subprocess.run([PY, str(GEN), "--out", str(tmp_path / "out"), str(path)],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "(WAIT_ANSWER, DB_VERIFY_VALID): the last row is guarded" in p.stderr, p.stderr


@pytest.mark.parametrize("name", TABLES)
def test_lookup_agrees_with_the_generator_resolution(tmp_path, name):
    """The compiled lookup, for every (state, event) and out-of-range inputs, under the empty and
    the full guard mask, every one-bit and one-hole mask, and 48 fixed pseudo-random masks."""
    t = load(name)
    n_g = len(t.guard_order)
    full = (1 << n_g) - 1
    rnd = random.Random(6)
    masks = sorted({0, full} | {1 << i for i in range(n_g)} | {full ^ (1 << i) for i in range(n_g)}
                   | {rnd.randrange(1 << n_g) for _ in range(48)})
    P = f"XC_{name.upper()}"
    probe = tmp_path / "probe.c"
    probe.write_text(textwrap.dedent(f"""\
        #include <stdio.h>
        #include "gen/xc_{name}_table.h"
        static const uint32_t masks[] = {{ {", ".join(f"{m}u" for m in masks)} }};
        int main(void) {{
            for (unsigned s = 0; s <= {P}_S_COUNT; s++)
                for (unsigned e = 0; e <= {P}_E_COUNT; e++)
                    for (unsigned i = 0; i < sizeof masks / sizeof masks[0]; i++)
                        printf("%u %u %u %u\\n", s, e, (unsigned)masks[i],
                               (unsigned)xc_{name}_lookup((xc_{name}_state)s, (xc_{name}_event)e, masks[i]));
            return 0;
        }}
        """))
    exe = tmp_path / "probe"
    c = subprocess.run(["gcc", *CFLAGS, f"-I{ROOT / 'src' / 'core'}", str(probe),
                        str(ROOT / "src" / "core" / "gen" / f"xc_{name}_table.c"), "-o", str(exe)],
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
            if r.guard is None or bool(m & (1 << t.guard_order.index(r.guard[0]))) != r.guard[1]:
                want = r
                break
        assert t.rows[idx] is want, f"({states[s]}, {events[e]}, mask {m}): row {t.rows[idx].line}, want {want.line}"
        checked += 1
    assert checked == len(states) * len(events) * len(masks)


# ------------------------------------------------------------------ s2s_in: the receiving server

IN_PAIR_ACTIONS = {"add_pending", "request_verify", "set_pair_valid", "drop_pair", "set_sasl_authed", "route"}
IN_TYPED = ["DB_RESULT_VALID", "DB_RESULT_INVALID", "DB_RESULT_ERROR",
            "DB_VERIFY_VALID", "DB_VERIFY_INVALID", "DB_VERIFY_ERROR"]


def test_in_typed_answers_and_verify_requests_change_no_pair(tables):
    """CVE-2012-3525 (protocol-notes CVE-3, CVE-5): a typed db:result/db:verify on an inbound
    stream, and an untyped db:verify (role d), run no action that touches a pair, and never
    authenticate the stream."""
    t = tables["s2s_in"]
    for s, e, rows in pairs(t, events=IN_TYPED + ["DB_VERIFY", "DB_VERIFY_HOST_UNKNOWN"]):
        for r in rows:
            assert not set(names(r)) & IN_PAIR_ACTIONS, where(r)
            assert r.next not in ("AUTHED", "DIALBACK") or r.next == s or r.next == "=", where(r)
    for s, e, rows in pairs(t, events=IN_TYPED):
        for r in rows:
            assert names(r) == [] or set(names(r)) <= REFUSING | {"stream_error"}, where(r)


def test_in_stanzas_are_refused_before_a_pair_is_valid(tables):
    """CVE-6, RFC 3920 §8.3 step 10, §4.3: outside AUTHED every stanza row refuses."""
    t = tables["s2s_in"]
    for s, e, rows in pairs(t, events=["STANZA", "STANZA_NO_ADDR"]):
        if s in ("AUTHED", "CLOSED", "TLS_HS"):
            continue
        for r in rows:
            assert "route" not in names(r), where(r)
            assert "stream_error" in names(r) and r.next == "CLOSED", where(r)


def test_in_route_only_for_a_pair_valid_on_this_stream(tables):
    t = tables["s2s_in"]
    for r in t.rows:
        if "route" in names(r):
            assert r.state == "AUTHED" and r.events == ["STANZA"] and guarded_by(r, "pair_valid"), where(r)
    rows = t.groups[("AUTHED", "STANZA")]
    assert guarded_by(rows[0], "pair_valid") and names(rows[0]) == ["route"]
    assert all("stream_error" in names(r) for r in rows[1:])


def test_in_a_pair_becomes_valid_only_on_its_own_verify_outcome(tables):
    t = tables["s2s_in"]
    for r in t.rows:
        if "set_pair_valid" in names(r):
            assert r.events == ["VERIFY_VALID"] and guarded_by(r, "pair_pending"), where(r)
            assert "send_result_valid" in names(r)
    for s, e, rows in pairs(t, events=["VERIFY_VALID", "VERIFY_INVALID", "VERIFY_ERROR"]):
        for r in rows:
            if set(names(r)) & {"set_pair_valid", "drop_pair"}:
                assert guarded_by(r, "pair_pending") or any(
                    guarded_by(q, "pair_pending") or q.guard == ("pair_pending", True)
                    for q in rows[:rows.index(r)]), where(r)


def test_in_pending_only_on_an_untyped_result_after_policy(tables):
    """A pair is recorded only on an untyped db:result, always with its verify request, and
    only after the federation policy (sender_refused) was applied: no dial for a refused peer."""
    t = tables["s2s_in"]
    for s, e, rows in pairs(t):
        for i, r in enumerate(rows):
            if "add_pending" in names(r):
                assert e == "DB_RESULT", where(r)
                assert names(r) == ["add_pending", "request_verify"], where(r)
                assert any(q.guard == ("sender_refused", False) for q in rows[:i]), where(r)
                assert any(q.guard == ("verify_cap", False) for q in rows[:i]), where(r)


def test_in_authed_is_entered_only_by_a_verified_pair_or_sasl(tables):
    t = tables["s2s_in"]
    for r in t.rows:
        if r.next == "AUTHED" and r.state not in ("AUTHED", "*"):
            assert "set_pair_valid" in names(r) or r.state == "WAIT_HDR_SASL", where(r)
    for r in t.rows:
        if r.next == "WAIT_HDR_SASL":
            assert guarded_by(r, "cert_ok") and "set_sasl_authed" in names(r), where(r)


def test_in_dialback_waits_for_encryption_unless_allowed(tables):
    """Issue 6: dialback without TLS only if the operator allows it."""
    t = tables["s2s_in"]
    rows = t.groups[("FEAT_PLAIN", "DB_RESULT")]
    assert rows[0].guard == ("plain_dialback", True) and "stream_error" in names(rows[0])
    rows = t.groups[("WAIT_HDR", "HDR_NO_VERSION")]
    i = [r.guard for r in rows].index(("plain_dialback", False))
    assert rows[i].next == "DIALBACK" and all(r.next == "CLOSED" for r in rows if r is not rows[i])


# ------------------------------------------------------------------ s2s_out: the initiating server

def test_out_stanzas_are_written_only_for_valid_pairs(tables):
    """XEP-0220 §2.1.1, CVE-7: send_stanza only under pair_ready; flush_queue only right after
    set_pair_valid (itself only under result_requested) or after SASL EXTERNAL's restart."""
    t = tables["s2s_out"]
    for r in t.rows:
        a = names(r)
        if "send_stanza" in a:
            assert r.events == ["OUT_STANZA"] and guarded_by(r, "pair_ready"), where(r)
        if "flush_queue" in a:
            assert (a[:2] == ["set_pair_valid", "flush_queue"] and guarded_by(r, "result_requested")) \
                or r.state == "FEAT_AUTHED", where(r)
        if "set_pair_valid" in a:
            assert r.events == ["DB_RESULT_VALID"] and guarded_by(r, "result_requested"), where(r)
    for r in t.rows:
        if r.next == "READY" and r.state not in ("READY", "*"):
            assert "flush_queue" in names(r), where(r)


def test_out_unsolicited_answers_change_nothing(tables):
    """CVE-2012-3525 (protocol-notes CVE-2): every typed answer not guarded by result_requested
    is ignored in every state."""
    t = tables["s2s_out"]
    typed = ["DB_RESULT_VALID", "DB_RESULT_INVALID", "DB_RESULT_ERROR",
             "DB_VERIFY_VALID", "DB_VERIFY_INVALID", "DB_VERIFY_ERROR"]
    for s, e, rows in pairs(t, events=typed):
        if s in ("CLOSED", "CONNECTING", "TLS_HS"):     # no XML is read there at all
            continue
        last = rows[-1]
        assert names(last) == [] and last.next in ("=", s), where(last)
        for r in rows[:-1]:
            assert guarded_by(r, "result_requested") and e.startswith("DB_RESULT"), where(r)


def test_out_nothing_is_lost_when_the_stream_ends(tables):
    """DESIGN.md 'Nothing lost': every row that ends a live outbound stream bounces the queue,
    and a stanza is always sent, queued or bounced."""
    t = tables["s2s_out"]
    for s, e, rows in pairs(t):
        for r in rows:
            if s != "CLOSED" and r.next == "CLOSED":
                assert "bounce_all" in names(r), where(r)
    for s, e, rows in pairs(t, events=["OUT_STANZA"]):
        for r in rows:
            assert set(names(r)) & {"send_stanza", "queue_stanza", "bounce_stanza"}, where(r)


def test_out_sasl_external_only_with_a_verified_certificate(tables):
    t = tables["s2s_out"]
    for r in t.rows:
        if "send_auth_external" in names(r):
            assert guarded_by(r, "external_usable"), where(r)
    rows = t.groups[("WAIT_FEAT", "FEATURES")]
    assert [r.guard for r in rows] == [("starttls_offered", False), ("tls_required", False),
                                       ("external_usable", False), ("dialback_usable", False), None]


# ------------------------------------------------------------------ s2s_verify: the verify client

def test_verify_reports_only_matched_answers(tables):
    """CVE-2012-3525 (protocol-notes CVE-1), XEP-0220 §2.1.2: an answer is reported only when it
    matches a request sent on this connection; any other typed answer is dropped."""
    t = tables["s2s_verify"]
    for r in t.rows:
        if set(names(r)) & {"report_valid", "report_invalid", "report_error"}:
            assert r.state == "WAIT_ANSWER" and guarded_by(r, "answer_matches"), where(r)
            assert len(r.events) == 1 and r.events[0].startswith("DB_VERIFY_"), where(r)
    for s, e, rows in pairs(t, events=["DB_VERIFY_VALID", "DB_VERIFY_INVALID", "DB_VERIFY_ERROR"]):
        if s in ("CONNECTING", "TLS_HS"):                # no XML is read there at all
            continue
        assert names(rows[-1]) == [] and rows[-1].next in ("=", s), where(rows[-1])


def test_verify_every_request_ends_in_a_report(tables):
    """Every row that ends a live verify connection reports its requests (XEP-0220 §2.1.2:
    'SHOULD be considered failed'), except the idle close, which runs only with none pending."""
    t = tables["s2s_verify"]
    for s, e, rows in pairs(t):
        for i, r in enumerate(rows):
            if s == "CLOSED" or r.next != "CLOSED":
                continue
            if "report_error_all" in names(r):
                continue
            assert e == "IDLE" and any(guarded_by(q, "requests_pending") for q in rows[:i]), where(r)
    assert names(t.groups[("CLOSED", "VERIFY_REQUEST")][0]) == ["fail_request"]


def test_verify_keys_never_leave_in_the_clear_unless_allowed(tables):
    t = tables["s2s_verify"]
    for s, e, rows in pairs(t):
        for i, r in enumerate(rows):
            if "send_queued" in names(r) and s != "WAIT_ANSWER":
                assert s == "WAIT_HDR" or any(q.guard == ("plain_refused", False) for q in rows[:i]), where(r)
                if s == "WAIT_HDR":
                    assert any(q.guard == ("plain_refused", False) for q in rows[:i]), where(r)


# ------------------------------------------------------------------ the composition model

def test_the_composition_harness_defines_every_guard_and_action(tables):
    harness = (ROOT / "proofs" / "dialback.pml").read_text(encoding="utf-8")
    defined_g = set(re.findall(r"^#define\s+(s2s_[a-z]+_G_[a-z0-9_]+)\b", harness, re.M))
    defined_a = set(re.findall(r"^inline\s+(s2s_[a-z]+_A_[a-z0-9_]+)\(", harness, re.M))
    want_g = {f"{m}_G_{g}" for m, t in tables.items() for g in t.guard_order}
    want_a = {f"{m}_A_{a}" for m, t in tables.items() for a in t.action_order}
    assert want_g - defined_g == set(), "guards the harness does not define"
    assert want_a - defined_a == set(), "actions the harness does not define"
    assert defined_g - want_g == set(), "harness guards no table has"
    assert defined_a - want_a == set(), "harness actions no table has"


@pytest.mark.parametrize("name", TABLES)
def test_compose_fragment_runs_each_row_from_one_place(tmp_path, name):
    t = load(name)
    out = tmp_path / f"{name}.compose.pml"
    for target in (out, tmp_path / "again.pml"):
        p = subprocess.run([PY, str(GEN), "--compose", str(target), str(ROOT / "spec" / f"{name}.fsm")],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    text = out.read_text(encoding="utf-8")
    assert text == (tmp_path / "again.pml").read_text(encoding="utf-8")
    for r in t.rows:
        assert text.count(f":: row == {r.line} -> {name}_row_{r.line}()") == 1
        assert text.count(f"inline {name}_row_{r.line}()") == 1
    assert not list(tmp_path.glob("src")), "--compose writes nothing else"


@pytest.mark.parametrize("mutant", sorted(p.name for p in (ROOT / "proofs" / "mutants_spin").glob("s2s_*.sed")))
def test_s2s_mutants_apply_and_stay_generatable(tmp_path, mutant):
    m = (ROOT / "proofs" / "mutants_spin" / mutant).read_text(encoding="utf-8")
    fsm = re.search(r"^# fsm: *(\S+)", m, re.M).group(1)
    models = (re.search(r"^# models: *(.+)$", m, re.M) or [None, pathlib.Path(fsm).stem])[1].split()
    assert set(models) <= {pathlib.Path(fsm).stem, "dialback"}
    copy = tmp_path / pathlib.Path(fsm).name
    p = subprocess.run(["sed", "-f", str(ROOT / "proofs" / "mutants_spin" / mutant), str(ROOT / fsm)],
                       capture_output=True, text=True, check=True)
    assert p.stdout != (ROOT / fsm).read_text(encoding="utf-8"), "the edit does not apply"
    assert p.stdout.count("\n") == (ROOT / fsm).read_text(encoding="utf-8").count("\n"), \
        "a mutant keeps the table's line numbers (counterexamples name them)"
    copy.write_text(p.stdout, encoding="utf-8")
    g = subprocess.run([PY, str(GEN), "--allow-unreachable-states", "--pml", str(tmp_path / "m.pml"), str(copy)],
                       capture_output=True, text=True)
    assert g.returncode == 0, g.stderr
