"""A second, independent client library logs in: libstrophe 0.12.2 (Debian's libstrophe0) through
tests/integration/strophe_client.c, beside slixmpp. It verifies the server certificate against
the test certificate only, with its own hostname check, and cannot choose a SASL mechanism
itself (it takes the strongest offered, and has no -PLUS): the tests choose by what the server
offers. Messages go both ways between libstrophe and slixmpp, and between two libstrophe clients.

Environment: STROPHE_CLIENT_BIN overrides build/gcc/tests/integration/strophe_client (built by
`make build/gcc/tests/integration/strophe_client` or `make server-test`)."""
import base64
import json
import os
import re
import select
import subprocess
import time

import pytest

from conftest import ROOT, Xmppd, make_cert

HERE = os.path.dirname(os.path.abspath(__file__))
STROPHE_CLIENT = os.path.abspath(os.environ.get("STROPHE_CLIENT_BIN")
                                 or os.path.join(ROOT, "build/gcc/tests/integration/strophe_client"))
CLIENT_TIMEOUT = 15   # seconds: the client's own deadline; the process is killed 15 s after it

JULIET = ("juliet@localhost", "r0m30-wherefore")
ROMEO = ("romeo@localhost", "jul13t-balcony")


@pytest.fixture(autouse=True)
def strophe_client_exists():
    assert os.path.exists(STROPHE_CLIENT), \
        f"{STROPHE_CLIENT} does not exist: make build/gcc/tests/integration/strophe_client"


def strophe_argv(srv, account, mode, *args, cafile=None):
    return [STROPHE_CLIENT, "-v", "-t", str(CLIENT_TIMEOUT), str(srv.port), cafile or srv.certs["localhost"][0],
            account[0], account[1], mode] + list(args)


class Run:
    """What one client process printed: stdout lines (one per step) and stderr (with -v,
    libstrophe's debug log: every element on the wire)."""

    def __init__(self, rc, out, err):
        self.rc, self.lines, self.err = rc, out.splitlines(), err

    def line(self, prefix):
        found = [ln for ln in self.lines if ln.startswith(prefix)]
        return found[0] if found else None

    def __str__(self):
        return f"exit {self.rc}\n" + "\n".join(self.lines) + "\n--- stderr ---\n" + self.err[-6000:]


def strophe(srv, account, mode, *args, cafile=None):
    r = subprocess.run(strophe_argv(srv, account, mode, *args, cafile=cafile), capture_output=True,
                       timeout=CLIENT_TIMEOUT + 15)
    return Run(r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace"))


class Peer:
    """A client process that runs beside the one under test: its stdout is read line by line
    (to wait for "ready" before anyone sends to it), its stderr goes to a file so that a
    verbose log can never fill a pipe and stall it."""

    def __init__(self, argv, errpath):
        self.errf = open(errpath, "w+b")
        # cwd: the slixmpp peer imports slixmpp_client from here
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.errf, bufsize=0, cwd=HERE)
        self.pending = b""
        self.lines = []

    def _read(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        chunk = os.read(self.proc.stdout.fileno(), 65536) if ready else None
        if chunk:
            self.pending += chunk
            *done, self.pending = self.pending.split(b"\n")
            self.lines += [d.decode("utf-8", "replace") for d in done]
        return chunk

    def wait_line(self, prefix, timeout=CLIENT_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            for ln in self.lines:
                if ln.startswith(prefix):
                    return ln
            left = deadline - time.monotonic()
            if left <= 0 or self._read(left) == b"":   # b"": EOF, the peer is gone
                return None

    def finish(self):
        """Waits for the exit; returns a Run with everything it printed."""
        try:
            self.proc.wait(timeout=CLIENT_TIMEOUT + 15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        while self._read(0):
            pass
        self.errf.seek(0)
        err = self.errf.read().decode("utf-8", "replace")
        self.errf.close()
        self.proc.stdout.close()
        return Run(self.proc.returncode, "\n".join(self.lines + [self.pending.decode("utf-8", "replace")]), err)


# slixmpp as the other party, through the project's slixmpp client class: "echo" answers one
# message to its sender's full JID; "ask TO BODY" sends one and waits for the answer. It prints
# "ready JID" once bound and available, then one JSON line like slixmpp_client.py.
SLIXMPP_PEER = r"""
import asyncio, json, sys
from slixmpp_client import Client, TIMEOUT

async def run(port, cafile, jid, password, mode, args, result):
    c = Client(jid, password, "", cafile, result)
    c.connect(("127.0.0.1", port))
    await asyncio.wait_for(c.ready.wait(), TIMEOUT)
    print("ready", c.boundjid, flush=True)
    if mode == "ask":
        c.send_message(mto=args[0], mbody=args[1], mtype="chat")
    msg = await asyncio.wait_for(c.inbox.get(), TIMEOUT)
    if mode == "echo":
        c.send_message(mto=msg["from"], mbody="echo: " + msg["body"], mtype="chat")
    c.disconnect()
    await asyncio.sleep(0.3)
    result["ok"] = True

result = {"ok": False, "events": [], "bound": [], "received": []}
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
try:
    a = sys.argv[1:]
    loop.run_until_complete(run(int(a[0]), a[1], a[2], a[3], a[4], a[5:], result))
except Exception as e:
    result["error"] = f"{type(e).__name__}: {e}"
print(json.dumps(result), flush=True)
sys.exit(0 if result["ok"] else 1)
"""


def slixmpp_argv(srv, account, mode, *args):
    return ["/usr/bin/python3", "-c", SLIXMPP_PEER, str(srv.port), srv.certs["localhost"][0],
            account[0], account[1], mode] + list(args)


def slixmpp_result(run):
    res = json.loads(run.lines[-1]) if run.lines and run.lines[-1].startswith("{") else {}
    assert res.get("ok"), str(run)
    return res


@pytest.fixture
def lovers(make_server):
    """xmppd with the default offer (the -PLUS variants included) and two accounts."""
    srv = make_server()
    srv.adduser(*JULIET)
    srv.adduser(*ROMEO)
    return srv


def sent_auth(run):
    """The mechanism and the decoded initial response of each <auth/> libstrophe sent."""
    return [(m, base64.b64decode(data)) for m, data in
            re.findall(r'SENT: <auth mechanism="([^"]+)" xmlns="urn:ietf:params:xml:ns:xmpp-sasl">([^<]*)</auth>',
                       run.err)]


def authenticated_with(srv, user):
    return re.findall(rf"authenticated {re.escape(user)} with (\S+)$", srv.log(), re.M)


# REQ: SASL-03, SASL-04, SASL-11, SASL-12, SASL-21, BIND-02, BIND-03, RT-02
def test_libstrophe_logs_in_with_scram_sha_256_without_channel_binding(lovers):
    """The default offer starts with SCRAM-SHA-256-PLUS; libstrophe 0.12 has no channel binding,
    takes SCRAM-SHA-256 and says so in its gs2 header ("n": the client cannot bind), which the
    server must accept even though it offers -PLUS (only "y" is a downgrade)."""
    run = strophe(lovers, JULIET, "login")
    assert run.rc == 0, str(run) + lovers.log()
    assert run.lines[0] == "connected secured=1", str(run)
    bound = run.line("bound ")
    assert re.fullmatch(r"bound juliet@localhost/[0-9a-f]{16}", bound), str(run)   # 64 random bits
    assert run.line("ready") == "ready" and run.lines[-1] == "disconnected error=0", str(run)
    assert "tls DEBUG Certificate verification passed" in run.err
    auths = sent_auth(run)
    assert [m for m, _ in auths] == ["SCRAM-SHA-256"], str(run)
    assert auths[0][1].startswith(b"n,,n=juliet,r=")
    assert authenticated_with(lovers, "juliet@localhost") == ["SCRAM-SHA-256"], lovers.log()
    assert f"bound {bound[len('bound '):]}" in lovers.log()


# REQ: SASL-03, SASL-04
@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-1", "PLAIN"])
def test_libstrophe_logs_in_with_the_only_mechanism_offered(make_server, mechanism):
    srv = make_server(mechanisms=[mechanism])
    srv.adduser(*ROMEO)
    run = strophe(srv, ROMEO, "login")
    assert run.rc == 0 and run.line("bound romeo@localhost/"), str(run) + srv.log()
    assert [m for m, _ in sent_auth(run)] == [mechanism], str(run)
    assert authenticated_with(srv, "romeo@localhost") == [mechanism], srv.log()
    assert ROMEO[1] not in srv.log()
    assert base64.b64encode(f"\0romeo\0{ROMEO[1]}".encode()).decode() not in srv.log()


# REQ: TLS-04, TLS-12
def test_libstrophe_verifies_the_server_certificate(lovers, tmp_path):
    """The login above rests on a verified certificate: a CA that is not the server's (same
    name, other key) is refused before any SASL, and the server only sees a TLS alert."""
    unrelated_ca, _ = make_cert(str(tmp_path), "unrelated", cn="localhost")
    run = strophe(lovers, JULIET, "login", cafile=unrelated_ca)
    assert run.rc == 1, str(run)
    assert run.lines[0] == "certfail self-signed certificate", str(run)
    assert not run.line("bound") and not run.line("connected"), str(run)
    assert sent_auth(run) == []
    assert "TLS handshake failed" in lovers.log() and "alert unknown ca" in lovers.log(), lovers.log()
    assert authenticated_with(lovers, "juliet@localhost") == []
    # positive control: the same client and server with the right CA
    assert strophe(lovers, JULIET, "login").rc == 0


# REQ: TLS-12
def test_libstrophe_checks_the_name_in_the_certificate(tmp_path):
    """libstrophe's hostname check is on: a certificate it trusts that names another host is
    refused (and xmppd warns at start that it does not name the host it serves)."""
    srv = Xmppd(tmp_path)
    make_cert(str(tmp_path), "localhost", cn="wrong.example")   # replaces the one Xmppd made
    srv.start()
    try:
        srv.adduser(*JULIET)
        run = strophe(srv, JULIET, "login")
        assert run.rc == 1 and run.lines[0] == "certfail hostname mismatch", str(run)
        assert not run.line("bound")
        assert "does not name localhost: clients that verify will refuse it" in srv.log()
    finally:
        srv.stop()


# REQ: SASL-05, SASL-06
def test_libstrophe_wrong_password_retries_on_the_same_stream_and_fails(lovers):
    """After <failure><not-authorized/></failure> the stream stays open: libstrophe tries its next
    mechanism on it (SCRAM-SHA-1 after SCRAM-SHA-256), fails again, and gives up; no resource."""
    run = strophe(lovers, (JULIET[0], "wrong"), "login")
    assert run.rc == 1 and not run.line("bound"), str(run)
    assert [m for m, _ in sent_auth(run)] == ["SCRAM-SHA-256", "SCRAM-SHA-1"], str(run)
    assert run.err.count('<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/></failure>') == 2
    log = lovers.log()
    assert log.count("SASL step failed: not-authorized") == 2, log
    assert len(re.findall(r"c2s#\d+ \S+ accepted", log)) == 1   # one connection for both attempts
    assert authenticated_with(lovers, "juliet@localhost") == []


def exchange(srv, tmp_path, asker_argv, echo_argv):
    """Starts the echoing peer, waits until it is available, runs the asker; returns the echo's
    "ready" line and both runs."""
    echo = Peer(echo_argv, tmp_path / "echo.stderr")
    ready = echo.wait_line("ready")
    if ready is None:
        echo.proc.kill()
        pytest.fail(f"the echoing peer was never ready:\n{echo.finish()}\n{srv.log()[-4000:]}")
    asker = Peer(asker_argv, tmp_path / "asker.stderr")
    return ready, asker.finish(), echo.finish()


# REQ: RT-09, RT-06, STZ-01, SESS-06
def test_libstrophe_asks_and_slixmpp_answers(lovers, tmp_path):
    """libstrophe (never requests a session) sends to romeo's bare JID; slixmpp gets it stamped
    with libstrophe's full JID and answers there."""
    ready, asker, echo = exchange(lovers, tmp_path,
                                  strophe_argv(lovers, JULIET, "ask", "romeo@localhost", "hello from libstrophe"),
                                  slixmpp_argv(lovers, ROMEO, "echo"))
    romeo_full = ready.split()[1]
    assert romeo_full.startswith("romeo@localhost/")
    assert asker.rc == 0, str(asker) + lovers.log()[-4000:]
    juliet_full = asker.line("bound ").split()[1]
    assert asker.line("received ") == f"received {romeo_full} echo: hello from libstrophe", str(asker)
    res = slixmpp_result(echo)
    assert res["received"] == [{"to": romeo_full, "from": juliet_full, "body": "hello from libstrophe",
                                "type": "chat"}], json.dumps(res)


# REQ: RT-09, RT-06, STZ-01, SESS-06
def test_slixmpp_asks_and_libstrophe_answers(lovers, tmp_path):
    ready, asker, echo = exchange(lovers, tmp_path,
                                  slixmpp_argv(lovers, ROMEO, "ask", "juliet@localhost", "hello from slixmpp"),
                                  strophe_argv(lovers, JULIET, "echo"))
    assert ready == "ready"
    assert echo.rc == 0, str(echo) + lovers.log()[-4000:]
    juliet_full = echo.line("bound ").split()[1]
    res = slixmpp_result(asker)
    romeo_full = res["bound"][0]
    assert echo.line("received ") == f"received {romeo_full} hello from slixmpp", str(echo)
    assert echo.line("sent ") == f"sent {romeo_full} echo: hello from slixmpp", str(echo)
    assert res["received"] == [{"to": romeo_full, "from": juliet_full, "body": "echo: hello from slixmpp",
                                "type": "chat"}], json.dumps(res)


# REQ: RT-09, RT-06, STZ-01
def test_two_libstrophe_clients_exchange_messages(lovers, tmp_path):
    ready, asker, echo = exchange(lovers, tmp_path,
                                  strophe_argv(lovers, ROMEO, "ask", "juliet@localhost", "wherefore art thou"),
                                  strophe_argv(lovers, JULIET, "echo"))
    assert asker.rc == 0 and echo.rc == 0, f"{asker}\n{echo}\n{lovers.log()[-4000:]}"
    romeo_full = asker.line("bound ").split()[1]
    juliet_full = echo.line("bound ").split()[1]
    assert echo.line("received ") == f"received {romeo_full} wherefore art thou"
    assert asker.line("received ") == f"received {juliet_full} echo: wherefore art thou"
    assert authenticated_with(lovers, "romeo@localhost") == authenticated_with(lovers, "juliet@localhost") \
        == ["SCRAM-SHA-256"]
