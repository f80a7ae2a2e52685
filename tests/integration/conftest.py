"""Fixtures for the integration tests: a real xmppd on a loopback port, with a generated
certificate and configuration in a temporary directory.

Nothing is mocked: the tests speak to the server over TCP (raw sockets and Python's ssl module,
openssl s_client/s_server for TLS policy, slixmpp for real logins). Ports are chosen free at run
time; everything listens on 127.0.0.1 (and ::1 where a test says so).

Environment: XMPPD_BIN and XMPPCTL_BIN override build/gcc/xmppd and build/gcc/xmppctl (make
server-test-asan points XMPPD_BIN at an ASan build).
"""
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from loopback_ports import free_port, free_udp_port, free_udp_tcp_port  # noqa: E402,F401 (re-exported)
XMPPD = os.path.abspath(os.environ.get("XMPPD_BIN") or os.path.join(ROOT, "build/gcc/xmppd"))
XMPPCTL = os.path.abspath(os.environ.get("XMPPCTL_BIN") or os.path.join(ROOT, "build/gcc/xmppctl"))

NS_STREAMS = "http://etherx.jabber.org/streams"


def open_header(host="localhost", version=True):
    v = " version='1.0'" if version else ""
    return ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            f"xmlns:stream='{NS_STREAMS}' to='{host}'{v}>").encode()


def server_header(host="localhost"):
    return ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            f"xmlns:stream='{NS_STREAMS}' from='{host}' id='ID' version='1.0' xml:lang='en'>")


FEAT_TLS_REQUIRED = ("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
                     "</starttls></stream:features>")
STARTTLS = b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
PROCEED = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
MECHS_ALL = ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN"]


def feat_sasl(mechs):
    inner = "".join(f"<mechanism>{m}</mechanism>" for m in mechs)
    return f"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{inner}</mechanisms></stream:features>"


def stream_error(cond):
    return (f"<stream:error><{cond} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"
            "</stream:stream>")


def norm(data):
    """Our stream ids are 128 random bits in hex: replaced by ID so bytes can be compared."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return re.sub(r"id='[0-9a-f]{32}'", "id='ID'", text)


def recv_until(sock, marker, timeout=5.0):
    """Reads until `marker` (bytes) has arrived, EOF, or timeout; returns what arrived."""
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


def recv_to_eof(sock, timeout=5.0):
    """Reads until the peer closes. Returns (data, closed_cleanly, seconds)."""
    data = b""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False, time.monotonic() - start
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, False, time.monotonic() - start
        except (ssl.SSLEOFError, ConnectionResetError):
            # EOF without close_notify, or a reset: closed, but not cleanly
            return data, None, time.monotonic() - start
        if not chunk:
            return data, True, time.monotonic() - start
        data += chunk


def make_cert(directory, name, cn=None):
    """A self-signed EC certificate for `cn` (SAN DNS:cn); key mode 0600. Returns (cert, key)."""
    cn = cn or name
    cert = os.path.join(directory, f"{name}.crt")
    key = os.path.join(directory, f"{name}.key")
    old = os.umask(0o077)
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", f"/CN={cn}", "-addext", f"subjectAltName=DNS:{cn}",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
    finally:
        os.umask(old)
    os.chmod(key, 0o600)
    return cert, key


class Xmppd:
    """One xmppd process with its own directory, certificate(s) and configuration."""

    def __init__(self, directory, hosts=("localhost",), ipv6=False, extra="", limits=None, timeouts=None,
                 require_encryption=True, mechanisms=None, host_options=None):
        self.dir = str(directory)
        self.port = free_port()
        self.port6 = free_port(socket.AF_INET6, "::1") if ipv6 else None
        self.hosts = list(hosts)
        self.certs = {}
        for h in self.hosts:
            self.certs[h] = make_cert(self.dir, h)
        self.store = os.path.join(self.dir, "accounts.db")
        self.conf = os.path.join(self.dir, "xmppd.conf")
        self.log_path = os.path.join(self.dir, "xmppd.log")
        self.proc = None
        listen = [f'{{ address = "127.0.0.1"; port = {self.port}; }}']
        if ipv6:
            listen.append(f'{{ address = "::1"; port = {self.port6}; }}')
        host_options = host_options or {}   # host -> more settings of its virtual_hosts group
        vhosts = ",\n  ".join(
            f'{{ domain = "{h}"; certificate = "{h}.crt"; key = "{h}.key"; {host_options.get(h, "")} }}'
            for h in self.hosts)
        lim = {"max_streams": 100}
        lim.update(limits or {})
        tmo = {"handshake": 30, "idle": 300}
        tmo.update(timeouts or {})
        mechs = mechanisms or MECHS_ALL
        self.mechs = list(mechs)
        text = (f"listen = ( {', '.join(listen)} );\n"
                f"virtual_hosts = (\n  {vhosts}\n);\n"
                f"c2s_require_encryption = {'true' if require_encryption else 'false'};\n"
                f"mechanisms = [ {', '.join(chr(34) + m + chr(34) for m in mechs)} ];\n"
                "limits = { " + " ".join(f"{k} = {v};" for k, v in lim.items()) + " };\n"
                "timeouts = { " + " ".join(f"{k} = {v};" for k, v in tmo.items()) + " };\n"
                'data_dir = ".";\n'
                'log_level = "debug";\n' + extra)
        if "s2s =" not in extra:
            # DESIGN.md "Loopback only": a stanza to another domain must never send a query to the
            # system resolver; a DNS server nobody listens on makes every remote domain unknown
            text += f's2s = {{ dns_server = "127.0.0.1:{free_udp_port()}"; }};\n'
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen([XMPPD, "-c", self.conf, "-f"], stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"xmppd exited with {self.proc.returncode}:\n{self.log()}")
            if "xmppd ready" in self.log():   # logged once every listener is bound
                return self
            time.sleep(0.02)
        raise RuntimeError("xmppd was not ready within 10 s:\n" + self.log())

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def connect(self, family=socket.AF_INET):
        if family == socket.AF_INET6:
            s = socket.create_connection(("::1", self.port6), timeout=5)
        else:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        return s

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        rc = self.proc.returncode
        log = self.log()
        # sanitizer builds: any report (ASan, LSan, UBSan) fails the test that ran this server
        assert not re.search(r"ERROR: \w+Sanitizer|runtime error:", log), log
        assert rc == 0, f"xmppd exited with {rc}:\n{log[-5000:]}"
        return rc

    def client_context(self, host="localhost", **kw):
        ctx = ssl.create_default_context(cafile=self.certs[host][0])
        for k, v in kw.items():
            setattr(ctx, k, v)
        return ctx

    def adduser(self, jid, password):
        r = subprocess.run([XMPPCTL, "-c", self.store, "adduser", jid], input=(password + "\n").encode(),
                           capture_output=True, timeout=30)
        assert r.returncode == 0, r.stderr.decode()


@pytest.fixture
def make_server(tmp_path):
    """Factory: make_server(**config) starts an xmppd with that configuration; all are stopped at
    the end of the test."""
    started = []

    def make(**kw):
        d = tmp_path / f"xmppd{len(started)}"
        d.mkdir()
        srv = Xmppd(d, **kw).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture
def server(make_server):
    return make_server()


def negotiate_tls(srv, sock, host="localhost", ctx=None, sni=None):
    """Header, features, <starttls/>, <proceed/>, handshake: returns the TLS socket."""
    sock.sendall(open_header(host))
    got = recv_until(sock, b"</stream:features>")
    assert norm(got) == server_header(host) + FEAT_TLS_REQUIRED
    sock.sendall(STARTTLS)
    assert recv_until(sock, b"/>").decode() == PROCEED
    ctx = ctx or srv.client_context(host)
    return ctx.wrap_socket(sock, server_hostname=sni if sni is not None else host, suppress_ragged_eofs=False)


# ---------------------------------------------------------------------------------------------
# Bad-input helpers (test_c2s_bad_input.py): raw logins with exact bytes, the answer of a stream
# error, the server's memory, and the "witness": a pair of sessions bound BEFORE some bad input
# that must still exchange messages, byte for byte, once the offender was closed.
import base64  # noqa: E402 (kept in this block)

SASL_NS = "urn:ietf:params:xml:ns:xmpp-sasl"
FEAT_BIND_SESSION = ("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                     "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>")


def sasl_failure(cond):
    return f"<failure xmlns='{SASL_NS}'><{cond}/></failure>"


def plain_auth(user, password, authzid=""):
    """<auth mechanism='PLAIN'> with authzid NUL authcid NUL password in base64 (RFC 4616)."""
    cred = base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()
    return f"<auth xmlns='{SASL_NS}' mechanism='PLAIN'>{cred}</auth>".encode()


def tls_mechanisms(srv, host="localhost"):
    """A TLS stream whose restarted header got the mechanisms (exact bytes): ready for <auth/>."""
    t = negotiate_tls(srv, srv.connect(), host=host)
    t.sendall(open_header(host))
    assert norm(recv_until(t, b"</stream:features>")) == server_header(host) + feat_sasl(srv.mechs)
    return t


def bound_session(srv, user, password, resource, presence=True):
    """STARTTLS, PLAIN, restart, bind (and initial presence), every answer compared byte for byte.
    Returns (TLS socket, full JID)."""
    t = tls_mechanisms(srv)
    t.sendall(plain_auth(user, password))
    assert recv_until(t, b"/>").decode() == f"<success xmlns='{SASL_NS}'/>"
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + FEAT_BIND_SESSION
    t.sendall(f"<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>{resource}"
              "</resource></bind></iq>".encode() + (b"<presence/>" if presence else b""))
    full = f"{user}@localhost/{resource}"
    assert recv_until(t, b"</iq>").decode() == (
        f"<iq type='result' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>{full}</jid></bind></iq>")
    return t, full


def expect_stream_error(sock, cond, header=None, within=5.0):
    """The offender's answer: exactly [our header +] <stream:error><cond/></stream:error>
    </stream:stream>, then the connection closed (close_notify first on TLS) within `within` s."""
    data, clean, secs = recv_to_eof(sock, timeout=within + 1)
    want = (header or "") + stream_error(cond)
    assert norm(data) == want, (norm(data), want)
    assert clean is True, f"not closed cleanly within {within + 1} s (clean={clean}, {secs:.2f} s)"
    assert secs < within, f"closed after {secs:.2f} s"
    return secs


def proc_status_kb(pid, field):
    """A field of /proc/PID/status in kB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0: '5' into clear_refs); False if refused."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Witness:
    """Two bound sessions (juliet@localhost/balcony, romeo@localhost/orchard: the accounts must
    exist) made before the bad input. exchange() has juliet send to romeo's full JID and romeo
    answer to juliet's bare JID, and compares what each receives byte for byte: a stanza leaked
    by an offender, or a witness stream closed or stuck, fails it."""

    def __init__(self, srv, a=("juliet", "r0m30-wherefore", "balcony"), b=("romeo", "jul13t-balcony", "orchard")):
        self.srv = srv
        self.a, self.a_jid = bound_session(srv, *a)
        self.b, self.b_jid = bound_session(srv, *b)
        self.n = 0
        self.exchange()   # the witness works before the bad input, too

    def exchange(self):
        assert self.srv.proc.poll() is None, "xmppd is gone:\n" + self.srv.log()[-3000:]
        self.n += 1
        n = self.n
        a_bare = self.a_jid.split("/")[0]
        self.a.sendall(f"<message to='{self.b_jid}' type='chat' id='w{n}'><body>witness {n}</body></message>"
                       .encode())
        want = (f"<message to='{self.b_jid}' type='chat' id='w{n}' from='{self.a_jid}'><body>witness {n}</body>"
                "</message>")
        assert recv_until(self.b, b"</message>", timeout=10).decode() == want
        self.b.sendall(f"<message to='{a_bare}' type='chat' id='r{n}'><body>reply {n}</body></message>".encode())
        want = f"<message to='{a_bare}' type='chat' id='r{n}' from='{self.b_jid}'><body>reply {n}</body></message>"
        assert recv_until(self.a, b"</message>", timeout=10).decode() == want

    def close(self):
        for t in (self.a, self.b):
            try:
                t.sendall(b"</stream:stream>")
                recv_to_eof(t, timeout=5)
            except OSError:
                pass
            t.close()
