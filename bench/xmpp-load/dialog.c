/*
 * dialog.c — the login dialogue and the messages (see dialog.h).
 *
 * The server's elements are recognised by name and by the few attributes that matter; the
 * generator trusts the framing (frame.h) and nothing else: a feature that is missing, an
 * element that comes in the wrong state, a SCRAM message that does not verify, each fails the
 * client with a reason that ends up in the report.
 */
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "dialog.h"
#include "frame.h"
#include "net.h"

#define NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define ELEM_MAX 1024u   /* bytes of any element the client sends */

static void fail(xl_run *r, xl_client *c, xl_err kind, const char *text)
{
    xl_run_fail(r, c, kind, text, strlen(text));
}

static void send_text(xl_run *r, xl_client *c, const char *text, size_t len)
{
    if (xl_net_queue(c, text, len) != 0)
        fail(r, c, XL_ERR_PROTOCOL, "output buffer full");
}

static void send_header(xl_run *r, xl_client *c)
{
    char h[ELEM_MAX];
    int n = snprintf(h, sizeof h,
                     "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                     "xmlns:stream='http://etherx.jabber.org/streams' to='%s' version='1.0'>",
                     r->cfg->domain);

    if (n < 0 || (size_t)n >= sizeof h)
        fail(r, c, XL_ERR_PROTOCOL, "domain too long");
    else
        send_text(r, c, h, (size_t)n);
}

void xl_dialog_begin(xl_run *r, xl_client *c)
{
    c->state = XL_WAIT_TLS_FEATURES;
    send_header(r, c);
}

void xl_dialog_tls_up(xl_run *r, xl_client *c)
{
    c->state = XL_WAIT_SASL_FEATURES;
    send_header(r, c);
}

void xl_dialog_end(xl_run *r, xl_client *c)
{
    c->state = XL_CLOSING;
    send_text(r, c, "</stream:stream>", 16);
}

/* <tag xmlns='urn:ietf:params:xml:ns:xmpp-sasl'[ mechanism='M']>base64(raw)</tag> */
static void send_sasl(xl_run *r, xl_client *c, const char *tag, const char *mech, const char *raw, size_t len)
{
    char b64[XL_B64_ENCODED_LEN(XL_SCRAM_MSG_MAX) + 1], e[ELEM_MAX + sizeof b64];
    size_t blen;
    int n;

    if (xl_b64_encode((const uint8_t *)raw, len, b64, sizeof b64, &blen) != 0) {
        fail(r, c, XL_ERR_PROTOCOL, "SASL message too long");
        return;
    }
    if (mech != NULL)
        n = snprintf(e, sizeof e, "<%s xmlns='" NS_SASL "' mechanism='%s'>%s</%s>", tag, mech, b64, tag);
    else
        n = snprintf(e, sizeof e, "<%s xmlns='" NS_SASL "'>%s</%s>", tag, b64, tag);
    if (n < 0 || (size_t)n >= sizeof e)
        fail(r, c, XL_ERR_PROTOCOL, "SASL element too long");
    else
        send_text(r, c, e, (size_t)n);
}

static void on_features(xl_run *r, xl_client *c, const char *e, size_t len)
{
    char mech_elem[64], user[XL_SCRAM_USER_MAX + 1], first[XL_SCRAM_MSG_MAX], bind[ELEM_MAX];
    const char *mech = xl_scram_mech_name(r->cfg->hash);
    size_t flen;
    int n;

    switch (c->state) {
    case XL_WAIT_TLS_FEATURES:
        if (xl_find(e, len, "<starttls") == NULL) {
            fail(r, c, XL_ERR_PROTOCOL, "no STARTTLS offered");
            return;
        }
        c->state = XL_WAIT_PROCEED;
        send_text(r, c, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 51);
        return;
    case XL_WAIT_SASL_FEATURES:
        (void)snprintf(mech_elem, sizeof mech_elem, ">%s<", mech);
        if (xl_find(e, len, mech_elem) == NULL) {
            fail(r, c, XL_ERR_AUTH, "mechanism not offered");
            return;
        }
        n = snprintf(user, sizeof user, "%s%u", r->cfg->user_prefix, c->account);
        if (n < 0 || (size_t)n >= sizeof user ||
            xl_scram_first(&c->scram, r->cfg->hash, user, first, sizeof first, &flen) != 0) {
            fail(r, c, XL_ERR_AUTH, "client-first-message");
            return;
        }
        c->state = XL_WAIT_CHALLENGE;
        send_sasl(r, c, "auth", mech, first, flen);
        return;
    case XL_WAIT_BIND_FEATURES:
        if (xl_find(e, len, "<bind") == NULL) {
            fail(r, c, XL_ERR_PROTOCOL, "no resource binding offered");
            return;
        }
        n = snprintf(bind, sizeof bind,
                     "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                     "<resource>%s</resource></bind></iq>", c->resource);
        c->state = XL_WAIT_BIND;
        if (n < 0 || (size_t)n >= sizeof bind)
            fail(r, c, XL_ERR_PROTOCOL, "resource too long");
        else
            send_text(r, c, bind, (size_t)n);
        return;
    default:
        fail(r, c, XL_ERR_PROTOCOL, "features out of turn");
        return;
    }
}

/* The base64 text of a SASL element, decoded into raw (NUL-terminated). 0 or -1. */
static int sasl_payload(const char *e, size_t len, char *raw, size_t cap, size_t *rlen)
{
    size_t tlen;
    const char *t = xl_elem_text(e, len, &tlen);

    if (cap == 0 || xl_b64_decode(t, tlen, (uint8_t *)raw, cap - 1, rlen) != 0)
        return -1;
    raw[*rlen] = '\0';
    return 0;
}

static void on_challenge(xl_run *r, xl_client *c, const char *e, size_t len)
{
    char sf[XL_SCRAM_MSG_MAX + 1], cf[XL_SCRAM_MSG_MAX];
    size_t sf_len, cf_len;

    if (c->state != XL_WAIT_CHALLENGE) {
        fail(r, c, XL_ERR_PROTOCOL, "challenge out of turn");
        return;
    }
    if (sasl_payload(e, len, sf, sizeof sf, &sf_len) != 0 ||
        xl_scram_final(&c->scram, r->scram, sf, sf_len, cf, sizeof cf, &cf_len) != 0) {
        fail(r, c, XL_ERR_AUTH, "bad server-first-message");
        return;
    }
    c->state = XL_WAIT_SUCCESS;
    send_sasl(r, c, "response", NULL, cf, cf_len);
}

static void on_success(xl_run *r, xl_client *c, const char *e, size_t len)
{
    char sv[XL_SCRAM_MSG_MAX + 1];
    size_t sv_len;

    if (c->state != XL_WAIT_SUCCESS) {
        fail(r, c, XL_ERR_PROTOCOL, "success out of turn");
        return;
    }
    if (sasl_payload(e, len, sv, sizeof sv, &sv_len) != 0 || xl_scram_verify(&c->scram, sv, sv_len) != 0) {
        fail(r, c, XL_ERR_AUTH, "server signature does not verify");
        return;
    }
    c->state = XL_WAIT_BIND_FEATURES;
    send_header(r, c);   /* the stream restarts after SASL (RFC 3920 §6.2 step 7) */
}

/* The name of e's first child, for error conditions ("?" when there is none). */
static void condition(const char *e, size_t len, char *out, size_t cap, const char *prefix)
{
    size_t clen, nlen = 0;
    const char *ch = xl_elem_child(e, len, &clen);

    if (ch != NULL)
        while (nlen + 1 < clen && ch[1 + nlen] != ' ' && ch[1 + nlen] != '/' && ch[1 + nlen] != '>')
            nlen++;
    (void)snprintf(out, cap, "%s%.*s", prefix, ch != NULL ? (int)nlen : 1, ch != NULL ? ch + 1 : "?");
}

/* The error condition of a stanza of type error: the first child of its <error/>. */
static void stanza_condition(const char *e, size_t len, char *out, size_t cap, const char *prefix)
{
    const char *err = xl_find(e, len, "<error");

    if (err == NULL)
        (void)snprintf(out, cap, "%s?", prefix);
    else
        condition(err, len - (size_t)(err - e), out, cap, prefix);
}

static int attr_is(const char *e, size_t len, const char *name, const char *value)
{
    size_t vlen;
    const char *v = xl_elem_attr(e, len, name, &vlen);

    return v != NULL && vlen == strlen(value) && memcmp(v, value, vlen) == 0;
}

/* A server's IQ get (XEP-0199 ping after an idle timeout) gets an empty result. */
static void answer_iq(xl_run *r, xl_client *c, const char *e, size_t len)
{
    size_t id_len = 0, from_len = 0;
    const char *id = xl_elem_attr(e, len, "id", &id_len), *from = xl_elem_attr(e, len, "from", &from_len);
    char out[ELEM_MAX];
    int n;

    if (id == NULL || memchr(id, '\'', id_len) != NULL || (from != NULL && memchr(from, '\'', from_len) != NULL))
        return;
    n = snprintf(out, sizeof out, "<iq type='result' id='%.*s'%s%.*s%s/>", (int)id_len, id,
                 from != NULL ? " to='" : "", (int)from_len, from != NULL ? from : "", from != NULL ? "'" : "");
    if (n > 0 && (size_t)n < sizeof out)
        send_text(r, c, out, (size_t)n);
}

static void on_iq(xl_run *r, xl_client *c, const char *e, size_t len)
{
    char text[96];

    if (c->state == XL_WAIT_BIND && attr_is(e, len, "id", "bind")) {
        if (attr_is(e, len, "type", "result")) {
            c->state = XL_READY;
            xl_run_bound(r, c);
        } else {
            stanza_condition(e, len, text, sizeof text, "bind: ");
            fail(r, c, XL_ERR_PROTOCOL, text);
        }
        return;
    }
    if (attr_is(e, len, "type", "error")) {
        stanza_condition(e, len, text, sizeof text, "iq: ");
        xl_run_stanza_error(r, c, text, strlen(text), 0);
    } else if (attr_is(e, len, "type", "get") || attr_is(e, len, "type", "set")) {
        answer_iq(r, c, e, len);
    }
}

static void on_message(xl_run *r, xl_client *c, const char *e, size_t len)
{
    char text[96];
    const char *body, *t;
    size_t blen, i;
    int64_t sent = 0;

    if (attr_is(e, len, "type", "error")) {
        stanza_condition(e, len, text, sizeof text, "message: ");
        xl_run_stanza_error(r, c, text, strlen(text), 1);
        return;
    }
    body = xl_find(e, len, "<body>");
    t = body != NULL ? xl_find(body, len - (size_t)(body - e), "t=") : NULL;
    if (t == NULL) {
        fail(r, c, XL_ERR_PROTOCOL, "message without a timestamp");
        return;
    }
    blen = len - (size_t)(t - e);
    for (i = 2; i < blen && i < 22 && t[i] >= '0' && t[i] <= '9'; i++)
        sent = sent * 10 + (t[i] - '0');
    xl_run_delivered(r, c, sent);
}

static void on_element(xl_run *r, xl_client *c, const char *e, size_t len)
{
    char text[96];

    if (xl_elem_is(e, len, "message"))
        on_message(r, c, e, len);
    else if (xl_elem_is(e, len, "iq"))
        on_iq(r, c, e, len);
    else if (xl_elem_is(e, len, "stream:features"))
        on_features(r, c, e, len);
    else if (xl_elem_is(e, len, "challenge"))
        on_challenge(r, c, e, len);
    else if (xl_elem_is(e, len, "success"))
        on_success(r, c, e, len);
    else if (xl_elem_is(e, len, "proceed")) {
        if (c->state != XL_WAIT_PROCEED)
            fail(r, c, XL_ERR_PROTOCOL, "proceed out of turn");
        else if (xl_net_tls_start(c, r->tls, r->cfg->domain) != 0)
            fail(r, c, XL_ERR_TLS, "SSL_new");
        else
            c->state = XL_TLS_HANDSHAKE;
    } else if (xl_elem_is(e, len, "failure")) {
        condition(e, len, text, sizeof text, c->state == XL_WAIT_PROCEED ? "starttls: " : "sasl: ");
        fail(r, c, c->state == XL_WAIT_PROCEED ? XL_ERR_TLS : XL_ERR_AUTH, text);
    } else if (xl_elem_is(e, len, "stream:error")) {
        condition(e, len, text, sizeof text, "");
        fail(r, c, XL_ERR_STREAM, text);
    }
    /* presence and anything else: nothing to do */
}

void xl_dialog_input(xl_run *r, xl_client *c)
{
    size_t off = 0, start, used;

    while (c->state != XL_FREE) {
        xl_frame_kind k = xl_frame_next(c->in + off, c->in_len - off, &start, &used);
        const char *e;

        if (k == XL_FRAME_MORE)
            break;
        if (k == XL_FRAME_BAD) {
            fail(r, c, XL_ERR_PROTOCOL, "malformed XML");
            return;
        }
        e = c->in + off + start;
        off += used;
        if (k == XL_FRAME_CLOSE) {
            /* ours was sent: the connection ends at the server's EOF (closing with its
             * close_notify unread would reset the connection instead) */
            if (c->state == XL_CLOSING)
                continue;
            fail(r, c, XL_ERR_CLOSED, "server ended the stream");
            return;
        }
        if (k == XL_FRAME_ELEMENT)
            on_element(r, c, e, used - start);
        if (c->state == XL_TLS_HANDSHAKE) {
            c->in_len = 0;   /* nothing sent before the handshake may be read after it */
            return;
        }
    }
    if (c->state != XL_FREE && off > 0) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
}

int xl_dialog_message(xl_run *r, xl_client *c, int64_t now_ns)
{
    const xl_client *p = &r->c[c->peer];
    char m[ELEM_MAX];
    int n = snprintf(m, sizeof m, "<message to='%s%u@%s/%s' type='chat'><body>t=%lld</body></message>",
                     r->cfg->user_prefix, p->account, r->cfg->domain, p->resource, (long long)now_ns);

    if (n < 0 || (size_t)n >= sizeof m || xl_net_queue(c, m, (size_t)n) != 0)
        return -1;
    return 0;
}
