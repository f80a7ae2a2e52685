/*
 * conn.c — one client connection: sockets and TLS in, the c2s core in the middle, effects out.
 *
 * The input loop follows the calling convention of src/core/xc_c2s.h exactly:
 *   - each read (decrypted once TLS is up) is fed until the core has consumed all of it, with
 *     XC_C2S_RANDOM_BYTES fresh bytes from RAND_bytes on every call;
 *   - fx.out is sent before anything else of the call is carried out;
 *   - after START_TLS or DISCARD_INPUT the rest of the read is dropped, and so is every byte
 *     decrypted from that same read (it all arrived before the restart: RFC 3920 §5.2 step 5,
 *     §6.2 — the STARTTLS/SASL injection class);
 *   - SASL steps run synchronously (Cyrus), so a stream leaves SASL_WAIT within the call that
 *     entered it; TLS_HS lasts until the handshake ends, and nothing is fed meanwhile.
 *
 * Output goes through TLS once it is up, and is queued on the libuv stream. The queue is
 * bounded (limits.output_queue_bytes): above the cap the connection stops reading until half
 * has drained; a stanza routed to a connection whose queue is full is bounced to its sender
 * and the slow reader is closed on the next loop turn.
 *
 * Closing is two-phase: conn_close flushes (our </stream:stream> is already queued), sends
 * close_notify, half-closes TCP and waits for the peer's EOF at most LINGER_MS; conn_destroy
 * closes the handles, and the memory goes when the last handle's close callback runs.
 */
#include <inttypes.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "log.h"
#include "sasl_server.h"
#include "stream_memory.h"
#include "xc_jid.h"
#include "xc_stream_error.h"

#define READ_BUF 65536u
#define LINGER_MS 2000u

typedef struct wreq {
    uv_write_t req;
    size_t len;
    uint8_t data[];
} wreq;

struct xs_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shut;
    xs_server *srv;
    xs_gen *gen;
    xs_conn *prev, *next;
    uint64_t id;
    char peer[64];
    char jid[XC_JID_FULL_MAX + 1];   /* the bound full JID, for logs */
    xc_c2s *s;
    xc_c2s_memory mem;
    xs_stream_memory big;             /* the mapping behind mem's parser and output buffers */
    xs_tls *tls;                      /* set from STARTTLS on */
    xs_sasl_session *sasl;
    uint8_t cb[XS_TLS_CB_MAX];        /* channel-binding data */
    size_t cb_len;
    const char *cb_type;
    uint8_t cb13[XS_TLS_CB_MAX];      /* tls-unique on TLS 1.3 (what slixmpp asks for there) */
    size_t cb13_len;
    xc_c2s_client_cert cert;          /* what TLS showed of the client's certificate */
    char cert_jid[XC_JID_FULL_MAX + 1];  /* the account a VERIFIED certificate names (EXTERNAL) */
    xs_addr addr;                     /* the peer's address as the per-address limits count it */
    xs_session *route;                /* router entry once bound */
    size_t queued;                    /* bytes handed to libuv, not yet written */
    int handles;                      /* open libuv handles */
    unsigned tls_up : 1;
    unsigned reading : 1;
    unsigned paused : 1;              /* reading stopped: the output queue is over the cap */
    unsigned closing : 1;             /* no more input is processed */
    unsigned shut_started : 1;        /* uv_shutdown issued: nothing more may be written */
    unsigned shut_pending : 1;
    unsigned peer_eof : 1;
    unsigned dead : 1;                /* handles closing */
    unsigned discard : 1;             /* drop the rest of this read */
    unsigned overflow : 1;            /* a route found the queue full: close on the next tick */
    unsigned bound : 1;
    unsigned addr_counted : 1;        /* xs_addr_stream_open admitted it: close must uncount */
    unsigned ping_sent : 1;           /* idle: a ping went out, any input before the timer clears it */
};

#define CLOG(c, lvl, fmt, ...) xs_log((lvl), "c2s#%" PRIu64 " %s " fmt, (c)->id, (c)->peer, ##__VA_ARGS__)

static uint8_t g_read[READ_BUF];      /* one read at a time: the loop is single-threaded */
static uint8_t g_plain[READ_BUF];

static xc_c2s_status effects(xs_conn *c, xc_c2s_status st);
static void conn_close(xs_conn *c);
static void conn_destroy(xs_conn *c);
static void on_timer(uv_timer_t *t);
static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);

void xs_gen_unref(xs_gen *g)
{
    if (g == NULL || --g->refs > 0)
        return;
    xs_tls_ctx_unref(g->tls);
    free(g);
}

static const char *stream_host(const xs_conn *c)
{
    return c->s->host < c->gen->cfg.n_hosts ? c->gen->cfg.hosts[c->s->host].domain : c->gen->cfg.hosts[0].domain;
}

/* --- output ------------------------------------------------------------------------------ */

static void on_write(uv_write_t *req, int status)
{
    wreq *w = (wreq *)req;
    xs_conn *c = req->handle->data;

    c->queued -= w->len;
    free(w);
    if (status < 0 && status != UV_ECANCELED && !c->dead) {
        CLOG(c, XS_LOG_DEBUG, "write failed: %s", uv_strerror(status));
        conn_destroy(c);
        return;
    }
    if (c->paused && !c->closing && !c->dead && c->queued <= c->gen->cfg.out_queue_max / 2u) {
        c->paused = 0;
        if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
            c->reading = 1;
    }
}

static void submit(xs_conn *c, wreq *w)
{
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)w->len);
    int r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);

    if (r != 0) {
        free(w);
        CLOG(c, XS_LOG_DEBUG, "write failed: %s", uv_strerror(r));
        conn_destroy(c);
        return;
    }
    c->queued += w->len;
}

static void write_raw(xs_conn *c, const uint8_t *data, size_t len)
{
    wreq *w;

    if (c->dead || c->shut_started || len == 0)
        return;
    w = malloc(sizeof *w + len);
    if (w == NULL) {
        CLOG(c, XS_LOG_ERROR, "out of memory");
        conn_destroy(c);
        return;
    }
    memcpy(w->data, data, len);
    w->len = len;
    submit(c, w);
}

/* Everything OpenSSL wrote (records, alerts, tickets, close_notify) goes out now. */
static void flush_tls(xs_conn *c)
{
    size_t n;

    while (c->tls != NULL && !c->dead && (n = xs_tls_out_len(c->tls)) > 0) {
        wreq *w = malloc(sizeof *w + n);
        if (w == NULL) {
            CLOG(c, XS_LOG_ERROR, "out of memory");
            conn_destroy(c);
            return;
        }
        w->len = xs_tls_out_take(c->tls, w->data, n);
        if (w->len == 0 || c->shut_started) {
            free(w);
            return;
        }
        submit(c, w);
    }
}

/* Bytes for the client: in the clear before STARTTLS, encrypted after. 0 when queued. */
static int conn_send(xs_conn *c, const uint8_t *data, size_t len)
{
    if (c->closing || c->dead)
        return -1;
    if (len == 0)
        return 0;
    if (c->tls != NULL && !c->tls_up) {
        /* the core writes nothing while the handshake runs (TLS-06); never send it in the clear */
        CLOG(c, XS_LOG_DEBUG, "dropped %zu bytes of output during the TLS handshake", len);
        return -1;
    }
    if (c->tls_up) {
        if (xs_tls_write(c->tls, data, len) != XS_TLS_OK) {
            CLOG(c, XS_LOG_INFO, "TLS: %s", xs_tls_error(c->tls));
            conn_destroy(c);
            return -1;
        }
        flush_tls(c);
        return c->dead ? -1 : 0;
    }
    write_raw(c, data, len);
    return c->dead ? -1 : 0;
}

static size_t backlog(const xs_conn *c)
{
    return c->queued + (c->tls != NULL ? xs_tls_plain_pending(c->tls) : 0u);
}

/* --- lifecycle --------------------------------------------------------------------------- */

static void unregister(xs_conn *c)
{
    if (c->route != NULL) {
        xs_router_remove(c->srv->router, c->route);
        c->route = NULL;
    }
}

static void on_handle_close(uv_handle_t *h)
{
    xs_conn *c = h->data;

    if (--c->handles > 0)
        return;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else if (c->srv->conns == c)
        c->srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    if (c->s != NULL)
        c->srv->n_conns--;
    if (c->sasl != NULL)
        xs_sasl_session_free(c->sasl);
    xs_tls_free(c->tls);
    xs_stream_memory_unmap(&c->big);
    free(c->s);
    xs_gen_unref(c->gen);
    free(c);
}

/* Closes the handles now; pending writes are cancelled. Safe to call more than once. */
static void conn_destroy(xs_conn *c)
{
    if (c->dead)
        return;
    c->dead = 1;
    c->closing = 1;
    unregister(c);
    if (c->addr_counted)
        xs_addr_stream_close(c->srv->addrs, &c->addr, uv_now(c->srv->loop));
    c->addr_counted = 0;
    if (c->s != NULL)
        CLOG(c, XS_LOG_DEBUG, "connection closed");
    uv_close((uv_handle_t *)&c->tcp, on_handle_close);
    if (c->handles > 1)
        uv_close((uv_handle_t *)&c->timer, on_handle_close);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    xs_conn *c = req->handle->data;

    c->shut_pending = 0;
    if (status < 0 || c->peer_eof)
        conn_destroy(c);
}

/* The stream is over: flush what is queued, close_notify, FIN, then wait for the peer's EOF. */
static void conn_close(xs_conn *c)
{
    int r;

    if (c->closing || c->dead)
        return;
    c->closing = 1;
    unregister(c);
    if (c->tls_up) {
        xs_tls_close(c->tls);
        flush_tls(c);
        if (c->dead)
            return;
    }
    uv_timer_stop(&c->timer);
    uv_timer_start(&c->timer, on_timer, LINGER_MS, 0);
    if (!c->reading && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
        c->reading = 1;
    c->shut_started = 1;
    r = uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, on_shutdown);
    if (r != 0) {
        conn_destroy(c);
        return;
    }
    c->shut_pending = 1;
}

static void restart_timer(xs_conn *c)
{
    const xs_config *cfg = &c->gen->cfg;
    uint64_t ms = 1000u * (uint64_t)(c->bound ? cfg->idle_timeout : cfg->handshake_timeout);

    c->ping_sent = 0;
    if (!c->closing && !c->overflow)
        uv_timer_start(&c->timer, on_timer, ms, 0);
}

static void on_timer(uv_timer_t *t)
{
    xs_conn *c = t->data;

    if (c->dead)
        return;
    if (c->closing) {
        conn_destroy(c);                  /* the peer did not close within LINGER_MS */
        return;
    }
    if (c->overflow) {
        /* the error goes behind what is queued: a slow reader still sees why; one that never
         * reads is cut when the close lingers out (LINGER_MS) */
        CLOG(c, XS_LOG_WARN, "output queue over %" PRIu32 " bytes: closing a client that does not read",
             c->gen->cfg.out_queue_max);
        effects(c, xc_c2s_output_full(c->s));
        conn_close(c);
        return;
    }
    if (c->bound && !c->ping_sent) {
        /* idle: ask before dropping (XEP-0199 §4.3); any input before the next expiry counts */
        CLOG(c, XS_LOG_DEBUG, "idle for %" PRIu32 " s: ping", c->gen->cfg.idle_timeout);
        effects(c, xc_c2s_ping_due(c->s));
        if (c->dead || c->closing)
            return;
        c->ping_sent = 1;
        uv_timer_start(&c->timer, on_timer, 1000u * (uint64_t)c->gen->cfg.ping_timeout, 0);
        return;
    }
    CLOG(c, XS_LOG_INFO, "%s timeout", c->bound ? "idle (no answer to the ping)" : "negotiation");
    effects(c, xc_c2s_timeout(c->s));
    conn_close(c);
}

/* --- routing ----------------------------------------------------------------------------- */

static void bounce(xs_conn *c, xc_stanza_error_type type, xc_stanza_error cond)
{
    const xc_c2s_effects *fx = &c->s->fx;

    xc_c2s_bounce(c->s, type, cond);
    if (fx->out_len > 0)
        conn_send(c, fx->out, fx->out_len);
}

typedef struct delivery {
    const uint8_t *data;
    size_t len;
    uint32_t delivered;
    uint32_t full;
} delivery;

/* One routed stanza into another stream's output. 0 when queued. */
static int deliver(xs_conn *t, delivery *d)
{
    if (t->closing || t->dead || !t->bound)
        return -1;
    if (backlog(t) + d->len > t->gen->cfg.out_queue_max) {
        d->full++;
        if (!t->overflow) {
            t->overflow = 1;
            uv_timer_start(&t->timer, on_timer, 0, 0);   /* closed on the next turn, not inside a route */
        }
        return -1;
    }
    if (conn_send(t, d->data, d->len) != 0)
        return -1;
    d->delivered++;
    return 0;
}

static void deliver_cb(void *owner, void *arg)
{
    (void)deliver(owner, arg);
}

static void route(xs_conn *c)
{
    const xc_c2s_effects *fx = &c->s->fx;
    char bare[XC_JID_FULL_MAX];
    size_t bare_len = 0;
    delivery d;
    xc_str res;

    memset(&d, 0, sizeof d);
    d.data = fx->route;
    d.len = fx->route_len;
    if (fx->route_kind == XC_C2S_ROUTE_REMOTE) {
        /* no s2s yet (RT-14) */
        bounce(c, XC_STZ_T_CANCEL, XC_STZ_REMOTE_SERVER_NOT_FOUND);
        return;
    }
    if (xc_jid_format_bare(fx->to, bare, sizeof bare, &bare_len) != XC_JID_OK) {
        bounce(c, XC_STZ_T_CANCEL, XC_STZ_SERVICE_UNAVAILABLE);
        return;
    }
    if (fx->route_kind == XC_C2S_ROUTE_LOCAL_FULL) {
        xs_conn *t;
        res = xc_jid_resource(fx->to);
        t = xs_router_find_full(c->srv->router, bare, bare_len, res.ptr, res.len);
        if (t != NULL)
            (void)deliver(t, &d);
    } else {
        /* every available resource of the user (no priorities yet) */
        (void)xs_router_each_available(c->srv->router, bare, bare_len, deliver_cb, &d);
    }
    if (d.delivered == 0) {
        if (d.full > 0)
            bounce(c, XC_STZ_T_WAIT, XC_STZ_RESOURCE_CONSTRAINT);
        else
            bounce(c, XC_STZ_T_CANCEL, XC_STZ_SERVICE_UNAVAILABLE);
    }
}

/* BOUND: register the full JID; an older stream of the same JID gets <conflict/> (new wins). */
static void bound(xs_conn *c)
{
    const xc_c2s_effects *fx = &c->s->fx;
    char bare[XC_JID_FULL_MAX];
    size_t bare_len = 0, full_len = 0;
    xc_str res = xc_jid_resource(fx->jid);
    void *old = NULL;

    if (c->dead || c->closing)
        return;
    if (xc_jid_format_bare(fx->jid, bare, sizeof bare, &bare_len) != XC_JID_OK ||
        xc_jid_format_full(fx->jid, c->jid, sizeof c->jid - 1, &full_len) != XC_JID_OK) {
        conn_destroy(c);
        return;
    }
    c->jid[full_len] = '\0';
    c->route = xs_router_add(c->srv->router, bare, bare_len, res.ptr, res.len, c, &old);
    if (c->route == NULL) {
        CLOG(c, XS_LOG_ERROR, "out of memory registering %s", c->jid);
        conn_destroy(c);
        return;
    }
    c->bound = 1;
    restart_timer(c);
    CLOG(c, XS_LOG_INFO, "bound %s", c->jid);
    if (old != NULL) {
        xs_conn *o = old;
        o->route = NULL;   /* the router dropped its entry already */
        CLOG(o, XS_LOG_INFO, "%s bound again by c2s#%" PRIu64 ": conflict", o->jid, c->id);
        effects(o, xc_c2s_conflict(o->s));
        conn_close(o);
    }
}

/* --- SASL -------------------------------------------------------------------------------- */

static xc_c2s_status run_sasl(xs_conn *c)
{
    const xc_c2s_effects *fx = &c->s->fx;
    xc_c2s_sasl_outcome out;
    xc_str mech = xc_mech_name(fx->mech);

    memset(&out, 0, sizeof out);
    out.kind = XC_C2S_SASL_FAILURE;
    out.failure = XC_SF_TEMPORARY_AUTH_FAILURE;
    if (c->sasl == NULL) {
        xs_tls_facts facts;
        /* Binding data only when this stream advertised a -PLUS mechanism: a client that can
         * bind but was not offered binding sends the gs2 flag 'y', which SCRAM must accept
         * then and refuse when binding was offered (RFC 5802 §6) — Cyrus decides by whether
         * it holds binding data, so it holds it exactly when the offer had -PLUS. */
        const uint32_t plus = (1u << XC_MECH_SCRAM_SHA_256_PLUS) | (1u << XC_MECH_SCRAM_SHA_1_PLUS);
        int bind = c->cb_len > 0 && (c->s->offered & plus) != 0;
        memset(&facts, 0, sizeof facts);
        facts.secure = c->tls_up;
        facts.cb_data = bind ? c->cb : NULL;
        facts.cb_len = bind ? c->cb_len : 0;
        facts.cb_type = bind ? c->cb_type : NULL;
        facts.cert_jid = c->cert == XC_C2S_CERT_VERIFIED ? c->cert_jid : NULL;
        c->sasl = xs_sasl_session_new(stream_host(c), &facts);
        if (c->sasl == NULL)
            CLOG(c, XS_LOG_ERROR, "SASL: no session (temporary-auth-failure)");
        else if (bind && c->cb13_len > 0)
            (void)xs_sasl_session_add_binding(c->sasl, "tls-unique", c->cb13, c->cb13_len);
    }
    if ((fx->flags & XC_C2S_FX_SASL_START) &&
        xs_addr_auth_blocked(c->srv->addrs, &c->addr, uv_now(c->srv->loop), c->gen->cfg.auth_failures_per_address)) {
        /* DESIGN.md Failed authentication: the address used its budget; the attempt never
         * reaches SASL, so guessing from there waits for the window to end */
        CLOG(c, XS_LOG_WARN, "SASL refused: %" PRIu32 " failed logins from this address within %" PRIu32
             " s (limits.auth_failures_per_address)", c->gen->cfg.auth_failures_per_address,
             c->gen->cfg.auth_failure_window);
    } else if (c->sasl != NULL) {
        if (fx->flags & XC_C2S_FX_SASL_START)
            xs_sasl_start(c->sasl, fx->mech, fx->sasl, fx->sasl_len, fx->sasl_present, &out);
        else
            xs_sasl_step(c->sasl, fx->sasl, fx->sasl_len, &out);
        if (out.kind == XC_C2S_SASL_FAILURE && xs_sasl_credential_failure(c->sasl) &&
            xs_addr_auth_failed(c->srv->addrs, &c->addr, uv_now(c->srv->loop),
                                1000u * c->gen->cfg.auth_failure_window) != 0)
            CLOG(c, XS_LOG_WARN, "a failed login could not be counted: the per-address table is full");
    }
    if (out.data_len > XC_C2S_SASL_MAX || out.user_len > XC_PREP_IN_MAX ||
        (out.data_len > 0 && out.data == NULL) || (out.user_len > 0 && out.user == NULL)) {
        CLOG(c, XS_LOG_ERROR, "SASL: the adapter's outcome is out of bounds");
        memset(&out, 0, sizeof out);
        out.kind = XC_C2S_SASL_FAILURE;
        out.failure = XC_SF_TEMPORARY_AUTH_FAILURE;
    }
    if (out.kind == XC_C2S_SASL_SUCCESS)
        CLOG(c, XS_LOG_INFO, "authenticated %.*s@%s with %.*s", (int)(out.user_len > 256 ? 256 : out.user_len),
             out.user != NULL ? out.user : "", stream_host(c), (int)mech.len, mech.ptr);
    else if (out.kind == XC_C2S_SASL_FAILURE) {
        xc_str why = xc_sasl_failure_name(out.failure);
        CLOG(c, XS_LOG_INFO, "SASL %s failed: %.*s", (fx->flags & XC_C2S_FX_SASL_START) ? "start" : "step",
             (int)why.len, why.ptr);
    }
    return xc_c2s_sasl_result(c->s, &out);
}

/* --- TLS --------------------------------------------------------------------------------- */

static void start_tls(xs_conn *c)
{
    c->tls = xs_tls_new(c->gen->tls, stream_host(c));
    if (c->tls == NULL) {
        CLOG(c, XS_LOG_ERROR, "TLS: cannot create a session");
        effects(c, xc_c2s_tls_failed(c->s));
        conn_close(c);
        return;
    }
    CLOG(c, XS_LOG_DEBUG, "STARTTLS for %s", stream_host(c));
}

static void tls_established(xs_conn *c)
{
    const char *sni = xs_tls_sni(c->tls);
    const char *why = NULL;

    c->tls_up = 1;
    c->cert = xs_tls_client_cert(c->tls, stream_host(c), c->cert_jid, sizeof c->cert_jid, &why);
    if (xs_tls_channel_binding(c->tls, c->cb, sizeof c->cb, &c->cb_len, &c->cb_type) != 0) {
        c->cb_len = 0;
        c->cb_type = NULL;
    }
    if (xs_tls_unique_13(c->tls, c->cb13, sizeof c->cb13, &c->cb13_len) != 0)
        c->cb13_len = 0;
    CLOG(c, XS_LOG_INFO, "TLS up: %s %s%s%s%s", xs_tls_version(c->tls), xs_tls_cipher(c->tls),
         sni[0] != '\0' ? " sni=" : "", sni, c->cb_len > 0 ? " channel-binding" : "");
    if (c->cert == XC_C2S_CERT_REFUSED)
        CLOG(c, XS_LOG_INFO, "client certificate refused (%s): <policy-violation/> at the next header", why);
    else if (c->cert == XC_C2S_CERT_VERIFIED)
        CLOG(c, XS_LOG_INFO, "client certificate verified for %s", c->cert_jid);
    else if (why != NULL)
        CLOG(c, XS_LOG_INFO, "client certificate not used: %s", why);
    effects(c, xc_c2s_tls_done(c->s, c->cert, c->cb_len > 0));
    /* TLS_DONE restarts the stream (DISCARD_INPUT): what it discards is plaintext from before
     * the handshake, which START_TLS dropped already. Whatever TLS decrypts from here on — even
     * in this same read, right behind the client's Finished — is the new stream (no 0-RTT:
     * nothing can be sent encrypted before the handshake ends). */
    c->discard = 0;
}

/* --- input ------------------------------------------------------------------------------- */

/* Feeds one read's plaintext until the core consumed it, or until a restart, close or wait. */
static void conn_input(xs_conn *c, const uint8_t *data, size_t len)
{
    size_t off = 0;

    while (off < len && !c->closing && !c->discard) {
        uint8_t rnd[XC_C2S_RANDOM_BYTES];
        size_t used = 0;
        xc_c2s_status st;

        if (RAND_bytes(rnd, (int)sizeof rnd) != 1) {
            CLOG(c, XS_LOG_ERROR, "RAND_bytes failed");
            conn_destroy(c);
            return;
        }
        st = xc_c2s_feed(c->s, data + off, len - off, &used, rnd);
        off += used > len - off ? len - off : used;
        st = effects(c, st);
        if (st != XC_C2S_OK || used == 0)
            break;
    }
}

static void tls_input(xs_conn *c, const uint8_t *data, size_t len)
{
    xs_tls_status st;
    size_t n;

    if (xs_tls_put(c->tls, data, len) != 0) {
        CLOG(c, XS_LOG_ERROR, "TLS: cannot buffer input");
        conn_destroy(c);
        return;
    }
    if (!c->tls_up) {
        st = xs_tls_handshake(c->tls);
        flush_tls(c);
        if (c->dead || st == XS_TLS_AGAIN)
            return;
        if (st != XS_TLS_OK) {
            CLOG(c, XS_LOG_INFO, "TLS handshake failed: %s", xs_tls_error(c->tls));
            effects(c, xc_c2s_tls_failed(c->s));
            conn_close(c);
            return;
        }
        tls_established(c);
    }
    while (!c->closing) {
        st = xs_tls_read(c->tls, g_plain, sizeof g_plain, &n);
        flush_tls(c);
        if (c->dead)
            return;
        if (st == XS_TLS_OK) {
            if (!c->discard)
                conn_input(c, g_plain, n);
            continue;
        }
        if (st == XS_TLS_AGAIN)
            return;
        if (st == XS_TLS_CLOSED) {
            CLOG(c, XS_LOG_INFO, "the client ended TLS (close_notify)");
            conn_close(c);
            return;
        }
        if (st == XS_TLS_RENEGOTIATION)
            CLOG(c, XS_LOG_WARN, "TLS renegotiation attempt: closing the connection");
        else
            CLOG(c, XS_LOG_INFO, "TLS: %s", xs_tls_error(c->tls));
        conn_destroy(c);
        return;
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init((char *)g_read, sizeof g_read);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    xs_conn *c = stream->data;

    if (nread == 0 || c->dead)
        return;
    if (nread < 0) {
        c->peer_eof = 1;
        uv_read_stop(stream);
        c->reading = 0;
        if (!c->closing)
            CLOG(c, XS_LOG_INFO, "the client closed the connection%s%s", nread == UV_EOF ? "" : ": ",
                 nread == UV_EOF ? "" : uv_strerror((int)nread));
        if (!c->shut_pending)
            conn_destroy(c);
        return;
    }
    if (c->closing)
        return;   /* after our close: read only to see the EOF */
    c->discard = 0;
    if (c->bound)
        restart_timer(c);
    if (c->tls != NULL)
        tls_input(c, (const uint8_t *)buf->base, (size_t)nread);
    else
        conn_input(c, (const uint8_t *)buf->base, (size_t)nread);
    if (!c->closing && !c->dead && !c->paused && backlog(c) > c->gen->cfg.out_queue_max) {
        CLOG(c, XS_LOG_DEBUG, "output queue over the cap: reading paused");
        uv_read_stop(stream);
        c->reading = 0;
        c->paused = 1;
    }
}

/* --- effects ----------------------------------------------------------------------------- */

/* Carries out the effects of the call that returned st, in the order xc_c2s.h gives; returns
 * the status of the last core call made (a SASL result may follow a feed). */
static xc_c2s_status effects(xs_conn *c, xc_c2s_status st)
{
    for (;;) {
        const xc_c2s_effects *fx = &c->s->fx;
        uint32_t fl = fx->flags;

        if (c->dead)
            return XC_C2S_CLOSED;
        if (fx->out_len > 0)
            conn_send(c, fx->out, fx->out_len);
        if (c->dead)
            return XC_C2S_CLOSED;   /* the send failed: nothing of this stream goes on */
        if (fl & XC_C2S_FX_ROUTE)
            route(c);
        if ((fl & XC_C2S_FX_PRESENCE) && c->route != NULL)
            xs_router_set_available(c->route, fx->available);
        if (fl & XC_C2S_FX_BOUND)
            bound(c);
        if (fl & (XC_C2S_FX_START_TLS | XC_C2S_FX_DISCARD_INPUT))
            c->discard = 1;
        if ((fl & XC_C2S_FX_CLOSE) || st == XC_C2S_CLOSED) {
            if (fl & XC_C2S_FX_CLOSE) {
                const xc_str *e = xc_stream_error_name(fx->error);
                if (fx->error == XC_SE_NONE)
                    CLOG(c, XS_LOG_INFO, "stream closed");
                else
                    CLOG(c, XS_LOG_INFO, "stream error <%.*s/> (spec/c2s.fsm line %" PRIu32 ")", (int)e->len, e->ptr,
                         fx->row_line);
            }
            conn_close(c);
            return XC_C2S_CLOSED;
        }
        if (fl & XC_C2S_FX_START_TLS) {
            start_tls(c);
            return st;
        }
        if (fl & (XC_C2S_FX_SASL_START | XC_C2S_FX_SASL_STEP)) {
            st = run_sasl(c);
            continue;
        }
        return st;
    }
}

/* --- accept and shutdown ----------------------------------------------------------------- */

/* The peer's address for the log and for the per-address limits. -1 when it cannot be read. */
static int peer_name(xs_conn *c)
{
    struct sockaddr_storage ss;
    int len = (int)sizeof ss;
    char ip[INET6_ADDRSTRLEN];

    snprintf(c->peer, sizeof c->peer, "?");
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) != 0 ||
        xs_addr_from_sockaddr((const struct sockaddr *)&ss, &c->addr) != 0)
        return -1;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        uv_ip4_name(a, ip, sizeof ip);
        snprintf(c->peer, sizeof c->peer, "%s:%u", ip, (unsigned)ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        uv_ip6_name(a, ip, sizeof ip);
        snprintf(c->peer, sizeof c->peer, "[%s]:%u", ip, (unsigned)ntohs(a->sin6_port));
    }
    return 0;
}

static int alloc_stream(xs_conn *c)
{
    const xc_c2s_config *cc = &c->gen->c2s;
    xc_xml_memory need;
    uint8_t rnd[XC_C2S_RANDOM_BYTES];

    xc_xml_memory_need(&cc->postauth, &need);
    c->mem.route = c->srv->route_buf;
    c->mem.route_cap = c->srv->route_cap;
    c->s = calloc(1, sizeof *c->s);
    if (c->s == NULL || xs_stream_memory_map(&c->big, &need, cc->postauth.max_stanza_bytes + 65536u, &c->mem) != 0 ||
        RAND_bytes(rnd, (int)sizeof rnd) != 1) {
        free(c->s);
        c->s = NULL;
        return -1;
    }
    xc_c2s_init(c->s, cc, &c->mem, 0, XC_C2S_CERT_NONE, 0, rnd);
    return 0;
}

void xs_conn_accept(xs_server *srv, uv_stream_t *listener)
{
    xs_conn *c = calloc(1, sizeof *c);

    if (c == NULL) {
        xs_err("accept: out of memory");
        return;
    }
    c->srv = srv;
    c->gen = srv->gen;
    c->gen->refs++;
    c->id = ++srv->next_id;
    uv_tcp_init(srv->loop, &c->tcp);
    c->tcp.data = c;
    c->handles = 1;
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        conn_destroy(c);
        return;
    }
    uv_timer_init(srv->loop, &c->timer);
    c->timer.data = c;
    c->handles = 2;
    if (peer_name(c) != 0 || srv->shutting_down) {
        conn_destroy(c);
        return;
    }
    if (srv->n_conns >= c->gen->cfg.max_streams) {
        CLOG(c, XS_LOG_WARN, "refused: %" PRIu32 " streams open (limits.max_streams)", srv->n_conns);
        conn_destroy(c);
        return;
    }
    if (xs_addr_stream_open(srv->addrs, &c->addr, c->gen->cfg.streams_per_address) != 0) {
        CLOG(c, XS_LOG_WARN, "refused: %" PRIu32 " streams open from this address (limits.streams_per_address)",
             c->gen->cfg.streams_per_address);
        conn_destroy(c);
        return;
    }
    c->addr_counted = 1;
    if (alloc_stream(c) != 0) {
        CLOG(c, XS_LOG_ERROR, "refused: out of memory");
        conn_destroy(c);
        return;
    }
    srv->n_conns++;
    uv_tcp_nodelay(&c->tcp, 1);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
        conn_destroy(c);
        return;
    }
    c->reading = 1;
    restart_timer(c);
    CLOG(c, XS_LOG_INFO, "accepted (%" PRIu32 " open)", srv->n_conns);
}

void xs_conn_shutdown_all(xs_server *srv)
{
    xs_conn *c;

    for (c = srv->conns; c != NULL; c = c->next) {
        if (c->closing || c->dead || c->s == NULL)
            continue;
        effects(c, xc_c2s_shutdown(c->s));
        conn_close(c);
    }
}

void xs_conn_abort_all(xs_server *srv)
{
    xs_conn *c;

    for (c = srv->conns; c != NULL; c = c->next)
        conn_destroy(c);
}
