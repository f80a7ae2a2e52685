#!/usr/bin/env python3
"""Writes spec/CONFORMANCE.md (to standard output) from two runs of the conformance runner.

    report.py --xmppd X.json --prosody P.json --notes prosody_notes.tsv \
              [--catalogue spec/requirements.tsv] [--xmppd-version REV] [--prosody-version V]

The table is ID | level | RFC 6120 | xmppd | Prosody, in catalogue order; the RFC 6120 cell is the
first word of the catalogue's rfc6120 column (same, changed, new, — for n/a), whose full note is quoted
under each Prosody deviation. Every Prosody FAIL needs a line in
the notes file (ID, kind — choice or bug —, explanation); a FAIL without one, or a note for an ID
that no longer fails, is reported on standard error and makes the exit status 1 (the document is
still written, with the gap marked).
"""
import argparse
import csv
import datetime
import json
import os
import sys
from collections import OrderedDict

SECRET = {"PASS", "PASS2", "JSON", "NAME", "TARGET", "S2S_TARGET", "PEER_LISTEN"}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# the s2s parameters of a peer domain (README "Parameters"): without them every s2s dialogue is n/a
PEER_PARAMS = ("S2S_TARGET", "PEER_DOMAIN", "PEER_LISTEN", "PEER_CERT", "PEER_KEY")
# the s2s parameters the Prosody run cannot give, and why (Prosody 0.12.3, /usr/lib/prosody)
PROSODY_LACKS = OrderedDict((
    ("S2S_IDLE_TIMEOUT", "it closes no idle s2s stream (`mod_s2s`'s `s2s-read-timeout` hook answers the "
                         "read timeout with a whitespace keepalive)"),
    ("S2S_QUEUE", "the stanzas it queues for a peer while dialback runs (`sendq` in `mod_s2s`) have no cap"),
    ("S2S_VERIFY_PENDING", "the verifications pending on an inbound stream have no cap (`mod_dialback`)"),
    ("S2S_REFUSED_DOMAIN", "it has no per-domain s2s allow or block list (only the deprecated global "
                           "`disallow_s2s`)"),
))
FILES = {"CAFILE", "CLIENT_CERT", "CLIENT_KEY", "OTHER_CLIENT_CERT", "OTHER_CLIENT_KEY", "CATALOGUE", "PEER_CERT",
         "PEER_KEY", "PEER_TRUSTED_CERT", "PEER_TRUSTED_KEY"}


def load(path):
    with open(path) as f:
        data = json.load(f)
    data["by_id"] = OrderedDict((r["id"], r) for r in data["rows"])
    return data


def load_rfc6120(path):
    """ID -> the catalogue's rfc6120 note: how the requirement stands in RFC 6120 against RFC 3920."""
    with open(path, encoding="utf-8", newline="") as f:
        return {r["id"]: r.get("rfc6120") or "" for r in csv.DictReader(f, delimiter="\t")}


def rfc6120_kind(note):
    """The note's kind, as its first words say: same, changed, new (no RFC 3920 rule) or — (the
    catalogue's n/a: not a protocol rule; written apart from the results' n/a)."""
    for kind, prefix in (("same", "same"), ("changed", "changed"), ("new", "new in 6120"), ("—", "n/a")):
        if note.startswith(prefix):
            return kind
    return "?"


def load_notes(path):
    notes = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[1] not in ("choice", "bug"):
                raise SystemExit(f"{path}:{n}: expected ID<TAB>choice|bug<TAB>explanation")
            notes[parts[0]] = (parts[1], parts[2])
    return notes


def cell(row, anchor=None):
    if row is None:
        return "—"
    r, t = row["result"], row.get("text", "")
    if r == "PASS":
        return "pass (variant)" if t.startswith("variant") or "; variant" in t else "pass"
    if r == "FAIL":
        return f"[**FAIL**](#{anchor})" if anchor else "**FAIL**"
    return "n/a"


def md(text):
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def params_line(data):
    p = data.get("params", {})
    out = []
    for k in sorted(p):
        if k in SECRET:
            continue
        out.append(f"`{k}`" if k in FILES else f"`{k}={p[k]}`")
    return " ".join(out)


def summary(data):
    c, m = data["counts"], data["must"]
    covered = m["PASS"] + m["FAIL"]
    rate = 100.0 * m["PASS"] / covered if covered else 0.0
    return c, m, covered, rate


def has_peer(data):
    return all(data.get("params", {}).get(k) for k in PEER_PARAMS)


def peer_line(name, data, how):
    """How a run reached the runner's peer domain, or why its s2s IDs are n/a."""
    if has_peer(data):
        return f"The {name} run has one (`PEER_DOMAIN={data['params']['PEER_DOMAIN']}`): {how}."
    return f"The {name} run gives no peer domain, so its s2s IDs are n/a."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xmppd", required=True)
    ap.add_argument("--prosody", required=True)
    ap.add_argument("--notes", required=True)
    ap.add_argument("--catalogue", default=os.path.join(ROOT, "spec", "requirements.tsv"))
    ap.add_argument("--xmppd-version", default="?")
    ap.add_argument("--prosody-version", default="?")
    a = ap.parse_args()
    x, p = load(a.xmppd), load(a.prosody)
    notes = load_notes(a.notes)
    rfc6120 = load_rfc6120(a.catalogue)
    ids = list(x["by_id"]) + [i for i in p["by_id"] if i not in x["by_id"]]
    level = {i: (x["by_id"].get(i) or p["by_id"][i])["level"] for i in ids}
    problems = []

    def anchor(i):
        return "prosody-" + i.lower()

    o = []
    w = o.append
    w("# Conformance: xmppd beside Prosody")
    w("")
    w("Generated by `bench/conformance_prosody.sh` on "
      f"{datetime.date.today().isoformat()} — do not edit by hand: the results come from the conformance "
      "runner (`tests/conformance/`, `make conformance`), the explanations of Prosody's deviations from "
      "`tests/conformance/prosody_notes.tsv`.")
    w("")
    w(f"- **xmppd** {a.xmppd_version}: a fresh instance from `tests/conformance/run_xmppd.py` "
      "(the `make conformance-xmppd` set-up). Parameters: " + params_line(x) + ".")
    w(f"- **Prosody** {a.prosody_version} (Debian package): its own instance with a generated configuration "
      "(`c2s_require_encryption = true`, `c2s_timeout = 5`, `ssl_handshake_timeout = 5`, "
      "`c2s_stanza_size_limit = 10000`, self-signed certificates, two accounts made with `prosodyctl`). "
      "Parameters: " + params_line(p) + ". Prosody has no setting for the per-stream failure limits, so it "
      "is run with the largest counts RFC 6120 allows: `AUTH_FAILURES=6` (one attempt and five retries, "
      "§6.4.5) and `BIND_FAILURES=11` (one and ten, §7.7.3). Its configuration has no gone host, client "
      "CA, direct-TLS port or idle ping, so the IDs that need them are n/a for it.")
    w("- s2s: the dialogues need a peer domain the runner speaks as (" + ", ".join(f"`{k}`" for k in PEER_PARAMS)
      + "). " + peer_line("xmppd", x, "a static `s2s.hosts` entry sends it to the runner's port; `s2s.ca` is the "
                                 "test CA of `PEER_TRUSTED_CERT` (SASL EXTERNAL)") + " "
      + peer_line("Prosody", p, "Prosody resolves peers by DNS only, so `bench/conformance_dns.py` runs a "
                  "dnsmasq answering `_xmpp-server._tcp` SRV records for it (and for `S2S_UNREACHABLE`, at a "
                  "port nobody listens on) and Prosody's libunbound asks that dnsmasq alone; "
                  "`s2s_require_encryption = true`, `s2s_secure_auth = false` (the runner's self-signed "
                  "certificate, dialback), `s2s_ssl = { cafile = … }` (the test CA of `PEER_TRUSTED_CERT`, "
                  "for SASL EXTERNAL), `s2s_timeout = 5`, `connect_timeout = 5`")
      + (" Prosody 0.12 has no setting for the other s2s parameters, so the IDs that need them are n/a for "
         "it: " + "; ".join(f"`{k}`: {why}" for k, why in PROSODY_LACKS.items()) + "." if has_peer(p) else ""))
    w("- Cells: **pass**; **pass (variant)** — the server chose another behaviour the RFCs allow (the "
      "runner's note below says which); **FAIL** — see the explanation; **n/a** — the dialogue could not "
      "run (the reason is listed at the end). **RFC 6120**: how the requirement stands in RFC 6120 "
      "against RFC 3920, from the `rfc6120` column of `spec/requirements.tsv` — *same*, *changed* (the "
      "note under each Prosody deviation says how), *new* (no RFC 3920 rule: RFC 6120, a XEP or a CVE "
      "class) or — (the catalogue's *n/a*: not a protocol rule).")
    w("")
    w("## Summary")
    w("")
    w("| | xmppd | Prosody |")
    w("|---|---|---|")
    cx, mx, cvx, rx = summary(x)
    cp, mp, cvp, rp = summary(p)
    w(f"| IDs: pass / fail / n/a | {cx['PASS']} / {cx['FAIL']} / {cx['N/A']} | {cp['PASS']} / {cp['FAIL']} / "
      f"{cp['N/A']} |")
    w(f"| MUSTs covered | {cvx} | {cvp} |")
    w(f"| MUST pass rate (of those covered) | {rx:.1f}% | {rp:.1f}% |")
    w(f"| run time | {x.get('seconds', '?')} s | {p.get('seconds', '?')} s |")
    w("")
    w("## Results")
    w("")
    w("| ID | level | RFC 6120 | xmppd | Prosody |")
    w("|---|---|---|---|---|")
    for i in ids:
        xr, pr = x["by_id"].get(i), p["by_id"].get(i)
        w(f"| {i} | {level[i]} | {rfc6120_kind(rfc6120.get(i, ''))} | {cell(xr)} | "
          f"{cell(pr, anchor(i) if pr and pr['result'] == 'FAIL' else None)} |")
    w("")

    fails_x = [i for i in ids if x["by_id"].get(i, {}).get("result") == "FAIL"]
    if fails_x:
        w("## xmppd failures")
        w("")
        for i in fails_x:
            w(f"- **{i}** ({level[i]}): {md(x['by_id'][i]['text'])}")
        w("")

    w("## Prosody's deviations")
    w("")
    w("Each FAIL of Prosody: what the runner expected and got, then why — Prosody's deliberate choice "
      "(**choice**) or a defect (**bug**), with the place in Prosody's source (`/usr/lib/prosody`) that "
      "decides it.")
    w("")
    for i in ids:
        pr = p["by_id"].get(i)
        if not pr or pr["result"] != "FAIL":
            continue
        w(f'<a id="{anchor(i)}"></a>')
        if i in notes:
            kind, text = notes[i]
            w(f"### {i} ({level[i]}) — {kind}")
        else:
            text = "**not explained yet**"
            w(f"### {i} ({level[i]})")
            problems.append(f"{i}: Prosody FAILs and prosody_notes.tsv has no explanation")
        w("")
        w(f"- Runner: FAIL ({md(pr['text'])})")
        w(f"- Why: {text}")
        if rfc6120.get(i):
            w(f"- RFC 6120: {md(rfc6120[i])}")
        w("")
    for i in notes:
        pr = p["by_id"].get(i)
        if not pr or pr["result"] != "FAIL":
            problems.append(f"{i}: prosody_notes.tsv explains a FAIL that did not happen "
                            f"({pr['result'] if pr else 'not run'})")

    variants = [i for i in ids if any((r.get("result") == "PASS" and r.get("text", "").find("variant") >= 0)
                                      for r in (x["by_id"].get(i, {}), p["by_id"].get(i, {})))]
    if variants:
        w("## Variants")
        w("")
        w("Passes with another behaviour than the catalogue's, which the RFCs allow.")
        w("")
        for i in variants:
            parts = []
            for name, d in (("xmppd", x), ("Prosody", p)):
                r = d["by_id"].get(i, {})
                if r.get("result") == "PASS" and "variant" in r.get("text", ""):
                    parts.append(f"{name}: {md(r['text'])}")
            w(f"- **{i}** — " + "; ".join(parts))
        w("")

    w("## Not applicable")
    w("")
    groups = OrderedDict()
    for i in ids:
        for name, d in (("xmppd", x), ("Prosody", p)):
            r = d["by_id"].get(i)
            if r and r["result"] == "N/A":
                groups.setdefault(r["text"], OrderedDict()).setdefault(i, []).append(name)
    for reason, who in groups.items():
        items = ", ".join(f"{i}" + ("" if len(n) == 2 else f" ({n[0]})") for i, n in who.items())
        lacks = [why for k, why in PROSODY_LACKS.items() if reason.startswith("needs ") and k in reason]
        if lacks and all(n == ["Prosody"] for n in who.values()):
            items += " — Prosody 0.12 has no such setting: " + "; ".join(lacks)
        w(f"- {md(reason)}: {items}")
    w("")
    sys.stdout.write("\n".join(o))
    for pr in problems:
        print(f"report: {pr}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
