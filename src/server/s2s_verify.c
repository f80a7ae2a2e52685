/*
 * s2s_verify.c — verify links: our connection, from our domain T, to the authoritative server
 * of a peer domain S, carrying the <db:verify/> requests of our inbound streams (RFC 3920 §8.3
 * steps 5-9; spec/s2s_verify.fsm). One link per (T, S), shared by every inbound stream that
 * waits for S; requests made before it is ready wait inside the core.
 *
 * Each request carries a token the inbound stream chose (s2s_in.c); each answer goes back by
 * token only. When the link ends before the core answered (the peer closed, the connection
 * failed), every request it still carries is answered ERROR here, so no inbound stream waits
 * for an answer that cannot come.
 */
#include <string.h>

#include "s2s_internal.h"

static void verify_effects(s2s_link *l, xc_s2s_status st)
{
    const xc_s2s_verify_effects *fx = &l->c.ver->fx;
    uint32_t fl = fx->flags, i, n = 0;
    xc_s2s_verify_answer answers[XC_S2S_REQUESTS_MAX + 1u];

    if (l->closing)
        return;
    /* the answers are kept: handing them on calls the inbound streams' cores, which may come
     * back here with new requests */
    if (fl & XC_S2S_VERIFY_FX_OUTCOME) {
        n = fx->n_outcomes <= XC_S2S_REQUESTS_MAX + 1u ? fx->n_outcomes : XC_S2S_REQUESTS_MAX + 1u;
        memcpy(answers, fx->outcomes, n * sizeof answers[0]);
    }
    if (fx->out_len > 0 && s2s_link_send(l, fx->out, fx->out_len, 0) == XS_TRANSPORT_CLOSED)
        goto answer;
    if ((fl & XC_S2S_VERIFY_FX_CLOSE) || st == XC_S2S_CLOSED) {
        if (fl & XC_S2S_VERIFY_FX_CLOSE)
            s2s_log_close(l, fx->error, fx->row_line);
        s2s_link_close(l);
        goto answer;
    }
    if (n > 0)
        s2s_link_phase(l, PHASE_IDLE);
    if (fl & XC_S2S_VERIFY_FX_START_TLS) {
        if (l->gen->gen->s2s_tls == NULL ||
            xs_transport_start_tls_client(l->t, l->gen->gen->s2s_tls, l->local, l->remote) != XS_TRANSPORT_OK) {
            LLOG(l, XS_LOG_ERROR, "TLS: no client session could be made for %s", l->local);
            verify_effects(l, xc_s2s_verify_tls_failed(l->c.ver));
            s2s_link_close(l);
        }
    } else if (fl & XC_S2S_VERIFY_FX_DISCARD_INPUT) {
        xs_transport_discard_input(l->t);
    }
answer:
    for (i = 0; i < n; i++)
        s2s_in_outcome(l->s2s, answers[i].token, answers[i].outcome);
}

static size_t verify_data(s2s_link *l, const uint8_t *p, size_t n)
{
    size_t off = 0;

    while (off < n && !l->closing) {
        size_t used = 0;
        xc_s2s_status st = xc_s2s_verify_feed(l->c.ver, p + off, n - off, &used);
        uint32_t fl = l->c.ver->fx.flags;

        off += used > n - off ? n - off : used;
        verify_effects(l, st);
        if (fl & (XC_S2S_VERIFY_FX_START_TLS | XC_S2S_VERIFY_FX_DISCARD_INPUT))
            return n;                /* the transport dropped the rest already */
        if (st != XC_S2S_OK || used == 0)
            break;
    }
    return n;
}

static void verify_tls_done(s2s_link *l, const xc_s2s_peer_cert *cert)
{
    verify_effects(l, xc_s2s_verify_tls_done(l->c.ver, cert));
}

static void verify_tls_failed(s2s_link *l)
{
    verify_effects(l, xc_s2s_verify_tls_failed(l->c.ver));
}

static void verify_connected(s2s_link *l)
{
    verify_effects(l, xc_s2s_verify_connected(l->c.ver));
}

static void verify_resolve_failed(s2s_link *l)
{
    verify_effects(l, xc_s2s_verify_resolve_failed(l->c.ver));
}

static void verify_connect_failed(s2s_link *l)
{
    verify_effects(l, xc_s2s_verify_connect_failed(l->c.ver));
}

static void verify_timeout(s2s_link *l, int idle)
{
    verify_effects(l, idle ? xc_s2s_verify_idle(l->c.ver) : xc_s2s_verify_timeout(l->c.ver));
}

static void verify_shutdown(s2s_link *l)
{
    verify_effects(l, xc_s2s_verify_shutdown(l->c.ver));
}

/* Requests the core still carries get ERROR: the link is gone. */
static void verify_ended(s2s_link *l)
{
    uint64_t tokens[XC_S2S_REQUESTS_MAX];
    uint32_t i, n = 0;

    for (i = 0; i < XC_S2S_REQUESTS_MAX; i++)
        if (l->c.ver->requests[i].state != XC_S2S_REQ_FREE)
            tokens[n++] = l->c.ver->requests[i].token;
    for (i = 0; i < n; i++)
        s2s_in_outcome(l->s2s, tokens[i], XC_S2S_VERIFY_ERROR);
}

const s2s_role_ops s2s_verify_ops = {
    "verify", verify_data, verify_tls_done, verify_tls_failed, verify_connected, verify_resolve_failed,
    verify_connect_failed, verify_timeout, verify_shutdown, verify_ended,
};

static s2s_link *find(xs_s2s *s, xc_str target, xc_str sender)
{
    s2s_link *l;

    for (l = s->links; l != NULL; l = l->next)
        if (l->role == S2S_VERIFY && !l->closing && strlen(l->local) == target.len &&
            memcmp(l->local, target.ptr, target.len) == 0 && strlen(l->remote) == sender.len &&
            memcmp(l->remote, sender.ptr, sender.len) == 0)
            return l;
    return NULL;
}

void s2s_verify_request(xs_s2s *s, const xc_s2s_verify_req *req, uint64_t token)
{
    s2s_link *l = find(s, req->target, req->sender);
    int fresh = 0;

    if (l == NULL) {
        if (s->shutting_down || req->target.len >= XS_CFG_NAME_MAX || req->sender.len >= XS_CFG_NAME_MAX ||
            !s2s_is_host(&s->gen->cfg, req->target) || (l = s2s_link_new(s, S2S_VERIFY)) == NULL) {
            s2s_in_outcome(s, token, XC_S2S_VERIFY_ERROR);
            return;
        }
        memcpy(l->local, req->target.ptr, req->target.len);
        l->local[req->target.len] = '\0';
        memcpy(l->remote, req->sender.ptr, req->sender.len);
        l->remote[req->sender.len] = '\0';
        xc_s2s_verify_init(l->c.ver, &l->gen->cfg, &l->mem, req->target, req->sender);
        xs_info("s2s-verify#%" PRIu64 " new verify connection %s -> %s", l->serial, l->local, l->remote);
        fresh = 1;
    }
    verify_effects(l, xc_s2s_verify_request(l->c.ver, req->id, req->key, token));
    if (fresh && !l->closing)
        s2s_link_resolve(l);
}
