"""Client certificates on c2s streams (issue 4; DESIGN.md "Client certificates required"):
`c2s_client_certs = off | optional | required` per virtual host, verified against the host's
client_ca and client_crl, the account named by id-on-xmppAddr (or rfc822Name when
client_cert_identity = "email"), SASL EXTERNAL for a verified one.

A test PKI is made per test with the openssl command line: a client CA, certificates it signs
(one revoked in a CRL), and a look-alike from an unrelated CA.
"""
import json
import os
import ssl
import subprocess

import pytest

from conftest import (MECHS_ALL, XMPPD, make_cert, negotiate_tls, norm, open_header, recv_to_eof, recv_until,
                      server_header, stream_error)

HERE = os.path.dirname(os.path.abspath(__file__))
XMPP_ADDR = "1.3.6.1.5.5.7.8.5"
SASL_NS = "urn:ietf:params:xml:ns:xmpp-sasl"


def openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True)
    assert r.returncode == 0, r.stderr.decode()


class Pki:
    """A CA able to sign client certificates and revoke them (openssl ca with its database)."""

    def __init__(self, directory, name):
        self.dir = os.path.join(str(directory), name)
        os.makedirs(self.dir)
        open(os.path.join(self.dir, "index.txt"), "w").close()
        with open(os.path.join(self.dir, "crlnumber"), "w") as f:
            f.write("01\n")
        with open(os.path.join(self.dir, "ca.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca = test\n[test]\ndir = .\ndatabase = index.txt\ncrlnumber = crlnumber\n"
                    "certificate = ca.crt\nprivate_key = ca.key\ndefault_md = sha256\ndefault_crl_days = 2\n")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", f"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", "ca.key", "-out", "ca.crt", cwd=self.dir)
        self.ca = os.path.join(self.dir, "ca.crt")
        self.serial = 1

    def issue(self, name, san):
        """A client certificate for `name` with subjectAltName `san` (openssl syntax)."""
        with open(os.path.join(self.dir, f"{name}.ext"), "w") as f:
            f.write(f"subjectAltName={san}\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=self.dir)
        self.serial += 1
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial",
                str(self.serial), "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.crt", cwd=self.dir)
        return os.path.join(self.dir, f"{name}.crt"), os.path.join(self.dir, f"{name}.key")

    def crl(self, revoke=()):
        """A CRL listing the certificates `revoke`."""
        for cert in revoke:
            openssl("ca", "-config", "ca.cnf", "-revoke", cert, cwd=self.dir)
        openssl("ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem", cwd=self.dir)
        return os.path.join(self.dir, "crl.pem")


@pytest.fixture
def pki(tmp_path):
    p = Pki(tmp_path, "client-ca")
    p.alice = p.issue("alice", f"otherName:{XMPP_ADDR};UTF8:alice@localhost")
    p.bob_email = p.issue("bob", "email:bob@localhost")
    p.mallory = p.issue("mallory", f"otherName:{XMPP_ADDR};UTF8:mallory@localhost")
    p.nobody = p.issue("nobody", "DNS:client.example")
    p.other = Pki(tmp_path, "unrelated-ca")
    p.forged = p.other.issue("alice-forged", f"otherName:{XMPP_ADDR};UTF8:alice@localhost")
    return p


def cert_server(make_server, pki, mode, crl=None, identity=None):
    opts = f'c2s_client_certs = "{mode}"; client_ca = "{pki.ca}";'
    if crl:
        opts += f' client_crl = "{crl}";'
    if identity:
        opts += f' client_cert_identity = "{identity}";'
    srv = make_server(mechanisms=["EXTERNAL"] + MECHS_ALL, host_options={"localhost": opts})
    for user in ("alice", "bob", "mallory", "juliet"):
        srv.adduser(f"{user}@localhost", "pw-" + user)
    return srv


def tls_with(srv, cert=None):
    ctx = srv.client_context()
    if cert:
        ctx.load_cert_chain(*cert)
    return negotiate_tls(srv, srv.connect(), ctx=ctx)


def features_after_tls(t):
    t.sendall(open_header())
    return norm(recv_until(t, b"</stream:features>"))


def feat(mechs):
    inner = "".join(f"<mechanism>{m}</mechanism>" for m in mechs)
    return f"<stream:features><mechanisms xmlns='{SASL_NS}'>{inner}</mechanisms></stream:features>"


def external_login(t, host="localhost"):
    """EXTERNAL with an empty authzid, then the restart and a bind: returns the bound JID."""
    t.sendall(f"<auth xmlns='{SASL_NS}' mechanism='EXTERNAL'>=</auth>".encode())
    got = recv_until(t, b"/>").decode()
    assert got == f"<success xmlns='{SASL_NS}'/>", got
    t.sendall(open_header(host))
    recv_until(t, b"</stream:features>")
    t.sendall(b"<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>")
    got = recv_until(t, b"</iq>").decode()
    start = got.index("<jid>") + 5
    return got[start:got.index("</jid>")]


# REQ: TLS-15, TLS-20
def test_optional_verified_certificate_offers_external_and_logs_in(make_server, pki):
    srv = cert_server(make_server, pki, "optional")
    t = tls_with(srv, pki.alice)
    assert features_after_tls(t) == server_header() + feat(["EXTERNAL"] + MECHS_ALL)
    assert external_login(t).startswith("alice@localhost/")
    t.close()
    # positive control on the same server: no certificate, no EXTERNAL, the stream goes on
    t = tls_with(srv)
    assert features_after_tls(t) == server_header() + feat(MECHS_ALL)
    t.close()
    assert "client certificate verified for alice@localhost" in srv.log()


# REQ: TLS-20
def test_optional_certificate_from_another_ca_is_not_an_identity(make_server, pki):
    srv = cert_server(make_server, pki, "optional")
    t = tls_with(srv, pki.forged)
    assert features_after_tls(t) == server_header() + feat(MECHS_ALL)
    t.sendall(f"<auth xmlns='{SASL_NS}' mechanism='EXTERNAL'>=</auth>".encode())
    assert recv_until(t, b"</failure>").decode() == f"<failure xmlns='{SASL_NS}'><invalid-mechanism/></failure>"
    t.close()


# REQ: TLS-21
def test_required_without_certificate_fails_the_handshake(make_server, pki):
    srv = cert_server(make_server, pki, "required")
    with pytest.raises(ssl.SSLError) as e:
        t = tls_with(srv)
        # TLS 1.3: the client learns of the alert on its first read
        t.sendall(open_header())
        t.recv(100)
    assert "CERTIFICATE_REQUIRED" in str(e.value).upper()
    # positive control: the same client with a certificate of the CA gets in
    t = tls_with(srv, pki.alice)
    assert features_after_tls(t) == server_header() + feat(["EXTERNAL"] + MECHS_ALL)
    assert external_login(t).startswith("alice@localhost/")
    t.close()


# REQ: TLS-19, TLS-21
@pytest.mark.parametrize("which", ["forged", "revoked"])
def test_required_with_invalid_certificate_is_policy_violation(make_server, pki, which):
    crl = pki.crl(revoke=[pki.mallory[0]])
    srv = cert_server(make_server, pki, "required", crl=crl)
    witness = tls_with(srv, pki.alice)
    features_after_tls(witness)
    assert external_login(witness).startswith("alice@localhost/")
    t = tls_with(srv, pki.forged if which == "forged" else pki.mallory)
    t.sendall(open_header())
    data, clean, secs = recv_to_eof(t, timeout=5)
    assert norm(data) == server_header() + stream_error("policy-violation")
    assert clean is True and secs < 5
    expect = "unable to get local issuer certificate" if which == "forged" else "certificate revoked"
    assert f"client certificate refused ({expect})" in srv.log()
    # the other stream is untouched: it still answers a ping
    witness.sendall(b"<iq type='get' id='p1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>")
    assert "type='result'" in recv_until(witness, b"/>").decode()
    # positive control: an unrevoked certificate of the same CA passes the same CRL check
    t2 = tls_with(srv, pki.alice)
    features_after_tls(t2)
    assert external_login(t2).startswith("alice@localhost/")
    t2.close()
    witness.close()


# REQ: TLS-20
def test_email_identity_mapping(make_server, pki):
    srv = cert_server(make_server, pki, "optional", identity="email")
    t = tls_with(srv, pki.bob_email)
    assert features_after_tls(t) == server_header() + feat(["EXTERNAL"] + MECHS_ALL)
    assert external_login(t).startswith("bob@localhost/")
    t.close()
    # the xmppAddr certificate names nobody in this mapping: verified, but no EXTERNAL
    t = tls_with(srv, pki.alice)
    assert features_after_tls(t) == server_header() + feat(MECHS_ALL)
    t.close()


# REQ: TLS-20
def test_certificate_naming_no_account_of_this_host_gives_no_external(make_server, pki):
    srv = cert_server(make_server, pki, "required")
    t = tls_with(srv, pki.nobody)
    assert features_after_tls(t) == server_header() + feat(MECHS_ALL)
    t.close()
    assert "names no account of this host" in srv.log()


# REQ: TLS-20
def test_slixmpp_logs_in_with_external(make_server, pki):
    srv = cert_server(make_server, pki, "required")
    env = dict(os.environ, SLIXMPP_CERTFILE=pki.alice[0], SLIXMPP_KEYFILE=pki.alice[1], SLIXMPP_TIMEOUT="20")
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "slixmpp_client.py"), str(srv.port),
                        srv.certs["localhost"][0], "login", "alice@localhost", "", "EXTERNAL"],
                       capture_output=True, timeout=60, env=env)
    out = json.loads(r.stdout.decode().strip().splitlines()[-1])
    assert out["ok"], (out, r.stderr.decode()[-3000:], srv.log()[-3000:])
    assert out["bound"][0].startswith("alice@localhost/")
    assert "authenticated alice@localhost with EXTERNAL" in srv.log()


def test_client_ca_needs_client_certs_on(tmp_path, pki):
    """A client_ca without c2s_client_certs is refused at start with file:line: reason."""
    cert, key = make_cert(str(tmp_path), "localhost")
    conf = tmp_path / "bad.conf"
    conf.write_text('listen = ( { address = "127.0.0.1"; port = 5999; } );\n'
                    f'virtual_hosts = ( {{ domain = "localhost"; certificate = "{cert}"; key = "{key}";\n'
                    f'  client_ca = "{pki.ca}"; }} );\n')
    r = subprocess.run([XMPPD, "-c", str(conf), "-t"], capture_output=True, timeout=10)
    assert r.returncode != 0
    assert f"{conf}:2: 'client_ca' and 'client_crl' need c2s_client_certs" in r.stderr.decode() + r.stdout.decode()



# REQ: TLS-21
def test_sni_naming_a_host_without_client_certs_does_not_bypass_required(make_server, pki):
    """The stream is for localhost (required); SNI names other.test (off), whose context asks
    for no certificate. The policy of the stream's host decides: <policy-violation/>."""
    srv = make_server(hosts=("localhost", "other.test"),
                      host_options={"localhost": f'c2s_client_certs = "required"; client_ca = "{pki.ca}";'})
    t = negotiate_tls(srv, srv.connect(), host="localhost", ctx=srv.client_context("other.test"), sni="other.test")
    t.sendall(open_header())
    data, clean, secs = recv_to_eof(t, timeout=5)
    assert norm(data) == server_header() + stream_error("policy-violation")
    assert clean is True and secs < 5
    assert "client certificate refused (no certificate for this host)" in srv.log()
