"""XML restrictions (RFC 3920 §11; RFC 6120 §11, §13.12): restricted XML, encodings, characters,
well-formedness, prefixes, size caps, what the server writes."""
import re

from client import (NOT_WELL_FORMED, NA, Fail, authenticate, barrier, bind, connect, expect_header,
                    expect_stream_error, header_bytes, login, open_stream, received_nothing, restart, starttls, tok,
                    tls_stream, wait_for)
from registry import dialogue
from wire import NS_CLIENT, NS_STREAMS, short, xml_attr

NWF = NOT_WELL_FORMED + ("bad-format",)
RESTRICTED = ("restricted-xml", "bad-format") + NOT_WELL_FORMED


def pair(d):
    d.cfg.creds(2)
    b = login(d, who=2, label="u2")
    a = login(d, who=1, label="u1")
    return a, b


def refused_or_ignored(a, b, data, m, rule, ignore_ok=True):
    """Sends `data` (holding marker m) then a ping: a stream error of RESTRICTED, or (RFC 3920
    "ignore") the ping answered and nothing of it delivered with the construct."""
    a.send(data)
    i = tok("after")
    a.send(f"<iq type='get' id='{i}'><ping xmlns='urn:xmpp:ping'/></iq>")
    while True:
        ev = a.w.next()
        if ev.kind == "el" and ev.el.get("id") == i and ignore_ok:
            if b is not None:
                got = [e for e in barrier(b.w) if m.encode() in e.raw]
                if got and (b"<!--" in got[0].raw or b"<?" in got[0].raw):
                    raise Fail("the restricted construct never forwarded (RFC 3920 §11.1)", got[0].describe())
            return "variant: ignored (RFC 3920 §11.1), never forwarded"
        if ev.kind == "el" and not ev.el.is_(NS_STREAMS, "error"):
            continue
        a.w.events.insert(0, ev)
        break
    c = expect_stream_error(a.w, RESTRICTED, need_header=False,
                            what=f"<restricted-xml/> and the close ({rule}; RFC 6120 §4.9.3.18)")
    if b is not None:
        received_nothing(b.w, m, "nothing of the stanza delivered")
    if c != "restricted-xml":
        return f"variant: <{c}/> (RFC 6120 §11.1 MUST close; restricted-xml is its SHOULD)"


@dialogue("XML-02")
def xml02(d):
    a, b = pair(d)
    m = tok("esc")
    a.send(f"<message to='{xml_attr(b.jid)}' id='{m}' type='chat'>"
           f"<body>{m} a &lt; b &amp; c &gt; d &quot;e&quot; &apos;f&apos;</body>"
           f"<x xmlns='urn:example:conformance' v='1 &lt; 2 &amp; 3 &gt; 0 &quot;q&quot; &apos;a&apos;'/></message>")
    el = wait_for(b.w, lambda e: e.get("id") == m, f"our message id='{m}'")
    raw = el.raw.decode("utf-8")
    body = re.search(r"<body[^>]*>(.*?)</body>", raw, re.S)
    attr = re.search(r"""\sv=(['"])(.*?)\1""", raw, re.S)
    if not body or not attr:
        raise Fail("the body and the v attribute delivered", short(raw))
    problems = []
    for name, text, quote in (("character data", body.group(1), None), ("attribute value", attr.group(2), attr.group(1))):
        for ch, ent in (("<", "&lt;"), ("&", None), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;")):
            if ch == "&":
                if re.search(r"&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)", text):
                    problems.append(f"raw & in {name}")
            elif ch in text:
                problems.append(f"raw {ch} in {name}")
    if problems:
        raise Fail("all five of < & > \" ' escaped in character data and attribute values (RFC 3920 §11.1)",
                   "; ".join(problems) + f": {short(raw)}")


@dialogue("XML-03")
def xml03(d):
    a, b = pair(d)
    m = tok("comment")
    return refused_or_ignored(a, b, f"<message to='{xml_attr(b.jid)}' id='{m}' type='chat'><!--<subject/>-->"
                                    f"<body>{m}</body></message>", m, "RFC 6120 §11.1 comment")


@dialogue("XML-04")
def xml04(d):
    a = login(d)
    m = tok("pi")
    return refused_or_ignored(a, None, f"<?foo {m}?>", m, "RFC 6120 §11.1 processing instruction")


@dialogue("XML-05")
def xml05(d):
    w = connect(d)
    w.send("<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY a 'aaaaaaaaaa'>"
           "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]>" +
           header_bytes(d.cfg, decl=""))
    c = expect_stream_error(w, RESTRICTED, what="our header, <restricted-xml/> and the close for a DOCTYPE "
                            "(RFC 3920 §11.1; RFC 6120 §11.1)")
    w2 = connect(d, "xxe")
    w2.send("<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>" +
            header_bytes(d.cfg, decl=""))
    expect_stream_error(w2, RESTRICTED)
    if c != "restricted-xml":
        return f"variant: <{c}/>"


@dialogue("XML-06")
def xml06(d):
    a, b = pair(d)
    m = tok("entity")
    a.send(f"<message to='{xml_attr(b.jid)}' id='{m}' type='chat'><body>{m} &foo;</body></message>")
    c = expect_stream_error(a.w, RESTRICTED, need_header=False,
                            what="<restricted-xml/> (or a not-well-formed condition) for an undeclared entity "
                                 "(RFC 3920 §11.1; XML 1.0 WFC: Entity Declared)")
    received_nothing(b.w, m, "nothing of the stanza delivered")
    if c != "restricted-xml":
        return f"<{c}/>"


@dialogue("XML-07")
def xml07(d):
    a, b = pair(d)
    m = tok("refs")
    a.send(f"<message to='{xml_attr(b.jid)}' id='{m}' type='chat'><body>{m}:&lt;&gt;&amp;&quot;&apos;&#65;"
           f"&#x42;&#x159;<![CDATA[<x>&]]></body></message>")
    el = wait_for(b.w, lambda e: e.get("id") == m, f"our message id='{m}'")
    body = el.child(NS_CLIENT, "body")
    want = f"{m}:<>&\"'ABř<x>&"
    if body is None or body.text != want:
        raise Fail(f"the body {want!r}: predefined entities, character references and CDATA expanded "
                   "(RFC 3920 §11.1)", el.describe())


@dialogue("XML-08")
def xml08(d):
    w = connect(d)
    w.send(header_bytes(d.cfg, decl="<?xml version='1.0' encoding='ISO-8859-1'?>"))
    c = expect_stream_error(w, ("unsupported-encoding", "bad-format"))
    w2 = connect(d, "utf16")
    w2.send(b"\xff\xfe" + header_bytes(d.cfg, decl="<?xml version='1.0' encoding='UTF-16'?>").encode("utf-16-le"))
    try:
        c2 = expect_stream_error(w2, ("unsupported-encoding", "bad-format") + NOT_WELL_FORMED)
    except Fail as e:
        raise Fail("<unsupported-encoding/> for UTF-16 input (RFC 3920 §11.5)", e.got)
    if c != "unsupported-encoding":
        return f"variant: <{c}/> for ISO-8859-1 (RFC 6120 §4.9.3.22 allows bad-format)"
    if c2 != "unsupported-encoding":
        return f"UTF-16 input: <{c2}/>"


@dialogue("XML-09")
def xml09(d):
    a, b = pair(d)
    m = tok("utf8")
    a.send(f"<message to='{xml_attr(b.jid)}' id='{m}' type='chat'><body>{m} ".encode() + b"\xc3\x28" +
           b"</body></message>")
    c = expect_stream_error(a.w, NWF + ("unsupported-encoding",), need_header=False)
    received_nothing(b.w, m, "nothing of the stanza delivered")
    if c != "xml-not-well-formed":
        return f"<{c}/>"


@dialogue("XML-10")
def xml10(d):
    w = connect(d)
    w.send("<?xml version='1.0'?><!-- c -->" + header_bytes(d.cfg, decl=""))
    ev = w.next()
    if ev.kind == "header":
        ev2 = w.next()
        if ev2.kind == "el" and ev2.el.is_(NS_STREAMS, "features"):
            return "variant: a comment before the header is ignored (RFC 3920 §11.1)"
        w.events.insert(0, ev2)
    else:
        w.events.insert(0, ev)
    c = expect_stream_error(w, RESTRICTED, need_header=False)
    s = login(d)
    s.send("<!-- later -->")
    i = tok("after")
    s.send(f"<iq type='get' id='{i}'><ping xmlns='urn:xmpp:ping'/></iq>")
    c2 = expect_stream_error(s.w, RESTRICTED, need_header=False)
    if {c, c2} != {"restricted-xml"}:
        return f"variant: <{c}/>, <{c2}/>"


@dialogue("XML-11")
def xml11(d):
    cfg = d.cfg
    decl = "<?xml version='1.0' encoding='UTF-8'?>"
    w = connect(d)
    _, f = open_stream(w, cfg, decl=decl)
    starttls(w, cfg, f)
    _, f2 = open_stream(w, cfg, decl=decl)
    authenticate(d, w, f2)
    restart(w, cfg, decl=decl)
    bind(w)


@dialogue("XML-12")
def xml12(d):
    w = connect(d)
    w.send(header_bytes(d.cfg, decl="<?xml version='1.0' standalone='yes'?>"))
    expect_header(w)
    ev = w.next()
    if ev.kind == "el" and ev.el.is_(NS_STREAMS, "features"):
        w2 = connect(d, "no")
        open_stream(w2, d.cfg, decl="<?xml version='1.0' encoding='UTF-8' standalone='no'?>")
        return None
    w.events.insert(0, ev)
    expect_stream_error(w, ("restricted-xml",), need_header=False,
                            what="the stream accepted (or, as protocol-notes allow, <restricted-xml/>)")
    return "variant: <restricted-xml/> for standalone='yes'"


@dialogue("XML-14")
def xml14(d):
    notes = []
    for what, body in (("a raw U+0001", b"\x01"), ("&#x1;", b"&#x1;"), ("&#x0;", b"&#x0;"),
                       ("&#xFFFE;", b"&#xFFFE;")):
        a = login(d, label=what)
        m = tok("char")
        a.send(f"<message to='{xml_attr(a.jid)}' id='{m}' type='chat'><body>{m} ".encode() + body +
               b"</body></message>")
        c = expect_stream_error(a.w, NWF, need_header=False,
                                what=f"<xml-not-well-formed/> for {what}, outside XML's Char production (XML 1.0 [2])")
        notes.append(c)
    if set(notes) != {"xml-not-well-formed"}:
        return "conditions: " + ", ".join(sorted(set(notes)))


@dialogue("XML-17")
def xml17(d):
    cases = (("mismatched tags", "<message to='{to}' id='{m}'><body>{m}</bodx></message>"),
             ("a duplicate attribute", "<message to='{to}' id='{m}' id='x'><body>{m}</body></message>"),
             ("'<' in a value", "<message to='{to}' id='{m}' type='a<b'><body>{m}</body></message>"),
             ("an unquoted value", "<message to='{to}' id={m}><body>{m}</body></message>"),
             ("']]>' in text", "<message to='{to}' id='{m}'><body>{m} ]]></body></message>"))
    notes = set()
    for what, tmpl in cases:
        a = login(d, label=what[:10])
        m = tok("nwf")
        a.send(tmpl.format(to=xml_attr(a.jid), m=m))
        notes.add(expect_stream_error(a.w, NWF, need_header=False,
                                      what=f"<xml-not-well-formed/> for {what} (RFC 3920 §11.3)"))
    if notes != {"xml-not-well-formed"}:
        return "conditions: " + ", ".join(sorted(notes))


@dialogue("XML-18")
def xml18(d):
    a, b = pair(d)
    m = tok("prefix")
    a.send(f"<foo:message xmlns:foo='jabber:client' to='{xml_attr(b.jid)}' id='{m}' type='chat'>"
           f"<foo:body>{m}</foo:body></foo:message>")
    i = tok("after")
    a.send(f"<iq type='get' id='{i}'><ping xmlns='urn:xmpp:ping'/></iq>")
    ev = a.w.next()
    if ev.kind == "el" and not ev.el.is_(NS_STREAMS, "error"):
        got = [e for e in barrier(b.w) if m.encode() in e.raw]
        if got:
            raise Fail("<bad-namespace-prefix/> for a prefixed stanza, never routed (RFC 6120 §4.8.5)",
                       "delivered: " + got[0].describe())
        return "variant: ignored, not routed (RFC 6120 §4.8.5)"
    a.w.events.insert(0, ev)
    expect_stream_error(a.w, "bad-namespace-prefix", need_header=False)
    received_nothing(b.w, m, "nothing of the prefixed stanza delivered")


@dialogue("XML-19")
def xml19(d):
    n = d.cfg.num("STANZA_LIMIT_PREAUTH")
    if n is None:
        raise NA("needs STANZA_LIMIT_PREAUTH=… (the server's stanza size cap before authentication)")
    w, _, f = tls_stream(d)
    w.send("<message><body>")
    chunk = "a" * 4096
    sent = 0
    try:
        while sent < n + 8192:
            w.send(chunk)
            sent += len(chunk)
    except OSError:
        pass
    expect_stream_error(w, "policy-violation", need_header=False,
                        what=f"<policy-violation/> for a stanza over {n} bytes before authentication "
                             "(RFC 6120 §13.12 item 4)")


@dialogue("XML-20")
def xml20(d):
    a = login(d)
    m = tok("del")
    a.send(f"<message to='{xml_attr(a.jid)}' id='{m}\x7f' type='chat'><body>{m}</body></message>")
    expect_stream_error(a.w, "bad-format", need_header=False,
                        what="<bad-format/> for a DEL character in an attribute value (catalogue REC, "
                             "CVE-2022-25236 class)")


@dialogue("XML-21")
def xml21(d):
    a, b = pair(d)
    m = tok("tree")
    payload = (f"<x xmlns='urn:example:conformance' a='1' xmlns:p='urn:example:p' p:b='2'>"
               f"<y>t&amp;<z/>u</y><p:w p:c='3'>{m}</p:w></x>")
    a.send(f"<message to='{xml_attr(b.jid)}' id='{m}' type='chat'>{payload}</message>")
    el = wait_for(b.w, lambda e: e.get("id") == m, f"our message id='{m}'")
    x = el.child("urn:example:conformance", "x")

    def flat(e):
        return (e.ns, e.name, sorted(e.attrs.items()), e.text, [flat(c) for c in e.children])
    want = ("urn:example:conformance", "x", [("a", "1"), ("urn:example:p b", "2")], "",
            [("urn:example:conformance", "y", [], "t&u", [("urn:example:conformance", "z", [], "", [])]),
             ("urn:example:p", "w", [("urn:example:p c", "3")], m, [])])
    if x is None or flat(x) != want:
        raise Fail("the payload with the same expanded names, attributes and text (catalogue REC)",
                   el.describe())
