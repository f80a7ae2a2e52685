#!/usr/bin/env python3
"""Fails when a function defined in src/core has no ACSL contract.
(`--defined FILE...` prints the functions those files define, comma-separated, for -wp-skip-fct.)

A contract is an /*@ ... */ block directly above the function's definition, or directly above
a prototype of it in a header of src/core. Keeps `make proofs` honest: WP proves callers
against callee contracts, so a function without one would be silently assumed to do anything.
"""
import re
import sys
import glob

DEF = re.compile(r"^(?:static\s+)?(?:const\s+)?[A-Za-z_][\w\s\*]*?\b([a-z_][a-z0-9_]*)\s*\(")


def contracted(lines):
    """Names of functions whose definition or prototype has an ACSL block right above."""
    names, defined = set(), {}
    for i, line in enumerate(lines):
        m = DEF.match(line)
        if not m or line.startswith((" ", "\t", "#", "/", "*")) or m.group(1) in ("if", "for", "while", "switch", "return"):
            continue
        name = m.group(1)
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        if j >= 0 and lines[j].rstrip().endswith("*/"):
            k = j
            while k >= 0 and "/*" not in lines[k]:
                k -= 1
            if k >= 0 and "/*@" in lines[k]:
                names.add(name)
        # a definition is a signature followed (possibly after more lines) by '{' at column 0
        k = i
        while k < len(lines) and not lines[k].rstrip().endswith((")", "{", ";")):
            k += 1
        if k + 1 < len(lines) and lines[k].rstrip().endswith(")") and lines[k + 1].startswith("{"):
            defined[name] = i
    return names, defined


def main(files):
    have, defined = set(), {}
    for path in sorted(set(files) | set(glob.glob("src/core/*.h")) | set(glob.glob("src/core/gen/*.h"))):
        with open(path, encoding="utf-8") as f:
            names, defs = contracted(f.read().split("\n"))
        have |= names
        if path.endswith(".c"):
            for n in defs:
                defined[n] = path
    missing = sorted(n for n in defined if n not in have)
    for n in missing:
        print(f"proofs: {defined[n]}: function {n} has no ACSL contract")
    print(f"proofs: {len(defined)} functions in scope, {len(defined) - len(missing)} with contracts")
    return 1 if missing else 0


def defined_in(files):
    """The functions the given .c files define (run.sh: PROOF_WP_SKIP_FILES)."""
    names = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            names += sorted(contracted(f.read().split("\n"))[1])
    return names


if __name__ == "__main__":
    if sys.argv[1:2] == ["--defined"]:
        print(",".join(defined_in(sys.argv[2:])))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
