#!/usr/bin/env bash
# Replays corpus/<harness>/ and tests/regress/<harness>/ through build/replay/<harness>
# (with fuzz/<harness>.lsan.supp as LeakSanitizer suppressions when that file exists).
set -u
passed=0; failed=0
for h in "$@"; do
  files=()
  for d in "corpus/$h" "tests/regress/$h"; do
    [ -d "$d" ] && while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$d" -type f -print0)
  done
  if [ ${#files[@]} -eq 0 ]; then echo "replay $h: no corpus"; failed=$((failed+1)); continue; fi
  # fuzz/<h>.lsan.supp: LeakSanitizer suppressions for this harness only
  lsan=${LSAN_OPTIONS:-}
  [ -f "fuzz/$h.lsan.supp" ] && lsan="${lsan:+$lsan:}suppressions=$PWD/fuzz/$h.lsan.supp"
  if printf '%s\0' "${files[@]}" | LSAN_OPTIONS=$lsan xargs -0 -n 500 "build/replay/$h" >/dev/null; then
    echo "replay $h: ${#files[@]} inputs ok"; passed=$((passed+1))
  else
    echo "replay $h: FAILED"; failed=$((failed+1))
  fi
done
echo "replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
