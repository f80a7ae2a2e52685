/*
 * test_s2s_verify.c — the verify connection (src/core/xc_s2s_verify.c, spec/s2s_verify.fsm):
 * requests handed before the connection is ready wait for it, answers count only when they
 * match a request sent on this connection (CVE-2012-3525), and every request ends in exactly
 * one outcome, ERROR when the connection ends first (XEP-0220 §2.1.2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support_s2s.h"
#include "xc_str.h"

/* The authoritative server of remote.example answering our connection from example.com. */
#define AHDR                                                                                           \
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' "  \
    "xmlns:stream='http://etherx.jabber.org/streams' from='remote.example' to='example.com' id='a1' version='1.0'>"
#define FEAT_TLS "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"

typedef struct v_t {
    s2s_fixture *f;
    xc_s2s_verify *s;
    uint32_t flags;
    xc_s2s_status st;
    xc_s2s_verify_answer got[64];
    uint32_t n_got;
} v_t;

static void take(v_t *t)
{
    const xc_s2s_verify_effects *fx = &t->s->fx;
    uint32_t i;

    s2s_append(t->f, fx->out, fx->out_len);
    t->flags |= fx->flags;
    if (fx->flags & XC_S2S_VERIFY_FX_OUTCOME)
        for (i = 0; i < fx->n_outcomes && t->n_got < 64; i++)
            t->got[t->n_got++] = fx->outcomes[i];
}

static v_t *v_new(void)
{
    v_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->f = s2s_new();
    t->s = calloc(1, sizeof *t->s);
    assert_non_null(t->s);
    xc_s2s_verify_init(t->s, &t->f->cfg, &t->f->mem, XC_STR_LIT(S2S_HOST), XC_STR_LIT(S2S_PEER));
    return t;
}

static void v_free(v_t *t)
{
    free(t->s);
    s2s_free(t->f);
    free(t);
}

static void v_send(v_t *t, const char *text)
{
    const uint8_t *b = (const uint8_t *)text;
    size_t len = strlen(text), off = 0;

    while (off < len) {
        size_t used = 0;
        t->st = xc_s2s_verify_feed(t->s, b + off, len - off, &used);
        take(t);
        if (t->st == XC_S2S_WAIT)
            return;
        off += used;
        if (t->st == XC_S2S_CLOSED || (t->s->fx.flags & (XC_S2S_VERIFY_FX_START_TLS | XC_S2S_VERIFY_FX_DISCARD_INPUT)))
            return;
    }
}

static void request(v_t *t, const char *id, const char *key, uint64_t token)
{
    t->st = xc_s2s_verify_request(t->s, (xc_str){ id, (uint32_t)strlen(id) }, (xc_str){ key, (uint32_t)strlen(key) },
                                  token);
    take(t);
}

/* Connected, STARTTLS, TLS, the restarted response header and its (TLS-less) features. */
static void to_ready(v_t *t)
{
    static const xc_s2s_peer_cert none = { 0, NULL, 0 };

    t->st = xc_s2s_verify_connected(t->s);
    take(t);
    assert_non_null(strstr(t->f->sent, "from='example.com' to='remote.example' version='1.0'>"));
    v_send(t, AHDR);
    v_send(t, FEAT_TLS);
    v_send(t, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    assert_true(t->flags & XC_S2S_VERIFY_FX_START_TLS);
    t->st = xc_s2s_verify_tls_done(t->s, &none);
    take(t);
    v_send(t, AHDR);
    v_send(t, "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
    assert_int_equal(t->s->state, XC_S2S_VERIFY_S_WAIT_ANSWER);
}

/* REQ: S2S-11 */
static void test_verify_request_queued_then_answered(void **state)
{
    v_t *t = v_new();
    const char *p;
    (void)state;

    request(t, "streamid1", "key1", 7);
    assert_int_equal(t->n_got, 0);
    assert_int_equal(t->f->sent_len, 0);
    to_ready(t);
    /* RFC 3920 §8.3 step 8: sent once the connection is ready, not before */
    p = strstr(t->f->sent, "<db:verify from='example.com' to='remote.example' id='streamid1'>key1</db:verify>");
    assert_non_null(p);
    assert_non_null(strstr(t->f->sent, "<starttls"));
    assert_true(strstr(t->f->sent, "<starttls") < p);
    s2s_clear(t->f);
    /* a request handed to the ready connection goes out at once */
    request(t, "streamid2", "key2", 8);
    assert_string_equal(t->f->sent, "<db:verify from='example.com' to='remote.example' id='streamid2'>key2</db:verify>");
    v_send(t, "<db:verify from='remote.example' to='example.com' id='streamid2' type='invalid'/>");
    v_send(t, "<db:verify from='remote.example' to='example.com' id='streamid1' type='valid'/>");
    assert_int_equal(t->n_got, 2);
    assert_int_equal(t->got[0].token, 8);
    assert_int_equal(t->got[0].outcome, XC_S2S_VERIFY_INVALID);
    assert_int_equal(t->got[1].token, 7);
    assert_int_equal(t->got[1].outcome, XC_S2S_VERIFY_VALID);
    /* nothing pending: an idle connection closes */
    t->st = xc_s2s_verify_idle(t->s);
    take(t);
    assert_int_equal(t->st, XC_S2S_CLOSED);
    v_free(t);
}

/* REQ: S2S-12 */
static void test_verify_mismatched_answer_ignored(void **state)
{
    v_t *t = v_new();
    (void)state;

    request(t, "streamid1", "key1", 7);
    to_ready(t);
    /* CVE-2012-3525: another id, another from, another to, or the same answer twice */
    v_send(t, "<db:verify from='remote.example' to='example.com' id='other' type='valid'/>");
    v_send(t, "<db:verify from='evil.example' to='example.com' id='streamid1' type='valid'/>");
    v_send(t, "<db:verify from='remote.example' to='other.example.com' id='streamid1' type='valid'/>");
    assert_int_equal(t->n_got, 0);
    v_send(t, "<db:verify from='remote.example' to='example.com' id='streamid1' type='valid'/>");
    v_send(t, "<db:verify from='remote.example' to='example.com' id='streamid1' type='valid'/>");
    assert_int_equal(t->n_got, 1);
    assert_int_equal(t->s->state, XC_S2S_VERIFY_S_WAIT_ANSWER);
    v_free(t);
}

/* REQ: S2S-13 */
static void test_verify_close_reports_every_request(void **state)
{
    v_t *t = v_new();
    (void)state;

    request(t, "streamid1", "key1", 1);
    to_ready(t);
    request(t, "streamid2", "key2", 2);
    v_send(t, "</stream:stream>");
    assert_int_equal(t->st, XC_S2S_CLOSED);
    assert_int_equal(t->n_got, 2);
    assert_int_equal(t->got[0].outcome, XC_S2S_VERIFY_ERROR);
    assert_int_equal(t->got[1].outcome, XC_S2S_VERIFY_ERROR);
    /* a request on the connection that just ended fails at once */
    request(t, "streamid3", "key3", 3);
    assert_int_equal(t->n_got, 3);
    assert_int_equal(t->got[2].token, 3);
    assert_int_equal(t->got[2].outcome, XC_S2S_VERIFY_ERROR);
    v_free(t);

    /* a connection that never came up reports its queued requests too */
    t = v_new();
    request(t, "streamid1", "key1", 9);
    t->st = xc_s2s_verify_connect_failed(t->s);
    take(t);
    assert_int_equal(t->n_got, 1);
    assert_int_equal(t->got[0].token, 9);
    assert_int_equal(t->got[0].outcome, XC_S2S_VERIFY_ERROR);
    v_free(t);
}

/* REQ: S2S-13 */
static void test_verify_full_connection_fails_request(void **state)
{
    v_t *t = v_new();
    uint32_t i;
    char id[16];
    (void)state;

    for (i = 0; i < XC_S2S_REQUESTS_MAX; i++) {
        snprintf(id, sizeof id, "id%u", i);
        request(t, id, "k", i);
    }
    assert_int_equal(t->n_got, 0);
    request(t, "one-more", "k", 99);
    assert_int_equal(t->n_got, 1);
    assert_int_equal(t->got[0].token, 99);
    assert_int_equal(t->got[0].outcome, XC_S2S_VERIFY_ERROR);
    v_free(t);
}

/* REQ: S2S-11 */
static void test_verify_plain_refused_when_tls_required(void **state)
{
    v_t *t = v_new();
    (void)state;

    request(t, "streamid1", "key1", 1);
    t->st = xc_s2s_verify_connected(t->s);
    take(t);
    v_send(t, AHDR);
    /* no starttls offered and TLS required: nothing is sent in the clear */
    v_send(t, "<stream:features/>");
    assert_int_equal(t->st, XC_S2S_CLOSED);
    assert_null(strstr(t->f->sent, "<db:verify"));
    assert_int_equal(t->n_got, 1);
    assert_int_equal(t->got[0].outcome, XC_S2S_VERIFY_ERROR);
    v_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_request_queued_then_answered),
        cmocka_unit_test(test_verify_mismatched_answer_ignored),
        cmocka_unit_test(test_verify_close_reports_every_request),
        cmocka_unit_test(test_verify_full_connection_fails_request),
        cmocka_unit_test(test_verify_plain_refused_when_tls_required),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
