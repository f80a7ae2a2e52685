/*
 * stream_memory.h — the large buffers of one c2s stream (its parser's nodes, attributes and byte
 * arena, its output buffer) in one anonymous mapping.
 *
 * They are sized for the post-authentication caps, but an idle stream touches only a few pages
 * of them. Fresh anonymous pages are zero and cost nothing until written, so mapping them costs
 * what a stream uses. calloc gave the same only while glibc mapped every such block: after the
 * first large free its dynamic threshold rises, blocks come from the heap and calloc zeroes
 * every page — measured 575 KiB per idle session and half the CPU of a login in memset
 * (bench/README-c2s.md). munmap gives the pages back when the stream ends.
 */
#ifndef XS_STREAM_MEMORY_H
#define XS_STREAM_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "xc_c2s.h"

typedef struct xs_stream_memory {
    void *base;
    size_t size;
} xs_stream_memory;

/* Maps room for `need` and an output buffer of out_cap bytes, and points mem's xml and out at
 * it (mem's route fields are left alone). 0 on success; -1 when the mapping failed. */
int xs_stream_memory_map(xs_stream_memory *m, const xc_xml_memory *need, uint32_t out_cap, xc_c2s_memory *mem);
void xs_stream_memory_unmap(xs_stream_memory *m);

#endif
