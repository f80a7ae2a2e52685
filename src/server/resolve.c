/*
 * resolve.c — see resolve.h.
 *
 * A request goes through at most two DNS stages: the SRV query, then one ares_getaddrinfo (AAAA
 * and A) per record — SRV targets, the fallback domain, or static-map hosts — all at once. The
 * addresses are assembled in record order when the last lookup has answered. Every c-ares call
 * a request makes counts in `pending`, and the request's memory lives until all of them have
 * called back: c-ares cannot cancel one query, so a cancelled or timed-out request only stops
 * listening, and its late answers are dropped; once no request is running, the orphans are
 * all cancelled in c-ares (drop_orphans). The request's own timer is both the total
 * timeout and the way results reach the caller from the loop (restarted at 0 ms), so a callback
 * never runs inside xs_resolve_server or inside c-ares.
 *
 * c-ares drives its sockets through ARES_OPT_SOCK_STATE_CB: one uv_poll_t per socket it opens,
 * and one uv_timer_t set from ares_timeout() for its retransmissions.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "resolve.h"

#define NAME_MAX_LEN 253u           /* RFC 1035 §2.3.4: 255 octets on the wire */
#define SRV_PREFIX "_xmpp-server._tcp."
#define ARES_TRY_MS 2000            /* one c-ares attempt; the request's total timeout caps all */
#define ARES_TRIES 2
#define RANDOM_TRIES 64u            /* rejection sampling rejects < 2^-11 of draws */

typedef struct static_entry {
    struct static_entry *next;
    char domain[NAME_MAX_LEN + 1];
    char host[NAME_MAX_LEN + 1];
    uint16_t port;
} static_entry;

typedef struct sock_watch {
    struct sock_watch *next;
    xs_resolver *r;
    ares_socket_t fd;
    uv_poll_t poll;
} sock_watch;

struct xs_resolver {
    uv_loop_t *loop;
    ares_channel channel;
    uv_timer_t timer;            /* c-ares retransmissions */
    sock_watch *socks;
    static_entry *statics;
    static_entry **statics_tail;
    uint32_t nstatics;
    xs_resolve_req *live;        /* requests whose callback has neither run nor been cancelled */
    unsigned running;            /* requests in REQ_RUNNING */
    uint32_t timeout_ms;
    unsigned handles;            /* open libuv handles: timer, polls, request timers */
    int closing;
};

/* One place to look for addresses: an SRV target, the fallback domain, a static-map host. */
typedef struct record {
    xs_resolve_req *req;
    char host[NAME_MAX_LEN + 1];
    uint16_t port;
    uint16_t priority;
    uint16_t weight;
    int status;                  /* c-ares status of its address lookup */
    struct ares_addrinfo *ai;
} record;

typedef enum req_state {
    REQ_RUNNING,                 /* DNS answers awaited */
    REQ_FINISHED,                /* result known, delivery on the next loop turn */
    REQ_DELIVERED,
    REQ_CANCELLED
} req_state;

struct xs_resolve_req {
    xs_resolver *r;
    xs_resolve_req *prev, *next; /* r->live */
    xs_resolve_cb cb;
    void *arg;
    uv_timer_t timer;
    int timer_open;
    req_state state;
    xs_resolve_status status;
    unsigned pending;            /* c-ares callbacks still to come */
    size_t lookups_left;
    char domain[NAME_MAX_LEN + 1];
    size_t nrec;
    record rec[XS_RESOLVE_MAX_SRV];
    size_t ntargets;
    xs_target targets[XS_RESOLVE_MAX_TARGETS];
};

const char *xs_resolve_status_name(xs_resolve_status status)
{
    switch (status) {
    case XS_RESOLVE_OK: return "ok";
    case XS_RESOLVE_NOT_FOUND: return "not-found";
    case XS_RESOLVE_NO_SERVICE: return "no-service";
    case XS_RESOLVE_TIMEOUT: return "timeout";
    case XS_RESOLVE_ERROR: return "error";
    }
    return "error";
}

/* ---- libuv <-> c-ares ------------------------------------------------------------------- */

static void maybe_free_resolver(xs_resolver *r)
{
    if (!r->closing || r->handles > 0)
        return;
    while (r->statics != NULL) {
        static_entry *e = r->statics;
        r->statics = e->next;
        free(e);
    }
    free(r);
    ares_library_cleanup();
}

static void handle_closed(uv_handle_t *h)
{
    xs_resolver *r = h->data;

    r->handles--;
    maybe_free_resolver(r);
}

static void poll_closed(uv_handle_t *h)
{
    sock_watch *w = h->data;
    xs_resolver *r = w->r;

    free(w);
    r->handles--;
    maybe_free_resolver(r);
}

static void on_ares_timer(uv_timer_t *t);

/* The timer follows c-ares' next retransmission deadline, or stops when nothing is pending. */
static void arm_timer(xs_resolver *r)
{
    struct timeval buf, *tv = ares_timeout(r->channel, NULL, &buf);

    if (tv == NULL) {
        uv_timer_stop(&r->timer);
        return;
    }
    uv_timer_start(&r->timer, on_ares_timer,
                   (uint64_t)tv->tv_sec * 1000u + ((uint64_t)tv->tv_usec + 999u) / 1000u, 0);
}

static void on_ares_timer(uv_timer_t *t)
{
    xs_resolver *r = t->data;

    ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    arm_timer(r);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    sock_watch *w = p->data;
    xs_resolver *r = w->r;
    ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

    /* on a poll error let c-ares read and write, so it sees the socket's error itself */
    if (status < 0 || (events & UV_READABLE))
        rfd = w->fd;
    if (status < 0 || (events & UV_WRITABLE))
        wfd = w->fd;
    ares_process_fd(r->channel, rfd, wfd);
    arm_timer(r);
}

static void close_watch(sock_watch *w)
{
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, poll_closed);
}

static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    xs_resolver *r = data;
    sock_watch **link = &r->socks, *w;
    int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);

    while (*link != NULL && (*link)->fd != fd)
        link = &(*link)->next;
    w = *link;
    if (events == 0) {
        /* c-ares closes fd right after this: stop polling it first */
        if (w != NULL) {
            *link = w->next;
            close_watch(w);
        }
        return;
    }
    if (w == NULL) {
        w = calloc(1, sizeof *w);
        if (w == NULL)
            return;  /* the query then ends by c-ares' timeout */
        if (uv_poll_init_socket(r->loop, &w->poll, fd) != 0) {
            free(w);
            return;
        }
        w->r = r;
        w->fd = fd;
        w->poll.data = w;
        w->next = r->socks;
        r->socks = w;
        r->handles++;
    }
    uv_poll_start(&w->poll, events, on_poll);
}

/* ---- resolver ---------------------------------------------------------------------------- */

xs_resolver *xs_resolver_new(uv_loop_t *loop, const char *dns_server)
{
    static char dns_only[] = "b";   /* c-ares lookups: DNS, never /etc/hosts */
    static char empty_conf[] = "/dev/null";
    struct ares_options opts;
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    xs_resolver *r;

    if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
        return NULL;
    r = calloc(1, sizeof *r);
    if (r == NULL) {
        ares_library_cleanup();
        return NULL;
    }
    r->loop = loop;
    r->statics_tail = &r->statics;
    r->timeout_ms = XS_RESOLVE_DEFAULT_TIMEOUT_MS;

    memset(&opts, 0, sizeof opts);
    opts.sock_state_cb = on_sock_state;
    opts.sock_state_cb_data = r;
    opts.timeout = ARES_TRY_MS;
    opts.tries = ARES_TRIES;
    if (dns_server[0] != '\0') {
        /* Only the given servers (DESIGN.md "Loopback only"): c-ares reads an empty
         * configuration instead of /etc/resolv.conf, starts with no server (the real list
         * follows), no search domains and no hosts file. */
        mask |= ARES_OPT_RESOLVCONF | ARES_OPT_SERVERS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS;
        opts.resolvconf_path = empty_conf;
        opts.servers = NULL;
        opts.nservers = 0;
        opts.domains = NULL;
        opts.ndomains = 0;
        opts.lookups = dns_only;
    }
    if (ares_init_options(&r->channel, &opts, mask) != ARES_SUCCESS) {
        free(r);
        ares_library_cleanup();
        return NULL;
    }
    if (dns_server[0] != '\0' && ares_set_servers_ports_csv(r->channel, dns_server) != ARES_SUCCESS) {
        ares_destroy(r->channel);
        free(r);
        ares_library_cleanup();
        return NULL;
    }
    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    r->handles = 1;
    return r;
}

void xs_resolver_set_timeout(xs_resolver *r, uint32_t timeout_ms)
{
    r->timeout_ms = timeout_ms;
}

static size_t bounded_len(const char *s)
{
    return strnlen(s, NAME_MAX_LEN + 1);
}

xs_resolve_status xs_resolver_add_static(xs_resolver *r, const char *domain, const char *address,
                                         uint16_t port)
{
    size_t dlen = bounded_len(domain), alen = bounded_len(address);
    static_entry *e;

    if (dlen == 0 || dlen > NAME_MAX_LEN || alen == 0 || alen > NAME_MAX_LEN || port == 0
        || r->nstatics >= XS_RESOLVE_MAX_STATIC)
        return XS_RESOLVE_ERROR;
    /* "[v6]" as written in a host:port pair; ares_getaddrinfo wants the bare literal */
    if (address[0] == '[') {
        if (alen < 3 || address[alen - 1] != ']')
            return XS_RESOLVE_ERROR;
        address++;
        alen -= 2;
    }
    e = calloc(1, sizeof *e);
    if (e == NULL)
        return XS_RESOLVE_ERROR;
    memcpy(e->domain, domain, dlen);
    memcpy(e->host, address, alen);
    e->port = port;
    *r->statics_tail = e;
    r->statics_tail = &e->next;
    r->nstatics++;
    return XS_RESOLVE_OK;
}

/* ---- requests ---------------------------------------------------------------------------- */

static void free_addrinfos(xs_resolve_req *q)
{
    size_t i;

    for (i = 0; i < q->nrec; i++) {
        if (q->rec[i].ai != NULL)
            ares_freeaddrinfo(q->rec[i].ai);
        q->rec[i].ai = NULL;
    }
}

static void maybe_free_req(xs_resolve_req *q)
{
    if ((q->state != REQ_DELIVERED && q->state != REQ_CANCELLED) || q->timer_open || q->pending > 0)
        return;
    free_addrinfos(q);
    free(q);
}

static void req_timer_closed(uv_handle_t *h)
{
    xs_resolve_req *q = h->data;
    xs_resolver *r = q->r;

    q->timer_open = 0;
    maybe_free_req(q);
    r->handles--;
    maybe_free_resolver(r);
}

static void unlink_live(xs_resolve_req *q)
{
    if (q->prev != NULL)
        q->prev->next = q->next;
    else
        q->r->live = q->next;
    if (q->next != NULL)
        q->next->prev = q->prev;
    q->prev = q->next = NULL;
}

/* The request will not deliver (again): close its timer; its memory goes when c-ares is done. */
static void release(xs_resolve_req *q)
{
    if (q->timer_open && !uv_is_closing((uv_handle_t *)&q->timer))
        uv_close((uv_handle_t *)&q->timer, req_timer_closed);
    maybe_free_req(q);
}

/* c-ares cannot cancel one query. Once no request is running, every query still out belongs
 * to a cancelled or timed-out request: drop them all, so that no socket or timer outlives the
 * work. Never called from inside c-ares. */
static void drop_orphans(xs_resolver *r)
{
    if (r->closing || r->running > 0)
        return;
    ares_cancel(r->channel);
    arm_timer(r);
}

static void on_req_timer(uv_timer_t *t)
{
    xs_resolve_req *q = t->data;
    xs_resolver *r = q->r;

    if (q->state == REQ_RUNNING) {
        r->running--;
        q->status = XS_RESOLVE_TIMEOUT;
        q->ntargets = 0;
    }
    unlink_live(q);
    q->state = REQ_DELIVERED;
    q->cb(q->arg, q->status, q->ntargets > 0 ? q->targets : NULL, q->ntargets);
    release(q);
    drop_orphans(r);
}

/* Result known: hand it over from the loop, never from inside c-ares or xs_resolve_server. */
static void finish(xs_resolve_req *q, xs_resolve_status status)
{
    q->r->running--;
    q->state = REQ_FINISHED;
    q->status = status;
    uv_timer_start(&q->timer, on_req_timer, 0, 0);
}

void xs_resolve_cancel(xs_resolve_req *q)
{
    xs_resolver *r = q->r;

    if (q->state == REQ_DELIVERED || q->state == REQ_CANCELLED)
        return;
    if (q->state == REQ_RUNNING)
        r->running--;
    unlink_live(q);
    q->state = REQ_CANCELLED;
    release(q);
    drop_orphans(r);
}

void xs_resolver_free(xs_resolver *r)
{
    sock_watch *w;

    if (r == NULL)
        return;
    r->closing = 1;
    while (r->live != NULL)
        xs_resolve_cancel(r->live);
    /* calls every outstanding query back with ARES_EDESTRUCTION and closes its sockets */
    ares_destroy(r->channel);
    while ((w = r->socks) != NULL) {
        r->socks = w->next;
        close_watch(w);
    }
    uv_close((uv_handle_t *)&r->timer, handle_closed);
}

/* Addresses in record order, each record's own order kept (c-ares sorts AAAA and A per
 * RFC 6724), with the record's port; at most XS_RESOLVE_MAX_TARGETS. */
static void assemble(xs_resolve_req *q)
{
    xs_resolve_status failure = XS_RESOLVE_NOT_FOUND;
    size_t i;

    q->ntargets = 0;
    for (i = 0; i < q->nrec; i++) {
        const record *rec = &q->rec[i];
        const struct ares_addrinfo_node *node;

        if (rec->status == ARES_ETIMEOUT)
            failure = XS_RESOLVE_TIMEOUT;
        else if (rec->status != ARES_SUCCESS && rec->status != ARES_ENOTFOUND
                 && rec->status != ARES_ENODATA && failure == XS_RESOLVE_NOT_FOUND)
            failure = XS_RESOLVE_ERROR;
        if (rec->ai == NULL)
            continue;
        for (node = rec->ai->nodes; node != NULL && q->ntargets < XS_RESOLVE_MAX_TARGETS;
             node = node->ai_next) {
            xs_target *t = &q->targets[q->ntargets];

            if (node->ai_addrlen > sizeof t->addr)
                continue;
            memset(t, 0, sizeof *t);
            if (node->ai_family == AF_INET) {
                memcpy(&t->addr, node->ai_addr, node->ai_addrlen);
                ((struct sockaddr_in *)(void *)&t->addr)->sin_port = htons(rec->port);
            } else if (node->ai_family == AF_INET6) {
                memcpy(&t->addr, node->ai_addr, node->ai_addrlen);
                ((struct sockaddr_in6 *)(void *)&t->addr)->sin6_port = htons(rec->port);
            } else {
                continue;
            }
            t->len = (socklen_t)node->ai_addrlen;
            q->ntargets++;
        }
    }
    free_addrinfos(q);
    finish(q, q->ntargets > 0 ? XS_RESOLVE_OK : failure);
}

static void lookup_answered(xs_resolve_req *q)
{
    if (--q->lookups_left == 0)
        assemble(q);
}

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *result)
{
    record *rec = arg;
    xs_resolve_req *q = rec->req;

    (void)timeouts;
    q->pending--;
    if (q->state != REQ_RUNNING || status != ARES_SUCCESS) {
        if (result != NULL)
            ares_freeaddrinfo(result);
        result = NULL;
    }
    if (q->state != REQ_RUNNING) {
        maybe_free_req(q);
        return;
    }
    rec->status = status;
    rec->ai = result;
    lookup_answered(q);
}

/* AAAA and A for every record at once (RFC 3920 §14.4: each SRV target is resolved to its
 * addresses); ares_getaddrinfo answers IP literals itself, possibly before it returns. */
static void start_lookups(xs_resolve_req *q)
{
    struct ares_addrinfo_hints hints;
    size_t i;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* one extra count so that answers given during the loop cannot finish the stage early */
    q->lookups_left = q->nrec + 1;
    for (i = 0; i < q->nrec; i++) {
        q->rec[i].req = q;
        q->rec[i].status = ARES_ENOTFOUND;
        q->pending++;
        ares_getaddrinfo(q->r->channel, q->rec[i].host, NULL, &hints, on_addrinfo, &q->rec[i]);
    }
    lookup_answered(q);
}

/* RFC 3920 §14.4: no usable SRV answer, so the domain itself on port 5269. */
static void fall_back(xs_resolve_req *q)
{
    memset(&q->rec[0], 0, sizeof q->rec[0]);
    memcpy(q->rec[0].host, q->domain, sizeof q->rec[0].host);
    q->rec[0].port = XS_RESOLVE_DEFAULT_PORT;
    q->nrec = 1;
    start_lookups(q);
}

/* Uniform in [0, range), range > 0: draws below 2^32 mod range are rejected, so no residue is
 * favoured. Weights only spread load (RFC 2782), so getrandom's pool is plenty. */
static int random_below(uint32_t range, uint32_t *out)
{
    uint32_t threshold = (uint32_t)(0u - range) % range;
    unsigned i;

    for (i = 0; i < RANDOM_TRIES; i++) {
        uint32_t x;

        if (getrandom(&x, sizeof x, 0) != (ssize_t)sizeof x)
            return -1;
        if (x >= threshold) {
            *out = x % range;
            return 0;
        }
    }
    return -1;
}

/* Moves rec[from] to rec[to] (to <= from), keeping the order of the records between. */
static void move_up(record *rec, size_t to, size_t from)
{
    record tmp = rec[from];

    memmove(&rec[to + 1], &rec[to], (from - to) * sizeof *rec);
    rec[to] = tmp;
}

/* RFC 2782 "Usage rules": lowest priority first; within one priority, zero-weight records go to
 * the front, then repeatedly pick a random number in [0, sum of the remaining weights] and take
 * the first record whose running sum of weights reaches it. */
static int order_records(record *rec, size_t n)
{
    size_t i, j, lo, hi;

    for (i = 1; i < n; i++) {
        for (j = i; j > 0 && rec[j - 1].priority > rec[j].priority; j--)
            move_up(rec, j - 1, j);
    }
    for (lo = 0; lo < n; lo = hi) {
        size_t zeros = lo;

        for (hi = lo; hi < n && rec[hi].priority == rec[lo].priority; hi++)
            if (rec[hi].weight == 0)
                move_up(rec, zeros++, hi);
        for (i = lo; i + 1 < hi; i++) {
            uint32_t sum = 0, pick, running = 0;

            for (j = i; j < hi; j++)
                sum += rec[j].weight;
            if (random_below(sum + 1u, &pick) != 0)
                return -1;
            for (j = i; j < hi; j++) {
                running += rec[j].weight;
                if (running >= pick)
                    break;
            }
            move_up(rec, i, j);
        }
    }
    return 0;
}

static int is_root(const char *host)
{
    /* c-ares expands the root name "." to "" */
    return host[0] == '\0' || strcmp(host, ".") == 0;
}

/* Keeps the XS_RESOLVE_MAX_SRV records of lowest priority; a lone "." is "no service". */
static void take_srv(xs_resolve_req *q, const struct ares_srv_reply *reply)
{
    const struct ares_srv_reply *s;
    size_t total = 0, roots = 0, i;

    q->nrec = 0;
    for (s = reply; s != NULL; s = s->next) {
        size_t len = bounded_len(s->host), slot = q->nrec;

        total++;
        if (is_root(s->host)) {
            roots++;
            continue;
        }
        if (len > NAME_MAX_LEN)
            continue;
        if (q->nrec == XS_RESOLVE_MAX_SRV) {
            slot = 0;
            for (i = 1; i < q->nrec; i++)
                if (q->rec[i].priority > q->rec[slot].priority)
                    slot = i;
            if (q->rec[slot].priority <= s->priority)
                continue;
        } else {
            q->nrec++;
        }
        memset(&q->rec[slot], 0, sizeof q->rec[slot]);
        memcpy(q->rec[slot].host, s->host, len);
        q->rec[slot].port = s->port;
        q->rec[slot].priority = s->priority;
        q->rec[slot].weight = s->weight;
    }
    /* RFC 2782: a single record with target "." — the service is decidedly not available */
    if (total == 1 && roots == 1) {
        finish(q, XS_RESOLVE_NO_SERVICE);
        return;
    }
    if (q->nrec == 0) {
        fall_back(q);
        return;
    }
    if (order_records(q->rec, q->nrec) != 0) {
        finish(q, XS_RESOLVE_ERROR);
        return;
    }
    start_lookups(q);
}

static void on_srv(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    xs_resolve_req *q = arg;
    struct ares_srv_reply *reply = NULL;

    (void)timeouts;
    q->pending--;
    if (q->state != REQ_RUNNING) {
        maybe_free_req(q);
        return;
    }
    if (status == ARES_ENOMEM || status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
        finish(q, XS_RESOLVE_ERROR);
        return;
    }
    /* RFC 3920 §14.4: if the SRV lookup fails (NXDOMAIN, no SRV records, or any other
     * failure), resolve the domain itself */
    if (status != ARES_SUCCESS || ares_parse_srv_reply(abuf, alen, &reply) != ARES_SUCCESS) {
        fall_back(q);
        return;
    }
    take_srv(q, reply);
    ares_free_data(reply);
}

/* An IPv4 dotted quad or a bracketed IPv6 literal (RFC 3920 §3.2): written to host, unbracketed. */
static int ip_literal(const char *domain, size_t len, char host[NAME_MAX_LEN + 1])
{
    unsigned char buf[sizeof(struct in6_addr)];

    if (inet_pton(AF_INET, domain, buf) == 1) {
        memcpy(host, domain, len + 1);
        return 1;
    }
    if (len >= 3 && domain[0] == '[' && domain[len - 1] == ']') {
        memcpy(host, domain + 1, len - 2);
        host[len - 2] = '\0';
        return inet_pton(AF_INET6, host, buf) == 1;
    }
    return 0;
}

static void take_statics(xs_resolve_req *q)
{
    const static_entry *e;

    q->nrec = 0;
    for (e = q->r->statics; e != NULL && q->nrec < XS_RESOLVE_MAX_SRV; e = e->next) {
        if (strcasecmp(e->domain, q->domain) != 0)
            continue;
        memset(&q->rec[q->nrec], 0, sizeof q->rec[q->nrec]);
        memcpy(q->rec[q->nrec].host, e->host, sizeof e->host);
        q->rec[q->nrec].port = e->port;
        q->nrec++;
    }
}

xs_resolve_req *xs_resolve_server(xs_resolver *r, const char *domain, xs_resolve_cb cb, void *arg)
{
    char name[sizeof SRV_PREFIX + NAME_MAX_LEN];
    size_t len = bounded_len(domain), i;
    xs_resolve_req *q;

    if (r->closing || len == 0 || len > NAME_MAX_LEN - (sizeof SRV_PREFIX - 1))
        return NULL;
    for (i = 0; i < len; i++)
        if (domain[i] <= ' ' || domain[i] > '~')
            return NULL;
    q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->r = r;
    q->cb = cb;
    q->arg = arg;
    q->state = REQ_RUNNING;
    r->running++;
    memcpy(q->domain, domain, len);
    uv_timer_init(r->loop, &q->timer);
    q->timer.data = q;
    q->timer_open = 1;
    r->handles++;
    q->next = r->live;
    if (r->live != NULL)
        r->live->prev = q;
    r->live = q;
    uv_timer_start(&q->timer, on_req_timer, r->timeout_ms, 0);

    /* DESIGN.md "Static host map": the configuration overrides DNS */
    take_statics(q);
    if (q->nrec > 0) {
        start_lookups(q);
    } else if (ip_literal(q->domain, len, q->rec[0].host)) {
        q->rec[0].port = XS_RESOLVE_DEFAULT_PORT;
        q->nrec = 1;
        start_lookups(q);
    } else {
        memcpy(name, SRV_PREFIX, sizeof SRV_PREFIX - 1);
        memcpy(name + sizeof SRV_PREFIX - 1, q->domain, len + 1);
        q->pending++;
        ares_query(r->channel, name, C_IN, T_SRV, on_srv, q);
    }
    arm_timer(r);
    return q;
}
