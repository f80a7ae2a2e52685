/*
 * gencert.c — see gencert.h.
 *
 * Invariants kept here:
 *   - the key and the certificate are made and signed in memory first; the files are created
 *     only then, both with O_CREAT|O_EXCL before a byte is written, so a refusal (a file is
 *     there) leaves the directory as it was;
 *   - the key file gets its mode from open(2) itself: a chmod afterwards would leave a moment in
 *     which the key is readable by others (the umask can only make it stricter);
 *   - a file this call created and could not finish is removed; a file it did not create is
 *     never written, truncated, followed (a symlink counts as existing) or removed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <idna.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "gencert.h"

#define SRV_CLIENT_PREFIX "_xmpp-client."   /* RFC 6120 §3.2.1: the c2s SRV service name */

/* The domain as each part of the certificate spells it. */
typedef struct names {
    const char *xmpp;   /* the prepared domain (UTF-8, an IP literal as written): XmppAddr */
    char *dns;          /* its A-label form (libidn's malloc): DNS-ID, SRV-ID, CN; NULL for an IP */
    char ip[64];        /* an IP literal without brackets: iPAddress; "" for a DNS name */
    const char *cn;     /* dns, or the IP literal as written */
} names;

static xs_gencert_status fail(char *err, size_t err_len, xs_gencert_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static xs_gencert_status fail(char *err, size_t err_len, xs_gencert_status st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return st;
}

/* The reason OpenSSL queued, else errno's (a failed write or close of the file). */
static xs_gencert_status openssl_fail(char *err, size_t err_len, const char *what, const char *path)
{
    unsigned long e = ERR_get_error();
    char reason[200];

    if (e != 0)
        ERR_error_string_n(e, reason, sizeof reason);
    else
        (void)snprintf(reason, sizeof reason, "%s", strerror(errno));
    ERR_clear_error();
    return fail(err, err_len, XS_GENCERT_ERROR, "%s%s: %s", what, path, reason);
}

/* IP literals (RFC 3920 §3.2, kept as written by xc_jid_parse) are addresses, not DNS names:
 * they have no A-label form and no SRV record. */
static xs_gencert_status prepare_names(const char *domain, names *n, char *err, size_t err_len)
{
    size_t len = strlen(domain);
    unsigned char addr[16];
    int rc;

    memset(n, 0, sizeof *n);
    n->xmpp = domain;
    n->cn = domain;
    if (domain[0] == '[') {
        if (len < 2 || len - 2 >= sizeof n->ip || domain[len - 1] != ']')
            return fail(err, err_len, XS_GENCERT_INVALID, "'%s' is not an IPv6 literal", domain);
        memcpy(n->ip, domain + 1, len - 2);
        n->ip[len - 2] = '\0';
        if (inet_pton(AF_INET6, n->ip, addr) != 1)
            return fail(err, err_len, XS_GENCERT_INVALID, "'%s' is not an IPv6 literal", domain);
        return XS_GENCERT_OK;
    }
    if (inet_pton(AF_INET, domain, addr) == 1) {
        (void)snprintf(n->ip, sizeof n->ip, "%s", domain);
        return XS_GENCERT_OK;
    }
    /* Same flags as the server's Nameprep (adapter_stringprep_libidn.c): unassigned allowed. */
    rc = idna_to_ascii_8z(domain, &n->dns, IDNA_ALLOW_UNASSIGNED);
    if (rc != IDNA_SUCCESS) {
        n->dns = NULL;
        return fail(err, err_len, XS_GENCERT_INVALID, "'%s' has no A-label form: %s", domain, idna_strerror(rc));
    }
    n->cn = n->dns;
    if (strlen(n->dns) > XS_GENCERT_CN_MAX)
        return fail(err, err_len, XS_GENCERT_INVALID,
                    "'%s' is longer than %u bytes, the limit of a certificate's common name", n->dns,
                    XS_GENCERT_CN_MAX);
    return XS_GENCERT_OK;
}

static GENERAL_NAME *other_name(int nid, int type, const char *value)
{
    ASN1_STRING *str = ASN1_STRING_type_new(type);
    ASN1_TYPE *any = ASN1_TYPE_new();
    GENERAL_NAME *g = GENERAL_NAME_new();

    if (str == NULL || any == NULL || g == NULL || ASN1_STRING_set(str, value, -1) != 1)
        goto fail;
    ASN1_TYPE_set(any, type, str);   /* any owns str from here */
    str = NULL;
    if (GENERAL_NAME_set0_othername(g, OBJ_nid2obj(nid), any) != 1)
        goto fail;
    return g;
fail:
    ASN1_STRING_free(str);
    ASN1_TYPE_free(any);
    GENERAL_NAME_free(g);
    return NULL;
}

static int push_name(GENERAL_NAMES *alt, GENERAL_NAME *g)
{
    if (g == NULL || sk_GENERAL_NAME_push(alt, g) <= 0) {
        GENERAL_NAME_free(g);
        return 0;
    }
    return 1;
}

/* subjectAltName: DNS-ID (or iPAddress), XmppAddr, SRV-ID. 1 on success. */
static int alt_names(GENERAL_NAMES *alt, const names *n)
{
    char srv[sizeof SRV_CLIENT_PREFIX + 1024];
    int len;

    if (n->dns == NULL)
        return push_name(alt, a2i_GENERAL_NAME(NULL, NULL, NULL, GEN_IPADD, n->ip, 0)) &&
               push_name(alt, other_name(NID_XmppAddr, V_ASN1_UTF8STRING, n->xmpp));
    len = snprintf(srv, sizeof srv, "%s%s", SRV_CLIENT_PREFIX, n->dns);
    return len > 0 && (size_t)len < sizeof srv &&
           push_name(alt, a2i_GENERAL_NAME(NULL, NULL, NULL, GEN_DNS, n->dns, 0)) &&
           push_name(alt, other_name(NID_XmppAddr, V_ASN1_UTF8STRING, n->xmpp)) &&
           push_name(alt, other_name(NID_SRVName, V_ASN1_IA5STRING, srv));
}

/* A signed X.509 v3 certificate for n and key, valid from now for `days`. NULL on failure
 * (the reason is on OpenSSL's error queue). */
static X509 *make_cert(const names *n, EVP_PKEY *key, unsigned days)
{
    X509 *x = X509_new();
    X509_NAME *subject = X509_NAME_new();
    BIGNUM *serial = BN_new();
    GENERAL_NAMES *alt = sk_GENERAL_NAME_new_null();
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();   /* cA defaults to FALSE */
    ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
    EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
    int ok;

    ok = x != NULL && subject != NULL && serial != NULL && alt != NULL && bc != NULL && ku != NULL &&
         eku != NULL && X509_set_version(x, X509_VERSION_3) == 1 &&
         /* RFC 5280 §4.1.2.2: positive, at most 20 octets; the top bit set keeps it 128 bits long
          * (never zero) with 127 random ones. */
         BN_rand(serial, 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
         BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != NULL &&
         X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
         X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) != NULL &&
         X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8, (const unsigned char *)n->cn, -1,
                                    -1, 0) == 1 &&
         X509_set_subject_name(x, subject) == 1 && X509_set_issuer_name(x, subject) == 1 &&
         X509_set_pubkey(x, key) == 1 && alt_names(alt, n) &&
         X509_add1_ext_i2d(x, NID_subject_alt_name, alt, 0, X509V3_ADD_DEFAULT) == 1 &&
         X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) == 1 &&
         ASN1_BIT_STRING_set_bit(ku, 0, 1) == 1 &&   /* bit 0: digitalSignature (RFC 5280 §4.2.1.3) */
         X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT) == 1 &&
         sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) > 0 &&
         sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)) > 0 &&
         X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, X509V3_ADD_DEFAULT) == 1 &&
         X509_sign(x, key, EVP_sha256()) > 0;
    X509_NAME_free(subject);
    BN_free(serial);
    GENERAL_NAMES_free(alt);
    BASIC_CONSTRAINTS_free(bc);
    ASN1_BIT_STRING_free(ku);
    sk_ASN1_OBJECT_free(eku);   /* OBJ_nid2obj's objects are static */
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Writes the PEM of key (or, when key is NULL, of cert) to fd and closes fd. 1 on success. */
static int write_pem(int fd, EVP_PKEY *key, X509 *cert)
{
    BIO *b = BIO_new_fd(fd, BIO_NOCLOSE);
    int ok;

    ok = b != NULL &&
         (key != NULL ? PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_X509(b, cert)) ==
             1 &&
         BIO_flush(b) == 1;
    BIO_free(b);
    if (close(fd) != 0)
        ok = 0;
    return ok;
}

static xs_gencert_status create_fail(const char *path, char *err, size_t err_len)
{
    if (errno == EEXIST)
        return fail(err, err_len, XS_GENCERT_EXISTS, "%s exists: nothing written (remove it to make a new one)",
                    path);
    return fail(err, err_len, XS_GENCERT_ERROR, "cannot create %s: %s", path, strerror(errno));
}

xs_gencert_status xs_gencert(const char *domain, unsigned days, const char *crt_path, const char *key_path,
                             char *err, size_t err_len)
{
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    xs_gencert_status st;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    int key_fd, crt_fd, key_ok, crt_ok;
    names n;

    if (days < 1 || days > XS_GENCERT_DAYS_MAX)
        return fail(err, err_len, XS_GENCERT_INVALID, "the validity must be 1 to %u days", XS_GENCERT_DAYS_MAX);
    ERR_clear_error();
    st = prepare_names(domain, &n, err, err_len);
    if (st != XS_GENCERT_OK)
        goto out;
    key = EVP_EC_gen("P-256");
    if (key == NULL) {
        st = openssl_fail(err, err_len, "cannot make an EC P-256 key", "");
        goto out;
    }
    cert = make_cert(&n, key, days);
    if (cert == NULL) {
        st = openssl_fail(err, err_len, "cannot make the certificate", "");
        goto out;
    }
    key_fd = open(key_path, flags, 0600);
    if (key_fd < 0) {
        st = create_fail(key_path, err, err_len);
        goto out;
    }
    crt_fd = open(crt_path, flags, 0644);
    if (crt_fd < 0) {
        st = create_fail(crt_path, err, err_len);
        (void)close(key_fd);
        (void)unlink(key_path);
        goto out;
    }
    key_ok = write_pem(key_fd, key, NULL);
    crt_ok = write_pem(crt_fd, NULL, cert);
    if (!key_ok || !crt_ok) {
        st = openssl_fail(err, err_len, "cannot write ", key_ok ? crt_path : key_path);
        (void)unlink(key_path);
        (void)unlink(crt_path);
    }
out:
    free(n.dns);
    X509_free(cert);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return st;
}
