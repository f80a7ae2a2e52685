#!/usr/bin/env python3
"""bench/make_accounts.py — many benchmark accounts in xmppd's store at once.

`xmppctl adduser` writes one account per process with synchronous = FULL, which is right for
an operator and far too slow for 100,000 benchmark accounts. This script makes the first
account with xmppctl (so the store, its schema and its decoy key are xmppctl's own), then
writes PREFIX2..PREFIXn in one transaction with the values xmppctl would store: for SCRAM-SHA-1
and SCRAM-SHA-256, a fresh 16-byte salt per account and StoredKey/ServerKey of RFC 5802 §3
("SCRAM-<hash>$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64). PBKDF2 runs in one
process per CPU. The password must be ASCII without control characters (SASLprep is then the
identity).

usage: make_accounts.py XMPPCTL STORE DOMAIN PREFIX COUNT ITERATIONS   (password on stdin)
"""
import base64
import hashlib
import hmac
import multiprocessing
import os
import sqlite3
import subprocess
import sys


def scram_value(name, password, iterations):
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac(name, password, salt, iterations)
    client_key = hmac.new(salted, b"Client Key", name).digest()
    stored_key = hashlib.new(name, client_key).digest()
    server_key = hmac.new(salted, b"Server Key", name).digest()
    b64 = lambda b: base64.b64encode(b).decode()
    label = "SCRAM-SHA-1" if name == "sha1" else "SCRAM-SHA-256"
    return f"{label}${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def account(job):
    node, password, iterations = job
    return node, scram_value("sha1", password, iterations), scram_value("sha256", password, iterations)


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    xmppctl, store, domain, prefix, count, iterations = sys.argv[1:]
    count, iterations = int(count), int(iterations)
    password = sys.stdin.readline().rstrip("\n").encode()
    if not password or any(c < 0x21 or c > 0x7E for c in password):
        sys.exit("make_accounts: the password must be printable ASCII without spaces")
    first = f"{prefix}1@{domain}"
    r = subprocess.run([xmppctl, "-c", store, "-i", str(iterations), "adduser", first],
                       input=password + b"\n", capture_output=True)
    if r.returncode not in (0, 1):   # 1: the account exists already
        sys.exit(f"make_accounts: xmppctl adduser {first}: {r.stderr.decode().strip()}")
    db = sqlite3.connect(store)
    have = {row[0] for row in db.execute("SELECT node FROM accounts WHERE host = ?", (domain,))}
    jobs = [(f"{prefix}{i}", password, iterations) for i in range(2, count + 1) if f"{prefix}{i}" not in have]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        rows = pool.map(account, jobs, chunksize=256)
    with db:
        db.executemany("INSERT INTO accounts (host, node, scram_sha_1, scram_sha_256) VALUES (?, ?, ?, ?)",
                       [(domain, node, s1, s256) for node, s1, s256 in rows])
    total = db.execute("SELECT count(*) FROM accounts WHERE host = ?", (domain,)).fetchone()[0]
    db.close()
    print(f"make_accounts: {len(rows)} written, {total} accounts at {domain}")


if __name__ == "__main__":
    main()
