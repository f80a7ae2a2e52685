"""The c2s shell over real sockets: stream negotiation, STARTTLS, TLS policy, errors, timers,
signals and configuration — everything that needs no account (tests needing SASL are in
test_c2s_login.py). Exact bytes are compared after replacing stream ids with ID (norm)."""
import os
import signal
import socket
import ssl
import subprocess
import time

import pytest

from conftest import (FEAT_TLS_REQUIRED, MECHS_ALL, PROCEED, STARTTLS, XMPPD, feat_sasl, negotiate_tls, norm,
                      open_header, recv_to_eof, recv_until, server_header, stream_error)


# REQ: STR-10, STR-13, TLS-01, TLS-02, TLS-03
def test_header_and_features_exact_bytes(server):
    s = server.connect()
    s.sendall(open_header())
    got = recv_until(s, b"</stream:features>")
    assert norm(got) == server_header() + FEAT_TLS_REQUIRED
    s.close()


# REQ: STR-10
def test_ipv6_listener(make_server):
    srv = make_server(ipv6=True)
    s = srv.connect(socket.AF_INET6)
    s.sendall(open_header())
    assert norm(recv_until(s, b"</stream:features>")) == server_header() + FEAT_TLS_REQUIRED
    s.close()


# REQ: TLS-04, TLS-07, TLS-08, SASL-01
def test_starttls_upgrade_then_mechanisms(server):
    s = server.connect()
    t = negotiate_tls(server, s)
    assert t.version() == "TLSv1.3"
    t.sendall(open_header())
    got = recv_until(t, b"</stream:features>")
    # TLS 1.3 gives tls-exporter channel binding: the -PLUS variants are offered; PLAIN only now
    assert norm(got) == server_header() + feat_sasl(MECHS_ALL)
    assert "PLAIN" in norm(got) and "starttls" not in norm(got)
    t.close()


# REQ: TLS-07
def test_header_in_the_same_segment_as_the_client_finished(server):
    """The client's Finished and its new stream header in one TCP segment: the header is the new
    stream and is answered (the restart TLS_DONE asks for drops only what came before TLS)."""
    s = server.connect()
    s.sendall(open_header())
    recv_until(s, b"</stream:features>")
    s.sendall(STARTTLS)
    assert recv_until(s, b"/>").decode() == PROCEED
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = server.client_context().wrap_bio(inc, out, server_hostname="localhost")
    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            if out.pending:
                s.sendall(out.read())
            data = s.recv(65536)
            assert data
            inc.write(data)
    obj.write(open_header())
    s.sendall(out.read())          # Finished and the header together
    got = b""
    deadline = time.monotonic() + 5
    while b"</stream:features>" not in got and time.monotonic() < deadline:
        try:
            got += obj.read(65536)
        except ssl.SSLWantReadError:
            s.settimeout(deadline - time.monotonic())
            data = s.recv(65536)
            assert data
            inc.write(data)
    assert norm(got) == server_header() + feat_sasl(MECHS_ALL)
    s.close()


# REQ: TLS-13
def test_tls12_accepted_with_channel_binding(server):
    """TLS 1.2 is the floor and works; with extended master secret it carries tls-unique, so the
    -PLUS mechanisms are offered there too."""
    s = server.connect()
    ctx = server.client_context()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    t = negotiate_tls(server, s, ctx=ctx)
    assert t.version() == "TLSv1.2"
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + feat_sasl(MECHS_ALL)
    t.close()


# REQ: TLS-09, STR-30
def test_plaintext_pipelined_after_starttls_is_dropped(server):
    """Bytes sent in the clear in the same write as <starttls/> are neither parsed nor handed to
    TLS: the handshake that follows succeeds (had they reached OpenSSL it would fail) and the new
    stream starts from nothing."""
    s = server.connect()
    s.sendall(open_header())
    recv_until(s, b"</stream:features>")
    s.sendall(STARTTLS + open_header() + b"<iq type='get' id='x'><ping xmlns='urn:xmpp:ping'/></iq>")
    assert recv_until(s, b"/>").decode() == PROCEED
    t = server.client_context().wrap_socket(s, server_hostname="localhost")
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + feat_sasl(MECHS_ALL)
    t.close()


# REQ: ERR-01, ERR-04
def test_bad_input_closes_with_stream_error_second_stream_unaffected(server):
    a = server.connect()
    b = server.connect()
    b.sendall(open_header())
    assert norm(recv_until(b, b"</stream:features>")) == server_header() + FEAT_TLS_REQUIRED
    a.sendall(open_header())
    recv_until(a, b"</stream:features>")
    a.sendall(b"<message><</message>")
    data, clean, secs = recv_to_eof(a, timeout=5)
    assert data.decode() == stream_error("xml-not-well-formed")
    assert clean is True and secs < 5
    # the other stream goes on: STARTTLS and the mechanisms
    b.sendall(STARTTLS)
    assert recv_until(b, b"/>").decode() == PROCEED
    t = server.client_context().wrap_socket(b, server_hostname="localhost")
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + feat_sasl(MECHS_ALL)
    t.close()
    a.close()


# REQ: ERR-04, TLS-11
def test_bad_input_after_tls_ends_with_close_notify(server):
    t = negotiate_tls(server, server.connect())
    t.sendall(open_header())
    recv_until(t, b"</stream:features>")
    t.sendall(b"<iq/ >&bogus;")
    # suppress_ragged_eofs=False: an EOF without close_notify would raise SSLEOFError
    data, clean, secs = recv_to_eof(t, timeout=5)
    assert data.decode() == stream_error("xml-not-well-formed")
    assert clean is True and secs < 5
    t.close()


# REQ: STR-27
def test_negotiation_timeout_closes_idle_preauth_connection(make_server):
    srv = make_server(timeouts={"handshake": 1})
    # a client that sent its header and then nothing
    a = srv.connect()
    a.sendall(open_header())
    assert norm(recv_until(a, b"</stream:features>")) == server_header() + FEAT_TLS_REQUIRED
    start = time.monotonic()
    data, clean, _ = recv_to_eof(a, timeout=5)
    assert data.decode() == stream_error("connection-timeout")
    assert clean is True and 0.8 < time.monotonic() - start < 4
    # a client that sent nothing at all: our header (a fresh id), then the error
    b = srv.connect()
    data, clean, _ = recv_to_eof(b, timeout=5)
    assert norm(data) == server_header() + stream_error("connection-timeout")
    assert clean is True
    # a stalled TLS handshake: closed without a byte of XML (TLS-06)
    c = srv.connect()
    c.sendall(open_header())
    recv_until(c, b"</stream:features>")
    c.sendall(STARTTLS)
    assert recv_until(c, b"/>").decode() == PROCEED
    data, clean, _ = recv_to_eof(c, timeout=5)
    assert data == b"" and clean is True
    a.close(), b.close(), c.close()


# REQ: ERR-09
def test_sigterm_sends_system_shutdown_to_every_stream(make_server):
    srv = make_server()
    plain = srv.connect()
    plain.sendall(open_header())
    recv_until(plain, b"</stream:features>")
    secure = negotiate_tls(srv, srv.connect())
    secure.sendall(open_header())
    recv_until(secure, b"</stream:features>")
    srv.signal(signal.SIGTERM)
    data, clean, secs = recv_to_eof(plain, timeout=5)
    assert data.decode() == stream_error("system-shutdown") and clean is True
    data, clean, secs = recv_to_eof(secure, timeout=5)
    assert data.decode() == stream_error("system-shutdown") and clean is True   # and close_notify
    assert srv.proc.wait(timeout=5) == 0
    assert "SIGTERM: shutting down 2 streams" in srv.log()


def s_client(port, version, extra=(), stdin=b"", timeout=10, starttls=True):
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", f"-{version}"]
    if starttls:
        cmd += ["-starttls", "xmpp", "-xmpphost", "localhost"]
    r = subprocess.run(cmd + list(extra), input=stdin, capture_output=True, timeout=timeout)
    return r.returncode, r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")


def listening(port):
    """True when something listens on 127.0.0.1:port (read from /proc: no connection made)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                for line in f.readlines()[1:]:
                    local, state = line.split()[1], line.split()[3]
                    if state == "0A" and int(local.split(":")[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


def s_server(tmp_path, cert, key, args):
    """openssl s_server for one client (stdin kept open: it quits at EOF on stdin)."""
    port = __import__("conftest").free_port()
    p = subprocess.Popen(["openssl", "s_server", "-accept", str(port), "-cert", cert, "-key", key, "-naccept", "1"] +
                         list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 5
    while not listening(port) and time.monotonic() < deadline:
        time.sleep(0.02)
    return p, port


# REQ: TLS-13
def test_tls_1_0_and_1_1_refused_with_positive_control(server, tmp_path):
    weak = ["-cipher", "DEFAULT@SECLEVEL=0"]
    cert, key = server.certs["localhost"]
    # positive control (DESIGN.md trap): this client does speak TLS 1.0 to a server that allows it
    p, port = s_server(tmp_path, cert, key, ["-tls1"] + weak)
    rc, out = s_client(port, "tls1", weak, starttls=False)
    p.kill()
    p.wait()
    assert "New, TLSv1, Cipher is" in out or "New, TLSv1.0, Cipher is" in out, out
    # xmppd refuses TLS 1.0 and 1.1 with the protocol_version alert
    for version in ("tls1", "tls1_1"):
        rc, out = s_client(server.port, version, weak)
        assert rc != 0 and "alert protocol version" in out, out
        assert "Cipher is (NONE)" in out
    # and accepts 1.2 and 1.3
    for version, name in (("tls1_2", "TLSv1.2"), ("tls1_3", "TLSv1.3")):
        rc, out = s_client(server.port, version)
        assert f"New, {name}, Cipher is" in out, out


def scripted_client(args, steps):
    """openssl s_client fed line by line: steps is a list of (bytes, seconds to wait after)."""
    proc = subprocess.Popen(["openssl", "s_client"] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    for data, wait in steps:
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
        except BrokenPipeError:
            break
        time.sleep(wait)
    try:
        proc.stdin.close()
    except BrokenPipeError:
        pass
    out = proc.stdout.read()
    proc.wait(timeout=5)
    return out.decode("utf-8", "replace")


# REQ: TLS-14
def test_renegotiation_closes_connection_with_positive_control(server, tmp_path):
    """OpenSSL 3 refuses a client's renegotiation with a warning alert and would go on; xmppd
    notices the attempt in its info callback and closes the connection."""
    cert, key = server.certs["localhost"]
    # positive control: against a server that allows client renegotiation, the same client
    # renegotiates and its next line arrives
    p, port = s_server(tmp_path, cert, key, ["-tls1_2", "-client_renegotiation"])
    out = scripted_client(["-connect", f"127.0.0.1:{port}", "-tls1_2"],
                          [(b"R\n", 1.0), (b"after-renegotiation\n", 1.0)])
    p.kill()
    served = p.communicate(timeout=5)[0].decode("utf-8", "replace")
    assert "RENEGOTIATING" in out and "after-renegotiation" in served, out + served
    # xmppd: the renegotiation is detected and the connection closed
    other = server.connect()
    other.sendall(open_header())
    recv_until(other, b"</stream:features>")
    out = scripted_client(["-connect", f"127.0.0.1:{server.port}", "-tls1_2", "-starttls", "xmpp",
                           "-xmpphost", "localhost"],
                          [(open_header() + b"\n", 0.5), (b"R\n", 1.0), (b"<presence/>\n", 0.2)])
    assert "RENEGOTIATING" in out, out
    log = server.log()
    assert "TLS up: TLSv1.2" in log and "TLS renegotiation attempt: closing the connection" in log, log
    # another stream was not disturbed
    other.sendall(STARTTLS)
    assert recv_until(other, b"/>").decode() == PROCEED
    other.close()


def cert_cn(t):
    der = t.getpeercert(binary_form=True)
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject"], input=der,
                         capture_output=True).stdout.decode()
    return out.strip().split("CN = ")[-1]


# REQ: TLS-12
def test_certificate_chosen_by_sni_else_stream_host(make_server):
    srv = make_server(hosts=("localhost", "example.test"))
    both = ssl.create_default_context()
    both.load_verify_locations(srv.certs["localhost"][0])
    both.load_verify_locations(srv.certs["example.test"][0])
    nosni = ssl.create_default_context()
    nosni.check_hostname = False
    nosni.load_verify_locations(srv.certs["localhost"][0])
    nosni.load_verify_locations(srv.certs["example.test"][0])
    # no SNI: the stream's host picks the certificate
    for host in ("example.test", "localhost"):
        t = negotiate_tls(srv, srv.connect(), host=host, ctx=nosni, sni=None)
        assert cert_cn(t) == host
        t.close()
    # SNI names a served host: SNI wins over the stream's host
    t = negotiate_tls(srv, srv.connect(), host="localhost", ctx=both, sni="example.test")
    assert cert_cn(t) == "example.test"
    t.close()
    # SNI names a host we do not serve: the stream host's certificate
    t = negotiate_tls(srv, srv.connect(), host="example.test", ctx=nosni, sni="unknown.test")
    assert cert_cn(t) == "example.test"
    t.close()


# REQ: SRV-02
def test_sighup_reloads_certificates_without_dropping_streams(make_server):
    srv = make_server()
    old = negotiate_tls(srv, srv.connect())
    old_der = old.getpeercert(binary_form=True)
    # a new certificate and key in place, then SIGHUP
    cert, key = srv.certs["localhost"]
    os.rename(cert, cert + ".old")
    os.rename(key, key + ".old")
    __import__("conftest").make_cert(srv.dir, "localhost")
    srv.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while "reloaded" not in srv.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "reloaded" in srv.log()
    # new streams get the new certificate
    new = negotiate_tls(srv, srv.connect(), ctx=srv.client_context())
    assert new.getpeercert(binary_form=True) != old_der
    new.close()
    # the old stream is still there and goes on
    old.sendall(open_header())
    assert norm(recv_until(old, b"</stream:features>")) == server_header() + feat_sasl(MECHS_ALL)
    old.close()
    # a broken configuration is refused on reload; the server keeps running on the old one
    with open(srv.conf, "a") as f:
        f.write("no_such_setting = 1;\n")
    srv.signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while "reload refused" not in srv.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "reload refused" in srv.log() and "unknown setting 'no_such_setting'" in srv.log()
    s = srv.connect()
    s.sendall(open_header())
    assert norm(recv_until(s, b"</stream:features>")) == server_header() + FEAT_TLS_REQUIRED
    s.close()


# REQ: SRV-03
def test_max_streams(make_server):
    srv = make_server(limits={"max_streams": 2})
    a, b = srv.connect(), srv.connect()
    for s in (a, b):
        s.sendall(open_header())
        assert norm(recv_until(s, b"</stream:features>")) == server_header() + FEAT_TLS_REQUIRED
    c = srv.connect()
    data, clean, _ = recv_to_eof(c, timeout=5)
    assert data == b""
    assert "refused: 2 streams open (limits.max_streams)" in srv.log()
    a.close()
    time.sleep(0.3)
    d = srv.connect()
    d.sendall(open_header())
    assert norm(recv_until(d, b"</stream:features>")) == server_header() + FEAT_TLS_REQUIRED
    b.close(), c.close(), d.close()


def run_check(directory, text):
    path = os.path.join(directory, "bad.conf")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([XMPPD, "-c", path, "-f"], capture_output=True, timeout=10)
    return r.returncode, r.stderr.decode()


# REQ: SRV-01
def test_bad_configuration_refused_with_file_line_reason(tmp_path):
    d = str(tmp_path)
    __import__("conftest").make_cert(d, "localhost")
    good = ('listen = ( { address = "127.0.0.1"; port = 1; } );\n'
            'virtual_hosts = ( { domain = "localhost"; certificate = "localhost.crt"; key = "localhost.key"; } );\n')
    path = os.path.join(d, "bad.conf")
    cases = [
        (good + "limits = { max_streams = 0; };\n", ":3: 'max_streams' must be between 1 and 1000000"),
        (good + "\nmechanisms = [ \"DIGEST-MD5\" ];\n", ":4: unknown mechanism 'DIGEST-MD5'"),
        (good + "c2s_require_encryption = \"yes\";\n", ":3: 'c2s_require_encryption' must be true or false"),
        (good + "tls = { cipher = \"HIGH\"; };\n", ":3: unknown setting 'cipher'"),
        (good + "limits = {\n  stanza_bytes = 65536;\n  output_queue_bytes = 32768;\n};\n",
         ":3: 'output_queue_bytes' is smaller than 'stanza_bytes'"),
        (good + "log_level = \"debug\";\nfoo = ;\n", ":4: syntax error"),
        (good.replace('"localhost";', '"a..b";'), ":2: 'a..b' is not a valid domain name"),
        (good.replace('"127.0.0.1"', '"localhost"'), ":1: 'localhost' is not an IPv4 or IPv6 address"),
    ]
    for text, want in cases:
        rc, err = run_check(d, text)
        assert rc == 1 and (path + want) in err, (want, err)
    # a key others can read is refused
    os.chmod(os.path.join(d, "localhost.key"), 0o644)
    rc, err = run_check(d, good)
    assert rc == 1 and "is readable by others (mode 644): make it 0600" in err and ":2:" in err, err
    os.chmod(os.path.join(d, "localhost.key"), 0o600)
    # and the good one passes the check
    r = subprocess.run([XMPPD, "-c", path, "-t"], capture_output=True, timeout=10)
    assert r.returncode == 0, r.stderr.decode()
