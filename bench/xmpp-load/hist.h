/*
 * hist.h — a latency histogram of fixed size: log-linear buckets over microseconds, 64 per
 * power of two, so a reported percentile is within 1.6% of the true value; the maximum and the
 * mean are exact. Values above 2^36 us (19 hours) land in the top bucket.
 */
#ifndef XL_HIST_H
#define XL_HIST_H

#include <stdint.h>

#define XL_HIST_SUB 64u
#define XL_HIST_OCTAVES 31u   /* 2^6 .. 2^36 us */
#define XL_HIST_BUCKETS (XL_HIST_SUB + XL_HIST_OCTAVES * XL_HIST_SUB)

typedef struct {
    uint64_t bucket[XL_HIST_BUCKETS];
    uint64_t count;
    uint64_t sum_us;
    uint64_t max_us;
} xl_hist;

void xl_hist_reset(xl_hist *h);
void xl_hist_add(xl_hist *h, uint64_t us);
/* The value below which a fraction q (0..1) of the samples fall (the middle of its bucket);
 * 0 when empty. */
uint64_t xl_hist_quantile(const xl_hist *h, double q);

#endif
