/* fuzz-common.h
 * Shared helpers of the libFuzzer targets: an invariant check that aborts
 * (libFuzzer then keeps the input as a crash), span checks, and small
 * readers that take parameters from the fuzz input.
 *
 * Every target calls its parser on the exact bytes libFuzzer gives (a heap
 * buffer of exactly size bytes, so AddressSanitizer catches any read past
 * the end) and checks what the header promises about the results.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_FUZZ_COMMON_H
#define APPLELEGACY_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* [off, off + len) lies inside [0, total). */
static inline bool fuzz_span_in(size_t off, size_t len, size_t total)
{
    return off <= total && len <= total - off;
}

/* A heap copy of data[0..size) with a NUL after it, for functions that take
 * C strings (the copy may hold earlier NULs: callers see the first one). */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A heap copy of exactly size bytes, so that a sub-range handed to a parser
 * still ends where AddressSanitizer can see it. */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        abort();
    if (size)
        memcpy(p, data, size);
    return p;
}

static inline uint64_t fuzz_be(const uint8_t *data, size_t size, size_t off, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | (off + i < size ? data[off + i] : 0);
    return v;
}

#endif /* APPLELEGACY_FUZZ_COMMON_H */
