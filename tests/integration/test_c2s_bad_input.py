"""Bad input over real sockets, one offender at a time, each beside a "witness": two sessions
(juliet@localhost/balcony, romeo@localhost/orchard) bound BEFORE the bad input, which must still
exchange messages byte for byte after it (conftest.Witness). The offender's answer is compared
byte for byte: a stream error is [our header +] <stream:error><COND xmlns=streams/></stream:error>
</stream:stream> and the connection closed (close_notify first on TLS) within 5 s; a SASL failure
is <failure xmlns=sasl><COND/></failure> and the stream stays open; a stanza is stamped.

What the answers are comes from spec/c2s.fsm and DESIGN.md ("Decisions"); cases already shown
without a witness live in test_c2s_tls.py (malformed XML, timeouts, TLS versions) and
test_c2s_login.py (PLAIN failures, conflict). Skipped when xmppctl (accounts) is not built."""
import base64
import hashlib
import hmac
import os
import re
import ssl
import threading
import time

import pytest

from conftest import (FEAT_BIND_SESSION, FEAT_TLS_REQUIRED, NS_STREAMS, PROCEED, SASL_NS, STARTTLS, XMPPCTL,
                      Witness, bound_session, expect_stream_error, feat_sasl, negotiate_tls, norm, open_header,
                      plain_auth, proc_status_kb, recv_to_eof, recv_until, reset_peak_rss, sasl_failure,
                      server_header, stream_error, tls_mechanisms)

pytestmark = pytest.mark.skipif(not os.path.exists(XMPPCTL),
                                reason=f"{XMPPCTL} does not exist (the SASL adapter and xmppctl are not built)")

# No -PLUS variant: the raw SCRAM client below does not bind (see test_c2s_login.py MECHS_NO_PLUS)
MECHS = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"]
USERS = {"juliet": "r0m30-wherefore", "romeo": "jul13t-balcony", "mallory": "m4ll0ry-0rch4rd"}
MSG_TO_ROMEO = b"<message to='romeo@localhost/orchard' type='chat' id='bad'><body>must not arrive</body></message>"


@pytest.fixture
def with_witness(make_server):
    """Factory: with_witness(**config) starts an xmppd with the three accounts and binds the
    witness pair on it; returns (server, witness). The witnesses close before the servers stop."""
    made = []

    def make(**kw):
        kw.setdefault("mechanisms", MECHS)
        srv = make_server(**kw)
        for user, password in USERS.items():
            srv.adduser(f"{user}@localhost", password)
        w = Witness(srv)
        made.append(w)
        return srv, w

    yield make
    for w in made:
        w.close()


def plain_features(srv, sock, host="localhost"):
    sock.sendall(open_header(host))
    assert norm(recv_until(sock, b"</stream:features>")) == server_header(host) + FEAT_TLS_REQUIRED
    return sock


def auth_elem(mech, data=None):
    text = "" if data is None else (data if isinstance(data, str) else base64.b64encode(data).decode())
    return f"<auth xmlns='{SASL_NS}' mechanism='{mech}'>{text}</auth>".encode()


def expect_open(sock):
    """The stream is still open and sane: our </stream:stream> is answered with the server's and
    the connection closes cleanly."""
    sock.sendall(b"</stream:stream>")
    data, clean, secs = recv_to_eof(sock, timeout=6)
    assert data == b"</stream:stream>" and clean is True and secs < 5, (data, clean, secs)


# ---------------------------------------------------------------- a small SCRAM client (RFC 5802)

class Scram:
    """Client side of SCRAM-SHA-1/-256 without channel binding (gs2 header 'n,,')."""

    def __init__(self, mech, user, password, nonce="fyko+d2lbbFgONRv9qkxdawL"):
        self.mech, self.user, self.password, self.nonce = mech, user, password, nonce
        self.h = hashlib.sha256 if mech == "SCRAM-SHA-256" else hashlib.sha1
        self.bare = f"n={user},r={nonce}"

    def first(self):
        return auth_elem(self.mech, ("n,," + self.bare).encode())

    def parse_challenge(self, xml):
        m = re.fullmatch(f"<challenge xmlns='{SASL_NS}'>([A-Za-z0-9+/=]+)</challenge>", xml)
        assert m, xml
        self.server_first = base64.b64decode(m.group(1)).decode()
        attrs = dict(kv.split("=", 1) for kv in self.server_first.split(","))
        return attrs

    def response(self):
        attrs = dict(kv.split("=", 1) for kv in self.server_first.split(","))
        salted = hashlib.pbkdf2_hmac(self.h().name, self.password.encode(), base64.b64decode(attrs["s"]),
                                     int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", self.h).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = f"{self.bare},{self.server_first},{without_proof}".encode()
        signature = hmac.new(self.h(client_key).digest(), auth_message, self.h).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.new(salted, b"Server Key", self.h).digest()
        self.server_signature = hmac.new(server_key, auth_message, self.h).digest()
        final = f"{without_proof},p={base64.b64encode(proof).decode()}"
        return f"<response xmlns='{SASL_NS}'>{base64.b64encode(final.encode()).decode()}</response>".encode()

    def success(self):
        v = base64.b64encode(b"v=" + base64.b64encode(self.server_signature)).decode()
        return f"<success xmlns='{SASL_NS}'>{v}</success>"


def scram_attempt(srv, mech, user, password):
    """One SCRAM exchange on a fresh TLS stream: returns (server-first attributes, final answer)."""
    t = tls_mechanisms(srv)
    c = Scram(mech, user, password)
    t.sendall(c.first())
    attrs = c.parse_challenge(recv_until(t, b"</challenge>").decode())
    t.sendall(c.response())
    answer = recv_until(t, b"</failure>" if password != USERS.get(user) else b"</success>").decode()
    t.close()
    return attrs, answer, c


# ---------------------------------------------------------------- SASL: failures keep the stream open

# REQ: TLS-10, TLS-16, STR-23, ERR-11
def test_auth_before_tls_refused_with_encryption_required(with_witness):
    """<auth/> before TLS when TLS is required: <encryption-required/> whatever the mechanism and
    however right the credentials; SASL never runs (nobody is authenticated), and the same
    connection can then do STARTTLS and log in."""
    srv, w = with_witness()
    s = plain_features(srv, srv.connect())
    s.sendall(plain_auth("juliet", USERS["juliet"]))
    assert recv_until(s, b"</failure>").decode() == sasl_failure("encryption-required")
    s.sendall(Scram("SCRAM-SHA-256", "juliet", USERS["juliet"]).first())
    assert recv_until(s, b"</failure>").decode() == sasl_failure("encryption-required")
    assert srv.log().count("authenticated juliet@localhost") == 1   # the witness only
    assert "SASL step failed" not in srv.log()
    # the stream goes on: STARTTLS, then the mechanisms and a login
    s.sendall(STARTTLS)
    assert recv_until(s, b"/>").decode() == PROCEED
    t = srv.client_context().wrap_socket(s, server_hostname="localhost", suppress_ragged_eofs=False)
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + feat_sasl(MECHS)
    t.sendall(plain_auth("mallory", USERS["mallory"]))
    assert recv_until(t, b"/>").decode() == f"<success xmlns='{SASL_NS}'/>"
    t.close()
    w.exchange()


# REQ: SASL-02, SASL-07, ERR-11
def test_mechanism_not_offered_is_invalid_mechanism(with_witness, make_server):
    """DIGEST-MD5 and ANONYMOUS (Debian's libsasl2-modules load them: DESIGN.md trap), a -PLUS
    variant the configuration leaves out, and an <auth/> without mechanism: <invalid-mechanism/>,
    never reaching SASL; the stream stays open."""
    srv, w = with_witness()
    t = tls_mechanisms(srv)
    for elem in (auth_elem("DIGEST-MD5"), auth_elem("SCRAM-SHA-256-PLUS", b"p=tls-exporter,,n=juliet,r=abc")):
        t.sendall(elem)
        assert recv_until(t, b"</failure>").decode() == sasl_failure("invalid-mechanism")
    expect_open(t)
    t = tls_mechanisms(srv)
    for elem in (auth_elem("ANONYMOUS", b"x"), f"<auth xmlns='{SASL_NS}'>AGp1bGlldAB4</auth>".encode()):
        t.sendall(elem)
        assert recv_until(t, b"</failure>").decode() == sasl_failure("invalid-mechanism")
    expect_open(t)
    assert "SASL step failed" not in srv.log()
    w.exchange()
    # TLS optional: SCRAM is offered in the clear, PLAIN is not, so PLAIN is not offered there
    open_srv = make_server(mechanisms=MECHS, require_encryption=False)
    open_srv.adduser("juliet@localhost", USERS["juliet"])
    s = open_srv.connect()
    s.sendall(open_header())
    assert norm(recv_until(s, b"</stream:features>")) == server_header() + (
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'></starttls>"
        f"<mechanisms xmlns='{SASL_NS}'><mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-1</mechanism>"
        "</mechanisms></stream:features>")
    s.sendall(plain_auth("juliet", USERS["juliet"]))
    assert recv_until(s, b"</failure>").decode() == sasl_failure("invalid-mechanism")
    expect_open(s)
    assert "authenticated" not in open_srv.log() and "SASL step failed" not in open_srv.log()


# REQ: SASL-17, ERR-11
def test_plain_with_another_users_authzid_is_invalid_authzid(with_witness):
    """mallory's right password with juliet's (or romeo's) JID as authzid: <invalid-authzid/>, the
    stream stays unauthenticated and open, and the witnesses (juliet, romeo) are untouched; with
    her own JID as authzid mallory logs in, and binds as mallory."""
    srv, w = with_witness()
    t = tls_mechanisms(srv)
    for authzid in ("juliet@localhost", "romeo@localhost/orchard"):
        t.sendall(plain_auth("mallory", USERS["mallory"], authzid))
        assert recv_until(t, b"</failure>").decode() == sasl_failure("invalid-authzid")
    t.sendall(b"<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")   # still not authenticated
    expect_stream_error(t, "not-authorized")
    w.exchange()
    t = tls_mechanisms(srv)
    t.sendall(plain_auth("mallory", USERS["mallory"], "mallory@localhost"))
    assert recv_until(t, b"/>").decode() == f"<success xmlns='{SASL_NS}'/>"
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + FEAT_BIND_SESSION
    t.sendall(b"<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>den</resource>"
              b"</bind></iq>")
    assert b"<jid>mallory@localhost/den</jid>" in recv_until(t, b"</iq>")
    t.close()
    w.exchange()


# REQ: SASL-05, SASL-06, SASL-27, ERR-11
@pytest.mark.parametrize("mech", ["SCRAM-SHA-256", "SCRAM-SHA-1"])
def test_scram_unknown_user_indistinguishable_from_wrong_password(with_witness, mech):
    """SCRAM shows its salt before the password is checked, so an unknown user must get a
    server-first message of the same shape (a 16-byte salt, 4096 iterations) whose salt is the
    same on every attempt (a fresh one each time would tell), and the same final failure as a
    wrong password. Positive control: the same client code logs in with the right password."""
    srv, w = with_witness()
    good, answer, c = scram_attempt(srv, mech, "juliet", USERS["juliet"])
    assert answer == c.success()
    wrong1, answer_wrong, _ = scram_attempt(srv, mech, "juliet", "not-her-password")
    ghost1, answer_ghost, _ = scram_attempt(srv, mech, "nobody", "not-her-password")
    ghost2, answer_ghost2, _ = scram_attempt(srv, mech, "nobody", "another-guess")
    assert answer_wrong == answer_ghost == answer_ghost2 == sasl_failure("not-authorized")
    for attrs in (good, wrong1, ghost1, ghost2):
        assert sorted(attrs) == ["i", "r", "s"] and attrs["i"] == "4096"
        assert attrs["r"].startswith("fyko+d2lbbFgONRv9qkxdawL") and len(attrs["r"]) > 24 + 16
        assert len(base64.b64decode(attrs["s"])) == len(base64.b64decode(good["s"]))
    assert good["s"] == wrong1["s"]        # a real account's salt is stable ...
    assert ghost1["s"] == ghost2["s"]      # ... and so is the decoy's
    assert ghost1["s"] != good["s"]
    w.exchange()


# REQ: SASL-08, SASL-09, SASL-14, B64-04, ERR-11
def test_bad_base64_is_incorrect_encoding(with_witness):
    """Whitespace inside, a character outside the alphabet, bad padding: <incorrect-encoding/> in
    <auth/> and in <response/>, never reaching the mechanism (no 'SASL step failed' in the log);
    the stream stays open."""
    srv, w = with_witness()
    good = base64.b64encode(b"\0mallory\0" + USERS["mallory"].encode()).decode()
    t = tls_mechanisms(srv)
    for text in (good[:8] + " " + good[8:], good[:-4] + "!!!!"):
        t.sendall(auth_elem("PLAIN", text))
        assert recv_until(t, b"</failure>").decode() == sasl_failure("incorrect-encoding")
    expect_open(t)
    t = tls_mechanisms(srv)
    t.sendall(auth_elem("PLAIN", good[:-1]))   # a quantum cut short
    assert recv_until(t, b"</failure>").decode() == sasl_failure("incorrect-encoding")
    c = Scram("SCRAM-SHA-256", "mallory", USERS["mallory"])
    t.sendall(c.first())
    c.parse_challenge(recv_until(t, b"</challenge>").decode())
    t.sendall(f"<response xmlns='{SASL_NS}'>Yz1iaXdz\nLHI9</response>".encode())
    assert recv_until(t, b"</failure>").decode() == sasl_failure("incorrect-encoding")
    expect_open(t)
    assert "SASL step failed" not in srv.log()
    w.exchange()


# REQ: SASL-15, SASL-16, ERR-11
def test_abort_is_aborted_and_counts_inside_an_exchange(with_witness):
    """<abort/> with no exchange running gets <aborted/> (the table does not count it); inside an
    exchange it gets <aborted/> and counts, so the third one ends with <policy-violation/>."""
    srv, w = with_witness()
    t = tls_mechanisms(srv)
    abort = f"<abort xmlns='{SASL_NS}'/>".encode()
    t.sendall(abort)
    assert recv_until(t, b"</failure>").decode() == sasl_failure("aborted")
    for i in range(3):
        c = Scram("SCRAM-SHA-256", "juliet", USERS["juliet"])
        t.sendall(c.first())
        c.parse_challenge(recv_until(t, b"</challenge>").decode())
        t.sendall(abort)
        if i < 2:
            assert recv_until(t, b"</failure>").decode() == sasl_failure("aborted")
    data, clean, secs = recv_to_eof(t, timeout=6)
    assert data.decode() == sasl_failure("aborted") + stream_error("policy-violation")
    assert clean is True and secs < 5
    w.exchange()


# REQ: SASL-16, ERR-11
@pytest.mark.parametrize("limit", [None, 5])
def test_repeated_auth_failures_close_the_stream(with_witness, limit):
    """Failures of every kind share one per-stream count (limits.auth_failures, 3 by default):
    each is answered and the stream stays open until the last, which is answered and followed by
    <policy-violation/> and the close."""
    srv, w = with_witness(**({"limits": {"auth_failures": limit}} if limit else {}))
    limit = limit or 3
    attempts = [
        (plain_auth("juliet", "wrong-password"), "not-authorized"),
        (auth_elem("DIGEST-MD5"), "invalid-mechanism"),
        (plain_auth("nobody", "guess"), "not-authorized"),
        (auth_elem("PLAIN", "AGp1bGll dA=="), "incorrect-encoding"),
        (plain_auth("mallory", USERS["mallory"], "juliet@localhost"), "invalid-authzid"),
    ]
    t = tls_mechanisms(srv)
    for i in range(limit):
        elem, cond = attempts[i % len(attempts)]
        t.sendall(elem)
        if i < limit - 1:
            assert recv_until(t, b"</failure>").decode() == sasl_failure(cond)
    data, clean, secs = recv_to_eof(t, timeout=6)
    assert data.decode() == sasl_failure(cond) + stream_error("policy-violation")
    assert clean is True and secs < 5
    w.exchange()


# ---------------------------------------------------------------- stanzas from the wrong place

def offender_at(srv, stage):
    """A stream at `stage` of the negotiation: before-tls, before-auth, before-bind."""
    if stage == "before-tls":
        return plain_features(srv, srv.connect())
    if stage == "before-auth":
        return tls_mechanisms(srv)
    t = tls_mechanisms(srv)
    t.sendall(plain_auth("mallory", USERS["mallory"]))
    assert recv_until(t, b"/>").decode() == f"<success xmlns='{SASL_NS}'/>"
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + FEAT_BIND_SESSION
    return t


# REQ: TLS-16, STR-22, BIND-07, SESS-05, ERR-11
@pytest.mark.parametrize("stage,stanza", [
    ("before-tls", MSG_TO_ROMEO),
    ("before-auth", MSG_TO_ROMEO),
    ("before-auth", b"<presence to='romeo@localhost/orchard'/>"),
    ("before-bind", MSG_TO_ROMEO),
    ("before-bind", b"<iq type='set' id='s1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>"),
    ("before-bind", b"<iq type='get' id='p1' to='romeo@localhost/orchard'><ping xmlns='urn:xmpp:ping'/></iq>"),
])
def test_stanza_before_bind_closes_with_not_authorized(with_witness, stage, stanza):
    """A stanza before a resource is bound (RFC 6120 §7.1; DESIGN.md) closes the stream with
    <not-authorized/>; what it was addressed to (the witness) never gets it."""
    srv, w = with_witness()
    t = offender_at(srv, stage)
    t.sendall(stanza)
    expect_stream_error(t, "not-authorized")
    w.exchange()


# REQ: STZ-01, STZ-02, ERR-11
def test_spoofed_from_is_overwritten_with_the_senders_full_jid(with_witness):
    """mallory writes juliet's (or the server's) JID in from: what arrives carries
    from='mallory@localhost/den' (RFC 3920 §9.1.2: the server stamps the full JID), the server's
    own answer goes to mallory, and juliet gets nothing of it."""
    srv, w = with_witness()
    m, full = bound_session(srv, "mallory", USERS["mallory"], "den")
    m.sendall(b"<message from='juliet@localhost/balcony' to='romeo@localhost/orchard' type='chat' id='s1'>"
              b"<body>it is juliet</body></message>")
    assert recv_until(w.b, b"</message>").decode() == (
        "<message to='romeo@localhost/orchard' type='chat' id='s1' from='mallory@localhost/den'>"
        "<body>it is juliet</body></message>")
    m.sendall(b"<presence to='romeo@localhost/orchard' from='localhost'/>")
    assert recv_until(w.b, b"</presence>").decode() == (
        "<presence to='romeo@localhost/orchard' from='mallory@localhost/den'></presence>")
    m.sendall(b"<message to='juliet@localhost' from='romeo@localhost/orchard' type='chat' id='s2'>"
              b"<body>it is romeo</body></message>")
    assert recv_until(w.a, b"</message>").decode() == (
        "<message to='juliet@localhost' type='chat' id='s2' from='mallory@localhost/den'>"
        "<body>it is romeo</body></message>")
    m.sendall(b"<iq type='get' id='p1' from='juliet@localhost/balcony'><ping xmlns='urn:xmpp:ping'/></iq>")
    assert recv_until(m, b"/>").decode() == f"<iq type='result' id='p1' to='{full}'/>"
    w.exchange()   # and nothing else reached juliet or romeo
    m.close()


# REQ: TLS-09, STR-30, TLS-07, ERR-11
def test_plaintext_pipelined_after_starttls_never_reaches_the_tls_stream(with_witness):
    """A STARTTLS command injection: a header, juliet's real PLAIN credentials, a bind and a
    message to the witness, in the clear after <starttls/> in one write. None of it is parsed:
    the stream after TLS offers the mechanisms (not authenticated), a message there closes it with
    <not-authorized/>, and the witness never gets the injected message."""
    srv, w = with_witness()
    s = plain_features(srv, srv.connect())
    s.sendall(STARTTLS + open_header() + plain_auth("juliet", USERS["juliet"]) + open_header() +
              b"<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>injected</resource>"
              b"</bind></iq>" + MSG_TO_ROMEO)
    assert recv_until(s, b"/>").decode() == PROCEED
    t = srv.client_context().wrap_socket(s, server_hostname="localhost", suppress_ragged_eofs=False)
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + feat_sasl(MECHS)
    t.sendall(MSG_TO_ROMEO)
    expect_stream_error(t, "not-authorized")
    assert srv.log().count("authenticated juliet@localhost") == 1   # the witness only
    w.exchange()


def header_to(to):
    attr = f" to='{to}'" if to is not None else ""
    return ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            f"xmlns:stream='{NS_STREAMS}'{attr} version='1.0'>").encode()


# REQ: STR-33, STR-17, STR-19, ERR-11
@pytest.mark.parametrize("after", ["tls", "sasl"])
@pytest.mark.parametrize("to", ["example.test", "elsewhere.example", None])
def test_restart_naming_another_host_is_host_unknown(with_witness, after, to):
    """The header after the TLS or SASL restart names another host than the stream began with —
    one we also serve (CVE-2018-10847 class), one we do not, or none: our header for the new
    stream, <host-unknown/>, the close."""
    srv, w = with_witness(hosts=("localhost", "example.test"))
    if after == "tls":
        s = plain_features(srv, srv.connect())
        s.sendall(STARTTLS)
        assert recv_until(s, b"/>").decode() == PROCEED
        t = srv.client_context().wrap_socket(s, server_hostname="localhost", suppress_ragged_eofs=False)
    else:
        t = tls_mechanisms(srv)
        t.sendall(plain_auth("mallory", USERS["mallory"]))
        assert recv_until(t, b"/>").decode() == f"<success xmlns='{SASL_NS}'/>"
    t.sendall(header_to(to))
    expect_stream_error(t, "host-unknown", header=server_header("localhost"))
    w.exchange()


# ---------------------------------------------------------------- size, entities, time

def flood(sock, head, total=10 << 20, chunk=65536):
    """Sends head and then 'A's up to `total` bytes, never reading, until done or the server stops
    taking them (an error, or nothing accepted for 5 s). Returns the bytes sent."""
    data = memoryview(head + b"A" * (total - len(head)))
    sent = 0
    sock.settimeout(5)
    try:
        while sent < total:
            sent += sock.send(data[sent:sent + chunk])
    except (OSError, ssl.SSLError):   # reset, broken pipe, timeout: the server stopped reading
        pass
    return sent


# REQ: XML-19, ERR-11
@pytest.mark.parametrize("stage", ["before-auth", "bound"])
def test_ten_megabyte_stanza_is_policy_violation_without_ballooning(with_witness, stage):
    """10 MB in one stanza, sent without reading: before authentication (cap 10,000 bytes, in the
    clear) and bound (cap 256 KiB, over TLS, addressed to the witness). <policy-violation/>, the
    close within 5 s, and the server's resident memory peaks less than 8 MB above where it was."""
    srv, w = with_witness()
    if stage == "before-auth":
        t = plain_features(srv, srv.connect())
    else:
        t, _ = bound_session(srv, "mallory", USERS["mallory"], "den")
    peak_reset = reset_peak_rss(srv.proc.pid)
    before = proc_status_kb(srv.proc.pid, "VmRSS")
    flood(t, b"<message to='romeo@localhost/orchard' type='chat' id='big'><body>")
    expect_stream_error(t, "policy-violation")
    grown = proc_status_kb(srv.proc.pid, "VmHWM" if peak_reset else "VmRSS") - before
    assert grown < 8 * 1024, f"xmppd grew by {grown} kB"
    w.exchange()
    assert proc_status_kb(srv.proc.pid, "VmRSS") - before < 8 * 1024


LAUGHS = ("<!DOCTYPE lolz [<!ENTITY lol 'lol'>" +
          "".join(f"<!ENTITY lol{i} '{('&lol' + (str(i - 1) if i > 1 else '') + ';') * 10}'>" for i in range(1, 10)) +
          "]>")


# REQ: XML-05, XML-06, XML-10, ERR-11
@pytest.mark.parametrize("where", ["prolog", "prolog-xxe", "in-stream", "entity-in-bound-stanza"])
def test_billion_laughs_is_restricted_xml(with_witness, where):
    """A DTD declaring nested entities (billion laughs) or an external one (XXE) before the
    header, a DTD inside the stream, and a reference to an undeclared entity in a bound stanza:
    <restricted-xml/> at once (our header first when none was sent), nothing expanded, nothing
    routed, no memory spent."""
    srv, w = with_witness()
    before = proc_status_kb(srv.proc.pid, "VmRSS")
    decl = b"<?xml version='1.0'?>"
    header = None
    if where.startswith("prolog"):
        dtd = LAUGHS if where == "prolog" else "<!DOCTYPE stream:stream SYSTEM 'file:///etc/passwd'>"
        t = srv.connect()
        t.sendall(decl + dtd.encode() + open_header()[len(decl):] + b"<message to='romeo@localhost/orchard'>"
                  b"<body>&lol9;</body></message>")
        header = server_header()
    elif where == "in-stream":
        t = tls_mechanisms(srv)
        t.sendall(LAUGHS.encode() + b"<message><body>&lol9;</body></message>")
    else:
        t, _ = bound_session(srv, "mallory", USERS["mallory"], "den")
        t.sendall(b"<message to='romeo@localhost/orchard' type='chat' id='lol'><body>&lol9;</body></message>")
    expect_stream_error(t, "restricted-xml", header=header)
    assert proc_status_kb(srv.proc.pid, "VmRSS") - before < 8 * 1024
    w.exchange()


# REQ: STR-27, ERR-11
def test_stalled_clients_get_connection_timeout_at_the_handshake_deadline(with_witness):
    """Three clients that never finish negotiating (handshake timeout 3 s, counted from connect):
    one stops inside its header, one inside an <auth/> after TLS, and one keeps dribbling a
    stanza a byte every 0.2 s (input does not move the deadline). Each gets <connection-timeout/>
    (our header first where none was sent) and is closed within 5 s of the deadline; the bound
    witness is not subject to it."""
    handshake = 3
    srv, w = with_witness(timeouts={"handshake": handshake})
    started = {"header": time.monotonic()}   # taken before each connect: the server's timer starts later
    mid_header = srv.connect()
    mid_header.sendall(open_header()[:-20])
    started["auth"] = time.monotonic()
    mid_auth = negotiate_tls(srv, srv.connect())
    mid_auth.sendall(open_header())
    assert norm(recv_until(mid_auth, b"</stream:features>")) == server_header() + feat_sasl(MECHS)
    mid_auth.sendall(f"<auth xmlns='{SASL_NS}' mechanism='PL".encode())
    started["dribble"] = time.monotonic()
    dribbler = plain_features(srv, srv.connect())
    stop = threading.Event()

    def dribble():
        payload = b"<message to='romeo@localhost/orchard'><body>" + b"z" * 1000
        for i in range(len(payload)):
            if stop.wait(0.2):
                return
            try:
                dribbler.send(payload[i:i + 1])
            except OSError:
                return

    thread = threading.Thread(target=dribble)
    thread.start()
    try:
        for name, sock, header in (("header", mid_header, server_header()), ("auth", mid_auth, None),
                                   ("dribble", dribbler, None)):
            data, clean, _ = recv_to_eof(sock, timeout=handshake + 10)
            elapsed = time.monotonic() - started[name]
            assert norm(data) == (header or "") + stream_error("connection-timeout"), name
            assert clean is True, name
            assert handshake - 0.5 < elapsed < handshake + 5, (name, elapsed)
    finally:
        stop.set()
        thread.join()
    w.exchange()


# ---------------------------------------------------------------- TLS policy beside the witness

# REQ: TLS-13, TLS-14, ERR-11
def test_old_tls_and_renegotiation_leave_the_witness_alone(with_witness, tmp_path):
    """TLS 1.0 and 1.1 clients get the protocol_version alert and a TLS 1.2 client that
    renegotiates is closed, while the witness goes on. Positive control (DESIGN.md trap): the
    same openssl client completes TLS 1.0 against a server that allows it."""
    from test_c2s_tls import s_client, s_server, scripted_client
    srv, w = with_witness()
    weak = ["-cipher", "DEFAULT@SECLEVEL=0"]
    cert, key = srv.certs["localhost"]
    p, port = s_server(tmp_path, cert, key, ["-tls1"] + weak)
    rc, out = s_client(port, "tls1", weak, starttls=False)
    p.kill()
    p.wait()
    assert "New, TLSv1, Cipher is" in out or "New, TLSv1.0, Cipher is" in out, out
    for version in ("tls1", "tls1_1"):
        rc, out = s_client(srv.port, version, weak)
        assert rc != 0 and "alert protocol version" in out and "Cipher is (NONE)" in out, out
    w.exchange()
    out = scripted_client(["-connect", f"127.0.0.1:{srv.port}", "-tls1_2", "-starttls", "xmpp",
                           "-xmpphost", "localhost"],
                          [(open_header() + b"\n", 0.5), (b"R\n", 1.0), (MSG_TO_ROMEO + b"\n", 0.2)])
    assert "RENEGOTIATING" in out, out
    assert "TLS renegotiation attempt: closing the connection" in srv.log()
    w.exchange()
