/*
 * xmpp-load — a load generator for XMPP c2s servers: N clients log in over STARTTLS (TLS 1.3,
 * the server's certificate verified) with SCRAM and bind a resource, then exchange messages in
 * pairs, churn logins, or sit idle while the server's memory is read. See run.h for the modes,
 * bench/README-c2s.md for how bench/run_c2s.sh uses it beside Prosody.
 *
 * Exit status: 0 the run finished without an error; 1 it finished with errors (they are in
 * the report); 2 usage; 3 it could not start (CA file, descriptors, memory).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

#include "report.h"
#include "run.h"

enum { EXIT_CLEAN = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2, EXIT_START = 3 };
enum { OPT_IDLE = 256, OPT_PAIRS, OPT_SETTLE, OPT_WARM_LOGINS, OPT_MECH, OPT_BUFSIZE };

#define CLIENTS_MAX 1000000u
#define DESCRIPTORS_SPARE 64u   /* stdio, epoll, the CA file, /proc reads */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: xmpp-load --ca FILE [options]\n"
            "  -m, --mode login|msg|idle  what to measure (default msg)\n"
            "      --idle                 the same as --mode idle\n"
            "  -H, --host ADDR            the server's IPv4 address (127.0.0.1)\n"
            "  -p, --port N               its c2s port (5222)\n"
            "  -d, --domain NAME          XMPP domain, and the name its certificate must carry (localhost)\n"
            "  -C, --ca FILE              PEM certificate(s) that must sign the server's (required)\n"
            "  -P, --password TEXT        the accounts' one password (default: $XMPP_LOAD_PASSWORD,\n"
            "                             else benchpass)\n"
            "  -u, --user-prefix TEXT     accounts are PREFIX1..PREFIXn at the domain (user)\n"
            "  -n, --clients N            login: accounts to cycle through; idle: sessions; msg:\n"
            "                             sessions, paired 1<->2, 3<->4, ... (100)\n"
            "      --pairs N              msg: the same as --clients 2N\n"
            "  -c, --concurrency N        logins in progress at most; login mode: slots (50)\n"
            "  -s, --sources N            bind sockets to 127.0.0.1 + 0..N-1 in turn (64)\n"
            "  -t, --duration S           seconds measured (login, msg) or held idle (idle) (10)\n"
            "  -w, --warmup S             msg: seconds of messages before measuring (2)\n"
            "  -r, --rate R               msg: messages per second in total; 0 is flat out (0)\n"
            "  -W, --window N             msg flat out: messages in flight per sender (8)\n"
            "  -T, --timeout S            a login must be bound within S seconds (30)\n"
            "      --settle S             seconds to wait before an RSS reading (2)\n"
            "      --warm-logins N        idle: logins made and closed before the baseline RSS (20)\n"
            "  -S, --server-pid PID       read the server's VmRSS from /proc/PID/status by phase\n"
            "      --mech M               SCRAM-SHA-256 or SCRAM-SHA-1 (SCRAM-SHA-256)\n"
            "      --bufsize N            bytes of each client's input and output buffers (8192)\n"
            "  -l, --label TEXT           names the server in the results\n"
            "exit status: 0 no errors; 1 the run had errors (see the report); 2 usage; 3 could not start\n");
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_secs(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n == 0 || n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

/* Parses argv into cfg. 0, or -1 after a message on stderr. */
static int parse(int argc, char **argv, xl_config *cfg)
{
    static const struct option opts[] = {
        { "mode", required_argument, NULL, 'm' },      { "idle", no_argument, NULL, OPT_IDLE },
        { "host", required_argument, NULL, 'H' },      { "port", required_argument, NULL, 'p' },
        { "domain", required_argument, NULL, 'd' },    { "ca", required_argument, NULL, 'C' },
        { "password", required_argument, NULL, 'P' },  { "user-prefix", required_argument, NULL, 'u' },
        { "clients", required_argument, NULL, 'n' },   { "pairs", required_argument, NULL, OPT_PAIRS },
        { "concurrency", required_argument, NULL, 'c' }, { "sources", required_argument, NULL, 's' },
        { "duration", required_argument, NULL, 't' },  { "warmup", required_argument, NULL, 'w' },
        { "rate", required_argument, NULL, 'r' },      { "window", required_argument, NULL, 'W' },
        { "timeout", required_argument, NULL, 'T' },   { "settle", required_argument, NULL, OPT_SETTLE },
        { "warm-logins", required_argument, NULL, OPT_WARM_LOGINS },
        { "server-pid", required_argument, NULL, 'S' }, { "mech", required_argument, NULL, OPT_MECH },
        { "bufsize", required_argument, NULL, OPT_BUFSIZE }, { "label", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },            { NULL, 0, NULL, 0 }
    };
    const char *env_pw = getenv("XMPP_LOAD_PASSWORD");
    uint32_t u;
    int o, bad = 0;

    memset(cfg, 0, sizeof *cfg);
    cfg->mode = XL_MODE_MSG;
    (void)copy(cfg->host, sizeof cfg->host, "127.0.0.1");
    cfg->port = 5222;
    (void)copy(cfg->domain, sizeof cfg->domain, "localhost");
    (void)copy(cfg->password, sizeof cfg->password, env_pw != NULL && env_pw[0] ? env_pw : "benchpass");
    (void)copy(cfg->user_prefix, sizeof cfg->user_prefix, "user");
    cfg->clients = 100;
    cfg->concurrency = 50;
    cfg->sources = 64;
    cfg->duration = 10;
    cfg->warmup = 2;
    cfg->window = 8;
    cfg->timeout = 30;
    cfg->settle = 2;
    cfg->warm_logins = 20;
    cfg->hash = XL_SCRAM_SHA256;
    cfg->bufsize = 8192;

    while (!bad && (o = getopt_long(argc, argv, "m:H:p:d:C:P:u:n:c:s:t:w:r:W:T:S:l:h", opts, NULL)) != -1) {
        switch (o) {
        case 'm':
            if (strcmp(optarg, "login") == 0)
                cfg->mode = XL_MODE_LOGIN;
            else if (strcmp(optarg, "msg") == 0)
                cfg->mode = XL_MODE_MSG;
            else if (strcmp(optarg, "idle") == 0)
                cfg->mode = XL_MODE_IDLE;
            else
                bad = 1;
            break;
        case OPT_IDLE: cfg->mode = XL_MODE_IDLE; break;
        case 'H': bad = copy(cfg->host, sizeof cfg->host, optarg); break;
        case 'p': bad = parse_u32(optarg, 1, 65535, &u); cfg->port = (uint16_t)u; break;
        case 'd': bad = copy(cfg->domain, sizeof cfg->domain, optarg); break;
        case 'C': bad = copy(cfg->ca_file, sizeof cfg->ca_file, optarg); break;
        case 'P': bad = copy(cfg->password, sizeof cfg->password, optarg); break;
        case 'u': bad = copy(cfg->user_prefix, sizeof cfg->user_prefix, optarg); break;
        case 'n': bad = parse_u32(optarg, 1, CLIENTS_MAX, &cfg->clients); break;
        case OPT_PAIRS: bad = parse_u32(optarg, 1, CLIENTS_MAX / 2, &u); cfg->clients = 2 * u; break;
        case 'c': bad = parse_u32(optarg, 1, CLIENTS_MAX, &cfg->concurrency); break;
        case 's': bad = parse_u32(optarg, 1, 65534, &cfg->sources); break;
        case 't': bad = parse_secs(optarg, 0.1, 3600, &cfg->duration); break;
        case 'w': bad = parse_secs(optarg, 0, 600, &cfg->warmup); break;
        case 'r': bad = parse_secs(optarg, 0, 1e6, &cfg->rate); break;
        case 'W': bad = parse_u32(optarg, 1, 4096, &cfg->window); break;
        case 'T': bad = parse_secs(optarg, 0.1, 3600, &cfg->timeout); break;
        case OPT_SETTLE: bad = parse_secs(optarg, 0, 600, &cfg->settle); break;
        case OPT_WARM_LOGINS: bad = parse_u32(optarg, 0, CLIENTS_MAX, &cfg->warm_logins); break;
        case 'S': bad = parse_u32(optarg, 1, 1u << 30, &u); cfg->server_pid = (int)u; break;
        case OPT_MECH:
            if (strcmp(optarg, "SCRAM-SHA-256") == 0)
                cfg->hash = XL_SCRAM_SHA256;
            else if (strcmp(optarg, "SCRAM-SHA-1") == 0)
                cfg->hash = XL_SCRAM_SHA1;
            else
                bad = 1;
            break;
        case OPT_BUFSIZE: bad = parse_u32(optarg, 2048, 1u << 20, &u); cfg->bufsize = u; break;
        case 'l': bad = copy(cfg->label, sizeof cfg->label, optarg); break;
        case 'h': usage(stdout); exit(EXIT_CLEAN);
        default: bad = 1; break;
        }
        if (bad && o != '?')
            fprintf(stderr, "xmpp-load: bad value for option -%c/%d: %s\n", o < 256 ? o : '-', o,
                    optarg != NULL ? optarg : "");
    }
    if (!bad && optind != argc) {
        fprintf(stderr, "xmpp-load: unexpected argument %s\n", argv[optind]);
        bad = 1;
    }
    if (!bad && cfg->ca_file[0] == '\0') {
        fprintf(stderr, "xmpp-load: --ca is required (the server's certificate is always verified)\n");
        bad = 1;
    }
    if (!bad && cfg->mode == XL_MODE_MSG && cfg->clients % 2 != 0) {
        fprintf(stderr, "xmpp-load: msg mode needs an even number of clients (pairs)\n");
        bad = 1;
    }
    if (!bad && cfg->duration + cfg->warmup > 3600) {
        fprintf(stderr, "xmpp-load: warm-up and duration together are at most 3600 s\n");
        bad = 1;
    }
    if (bad)
        usage(stderr);
    return bad ? -1 : 0;
}

/* Raises the descriptor limit to what the run needs (up to the hard limit). 0, or -1 with a
 * message: the caller (as root: `ulimit -n`) must raise the hard limit first. */
static int descriptors(const xl_config *cfg)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)(cfg->mode == XL_MODE_LOGIN ? cfg->concurrency : cfg->clients) + DESCRIPTORS_SPARE;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
        fprintf(stderr, "xmpp-load: %llu descriptors needed, the hard limit is %llu (raise it: ulimit -n)\n",
                (unsigned long long)need, (unsigned long long)rl.rlim_max);
        return -1;
    }
    rl.rlim_cur = need;
    return setrlimit(RLIMIT_NOFILE, &rl);
}

int main(int argc, char **argv)
{
    static xl_config cfg;
    static xl_run run;
    uint64_t errors = 0;
    unsigned i;
    int rc;

    if (parse(argc, argv, &cfg) != 0)
        return EXIT_USAGE;
    (void)signal(SIGPIPE, SIG_IGN);   /* OpenSSL writes to sockets with write(2) */
    if (descriptors(&cfg) != 0)
        return EXIT_START;
    xl_report_config(stdout, &cfg);
    rc = xl_run_main(&run, &cfg);
    if (rc == 0) {
        xl_report_results(stdout, &run);
        for (i = 0; i < XL_ERR_KINDS; i++)
            errors += run.err[i];
    }
    xl_run_free(&run);
    OPENSSL_cleanse(cfg.password, sizeof cfg.password);
    if (rc != 0)
        return EXIT_START;
    return errors > 0 ? EXIT_ERRORS : EXIT_CLEAN;
}
