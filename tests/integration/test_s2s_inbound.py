"""Inbound server-to-server streams of one xmppd (issue 6), spoken to in raw XML by a Python peer
server: STARTTLS then dialback features (RFC 3920 §5, §8; XEP-0220 §2.4), <db:verify/> answered
with the XEP-0185 key (we are the authoritative server), and <db:result/> verified through a
verify connection to the claimed domain's authoritative server — a Python listener reached
through xmppd's static host map — whose answer decides the pair (RFC 3920 §8.3 steps 3-10). A
stanza for a local user without a session comes back as an error over our own outbound stream
to the peer (RFC 3921 §11.1), which the same listener receives after dialback.

Everything listens on 127.0.0.1; b.test is reached only through the static host map."""
import hashlib
import hmac
import os
import re
import socket
import ssl
import threading
import time

import pytest

from conftest import Xmppd, free_port, make_cert, recv_until

NS_STREAMS = "http://etherx.jabber.org/streams"
STARTTLS = b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
WAIT = 10.0


def header(frm, to, sid=None):
    i = f" id='{sid}'" if sid else ""
    return (f"<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' "
            f"xmlns:stream='{NS_STREAMS}' from='{frm}' to='{to}'{i} version='1.0'>").encode()


def db_key(secret, receiving, originating, sid):
    """XEP-0185 §3: HMAC-SHA256 keyed with the hex of SHA256(secret), over 'receiving originating id'."""
    k = hashlib.sha256(secret.encode()).hexdigest().encode()
    return hmac.new(k, f"{receiving} {originating} {sid}".encode(), hashlib.sha256).hexdigest()


def stream_id(data):
    m = re.search(rb"<stream:stream[^>]* id='([^']+)'", data)
    assert m, data
    return m.group(1).decode()


def client_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE      # xmppd's certificate is self-signed; we test dialback here
    return ctx


class Server:
    """xmppd serving a.test with an s2s listener; b.test (the peer) maps to `peer_port`."""

    def __init__(self, d, peer_port, s2s_extra=""):
        self.s2s_port = free_port()
        self.srv = Xmppd(d, hosts=("a.test",), extra=(
            f's2s = {{ listen = ( {{ address = "127.0.0.1"; port = {self.s2s_port}; }} );\n'
            f'  hosts = ( {{ domain = "b.test"; address = "127.0.0.1"; port = {peer_port}; }} );\n'
            f'  {s2s_extra} }};\n'))
        self.srv.start()
        with open(os.path.join(self.srv.dir, "dialback.secret")) as f:
            self.secret = f.read().strip()

    def open_secure(self, frm="b.test"):
        """Header, features, STARTTLS, TLS, header again: returns (tls socket, stream id, features)."""
        s = socket.create_connection(("127.0.0.1", self.s2s_port), timeout=WAIT)
        s.sendall(header(frm, "a.test"))
        first = recv_until(s, b"</stream:features>")
        assert b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>" in first, first
        s.sendall(STARTTLS)
        assert b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" in recv_until(s, b"proceed")
        t = client_ctx().wrap_socket(s, server_hostname="a.test")
        t.sendall(header(frm, "a.test"))
        feats = recv_until(t, b"</stream:features>")
        return t, stream_id(feats), feats

    def wait_log(self, needle, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.srv.log():
                return
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} not in the log:\n{self.srv.log()[-4000:]}")

    def stop(self):
        self.srv.stop()


class AuthoritativeB:
    """b.test's server as xmppd meets it: every connection xmppd opens (its verify connection
    and its outbound stream) gets a header, STARTTLS, a TLS handshake with b.test's certificate
    and dialback features. A <db:verify/> is answered with `verdict`; a <db:result/> from a.test
    is checked with xmppd's secret (we are b.test's receiving side) and answered valid; what
    arrives after that is recorded."""

    def __init__(self, d, verdict="valid", delay=0.0):
        self.port = free_port()
        self.verdict = verdict
        self.delay = delay      # seconds before a db:verify is answered
        self.secret = None
        self.verifies = []      # (from, to, id, key) of each db:verify
        self.results = []       # (from, to, key, valid) of each db:result
        self.stanzas = b""      # what came after a valid db:result
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert, key = make_cert(str(d), "b.test")
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(8)
        self.lock = threading.Lock()
        self.stopped = False
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, c):
        try:
            c.settimeout(WAIT)
            data = recv_until(c, b"'1.0'>")
            assert b"from='a.test'" in data and b"to='b.test'" in data, data
            c.sendall(header("b.test", "a.test", "b1b1b1b1") +
                      b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
                      b"</starttls></stream:features>")
            assert b"starttls" in recv_until(c, b"/>")
            c.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
            t = self.ctx.wrap_socket(c, server_side=True)
            t.settimeout(WAIT)
            recv_until(t, b"'1.0'>")
            sid = "b2b2b2b2b2b2"
            t.sendall(header("b.test", "a.test", sid) +
                      b"<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>"
                      b"</stream:features>")
            buf = b""
            while not self.stopped:
                m = re.search(rb"<db:(verify|result) from='([^']*)' to='([^']*)'(?: id='([^']*)')?>([^<]*)</db:\1>",
                              buf)
                if m:
                    kind, frm, to, vid, key = (g.decode() if g else "" for g in m.groups())
                    buf = buf[m.end():]
                    if kind == "verify":
                        with self.lock:
                            self.verifies.append((frm, to, vid, key))
                        time.sleep(self.delay)
                        t.sendall(f"<db:verify from='{to}' to='{frm}' id='{vid}' type='{self.verdict}'/>".encode())
                    else:
                        ok = self.secret is not None and key == db_key(self.secret, "b.test", "a.test", sid)
                        with self.lock:
                            self.results.append((frm, to, key, ok))
                        t.sendall(f"<db:result from='{to}' to='{frm}' type='{'valid' if ok else 'invalid'}'/>"
                                  .encode())
                        if ok:
                            break
                    continue
                chunk = t.recv(65536)
                if not chunk:
                    return
                buf += chunk
            while not self.stopped:
                chunk = t.recv(65536)
                if not chunk:
                    return
                with self.lock:
                    self.stanzas += chunk
        except (OSError, AssertionError, ssl.SSLError):
            return

    def wait(self, cond, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if cond():
                    return
            time.sleep(0.05)
        raise AssertionError("the authoritative server did not see what was expected")

    def stop(self):
        self.stopped = True
        self.sock.close()


@pytest.fixture
def pair(tmp_path):
    (tmp_path / "b").mkdir()
    b = AuthoritativeB(tmp_path / "b")
    srv = Server(tmp_path, b.port)
    b.secret = srv.secret
    yield srv, b
    srv.stop()
    b.stop()


# REQ: S2S-01, S2S-02
def test_starttls_required_then_dialback_offered(pair):
    srv, _ = pair
    t, sid, feats = srv.open_secure()
    assert re.fullmatch(r"[0-9a-f]{32}", sid)
    assert b"<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>" in feats
    assert b"starttls" not in feats
    t.close()
    srv.wait_log("TLS up: TLSv1.3")


# REQ: S2S-06, DB-02, DB-05
def test_db_verify_answered_with_the_xep0185_key(pair):
    srv, _ = pair
    t, sid, _ = srv.open_secure()
    good = db_key(srv.secret, "b.test", "a.test", sid)
    t.sendall(f"<db:verify from='b.test' to='a.test' id='{sid}'>{good}</db:verify>".encode())
    got = recv_until(t, b"/>")
    assert f"<db:verify from='a.test' to='b.test' id='{sid}' type='valid'/>".encode() in got, got
    t.close()
    # a wrong key, a key made for another stream id, one made for another domain pair: invalid
    for make in (lambda sid: "0" * 64,
                 lambda sid: db_key(srv.secret, "b.test", "a.test", "0123456789abcdef0123456789abcdef"),
                 lambda sid: db_key(srv.secret, "c.test", "a.test", sid)):
        t, sid, _ = srv.open_secure()
        t.sendall(f"<db:verify from='b.test' to='a.test' id='{sid}'>{make(sid)}</db:verify>".encode())
        got = recv_until(t, b"/>")
        assert f"<db:verify from='a.test' to='b.test' id='{sid}' type='invalid'/>".encode() in got, got
        t.close()
    assert srv.secret not in srv.srv.log()


# REQ: S2S-03, S2S-08, S2S-14, S2SH-03
def test_db_result_verified_then_stanza_to_absent_user_bounces_over_s2s(pair):
    srv, b = pair
    t, sid, _ = srv.open_secure()
    t.sendall(f"<db:result from='b.test' to='a.test'>{'ab' * 32}</db:result>".encode())
    got = recv_until(t, b"/>")
    assert b"<db:result from='a.test' to='b.test' type='valid'/>" in got, got
    # the verify connection carried our stream id and the key the peer gave
    assert b.verifies == [("a.test", "b.test", sid, "ab" * 32)]
    srv.wait_log("pair valid (dialback): b.test -> a.test")
    # nobody@a.test has no session: the error goes back to b.test over our own outbound stream
    t.sendall(b"<message from='juliet@b.test/x' to='nobody@a.test' id='m1' type='chat'><body>hi</body></message>")
    b.wait(lambda: b"</message>" in b.stanzas)
    msg = b.stanzas.decode()
    assert "type='error'" in msg and "id='m1'" in msg, msg
    assert "to='juliet@b.test/x'" in msg and "from='nobody@a.test'" in msg, msg
    assert "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" in msg, msg
    assert b.results and b.results[0][3], b.results          # our db:result carried the right key
    # a presence for the absent user is dropped silently (RFC 3921 §11.1)
    t.sendall(b"<presence from='juliet@b.test/x' to='nobody@a.test'/>"
              b"<message from='juliet@b.test/x' to='nobody@a.test' id='m2'/>")
    b.wait(lambda: b"id='m2'" in b.stanzas)
    assert b"<presence" not in b.stanzas
    srv.wait_log("s2s-out#")
    assert srv.secret not in srv.srv.log() and "ab" * 32 not in srv.srv.log()
    t.close()


# REQ: S2S-03, S2S-13
def test_db_result_refused_by_the_authoritative_server(tmp_path):
    (tmp_path / "b").mkdir()
    b = AuthoritativeB(tmp_path / "b", verdict="invalid")
    srv = Server(tmp_path, b.port)
    try:
        t, sid, _ = srv.open_secure()
        t.sendall(f"<db:result from='b.test' to='a.test'>{'cd' * 32}</db:result>".encode())
        got = recv_until(t, b"</stream:stream>", timeout=WAIT)
        assert b"type='valid'" not in got, got
        assert b"<db:result from='a.test' to='b.test' type='invalid'/>" in got, got
        # the stream ends with the refused pair (XEP-0220 §2.2.1): nothing is accepted on it
        assert got.endswith(b"</stream:stream>"), got
        srv.wait_log("dialback verify: invalid")
    finally:
        srv.stop()
        b.stop()


# REQ: S2SH-04
def test_stanza_before_dialback_is_refused(pair):
    srv, _ = pair
    t, _, _ = srv.open_secure()
    t.sendall(b"<message from='juliet@b.test/x' to='romeo@a.test' id='m1'/>")
    got = recv_until(t, b"</stream:stream>")
    assert b"<stream:error>" in got and b"</stream:stream>" in got, got
    assert b"<message" not in got


# REQ: S2SH-05
def test_policy_closed_refuses_peer(tmp_path):
    (tmp_path / "b").mkdir()
    srv = Server(tmp_path, free_port(), s2s_extra='policy = "closed";')
    try:
        s = socket.create_connection(("127.0.0.1", srv.s2s_port), timeout=WAIT)
        s.sendall(header("b.test", "a.test"))
        got = recv_until(s, b"</stream:stream>")
        assert b"<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" in got, got
    finally:
        srv.stop()


# REQ: S2SH-06
def test_shutdown_sends_system_shutdown_on_s2s_streams(pair):
    srv, _ = pair
    t, _, _ = srv.open_secure()
    srv.srv.signal(15)
    got = recv_until(t, b"</stream:stream>")
    assert b"<system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" in got, got
    srv.srv.proc.wait(timeout=10)
    assert srv.srv.proc.returncode == 0


# REQ: S2SH-05
def test_reload_ends_streams_the_new_policy_refuses(pair):
    srv, _ = pair
    t, _, _ = srv.open_secure()
    t.sendall(f"<db:result from='b.test' to='a.test'>{'ef' * 32}</db:result>".encode())
    assert b"type='valid'" in recv_until(t, b"/>")
    with open(srv.srv.conf) as f:
        text = f.read()
    with open(srv.srv.conf, "w") as f:
        f.write(text.replace("s2s = {", 's2s = { policy = "allowlist"; allow = [ "c.test" ];'))
    srv.srv.signal(1)
    got = recv_until(t, b"</stream:stream>")
    assert b"<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" in got, got
    srv.wait_log("reload: the policy now refuses b.test")


# REQ: S2SH-07
def test_handshake_and_idle_timeouts(tmp_path):
    (tmp_path / "b").mkdir()
    b = AuthoritativeB(tmp_path / "b")
    srv = Server(tmp_path, b.port, s2s_extra="handshake_timeout = 1; idle_timeout = 2;")
    b.secret = srv.secret
    try:
        # no header within handshake_timeout
        s = socket.create_connection(("127.0.0.1", srv.s2s_port), timeout=WAIT)
        start = time.monotonic()
        got = recv_until(s, b"</stream:stream>")
        assert b"<connection-timeout xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" in got, got
        assert 0.5 < time.monotonic() - start < 5
        # a valid pair, then silence for idle_timeout: closed
        t, _, _ = srv.open_secure()
        t.sendall(f"<db:result from='b.test' to='a.test'>{'01' * 32}</db:result>".encode())
        assert b"type='valid'" in recv_until(t, b"/>")
        start = time.monotonic()
        got = recv_until(t, b"</stream:stream>")
        assert b"</stream:stream>" in got, got
        assert 1.5 < time.monotonic() - start < 6
        srv.wait_log("idle timeout")
    finally:
        srv.stop()
        b.stop()


# REQ: S2S-13
def test_db_result_when_the_authoritative_server_is_unreachable(tmp_path):
    srv = Server(tmp_path, free_port())            # nothing listens for b.test
    try:
        t, _, _ = srv.open_secure()
        t.sendall(f"<db:result from='b.test' to='a.test'>{'23' * 32}</db:result>".encode())
        got = recv_until(t, b"</db:result>", timeout=WAIT)
        # XEP-0220 §2.5: a dialback error, the stream stays (other pairs could still be verified)
        assert got.startswith(b"<db:result from='a.test' to='b.test' type='error'><error type='cancel'>"
                              b"<remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"), got
        srv.wait_log("dialback verify: error")
        srv.wait_log("no address of b.test accepted a connection")
    finally:
        srv.stop()


# REQ: S2S-04, S2S-13
def test_outcome_for_a_closed_stream_is_dropped_and_the_verify_link_is_shared(tmp_path):
    (tmp_path / "b").mkdir()
    b = AuthoritativeB(tmp_path / "b", delay=0.5)
    srv = Server(tmp_path, b.port)
    try:
        first, sid1, _ = srv.open_secure()
        first.sendall(f"<db:result from='b.test' to='a.test'>{'45' * 32}</db:result>".encode())
        b.wait(lambda: len(b.verifies) == 1)
        first.close()                                # gone before the answer comes
        srv.wait_log("s2s-in#1 ")
        second, sid2, _ = srv.open_secure()
        second.sendall(f"<db:result from='b.test' to='a.test'>{'67' * 32}</db:result>".encode())
        got = recv_until(second, b"/>")
        assert b"<db:result from='a.test' to='b.test' type='valid'/>" in got, got
        # one verify connection carried both requests; only the live stream heard an answer
        assert [v[2] for v in b.verifies] == [sid1, sid2]
        log = srv.srv.log()
        assert log.count("new verify connection a.test -> b.test") == 1, log
        assert log.count("dialback verify: valid") == 1, log
        second.close()
    finally:
        srv.stop()
        b.stop()
