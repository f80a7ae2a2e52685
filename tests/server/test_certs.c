/*
 * test_certs.c — see test_certs.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "test_certs.h"


static EVP_PKEY *new_key(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    return k;
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;

    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(cert, e, -1), 1);
    X509_EXTENSION_free(e);
}

/* A dNSName "evil.test\0.<domain>": the prefix trick a careless strcmp would accept. */
static void add_nul_dns(X509 *cert, const char *domain)
{
    GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    GENERAL_NAME *gn = GENERAL_NAME_new();
    ASN1_IA5STRING *v = ASN1_IA5STRING_new();
    char raw[128];
    int n = snprintf(raw, sizeof raw, "evil.test%c.%s", '\0', domain);

    assert_non_null(sans);
    assert_int_equal(ASN1_STRING_set(v, raw, n), 1);
    GENERAL_NAME_set0_value(gn, GEN_DNS, v);
    sk_GENERAL_NAME_push(sans, gn);
    assert_int_equal(X509_add1_ext_i2d(cert, NID_subject_alt_name, sans, 0, X509V3_ADD_REPLACE), 1);
    GENERAL_NAMES_free(sans);
}

static X509 *new_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *san, int ca)
{
    X509 *c = X509_new();
    X509_NAME *name = X509_NAME_new();

    assert_non_null(c);
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), (long)(random() & 0x7fffffff));
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c), 86400);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(c, name);
    X509_set_issuer_name(c, issuer != NULL ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(c, key);
    if (ca) {
        add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    if (san != NULL)
        add_ext(c, issuer != NULL ? issuer : c, NID_subject_alt_name, san);
    if (san != NULL && strstr(san, "DNS:") != NULL)
        add_nul_dns(c, cn);
    assert_true(X509_sign(c, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return c;
}

static void write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    if (cert != NULL)
        assert_int_equal(PEM_write_X509(f, cert), 1);
    if (key != NULL)
        assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
}

/* Writes <dir>/<name>.crt and .key for domain; signed by the CA unless self_signed. */
static void make_host(const char *dir, const char *name, const char *domain, const char *san, X509 *ca,
                      EVP_PKEY *ca_key, int self_signed)
{
    char crt[300], key[300];
    EVP_PKEY *k = new_key();
    X509 *c = new_cert(domain, k, self_signed ? NULL : ca, self_signed ? NULL : ca_key, san, 0);

    snprintf(crt, sizeof crt, "%s/%s.crt", dir, name);
    snprintf(key, sizeof key, "%s/%s.key", dir, name);
    write_pem(crt, c, NULL);
    write_pem(key, NULL, k);
    X509_free(c);
    EVP_PKEY_free(k);
}

int test_certs_make(char *dir)
{
    EVP_PKEY *ca_key;
    X509 *ca;
    char path[300];

    if (mkdtemp(dir) == NULL)
        return -1;
    ca_key = new_key();
    ca = new_cert("Test CA", ca_key, NULL, NULL, NULL, 1);
    snprintf(path, sizeof path, "%s/ca.crt", dir);
    write_pem(path, ca, NULL);
    make_host(dir, "a", "a.test",
              "DNS:a.test,otherName:1.3.6.1.5.5.7.8.7;IA5STRING:_xmpp-server.a.test,"
              "otherName:1.3.6.1.5.5.7.8.5;UTF8:a.test",
              ca, ca_key, 0);
    make_host(dir, "b", "b.test", "otherName:1.3.6.1.5.5.7.8.5;UTF8:b.test", ca, ca_key, 0);
    make_host(dir, "self", "a.test", "DNS:a.test", NULL, NULL, 1);
    make_host(dir, "cnonly", "a.test", NULL, ca, ca_key, 0);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return 0;
}

void test_certs_remove(const char *dir)
{
    const char *names[] = { "ca.crt", "a.crt", "a.key", "b.crt", "b.key", "self.crt", "self.key",
                            "cnonly.crt", "cnonly.key" };
    char path[300];
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

xs_tls_ctx *test_certs_s2s_ctx(const char *dir, const char *domain, const char *file, const char *ca)
{
    xs_config *cfg = calloc(1, sizeof *cfg);
    xs_tls_ctx *c;
    char err[512] = "";

    assert_non_null(cfg);
    cfg->n_hosts = 1;
    snprintf(cfg->hosts[0].domain, sizeof cfg->hosts[0].domain, "%s", domain);
    snprintf(cfg->hosts[0].cert, sizeof cfg->hosts[0].cert, "%s/%s.crt", dir, file);
    snprintf(cfg->hosts[0].key, sizeof cfg->hosts[0].key, "%s/%s.key", dir, file);
    c = xs_tls_s2s_ctx_new(cfg, ca, err, sizeof err);
    if (c == NULL)
        fail_msg("xs_tls_s2s_ctx_new: %s", err);
    free(cfg);
    return c;
}
