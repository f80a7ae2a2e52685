/*
 * s2s_connect.c — where an outbound or verify link connects: the resolver's targets for the
 * peer domain (static host map, else SRV, else A/AAAA on 5269: RFC 3920 §14.4; resolve.h), tried
 * in order, one transport at a time, until one connects. Each failed attempt releases its
 * transport first (on_released in s2s.c calls s2s_link_connect_next again); when none is left,
 * the role's core hears connect_failed (or resolve_failed) and what waits for the link bounces.
 */
#include <string.h>

#include "s2s_internal.h"

/* The next address in the resolver's order (RFC 3920 §14.4); none left: the role's
 * connect_failed closes the stream and what waits for it bounces. */
void s2s_link_connect_next(s2s_link *l)
{
    xs_s2s *s = l->s2s;

    while (l->next_target < l->n_targets) {
        const xs_target *tg = &l->targets[l->next_target++];
        char ip[64] = "?";
        int port = 0;

        if (tg->addr.ss_family == AF_INET6) {
            const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&tg->addr;
            uv_ip6_name(a, ip, sizeof ip);
            port = ntohs(a->sin6_port);
            snprintf(l->peer_addr, sizeof l->peer_addr, "[%s]:%d", ip, port);
        } else {
            const struct sockaddr_in *a = (const struct sockaddr_in *)&tg->addr;
            uv_ip4_name(a, ip, sizeof ip);
            port = ntohs(a->sin_port);
            snprintf(l->peer_addr, sizeof l->peer_addr, "%s:%d", ip, port);
        }
        l->t = xs_transport_connect(s->srv->loop, (const struct sockaddr *)&tg->addr, &s2s_transport_ops, l,
                                    l->gen->gen->cfg.out_queue_max);
        if (l->t != NULL)
            return;
        LLOG(l, XS_LOG_INFO, "cannot start connecting to %s", l->remote);
    }
    LLOG(l, XS_LOG_INFO, "no address of %s accepted a connection", l->remote);
    s2s_ops(l)->connect_failed(l);
    s2s_link_close(l);
}

static void on_resolved(void *arg, xs_resolve_status status, const xs_target *targets, size_t n)
{
    s2s_link *l = arg;

    l->rq = NULL;
    if (l->closing) {
        s2s_link_destroy_maybe(l);
        return;
    }
    if (status != XS_RESOLVE_OK || n == 0) {
        LLOG(l, XS_LOG_INFO, "resolving %s: %s", l->remote, xs_resolve_status_name(status));
        if (status == XS_RESOLVE_TIMEOUT) {
            l->end_type = XC_STZ_T_WAIT;
            l->end_cond = XC_STZ_REMOTE_SERVER_TIMEOUT;
        }
        s2s_ops(l)->resolve_failed(l);
        s2s_link_close(l);
        return;
    }
    if (n > XS_RESOLVE_MAX_TARGETS)
        n = XS_RESOLVE_MAX_TARGETS;
    memcpy(l->targets, targets, n * sizeof *targets);
    l->n_targets = n;
    l->next_target = 0;
    s2s_link_connect_next(l);
}

void s2s_link_resolve(s2s_link *l)
{
    s2s_link_phase(l, PHASE_CONNECT);
    l->rq = xs_resolve_server(l->s2s->resolver, l->remote, on_resolved, l);
    if (l->rq == NULL) {
        LLOG(l, XS_LOG_INFO, "%s cannot be resolved", l->remote);
        s2s_ops(l)->resolve_failed(l);
        s2s_link_close(l);
    }
}
