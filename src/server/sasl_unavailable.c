/*
 * sasl_unavailable.c — stands in for the Cyrus SASL adapter (sasl_server.c, built by sasl.mk)
 * while that is not part of the tree: xmppd links and negotiates streams, and every SASL
 * attempt fails with <temporary-auth-failure/>. server.mk links it only when SASL_OBJ is empty.
 */
#include <stdio.h>

#include "log.h"
#include "sasl_server.h"

struct xs_sasl_session {
    int unused;
};

static xs_sasl_session g_none;

int xs_sasl_init(const xs_sasl_config *cfg, char *err, size_t err_len)
{
    (void)cfg;
    (void)err;
    (void)err_len;
    xs_warn("SASL: built without the Cyrus SASL adapter: every authentication fails (temporary-auth-failure)");
    return 0;
}

void xs_sasl_shutdown(void)
{
}

xs_sasl_session *xs_sasl_session_new(const char *host, const xs_tls_facts *tls)
{
    (void)host;
    (void)tls;
    return &g_none;
}

void xs_sasl_session_free(xs_sasl_session *s)
{
    (void)s;
}

static void unavailable(xc_c2s_sasl_outcome *out)
{
    out->kind = XC_C2S_SASL_FAILURE;
    out->data = NULL;
    out->data_len = 0;
    out->user = NULL;
    out->user_len = 0;
    out->failure = XC_SF_TEMPORARY_AUTH_FAILURE;
}

void xs_sasl_start(xs_sasl_session *s, xc_mech mech, const uint8_t *data, size_t len, int present,
                   xc_c2s_sasl_outcome *out)
{
    (void)s;
    (void)mech;
    (void)data;
    (void)len;
    (void)present;
    unavailable(out);
}

void xs_sasl_step(xs_sasl_session *s, const uint8_t *data, size_t len, xc_c2s_sasl_outcome *out)
{
    (void)s;
    (void)data;
    (void)len;
    unavailable(out);
}

int xs_sasl_credential_failure(const xs_sasl_session *s)
{
    (void)s;
    return 0;
}
