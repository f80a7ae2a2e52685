/*
 * support_s2s.h — what the s2s unit tests share: a configuration with one served domain
 * (example.com) and a dialback secret, the memory of one stream, deterministic random bytes,
 * and a transcript of everything a stream sent.
 */
#ifndef SUPPORT_S2S_H
#define SUPPORT_S2S_H

#include <stddef.h>
#include <stdint.h>

#include "xc_s2s.h"

#define S2S_HOST "example.com"
#define S2S_PEER "remote.example"
#define S2S_SENT_MAX (1u << 16)

typedef struct s2s_fixture {
    xc_s2s_config cfg;
    xc_s2s_memory mem;
    uint8_t rnd[XC_S2S_RANDOM_BYTES];
    uint32_t rnd_counter;
    char sent[S2S_SENT_MAX];
    size_t sent_len;
} s2s_fixture;

/* require_tls on, plain_dialback off, open policy, queue_max 3, verify_max 2. Free with s2s_free. */
s2s_fixture *s2s_new(void);
void s2s_free(s2s_fixture *f);
/* The next XC_S2S_RANDOM_BYTES deterministic bytes (a counter in the first byte). */
const uint8_t *s2s_rnd(s2s_fixture *f);
void s2s_append(s2s_fixture *f, const uint8_t *b, size_t n);
void s2s_clear(s2s_fixture *f);
/* The XEP-0185 key of the fixture's secret for (receiving, originating, id), NUL-terminated. */
void s2s_key(const s2s_fixture *f, const char *receiving, const char *originating, const char *id,
             char out[XC_DB_KEY_LEN + 1]);

#endif
