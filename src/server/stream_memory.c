/*
 * stream_memory.c — see stream_memory.h.
 */
#include <sys/mman.h>

#include "stream_memory.h"

#define ALIGN 64u   /* each region starts on a cache line (and suits every member's alignment) */

static size_t round_up(size_t n)
{
    return (n + ALIGN - 1u) & ~(size_t)(ALIGN - 1u);
}

int xs_stream_memory_map(xs_stream_memory *m, const xc_xml_memory *need, uint32_t out_cap, xc_c2s_memory *mem)
{
    size_t nodes = round_up((size_t)need->nodes_n * sizeof(xc_xml_node));
    size_t attrs = round_up((size_t)need->attrs_n * sizeof(xc_xml_attr));
    size_t bytes = round_up(need->bytes_n);
    uint8_t *p;

    m->size = nodes + attrs + bytes + out_cap;
    /* MAP_NORESERVE: the caps are reserved address space, not memory promised to the stream */
    m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m->base == MAP_FAILED) {
        m->base = NULL;
        m->size = 0;
        return -1;
    }
    p = m->base;
    mem->xml.nodes = (xc_xml_node *)(void *)p;
    mem->xml.attrs = (xc_xml_attr *)(void *)(p + nodes);
    mem->xml.bytes = (char *)(p + nodes + attrs);
    mem->xml.nodes_n = need->nodes_n;
    mem->xml.attrs_n = need->attrs_n;
    mem->xml.bytes_n = need->bytes_n;
    mem->out = p + nodes + attrs + bytes;
    mem->out_cap = out_cap;
    return 0;
}

void xs_stream_memory_unmap(xs_stream_memory *m)
{
    if (m->base != NULL)
        (void)munmap(m->base, m->size);
    m->base = NULL;
    m->size = 0;
}
