/* proofs/dialback.pml — the dialback composition model (issue 6), checked by proofs/run_spin.sh.
 *
 * Which server says what, and on which stream, is decided by the generated tables: this file
 * #includes the fragments spec/fsmgen.py --compose writes from spec/s2s_in.fsm, spec/s2s_out.fsm
 * and spec/s2s_verify.fsm (run_spin.sh generates them into its work directory; a mutant table
 * replaces its original there). Each process below plays one stream with one table: it takes a
 * message from its channel, classifies it into the table's event (the classify inlines: what the
 * engine's classifier does), and runs M_dispatch(), which picks the row exactly as the C lookup
 * does. What a guard means and what an action does on the wire is defined here, once per name;
 * spin refuses the model if a table gains a guard or an action this file does not define.
 *
 * The world
 *   Domains: R (0) is ours (xmppd, receiving server); H (1) is an honest remote domain; E (2)
 *   belongs to the attacker.
 *   Streams: in0 and in1 are two inbound streams of R (table s2s_in; response ids 0 and 1).
 *     in0's peer is the attacker; in1's peer is H's initiating server (table s2s_out, process
 *     outH). vH and vE are R's verify connections (table s2s_verify) to the authoritative
 *     servers of H and E. H's authoritative server is authH (table s2s_in in role d, answering
 *     <db:verify/>); E's authoritative server is the attacker.
 *   Keys are symbols K(receiving, originating, id): the authoritative server of O answers valid
 *   to <db:verify from=X to=O id=I>k</db:verify> iff k == K(X, O, I) (XEP-0185 over its own
 *   from, to and id: DESIGN.md "Dialback verify"), so a key is bound to both domains and to the
 *   stream id (CVE-2016-0756).
 *   The attacker knows every key of its own domain, H's key K(E, H, 0) (H dialled E, whose
 *   response id the attacker chose equal to in0's id: a key relayed for another domain pair),
 *   and H's key K(R, H, 1) from stream in1 (a key replayed across streams). Within a budget of
 *   NMOVES messages it sends, in any order and interleaving: on in0, untyped <db:result/>
 *   claiming H (with each stolen key) or E, typed <db:result/> and <db:verify/> answers, and
 *   stanzas forging from = H or E; on vE (as E's authoritative server), typed <db:verify/>
 *   answers naming H or E, for stream ids 0 and 1 (answering on any stream it is party to).
 *   Answers the attacker would write together (both typed answers on in0; the answers for both
 *   stream ids on vE) are one move; a stanza from E itself is left out (it can only be its own).
 *   TLS, SASL and policy are fixed (no TLS, dialback without TLS allowed, federation open, no
 *   caps): they are orthogonal to the correlation checked here and have their own per-table
 *   models (spec/s2s_*.pml).
 *
 * Properties (assertions; the search is exhaustive)
 *   P1  a pair (S, R) is marked valid on inbound stream i only after S's own authoritative
 *       server said valid to a <db:verify/> that R sent for stream id i (said_valid[i][S]);
 *   P2  the attacker's stream in0 never gets H valid, and never delivers a stanza from H;
 *   P3  a typed <db:result/> or <db:verify/>, or an untyped <db:verify/> (role d), never
 *       changes any pair of the inbound stream it arrives on;
 *   P4  a stanza is delivered only for a pair valid on its stream; H's initiating server marks
 *       (H, R) valid only on an answer to the request it sent on that stream, and writes a
 *       stanza only then;
 *   P5  the honest path works: in1 validates (H, R) and delivers H's stanza. run_spin.sh checks
 *       it with a witness run (-DWITNESS -DNMOVES=0), in which that delivery violates an
 *       assertion: the run must find it.
 * Mutant proofs/mutants_spin/s2s_verify_no_correlation.sed removes the verify-correlation guard
 * (answer_matches) from spec/s2s_verify.fsm: the attacker's answer on vE for (H, R, id 0) then
 * validates H on in0 and P1 fails.
 */

#define R 0
#define H 1
#define E 2
#ifndef NMOVES
#define NMOVES 3
#endif

/* keys: K(receiving, originating, stream id), 1..27; 0 is no key */
#define K(recv, orig, id) ((recv) * 9 + (orig) * 3 + (id) + 1)

/* message kinds; fields: kind, from, to, id, key (the type for typed answers and outcomes) */
#define M_HDR     1
#define M_FEAT    2
#define M_DBR     3   /* <db:result from to>key</db:result> */
#define M_DBR_T   4   /* <db:result from to type/> */
#define M_DBV     5   /* <db:verify from to id>key</db:verify> */
#define M_DBV_T   6   /* <db:verify from to id type/> */
#define M_STZ     7   /* a stanza from to */
#define M_CLOSE   8   /* </stream:stream> (or a stream error) */
#define M_VREQ    9   /* shell: an inbound stream hands a request (T, S, id, key) to a verify connection */
#define M_OUTCOME 10  /* shell: a verify connection reports (S, T, id, type) to an inbound stream */

#define T_VALID   1
#define T_INVALID 2
#define T_ERROR   3

#define P_NONE    0
#define P_PENDING 1
#define P_VALID   2

/* channel sizes: a send never blocks (a full channel is an assertion failure: enlarge it) */
#define QSZ 4
#define QSZ_ATT (2 * NMOVES + 3)
#define SEND(c, k, f, t, i, x) assert(nfull(c)); c ! k, f, t, i, x

chan c_in0   = [QSZ_ATT] of { byte, byte, byte, byte, byte };
chan c_in1   = [QSZ] of { byte, byte, byte, byte, byte };
chan c_outH  = [QSZ] of { byte, byte, byte, byte, byte };
chan c_vH    = [QSZ] of { byte, byte, byte, byte, byte };
chan c_vE    = [QSZ_ATT] of { byte, byte, byte, byte, byte };
chan c_authH = [QSZ] of { byte, byte, byte, byte, byte };
chan c_none  = [0] of { byte, byte, byte, byte, byte };   /* the attacker reads nothing */

/* ghosts: sent_req[id*3+S]: R sent <db:verify/> for stream id to S's authoritative server;
   said_valid[id*3+S]: S's authoritative server answered valid to such a request */
bool sent_req[9];
bool said_valid[9];

#define TO_IN(i, k, f, t, x) if :: (i) == 0 -> SEND(c_in0, k, f, t, i, x) :: else -> SEND(c_in1, k, f, t, i, x) fi

/* ------------------------------------------------------------------ s2s_in: R's inbound streams, authH */

#define s2s_in_G_secure         false
#define s2s_in_G_plain_dialback true
#define s2s_in_G_peer_refused   false
#define s2s_in_G_sender_refused false
#define s2s_in_G_pair_known     (pair[mf] != P_NONE)
#define s2s_in_G_verify_cap     false
#define s2s_in_G_legacy_peer    false
#define s2s_in_G_key_ok         (mk == K(mf, mt, mi))
#define s2s_in_G_cert_ok        false
#define s2s_in_G_authzid_ok     true
#define s2s_in_G_pair_pending   (pair[mf] == P_PENDING && mt == host && mi == sid)
#define s2s_in_G_pair_valid     (pair[mf] == P_VALID && mt == host)
#define s2s_in_G_from_known     (pair[mf] == P_VALID)

inline s2s_in_A_keep_host()       { skip }
inline s2s_in_A_send_header()     { if :: talk -> SEND(peer, M_HDR, host, 0, sid, 0) :: else -> skip fi }
inline s2s_in_A_send_header_v0()  { s2s_in_A_send_header() }
inline s2s_in_A_send_features()   { if :: talk -> SEND(peer, M_FEAT, host, 0, 0, 0) :: else -> skip fi }
inline s2s_in_A_send_proceed()    { assert(false) }   /* no <starttls/> in this model */
inline s2s_in_A_start_tls()       { assert(false) }
inline s2s_in_A_tls_failure()     { assert(false) }
inline s2s_in_A_set_secure()      { assert(false) }
inline s2s_in_A_restart()         { assert(false) }
inline s2s_in_A_sasl_failure()    { assert(false) }   /* no <auth/> in this model */
inline s2s_in_A_send_success()    { assert(false) }
inline s2s_in_A_set_sasl_authed() { assert(false) }
inline s2s_in_A_add_pending()     { pair[mf] = P_PENDING }
inline s2s_in_A_request_verify() {
    if
    :: mf == H -> SEND(c_vH, M_VREQ, host, mf, sid, mk)
    :: mf == E -> SEND(c_vE, M_VREQ, host, mf, sid, mk)
    fi
}
inline s2s_in_A_set_pair_valid() {
    assert(said_valid[sid * 3 + mf]);        /* P1 */
    assert(!(attacker_peer && mf == H));     /* P2 */
    pair[mf] = P_VALID
}
inline s2s_in_A_drop_pair()           { pair[mf] = P_NONE }
inline s2s_in_A_send_result_valid()   { if :: talk -> SEND(peer, M_DBR_T, host, mf, 0, T_VALID) :: else -> skip fi }
inline s2s_in_A_send_result_invalid() { if :: talk -> SEND(peer, M_DBR_T, host, mf, 0, T_INVALID) :: else -> skip fi }
inline s2s_in_A_result_error()        { if :: talk -> SEND(peer, M_DBR_T, host, mf, 0, T_ERROR) :: else -> skip fi }
inline s2s_in_A_answer_valid() {
    if :: talk -> SEND(peer, M_DBV_T, mt, mf, mi, T_VALID) :: else -> skip fi;
    /* authH is H's authoritative server and R's verify connection vH its only peer */
    if :: host == H && mf == R && mi < 2 -> said_valid[mi * 3 + host] = true :: else -> skip fi
}
inline s2s_in_A_answer_invalid()  { if :: talk -> SEND(peer, M_DBV_T, mt, mf, mi, T_INVALID) :: else -> skip fi }
inline s2s_in_A_verify_error()    { if :: talk -> SEND(peer, M_DBV_T, mt, mf, mi, T_ERROR) :: else -> skip fi }
inline s2s_in_A_route() {
    assert(pair[mf] == P_VALID && mt == host);   /* P4 */
    assert(!(attacker_peer && mf == H));         /* P2 */
#ifdef WITNESS
    assert(attacker_peer || mf != H);            /* P5: run_spin.sh expects this to fail */
#endif
    skip
}
inline s2s_in_A_stream_error()    { if :: talk -> SEND(peer, M_CLOSE, host, 0, 0, 0) :: else -> skip fi }
inline s2s_in_A_drop()            { skip }
inline s2s_in_A_close_stream()    { s2s_in_A_stream_error() }

/* ------------------------------------------------------------------ s2s_out: H's initiating server on in1 */

#define s2s_out_G_tls_required     false
#define s2s_out_G_plain_dialback   true
#define s2s_out_G_starttls_offered false
#define s2s_out_G_external_usable  false
#define s2s_out_G_dialback_usable  true
#define s2s_out_G_result_requested (requested && mf == R && mt == H)
#define s2s_out_G_pair_ready       valid
#define s2s_out_G_queue_full       false

inline s2s_out_A_send_header()        { SEND(peer, M_HDR, H, R, 0, 0) }
inline s2s_out_A_keep_id()            { peer_id = mi }
inline s2s_out_A_send_starttls()      { assert(false) }
inline s2s_out_A_start_tls()          { assert(false) }
inline s2s_out_A_set_secure()         { assert(false) }
inline s2s_out_A_restart()            { assert(false) }
inline s2s_out_A_send_auth_external() { assert(false) }
inline s2s_out_A_set_sasl_authed()    { assert(false) }
inline s2s_out_A_send_db_result()     { SEND(peer, M_DBR, H, R, 0, K(R, H, peer_id)); requested = true }
inline s2s_out_A_set_pair_valid()     { assert(requested); valid = true; requested = false }   /* P4 */
inline s2s_out_A_drop_request()       { requested = false }
inline s2s_out_A_queue_stanza()       { queued = true }
inline s2s_out_A_send_stanza()        { assert(valid); SEND(peer, M_STZ, H, R, 0, 0) }          /* P4 */
inline s2s_out_A_flush_queue() {
    assert(valid);
    if :: queued -> SEND(peer, M_STZ, H, R, 0, 0); queued = false :: else -> skip fi
}
inline s2s_out_A_bounce_stanza()      { skip }
inline s2s_out_A_bounce_pair()        { queued = false }
inline s2s_out_A_bounce_all()         { queued = false }
inline s2s_out_A_refuse_pair()        { skip }
inline s2s_out_A_stream_error()       { SEND(peer, M_CLOSE, H, R, 0, 0) }
inline s2s_out_A_drop()               { skip }
inline s2s_out_A_close_stream()       { SEND(peer, M_CLOSE, H, R, 0, 0) }

/* ------------------------------------------------------------------ s2s_verify: R's verify connections vH, vE */

#define s2s_verify_G_starttls_offered false
#define s2s_verify_G_plain_refused    false
#define s2s_verify_G_answer_matches   (mf == dom && mt == R && mi < 2 && pend[mi])
#define s2s_verify_G_requests_pending (pend[0] || pend[1] || queued[0] || queued[1])

inline s2s_verify_A_send_header()   { if :: talk -> SEND(peer, M_HDR, R, dom, 0, 0) :: else -> skip fi }
inline s2s_verify_A_send_starttls() { assert(false) }
inline s2s_verify_A_start_tls()     { assert(false) }
inline s2s_verify_A_set_secure()    { assert(false) }
inline s2s_verify_A_restart()       { assert(false) }
inline s2s_verify_A_queue_request() { queued[mi] = true; qkey[mi] = mk }
inline v_send(i, key) {
    if :: talk -> SEND(peer, M_DBV, R, dom, i, key) :: else -> skip fi;
    pend[i] = true;
    sent_req[(i) * 3 + dom] = true
}
inline s2s_verify_A_send_queued() {
    if :: queued[0] -> v_send(0, qkey[0]); queued[0] = false; qkey[0] = 0 :: else -> skip fi;
    if :: queued[1] -> v_send(1, qkey[1]); queued[1] = false; qkey[1] = 0 :: else -> skip fi
}
inline s2s_verify_A_send_verify()   { v_send(mi, mk) }
/* a report carries the answer's (from, to, id): with the correlation guard they are those of
   the request; without it they are whatever the answer claimed (the CVE-2012-3525 bug) */
inline v_report(t) { TO_IN(mi, M_OUTCOME, mf, mt, t); if :: mi < 2 -> pend[mi] = false :: else -> skip fi }
inline s2s_verify_A_report_valid()   { v_report(T_VALID) }
inline s2s_verify_A_report_invalid() { v_report(T_INVALID) }
inline s2s_verify_A_report_error()   { v_report(T_ERROR) }
inline s2s_verify_A_report_error_all() {
    if :: pend[0] || queued[0] -> TO_IN(0, M_OUTCOME, dom, R, T_ERROR) :: else -> skip fi;
    if :: pend[1] || queued[1] -> TO_IN(1, M_OUTCOME, dom, R, T_ERROR) :: else -> skip fi;
    pend[0] = false; pend[1] = false; queued[0] = false; queued[1] = false; qkey[0] = 0; qkey[1] = 0
}
inline s2s_verify_A_fail_request()   { TO_IN(mi, M_OUTCOME, dom, R, T_ERROR) }
inline s2s_verify_A_stream_error()   { if :: talk -> SEND(peer, M_CLOSE, R, dom, 0, 0) :: else -> skip fi }
inline s2s_verify_A_drop()           { skip }
inline s2s_verify_A_close_stream()   { s2s_verify_A_stream_error() }

/* ------------------------------------------------------------------ the tables
   (after every guard and action above: cpp expands a guard only after its #define) */

#include "s2s_in.compose.pml"
#include "s2s_out.compose.pml"
#include "s2s_verify.compose.pml"

/* ------------------------------------------------------------------ the streams */

inline in_classify() {
    if
    :: k == M_HDR   -> ev = (mt == host -> s2s_in_E_HDR_OK : s2s_in_E_HDR_HOST_UNKNOWN)
    :: k == M_DBR   ->
        if
        :: mt != host -> ev = s2s_in_E_DB_RESULT_BAD_TO
        :: mt == host && mf == host -> ev = s2s_in_E_DB_RESULT_OWN_FROM
        :: else -> ev = s2s_in_E_DB_RESULT
        fi
    :: k == M_DBR_T -> ev = (mk == T_VALID -> s2s_in_E_DB_RESULT_VALID :
                             (mk == T_INVALID -> s2s_in_E_DB_RESULT_INVALID : s2s_in_E_DB_RESULT_ERROR));
        /* an authorization response goes from T to S: the pair it names is (to, from) */
        b0 = mf; mf = mt; mt = b0; b0 = 0
    :: k == M_DBV   -> ev = (mt == host -> s2s_in_E_DB_VERIFY : s2s_in_E_DB_VERIFY_HOST_UNKNOWN)
    :: k == M_DBV_T -> ev = (mk == T_VALID -> s2s_in_E_DB_VERIFY_VALID :
                             (mk == T_INVALID -> s2s_in_E_DB_VERIFY_INVALID : s2s_in_E_DB_VERIFY_ERROR))
    :: k == M_STZ   -> ev = s2s_in_E_STANZA
    :: k == M_CLOSE -> ev = s2s_in_E_STREAM_CLOSE
    :: k == M_OUTCOME -> ev = (mk == T_VALID -> s2s_in_E_VERIFY_VALID :
                               (mk == T_INVALID -> s2s_in_E_VERIFY_INVALID : s2s_in_E_VERIFY_ERROR))
    fi
}

/* One inbound stream of `host` with response id `sid`. talk: the peer reads what we write. */
proctype inbound(byte host; byte sid; chan inp; chan peer; bool talk; bool attacker_peer) {
    byte state = s2s_in_S_WAIT_HDR;
    byte ev, k, mf, mt, mi, mk;
    short row;
    byte pair[3];                 /* per sender domain: P_NONE, P_PENDING, P_VALID (target: host) */
    byte b0, b1, b2;
end:
    do
    :: atomic {
        inp ? k, mf, mt, mi, mk ->
        in_classify();
        b0 = pair[0]; b1 = pair[1]; b2 = pair[2];
        s2s_in_dispatch();
        /* P3 */
        assert(!(k == M_DBR_T || k == M_DBV_T || k == M_DBV) ||
               (b0 == pair[0] && b1 == pair[1] && b2 == pair[2]));
        ev = 0; k = 0; mf = 0; mt = 0; mi = 0; mk = 0; b0 = 0; b1 = 0; b2 = 0
       }
    od
}

inline out_classify() {
    if
    :: k == M_HDR   -> ev = s2s_out_E_HDR_OK
    :: k == M_FEAT  -> ev = s2s_out_E_FEATURES
    :: k == M_DBR_T -> ev = (mk == T_VALID -> s2s_out_E_DB_RESULT_VALID :
                             (mk == T_INVALID -> s2s_out_E_DB_RESULT_INVALID : s2s_out_E_DB_RESULT_ERROR))
    :: k == M_DBV_T -> ev = (mk == T_VALID -> s2s_out_E_DB_VERIFY_VALID :
                             (mk == T_INVALID -> s2s_out_E_DB_VERIFY_INVALID : s2s_out_E_DB_VERIFY_ERROR))
    :: k == M_DBR   -> ev = s2s_out_E_DB_RESULT
    :: k == M_DBV   -> ev = s2s_out_E_DB_VERIFY
    :: k == M_STZ   -> ev = s2s_out_E_STANZA
    :: k == M_CLOSE -> ev = s2s_out_E_STREAM_CLOSE
    fi
}

/* H's initiating server: one stream to R, one stanza from H's user to send. */
proctype initiator(chan inp; chan peer) {
    byte state = s2s_out_S_CONNECTING;
    byte ev, k, mf, mt, mi, mk, peer_id;
    short row;
    bool requested, valid, queued, started, stanza_sent;
end:
    do
    :: atomic {
        if
        :: !started -> started = true; ev = s2s_out_E_CONNECTED            /* shell */
        :: started && !stanza_sent -> stanza_sent = true; ev = s2s_out_E_OUT_STANZA
        :: inp ? k, mf, mt, mi, mk -> out_classify()
        fi;
        s2s_out_dispatch();
        ev = 0; k = 0; mf = 0; mt = 0; mi = 0; mk = 0
       }
    od
}

inline v_classify() {
    if
    :: k == M_HDR   -> ev = s2s_verify_E_HDR_OK
    :: k == M_FEAT  -> ev = s2s_verify_E_FEATURES
    :: k == M_DBV_T -> ev = (mk == T_VALID -> s2s_verify_E_DB_VERIFY_VALID :
                             (mk == T_INVALID -> s2s_verify_E_DB_VERIFY_INVALID : s2s_verify_E_DB_VERIFY_ERROR))
    :: k == M_DBV   -> ev = s2s_verify_E_DB_VERIFY
    :: k == M_DBR   -> ev = s2s_verify_E_DB_RESULT
    :: k == M_DBR_T -> ev = s2s_verify_E_DB_RESULT_TYPED
    :: k == M_STZ   -> ev = s2s_verify_E_STANZA
    :: k == M_CLOSE -> ev = s2s_verify_E_STREAM_CLOSE
    :: k == M_VREQ  -> ev = s2s_verify_E_VERIFY_REQUEST
    fi
}

/* R's verify connection to the authoritative server of `dom`. */
proctype verifier(byte dom; chan inp; chan peer; bool talk) {
    byte state = s2s_verify_S_CONNECTING;
    byte ev, k, mf, mt, mi, mk;
    short row;
    bool pend[2], queued[2];
    byte qkey[2];
    bool started;
end:
    do
    :: atomic {
        if
        :: !started -> started = true; ev = s2s_verify_E_CONNECTED          /* shell */
        :: inp ? k, mf, mt, mi, mk -> v_classify()
        fi;
        s2s_verify_dispatch();
        ev = 0; k = 0; mf = 0; mt = 0; mi = 0; mk = 0
       }
    od
}

/* ------------------------------------------------------------------ the attacker */

inline e_answer(i) {
    /* as E's authoritative server it may answer for E (it is not H's). It may write the answer
       before our request reaches it (it can predict the request): vE takes the answer only once
       the request is pending there, which spec/s2s_verify.pml checks, so here the answer counts
       as E's authoritative word whenever it was written */
    SEND(c_vE, M_DBV_T, E, R, i, T_VALID);
    said_valid[(i) * 3 + E] = true
}

proctype attacker() {
    byte budget = NMOVES;
    atomic {
        SEND(c_vE, M_HDR, E, R, 0, 0);      /* E's authoritative server opens vE's stream */
        SEND(c_vE, M_FEAT, E, R, 0, 0);
        SEND(c_in0, M_HDR, E, R, 0, 0)      /* and opens in0 as E */
    };
end:
    do
    :: budget > 0 ->
        atomic {
            budget--;
            if
            :: SEND(c_in0, M_DBR, H, R, 0, K(E, H, 0))    /* H's key relayed from another pair */
            :: SEND(c_in0, M_DBR, H, R, 0, K(R, H, 1))    /* H's key replayed from stream in1 */
            :: SEND(c_in0, M_DBR, E, R, 0, K(R, E, 0))    /* its own domain, with its own key */
            :: SEND(c_in0, M_DBR_T, R, H, 0, T_VALID);    /* typed answers on an inbound stream */
               SEND(c_in0, M_DBV_T, H, R, 0, T_VALID)
            :: SEND(c_in0, M_STZ, H, R, 0, 0)             /* a stanza forging from = H */
            :: SEND(c_vE, M_DBV_T, H, R, 0, T_VALID);     /* answers for H on E's verify connection, */
               SEND(c_vE, M_DBV_T, H, R, 1, T_VALID)      /* for either stream */
            :: e_answer(0); e_answer(1)                   /* E's own answers, for either stream */
            fi
        }
    :: budget == 0 -> break
    od
}

init {
    atomic {
        run inbound(R, 0, c_in0, c_none, false, true);     /* in0: the attacker's stream */
        run inbound(R, 1, c_in1, c_outH, true, false);     /* in1: H's stream */
        run inbound(H, 2, c_authH, c_vH, true, false);     /* authH: H's authoritative server */
        run initiator(c_outH, c_in1);                      /* outH: H's initiating server */
        run verifier(H, c_vH, c_authH, true);              /* vH */
        run verifier(E, c_vE, c_none, false);              /* vE: the attacker answers */
        run attacker()
    }
}
