/*
 * main.c — xmppd: read the configuration, load certificates, open the account store, listen,
 * and run the loop.
 *
 *   xmppd -c xmppd.conf [-f] [-t]
 *     -f  stay in the foreground and log to stderr (default: detach and log to syslog)
 *     -t  check the configuration and certificates, then exit
 *
 * Listeners: c2s on `listen`, s2s on `s2s.listen` (none by default; outbound s2s streams are
 * opened on demand either way, src/server/s2s.c).
 *
 * Signals: SIGINT/SIGTERM — every stream (c2s and s2s) gets <system-shutdown/> and is flushed, then the
 * process exits (a second signal, or SHUTDOWN_MS, cuts the rest). SIGHUP — the configuration and
 * certificates are read again; streams keep running on the settings they began with, new
 * streams get the new ones. Listeners, the account store and a larger stanza cap need a restart;
 * a reload that fails keeps the running configuration.
 */
#include <inttypes.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "dialback_secret.h"
#include "log.h"
#include "privileges.h"
#include "s2s.h"
#include "sasl_server.h"

#define SHUTDOWN_MS 5000u
#define XS_ADDR_FAILURE_SLOTS 65536u  /* addresses remembered only for their failed logins */
#define SHUTDOWN_TICK_MS 50u

static xs_server g_srv;
static uv_tcp_t g_listen[XS_CFG_LISTEN_MAX];
static uint32_t g_n_listen;
static uv_tcp_t g_s2s_listen[XS_CFG_LISTEN_MAX];
static uint32_t g_n_s2s_listen;
static uint32_t g_s2s_stanza_max;   /* s2s.stanza_bytes at start: the s2s route buffer's size */
static uv_signal_t g_sig_int, g_sig_term, g_sig_hup;
static uv_timer_t g_stop;
static uint32_t g_stop_ticks;

static void usage(void)
{
    fprintf(stderr, "usage: xmppd -c xmppd.conf [-f] [-t]\n"
                    "  -c FILE  configuration (libconfig syntax; see etc/xmppd.conf.example)\n"
                    "  -f       foreground: log to stderr\n"
                    "  -t       check the configuration and certificates, then exit\n");
}

static xs_gen *gen_load(const char *path, char *err, size_t err_len)
{
    xs_gen *g = calloc(1, sizeof *g);

    if (g == NULL) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    g->refs = 1;
    if (xs_config_load(path, &g->cfg, err, err_len) != 0) {
        free(g);
        return NULL;
    }
    xs_config_c2s(&g->cfg, &g->c2s);
    g->tls = xs_tls_ctx_new(&g->cfg, err, err_len);
    if (g->tls == NULL) {
        free(g);
        return NULL;
    }
    /* s2s: the same certificates, peer certificates asked for and verified against s2s.ca */
    g->s2s_tls = xs_tls_s2s_ctx_new(&g->cfg, g->cfg.s2s.ca, err, err_len);
    if (g->s2s_tls == NULL) {
        xs_gen_unref(g);
        return NULL;
    }
    return g;
}

static int same_listen_list(const xs_listen_cfg *a, uint32_t na, const xs_listen_cfg *b, uint32_t nb)
{
    uint32_t i;

    if (na != nb)
        return 0;
    for (i = 0; i < na; i++)
        if (a[i].port != b[i].port || strcmp(a[i].address, b[i].address) != 0)
            return 0;
    return 1;
}

static int same_listeners(const xs_config *a, const xs_config *b)
{
    return same_listen_list(a->listen, a->n_listen, b->listen, b->n_listen) &&
           same_listen_list(a->s2s.listen, a->s2s.n_listen, b->s2s.listen, b->s2s.n_listen);
}

static void reload(void)
{
    char err[1024];
    xs_gen *old = g_srv.gen, *g = gen_load(old->cfg.path, err, sizeof err);

    if (g == NULL) {
        xs_err("reload refused, the running configuration stays: %s", err);
        return;
    }
    if (g->cfg.stanza_postauth > g_srv.stanza_postauth_max || g->cfg.s2s.stanza_bytes > g_s2s_stanza_max) {
        xs_err("reload refused, the running configuration stays: limits.stanza_bytes %" PRIu32
               " (s2s.stanza_bytes %" PRIu32 ") is above the %" PRIu32 " (%" PRIu32 ") this process started "
               "with (restart to raise it)", g->cfg.stanza_postauth, g->cfg.s2s.stanza_bytes,
               g_srv.stanza_postauth_max, g_s2s_stanza_max);
        xs_gen_unref(g);
        return;
    }
    if (!same_listeners(&old->cfg, &g->cfg))
        xs_warn("reload: listener changes take effect after a restart");
    if (strcmp(old->cfg.store, g->cfg.store) != 0)
        xs_warn("reload: a new account store takes effect after a restart");
    if (strcmp(old->cfg.s2s.dns_server, g->cfg.s2s.dns_server) != 0 || old->cfg.s2s.n_hosts != g->cfg.s2s.n_hosts ||
        memcmp(old->cfg.s2s.hosts, g->cfg.s2s.hosts, g->cfg.s2s.n_hosts * sizeof g->cfg.s2s.hosts[0]) != 0)
        xs_warn("reload: s2s.hosts and s2s.dns_server changes take effect after a restart");
    g_srv.gen = g;
    xs_gen_unref(old);
    xs_log_set_level(g->cfg.log_level);
    xs_s2s_reload(g_srv.s2s);
    xs_info("reloaded %s: certificates and settings apply to new streams; %" PRIu32 " open streams keep theirs",
            g->cfg.path, g_srv.n_conns);
}

static void close_cb(uv_handle_t *h)
{
    (void)h;
}

static void on_stop_tick(uv_timer_t *t)
{
    size_t n_s2s = xs_s2s_count(g_srv.s2s);

    (void)t;
    g_stop_ticks++;
    if ((g_srv.n_conns > 0 || n_s2s > 0) && g_stop_ticks * SHUTDOWN_TICK_MS < SHUTDOWN_MS)
        return;
    if (g_srv.n_conns > 0 || n_s2s > 0) {
        xs_warn("shutdown: %" PRIu32 " c2s and %zu s2s streams did not close in time: cut", g_srv.n_conns, n_s2s);
        xs_conn_abort_all(&g_srv);
        xs_s2s_abort_all(g_srv.s2s);
    }
    /* the resolver's handles close with it, so the loop can end */
    xs_s2s_free(g_srv.s2s);
    g_srv.s2s = NULL;
    uv_close((uv_handle_t *)&g_stop, close_cb);
    uv_close((uv_handle_t *)&g_srv.heap_trim, close_cb);
    uv_close((uv_handle_t *)&g_sig_int, close_cb);
    uv_close((uv_handle_t *)&g_sig_term, close_cb);
    uv_close((uv_handle_t *)&g_sig_hup, close_cb);
}

static void begin_shutdown(int signum)
{
    uint32_t i;

    if (g_srv.shutting_down) {
        xs_warn("second signal: closing every connection now");
        xs_conn_abort_all(&g_srv);
        xs_s2s_abort_all(g_srv.s2s);
        return;
    }
    g_srv.shutting_down = 1;
    xs_info("%s: shutting down %" PRIu32 " streams, %zu s2s streams", signum == SIGINT ? "SIGINT" : "SIGTERM",
            g_srv.n_conns, xs_s2s_count(g_srv.s2s));
    for (i = 0; i < g_n_listen; i++)
        uv_close((uv_handle_t *)&g_listen[i], close_cb);
    for (i = 0; i < g_n_s2s_listen; i++)
        uv_close((uv_handle_t *)&g_s2s_listen[i], close_cb);
    xs_conn_shutdown_all(&g_srv);
    xs_s2s_shutdown_all(g_srv.s2s);
    uv_timer_init(g_srv.loop, &g_stop);
    uv_timer_start(&g_stop, on_stop_tick, SHUTDOWN_TICK_MS, SHUTDOWN_TICK_MS);
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)h;
    if (signum == SIGHUP) {
        if (!g_srv.shutting_down)
            reload();
        return;
    }
    begin_shutdown(signum);
}

static void on_connection(uv_stream_t *listener, int status)
{
    if (status < 0) {
        xs_warn("accept: %s", uv_strerror(status));
        return;
    }
    xs_conn_accept(&g_srv, listener);
}

static void on_s2s_connection(uv_stream_t *listener, int status)
{
    if (status < 0) {
        xs_warn("s2s accept: %s", uv_strerror(status));
        return;
    }
    xs_s2s_accept(g_srv.s2s, listener);
}

/* Binds and listens on every address of list into handles (n_open counts the handles to close). */
static int listen_list(const xs_listen_cfg *list, uint32_t n, uv_tcp_t *handles, uint32_t *n_open, uv_connection_cb cb,
                       const char *what)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        const xs_listen_cfg *l = &list[i];
        struct sockaddr_storage ss;
        unsigned flags = 0;
        int r;

        if (strchr(l->address, ':') != NULL) {
            r = uv_ip6_addr(l->address, l->port, (struct sockaddr_in6 *)&ss);
            flags = UV_TCP_IPV6ONLY;
        } else {
            r = uv_ip4_addr(l->address, l->port, (struct sockaddr_in *)&ss);
        }
        if (r == 0) {
            uv_tcp_init(g_srv.loop, &handles[i]);
            handles[i].data = &g_srv;
            *n_open = i + 1;
            r = uv_tcp_bind(&handles[i], (const struct sockaddr *)&ss, flags);
        }
        if (r == 0)
            r = uv_listen((uv_stream_t *)&handles[i], 511, cb);
        if (r != 0) {
            xs_err("cannot listen on %s port %u: %s", l->address, (unsigned)l->port, uv_strerror(r));
            return -1;
        }
        xs_info("listening (%s) on %s%s%s:%u", what, flags ? "[" : "", l->address, flags ? "]" : "",
                (unsigned)l->port);
    }
    return 0;
}

static int listen_all(const xs_config *cfg)
{
    if (listen_list(cfg->listen, cfg->n_listen, g_listen, &g_n_listen, on_connection, "c2s") != 0)
        return -1;
    return listen_list(cfg->s2s.listen, cfg->s2s.n_listen, g_s2s_listen, &g_n_s2s_listen, on_s2s_connection, "s2s");
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int foreground = 0, check = 0, opt, rc = 1;
    char err[1024];
    xs_sasl_config sc;
    xs_gen *gen;
    uint32_t i;
    uint64_t seed = 0;
    char path_used[XS_CFG_PATH_MAX + 32];

    while ((opt = getopt(argc, argv, "c:fth")) != -1) {
        switch (opt) {
        case 'c': path = optarg; break;
        case 'f': foreground = 1; break;
        case 't': check = 1; break;
        default: usage(); return opt == 'h' ? 0 : 2;
        }
    }
    if (path == NULL || optind != argc) {
        usage();
        return 2;
    }
    xs_log_open(XS_LOG_INFO, 0);
    signal(SIGPIPE, SIG_IGN);
    gen = gen_load(path, err, sizeof err);
    if (gen == NULL) {
        xs_err("configuration refused: %s", err);
        return 1;
    }
    g_srv.gen = gen;
    if (check) {
        printf("%s: configuration and certificates are valid\n", path);
        xs_gen_unref(gen);
        return 0;
    }
    xs_log_set_level(gen->cfg.log_level);
    memset(&sc, 0, sizeof sc);
    sc.store_path = gen->cfg.store;
    sc.service = "xmpp";
    if (xs_sasl_init(&sc, err, sizeof err) != 0) {
        xs_err("SASL: %s", err);
        xs_gen_unref(gen);
        return 1;
    }
    switch (xs_dialback_secret_load(gen->cfg.data_dir, gen->cfg.dialback_secret, &g_srv.db_secret, path_used,
                                    sizeof path_used, err, sizeof err)) {
    case XS_DB_SECRET_CREATED:
        xs_info("dialback secret: made %s (256 bits from the CSPRNG, mode 0600)", path_used);
        break;
    case XS_DB_SECRET_LOADED:
        xs_info("dialback secret: read from %s", path_used);
        break;
    case XS_DB_SECRET_FAILED:
        xs_err("dialback secret: %s", err);
        xs_gen_unref(gen);
        goto out_sasl;
    }
    if (!foreground) {
        if (daemon(1, 0) != 0) {
            xs_err("cannot detach: daemon() failed");
            goto out_sasl;
        }
        xs_log_open(gen->cfg.log_level, 1);
    }

    g_srv.loop = uv_default_loop();
    uv_timer_init(g_srv.loop, &g_srv.heap_trim);
    g_srv.router = xs_router_new(gen->cfg.max_streams);
    if (RAND_bytes((unsigned char *)&seed, (int)sizeof seed) != 1) {
        xs_err("RAND_bytes failed");
        goto out;
    }
    g_srv.addrs = xs_addr_table_new(XS_ADDR_FAILURE_SLOTS, seed);
    g_srv.stanza_postauth_max = gen->cfg.stanza_postauth;
    g_srv.route_cap = 6u * gen->cfg.stanza_postauth + 4096u;
    g_srv.route_buf = malloc(g_srv.route_cap);
    if (g_srv.router == NULL || g_srv.route_buf == NULL || g_srv.addrs == NULL) {
        xs_err("out of memory");
        goto out;
    }
    g_s2s_stanza_max = gen->cfg.s2s.stanza_bytes;
    g_srv.s2s = xs_s2s_new(&g_srv);
    if (g_srv.s2s == NULL)
        goto out_loop;
    if (listen_all(&gen->cfg) != 0)
        goto out_loop;
    /* keys, the account store and the sockets are open: root is not needed any more */
    switch (xs_privileges_drop(gen->cfg.user, err, sizeof err)) {
    case XS_PRIV_DROPPED:
        xs_info("running as user %s", gen->cfg.user);
        break;
    case XS_PRIV_ROOT_KEPT:
        xs_warn("running as root: set `user` in %s so that xmppd drops its privileges", gen->cfg.path);
        break;
    case XS_PRIV_UNCHANGED:
        break;
    case XS_PRIV_FAILED:
        xs_err("%s", err);
        goto out_loop;
    }
    uv_signal_init(g_srv.loop, &g_sig_int);
    uv_signal_init(g_srv.loop, &g_sig_term);
    uv_signal_init(g_srv.loop, &g_sig_hup);
    uv_signal_start(&g_sig_int, on_signal, SIGINT);
    uv_signal_start(&g_sig_term, on_signal, SIGTERM);
    uv_signal_start(&g_sig_hup, on_signal, SIGHUP);
    for (i = 0; i < gen->cfg.n_hosts; i++)
        xs_info("serving %s (certificate %s)", gen->cfg.hosts[i].domain, gen->cfg.hosts[i].cert);
    xs_info("xmppd ready: c2s_require_encryption=%s, s2s_require_encryption=%s, account store %s",
            gen->cfg.require_encryption ? "true" : "false", gen->cfg.s2s.require_encryption ? "true" : "false",
            gen->cfg.store);
    uv_run(g_srv.loop, UV_RUN_DEFAULT);
    xs_info("xmppd stopped");
    rc = 0;
out_loop:
    if (!uv_is_closing((uv_handle_t *)&g_srv.heap_trim))
        uv_close((uv_handle_t *)&g_srv.heap_trim, close_cb);
    for (i = 0; i < g_n_listen; i++)
        if (!uv_is_closing((uv_handle_t *)&g_listen[i]))
            uv_close((uv_handle_t *)&g_listen[i], close_cb);
    for (i = 0; i < g_n_s2s_listen; i++)
        if (!uv_is_closing((uv_handle_t *)&g_s2s_listen[i]))
            uv_close((uv_handle_t *)&g_s2s_listen[i], close_cb);
    if (g_srv.s2s != NULL) {
        xs_s2s_abort_all(g_srv.s2s);
        xs_s2s_free(g_srv.s2s);
        g_srv.s2s = NULL;
    }
    uv_run(g_srv.loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(g_srv.loop);
out:
    xs_router_free(g_srv.router);
    xs_addr_table_free(g_srv.addrs);
    free(g_srv.route_buf);
    xs_gen_unref(g_srv.gen);
out_sasl:
    xs_sasl_shutdown();
    return rc;
}
