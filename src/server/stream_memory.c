/*
 * stream_memory.c — see stream_memory.h.
 *
 * The parked image is a sequence of runs, each an 8-byte header (first block, number of blocks,
 * both uint32) followed by that many 64-byte blocks, in address order. Blocks are numbered from
 * the mapping's base; map refuses a mapping whose blocks would not fit in uint32.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "stream_memory.h"

#define ALIGN 64u   /* each region starts on a cache line (and suits every member's alignment) */
#define BLOCK 64u   /* the unit parking saves: a block of zeros is not saved */
#define RUN_HDR 8u  /* first block, number of blocks */

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1u) / to * to;
}

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);

    return p > 0 && (size_t)p % BLOCK == 0 ? (size_t)p : 4096u;
}

int xs_stream_memory_map(xs_stream_memory *m, const xc_xml_memory *need, uint32_t out_cap, xc_c2s_memory *mem,
                         xc_c2s **stream)
{
    size_t head = stream != NULL ? round_up(sizeof(xc_c2s), ALIGN) : 0u;
    size_t nodes = round_up((size_t)need->nodes_n * sizeof(xc_xml_node), ALIGN);
    size_t attrs = round_up((size_t)need->attrs_n * sizeof(xc_xml_attr), ALIGN);
    size_t bytes = round_up(need->bytes_n, ALIGN);
    uint8_t *p;

    memset(m, 0, sizeof *m);
    m->size = round_up(head + nodes + attrs + bytes + out_cap, page_size());
    if (m->size / BLOCK > UINT32_MAX) {
        m->size = 0;
        return -1;
    }
    /* MAP_NORESERVE: the caps are reserved address space, not memory promised to the stream */
    m->base = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m->base == MAP_FAILED) {
        m->base = NULL;
        m->size = 0;
        return -1;
    }
#ifdef MADV_NOHUGEPAGE
    /* where transparent huge pages are "always", one touched byte would cost 2 MiB */
    (void)madvise(m->base, m->size, MADV_NOHUGEPAGE);
#endif
    p = m->base;
    if (stream != NULL)
        *stream = (xc_c2s *)(void *)p;
    p += head;
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
    free(m->image);
    memset(m, 0, sizeof *m);
}

static int block_zero(const uint8_t *p)
{
    uint64_t acc = 0;
    unsigned i;

    for (i = 0; i < BLOCK; i += 8u) {
        uint64_t w;
        memcpy(&w, p + i, sizeof w);
        acc |= w;
    }
    return acc == 0;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

static unsigned char *g_vec;   /* one residency byte per page of the mapping being parked */
static size_t g_vec_cap;        /* (one thread; every stream's mapping has the same size) */

/* Which pages of m are resident, in one mincore call (a call per chunk, and a second walk for
 * the copying pass, made the mincore page walk ~15% of the server's CPU when sparse messages
 * woke and parked streams all the time). NULL when mincore fails or memory runs out. */
static const unsigned char *residency(const xs_stream_memory *m)
{
    size_t npages = m->size / page_size();

    if (npages > g_vec_cap) {
        unsigned char *v = realloc(g_vec, npages);

        if (v == NULL)
            return NULL;
        g_vec = v;
        g_vec_cap = npages;
    }
    if (mincore(m->base, m->size, g_vec) != 0)
        return NULL;
    return g_vec;
}

/* Walks the nonzero blocks of the resident pages (vec: residency()). With out == NULL it only
 * measures; else it writes the image (out has room for what the measuring pass returned).
 * *resident: bytes of resident pages. */
static void scan(const xs_stream_memory *m, const unsigned char *vec, uint8_t *out, size_t *image_len,
                 size_t *resident)
{
    const uint8_t *base = m->base;
    size_t page = page_size(), npages = m->size / page, i, len = 0, hdr_at = 0;
    uint32_t run_first = 0, run_n = 0;

    *resident = 0;
    for (i = 0; i < npages; i++) {
        size_t off;

        if ((vec[i] & 1u) == 0)
            continue;
        *resident += page;
        for (off = i * page; off < (i + 1u) * page; off += BLOCK) {
            uint32_t blk = (uint32_t)(off / BLOCK);

            if (block_zero(base + off))
                continue;
            if (run_n == 0 || run_first + run_n != blk) {
                if (run_n > 0 && out != NULL) {
                    put_u32(out + hdr_at, run_first);
                    put_u32(out + hdr_at + 4u, run_n);
                }
                hdr_at = len;
                len += RUN_HDR;
                run_first = blk;
                run_n = 0;
            }
            if (out != NULL)
                memcpy(out + len, base + off, BLOCK);
            len += BLOCK;
            run_n++;
        }
    }
    if (run_n > 0 && out != NULL) {
        put_u32(out + hdr_at, run_first);
        put_u32(out + hdr_at + 4u, run_n);
    }
    *image_len = len;
}

/* mincore reports a swapped-out page as not resident, so scan would skip its bytes and
 * MADV_DONTNEED would then drop them: with swap, parking could lose a stream's state. It is
 * asked at every park, so a swapon while running is seen at the next one. */
static int swap_configured(void)
{
    struct sysinfo si;

    return sysinfo(&si) != 0 || si.totalswap > 0;
}

int xs_stream_memory_park(xs_stream_memory *m)
{
    size_t len = 0, resident = 0, len2 = 0;
    uint8_t *image = NULL;
    const unsigned char *vec;

    if (m->base == NULL || m->parked || swap_configured() || (vec = residency(m)) == NULL)
        return 0;
    scan(m, vec, NULL, &len, &resident);
    if (len >= resident)
        return 0;                 /* nothing to gain: stay as is */
    if (len > 0 && (image = malloc(len)) == NULL)
        return 0;
    if (len > 0) {
        scan(m, vec, image, &len2, &resident);
        if (len2 != len) {        /* cannot happen: nothing ran between the two passes */
            free(image);
            return 0;
        }
    }
    if (madvise(m->base, m->size, MADV_DONTNEED) != 0) {
        free(image);
        return 0;
    }
    m->image = image;
    m->image_len = len;
    m->parked = 1;
    return 1;
}

void xs_stream_memory_unpark(xs_stream_memory *m)
{
    uint8_t *base = m->base;
    size_t at = 0;

    if (!m->parked)
        return;
    while (m->image_len - at >= RUN_HDR) {
        uint32_t blk = get_u32(m->image + at), n = get_u32(m->image + at + 4u);
        size_t bytes = (size_t)n * BLOCK;

        at += RUN_HDR;
        if (bytes > m->image_len - at || bytes > m->size || (size_t)blk * BLOCK > m->size - bytes)
            break;                /* cannot happen: park wrote the image */
        memcpy(base + (size_t)blk * BLOCK, m->image + at, bytes);
        at += bytes;
    }
    free(m->image);
    m->image = NULL;
    m->image_len = 0;
    m->parked = 0;
}
