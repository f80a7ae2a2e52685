"""Server-to-server dialogues (RFC 3920 §4, §5, §8; XEP-0220 dialback; XEP-0185 keys): the runner
speaks as the remote server of a domain it controls.

- S2S_TARGET=host:port is the target's s2s listener, DOMAIN the domain it serves there;
- PEER_DOMAIN is the domain the runner speaks as; the target must reach it at PEER_LISTEN=host:port
  (a static host map or DNS), where the runner listens with PEER_CERT / PEER_KEY as that domain's
  server: the authoritative server for the target's verify connections (XEP-0220 §2.1.2) and the
  receiving server of the target's own outbound streams (XEP-0220 §2.2).

The runner's dialback secret is its own (32 random bytes per run): a key it makes with it is right
exactly when its own authoritative server says so, and a key it changes is forged.
"""
import base64
import hashlib
import hmac
import os
import re
import socket
import ssl
import threading
import time

from client import (STREAM_CONDITIONS, Fail, expect_header, expect_stream_error, login, received_nothing,
                    sasl_failure_condition, tls_context, tok, wait_for)
from registry import dialogue
from wire import NS_CLIENT, NS_SASL, NS_SE, NS_STANZAS, NS_STREAMS, NS_TLS, Wire, WireError, xml_attr

NS_SERVER = "jabber:server"
NS_DB = "jabber:server:dialback"
NS_DB_FEATURE = "urn:xmpp:features:dialback"


def db_key(secret, receiving, originating, sid):
    """XEP-0185 §3: HMAC-SHA256 keyed with the hex of SHA-256(secret), over
    'receiving originating stream-id', as lowercase hex."""
    k = hashlib.sha256(secret.encode()).hexdigest().encode()
    return hmac.new(k, f"{receiving} {originating} {sid}".encode(), hashlib.sha256).hexdigest()


def s2s_header(frm, to, sid=None):
    """An s2s stream header (RFC 3920 §4.4; XEP-0220 §2.4.1: xmlns:db declared)."""
    i = f" id='{sid}'" if sid else ""
    return (f"<?xml version='1.0'?><stream:stream xmlns='{NS_SERVER}' xmlns:db='{NS_DB}' "
            f"xmlns:stream='{NS_STREAMS}' from='{xml_attr(frm)}' to='{xml_attr(to)}'{i} version='1.0'>")


def split_hostport(v):
    host, _, port = v.rpartition(":")
    return host.strip("[]"), int(port)


class Peer:
    """PEER_DOMAIN's server at PEER_LISTEN. A <db:verify/> is answered with the runner's own
    secret (type='valid' exactly for the key it would make, XEP-0220 §2.1.2); a dialogue can hold
    the answer for a stream id (`hold`/`release`), wrap it in other bytes (`wrap_answer`) or have
    the connection closed instead (`close_on`). A <db:result/> from the target's outbound stream
    is checked by asking the target itself (a <db:verify/> on a new stream, XEP-0220 §2.1.3) and
    answered with its verdict, or as `next_result` says; stanzas are kept in `stanzas`."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.domain = cfg.get("PEER_DOMAIN")
        self.secret = os.urandom(32).hex()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cfg.get("PEER_CERT"), cfg.get("PEER_KEY"))
        host, port = split_hostport(cfg.get("PEER_LISTEN"))
        self.sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.cond = threading.Condition()
        self.verifies = []      # db:verify requests: {from, to, id, key, tls, answer}
        self.results = []       # db:result requests on the target's outbound streams: {from, to, id, key, tls, answer}
        self.stanzas = []       # (a valid db:result answered on its stream before it, element)
        self.held = set()
        self.around = {}        # stream id -> (bytes before, bytes after) our answer to its db:verify
        self.hang_up = set()    # stream ids whose db:verify is answered by closing the connection
        self.next_result = None     # (bytes before, verdict) for the target's next db:result
        self.result_gate = None     # an Event the answer to the target's next db:result waits for
        self.gated = []             # the db:result requests whose answer waited for a gate
        self.outbound_live = 0      # the target's outbound streams open here
        self.refuse_next = False    # answer the next header with <policy-violation/>
        self.headers_to = []        # the to of every header the target sent here
        # SASL EXTERNAL offered to the target's own streams while offer_external is set:
        # "trusted" (FED-02; needs PEER_TRUSTED_CERT and CAFILE, which verifies the target's client
        # certificate): every new stream gets the trusted certificate, and EXTERNAL when the
        # target's certificate verified and names its header's from; "untrusted" (S2S-07): the
        # self-signed PEER_CERT and EXTERNAL offered all the same, which the target must not use.
        # Each <success/> given is kept in externals.
        self.trusted_ctx = None
        if cfg.get("PEER_TRUSTED_CERT") and cfg.get("PEER_TRUSTED_KEY") and cfg.cafile:
            self.trusted_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.trusted_ctx.load_cert_chain(cfg.get("PEER_TRUSTED_CERT"), cfg.get("PEER_TRUSTED_KEY"))
            self.trusted_ctx.load_verify_locations(cfg.cafile)
            self.trusted_ctx.verify_mode = ssl.CERT_OPTIONAL
        self.offer_external = None
        self.externals = []         # {from, authzid, db_result, ids, wire}
        self.auths = []             # the <auth/> elements the target sent here (raw)
        self.log = None
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def hold(self, sid):
        with self.cond:
            self.held.add(sid)

    def close_on(self, sid):
        with self.cond:
            self.hang_up.add(sid)

    def wrap_answer(self, sid, before, after):
        with self.cond:
            self.around[sid] = (before, after)

    def release(self, sid):
        with self.cond:
            self.held.discard(sid)
            self.cond.notify_all()

    def wait(self, pred, timeout):
        with self.cond:
            return self.cond.wait_for(pred, timeout)

    def accept_loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, conn):
        w = Wire(None, None, self.cfg.timeout, label="peer", log=self.log, sock=conn)
        w.outbound = False
        try:
            self.converse(w)
        except (OSError, ValueError, Fail, WireError):   # the dialogue reports what is missing
            pass
        finally:
            w.close()
            with self.cond:
                self.outbound_live -= 1 if w.outbound else 0
                self.cond.notify_all()

    def converse(self, w):
        ev = w.next()
        if ev.kind != "header":
            return
        theirs = ev.el.get("from") or ""
        with self.cond:
            self.headers_to.append(ev.el.get("to"))
            refuse, self.refuse_next = self.refuse_next, False
            self.cond.notify_all()
        if refuse:
            w.send(s2s_header(self.domain, theirs, os.urandom(16).hex()) +
                   f"<stream:error><policy-violation xmlns='{NS_SE}'/></stream:error></stream:stream>")
            return
        w.send(s2s_header(self.domain, theirs, os.urandom(16).hex()) +
               f"<stream:features><starttls xmlns='{NS_TLS}'><required/></starttls></stream:features>")
        ev = w.next()
        if ev.kind != "el" or not ev.el.is_(NS_TLS, "starttls"):
            return
        w.send(f"<proceed xmlns='{NS_TLS}'/>")
        with self.cond:
            external = self.offer_external if self.offer_external != "trusted" or self.trusted_ctx else None
        w.start_tls(self.trusted_ctx if external == "trusted" else self.ctx, server_side=True)
        ev = w.next()
        if ev.kind != "header":
            return
        sid = os.urandom(16).hex()
        valid = False
        ext = None
        mechs = ""
        if external == "untrusted" or (external == "trusted" and theirs in cert_names(w.sock.getpeercert())):
            mechs = f"<mechanisms xmlns='{NS_SASL}'><mechanism>EXTERNAL</mechanism></mechanisms>"
        w.send(s2s_header(self.domain, theirs, sid) +
               f"<stream:features>{mechs}<dialback xmlns='{NS_DB_FEATURE}'><errors/></dialback></stream:features>")
        while True:
            ev = w.next(3600)
            if ev.kind != "el":
                return
            el = ev.el
            if el.is_(NS_SASL, "auth"):
                text = el.text.strip()
                with self.cond:
                    self.auths.append(el.raw.decode("utf-8", "replace"))
                if not mechs or ext is not None or el.get("mechanism") != "EXTERNAL" or \
                        text not in ("", "=", base64.b64encode(theirs.encode()).decode()):
                    w.send(f"<failure xmlns='{NS_SASL}'><not-authorized/></failure>")
                    continue
                w.send(f"<success xmlns='{NS_SASL}'/>")
                w.restart()
                ev = w.next()
                if ev.kind != "header":
                    return
                w.send(s2s_header(self.domain, theirs, os.urandom(16).hex()) + "<stream:features/>")
                ext = {"from": theirs, "authzid": text, "db_result": False, "ids": [], "wire": w}
                valid = True
                with self.cond:
                    self.externals.append(ext)
                    self.outbound_live += 0 if w.outbound else 1
                    w.outbound = True
                    self.cond.notify_all()
            elif el.is_(NS_DB, "verify") and el.get("type") is None:
                rec = {"from": el.get("from"), "to": el.get("to"), "id": el.get("id"), "key": el.text.strip(),
                       "tls": w.tls, "answer": None}
                with self.cond:
                    self.verifies.append(rec)
                    self.cond.notify_all()
                    self.cond.wait_for(lambda: rec["id"] not in self.held, 60)
                if rec["id"] in self.hang_up:
                    return
                right = db_key(self.secret, rec["from"] or "", rec["to"] or "", rec["id"] or "")
                rec["answer"] = "valid" if hmac.compare_digest(rec["key"].encode(), right.encode()) else "invalid"
                before, after = self.around.get(rec["id"], ("", ""))
                w.send(before + f"<db:verify from='{xml_attr(rec['to'] or '')}' to='{xml_attr(rec['from'] or '')}' "
                       f"id='{xml_attr(rec['id'] or '')}' type='{rec['answer']}'/>" + after)
                with self.cond:
                    self.cond.notify_all()
            elif el.is_(NS_DB, "result") and el.get("type") is None:
                if ext is not None:
                    ext["db_result"] = True
                rec = {"from": el.get("from"), "to": el.get("to"), "id": sid, "key": el.text.strip(),
                       "tls": w.tls, "answer": None}
                with self.cond:
                    self.outbound_live += 0 if w.outbound else 1
                    w.outbound = True
                    plan, self.next_result = self.next_result, None
                    gate, self.result_gate = self.result_gate, None
                rec["answer"] = self.ask_target(rec)
                if gate is not None:
                    with self.cond:
                        self.gated.append(rec)
                        self.cond.notify_all()
                    gate.wait(60)
                before = ""
                if plan is not None:
                    before, rec["answer"] = plan
                w.send(before + f"<db:result from='{xml_attr(rec['to'] or '')}' to='{xml_attr(rec['from'] or '')}' "
                       f"type='{rec['answer']}'/>")
                valid = valid or rec["answer"] == "valid"
                with self.cond:
                    self.results.append(rec)
                    self.cond.notify_all()
            else:
                with self.cond:
                    if ext is not None:
                        ext["ids"].append(el.get("id"))
                    self.stanzas.append((valid, el))
                    self.cond.notify_all()

    def ask_target(self, rec):
        """XEP-0220 §2.1.3: the receiving server asks the originating domain's authoritative
        server — here the target itself — whether the key is its own."""
        host, port = split_hostport(self.cfg.get("S2S_TARGET"))
        w = Wire(host, port, self.cfg.timeout, label="peer-verify", log=self.log)
        try:
            w, _ = secure(w, self.cfg, self.domain, rec["from"] or "")
            w.send(f"<db:verify from='{xml_attr(self.domain)}' to='{xml_attr(rec['from'] or '')}' "
                   f"id='{rec['id']}'>{rec['key']}</db:verify>")
            el = wait_for(w, lambda e: e.is_(NS_DB, "verify"), "a db:verify answer")
            return "valid" if el.get("type") == "valid" and el.get("id") == rec["id"] else "invalid"
        except Fail:
            return "invalid"
        finally:
            w.close()


def cert_names(cert):
    """The DNS-IDs of a verified peer certificate (getpeercert(): empty when it did not verify)."""
    return [v for k, v in (cert or {}).get("subjectAltName", ()) if k == "DNS"]


_PEER = []
_PEER_LOCK = threading.Lock()


def peer(d):
    """The runner's PEER_DOMAIN server (started once); its wire log goes to this dialogue."""
    d.cfg.need("S2S_TARGET", "PEER_DOMAIN", "PEER_LISTEN", "PEER_CERT", "PEER_KEY")
    with _PEER_LOCK:
        if not _PEER:
            _PEER.append(Peer(d.cfg))
        p = _PEER[0]
    p.log = d.log
    return p


def s2s_connect(d, label="s2s"):
    d.cfg.need("S2S_TARGET", "PEER_DOMAIN")
    host, port = split_hostport(d.cfg.get("S2S_TARGET"))
    w = Wire(host, port, d.cfg.timeout, label=label, log=d.log)
    d.wires.append(w)
    return w


def open_s2s(w, frm, to):
    """Our header, the target's header and features."""
    w.send(s2s_header(frm, to))
    hdr = expect_header(w, "the target's s2s stream header (RFC 3920 §4.4)")
    ev = w.next()
    if ev.kind != "el" or not ev.el.is_(NS_STREAMS, "features"):
        raise Fail("<stream:features/> after the s2s header (RFC 3920 §4.6)", ev.describe())
    return hdr, ev.el


def starttls_s2s(w, cfg, feats, frm, to, ctx=None):
    """STARTTLS (RFC 3920 §5.2) on a stream whose features are `feats`; the restarted stream's
    (header, features). `ctx` (a client context, e.g. one presenting a certificate) replaces the
    default one."""
    if feats.child(NS_TLS, "starttls") is None:
        raise Fail("<starttls/> in the s2s features (RFC 3920 §5.1 rule 3)", feats.describe())
    w.send(f"<starttls xmlns='{NS_TLS}'/>")
    ev = w.next()
    if ev.kind != "el" or not ev.el.is_(NS_TLS, "proceed"):
        raise Fail("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> (RFC 3920 §5.2 step 5)", ev.describe())
    try:
        w.start_tls(ctx or tls_context(cfg), server_hostname=to)
    except (ssl.SSLError, OSError) as e:
        raise Fail("a TLS handshake after <proceed/> on the s2s stream", f"{type(e).__name__}: {e}")
    return open_s2s(w, frm, to)


def secure(w, cfg, frm, to):
    """Header, STARTTLS, the restarted stream: (wire, (header, features))."""
    _, feats = open_s2s(w, frm, to)
    return w, starttls_s2s(w, cfg, feats, frm, to)


def secure_stream(d, label="s2s"):
    """A TLS s2s stream from PEER_DOMAIN to DOMAIN: (wire, stream id, features)."""
    w = s2s_connect(d, label)
    _, (hdr, feats) = secure(w, d.cfg, d.cfg.get("PEER_DOMAIN"), d.cfg.domain)
    return w, hdr.get("id") or "", feats


def db_result_answer(w, what, timeout=None):
    """The next typed <db:result/> (what came before it is skipped)."""
    return wait_for(w, lambda e: e.is_(NS_DB, "result") and e.get("type") is not None, what, timeout)


def expect_answer(el, kind, frm, to, typ, sid=None):
    """<db:KIND from=FRM to=TO [id=SID] type=TYP/> with nothing inside."""
    want = f"<db:{kind} from='{frm}' to='{to}'" + (f" id='{sid}'" if sid else "") + f" type='{typ}'/>"
    if (el.get("from") != frm or el.get("to") != to or el.get("type") != typ or
            (sid is not None and el.get("id") != sid) or el.children or el.text.strip()):
        return want
    return None


def verified_stream(d, p, label="s2s"):
    """A stream on which the pair (PEER_DOMAIN, DOMAIN) is valid by dialback: (wire, sid, key)."""
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    w, sid, _ = secure_stream(d, label)
    k = db_key(p.secret, cfg.domain, me, sid)
    w.send(f"<db:result from='{me}' to='{cfg.domain}'>{k}</db:result>")
    el = db_result_answer(w, f"<db:result from='{cfg.domain}' to='{me}' type='valid'/> after the authoritative "
                             "server said valid (RFC 3920 §8.3 step 10; XEP-0220 §2.2.1)", cfg.remote_timeout)
    bad = expect_answer(el, "result", cfg.domain, me, "valid")
    if bad:
        raise Fail(bad + " (RFC 3920 §8.3 step 10; XEP-0220 §2.2.1)", el.describe())
    return w, sid, k


def peer_message(d, to, body, frm_domain=None):
    """A chat message from runner@PEER_DOMAIN/conformance (or another domain), id and body `body`."""
    frm = f"runner@{frm_domain or d.cfg.get('PEER_DOMAIN')}/conformance"
    return (f"<message from='{xml_attr(frm)}' to='{xml_attr(to)}' id='{body}' type='chat'>"
            f"<body>{body}</body></message>")


def stanza_at_peer(d, p, pred, what):
    """(valid before it, element) of the first stanza the peer received matching pred."""
    def find():
        return next(((v, el) for v, el in p.stanzas if pred(el)), None)
    if not p.wait(lambda: find() is not None, d.cfg.remote_timeout):
        raise Fail(what, "nothing at PEER_LISTEN")
    with p.cond:
        return find()


_OUTBOUND = []


def outbound(d):
    """USER sends a message to PEER_DOMAIN: the target opens its own stream to PEER_LISTEN and
    sends <db:result/>; the peer asks the target (its authoritative server) about the key,
    answers with that verdict and receives the message. Runs once: (result record, message)."""
    p = peer(d)
    if _OUTBOUND:
        return p, _OUTBOUND[0]
    s = login(d, presence=True)
    body = tok("out")
    s.send(f"<message to='someone@{xml_attr(d.cfg.get('PEER_DOMAIN'))}' id='{body}' type='chat'>"
           f"<body>{body}</body></message>")
    valid, el = stanza_at_peer(d, p, lambda e: e.get("id") == body,
                               f"our message '{body}' at PEER_LISTEN over the target's outbound stream "
                               "(RFC 3920 §8.3)")
    with p.cond:
        recs = [r for r in p.results if r["from"] == d.cfg.domain]
    if not recs:
        raise Fail(f"<db:result from='{d.cfg.domain}' to='{d.cfg.get('PEER_DOMAIN')}'>KEY</db:result> before "
                   "the message (RFC 3920 §8.3 step 4)", el.describe())
    _OUTBOUND.append((recs[-1], (valid, el), s.jid))
    return p, _OUTBOUND[0]


def verifies_for(p, sid):
    with p.cond:
        return [v for v in p.verifies if v["id"] == sid]


# --- the receiving server (the target answers our header and our db:result) -------------------
def header_problems(hdr, frm, to):
    raw = hdr.raw.decode("utf-8", "replace")
    out = []
    if not re.search(r"""xmlns=(['"])jabber:server\1""", raw):
        out.append("xmlns='jabber:server'")
    if not re.search(r"""xmlns:db=(['"])jabber:server:dialback\1""", raw):
        out.append("xmlns:db='jabber:server:dialback'")
    if hdr.get("from") != frm:
        out.append(f"from='{frm}'")
    if hdr.get("to") != to:
        out.append(f"to='{to}'")
    if hdr.get("version") != "1.0":
        out.append("version='1.0'")
    if not re.fullmatch(r"[0-9a-fA-F]{32}", hdr.get("id") or ""):
        out.append("an id of 32 hex digits (128 bits)")
    return out


@dialogue("S2S-01")
def s2s01(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN") or ""
    rule = " (RFC 3920 §4.4, §8.3 step 3; XEP-0220 §2.4.1)"
    ids = []
    w = s2s_connect(d)
    hdr, feats = open_s2s(w, me, cfg.domain)
    if w.decl is None:
        raise Fail("<?xml version='1.0'?> before the s2s header (RFC 3920 §11.4)", hdr.describe())
    bad = header_problems(hdr, cfg.domain, me)
    if bad:
        raise Fail("a header with " + ", ".join(bad) + rule, hdr.raw.decode("utf-8", "replace"))
    ids.append(hdr.get("id"))
    hdr2, _ = starttls_s2s(w, cfg, feats, me, cfg.domain)
    bad = header_problems(hdr2, cfg.domain, me)
    if bad or hdr2.get("id") in ids:
        raise Fail("after TLS a header with " + ", ".join(bad or ["a fresh id"]) + rule,
                   hdr2.raw.decode("utf-8", "replace"))
    ids.append(hdr2.get("id"))
    slow = s2s_connect(d, "s2s-slow")
    slow.send_slowly(s2s_header(me, cfg.domain))
    hdr3 = expect_header(slow, "the same header for a header fed byte by byte")
    if header_problems(hdr3, cfg.domain, me) or hdr3.get("id") in ids:
        raise Fail("the same header with a fresh id for a header fed byte by byte" + rule,
                   hdr3.raw.decode("utf-8", "replace"))
    u = s2s_connect(d, "s2s-unknown")
    u.send(s2s_header(me, cfg.unknown_host))
    expect_stream_error(u, "host-unknown", need_header=True)
    if cfg.get("GONE_HOST"):
        g = s2s_connect(d, "s2s-gone")
        g.send(s2s_header(me, cfg.get("GONE_HOST")))
        expect_stream_error(g, "host-gone", need_header=True)
        return None
    return "host-gone not tried (needs GONE_HOST=…)"


def plain_dialback_check(d):
    """Before TLS: STARTTLS offered; a db:result in the clear is refused with <policy-violation/>
    unless dialback is offered without TLS, in which case a right key is answered valid."""
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN") or ""
    p = peer(d)
    w = s2s_connect(d)
    hdr, feats = open_s2s(w, me, cfg.domain)
    st = feats.child(NS_TLS, "starttls")
    if st is None:
        raise Fail("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> offered before TLS (RFC 3920 §5.1 rule 3)",
                   feats.describe())
    required = st.child(NS_TLS, "required") is not None
    want_required = {"yes": True, "no": False}.get(cfg.get("S2S_TLS_REQUIRED") or "")
    if want_required is not None and required != want_required:
        raise Fail(f"<starttls>{'<required/>' if want_required else ''}</starttls> as S2S_TLS_REQUIRED says "
                   "(RFC 6120 §5.4.1)", feats.describe())
    plain_db = feats.child(NS_DB_FEATURE, "dialback") is not None
    if required and plain_db:
        raise Fail("no dialback feature before TLS when TLS is required (XEP-0220 §2.4.2)", feats.describe())
    sid = hdr.get("id") or ""
    key = db_key(p.secret, cfg.domain, me, sid)
    w.send(f"<db:result from='{me}' to='{cfg.domain}'>{key}</db:result>")
    if plain_db:
        el = db_result_answer(w, "the right key answered type='valid' when dialback is offered without TLS "
                                 "(XEP-0220 §2.4.2, §2.2.1)", cfg.remote_timeout)
        bad = expect_answer(el, "result", cfg.domain, me, "valid")
        if bad:
            raise Fail(bad + " (XEP-0220 §2.2.1)", el.describe())
        return "variant: dialback without TLS is offered and a right key verifies (configured policy)"
    expect_stream_error(w, "policy-violation",
                        what="<stream:error><policy-violation/></stream:error> for a db:result before STARTTLS "
                             "(RFC 6120 §5.4.1 'mandatory-to-negotiate'; XEP-0220 §2.4.2)")
    time.sleep(0.5)
    if verifies_for(p, sid):
        raise Fail("no verification asked for a db:result refused before TLS", str(verifies_for(p, sid)[0]))
    return None


@dialogue("S2S-02")
def s2s02(d):
    return plain_dialback_check(d)


@dialogue("FED-10")
def fed10(d):
    return plain_dialback_check(d)


def right_key_delivered(d):
    """The right key: the target asks PEER_LISTEN, answers valid, routes our stanza to USER."""
    cfg = d.cfg
    p = peer(d)
    s = login(d, presence=True)
    w, sid, key = verified_stream(d, p)
    body = tok("s2s")
    w.send(peer_message(d, s.jid, body))
    el = wait_for(s.w, lambda e: body.encode() in e.raw,
                  f"our message '{body}' from the verified peer delivered to {s.jid} (RFC 3920 §8.3 step 10)")
    if el.ns != NS_CLIENT or el.get("from") != f"runner@{cfg.get('PEER_DOMAIN')}/conformance":
        raise Fail(f"the message in jabber:client with from='runner@{cfg.get('PEER_DOMAIN')}/conformance' "
                   "(RFC 3920 §11.2.2)", el.describe())
    return p, sid, key


@dialogue("S2S-03")
def s2s03(d):
    p, sid, key = right_key_delivered(d)
    v = verifies_for(p, sid)
    if not v:
        raise Fail("the target asked PEER_LISTEN about our stream id (RFC 3920 §8.3 step 8)", "no db:verify")
    return None


@dialogue("FED-12")
def fed12(d):
    right_key_delivered(d)


@dialogue("S2S-11")
def s2s11(d):
    cfg = d.cfg
    p, sid, key = right_key_delivered(d)
    v = verifies_for(p, sid)
    want = (f"<db:verify from='{cfg.domain}' to='{cfg.get('PEER_DOMAIN')}' id='{sid}'>{key}</db:verify> "
            "after STARTTLS on the verify connection (RFC 3920 §8.3 step 8; XEP-0220 §2.1.2)")
    if len(v) != 1:
        raise Fail(want + ", once", f"{len(v)} requests")
    v = v[0]
    if (v["from"], v["to"], v["key"], v["tls"]) != (cfg.domain, cfg.get("PEER_DOMAIN"), key, True):
        raise Fail(want, f"from='{v['from']}' to='{v['to']}' key {v['key']!r}, TLS {v['tls']}")
    return "one request, after TLS and our features (the idle close is not timed)"


@dialogue("FED-11")
def fed11(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    s = login(d, presence=True)
    w, sid, _ = secure_stream(d)
    forged = db_key(p.secret, cfg.domain, me, sid)[::-1]
    w.send(f"<db:result from='{me}' to='{cfg.domain}'>{forged}</db:result>")
    el = db_result_answer(w, "a typed db:result", cfg.remote_timeout)
    bad = expect_answer(el, "result", cfg.domain, me, "invalid")
    if bad:
        raise Fail(bad + " for a forged key (RFC 3920 §8.3 step 10; XEP-0220 §2.2.1)", el.describe())
    if not verifies_for(p, sid):
        raise Fail("the verdict of the authoritative server at PEER_LISTEN (RFC 3920 §8.3 step 8)", "no db:verify")
    rest = w.read_until_eof(cfg.timeout)
    if not rest or rest[-1].kind != "eof" or any(e.kind == "el" and not e.el.is_(NS_STREAMS, "error") for e in rest):
        raise Fail("the stream closed after type='invalid' (XEP-0220 §2.2.1: MUST close)",
                   " ".join(e.describe() for e in rest) or "nothing")
    body = tok("forged")
    try:
        w.send(peer_message(d, s.jid, body))
    except OSError:
        pass
    received_nothing(s.w, body, "nothing delivered from a refused peer")
    verified_stream(d, p, label="s2s-again")
    return None


@dialogue("FED-13")
def fed13(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    s = login(d, presence=True)
    w, sid, _ = secure_stream(d)
    body = tok("early")
    p.hold(sid)
    try:
        w.send(f"<db:result from='{me}' to='{cfg.domain}'>{db_key(p.secret, cfg.domain, me, sid)}</db:result>" +
               peer_message(d, s.jid, body))
        expect_stream_error(w, "not-authorized",
                            what="<stream:error><not-authorized/></stream:error> for a stanza before the verdict "
                                 "(RFC 3920 §8.3 step 10; RFC 6120 §4.9.3.12)")
    finally:
        p.release(sid)
    received_nothing(s.w, body, "nothing delivered before the verdict")


def typed_result_refused(d, pending):
    """An unsolicited <db:result type='valid'/> (pending: after an untyped one whose verdict is
    held), then a stanza: <not-authorized/>, nothing delivered."""
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    s = login(d, presence=True)
    w, sid, _ = secure_stream(d, label="s2s-pending" if pending else "s2s")
    body = tok("unsolicited")
    p.hold(sid)
    try:
        if pending:
            w.send(f"<db:result from='{me}' to='{cfg.domain}'>{db_key(p.secret, cfg.domain, me, sid)}</db:result>")
            p.wait(lambda: any(v["id"] == sid for v in p.verifies), cfg.remote_timeout)
        w.send(f"<db:result from='{me}' to='{cfg.domain}' type='valid'/>" + peer_message(d, s.jid, body))
        expect_stream_error(w, "not-authorized",
                            what="<stream:error><not-authorized/></stream:error> and nothing before it: the "
                                 "unsolicited type='valid' marks nothing valid (XEP-0220 §3.1; CVE-2012-3525; "
                                 "RFC 3920 §8.3 step 10)")
    finally:
        p.release(sid)
    received_nothing(s.w, body, "nothing delivered after an unsolicited type='valid'")


@dialogue("FED-14")
def fed14(d):
    typed_result_refused(d, pending=False)
    typed_result_refused(d, pending=True)


@dialogue("S2S-04")
def s2s04(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    w, sid, _ = secure_stream(d)
    p.hold(sid)
    try:
        w.send(f"<db:result from='{me}' to='{cfg.domain}'>{db_key(p.secret, cfg.domain, me, sid)}</db:result>")
        p.wait(lambda: any(v["id"] == sid for v in p.verifies), cfg.remote_timeout)
        w.send(f"<db:result from='{me}' to='{cfg.domain}' type='valid'/>"
               f"<db:verify from='{me}' to='{cfg.domain}' id='{sid}' type='valid'/>")
        got = w.quiet(1.0)
        if got:
            raise Fail("nothing in answer to a typed db:result or db:verify on an inbound stream "
                       "(XEP-0220 §3.1; CVE-2012-3525)", " ".join(e.describe() for e in got))
    finally:
        p.release(sid)
    el = db_result_answer(w, "the held verdict still answered: the pending pair unchanged", cfg.remote_timeout)
    bad = expect_answer(el, "result", cfg.domain, me, "valid")
    if bad:
        raise Fail(bad + " once the authoritative server answers (XEP-0220 §2.2.1)", el.describe())


@dialogue("S2S-05")
def s2s05(d):
    cfg = d.cfg
    cfg.need("DOMAIN2")
    p = peer(d)
    s = login(d, presence=True)
    w, _, _ = verified_stream(d, p)
    body = tok("spoof")
    w.send(peer_message(d, s.jid, body, frm_domain=f"forged.{cfg.get('PEER_DOMAIN')}"))
    expect_stream_error(w, "invalid-from", what="<stream:error><invalid-from/></stream:error> for a from domain "
                                                "not verified on the stream (RFC 3920 §8.3 step 10; RFC 6120 "
                                                "§4.9.3.9)")
    received_nothing(s.w, body, "nothing delivered from an unverified domain")
    w2, _, _ = verified_stream(d, p, label="s2s-2")
    w2.send(peer_message(d, f"nobody@{cfg.get('DOMAIN2')}", tok("other")))
    expect_stream_error(w2, "host-unknown", what="<stream:error><host-unknown/></stream:error> for a stanza to a "
                                                 "served domain not verified for the sender (RFC 6120 §4.9.3.6)")


def verify_answer(d, label, to, vid, key, closes=True):
    """A TLS stream used only for <db:verify from=PEER_DOMAIN to=TO id=VID>KEY</db:verify>:
    the answer, after which (closes) the target closes the stream (XEP-0220 §2.1.2: a stream
    used only for verification SHOULD be closed; S2S-06 makes it a MUST). A dialback error is
    no answer: the stream stays (XEP-0220 §2.5)."""
    me = d.cfg.get("PEER_DOMAIN")
    w, _, _ = secure_stream(d, label=label)
    w.send(f"<db:verify from='{me}' to='{xml_attr(to)}' id='{xml_attr(vid)}'>{key}</db:verify>")
    el = wait_for(w, lambda e: e.is_(NS_DB, "verify"), "a db:verify answer (RFC 3920 §8.3 step 9)")
    if not closes:
        return el
    rest = w.read_until_eof(d.cfg.timeout)
    if not rest or rest[-1].kind != "eof" or any(e.kind == "el" for e in rest):
        raise Fail("the verification-only stream closed after the answer (XEP-0220 §2.1.2)",
                   " ".join(e.describe() for e in rest) or "nothing")
    return el


@dialogue("S2S-06")
def s2s06(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    rule = " (RFC 3920 §8.3 step 9; XEP-0220 §2.1.2)"
    w, sid, _ = secure_stream(d, label="s2s-sid")
    for label, vid in (("s2s-1", sid), ("s2s-2", tok("id"))):
        el = verify_answer(d, label, cfg.domain, vid, "0" * 64)
        bad = expect_answer(el, "verify", cfg.domain, me, "invalid", vid)
        if bad:
            raise Fail(bad + " for a key the target never made" + rule, el.describe())
    el = verify_answer(d, "s2s-3", cfg.unknown_host, sid, "0" * 64, closes=False)
    if el.get("type") != "error" or dialback_error(el) != ("cancel", ["item-not-found"]):
        raise Fail(f"<db:verify type='error'><error type='cancel'><item-not-found/></error></db:verify> for "
                   f"to='{cfg.unknown_host}' (XEP-0220 §2.5)", el.describe())
    _, (rec, _, _) = outbound(d)
    el = verify_answer(d, "s2s-4", cfg.domain, rec["id"], rec["key"])
    bad = expect_answer(el, "verify", cfg.domain, me, "valid", rec["id"])
    if bad:
        raise Fail(bad + " for the key the target itself sent us on its stream id" + rule, el.describe())


@dialogue("DB-02")
def db02(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    _, (rec, _, _) = outbound(d)
    tries = [("another stream id", me, cfg.domain, tok("id")),
             ("another originating domain", f"forged.{me}", cfg.domain, rec["id"])]
    if cfg.get("DOMAIN2"):
        tries.append(("another receiving domain", me, cfg.get("DOMAIN2"), rec["id"]))
    for i, (what, frm, to, vid) in enumerate(tries):
        w, _, _ = secure_stream(d, label=f"s2s-{i}")
        w.send(f"<db:verify from='{xml_attr(frm)}' to='{xml_attr(to)}' id='{xml_attr(vid)}'>{rec['key']}</db:verify>")
        el = wait_for(w, lambda e: e.is_(NS_DB, "verify"), "a db:verify answer")
        bad = expect_answer(el, "verify", to, frm, "invalid", vid)
        if bad:
            raise Fail(f"{bad}: the target's key for ({me}, {cfg.domain}, {rec['id']}) never verifies for "
                       f"{what} (XEP-0185 §3)", el.describe())
    return ("checked on the wire: " + ", ".join(t[0] for t in tries) +
            "; names holding a space are refused by the unit tests")


@dialogue("S2S-08")
def s2s08(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p, (rec, (valid, el), jid) = outbound(d)
    if not rec["tls"]:
        raise Fail("the db:result only after STARTTLS (RFC 3920 §5.1 rule 3; XEP-0220 §2.1.1)", "sent in the clear")
    if rec["to"] != me or rec["answer"] != "valid":
        raise Fail(f"<db:result from='{cfg.domain}' to='{me}'>KEY</db:result>, KEY the XEP-0185 key over "
                   f"({me}, {cfg.domain}, our stream id) — which the target itself confirms (XEP-0185 §3)",
                   f"to='{rec['to']}', the target's own db:verify said {rec['answer']}")
    if not valid:
        raise Fail("the message only after our type='valid' (RFC 3920 §8.3 step 10; XEP-0220 §2.1.1)",
                   el.describe())
    if el.get("from") != jid:
        raise Fail(f"from='{jid}' on the routed message (RFC 3920 §9.1.2)", el.describe())


@dialogue("S2SH-03")
def s2sh03(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    w, _, _ = verified_stream(d, p)
    nobody = f"nobody-{tok('n')}@{cfg.domain}"
    pid, m1 = tok("pres"), tok("absent")
    w.send(f"<presence from='runner@{me}/conformance' to='{nobody}' id='{pid}'/>" + peer_message(d, nobody, m1))
    _, el = stanza_at_peer(d, p, lambda e: e.get("id") == m1,
                           f"<message type='error' id='{m1}'> back over the target's own stream (RFC 3921 §11.1)")
    err = el.child(NS_SERVER, "error")
    cond = [c.name for c in err.children if c.ns == NS_STANZAS] if err is not None else []
    if (el.get("type") != "error" or cond != ["service-unavailable"] or el.get("from") != nobody or
            el.get("to") != f"runner@{me}/conformance"):
        raise Fail(f"<message type='error' from='{nobody}' to='runner@{me}/conformance'><error>"
                   "<service-unavailable/></error></message> (RFC 3921 §11.1; RFC 3920 §9.3)", el.describe())
    with p.cond:
        if any(e.get("id") == pid for _, e in p.stanzas):
            raise Fail("nothing for a presence to an address without a session (RFC 3921 §11.1)", "an answer")


def dialback_error(el):
    """(error type, [conditions]) of a dialback error (XEP-0220 §2.5)."""
    err = el.child(NS_DB, "error") or el.child(NS_SERVER, "error")
    if err is None:
        return None, []
    return err.get("type"), [c.name for c in err.children if c.ns == NS_STANZAS]


@dialogue("S2S-16")
def s2s16(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    w, sid, _ = secure_stream(d)
    w.send(f"<db:result from='{me}' to='{cfg.domain}'>{'a' * 130}</db:result>")
    el = db_result_answer(w, "type='invalid' at once for a key longer than 128 bytes", cfg.timeout)
    bad = expect_answer(el, "result", cfg.domain, me, "invalid")
    if bad:
        raise Fail(bad + " for a 130-byte key (XEP-0185 §3: a key is 64 hex digits)", el.describe())
    if verifies_for(p, sid):
        raise Fail("no verification asked for a key that can never verify", str(verifies_for(p, sid)[0]))
    w2, sid2, _ = secure_stream(d, label="s2s-2")
    served = [h for h in (cfg.domain, cfg.get("DOMAIN2"), cfg.get("CERT_REQUIRED_DOMAIN")) if h]
    cap = cfg.num("S2S_VERIFY_PENDING")
    p.hold(sid2)
    try:
        key = db_key(p.secret, cfg.domain, me, sid2)
        w2.send(f"<db:result from='{me}' to='{cfg.domain}'>{key}</db:result>")
        p.wait(lambda: any(v["id"] == sid2 for v in p.verifies), cfg.remote_timeout)
        w2.send(f"<db:result from='{me}' to='{cfg.domain}'>{key}</db:result>")
        el = db_result_answer(w2, "a dialback error for the same pair while it is pending")
        if el.get("type") != "error" or dialback_error(el) != ("cancel", ["conflict"]):
            raise Fail("<db:result type='error'><error type='cancel'><conflict/></error></db:result> for a "
                       "repeated pending pair (XEP-0220 §2.5)", el.describe())
        if cap is None or cap + 1 > len(served):
            return "long key and repeated pair; the verify_pending cap needs S2S_VERIFY_PENDING=N and N+1 served " \
                   "domains (DOMAIN, DOMAIN2, CERT_REQUIRED_DOMAIN)"
        for host in served[1:cap]:
            w2.send(f"<db:result from='{me}' to='{host}'>{db_key(p.secret, host, me, sid2)}</db:result>")
        p.wait(lambda: len(verifies_for(p, sid2)) >= cap, cfg.remote_timeout)
        extra = served[cap]
        w2.send(f"<db:result from='{me}' to='{extra}'>{db_key(p.secret, extra, me, sid2)}</db:result>")
        el = db_result_answer(w2, f"a dialback error for pair {cap + 1} while {cap} are pending")
        if el.get("to") != me or el.get("from") != extra or el.get("type") != "error" or \
                dialback_error(el) != ("wait", ["resource-constraint"]):
            raise Fail(f"<db:result from='{extra}' to='{me}' type='error'><error type='wait'><resource-constraint/>"
                       f"</error></db:result> beyond verify_pending={cap} (XEP-0220 §2.5)", el.describe())
        time.sleep(0.3)
        if any(v["to"] == me and v["from"] == extra for v in verifies_for(p, sid2)):
            raise Fail("no verification asked for the pair beyond the cap", f"a db:verify for {extra}")
    finally:
        p.release(sid2)
    return None


@dialogue("S2SH-04")
def s2sh04(d):
    s = login(d, presence=True)
    w, _, _ = secure_stream(d)
    body = tok("nopair")
    w.send(peer_message(d, s.jid, body))
    expect_stream_error(w, tuple(sorted(STREAM_CONDITIONS)),
                        what="a stream error for a stanza before any pair is valid (RFC 3920 §8.3 step 10)")
    received_nothing(s.w, body, "nothing delivered before dialback")


@dialogue("FED-18")
def fed18(d):
    cfg = d.cfg
    cfg.need("S2S_UNREACHABLE", "S2S_CONNECT_TIMEOUT")
    s = login(d)
    mid = tok("dead")
    t0 = time.monotonic()
    s.send(f"<message to='someone@{xml_attr(cfg.get('S2S_UNREACHABLE'))}' id='{mid}' type='chat'><body>{mid}</body>"
           "</message>")
    el = wait_for(s.w, lambda e: e.get("id") == mid, f"<message type='error' id='{mid}'> bounced",
                  cfg.num("S2S_CONNECT_TIMEOUT") + cfg.timeout)
    err = el.child(NS_CLIENT, "error")
    cond = [c.name for c in err.children if c.ns == NS_STANZAS] if err is not None else []
    if el.get("type") != "error" or cond != ["remote-server-timeout"]:
        raise Fail("<error type='wait'><remote-server-timeout/></error> for a peer whose address refuses "
                   "connections (RFC 6120 §8.3.3.17)", el.describe())
    return f"bounced after {time.monotonic() - t0:.1f} s"


@dialogue("S2SH-07", slow=True)
def s2sh07(d):
    cfg = d.cfg
    cfg.need("S2S_HANDSHAKE_TIMEOUT", "S2S_IDLE_TIMEOUT")
    hs, idle = cfg.num("S2S_HANDSHAKE_TIMEOUT"), cfg.num("S2S_IDLE_TIMEOUT")
    p = peer(d)
    w = s2s_connect(d, "s2s-silent")
    t0 = time.monotonic()
    expect_stream_error(w, "connection-timeout", need_header=True, within=hs + cfg.timeout,
                        what=f"<stream:error><connection-timeout/></stream:error> after s2s handshake_timeout "
                             f"({hs} s) without a valid pair (RFC 6120 §4.9.3.4)")
    if time.monotonic() - t0 < hs - 1:
        raise Fail(f"no timeout before {hs} s", f"closed after {time.monotonic() - t0:.1f} s")
    v, _, _ = verified_stream(d, p, label="s2s-idle")
    t0 = time.monotonic()
    rest = v.read_until_eof(idle + cfg.timeout)
    took = time.monotonic() - t0
    if not rest or rest[-1].kind != "eof" or took < idle - 1:
        raise Fail(f"the idle stream closed after s2s idle_timeout ({idle} s)",
                   " ".join(e.describe() for e in rest) + f" after {took:.1f} s")
    return f"handshake timeout, then the idle close after {took:.1f} s"


@dialogue("S2S-14")
def s2s14(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    w, _, _ = verified_stream(d, p)
    nobody = f"nobody-{tok('n')}@{cfg.domain}"
    mid = tok("payload")
    w.send(peer_message(d, nobody, mid))
    _, el = stanza_at_peer(d, p, lambda e: e.get("id") == mid, f"<message type='error' id='{mid}'> at PEER_LISTEN")
    body = el.child(NS_SERVER, "body")
    if (el.get("from") != nobody or el.get("to") != f"runner@{me}/conformance" or el.get("type") != "error" or
            body is None or body.text != mid):
        raise Fail(f"<message from='{nobody}' to='runner@{me}/conformance' id='{mid}' type='error'>"
                   f"<body>{mid}</body><error …/></message>: addresses swapped, the payload kept (RFC 3920 "
                   "§9.3.1)", el.describe())


@dialogue("S2S-15")
def s2s15(d):
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    w, _, _ = verified_stream(d, p)
    nobody = f"nobody-{tok('n')}@{cfg.domain}"
    eid, mid = tok("err"), tok("after")
    w.send(f"<message from='runner@{me}/conformance' to='{nobody}' id='{eid}' type='error'>"
           f"<error type='cancel'><service-unavailable xmlns='{NS_STANZAS}'/></error></message>" +
           peer_message(d, nobody, mid))
    stanza_at_peer(d, p, lambda e: e.get("id") == mid, f"the bounce of the message id='{mid}' sent after the error")
    with p.cond:
        if any(e.get("id") == eid for _, e in p.stanzas):
            raise Fail("no answer to an error stanza (RFC 3920 §9.3.1)",
                       next(e.describe() for _, e in p.stanzas if e.get("id") == eid))


@dialogue("S2S-12")
def s2s12(d):
    """Answers on the target's verify connection that do not match its request (another id,
    another from, another to) come before the right one, and a contrary repeat after it: only
    the right answer counts (XEP-0220 §2.1.2; RFC 3920 §8.3 step 9)."""
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    s = login(d, presence=True)
    w, sid, _ = secure_stream(d)
    wrong = (f"<db:verify from='{me}' to='{cfg.domain}' id='{tok('id')}' type='invalid'/>"
             f"<db:verify from='forged.{me}' to='{cfg.domain}' id='{sid}' type='invalid'/>"
             f"<db:verify from='{me}' to='{cfg.unknown_host}' id='{sid}' type='invalid'/>")
    p.wrap_answer(sid, wrong, f"<db:verify from='{me}' to='{cfg.domain}' id='{sid}' type='invalid'/>")
    w.send(f"<db:result from='{me}' to='{cfg.domain}'>{db_key(p.secret, cfg.domain, me, sid)}</db:result>")
    el = db_result_answer(w, "the verdict of the matching answer", cfg.remote_timeout)
    bad = expect_answer(el, "result", cfg.domain, me, "valid")
    if bad:
        raise Fail(bad + ": three mismatched type='invalid' answers before the right one count for nothing "
                   "(XEP-0220 §2.1.2)", el.describe())
    time.sleep(0.3)
    body = tok("after")
    w.send(peer_message(d, s.jid, body))
    wait_for(s.w, lambda e: body.encode() in e.raw,
             f"our message '{body}' delivered: a repeated, contrary answer changes nothing (XEP-0220 §2.1.2)")


@dialogue("S2S-13")
def s2s13(d):
    """A verification whose authoritative server cannot be reached, or closes the verify
    connection without answering, ends in an error outcome: a dialback error
    <remote-server-not-found/> (XEP-0220 §2.5, §2.2.1 step 3), never silence."""
    cfg = d.cfg
    cfg.need("S2S_UNREACHABLE")
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    rule = " (XEP-0220 §2.5; RFC 3920 §8.3 step 7)"
    w, sid, _ = secure_stream(d)
    p.close_on(sid)
    w.send(f"<db:result from='{me}' to='{cfg.domain}'>{db_key(p.secret, cfg.domain, me, sid)}</db:result>")
    el = db_result_answer(w, "a dialback error when the verify connection closes unanswered" + rule,
                          cfg.remote_timeout)
    if el.get("type") != "error" or dialback_error(el)[1] != ["remote-server-not-found"]:
        raise Fail(f"<db:result from='{cfg.domain}' to='{me}' type='error'><error type='cancel'>"
                   "<remote-server-not-found/></error></db:result> when the verify connection closes" + rule,
                   el.describe())
    dead = cfg.get("S2S_UNREACHABLE")
    w2, sid2, _ = secure_stream(d, label="s2s-2")
    w2.send(f"<db:result from='{dead}' to='{cfg.domain}'>{'0' * 64}</db:result>")
    el = db_result_answer(w2, f"a dialback error when {dead}'s server refuses the connection" + rule,
                          cfg.remote_timeout + cfg.num("S2S_CONNECT_TIMEOUT") if cfg.get("S2S_CONNECT_TIMEOUT")
                          else cfg.remote_timeout)
    if el.get("type") != "error" or dialback_error(el)[1] != ["remote-server-not-found"]:
        raise Fail(f"<db:result from='{cfg.domain}' to='{dead}' type='error'><error type='cancel'>"
                   "<remote-server-not-found/></error></db:result> when the connection is refused" + rule,
                   el.describe())
    return "closed and refused verify connections; a connection with more than 16 outstanding is not filled"


def no_outbound(d, p):
    """Waits until the target's outbound streams to PEER_DOMAIN have closed (idle): the next
    stanza for PEER_DOMAIN opens a new one whose dialback the dialogue scripts."""
    d.cfg.need("S2S_IDLE_TIMEOUT")
    if not p.wait(lambda: p.outbound_live == 0, d.cfg.num("S2S_IDLE_TIMEOUT") + d.cfg.timeout):
        raise Fail("the target's idle outbound stream to PEER_DOMAIN closed after S2S_IDLE_TIMEOUT", "still open")


@dialogue("S2S-09")
def s2s09(d):
    """The target's own outbound stream: answers to no request of it (another pair, another
    from) are ignored; the invalid answer to its request bounces the queued message with
    <internal-server-error/> and the message never reaches us (XEP-0220 §2.1.1, §3.1)."""
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    no_outbound(d, p)
    s = login(d)
    mid = tok("queued")
    with p.cond:
        p.next_result = (f"<db:result from='forged.{me}' to='{cfg.domain}' type='valid'/>"
                         f"<db:result from='{me}' to='{cfg.unknown_host}' type='valid'/>", "invalid")
    s.send(f"<message to='someone@{xml_attr(me)}' id='{mid}' type='chat'><body>{mid}</body></message>")
    el = wait_for(s.w, lambda e: e.get("id") == mid, f"<message type='error' id='{mid}'> bounced after type='invalid'",
                  cfg.remote_timeout)
    err = el.child(NS_CLIENT, "error")
    cond = [c.name for c in err.children if c.ns == NS_STANZAS] if err is not None else []
    if el.get("type") != "error" or cond != ["internal-server-error"]:
        raise Fail("<error><internal-server-error/></error> for a message queued on a stream answered "
                   "type='invalid' (XEP-0220 §2.1.1)", el.describe())
    with p.cond:
        if any(e.get("id") == mid for _, e in p.stanzas):
            raise Fail("the queued message never sent after answers to no request and an invalid one "
                       "(XEP-0220 §3.1; CVE-2012-3525)", "it reached PEER_LISTEN")


@dialogue("S2S-10")
def s2s10(d):
    """While the target's new outbound stream waits for our verdict it holds at most queue_max
    stanzas: the next one bounces with wait/resource-constraint at once; the stream's end then
    bounces every queued one (XEP-0220 §2.1.1: stanzas wait for the valid answer)."""
    cfg = d.cfg
    cfg.need("S2S_QUEUE")
    me = cfg.get("PEER_DOMAIN")
    n = cfg.num("S2S_QUEUE")
    p = peer(d)
    no_outbound(d, p)
    s = login(d)
    gate = threading.Event()
    with p.cond:
        p.result_gate = gate
        p.next_result = ("", "invalid")
    mids = [tok("q") for _ in range(n + 1)]
    try:
        s.send(f"<message to='someone@{xml_attr(me)}' id='{mids[0]}' type='chat'><body>q</body></message>")
        p.wait(lambda: any(r["from"] == cfg.domain for r in p.gated), cfg.remote_timeout)
        s.send("".join(f"<message to='someone@{xml_attr(me)}' id='{m}' type='chat'><body>q</body></message>"
                       for m in mids[1:]))
        el = wait_for(s.w, lambda e: e.get("id") in mids, f"the message beyond queue_max={n} bounced at once",
                      cfg.timeout)
        err = el.child(NS_CLIENT, "error")
        if (el.get("id") != mids[-1] or el.get("type") != "error" or err is None or err.get("type") != "wait" or
                [c.name for c in err.children if c.ns == NS_STANZAS] != ["resource-constraint"]):
            raise Fail(f"<message id='{mids[-1]}' type='error'><error type='wait'><resource-constraint/></error>"
                       f"</message>, the {n + 1}th stanza on a stream that holds {n} (RFC 6120 §8.3.3.18)",
                       el.describe())
    finally:
        gate.set()
    bounced = set()
    for _ in mids[:-1]:
        el = wait_for(s.w, lambda e: e.get("id") in mids[:-1] and e.get("id") not in bounced,
                      "every queued message bounced when the stream ends", cfg.remote_timeout)
        bounced.add(el.get("id"))
        if el.get("type") != "error":
            raise Fail("an error for every queued message", el.describe())
    return f"{n} held, the {n + 1}th refused, all {n} bounced after type='invalid'"


def bounce_condition(el):
    err = el.child(NS_CLIENT, "error")
    return [c.name for c in err.children if c.ns == NS_STANZAS] if err is not None and el.get("type") == "error" \
        else None


@dialogue("FED-06")
def fed06(d):
    """S2S_REFUSED_DOMAIN is not on the target's allow list: a stanza to it bounces with
    <not-allowed/> and no connection is made to it (none reaches PEER_LISTEN when the target
    maps it there); a listed domain federates (S2S-08)."""
    cfg = d.cfg
    cfg.need("S2S_REFUSED_DOMAIN")
    refused = cfg.get("S2S_REFUSED_DOMAIN")
    p = peer(d)
    s = login(d)
    mid = tok("refused")
    s.send(f"<message to='someone@{xml_attr(refused)}' id='{mid}' type='chat'><body>{mid}</body></message>")
    el = wait_for(s.w, lambda e: e.get("id") == mid, f"<message type='error' id='{mid}'> for a domain off the list",
                  cfg.remote_timeout)
    if bounce_condition(el) != ["not-allowed"]:
        raise Fail(f"<message type='error' id='{mid}'><error type='cancel'><not-allowed/></error></message> "
                   "(RFC 6120 §8.3.3.10; the target's s2s policy)", el.describe())
    time.sleep(0.5)
    with p.cond:
        if refused in p.headers_to:
            raise Fail(f"no s2s connection to {refused}", "a stream header to it at PEER_LISTEN")
    outbound(d)
    return "the listed domain: S2S-08"


@dialogue("FED-08")
def fed08(d):
    """The target as receiving server refuses a header from S2S_REFUSED_DOMAIN with
    <policy-violation/>; as initiating server, refused the same way by PEER_DOMAIN's server, it
    bounces the queued message with <remote-server-timeout/> (RFC 6120 §4.9.3.14)."""
    cfg = d.cfg
    cfg.need("S2S_REFUSED_DOMAIN")
    me = cfg.get("PEER_DOMAIN")
    w = s2s_connect(d)
    w.send(s2s_header(cfg.get("S2S_REFUSED_DOMAIN"), cfg.domain))
    expect_stream_error(w, "policy-violation", need_header=True,
                        what="the target's header, then <stream:error><policy-violation/></stream:error> for a "
                             "peer its policy refuses (RFC 6120 §4.9.3.14)")
    p = peer(d)
    no_outbound(d, p)
    s = login(d)
    mid = tok("refusedby")
    with p.cond:
        p.refuse_next = True
    s.send(f"<message to='someone@{xml_attr(me)}' id='{mid}' type='chat'><body>{mid}</body></message>")
    el = wait_for(s.w, lambda e: e.get("id") == mid, f"<message type='error' id='{mid}'> after our "
                  "<policy-violation/>", cfg.remote_timeout)
    if bounce_condition(el) != ["remote-server-timeout"]:
        raise Fail(f"<message type='error' id='{mid}'><error type='wait'><remote-server-timeout/></error></message>"
                   " when the receiving server refuses the stream (RFC 6120 §8.3.3.17)", el.describe())


# --- SASL EXTERNAL (XEP-0178 §3): the runner as initiating server presenting a certificate ------
# PEER_TRUSTED_CERT / PEER_TRUSTED_KEY: a certificate naming PEER_DOMAIN from a CA the target
# trusts for s2s; PEER_CERT (self-signed, or from a CA it does not trust) is the control.
def b64(text):
    return base64.b64encode(text.encode()).decode() or "="


def external_stream(d, cert, key, label, frm=None):
    """Our header from FRM (default PEER_DOMAIN), STARTTLS presenting CERT/KEY as the TLS client
    certificate (RFC 6120 §13.7.2.1; XEP-0178 §3: "Server1 presents certificate"): (wire,
    features after TLS)."""
    cfg = d.cfg
    frm = frm or cfg.get("PEER_DOMAIN")
    w = s2s_connect(d, label)
    _, feats = open_s2s(w, frm, cfg.domain)
    _, feats = starttls_s2s(w, cfg, feats, frm, cfg.domain, ctx=tls_context(cfg, cert=cert, key=key))
    return w, feats


def external_offered(feats):
    m = feats.child(NS_SASL, "mechanisms")
    return m is not None and any(c.ns == NS_SASL and c.name == "mechanism" and c.text.strip() == "EXTERNAL"
                                 for c in m.children)


def sasl_answer(w, what):
    """The target's answer to our <auth/>: ('success' | 'failure', condition, the event)."""
    ev = w.next()
    if ev.kind != "el" or ev.el.ns != NS_SASL or ev.el.name not in ("success", "failure"):
        raise Fail(what, ev.describe())
    return ev.el.name, sasl_failure_condition(ev.el) if ev.el.name == "failure" else None, ev


def external_success(d, label="s2s-external"):
    """With PEER_TRUSTED_CERT: EXTERNAL offered after TLS, <auth mechanism='EXTERNAL'>=</auth>
    answered <success/>, the restarted stream's features: (wire, features, note)."""
    cfg = d.cfg
    cfg.need("PEER_TRUSTED_CERT", "PEER_TRUSTED_KEY")
    me = cfg.get("PEER_DOMAIN")
    w, feats = external_stream(d, cfg.get("PEER_TRUSTED_CERT"), cfg.get("PEER_TRUSTED_KEY"), label)
    if not external_offered(feats):
        raise Fail(f"<mechanisms xmlns='{NS_SASL}'><mechanism>EXTERNAL</mechanism></mechanisms> after STARTTLS "
                   f"with a certificate naming {me} from a CA the target trusts (XEP-0178 §3: Server2 advertises "
                   "EXTERNAL when the servers share a root CA and the header's from matches the certificate)",
                   feats.describe())
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='EXTERNAL'>=</auth>")
    name, cond, ev = sasl_answer(w, f"<success xmlns='{NS_SASL}'/> for EXTERNAL with authzid '=' (XEP-0178 §3)")
    if name != "success":
        raise Fail(f"<success xmlns='{NS_SASL}'/> for EXTERNAL with authzid '=' and a trusted certificate naming "
                   f"{me} (XEP-0178 §3; RFC 6120 §6.3.8: '=' is no authzid)", ev.describe())
    w.restart()
    _, feats = open_s2s(w, me, cfg.domain)
    again = [c for c in feats.children if (c.ns, c.name) in ((NS_TLS, "starttls"), (NS_SASL, "mechanisms"))]
    if again:
        raise Fail("no <starttls/> and no <mechanisms/> on the stream restarted after <success/> (RFC 6120 §4.3.6, "
                   "§6.4.6)", feats.describe())
    others = [c.describe() for c in feats.children]
    note = ("variant: the features after <success/> still offer " + ", ".join(others) + " (voluntary; "
            "RFC 6120 §4.3.6 asks for empty features when nothing is left to negotiate)") if others else ""
    return w, feats, note


@dialogue("S2S-07")
def s2s07(d):
    """The runner as PEER_DOMAIN's initiating server with a certificate the target trusts: EXTERNAL
    offered; an authzid naming another domain is <invalid-authzid/>; '=' is <success/>; the
    restarted stream offers nothing to negotiate and a message from PEER_DOMAIN reaches USER —
    no dialback (XEP-0178 §3). The same certificate under another header from gets no EXTERNAL.
    As initiating server the target does not use EXTERNAL offered by a server whose certificate it
    cannot verify (outbound_external)."""
    cfg = d.cfg
    cfg.need("PEER_TRUSTED_CERT", "PEER_TRUSTED_KEY")
    me = cfg.get("PEER_DOMAIN")
    cert, key = cfg.get("PEER_TRUSTED_CERT"), cfg.get("PEER_TRUSTED_KEY")
    notes = []
    w, feats = external_stream(d, cert, key, "s2s-authzid")
    if not external_offered(feats):
        raise Fail(f"EXTERNAL offered after STARTTLS with a trusted certificate naming {me} (XEP-0178 §3)",
                   feats.describe())
    other = f"forged.{me}"
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='EXTERNAL'>{b64(other)}</auth>")
    want = (f"<failure xmlns='{NS_SASL}'><invalid-authzid/></failure> for the authzid '{other}', which the "
            "certificate does not name (RFC 6120 §6.3.8, §6.5.6; RFC 3920 §6.4), or <not-authorized/> "
            "(XEP-0178 §3: an authzid matching no address of the certificate)")
    name, cond, ev = sasl_answer(w, want)
    if name != "failure" or cond not in ("invalid-authzid", "not-authorized"):
        raise Fail(want, ev.describe())
    if cond == "not-authorized":
        notes.append("variant: <not-authorized/> for another authzid (XEP-0178 §3; RFC 6120 §6.5.6 names "
                     "<invalid-authzid/>)")
    s = login(d, presence=True)
    w, _, note = external_success(d)
    if note:
        notes.append(note)
    body = tok("external")
    w.send(peer_message(d, s.jid, body))
    el = wait_for(s.w, lambda e: body.encode() in e.raw,
                  f"our message '{body}' from {me}, authenticated by EXTERNAL, delivered to {s.jid} without dialback "
                  "(XEP-0178 §3; RFC 6120 §6.4.6)")
    if el.ns != NS_CLIENT or el.get("from") != f"runner@{me}/conformance":
        raise Fail(f"the message in jabber:client with from='runner@{me}/conformance' (RFC 3920 §11.2.2)",
                   el.describe())
    forged = tok("forged")
    w.send(peer_message(d, s.jid, forged, frm_domain=other))
    expect_stream_error(w, "invalid-from", what=f"<stream:error><invalid-from/></stream:error> for a stanza from "
                                                f"{other}, not the domain EXTERNAL authenticated (RFC 6120 §4.9.3.9, "
                                                "§8.1.2.2)")
    received_nothing(s.w, forged, "nothing delivered from a domain the stream did not authenticate")
    if cfg.get("S2S_UNREACHABLE"):
        # a domain the target's policy admits, which the certificate does not name
        w, feats = external_stream(d, cert, key, "s2s-othername", frm=cfg.get("S2S_UNREACHABLE"))
        if external_offered(feats):
            raise Fail(f"no EXTERNAL for a header from {cfg.get('S2S_UNREACHABLE')} with a certificate naming only "
                       f"{me} (XEP-0178 §3; RFC 6120 §13.7.2.1; CVE-2014-3451 class)", feats.describe())
    else:
        notes.append("a certificate naming another domain not tried (needs S2S_UNREACHABLE=…)")
    notes.append(outbound_external(d))
    return "; ".join(n for n in notes if n)


def outbound_offered(d, mode, what):
    """With the peer's EXTERNAL offer in MODE ("trusted" or "untrusted", see Peer), USER sends a
    message to PEER_DOMAIN over a new outbound stream of the target: (the EXTERNAL record of the
    stream it came over or None, whether a valid dialback answer preceded it, the message id)."""
    cfg = d.cfg
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    no_outbound(d, p)
    s = login(d)
    mid = tok("outext")
    with p.cond:
        p.offer_external = mode
    try:
        s.send(f"<message to='someone@{xml_attr(me)}' id='{mid}' type='chat'><body>{mid}</body></message>")
        valid, _ = stanza_at_peer(d, p, lambda e: e.get("id") == mid, f"the message '{mid}' at PEER_LISTEN over the "
                                  f"target's outbound stream ({what})")
    finally:
        with p.cond:
            p.offer_external = None
    with p.cond:
        return next((x for x in p.externals if mid in x["ids"]), None), valid, mid


def close_external(d, p, ext):
    """Closes our side of a stream EXTERNAL authenticated: the next stanza for PEER_DOMAIN opens
    a new one (and the next dialogue sees dialback again)."""
    if ext is not None:
        ext["wire"].close()
        p.wait(lambda: p.outbound_live == 0, d.cfg.timeout)


def outbound_external(d):
    """S2S-07, the initiating side: PEER_DOMAIN's server presents its self-signed PEER_CERT and
    offers EXTERNAL all the same; the target, which cannot verify that certificate, must not use
    EXTERNAL: the message comes after dialback (XEP-0178 §3; RFC 6120 §13.7.2.1; CVE-2014-3451
    class)."""
    if not d.cfg.get("S2S_IDLE_TIMEOUT"):
        return "the initiating side not tried (needs S2S_IDLE_TIMEOUT=…)"
    p = peer(d)
    with p.cond:
        before, seen = len(p.auths), len(p.stanzas)
    try:
        ext, valid, _ = outbound_offered(d, "untrusted", "EXTERNAL offered with a self-signed certificate")
    except Fail as e:
        with p.cond:
            auths = p.auths[before:]
            errors = [el.describe() for _, el in p.stanzas[seen:] if el.is_(NS_STREAMS, "error")]
        if auths or errors:
            raise Fail("dialback, not SASL EXTERNAL, on the target's outbound stream to a server whose certificate "
                       "is self-signed (RFC 6120 §13.7.2.1; XEP-0178 §3; CVE-2014-3451 class)",
                       " ".join(auths + errors) + f", then {e.got}")
        raise
    close_external(d, p, ext)
    if ext is not None:
        raise Fail(f"no SASL EXTERNAL on the target's outbound stream to a server whose certificate is self-signed "
                   "(RFC 6120 §13.7.2.1; XEP-0178 §3; CVE-2014-3451 class): dialback instead",
                   f"<auth mechanism='EXTERNAL'>{ext['authzid']}</auth>, and the message after our <success/>")
    if not valid:
        raise Fail("the message only after dialback answered valid (XEP-0220 §2.1.1)", "before it")
    return "as initiating server: EXTERNAL offered with a self-signed certificate is not used (dialback)"


@dialogue("FED-02")
def fed02(d):
    """Both directions between the target and the runner's PEER_DOMAIN server with certificates
    from CAs each trusts (PEER_TRUSTED_CERT for the runner; the target's own certificate, which
    CAFILE verifies): the runner's stream authenticated by EXTERNAL (S2S-07's steps), the target's
    own stream too — no <db:result/> on it — and an iq from PEER_DOMAIN to USER's full JID is
    answered back across the target's stream (XEP-0178 §3). What each server logs is not seen."""
    cfg = d.cfg
    cfg.need("PEER_TRUSTED_CERT", "PEER_TRUSTED_KEY", "CAFILE", "S2S_IDLE_TIMEOUT")
    me = cfg.get("PEER_DOMAIN")
    p = peer(d)
    no_outbound(d, p)
    s = login(d, presence=True)
    w, _, note = external_success(d, label="s2s-fed02")
    iid = tok("fed02")
    with p.cond:
        p.offer_external = "trusted"
    ext = None
    try:
        w.send(f"<iq from='runner@{me}/conformance' to='{xml_attr(s.jid)}' type='get' id='{iid}'>"
               "<query xmlns='jabber:iq:version'/></iq>")
        el = wait_for(s.w, lambda e: e.get("id") == iid, f"our iq '{iid}' from runner@{me}/conformance delivered to "
                                                         f"{s.jid} over the stream EXTERNAL authenticated")
        if el.get("from") != f"runner@{me}/conformance" or el.get("type") != "get":
            raise Fail(f"<iq from='runner@{me}/conformance' type='get' id='{iid}'> (RFC 3920 §9.1.2)", el.describe())
        s.send(f"<iq to='runner@{xml_attr(me)}/conformance' type='result' id='{iid}'><query xmlns='jabber:iq:version'>"
               "<name>conformance</name><version>1</version></query></iq>")
        _, el = stanza_at_peer(d, p, lambda e: e.get("id") == iid, f"the answer to our iq '{iid}' at PEER_LISTEN over "
                               "the target's own stream")
        if el.get("type") != "result" or el.get("from") != s.jid:
            raise Fail(f"<iq from='{s.jid}' type='result' id='{iid}'> (RFC 3920 §9.1.2, §9.2.3)", el.describe())
        with p.cond:
            ext = next((x for x in p.externals if iid in x["ids"]), None)
        if ext is None:
            raise Fail(f"the target's own stream to {me} authenticated by SASL EXTERNAL when offered with a certificate "
                       "it trusts, never by dialback (XEP-0178 §3)", "the answer came over a stream dialback "
                                                                       "authenticated")
        if ext["db_result"]:
            raise Fail("no <db:result/> on a stream EXTERNAL authenticated (XEP-0178 §3)", "a db:result")
        if ext["authzid"] not in ("", "=", b64(cfg.domain)):
            raise Fail(f"the authzid none, '=' or base64 of {cfg.domain} (XEP-0178 §3; RFC 6120 §6.3.8)",
                       repr(ext["authzid"]))
    finally:
        with p.cond:
            p.offer_external = None
        close_external(d, p, ext)
    return "; ".join(x for x in (note, "each server's log of the authentication is not observable here") if x)


@dialogue("FED-15")
def fed15(d):
    """PEER_CERT (self-signed, naming PEER_DOMAIN) as client certificate: no EXTERNAL offered and
    <not-authorized/> to <auth mechanism='EXTERNAL'>=</auth>; nothing is authenticated by it.
    PEER_TRUSTED_CERT: EXTERNAL offered and <success/> (XEP-0178 §3; CVE-2014-3451 class)."""
    cfg = d.cfg
    cfg.need("PEER_CERT", "PEER_KEY", "PEER_TRUSTED_CERT", "PEER_TRUSTED_KEY")
    me = cfg.get("PEER_DOMAIN")
    s = login(d, presence=True)
    w, feats = external_stream(d, cfg.get("PEER_CERT"), cfg.get("PEER_KEY"), "s2s-selfsigned")
    if external_offered(feats):
        raise Fail(f"no EXTERNAL offered for a self-signed certificate naming {me} (XEP-0178 §3; RFC 6120 "
                   "§13.7.2.1; CVE-2014-3451 class)", feats.describe())
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='EXTERNAL'>=</auth>")
    want = (f"<failure xmlns='{NS_SASL}'><not-authorized/></failure> to EXTERNAL with a self-signed certificate "
            "(XEP-0178 §3; RFC 6120 §6.5.10; RFC 3920 §6.4), or <invalid-mechanism/> for the mechanism not "
            "offered (RFC 6120 §6.5.5; RFC 3920 §6.4)")
    name, cond, ev = sasl_answer(w, want)
    if name != "failure" or cond not in ("not-authorized", "invalid-mechanism"):
        raise Fail(want, ev.describe())
    note = "variant: <invalid-mechanism/> (RFC 6120 §6.5.5: EXTERNAL was not offered)" \
        if cond == "invalid-mechanism" else ""
    body = tok("selfsigned")
    try:
        w.send(peer_message(d, s.jid, body))
    except OSError:
        pass
    received_nothing(s.w, body, "nothing delivered over a stream whose EXTERNAL failed")
    external_success(d)
    return note or None
