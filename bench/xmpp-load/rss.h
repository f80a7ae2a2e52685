/*
 * rss.h — a process's resident set, as the kernel reports it in /proc/PID/status (VmRSS), and
 * the CPU time it used (/proc/PID/stat): the server's own cost per login or message, which
 * stays meaningful when other work shares the machine.
 */
#ifndef XL_RSS_H
#define XL_RSS_H

/* VmRSS of pid in KiB, or -1 when it cannot be read (no such process, no permission). */
long xl_rss_kib(int pid);

/* User + system CPU seconds pid has used, or -1 when they cannot be read. */
double xl_cpu_seconds(int pid);

#endif
