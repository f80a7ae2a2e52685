#!/usr/bin/env python3
"""fuzz/record_s2s_prosody.py — records real server-to-server exchanges between xmppd and
Prosody 0.12 (issue 6: seeds from recorded real exchanges) into fuzz/recorded/*.json; then
fuzz/seeds_from_recorded.py cuts them into corpus/s2s_in, corpus/s2s_out and corpus/s2s_verify.

`make record-prosody` runs it (xmppd built, `make deps` done). The four runs of the interop
tests (tests/integration/test_s2s_prosody.py) — {certificates from a test CA with SASL EXTERNAL,
self-signed certificates with dialback} x {xmppd initiates, Prosody initiates} — each send one
message both ways, with a recording proxy in front of each server: xmppd's host map sends p.test
to one, the dnsmasq's SRV record sends Prosody's a.test to the other. Every s2s connection, the
dialback verify connections included, passes through a proxy.

The proxy understands STARTTLS (RFC 3920 §5): it relays and records the plaintext, and after
<proceed/> it ends TLS on both sides (as the receiving server towards the initiator, as the
initiating server towards the receiver) with certificates for the same domains as the real
servers' (the test CA's in the certificate runs, self-signed in the dialback runs), so both
servers decide exactly as they would without it. It records the plaintext of both directions as
the servers wrote it, read by read, and where TLS started.

Everything listens on 127.0.0.1; no query leaves for the system resolver.
"""
import json
import os
import select
import socket
import ssl
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from conftest import free_port  # noqa: E402
from s2s_env import Account, Federation, TestCA, run_clients, self_signed  # noqa: E402

OUT = os.path.join(HERE, "recorded")
PW = {"alice": "4l1ce-rec-pass", "dave": "d4ve-rec-pass"}
IDLE = 15.0        # seconds a proxied connection may stay silent before the proxy closes it


class StarttlsRecorder:
    """Listens on a free port and relays each connection to `upstream` (a port), recording
    transcripts: [{"dir": "i2r"|"r2i", "tls": bool, "data": str}, ...]. server_cert / client_cert:
    (cert, key) it presents as receiving server and as initiating server after STARTTLS."""

    def __init__(self, upstream, target, server_cert, client_cert):
        self.upstream, self.target = upstream, target
        self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(*server_cert)
        self.client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.client_ctx.check_hostname = False
        self.client_ctx.verify_mode = ssl.CERT_NONE     # the real servers judge the certificates
        self.client_ctx.load_cert_chain(*client_cert)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.transcripts, self.errors = [], []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                a, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.relay, args=(a,), daemon=True).start()

    def relay(self, a):
        events = []
        with self.lock:
            self.transcripts.append(events)
        try:
            b = socket.create_connection(("127.0.0.1", self.upstream), timeout=IDLE)
            a.settimeout(IDLE)
            self.pump(a, b, events)
        except (OSError, ssl.SSLError) as e:
            with self.lock:
                self.errors.append(f"{type(e).__name__}: {e}")

    def pump(self, a, b, events):
        tls = False
        peer = {a: b, b: a}
        names = {a: "i2r", b: "r2i"}
        while True:
            ready = [s for s in (a, b) if tls and s.pending()]
            if not ready:
                ready, _, _ = select.select([a, b], [], [], IDLE)
                if not ready:
                    return
            for s in ready:
                data = s.recv(65536)
                if not data:
                    peer[s].close()
                    s.close()
                    return
                events.append({"dir": names[s], "tls": tls, "data": data.decode("utf-8", "replace")})
                peer[s].sendall(data)
                # RFC 3920 §5.2 step 5: after <proceed/> the initiator starts the TLS handshake
                if not tls and s is b and b"<proceed" in data:
                    a = self.server_ctx.wrap_socket(a, server_side=True)
                    b = self.client_ctx.wrap_socket(b, server_hostname=self.target)
                    peer, names, tls = {a: b, b: a}, {a: "i2r", b: "r2i"}, True
                    break


def certs_for(mode, ca, directory, domain):
    return ca.issue(domain) if mode == "certs" else self_signed(os.path.join(directory, "proxy"), domain)


def record_run(tmp, ca, other_ca, mode, first):
    """One interop run through the proxies; returns the transcripts of both proxies."""
    fed = Federation(_Path(os.path.join(tmp, f"{mode}-{first}")))
    try:
        if mode == "certs":
            p = fed.prosody("p.test", *ca.issue("p.test"), ca.cert, secure_auth=True)
            p.client_ca, trust, certs = ca.cert, ca.cert, "ca"
        else:
            p = fed.prosody("p.test", *self_signed(os.path.join(tmp, "self-signed"), "p.test"), other_ca.cert,
                            secure_auth=False)
            p.client_ca, trust, certs = p.cert, other_ca.cert, "self"
        a_port = free_port()
        to_p = StarttlsRecorder(p.s2s_port, "p.test", certs_for(mode, ca, tmp, "p.test"),
                                certs_for(mode, ca, tmp, "a.test"))
        to_a = StarttlsRecorder(a_port, "a.test", certs_for(mode, ca, tmp, "a.test"),
                                certs_for(mode, ca, tmp, "p.test"))
        dns = fed.dnsmasq({"a.test": to_a.port})
        p.dns_port = dns.port
        a = fed.xmppd("a.test", ca, start=False, s2s_port=a_port, certs=certs, trust=trust,
                      hosts={"p.test": to_p.port})
        a.adduser("alice@a.test", PW["alice"])
        p.register("dave", PW["dave"])
        fed.start(a)
        fed.start(p)
        alice = Account("alice", "alice@a.test", PW["alice"], a.port, ca.cert if mode == "certs" else a.cert)
        dave = Account("dave", "dave@p.test", PW["dave"], p.c2s_port, p.client_ca)
        x, y = (alice, dave) if first == "xmppd" else (dave, alice)
        steps = [
            {"op": "send", "who": x.name, "to": y.jid, "id": "rec-1", "body": "recorded one"},
            {"op": "expect_message", "who": y.name, "id": "rec-1", "from_bare": x.jid, "body": "recorded one",
             "timeout": 10.0},
            {"op": "send", "who": y.name, "to": x.jid, "id": "rec-2", "body": "recorded two"},
            {"op": "expect_message", "who": x.name, "id": "rec-2", "from_bare": y.jid, "body": "recorded two",
             "timeout": 10.0},
        ]
        res = run_clients([alice, dave], steps, servers=[a, p])
        if not res.get("ok"):
            raise SystemExit(f"record {mode}/{first}: the exchange failed: {res.get('error')}\n"
                             f"{a.log()[-3000:]}\n{p.log()[-3000:]}\nproxy errors: {to_p.errors + to_a.errors}")
    finally:
        fed.stop_all()
    return {"to_prosody": [t for t in to_p.transcripts if t], "to_xmppd": [t for t in to_a.transcripts if t]}


class _Path(str):
    """The little of pathlib.Path that Federation uses (a / name, mkdir)."""

    def __truediv__(self, name):
        return _Path(os.path.join(self, name))

    def mkdir(self, exist_ok=False):
        os.makedirs(self, exist_ok=exist_ok)


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".json"):
            os.unlink(os.path.join(OUT, old))
    with tempfile.TemporaryDirectory(prefix="xmppd-record-") as tmp:
        ca = TestCA(os.path.join(tmp, "ca"))
        other_ca = TestCA(os.path.join(tmp, "other-ca"), name="a CA nobody here uses")
        for mode in ("certs", "dialback"):
            for first in ("xmppd", "prosody"):
                got = record_run(tmp, ca, other_ca, mode, first)
                n = 0
                for side, initiator in (("to_prosody", "xmppd"), ("to_xmppd", "prosody")):
                    for i, events in enumerate(got[side]):
                        name = f"{mode}-{first}-first-{initiator}-initiates-{i}.json"
                        with open(os.path.join(OUT, name), "w") as f:
                            json.dump({"mode": mode, "first_message_from": first, "initiator": initiator,
                                       "initiating_domain": "a.test" if initiator == "xmppd" else "p.test",
                                       "receiving_domain": "p.test" if initiator == "xmppd" else "a.test",
                                       "events": events}, f, indent=1)
                            f.write("\n")
                        n += 1
                print(f"record {mode}, first message from {first}: {n} connections recorded")


if __name__ == "__main__":
    main()
