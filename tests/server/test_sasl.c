/*
 * test_sasl.c — the account store and the Cyrus SASL adapter (src/server/store_sqlite.*,
 * src/server/sasl_server.*), with real components only: a temporary SQLite store, the real
 * libsasl2 server with its SCRAM and PLAIN plugins behind xs_sasl_start/xs_sasl_step, real
 * Cyrus *client* sessions on the other side (sasl_client_new with SASL_CB_AUTHNAME, SASL_CB_USER
 * and SASL_CB_PASS), and the xmppctl binary run as a child process.
 *
 * Every exchange is driven the way the shell drives it: the client's initial response goes to
 * xs_sasl_start (present or not), each challenge goes to the Cyrus client and its answer to
 * xs_sasl_step; additional data with success (SCRAM's server-final) is checked by the client,
 * so mutual authentication is verified too.
 *
 * Not run under ASan: libsasl2 leaks by design (DESIGN.md, Known traps "Cyrus SASL").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sasl/sasl.h>

#include "sasl_server.h"
#include "store_sqlite.h"
#include "xc_base64.h"

#ifndef XS_TEST_XMPPCTL
#define XS_TEST_XMPPCTL "build/gcc/xmppctl"
#endif

#define HOST "example.com"
#define PASSWORD "Tr0ub4dor&3-juliet-secret"
#define ROMEO_PASSWORD "r0meo-Montague-pw"
#define ROUNDS_MAX 8

static char g_dir[64];
static char g_store[128];
static char g_server_mechs[512];   /* sasl_global_listmech() before the client library started */

/* 32 bytes standing in for a TLS 1.3 exporter value, and a different 32. */
static const uint8_t CB_A[32] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
                                 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
                                 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20};
static const uint8_t CB_B[32] = {0xff, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
                                 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
                                 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20};

/* --- a real Cyrus client ----------------------------------------------------------------- */

typedef struct client_creds {
    const char *authname;
    const char *authzid;       /* NULL: none */
    const char *password;
    const char *cb_type;       /* client-side channel binding (NULL: none) */
    const uint8_t *cb_data;
    size_t cb_len;
    union {
        sasl_secret_t secret;
        unsigned char bytes[sizeof(sasl_secret_t) + 256];
    } sec;
    sasl_channel_binding_t cb;
} client_creds;

static int cli_simple(void *context, int id, const char **result, unsigned *len)
{
    client_creds *c = context;
    const char *v = id == SASL_CB_AUTHNAME ? c->authname : id == SASL_CB_USER ? c->authzid : NULL;

    if (id != SASL_CB_AUTHNAME && id != SASL_CB_USER)
        return SASL_BADPARAM;
    *result = v != NULL ? v : "";
    if (len != NULL)
        *len = (unsigned)strlen(*result);
    return SASL_OK;
}

static int cli_pass(sasl_conn_t *conn, void *context, int id, sasl_secret_t **psecret)
{
    client_creds *c = context;
    size_t n = strlen(c->password);

    (void)conn;
    if (id != SASL_CB_PASS || n > 255)
        return SASL_BADPARAM;
    c->sec.secret.len = n;
    memcpy(c->sec.secret.data, c->password, n + 1);
    *psecret = &c->sec.secret;
    return SASL_OK;
}

#define PROC(f) ((int (*)(void))(void (*)(void))(f))

static sasl_conn_t *client_new(client_creds *c, sasl_callback_t cbs[4])
{
    sasl_security_properties_t sp;
    sasl_conn_t *conn = NULL;

    cbs[0] = (sasl_callback_t){SASL_CB_AUTHNAME, PROC(cli_simple), c};
    cbs[1] = (sasl_callback_t){SASL_CB_USER, PROC(cli_simple), c};
    cbs[2] = (sasl_callback_t){SASL_CB_PASS, PROC(cli_pass), c};
    cbs[3] = (sasl_callback_t){SASL_CB_LIST_END, NULL, NULL};
    assert_int_equal(sasl_client_new("xmpp", HOST, NULL, NULL, cbs, 0, &conn), SASL_OK);
    memset(&sp, 0, sizeof sp);
    sp.max_ssf = 0;
    assert_int_equal(sasl_setprop(conn, SASL_SEC_PROPS, &sp), SASL_OK);
    if (c->cb_type != NULL) {
        c->cb.name = c->cb_type;
        c->cb.critical = 0;
        c->cb.len = c->cb_len;
        c->cb.data = c->cb_data;
        assert_int_equal(sasl_setprop(conn, SASL_CHANNEL_BINDING, &c->cb), SASL_OK);
    }
    return conn;
}

typedef struct exchange {
    xc_c2s_sasl_outcome out;       /* the final outcome */
    char user[64];                 /* out.user, copied */
    int rounds;                    /* challenges sent */
    int client_verified;           /* SUCCESS: the client accepted the server's final data */
    int credential_failure;
    char first_challenge[256];     /* SCRAM's server-first, for shape comparisons */
    char first_message[256];       /* the client's first message */
    uint8_t final_data[256];       /* additional data with success */
} exchange;

static xs_tls_facts tls_plain(void)
{
    xs_tls_facts t = {1, NULL, 0, NULL, NULL};
    return t;
}

static xs_tls_facts tls_cb(const uint8_t *data, const char *type)
{
    xs_tls_facts t = {1, data, 32, type, NULL};
    return t;
}

/* Runs `mech` between a Cyrus client with creds c and a fresh session on HOST (which also
 * has data for binding type extra_type, unless that is NULL). */
static void run_with(const xs_tls_facts *tls, const char *extra_type, const uint8_t *extra, xc_mech mech,
                     const char *mech_name, client_creds *c, exchange *ex)
{
    sasl_callback_t cbs[4];
    sasl_conn_t *cli = client_new(c, cbs);
    xs_sasl_session *s = xs_sasl_session_new(HOST, tls);
    const char *cout = NULL, *chosen = NULL;
    unsigned coutlen = 0;
    int rc;

    assert_non_null(s);
    if (extra_type != NULL)
        assert_int_equal(xs_sasl_session_add_binding(s, extra_type, extra, 32), 0);
    memset(ex, 0, sizeof *ex);
    rc = sasl_client_start(cli, mech_name, NULL, &cout, &coutlen, &chosen);
    assert_true(rc == SASL_OK || rc == SASL_CONTINUE);
    /* Cyrus's client names a -PLUS choice by its plugin's name (SCRAM-SHA-256) */
    assert_int_equal(strncmp(chosen, mech_name, strlen(chosen)), 0);
    if (cout != NULL && coutlen < sizeof ex->first_message) {
        memcpy(ex->first_message, cout, coutlen);
        ex->first_message[coutlen] = '\0';
    }
    xs_sasl_start(s, mech, (const uint8_t *)cout, coutlen, cout != NULL, &ex->out);
    while (ex->out.kind == XC_C2S_SASL_CHALLENGE && ex->rounds < ROUNDS_MAX) {
        if (ex->rounds == 0 && ex->out.data_len < sizeof ex->first_challenge) {
            memcpy(ex->first_challenge, ex->out.data, ex->out.data_len);
            ex->first_challenge[ex->out.data_len] = '\0';
        }
        ex->rounds++;
        rc = sasl_client_step(cli, (const char *)ex->out.data, (unsigned)ex->out.data_len, NULL, &cout, &coutlen);
        assert_true(rc == SASL_OK || rc == SASL_CONTINUE);
        xs_sasl_step(s, (const uint8_t *)cout, coutlen, &ex->out);
    }
    if (ex->out.kind == XC_C2S_SASL_SUCCESS) {
        assert_true(ex->out.user_len > 0 && ex->out.user_len < sizeof ex->user);
        memcpy(ex->user, ex->out.user, ex->out.user_len);
        ex->user[ex->out.user_len] = '\0';
        assert_true(ex->out.data_len <= sizeof ex->final_data);
        if (ex->out.data_len > 0)
            memcpy(ex->final_data, ex->out.data, ex->out.data_len);
        if (ex->out.data_len > 0)
            rc = sasl_client_step(cli, (const char *)ex->out.data, (unsigned)ex->out.data_len, NULL, &cout, &coutlen);
        else
            rc = SASL_OK;
        ex->client_verified = rc == SASL_OK;
    }
    ex->credential_failure = xs_sasl_credential_failure(s);
    xs_sasl_session_free(s);
    sasl_dispose(&cli);
}

static void run(const xs_tls_facts *tls, xc_mech mech, const char *mech_name, client_creds *c, exchange *ex)
{
    run_with(tls, NULL, NULL, mech, mech_name, c, ex);
}

static client_creds creds(const char *authname, const char *password)
{
    client_creds c;

    memset(&c, 0, sizeof c);
    c.authname = authname;
    c.password = password;
    return c;
}

/* The helpers report the caller's line: cmocka's own points into the helper. */
#define expect_success(e, u) expect_success_(e, u, __LINE__)
#define expect_failure(e, f) expect_failure_(e, f, __LINE__)

static void expect_success_(const exchange *ex, const char *user, int line)
{
    if (ex->out.kind != XC_C2S_SASL_SUCCESS || strcmp(ex->user, user) != 0 || !ex->client_verified)
        fail_msg("line %d: want success as %s; kind %d, failure %d, user '%s', rounds %d, client verified %d", line,
                 user, ex->out.kind, ex->out.failure, ex->user, ex->rounds, ex->client_verified);
}

static void expect_failure_(const exchange *ex, xc_sasl_failure f, int line)
{
    if (ex->out.kind != XC_C2S_SASL_FAILURE || ex->out.failure != f || ex->out.user != NULL || ex->out.data_len != 0)
        fail_msg("line %d: want failure %d; kind %d, failure %d, user '%s', rounds %d", line, f, ex->out.kind,
                 ex->out.failure, ex->user, ex->rounds);
}

/* The outcome of one start (and steps) built by hand. */
static void start_raw(xs_sasl_session *s, xc_mech mech, const char *data, size_t len, int present,
                      xc_c2s_sasl_outcome *out)
{
    xs_sasl_start(s, mech, (const uint8_t *)data, len, present, out);
}

/* A SCRAM-SHA-256 client by hand (RFC 5802 §3), for GS2 flags Cyrus's client never sends:
 * juliet logs in with `mech` (SCRAM-SHA-256 or its -PLUS name) and gs2 flag `flag` ("n" or "y");
 * returns the final outcome's kind. */
static xc_c2s_sasl_kind hand_scram_256(const xs_tls_facts *tls, xc_mech mech, const char *flag, const char *password)
{
    xs_sasl_session *s = xs_sasl_session_new(HOST, tls);
    char first[128], server_first[256], final[512], auth[1024], gs2[8], cbind[16];
    uint8_t salt[64], salted[32], client_key[32], stored_key[32], sig[32], proof[32];
    const char *r, *sp, *ip;
    size_t salt_len = 0, n = 0, i;
    unsigned int hl = 0;
    xc_c2s_sasl_outcome out;

    assert_non_null(s);
    (void)snprintf(gs2, sizeof gs2, "%s,,", flag);
    (void)snprintf(first, sizeof first, "%sn=juliet,r=hand0123456789abcdefghij", gs2);
    start_raw(s, mech, first, strlen(first), 1, &out);
    if (out.kind != XC_C2S_SASL_CHALLENGE) {
        xs_sasl_session_free(s);
        return out.kind;
    }
    assert_true(out.data_len < sizeof server_first);
    memcpy(server_first, out.data, out.data_len);
    server_first[out.data_len] = '\0';
    r = strstr(server_first, "r=");
    sp = strstr(server_first, ",s=");
    ip = strstr(server_first, ",i=");
    assert_true(r == server_first && sp != NULL && ip != NULL);
    assert_int_equal(xc_base64_decode(sp + 3, (size_t)(ip - sp - 3), salt, sizeof salt, &salt_len), XC_B64_OK);
    assert_int_equal(PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, atoi(ip + 3),
                                       EVP_sha256(), 32, salted), 1);
    assert_non_null(HMAC(EVP_sha256(), salted, 32, (const unsigned char *)"Client Key", 10, client_key, &hl));
    assert_int_equal(EVP_Digest(client_key, 32, stored_key, NULL, EVP_sha256(), NULL), 1);
    assert_int_equal(xc_base64_encode((const uint8_t *)gs2, strlen(gs2), cbind, sizeof cbind - 1, &n), XC_B64_OK);
    cbind[n] = '\0';
    (void)snprintf(final, sizeof final, "c=%s,r=%.*s", cbind, (int)(sp - r - 2), r + 2);
    (void)snprintf(auth, sizeof auth, "%s,%s,%s", first + strlen(gs2), server_first, final);
    assert_non_null(HMAC(EVP_sha256(), stored_key, 32, (const unsigned char *)auth, strlen(auth), sig, &hl));
    for (i = 0; i < 32; i++)
        proof[i] = client_key[i] ^ sig[i];
    n = strlen(final);
    memcpy(final + n, ",p=", 3);
    n += 3;
    assert_int_equal(xc_base64_encode(proof, 32, final + n, sizeof final - n - 1, &i), XC_B64_OK);
    n += i;
    xs_sasl_step(s, (const uint8_t *)final, n, &out);
    xs_sasl_session_free(s);
    return out.kind;
}

/* --- set-up -------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    const char **m;
    char err[256];
    xs_sasl_config cfg;
    xs_store *st;

    (void)state;
    strcpy(g_dir, "/tmp/xmppd-sasl-XXXXXX");
    if (mkdtemp(g_dir) == NULL)
        return -1;
    (void)snprintf(g_store, sizeof g_store, "%s/accounts.sqlite", g_dir);
    /* The account, as xmppctl adds it: through the store API. */
    st = xs_store_open(g_store, XS_STORE_CREATE, err, sizeof err);
    if (st == NULL) {
        fprintf(stderr, "store: %s\n", err);
        return -1;
    }
    if (xs_store_add(st, "juliet", HOST, PASSWORD, strlen(PASSWORD), 0) != XS_STORE_OK)
        return -1;
    xs_store_close(st);
    cfg.store_path = g_store;
    cfg.service = "xmpp";
    if (xs_sasl_init(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "xs_sasl_init: %s\n", err);
        return -1;
    }
    /* Once a client is initialised, sasl_global_listmech() lists the client's mechanisms. */
    for (m = sasl_global_listmech(); m != NULL && *m != NULL; m++) {
        strncat(g_server_mechs, *m, sizeof g_server_mechs - strlen(g_server_mechs) - 2);
        strcat(g_server_mechs, " ");
    }
    if (sasl_client_init(NULL) != SASL_OK)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    char cmd[160];

    (void)state;
    xs_sasl_shutdown();
    sasl_client_done();
    (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* --- the store ----------------------------------------------------------------------------- */

/* REQ: STORE-01 */
static void test_store_file_is_mode_0600(void **state)
{
    struct stat sb;

    (void)state;
    assert_int_equal(stat(g_store, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

/* REQ: STORE-01 */
static void test_store_values_are_rfc3112_scram_secrets(void **state)
{
    char err[256];
    xs_store *st = xs_store_open(g_store, 0, err, sizeof err);
    xs_store_secrets sec;

    (void)state;
    assert_non_null(st);
    assert_int_equal(xs_store_get(st, "juliet", HOST, &sec), XS_STORE_OK);
    /* "SCRAM-SHA-1$4096:<24 chars of base64 salt>$<28>:<28>", and 44-char keys for SHA-256 */
    assert_int_equal(strncmp(sec.value[XS_SCRAM_SHA_1], "SCRAM-SHA-1$4096:", 17), 0);
    assert_int_equal(strlen(sec.value[XS_SCRAM_SHA_1]), 17u + 24u + 1u + 28u + 1u + 28u);
    assert_int_equal(strncmp(sec.value[XS_SCRAM_SHA_256], "SCRAM-SHA-256$4096:", 19), 0);
    assert_int_equal(strlen(sec.value[XS_SCRAM_SHA_256]), 19u + 24u + 1u + 44u + 1u + 44u);
    assert_int_equal(xs_scram_check(sec.value[XS_SCRAM_SHA_1], PASSWORD, strlen(PASSWORD)), 1);
    assert_int_equal(xs_scram_check(sec.value[XS_SCRAM_SHA_256], PASSWORD, strlen(PASSWORD)), 1);
    assert_int_equal(xs_scram_check(sec.value[XS_SCRAM_SHA_256], "wrong", 5), 0);
    assert_int_equal(xs_store_get(st, "nobody", HOST, &sec), XS_STORE_NOT_FOUND);
    assert_int_equal(xs_store_add(st, "juliet", HOST, "x", 1, 0), XS_STORE_EXISTS);
    assert_int_equal(xs_store_add(st, "tybalt", HOST, "", 0, 0), XS_STORE_INVALID);
    assert_int_equal(xs_store_add(st, "tybalt", HOST, "a\tb", 3, 0), XS_STORE_INVALID); /* SASLprep: control */
    assert_int_equal(xs_store_add(st, "tybalt", HOST, "pw", 2, 1000), XS_STORE_INVALID);
    assert_int_equal(xs_store_exists(st, "tybalt", HOST), XS_STORE_NOT_FOUND);
    xs_store_close(st);
}

/* RFC 5802 §5 test vector: user "user", password "pencil", salt QSXCR+Q6sek8bf92, i=4096. */
static void test_store_scram_sha_1_matches_rfc5802_vector(void **state)
{
    static const uint8_t salt[] = {0x41, 0x25, 0xc2, 0x47, 0xe4, 0x3a, 0xb1, 0xe9,
                                   0x3c, 0x6d, 0xff, 0x76};
    char value[XS_SCRAM_VALUE_MAX];

    (void)state;
    assert_int_equal(xs_scram_derive(XS_SCRAM_SHA_1, "pencil", 6, salt, sizeof salt, 4096, value), 0);
    /* StoredKey = H(ClientKey), ClientKey = HMAC(SaltedPassword, "Client Key") from the RFC's
     * client proof; ServerKey gives the RFC's v=rmF9pqV8S7suAoZWja4dJRkFsKQ= */
    assert_string_equal(value, "SCRAM-SHA-1$4096:QSXCR+Q6sek8bf92$6dlGYMOdZcOPutkcNY8U2g7vK9Y=:"
                               "D+CSWLOshSulAsxiupA+qs2/fTE=");
    assert_int_equal(xs_scram_check(value, "pencil", 6), 1);
}

/* --- the mechanisms ------------------------------------------------------------------------ */

/* Only the plugins we use are loaded: Debian's ANONYMOUS, LOGIN, CRAM-MD5, DIGEST-MD5 (RFC
 * 3920's mandatory mechanism, superseded), NTLM and sasldb never are. */
/* REQ: SASL-03 */
static void test_sasl_loads_only_scram_plain_external(void **state)
{
    char list[sizeof g_server_mechs], *save = NULL, *m;
    int scram256 = 0, scram1 = 0, plain = 0, external = 0;

    (void)state;
    memcpy(list, g_server_mechs, sizeof list);
    for (m = strtok_r(list, " ", &save); m != NULL; m = strtok_r(NULL, " ", &save)) {
        if (strcmp(m, "SCRAM-SHA-256") == 0)
            scram256 = 1;
        else if (strcmp(m, "SCRAM-SHA-1") == 0)
            scram1 = 1;
        else if (strcmp(m, "PLAIN") == 0)
            plain = 1;
        else if (strcmp(m, "EXTERNAL") == 0)
            external = 1;
        else if (strncmp(m, "SCRAM-SHA-", 10) != 0) /* the plugin also has -224, -384, -512 */
            fail_msg("mechanism %s is loaded", m);
    }
    assert_true(scram256 && scram1 && plain && external);
}

/* REQ: SASL-03 */
static void test_sasl_scram_sha_256_logs_in(void **state)
{
    xs_tls_facts tls = tls_plain();
    client_creds c = creds("juliet", PASSWORD);
    exchange ex;

    (void)state;
    run(&tls, XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256", &c, &ex);
    expect_success(&ex, "juliet");
    assert_int_equal(ex.rounds, 1);            /* server-first; server-final comes with success */
    assert_true(ex.out.data_len > 2 && memcmp(ex.final_data, "v=", 2) == 0);
}

/* REQ: SASL-03 */
static void test_sasl_scram_sha_1_logs_in(void **state)
{
    xs_tls_facts tls = tls_plain();
    client_creds c = creds("juliet", PASSWORD);
    exchange ex;

    (void)state;
    run(&tls, XC_MECH_SCRAM_SHA_1, "SCRAM-SHA-1", &c, &ex);
    expect_success(&ex, "juliet");
    assert_int_equal(ex.rounds, 1);
}

/* REQ: SASL-03 */
static void test_sasl_plain_over_tls_logs_in(void **state)
{
    xs_tls_facts tls = tls_plain();
    client_creds c = creds("juliet", PASSWORD);
    exchange ex;

    (void)state;
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_success(&ex, "juliet");
    assert_int_equal(ex.rounds, 0);
    assert_int_equal(ex.out.data_len, 0);
}

/* Names are prepared as JIDs: "Juliet" and "juliet@Example.COM" are juliet of this host; another
 * host is refused, whatever the password. */
static void test_sasl_names_are_nodes_of_the_streams_host(void **state)
{
    xs_tls_facts tls = tls_plain();
    client_creds c = creds("Juliet", PASSWORD);
    exchange ex;

    (void)state;
    run(&tls, XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256", &c, &ex);
    expect_success(&ex, "juliet");
    c = creds("juliet@Example.COM", PASSWORD);
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_success(&ex, "juliet");
    c = creds("juliet@example.org", PASSWORD);
    run(&tls, XC_MECH_SCRAM_SHA_1, "SCRAM-SHA-1", &c, &ex);
    expect_failure(&ex, XC_SF_NOT_AUTHORIZED);
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_failure(&ex, XC_SF_NOT_AUTHORIZED);
}

/* REQ: SASL-03 */
static void test_sasl_scram_plus_with_channel_binding_logs_in(void **state)
{
    xs_tls_facts tls = tls_cb(CB_A, "tls-exporter");
    client_creds c = creds("juliet", PASSWORD);
    exchange ex;

    (void)state;
    c.cb_type = "tls-exporter";
    c.cb_data = CB_A;
    c.cb_len = sizeof CB_A;
    run(&tls, XC_MECH_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS", &c, &ex);
    expect_success(&ex, "juliet");
    assert_int_equal(strncmp(ex.first_message, "p=tls-exporter,", 15), 0);
    run(&tls, XC_MECH_SCRAM_SHA_1_PLUS, "SCRAM-SHA-1-PLUS", &c, &ex);
    expect_success(&ex, "juliet");
    assert_int_equal(strncmp(ex.first_message, "p=tls-exporter,", 15), 0);
    /* tls-unique on TLS 1.2 works the same way */
    tls = tls_cb(CB_B, "tls-unique");
    c.cb_type = "tls-unique";
    c.cb_data = CB_B;
    run(&tls, XC_MECH_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS", &c, &ex);
    expect_success(&ex, "juliet");
    assert_int_equal(strncmp(ex.first_message, "p=tls-unique,", 13), 0);
    /* a client without binding support still logs in with plain SCRAM on the same stream */
    c = creds("juliet", PASSWORD);
    run(&tls, XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256", &c, &ex);
    expect_success(&ex, "juliet");
    assert_int_equal(strncmp(ex.first_message, "n,", 2), 0);
}

/* DESIGN.md "Channel binding": other binding data fails; a binding type the stream cannot give
 * fails too, but not as a credential failure; a client that supports binding and thinks we do
 * not ("y") is a downgrade and fails. */
static void test_sasl_channel_binding_mismatch_fails(void **state)
{
    xs_tls_facts tls = tls_cb(CB_A, "tls-exporter");
    client_creds c = creds("juliet", PASSWORD);
    exchange ex;

    (void)state;
    c.cb_type = "tls-exporter";
    c.cb_data = CB_B;
    c.cb_len = sizeof CB_B;
    run(&tls, XC_MECH_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS", &c, &ex);
    expect_failure(&ex, XC_SF_NOT_AUTHORIZED);
    assert_int_equal(ex.rounds, 1);
    /* slixmpp 1.8.3 asks for tls-unique on TLS 1.3 */
    c.cb_type = "tls-unique";
    c.cb_data = CB_A;
    run(&tls, XC_MECH_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS", &c, &ex);
    expect_failure(&ex, XC_SF_MALFORMED_REQUEST);
    assert_int_equal(ex.rounds, 0);
    assert_int_equal(ex.credential_failure, 0);
    /* downgrade: a client that supports binding and believes we do not ("y", RFC 5802 §6)
     * on a stream that offered -PLUS. Cyrus's client sends "n" then, so this one is by hand; the
     * positive controls show the hand-made client is right. */
    assert_int_equal(hand_scram_256(&tls, XC_MECH_SCRAM_SHA_256, "n", PASSWORD), XC_C2S_SASL_SUCCESS);
    assert_int_equal(hand_scram_256(&tls, XC_MECH_SCRAM_SHA_256, "y", PASSWORD), XC_C2S_SASL_FAILURE);
    tls = tls_plain();
    assert_int_equal(hand_scram_256(&tls, XC_MECH_SCRAM_SHA_256, "y", PASSWORD), XC_C2S_SASL_SUCCESS);
}

/* Found by fuzz/fuzz_sasl.c (tests/regress/sasl/plus_mech_accepts_gs2_flag_n*): a -PLUS
 * mechanism is channel binding or nothing. A client that names SCRAM-SHA-256-PLUS and then
 * says "n" (no binding) or "y" would otherwise log in unbound, and a man in the middle could
 * rename a plain SCRAM client's mechanism to -PLUS (the name is not covered by the proof). */
/* REQ: SASL-32 */
static void test_sasl_plus_mechanism_requires_binding(void **state)
{
    xs_tls_facts tls = tls_cb(CB_A, "tls-exporter");

    (void)state;
    assert_int_equal(hand_scram_256(&tls, XC_MECH_SCRAM_SHA_256_PLUS, "n", PASSWORD), XC_C2S_SASL_FAILURE);
    assert_int_equal(hand_scram_256(&tls, XC_MECH_SCRAM_SHA_256_PLUS, "y", PASSWORD), XC_C2S_SASL_FAILURE);
    /* positive control: the same client and password with the plain name */
    assert_int_equal(hand_scram_256(&tls, XC_MECH_SCRAM_SHA_256, "n", PASSWORD), XC_C2S_SASL_SUCCESS);
}

/* A session with data for both types serves whichever the client names (DESIGN.md "Channel
 * binding": the type is read from the client's first message). */
/* REQ: SASL-03 */
static void test_sasl_channel_binding_type_chosen_by_the_client(void **state)
{
    xs_tls_facts tls = tls_cb(CB_A, "tls-exporter");
    client_creds c = creds("juliet", PASSWORD);
    xs_sasl_session *s;
    exchange ex;

    (void)state;
    c.cb_len = 32;
    c.cb_type = "tls-unique";
    c.cb_data = CB_B;
    tls.cb_len = 32;
    run_with(&tls, "tls-unique", CB_B, XC_MECH_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS", &c, &ex);
    expect_success(&ex, "juliet");
    assert_int_equal(strncmp(ex.first_message, "p=tls-unique,", 13), 0);
    c.cb_type = "tls-exporter";
    c.cb_data = CB_A;
    run_with(&tls, "tls-unique", CB_B, XC_MECH_SCRAM_SHA_1_PLUS, "SCRAM-SHA-1-PLUS", &c, &ex);
    expect_success(&ex, "juliet");
    /* each type with its own data: tls-unique bytes under the tls-exporter name fail */
    c.cb_data = CB_B;
    run_with(&tls, "tls-unique", CB_B, XC_MECH_SCRAM_SHA_256_PLUS, "SCRAM-SHA-256-PLUS", &c, &ex);
    expect_failure(&ex, XC_SF_NOT_AUTHORIZED);
    /* what the session refuses to take */
    s = xs_sasl_session_new(HOST, &tls);
    assert_int_equal(xs_sasl_session_add_binding(s, "tls-server-end-point", CB_B, 32), -1);
    assert_int_equal(xs_sasl_session_add_binding(s, "tls-unique", CB_B, 0), -1);
    assert_int_equal(xs_sasl_session_add_binding(s, "tls-unique", CB_B, 65), -1);
    assert_int_equal(xs_sasl_session_add_binding(s, "tls-unique", CB_B, 12), 0);
    xs_sasl_session_free(s);
    tls = tls_plain();
    tls.secure = 0;
    s = xs_sasl_session_new(HOST, &tls);
    assert_int_equal(xs_sasl_session_add_binding(s, "tls-unique", CB_B, 12), -1);
    xs_sasl_session_free(s);
}

/* The binding type is read from the client-first message also when it comes in a response
 * (an <auth/> without initial response). */
static void test_sasl_channel_binding_type_checked_in_first_response(void **state)
{
    xs_tls_facts tls = tls_cb(CB_A, "tls-exporter");
    xs_sasl_session *s = xs_sasl_session_new(HOST, &tls);
    static const char first[] = "p=tls-unique,,n=juliet,r=abcdefghijklmnop";
    xc_c2s_sasl_outcome out;

    (void)state;
    assert_non_null(s);
    start_raw(s, XC_MECH_SCRAM_SHA_256_PLUS, NULL, 0, 0, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_CHALLENGE);
    assert_int_equal(out.data_len, 0);
    xs_sasl_step(s, (const uint8_t *)first, strlen(first), &out);
    assert_int_equal(out.kind, XC_C2S_SASL_FAILURE);
    assert_int_equal(out.failure, XC_SF_MALFORMED_REQUEST);
    assert_int_equal(xs_sasl_credential_failure(s), 0);
    /* a step after the end of an exchange is refused */
    xs_sasl_step(s, (const uint8_t *)first, strlen(first), &out);
    assert_int_equal(out.kind, XC_C2S_SASL_FAILURE);
    /* with tls-unique data too, the same message goes on to the server-first message */
    assert_int_equal(xs_sasl_session_add_binding(s, "tls-unique", CB_B, 12), 0);
    start_raw(s, XC_MECH_SCRAM_SHA_256_PLUS, NULL, 0, 0, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_CHALLENGE);
    xs_sasl_step(s, (const uint8_t *)first, strlen(first), &out);
    assert_int_equal(out.kind, XC_C2S_SASL_CHALLENGE);
    assert_true(out.data_len > 2 && memcmp(out.data, "r=", 2) == 0);
    /* no new binding in the middle of an exchange */
    assert_int_equal(xs_sasl_session_add_binding(s, "tls-unique", CB_A, 12), -1);
    xs_sasl_session_free(s);
}

/* REQ: SASL-05, SASL-06 */
static void test_sasl_wrong_password_and_unknown_user_fail_alike(void **state)
{
    static const struct {
        xc_mech mech;
        const char *name;
    } mechs[] = {{XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256"}, {XC_MECH_SCRAM_SHA_1, "SCRAM-SHA-1"}, {XC_MECH_PLAIN, "PLAIN"}};
    xs_tls_facts tls = tls_plain();
    exchange wrong, unknown, again;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof mechs / sizeof mechs[0]; i++) {
        client_creds c = creds("juliet", "not-the-password");
        client_creds u = creds("nosuchuser", "not-the-password");

        run(&tls, mechs[i].mech, mechs[i].name, &c, &wrong);
        run(&tls, mechs[i].mech, mechs[i].name, &u, &unknown);
        expect_failure(&wrong, XC_SF_NOT_AUTHORIZED);
        expect_failure(&unknown, XC_SF_NOT_AUTHORIZED);
        /* the same exchange: an unknown user gets a challenge too, and fails at the proof */
        assert_int_equal(wrong.rounds, unknown.rounds);
        assert_int_equal(wrong.credential_failure, 1);
        assert_int_equal(unknown.credential_failure, 1);
        if (mechs[i].mech != XC_MECH_PLAIN) {
            const char *ws = strstr(wrong.first_challenge, ",s="), *us = strstr(unknown.first_challenge, ",s=");

            assert_int_equal(wrong.rounds, 1);
            assert_non_null(ws);
            assert_non_null(us);
            /* same shape: salt length and iteration count */
            assert_string_equal(strchr(ws + 3, ','), strchr(us + 3, ','));
            assert_int_equal(strchr(ws + 3, ',') - ws, strchr(us + 3, ',') - us);
            /* and a stable salt for the unknown user (a fresh one would give it away) */
            run(&tls, mechs[i].mech, mechs[i].name, &u, &again);
            assert_memory_equal(strstr(again.first_challenge, ",s="), us, (size_t)(strchr(us + 3, ',') - us));
        }
    }
}

/* REQ: SASL-17 */
static void test_sasl_plain_authzid_of_another_user_is_invalid_authzid(void **state)
{
    xs_tls_facts tls = tls_plain();
    client_creds c = creds("juliet", PASSWORD);
    exchange ex;

    (void)state;
    c.authzid = "romeo@example.com";
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_failure(&ex, XC_SF_INVALID_AUTHZID);
    assert_int_equal(ex.credential_failure, 0);
    c.authzid = "romeo@example.org";
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_failure(&ex, XC_SF_INVALID_AUTHZID);
    /* SCRAM's a= is the same authorization identity */
    c.authzid = "romeo@example.com";
    run(&tls, XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256", &c, &ex);
    expect_failure(&ex, XC_SF_INVALID_AUTHZID);
    /* naming oneself is fine (RFC 6120 §6.3.8: a bare JID) */
    c.authzid = "juliet@example.com";
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_success(&ex, "juliet");
    run(&tls, XC_MECH_SCRAM_SHA_1, "SCRAM-SHA-1", &c, &ex);
    expect_success(&ex, "juliet");
    /* with a wrong password the authzid is never looked at */
    c.password = "nope";
    c.authzid = "romeo@example.com";
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_failure(&ex, XC_SF_NOT_AUTHORIZED);
}

static void test_sasl_external_with_client_certificate(void **state)
{
    xs_tls_facts tls = {1, NULL, 0, NULL, "juliet@example.com"};
    xs_sasl_session *s = xs_sasl_session_new(HOST, &tls);
    xc_c2s_sasl_outcome out;

    (void)state;
    assert_non_null(s);
    /* "=": an empty initial response, the identity the certificate names */
    start_raw(s, XC_MECH_EXTERNAL, "", 0, 1, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_SUCCESS);
    assert_int_equal(out.user_len, 6);
    assert_memory_equal(out.user, "juliet", 6);
    /* no initial response: an empty challenge, then an empty response */
    start_raw(s, XC_MECH_EXTERNAL, NULL, 0, 0, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_CHALLENGE);
    assert_int_equal(out.data_len, 0);
    xs_sasl_step(s, NULL, 0, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_SUCCESS);
    assert_memory_equal(out.user, "juliet", 6);
    /* an authzid naming the same account, and one naming another */
    start_raw(s, XC_MECH_EXTERNAL, "juliet@example.com", 18, 1, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_SUCCESS);
    start_raw(s, XC_MECH_EXTERNAL, "romeo@example.com", 17, 1, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_FAILURE);
    assert_int_equal(out.failure, XC_SF_INVALID_AUTHZID);
    xs_sasl_session_free(s);

    /* a certificate for an account that does not exist logs in nobody */
    tls.cert_jid = "benvolio@example.com";
    s = xs_sasl_session_new(HOST, &tls);
    start_raw(s, XC_MECH_EXTERNAL, "", 0, 1, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_FAILURE);
    assert_int_equal(out.failure, XC_SF_NOT_AUTHORIZED);
    xs_sasl_session_free(s);

    /* a certificate for another domain gives no EXTERNAL on this one */
    tls.cert_jid = "juliet@example.org";
    s = xs_sasl_session_new(HOST, &tls);
    start_raw(s, XC_MECH_EXTERNAL, "", 0, 1, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_FAILURE);
    assert_int_equal(out.failure, XC_SF_INVALID_MECHANISM);
    xs_sasl_session_free(s);
}

/* The second lock behind the core's offer: nothing is run that this session cannot offer. */
static void test_sasl_refuses_mechanisms_the_session_cannot_run(void **state)
{
    xs_tls_facts clear = {0, NULL, 0, NULL, "juliet@example.com"};
    xs_tls_facts tls = tls_plain();
    xs_sasl_session *s = xs_sasl_session_new(HOST, &clear);
    static const char plain[] = "\0juliet\0" PASSWORD;
    xc_c2s_sasl_outcome out;

    (void)state;
    assert_non_null(s);
    start_raw(s, XC_MECH_PLAIN, plain, sizeof plain - 1, 1, &out);
    assert_int_equal(out.failure, XC_SF_INVALID_MECHANISM);
    start_raw(s, XC_MECH_EXTERNAL, "", 0, 1, &out);
    assert_int_equal(out.failure, XC_SF_INVALID_MECHANISM);
    start_raw(s, XC_MECH_SCRAM_SHA_256_PLUS, "p=tls-exporter,,n=juliet,r=abc", 30, 1, &out);
    assert_int_equal(out.failure, XC_SF_INVALID_MECHANISM);
    start_raw(s, XC_MECH_COUNT, "", 0, 1, &out);
    assert_int_equal(out.failure, XC_SF_INVALID_MECHANISM);
    start_raw(s, (xc_mech)77, "", 0, 1, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_FAILURE);
    assert_int_equal(out.failure, XC_SF_INVALID_MECHANISM);
    xs_sasl_session_free(s);
    s = xs_sasl_session_new(HOST, &tls);
    start_raw(s, XC_MECH_PLAIN, plain, sizeof plain - 1, 1, &out);
    assert_int_equal(out.kind, XC_C2S_SASL_SUCCESS);
    xs_sasl_session_free(s);
    /* a host that is not a domain gives no session */
    assert_null(xs_sasl_session_new("juliet@example.com", &tls));
}

/* --- xmppctl ------------------------------------------------------------------------------- */

/* Runs xmppctl with args, writing input to its standard input (not a terminal); its standard
 * output goes to out. Returns the exit status. */
static int run_ctl(const char *input, char *out, size_t cap, const char *a1, const char *a2, const char *a3)
{
    int in_pipe[2], out_pipe[2], status = -1;
    size_t n = 0;
    ssize_t r;
    pid_t pid;

    assert_int_equal(pipe(in_pipe), 0);
    assert_int_equal(pipe(out_pipe), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);

        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(devnull, 2);
        close(in_pipe[1]);
        close(out_pipe[0]);
        execl(XS_TEST_XMPPCTL, "xmppctl", "-c", g_store, a1, a2, a3, (char *)NULL);
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    /* xmppctl may exit before it reads (an account that exists needs no password): the write
     * then meets a closed pipe, which is EPIPE here (SIGPIPE ignored), not a test crash */
    if (input != NULL) {
        void (*old_handler)(int) = signal(SIGPIPE, SIG_IGN);
        ssize_t w = write(in_pipe[1], input, strlen(input));
        assert_true(w == (ssize_t)strlen(input) || (w < 0 && errno == EPIPE));
        (void)signal(SIGPIPE, old_handler);
    }
    close(in_pipe[1]);
    while (n + 1 < cap && (r = read(out_pipe[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(out_pipe[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* REQ: STORE-01 */
static void test_xmppctl_manages_accounts_that_log_in(void **state)
{
    xs_tls_facts tls = tls_plain();
    client_creds c = creds("romeo", ROMEO_PASSWORD);
    exchange ex;
    char out[512];

    (void)state;
    assert_int_equal(run_ctl(ROMEO_PASSWORD "\n", out, sizeof out, "adduser", "Romeo@Example.com", NULL), 0);
    assert_null(strstr(out, ROMEO_PASSWORD));
    assert_int_equal(run_ctl("x\n", out, sizeof out, "adduser", "romeo@example.com", NULL), 1);
    assert_int_equal(run_ctl(NULL, out, sizeof out, "list", NULL, NULL), 0);
    assert_string_equal(out, "juliet@example.com\nromeo@example.com\n");
    assert_int_equal(run_ctl(NULL, out, sizeof out, "list", "example.org", NULL), 0);
    assert_string_equal(out, "");
    /* both SCRAM families and PLAIN work for an account xmppctl made */
    run(&tls, XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256", &c, &ex);
    expect_success(&ex, "romeo");
    run(&tls, XC_MECH_SCRAM_SHA_1, "SCRAM-SHA-1", &c, &ex);
    expect_success(&ex, "romeo");
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_success(&ex, "romeo");
    /* passwd: the old password stops working, the new one works in both families */
    assert_int_equal(run_ctl("n3w-pass\n", out, sizeof out, "passwd", "romeo@example.com", NULL), 0);
    run(&tls, XC_MECH_SCRAM_SHA_1, "SCRAM-SHA-1", &c, &ex);
    expect_failure(&ex, XC_SF_NOT_AUTHORIZED);
    c.password = "n3w-pass";
    run(&tls, XC_MECH_SCRAM_SHA_1, "SCRAM-SHA-1", &c, &ex);
    expect_success(&ex, "romeo");
    run(&tls, XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256", &c, &ex);
    expect_success(&ex, "romeo");
    /* bad input */
    assert_int_equal(run_ctl("pw\n", out, sizeof out, "passwd", "nobody@example.com", NULL), 1);
    assert_int_equal(run_ctl("pw\n", out, sizeof out, "adduser", "example.com", NULL), 2);
    assert_int_equal(run_ctl("pw\n", out, sizeof out, "adduser", "a@example.com/res", NULL), 2);
    assert_int_equal(run_ctl("\n", out, sizeof out, "adduser", "mercutio@example.com", NULL), 2);
    assert_int_equal(run_ctl("", out, sizeof out, "adduser", "mercutio@example.com", NULL), 2);
    assert_int_equal(run_ctl(NULL, out, sizeof out, "frobnicate", "x@example.com", NULL), 2);
    /* deluser: the account is gone for every mechanism */
    assert_int_equal(run_ctl(NULL, out, sizeof out, "deluser", "romeo@example.com", NULL), 0);
    assert_int_equal(run_ctl(NULL, out, sizeof out, "deluser", "romeo@example.com", NULL), 1);
    run(&tls, XC_MECH_SCRAM_SHA_1, "SCRAM-SHA-1", &c, &ex);
    expect_failure(&ex, XC_SF_NOT_AUTHORIZED);
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_failure(&ex, XC_SF_NOT_AUTHORIZED);
    assert_int_equal(run_ctl(NULL, out, sizeof out, "list", NULL, NULL), 0);
    assert_string_equal(out, "juliet@example.com\n");
}

/* --- no password at rest ------------------------------------------------------------------- */

static int contains(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    for (i = 0; k <= n && i <= n - k; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

static int contains_any(const uint8_t *hay, size_t n)
{
    /* the passwords as typed, and the start of their base64 (a store that merely encoded them) */
    return contains(hay, n, PASSWORD) || contains(hay, n, ROMEO_PASSWORD) || contains(hay, n, "n3w-pass") ||
           contains(hay, n, "VHIwdWI0ZG9y") || contains(hay, n, "Tr0ub4dor");
}

/* Every file of the store (the database, its WAL and shared memory, a journal) byte by byte:
 * the number of files, or -1 when a password was found or a file is not mode 0600. It runs in
 * a child process: close(2) on a descriptor of the database would drop the POSIX locks the
 * running server's connection holds on it (store_sqlite.c, prepare_file). */
static int scan_files(void)
{
    DIR *d = opendir(g_dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char path[384];
        struct stat sb;
        uint8_t *buf;
        FILE *f;
        int bad;

        if (strncmp(e->d_name, "accounts.sqlite", 15) != 0)
            continue;
        (void)snprintf(path, sizeof path, "%s/%s", g_dir, e->d_name);
        if (stat(path, &sb) != 0 || (sb.st_mode & 0777) != 0600)
            return -1;
        buf = malloc((size_t)sb.st_size + 1);
        f = fopen(path, "rb");
        if (buf == NULL || f == NULL || fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size)
            return -1;
        bad = contains_any(buf, (size_t)sb.st_size);
        fclose(f);
        free(buf);
        if (bad)
            return -1;
        n++;
    }
    closedir(d);
    return n;
}

static int files_scanned(void)
{
    int status = 0;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        int n = scan_files();

        _exit(n < 0 ? 255 : n);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_not_equal(WEXITSTATUS(status), 255);
    return WEXITSTATUS(status);
}

/* REQ: STORE-01 */
static void test_store_holds_no_password(void **state)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rows = 0, i;

    (void)state;
    /* the database, its -wal and -shm (the server's connection keeps them): all three */
    assert_int_equal(files_scanned(), 3);
    /* and every column of every row, through SQLite */
    assert_int_equal(sqlite3_open_v2(g_store, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT * FROM accounts UNION ALL SELECT key, value, NULL, NULL FROM meta",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (i = 0; i < sqlite3_column_count(st); i++) {
            const uint8_t *v = sqlite3_column_blob(st, i);

            if (v != NULL)
                assert_false(contains_any(v, (size_t)sqlite3_column_bytes(st, i)));
        }
        rows++;
    }
    assert_int_equal(rows, 2);     /* juliet and the decoy key */
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* REQ: SASL-26 */
static void test_sasl_store_failure_is_temporary_auth_failure(void **state)
{
    xs_tls_facts tls = tls_plain();
    client_creds c = creds("juliet", PASSWORD);
    sqlite3 *db = NULL;
    exchange ex;

    (void)state;
    /* another process breaks the store under the running server */
    assert_int_equal(sqlite3_open_v2(g_store, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE accounts RENAME TO accounts_gone", NULL, NULL, NULL), SQLITE_OK);
    run(&tls, XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256", &c, &ex);
    expect_failure(&ex, XC_SF_TEMPORARY_AUTH_FAILURE);
    assert_int_equal(ex.credential_failure, 0);
    run(&tls, XC_MECH_PLAIN, "PLAIN", &c, &ex);
    expect_failure(&ex, XC_SF_TEMPORARY_AUTH_FAILURE);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE accounts_gone RENAME TO accounts", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    run(&tls, XC_MECH_SCRAM_SHA_256, "SCRAM-SHA-256", &c, &ex);
    expect_success(&ex, "juliet");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_file_is_mode_0600),
        cmocka_unit_test(test_store_values_are_rfc3112_scram_secrets),
        cmocka_unit_test(test_store_scram_sha_1_matches_rfc5802_vector),
        cmocka_unit_test(test_sasl_loads_only_scram_plain_external),
        cmocka_unit_test(test_sasl_scram_sha_256_logs_in),
        cmocka_unit_test(test_sasl_scram_sha_1_logs_in),
        cmocka_unit_test(test_sasl_plain_over_tls_logs_in),
        cmocka_unit_test(test_sasl_names_are_nodes_of_the_streams_host),
        cmocka_unit_test(test_sasl_scram_plus_with_channel_binding_logs_in),
        cmocka_unit_test(test_sasl_channel_binding_mismatch_fails),
        cmocka_unit_test(test_sasl_plus_mechanism_requires_binding),
        cmocka_unit_test(test_sasl_channel_binding_type_checked_in_first_response),
        cmocka_unit_test(test_sasl_channel_binding_type_chosen_by_the_client),
        cmocka_unit_test(test_sasl_wrong_password_and_unknown_user_fail_alike),
        cmocka_unit_test(test_sasl_plain_authzid_of_another_user_is_invalid_authzid),
        cmocka_unit_test(test_sasl_external_with_client_certificate),
        cmocka_unit_test(test_sasl_refuses_mechanisms_the_session_cannot_run),
        cmocka_unit_test(test_xmppctl_manages_accounts_that_log_in),
        cmocka_unit_test(test_store_holds_no_password),
        cmocka_unit_test(test_sasl_store_failure_is_temporary_auth_failure),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
