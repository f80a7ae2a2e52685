# proofs/mutants_spin/s2s_in_typed_result_validates.sed — a typed <db:result/> on an inbound stream taken as an answer.
# fsm: spec/s2s_in.fsm
# models: s2s_in dialback
#
# Lets <db:result type='valid'/> arriving on the inbound stream validate a pending pair as if
# the authoritative server had answered (the unsolicited "authorization response" of
# CVE-2012-3525 in the receiving direction; XEP-0220 §3.1, protocol-notes CVE-3). spec/s2s_in.pml
# must violate the invariant that a typed element changes no pair; in proofs/dialback.pml the
# attacker's typed result validates H on its own stream: P1, P2 and P3 must fail.
s/^\(DIALBACK[[:space:]]*|[[:space:]]*\)VERIFY_VALID\([[:space:]]*|[[:space:]]*pair_pending[[:space:]]*|\)/\1VERIFY_VALID, DB_RESULT_VALID\2/
s/^\(DIALBACK[[:space:]]*|[[:space:]]*\)VERIFY_VALID, VERIFY_INVALID\([[:space:]]*|[[:space:]]*-[[:space:]]*|\)/\1VERIFY_VALID, VERIFY_INVALID, DB_RESULT_VALID\2/
