/*
 * support_c2s.c — the test shell around one c2s stream (see support_c2s.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support_c2s.h"
#include "xc_str.h"

xc_c2s_client_cert c2s_tls_cert = XC_C2S_CERT_NONE;
int c2s_tls_cb = 0;

static void *xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

static void append(c2s_fixture *f, const uint8_t *b, size_t n)
{
    if (f->sent_len + n >= C2S_SENT_MAX)
        abort();
    memcpy(f->sent + f->sent_len, b, n);
    f->sent_len += n;
    f->sent[f->sent_len] = '\0';
}

c2s_fixture *c2s_new(void)
{
    c2s_fixture *f = xalloc(sizeof *f);
    xc_xml_memory need;

    f->cfg.hosts[0] = XC_STR_LIT(C2S_HOST);
    f->cfg.n_hosts = 1;
    f->cfg.gone[0] = XC_STR_LIT("old.example.com");
    f->cfg.n_gone = 1;
    f->cfg.mechs = (1u << XC_MECH_COUNT) - 1u;
    f->cfg.require_tls = 1;
    f->cfg.max_auth_failures = 3;
    f->cfg.preauth = xc_xml_limits_preauth;
    f->cfg.postauth = xc_xml_limits_c2s;
    xc_xml_memory_need(&f->cfg.postauth, &need);
    f->mem.xml.nodes = xalloc(need.nodes_n * sizeof(xc_xml_node));
    f->mem.xml.attrs = xalloc(need.attrs_n * sizeof(xc_xml_attr));
    f->mem.xml.bytes = xalloc(need.bytes_n);
    f->mem.xml.nodes_n = need.nodes_n;
    f->mem.xml.attrs_n = need.attrs_n;
    f->mem.xml.bytes_n = need.bytes_n;
    f->mem.out_cap = f->cfg.postauth.max_stanza_bytes + 65536u;
    f->mem.out = xalloc(f->mem.out_cap);
    f->mem.route_cap = 6u * f->cfg.postauth.max_stanza_bytes + 4096u;
    f->mem.route = xalloc(f->mem.route_cap);
    f->s = xalloc(sizeof *f->s);
    c2s_tls_cert = XC_C2S_CERT_NONE;
    c2s_tls_cb = 0;
    xc_c2s_init(f->s, &f->cfg, &f->mem, 0, 0, 0, (const uint8_t *)"0123456789abcdef0123456789abcdef01234567");
    return f;
}

void c2s_restart_stream(c2s_fixture *f, int secure)
{
    xc_c2s_init(f->s, &f->cfg, &f->mem, secure, c2s_tls_cert, c2s_tls_cb,
                (const uint8_t *)"0123456789abcdef0123456789abcdef01234567");
    f->sent_len = 0;
    f->sent[0] = '\0';
    f->flags_seen = 0;
    f->n_routes = 0;
    f->close_error = XC_SE_NONE;
}

void c2s_free(c2s_fixture *f)
{
    free(f->mem.xml.nodes);
    free(f->mem.xml.attrs);
    free(f->mem.xml.bytes);
    free(f->mem.out);
    free(f->mem.route);
    free(f->s);
    free(f);
}

void c2s_clear(c2s_fixture *f)
{
    f->sent_len = 0;
    f->sent[0] = '\0';
}

/* The fake mechanisms: PLAIN checks "\0juliet\0r0m30" (authzid empty or juliet@example.com);
 * EXTERNAL succeeds as juliet; the SCRAM names answer scram_rounds challenges "c1", "c2", ...
 * then succeed with additional data "v=ok" when the last response was "ok". */
static void answer_sasl(c2s_fixture *f)
{
    const xc_c2s_effects *fx = &f->s->fx;
    xc_c2s_sasl_outcome r;
    static const uint8_t plain_ok[] = "\0juliet\0r0m30";
    static const uint8_t plain_self[] = "juliet@example.com\0juliet\0r0m30";
    static const uint8_t challenge[] = "c1";
    static const uint8_t final[] = "v=ok";

    memset(&r, 0, sizeof r);
    f->sasl_steps++;
    f->sasl_present = fx->sasl_present;
    f->sasl_len = fx->sasl_len;
    r.kind = XC_C2S_SASL_FAILURE;
    r.failure = XC_SF_NOT_AUTHORIZED;
    if ((fx->flags & XC_C2S_FX_SASL_START) && fx->mech == XC_MECH_PLAIN) {
        if ((fx->sasl_len == sizeof plain_ok - 1 && memcmp(fx->sasl, plain_ok, fx->sasl_len) == 0) ||
            (fx->sasl_len == sizeof plain_self - 1 && memcmp(fx->sasl, plain_self, fx->sasl_len) == 0)) {
            r.kind = XC_C2S_SASL_SUCCESS;
        } else if (fx->sasl_len > 0 && fx->sasl[0] != '\0' && memchr(fx->sasl, '\0', fx->sasl_len) != NULL) {
            r.failure = XC_SF_INVALID_AUTHZID;
        }
    } else if ((fx->flags & XC_C2S_FX_SASL_START) && fx->mech == XC_MECH_EXTERNAL) {
        r.kind = XC_C2S_SASL_SUCCESS;
    } else if (fx->flags & XC_C2S_FX_SASL_START) {
        r.kind = f->scram_rounds > 0 ? XC_C2S_SASL_CHALLENGE : XC_C2S_SASL_SUCCESS;
    } else {
        f->scram_rounds--;
        if (f->scram_rounds > 0)
            r.kind = XC_C2S_SASL_CHALLENGE;
        else if (fx->sasl_len == 2 && memcmp(fx->sasl, "ok", 2) == 0)
            r.kind = XC_C2S_SASL_SUCCESS;
    }
    if (r.kind == XC_C2S_SASL_CHALLENGE) {
        r.data = challenge;
        r.data_len = 2;
    } else if (r.kind == XC_C2S_SASL_SUCCESS) {
        r.user = "juliet";
        r.user_len = 6;
        if (fx->mech != XC_MECH_PLAIN && fx->mech != XC_MECH_EXTERNAL) {
            r.data = final;
            r.data_len = 4;
        }
    }
    f->status = xc_c2s_sasl_result(f->s, &r);
}

/* Takes the output and effects of the call just made; 1 when the rest of the read is dropped. */
static int take(c2s_fixture *f)
{
    const xc_c2s_effects *fx = &f->s->fx;
    int drop = 0;

    for (;;) {
        append(f, fx->out, fx->out_len);
        f->flags_seen |= fx->flags;
        if (fx->flags & XC_C2S_FX_CLOSE)
            f->close_error = fx->error;
        if (fx->flags & XC_C2S_FX_PRESENCE)
            f->available = fx->available;
        if (fx->flags & XC_C2S_FX_BOUND) {
            size_t n = 0;
            if (xc_jid_format_full(fx->jid, f->bound_jid, sizeof f->bound_jid - 1, &n) == XC_JID_OK)
                f->bound_jid[n] = '\0';
        }
        if (fx->flags & XC_C2S_FX_ROUTE) {
            if (f->bounce_routes) {
                xc_c2s_bounce(f->s, XC_STZ_T_CANCEL, (xc_stanza_error)(f->bounce_routes - 1));
                append(f, fx->out, fx->out_len);
            } else if (f->n_routes < C2S_ROUTES_MAX) {
                c2s_route *r = &f->routes[f->n_routes++];
                size_t n = 0;
                r->len = fx->route_len < sizeof r->bytes - 1 ? fx->route_len : sizeof r->bytes - 1;
                memcpy(r->bytes, fx->route, r->len);
                r->bytes[r->len] = '\0';
                r->kind = fx->route_kind;
                if (xc_jid_format_full(fx->to, r->to, sizeof r->to - 1, &n) == XC_JID_OK)
                    r->to[n] = '\0';
            }
        }
        if (fx->flags & (XC_C2S_FX_START_TLS | XC_C2S_FX_DISCARD_INPUT))
            drop = 1;
        if (fx->flags & XC_C2S_FX_START_TLS) {
            f->status = xc_c2s_tls_done(f->s, c2s_tls_cert, c2s_tls_cb);
            continue;
        }
        if (fx->flags & (XC_C2S_FX_SASL_START | XC_C2S_FX_SASL_STEP)) {
            answer_sasl(f);
            continue;
        }
        return drop;
    }
}

void c2s_send_split(c2s_fixture *f, const char *text, size_t chunk)
{
    const uint8_t *b = (const uint8_t *)text;
    size_t len = strlen(text), off = 0;

    while (off < len) {
        size_t piece = chunk == 0 || chunk > len - off ? len - off : chunk;
        size_t pos = 0;
        int dropped = 0;
        while (pos < piece) {
            uint8_t rnd[XC_C2S_RANDOM_BYTES];
            size_t used = 0, i;
            for (i = 0; i < sizeof rnd; i++)
                rnd[i] = (uint8_t)(f->rnd_counter * 31u + i);
            f->rnd_counter++;
            f->status = xc_c2s_feed(f->s, b + off + pos, piece - pos, &used, rnd);
            pos += used;
            if (take(f)) {
                dropped = 1;
                break;
            }
            if (f->status != XC_C2S_OK)
                break;
            if (used == 0 && f->status == XC_C2S_OK)
                break;
        }
        (void)dropped;
        off += piece;
        if (f->status == XC_C2S_CLOSED)
            return;
    }
}

void c2s_send(c2s_fixture *f, const char *text)
{
    c2s_send_split(f, text, 0);
}

void c2s_norm_into(const char *text, char *out, size_t cap)
{
    size_t len = strlen(text), i = 0, o = 0;

    while (i < len && o + 8 < cap) {
        if (strncmp(text + i, "id='", 4) == 0 && i + 4 + 32 < len && text[i + 36] == '\'' &&
            strspn(text + i + 4, "0123456789abcdef") >= 32) {
            memcpy(out + o, "id='ID'", 7);
            o += 7;
            i += 37;
            continue;
        }
        out[o++] = text[i++];
    }
    out[o] = '\0';
}

const char *c2s_norm(const c2s_fixture *f)
{
    static char buf[1 << 16];

    c2s_norm_into(f->sent, buf, sizeof buf);
    return buf;
}

void c2s_login(c2s_fixture *f, const char *resource)
{
    char bind[512];

    c2s_send(f, C2S_OPEN);
    c2s_send(f, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    c2s_send(f, C2S_OPEN);
    c2s_send(f, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>");
    c2s_send(f, C2S_OPEN);
    if (resource != NULL)
        snprintf(bind, sizeof bind,
                 "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>%s</resource></bind></iq>",
                 resource);
    else
        snprintf(bind, sizeof bind, "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    c2s_send(f, bind);
}
