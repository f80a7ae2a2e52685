#!/usr/bin/env python3
"""Starts a fresh xmppd on a free loopback port and runs the conformance runner against it.

    run_xmppd.py [--xmppd PATH] [--xmppctl PATH] [--expect-fail ID,ID] [--keep] [--json FILE] [KEY=VALUE …]

Everything lives in a new directory under /tmp: three virtual hosts with `xmppctl gencert`
certificates (conformance.test takes client certificates optionally, certs.conformance.test
requires them, second.conformance.test is a plain second host), one host marked gone, a test CA
with a client certificate for the first account and one from another CA, two accounts made with
`xmppctl adduser` (password on standard input), and a configuration whose limits and timers
are handed to the runner as parameters (AUTH_FAILURES, HANDSHAKE_TIMEOUT, …). For s2s: an s2s
listener (S2S_TARGET), a certificate for the runner's peer domain (PEER_DOMAIN, PEER_CERT,
PEER_KEY) and a static host map sending it to a free port where the runner listens (PEER_LISTEN),
an unreachable and a refused domain, short s2s timers and small caps (S2S_* parameters), and a
test CA as s2s.ca with a certificate from it for the peer domain (PEER_TRUSTED_CERT,
PEER_TRUSTED_KEY: SASL EXTERNAL). xmppd has no direct-TLS listener setting, so DIRECT_TLS is not
given (TLS-18 n/a).

Without --expect-fail the exit status is the runner's (non-zero when a MUST fails) or 1 when
xmppd did not exit cleanly. With --expect-fail (the mutants) it is 0 only when every ID named
FAILS, and the runner's summary is printed beside it.
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
XMPP_ADDR = "1.3.6.1.5.5.7.8.5"
sys.path.insert(0, os.path.dirname(HERE))
from loopback_ports import free_port, free_udp_port  # noqa: E402

DOMAIN = "conformance.test"
DOMAIN2 = "second.conformance.test"
CERT_REQUIRED = "certs.conformance.test"
GONE = "gone.conformance.test"
PEER = "peer.conformance-runner.test"   # the domain the runner speaks as on s2s (PEER_DOMAIN)
UNREACHABLE = "unreachable.conformance-runner.test"   # mapped to a port nobody listens on
REFUSED = "refused.conformance-runner.test"   # not on the allow list; mapped to the runner's listener
REMOTE = "nonexistent.invalid"                # the runner's default REMOTE_DOMAIN: allowed, never resolves
USER, USER2 = "juliet", "romeo"

# Limits and timers: in the configuration and, the same numbers, in the runner's parameters.
AUTH_FAILURES = 3
BIND_FAILURES = 6           # XC_C2S_MAX_BIND_FAILURES (fixed in the core)
STANZA_LIMIT_PREAUTH = 10000
HANDSHAKE_TIMEOUT = 5
IDLE_TIMEOUT = 3
PING_TIMEOUT = 3
S2S_HANDSHAKE_TIMEOUT = 4
S2S_IDLE_TIMEOUT = 4
S2S_CONNECT_TIMEOUT = 5
S2S_VERIFY_PENDING = 2      # below the three served domains: S2S-16 can fill it
S2S_QUEUE = 4


def openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True)
    if r.returncode != 0:
        raise SystemExit(f"openssl {' '.join(args[:2])}: {r.stderr.decode()}")


def make_ca(d, name):
    os.makedirs(os.path.join(d, name))
    cwd = os.path.join(d, name)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", f"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", "ca.key", "-out", "ca.crt", cwd=cwd)
    return cwd


def issue(cwd, name, jid):
    with open(os.path.join(cwd, f"{name}.ext"), "w") as f:
        f.write(f"subjectAltName=otherName:{XMPP_ADDR};UTF8:{jid}\nextendedKeyUsage=clientAuth\n"
                "basicConstraints=CA:FALSE\n")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", f"/CN={name}", "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=cwd)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial",
            str(secrets.randbelow(1 << 62)), "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.crt", cwd=cwd)
    return os.path.join(cwd, f"{name}.crt"), os.path.join(cwd, f"{name}.key")


def issue_server(cwd, domain):
    """A server certificate for `domain` from the CA in `cwd`: DNS-ID and id-on-xmppAddr,
    serverAuth and clientAuth (the leaf tests/integration/s2s_env.py's TestCA.issue makes; that
    module needs pytest, so its openssl steps are repeated here)."""
    with open(os.path.join(cwd, f"{domain}.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth,clientAuth\n"
                f"subjectAltName=DNS:{domain},otherName:{XMPP_ADDR};UTF8:{domain}\n")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", f"/CN={domain}", "-keyout", f"{domain}.key", "-out", f"{domain}.csr", cwd=cwd)
    openssl("x509", "-req", "-in", f"{domain}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial",
            str(secrets.randbelow(1 << 62)), "-days", "2", "-extfile", f"{domain}.ext", "-out", f"{domain}.crt",
            cwd=cwd)
    return os.path.join(cwd, f"{domain}.crt"), os.path.join(cwd, f"{domain}.key")


def start(xmppd, xmppctl, d):
    for host in (DOMAIN, DOMAIN2, CERT_REQUIRED):
        r = subprocess.run([xmppctl, "gencert", host, "-d", d, "--days", "2"], capture_output=True)
        if r.returncode != 0:
            raise SystemExit(f"xmppctl gencert {host}: {r.stderr.decode()}")
    r = subprocess.run([xmppctl, "gencert", PEER, "-d", d, "--days", "2"], capture_output=True)
    if r.returncode != 0:
        raise SystemExit(f"xmppctl gencert {PEER}: {r.stderr.decode()}")
    ca = make_ca(d, "client-ca")
    other_ca = make_ca(d, "other-ca")
    cert = issue(ca, "juliet", f"{USER}@{DOMAIN}")
    other = issue(other_ca, "juliet-forged", f"{USER}@{DOMAIN}")
    s2s_ca = make_ca(d, "s2s-ca")     # s2s.ca: the runner's PEER_TRUSTED_CERT comes from it
    trusted = issue_server(s2s_ca, PEER)
    store = os.path.join(d, "accounts.db")
    passwords = {}
    for user in (USER, USER2):
        pw = secrets.token_urlsafe(12)
        r = subprocess.run([xmppctl, "-c", store, "adduser", f"{user}@{DOMAIN}"], input=(pw + "\n").encode(),
                           capture_output=True, timeout=60)
        if r.returncode != 0:
            raise SystemExit(f"xmppctl adduser: {r.stderr.decode()}")
        passwords[user] = pw
    port = free_port()
    s2s_port, peer_port = free_port(), free_port()
    client_ca = os.path.join(ca, "ca.crt")
    conf = os.path.join(d, "xmppd.conf")
    with open(conf, "w") as f:
        f.write(f"""listen = ( {{ address = "127.0.0.1"; port = {port}; }} );
virtual_hosts = (
  {{ domain = "{DOMAIN}"; certificate = "{DOMAIN}.crt"; key = "{DOMAIN}.key";
     c2s_client_certs = "optional"; client_ca = "{client_ca}"; }},
  {{ domain = "{DOMAIN2}"; certificate = "{DOMAIN2}.crt"; key = "{DOMAIN2}.key"; }},
  {{ domain = "{CERT_REQUIRED}"; certificate = "{CERT_REQUIRED}.crt"; key = "{CERT_REQUIRED}.key";
     c2s_client_certs = "required"; client_ca = "{client_ca}"; }}
);
hosts_gone = [ "{GONE}" ];
c2s_require_encryption = true;
mechanisms = [ "EXTERNAL", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "PLAIN" ];
limits = {{ stanza_bytes_preauth = {STANZA_LIMIT_PREAUTH}; auth_failures = {AUTH_FAILURES};
           max_streams = 1000; streams_per_address = 1000; auth_failures_per_address = 1000000; }};
timeouts = {{ handshake = {HANDSHAKE_TIMEOUT}; idle = {IDLE_TIMEOUT}; ping = {PING_TIMEOUT}; }};
data_dir = ".";
store = "accounts.db";
log_level = "info";
# loopback only: the runner's peer domain through the host map (the runner listens there as its
# server), every other remote domain through a DNS server nobody listens on (unknown); the allow
# list leaves out REFUSED (FED-06, FED-08)
s2s = {{ listen = ( {{ address = "127.0.0.1"; port = {s2s_port}; }} );
        hosts = ( {{ domain = "{PEER}"; address = "127.0.0.1"; port = {peer_port}; }},
                  {{ domain = "{UNREACHABLE}"; address = "127.0.0.1"; port = {free_port()}; }},
                  {{ domain = "{REFUSED}"; address = "127.0.0.1"; port = {peer_port}; }} );
        ca = "{os.path.join(s2s_ca, 'ca.crt')}";
        policy = "allowlist"; allow = [ "{PEER}", "{UNREACHABLE}", "{REMOTE}" ];
        handshake_timeout = {S2S_HANDSHAKE_TIMEOUT}; idle_timeout = {S2S_IDLE_TIMEOUT};
        connect_timeout = {S2S_CONNECT_TIMEOUT}; verify_pending = {S2S_VERIFY_PENDING};
        queue = {S2S_QUEUE};
        dns_server = "127.0.0.1:{free_udp_port()}"; }};
""")
    log_path = os.path.join(d, "xmppd.log")
    logf = open(log_path, "ab")
    proc = subprocess.Popen([xmppd, "-c", conf, "-f"], stdout=logf, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"xmppd exited with {proc.returncode}:\n{open(log_path).read()[-3000:]}")
        if b"xmppd ready" in open(log_path, "rb").read():
            break
        time.sleep(0.05)
    else:
        proc.kill()
        raise SystemExit("xmppd was not ready within 15 s")
    params = {
        "NAME": "xmppd", "TARGET": f"127.0.0.1:{port}", "DOMAIN": DOMAIN, "USER": USER, "PASS": passwords[USER],
        "USER2": USER2, "PASS2": passwords[USER2], "CAFILE": os.path.join(d, f"{DOMAIN}.crt"),
        "DOMAIN2": DOMAIN2, "GONE_HOST": GONE, "CERT_REQUIRED_DOMAIN": CERT_REQUIRED,
        "CLIENT_CERT": cert[0], "CLIENT_KEY": cert[1], "OTHER_CLIENT_CERT": other[0], "OTHER_CLIENT_KEY": other[1],
        "AUTH_FAILURES": str(AUTH_FAILURES), "BIND_FAILURES": str(BIND_FAILURES),
        "STANZA_LIMIT_PREAUTH": str(STANZA_LIMIT_PREAUTH), "HANDSHAKE_TIMEOUT": str(HANDSHAKE_TIMEOUT),
        "IDLE_TIMEOUT": str(IDLE_TIMEOUT), "PING_TIMEOUT": str(PING_TIMEOUT), "TLS_REQUIRED": "yes",
        "S2S_TARGET": f"127.0.0.1:{s2s_port}", "PEER_DOMAIN": PEER, "PEER_LISTEN": f"127.0.0.1:{peer_port}",
        "PEER_CERT": os.path.join(d, f"{PEER}.crt"), "PEER_KEY": os.path.join(d, f"{PEER}.key"),
        "PEER_TRUSTED_CERT": trusted[0], "PEER_TRUSTED_KEY": trusted[1],
        "S2S_TLS_REQUIRED": "yes", "S2S_UNREACHABLE": UNREACHABLE,
        "S2S_HANDSHAKE_TIMEOUT": str(S2S_HANDSHAKE_TIMEOUT), "S2S_IDLE_TIMEOUT": str(S2S_IDLE_TIMEOUT),
        "S2S_CONNECT_TIMEOUT": str(S2S_CONNECT_TIMEOUT), "S2S_VERIFY_PENDING": str(S2S_VERIFY_PENDING),
        "S2S_QUEUE": str(S2S_QUEUE), "S2S_REFUSED_DOMAIN": REFUSED, "REMOTE_DOMAIN": REMOTE,
    }
    return proc, logf, log_path, params


def stop(proc, logf, log_path):
    """SIGTERM; True when xmppd exited 0 without a sanitizer report."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    logf.close()
    log = open(log_path, "rb").read().decode("utf-8", "replace")
    bad = proc.returncode != 0 or "Sanitizer" in log or "runtime error:" in log
    if bad:
        print(f"conformance: xmppd exited with {proc.returncode}; log tail:\n{log[-3000:]}", file=sys.stderr)
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xmppd", default=os.path.join(ROOT, "build/gcc/xmppd"))
    ap.add_argument("--xmppctl", default=os.path.join(ROOT, "build/gcc/xmppctl"))
    ap.add_argument("--expect-fail", default="")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--json", default=None, help="write the runner's results there")
    ap.add_argument("params", nargs="*", help="more KEY=VALUE parameters for the runner")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="conformance-xmppd-")
    os.chmod(d, 0o700)
    proc = None
    try:
        proc, logf, log_path, params = start(os.path.abspath(a.xmppd), os.path.abspath(a.xmppctl), d)
        json_path = a.json or os.path.join(d, "results.json")
        params["JSON"] = json_path
        for kv in a.params:
            k, _, v = kv.partition("=")
            params[k] = v
        r = subprocess.run([sys.executable, os.path.join(HERE, "runner.py")] +
                           [f"{k}={v}" for k, v in params.items()], stdout=subprocess.PIPE, text=True)
        clean = stop(proc, logf, log_path)
        proc = None
        out = r.stdout
        if not a.expect_fail:
            sys.stdout.write(out)
            return r.returncode if clean and r.returncode in (0, 1) else (r.returncode or 1)
        with open(json_path) as f:
            res = {row["id"]: row for row in json.load(f)["rows"]}
        want = [x for x in a.expect_fail.split(",") if x]
        missed = [i for i in want if res.get(i, {}).get("result") != "FAIL"]
        for i in want:
            row = res.get(i, {"result": "missing", "text": ""})
            print(f"  {i:<9} {row['result']}" + (f" ({row['text'][:160]})" if row.get("text") else ""))
        fails = sorted(k for k, v in res.items() if v["result"] == "FAIL")
        print("  every FAIL of this build: " + ", ".join(fails))
        summary = [line for line in out.splitlines() if line.startswith(("summary:", "MUST:"))]
        print("  " + "\n  ".join(summary))
        if missed:
            print(f"conformance: the mutant was NOT caught by {', '.join(missed)}")
            return 1
        return 0
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        if a.keep:
            print(f"conformance: kept {d}", file=sys.stderr)
        else:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
