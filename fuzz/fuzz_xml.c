/*
 * fuzz_xml.c — the restricted-XML stream parser (xc_xml_feed), whole against in pieces.
 *
 * Input: byte 0 is the mode, the rest is the stream.
 *   bit 0      content namespace: 0 jabber:client, 1 jabber:server
 *   bits 1-2   limits: 0 pre-auth, 1 c2s, 2 s2s, 3 tiny (every cap small, 512-byte arena)
 *   bits 3-5   chunking: seed and largest piece (1, 2, 3, 5, 8, 16, 32, 64 bytes)
 *   bit 6      restart: after an ELEMENT named starttls/proceed/success, xc_xml_reset (as the
 *              stream layer does after TLS and SASL) and go on with the remaining bytes
 *   bit 7      switch caps after every ELEMENT (chosen <-> pre-auth; memory stays as sized)
 *
 * The stream is fed to one parser whole and to another in pieces (each piece copied into its
 * own exactly sized heap block, so ASan sees a read past a piece). Properties, abort() if not:
 *  - both give the same events: kind, end offset (not for errors: a fast path may stop at the
 *    start of a run), serialised element (xc_xml_write), header attributes, error condition;
 *  - *consumed <= len; NEED_MORE never comes with consumed == 0 on a non-empty piece;
 *  - every ELEMENT keeps the caps in force: elements, depth, attributes, declarations, name
 *    lengths (fx_check_element) and raw stanza bytes (bytes since the previous event, minus
 *    the whitespace before the element);
 *  - parse(write(tree)) == tree: the written element, behind a jabber:client stream header,
 *    parses (fx_limits_roundtrip caps) to an equal tree (xc_xml_tree_equal).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support_xml.h"
#include "xc_str.h"
#include "xc_xml.h"
#include "xc_xml_tree.h"
#include "xc_xml_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RT_HEADER "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
#define WRITE_CAP (1u << 20)

static const xc_xml_limits tiny_limits = {
    .max_stanza_bytes = 2000u,
    .max_header_bytes = 600u,
    .max_elements = 8u,
    .max_arena_bytes = 512u,
    .max_depth = 3u,
    .max_attrs = 4u,
    .max_ns_decls = 3u,
    .max_name_bytes = 16u,
};

typedef struct run {
    xc_xml_parser p;
    fx_buf log;
    const uint8_t *data; /* the whole stream, for counting whitespace */
    size_t prev;         /* end offset of the previous event (or of the last reset) */
    int stopped;
    int toggled;
    int roundtrip;
} run;

static uint8_t mode;
static const xc_xml_limits *chosen;
static xc_xml_content_ns content;
static uint8_t wbuf[sizeof(RT_HEADER) - 1 + WRITE_CAP];

static void round_trip(const xc_xml_parser *p, const xc_xml_node *e)
{
    static xc_xml_parser q;
    const xc_xml_tree *t = xc_xml_tree_of(p);
    size_t hlen = sizeof(RT_HEADER) - 1, wlen = 0, used = 0, used2 = 0;

    memcpy(wbuf, RT_HEADER, hlen);
    if (xc_xml_write(t, xc_xml_index_of(t, e), XC_STR_LIT(XC_NS_CLIENT), wbuf + hlen, WRITE_CAP, &wlen) !=
        XC_XML_WRITE_OK)
        return; /* larger than the written-stanza cap: nothing to compare */
    if (wlen > WRITE_CAP)
        abort();
    fx_parser_init(&q, 2, XC_XML_CONTENT_CLIENT, &fx_limits_roundtrip, &fx_limits_roundtrip);
    if (xc_xml_feed(&q, wbuf, hlen + wlen, &used) != XC_XML_EV_STREAM_OPEN || used != hlen)
        abort();
    if (xc_xml_feed(&q, wbuf + used, hlen + wlen - used, &used2) != XC_XML_EV_ELEMENT || used2 != wlen)
        abort();
    if (!xc_xml_tree_equal(t, xc_xml_index_of(t, e), xc_xml_tree_of(&q), xc_xml_index_of(xc_xml_tree_of(&q), xc_xml_element(&q))))
        abort();
}

static void log_header(run *r)
{
    const xc_xml_tree *t = xc_xml_tree_of(&r->p);
    const xc_xml_node *h = xc_xml_header(&r->p);
    const xc_xml_attr *a;
    uint32_t k;

    if (h == NULL)
        abort();
    fx_put(&r->log, h->prefix.ptr, h->prefix.len);
    for (k = 0; (a = xc_xml_attr_at(t, h, k)) != NULL; k++) {
        fx_canon_attr(&r->log, a->ns.ptr, a->ns.len, a->name.ptr, a->name.len, a->value.ptr, a->value.len);
    }
    for (k = 0; (a = xc_xml_decl_at(t, h, k)) != NULL; k++) {
        fx_canon_attr(&r->log, "", 0, a->name.ptr, a->name.len, a->value.ptr, a->value.len);
    }
}

static int is_restart_element(const xc_xml_node *e)
{
    return xc_str_eq(e->name, XC_STR_LIT("starttls")) || xc_str_eq(e->name, XC_STR_LIT("proceed")) ||
           xc_str_eq(e->name, XC_STR_LIT("success"));
}

/* One event at end offset `off` in the stream. */
static void on_event(run *r, xc_xml_event ev, size_t off)
{
    static uint8_t out[WRITE_CAP];
    const xc_xml_tree *t = xc_xml_tree_of(&r->p);
    const xc_xml_node *e;
    size_t n = 0, i, ws = 0;
    uint8_t k = (uint8_t)ev;

    if (ev == XC_XML_NEED_MORE)
        return;
    fx_put(&r->log, &k, 1);
    if (ev == XC_XML_EV_ERROR) {
        fx_put_u32(&r->log, (uint32_t)xc_xml_error(&r->p));
        if (xc_xml_error(&r->p) == XC_SE_NONE || xc_xml_error(&r->p) == XC_SE_INTERNAL_SERVER_ERROR)
            abort();
        r->stopped = 1;
        return;
    }
    fx_put_u32(&r->log, (uint32_t)off);
    switch (ev) {
    case XC_XML_EV_STREAM_OPEN:
        log_header(r);
        break;
    case XC_XML_EV_ELEMENT:
        e = xc_xml_element(&r->p);
        if (e == NULL || xc_xml_header(&r->p) == NULL)
            abort();
        fx_check_element(&r->p, e);
        /* raw stanza bytes: only whitespace may precede the element since the last event */
        for (i = r->prev; i < off && (r->data[i] == ' ' || r->data[i] == '\t' || r->data[i] == '\r' || r->data[i] == '\n'); i++)
            ws++;
        if (off - r->prev - ws > r->p.lim.max_stanza_bytes)
            abort();
        if (xc_xml_write(t, xc_xml_index_of(t, e), XC_STR_LIT(XC_NS_CLIENT), out, sizeof(out), &n) != XC_XML_WRITE_OK)
            fx_put(&r->log, "!", 1);
        if (n > sizeof(out))
            abort();
        fx_put_u32(&r->log, (uint32_t)n);
        fx_put(&r->log, out, n);
        if (r->roundtrip)
            round_trip(&r->p, e);
        if ((mode & 0x40) && is_restart_element(e)) {
            xc_xml_reset(&r->p);
            fx_put(&r->log, "R", 1);
        }
        if (mode & 0x80) {
            r->toggled = !r->toggled;
            xc_xml_set_limits(&r->p, r->toggled ? (chosen == &xc_xml_limits_preauth ? &xc_xml_limits_c2s
                                                                                     : &xc_xml_limits_preauth)
                                                : chosen);
        }
        break;
    case XC_XML_EV_STREAM_CLOSE:
        if (xc_xml_element(&r->p) != NULL)
            abort();
        break;
    default:
        abort();
    }
    r->prev = off;
}

/* Feeds buf[0 .. n-1], which sits at offset `base` of the stream. */
static void feed(run *r, const uint8_t *buf, size_t n, size_t base)
{
    size_t used = 0;
    while (used < n && !r->stopped) {
        size_t c = (size_t)-1;
        xc_xml_event ev = xc_xml_feed(&r->p, buf + used, n - used, &c);
        if (c > n - used)
            abort();
        if (ev == XC_XML_NEED_MORE && c == 0)
            abort();
        used += c;
        on_event(r, ev, base + used);
    }
}

/* Events that need no input (the close after <stream:stream/>). */
static void drain(run *r, size_t end)
{
    int guard;
    for (guard = 0; guard < 4 && !r->stopped; guard++) {
        size_t c = (size_t)-1;
        xc_xml_event ev = xc_xml_feed(&r->p, NULL, 0, &c);
        if (c != 0)
            abort();
        if (ev == XC_XML_NEED_MORE)
            return;
        on_event(r, ev, end);
    }
    if (!r->stopped)
        abort(); /* more than a few events out of no input */
}

static void run_init(run *r, int slot, const uint8_t *stream, int roundtrip)
{
    r->log.len = 0;
    r->data = stream;
    r->prev = 0;
    r->stopped = 0;
    r->toggled = 0;
    r->roundtrip = roundtrip;
    fx_parser_init(&r->p, slot, content, chosen, chosen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t max_piece[8] = { 1, 2, 3, 5, 8, 16, 32, 64 };
    static run whole, split;
    const uint8_t *s;
    size_t n, off = 0;
    uint32_t seed;

    if (size < 1)
        return 0;
    mode = data[0];
    s = data + 1;
    n = size - 1;
    content = (mode & 1) ? XC_XML_CONTENT_SERVER : XC_XML_CONTENT_CLIENT;
    switch ((mode >> 1) & 3) {
    case 0: chosen = &xc_xml_limits_preauth; break;
    case 1: chosen = &xc_xml_limits_c2s; break;
    case 2: chosen = &xc_xml_limits_s2s; break;
    default: chosen = &tiny_limits; break;
    }

    run_init(&whole, 0, s, 1);
    feed(&whole, s, n, 0);
    drain(&whole, n);

    run_init(&split, 1, s, 0);
    seed = (uint32_t)n * 2654435761u ^ mode;
    while (off < n && !split.stopped) {
        size_t piece;
        uint8_t *copy;
        seed = seed * 1103515245u + 12345u;
        piece = 1 + (seed >> 8) % max_piece[(mode >> 3) & 7];
        if (piece > n - off)
            piece = n - off;
        copy = malloc(piece);
        if (copy == NULL)
            abort();
        memcpy(copy, s + off, piece);
        feed(&split, copy, piece, off);
        free(copy);
        off += piece;
    }
    drain(&split, n);

    if (whole.log.len != split.log.len ||
        (whole.log.len > 0 && memcmp(whole.log.p, split.log.p, whole.log.len) != 0))
        abort();
    return 0;
}
