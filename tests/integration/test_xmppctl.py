"""xmppctl gencert and checkconfig, run as the real binary (the account commands are tested in
tests/server/test_sasl.c).

gencert's output is read back with the openssl command line and served by a real xmppd to
Python's ssl module with verification on; checkconfig is compared with `xmppd -c FILE -t` on
the same files, since both must accept and refuse the same configurations.
"""
import os
import re
import socket
import ssl
import stat
import subprocess

import pytest

from conftest import XMPPCTL, XMPPD, Xmppd, negotiate_tls

OID_XMPP_ADDR_DER = bytes.fromhex("06082B06010505070805")   # OBJECT 1.3.6.1.5.5.7.8.5 (id-on-xmppAddr)
OID_DNS_SRV_DER = bytes.fromhex("06082B06010505070807")     # OBJECT 1.3.6.1.5.5.7.8.7 (id-on-dnsSRV)


def xmppctl(*args, umask=None):
    """Runs xmppctl; returns (status, stdout, stderr)."""
    pre = (lambda: os.umask(umask)) if umask is not None else None
    r = subprocess.run([XMPPCTL, *args], capture_output=True, timeout=30, preexec_fn=pre)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def openssl(*args, check=True):
    r = subprocess.run(["openssl", *args], capture_output=True, timeout=30)
    if check:
        assert r.returncode == 0, r.stderr.decode()
    return r.returncode, r.stdout.decode("utf-8", "replace")


def gencert(directory, domain, *extra):
    rc, out, err = xmppctl("gencert", domain, "-d", str(directory), *extra)
    assert rc == 0, err
    return os.path.join(str(directory), f"{domain}.crt"), os.path.join(str(directory), f"{domain}.key")


def san_der(crt):
    """The subjectAltName extension's value (DER), found with openssl asn1parse."""
    _, dump = openssl("asn1parse", "-in", crt)
    lines = dump.splitlines()
    i = next(n for n, line in enumerate(lines) if "X509v3 Subject Alternative Name" in line)
    m = re.search(r"\[HEX DUMP\]:([0-9A-F]+)", lines[i + 1])
    return bytes.fromhex(m.group(1)), int(lines[i + 1].split(":")[0])


# REQ: SRV-08
def test_gencert_key_is_0600_whatever_the_umask(tmp_path):
    rc, out, err = xmppctl("gencert", "localhost", "-d", str(tmp_path), umask=0)
    assert rc == 0, err
    key, crt = tmp_path / "localhost.key", tmp_path / "localhost.crt"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(crt).st_mode) == 0o644
    assert str(key) in out and str(crt) in out
    # the key is the certificate's: the same public key comes out of both
    _, from_cert = openssl("x509", "-in", str(crt), "-noout", "-pubkey")
    _, from_key = openssl("pkey", "-in", str(key), "-pubout")
    assert from_cert == from_key and "BEGIN PUBLIC KEY" in from_cert


# REQ: SRV-08
def test_gencert_certificate_names_the_domain_for_xmpp(tmp_path):
    crt, _ = gencert(tmp_path, "localhost")
    _, text = openssl("x509", "-in", crt, "-noout", "-text")
    assert "Version: 3 (0x2)" in text
    assert re.search(r"Subject: CN ?= ?localhost\n", text) and re.search(r"Issuer: CN ?= ?localhost\n", text)
    assert "ASN1 OID: prime256v1" in text and "ecdsa-with-SHA256" in text
    san = re.search(r"X509v3 Subject Alternative Name: *\n\s*(.*)\n", text).group(1)
    assert san.split(", ") == ["DNS:localhost", "othername: XmppAddr::localhost",
                               "othername: SRVName::_xmpp-client.localhost"], san
    assert re.search(r"X509v3 Basic Constraints: critical\n\s*CA:FALSE\n", text)
    assert re.search(r"X509v3 Key Usage: critical\n\s*Digital Signature\n", text)
    assert re.search(r"X509v3 Extended Key Usage: *\n\s*TLS Web Server Authentication, TLS Web Client "
                     r"Authentication\n", text)
    # the otherNames carry the OIDs and string types RFC 6120 §13.7.1.4 and RFC 4985 give them
    der, offset = san_der(crt)
    assert OID_XMPP_ADDR_DER in der and OID_DNS_SRV_DER in der
    _, parsed = openssl("asn1parse", "-in", crt, "-strparse", str(offset))
    assert re.search(r"OBJECT\s+:XmppAddr\n.*\n.*UTF8STRING\s+:localhost\n", parsed), parsed
    assert re.search(r"OBJECT\s+:SRVName\n.*\n.*IA5STRING\s+:_xmpp-client\.localhost\n", parsed), parsed


# REQ: SRV-08
def test_gencert_serial_is_random_128_bits(tmp_path):
    serials = set()
    for n in range(2):
        d = tmp_path / str(n)
        d.mkdir()
        crt, _ = gencert(d, "localhost")
        _, out = openssl("x509", "-in", crt, "-noout", "-serial")
        serial = out.strip().split("=")[1]
        assert len(serial) == 32 and int(serial, 16) >> 127 == 1, serial
        serials.add(serial)
    assert len(serials) == 2


# REQ: SRV-08
def test_gencert_validity_follows_days(tmp_path):
    crt, _ = gencert(tmp_path, "localhost", "--days", "2")
    assert openssl("x509", "-in", crt, "-noout", "-checkend", "0", check=False)[0] == 0
    assert openssl("x509", "-in", crt, "-noout", "-checkend", str(86400), check=False)[0] == 0
    assert openssl("x509", "-in", crt, "-noout", "-checkend", str(3 * 86400), check=False)[0] == 1
    d = tmp_path / "default"
    d.mkdir()
    crt, _ = gencert(d, "localhost")
    assert openssl("x509", "-in", crt, "-noout", "-checkend", str(364 * 86400), check=False)[0] == 0
    assert openssl("x509", "-in", crt, "-noout", "-checkend", str(366 * 86400), check=False)[0] == 1


# REQ: SRV-08
def test_gencert_prepares_the_domain_and_uses_a_labels_in_dns_names(tmp_path):
    rc, _, err = xmppctl("gencert", "LocalHost", "-d", str(tmp_path))
    assert rc == 0, err
    assert sorted(os.listdir(tmp_path)) == ["localhost.crt", "localhost.key"]
    crt, _ = gencert(tmp_path, "bücher.test")
    _, out = openssl("x509", "-in", crt, "-noout", "-subject", "-ext", "subjectAltName")
    assert re.search(r"subject=CN ?= ?xn--bcher-kva\.test\n", out), out
    assert ("DNS:xn--bcher-kva.test, othername: XmppAddr::bücher.test, "
            "othername: SRVName::_xmpp-client.xn--bcher-kva.test") in out, out


# REQ: SRV-08
def test_gencert_refuses_to_overwrite(tmp_path):
    crt, key = gencert(tmp_path, "localhost")
    before = {p: open(p, "rb").read() for p in (crt, key)}
    rc, _, err = xmppctl("gencert", "localhost", "-d", str(tmp_path))
    assert rc == 1 and "exists" in err, err
    assert {p: open(p, "rb").read() for p in (crt, key)} == before
    # only the certificate there: it stays, and no key is left behind
    os.remove(key)
    rc, _, err = xmppctl("gencert", "localhost", "-d", str(tmp_path))
    assert rc == 1 and crt in err, err
    assert open(crt, "rb").read() == before[crt] and not os.path.exists(key)
    # a symlink in the key's place is not followed
    target = tmp_path / "elsewhere"
    target.write_text("untouched")
    os.remove(crt)
    os.symlink(target, key)
    rc, _, err = xmppctl("gencert", "localhost", "-d", str(tmp_path))
    assert rc == 1, err
    assert target.read_text() == "untouched" and not os.path.exists(crt)


@pytest.mark.parametrize("domain", ["a..b", "user@localhost", "localhost/resource", "bad-.example", "a b",
                                    "", "999.1.1.1", "x" * 64 + ".example"])
# REQ: SRV-08
def test_gencert_refuses_a_malformed_domain(tmp_path, domain):
    rc, _, err = xmppctl("gencert", domain, "-d", str(tmp_path))
    assert rc == 2 and "is not a domain" in err, err
    assert os.listdir(tmp_path) == []


# REQ: SRV-08
def test_gencert_usage_errors(tmp_path):
    for args in (["--days", "0"], ["--days", "3651"], ["--days", "x"], ["-c", "store.db"], ["-i", "5000"]):
        rc, _, err = xmppctl("gencert", "localhost", "-d", str(tmp_path), *args)
        assert rc == 2, (args, err)
    rc, _, err = xmppctl("list", "-d", str(tmp_path))
    assert rc == 2 and "-d and --days go with gencert" in err, err
    # a domain that cannot be a certificate's CN (over 64 bytes) is bad input, not an I/O error
    rc, _, err = xmppctl("gencert", ".".join(["abcdefghij"] * 7), "-d", str(tmp_path))
    assert rc == 2 and "common name" in err, err
    assert os.listdir(tmp_path) == []
    rc, _, err = xmppctl("gencert", "localhost", "-d", str(tmp_path / "missing"))
    assert rc == 3 and "No such file or directory" in err, err


@pytest.fixture
def gencert_server(tmp_path):
    """An xmppd (conftest's Xmppd) whose certificate and key xmppctl gencert made."""
    d = tmp_path / "srv"
    d.mkdir()
    srv = Xmppd(d)
    crt, key = srv.certs["localhost"]
    os.remove(crt)
    os.remove(key)
    assert gencert(d, "localhost") == (crt, key)
    srv.start()
    yield srv
    srv.stop()


# REQ: SRV-08
def test_server_serves_a_gencert_certificate(gencert_server):
    srv = gencert_server
    sock = srv.connect()
    tls = negotiate_tls(srv, sock)   # verifies the chain against the file and the name "localhost"
    cert = tls.getpeercert()
    assert cert["subject"] == ((("commonName", "localhost"),),)
    assert ("DNS", "localhost") in cert["subjectAltName"]
    with open(srv.certs["localhost"][0]) as f:
        assert tls.getpeercert(binary_form=True) == ssl.PEM_cert_to_DER_cert(f.read())
    tls.close()


# --- checkconfig -----------------------------------------------------------------------------

GOOD = ('listen = ( { address = "127.0.0.1"; port = 1; } );\n'
        'virtual_hosts = ( { domain = "localhost"; certificate = "localhost.crt"; key = "localhost.key"; } );\n')


def both(path):
    """checkconfig and xmppd -t on the same file: ((status, stdout, stderr), (status, stderr))."""
    ctl = xmppctl("checkconfig", path)
    r = subprocess.run([XMPPD, "-c", path, "-t"], capture_output=True, timeout=10)
    return ctl, (r.returncode, r.stderr.decode("utf-8", "replace"))


@pytest.fixture
def confdir(tmp_path):
    gencert(tmp_path, "localhost")
    return tmp_path


def write(directory, text, name="xmppd.conf"):
    path = os.path.join(str(directory), name)
    with open(path, "w") as f:
        f.write(text)
    return path


# REQ: SRV-09
def test_checkconfig_accepts_a_good_configuration(confdir):
    path = write(confdir, GOOD)
    (rc, out, err), (xrc, xerr) = both(path)
    assert (rc, out) == (0, f"{path}: ok\n"), err
    assert xrc == 0, xerr


# REQ: SRV-01, SRV-09
def test_checkconfig_refuses_with_file_line_reason_as_xmppd_t_does(confdir):
    cases = [
        (GOOD + "limits = { max_streams = 0; };\n", ":3: 'max_streams' must be between 1 and 1000000"),
        (GOOD + "log_level = \"debug\";\nfoo = ;\n", ":4: syntax error"),
        (GOOD + "tls = { cipher = \"HIGH\"; };\n", ":3: unknown setting 'cipher'"),
        (GOOD.replace('"localhost";', '"a..b";'), ":2: 'a..b' is not a valid domain name"),
        (GOOD.replace('"127.0.0.1"', '"localhost"'), ":1: 'localhost' is not an IPv4 or IPv6 address"),
    ]
    for text, want in cases:
        path = write(confdir, text)
        (rc, out, err), (xrc, xerr) = both(path)
        assert rc == 1 and out == "" and err == path + want + "\n", (want, out, err)
        assert xrc == 1 and (path + want) in xerr, (want, xerr)
    # a key others can read
    path = write(confdir, GOOD)
    os.chmod(confdir / "localhost.key", 0o644)
    (rc, _, err), (xrc, xerr) = both(path)
    assert rc == 1 and err.startswith(path + ":2: key ") and "readable by others" in err, err
    assert xrc == 1 and err.strip() in xerr, xerr


# REQ: SRV-09
def test_checkconfig_refuses_a_key_that_is_not_the_certificates(confdir):
    other = confdir / "other"
    other.mkdir()
    gencert(other, "localhost")
    path = write(confdir, GOOD.replace('key = "localhost.key"', 'key = "other/localhost.key"'))
    (rc, out, err), (xrc, xerr) = both(path)
    assert rc == 1 and out == "", err
    assert err.startswith(f"{path}: localhost: key ") and "other/localhost.key" in err and "mismatch" in err, err
    assert xrc == 1 and err[len(path) + 2:].strip() in xerr, xerr
    # positive control: the same file with the matching key passes both
    path = write(confdir, GOOD.replace('key = "localhost.key"', 'key = "other/localhost.key"')
                 .replace('certificate = "localhost.crt"', 'certificate = "other/localhost.crt"'))
    (rc, _, err), (xrc, xerr) = both(path)
    assert rc == 0 and xrc == 0, (err, xerr)


# REQ: SRV-09
def test_checkconfig_refuses_a_missing_certificate_and_file(confdir):
    os.remove(confdir / "localhost.crt")
    path = write(confdir, GOOD)
    (rc, _, err), (xrc, xerr) = both(path)
    assert rc == 1 and err.startswith(f"{path}: localhost: certificate "), err
    assert xrc == 1, xerr
    missing = str(confdir / "missing.conf")
    (rc, _, err), (xrc, _) = both(missing)
    assert (rc, xrc) == (1, 1) and f"{missing}: cannot be read" in err, err
    rc, _, err = xmppctl("checkconfig")
    assert rc == 2 and "usage:" in err
