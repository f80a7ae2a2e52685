/*
 * fuzz_sasl.c — the Cyrus SASL adapter (src/server/sasl_server.h) with the client's first
 * message, and one answer to the server's challenge, from the fuzzer: real libsasl2 with its
 * SCRAM and PLAIN plugins, our in-process auxprop plugin, and a real SQLite account store
 * (DESIGN.md Known traps "Cyrus SASL": the core is fuzzed with SASL results injected as events
 * in fuzz_c2s; Cyrus's first-message handling is fuzzed here, with leak suppressions of its own).
 *
 * Once per process: a private directory from mkdtemp under $TMPDIR (or /tmp; nothing depends
 * on the current directory; directories of processes that are gone, as AFL++ leaves them, are
 * removed) holding a store made with store_sqlite's API — alice and bob on
 * localhost, alice again on example.org with another password — then xs_sasl_init. At exit:
 * xs_sasl_shutdown and the directory is removed. Before the first input a positive control runs
 * five exchanges that must succeed (SCRAM-SHA-256, SCRAM-SHA-1-PLUS with the second binding
 * type, SCRAM without initial response, PLAIN, EXTERNAL): if the set-up or the plugins are
 * broken, the harness aborts instead of checking nothing.
 *
 * Input: three set-up bytes, then the client's first message.
 *   byte 0  bits 0-2 mechanism: xc_mech 0..5, 6 = XC_MECH_COUNT (out of range), 7 = SCRAM-SHA-256
 *           bit 3    the initial response is present (else: start without one, and the first
 *                    message answers the server's empty challenge)
 *           bit 4    TLS is up (xs_tls_facts.secure)
 *           bits 5-7 channel binding: 0 none, 1 tls-exporter in the facts, 2 tls-unique in the
 *                    facts, 3 exporter + xs_sasl_session_add_binding(unique), 4 unique + added
 *                    exporter, 5 a type with no data, 6 exporter + exporter added again (new
 *                    data replaces it), 7 an added "tls-server-end-point" (refused)
 *   byte 1  bits 0-1 client certificate: 0 none, 1 alice@localhost, 2 carol@localhost (no
 *                    account), 3 alice@example.org (another host)
 *           bits 2-3 after the first message: 0 nothing; 1 the rest is split at byte 2 into first
 *                    message and one step response; 2 the harness answers a SCRAM server-first
 *                    as a SCRAM client would (RFC 5802 §3, proof computed from the challenge),
 *                    with the faults byte 2 selects; 3 like 1, and the step response is sent twice
 *           bit 4    run the attempt twice on one session: both must end the same way
 *           bit 5    the session's host is spelled "LocalHost" (the session prepares it)
 *           bit 6    after a final outcome, one more xs_sasl_step (no exchange: not-authorized)
 *           bit 7    stop after the first call: the session is freed mid-exchange
 *   byte 2  mode 1/3: the split point (first message = rest[0 .. byte2 % (n+1)]);
 *           mode 2: bit 0 bob's password instead of alice's; faults: bit 1 wrong channel-binding
 *           data (only where "p=" names data the session has), bit 2 another GS2 flag in c=,
 *           bit 3 r= without the server's nonce part, bit 4 a flipped proof bit
 *
 * Aborts when the API's promises break (sasl_server.h):
 *  - an outcome is a challenge (no user, data within XC_C2S_SASL_MAX), a success (user non-empty,
 *    a prepared node: node@localhost parses back to the same node, and one of our accounts), or
 *    a failure (no data, no user, a condition the adapter may send: never aborted or
 *    incorrect-encoding); data_len > 0 implies data != NULL;
 *  - xs_sasl_credential_failure is 1 only after a not-authorized failure, 0 after a challenge
 *    or a success; a step with no exchange in progress fails not-authorized, not a credential
 *    failure; a mechanism this session cannot run (no TLS, no certificate, no binding data, out
 *    of range) fails invalid-mechanism at once, and one it can run never does; more than
 *    XC_C2S_SASL_MAX bytes or a "p=TYPE," this session has no data for fail malformed-request,
 *    not as credential failures; xs_sasl_session_add_binding answers as the model expects;
 *  - a success is deserved: PLAIN and SCRAM only as the account whose password was given (PLAIN:
 *    SASLprep'd password equal to the account's, authcid naming it; SCRAM: the harness computed
 *    the proof with that account's password, no fault, n= naming it), SCRAM-*-PLUS only with "p",
 *    never "y" while this session has binding data (RFC 5802 §6 downgrade), EXTERNAL only with
 *    TLS and a certificate naming that account, PLAIN and -PLUS never without TLS;
 *  - the second run of the same attempt on one session ends like the first (kind, condition,
 *    user, credential flag: nothing of an earlier attempt survives into the next).
 *
 * Determinism: Cyrus draws a fresh server nonce for every SCRAM exchange, and the store draws
 * its salts and decoy key per process, so challenge bytes differ between runs. Outcomes do not:
 * a literal client-final can never match a fresh nonce (it fails the same way every time), and
 * mode 2 computes the proof from the challenge it got. Replays are reproducible in outcome; the
 * coverage of the uninstrumented libsasl2/plugins is not measured at all.
 *
 * FUZZ_SASL_TRACE=1 in the environment prints one line per attempt to stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sasl_server.h"
#include "store_sqlite.h"
#include "xc_base64.h"
#include "xc_jid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOST "localhost"
#define OTHER_HOST "example.org"
#define N_ACCOUNTS 2
#define ROUNDS_MAX 4
#define CNONCE_FIXED "fuzzclientnonce0123456789"

/* Our accounts on HOST: the only users a success may name. */
static const char *const ACCOUNT[N_ACCOUNTS] = {"alice", "bob"};
static const char *const PASSWORD[N_ACCOUNTS] = {"alice-Pa55word", "b\xc3\xb6" "b secret"};
static const char OTHER_HOST_PASSWORD[] = "alice-at-example-org";

static const uint8_t CB_EXPORTER[32] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
                                        0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
                                        0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20};
static const uint8_t CB_EXPORTER2[32] = {0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb,
                                         0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6,
                                         0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff, 0x00};
static const uint8_t CB_UNIQUE[12] = {0x75, 0x6e, 0x69, 0x71, 0x75, 0x65, 0x2d, 0x31, 0x32, 0x62, 0x79, 0x74};

enum { CB_T_EXPORTER = 0, CB_T_UNIQUE = 1, CB_T_COUNT = 2 };
static const char *const CB_TYPE_NAME[CB_T_COUNT] = {"tls-exporter", "tls-unique"};

enum { MODE_NONE = 0, MODE_RAW = 1, MODE_COMPUTED = 2, MODE_RAW_TWICE = 3 };

#define FAULT_BOB_PASSWORD 0x01u
#define FAULT_CB_DATA 0x02u
#define FAULT_GS2_FLAG 0x04u
#define FAULT_NONCE 0x08u
#define FAULT_PROOF 0x10u

/* One input, decoded, and what the session should hold. */
typedef struct setup {
    xc_mech mech;
    int present, secure, cb_variant, cert_variant, mode, repeat, upper_host, extra_step, stop;
    uint8_t arg;
    const uint8_t *first;
    size_t first_len;
    const uint8_t *second;
    size_t second_len;
    /* the model */
    const uint8_t *cb_data[CB_T_COUNT];   /* data the session holds per type, NULL: none */
    size_t cb_len[CB_T_COUNT];
    int cert_ok;                          /* a certificate naming a bare JID of HOST */
    int cert_account;                     /* index of the account it names, -1 none */
} setup;

/* How one attempt ended (its final outcome, copied). */
typedef struct result {
    xc_c2s_sasl_kind kind;
    xc_sasl_failure failure;
    int cred;
    char user[XC_JID_PART_MAX + 1];
    size_t user_len;
    int rounds;
} result;

static char g_dir[4096];
static char g_store[4200];
static int g_ready;
static int g_trace;
static char g_prepped[N_ACCOUNTS][XS_STORE_PASSWORD_MAX * 4u];
static size_t g_prepped_len[N_ACCOUNTS];

/* --- set-up ----------------------------------------------------------------------------- */

static void die(const char *why)
{
    fprintf(stderr, "fuzz_sasl: %s\n", why);
    abort();
}

#define DIR_PREFIX "xmppd-fuzz-sasl."

/* Removes the store files (by their names only) and the directory. */
static void remove_dir(const char *dir)
{
    static const char *const file[] = {"accounts.sqlite", "accounts.sqlite-wal", "accounts.sqlite-shm",
                                       "accounts.sqlite-journal"};
    char path[4300];
    size_t i;

    for (i = 0; i < sizeof file / sizeof file[0]; i++) {
        (void)snprintf(path, sizeof path, "%s/%s", dir, file[i]);
        (void)unlink(path);
    }
    (void)rmdir(dir);
}

static void remove_store(void)
{
    remove_dir(g_dir);
}

/* AFL++ ends its children without exit handlers: remove the directories of processes that are
 * gone (DIR_PREFIX<pid>.XXXXXX, pid no longer running). */
static void remove_stale(const char *tmp)
{
    char path[4300];
    struct dirent *e;
    DIR *d = opendir(tmp);

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char *end = NULL;
        long pid;

        if (strncmp(e->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0)
            continue;
        pid = strtol(e->d_name + strlen(DIR_PREFIX), &end, 10);
        if (end == NULL || *end != '.' || pid <= 0 || pid == (long)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        (void)snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
        remove_dir(path);
    }
    (void)closedir(d);
}

static void at_exit(void)
{
    xs_sasl_shutdown();
    remove_store();
}

static void run_input(const uint8_t *data, size_t size, result *r);

/* Inputs that must log in: the harness checks nothing if these do not. */
static void positive_control(void)
{
    static const struct {
        const char *what;
        uint8_t b0, b1, b2;
        const char *msg;
        size_t len;
        const char *user;
    } ok[] = {
        {"SCRAM-SHA-256", XC_MECH_SCRAM_SHA_256 | 0x08, MODE_COMPUTED << 2, 0, "n,,n=alice,r=" CNONCE_FIXED, 0,
         "alice"},
        {"SCRAM-SHA-1-PLUS (tls-unique added)", XC_MECH_SCRAM_SHA_1_PLUS | 0x08 | 0x10 | (3 << 5), MODE_COMPUTED << 2,
         0, "p=tls-unique,,n=alice,r=" CNONCE_FIXED, 0, "alice"},
        {"SCRAM-SHA-256 without initial response (bob)", XC_MECH_SCRAM_SHA_256 | 0x10 | (1 << 5), MODE_COMPUTED << 2,
         FAULT_BOB_PASSWORD, "n,,n=bob,r=" CNONCE_FIXED, 0, "bob"},
        {"PLAIN", XC_MECH_PLAIN | 0x08 | 0x10, 0, 0, "\0alice\0alice-Pa55word", 21, "alice"},
        {"EXTERNAL", XC_MECH_EXTERNAL | 0x08 | 0x10, 1, 0, "", 0, "alice"},
    };
    uint8_t buf[128];
    result r;
    size_t i, n;

    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        n = ok[i].len != 0 ? ok[i].len : strlen(ok[i].msg);
        buf[0] = ok[i].b0;
        buf[1] = ok[i].b1;
        buf[2] = ok[i].b2;
        memcpy(buf + 3, ok[i].msg, n);
        run_input(buf, n + 3, &r);
        if (r.kind != XC_C2S_SASL_SUCCESS || strcmp(r.user, ok[i].user) != 0) {
            fprintf(stderr, "fuzz_sasl: positive control %s: kind %d failure %d user '%s'\n", ok[i].what, r.kind,
                    r.failure, r.user);
            die("the positive control failed: the set-up does not log anyone in");
        }
    }
}

static void setup_once(void)
{
    const char *tmp = getenv("TMPDIR");
    xs_sasl_config cfg;
    char err[256];
    xs_store *st;
    int i;

    if (g_ready)
        return;
    g_ready = 1;
    g_trace = getenv("FUZZ_SASL_TRACE") != NULL;
    if (tmp == NULL || tmp[0] != '/' || strlen(tmp) > 2048)
        tmp = "/tmp";
    remove_stale(tmp);
    (void)snprintf(g_dir, sizeof g_dir, "%s/" DIR_PREFIX "%ld.XXXXXX", tmp, (long)getpid());
    if (mkdtemp(g_dir) == NULL)
        die("mkdtemp");
    (void)snprintf(g_store, sizeof g_store, "%s/accounts.sqlite", g_dir);
    st = xs_store_open(g_store, XS_STORE_CREATE, err, sizeof err);
    if (st == NULL)
        die(err);
    for (i = 0; i < N_ACCOUNTS; i++) {
        if (xs_store_add(st, ACCOUNT[i], HOST, PASSWORD[i], strlen(PASSWORD[i]), 0) != XS_STORE_OK)
            die("xs_store_add");
        if (xs_saslprep(PASSWORD[i], strlen(PASSWORD[i]), 0, g_prepped[i], sizeof g_prepped[i], &g_prepped_len[i]) != 0)
            die("xs_saslprep");
    }
    if (xs_store_add(st, ACCOUNT[0], OTHER_HOST, OTHER_HOST_PASSWORD, strlen(OTHER_HOST_PASSWORD), 0) != XS_STORE_OK)
        die("xs_store_add");
    xs_store_close(st);
    cfg.store_path = g_store;
    cfg.service = "xmpp";
    if (xs_sasl_init(&cfg, err, sizeof err) != 0) {
        remove_store();
        die(err);
    }
    if (atexit(at_exit) != 0)
        die("atexit");
    positive_control();
}

/* --- helpers ---------------------------------------------------------------------------- */

static int is_scram(xc_mech m)
{
    return m == XC_MECH_SCRAM_SHA_256_PLUS || m == XC_MECH_SCRAM_SHA_256 || m == XC_MECH_SCRAM_SHA_1_PLUS ||
           m == XC_MECH_SCRAM_SHA_1;
}

static int is_plus(xc_mech m)
{
    return m == XC_MECH_SCRAM_SHA_256_PLUS || m == XC_MECH_SCRAM_SHA_1_PLUS;
}

static int has_binding(const setup *u)
{
    return u->cb_data[CB_T_EXPORTER] != NULL || u->cb_data[CB_T_UNIQUE] != NULL;
}

/* What sasl_server.h says this session can run. */
static int usable(const setup *u)
{
    switch (u->mech) {
    case XC_MECH_EXTERNAL: return u->secure && u->cert_ok;
    case XC_MECH_SCRAM_SHA_256_PLUS:
    case XC_MECH_SCRAM_SHA_1_PLUS: return u->secure && has_binding(u);
    case XC_MECH_PLAIN: return u->secure;
    case XC_MECH_SCRAM_SHA_256:
    case XC_MECH_SCRAM_SHA_1: return 1;
    case XC_MECH_COUNT:
    default: return 0;
    }
}

/* The account `name` names on HOST ("node" or "node@host", any form preparation maps to it),
 * or -1. */
static int account_named(const char *name, size_t len)
{
    char buf[XC_JID_IN_MAX + 1];
    xc_jid j;
    size_t n = len;
    int i;

    if (len == 0 || len + 1 + strlen(HOST) > sizeof buf || memchr(name, '\0', len) != NULL)
        return -1;
    memcpy(buf, name, len);
    if (memchr(name, '@', len) == NULL) {
        buf[n++] = '@';
        memcpy(buf + n, HOST, strlen(HOST));
        n += strlen(HOST);
    }
    if (xc_jid_parse(buf, n, &j) != XC_JID_OK || j.resource_len != 0 || j.domain_len != strlen(HOST) ||
        memcmp(j.buf + XC_JID_DOMAIN_OFF, HOST, j.domain_len) != 0)
        return -1;
    for (i = 0; i < N_ACCOUNTS; i++)
        if (j.node_len == strlen(ACCOUNT[i]) && memcmp(j.buf + XC_JID_NODE_OFF, ACCOUNT[i], j.node_len) == 0)
            return i;
    return -1;
}

static int account_index(const char *user, size_t len)
{
    int i;

    for (i = 0; i < N_ACCOUNTS; i++)
        if (len == strlen(ACCOUNT[i]) && memcmp(user, ACCOUNT[i], len) == 0)
            return i;
    return -1;
}

/* RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is malformed. */
static int saslname_decode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        char c = (char)in[i];

        if (c == '=') {
            if (i + 2 >= len)
                return -1;
            if (in[i + 1] == '2' && in[i + 2] == 'C')
                c = ',';
            else if (in[i + 1] == '3' && in[i + 2] == 'D')
                c = '=';
            else
                return -1;
            i += 2;
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    *out_len = n;
    return 0;
}

/* The GS2 header of a SCRAM client-first message: flag, the binding type for "p=", the
 * authzid (after "a="), and where the bare message starts. -1 when there is no header. */
typedef struct gs2 {
    char flag;                  /* 'n', 'y', 'p' or another byte */
    const uint8_t *type;        /* "p=TYPE" */
    size_t type_len;
    const uint8_t *authzid;     /* raw, after "a=" (NULL: none) */
    size_t authzid_len;
    size_t header_len;          /* bytes up to and including the second comma */
} gs2;

static int gs2_parse(const uint8_t *m, size_t len, gs2 *g)
{
    const uint8_t *c1, *c2;

    memset(g, 0, sizeof *g);
    if (len == 0)
        return -1;
    c1 = memchr(m, ',', len);
    if (c1 == NULL)
        return -1;
    c2 = memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - m));
    if (c2 == NULL)
        return -1;
    g->flag = (char)m[0];
    if (m[0] == 'p' && c1 - m >= 2 && m[1] == '=') {
        g->type = m + 2;
        g->type_len = (size_t)(c1 - m - 2);
    }
    if (c2 - c1 >= 3 && c1[1] == 'a' && c1[2] == '=') {
        g->authzid = c1 + 3;
        g->authzid_len = (size_t)(c2 - c1 - 3);
    }
    g->header_len = (size_t)(c2 + 1 - m);
    return 0;
}

/* Which binding type a "p=" names, or -1 for one we have no name for. */
static int cb_type_of(const uint8_t *t, size_t len)
{
    int i;

    for (i = 0; i < CB_T_COUNT; i++)
        if (len == strlen(CB_TYPE_NAME[i]) && memcmp(t, CB_TYPE_NAME[i], len) == 0)
            return i;
    return -1;
}

/* The bare message's user (n=...) as an account index, or -1. */
static int scram_user(const uint8_t *bare, size_t len)
{
    char name[XC_JID_IN_MAX + 1];
    const uint8_t *comma;
    size_t n = 0;

    if (len < 2 || bare[0] != 'n' || bare[1] != '=')
        return -1;
    comma = memchr(bare + 2, ',', len - 2);
    if (comma == NULL)
        return -1;
    if (saslname_decode(bare + 2, (size_t)(comma - bare - 2), name, sizeof name, &n) != 0)
        return -1;
    return account_named(name, n);
}

/* --- a SCRAM client (RFC 5802 §3), enough to answer one server-first --------------------- */

typedef struct salted_cache {
    int used;
    int family;
    int account;
    unsigned iter;
    size_t salt_len;
    uint8_t salt[64];
    uint8_t salted[EVP_MAX_MD_SIZE];
} salted_cache;

static salted_cache g_cache[8];

static const uint8_t *salted_password(int family, int account, const uint8_t *salt, size_t salt_len, unsigned iter)
{
    const EVP_MD *md = family == 1 ? EVP_sha256() : EVP_sha1();
    int hl = EVP_MD_get_size(md);
    size_t i;

    for (i = 0; i < sizeof g_cache / sizeof g_cache[0]; i++) {
        salted_cache *c = &g_cache[i];

        if (c->used && c->family == family && c->account == account && c->iter == iter && c->salt_len == salt_len &&
            memcmp(c->salt, salt, salt_len) == 0)
            return c->salted;
    }
    for (i = 0; i < sizeof g_cache / sizeof g_cache[0] && g_cache[i].used; i++)
        ;
    if (i == sizeof g_cache / sizeof g_cache[0])
        i = (size_t)(salt[0] % (sizeof g_cache / sizeof g_cache[0]));   /* evict one */
    if (PKCS5_PBKDF2_HMAC(g_prepped[account], (int)g_prepped_len[account], salt, (int)salt_len, (int)iter, md, hl,
                          g_cache[i].salted) != 1)
        die("PKCS5_PBKDF2_HMAC");
    g_cache[i].used = 1;
    g_cache[i].family = family;
    g_cache[i].account = account;
    g_cache[i].iter = iter;
    g_cache[i].salt_len = salt_len;
    memcpy(g_cache[i].salt, salt, salt_len);
    return g_cache[i].salted;
}

/* Builds the client-final message answering server-first `sf` for client-first `cf` into out;
 * *applied gets the faults of u->arg that changed something (FAULT_CB_DATA only changes a "p"
 * binding the session has data for: tests/regress/sasl/harness_cb_fault_without_binding is the
 * false positive of an earlier version that counted it anyway). -1 when sf is not a server-first
 * this client can answer. */
static int scram_final(const setup *u, const uint8_t *cf, size_t cf_len, const uint8_t *sf, size_t sf_len,
                       char *out, size_t cap, size_t *out_len, unsigned *applied)
{
    const EVP_MD *md = (u->mech == XC_MECH_SCRAM_SHA_256 || u->mech == XC_MECH_SCRAM_SHA_256_PLUS) ? EVP_sha256()
                                                                                                      : EVP_sha1();
    int family = md == EVP_sha256() ? 1 : 0;
    size_t hl = (size_t)EVP_MD_get_size(md);
    uint8_t cbind[8 + 64 + 64], salt[64], client_key[EVP_MAX_MD_SIZE], stored_key[EVP_MAX_MD_SIZE];
    uint8_t sig[EVP_MAX_MD_SIZE], proof[EVP_MAX_MD_SIZE];
    static char auth[3 * XC_C2S_SASL_MAX + 64];
    const uint8_t *r, *s, *ip, *end, *salted;
    size_t cb_n = 0, salt_len = 0, n = 0, k, an, nonce_len;
    unsigned iter = 0;
    unsigned int ml = 0;
    gs2 g;
    int account = (u->arg & FAULT_BOB_PASSWORD) ? 1 : 0;

    *applied = 0;
    if (gs2_parse(cf, cf_len, &g) != 0 || g.header_len > 8 + 64)
        return -1;
    /* server-first = "r=" nonce ",s=" salt ",i=" iterations ["," extensions] */
    if (sf_len < 2 || sf[0] != 'r' || sf[1] != '=')
        return -1;
    r = sf + 2;
    s = memchr(r, ',', sf_len - 2);
    if (s == NULL || sf + sf_len - s < 4 || s[1] != 's' || s[2] != '=')
        return -1;
    ip = memchr(s + 3, ',', (size_t)(sf + sf_len - (s + 3)));
    if (ip == NULL || sf + sf_len - ip < 4 || ip[1] != 'i' || ip[2] != '=')
        return -1;
    if (xc_base64_decode((const char *)s + 3, (size_t)(ip - s - 3), salt, sizeof salt, &salt_len) != XC_B64_OK ||
        salt_len == 0)
        return -1;
    for (end = ip + 3; end < sf + sf_len && *end >= '0' && *end <= '9'; end++) {
        iter = iter * 10u + (unsigned)(*end - '0');
        if (iter > XS_SCRAM_ITER_MAX)
            return -1;
    }
    if (iter == 0 || end == ip + 3)
        return -1;
    nonce_len = (size_t)(s - r);
    /* c= base64(gs2 header [+ binding data]) */
    memcpy(cbind, cf, g.header_len);
    cb_n = g.header_len;
    if (u->arg & FAULT_GS2_FLAG) {
        cbind[0] = cbind[0] == 'n' ? 'y' : 'n';
        *applied |= FAULT_GS2_FLAG;
    }
    if (g.flag == 'p') {
        int t = cb_type_of(g.type, g.type_len);

        if (t >= 0 && u->cb_data[t] != NULL) {
            memcpy(cbind + cb_n, u->cb_data[t], u->cb_len[t]);
            if (u->arg & FAULT_CB_DATA) {
                cbind[cb_n] ^= 0x01;
                *applied |= FAULT_CB_DATA;
            }
            cb_n += u->cb_len[t];
        }
    }
    if (cap < 16)
        return -1;
    memcpy(out, "c=", 2);
    n = 2;
    if (xc_base64_encode(cbind, cb_n, out + n, cap - n, &k) != XC_B64_OK)
        return -1;
    n += k;
    if (u->arg & FAULT_NONCE) {
        /* only the client's part: the nonce minus what the server appended */
        const uint8_t *cr = NULL;
        size_t cr_len = 0;

        if (cf_len > g.header_len) {
            const uint8_t *bare = cf + g.header_len, *rp;
            size_t bl = cf_len - g.header_len;

            for (rp = bare; rp + 2 <= bare + bl; rp++)
                if ((rp == bare || rp[-1] == ',') && rp[0] == 'r' && rp + 1 < bare + bl && rp[1] == '=') {
                    cr = rp + 2;
                    break;
                }
            if (cr != NULL) {
                const uint8_t *ce = memchr(cr, ',', (size_t)(bare + bl - cr));

                cr_len = ce != NULL ? (size_t)(ce - cr) : (size_t)(bare + bl - cr);
            }
        }
        if (cr_len < nonce_len) {
            nonce_len = cr_len;
            *applied |= FAULT_NONCE;
        }
    }
    if (n + 3 + nonce_len + 4 + 2 * EVP_MAX_MD_SIZE >= cap)
        return -1;
    memcpy(out + n, ",r=", 3);
    n += 3;
    memcpy(out + n, r, nonce_len);
    n += nonce_len;
    /* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
    an = cf_len - g.header_len;
    if (an + 1 + sf_len + 1 + n > sizeof auth)
        return -1;
    memcpy(auth, cf + g.header_len, an);
    auth[an++] = ',';
    memcpy(auth + an, sf, sf_len);
    an += sf_len;
    auth[an++] = ',';
    memcpy(auth + an, out, n);
    an += n;
    salted = salted_password(family, account, salt, salt_len, iter);
    if (HMAC(md, salted, (int)hl, (const unsigned char *)"Client Key", 10, client_key, &ml) == NULL ||
        EVP_Digest(client_key, hl, stored_key, NULL, md, NULL) != 1 ||
        HMAC(md, stored_key, (int)hl, (const unsigned char *)auth, an, sig, &ml) == NULL)
        die("HMAC");
    for (k = 0; k < hl; k++)
        proof[k] = client_key[k] ^ sig[k];
    if (u->arg & FAULT_PROOF) {
        proof[0] ^= 0x80;
        *applied |= FAULT_PROOF;
    }
    memcpy(out + n, ",p=", 3);
    n += 3;
    if (xc_base64_encode(proof, hl, out + n, cap - n, &k) != XC_B64_OK)
        return -1;
    n += k;
    *out_len = n;
    return 0;
}

/* --- checks ----------------------------------------------------------------------------- */

#define CHECK(c, what)                                                                          \
    do {                                                                                        \
        if (!(c))                                                                               \
            die("invariant broken: " what " (" #c ")");                                         \
    } while (0)

/* What every outcome promises (sasl_server.h, xc_c2s.h). */
static void check_outcome(const xs_sasl_session *s, const xc_c2s_sasl_outcome *o)
{
    int cred = xs_sasl_credential_failure(s);
    char buf[XC_JID_PART_MAX + 1 + sizeof HOST];
    xc_jid j;

    CHECK(cred == 0 || cred == 1, "credential flag is 0 or 1");
    CHECK(o->data_len == 0 || o->data != NULL, "data_len > 0 has data");
    CHECK(o->data_len <= XC_C2S_SASL_MAX, "data within XC_C2S_SASL_MAX");
    switch (o->kind) {
    case XC_C2S_SASL_CHALLENGE:
        CHECK(!cred, "no credential failure after a challenge");
        CHECK(o->user == NULL && o->user_len == 0, "a challenge names no user");
        break;
    case XC_C2S_SASL_SUCCESS:
        CHECK(!cred, "no credential failure after a success");
        CHECK(o->user != NULL && o->user_len > 0 && o->user_len <= XC_JID_PART_MAX, "success names a user");
        CHECK(memchr(o->user, '\0', o->user_len) == NULL && memchr(o->user, '@', o->user_len) == NULL,
              "the user is a node");
        memcpy(buf, o->user, o->user_len);
        buf[o->user_len] = '@';
        memcpy(buf + o->user_len + 1, HOST, strlen(HOST));
        CHECK(xc_jid_parse(buf, o->user_len + 1 + strlen(HOST), &j) == XC_JID_OK && j.node_len == o->user_len &&
                  memcmp(j.buf + XC_JID_NODE_OFF, o->user, o->user_len) == 0,
              "the user is a prepared node");
        CHECK(account_index(o->user, o->user_len) >= 0, "the user is one of our accounts");
        break;
    case XC_C2S_SASL_FAILURE:
        CHECK((unsigned)o->failure < XC_SF_COUNT && o->failure != XC_SF_ABORTED &&
                  o->failure != XC_SF_INCORRECT_ENCODING,
              "a failure has a condition the adapter sends");
        CHECK(o->data == NULL && o->data_len == 0 && o->user == NULL && o->user_len == 0,
              "a failure carries no data and no user");
        CHECK(!cred || o->failure == XC_SF_NOT_AUTHORIZED, "a credential failure is not-authorized");
        break;
    default:
        die("invariant broken: outcome kind out of range");
    }
}

/* A success must be deserved: the rules in the header comment. `computed` says the harness
 * computed a SCRAM client-final for the first message, `faults` what it changed in it. */
static void check_success(const setup *u, const xc_c2s_sasl_outcome *o, int computed, unsigned faults)
{
    int who = account_index(o->user, o->user_len);
    const uint8_t *m = u->first;
    size_t len = u->first_len;

    CHECK(usable(u), "success only with a mechanism this session can run");
    if (u->mech == XC_MECH_PLAIN) {
        const uint8_t *z1 = memchr(m, '\0', len), *z2, *pass;
        char prep[XS_STORE_PASSWORD_MAX * 4u];
        size_t plen = 0;

        CHECK(u->secure, "PLAIN only with TLS");
        CHECK(z1 != NULL, "PLAIN success has an authcid");
        z2 = memchr(z1 + 1, '\0', len - (size_t)(z1 + 1 - m));
        CHECK(z2 != NULL, "PLAIN success has a password");
        pass = z2 + 1;
        CHECK(account_named((const char *)z1 + 1, (size_t)(z2 - z1 - 1)) == who, "PLAIN authcid names the user");
        CHECK(z1 == m || account_named((const char *)m, (size_t)(z1 - m)) == who, "PLAIN authzid names the user");
        CHECK(xs_saslprep((const char *)pass, len - (size_t)(pass - m), 0, prep, sizeof prep, &plen) == 0 &&
                  plen == g_prepped_len[who] && memcmp(prep, g_prepped[who], plen) == 0,
              "PLAIN success only with the user's password");
    } else if (is_scram(u->mech)) {
        gs2 g;

        CHECK(computed, "SCRAM success only with a computed proof");
        CHECK(faults == 0, "SCRAM success only without faults");
        CHECK(who == ((u->arg & FAULT_BOB_PASSWORD) ? 1 : 0), "SCRAM success only with the user's password");
        CHECK(gs2_parse(m, len, &g) == 0, "SCRAM success has a GS2 header");
        CHECK(scram_user(m + g.header_len, len - g.header_len) == who, "SCRAM n= names the user");
        CHECK(g.authzid == NULL || account_named((const char *)g.authzid, g.authzid_len) == who ||
                  g.authzid_len == 0,
              "SCRAM authzid names the user");
        CHECK(!is_plus(u->mech) || g.flag == 'p', "SCRAM-PLUS success only with channel binding");
        CHECK(!(has_binding(u) && g.flag == 'y'), "no 'y' downgrade while the server has binding data");
        if (g.flag == 'p') {
            int t = cb_type_of(g.type, g.type_len);

            CHECK(t >= 0 && u->cb_data[t] != NULL, "p= success only with data of that type");
        }
    } else {
        CHECK(u->mech == XC_MECH_EXTERNAL, "success with a known mechanism");
        CHECK(u->secure && u->cert_account == who, "EXTERNAL success only as the certificate's account");
        CHECK(len == 0 || account_named((const char *)m, len) == who, "EXTERNAL authzid names the user");
    }
}

/* The first outcome an attempt gets, against the model. */
static void check_first(const setup *u, const xc_c2s_sasl_outcome *o, int cred, const uint8_t *msg, size_t len,
                        int with_msg)
{
    if (!usable(u)) {
        CHECK(o->kind == XC_C2S_SASL_FAILURE && o->failure == XC_SF_INVALID_MECHANISM && !cred,
              "a mechanism this session cannot run is invalid-mechanism");
        return;
    }
    CHECK(!(o->kind == XC_C2S_SASL_FAILURE && o->failure == XC_SF_INVALID_MECHANISM),
          "a mechanism this session can run is never invalid-mechanism");
    if (!with_msg)
        return;
    if (len > XC_C2S_SASL_MAX) {
        CHECK(o->kind == XC_C2S_SASL_FAILURE && o->failure == XC_SF_MALFORMED_REQUEST && !cred,
              "an oversized message is malformed-request");
        return;
    }
    if (is_scram(u->mech) && len >= 2 && msg[0] == 'p' && msg[1] == '=') {
        const uint8_t *comma = memchr(msg + 2, ',', len - 2);

        if (comma != NULL) {
            int t = cb_type_of(msg + 2, (size_t)(comma - msg - 2));

            if (t < 0 || u->cb_data[t] == NULL)
                CHECK(o->kind == XC_C2S_SASL_FAILURE && o->failure == XC_SF_MALFORMED_REQUEST && !cred,
                      "a binding type without data is malformed-request, not a credential failure");
        }
    }
}

/* --- one attempt ------------------------------------------------------------------------ */

static void copy_result(const xs_sasl_session *s, const xc_c2s_sasl_outcome *o, int rounds, result *r)
{
    memset(r, 0, sizeof *r);
    r->kind = o->kind;
    r->failure = o->kind == XC_C2S_SASL_FAILURE ? o->failure : XC_SF_COUNT;
    r->cred = xs_sasl_credential_failure(s);
    r->rounds = rounds;
    if (o->kind == XC_C2S_SASL_SUCCESS) {
        memcpy(r->user, o->user, o->user_len);
        r->user_len = o->user_len;
    }
}

static void attempt(xs_sasl_session *s, const setup *u, result *r)
{
    static char final[XC_C2S_SASL_MAX + 256];
    static uint8_t server_first[XC_C2S_SASL_MAX];
    xc_c2s_sasl_outcome o;
    size_t final_len = 0, sf_len;
    unsigned faults = 0;
    int rounds = 0, computed = 0;

    if (u->present) {
        xs_sasl_start(s, u->mech, u->first, u->first_len, 1, &o);
        check_outcome(s, &o);
        check_first(u, &o, xs_sasl_credential_failure(s), u->first, u->first_len, 1);
    } else {
        xs_sasl_start(s, u->mech, NULL, 0, 0, &o);
        check_outcome(s, &o);
        check_first(u, &o, xs_sasl_credential_failure(s), NULL, 0, 0);
        if (o.kind == XC_C2S_SASL_CHALLENGE && !u->stop) {
            CHECK(o.data_len == 0, "no initial response: the first challenge is empty");
            rounds++;
            xs_sasl_step(s, u->first, u->first_len, &o);
            check_outcome(s, &o);
            check_first(u, &o, xs_sasl_credential_failure(s), u->first, u->first_len, 1);
        }
    }
    if (o.kind == XC_C2S_SASL_CHALLENGE && !u->stop) {
        switch (u->mode) {
        case MODE_RAW:
        case MODE_RAW_TWICE:
            rounds++;
            xs_sasl_step(s, u->second, u->second_len, &o);
            check_outcome(s, &o);
            if (u->mode == MODE_RAW_TWICE && o.kind == XC_C2S_SASL_CHALLENGE) {
                rounds++;
                xs_sasl_step(s, u->second, u->second_len, &o);
                check_outcome(s, &o);
            }
            break;
        case MODE_COMPUTED:
            sf_len = o.data_len;
            if (sf_len > 0)
                memcpy(server_first, o.data, sf_len);
            if (is_scram(u->mech) &&
                scram_final(u, u->first, u->first_len, server_first, sf_len, final, sizeof final, &final_len,
                            &faults) == 0) {
                computed = 1;
                rounds++;
                xs_sasl_step(s, (const uint8_t *)final, final_len, &o);
                check_outcome(s, &o);
            }
            break;
        case MODE_NONE:
        default:
            break;
        }
    }
    if (o.kind == XC_C2S_SASL_SUCCESS)
        check_success(u, &o, computed, faults);
    copy_result(s, &o, rounds, r);
    if (u->extra_step && o.kind != XC_C2S_SASL_CHALLENGE) {
        xs_sasl_step(s, u->second, u->second_len, &o);
        check_outcome(s, &o);
        CHECK(o.kind == XC_C2S_SASL_FAILURE && o.failure == XC_SF_NOT_AUTHORIZED && !xs_sasl_credential_failure(s),
              "a step with no exchange is not-authorized, not a credential failure");
    }
    if (g_trace)
        fprintf(stderr, "fuzz_sasl: mech %d present %d secure %d cb %d cert %d mode %d arg %02x first %zu -> kind %d "
                        "failure %d cred %d user '%s' rounds %d%s\n",
                (int)u->mech, u->present, u->secure, u->cb_variant, u->cert_variant, u->mode, u->arg, u->first_len,
                r->kind, r->kind == XC_C2S_SASL_FAILURE ? (int)r->failure : -1, r->cred, r->user, r->rounds,
                computed ? " (computed final)" : "");
}

/* --- the session ------------------------------------------------------------------------ */

static void add_expect(xs_sasl_session *s, setup *u, int t, const char *type, const uint8_t *d, size_t len)
{
    int rc = xs_sasl_session_add_binding(s, type, d, len);

    if (t >= 0 && u->secure) {
        CHECK(rc == 0, "add_binding accepts a known type on a secure session");
        u->cb_data[t] = d;
        u->cb_len[t] = len;
    } else {
        CHECK(rc == -1, "add_binding refuses an unknown type or an insecure session");
    }
}

static void run_input(const uint8_t *data, size_t size, result *r)
{
    static const char *const cert[4] = {NULL, "alice@" HOST, "carol@" HOST, "alice@" OTHER_HOST};
    const uint8_t *rest = size > 3 ? data + 3 : NULL;
    size_t n = size > 3 ? size - 3 : 0;
    uint8_t b0 = size > 0 ? data[0] : 0, b1 = size > 1 ? data[1] : 0;
    xs_tls_facts tls;
    xs_sasl_session *s;
    result again;
    setup u;
    uint8_t *copy;
    size_t k;

    memset(&u, 0, sizeof u);
    u.mech = (xc_mech)((b0 & 7u) == 7u ? XC_MECH_SCRAM_SHA_256 : (b0 & 7u));
    u.present = (b0 >> 3) & 1;
    u.secure = (b0 >> 4) & 1;
    u.cb_variant = b0 >> 5;
    u.cert_variant = b1 & 3;
    u.mode = (b1 >> 2) & 3;
    u.repeat = (b1 >> 4) & 1;
    u.upper_host = (b1 >> 5) & 1;
    u.extra_step = (b1 >> 6) & 1;
    u.stop = (b1 >> 7) & 1;
    u.arg = size > 2 ? data[2] : 0;
    /* Exactly sized heap copies, so ASan sees any over-read of either message. */
    copy = malloc(n > 0 ? n : 1);
    if (copy == NULL)
        die("malloc");
    if (n > 0)
        memcpy(copy, rest, n);
    k = (u.mode == MODE_RAW || u.mode == MODE_RAW_TWICE) ? u.arg % (n + 1) : n;
    u.first = copy;
    u.first_len = k;
    u.second = copy + k;
    u.second_len = n - k;
    u.cert_ok = u.cert_variant == 1 || u.cert_variant == 2;
    u.cert_account = u.cert_variant == 1 ? 0 : -1;

    memset(&tls, 0, sizeof tls);
    tls.secure = u.secure;
    tls.cert_jid = cert[u.cert_variant];
    switch (u.cb_variant) {
    case 1: case 3: case 6:
        tls.cb_type = CB_TYPE_NAME[CB_T_EXPORTER];
        tls.cb_data = CB_EXPORTER;
        tls.cb_len = sizeof CB_EXPORTER;
        break;
    case 2: case 4:
        tls.cb_type = CB_TYPE_NAME[CB_T_UNIQUE];
        tls.cb_data = CB_UNIQUE;
        tls.cb_len = sizeof CB_UNIQUE;
        break;
    case 5:
        tls.cb_type = CB_TYPE_NAME[CB_T_EXPORTER];    /* a type, but no data: refused */
        break;
    default:
        break;
    }
    if (u.secure && tls.cb_data != NULL) {
        int t = u.cb_variant == 2 || u.cb_variant == 4 ? CB_T_UNIQUE : CB_T_EXPORTER;

        u.cb_data[t] = tls.cb_data;
        u.cb_len[t] = tls.cb_len;
    }
    s = xs_sasl_session_new(u.upper_host ? "LocalHost" : HOST, &tls);
    CHECK(s != NULL, "a session for a valid host");
    CHECK(xs_sasl_credential_failure(s) == 0, "a new session has no credential failure");
    switch (u.cb_variant) {
    case 3: add_expect(s, &u, CB_T_UNIQUE, "tls-unique", CB_UNIQUE, sizeof CB_UNIQUE); break;
    case 4: add_expect(s, &u, CB_T_EXPORTER, "tls-exporter", CB_EXPORTER, sizeof CB_EXPORTER); break;
    case 6: add_expect(s, &u, CB_T_EXPORTER, "tls-exporter", CB_EXPORTER2, sizeof CB_EXPORTER2); break;
    case 7: add_expect(s, &u, -1, "tls-server-end-point", CB_EXPORTER, sizeof CB_EXPORTER); break;
    default: break;
    }

    attempt(s, &u, r);
    if (u.repeat) {
        attempt(s, &u, &again);
        CHECK(again.kind == r->kind && again.failure == r->failure && again.cred == r->cred &&
                  again.user_len == r->user_len && memcmp(again.user, r->user, r->user_len) == 0,
              "the same attempt twice on one session ends the same way");
    }
    xs_sasl_session_free(s);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    result r;

    setup_once();
    run_input(data, size, &r);
    return 0;
}
