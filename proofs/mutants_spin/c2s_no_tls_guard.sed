# proofs/mutants_spin/c2s_no_tls_guard.sed — a c2s table that forgets "TLS is required".
# fsm: spec/c2s.fsm
#
# Blanks every row whose GUARD column is tls_required (a comment line takes its place, so line
# numbers in the counterexample are those of spec/c2s.fsm). The initial header then always
# leads to AUTH, and <auth/> is taken before TLS even when policy requires it: the model must
# violate sasl_start's assert(secure || !tls_required) (RFC 3920 §5.1 rule 4).
/^[^|]*|[^|]*|[[:space:]]*tls_required[[:space:]]*|/s/.*/# (mutant c2s_no_tls_guard: row deleted)/
