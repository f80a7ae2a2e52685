/*
 * test_resolve.c — drives src/server/resolve.c against a given DNS server and prints what it
 * resolved; tests/integration/test_s2s_resolve.py runs it against a dnsmasq on loopback.
 *
 *   test_resolve -s SERVER [-t TIMEOUT_MS] [-m DOMAIN=HOST:PORT]... COMMAND ARGS
 *     resolve DOMAIN...   all at once; one line per domain, in argument order:
 *                         "DOMAIN STATUS ADDR:PORT..." (IPv6 as [addr]:port)
 *     first N DOMAIN      N requests one after the other; "first ADDR:PORT COUNT" per distinct first target
 *     cancel DOMAIN       cancels requests at three moments (at once, on the next loop turn, from
 *                         another request's callback) and prints "cancel WHEN callback=no|yes"
 *   and always, last: "closed ok" when freeing the resolver left no libuv handle open.
 *
 * -s is required and never empty: a test must not reach the system resolver (DESIGN.md
 * "Loopback only").
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

#define MAX_DOMAINS 64
#define MAX_FIRST 1000
#define ADDR_TEXT 64

typedef struct result {
    const char *domain;
    int refused;                 /* xs_resolve_server returned NULL */
    int done;
    xs_resolve_status status;
    size_t n;
    char text[XS_RESOLVE_MAX_TARGETS][ADDR_TEXT];
} result;

static void target_text(const xs_target *t, char out[ADDR_TEXT])
{
    char a[INET6_ADDRSTRLEN];

    if (t->addr.ss_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)&t->addr;
        inet_ntop(AF_INET, &v4->sin_addr, a, sizeof a);
        snprintf(out, ADDR_TEXT, "%s:%u", a, (unsigned)ntohs(v4->sin_port));
    } else {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)&t->addr;
        inet_ntop(AF_INET6, &v6->sin6_addr, a, sizeof a);
        snprintf(out, ADDR_TEXT, "[%s]:%u", a, (unsigned)ntohs(v6->sin6_port));
    }
}

static void on_result(void *arg, xs_resolve_status status, const xs_target *targets, size_t n)
{
    result *res = arg;
    size_t i;

    res->done++;
    res->status = status;
    res->n = n;
    for (i = 0; i < n && i < XS_RESOLVE_MAX_TARGETS; i++)
        target_text(&targets[i], res->text[i]);
}

static void print_result(const result *res)
{
    size_t i;

    printf("%s %s", res->domain, res->done ? xs_resolve_status_name(res->status) : "no-callback");
    for (i = 0; i < res->n; i++)
        printf(" %s", res->text[i]);
    if (res->done > 1)
        printf(" called-%d-times", res->done);
    printf("\n");
}

static int cmd_resolve(uv_loop_t *loop, xs_resolver *r, int argc, char **argv)
{
    static result res[MAX_DOMAINS];
    int i;

    if (argc > MAX_DOMAINS)
        return 2;
    for (i = 0; i < argc; i++) {
        res[i].domain = argv[i];
        if (xs_resolve_server(r, argv[i], on_result, &res[i]) == NULL)
            res[i].refused = 1;
    }
    uv_run(loop, UV_RUN_DEFAULT);
    for (i = 0; i < argc; i++) {
        if (res[i].refused)
            printf("%s refused\n", res[i].domain);
        else
            print_result(&res[i]);
    }
    return 0;
}

static int cmd_first(uv_loop_t *loop, xs_resolver *r, int argc, char **argv)
{
    static result res[MAX_FIRST];
    static char seen[MAX_FIRST][ADDR_TEXT];
    static int count[MAX_FIRST];
    int n, i, j, nseen = 0;

    if (argc != 2 || (n = atoi(argv[0])) <= 0 || n > MAX_FIRST)
        return 2;
    /* one after the other: a burst of hundreds of UDP queries can overrun the server's socket */
    for (i = 0; i < n; i++) {
        res[i].domain = argv[1];
        if (xs_resolve_server(r, argv[1], on_result, &res[i]) == NULL)
            return 1;
        uv_run(loop, UV_RUN_DEFAULT);
    }
    for (i = 0; i < n; i++) {
        const char *first = res[i].done != 1 ? "no-callback"
                            : res[i].n > 0 ? res[i].text[0] : xs_resolve_status_name(res[i].status);

        for (j = 0; j < nseen && strcmp(seen[j], first) != 0; j++)
            ;
        if (j == nseen)
            snprintf(seen[nseen++], ADDR_TEXT, "%s", first);
        count[j]++;
    }
    for (j = 0; j < nseen; j++)
        printf("first %s %d\n", seen[j], count[j]);
    return 0;
}

/* cancel: one request cancelled at once, one on the next loop turn (its query is in flight),
 * one from the callback of a request that finishes first (a static-map literal answers without
 * DNS); a witness request for the same domain shows the DNS answer did arrive. */
typedef struct cancel_ctx {
    xs_resolver *r;
    xs_resolve_req *later;
    xs_resolve_req *from_cb;
    result cancelled[3];
    result witness;
    result canceller;
} cancel_ctx;

static void cancel_on_turn(uv_timer_t *t)
{
    cancel_ctx *c = t->data;

    xs_resolve_cancel(c->later);
    uv_close((uv_handle_t *)t, NULL);
}

static void cancel_from_cb(void *arg, xs_resolve_status status, const xs_target *targets, size_t n)
{
    cancel_ctx *c = arg;

    on_result(&c->canceller, status, targets, n);
    xs_resolve_cancel(c->from_cb);
}

static int cmd_cancel(uv_loop_t *loop, xs_resolver *r, int argc, char **argv)
{
    static cancel_ctx c;
    static const char *when[3] = {"at-once", "next-turn", "from-callback"};
    uv_timer_t turn;
    xs_resolve_req *q;
    int i;

    if (argc != 1)
        return 2;
    c.r = r;
    if (xs_resolver_add_static(r, "canceller.invalid", "127.0.0.1", 5269) != XS_RESOLVE_OK)
        return 1;
    q = xs_resolve_server(r, argv[0], on_result, &c.cancelled[0]);
    c.later = xs_resolve_server(r, argv[0], on_result, &c.cancelled[1]);
    if (xs_resolve_server(r, "canceller.invalid", cancel_from_cb, &c) == NULL)
        return 1;
    c.from_cb = xs_resolve_server(r, argv[0], on_result, &c.cancelled[2]);
    if (xs_resolve_server(r, argv[0], on_result, &c.witness) == NULL || q == NULL || c.later == NULL
        || c.from_cb == NULL)
        return 1;
    xs_resolve_cancel(q);
    uv_timer_init(loop, &turn);
    turn.data = &c;
    uv_timer_start(&turn, cancel_on_turn, 0, 0);
    uv_run(loop, UV_RUN_DEFAULT);
    for (i = 0; i < 3; i++)
        printf("cancel %s callback=%s\n", when[i], c.cancelled[i].done ? "yes" : "no");
    c.witness.domain = argv[0];
    printf("witness ");
    print_result(&c.witness);
    return 0;
}

static int add_static(xs_resolver *r, char *spec)
{
    char *eq = strchr(spec, '='), *colon = strrchr(spec, ':');
    long port;

    if (eq == NULL || colon == NULL || colon < eq)
        return -1;
    *eq = '\0';
    *colon = '\0';
    port = strtol(colon + 1, NULL, 10);
    if (port <= 0 || port > 65535)
        return -1;
    return xs_resolver_add_static(r, spec, eq + 1, (uint16_t)port) == XS_RESOLVE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    uv_loop_t loop;
    xs_resolver *r;
    const char *server = NULL;
    long timeout = -1;
    int i = 1, rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-s") == 0)
            server = argv[i + 1];
        else if (strcmp(argv[i], "-t") == 0)
            timeout = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-m") != 0)
            break;
    }
    if (server == NULL || server[0] == '\0' || i >= argc) {
        fprintf(stderr, "usage: test_resolve -s SERVER [-t MS] [-m DOMAIN=HOST:PORT]... "
                        "resolve DOMAIN... | first N DOMAIN | cancel DOMAIN\n");
        return 2;
    }
    uv_loop_init(&loop);
    r = xs_resolver_new(&loop, server);
    if (r == NULL) {
        fprintf(stderr, "test_resolve: xs_resolver_new failed for %s\n", server);
        return 1;
    }
    if (timeout > 0)
        xs_resolver_set_timeout(r, (uint32_t)timeout);
    for (int j = 1; j + 1 < i; j += 2) {
        if (strcmp(argv[j], "-m") == 0 && add_static(r, argv[j + 1]) != 0) {
            fprintf(stderr, "test_resolve: bad static entry\n");
            return 2;
        }
    }
    if (strcmp(argv[i], "resolve") == 0)
        rc = cmd_resolve(&loop, r, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "first") == 0)
        rc = cmd_first(&loop, r, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "cancel") == 0)
        rc = cmd_cancel(&loop, r, argc - i - 1, argv + i + 1);
    else
        rc = 2;
    xs_resolver_free(r);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) == 0)
        printf("closed ok\n");
    else
        printf("closed with handles open\n");
    return rc;
}
