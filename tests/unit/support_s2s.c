/*
 * support_s2s.c — the shared fixture of the s2s unit tests (see support_s2s.h).
 */
#include <stdlib.h>
#include <string.h>

#include "support_s2s.h"
#include "xc_str.h"

static void *xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

s2s_fixture *s2s_new(void)
{
    s2s_fixture *f = xalloc(sizeof *f);
    xc_xml_memory need;
    static const char secret[] = "s3cr3t-dialback-secret-for-tests";

    f->cfg.hosts[0] = XC_STR_LIT(S2S_HOST);
    f->cfg.hosts[1] = XC_STR_LIT("other.example.com");
    f->cfg.n_hosts = 2;
    f->cfg.gone[0] = XC_STR_LIT("old.example.com");
    f->cfg.n_gone = 1;
    f->cfg.policy = XC_S2S_POLICY_OPEN;
    f->cfg.require_tls = 1;
    f->cfg.plain_dialback = 0;
    f->cfg.queue_max = 3;
    f->cfg.verify_max = 2;
    f->cfg.limits = xc_xml_limits_s2s;
    xc_db_secret_init(&f->cfg.secret, secret, sizeof secret - 1);
    xc_xml_memory_need(&f->cfg.limits, &need);
    f->mem.xml.nodes = xalloc(need.nodes_n * sizeof(xc_xml_node));
    f->mem.xml.attrs = xalloc(need.attrs_n * sizeof(xc_xml_attr));
    f->mem.xml.bytes = xalloc(need.bytes_n);
    f->mem.xml.nodes_n = need.nodes_n;
    f->mem.xml.attrs_n = need.attrs_n;
    f->mem.xml.bytes_n = need.bytes_n;
    f->mem.out_cap = 6u * f->cfg.limits.max_stanza_bytes + 4096u;
    f->mem.out = xalloc(f->mem.out_cap);
    f->mem.route_cap = 6u * f->cfg.limits.max_stanza_bytes + 4096u;
    f->mem.route = xalloc(f->mem.route_cap);
    return f;
}

void s2s_free(s2s_fixture *f)
{
    free(f->mem.xml.nodes);
    free(f->mem.xml.attrs);
    free(f->mem.xml.bytes);
    free(f->mem.out);
    free(f->mem.route);
    free(f);
}

const uint8_t *s2s_rnd(s2s_fixture *f)
{
    uint32_t i;

    f->rnd_counter++;
    for (i = 0; i < XC_S2S_RANDOM_BYTES; i++)
        f->rnd[i] = (uint8_t)(f->rnd_counter * 16u + i);
    return f->rnd;
}

void s2s_append(s2s_fixture *f, const uint8_t *b, size_t n)
{
    if (f->sent_len + n >= S2S_SENT_MAX)
        abort();
    memcpy(f->sent + f->sent_len, b, n);
    f->sent_len += n;
    f->sent[f->sent_len] = '\0';
}

void s2s_clear(s2s_fixture *f)
{
    f->sent_len = 0;
    f->sent[0] = '\0';
}

void s2s_key(const s2s_fixture *f, const char *receiving, const char *originating, const char *id,
             char out[XC_DB_KEY_LEN + 1])
{
    xc_str r = { receiving, (uint32_t)strlen(receiving) };
    xc_str o = { originating, (uint32_t)strlen(originating) };
    xc_str i = { id, (uint32_t)strlen(id) };

    if (xc_db_key(&f->cfg.secret, r, o, i, out) != XC_DB_OK)
        abort();
    out[XC_DB_KEY_LEN] = '\0';
}
