/*
 * addr_limits.c — see addr_limits.h.
 *
 * Chained hash over a fixed bucket array. An entry lives while its address has open streams or
 * failures in an unexpired window; it is dropped when the last stream closes with no live
 * window, and expired failure-only entries are swept when a new one finds the table full.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "addr_limits.h"

#define BUCKETS 4096u            /* a power of two */

typedef struct entry {
    struct entry *next;
    xs_addr addr;
    uint32_t streams;
    uint32_t failures;
    uint64_t window_start;       /* ms of the window's first failure */
    uint32_t window_ms;          /* the window it was opened with */
} entry;

struct xs_addr_table {
    entry *bucket[BUCKETS];
    uint64_t seed;
    uint32_t failure_slots;
    uint32_t failure_only;       /* entries without open streams */
    uint32_t entries;
};

int xs_addr_from_sockaddr(const struct sockaddr *sa, xs_addr *out)
{
    memset(out, 0, sizeof *out);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)sa;
        out->b[10] = 0xff;
        out->b[11] = 0xff;
        memcpy(out->b + 12, &v4->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(out->b, &v6->sin6_addr, 16);
        /* an IPv4-mapped address is that IPv4 address; any other counts by its /64 */
        if (!IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr))
            memset(out->b + 8, 0, 8);
        return 0;
    }
    return -1;
}

xs_addr_table *xs_addr_table_new(uint32_t failure_slots, uint64_t seed)
{
    xs_addr_table *t = calloc(1, sizeof *t);

    if (t == NULL)
        return NULL;
    t->seed = seed;
    t->failure_slots = failure_slots;
    return t;
}

void xs_addr_table_free(xs_addr_table *t)
{
    uint32_t i;

    if (t == NULL)
        return;
    for (i = 0; i < BUCKETS; i++) {
        entry *e = t->bucket[i];
        while (e != NULL) {
            entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(t);
}

uint32_t xs_addr_table_entries(const xs_addr_table *t)
{
    return t->entries;
}

/* FNV-1a, seeded: an attacker who does not know the seed cannot aim addresses at one bucket */
static uint32_t bucket_of(const xs_addr_table *t, const xs_addr *a)
{
    uint64_t h = 14695981039346656037ull ^ t->seed;
    size_t i;

    for (i = 0; i < sizeof a->b; i++) {
        h ^= a->b[i];
        h *= 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32)) & (BUCKETS - 1u);
}

static int window_live(const entry *e, uint64_t now_ms)
{
    return e->failures > 0 && now_ms - e->window_start < e->window_ms;
}

static entry **find(xs_addr_table *t, const xs_addr *a)
{
    entry **p = &t->bucket[bucket_of(t, a)];

    while (*p != NULL && memcmp((*p)->addr.b, a->b, sizeof a->b) != 0)
        p = &(*p)->next;
    return p;
}

static void unlink_entry(xs_addr_table *t, entry **p)
{
    entry *e = *p;

    *p = e->next;
    if (e->streams == 0)
        t->failure_only--;
    t->entries--;
    free(e);
}

static entry *insert(xs_addr_table *t, entry **p, const xs_addr *a)
{
    entry *e = calloc(1, sizeof *e);

    if (e == NULL)
        return NULL;
    e->addr = *a;
    *p = e;
    t->entries++;
    t->failure_only++;           /* until it counts a stream */
    return e;
}

int xs_addr_stream_open(xs_addr_table *t, const xs_addr *a, uint32_t max_streams)
{
    entry **p = find(t, a);
    entry *e = *p;

    if (e == NULL && (e = insert(t, p, a)) == NULL)
        return -1;
    if (e->streams >= max_streams) {
        if (e->streams == 0 && e->failures == 0)
            unlink_entry(t, p);
        return -1;
    }
    if (e->streams++ == 0)
        t->failure_only--;
    return 0;
}

void xs_addr_stream_close(xs_addr_table *t, const xs_addr *a, uint64_t now_ms)
{
    entry **p = find(t, a);
    entry *e = *p;

    if (e == NULL || e->streams == 0)
        return;
    if (--e->streams > 0)
        return;
    t->failure_only++;
    if (!window_live(e, now_ms))
        unlink_entry(t, p);
}

/* Drops every failure-only entry whose window ended. */
static void sweep(xs_addr_table *t, uint64_t now_ms)
{
    uint32_t i;

    for (i = 0; i < BUCKETS; i++) {
        entry **p = &t->bucket[i];
        while (*p != NULL) {
            if ((*p)->streams == 0 && !window_live(*p, now_ms))
                unlink_entry(t, p);
            else
                p = &(*p)->next;
        }
    }
}

int xs_addr_auth_failed(xs_addr_table *t, const xs_addr *a, uint64_t now_ms, uint32_t window_ms)
{
    entry **p = find(t, a);
    entry *e = *p;

    if (e == NULL) {
        if (t->failure_only >= t->failure_slots) {
            sweep(t, now_ms);
            if (t->failure_only >= t->failure_slots)
                return -1;
            p = find(t, a);
        }
        if ((e = insert(t, p, a)) == NULL)
            return -1;
    }
    if (!window_live(e, now_ms)) {
        e->failures = 0;
        e->window_start = now_ms;
        e->window_ms = window_ms;
    }
    if (e->failures < UINT32_MAX)
        e->failures++;
    return 0;
}

int xs_addr_auth_blocked(xs_addr_table *t, const xs_addr *a, uint64_t now_ms, uint32_t budget)
{
    entry *e = *find(t, a);

    return e != NULL && window_live(e, now_ms) && e->failures >= budget;
}
