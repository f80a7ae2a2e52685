/*
 * support_s2s.h — what the s2s harnesses share (fuzz_s2s_in, fuzz_s2s_out, fuzz_s2s_verify,
 * fuzz_stanza_reply; linked into every harness, small on purpose):
 *  - one configuration (served example.com and other.example.com, old.example.com gone, an
 *    allow-list holding remote.example, a fixed dialback secret) whose switches come from a set-up
 *    byte, and the memory of one stream allocated once per process;
 *  - allocation-failure injection: one parser pool squeezed to N entries at its tail (as fuzz_c2s);
 *  - deterministic random bytes (a counter), so stream ids are reproducible;
 *  - fs2s_parse_one: parses bytes back as exactly one first-level element behind a header.
 */
#ifndef FUZZ_SUPPORT_S2S_H
#define FUZZ_SUPPORT_S2S_H

#include <stddef.h>
#include <stdint.h>

#include "xc_s2s.h"
#include "xc_xml_tree.h"

#define FS2S_HOST "example.com"
#define FS2S_HOST2 "other.example.com"
#define FS2S_PEER "remote.example"
#define FS2S_SECRET "s3cr3t-dialback-secret-for-fuzz"

extern xc_s2s_config fs2s_cfg;

/* Applies set-up byte `opt` to fs2s_cfg (bit 0 require_tls, bit 1 plain_dialback, bits 2-3
 * policy: 0 open, 1 allow-list, 2 closed, 3 open) and returns the stream memory with pool
 * (opt >> 4) & 3 (0 none, 1 nodes, 2 attrs, 3 bytes: 16 * squeeze) squeezed to `squeeze`. */
xc_s2s_memory fs2s_setup(uint8_t opt, uint8_t squeeze);

/* XC_S2S_RANDOM_BYTES deterministic bytes; fs2s_rnd_reset at the start of every input. */
void fs2s_rnd_reset(void);
const uint8_t *fs2s_rnd(void);

/* Parses header + b[0 .. n-1] (ns: client or server content) and aborts unless b is exactly one
 * element; returns its tree and node (valid until the next call). */
const xc_xml_node *fs2s_parse_one(const uint8_t *b, size_t n, xc_xml_content_ns ns, const xc_xml_tree **tree);

/* The value of attribute `name` (no namespace) of e, or len 0 / ptr NULL when absent. */
xc_str fs2s_attr(const xc_xml_tree *t, const xc_xml_node *e, const char *name);

/* A peer certificate from a control byte: bit 3 chain verified; bit 4 a DNS-ID naming
 * FS2S_PEER; bit 5 a name of kind (ctl >> 6) whose text is extra[0 .. extra_len-1]. */
const xc_s2s_peer_cert *fs2s_cert(uint8_t ctl, const uint8_t *extra, size_t extra_len);

int fs2s_str_eq(xc_str a, xc_str b);

#endif
