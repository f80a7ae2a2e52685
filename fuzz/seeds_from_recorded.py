#!/usr/bin/env python3
"""fuzz/seeds_from_recorded.py — cuts the recorded xmppd <-> Prosody exchanges of fuzz/recorded/
(fuzz/record_s2s_prosody.py) into seeds in the record formats of fuzz_s2s_in.c, fuzz_s2s_out.c
and fuzz_s2s_verify.c (see their header comments): corpus/<harness>/recorded-<transcript>.

Which harness a connection feeds:
  Prosody initiated it          s2s_in:     Prosody's bytes (initiating server, or asking us
                                            as authoritative server with <db:verify/>)
  xmppd initiated it, and sent  s2s_verify: Prosody's bytes as authoritative server, after our
  <db:verify/> but no                       requests (the id and key xmppd sent)
  <db:result/> and no <auth/>
  xmppd initiated it otherwise  s2s_out:    Prosody's bytes as receiving server

The harnesses serve example.com and talk to remote.example, so a.test (xmppd) becomes
example.com and p.test (Prosody) remote.example. The peer's reads stay as they were; where TLS
began the shell's tls_done goes in, with a certificate whose chain verified and that names
remote.example (certificate runs) or one that did not verify (dialback runs). Dialback keys stay
as recorded: made with another secret, they exercise the `invalid` paths where the harness checks
them. Run from the repository root.
"""
import glob
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RENAME = (("a.test", "example.com"), ("p.test", "remote.example"))
REQUIRE_TLS = 0x01                     # byte 0 bit 0 in every harness: require_tls
TLS_DONE_VERIFIED = 0x19               # tls_done, chain verified, DNS-ID remote.example
TLS_DONE_UNVERIFIED = 0x01             # tls_done, a certificate whose chain did not verify
CONNECTED = 0x04                       # s2s_out / s2s_verify: (ctl >> 3) % 3 == 0
STD_STANZA = 0x03                      # s2s_out: the harness's standard message from example.com
VERIFY_REQUEST = 0x0B                  # s2s_verify: a request, the bytes are "id key"
OUTCOME_VALID = 0x03                   # s2s_in: outcome valid for request number len


def rec(ctl, body=b""):
    out = b""
    while True:   # over 255 bytes: several records of the same kind
        chunk, body = body[:255], body[255:]
        out += bytes([ctl, len(chunk)]) + chunk
        if not body:
            return out


def renamed(text):
    for old, new in RENAME:
        text = text.replace(old, new)
    return text.encode()


def peer_records(events, direction, tls_done, after_chunk=None):
    """The peer's reads in `direction` as records, tls_done where TLS began; after_chunk(text)
    may add records after a read."""
    out, tls = b"", False
    for e in events:
        if e["dir"] != direction:
            continue
        if e["tls"] and not tls:
            out += rec(tls_done)
            tls = True
        out += rec(0, renamed(e["data"]))
        if after_chunk is not None:
            out += after_chunk(e["data"])
    return out


def sent_by_us(events):
    return "".join(e["data"] for e in events if e["dir"] == "i2r")


def seed_for(t):
    """(harness, bytes) for one transcript."""
    events, mode = t["events"], t["mode"]
    tls_done = TLS_DONE_VERIFIED if mode == "certs" else TLS_DONE_UNVERIFIED
    head = bytes([REQUIRE_TLS, 0])
    if t["initiator"] == "prosody":
        results = [0]

        def outcome(text):
            # the shell's answer to each <db:result/> request: valid (its verify said so)
            out = b""
            for _ in re.finditer(r"<db:result\b[^>]*>[^<]", text):
                out += bytes([OUTCOME_VALID, results[0] % 16])
                results[0] += 1
            return out

        return "s2s_in", head + peer_records(events, "i2r", tls_done, outcome)
    ours = sent_by_us(events)
    if "<db:verify" in ours and "<db:result" not in ours and "<auth" not in ours:
        requests = b"".join(rec(VERIFY_REQUEST, f"{m.group(1)} {m.group(2)}".encode())
                            for m in re.finditer(r"<db:verify\b[^>]*\bid='([^']*)'[^>]*>([0-9a-f]+)</db:verify>", ours))
        return "s2s_verify", head + rec(CONNECTED) + requests + peer_records(events, "r2i", tls_done)
    return "s2s_out", head + rec(STD_STANZA) + rec(CONNECTED) + peer_records(events, "r2i", tls_done)


def main():
    for h in ("s2s_in", "s2s_out", "s2s_verify"):
        for old in glob.glob(os.path.join(ROOT, "corpus", h, "recorded-*")):
            os.unlink(old)
    counts = {}
    for path in sorted(glob.glob(os.path.join(HERE, "recorded", "*.json"))):
        with open(path) as f:
            t = json.load(f)
        h, data = seed_for(t)
        name = "recorded-" + os.path.basename(path)[:-len(".json")]
        os.makedirs(os.path.join(ROOT, "corpus", h), exist_ok=True)
        with open(os.path.join(ROOT, "corpus", h, name), "wb") as f:
            f.write(data)
        counts[h] = counts.get(h, 0) + 1
    print("seeds from recorded exchanges: " + ", ".join(f"{h} {n}" for h, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
