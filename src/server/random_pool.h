/*
 * random_pool.h — fresh CSPRNG bytes for the cores' per-call randomness, without a DRBG call
 * (and the getpid() of OpenSSL's fork check) for every stanza.
 *
 * The c2s core takes XC_C2S_RANDOM_BYTES with every feed (a stream id and a resource are drawn
 * from them when a restart or a bind needs them), so a read of eight stanzas used to cost eight
 * RAND_bytes calls. The pool fills XS_RANDOM_POOL_BYTES at once from RAND_bytes and hands each
 * byte out once: a byte given out is wiped from the pool, so no two callers ever see the same
 * byte. The server is one thread and never forks after its loop starts (main.c detaches before
 * the first connection), so the pool needs no lock and no fork check.
 */
#ifndef XS_RANDOM_POOL_H
#define XS_RANDOM_POOL_H

#include <stddef.h>
#include <stdint.h>

#define XS_RANDOM_POOL_BYTES 4096u

/* Copies n fresh random bytes to out (n ≤ XS_RANDOM_POOL_BYTES). 0, or -1 when RAND_bytes
 * failed (out is then zeroed and must not be used). */
int xs_random_take(uint8_t *out, size_t n);

#endif
