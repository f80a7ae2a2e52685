/*
 * addr_limits.h — what one client address may use: open streams, and failed logins within a
 * window (issue 4 limits; DESIGN.md "Failed authentication": a per-address budget slows repeated
 * failures across streams).
 *
 * An address is an IPv4 address, or the /64 prefix of an IPv6 address (one host usually holds a
 * whole /64, so counting single IPv6 addresses would count nothing); IPv4-mapped IPv6 addresses
 * are IPv4. The table is a hash with a per-process random seed (no chosen-collision flooding),
 * and bounded: entries for addresses with open streams are bounded by the stream limit, entries
 * kept only for failures by `failure_slots`; when those are all in use and none has expired,
 * a new failure is not recorded (xs_addr_auth_failed says so, the caller logs it).
 *
 * Time is passed in (milliseconds, monotonic), so the table is tested without waiting.
 */
#ifndef XS_ADDR_LIMITS_H
#define XS_ADDR_LIMITS_H

#include <stdint.h>
#include <sys/socket.h>

typedef struct xs_addr {
    uint8_t b[16];               /* IPv4 as ::ffff:a.b.c.d; IPv6 with the low 64 bits zero */
} xs_addr;

typedef struct xs_addr_table xs_addr_table;

/* 0 with *out set; -1 for a family other than AF_INET / AF_INET6. */
int xs_addr_from_sockaddr(const struct sockaddr *sa, xs_addr *out);

/* seed: random bytes for the hash. NULL when out of memory. */
xs_addr_table *xs_addr_table_new(uint32_t failure_slots, uint64_t seed);
void xs_addr_table_free(xs_addr_table *t);

/* A stream from a opens. 0: admitted and counted; -1: a already has max_streams open (or no
 * memory for its entry), nothing counted. */
int xs_addr_stream_open(xs_addr_table *t, const xs_addr *a, uint32_t max_streams);
/* A stream that xs_addr_stream_open admitted is gone. */
void xs_addr_stream_close(xs_addr_table *t, const xs_addr *a, uint64_t now_ms);

/* A credential failure from a (a wrong password, an unknown user: what
 * xs_sasl_credential_failure reports). Failures count in a fixed window of window_ms from the
 * first one. 0 recorded; -1 not recorded (no room). */
int xs_addr_auth_failed(xs_addr_table *t, const xs_addr *a, uint64_t now_ms, uint32_t window_ms);
/* 1 when a has had `budget` failures within its current window (which keeps the length it was
 * opened with): its next attempts are refused without reaching SASL until the window ends. */
int xs_addr_auth_blocked(xs_addr_table *t, const xs_addr *a, uint64_t now_ms, uint32_t budget);

/* Entries in use (for tests and the log). */
uint32_t xs_addr_table_entries(const xs_addr_table *t);

#endif
