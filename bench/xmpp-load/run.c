/*
 * run.c — the event loop and the phases of each mode (see run.h).
 *
 * One thread, one epoll set, level-triggered. Each turn: start logins while fewer than
 * `concurrency` are in progress, wait for events, let each client read and react, then top up
 * and flush the clients whose partner took messages off them (the "dirty" list, so a batch of
 * deliveries becomes one write), then the periodic work: the fixed-rate schedule (every 1 ms),
 * deadlines (every 100 ms), the server's RSS (every second), a progress line (every 5 s).
 *
 * Events carry (slot << 32 | connection number): a slot closed and reopened within one batch
 * of events must not take the old socket's events for its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "dialog.h"
#include "net.h"
#include "rss.h"
#include "run.h"

#define NS 1000000000ll
#define MS 1000000ll
#define EVENTS_MAX 512
#define CLOSE_WAIT_NS (5 * NS)      /* for the server's </stream:stream> after ours */
#define DRAIN_NS (5 * NS)           /* for messages in flight once sending stops */
#define FAR_NS (3600 * NS)

typedef int (*done_fn)(const xl_run *r);

int64_t xl_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static long server_rss(const xl_run *r)
{
    return r->cfg->server_pid > 0 ? xl_rss_kib(r->cfg->server_pid) : -1;
}

/* --- bookkeeping ----------------------------------------------------------------------------- */

static void add_detail(xl_run *r, xl_err kind, const char *text, size_t len)
{
    size_t i, n = len < sizeof r->detail[0].text ? len : sizeof r->detail[0].text - 1;

    for (i = 0; i < XL_DETAILS_MAX && r->detail[i].n > 0; i++) {
        if (r->detail[i].kind == kind && strlen(r->detail[i].text) == n && memcmp(r->detail[i].text, text, n) == 0) {
            r->detail[i].n++;
            return;
        }
    }
    if (i == XL_DETAILS_MAX)
        return;
    memcpy(r->detail[i].text, text, n);
    r->detail[i].text[n] = '\0';
    r->detail[i].kind = kind;
    r->detail[i].n = 1;
}

static void mark_dirty(xl_run *r, xl_client *c)
{
    if (!c->dirty) {
        c->dirty = 1;
        c->next_dirty = r->dirty;
        r->dirty = c;
    }
}

/* Closes c's connection and takes it out of every count. */
static void finish(xl_run *r, xl_client *c, int graceful)
{
    if (c->logging_in) {
        c->logging_in = 0;
        r->logging_in--;
    }
    if (c->is_bound) {
        c->is_bound = 0;
        r->bound--;
    }
    xl_net_close(c, graceful);
    if (c->state != XL_FREE)
        r->open--;
    c->state = XL_FREE;
}

void xl_run_fail(xl_run *r, xl_client *c, xl_err kind, const char *text, size_t len)
{
    r->err[kind]++;
    add_detail(r, kind, text, len);
    finish(r, c, 0);
}

void xl_run_closed(xl_run *r, xl_client *c)
{
    finish(r, c, 1);
}

void xl_run_bound(xl_run *r, xl_client *c)
{
    int64_t now = xl_now_ns();

    c->logging_in = 0;
    r->logging_in--;
    c->is_bound = 1;
    r->bound++;
    r->logins++;
    if (r->counting) {
        r->logins_counted++;
        xl_hist_add(&r->login_lat, (uint64_t)(now - c->login_start_ns) / 1000u);
    }
    if (r->cfg->mode == XL_MODE_LOGIN) {   /* churn: log out at once */
        c->deadline_ns = now + CLOSE_WAIT_NS;
        xl_dialog_end(r, c);
    }
}

void xl_run_delivered(xl_run *r, xl_client *c, int64_t sent_ns)
{
    xl_client *from = c->peer < r->n ? &r->c[c->peer] : NULL;
    int64_t now = xl_now_ns();

    r->received++;
    if (r->counting) {
        r->received_counted++;
        xl_hist_add(&r->msg_lat, now > sent_ns ? (uint64_t)(now - sent_ns) / 1000u : 0u);
    }
    if (from != NULL && from->inflight > 0) {
        from->inflight--;
        mark_dirty(r, from);
    }
}

void xl_run_stanza_error(xl_run *r, xl_client *c, const char *text, size_t len, int was_message)
{
    r->err[XL_ERR_STANZA]++;
    add_detail(r, XL_ERR_STANZA, text, len);
    if (was_message) {
        r->bounced++;
        if (c->inflight > 0)
            c->inflight--;
        mark_dirty(r, c);
    }
}

/* --- one client's I/O ------------------------------------------------------------------------ */

static void fail_text(xl_run *r, xl_client *c, xl_err kind, const char *text)
{
    xl_run_fail(r, c, kind, text, strlen(text));
}

static void flush_and_watch(xl_run *r, xl_client *c)
{
    if (xl_net_flush(c) != 0) {
        fail_text(r, c, XL_ERR_CLOSED, "write failed");
        return;
    }
    xl_net_watch(c, r->ep);
}

static void start_login(xl_run *r, xl_client *c, uint32_t account)
{
    int64_t now = xl_now_ns();
    uint32_t src = htonl(0x7f000001u + (uint32_t)(r->connections % r->cfg->sources));

    c->account = account;
    c->gen++;
    c->inflight = 0;
    c->scheduled = 0;
    /* a fresh resource per connection: logins of one account never replace each other */
    (void)snprintf(c->resource, sizeof c->resource, "c%llu", (unsigned long long)r->connections);
    r->connections++;
    c->login_start_ns = now;
    c->deadline_ns = now + (int64_t)(r->cfg->timeout * (double)NS);
    c->logging_in = 1;
    r->logging_in++;
    c->state = XL_CONNECTING;
    r->open++;
    if (xl_net_open(c, r->ep, src, r->dst, r->cfg->bufsize) != 0) {
        char text[96];

        (void)snprintf(text, sizeof text, "connect: %s", strerror(errno));
        fail_text(r, c, XL_ERR_CONNECT, text);
    }
}

static void tls_step(xl_run *r, xl_client *c)
{
    char err[200];
    int s = xl_net_tls_step(c, err, sizeof err);

    if (s < 0) {
        fail_text(r, c, XL_ERR_TLS, err);
    } else if (s == 1) {
        if (r->tls_desc[0] == '\0')
            xl_net_tls_describe(c, r->tls_desc, sizeof r->tls_desc);
        xl_dialog_tls_up(r, c);
    }
}

static void read_input(xl_run *r, xl_client *c)
{
    for (;;) {
        xl_io io = xl_net_read(c);

        if (io == XL_IO_AGAIN)
            return;
        if (io == XL_IO_OK) {
            xl_dialog_input(r, c);
            if (c->state == XL_FREE)
                return;
            if (c->state == XL_TLS_HANDSHAKE) {
                tls_step(r, c);
                return;
            }
            continue;
        }
        if (io == XL_IO_EOF && c->state == XL_CLOSING)
            xl_run_closed(r, c);
        else if (io == XL_IO_EOF)
            fail_text(r, c, XL_ERR_CLOSED, "connection closed by the server");
        else if (c->in_len == c->cap)
            fail_text(r, c, XL_ERR_PROTOCOL, "element larger than the buffer");
        else
            fail_text(r, c, XL_ERR_CLOSED, c->ssl != NULL ? "TLS read failed or reset" : "read failed or reset");
        return;
    }
}

static void on_event(xl_run *r, xl_client *c)
{
    char text[96];

    switch (c->state) {
    case XL_FREE:
        return;
    case XL_CONNECTING:
        if (xl_net_connected(c) != 0) {
            (void)snprintf(text, sizeof text, "connect: %s", strerror(errno));
            fail_text(r, c, XL_ERR_CONNECT, text);
            return;
        }
        xl_dialog_begin(r, c);
        break;
    case XL_TLS_HANDSHAKE:
        tls_step(r, c);
        break;
    default:
        read_input(r, c);
        break;
    }
    if (c->state != XL_FREE)
        flush_and_watch(r, c);
}

/* --- messages ---------------------------------------------------------------------------------- */

/* Messages c should have sent by now on the fixed-rate schedule. Senders are spread evenly
 * over one period so that they do not all fire in the same millisecond. */
static uint64_t due(const xl_run *r, const xl_client *c, int64_t now)
{
    int64_t t = now - r->t_send_start;

    if (t <= 0)
        return 0;
    return (uint64_t)((t * (int64_t)r->cfg->rate + (int64_t)c->index * NS) / ((int64_t)r->n * NS));
}

static void send_one(xl_run *r, xl_client *c)
{
    c->inflight++;
    r->sent++;
    if (r->counting)
        r->sent_counted++;
}

static void top_up(xl_run *r, xl_client *c, int64_t now)
{
    if (!r->sending || c->state != XL_READY || c->peer >= r->n || r->c[c->peer].state != XL_READY)
        return;
    if (r->cfg->rate > 0) {
        uint64_t d = due(r, c, now);

        while (c->scheduled < d && xl_dialog_message(r, c, now) == 0) {
            c->scheduled++;
            send_one(r, c);
        }
    } else {
        while (c->inflight < r->cfg->window && xl_dialog_message(r, c, now) == 0)
            send_one(r, c);
    }
}

static void flush_dirty(xl_run *r, int64_t now)
{
    xl_client *c;

    while ((c = r->dirty) != NULL) {
        r->dirty = c->next_dirty;
        c->dirty = 0;
        if (c->state == XL_FREE)
            continue;
        top_up(r, c, now);
        if (c->state != XL_FREE)
            flush_and_watch(r, c);
    }
}

/* --- the loop ------------------------------------------------------------------------------------ */

static void pump(xl_run *r)
{
    uint32_t tries;

    if (!r->starting)
        return;
    if (r->cfg->mode == XL_MODE_LOGIN) {
        for (tries = 0; tries < r->n && r->open < r->n && r->accounts_left > 0; tries++) {
            uint32_t i;

            for (i = 0; i < r->n && r->c[i].state != XL_FREE; i++)
                ;
            if (i == r->n)
                break;
            if (r->accounts_left != UINT32_MAX)
                r->accounts_left--;
            start_login(r, &r->c[i], r->next_account % r->cfg->clients + 1u);
            r->next_account++;
        }
        return;
    }
    for (tries = 0; tries < r->cfg->concurrency && r->logging_in < r->cfg->concurrency && r->next_slot < r->slot_limit;
         tries++) {
        start_login(r, &r->c[r->next_slot], r->next_slot + 1u);
        r->next_slot++;
    }
}

static void periodic(xl_run *r, int64_t now)
{
    uint32_t i;

    if (r->sending && r->cfg->rate > 0 && now >= r->next_tick_ns) {
        for (i = 0; i < r->n; i++)
            if (r->c[i].state == XL_READY)
                mark_dirty(r, &r->c[i]);
        flush_dirty(r, now);
        r->next_tick_ns = now + MS;
    }
    if (now >= r->next_check_ns) {
        for (i = 0; i < r->n; i++) {
            xl_client *c = &r->c[i];

            if (c->state == XL_FREE || c->state == XL_READY || now < c->deadline_ns)
                continue;
            fail_text(r, c, XL_ERR_TIMEOUT, c->state == XL_CLOSING ? "close not answered" : "login not finished in time");
        }
        r->next_check_ns = now + 100 * MS;
    }
    if (now >= r->next_rss_ns) {
        long rss = server_rss(r);

        if (rss > r->rss_max_now)
            r->rss_max_now = rss;
        r->next_rss_ns = now + NS;
    }
    if (now >= r->next_progress_ns) {
        uint64_t errors = 0;

        for (i = 0; i < XL_ERR_KINDS; i++)
            errors += r->err[i];
        fprintf(stderr, "xmpp-load: %6.1f s: %u open, %u bound, %u logging in, %llu logins, %llu delivered, %llu errors\n",
                (double)(now - r->t_start) / (double)NS, r->open, r->bound, r->logging_in,
                (unsigned long long)r->logins, (unsigned long long)r->received, (unsigned long long)errors);
        r->next_progress_ns = now + 5 * NS;
    }
}

/* Turns the loop until done(r) holds (when given) or the deadline passes. */
static void loop_until(xl_run *r, done_fn done, int64_t deadline)
{
    struct epoll_event ev[EVENTS_MAX];

    for (;;) {
        int64_t now = xl_now_ns(), wait_ms;
        int n, i;

        if ((done != NULL && done(r)) || now >= deadline)
            return;
        pump(r);
        wait_ms = r->sending && r->cfg->rate > 0 ? 1 : 100;
        if ((deadline - now) / MS < wait_ms)
            wait_ms = (deadline - now) / MS;
        n = epoll_wait(r->ep, ev, EVENTS_MAX, (int)wait_ms);
        for (i = 0; i < n; i++) {
            uint32_t slot = (uint32_t)(ev[i].data.u64 >> 32);

            if (slot < r->n && r->c[slot].gen == (uint32_t)ev[i].data.u64)
                on_event(r, &r->c[slot]);
        }
        now = xl_now_ns();
        flush_dirty(r, now);
        periodic(r, now);
    }
}

static int logins_settled(const xl_run *r)
{
    if (r->cfg->mode == XL_MODE_LOGIN)
        return r->accounts_left == 0 && r->open == 0;
    return r->next_slot >= r->slot_limit && r->logging_in == 0;
}

static int all_closed(const xl_run *r)
{
    return r->open == 0;
}

static int drained(const xl_run *r)
{
    return r->sent <= r->received + r->bounced;
}

/* --- phases --------------------------------------------------------------------------------------- */

static void phase_begin(xl_run *r)
{
    r->rss_max_now = server_rss(r);
    r->phase_start_ns = xl_now_ns();
}

static void phase_end(xl_run *r, const char *name)
{
    xl_phase *p;
    long rss = server_rss(r);

    if (r->phases == XL_PHASES_MAX)
        return;
    p = &r->phase[r->phases++];
    (void)snprintf(p->name, sizeof p->name, "%s", name);
    p->rss_kib = rss;
    p->rss_max_kib = rss > r->rss_max_now ? rss : r->rss_max_now;
    p->seconds = (double)(xl_now_ns() - r->phase_start_ns) / (double)NS;
}

static void wait_for(xl_run *r, double seconds)
{
    loop_until(r, NULL, xl_now_ns() + (int64_t)(seconds * (double)NS));
}

/* Ends every bound stream and waits for the server to close them. */
static void close_all(xl_run *r)
{
    int64_t now = xl_now_ns();
    uint32_t i;

    r->starting = 0;
    for (i = 0; i < r->n; i++) {
        xl_client *c = &r->c[i];

        if (c->state == XL_READY) {
            c->deadline_ns = now + CLOSE_WAIT_NS;
            xl_dialog_end(r, c);
            if (c->state != XL_FREE)
                flush_and_watch(r, c);
        }
    }
    loop_until(r, all_closed, now + CLOSE_WAIT_NS + NS);
    for (i = 0; i < r->n; i++)
        if (r->c[i].state != XL_FREE)
            fail_text(r, &r->c[i], XL_ERR_TIMEOUT, "close not answered");
}

/* Logs in slots [0, limit) with accounts 1..limit, at most `concurrency` at a time. */
static void log_in(xl_run *r, uint32_t limit)
{
    int64_t t0 = xl_now_ns();
    uint64_t before = r->logins;

    r->next_slot = 0;
    r->slot_limit = limit;
    r->starting = 1;
    loop_until(r, logins_settled, t0 + FAR_NS);
    r->starting = 0;
    r->ramp_logins_per_s = (double)(r->logins - before) / ((double)(xl_now_ns() - t0) / (double)NS);
}

static void count_begin(xl_run *r)
{
    xl_hist_reset(&r->login_lat);
    xl_hist_reset(&r->msg_lat);
    r->logins_counted = r->sent_counted = r->received_counted = 0;
    r->counting = 1;
    r->count_start_ns = xl_now_ns();
    r->cpu_at_count = cpu_seconds();
    r->server_cpu_at_count = xl_cpu_seconds(r->cfg->server_pid);
}

static void count_end(xl_run *r)
{
    r->counting = 0;
    r->counted_seconds = (double)(xl_now_ns() - r->count_start_ns) / (double)NS;
    r->cpu_counted = cpu_seconds() - r->cpu_at_count;
    r->server_cpu_counted = -1;
    if (r->server_cpu_at_count >= 0) {
        double now = xl_cpu_seconds(r->cfg->server_pid);

        if (now >= r->server_cpu_at_count)
            r->server_cpu_counted = now - r->server_cpu_at_count;
    }
}

static void run_login(xl_run *r)
{
    /* warm-up: every account once, so that the SCRAM cache holds every salt */
    phase_begin(r);
    r->accounts_left = r->cfg->clients;
    r->starting = 1;
    loop_until(r, logins_settled, xl_now_ns() + FAR_NS);
    phase_end(r, "warm-up round");

    phase_begin(r);
    r->accounts_left = UINT32_MAX;
    count_begin(r);
    wait_for(r, r->cfg->duration);
    count_end(r);
    r->starting = 0;
    loop_until(r, all_closed, xl_now_ns() + (int64_t)(r->cfg->timeout * (double)NS) + CLOSE_WAIT_NS);
    close_all(r);
    phase_end(r, "login churn");
}

static void run_msg(xl_run *r)
{
    uint32_t i;

    phase_begin(r);
    log_in(r, r->n);
    r->sessions = r->bound;
    phase_end(r, "login ramp");
    phase_begin(r);
    wait_for(r, r->cfg->settle);
    phase_end(r, "idle, authenticated");

    phase_begin(r);
    r->sending = 1;
    r->t_send_start = r->next_tick_ns = xl_now_ns();
    for (i = 0; i < r->n; i++)
        if (r->c[i].state == XL_READY)
            mark_dirty(r, &r->c[i]);
    wait_for(r, r->cfg->warmup);
    count_begin(r);
    wait_for(r, r->cfg->duration);
    count_end(r);
    r->sending = 0;
    loop_until(r, drained, xl_now_ns() + DRAIN_NS);
    phase_end(r, "messages");

    phase_begin(r);
    close_all(r);
    wait_for(r, r->cfg->settle);
    phase_end(r, "closed");
}

static void run_idle(xl_run *r)
{
    if (r->cfg->warm_logins > 0) {
        phase_begin(r);
        log_in(r, r->cfg->warm_logins < r->n ? r->cfg->warm_logins : r->n);
        close_all(r);
        wait_for(r, r->cfg->settle);
        phase_end(r, "base (warm-up closed)");
    }
    phase_begin(r);
    log_in(r, r->n);
    phase_end(r, "login ramp");
    phase_begin(r);
    wait_for(r, r->cfg->settle);
    count_begin(r);
    wait_for(r, r->cfg->duration);
    count_end(r);
    phase_end(r, "idle, authenticated");
    r->sessions = r->bound;

    phase_begin(r);
    close_all(r);
    wait_for(r, r->cfg->settle);
    phase_end(r, "closed");
}

int xl_run_main(xl_run *r, const xl_config *cfg)
{
    static struct sockaddr_in dst;
    char err[256];
    uint32_t i;

    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    r->ep = -1;
    memset(&dst, 0, sizeof dst);
    dst.sin_family = AF_INET;
    dst.sin_port = htons(cfg->port);
    if (inet_pton(AF_INET, cfg->host, &dst.sin_addr) != 1) {
        fprintf(stderr, "xmpp-load: %s is not an IPv4 address\n", cfg->host);
        return -1;
    }
    r->dst = &dst;
    r->tls = xl_net_tls_ctx(cfg->ca_file, err, sizeof err);
    if (r->tls == NULL) {
        fprintf(stderr, "xmpp-load: %s\n", err);
        return -1;
    }
    r->n = cfg->mode == XL_MODE_LOGIN ? cfg->concurrency : cfg->clients;
    r->c = calloc(r->n, sizeof *r->c);
    r->scram = xl_scram_cache_new(cfg->password, cfg->clients);
    r->ep = epoll_create1(EPOLL_CLOEXEC);
    if (r->c == NULL || r->scram == NULL || r->ep < 0) {
        fprintf(stderr, "xmpp-load: out of memory or descriptors\n");
        return -1;
    }
    for (i = 0; i < r->n; i++) {
        r->c[i].fd = -1;
        r->c[i].index = i;
        r->c[i].peer = cfg->mode == XL_MODE_MSG ? (i ^ 1u) : UINT32_MAX;
    }
    r->t_start = xl_now_ns();
    phase_begin(r);
    phase_end(r, "start");
    if (cfg->mode == XL_MODE_LOGIN)
        run_login(r);
    else if (cfg->mode == XL_MODE_MSG)
        run_msg(r);
    else
        run_idle(r);
    return 0;
}

void xl_run_free(xl_run *r)
{
    uint32_t i;

    for (i = 0; r->c != NULL && i < r->n; i++)
        xl_net_close(&r->c[i], 0);
    free(r->c);
    r->c = NULL;
    xl_scram_cache_free(r->scram);
    r->scram = NULL;
    if (r->tls != NULL)
        SSL_CTX_free(r->tls);
    r->tls = NULL;
    if (r->ep >= 0)
        close(r->ep);
    r->ep = -1;
}
