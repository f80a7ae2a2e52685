/*
 * b64.c — base64 for SASL payloads (see b64.h). OpenSSL's block coder does the work; this file
 * only checks lengths and the alphabet first, because EVP_DecodeBlock skips whitespace and
 * reports padding as decoded zero bytes.
 */
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64.h"

int xl_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len)
{
    size_t need = XL_B64_ENCODED_LEN(len);

    if (len > INT_MAX / 2 || need + 1 > cap)
        return -1;
    (void)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    out[need] = '\0';
    *out_len = need;
    return 0;
}

static int is_b64_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '+' || ch == '/';
}

int xl_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t pad = 0, i;
    uint8_t tmp[4096];
    int n;

    *out_len = 0;
    if (len == 0)
        return 0;
    if (len % 4 != 0 || len / 4 * 3 > sizeof tmp)
        return -1;
    if (in[len - 1] == '=')
        pad = in[len - 2] == '=' ? 2 : 1;
    for (i = 0; i < len - pad; i++)
        if (!is_b64_char(in[i]))
            return -1;
    n = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len);
    if (n < 0 || (size_t)n < pad || (size_t)n - pad > cap)
        return -1;
    memcpy(out, tmp, (size_t)n - pad);
    *out_len = (size_t)n - pad;
    return 0;
}
