# proofs/mutants_spin/s2s_verify_no_correlation.sed — the verify client without the correlation guard.
# fsm: spec/s2s_verify.fsm
# models: s2s_verify dialback
#
# Drops answer_matches from the WAIT_ANSWER rows (and the row that dropped unmatched answers):
# every typed <db:verify/> on a verify connection is reported to the inbound stream it names,
# whether or not this connection asked (the CVE-2012-3525 "verify response" half; XEP-0220
# §2.1.2). spec/s2s_verify.pml must violate report_*'s assert(r_sent); in proofs/dialback.pml the
# attacker, as E's authoritative server, answers for (H, R, id 0) and H becomes valid on its own
# stream: P1 (and P2) must fail.
/^WAIT_ANSWER[[:space:]]*|[[:space:]]*@answer[[:space:]]*|/s/.*/# (mutant s2s_verify_no_correlation: row deleted)/
s/^\(WAIT_ANSWER[[:space:]]*|[[:space:]]*DB_VERIFY_[A-Z]*[[:space:]]*|[[:space:]]*\)answer_matches/\1-/
