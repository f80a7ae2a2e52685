/*
 * router.c — see router.h. Chained hash table of users (FNV-1a over the prepared bare JID);
 * each user keeps a singly linked list of sessions. A user entry is freed with its last session.
 */
#include <stdlib.h>
#include <string.h>

#include "router.h"

typedef struct xs_user xs_user;

struct xs_session {
    xs_session *next;
    xs_user *user;
    void *owner;
    int available;
    size_t resource_len;
    char resource[];
};

struct xs_user {
    xs_user *next;
    xs_session *sessions;
    uint32_t hash;
    size_t bare_len;
    char bare[];
};

struct xs_router {
    xs_user **buckets;
    uint32_t mask;
    uint32_t n_sessions;
};

static uint32_t fnv1a(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (uint8_t)p[i];
        h *= 16777619u;
    }
    return h;
}

xs_router *xs_router_new(uint32_t buckets)
{
    xs_router *r = calloc(1, sizeof *r);
    uint32_t n = 64;

    if (r == NULL)
        return NULL;
    while (n < buckets && n < (1u << 24))
        n <<= 1;
    r->buckets = calloc(n, sizeof *r->buckets);
    if (r->buckets == NULL) {
        free(r);
        return NULL;
    }
    r->mask = n - 1u;
    return r;
}

void xs_router_free(xs_router *r)
{
    uint32_t i;

    if (r == NULL)
        return;
    for (i = 0; i <= r->mask; i++) {
        xs_user *u = r->buckets[i];
        while (u != NULL) {
            xs_user *un = u->next;
            xs_session *s = u->sessions;
            while (s != NULL) {
                xs_session *sn = s->next;
                free(s);
                s = sn;
            }
            free(u);
            u = un;
        }
    }
    free(r->buckets);
    free(r);
}

static xs_user *find_user(const xs_router *r, const char *bare, size_t bare_len, uint32_t h)
{
    xs_user *u;

    for (u = r->buckets[h & r->mask]; u != NULL; u = u->next)
        if (u->hash == h && u->bare_len == bare_len && memcmp(u->bare, bare, bare_len) == 0)
            return u;
    return NULL;
}

/* A user entry with no session yet, linked into its bucket; NULL when memory runs out. */
static xs_user *new_user(xs_router *r, const char *bare, size_t bare_len, uint32_t h)
{
    xs_user *u = calloc(1, sizeof *u + bare_len + 1);

    if (u == NULL)
        return NULL;
    memcpy(u->bare, bare, bare_len);
    u->bare_len = bare_len;
    u->hash = h;
    u->next = r->buckets[h & r->mask];
    r->buckets[h & r->mask] = u;
    return u;
}

static xs_session *find_session(const xs_user *u, const char *resource, size_t resource_len)
{
    xs_session *s;

    for (s = u->sessions; s != NULL; s = s->next)
        if (s->resource_len == resource_len && memcmp(s->resource, resource, resource_len) == 0)
            return s;
    return NULL;
}

xs_session *xs_router_add(xs_router *r, const char *bare, size_t bare_len, const char *resource,
                          size_t resource_len, void *owner, void **replaced)
{
    uint32_t h = fnv1a(bare, bare_len);
    xs_user *u = find_user(r, bare, bare_len, h);
    xs_session *s, *old;

    *replaced = NULL;
    s = calloc(1, sizeof *s + resource_len + 1);
    if (s == NULL)
        return NULL;
    memcpy(s->resource, resource, resource_len);
    s->resource_len = resource_len;
    s->owner = owner;
    if (u == NULL)
        u = new_user(r, bare, bare_len, h);
    if (u == NULL) {
        free(s);
        return NULL;
    }
    old = find_session(u, resource, resource_len);
    if (old != NULL) {
        *replaced = old->owner;
        xs_router_remove(r, old); /* u stays: s is added right after */
        u = find_user(r, bare, bare_len, h);
        /* old was the user's only session: the entry went with it */
        if (u == NULL)
            u = new_user(r, bare, bare_len, h);
        if (u == NULL) {
            free(s);
            return NULL;
        }
    }
    s->user = u;
    s->next = u->sessions;
    u->sessions = s;
    r->n_sessions++;
    return s;
}

void xs_router_remove(xs_router *r, xs_session *s)
{
    xs_user *u = s->user, **up;
    xs_session **sp;

    for (sp = &u->sessions; *sp != NULL; sp = &(*sp)->next) {
        if (*sp == s) {
            *sp = s->next;
            r->n_sessions--;
            break;
        }
    }
    free(s);
    if (u->sessions != NULL)
        return;
    for (up = &r->buckets[u->hash & r->mask]; *up != NULL; up = &(*up)->next) {
        if (*up == u) {
            *up = u->next;
            break;
        }
    }
    free(u);
}

void xs_router_set_available(xs_session *s, int available)
{
    s->available = available != 0;
}

void *xs_router_find_full(const xs_router *r, const char *bare, size_t bare_len, const char *resource,
                          size_t resource_len)
{
    const xs_user *u = find_user(r, bare, bare_len, fnv1a(bare, bare_len));
    const xs_session *s = u != NULL ? find_session(u, resource, resource_len) : NULL;

    return s != NULL ? s->owner : NULL;
}

uint32_t xs_router_each_available(const xs_router *r, const char *bare, size_t bare_len,
                                  void (*fn)(void *owner, void *arg), void *arg)
{
    const xs_user *u = find_user(r, bare, bare_len, fnv1a(bare, bare_len));
    const xs_session *s, *next;
    uint32_t n = 0;

    if (u == NULL)
        return 0;
    /* fn only queues bytes (it never removes a session), but keep next before calling it */
    for (s = u->sessions; s != NULL; s = next) {
        next = s->next;
        if (s->available) {
            fn(s->owner, arg);
            n++;
        }
    }
    return n;
}

uint32_t xs_router_sessions(const xs_router *r)
{
    return r->n_sessions;
}
