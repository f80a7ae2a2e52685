"""The c2s state table (spec/c2s.fsm) diffed against an independent transcription of the RFC 3920
client-to-server step lists (tests/spec/rfc3920_c2s_steps.txt), in the manner of OpenBSD's
regress tests that check a TLS state table against its specification.

Run:  /usr/bin/python3 -m pytest -q tests/spec/test_c2s_relation.py      (stdlib + pytest only)

Independence: this file has its own small parser for spec/c2s.fsm and does not import
spec/fsmgen.py; the transcription was written from the RFC text, not from the table.

The two relations
-----------------
* RFC side. The transcription is a set of step lists. Walking a list gives *phases* ("where the
  client is after steps 1..k"); every client or shell step is one event of the table's alphabet,
  and every server step names the phase it leaves the stream in. A server step marked "!" is a
  refusal the RFC itself prescribes (<failure/>, an error, the end of the stream).
    allowed  = {(phase, event)} with at least one non-refusal reaction in the RFC text;
    refused  = {(phase, event)} whose every RFC reaction is a refusal (abort, SASL failure,
               TLS failure, stanza before authentication, ...). They are not "allowed", and the
               table must refuse them too; they also feed the next-state check.
* Table side. A (state, event) pair is resolved with the table's precedence
  (state, event) > (state, *) > (*, event). Its rows are tried in order under the guard values
  the RFC phase fixes (PHASE_GUARDS); a guard the phase does not fix (data checks: b64_ok,
  resource_ok, retries_left) may go either way. Decision: the pair is *accepting* when ANY row
  that can be taken this way runs no error action — i.e. some guarded alternative accepts, not
  only the last, unguarded row (otherwise a good <auth/>, which the table takes under b64_ok,
  would look refused). A row is *refusing* when its actions contain an error action; "contain",
  not "end in", because a failure is often followed by count_failure.
    accepting = {(phase, event)} where the mapped state's rows accept under the phase's guards.
* CLOSED/closed is terminal on both sides (the table processes nothing there: its one row has no
  actions, RFC 3920 §4.7.1) and is left out of the comparison; test_closed_does_nothing checks
  that row instead.

Diffs (each listed with the transcription lines and table rows involved):
  missing: allowed − accepting            the RFC lets the client do it, the table refuses it;
  extra:   accepting − allowed            the table accepts what the RFC step lists never allow;
  next:    for an allowed pair, every RFC next phase (mapped to a state) must be a possible next
           state of the table's accepting rows; for a refused pair, of its refusing rows.
  no-XML:  in a phase where the RFC forbids XML on the wire (tls-negotiating, RFC 3920 §5.2
           step 5), the table's rows for the steps the transcription has there send nothing.
ALLOW lists table behaviours that come from DESIGN.md decisions or RFC 6120/6121 (or a
protocol-notes recommendation DESIGN.md leaves standing) rather than from the RFC 3920 step
lists, each with its reason; test_allow_list_entries_are_needed keeps it free of stale entries.
Steps the transcription tags [6121] (a client that skips the RFC 3921 session) count as allowed;
test_later_rfc_allowances_are_cited_by_table checks that the table cites RFC 6121 for them.
"""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
FSM_PATH = ROOT / "spec" / "c2s.fsm"
STEPS_PATH = pathlib.Path(__file__).resolve().with_name("rfc3920_c2s_steps.txt")

# Actions that make a row a refusal.
ERROR_ACTIONS = {"stream_error", "tls_failure", "drop", "sasl_failure", "sasl_failure_result",
                 "stanza_error"}

# Phase of the transcription -> state of spec/c2s.fsm. Two phases share AUTH: xmppd offers the
# mechanisms in one state whether or not TLS is up, and the guard `secure` tells them apart.
PHASE_TO_STATE = {
    "connected": "WAIT_HDR",
    "tls-required-offered": "PRE_TLS",
    "tls-optional-offered": "AUTH",
    "tls-negotiating": "TLS_HS",
    "tls-restart": "WAIT_HDR_TLS",
    "mechanisms-offered": "AUTH",
    "sasl-evaluating": "SASL_WAIT",
    "sasl-challenged": "SASL_STEP",
    "sasl-restart": "WAIT_HDR_AUTHED",
    "bind-offered": "BIND",
    "resource-bound": "BOUND",
    "session-active": "ACTIVE",
    "closed": "CLOSED",
}
TERMINAL_PHASES = {"closed"}

# Guard values a phase fixes (guards of spec/c2s.fsm). tls_required = "policy requires TLS and
# the stream is not yet encrypted"; secure = "the stream is encrypted". RFC 3920 has no direct-TLS
# port, so a stream starts in the clear.
PHASE_GUARDS = {
    "connected": {"secure": False},
    "tls-required-offered": {"tls_required": True, "secure": False},
    "tls-optional-offered": {"tls_required": False, "secure": False},
    "tls-negotiating": {"secure": False},
    "tls-restart": {"tls_required": False, "secure": True},
    "mechanisms-offered": {"tls_required": False, "secure": True},
    "sasl-evaluating": {"tls_required": False},
    "sasl-challenged": {"tls_required": False},
    "sasl-restart": {"tls_required": False},
    "bind-offered": {"tls_required": False},
    "resource-bound": {"tls_required": False},
    "session-active": {"tls_required": False},
    "closed": {},
}

# Phases in which the RFC forbids any XML on the wire, and the table's actions that send nothing.
NO_XML_PHASES = {"tls-negotiating": "RFC 3920 §5.2 step 5: no further XML until TLS completes"}
SILENT_ACTIONS = {"keep_host", "start_tls", "set_secure", "restart", "sasl_start", "sasl_step",
                  "set_authed", "count_failure", "drop"}

# (diff kind, state, event) -> why the table may differ from the RFC 3920 step lists here.
ALLOW = {
    ("extra", "SASL_STEP", "AUTH_OFFERED"):
        "RFC 6120 §6.4.2: a new <auth/> during an exchange discards it and starts the new one; "
        "RFC 3920 §6.2 does not say",
    ("extra", "ACTIVE", "IQ_SESSION"):
        "protocol-notes C9 REC (DESIGN.md leaves it standing): a repeated session request is "
        "answered as a no-op; RFC 3921 §3 describes only the first",
    ("next", "BIND", "MESSAGE"):
        "DESIGN.md 'from on c2s': a stanza before resource binding closes the stream with "
        "<not-authorized/>; RFC 3920 §7 last ¶ asks for a stanza error on a live stream",
    ("next", "BIND", "PRESENCE"): "DESIGN.md 'from on c2s' (as BIND,MESSAGE)",
    ("next", "BIND", "IQ"): "DESIGN.md 'from on c2s' (as BIND,MESSAGE)",
    ("next", "BIND", "IQ_SESSION"): "DESIGN.md 'from on c2s' (as BIND,MESSAGE)",
}

# Events from specifications beyond RFC 3920/3921, which the step lists therefore cannot
# mention: event -> (the source every row for it must cite, why). They are left out of the
# diff; test_out_of_scope_events_cite_their_source checks their rows instead.
OUT_OF_SCOPE = {
    "PING_DUE": ("XEP-0199", "the server pinging an idle client (XEP-0199 §4.3) is not in RFC 3920; "
                             "issue 4 asks for it"),
}

REFERENCE_SOURCE = re.compile(
    r"RFC ?\d{4} +(§ ?\d|[Aa]ppendix|App\.)|XEP-\d{4}|CVE-\d{4}-\d{4,}|protocol-notes|DESIGN\.md")


# ------------------------------------------------------------------------------ spec/c2s.fsm

class Row:
    def __init__(self, line, state, events, guard, actions, nxt, ref):
        self.line, self.state, self.events, self.guard = line, state, events, guard
        self.actions, self.next, self.ref = actions, nxt, ref

    @property
    def refusing(self):
        return any(a in ERROR_ACTIONS for a in self.actions)

    def target(self, state):
        return state if self.next == "=" else self.next

    def show(self):
        acts = ", ".join(self.actions) or "-"
        guard = "" if self.guard == "-" else "[%s] " % self.guard
        return "c2s.fsm:%d %s|%s: %s%s -> %s  (%s)" % (
            self.line, self.state, ",".join(self.events), guard, acts, self.next, self.ref)


class Table:
    def __init__(self):
        self.states, self.events, self.guards, self.actions = [], [], set(), set()
        self.classes, self.rows = {}, []

    def expand(self, names):
        out = set()
        for n in names:
            out |= set(self.classes[n]) if n.startswith("@") else {n}
        return out

    def rows_for(self, state, event):
        """The rows of (state, event) in table order, by (s,e) > (s,*) > (*,e) > (*,*)."""
        def pick(st, wildcard):
            return [r for r in self.rows if r.state == st and
                    (r.events == ["*"] if wildcard else
                     r.events != ["*"] and event in self.expand(r.events))]
        return pick(state, False) or pick(state, True) or pick("*", False) or pick("*", True)

    def possible(self, state, event, fixed):
        """Rows that can be taken for (state, event) when the guards in `fixed` have those values."""
        out = []
        for r in self.rows_for(state, event):
            if r.guard == "-":
                out.append(r)
                break
            name = r.guard.lstrip("!")
            if name not in fixed:
                out.append(r)
                continue
            if fixed[name] != r.guard.startswith("!"):
                out.append(r)
                break
        return out


def split_top(text):
    """Splits at commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    parts.append(cur.strip())
    return [p for p in parts if p]


DECLARATIONS = {"machine", "state", "event", "class", "guard", "action"}


def parse_fsm(text):
    t = Table()
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word = line.split()
        if word[0] not in DECLARATIONS:
            cells = [c.strip() for c in line.split("|", 5)]
            assert len(cells) == 6, "c2s.fsm:%d: a row has 6 cells" % no
            state, events, guard, actions, nxt, ref = cells
            acts = [] if actions == "-" else [a.split("(")[0].strip() for a in split_top(actions)]
            t.rows.append(Row(no, state, split_top(events), guard, acts, nxt, ref))
            continue
        if word[0] == "state":
            t.states.append(word[1])
        elif word[0] == "event":
            t.events.append(word[1])
        elif word[0] == "class":
            t.classes[word[1]] = word[2:]
        elif word[0] == "guard":
            t.guards.add(word[1])
        elif word[0] == "action":
            t.actions.add(word[1].split("(")[0])
    return t


# ------------------------------------------------------------------ the RFC transcription

class Step:
    def __init__(self, line, ref, actor, token, text):
        self.line, self.ref, self.actor, self.token, self.text = line, ref, actor, token, text
        self.alt = bool(re.search(r"\balt\b", ref))

    def show(self):
        return "steps:%d %s | %s | %s" % (self.line, self.ref, self.actor, self.token)


class Block:
    def __init__(self, line, kind, name, tag, starts):
        self.line, self.kind, self.name, self.tag, self.starts = line, kind, name, tag, starts
        self.steps = []


class Transition:
    def __init__(self, src, event, dst, refusal, tag, cause, reaction):
        self.src, self.event, self.dst, self.refusal = src, event, dst, refusal
        self.tag, self.cause, self.reaction = tag, cause, reaction

    def show(self):
        tag = " [%s]" % self.tag if self.tag else ""
        return "%s + %s -> %s%s%s  (%s; %s)" % (
            self.src, self.event, "!" if self.refusal else "", self.dst, tag,
            self.cause.show(), self.reaction.show())


HEAD = re.compile(r"^(path|rules)\s+(\S+)\s*(?:\[(\w+)\])?\s+from\s+(.+)$")


def parse_steps(text):
    blocks = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = HEAD.match(line)
        if m:
            starts = [s.strip() for s in m.group(4).split(",")]
            blocks.append(Block(no, m.group(1), m.group(2), m.group(3), starts))
            continue
        cells = [c.strip() for c in line.split("|", 3)]
        assert len(cells) == 4, "steps:%d: a step line is REF | ACTOR | TOKEN | TEXT" % no
        assert blocks, "steps:%d: a step outside any path/rules block" % no
        blocks[-1].steps.append(Step(no, *cells))
    return blocks


def walk(blocks):
    """All transitions of the transcription, in order."""
    out = []
    for b in blocks:
        for start in b.starts:
            cur, cause, src, main_seen = start, None, None, False
            for s in b.steps:
                if s.actor in ("client", "shell"):
                    assert cause is None or main_seen, "%s: two client/shell steps in a row" % s.show()
                    cause, src, main_seen = s, cur, False
                    continue
                assert s.actor == "server", "%s: actor is client, shell or server" % s.show()
                assert cause is not None, "%s: a server step with no step before it" % s.show()
                assert s.alt == main_seen, "%s: one main reaction first, then its alts" % s.show()
                tok = s.token
                refusal = tok.startswith("!")
                dst = tok.lstrip("!")
                dst = src if dst == "=" else dst
                out.append(Transition(src, cause.token, dst, refusal, b.tag, cause, s))
                if not s.alt:
                    main_seen = True
                    if b.kind == "path":
                        cur = dst
            assert cause is None or main_seen, "block %s: last step has no reaction" % b.name
    return out


# ------------------------------------------------------------------------------ relations

def load():
    table = parse_fsm(FSM_PATH.read_text(encoding="utf-8"))
    blocks = parse_steps(STEPS_PATH.read_text(encoding="utf-8"))
    return table, blocks, walk(blocks)


def rfc_relations(trans):
    allowed, refused = {}, {}
    for t in trans:
        (refused if t.refusal else allowed).setdefault((t.src, t.event), []).append(t)
    for key in allowed:
        refused.pop(key, None)
    return allowed, refused


def findings(table, trans):
    """Every difference between the two relations: (kind, state, event) -> lines of detail."""
    allowed, refused = rfc_relations(trans)
    out = {}

    def add(kind, phase, event, text):
        out.setdefault((kind, PHASE_TO_STATE[phase], event), []).append(
            "%s (phase %s) + %s: %s" % (PHASE_TO_STATE[phase], phase, event, text))

    phases = sorted({p for p in PHASE_TO_STATE if p not in TERMINAL_PHASES})
    for phase in phases:
        state = PHASE_TO_STATE[phase]
        for event in table.events:
            if event in OUT_OF_SCOPE:
                continue
            rows = table.possible(state, event, PHASE_GUARDS[phase])
            accepting = [r for r in rows if not r.refusing]
            key = (phase, event)
            rowtext = "\n        ".join(r.show() for r in rows)
            if key in allowed and not accepting:
                add("missing", phase, event,
                    "the RFC allows it, the table refuses it\n      RFC:   %s\n      table: %s"
                    % ("\n             ".join(t.show() for t in allowed[key]), rowtext))
            if accepting and key not in allowed:
                why = ""
                if key in refused:
                    why = "\n      RFC prescribes a refusal: %s" % "; ".join(
                        t.reaction.show() for t in refused[key])
                add("extra", phase, event,
                    "the table accepts it, the RFC step lists never allow it%s\n      table: %s"
                    % (why, "\n             ".join(r.show() for r in accepting)))
            for rel, good in ((allowed, accepting), (refused, [r for r in rows if r.refusing])):
                if key not in rel or not good:
                    continue
                targets = {r.target(state) for r in good}
                for t in rel[key]:
                    want = PHASE_TO_STATE[t.dst]
                    if want not in targets:
                        add("next", phase, event,
                            "the RFC leaves the stream in %s (%s), the table in %s\n"
                            "      RFC:   %s\n      table: %s"
                            % (t.dst, want, "/".join(sorted(targets)), t.show(),
                               "\n             ".join(r.show() for r in good)))
    return out


def report(items, kind):
    lines = []
    for (k, state, event), texts in sorted(items.items()):
        if k == kind and (k, state, event) not in ALLOW:
            lines.extend("  " + x for x in texts)
    return lines


# ------------------------------------------------------------------------------ the tests

def test_transcription_is_well_formed():
    table, blocks, trans = load()
    problems = []
    phases = {t.dst for t in trans} | {"connected"}
    for b in blocks:
        if b.tag not in (None, "6121"):
            problems.append("steps:%d: unknown tag [%s]" % (b.line, b.tag))
        for start in b.starts:
            if start not in phases:
                problems.append("steps:%d: block %s starts at %s, which no step reaches"
                                % (b.line, b.name, start))
        for s in b.steps:
            if s.actor in ("client", "shell") and s.token not in table.events:
                problems.append("%s: %s is not an event of spec/c2s.fsm" % (s.show(), s.token))
    reached = {"connected"}
    for _ in range(len(trans)):
        reached |= {t.dst for t in trans if t.src in reached}
    for p in sorted(phases - reached):
        problems.append("phase %s cannot be reached from connected" % p)
    assert not problems, "\n" + "\n".join(problems)


def test_every_transcription_line_cites_a_section():
    _, blocks, _ = load()
    bad = [s.show() for b in blocks for s in b.steps if "§" not in s.ref]
    assert not bad, "step lines without a section:\n" + "\n".join(bad)


def test_mapping_covers_every_phase_and_state():
    table, _, trans = load()
    phases = {t.src for t in trans} | {t.dst for t in trans}
    problems = ["phase %s has no state in PHASE_TO_STATE" % p
                for p in sorted(phases - set(PHASE_TO_STATE))]
    problems += ["PHASE_TO_STATE names phase %s, which the transcription never uses" % p
                 for p in sorted(set(PHASE_TO_STATE) - phases)]
    problems += ["state %s of spec/c2s.fsm is mapped from no phase" % s
                 for s in table.states if s not in PHASE_TO_STATE.values()]
    problems += ["PHASE_TO_STATE names %s, not a state of spec/c2s.fsm" % s
                 for s in sorted(set(PHASE_TO_STATE.values()) - set(table.states))]
    problems += ["PHASE_GUARDS of %s names guard %s, not declared in spec/c2s.fsm" % (p, g)
                 for p, gs in PHASE_GUARDS.items() for g in gs if g not in table.guards]
    problems += ["phase %s has no PHASE_GUARDS entry" % p
                 for p in sorted(set(PHASE_TO_STATE) - set(PHASE_GUARDS))]
    assert not problems, "\n" + "\n".join(problems)


def test_table_references_cite_a_source():
    table, _, _ = load()
    bad = [r.show() for r in table.rows if not REFERENCE_SOURCE.search(r.ref)]
    assert not bad, ("rows whose REFERENCE cites no RFC section, XEP, CVE, protocol-notes or "
                     "DESIGN.md:\n" + "\n".join(bad))


def test_closed_does_nothing():
    table, _, _ = load()
    for event in table.events:
        for r in table.rows_for("CLOSED", event):
            assert not r.actions and r.target("CLOSED") == "CLOSED", r.show()


def test_rfc_allowed_steps_are_accepted_by_table():
    table, _, trans = load()
    bad = report(findings(table, trans), "missing")
    assert not bad, "RFC allows, table refuses:\n" + "\n".join(bad)


def test_table_accepts_only_what_rfc_allows():
    table, _, trans = load()
    bad = report(findings(table, trans), "extra")
    assert not bad, "table accepts, RFC never allows:\n" + "\n".join(bad)


def test_table_next_states_match_rfc_phases():
    table, _, trans = load()
    bad = report(findings(table, trans), "next")
    assert not bad, "the table leaves the stream elsewhere than the RFC:\n" + "\n".join(bad)


def test_allow_list_entries_are_needed():
    table, _, trans = load()
    found = findings(table, trans)
    stale = ["%s %s,%s: %s" % (k[0], k[1], k[2], why) for k, why in sorted(ALLOW.items())
             if k not in found]
    assert not stale, "allow-list entries no difference needs any more:\n" + "\n".join(stale)


def test_no_xml_is_sent_where_the_rfc_forbids_it():
    """Every step the transcription has in a phase without XML: the table's rows send nothing."""
    table, _, trans = load()
    bad = []
    for t in trans:
        if t.src not in NO_XML_PHASES:
            continue
        state = PHASE_TO_STATE[t.src]
        for r in table.possible(state, t.event, PHASE_GUARDS[t.src]):
            loud = [a for a in r.actions if a not in SILENT_ACTIONS]
            if loud:
                bad.append("%s (phase %s) + %s: %s would write XML (%s)\n      RFC:   %s\n"
                           "      table: %s" % (state, t.src, t.event, ", ".join(loud),
                                                NO_XML_PHASES[t.src], t.show(), r.show()))
    assert not bad, "\n" + "\n".join(bad)


def test_later_rfc_allowances_are_cited_by_table():
    table, _, trans = load()
    bad = []
    for t in trans:
        if not t.tag:
            continue
        state = PHASE_TO_STATE[t.src]
        rows = [r for r in table.possible(state, t.event, PHASE_GUARDS[t.src]) if not r.refusing]
        if not any(("RFC " + t.tag) in r.ref for r in rows):
            bad.append("%s: no accepting row cites RFC %s\n      %s" % (
                t.show(), t.tag, "\n      ".join(r.show() for r in rows)))
    assert not bad, "\n" + "\n".join(bad)


def test_out_of_scope_events_cite_their_source():
    table, _, _ = load()
    for event, (source, _why) in OUT_OF_SCOPE.items():
        rows = [r for r in table.rows if event in r.events]
        assert rows, "OUT_OF_SCOPE names %s, which no row handles" % event
        for r in rows:
            assert source in r.ref, "%s must cite %s: %s" % (event, source, r.show())
