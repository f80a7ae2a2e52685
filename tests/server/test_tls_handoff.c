/*
 * test_tls_handoff.c — an idle TLS 1.3 session handed from OpenSSL to tls13_records.c
 * (xs_tls_trim), against a real OpenSSL client over memory: data both ways in every suite and
 * in any split, the client's KeyUpdate, close_notify both ways, the alerts RFC 8446 names for
 * records that do not authenticate, are too long or are not protected, and the sessions that
 * must stay with OpenSSL (TLS 1.2, half a record buffered, a KeyUpdate before the hand-over).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "test_certs.h"
#include "tls.h"

static char g_dir[] = "/tmp/test_tls_handoff.XXXXXX";
static xs_tls_ctx *g_server_ctx, *g_kept_ctx;   /* tls.idle_handover true / false */

typedef struct pair {
    xs_tls *server;
    SSL *client;
    BIO *client_in, *client_out;   /* owned by client */
} pair;

static int setup(void **state)
{
    xs_config *cfg = calloc(1, sizeof *cfg);
    char err[512];

    (void)state;
    if (cfg == NULL || test_certs_make(g_dir) != 0)
        return -1;
    cfg->n_hosts = 1;
    snprintf(cfg->hosts[0].domain, sizeof cfg->hosts[0].domain, "a.test");
    snprintf(cfg->hosts[0].cert, sizeof cfg->hosts[0].cert, "%s/a.crt", g_dir);
    snprintf(cfg->hosts[0].key, sizeof cfg->hosts[0].key, "%s/a.key", g_dir);
    cfg->tls_idle_handover = 1;
    g_server_ctx = xs_tls_ctx_new(cfg, err, sizeof err);
    cfg->tls_idle_handover = 0;
    g_kept_ctx = xs_tls_ctx_new(cfg, err, sizeof err);
    free(cfg);
    return g_server_ctx != NULL && g_kept_ctx != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    xs_tls_ctx_unref(g_server_ctx);
    xs_tls_ctx_unref(g_kept_ctx);
    test_certs_remove(g_dir);
    return 0;
}

/* What the client sent, to the server; `split` > 0 hands it over that many bytes at a time. */
static void to_server(pair *p, size_t split)
{
    uint8_t buf[65536];
    int n;

    while ((n = BIO_read(p->client_out, buf, sizeof buf)) > 0) {
        size_t off, step = split > 0 ? split : (size_t)n;
        for (off = 0; off < (size_t)n; off += step)
            assert_int_equal(xs_tls_put(p->server, buf + off, (size_t)n - off < step ? (size_t)n - off : step), 0);
    }
}

static void to_client(pair *p)
{
    uint8_t buf[65536];
    size_t n;

    while ((n = xs_tls_out_take(p->server, buf, sizeof buf)) > 0)
        assert_int_equal(BIO_write(p->client_in, buf, (int)n), (int)n);
}

/* A client limited to max_version (and TLS 1.3 suites when given), handshake done, with a
 * server of server_ctx. */
static void pair_open_with(pair *p, xs_tls_ctx *server_ctx, const char *suites, int max_version)
{
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    xs_tls_status st = XS_TLS_AGAIN;
    int i, r = 0;

    assert_non_null(cctx);
    SSL_CTX_set_max_proto_version(cctx, max_version);
    if (suites != NULL)
        assert_int_equal(SSL_CTX_set_ciphersuites(cctx, suites), 1);
    p->client = SSL_new(cctx);
    SSL_CTX_free(cctx);   /* the SSL holds a reference */
    p->client_in = BIO_new(BIO_s_mem());
    p->client_out = BIO_new(BIO_s_mem());
    assert_non_null(p->client);
    BIO_set_mem_eof_return(p->client_in, -1);
    SSL_set_bio(p->client, p->client_in, p->client_out);
    SSL_set_connect_state(p->client);
    SSL_set_tlsext_host_name(p->client, "a.test");
    p->server = xs_tls_new(server_ctx, "a.test");
    assert_non_null(p->server);
    for (i = 0; i < 20 && (r != 1 || st != XS_TLS_OK); i++) {
        r = SSL_do_handshake(p->client);
        to_server(p, 0);
        st = xs_tls_handshake(p->server);
        assert_true(st == XS_TLS_OK || st == XS_TLS_AGAIN);
        to_client(p);
    }
    assert_int_equal(r, 1);
    assert_int_equal(st, XS_TLS_OK);
}

/* Counts the KeyUpdate messages the client receives (arg: an int). */
static void client_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
                          void *arg)
{
    (void)version;
    (void)ssl;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 && ((const uint8_t *)buf)[0] == SSL3_MT_KEY_UPDATE)
        (*(int *)arg)++;
}

static void pair_open(pair *p, const char *suites, int max_version)
{
    pair_open_with(p, g_server_ctx, suites, max_version);
}

static void pair_close(pair *p)
{
    xs_tls_free(p->server);
    SSL_free(p->client);
}

/* Everything the server can read now into buf (the status that ended the reads in *last). */
static size_t server_reads(pair *p, uint8_t *buf, size_t cap, xs_tls_status *last)
{
    size_t got = 0, n;
    xs_tls_status st;

    do {
        n = 0;
        st = xs_tls_read(p->server, buf + got, cap - got, &n);
        got += n;
        to_client(p);
    } while (st == XS_TLS_OK && got < cap);
    *last = st;
    return got;
}

static size_t client_reads(pair *p, uint8_t *buf, size_t cap)
{
    size_t got = 0;
    int r;

    to_client(p);
    while (got < cap && (r = SSL_read(p->client, buf + got, (int)(cap - got))) > 0)
        got += (size_t)r;
    return got;
}

static void client_says(pair *p, const void *data, size_t len, size_t split)
{
    assert_int_equal(SSL_write(p->client, data, (int)len), (int)len);
    to_server(p, split);
}

/* The client's data reaches the server intact and the server's the client, both ways. */
static void exchange(pair *p, size_t len, size_t split)
{
    uint8_t *out = malloc(len), *in = malloc(len + 1);
    xs_tls_status st;
    size_t i;

    assert_non_null(out);
    assert_non_null(in);
    for (i = 0; i < len; i++)
        out[i] = (uint8_t)(i * 7 + len);
    client_says(p, out, len, split);
    assert_int_equal(server_reads(p, in, len + 1, &st), len);
    assert_int_equal(st, XS_TLS_AGAIN);
    assert_memory_equal(in, out, len);
    for (i = 0; i < len; i++)
        out[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(xs_tls_write(p->server, out, len), XS_TLS_OK);
    assert_int_equal(client_reads(p, in, len), len);
    assert_memory_equal(in, out, len);
    free(out);
    free(in);
}

/* The alert the client got, as OpenSSL's reason code (SSL_AD_REASON_OFFSET + alert). */
static int client_alert(pair *p)
{
    uint8_t b[16];
    int r;

    to_client(p);
    ERR_clear_error();
    r = SSL_read(p->client, b, sizeof b);
    assert_true(r <= 0);
    return ERR_GET_REASON(ERR_peek_last_error());
}

/* REQ: TLS-22 */
static void test_idle_tls13_session_is_handed_over_and_carries_data(void **state)
{
    static const char *const suites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                         "TLS_CHACHA20_POLY1305_SHA256"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        pair p;
        pair_open(&p, suites[i], TLS1_3_VERSION);
        exchange(&p, 100, 0);                      /* records counted by OpenSSL first */
        xs_tls_trim(p.server);
        assert_int_equal(xs_tls_handed_over(p.server), 1);
        assert_string_equal(xs_tls_version(p.server), "TLSv1.3");
        assert_string_equal(xs_tls_cipher(p.server), suites[i]);
        exchange(&p, 1, 0);
        exchange(&p, 40000, 0);                    /* several records each way */
        exchange(&p, 300, 1);                      /* the input one byte at a time */
        exchange(&p, 20000, 4097);
        xs_tls_trim(p.server);                     /* cipher contexts go, keys stay */
        exchange(&p, 16384, 0);
        pair_close(&p);
    }
}

/* REQ: TLS-23 */
static void test_client_key_update_is_followed_and_answered(void **state)
{
    int answers = 0;
    pair p;

    (void)state;
    pair_open(&p, NULL, TLS1_3_VERSION);
    xs_tls_trim(p.server);
    assert_int_equal(xs_tls_handed_over(p.server), 1);
    /* update_requested: the server changes its read key and answers with its own KeyUpdate,
     * which the client must follow to read what comes next */
    SSL_set_msg_callback(p.client, client_msg_cb);
    SSL_set_msg_callback_arg(p.client, &answers);
    assert_int_equal(SSL_key_update(p.client, SSL_KEY_UPDATE_REQUESTED), 1);
    exchange(&p, 500, 0);
    assert_int_equal(answers, 1);
    assert_int_equal(SSL_key_update(p.client, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
    exchange(&p, 500, 3);
    assert_int_equal(answers, 1);          /* not asked: no answer */
    assert_int_equal(SSL_key_update(p.client, SSL_KEY_UPDATE_REQUESTED), 1);
    exchange(&p, 70000, 0);
    assert_int_equal(answers, 2);
    pair_close(&p);
}

/* REQ: TLS-24 */
static void test_close_notify_both_ways_after_the_hand_over(void **state)
{
    uint8_t buf[64];
    xs_tls_status st;
    pair p;

    (void)state;
    /* the client closes: the server reads the end, then sends its own close_notify */
    pair_open(&p, NULL, TLS1_3_VERSION);
    xs_tls_trim(p.server);
    assert_int_equal(xs_tls_handed_over(p.server), 1);
    client_says(&p, "last", 4, 0);
    assert_int_equal(SSL_shutdown(p.client), 0);
    to_server(&p, 0);
    assert_int_equal(server_reads(&p, buf, sizeof buf, &st), 4);
    assert_int_equal(st, XS_TLS_CLOSED);
    xs_tls_close(p.server);
    to_client(&p);
    assert_int_equal(SSL_shutdown(p.client), 1);
    pair_close(&p);

    /* the server closes first: the client still has its say, then closes */
    pair_open(&p, NULL, TLS1_3_VERSION);
    xs_tls_trim(p.server);
    assert_int_equal(xs_tls_handed_over(p.server), 1);
    xs_tls_close(p.server);
    assert_int_equal(xs_tls_write(p.server, (const uint8_t *)"x", 1), XS_TLS_ERROR);
    to_client(&p);
    assert_true(SSL_read(p.client, buf, sizeof buf) <= 0);
    assert_int_equal(SSL_get_error(p.client, 0), SSL_ERROR_ZERO_RETURN);
    client_says(&p, "bye", 3, 0);
    assert_int_equal(SSL_shutdown(p.client), 1);
    to_server(&p, 0);
    assert_int_equal(server_reads(&p, buf, sizeof buf, &st), 3);
    assert_int_equal(st, XS_TLS_CLOSED);
    pair_close(&p);
}

/* A handed-over session given raw bytes ends with `alert`, which the client receives. */
static void raw_input_gets_alert(const uint8_t *bytes, size_t len, int alert)
{
    uint8_t buf[64];
    size_t n;
    pair p;

    pair_open(&p, NULL, TLS1_3_VERSION);
    xs_tls_trim(p.server);
    assert_int_equal(xs_tls_put(p.server, bytes, len), 0);
    assert_int_equal(xs_tls_read(p.server, buf, sizeof buf, &n), XS_TLS_ERROR);
    assert_int_equal(client_alert(&p), SSL_AD_REASON_OFFSET + alert);
    pair_close(&p);
}

/* The session stays with OpenSSL at the trim and works on. */
static void kept_and_working(pair *p)
{
    xs_tls_trim(p->server);
    assert_int_equal(xs_tls_handed_over(p->server), 0);
    exchange(p, 100, 0);
    pair_close(p);
}

/* REQ: TLS-25 */
static void test_bad_records_get_the_alert_the_rfc_names(void **state)
{
    uint8_t buf[65536];
    size_t n;
    int len;
    pair p;

    (void)state;
    /* a record that does not authenticate: bad_record_mac, nothing of it handed out */
    pair_open(&p, NULL, TLS1_3_VERSION);
    xs_tls_trim(p.server);
    assert_int_equal(SSL_write(p.client, "secret", 6), 6);
    len = BIO_read(p.client_out, buf, sizeof buf);
    assert_true(len > 10);
    buf[len - 3] ^= 0x01;
    assert_int_equal(xs_tls_put(p.server, buf, (size_t)len), 0);
    assert_int_equal(xs_tls_read(p.server, buf, sizeof buf, &n), XS_TLS_ERROR);
    assert_int_equal(n, 0);
    assert_non_null(strstr(xs_tls_error(p.server), "does not authenticate"));
    assert_int_equal(client_alert(&p), SSL_AD_REASON_OFFSET + SSL_AD_BAD_RECORD_MAC);
    assert_int_equal(xs_tls_read(p.server, buf, sizeof buf, &n), XS_TLS_ERROR);   /* and stays ended */
    pair_close(&p);

    /* longer than 2^14 + 256: record_overflow, from the header alone */
    raw_input_gets_alert((const uint8_t *)"\x17\x03\x03\x41\x01", 5, SSL_AD_RECORD_OVERFLOW);
    /* a record that is not protected (a plaintext handshake record): unexpected_message */
    raw_input_gets_alert((const uint8_t *)"\x16\x03\x03\x00\x05\x18\x00\x00\x01\x00", 10, SSL_AD_UNEXPECTED_MESSAGE);

    /* a fatal alert from the peer ends the session without an answer: the client gets a
     * server record that does not authenticate and sends bad_record_mac */
    pair_open(&p, NULL, TLS1_3_VERSION);
    xs_tls_trim(p.server);
    assert_int_equal(xs_tls_write(p.server, (const uint8_t *)"hi", 2), XS_TLS_OK);
    n = xs_tls_out_take(p.server, buf, sizeof buf);
    buf[n - 1] ^= 0x80;
    assert_int_equal(BIO_write(p.client_in, buf, (int)n), (int)n);
    assert_true(SSL_read(p.client, buf, sizeof buf) <= 0);
    to_server(&p, 0);
    assert_int_equal(xs_tls_read(p.server, buf, sizeof buf, &n), XS_TLS_ERROR);
    assert_non_null(strstr(xs_tls_error(p.server), "the peer sent alert 20"));
    assert_int_equal(xs_tls_out_len(p.server), 0);
    assert_int_equal(xs_tls_write(p.server, (const uint8_t *)"x", 1), XS_TLS_ERROR);
    pair_close(&p);
}

/* REQ: TLS-26 */
static void test_sessions_not_at_rest_stay_with_openssl(void **state)
{
    uint8_t buf[65536];
    xs_tls_status st;
    int len;
    pair p;

    (void)state;
    /* TLS 1.2: never handed over, and still works after the trim */
    pair_open(&p, NULL, TLS1_2_VERSION);
    exchange(&p, 100, 0);
    kept_and_working(&p);

    /* part of a record waiting in OpenSSL (part of its header, then header and part of its
     * body): not at rest until the rest came and was read */
    pair_open(&p, NULL, TLS1_3_VERSION);
    assert_int_equal(SSL_write(p.client, "half and half", 13), 13);
    len = BIO_read(p.client_out, buf, sizeof buf);
    assert_int_equal(xs_tls_put(p.server, buf, 3), 0);
    assert_int_equal(server_reads(&p, buf + 1000, 100, &st), 0);
    assert_int_equal(st, XS_TLS_AGAIN);
    xs_tls_trim(p.server);
    assert_int_equal(xs_tls_handed_over(p.server), 0);
    assert_int_equal(xs_tls_put(p.server, buf + 3, 7), 0);
    assert_int_equal(server_reads(&p, buf + 1000, 100, &st), 0);
    assert_int_equal(st, XS_TLS_AGAIN);
    xs_tls_trim(p.server);
    assert_int_equal(xs_tls_handed_over(p.server), 0);
    assert_int_equal(xs_tls_put(p.server, buf + 10, (size_t)len - 10), 0);
    assert_int_equal(server_reads(&p, buf + 1000, 100, &st), 13);
    assert_memory_equal(buf + 1000, "half and half", 13);
    xs_tls_trim(p.server);
    assert_int_equal(xs_tls_handed_over(p.server), 1);
    exchange(&p, 5000, 0);
    pair_close(&p);

    /* tls.idle_handover = false: every session stays with OpenSSL */
    pair_open_with(&p, g_kept_ctx, NULL, TLS1_3_VERSION);
    exchange(&p, 100, 0);
    kept_and_working(&p);

    /* a KeyUpdate OpenSSL followed: the logged secret is no longer the key, so no hand-over */
    pair_open(&p, NULL, TLS1_3_VERSION);
    assert_int_equal(SSL_key_update(p.client, SSL_KEY_UPDATE_REQUESTED), 1);
    exchange(&p, 100, 0);
    kept_and_working(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_tls13_session_is_handed_over_and_carries_data),
        cmocka_unit_test(test_client_key_update_is_followed_and_answered),
        cmocka_unit_test(test_close_notify_both_ways_after_the_hand_over),
        cmocka_unit_test(test_bad_records_get_the_alert_the_rfc_names),
        cmocka_unit_test(test_sessions_not_at_rest_stay_with_openssl),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
