#!/usr/bin/env bash
# proofs/run_spin.sh — spin over the Promela models of the state tables (part of make proofs).
#
# 1. Every committed spec/*.pml (generated from spec/*.fsm by spec/fsmgen.py; make gen-check
#    keeps the two in step) is searched exhaustively: spin -a, gcc -O2 -DSAFETY, ./pan -m100000.
#    Any error, or a search cut short by the depth bound, fails. Rows the search never takes
#    are listed (information: a row the model cannot reach is defence in depth, or dead).
# 2. The dialback composition model proofs/dialback.pml (issue 6): the receiving, initiating,
#    verify-client and authoritative servers of spec/s2s_in.fsm, spec/s2s_out.fsm and
#    spec/s2s_verify.fsm (fragments written by spec/fsmgen.py --compose) against an attacker.
#    Searched exhaustively (-DCOLLAPSE: lossless state compression; -O0) for 0 errors; then a witness
#    run (-DWITNESS -DNMOVES=0) must FAIL: the honest stream does validate and deliver.
# 3. Every proofs/mutants_spin/*.sed edits a copy of the table its "# fsm:" line names; every
#    model its "# models:" line names (default: that table's own model; "dialback": the
#    composition, with the mutated table in place of the original) must FAIL with an
#    assertion violation. A mutant that passes means the model's assertions do not see that
#    protocol bug: this script fails.
#
# Ends with one summary line, e.g.
#   spin: c2s model 13227 states, 0 errors; mutant c2s_no_tls_guard killed
set -uo pipefail
cd "$(dirname "$0")/.."
for tool in spin gcc; do
  command -v "$tool" >/dev/null || { echo "spin: $tool not found (make deps)"; exit 1; }
done
work=$(mktemp -d /tmp/xmppd-spin.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
summary=()

# run_pan DIR [SPIN_FLAGS [GCC_FLAGS]]: checks DIR/model.pml; sets states, depth, errors,
# incomplete from DIR/pan.out (and seconds, the search's own time).
run_pan() {
  local d=$1 sflags=${2:-} cflags=${3:-}
  states=""; depth=""; errors=""; incomplete=""; seconds=""
  # shellcheck disable=SC2086
  if ! (cd "$d" && spin $sflags -a model.pml > spin.out 2>&1); then
    echo "spin: spin -a failed on $d/model.pml:"; sed 's/^/  /' "$d/spin.out" | head -20
    return 1
  fi
  # shellcheck disable=SC2086
  if ! (cd "$d" && gcc -O2 -DSAFETY $cflags -o pan pan.c > gcc.out 2>&1); then
    echo "spin: gcc failed on pan.c:"; sed 's/^/  /' "$d/gcc.out" | head -20
    return 1
  fi
  (cd "$d" && ./pan -m100000 > pan.out 2>&1)
  states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' "$d/pan.out" | head -n1)
  depth=$(sed -n 's/.*depth reached \([0-9][0-9]*\).*/\1/p' "$d/pan.out" | head -n1)
  errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$d/pan.out" | head -n1)
  incomplete=$(grep -Eio 'search not completed|max search depth too small' "$d/pan.out" | head -n1)
  seconds=$(sed -n 's/^pan: elapsed time \([0-9.]*\) seconds.*/\1/p' "$d/pan.out" | head -n1)
  [ -n "$states" ] && [ -n "$errors" ]
}

# never_taken DIR: table lines of the rows (inline row_N in model.pml) holding a statement that
# pan reports unreached. (pan merges some statements, so every statement of a row counts.)
never_taken() {
  local lines
  lines=$(sed -n 's/^[[:space:]]*model\.pml:\([0-9][0-9]*\),.*/\1/p' "$1/pan.out" | tr '\n' ' ')
  awk -v L="$lines" '
    BEGIN { n = split(L, a, " "); for (i = 1; i <= n; i++) u[a[i]] = 1 }
    /^inline row_[0-9]+\(\)/ { match($0, /[0-9]+/); row = substr($0, RSTART, RLENGTH); next }
    /^}/ { row = "" }
    row != "" && (NR in u) { hit[row] = 1 }
    END { for (r in hit) print r }' "$1/model.pml" | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# trail DIR [SPIN_FLAGS]: the rows of the counterexample and the violated assertion, briefly.
trail() {
  # shellcheck disable=SC2086
  (cd "$1" && spin ${2:-} -t model.pml 2>&1) \
    | grep -E 'line [0-9]+:|line [0-9]+ state|assertion violated|text of failed assertion' \
    | sed 's/^ */    /' | tail -n 14
}

# The dialback composition: the s2s tables' fragments beside a copy of proofs/dialback.pml.
COMPOSE_TABLES="spec/s2s_in.fsm spec/s2s_out.fsm spec/s2s_verify.fsm"
COMPOSE_CFLAGS="-O0 -DCOLLAPSE"   # -O0: gcc -O2 needs ~30 s on this pan.c, the search then saves less

# compose DIR [MUTATED_COPY]: writes DIR/model.pml and the fragments it includes; a mutated copy
# of one of the tables (same file name) replaces that table.
compose() {
  local d=$1 copy=${2:-} fsm src
  mkdir -p "$d"
  for fsm in $COMPOSE_TABLES; do
    src=$fsm
    if [ -n "$copy" ] && [ "$(basename "$copy")" = "$(basename "$fsm")" ]; then src=$copy; fi
    if ! /usr/bin/python3 spec/fsmgen.py --allow-unreachable-states \
         --compose "$d/$(basename "$fsm" .fsm).compose.pml" "$src" > "$d/gen.out" 2>&1; then
      echo "spin: the generator refuses $src:"; sed 's/^/  /' "$d/gen.out"
      return 1
    fi
  done
  cp proofs/dialback.pml "$d/model.pml"
}

for pml in spec/*.pml; do
  [ -e "$pml" ] || continue
  name=$(basename "$pml" .pml)
  d=$work/$name; mkdir -p "$d"; cp "$pml" "$d/model.pml"
  if ! run_pan "$d"; then
    echo "spin: $name: no result"; sed 's/^/  /' "$d/pan.out" 2>/dev/null | head -20
    fail=1; summary+=("$name model FAILED"); continue
  fi
  echo "spin: $name: $states states stored, depth $depth, errors $errors${incomplete:+, $incomplete}"
  unreached=$(never_taken "$d")
  [ -n "$unreached" ] && echo "spin: $name: rows the model never takes (lines of spec/$name.fsm): $unreached"
  if [ "$errors" != 0 ] || [ -n "$incomplete" ]; then
    echo "spin: $name: the model FAILS; counterexample:"; trail "$d"
    fail=1; summary+=("$name model $states states, $errors errors${incomplete:+ ($incomplete)}")
  else
    summary+=("$name model $states states, 0 errors")
  fi
done

d=$work/dialback
if ! compose "$d" || ! run_pan "$d" "" "$COMPOSE_CFLAGS"; then
  echo "spin: dialback: no result"; sed 's/^/  /' "$d/pan.out" 2>/dev/null | head -20
  fail=1; summary+=("dialback model FAILED")
else
  echo "spin: dialback: $states states stored, depth $depth, errors $errors, ${seconds}s${incomplete:+, $incomplete}"
  if [ "$errors" != 0 ] || [ -n "$incomplete" ]; then
    echo "spin: dialback: the model FAILS; counterexample:"; trail "$d"
    fail=1; summary+=("dialback model $states states, $errors errors${incomplete:+ ($incomplete)}")
  else
    summary+=("dialback model $states states, 0 errors")
  fi
fi
d=$work/dialback_witness
if ! compose "$d" || ! run_pan "$d" "-DWITNESS -DNMOVES=0" "$COMPOSE_CFLAGS"; then
  echo "spin: dialback witness: no result"; fail=1; summary+=("dialback witness FAILED")
elif [ "$errors" = 0 ]; then
  echo "spin: dialback witness: the honest stream never delivers H's stanza: the model is vacuous"
  fail=1; summary+=("dialback witness NOT FOUND")
else
  echo "spin: dialback witness: the honest stream validates (H, R) and delivers (as it must)"
  summary+=("dialback witness found")
fi

for m in proofs/mutants_spin/*.sed; do
  [ -e "$m" ] || continue
  name=$(basename "$m" .sed)
  fsm=$(sed -n 's/^# fsm: *//p' "$m" | head -n1)
  d=$work/mutant_$name; mkdir -p "$d"
  if [ -z "$fsm" ] || [ ! -f "$fsm" ]; then
    echo "spin: mutant $name: no '# fsm:' line naming a table"; fail=1; summary+=("mutant $name BROKEN"); continue
  fi
  copy=$d/$(basename "$fsm")
  sed -f "$m" "$fsm" > "$copy"
  if cmp -s "$fsm" "$copy"; then
    echo "spin: mutant $name: the edit does not apply to $fsm"; fail=1; summary+=("mutant $name BROKEN"); continue
  fi
  models=$(sed -n 's/^# models: *//p' "$m" | head -n1)
  [ -n "$models" ] || models=$(basename "$fsm" .fsm)
  verdict=killed
  for model in $models; do
    md=$d/$model
    if [ "$model" = dialback ]; then
      if ! compose "$md" "$copy"; then verdict=BROKEN; break; fi
      cflags=$COMPOSE_CFLAGS
    elif [ "$model" = "$(basename "$fsm" .fsm)" ]; then
      mkdir -p "$md"
      if ! /usr/bin/python3 spec/fsmgen.py --allow-unreachable-states --pml "$md/model.pml" "$copy" > "$md/gen.out" 2>&1; then
        echo "spin: mutant $name: the generator refuses the mutated table:"; sed 's/^/  /' "$md/gen.out"
        verdict=BROKEN; break
      fi
      cflags=""
    else
      echo "spin: mutant $name: '# models:' names $model, neither dialback nor the model of $fsm"
      verdict=BROKEN; break
    fi
    if ! run_pan "$md" "" "$cflags"; then
      echo "spin: mutant $name ($model): no result"; sed 's/^/  /' "$md/pan.out" 2>/dev/null | head -20
      verdict=BROKEN; break
    fi
    if [ "$errors" != 0 ]; then
      echo "spin: mutant $name: $model model killed it ($errors error(s) after $states states); counterexample:"
      trail "$md"
    else
      echo "spin: mutant $name: SURVIVED the $model model ($states states, 0 errors): the model does not see this bug"
      verdict=SURVIVED
    fi
  done
  summary+=("mutant $name $verdict")
  [ "$verdict" = killed ] || fail=1
done

[ ${#summary[@]} -gt 0 ] || { echo "spin: no model in spec/"; exit 1; }
line=$(printf '%s; ' "${summary[@]}"); echo "spin: ${line%; }"
exit $fail
