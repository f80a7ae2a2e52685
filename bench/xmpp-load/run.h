/*
 * run.h — one benchmark run: its configuration, the event loop over all clients, the phases of
 * each mode, and what was measured.
 *
 * Modes:
 *   login  `concurrency` slots cycle through accounts 1..clients: connect, STARTTLS, SCRAM,
 *          bind, close, again. A warm-up round logs every account in once (so the SCRAM cache
 *          holds every salt) before `duration` seconds are counted.
 *   msg    `clients` sessions (pairs: 1<->2, 3<->4, ...) log in; then each sends messages to
 *          its partner, flat out (at most `window` in flight per sender) or at `rate` messages
 *          per second in total; `warmup` seconds, then `duration` seconds counted.
 *   idle   `clients` sessions log in and stay idle for `duration` seconds; the server's RSS with
 *          them, minus its RSS after `warm_logins` logins have come and gone, over the sessions,
 *          is the memory per idle authenticated session.
 * In every mode at most `concurrency` logins are in progress at once.
 */
#ifndef XL_RUN_H
#define XL_RUN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "hist.h"
#include "scram.h"

#define XL_TEXT_MAX 256u
#define XL_DETAILS_MAX 16u   /* distinct error texts kept for the report */
#define XL_PHASES_MAX 8u

typedef enum { XL_MODE_LOGIN, XL_MODE_MSG, XL_MODE_IDLE } xl_mode;

typedef struct {
    xl_mode mode;
    char host[64];            /* IPv4 literal of the server */
    uint16_t port;
    char domain[XL_TEXT_MAX]; /* the XMPP domain and the name its certificate must carry */
    char ca_file[1024];
    char password[XL_TEXT_MAX];
    char user_prefix[32];     /* accounts are <prefix><n>@domain */
    char label[64];           /* names the server in the RESULT line */
    uint32_t clients;
    uint32_t concurrency;
    uint32_t sources;         /* source addresses 127.0.0.1 + k, k < sources */
    double duration, warmup, rate, timeout, settle;
    uint32_t window;
    uint32_t warm_logins;     /* idle mode: logins before the baseline RSS */
    int server_pid;           /* 0: no RSS readings */
    xl_scram_hash hash;
    size_t bufsize;
} xl_config;

typedef enum {
    XL_ERR_CONNECT, XL_ERR_TLS, XL_ERR_STREAM, XL_ERR_AUTH, XL_ERR_STANZA, XL_ERR_CLOSED,
    XL_ERR_TIMEOUT, XL_ERR_PROTOCOL, XL_ERR_KINDS
} xl_err;

typedef struct {
    char name[32];
    long rss_kib;       /* at the end of the phase */
    long rss_max_kib;   /* highest sampled during it */
    double seconds;
} xl_phase;

typedef struct xl_run {
    const xl_config *cfg;
    int ep;
    SSL_CTX *tls;
    xl_scram_cache *scram;
    struct sockaddr_in *dst;
    xl_client *c;
    uint32_t n;               /* slots */
    uint32_t next_slot;       /* idle, msg: the next slot to log in */
    uint32_t next_account;    /* login: the next account to use (0-based, wraps) */
    uint32_t accounts_left;   /* login: logins still to start in this phase (UINT32_MAX: no cap) */
    uint64_t connections;     /* sockets opened: picks the source address */
    uint32_t logging_in;      /* logins in progress */
    uint32_t open;            /* slots with a connection */
    uint32_t bound;           /* sessions bound now */
    int starting;             /* new logins may start */
    int sending;              /* messages flow */
    int counting;             /* results count (the measured window) */
    uint32_t slot_limit;      /* idle, msg: log in slots below this */
    int64_t t_start;          /* the run began */
    int64_t t_send_start;     /* rate schedule origin */
    int64_t next_tick_ns, next_check_ns, next_rss_ns, next_progress_ns;
    int64_t phase_start_ns, count_start_ns;
    double cpu_at_count;
    xl_client *dirty;         /* clients to top up and flush after this batch of events */
    char tls_desc[XL_TEXT_MAX];

    /* results */
    uint64_t logins, logins_counted;
    xl_hist login_lat, msg_lat;
    uint64_t sent, received, sent_counted, received_counted, bounced;
    uint64_t err[XL_ERR_KINDS];
    struct { char text[96]; xl_err kind; uint64_t n; } detail[XL_DETAILS_MAX];
    xl_phase phase[XL_PHASES_MAX];
    uint32_t phases;
    long rss_max_now;         /* highest RSS sampled in the current phase */
    double counted_seconds, cpu_counted;   /* the measured window, and our CPU time in it */
    double server_cpu_at_count;            /* the server's CPU seconds (--server-pid) at its start, or -1 */
    double server_cpu_counted;             /* ... used in the window, or -1 when unknown */
    double ramp_logins_per_s;
    uint32_t sessions;        /* msg: bound after the login ramp; idle: at the end of the hold */
} xl_run;

/* Runs cfg to the end. 0 when it ran (errors are results, not failures); -1 when it could not
 * start (message on stderr). */
int xl_run_main(xl_run *r, const xl_config *cfg);
/* Closes what is open and frees what xl_run_main allocated; results stay readable. */
void xl_run_free(xl_run *r);

/* --- what the dialogue (dialog.c) reports --- */
/* The client failed: it is closed at once and the error counted under kind with its text. */
void xl_run_fail(xl_run *r, xl_client *c, xl_err kind, const char *text, size_t len);
/* The bind IQ was answered: the session is bound. */
void xl_run_bound(xl_run *r, xl_client *c);
/* A message sent at sent_ns (monotonic) reached c. */
void xl_run_delivered(xl_run *r, xl_client *c, int64_t sent_ns);
/* A stanza error came back to c (counted; a bounced message is no longer in flight). */
void xl_run_stanza_error(xl_run *r, xl_client *c, const char *text, size_t len, int was_message);
/* The server closed the connection after the stream we ended: c is closed. */
void xl_run_closed(xl_run *r, xl_client *c);

int64_t xl_now_ns(void);

#endif
