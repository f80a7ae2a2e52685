#!/usr/bin/env python3
"""The conformance runner: one scripted dialogue per requirement ID of spec/requirements.tsv that
can be seen on a client-to-server connection or, speaking as a peer server of a domain it
controls, on a server-to-server one; run against any XMPP server.

    runner.py TARGET=host:port DOMAIN=example.org USER=juliet PASS=secret [USER2=… PASS2=…]
              [S2S_TARGET=host:port PEER_DOMAIN=… PEER_LISTEN=host:port PEER_CERT=… PEER_KEY=…] [KEY=VALUE…]

Prints one line per ID of the catalogue — PASS, FAIL (expected …, got …) or N/A (reason) — then
a summary (pass / fail / n/a, the MUST pass rate). Exits 1 when a MUST fails, 2 on a usage error.
README.md beside this file lists every parameter. Python 3 standard library only.
"""
import json
import os
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from client import NA, Config, Fail, close_quietly  # noqa: E402
from registry import REGISTRY  # noqa: E402
from wire import WireError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))

class Result:
    def __init__(self, kind, text="", seconds=0.0):
        self.kind, self.text, self.seconds = kind, text, seconds

    def line(self):
        if self.kind == "PASS":
            return "PASS" + (f" ({self.text})" if self.text else "")
        return f"{self.kind} ({self.text})"


class Ctx:
    """What a dialogue gets: the parameters, a wire log, and the connections to close after it."""

    def __init__(self, cfg, rid):
        self.cfg, self.id = cfg, rid
        self.log = []
        self.wires = []


def run_one(cfg, dlg):
    d = Ctx(cfg, dlg.id)
    t0 = time.monotonic()
    try:
        note = dlg.fn(d)
        res = Result("PASS", note or "")
    except Fail as e:
        res = Result("FAIL", f"expected {e.expected}, got {e.got}")
    except NA as e:
        res = Result("N/A", str(e))
    except WireError as e:
        res = Result("FAIL", f"expected well-formed XMPP from the server, got {e}")
    except (ConnectionError, OSError) as e:
        res = Result("FAIL", f"expected the dialogue to complete, got {type(e).__name__}: {e}")
    except Exception as e:  # a bug of the runner: say so, never count it as the server's pass
        tb = traceback.format_exc().strip().splitlines()
        res = Result("FAIL", f"runner error {type(e).__name__}: {e} at {tb[-3].strip() if len(tb) > 2 else ''}")
    finally:
        close_quietly(*d.wires)
    res.seconds = time.monotonic() - t0
    if cfg.get("VERBOSE") and (res.kind == "FAIL" or cfg.get("VERBOSE") == "2"):
        sys.stderr.write(f"--- {dlg.id}: {res.line()}\n")
        for who, label, data in d.log:
            sys.stderr.write(f"  {who}[{label}] {data.decode('utf-8', 'backslashreplace')[:2000]!r}\n")
    return res


def load_catalogue(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            if not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            rows.append(dict(zip(header, cols)))
    return rows


def main(argv):
    params = {}
    for a in argv:
        if "=" not in a:
            print(__doc__, file=sys.stderr)
            return 2
        k, v = a.split("=", 1)
        params[k.strip()] = v
    try:
        cfg = Config(params)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    import socket
    try:
        socket.create_connection((cfg.host, cfg.port), timeout=cfg.timeout).close()
    except OSError as e:
        print(f"conformance: cannot connect to {cfg.p['TARGET']}: {e}", file=sys.stderr)
        return 2
    import dialogues  # noqa: F401  (registers every dialogue)
    from dialogues.na import NOT_ON_THE_WIRE

    rows = load_catalogue(cfg.get("CATALOGUE") or os.path.join(ROOT, "spec", "requirements.tsv"))
    only = set(x.strip() for x in (cfg.get("ONLY") or "").split(",") if x.strip())
    skip = set(x.strip() for x in (cfg.get("SKIP") or "").split(",") if x.strip())
    results = {}
    plan = []
    for row in rows:
        rid = row["id"]
        if only and rid not in only:
            continue
        if rid in skip:
            results[rid] = Result("N/A", "skipped (SKIP=…)")
        elif rid in REGISTRY:
            plan.append(REGISTRY[rid])
        elif rid in NOT_ON_THE_WIRE:
            results[rid] = Result("N/A", NOT_ON_THE_WIRE[rid])
        else:
            results[rid] = Result("N/A", "no dialogue for this ID in the runner yet")

    t0 = time.monotonic()
    threads = []
    for dlg in [p for p in plan if p.slow]:
        def work(dlg=dlg):
            results[dlg.id] = run_one(cfg, dlg)
        t = threading.Thread(target=work, daemon=True)
        t.start()
        threads.append(t)
    for dlg in [p for p in plan if not p.slow and not p.final]:
        results[dlg.id] = run_one(cfg, dlg)
    for t in threads:
        t.join()
    for dlg in [p for p in plan if p.final]:
        results[dlg.id] = run_one(cfg, dlg)
    elapsed = time.monotonic() - t0

    name = cfg.get("NAME") or cfg.p["TARGET"]
    print(f"conformance: {name} (domain {cfg.domain}), catalogue {len(rows)} IDs")
    counts = {"PASS": 0, "FAIL": 0, "N/A": 0}
    must = {"PASS": 0, "FAIL": 0, "N/A": 0}
    out_rows = []
    for row in rows:
        rid = row["id"]
        if rid not in results:
            continue
        r = results[rid]
        level = row.get("level", "")
        counts[r.kind] += 1
        if level == "MUST":
            must[r.kind] += 1
        print(f"{rid:<9} {level:<6} {r.line()}")
        out_rows.append({"id": rid, "level": level, "result": r.kind, "text": r.text,
                         "seconds": round(r.seconds, 3)})
    covered = must["PASS"] + must["FAIL"]
    rate = (100.0 * must["PASS"] / covered) if covered else 0.0
    print(f"summary: {sum(counts.values())} IDs: {counts['PASS']} pass, {counts['FAIL']} fail, "
          f"{counts['N/A']} n/a ({elapsed:.1f} s)")
    print(f"MUST: {must['PASS']}/{covered} covered MUSTs pass ({rate:.1f}%), {must['N/A']} MUSTs n/a")
    if cfg.get("JSON"):
        with open(cfg.get("JSON"), "w") as f:
            params = {k: v for k, v in cfg.p.items() if k not in ("PASS", "PASS2", "JSON")}
            json.dump({"name": name, "target": cfg.p["TARGET"], "domain": cfg.domain, "params": params,
                       "rows": out_rows,
                       "counts": counts, "must": must, "seconds": round(elapsed, 1)}, f, indent=1)
    return 1 if must["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
