"""Federation between xmppd and a real Prosody 0.12 (issue 6), and the proof that the test
environment itself federates (two Prosody instances, no xmppd).

Prosody resolves by DNS only: a dnsmasq on a loopback port serves `_xmpp-server._tcp.<domain>`
for every domain here, and Prosody's libunbound forwards to it alone. xmppd reaches Prosody through
its static host map. Certificates come from a per-session test CA trusted by every server
(s2s_secure_auth = true: certificate authentication) or are self-signed with dialback
(s2s_secure_auth = false). s2s_require_encryption is on everywhere.

test_prosody_env_federates tells a broken environment (DNS, certificates, Prosody configuration)
apart from a broken xmppd: when it fails, the other tests here say nothing about xmppd.
"""
import re

import pytest

pytest.register_assert_rewrite("s2s_env")   # its helpers' asserts explain themselves too
from s2s_env import WAIT, Account, RawPeer, expect_ok, free_port, log_lines_with, run_clients, self_signed

pytest_plugins = ["s2s_env"]   # its fixtures: fed, fed_ca, other_ca

PW = {"alice": "4l1ce-s2s-pass", "dave": "d4ve-pr0sody", "erin": "3r1n-qu1et"}


def chat_both_ways(a, b, a_bare, b_bare, tag):
    """Steps: a -> b's bare JID, b answers a's bare JID; each arrival checked by id, sender, body."""
    return [
        {"op": "send", "who": a, "to": b_bare, "id": f"{tag}-1", "body": f"hello {b_bare} from {a_bare}"},
        {"op": "expect_message", "who": b, "id": f"{tag}-1", "from_bare": a_bare,
         "body": f"hello {b_bare} from {a_bare}", "timeout": WAIT},
        {"op": "send", "who": b, "to": a_bare, "id": f"{tag}-2", "body": f"hello back from {b_bare}"},
        {"op": "expect_message", "who": a, "id": f"{tag}-2", "from_bare": b_bare,
         "body": f"hello back from {b_bare}", "timeout": WAIT},
    ]


def prosody_pair(fed, fed_ca, other_ca, mode, tmp_path):
    """p.test and q.test, both Prosody, each found by the other through the dnsmasq's SRV records.
    mode "certs": certificates from the test CA, s2s_secure_auth = true (SASL EXTERNAL);
    mode "dialback": self-signed certificates, trust in a CA that signed neither, s2s_secure_auth
    = false (TLS encrypts, dialback authenticates)."""
    pros = []
    for d in ("p.test", "q.test"):
        if mode == "certs":
            pros.append(fed.prosody(d, *fed_ca.issue(d), fed_ca.cert, secure_auth=True))
        else:
            pros.append(fed.prosody(d, *self_signed(tmp_path / "self-signed", d), other_ca.cert, secure_auth=False))
    dns = fed.dnsmasq({p.domain: p.s2s_port for p in pros})
    for p in pros:
        p.dns_port = dns.port
        p.client_ca = fed_ca.cert if mode == "certs" else p.cert   # what a client checks c2s TLS with
    return dns, pros


def prosody_s2s_facts(log, local, peer):
    """What a Prosody log (debug level) says about its s2s streams with `peer` (its only peer):
    both directions complete, how each direction was authenticated, and which s2s streams that
    completed were encrypted."""
    p = re.escape(peer)
    return {
        "out_complete": f"Outgoing s2s connection {local}->{peer} complete" in log,
        "in_complete": f"Incoming s2s connection {peer}->{local} complete" in log,
        # the peer's stream to us: its certificate (XEP-0178), or the peer's authoritative server
        # said valid to our <db:verify/> (RFC 3920 §8.3 step 9)
        "external_in": f"Accepting SASL EXTERNAL identity from {peer}" in log,
        "dialback_in": re.search(rf"Received\[s2s\w*\]: <verify (?=[^>]*from='{p}')(?=[^>]*type='valid')", log) is not None,
        # our stream to the peer: EXTERNAL succeeded, or the peer answered our <db:result/> valid
        "external_out": re.search(r"Received\[s2sout\w*\]: <success (?=[^>]*xmlns='urn:ietf:params:xml:ns:xmpp-sasl')",
                                  log) is not None,
        "dialback_out": re.search(rf"Received\[s2sout\w*\]: <result (?=[^>]*from='{p}')(?=[^>]*type='valid')", log)
        is not None,
        # every s2s session (verify-only ones included) that carried dialback or stanzas, and
        # those that were encrypted
        "s2s_used": set(re.findall(r"(s2s(?:in|out)\w+)\s+debug\s+Received\[s2s\w*\]: <(?:verify|result|message|iq|presence)\b",
                                   log)),
        "s2s_complete": set(re.findall(r"(s2s(?:in|out)\w+)\s+info\s+(?:Incoming|Outgoing) s2s connection \S+ complete",
                                       log)),
        "s2s_encrypted": set(re.findall(r"(s2s(?:in|out)\w+)\s+info\s+Stream encrypted", log)),
    }


def assert_prosody_authenticated(srv, peer, method):
    """Both directions of srv <-> peer complete over TLS, each authenticated by `method`
    ("external" or "dialback") and not by the other."""
    f = prosody_s2s_facts(srv.log(), srv.domain, peer)
    other = "dialback" if method == "external" else "external"
    ok = (f["out_complete"] and f["in_complete"] and f[f"{method}_in"] and f[f"{method}_out"]
          and not f[f"{other}_in"] and not f[f"{other}_out"]
          and len(f["s2s_complete"]) >= 2 and f["s2s_complete"] | f["s2s_used"] <= f["s2s_encrypted"])
    assert ok, f"{srv.domain} <-> {peer} not authenticated by {method} over TLS both ways: {f}\n{srv.log()[-4000:]}"


# REQ: FED-20
@pytest.mark.parametrize("mode", ["certs", "dialback"])
def test_prosody_env_federates(fed, fed_ca, other_ca, tmp_path, mode):
    """FED-20: the environment works without xmppd — dave@p.test and erin@q.test (two Prosody
    0.12) exchange messages both ways; each Prosody found the other through our dnsmasq's SRV
    record (the query is in the dnsmasq log), every s2s stream is encrypted, and the peer was
    authenticated by SASL EXTERNAL with our CA's certificates (certs) or by dialback with
    self-signed ones (dialback)."""
    dns, (p, q) = prosody_pair(fed, fed_ca, other_ca, mode, tmp_path)
    rcode, answers = dns.query_srv("_xmpp-server._tcp.q.test")
    assert rcode == 0 and answers == [(0, 5, q.s2s_port, "127.0.0.1")], answers
    rcode, answers = dns.query_srv("_xmpp-server._tcp.nowhere.test")
    assert rcode == 3 and answers == [], (rcode, answers)   # NXDOMAIN: nothing leaves for upstream
    p.register("dave", PW["dave"])
    q.register("erin", PW["erin"])
    fed.start(p)
    fed.start(q)
    dave = Account("dave", "dave@p.test", PW["dave"], p.c2s_port, p.client_ca)
    erin = Account("erin", "erin@q.test", PW["erin"], q.c2s_port, q.client_ca)
    res = run_clients([dave, erin], chat_both_ways("dave", "erin", "dave@p.test", "erin@q.test", "env"),
                      servers=[p, q])
    expect_ok(res, [p, q])
    dns_log = dns.log()
    assert "_xmpp-server._tcp.q.test" in dns_log and "_xmpp-server._tcp.p.test" in dns_log, dns_log
    for srv, peer in ((p, "q.test"), (q, "p.test")):
        assert_prosody_authenticated(srv, peer, "external" if mode == "certs" else "dialback")


# ------------------------------------------------------------------------------ xmppd <-> Prosody
def xmppd_and_prosody(fed, fed_ca, other_ca, mode, tmp_path):
    """a.test (xmppd, alice) and p.test (Prosody, dave). certs: both with certificates from the test
    CA, Prosody with s2s_secure_auth = true. dialback: both self-signed, each trusting a CA that
    signed neither, Prosody with s2s_secure_auth = false. Prosody finds a.test through the
    dnsmasq's SRV record; xmppd finds p.test through its host map."""
    if mode == "certs":
        p = fed.prosody("p.test", *fed_ca.issue("p.test"), fed_ca.cert, secure_auth=True)
        p.client_ca = fed_ca.cert
        trust, certs = fed_ca.cert, "ca"
    else:
        p = fed.prosody("p.test", *self_signed(tmp_path / "self-signed", "p.test"), other_ca.cert, secure_auth=False)
        p.client_ca = p.cert
        trust, certs = other_ca.cert, "self"
    a_port = free_port()
    dns = fed.dnsmasq({"a.test": a_port})
    p.dns_port = dns.port
    a = fed.xmppd("a.test", fed_ca, start=False, s2s_port=a_port, certs=certs, trust=trust,
                  hosts={"p.test": p.s2s_port})
    a.adduser("alice@a.test", PW["alice"])
    p.register("dave", PW["dave"])
    fed.start(a)
    fed.start(p)
    alice = Account("alice", "alice@a.test", PW["alice"], a.port, fed_ca.cert if mode == "certs" else a.cert)
    dave = Account("dave", "dave@p.test", PW["dave"], p.c2s_port, p.client_ca)
    return dns, a, p, alice, dave


# REQ: FED-21, FED-22
@pytest.mark.parametrize("first", ["xmppd-initiates", "prosody-initiates"])
@pytest.mark.parametrize("mode", ["certs", "dialback"])
def test_xmppd_federates_with_prosody(fed, fed_ca, other_ca, tmp_path, mode, first):
    """FED-21: alice@a.test (xmppd) and dave@p.test (Prosody 0.12, s2s_require_encryption)
    exchange messages both ways, the first message from either side. FED-22: both logs say
    how each direction was authenticated — SASL EXTERNAL with the test CA's certificates under
    s2s_secure_auth = true, dialback with self-signed certificates under s2s_secure_auth = false —
    and every s2s stream, the dialback verify connections included, was encrypted."""
    dns, a, p, alice, dave = xmppd_and_prosody(fed, fed_ca, other_ca, mode, tmp_path)
    if first == "xmppd-initiates":
        steps = chat_both_ways("alice", "dave", "alice@a.test", "dave@p.test", "xi")
    else:
        steps = chat_both_ways("dave", "alice", "dave@p.test", "alice@a.test", "pi")
    expect_ok(run_clients([alice, dave], steps, servers=[a, p]), [a, p])
    method = "external" if mode == "certs" else "dialback"
    assert_prosody_authenticated(p, "a.test", method)
    assert "_xmpp-server._tcp.a.test" in dns.log(), "Prosody never asked our dnsmasq:\n" + dns.log()
    a_log = a.log()
    assert log_lines_with(a_log, "p.test", "tls"), a_log[-5000:]
    assert log_lines_with(a_log, "p.test", method, "valid"), a_log[-5000:]
    other = "dialback" if method == "external" else "external"
    assert not log_lines_with(a_log, "p.test", other, "valid"), log_lines_with(a_log, "p.test", other, "valid")
    if mode == "dialback":
        assert log_lines_with(a_log, "p.test", "cert_unverified"), a_log[-5000:]


# REQ: FED-23
def test_prosody_env_refuses_forged_dialback(fed, fed_ca, other_ca, tmp_path):
    """FED-23: the raw peer of the spoofing tests, checked against Prosody: claiming q.test
    to p.test (STARTTLS, no client certificate) with a forged key, it gets
    <db:result type='invalid'/> from p.test, which asked q.test (found through the dnsmasq).
    This shows the raw peer and the dialback exchange of test_s2s_federation.py are sound."""
    dns, (p, q) = prosody_pair(fed, fed_ca, other_ca, "certs", tmp_path)
    p.secure_auth = False   # dialback allowed, so the forged key is asked about, not refused outright
    fed.start(p)
    fed.start(q)
    peer = RawPeer(p.s2s_port, "q.test", "p.test")
    assert "<required/>" in peer.open()
    peer.starttls(fed_ca.cert)
    assert "urn:xmpp:features:dialback" in peer.open()
    peer.send(f"<db:result from='q.test' to='p.test'>{'0' * 64}</db:result>")
    answer = peer.recv_until("type='", timeout=WAIT) + peer.recv_until(">", timeout=2)
    # Prosody echoes the key inside the element; the attributes come in any order
    assert re.match(r"<db:result (?=[^>]*from='p\.test')(?=[^>]*to='q\.test')(?=[^>]*type='invalid')[^>]*>",
                    answer), answer + "\n" + p.log()[-3000:]
    assert "_xmpp-server._tcp.q.test" in dns.log(), dns.log()
    peer.close()
