"""The federation test environment (issue 6): a test CA, xmppd instances with s2s settings,
a raw peer server, the fixtures that start and stop them and the peers of prosody_env.py
(dnsmasq, Prosody 0.12), and a runner for the slixmpp script s2s_fed_client.py.

Everything listens on 127.0.0.1 and every test domain (*.test) is resolved either through
xmppd's static host map or through our dnsmasq: no query reaches the system resolver
(DESIGN.md "Test environment notes"). Prosody cannot use xmppd's host map, so it asks the dnsmasq
through libunbound (`lua5.4-unbound`) for `_xmpp-server._tcp.<domain>` (after
`_xmpps-server._tcp.<domain>`, which gets NXDOMAIN).

A missing Prosody or dnsmasq FAILS the tests that need it with a message naming the Debian
package (`make deps` installs both): a skipped interop test would hide that it never ran.
"""
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from conftest import XMPPCTL, Xmppd, free_port, make_cert, recv_to_eof, recv_until
from prosody_env import Dnsmasq, Prosody, run_checked

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"              # Debian's python3 has slixmpp (DESIGN.md)
XMPP_ADDR_OID = "1.3.6.1.5.5.7.8.5"      # id-on-xmppAddr (RFC 3920 §5.1 rule 8, RFC 6120 §13.7.1.4)
WAIT = 10.0                              # seconds any federation step may take before a test fails


# ------------------------------------------------------------------------------------ certificates
class TestCA:
    """A throw-away CA (EC P-256) signing server certificates for the test domains. Each leaf names
    its domain as DNS-ID and as id-on-xmppAddr, and carries serverAuth and clientAuth: it is used
    both as the TLS server certificate and as the client certificate of outbound s2s."""

    __test__ = False   # not a pytest class

    def __init__(self, directory, name="xmppd federation test CA"):
        self.dir = str(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.cert = os.path.join(self.dir, "ca.pem")
        self.key = os.path.join(self.dir, "ca.key")
        run_checked(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-days", "2", "-subj", f"/CN={name}", "-keyout", self.key, "-out", self.cert,
              "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        os.chmod(self.key, 0o600)
        self.issued = {}

    def issue(self, domain):
        """(cert, key) for `domain`, signed by this CA; made once per domain."""
        if domain in self.issued:
            return self.issued[domain]
        cert = os.path.join(self.dir, f"{domain}.crt")
        key = os.path.join(self.dir, f"{domain}.key")
        csr = os.path.join(self.dir, f"{domain}.csr")
        ext = os.path.join(self.dir, f"{domain}.ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth,clientAuth\n"
                    f"subjectAltName=DNS:{domain},otherName:{XMPP_ADDR_OID};UTF8:{domain}\n")
        old = os.umask(0o077)
        try:
            run_checked(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                  "-subj", f"/CN={domain}", "-keyout", key, "-out", csr])
        finally:
            os.umask(old)
        run_checked(["openssl", "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-set_serial",
              str(int.from_bytes(os.urandom(8), "big")), "-days", "2", "-extfile", ext, "-out", cert])
        os.chmod(key, 0o600)
        self.issued[domain] = (cert, key)
        return cert, key


def self_signed(directory, domain):
    """A self-signed certificate for `domain` (the rogue or dialback-only cases): (cert, key)."""
    os.makedirs(str(directory), exist_ok=True)
    return make_cert(str(directory), domain)


def install_cert(src, directory, domain):
    """Copies a (cert, key) pair to DIR/domain.crt and DIR/domain.key (key mode 0600), where the
    xmppd configuration of conftest.Xmppd looks for them."""
    cert, key = src
    dst_cert = os.path.join(str(directory), f"{domain}.crt")
    dst_key = os.path.join(str(directory), f"{domain}.key")
    shutil.copyfile(cert, dst_cert)
    shutil.copyfile(key, dst_key)
    os.chmod(dst_key, 0o600)
    return dst_cert, dst_key


# ----------------------------------------------------------------------------------------- xmppd
class FedXmppd(Xmppd):
    """An xmppd serving one domain with c2s and s2s listeners (the s2s group of issue 6).

    certs: "ca" (a leaf from `ca`, trusted by peers that trust the CA) or "self" (self-signed).
    trust: the file given as s2s.ca (the CAs for peer certificates); default the CA's own file.
    hosts: {domain: port} for the static host map (every address is 127.0.0.1).
    dialback_secret: a known secret (text) written to a file of mode 0600, so a test can compute
    the XEP-0185 keys this server makes and checks."""

    def __init__(self, directory, domain, ca, certs="ca", trust=None, hosts=None, s2s_port=None,
                 policy="open", allow=(), require_encryption=True, dialback_without_tls=False,
                 dns_port=None, dialback_secret=None, timeouts=None, handshake_timeout=10):
        self.domain = domain
        self.s2s_port = s2s_port or free_port()
        self.ca = ca
        os.makedirs(str(directory), exist_ok=True)
        trust = trust if trust is not None else ca.cert
        hosts = hosts or {}
        host_map = ", ".join(f'{{ domain = "{d}"; address = "127.0.0.1"; port = {p}; }}' for d, p in hosts.items())
        allow_list = ", ".join(f'"{d}"' for d in allow)
        s2s = ("s2s = {\n"
               f'  listen = ( {{ address = "127.0.0.1"; port = {self.s2s_port}; }} );\n'
               f"  require_encryption = {'true' if require_encryption else 'false'};\n"
               f"  dialback_without_tls = {'true' if dialback_without_tls else 'false'};\n"
               f'  policy = "{policy}";\n'
               + (f"  allow = [ {allow_list} ];\n" if allow else "")
               + f'  ca = "{trust}";\n'
               + (f"  hosts = ( {host_map} );\n" if host_map else "")
               + (f'  dns_server = "127.0.0.1:{dns_port}";\n' if dns_port else "")
               + f"  connect_timeout = 5; handshake_timeout = {handshake_timeout}; idle_timeout = 600;\n"
               + "};\n")
        extra = s2s
        self.secret = dialback_secret
        if dialback_secret is not None:
            path = os.path.join(str(directory), "cluster.secret")
            with open(path, "w") as f:
                f.write(dialback_secret + "\n")
            os.chmod(path, 0o600)
            extra += f's2s_dialback_secret_file = "{path}";\n'
        super().__init__(directory, hosts=(domain,), extra=extra, timeouts=timeouts,
                         mechanisms=["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"])
        # conftest.Xmppd made a self-signed certificate; "ca" replaces it with the CA's leaf
        if certs == "ca":
            install_cert(ca.issue(domain), self.dir, domain)
        self.cert = self.certs[domain][0]

    def read_secret(self):
        """The dialback secret this server uses (its own file once it started)."""
        if self.secret is not None:
            return self.secret
        with open(os.path.join(self.dir, "dialback.secret")) as f:
            return f.read().rstrip("\n")

    def wait_log(self, needle, timeout=WAIT):
        """Waits until `needle` (a compiled regex or a string) is in the log; returns the match."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.log()
            m = needle.search(log) if hasattr(needle, "search") else (needle if needle in log else None)
            if m:
                return m
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)


# ------------------------------------------------------------------------------------ the client
class Account:
    """A user to log in with s2s_fed_client.py: its server's c2s port and the CA file its TLS
    certificate verifies against."""

    def __init__(self, name, jid, password, port, cafile, mech="PLAIN"):
        self.name, self.jid, self.password, self.port, self.cafile, self.mech = name, jid, password, port, cafile, mech

    def spec(self):
        return {"name": self.name, "jid": self.jid, "password": self.password, "port": self.port,
                "ca": self.cafile, "mech": self.mech}


def run_clients(accounts, steps, servers=(), timeout=90):
    """Runs s2s_fed_client.py with these accounts and steps (see that file); returns its JSON result.
    A failure shows what the client saw and the tail of every server's log."""
    spec = {"clients": [a.spec() for a in accounts], "steps": steps}
    r = subprocess.run([PYTHON, os.path.join(HERE, "s2s_fed_client.py"), json.dumps(spec)], capture_output=True,
                       timeout=timeout)
    lines = r.stdout.decode().strip().splitlines()
    if not lines:
        pytest.fail("s2s_fed_client.py printed nothing:\n" + r.stderr.decode()[-3000:] + servers_logs(servers))
    res = json.loads(lines[-1])
    res["stderr"] = r.stderr.decode()[-3000:]
    return res


def servers_logs(servers, tail=4000):
    return "".join(f"\n---- {getattr(s, 'domain', '?')} log (tail) ----\n{s.log()[-tail:]}" for s in servers)


def expect_ok(res, servers=()):
    """The client script got through every step; else the test fails with the step that did not."""
    if not res.get("ok"):
        pytest.fail(f"federation step failed: {res.get('error')}\nsteps done: "
                    f"{json.dumps(res.get('done'), indent=1)}\n{res.get('stderr', '')}{servers_logs(servers)}",
                    pytrace=False)
    return res


def adduser(srv, jid, password):
    r = subprocess.run([XMPPCTL, "-c", srv.store, "adduser", jid], input=(password + "\n").encode(),
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr.decode()


# -------------------------------------------------------------------------------------- fixtures
# Imported by the test modules (pytest finds fixtures in a module's namespace).
@pytest.fixture(scope="session")
def fed_ca(tmp_path_factory):
    """The CA every federating server trusts (one per test session)."""
    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory):
    """A CA that signed none of our certificates: as s2s.ca it makes a server trust nothing."""
    return TestCA(tmp_path_factory.mktemp("other-ca"), name="a CA nobody here uses")


@pytest.fixture
def fed(tmp_path):
    """Starts and stops the processes of one federation test: fed.xmppd(...), fed.prosody(...),
    fed.dnsmasq(...). Each is stopped at the end (xmppd: with conftest's exit-status and
    sanitizer checks)."""
    env = Federation(tmp_path)
    yield env
    env.stop_all()


class Federation:
    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.started = []

    def _dir(self, name):
        d = self.tmp / name
        d.mkdir(exist_ok=True)
        return d

    def xmppd(self, domain, ca, start=True, **kw):
        srv = FedXmppd(self._dir(f"xmppd-{domain}"), domain, ca, **kw)
        if start:
            self.start(srv)
        return srv

    def start(self, srv):
        srv.start()
        self.started.append(srv)
        return srv

    def dnsmasq(self, srv=None):
        dns = Dnsmasq(self._dir("dnsmasq"), srv).start()
        self.started.append(dns)
        return dns

    def prosody(self, domain, cert, key, trust, **kw):
        """A Prosody, configured but not started (register accounts, then fed.start(it))."""
        return Prosody(self._dir(f"prosody-{domain}"), domain, cert, key, trust, **kw)

    def stop_all(self):
        errors = []
        for proc in reversed(self.started):
            try:
                proc.stop()
            except AssertionError as e:   # xmppd's own checks (exit status, sanitizer reports)
                errors.append(str(e))
        self.started = []
        assert not errors, "\n".join(errors)


class BackgroundClients:
    """s2s_fed_client.py running while a test speaks raw XML elsewhere: start() returns once
    every client is logged in; result() waits for the end and returns the final JSON."""

    def __init__(self, accounts, steps, servers=()):
        spec = {"clients": [a.spec() for a in accounts], "steps": steps}
        self.servers = servers
        self.proc = subprocess.Popen([PYTHON, os.path.join(HERE, "s2s_fed_client.py"), json.dumps(spec)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def start(self):
        line = self.proc.stdout.readline().decode()
        if not line.startswith('{"ready"'):
            rest = line + self.proc.stdout.read().decode()
            self.proc.wait(timeout=30)
            pytest.fail("the clients did not log in: " + rest + self.proc.stderr.read().decode()[-3000:]
                        + servers_logs(self.servers), pytrace=False)
        return json.loads(line)["ready"]

    def result(self, timeout=60):
        out, err = self.proc.communicate(timeout=timeout)
        lines = out.decode().strip().splitlines()
        if not lines:
            pytest.fail("s2s_fed_client.py printed nothing:\n" + err.decode()[-3000:] + servers_logs(self.servers))
        res = json.loads(lines[-1])
        res["stderr"] = err.decode()[-3000:]
        return res


# --------------------------------------------------------------------------- a raw peer server
NS_DB = "jabber:server:dialback"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_STREAMS_ERR = "urn:ietf:params:xml:ns:xmpp-streams"


def dialback_key(secret, receiving, originating, stream_id):
    """XEP-0185 §3: HMAC-SHA256 keyed with the lowercase hex text of SHA-256(secret), over
    'receiving originating id', in lowercase hex."""
    k = hashlib.sha256(secret.encode()).hexdigest().encode()
    return hmac.new(k, f"{receiving} {originating} {stream_id}".encode(), hashlib.sha256).hexdigest()


class RawPeer:
    """A 'server' written by hand that opens an s2s stream to an xmppd's s2s port claiming to be
    `origin`: the attacker (or, with the right key, the legitimate originating server) of the
    dialback tests. Every byte it sends is given by the test."""

    def __init__(self, port, origin, target):
        self.origin, self.target = origin, target
        try:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        except OSError as e:
            pytest.fail(f"nothing accepts s2s connections for {target} on 127.0.0.1:{port} ({e}): "
                        "is the s2s listener there?", pytrace=False)
        self.stream_id = None

    def header(self):
        return (f"<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:db='{NS_DB}' "
                f"xmlns:stream='http://etherx.jabber.org/streams' from='{self.origin}' to='{self.target}' "
                "version='1.0'>").encode()

    def open(self):
        """Sends our header; returns what came back up to </stream:features> (header and features),
        and keeps the stream id of the receiving server's header."""
        self.sock.sendall(self.header())
        got = recv_until(self.sock, b"</stream:features>", timeout=WAIT).decode("utf-8", "replace")
        m = re.search(r"<stream:stream\b[^>]*\bid=(['\"])([^'\"]*)\1", got)
        self.stream_id = m.group(2) if m else None
        return got

    def starttls(self, cafile, certfile=None, keyfile=None):
        """<starttls/>, <proceed/>, the handshake (our client certificate if given; the server's
        checked against cafile for the target domain, or not at all with cafile None)."""
        self.sock.sendall(f"<starttls xmlns='{NS_TLS}'/>".encode())
        got = recv_until(self.sock, b"/>", timeout=WAIT).decode()
        assert got == f"<proceed xmlns='{NS_TLS}'/>", got
        if cafile:
            ctx = ssl.create_default_context(cafile=cafile)
        else:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if certfile:
            ctx.load_cert_chain(certfile, keyfile)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.target, suppress_ragged_eofs=False)
        return self

    def send(self, text):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def recv_until(self, marker, timeout=WAIT):
        return recv_until(self.sock, marker.encode() if isinstance(marker, str) else marker,
                          timeout=timeout).decode("utf-8", "replace")

    def recv_to_eof(self, timeout=WAIT):
        data, clean, secs = recv_to_eof(self.sock, timeout=timeout)
        return data.decode("utf-8", "replace"), clean, secs

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ------------------------------------------------------------------------------ xmppd's s2s log
# What the federation tests read in xmppd's log. The s2s shell logs one line per stream event that
# matters, each prefixed with its link ("s2s-in#3 127.0.0.1:40000", "s2s-out#4 ...", "s2s-verify#5 ..."):
# connected (naming the domains), TLS up with the certificate verdict, pair valid with the method,
# closed with the stream error. A line is "about" a peer domain when it names the domain or belongs
# to a link one of whose lines names it; the tests look, case insensitive, for these words in such
# lines. Kept here, in one place, so a change of wording is one edit.
LOG_WORDS = {
    "tls": r"\bTLS up\b",
    "external": r"\bEXTERNAL\b",
    "dialback": r"\bdialback\b",
    "valid": r"\b(valid|authenticated)\b",
    "cert_unverified": r"certificate.*(not verified|unverified|verif\w* fail|fail\w* verif|self[- ]signed)",
    "cert_verified": r"certificate verified",
}
LOG_LINK = re.compile(r"\b(s2s-\w+#\d+)\s")


def log_lines_with(log, domain, *words):
    """The lines of `log` about `domain` (None: about any s2s link) that match every one of `words`
    (keys of LOG_WORDS)."""
    lines = log.splitlines()
    links = set()
    for line in lines:
        m = LOG_LINK.search(line)
        if m and (domain is None or domain in line):
            links.add(m.group(1))
    out = []
    for line in lines:
        m = LOG_LINK.search(line)
        about = (domain is not None and domain in line) or (m is not None and m.group(1) in links)
        if about and all(re.search(LOG_WORDS[w], line, re.I) for w in words):
            out.append(line)
    return out
