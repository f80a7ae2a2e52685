/*
 * test_jid.c — JIDs, RFC 3920 §3 (xc_jid.h), with the libidn stringprep adapter.
 *
 * Every input is copied flush against a PROT_NONE page (support_guard.h), so reading one
 * byte past a part or past the input crashes the test instead of passing it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support_guard.h"
#include "xc_jid.h"
#include "xc_stringprep.h"

static xc_jid_status parse_n(const char *s, size_t n, xc_jid *j)
{
    void *g = guard_copy(s, n);
    xc_jid_status st = xc_jid_parse(g, n, j);

    guard_free(g, n);
    return st;
}

static xc_jid_status parse_s(const char *s, xc_jid *j)
{
    return parse_n(s, strlen(s), j);
}

/* Parses `in`, expects success, and compares the formatted full JID with `want`. */
static void expect_full_n(const char *in, size_t n, const char *want)
{
    xc_jid j;
    char out[XC_JID_FULL_MAX];
    size_t out_len = 0;

    assert_int_equal(parse_n(in, n, &j), XC_JID_OK);
    assert_int_equal(xc_jid_format_full(&j, out, sizeof out, &out_len), XC_JID_OK);
    assert_int_equal(out_len, strlen(want));
    assert_memory_equal(out, want, out_len);
}

static void expect_full(const char *in, const char *want)
{
    expect_full_n(in, strlen(in), want);
}

static void expect_status(const char *in, xc_jid_status want)
{
    xc_jid j;

    assert_int_equal(parse_s(in, &j), want);
    assert_int_equal(j.node_len, 0);
    assert_int_equal(j.domain_len, 0);
    assert_int_equal(j.resource_len, 0);
}

static void expect_split(const char *in, const char *node, const char *domain, const char *res)
{
    size_t n = strlen(in);
    char *g = guard_copy(in, n);
    xc_jid_parts p;

    assert_int_equal(xc_jid_split(g, n, &p), XC_JID_OK);
    assert_int_equal(p.node.len, strlen(node));
    assert_memory_equal(p.node.ptr == NULL ? "" : p.node.ptr, node, p.node.len);
    assert_int_equal(p.domain.len, strlen(domain));
    assert_memory_equal(p.domain.ptr, domain, p.domain.len);
    assert_int_equal(p.resource.len, strlen(res));
    assert_memory_equal(p.resource.ptr == NULL ? "" : p.resource.ptr, res, p.resource.len);
    guard_free(g, n);
}

/* A string of `n` copies of `c` after `prefix` and before `suffix` (caller frees). */
static char *make(const char *prefix, char c, size_t n, const char *suffix, size_t *len)
{
    size_t pl = strlen(prefix);
    size_t sl = strlen(suffix);
    char *s = malloc(pl + n + sl + 1);

    assert_non_null(s);
    memcpy(s, prefix, pl);
    memset(s + pl, c, n);
    memcpy(s + pl + n, suffix, sl + 1);
    *len = pl + n + sl;
    return s;
}

/* A domain of exactly `n` bytes: labels of up to 63 'a's separated by dots. */
static char *make_domain(size_t n)
{
    char *s = malloc(n + 1);
    size_t i;

    assert_non_null(s);
    for (i = 0; i < n; i++)
        s[i] = (i % 64 == 63) ? '.' : 'a';
    if (n > 0 && s[n - 1] == '.')
        s[n - 1] = 'b'; /* never end on a dot: that one would be stripped */
    s[n] = '\0';
    return s;
}

/* REQ: JID-01 */
static void test_jid_split_first_slash_first_at(void **state)
{
    (void)state;
    expect_split("example.com", "", "example.com", "");
    expect_split("juliet@example.com", "juliet", "example.com", "");
    expect_split("example.com/balcony", "", "example.com", "balcony");
    expect_split("juliet@example.com/balcony", "juliet", "example.com", "balcony");
    /* only an '@' before the first '/' ends a node; the resource is everything after it */
    expect_split("a@b/c@d/e", "a", "b", "c@d/e");
    expect_split("a/b@c", "", "a", "b@c");
    expect_split("a@b@c", "a", "b@c", "");
}

/* REQ: JID-01, JID-03 */
static void test_jid_split_errors(void **state)
{
    xc_jid_parts p;
    char big[1];

    (void)state;
    big[0] = 'x';
    assert_int_equal(xc_jid_split(NULL, 0, &p), XC_JID_ERR_EMPTY);
    assert_int_equal(xc_jid_split(big, (size_t)XC_JID_IN_MAX + 1u, &p), XC_JID_ERR_TOO_LONG);
    {
        char *g = guard_copy("@x", 2);
        assert_int_equal(xc_jid_split(g, 2, &p), XC_JID_ERR_NODE_EMPTY);
        guard_free(g, 2);
        g = guard_copy("x@/r", 4);
        assert_int_equal(xc_jid_split(g, 4, &p), XC_JID_ERR_DOMAIN_EMPTY);
        guard_free(g, 4);
        g = guard_copy("x/", 2);
        assert_int_equal(xc_jid_split(g, 2, &p), XC_JID_ERR_RESOURCE_EMPTY);
        guard_free(g, 2);
    }
}

/* REQ: JID-01, JID-03, JID-08, JID-10 */
static void test_jid_rfc_examples(void **state)
{
    (void)state;
    expect_full("juliet@example.com/balcony", "juliet@example.com/balcony");
    expect_full("romeo@example.net", "romeo@example.net");
    expect_full("example.com", "example.com");
    expect_full("example.com/resource", "example.com/resource");
    expect_full("room@service/nick", "room@service/nick");
    expect_full("localhost", "localhost"); /* §3.2: a FQDN is only a SHOULD */
}

/* REQ: JID-03, JID-08, JID-10 */
static void test_jid_empty_parts(void **state)
{
    (void)state;
    expect_status("", XC_JID_ERR_EMPTY);
    expect_status("@example.com", XC_JID_ERR_NODE_EMPTY);
    expect_status("@", XC_JID_ERR_NODE_EMPTY);
    expect_status("juliet@", XC_JID_ERR_DOMAIN_EMPTY);
    expect_status("juliet@/balcony", XC_JID_ERR_DOMAIN_EMPTY);
    expect_status("/balcony", XC_JID_ERR_DOMAIN_EMPTY);
    expect_status("example.com/", XC_JID_ERR_RESOURCE_EMPTY);
    expect_status("juliet@example.com/", XC_JID_ERR_RESOURCE_EMPTY);
    expect_status(".", XC_JID_ERR_DOMAIN_EMPTY);
    /* parts that preparation maps to nothing (U+00AD SOFT HYPHEN, RFC 3454 table B.1) */
    expect_status("\xC2\xAD@example.com", XC_JID_ERR_NODE_EMPTY);
    expect_status("\xC2\xAD", XC_JID_ERR_DOMAIN_EMPTY);
    expect_status("example.com/\xC2\xAD", XC_JID_ERR_RESOURCE_EMPTY);
}

/* REQ: JID-05, JID-08, JID-10, JID-11 */
static void test_jid_case_folding(void **state)
{
    (void)state;
    expect_full("Juliet@Example.COM/Balcony", "juliet@example.com/Balcony");
    expect_full("ROMEO@EXAMPLE.NET", "romeo@example.net");
}

/* REQ: JID-09 */
static void test_jid_node_prohibited(void **state)
{
    static const char *const bad[] = {
        "a\"b@example.com", "a&b@example.com", "a'b@example.com", "a:b@example.com",
        "a<b@example.com", "a>b@example.com", "a b@example.com", " @example.com",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_status(bad[i], XC_JID_ERR_NODE_PROHIBITED);
    /* '@' and '/' cannot reach a raw node (the split ends it there); their fullwidth forms
     * become '@' and '/' under NFKC, and Nodeprep then prohibits them (App. A.5) */
    expect_status("a\xEF\xBC\xA0" "b@example.com", XC_JID_ERR_NODE_PREP); /* U+FF20 */
    expect_status("a\xEF\xBC\x8F" "b@example.com", XC_JID_ERR_NODE_PREP); /* U+FF0F */
    /* a second '@' lands in the domain, where it is not a label character */
    expect_status("a@b@example.com", XC_JID_ERR_DOMAIN_LABEL_CHAR);
}

/* REQ: JID-10 */
static void test_jid_resource_keeps_case_and_separators(void **state)
{
    (void)state;
    expect_full("juliet@example.com/Ba/l@cony", "juliet@example.com/Ba/l@cony");
    expect_full("example.com/@", "example.com/@");
    expect_full("example.com//", "example.com//");
    expect_full("example.com/a b", "example.com/a b"); /* space is allowed in Resourceprep */
    /* U+0085 is a non-ASCII control: prohibited by Resourceprep (App. B.5, table C.2.2) */
    expect_status("example.com/a\xC2\x85" "b", XC_JID_ERR_RESOURCE_PREP);
    /* U+E000 private use: prohibited (table C.3) */
    expect_status("example.com/\xEE\x80\x80", XC_JID_ERR_RESOURCE_PREP);
}

/* REQ: JID-02 */
static void test_jid_part_length_boundaries(void **state)
{
    xc_jid j;
    size_t n;
    char *s;
    char *dom;
    char *big;
    char out[XC_JID_FULL_MAX];
    size_t out_len = 0;

    (void)state;
    s = make("", 'a', 1023, "@example.com", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_OK);
    assert_int_equal(j.node_len, 1023);
    free(s);
    s = make("", 'a', 1024, "@example.com", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_ERR_NODE_TOO_LONG);
    free(s);
    /* the limit is on the prepared form: ß becomes "ss" under Nodeprep */
    s = make("", 'a', 1022, "\xC3\x9F@example.com", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_ERR_NODE_TOO_LONG);
    free(s);
    /* ... and characters mapped to nothing do not count */
    s = make("\xC2\xAD", 'a', 1023, "@example.com", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_OK);
    assert_int_equal(j.node_len, 1023);
    free(s);

    s = make("example.com/", 'R', 1023, "", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_OK);
    assert_int_equal(j.resource_len, 1023);
    free(s);
    s = make("example.com/", 'R', 1024, "", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_ERR_RESOURCE_TOO_LONG);
    free(s);

    dom = make_domain(1023);
    assert_int_equal(parse_s(dom, &j), XC_JID_OK);
    assert_int_equal(j.domain_len, 1023);
    free(dom);
    dom = make_domain(1024);
    assert_int_equal(parse_s(dom, &j), XC_JID_ERR_DOMAIN_TOO_LONG);
    free(dom);

    /* all three at the limit: the longest JID, 3071 bytes (§3.1) */
    dom = make_domain(1023);
    big = malloc(XC_JID_FULL_MAX + 1);
    assert_non_null(big);
    memset(big, 'n', 1023);
    big[1023] = '@';
    memcpy(big + 1024, dom, 1023);
    big[2047] = '/';
    memset(big + 2048, 'r', 1023);
    assert_int_equal(parse_n(big, XC_JID_FULL_MAX, &j), XC_JID_OK);
    assert_int_equal(xc_jid_format_full(&j, out, sizeof out, &out_len), XC_JID_OK);
    assert_int_equal(out_len, XC_JID_FULL_MAX);
    assert_memory_equal(out, big, XC_JID_FULL_MAX);
    free(big);
    free(dom);

    /* raw parts too long for preparation at all, and inputs too long to look at */
    s = make("example.com/", 'r', XC_PREP_IN_MAX + 1u, "", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_ERR_RESOURCE_TOO_LONG);
    free(s);
    s = make("", 'a', XC_PREP_IN_MAX + 1u, "@example.com", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_ERR_NODE_TOO_LONG);
    free(s);
    s = make("", 'a', XC_PREP_IN_MAX + 1u, "", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_ERR_DOMAIN_TOO_LONG);
    free(s);
    s = make("example.com/", 'r', XC_JID_IN_MAX, "", &n);
    assert_int_equal(parse_n(s, n, &j), XC_JID_ERR_TOO_LONG);
    free(s);
}

/* REQ: JID-04 */
static void test_jid_ip_literals(void **state)
{
    static const char *const good6[] = {
        "[::]", "[::1]", "[2001:db8::1]", "[2001:DB8::1]", "[1:2:3:4:5:6:7:8]", "[1::8]",
        "[::ffff:192.0.2.1]", "[1:2:3:4:5:6:1.2.3.4]", "[1:2:3:4:5:6:7::]", "[fe80::]",
    };
    static const char *const bad6[] = {
        "[]", "[", "[::1", "[:]", "[:::]", "[1::2::3]", "[12345::]", "[::1%eth0]",
        "[1:2:3:4:5:6:7:8:9]", "[1:2:3:4:5:6:7]", "[:1::]", "[1:]", "[g::]",
        "[::1.2.3]", "[1:2:3:4:5:6:7:1.2.3.4]", "[v1.x]", "[::1]x", "[1:2:3:4:5:6:7:8::]",
    };
    static const char *const bad4[] = {
        "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "1..2.3", "1.2.3.1000", "123", "1.2.3.4..",
    };
    size_t i;

    (void)state;
    expect_full("192.0.2.1", "192.0.2.1");
    expect_full("juliet@0.0.0.0/r", "juliet@0.0.0.0/r");
    expect_full("255.255.255.255", "255.255.255.255");
    expect_full("1.2.3.4.", "1.2.3.4"); /* the trailing dot goes first */
    for (i = 0; i < sizeof good6 / sizeof good6[0]; i++)
        expect_full(good6[i], good6[i]); /* kept as written, not nameprepped (§3.2) */
    for (i = 0; i < sizeof bad6 / sizeof bad6[0]; i++)
        expect_status(bad6[i], XC_JID_ERR_DOMAIN_BAD_IPV6);
    for (i = 0; i < sizeof bad4 / sizeof bad4[0]; i++)
        expect_status(bad4[i], XC_JID_ERR_DOMAIN_BAD_IPV4);
    /* without brackets an IPv6 address is not a domain (RFC 6122 §2.2) */
    expect_status("2001:db8::1", XC_JID_ERR_DOMAIN_LABEL_CHAR);
    /* fullwidth digits become ASCII under Nameprep and must then be an IPv4 address */
    expect_full("\xEF\xBC\x91.2.3.4", "1.2.3.4");
    expect_status("\xEF\xBC\x91.2.3", XC_JID_ERR_DOMAIN_BAD_IPV4);
}

/* REQ: JID-06 */
static void test_jid_domain_labels(void **state)
{
    size_t n;
    char *s;

    (void)state;
    expect_status("a..b", XC_JID_ERR_DOMAIN_LABEL_EMPTY);
    expect_status(".example.com", XC_JID_ERR_DOMAIN_LABEL_EMPTY);
    expect_status("example.com..", XC_JID_ERR_DOMAIN_LABEL_EMPTY);
    expect_status("ex_ample.com", XC_JID_ERR_DOMAIN_LABEL_CHAR);
    expect_status("exa mple.com", XC_JID_ERR_DOMAIN_LABEL_CHAR);
    expect_status("exa\xC2\xA0mple.com", XC_JID_ERR_DOMAIN_LABEL_CHAR); /* NBSP -> space */
    expect_status("example.com:5222", XC_JID_ERR_DOMAIN_LABEL_CHAR);
    expect_status("-example.com", XC_JID_ERR_DOMAIN_LABEL_HYPHEN);
    expect_status("example-.com", XC_JID_ERR_DOMAIN_LABEL_HYPHEN);
    expect_status("example.-com", XC_JID_ERR_DOMAIN_LABEL_HYPHEN);
    expect_full("ex-ample.com", "ex-ample.com");
    expect_full("xn--mnchen-3ya.de", "xn--mnchen-3ya.de");
    s = make("", 'a', 63, ".com", &n);
    expect_full(s, s);
    free(s);
    s = make("", 'a', 64, ".com", &n);
    expect_status(s, XC_JID_ERR_DOMAIN_LABEL_TOO_LONG);
    free(s);
    s = make("x.", 'a', 64, "", &n);
    expect_status(s, XC_JID_ERR_DOMAIN_LABEL_TOO_LONG);
    free(s);
    /* Nameprep failures: private use (C.3), bidi with L and RAL (RFC 3454 §6) */
    expect_status("\xEE\x80\x80.example.com", XC_JID_ERR_DOMAIN_PREP);
    expect_status("a\xD7\x90.example.com", XC_JID_ERR_DOMAIN_PREP);
}

/* REQ: JID-07, JID-11 */
static void test_jid_trailing_dot(void **state)
{
    xc_jid a;
    xc_jid b;

    (void)state;
    expect_full("example.com.", "example.com");
    expect_full("juliet@example.com./balcony", "juliet@example.com/balcony");
    assert_int_equal(parse_s("juliet@example.com.", &a), XC_JID_OK);
    assert_int_equal(parse_s("juliet@example.com", &b), XC_JID_OK);
    assert_int_equal(xc_jid_equal_full(&a, &b), 1);
    /* IDNA2003 §3.1 label separators: U+3002, U+FF0E, U+FF61 */
    expect_full("example\xE3\x80\x82" "com", "example.com");
    expect_full("example\xEF\xBC\x8E" "com", "example.com");
    expect_full("example\xEF\xBD\xA1" "com", "example.com");
    expect_full("example.com\xE3\x80\x82", "example.com");
}

/* REQ: JID-05, JID-08, JID-10 */
static void test_jid_non_ascii(void **state)
{
    (void)state;
    /* German sharp s: Nodeprep folds it to "ss" (RFC 3454 table B.2) */
    expect_full("Stra\xC3\x9F" "e@example.com", "strasse@example.com");
    /* a Cyrillic domain, folded by Nameprep */
    expect_full("\xD0\x9F\xD0\xA0\xD0\x98\xD0\x9C\xD0\x95\xD0\xA0.\xD0\xA0\xD0\xA4",
                "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1\x84");
    expect_full("\xD1\x8E\xD0\xBB\xD0\xB8\xD1\x8F@\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80"
                ".\xD1\x80\xD1\x84/\xD0\x91\xD0\xB0\xD0\xBB\xD0\xBA\xD0\xBE\xD0\xBD",
                "\xD1\x8E\xD0\xBB\xD0\xB8\xD1\x8F@\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80"
                ".\xD1\x80\xD1\x84/\xD0\x91\xD0\xB0\xD0\xBB\xD0\xBA\xD0\xBE\xD0\xBD");
    /* the resource keeps case, also outside ASCII */
    expect_full("example.com/\xC3\x84", "example.com/\xC3\x84");
    /* a ligature is decomposed by NFKC in every profile */
    expect_full("\xEF\xAC\x80@example.com", "ff@example.com");
    /* Nodeprep failures: bidi (L with RAL), private use */
    expect_status("a\xD7\x90@example.com", XC_JID_ERR_NODE_PREP);
    expect_status("\xEE\x80\x80@example.com", XC_JID_ERR_NODE_PREP);
}

/* REQ: JID-12 */
static void test_jid_invalid_utf8(void **state)
{
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        {"\xC3@example.com", 13},            /* truncated two-byte form */
        {"\x80@example.com", 13},            /* lone continuation byte */
        {"\xC0\xAF@example.com", 14},        /* overlong '/' */
        {"\xE0\x80\xAF@example.com", 15},    /* overlong three-byte form */
        {"\xED\xA0\x80@example.com", 15},    /* UTF-16 surrogate */
        {"\xF4\x90\x80\x80@example.com", 16}, /* above U+10FFFF */
        {"\xF0\x80\x80\xAF@example.com", 16}, /* overlong four-byte form */
        {"\xFF@example.com", 13},            /* never valid */
        {"exa\xC3mple.com", 12},              /* in the domain */
        {"example.com/\xE2\x82", 14},         /* truncated at the very end */
        {"a\0b@example.com", 15},            /* U+0000 in the node */
        {"example.com/a\0b", 15},            /* U+0000 in the resource */
        {"exam\0ple.com", 12},               /* U+0000 in the domain */
    };
    size_t i;
    xc_jid j;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_n(bad[i].s, bad[i].n, &j), XC_JID_ERR_UTF8);
    /* the largest code point and a four-byte form are fine where prep allows them */
    expect_full("example.com/\xF0\x9F\x98\x80", "example.com/\xF0\x9F\x98\x80");
}

/* REQ: JID-11 */
static void test_jid_compare_after_preparation(void **state)
{
    xc_jid a;
    xc_jid b;

    (void)state;
    assert_int_equal(parse_s("JULIET@EXAMPLE.COM/balcony", &a), XC_JID_OK);
    assert_int_equal(parse_s("juliet@example.com/balcony", &b), XC_JID_OK);
    assert_int_equal(xc_jid_equal_full(&a, &b), 1);
    assert_int_equal(xc_jid_equal_bare(&a, &b), 1);
    assert_int_equal(parse_s("juliet@example.com/BALCONY", &b), XC_JID_OK);
    assert_int_equal(xc_jid_equal_full(&a, &b), 0); /* resources keep case */
    assert_int_equal(xc_jid_equal_bare(&a, &b), 1);
    assert_int_equal(parse_s("juliet@example.com", &b), XC_JID_OK);
    assert_int_equal(xc_jid_equal_full(&a, &b), 0);
    assert_int_equal(xc_jid_equal_bare(&a, &b), 1);
    assert_int_equal(parse_s("romeo@example.com/balcony", &b), XC_JID_OK);
    assert_int_equal(xc_jid_equal_bare(&a, &b), 0);
    assert_int_equal(parse_s("example.com/balcony", &b), XC_JID_OK);
    assert_int_equal(xc_jid_equal_bare(&a, &b), 0);
    assert_int_equal(parse_s("juliet@example.net/balcony", &b), XC_JID_OK);
    assert_int_equal(xc_jid_equal_full(&a, &b), 0);
    assert_int_equal(parse_s("Stra\xC3\x9F" "e@example.com", &a), XC_JID_OK);
    assert_int_equal(parse_s("STRASSE@example.com", &b), XC_JID_OK);
    assert_int_equal(xc_jid_equal_bare(&a, &b), 1);
}

/* REQ: JID-13 */
static void test_jid_format_bounds(void **state)
{
    xc_jid j;
    xc_str s;
    char out[64];
    size_t out_len = 99;

    (void)state;
    assert_int_equal(parse_s("Juliet@Example.com/Balcony", &j), XC_JID_OK);
    assert_int_equal(xc_jid_format_bare(&j, out, sizeof out, &out_len), XC_JID_OK);
    assert_int_equal(out_len, 18);
    assert_memory_equal(out, "juliet@example.com", 18);
    /* exactly enough room, then one byte short */
    assert_int_equal(xc_jid_format_bare(&j, out, 18, &out_len), XC_JID_OK);
    assert_int_equal(xc_jid_format_bare(&j, out, 17, &out_len), XC_JID_ERR_NO_ROOM);
    assert_int_equal(out_len, 0);
    assert_int_equal(xc_jid_format_full(&j, out, 26, &out_len), XC_JID_OK);
    assert_memory_equal(out, "juliet@example.com/Balcony", 26);
    assert_int_equal(xc_jid_format_full(&j, out, 25, &out_len), XC_JID_ERR_NO_ROOM);
    assert_int_equal(xc_jid_format_full(&j, NULL, 0, &out_len), XC_JID_ERR_NO_ROOM);
    s = xc_jid_node(&j);
    assert_int_equal(s.len, 6);
    assert_memory_equal(s.ptr, "juliet", 6);
    s = xc_jid_domain(&j);
    assert_int_equal(s.len, 11);
    assert_memory_equal(s.ptr, "example.com", 11);
    s = xc_jid_resource(&j);
    assert_int_equal(s.len, 7);
    assert_memory_equal(s.ptr, "Balcony", 7);
    assert_int_equal(parse_s("example.com", &j), XC_JID_OK);
    assert_int_equal(xc_jid_format_full(&j, out, 11, &out_len), XC_JID_OK);
    assert_int_equal(out_len, 11);
    assert_int_equal(xc_jid_node(&j).len, 0);
    assert_int_equal(xc_jid_resource(&j).len, 0);
}

/* REQ: JID-02, JID-12 */
static void test_jid_adapter_bounds(void **state)
{
    char out[8];
    size_t out_len = 99;
    char *big;
    char *g;

    (void)state;
    g = guard_copy("Abc", 3);
    assert_int_equal(xc_stringprep(XC_PREP_NODE, g, 3, out, sizeof out, &out_len), XC_PREP_OK);
    assert_int_equal(out_len, 3);
    assert_memory_equal(out, "abc", 3);
    assert_int_equal(xc_stringprep(XC_PREP_NODE, g, 3, out, 2, &out_len), XC_PREP_TOO_LONG);
    assert_int_equal(xc_stringprep((xc_prep_profile)7, g, 3, out, sizeof out, &out_len),
                     XC_PREP_FAILED);
    guard_free(g, 3);
    g = guard_copy("a\0b", 3);
    assert_int_equal(xc_stringprep(XC_PREP_RESOURCE, g, 3, out, sizeof out, &out_len),
                     XC_PREP_FAILED);
    guard_free(g, 3);
    g = guard_copy("\xC3", 1);
    assert_int_equal(xc_stringprep(XC_PREP_NAME, g, 1, out, sizeof out, &out_len),
                     XC_PREP_FAILED);
    guard_free(g, 1);
    big = malloc(XC_PREP_IN_MAX + 1u);
    assert_non_null(big);
    memset(big, 'a', XC_PREP_IN_MAX + 1u);
    assert_int_equal(xc_stringprep(XC_PREP_RESOURCE, big, XC_PREP_IN_MAX + 1u, out, sizeof out,
                                   &out_len), XC_PREP_TOO_LONG);
    free(big);
}

/* REQ: JID-01, JID-11 */
static void test_jid_reparse_is_identical(void **state)
{
    static const char *const in[] = {
        "Juliet@Example.COM/Balcony", "Stra\xC3\x9F" "e@example.com.", "example\xE3\x80\x82" "com",
        "[2001:DB8::1]/x", "\xEF\xBC\x91.2.3.4", "a@b.c/d@e/f", "\xEF\xAC\x80@x/\xEF\xAC\x80",
    };
    size_t i;
    xc_jid a;
    xc_jid b;
    char out[XC_JID_FULL_MAX];
    size_t out_len;

    (void)state;
    for (i = 0; i < sizeof in / sizeof in[0]; i++) {
        assert_int_equal(parse_s(in[i], &a), XC_JID_OK);
        assert_int_equal(xc_jid_format_full(&a, out, sizeof out, &out_len), XC_JID_OK);
        assert_int_equal(parse_n(out, out_len, &b), XC_JID_OK);
        assert_int_equal(xc_jid_equal_full(&a, &b), 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jid_split_first_slash_first_at),
        cmocka_unit_test(test_jid_split_errors),
        cmocka_unit_test(test_jid_rfc_examples),
        cmocka_unit_test(test_jid_empty_parts),
        cmocka_unit_test(test_jid_case_folding),
        cmocka_unit_test(test_jid_node_prohibited),
        cmocka_unit_test(test_jid_resource_keeps_case_and_separators),
        cmocka_unit_test(test_jid_part_length_boundaries),
        cmocka_unit_test(test_jid_ip_literals),
        cmocka_unit_test(test_jid_domain_labels),
        cmocka_unit_test(test_jid_trailing_dot),
        cmocka_unit_test(test_jid_non_ascii),
        cmocka_unit_test(test_jid_invalid_utf8),
        cmocka_unit_test(test_jid_compare_after_preparation),
        cmocka_unit_test(test_jid_format_bounds),
        cmocka_unit_test(test_jid_adapter_bounds),
        cmocka_unit_test(test_jid_reparse_is_identical),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
