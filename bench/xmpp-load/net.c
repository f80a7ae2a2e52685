/*
 * net.c — sockets and TLS for one client (see net.h).
 *
 * OpenSSL runs directly on the non-blocking descriptor: SSL_read, SSL_write and the handshake
 * say WANT_READ or WANT_WRITE, and the client's two "wants write" bits tell the event loop
 * whether to wait for writability. Writes are partial (SSL_MODE_ENABLE_PARTIAL_WRITE) so the
 * output buffer drains as far as the socket takes it; buffers are released between records
 * (SSL_MODE_RELEASE_BUFFERS) because thousands of idle sessions would otherwise hold 2 x 16 KiB
 * each in the generator.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "net.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24   /* Linux 4.2 */
#endif

static void openssl_error(char *err, size_t cap, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[200];

    if (e == 0) {
        snprintf(err, cap, "%s", what);
        return;
    }
    ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, cap, "%s: %s", what, buf);
}

SSL_CTX *xl_net_tls_ctx(const char *ca_file, char *err, size_t err_cap)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL) {
        openssl_error(err, err_cap, "SSL_CTX_new");
        return NULL;
    }
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
        openssl_error(err, err_cap, "TLS 1.3 only");
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
        openssl_error(err, err_cap, ca_file);
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    return ctx;
}

int xl_net_open(xl_client *c, int ep, uint32_t src, const struct sockaddr_in *dst, size_t cap)
{
    struct sockaddr_in sa;
    struct epoll_event ev;
    int one = 1, fd;

    c->in = malloc(cap);
    c->out = malloc(cap);
    c->cap = cap;
    c->in_len = c->out_len = 0;
    c->fd = -1;
    if (c->in == NULL || c->out == NULL)
        goto fail;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    c->fd = fd;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = src;
    if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        bind(fd, (const struct sockaddr *)&sa, sizeof sa) != 0)
        goto fail;
    if (connect(fd, (const struct sockaddr *)dst, sizeof *dst) != 0 && errno != EINPROGRESS)
        goto fail;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLOUT;
    ev.data.u64 = ((uint64_t)c->index << 32) | c->gen;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
        goto fail;
    c->epoll_mask = EPOLLOUT;
    return 0;
fail:
    {
        int saved = errno;
        xl_net_close(c, 0);
        errno = saved;
    }
    return -1;
}

int xl_net_connected(xl_client *c)
{
    int err = 0;
    socklen_t len = sizeof err;

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return -1;
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

int xl_net_tls_start(xl_client *c, SSL_CTX *ctx, const char *host)
{
    char sni[256];   /* SSL_set_tlsext_host_name is a macro that casts away const */

    if (snprintf(sni, sizeof sni, "%s", host) >= (int)sizeof sni)
        return -1;
    c->ssl = SSL_new(ctx);
    if (c->ssl == NULL)
        return -1;
    if (SSL_set_fd(c->ssl, c->fd) != 1 || SSL_set_tlsext_host_name(c->ssl, sni) != 1 ||
        SSL_set1_host(c->ssl, host) != 1)
        return -1;
    SSL_set_connect_state(c->ssl);
    return 0;
}

int xl_net_tls_step(xl_client *c, char *err, size_t err_cap)
{
    int r, e;
    long v;

    ERR_clear_error();
    r = SSL_do_handshake(c->ssl);
    c->read_wants_write = 0;
    if (r == 1)
        return 1;
    e = SSL_get_error(c->ssl, r);
    if (e == SSL_ERROR_WANT_READ)
        return 0;
    if (e == SSL_ERROR_WANT_WRITE) {
        c->read_wants_write = 1;
        return 0;
    }
    v = SSL_get_verify_result(c->ssl);
    if (v != X509_V_OK)
        snprintf(err, err_cap, "certificate: %s", X509_verify_cert_error_string(v));
    else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
        snprintf(err, err_cap, "handshake: %s", errno != 0 ? strerror(errno) : "EOF");
    else
        openssl_error(err, err_cap, "handshake");
    return -1;
}

xl_io xl_net_read(xl_client *c)
{
    size_t room = c->cap - c->in_len;
    ssize_t n;
    int e;

    if (room == 0)
        return XL_IO_ERR;
    if (c->ssl == NULL) {
        n = recv(c->fd, c->in + c->in_len, room, 0);
        if (n > 0) {
            c->in_len += (size_t)n;
            return XL_IO_OK;
        }
        if (n == 0)
            return XL_IO_EOF;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? XL_IO_AGAIN : XL_IO_ERR;
    }
    ERR_clear_error();
    errno = 0;
    e = SSL_read(c->ssl, c->in + c->in_len, room > 1u << 30 ? 1 << 30 : (int)room);
    c->read_wants_write = 0;
    if (e > 0) {
        c->in_len += (size_t)e;
        return XL_IO_OK;
    }
    switch (SSL_get_error(c->ssl, e)) {
    case SSL_ERROR_WANT_READ:
        return XL_IO_AGAIN;
    case SSL_ERROR_WANT_WRITE:
        c->read_wants_write = 1;
        return XL_IO_AGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return XL_IO_EOF;
    case SSL_ERROR_SYSCALL:
        return ERR_peek_error() == 0 && errno == 0 ? XL_IO_EOF : XL_IO_ERR;
    default:
        /* OpenSSL 3 reports a TCP EOF without close_notify as an SSL error */
        return ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING ? XL_IO_EOF : XL_IO_ERR;
    }
}

int xl_net_queue(xl_client *c, const char *data, size_t len)
{
    if (c->out == NULL || len > c->cap - c->out_len)
        return -1;
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    return 0;
}

int xl_net_flush(xl_client *c)
{
    c->write_wants_write = 0;
    while (c->out_len > 0) {
        size_t chunk = c->out_len > 1u << 30 ? 1u << 30 : c->out_len;
        ssize_t n;

        if (c->ssl != NULL) {
            int e;

            ERR_clear_error();
            n = SSL_write(c->ssl, c->out, (int)chunk);
            if (n <= 0) {
                e = SSL_get_error(c->ssl, (int)n);
                if (e == SSL_ERROR_WANT_WRITE) {
                    c->write_wants_write = 1;
                    return 0;
                }
                return e == SSL_ERROR_WANT_READ ? 0 : -1;
            }
        } else {
            n = send(c->fd, c->out, chunk, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    c->write_wants_write = 1;
                    return 0;
                }
                return -1;
            }
        }
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (size_t)n;
    }
    return 0;
}

void xl_net_watch(xl_client *c, int ep)
{
    struct epoll_event ev;
    uint32_t mask;

    if (c->fd < 0)
        return;
    if (c->state == XL_CONNECTING)
        mask = EPOLLOUT;
    else
        mask = EPOLLIN | (c->read_wants_write || c->write_wants_write ? (uint32_t)EPOLLOUT : 0u);
    if (mask == c->epoll_mask)
        return;
    memset(&ev, 0, sizeof ev);
    ev.events = mask;
    ev.data.u64 = ((uint64_t)c->index << 32) | c->gen;
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->epoll_mask = mask;
}

void xl_net_close(xl_client *c, int graceful)
{
    if (c->ssl != NULL) {
        if (graceful && SSL_is_init_finished(c->ssl)) {
            ERR_clear_error();
            (void)SSL_shutdown(c->ssl);   /* sends close_notify; the peer's is not awaited */
        }
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->in);
    free(c->out);
    c->in = c->out = NULL;
    c->in_len = c->out_len = c->cap = 0;
    c->epoll_mask = 0;
    c->read_wants_write = c->write_wants_write = 0;
}

void xl_net_tls_describe(const xl_client *c, char *out, size_t cap)
{
    int group = SSL_get_negotiated_group(c->ssl);
    const char *gname = group != 0 ? SSL_group_to_name(c->ssl, group) : NULL;
    X509 *cert = SSL_get0_peer_certificate(c->ssl);
    EVP_PKEY *key = cert != NULL ? X509_get0_pubkey(cert) : NULL;

    snprintf(out, cap, "%s %s, key exchange %s, server key %s-%d", SSL_get_version(c->ssl),
             SSL_get_cipher_name(c->ssl), gname != NULL ? gname : "?",
             key != NULL ? EVP_PKEY_get0_type_name(key) : "?", key != NULL ? EVP_PKEY_get_bits(key) : 0);
}
