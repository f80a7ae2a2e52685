"""Two xmppd federating (issue 6): a.test (alice) and c.test (carol), each with the other in its
static host map, over TLS, authenticated by certificates from a test CA (SASL EXTERNAL,
XEP-0178) or, with self-signed certificates, by dialback (RFC 3920 §8, XEP-0220); the
federation policy; and a hand-written peer that tries to spoof a.test.

Every step waits at most s2s_env.WAIT seconds and says what did not arrive. Nothing leaves
loopback: domains resolve through the host maps or through our dnsmasq (dns_server).
"""
import re

import pytest

pytest.register_assert_rewrite("s2s_env")   # its helpers' asserts explain themselves too
from s2s_env import (NS_SASL, NS_STREAMS_ERR, WAIT, Account, BackgroundClients, RawPeer, dialback_key, expect_ok,
                     free_port, log_lines_with, run_clients, self_signed, servers_logs)

pytest_plugins = ["s2s_env"]   # its fixtures: fed, fed_ca, other_ca

PW = {"alice": "4l1ce-s2s-pass", "carol": "c4r0l-s2s-pass"}
SECRET = {"a.test": "a-test-dialback-secret-" + "5" * 40, "c.test": "c-test-dialback-secret-" + "7" * 40}


def make_pair(fed, ca, a_kw=None, c_kw=None, start=True, ports=None):
    """a.test and c.test, each in the other's host map, with known dialback secrets; alice@a.test and
    carol@c.test exist. a_kw / c_kw: more FedXmppd settings of each; ports: their s2s ports."""
    ports = ports or {"a.test": free_port(), "c.test": free_port()}
    a_kw = dict(a_kw or {})
    c_kw = dict(c_kw or {})
    a_kw.setdefault("hosts", {"c.test": ports["c.test"]})
    c_kw.setdefault("hosts", {"a.test": ports["a.test"]})
    a = fed.xmppd("a.test", ca, start=False, s2s_port=ports["a.test"], dialback_secret=SECRET["a.test"], **a_kw)
    c = fed.xmppd("c.test", ca, start=False, s2s_port=ports["c.test"], dialback_secret=SECRET["c.test"], **c_kw)
    a.adduser("alice@a.test", PW["alice"])
    c.adduser("carol@c.test", PW["carol"])
    if start:
        fed.start(a)
        fed.start(c)
    return a, c


def alice(a, cafile=None):
    return Account("alice", "alice@a.test", PW["alice"], a.port, cafile or a.ca.cert)


def carol(c, cafile=None):
    return Account("carol", "carol@c.test", PW["carol"], c.port, cafile or c.ca.cert)


def both_ways(tag):
    return [
        {"op": "send", "who": "alice", "to": "carol@c.test", "id": f"{tag}-1", "body": "hello carol"},
        {"op": "expect_message", "who": "carol", "id": f"{tag}-1", "from_bare": "alice@a.test",
         "body": "hello carol", "timeout": WAIT},
        {"op": "send", "who": "carol", "to": "alice@a.test", "id": f"{tag}-2", "body": "hello alice"},
        {"op": "expect_message", "who": "alice", "id": f"{tag}-2", "from_bare": "carol@c.test",
         "body": "hello alice", "timeout": WAIT},
    ]


def got(res, op, ident=None):
    """What a step of that op (and id) recorded."""
    for d in res["done"]:
        if d["step"]["op"] == op and (ident is None or d["step"].get("id") == ident):
            return d["got"]
    raise AssertionError(f"no {op} step {ident} in {res['done']}")


def assert_log(srv, peer, *words, present=True):
    lines = log_lines_with(srv.log(), peer, *words)
    if present:
        assert lines, f"{srv.domain}'s log has no line naming {peer} with {words}:\n{srv.log()[-5000:]}"
    else:
        assert not lines, f"{srv.domain}'s log should have no line naming {peer} with {words}: {lines}"


def bounce_of(res, ident, to):
    """The error alice got for message `ident` sent to `to`: returned by the entity addressed
    (RFC 3920 §9.3.1: from is the original to)."""
    e = got(res, "expect_error", ident)
    assert e["from"] == to, e
    return e["error_type"], e["condition"]


# ------------------------------------------------------------------------------- federation works
# REQ: FED-01, FED-02
def test_ca_certificates_messages_and_iq_both_ways(fed, fed_ca):
    """FED-01: alice@a.test -> carol@c.test and carol's reply arrive, the stanzas stamped with
    their senders. FED-02: with certificates from a CA both trust, each direction is
    authenticated by SASL EXTERNAL over TLS (both logs say so), and an iq to carol's full JID is
    answered across the federation (the pong of her client)."""
    a, c = make_pair(fed, fed_ca)
    steps = both_ways("ca") + [{"op": "iq", "who": "alice", "to": "{carol}", "timeout": WAIT}]
    res = expect_ok(run_clients([alice(a), carol(c)], steps, servers=[a, c]), [a, c])
    pong = got(res, "iq")
    assert pong["type"] == "result" and pong["from"] == res["bound"]["carol"], pong
    for srv, peer in ((a, "c.test"), (c, "a.test")):
        assert_log(srv, peer, "tls")
        assert_log(srv, peer, "external", "valid")
        assert_log(srv, peer, "dialback", "valid", present=False)


# REQ: FED-03
def test_remote_user_without_session_gets_errors_back(fed, fed_ca):
    """FED-03: carol has no session: alice's iq to a full JID of hers and alice's message to her
    come back from c.test across the federation as <service-unavailable/> (RFC 3921 §11; no
    offline storage), addressed from the JID alice wrote to."""
    a, c = make_pair(fed, fed_ca)
    steps = [
        {"op": "iq", "who": "alice", "to": "carol@c.test/nowhere", "timeout": WAIT},
        {"op": "send", "who": "alice", "to": "carol@c.test", "id": "off-1", "body": "are you there?"},
        {"op": "expect_error", "who": "alice", "id": "off-1", "timeout": WAIT},
    ]
    res = expect_ok(run_clients([alice(a)], steps, servers=[a, c]), [a, c])
    iq = got(res, "iq")
    assert (iq["type"], iq.get("condition"), iq.get("from")) == ("error", "service-unavailable",
                                                                 "carol@c.test/nowhere"), iq
    assert bounce_of(res, "off-1", "carol@c.test") == ("cancel", "service-unavailable")
    assert_log(c, "a.test", "valid")   # it did cross: c.test accepted a.test's stream


# REQ: FED-04
def test_domain_nobody_serves_bounces_remote_server_not_found(fed, fed_ca):
    """FED-04: nowhere.test has no host-map entry and our dnsmasq knows no record for it
    (NXDOMAIN): alice's message bounces with <remote-server-not-found/> within the wait, and the
    query went to our dnsmasq, nowhere else."""
    dns = fed.dnsmasq({})
    a = fed.xmppd("a.test", fed_ca, start=False, dns_port=dns.port)
    a.adduser("alice@a.test", PW["alice"])
    fed.start(a)
    steps = [{"op": "send", "who": "alice", "to": "someone@nowhere.test", "id": "nf-1", "body": "anyone?"},
             {"op": "expect_error", "who": "alice", "id": "nf-1", "timeout": WAIT}]
    res = expect_ok(run_clients([alice(a)], steps, servers=[a]), [a])
    assert bounce_of(res, "nf-1", "someone@nowhere.test") == ("cancel", "remote-server-not-found")
    assert "_xmpp-server._tcp.nowhere.test" in dns.log(), "a.test never asked our dnsmasq:\n" + dns.log()


# REQ: FED-18
def test_unreachable_peer_bounces_remote_server_timeout(fed, fed_ca):
    """FED-18: down.test is in the host map but nothing listens there: alice's message comes
    back with <remote-server-timeout/> (spec/s2s_out.fsm CONNECTING CONNECT_FAILED) within the
    connect timeout, not lost."""
    a = fed.xmppd("a.test", fed_ca, start=False, hosts={"down.test": free_port()})
    a.adduser("alice@a.test", PW["alice"])
    fed.start(a)
    steps = [{"op": "send", "who": "alice", "to": "bob@down.test", "id": "down-1", "body": "x"},
             {"op": "expect_error", "who": "alice", "id": "down-1", "timeout": WAIT}]
    res = expect_ok(run_clients([alice(a)], steps, servers=[a]), [a])
    assert bounce_of(res, "down-1", "bob@down.test") == ("wait", "remote-server-timeout")


# REQ: FED-05
def test_peer_found_through_srv_record(fed, fed_ca):
    """FED-05: a.test has no host-map entry for c.test and finds it through the SRV record
    _xmpp-server._tcp.c.test of our dnsmasq (RFC 3920 §14.4 / RFC 6120 §3.2.1); the message is
    delivered."""
    ports = {"a.test": free_port(), "c.test": free_port()}
    dns = fed.dnsmasq({"c.test": ports["c.test"]})
    a, c = make_pair(fed, fed_ca, ports=ports, a_kw={"hosts": {}, "dns_port": dns.port})
    expect_ok(run_clients([alice(a), carol(c)], both_ways("srv")[:2], servers=[a, c]), [a, c])
    assert "_xmpp-server._tcp.c.test" in dns.log(), "a.test never asked our dnsmasq:\n" + dns.log()


# ----------------------------------------------------------------------------- federation policy
# REQ: FED-06
@pytest.mark.parametrize("allow,delivered", [(["other.test"], False), (["c.test"], True)],
                         ids=["c.test-not-listed", "c.test-listed"])
def test_allowlist(fed, fed_ca, allow, delivered):
    """FED-06: a.test's policy is allowlist. Without c.test on the list alice's message bounces
    with <not-allowed/> and a.test never dials c.test (c.test's log never names a.test); with
    c.test listed (the control) it is delivered."""
    a, c = make_pair(fed, fed_ca, a_kw={"policy": "allowlist", "allow": allow})
    if delivered:
        expect_ok(run_clients([alice(a), carol(c)], both_ways("allow"), servers=[a, c]), [a, c])
        return
    steps = [{"op": "send", "who": "alice", "to": "carol@c.test", "id": "pol-1", "body": "x"},
             {"op": "expect_error", "who": "alice", "id": "pol-1", "timeout": WAIT}]
    mark = len(c.log())
    res = expect_ok(run_clients([alice(a)], steps, servers=[a, c]), [a, c])
    assert bounce_of(res, "pol-1", "carol@c.test") == ("cancel", "not-allowed")
    assert "a.test" not in c.log()[mark:], "a.test dialled c.test: " + c.log()[mark:][-3000:]


# REQ: FED-07
def test_closed_policy_on_sender_bounces_not_allowed(fed, fed_ca):
    """FED-07: a.test's policy is closed: alice's message bounces with <not-allowed/>, and no
    stream to c.test is opened."""
    a, c = make_pair(fed, fed_ca, a_kw={"policy": "closed"})
    steps = [{"op": "send", "who": "alice", "to": "carol@c.test", "id": "cl-1", "body": "x"},
             {"op": "expect_error", "who": "alice", "id": "cl-1", "timeout": WAIT}]
    mark = len(c.log())
    res = expect_ok(run_clients([alice(a)], steps, servers=[a, c]), [a, c])
    assert bounce_of(res, "cl-1", "carol@c.test") == ("cancel", "not-allowed")
    assert "a.test" not in c.log()[mark:], "a.test dialled c.test: " + c.log()[mark:][-3000:]


# REQ: FED-08
def test_closed_policy_on_receiver_refuses_stream(fed, fed_ca):
    """FED-08: c.test's policy is closed: a stream from a.test is refused with
    <policy-violation/> (DESIGN.md "Federation refused by policy"; a raw header shows the exact
    answer), and alice, whose stream was refused, gets her message back with
    <remote-server-timeout/> (spec/s2s_out.fsm: a peer's stream error bounces the queue)."""
    a, c = make_pair(fed, fed_ca, c_kw={"policy": "closed"})
    peer = RawPeer(c.s2s_port, "a.test", "c.test")
    peer.send(peer.header())
    data, clean, _ = peer.recv_to_eof()
    assert re.fullmatch(r"<\?xml version='1.0'\?><stream:stream [^>]*>"
                        rf"<stream:error><policy-violation xmlns='{NS_STREAMS_ERR}'/></stream:error></stream:stream>",
                        data), data
    assert clean is not False, "c.test did not close the refused stream"
    peer.close()
    steps = [{"op": "send", "who": "alice", "to": "carol@c.test", "id": "rc-1", "body": "x"},
             {"op": "expect_error", "who": "alice", "id": "rc-1", "timeout": WAIT}]
    res = expect_ok(run_clients([alice(a)], steps, servers=[a, c]), [a, c])
    assert bounce_of(res, "rc-1", "carol@c.test") == ("wait", "remote-server-timeout")


# --------------------------------------------------------------------------- dialback, TLS only
# REQ: FED-09
def test_self_signed_certificates_federate_by_dialback(fed, fed_ca, other_ca):
    """FED-09: self-signed certificates, each server trusting only a CA that signed neither
    (CVE-2014-3451 / CVE-2021-32919 class: TLS still encrypts but authenticates nobody): messages
    go both ways, each direction authenticated by dialback over TLS, never by EXTERNAL, and each
    log says the peer's certificate was not verified."""
    a, c = make_pair(fed, fed_ca, a_kw={"certs": "self", "trust": other_ca.cert},
                     c_kw={"certs": "self", "trust": other_ca.cert})
    res = run_clients([alice(a, a.cert), carol(c, c.cert)], both_ways("db"), servers=[a, c])
    expect_ok(res, [a, c])
    for srv, peer in ((a, "c.test"), (c, "a.test")):
        assert_log(srv, peer, "tls")
        assert_log(srv, peer, "cert_unverified")
        assert_log(srv, peer, "dialback", "valid")
        assert_log(srv, peer, "external", "valid", present=False)


# REQ: FED-10
@pytest.mark.parametrize("require_encryption", [True, False], ids=["tls-required", "plain-dialback-allowed"])
def test_dialback_without_tls(fed, fed_ca, require_encryption):
    """FED-10: a peer that skips STARTTLS and sends a right <db:result/> in the clear. With
    require_encryption (the default) c.test offers <starttls><required/></starttls> and answers
    the db:result with <policy-violation/>; with require_encryption = false and
    dialback_without_tls = true (the control) the same bytes get type='valid'."""
    a, c = make_pair(fed, fed_ca, c_kw={"require_encryption": require_encryption,
                                         "dialback_without_tls": not require_encryption})
    peer = RawPeer(c.s2s_port, "a.test", "c.test")
    features = peer.open()
    assert ("<required/>" in features) == require_encryption, features
    key = dialback_key(SECRET["a.test"], "c.test", "a.test", peer.stream_id)
    peer.send(f"<db:result from='a.test' to='c.test'>{key}</db:result>")
    if require_encryption:
        data, clean, _ = peer.recv_to_eof()
        assert data == (f"<stream:error><policy-violation xmlns='{NS_STREAMS_ERR}'/></stream:error>"
                        "</stream:stream>"), data
    else:
        answer = peer.recv_until("/>")
        assert answer == "<db:result from='c.test' to='a.test' type='valid'/>", answer + servers_logs([a, c])
    peer.close()


# ------------------------------------------------------------------------------ spoofing a.test
def spoof_setup(fed, fed_ca):
    """a.test and c.test running, carol online on c.test (in the background, collecting messages
    for a while), and a raw peer on c.test's s2s port claiming to be a.test, after STARTTLS and
    the restart (no client certificate: dialback is its only way in)."""
    a, c = make_pair(fed, fed_ca)
    clients = BackgroundClients([carol(c)], [{"op": "quiet", "who": "carol", "seconds": WAIT}], servers=[a, c])
    clients.start()
    peer = RawPeer(c.s2s_port, "a.test", "c.test")
    first = peer.open()
    assert "<required/>" in first, first
    peer.starttls(fed_ca.cert)
    features = peer.open()
    assert "urn:xmpp:features:dialback" in features, features
    assert "EXTERNAL" not in features, features   # no certificate was presented
    return a, c, clients, peer


def stanza_from_a(ident):
    return (f"<message from='alice@a.test/spoof' to='carol@c.test' type='chat' id='{ident}'>"
            "<body>this is really alice</body></message>")


# REQ: FED-11
def test_forged_dialback_key_is_refused(fed, fed_ca):
    """FED-11: a peer claiming a.test sends a forged key; c.test asks a.test's authoritative
    server (<db:verify/>), which says invalid; c.test answers exactly
    <db:result from='c.test' to='a.test' type='invalid'/> and closes the stream (RFC 3920 §8.3
    step 10), and carol receives nothing."""
    a, c, clients, peer = spoof_setup(fed, fed_ca)
    peer.send(f"<db:result from='a.test' to='c.test'>{'0' * 64}</db:result>")
    data, clean, _ = peer.recv_to_eof()
    assert data == "<db:result from='c.test' to='a.test' type='invalid'/></stream:stream>", (
        data + servers_logs([a, c]))
    assert clean is not False, "c.test did not close the stream after type='invalid'"
    peer.close()
    res = expect_ok(clients.result(), [a, c])
    assert got(res, "quiet")["received"] == []
    # the servers go on: the real a.test still federates with c.test
    expect_ok(run_clients([alice(a), carol(c)], both_ways("after"), servers=[a, c]), [a, c])


# REQ: FED-12
def test_right_dialback_key_is_accepted(fed, fed_ca):
    """FED-12 (the control of FED-11): the same peer with the key a.test would have made
    (XEP-0185, from a.test's secret) gets type='valid', and its message reaches carol."""
    a, c = make_pair(fed, fed_ca)
    clients = BackgroundClients([carol(c)], [{"op": "expect_message", "who": "carol", "id": "sp-ok",
                                              "from_bare": "alice@a.test", "timeout": WAIT}], servers=[a, c])
    clients.start()
    peer = RawPeer(c.s2s_port, "a.test", "c.test")
    peer.open()
    peer.starttls(fed_ca.cert)
    peer.open()
    key = dialback_key(SECRET["a.test"], "c.test", "a.test", peer.stream_id)
    peer.send(f"<db:result from='a.test' to='c.test'>{key}</db:result>")
    answer = peer.recv_until("/>")
    assert answer == "<db:result from='c.test' to='a.test' type='valid'/>", answer + servers_logs([a, c])
    peer.send(stanza_from_a("sp-ok"))
    res = expect_ok(clients.result(), [a, c])
    assert got(res, "expect_message", "sp-ok")["body"] == "this is really alice"
    peer.close()


# REQ: FED-13
def test_stanza_before_verification_is_not_delivered(fed, fed_ca):
    """FED-13: a stanza sent right after the db:result, before any verdict, is never
    delivered: the stream ends with <not-authorized/> (RFC 3920 §8.3 step 10) and carol receives
    nothing."""
    a, c, clients, peer = spoof_setup(fed, fed_ca)
    peer.send(f"<db:result from='a.test' to='c.test'>{'0' * 64}</db:result>" + stanza_from_a("sp-early"))
    data, _, _ = peer.recv_to_eof()
    assert data.endswith(f"<stream:error><not-authorized xmlns='{NS_STREAMS_ERR}'/></stream:error>"
                         "</stream:stream>"), data
    assert "type='valid'" not in data, data
    peer.close()
    res = expect_ok(clients.result(), [a, c])
    assert got(res, "quiet")["received"] == []


# REQ: FED-14
def test_unsolicited_valid_result_is_ignored(fed, fed_ca):
    """FED-14 (CVE-2012-3525 class): a peer sends <db:result type='valid'/> nobody asked for,
    then a stanza as a.test: the typed result is ignored, the stanza refused with
    <not-authorized/>, and carol receives nothing."""
    a, c, clients, peer = spoof_setup(fed, fed_ca)
    peer.send("<db:result from='a.test' to='c.test' type='valid'/>" + stanza_from_a("sp-typed"))
    data, _, _ = peer.recv_to_eof()
    assert data == (f"<stream:error><not-authorized xmlns='{NS_STREAMS_ERR}'/></stream:error>"
                    "</stream:stream>"), data
    peer.close()
    res = expect_ok(clients.result(), [a, c])
    assert got(res, "quiet")["received"] == []


# REQ: FED-15
@pytest.mark.parametrize("cert", ["rogue-self-signed", "ca-signed"])
def test_sasl_external_needs_a_verified_certificate(fed, fed_ca, tmp_path, cert):
    """FED-15: a peer claiming a.test presents a self-signed client certificate naming a.test:
    c.test offers no EXTERNAL and refuses <auth mechanism='EXTERNAL'/> with <not-authorized/>
    (XEP-0178 §3; a self-signed certificate never authenticates a domain). The control: the CA's
    certificate for a.test gets EXTERNAL offered and <success/>."""
    a, c = make_pair(fed, fed_ca)
    certfile, keyfile = (self_signed(tmp_path / "rogue", "a.test") if cert == "rogue-self-signed"
                         else fed_ca.issue("a.test"))
    peer = RawPeer(c.s2s_port, "a.test", "c.test")
    peer.open()
    peer.starttls(fed_ca.cert, certfile, keyfile)
    features = peer.open()
    peer.send(f"<auth xmlns='{NS_SASL}' mechanism='EXTERNAL'>=</auth>")
    answer = peer.recv_until("</failure>" if cert == "rogue-self-signed" else "/>")
    if cert == "rogue-self-signed":
        assert "EXTERNAL" not in features, features
        assert answer == f"<failure xmlns='{NS_SASL}'><not-authorized/></failure>", answer
        assert log_lines_with(c.log(), None, "cert_unverified"), c.log()[-3000:]   # the only s2s link
    else:
        assert "<mechanism>EXTERNAL</mechanism>" in features, features + servers_logs([c])
        assert answer == f"<success xmlns='{NS_SASL}'/>", answer
    peer.close()


# REQ: FED-16
def test_stalled_peer_is_closed_and_others_go_on(fed, fed_ca):
    """FED-16: a peer that opens a stream and stalls mid-handshake is closed with
    <connection-timeout/> after handshake_timeout, and federation with a.test works meanwhile."""
    a, c = make_pair(fed, fed_ca, c_kw={"handshake_timeout": 3})
    staller = RawPeer(c.s2s_port, "stall.test", "c.test")
    staller.open()
    expect_ok(run_clients([alice(a), carol(c)], both_ways("stall"), servers=[a, c]), [a, c])
    data, _, secs = staller.recv_to_eof(timeout=WAIT)
    assert data.endswith(f"<stream:error><connection-timeout xmlns='{NS_STREAMS_ERR}'/></stream:error>"
                         "</stream:stream>"), (data, secs)
    staller.close()


# REQ: FED-17
def test_raw_peer_computes_xep_0185_keys():
    """FED-17: the raw peer's key function (the positive controls above depend on it) gives the
    XEP-0185 §3 and XEP-0220 §2.1.2 vectors (reference/protocol-notes.md §4)."""
    assert dialback_key("s3cr3tf0rd14lb4ck", "xmpp.example.com", "example.org", "D60000229F") == (
        "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643")
    assert dialback_key("d14lb4ck43v3r", "capulet.example", "montague.example", "417GAF25") == (
        "225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d")
