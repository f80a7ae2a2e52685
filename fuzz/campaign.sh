#!/usr/bin/env bash
# fuzz/campaign.sh <harness> <seconds> [--no-merge]
# Runs one libFuzzer campaign from corpus/<harness> with its dictionary, options and leak
# suppressions (fuzz/<harness>.dict, .options, .lsan.supp when present), then
# merges new inputs back into corpus/<harness> (corpora grow only by -merge=1).
set -euo pipefail
h=$1; t=$2; merge=${3:-}
bin=build/libfuzzer/$h
work=fuzz/out/$h; mkdir -p "$work/new" "$work/crashes" "corpus/$h"
args=(-max_total_time="$t" -print_final_stats=1 -artifact_prefix="$work/crashes/")
[ -f "fuzz/$h.dict" ] && args+=(-dict="fuzz/$h.dict")
[ -f fuzz/xmpp.dict ] && [ ! -f "fuzz/$h.dict" ] && args+=(-dict=fuzz/xmpp.dict)
if [ -f "fuzz/$h.options" ]; then while read -r o; do [ -n "$o" ] && args+=("$o"); done < "fuzz/$h.options"; fi
# fuzz/<h>.lsan.supp: LeakSanitizer suppressions for this harness only (libFuzzer's leak checks)
if [ -f "fuzz/$h.lsan.supp" ]; then
  export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/fuzz/$h.lsan.supp"
fi
before=$(find "corpus/$h" -type f | wc -l)
echo "campaign $h: ${t}s from $before seeds"
"$bin" "${args[@]}" "$work/new" "corpus/$h" 2>&1 | tee "$work/log" | grep -E '^(#[0-9]+ +(INITED|DONE)|stat::|==[0-9]+== ?ERROR|SUMMARY)' || true
# Sanitizer reports ("==PID==ERROR: ...") and libFuzzer's own ("==PID== ERROR: libFuzzer: deadly
# signal / timeout / out-of-memory / detected memory leaks") are all findings.
if grep -q -E '==[0-9]+== ?ERROR|^SUMMARY: |deadly signal' "$work/log"; then
  echo "campaign $h: FINDING, reproducer in $work/crashes/"; exit 1
fi
if [ "$merge" != "--no-merge" ]; then
  "$bin" -merge=1 "corpus/$h" "$work/new" > "$work/merge.log" 2>&1
  after=$(find "corpus/$h" -type f | wc -l)
  echo "campaign $h: corpus $before -> $after (new entries: $((after - before)))"
fi
