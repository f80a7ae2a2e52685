/*
 * test_stream_memory.c — src/server/stream_memory.c: the layout of one stream's mapping, and
 * parking: the resident pages go back to the kernel, and unparking restores every byte exactly
 * (scattered bytes, a block at the very end, whole pages of nonzero data, a page of zeros that
 * was touched, parking twice, parking a mapping that never was touched).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cmocka.h>

#include "stream_memory.h"

/* With swap the server never parks (stream_memory.c: swap_configured); there, the tests of what
 * parking does are skipped (test_park_needs_a_gain still holds: it expects no park). */
static int has_swap(void)
{
    struct sysinfo si;

    return sysinfo(&si) != 0 || si.totalswap > 0;
}

static size_t resident_pages(const xs_stream_memory *m)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = m->size / page, i, r = 0;
    unsigned char *vec = malloc(n);

    assert_non_null(vec);
    assert_int_equal(mincore(m->base, m->size, vec), 0);
    for (i = 0; i < n; i++)
        r += vec[i] & 1u;
    free(vec);
    return r;
}

static void map(xs_stream_memory *m, xc_c2s_memory *mem, xc_c2s **s)
{
    xc_xml_memory need;

    memset(&need, 0, sizeof need);
    need.nodes_n = 300;
    need.attrs_n = 500;
    need.bytes_n = 70000;
    memset(mem, 0, sizeof *mem);
    assert_int_equal(xs_stream_memory_map(m, &need, 70000u, mem, s), 0);
}

static void test_layout(void **state)
{
    xs_stream_memory m;
    xc_c2s_memory mem;
    xc_c2s *s = NULL;
    uint8_t *base, *end;

    (void)state;
    map(&m, &mem, &s);
    base = m.base;
    end = base + m.size;
    assert_ptr_equal(s, base);
    assert_true((uint8_t *)mem.xml.nodes >= (uint8_t *)(s + 1));
    assert_true((uint8_t *)mem.xml.attrs >= (uint8_t *)(mem.xml.nodes + 300));
    assert_true((uint8_t *)mem.xml.bytes >= (uint8_t *)(mem.xml.attrs + 500));
    assert_true(mem.out >= (uint8_t *)mem.xml.bytes + 70000);
    assert_true(mem.out + 70000 <= end);
    assert_int_equal((uintptr_t)mem.xml.nodes % 64u, 0);
    assert_int_equal(resident_pages(&m), 0);
    xs_stream_memory_unmap(&m);
    assert_null(m.base);
}

static void test_park_restores_every_byte(void **state)
{
    xs_stream_memory m;
    xc_c2s_memory mem;
    xc_c2s *s = NULL;
    uint8_t *copy, *base;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), i, held;
    unsigned seed = 12345;

    (void)state;
    if (has_swap())
        skip();
    map(&m, &mem, &s);
    base = m.base;
    for (i = 0; i < 200; i++) {            /* scattered bytes over the whole mapping */
        seed = seed * 1103515245u + 12345u;
        base[(seed >> 4) % m.size] = (uint8_t)(seed >> 24 | 1u);
    }
    memset(base + 3 * page, 0xA5, 2 * page);   /* whole pages of data */
    base[m.size - 1] = 7;                      /* the last block */
    memset(base + 9 * page, 0, page);          /* touched, all zero */
    copy = malloc(m.size);
    assert_non_null(copy);
    memcpy(copy, base, m.size);
    held = resident_pages(&m);
    assert_int_equal(xs_stream_memory_park(&m), 1);
    assert_true(m.parked);
    assert_int_equal(resident_pages(&m), 0);
    assert_true(m.image_len >= 2 * page && m.image_len < held * page);
    assert_int_equal(xs_stream_memory_park(&m), 0);   /* parked already */
    xs_stream_memory_unpark(&m);
    assert_false(m.parked);
    assert_null(m.image);
    assert_memory_equal(base, copy, m.size);
    xs_stream_memory_unpark(&m);                      /* not parked: nothing */
    assert_memory_equal(base, copy, m.size);
    /* a second round after changes */
    base[5] ^= 0xFF;
    copy[5] ^= 0xFF;
    assert_int_equal(xs_stream_memory_park(&m), 1);
    xs_stream_memory_unpark(&m);
    assert_memory_equal(base, copy, m.size);
    free(copy);
    xs_stream_memory_unmap(&m);
}

static void test_park_needs_a_gain(void **state)
{
    xs_stream_memory m;
    xc_c2s_memory mem;
    xc_c2s *s = NULL;
    uint8_t *base;

    (void)state;
    map(&m, &mem, &s);
    assert_int_equal(xs_stream_memory_park(&m), 0);   /* nothing resident */
    base = m.base;
    memset(base, 0x5A, (size_t)sysconf(_SC_PAGESIZE)); /* a full page: the image is no smaller */
    assert_int_equal(xs_stream_memory_park(&m), 0);
    assert_false(m.parked);
    assert_int_equal(base[100], 0x5A);
    xs_stream_memory_unmap(&m);
}

static void test_no_struct_for_s2s(void **state)
{
    xs_stream_memory m;
    xc_c2s_memory mem;
    xc_xml_memory need;

    (void)state;
    memset(&need, 0, sizeof need);
    need.nodes_n = 10;
    need.attrs_n = 10;
    need.bytes_n = 100;
    assert_int_equal(xs_stream_memory_map(&m, &need, 100u, &mem, NULL), 0);
    assert_ptr_equal(mem.xml.nodes, m.base);
    xs_stream_memory_unmap(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_park_restores_every_byte),
        cmocka_unit_test(test_park_needs_a_gain),
        cmocka_unit_test(test_no_struct_for_s2s),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
