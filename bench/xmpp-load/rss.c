/* rss.c — VmRSS from /proc/PID/status, CPU time from /proc/PID/stat (see rss.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rss.h"

long xl_rss_kib(int pid)
{
    char path[64], line[256];
    FILE *f;
    long kib = -1;

    if (pid <= 0 || snprintf(path, sizeof path, "/proc/%d/status", pid) >= (int)sizeof path)
        return -1;
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

double xl_cpu_seconds(int pid)
{
    char path[64], line[1024], *p;
    unsigned long long utime, stime;
    long tick = sysconf(_SC_CLK_TCK);
    FILE *f;
    int ok;

    if (pid <= 0 || tick <= 0 || snprintf(path, sizeof path, "/proc/%d/stat", pid) >= (int)sizeof path)
        return -1;
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    p = fgets(line, sizeof line, f);
    fclose(f);
    /* the command name (field 2) may hold spaces and parentheses: count from its last ')' */
    if (p == NULL || (p = strrchr(line, ')')) == NULL)
        return -1;
    ok = sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) == 2;
    return ok ? (double)(utime + stime) / (double)tick : -1;
}
