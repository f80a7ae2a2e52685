#!/usr/bin/python3
"""spec/fsmgen.py — turns a state table (spec/*.fsm) into code, a picture and a model.

    /usr/bin/python3 spec/fsmgen.py spec/c2s.fsm            writes, for `machine c2s`:
        src/core/gen/xc_c2s_table.h, src/core/gen/xc_c2s_table.c   the table and its lookup (C11)
        spec/c2s.svg                                               Graphviz picture (dot -Tsvg)
        spec/c2s.pml                                               Promela model (spin)
    --out DIR       write the same relative paths under DIR (make gen-check diffs DIR)
    --only c|svg|pml   write only those outputs (repeatable)
    --pml FILE      write the Promela model to FILE (implies --only pml; proofs/run_spin.sh)
    --compose FILE  write the table as a Promela fragment for a composition model (proofs/dialback.pml
                    includes the s2s tables' fragments; proofs/run_spin.sh generates them)
    --allow-unreachable-states   unreachable states are a warning, not an error (mutants)

The format is documented at the top of spec/c2s.fsm. The generator refuses (exit 1, one
`file:line: reason` per problem) a table that names anything undeclared, is not total, has a
(state, event) group whose last row is guarded, tests one guard twice in a group, has a row that
no (state, event) pair can reach, or has a state the first declared state cannot reach.

Resolution of a (state, event) pair, the one rule that the C lookup, the model and the checks
share (resolve()):  the rows naming (state, event) if any, else the rows naming (state, *), else
(*, event), else (*, *); those rows are tried in file order and the last must be unguarded.

Everything written is a pure function of the .fsm file (and of the Graphviz version for the
SVG, whose version comment is stripped), so `make gen-check` can diff it byte for byte.
Standard library only.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Argument kinds of actions: the C enumerator prefix and the header that declares it.
ARG_KINDS = {
    "se": ("XC_SE_", "src/core/xc_stream_error.h"),
    "sf": ("XC_SF_", "src/core/xc_sasl_failure.h"),
    "st": ("XC_STZ_T_", "src/core/xc_stanza_error.h"),
    "sc": ("XC_STZ_", "src/core/xc_stanza_error.h"),
}

# Actions after which the stream is over on an error path: drawn as dashed grey edges.
ERROR_ACTIONS = ("stream_error", "tls_failure", "drop")

# The model's environment: what the Promela model knows about a machine that the table does not
# say. Every entry is optional; a machine without an entry gets the plain table model.
#   per_step      statements run after the event is chosen, before the row
#   injector      event after which an attacker may have piggy-backed bytes in the same read:
#                 sets `injected` nondeterministically; an element event processed in a state
#                 outside `quiet_states` afterwards asserts !injected
#   consumes      variable set to 0 whenever an element (non-shell) event is processed
#   on_entry      state -> assertion checked by every row that enters the state from another one
#   invariants    assertions checked after every row
#   state_vars    variables that guards read but that are stream state, not policy: they start
#                 false (every other variable a guard reads starts nondeterministic)
#   temps         per-step variables (set by per_step): reset to false after each step, so
#                 that they do not multiply the states of the search
# An event whose meaning starts with "shell:" comes from the shell, not from the stream's bytes.
MODEL_ENV = {
    "c2s": {
        "per_step": ["offered = (ev == E_AUTH_OFFERED)"],
        "injector": "STARTTLS",
        "quiet_states": ["TLS_HS"],
        "consumes": "parser_fresh",
        "on_entry": {
            # the handshake starts on discarded input, once, before authentication
            "TLS_HS": "parser_fresh && !injected && !secure && !authed",
            # a restart finds a parser that has seen no byte from before it
            "WAIT_HDR_TLS": "secure && parser_fresh",
            "WAIT_HDR_AUTHED": "authed && parser_fresh",
            "BOUND": "authed && bound",
            "ACTIVE": "authed && bound",
        },
        "invariants": [
            "closed == (state == S_CLOSED)",
            "!authed || secure || !tls_required",
            "!bound || authed",
        ],
    },
    # The s2s models track one domain pair P of the stream (p_pending, p_valid, p_requested):
    # every pair event of the single-stream model concerns P; other pairs behave alike and
    # independently, and their interplay across streams is the dialback composition model
    # (proofs/dialback.pml, from --compose).
    "s2s_in": {
        "per_step": [
            # the stanza's pair: valid only if P is valid here or the peer authenticated by SASL
            "if :: stz_ok = (p_valid || sasl) :: stz_ok = false fi",
            "pv0 = p_valid; pp0 = p_pending",
            # typed responses and role-d requests never change a pair (CVE-3, CVE-5)
            "no_pair_change = (ev == E_DB_RESULT_VALID || ev == E_DB_RESULT_INVALID || "
            "ev == E_DB_RESULT_ERROR || ev == E_DB_VERIFY_VALID || ev == E_DB_VERIFY_INVALID || "
            "ev == E_DB_VERIFY_ERROR || ev == E_DB_VERIFY || ev == E_DB_VERIFY_HOST_UNKNOWN)",
        ],
        "injector": "STARTTLS",
        "quiet_states": ["TLS_HS"],
        "consumes": "parser_fresh",
        "state_vars": ["p_pending", "p_valid", "legacy"],
        "temps": ["stz_ok", "pv0", "pp0", "no_pair_change"],
        "on_entry": {
            "TLS_HS": "parser_fresh && !injected && !secure && !sasl && !p_pending && !p_valid",
            "WAIT_HDR_TLS": "secure && parser_fresh",
            "FEAT_SECURE": "secure",
            "WAIT_HDR_SASL": "sasl && parser_fresh",
            "DIALBACK": "!p_valid && !sasl",
            "AUTHED": "p_valid || sasl",
        },
        "invariants": [
            "closed == (state == S_CLOSED)",
            "!sasl || (secure && cert_valid)",
            "!(p_pending || p_valid) || secure || (plain_db && !require_tls)",
            "!no_pair_change || (p_valid == pv0 && p_pending == pp0)",
            # P becomes valid only on a VERIFY_VALID outcome while it was pending here
            "!p_valid || pv0 || (ev == E_VERIFY_VALID && pp0)",
        ],
    },
    "s2s_out": {
        "per_step": [
            # what the features offer varies with each <stream:features/> (the response header
            # tells whether dialback is declared: offer_db is read after SASL failure too)
            "if :: ev == E_FEATURES -> if :: offer_tls = true :: skip fi; "
            "if :: offer_ext = true :: skip fi :: else -> skip fi",
            "if :: offer_db = true :: offer_db = false fi",
            # a typed db:result names P or another pair (one this stream may never have asked for)
            "if :: ev == E_DB_RESULT_VALID || ev == E_DB_RESULT_INVALID || ev == E_DB_RESULT_ERROR -> "
            "if :: about_p = true :: skip fi :: else -> skip fi",
            "pv0 = p_valid; pr0 = p_requested",
        ],
        "injector": "PROCEED",
        "quiet_states": ["TLS_HS"],
        "consumes": "parser_fresh",
        # an outbound stream starts in the clear (no XEP-0368 direct TLS out)
        "state_vars": ["secure", "sasl", "p_valid", "p_requested"],
        "temps": ["offer_tls", "offer_ext", "offer_db", "about_p", "pv0", "pr0"],
        "on_entry": {
            "TLS_HS": "parser_fresh && !injected && !secure && !sasl && !p_valid && !p_requested",
            "SASL_WAIT": "secure && peer_cert_ok",
            "WAIT_HDR_AUTHED": "sasl && parser_fresh",
            "READY": "p_valid || sasl",
        },
        "invariants": [
            "closed == (state == S_CLOSED)",
            "!closed || !queued",
            "!sasl || secure",
            "!(p_valid || p_requested) || secure || (plain_db && !require_tls)",
            # P becomes valid only on a typed db:result answering the request this stream sent
            "!p_valid || pv0 || (ev == E_DB_RESULT_VALID && pr0 && about_p)",
        ],
    },
    "s2s_verify": {
        "per_step": ["if :: ev == E_FEATURES -> if :: offer_tls = true :: skip fi :: else -> skip fi"],
        "injector": "PROCEED",
        "quiet_states": ["TLS_HS"],
        "consumes": "parser_fresh",
        "state_vars": ["secure", "r_sent", "r_queued"],
        "temps": ["offer_tls"],
        "on_entry": {
            "TLS_HS": "parser_fresh && !injected && !secure",
            "WAIT_ANSWER": "!r_queued",
        },
        "invariants": [
            "closed == (state == S_CLOSED)",
            # every request handed to the connection is reported before it ends
            "!closed || (!r_sent && !r_queued)",
            "!r_sent || secure || (plain_db && !require_tls)",
        ],
    },
}

PML_WORDS = {"skip", "assert", "true", "false", "nondet", "if", "fi", "do", "od", "else",
             "break", "printf", "atomic", "goto", "len", "run"}


class TableError(Exception):
    """Problems found in a table: a list of (line, message)."""

    def __init__(self, path, problems):
        super().__init__("\n".join(f"{path}:{ln}: {msg}" for ln, msg in problems))
        self.problems = problems


class Row:
    def __init__(self, line):
        self.line = line
        self.state = None       # state name or "*"
        self.events = None      # list of event names, or "*"
        self.events_text = ""
        self.guard = None       # (name, negated) or None
        self.actions = []       # list of (name, [args])
        self.next = None        # state name or "="
        self.ref = ""
        self.index = 0


class Table:
    def __init__(self, path):
        self.path = path
        self.machine = None
        self.states = []        # [(name, meaning, line)]
        self.events = []
        self.classes = {}       # @name -> ([events], line)
        self.guards = {}        # name -> (meaning, pml, line, index)
        self.actions = {}       # name -> (kinds, meaning, pml, line, index)
        self.action_order = []
        self.guard_order = []
        self.rows = []
        self.groups = {}        # (state, event) -> [Row]

    @property
    def state_names(self):
        return [s[0] for s in self.states]

    @property
    def event_names(self):
        return [e[0] for e in self.events]


# ------------------------------------------------------------------------------- parsing

IDENT = r"[A-Za-z][A-Za-z0-9_]*"
RE_MACHINE = re.compile(r"^machine\s+([a-z][a-z0-9_]*)\s*$")
RE_NAMED = re.compile(r"^(state|event)\s+(" + IDENT + r")\s+\"([^\"]*)\"\s*$")
RE_CLASS = re.compile(r"^class\s+(@[a-z][a-z0-9_]*)\s+(.+)$")
RE_GUARD = re.compile(r"^guard\s+([a-z][a-z0-9_]*)\s+\"([^\"]*)\"\s+pml:\s*(\S.*?)\s*$")
RE_ACTION = re.compile(r"^action\s+([a-z][a-z0-9_]*)(?:\(([^)]*)\))?\s+\"([^\"]*)\"\s+pml:\s*(\S.*?)\s*$")
RE_CALL = re.compile(r"^([a-z][a-z0-9_]*)(?:\(([^()]*)\))?$")
RE_ARG = re.compile(r"^[a-z][a-z0-9-]*$")
KEYWORDS = ("machine", "state", "event", "class", "guard", "action")


def split_top(text):
    """Splits on commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts]


def header_enumerators(rel):
    path = os.path.join(ROOT, rel)
    try:
        with open(path, encoding="utf-8") as f:
            return set(re.findall(r"^\s*(XC_[A-Z0-9_]+)\b", f.read(), re.M))
    except OSError:
        return None


def arg_enumerator(kind, arg):
    return ARG_KINDS[kind][0] + arg.upper().replace("-", "_")


def parse(path, text):
    t = Table(path)
    problems = []
    names = {}              # every declared name -> line, to refuse duplicates
    pending_rows = []

    def declare(name, line):
        if name in names:
            problems.append((line, f"'{name}' is already declared at line {names[name]}"))
            return False
        names[name] = line
        return True

    for ln, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word = line.split(None, 1)[0]
        if word in KEYWORDS:
            m = RE_MACHINE.match(line)
            if word == "machine":
                if not m:
                    problems.append((ln, "expected: machine name (lower case)"))
                elif t.machine:
                    problems.append((ln, "a second machine line"))
                else:
                    t.machine = m.group(1)
                continue
            if word in ("state", "event"):
                m = RE_NAMED.match(line)
                if not m:
                    problems.append((ln, f"expected: {word} NAME \"meaning\""))
                elif declare(m.group(2), ln):
                    (t.states if word == "state" else t.events).append((m.group(2), m.group(3), ln))
                continue
            if word == "class":
                m = RE_CLASS.match(line)
                if not m:
                    problems.append((ln, "expected: class @name EVENT ..."))
                    continue
                members = []
                for e in m.group(2).split():
                    if e in t.classes:
                        members.extend(x for x in t.classes[e][0] if x not in members)
                    elif e in t.event_names:
                        if e in members:
                            problems.append((ln, f"class {m.group(1)} lists {e} twice"))
                        members.append(e)
                    else:
                        problems.append((ln, f"class {m.group(1)}: '{e}' is not a declared event or class"))
                if declare(m.group(1), ln):
                    t.classes[m.group(1)] = (members, ln)
                continue
            if word == "guard":
                m = RE_GUARD.match(line)
                if not m:
                    problems.append((ln, "expected: guard name \"meaning\" pml: EXPR|nondet"))
                elif declare(m.group(1), ln):
                    t.guards[m.group(1)] = (m.group(2), m.group(3), ln, len(t.guard_order))
                    t.guard_order.append(m.group(1))
                continue
            m = RE_ACTION.match(line)
            if not m:
                problems.append((ln, "expected: action name[(kinds)] \"meaning\" pml: STATEMENTS"))
                continue
            kinds = [k.strip() for k in m.group(2).split(",")] if m.group(2) is not None else []
            bad = [k for k in kinds if k not in ARG_KINDS]
            if bad or len(kinds) > 2:
                problems.append((ln, f"action {m.group(1)}: argument kinds must be at most two of "
                                     f"{', '.join(sorted(ARG_KINDS))}"))
                continue
            if declare(m.group(1), ln):
                t.actions[m.group(1)] = (kinds, m.group(3), m.group(4), ln, len(t.action_order))
                t.action_order.append(m.group(1))
            continue
        if "|" in line:
            pending_rows.append((ln, line))
            continue
        problems.append((ln, "neither a declaration nor a row"))

    if not t.machine:
        problems.append((1, "no machine line"))
    if not t.states:
        problems.append((1, "no state declared"))
    if not t.events:
        problems.append((1, "no event declared"))
    for kind, lst in (("state", t.states), ("event", t.events)):
        seen = {}
        for n, _, ln in lst:
            if n.upper() in seen:
                problems.append((ln, f"{kind} {n} has the same C name as line {seen[n.upper()]}"))
            seen[n.upper()] = ln
    for kind, lst in (("guard", t.guards), ("action", t.actions)):
        seen = {}
        for n in lst:
            ln = lst[n][2] if kind == "guard" else lst[n][3]
            if n.upper() in seen:
                problems.append((ln, f"{kind} {n} has the same C name as line {seen[n.upper()]}"))
            seen[n.upper()] = ln
    if len(t.guards) > 32:
        problems.append((1, "more than 32 guards do not fit the uint32_t guard mask"))
    for what, n in (("states", len(t.states)), ("events", len(t.events)),
                    ("actions", len(t.actions))):
        if n > 255:
            problems.append((1, f"more than 255 {what} do not fit uint8_t"))

    enums = {}
    for ln, line in pending_rows:
        r = parse_row(t, ln, line, problems, enums)
        if r is not None:
            r.index = len(t.rows)
            t.rows.append(r)
    if not t.rows:
        problems.append((1, "no rows"))
    if problems:
        raise TableError(path, problems)
    return t


def parse_row(t, ln, line, problems, enums):
    cols = [c.strip() for c in line.split("|", 5)]
    if len(cols) != 6:
        problems.append((ln, "a row has six columns: STATE | EVENTS | GUARD | ACTIONS | NEXT | REFERENCE"))
        return None
    r = Row(ln)
    state, events, guard, actions, nxt, ref = cols
    ok = True
    if state != "*" and state not in t.state_names:
        problems.append((ln, f"undeclared state '{state}'"))
        ok = False
    r.state = state
    r.events_text = events
    if events == "*":
        r.events = "*"
    else:
        r.events = []
        for e in split_top(events):
            if e.startswith("@"):
                if e not in t.classes:
                    problems.append((ln, f"undeclared class '{e}'"))
                    ok = False
                    continue
                members = t.classes[e][0]
            elif e in t.event_names:
                members = [e]
            else:
                problems.append((ln, f"undeclared event '{e}'" if e else "empty event in the list"))
                ok = False
                continue
            for x in members:
                if x in r.events:
                    problems.append((ln, f"event {x} is named twice in this row"))
                    ok = False
                else:
                    r.events.append(x)
    if guard != "-":
        neg = guard.startswith("!")
        g = guard[1:] if neg else guard
        if g not in t.guards:
            problems.append((ln, f"undeclared guard '{g}'"))
            ok = False
        r.guard = (g, neg)
    if actions != "-":
        for a in split_top(actions):
            m = RE_CALL.match(a)
            if not m:
                problems.append((ln, f"cannot read action '{a}'"))
                ok = False
                continue
            name, args = m.group(1), m.group(2)
            args = [x.strip() for x in args.split(",")] if args is not None else []
            if name not in t.actions:
                problems.append((ln, f"undeclared action '{name}'"))
                ok = False
                continue
            kinds = t.actions[name][0]
            if len(args) != len(kinds):
                problems.append((ln, f"action {name} takes {len(kinds)} argument(s) "
                                     f"({', '.join(kinds) or 'none'}), not {len(args)}"))
                ok = False
                continue
            for k, x in zip(kinds, args):
                if not RE_ARG.match(x):
                    problems.append((ln, f"action {name}: bad argument '{x}'"))
                    ok = False
                    continue
                hdr = ARG_KINDS[k][1]
                if hdr not in enums:
                    enums[hdr] = header_enumerators(hdr)
                known = enums[hdr]
                c = arg_enumerator(k, x)
                if known is not None and (c not in known or c.endswith("_COUNT")):
                    problems.append((ln, f"action {name}: '{x}' names no {k} condition "
                                         f"({c} is not in {hdr})"))
                    ok = False
            r.actions.append((name, args))
    if nxt != "=" and nxt not in t.state_names:
        problems.append((ln, f"undeclared next state '{nxt}'"))
        ok = False
    r.next = nxt
    if not ref:
        problems.append((ln, "the REFERENCE column is empty"))
        ok = False
    r.ref = ref
    return r if ok else None


# ------------------------------------------------------------------------------- checks

def resolve(t, s, e):
    """The rows tried for (s, e), in order: the precedence rule of the format."""
    levels = (
        [r for r in t.rows if r.state == s and r.events != "*" and e in r.events],
        [r for r in t.rows if r.state == s and r.events == "*"],
        [r for r in t.rows if r.state == "*" and r.events != "*" and e in r.events],
        [r for r in t.rows if r.state == "*" and r.events == "*"],
    )
    for rows in levels:
        if rows:
            return rows
    return []


def pairs_text(pairs):
    return ", ".join(pairs[:4]) + (f" and {len(pairs) - 4} more" if len(pairs) > 4 else "")


def check(t, allow_unreachable_states=False):
    """Fills t.groups; returns warnings; raises TableError on any refusal. A row that several
    pairs share gets one message naming the pairs."""
    problems, warnings = [], []
    used = set()
    shadowed = {}           # row line -> (line of the unguarded row before it, [pairs])
    guarded_last = {}       # row line -> [pairs]
    twice = {}              # (row line, guard, first line) -> [pairs]
    for s, _, sln in t.states:
        missing = []
        for e in t.event_names:
            rows = resolve(t, s, e)
            t.groups[(s, e)] = rows
            pair = f"({s}, {e})"
            if not rows:
                missing.append(e)
                continue
            blocker = None
            seen_guards = {}
            for r in rows:
                if blocker is not None:
                    shadowed.setdefault(r.line, (blocker.line, []))[1].append(pair)
                    continue
                used.add(r.line)
                if r.guard is None:
                    blocker = r
                elif r.guard[0] in seen_guards:
                    twice.setdefault((r.line, r.guard[0], seen_guards[r.guard[0]]), []).append(pair)
                else:
                    seen_guards[r.guard[0]] = r.line
            if rows[-1].guard is not None:
                guarded_last.setdefault(rows[-1].line, []).append(pair)
        if missing:
            problems.append((sln, f"not total: state {s} has no row for {', '.join(missing)}"))
    for ln, pairs in guarded_last.items():
        problems.append((ln, f"{pairs_text(pairs)}: the last row is guarded; "
                             f"a group must end with an unguarded row"))
    for (ln, g, first), pairs in twice.items():
        problems.append((ln, f"{pairs_text(pairs)} tests guard {g} twice (first at line {first})"))
    for ln, (bl, pairs) in shadowed.items():
        problems.append((ln, f"unreachable row for {pairs_text(pairs)}: the unguarded row at "
                             f"line {bl} comes first"))
    for r in t.rows:
        if r.line not in used and r.line not in shadowed:
            problems.append((r.line, "unreachable row: every (state, event) pair it names has a "
                                     "more specific row"))
    # states reachable from the first declared state
    seen, todo = {t.states[0][0]}, [t.states[0][0]]
    while todo:
        s = todo.pop()
        for e in t.event_names:
            for r in t.groups.get((s, e), []):
                n = s if r.next == "=" else r.next
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
    for s, _, ln in t.states:
        if s not in seen:
            msg = f"state {s} is unreachable from {t.states[0][0]}"
            if allow_unreachable_states:
                warnings.append((ln, msg))
            else:
                problems.append((ln, msg))
    if problems:
        problems.sort(key=lambda p: p[0])
        raise TableError(t.path, problems)
    return warnings


# ------------------------------------------------------------------------------- C

def cname(s):
    return re.sub(r"[^A-Za-z0-9]", "_", s).upper()


def comment(s):
    return s.replace("*/", "* /")


class CNames:
    def __init__(self, t):
        self.p = "xc_" + t.machine
        self.P = self.p.upper()

    def S(self, s):
        return f"{self.P}_S_{cname(s)}"

    def E(self, e):
        return f"{self.P}_E_{cname(e)}"

    def G(self, g):
        return f"{self.P}_G_{cname(g)}"

    def A(self, a):
        return f"{self.P}_A_{cname(a)}"


def src_name(t):
    p = os.path.abspath(t.path)
    if p.startswith(ROOT + os.sep):
        return os.path.relpath(p, ROOT)
    return os.path.basename(p)


def max_actions(t):
    return max(1, max(len(r.actions) for r in t.rows))


def default_row(t):
    """The row for an out-of-range state: a global rule that ends the stream, preferably with
    internal-server-error (an out-of-range state is a bug of ours), else row 0."""
    leaving = [r for r in t.rows if r.state == "*" and r.guard is None and r.next != "="
               and any(a in ERROR_ACTIONS for a, _ in r.actions)]
    for r in leaving:
        if any("internal-server-error" in args for _, args in r.actions):
            return r
    return leaving[0] if leaving else t.rows[0]


def gen_header(t):
    n = CNames(t)
    src = src_name(t)
    base = f"{n.p}_table"
    guard = f"{n.P}_TABLE_H"
    o = []
    o.append("/*")
    o.append(f" * {base}.h — GENERATED by spec/fsmgen.py from {src}; do not edit.")
    o.append(" *")
    o.append(f" * The {t.machine} state table as data. States, events, guards and action opcodes are")
    o.append(f" * numbered in declaration order; xc_{t.machine}_rows holds each row of the table once, in")
    o.append(" * file order (a row naming several events, or the state *, is one entry shared by every")
    o.append(f" * pair it applies to), and {n.p}_lookup finds the row for (state, event) under a guard")
    o.append(" * mask with the table's precedence: (state, event) > (state, *) > (*, event).")
    o.append(" * Regenerate with `make gen`; `make gen-check` fails when this file and the table differ.")
    o.append(" */")
    o.append(f"#ifndef {guard}")
    o.append(f"#define {guard}")
    o.append("")
    o.append('#include "xc_base.h"')
    o.append('#include "xc_stream_error.h"')
    o.append('#include "xc_sasl_failure.h"')
    o.append('#include "xc_stanza_error.h"')
    o.append("")

    def enum(tag, items, make, extra=""):
        o.append(f"typedef enum {n.p}_{tag} {{{extra}")
        for i, (name, meaning) in enumerate(items):
            init = " = 0" if i == 0 else ""
            o.append(f"    {make(name)}{init},{' ' * max(1, 28 - len(make(name)) - len(init))}"
                     f"/* {comment(meaning)} */")
        o.append(f"    {n.P}_{tag[0].upper()}_COUNT")
        o.append(f"}} {n.p}_{tag};")
        o.append("")

    enum("state", [(s, m) for s, m, _ in t.states], n.S)
    enum("event", [(e, m) for e, m, _ in t.events], n.E)
    o.append("/* Guard g is bit (1u << g) of the mask handed to the lookup. */")
    enum("guard", [(g, t.guards[g][0]) for g in t.guard_order], n.G)
    enum_op = [(a, t.actions[a][1]) for a in t.action_order]
    o.append(f"typedef enum {n.p}_op {{")
    for i, (name, meaning) in enumerate(enum_op):
        init = " = 0" if i == 0 else ""
        o.append(f"    {n.A(name)}{init},{' ' * max(1, 28 - len(n.A(name)) - len(init))}"
                 f"/* {comment(meaning)} */")
    o.append(f"    {n.P}_A_COUNT")
    o.append(f"}} {n.p}_op;")
    o.append("")
    o.append(f"#define {n.P}_MAX_ACTIONS {max_actions(t)}u")
    o.append(f"#define {n.P}_ROWS {len(t.rows)}u")
    o.append("")
    o.append("/* One action of a row: an xc_*_op and its arguments (enumerators of xc_stream_error,")
    o.append("   xc_sasl_failure, xc_stanza_error_type, xc_stanza_error; 0 when unused). */")
    o.append(f"typedef struct {n.p}_action {{")
    o.append("    uint8_t op;")
    o.append("    uint8_t arg1;")
    o.append("    uint8_t arg2;")
    o.append(f"}} {n.p}_action;")
    o.append("")
    o.append(f"typedef struct {n.p}_row {{")
    o.append(f"    uint16_t line;        /* line in {src}: logs and tests name the row */")
    o.append(f"    uint8_t next;         /* {n.p}_state */")
    o.append("    uint8_t stay;         /* 1: NEXT was '=' (next is then unused) */")
    o.append("    uint8_t n_actions;")
    o.append(f"    {n.p}_action actions[{n.P}_MAX_ACTIONS];")
    o.append(f"}} {n.p}_row;")
    o.append("")
    o.append(f"extern const {n.p}_row {n.p}_rows[{n.P}_ROWS];")
    o.append("")
    o.append(f"/* Index into {n.p}_rows of the row for (s, e) given the guard mask. Total: always < {n.P}_ROWS. */")
    o.append("/*@ assigns \\nothing;")
    o.append(f"    ensures \\result < {n.P}_ROWS; */")
    o.append(f"uint32_t {n.p}_lookup({n.p}_state s, {n.p}_event e, uint32_t guards);")
    o.append("")
    o.append("/* The state's name as spelled in the table; \"?\" out of range. */")
    o.append("/*@ assigns \\nothing; ensures xc_str_valid(\\result); */")
    o.append(f"xc_str {n.p}_state_name({n.p}_state s);")
    o.append("")
    o.append("/* The event's name as spelled in the table; \"?\" out of range. */")
    o.append("/*@ assigns \\nothing; ensures xc_str_valid(\\result); */")
    o.append(f"xc_str {n.p}_event_name({n.p}_event e);")
    o.append("")
    o.append("#endif")
    return "\n".join(o) + "\n"


def row_summary(r):
    g = "-" if r.guard is None else ("!" if r.guard[1] else "") + r.guard[0]
    a = ", ".join(name + (f"({','.join(args)})" if args else "") for name, args in r.actions) or "-"
    return f"{r.state} | {r.events_text} | {g} | {a} | {r.next}"


def group_c(t, n, rows, ind):
    out = []
    for r in rows:
        if r.guard is None:
            out.append(f"{ind}return {r.index}u;")
            break
        g, neg = r.guard
        test = f"(guards & (1u << {n.G(g)})) {'==' if neg else '!='} 0u"
        out.append(f"{ind}if ({test}) return {r.index}u;")
    return out


def gen_source(t):
    n = CNames(t)
    src = src_name(t)
    base = f"{n.p}_table"
    mx = max_actions(t)
    dflt = default_row(t)
    o = []
    o.append("/*")
    o.append(f" * {base}.c — GENERATED by spec/fsmgen.py from {src}; do not edit.")
    o.append(" *")
    o.append(f" * The rows of {src} in file order, and the lookup: a switch on the state, then on the")
    o.append(" * event, then the group's guards in file order. No loops, no pointers: the prover sees")
    o.append(" * every returned index as a constant. An event or state out of range finds a row too:")
    o.append(" * the state's (state, *) row if it has one, else the row at line "
             f"{dflt.line} ({row_summary(dflt)}).")
    o.append(" */")
    o.append(f'#include "{base}.h"')
    o.append('#include "xc_str.h"')
    o.append("")
    for what in (f"{n.P}_S_COUNT", f"{n.P}_E_COUNT", f"{n.P}_A_COUNT", "XC_SE_COUNT",
                 "XC_SF_COUNT", "XC_STZ_T_COUNT", "XC_STZ_COUNT"):
        o.append(f'_Static_assert({what} <= 256, "{what} must fit a uint8_t");')
    o.append(f'_Static_assert({n.P}_G_COUNT <= 32, "guards must fit the uint32_t mask");')
    o.append("")
    o.append(f"const {n.p}_row {n.p}_rows[{n.P}_ROWS] = {{")
    for r in t.rows:
        o.append(f"    /* {r.index}: {comment(row_summary(r))} */")
        acts = []
        for name, args in r.actions:
            kinds = t.actions[name][0]
            cargs = [arg_enumerator(k, x) for k, x in zip(kinds, args)] + ["0u"] * (2 - len(args))
            acts.append(f"{{ {n.A(name)}, {cargs[0]}, {cargs[1]} }}")
        acts += ["{ 0u, 0u, 0u }"] * (mx - len(r.actions))
        nxt = "0u" if r.next == "=" else n.S(r.next)
        stay = "1u" if r.next == "=" else "0u"
        o.append(f"    {{ {r.line}u, {nxt}, {stay}, {len(r.actions)}u,")
        o.append(f"      {{ {', '.join(acts)} }} }},")
    o.append("};")
    o.append("")
    o.append(f"uint32_t {n.p}_lookup({n.p}_state s, {n.p}_event e, uint32_t guards)")
    o.append("{")
    if not any(r.guard for r in t.rows):
        o.append("    (void)guards;")
    o.append("    switch (s) {")
    for s, _, _ in t.states:
        o.append(f"    case {n.S(s)}:")
        o.append("        switch (e) {")
        star = [r for r in t.rows if r.state == s and r.events == "*"]
        # events with the same rows share one body; events resolved by (s, *) go to default
        bodies = []
        for e in t.event_names:
            rows = t.groups[(s, e)]
            if star and rows == star:
                continue
            key = tuple(r.index for r in rows)
            for b in bodies:
                if b[0] == key:
                    b[1].append(e)
                    break
            else:
                bodies.append((key, [e], rows))
        for _, evs, rows in bodies:
            for e in evs:
                o.append(f"        case {n.E(e)}:")
            o.extend(group_c(t, n, rows, "            "))
        o.append("        default:")
        if star:
            o.extend(group_c(t, n, star, "            "))
        else:
            o.append(f"            return {dflt.index}u;")
        o.append("        }")
    o.append("    default:")
    o.append(f"        return {dflt.index}u;")
    o.append("    }")
    o.append("}")
    o.append("")
    for kind, items, make in (("state", t.state_names, n.S), ("event", t.event_names, n.E)):
        var = kind[0]
        o.append(f"xc_str {n.p}_{kind}_name({n.p}_{kind} {var})")
        o.append("{")
        o.append(f"    switch ({var}) {{")
        for x in items:
            o.append(f'    case {make(x)}: return XC_STR_LIT("{x}");')
        o.append("    default: return XC_STR_LIT(\"?\");")
        o.append("    }")
        o.append("}")
        o.append("")
    return "\n".join(o)


# ------------------------------------------------------------------------------- Graphviz

def dot_text(lines):
    """A left-justified Graphviz label from plain lines."""
    esc = [l.replace("\\", "\\\\").replace('"', '\\"') for l in lines]
    return '"' + "\\l".join(esc) + '\\l"'


def dot_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def is_error_row(r):
    return any(a in ERROR_ACTIONS for a, _ in r.actions)


def row_label(r):
    ev = "*" if r.events == "*" else ", ".join(x.strip() for x in split_top(r.events_text))
    if r.guard is not None:
        ev += " [" + ("!" if r.guard[1] else "") + r.guard[0] + "]"
    return ev


def wrap(text, width=40):
    """Splits a comma list into lines of at most width characters (a long item stays whole)."""
    lines, cur = [], ""
    for it in text.split(", "):
        if cur and len(cur) + 2 + len(it) > width:
            lines.append(cur + ",")
            cur = it
        else:
            cur = f"{cur}, {it}" if cur else it
    if cur:
        lines.append(cur)
    return lines


def gen_dot(t):
    o = []
    o.append(f"digraph {t.machine} {{")
    o.append("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, nodesep=0.4, ranksep=0.45,")
    o.append(f"         label={dot_str(t.machine + ' (' + os.path.basename(t.path) + '; drawn by spec/fsmgen.py: solid = the row runs, dashed grey = the row ends the stream with an error)')}, labelloc=t];")
    o.append("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=12];")
    o.append("  edge [fontname=\"Helvetica\", fontsize=9];")
    for s, m, _ in t.states:
        o.append(f"  {s} [tooltip={dot_str(m)}];")
    # per-state rows: one solid edge per (state, next) with its rows; error rows collapse into
    # one dashed edge per (state, next)
    for s, _, _ in t.states:
        edges, errors = {}, {}
        for r in t.rows:
            if r.state != s:
                continue
            nxt = s if r.next == "=" else r.next
            (errors if is_error_row(r) else edges).setdefault(nxt, []).append(r)
        for nxt, rs in edges.items():
            lines = [l for r in rs for l in wrap(row_label(r))]
            tip = "lines " + ", ".join(str(r.line) for r in rs)
            o.append(f"  {s} -> {nxt} [label={dot_text(lines)}, tooltip={dot_str(tip)}];")
        for nxt, rs in errors.items():
            lines = wrap("error: " + ", ".join(row_label(r) for r in rs), 48)
            tip = "lines " + ", ".join(str(r.line) for r in rs)
            o.append(f"  {s} -> {nxt} [style=dashed, color=grey60, fontcolor=grey45, "
                     f"label={dot_text(lines)}, tooltip={dot_str(tip)}];")
    glob = [r for r in t.rows if r.state == "*"]
    if glob:
        lines = ["* (every state without its own row for the event):"]
        for r in glob:
            acts = ", ".join(a + (f"({','.join(x)})" if x else "") for a, x in r.actions) or "-"
            lines.append(f"  {row_label(r)}: {acts} -> {r.next}")
        o.append(f"  global_rules [shape=note, style=\"\", fontsize=10, label={dot_text(lines)}];")
        o.append(f"  {{ rank=same; {t.states[0][0]}; global_rules; }}")
    terminal = [s for s, _, _ in t.states
                if all(r.next in (s, "=") for r in t.rows if r.state == s)
                and any(r.state == s for r in t.rows)]
    if terminal:
        o.append(f"  {{ rank=sink; {'; '.join(terminal)}; }}")
    o.append("}")
    return "\n".join(o) + "\n"


def gen_svg(t):
    dot = gen_dot(t)
    try:
        p = subprocess.run(["dot", "-Tsvg"], input=dot.encode("utf-8"), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=False)
    except OSError as exc:
        raise SystemExit(f"fsmgen: cannot run dot (Debian package graphviz): {exc}")
    if p.returncode != 0:
        raise SystemExit("fsmgen: dot failed:\n" + p.stderr.decode("utf-8", "replace"))
    svg = p.stdout.decode("utf-8")
    # the only line that varies between runs of one table: the Graphviz version
    svg = re.sub(r"<!-- Generated by graphviz[^>]*-->\n", "", svg)
    return svg


# ------------------------------------------------------------------------------- Promela

def pml_vars(t, env):
    assigned, read = set(), set()
    for name in t.action_order:
        code = t.actions[name][2]
        assigned |= set(re.findall(r"\b([a-z_][a-z0-9_]*)\s*=(?!=)", code))
        read |= set(re.findall(r"\b[a-z_][a-z0-9_]*\b", code))
    guard_reads = set()
    for g in t.guard_order:
        code = t.guards[g][1]
        if code != "nondet":
            guard_reads |= set(re.findall(r"\b[a-z_][a-z0-9_]*\b", code))
    extra = set()
    for x in env.get("per_step", []) + env.get("invariants", []) + list(env.get("on_entry", {}).values()):
        extra |= set(re.findall(r"\b[a-z_][a-z0-9_]*\b", x))
    if env.get("injector"):
        extra.add("injected")
    if env.get("consumes"):
        extra.add(env["consumes"])
    allv = (assigned | read | guard_reads | extra) - PML_WORDS - {"ev", "state"}
    return sorted(allv), sorted(guard_reads - PML_WORDS)


def events_by_rows(t, state):
    """The events of `state` grouped by the rows they resolve to, in the table's event order:
    [(events, rows)], so one model branch serves every event with the same outcome."""
    bodies = []
    for e in t.event_names:
        rows = t.groups[(state, e)]
        key = tuple(r.line for r in rows)
        for b in bodies:
            if b[0] == key:
                b[1].append(e)
                break
        else:
            bodies.append((key, [e], rows))
    return [(evs, rows) for _, evs, rows in bodies]


def gen_pml(t):
    env = MODEL_ENV.get(t.machine, {})
    named = list(env.get("on_entry", {})) + env.get("quiet_states", [])
    for x in named:
        if x not in t.state_names:
            raise SystemExit(f"fsmgen: MODEL_ENV[{t.machine!r}] names state {x}, which {t.path} lacks")
    if env.get("injector") and env["injector"] not in t.event_names:
        raise SystemExit(f"fsmgen: MODEL_ENV[{t.machine!r}] names event {env['injector']}, which {t.path} lacks")
    variables, policy = pml_vars(t, env)
    for x in env.get("state_vars", []):
        if x not in variables:
            raise SystemExit(f"fsmgen: MODEL_ENV[{t.machine!r}] names state variable {x}, which the model lacks")
    for x in env.get("temps", []):
        if x not in variables:
            raise SystemExit(f"fsmgen: MODEL_ENV[{t.machine!r}] names temporary {x}, which the model lacks")
    policy = [v for v in policy if v not in env.get("state_vars", []) + env.get("temps", [])]
    src = src_name(t)
    shell = [e for e, m, _ in t.events if m.startswith("shell:")]
    elements = [e for e in t.event_names if e not in shell]
    o = []
    o.append(f"/* {os.path.splitext(os.path.basename(t.path))[0]}.pml — GENERATED by spec/fsmgen.py "
             f"from {src}; do not edit.")
    o.append(" *")
    o.append(f" * A Promela model of the {t.machine} table, checked exhaustively by proofs/run_spin.sh.")
    o.append(" * One process plays the stream: while it is not closed it takes any event, resolves the")
    o.append(" * row exactly as the C lookup does (a guard with `pml: nondet` may go either way), runs the")
    o.append(" * pml snippets of the row's actions in order and enters the next state. The safety")
    o.append(" * properties are the asserts in those snippets, plus the environment assertions below.")
    o.append(f" * Variables read by guards ({', '.join(policy) or 'none'}) start nondeterministic: policy and port.")
    if env.get("state_vars"):
        o.append(f" * Stream state read by guards ({', '.join(sorted(env['state_vars']))}) starts false.")
    if env:
        o.append(" *")
        o.append(" * Environment (MODEL_ENV in spec/fsmgen.py):")
        for x in env.get("per_step", []):
            o.append(f" *   every step: {x}")
        if env.get("injector"):
            o.append(f" *   after {env['injector']} the same read may carry more bytes (injected); an element")
            o.append(f" *   processed outside {', '.join(env.get('quiet_states', []))} must not be one of them")
        if env.get("consumes"):
            o.append(f" *   an element event (not \"shell:\") consumes input: {env['consumes']} = 0")
        for s, a in sorted(env.get("on_entry", {}).items()):
            o.append(f" *   entering {s}: assert({a})")
        for a in env.get("invariants", []):
            o.append(f" *   after every row: assert({a})")
        if env.get("temps"):
            o.append(f" *   after every step: {', '.join(env['temps'])} = false")
    o.append(" */")
    o.append("")
    o.append("mtype = { " + ", ".join("S_" + s for s in t.state_names) + " };")
    o.append("mtype = { " + ", ".join("E_" + e for e in t.event_names) + " };")
    o.append("")
    o.append(f"mtype state = S_{t.state_names[0]};")
    o.append("mtype ev;")
    for v in variables:
        o.append(f"bool {v};")
    o.append("")
    on_entry = env.get("on_entry", {})
    for r in t.rows:
        o.append(f"/* line {r.line}: {row_summary(r)} */")
        o.append(f"inline row_{r.line}() {{")
        o.append(f'    printf("line {r.line}: %e %e\\n", state, ev);')
        for name, _ in r.actions:
            o.append(f"    {t.actions[name][2]};")
        if r.next != "=":
            o.append(f"    state = S_{r.next};")
            if r.next in on_entry and r.state != r.next:
                o.append(f"    assert({on_entry[r.next]});")
        else:
            o.append("    skip;")
        o.append("}")
        o.append("")

    def group(rows, ind):
        r = rows[0]
        if r.guard is None:
            return [f"{ind}row_{r.line}()"]
        g, neg = r.guard
        code = t.guards[g][1]
        out = [f"{ind}if"]
        if code == "nondet":
            out.append(f"{ind}:: true ->   /* {'!' if neg else ''}{g} */")
            out.append(f"{ind}    row_{r.line}()")
            out.append(f"{ind}:: true ->")
        else:
            cond = f"!({code})" if neg else code
            out.append(f"{ind}:: ({cond}) ->   /* {'!' if neg else ''}{g} */")
            out.append(f"{ind}    row_{r.line}()")
            out.append(f"{ind}:: else ->")
        out.extend(group(rows[1:], ind + "    "))
        out.append(f"{ind}fi")
        return out

    o.append("inline dispatch() {")
    o.append("    if")
    for s in t.state_names:
        o.append(f"    :: state == S_{s} ->")
        o.append("        if")
        for evs, rows in events_by_rows(t, s):
            cond = " || ".join(f"ev == E_{e}" for e in evs)
            if len(evs) > 1:
                cond = "(" + cond + ")"
            o.append(f"        :: {cond} ->")
            o.extend(group(rows, "            "))
        o.append("        fi")
    o.append("    fi")
    o.append("}")
    o.append("")
    o.append("active proctype stream() {")
    for v in policy:
        o.append(f"    if :: {v} = false :: {v} = true fi;")
    closed = "closed" in variables
    o.append("    do")
    if closed:
        o.append("    :: closed -> break")
        o.append("    :: else ->")
    else:
        o.append("    :: true ->")
    o.append("        if")
    for e in t.event_names:
        o.append(f"        :: ev = E_{e}")
    o.append("        fi;")
    for x in env.get("per_step", []):
        o.append(f"        {x};")
    if elements and (env.get("injector") or env.get("consumes")):
        iselem = " || ".join(f"ev == E_{e}" for e in elements)
        o.append("        if")
        o.append(f"        :: ({iselem}) ->")
        if env.get("injector"):
            inj = env["injector"]
            quiet = "".join(f"state == S_{q} || " for q in env.get("quiet_states", []))
            o.append("            if")
            o.append(f"            :: ev == E_{inj} -> if :: injected = true :: skip fi")
            o.append(f"            :: else -> assert({quiet}!injected)")
            o.append("            fi;")
        if env.get("consumes"):
            o.append(f"            {env['consumes']} = false")
        else:
            o.append("            skip")
        o.append("        :: else -> skip")
        o.append("        fi;")
    o.append("        dispatch();")
    for a in env.get("invariants", []):
        o.append(f"        assert({a});")
    for v in env.get("temps", []):
        o.append(f"        {v} = false;")
    o.append("        ev = 0")
    o.append("    od")
    o.append("}")
    return "\n".join(o) + "\n"


# ------------------------------------------------------------------------------- composition

def gen_compose(t):
    """The table as a Promela fragment for a hand-written composition model (proofs/*.pml):
    the row selection and the order of actions come from the table, their meaning from the
    harness. Names are prefixed with the machine, so several tables can be included in one model:
      M_S_<state>, M_E_<event>      #define'd numbers (the harness keeps `state` and `ev` as bytes
                                    local to the proctype that plays the machine)
      M_G_<guard>                   a boolean expression the harness #defines
      M_A_<action>()                an inline the harness defines (arguments are dropped: the
                                    condition an error names changes no correlation state)
      M_select(), M_dispatch()      select the row for (state, ev) exactly as the C lookup does
                                    (into the harness's short `row`), and run it
    Spin refuses the model when the harness leaves a guard or an action undefined."""
    m = t.machine
    src = src_name(t)
    o = []
    o.append(f"/* {m}.compose.pml — GENERATED by spec/fsmgen.py --compose from {src}; do not edit.")
    o.append(" *")
    o.append(f" * The {m} table for a composition model. The including harness defines:")
    o.append(" *   guards:  " + ", ".join(f"{m}_G_{g}" for g in t.guard_order))
    o.append(" *   actions: " + ", ".join(f"{m}_A_{a}()" for a in t.action_order))
    o.append(" * and declares the bytes `state` and `ev` and the short `row` in the proctype that runs")
    o.append(f" * {m}_dispatch().")
    o.append(" */")
    o.append("")
    for i, st in enumerate(t.state_names):
        o.append(f"#define {m}_S_{st} {i}")
    o.append("")
    for i, e in enumerate(t.event_names):
        o.append(f"#define {m}_E_{e} {i}")
    o.append("")
    for r in t.rows:
        o.append(f"/* line {r.line}: {row_summary(r)} */")
        o.append(f"inline {m}_row_{r.line}() {{")
        o.append(f'    printf("%d: {m} line {r.line} state %d ev %d\\n", _pid, state, ev);')
        for name, _ in r.actions:
            o.append(f"    {m}_A_{name}();")
        if r.next != "=":
            o.append(f"    state = {m}_S_{r.next}")
        else:
            o.append("    skip")
        o.append("}")
        o.append("")

    def group(rows, ind):
        r = rows[0]
        if r.guard is None:
            return [f"{ind}row = {r.line}"]
        g, neg = r.guard
        cond = f"!({m}_G_{g})" if neg else f"({m}_G_{g})"
        out = [f"{ind}if", f"{ind}:: {cond} ->", f"{ind}    row = {r.line}", f"{ind}:: else ->"]
        out.extend(group(rows[1:], ind + "    "))
        out.append(f"{ind}fi")
        return out

    o.append(f"/* the row for (state, ev): its line in {src} (one d_step: no state of its own) */")
    o.append(f"inline {m}_select() {{")
    o.append("    d_step {")
    o.append("    if")
    for st in t.state_names:
        o.append(f"    :: state == {m}_S_{st} ->")
        o.append("        if")
        for evs, rows in events_by_rows(t, st):
            cond = " || ".join(f"ev == {m}_E_{e}" for e in evs)
            o.append(f"        :: ({cond}) ->")
            o.extend(group(rows, "            "))
        o.append("        fi")
    o.append("    fi")
    o.append("    }")
    o.append("}")
    o.append("")
    o.append(f"/* runs the row for (state, ev); `row` is a short the harness declares beside state and ev */")
    o.append(f"inline {m}_dispatch() {{")
    o.append(f"    {m}_select();")
    o.append("    if")
    for r in t.rows:
        o.append(f"    :: row == {r.line} -> {m}_row_{r.line}()")
    o.append("    fi;")
    o.append("    row = 0")
    o.append("}")
    return "\n".join(o) + "\n"


# ------------------------------------------------------------------------------- main

def load(path, allow_unreachable_states=False):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    t = parse(path, text)
    warnings = check(t, allow_unreachable_states)
    return t, warnings


def write(path, data):
    """Writes data unless the file already holds it (make then sees no change)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            if f.read() == data:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(data)


def main(argv):
    ap = argparse.ArgumentParser(description="state table generator (see the file's docstring)")
    ap.add_argument("fsm", nargs="+")
    ap.add_argument("--out", default=ROOT, help="root the outputs are written under (default: the repository)")
    ap.add_argument("--only", action="append", choices=["c", "svg", "pml"])
    ap.add_argument("--pml", help="write the Promela model to this file (one table only)")
    ap.add_argument("--compose", help="write the table's composition fragment to this file (one table "
                                      "only; proofs/run_spin.sh includes it in a hand-written model)")
    ap.add_argument("--allow-unreachable-states", action="store_true")
    a = ap.parse_args(argv)
    only = set(a.only or (["pml"] if a.pml else [] if a.compose else ["c", "svg", "pml"]))
    if a.pml and len(a.fsm) != 1:
        ap.error("--pml takes one table")
    if a.compose and len(a.fsm) != 1:
        ap.error("--compose takes one table")
    rc = 0
    for path in a.fsm:
        try:
            t, warnings = load(path, a.allow_unreachable_states)
        except TableError as exc:
            print(str(exc), file=sys.stderr)
            rc = 1
            continue
        except OSError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            rc = 1
            continue
        for ln, msg in warnings:
            print(f"{path}:{ln}: warning: {msg}", file=sys.stderr)
        stem = os.path.splitext(os.path.basename(path))[0]
        if "c" in only:
            base = os.path.join(a.out, "src", "core", "gen", f"xc_{t.machine}_table")
            write(base + ".h", gen_header(t))
            write(base + ".c", gen_source(t))
        if "svg" in only:
            write(os.path.join(a.out, "spec", stem + ".svg"), gen_svg(t))
        if "pml" in only:
            write(a.pml or os.path.join(a.out, "spec", stem + ".pml"), gen_pml(t))
        if a.compose:
            write(a.compose, gen_compose(t))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
