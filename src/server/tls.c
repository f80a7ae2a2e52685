/*
 * tls.c — see tls.h.
 *
 * Invariants kept here:
 *   - the read BIO returns "retry" when empty (BIO_set_mem_eof_return -1), so an exhausted buffer
 *     is WANT_READ, never a fake EOF;
 *   - every host's SSL_CTX has the same protocol settings (versions, options, ciphers), so a
 *     switch by SNI (SSL_set_SSL_CTX) changes only the certificate;
 *   - the OpenSSL error queue is cleared before every operation and read right after it, so a
 *     reason in a log belongs to this connection;
 *   - a session is handed to tls13_records.c only at a record boundary in both directions, with
 *     the record numbers OpenSSL used (counted in the message callback from each Finished on)
 *     and the traffic secrets it logged, and only when no post-handshake message changed a key;
 *     from then on t->ssl is NULL and t->records runs the session.
 */
#include <ctype.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "tls.h"
#include "tls13_records.h"

struct xs_tls_ctx {
    uint32_t refs;
    uint32_t n;
    int s2s;                                  /* made by xs_tls_s2s_ctx_new */
    int idle_handover;                        /* tls.idle_handover (c2s only: s2s streams never park) */
    char domain[XC_C2S_HOSTS_MAX][XS_CFG_NAME_MAX];
    SSL_CTX *ctx[XC_C2S_HOSTS_MAX];           /* the receiving side */
    SSL_CTX *client[XC_C2S_HOSTS_MAX];        /* s2s: the initiating side, NULL on c2s */
    xs_client_certs client_certs[XC_C2S_HOSTS_MAX];
    xs_cert_identity cert_identity[XC_C2S_HOSTS_MAX];
};

struct xs_tls {
    SSL *ssl;
    BIO *rbio;            /* owned by ssl */
    BIO *wbio;            /* owned by ssl */
    xs_tls_ctx *ctx;
    int handshake_done;
    int renegotiation;
    int close_sent;
    int verify_err;       /* the first X509_V_ERR_* of the peer's chain, 0 when none */
    uint8_t *pending;     /* plaintext waiting for WANT_READ to clear */
    size_t pending_len;
    const char *sni;      /* the served host the client named (in ctx, which this session holds), or NULL */
    /* TLS 1.3, for the hand-over to tls13_records.c (xs_tls_trim) */
    xs_tls13 *records;    /* the session after the hand-over (ssl is NULL then), else NULL */
    const char *version_name, *cipher_name;   /* OpenSSL's static names, kept for the logs */
    uint8_t client_secret[XS_TLS13_SECRET_MAX], server_secret[XS_TLS13_SECRET_MAX];   /* *_TRAFFIC_SECRET_0 */
    uint8_t client_secret_len, server_secret_len;
    uint8_t counting[2];  /* [write_p]: that direction's Finished went by; records since are counted */
    uint8_t key_changed;  /* a handshake message after a Finished (KeyUpdate): no hand-over */
    uint64_t records_seen[2];   /* [write_p]: records under the application traffic keys */
    char err[256];
};

static void note_error(xs_tls *t, const char *what, int ssl_err)
{
    unsigned long e = ERR_get_error();
    char reason[200];

    if (e != 0)
        ERR_error_string_n(e, reason, sizeof reason);
    else
        snprintf(reason, sizeof reason, "SSL_get_error %d", ssl_err);
    snprintf(t->err, sizeof t->err, "%s: %s", what, reason);
    ERR_clear_error();
}

/* Renegotiation (TLS <= 1.2 only: TLS 1.3 has none, and OpenSSL reports its post-handshake
 * messages — tickets, KeyUpdate — as handshake starts too). */
static void info_cb(const SSL *ssl, int where, int ret)
{
    xs_tls *t = SSL_get_app_data(ssl);

    (void)ret;
    if (t == NULL)
        return;
    if ((where & SSL_CB_HANDSHAKE_START) != 0 && t->handshake_done && SSL_version(ssl) < TLS1_3_VERSION)
        t->renegotiation = 1;
    if ((where & SSL_CB_HANDSHAKE_DONE) != 0)
        t->handshake_done = 1;
}

/* Keeps the two application traffic secrets of TLS 1.3 (the NSS key log lines OpenSSL builds,
 * "CLIENT_TRAFFIC_SECRET_0 <client random> <secret>", and wipes after the call) for a later
 * hand-over to tls13_records.c. */
static void keylog_cb(const SSL *ssl, const char *line)
{
    static const char client_label[] = "CLIENT_TRAFFIC_SECRET_0 ", server_label[] = "SERVER_TRAFFIC_SECRET_0 ";
    xs_tls *t = SSL_get_app_data(ssl);
    uint8_t *secret, *len;
    const char *hex;
    size_t i, n, label_len;

    if (t == NULL)
        return;
    if (strncmp(line, client_label, sizeof client_label - 1) == 0) {
        secret = t->client_secret;
        len = &t->client_secret_len;
        label_len = sizeof client_label - 1;
    } else if (strncmp(line, server_label, sizeof server_label - 1) == 0) {
        secret = t->server_secret;
        len = &t->server_secret_len;
        label_len = sizeof server_label - 1;
    } else {
        return;
    }
    hex = strchr(line + label_len, ' ');    /* past the client random */
    *len = 0;
    if (hex == NULL)
        return;
    hex++;
    n = strlen(hex) / 2;
    if (n > XS_TLS13_SECRET_MAX || strlen(hex) % 2 != 0)
        return;
    for (i = 0; i < n; i++) {
        int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
        int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            OPENSSL_cleanse(secret, XS_TLS13_SECRET_MAX);
            return;
        }
        secret[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = (uint8_t)n;
}

/* Counts the records each way under the application traffic keys: from the record after the
 * Finished of that direction on, every record header (OpenSSL reports each one it reads or
 * writes, before the handshake messages inside). A handshake message after that Finished
 * (KeyUpdate: a new key, numbers from 0) rules the hand-over out for this session. */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg)
{
    xs_tls *t = SSL_get_app_data(ssl);
    int w = write_p != 0;

    (void)version;
    (void)arg;
    if (t == NULL)
        return;
    if (content_type == SSL3_RT_HEADER && t->counting[w])
        t->records_seen[w]++;
    else if (content_type == SSL3_RT_HANDSHAKE && len > 0 && t->counting[w])
        t->key_changed = 1;
    else if (content_type == SSL3_RT_HANDSHAKE && len > 0 && ((const uint8_t *)buf)[0] == SSL3_MT_FINISHED)
        t->counting[w] = 1;
}

/* SNI: switch to the certificate of the host the client named, when we serve it. A name we do
 * not serve keeps the stream host's certificate (the stream already named a host we serve). */
static int sni_cb(SSL *ssl, int *alert, void *arg)
{
    xs_tls_ctx *c = arg;
    xs_tls *t = SSL_get_app_data(ssl);
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    char low[XS_CFG_NAME_MAX];
    size_t i, n;

    (void)alert;
    if (name == NULL || t == NULL)
        return SSL_TLSEXT_ERR_OK;
    n = strnlen(name, sizeof low - 1);
    for (i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[n] = '\0';
    if (n > 0 && low[n - 1] == '.')
        low[n - 1] = '\0';
    for (i = 0; i < c->n; i++) {
        if (strcmp(c->domain[i], low) == 0) {
            if (SSL_get_SSL_CTX(ssl) != c->ctx[i]) {
                /* SSL_set_SSL_CTX moves the certificate only: the client-certificate request
                 * (verify mode, CA names) is the connection's and must follow by hand */
                STACK_OF(X509_NAME) *names = SSL_CTX_get_client_CA_list(c->ctx[i]);
                SSL_set_SSL_CTX(ssl, c->ctx[i]);
                SSL_set_verify(ssl, SSL_CTX_get_verify_mode(c->ctx[i]), SSL_CTX_get_verify_callback(c->ctx[i]));
                SSL_set_client_CA_list(ssl, names != NULL ? SSL_dup_CA_list(names) : NULL);
            }
            t->sni = c->domain[i];
            break;
        }
    }
    return SSL_TLSEXT_ERR_OK;
}

/* Keeps the handshake going whatever the client's chain is worth: the first error is kept for
 * xs_tls_client_cert, so an invalid certificate gets <policy-violation/> after TLS rather than
 * an alert the user never sees (DESIGN.md "Client certificates required"). A missing one under
 * `required` still fails the handshake (SSL_VERIFY_FAIL_IF_NO_PEER_CERT). */
static int verify_cb(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    xs_tls *t = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
    int e = X509_STORE_CTX_get_error(store);

    if (!ok && t != NULL && t->verify_err == 0)
        t->verify_err = e != X509_V_OK ? e : X509_V_ERR_UNSPECIFIED;
    return 1;
}

/* Asks for client certificates signed by the host's client_ca, checked against client_crl. */
static int client_cert_setup(SSL_CTX *ctx, const xs_vhost_cfg *h, char *err, size_t err_len)
{
    STACK_OF(X509_NAME) *names;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
    char reason[200];

    if (h->client_certs == XS_CLIENT_CERTS_OFF)
        return 0;
    names = SSL_load_client_CA_file(h->client_ca);
    if (names == NULL || SSL_CTX_load_verify_locations(ctx, h->client_ca, NULL) != 1) {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
        snprintf(err, err_len, "%s: client_ca '%s': %s", h->domain, h->client_ca, reason);
        return -1;
    }
    SSL_CTX_set_client_CA_list(ctx, names);
    if (h->client_crl[0] != '\0') {
        X509_LOOKUP *lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
        if (lookup == NULL || X509_load_crl_file(lookup, h->client_crl, X509_FILETYPE_PEM) < 1) {
            ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
            snprintf(err, err_len, "%s: client_crl '%s': %s", h->domain, h->client_crl, reason);
            return -1;
        }
        /* every certificate of the chain, not only the leaf, is checked against its CA's CRL */
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    if (h->client_certs == XS_CLIENT_CERTS_REQUIRED)
        mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, verify_cb);
    return 0;
}

/* The peer server's chain is verified against ca_path ("" = OpenSSL's default paths) and the
 * verdict recorded by verify_cb, never fatal (DESIGN.md Known traps, Prosody: a self-signed peer
 * must still get TLS + dialback). A receiving side asks for the certificate without requiring
 * one (RFC 3920 §5.1: the initiating server presents one if it can). */
static int s2s_peer_setup(SSL_CTX *ctx, const char *domain, const char *ca_path, int receiving, char *err,
                          size_t err_len)
{
    char reason[200];
    int ok;

    ok = ca_path[0] != '\0' ? SSL_CTX_load_verify_locations(ctx, ca_path, NULL) : SSL_CTX_set_default_verify_paths(ctx);
    if (ok != 1) {
        ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
        snprintf(err, err_len, "%s: s2s.ca '%s': %s", domain, ca_path, reason);
        return -1;
    }
    if (receiving && ca_path[0] != '\0') {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_path);
        if (names != NULL)
            SSL_CTX_set_client_CA_list(ctx, names);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (receiving ? SSL_VERIFY_CLIENT_ONCE : 0), verify_cb);
    return 0;
}

typedef enum ctx_role {
    CTX_C2S = 0,          /* receiving side of a client stream: c2s_client_certs decides */
    CTX_S2S_IN,           /* receiving side of a server stream */
    CTX_S2S_OUT           /* initiating side of a server stream: our certificate as client cert */
} ctx_role;

static SSL_CTX *host_ctx(xs_tls_ctx *c, const xs_config *cfg, const xs_vhost_cfg *h, ctx_role role,
                         const char *ca_path, char *err, size_t err_len)
{
    SSL_CTX *ctx = SSL_CTX_new(role == CTX_S2S_OUT ? TLS_client_method() : TLS_server_method());
    X509 *leaf;
    char reason[200];

    if (ctx == NULL)
        goto fail;
    /* TLS >= 1.2 (DESIGN.md); no renegotiation, compression, tickets or session cache */
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
        goto fail;
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (cfg->tls_ciphers[0] != '\0' && SSL_CTX_set_cipher_list(ctx, cfg->tls_ciphers) != 1) {
        snprintf(err, err_len, "tls.ciphers '%s' selects no cipher", cfg->tls_ciphers);
        goto out;
    }
    if (cfg->tls_ciphersuites[0] != '\0' && SSL_CTX_set_ciphersuites(ctx, cfg->tls_ciphersuites) != 1) {
        snprintf(err, err_len, "tls.ciphersuites '%s' selects no suite", cfg->tls_ciphersuites);
        goto out;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, h->cert) != 1) {
        ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
        snprintf(err, err_len, "%s: certificate '%s': %s", h->domain, h->cert, reason);
        goto out;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, h->key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
        snprintf(err, err_len, "%s: key '%s': %s", h->domain, h->key, reason);
        goto out;
    }
    leaf = SSL_CTX_get0_certificate(ctx);
    if (role == CTX_C2S && leaf != NULL && X509_check_host(leaf, h->domain, 0, 0, NULL) != 1)
        xs_warn("tls: the certificate %s does not name %s: clients that verify will refuse it", h->cert, h->domain);
    if (role == CTX_C2S && client_cert_setup(ctx, h, err, err_len) != 0)
        goto out;
    if (role != CTX_C2S && s2s_peer_setup(ctx, h->domain, ca_path, role == CTX_S2S_IN, err, err_len) != 0)
        goto out;
    if (role != CTX_S2S_OUT) {
        SSL_CTX_set_tlsext_servername_callback(ctx, sni_cb);
        SSL_CTX_set_tlsext_servername_arg(ctx, c);
        if (c->idle_handover)
            SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    }
    ERR_clear_error();
    return ctx;
fail:
    ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
    snprintf(err, err_len, "%s: OpenSSL: %s", h->domain, reason);
out:
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
}

/* One context per host; s2s adds the initiating side. */
static xs_tls_ctx *ctx_new(const xs_config *cfg, int s2s, const char *ca_path, char *err, size_t err_len)
{
    xs_tls_ctx *c = calloc(1, sizeof *c);
    uint32_t i;

    if (c == NULL) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    c->refs = 1;
    c->s2s = s2s;
    c->idle_handover = !s2s && cfg->tls_idle_handover;
    for (i = 0; i < cfg->n_hosts; i++) {
        snprintf(c->domain[i], sizeof c->domain[i], "%s", cfg->hosts[i].domain);
        /* client certificates of users are a c2s matter; an s2s context never maps one to a JID */
        c->client_certs[i] = s2s ? XS_CLIENT_CERTS_OFF : cfg->hosts[i].client_certs;
        c->cert_identity[i] = cfg->hosts[i].cert_identity;
        c->n = i + 1;
        c->ctx[i] = host_ctx(c, cfg, &cfg->hosts[i], s2s ? CTX_S2S_IN : CTX_C2S, ca_path, err, err_len);
        if (c->ctx[i] != NULL && s2s)
            c->client[i] = host_ctx(c, cfg, &cfg->hosts[i], CTX_S2S_OUT, ca_path, err, err_len);
        if (c->ctx[i] == NULL || (s2s && c->client[i] == NULL)) {
            xs_tls_ctx_unref(c);
            return NULL;
        }
    }
    return c;
}

xs_tls_ctx *xs_tls_ctx_new(const xs_config *cfg, char *err, size_t err_len)
{
    return ctx_new(cfg, 0, "", err, err_len);
}

xs_tls_ctx *xs_tls_s2s_ctx_new(const xs_config *cfg, const char *ca_path, char *err, size_t err_len)
{
    return ctx_new(cfg, 1, ca_path != NULL ? ca_path : "", err, err_len);
}

void xs_tls_ctx_ref(xs_tls_ctx *c)
{
    c->refs++;
}

void xs_tls_ctx_unref(xs_tls_ctx *c)
{
    uint32_t i;

    if (c == NULL || --c->refs > 0)
        return;
    for (i = 0; i < c->n; i++) {
        SSL_CTX_free(c->ctx[i]);
        SSL_CTX_free(c->client[i]);
    }
    free(c);
}

/* A session of ctx over two memory BIOs; the caller sets the side. NULL when OpenSSL fails. */
static xs_tls *session_new(xs_tls_ctx *c, SSL_CTX *ctx)
{
    xs_tls *t = calloc(1, sizeof *t);

    if (t == NULL)
        return NULL;
    ERR_clear_error();
    t->ssl = SSL_new(ctx);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (t->ssl == NULL || t->rbio == NULL || t->wbio == NULL) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        SSL_free(t->ssl);
        free(t);
        ERR_clear_error();
        return NULL;
    }
    BIO_set_mem_eof_return(t->rbio, -1);
    BIO_set_mem_eof_return(t->wbio, -1);
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    SSL_set_app_data(t->ssl, t);
    SSL_set_info_callback(t->ssl, info_cb);
    if (c->idle_handover)
        SSL_set_msg_callback(t->ssl, msg_cb);
    xs_tls_ctx_ref(c);
    t->ctx = c;
    return t;
}

xs_tls *xs_tls_new(xs_tls_ctx *c, const char *host)
{
    SSL_CTX *ctx = c->ctx[0];
    xs_tls *t;
    uint32_t i;

    for (i = 0; i < c->n; i++)
        if (host != NULL && strcmp(c->domain[i], host) == 0)
            ctx = c->ctx[i];
    t = session_new(c, ctx);
    if (t != NULL)
        SSL_set_accept_state(t->ssl);
    return t;
}

xs_tls *xs_tls_new_client(xs_tls_ctx *c, const char *our_host, const char *peer_domain)
{
    SSL_CTX *ctx = NULL;
    char sni[XS_CFG_NAME_MAX];   /* OpenSSL's macro takes a non-const pointer */
    xs_tls *t;
    uint32_t i;

    if ((size_t)snprintf(sni, sizeof sni, "%s", peer_domain) >= sizeof sni)
        return NULL;
    for (i = 0; c->s2s && i < c->n; i++)
        if (strcmp(c->domain[i], our_host) == 0)
            ctx = c->client[i];
    if (ctx == NULL)
        return NULL;
    t = session_new(c, ctx);
    if (t == NULL)
        return NULL;
    SSL_set_connect_state(t->ssl);
    /* SNI names the domain we want (RFC 6120 §13.7.2.1; RFC 6066 §3): the peer picks its
     * certificate for it. The name itself is checked by the core (xc_certname), not here. */
    if (SSL_set_tlsext_host_name(t->ssl, sni) != 1) {
        ERR_clear_error();
        xs_tls_free(t);
        return NULL;
    }
    return t;
}

void xs_tls_free(xs_tls *t)
{
    if (t == NULL)
        return;
    SSL_free(t->ssl);
    xs_tls13_free(t->records);
    xs_tls_ctx_unref(t->ctx);
    free(t->pending);
    OPENSSL_cleanse(t, sizeof *t);
    free(t);
}

int xs_tls_put(xs_tls *t, const uint8_t *data, size_t len)
{
    if (t->records != NULL)
        return xs_tls13_put(t->records, data, len);
    while (len > 0) {
        int chunk = len > 0x10000 ? 0x10000 : (int)len;
        int w = BIO_write(t->rbio, data, chunk);
        if (w != chunk)
            return -1;
        data += chunk;
        len -= (size_t)chunk;
    }
    return 0;
}

xs_tls_status xs_tls_handshake(xs_tls *t)
{
    int r, e;

    if (t->records != NULL)
        return XS_TLS_OK;
    ERR_clear_error();
    r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->handshake_done = 1;
        return XS_TLS_OK;
    }
    e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return XS_TLS_AGAIN;
    }
    note_error(t, "handshake", e);
    return XS_TLS_ERROR;
}

/* Plaintext that waited for WANT_READ, once something was read. */
static xs_tls_status retry_pending(xs_tls *t)
{
    int r, e;

    if (t->pending_len == 0)
        return XS_TLS_OK;
    ERR_clear_error();
    r = SSL_write(t->ssl, t->pending, (int)t->pending_len);
    if (r > 0) {
        free(t->pending);
        t->pending = NULL;
        t->pending_len = 0;
        return XS_TLS_OK;
    }
    e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return XS_TLS_OK;
    }
    note_error(t, "write", e);
    return XS_TLS_ERROR;
}

xs_tls_status xs_tls_read(xs_tls *t, uint8_t *buf, size_t cap, size_t *n)
{
    int r, e;

    if (t->records != NULL)
        return xs_tls13_read(t->records, buf, cap, n);
    *n = 0;
    ERR_clear_error();
    r = SSL_read(t->ssl, buf, cap > 0x40000000 ? 0x40000000 : (int)cap);
    if (t->renegotiation) {
        snprintf(t->err, sizeof t->err, "the peer started a renegotiation");
        ERR_clear_error();
        return XS_TLS_RENEGOTIATION;
    }
    if (r > 0) {
        *n = (size_t)r;
        return retry_pending(t);
    }
    e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return retry_pending(t) == XS_TLS_OK ? XS_TLS_AGAIN : XS_TLS_ERROR;
    }
    if (e == SSL_ERROR_ZERO_RETURN) {
        ERR_clear_error();
        return XS_TLS_CLOSED;
    }
    note_error(t, "read", e);
    return XS_TLS_ERROR;
}

xs_tls_status xs_tls_write(xs_tls *t, const uint8_t *data, size_t len)
{
    int r, e;

    if (len == 0)
        return XS_TLS_OK;
    if (t->records != NULL)
        return xs_tls13_write(t->records, data, len);
    if (len > 0x40000000 || t->pending_len > 0x40000000 - len) {
        snprintf(t->err, sizeof t->err, "write: too much plaintext pending");
        return XS_TLS_ERROR;
    }
    if (t->pending_len == 0) {
        ERR_clear_error();
        r = SSL_write(t->ssl, data, (int)len);
        if (r > 0)
            return XS_TLS_OK;
        e = SSL_get_error(t->ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            note_error(t, "write", e);
            return XS_TLS_ERROR;
        }
        ERR_clear_error();
    }
    /* WANT_READ (or bytes already waiting, which keep their order): keep them for later */
    {
        uint8_t *p = realloc(t->pending, t->pending_len + len);
        if (p == NULL) {
            snprintf(t->err, sizeof t->err, "write: out of memory");
            return XS_TLS_ERROR;
        }
        memcpy(p + t->pending_len, data, len);
        t->pending = p;
        t->pending_len += len;
    }
    return XS_TLS_OK;
}

void xs_tls_close(xs_tls *t)
{
    if (t->close_sent || !t->handshake_done)
        return;
    t->close_sent = 1;
    if (t->records != NULL) {
        xs_tls13_close(t->records);
        return;
    }
    ERR_clear_error();
    (void)SSL_shutdown(t->ssl);
    ERR_clear_error();
}

size_t xs_tls_out_len(const xs_tls *t)
{
    return t->records != NULL ? xs_tls13_out_len(t->records) : BIO_ctrl_pending(t->wbio);
}

size_t xs_tls_out_take(xs_tls *t, uint8_t *buf, size_t cap)
{
    int r;

    if (t->records != NULL)
        return xs_tls13_out_take(t->records, buf, cap);
    r = BIO_read(t->wbio, buf, cap > 0x40000000 ? 0x40000000 : (int)cap);
    return r > 0 ? (size_t)r : 0;
}

size_t xs_tls_plain_pending(const xs_tls *t)
{
    return t->pending_len;
}

/* The session to tls13_records.c, when it is a TLS 1.3 server session at rest: both Finished
 * messages seen, no KeyUpdate since, both secrets logged, nothing buffered in OpenSSL or its
 * BIOs (no part of a record read), nothing sent or received that ends it. 0 when
 * handed over (t->ssl is gone), -1 when it stays with OpenSSL. */
static int hand_over(xs_tls *t)
{
    const SSL_CIPHER *cipher = SSL_get_current_cipher(t->ssl);
    xs_tls13 *records;

    if (!t->ctx->idle_handover || !t->handshake_done || t->renegotiation || t->close_sent || t->key_changed ||
        !SSL_is_server(t->ssl) || SSL_version(t->ssl) != TLS1_3_VERSION || !t->counting[0] || !t->counting[1] ||
        cipher == NULL ||
        t->client_secret_len == 0 || t->client_secret_len != t->server_secret_len ||
        SSL_get_shutdown(t->ssl) != 0 || SSL_pending(t->ssl) != 0 || SSL_has_pending(t->ssl))
        return -1;
    records = xs_tls13_new(SSL_CIPHER_get_protocol_id(cipher), t->client_secret, t->server_secret,
                           t->client_secret_len, t->records_seen[0], t->records_seen[1]);
    if (records == NULL)
        return -1;
    t->version_name = SSL_get_version(t->ssl);
    t->cipher_name = SSL_CIPHER_get_name(cipher);
    SSL_free(t->ssl);     /* and its BIOs */
    t->ssl = NULL;
    t->rbio = NULL;
    t->wbio = NULL;
    t->records = records;
    OPENSSL_cleanse(t->client_secret, sizeof t->client_secret);
    OPENSSL_cleanse(t->server_secret, sizeof t->server_secret);
    return 0;
}

void xs_tls_trim(xs_tls *t)
{
    BIO *r, *w;

    if (t != NULL && t->records != NULL) {
        xs_tls13_trim(t->records);
        return;
    }
    if (t == NULL || t->pending_len > 0 || BIO_ctrl_pending(t->rbio) > 0 || BIO_ctrl_pending(t->wbio) > 0)
        return;
    if (hand_over(t) == 0)
        return;
    r = BIO_new(BIO_s_mem());
    w = BIO_new(BIO_s_mem());
    if (r == NULL || w == NULL) {
        BIO_free(r);
        BIO_free(w);
        ERR_clear_error();
        return;
    }
    BIO_set_mem_eof_return(r, -1);
    BIO_set_mem_eof_return(w, -1);
    SSL_set_bio(t->ssl, r, w);    /* frees the old pair */
    t->rbio = r;
    t->wbio = w;
}

int xs_tls_channel_binding(const xs_tls *t, uint8_t *out, size_t cap, size_t *len, const char **type)
{
    static const char label[] = "EXPORTER-Channel-Binding";
    int v = SSL_version(t->ssl);

    *len = 0;
    *type = NULL;
    if (!t->handshake_done || t->ssl == NULL || cap < 32)
        return -1;
    if (v == TLS1_3_VERSION) {
        /* RFC 9266 §2: 32 bytes, empty context */
        if (SSL_export_keying_material(t->ssl, out, 32, label, sizeof label - 1, NULL, 0, 0) != 1) {
            ERR_clear_error();
            return -1;
        }
        *len = 32;
        *type = "tls-exporter";
        return 0;
    }
    if (v == TLS1_2_VERSION && SSL_get_extms_support(t->ssl) == 1) {
        /* RFC 5929 §3.1: the first Finished of the latest handshake — the client's in a full
         * handshake (we never resume, so it is always the peer's) */
        size_t n = SSL_session_reused(t->ssl) ? SSL_get_finished(t->ssl, out, cap)
                                              : SSL_get_peer_finished(t->ssl, out, cap);
        if (n == 0 || n > cap)
            return -1;
        *len = n;
        *type = "tls-unique";
        return 0;
    }
    return -1;
}

int xs_tls_unique_13(const xs_tls *t, uint8_t *out, size_t cap, size_t *len)
{
    size_t n;

    *len = 0;
    if (!t->handshake_done || t->ssl == NULL || SSL_version(t->ssl) != TLS1_3_VERSION)
        return -1;
    n = SSL_get_peer_finished(t->ssl, out, cap);
    if (n == 0 || n > cap)
        return -1;
    *len = n;
    return 0;
}

#define OID_XMPP_ADDR "1.3.6.1.5.5.7.8.5"   /* id-on-xmppAddr (RFC 3920 §5.1 rule 8, §14.2) */
#define OID_DNS_SRV "1.3.6.1.5.5.7.8.7"     /* id-on-dnsSRV (RFC 4985) */

/* The value of an otherName of type oid, when it is of the ASN.1 type the RFC gives (UTF8String
 * for id-on-xmppAddr, IA5String for id-on-dnsSRV); else NULL. */
static const ASN1_STRING *other_name(const GENERAL_NAME *gn, const ASN1_OBJECT *oid, int asn1_type)
{
    if (oid == NULL || gn->type != GEN_OTHERNAME || OBJ_cmp(gn->d.otherName->type_id, oid) != 0 ||
        gn->d.otherName->value == NULL || gn->d.otherName->value->type != asn1_type)
        return NULL;
    return asn1_type == V_ASN1_UTF8STRING ? gn->d.otherName->value->value.utf8string
                                          : gn->d.otherName->value->value.ia5string;
}

/* The bare JIDs of `host` that the certificate names in the configured place: 1 with the one
 * in jid, 0 for none, -1 for more than one (ambiguous: never guessed). */
static int cert_jid(X509 *peer, const char *host, xs_cert_identity id, char *jid, size_t cap)
{
    GENERAL_NAMES *sans = X509_get_ext_d2i(peer, NID_subject_alt_name, NULL, NULL);
    ASN1_OBJECT *xmpp_addr = OBJ_txt2obj(OID_XMPP_ADDR, 1);
    size_t host_len = strlen(host);
    int i, found = 0;

    for (i = 0; sans != NULL && xmpp_addr != NULL && i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
        const ASN1_STRING *v = NULL;
        const char *at;
        size_t n;

        if (id == XS_CERT_ID_XMPPADDR)
            v = other_name(gn, xmpp_addr, V_ASN1_UTF8STRING);
        else if (id == XS_CERT_ID_EMAIL && gn->type == GEN_EMAIL)
            v = gn->d.rfc822Name;
        if (v == NULL)
            continue;
        n = (size_t)ASN1_STRING_length(v);
        /* user@host exactly: no NUL inside, no resource, the domain compared as configured */
        if (n == 0 || n >= cap || memchr(ASN1_STRING_get0_data(v), '\0', n) != NULL)
            continue;
        at = memchr(ASN1_STRING_get0_data(v), '@', n);
        if (at == NULL || (size_t)(at - (const char *)ASN1_STRING_get0_data(v)) + 1 + host_len != n ||
            strncasecmp(at + 1, host, host_len) != 0)
            continue;
        if (found && (strlen(jid) != n || strncmp(jid, (const char *)ASN1_STRING_get0_data(v), n) != 0))
            found = -1;
        if (found == 0) {
            memcpy(jid, ASN1_STRING_get0_data(v), n);
            jid[n] = '\0';
            found = 1;
        }
    }
    GENERAL_NAMES_free(sans);
    ASN1_OBJECT_free(xmpp_addr);
    return found;
}

xc_c2s_client_cert xs_tls_client_cert(const xs_tls *t, const char *host, char *jid, size_t cap, const char **why)
{
    xs_client_certs policy = XS_CLIENT_CERTS_OFF;
    xs_cert_identity id = XS_CERT_ID_XMPPADDR;
    X509 *peer;
    uint32_t i;
    int named;

    jid[0] = '\0';
    *why = NULL;
    for (i = 0; i < t->ctx->n; i++)
        if (strcmp(t->ctx->domain[i], host) == 0) {
            policy = t->ctx->client_certs[i];
            id = t->ctx->cert_identity[i];
        }
    if (policy == XS_CLIENT_CERTS_OFF)
        return XC_C2S_CERT_NONE;
    peer = t->ssl != NULL ? SSL_get1_peer_certificate(t->ssl) : NULL;   /* handed over: none, fail closed */
    /* Under `required` the stream's host decides, not the context SNI chose: a client that
     * named another host in SNI (which asks for no certificate) is refused here. */
    if (peer == NULL) {
        if (policy != XS_CLIENT_CERTS_REQUIRED)
            return XC_C2S_CERT_NONE;
        *why = "no certificate for this host";
        return XC_C2S_CERT_REFUSED;
    }
    if (t->verify_err != 0 || SSL_get_verify_result(t->ssl) != X509_V_OK) {
        X509_free(peer);
        *why = X509_verify_cert_error_string(t->verify_err != 0 ? t->verify_err : SSL_get_verify_result(t->ssl));
        return policy == XS_CLIENT_CERTS_REQUIRED ? XC_C2S_CERT_REFUSED : XC_C2S_CERT_NONE;
    }
    named = cert_jid(peer, host, id, jid, cap);
    X509_free(peer);
    if (named != 1) {
        jid[0] = '\0';
        *why = named == 0 ? "verified, but names no account of this host" : "verified, but names several accounts";
        return XC_C2S_CERT_NONE;
    }
    *why = "verified";
    return XC_C2S_CERT_VERIFIED;
}

/* Appends one identifier (kind, bytes) when it is usable and fits. 0, or -1 when it did not fit. */
static int add_name(xc_cn_name *names, uint32_t cap, uint32_t *n, char *buf, size_t buf_cap, size_t *used,
                    xc_cn_kind kind, const unsigned char *p, int slen)
{
    size_t len = slen > 0 ? (size_t)slen : 0u;

    /* an empty name, or one with a NUL inside (the old prefix trick), names nothing */
    if (p == NULL || len == 0 || len > XC_CN_NAME_MAX || memchr(p, '\0', len) != NULL)
        return 0;
    if (*n >= cap || len > buf_cap - *used)
        return -1;
    memcpy(buf + *used, p, len);
    names[*n].kind = kind;
    names[*n].value.ptr = buf + *used;
    names[*n].value.len = (uint32_t)len;
    *used += len;
    (*n)++;
    return 0;
}

int xs_tls_peer_names(const xs_tls *t, xc_cn_name *names, uint32_t cap, uint32_t *n, char *buf, size_t buf_cap,
                      int *chain_ok)
{
    X509 *peer;
    GENERAL_NAMES *sans;
    ASN1_OBJECT *xmpp_addr, *dns_srv;
    const X509_NAME *subject;
    size_t used = 0;
    int i, r = 0;

    *n = 0;
    *chain_ok = 0;
    peer = t->handshake_done && t->ssl != NULL ? SSL_get1_peer_certificate(t->ssl) : NULL;
    if (peer == NULL)
        return 0;
    *chain_ok = t->verify_err == 0 && SSL_get_verify_result(t->ssl) == X509_V_OK;
    sans = X509_get_ext_d2i(peer, NID_subject_alt_name, NULL, NULL);
    xmpp_addr = OBJ_txt2obj(OID_XMPP_ADDR, 1);
    dns_srv = OBJ_txt2obj(OID_DNS_SRV, 1);
    for (i = 0; sans != NULL && i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
        const ASN1_STRING *v = NULL;
        xc_cn_kind kind = XC_CN_DNS;

        if (gn->type == GEN_DNS)
            v = gn->d.dNSName;
        else if ((v = other_name(gn, dns_srv, V_ASN1_IA5STRING)) != NULL)
            kind = XC_CN_SRV;
        else if ((v = other_name(gn, xmpp_addr, V_ASN1_UTF8STRING)) != NULL)
            kind = XC_CN_XMPPADDR;
        if (v != NULL)
            r |= add_name(names, cap, n, buf, buf_cap, &used, kind, ASN1_STRING_get0_data(v), ASN1_STRING_length(v));
    }
    /* every CN of the subject: xc_certname uses them only when no SAN identifier exists
     * (RFC 6125 §6.4.4) */
    subject = X509_get_subject_name(peer);
    for (i = -1; subject != NULL && (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(subject, i);
        const ASN1_STRING *d = e != NULL ? X509_NAME_ENTRY_get_data(e) : NULL;
        unsigned char *utf8 = NULL;
        int len = d != NULL ? ASN1_STRING_to_UTF8(&utf8, d) : -1;
        if (len > 0)
            r |= add_name(names, cap, n, buf, buf_cap, &used, XC_CN_COMMON_NAME, utf8, len);
        OPENSSL_free(utf8);
    }
    GENERAL_NAMES_free(sans);
    ASN1_OBJECT_free(xmpp_addr);
    ASN1_OBJECT_free(dns_srv);
    X509_free(peer);
    ERR_clear_error();
    return r != 0 ? -1 : 0;
}

const char *xs_tls_peer_verify_error(const xs_tls *t)
{
    X509 *peer = t->handshake_done && t->ssl != NULL ? SSL_get1_peer_certificate(t->ssl) : NULL;
    long e;

    if (peer == NULL)
        return "no certificate";
    X509_free(peer);
    e = t->verify_err != 0 ? t->verify_err : SSL_get_verify_result(t->ssl);
    return e == X509_V_OK ? "" : X509_verify_cert_error_string(e);
}

const char *xs_tls_version(const xs_tls *t)
{
    return t->ssl != NULL ? SSL_get_version(t->ssl) : t->version_name;
}

const char *xs_tls_cipher(const xs_tls *t)
{
    const char *c = t->ssl != NULL ? SSL_get_cipher_name(t->ssl) : t->cipher_name;
    return c != NULL ? c : "?";
}

int xs_tls_handed_over(const xs_tls *t)
{
    return t->records != NULL;
}

const char *xs_tls_sni(const xs_tls *t)
{
    return t->sni != NULL ? t->sni : "";
}

const char *xs_tls_error(const xs_tls *t)
{
    if (t->records != NULL && xs_tls13_error(t->records)[0] != '\0')
        return xs_tls13_error(t->records);
    return t->err[0] != '\0' ? t->err : "unknown";
}
