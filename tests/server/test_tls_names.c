/*
 * test_tls_names.c — src/server/tls.c on s2s: a handshake between two s2s contexts over memory
 * (b.test initiating to a.test), each presenting its certificate, and what xs_tls_peer_names
 * makes of the peer's: subjectAltName dNSName, otherName id-on-dnsSRV (IA5String) and
 * id-on-xmppAddr (UTF8String), the subject CN; a dNSName with a NUL inside skipped; the chain
 * verdict recorded (a self-signed peer still completes the handshake); bounded output.
 * The certificates come from test_certs.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_certs.h"
#include "tls.h"

static char g_dir[] = "/tmp/test_tls_names.XXXXXX";
static char g_ca[320];

static int setup(void **state)
{
    (void)state;
    if (test_certs_make(g_dir) != 0)
        return -1;
    snprintf(g_ca, sizeof g_ca, "%s/ca.crt", g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_certs_remove(g_dir);
    return 0;
}

static xs_tls_ctx *s2s_ctx(const char *domain, const char *file, const char *ca)
{
    return test_certs_s2s_ctx(g_dir, domain, file, ca);
}

static void pump(xs_tls *from, xs_tls *to)
{
    uint8_t buf[65536];
    size_t n;

    while ((n = xs_tls_out_take(from, buf, sizeof buf)) > 0)
        assert_int_equal(xs_tls_put(to, buf, n), 0);
}

/* Runs the handshake over memory; both sides must complete (the verdict is never fatal). */
static void handshake(xs_tls *client, xs_tls *server)
{
    xs_tls_status cs = XS_TLS_AGAIN, ss = XS_TLS_AGAIN;
    int i;

    for (i = 0; i < 20 && (cs != XS_TLS_OK || ss != XS_TLS_OK); i++) {
        cs = xs_tls_handshake(client);
        assert_true(cs == XS_TLS_OK || cs == XS_TLS_AGAIN);
        pump(client, server);
        ss = xs_tls_handshake(server);
        if (ss == XS_TLS_ERROR)
            fail_msg("server handshake: %s", xs_tls_error(server));
        pump(server, client);
    }
    assert_int_equal(cs, XS_TLS_OK);
    assert_int_equal(ss, XS_TLS_OK);
}

static int has(const xc_cn_name *names, uint32_t n, xc_cn_kind kind, const char *text)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        if (names[i].kind == kind && names[i].value.len == strlen(text) &&
            memcmp(names[i].value.ptr, text, names[i].value.len) == 0)
            return 1;
    return 0;
}

static void test_s2s_both_ways_with_ca(void **state)
{
    xs_tls_ctx *a = s2s_ctx("a.test", "a", g_ca), *b = s2s_ctx("b.test", "b", g_ca);
    xs_tls *client = xs_tls_new_client(b, "b.test", "a.test"), *server = xs_tls_new(a, "a.test");
    xc_cn_name names[XC_CN_NAMES_MAX];
    char buf[4096];
    uint32_t n = 99, i;
    int ok = -1;

    (void)state;
    assert_non_null(client);
    assert_non_null(server);
    handshake(client, server);
    /* the initiating side sees a.test's certificate */
    assert_int_equal(xs_tls_peer_names(client, names, XC_CN_NAMES_MAX, &n, buf, sizeof buf, &ok), 0);
    assert_int_equal(ok, 1);
    assert_string_equal(xs_tls_peer_verify_error(client), "");
    assert_int_equal(n, 4);   /* the dNSName with a NUL inside is skipped */
    assert_true(has(names, n, XC_CN_DNS, "a.test"));
    assert_true(has(names, n, XC_CN_SRV, "_xmpp-server.a.test"));
    assert_true(has(names, n, XC_CN_XMPPADDR, "a.test"));
    assert_true(has(names, n, XC_CN_COMMON_NAME, "a.test"));
    assert_int_equal(names[n - 1].kind, XC_CN_COMMON_NAME);
    for (i = 0; i < n; i++)
        assert_true(names[i].value.ptr >= buf && names[i].value.ptr + names[i].value.len <= buf + sizeof buf);
    assert_true(xc_certname_match((xc_str){ "a.test", 6 }, (xc_str){ "a.test", 6 }, XC_CN_SERVER, names, n) !=
                XC_CN_NO_MATCH);
    /* the receiving side got b.test's certificate as the TLS client certificate */
    assert_int_equal(xs_tls_peer_names(server, names, XC_CN_NAMES_MAX, &n, buf, sizeof buf, &ok), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(n, 2);
    assert_true(has(names, n, XC_CN_XMPPADDR, "b.test"));
    assert_true(has(names, n, XC_CN_COMMON_NAME, "b.test"));
    xs_tls_free(client);
    xs_tls_free(server);
    xs_tls_ctx_unref(a);
    xs_tls_ctx_unref(b);
}

static void test_self_signed_peer_is_recorded_not_refused(void **state)
{
    xs_tls_ctx *a = s2s_ctx("a.test", "self", g_ca), *b = s2s_ctx("b.test", "b", g_ca);
    xs_tls *client = xs_tls_new_client(b, "b.test", "a.test"), *server = xs_tls_new(a, "a.test");
    xc_cn_name names[XC_CN_NAMES_MAX];
    char buf[4096];
    uint32_t n = 0;
    int ok = -1;

    (void)state;
    handshake(client, server);
    assert_int_equal(xs_tls_peer_names(client, names, XC_CN_NAMES_MAX, &n, buf, sizeof buf, &ok), 0);
    assert_int_equal(ok, 0);
    assert_string_not_equal(xs_tls_peer_verify_error(client), "");
    assert_true(has(names, n, XC_CN_DNS, "a.test"));
    xs_tls_free(client);
    xs_tls_free(server);
    xs_tls_ctx_unref(a);
    xs_tls_ctx_unref(b);
}

static void test_bounded_output_and_cn_only(void **state)
{
    xs_tls_ctx *a = s2s_ctx("a.test", "a", g_ca), *b = s2s_ctx("b.test", "b", g_ca);
    xs_tls_ctx *c = s2s_ctx("a.test", "cnonly", g_ca);
    xs_tls *client = xs_tls_new_client(b, "b.test", "a.test"), *server = xs_tls_new(a, "a.test");
    xc_cn_name names[XC_CN_NAMES_MAX];
    char buf[4096];
    uint32_t n = 0;
    int ok = -1;

    (void)state;
    handshake(client, server);
    /* room for one name: the first, and -1 */
    assert_int_equal(xs_tls_peer_names(client, names, 1, &n, buf, sizeof buf, &ok), -1);
    assert_int_equal(n, 1);
    assert_true(has(names, n, XC_CN_DNS, "a.test"));
    /* 8 bytes of text: "a.test" fits, nothing after it does */
    assert_int_equal(xs_tls_peer_names(client, names, XC_CN_NAMES_MAX, &n, buf, 8, &ok), -1);
    assert_int_equal(n, 1);
    xs_tls_free(client);
    xs_tls_free(server);
    /* a certificate with a subject CN and no subjectAltName */
    client = xs_tls_new_client(b, "b.test", "a.test");
    server = xs_tls_new(c, "a.test");
    handshake(client, server);
    assert_int_equal(xs_tls_peer_names(client, names, XC_CN_NAMES_MAX, &n, buf, sizeof buf, &ok), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(n, 1);
    assert_true(has(names, n, XC_CN_COMMON_NAME, "a.test"));
    xs_tls_free(client);
    xs_tls_free(server);
    xs_tls_ctx_unref(a);
    xs_tls_ctx_unref(b);
    xs_tls_ctx_unref(c);
}

static void test_client_session_needs_an_s2s_context_and_our_host(void **state)
{
    xs_config *cfg = calloc(1, sizeof *cfg);
    xs_tls_ctx *c2s, *b = s2s_ctx("b.test", "b", g_ca);
    char err[512];

    (void)state;
    assert_non_null(cfg);
    cfg->n_hosts = 1;
    snprintf(cfg->hosts[0].domain, sizeof cfg->hosts[0].domain, "b.test");
    snprintf(cfg->hosts[0].cert, sizeof cfg->hosts[0].cert, "%s/b.crt", g_dir);
    snprintf(cfg->hosts[0].key, sizeof cfg->hosts[0].key, "%s/b.key", g_dir);
    c2s = xs_tls_ctx_new(cfg, err, sizeof err);
    assert_non_null(c2s);
    assert_null(xs_tls_new_client(c2s, "b.test", "a.test"));   /* a c2s context has no client side */
    assert_null(xs_tls_new_client(b, "c.test", "a.test"));     /* not our domain */
    /* a CA file that does not exist is a configuration error */
    assert_null(xs_tls_s2s_ctx_new(cfg, "/nonexistent/ca.pem", err, sizeof err));
    assert_non_null(strstr(err, "s2s.ca"));
    xs_tls_ctx_unref(c2s);
    xs_tls_ctx_unref(b);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s2s_both_ways_with_ca),
        cmocka_unit_test(test_self_signed_peer_is_recorded_not_refused),
        cmocka_unit_test(test_bounded_output_and_cn_only),
        cmocka_unit_test(test_client_session_needs_an_s2s_context_and_our_host),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
