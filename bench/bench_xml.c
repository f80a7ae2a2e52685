/*
 * bench_xml.c — our stream parser beside expat on the same in-memory XMPP stream.
 *
 * The corpus (~8 MB per variant, deterministic) is what a busy c2s/s2s stream carries:
 * messages with short and long bodies, chat states and receipts, presence with XEP-0115 caps
 * and MUC extensions, iq with deep payloads (rosters of 200 items, disco#info results),
 * ~10% non-ASCII text (CJK, Cyrillic, emoji), entity and character references, xml:lang.
 *
 * (a) ours: xc_xml_feed with c2s limits over 16 KiB reads, every event consumed; the tree of
 *     each ELEMENT is walked (elements counted) as a consumer would.
 * (b) expat: XML_ParserCreateNS, callbacks that build an equivalent tree per first-level
 *     element in an arena (element nodes with resolved names, attributes copied, text merged),
 *     discarded when the element ends; the same 16 KiB reads.
 * 7 runs of each, interleaved; the median throughput is printed with the ratio.
 */
#define _GNU_SOURCE
#include <expat.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xc_xml.h"
#include "xc_xml_tree.h"

#define READ 16384u
#define RUNS 7
#define TARGET (8u << 20)

/* ---- corpus --------------------------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->cap + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            abort();
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

static uint32_t rng = 0x2545F491u;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng % n;
}

static const char *words[] = { "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "meeting",
                               "tomorrow", "at", "noon", "&amp;", "&lt;3", "see", "you", "there", "ok",
                               "https://example.org/a?b=1&amp;c=2", "&quot;quoted&quot;" };
static const char *intl[] = { "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c",                 /* CJK */
                              "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",                 /* Cyrillic */
                              "\xf0\x9f\x98\x80\xf0\x9f\x8e\x89",                                 /* emoji */
                              "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf",     /* kana */
                              "caf\xc3\xa9 na\xc3\xafve" };

static void text(buf *b, int nwords)
{
    int i;
    for (i = 0; i < nwords; i++) {
        if (i)
            put(b, " ");
        put(b, rnd(10) == 0 ? intl[rnd(5)] : words[rnd(20)]);
    }
    if (rnd(8) == 0)
        put(b, " &#x1F44D;");
}

static void message(buf *b, int long_body)
{
    char s[256];
    snprintf(s, sizeof(s), "<message type='chat' id='m%u' to='user%u@example.com/res' xml:lang='%s'>", rnd(1000000),
             rnd(1000), rnd(10) == 0 ? "ru" : "en");
    put(b, s);
    put(b, "<body>");
    text(b, long_body ? 300 + (int)rnd(600) : 3 + (int)rnd(20));
    put(b, "</body><active xmlns='http://jabber.org/protocol/chatstates'/>");
    if (rnd(2))
        put(b, "<request xmlns='urn:xmpp:receipts'/><origin-id xmlns='urn:xmpp:sid:0' id='a1b2c3d4'/>");
    put(b, "</message>\n");
}

static void presence(buf *b)
{
    char s[256];
    snprintf(s, sizeof(s), "<presence from='user%u@example.com/gajim.%u' to='room%u@muc.example.com/nick%u'>", rnd(1000),
             rnd(100000), rnd(50), rnd(100));
    put(b, s);
    put(b, "<show>away</show><status>");
    text(b, 4);
    put(b, "</status><priority>5</priority><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
           "node='https://gajim.org' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>"
           "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' "
           "jid='user@example.com/res'><actor nick='admin'/><reason>");
    text(b, 3);
    put(b, "</reason></item><status code='110'/></x><x xmlns='vcard-temp:x:update'><photo>"
           "01b87fcd030b72895ff8e88db57ec525450f000d</photo></x></presence>\n");
}

static void roster(buf *b)
{
    char s[256];
    int i;
    put(b, "<iq type='result' id='roster_1' to='juliet@example.com/balcony'><query xmlns='jabber:iq:roster' ver='v42'>");
    for (i = 0; i < 200; i++) {
        snprintf(s, sizeof(s), "<item jid='contact%d@example%d.org' name='%s %d' subscription='both'><group>%s</group></item>",
                 i, i % 7, rnd(10) == 0 ? intl[rnd(5)] : "Contact", i, rnd(3) ? "Friends" : "Work &amp; Co");
        put(b, s);
    }
    put(b, "</query></iq>\n");
}

static void disco(buf *b)
{
    static const char *features[] = { "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
                                      "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc",
                                      "urn:xmpp:ping", "urn:xmpp:receipts", "urn:xmpp:carbons:2", "jabber:iq:version",
                                      "urn:xmpp:mam:2", "http://jabber.org/protocol/chatstates" };
    int i;
    put(b, "<iq type='result' id='disco1' from='example.com'><query xmlns='http://jabber.org/protocol/disco#info'>"
           "<identity category='server' type='im' name='xmppd'/><identity category='pubsub' type='pep'/>");
    for (i = 0; i < 10; i++) {
        put(b, "<feature var='");
        put(b, features[i]);
        put(b, "'/>");
    }
    put(b, "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'>"
           "<value>http://jabber.org/network/serverinfo</value></field><field var='abuse-addresses'>"
           "<value>mailto:abuse@example.com</value><value>xmpp:abuse@example.com</value></field></x></query></iq>\n");
}

/* kind: 0 mixed, 1 chat (messages and presence), 2 iq payloads */
static buf corpus(int kind)
{
    buf b = { 0 };
    rng = 0x2545F491u + (uint32_t)kind;
    put(&b, "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
            "to='example.com' version='1.0' xml:lang='en'>\n");
    while (b.len < TARGET) {
        uint32_t r = rnd(100);
        if (kind == 1)
            r = r < 50 ? 0 : (r < 55 ? 40 : 90);
        else if (kind == 2)
            r = r < 50 ? 96 : 99;
        if (r < 50)
            message(&b, 0);
        else if (r < 60)
            message(&b, 1);
        else if (r < 95)
            presence(&b);
        else if (r < 98)
            roster(&b);
        else
            disco(&b);
    }
    return b;
}

/* ---- ours ------------------------------------------------------------------------------- */

static size_t count_elements(const xc_xml_tree *t, const xc_xml_node *e)
{
    /* pre-order walk over the tree, as a consumer would look at every node */
    uint32_t root = xc_xml_index_of(t, e), i = root;
    size_t n = 0;
    for (;;) {
        const xc_xml_node *x = xc_xml_node_at(t, i);
        if (x->kind == XC_XML_ELEMENT_NODE)
            n++;
        if (x->first_child != XC_XML_NONE) {
            i = x->first_child;
            continue;
        }
        while (i != root && x->next == XC_XML_NONE) {
            i = x->parent;
            x = xc_xml_node_at(t, i);
        }
        if (i == root)
            return n;
        i = x->next;
    }
}

static size_t run_ours(const buf *c)
{
    static xc_xml_parser p;
    static xc_xml_memory m;
    size_t off = 0, elements = 0;

    if (m.nodes == NULL) {
        xc_xml_memory_need(&xc_xml_limits_c2s, &m);
        m.nodes = calloc(m.nodes_n, sizeof(*m.nodes));
        m.attrs = calloc(m.attrs_n, sizeof(*m.attrs));
        m.bytes = calloc(m.bytes_n, 1);
        if (!m.nodes || !m.attrs || !m.bytes)
            abort();
    }
    xc_xml_init(&p, XC_XML_CONTENT_CLIENT, &xc_xml_limits_c2s, &m);
    while (off < c->len) {
        size_t n = c->len - off < READ ? c->len - off : READ, used = 0;
        while (used < n) {
            size_t k = 0;
            xc_xml_event ev = xc_xml_feed(&p, (const uint8_t *)c->p + off + used, n - used, &k);
            used += k;
            if (ev == XC_XML_EV_ELEMENT) {
                elements += count_elements(xc_xml_tree_of(&p), xc_xml_element(&p));
            } else if (ev == XC_XML_EV_ERROR) {
                fprintf(stderr, "ours: %s (%s) at %zu\n", xc_stream_error_name(xc_xml_error(&p))->ptr, p.error_reason,
                        off + used);
                exit(1);
            }
        }
        off += n;
    }
    return elements;
}

/* ---- expat, building the same kind of tree ---------------------------------------------- */

typedef struct enode {
    const char *ns, *name, *text;
    uint32_t ns_len, name_len, text_len;
    uint32_t parent, first_child, last_child, next;
    uint32_t attr_first, n_attrs;
    int kind;
} enode;

typedef struct eattr {
    const char *ns, *name, *value;
    uint32_t ns_len, name_len, value_len;
} eattr;

typedef struct etree {
    enode *nodes;
    eattr *attrs;
    char *bytes;
    size_t n_nodes, n_attrs, n_bytes, cap_nodes, cap_attrs, cap_bytes;
    uint32_t cur;
    int depth;
    char *pending;
    size_t pending_len, pending_cap;
    size_t elements;
} etree;

#define ENONE 0xFFFFFFFFu

static const char *ecopy(etree *t, const char *s, size_t n)
{
    char *d;
    if (t->n_bytes + n > t->cap_bytes)
        abort();
    d = t->bytes + t->n_bytes;
    memcpy(d, s, n);
    t->n_bytes += n;
    return d;
}

static uint32_t enew(etree *t, int kind)
{
    enode *n;
    if (t->n_nodes >= t->cap_nodes)
        abort();
    n = &t->nodes[t->n_nodes];
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->parent = t->cur;
    n->first_child = n->last_child = n->next = ENONE;
    if (t->cur != ENONE) {
        enode *p = &t->nodes[t->cur];
        if (p->last_child == ENONE)
            p->first_child = (uint32_t)t->n_nodes;
        else
            t->nodes[p->last_child].next = (uint32_t)t->n_nodes;
        p->last_child = (uint32_t)t->n_nodes;
    }
    return (uint32_t)t->n_nodes++;
}

static void split_copy(etree *t, const char *qn, const char **ns, uint32_t *ns_len, const char **name, uint32_t *name_len)
{
    const char *sep = strchr(qn, '\x01');
    if (sep == NULL) {
        *ns = NULL;
        *ns_len = 0;
        *name_len = (uint32_t)strlen(qn);
        *name = ecopy(t, qn, *name_len);
    } else {
        *ns_len = (uint32_t)(sep - qn);
        *ns = ecopy(t, qn, *ns_len);
        *name_len = (uint32_t)strlen(sep + 1);
        *name = ecopy(t, sep + 1, *name_len);
    }
}

static void eflush(etree *t)
{
    uint32_t i;
    if (t->pending_len == 0 || t->depth < 2)
        return;
    i = enew(t, 2);
    t->nodes[i].text = ecopy(t, t->pending, t->pending_len);
    t->nodes[i].text_len = (uint32_t)t->pending_len;
    t->pending_len = 0;
}

static void XMLCALL e_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    etree *t = ud;
    uint32_t i, k;
    t->depth++;
    if (t->depth < 2)
        return;
    eflush(t);
    i = enew(t, 1);
    split_copy(t, name, &t->nodes[i].ns, &t->nodes[i].ns_len, &t->nodes[i].name, &t->nodes[i].name_len);
    t->nodes[i].attr_first = (uint32_t)t->n_attrs;
    for (k = 0; atts[2 * k] != NULL; k++) {
        eattr *a;
        if (t->n_attrs >= t->cap_attrs)
            abort();
        a = &t->attrs[t->n_attrs++];
        split_copy(t, atts[2 * k], &a->ns, &a->ns_len, &a->name, &a->name_len);
        a->value_len = (uint32_t)strlen(atts[2 * k + 1]);
        a->value = ecopy(t, atts[2 * k + 1], a->value_len);
    }
    t->nodes[i].n_attrs = k;
    t->cur = i;
    t->elements++;
}

static void XMLCALL e_end(void *ud, const XML_Char *name)
{
    etree *t = ud;
    (void)name;
    if (t->depth >= 2) {
        eflush(t);
        t->cur = t->nodes[t->cur].parent;
        if (t->depth == 2) { /* a first-level element is complete: discard its tree */
            t->n_nodes = t->n_attrs = t->n_bytes = 0;
            t->cur = ENONE;
        }
    }
    t->depth--;
}

static void XMLCALL e_text(void *ud, const XML_Char *s, int len)
{
    etree *t = ud;
    if (t->depth < 2)
        return;
    if (t->pending_len + (size_t)len > t->pending_cap) {
        t->pending_cap = (t->pending_len + (size_t)len) * 2;
        t->pending = realloc(t->pending, t->pending_cap);
        if (t->pending == NULL)
            abort();
    }
    memcpy(t->pending + t->pending_len, s, (size_t)len);
    t->pending_len += (size_t)len;
}

static size_t run_expat(const buf *c)
{
    static etree t;
    XML_Parser x = XML_ParserCreateNS(NULL, '\x01');
    size_t off = 0;

    if (t.nodes == NULL) {
        t.cap_nodes = 1u << 16;
        t.cap_attrs = 1u << 16;
        t.cap_bytes = 4u << 20;
        t.nodes = malloc(t.cap_nodes * sizeof(*t.nodes));
        t.attrs = malloc(t.cap_attrs * sizeof(*t.attrs));
        t.bytes = malloc(t.cap_bytes);
        if (!t.nodes || !t.attrs || !t.bytes)
            abort();
    }
    t.n_nodes = t.n_attrs = t.n_bytes = t.pending_len = t.elements = 0;
    t.cur = ENONE;
    t.depth = 0;
    XML_SetUserData(x, &t);
    XML_SetElementHandler(x, e_start, e_end);
    XML_SetCharacterDataHandler(x, e_text);
    while (off < c->len) {
        size_t n = c->len - off < READ ? c->len - off : READ;
        if (XML_Parse(x, c->p + off, (int)n, 0) != XML_STATUS_OK) {
            fprintf(stderr, "expat: %s at %ld\n", XML_ErrorString(XML_GetErrorCode(x)), (long)XML_GetCurrentByteIndex(x));
            exit(1);
        }
        off += n;
    }
    XML_ParserFree(x);
    return t.elements;
}

/* ---- timing ----------------------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const char *names[] = { "mixed", "chat", "iq" };
    int cpu = argc > 1 ? atoi(argv[1]) : -1;
    int only = argc > 2 ? atoi(argv[2]) : -1; /* profile one side: 0 ours, 1 expat */
    double sum_ratio = 1.0;
    double total_mb = 0;
    int v;

    for (v = 0; v < 3; v++) {
        buf c = corpus(v);
        double ours[RUNS], theirs[RUNS], mb = (double)c.len / 1e6;
        size_t eo = 0, ee = 0;
        int r;
        for (r = 0; r < RUNS; r++) {
            double t0 = now(), t1, t2;
            if (only != 1)
                eo = run_ours(&c);
            t1 = now();
            if (only != 0)
                ee = run_expat(&c);
            t2 = now();
            ours[r] = mb / (t1 - t0);
            theirs[r] = mb / (t2 - t1);
        }
        qsort(ours, RUNS, sizeof(double), cmp_double);
        qsort(theirs, RUNS, sizeof(double), cmp_double);
        if (only < 0 && eo != ee) {
            fprintf(stderr, "%s: element counts differ: xmppd %zu, expat %zu\n", names[v], eo, ee);
            return 1;
        }
        printf("xml/%s: xmppd %.1f MB/s, expat %.1f MB/s, ratio %.2fx (median of %d, %.1f MB, %zu elements both, "
               "pinned cpu %d)\n",
               names[v], ours[RUNS / 2], theirs[RUNS / 2], ours[RUNS / 2] / theirs[RUNS / 2], RUNS, mb, eo, cpu);
        sum_ratio *= ours[RUNS / 2] / theirs[RUNS / 2];
        total_mb += mb;
        free(c.p);
    }
    printf("xml: geometric mean ratio xmppd/expat %.2fx over 3 variants (%.1f MB)\n", cbrt(sum_ratio), total_mb);
    return 0;
}
