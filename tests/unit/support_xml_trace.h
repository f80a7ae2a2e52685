/*
 * support_xml_trace.h — runs a byte string through the parser in chosen pieces and writes
 * the events as text, so two runs (whole vs. split) can be compared with strcmp.
 *
 *   O:<header attributes and declarations>\n   stream header
 *   E:<the element, serialised>\n              first-level element
 *   C\n                                        stream close
 *   X:<condition>\n                            error (then the run stops)
 */
#ifndef SUPPORT_XML_TRACE_H
#define SUPPORT_XML_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "xc_xml.h"

/* How the input is cut: chunk == 0 feeds it whole; chunk == 1 one byte at a time;
 * otherwise pieces of pseudo-random length 1..chunk from `seed`. Each piece sits flush
 * against a guard page. Returns the final parser error (XC_SE_NONE if none). */
/* A parser over freshly allocated memory sized by xc_xml_memory_need (aborts on failure). */
void xml_parser_new(xc_xml_parser *p, xc_xml_content_ns ns, const xc_xml_limits *lim);
void xml_parser_free(xc_xml_parser *p);

xc_stream_error xml_trace(const uint8_t *in, size_t len, size_t chunk, uint32_t seed,
                          xc_xml_content_ns ns, const xc_xml_limits *lim, char *out, size_t cap);

#endif
