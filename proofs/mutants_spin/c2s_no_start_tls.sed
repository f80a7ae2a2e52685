# proofs/mutants_spin/c2s_no_start_tls.sed — <starttls/> answered without discarding the read.
# fsm: spec/c2s.fsm
#
# Drops start_tls from every row that runs it: <proceed/> is sent but the bytes that came after
# <starttls/> in the same plaintext read stay queued (the STARTTLS command-injection class,
# CVE-2011-0411 / CVE-2014-2744 family). The model must violate the TLS_HS entry assertion
# (parser_fresh && !injected ...) of MODEL_ENV in spec/fsmgen.py.
s/,[[:space:]]*start_tls\([[:space:]]*|\)/\1/
