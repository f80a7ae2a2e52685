#!/usr/bin/env python3
"""bench/c2s_plot.py RESULTS_DIR — latency against load, from the `curve` scenarios of
`make bench-c2s` (bench/run_c2s.sh: one run per offered rate, xmppd then Prosody).

Writes RESULTS_DIR/latency.dat (per offered rate and server: the median delivered rate and
latency p50 / p99 over the runs) and draws RESULTS_DIR/latency.svg with gnuplot: latency on a
log scale against the offered rate, p50 and p99 for both servers. A rate a server did not keep
up with (delivered below 95% of offered) is marked in the data file and on the plot, since its
latency then measures the backlog the run built up, not the server at that load.
"""
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from c2s_table import SERVERS, parse  # noqa: E402  (same directory)

KEYS = ("msgs_per_s", "lat_p50_ms", "lat_p99_ms")

GNUPLOT = """
set terminal svg size 900,560 dynamic font 'sans,12'
set output '{svg}'
set title 'c2s messages over TLS 1.3: latency against offered load (bench/xmpp-load, {pairs})'
set xlabel 'offered load, messages/s'
set ylabel 'delivery latency, ms'
set logscale xy
set grid
set key bottom right
set datafile missing '-'
plot '{dat}' using 1:3 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'xmppd p50', \\
     '{dat}' using 1:4 with linespoints lw 2 pt 5 dt 2 lc rgb '#1f77b4' title 'xmppd p99', \\
     '{dat}' using 1:7 with linespoints lw 2 pt 7 lc rgb '#d62728' title 'Prosody p50', \\
     '{dat}' using 1:8 with linespoints lw 2 pt 5 dt 2 lc rgb '#d62728' title 'Prosody p99', \\
     '{dat}' using 1:($5 == 0 ? $4 : 1/0) with points pt 6 ps 2.5 lc rgb '#1f77b4' title 'xmppd behind (< 95% delivered)', \\
     '{dat}' using 1:($9 == 0 ? $8 : 1/0) with points pt 6 ps 2.5 lc rgb '#d62728' title 'Prosody behind (< 95% delivered)'
"""


def median(runs, key):
    vals = [float(r["result"][key]) for r in runs if key in r["result"] and float(r["result"][key]) >= 0]
    return statistics.median(vals) if vals else None


def main():
    res = sys.argv[1]
    runs = {}
    pairs = ""
    with open(os.path.join(res, "scenarios.txt"), encoding="utf-8") as f:
        for line in f:
            name, _, args = line.strip().partition("|")
            m = re.match(r"^curve(\d+)$", name)
            if m:
                runs[int(m.group(1))] = {}
                pairs = args
    for rate in runs:
        for s in SERVERS:
            runs[rate][s] = [parse(os.path.join(res, n)) for n in sorted(os.listdir(res))
                             if re.match(rf"^{s}-curve{rate}-\d+\.txt$", n)]
    dat = os.path.join(res, "latency.dat")
    with open(dat, "w", encoding="utf-8") as f:
        f.write("# offered  xmppd: delivered p50_ms p99_ms kept_up  prosody: delivered p50_ms p99_ms kept_up\n")
        for rate in sorted(runs):
            cols = [str(rate)]
            for s in SERVERS:
                delivered, p50, p99 = (median(runs[rate][s], k) for k in KEYS)
                kept = "-" if delivered is None else ("1" if delivered >= 0.95 * rate else "0")
                cols += ["-" if v is None else f"{v:.3f}" for v in (delivered, p50, p99)] + [kept]
            f.write("  ".join(cols) + "\n")
    svg = os.path.join(res, "latency.svg")
    m = re.search(r"--pairs (\d+)", pairs)
    script = GNUPLOT.format(svg=svg, dat=dat, pairs=f"{m.group(1)} pairs" if m else "pairs")
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    with open(dat, encoding="utf-8") as f:
        print(f.read(), end="")
    print(f"bench-c2s: latency against load: {svg} (data {dat})")


if __name__ == "__main__":
    main()
