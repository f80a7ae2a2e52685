/*
 * support_guard.h — test inputs placed flush against a PROT_NONE page (picohttpparser's habit):
 * a parser that reads one byte past the end of its input crashes at once instead of passing.
 */
#ifndef SUPPORT_GUARD_H
#define SUPPORT_GUARD_H

#include <stddef.h>

/* Copies `len` bytes so that the byte after the last one is unmapped. Never returns NULL
 * (aborts the test run on mmap failure). Release with guard_free. */
void *guard_copy(const void *data, size_t len);
void guard_free(void *p, size_t len);

#endif
