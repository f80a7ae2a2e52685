/*
 * main.c — xmppd: read the configuration, load certificates, open the account store, listen,
 * and run the loop.
 *
 *   xmppd -c xmppd.conf [-f] [-t]
 *     -f  stay in the foreground and log to stderr (default: detach and log to syslog)
 *     -t  check the configuration and certificates, then exit
 *
 * Signals: SIGINT/SIGTERM — every stream gets <system-shutdown/> and is flushed, then the
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
#include "sasl_server.h"

#define SHUTDOWN_MS 5000u
#define XS_ADDR_FAILURE_SLOTS 65536u  /* addresses remembered only for their failed logins */
#define SHUTDOWN_TICK_MS 50u

static xs_server g_srv;
static uv_tcp_t g_listen[XS_CFG_LISTEN_MAX];
static uint32_t g_n_listen;
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
    return g;
}

static int same_listeners(const xs_config *a, const xs_config *b)
{
    uint32_t i;

    if (a->n_listen != b->n_listen)
        return 0;
    for (i = 0; i < a->n_listen; i++)
        if (a->listen[i].port != b->listen[i].port || strcmp(a->listen[i].address, b->listen[i].address) != 0)
            return 0;
    return 1;
}

static void reload(void)
{
    char err[1024];
    xs_gen *old = g_srv.gen, *g = gen_load(old->cfg.path, err, sizeof err);

    if (g == NULL) {
        xs_err("reload refused, the running configuration stays: %s", err);
        return;
    }
    if (g->cfg.stanza_postauth > g_srv.stanza_postauth_max) {
        xs_err("reload refused, the running configuration stays: limits.stanza_bytes %" PRIu32
               " is above the %" PRIu32 " this process started with (restart to raise it)",
               g->cfg.stanza_postauth, g_srv.stanza_postauth_max);
        xs_gen_unref(g);
        return;
    }
    if (!same_listeners(&old->cfg, &g->cfg))
        xs_warn("reload: listener changes take effect after a restart");
    if (strcmp(old->cfg.store, g->cfg.store) != 0)
        xs_warn("reload: a new account store takes effect after a restart");
    g_srv.gen = g;
    xs_gen_unref(old);
    xs_log_set_level(g->cfg.log_level);
    xs_info("reloaded %s: certificates and settings apply to new streams; %" PRIu32 " open streams keep theirs",
            g->cfg.path, g_srv.n_conns);
}

static void close_cb(uv_handle_t *h)
{
    (void)h;
}

static void on_stop_tick(uv_timer_t *t)
{
    (void)t;
    g_stop_ticks++;
    if (g_srv.n_conns > 0 && g_stop_ticks * SHUTDOWN_TICK_MS < SHUTDOWN_MS)
        return;
    if (g_srv.n_conns > 0) {
        xs_warn("shutdown: %" PRIu32 " streams did not close in time: cut", g_srv.n_conns);
        xs_conn_abort_all(&g_srv);
    }
    uv_close((uv_handle_t *)&g_stop, close_cb);
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
        return;
    }
    g_srv.shutting_down = 1;
    xs_info("%s: shutting down %" PRIu32 " streams", signum == SIGINT ? "SIGINT" : "SIGTERM", g_srv.n_conns);
    for (i = 0; i < g_n_listen; i++)
        uv_close((uv_handle_t *)&g_listen[i], close_cb);
    xs_conn_shutdown_all(&g_srv);
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

static int listen_all(const xs_config *cfg)
{
    uint32_t i;

    for (i = 0; i < cfg->n_listen; i++) {
        const xs_listen_cfg *l = &cfg->listen[i];
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
            uv_tcp_init(g_srv.loop, &g_listen[i]);
            g_listen[i].data = &g_srv;
            g_n_listen = i + 1;
            r = uv_tcp_bind(&g_listen[i], (const struct sockaddr *)&ss, flags);
        }
        if (r == 0)
            r = uv_listen((uv_stream_t *)&g_listen[i], 511, on_connection);
        if (r != 0) {
            xs_err("cannot listen on %s port %u: %s", l->address, (unsigned)l->port, uv_strerror(r));
            return -1;
        }
        xs_info("listening on %s%s%s:%u", flags ? "[" : "", l->address, flags ? "]" : "", (unsigned)l->port);
    }
    return 0;
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
    xs_info("xmppd ready: c2s_require_encryption=%s, account store %s",
            gen->cfg.require_encryption ? "true" : "false", gen->cfg.store);
    uv_run(g_srv.loop, UV_RUN_DEFAULT);
    xs_info("xmppd stopped");
    rc = 0;
out_loop:
    for (i = 0; i < g_n_listen; i++)
        if (!uv_is_closing((uv_handle_t *)&g_listen[i]))
            uv_close((uv_handle_t *)&g_listen[i], close_cb);
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
