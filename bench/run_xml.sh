#!/usr/bin/env bash
# bench/run_xml.sh — `make bench-xml`: our parser beside expat (bench/bench_xml.c), pinned.
# Builds with gcc -O2 and the project's flags (warnings not fatal), links src/core and expat.
# BENCH_CPU picks the core (default 1); BENCH_ONLY=0|1 times only ours|expat (for profiling).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/bench; mkdir -p "$out"
gcc -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE \
    -Isrc/core bench/bench_xml.c src/core/xc_xml*.c src/core/xc_chars.c \
    src/core/xc_str.c src/core/xc_stream_error.c -pie -Wl,-z,relro,-z,now -lexpat -lm -o "$out/bench_xml"
cpu=${BENCH_CPU:-1}
exec taskset -c "$cpu" "$out/bench_xml" "$cpu" ${BENCH_ONLY:-}
