"""Real logins: accounts made with xmppctl, slixmpp over STARTTLS with SCRAM-SHA-256 and PLAIN,
two users exchanging messages through the router, and raw-socket checks of what needs an
account. Skipped only when build/gcc/xmppctl (the account tool) does not exist."""
import base64
import glob
import hashlib
import hmac
import json
import os
import re
import socket
import sqlite3
import stat
import subprocess
import time

import pytest

from conftest import (MECHS_ALL, XMPPCTL, feat_sasl, negotiate_tls, norm, open_header, recv_to_eof, recv_until,
                      server_header, stream_error)

HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = pytest.mark.skipif(not os.path.exists(XMPPCTL),
                                reason=f"{XMPPCTL} does not exist (the SASL adapter and xmppctl are not built)")

SASL_NS = "urn:ietf:params:xml:ns:xmpp-sasl"
FEAT_BIND = ("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
             "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>")


# slixmpp 1.8.3 has channel binding, so when it is made to use plain SCRAM it sends the gs2 flag
# "y" ("I could bind, I think you cannot"); a server that offers -PLUS must then refuse it
# (RFC 5802 §6, downgrade protection), and xmppd does. These accounts' server therefore offers
# no -PLUS variant; test_slixmpp_default_choice shows what happens when it does.
MECHS_NO_PLUS = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"]


@pytest.fixture
def accounts(make_server):
    srv = make_server(mechanisms=MECHS_NO_PLUS)
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    srv.adduser("romeo@localhost", "jul13t-balcony")
    return srv


def slixmpp(srv, *args, wait=20):
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "slixmpp_client.py"), str(srv.port),
                        srv.certs["localhost"][0]] + list(args), capture_output=True, timeout=60,
                       env=dict(os.environ, SLIXMPP_TIMEOUT=str(wait)))
    out = r.stdout.decode().strip().splitlines()
    assert out, r.stderr.decode() + srv.log()
    res = json.loads(out[-1])
    assert res["ok"], json.dumps(res) + "\n" + r.stderr.decode()[-3000:] + "\n" + srv.log()[-5000:]
    return res


# REQ: SASL-04, SASL-11, SASL-12, SASL-21, BIND-02
def test_slixmpp_logs_in_with_scram_sha_256(accounts):
    res = slixmpp(accounts, "login", "juliet@localhost", "r0m30-wherefore", "SCRAM-SHA-256")
    assert res["bound"][0].startswith("juliet@localhost/")
    assert "authenticated juliet@localhost with SCRAM-SHA-256" in accounts.log()


# REQ: SASL-04
def test_slixmpp_logs_in_with_plain_over_tls(accounts):
    res = slixmpp(accounts, "login", "romeo@localhost", "jul13t-balcony", "PLAIN")
    assert res["bound"][0].startswith("romeo@localhost/")
    assert "authenticated romeo@localhost with PLAIN" in accounts.log()
    # the password never reaches the log, in any form
    log = accounts.log()
    assert "jul13t-balcony" not in log
    assert base64.b64encode(b"\0romeo\0jul13t-balcony").decode() not in log


# REQ: RT-09, STZ-01
def test_two_users_exchange_messages(accounts):
    res = slixmpp(accounts, "chat", "juliet@localhost", "r0m30-wherefore", "romeo@localhost", "jul13t-balcony",
                  "SCRAM-SHA-256")
    first, reply = res["received"][0], res["received"][1]
    assert first["to"].startswith("romeo@localhost/") and first["body"] == "hello from juliet@localhost"
    assert first["from"] == [b for b in res["bound"] if b.startswith("juliet")][0]   # stamped full JID
    assert reply["to"].startswith("juliet@localhost/") and reply["body"] == "hello back"


def raw_login(srv, user, password, resource):
    """STARTTLS, PLAIN, bind, initial presence over a raw TLS socket: returns (socket, full JID)."""
    t = negotiate_tls(srv, srv.connect())
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + feat_sasl(srv.mechs)
    cred = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
    t.sendall(f"<auth xmlns='{SASL_NS}' mechanism='PLAIN'>{cred}</auth>".encode())
    assert recv_until(t, b"/>").decode() == f"<success xmlns='{SASL_NS}'/>"
    t.sendall(open_header())
    assert norm(recv_until(t, b"</stream:features>")) == server_header() + FEAT_BIND
    t.sendall(f"<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>{resource}"
              "</resource></bind></iq><presence/>".encode())
    full = f"{user}@localhost/{resource}"
    assert recv_until(t, b"</iq>").decode() == (
        f"<iq type='result' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>{full}</jid></bind></iq>")
    return t, full


# REQ: SASL-02
def test_scram_without_binding_refused_when_plus_is_offered(make_server):
    """With -PLUS offered, slixmpp made to use SCRAM-SHA-256 sends gs2 flag 'y' and is refused:
    the downgrade protection of RFC 5802 §6 works end to end."""
    srv = make_server()
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "slixmpp_client.py"), str(srv.port),
                        srv.certs["localhost"][0], "login", "juliet@localhost", "r0m30-wherefore", "SCRAM-SHA-256"],
                       capture_output=True, timeout=60, env=dict(os.environ, SLIXMPP_TIMEOUT="4"))
    res = json.loads(r.stdout.decode().strip().splitlines()[-1])
    assert not res["ok"] and "juliet@localhost: failed_auth" in res["events"]
    assert "SASL step failed: not-authorized" in srv.log()


# REQ: SASL-31
def test_slixmpp_default_choice(make_server):
    """slixmpp 1.8.3's own choice with the default offer: SCRAM-SHA-256-PLUS binding with
    tls-unique on TLS 1.3 (the shell installs the client's Finished for it)."""
    srv = make_server()
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    res = slixmpp(srv, "login", "juliet@localhost", "r0m30-wherefore", "", wait=4)
    assert res["bound"][0].startswith("juliet@localhost/")
    assert "authenticated juliet@localhost with SCRAM-SHA-256-PLUS" in srv.log()


# REQ: SASL-05, SASL-06
def test_wrong_password_and_unknown_user_fail_identically(accounts):
    answers = []
    for user, pw in (("juliet", "wrong"), ("nobody", "r0m30-wherefore")):
        t = negotiate_tls(accounts, accounts.connect())
        t.sendall(open_header())
        recv_until(t, b"</stream:features>")
        cred = base64.b64encode(f"\0{user}\0{pw}".encode()).decode()
        t.sendall(f"<auth xmlns='{SASL_NS}' mechanism='PLAIN'>{cred}</auth>".encode())
        answers.append(recv_until(t, b"</failure>"))
        t.close()
    assert answers[0] == answers[1] == f"<failure xmlns='{SASL_NS}'><not-authorized/></failure>".encode()


# REQ: ERR-10
def test_new_session_with_same_resource_wins(accounts):
    old, full = raw_login(accounts, "juliet", "r0m30-wherefore", "balcony")
    new, full2 = raw_login(accounts, "juliet", "r0m30-wherefore", "balcony")
    assert full == full2
    data, clean, _ = recv_to_eof(old, timeout=5)
    assert data.decode() == stream_error("conflict") and clean is True
    # the new one is the one that gets messages
    romeo, _ = raw_login(accounts, "romeo", "jul13t-balcony", "orchard")
    romeo.sendall(f"<message to='{full}' type='chat' id='m1'><body>still there?</body></message>".encode())
    got = recv_until(new, b"</message>").decode()
    assert "<body>still there?</body>" in got and "from='romeo@localhost/orchard'" in got
    new.close(), romeo.close()


# REQ: RT-14
def test_unavailable_and_remote_destinations_bounce(accounts):
    t, _ = raw_login(accounts, "juliet", "r0m30-wherefore", "balcony")
    t.sendall(b"<message to='romeo@localhost' type='chat' id='m1'><body>x</body></message>")
    got = recv_until(t, b"</message>").decode()
    assert "type='error'" in got and "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" in got
    t.sendall(b"<message to='someone@elsewhere.example' type='chat' id='m2'><body>x</body></message>")
    got = recv_until(t, b"</message>").decode()
    assert "id='m2'" in got and "<remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" in got
    t.close()


# REQ: SRV-04
def test_slow_reader_is_closed_and_sender_gets_bounces(make_server):
    """A client that stops reading: its output queue fills, the stanzas routed to it beyond the
    cap bounce to their sender, and the slow client is closed; the server goes on."""
    srv = make_server(limits={"output_queue_bytes": 65536, "stanza_bytes": 65536})
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    srv.adduser("romeo@localhost", "jul13t-balcony")
    slow, _ = raw_login(srv, "romeo", "jul13t-balcony", "asleep")
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    fast, _ = raw_login(srv, "juliet", "r0m30-wherefore", "typing")
    body = "x" * 60000
    bounced = False
    received = b""
    for i in range(400):
        fast.sendall(f"<message to='romeo@localhost' type='chat' id='f{i}'><body>{body}</body></message>".encode())
        fast.settimeout(0.0)
        try:
            received += fast.recv(1 << 20)
        except (BlockingIOError, socket.timeout, OSError):
            pass
        fast.settimeout(5)
        if b"type='error'" in received:
            bounced = True
            break
    received += recv_until(fast, b"</message>", timeout=2)
    assert bounced or b"type='error'" in received, srv.log()[-3000:]
    assert b"<resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" in received or \
        b"<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" in received
    deadline = time.monotonic() + 5
    while "closing a client that does not read" not in srv.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "output queue over 65536 bytes: closing a client that does not read" in srv.log()
    # a reader that wakes up now finds what was queued, then the reason and the close
    data, clean, _ = recv_to_eof(slow, timeout=10)
    assert data.endswith(stream_error("policy-violation").encode()), data[-300:]
    assert clean is True
    # the sender's stream is fine
    fast.sendall(b"<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>")
    assert b"id='p1'" in recv_until(fast, b"id='p1'", timeout=5)
    fast.close(), slow.close()


# REQ: SASL-03, SASL-04, SASL-11, SASL-12, BIND-02
def test_slixmpp_logs_in_with_scram_sha_1(accounts):
    res = slixmpp(accounts, "login", "romeo@localhost", "jul13t-balcony", "SCRAM-SHA-1")
    assert res["bound"][0].startswith("romeo@localhost/")
    assert re.search(r"authenticated romeo@localhost with SCRAM-SHA-1$", accounts.log(), re.M), accounts.log()


def password_forms(user, password):
    """The password as it could leak into a store: itself, base64 (padded or not, also of the PLAIN
    message), hex, UTF-16."""
    raw = password.encode()
    forms = {raw, raw.hex().encode(), raw.hex().upper().encode(), password.encode("utf-16-le")}
    for data in (raw, b"\0" + user.encode() + b"\0" + raw):
        b64 = base64.b64encode(data)
        forms |= {b64, b64.rstrip(b"="), base64.urlsafe_b64encode(data).rstrip(b"=")}
    return forms


def scram_secret_matches(value, password):
    """An RFC 5803 value SCRAM-SHA-x$iterations:salt$StoredKey:ServerKey made from `password`."""
    m = re.fullmatch(r"SCRAM-(SHA-1|SHA-256)\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)", value)
    if not m:
        return None
    h = hashlib.sha1 if m.group(1) == "SHA-1" else hashlib.sha256
    salted = hashlib.pbkdf2_hmac(h().name, password.encode(), base64.b64decode(m.group(3)), int(m.group(2)))
    stored = h(hmac.new(salted, b"Client Key", h).digest()).digest()
    server = hmac.new(salted, b"Server Key", h).digest()
    return (base64.b64decode(m.group(4)), base64.b64decode(m.group(5))) == (stored, server), m.group(1)


# REQ: STORE-01
def test_account_store_holds_no_password(make_server):
    """After xmppctl adduser with a known password and a PLAIN login (checked against the stored
    SCRAM secret), no column of any table of the SQLite store, nor any byte of its files, holds
    the password or its base64 or hex. Positive control: the store does hold, for both SCRAM
    families, the RFC 5803 secret derived from exactly that password."""
    srv = make_server(mechanisms=MECHS_NO_PLUS)
    user, password = "tybalt", "K1ng-0f-C4ts-pr1nce"
    srv.adduser(f"{user}@localhost", password)
    res = slixmpp(srv, "login", f"{user}@localhost", password, "PLAIN")
    assert res["bound"][0].startswith(f"{user}@localhost/")
    forms = password_forms(user, password)
    db = sqlite3.connect(f"file:{srv.store}?mode=ro", uri=True)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables, "no table in the store"
    cells, families = 0, set()
    for table in tables:
        for row in db.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                data = value if isinstance(value, bytes) else str(value).encode()
                cells += 1
                leaked = [f for f in forms if f.lower() in data.lower()]
                assert not leaked, f"{table}: {value!r} holds {leaked}"
                if isinstance(value, str):
                    ok = scram_secret_matches(value, password)
                    if ok:
                        assert ok[0], f"{table}: {value!r} is not made from the password"
                        families.add(ok[1])
    db.close()
    assert families == {"SHA-1", "SHA-256"} and cells >= 4, (families, cells)
    for path in glob.glob(srv.store + "*"):
        with open(path, "rb") as f:
            data = f.read().lower()
        assert not [f for f in forms if f.lower() in data], path
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
