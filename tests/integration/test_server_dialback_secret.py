"""The dialback secret (issue 6; XEP-0185 §2; the CVE-2016-1232 class): 256 bits from the
CSPRNG made at first start as data_dir/dialback.secret with mode 0600, kept across restarts,
never logged; an operator's file must be mode 0600 and long enough."""
import os
import re
import stat
import subprocess

from conftest import XMPPD, Xmppd


# REQ: DB-05
def test_secret_made_once_kept_and_never_logged(tmp_path):
    d = tmp_path / "srv"
    d.mkdir()
    srv = Xmppd(d).start()
    path = d / "dialback.secret"
    text = path.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}\n", text)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert f"dialback secret: made {path}" in srv.log()
    srv.stop()
    srv.log_path = str(d / "xmppd-restart.log")          # the restart logs afresh
    srv.start()
    assert path.read_text() == text                      # kept, not made again
    assert f"dialback secret: read from {path}" in srv.log()
    assert text.strip() not in srv.log()
    srv.stop()
    # two servers never share a secret by chance
    d2 = tmp_path / "other"
    d2.mkdir()
    other = Xmppd(d2).start()
    assert (d2 / "dialback.secret").read_text() != text
    other.stop()


# REQ: DB-05, SRV-01
def test_operators_secret_file_is_checked(tmp_path):
    d = tmp_path / "srv"
    d.mkdir()
    secret = d / "cluster.secret"
    secret.write_text("short\n")
    os.chmod(secret, 0o644)
    srv = Xmppd(d, extra=f's2s_dialback_secret_file = "{secret}";\n')
    r = subprocess.run([XMPPD, "-c", srv.conf, "-t"], capture_output=True, timeout=10)
    assert r.returncode == 1
    assert "is readable by others" in r.stderr.decode() + r.stdout.decode()
    os.chmod(secret, 0o600)
    # mode right, too short: refused at start, not made up
    r = subprocess.run([XMPPD, "-c", srv.conf, "-f"], capture_output=True, timeout=10)
    assert r.returncode == 1
    assert "the secret must be 32 to 4096 bytes" in r.stderr.decode() + r.stdout.decode()
    assert not (d / "dialback.secret").exists()
    # positive control: a long enough shared secret is read, and nothing is created beside it
    secret.write_text("x" * 40 + "\n")
    srv.start()
    assert f"dialback secret: read from {secret}" in srv.log()
    assert not (d / "dialback.secret").exists()
    srv.stop()
