/*
 * test_certs.h — certificates for the TLS tests of src/server, made with OpenSSL into a fresh
 * temporary directory (the contexts load them from files, like xmppd):
 *   ca.crt                 a test CA
 *   a.crt / a.key          a.test, signed by the CA: subjectAltName dNSName a.test, a dNSName
 *                          "evil.test\0.a.test" (the NUL prefix trick), otherName id-on-dnsSRV
 *                          (IA5String) _xmpp-server.a.test, otherName id-on-xmppAddr (UTF8String)
 *                          a.test; CN a.test
 *   b.crt / b.key          b.test, signed by the CA: id-on-xmppAddr b.test; CN b.test
 *   self.crt / self.key    a.test, self-signed: dNSName a.test
 *   cnonly.crt / .key      a.test, signed by the CA, no subjectAltName
 * Failures end the test (cmocka).
 */
#ifndef TEST_CERTS_H
#define TEST_CERTS_H

#include "tls.h"

/* dir: a mkdtemp template ("/tmp/x.XXXXXX"), replaced by the directory made. 0 or -1. */
int test_certs_make(char *dir);
void test_certs_remove(const char *dir);
/* An s2s context (xs_tls_s2s_ctx_new) serving domain with <dir>/<file>.crt and .key. */
xs_tls_ctx *test_certs_s2s_ctx(const char *dir, const char *domain, const char *file, const char *ca);

#endif
