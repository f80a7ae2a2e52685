/*
 * sasl_server.c — sasl_server.h over Cyrus libsasl2 2.1.28 and the SQLite account store.
 *
 * What Cyrus does here, and what we keep from it (DESIGN.md "Passwords at rest", "Channel
 * binding", Known traps "Cyrus SASL"):
 *   - Mechanisms. Cyrus loads every plugin in its directory (Debian ships ANONYMOUS, LOGIN,
 *     NTLM, CRAM-MD5, DIGEST-MD5 and sasldb). Our SASL_CB_VERIFYFILE lets it load only
 *     libscram.so and libplain.so (EXTERNAL is built into libsasl2), mech_list names the six we
 *     offer, no configuration file is read, and xs_sasl_start maps the core's xc_mech through a
 *     fixed table: no name from the network ever reaches sasl_server_start.
 *   - Accounts. Our auxprop plugin ("xmppd_sqlite", registered in-process) is the only one
 *     consulted; it answers "*authPassword" with both SCRAM values of the account, so both SCRAM
 *     families work (sasldb keeps one value: the reason this plugin exists). An unknown user
 *     gets stable decoy values derived from the store's random key, so SCRAM sends a challenge
 *     and fails at the proof, exactly like a wrong password. PLAIN is checked by our
 *     SASL_CB_SERVER_USERDB_CHECKPASS against the stored SCRAM-SHA-256 value (PBKDF2 with its
 *     salt and iterations, StoredKey compared in constant time), decoys included.
 *   - Names. Our SASL_CB_CANON_USER turns whatever the client names ("juliet",
 *     "Juliet@Example.com") into the Nodeprep'd node of the stream's host, and refuses any other
 *     host; the realm is never appended (user_realm is NULL), so SASL_USERNAME is a node. Our
 *     SASL_CB_PROXY_POLICY allows only authzid == authid and answers SASL_NOAUTHZ (Cyrus's
 *     default answers SASL_BADAUTH, which would look like a wrong password).
 *   - Channel binding. The session holds data for up to two types (xs_tls_facts, and
 *     xs_sasl_session_add_binding); the GS2 header of the SCRAM client-first message names one
 *     ("p=tls-exporter,") and its data is installed for the attempt; a type we have no data for
 *     fails here as malformed-request, before Cyrus, and is not a credential failure. Cyrus
 *     keeps a *pointer* to the sasl_channel_binding_t, so it lives in the session. With data
 *     installed, a client that answers "y" (it supports binding and believes we do not: RFC
 *     5802 §6, a stripped -PLUS offer) is refused by libsasl2 after the proof (SASL_BADAUTH).
 *   - Results. Cyrus's SCRAM answers a wrong proof with SASL_BADPROT ("StoredKey mismatch"),
 *     not SASL_BADAUTH, so BADPROT is a credential failure like BADAUTH and NOUSER. Our
 *     SASL_CB_SERVER_USERDB_CHECKPASS's own code is discarded when it fails: libsasl2 then tries
 *     pwcheck_method ("auxprop", which finds no userPassword and answers SASL_NOUSER).
 *   - Each attempt (xs_sasl_start) gets a fresh sasl_conn_t, so nothing of an earlier attempt
 *     (authid, properties) survives into the next; terminal outcomes dispose of it at once.
 *   - Logging: only Cyrus's ERR and WARN lines, sanitised, to stderr; log_level 3 keeps the
 *     plugins from ever producing TRACE/PASS lines. Payloads are never logged.
 */
#include "sasl_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "store_sqlite.h"
#include "xc_jid.h"

#ifndef XS_SASL_PLUGIN_DIR
#define XS_SASL_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/sasl2"
#endif

#define AUX_PLUGIN_NAME "xmppd_sqlite"
#define CB_DATA_MAX 64u            /* tls-exporter: 32; tls-unique: a Finished (12 on TLS 1.2, 32/48 on 1.3) */
#define CB_TYPES 2u
#define EXTERNAL_SSF 256u
#define LOG_LINE_MAX 240u

static const char MECH_LIST[] =
    "SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1 PLAIN EXTERNAL";

struct xs_sasl_session {
    sasl_conn_t *conn;             /* the current attempt, or NULL */
    sasl_callback_t cbs[6];
    sasl_channel_binding_t cb;     /* Cyrus keeps a pointer to this */
    xc_mech mech;
    uint8_t scram_first_due;       /* SCRAM started without the client-first message */
    uint8_t store_failed;          /* the store failed during the current call */
    uint8_t credential_failure;    /* the last FAILURE was a wrong password / unknown user */
    uint8_t secure;
    uint8_t has_cb;                /* n_bindings > 0 */
    uint8_t has_cert;
    size_t host_len;
    size_t n_bindings;
    struct {
        char type[16];             /* "tls-exporter" or "tls-unique" */
        uint8_t data[CB_DATA_MAX];
        size_t len;
    } binding[CB_TYPES];           /* [0] from xs_tls_facts, [1] from xs_sasl_session_add_binding */
    char host[XC_JID_PART_MAX + 1];
    char cert_node[XC_JID_PART_MAX + 1];
    char user[XC_JID_PART_MAX + 1];
    uint8_t out[XC_C2S_SASL_MAX];
};

static struct {
    int active;
    xs_store *store;
    uint8_t decoy_key[XS_STORE_DECOY_KEY_LEN];
    char service[64];
} g;

/* Cyrus keeps callbacks as int (*)(void); casting through void (*)(void) says so to the compiler. */
#define CB_PROC(f) ((int (*)(void))(void (*)(void))(f))

/* --- callbacks ----------------------------------------------------------------------------- */

static int cb_getopt(void *context, const char *plugin_name, const char *option, const char **result,
                     unsigned *len)
{
    const char *v = NULL;

    (void)context;
    (void)plugin_name;
    if (option == NULL || result == NULL)
        return SASL_BADPARAM;
    if (strcmp(option, "mech_list") == 0)
        v = MECH_LIST;
    else if (strcmp(option, "auxprop_plugin") == 0)
        v = AUX_PLUGIN_NAME;
    else if (strcmp(option, "pwcheck_method") == 0)
        v = "auxprop";     /* after our checkpass callback; our plugin has no userPassword */
    else if (strcmp(option, "canon_user_plugin") == 0)
        v = "INTERNAL";
    else if (strcmp(option, "log_level") == 0)
        v = "3";           /* SASL_LOG_WARN: never TRACE or PASS */
    else if (strcmp(option, "scram_secret_generate") == 0)
        v = "no";
    if (v == NULL)
        return SASL_FAIL;  /* Cyrus's default; never a configuration file */
    *result = v;
    if (len != NULL)
        *len = (unsigned)strlen(v);
    return SASL_OK;
}

static int cb_log(void *context, int level, const char *message)
{
    char line[LOG_LINE_MAX + 1];
    size_t i;

    (void)context;
    /* SASL_LOG_FAIL lines are per-attempt details ("Password verification failed"): the shell
     * logs the outcome instead. Anything above WARN is debugging and may carry payloads. */
    if (message == NULL || level == SASL_LOG_FAIL || level > SASL_LOG_WARN || level <= SASL_LOG_NONE)
        return SASL_OK;
    for (i = 0; i < LOG_LINE_MAX && message[i] != '\0'; i++)
        line[i] = (message[i] >= 0x20 && message[i] < 0x7f) ? message[i] : '?';
    line[i] = '\0';
    fprintf(stderr, "xmppd: sasl %s: %s\n", level == SASL_LOG_ERR ? "error" : "warning", line);
    return SASL_OK;
}

static int cb_getpath(void *context, const char **path)
{
    (void)context;
    if (path == NULL)
        return SASL_BADPARAM;
    *path = XS_SASL_PLUGIN_DIR;
    return SASL_OK;
}

/* Only the plugins we use are loaded; no configuration or password file is read. */
static int cb_verifyfile(void *context, const char *file, sasl_verify_type_t type)
{
    const char *base;

    (void)context;
    if (type != SASL_VRFY_PLUGIN || file == NULL)
        return SASL_CONTINUE;
    base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    if (strcmp(base, "libscram.so") == 0 || strcmp(base, "libplain.so") == 0)
        return SASL_OK;
    return SASL_CONTINUE;
}

/* The prepared node that `in` names on this session's host: "node" or "node@host" (any case,
 * any form Nameprep maps to host). 0 on success; node has room for XC_JID_PART_MAX + 1. */
static int node_of(const xs_sasl_session *s, const char *in, size_t len, char *node, size_t *node_len)
{
    char buf[XC_PREP_IN_MAX + 2u + XC_JID_PART_MAX];
    xc_jid j;
    size_t n = len;

    *node_len = 0;
    if (len == 0 || len > XC_PREP_IN_MAX || memchr(in, '\0', len) != NULL)
        return -1;
    memcpy(buf, in, len);
    if (memchr(in, '@', len) == NULL) {
        buf[n++] = '@';
        memcpy(buf + n, s->host, s->host_len);
        n += s->host_len;
    }
    if (xc_jid_parse(buf, n, &j) != XC_JID_OK || j.node_len == 0 || j.resource_len != 0 ||
        j.domain_len != s->host_len || memcmp(j.buf + XC_JID_DOMAIN_OFF, s->host, s->host_len) != 0)
        return -1;
    memcpy(node, j.buf + XC_JID_NODE_OFF, j.node_len);
    node[j.node_len] = '\0';
    *node_len = j.node_len;
    return 0;
}

static int cb_canon_user(sasl_conn_t *conn, void *context, const char *in, unsigned inlen, unsigned flags,
                         const char *user_realm, char *out, unsigned out_max, unsigned *out_len)
{
    const xs_sasl_session *s = context;
    char node[XC_JID_PART_MAX + 1];
    size_t n = 0;

    (void)conn;
    (void)user_realm;
    if (s == NULL || in == NULL || out == NULL || out_len == NULL)
        return SASL_BADPARAM;
    if (node_of(s, in, inlen, node, &n) != 0)
        return (flags & SASL_CU_AUTHID) ? SASL_NOUSER : SASL_NOAUTHZ;
    if (n >= out_max)
        return SASL_BUFOVER;
    memcpy(out, node, n + 1);
    *out_len = (unsigned)n;
    return SASL_OK;
}

/* Both names are canonical nodes of this host (cb_canon_user): only oneself. */
static int cb_proxy_policy(sasl_conn_t *conn, void *context, const char *requested_user, unsigned rlen,
                           const char *auth_identity, unsigned alen, const char *def_realm, unsigned urlen,
                           struct propctx *propctx)
{
    (void)conn;
    (void)context;
    (void)def_realm;
    (void)urlen;
    (void)propctx;
    if (requested_user == NULL || rlen == 0)
        return SASL_OK;
    if (auth_identity == NULL || rlen != alen || memcmp(requested_user, auth_identity, rlen) != 0) {
        sasl_seterror(conn, SASL_NOLOG, "authorization identity refused");
        return SASL_NOAUTHZ;
    }
    return SASL_OK;
}

/* Stable secrets for an account that does not exist: HMAC-SHA-256 under the store's key of a
 * label, the family, node and host. Same shape and iteration count as a real account. */
static int decoy_secrets(const char *node, const char *host, xs_store_secrets *out)
{
    static const char *const labels[3] = {"salt", "stored", "server"};
    uint8_t part[3][EVP_MAX_MD_SIZE];
    char msg[16 + 2u * (XC_JID_PART_MAX + 1u) + 16];
    size_t nl = strlen(node), hl = strlen(host);
    unsigned int n = 0;
    int f, k, rc = -1;

    if (nl > XC_JID_PART_MAX || hl > XC_JID_PART_MAX)
        return -1;
    for (f = 0; f < XS_SCRAM_FAMILIES; f++) {
        for (k = 0; k < 3; k++) {
            int m = snprintf(msg, sizeof msg, "%s%c%d%c", labels[k], 0, f, 0);

            if (m < 0 || (size_t)m + nl + hl + 1u > sizeof msg)
                goto out;
            memcpy(msg + m, node, nl);
            msg[(size_t)m + nl] = '\0';
            memcpy(msg + (size_t)m + nl + 1u, host, hl);
            if (HMAC(EVP_sha256(), g.decoy_key, (int)sizeof g.decoy_key, (const unsigned char *)msg,
                     (size_t)m + nl + 1u + hl, part[k], &n) == NULL)
                goto out;
        }
        if (xs_scram_format((xs_scram_family)f, XS_SCRAM_ITER_DEFAULT, part[0], XS_SCRAM_SALT_LEN, part[1], part[2],
                            out->value[f]) != 0)
            goto out;
    }
    rc = 0;
out:
    OPENSSL_cleanse(part, sizeof part);
    return rc;
}

/* The account's secrets, or decoys. 0: real; 1: decoys; -1: the store failed. */
static int secrets_for(const char *node, const char *host, xs_store_secrets *sec)
{
    switch (xs_store_get(g.store, node, host, sec)) {
    case XS_STORE_OK:
        return 0;
    case XS_STORE_NOT_FOUND:
        return decoy_secrets(node, host, sec) == 0 ? 1 : -1;
    case XS_STORE_EXISTS:
    case XS_STORE_INVALID:
    case XS_STORE_ERROR:
    default:
        return -1;
    }
}

/* PLAIN: the password against the stored SCRAM-SHA-256 secret (or a decoy: same work). */
static int cb_checkpass(sasl_conn_t *conn, void *context, const char *user, const char *pass, unsigned passlen,
                        struct propctx *propctx)
{
    xs_sasl_session *s = context;
    char node[XC_JID_PART_MAX + 1];
    xs_store_secrets sec;
    size_t n = 0;
    int which, ok, rc = SASL_BADAUTH;

    (void)conn;
    (void)propctx;
    if (s == NULL || user == NULL || pass == NULL)
        return SASL_BADPARAM;
    if (node_of(s, user, strlen(user), node, &n) != 0)
        return SASL_NOUSER;
    which = secrets_for(node, s->host, &sec);
    if (which < 0) {
        s->store_failed = 1;
        rc = SASL_UNAVAIL;
        goto out;
    }
    ok = xs_scram_check(sec.value[XS_SCRAM_SHA_256], pass, passlen);
    if (ok < 0) {
        s->store_failed = 1;
        rc = SASL_UNAVAIL;
    } else if (ok == 1 && which == 0) {
        rc = SASL_OK;
    }
out:
    OPENSSL_cleanse(&sec, sizeof sec);
    return rc;
}

/* --- the auxprop plugin -------------------------------------------------------------------- */

static xs_sasl_session *session_of(const sasl_utils_t *utils)
{
    sasl_callback_ft proc = NULL;
    void *ctx = NULL;

    if (utils == NULL || utils->getcallback == NULL || utils->conn == NULL ||
        utils->getcallback(utils->conn, SASL_CB_CANON_USER, &proc, &ctx) != SASL_OK ||
        proc != CB_PROC(cb_canon_user))
        return NULL;
    return ctx;
}

static int aux_lookup(void *glob_context, sasl_server_params_t *sparams, unsigned flags, const char *user,
                      unsigned ulen)
{
    const struct propval *props, *cur;
    const char *values[XS_SCRAM_FAMILIES + 1];
    char node[XC_JID_PART_MAX + 1];
    xs_store_secrets sec;
    xs_sasl_session *s;
    int rc = SASL_OK, f;

    (void)glob_context;
    /* We keep nothing about authorization identities. */
    if (sparams == NULL || (flags & SASL_AUXPROP_AUTHZID) != 0)
        return SASL_OK;
    props = sparams->utils->prop_get(sparams->propctx);
    if (props == NULL)
        return SASL_NOMEM;
    for (cur = props; cur->name != NULL; cur++)
        if (strcmp(cur->name, "*authPassword") == 0)
            break;
    if (cur->name == NULL)
        return SASL_OK;    /* nothing we hold was asked for (PLAIN, EXTERNAL) */
    if (cur->values != NULL) {
        if ((flags & SASL_AUXPROP_OVERRIDE) == 0)
            return SASL_OK;
        sparams->utils->prop_erase(sparams->propctx, cur->name);
    }
    s = session_of(sparams->utils);
    if (s == NULL || user == NULL || ulen == 0 || ulen > XC_JID_PART_MAX || memchr(user, '\0', ulen) != NULL)
        return SASL_NOUSER;
    /* user is what cb_canon_user produced: a node of s->host. */
    memcpy(node, user, ulen);
    node[ulen] = '\0';
    if (secrets_for(node, s->host, &sec) < 0) {
        s->store_failed = 1;
        rc = SASL_UNAVAIL;
        goto out;
    }
    for (f = 0; f < XS_SCRAM_FAMILIES; f++)
        values[f] = sec.value[f];
    values[XS_SCRAM_FAMILIES] = NULL;
    if (sparams->utils->prop_setvals(sparams->propctx, cur->name, values) != SASL_OK)
        rc = SASL_NOMEM;
out:
    OPENSSL_cleanse(&sec, sizeof sec);
    return rc;
}

static char aux_name[] = AUX_PLUGIN_NAME;

static sasl_auxprop_plug_t aux_plug = {
    0,          /* features */
    0,          /* spare_int1 */
    NULL,       /* glob_context */
    NULL,       /* auxprop_free */
    aux_lookup, /* auxprop_lookup */
    aux_name,   /* name */
    NULL        /* auxprop_store: xmppctl writes the store, never Cyrus */
};

static int aux_init(const sasl_utils_t *utils, int max_version, int *out_version, sasl_auxprop_plug_t **plug,
                    const char *plugname)
{
    (void)utils;
    (void)plugname;
    if (out_version == NULL || plug == NULL)
        return SASL_BADPARAM;
    if (max_version < SASL_AUXPROP_PLUG_VERSION)
        return SASL_BADVERS;
    *out_version = SASL_AUXPROP_PLUG_VERSION;
    *plug = &aux_plug;
    return SASL_OK;
}

/* --- process-wide set-up ------------------------------------------------------------------- */

static const sasl_callback_t GLOBAL_CBS[] = {
    {SASL_CB_GETOPT, CB_PROC(cb_getopt), NULL},
    {SASL_CB_LOG, CB_PROC(cb_log), NULL},
    {SASL_CB_GETPATH, CB_PROC(cb_getpath), NULL},
    {SASL_CB_VERIFYFILE, CB_PROC(cb_verifyfile), NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

static void set_err(char *err, size_t err_len, const char *what, int rc)
{
    if (err != NULL && err_len > 0)
        (void)snprintf(err, err_len, "%s%s%s", what, rc != SASL_OK ? ": " : "",
                       rc != SASL_OK ? sasl_errstring(rc, NULL, NULL) : "");
}

/* Every mechanism we offer must be there (libsasl2-modules provides SCRAM and PLAIN). */
static int check_mechs(char *err, size_t err_len)
{
    static const char *const need[] = {"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", NULL};
    const char *const *mechs = sasl_global_listmech();
    size_t i, k;

    for (i = 0; need[i] != NULL; i++) {
        int found = 0;

        for (k = 0; mechs != NULL && mechs[k] != NULL; k++)
            if (strcmp(mechs[k], need[i]) == 0)
                found = 1;
        if (!found) {
            if (err != NULL && err_len > 0)
                (void)snprintf(err, err_len, "Cyrus SASL has no %s mechanism in %s (install libsasl2-modules)",
                               need[i], XS_SASL_PLUGIN_DIR);
            return -1;
        }
    }
    return 0;
}

int xs_sasl_init(const xs_sasl_config *cfg, char *err, size_t err_len)
{
    const char *service = cfg != NULL && cfg->service != NULL ? cfg->service : "xmpp";
    int rc;

    if (g.active) {
        set_err(err, err_len, "SASL is already initialised", SASL_OK);
        return -1;
    }
    if (cfg == NULL || strlen(service) == 0 || strlen(service) >= sizeof g.service) {
        set_err(err, err_len, "bad SASL service name", SASL_OK);
        return -1;
    }
    g.store = xs_store_open(cfg->store_path, XS_STORE_CREATE, err, err_len);
    if (g.store == NULL)
        return -1;
    if (xs_store_decoy_key(g.store, g.decoy_key) != XS_STORE_OK) {
        set_err(err, err_len, "the account store has no decoy key", SASL_OK);
        goto fail;
    }
    rc = sasl_server_init(GLOBAL_CBS, "xmppd");
    if (rc != SASL_OK) {
        set_err(err, err_len, "sasl_server_init", rc);
        goto fail;
    }
    rc = sasl_auxprop_add_plugin(AUX_PLUGIN_NAME, aux_init);
    if (rc != SASL_OK) {
        set_err(err, err_len, "sasl_auxprop_add_plugin", rc);
        sasl_server_done();
        goto fail;
    }
    if (check_mechs(err, err_len) != 0) {
        sasl_server_done();
        goto fail;
    }
    memcpy(g.service, service, strlen(service) + 1);
    g.active = 1;
    return 0;
fail:
    xs_store_close(g.store);
    g.store = NULL;
    OPENSSL_cleanse(g.decoy_key, sizeof g.decoy_key);
    return -1;
}

void xs_sasl_shutdown(void)
{
    if (!g.active)
        return;
    sasl_server_done();
    xs_store_close(g.store);
    g.store = NULL;
    OPENSSL_cleanse(g.decoy_key, sizeof g.decoy_key);
    g.active = 0;
}

/* --- sessions ------------------------------------------------------------------------------ */

/* Points the binding Cyrus holds (it keeps &s->cb, not a copy) at binding[i]. */
static void use_binding(xs_sasl_session *s, size_t i)
{
    s->cb.name = s->binding[i].type;
    s->cb.critical = s->mech == XC_MECH_SCRAM_SHA_256_PLUS || s->mech == XC_MECH_SCRAM_SHA_1_PLUS;
    s->cb.len = s->binding[i].len;
    s->cb.data = s->binding[i].data;
}

/* One more channel-binding type this session can serve (DESIGN.md "Channel binding": the
 * client's first message names the type; its data is installed for the attempt). */
static int add_binding(xs_sasl_session *s, const char *type, const uint8_t *data, size_t len)
{
    size_t i, tl;

    if (!s->secure || type == NULL || data == NULL || len == 0 || len > CB_DATA_MAX ||
        (strcmp(type, "tls-exporter") != 0 && strcmp(type, "tls-unique") != 0))
        return -1;
    tl = strlen(type);
    for (i = 0; i < s->n_bindings; i++)
        if (strcmp(s->binding[i].type, type) == 0)
            break;
    if (i == CB_TYPES)
        return -1;
    memcpy(s->binding[i].type, type, tl + 1);
    memcpy(s->binding[i].data, data, len);
    s->binding[i].len = len;
    if (i == s->n_bindings)
        s->n_bindings++;
    s->has_cb = 1;
    if (i == 0)
        use_binding(s, 0);
    return 0;
}

int xs_sasl_session_add_binding(xs_sasl_session *s, const char *type, const uint8_t *data, size_t len)
{
    if (s == NULL || s->conn != NULL)
        return -1;
    return add_binding(s, type, data, len);
}

xs_sasl_session *xs_sasl_session_new(const char *host, const xs_tls_facts *tls)
{
    xs_sasl_session *s;
    xc_jid j;

    if (!g.active || host == NULL || tls == NULL)
        return NULL;
    if (xc_jid_parse(host, strlen(host), &j) != XC_JID_OK || j.node_len != 0 || j.resource_len != 0)
        return NULL;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    memcpy(s->host, j.buf + XC_JID_DOMAIN_OFF, j.domain_len);
    s->host[j.domain_len] = '\0';
    s->host_len = j.domain_len;
    s->secure = tls->secure != 0;
    if (tls->cb_type != NULL)
        (void)add_binding(s, tls->cb_type, tls->cb_data, tls->cb_len);
    if (s->secure && tls->cert_jid != NULL) {
        size_t n = 0;

        /* A certificate names a bare JID of this host, or nobody (for this stream). */
        if (strchr(tls->cert_jid, '@') != NULL && node_of(s, tls->cert_jid, strlen(tls->cert_jid), s->cert_node, &n) == 0)
            s->has_cert = 1;
    }
    s->cbs[0] = (sasl_callback_t){SASL_CB_GETOPT, CB_PROC(cb_getopt), NULL};
    s->cbs[1] = (sasl_callback_t){SASL_CB_LOG, CB_PROC(cb_log), NULL};
    s->cbs[2] = (sasl_callback_t){SASL_CB_CANON_USER, CB_PROC(cb_canon_user), s};
    s->cbs[3] = (sasl_callback_t){SASL_CB_PROXY_POLICY, CB_PROC(cb_proxy_policy), s};
    s->cbs[4] = (sasl_callback_t){SASL_CB_SERVER_USERDB_CHECKPASS, CB_PROC(cb_checkpass), s};
    s->cbs[5] = (sasl_callback_t){SASL_CB_LIST_END, NULL, NULL};
    return s;
}

static void end_exchange(xs_sasl_session *s)
{
    if (s->conn != NULL)
        sasl_dispose(&s->conn);
    s->conn = NULL;
    s->scram_first_due = 0;
}

void xs_sasl_session_free(xs_sasl_session *s)
{
    if (s == NULL)
        return;
    end_exchange(s);
    OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

int xs_sasl_credential_failure(const xs_sasl_session *s)
{
    return s != NULL && s->credential_failure;
}

static const char *cyrus_name(xc_mech m)
{
    switch (m) {
    case XC_MECH_EXTERNAL: return "EXTERNAL";
    case XC_MECH_SCRAM_SHA_256_PLUS: return "SCRAM-SHA-256-PLUS";
    case XC_MECH_SCRAM_SHA_256: return "SCRAM-SHA-256";
    case XC_MECH_SCRAM_SHA_1_PLUS: return "SCRAM-SHA-1-PLUS";
    case XC_MECH_SCRAM_SHA_1: return "SCRAM-SHA-1";
    case XC_MECH_PLAIN: return "PLAIN";
    case XC_MECH_COUNT:
    default: return NULL;
    }
}

static int is_scram(xc_mech m)
{
    return m == XC_MECH_SCRAM_SHA_256_PLUS || m == XC_MECH_SCRAM_SHA_256 || m == XC_MECH_SCRAM_SHA_1_PLUS ||
           m == XC_MECH_SCRAM_SHA_1;
}

/* What this stream can run at all (the core offered it; this is the second lock). */
static int usable(const xs_sasl_session *s, xc_mech m)
{
    switch (m) {
    case XC_MECH_EXTERNAL: return s->secure && s->has_cert;
    case XC_MECH_SCRAM_SHA_256_PLUS:
    case XC_MECH_SCRAM_SHA_1_PLUS: return s->secure && s->has_cb;
    case XC_MECH_PLAIN: return s->secure;
    case XC_MECH_SCRAM_SHA_256:
    case XC_MECH_SCRAM_SHA_1: return 1;
    case XC_MECH_COUNT:
    default: return 0;
    }
}

/* The GS2 header of a SCRAM client-first message names the binding it wants ("p=NAME,"):
 * install that type's data for this attempt. -1 when this stream has no data of that type
 * (DESIGN.md "Channel binding": not a password failure), and for the "n" and "y" flags under a
 * -PLUS mechanism: its name promises binding, and Cyrus 2.1.28 enforces that only for a
 * binding marked critical (use_binding does) — found by fuzz/fuzz_sasl.c. Anything else
 * malformed is Cyrus's to judge. */
static int select_binding(xs_sasl_session *s, const uint8_t *d, size_t len)
{
    const uint8_t *comma;
    size_t n, i;

    if (len < 2 || d[0] != 'p' || d[1] != '=')
        return (s->mech == XC_MECH_SCRAM_SHA_256_PLUS || s->mech == XC_MECH_SCRAM_SHA_1_PLUS) ? -1 : 0;
    comma = memchr(d + 2, ',', len - 2);
    if (comma == NULL)
        return 0;
    n = (size_t)(comma - (d + 2));
    for (i = 0; i < s->n_bindings; i++) {
        if (n == strlen(s->binding[i].type) && memcmp(d + 2, s->binding[i].type, n) == 0) {
            use_binding(s, i);
            return 0;
        }
    }
    return -1;
}

static void fail(xs_sasl_session *s, xc_sasl_failure f, int credential, xc_c2s_sasl_outcome *out)
{
    out->kind = XC_C2S_SASL_FAILURE;
    out->failure = f;
    out->data = NULL;
    out->data_len = 0;
    out->user = NULL;
    out->user_len = 0;
    if (s != NULL) {
        s->credential_failure = (uint8_t)(credential != 0);
        end_exchange(s);
    }
}

static int copy_out(xs_sasl_session *s, const char *data, unsigned len, xc_c2s_sasl_outcome *out)
{
    if (len > sizeof s->out || (len > 0 && data == NULL))
        return -1;
    if (len > 0)
        memcpy(s->out, data, len);
    out->data = len > 0 ? s->out : NULL;
    out->data_len = len;
    return 0;
}

static void succeed(xs_sasl_session *s, const char *data, unsigned len, xc_c2s_sasl_outcome *out)
{
    const void *v = NULL;
    const char *u, *at;
    size_t ulen;

    if (sasl_getprop(s->conn, SASL_USERNAME, &v) != SASL_OK || v == NULL) {
        fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
        return;
    }
    u = v;
    ulen = strlen(u);
    /* cb_canon_user leaves a node; should a realm ever be appended, it must be ours. */
    at = strchr(u, '@');
    if (at != NULL) {
        if (strcmp(at + 1, s->host) != 0) {
            fail(s, XC_SF_NOT_AUTHORIZED, 1, out);
            return;
        }
        ulen = (size_t)(at - u);
    }
    if (ulen == 0 || ulen > XC_JID_PART_MAX) {
        fail(s, XC_SF_NOT_AUTHORIZED, 1, out);
        return;
    }
    memcpy(s->user, u, ulen);
    s->user[ulen] = '\0';
    /* The account must exist now (EXTERNAL never asks the store; a deleted account's
     * certificate logs in nobody). */
    switch (xs_store_exists(g.store, s->user, s->host)) {
    case XS_STORE_OK:
        break;
    case XS_STORE_NOT_FOUND:
        fail(s, XC_SF_NOT_AUTHORIZED, 1, out);
        return;
    case XS_STORE_EXISTS:
    case XS_STORE_INVALID:
    case XS_STORE_ERROR:
    default:
        fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
        return;
    }
    if (copy_out(s, data, len, out) != 0) {
        fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
        return;
    }
    out->kind = XC_C2S_SASL_SUCCESS;
    out->user = s->user;
    out->user_len = ulen;
    s->credential_failure = 0;
    end_exchange(s);
}

/* Maps what Cyrus answered (sasl_server.h). */
static void finish(xs_sasl_session *s, int rc, const char *data, unsigned len, xc_c2s_sasl_outcome *out)
{
    if (rc == SASL_CONTINUE) {
        if (copy_out(s, data, len, out) != 0) {
            fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
            return;
        }
        out->kind = XC_C2S_SASL_CHALLENGE;
        return;
    }
    if (rc == SASL_OK) {
        if (s->store_failed)
            fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
        else
            succeed(s, data, len, out);
        return;
    }
    if (s->store_failed || rc == SASL_UNAVAIL || rc == SASL_NOMEM || rc == SASL_TRYAGAIN) {
        fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
        return;
    }
    switch (rc) {
    case SASL_NOAUTHZ:
        fail(s, XC_SF_INVALID_AUTHZID, 0, out);
        return;
    case SASL_NOMECH:
        fail(s, XC_SF_INVALID_MECHANISM, 0, out);
        return;
    case SASL_TOOWEAK:
        fail(s, XC_SF_MECHANISM_TOO_WEAK, 0, out);
        return;
    case SASL_ENCRYPT:
        fail(s, XC_SF_ENCRYPTION_REQUIRED, 0, out);
        return;
    default:
        /* SASL_BADAUTH, SASL_NOUSER, and SASL_BADPROT: Cyrus's SCRAM answers a wrong proof
         * ("StoredKey mismatch") with SASL_BADPROT, so it is a credential failure too. */
        fail(s, XC_SF_NOT_AUTHORIZED, 1, out);
        return;
    }
}

static void clear_out(xc_c2s_sasl_outcome *out)
{
    out->kind = XC_C2S_SASL_FAILURE;
    out->data = NULL;
    out->data_len = 0;
    out->user = NULL;
    out->user_len = 0;
    out->failure = XC_SF_TEMPORARY_AUTH_FAILURE;
}

static int open_attempt(xs_sasl_session *s, xc_mech mech)
{
    sasl_security_properties_t sp;
    sasl_ssf_t ssf = EXTERNAL_SSF;

    if (sasl_server_new(g.service, s->host, NULL, NULL, NULL, s->cbs, SASL_SUCCESS_DATA, &s->conn) != SASL_OK) {
        s->conn = NULL;
        return -1;
    }
    memset(&sp, 0, sizeof sp);
    sp.min_ssf = 0;
    sp.max_ssf = 0;          /* XMPP runs no SASL security layer (RFC 3920 §6.1 rule 8: TLS is) */
    sp.maxbufsize = 0;
    sp.security_flags = SASL_SEC_NOANONYMOUS;
    if (sasl_setprop(s->conn, SASL_SEC_PROPS, &sp) != SASL_OK)
        return -1;
    if (s->secure && sasl_setprop(s->conn, SASL_SSF_EXTERNAL, &ssf) != SASL_OK)
        return -1;
    if (mech == XC_MECH_EXTERNAL && sasl_setprop(s->conn, SASL_AUTH_EXTERNAL, s->cert_node) != SASL_OK)
        return -1;
    if (is_scram(mech) && s->has_cb && sasl_setprop(s->conn, SASL_CHANNEL_BINDING, &s->cb) != SASL_OK)
        return -1;
    return 0;
}

void xs_sasl_start(xs_sasl_session *s, xc_mech mech, const uint8_t *data, size_t len, int present,
                   xc_c2s_sasl_outcome *out)
{
    const char *name = cyrus_name(mech);
    const char *sout = NULL;
    unsigned soutlen = 0;
    int rc;

    clear_out(out);
    if (s == NULL || !g.active) {
        fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
        return;
    }
    end_exchange(s);
    s->store_failed = 0;
    s->credential_failure = 0;
    s->user[0] = '\0';
    if (name == NULL || !usable(s, mech)) {
        fail(s, XC_SF_INVALID_MECHANISM, 0, out);
        return;
    }
    if (len > XC_C2S_SASL_MAX || (len > 0 && data == NULL)) {
        fail(s, XC_SF_MALFORMED_REQUEST, 0, out);
        return;
    }
    s->mech = mech;
    if (s->has_cb)
        use_binding(s, 0);
    if (present && is_scram(mech) && select_binding(s, data, len) != 0) {
        fail(s, XC_SF_MALFORMED_REQUEST, 0, out);
        return;
    }
    if (open_attempt(s, mech) != 0) {
        fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
        return;
    }
    s->scram_first_due = (uint8_t)(!present && is_scram(mech));
    rc = sasl_server_start(s->conn, name, present ? (len > 0 ? (const char *)data : "") : NULL, (unsigned)len, &sout,
                           &soutlen);
    finish(s, rc, sout, soutlen, out);
}

void xs_sasl_step(xs_sasl_session *s, const uint8_t *data, size_t len, xc_c2s_sasl_outcome *out)
{
    const char *sout = NULL;
    unsigned soutlen = 0;
    int rc;

    clear_out(out);
    if (s == NULL || !g.active) {
        fail(s, XC_SF_TEMPORARY_AUTH_FAILURE, 0, out);
        return;
    }
    s->store_failed = 0;
    s->credential_failure = 0;
    if (s->conn == NULL) {
        fail(s, XC_SF_NOT_AUTHORIZED, 0, out);   /* no exchange in progress */
        return;
    }
    if (len > XC_C2S_SASL_MAX || (len > 0 && data == NULL)) {
        fail(s, XC_SF_MALFORMED_REQUEST, 0, out);
        return;
    }
    if (s->scram_first_due) {
        s->scram_first_due = 0;
        if (select_binding(s, data, len) != 0) {
            fail(s, XC_SF_MALFORMED_REQUEST, 0, out);
            return;
        }
    }
    rc = sasl_server_step(s->conn, len > 0 ? (const char *)data : "", (unsigned)len, &sout, &soutlen);
    finish(s, rc, sout, soutlen, out);
}
