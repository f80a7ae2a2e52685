/*
 * s2s.c — see s2s.h and s2s_internal.h. The part every role shares: the configuration
 * generations, a link's life (memory, transport callbacks, the timer, close), error replies,
 * and the public API; s2s_connect.c finds and connects to a peer.
 *
 * Timers (config s2s): connect_timeout from the link's creation until TCP is up (outbound and
 * verify), handshake_timeout from then (inbound: from accept) until a pair is valid (TLS +
 * dialback), then idle_timeout of no traffic. Each expiry hands the role's core a timeout (the
 * verify role: idle), which writes the stream error and closes.
 */
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "random_pool.h"
#include "s2s_internal.h"

/* --- generations ------------------------------------------------------------------------- */

static s2s_gen *gen_new(xs_server *srv)
{
    s2s_gen *g = calloc(1, sizeof *g);

    if (g == NULL)
        return NULL;
    g->refs = 1;
    g->gen = srv->gen;
    g->gen->refs++;
    xs_config_s2s(&g->gen->cfg, &srv->db_secret, &g->cfg);
    return g;
}

static void gen_unref(s2s_gen *g)
{
    if (g == NULL || --g->refs > 0)
        return;
    xs_gen_unref(g->gen);
    /* the dialback secret is key material: not left in freed memory */
    OPENSSL_cleanse(&g->cfg.secret, sizeof g->cfg.secret);
    free(g);
}

xc_str s2s_str(const char *z)
{
    xc_str s;

    s.ptr = z;
    s.len = (uint32_t)strlen(z);
    return s;
}

int s2s_is_host(const xc_s2s_config *cfg, xc_str domain)
{
    uint32_t i;

    for (i = 0; i < cfg->n_hosts; i++)
        if (cfg->hosts[i].len == domain.len && memcmp(cfg->hosts[i].ptr, domain.ptr, domain.len) == 0)
            return 1;
    return 0;
}

int s2s_random(uint8_t *out, size_t n)
{
    if (xs_random_take(out, n) != 0) {
        xs_err("s2s: RAND_bytes failed");
        return -1;
    }
    return 0;
}

/* --- links ------------------------------------------------------------------------------- */

const s2s_role_ops *s2s_ops(const s2s_link *l)
{
    switch (l->role) {
    case S2S_IN: return &s2s_in_ops;
    case S2S_OUT: return &s2s_out_ops;
    default: return &s2s_verify_ops;
    }
}

static size_t core_size(s2s_role role)
{
    switch (role) {
    case S2S_IN: return sizeof(xc_s2s_in);
    case S2S_OUT: return sizeof(xc_s2s_out);
    default: return sizeof(xc_s2s_verify);
    }
}

static void on_timer(uv_timer_t *t);

s2s_link *s2s_link_new(xs_s2s *s, s2s_role role)
{
    s2s_link *l = calloc(1, sizeof *l);
    const xc_xml_limits *lim = &s->gen->cfg.limits;
    xc_xml_memory need;
    xc_c2s_memory mapped;
    uint64_t out_cap = 6u * (uint64_t)lim->max_stanza_bytes + 4096u;

    if (l == NULL)
        goto fail;
    l->s2s = s;
    l->role = role;
    l->serial = ++s->next_serial;
    l->c.any = calloc(1, core_size(role));
    if (l->c.any == NULL)
        goto fail;
    /* the parser and output buffers of one stream, mapped: an idle stream costs the pages it
     * touched (stream_memory.h) */
    if (out_cap < XC_S2S_OUT_MIN)
        out_cap = XC_S2S_OUT_MIN;
    xc_xml_memory_need(lim, &need);
    memset(&mapped, 0, sizeof mapped);
    if (xs_stream_memory_map(&l->big, &need, (uint32_t)out_cap, &mapped, NULL) != 0)
        goto fail;
    l->mem.xml = mapped.xml;
    l->mem.out = mapped.out;
    l->mem.out_cap = mapped.out_cap;
    l->mem.route = s->route_buf;
    l->mem.route_cap = s->route_cap;
    l->gen = s->gen;
    l->gen->refs++;
    l->end_type = XC_STZ_T_CANCEL;
    l->end_cond = XC_STZ_REMOTE_SERVER_NOT_FOUND;
    snprintf(l->peer_addr, sizeof l->peer_addr, "-");
    uv_timer_init(s->srv->loop, &l->timer);
    l->timer.data = l;
    l->last_io = uv_now(s->srv->loop);
    l->next = s->links;
    if (s->links != NULL)
        s->links->prev = l;
    s->links = l;
    s->n_links++;
    return l;
fail:
    xs_err("s2s: out of memory for a new %s stream",
           role == S2S_IN ? "inbound" : role == S2S_OUT ? "outbound" : "verify");
    if (l != NULL) {
        xs_stream_memory_unmap(&l->big);
        free(l->c.any);
        free(l);
    }
    return NULL;
}

static void on_timer_closed(uv_handle_t *h)
{
    s2s_link *l = h->data;
    xs_s2s *s = l->s2s;

    if (l->prev != NULL)
        l->prev->next = l->next;
    else
        s->links = l->next;
    if (l->next != NULL)
        l->next->prev = l->prev;
    s->n_links--;
    xs_stream_memory_unmap(&l->big);
    /* the inbound struct holds the peer's dialback key, the others our keys: cleansed */
    OPENSSL_cleanse(l->c.any, core_size(l->role));
    free(l->c.any);
    gen_unref(l->gen);
    free(l);
    if (s->freeing && s->n_links == 0)
        xs_s2s_free(s);
}

/* Frees the link once it is closing, its transport released and no resolve is running. */
void s2s_link_destroy_maybe(s2s_link *l)
{
    if (!l->closing || l->t != NULL || l->timer_closing)
        return;
    if (l->rq != NULL) {
        xs_resolve_cancel(l->rq);
        l->rq = NULL;
    }
    l->timer_closing = 1;
    uv_close((uv_handle_t *)&l->timer, on_timer_closed);
}

/* The link stops: its role gives back what it holds, once. */
static void link_end(s2s_link *l)
{
    if (l->closing)
        return;
    l->closing = 1;
    uv_timer_stop(&l->timer);
    if (s2s_ops(l)->ended != NULL)
        s2s_ops(l)->ended(l);
}

void s2s_link_close(s2s_link *l)
{
    if (l->closing)
        return;
    link_end(l);
    if (l->t != NULL)
        xs_transport_close(l->t);   /* what is queued goes out first; on_released follows */
    s2s_link_destroy_maybe(l);
}

static void link_abort(s2s_link *l)
{
    link_end(l);
    if (l->t != NULL)
        xs_transport_abort(l->t);
    s2s_link_destroy_maybe(l);
}

xs_transport_status s2s_link_send(s2s_link *l, const uint8_t *p, size_t n, int bounded)
{
    xs_transport_status st;

    if (l->t == NULL || n == 0)
        return n == 0 ? XS_TRANSPORT_OK : XS_TRANSPORT_CLOSED;
    st = bounded ? xs_transport_send_bounded(l->t, p, n) : xs_transport_send(l->t, p, n);
    if (st == XS_TRANSPORT_OK)
        l->last_io = uv_now(l->s2s->srv->loop);
    else if (st == XS_TRANSPORT_FAILED)
        LLOG(l, XS_LOG_DEBUG, "%zu bytes of output refused during the TLS handshake", n);
    else if (st == XS_TRANSPORT_CLOSED)
        link_end(l);                /* the connection failed: on_released follows */
    return st;
}

static uint64_t phase_ms(const s2s_link *l)
{
    const xs_s2s_cfg *c = &l->gen->gen->cfg.s2s;

    switch (l->phase) {
    case PHASE_CONNECT: return 1000u * (uint64_t)c->connect_timeout;
    case PHASE_HANDSHAKE: return 1000u * (uint64_t)c->handshake_timeout;
    default: return 1000u * (uint64_t)c->idle_timeout;
    }
}

void s2s_link_phase(s2s_link *l, s2s_phase p)
{
    if (l->closing || (l->phase == p && uv_is_active((uv_handle_t *)&l->timer)))
        return;
    l->phase = p;
    l->last_io = uv_now(l->s2s->srv->loop);
    uv_timer_start(&l->timer, on_timer, phase_ms(l), 0);
}

static void on_timer(uv_timer_t *t)
{
    s2s_link *l = t->data;
    uint64_t now = uv_now(l->s2s->srv->loop), limit = phase_ms(l);

    if (l->closing)
        return;
    if (l->phase == PHASE_IDLE && now - l->last_io < limit) {
        uv_timer_start(&l->timer, on_timer, limit - (now - l->last_io), 0);
        return;
    }
    LLOG(l, XS_LOG_INFO, "%s timeout (%" PRIu64 " s)",
         l->phase == PHASE_CONNECT ? "connect" : l->phase == PHASE_HANDSHAKE ? "handshake" : "idle", limit / 1000u);
    if (l->phase == PHASE_CONNECT) {
        /* the stanzas waiting for this stream: remote-server-timeout (RFC 3920 §9.3.3) */
        l->end_type = XC_STZ_T_WAIT;
        l->end_cond = XC_STZ_REMOTE_SERVER_TIMEOUT;
    }
    s2s_ops(l)->timeout(l, l->phase == PHASE_IDLE);
    s2s_link_close(l);
}

void s2s_log_close(s2s_link *l, xc_stream_error e, uint32_t row_line)
{
    const xc_str *name = xc_stream_error_name(e);

    if (e == XC_SE_NONE)
        LLOG(l, XS_LOG_INFO, "stream closed");
    else
        LLOG(l, XS_LOG_INFO, "stream error <%.*s/> (spec/s2s_%s.fsm line %" PRIu32 ")", (int)name->len, name->ptr,
             s2s_ops(l)->name, row_line);
}

/* --- transport callbacks ----------------------------------------------------------------- */

static size_t on_data(void *owner, const uint8_t *p, size_t n)
{
    s2s_link *l = owner;

    if (l->closing)
        return n;
    l->last_io = uv_now(l->s2s->srv->loop);
    return s2s_ops(l)->data(l, p, n);
}

/* TLS is up: what the peer's certificate shows goes to the core (it decides what it proves). */
static void on_tls_done(void *owner)
{
    s2s_link *l = owner;
    xs_tls *tls = xs_transport_tls(l->t);
    static xc_cn_name names[XC_S2S_CERT_NAMES_MAX];   /* copied by the core before it returns */
    static char buf[XC_S2S_CERT_BYTES];
    xc_s2s_peer_cert cert;
    uint32_t n = 0;
    int chain_ok = 0;
    const char *why;

    if (l->closing)
        return;
    /* identifiers that do not fit are dropped: that can only make a certificate match less */
    (void)xs_tls_peer_names(tls, names, XC_S2S_CERT_NAMES_MAX, &n, buf, sizeof buf, &chain_ok);
    why = xs_tls_peer_verify_error(tls);
    LLOG(l, XS_LOG_INFO, "TLS up: %s %s, peer certificate %s%s%s", xs_tls_version(tls), xs_tls_cipher(tls),
         chain_ok ? "verified" : "not verified", chain_ok || why == NULL || why[0] == '\0' ? "" : ": ",
         chain_ok || why == NULL ? "" : why);
    cert.chain_ok = (uint8_t)(chain_ok != 0);
    cert.names = names;
    cert.n_names = n;
    s2s_ops(l)->tls_done(l, &cert);
}

static void on_tls_failed(void *owner, const char *why)
{
    s2s_link *l = owner;

    if (l->closing)
        return;
    LLOG(l, XS_LOG_INFO, "TLS handshake failed: %s", why != NULL ? why : "?");
    s2s_ops(l)->tls_failed(l);
    s2s_link_close(l);
}

static void on_closed(void *owner, xs_transport_end end, const char *detail)
{
    s2s_link *l = owner;
    static const char *const what[] = { "the peer closed the connection", "connection reset",
                                        "the peer ended TLS (close_notify)", "TLS renegotiation attempt",
                                        "TLS error", "write error", "out of memory" };

    if (!l->closing)
        LLOG(l, end == XS_TRANSPORT_END_RENEGOTIATION ? XS_LOG_WARN : XS_LOG_INFO, "%s%s%s",
             (unsigned)end < sizeof what / sizeof what[0] ? what[end] : "closed",
             detail != NULL && detail[0] != '\0' ? ": " : "", detail != NULL ? detail : "");
    link_end(l);
}

static void on_connected(void *owner)
{
    s2s_link *l = owner;

    if (l->closing)
        return;
    snprintf(l->peer_addr, sizeof l->peer_addr, "%s", xs_transport_peer(l->t));
    LLOG(l, XS_LOG_INFO, "connected to %s for %s -> %s", l->remote, l->local, l->remote);
    if (xs_transport_start(l->t) != XS_TRANSPORT_OK) {
        link_end(l);
        return;
    }
    s2s_link_phase(l, PHASE_HANDSHAKE);
    s2s_ops(l)->connected(l);
}

static void on_connect_failed(void *owner, const char *why)
{
    s2s_link *l = owner;

    LLOG(l, XS_LOG_INFO, "connecting to %s (target %zu of %zu) failed: %s", l->remote, l->next_target,
         l->n_targets, why != NULL ? why : "?");
    l->retry = 1;
}

static void on_released(void *owner)
{
    s2s_link *l = owner;

    l->t = NULL;
    if (l->retry && !l->closing) {
        l->retry = 0;
        s2s_link_connect_next(l);
        return;
    }
    link_end(l);
    s2s_link_destroy_maybe(l);
}

const xs_transport_ops s2s_transport_ops = {
    on_data, on_tls_done, on_tls_failed, on_closed, on_connected, on_connect_failed, on_released,
};

/* --- error replies ----------------------------------------------------------------------- */

/* The reply to stanza into s->reply_buf; 0 with *reply_len and *reply_to set, -1 when there is
 * none (an error is never answered, nor a stanza without a from). */
static int make_reply(xs_s2s *s, const uint8_t *stanza, size_t len, xc_xml_content_ns ns, xc_stanza_error_type type,
                      xc_stanza_error cond, size_t *reply_len, xc_jid *reply_to)
{
    /* a reply being built is never answered itself (it is an error); and it is the buffer */
    if (stanza >= s->reply_buf && stanza < s->reply_buf + s->reply_cap)
        return -1;
    return xc_stanza_reply(&s->replier, stanza, len, ns, type, cond, s->reply_buf, s->reply_cap, reply_len,
                           reply_to) == XC_REPLY_OK ? 0 : -1;
}

void s2s_bounce(xs_s2s *s, const uint8_t *stanza, size_t len, xc_stanza_error_type type, xc_stanza_error cond)
{
    size_t n = 0;
    xc_jid to;
    xc_str name = xc_stanza_error_name(cond);

    if (make_reply(s, stanza, len, XC_XML_CONTENT_CLIENT, type, cond, &n, &to) != 0)
        return;
    if (!s2s_is_host(&s->gen->cfg, xc_jid_domain(&to))) {
        xs_debug("s2s: a bounce <%.*s/> for a sender that is not local: dropped", (int)name.len, name.ptr);
        return;
    }
    if (xs_conn_deliver(s->srv, &to, s->reply_buf, n) == 0)
        xs_debug("s2s: the sender of a bounced stanza <%.*s/> is gone", (int)name.len, name.ptr);
}

int s2s_reply_remote(xs_s2s *s, const uint8_t *stanza, size_t len, xc_str our_domain, xc_stanza_error_type type,
                     xc_stanza_error cond)
{
    size_t n = 0;
    xc_jid to;

    if (make_reply(s, stanza, len, XC_XML_CONTENT_SERVER, type, cond, &n, &to) != 0)
        return -1;
    xs_s2s_route(s, our_domain, xc_jid_domain(&to), s->reply_buf, n);
    return 0;
}

/* --- the public API ---------------------------------------------------------------------- */

xs_s2s *xs_s2s_new(xs_server *srv)
{
    xs_s2s *s = calloc(1, sizeof *s);
    const xs_config *cfg = &srv->gen->cfg;
    uint32_t i, reply_stanza;
    xc_xml_limits rl;
    xc_xml_memory need;
    xc_c2s_memory mapped;

    if (s == NULL)
        goto fail;
    s->srv = srv;
    s->gen = gen_new(srv);
    s->resolver = xs_resolver_new(srv->loop, cfg->s2s.dns_server);
    s->route_cap = 6u * cfg->s2s.stanza_bytes + 4096u;
    s->route_buf = malloc(s->route_cap);
    /* a bounce answers a stanza a local user sent (c2s caps) or one a peer sent (s2s caps) */
    reply_stanza = cfg->stanza_postauth > cfg->s2s.stanza_bytes ? cfg->stanza_postauth : cfg->s2s.stanza_bytes;
    s->reply_cap = 6u * (size_t)reply_stanza + 4096u;
    s->reply_buf = malloc(s->reply_cap);
    if (s->gen == NULL || s->resolver == NULL || s->route_buf == NULL || s->reply_buf == NULL)
        goto fail;
    rl = s->gen->cfg.limits;
    if (reply_stanza > rl.max_stanza_bytes) {
        rl.max_arena_bytes = (uint32_t)(((uint64_t)rl.max_arena_bytes * reply_stanza + rl.max_stanza_bytes - 1u) /
                                        rl.max_stanza_bytes);
        rl.max_stanza_bytes = reply_stanza;
    }
    xc_xml_memory_need(&rl, &need);
    memset(&mapped, 0, sizeof mapped);
    if (xs_stream_memory_map(&s->reply_big, &need, XC_S2S_OUT_MIN, &mapped, NULL) != 0)
        goto fail;
    xc_stanza_replier_init(&s->replier, &rl, &mapped.xml);
    for (i = 0; i < cfg->s2s.n_hosts; i++)
        if (xs_resolver_add_static(s->resolver, cfg->s2s.hosts[i].domain, cfg->s2s.hosts[i].address,
                                   cfg->s2s.hosts[i].port) != XS_RESOLVE_OK)
            goto fail;
    xs_info("s2s: policy %s, s2s_require_encryption=%s, %" PRIu32 " static routes%s%s",
            cfg->s2s.policy == XC_S2S_POLICY_OPEN ? "open" : cfg->s2s.policy == XC_S2S_POLICY_CLOSED ? "closed"
                                                                                                     : "allowlist",
            cfg->s2s.require_encryption ? "true" : "false", cfg->s2s.n_hosts,
            cfg->s2s.dns_server[0] != '\0' ? ", DNS server " : "", cfg->s2s.dns_server);
    return s;
fail:
    xs_err("s2s: cannot start (out of memory, or the resolver failed)");
    if (s != NULL) {
        s->freeing = 1;
        xs_s2s_free(s);
    }
    return NULL;
}

void xs_s2s_free(xs_s2s *s)
{
    if (s == NULL)
        return;
    s->freeing = 1;
    if (s->n_links > 0)
        return;                     /* the last link's close callback frees the rest */
    if (s->resolver != NULL)
        xs_resolver_free(s->resolver);
    xs_stream_memory_unmap(&s->reply_big);
    free(s->route_buf);
    free(s->reply_buf);
    gen_unref(s->gen);
    free(s);
}

void xs_s2s_accept(xs_s2s *s, uv_stream_t *listener)
{
    if (s == NULL || s->freeing)
        return;
    s2s_in_accept(s, listener);
}

int xs_s2s_route(xs_s2s *s, xc_str from_domain, xc_str to_domain, const uint8_t *stanza, size_t len)
{
    if (s == NULL || s->freeing)
        return -1;
    s2s_out_route(s, from_domain, to_domain, stanza, len);
    return 0;
}

void xs_s2s_reload(xs_s2s *s)
{
    s2s_gen *g;
    s2s_link *l;

    if (s == NULL || s->freeing || s->srv->gen == s->gen->gen)
        return;
    g = gen_new(s->srv);
    if (g == NULL) {
        xs_err("s2s: reload: out of memory, the running policy stays");
        return;
    }
    gen_unref(s->gen);
    s->gen = g;
    for (l = s->links; l != NULL; l = l->next) {
        if (l->closing)
            continue;
        if (l->role == S2S_IN)
            s2s_in_reload(l, &g->cfg);
        else if (l->role == S2S_OUT)
            s2s_out_reload(l, &g->cfg);
    }
}

void xs_s2s_shutdown_all(xs_s2s *s)
{
    s2s_link *l;

    if (s == NULL)
        return;
    s->shutting_down = 1;
    for (l = s->links; l != NULL; l = l->next) {
        if (l->closing)
            continue;
        /* what waits in queues bounces with remote-server-timeout (RFC 3920 §9.3.3) */
        l->end_type = XC_STZ_T_WAIT;
        l->end_cond = XC_STZ_REMOTE_SERVER_TIMEOUT;
        if (l->t != NULL && l->phase != PHASE_CONNECT)
            s2s_ops(l)->shutdown(l);
        s2s_link_close(l);
    }
}

void xs_s2s_abort_all(xs_s2s *s)
{
    s2s_link *l;

    if (s == NULL)
        return;
    s->shutting_down = 1;
    for (l = s->links; l != NULL; l = l->next) {
        l->end_type = XC_STZ_T_WAIT;
        l->end_cond = XC_STZ_REMOTE_SERVER_TIMEOUT;
        link_abort(l);
    }
}

size_t xs_s2s_count(const xs_s2s *s)
{
    return s == NULL ? 0u : s->n_links;
}
