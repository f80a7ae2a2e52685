# proofs/mutants_spin/s2s_in_route_any_pair.sed — an authenticated inbound stream that routes any stanza.
# fsm: spec/s2s_in.fsm
# models: s2s_in dialback
#
# Drops the pair_valid guard of the AUTHED stanza rows (and the two refusals behind it): once one
# pair is valid on the stream, a stanza with any from is delivered (the CVE-2012-3525 class of
# protocol-notes CVE-6; RFC 3920 §9.1.2 invalid-from). spec/s2s_in.pml must violate route's
# assert(stz_ok ...); in proofs/dialback.pml the attacker, valid as E, forges from = H: P2/P4 fail.
/^AUTHED[[:space:]]*|[[:space:]]*STANZA[[:space:]]*|[[:space:]]*from_known[[:space:]]*|/s/.*/# (mutant s2s_in_route_any_pair: row deleted)/
/^AUTHED[[:space:]]*|[[:space:]]*STANZA[[:space:]]*|[[:space:]]*-[[:space:]]*|/s/.*/# (mutant s2s_in_route_any_pair: row deleted)/
s/^\(AUTHED[[:space:]]*|[[:space:]]*STANZA[[:space:]]*|[[:space:]]*\)pair_valid/\1-/
