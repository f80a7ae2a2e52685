/*
 * log.c — see log.h. Single-threaded (the event loop's thread), so a static line buffer is fine.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static xs_log_level g_level = XS_LOG_INFO;
static int g_syslog = 0;

static const char *const names[] = { "error", "warn", "info", "debug" };

void xs_log_open(xs_log_level level, int use_syslog)
{
    g_level = level;
    g_syslog = use_syslog != 0;
    if (g_syslog)
        openlog("xmppd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void xs_log_set_level(xs_log_level level)
{
    g_level = level;
}

int xs_log_level_parse(const char *name, xs_log_level *out)
{
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (xs_log_level)i;
            return 0;
        }
    }
    return -1;
}

const char *xs_log_level_name(xs_log_level level)
{
    return (unsigned)level < sizeof names / sizeof names[0] ? names[level] : "?";
}

void xs_log(xs_log_level level, const char *fmt, ...)
{
    static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
    char line[1024];
    va_list ap;
    size_t i, n;

    if (level > g_level)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    n = strnlen(line, sizeof line);
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch < 0x20 || ch > 0x7e)
            line[i] = '?';
    }
    if (g_syslog) {
        syslog(prio[level], "%s", line);
        return;
    }
    {
        struct timeval tv;
        struct tm tm;
        char when[32];

        gettimeofday(&tv, NULL);
        localtime_r(&tv.tv_sec, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        fprintf(stderr, "%s.%03ld %-5s %s\n", when, (long)(tv.tv_usec / 1000), names[level], line);
    }
}
