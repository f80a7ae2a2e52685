/*
 * xc_certname.c — see xc_certname.h.
 */
#include "xc_certname.h"

#define SRV_PREFIX_LEN 13u        /* "_xmpp-server." and "_xmpp-client." */

/*@ logic integer xc_cn_lower(integer c) = ('A' <= c <= 'Z') ? c + 32 : c; */

/*@ assigns \nothing;
    ensures \result == xc_cn_lower(c);
*/
static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* a[0 .. n-1] and b[0 .. n-1] equal ignoring ASCII case (DNS names: RFC 4343). */
/*@ requires \valid_read(a + (0 .. n - 1)) && \valid_read(b + (0 .. n - 1));
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 <==> (\forall integer k; 0 <= k < n ==> xc_cn_lower(a[k]) == xc_cn_lower(b[k]));
*/
static int same_ci(const char *a, const char *b, uint32_t n)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer k; 0 <= k < i ==> xc_cn_lower(a[k]) == xc_cn_lower(b[k]);
        loop assigns i;
        loop variant n - i;
    */
    for (i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

/* s without one trailing dot (an absolute name, RFC 6125 §6.2.1 step 2). */
/*@ requires xc_str_valid(s);
    assigns \nothing;
    ensures \result.ptr == s.ptr && xc_str_valid(\result);
    ensures \result.len == s.len || \result.len == s.len - 1;
*/
static xc_str no_dot(xc_str s)
{
    if (s.len > 0 && s.ptr[s.len - 1u] == '.')
        s.len--;
    return s;
}

/* The index of the first c in s, or s.len when there is none. */
/*@ requires xc_str_valid(s);
    assigns \nothing;
    ensures 0 <= \result <= s.len;
    ensures \forall integer k; 0 <= k < \result ==> s.ptr[k] != c;
    ensures \result < s.len ==> s.ptr[\result] == c;
*/
static uint32_t find(xc_str s, char c)
{
    uint32_t i;

    /*@ loop invariant 0 <= i <= s.len;
        loop invariant \forall integer k; 0 <= k < i ==> s.ptr[k] != c;
        loop assigns i;
        loop variant s.len - i;
    */
    for (i = 0; i < s.len; i++)
        if (s.ptr[i] == c)
            return i;
    return s.len;
}

/* A DNS-ID (or a common name, allow_wildcard = 0) against the reference: 0 no, 1 exact, 2 by
 * a wildcard in the whole left-most label (RFC 6125 §6.4.3). */
/*@ requires xc_str_valid(ref) && xc_str_valid(id);
    assigns \nothing;
    ensures 0 <= \result <= 2;
    ensures allow_wildcard == 0 ==> \result != 2;
    ensures ref.len == 0 ==> \result == 0;
*/
static int dns_matches(xc_str ref, xc_str id, int allow_wildcard)
{
    xc_str rest, tail;
    uint32_t dot;

    ref = no_dot(ref);
    id = no_dot(id);
    if (ref.len == 0 || id.len == 0 || id.len > XC_CN_NAME_MAX || find(ref, '*') < ref.len)
        return 0;
    if (id.len >= 2u && id.ptr[0] == '*' && id.ptr[1] == '.') {
        if (!allow_wildcard)
            return 0;
        rest.ptr = id.ptr + 2;
        rest.len = id.len - 2u;
        /* the rest is a name of at least two labels, with no other wildcard: "*.com" is none */
        dot = find(rest, '.');
        if (find(rest, '*') < rest.len || dot == 0 || dot + 1u >= rest.len)
            return 0;
        /* the wildcard stands for exactly one non-empty label of the reference */
        dot = find(ref, '.');
        if (dot == 0 || dot >= ref.len)
            return 0;
        tail.ptr = ref.ptr + dot + 1;
        tail.len = ref.len - dot - 1u;
        return tail.len == rest.len && same_ci(tail.ptr, rest.ptr, rest.len) ? 2 : 0;
    }
    if (find(id, '*') < id.len)
        return 0;
    return ref.len == id.len && same_ci(ref.ptr, id.ptr, id.len) ? 1 : 0;
}

/* An SRV-ID: "_xmpp-server." / "_xmpp-client." + the reference, no wildcard (RFC 4985, RFC 6120
 * §13.7.1.2.1). */
/*@ requires xc_str_valid(ref) && xc_str_valid(id);
    requires svc == XC_CN_SERVER || svc == XC_CN_CLIENT;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures ref.len == 0 ==> \result == 0;
*/
static int srv_matches(xc_str ref, xc_str id, xc_cn_service svc)
{
    const char *want = svc == XC_CN_SERVER ? "_xmpp-server." : "_xmpp-client.";

    ref = no_dot(ref);
    id = no_dot(id);
    if (ref.len == 0 || id.len > XC_CN_NAME_MAX || id.len != SRV_PREFIX_LEN + ref.len)
        return 0;
    if (find(id, '*') < id.len || !same_ci(id.ptr, want, SRV_PREFIX_LEN))
        return 0;
    return same_ci(id.ptr + SRV_PREFIX_LEN, ref.ptr, ref.len);
}

xc_cn_match xc_certname_match(xc_str ref_ascii, xc_str ref_utf8, xc_cn_service svc, const xc_cn_name *names, uint32_t n)
{
    int by_dns = 0, by_srv = 0, by_addr = 0, by_wild = 0, by_cn = 0, has_san = 0;
    uint32_t i;

    /*@ loop invariant 0 <= i <= n;
        loop invariant by_dns == 0 || by_dns == 1;
        loop invariant by_wild == 0 || by_wild == 1;
        loop invariant i == 0 ==> (by_dns == 0 && by_srv == 0 && by_addr == 0 && by_wild == 0 && by_cn == 0);
        loop invariant (ref_ascii.len == 0 && ref_utf8.len == 0) ==>
                       (by_dns == 0 && by_srv == 0 && by_addr == 0 && by_wild == 0 && by_cn == 0);
        loop assigns i, by_dns, by_srv, by_addr, by_wild, by_cn, has_san;
        loop variant n - i;
    */
    for (i = 0; i < n; i++) {
        xc_str v = names[i].value;
        int m;

        switch (names[i].kind) {
        case XC_CN_DNS:
            has_san = 1;
            m = dns_matches(ref_ascii, v, 1);
            if (m == 1)
                by_dns = 1;
            else if (m == 2)
                by_wild = 1;
            break;
        case XC_CN_SRV:
            has_san = 1;
            if (srv_matches(ref_ascii, v, svc))
                by_srv = 1;
            break;
        case XC_CN_XMPPADDR:
            /* a domain-only JID: the domain itself, compared as a name without wildcards */
            has_san = 1;
            if (dns_matches(ref_utf8, v, 0) == 1)
                by_addr = 1;
            break;
        case XC_CN_COMMON_NAME:
            if (dns_matches(ref_ascii, v, 0) == 1)
                by_cn = 1;
            break;
        default:
            break;
        }
    }
    if (by_dns)
        return XC_CN_BY_DNS;
    if (by_srv)
        return XC_CN_BY_SRV;
    if (by_addr)
        return XC_CN_BY_XMPPADDR;
    if (by_wild)
        return XC_CN_BY_WILDCARD;
    /* RFC 6125 §6.4.4: the CN counts only in a certificate without subjectAltName identifiers */
    if (by_cn && !has_san)
        return XC_CN_BY_COMMON_NAME;
    return XC_CN_NO_MATCH;
}
