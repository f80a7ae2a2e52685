#!/usr/bin/env bash
# Runs each cmocka test binary given as an argument and sums their results into the
# project's one summary line: "N passed, N failed".
set -u
passed=0; failed=0; broken=()
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); broken+=("$t"); fi
done
[ ${#broken[@]} -gt 0 ] && echo "crashed or aborted: ${broken[*]}"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
