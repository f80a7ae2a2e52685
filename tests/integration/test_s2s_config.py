"""The s2s group of xmppd.conf (issue 6): every setting optional with its default; an unknown
setting or a bad value refuses the whole file with "file:line: reason" (xmppd -t), so a typo in a
federation setting never starts a server that silently ignores it."""
import subprocess

import pytest

from conftest import XMPPD, Xmppd


def check(d, s2s_text):
    """Writes a configuration whose s2s group is s2s_text; returns (status, output) of xmppd -t."""
    srv = Xmppd(d, hosts=("a.test",), extra=s2s_text)
    r = subprocess.run([XMPPD, "-c", srv.conf, "-t"], capture_output=True, timeout=10)
    return r.returncode, r.stdout.decode() + r.stderr.decode(), srv


def line_of(srv, needle):
    with open(srv.conf) as f:
        for n, line in enumerate(f, 1):
            if line.startswith(needle):
                return n
    raise AssertionError(f"{needle!r} not in the configuration")


# REQ: S2SH-01
def test_every_setting_accepted(tmp_path):
    rc, out, _ = check(tmp_path, """s2s = {
  listen = ( { address = "127.0.0.1"; port = 5269; }, { address = "::1"; port = 5269; } );
  require_encryption = false;
  dialback_without_tls = true;
  policy = "allowlist";
  allow = [ "c.test", "D.Test" ];
  ca = "";
  hosts = ( { domain = "c.test"; address = "127.0.0.1"; port = 5270; },
            { domain = "d.test"; address = "::1"; } );
  dns_server = "127.0.0.1:5353";
  stanza_bytes = 524288;
  queue = 100;
  verify_pending = 8;
  connect_timeout = 30;
  handshake_timeout = 60;
  idle_timeout = 600;
};
""")
    assert rc == 0, out


# REQ: S2SH-01
def test_empty_group_and_no_group_accepted(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert check(tmp_path / "a", "s2s = { };\n")[0] == 0
    assert check(tmp_path / "b", "")[0] == 0


# (the s2s text on one line, the reason expected)
BAD = [
    ('s2s = { polcy = "open"; };', "unknown setting 'polcy'"),
    ('s2s = { policy = "sometimes"; };', "'policy' is open, allowlist or closed"),
    ('s2s = { require_encryption = 1; };', "'require_encryption' must be true or false"),
    ('s2s = { allow = [ "c.test" ]; };', "'allow' needs policy = \"allowlist\""),
    ('s2s = { policy = "allowlist"; allow = [ "bad domain!" ]; };', "is not a valid domain name"),
    ('s2s = { policy = "allowlist"; allow = [ "a.test" ]; };', "'a.test' is one of our virtual hosts"),
    ('s2s = { dialback_without_tls = true; };',
     "'dialback_without_tls' needs require_encryption = false"),
    ('s2s = { listen = ( { address = "localhost"; port = 5269; } ); };',
     "'localhost' is not an IPv4 or IPv6 address"),
    ('s2s = { listen = ( { address = "127.0.0.1"; port = 70000; } ); };', "'port' must be between 1 and 65535"),
    ('s2s = { listen = ( { address = "127.0.0.1"; } ); };', "'port' is required"),
    ('s2s = { hosts = ( { domain = "c.test"; address = "c.example"; port = 5269; } ); };',
     "'c.example' is not an IPv4 or IPv6 address"),
    ('s2s = { hosts = ( { address = "127.0.0.1"; } ); };', "'domain' is required"),
    ('s2s = { hosts = ( { domain = "c.test"; address = "127.0.0.1"; prot = 1; } ); };',
     "unknown setting 'prot'"),
    ('s2s = { hosts = ( { domain = "c.test"; address = "127.0.0.1"; }, '
     '{ domain = "C.TEST"; address = "127.0.0.2"; } ); };', "s2s host 'c.test' is listed twice"),
    ('s2s = { hosts = ( { domain = "a.test"; address = "127.0.0.1"; } ); };',
     "'a.test' is one of our virtual hosts"),
    ('s2s = { dns_server = "127.0.0.1"; };', "'dns_server' is \"address:port\""),
    ('s2s = { dns_server = "ns.example:53"; };', "is not an IP address"),
    ('s2s = { dns_server = "127.0.0.1:0"; };', "'dns_server' port must be between 1 and 65535"),
    ('s2s = { stanza_bytes = 100; };', "'stanza_bytes' must be between 10000 and 16777216"),
    ('s2s = { queue = 0; };', "'queue' must be between 1 and 100000"),
    ('s2s = { verify_pending = 9; };', "'verify_pending' must be between 1 and 8"),
    ('s2s = { connect_timeout = "30"; };', "'connect_timeout' must be an integer"),
    ('s2s = { handshake_timeout = 0; };', "'handshake_timeout' must be between 1 and 3600"),
    ('s2s = { idle_timeout = -5; };', "'idle_timeout' must be between 1 and 604800"),
    ('s2s = "open";', "'s2s' must be a group"),
    ('s2s = { stanza_bytes = 2000000; };', "'stanza_bytes' is larger than limits.output_queue_bytes"),
]


# REQ: S2SH-02, SRV-01
@pytest.mark.parametrize("text,reason", BAD, ids=[b[1][:40] for b in BAD])
def test_bad_value_refused_with_file_line_reason(tmp_path, text, reason):
    rc, out, srv = check(tmp_path, text + "\n")
    assert rc == 1, out
    assert f"{srv.conf}:{line_of(srv, 's2s = ')}: " in out, out   # each bad group is one line
    assert reason in out, out
