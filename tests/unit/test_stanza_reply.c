/*
 * test_stanza_reply.c — error replies to stanzas held as bytes (src/core/xc_stanza_reply.c,
 * RFC 3920 §9.3.1): addresses swapped, same kind and id, the payload kept (or dropped when it
 * does not fit), errors never answered, nothing answered without a sender.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xc_stanza_reply.h"
#include "xc_str.h"

typedef struct reply_t {
    xc_stanza_replier r;
    xc_xml_memory mem;
    char out[8192];
    size_t len;
    xc_jid to;
} reply_t;

static reply_t *reply_new(void)
{
    reply_t *t = calloc(1, sizeof *t);
    xc_xml_memory need;

    assert_non_null(t);
    xc_xml_memory_need(&xc_xml_limits_s2s, &need);
    t->mem.nodes = calloc(need.nodes_n, sizeof(xc_xml_node));
    t->mem.attrs = calloc(need.attrs_n, sizeof(xc_xml_attr));
    t->mem.bytes = calloc(need.bytes_n, 1);
    assert_true(t->mem.nodes != NULL && t->mem.attrs != NULL && t->mem.bytes != NULL);
    t->mem.nodes_n = need.nodes_n;
    t->mem.attrs_n = need.attrs_n;
    t->mem.bytes_n = need.bytes_n;
    xc_stanza_replier_init(&t->r, &xc_xml_limits_s2s, &t->mem);
    return t;
}

static void reply_free(reply_t *t)
{
    free(t->mem.nodes);
    free(t->mem.attrs);
    free(t->mem.bytes);
    free(t);
}

static xc_reply_status reply(reply_t *t, const char *stanza, xc_xml_content_ns ns, size_t cap)
{
    xc_reply_status st = xc_stanza_reply(&t->r, (const uint8_t *)stanza, strlen(stanza), ns, XC_STZ_T_CANCEL,
                                         XC_STZ_SERVICE_UNAVAILABLE, (uint8_t *)t->out, cap, &t->len, &t->to);
    t->out[t->len] = '\0';
    return st;
}

/* REQ: S2S-14 */
static void test_reply_swaps_addresses_and_keeps_payload(void **state)
{
    reply_t *t = reply_new();
    char to[128];
    size_t n = 0;
    (void)state;

    assert_int_equal(reply(t, "<message from='Romeo@Example.com/orchard' to='juliet@remote.example' id='m1' type='chat'>"
                              "<body>hi</body></message>", XC_XML_CONTENT_CLIENT, sizeof t->out - 1),
                     XC_REPLY_OK);
    assert_string_equal(t->out, "<message id='m1' type='error' from='juliet@remote.example' to='Romeo@Example.com/orchard'>"
                                "<body>hi</body><error type='cancel'><service-unavailable "
                                "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
    /* reply_to is the sender, prepared */
    assert_int_equal(xc_jid_format_full(&t->to, to, sizeof to - 1, &n), XC_JID_OK);
    to[n] = '\0';
    assert_string_equal(to, "romeo@example.com/orchard");
    /* a jabber:server stanza the same way */
    assert_int_equal(reply(t, "<iq from='a@remote.example' to='b@example.com' id='q' type='get'>"
                              "<query xmlns='jabber:iq:version'/></iq>", XC_XML_CONTENT_SERVER, sizeof t->out - 1),
                     XC_REPLY_OK);
    assert_non_null(strstr(t->out, "<query xmlns='jabber:iq:version'/>"));
    assert_non_null(strstr(t->out, "type='error'"));
    reply_free(t);
}

/* REQ: S2S-14 */
static void test_reply_drops_payload_without_room(void **state)
{
    reply_t *t = reply_new();
    char big[2048];

    size_t head;

    strcpy(big, "<message from='a@example.com' to='b@remote.example'><body>");
    head = strlen(big);
    memset(big + head, 'x', 1000);
    strcpy(big + head + 1000, "</body></message>");
    (void)state;
    assert_int_equal(reply(t, big, XC_XML_CONTENT_CLIENT, 400), XC_REPLY_OK);
    assert_null(strstr(t->out, "<body>"));
    assert_non_null(strstr(t->out, "<service-unavailable "));
    assert_int_equal(reply(t, big, XC_XML_CONTENT_CLIENT, 20), XC_REPLY_NO_ROOM);
    assert_int_equal(t->len, 0);
    reply_free(t);
}

/* REQ: S2S-15 */
static void test_reply_never_answers_errors(void **state)
{
    reply_t *t = reply_new();
    (void)state;

    assert_int_equal(reply(t, "<message from='a@example.com' to='b@remote.example' type='error'/>", XC_XML_CONTENT_CLIENT,
                           sizeof t->out - 1),
                     XC_REPLY_NONE);
    assert_int_equal(reply(t, "<message to='b@remote.example'/>", XC_XML_CONTENT_CLIENT, sizeof t->out - 1), XC_REPLY_NONE);
    assert_int_equal(reply(t, "<message from='@bad' to='b@remote.example'/>", XC_XML_CONTENT_CLIENT, sizeof t->out - 1),
                     XC_REPLY_NONE);
    assert_int_equal(reply(t, "<message from='a@example.com'", XC_XML_CONTENT_CLIENT, sizeof t->out - 1), XC_REPLY_NONE);
    /* a malformed to is not copied into from */
    assert_int_equal(reply(t, "<message from='a@example.com' to='@bad'/>", XC_XML_CONTENT_CLIENT, sizeof t->out - 1),
                     XC_REPLY_OK);
    assert_null(strstr(t->out, "from="));
    reply_free(t);
}

/* REQ: S2S-14 — only message, presence and iq are stanzas to answer; a payload in the xml
 * namespace is written back with its prefix, so the reply parses (found by fuzz_stanza_reply) */
static void test_reply_only_to_stanzas(void **state)
{
    reply_t *t = reply_new();
    (void)state;

    assert_int_equal(reply(t, "<xml:ense from='romeo@example.com/o' id='s1'/>", XC_XML_CONTENT_SERVER, sizeof t->out - 1),
                     XC_REPLY_NONE);
    assert_int_equal(t->len, 0);
    assert_int_equal(reply(t, "<message xmlns='urn:other' from='a@example.com' to='b@remote.example'/>",
                           XC_XML_CONTENT_SERVER, sizeof t->out - 1),
                     XC_REPLY_NONE);
    assert_int_equal(reply(t, "<db:result xmlns:db='jabber:server:dialback' from='example.com' to='remote.example'/>",
                           XC_XML_CONTENT_SERVER, sizeof t->out - 1),
                     XC_REPLY_NONE);
    assert_int_equal(reply(t, "<presence from='a@example.com' to='b@remote.example'><xml:x/></presence>",
                           XC_XML_CONTENT_SERVER, sizeof t->out - 1),
                     XC_REPLY_OK);
    assert_string_equal(t->out, "<presence type='error' from='b@remote.example' to='a@example.com'><xml:x/>"
                                "<error type='cancel'><service-unavailable "
                                "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
    reply_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_swaps_addresses_and_keeps_payload),
        cmocka_unit_test(test_reply_drops_payload_without_room),
        cmocka_unit_test(test_reply_never_answers_errors),
        cmocka_unit_test(test_reply_only_to_stanzas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
