/*
 * fuzz_jid.c — xc_jid_parse with the libidn stringprep adapter (RFC 3920 §3).
 *
 * Properties checked on every input:
 *  - split and parse agree on the errors split can see;
 *  - on failure every length is 0; on success each part is within 1023 bytes, the domain is
 *    not empty, and the formatted full JID is at most 3071 bytes;
 *  - preparation is idempotent: formatting the parsed JID and parsing that again gives the
 *    identical JID (same bytes, same lengths), and the bare form parses to the same bare JID.
 * The input is copied into an exactly sized heap buffer so ASan catches any over-read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xc_jid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_jid(const xc_jid *j)
{
    if (j->node_len > XC_JID_PART_MAX || j->domain_len < 1 || j->domain_len > XC_JID_PART_MAX ||
        j->resource_len > XC_JID_PART_MAX)
        abort();
}

static void check_same(const xc_jid *a, const xc_jid *b, int full)
{
    if (a->node_len != b->node_len || a->domain_len != b->domain_len)
        abort();
    if (memcmp(a->buf + XC_JID_NODE_OFF, b->buf + XC_JID_NODE_OFF, a->node_len) != 0 ||
        memcmp(a->buf + XC_JID_DOMAIN_OFF, b->buf + XC_JID_DOMAIN_OFF, a->domain_len) != 0)
        abort();
    if (xc_jid_equal_bare(a, b) != 1)
        abort();
    if (full) {
        if (a->resource_len != b->resource_len ||
            memcmp(a->buf + XC_JID_RESOURCE_OFF, b->buf + XC_JID_RESOURCE_OFF, a->resource_len) != 0 ||
            xc_jid_equal_full(a, b) != 1)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static xc_jid a;
    static xc_jid b;
    static char out[XC_JID_FULL_MAX];
    char *in = malloc(size > 0 ? size : 1);
    xc_jid_parts p;
    xc_jid_status sst;
    xc_jid_status st;
    size_t out_len = 0;
    size_t bare_len = 0;

    if (in == NULL)
        return 0;
    if (size > 0)
        memcpy(in, data, size);
    sst = xc_jid_split(in, size, &p);
    st = xc_jid_parse(in, size, &a);
    if (sst != XC_JID_OK && st != sst)
        abort();
    if (sst == XC_JID_OK &&
        (p.domain.len == 0 || (size_t)p.node.len + p.domain.len + p.resource.len > size))
        abort();
    if (st != XC_JID_OK) {
        if (a.node_len != 0 || a.domain_len != 0 || a.resource_len != 0)
            abort();
        free(in);
        return 0;
    }
    check_jid(&a);
    if (xc_jid_format_full(&a, out, sizeof out, &out_len) != XC_JID_OK ||
        out_len > XC_JID_FULL_MAX)
        abort();
    if (xc_jid_parse(out, out_len, &b) != XC_JID_OK)
        abort();
    check_jid(&b);
    check_same(&a, &b, 1);
    if (xc_jid_format_bare(&a, out, sizeof out, &bare_len) != XC_JID_OK || bare_len > out_len)
        abort();
    if (xc_jid_parse(out, bare_len, &b) != XC_JID_OK || b.resource_len != 0)
        abort();
    check_same(&a, &b, 0);
    /* one byte short must be refused, never truncated */
    if (xc_jid_format_full(&a, out, out_len - 1, &bare_len) != XC_JID_ERR_NO_ROOM || bare_len != 0)
        abort();
    free(in);
    return 0;
}
