/*
 * log.h — one readable line per event, to stderr (foreground) or syslog (daemon).
 *
 * What may be logged: connection ids and addresses, prepared JIDs, state names, stream and SASL
 * condition names, TLS versions and ciphers, configuration paths. What never is: passwords, SASL
 * payloads, keys, stanza contents. Every line is formatted into a bounded buffer and every byte
 * outside printable ASCII becomes '?', so nothing a peer sent can forge a second log line.
 */
#ifndef XS_LOG_H
#define XS_LOG_H

typedef enum xs_log_level {
    XS_LOG_ERROR = 0,
    XS_LOG_WARN,
    XS_LOG_INFO,
    XS_LOG_DEBUG
} xs_log_level;

/* use_syslog: 0 = stderr with a timestamp, 1 = syslog (facility daemon, ident "xmppd"). */
void xs_log_open(xs_log_level level, int use_syslog);
void xs_log_set_level(xs_log_level level);
/* "error", "warn", "info", "debug" -> level; 0 on success, -1 for another name. */
int xs_log_level_parse(const char *name, xs_log_level *out);
const char *xs_log_level_name(xs_log_level level);

void xs_log(xs_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define xs_err(...) xs_log(XS_LOG_ERROR, __VA_ARGS__)
#define xs_warn(...) xs_log(XS_LOG_WARN, __VA_ARGS__)
#define xs_info(...) xs_log(XS_LOG_INFO, __VA_ARGS__)
#define xs_debug(...) xs_log(XS_LOG_DEBUG, __VA_ARGS__)

#endif
