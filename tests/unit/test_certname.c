/*
 * test_certname.c — src/core/xc_certname.c: a peer's certificate names its domain (RFC 6125 §6,
 * RFC 6120 §13.7.2): DNS-IDs with and without a wildcard, SRV-IDs per service, id-on-xmppAddr,
 * the common name only without subjectAltName identifiers; and the names that must not match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xc_certname.h"

#define S(x) ((xc_str){ (x), (uint32_t)strlen(x) })

static xc_cn_match one(const char *ref, xc_cn_kind kind, const char *value, xc_cn_service svc)
{
    xc_cn_name n;

    n.kind = kind;
    n.value = S(value);
    return xc_certname_match(S(ref), S(ref), svc, &n, 1);
}

/* REQ: DB-04 */
static void test_dns_id(void **state)
{
    (void)state;
    assert_int_equal(one("example.org", XC_CN_DNS, "example.org", XC_CN_SERVER), XC_CN_BY_DNS);
    assert_int_equal(one("example.org", XC_CN_DNS, "EXAMPLE.Org", XC_CN_SERVER), XC_CN_BY_DNS);
    assert_int_equal(one("example.org.", XC_CN_DNS, "example.org", XC_CN_SERVER), XC_CN_BY_DNS);
    assert_int_equal(one("example.org", XC_CN_DNS, "example.org.", XC_CN_SERVER), XC_CN_BY_DNS);
    assert_int_equal(one("example.org", XC_CN_DNS, "example.com", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_DNS, "xexample.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_DNS, "example.org.evil", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_DNS, "", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("", XC_CN_DNS, "", XC_CN_SERVER), XC_CN_NO_MATCH);
}

/* REQ: DB-04 */
static void test_wildcards(void **state)
{
    (void)state;
    /* RFC 6125 §6.4.3: the whole left-most label, exactly one label */
    assert_int_equal(one("chat.example.org", XC_CN_DNS, "*.example.org", XC_CN_SERVER), XC_CN_BY_WILDCARD);
    assert_int_equal(one("CHAT.example.org", XC_CN_DNS, "*.EXAMPLE.org", XC_CN_SERVER), XC_CN_BY_WILDCARD);
    assert_int_equal(one("example.org", XC_CN_DNS, "*.example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("a.b.example.org", XC_CN_DNS, "*.example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    /* a partial-label wildcard, one in another label, a bare one, a public suffix */
    assert_int_equal(one("chat.example.org", XC_CN_DNS, "c*.example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("chat.example.org", XC_CN_DNS, "chat.*.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("chat.example.org", XC_CN_DNS, "*.*.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_DNS, "*", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_DNS, "*.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one(".example.org", XC_CN_DNS, "*.example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    /* a reference holding '*' never matches */
    assert_int_equal(one("*.example.org", XC_CN_DNS, "*.example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
}

/* REQ: DB-04 */
static void test_srv_id_per_service(void **state)
{
    (void)state;
    assert_int_equal(one("example.org", XC_CN_SRV, "_xmpp-server.example.org", XC_CN_SERVER), XC_CN_BY_SRV);
    assert_int_equal(one("example.org", XC_CN_SRV, "_XMPP-Server.Example.org", XC_CN_SERVER), XC_CN_BY_SRV);
    assert_int_equal(one("example.org", XC_CN_SRV, "_xmpp-client.example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_SRV, "_xmpp-client.example.org", XC_CN_CLIENT), XC_CN_BY_SRV);
    assert_int_equal(one("chat.example.org", XC_CN_SRV, "_xmpp-server.*.example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_SRV, "_xmpp-server.example.com", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_SRV, "example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
}

/* REQ: DB-04 */
static void test_xmppaddr_and_common_name(void **state)
{
    xc_cn_name two[2];

    (void)state;
    assert_int_equal(one("example.org", XC_CN_XMPPADDR, "example.org", XC_CN_SERVER), XC_CN_BY_XMPPADDR);
    assert_int_equal(one("example.org", XC_CN_XMPPADDR, "*.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    assert_int_equal(one("example.org", XC_CN_XMPPADDR, "user@example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    /* the CN alone counts, exactly; beside any subjectAltName identifier it does not */
    assert_int_equal(one("example.org", XC_CN_COMMON_NAME, "example.org", XC_CN_SERVER), XC_CN_BY_COMMON_NAME);
    assert_int_equal(one("chat.example.org", XC_CN_COMMON_NAME, "*.example.org", XC_CN_SERVER), XC_CN_NO_MATCH);
    two[0].kind = XC_CN_DNS;
    two[0].value = S("other.example");
    two[1].kind = XC_CN_COMMON_NAME;
    two[1].value = S("example.org");
    assert_int_equal(xc_certname_match(S("example.org"), S("example.org"), XC_CN_SERVER, two, 2), XC_CN_NO_MATCH);
    /* an exact name wins over a wildcard, whatever the order */
    two[0].kind = XC_CN_DNS;
    two[0].value = S("*.example.org");
    two[1].kind = XC_CN_DNS;
    two[1].value = S("chat.example.org");
    assert_int_equal(xc_certname_match(S("chat.example.org"), S("chat.example.org"), XC_CN_SERVER, two, 2),
                     XC_CN_BY_DNS);
    /* no identifiers at all */
    assert_int_equal(xc_certname_match(S("example.org"), S("example.org"), XC_CN_SERVER, NULL, 0), XC_CN_NO_MATCH);
}

/* REQ: DB-04 */
static void test_internationalised_domain(void **state)
{
    xc_cn_name n[2];

    (void)state;
    /* the A-label form for DNS-IDs, the UTF-8 form for the JID in id-on-xmppAddr */
    n[0].kind = XC_CN_DNS;
    n[0].value = S("xn--caf-dma.example");
    n[1].kind = XC_CN_XMPPADDR;
    n[1].value = S("caf\xc3\xa9.example");
    assert_int_equal(xc_certname_match(S("xn--caf-dma.example"), S("caf\xc3\xa9.example"), XC_CN_SERVER, n, 1),
                     XC_CN_BY_DNS);
    assert_int_equal(xc_certname_match(S("xn--caf-dma.example"), S("caf\xc3\xa9.example"), XC_CN_SERVER, n + 1, 1),
                     XC_CN_BY_XMPPADDR);
    /* the U-label in a dNSName does not stand for the A-label */
    n[0].value = S("caf\xc3\xa9.example");
    assert_int_equal(xc_certname_match(S("xn--caf-dma.example"), S("caf\xc3\xa9.example"), XC_CN_SERVER, n, 1),
                     XC_CN_NO_MATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_id),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_srv_id_per_service),
        cmocka_unit_test(test_xmppaddr_and_common_name),
        cmocka_unit_test(test_internationalised_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
