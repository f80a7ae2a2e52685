"""STARTTLS (RFC 3920 §5; RFC 6120 §5, §13.7-§13.8), direct TLS (XEP-0368), client certificates."""
import os
import socket
import ssl
import tempfile
import threading
import time

from client import (NA, Fail, authenticate, barrier, bind, connect, expect_stream_error, header_bytes, login,
                    mechanisms, open_stream, restart, sasl_auth, starttls, tls_context, tls_stream, tok)
from registry import dialogue
from wire import NS_BIND, NS_SASL, NS_STREAMS, NS_TLS, Wire, short, xml_attr


def tls_required(d, feats):
    """True when the server requires TLS: TLS_REQUIRED=yes|no when given, else <required/>."""
    v = d.cfg.get("TLS_REQUIRED")
    if v is not None:
        return v.lower() in ("yes", "true", "1", "on")
    st = feats.child(NS_TLS, "starttls")
    return st is not None and st.child(NS_TLS, "required") is not None


def expect_tls_failure(w, what):
    """<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream> then the close."""
    events = w.read_until_eof()
    seq = [e for e in events]
    ok = (len(seq) >= 3 and seq[0].kind == "el" and seq[0].el.is_(NS_TLS, "failure") and not seq[0].el.children
          and seq[1].kind == "end" and seq[2].kind == "eof")
    if not ok:
        raise Fail(what, " ".join(e.describe() for e in seq))


@dialogue("TLS-01")
def tls01(d):
    w = connect(d)
    _, f = open_stream(w, d.cfg)
    st = f.child(NS_TLS, "starttls")
    if st is None:
        raise Fail("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> in the features of an insecure stream "
                   "(RFC 3920 §5.1 rule 3)", f.describe())
    if st.child(NS_TLS, "required") is not None and f.child(NS_SASL, "mechanisms") is not None:
        raise Fail("no mechanism before TLS when TLS is <required/>", f.describe())


@dialogue("TLS-02")
def tls02(d):
    v = d.cfg.get("TLS_REQUIRED")
    if v is None:
        raise NA("needs TLS_REQUIRED=yes|no (whether the server's policy requires TLS)")
    w = connect(d)
    _, f = open_stream(w, d.cfg)
    st = f.child(NS_TLS, "starttls")
    if st is None:
        raise Fail("<starttls/> in the features", f.describe())
    has = st.child(NS_TLS, "required") is not None
    want = v.lower() in ("yes", "true", "1", "on")
    if has != want:
        raise Fail(("<starttls><required/></starttls> when TLS is required (RFC 6120 §5.4.1)" if want else
                    "<starttls/> without <required/> when TLS is optional"), f.describe())


@dialogue("TLS-03")
def tls03(d):
    w = connect(d)
    _, f = open_stream(w, d.cfg)
    if not tls_required(d, f):
        raise NA("TLS is optional on this server (TLS_REQUIRED or <required/>)")
    others = [c for c in f.children if not c.is_(NS_TLS, "starttls")]
    if others:
        raise Fail("only <starttls/> before TLS when TLS is mandatory (RFC 6120 §5.3.1)", f.describe())


@dialogue("TLS-04")
def tls04(d):
    cfg = d.cfg
    w = connect(d)
    _, f = open_stream(w, cfg)
    w.send(f"<starttls xmlns='{NS_TLS}'/>")
    ev = w.next()
    if ev.kind != "el" or not ev.el.is_(NS_TLS, "proceed") or ev.el.children or ev.el.text:
        raise Fail("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> (RFC 3920 §5.2 step 5)", ev.describe())
    extra, closed = w.pending_bytes(0.5)
    if extra or closed:
        raise Fail("nothing after <proceed/> until our ClientHello (RFC 3920 §5.2 step 5)",
                   short(extra) if extra else "the connection closed")
    w.start_tls(tls_context(cfg), cfg.domain)
    return f"TLS {w.sock.version()} {w.sock.cipher()[0]}"


@dialogue("TLS-05")
def tls05(d):
    w, _, f = tls_stream(d, "pre-sasl")
    w.send(f"<starttls xmlns='{NS_TLS}'/>")
    expect_tls_failure(w, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream> and the close for "
                          "<starttls/> on a TLS stream (RFC 3920 §5.2 step 5; RFC 6120 §5.4.2.2)")
    s = login(d, label="bound")
    s.send(f"<starttls xmlns='{NS_TLS}'/>")
    expect_tls_failure(s.w, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream> and the close for "
                            "<starttls/> after SASL and bind (RFC 6120 §5.4.2.2)")


@dialogue("TLS-06", slow=True)
def tls06(d):
    cfg = d.cfg
    w = connect(d)
    _, f = open_stream(w, cfg)
    w.send(f"<starttls xmlns='{NS_TLS}'/>")
    ev = w.next()
    if ev.kind != "el" or not ev.el.is_(NS_TLS, "proceed"):
        raise Fail("<proceed/>", ev.describe())
    w.raw_sock.sendall(b"HELLO\r\n")
    data, closed = w.pending_bytes(cfg.timeout + 2)
    if not closed:
        raise Fail("the connection closed after bytes that are not TLS (RFC 3920 §5.1 rule 13)",
                   f"still open after {cfg.timeout + 2:.0f} s" + (f", sent {short(data)}" if data else ""))
    if data and not data.startswith(b"\x15\x03"):
        raise Fail("no XML after a failed TLS handshake, at most a TLS alert (RFC 6120 §5.4.3.2)", short(data))
    t = cfg.num("HANDSHAKE_TIMEOUT")
    if t is None:
        return "handshake failure checked; the timeout case needs HANDSHAKE_TIMEOUT"
    w2 = connect(d, "stall")
    _, f = open_stream(w2, cfg)
    w2.send(f"<starttls xmlns='{NS_TLS}'/>")
    w2.next()
    t0 = time.monotonic()
    data, closed = w2.pending_bytes(2 * t + 5)
    if not closed or data:
        raise Fail(f"the connection closed without a byte when the TLS handshake stalls past {t} s",
                   short(data) if data else f"still open after {2 * t + 5} s")
    return (f"handshake failure and a stalled handshake (closed after {time.monotonic() - t0:.1f} s) "
            "both close without XML")


@dialogue("TLS-07")
def tls07(d):
    cfg = d.cfg
    w = connect(d)
    _, f = open_stream(w, cfg)
    starttls(w, cfg, f)
    h, f2 = open_stream(w, cfg, decl="<?xml version='1.0' encoding='UTF-8'?>")
    if b"</stream:stream>" in bytes(w.docs[0]):
        raise Fail("the old stream left without </stream:stream> (RFC 3920 §5.2 step 7)", short(bytes(w.docs[0])))


@dialogue("TLS-08")
def tls08(d):
    w, _, f = tls_stream(d)
    if f.child(NS_TLS, "starttls") is not None:
        raise Fail("no <starttls/> in the features after TLS (RFC 3920 §5.1 rule 11)", f.describe())


@dialogue("TLS-09")
def tls09(d):
    cfg = d.cfg
    w = connect(d)
    _, f = open_stream(w, cfg)
    inj = tok("inj")
    w.send(f"<starttls xmlns='{NS_TLS}'/><iq type='get' id='{inj}' to='{xml_attr(cfg.domain)}'>"
           f"<ping xmlns='urn:xmpp:ping'/></iq>")
    ev = w.next()
    if ev.kind != "el" or not ev.el.is_(NS_TLS, "proceed"):
        raise Fail("<proceed/> and nothing else (RFC 3920 §5.2 step 5)", ev.describe())
    clear, _ = w.pending_bytes(0.5)
    if clear:
        raise Fail("the bytes after <starttls/> never parsed: nothing in the clear after <proceed/> "
                   "(RFC 3920 §5.2 step 5; RFC 6120 §5.4.3.3)", f"the server answered them in the clear: {short(clear, 600)}")
    try:
        w.start_tls(tls_context(cfg), cfg.domain)
    except OSError:
        return "the server aborted: the bytes after <starttls/> went to TLS"
    _, f2 = open_stream(w, cfg)
    authenticate(d, w, f2)
    restart(w, cfg)
    bind(w)
    before = barrier(w)
    got = [e for e in before if e.get("id") == inj]
    if got:
        raise Fail(f"nothing answering id='{inj}' sent in the clear after <starttls/> (RFC 6120 §5.4.3.3)",
                   got[0].describe())


@dialogue("TLS-10")
def tls10(d):
    cfg = d.cfg
    w = connect(d)
    _, f = open_stream(w, cfg)
    if not tls_required(d, f):
        raise NA("TLS is optional on this server")
    from client import b64, plain_message
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='PLAIN'>{b64(plain_message(cfg.user, cfg.password))}</auth>")
    ev = w.next()
    el = ev.el if ev.kind == "el" else None
    if el is None or el.ns != NS_SASL or el.name != "failure":
        raise Fail("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><encryption-required/></failure> for "
                   "<auth/> before TLS (RFC 3920 §5.1 rule 4; RFC 6120 §6.5.4)", ev.describe())
    from client import sasl_failure_condition
    c = sasl_failure_condition(el)
    if c == "encryption-required":
        return None
    if c in ("mechanism-too-weak", "invalid-mechanism"):
        return f"variant: <{c}/> (RFC 3920 §6.4 names no encryption-required)"
    raise Fail("<encryption-required/> (RFC 6120 §6.5.4)", el.describe())


@dialogue("TLS-11")
def tls11(d):
    w, _, f = tls_stream(d)
    w.send("<a><b></a>")
    expect_stream_error(w, ("xml-not-well-formed", "not-well-formed", "bad-format"))
    if w.eof_clean is not True:
        raise Fail("TLS close_notify before the TCP close (RFC 5246 §7.2.1; RFC 8446 §6.1)",
                   "the TCP connection closed without close_notify")


def cert_names(der):
    """(CN, [dNSName …]) of a DER certificate, read with the standard library's decoder."""
    pem = ssl.DER_cert_to_PEM_cert(der)
    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as f:
        f.write(pem)
        path = f.name
    try:
        info = ssl._ssl._test_decode_cert(path)
    finally:
        os.unlink(path)
    cn = [v for rdn in info.get("subject", ()) for k, v in rdn if k == "commonName"]
    dns = [v for k, v in info.get("subjectAltName", ()) if k == "DNS"]
    return (cn[0] if cn else None), dns


@dialogue("TLS-12")
def tls12(d):
    cfg = d.cfg
    cfg.need("DOMAIN2")
    out = []
    for host in (cfg.domain, cfg.get("DOMAIN2")):
        w = connect(d, host)
        _, f = open_stream(w, cfg, to=host)
        starttls(w, cfg, f, sni=host, ctx=tls_context(cfg, verify=False))
        cn, dns = cert_names(w.sock.getpeercert(binary_form=True))
        names = [n.lower() for n in dns + ([cn] if cn else [])]
        if host.lower() not in names:
            raise Fail(f"a certificate naming {host} for SNI {host} (RFC 6066 §3; RFC 6120 §13.7.1.2)",
                       f"CN={cn} DNS={dns}")
        out.append(f"{host}: DNS={','.join(dns)}")
    return "; ".join(out)


@dialogue("TLS-13")
def tls13(d):
    """TLS 1.0 and 1.1 refused, with a positive control: the same client completes TLS 1.0 with a
    local server that allows it (a client that cannot speak TLS 1.0 would pass anything)."""
    cfg = d.cfg
    versions = [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1]
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)

    def old_ctx(v):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.check_hostname, c.verify_mode = False, ssl.CERT_NONE
        c.set_ciphers("DEFAULT@SECLEVEL=0")
        c.minimum_version = c.maximum_version = v
        return c
    control = positive_control(old_ctx(ssl.TLSVersion.TLSv1))
    if control is not True:
        raise NA(f"this Python/OpenSSL cannot speak TLS 1.0 even to a permissive local server ({control})")
    for v in versions:
        w = connect(d, v.name)
        _, f = open_stream(w, cfg)
        w.send(f"<starttls xmlns='{NS_TLS}'/>")
        ev = w.next()
        if ev.kind != "el" or not ev.el.is_(NS_TLS, "proceed"):
            raise Fail("<proceed/>", ev.describe())
        try:
            w.start_tls(old_ctx(v), cfg.domain)
        except (ssl.SSLError, OSError):
            continue
        raise Fail(f"the {v.name} handshake refused (RFC 6120 §13.8; DESIGN.md TLS >= 1.2)",
                   f"{w.sock.version()} negotiated")
    return "TLS 1.0 and 1.1 refused; the same client completes TLS 1.0 with a permissive local server"


def positive_control(client_ctx):
    """True when `client_ctx` completes a handshake with a local server that allows TLS 1.0
    only (its throw-away certificate comes from the openssl command, when there is one)."""
    cert = _control_cert()
    if cert is None:
        return "no certificate for the local control server (openssl not found)"
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(*cert)
    sctx.set_ciphers("DEFAULT@SECLEVEL=0")
    sctx.minimum_version = sctx.maximum_version = ssl.TLSVersion.TLSv1
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    result = {}

    def serve():
        c, _ = ls.accept()
        try:
            t = sctx.wrap_socket(c, server_side=True)
            result["v"] = t.version()
            t.close()
        except (ssl.SSLError, OSError) as e:
            result["e"] = str(e)
    th = threading.Thread(target=serve, daemon=True)
    th.start()
    try:
        s = socket.create_connection(ls.getsockname(), timeout=5)
        t = client_ctx.wrap_socket(s)
        v = t.version()
        t.close()
    except (ssl.SSLError, OSError) as e:
        return str(e)
    finally:
        th.join(5)
        ls.close()
    return True if v == "TLSv1" else v


_CONTROL = []


def _control_cert():
    """A throw-away self-signed certificate for the control server (openssl on PATH)."""
    if _CONTROL:
        return _CONTROL[0]
    import shutil
    import subprocess
    if shutil.which("openssl") is None:
        return None
    d = tempfile.mkdtemp(prefix="conformance-control-")
    import atexit
    atexit.register(shutil.rmtree, d, True)
    crt, key = os.path.join(d, "c.crt"), os.path.join(d, "c.key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=control", "-keyout", key, "-out", crt], capture_output=True)
    if r.returncode != 0:
        return None
    _CONTROL.append((crt, key))
    return _CONTROL[0]


@dialogue("TLS-15")
def tls15(d):
    cfg = d.cfg
    w, _, f = tls_stream(d)
    mechs = mechanisms(f)
    if "EXTERNAL" in mechs:
        raise Fail("no EXTERNAL without a client certificate (RFC 6120 §6.3.4)", f.describe())
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='EXTERNAL'>=</auth>")
    ev = w.next()
    from client import sasl_failure_condition
    if ev.kind != "el" or ev.el.name != "failure" or sasl_failure_condition(ev.el) != "invalid-mechanism":
        raise Fail("<failure><invalid-mechanism/></failure>: EXTERNAL not offered is never run (RFC 3920 §6.4)",
                   ev.describe())
    if not cfg.get("CLIENT_CERT"):
        return "without a client certificate only (CLIENT_CERT=… CLIENT_KEY=… for the other half)"
    w2, _, f2 = tls_stream(d, "cert", ctx=tls_context(cfg, cfg.get("CLIENT_CERT"), cfg.get("CLIENT_KEY")))
    mechs2 = mechanisms(f2)
    if not mechs2 or mechs2[0] != "EXTERNAL":
        raise Fail("EXTERNAL offered first with a verified client certificate (RFC 6120 §6.3.4)", f2.describe())


@dialogue("TLS-16")
def tls16(d):
    cfg = d.cfg
    w = connect(d)
    _, f = open_stream(w, cfg)
    if not tls_required(d, f):
        raise NA("TLS is optional on this server")
    m = tok("pretls")
    w.send(f"<message to='{xml_attr(cfg.bare(1))}' id='{m}'><body>{m}</body></message>")
    c1 = expect_stream_error(w, ("not-authorized", "policy-violation"))
    w = connect(d, "bind")
    open_stream(w, cfg)
    w.send(f"<iq type='set' id='{m}'><bind xmlns='{NS_BIND}'/></iq>")
    c2 = expect_stream_error(w, ("not-authorized", "policy-violation"))
    w = connect(d, "auth")
    open_stream(w, cfg)
    out = sasl_auth(w, cfg, "PLAIN", cfg.user, cfg.password)
    if out.kind == "success":
        raise Fail("no SASL before TLS when TLS is required", out.describe())
    if c1 != "not-authorized" or c2 != "not-authorized":
        return "variant: <policy-violation/> for a stanza before TLS"


@dialogue("TLS-17")
def tls17(d):
    cfg = d.cfg
    w = connect(d)
    _, f = open_stream(w, cfg)
    w.send(f"<starttls xmlns='{NS_TLS}'/>")
    ev = w.next()
    if ev.kind != "el" or not ev.el.is_(NS_TLS, "proceed"):
        raise Fail("<proceed/>", ev.describe())
    extra, _ = w.pending_bytes(0.3)
    for name, gap in (("header and features", f.gap), ("features and proceed", ev.el.gap), ("after proceed", extra)):
        if gap:
            raise Fail("no whitespace between elements during TLS negotiation (RFC 3920 §5.1 rule 5)",
                       f"{short(gap)!r} between {name}")


@dialogue("TLS-18")
def tls18(d):
    cfg = d.cfg
    cfg.need("DIRECT_TLS")
    host, _, port = cfg.get("DIRECT_TLS").rpartition(":")
    w = Wire(host.strip("[]"), int(port), cfg.timeout, label="direct", log=d.log)
    d.wires.append(w)
    ctx = tls_context(cfg)
    ctx.set_alpn_protocols(["xmpp-client"])
    w.start_tls(ctx, cfg.domain)
    _, f = open_stream(w, cfg)
    if f.child(NS_TLS, "starttls") is not None or not mechanisms(f):
        raise Fail("mechanisms and no <starttls/> on a direct-TLS connection (XEP-0368 §3)", f.describe())
    w.send(f"<starttls xmlns='{NS_TLS}'/>")
    expect_tls_failure(w, "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream> for <starttls/> "
                          "over direct TLS")


@dialogue("TLS-19")
def tls19(d):
    cfg = d.cfg
    cfg.need("CERT_REQUIRED_DOMAIN", "OTHER_CLIENT_CERT", "OTHER_CLIENT_KEY")
    host = cfg.get("CERT_REQUIRED_DOMAIN")
    w = connect(d)
    _, f = open_stream(w, cfg, to=host)
    starttls(w, cfg, f, sni=host, ctx=tls_context(cfg, cfg.get("OTHER_CLIENT_CERT"), cfg.get("OTHER_CLIENT_KEY"),
                                                   verify=False))
    w.send(header_bytes(cfg, to=host))
    expect_stream_error(w, "policy-violation", what="our header, <policy-violation/> and the close for a client "
                        "certificate that fails verification (RFC 6120 §13.7.2.1)")


@dialogue("TLS-20")
def tls20(d):
    cfg = d.cfg
    cfg.need("CLIENT_CERT", "CLIENT_KEY")
    w, _, f = tls_stream(d, ctx=tls_context(cfg, cfg.get("CLIENT_CERT"), cfg.get("CLIENT_KEY")))
    if "EXTERNAL" not in mechanisms(f):
        raise Fail("EXTERNAL offered for a client certificate naming the account (RFC 6120 §6.3.4; XEP-0178)",
                   f.describe())
    w.send(f"<auth xmlns='{NS_SASL}' mechanism='EXTERNAL'>=</auth>")
    ev = w.next()
    if ev.kind != "el" or ev.el.name != "success":
        raise Fail("<success/> for EXTERNAL with the certificate's identity", ev.describe())
    restart(w, cfg)
    jid = bind(w)
    if jid.split("/")[0].lower() != cfg.bare(1).lower():
        raise Fail(f"the account the certificate names ({cfg.bare(1)})", jid)
    if not cfg.get("OTHER_CLIENT_CERT"):
        return "verified certificate only (OTHER_CLIENT_CERT=… for one that must not count)"
    w2, _, f2 = tls_stream(d, "other", ctx=tls_context(cfg, cfg.get("OTHER_CLIENT_CERT"),
                                                        cfg.get("OTHER_CLIENT_KEY")))
    if "EXTERNAL" in mechanisms(f2):
        raise Fail("no EXTERNAL for a certificate that does not verify", f2.describe())


@dialogue("TLS-21")
def tls21(d):
    cfg = d.cfg
    cfg.need("CERT_REQUIRED_DOMAIN")
    host = cfg.get("CERT_REQUIRED_DOMAIN")
    notes = []
    for sni in (host, cfg.domain):
        w = connect(d, f"sni-{sni}")
        _, f = open_stream(w, cfg, to=host)
        w.send(f"<starttls xmlns='{NS_TLS}'/>")
        ev = w.next()
        if ev.kind != "el" or not ev.el.is_(NS_TLS, "proceed"):
            raise Fail("<proceed/>", ev.describe())
        try:
            w.start_tls(tls_context(cfg, verify=False), sni)
        except (ssl.SSLError, OSError) as e:
            notes.append(f"SNI {sni}: handshake refused ({str(e)[:60]})")
            continue
        try:
            w.send(header_bytes(cfg, to=host))
            events = w.read_until_eof()
        except (ssl.SSLError, OSError) as e:
            notes.append(f"SNI {sni}: refused after the handshake ({str(e)[:60]})")
            continue
        kinds = [e.kind for e in events]
        if kinds and kinds[0] == "eof":
            notes.append(f"SNI {sni}: closed ({getattr(w, 'tls_error', 'no certificate')[:60]})")
            continue
        errs = [e for e in events if e.kind == "el" and e.el.is_(NS_STREAMS, "error")]
        feats = [e for e in events if e.kind == "el" and e.el.is_(NS_STREAMS, "features")]
        if kinds and kinds[0] == "header" and errs and not feats:
            from client import stream_error_of
            cond, _ = stream_error_of(errs[0].el)
            if cond == "policy-violation" and kinds[-1] == "eof":
                notes.append(f"SNI {sni}: our header, <policy-violation/>")
                continue
        raise Fail(f"no stream for {host} without a client certificate, whatever SNI names: the handshake "
                   "refused (certificate_required) or <policy-violation/> after TLS (RFC 6120 §13.7.2.1)",
                   f"SNI {sni}: " + " ".join(e.describe() for e in events))
    return "; ".join(notes)
