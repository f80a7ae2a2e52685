#include "support_guard.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t guard_page_size(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    return ps > 0 ? (size_t)ps : 4096u;
}

static size_t guard_span(size_t len)
{
    size_t ps = guard_page_size();
    return ((len + ps - 1) / ps) * ps + ps;
}

void *guard_copy(const void *data, size_t len)
{
    size_t ps = guard_page_size();
    size_t span = guard_span(len);
    uint8_t *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *p;

    if (map == MAP_FAILED)
        abort();
    if (mprotect(map + span - ps, ps, PROT_NONE) != 0)
        abort();
    p = map + span - ps - len;
    if (len > 0)
        memcpy(p, data, len);
    return p;
}

void guard_free(void *p, size_t len)
{
    size_t ps = guard_page_size();
    size_t span = guard_span(len);
    uint8_t *end = (uint8_t *)p + len + ps;
    munmap(end - span, span);
}
