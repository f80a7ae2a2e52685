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
