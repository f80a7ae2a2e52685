/* strophe_client — a second, independent client library for the integration tests: libstrophe
 * (Debian 12: 0.12.2) logs in to xmppd over STARTTLS, binds, and then logs out, answers one
 * message or sends one and waits for the answer.
 *
 *   strophe_client [-v] [-t SECONDS] PORT CAFILE JID PASSWORD login
 *   strophe_client [-v] [-t SECONDS] PORT CAFILE JID PASSWORD echo
 *   strophe_client [-v] [-t SECONDS] PORT CAFILE JID PASSWORD ask TO BODY
 *
 * login: bind, then log out. echo: wait for one message and answer its sender (the full JID the
 * server stamped) with "echo: BODY". ask: send BODY to TO as a chat message and wait for one
 * message back. -v writes libstrophe's debug log (every byte on the wire) to stderr.
 *
 * What the tests rely on:
 *   - TLS is mandatory (XMPP_CONN_FLAG_MANDATORY_TLS) and the server certificate is verified,
 *     against CAFILE only: libstrophe 0.12 also loads OpenSSL's default trust store, so that
 *     store is pointed at CAFILE as well. A verification failure prints "certfail REASON" and is
 *     never overridden (no XMPP_CONN_FLAG_TRUST_TLS; the handler always refuses).
 *   - libstrophe 0.12 has no switch to choose a SASL mechanism: it takes the strongest one
 *     offered (SCRAM-SHA-512, -256, -1, then PLAIN; no -PLUS). The tests choose by what the
 *     server offers.
 *   - stdout is line-buffered, one machine-readable line per step:
 *       connected secured=1 | bound JID | ready | sent TO BODY | received FROM BODY
 *       certfail REASON | stream-error CONDITION | disconnected error=ERRNO | timeout
 *     "ready" comes after a ping round trip to the server, so the presence sent before it has
 *     been processed: a message sent to this account after "ready" is delivered, not bounced.
 *   - exit status 0 only when the mode's goal was reached; 1 otherwise; 2 on bad usage. A hard
 *     deadline (-t, default 20 s) ends the event loop, and alarm() ends the process should
 *     libstrophe block inside one call (its TLS handshake does).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <strophe.h>

#define READY_PING_ID "strophe-ready"
#define ECHO_PREFIX "echo: "
#define REPLY_MAX 4096   /* an echo longer than this is cut: the tests send a few words */

enum client_mode { MODE_LOGIN, MODE_ECHO, MODE_ASK };

struct client_run {
    xmpp_ctx_t *ctx;
    enum client_mode mode;
    const char *ask_to;
    const char *ask_body;
    int goal_reached;   /* the mode's job is done (set before logging out) */
    int finished;       /* the connection is gone: the event loop may stop */
};

/* One field of an output line: control characters become '?', so a body can never break the
 * one-line-per-step format the tests parse. */
static void print_field(const char *text)
{
    for (const char *p = text ? text : "(none)"; *p != '\0'; p++)
        putchar((unsigned char)*p < 0x20 ? '?' : *p);
}

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Verification failed: say why, and refuse. Returning 1 would accept the certificate. */
static int refuse_unverified_certificate(const xmpp_tlscert_t *cert, const char *const errormsg)
{
    (void)cert;
    fputs("certfail ", stdout);
    print_field(errormsg);
    putchar('\n');
    return 0;
}

static void send_chat(struct client_run *run, xmpp_conn_t *conn, const char *to, const char *body)
{
    xmpp_stanza_t *msg = xmpp_message_new(run->ctx, "chat", to, NULL);
    xmpp_message_set_body(msg, body);
    xmpp_send(conn, msg);
    xmpp_stanza_release(msg);
    fputs("sent ", stdout);
    print_field(to);
    putchar(' ');
    print_field(body);
    putchar('\n');
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
    struct client_run *run = userdata;
    const char *from = xmpp_stanza_get_from(stanza);
    const char *type = xmpp_stanza_get_type(stanza);
    char *body = xmpp_message_get_body(stanza);
    if (type != NULL && strcmp(type, "error") == 0) {
        /* a bounce (the peer was not online, say): the exchange failed */
        fputs("bounced ", stdout);
        print_field(from);
        putchar('\n');
        xmpp_disconnect(conn);
    } else if (body != NULL && from != NULL) {
        fputs("received ", stdout);
        print_field(from);
        putchar(' ');
        print_field(body);
        putchar('\n');
        if (run->mode == MODE_ECHO) {
            char reply[REPLY_MAX];
            snprintf(reply, sizeof reply, "%s%s", ECHO_PREFIX, body);
            send_chat(run, conn, from, reply);
        }
        if (run->mode != MODE_LOGIN) {
            run->goal_reached = 1;
            xmpp_disconnect(conn);
        }
    }
    if (body != NULL)
        xmpp_free(run->ctx, body);
    return 1;
}

static int on_ready_pong(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
    struct client_run *run = userdata;
    const char *type = xmpp_stanza_get_type(stanza);
    if (type == NULL || strcmp(type, "result") != 0) {
        puts("ping-failed");
        xmpp_disconnect(conn);
        return 0;
    }
    puts("ready");
    if (run->mode == MODE_LOGIN) {
        run->goal_reached = 1;
        xmpp_disconnect(conn);
    } else if (run->mode == MODE_ASK) {
        send_chat(run, conn, run->ask_to, run->ask_body);
    }
    return 0;
}

/* Bound: take messages, be available (a message to the bare JID needs an available resource),
 * then ping the server; its answer is the barrier behind which "ready" is true. */
static void start_session(struct client_run *run, xmpp_conn_t *conn)
{
    fputs("bound ", stdout);
    print_field(xmpp_conn_get_bound_jid(conn));
    putchar('\n');
    xmpp_handler_add(conn, on_message, NULL, "message", NULL, run);

    xmpp_stanza_t *presence = xmpp_presence_new(run->ctx);
    xmpp_send(conn, presence);
    xmpp_stanza_release(presence);

    xmpp_stanza_t *iq = xmpp_iq_new(run->ctx, "get", READY_PING_ID);
    xmpp_stanza_t *ping = xmpp_stanza_new(run->ctx);
    xmpp_stanza_set_name(ping, "ping");
    xmpp_stanza_set_ns(ping, "urn:xmpp:ping");
    xmpp_stanza_add_child(iq, ping);
    xmpp_stanza_release(ping);
    xmpp_id_handler_add(conn, on_ready_pong, READY_PING_ID, run);
    xmpp_send(conn, iq);
    xmpp_stanza_release(iq);
}

static void on_connection_event(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                                xmpp_stream_error_t *stream_error, void *userdata)
{
    struct client_run *run = userdata;
    if (event == XMPP_CONN_CONNECT) {
        printf("connected secured=%d\n", xmpp_conn_is_secured(conn));
        start_session(run, conn);
        return;
    }
    if (stream_error != NULL && stream_error->stanza != NULL) {
        xmpp_stanza_t *condition = xmpp_stanza_get_children(stream_error->stanza);
        fputs("stream-error ", stdout);
        print_field(condition ? xmpp_stanza_get_name(condition) : NULL);
        putchar('\n');
    }
    printf("disconnected error=%d\n", error);
    run->finished = 1;
}

static int parse_mode(const char *word, enum client_mode *mode)
{
    static const struct { const char *name; enum client_mode mode; } modes[] = {
        { "login", MODE_LOGIN }, { "echo", MODE_ECHO }, { "ask", MODE_ASK },
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(word, modes[i].name) == 0) {
            *mode = modes[i].mode;
            return 1;
        }
    }
    return 0;
}

static int usage(void)
{
    fputs("usage: strophe_client [-v] [-t SECONDS] PORT CAFILE JID PASSWORD login|echo|ask TO BODY\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    int verbose = 0;
    unsigned long timeout_s = 20;
    int opt;
    while ((opt = getopt(argc, argv, "vt:")) != -1) {
        if (opt == 'v') {
            verbose = 1;
        } else if (opt == 't') {
            char *end;
            timeout_s = strtoul(optarg, &end, 10);
            if (*end != '\0' || timeout_s == 0 || timeout_s > 600)
                return usage();
        } else {
            return usage();
        }
    }
    char **arg = argv + optind;
    int nargs = argc - optind;
    struct client_run run = { 0 };
    if (nargs < 5 || !parse_mode(arg[4], &run.mode) || nargs != (run.mode == MODE_ASK ? 7 : 5))
        return usage();
    char *end;
    unsigned long port = strtoul(arg[0], &end, 10);
    if (*end != '\0' || port == 0 || port > 65535)
        return usage();
    const char *cafile = arg[1];
    if (run.mode == MODE_ASK) {
        run.ask_to = arg[5];
        run.ask_body = arg[6];
    }

    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm((unsigned)timeout_s + 5);
    /* OpenSSL's default verify paths, which libstrophe loads beside the CA file, come from
     * these variables; /dev/null as a directory holds no certificate. */
    setenv("SSL_CERT_FILE", cafile, 1);
    setenv("SSL_CERT_DIR", "/dev/null", 1);

    xmpp_initialize();
    run.ctx = xmpp_ctx_new(NULL, xmpp_get_default_logger(verbose ? XMPP_LEVEL_DEBUG : XMPP_LEVEL_WARN));
    xmpp_conn_t *conn = xmpp_conn_new(run.ctx);
    xmpp_conn_set_flags(conn, XMPP_CONN_FLAG_MANDATORY_TLS);
    xmpp_conn_set_cafile(conn, cafile);
    xmpp_conn_set_certfail_handler(conn, refuse_unverified_certificate);
    xmpp_conn_set_jid(conn, arg[2]);
    xmpp_conn_set_pass(conn, arg[3]);

    if (xmpp_connect_client(conn, "127.0.0.1", (unsigned short)port, on_connection_event, &run) != XMPP_EOK) {
        puts("disconnected error=-1");
        run.finished = 1;
    }
    double deadline = monotonic_seconds() + (double)timeout_s;
    while (!run.finished) {
        if (monotonic_seconds() > deadline) {
            puts("timeout");
            break;
        }
        xmpp_run_once(run.ctx, 100);
    }
    xmpp_conn_release(conn);
    xmpp_ctx_free(run.ctx);
    xmpp_shutdown();
    return run.goal_reached && run.finished ? 0 : 1;
}
