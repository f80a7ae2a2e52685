/*
 * support_s2s.c — configuration, memory, randomness and parse-back of the s2s harnesses (see
 * support_s2s.h). Nothing here depends on tests/.
 */
#include <stdlib.h>
#include <string.h>

#include "support_s2s.h"
#include "xc_str.h"

xc_s2s_config fs2s_cfg;

static xc_s2s_memory mem;
static int ready;
static uint32_t rnd_counter;
static uint8_t rnd_buf[XC_S2S_RANDOM_BYTES];

static xc_xml_parser check;
static xc_xml_memory check_mem;
static uint8_t *check_buf;
static size_t check_cap;

#define FS2S_HDR_CLIENT "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
#define FS2S_HDR_SERVER "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"

/* the parse-back caps: room for whatever a route or out buffer (6 * 512 KiB + 4 KiB) holds */
static const xc_xml_limits check_lim = {
    .max_stanza_bytes = 0x400000u, .max_header_bytes = 4096u, .max_elements = 0x100000u,
    .max_arena_bytes = 0x1000000u, .max_depth = 64u, .max_attrs = 128u, .max_ns_decls = 128u,
    .max_name_bytes = 2048u,
};

static void *xalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

static void setup_once(void)
{
    static const char secret[] = FS2S_SECRET;
    xc_xml_memory need;

    if (ready)
        return;
    ready = 1;
    fs2s_cfg.hosts[0] = XC_STR_LIT(FS2S_HOST);
    fs2s_cfg.hosts[1] = XC_STR_LIT(FS2S_HOST2);
    fs2s_cfg.n_hosts = 2;
    fs2s_cfg.gone[0] = XC_STR_LIT("old.example.com");
    fs2s_cfg.n_gone = 1;
    fs2s_cfg.allow[0] = XC_STR_LIT(FS2S_PEER);
    fs2s_cfg.allow[1] = XC_STR_LIT("pubsub.remote.example");
    fs2s_cfg.n_allow = 2;
    fs2s_cfg.queue_max = 3;
    fs2s_cfg.verify_max = 2;
    fs2s_cfg.limits = xc_xml_limits_s2s;
    xc_db_secret_init(&fs2s_cfg.secret, secret, sizeof secret - 1);
    xc_xml_memory_need(&fs2s_cfg.limits, &need);
    mem.xml.nodes = xalloc(need.nodes_n * sizeof(xc_xml_node));
    mem.xml.attrs = xalloc(need.attrs_n * sizeof(xc_xml_attr));
    mem.xml.bytes = xalloc(need.bytes_n);
    mem.xml.nodes_n = need.nodes_n;
    mem.xml.attrs_n = need.attrs_n;
    mem.xml.bytes_n = need.bytes_n;
    mem.out_cap = 6u * fs2s_cfg.limits.max_stanza_bytes + 4096u;
    mem.out = xalloc(mem.out_cap);
    mem.route_cap = 6u * fs2s_cfg.limits.max_stanza_bytes + 4096u;
    mem.route = xalloc(mem.route_cap);
    xc_xml_memory_need(&check_lim, &need);
    check_mem.nodes_n = need.nodes_n;
    check_mem.attrs_n = need.attrs_n;
    check_mem.bytes_n = need.bytes_n;
    check_mem.nodes = xalloc(check_mem.nodes_n * sizeof(xc_xml_node));
    check_mem.attrs = xalloc(check_mem.attrs_n * sizeof(xc_xml_attr));
    check_mem.bytes = xalloc(check_mem.bytes_n);
    check_cap = sizeof(FS2S_HDR_CLIENT) + mem.route_cap;
    check_buf = xalloc(check_cap);
}

xc_s2s_memory fs2s_setup(uint8_t opt, uint8_t squeeze)
{
    static const xc_s2s_policy pol[4] = { XC_S2S_POLICY_OPEN, XC_S2S_POLICY_ALLOWLIST, XC_S2S_POLICY_CLOSED,
                                          XC_S2S_POLICY_OPEN };
    xc_s2s_memory m;

    setup_once();
    fs2s_cfg.require_tls = opt & 1u;
    fs2s_cfg.plain_dialback = (opt >> 1) & 1u;
    fs2s_cfg.policy = pol[(opt >> 2) & 3u];
    m = mem;
    /* allocation-failure injection: one pool holds only `squeeze` entries (its tail, for ASan) */
    switch ((opt >> 4) & 3u) {
    case 1: m.xml.nodes += m.xml.nodes_n - squeeze; m.xml.nodes_n = squeeze; break;
    case 2: m.xml.attrs += m.xml.attrs_n - squeeze; m.xml.attrs_n = squeeze; break;
    case 3: m.xml.bytes += m.xml.bytes_n - 16u * squeeze; m.xml.bytes_n = 16u * squeeze; break;
    default: break;
    }
    return m;
}

void fs2s_rnd_reset(void)
{
    rnd_counter = 0;
}

const uint8_t *fs2s_rnd(void)
{
    uint32_t i;

    rnd_counter++;
    for (i = 0; i < XC_S2S_RANDOM_BYTES; i++)
        rnd_buf[i] = (uint8_t)(rnd_counter * 16u + i);
    return rnd_buf;
}

const xc_xml_node *fs2s_parse_one(const uint8_t *b, size_t n, xc_xml_content_ns ns, const xc_xml_tree **tree)
{
    const char *hdr = ns == XC_XML_CONTENT_CLIENT ? FS2S_HDR_CLIENT : FS2S_HDR_SERVER;
    size_t hl = strlen(hdr), used = 0, used2 = 0;
    xc_xml_memory m;
    const xc_xml_node *e;

    setup_once();
    m = check_mem;
    if (n == 0 || n > check_cap - hl)
        abort();
    memcpy(check_buf, hdr, hl);
    memcpy(check_buf + hl, b, n);
    xc_xml_init(&check, ns, &check_lim, &m);
    if (xc_xml_feed(&check, check_buf, hl + n, &used) != XC_XML_EV_STREAM_OPEN || used != hl)
        abort();
    if (xc_xml_feed(&check, check_buf + used, n, &used2) != XC_XML_EV_ELEMENT || used2 != n)
        abort();
    e = xc_xml_element(&check);
    if (e == NULL)
        abort();
    *tree = xc_xml_tree_of(&check);
    return e;
}

xc_str fs2s_attr(const xc_xml_tree *t, const xc_xml_node *e, const char *name)
{
    xc_str none = { NULL, 0 };
    xc_str nm = { name, (uint32_t)strlen(name) };
    const xc_xml_attr *a = xc_xml_attr_find(t, e, XC_STR_LIT(""), nm);

    return a != NULL ? a->value : none;
}

const xc_s2s_peer_cert *fs2s_cert(uint8_t ctl, const uint8_t *extra, size_t extra_len)
{
    static xc_cn_name names[2];
    static xc_s2s_peer_cert cert;
    uint32_t n = 0;

    if ((ctl >> 4) & 1u) {
        names[n].kind = XC_CN_DNS;
        names[n].value = XC_STR_LIT(FS2S_PEER);
        n++;
    }
    if ((ctl >> 5) & 1u) {
        names[n].kind = (xc_cn_kind)(ctl >> 6);
        names[n].value.ptr = (const char *)extra;
        names[n].value.len = (uint32_t)extra_len;
        n++;
    }
    cert.chain_ok = (ctl >> 3) & 1u;
    cert.names = names;
    cert.n_names = n;
    return &cert;
}

int fs2s_str_eq(xc_str a, xc_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}
