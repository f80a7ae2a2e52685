"""Idle bound streams are pinged before they are dropped (issue 4; XEP-0199 §4.3): after
timeouts.idle seconds without input the server sends <iq type='get'><ping/></iq>; any input
within timeouts.ping seconds keeps the stream, silence closes it with <connection-timeout/>."""
import base64
import re
import time

from conftest import negotiate_tls, open_header, recv_to_eof, recv_until, stream_error

SASL_NS = "urn:ietf:params:xml:ns:xmpp-sasl"


def bound_stream(srv, user, password):
    t = negotiate_tls(srv, srv.connect())
    t.sendall(open_header())
    recv_until(t, b"</stream:features>")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    t.sendall(f"<auth xmlns='{SASL_NS}' mechanism='PLAIN'>{token}</auth>".encode())
    assert recv_until(t, b"/>").decode() == f"<success xmlns='{SASL_NS}'/>"
    t.sendall(open_header())
    recv_until(t, b"</stream:features>")
    t.sendall(b"<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>")
    assert b"<jid>" in recv_until(t, b"</iq>")
    return t


def ping_bytes(n):
    return (f"<iq type='get' from='localhost' to='juliet@localhost/r' id='xmppd-ping-{n:08x}'>"
            "<ping xmlns='urn:xmpp:ping'/></iq>")


# REQ: STR-34
def test_idle_stream_is_pinged_answer_keeps_it_silence_closes_it(make_server):
    srv = make_server(mechanisms=["PLAIN"], timeouts={"idle": 1, "ping": 2})
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    t = bound_stream(srv, "juliet", "r0m30-wherefore")
    start = time.monotonic()
    got = recv_until(t, b"</iq>", timeout=5).decode()
    assert got == ping_bytes(0)
    assert 0.8 < time.monotonic() - start < 3
    # an answer is input: the stream stays, and after another idle second comes the next ping
    t.sendall(b"<iq type='result' id='xmppd-ping-00000000' to='localhost'/>")
    got = recv_until(t, b"</iq>", timeout=5).decode()
    assert got == ping_bytes(1)
    # no answer: after timeouts.ping the stream ends with connection-timeout
    start = time.monotonic()
    data, clean, secs = recv_to_eof(t, timeout=6)
    assert data.decode() == stream_error("connection-timeout")
    assert clean is True and 1.5 < secs < 5
    assert "idle (no answer to the ping) timeout" in srv.log()
    assert re.search(r"idle for 1 s: ping", srv.log())


def test_parked_streams_keep_partial_stanzas_and_receive(make_server):
    """A stream left alone for a second parks its memory (src/server/stream_memory.c) and gets
    every byte back at its next use: a stanza split across the park is parsed whole, a parked
    stream receives routed stanzas, and both go on as before."""
    srv = make_server(mechanisms=["PLAIN"])
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    srv.adduser("romeo@localhost", "jul13t-balcony")
    a = bound_stream(srv, "juliet", "r0m30-wherefore")
    b = bound_stream(srv, "romeo", "jul13t-balcony")
    time.sleep(1.5)                     # both parked (PARK_MS is 1 s)
    a.sendall(b"<message to='romeo@localhost/r' type='chat' id='m1'><bo")
    time.sleep(1.5)                     # parked again, in the middle of a stanza
    a.sendall(b"dy>wherefore art thou</body></message>")
    got = recv_until(b, b"</message>").decode()
    assert "from='juliet@localhost/r'" in got and "<body>wherefore art thou</body>" in got
    time.sleep(1.5)
    b.sendall(b"<message to='juliet@localhost/r' type='chat' id='m2'><body>here</body></message>")
    got = recv_until(a, b"</message>").decode()
    assert "from='romeo@localhost/r'" in got and "<body>here</body>" in got
    time.sleep(1.5)
    a.sendall(b"<message to='romeo@localhost/r' type='chat' id='m3'><body>again</body></message>")
    assert "<body>again</body>" in recv_until(b, b"</message>").decode()
    for t in (a, b):
        t.sendall(b"</stream:stream>")
        data, clean, _ = recv_to_eof(t)
        assert clean and data.endswith(b"</stream:stream>")


def exchange_and_close(srv, a, b, big):
    """Messages both ways (one of `big` body bytes: several TLS records), then a clean close:
    </stream:stream> back and the TLS close_notify before the TCP FIN."""
    body = "x" * big
    a.sendall(f"<message to='romeo@localhost/r' type='chat' id='m1'><body>{body}</body></message>".encode())
    got = recv_until(b, b"</message>", timeout=10).decode()
    assert "from='juliet@localhost/r'" in got and f"<body>{body}</body>" in got
    b.sendall(b"<message to='juliet@localhost/r' type='chat' id='m2'><body>here</body></message>")
    assert "<body>here</body>" in recv_until(a, b"</message>").decode()
    for t in (a, b):
        t.sendall(b"</stream:stream>")
        data, clean, _ = recv_to_eof(t)
        assert clean is True and data.endswith(b"</stream:stream>")


# REQ: TLS-22
def test_idle_tls13_sessions_leave_openssl_and_keep_working(make_server):
    """A parked stream's TLS 1.3 session is handed from OpenSSL to tls13_records.c (its SSL
    object freed): a real client (Python's ssl, OpenSSL underneath) notices nothing — stanzas
    both ways, one of 40,000 bytes, and a clean close with close_notify."""
    srv = make_server(mechanisms=["PLAIN"])
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    srv.adduser("romeo@localhost", "jul13t-balcony")
    a = bound_stream(srv, "juliet", "r0m30-wherefore")
    b = bound_stream(srv, "romeo", "jul13t-balcony")
    assert a.version() == "TLSv1.3" and b.version() == "TLSv1.3"
    time.sleep(1.5)                     # both parked (PARK_MS is 1 s)
    assert srv.log().count("TLS 1.3 session handed over from OpenSSL") == 2
    exchange_and_close(srv, a, b, 40000)


# REQ: TLS-26
def test_idle_handover_off_keeps_sessions_in_openssl(make_server):
    srv = make_server(mechanisms=["PLAIN"], extra="tls = { idle_handover = false; };\n")
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    srv.adduser("romeo@localhost", "jul13t-balcony")
    a = bound_stream(srv, "juliet", "r0m30-wherefore")
    b = bound_stream(srv, "romeo", "jul13t-balcony")
    time.sleep(1.5)
    assert "handed over" not in srv.log()
    exchange_and_close(srv, a, b, 40000)
