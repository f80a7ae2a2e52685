/*
 * support_xml.h — what the XML harnesses share (linked into every harness; small on purpose).
 *
 *  - parser memory: one set of pools per slot, allocated once per process and reused, sized for
 *    the largest limits a harness uses. Each parser gets the *tail* of its slot's pools, exactly
 *    as large as xc_xml_memory_need says, so a write one past any pool lands in ASan's redzone.
 *  - fx_check_element: walks an ELEMENT tree and aborts unless every cap in the limits holds.
 *  - fx_canon_*: a canonical byte form of a first-level element (expanded names, attributes in
 *    order, adjacent text merged), built from our tree or from expat's callbacks and compared
 *    with memcmp.
 */
#ifndef FUZZ_SUPPORT_XML_H
#define FUZZ_SUPPORT_XML_H

#include <stddef.h>
#include <stdint.h>

#include "xc_xml.h"

#define FX_SLOTS 4

/* Limits for round-trip parsing of serialised trees: c2s caps, but with room for what the
 * writer legitimately adds (a declaration per namespaced attribute, escaped text). */
extern const xc_xml_limits fx_limits_roundtrip;

/* Prepares p over slot `slot`'s pools, sized for `mem_lim` (which must not exceed the caps of
 * s2s / fx_limits_roundtrip); `lim` are the caps the parser starts with. */
void fx_parser_init(xc_xml_parser *p, int slot, xc_xml_content_ns ns, const xc_xml_limits *mem_lim,
                    const xc_xml_limits *lim);

/* Aborts unless the element e of p's tree (an ELEMENT event's tree) keeps p's current caps. */
void fx_check_element(const xc_xml_parser *p, const xc_xml_node *e);

/* A growable byte buffer (malloc'd once, reused across inputs). */
typedef struct fx_buf {
    uint8_t *p;
    size_t len, cap;
} fx_buf;

void fx_put(fx_buf *b, const void *s, size_t n);
void fx_put_u32(fx_buf *b, uint32_t v);

/* Canonical form pieces (shared by both builders so the encodings cannot drift apart). */
void fx_canon_start(fx_buf *b, const char *ns, size_t ns_len, const char *local, size_t local_len,
                    uint32_t n_attrs);
void fx_canon_attr(fx_buf *b, const char *ns, size_t ns_len, const char *local, size_t local_len,
                   const char *value, size_t value_len);
void fx_canon_text(fx_buf *b, const uint8_t *s, size_t n);
void fx_canon_end(fx_buf *b);

/* Appends the canonical form of our element e to b. */
void fx_canon_tree(fx_buf *b, const xc_xml_tree *t, const xc_xml_node *e);

#endif
