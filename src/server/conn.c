/*
 * conn.c — one client connection: a transport in (TCP, TLS: transport.h), the c2s core in the
 * middle, effects out.
 *
 * The input loop follows the calling convention of src/core/xc_c2s.h exactly:
 *   - each read (decrypted once TLS is up) is fed until the core has consumed all of it, with
 *     XC_C2S_RANDOM_BYTES fresh bytes from the CSPRNG pool (random_pool.h) on every call;
 *   - fx.out is sent before anything else of the call is carried out;
 *   - after START_TLS or DISCARD_INPUT the rest of the read is dropped, and so is every byte
 *     decrypted from that same read (it all arrived before the restart: RFC 3920 §5.2 step 5,
 *     §6.2 — the STARTTLS/SASL injection class);
 *   - SASL steps run synchronously (Cyrus), so a stream leaves SASL_WAIT within the call that
 *     entered it; TLS_HS lasts until the handshake ends, and nothing is fed meanwhile.
 *
 * The transport bounds the output queue (limits.output_queue_bytes) by pausing input; a stanza
 * routed to a connection whose queue is full is bounced to its sender and the slow reader is
 * closed on the next loop turn.
 *
 * Closing is two-phase: conn_close ends the stream and hands the transport its orderly close
 * (flush, close_notify, FIN, linger); conn_destroy cuts at once. Either way the memory goes
 * when both timers' close callbacks and the transport's on_released have run.
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "log.h"
#include "random_pool.h"
#include "s2s.h"
#include "sasl_server.h"
#include "stream_memory.h"
#include "transport.h"
#include "xc_jid.h"
#include "xc_stream_error.h"

struct xs_conn {
    xs_transport *t;                  /* NULL once released */
    uv_timer_t timer;
    xs_server *srv;
    xs_gen *gen;
    xs_conn *prev, *next;
    uint64_t id;
    char peer[64];
    char *jid;                        /* the bound full JID, for logs (exact size), else NULL */
    xc_c2s *core;                     /* in big's mapping: reached through stream(), which unparks */
    xc_c2s_memory mem;
    xs_stream_memory big;             /* the mapping behind the struct, the parser and output buffers */
    uv_timer_t park;                  /* parks big once the stream has been left alone PARK_MS */
    uint64_t last_use;                /* loop time of the last use of the stream (stream()) */
    xs_sasl_session *sasl;
    uint8_t cb[XS_TLS_CB_MAX];        /* channel-binding data */
    size_t cb_len;
    const char *cb_type;
    uint8_t cb13[XS_TLS_CB_MAX];      /* tls-unique on TLS 1.3 (what slixmpp asks for there) */
    size_t cb13_len;
    xc_c2s_client_cert cert;          /* what TLS showed of the client's certificate */
    char *cert_jid;                   /* the account a VERIFIED certificate names (EXTERNAL), until
                                       * SASL succeeds; exact size, else NULL */
    xs_addr addr;                     /* the peer's address as the per-address limits count it */
    xs_session *route;                /* router entry once bound */
    int handles;                      /* the two timers and the transport, until each is gone */
    unsigned closing : 1;             /* no more input is processed */
    unsigned dead : 1;                /* cut: the timer is closing, the transport aborted */
    unsigned discard : 1;             /* stop feeding the rest of this input */
    unsigned overflow : 1;            /* a route found the queue full: close on the next tick */
    unsigned bound : 1;
    unsigned addr_counted : 1;        /* xs_addr_stream_open admitted it: close must uncount */
    unsigned ping_sent : 1;           /* idle: a ping went out, any input before the timer clears it */
};

/* How long a stream is left alone before its memory is parked (stream_memory.h). Parking and
 * the first use after it cost a copy of the few hundred bytes that are kept, a madvise and a
 * few page faults: cheap once a second per stream, not once per stanza. */
#define PARK_MS 1000u
/* How long after a park the heap is trimmed (on_heap_trim): parks come in waves (a login
 * ramp, a quiet hour), and one trim after the wave does what one per park would. */
#define HEAP_TRIM_MS 2000u

#define CLOG(c, lvl, fmt, ...) xs_log((lvl), "c2s#%" PRIu64 " %s " fmt, (c)->id, (c)->peer, ##__VA_ARGS__)

static xc_c2s_status effects(xs_conn *c, xc_c2s_status st);
static void conn_close(xs_conn *c);
static void conn_destroy(xs_conn *c);
static void on_timer(uv_timer_t *t);
static void on_park(uv_timer_t *t);

/* The stream, unparked: every use of the stream's memory (the struct included) goes through
 * here, and parking waits until PARK_MS after the last one. */
static xc_c2s *stream(xs_conn *c)
{
    xs_stream_memory_unpark(&c->big);
    if (!c->dead && !c->closing) {
        c->last_use = uv_now(c->srv->loop);
        if (!uv_is_active((uv_handle_t *)&c->park))
            uv_timer_start(&c->park, on_park, PARK_MS, 0);
    }
    return c->core;
}

void xs_gen_unref(xs_gen *g)
{
    if (g == NULL || --g->refs > 0)
        return;
    xs_tls_ctx_unref(g->tls);
    xs_tls_ctx_unref(g->s2s_tls);
    free(g);
}

static const char *stream_host(xs_conn *c)
{
    uint32_t host = stream(c)->host;

    return host < c->gen->cfg.n_hosts ? c->gen->cfg.hosts[host].domain : c->gen->cfg.hosts[0].domain;
}

/* --- output ------------------------------------------------------------------------------ */

/* Bytes for the client: in the clear before STARTTLS, encrypted after. 0 when queued. */
static int conn_send(xs_conn *c, const uint8_t *data, size_t len)
{
    xs_transport_status st;

    if (c->closing || c->dead || c->t == NULL)
        return -1;
    /* the core writes nothing while the handshake runs (TLS-06); the transport refuses it */
    st = xs_transport_send(c->t, data, len);
    if (st == XS_TRANSPORT_CLOSED) {
        conn_destroy(c);
        return -1;
    }
    return st == XS_TRANSPORT_OK ? 0 : -1;
}

/* --- lifecycle --------------------------------------------------------------------------- */

static void unregister(xs_conn *c)
{
    if (c->route != NULL) {
        xs_router_remove(c->srv->router, c->route);
        c->route = NULL;
    }
}

/* Each timer's close callback and the transport's on_released end one handle. */
static void handle_gone(xs_conn *c)
{
    if (--c->handles > 0)
        return;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else if (c->srv->conns == c)
        c->srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    if (c->core != NULL)
        c->srv->n_conns--;
    if (c->sasl != NULL)
        xs_sasl_session_free(c->sasl);
    xs_stream_memory_unmap(&c->big);
    free(c->jid);
    free(c->cert_jid);
    xs_gen_unref(c->gen);
    free(c);
}

static void on_timer_close(uv_handle_t *h)
{
    handle_gone(h->data);
}

/* Cuts the connection now; pending writes are cancelled. Safe to call more than once. */
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
    if (c->core != NULL)
        CLOG(c, XS_LOG_DEBUG, "connection closed");
    if (c->t != NULL)
        xs_transport_abort(c->t);
    uv_close((uv_handle_t *)&c->timer, on_timer_close);
    uv_close((uv_handle_t *)&c->park, on_timer_close);
}

/* The stream is over: the transport flushes, sends close_notify and FIN, and lingers for the
 * peer's EOF; its on_released ends the rest (conn_destroy). */
static void conn_close(xs_conn *c)
{
    if (c->closing || c->dead)
        return;
    c->closing = 1;
    unregister(c);
    uv_timer_stop(&c->timer);
    uv_timer_stop(&c->park);
    if (c->t != NULL)
        xs_transport_close(c->t);
    /* The stream's memory would wait for the transport's linger (the peer's EOF) before it
     * goes; parked now, a mass disconnect does not hold every stream's pages at once (19k
     * sessions closing together: RSS peak 1,234 MiB before, 639 MiB after; bench-100k). Safe
     * here: every caller returns without touching the stream again, and a later stream(c)
     * would unpark it. Not left to the park timer: libuv handles up to 48 x 1024 events in
     * one poll phase before any timer runs. */
    (void)xs_stream_memory_park(&c->big);
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

    if (c->dead || c->closing)
        return;
    if (c->overflow) {
        /* the error goes behind what is queued: a slow reader still sees why; one that never
         * reads is cut when the close lingers out (LINGER_MS) */
        CLOG(c, XS_LOG_WARN, "output queue over %" PRIu32 " bytes: closing a client that does not read",
             c->gen->cfg.out_queue_max);
        effects(c, xc_c2s_output_full(stream(c)));
        conn_close(c);
        return;
    }
    if (c->bound && !c->ping_sent) {
        /* idle: ask before dropping (XEP-0199 §4.3); any input before the next expiry counts */
        CLOG(c, XS_LOG_DEBUG, "idle for %" PRIu32 " s: ping", c->gen->cfg.idle_timeout);
        effects(c, xc_c2s_ping_due(stream(c)));
        if (c->dead || c->closing)
            return;
        c->ping_sent = 1;
        uv_timer_start(&c->timer, on_timer, 1000u * (uint64_t)c->gen->cfg.ping_timeout, 0);
        return;
    }
    CLOG(c, XS_LOG_INFO, "%s timeout", c->bound ? "idle (no answer to the ping)" : "negotiation");
    effects(c, xc_c2s_timeout(stream(c)));
    conn_close(c);
}

/* Parking frees memory in the middle of the heap (a handed-over session's SSL object, the
 * copies parking makes) that glibc keeps mapped, since only the top of the heap is given back
 * by free(); malloc_trim gives every free page back to the kernel (madvise). It walks the whole
 * heap, so once per wave of parks, not per park. */
static void on_heap_trim(uv_timer_t *t)
{
    (void)t;
    (void)malloc_trim(0);
}

/* Parks the stream's memory once nothing used it for PARK_MS (stream_memory.h): between calls
 * into the core, so the bytes it finds again are the bytes it left. The transport gives back
 * its empty TLS buffers at the same time, and a TLS 1.3 session at rest leaves OpenSSL
 * (xs_tls_trim). */
static void on_park(uv_timer_t *t)
{
    xs_conn *c = t->data;
    uint64_t now = uv_now(c->srv->loop), idle = now - c->last_use;

    if (c->dead || c->closing || c->core == NULL)
        return;
    if (idle < PARK_MS) {
        uv_timer_start(&c->park, on_park, PARK_MS - idle, 0);
        return;
    }
    (void)xs_stream_memory_park(&c->big);
    if (c->t != NULL) {
        xs_tls *tls = xs_transport_tls(c->t);
        int before = tls != NULL && xs_tls_handed_over(tls);

        xs_transport_trim(c->t);
        if (tls != NULL && !before && xs_tls_handed_over(tls))
            CLOG(c, XS_LOG_DEBUG, "idle: TLS 1.3 session handed over from OpenSSL to tls13_records");
    }
    if (!uv_is_active((uv_handle_t *)&c->srv->heap_trim))
        uv_timer_start(&c->srv->heap_trim, on_heap_trim, HEAP_TRIM_MS, 0);
}

/* --- routing ----------------------------------------------------------------------------- */

static void bounce(xs_conn *c, xc_stanza_error_type type, xc_stanza_error cond)
{
    xc_c2s *s = stream(c);
    const xc_c2s_effects *fx = &s->fx;

    xc_c2s_bounce(s, type, cond);
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
    if (t->t == NULL || !xs_transport_has_room(t->t, d->len)) {
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

/* A stanza for the local JID `to`: to that full JID's session, or (full == 0) to every available
 * resource of its bare JID (no priorities yet). -1 when `to` cannot be formatted. */
static int deliver_local(xs_server *srv, const xc_jid *to, int full, delivery *d)
{
    char bare[XC_JID_FULL_MAX];
    size_t bare_len = 0;

    if (xc_jid_format_bare(to, bare, sizeof bare, &bare_len) != XC_JID_OK)
        return -1;
    if (full) {
        xc_str res = xc_jid_resource(to);
        xs_conn *t = xs_router_find_full(srv->router, bare, bare_len, res.ptr, res.len);
        if (t != NULL)
            (void)deliver(t, d);
    } else {
        (void)xs_router_each_available(srv->router, bare, bare_len, deliver_cb, d);
    }
    return 0;
}

int xs_conn_deliver(xs_server *srv, const xc_jid *to, const uint8_t *stanza, size_t len)
{
    delivery d;

    memset(&d, 0, sizeof d);
    d.data = stanza;
    d.len = len;
    if (deliver_local(srv, to, to->resource_len > 0, &d) != 0)
        return 0;
    return d.delivered > 0;
}

static void route(xs_conn *c)
{
    const xc_c2s_effects *fx = &stream(c)->fx;
    delivery d;

    memset(&d, 0, sizeof d);
    d.data = fx->route;
    d.len = fx->route_len;
    if (fx->route_kind == XC_C2S_ROUTE_REMOTE) {
        /* RFC 3920 §10.4: another domain goes out over s2s; whatever becomes of it there (written,
         * queued, refused by policy, unreachable), an undelivered stanza comes back to this
         * sender as an error from the s2s side (RT-14) */
        if (xs_s2s_route(c->srv->s2s, xc_jid_domain(fx->jid), xc_jid_domain(fx->to), fx->route, fx->route_len) != 0)
            bounce(c, XC_STZ_T_CANCEL, XC_STZ_REMOTE_SERVER_NOT_FOUND);
        return;
    }
    if (deliver_local(c->srv, fx->to, fx->route_kind == XC_C2S_ROUTE_LOCAL_FULL, &d) != 0) {
        bounce(c, XC_STZ_T_CANCEL, XC_STZ_SERVICE_UNAVAILABLE);
        return;
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
    const xc_c2s_effects *fx = &stream(c)->fx;
    char bare[XC_JID_FULL_MAX];
    char full[XC_JID_FULL_MAX + 1];
    size_t bare_len = 0, full_len = 0;
    xc_str res = xc_jid_resource(fx->jid);
    void *old = NULL;

    if (c->dead || c->closing)
        return;
    if (xc_jid_format_bare(fx->jid, bare, sizeof bare, &bare_len) != XC_JID_OK ||
        xc_jid_format_full(fx->jid, full, sizeof full - 1, &full_len) != XC_JID_OK) {
        conn_destroy(c);
        return;
    }
    full[full_len] = '\0';
    free(c->jid);
    c->jid = strdup(full);
    if (c->jid == NULL) {
        CLOG(c, XS_LOG_ERROR, "out of memory registering %s", full);
        conn_destroy(c);
        return;
    }
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
        effects(o, xc_c2s_conflict(stream(o)));
        conn_close(o);
    }
}

/* --- SASL -------------------------------------------------------------------------------- */

static xc_c2s_status run_sasl(xs_conn *c)
{
    const xc_c2s_effects *fx = &stream(c)->fx;
    xc_c2s_status st;
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
        int bind = c->cb_len > 0 && (stream(c)->offered & plus) != 0;
        memset(&facts, 0, sizeof facts);
        facts.secure = c->t != NULL && xs_transport_tls_up(c->t);
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
    st = xc_c2s_sasl_result(stream(c), &out);
    if (out.kind == XC_C2S_SASL_SUCCESS) {
        /* the core took the user name; no SASL follows a success on this stream (RFC 3920 §6.2):
         * the session (and the certificate's name) need not stay with an idle stream */
        xs_sasl_session_free(c->sasl);
        c->sasl = NULL;
        free(c->cert_jid);
        c->cert_jid = NULL;
    }
    return st;
}

/* --- TLS --------------------------------------------------------------------------------- */

static void start_tls(xs_conn *c)
{
    if (c->t == NULL || xs_transport_start_tls_server(c->t, c->gen->tls, stream_host(c)) != XS_TRANSPORT_OK) {
        CLOG(c, XS_LOG_ERROR, "TLS: cannot create a session");
        effects(c, xc_c2s_tls_failed(stream(c)));
        conn_close(c);
        return;
    }
    CLOG(c, XS_LOG_DEBUG, "STARTTLS for %s", stream_host(c));
}

/* Transport: the handshake completed. TLS_DONE restarts the stream (DISCARD_INPUT): what it
 * discards is plaintext from before the handshake, which START_TLS dropped already; whatever
 * TLS decrypts from here on — even in this same read, right behind the client's Finished — is
 * the new stream (the transport delivers it: no 0-RTT, nothing could precede our Finished). */
static void on_tls_done(void *owner)
{
    xs_conn *c = owner;
    xs_tls *tls = xs_transport_tls(c->t);
    const char *sni = xs_tls_sni(tls);
    const char *why = NULL;
    char cert_jid[XC_JID_FULL_MAX + 1];

    cert_jid[0] = '\0';
    c->cert = xs_tls_client_cert(tls, stream_host(c), cert_jid, sizeof cert_jid, &why);
    free(c->cert_jid);
    c->cert_jid = NULL;
    if (c->cert == XC_C2S_CERT_VERIFIED && (c->cert_jid = strdup(cert_jid)) == NULL) {
        CLOG(c, XS_LOG_ERROR, "out of memory keeping the client certificate's name");
        conn_destroy(c);
        return;
    }
    if (xs_tls_channel_binding(tls, c->cb, sizeof c->cb, &c->cb_len, &c->cb_type) != 0) {
        c->cb_len = 0;
        c->cb_type = NULL;
    }
    if (xs_tls_unique_13(tls, c->cb13, sizeof c->cb13, &c->cb13_len) != 0)
        c->cb13_len = 0;
    CLOG(c, XS_LOG_INFO, "TLS up: %s %s%s%s%s", xs_tls_version(tls), xs_tls_cipher(tls),
         sni[0] != '\0' ? " sni=" : "", sni, c->cb_len > 0 ? " channel-binding" : "");
    if (c->cert == XC_C2S_CERT_REFUSED)
        CLOG(c, XS_LOG_INFO, "client certificate refused (%s): <policy-violation/> at the next header", why);
    else if (c->cert == XC_C2S_CERT_VERIFIED)
        CLOG(c, XS_LOG_INFO, "client certificate verified for %s", c->cert_jid);
    else if (why != NULL)
        CLOG(c, XS_LOG_INFO, "client certificate not used: %s", why);
    effects(c, xc_c2s_tls_done(stream(c), c->cert, c->cb_len > 0));
}

static void on_tls_failed(void *owner, const char *why)
{
    xs_conn *c = owner;

    CLOG(c, XS_LOG_INFO, "TLS handshake failed: %s", why);
    effects(c, xc_c2s_tls_failed(stream(c)));
    conn_close(c);
}

/* --- input ------------------------------------------------------------------------------- */

/* Feeds one read's plaintext until the core consumed it, or until a restart, close or wait. */
static void conn_input(xs_conn *c, const uint8_t *data, size_t len)
{
    size_t off = 0;

    c->discard = 0;
    while (off < len && !c->closing && !c->discard) {
        uint8_t rnd[XC_C2S_RANDOM_BYTES];
        size_t used = 0;
        xc_c2s_status st;

        if (xs_random_take(rnd, sizeof rnd) != 0) {
            CLOG(c, XS_LOG_ERROR, "RAND_bytes failed");
            conn_destroy(c);
            return;
        }
        st = xc_c2s_feed(stream(c), data + off, len - off, &used, rnd);
        off += used > len - off ? len - off : used;
        st = effects(c, st);
        if (st != XC_C2S_OK || used == 0)
            break;
    }
}

/* Transport: plaintext. The c2s core takes everything it is given (it holds partial elements
 * itself), so the whole of it counts as taken; what a restart or close left unfed is dropped. */
static size_t on_data(void *owner, const uint8_t *p, size_t n)
{
    xs_conn *c = owner;

    if (c->closing || c->dead)
        return n;
    if (c->bound)
        restart_timer(c);
    conn_input(c, p, n);
    return n;
}

/* Transport: the client ended the connection, or it failed. */
static void on_closed(void *owner, xs_transport_end end, const char *detail)
{
    xs_conn *c = owner;

    switch (end) {
    case XS_TRANSPORT_END_EOF:
        CLOG(c, XS_LOG_INFO, "the client closed the connection");
        break;
    case XS_TRANSPORT_END_RESET:
        CLOG(c, XS_LOG_INFO, "the client closed the connection: %s", detail);
        break;
    case XS_TRANSPORT_END_CLOSE_NOTIFY:
        CLOG(c, XS_LOG_INFO, "the client ended TLS (close_notify)");
        conn_close(c);            /* the transport answers with close_notify and FIN */
        return;
    case XS_TRANSPORT_END_RENEGOTIATION:
        CLOG(c, XS_LOG_WARN, "TLS renegotiation attempt: closing the connection");
        break;
    case XS_TRANSPORT_END_TLS_ERROR:
        CLOG(c, XS_LOG_INFO, "TLS: %s", detail);
        break;
    case XS_TRANSPORT_END_WRITE_ERROR:
        CLOG(c, XS_LOG_DEBUG, "write failed: %s", detail);
        break;
    case XS_TRANSPORT_END_NO_MEMORY:
        CLOG(c, XS_LOG_ERROR, "out of memory (%s)", detail);
        break;
    }
    conn_destroy(c);
}

/* Transport: its handles are closed; it is freed when this returns. */
static void on_released(void *owner)
{
    xs_conn *c = owner;

    c->t = NULL;
    conn_destroy(c);
    handle_gone(c);
}

static const xs_transport_ops c2s_ops = {
    .on_data = on_data,
    .on_tls_done = on_tls_done,
    .on_tls_failed = on_tls_failed,
    .on_closed = on_closed,
    .on_released = on_released,
};

/* --- effects ----------------------------------------------------------------------------- */

/* Carries out the effects of the call that returned st, in the order xc_c2s.h gives; returns
 * the status of the last core call made (a SASL result may follow a feed). */
static xc_c2s_status effects(xs_conn *c, xc_c2s_status st)
{
    for (;;) {
        const xc_c2s_effects *fx = &stream(c)->fx;
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
        if (fl & (XC_C2S_FX_START_TLS | XC_C2S_FX_DISCARD_INPUT)) {
            c->discard = 1;
            if (c->t != NULL)
                xs_transport_discard_input(c->t);
        }
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

    snprintf(c->peer, sizeof c->peer, "%s", xs_transport_peer(c->t));
    if (xs_transport_peer_addr(c->t, &ss) != 0 || xs_addr_from_sockaddr((const struct sockaddr *)&ss, &c->addr) != 0)
        return -1;
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
    if (xs_stream_memory_map(&c->big, &need, cc->postauth.max_stanza_bytes + 65536u, &c->mem, &c->core) != 0)
        return -1;
    if (xs_random_take(rnd, sizeof rnd) != 0) {
        xs_stream_memory_unmap(&c->big);
        c->core = NULL;
        return -1;
    }
    xc_c2s_init(stream(c), cc, &c->mem, 0, XC_C2S_CERT_NONE, 0, rnd);
    return 0;
}

void xs_conn_accept(xs_server *srv, uv_stream_t *listener)
{
    xs_conn *c = calloc(1, sizeof *c);

    if (c == NULL) {
        xs_err("accept: out of memory");
        return;
    }
    c->t = xs_transport_accept(srv->loop, listener, &c2s_ops, c, srv->gen->cfg.out_queue_max);
    if (c->t == NULL) {
        free(c);
        return;
    }
    c->srv = srv;
    c->gen = srv->gen;
    c->gen->refs++;
    c->id = ++srv->next_id;
    uv_timer_init(srv->loop, &c->timer);
    c->timer.data = c;
    uv_timer_init(srv->loop, &c->park);
    c->park.data = c;
    c->handles = 3;
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
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
    if (xs_transport_start(c->t) != XS_TRANSPORT_OK) {
        conn_destroy(c);
        return;
    }
    restart_timer(c);
    CLOG(c, XS_LOG_INFO, "accepted (%" PRIu32 " open)", srv->n_conns);
}

void xs_conn_shutdown_all(xs_server *srv)
{
    xs_conn *c;

    for (c = srv->conns; c != NULL; c = c->next) {
        if (c->closing || c->dead || c->core == NULL)
            continue;
        effects(c, xc_c2s_shutdown(stream(c)));
        conn_close(c);
    }
}

void xs_conn_abort_all(xs_server *srv)
{
    xs_conn *c;

    for (c = srv->conns; c != NULL; c = c->next)
        conn_destroy(c);
}
