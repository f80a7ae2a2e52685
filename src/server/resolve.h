/*
 * resolve.h — where to connect for an outbound server-to-server stream (issue 6, "Outgoing").
 *
 * RFC 3920 §14.4 (RFC 6120 §3.2.1 is the same process, spelled out): look up the SRV records of
 * `_xmpp-server._tcp.<domain>`, try their targets in RFC 2782 order (lowest priority first,
 * weighted-random within a priority) on the port each record names; when the domain has no SRV
 * records, resolve the domain itself and use port 5269. A single SRV record whose target is "."
 * says the service is decidedly not available (RFC 2782): no fallback then.
 *
 * The static host map of the configuration comes first (DESIGN.md "Static host map"): a domain
 * with entries there is never looked up in DNS for SRV records.
 *
 * Asynchronous on the caller's libuv loop with c-ares. A request ends exactly once: its callback
 * runs from the loop (never from inside xs_resolve_server) with the ordered targets, or it is
 * cancelled and its callback never runs. Bounded: at most XS_RESOLVE_MAX_SRV SRV records are
 * kept (those of lowest priority), at most XS_RESOLVE_MAX_TARGETS addresses are returned, and
 * every request ends within the resolver's total timeout.
 *
 * Domains are ASCII (an internationalised domain goes through IDNA ToASCII before it gets here);
 * a domain that is an IPv4 literal or a bracketed IPv6 literal (RFC 3920 §3.2) is its own
 * address on port 5269.
 */
#ifndef XS_RESOLVE_H
#define XS_RESOLVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#define XS_RESOLVE_MAX_SRV 16u
#define XS_RESOLVE_MAX_TARGETS 32u
#define XS_RESOLVE_MAX_STATIC 1024u       /* static host map entries */
#define XS_RESOLVE_DEFAULT_TIMEOUT_MS 10000u
#define XS_RESOLVE_DEFAULT_PORT 5269u      /* RFC 3920 §14.4 fallback */

typedef enum xs_resolve_status {
    XS_RESOLVE_OK = 0,         /* at least one target */
    XS_RESOLVE_NOT_FOUND,      /* no such domain, or no address for it or its SRV targets */
    XS_RESOLVE_NO_SERVICE,     /* one SRV record with target "." (RFC 2782) */
    XS_RESOLVE_TIMEOUT,        /* the total timeout ran out, or the DNS server never answered */
    XS_RESOLVE_ERROR           /* bad argument, no memory, a DNS failure other than the above */
} xs_resolve_status;

/* One address to connect to; the port is set in addr. */
typedef struct xs_target {
    struct sockaddr_storage addr;
    socklen_t len;
} xs_target;

typedef struct xs_resolver xs_resolver;
typedef struct xs_resolve_req xs_resolve_req;

/* targets: n addresses (n > 0 only with XS_RESOLVE_OK), in the order to try them; valid only
 * during the call. The request is gone when the callback returns (do not cancel it). */
typedef void (*xs_resolve_cb)(void *arg, xs_resolve_status status, const xs_target *targets, size_t n);

/* dns_server (not NULL): "" asks the servers of /etc/resolv.conf; otherwise c-ares asks only these
 * servers ("127.0.0.1:5353", "[::1]:53", comma-separated) and reads nothing from
 * /etc/resolv.conf or /etc/hosts. NULL when c-ares or libuv fail or dns_server is malformed. */
xs_resolver *xs_resolver_new(uv_loop_t *loop, const char *dns_server);

/* Cancels every live request (their callbacks never run) and closes the resolver's handles;
 * its memory is released by the close callbacks, so the loop must run once more. */
void xs_resolver_free(xs_resolver *r);

/* The total time one request may take (default XS_RESOLVE_DEFAULT_TIMEOUT_MS); applies to
 * requests started afterwards. */
void xs_resolver_set_timeout(xs_resolver *r, uint32_t timeout_ms);

/* Static host map: domain -> (address, port). address is an IPv4 or IPv6 literal (brackets
 * allowed) or a host name, which is resolved to A/AAAA like an SRV target. Several entries for
 * one domain are tried in the order they were added. XS_RESOLVE_OK, or XS_RESOLVE_ERROR for an
 * empty or over-long name, port 0, no memory or a full map. */
xs_resolve_status xs_resolver_add_static(xs_resolver *r, const char *domain, const char *address,
                                         uint16_t port);

/* Starts resolving domain. NULL (and cb never called) when domain is empty, longer than 235
 * characters (the SRV name must fit the 253 of a DNS name), not printable ASCII, or memory runs
 * out, or the resolver is being freed. */
xs_resolve_req *xs_resolve_server(xs_resolver *r, const char *domain, xs_resolve_cb cb, void *arg);

/* The request's callback will not run. Valid until the callback has started. */
void xs_resolve_cancel(xs_resolve_req *q);

/* "ok", "not-found", "no-service", "timeout", "error". */
const char *xs_resolve_status_name(xs_resolve_status status);

#endif
