"""Per-address limits (issue 4; DESIGN.md "Failed authentication"): open streams from one
address, and a budget of failed logins per address that holds across streams.

127.0.0.2 is another loopback address: a client bound to it is "another address" to xmppd.
"""
import base64
import socket
import time

from conftest import feat_sasl, negotiate_tls, norm, open_header, recv_until, server_header

SASL_NS = "urn:ietf:params:xml:ns:xmpp-sasl"


def connect_from(srv, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(5)
    s.bind((source, 0))
    s.connect(("127.0.0.1", srv.port))
    return s


def closed_without_a_byte(sock, timeout=5.0):
    sock.settimeout(timeout)
    try:
        return sock.recv(100) == b""
    except ConnectionResetError:
        return True


def plain(t, user, password):
    """One PLAIN attempt on a TLS stream at the mechanisms; returns the server's answer."""
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    t.sendall(f"<auth xmlns='{SASL_NS}' mechanism='PLAIN'>{token}</auth>".encode())
    return recv_until(t, b"/>").decode()


def at_mechanisms(srv, source="127.0.0.1"):
    t = negotiate_tls(srv, connect_from(srv, source))
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + feat_sasl(["PLAIN"])
    return t


def failure(cond):
    return f"<failure xmlns='{SASL_NS}'><{cond}/></failure>"


# REQ: SRV-05
def test_streams_per_address(make_server):
    srv = make_server(limits={"streams_per_address": 3})
    mine = [connect_from(srv, "127.0.0.1") for _ in range(3)]
    for s in mine:      # all three are served
        s.sendall(open_header())
        assert b"</stream:features>" in recv_until(s, b"</stream:features>")
    extra = connect_from(srv, "127.0.0.1")
    assert closed_without_a_byte(extra)
    # another address is not affected
    other = connect_from(srv, "127.0.0.2")
    other.sendall(open_header())
    assert b"</stream:features>" in recv_until(other, b"</stream:features>")
    # closing one frees its place
    mine[0].close()
    deadline = time.monotonic() + 5
    while "connection closed" not in srv.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    again = connect_from(srv, "127.0.0.1")
    again.sendall(open_header())
    assert b"</stream:features>" in recv_until(again, b"</stream:features>")
    assert "limits.streams_per_address" in srv.log()
    for s in mine[1:] + [extra, other, again]:
        s.close()


# REQ: SRV-06
def test_failed_logins_budget_holds_across_streams(make_server):
    srv = make_server(mechanisms=["PLAIN"],
                      limits={"auth_failures": 5, "auth_failures_per_address": 2, "auth_failure_window": 60})
    srv.adduser("juliet@localhost", "right-password")
    a = at_mechanisms(srv)
    assert plain(a, "juliet", "wrong-1") == failure("not-authorized")
    assert plain(a, "juliet", "wrong-2") == failure("not-authorized")
    # a new stream from the same address, with the right password: refused before SASL
    b = at_mechanisms(srv)
    assert plain(b, "juliet", "right-password") == failure("temporary-auth-failure")
    assert "limits.auth_failures_per_address" in srv.log()
    # the first stream too: the budget is the address's, not the stream's
    assert plain(a, "juliet", "right-password") == failure("temporary-auth-failure")
    # another address logs in with the same account
    c = at_mechanisms(srv, "127.0.0.2")
    assert plain(c, "juliet", "right-password") == f"<success xmlns='{SASL_NS}'/>"
    for s in (a, b, c):
        s.close()


# REQ: SRV-06
def test_budget_window_ends(make_server):
    srv = make_server(mechanisms=["PLAIN"],
                      limits={"auth_failures_per_address": 1, "auth_failure_window": 2})
    srv.adduser("juliet@localhost", "right-password")
    a = at_mechanisms(srv)
    assert plain(a, "nobody", "x") == failure("not-authorized")
    assert plain(a, "juliet", "right-password") == failure("temporary-auth-failure")
    time.sleep(2.2)
    b = at_mechanisms(srv)
    assert plain(b, "juliet", "right-password") == f"<success xmlns='{SASL_NS}'/>"
    a.close()
    b.close()
