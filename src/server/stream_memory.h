/*
 * stream_memory.h — the memory of one c2s stream (its xc_c2s struct, its parser's nodes,
 * attributes and byte arena, its output buffer) in one anonymous mapping, and parking: giving
 * that memory back to the kernel while the stream is idle.
 *
 * The buffers are sized for the post-authentication caps, but an idle stream touches only a few
 * pages of them. Fresh anonymous pages are zero and cost nothing until written, so mapping them
 * costs what a stream uses. calloc gave the same only while glibc mapped every such block: after
 * the first large free its dynamic threshold rises, blocks come from the heap and calloc zeroes
 * every page — measured 575 KiB per idle session and half the CPU of a login in memset
 * (bench/README-c2s.md). munmap gives the pages back when the stream ends.
 *
 * Parking. What an idle stream still holds is a few resident pages (the struct, the stream
 * header's tree, the last output), most of each zero. xs_stream_memory_park copies the nonzero
 * 64-byte blocks of the resident pages (mincore) into one exact-size image on the heap, then
 * gives every page of the mapping back (MADV_DONTNEED: the next touch reads zeros);
 * xs_stream_memory_unpark copies the image back. The bytes after unparking are exactly the
 * bytes before parking, whatever they mean to the core: nothing here knows its layout. The
 * caller must unpark before anything reads or writes the mapping (the struct included), and
 * parks only between calls into the core.
 */
#ifndef XS_STREAM_MEMORY_H
#define XS_STREAM_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "xc_c2s.h"

typedef struct xs_stream_memory {
    void *base;
    size_t size;
    uint8_t *image;       /* while parked: the saved blocks (xs_stream_memory_park), else NULL */
    size_t image_len;
    uint8_t parked;
} xs_stream_memory;

/* Maps room for a c2s stream struct (when stream is not NULL), `need` and an output buffer of
 * out_cap bytes; *stream points at the (zeroed) struct and mem's xml and out at the buffers
 * (mem's route fields are left alone). 0 on success; -1 when the mapping failed. */
int xs_stream_memory_map(xs_stream_memory *m, const xc_xml_memory *need, uint32_t out_cap, xc_c2s_memory *mem,
                         xc_c2s **stream);
void xs_stream_memory_unmap(xs_stream_memory *m);

/* Saves the nonzero blocks of the resident pages and gives every page back. 1 when parked; 0
 * when it would not save memory, the machine has swap (a swapped-out page looks like one never
 * touched), or the image could not be allocated (nothing changed). */
int xs_stream_memory_park(xs_stream_memory *m);
/* Restores the parked bytes (nothing when not parked). */
void xs_stream_memory_unpark(xs_stream_memory *m);

#endif
