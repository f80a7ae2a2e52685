"""Stanzas and routing (RFC 3920 §3, §9, §10; RFC 3921 §11; RFC 6120 §8, §10): from stamping,
stanza errors, iq rules, delivery by JID, JIDs prepared before they are compared."""
import time

from client import (NA, Fail, barrier, expect_stanza_error, expect_stream_error, login, received_nothing,
                    stanza_error, tok, wait_for)
from registry import dialogue
from wire import NS_CLIENT, NS_STANZAS, NS_STREAMS, short, xml_attr

MALFORMED = ("jid-malformed",)


def pair(d, presence=False):
    """Sender (USER) and receiver (USER2) sessions."""
    d.cfg.creds(2)
    b = login(d, who=2, label="u2", presence=presence)
    a = login(d, who=1, label="u1", presence=presence)
    return a, b


def message(to, mid, body=None, extra=""):
    body = mid if body is None else body
    return f"<message to='{xml_attr(to)}' id='{mid}' type='chat'{extra}><body>{body}</body></message>"


def delivered(b, mid, what, timeout=None):
    return wait_for(b.w, lambda e: e.get("id") == mid, what, timeout)


def unknown_iq(to, iid, kind="get"):
    to_attr = f" to='{xml_attr(to)}'" if to is not None else ""
    return f"<iq type='{kind}' id='{iid}'{to_attr}><query xmlns='urn:example:conformance:{iid}'/></iq>"


# --- from, errors, iq ---------------------------------------------------------------------------
@dialogue("STZ-01")
def stz01(d):
    a, b = pair(d)
    m = tok("stamp")
    a.send(message(b.jid, m))
    el = delivered(b, m, f"our message id='{m}' at {b.jid}")
    if el.get("from") != a.jid:
        raise Fail(f"from='{a.jid}', the sender's full JID (RFC 3920 §9.1.2; RFC 6120 §8.1.2.1)", el.describe())


@dialogue("STZ-02")
def stz02(d):
    a, b = pair(d)
    forged = f"{d.cfg.user2}@{d.cfg.domain}/forged"
    m = tok("forged")
    a.send(message(b.jid, m, extra=f" from='{xml_attr(forged)}'"))
    ev = a.w.next(0.5)
    if ev.kind == "el" and ev.el.is_(NS_STREAMS, "error"):
        a.w.events.insert(0, ev)
        expect_stream_error(a.w, "invalid-from", need_header=False)
        received_nothing(b.w, m, "nothing delivered with a forged from")
        return "variant: <invalid-from/> closes the stream (RFC 3920 §9.1.2)"
    if ev.kind != "timeout":
        a.w.events.insert(0, ev)
    el = delivered(b, m, f"our message id='{m}' at {b.jid}, its from overwritten")
    if el.get("from") != a.jid:
        raise Fail(f"from='{a.jid}' whatever the client wrote (RFC 6120 §8.1.2.1)", el.describe())
    m2 = tok("bare")
    a.send(message(b.jid, m2, extra=f" from='{xml_attr(a.bare)}'"))
    el = delivered(b, m2, f"our message id='{m2}' with from = our bare JID")
    if el.get("from") != a.jid:
        raise Fail(f"from='{a.jid}' (the full JID) over our bare JID", el.describe())


@dialogue("STZ-05")
def stz05(d):
    s = login(d)
    m = tok("malformed")
    bad = f"a@b@{d.cfg.domain}"
    s.send(message(bad, m))
    el = expect_stanza_error(s.w, "message", m, "modify", MALFORMED)
    if el.get("from") == bad:
        raise Fail("an error without the malformed JID in from (RFC 6120 §8.3.1 rule 2)", el.describe())


@dialogue("STZ-06")
def stz06(d):
    s = login(d)
    for what, iq in (("type='subscribe'", "<iq type='subscribe' id='{i}' to='{to}'><ping xmlns='urn:xmpp:ping'/></iq>"),
                     ("no type", "<iq id='{i}' to='{to}'><ping xmlns='urn:xmpp:ping'/></iq>")):
        i = tok("iq")
        s.send(iq.format(i=i, to=xml_attr(d.cfg.domain)))
        expect_stanza_error(s.w, "iq", i, "modify", ("bad-request",),
                            f"<iq type='error' id='{i}'><error type='modify'><bad-request/></error></iq> for an iq with "
                            f"{what} (RFC 3920 §9.2.3 rule 2; RFC 6120 §8.2.3)")
    s.send(f"<iq type='get' to='{xml_attr(d.cfg.domain)}'><ping xmlns='urn:xmpp:ping'/></iq>")
    el = wait_for(s.w, lambda e: e.is_(NS_CLIENT, "iq") and e.get("id") is None,
                  "<iq type='error'><error type='modify'><bad-request/></error></iq> for an iq without id "
                  "(RFC 3920 §9.2.3 rule 1)")
    t, c = stanza_error(el)
    if el.get("type") != "error" or c != "bad-request":
        raise Fail("<bad-request/> for an iq without id", el.describe())


@dialogue("STZ-07")
def stz07(d):
    s = login(d)
    for to, kind in ((d.cfg.domain, "get"), (None, "get"), (s.bare, "set")):
        i = tok("ans")
        s.send(unknown_iq(to, i, kind))
        el = wait_for(s.w, lambda e: e.is_(NS_CLIENT, "iq") and e.get("id") == i,
                      f"a result or an error with id='{i}' for an iq {kind} to {to or 'no one'} (RFC 3920 §9.2.3 rule 3)")
        if el.get("type") not in ("result", "error"):
            raise Fail("type='result' or type='error'", el.describe())


@dialogue("STZ-08")
def stz08(d):
    s = login(d)
    to = xml_attr(d.cfg.domain)
    for what, iq in (("no child", "<iq type='get' id='{i}' to='{to}'/>"),
                     ("two children", "<iq type='get' id='{i}' to='{to}'><ping xmlns='urn:xmpp:ping'/>"
                                      "<query xmlns='jabber:iq:version'/></iq>")):
        i = tok("kids")
        s.send(iq.format(i=i, to=to))
        expect_stanza_error(s.w, "iq", i, "modify", ("bad-request",),
                            f"<iq type='error' id='{i}'><error type='modify'><bad-request/></error></iq> for a get "
                            f"with {what} (RFC 3920 §9.2.3 rule 5)")


@dialogue("STZ-09")
def stz09(d):
    s = login(d)
    ids = []
    for to in (d.cfg.domain, s.bare, None):
        for kind in ("result", "error"):
            i = tok(kind)
            ids.append(i)
            to_attr = f" to='{xml_attr(to)}'" if to else ""
            err = ("<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
                   if kind == "error" else "")
            s.send(f"<iq type='{kind}' id='{i}'{to_attr}>{err}</iq>")
    got = [e for e in barrier(s.w) if e.get("id") in ids]
    if got:
        raise Fail("no answer to a result or error iq (RFC 3920 §9.2.3 rule 4)", got[0].describe())


@dialogue("STZ-10")
def stz10(d):
    s = login(d)
    ids = []
    err = "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
    for to in (f"{tok('nosuchuser')}@{d.cfg.domain}", f"{d.cfg.user}@{d.cfg.domain}/{tok('gone')}",
               f"x@{d.cfg.remote_domain}"):
        i = tok("err")
        ids.append(i)
        s.send(f"<message type='error' id='{i}' to='{xml_attr(to)}'>{err}</message>")
    time.sleep(1.0)
    got = [e for e in barrier(s.w) if e.get("id") in ids]
    if got:
        raise Fail("no error answering an error stanza (RFC 3920 §9.3.1)", got[0].describe())


@dialogue("STZ-11")
def stz11(d):
    s = login(d)
    i = tok("shape")
    s.send(unknown_iq(d.cfg.domain, i))
    el = wait_for(s.w, lambda e: e.get("id") == i, f"an error for id='{i}'")
    errs = [c for c in el.children if c.ns == NS_CLIENT and c.name == "error"]
    if el.name != "iq" or el.get("type") != "error" or len(errs) != 1:
        raise Fail("<iq type='error' id=…> with one <error/> (RFC 3920 §9.3.1)", el.describe())
    e = errs[0]
    conds = [c for c in e.children if c.ns == NS_STANZAS and c.name != "text"]
    if e.get("type") not in ("auth", "cancel", "continue", "modify", "wait") or len(conds) != 1:
        raise Fail("<error type='cancel|continue|modify|auth|wait'> with one condition in "
                   "urn:ietf:params:xml:ns:xmpp-stanzas (RFC 3920 §9.3.2)", el.describe())
    if not any(c.name == "query" for c in el.children):
        return "the original payload is not included (RFC 3920 §9.3.1 SHOULD)"


@dialogue("STZ-13")
def stz13(d):
    """The sender's stream asks for xml:lang='de' (a language the server need not write itself):
    a stanza without xml:lang gets 'de' (RFC 6120 §4.7.4 SHOULD, "even if the receiving entity does
    not support that language"), one with xml:lang='fr' keeps it (MUST)."""
    d.cfg.creds(2)
    b = login(d, who=2, label="u2")
    a = login(d, who=1, label="u1", lang="de")
    m1, m2 = tok("lang"), tok("fr")
    a.send(message(b.jid, m2, extra=" xml:lang='fr'"))
    el = delivered(b, m2, f"our message id='{m2}'")
    if el.lang != "fr":
        raise Fail("xml:lang='fr' kept on a routed stanza (RFC 3920 §9.1.5; RFC 6120 §4.7.4 MUST NOT modify)",
                   el.describe())
    a.send(message(b.jid, m1))
    el = delivered(b, m1, f"our message id='{m1}'")
    if el.lang != "de":
        raise Fail("xml:lang='de', the language the sender's stream asked for, on a stanza without one "
                   "(RFC 6120 §4.7.4 SHOULD)", el.describe())


@dialogue("STZ-14")
def stz14(d):
    a, b = pair(d)
    m = tok("id")
    raw_id = f"{m}&amp;&lt;&apos;x"
    a.send(f"<message to='{xml_attr(b.jid)}' id='{raw_id}' type='chat'><body>{m}</body></message>")
    want = f"{m}&<'x"
    wait_for(b.w, lambda e: e.get("id") == want, f"our message with id {want!r} (RFC 3920 §9.1.3)")


@dialogue("STZ-17")
def stz17(d):
    a, b = pair(d)
    m = tok("foreign")
    a.send(f"<ns1:foo xmlns:ns1='http://example.org/ns1' to='{xml_attr(b.jid)}' id='{m}'>{m}</ns1:foo>")
    i = tok("after")
    a.send(f"<iq type='get' id='{i}'><ping xmlns='urn:xmpp:ping'/></iq>")
    ev = a.w.next()
    note = None
    if ev.kind == "el" and ev.el.get("id") == i:
        note = "variant: ignored (RFC 6120 §4.8.4)"
    else:
        a.w.events.insert(0, ev)
        expect_stream_error(a.w, "unsupported-stanza-type", need_header=False,
                            what="<unsupported-stanza-type/> or the element ignored (RFC 6120 §4.8.4), never routed")
    received_nothing(b.w, m, "nothing of a first-level element in a foreign namespace delivered (RFC 6120 §4.8.4)")
    return note


@dialogue("STZ-18")
def stz18(d):
    a, b = pair(d)
    m = tok("half")
    whole = message(b.jid, m, f"first half {m} second half")
    cut = whole.index("second")
    a.send(whole[:cut])
    received_nothing(b.w, m, "nothing of half a stanza delivered (RFC 6120 §8)", grace=0.5)
    a.send(whole[cut:])
    delivered(b, m, "the stanza once its end tag arrived")


# --- routing ------------------------------------------------------------------------------------
@dialogue("RT-02")
def rt02(d):
    s = login(d)
    i = tok("noto")
    s.send(unknown_iq(None, i))
    el = expect_stanza_error(s.w, "iq", i, "cancel", ("service-unavailable",))
    if el.get("from") not in (None, s.bare):
        raise Fail("no from, or our bare JID, on the server's answer for the account (RFC 6120 §8.1.2.1)",
                   el.describe())
    p = tok("ping")
    s.send(f"<iq type='get' id='{p}'><ping xmlns='urn:xmpp:ping'/></iq>")
    el = wait_for(s.w, lambda e: e.get("id") == p, f"an answer to a ping without to, id='{p}'")
    return f"ping answered with type='{el.get('type')}'"


@dialogue("RT-03")
def rt03(d):
    a1 = login(d, label="a1", presence=True)
    a2 = login(d, label="a2", presence=True)
    m = tok("noto")
    a1.send(f"<message id='{m}' type='chat'><body>{m}</body></message>")
    for s in (a1, a2):
        for e in barrier(s.w):
            if e.get("id") == m:
                return f"delivered to {s.jid}"
    raise Fail("a message without to delivered as to our own bare JID (RFC 6120 §10.3.1)", "nothing at either resource")


@dialogue("RT-04")
def rt04(d):
    s = login(d)
    i = tok("dom")
    s.send(unknown_iq(d.cfg.domain, i))
    expect_stanza_error(s.w, "iq", i, "cancel", ("service-unavailable", "feature-not-implemented"))
    p = tok("pres")
    s.send(f"<presence to='{xml_attr(d.cfg.domain)}' id='{p}'/>")
    got = [e for e in barrier(s.w) if e.get("id") == p and e.get("type") == "error"]
    if got:
        return "presence to the domain is answered with an error: " + got[0].describe()


@dialogue("RT-05")
def rt05(d):
    s = login(d)
    m = tok("sub")
    to = f"user@{tok('nope')}.{d.cfg.domain}"
    s.send(message(to, m))
    el = wait_for(s.w, lambda e: e.get("id") == m, f"an error for a message to {to}, a subdomain not served "
                  "(RFC 3920 §10.3)", timeout=d.cfg.remote_timeout)
    t, c = stanza_error(el)
    if el.get("type") != "error" or c is None:
        raise Fail("an error stanza", el.describe())
    return f"<{c}/> ({t})"


@dialogue("RT-06")
def rt06(d):
    d.cfg.creds(2)
    b1 = login(d, who=2, label="b1", presence=True)
    b2 = login(d, who=2, label="b2", presence=True)
    a = login(d, label="a")
    m = tok("full")
    a.send(message(b1.jid, m))
    delivered(b1, m, f"our message at {b1.jid}")
    i = tok("iqfull")
    a.send(unknown_iq(b1.jid, i))
    wait_for(b1.w, lambda e: e.get("id") == i, f"our iq delivered to {b1.jid} (RFC 3920 §10.5 rule 1)")
    b1.send(f"<iq type='error' id='{i}' to='{xml_attr(a.jid)}'><query xmlns='urn:example:conformance:{i}'/>"
            "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
    received_nothing(b2.w, m, f"nothing for {b1.jid} at {b2.jid}")
    received_nothing(b2.w, i, f"nothing for {b1.jid} at {b2.jid}", grace=0)


@dialogue("RT-09")
def rt09(d):
    a, b = pair(d, presence=True)
    m = tok("bare")
    a.send(message(b.bare, m))
    el = delivered(b, m, f"our message to {b.bare} at its available resource (RFC 3921 §11.1 rule 4.1)")
    if el.get("to") != b.bare:
        raise Fail(f"to='{b.bare}' unchanged", el.describe())


@dialogue("RT-10")
def rt10(d):
    a, b = pair(d, presence=True)
    p = tok("dir")
    a.send(f"<presence to='{xml_attr(b.bare)}' id='{p}'/>")
    el = delivered(b, p, f"our directed presence to {b.bare} at its available resource (RFC 3921 §11.1 rule 4.2)")
    if el.get("to") != b.bare or el.get("from") != a.jid:
        raise Fail(f"to='{b.bare}' unchanged, from='{a.jid}'", el.describe())


@dialogue("RT-11")
def rt11(d):
    a, b = pair(d, presence=True)
    i = tok("iqbare")
    a.send(unknown_iq(b.bare, i))
    el = expect_stanza_error(a.w, "iq", i, "cancel", ("service-unavailable",))
    if el.get("from") != b.bare:
        raise Fail(f"the error from='{b.bare}', answered on the user's behalf (RFC 3921 §11.1 rule 4.3)",
                   el.describe())
    received_nothing(b.w, i, "nothing of an iq to the bare JID at a resource (RFC 3921 §11.1 rule 4.3)")


@dialogue("RT-14")
def rt14(d):
    s = login(d)
    m = tok("remote")
    to = f"someone@{d.cfg.remote_domain}"
    s.send(message(to, m))
    el = wait_for(s.w, lambda e: e.get("id") == m, f"an error for a message to {to} (RFC 3920 §10.2)",
                  timeout=d.cfg.remote_timeout)
    t, c = stanza_error(el)
    if el.get("type") != "error" or c not in ("remote-server-not-found", "remote-server-timeout"):
        raise Fail("<remote-server-not-found/> (cancel) or <remote-server-timeout/> (wait) (RFC 6120 §10.4.3)",
                   el.describe())
    return f"<{c}/> ({t})"


@dialogue("RT-18")
def rt18(d):
    s = login(d)
    for to in (f"{'n' * 1024}@{d.cfg.domain}", f"{d.cfg.user}@{d.cfg.domain}/{'r' * 1024}"):
        m = tok("long")
        s.send(message(to, m))
        expect_stanza_error(s.w, "message", m, "modify", MALFORMED,
                            f"<message type='error' id='{m}'><error type='modify'><jid-malformed/></error></message> "
                            f"for a 'to' part of 1024 bytes (RFC 3920 §3.1)")


@dialogue("RT-19")
def rt19(d):
    a, b = pair(d)
    m = tok("case")
    up = f"{d.cfg.user2.upper()}@{d.cfg.domain.upper()}/{b.resource}"
    a.send(message(up, m))
    delivered(b, m, f"our message to {up} at {b.jid} (node and domain prepared; RFC 3920 §3.2-§3.3)")
    swapped = b.resource.swapcase()
    if swapped == b.resource:
        return "the resource has no letters: its case was not tried"
    i = tok("rescase")
    a.send(unknown_iq(f"{b.bare}/{swapped}", i))
    wait_for(a.w, lambda e: e.get("id") == i, f"an error for an iq to {b.bare}/{swapped}, which is not bound")
    received_nothing(b.w, i, f"nothing for /{swapped} at /{b.resource}: the resource keeps its case (RFC 3920 §3.4)")


# --- JIDs at the stanza layer -------------------------------------------------------------------
def expect_malformed(s, tos, rule):
    for to in tos:
        m = tok("jid")
        s.send(message(to, m))
        expect_stanza_error(s.w, "message", m, "modify", MALFORMED,
                            f"<jid-malformed/> (modify) for to='{short(to, 60)}' ({rule})")


@dialogue("JID-01")
def jid01(d):
    d.cfg.creds(2)
    res = f"r@x/{tok('y')}"
    b = login(d, who=2, resource=res, label="u2")
    if b.resource != res:
        raise Fail(f"the resource {res} bound as is: the resource is everything after the first '/' "
                   "(RFC 3920 §3.1)", b.jid)
    a = login(d, label="u1")
    m = tok("split")
    a.send(message(b.jid, m))
    delivered(b, m, f"our message to {b.jid} (split at the first '/')")


@dialogue("JID-02")
def jid02(d):
    s = login(d)
    expect_malformed(s, [f"{'n' * 1024}@{d.cfg.domain}", f"{'d' * 1024}"], "RFC 3920 §3.1: 1023 bytes a part")
    i = tok("edge")
    s.send(unknown_iq(f"{'n' * 1023}@{d.cfg.domain}", i))
    el = wait_for(s.w, lambda e: e.get("id") == i, f"an answer for a node of exactly 1023 bytes, id='{i}'")
    if stanza_error(el)[1] == "jid-malformed":
        raise Fail("a node of 1023 bytes accepted (RFC 3920 §3.1)", el.describe())


@dialogue("JID-03")
def jid03(d):
    s = login(d)
    expect_malformed(s, [f"{d.cfg.user2 or 'x'}@", f"@{d.cfg.domain}", f"{d.cfg.user}@{d.cfg.domain}/",
                         f"/{tok('r')}"], "RFC 3920 §3.1-§3.2; RFC 6122 §2.2")


@dialogue("JID-05")
def jid05(d):
    s = login(d)
    i = tok("dom")
    s.send(f"<iq type='get' id='{i}' to='{xml_attr(d.cfg.domain.upper())}'><ping xmlns='urn:xmpp:ping'/></iq>")
    el = wait_for(s.w, lambda e: e.get("id") == i, f"an answer from {d.cfg.domain} to an iq to {d.cfg.domain.upper()}")
    t, c = stanza_error(el)
    if c in ("remote-server-not-found", "remote-server-timeout", "jid-malformed"):
        raise Fail(f"{d.cfg.domain.upper()} prepared to {d.cfg.domain}: served here (RFC 3920 §3.2, nameprep)",
                   el.describe())


@dialogue("JID-07")
def jid07(d):
    a, b = pair(d)
    m = tok("dot")
    a.send(message(f"{b.jid.split('@')[0]}@{d.cfg.domain}./{b.resource}", m))
    delivered(b, m, f"our message to {b.bare}./{b.resource} at {b.jid} (RFC 6122 §2.2: a trailing dot is removed)")


@dialogue("JID-08")
def jid08(d):
    a, b = pair(d)
    up = d.cfg.user2.upper()
    if up == d.cfg.user2:
        raise NA("USER2 has no letters to fold")
    m = tok("node")
    a.send(message(f"{up}@{d.cfg.domain}/{b.resource}", m))
    delivered(b, m, f"our message to {up}@{d.cfg.domain}/{b.resource} at {b.jid} (RFC 3920 §3.3, nodeprep)")


@dialogue("JID-09")
def jid09(d):
    s = login(d)
    expect_malformed(s, [f"a:b@{d.cfg.domain}", f"a<b@{d.cfg.domain}", f"a'b@{d.cfg.domain}",
                         f"a\"b@{d.cfg.domain}", f"a&b@{d.cfg.domain}", f"a b@{d.cfg.domain}"],
                     "RFC 3920 Appendix A.5")


@dialogue("JID-10")
def jid10(d):
    d.cfg.creds(2)
    res = f"MiXeD@Case/{tok('Res')}"
    b = login(d, who=2, resource=res, label="u2")
    if b.resource != res:
        raise Fail(f"the resource {res} with its case, '@' and '/' (RFC 3920 §3.4)", b.jid)
    s = login(d)
    expect_malformed(s, [f"{d.cfg.user2}@{d.cfg.domain}/"], "RFC 3920 §3.4: empty resource")
    m = tok("res")
    s.send(message(b.jid, m))
    delivered(b, m, f"our message at {b.jid}")


@dialogue("JID-11")
def jid11(d):
    a, b = pair(d, presence=True)
    m = tok("cmp")
    to = f"{d.cfg.user2.upper()}@{d.cfg.domain.upper()}"
    a.send(message(to, m))
    delivered(b, m, f"our message to {to} at {b.jid}: JIDs are compared after preparation (RFC 3920 §3)")
