/*
 * router.h — where bound client sessions live: full JID -> session, bare JID -> its sessions.
 *
 * A hash table of users (bare JIDs, as the core prepared them), each holding the list of its
 * bound resources. Sessions are owned by their connection (an opaque pointer); the router only
 * indexes them. Memory is bounded by the sessions registered, which the server bounds by
 * max_streams (one session per connection). A full JID is registered at most once: adding one
 * that exists hands back the older owner so the caller can close it (DESIGN.md: new session wins).
 */
#ifndef XS_ROUTER_H
#define XS_ROUTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct xs_router xs_router;
typedef struct xs_session xs_session;

/* buckets: expected number of users (rounded up to a power of two). NULL when out of memory. */
xs_router *xs_router_new(uint32_t buckets);
void xs_router_free(xs_router *r);

/* Registers owner under bare/resource. When that full JID was registered already, the older
 * session is removed and its owner returned in *replaced (else NULL). NULL when out of memory. */
xs_session *xs_router_add(xs_router *r, const char *bare, size_t bare_len, const char *resource,
                          size_t resource_len, void *owner, void **replaced);
void xs_router_remove(xs_router *r, xs_session *s);
void xs_router_set_available(xs_session *s, int available);

/* The owner of bare/resource, or NULL. */
void *xs_router_find_full(const xs_router *r, const char *bare, size_t bare_len, const char *resource,
                          size_t resource_len);
/* Calls fn(owner, arg) for each session of bare that is available; returns how many there were. */
uint32_t xs_router_each_available(const xs_router *r, const char *bare, size_t bare_len,
                                  void (*fn)(void *owner, void *arg), void *arg);
uint32_t xs_router_sessions(const xs_router *r);

#endif
