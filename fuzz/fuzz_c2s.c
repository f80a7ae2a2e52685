/*
 * fuzz_c2s.c — a whole client-to-server stream (src/core/xc_c2s.h) driven through its public
 * API only: arbitrary bytes from the client interleaved with arbitrary shell results (TLS done
 * or failed, SASL challenge / success / failure, timeouts, shutdown, conflicts, bounces).
 *
 * Input: byte 0 and byte 1 set the stream up, then records follow until the input ends.
 *   byte 0  bit 0    require TLS            bit 1    direct-TLS port (secure from the start)
 *           bits 2-3 max_auth_failures - 1  bits 4-5 squeezed pool: 0 none, 1 nodes, 2 attrs, 3 bytes
 *           bits 6-7 mechanisms: 0 all, 1 SCRAM only, 2 PLAIN only, 3 EXTERNAL + SCRAM-SHA-256-PLUS
 *   byte 1  N: the squeezed pool holds N entries (N * 16 bytes for the byte arena), so the
 *           parser's allocation N+1 fails: allocation-failure injection at any point
 *   record  [ctl][len][len bytes]; ctl & 7 says what happens:
 *           0 client bytes   1 tls_done (ctl bit 3: verified client cert, else bit 5: refused
 *           one; bit 4: channel binding)
 *           2 tls_failed     3 SASL result (ctl bits 3-4: challenge, success, failure; the
 *           failure condition is ctl >> 5; data = the bytes; success names user "juliet", or
 *           the bytes as user when ctl bit 5 is set)   4 timeout (ctl bit 3: the idle ping
 *           instead, bit 4: the output queue is full)   5 shutdown   6 conflict
 *           7 bounce the last routed stanza (condition = len % XC_STZ_COUNT, no bytes follow)
 *
 * The harness plays the shell's part of the contract in xc_c2s.h (drop input after START_TLS and
 * DISCARD_INPUT, feed the rest of a read again, nothing fed after CLOSED) and aborts when:
 *  - *consumed > len, or a call after CLOSED produces output or effects;
 *  - a ROUTE appears on a stream that is not authenticated and bound, or the routed bytes are
 *    not one well-formed element whose from is exactly the stream's full JID (parsed back);
 *  - SASL_START/STEP appears before TLS when TLS is required, on an authenticated stream, or
 *    (START) for a mechanism this stream did not offer, or on a stream whose client certificate
 *    was refused (it must end at the next header);
 *  - feed consumes bytes while the stream waits for TLS or for a SASL result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xc_c2s.h"
#include "xc_str.h"
#include "xc_xml_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ROUTE_HEADER "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"

static xc_c2s_config cfg;
static xc_c2s_memory mem;
static xc_c2s stream;
static xc_xml_parser check;
static xc_xml_memory check_mem;
static uint8_t *check_buf;
static int ready;

static void *xalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

static void setup_once(void)
{
    xc_xml_memory need;

    if (ready)
        return;
    ready = 1;
    cfg.hosts[0] = XC_STR_LIT("example.com");
    cfg.hosts[1] = XC_STR_LIT("other.example");
    cfg.n_hosts = 2;
    cfg.gone[0] = XC_STR_LIT("old.example.com");
    cfg.n_gone = 1;
    cfg.preauth = xc_xml_limits_preauth;
    cfg.postauth = xc_xml_limits_c2s;
    xc_xml_memory_need(&cfg.postauth, &need);
    mem.xml.nodes = xalloc(need.nodes_n * sizeof(xc_xml_node));
    mem.xml.attrs = xalloc(need.attrs_n * sizeof(xc_xml_attr));
    mem.xml.bytes = xalloc(need.bytes_n);
    mem.xml.nodes_n = need.nodes_n;
    mem.xml.attrs_n = need.attrs_n;
    mem.xml.bytes_n = need.bytes_n;
    mem.out_cap = cfg.postauth.max_stanza_bytes + 65536u;
    mem.out = xalloc(mem.out_cap);
    mem.route_cap = 6u * cfg.postauth.max_stanza_bytes + 4096u;
    mem.route = xalloc(mem.route_cap);
    /* the checker parses routed stanzas back: they may be up to route_cap bytes */
    check_mem.nodes_n = need.nodes_n;
    check_mem.attrs_n = need.attrs_n;
    check_mem.bytes_n = mem.route_cap + 4096u;
    check_mem.nodes = xalloc(check_mem.nodes_n * sizeof(xc_xml_node));
    check_mem.attrs = xalloc(check_mem.attrs_n * sizeof(xc_xml_attr));
    check_mem.bytes = xalloc(check_mem.bytes_n);
    check_buf = xalloc(sizeof(ROUTE_HEADER) - 1 + mem.route_cap);
}

/* The routed bytes are one element whose from is the stream's full JID. */
static void check_route(const xc_c2s *s)
{
    static const xc_xml_limits lim = {
        .max_stanza_bytes = 0x2000000u, .max_header_bytes = 4096u, .max_elements = 0x100000u,
        .max_arena_bytes = 0x3000000u, .max_depth = 64u, .max_attrs = 128u, .max_ns_decls = 128u,
        .max_name_bytes = 2048u,
    };
    size_t hl = sizeof(ROUTE_HEADER) - 1, used = 0, used2 = 0;
    const xc_xml_node *e;
    const xc_xml_attr *from;
    xc_xml_memory m = check_mem;

    if (!s->authed || !s->bound || s->fx.route_len == 0 || s->fx.route_len > mem.route_cap)
        abort();
    memcpy(check_buf, ROUTE_HEADER, hl);
    memcpy(check_buf + hl, s->fx.route, s->fx.route_len);
    xc_xml_init(&check, XC_XML_CONTENT_CLIENT, &lim, &m);
    if (xc_xml_feed(&check, check_buf, hl + s->fx.route_len, &used) != XC_XML_EV_STREAM_OPEN || used != hl)
        abort();
    if (xc_xml_feed(&check, check_buf + used, s->fx.route_len, &used2) != XC_XML_EV_ELEMENT ||
        used2 != s->fx.route_len)
        abort();
    e = xc_xml_element(&check);
    from = xc_xml_attr_find(xc_xml_tree_of(&check), e, XC_STR_LIT(""), XC_STR_LIT("from"));
    if (from == NULL || from->value.len != s->jid_text_len || memcmp(from->value.ptr, s->jid_text, s->jid_text_len) != 0)
        abort();
}

/* Checks one call's effects; returns 1 when the rest of the read must be dropped. */
static int check_effects(const xc_c2s *s, xc_c2s_status st, int was_closed)
{
    uint32_t f = s->fx.flags;

    if (was_closed && (f != 0 || s->fx.out_len != 0 || st != XC_C2S_CLOSED))
        abort();
    if (f & XC_C2S_FX_ROUTE)
        check_route(s);
    if (f & (XC_C2S_FX_SASL_START | XC_C2S_FX_SASL_STEP)) {
        if ((cfg.require_tls && !s->secure) || s->authed || s->cert_refused)
            abort();
        if ((f & XC_C2S_FX_SASL_START) && (s->fx.mech >= XC_MECH_COUNT || (s->offered & (1u << s->fx.mech)) == 0))
            abort();
        if (s->fx.sasl_len > XC_C2S_SASL_MAX)
            abort();
    }
    if ((f & XC_C2S_FX_CLOSE) && s->state != XC_C2S_S_CLOSED)
        abort();
    return (f & (XC_C2S_FX_START_TLS | XC_C2S_FX_DISCARD_INPUT)) != 0;
}

static void feed(xc_c2s *s, const uint8_t *b, size_t len, uint32_t *counter)
{
    size_t off = 0;
    unsigned rounds;

    /* each call takes at most one element; a read holds at most len of them */
    for (rounds = 0; rounds <= len && off < len; rounds++) {
        uint8_t rnd[XC_C2S_RANDOM_BYTES];
        size_t used = 99999999u, i;
        int was_closed = s->state == XC_C2S_S_CLOSED;
        int waiting = s->state == XC_C2S_S_TLS_HS || s->state == XC_C2S_S_SASL_WAIT;
        xc_c2s_status st;

        for (i = 0; i < sizeof rnd; i++)
            rnd[i] = (uint8_t)(*counter * 131u + i);
        (*counter)++;
        st = xc_c2s_feed(s, b + off, len - off, &used, rnd);
        if (used > len - off)
            abort();
        if (waiting && (used != 0 || st != XC_C2S_WAIT))
            abort();
        off += used;
        if (check_effects(s, st, was_closed) || st != XC_C2S_OK || used == 0)
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t mech_sets[4] = {
        (1u << XC_MECH_COUNT) - 1u,
        (1u << XC_MECH_SCRAM_SHA_256) | (1u << XC_MECH_SCRAM_SHA_1) | (1u << XC_MECH_SCRAM_SHA_256_PLUS) |
            (1u << XC_MECH_SCRAM_SHA_1_PLUS),
        1u << XC_MECH_PLAIN,
        (1u << XC_MECH_EXTERNAL) | (1u << XC_MECH_SCRAM_SHA_256_PLUS),
    };
    xc_c2s_memory m;
    uint32_t counter = 0;
    size_t pos = 2;
    uint8_t opt, squeeze;
    xc_c2s *s = &stream;

    if (size < 2)
        return 0;
    setup_once();
    opt = data[0];
    squeeze = data[1];
    cfg.require_tls = opt & 1u;
    cfg.max_auth_failures = (uint8_t)(1u + ((opt >> 2) & 3u));
    cfg.mechs = mech_sets[(opt >> 6) & 3u];
    m = mem;
    /* allocation-failure injection: one pool holds only `squeeze` entries (its tail, for ASan) */
    switch ((opt >> 4) & 3u) {
    case 1: m.xml.nodes += m.xml.nodes_n - squeeze; m.xml.nodes_n = squeeze; break;
    case 2: m.xml.attrs += m.xml.attrs_n - squeeze; m.xml.attrs_n = squeeze; break;
    case 3: m.xml.bytes += m.xml.bytes_n - 16u * squeeze; m.xml.bytes_n = 16u * squeeze; break;
    default: break;
    }
    xc_c2s_init(s, &cfg, &m, (opt >> 1) & 1u, XC_C2S_CERT_VERIFIED, 1, (const uint8_t *)"fuzz-fuzz-fuzz-fuzz-fuzz-fuzz-fuzz-fuzz");

    while (pos + 2 <= size) {
        uint8_t ctl = data[pos], len = data[pos + 1];
        const uint8_t *body = data + pos + 2;
        size_t n = size - pos - 2 < len ? size - pos - 2 : len;
        int was_closed = s->state == XC_C2S_S_CLOSED;
        xc_c2s_status st = XC_C2S_OK;

        pos += 2;
        switch (ctl & 7u) {
        case 0:
            feed(s, body, n, &counter);
            pos += n;
            continue;
        case 1: {
            xc_c2s_client_cert cert = (ctl >> 3) & 1u ? XC_C2S_CERT_VERIFIED
                                      : (ctl >> 5) & 1u ? XC_C2S_CERT_REFUSED : XC_C2S_CERT_NONE;
            st = xc_c2s_tls_done(s, cert, (ctl >> 4) & 1u);
            break;
        }
        case 2: st = xc_c2s_tls_failed(s); break;
        case 3: {
            xc_c2s_sasl_outcome r;
            memset(&r, 0, sizeof r);
            r.kind = (xc_c2s_sasl_kind)(((ctl >> 3) & 3u) % 3u);
            r.failure = (xc_sasl_failure)((ctl >> 5) % XC_SF_COUNT);
            r.data = body;
            r.data_len = n;
            r.user = (ctl & 0x20u) ? (const char *)body : "juliet";
            r.user_len = (ctl & 0x20u) ? n : 6u;
            st = xc_c2s_sasl_result(s, &r);
            pos += n;
            break;
        }
        case 4:
            st = (ctl >> 3) & 1u ? xc_c2s_ping_due(s) : (ctl >> 4) & 1u ? xc_c2s_output_full(s) : xc_c2s_timeout(s);
            break;
        case 5: st = xc_c2s_shutdown(s); break;
        case 6: st = xc_c2s_conflict(s); break;
        default:
            xc_c2s_bounce(s, XC_STZ_T_CANCEL, (xc_stanza_error)(len % XC_STZ_COUNT));
            continue;
        }
        (void)check_effects(s, st, was_closed);
    }
    return 0;
}
