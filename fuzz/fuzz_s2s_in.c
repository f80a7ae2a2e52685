/*
 * fuzz_s2s_in.c — an inbound server-to-server stream (the receiving server, xc_s2s_in in
 * src/core/xc_s2s.h) through its public API only: the peer's bytes interleaved with the shell's
 * results (TLS done or failed with a certificate, dialback verify outcomes, timeouts, shutdown,
 * policy refusal, a full output queue).
 *
 * Input: byte 0 and byte 1 set the stream up, then records follow until the input ends.
 *   byte 0  bit 0 require_tls  bit 1 plain_dialback  bits 2-3 policy (open, allow-list
 *           {remote.example, pubsub.remote.example}, closed, open)  bits 4-5 squeezed pool (0 none,
 *           1 nodes, 2 attrs, 3 bytes)  bit 6 direct TLS (secure from the start)  bit 7 with the
 *           certificate of a tls_done record with ctl 0x18 (chain ok, DNS-ID remote.example)
 *   byte 1  N: the squeezed pool holds N entries (N * 16 bytes for the byte arena)
 *   record  [ctl][len][len bytes]; ctl & 7 says what happens:
 *           0 peer bytes   1 tls_done: ctl bit 3 chain verified, bit 4 DNS-ID remote.example,
 *           bit 5 one more name of kind ctl >> 6 whose text is the bytes (consumed), bit 5 clear
 *           and bit 6 set: no certificate (NULL)   2 tls_failed
 *           3 verify outcome (no bytes follow): ctl bits 3-4 outcome (valid, invalid, error),
 *           for the (pair, serial) of VERIFY request number len % 16 the harness saw (bit 5:
 *           serial + 1, bit 6: pair + 1: mostly outcomes nobody asked for, CVE-2012-3525); with no
 *           request seen, pair = len & 7 and serial = len >> 3
 *           4 timeout (bit 3: output_full)   5 shutdown   6 policy_refused
 *           7 the peer's bytes again, fed one byte per read (no bytes: nothing)
 *
 * The harness plays the shell (drop the rest of a read after START_TLS / DISCARD_INPUT, nothing
 * after CLOSED) and aborts when:
 *  - *consumed > len, or START_TLS / DISCARD_INPUT without the whole read consumed;
 *  - a call after CLOSED produces output or effects, or CLOSE leaves the stream open;
 *  - feed consumes bytes or does not say WAIT while the shell runs the TLS handshake;
 *  - VERIFY names a sender that is one of our domains or that the policy refuses, a target we do
 *    not serve, an id other than the stream's current id, or a key longer than XC_S2S_KEY_MAX;
 *  - PAIR_VALID appears other than on a VALID outcome for the (pair, serial) of a VERIFY the
 *    harness saw, or names other domains than that request (CVE-2012-3525);
 *  - ROUTE appears outside AUTHED, for a to that is not served, or from a domain that is neither
 *    a pair the harness saw become valid for that to nor the SASL-authenticated peer (and then
 *    only over TLS with a verified chain the harness handed in), or the routed bytes are not one
 *    jabber:server element (parsed back).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support_s2s.h"
#include "xc_str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ASKED_MAX 64u
#define VALID_MAX 64u

typedef struct asked {
    uint32_t pair, serial;
    char sender[XC_JID_PART_MAX], target[XC_JID_PART_MAX];
    uint32_t sender_len, target_len;
} asked;

typedef struct valid_pair {
    char sender[XC_JID_PART_MAX], target[XC_JID_PART_MAX];
    uint32_t sender_len, target_len;
} valid_pair;

static xc_s2s_in stream;
static asked reqs[ASKED_MAX];
static uint32_t n_reqs;
static valid_pair valid[VALID_MAX];
static uint32_t n_valid;
static int chain_seen;               /* a tls_done (or direct TLS) with a verified chain */
static int outcome_call;             /* the call being checked is a verify outcome */
static int outcome_req;              /* and the request it answers (-1: none) */
static xc_s2s_outcome outcome_kind;

static void copy(char *dst, uint32_t *dlen, xc_str s)
{
    if (s.len > XC_JID_PART_MAX)
        abort();
    if (s.len)
        memcpy(dst, s.ptr, s.len);
    *dlen = s.len;
}

static int served(xc_str d)
{
    uint32_t i;

    for (i = 0; i < fs2s_cfg.n_hosts; i++)
        if (fs2s_str_eq(d, fs2s_cfg.hosts[i]))
            return 1;
    return 0;
}

static int known_valid(xc_str from, xc_str to)
{
    uint32_t i;

    for (i = 0; i < n_valid; i++) {
        xc_str s = { valid[i].sender, valid[i].sender_len }, t = { valid[i].target, valid[i].target_len };
        if (fs2s_str_eq(s, from) && fs2s_str_eq(t, to))
            return 1;
    }
    return 0;
}

static void check_route(const xc_s2s_in *s)
{
    const xc_xml_tree *t;
    xc_str from, to;

    if (s->state != XC_S2S_IN_S_AUTHED || s->fx.route_len == 0 || s->fx.route_len > s->route_cap ||
        s->fx.to == NULL || s->fx.from == NULL)
        abort();
    from = xc_jid_domain(s->fx.from);
    to = xc_jid_domain(s->fx.to);
    if (!served(to))
        abort();
    if (!known_valid(from, to)) {
        xc_str peer = xc_s2s_in_peer(s);
        if (!s->sasl_authed || !fs2s_str_eq(from, peer) || !s->l.secure || !chain_seen)
            abort();
    }
    (void)fs2s_parse_one(s->fx.route, s->fx.route_len, XC_XML_CONTENT_SERVER, &t);
}

static void check_effects(const xc_s2s_in *s, xc_s2s_status st, int was_closed)
{
    uint32_t f = s->fx.flags;

    if (was_closed && (f != 0 || s->fx.out_len != 0 || st != XC_S2S_CLOSED))
        abort();
    if ((f & XC_S2S_IN_FX_CLOSE) && s->state != XC_S2S_IN_S_CLOSED)
        abort();
    if (f & XC_S2S_IN_FX_VERIFY) {
        const xc_s2s_verify_req *v = &s->fx.verify;
        xc_str id = { s->id, sizeof s->id };
        if (served(v->sender) || !xc_s2s_policy_allows(&fs2s_cfg, v->sender) || !served(v->target) ||
            !fs2s_str_eq(v->id, id) || v->key.len > XC_S2S_KEY_MAX || v->pair >= XC_S2S_PAIRS_MAX)
            abort();
        if (n_reqs < ASKED_MAX) {
            reqs[n_reqs].pair = v->pair;
            reqs[n_reqs].serial = v->serial;
            copy(reqs[n_reqs].sender, &reqs[n_reqs].sender_len, v->sender);
            copy(reqs[n_reqs].target, &reqs[n_reqs].target_len, v->target);
            n_reqs++;
        }
    }
    if (f & XC_S2S_IN_FX_PAIR_VALID) {
        asked *r;
        xc_str rs, rt;
        if (!outcome_call || outcome_req < 0 || outcome_kind != XC_S2S_VERIFY_VALID)
            abort();
        r = &reqs[outcome_req];
        rs.ptr = r->sender;
        rs.len = r->sender_len;
        rt.ptr = r->target;
        rt.len = r->target_len;
        if (!fs2s_str_eq(s->fx.pair_sender, rs) || !fs2s_str_eq(s->fx.pair_target, rt))
            abort();
        if (xc_s2s_in_pair_valid(s, rs, rt) != 1)
            abort();
        if (n_valid < VALID_MAX) {
            copy(valid[n_valid].sender, &valid[n_valid].sender_len, rs);
            copy(valid[n_valid].target, &valid[n_valid].target_len, rt);
            n_valid++;
        }
    }
    if (f & XC_S2S_IN_FX_ROUTE)
        check_route(s);
}

static void feed(xc_s2s_in *s, const uint8_t *b, size_t len, size_t step)
{
    size_t off = 0;
    unsigned rounds;

    for (rounds = 0; rounds <= len && off < len; rounds++) {
        size_t piece = len - off < step ? len - off : step, used = 99999999u;
        int was_closed = s->state == XC_S2S_IN_S_CLOSED;
        int waiting = s->state == XC_S2S_IN_S_TLS_HS;
        xc_s2s_status st = xc_s2s_in_feed(s, b + off, piece, &used, fs2s_rnd());

        if (used > piece)
            abort();
        if (waiting && (used != 0 || st != XC_S2S_WAIT))
            abort();
        if ((s->fx.flags & (XC_S2S_IN_FX_START_TLS | XC_S2S_IN_FX_DISCARD_INPUT)) && used != piece)
            abort();
        off += used;
        check_effects(s, st, was_closed);
        if (s->fx.flags & (XC_S2S_IN_FX_START_TLS | XC_S2S_IN_FX_DISCARD_INPUT))
            return; /* the shell drops every byte it still holds */
        if (st != XC_S2S_OK || (used == 0 && piece == len - off))
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xc_s2s_memory m;
    xc_s2s_in *s = &stream;
    size_t pos = 2;
    uint8_t opt;

    if (size < 2)
        return 0;
    opt = data[0];
    m = fs2s_setup(opt, data[1]);
    fs2s_rnd_reset();
    n_reqs = 0;
    n_valid = 0;
    chain_seen = 0;
    outcome_call = 0;
    if ((opt >> 6) & 1u) {
        const xc_s2s_peer_cert *cert = (opt >> 7) ? fs2s_cert(0x18, NULL, 0) : NULL;
        chain_seen = cert != NULL;
        xc_s2s_in_init(s, &fs2s_cfg, &m, 1, cert, fs2s_rnd());
    } else {
        xc_s2s_in_init(s, &fs2s_cfg, &m, 0, NULL, fs2s_rnd());
    }

    while (pos + 2 <= size) {
        uint8_t ctl = data[pos], len = data[pos + 1];
        const uint8_t *body = data + pos + 2;
        size_t n = size - pos - 2 < len ? size - pos - 2 : len;
        int was_closed = s->state == XC_S2S_IN_S_CLOSED;
        xc_s2s_status st = XC_S2S_OK;

        pos += 2;
        outcome_call = 0;
        switch (ctl & 7u) {
        case 0:
            feed(s, body, n, n);
            pos += n;
            continue;
        case 7:
            feed(s, body, n, 1);
            pos += n;
            continue;
        case 1: {
            const xc_s2s_peer_cert *cert = NULL;
            if ((ctl >> 5) & 1u) {
                cert = fs2s_cert(ctl, body, n);
                pos += n;
            } else if (!((ctl >> 6) & 1u)) {
                cert = fs2s_cert(ctl, NULL, 0);
            }
            if (s->state == XC_S2S_IN_S_TLS_HS)
                chain_seen = cert != NULL && cert->chain_ok;
            st = xc_s2s_in_tls_done(s, cert);
            break;
        }
        case 2: st = xc_s2s_in_tls_failed(s); break;
        case 3: {
            uint32_t pair, serial;
            outcome_call = 1;
            outcome_kind = (xc_s2s_outcome)(((ctl >> 3) & 3u) % 3u);
            outcome_req = -1;
            if (n_reqs > 0) {
                uint32_t k = (uint32_t)(len % 16u) % n_reqs;
                pair = reqs[k].pair;
                serial = reqs[k].serial;
                if ((ctl >> 5) & 1u)
                    serial++;
                if ((ctl >> 6) & 1u)
                    pair = (pair + 1u) % XC_S2S_PAIRS_MAX;
            } else {
                pair = len & 7u;
                serial = len >> 3;
            }
            /* the request this outcome answers: the latest one with this (pair, serial), if any
             * (a mutated pair or serial may well name another real request) */
            {
                uint32_t j;
                for (j = n_reqs; j-- > 0;)
                    if (reqs[j].pair == pair && reqs[j].serial == serial) {
                        outcome_req = (int)j;
                        break;
                    }
            }
            st = xc_s2s_in_verify_outcome(s, pair, serial, outcome_kind);
            break;
        }
        case 4: st = (ctl >> 3) & 1u ? xc_s2s_in_output_full(s) : xc_s2s_in_timeout(s); break;
        case 5: st = xc_s2s_in_shutdown(s); break;
        default: st = xc_s2s_in_policy_refused(s); break;
        }
        if ((s->fx.flags & XC_S2S_IN_FX_ROUTE) != 0)
            abort(); /* only feed routes */
        check_effects(s, st, was_closed);
    }
    return 0;
}
