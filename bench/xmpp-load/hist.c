/* hist.c — the latency histogram (see hist.h). */
#include <string.h>

#include "hist.h"

void xl_hist_reset(xl_hist *h)
{
    memset(h, 0, sizeof *h);
}

static unsigned bucket_of(uint64_t v)
{
    unsigned e, idx;

    if (v < XL_HIST_SUB)
        return (unsigned)v;
    e = 63u - (unsigned)__builtin_clzll(v);   /* v >= 64: e >= 6 */
    idx = XL_HIST_SUB + (e - 6u) * XL_HIST_SUB + (unsigned)((v >> (e - 6u)) - XL_HIST_SUB);
    return idx < XL_HIST_BUCKETS ? idx : XL_HIST_BUCKETS - 1u;
}

/* The smallest value of bucket i and its width. */
static void bucket_range(unsigned i, uint64_t *low, uint64_t *width)
{
    unsigned e, sub;

    if (i < XL_HIST_SUB) {
        *low = i;
        *width = 1;
        return;
    }
    e = (i - XL_HIST_SUB) / XL_HIST_SUB + 6u;
    sub = (i - XL_HIST_SUB) % XL_HIST_SUB;
    *low = (uint64_t)(XL_HIST_SUB + sub) << (e - 6u);
    *width = (uint64_t)1 << (e - 6u);
}

void xl_hist_add(xl_hist *h, uint64_t us)
{
    h->bucket[bucket_of(us)]++;
    h->count++;
    h->sum_us += us;
    if (us > h->max_us)
        h->max_us = us;
}

uint64_t xl_hist_quantile(const xl_hist *h, double q)
{
    uint64_t rank, seen = 0, low, width, mid;
    unsigned i;

    if (h->count == 0)
        return 0;
    rank = (uint64_t)(q * (double)h->count);
    if (rank >= h->count)
        rank = h->count - 1;
    for (i = 0; i < XL_HIST_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen > rank)
            break;
    }
    if (i == XL_HIST_BUCKETS)
        return h->max_us;
    bucket_range(i, &low, &width);
    mid = low + width / 2;
    return mid > h->max_us ? h->max_us : mid;
}
