/*
 * config.h — xmppd.conf (libconfig syntax) read into one plain struct.
 *
 * Everything is checked when the file is read: an unknown setting, a wrong type, a value out of
 * range, a host name that is not a valid domain, a key file readable by others — each refuses the
 * whole file with "file:line: reason", so a typo in a security setting never starts a server that
 * silently ignores it. Relative paths are taken from the directory of the configuration file.
 * See etc/xmppd.conf.example for every setting and its default.
 */
#ifndef XS_CONFIG_H
#define XS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "xc_c2s.h"
#include "xc_s2s.h"

#define XS_CFG_LISTEN_MAX 16u
#define XS_CFG_ADDR_MAX 64u
#define XS_CFG_NAME_MAX 1024u    /* a prepared domain is at most 1023 bytes (RFC 3920 §3.1) */
#define XS_CFG_PATH_MAX 1024u
#define XS_CFG_CIPHERS_MAX 512u

typedef struct xs_listen_cfg {
    char address[XS_CFG_ADDR_MAX];   /* an IPv4 or IPv6 literal */
    uint16_t port;
} xs_listen_cfg;

/* Client certificates on a host's c2s streams (issue 4; DESIGN.md "Client certificates"). */
typedef enum xs_client_certs {
    XS_CLIENT_CERTS_OFF = 0,         /* none asked for */
    XS_CLIENT_CERTS_OPTIONAL,        /* asked for; a verified one allows EXTERNAL */
    XS_CLIENT_CERTS_REQUIRED         /* none: certificate_required alert; invalid: <policy-violation/> */
} xs_client_certs;

/* Where the account a client certificate names is read from. */
typedef enum xs_cert_identity {
    XS_CERT_ID_XMPPADDR = 0,         /* subjectAltName otherName id-on-xmppAddr (RFC 3920 §5.1 rule 8) */
    XS_CERT_ID_EMAIL                 /* subjectAltName rfc822Name user@domain of this host */
} xs_cert_identity;

typedef struct xs_vhost_cfg {
    char domain[XS_CFG_NAME_MAX];    /* nameprepped, lower case */
    char cert[XS_CFG_PATH_MAX];      /* PEM chain, leaf first */
    char key[XS_CFG_PATH_MAX];       /* PEM private key, mode 0600 or stricter */
    xs_client_certs client_certs;
    xs_cert_identity cert_identity;
    char client_ca[XS_CFG_PATH_MAX]; /* PEM CAs that sign client certificates ("" when off) */
    char client_crl[XS_CFG_PATH_MAX];/* PEM CRLs of those CAs, "" for none */
} xs_vhost_cfg;

/* A static route of the s2s host map: `domain` is reached at address:port, whatever DNS says
 * (DESIGN.md "Static host map"). */
#define XS_CFG_S2S_HOSTS_MAX 64u
#define XS_CFG_DNS_MAX 80u       /* "[IPv6 literal]:port" */

typedef struct xs_s2s_host_cfg {
    char domain[XS_CFG_NAME_MAX];    /* nameprepped, lower case */
    char address[XS_CFG_ADDR_MAX];   /* an IPv4 or IPv6 literal */
    uint16_t port;
} xs_s2s_host_cfg;

/* The top-level group `s2s` (issue 6); every member optional. */
typedef struct xs_s2s_cfg {
    xs_listen_cfg listen[XS_CFG_LISTEN_MAX];  /* none by default: no inbound s2s */
    uint32_t n_listen;
    int require_encryption;          /* s2s_require_encryption, default 1 */
    int dialback_without_tls;        /* dialback on a plain stream (only when require_encryption is 0) */
    xc_s2s_policy policy;            /* default open */
    char allow[XC_S2S_ALLOW_MAX][XS_CFG_NAME_MAX];  /* prepared peer domains of the allow-list */
    uint32_t n_allow;
    char ca[XS_CFG_PATH_MAX];        /* PEM CAs for peer certificates, "" = OpenSSL's default paths */
    xs_s2s_host_cfg hosts[XS_CFG_S2S_HOSTS_MAX];
    uint32_t n_hosts;
    char dns_server[XS_CFG_DNS_MAX]; /* "address:port" c-ares asks alone, "" = the system's */
    uint32_t stanza_bytes;           /* per stanza on s2s streams (524288) */
    uint32_t queue;                  /* stanzas held per outbound pair while it is set up (100) */
    uint32_t verify_pending;         /* verifications pending per inbound stream (8) */
    uint32_t connect_timeout;        /* seconds to resolve and connect (30) */
    uint32_t handshake_timeout;      /* seconds from connect to a valid pair (60) */
    uint32_t idle_timeout;           /* seconds without traffic before an s2s stream is closed (600) */
} xs_s2s_cfg;

typedef struct xs_config {
    char path[XS_CFG_PATH_MAX];
    xs_listen_cfg listen[XS_CFG_LISTEN_MAX];
    uint32_t n_listen;
    xs_vhost_cfg hosts[XC_C2S_HOSTS_MAX];
    uint32_t n_hosts;
    char gone[XC_C2S_HOSTS_MAX][XS_CFG_NAME_MAX];   /* domains no longer served: <host-gone/> */
    uint32_t n_gone;
    int require_encryption;          /* c2s_require_encryption, default 1 */
    uint32_t mechs;                  /* bit (1u << xc_mech) */
    uint32_t stanza_preauth;         /* bytes per stanza before authentication (10000) */
    uint32_t stanza_postauth;        /* and after (262144) */
    uint32_t max_streams;            /* concurrent client connections (1000) */
    uint32_t out_queue_max;          /* bytes queued for one connection before it is paused / closed */
    uint32_t max_auth_failures;      /* failed SASL attempts per stream (3) */
    uint32_t streams_per_address;    /* open client connections from one address or IPv6 /64 (32) */
    uint32_t auth_failures_per_address;  /* credential failures from one address per window (10) */
    uint32_t auth_failure_window;    /* seconds the address budget counts over (600) */
    uint32_t handshake_timeout;      /* seconds from accept to a bound resource (60) */
    uint32_t idle_timeout;           /* seconds without input on a bound stream before a ping (600) */
    uint32_t ping_timeout;           /* seconds after that ping for any input, else the close (60) */
    char tls_ciphers[XS_CFG_CIPHERS_MAX];       /* TLS 1.2 cipher list */
    char tls_ciphersuites[XS_CFG_CIPHERS_MAX];  /* TLS 1.3 suites ("" = OpenSSL's) */
    int tls_idle_handover;                      /* idle TLS 1.3 c2s sessions leave OpenSSL (tls13_records.c) */
    char user[64];                   /* the account xmppd runs as once started ("" = stay) */
    char dialback_secret[XS_CFG_PATH_MAX];  /* s2s_dialback_secret_file, "" = data_dir/dialback.secret */
    char data_dir[XS_CFG_PATH_MAX];
    char store[XS_CFG_PATH_MAX];     /* the account store, default data_dir/accounts.db */
    xs_log_level log_level;
    xs_s2s_cfg s2s;
} xs_config;

/* Reads and checks the file. 0 on success; -1 with "file:line: reason" in err. */
int xs_config_load(const char *path, xs_config *cfg, char *err, size_t err_len);

/* The core's view of cfg. Host names in out point into cfg, which must outlive out. */
void xs_config_c2s(const xs_config *cfg, xc_c2s_config *out);

/* The s2s core's view of cfg, with the dialback secret K. Names in out point into cfg, which
 * must outlive out. */
void xs_config_s2s(const xs_config *cfg, const xc_db_secret *secret, xc_s2s_config *out);

#endif
