"""Where an outbound s2s stream connects (issue 6, "Outgoing"; RFC 3920 §14.4, RFC 2782):
src/server/resolve.c asks a real dnsmasq on a loopback port for `_xmpp-server._tcp` SRV records
and the A/AAAA records of their targets, through tests/server/test_resolve.c, which prints the
ordered targets. dnsmasq serves only the names below (--no-resolv, --no-hosts, --local=/test/:
anything else under .test is NXDOMAIN), and the program is always given that server, so no
query reaches the system resolver (DESIGN.md "Loopback only").

Environment: RESOLVE_TEST_BIN overrides build/gcc/tests/server/test_resolve (built by
`make build/gcc/tests/server/test_resolve` or `make server-test`)."""
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import ROOT, free_udp_tcp_port

RESOLVE_BIN = os.path.abspath(os.environ.get("RESOLVE_TEST_BIN")
                              or os.path.join(ROOT, "build/gcc/tests/server/test_resolve"))
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"

# a.test: three SRV records given out of order (priorities 10, 20, 5); srv2 has A and AAAA.
# w.test: one priority, weights 90 and 10. c.test: the "." record, although c.test has an A record.
# d.test: one SRV target without addresses, one with. e.test: 20 SRV records, 2 addresses each.
ZONE = [
    "--srv-host=_xmpp-server._tcp.a.test,srv1.a.test,5270,10,5",
    "--srv-host=_xmpp-server._tcp.a.test,srv2.a.test,5271,20,5",
    "--srv-host=_xmpp-server._tcp.a.test,srv0.a.test,5272,5,5",
    "--host-record=srv1.a.test,127.0.0.2",
    "--host-record=srv2.a.test,127.0.0.3,::1",
    "--host-record=srv0.a.test,127.0.0.4",
    "--host-record=b.test,127.0.0.5",
    "--srv-host=_xmpp-server._tcp.c.test",
    "--host-record=c.test,127.0.0.8",
    "--srv-host=_xmpp-server._tcp.w.test,heavy.w.test,5000,1,90",
    "--srv-host=_xmpp-server._tcp.w.test,light.w.test,5001,1,10",
    "--host-record=heavy.w.test,127.0.0.6",
    "--host-record=light.w.test,127.0.0.7",
    "--srv-host=_xmpp-server._tcp.d.test,missing.d.test,5300,1,0",
    "--srv-host=_xmpp-server._tcp.d.test,there.d.test,5301,2,0",
    "--host-record=there.d.test,127.0.0.9",
]
# given from priority 20 down to 1, so the program must choose the lowest 16 itself
for _p in range(20, 0, -1):
    ZONE += [f"--srv-host=_xmpp-server._tcp.e.test,t{_p}.e.test,{6000 + _p},{_p},0",
             f"--host-record=t{_p}.e.test,127.0.1.{_p}",
             f"--host-record=t{_p}.e.test,127.0.2.{_p}"]


class Run:
    def __init__(self, proc, elapsed):
        self.rc, self.elapsed = proc.returncode, elapsed
        self.lines = proc.stdout.decode("utf-8", "replace").splitlines()
        self.err = proc.stderr.decode("utf-8", "replace")

    def result(self, domain):
        """The status and targets printed for one domain."""
        for ln in self.lines:
            words = ln.split()
            if words and words[0] == domain:
                return words[1], words[2:]
        raise AssertionError(f"no line for {domain}:\n{self}")

    def __str__(self):
        return f"exit {self.rc}\n" + "\n".join(self.lines) + "\n--- stderr ---\n" + self.err[-4000:]


def run(server, *args, timeout_ms=None, static=()):
    argv = [RESOLVE_BIN, "-s", server]
    if timeout_ms is not None:
        argv += ["-t", str(timeout_ms)]
    for m in static:
        argv += ["-m", m]
    start = time.monotonic()
    proc = subprocess.run(argv + list(args), capture_output=True, timeout=60)
    r = Run(proc, time.monotonic() - start)
    assert r.rc == 0, str(r)
    assert r.lines and r.lines[-1] == "closed ok", str(r)   # freeing the resolver left no handle open
    return r


@pytest.fixture(scope="module")
def dns(tmp_path_factory):
    assert os.path.exists(RESOLVE_BIN), f"{RESOLVE_BIN} does not exist: make build/gcc/tests/server/test_resolve"
    port = free_udp_tcp_port()
    log = tmp_path_factory.mktemp("dnsmasq") / "dnsmasq.log"
    with open(log, "wb") as logf:
        # --keep-in-foreground, not --no-daemon: in its debug mode dnsmasq answers TCP inside
        # its one process, so while c-ares keeps the TCP connection of a truncated answer open,
        # every UDP query waits (DNS-09 then times out)
        proc = subprocess.Popen([DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                                 "--pid-file=", f"--port={port}", "--listen-address=127.0.0.1",
                                 "--bind-interfaces", "--local=/test/", "--log-queries", "--log-facility=-"]
                                + ZONE, stdout=logf, stderr=subprocess.STDOUT)
    server = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            assert proc.poll() is None, "dnsmasq exited:\n" + log.read_text()
            probe = subprocess.run([RESOLVE_BIN, "-s", server, "-t", "500", "resolve", "b.test"],
                                   capture_output=True, timeout=30)
            if b"b.test ok" in probe.stdout:
                break
            assert time.monotonic() < deadline, "dnsmasq does not answer:\n" + log.read_text()
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def silent_dns():
    """A loopback UDP port that takes queries and never answers."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{s.getsockname()[1]}"
    s.close()


# REQ: DNS-01
def test_s2s_dns_01_srv_records_in_priority_order(dns):
    status, targets = run(dns, "resolve", "a.test").result("a.test")
    assert status == "ok"
    # lowest priority first, each with its own port; srv2's AAAA and A both, on its port
    assert targets[:2] == ["127.0.0.4:5272", "127.0.0.2:5270"]
    assert sorted(targets[2:]) == ["127.0.0.3:5271", "[::1]:5271"]


# REQ: DNS-02
def test_s2s_dns_02_weighted_random_within_a_priority(dns):
    r = run(dns, "first", "400", "w.test")
    counts = {ln.split()[1]: int(ln.split()[2]) for ln in r.lines if ln.startswith("first ")}
    assert set(counts) == {"127.0.0.6:5000", "127.0.0.7:5001"}, str(r)
    # weights 90:10 — expected 360:40; the bounds are > 7 standard deviations wide
    assert 310 <= counts["127.0.0.6:5000"] <= 390, counts
    status, targets = run(dns, "resolve", "w.test").result("w.test")
    assert status == "ok" and sorted(targets) == ["127.0.0.6:5000", "127.0.0.7:5001"]


# REQ: DNS-03
def test_s2s_dns_03_no_srv_falls_back_to_the_domain_on_5269(dns):
    r = run(dns, "resolve", "b.test", "127.0.0.1", "[::1]")
    assert r.result("b.test") == ("ok", ["127.0.0.5:5269"])
    # an IP-literal domain (RFC 3920 §3.2) is its own address, without any SRV query
    assert r.result("127.0.0.1") == ("ok", ["127.0.0.1:5269"])
    assert r.result("[::1]") == ("ok", ["[::1]:5269"])


# REQ: DNS-04
def test_s2s_dns_04_a_lone_dot_target_means_no_service(dns):
    # c.test has an A record: "." must stop there, without the fallback
    assert run(dns, "resolve", "c.test").result("c.test") == ("no-service", [])


# REQ: DNS-05
def test_s2s_dns_05_unknown_domain_is_not_found(dns):
    r = run(dns, "resolve", "nx.test", "d.test")
    assert r.result("nx.test") == ("not-found", [])
    # an SRV target without addresses is skipped; the others remain
    assert r.result("d.test") == ("ok", ["127.0.0.9:5301"])


# REQ: DNS-06
def test_s2s_dns_06_static_map_overrides_dns(dns):
    r = run(dns, "resolve", "a.test", "x.test", "b.test",
            static=["a.test=127.0.0.20:5999", "a.test=[::1]:6000", "x.test=srv1.a.test:7000"])
    # entries in the order given; DNS's SRV records for a.test are never used
    assert r.result("a.test") == ("ok", ["127.0.0.20:5999", "[::1]:6000"])
    # a host name in the map is resolved like an SRV target, on the map's port
    assert r.result("x.test") == ("ok", ["127.0.0.2:7000"])
    # a domain not in the map still goes to DNS
    assert r.result("b.test") == ("ok", ["127.0.0.5:5269"])


# REQ: DNS-07
def test_s2s_dns_07_cancelled_request_never_calls_back(dns, silent_dns):
    r = run(dns, "cancel", "a.test")
    for when in ("at-once", "next-turn", "from-callback"):
        assert f"cancel {when} callback=no" in r.lines, str(r)
    # the same domain, not cancelled, was answered meanwhile
    assert any(ln.startswith("witness a.test ok 127.0.0.4:5272") for ln in r.lines), str(r)
    # against a server that never answers, cancelling leaves no query behind: the program ends
    # with its 0.5 s witness, not after c-ares' own retries (2 tries x 2 s)
    r = run(silent_dns, "cancel", "a.test", timeout_ms=500)
    assert "cancel next-turn callback=no" in r.lines and "witness a.test timeout" in r.lines, str(r)
    assert r.elapsed < 2.5, r.elapsed


# REQ: DNS-08
def test_s2s_dns_08_total_timeout(silent_dns):
    r = run(silent_dns, "resolve", "a.test", "b.test", timeout_ms=700)
    assert r.result("a.test") == ("timeout", [])
    assert r.result("b.test") == ("timeout", [])
    assert 0.6 <= r.elapsed < 2.5, r.elapsed


# REQ: DNS-09
def test_s2s_dns_09_at_most_16_srv_records_and_32_addresses(dns):
    # 20 records do not fit a 512-byte UDP answer: c-ares retries over TCP
    status, targets = run(dns, "resolve", "e.test").result("e.test")
    assert status == "ok" and len(targets) == 32
    ports = [int(t.rsplit(":", 1)[1]) for t in targets]
    assert ports == sorted(ports) and set(ports) == {6000 + p for p in range(1, 17)}
    assert sorted(targets[:2]) == ["127.0.1.1:6001", "127.0.2.1:6001"]


# REQ: DNS-10
def test_s2s_dns_10_bad_domains_refused_and_no_system_sources(dns):
    r = run(dns, "resolve", "", "h\u00e9.test", "a" * 240 + ".test", "localhost")
    # empty, not ASCII (IDNA ToASCII is the caller's), too long for an SRV name: refused at once
    assert sum(1 for ln in r.lines if ln.endswith(" refused")) == 3, str(r)
    # /etc/hosts is not read: dnsmasq (--no-hosts) refuses localhost, so it does not resolve
    status, targets = r.result("localhost")
    assert status in ("error", "not-found") and targets == []
