"""Streams (RFC 3920 §4, §11.2, §11.4; RFC 6120 §4): headers, features, restarts, stream errors."""
import re
import time

from client import (NOT_WELL_FORMED, STREAM_CONDITIONS, Fail, authenticate, barrier, bind, connect,
                    expect_features, expect_header, expect_stream_error, header_bytes, login, mechanisms,
                    open_stream, pick_mech, received_nothing, restart, sasl_auth, starttls, tls_context,
                    tls_stream, tok, wait_for)
from registry import dialogue
from wire import NS_BIND, NS_CLIENT, NS_SASL, NS_SESSION, NS_STREAMS, NS_TLS, short, xml_attr

NWF = NOT_WELL_FORMED + ("bad-format",)


def full_login(d, label="u1", **hdr):
    """STARTTLS, SASL, bind on one wire, keeping every header and features: returns
    (wire, [(header, features)] * 3, jid)."""
    cfg = d.cfg
    w = connect(d, label)
    h1, f1 = open_stream(w, cfg, **hdr)
    starttls(w, cfg, f1)
    h2, f2 = open_stream(w, cfg, **hdr)
    authenticate(d, w, f2)
    h3, f3 = restart(w, cfg, **hdr)
    jid = bind(w, tok("r"))
    return w, [(h1, f1), (h2, f2), (h3, f3)], jid


def msg(to, mid, body="x", extra=""):
    return f"<message to='{xml_attr(to)}' id='{mid}' type='chat'{extra}><body>{body}</body></message>"


# --- headers --------------------------------------------------------------------------------------
@dialogue("STR-01")
def str01(d):
    w, steps, _ = full_login(d)
    for i, doc in enumerate(w.docs[:3]):
        if not bytes(doc).startswith(b"<?xml"):
            raise Fail("an XML declaration before every stream header, restarts included (RFC 3920 §11.4)",
                       f"header {i + 1} of 3 begins {short(bytes(doc)[:60])}")


@dialogue("STR-02")
def str02(d):
    w, steps, _ = full_login(d)
    for i, (h, _) in enumerate(steps):
        if (h.get("from") or "").lower() != d.cfg.domain.lower():
            raise Fail(f"from='{d.cfg.domain}' on our header (RFC 3920 §4.4)", f"header {i + 1}: {h.describe()}")


@dialogue("STR-04")
def str04(d):
    w, steps, _ = full_login(d)
    ids = [h.get("id") for h, _ in steps]
    w2 = connect(d, "second")
    h, _ = open_stream(w2, d.cfg)
    ids.append(h.get("id"))
    if any(not i for i in ids):
        raise Fail("an id on every header, restarts included (RFC 6120 §4.7.3)", f"ids {ids}")
    if len(set(ids)) != len(ids):
        raise Fail("a new id on every header: initial, after TLS, after SASL, and on another stream "
                   "(RFC 6120 §4.3.3)", f"ids {ids}")
    return f"ids of {min(len(i) for i in ids)}-{max(len(i) for i in ids)} characters, all different"


@dialogue("STR-05")
def str05(d):
    w = connect(d)
    evil = tok("evil")
    h, f = open_stream(w, d.cfg, extra=f" id='{evil}'")
    if h.get("id") == evil:
        raise Fail("our own id, ignoring the client's (RFC 3920 §4.4; RFC 6120 §4.7.3)", h.describe())


@dialogue("STR-06")
def str06(d):
    w = connect(d)
    h, f = open_stream(w, d.cfg, extra=f" from='{xml_attr(d.cfg.bare(1))}'")
    starttls(w, d.cfg, f)
    h2, f2 = open_stream(w, d.cfg, extra=f" from='{xml_attr(d.cfg.bare(1))}'")
    if not mechanisms(f2):
        raise Fail("the same features as without 'from' (RFC 3920 §4.4)", f2.describe())


def version_answer(d, sent):
    w = connect(d)
    h, f = open_stream(w, d.cfg, version=sent)
    if h.get("version") != "1.0":
        raise Fail(f"version='1.0' answering version='{sent}' (RFC 3920 §4.4.1)", h.describe())
    return f


@dialogue("STR-07")
def str07(d):
    for v in ("2.0", "1.5", "1.10"):
        version_answer(d, v)


@dialogue("STR-08")
def str08(d):
    version_answer(d, "01.00")


@dialogue("STR-09")
def str09(d):
    w = connect(d)
    w.send(header_bytes(d.cfg, version=None))
    h = expect_header(w)
    if h.get("version") is not None:
        raise Fail("a header without version to a client without one (RFC 3920 §4.4.1 rule 4)", h.describe())
    ev = w.next(2.0)
    if ev.kind == "timeout":
        return "header without version; the stream waits (RFC 3920 §4.4.1: legacy authentication possible)"
    if ev.kind == "el" and ev.el.is_(NS_STREAMS, "features"):
        raise Fail("no <stream:features/> for a client without version (RFC 3920 §4.6), then "
                   "<unsupported-version/>", ev.describe())
    w.events.insert(0, ev)
    expect_stream_error(w, "unsupported-version", need_header=False)


@dialogue("STR-10")
def str10(d):
    w = connect(d)
    open_stream(w, d.cfg)


@dialogue("STR-11")
def str11(d):
    w, steps, _ = full_login(d)
    for i, (_, f) in enumerate(steps[:2]):
        if f.child(NS_BIND, "bind") is not None or f.child(NS_SESSION, "session") is not None:
            raise Fail("no <bind/> or <session/> before SASL succeeds (RFC 3920 §7)",
                       f"features {i + 1}: {f.describe()}")


@dialogue("STR-12")
def str12(d):
    w = connect(d)
    h, _ = open_stream(w, d.cfg)
    if not h.lang:
        raise Fail("xml:lang on our header (RFC 3920 §4.4 SHOULD; RFC 6120 §4.7.4 MUST)", h.describe())
    w2 = connect(d, "de")
    h2, _ = open_stream(w2, d.cfg, lang="de")
    if not h2.lang:
        raise Fail("xml:lang on our header when the client asked for 'de'", h2.describe())
    return f"xml:lang='{h.lang}' by default, '{h2.lang}' for a client asking 'de'"


@dialogue("STR-13")
def str13(d):
    w, steps, _ = full_login(d)
    for i, (h, _) in enumerate(steps):
        raw = h.raw.decode("utf-8", "replace")
        if (not re.search(r"""<stream:stream\b""", raw) or
                not re.search(r"""\sxmlns\s*=\s*(['"])jabber:client\1""", raw) or
                not re.search(r"""\sxmlns:stream\s*=\s*(['"])http://etherx\.jabber\.org/streams\1""", raw)):
            raise Fail("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' …> "
                       "on every header (RFC 3920 §4.5, §11.2)", f"header {i + 1}: {short(raw)}")


@dialogue("STR-14")
def str14(d):
    w = connect(d)
    w.send(header_bytes(d.cfg, prefix="foobar"))
    expect_header(w)
    ev = w.next()
    if ev.kind == "el" and ev.el.is_(NS_STREAMS, "features"):
        return "variant: the foobar: prefix is accepted (RFC 3920 §11.2.1 MAY accept only stream:)"
    w.events.insert(0, ev)
    if expect_stream_error(w, ("bad-namespace-prefix", "bad-format"), need_header=False) == "bad-format":
        return "variant: <bad-format/> (RFC 6120 §4.8.5: 'some existing implementations')"


@dialogue("STR-15")
def str15(d):
    w = connect(d)
    w.send(header_bytes(d.cfg, stream_ns="http://wrong.namespace.example.org/"))
    if expect_stream_error(w, ("invalid-namespace", "bad-format")) == "bad-format":
        return "variant: <bad-format/> (RFC 6120 §4.8.1: 'some existing implementations')"


@dialogue("STR-16")
def str16(d):
    w = connect(d)
    w.send(header_bytes(d.cfg, default_ns="jabber:bogus"))
    if expect_stream_error(w, ("invalid-namespace", "bad-format")) == "bad-format":
        return "variant: <bad-format/> (RFC 6120 §4.8.1: 'some existing implementations')"


@dialogue("STR-17")
def str17(d):
    w = connect(d)
    w.send(header_bytes(d.cfg, to=d.cfg.unknown_host))
    expect_stream_error(w, "host-unknown")


@dialogue("STR-18")
def str18(d):
    d.cfg.need("GONE_HOST")
    w = connect(d)
    w.send(header_bytes(d.cfg, to=d.cfg.get("GONE_HOST")))
    expect_stream_error(w, "host-gone")


@dialogue("STR-19")
def str19(d):
    w = connect(d)
    w.send(header_bytes(d.cfg, to=None))
    c = expect_stream_error(w, ("host-unknown", "improper-addressing"))
    if c == "improper-addressing":
        return "variant: <improper-addressing/> (RFC 6120 §4.7.2, §4.9.3.8)"


@dialogue("STR-20")
def str20(d):
    s = login(d, presence=True)
    s.send("</stream:stream>")
    events = s.w.read_until_eof()
    kinds = [e.kind for e in events]
    stanzas = [e for e in events if e.kind == "el"]
    if "end" not in kinds or kinds[-1] != "eof" or (stanzas and any(e.el.is_(NS_STREAMS, "error") for e in stanzas)):
        raise Fail("</stream:stream> and the close after the client's </stream:stream> (RFC 3920 §4.1)",
                   " ".join(e.describe() for e in events))


@dialogue("STR-21")
def str21(d):
    a = login(d, label="a")
    b = login(d, label="b")
    iid = tok("own")
    a.send(f"<iq type='get' id='{iid}' to='{xml_attr(d.cfg.domain)}'><query xmlns='urn:example:conformance:{iid}'/></iq>")
    wait_for(a.w, lambda e: e.get("id") == iid, f"the answer to id='{iid}' on the asking stream (RFC 3920 §4.2)")
    bad = tok("bad")
    a.send(f"<message to='{'x' * 1100}@{d.cfg.domain}' id='{bad}'><body>x</body></message>")
    wait_for(a.w, lambda e: e.get("id") == bad, f"the error for id='{bad}' on the sender's stream (RFC 3920 §4.2)")
    received_nothing(b.w, iid, "nothing of another stream's answers on this one")
    received_nothing(b.w, bad, "nothing of another stream's errors on this one", grace=0)


@dialogue("STR-22")
def str22(d):
    rcv = login(d, who=2, label="u2") if d.cfg.user2 else None
    w, _, feats = tls_stream(d)
    m = tok("preauth")
    to = rcv.jid if rcv else d.cfg.bare(1)
    w.send(msg(to, m, m))
    expect_stream_error(w, "not-authorized")
    if rcv:
        received_nothing(rcv.w, m, "nothing delivered from a stream that is not authenticated (RFC 3920 §4.3)")


@dialogue("STR-23")
def str23(d):
    cfg = d.cfg
    w = connect(d)
    _, f = open_stream(w, cfg)
    w.send(f"<abort xmlns='{NS_SASL}'/>")
    ev = w.next()
    if ev.kind != "el" or ev.el.ns != NS_SASL or ev.el.name != "failure":
        raise Fail("a SASL <failure/> for <abort/> before TLS, never <not-authorized/> as a stream error "
                   "(RFC 3920 §4.3; RFC 6120 §6.4.4)", ev.describe())
    starttls(w, cfg, f)
    _, f2 = open_stream(w, cfg)
    w.send(f"<abort xmlns='{NS_SASL}'/>")
    ev = w.next()
    if ev.kind != "el" or ev.el.ns != NS_SASL or ev.el.name != "failure":
        raise Fail("a SASL <failure/> for <abort/> before authentication (RFC 3920 §4.3)", ev.describe())
    authenticate(d, w, f2)
    restart(w, cfg)
    bind(w)


@dialogue("STR-24")
def str24(d):
    w, steps, _ = full_login(d)   # a header and features after each restart, or it fails there


@dialogue("STR-25")
def str25(d):
    w, steps, _ = full_login(d)
    f = steps[2][1]
    if f.child(NS_TLS, "starttls") is not None or f.child(NS_SASL, "mechanisms") is not None:
        raise Fail("no <starttls/> and no <mechanisms/> after SASL (RFC 3920 §6.2 outcome 3, §5.1 rule 11)",
                   f.describe())
    if f.child(NS_BIND, "bind") is None:
        raise Fail("<bind/> after SASL (RFC 3920 §7)", f.describe())
    extra = [c.name for c in f.children if not (c.ns in (NS_BIND, NS_SESSION))]
    if extra:
        return "also offers " + ", ".join(sorted(set(extra)))


@dialogue("STR-26")
def str26(d):
    s = login(d)
    for ws in (" ", "\n", " \t\r\n  "):
        s.send(ws)
        barrier(s.w)


@dialogue("STR-27", slow=True)
def str27(d):
    d.cfg.need("HANDSHAKE_TIMEOUT")
    t = d.cfg.num("HANDSHAKE_TIMEOUT")
    w = connect(d)
    open_stream(w, d.cfg)
    t0 = time.monotonic()
    expect_stream_error(w, "connection-timeout", within=t + 5)
    took = time.monotonic() - t0
    return f"closed after {took:.1f} s (HANDSHAKE_TIMEOUT={t})"


@dialogue("STR-29")
def str29(d):
    cfg = d.cfg
    w = connect(d)
    w.send_slowly(header_bytes(cfg))
    _, f = expect_header(w), expect_features(w)
    starttls(w, cfg, f)
    w.send_slowly(header_bytes(cfg))
    expect_header(w)
    f2 = expect_features(w)
    mech = pick_mech(cfg, mechanisms(f2))
    if mech == "PLAIN":
        import base64
        cred = base64.b64encode(f"\0{cfg.user}\0{cfg.password}".encode()).decode()
        w.send_slowly(f"<auth xmlns='{NS_SASL}' mechanism='PLAIN'>{cred}</auth>")
        ev = w.next()
        if ev.kind != "el" or ev.el.name != "success":
            raise Fail("<success/> for PLAIN sent one byte at a time", ev.describe())
    else:
        authenticate(d, w, f2)
    w.restart()
    w.send_slowly(header_bytes(cfg))
    expect_header(w)
    expect_features(w)
    iid = tok("bind")
    w.send_slowly(f"<iq type='set' id='{iid}'><bind xmlns='{NS_BIND}'/></iq>")
    wait_for(w, lambda e: e.get("id") == iid and e.get("type") == "result",
             "the bind result for an iq sent one byte at a time (RFC 3920 §4.1)")
    pid = tok("ping")
    w.send_slowly(f"<iq type='get' id='{pid}'><ping xmlns='urn:xmpp:ping'/></iq>")
    wait_for(w, lambda e: e.get("id") == pid, "an answer to an iq sent one byte at a time")


@dialogue("STR-30")
def str30(d):
    """<starttls/> and a stanza in one write: the stanza is never parsed (RFC 3920 §5.2 step 5)."""
    cfg = d.cfg
    rcv = login(d, who=2, label="u2") if cfg.user2 else None
    w = connect(d)
    _, f = open_stream(w, cfg)
    m = tok("inject")
    to = rcv.jid if rcv else cfg.bare(1)
    w.send(f"<starttls xmlns='{NS_TLS}'/>" + msg(to, m, m))
    ev = w.next()
    if ev.kind != "el" or not ev.el.is_(NS_TLS, "proceed"):
        raise Fail("<proceed/> and nothing parsed after <starttls/> (RFC 3920 §5.2 step 5)", ev.describe())
    clear, _ = w.pending_bytes(0.5)
    if clear:
        raise Fail("the bytes after <starttls/> never parsed: nothing in the clear after <proceed/> "
                   "(RFC 3920 §5.2 step 5; RFC 6120 §5.4.3.3)", f"the server answered them in the clear: {short(clear, 600)}")
    try:
        w.start_tls(tls_context(cfg), cfg.domain)
    except OSError:
        # the plaintext went to the TLS layer as a bad ClientHello: the server aborted (acceptable)
        if rcv:
            received_nothing(rcv.w, m, "nothing delivered of bytes sent in the clear after <starttls/>")
        return "the server took the bytes after <starttls/> as TLS and aborted the handshake"
    h, f2 = open_stream(w, cfg)
    authenticate(d, w, f2)
    restart(w, cfg)
    bind(w)
    if rcv:
        received_nothing(rcv.w, m, "nothing delivered of bytes sent in the clear after <starttls/>")


@dialogue("STR-31")
def str31(d):
    """A namespace prefix bound on headers before the SASL restart is unbound after it."""
    cfg = d.cfg
    decl = " xmlns:pfx='urn:example:conformance:old'"
    w = connect(d)
    w.send(header_bytes(cfg, extra=decl))
    expect_header(w)
    ev = w.next()
    if ev.kind == "el" and ev.el.is_(NS_STREAMS, "error"):
        w.events.insert(0, ev)
        expect_stream_error(w, "invalid-namespace", need_header=False)
        return ("variant: a namespace declared on the header is refused with <invalid-namespace/> "
                "(RFC 6120 §4.8.5 SHOULD), so nothing of it can outlive a restart")
    if ev.kind != "el" or not ev.el.is_(NS_STREAMS, "features"):
        raise Fail("<stream:features/>", ev.describe())
    starttls(w, cfg, ev.el)
    _, f2 = open_stream(w, cfg, extra=decl)
    authenticate(d, w, f2)
    restart(w, cfg)
    jid = bind(w)
    m = tok("stale")
    w.send(f"<message to='{xml_attr(jid)}' id='{m}'><pfx:x>{m}</pfx:x></message>")
    expect_stream_error(w, NWF, what="<xml-not-well-formed/> (or <not-well-formed/>, <bad-format/>): the pfx "
                        "prefix of the old stream is unbound after the restart (RFC 3920 §6.2 outcome 3; "
                        "RFC 6120 §4.3.3)")


@dialogue("STR-32")
def str32(d):
    s = login(d)
    s.send("stray text")
    bid = tok("after")
    s.send(f"<iq type='get' id='{bid}'><ping xmlns='urn:xmpp:ping'/></iq>")
    expect_stream_error(s.w, "bad-format", what="<bad-format/> for character data between stanzas "
                        "(RFC 6120 §4.9.3.1; catalogue REC)")


@dialogue("STR-33")
def str33(d):
    cfg = d.cfg
    other = cfg.get("DOMAIN2")
    note = None
    if other is None:
        other = cfg.unknown_host
        note = "without DOMAIN2 only a host that is not served was tried"
    w = connect(d)
    _, f = open_stream(w, cfg)
    starttls(w, cfg, f)
    w.send(header_bytes(cfg, to=other))
    conds = ["host-unknown"] + sorted(STREAM_CONDITIONS - {"host-unknown"})
    c1 = expect_stream_error(w, conds, what=f"<host-unknown/> (or another stream error: RFC 6120 names none) for a "
                             f"TLS restart naming {other} (RFC 6120 §4.3.3)")
    w2, _, f2 = tls_stream(d, "sasl")
    authenticate(d, w2, f2)
    w2.restart()
    w2.send(header_bytes(cfg, to=other))
    c2 = expect_stream_error(w2, conds, what=f"<host-unknown/> (or another stream error) for a SASL restart naming "
                             f"{other} (RFC 6120 §4.3.3)")
    if (c1, c2) != ("host-unknown", "host-unknown"):
        note = (note + "; " if note else "") + f"variant: <{c1}/>, <{c2}/> (the catalogue's choice is <host-unknown/>)"
    return note


@dialogue("STR-34", slow=True)
def str34(d):
    cfg = d.cfg
    d.cfg.need("IDLE_TIMEOUT", "PING_TIMEOUT")
    idle, ping = cfg.num("IDLE_TIMEOUT"), cfg.num("PING_TIMEOUT")
    s = login(d)
    s.w.auto_pong = False
    t0 = time.monotonic()
    ev = s.w.next(idle + 5)
    el = ev.el if ev.kind == "el" else None
    if el is None or not el.is_(NS_CLIENT, "iq") or el.get("type") != "get" or el.child("urn:xmpp:ping", "ping") is None:
        raise Fail(f"<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq> after {idle} s of silence (XEP-0199 §4.3)",
                   ev.describe())
    if (el.get("to") or "") != s.jid or (el.get("from") or "").lower() != cfg.domain.lower():
        raise Fail(f"the ping from='{cfg.domain}' to='{s.jid}'", el.describe())
    first = time.monotonic() - t0
    s.send(f"<iq type='result' id='{xml_attr(el.get('id'))}' to='{xml_attr(cfg.domain)}'/>")
    ev = s.w.next(idle + 5)
    if ev.kind != "el" or ev.el.get("type") != "get":
        raise Fail("the stream kept after the answer, and pinged again after the next silence", ev.describe())
    expect_stream_error(s.w, "connection-timeout", within=ping + 5,
                        what=f"<connection-timeout/> when a ping is not answered within {ping} s")
    return f"pinged after {first:.1f} s; an unanswered ping closed the stream"


# --- stream errors --------------------------------------------------------------------------------
@dialogue("ERR-04")
def err04(d):
    cfg = d.cfg
    rcv = login(d, who=2, label="u2") if cfg.user2 else None
    s = login(d)
    m = tok("nwf")
    to = rcv.jid if rcv else s.jid
    s.send(f"<message to='{xml_attr(to)}' id='{m}'><body>No closing tag! {m}</message>")
    c1 = expect_stream_error(s.w, NWF)
    if rcv:
        received_nothing(rcv.w, m, "nothing of a stanza that is not well-formed delivered")
    w = connect(d, "header")
    w.send(f"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
           f"xmlns:stream='http://etherx.jabber.org/streams' to='{xml_attr(cfg.domain)}' version='1.0' bogus>")
    c2 = expect_stream_error(w, NWF)
    names = {c1, c2}
    if names & {"bad-format", "not-well-formed"}:
        return "conditions: " + ", ".join(sorted(names))


@dialogue("ERR-05")
def err05(d):
    cfg = d.cfg
    rcv = login(d, who=2, label="u2") if cfg.user2 else None
    s = login(d)
    m = tok("prefix")
    to = rcv.jid if rcv else s.jid
    s.send(f"<message to='{xml_attr(to)}' id='{m}'><foo:body>{m}</foo:body></message>")
    c = expect_stream_error(s.w, NWF)
    if rcv:
        received_nothing(rcv.w, m, "nothing of a stanza with an undeclared prefix delivered")
    if c != "xml-not-well-formed":
        return f"condition <{c}/>"


@dialogue("ERR-06")
def err06(d):
    s = login(d)
    s.send("<pubsub xmlns='jabber:client'/>")
    bid = tok("after")
    s.send(f"<iq type='get' id='{bid}'><ping xmlns='urn:xmpp:ping'/></iq>")
    ev = s.w.next()
    if ev.kind == "el" and ev.el.is_(NS_CLIENT, "iq") and ev.el.get("id") == bid:
        return "variant: the element is ignored (RFC 6120 §4.8.4 allows ignoring it)"
    s.w.events.insert(0, ev)
    expect_stream_error(s.w, "unsupported-stanza-type")


@dialogue("ERR-10")
def err10(d):
    res = tok("conflict")
    a = login(d, resource=res, label="old")
    b_w, _, f = tls_stream(d, "new")
    authenticate(d, b_w, f)
    restart(b_w, d.cfg)
    iid = tok("bind")
    b_w.send(f"<iq type='set' id='{iid}'><bind xmlns='{NS_BIND}'><resource>{res}</resource></bind></iq>")
    ev = b_w.next()
    el = ev.el if ev.kind == "el" else None
    if el is None or el.get("id") != iid:
        raise Fail("an answer to the second bind of the same resource", ev.describe())
    if el.get("type") == "error":
        return "variant: the new bind is refused (RFC 3920 §7 <conflict/>); the old session stays"
    j = el.child(NS_BIND, "bind")
    jid = j.child(NS_BIND, "jid").text if j is not None and j.child(NS_BIND, "jid") is not None else ""
    if not jid.endswith("/" + res):
        return f"variant: the new session got another resource ({jid}; RFC 6120 §7.7.2.2)"
    expect_stream_error(a.w, "conflict", need_header=False,
                        what="<conflict/> on the old stream once a newer session bound its resource "
                             "(RFC 3920 §4.7.3; RFC 3921 §3)")


@dialogue("ERR-11")
def err11(d):
    cfg = d.cfg
    a = login(d, who=1, label="witness-a", presence=True)
    b = login(d, who=2, label="witness-b", presence=True)
    n = [0]

    def exchange():
        n[0] += 1
        m = tok("w")
        a.send(f"<message to='{xml_attr(b.jid)}' id='{m}' type='chat'><body>witness {m}</body></message>")
        el = wait_for(b.w, lambda e: e.get("id") == m, f"the witness message id='{m}' at {b.jid}")
        if el.get("from") != a.jid or el.child(NS_CLIENT, "body") is None or \
                el.child(NS_CLIENT, "body").text != f"witness {m}":
            raise Fail(f"the witness message intact from {a.jid}", el.describe())
        r = tok("r")
        b.send(f"<message to='{xml_attr(a.bare)}' id='{r}' type='chat'><body>reply {r}</body></message>")
        wait_for(a.w, lambda e: e.get("id") == r, f"the witness reply id='{r}' at {a.jid}")

    exchange()
    # a SASL failure, a stream error, a stanza error, a TLS failure — each on its own stream
    w, _, f = tls_stream(d, "bad-sasl")
    sasl_auth(w, cfg, pick_mech(cfg, mechanisms(f)), cfg.user, cfg.password + "-wrong")
    exchange()
    s = login(d, label="bad-xml")
    s.send("<message><body></message>")
    s.w.read_until_eof()
    exchange()
    s = login(d, label="bad-iq")
    bid = tok("bad")
    s.send(f"<iq type='bogus' id='{bid}' to='{xml_attr(cfg.domain)}'><x xmlns='urn:example:x'/></iq>")
    s.w.quiet(0.5)
    exchange()
    w = connect(d, "bad-tls")
    _, f = open_stream(w, cfg)
    w.send(f"<starttls xmlns='{NS_TLS}'/>")
    w.next()
    w.raw_sock.sendall(b"HELLO\r\n")
    w.pending_bytes(2.0)
    exchange()
    return f"{n[0]} exchanges intact around a SASL failure, a stream error, a stanza error, a TLS failure"
