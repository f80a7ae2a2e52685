"""The peers of the federation tests that are not xmppd: a dnsmasq serving SRV records on a
loopback port, and Prosody 0.12 started in the foreground from a generated configuration.

Prosody resolves by DNS only: it asks our dnsmasq, through libunbound (`lua5.4-unbound`), for
`_xmpp-server._tcp.<domain>` (after `_xmpps-server._tcp.<domain>`, which gets NXDOMAIN); nothing
reaches the system resolver (DESIGN.md "Test environment notes"). A missing Prosody or dnsmasq
FAILS the tests that need it with a message naming the Debian package (`make deps` installs
both): a skipped interop test would hide that it never ran.
"""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import free_port, free_udp_tcp_port


def require_tool(name, package):
    """The path of `name`, or a test failure (not a skip) naming the package that provides it."""
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if not path:
        pytest.fail(f"{name} is not installed: the federation tests need the Debian package {package} "
                    "(make deps installs it)", pytrace=False)
    return path


def run_checked(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, timeout=60, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout.decode()}{r.stderr.decode()}")
    return r


def wait_port(port, proc=None, what="server", log=lambda: "", timeout=15.0):
    """Waits until 127.0.0.1:port accepts a TCP connection (or the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{log()[-5000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s:\n{log()[-5000:]}")


def stop_process(proc, timeout=10):
    """SIGTERM, then SIGKILL after `timeout` s; returns the exit status."""
    if proc is None:
        return None
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


# ---------------------------------------------------------------------------------------- dnsmasq
class Dnsmasq:
    """dnsmasq on 127.0.0.1:<free port>, authoritative for *.test (--local=/test/: every other name
    under .test gets NXDOMAIN, nothing goes upstream; --no-resolv: there is no upstream).

    srv: {domain: port} -> _xmpp-server._tcp.<domain> SRV 0 5 <port> 127.0.0.1 (an IP literal as
    target: Prosody's resolver and ours connect to it without an A query)."""

    def __init__(self, directory, srv=None):
        self.bin = require_tool("dnsmasq", "dnsmasq-base")
        self.dir = str(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_udp_tcp_port()
        self.srv = dict(srv or {})
        self.log_path = os.path.join(self.dir, "dnsmasq.log")
        self.proc = None

    def start(self):
        # --keep-in-foreground without --no-daemon: that debug mode answers TCP in its one
        # process, so one open TCP connection (c-ares after a truncated answer) stalls every query
        cmd = [self.bin, "--keep-in-foreground", f"--port={self.port}",
               "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
               "--conf-file=/dev/null", "--local=/test/", "--user=root", "--group=root",
               f"--pid-file={os.path.join(self.dir, 'dnsmasq.pid')}", "--log-queries",
               f"--log-facility={self.log_path}"]
        for domain, port in self.srv.items():
            cmd.append(f"--srv-host=_xmpp-server._tcp.{domain},127.0.0.1,{port},0,5")
        # the port was free when chosen; another process may bind it before dnsmasq does (the
        # caller reads self.port only after start), so a lost race means another port
        for _ in range(5):
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if self.query_srv("_xmpp-server._tcp.probe.test") is not None:
                    return self
                time.sleep(0.05)
            else:
                raise RuntimeError("dnsmasq did not answer within 10 s:\n" + self.log())
            err = self.proc.stderr.read().decode()
            if "Address already in use" not in err:
                raise RuntimeError(f"dnsmasq exited with {self.proc.returncode}: {err}")
            self.port = free_udp_tcp_port()
            cmd = [a if not a.startswith("--port=") else f"--port={self.port}" for a in cmd]
        raise RuntimeError("dnsmasq found no free port in 5 tries")

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def query_srv(self, name, timeout=0.5):
        """A raw SRV query over UDP: (rcode, [(priority, weight, port, target)]) or None (no answer)."""
        qid = int.from_bytes(os.urandom(2), "big")
        q = qid.to_bytes(2, "big") + b"\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        for label in name.rstrip(".").split("."):
            q += bytes([len(label)]) + label.encode()
        q += b"\x00\x00\x21\x00\x01"   # QTYPE SRV, QCLASS IN
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            try:
                s.sendto(q, ("127.0.0.1", self.port))
                data, _ = s.recvfrom(4096)
            except OSError:
                return None
        if int.from_bytes(data[:2], "big") != qid:
            return None
        rcode = data[3] & 0x0F
        ancount = int.from_bytes(data[6:8], "big")
        pos = len(q)
        answers = []
        for _ in range(ancount):
            pos = _skip_name(data, pos)
            rtype = int.from_bytes(data[pos:pos + 2], "big")
            rdlen = int.from_bytes(data[pos + 8:pos + 10], "big")
            rdata = pos + 10
            if rtype == 33:
                prio, weight, port = (int.from_bytes(data[rdata + i:rdata + i + 2], "big") for i in (0, 2, 4))
                answers.append((prio, weight, port, _read_name(data, rdata + 6)))
            pos = rdata + rdlen
        return rcode, answers

    def stop(self):
        stop_process(self.proc)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()


def _skip_name(data, pos):
    while True:
        n = data[pos]
        if n == 0:
            return pos + 1
        if n & 0xC0 == 0xC0:
            return pos + 2
        pos += n + 1


def _read_name(data, pos):
    labels = []
    for _ in range(128):   # bounded: a pointer loop in a broken answer cannot hang the test
        n = data[pos]
        if n == 0:
            break
        if n & 0xC0 == 0xC0:
            pos = ((n & 0x3F) << 8) | data[pos + 1]
            continue
        labels.append(data[pos + 1:pos + 1 + n].decode())
        pos += n + 1
    return ".".join(labels)


# ---------------------------------------------------------------------------------------- Prosody
PROSODY_CONFIG = """-- generated by tests/integration/s2s_env.py: one Prosody for one test
run_as_root = true
daemonize = false
pidfile = "{dir}/prosody.pid"
data_path = "{dir}/data"
log = {{ {{ levels = {{ min = "debug" }}, to = "file", filename = "{dir}/prosody.log" }} }}
interfaces = {{ "127.0.0.1" }}
local_interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {c2s_port} }}
s2s_ports = {{ {s2s_port} }}
c2s_direct_tls_ports = {{ }}
s2s_direct_tls_ports = {{ }}
network_settings = {{ tcp_backlog = 1024 }}
modules_enabled = {{ "roster", "saslauth", "tls", "dialback", "disco", "ping", "version" }}
modules_disabled = {{ "offline" }}
authentication = "internal_hashed"
storage = "internal"
allow_registration = false
c2s_require_encryption = true
s2s_require_encryption = true
s2s_secure_auth = {secure_auth}
s2s_timeout = 10
ssl = {{ cafile = "{ca}" }}
-- libunbound (lua5.4-unbound) asks only our dnsmasq; without the local-zone line it answers
-- NXDOMAIN for the special-use .test (RFC 6761) itself (DESIGN.md "Test environment notes")
unbound = {{ resolvconf = false, hoststxt = false, forward = "127.0.0.1@{dns_port}",
            options = {{ ["local-zone:"] = "test. transparent" }} }}
{extra}
VirtualHost "{domain}"
  ssl = {{ certificate = "{cert}", key = "{key}", cafile = "{ca}" }}
"""


class Prosody:
    """Prosody 0.12 serving `domain`, in the foreground, from a configuration written here.

    trust: the CA file for peer certificates (s2s) — the test CA, or a file of another CA so
    that no peer certificate verifies. secure_auth: s2s_secure_auth (True: certificates
    required, no dialback; False: dialback allowed)."""

    def __init__(self, directory, domain, cert, key, trust, dns_port=None, secure_auth=False, extra=""):
        self.bin = require_tool("prosody", "prosody")
        self.ctl = require_tool("prosodyctl", "prosody")
        self.dir = str(directory)
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        self.domain = domain
        self.c2s_port = free_port()
        self.s2s_port = free_port()
        self.cert, self.key, self.trust = cert, key, trust
        self.dns_port = dns_port      # may be set later: the dnsmasq needs our s2s port first
        self.secure_auth = secure_auth
        self.extra = extra
        self.conf = os.path.join(self.dir, "prosody.cfg.lua")
        self.log_path = os.path.join(self.dir, "prosody.log")
        self.proc = None

    def write_config(self):
        assert self.dns_port, "Prosody needs the dnsmasq's port before its configuration is written"
        with open(self.conf, "w") as f:
            f.write(PROSODY_CONFIG.format(dir=self.dir, c2s_port=self.c2s_port, s2s_port=self.s2s_port,
                                          secure_auth="true" if self.secure_auth else "false", ca=self.trust,
                                          dns_port=self.dns_port, extra=self.extra, domain=self.domain,
                                          cert=self.cert, key=self.key))

    def register(self, user, password):
        self.write_config()
        run_checked([self.ctl, "--config", self.conf, "register", user, self.domain, password])

    def start(self):
        self.write_config()
        self.out = open(os.path.join(self.dir, "prosody.stdout"), "ab")
        self.proc = subprocess.Popen([self.bin, "--config", self.conf], stdout=self.out, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, PROSODY_CONFIG=self.conf))
        wait_port(self.c2s_port, self.proc, f"prosody {self.domain}", self.log)
        wait_port(self.s2s_port, self.proc, f"prosody {self.domain}", self.log)
        return self

    def log(self):
        text = ""
        for name in ("prosody.log", "prosody.stdout"):
            try:
                with open(os.path.join(self.dir, name), "rb") as f:
                    text += f.read().decode("utf-8", "replace")
            except OSError:
                pass
        return text

    def stop(self):
        rc = stop_process(self.proc)
        if self.proc is not None:
            self.out.close()
        return rc
