/*
 * fuzz_stanza_reply.c — the error reply to a stanza held as bytes (src/core/xc_stanza_reply.h):
 * what the shell does with queued outbound s2s stanzas whose stream failed and with stanzas for
 * nobody.
 *
 * Input: byte 0 bit 0 namespace (0 jabber:server, 1 jabber:client), bits 1-3 error type
 *        (% XC_STZ_T_COUNT), bits 4-5 squeezed replier pool (0 none, 1 nodes, 2 attrs, 3 bytes:
 *        entries = byte 3); byte 1 condition (% XC_STZ_COUNT); byte 2 the output capacity
 *        (0: 64 KiB, else byte * 8); byte 3 the squeeze; the rest is the stanza.
 *
 * It aborts when:
 *  - the status is out of range, *out_len > cap, or a status other than OK leaves *out_len != 0;
 *  - an OK reply does not parse back (behind a header of the same namespace) as exactly one
 *    element of the same name with type='error', the same id, a to, and an <error/> element as
 *    its last child, or reply_to has no domain;
 *  - the original is itself type='error' and gets a reply;
 *  - the same call again gives another status or other bytes (no state leaks between calls);
 *  - an OK reply of n bytes is not produced identically with a capacity of exactly n.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "support_s2s.h"
#include "xc_stanza_reply.h"
#include "xc_str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX 65536u

static xc_xml_memory pool;
static uint8_t *out1, *out2;
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
    xc_xml_memory_need(&xc_xml_limits_s2s, &need);
    pool.nodes = xalloc(need.nodes_n * sizeof(xc_xml_node));
    pool.attrs = xalloc(need.attrs_n * sizeof(xc_xml_attr));
    pool.bytes = xalloc(need.bytes_n);
    pool.nodes_n = need.nodes_n;
    pool.attrs_n = need.attrs_n;
    pool.bytes_n = need.bytes_n;
    out1 = xalloc(OUT_MAX);
    out2 = xalloc(OUT_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xc_stanza_replier r;
    xc_xml_memory m;
    xc_xml_content_ns ns;
    xc_stanza_error_type type;
    xc_stanza_error cond;
    xc_reply_status st, st2;
    xc_jid to1, to2;
    size_t cap, n1 = 12345u, n2 = 12345u;
    const uint8_t *stanza;
    size_t len;
    uint8_t squeeze;

    if (size < 4)
        return 0;
    setup_once();
    ns = (data[0] & 1u) ? XC_XML_CONTENT_CLIENT : XC_XML_CONTENT_SERVER;
    type = (xc_stanza_error_type)(((data[0] >> 1) & 7u) % XC_STZ_T_COUNT);
    cond = (xc_stanza_error)(data[1] % XC_STZ_COUNT);
    cap = data[2] == 0 ? OUT_MAX : (size_t)data[2] * 8u;
    squeeze = data[3];
    stanza = data + 4;
    len = size - 4;
    m = pool;
    switch ((data[0] >> 4) & 3u) {
    case 1: m.nodes += m.nodes_n - squeeze; m.nodes_n = squeeze; break;
    case 2: m.attrs += m.attrs_n - squeeze; m.attrs_n = squeeze; break;
    case 3: m.bytes += m.bytes_n - 16u * squeeze; m.bytes_n = 16u * squeeze; break;
    default: break;
    }
    /* the stanza in its own exactly sized block, so a read past it hits ASan's redzone */
    {
        uint8_t *copy = xalloc(len);
        if (len)
            memcpy(copy, stanza, len);
        stanza = copy;
    }
    /* the output at the tail of its buffer, likewise */
    xc_stanza_replier_init(&r, &xc_xml_limits_s2s, &m);
    st = xc_stanza_reply(&r, stanza, len, ns, type, cond, out1 + OUT_MAX - cap, cap, &n1, &to1);
    if (st != XC_REPLY_OK && st != XC_REPLY_NONE && st != XC_REPLY_NO_ROOM)
        abort();
    if (n1 > cap || (st != XC_REPLY_OK && n1 != 0))
        abort();
    st2 = xc_stanza_reply(&r, stanza, len, ns, type, cond, out2 + OUT_MAX - cap, cap, &n2, &to2);
    if (st2 != st || n2 != n1 || (n1 && memcmp(out1 + OUT_MAX - cap, out2 + OUT_MAX - cap, n1) != 0))
        abort();
    if (st == XC_REPLY_OK) {
        const uint8_t *reply = out1 + OUT_MAX - cap;
        const xc_xml_tree *t;
        const xc_xml_node *e, *oe, *last;
        xc_str rtype, rid, rto, oid, ofrom, otype;
        char oname[256];
        uint32_t oname_len;

        if (n1 == 0 || to1.domain_len == 0)
            abort();
        /* the original's name, id, from and type (its own parse, before the reply's) */
        oe = fs2s_parse_one(stanza, len, ns, &t);
        if (oe->name.len > sizeof oname)
            abort();
        memcpy(oname, oe->name.ptr, oe->name.len);
        oname_len = oe->name.len;
        otype = fs2s_attr(t, oe, "type");
        if (otype.len == 5 && memcmp(otype.ptr, "error", 5) == 0)
            abort();
        {
            static char oid_buf[OUT_MAX], ofrom_buf[OUT_MAX];
            oid = fs2s_attr(t, oe, "id");
            ofrom = fs2s_attr(t, oe, "from");
            if (oid.len)
                memcpy(oid_buf, oid.ptr, oid.len);
            if (ofrom.len)
                memcpy(ofrom_buf, ofrom.ptr, ofrom.len);
            oid.ptr = oid_buf;
            ofrom.ptr = ofrom_buf;
        }
        e = fs2s_parse_one(reply, n1, ns, &t);
        rtype = fs2s_attr(t, e, "type");
        rid = fs2s_attr(t, e, "id");
        rto = fs2s_attr(t, e, "to");
        if (e->name.len != oname_len || memcmp(e->name.ptr, oname, oname_len) != 0)
            abort();
        if (rtype.len != 5 || memcmp(rtype.ptr, "error", 5) != 0)
            abort();
        if (!fs2s_str_eq(rid, oid) || rto.len == 0)
            abort();
        (void)ofrom;
        if (e->last_child == XC_XML_NONE)
            abort();
        last = &t->nodes[e->last_child];
        if (last->kind != XC_XML_ELEMENT_NODE || last->name.len != 5 || memcmp(last->name.ptr, "error", 5) != 0)
            abort();
        /* exactly the room it needs is enough */
        st2 = xc_stanza_reply(&r, stanza, len, ns, type, cond, out2 + OUT_MAX - n1, n1, &n2, &to2);
        if (st2 != XC_REPLY_OK || n2 != n1 || memcmp(out2 + OUT_MAX - n1, reply, n1) != 0)
            abort();
    }
    free((void *)stanza);
    return 0;
}
