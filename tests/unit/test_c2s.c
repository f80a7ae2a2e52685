/*
 * test_c2s.c — the c2s engine (src/core/xc_c2s*.c driven by spec/c2s.fsm), without a network.
 *
 * Each test plays a dialogue through support_c2s.c and compares the exact bytes the stream
 * sends. Stream ids are random, so transcripts are compared after replacing every 32-hex-digit
 * id with "ID" (c2s_norm(), support_c2s.c); tests that care about ids look at them directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "support_c2s.h"
#include "xc_str.h"

#define HDR "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
            "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='ID' version='1.0' xml:lang='en'>"
#define FEAT_TLS_REQUIRED "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
#define FEAT_SASL "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" \
                  "<mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-1</mechanism>" \
                  "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"
#define FEAT_BIND "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>" \
                  "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>"
#define SE(cond) "<stream:error><" cond " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>"
#define SF(cond) "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><" cond "/></failure>"
#define AUTH_PLAIN "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>"
#define STARTTLS "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

static int setup(void **state)
{
    *state = c2s_new();
    return 0;
}

static int teardown(void **state)
{
    c2s_free(*state);
    return 0;
}

/* REQ: STR-01 */
/* REQ: STR-02 */
/* REQ: STR-10 */
/* REQ: TLS-01 */
static void test_c2s_header_and_tls_required_features(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    assert_string_equal(c2s_norm(f), HDR FEAT_TLS_REQUIRED);
    assert_int_equal(f->s->state, XC_C2S_S_PRE_TLS);
    assert_int_equal(f->status, XC_C2S_OK);
}

/* REQ: TLS-04 */
/* REQ: TLS-07 */
/* REQ: TLS-08 */
/* REQ: SASL-01 */
/* REQ: STR-04 */
static void test_c2s_starttls_then_sasl_features_with_fresh_id(void **state)
{
    c2s_fixture *f = *state;
    char first[40], second[40];
    const char *p;

    c2s_send(f, C2S_OPEN);
    p = strstr(f->sent, "id='");
    assert_non_null(p);
    memcpy(first, p, 36);
    first[36] = '\0';
    c2s_clear(f);
    c2s_send(f, STARTTLS);
    assert_string_equal(f->sent, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    assert_true(f->flags_seen & XC_C2S_FX_START_TLS);
    assert_int_equal(f->s->state, XC_C2S_S_WAIT_HDR_TLS);
    c2s_clear(f);
    c2s_send(f, C2S_OPEN);
    /* RFC 3920 §5.2 step 8: no <starttls/> any more; PLAIN only now that TLS is up */
    assert_string_equal(c2s_norm(f), HDR FEAT_SASL);
    p = strstr(f->sent, "id='");
    memcpy(second, p, 36);
    second[36] = '\0';
    assert_string_not_equal(first, second);
}

/* REQ: TLS-09 */
static void test_c2s_bytes_after_starttls_are_never_parsed(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    /* the STARTTLS-injection class: a stanza pipelined in the clear after <starttls/> */
    c2s_send(f, STARTTLS "<message to='romeo@example.com'><body>injected</body></message>");
    assert_string_equal(f->sent, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    assert_int_equal(f->n_routes, 0);
    c2s_clear(f);
    c2s_send(f, C2S_OPEN);
    assert_string_equal(c2s_norm(f), HDR FEAT_SASL);
}

/* REQ: TLS-10 */
static void test_c2s_auth_before_required_tls_is_refused(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    c2s_send(f, AUTH_PLAIN);
    assert_string_equal(f->sent, SF("encryption-required"));
    assert_int_equal(f->sasl_steps, 0);
    assert_int_equal(f->s->state, XC_C2S_S_PRE_TLS);
}

/* REQ: SASL-02 */
static void test_c2s_optional_tls_offers_no_plain_in_the_clear(void **state)
{
    c2s_fixture *f = *state;

    f->cfg.require_tls = 0;
    c2s_restart_stream(f, 0);
    c2s_send(f, C2S_OPEN);
    assert_string_equal(c2s_norm(f), HDR "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'></starttls>"
                                     "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism>"
                                     "<mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>");
    c2s_clear(f);
    /* PLAIN was not offered on this stream: it never reaches the SASL interface */
    c2s_send(f, AUTH_PLAIN);
    assert_string_equal(f->sent, SF("invalid-mechanism"));
    assert_int_equal(f->sasl_steps, 0);
}

/* REQ: SASL-04 */
/* REQ: SASL-21 */
/* REQ: STR-24 */
/* REQ: BIND-01 */
/* REQ: BIND-02 */
static void test_c2s_plain_login_and_bind(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_send(f, STARTTLS);
    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    c2s_send(f, AUTH_PLAIN);
    assert_string_equal(f->sent, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert_true(f->flags_seen & XC_C2S_FX_DISCARD_INPUT);
    assert_int_equal(f->s->state, XC_C2S_S_WAIT_HDR_AUTHED);
    c2s_clear(f);
    c2s_send(f, C2S_OPEN);
    assert_string_equal(c2s_norm(f), HDR FEAT_BIND);
    c2s_clear(f);
    c2s_send(f, "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>balcony</resource></bind></iq>");
    assert_string_equal(f->sent, "<iq type='result' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                                 "<jid>juliet@example.com/balcony</jid></bind></iq>");
    assert_string_equal(f->bound_jid, "juliet@example.com/balcony");
    assert_int_equal(f->s->state, XC_C2S_S_BOUND);
}

/* REQ: BIND-03 */
static void test_c2s_generated_resource(void **state)
{
    c2s_fixture *f = *state;

    c2s_login(f, NULL);
    assert_int_equal(f->s->state, XC_C2S_S_BOUND);
    assert_int_equal(strlen(f->bound_jid), strlen("juliet@example.com/") + 16);
    assert_int_equal(strspn(f->bound_jid + strlen("juliet@example.com/"), "0123456789abcdef"), 16);
}

/* REQ: BIND-04 */
static void test_c2s_bad_resource_is_bad_request(void **state)
{
    c2s_fixture *f = *state;

    c2s_login(f, "bad\xe2\x80\x8e" "dir"); /* U+200E is prohibited by resourceprep */
    assert_int_equal(f->s->state, XC_C2S_S_BIND);
    assert_non_null(strstr(f->sent, "<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"));
    assert_int_equal(f->s->bound, 0);
}

/* REQ: SASL-08 */
static void test_c2s_bad_base64_is_incorrect_encoding(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_send(f, STARTTLS);
    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    c2s_send(f, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGll dAByMG0zMA==</auth>");
    assert_string_equal(f->sent, SF("incorrect-encoding"));
    assert_int_equal(f->sasl_steps, 0);
    assert_int_equal(f->s->state, XC_C2S_S_AUTH);
}

/* REQ: SASL-16 */
static void test_c2s_third_failure_closes_with_policy_violation(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_send(f, STARTTLS);
    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    c2s_send(f, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAB3cm9uZw==</auth>");
    c2s_send(f, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='DIGEST-MD5'/>");
    assert_string_equal(f->sent, SF("not-authorized") SF("invalid-mechanism"));
    c2s_send(f, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAB3cm9uZw==</auth>");
    assert_string_equal(f->sent, SF("not-authorized") SF("invalid-mechanism") SF("not-authorized") SE("policy-violation"));
    assert_int_equal(f->status, XC_C2S_CLOSED);
    assert_int_equal(f->close_error, XC_SE_POLICY_VIOLATION);
}

/* REQ: SASL-11 */
/* REQ: SASL-12 */
static void test_c2s_challenge_response_rounds(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_send(f, STARTTLS);
    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    f->scram_rounds = 2;
    c2s_send(f, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>biwsbj1qdWxpZXQ=</auth>");
    assert_string_equal(f->sent, "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>YzE=</challenge>");
    assert_int_equal(f->s->state, XC_C2S_S_SASL_STEP);
    c2s_clear(f);
    c2s_send(f, "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>eA==</response>");
    assert_string_equal(f->sent, "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>YzE=</challenge>");
    c2s_clear(f);
    c2s_send(f, "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>b2s=</response>");
    assert_string_equal(f->sent, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1vaw==</success>");
    assert_int_equal(f->s->state, XC_C2S_S_WAIT_HDR_AUTHED);
}

/* REQ: SASL-15 */
static void test_c2s_abort_during_exchange(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_send(f, STARTTLS);
    c2s_send(f, C2S_OPEN);
    f->scram_rounds = 1;
    c2s_send(f, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>biwsbj1qdWxpZXQ=</auth>");
    c2s_clear(f);
    c2s_send(f, "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert_string_equal(f->sent, SF("aborted"));
    assert_int_equal(f->s->state, XC_C2S_S_AUTH);
    assert_int_equal(f->s->failures, 1);
}

/* REQ: STR-22 */
static void test_c2s_stanza_before_auth_is_not_authorized(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    c2s_send(f, "<message to='romeo@example.com'><body>x</body></message>");
    assert_string_equal(f->sent, SE("not-authorized"));
    assert_int_equal(f->status, XC_C2S_CLOSED);
    assert_int_equal(f->n_routes, 0);
}

/* REQ: BIND-07 */
static void test_c2s_stanza_before_bind_is_not_authorized(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_send(f, STARTTLS);
    c2s_send(f, C2S_OPEN);
    c2s_send(f, AUTH_PLAIN);
    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    c2s_send(f, "<message to='romeo@example.com'><body>x</body></message>");
    assert_string_equal(f->sent, SE("not-authorized"));
    assert_int_equal(f->n_routes, 0);
}

/* REQ: STZ-01 */
/* REQ: STZ-02 */
static void test_c2s_from_is_stamped_whatever_the_client_sent(void **state)
{
    c2s_fixture *f = *state;

    c2s_login(f, "balcony");
    c2s_send(f, "<message to='romeo@example.com/orchard' from='nurse@example.com/kitchen' id='m1'><body>hi</body></message>");
    assert_int_equal(f->n_routes, 1);
    assert_string_equal(f->routes[0].bytes, "<message to='romeo@example.com/orchard' id='m1' from='juliet@example.com/balcony'>"
                                            "<body>hi</body></message>");
    assert_int_equal(f->routes[0].kind, XC_C2S_ROUTE_LOCAL_FULL);
    assert_string_equal(f->routes[0].to, "romeo@example.com/orchard");
    assert_int_equal(f->s->state, XC_C2S_S_ACTIVE);
}

/* REQ: SESS-01 */
static void test_c2s_session_iq(void **state)
{
    c2s_fixture *f = *state;

    c2s_login(f, "balcony");
    c2s_clear(f);
    c2s_send(f, "<iq to='example.com' type='set' id='sess_1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>");
    assert_string_equal(f->sent, "<iq type='result' id='sess_1' from='example.com' to='juliet@example.com/balcony'/>");
    assert_int_equal(f->s->state, XC_C2S_S_ACTIVE);
}

/* REQ: RT-14 */
/* REQ: STZ-11 */
static void test_c2s_remote_route_bounced_with_payload(void **state)
{
    c2s_fixture *f = *state;

    c2s_login(f, "balcony");
    c2s_clear(f);
    f->bounce_routes = 1 + XC_STZ_REMOTE_SERVER_NOT_FOUND;
    c2s_send(f, "<message to='mercutio@verona.test' id='m2' type='chat'><body>a &amp; b</body></message>");
    assert_string_equal(f->sent, "<message id='m2' type='error' from='mercutio@verona.test' to='juliet@example.com/balcony'>"
                                 "<body>a &amp; b</body><error type='cancel'><remote-server-not-found "
                                 "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
}

/* REQ: STR-17 */
static void test_c2s_unknown_host(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                "to='unknown.example' version='1.0'>");
    assert_string_equal(c2s_norm(f), HDR SE("host-unknown"));
    assert_int_equal(f->status, XC_C2S_CLOSED);
}

/* REQ: STR-18 */
static void test_c2s_gone_host(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                "to='old.example.com' version='1.0'>");
    assert_string_equal(c2s_norm(f), HDR SE("host-gone"));
}

/* REQ: STR-19 */
static void test_c2s_missing_to(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
    assert_string_equal(c2s_norm(f), HDR SE("host-unknown"));
}

/* REQ: STR-07 */
static void test_c2s_higher_version_answered_with_1_0(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                "to='example.com' version='2.0'>");
    assert_string_equal(c2s_norm(f), HDR FEAT_TLS_REQUIRED);
}

/* REQ: STR-09 */
static void test_c2s_no_version(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com'>");
    assert_string_equal(c2s_norm(f), "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                                 "xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='ID' xml:lang='en'>"
                                 SE("unsupported-version"));
}

/* REQ: STR-33 */
static void test_c2s_restart_must_name_the_same_host(void **state)
{
    c2s_fixture *f = *state;

    f->cfg.hosts[1] = XC_STR_LIT("other.example");
    f->cfg.n_hosts = 2;
    c2s_send(f, C2S_OPEN);
    c2s_send(f, STARTTLS);
    c2s_clear(f);
    c2s_send(f, "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                "to='other.example' version='1.0'>");
    assert_string_equal(c2s_norm(f), HDR SE("host-unknown"));
}

/* REQ: STR-20 */
static void test_c2s_client_close_and_unavailable_presence(void **state)
{
    c2s_fixture *f = *state;

    c2s_login(f, "balcony");
    c2s_send(f, "<presence/>");
    assert_int_equal(f->available, 1);
    c2s_clear(f);
    c2s_send(f, "</stream:stream>");
    assert_string_equal(f->sent, "</stream:stream>");
    assert_int_equal(f->available, 0);
    assert_int_equal(f->status, XC_C2S_CLOSED);
}

/* REQ: XML-10 */
static void test_c2s_restricted_xml_closes_the_stream(void **state)
{
    c2s_fixture *f = *state;

    c2s_send(f, C2S_OPEN);
    c2s_clear(f);
    c2s_send(f, "<!-- hi -->");
    assert_string_equal(f->sent, SE("restricted-xml"));
}

/* Feeding a whole login byte by byte gives the same transcript as feeding each step whole. */
static void test_c2s_byte_by_byte_equals_whole(void **state)
{
    c2s_fixture *f = *state;
    static char whole[8192];

    c2s_login(f, "balcony");
    c2s_send(f, "<message to='romeo@example.com'><body>x</body></message>");
    c2s_norm_into(f->sent, whole, sizeof whole);
    c2s_restart_stream(f, 0);
    f->rnd_counter = 0;
    c2s_send_split(f, C2S_OPEN, 1);
    c2s_send_split(f, STARTTLS, 1);
    c2s_send_split(f, C2S_OPEN, 1);
    c2s_send_split(f, AUTH_PLAIN, 1);
    c2s_send_split(f, C2S_OPEN, 1);
    c2s_send_split(f, "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>balcony</resource></bind></iq>", 1);
    c2s_send_split(f, "<message to='romeo@example.com'><body>x</body></message>", 1);
    assert_string_equal(c2s_norm(f), whole);
    assert_int_equal(f->n_routes, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_c2s_header_and_tls_required_features, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_starttls_then_sasl_features_with_fresh_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_bytes_after_starttls_are_never_parsed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_auth_before_required_tls_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_optional_tls_offers_no_plain_in_the_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_plain_login_and_bind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_generated_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_bad_resource_is_bad_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_bad_base64_is_incorrect_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_third_failure_closes_with_policy_violation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_challenge_response_rounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_abort_during_exchange, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_stanza_before_auth_is_not_authorized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_stanza_before_bind_is_not_authorized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_from_is_stamped_whatever_the_client_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_session_iq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_remote_route_bounced_with_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_unknown_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_gone_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_missing_to, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_higher_version_answered_with_1_0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_no_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_restart_must_name_the_same_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_client_close_and_unavailable_presence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_restricted_xml_closes_the_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_c2s_byte_by_byte_equals_whole, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
