/*
 * adapter_hmac_openssl.c — xc_sha256 and xc_hmac_sha256 (src/core/xc_hmac.h) with OpenSSL 3's
 * one-shot functions. A failure inside OpenSSL is not something the core can answer: it would
 * mean a broken library, so the process stops rather than hand out a wrong or zero key.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>

#include "xc_hmac.h"

void xc_sha256(const char *msg, size_t len, uint8_t *out)
{
    static const char none[1];
    unsigned n = 0;

    if (EVP_Digest(len > 0 ? msg : none, len, out, &n, EVP_sha256(), NULL) != 1 || n != XC_SHA256_LEN) {
        fprintf(stderr, "xc_sha256: OpenSSL failed\n");
        abort();
    }
}

void xc_hmac_sha256(const char *key, size_t key_len, const char *msg, size_t msg_len, uint8_t *out)
{
    static const char none[1];
    unsigned n = 0;

    if (HMAC(EVP_sha256(), key_len > 0 ? key : none, (int)key_len, (const unsigned char *)(msg_len > 0 ? msg : none),
             msg_len, out, &n) == NULL || n != XC_SHA256_LEN) {
        fprintf(stderr, "xc_hmac_sha256: OpenSSL failed\n");
        abort();
    }
}
