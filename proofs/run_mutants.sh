#!/usr/bin/env bash
# Each proofs/mutants/*.patch breaks one bound in a copy of src/core; WP on the function named
# in its "# fct:" line must then FAIL. A mutant whose proof still passes means the contracts
# do not see the bug: that fails this script.
set -uo pipefail
cd "$(dirname "$0")/.."
killed=0; survived=0
for m in proofs/mutants/*.patch; do
  name=$(basename "$m" .patch)
  fct=$(sed -n 's/^# fct: *//p' "$m" | head -n1)
  work=build/mutants/$name; rm -rf "$work"; mkdir -p "$work"
  cp -r src "$work/"
  if ! patch -s -d "$work" -p1 < "$m"; then echo "mutant $name: patch does not apply"; survived=$((survived+1)); continue; fi
  file=$(sed -n 's/^+++ b\///p' "$m" | head -n1)
  log=$work/frama-c.log
  frama-c -c11 -cpp-extra-args="-I$work/src/core -D__FRAMAC__" -machdep x86_64 \
    -warn-unsigned-overflow -warn-unsigned-downcast -warn-signed-downcast -warn-signed-overflow \
    "$work/$file" -wp -wp-rte -wp-prover z3,cvc4 -wp-par "$(nproc)" \
    -wp-timeout 20 -wp-no-init-const -wp-fct "$fct" > "$log" 2>&1
  res=$(grep -E '^\[wp\] Proved goals' "$log" | tail -n1)
  p=$(echo "$res" | sed -n 's/.*goals: *\([0-9]*\) *\/ *\([0-9]*\).*/\1/p')
  t=$(echo "$res" | sed -n 's/.*goals: *\([0-9]*\) *\/ *\([0-9]*\).*/\2/p')
  if [ -n "$t" ] && [ "$p" != "$t" ]; then
    echo "mutant $name: killed ($p / $t goals proved in $fct)"; killed=$((killed+1))
  else
    echo "mutant $name: SURVIVED (${res:-no WP result}; see $log)"; survived=$((survived+1))
  fi
done
echo "mutants: $killed passed, $survived failed"
[ "$survived" -eq 0 ]
