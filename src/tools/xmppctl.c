/*
 * xmppctl — accounts in the xmppd account store (src/server/store_sqlite.h).
 *
 *   xmppctl [-c STORE] [-i ITERATIONS] adduser user@domain
 *   xmppctl [-c STORE] [-i ITERATIONS] passwd  user@domain
 *   xmppctl [-c STORE] deluser user@domain
 *   xmppctl [-c STORE] list [domain]
 *
 * adduser and passwd read the password twice from a terminal (echo off), or one line from
 * standard input when it is not a terminal; the password is SASLprep'd, turned into one SCRAM
 * secret per family and never stored, printed or logged. The JID is prepared (Nodeprep,
 * Nameprep) exactly as the server prepares the names clients log in with. libsasl2 cannot list
 * users, so `list` reads the store itself.
 *
 * Exit status: 0 done; 1 the account exists (adduser) or does not (passwd, deluser);
 * 2 usage, a malformed JID, or a password refused (empty, too long, prohibited characters,
 * the two entries differ); 3 the store could not be opened, read or written.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "store_sqlite.h"
#include "xc_jid.h"

#define XMPPCTL_DEFAULT_STORE "var/accounts.db"

enum { EXIT_OK = 0, EXIT_ACCOUNT = 1, EXIT_USAGE = 2, EXIT_STORE = 3 };

static void usage(void)
{
    fprintf(stderr,
            "usage: xmppctl [-c STORE] [-i ITERATIONS] adduser|passwd user@domain\n"
            "       xmppctl [-c STORE] deluser user@domain\n"
            "       xmppctl [-c STORE] list [domain]\n"
            "  -c STORE       the account store (default %s)\n"
            "  -i ITERATIONS  PBKDF2 iterations of new SCRAM secrets, %u..%u (default %u)\n"
            "exit status: 0 done, 1 account exists / does not exist, 2 usage or bad input, 3 store error\n",
            XMPPCTL_DEFAULT_STORE, XS_SCRAM_ITER_MIN, XS_SCRAM_ITER_MAX, XS_SCRAM_ITER_DEFAULT);
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
    return EXIT_STORE;
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
        return EXIT_ACCOUNT;
    }
    if (!add && r == XS_STORE_NOT_FOUND) {
        fprintf(stderr, "xmppctl: no account %s\n", a->text);
        return EXIT_ACCOUNT;
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
        rc = EXIT_ACCOUNT;
        break;
    case XS_STORE_NOT_FOUND:
        fprintf(stderr, "xmppctl: no account %s\n", a->text);
        rc = EXIT_ACCOUNT;
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

static int parse_iterations(const char *s, unsigned *out)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < XS_SCRAM_ITER_MIN || v > XS_SCRAM_ITER_MAX) {
        fprintf(stderr, "xmppctl: -i wants a number from %u to %u\n", XS_SCRAM_ITER_MIN, XS_SCRAM_ITER_MAX);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = XMPPCTL_DEFAULT_STORE;
    const char *cmd;
    unsigned iterations = 0;
    char err[512];
    xs_store *st;
    account a;
    int opt, rc = EXIT_OK;

    while ((opt = getopt(argc, argv, "c:i:h")) != -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            break;
        case 'i':
            if (parse_iterations(optarg, &iterations) != 0)
                return EXIT_USAGE;
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
    if (strcmp(cmd, "list") == 0) {
        char host[XC_JID_PART_MAX + 1];
        const char *filter = NULL;

        if (argc - optind > 1) {
            usage();
            return EXIT_USAGE;
        }
        if (argc - optind == 1) {
            xc_jid j;

            if (xc_jid_parse(argv[optind], strlen(argv[optind]), &j) != XC_JID_OK || j.node_len != 0 ||
                j.resource_len != 0) {
                fprintf(stderr, "xmppctl: '%s' is not a domain\n", argv[optind]);
                return EXIT_USAGE;
            }
            memcpy(host, j.buf + XC_JID_DOMAIN_OFF, j.domain_len);
            host[j.domain_len] = '\0';
            filter = host;
        }
        st = xs_store_open(path, 0, err, sizeof err);
        if (st == NULL) {
            fprintf(stderr, "xmppctl: %s\n", err);
            return EXIT_STORE;
        }
        if (xs_store_list(st, filter, print_account, NULL) != XS_STORE_OK || fflush(stdout) != 0)
            rc = store_error(path, "read");
        xs_store_close(st);
        return rc;
    }
    if (strcmp(cmd, "adduser") != 0 && strcmp(cmd, "passwd") != 0 && strcmp(cmd, "deluser") != 0) {
        fprintf(stderr, "xmppctl: unknown command '%s'\n", cmd);
        usage();
        return EXIT_USAGE;
    }
    if (argc - optind != 1) {
        usage();
        return EXIT_USAGE;
    }
    if (parse_account(argv[optind], &a) != 0)
        return EXIT_USAGE;
    st = xs_store_open(path, strcmp(cmd, "adduser") == 0 ? XS_STORE_CREATE : 0u, err, sizeof err);
    if (st == NULL) {
        fprintf(stderr, "xmppctl: %s\n", err);
        return EXIT_STORE;
    }
    if (strcmp(cmd, "deluser") == 0) {
        switch (xs_store_delete(st, a.node, a.host)) {
        case XS_STORE_OK:
            printf("deleted %s\n", a.text);
            break;
        case XS_STORE_NOT_FOUND:
            fprintf(stderr, "xmppctl: no account %s\n", a.text);
            rc = EXIT_ACCOUNT;
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
