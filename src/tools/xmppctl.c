/*
 * xmppctl — accounts in the xmppd account store (src/server/store_sqlite.h), a self-signed
 * certificate for a domain, and a configuration check.
 *
 *   xmppctl [-c STORE] [-i ITERATIONS] adduser user@domain
 *   xmppctl [-c STORE] [-i ITERATIONS] passwd  user@domain
 *   xmppctl [-c STORE] deluser user@domain
 *   xmppctl [-c STORE] list [domain]
 *   xmppctl gencert DOMAIN [-d DIR] [--days N]
 *   xmppctl checkconfig FILE
 *
 * adduser and passwd read the password twice from a terminal (echo off), or one line from
 * standard input when it is not a terminal; the password is SASLprep'd, turned into one SCRAM
 * secret per family and never stored, printed or logged. The JID is prepared (Nodeprep,
 * Nameprep) exactly as the server prepares the names clients log in with. libsasl2 cannot list
 * users, so `list` reads the store itself.
 *
 * gencert writes DIR/DOMAIN.key (created mode 0600) and DIR/DOMAIN.crt, a self-signed
 * certificate naming the domain as XMPP clients look for it (src/tools/gencert.h); the domain is
 * Nameprep'd like the others, and an existing file is never overwritten.
 *
 * checkconfig is `xmppd -c FILE -t` without the server: the same loader (src/server/config.h)
 * and the same certificate loading (xs_tls_ctx_new, src/server/tls.h), so the two accept and
 * refuse the same files for the same reasons.
 *
 * Exit status: 0 done; 1 refused: the account exists (adduser) or does not (passwd, deluser), a
 * file to write exists (gencert), the configuration or a certificate is refused (checkconfig,
 * as xmppd -t exits 1); 2 usage, a malformed JID or domain, a password refused (empty, too
 * long, prohibited characters, the two entries differ); 3 the store could not be opened, read
 * or written, or a certificate could not be made or written.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config.h"
#include "gencert.h"
#include "log.h"
#include "store_sqlite.h"
#include "tls.h"
#include "xc_jid.h"

#define XMPPCTL_DEFAULT_STORE "var/accounts.db"

/* 1 is "refused": the command found a state it will not change (an account there or not, a
 * file there) or a configuration xmppd would not start with. */
enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

static void usage(void)
{
    fprintf(stderr,
            "usage: xmppctl [-c STORE] [-i ITERATIONS] adduser|passwd user@domain\n"
            "       xmppctl [-c STORE] deluser user@domain\n"
            "       xmppctl [-c STORE] list [domain]\n"
            "       xmppctl gencert DOMAIN [-d DIR] [--days N]\n"
            "       xmppctl checkconfig FILE\n"
            "  -c STORE       the account store (default %s)\n"
            "  -i ITERATIONS  PBKDF2 iterations of new SCRAM secrets, %u..%u (default %u)\n"
            "  gencert        writes DIR/DOMAIN.key (mode 0600) and DIR/DOMAIN.crt, self-signed for\n"
            "                 DOMAIN (CN, DNS, XmppAddr and _xmpp-client SRV names); never overwrites\n"
            "  -d DIR         where gencert writes (default .)\n"
            "  --days N       how long the certificate is valid, 1..%u days (default %u)\n"
            "  checkconfig    loads FILE and every host's certificate and key as xmppd -c FILE -t\n"
            "                 does, with the same code: prints \"FILE: ok\" or file:line: reason\n"
            "exit status: 0 done; 1 refused (account exists / does not exist, file exists,\n"
            "configuration refused, as xmppd -t exits 1); 2 usage or bad input; 3 store or file error\n",
            XMPPCTL_DEFAULT_STORE, XS_SCRAM_ITER_MIN, XS_SCRAM_ITER_MAX, XS_SCRAM_ITER_DEFAULT,
            XS_GENCERT_DAYS_MAX, XS_GENCERT_DAYS_DEFAULT);
}

/* --- terminal handling: echo comes back whatever happens ------------------------------------ */

static struct termios saved_tio;
static volatile sig_atomic_t tio_saved;

static void restore_tty(void)
{
    if (tio_saved) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
        tio_saved = 0;
    }
}

static void on_signal(int sig)
{
    restore_tty();
    (void)signal(sig, SIG_DFL);
    (void)raise(sig);
}

/* Reads one line into buf (without its end of line). 0: read; -1: EOF before anything, an
 * error, or a line longer than cap - 1 bytes. */
static int read_line(FILE *in, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    int c, too_long = 0;

    *len = 0;
    while ((c = getc(in)) != EOF && c != '\n') {
        if (n + 1 < cap)
            buf[n++] = (char)c;
        else
            too_long = 1;
    }
    if (ferror(in) || (c == EOF && n == 0 && !too_long))
        return -1;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *len = n;
    return too_long ? -1 : 0;
}

static int prompt_tty(const char *prompt, char *buf, size_t cap, size_t *len)
{
    struct termios t;
    int rc;

    fputs(prompt, stderr);
    fflush(stderr);
    t = saved_tio;
    t.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK | ECHONL);
    t.c_lflag |= ICANON;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0)
        return -1;
    tio_saved = 1;
    rc = read_line(stdin, buf, cap, len);
    restore_tty();
    fputc('\n', stderr);
    return rc;
}

/* The new password: twice on a terminal, once from anything else. */
static int read_password(const char *jid, char *pw, size_t cap, size_t *len)
{
    char again[XS_STORE_PASSWORD_MAX + 2];
    size_t alen = 0;
    char prompt[160];
    int rc = -1;

    if (!isatty(STDIN_FILENO)) {
        if (read_line(stdin, pw, cap, len) != 0) {
            fprintf(stderr, "xmppctl: no password on standard input (one line, at most %u bytes)\n",
                    XS_STORE_PASSWORD_MAX);
            return -1;
        }
        return 0;
    }
    if (tcgetattr(STDIN_FILENO, &saved_tio) != 0) {
        fprintf(stderr, "xmppctl: cannot read the terminal settings: %s\n", strerror(errno));
        return -1;
    }
    (void)signal(SIGINT, on_signal);
    (void)signal(SIGTERM, on_signal);
    (void)signal(SIGHUP, on_signal);
    (void)signal(SIGQUIT, on_signal);
    (void)snprintf(prompt, sizeof prompt, "Password for %.100s: ", jid);
    if (prompt_tty(prompt, pw, cap, len) != 0) {
        fprintf(stderr, "xmppctl: no password read (at most %u bytes)\n", XS_STORE_PASSWORD_MAX);
        goto out;
    }
    if (prompt_tty("Again: ", again, sizeof again, &alen) != 0) {
        fprintf(stderr, "xmppctl: no password read\n");
        goto out;
    }
    if (alen != *len || CRYPTO_memcmp(again, pw, alen) != 0) {
        fprintf(stderr, "xmppctl: the two passwords differ; nothing changed\n");
        goto out;
    }
    rc = 0;
out:
    OPENSSL_cleanse(again, sizeof again);
    if (rc != 0) {
        OPENSSL_cleanse(pw, cap);
        *len = 0;
    }
    return rc;
}

/* --- commands ------------------------------------------------------------------------------ */

typedef struct account {
    char node[XC_JID_PART_MAX + 1];
    char host[XC_JID_PART_MAX + 1];
    char text[2u * XC_JID_PART_MAX + 2u];  /* node@host, for messages */
} account;

static int parse_account(const char *arg, account *a)
{
    xc_jid j;
    xc_jid_status st = xc_jid_parse(arg, strlen(arg), &j);

    if (st != XC_JID_OK || j.node_len == 0 || j.resource_len != 0) {
        fprintf(stderr, "xmppctl: '%s' is not an account JID (user@domain, no resource)\n", arg);
        return -1;
    }
    memcpy(a->node, j.buf + XC_JID_NODE_OFF, j.node_len);
    a->node[j.node_len] = '\0';
    memcpy(a->host, j.buf + XC_JID_DOMAIN_OFF, j.domain_len);
    a->host[j.domain_len] = '\0';
    (void)snprintf(a->text, sizeof a->text, "%s@%s", a->node, a->host);
    return 0;
}

static int print_account(void *ctx, const char *node, const char *host)
{
    (void)ctx;
    return printf("%s@%s\n", node, host) < 0 ? 1 : 0;
}

static int store_error(const char *path, const char *what)
{
    fprintf(stderr, "xmppctl: %s: cannot %s the account store\n", path, what);
    return EXIT_IO;
}

static int set_password(xs_store *st, const char *path, const account *a, int add, unsigned iterations)
{
    char pw[XS_STORE_PASSWORD_MAX + 2];
    size_t len = 0;
    xs_store_status r;
    int rc;

    /* Say at once when there is nothing to do, before asking for a password. */
    r = xs_store_exists(st, a->node, a->host);
    if (r == XS_STORE_ERROR)
        return store_error(path, "read");
    if (add && r == XS_STORE_OK) {
        fprintf(stderr, "xmppctl: %s exists (passwd changes its password)\n", a->text);
        return EXIT_REFUSED;
    }
    if (!add && r == XS_STORE_NOT_FOUND) {
        fprintf(stderr, "xmppctl: no account %s\n", a->text);
        return EXIT_REFUSED;
    }
    if (read_password(a->text, pw, sizeof pw, &len) != 0)
        return EXIT_USAGE;
    r = add ? xs_store_add(st, a->node, a->host, pw, len, iterations)
            : xs_store_set_password(st, a->node, a->host, pw, len, iterations);
    OPENSSL_cleanse(pw, sizeof pw);
    switch (r) {
    case XS_STORE_OK:
        printf("%s %s\n", add ? "added" : "password changed for", a->text);
        rc = EXIT_OK;
        break;
    case XS_STORE_EXISTS:
        fprintf(stderr, "xmppctl: %s exists (passwd changes its password)\n", a->text);
        rc = EXIT_REFUSED;
        break;
    case XS_STORE_NOT_FOUND:
        fprintf(stderr, "xmppctl: no account %s\n", a->text);
        rc = EXIT_REFUSED;
        break;
    case XS_STORE_INVALID:
        fprintf(stderr,
                "xmppctl: password refused: empty, longer than %u bytes, or with characters SASLprep "
                "prohibits (controls, unassigned code points)\n",
                XS_STORE_PASSWORD_MAX);
        rc = EXIT_USAGE;
        break;
    case XS_STORE_ERROR:
    default:
        rc = store_error(path, "write");
        break;
    }
    return rc;
}

/* A decimal number in lo..hi for option `opt`. 0, or -1 after saying what it wants. */
static int parse_number(const char *opt, const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "xmppctl: %s wants a number from %u to %u\n", opt, lo, hi);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* A bare domain, Nameprep'd as the server prepares the hosts it serves (config.c) and the JIDs
 * clients send. out holds XC_JID_PART_MAX + 1 bytes. */
static int parse_domain(const char *arg, char *out)
{
    xc_jid j;

    if (xc_jid_parse(arg, strlen(arg), &j) != XC_JID_OK || j.node_len != 0 || j.resource_len != 0) {
        fprintf(stderr, "xmppctl: '%s' is not a domain\n", arg);
        return -1;
    }
    memcpy(out, j.buf + XC_JID_DOMAIN_OFF, j.domain_len);
    out[j.domain_len] = '\0';
    return 0;
}

static int cmd_list(const char *path, const char *domain_arg)
{
    char host[XC_JID_PART_MAX + 1];
    char err[512];
    xs_store *st;
    int rc = EXIT_OK;

    if (domain_arg != NULL && parse_domain(domain_arg, host) != 0)
        return EXIT_USAGE;
    st = xs_store_open(path, 0, err, sizeof err);
    if (st == NULL) {
        fprintf(stderr, "xmppctl: %s\n", err);
        return EXIT_IO;
    }
    if (xs_store_list(st, domain_arg != NULL ? host : NULL, print_account, NULL) != XS_STORE_OK ||
        fflush(stdout) != 0)
        rc = store_error(path, "read");
    xs_store_close(st);
    return rc;
}

/* adduser, passwd, deluser. */
static int cmd_account(const char *cmd, const char *path, const char *jid, unsigned iterations)
{
    char err[512];
    xs_store *st;
    account a;
    int rc = EXIT_OK;

    if (parse_account(jid, &a) != 0)
        return EXIT_USAGE;
    st = xs_store_open(path, strcmp(cmd, "adduser") == 0 ? XS_STORE_CREATE : 0u, err, sizeof err);
    if (st == NULL) {
        fprintf(stderr, "xmppctl: %s\n", err);
        return EXIT_IO;
    }
    if (strcmp(cmd, "deluser") == 0) {
        switch (xs_store_delete(st, a.node, a.host)) {
        case XS_STORE_OK:
            printf("deleted %s\n", a.text);
            break;
        case XS_STORE_NOT_FOUND:
            fprintf(stderr, "xmppctl: no account %s\n", a.text);
            rc = EXIT_REFUSED;
            break;
        case XS_STORE_EXISTS:
        case XS_STORE_INVALID:
        case XS_STORE_ERROR:
        default:
            rc = store_error(path, "write");
            break;
        }
    } else {
        rc = set_password(st, path, &a, strcmp(cmd, "adduser") == 0, iterations);
    }
    xs_store_close(st);
    return rc;
}

static int cmd_gencert(const char *domain_arg, const char *dir, unsigned days)
{
    char domain[XC_JID_PART_MAX + 1];
    char crt[PATH_MAX], key[PATH_MAX];
    char err[PATH_MAX + 256];
    int n, m;

    if (parse_domain(domain_arg, domain) != 0)
        return EXIT_USAGE;
    n = snprintf(crt, sizeof crt, "%s/%s.crt", dir, domain);
    m = snprintf(key, sizeof key, "%s/%s.key", dir, domain);
    if (n < 0 || (size_t)n >= sizeof crt || m < 0 || (size_t)m >= sizeof key) {
        fprintf(stderr, "xmppctl: the path %s/%s.key is too long\n", dir, domain);
        return EXIT_USAGE;
    }
    switch (xs_gencert(domain, days, crt, key, err, sizeof err)) {
    case XS_GENCERT_OK:
        printf("wrote %s (mode 0600) and %s: self-signed for %s, valid %u days\n", key, crt, domain, days);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
    case XS_GENCERT_EXISTS:
        fprintf(stderr, "xmppctl: %s\n", err);
        return EXIT_REFUSED;
    case XS_GENCERT_INVALID:
        fprintf(stderr, "xmppctl: %s\n", err);
        return EXIT_USAGE;
    case XS_GENCERT_ERROR:
    default:
        fprintf(stderr, "xmppctl: %s\n", err);
        return EXIT_IO;
    }
}

/* What xmppd -t does before it says "valid" (main.c gen_load): the loader, then every host's
 * certificate chain and key loaded and matched by xs_tls_ctx_new. Warnings it logs (a
 * certificate that does not name its host) go to stderr; they do not refuse the file there
 * either. */
static int cmd_checkconfig(const char *path)
{
    xs_config *cfg = calloc(1, sizeof *cfg);   /* tens of KiB: off the stack */
    xs_tls_ctx *tls = NULL;
    char err[1024];
    int rc = EXIT_REFUSED;

    if (cfg == NULL) {
        fprintf(stderr, "xmppctl: out of memory\n");
        return EXIT_IO;
    }
    xs_log_open(XS_LOG_WARN, 0);
    if (xs_config_load(path, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
    } else if ((tls = xs_tls_ctx_new(cfg, err, sizeof err)) == NULL) {
        fprintf(stderr, "%s: %s\n", path, err);   /* tls.c names the host and the file */
    } else {
        printf("%s: ok\n", path);
        rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
    }
    xs_tls_ctx_unref(tls);
    free(cfg);
    return rc;
}

static int misplaced(const char *why)
{
    fprintf(stderr, "xmppctl: %s\n", why);
    usage();
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    static const struct option long_opts[] = {
        { "days", required_argument, NULL, 'D' },
        { NULL, 0, NULL, 0 },
    };
    const char *path = XMPPCTL_DEFAULT_STORE, *dir = ".";
    unsigned iterations = 0, days = XS_GENCERT_DAYS_DEFAULT;
    int store_opts = 0, cert_opts = 0;   /* options given that belong to one kind of command */
    const char *cmd;
    int opt, nargs;

    while ((opt = getopt_long(argc, argv, "c:i:d:h", long_opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            store_opts = 1;
            break;
        case 'i':
            if (parse_number("-i", optarg, XS_SCRAM_ITER_MIN, XS_SCRAM_ITER_MAX, &iterations) != 0)
                return EXIT_USAGE;
            store_opts = 1;
            break;
        case 'd':
            dir = optarg;
            cert_opts = 1;
            break;
        case 'D':
            if (parse_number("--days", optarg, 1, XS_GENCERT_DAYS_MAX, &days) != 0)
                return EXIT_USAGE;
            cert_opts = 1;
            break;
        case 'h':
            usage();
            return EXIT_OK;
        default:
            usage();
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage();
        return EXIT_USAGE;
    }
    cmd = argv[optind++];
    nargs = argc - optind;
    if (strcmp(cmd, "gencert") == 0 || strcmp(cmd, "checkconfig") == 0) {
        if (store_opts || (cert_opts && strcmp(cmd, "gencert") != 0))
            return misplaced(store_opts ? "-c and -i go with the account commands" : "-d and --days go with gencert");
        if (nargs != 1) {
            usage();
            return EXIT_USAGE;
        }
        return strcmp(cmd, "gencert") == 0 ? cmd_gencert(argv[optind], dir, days) : cmd_checkconfig(argv[optind]);
    }
    if (strcmp(cmd, "list") != 0 && strcmp(cmd, "adduser") != 0 && strcmp(cmd, "passwd") != 0 &&
        strcmp(cmd, "deluser") != 0) {
        fprintf(stderr, "xmppctl: unknown command '%s'\n", cmd);
        usage();
        return EXIT_USAGE;
    }
    if (cert_opts)
        return misplaced("-d and --days go with gencert");
    if (strcmp(cmd, "list") == 0 ? nargs > 1 : nargs != 1) {
        usage();
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "list") == 0)
        return cmd_list(path, nargs == 1 ? argv[optind] : NULL);
    return cmd_account(cmd, path, argv[optind], iterations);
}
