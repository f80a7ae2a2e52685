/*
 * config.c — see config.h. libconfig parses; this file checks every value and fills the struct.
 *
 * The checks are strict on purpose: every name at every level must be known, numbers must be
 * integers inside their range, strings must fit their buffers. Errors carry the file and line of
 * the offending setting (config_setting_source_file/line), or libconfig's own syntax error
 * (config_error_file/line/text).
 */
#include <arpa/inet.h>
#include <libconfig.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "xc_jid.h"

typedef struct ctx {
    const char *path;
    char dir[XS_CFG_PATH_MAX];
    char *err;
    size_t err_len;
} ctx;

static int fail(ctx *c, const config_setting_t *where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(ctx *c, const config_setting_t *where, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    const char *file = c->path;
    unsigned line = 0;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (where != NULL) {
        if (config_setting_source_file(where) != NULL)
            file = config_setting_source_file(where);
        line = config_setting_source_line(where);
    }
    if (line > 0)
        snprintf(c->err, c->err_len, "%s:%u: %s", file, line, msg);
    else
        snprintf(c->err, c->err_len, "%s: %s", file, msg);
    return -1;
}

/* Refuses any member of group g whose name is not in known (NULL-terminated). */
static int only_known(ctx *c, const config_setting_t *g, const char *const *known)
{
    int i, n = config_setting_length(g);

    for (i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        size_t k;
        int ok = 0;

        for (k = 0; name != NULL && known[k] != NULL; k++)
            if (strcmp(name, known[k]) == 0)
                ok = 1;
        if (!ok)
            return fail(c, m, "unknown setting '%s'", name != NULL ? name : "?");
    }
    return 0;
}

/* An optional integer member in [lo, hi]; *out keeps its default when absent. */
static int get_uint(ctx *c, const config_setting_t *g, const char *name, uint32_t lo, uint32_t hi, uint32_t *out)
{
    const config_setting_t *m = config_setting_get_member(g, name);
    long long v;

    if (m == NULL)
        return 0;
    if (config_setting_type(m) != CONFIG_TYPE_INT && config_setting_type(m) != CONFIG_TYPE_INT64)
        return fail(c, m, "'%s' must be an integer", name);
    v = config_setting_get_int64(m);
    if (v < (long long)lo || v > (long long)hi)
        return fail(c, m, "'%s' must be between %u and %u", name, lo, hi);
    *out = (uint32_t)v;
    return 0;
}

static int get_bool(ctx *c, const config_setting_t *g, const char *name, int *out)
{
    const config_setting_t *m = config_setting_get_member(g, name);

    if (m == NULL)
        return 0;
    if (config_setting_type(m) != CONFIG_TYPE_BOOL)
        return fail(c, m, "'%s' must be true or false", name);
    *out = config_setting_get_bool(m) != 0;
    return 0;
}

/* A string member; required or optional (then *found says whether it was there). */
static int get_str(ctx *c, const config_setting_t *g, const char *name, char *out, size_t cap, int required)
{
    const config_setting_t *m = config_setting_get_member(g, name);
    const char *v;

    if (m == NULL)
        return required ? fail(c, g, "'%s' is required", name) : 0;
    if (config_setting_type(m) != CONFIG_TYPE_STRING)
        return fail(c, m, "'%s' must be a string", name);
    v = config_setting_get_string(m);
    if (v == NULL || strlen(v) >= cap)
        return fail(c, m, "'%s' is longer than %zu bytes", name, cap - 1);
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

/* A path member, made absolute against the configuration file's directory. */
static int get_path(ctx *c, const config_setting_t *g, const char *name, char *out, int required)
{
    char raw[XS_CFG_PATH_MAX];
    int n;

    raw[0] = '\0';
    if (get_str(c, g, name, raw, sizeof raw, required) != 0)
        return -1;
    if (raw[0] == '\0')
        return required ? fail(c, config_setting_get_member(g, name), "'%s' is empty", name) : 0;
    if (raw[0] == '/')
        n = snprintf(out, XS_CFG_PATH_MAX, "%s", raw);
    else if (strcmp(raw, ".") == 0)
        n = snprintf(out, XS_CFG_PATH_MAX, "%s", c->dir);
    else
        n = snprintf(out, XS_CFG_PATH_MAX, "%s/%s", c->dir, raw);
    if (n < 0 || (size_t)n >= XS_CFG_PATH_MAX)
        return fail(c, config_setting_get_member(g, name), "'%s' is too long", name);
    return 0;
}

/* A domain as the core compares it: nameprepped, lower case, no node or resource. */
static int prep_domain(ctx *c, const config_setting_t *where, const char *raw, char *out)
{
    xc_jid j;

    if (xc_jid_parse(raw, strlen(raw), &j) != XC_JID_OK || j.node_len != 0 || j.resource_len != 0)
        return fail(c, where, "'%s' is not a valid domain name", raw);
    memcpy(out, xc_jid_domain(&j).ptr, j.domain_len);
    out[j.domain_len] = '\0';
    return 0;
}

/* A list of listeners { address = "..."; port = N; } into out[0 .. *n - 1]: at least `min`. */
static int load_listeners(ctx *c, const config_setting_t *l, unsigned min, xs_listen_cfg *out, uint32_t *n_out)
{
    static const char *const known[] = { "address", "port", NULL };
    int i, n;

    if (!config_setting_is_list(l) && !config_setting_is_array(l))
        return fail(c, l, "'listen' must be a list ( { address = \"...\"; port = N; }, ... )");
    n = config_setting_length(l);
    if ((unsigned)n < min || (unsigned)n > XS_CFG_LISTEN_MAX)
        return fail(c, l, "'listen' must hold %u to %u listeners", min, XS_CFG_LISTEN_MAX);
    for (i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        xs_listen_cfg *lc = &out[i];
        unsigned char addr[16];
        uint32_t port = 0;

        if (!config_setting_is_group(e))
            return fail(c, e, "each listener is a group { address = \"...\"; port = N; }");
        if (only_known(c, e, known) != 0 || get_str(c, e, "address", lc->address, sizeof lc->address, 1) != 0)
            return -1;
        if (config_setting_get_member(e, "port") == NULL)
            return fail(c, e, "'port' is required");
        if (get_uint(c, e, "port", 1, 65535, &port) != 0)
            return -1;
        lc->port = (uint16_t)port;
        if (inet_pton(AF_INET, lc->address, addr) != 1 && inet_pton(AF_INET6, lc->address, addr) != 1)
            return fail(c, config_setting_get_member(e, "address"), "'%s' is not an IPv4 or IPv6 address",
                        lc->address);
    }
    *n_out = (uint32_t)n;
    return 0;
}

static int load_listen(ctx *c, const config_setting_t *root, xs_config *cfg)
{
    const config_setting_t *l = config_setting_get_member(root, "listen");

    if (l == NULL)
        return fail(c, NULL, "'listen' is required: a list of { address = \"...\"; port = N; }");
    return load_listeners(c, l, 1, cfg->listen, &cfg->n_listen);
}

static int check_key_file(ctx *c, const config_setting_t *where, const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return fail(c, where, "key '%s' cannot be read", path);
    if ((st.st_mode & 077) != 0)
        return fail(c, where, "key '%s' is readable by others (mode %03o): make it 0600", path,
                    (unsigned)(st.st_mode & 0777));
    return 0;
}

/* c2s_client_certs, client_ca, client_crl and client_cert_identity of one virtual host. */
static int load_client_certs(ctx *c, const config_setting_t *e, xs_vhost_cfg *h)
{
    char mode[16], ident[16];

    snprintf(mode, sizeof mode, "off");
    snprintf(ident, sizeof ident, "xmppaddr");
    if (get_str(c, e, "c2s_client_certs", mode, sizeof mode, 0) != 0 ||
        get_str(c, e, "client_cert_identity", ident, sizeof ident, 0) != 0)
        return -1;
    if (strcmp(mode, "off") == 0)
        h->client_certs = XS_CLIENT_CERTS_OFF;
    else if (strcmp(mode, "optional") == 0)
        h->client_certs = XS_CLIENT_CERTS_OPTIONAL;
    else if (strcmp(mode, "required") == 0)
        h->client_certs = XS_CLIENT_CERTS_REQUIRED;
    else
        return fail(c, config_setting_get_member(e, "c2s_client_certs"), "'c2s_client_certs' is off, optional or required");
    if (strcmp(ident, "xmppaddr") == 0)
        h->cert_identity = XS_CERT_ID_XMPPADDR;
    else if (strcmp(ident, "email") == 0)
        h->cert_identity = XS_CERT_ID_EMAIL;
    else
        return fail(c, config_setting_get_member(e, "client_cert_identity"), "'client_cert_identity' is xmppaddr or email");
    if (get_path(c, e, "client_ca", h->client_ca, h->client_certs != XS_CLIENT_CERTS_OFF) != 0 ||
        get_path(c, e, "client_crl", h->client_crl, 0) != 0)
        return -1;
    if (h->client_certs == XS_CLIENT_CERTS_OFF && (h->client_ca[0] != '\0' || h->client_crl[0] != '\0'))
        return fail(c, e, "'client_ca' and 'client_crl' need c2s_client_certs = \"optional\" or \"required\"");
    return 0;
}

static int load_hosts(ctx *c, const config_setting_t *root, xs_config *cfg)
{
    static const char *const known[] = { "domain", "certificate", "key", "c2s_client_certs", "client_ca", "client_crl",
                                         "client_cert_identity", NULL };
    const config_setting_t *l = config_setting_get_member(root, "virtual_hosts");
    const config_setting_t *g;
    int i, n;

    if (l == NULL)
        return fail(c, NULL, "'virtual_hosts' is required: ( { domain = ...; certificate = ...; key = ...; } )");
    if (!config_setting_is_list(l))
        return fail(c, l, "'virtual_hosts' must be a list ( { ... }, ... )");
    n = config_setting_length(l);
    if (n < 1 || (unsigned)n > XC_C2S_HOSTS_MAX)
        return fail(c, l, "'virtual_hosts' must hold 1 to %u hosts", XC_C2S_HOSTS_MAX);
    for (i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        xs_vhost_cfg *h = &cfg->hosts[i];
        char raw[XS_CFG_NAME_MAX];
        int k;

        if (!config_setting_is_group(e))
            return fail(c, e, "each virtual host is a group { domain = ...; certificate = ...; key = ...; }");
        if (only_known(c, e, known) != 0 || get_str(c, e, "domain", raw, sizeof raw, 1) != 0 ||
            prep_domain(c, config_setting_get_member(e, "domain"), raw, h->domain) != 0 ||
            get_path(c, e, "certificate", h->cert, 1) != 0 || get_path(c, e, "key", h->key, 1) != 0 ||
            check_key_file(c, config_setting_get_member(e, "key"), h->key) != 0 || load_client_certs(c, e, h) != 0)
            return -1;
        for (k = 0; k < i; k++)
            if (strcmp(cfg->hosts[k].domain, h->domain) == 0)
                return fail(c, e, "virtual host '%s' is listed twice", h->domain);
    }
    cfg->n_hosts = (uint32_t)n;
    g = config_setting_get_member(root, "hosts_gone");
    if (g != NULL) {
        if (!config_setting_is_array(g) && !config_setting_is_list(g))
            return fail(c, g, "'hosts_gone' must be an array of domain names [ \"...\" ]");
        n = config_setting_length(g);
        if ((unsigned)n > XC_C2S_HOSTS_MAX)
            return fail(c, g, "'hosts_gone' holds at most %u names", XC_C2S_HOSTS_MAX);
        for (i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
            const char *v = config_setting_get_string(e);
            uint32_t k;

            if (v == NULL || strlen(v) >= XS_CFG_NAME_MAX)
                return fail(c, e, "'hosts_gone' entries are domain names");
            if (prep_domain(c, e, v, cfg->gone[i]) != 0)
                return -1;
            for (k = 0; k < cfg->n_hosts; k++)
                if (strcmp(cfg->hosts[k].domain, cfg->gone[i]) == 0)
                    return fail(c, e, "'%s' is both served and gone", cfg->gone[i]);
        }
        cfg->n_gone = (uint32_t)n;
    }
    return 0;
}

static int load_mechs(ctx *c, const config_setting_t *root, xs_config *cfg)
{
    const config_setting_t *l = config_setting_get_member(root, "mechanisms");
    int i, n;

    if (l == NULL)
        return 0;
    if (!config_setting_is_array(l) && !config_setting_is_list(l))
        return fail(c, l, "'mechanisms' must be an array [ \"SCRAM-SHA-256\", ... ]");
    n = config_setting_length(l);
    cfg->mechs = 0;
    for (i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *v = config_setting_get_string(e);
        int m, found = 0;

        for (m = 0; v != NULL && m < (int)XC_MECH_COUNT; m++) {
            xc_str name = xc_mech_name((xc_mech)m);
            if (strlen(v) == name.len && memcmp(v, name.ptr, name.len) == 0) {
                cfg->mechs |= 1u << m;
                found = 1;
            }
        }
        if (!found)
            return fail(c, e, "unknown mechanism '%s' (EXTERNAL, SCRAM-SHA-256-PLUS, SCRAM-SHA-256, "
                        "SCRAM-SHA-1-PLUS, SCRAM-SHA-1, PLAIN)", v != NULL ? v : "?");
    }
    if (cfg->mechs == 0)
        return fail(c, l, "'mechanisms' enables none: no client could log in");
    return 0;
}

static int load_groups(ctx *c, const config_setting_t *root, xs_config *cfg)
{
    static const char *const k_limits[] = { "stanza_bytes_preauth", "stanza_bytes", "max_streams",
                                            "output_queue_bytes", "auth_failures", "streams_per_address",
                                            "auth_failures_per_address", "auth_failure_window", NULL };
    static const char *const k_timeouts[] = { "handshake", "idle", "ping", NULL };
    static const char *const k_tls[] = { "ciphers", "ciphersuites", "idle_handover", NULL };
    const config_setting_t *g;

    if ((g = config_setting_get_member(root, "limits")) != NULL) {
        if (!config_setting_is_group(g))
            return fail(c, g, "'limits' must be a group { ... }");
        if (only_known(c, g, k_limits) != 0 ||
            get_uint(c, g, "stanza_bytes_preauth", 1024, 1048576, &cfg->stanza_preauth) != 0 ||
            get_uint(c, g, "stanza_bytes", 4096, 16777216, &cfg->stanza_postauth) != 0 ||
            get_uint(c, g, "max_streams", 1, 1000000, &cfg->max_streams) != 0 ||
            get_uint(c, g, "output_queue_bytes", 16384, 1073741824, &cfg->out_queue_max) != 0 ||
            get_uint(c, g, "auth_failures", 1, 255, &cfg->max_auth_failures) != 0 ||
            get_uint(c, g, "streams_per_address", 1, 1000000, &cfg->streams_per_address) != 0 ||
            get_uint(c, g, "auth_failures_per_address", 1, 1000000, &cfg->auth_failures_per_address) != 0 ||
            get_uint(c, g, "auth_failure_window", 1, 86400, &cfg->auth_failure_window) != 0)
            return -1;
        if (cfg->stanza_preauth > cfg->stanza_postauth)
            return fail(c, g, "'stanza_bytes_preauth' is larger than 'stanza_bytes'");
        if (cfg->out_queue_max < cfg->stanza_postauth)
            return fail(c, g, "'output_queue_bytes' is smaller than 'stanza_bytes': a stanza the server "
                        "accepts could never be delivered");
    }
    if ((g = config_setting_get_member(root, "timeouts")) != NULL) {
        if (!config_setting_is_group(g))
            return fail(c, g, "'timeouts' must be a group { ... }");
        if (only_known(c, g, k_timeouts) != 0 || get_uint(c, g, "handshake", 1, 3600, &cfg->handshake_timeout) != 0 ||
            get_uint(c, g, "idle", 1, 604800, &cfg->idle_timeout) != 0 ||
            get_uint(c, g, "ping", 1, 3600, &cfg->ping_timeout) != 0)
            return -1;
    }
    if ((g = config_setting_get_member(root, "tls")) != NULL) {
        if (!config_setting_is_group(g))
            return fail(c, g, "'tls' must be a group { ... }");
        if (only_known(c, g, k_tls) != 0 ||
            get_str(c, g, "ciphers", cfg->tls_ciphers, sizeof cfg->tls_ciphers, 0) != 0 ||
            get_str(c, g, "ciphersuites", cfg->tls_ciphersuites, sizeof cfg->tls_ciphersuites, 0) != 0 ||
            get_bool(c, g, "idle_handover", &cfg->tls_idle_handover) != 0)
            return -1;
    }
    return 0;
}

/* "address:port" or "[IPv6]:port", the form c-ares takes for its servers. */
static int check_dns_server(ctx *c, const config_setting_t *where, const char *v)
{
    char addr[XS_CFG_ADDR_MAX];
    unsigned char bin[16];
    const char *colon, *host = v;
    size_t host_len;
    char *end;
    unsigned long port;
    int family = AF_INET;

    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (close == NULL || close[1] != ':')
            return fail(c, where, "'dns_server' is \"address:port\" or \"[IPv6 address]:port\"");
        host = v + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
        family = AF_INET6;
    } else {
        colon = strrchr(v, ':');
        if (colon == NULL || strchr(v, ':') != colon)
            return fail(c, where, "'dns_server' is \"address:port\" or \"[IPv6 address]:port\"");
        host_len = (size_t)(colon - v);
    }
    if (host_len == 0 || host_len >= sizeof addr)
        return fail(c, where, "'dns_server' names no address");
    memcpy(addr, host, host_len);
    addr[host_len] = '\0';
    if (inet_pton(family, addr, bin) != 1)
        return fail(c, where, "'%s' is not an IP address (dns_server)", addr);
    port = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
        return fail(c, where, "'dns_server' port must be between 1 and 65535");
    return 0;
}

/* s2s.hosts: the static map { domain; address; port; }, one entry per domain. */
static int load_s2s_hosts(ctx *c, const config_setting_t *l, xs_s2s_cfg *s)
{
    static const char *const known[] = { "domain", "address", "port", NULL };
    int i, n;

    if (!config_setting_is_list(l))
        return fail(c, l, "'hosts' must be a list ( { domain = \"...\"; address = \"...\"; port = N; }, ... )");
    n = config_setting_length(l);
    if ((unsigned)n > XS_CFG_S2S_HOSTS_MAX)
        return fail(c, l, "'hosts' holds at most %u entries", XS_CFG_S2S_HOSTS_MAX);
    for (i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        xs_s2s_host_cfg *h = &s->hosts[i];
        char raw[XS_CFG_NAME_MAX];
        unsigned char addr[16];
        uint32_t port = 5269;   /* RFC 3920 §15.9: the IANA port of xmpp-server */
        int k;

        if (!config_setting_is_group(e))
            return fail(c, e, "each s2s host is a group { domain = \"...\"; address = \"...\"; port = N; }");
        if (only_known(c, e, known) != 0 || get_str(c, e, "domain", raw, sizeof raw, 1) != 0 ||
            prep_domain(c, config_setting_get_member(e, "domain"), raw, h->domain) != 0 ||
            get_str(c, e, "address", h->address, sizeof h->address, 1) != 0 ||
            get_uint(c, e, "port", 1, 65535, &port) != 0)
            return -1;
        h->port = (uint16_t)port;
        if (inet_pton(AF_INET, h->address, addr) != 1 && inet_pton(AF_INET6, h->address, addr) != 1)
            return fail(c, config_setting_get_member(e, "address"), "'%s' is not an IPv4 or IPv6 address",
                        h->address);
        for (k = 0; k < i; k++)
            if (strcmp(s->hosts[k].domain, h->domain) == 0)
                return fail(c, e, "s2s host '%s' is listed twice", h->domain);
    }
    s->n_hosts = (uint32_t)n;
    return 0;
}

static int load_s2s_allow(ctx *c, const config_setting_t *l, xs_s2s_cfg *s)
{
    int i, n;

    if (!config_setting_is_array(l) && !config_setting_is_list(l))
        return fail(c, l, "'allow' must be an array of domain names [ \"...\" ]");
    n = config_setting_length(l);
    if ((unsigned)n > XC_S2S_ALLOW_MAX)
        return fail(c, l, "'allow' holds at most %u domains", XC_S2S_ALLOW_MAX);
    for (i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *v = config_setting_get_string(e);

        if (v == NULL || strlen(v) >= XS_CFG_NAME_MAX)
            return fail(c, e, "'allow' entries are domain names");
        if (prep_domain(c, e, v, s->allow[i]) != 0)
            return -1;
    }
    s->n_allow = (uint32_t)n;
    return 0;
}

/* The group s2s (issue 6). Checks that need the hosts too (a peer that is one of our own
 * domains) come after load_hosts. */
static int load_s2s(ctx *c, const config_setting_t *root, xs_config *cfg)
{
    static const char *const known[] = { "listen", "require_encryption", "dialback_without_tls", "policy", "allow",
                                         "ca", "hosts", "dns_server", "stanza_bytes", "queue", "verify_pending",
                                         "connect_timeout", "handshake_timeout", "idle_timeout", NULL };
    const config_setting_t *g = config_setting_get_member(root, "s2s");
    const config_setting_t *m;
    xs_s2s_cfg *s = &cfg->s2s;
    char policy[16];
    uint32_t i, k;

    /* the default s2s stanza cap (512 KiB) follows a smaller output queue; a value the
     * operator sets must fit it (checked below) */
    if (cfg->out_queue_max < s->stanza_bytes)
        s->stanza_bytes = cfg->out_queue_max;
    if (g == NULL)
        return 0;
    if (!config_setting_is_group(g))
        return fail(c, g, "'s2s' must be a group { ... }");
    snprintf(policy, sizeof policy, "open");
    if (only_known(c, g, known) != 0 ||
        ((m = config_setting_get_member(g, "listen")) != NULL && load_listeners(c, m, 0, s->listen, &s->n_listen) != 0) ||
        get_bool(c, g, "require_encryption", &s->require_encryption) != 0 ||
        get_bool(c, g, "dialback_without_tls", &s->dialback_without_tls) != 0 ||
        get_str(c, g, "policy", policy, sizeof policy, 0) != 0 ||
        ((m = config_setting_get_member(g, "allow")) != NULL && load_s2s_allow(c, m, s) != 0) ||
        get_path(c, g, "ca", s->ca, 0) != 0 ||
        ((m = config_setting_get_member(g, "hosts")) != NULL && load_s2s_hosts(c, m, s) != 0) ||
        get_str(c, g, "dns_server", s->dns_server, sizeof s->dns_server, 0) != 0 ||
        get_uint(c, g, "stanza_bytes", 10000, 16777216, &s->stanza_bytes) != 0 ||
        get_uint(c, g, "queue", 1, 100000, &s->queue) != 0 ||
        get_uint(c, g, "verify_pending", 1, XC_S2S_PAIRS_MAX, &s->verify_pending) != 0 ||
        get_uint(c, g, "connect_timeout", 1, 3600, &s->connect_timeout) != 0 ||
        get_uint(c, g, "handshake_timeout", 1, 3600, &s->handshake_timeout) != 0 ||
        get_uint(c, g, "idle_timeout", 1, 604800, &s->idle_timeout) != 0)
        return -1;
    if (strcmp(policy, "open") == 0)
        s->policy = XC_S2S_POLICY_OPEN;
    else if (strcmp(policy, "allowlist") == 0)
        s->policy = XC_S2S_POLICY_ALLOWLIST;
    else if (strcmp(policy, "closed") == 0)
        s->policy = XC_S2S_POLICY_CLOSED;
    else
        return fail(c, config_setting_get_member(g, "policy"), "'policy' is open, allowlist or closed");
    if (s->n_allow > 0 && s->policy != XC_S2S_POLICY_ALLOWLIST)
        return fail(c, config_setting_get_member(g, "allow"), "'allow' needs policy = \"allowlist\"");
    if (s->dialback_without_tls && s->require_encryption)
        return fail(c, config_setting_get_member(g, "dialback_without_tls"),
                    "'dialback_without_tls' needs require_encryption = false");
    if (s->dns_server[0] != '\0' && check_dns_server(c, config_setting_get_member(g, "dns_server"), s->dns_server) != 0)
        return -1;
    if (cfg->out_queue_max < s->stanza_bytes)
        return fail(c, config_setting_get_member(g, "stanza_bytes"), "'stanza_bytes' is larger than "
                    "limits.output_queue_bytes: a stanza the server accepts could never be written on an s2s stream");
    /* a peer that is one of our own domains would route our stanzas back to us */
    for (i = 0; i < cfg->n_hosts; i++) {
        for (k = 0; k < s->n_allow; k++)
            if (strcmp(s->allow[k], cfg->hosts[i].domain) == 0)
                return fail(c, config_setting_get_elem(config_setting_get_member(g, "allow"), k),
                            "'%s' is one of our virtual hosts, not a peer", s->allow[k]);
        for (k = 0; k < s->n_hosts; k++)
            if (strcmp(s->hosts[k].domain, cfg->hosts[i].domain) == 0)
                return fail(c, config_setting_get_elem(config_setting_get_member(g, "hosts"), k),
                            "'%s' is one of our virtual hosts, not a peer", s->hosts[k].domain);
    }
    return 0;
}

static void defaults(xs_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->require_encryption = 1;
    /* EXTERNAL is offered only on a stream with a verified client certificate */
    cfg->mechs = (1u << XC_MECH_EXTERNAL) | (1u << XC_MECH_SCRAM_SHA_256_PLUS) | (1u << XC_MECH_SCRAM_SHA_256) |
                 (1u << XC_MECH_SCRAM_SHA_1_PLUS) | (1u << XC_MECH_SCRAM_SHA_1) | (1u << XC_MECH_PLAIN);
    cfg->stanza_preauth = xc_xml_limits_preauth.max_stanza_bytes;
    cfg->stanza_postauth = xc_xml_limits_c2s.max_stanza_bytes;
    cfg->max_streams = 1000;
    cfg->out_queue_max = 1048576;
    cfg->max_auth_failures = 3;
    cfg->streams_per_address = 32;
    cfg->auth_failures_per_address = 10;
    cfg->auth_failure_window = 600;
    cfg->handshake_timeout = 60;
    cfg->idle_timeout = 600;
    cfg->ping_timeout = 60;
    /* forward secrecy and AEAD only on TLS 1.2; TLS 1.3 suites are all of that kind */
    snprintf(cfg->tls_ciphers, sizeof cfg->tls_ciphers, "%s",
             "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL");
    cfg->tls_idle_handover = 1;
    cfg->log_level = XS_LOG_INFO;
    cfg->s2s.require_encryption = 1;
    cfg->s2s.policy = XC_S2S_POLICY_OPEN;
    cfg->s2s.stanza_bytes = xc_xml_limits_s2s.max_stanza_bytes;
    cfg->s2s.queue = 100;
    cfg->s2s.verify_pending = 8;
    cfg->s2s.connect_timeout = 30;
    cfg->s2s.handshake_timeout = 60;
    cfg->s2s.idle_timeout = 600;
}

int xs_config_load(const char *path, xs_config *cfg, char *err, size_t err_len)
{
    static const char *const known[] = { "listen", "virtual_hosts", "hosts_gone", "c2s_require_encryption",
                                         "mechanisms", "limits", "timeouts", "tls", "data_dir", "store",
                                         "log_level", "user", "s2s_dialback_secret_file", "s2s", NULL };
    config_t lc;
    const config_setting_t *root;
    ctx c;
    char level[16];
    const char *slash;
    int rc = -1;

    defaults(cfg);
    c.path = path;
    c.err = err;
    c.err_len = err_len;
    slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(c.dir, sizeof c.dir, ".");
    else if (slash == path)
        snprintf(c.dir, sizeof c.dir, "/");
    else
        snprintf(c.dir, sizeof c.dir, "%.*s", (int)(slash - path), path);
    if (strlen(path) >= sizeof cfg->path)
        return fail(&c, NULL, "path too long");
    memcpy(cfg->path, path, strlen(path) + 1);

    config_init(&lc);
    if (config_read_file(&lc, path) != CONFIG_TRUE) {
        if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
            snprintf(err, err_len, "%s: cannot be read", path);
        else
            snprintf(err, err_len, "%s:%d: %s", config_error_file(&lc) != NULL ? config_error_file(&lc) : path,
                     config_error_line(&lc), config_error_text(&lc));
        goto out;
    }
    root = config_root_setting(&lc);
    level[0] = '\0';
    if (only_known(&c, root, known) != 0 || load_listen(&c, root, cfg) != 0 || load_hosts(&c, root, cfg) != 0 ||
        get_bool(&c, root, "c2s_require_encryption", &cfg->require_encryption) != 0 ||
        load_mechs(&c, root, cfg) != 0 || load_groups(&c, root, cfg) != 0 ||
        get_path(&c, root, "data_dir", cfg->data_dir, 0) != 0 || get_path(&c, root, "store", cfg->store, 0) != 0 ||
        get_str(&c, root, "log_level", level, sizeof level, 0) != 0 ||
        get_str(&c, root, "user", cfg->user, sizeof cfg->user, 0) != 0 ||
        get_path(&c, root, "s2s_dialback_secret_file", cfg->dialback_secret, 0) != 0 ||
        load_s2s(&c, root, cfg) != 0)
        goto out;
    if (cfg->dialback_secret[0] != '\0' &&
        check_key_file(&c, config_setting_get_member(root, "s2s_dialback_secret_file"), cfg->dialback_secret) != 0)
        goto out;
    if (cfg->data_dir[0] == '\0')
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", c.dir);
    if (cfg->store[0] == '\0') {
        int n = snprintf(cfg->store, sizeof cfg->store, "%s/accounts.db", cfg->data_dir);
        if (n < 0 || (size_t)n >= sizeof cfg->store) {
            fail(&c, config_setting_get_member(root, "data_dir"), "'data_dir' is too long");
            goto out;
        }
    }
    if (level[0] != '\0' && xs_log_level_parse(level, &cfg->log_level) != 0) {
        fail(&c, config_setting_get_member(root, "log_level"), "'log_level' is one of error, warn, info, debug");
        goto out;
    }
    if (cfg->user[0] != '\0' && getpwnam(cfg->user) == NULL) {
        fail(&c, config_setting_get_member(root, "user"), "user '%s' does not exist", cfg->user);
        goto out;
    }
    rc = 0;
out:
    config_destroy(&lc);
    return rc;
}

/* The parser caps for a stanza size: the core's defaults, with the arena grown in proportion
 * when the stanza cap is raised above the default (never shrunk below the default arena). */
static xc_xml_limits limits_for(const xc_xml_limits *base, uint32_t stanza_bytes)
{
    xc_xml_limits l = *base;

    l.max_stanza_bytes = stanza_bytes;
    if (stanza_bytes > base->max_stanza_bytes) {
        uint64_t arena = ((uint64_t)base->max_arena_bytes * stanza_bytes + base->max_stanza_bytes - 1u) /
                         base->max_stanza_bytes;
        l.max_arena_bytes = arena > 0x7fffffffu ? 0x7fffffffu : (uint32_t)arena;
    }
    return l;
}

void xs_config_c2s(const xs_config *cfg, xc_c2s_config *out)
{
    uint32_t i;

    memset(out, 0, sizeof *out);
    for (i = 0; i < cfg->n_hosts; i++) {
        out->hosts[i].ptr = cfg->hosts[i].domain;
        out->hosts[i].len = (uint32_t)strlen(cfg->hosts[i].domain);
    }
    out->n_hosts = cfg->n_hosts;
    for (i = 0; i < cfg->n_gone; i++) {
        out->gone[i].ptr = cfg->gone[i];
        out->gone[i].len = (uint32_t)strlen(cfg->gone[i]);
    }
    out->n_gone = cfg->n_gone;
    out->mechs = cfg->mechs;
    out->require_tls = (uint8_t)(cfg->require_encryption != 0);
    out->max_auth_failures = (uint8_t)cfg->max_auth_failures;
    out->preauth = limits_for(&xc_xml_limits_preauth, cfg->stanza_preauth);
    out->postauth = limits_for(&xc_xml_limits_c2s, cfg->stanza_postauth);
}

void xs_config_s2s(const xs_config *cfg, const xc_db_secret *secret, xc_s2s_config *out)
{
    uint32_t i;

    memset(out, 0, sizeof *out);
    for (i = 0; i < cfg->n_hosts && i < XC_S2S_HOSTS_MAX; i++) {
        out->hosts[i].ptr = cfg->hosts[i].domain;
        out->hosts[i].len = (uint32_t)strlen(cfg->hosts[i].domain);
    }
    out->n_hosts = i;
    for (i = 0; i < cfg->n_gone && i < XC_S2S_HOSTS_MAX; i++) {
        out->gone[i].ptr = cfg->gone[i];
        out->gone[i].len = (uint32_t)strlen(cfg->gone[i]);
    }
    out->n_gone = i;
    out->policy = cfg->s2s.policy;
    for (i = 0; i < cfg->s2s.n_allow; i++) {
        out->allow[i].ptr = cfg->s2s.allow[i];
        out->allow[i].len = (uint32_t)strlen(cfg->s2s.allow[i]);
    }
    out->n_allow = cfg->s2s.n_allow;
    out->require_tls = (uint8_t)(cfg->s2s.require_encryption != 0);
    out->plain_dialback = (uint8_t)(cfg->s2s.dialback_without_tls != 0);
    out->queue_max = cfg->s2s.queue;
    out->verify_max = cfg->s2s.verify_pending;
    out->limits = limits_for(&xc_xml_limits_s2s, cfg->s2s.stanza_bytes);
    out->secret = *secret;
}
