/*
 * transport.c — see transport.h.
 *
 * Invariants kept here:
 *   - `quiet` is set the moment the owner stops hearing from us (it closed or aborted, or we
 *     told it on_closed / on_connect_failed); from then on only on_released is called, once,
 *     from the last handle's close callback;
 *   - `dead` means the handles are closing: nothing is written or delivered any more;
 *   - input reaches the owner only while nothing is held, the owner has not paused, the current
 *     read is not being discarded and we are not closing; ciphertext that arrives meanwhile
 *     stays in the TLS read BIO and is decrypted when input resumes;
 *   - reading from the socket runs exactly when read_wanted() says so (update_reading), so the
 *     queue cap, the owner's pause and held input cannot fight over uv_read_start/stop;
 *   - one uv_timer serves two phases that never overlap: the resume kick while open, the linger
 *     after our close;
 *   - while a read or a resume kick is being handled (the "cork"), output is collected per
 *     transport instead of leaving one uv_write (and, under TLS, one record) per send: plaintext
 *     for an established TLS session in `plain`, bytes for the socket (raw, or TLS records) in
 *     `pend`. The cork's end seals each transport's plain in one SSL_write behind its pend and
 *     submits pend as one write. A read of eight stanzas for one recipient used to cost eight
 *     records, eight write(2) calls and eight loopback segments; now one of each. Order holds:
 *     a close seals plain before close_notify and submits pend before uv_shutdown; STARTTLS
 *     happens before TLS is up, when nothing is held in plain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "transport.h"

#define READ_BUF 65536u

typedef struct wreq {
    uv_write_t req;
    size_t len;
    uint8_t data[];
} wreq;

struct xs_transport {
    uv_tcp_t tcp;
    uv_timer_t timer;             /* resume kick while open; linger after our close */
    uv_connect_t connect;
    uv_shutdown_t shut;
    const xs_transport_ops *ops;
    void *owner;
    uint32_t out_queue_max;
    size_t queued;                /* bytes handed to libuv, not yet written */
    xs_tls *tls;                  /* set from STARTTLS on */
    uint8_t *held;                /* plaintext the owner did not take yet */
    size_t held_len;
    uint8_t *plain;               /* TLS plaintext sent while corked, sealed at the cork's end */
    size_t plain_len, plain_cap;
    wreq *pend;                   /* socket bytes written while corked, submitted at the cork's end */
    size_t pend_cap;
    xs_transport *pend_next;      /* the corked transports with plain or pend bytes */
    struct sockaddr_storage peer_ss;
    char peer[XS_TRANSPORT_PEER_MAX];
    int handles;                  /* open libuv handles */
    unsigned has_peer : 1;
    unsigned connected : 1;
    unsigned started : 1;         /* xs_transport_start was called */
    unsigned reading : 1;
    unsigned full : 1;            /* the output queue went over the cap: reading stopped */
    unsigned paused : 1;          /* the owner paused input */
    unsigned tls_up : 1;
    unsigned discard : 1;         /* drop the rest of this read */
    unsigned closing : 1;         /* no more input is processed */
    unsigned shut_started : 1;    /* uv_shutdown issued: nothing more may be written */
    unsigned shut_pending : 1;
    unsigned peer_eof : 1;
    unsigned dead : 1;            /* handles closing */
    unsigned quiet : 1;           /* the owner hears nothing more but on_released */
    unsigned never_owned : 1;     /* accept/connect returned NULL: not even on_released */
    unsigned pend_listed : 1;     /* on g_pend_list */
};

static uint8_t g_read[READ_BUF];      /* one read at a time: the loop is single-threaded */
static uint8_t g_plain[READ_BUF];
static unsigned g_cork;               /* nesting depth of cork_begin */
static xs_transport *g_pend_list;     /* transports whose plain or pend waits for the cork's end */

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf);
static void on_timer(uv_timer_t *timer);
static void tls_drain(xs_transport *t);
static int flush_tls(xs_transport *t);

/* --- life cycle -------------------------------------------------------------------------- */

static void on_handle_close(uv_handle_t *h)
{
    xs_transport *t = h->data;

    if (--t->handles > 0)
        return;
    if (!t->never_owned && t->ops->on_released != NULL)
        t->ops->on_released(t->owner);
    xs_tls_free(t->tls);
    free(t->held);
    free(t);
}

/* Forgets the corked bytes of t and takes it off the cork list. */
static void pend_drop(xs_transport *t)
{
    xs_transport **pp;

    free(t->plain);
    t->plain = NULL;
    t->plain_len = t->plain_cap = 0;
    free(t->pend);
    t->pend = NULL;
    t->pend_cap = 0;
    if (!t->pend_listed)
        return;
    for (pp = &g_pend_list; *pp != NULL; pp = &(*pp)->pend_next)
        if (*pp == t) {
            *pp = t->pend_next;
            break;
        }
    t->pend_next = NULL;
    t->pend_listed = 0;
}

/* Closes the handles now; pending writes and a pending connect are cancelled. */
static void destroy(xs_transport *t)
{
    if (t->dead)
        return;
    t->dead = 1;
    t->closing = 1;
    t->quiet = 1;
    pend_drop(t);
    uv_close((uv_handle_t *)&t->tcp, on_handle_close);
    uv_close((uv_handle_t *)&t->timer, on_handle_close);
}

/* The connection ended without the owner asking: tell it once, then close. */
static void ended(xs_transport *t, xs_transport_end end, const char *detail)
{
    if (!t->quiet) {
        t->quiet = 1;
        if (t->ops->on_closed != NULL)
            t->ops->on_closed(t->owner, end, detail != NULL ? detail : "");
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init((char *)g_read, sizeof g_read);
}

static int read_wanted(const xs_transport *t)
{
    if (!t->started || t->dead || !t->connected)
        return 0;
    if (t->closing)
        return !t->peer_eof;      /* after our close: read only to see the EOF */
    return !t->full && !t->paused && t->held_len == 0;
}

static void update_reading(xs_transport *t)
{
    int want = read_wanted(t);

    if (want && !t->reading) {
        if (uv_read_start((uv_stream_t *)&t->tcp, on_alloc, on_read) == 0)
            t->reading = 1;
    } else if (!want && t->reading) {
        uv_read_stop((uv_stream_t *)&t->tcp);
        t->reading = 0;
    }
}

/* --- output ------------------------------------------------------------------------------ */

static void on_write(uv_write_t *req, int status)
{
    wreq *w = (wreq *)req;
    xs_transport *t = req->handle->data;

    t->queued -= w->len;
    free(w);
    if (status < 0 && status != UV_ECANCELED && !t->dead) {
        ended(t, XS_TRANSPORT_END_WRITE_ERROR, uv_strerror(status));
        destroy(t);
        return;
    }
    if (t->full && !t->closing && !t->dead && t->queued <= t->out_queue_max / 2u) {
        t->full = 0;
        update_reading(t);
    }
}

/* Queues w on the socket (taking it). 0, or -1 when the connection was destroyed. */
static int submit(xs_transport *t, wreq *w)
{
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)w->len);
    int r = uv_write(&w->req, (uv_stream_t *)&t->tcp, &b, 1, on_write);

    if (r != 0) {
        free(w);
        xs_log(XS_LOG_DEBUG, "%s write failed: %s", t->peer, uv_strerror(r));
        destroy(t);
        return -1;
    }
    t->queued += w->len;
    return 0;
}

/* Puts t on the cork list, once. */
static void pend_list(xs_transport *t)
{
    if (!t->pend_listed) {
        t->pend_next = g_pend_list;
        g_pend_list = t;
        t->pend_listed = 1;
    }
}

/* The capacity a corked buffer of cap bytes, used of them taken, grows to so that n more fit:
 * doubled from 4 KiB, so a read's output costs a few reallocations at most. */
static size_t corked_cap(size_t cap, size_t used, size_t n)
{
    if (cap == 0)
        cap = 4096u;
    while (cap - used < n)
        cap *= 2u;
    return cap;
}

/* Room for n more corked bytes at the end of t->pend (t goes on the cork list); NULL after
 * destroying t when memory ran out (the caller's send then answers CLOSED, as write_raw's). */
static uint8_t *pend_room(xs_transport *t, size_t n)
{
    size_t used = t->pend != NULL ? t->pend->len : 0u;

    if (t->pend == NULL || t->pend_cap - used < n) {
        size_t cap = corked_cap(t->pend_cap, used, n);
        wreq *w;

        w = realloc(t->pend, sizeof *w + cap);
        if (w == NULL) {
            xs_log(XS_LOG_ERROR, "%s out of memory", t->peer);
            destroy(t);
            return NULL;
        }
        w->len = used;
        t->pend = w;
        t->pend_cap = cap;
    }
    pend_list(t);
    return t->pend->data + used;
}

/* Keeps n plaintext bytes for t's TLS session until the cork ends. -1 after destroying t when
 * memory ran out. */
static int plain_keep(xs_transport *t, const uint8_t *p, size_t n)
{
    if (t->plain_cap - t->plain_len < n) {
        size_t cap = corked_cap(t->plain_cap, t->plain_len, n);
        uint8_t *b;

        b = realloc(t->plain, cap);
        if (b == NULL) {
            xs_log(XS_LOG_ERROR, "%s out of memory", t->peer);
            destroy(t);
            return -1;
        }
        t->plain = b;
        t->plain_cap = cap;
    }
    memcpy(t->plain + t->plain_len, p, n);
    t->plain_len += n;
    pend_list(t);
    return 0;
}

/* Encrypts what plain holds, in one SSL_write, and moves the records out (into pend while
 * corked). 0, or -1 when the connection was destroyed (its owner hears on_closed). */
static int plain_seal(xs_transport *t)
{
    uint8_t *b = t->plain;
    size_t n = t->plain_len;

    if (b == NULL || t->dead)
        return t->dead ? -1 : 0;
    t->plain = NULL;
    t->plain_len = t->plain_cap = 0;
    if (n > 0 && xs_tls_write(t->tls, b, n) != XS_TLS_OK) {
        free(b);
        xs_log(XS_LOG_INFO, "%s TLS: %s", t->peer, xs_tls_error(t->tls));
        ended(t, XS_TRANSPORT_END_TLS_ERROR, xs_tls_error(t->tls));
        destroy(t);
        return -1;
    }
    free(b);
    return flush_tls(t);
}

/* Submits t->pend as one write. 0, or -1 when the connection was destroyed; a write libuv
 * refuses ends the connection and its owner hears on_closed, as for a write that fails later. */
static int pend_submit(xs_transport *t)
{
    wreq *w = t->pend;
    uv_buf_t b;
    int r;

    if (w == NULL || t->dead)
        return t->dead ? -1 : 0;
    t->pend = NULL;
    t->pend_cap = 0;
    if (w->len == 0 || t->shut_started) {
        free(w);
        return 0;
    }
    b = uv_buf_init((char *)w->data, (unsigned)w->len);
    r = uv_write(&w->req, (uv_stream_t *)&t->tcp, &b, 1, on_write);
    if (r != 0) {
        free(w);
        ended(t, XS_TRANSPORT_END_WRITE_ERROR, uv_strerror(r));
        destroy(t);
        return -1;
    }
    t->queued += w->len;
    return 0;
}

static void cork_begin(void)
{
    g_cork++;
}

/* The outermost cork ends: every transport's plaintext is sealed behind its pend and pend
 * goes out as one write. The cork holds until the list is empty, so output that owners write
 * meanwhile (an on_closed a failed write caused) is collected and sent the same way. */
static void cork_end(void)
{
    if (g_cork > 1) {
        g_cork--;
        return;
    }
    while (g_pend_list != NULL) {
        xs_transport *t = g_pend_list;

        g_pend_list = t->pend_next;
        t->pend_next = NULL;
        t->pend_listed = 0;
        if (plain_seal(t) == 0)
            (void)pend_submit(t);
    }
    g_cork = 0;
}

static int write_raw(xs_transport *t, const uint8_t *data, size_t len)
{
    wreq *w;

    if (t->dead || t->shut_started || len == 0)
        return t->dead ? -1 : 0;
    if (g_cork > 0) {
        uint8_t *room = pend_room(t, len);

        if (room == NULL)
            return -1;
        memcpy(room, data, len);
        t->pend->len += len;
        return 0;                 /* submitted at the cork's end */
    }
    w = malloc(sizeof *w + len);
    if (w == NULL) {
        xs_log(XS_LOG_ERROR, "%s out of memory", t->peer);
        destroy(t);
        return -1;
    }
    memcpy(w->data, data, len);
    w->len = len;
    return submit(t, w);
}

/* Everything OpenSSL wrote (records, alerts, tickets, close_notify) goes out now. -1 when the
 * connection was destroyed. */
static int flush_tls(xs_transport *t)
{
    size_t n;

    while (t->tls != NULL && !t->dead && (n = xs_tls_out_len(t->tls)) > 0) {
        wreq *w;

        if (g_cork > 0 && !t->shut_started) {
            uint8_t *room = pend_room(t, n);
            size_t took;

            if (room == NULL)
                return -1;
            took = xs_tls_out_take(t->tls, room, n);
            t->pend->len += took;
            if (took == 0)
                return 0;
            continue;
        }
        w = malloc(sizeof *w + n);
        if (w == NULL) {
            xs_log(XS_LOG_ERROR, "%s out of memory", t->peer);
            destroy(t);
            return -1;
        }
        w->len = xs_tls_out_take(t->tls, w->data, n);
        if (w->len == 0 || t->shut_started) {
            free(w);
            return 0;
        }
        if (submit(t, w) != 0)
            return -1;
    }
    return t->dead ? -1 : 0;
}

size_t xs_transport_backlog(const xs_transport *t)
{
    return t->queued + t->plain_len + (t->pend != NULL ? t->pend->len : 0u) +
           (t->tls != NULL ? xs_tls_plain_pending(t->tls) : 0u);
}

void xs_transport_trim(xs_transport *t)
{
    if (t->tls_up && !t->dead && !t->closing)
        xs_tls_trim(t->tls);
}

int xs_transport_has_room(const xs_transport *t, size_t n)
{
    size_t b = xs_transport_backlog(t);

    return b <= t->out_queue_max && n <= t->out_queue_max - b;
}

xs_transport_status xs_transport_send(xs_transport *t, const uint8_t *p, size_t n)
{
    if (t->closing || t->dead || t->quiet)
        return XS_TRANSPORT_CLOSED;
    if (n == 0)
        return XS_TRANSPORT_OK;
    if (t->tls != NULL && !t->tls_up) {
        /* nothing of the stream may go out while the handshake runs; never in the clear */
        xs_log(XS_LOG_DEBUG, "%s dropped %zu bytes of output during the TLS handshake", t->peer, n);
        return XS_TRANSPORT_FAILED;
    }
    if (t->tls_up && g_cork > 0)
        return plain_keep(t, p, n) == 0 ? XS_TRANSPORT_OK : XS_TRANSPORT_CLOSED;
    if (t->tls_up) {
        if (xs_tls_write(t->tls, p, n) != XS_TLS_OK) {
            xs_log(XS_LOG_INFO, "%s TLS: %s", t->peer, xs_tls_error(t->tls));
            destroy(t);
            return XS_TRANSPORT_CLOSED;
        }
        return flush_tls(t) == 0 ? XS_TRANSPORT_OK : XS_TRANSPORT_CLOSED;
    }
    return write_raw(t, p, n) == 0 ? XS_TRANSPORT_OK : XS_TRANSPORT_CLOSED;
}

xs_transport_status xs_transport_send_bounded(xs_transport *t, const uint8_t *p, size_t n)
{
    if (t->closing || t->dead)
        return XS_TRANSPORT_CLOSED;
    if (!xs_transport_has_room(t, n))
        return XS_TRANSPORT_FULL;
    return xs_transport_send(t, p, n);
}

/* --- close ------------------------------------------------------------------------------- */

static void on_shutdown(uv_shutdown_t *req, int status)
{
    xs_transport *t = req->handle->data;

    t->shut_pending = 0;
    if (status < 0 || t->peer_eof)
        destroy(t);
}

/* Flush what is queued, close_notify, FIN, then wait for the peer's EOF (RFC 3920 §4.3: the
 * peer sees our </stream:stream> and the TLS close before the TCP connection goes). */
static void orderly_close(xs_transport *t)
{
    if (t->closing || t->dead)
        return;
    t->closing = 1;
    if (!t->connected) {
        destroy(t);
        return;
    }
    if (t->tls_up) {
        if (plain_seal(t) != 0)
            return;               /* the stream's last bytes precede close_notify */
        xs_tls_close(t->tls);
        if (flush_tls(t) != 0)
            return;
    }
    if (pend_submit(t) != 0)
        return;                   /* everything corked goes out before the FIN */
    uv_timer_stop(&t->timer);
    uv_timer_start(&t->timer, on_timer, XS_TRANSPORT_LINGER_MS, 0);
    t->started = 1;
    update_reading(t);
    t->shut_started = 1;
    if (uv_shutdown(&t->shut, (uv_stream_t *)&t->tcp, on_shutdown) != 0) {
        destroy(t);
        return;
    }
    t->shut_pending = 1;
}

void xs_transport_close(xs_transport *t)
{
    t->quiet = 1;
    orderly_close(t);
}

void xs_transport_abort(xs_transport *t)
{
    t->quiet = 1;
    destroy(t);
}

/* --- input ------------------------------------------------------------------------------- */

static int can_deliver(const xs_transport *t)
{
    return !t->dead && !t->closing && !t->quiet && !t->discard && !t->paused && t->held_len == 0;
}

/* Offers data to the owner; what it does not take is held (reading stops until it resumes). */
static void deliver(xs_transport *t, const uint8_t *data, size_t len)
{
    size_t used;
    uint8_t *rest;

    if (len == 0 || !can_deliver(t))
        return;
    used = t->ops->on_data(t->owner, data, len);
    if (used >= len || t->dead || t->closing || t->quiet || t->discard)
        return;
    rest = malloc(len - used);
    if (rest == NULL) {
        xs_log(XS_LOG_ERROR, "%s out of memory holding input", t->peer);
        ended(t, XS_TRANSPORT_END_NO_MEMORY, "holding input");
        destroy(t);
        return;
    }
    memcpy(rest, data + used, len - used);
    t->held = rest;
    t->held_len = len - used;
}

/* Offers the held bytes again. */
static void deliver_held(xs_transport *t)
{
    uint8_t *p = t->held;
    size_t len = t->held_len, used;

    if (p == NULL || t->dead || t->closing || t->quiet || t->discard || t->paused)
        return;
    t->held = NULL;
    t->held_len = 0;
    used = t->ops->on_data(t->owner, p, len);
    if (used < len && !t->dead && !t->closing && !t->quiet && !t->discard && t->held == NULL) {
        memmove(p, p + used, len - used);
        t->held = p;
        t->held_len = len - used;
        return;
    }
    free(p);
}

static void tls_input(xs_transport *t, const uint8_t *data, size_t len)
{
    xs_tls_status st;

    if (xs_tls_put(t->tls, data, len) != 0) {
        xs_log(XS_LOG_ERROR, "%s TLS: cannot buffer input", t->peer);
        ended(t, XS_TRANSPORT_END_NO_MEMORY, "TLS input");
        destroy(t);
        return;
    }
    if (!t->tls_up) {
        st = xs_tls_handshake(t->tls);
        if (flush_tls(t) != 0 || st == XS_TLS_AGAIN)
            return;
        if (st != XS_TLS_OK) {
            if (!t->quiet && t->ops->on_tls_failed != NULL)
                t->ops->on_tls_failed(t->owner, xs_tls_error(t->tls));
            return;
        }
        t->tls_up = 1;
        if (!t->quiet && t->ops->on_tls_done != NULL)
            t->ops->on_tls_done(t->owner);
        /* the restart that follows TLS discards plaintext from before the handshake, which
         * STARTTLS dropped already; what TLS decrypts from here on is the new stream */
        t->discard = 0;
    }
    tls_drain(t);
}

/* Decrypts and delivers until OpenSSL needs more, the owner stops taking, or the end. */
static void tls_drain(xs_transport *t)
{
    while (!t->closing && !t->dead && t->tls_up) {
        xs_tls_status st;
        size_t n = 0;

        if (!t->discard && !can_deliver(t))
            return;               /* held or paused: the ciphertext waits in the read BIO */
        st = xs_tls_read(t->tls, g_plain, sizeof g_plain, &n);
        if (flush_tls(t) != 0)
            return;
        if (st == XS_TLS_OK) {
            if (!t->discard)
                deliver(t, g_plain, n);
            continue;
        }
        if (st == XS_TLS_AGAIN)
            return;
        if (st == XS_TLS_CLOSED) {
            ended(t, XS_TRANSPORT_END_CLOSE_NOTIFY, "");
            orderly_close(t);
            return;
        }
        if (st == XS_TLS_RENEGOTIATION)
            ended(t, XS_TRANSPORT_END_RENEGOTIATION, xs_tls_error(t->tls));
        else
            ended(t, XS_TRANSPORT_END_TLS_ERROR, xs_tls_error(t->tls));
        destroy(t);
        return;
    }
}

/* After a read: stop reading while the output queue is over the cap (DESIGN.md Known traps). */
static void check_backlog(xs_transport *t)
{
    if (!t->closing && !t->dead && !t->full && xs_transport_backlog(t) > t->out_queue_max) {
        xs_log(XS_LOG_DEBUG, "%s output queue over the cap: reading paused", t->peer);
        t->full = 1;
    }
    update_reading(t);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    xs_transport *t = stream->data;

    if (nread == 0 || t->dead)
        return;
    if (nread < 0) {
        t->peer_eof = 1;
        update_reading(t);
        if (!t->closing)
            ended(t, nread == UV_EOF ? XS_TRANSPORT_END_EOF : XS_TRANSPORT_END_RESET,
                  nread == UV_EOF ? "" : uv_strerror((int)nread));
        if (!t->shut_pending)
            destroy(t);
        return;
    }
    if (t->closing)
        return;
    t->discard = 0;
    cork_begin();
    if (t->tls != NULL)
        tls_input(t, (const uint8_t *)buf->base, (size_t)nread);
    else
        deliver(t, (const uint8_t *)buf->base, (size_t)nread);
    cork_end();
    if (!t->dead)
        check_backlog(t);
}

/* The timer: the linger ran out after our close, or the owner resumed input. */
static void on_timer(uv_timer_t *timer)
{
    xs_transport *t = timer->data;

    if (t->dead)
        return;
    if (t->closing) {
        destroy(t);               /* the peer did not close within XS_TRANSPORT_LINGER_MS */
        return;
    }
    t->discard = 0;
    cork_begin();
    deliver_held(t);
    if (t->tls != NULL && t->held_len == 0 && !t->paused)
        tls_drain(t);
    cork_end();
    if (!t->dead)
        check_backlog(t);
}

void xs_transport_discard_input(xs_transport *t)
{
    t->discard = 1;
    free(t->held);
    t->held = NULL;
    t->held_len = 0;
}

void xs_transport_pause_input(xs_transport *t)
{
    t->paused = 1;
    update_reading(t);
}

void xs_transport_resume_input(xs_transport *t)
{
    if (t->dead || t->closing)
        return;
    t->paused = 0;
    if (t->held_len > 0 || t->tls_up)
        uv_timer_start(&t->timer, on_timer, 0, 0);   /* never re-enter the owner from its call */
    else
        update_reading(t);
}

xs_transport_status xs_transport_start(xs_transport *t)
{
    if (t->dead || t->closing)
        return XS_TRANSPORT_CLOSED;
    t->started = 1;
    update_reading(t);
    if (!t->reading && read_wanted(t)) {
        destroy(t);
        return XS_TRANSPORT_CLOSED;
    }
    return XS_TRANSPORT_OK;
}

/* --- TLS --------------------------------------------------------------------------------- */

static xs_transport_status tls_begin(xs_transport *t, xs_tls *tls)
{
    if (tls == NULL)
        return XS_TRANSPORT_FAILED;
    xs_tls_free(t->tls);
    t->tls = tls;
    t->tls_up = 0;
    /* RFC 3920 §5.2 step 5: nothing that came with <starttls/> or <proceed/> is processed */
    xs_transport_discard_input(t);
    return XS_TRANSPORT_OK;
}

xs_transport_status xs_transport_start_tls_server(xs_transport *t, xs_tls_ctx *ctx, const char *host)
{
    if (t->dead || t->closing)
        return XS_TRANSPORT_CLOSED;
    return tls_begin(t, xs_tls_new(ctx, host));
}

xs_transport_status xs_transport_start_tls_client(xs_transport *t, xs_tls_ctx *ctx, const char *our_host,
                                                  const char *peer_domain)
{
    xs_transport_status r;
    xs_tls_status st;

    if (t->dead || t->closing)
        return XS_TRANSPORT_CLOSED;
    r = tls_begin(t, xs_tls_new_client(ctx, our_host, peer_domain));
    if (r != XS_TRANSPORT_OK)
        return r;
    st = xs_tls_handshake(t->tls);   /* the ClientHello */
    if (flush_tls(t) != 0)
        return XS_TRANSPORT_CLOSED;
    return st == XS_TLS_AGAIN ? XS_TRANSPORT_OK : XS_TRANSPORT_FAILED;
}

/* --- creation ---------------------------------------------------------------------------- */

static void peer_text(xs_transport *t)
{
    char ip[INET6_ADDRSTRLEN];

    snprintf(t->peer, sizeof t->peer, "?");
    if (!t->has_peer)
        return;
    if (t->peer_ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&t->peer_ss;
        if (uv_ip4_name(a, ip, sizeof ip) == 0)
            snprintf(t->peer, sizeof t->peer, "%s:%u", ip, (unsigned)ntohs(a->sin_port));
    } else if (t->peer_ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&t->peer_ss;
        if (uv_ip6_name(a, ip, sizeof ip) == 0)
            snprintf(t->peer, sizeof t->peer, "[%s]:%u", ip, (unsigned)ntohs(a->sin6_port));
    }
}

static xs_transport *transport_new(uv_loop_t *loop, const xs_transport_ops *ops, void *owner, uint32_t out_queue_max)
{
    xs_transport *t = calloc(1, sizeof *t);

    if (t == NULL)
        return NULL;
    t->ops = ops;
    t->owner = owner;
    t->out_queue_max = out_queue_max;
    snprintf(t->peer, sizeof t->peer, "?");
    uv_tcp_init(loop, &t->tcp);
    uv_timer_init(loop, &t->timer);
    t->tcp.data = t;
    t->timer.data = t;
    t->handles = 2;
    return t;
}

/* A transport the caller never gets: closes without any callback. */
static void discard_new(xs_transport *t)
{
    t->never_owned = 1;
    destroy(t);
}

xs_transport *xs_transport_accept(uv_loop_t *loop, uv_stream_t *listener, const xs_transport_ops *ops, void *owner,
                                  uint32_t out_queue_max)
{
    xs_transport *t = transport_new(loop, ops, owner, out_queue_max);
    int len = (int)sizeof t->peer_ss;

    if (t == NULL) {
        xs_err("accept: out of memory");
        return NULL;
    }
    if (uv_accept(listener, (uv_stream_t *)&t->tcp) != 0) {
        discard_new(t);
        return NULL;
    }
    t->connected = 1;
    if (uv_tcp_getpeername(&t->tcp, (struct sockaddr *)&t->peer_ss, &len) == 0)
        t->has_peer = 1;
    peer_text(t);
    uv_tcp_nodelay(&t->tcp, 1);
    return t;
}

static void on_connect(uv_connect_t *req, int status)
{
    xs_transport *t = req->handle->data;

    if (t->dead || status == UV_ECANCELED)
        return;
    if (status < 0) {
        t->quiet = 1;
        if (t->ops->on_connect_failed != NULL)
            t->ops->on_connect_failed(t->owner, uv_strerror(status));
        destroy(t);
        return;
    }
    t->connected = 1;
    uv_tcp_nodelay(&t->tcp, 1);
    if (!t->quiet && t->ops->on_connected != NULL)
        t->ops->on_connected(t->owner);
    if (!t->dead)
        update_reading(t);        /* xs_transport_start may have come before the connection */
}

xs_transport *xs_transport_connect(uv_loop_t *loop, const struct sockaddr *addr, const xs_transport_ops *ops,
                                   void *owner, uint32_t out_queue_max)
{
    xs_transport *t;
    size_t alen;

    if (addr->sa_family == AF_INET)
        alen = sizeof(struct sockaddr_in);
    else if (addr->sa_family == AF_INET6)
        alen = sizeof(struct sockaddr_in6);
    else
        return NULL;
    t = transport_new(loop, ops, owner, out_queue_max);
    if (t == NULL)
        return NULL;
    memcpy(&t->peer_ss, addr, alen);
    t->has_peer = 1;
    peer_text(t);
    if (uv_tcp_connect(&t->connect, &t->tcp, addr, on_connect) != 0) {
        discard_new(t);
        return NULL;
    }
    return t;
}

/* --- accessors --------------------------------------------------------------------------- */

xs_tls *xs_transport_tls(const xs_transport *t)
{
    return t->tls;
}

int xs_transport_tls_up(const xs_transport *t)
{
    return t->tls_up;
}

const char *xs_transport_peer(const xs_transport *t)
{
    return t->peer;
}

int xs_transport_peer_addr(const xs_transport *t, struct sockaddr_storage *ss)
{
    if (!t->has_peer)
        return -1;
    *ss = t->peer_ss;
    return 0;
}
