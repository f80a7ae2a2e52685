/*
 * test_s2s_out.c — the initiating server of an s2s stream (src/core/xc_s2s_out.c,
 * spec/s2s_out.fsm): STARTTLS, dialback with the XEP-0185 key over the response id, stanzas
 * queued until the pair is valid and flushed after, invalid results bouncing everything, answers
 * nobody asked for ignored (CVE-2012-3525), SASL EXTERNAL when the peer's certificate names T.
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

#define RHDR(id)                                                                                       \
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' "  \
    "xmlns:stream='http://etherx.jabber.org/streams' from='remote.example' to='example.com' id='" id "' version='1.0'>"
#define FEAT_TLS "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
#define FEAT_DB "<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback></stream:features>"
#define PROCEED "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
#define STANZA "<message from='romeo@example.com' to='juliet@remote.example'><body>hi</body></message>"

typedef struct out_t {
    s2s_fixture *f;
    xc_s2s_out *s;
    uint32_t flags;
    xc_s2s_status st;
    xc_stream_error err;
    xc_stanza_error_type btype;
    xc_stanza_error bcond;
} out_t;

static void take(out_t *t)
{
    const xc_s2s_out_effects *fx = &t->s->fx;

    s2s_append(t->f, fx->out, fx->out_len);
    t->flags |= fx->flags;
    if (fx->flags & XC_S2S_OUT_FX_CLOSE)
        t->err = fx->error;
    if (fx->flags & (XC_S2S_OUT_FX_BOUNCE | XC_S2S_OUT_FX_BOUNCE_ALL | XC_S2S_OUT_FX_BOUNCE_PAIR)) {
        t->btype = fx->bounce_type;
        t->bcond = fx->bounce_cond;
    }
}

static out_t *out_new(void)
{
    out_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->f = s2s_new();
    t->s = calloc(1, sizeof *t->s);
    assert_non_null(t->s);
    xc_s2s_out_init(t->s, &t->f->cfg, &t->f->mem, XC_STR_LIT(S2S_HOST), XC_STR_LIT(S2S_PEER));
    return t;
}

static void out_free(out_t *t)
{
    free(t->s);
    s2s_free(t->f);
    free(t);
}

static void out_clear(out_t *t)
{
    s2s_clear(t->f);
    t->flags = 0;
}

static void out_send(out_t *t, const char *text)
{
    const uint8_t *b = (const uint8_t *)text;
    size_t len = strlen(text), off = 0;

    while (off < len) {
        size_t used = 0;
        t->st = xc_s2s_out_feed(t->s, b + off, len - off, &used);
        take(t);
        if (t->st == XC_S2S_WAIT)
            return;
        off += used;
        if (t->st == XC_S2S_CLOSED || (t->s->fx.flags & (XC_S2S_OUT_FX_START_TLS | XC_S2S_OUT_FX_DISCARD_INPUT)))
            return;
    }
}

static void stanza(out_t *t, const char *from_domain, const char *text)
{
    t->st = xc_s2s_out_stanza(t->s, (xc_str){ from_domain, (uint32_t)strlen(from_domain) }, (const uint8_t *)text,
                              strlen(text));
    take(t);
}

/* Connected, STARTTLS, TLS with this certificate, the response header id2 read. */
static void to_secure(out_t *t, const xc_s2s_peer_cert *cert)
{
    t->st = xc_s2s_out_connected(t->s);
    take(t);
    assert_non_null(strstr(t->f->sent, "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                                       "xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams' "
                                       "from='example.com' to='remote.example' version='1.0'>"));
    out_send(t, RHDR("id1"));
    assert_int_equal(t->s->state, XC_S2S_OUT_S_WAIT_FEAT);
    out_send(t, FEAT_TLS);
    assert_non_null(strstr(t->f->sent, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
    out_send(t, PROCEED);
    assert_true(t->flags & XC_S2S_OUT_FX_START_TLS);
    t->st = xc_s2s_out_tls_done(t->s, cert);
    take(t);
    assert_int_equal(t->s->state, XC_S2S_OUT_S_WAIT_HDR);
    out_send(t, RHDR("id2"));
}

static const xc_s2s_peer_cert no_cert = { 0, NULL, 0 };

/* Up to DB_WAIT: the db:result with the key over the second response id. */
static void to_db_wait(out_t *t)
{
    char key[XC_DB_KEY_LEN + 1], want[256];

    to_secure(t, &no_cert);
    out_clear(t);
    out_send(t, FEAT_DB);
    /* XEP-0185 §2: receiving = T, originating = S, id = the latest response id */
    s2s_key(t->f, S2S_PEER, S2S_HOST, "id2", key);
    snprintf(want, sizeof want, "<db:result from='example.com' to='remote.example'>%s</db:result>", key);
    assert_string_equal(t->f->sent, want);
    assert_int_equal(t->s->state, XC_S2S_OUT_S_DB_WAIT);
}

/* REQ: S2S-08 */
static void test_out_full_dialback_flushes_queue(void **state)
{
    out_t *t = out_new();
    (void)state;

    /* a stanza handed before the connection is queued */
    stanza(t, S2S_HOST, STANZA);
    assert_true(t->flags & XC_S2S_OUT_FX_QUEUE);
    to_db_wait(t);
    out_clear(t);
    stanza(t, S2S_HOST, STANZA);
    assert_true(t->flags & XC_S2S_OUT_FX_QUEUE);
    assert_int_equal(t->f->sent_len, 0);
    out_clear(t);
    out_send(t, "<db:result from='remote.example' to='example.com' type='valid'/>");
    assert_true(t->flags & XC_S2S_OUT_FX_FLUSH);
    assert_true(t->flags & XC_S2S_OUT_FX_READY);
    assert_int_equal(t->s->state, XC_S2S_OUT_S_READY);
    assert_true(xc_s2s_out_ready(t->s));
    /* the shell hands the queued stanzas back: they are written now */
    out_clear(t);
    stanza(t, S2S_HOST, STANZA);
    stanza(t, S2S_HOST, STANZA);
    assert_string_equal(t->f->sent, STANZA STANZA);
    assert_false(t->flags & XC_S2S_OUT_FX_QUEUE);
    out_free(t);
}

/* REQ: S2S-09, S2S-10 */
static void test_out_invalid_bounces_all(void **state)
{
    out_t *t = out_new();
    (void)state;

    to_db_wait(t);
    stanza(t, S2S_HOST, STANZA);
    out_clear(t);
    out_send(t, "<db:result from='remote.example' to='example.com' type='invalid'/>");
    assert_true(t->flags & XC_S2S_OUT_FX_BOUNCE_ALL);
    assert_int_equal(t->btype, XC_STZ_T_CANCEL);
    assert_int_equal(t->bcond, XC_STZ_INTERNAL_SERVER_ERROR);
    assert_int_equal(t->st, XC_S2S_CLOSED);
    assert_string_equal(t->f->sent, "</stream:stream>");
    /* a stanza handed to the stream that just ended is bounced (DESIGN.md "Nothing lost") */
    out_clear(t);
    stanza(t, S2S_HOST, STANZA);
    assert_true(t->flags & XC_S2S_OUT_FX_BOUNCE);
    out_free(t);
}

/* REQ: S2S-09 */
static void test_out_unsolicited_result_ignored(void **state)
{
    out_t *t = out_new();
    (void)state;

    to_db_wait(t);
    out_clear(t);
    /* CVE-2012-3525: a valid result for a pair we did not request, or from another domain */
    out_send(t, "<db:result from='remote.example' to='other.example.com' type='valid'/>");
    out_send(t, "<db:result from='evil.example' to='example.com' type='valid'/>");
    out_send(t, "<db:verify from='remote.example' to='example.com' id='id2' type='valid'/>");
    assert_int_equal(t->s->state, XC_S2S_OUT_S_DB_WAIT);
    assert_false(t->flags & (XC_S2S_OUT_FX_READY | XC_S2S_OUT_FX_FLUSH));
    stanza(t, S2S_HOST, STANZA);
    assert_true(t->flags & XC_S2S_OUT_FX_QUEUE);
    assert_int_equal(t->f->sent_len, 0);
    out_free(t);
}

/* REQ: S2S-07 */
static void test_out_external_when_cert_matches(void **state)
{
    static const xc_cn_name names[] = { { XC_CN_DNS, { "remote.example", 14 } } };
    static const xc_s2s_peer_cert cert = { 1, names, 1 };
    out_t *t = out_new();
    (void)state;

    to_secure(t, &cert);
    out_clear(t);
    out_send(t, "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
                "</mechanisms>" "<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback></stream:features>");
    /* base64("example.com") */
    assert_string_equal(t->f->sent, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>ZXhhbXBsZS5jb20=</auth>");
    out_clear(t);
    out_send(t, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert_true(t->flags & XC_S2S_OUT_FX_DISCARD_INPUT);
    assert_non_null(strstr(t->f->sent, "<stream:stream "));
    out_send(t, RHDR("id3"));
    out_clear(t);
    out_send(t, "<stream:features/>");
    assert_true(t->flags & XC_S2S_OUT_FX_FLUSH);
    assert_true(t->flags & XC_S2S_OUT_FX_READY);
    out_clear(t);
    stanza(t, S2S_HOST, STANZA);
    assert_string_equal(t->f->sent, STANZA);
    out_free(t);
}

/* REQ: S2S-07 */
static void test_out_unverified_cert_falls_back_to_dialback(void **state)
{
    static const xc_cn_name names[] = { { XC_CN_DNS, { "elsewhere.example", 17 } } };
    static const xc_s2s_peer_cert cert = { 1, names, 1 };
    out_t *t = out_new();
    (void)state;

    to_secure(t, &cert);
    out_clear(t);
    /* CVE-2014-3451: a certificate that does not name T never authenticates by EXTERNAL */
    out_send(t, "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
                "</mechanisms></stream:features>");
    assert_non_null(strstr(t->f->sent, "<db:result from='example.com' to='remote.example'>"));
    out_free(t);
}

/* REQ: S2S-10 */
static void test_out_queue_full_bounces(void **state)
{
    out_t *t = out_new();
    (void)state;

    stanza(t, S2S_HOST, STANZA);
    stanza(t, S2S_HOST, STANZA);
    stanza(t, S2S_HOST, STANZA);
    t->flags = 0;
    stanza(t, S2S_HOST, STANZA);
    assert_true(t->flags & XC_S2S_OUT_FX_BOUNCE);
    assert_int_equal(t->btype, XC_STZ_T_WAIT);
    assert_int_equal(t->bcond, XC_STZ_RESOURCE_CONSTRAINT);
    out_free(t);
}

/* REQ: S2S-10 */
static void test_out_resolve_failed_bounces_all(void **state)
{
    out_t *t = out_new();
    (void)state;

    stanza(t, S2S_HOST, STANZA);
    t->st = xc_s2s_out_resolve_failed(t->s);
    take(t);
    assert_int_equal(t->st, XC_S2S_CLOSED);
    assert_true(t->flags & XC_S2S_OUT_FX_BOUNCE_ALL);
    assert_int_equal(t->bcond, XC_STZ_REMOTE_SERVER_NOT_FOUND);
    assert_int_equal(t->f->sent_len, 0);
    out_free(t);
}

/* REQ: S2S-08 */
static void test_out_new_pair_piggybacks(void **state)
{
    out_t *t = out_new();
    char key[XC_DB_KEY_LEN + 1], want[256];
    (void)state;

    to_db_wait(t);
    out_send(t, "<db:result from='remote.example' to='example.com' type='valid'/>");
    out_clear(t);
    t->st = xc_s2s_out_new_pair(t->s, XC_STR_LIT("other.example.com"));
    take(t);
    s2s_key(t->f, S2S_PEER, "other.example.com", "id2", key);
    snprintf(want, sizeof want, "<db:result from='other.example.com' to='remote.example'>%s</db:result>", key);
    assert_string_equal(t->f->sent, want);
    /* its stanzas queue until its own answer; the first pair's are written */
    out_clear(t);
    stanza(t, "other.example.com", STANZA);
    assert_true(t->flags & XC_S2S_OUT_FX_QUEUE);
    out_send(t, "<db:result from='remote.example' to='other.example.com' type='error'/>");
    assert_true(t->flags & XC_S2S_OUT_FX_BOUNCE_PAIR);
    assert_int_equal(t->s->state, XC_S2S_OUT_S_READY);
    /* a domain we do not serve is refused */
    out_clear(t);
    t->st = xc_s2s_out_new_pair(t->s, XC_STR_LIT("not-ours.example"));
    take(t);
    assert_true(t->flags & XC_S2S_OUT_FX_PAIR_REFUSED);
    assert_int_equal(t->f->sent_len, 0);
    out_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_full_dialback_flushes_queue),
        cmocka_unit_test(test_out_invalid_bounces_all),
        cmocka_unit_test(test_out_unsolicited_result_ignored),
        cmocka_unit_test(test_out_external_when_cert_matches),
        cmocka_unit_test(test_out_unverified_cert_falls_back_to_dialback),
        cmocka_unit_test(test_out_queue_full_bounces),
        cmocka_unit_test(test_out_resolve_failed_bounces_all),
        cmocka_unit_test(test_out_new_pair_piggybacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
