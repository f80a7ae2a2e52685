/*
 * test_s2s_in.c — the receiving server of an s2s stream (src/core/xc_s2s_in.c, spec/s2s_in.fsm)
 * driven the way the shell drives it: STARTTLS, dialback with the verify outcome handed back,
 * routing, the CVE-2012-3525 class (outcomes and answers nobody asked for), db:verify answered
 * as authoritative server, SASL EXTERNAL with a certificate that names the peer.
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

#define HDR                                                                                            \
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' "  \
    "xmlns:stream='http://etherx.jabber.org/streams' from='remote.example' to='example.com' version='1.0'>"
#define STARTTLS "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
#define MSG "<message from='juliet@remote.example/balcony' to='romeo@example.com' id='m1'><body>hi</body></message>"

typedef struct in_t {
    s2s_fixture *f;
    xc_s2s_in *s;
    uint32_t flags;                  /* OR of fx.flags since the last in_clear */
    xc_s2s_status st;
    xc_stream_error err;
    char v_sender[64], v_target[64], v_id[80], v_key[256];
    uint32_t v_pair, v_serial;
    int n_routes;
    int route_presence;
    char route[4096], route_to[128], route_from[128];
} in_t;

static void copy_str(char *dst, size_t cap, xc_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n > 0)
        memcpy(dst, s.ptr, n);
    dst[n] = '\0';
}

static void take(in_t *t)
{
    const xc_s2s_in_effects *fx = &t->s->fx;

    s2s_append(t->f, fx->out, fx->out_len);
    t->flags |= fx->flags;
    if (fx->flags & XC_S2S_IN_FX_CLOSE)
        t->err = fx->error;
    if (fx->flags & XC_S2S_IN_FX_VERIFY) {
        copy_str(t->v_sender, sizeof t->v_sender, fx->verify.sender);
        copy_str(t->v_target, sizeof t->v_target, fx->verify.target);
        copy_str(t->v_id, sizeof t->v_id, fx->verify.id);
        copy_str(t->v_key, sizeof t->v_key, fx->verify.key);
        t->v_pair = fx->verify.pair;
        t->v_serial = fx->verify.serial;
    }
    if (fx->flags & XC_S2S_IN_FX_ROUTE) {
        size_t n = 0;
        t->n_routes++;
        t->route_presence = fx->route_presence;
        copy_str(t->route, sizeof t->route, (xc_str){ (const char *)fx->route, fx->route_len });
        assert_int_equal(xc_jid_format_full(fx->to, t->route_to, sizeof t->route_to - 1, &n), XC_JID_OK);
        t->route_to[n] = '\0';
        assert_int_equal(xc_jid_format_full(fx->from, t->route_from, sizeof t->route_from - 1, &n), XC_JID_OK);
        t->route_from[n] = '\0';
    }
}

static in_t *in_new(int secure, const xc_s2s_peer_cert *cert)
{
    in_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->f = s2s_new();
    t->s = calloc(1, sizeof *t->s);
    assert_non_null(t->s);
    xc_s2s_in_init(t->s, &t->f->cfg, &t->f->mem, secure, cert, s2s_rnd(t->f));
    return t;
}

static void in_free(in_t *t)
{
    free(t->s);
    s2s_free(t->f);
    free(t);
}

static void in_clear(in_t *t)
{
    s2s_clear(t->f);
    t->flags = 0;
}

/* One read from the peer, fed the way the shell does: until consumed, dropping the rest after
 * a restart. */
static void in_send(in_t *t, const char *text)
{
    const uint8_t *b = (const uint8_t *)text;
    size_t len = strlen(text), off = 0;

    while (off < len) {
        size_t used = 0;
        t->st = xc_s2s_in_feed(t->s, b + off, len - off, &used, s2s_rnd(t->f));
        take(t);
        if (t->st == XC_S2S_WAIT)
            return;
        off += used;
        if (t->st == XC_S2S_CLOSED || (t->s->fx.flags & (XC_S2S_IN_FX_START_TLS | XC_S2S_IN_FX_DISCARD_INPUT)))
            return;
    }
}

/* The id of the latest header in the transcript. */
static void last_id(const in_t *t, char out[33])
{
    const char *p = NULL, *q = t->f->sent;
    while ((q = strstr(q, "<stream:stream ")) != NULL) {
        p = q;
        q++;
    }
    assert_non_null(p);
    p = strstr(p, " id='");
    assert_non_null(p);
    memcpy(out, p + 5, 32);
    out[32] = '\0';
    assert_int_equal(p[37], '\'');
}

static void tls_done(in_t *t, const xc_s2s_peer_cert *cert)
{
    static const xc_s2s_peer_cert none = { 0, NULL, 0 };
    t->st = xc_s2s_in_tls_done(t->s, cert != NULL ? cert : &none);
    take(t);
}

/* Up to the secure features: header, starttls, TLS, header again. */
static void to_secure(in_t *t, const xc_s2s_peer_cert *cert)
{
    in_send(t, HDR);
    in_send(t, STARTTLS);
    assert_true(t->flags & XC_S2S_IN_FX_START_TLS);
    assert_int_equal(t->st, XC_S2S_WAIT);
    tls_done(t, cert);
    assert_int_equal(t->s->state, XC_S2S_IN_S_WAIT_HDR_TLS);
    in_send(t, HDR);
    assert_int_equal(t->s->state, XC_S2S_IN_S_FEAT_SECURE);
}

static void send_result(in_t *t, const char *from, const char *to, const char *key)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "<db:result from='%s' to='%s'>%s</db:result>", from, to, key);
    in_send(t, buf);
}

/* REQ: S2S-01 */
static void test_in_headers_fresh_id(void **state)
{
    in_t *t = in_new(0, NULL);
    char id1[33], id2[33];
    (void)state;

    in_send(t, HDR);
    assert_non_null(strstr(t->f->sent, "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                                       "xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams' "
                                       "from='example.com' to='remote.example' id='"));
    assert_non_null(strstr(t->f->sent, "' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                                       "<required/></starttls></stream:features>"));
    last_id(t, id1);
    in_send(t, STARTTLS);
    tls_done(t, NULL);
    in_clear(t);
    in_send(t, HDR);
    last_id(t, id2);
    /* RFC 3920 §4.4: a fresh id on every header we send */
    assert_string_not_equal(id1, id2);
    assert_non_null(strstr(t->f->sent, "<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/>"
                                       "</dialback></stream:features>"));
    /* no EXTERNAL without a certificate */
    assert_null(strstr(t->f->sent, "EXTERNAL"));
    in_free(t);
}

/* REQ: S2S-02 */
static void test_in_dialback_before_tls_refused(void **state)
{
    in_t *t = in_new(0, NULL);
    (void)state;

    in_send(t, HDR);
    in_clear(t);
    send_result(t, S2S_PEER, S2S_HOST, "abc");
    assert_int_equal(t->st, XC_S2S_CLOSED);
    assert_int_equal(t->err, XC_SE_POLICY_VIOLATION);
    assert_false(t->flags & XC_S2S_IN_FX_VERIFY);
    in_free(t);
}

/* REQ: S2S-03 */
static void test_in_full_dialback_routes_stanza(void **state)
{
    in_t *t = in_new(0, NULL);
    char id[33];
    (void)state;

    to_secure(t, NULL);
    last_id(t, id);
    in_clear(t);
    send_result(t, S2S_PEER, S2S_HOST, "0123abcd");
    assert_true(t->flags & XC_S2S_IN_FX_VERIFY);
    assert_string_equal(t->v_sender, S2S_PEER);
    assert_string_equal(t->v_target, S2S_HOST);
    assert_string_equal(t->v_id, id);
    assert_string_equal(t->v_key, "0123abcd");
    assert_int_equal(t->s->state, XC_S2S_IN_S_DIALBACK);
    assert_int_equal(t->f->sent_len, 0);

    in_clear(t);
    t->st = xc_s2s_in_verify_outcome(t->s, t->v_pair, t->v_serial, XC_S2S_VERIFY_VALID);
    take(t);
    assert_string_equal(t->f->sent, "<db:result from='example.com' to='remote.example' type='valid'/>");
    assert_true(t->flags & XC_S2S_IN_FX_PAIR_VALID);
    assert_int_equal(t->s->state, XC_S2S_IN_S_AUTHED);
    assert_true(xc_s2s_in_pair_valid(t->s, XC_STR_LIT(S2S_PEER), XC_STR_LIT(S2S_HOST)));

    in_clear(t);
    in_send(t, MSG);
    assert_int_equal(t->n_routes, 1);
    assert_string_equal(t->route_to, "romeo@example.com");
    assert_string_equal(t->route_from, "juliet@remote.example/balcony");
    assert_non_null(strstr(t->route, "<body>hi</body>"));
    assert_null(strstr(t->route, "xmlns"));
    assert_false(t->route_presence);
    assert_int_equal(t->f->sent_len, 0);
    /* RFC 3921 §11.1: the shell drops a presence nobody receives, so the core says which it is */
    in_clear(t);
    in_send(t, "<presence from='juliet@remote.example/balcony' to='romeo@example.com'/>");
    assert_int_equal(t->n_routes, 2);
    assert_true(t->route_presence);
    in_free(t);
}

/* REQ: S2S-04 */
static void test_in_unsolicited_outcome_ignored(void **state)
{
    in_t *t = in_new(0, NULL);
    (void)state;

    to_secure(t, NULL);
    /* CVE-2012-3525: an outcome with no pair pending changes nothing */
    in_clear(t);
    t->st = xc_s2s_in_verify_outcome(t->s, 0, 1, XC_S2S_VERIFY_VALID);
    take(t);
    assert_int_equal(t->f->sent_len, 0);
    assert_int_equal(t->s->state, XC_S2S_IN_S_FEAT_SECURE);

    send_result(t, S2S_PEER, S2S_HOST, "k");
    assert_int_equal(t->s->state, XC_S2S_IN_S_DIALBACK);
    in_clear(t);
    /* the wrong serial, then a pair index out of range: still nothing */
    t->st = xc_s2s_in_verify_outcome(t->s, t->v_pair, t->v_serial + 1u, XC_S2S_VERIFY_VALID);
    take(t);
    t->st = xc_s2s_in_verify_outcome(t->s, 999u, t->v_serial, XC_S2S_VERIFY_VALID);
    take(t);
    assert_int_equal(t->f->sent_len, 0);
    assert_int_equal(t->s->state, XC_S2S_IN_S_DIALBACK);
    assert_false(xc_s2s_in_pair_valid(t->s, XC_STR_LIT(S2S_PEER), XC_STR_LIT(S2S_HOST)));
    /* a stanza now is refused: no pair is valid */
    in_send(t, MSG);
    assert_int_equal(t->n_routes, 0);
    assert_int_equal(t->st, XC_S2S_CLOSED);
    assert_int_equal(t->err, XC_SE_NOT_AUTHORIZED);
    in_free(t);
}

/* REQ: S2S-04 */
static void test_in_typed_result_ignored(void **state)
{
    in_t *t = in_new(0, NULL);
    (void)state;

    to_secure(t, NULL);
    in_clear(t);
    /* XEP-0220 §3.1: a response on an inbound stream answers nothing we asked */
    in_send(t, "<db:result from='remote.example' to='example.com' type='valid'/>");
    in_send(t, "<db:verify from='remote.example' to='example.com' id='x' type='valid'/>");
    assert_int_equal(t->f->sent_len, 0);
    assert_int_equal(t->s->state, XC_S2S_IN_S_FEAT_SECURE);
    assert_false(xc_s2s_in_pair_valid(t->s, XC_STR_LIT(S2S_PEER), XC_STR_LIT(S2S_HOST)));
    in_free(t);
}

/* REQ: S2S-05 */
static void test_in_stanza_from_unverified_domain(void **state)
{
    in_t *t = in_new(0, NULL);
    (void)state;

    to_secure(t, NULL);
    send_result(t, S2S_PEER, S2S_HOST, "k");
    t->st = xc_s2s_in_verify_outcome(t->s, t->v_pair, t->v_serial, XC_S2S_VERIFY_VALID);
    take(t);
    in_clear(t);
    in_send(t, "<message from='mallory@evil.example' to='romeo@example.com'><body>x</body></message>");
    assert_int_equal(t->n_routes, 0);
    assert_int_equal(t->err, XC_SE_INVALID_FROM);
    assert_non_null(strstr(t->f->sent, "<invalid-from xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"));
    in_free(t);

    /* a valid sender to a target it did not verify: host-unknown (RFC 6120 §8.1.1.2) */
    t = in_new(0, NULL);
    to_secure(t, NULL);
    send_result(t, S2S_PEER, S2S_HOST, "k");
    t->st = xc_s2s_in_verify_outcome(t->s, t->v_pair, t->v_serial, XC_S2S_VERIFY_VALID);
    take(t);
    in_send(t, "<message from='juliet@remote.example' to='romeo@other.example.com'/>");
    assert_int_equal(t->n_routes, 0);
    assert_int_equal(t->err, XC_SE_HOST_UNKNOWN);
    in_free(t);
}

/* REQ: S2S-06 */
static void test_in_db_verify_answered(void **state)
{
    in_t *t = in_new(0, NULL);
    char key[XC_DB_KEY_LEN + 1], buf[512];
    (void)state;

    to_secure(t, NULL);
    send_result(t, S2S_PEER, S2S_HOST, "k");
    in_clear(t);
    /* XEP-0185: receiving = the verify's from, originating = its to (ours) */
    s2s_key(t->f, S2S_PEER, S2S_HOST, "stream-id-1", key);
    snprintf(buf, sizeof buf, "<db:verify from='remote.example' to='example.com' id='stream-id-1'>%s</db:verify>", key);
    in_send(t, buf);
    assert_string_equal(t->f->sent, "<db:verify from='example.com' to='remote.example' id='stream-id-1' type='valid'/>");
    assert_int_equal(t->s->state, XC_S2S_IN_S_DIALBACK);
    in_clear(t);
    /* the same key for another stream id never verifies */
    snprintf(buf, sizeof buf, "<db:verify from='remote.example' to='example.com' id='stream-id-2'>%s</db:verify>", key);
    in_send(t, buf);
    assert_string_equal(t->f->sent, "<db:verify from='example.com' to='remote.example' id='stream-id-2' type='invalid'/>");
    in_clear(t);
    in_send(t, "<db:verify from='remote.example' to='nowhere.example' id='i'>k</db:verify>");
    assert_non_null(strstr(t->f->sent, "type='error'><error type='cancel'><item-not-found "));
    in_free(t);

    /* a verify-only stream (ejabberd) is closed after the answer */
    t = in_new(0, NULL);
    to_secure(t, NULL);
    in_clear(t);
    snprintf(buf, sizeof buf, "<db:verify from='remote.example' to='example.com' id='stream-id-1'>%s</db:verify>", key);
    in_send(t, buf);
    assert_string_equal(t->f->sent, "<db:verify from='example.com' to='remote.example' id='stream-id-1' type='valid'/>"
                                    "</stream:stream>");
    assert_int_equal(t->st, XC_S2S_CLOSED);
    in_free(t);
}

/* REQ: S2S-07 */
static void test_in_external_with_matching_cert(void **state)
{
    static const xc_cn_name names[] = { { XC_CN_DNS, { "remote.example", 14 } } };
    static const xc_s2s_peer_cert cert = { 1, names, 1 };
    in_t *t = in_new(0, NULL);
    (void)state;

    in_send(t, HDR);
    in_send(t, STARTTLS);
    in_clear(t);
    tls_done(t, &cert);
    in_send(t, HDR);
    assert_non_null(strstr(t->f->sent, "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL"
                                       "</mechanism></mechanisms>"));
    in_clear(t);
    /* an authzid naming another domain is refused */
    in_send(t, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>ZXZpbC5leGFtcGxl</auth>");
    assert_non_null(strstr(t->f->sent, "<invalid-authzid/>"));
    in_clear(t);
    /* base64("remote.example") */
    in_send(t, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>cmVtb3RlLmV4YW1wbGU=</auth>");
    assert_string_equal(t->f->sent, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert_true(t->flags & XC_S2S_IN_FX_DISCARD_INPUT);
    assert_int_equal(t->s->state, XC_S2S_IN_S_WAIT_HDR_SASL);
    in_clear(t);
    in_send(t, HDR);
    assert_non_null(strstr(t->f->sent, "<stream:features/>"));
    assert_int_equal(t->s->state, XC_S2S_IN_S_AUTHED);
    in_send(t, MSG);
    assert_int_equal(t->n_routes, 1);
    in_free(t);
}

/* REQ: S2S-07 */
static void test_in_external_refused_without_matching_cert(void **state)
{
    static const xc_cn_name names[] = { { XC_CN_DNS, { "other.example", 13 } } };
    static const xc_s2s_peer_cert cert = { 1, names, 1 };
    in_t *t = in_new(0, NULL);
    (void)state;

    in_send(t, HDR);
    in_send(t, STARTTLS);
    tls_done(t, &cert);
    in_clear(t);
    in_send(t, HDR);
    assert_null(strstr(t->f->sent, "EXTERNAL"));
    in_clear(t);
    in_send(t, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
    assert_non_null(strstr(t->f->sent, "<not-authorized/>"));
    assert_int_equal(t->s->state, XC_S2S_IN_S_FEAT_SECURE);
    in_free(t);
}

/* REQ: S2S-07 */
static void test_in_cert_names_beyond_room_never_match(void **state)
{
    static char longname[3000];
    xc_cn_name names[3];
    xc_s2s_peer_cert cert;
    in_t *t = in_new(0, NULL);
    (void)state;

    /* two subjectAltNames that do not fit the struct's room, and a common name naming the peer:
     * the common name must not count (RFC 6125 §6.4.4), so EXTERNAL is not offered */
    memset(longname, 'a', sizeof longname);
    names[0].kind = XC_CN_DNS;
    names[0].value = (xc_str){ longname, sizeof longname };
    names[1].kind = XC_CN_DNS;
    names[1].value = (xc_str){ longname, sizeof longname };
    names[2].kind = XC_CN_COMMON_NAME;
    names[2].value = XC_STR_LIT("remote.example");
    cert.chain_ok = 1;
    cert.names = names;
    cert.n_names = 3;
    in_send(t, HDR);
    in_send(t, STARTTLS);
    tls_done(t, &cert);
    in_clear(t);
    in_send(t, HDR);
    assert_null(strstr(t->f->sent, "EXTERNAL"));
    in_free(t);

    /* the common name alone does count */
    t = in_new(0, NULL);
    cert.names = &names[2];
    cert.n_names = 1;
    in_send(t, HDR);
    in_send(t, STARTTLS);
    tls_done(t, &cert);
    in_clear(t);
    in_send(t, HDR);
    assert_non_null(strstr(t->f->sent, "EXTERNAL"));
    in_free(t);
}

/* REQ: S2S-16 */
static void test_in_long_key_fails_at_once(void **state)
{
    in_t *t = in_new(0, NULL);
    char key[XC_S2S_KEY_MAX + 2];
    (void)state;

    memset(key, 'a', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    to_secure(t, NULL);
    in_clear(t);
    send_result(t, S2S_PEER, S2S_HOST, key);
    assert_false(t->flags & XC_S2S_IN_FX_VERIFY);
    assert_non_null(strstr(t->f->sent, "<db:result from='example.com' to='remote.example' type='invalid'/>"));
    assert_int_equal(t->st, XC_S2S_CLOSED);
    in_free(t);
}

/* REQ: S2S-16 */
static void test_in_pending_verifications_capped(void **state)
{
    in_t *t = in_new(0, NULL);
    (void)state;

    to_secure(t, NULL);
    send_result(t, "a.example", S2S_HOST, "k");
    send_result(t, "b.example", S2S_HOST, "k");
    in_clear(t);
    /* verify_max is 2: the third waits (XEP-0220 §2.5 resource-constraint) */
    send_result(t, "c.example", S2S_HOST, "k");
    assert_false(t->flags & XC_S2S_IN_FX_VERIFY);
    assert_non_null(strstr(t->f->sent, "<db:result from='example.com' to='c.example' type='error'><error type='wait'>"
                                       "<resource-constraint "));
    in_clear(t);
    /* the same pair again: conflict */
    send_result(t, "a.example", S2S_HOST, "k");
    assert_non_null(strstr(t->f->sent, "<conflict "));
    assert_int_equal(t->s->state, XC_S2S_IN_S_DIALBACK);
    in_free(t);
}

/* REQ: S2S-01 */
static void test_in_host_unknown_and_byte_by_byte(void **state)
{
    in_t *t = in_new(0, NULL);
    const char *hdr = HDR;
    size_t i;
    (void)state;

    in_send(t, "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' "
               "xmlns:stream='http://etherx.jabber.org/streams' from='remote.example' to='nowhere.example' version='1.0'>");
    assert_int_equal(t->err, XC_SE_HOST_UNKNOWN);
    in_free(t);

    /* the same stream fed one byte at a time gives the same answer as whole */
    t = in_new(0, NULL);
    for (i = 0; hdr[i] != '\0'; i++) {
        char one[2] = { hdr[i], '\0' };
        in_send(t, one);
    }
    assert_int_equal(t->s->state, XC_S2S_IN_S_FEAT_PLAIN);
    assert_non_null(strstr(t->f->sent, "<stream:features>"));
    in_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_headers_fresh_id),
        cmocka_unit_test(test_in_dialback_before_tls_refused),
        cmocka_unit_test(test_in_full_dialback_routes_stanza),
        cmocka_unit_test(test_in_unsolicited_outcome_ignored),
        cmocka_unit_test(test_in_typed_result_ignored),
        cmocka_unit_test(test_in_stanza_from_unverified_domain),
        cmocka_unit_test(test_in_db_verify_answered),
        cmocka_unit_test(test_in_external_with_matching_cert),
        cmocka_unit_test(test_in_external_refused_without_matching_cert),
        cmocka_unit_test(test_in_cert_names_beyond_room_never_match),
        cmocka_unit_test(test_in_long_key_fails_at_once),
        cmocka_unit_test(test_in_pending_verifications_capped),
        cmocka_unit_test(test_in_host_unknown_and_byte_by_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
