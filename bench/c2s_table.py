#!/usr/bin/env python3
"""bench/c2s_table.py RESULTS_DIR — the table of `make bench-c2s`.

Reads every RESULTS_DIR/<server>-<scenario>-<rep>.txt that bench/run_c2s.sh wrote (the
xmpp-load report with its RESULT line, and the script's SERVER line), and prints both servers'
configurations, then per scenario the median of the runs with their range, and the ratio
xmppd / Prosody, then what went wrong on either side (generator errors by kind and text, server
exit statuses, server log lines at warn level or above).
"""
import collections
import os
import re
import statistics
import sys

SERVERS = ("xmppd", "prosody")

# scenario prefix -> rows: (label, RESULT key, scale, unit, which way is better)
ROWS = {
    "login": [("logins/s", "logins_per_s", 1, "", "higher"),
              ("connect-to-bound p50", "login_p50_ms", 1, "ms", "lower"),
              ("connect-to-bound p99", "login_p99_ms", 1, "ms", "lower"),
              ("server CPU per login", "server_us_per_op", 1, "us", "lower"),
              ("server CPU, % of its core", "server_cpu_pct", 1, "%", "same")],
    "msg": [("messages/s delivered", "msgs_per_s", 1, "", "higher"),
            ("latency p50", "lat_p50_ms", 1, "ms", "lower"),
            ("latency p99", "lat_p99_ms", 1, "ms", "lower"),
            ("RSS under load", "rss_load_max_kib", 1 / 1024, "MiB", "lower"),
            ("server CPU per message", "server_us_per_op", 1, "us", "lower"),
            ("server CPU, % of its core", "server_cpu_pct", 1, "%", "same")],
    "rate": [("messages/s delivered", "msgs_per_s", 1, "", "same"),
             ("latency p50", "lat_p50_ms", 1, "ms", "lower"),
             ("latency p99", "lat_p99_ms", 1, "ms", "lower"),
             ("latency max", "lat_max_ms", 1, "ms", "lower"),
             ("server CPU per message", "server_us_per_op", 1, "us", "lower")],
    "curve": [("messages/s delivered", "msgs_per_s", 1, "", "same"),
              ("latency p50", "lat_p50_ms", 1, "ms", "lower"),
              ("latency p99", "lat_p99_ms", 1, "ms", "lower"),
              ("server CPU, % of its core", "server_cpu_pct", 1, "%", "same")],
    "idle": [("bytes per idle session", "bytes_per_session", 1, "B", "lower"),
             ("RSS base (no session)", "rss_base_kib", 1 / 1024, "MiB", "lower"),
             ("RSS with the sessions", "rss_idle_kib", 1 / 1024, "MiB", "lower")],
}


def parse(path):
    out = {"result": {}, "server": {}, "details": [], "tls": ""}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("RESULT "):
                out["result"] = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
            elif line.startswith("SERVER "):
                out["server"] = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
            elif line.startswith("  tls "):
                out["tls"] = line.split(None, 1)[1].strip()
            else:
                m = re.match(r"^ {16}(\w+): \"(.*)\" x(\d+)$", line.rstrip("\n"))
                if m:
                    out["details"].append((m.group(1), m.group(2), int(m.group(3))))
    return out


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def main():
    res = sys.argv[1]
    runs = collections.defaultdict(list)   # (server, scenario) -> [parsed]
    for name in sorted(os.listdir(res)):
        m = re.match(r"^(xmppd|prosody)-(\w+)-(\d+)\.txt$", name)
        if m:
            runs[(m.group(1), m.group(2))].append(parse(os.path.join(res, name)))
    scenarios = []
    args = {}
    with open(os.path.join(res, "scenarios.txt"), encoding="utf-8") as f:
        for line in f:
            name, _, a = line.strip().partition("|")
            scenarios.append(name)
            args[name] = a

    print()
    print("=" * 100)
    print("xmppd beside Prosody — c2s over STARTTLS, same load generator (bench/xmpp-load)")
    print("=" * 100)
    with open(os.path.join(res, "config.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    print(f"{'configuration':<13} {'xmppd':<42} Prosody")
    for key, x, p in rows:
        print(f"{key:<13} {x:<42} {p}")
    tls = {s: next((r["tls"] for k, rs in runs.items() if k[0] == s for r in rs if r["tls"]), "?") for s in SERVERS}
    if tls["xmppd"] == tls["prosody"]:
        print(f"{'negotiated':<13} both: {tls['xmppd']}")
    else:
        print(f"{'negotiated':<13} xmppd: {tls['xmppd']}")
        print(f"{'':<13} Prosody: {tls['prosody']}")
    loads = [float(r["server"]["load_before"]) for rs in runs.values() for r in rs
             if r["server"].get("load_before")]
    if loads:
        print(f"{'machine':<13} 1-minute load average before each run {min(loads):.2f}..{max(loads):.2f}"
              " (2 CPUs; above ~1 other work shared the cores)")
    print()
    print("median of the runs [min..max]; ratio = xmppd / Prosody")
    print(f"{'scenario / metric':<34} {'xmppd':>28} {'Prosody':>28} {'ratio':>7}")
    for scen in scenarios:
        kind = re.sub(r"\d+$", "", scen)
        n = min(len(runs[("xmppd", scen)]), len(runs[("prosody", scen)]))
        print(f"{scen} ({n} run{'s' if n != 1 else ''}): xmpp-load {args[scen]}")
        for label, key, scale, unit, better in ROWS[kind]:
            med = {}
            cell = {}
            for s in SERVERS:
                vals = [float(r["result"][key]) * scale for r in runs[(s, scen)]
                        if key in r["result"] and float(r["result"][key]) >= 0]
                if vals:
                    med[s] = statistics.median(vals)
                    cell[s] = f"{fmt(med[s])} [{fmt(min(vals))}..{fmt(max(vals))}]" if len(vals) > 1 else fmt(med[s])
                else:
                    med[s] = None
                    cell[s] = "-"
            ratio = (f"{med['xmppd'] / med['prosody']:.2f}"
                     if med["xmppd"] is not None and med["prosody"] else "-")
            tag = f"{label}{', ' + unit if unit else ''}"
            print(f"  {tag:<32} {cell['xmppd']:>28} {cell['prosody']:>28} {ratio:>7}"
                  f"{'  (' + better + ' is better)' if better != 'same' else ''}")
    print()
    print("what went wrong (all runs)")
    for s in SERVERS:
        errs = collections.Counter()
        details = collections.Counter()
        exits = collections.Counter()
        log_lines = 0
        for (srv, scen), rs in runs.items():
            if srv != s:
                continue
            for r in rs:
                for k, v in r["result"].items():
                    if k.startswith("err_") and v != "0":
                        errs[k[4:]] += int(v)
                for kind, text, cnt in r["details"]:
                    details[f"{scen} {kind}: {text}"] += cnt
                exits[r["server"].get("exit", "?")] += 1
                log_lines += int(r["server"].get("log_lines", "0") or 0)
        e = ", ".join(f"{k} {v}" for k, v in sorted(errs.items())) or "none"
        x = ", ".join(f"{k} x{v}" for k, v in sorted(exits.items()))
        print(f"  {s:<8} generator errors: {e}; server exit status: {x}; server log lines at warn+: {log_lines}")
        for text, cnt in details.most_common(8):
            print(f"           {text} (x{cnt})")
    print()


if __name__ == "__main__":
    main()
