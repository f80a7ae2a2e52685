"""The client side of the dialogues: parameters, TLS contexts, stream headers, SCRAM and PLAIN,
resource binding, and the expectations every dialogue shares (a stream error, a stanza error,
"nothing comes back").

A dialogue fails by raising Fail(expected, got); it is not applicable with NA(reason).
Expected texts name the RFC rule they come from; what a server sent is quoted from the wire.
"""
import base64
import hashlib
import hmac
import os
import ssl
import threading
import time

from wire import (NS_BIND, NS_CLIENT, NS_PING, NS_SASL, NS_SE, NS_SESSION, NS_STANZAS, NS_STREAMS,
                  NS_TLS, Wire, WireError, short, xml_attr, xml_text)


class Fail(Exception):
    def __init__(self, expected, got):
        super().__init__(f"expected {expected}, got {got}")
        self.expected, self.got = expected, got


class NA(Exception):
    pass


# Stream error conditions RFC 3920 §4.7.3 and RFC 6120 §4.9.3 define (either name is accepted
# on input, DESIGN.md "RFC 3920 vs RFC 6120").
STREAM_CONDITIONS = {
    "bad-format", "bad-namespace-prefix", "conflict", "connection-timeout", "host-gone", "host-unknown",
    "improper-addressing", "internal-server-error", "invalid-from", "invalid-id", "invalid-namespace",
    "invalid-xml", "not-authorized", "not-well-formed", "policy-violation", "remote-connection-failed",
    "reset", "resource-constraint", "restricted-xml", "see-other-host", "system-shutdown",
    "undefined-condition", "unsupported-encoding", "unsupported-feature", "unsupported-stanza-type",
    "unsupported-version", "xml-not-well-formed"}
STANZA_ERROR_TYPES = {"auth", "cancel", "continue", "modify", "wait"}
NOT_WELL_FORMED = ("xml-not-well-formed", "not-well-formed")
NWF_ALL = NOT_WELL_FORMED + ("bad-format",)

# Findings that span dialogues (ERR-01: the shape of every stream error seen in the run).
STREAM_ERRORS_SEEN = []
_SEEN_LOCK = threading.Lock()


class Config:
    """KEY=VALUE parameters (see README.md)."""
    KNOWN = ("TARGET", "DOMAIN", "USER", "PASS", "USER2", "PASS2", "CAFILE", "DOMAIN2", "GONE_HOST",
             "UNKNOWN_HOST", "REMOTE_DOMAIN", "AUTH_FAILURES", "BIND_FAILURES", "STANZA_LIMIT_PREAUTH",
             "HANDSHAKE_TIMEOUT", "IDLE_TIMEOUT", "PING_TIMEOUT", "TLS_REQUIRED", "DIRECT_TLS",
             "CLIENT_CERT", "CLIENT_KEY", "OTHER_CLIENT_CERT", "OTHER_CLIENT_KEY", "CERT_REQUIRED_DOMAIN",
             "TIMEOUT", "REMOTE_TIMEOUT", "ONLY", "SKIP", "VERBOSE", "JSON", "CATALOGUE", "MECH", "NAME",
             "S2S_TARGET", "PEER_DOMAIN", "PEER_LISTEN", "PEER_CERT", "PEER_KEY", "S2S_TLS_REQUIRED",
             "S2S_HANDSHAKE_TIMEOUT", "S2S_IDLE_TIMEOUT", "S2S_UNREACHABLE", "S2S_CONNECT_TIMEOUT",
             "S2S_VERIFY_PENDING", "S2S_QUEUE", "S2S_REFUSED_DOMAIN", "PEER_TRUSTED_CERT", "PEER_TRUSTED_KEY")

    def __init__(self, params):
        unknown = [k for k in params if k not in self.KNOWN]
        if unknown:
            raise SystemExit(f"conformance: unknown parameter(s) {', '.join(unknown)}; known: {', '.join(self.KNOWN)}")
        self.p = dict(params)
        for k in ("TARGET", "DOMAIN", "USER", "PASS"):
            if not self.p.get(k):
                raise SystemExit(f"conformance: {k}=… is required (TARGET=host:port DOMAIN=… USER=… PASS=…)")
        host, _, port = self.p["TARGET"].rpartition(":")
        if not host or not port.isdigit():
            raise SystemExit("conformance: TARGET is host:port")
        self.host, self.port = host.strip("[]"), int(port)
        self.domain = self.p["DOMAIN"]
        self.user, self.password = self.p["USER"], self.p["PASS"]
        self.user2, self.password2 = self.p.get("USER2") or None, self.p.get("PASS2") or None
        self.timeout = float(self.p.get("TIMEOUT") or 5)
        self.remote_timeout = float(self.p.get("REMOTE_TIMEOUT") or 15)
        self.cafile = self.p.get("CAFILE") or None
        self.unknown_host = self.p.get("UNKNOWN_HOST") or "unknown-host.invalid"
        self.remote_domain = self.p.get("REMOTE_DOMAIN") or "nonexistent.invalid"

    def get(self, key):
        v = self.p.get(key)
        return v if v not in (None, "") else None

    def num(self, key):
        v = self.get(key)
        return None if v is None else float(v) if "." in v else int(v)

    def need(self, *keys):
        missing = [k for k in keys if self.get(k) is None]
        if missing:
            raise NA(f"needs {' and '.join(missing)}=…")

    def bare(self, who=1):
        return f"{self.user if who == 1 else self.user2}@{self.domain}"

    def creds(self, who=1):
        if who == 2:
            if not self.user2 or not self.password2:
                raise NA("needs a second account: USER2=… PASS2=…")
            return self.user2, self.password2
        return self.user, self.password


_counter = [0]
_counter_lock = threading.Lock()


def tok(prefix="c"):
    """A fresh marker for ids, resources and bodies: never reused in a run."""
    with _counter_lock:
        _counter[0] += 1
        n = _counter[0]
    return f"{prefix}{os.getpid() % 1000:03d}{n:04d}{os.urandom(3).hex()}"


# --- TLS ---------------------------------------------------------------------------------------
def tls_context(cfg, cert=None, key=None, max_version=None, min_version=None, verify=True):
    """CAFILE given: the server's certificate must verify for the name we ask for; else no
    verification (TLS itself is still required)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if cfg.cafile and verify:
        ctx.load_verify_locations(cfg.cafile)
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(cert, key)
    if max_version is not None:
        ctx.maximum_version = max_version
    if min_version is not None:
        ctx.minimum_version = min_version
    return ctx


# --- streams -----------------------------------------------------------------------------------
def connect(d, label="c"):
    cfg = d.cfg
    w = Wire(cfg.host, cfg.port, cfg.timeout, label=label, log=d.log)
    d.wires.append(w)
    return w


def header_bytes(cfg, to=True, version="1.0", decl="<?xml version='1.0'?>", lang=None, extra="",
                 default_ns=NS_CLIENT, stream_ns=NS_STREAMS, prefix="stream"):
    to_attr = ""
    if to is True:
        to_attr = f" to='{xml_attr(cfg.domain)}'"
    elif to:
        to_attr = f" to='{xml_attr(to)}'"
    v = f" version='{version}'" if version is not None else ""
    lg = f" xml:lang='{lang}'" if lang else ""
    return (f"{decl or ''}<{prefix}:stream xmlns='{default_ns}' xmlns:{prefix}='{stream_ns}'"
            f"{to_attr}{v}{lg}{extra}>")


def ev_el(ev, ns=None, name=None):
    """The element of an event when it is one (of that name), else None."""
    if ev.kind != "el":
        return None
    if ns is not None and (ev.el.ns != ns or ev.el.name != name):
        return None
    return ev.el


def expect_header(w, what="the server's stream header"):
    ev = w.next()
    if ev.kind != "header":
        if ev.kind == "el" and ev.el.is_(NS_STREAMS, "error"):
            raise Fail(what, f"a stream error without a header first: {ev.describe()}")
        raise Fail(what, ev.describe())
    w.header_seen = True
    return ev.el


def expect_features(w, what="<stream:features/> after the header (RFC 3920 §4.6)"):
    ev = w.next()
    el = ev_el(ev, NS_STREAMS, "features")
    if el is None:
        raise Fail(what, ev.describe())
    return el


def open_stream(w, cfg, **kw):
    """Sends a header; returns (server header, features)."""
    w.send(header_bytes(cfg, **kw))
    hdr = expect_header(w)
    return hdr, expect_features(w)


def starttls(w, cfg, feats, sni=None, ctx=None):
    """<starttls/> → <proceed/> → TLS handshake."""
    if feats.child(NS_TLS, "starttls") is None:
        raise Fail("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> in the features (RFC 3920 §5.1 rule 3)",
                   feats.describe())
    w.send(f"<starttls xmlns='{NS_TLS}'/>")
    ev = w.next()
    if ev_el(ev, NS_TLS, "proceed") is None:
        raise Fail("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> (RFC 3920 §5.2 step 5)", ev.describe())
    if w.pending:
        raise Fail("nothing in the clear after <proceed/>: TLS begins right after it (RFC 3920 §5.2 step 5)",
                   short(bytes(w.pending)))
    name = sni if sni is not None else cfg.domain
    try:
        w.start_tls(ctx or tls_context(cfg), server_hostname=name or None)
    except (ssl.SSLError, OSError) as e:
        raise Fail("a TLS handshake after <proceed/>", f"{type(e).__name__}: {e}")
    return ev.el


def tls_stream(d, label="c", to=True, sni=None, ctx=None, **hdr):
    """A connection with TLS up and the restarted stream's features: (wire, header, features)."""
    cfg = d.cfg
    w = connect(d, label)
    _, feats = open_stream(w, cfg, to=to, **hdr)
    starttls(w, cfg, feats, sni=sni, ctx=ctx)
    hdr2, feats2 = open_stream(w, cfg, to=to, **hdr)
    return w, hdr2, feats2


def mechanisms(feats):
    m = feats.child(NS_SASL, "mechanisms")
    return [c.text.strip() for c in m.children if c.name == "mechanism"] if m is not None else []


def pick_mech(cfg, mechs):
    forced = cfg.get("MECH")
    if forced:
        if forced not in mechs:
            raise NA(f"MECH={forced} is not offered (offered: {', '.join(mechs) or 'none'})")
        return forced
    for m in ("SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"):
        if m in mechs:
            return m
    raise NA(f"no mechanism the runner speaks is offered (SCRAM-SHA-256, SCRAM-SHA-1, PLAIN); got {', '.join(mechs)}")


# --- SASL --------------------------------------------------------------------------------------
def b64(data):
    return base64.b64encode(data).decode() if data else "="


def b64d(text):
    """Strict base64 of the server's SASL data (RFC 6120 §13.9.1); '=' is empty."""
    t = text or ""
    if t in ("", "="):
        return b""
    return base64.b64decode(t, validate=True)


class Scram:
    """SCRAM-SHA-1 / SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding unless cb is
    (type, data)."""

    def __init__(self, mech, user, password, authzid=None, cb=None, nonce=None):
        self.hname = "sha256" if "SHA-256" in mech else "sha1"
        self.user, self.password = user, password
        esc = user.replace("=", "=3D").replace(",", "=2C")
        self.cnonce = nonce or base64.b64encode(os.urandom(18)).decode()
        a = f"a={authzid.replace('=', '=3D').replace(',', '=2C')}" if authzid else ""
        self.gs2 = (f"p={cb[0]}," if cb else "n,") + a + ","
        self.cb = cb
        self.first_bare = f"n={esc},r={self.cnonce}"
        self.server_sig = None

    def first(self):
        return (self.gs2 + self.first_bare).encode()

    def parse(self, msg):
        out = {}
        for part in msg.decode().split(","):
            if len(part) >= 2 and part[1] == "=":
                out[part[0]] = part[2:]
        return out

    def final(self, server_first):
        f = self.parse(server_first)
        if "r" not in f or "s" not in f or "i" not in f or not f["r"].startswith(self.cnonce):
            raise Fail("a SCRAM server-first-message r=<our nonce…>,s=…,i=… (RFC 5802 §5.1)", short(server_first))
        salt = base64.b64decode(f["s"])
        iters = int(f["i"])
        h = getattr(hashlib, self.hname)
        salted = hashlib.pbkdf2_hmac(self.hname, self.password.encode(), salt, iters)
        client_key = hmac.new(salted, b"Client Key", h).digest()
        stored = h(client_key).digest()
        cbind = self.gs2.encode() + (self.cb[1] if self.cb else b"")
        without_proof = f"c={base64.b64encode(cbind).decode()},r={f['r']}"
        auth_msg = f"{self.first_bare},{server_first.decode()},{without_proof}".encode()
        sig = hmac.new(stored, auth_msg, h).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, sig))
        server_key = hmac.new(salted, b"Server Key", h).digest()
        self.server_sig = hmac.new(server_key, auth_msg, h).digest()
        self.salt, self.iters = salt, iters
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final):
        f = self.parse(server_final)
        return "v" in f and self.server_sig is not None and base64.b64decode(f["v"]) == self.server_sig


def plain_message(user, password, authzid=""):
    return f"{authzid}\0{user}\0{password}".encode()


class Outcome:
    """How a SASL exchange ended: kind 'success' | 'failure' | 'other'; el the element (or the
    event for 'other'); elements the SASL elements the server sent in order."""

    def __init__(self, kind, el=None, ev=None, elements=()):
        self.kind, self.el, self.ev, self.elements = kind, el, ev, list(elements)

    @property
    def condition(self):
        if self.kind != "failure":
            return None
        for c in self.el.children:
            if c.ns == NS_SASL and c.name != "text":
                return c.name
        return None

    def describe(self):
        return self.el.describe() if self.el is not None else self.ev.describe() if self.ev else "nothing"


def sasl_auth(w, cfg, mech, user, password, authzid=None, initial=True, scram=None, cb=None):
    """Runs one SASL exchange; returns an Outcome. SCRAM verifies the server's signature
    (in <success/> as RFC 6120 §6.3.10 says, or in a last <challenge/> answered with an empty
    <response/>)."""
    sc = None
    if mech.startswith("SCRAM-"):
        sc = scram or Scram(mech, user, password, authzid=authzid, cb=cb)
        first = sc.first()
    elif mech == "PLAIN":
        first = plain_message(user, password, authzid or "")
    elif mech == "EXTERNAL":
        first = (authzid or "").encode()
    else:
        first = b""
    if initial:
        w.send(f"<auth xmlns='{NS_SASL}' mechanism='{mech}'>{b64(first)}</auth>")
    else:
        w.send(f"<auth xmlns='{NS_SASL}' mechanism='{mech}'/>")
    elements = []
    sent_first = initial
    final_sent = False
    while True:
        ev = w.next()
        el = ev_el(ev)
        if el is None or el.ns != NS_SASL:
            return Outcome("other", ev=ev, el=el, elements=elements)
        elements.append(el)
        if el.name == "challenge":
            data = b64d(el.text)
            if not sent_first:
                w.send(f"<response xmlns='{NS_SASL}'>{b64(first)}</response>")
                sent_first = True
            elif sc is not None and not final_sent:
                w.send(f"<response xmlns='{NS_SASL}'>{b64(sc.final(data))}</response>")
                final_sent = True
            elif sc is not None:
                if not sc.verify(data):
                    raise Fail("the SCRAM server signature v=… (RFC 5802 §5.1)", short(data))
                w.send(f"<response xmlns='{NS_SASL}'/>")
            else:
                w.send(f"<response xmlns='{NS_SASL}'/>")
            continue
        if el.name == "success":
            data = b64d(el.text)
            if sc is not None and data and not sc.verify(data):
                raise Fail("the SCRAM server signature v=… in <success/> (RFC 5802 §5.1)", short(data))
            if sc is not None and not data and sc.server_sig is not None and not final_sent:
                raise Fail("a server signature before <success/>", el.describe())
            return Outcome("success", el=el, elements=elements)
        if el.name == "failure":
            return Outcome("failure", el=el, elements=elements)
        return Outcome("other", el=el, ev=ev, elements=elements)


def sasl_failure_condition(el):
    for c in el.children:
        if c.ns == NS_SASL and c.name != "text":
            return c.name
    return None


def authenticate(d, w, feats, who=1, mech=None, user=None, password=None, authzid=None):
    """Logs in on a TLS stream whose features are `feats`; raises Fail unless <success/>."""
    cfg = d.cfg
    u, p = cfg.creds(who)
    u, p = user or u, password or p
    mech = mech or pick_mech(cfg, mechanisms(feats))
    out = sasl_auth(w, cfg, mech, u, p, authzid=authzid)
    if out.kind != "success":
        raise Fail(f"<success/> for {u} with {mech}", out.describe())
    return out


def restart(w, cfg, **hdr):
    """After <success/>: a new document, our header, the server's header and features."""
    w.restart()
    w.send(header_bytes(cfg, **hdr))
    h = expect_header(w, "a new stream header after <success/> (RFC 3920 §6.2 outcome 3)")
    return h, expect_features(w)


def bind(w, resource=None, iq_id=None):
    """Binds (with or without a resource); returns the full JID the server gave."""
    iq_id = iq_id or tok("bind")
    res = f"<resource>{xml_text(resource)}</resource>" if resource is not None else ""
    w.send(f"<iq type='set' id='{iq_id}'><bind xmlns='{NS_BIND}'>{res}</bind></iq>")
    ev = w.next()
    el = ev_el(ev, NS_CLIENT, "iq")
    if el is None or el.get("id") != iq_id or el.get("type") != "result":
        raise Fail(f"<iq type='result' id='{iq_id}'><bind><jid>…</jid></bind></iq> (RFC 3920 §7)", ev.describe())
    b = el.child(NS_BIND, "bind")
    j = b.child(NS_BIND, "jid") if b is not None else None
    if j is None or not j.text:
        raise Fail("the bound JID in <bind><jid/></bind> (RFC 3920 §7)", el.describe())
    return j.text


class Session:
    def __init__(self, w, jid, feats):
        self.w, self.jid, self.feats = w, jid, feats

    @property
    def bare(self):
        return self.jid.split("/", 1)[0]

    @property
    def resource(self):
        return self.jid.split("/", 1)[1] if "/" in self.jid else ""

    def send(self, data):
        self.w.send(data)


def login(d, who=1, resource=True, presence=False, session_iq=False, label=None, mech=None, lang=None,
          user=None):
    """A bound session of account `who` (1 = USER, 2 = USER2). resource=True makes a fresh one."""
    cfg = d.cfg
    cfg.creds(who)
    w, _, feats = tls_stream(d, label=label or f"u{who}", lang=lang)
    authenticate(d, w, feats, who=who, mech=mech, user=user)
    _, bfeats = restart(w, cfg, lang=lang)
    if bfeats.child(NS_BIND, "bind") is None:
        raise Fail("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/> in the features after SASL (RFC 3920 §7)",
                   bfeats.describe())
    jid = bind(w, tok("r") if resource is True else resource)
    s = Session(w, jid, bfeats)
    if session_iq:
        sid = tok("sess")
        w.send(f"<iq type='set' id='{sid}' to='{xml_attr(cfg.domain)}'><session xmlns='{NS_SESSION}'/></iq>")
        wait_for(w, lambda e: e.is_(NS_CLIENT, "iq") and e.get("id") == sid, f"the session result id='{sid}'")
    if presence:
        w.send("<presence/>")
        barrier(w)
    return s


# --- expectations ------------------------------------------------------------------------------
def wait_for(w, pred, expected, timeout=None):
    """Reads until an element matching `pred`; other stanzas on the way are skipped (presence
    echoes, roster pushes). Fails on a stream end, EOF or timeout."""
    deadline = time.monotonic() + (w.timeout if timeout is None else timeout)
    skipped = []
    while True:
        ev = w.next(max(0.0, deadline - time.monotonic()))
        if ev.kind == "el":
            if pred(ev.el):
                return ev.el
            skipped.append(ev.el)
            continue
        got = ev.describe()
        if ev.kind == "timeout" and skipped:
            got += " (only " + "; ".join(e.describe() for e in skipped[-3:]) + ")"
        raise Fail(expected, got)


def barrier(w, timeout=None):
    """An iq to the account (no 'to') that any server answers (result or error, RFC 6120
    §10.3.3); returns what arrived before its answer. Stanzas are processed in order (RFC 6120
    §10.1), so what a stanza sent before it caused has arrived by then."""
    bid = tok("barrier")
    w.send(f"<iq type='get' id='{bid}'><ping xmlns='{NS_PING}'/></iq>")
    before = []
    deadline = time.monotonic() + (w.timeout if timeout is None else timeout)
    while True:
        ev = w.next(max(0.0, deadline - time.monotonic()))
        if ev.kind == "el" and ev.el.is_(NS_CLIENT, "iq") and ev.el.get("id") == bid:
            return before
        if ev.kind != "el":
            raise Fail(f"an answer to <iq type='get' id='{bid}'><ping/></iq> (RFC 6120 §10.3.3; RFC 3920 "
                       "§9.2.3 rule 3)", ev.describe() + (f" after {before[-1].describe()}" if before else ""))
        before.append(ev.el)


def received_nothing(w, marker, what, grace=0.3):
    """After a short grace and a barrier: no element holding `marker` reached `w`."""
    time.sleep(grace)
    got = [e for e in barrier(w) if marker.encode() in e.raw]
    if got:
        raise Fail(what, f"{got[0].describe()}")


def stream_error_of(el):
    """(condition, problems) of a <stream:error/> element (RFC 3920 §4.7.2)."""
    conds = [c for c in el.children if c.ns == NS_SE and c.name != "text"]
    problems = []
    if len(conds) != 1:
        problems.append(f"{len(conds)} conditions in urn:ietf:params:xml:ns:xmpp-streams (one is required)")
    for c in el.children:
        if c.ns == NS_SE and c.name == "text":
            continue
        if c.ns == NS_SE and c.name not in STREAM_CONDITIONS:
            problems.append(f"unknown condition <{c.name}/>")
    return (conds[0].name if conds else None), problems


def expect_stream_error(w, conds, what=None, need_header=None, within=None, before_ok=None):
    """The stream error answer: [our header when none was sent yet (RFC 3920 §4.7.1)]
    <stream:error><COND/></stream:error></stream:stream> then the close. Returns the condition.
    `before_ok(el)` lets a dialogue allow elements before the error (e.g. a SASL failure)."""
    conds = (conds,) if isinstance(conds, str) else tuple(conds)
    want = what or ("<stream:error><" + "/> or <".join(conds) +
                    " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream> and the close")
    if need_header is None:
        need_header = not getattr(w, "header_seen", False)
    within = within if within is not None else w.timeout + 1
    try:
        events = w.read_until_eof(within)
    except WireError as e:
        raise Fail(want, str(e))
    seq = list(events)
    if seq and seq[0].kind == "header":
        seq.pop(0)
    elif need_header:
        first = seq[0].describe() if seq else "nothing"
        raise Fail("the server's stream header first, then " + want + " (RFC 3920 §4.7.1)", first)
    while seq and seq[0].kind == "el" and before_ok is not None and before_ok(seq[0].el):
        seq.pop(0)
    got = " ".join(e.describe() for e in seq)
    if not seq or seq[0].kind != "el" or not seq[0].el.is_(NS_STREAMS, "error"):
        raise Fail(want, got or "nothing")
    cond, problems = stream_error_of(seq[0].el)
    rest = seq[1:]
    order_ok = len(rest) >= 2 and rest[0].kind == "end" and rest[1].kind == "eof"
    with _SEEN_LOCK:
        STREAM_ERRORS_SEEN.append((seq[0].el.describe(), problems + ([] if order_ok else
                                  [f"then {' '.join(e.describe() for e in rest) or 'nothing'} "
                                   "instead of </stream:stream> and the close"])))
    if cond not in conds:
        raise Fail(want, got)
    if not order_ok:
        raise Fail(want, got)
    if problems:
        raise Fail(want + " with exactly one defined condition (RFC 3920 §4.7.2)", got)
    return cond


def stanza_error(el):
    """(type, condition) of an error stanza, or (None, None)."""
    e = el.child(el.ns, "error") if el is not None else None
    if e is None:
        return None, None
    conds = [c.name for c in e.children if c.ns == NS_STANZAS and c.name != "text"]
    return e.get("type"), (conds[0] if len(conds) == 1 else None)


def expect_stanza_error(w, kind, sid, etype, conds, what=None, timeout=None):
    """Waits for kind/id with type='error', <error type=ETYPE> and one of `conds` (RFC 3920 §9.3)."""
    conds = (conds,) if isinstance(conds, str) else tuple(conds)
    types = (etype,) if isinstance(etype, str) or etype is None else tuple(etype)
    want = what or (f"<{kind} type='error' id='{sid}'><error type='{'|'.join(t for t in types if t)}'>"
                    f"<{'/>|<'.join(conds)} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></{kind}>")
    el = wait_for(w, lambda e: e.ns == NS_CLIENT and e.name == kind and e.get("id") == sid, want, timeout)
    t, c = stanza_error(el)
    if el.get("type") != "error" or c not in conds or (types != (None,) and t not in types):
        raise Fail(want, el.describe())
    return el


def close_quietly(*wires):
    for w in wires:
        if w is None:
            continue
        try:
            w.send("</stream:stream>")
        except OSError:
            pass
        w.close()
