# proofs/mutants_spin/s2s_out_no_result_correlation.sed — an initiating server that takes any type='valid'.
# fsm: spec/s2s_out.fsm
#
# Drops result_requested from the DB_WAIT row of <db:result type='valid'/> (and takes
# DB_RESULT_VALID out of the row that ignored unsolicited answers): a valid answer for a pair
# this stream never asked about opens the stream to stanzas (the "authorization response" half
# of CVE-2012-3525; XEP-0220 §2.1.1, protocol-notes CVE-2). spec/s2s_out.pml must violate
# set_pair_valid's assert(p_requested).
s/^\(DB_WAIT[[:space:]]*|[[:space:]]*DB_RESULT_VALID[[:space:]]*|[[:space:]]*\)result_requested/\1-/
s/^\(DB_WAIT[[:space:]]*|[[:space:]]*\)DB_RESULT_VALID, \(DB_RESULT_INVALID, DB_RESULT_ERROR[[:space:]]*|\)/\1\2/
