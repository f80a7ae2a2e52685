/* rss.c — VmRSS from /proc/PID/status (see rss.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
