/*
 * rss.h — a process's resident set, as the kernel reports it in /proc/PID/status (VmRSS).
 */
#ifndef XL_RSS_H
#define XL_RSS_H

/* VmRSS of pid in KiB, or -1 when it cannot be read (no such process, no permission). */
long xl_rss_kib(int pid);

#endif
