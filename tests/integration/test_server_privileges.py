"""Privileges (issue 4: "Privileges drop after keys are loaded"): started as root with `user`
set, xmppd runs as that user with its groups once its keys, account store and ports are open,
and still serves logins (the store was opened before the drop)."""
import os
import subprocess

import pytest

from conftest import XMPPD, make_cert
from test_c2s_login import slixmpp

NOBODY = 65534


def ids(pid):
    status = open(f"/proc/{pid}/status").read().splitlines()
    get = {line.split(":")[0]: line.split(":")[1].split() for line in status if ":" in line}
    return get["Uid"], get["Gid"], get["Groups"]


# REQ: SRV-07
@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs a server started as root")
def test_root_drops_to_the_configured_user(make_server):
    srv = make_server(extra='user = "nobody";\n', mechanisms=["SCRAM-SHA-256"])
    srv.adduser("juliet@localhost", "r0m30-wherefore")
    uid, gid, groups = ids(srv.proc.pid)
    assert uid == [str(NOBODY)] * 4, uid
    assert gid == [str(NOBODY)] * 4, gid
    assert "0" not in groups
    assert "running as user nobody" in srv.log()
    res = slixmpp(srv, "login", "juliet@localhost", "r0m30-wherefore", "SCRAM-SHA-256")
    assert res["bound"][0].startswith("juliet@localhost/")


# REQ: SRV-07
@pytest.mark.skipif(os.geteuid() != 0, reason="the warning is about running as root")
def test_root_without_user_warns(server):
    assert "running as root: set `user`" in server.log()


# REQ: SRV-01, SRV-07
def test_unknown_user_is_refused_with_file_line_reason(tmp_path):
    cert, key = make_cert(str(tmp_path), "localhost")
    conf = tmp_path / "xmppd.conf"
    conf.write_text('listen = ( { address = "127.0.0.1"; port = 5999; } );\n'
                    f'virtual_hosts = ( {{ domain = "localhost"; certificate = "{cert}"; key = "{key}"; }} );\n'
                    'user = "no-such-user-xmppd";\n')
    r = subprocess.run([XMPPD, "-c", str(conf), "-t"], capture_output=True, timeout=10)
    assert r.returncode == 1
    assert f"{conf}:3: user 'no-such-user-xmppd' does not exist" in r.stderr.decode() + r.stdout.decode()
