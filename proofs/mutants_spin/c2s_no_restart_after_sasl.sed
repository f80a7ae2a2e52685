# proofs/mutants_spin/c2s_no_restart_after_sasl.sed — <success/> without the stream restart.
# fsm: spec/c2s.fsm
#
# Drops restart from the SASL_SUCCESS row: the parser and the input from before <success/>
# survive into the authenticated stream (RFC 3920 §6.2 outcome 3 requires a new stream). The
# model must violate the WAIT_HDR_AUTHED entry assertion (authed && parser_fresh).
/^[^|]*|[[:space:]]*SASL_SUCCESS[[:space:]]*|/s/,[[:space:]]*restart\([[:space:]]*|\)/\1/
