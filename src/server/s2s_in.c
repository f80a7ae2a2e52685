/*
 * s2s_in.c — inbound s2s streams: a peer server connected to one of our s2s listeners; we are
 * the receiving server (RFC 3920 §8.3 steps 3-4, 8-10) and, for the <db:verify/> it sends, the
 * authoritative server (§8.3 steps 6-7), as spec/s2s_in.fsm says.
 *
 * The input loop follows the calling convention of src/core/xc_s2s.h as conn.c does for c2s:
 * one element per feed call, the rest fed again; fresh random bytes for each call (the stream
 * ids of our headers); after START_TLS or DISCARD_INPUT everything still held from that read is
 * dropped (the transport does it: RFC 3920 §5.2 step 5); fx.out goes out before anything else.
 *
 * Dialback (RFC 3920 §8.3 step 4): a VERIFY effect goes to the verify link for (our domain,
 * the claimed sender) with a token that is never reused; the pending slot records which pair
 * and serial it answers. An outcome finds the stream by token only, so an outcome for a stream
 * that closed, or a pair that was asserted again since, changes nothing (CVE-2012-3525: the
 * core checks pair, serial and stream id again).
 */

#include "s2s_internal.h"

static void in_effects(s2s_link *l, xc_s2s_status st);

/* ROUTE: to the local session(s); none: message and iq get <service-unavailable/> back to the
 * sender's domain (RFC 3921 §11.1: no offline storage), presence is dropped. xc_stanza_reply
 * never answers an error. */
static void deliver(s2s_link *l, const xc_s2s_in_effects *fx)
{
    xs_s2s *s = l->s2s;

    if (xs_conn_deliver(s->srv, fx->to, fx->route, fx->route_len) == 1 || fx->route_presence)
        return;
    (void)s2s_reply_remote(s, fx->route, fx->route_len, xc_jid_domain(fx->to), XC_STZ_T_CANCEL,
                           XC_STZ_SERVICE_UNAVAILABLE);
}

/* VERIFY: the pending slot first (an outcome may come back before this returns), then the
 * request to the verify link. */
static void ask_verify(s2s_link *l, const xc_s2s_verify_req *req)
{
    xs_s2s *s = l->s2s;
    s2s_pending *slot = NULL;
    uint32_t i;

    for (i = 0; i < XC_S2S_PAIRS_MAX; i++)
        if (l->pending[i].token != 0 && l->pending[i].pair == req->pair)
            slot = &l->pending[i];   /* the pair asserted again: the older answer is stale */
    for (i = 0; slot == NULL && i < XC_S2S_PAIRS_MAX; i++)
        if (l->pending[i].token == 0)
            slot = &l->pending[i];
    if (slot == NULL)
        return;                      /* cannot happen: the core keeps at most XC_S2S_PAIRS_MAX pairs */
    slot->token = ++s->next_token;
    slot->pair = req->pair;
    slot->serial = req->serial;
    LLOG(l, XS_LOG_INFO, "dialback: db:result for %.*s -> %.*s: asking %.*s's authoritative server",
         (int)req->sender.len, req->sender.ptr, (int)req->target.len, req->target.ptr, (int)req->sender.len,
         req->sender.ptr);
    s2s_verify_request(s, req, slot->token);
}

static void start_tls(s2s_link *l)
{
    const xc_s2s_in *in = l->c.in;
    const xs_config *cfg = &l->gen->gen->cfg;
    const char *host = cfg->hosts[in->host < cfg->n_hosts ? in->host : 0].domain;

    if (l->gen->gen->s2s_tls == NULL ||
        xs_transport_start_tls_server(l->t, l->gen->gen->s2s_tls, host) != XS_TRANSPORT_OK) {
        LLOG(l, XS_LOG_ERROR, "TLS: no session could be made");
        in_effects(l, xc_s2s_in_tls_failed(l->c.in));
        s2s_link_close(l);
    }
}

/* Carries out the effects of the call that returned st, fx.out first. */
static void in_effects(s2s_link *l, xc_s2s_status st)
{
    const xc_s2s_in_effects *fx = &l->c.in->fx;
    uint32_t fl = fx->flags;
    xc_s2s_verify_req req;

    if (l->closing)
        return;
    if (fx->out_len > 0 && s2s_link_send(l, fx->out, fx->out_len, 0) == XS_TRANSPORT_CLOSED)
        return;
    if (fl & XC_S2S_IN_FX_ROUTE)
        deliver(l, fx);
    if (fl & XC_S2S_IN_FX_PAIR_VALID) {
        LLOG(l, XS_LOG_INFO, "pair valid (dialback): %.*s -> %.*s", (int)fx->pair_sender.len, fx->pair_sender.ptr,
             (int)fx->pair_target.len, fx->pair_target.ptr);
        s2s_link_phase(l, PHASE_IDLE);
    }
    /* XEP-0178 §3: the peer's certificate named its domain; the stream is authenticated and the
     * handshake is over once the restarted header comes (the handshake timer stops here) */
    if (l->c.in->sasl_authed && !l->sasl_logged) {
        xc_str peer = xc_s2s_in_peer(l->c.in);
        l->sasl_logged = 1;
        LLOG(l, XS_LOG_INFO, "authenticated %.*s by SASL EXTERNAL (certificate verified)", (int)peer.len, peer.ptr);
        s2s_link_phase(l, PHASE_IDLE);
    }
    if ((fl & XC_S2S_IN_FX_CLOSE) || st == XC_S2S_CLOSED) {
        if (fl & XC_S2S_IN_FX_CLOSE)
            s2s_log_close(l, fx->error, fx->row_line);
        s2s_link_close(l);
        return;
    }
    if (fl & XC_S2S_IN_FX_START_TLS)
        start_tls(l);
    else if (fl & XC_S2S_IN_FX_DISCARD_INPUT)
        xs_transport_discard_input(l->t);
    if (fl & XC_S2S_IN_FX_VERIFY) {
        /* last: its outcome may come back at once and reuse fx */
        req = fx->verify;
        ask_verify(l, &req);
    }
}

static size_t in_data(s2s_link *l, const uint8_t *p, size_t n)
{
    size_t off = 0;

    while (off < n && !l->closing) {
        uint8_t rnd[XC_S2S_RANDOM_BYTES];
        size_t used = 0;
        xc_s2s_status st;
        uint32_t fl;

        if (s2s_random(rnd, sizeof rnd) != 0) {
            s2s_link_close(l);
            return n;
        }
        st = xc_s2s_in_feed(l->c.in, p + off, n - off, &used, rnd);
        off += used > n - off ? n - off : used;
        fl = l->c.in->fx.flags;
        in_effects(l, st);
        if (fl & (XC_S2S_IN_FX_START_TLS | XC_S2S_IN_FX_DISCARD_INPUT))
            return n;                /* the transport dropped the rest already */
        if (st == XC_S2S_WAIT) {
            /* the core waits for a verify outcome: the rest stays with the transport */
            l->waiting = 1;
            return off;
        }
        if (st != XC_S2S_OK || used == 0)
            break;
    }
    return n;
}

static void in_tls_done(s2s_link *l, const xc_s2s_peer_cert *cert)
{
    in_effects(l, xc_s2s_in_tls_done(l->c.in, cert));
}

static void in_tls_failed(s2s_link *l)
{
    in_effects(l, xc_s2s_in_tls_failed(l->c.in));
}

static void in_timeout(s2s_link *l, int idle)
{
    (void)idle;
    in_effects(l, xc_s2s_in_timeout(l->c.in));
}

static void in_shutdown(s2s_link *l)
{
    in_effects(l, xc_s2s_in_shutdown(l->c.in));
}

const s2s_role_ops s2s_in_ops = {
    "in", in_data, in_tls_done, in_tls_failed, NULL, NULL, NULL, in_timeout, in_shutdown, NULL,
};

void s2s_in_accept(xs_s2s *s, uv_stream_t *listener)
{
    s2s_link *l;
    uint8_t rnd[XC_S2S_RANDOM_BYTES];

    if (s->shutting_down)
        return;
    l = s2s_link_new(s, S2S_IN);
    if (l == NULL)
        return;
    l->t = xs_transport_accept(s->srv->loop, listener, &s2s_transport_ops, l, l->gen->gen->cfg.out_queue_max);
    if (l->t == NULL) {
        s2s_link_close(l);
        return;
    }
    snprintf(l->peer_addr, sizeof l->peer_addr, "%s", xs_transport_peer(l->t));
    /* the same cap as client streams: s2s streams count against limits.max_streams */
    if (s->n_links > l->gen->gen->cfg.max_streams) {
        LLOG(l, XS_LOG_WARN, "refused: %zu s2s streams open (limits.max_streams)", s->n_links - 1u);
        s2s_link_close(l);
        return;
    }
    if (s2s_random(rnd, sizeof rnd) != 0 || xs_transport_start(l->t) != XS_TRANSPORT_OK) {
        s2s_link_close(l);
        return;
    }
    xc_s2s_in_init(l->c.in, &l->gen->cfg, &l->mem, 0, NULL, rnd);
    LLOG(l, XS_LOG_INFO, "connected");
    s2s_link_phase(l, PHASE_HANDSHAKE);
}

void s2s_in_outcome(xs_s2s *s, uint64_t token, xc_s2s_outcome o)
{
    s2s_link *l;
    uint32_t i;

    for (l = s->links; l != NULL; l = l->next) {
        if (l->role != S2S_IN || l->closing)
            continue;
        for (i = 0; i < XC_S2S_PAIRS_MAX; i++) {
            if (l->pending[i].token != token)
                continue;
            l->pending[i].token = 0;
            LLOG(l, XS_LOG_INFO, "dialback verify: %s",
                 o == XC_S2S_VERIFY_VALID ? "valid" : o == XC_S2S_VERIFY_INVALID ? "invalid" : "error");
            in_effects(l, xc_s2s_in_verify_outcome(l->c.in, l->pending[i].pair, l->pending[i].serial, o));
            if (l->waiting && !l->closing) {
                l->waiting = 0;
                xs_transport_resume_input(l->t);
            }
            return;
        }
    }
}

/* SIGHUP: a peer the new policy refuses ends with <policy-violation/>. */
void s2s_in_reload(s2s_link *l, const xc_s2s_config *now)
{
    xc_str peer = xc_s2s_in_peer(l->c.in);

    if (peer.len == 0 || xc_s2s_policy_allows(now, peer))
        return;
    LLOG(l, XS_LOG_INFO, "reload: the policy now refuses %.*s", (int)peer.len, peer.ptr);
    in_effects(l, xc_s2s_in_policy_refused(l->c.in));
    s2s_link_close(l);
}
