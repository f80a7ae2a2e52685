/*
 * test_xml_parser.c — the restricted-XML stream parser (RFC 3920 §4, §11).
 *
 * Every case runs three ways: whole, one byte at a time, and in random pieces; each piece
 * sits flush against a PROT_NONE page. The three traces must be identical (STR-29).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support_guard.h"
#include "support_xml_trace.h"
#include "xc_str.h"
#include "xc_xml.h"
#include "xc_xml_tree.h"
#include "xc_xml_write.h"

#define HDR "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>"
#define HDR_TRACE "O:stream|http://etherx.jabber.org/streams {}to=example.com {}version=1.0 xmlns:=jabber:client xmlns:stream=http://etherx.jabber.org/streams\n"

static char trace_whole[1 << 20], trace_split[1 << 20];

/* Runs `in` whole, byte by byte and in random pieces; all must agree. Returns the error. */
static xc_stream_error run3(const char *in, size_t len, xc_xml_content_ns ns, const xc_xml_limits *lim)
{
    xc_stream_error e = xml_trace((const uint8_t *)in, len, 0, 0, ns, lim, trace_whole, sizeof(trace_whole));
    uint32_t seed;

    assert_int_equal(xml_trace((const uint8_t *)in, len, 1, 0, ns, lim, trace_split, sizeof(trace_split)), e);
    assert_string_equal(trace_split, trace_whole);
    for (seed = 1; seed <= 8; seed++) {
        assert_int_equal(xml_trace((const uint8_t *)in, len, 7, seed, ns, lim, trace_split, sizeof(trace_split)), e);
        assert_string_equal(trace_split, trace_whole);
    }
    return e;
}

static xc_stream_error run_c2s(const char *in)
{
    return run3(in, strlen(in), XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s);
}

static void expect_error(const char *in, xc_stream_error want)
{
    xc_stream_error got = run_c2s(in);
    if (got != want)
        fail_msg("input %s: got %s, want %s\ntrace:\n%s", in, xc_stream_error_name(got)->ptr,
                 xc_stream_error_name(want)->ptr, trace_whole);
}

static void expect_trace(const char *in, const char *want)
{
    xc_stream_error e = run_c2s(in);
    if (e != XC_SE_NONE)
        fail_msg("input %s: unexpected %s", in, xc_stream_error_name(e)->ptr);
    assert_string_equal(trace_whole, want);
}

/* REQ: STR-29, STR-26 */
static void test_stream_open_stanzas_close(void **state)
{
    (void)state;
    expect_trace("<?xml version='1.0'?>" HDR "\n  <message to='a@b'><body>hi</body></message>\r\n\t"
                 "<presence/> </stream:stream>  ",
                 HDR_TRACE "E:<message to='a@b'><body>hi</body></message>\nE:<presence/>\nC\n");
}

/* REQ: STR-29 */
static void test_header_self_closing(void **state)
{
    (void)state;
    expect_trace("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'/>",
                 "O:stream|http://etherx.jabber.org/streams xmlns:=jabber:client "
                 "xmlns:stream=http://etherx.jabber.org/streams\nC\n");
}

/* REQ: XML-07 */
static void test_predefined_entities_and_char_refs(void **state)
{
    (void)state;
    expect_trace(HDR "<message><body a='&lt;&#x9;&#10;'>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x0159;&#x1F600;</body></message>",
                 HDR_TRACE "E:<message><body a='&lt;&#x9;&#xA;'>&lt;&gt;&amp;&quot;&apos;AB\xc5\x99\xf0\x9f\x98\x80</body></message>\n");
}

/* REQ: XML-07 */
static void test_cdata_merges_with_text(void **state)
{
    (void)state;
    expect_trace(HDR "<message><body>a<![CDATA[<b>&x;]]]]>c</body></message>",
                 HDR_TRACE "E:<message><body>a&lt;b&gt;&amp;x;]]c</body></message>\n");
}

/* REQ: STR-29 */
static void test_line_ends_and_attribute_normalisation(void **state)
{
    (void)state;
    expect_trace(HDR "<message a='x\r\ny\tz\rw'><body>1\r\n2\r3\n</body></message>",
                 HDR_TRACE "E:<message a='x y z w'><body>1\n2\n3\n</body></message>\n");
}

/* REQ: STR-29 */
static void test_namespaces_resolved(void **state)
{
    (void)state;
    expect_trace(HDR "<iq type='get' xml:lang='en'><q:query xmlns:q='jabber:iq:roster' q:ver='1' ver='2'>"
                     "<item xmlns='urn:x'/><q:item/></q:query></iq>",
                 HDR_TRACE "E:<iq type='get' xml:lang='en'><query xmlns='jabber:iq:roster' xmlns:a0='jabber:iq:roster' "
                           "a0:ver='1' ver='2'><item xmlns='urn:x'/><item/></query></iq>\n");
}

/* REQ: XML-11, XML-12 */
static void test_xml_declaration_forms(void **state)
{
    (void)state;
    expect_trace("<?xml version=\"1.0\" encoding=\"utf-8\" standalone='no' ?>" HDR, HDR_TRACE);
    expect_trace("\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>" HDR, HDR_TRACE);
    expect_trace("  \n" HDR, HDR_TRACE);
    expect_error("<?xml version='1.1'?>" HDR, XC_SE_XML_NOT_WELL_FORMED);
    expect_error("<?xml?>" HDR, XC_SE_XML_NOT_WELL_FORMED);
    expect_error("<?xml encoding='UTF-8' version='1.0'?>" HDR, XC_SE_XML_NOT_WELL_FORMED);
    expect_error("<?xml version='1.0' standalone='maybe'?>" HDR, XC_SE_XML_NOT_WELL_FORMED);
    expect_error(" <?xml version='1.0'?>" HDR, XC_SE_RESTRICTED_XML);
}

/* REQ: XML-08 */
static void test_other_encodings_refused(void **state)
{
    (void)state;
    expect_error("<?xml version='1.0' encoding='ISO-8859-1'?>" HDR, XC_SE_UNSUPPORTED_ENCODING);
    expect_error("<?xml version='1.0' encoding='UTF-16'?>" HDR, XC_SE_UNSUPPORTED_ENCODING);
    assert_int_equal(run3("\xff\xfe<\0s\0", 6, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s), XC_SE_UNSUPPORTED_ENCODING);
    assert_int_equal(run3("\xfe\xff\0<\0s", 6, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s), XC_SE_UNSUPPORTED_ENCODING);
    assert_int_equal(run3("<\0s\0", 4, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s), XC_SE_UNSUPPORTED_ENCODING);
}

/* REQ: XML-03 */
static void test_comment_is_restricted(void **state)
{
    (void)state;
    expect_error("<!-- hi -->" HDR, XC_SE_RESTRICTED_XML);
    expect_error(HDR "<!-- hi -->", XC_SE_RESTRICTED_XML);
    expect_error(HDR "<message to='nurse@example.com'><!--<subject/>--><body>x</body></message>", XC_SE_RESTRICTED_XML);
    expect_error(HDR "<message><!x></message>", XC_SE_XML_NOT_WELL_FORMED);
}

/* REQ: XML-04 */
static void test_processing_instruction_is_restricted(void **state)
{
    (void)state;
    expect_error(HDR "<?foo bar?>", XC_SE_RESTRICTED_XML);
    expect_error(HDR "<message><?xml version='1.0'?></message>", XC_SE_RESTRICTED_XML);
    expect_error("<?xml-stylesheet href='a'?>" HDR, XC_SE_RESTRICTED_XML);
    expect_error("<?php echo 1; ?>" HDR, XC_SE_RESTRICTED_XML);
}

/* REQ: XML-05 */
static void test_doctype_and_billion_laughs_refused(void **state)
{
    (void)state;
    expect_error("<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY a 'aaaaaaaaaa'>"
                 "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>" HDR "<message><body>&b;</body></message>",
                 XC_SE_RESTRICTED_XML);
    expect_error("<!DOCTYPE x SYSTEM 'file:///etc/passwd'>" HDR, XC_SE_RESTRICTED_XML);
    expect_error(HDR "<message><!DOCTYPE x></message>", XC_SE_RESTRICTED_XML);
    expect_error("<!DOCTYPX x>" HDR, XC_SE_XML_NOT_WELL_FORMED);
}

/* REQ: XML-06 */
static void test_undeclared_entity_is_restricted(void **state)
{
    (void)state;
    expect_error(HDR "<message to='nurse@example.com'><body>&foo;</body></message>", XC_SE_RESTRICTED_XML);
    expect_error(HDR "<message a='&nbsp;'/>", XC_SE_RESTRICTED_XML);
    expect_error(HDR "<message><body>&quotx;</body></message>", XC_SE_RESTRICTED_XML);
    expect_error(HDR "<message><body>& amp;</body></message>", XC_SE_XML_NOT_WELL_FORMED);
    expect_error(HDR "<message><body>&#;</body></message>", XC_SE_XML_NOT_WELL_FORMED);
    expect_error(HDR "<message><body>&#x110000;</body></message>", XC_SE_XML_NOT_WELL_FORMED);
    expect_error(HDR "<message><body>&#99999999999;</body></message>", XC_SE_XML_NOT_WELL_FORMED);
}

/* REQ: XML-09 */
static void test_invalid_utf8_refused(void **state)
{
    static const char *bad[] = {
        HDR "<message><body>\xc3\x28</body></message>",        /* bad continuation */
        HDR "<message><body>\xc0\xaf</body></message>",        /* overlong '/' */
        HDR "<message><body>\xe0\x80\xaf</body></message>",    /* overlong, 3 bytes */
        HDR "<message><body>\xed\xa0\x80</body></message>",    /* UTF-16 surrogate */
        HDR "<message><body>\xf4\x90\x80\x80</body></message>",/* above U+10FFFF */
        HDR "<message><body>\xff</body></message>",
        HDR "<message a='\xc3'/>",                              /* cut by the quote */
        HDR "<message><body>\xc3<![CDATA[\xa9]]></body></message>", /* cut by markup */
        HDR "<m\xc3\x28/>",                                     /* in a name */
        HDR "<message><body>\xef\xbf\xbe</body></message>",    /* U+FFFE: not a Char */
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(bad[i], XC_SE_XML_NOT_WELL_FORMED);
    expect_trace(HDR "<m\xc3\xa9 \xe4\xb8\xad='\xf0\x9f\x98\x80'>\xc5\x99</m\xc3\xa9>",
                 HDR_TRACE "E:<m\xc3\xa9 \xe4\xb8\xad='\xf0\x9f\x98\x80'>\xc5\x99</m\xc3\xa9>\n");
}

/* REQ: XML-14 */
static void test_characters_outside_char_production(void **state)
{
    (void)state;
    expect_error(HDR "<message><body>\x01</body></message>", XC_SE_XML_NOT_WELL_FORMED);
    expect_error(HDR "<message><body>&#x0;</body></message>", XC_SE_XML_NOT_WELL_FORMED);
    expect_error(HDR "<message><body>&#xFFFF;</body></message>", XC_SE_XML_NOT_WELL_FORMED);
    expect_error(HDR "<message><body>&#xD800;</body></message>", XC_SE_XML_NOT_WELL_FORMED);
    expect_error(HDR "<message a='\x1b'/>", XC_SE_XML_NOT_WELL_FORMED);
    expect_error(HDR "<message>\x0b</message>", XC_SE_XML_NOT_WELL_FORMED);
}

/* REQ: XML-17 */
static void test_not_well_formed(void **state)
{
    static const char *bad[] = {
        HDR "<message></presence>",
        HDR "<message><body></message></body>",
        HDR "<message a='1' a='2'/>",
        HDR "<message xmlns:p='urn:a' xmlns:q='urn:a' p:a='1' q:a='2'/>",
        HDR "<message a='<'/>",
        HDR "<message a=1/>",
        HDR "<message a='1'b='2'/>",
        HDR "<message a/>",
        HDR "<p:message/>",
        HDR "<message p:a='1'/>",
        HDR "<message xmlns:p=''/>",
        HDR "<message xmlns:xml='urn:other'/>",
        HDR "<message xmlns:xmlns='urn:x'/>",
        HDR "<message xmlns:p='http://www.w3.org/2000/xmlns/'/>",
        HDR "<a:b:c xmlns:a='urn:a'/>",
        HDR "<:a/>",
        HDR "<a:/>",
        HDR "<1message/>",
        HDR "<message><body>]]></body></message>",
        HDR "< message/>",
        HDR "<message></ message>",
        HDR "<message/ >",
        HDR "</message>",
        HDR "</stream:stream><x/>",
        HDR "</stream>",
        "</stream:stream>",
        "hello" HDR,
        HDR "<message xmlns:a='urn:a' xmlns:a='urn:b'/>",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(bad[i], XC_SE_XML_NOT_WELL_FORMED);
}

/* REQ: STR-15, STR-16 */
static void test_stream_namespaces(void **state)
{
    (void)state;
    expect_error("<stream:stream xmlns='jabber:client' xmlns:stream='http://wrong.namespace.example.org/' "
                 "to='example.com' version='1.0'>",
                 XC_SE_INVALID_NAMESPACE);
    expect_error("<stream:stream xmlns='jabber:bogus' xmlns:stream='http://etherx.jabber.org/streams'>",
                 XC_SE_INVALID_NAMESPACE);
    expect_error("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>", XC_SE_INVALID_NAMESPACE);
    expect_error("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>",
                 XC_SE_INVALID_NAMESPACE);
    expect_error("<stream:features xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
                 XC_SE_INVALID_NAMESPACE);
    assert_int_equal(run3("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
                          "xmlns:db='jabber:server:dialback'>",
                          strlen("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
                                 "xmlns:db='jabber:server:dialback'>"),
                          XC_XML_CONTENT_SERVER, &xc_xml_limits_s2s),
                     XC_SE_NONE);
}

/* REQ: STR-14, XML-18 */
static void test_bad_namespace_prefix(void **state)
{
    (void)state;
    expect_error("<foobar:stream xmlns='jabber:client' xmlns:foobar='http://etherx.jabber.org/streams'>",
                 XC_SE_BAD_NAMESPACE_PREFIX);
    expect_error("<stream xmlns='http://etherx.jabber.org/streams'>", XC_SE_BAD_NAMESPACE_PREFIX);
    expect_error(HDR "<foo:message xmlns:foo='jabber:client'/>", XC_SE_BAD_NAMESPACE_PREFIX);
    /* a prefixed first-level element outside the content namespace is well-formed: the
       stream layer decides whether it is supported */
    expect_trace(HDR "<stream:features/>", HDR_TRACE "E:<features xmlns='http://etherx.jabber.org/streams'/>\n");
}

/* REQ: XML-20 */
static void test_controls_in_names_uris_values_refused(void **state)
{
    (void)state;
    expect_error(HDR "<message xmlns:p='urn:a&#10;b' p:x='1'/>", XC_SE_BAD_FORMAT);
    expect_error(HDR "<message xmlns='urn:a b'/>", XC_SE_BAD_FORMAT);
    expect_error(HDR "<message a='\xc2\x85'/>", XC_SE_BAD_FORMAT);
    expect_error(HDR "<message a='\x7f'/>", XC_SE_BAD_FORMAT);
    expect_error(HDR "<message a='&#x7f;'/>", XC_SE_BAD_FORMAT);
    expect_error(HDR "<mes\x01sage/>", XC_SE_XML_NOT_WELL_FORMED);
}

/* REQ: STR-32 */
static void test_text_between_stanzas(void **state)
{
    (void)state;
    expect_error(HDR "hello", XC_SE_BAD_FORMAT);
    expect_error(HDR "&amp;", XC_SE_BAD_FORMAT);
    expect_error(HDR "<![CDATA[x]]>", XC_SE_BAD_FORMAT);
}

static xc_xml_limits tiny(void)
{
    xc_xml_limits l = xc_xml_limits_preauth;
    return l;
}

/* REQ: XML-19 */
static void test_caps_give_policy_violation(void **state)
{
    static char big[40000];
    xc_xml_limits l = tiny();
    size_t n;
    (void)state;

    /* stanza bytes: 10,000 before authentication */
    n = (size_t)snprintf(big, sizeof(big), HDR "<message><body>");
    memset(big + n, 'a', 10000);
    n += 10000;
    n += (size_t)snprintf(big + n, sizeof(big) - n, "</body></message>");
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &l), XC_SE_POLICY_VIOLATION);
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s), XC_SE_NONE);

    /* nesting */
    n = (size_t)snprintf(big, sizeof(big), HDR);
    for (int i = 0; i < 9; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "<a>");
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &l), XC_SE_POLICY_VIOLATION);

    /* elements per stanza */
    n = (size_t)snprintf(big, sizeof(big), HDR "<a>");
    for (int i = 0; i < 48; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "<b/>");
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &l), XC_SE_POLICY_VIOLATION);

    /* attributes per element */
    n = (size_t)snprintf(big, sizeof(big), HDR "<a");
    for (int i = 0; i < 17; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, " a%d='1'", i);
    n += (size_t)snprintf(big + n, sizeof(big) - n, "/>");
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &l), XC_SE_POLICY_VIOLATION);

    /* namespace declarations per element */
    n = (size_t)snprintf(big, sizeof(big), HDR "<a");
    for (int i = 0; i < 9; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, " xmlns:p%d='urn:%d'", i, i);
    n += (size_t)snprintf(big + n, sizeof(big) - n, "/>");
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &l), XC_SE_POLICY_VIOLATION);

    /* name length */
    n = (size_t)snprintf(big, sizeof(big), HDR "<");
    memset(big + n, 'n', 300);
    n += 300;
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &l), XC_SE_POLICY_VIOLATION);

    /* header size */
    n = (size_t)snprintf(big, sizeof(big), "<stream:stream a='");
    memset(big + n, 'h', 5000);
    n += 5000;
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &l), XC_SE_POLICY_VIOLATION);

    /* arena budget: a small arena fails cleanly, never writes past it */
    l.max_arena_bytes = 600;
    n = (size_t)snprintf(big, sizeof(big), HDR "<message><body>");
    memset(big + n, 'a', 1000);
    n += 1000;
    assert_int_equal(run3(big, n, XC_XML_CONTENT_CLIENT, &l), XC_SE_POLICY_VIOLATION);
}

/* REQ: STR-30 */
static void test_stops_after_each_first_level_element(void **state)
{
    const char *in = HDR "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message><body>injected</body></message>";
    xc_xml_parser p;
    size_t used = 0, len = strlen(in);
    (void)state;

    xml_parser_new(&p, XC_XML_CONTENT_CLIENT, &xc_xml_limits_preauth);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)in, len, &used), XC_XML_EV_STREAM_OPEN);
    assert_int_equal(used, strlen(HDR));
    in += used;
    len -= used;
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)in, len, &used), XC_XML_EV_ELEMENT);
    assert_int_equal(used, strlen("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
    assert_true(xc_str_eq(xc_xml_element(&p)->name, XC_STR_LIT("starttls")));
    assert_true(xc_str_eq(xc_xml_element(&p)->ns, XC_STR_LIT("urn:ietf:params:xml:ns:xmpp-tls")));
    xml_parser_free(&p);
}

/* REQ: STR-31, XML-11 */
static void test_reset_discards_everything(void **state)
{
    const char *a = HDR "<message><body>half";
    const char *b = "<?xml version='1.0'?>" HDR "<presence/>";
    xc_xml_parser p;
    size_t used = 0;
    (void)state;

    xml_parser_new(&p, XC_XML_CONTENT_CLIENT, &xc_xml_limits_preauth);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)a, strlen(a), &used), XC_XML_EV_STREAM_OPEN);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)a + used, strlen(a) - used, &used), XC_XML_NEED_MORE);
    xc_xml_reset(&p);
    assert_null(xc_xml_header(&p));
    assert_int_equal(p.arena.top, 0);
    assert_int_equal(p.tree.nodes_used, 0);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)b, strlen(b), &used), XC_XML_EV_STREAM_OPEN);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)b + used, strlen(b) - used, &used), XC_XML_EV_ELEMENT);
    assert_true(xc_str_eq(xc_xml_element(&p)->name, XC_STR_LIT("presence")));
    /* an error is sticky until reset */
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)"<!--", 4, &used), XC_XML_EV_ERROR);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)"<a/>", 4, &used), XC_XML_EV_ERROR);
    assert_int_equal(used, 0);
    xc_xml_reset(&p);
    assert_int_equal(xc_xml_error(&p), XC_SE_NONE);
    xml_parser_free(&p);
}

/* REQ: XML-19 */
static void test_limits_switch_after_auth(void **state)
{
    static char big[20000];
    xc_xml_parser p;
    size_t used = 0, n;
    (void)state;

    /* memory sized for after authentication; caps start at the pre-auth values */
    xml_parser_new(&p, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s);
    xc_xml_set_limits(&p, &xc_xml_limits_preauth);
    assert_int_equal(p.arena.cap, xc_xml_limits_preauth.max_arena_bytes);
    xc_xml_set_limits(&p, &xc_xml_limits_c2s);
    assert_int_equal(p.arena.cap, xc_xml_limits_c2s.max_arena_bytes);
    n = (size_t)snprintf(big, sizeof(big), HDR "<message><body>");
    memset(big + n, 'z', 15000);
    n += 15000;
    n += (size_t)snprintf(big + n, sizeof(big) - n, "</body></message>");
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)big, n, &used), XC_XML_EV_STREAM_OPEN);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)big + used, n - used, &used), XC_XML_EV_ELEMENT);
    xml_parser_free(&p);
}

/* Random trees: write, parse, compare (parse(write(t)) == t). */
static uint32_t rnd_state = 12345u;
static uint32_t rnd(uint32_t n)
{
    rnd_state = rnd_state * 1664525u + 1013904223u;
    return (rnd_state >> 8) % n;
}

static size_t gen_text(char *o, size_t cap, int in_attr)
{
    static const char *bits[] = { "a", "&lt;", "&amp;", "&gt;", "&quot;", "&apos;", "\xc3\xa9", "&#x9;", "&#xD;", " ",
                                  "\n", "]", "&#x1F600;", "\r\n", "<![CDATA[<&]]>", "'", "\"" };
    size_t n = 0, k = rnd(6);
    size_t nbits = sizeof(bits) / sizeof(bits[0]) - (in_attr ? 3 : 0);
    while (k-- > 0) {
        const char *b = bits[rnd((uint32_t)nbits)];
        size_t l = strlen(b);
        if (n + l >= cap)
            break;
        memcpy(o + n, b, l);
        n += l;
    }
    return n;
}

static size_t gen_elem(char *o, size_t cap, int depth)
{
    static const char *names[] = { "a", "body", "q:x", "r:y", "item" };
    static const char *attrs[] = { "id", "type", "q:t", "xml:lang", "r:t" };
    size_t n = 0;
    const char *name = names[rnd(5)];
    int used[5] = { 0 };
    n += (size_t)snprintf(o + n, cap - n, "<%s xmlns:q='urn:q' xmlns:r='urn:r%s'", name, rnd(2) ? "&amp;" : "");
    if (rnd(3) == 0)
        n += (size_t)snprintf(o + n, cap - n, " xmlns='urn:d%u'", rnd(3));
    for (uint32_t i = rnd(4); i > 0; i--) {
        uint32_t k = rnd(5);
        if (used[k])
            continue;
        used[k] = 1;
        n += (size_t)snprintf(o + n, cap - n, " %s='", attrs[k]);
        n += gen_text(o + n, cap - n, 1);
        n += (size_t)snprintf(o + n, cap - n, "'");
    }
    if (depth > 3 || rnd(3) == 0)
        return n + (size_t)snprintf(o + n, cap - n, "/>");
    n += (size_t)snprintf(o + n, cap - n, ">");
    for (uint32_t i = rnd(4); i > 0 && n < cap - 2000; i--) {
        if (rnd(2))
            n += gen_text(o + n, cap - n, 0);
        else
            n += gen_elem(o + n, cap - n, depth + 1);
    }
    return n + (size_t)snprintf(o + n, cap - n, "</%s>", name);
}

/* REQ: XML-21, XML-01, XML-02, XML-13 */
static void test_parse_write_round_trip(void **state)
{
    static char doc[65536];
    static uint8_t out[262144];
    (void)state;

    for (int iter = 0; iter < 2000; iter++) {
        xc_xml_parser p1, p2;
        size_t n = (size_t)snprintf(doc, sizeof(doc), HDR), used = 0, wlen = 0, hdr_len;
        const xc_xml_node *t1;
        xc_xml_event ev;

        n += gen_elem(doc + n, sizeof(doc) - n - 100, 0);
        xml_parser_new(&p1, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s);
        assert_int_equal(xc_xml_feed(&p1, (const uint8_t *)doc, n, &used), XC_XML_EV_STREAM_OPEN);
        hdr_len = used;
        ev = xc_xml_feed(&p1, (const uint8_t *)doc + hdr_len, n - hdr_len, &used);
        if (ev != XC_XML_EV_ELEMENT)
            fail_msg("generated document refused (%s: %s): %s", xc_stream_error_name(xc_xml_error(&p1))->ptr,
                     p1.error_reason, doc);
        t1 = xc_xml_element(&p1);
        memcpy(out, doc, hdr_len);
        assert_int_equal(xc_xml_write(xc_xml_tree_of(&p1), xc_xml_index_of(xc_xml_tree_of(&p1), t1),
                                      XC_STR_LIT(XC_NS_CLIENT), out + hdr_len, sizeof(out) - hdr_len, &wlen),
                         XC_XML_WRITE_OK);
        /* XML-01/XML-13: no comment, PI, DTD, and content elements unprefixed */
        assert_null(memmem(out + hdr_len, wlen, "<!--", 4));
        assert_null(memmem(out + hdr_len, wlen, "<?", 2));
        xml_parser_new(&p2, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s);
        assert_int_equal(xc_xml_feed(&p2, out, hdr_len + wlen, &used), XC_XML_EV_STREAM_OPEN);
        ev = xc_xml_feed(&p2, out + used, hdr_len + wlen - used, &used);
        if (ev != XC_XML_EV_ELEMENT)
            fail_msg("written tree refused: %.*s", (int)wlen, out + hdr_len);
        assert_true(xc_xml_tree_equal(xc_xml_tree_of(&p1), xc_xml_index_of(xc_xml_tree_of(&p1), t1),
                                      xc_xml_tree_of(&p2),
                                      xc_xml_index_of(xc_xml_tree_of(&p2), xc_xml_element(&p2))));
        xml_parser_free(&p1);
        xml_parser_free(&p2);
    }
}

/* REQ: XML-02 */
static void test_writer_escapes_and_reports_no_room(void **state)
{
    const char *in = HDR "<message to='a&apos;&quot;b'><body>&lt;&amp;&gt;'\"</body></message>";
    xc_xml_parser p;
    size_t used = 0, wlen = 0, i;
    uint8_t out[256];
    const char *want = "<message to='a&apos;&quot;b'><body>&lt;&amp;&gt;&apos;&quot;</body></message>";
    (void)state;

    xml_parser_new(&p, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)in, strlen(in), &used), XC_XML_EV_STREAM_OPEN);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)in + used, strlen(in) - used, &used), XC_XML_EV_ELEMENT);
    assert_int_equal(xc_xml_write(xc_xml_tree_of(&p), p.done, XC_STR_LIT(XC_NS_CLIENT), out, sizeof(out), &wlen),
                     XC_XML_WRITE_OK);
    assert_int_equal(wlen, strlen(want));
    assert_memory_equal(out, want, wlen);
    for (i = 0; i < strlen(want); i++) {
        uint8_t small[256];
        memset(small, 0xAA, sizeof(small));
        assert_int_equal(xc_xml_write(xc_xml_tree_of(&p), p.done, XC_STR_LIT(XC_NS_CLIENT), small, i, &wlen),
                         XC_XML_WRITE_NO_ROOM);
        assert_true(wlen <= i);
        assert_int_equal(small[i], 0xAA);
    }
    xml_parser_free(&p);
}

/* REQ: XML-21 — an element in the xml namespace keeps its reserved prefix: declaring that
 * namespace (as the default or otherwise) is not well-formed (Namespaces in XML 1.0 §3) */
static void test_writer_keeps_xml_prefix(void **state)
{
    const char *in = HDR "<message><xml:note xml:lang='en'><xml:inner/><body>x</body></xml:note></message>";
    const char *want = "<message><xml:note xml:lang='en'><xml:inner/><body xmlns='jabber:client'>x</body>"
                       "</xml:note></message>";
    xc_xml_parser p, p2;
    size_t used = 0, hdr_len, wlen = 0;
    uint8_t out[512];
    (void)state;

    xml_parser_new(&p, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s);
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)in, strlen(in), &used), XC_XML_EV_STREAM_OPEN);
    hdr_len = used;
    assert_int_equal(xc_xml_feed(&p, (const uint8_t *)in + used, strlen(in) - used, &used), XC_XML_EV_ELEMENT);
    memcpy(out, in, hdr_len);
    assert_int_equal(xc_xml_write(xc_xml_tree_of(&p), p.done, XC_STR_LIT(XC_NS_CLIENT), out + hdr_len,
                                  sizeof(out) - hdr_len, &wlen),
                     XC_XML_WRITE_OK);
    assert_int_equal(wlen, strlen(want));
    assert_memory_equal(out + hdr_len, want, wlen);
    xml_parser_new(&p2, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s);
    assert_int_equal(xc_xml_feed(&p2, out, hdr_len + wlen, &used), XC_XML_EV_STREAM_OPEN);
    assert_int_equal(xc_xml_feed(&p2, out + used, hdr_len + wlen - used, &used), XC_XML_EV_ELEMENT);
    assert_true(xc_xml_tree_equal(xc_xml_tree_of(&p), p.done, xc_xml_tree_of(&p2),
                                  xc_xml_index_of(xc_xml_tree_of(&p2), xc_xml_element(&p2))));
    xml_parser_free(&p);
    xml_parser_free(&p2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_open_stanzas_close),
        cmocka_unit_test(test_header_self_closing),
        cmocka_unit_test(test_predefined_entities_and_char_refs),
        cmocka_unit_test(test_cdata_merges_with_text),
        cmocka_unit_test(test_line_ends_and_attribute_normalisation),
        cmocka_unit_test(test_namespaces_resolved),
        cmocka_unit_test(test_xml_declaration_forms),
        cmocka_unit_test(test_other_encodings_refused),
        cmocka_unit_test(test_comment_is_restricted),
        cmocka_unit_test(test_processing_instruction_is_restricted),
        cmocka_unit_test(test_doctype_and_billion_laughs_refused),
        cmocka_unit_test(test_undeclared_entity_is_restricted),
        cmocka_unit_test(test_invalid_utf8_refused),
        cmocka_unit_test(test_characters_outside_char_production),
        cmocka_unit_test(test_not_well_formed),
        cmocka_unit_test(test_stream_namespaces),
        cmocka_unit_test(test_bad_namespace_prefix),
        cmocka_unit_test(test_controls_in_names_uris_values_refused),
        cmocka_unit_test(test_text_between_stanzas),
        cmocka_unit_test(test_caps_give_policy_violation),
        cmocka_unit_test(test_stops_after_each_first_level_element),
        cmocka_unit_test(test_reset_discards_everything),
        cmocka_unit_test(test_limits_switch_after_auth),
        cmocka_unit_test(test_parse_write_round_trip),
        cmocka_unit_test(test_writer_escapes_and_reports_no_room),
        cmocka_unit_test(test_writer_keeps_xml_prefix),
    };
    return cmocka_run_group_tests_name("xml_parser", tests, NULL, NULL);
}
