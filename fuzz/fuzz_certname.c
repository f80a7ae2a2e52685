/*
 * fuzz_certname.c — libFuzzer harness for certificate name matching (xc_certname.h): the
 * identifiers come from a peer's certificate, so from the network.
 *
 * Input: byte 0 — bit 0 the service, bits 1-3 the number of names (0..7); then the reference
 * (a length byte and that many bytes, used as both the ASCII and the UTF-8 form); then per name
 * a kind byte (0..4, 4 being no valid kind), a length byte and the bytes. Checks:
 *   - the result is one of the enumerated matches;
 *   - ASCII case does not matter: upper-casing every input gives the same result;
 *   - the order of the names does not matter;
 *   - the result for the list is the best of the results for each name alone (exact kinds
 *     before a wildcard), except that a common name counts only without any subjectAltName
 *     identifier in the list;
 *   - a DNS-ID equal to a non-empty reference without '*' always matches.
 * Any violation aborts, so libFuzzer records it as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xc_certname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAMES 7u
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static char upper_buf[(NAMES + 1u) * 256u];

static xc_str take(const uint8_t **p, size_t *left)
{
    xc_str s = { (const char *)*p, 0 };
    size_t n;

    if (*left == 0)
        return s;
    n = **p;
    (*p)++;
    (*left)--;
    if (n > *left)
        n = *left;
    s.ptr = (const char *)*p;
    s.len = (uint32_t)n;
    *p += n;
    *left -= n;
    return s;
}

static xc_str upper(xc_str s, size_t slot)
{
    char *b = upper_buf + slot * 256u;
    uint32_t i;

    for (i = 0; i < s.len; i++)
        b[i] = (s.ptr[i] >= 'a' && s.ptr[i] <= 'z') ? (char)(s.ptr[i] - 32) : s.ptr[i];
    return (xc_str){ b, s.len };
}

static int rank(xc_cn_match m)
{
    switch (m) {
    case XC_CN_BY_DNS: return 5;
    case XC_CN_BY_SRV: return 4;
    case XC_CN_BY_XMPPADDR: return 3;
    case XC_CN_BY_WILDCARD: return 2;
    case XC_CN_BY_COMMON_NAME: return 1;
    default: return 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data;
    size_t left = size;
    xc_cn_name names[NAMES], up[NAMES], rev[NAMES];
    xc_cn_service svc;
    xc_cn_match m, best = XC_CN_NO_MATCH;
    xc_str ref;
    uint32_t n, i;
    int has_san = 0;

    if (size == 0)
        return 0;
    svc = (data[0] & 1u) ? XC_CN_CLIENT : XC_CN_SERVER;
    n = (data[0] >> 1) & 7u;
    p++;
    left--;
    ref = take(&p, &left);
    for (i = 0; i < n; i++) {
        uint8_t kind = left > 0 ? (uint8_t)(*p % 5u) : 0u;
        if (left > 0) {
            p++;
            left--;
        }
        names[i].kind = (xc_cn_kind)kind;
        names[i].value = take(&p, &left);
    }
    m = xc_certname_match(ref, ref, svc, names, n);
    CHECK(m >= XC_CN_NO_MATCH && m <= XC_CN_BY_COMMON_NAME);
    for (i = 0; i < n; i++) {
        xc_cn_match one = xc_certname_match(ref, ref, svc, &names[i], 1);
        if (names[i].kind == XC_CN_DNS || names[i].kind == XC_CN_SRV || names[i].kind == XC_CN_XMPPADDR)
            has_san = 1;
        if (rank(one) > rank(best))
            best = one;
        if (names[i].kind == XC_CN_DNS && names[i].value.len == ref.len && ref.len > 0 &&
            memcmp(names[i].value.ptr, ref.ptr, ref.len) == 0 && memchr(ref.ptr, '*', ref.len) == NULL &&
            ref.len <= XC_CN_NAME_MAX && !(ref.len == 1 && ref.ptr[0] == '.'))
            CHECK(one == XC_CN_BY_DNS);
        up[i].kind = names[i].kind;
        up[i].value = upper(names[i].value, i + 1u);
        rev[n - 1u - i] = names[i];
    }
    if (best == XC_CN_BY_COMMON_NAME && has_san)
        best = XC_CN_NO_MATCH;
    CHECK(m == best);
    CHECK(xc_certname_match(upper(ref, 0), upper(ref, 0), svc, up, n) == m);
    CHECK(xc_certname_match(ref, ref, svc, rev, n) == m);
    return 0;
}
