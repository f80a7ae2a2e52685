/*
 * s2s_out.c — outbound s2s streams: one per domain pair (our domain S, peer domain T), carrying
 * what local users of S send to T; we are the initiating server (RFC 3920 §8.3 steps 1-2, 10;
 * spec/s2s_out.fsm).
 *
 * "Nothing lost" (DESIGN.md): a stanza handed to s2s_out_route is written on the pair's stream,
 * held in the link's FIFO while the stream is set up (FX_QUEUE: a copy, bounded by the core's
 * queue count), or bounced to its local sender with the condition the core names (FX_BOUNCE,
 * FX_BOUNCE_PAIR, FX_BOUNCE_ALL). When the pair becomes valid (FX_FLUSH) every held stanza is
 * handed back to the core in order. Whatever is still held when the link ends bounces with the
 * link's end condition (remote-server-not-found, or remote-server-timeout for a timeout and a
 * shutdown).
 */
#include <stdlib.h>
#include <string.h>

#include "s2s_internal.h"

static void out_effects(s2s_link *l, xc_s2s_status st, xc_str from, const uint8_t *stanza, size_t len);

static int same(xc_str a, const char *z)
{
    return strlen(z) == a.len && memcmp(z, a.ptr, a.len) == 0;
}

static int queue_push(s2s_link *l, xc_str from, const uint8_t *stanza, size_t len)
{
    s2s_queued *q = malloc(sizeof *q + from.len + len);

    if (q == NULL)
        return -1;
    q->next = NULL;
    q->from_len = from.len;
    q->len = len;
    memcpy(q->data, from.ptr, from.len);
    memcpy(q->data + from.len, stanza, len);
    if (l->q_tail != NULL)
        l->q_tail->next = q;
    else
        l->q_head = q;
    l->q_tail = q;
    l->q_len++;
    return 0;
}

static xc_str queued_from(const s2s_queued *q)
{
    xc_str s;

    s.ptr = (const char *)q->data;
    s.len = q->from_len;
    return s;
}

/* Bounces the held stanzas (those of sender `only` when only.len > 0), keeping the others in order. */
static void bounce_queue(s2s_link *l, xc_stanza_error_type type, xc_stanza_error cond, xc_str only)
{
    s2s_queued *q = l->q_head, *keep = NULL, *keep_tail = NULL;
    uint32_t kept = 0;

    l->q_head = l->q_tail = NULL;
    l->q_len = 0;
    while (q != NULL) {
        s2s_queued *next = q->next;
        xc_str from = queued_from(q);

        if (only.len == 0 || (from.len == only.len && memcmp(from.ptr, only.ptr, only.len) == 0)) {
            s2s_bounce(l->s2s, q->data + q->from_len, q->len, type, cond);
            free(q);
        } else {
            q->next = NULL;
            if (keep_tail != NULL)
                keep_tail->next = q;
            else
                keep = q;
            keep_tail = q;
            kept++;
        }
        q = next;
    }
    l->q_head = keep;
    l->q_tail = keep_tail;
    l->q_len = kept;
}

/* FLUSH: every held stanza back to the core, in order; the pair is valid now, so each is written. */
static void flush_queue(s2s_link *l)
{
    s2s_queued *q = l->q_head;

    l->q_head = l->q_tail = NULL;
    l->q_len = 0;
    while (q != NULL) {
        s2s_queued *next = q->next;
        xc_str from = queued_from(q);

        if (l->closing)
            s2s_bounce(l->s2s, q->data + q->from_len, q->len, l->end_type, l->end_cond);
        else
            out_effects(l, xc_s2s_out_stanza(l->c.out, from, q->data + q->from_len, q->len), from,
                        q->data + q->from_len, q->len);
        free(q);
        q = next;
    }
}

static void start_tls(s2s_link *l)
{
    if (l->gen->gen->s2s_tls == NULL ||
        xs_transport_start_tls_client(l->t, l->gen->gen->s2s_tls, l->local, l->remote) != XS_TRANSPORT_OK) {
        LLOG(l, XS_LOG_ERROR, "TLS: no client session could be made for %s", l->local);
        out_effects(l, xc_s2s_out_tls_failed(l->c.out), s2s_str(""), NULL, 0);
        s2s_link_close(l);
    }
}

/* Carries out the effects of the call that returned st; stanza is the one just handed (or NULL). */
static void out_effects(s2s_link *l, xc_s2s_status st, xc_str from, const uint8_t *stanza, size_t len)
{
    const xc_s2s_out_effects *fx = &l->c.out->fx;
    uint32_t fl = fx->flags;
    xc_stanza_error_type type = fx->bounce_type;
    xc_stanza_error cond = fx->bounce_cond;
    char pair[XS_CFG_NAME_MAX];
    xc_str pair_sender;

    if (l->closing) {
        if (stanza != NULL)
            s2s_bounce(l->s2s, stanza, len, l->end_type, l->end_cond);
        return;
    }
    /* fx.pair_sender points into the stream: kept, as FLUSH calls the core again */
    pair_sender.len = fx->pair_sender.len < sizeof pair ? fx->pair_sender.len : 0;
    memcpy(pair, fx->pair_sender.ptr != NULL ? fx->pair_sender.ptr : "", pair_sender.len);
    pair_sender.ptr = pair;
    if (fx->out_len > 0) {
        /* a stanza written at once comes from another stream: refused when this peer does not
         * read (the output cap), and then bounced like any stanza that cannot go out */
        int written_stanza = stanza != NULL && !(fl & (XC_S2S_OUT_FX_QUEUE | XC_S2S_OUT_FX_BOUNCE));
        xs_transport_status ts = s2s_link_send(l, fx->out, fx->out_len, written_stanza);

        if (ts == XS_TRANSPORT_FULL && written_stanza) {
            s2s_bounce(l->s2s, stanza, len, XC_STZ_T_WAIT, XC_STZ_RESOURCE_CONSTRAINT);
            stanza = NULL;
        } else if (ts == XS_TRANSPORT_CLOSED) {
            if (stanza != NULL && !(fl & XC_S2S_OUT_FX_QUEUE))
                s2s_bounce(l->s2s, stanza, len, l->end_type, l->end_cond);
            return;
        }
    }
    if ((fl & XC_S2S_OUT_FX_QUEUE) && stanza != NULL && queue_push(l, from, stanza, len) != 0) {
        LLOG(l, XS_LOG_ERROR, "out of memory holding a stanza");
        s2s_bounce(l->s2s, stanza, len, XC_STZ_T_WAIT, XC_STZ_RESOURCE_CONSTRAINT);
    }
    if ((fl & XC_S2S_OUT_FX_BOUNCE) && stanza != NULL)
        s2s_bounce(l->s2s, stanza, len, type, cond);
    if (fl & XC_S2S_OUT_FX_BOUNCE_PAIR)
        bounce_queue(l, type, cond, pair_sender);
    if (fl & XC_S2S_OUT_FX_BOUNCE_ALL) {
        l->end_type = type;
        l->end_cond = cond;
        bounce_queue(l, type, cond, s2s_str(""));
    }
    if (fl & XC_S2S_OUT_FX_READY) {
        if (l->c.out->sasl_authed)
            LLOG(l, XS_LOG_INFO, "authenticated %.*s to %s by SASL EXTERNAL", (int)pair_sender.len, pair_sender.ptr,
                 l->remote);
        else
            LLOG(l, XS_LOG_INFO, "pair valid (dialback): %.*s -> %s", (int)pair_sender.len, pair_sender.ptr, l->remote);
        s2s_link_phase(l, PHASE_IDLE);
    }
    if ((fl & XC_S2S_OUT_FX_CLOSE) || st == XC_S2S_CLOSED) {
        if (fl & XC_S2S_OUT_FX_CLOSE)
            s2s_log_close(l, fx->error, fx->row_line);
        s2s_link_close(l);
        return;
    }
    if (fl & XC_S2S_OUT_FX_START_TLS)
        start_tls(l);
    else if (fl & XC_S2S_OUT_FX_DISCARD_INPUT)
        xs_transport_discard_input(l->t);
    if (fl & XC_S2S_OUT_FX_FLUSH)
        flush_queue(l);
}

static void core_event(s2s_link *l, xc_s2s_status st)
{
    out_effects(l, st, s2s_str(""), NULL, 0);
}

static size_t out_data(s2s_link *l, const uint8_t *p, size_t n)
{
    size_t off = 0;

    while (off < n && !l->closing) {
        size_t used = 0;
        xc_s2s_status st = xc_s2s_out_feed(l->c.out, p + off, n - off, &used);
        uint32_t fl = l->c.out->fx.flags;

        off += used > n - off ? n - off : used;
        core_event(l, st);
        if (fl & (XC_S2S_OUT_FX_START_TLS | XC_S2S_OUT_FX_DISCARD_INPUT))
            return n;                /* the transport dropped the rest already */
        if (st != XC_S2S_OK || used == 0)
            break;
    }
    return n;
}

static void out_tls_done(s2s_link *l, const xc_s2s_peer_cert *cert)
{
    core_event(l, xc_s2s_out_tls_done(l->c.out, cert));
}

static void out_tls_failed(s2s_link *l)
{
    core_event(l, xc_s2s_out_tls_failed(l->c.out));
}

static void out_connected(s2s_link *l)
{
    core_event(l, xc_s2s_out_connected(l->c.out));
}

static void out_resolve_failed(s2s_link *l)
{
    core_event(l, xc_s2s_out_resolve_failed(l->c.out));
}

static void out_connect_failed(s2s_link *l)
{
    core_event(l, xc_s2s_out_connect_failed(l->c.out));
}

static void out_timeout(s2s_link *l, int idle)
{
    (void)idle;
    core_event(l, xc_s2s_out_timeout(l->c.out));
}

static void out_shutdown(s2s_link *l)
{
    core_event(l, xc_s2s_out_shutdown(l->c.out));
}

static void out_ended(s2s_link *l)
{
    if (l->q_len > 0)
        LLOG(l, XS_LOG_INFO, "%" PRIu32 " held stanzas bounce", l->q_len);
    bounce_queue(l, l->end_type, l->end_cond, s2s_str(""));
}

const s2s_role_ops s2s_out_ops = {
    "out", out_data, out_tls_done, out_tls_failed, out_connected, out_resolve_failed, out_connect_failed,
    out_timeout, out_shutdown, out_ended,
};

static s2s_link *find(xs_s2s *s, xc_str from, xc_str to)
{
    s2s_link *l;

    for (l = s->links; l != NULL; l = l->next)
        if (l->role == S2S_OUT && !l->closing && same(from, l->local) && same(to, l->remote))
            return l;
    return NULL;
}

void s2s_out_route(xs_s2s *s, xc_str from, xc_str to, const uint8_t *stanza, size_t len)
{
    const xc_s2s_config *cfg = &s->gen->cfg;
    s2s_link *l;

    if (s->shutting_down) {
        s2s_bounce(s, stanza, len, XC_STZ_T_WAIT, XC_STZ_REMOTE_SERVER_TIMEOUT);
        return;
    }
    /* DESIGN.md "Federation refused by policy": stanzas to a refused domain bounce with <not-allowed/> */
    if (!s2s_is_host(cfg, from) || !xc_s2s_policy_allows(cfg, to)) {
        s2s_bounce(s, stanza, len, XC_STZ_T_CANCEL, XC_STZ_NOT_ALLOWED);
        return;
    }
    if (from.len >= XS_CFG_NAME_MAX || to.len >= XS_CFG_NAME_MAX) {
        s2s_bounce(s, stanza, len, XC_STZ_T_CANCEL, XC_STZ_REMOTE_SERVER_NOT_FOUND);
        return;
    }
    l = find(s, from, to);
    if (l != NULL) {
        out_effects(l, xc_s2s_out_stanza(l->c.out, from, stanza, len), from, stanza, len);
        return;
    }
    l = s2s_link_new(s, S2S_OUT);
    if (l == NULL) {
        s2s_bounce(s, stanza, len, XC_STZ_T_WAIT, XC_STZ_RESOURCE_CONSTRAINT);
        return;
    }
    memcpy(l->local, from.ptr, from.len);
    l->local[from.len] = '\0';
    memcpy(l->remote, to.ptr, to.len);
    l->remote[to.len] = '\0';
    xc_s2s_out_init(l->c.out, &l->gen->cfg, &l->mem, from, to);
    xs_info("s2s-out#%" PRIu64 " new stream %s -> %s", l->serial, l->local, l->remote);
    /* the stanza first: a resolve that fails at once then bounces it with the rest */
    out_effects(l, xc_s2s_out_stanza(l->c.out, from, stanza, len), from, stanza, len);
    if (!l->closing)
        s2s_link_resolve(l);
}

/* SIGHUP: a peer the new policy refuses: what is held bounces with <not-allowed/>, the stream ends. */
void s2s_out_reload(s2s_link *l, const xc_s2s_config *now)
{
    if (xc_s2s_policy_allows(now, s2s_str(l->remote)))
        return;
    LLOG(l, XS_LOG_INFO, "reload: the policy now refuses %s", l->remote);
    l->end_type = XC_STZ_T_CANCEL;
    l->end_cond = XC_STZ_NOT_ALLOWED;
    core_event(l, xc_s2s_out_policy_refused(l->c.out));
    s2s_link_close(l);
}
