"""SASL (RFC 3920 §6; RFC 6120 §6, §13.9) and its base64 (RFC 3548 / RFC 4648 as RFC 6120 §13.9.1
restricts it): mechanisms, challenges, failures, retries, encodings."""
import base64
import ssl

from client import (NA, Fail, Scram, authenticate, b64, barrier, bind, connect, expect_stream_error, login,
                    mechanisms, open_stream, pick_mech, plain_message, restart, sasl_auth, sasl_failure_condition,
                    tls_context, tls_stream, tok)
from registry import dialogue
from wire import NS_BIND, NS_SASL, short, xml_attr

KNOWN_MECHS = ("EXTERNAL", "PLAIN", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1", "SCRAM-SHA-256",
               "DIGEST-MD5", "CRAM-MD5", "ANONYMOUS", "X-CONFORMANCE-UNKNOWN")


def first_reply(w):
    ev = w.next()
    if ev.kind != "el":
        return ev, None
    return ev, ev.el


def sasl_failure(ev, el, conds, what):
    conds = (conds,) if isinstance(conds, str) else tuple(conds)
    if el is None or el.ns != NS_SASL or el.name != "failure" or sasl_failure_condition(el) not in conds:
        raise Fail(what, ev.describe())
    return sasl_failure_condition(el)


def enc_mech(d, feats):
    """The mechanism encoding tests use: PLAIN when offered (a lenient decoder would then log in),
    else the SCRAM the runner speaks."""
    mechs = mechanisms(feats)
    if "PLAIN" in mechs:
        return "PLAIN"
    return pick_mech(d.cfg, mechs)


def offered(d):
    """The mechanisms offered after TLS (one probe per run)."""
    cfg = d.cfg
    if not hasattr(cfg, "_mechs"):
        w, _, f = tls_stream(d, "probe")
        w.close()
        cfg._mechs = mechanisms(f)
    return cfg._mechs


def scram_of(mechs):
    for m in ("SCRAM-SHA-256", "SCRAM-SHA-1"):
        if m in mechs:
            return m
    return None


def enc_case(d, padded=False):
    """(mechanism, first message) that would log in: PLAIN when offered (a lenient decoder then
    logs in, which shows the leniency), else SCRAM. padded: a length that is not a multiple of
    3, so that its base64 ends in padding."""
    cfg = d.cfg
    mechs = offered(d)
    if "PLAIN" in mechs:
        for az in ("", cfg.bare(1)):
            p = plain_message(cfg.user, cfg.password, az)
            if not padded or len(p) % 3:
                return "PLAIN", p
    m = scram_of(mechs)
    if m is None:
        if "PLAIN" in mechs:
            raise NA("no first message of a length with base64 padding (PLAIN only)")
        pick_mech(cfg, mechs)
    for n in range(16, 40):
        p = Scram(m, cfg.user, cfg.password, nonce="N" * n).first()
        if not padded or len(p) % 3:
            return m, p


def valid_payload(d, mech):
    cfg = d.cfg
    if mech == "PLAIN":
        return plain_message(cfg.user, cfg.password)
    return Scram(mech if mech.startswith("SCRAM") else "SCRAM-SHA-1", cfg.user, cfg.password).first()


def encoding_case(d, text, label, mech):
    """One <auth/> whose text is `text`, on a fresh TLS stream: returns (event, element)."""
    w, _, f = tls_stream(d, label)
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='{mech}'>{text}</auth>")
    return first_reply(w)


def expect_incorrect_encoding(d, cases, rule):
    """Each (label, text, mechanism) must get <failure><incorrect-encoding/></failure>."""
    for label, text, mech in cases:
        ev, el = encoding_case(d, text, label, mech)
        # the text is not quoted: it holds the account's credentials
        sasl_failure(ev, el, "incorrect-encoding", f"<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                     f"<incorrect-encoding/></failure> for {label} in the {mech} data ({rule})")


def start_challenge(d, w, feats):
    """Starts an exchange that is answered with a <challenge/>: SCRAM with its first message
    when offered, else PLAIN without an initial response. Returns (mechanism, event, element)."""
    cfg = d.cfg
    m = scram_of(mechanisms(feats))
    if m is not None:
        w.send(f"<auth xmlns='{NS_SASL}' mechanism='{m}'>{b64(Scram(m, cfg.user, cfg.password).first())}</auth>")
    else:
        m = "PLAIN"
        w.send(f"<auth xmlns='{NS_SASL}' mechanism='PLAIN'/>")
    ev, el = first_reply(w)
    if el is None or el.ns != NS_SASL or el.name != "challenge":
        raise Fail(f"a <challenge/> for {m}" + (" without an initial response" if m == "PLAIN" else ""),
                   ev.describe())
    return m, ev, el


@dialogue("SASL-01")
def sasl01(d):
    w, _, f = tls_stream(d)
    mechs = mechanisms(f)
    if not mechs:
        raise Fail("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>…</mechanism></mechanisms> "
                   "after TLS (RFC 3920 §6.1 rule 3)", f.describe())
    return "offered: " + " ".join(mechs)


@dialogue("SASL-02")
def sasl02(d):
    cfg = d.cfg
    w = connect(d)
    _, f0 = open_stream(w, cfg)
    pre = mechanisms(f0)
    bad = [m for m in pre if m in ("PLAIN", "EXTERNAL") or m.endswith("-PLUS")]
    if bad:
        raise Fail("no PLAIN, EXTERNAL or -PLUS mechanism before TLS (RFC 3920 §6.2 step 2; RFC 6120 §13.8.3)",
                   f0.describe())
    w2, _, f = tls_stream(d, "offer")
    offered = mechanisms(f)
    tried = [m for m in KNOWN_MECHS if m not in offered][:3]
    for m in tried:
        if m.startswith("SCRAM"):
            payload = Scram(m, cfg.user, cfg.password).first()
        elif m == "PLAIN":
            payload = plain_message(cfg.user, cfg.password)
        else:
            payload = b""
        ww, _, _ = tls_stream(d, m)
        ww.send(f"<auth xmlns='{NS_SASL}' mechanism='{m}'>{b64(payload)}</auth>")
        ev, el = first_reply(ww)
        sasl_failure(ev, el, "invalid-mechanism", f"<failure><invalid-mechanism/></failure> for {m}, which this "
                     "stream did not offer (RFC 3920 §6.4; the CVE-2017-10807 class)")
    return "not offered, refused: " + ", ".join(tried)


@dialogue("SASL-03")
def sasl03(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    mechs = mechanisms(f)
    if "SCRAM-SHA-1" in mechs:
        out = sasl_auth(w, cfg, "SCRAM-SHA-1", cfg.user, cfg.password)
        if out.kind != "success":
            raise Fail("<success/> with SCRAM-SHA-1, RFC 6120's mandatory mechanism (§13.8.1)", out.describe())
        return "SCRAM-SHA-1 (RFC 6120 §13.8.1) offered and working; offered: " + " ".join(mechs)
    if "DIGEST-MD5" in mechs:
        return "variant: DIGEST-MD5 (RFC 3920 §14.7) offered; the runner does not speak it"
    raise Fail("SCRAM-SHA-1 (RFC 6120 §13.8.1) or DIGEST-MD5 (RFC 3920 §14.7) offered", " ".join(mechs))


@dialogue("SASL-04")
def sasl04(d):
    w, _, f = tls_stream(d)
    mech = enc_mech(d, f)
    out = authenticate(d, w, f, mech=mech)
    if out.el.children:
        raise Fail("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", out.el.describe())
    return f"with {mech}"


@dialogue("SASL-05")
def sasl05(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    mech = enc_mech(d, f)
    out = sasl_auth(w, cfg, mech, cfg.user, cfg.password + "-wrong")
    if out.kind != "failure" or out.condition != "not-authorized":
        raise Fail("<failure><not-authorized/></failure> for a wrong password (RFC 3920 §6.4)", out.describe())
    authenticate(d, w, f, mech=mech)


@dialogue("SASL-06")
def sasl06(d):
    cfg = d.cfg
    w, _, f = tls_stream(d, "wrong")
    mech = enc_mech(d, f)
    a = sasl_auth(w, cfg, mech, cfg.user, cfg.password + "-wrong")
    w2, _, _ = tls_stream(d, "nouser")
    b = sasl_auth(w2, cfg, mech, tok("nosuchuser"), cfg.password + "-wrong")
    if a.kind != "failure" or b.kind != "failure":
        raise Fail("a SASL failure for a wrong password and for an unknown user", f"{a.describe()} / {b.describe()}")
    if a.el.raw != b.el.raw:
        raise Fail("byte-identical failures for an unknown user and a wrong password (RFC 6120 §6.5.10)",
                   f"{short(a.el.raw)} / {short(b.el.raw)}")
    return f"with {mech}: {short(a.el.raw)}"


@dialogue("SASL-07")
def sasl07(d):
    w, _, f = tls_stream(d, "no-mechanism")
    w.send(f"<auth xmlns='{NS_SASL}'>=</auth>")
    ev, el = first_reply(w)
    sasl_failure(ev, el, "invalid-mechanism", "<failure><invalid-mechanism/></failure> for <auth/> without a "
                 "mechanism (RFC 3920 §6.4)")
    w, _, f = tls_stream(d, "unknown")
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='X-CONFORMANCE-UNKNOWN'>=</auth>")
    ev, el = first_reply(w)
    sasl_failure(ev, el, "invalid-mechanism", "<failure><invalid-mechanism/></failure> for an unknown mechanism")


@dialogue("SASL-08")
def sasl08(d):
    m, _ = enc_case(d)
    expect_incorrect_encoding(d, [("'=' first", "=AAA", m), ("'=' inside", "BBBB=CCC", m),
                                  ("'!' characters", "AGp1b!!x", m)], "RFC 3920 §6.1 rule 5, §6.4")


def spaced(payload, where, ch):
    t = base64.b64encode(payload).decode()
    if where == "lead":
        return ch + t
    if where == "trail":
        return t + ch
    return t[:8] + ch + t[8:]


def pad_bits(payload):
    """Canonical base64 of `payload` (its length not a multiple of 3) with the unused bits of
    its last character set: a lenient decoder reads the same bytes."""
    t = base64.b64encode(payload).decode()
    alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    k = t.rstrip("=")
    last = alpha.index(k[-1])
    unused = 4 if t.endswith("==") else 2
    k = k[:-1] + alpha[last | ((1 << unused) - 1)]
    return k + "=" * (len(t) - len(k))


@dialogue("SASL-09")
def sasl09(d):
    m, p = enc_case(d)
    mp, pp = enc_case(d, padded=True)
    expect_incorrect_encoding(d, [("a space inside", spaced(p, "mid", " "), m),
                                  ("a line feed inside", spaced(p, "mid", "\n"), m),
                                  ("a leading space", spaced(p, "lead", " "), m),
                                  ("a trailing space", spaced(p, "trail", " "), m),
                                  ("non-zero pad bits", pad_bits(pp), mp)],
                              "RFC 3920 §14.9; RFC 6120 §13.9.1; DESIGN.md strict base64")


@dialogue("SASL-10")
def sasl10(d):
    cfg = d.cfg
    w, _, f = tls_stream(d, "equals")
    mech = enc_mech(d, f)
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='{mech}'>=</auth>")
    ev, el = first_reply(w)
    if el is None or el.ns != NS_SASL or el.name != "failure":
        raise Fail(f"a SASL <failure/> for {mech} with '=' (an empty initial response; RFC 6120 §6.4.2)",
                   ev.describe())
    c = sasl_failure_condition(el)
    if c == "incorrect-encoding":
        raise Fail("'=' decoded as an empty response, not refused as bad base64 (RFC 6120 §6.4.2)", el.describe())
    w2, _, f2 = tls_stream(d, "absent")
    out = sasl_auth(w2, cfg, mech, cfg.user, cfg.password, initial=False)
    if out.kind != "success" or not out.elements or out.elements[0].name != "challenge":
        raise Fail("an empty <challenge/> for <auth/> without text (no initial response), then <success/> "
                   "(RFC 3920 §6.2 step 3)", " ".join(e.describe() for e in out.elements) or out.describe())
    note = f"{mech}: '=' → <{c}/>; no text → challenge {short(out.elements[0].raw)}"
    if cfg.get("CLIENT_CERT"):
        w3, _, f3 = tls_stream(d, "external", ctx=tls_context(cfg, cfg.get("CLIENT_CERT"), cfg.get("CLIENT_KEY")))
        w3.send(f"<auth xmlns='{NS_SASL}' mechanism='EXTERNAL'>=</auth>")
        ev, el = first_reply(w3)
        if el is None or el.name != "success":
            raise Fail("<success/> for EXTERNAL with '=' (empty authzid) and a verified certificate", ev.describe())
        note += "; EXTERNAL '=' → <success/>"
    return note


@dialogue("SASL-11")
def sasl11(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    m = scram_of(mechanisms(f))
    out = sasl_auth(w, cfg, m, cfg.user, cfg.password) if m else sasl_auth(w, cfg, "PLAIN", cfg.user, cfg.password,
                                                                            initial=False)
    if out.kind != "success" or not out.elements or out.elements[0].name != "challenge":
        raise Fail("<challenge/> for a mechanism that needs more data, then <success/> after our <response/> "
                   "(RFC 3920 §6.2 steps 3-5)", " ".join(e.describe() for e in out.elements) or out.describe())
    return f"with {m or 'PLAIN without an initial response'}"


def scram_mech(d, feats):
    m = scram_of(mechanisms(feats))
    if m is None:
        raise NA("no SCRAM mechanism offered (the runner's multi-step mechanism)")
    return m


@dialogue("SASL-12")
def sasl12(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    mech = scram_mech(d, f)
    out = sasl_auth(w, cfg, mech, cfg.user, cfg.password)
    if out.kind != "success":
        raise Fail(f"<success/> after a {mech} exchange", out.describe())
    names = [e.name for e in out.elements]
    if out.el.text and out.el.text != "=":
        return f"{mech}: {' '.join(names)}; the server signature in <success/> (RFC 6120 §6.3.10)"
    return f"{mech}: {' '.join(names)}; the server signature in a last <challenge/> (RFC 3920 style)"


@dialogue("SASL-14")
def sasl14(d):
    w, _, f = tls_stream(d)
    m, _, _ = start_challenge(d, w, f)
    w.send(f"<response xmlns='{NS_SASL}'>%%%</response>")
    ev, el = first_reply(w)
    sasl_failure(ev, el, "incorrect-encoding", "<failure><incorrect-encoding/></failure> for bad base64 in "
                 f"<response/> during {m} (RFC 3920 §6.4)")


@dialogue("SASL-15")
def sasl15(d):
    w, _, f = tls_stream(d)
    m, _, _ = start_challenge(d, w, f)
    w.send(f"<abort xmlns='{NS_SASL}'/>")
    ev, el = first_reply(w)
    sasl_failure(ev, el, "aborted", "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><aborted/></failure> "
                 f"for <abort/> during {m} (RFC 3920 §6.2 outcome 1)")
    authenticate(d, w, f, mech=m)


@dialogue("SASL-16")
def sasl16(d):
    cfg = d.cfg
    n = cfg.num("AUTH_FAILURES")
    if n is None:
        raise NA("needs AUTH_FAILURES=… (the failed attempts the server allows on one stream)")
    w, _, f = tls_stream(d)
    mech = enc_mech(d, f)
    for i in range(1, n):
        out = sasl_auth(w, cfg, mech, cfg.user, cfg.password + "-wrong")
        if out.kind != "failure":
            raise Fail(f"a SASL failure for wrong password {i} of {n}, the stream open", out.describe())
    out = sasl_auth(w, cfg, mech, cfg.user, cfg.password + "-wrong")
    if out.kind == "success":
        raise Fail(f"failure {n} and the close", out.describe())
    rest = [] if out.kind == "failure" else [out.ev]
    if not rest or rest[-1].kind not in ("eof", "timeout"):
        rest += w.read_until_eof(2.0)
    if rest and rest[-1].kind == "timeout":
        raise Fail(f"the stream closed after {n} failed attempts (RFC 6120 §6.4.5 MUST close once the retries "
                   "are used up; RFC 3920 §6.2 outcome 2)", f"still open 2 s after failure {n}")
    errs = [e for e in rest if e.kind == "el" and e.el.name == "error"]
    kinds = [e.kind for e in rest]
    if kinds and kinds[-1] == "eof":
        if errs:
            from client import stream_error_of
            cond, _ = stream_error_of(errs[0].el)
            if cond == "policy-violation":
                return f"closed after {n} failures" + ("" if n >= 3 else
                                                           "; RFC 6120 §6.4.5 asks for at least 2 retries")
            return f"variant: closed with <{cond}/> after {n} failures (RFC 6120 §6.4.5 SHOULD policy-violation)"
        return f"variant: TCP closed after {n} failures without a stream error (RFC 3920 §6.2 outcome 2)"
    raise Fail(f"<policy-violation/> and the close after {n} failed attempts (RFC 6120 §6.4.5)",
               " ".join(e.describe() for e in rest))


@dialogue("SASL-17")
def sasl17(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    mech = enc_mech(d, f)
    other = f"{cfg.user2 or 'someone-else-' + tok()}@{cfg.domain}"
    out = sasl_auth(w, cfg, mech, cfg.user, cfg.password, authzid=other)
    if out.kind != "failure" or out.condition != "invalid-authzid":
        raise Fail(f"<failure><invalid-authzid/></failure> for authzid {other} (RFC 3920 §6.1 rule 7, §6.4)",
                   out.describe())
    return f"with {mech}"


@dialogue("SASL-20")
def sasl20(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    mech = scram_of(mechanisms(f)) or "PLAIN"
    out = sasl_auth(w, cfg, mech, cfg.user, cfg.password, initial=(mech != "PLAIN"))
    if out.kind != "success":
        raise Fail(f"<success/> with {mech}", out.describe())
    for e in out.elements:
        if e.gap:
            raise Fail("no whitespace between elements during SASL (RFC 3920 §6.1 rule 4)",
                       f"{e.gap!r} before {e.describe()}")
    data, closed = w.pending_bytes(0.5)
    if data:
        raise Fail("nothing after <success/> until our new header (RFC 6120 §6.4.6)", short(data))


@dialogue("SASL-21")
def sasl21(d):
    cfg = d.cfg
    w, h2, f = tls_stream(d)
    authenticate(d, w, f)
    h3, f3 = restart(w, cfg)
    if h3.get("id") == h2.get("id"):
        raise Fail("a new id after the SASL restart (RFC 6120 §4.3.3)", f"{h2.get('id')} twice")
    if f3.child(NS_BIND, "bind") is None:
        raise Fail("<bind/> in the features after SASL", f3.describe())


@dialogue("SASL-22")
def sasl22(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    first, _, _ = start_challenge(d, w, f)
    mech = enc_mech(d, f)
    out = sasl_auth(w, cfg, mech, cfg.user, cfg.password)
    if out.kind != "success":
        raise Fail("a new <auth/> during a challenge starts a new exchange that succeeds (RFC 6120 §6.4.2)",
                   out.describe())
    return f"{first} interrupted by {mech}"


@dialogue("SASL-23")
def sasl23(d):
    w, _, f = tls_stream(d)
    w.send(f"<response xmlns='{NS_SASL}'>{b64(b'hello')}</response>")
    ev, el = first_reply(w)
    c = sasl_failure(ev, el, ("not-authorized", "malformed-request"),
                     "<failure><not-authorized/></failure> for <response/> without an exchange "
                     "(catalogue REC; RFC 6120 §6.5.8 <malformed-request/>)")
    authenticate(d, w, f)
    if c == "malformed-request":
        return "variant: <malformed-request/> (RFC 6120 §6.5.8)"


@dialogue("SASL-24")
def sasl24(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    start_challenge(d, w, f)
    m = tok("during")
    w.send(f"<message to='{xml_attr(cfg.bare(1))}' id='{m}'><body>{m}</body></message>")
    expect_stream_error(w, "not-authorized", need_header=False)


@dialogue("SASL-25")
def sasl25(d):
    cfg = d.cfg
    # after <success/> and the restart, before bind
    w, _, f = tls_stream(d, "unbound")
    mech = enc_mech(d, f)
    authenticate(d, w, f, mech=mech)
    restart(w, cfg)
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='{mech}'>{b64(valid_payload(d, mech))}</auth>")
    ev, el = first_reply(w)
    sasl_failure(ev, el, "not-authorized", "<failure><not-authorized/></failure> for <auth/> after "
                 "authentication (catalogue REC)")
    bind(w)
    s = login(d, label="bound")
    s.send(f"<auth xmlns='{NS_SASL}' mechanism='{mech}'>{b64(valid_payload(d, mech))}</auth>")
    ev, el = first_reply(s.w)
    sasl_failure(ev, el, "not-authorized", "<failure><not-authorized/></failure> for <auth/> on a bound stream "
                 "(catalogue REC)")
    barrier(s.w)


@dialogue("SASL-27")
def sasl27(d):
    cfg = d.cfg
    w, _, f = tls_stream(d, "known")
    mech = scram_mech(d, f)
    known = Scram(mech, cfg.user, cfg.password + "-wrong")
    a = sasl_auth(w, cfg, mech, cfg.user, cfg.password + "-wrong", scram=known)
    ghost = tok("ghost")
    firsts = []
    results = []
    for i in range(2):
        w2, _, _ = tls_stream(d, f"unknown{i}")
        sc = Scram(mech, ghost, "whatever")
        results.append(sasl_auth(w2, cfg, mech, ghost, "whatever", scram=sc))
        firsts.append(sc)
    if not a.elements or a.elements[0].name != "challenge":
        raise Fail("a SCRAM challenge for a real account", a.describe())
    for r in results:
        if not r.elements or r.elements[0].name != "challenge":
            raise Fail("a SCRAM challenge (salt, iterations) for an unknown user too: the exchange must not "
                       "reveal whether the account exists (RFC 6120 §6.5.10, §13.9.4)",
                       " ".join(e.describe() for e in r.elements) or r.describe())
    s0, s1 = firsts[0], firsts[1]
    if s0.salt != s1.salt or s0.iters != s1.iters:
        raise Fail("the same salt and iteration count for the same unknown name on every attempt",
                   f"salt {s0.salt.hex()} / {s1.salt.hex()}, i={s0.iters} / {s1.iters}")
    if len(s0.salt) != len(known.salt) or s0.iters != known.iters:
        raise Fail("a salt and iteration count of the same shape as a real account's",
                   f"real: {len(known.salt)}-byte salt, i={known.iters}; unknown: {len(s0.salt)}-byte salt, "
                   f"i={s0.iters}")
    if a.kind != "failure" or results[0].kind != "failure" or a.el.raw != results[0].el.raw:
        raise Fail("the same failure as a wrong password", f"{a.describe()} / {results[0].describe()}")
    return f"{mech}: {len(known.salt)}-byte salts, i={known.iters}"


@dialogue("SASL-31")
def sasl31(d):
    cfg = d.cfg
    ctx = tls_context(cfg, max_version=ssl.TLSVersion.TLSv1_2)
    w, _, f = tls_stream(d, "tls12", ctx=ctx)
    plus = [m for m in mechanisms(f) if m.endswith("-PLUS") and m.startswith("SCRAM-SHA")]
    if not plus:
        raise NA("no SCRAM-*-PLUS mechanism offered on TLS 1.2")
    if w.sock.version() != "TLSv1.2":
        raise NA(f"TLS 1.2 not negotiated ({w.sock.version()})")
    done = []
    for m in plus:
        cb = w.sock.get_channel_binding("tls-unique")
        ww, _, _ = (w, None, None) if not done else tls_stream(d, m, ctx=ctx)
        cb = ww.sock.get_channel_binding("tls-unique")
        out = sasl_auth(ww, cfg, m, cfg.user, cfg.password, cb=("tls-unique", cb))
        if out.kind != "success":
            raise Fail(f"<success/> for {m} bound to tls-unique on TLS 1.2 (RFC 5802 §6; RFC 5929)", out.describe())
        done.append(m)
    return "tls-unique on TLS 1.2: " + ", ".join(done) + " (tls-exporter: no standard-library API)"


@dialogue("SASL-32")
def sasl32(d):
    """-PLUS without binding (gs2 flag n or y) never logs in. Tried where the server offers -PLUS
    (TLS 1.2 first: tls-unique); when it offers none, an unoffered -PLUS must not log in either."""
    cfg = d.cfg
    ctx12 = tls_context(cfg, max_version=ssl.TLSVersion.TLSv1_2)
    plus, ctx = [], None
    for label, c in (("tls12", ctx12), ("tls", None)):
        w, _, f = tls_stream(d, label, ctx=c)
        plus = [m for m in mechanisms(f) if m in ("SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS")]
        if plus:
            ctx = c
            break
    tried = plus or ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS"]
    notes = []
    for m in tried:
        for flag in ("n", "y"):
            ww, _, _ = tls_stream(d, f"{m}-{flag}", ctx=ctx)
            sc = Scram(m, cfg.user, cfg.password)
            sc.gs2 = f"{flag},,"
            out = sasl_auth(ww, cfg, m, cfg.user, cfg.password, scram=sc)
            if out.kind == "success":
                raise Fail(f"no login with {m} whose gs2 flag is '{flag}' (no channel binding; RFC 5802 §6)"
                           + ("" if plus else ", a mechanism this stream did not even offer"), out.describe())
            notes.append(f"{m} '{flag}': " + (f"<{out.condition}/>" if out.kind == "failure" else out.describe()))
    if not plus:
        raise NA("no SCRAM-*-PLUS mechanism offered; unoffered ones without binding did not log in")
    if any("malformed-request" not in n for n in notes):
        return "variant (RFC 5802 names no XMPP condition): " + "; ".join(notes)


# --- base64 as the SASL layer sees it ----------------------------------------------------------
@dialogue("B64-01")
def b6401(d):
    m, p = enc_case(d)
    t = base64.b64encode(p).decode()
    cases = [("'!' for a letter", t[:4] + "!" + t[5:], m), ("base64url '-'", t[:4] + "-" + t[5:], m),
             ("base64url '_'", t[:4] + "_" + t[5:], m), ("a non-ASCII letter", t[:4] + "é" + t[5:], m)]
    expect_incorrect_encoding(d, cases, "RFC 3548 §3; RFC 3920 §6.1 rule 5")


@dialogue("B64-02")
def b6402(d):
    m, p = enc_case(d, padded=True)
    t = base64.b64encode(p).decode()
    cases = [("a length that is not a multiple of 4", t.rstrip("="), m), ("'=' inside", "BBBB=CCC", m),
             ("'=' first", "=AAA", m), ("three '='", t.rstrip("=") + "===", m)]
    expect_incorrect_encoding(d, cases, "RFC 3548 §3; RFC 6120 §13.9.1")


@dialogue("B64-03")
def b6403(d):
    m, p = enc_case(d, padded=True)
    expect_incorrect_encoding(d, [("non-zero pad bits", pad_bits(p), m)], "RFC 6120 §13.9.1")


@dialogue("B64-04")
def b6404(d):
    m, p = enc_case(d)
    expect_incorrect_encoding(d, [("CR LF inside", spaced(p, "mid", "\r\n"), m),
                                  ("a tab inside", spaced(p, "mid", "\t"), m),
                                  ("a leading line feed", spaced(p, "lead", "\n"), m),
                                  ("a trailing line feed", spaced(p, "trail", "\n"), m)],
                              "RFC 6120 §13.9.1; DESIGN.md strict base64")


@dialogue("B64-05")
def b6405(d):
    w, _, f = tls_stream(d)
    mech = enc_mech(d, f)
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='{mech}'>=</auth>")
    ev, el = first_reply(w)
    if el is None or el.ns != NS_SASL or el.name not in ("failure", "challenge"):
        raise Fail("'=' taken as an empty payload: a failure or a challenge, never <success/>", ev.describe())
    if el.name == "failure" and sasl_failure_condition(el) == "incorrect-encoding":
        raise Fail("'=' decoded as zero bytes, not refused as bad base64 (RFC 3920 §6.2; RFC 6120 §6.4.2)",
                   el.describe())
    w2, _, f2 = tls_stream(d, "empty-challenge")
    if "PLAIN" in mechanisms(f2):
        w2.send(f"<auth xmlns='{NS_SASL}' mechanism='PLAIN'/>")
        ev, el2 = first_reply(w2)
        if el2 is not None and el2.name == "challenge":
            if el2.text == "=":
                return "'=' is empty; an empty challenge is sent as '='"
            if el2.text == "":
                return "'=' is empty; an empty challenge is sent as an empty element"
            raise Fail("an empty challenge for PLAIN without data", el2.describe())


@dialogue("B64-06")
def b6406(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    mech = scram_mech(d, f)
    out = sasl_auth(w, cfg, mech, cfg.user, cfg.password)
    texts = [e.text for e in out.elements if e.text and e.text != "="]
    for t in texts:
        try:
            raw = base64.b64decode(t, validate=True)
        except ValueError:
            raise Fail("canonical base64 from the server (RFC 6120 §13.9.1)", short(t))
        if base64.b64encode(raw).decode() != t:
            raise Fail("canonical base64 from the server: alphabet, '=' padding, zero pad bits, no line breaks "
                       "(RFC 6120 §13.9.1)", short(t))
    return f"{len(texts)} base64 payloads from the server, all canonical"
