/* fuzz-eppc.c
 * libFuzzer target: eppc (Remote Apple Events) parsers (plugins/eppc/
 * eppc-parse.c): the opening, the target request after it, and every
 * "uid=<n>&pid=<n>" in the input.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "eppc-parse.h"

/* The decimal value of digits known to fit 32 bits. */
static uint32_t decimal(const uint8_t *d, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(d[i] >= '0' && d[i] <= '9');
        v = v * 10 + (uint64_t)(d[i] - '0');
    }
    FUZZ_CHECK(v <= UINT32_MAX);
    return (uint32_t)v;
}

static void check_request(const uint8_t *data, size_t size)
{
    eppc_request_t req;

    if (!eppc_parse_request(data, size, &req))
        return;
    FUZZ_CHECK(req.name_off == EPPC_REQUEST_PREFIX_SIZE + 2);
    FUZZ_CHECK(req.name_end == req.name_off + req.name_len && req.name_end <= size);
    FUZZ_CHECK(req.end <= size && req.end >= req.name_end);
    FUZZ_CHECK(req.end - req.name_end == (req.has_suffix ? EPPC_REQUEST_SUFFIX_SIZE : 0u));
    (void)eppc_request_marker_matches(&req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eppc_opening_t opening;
    eppc_process_t proc;

    if (eppc_match(data, size))
        FUZZ_CHECK(eppc_has_magic(data, size));
    if (eppc_parse_opening(data, size, &opening)) {
        FUZZ_CHECK(size >= EPPC_OPENING_SIZE && eppc_has_magic(data, size));
        FUZZ_CHECK(opening.unknown1 == (uint32_t)fuzz_be(data, size, 4, 4));
        /* A request may follow the opening in the same segment. */
        uint8_t *rest = fuzz_copy(data + EPPC_OPENING_SIZE, size - EPPC_OPENING_SIZE);
        check_request(rest, size - EPPC_OPENING_SIZE);
        free(rest);
    }
    check_request(data, size);

    size_t pos = 0;
    while (pos < size && eppc_find_process(data + pos, size - pos, &proc)) {
        size_t n = size - pos;
        FUZZ_CHECK(proc.start + 4 == proc.uid_off &&
                   memcmp(data + pos + proc.start, "uid=", 4) == 0);
        FUZZ_CHECK(proc.uid_len >= 1 && proc.uid_len <= EPPC_MAX_DIGITS);
        FUZZ_CHECK(proc.pid_len >= 1 && proc.pid_len <= EPPC_MAX_DIGITS);
        FUZZ_CHECK(proc.pid_off == proc.uid_off + proc.uid_len + 5);
        FUZZ_CHECK(proc.end == proc.pid_off + proc.pid_len && proc.end <= n);
        FUZZ_CHECK(proc.uid == decimal(data + pos + proc.uid_off, proc.uid_len));
        FUZZ_CHECK(proc.pid == decimal(data + pos + proc.pid_off, proc.pid_len));
        pos += proc.start + 1;
    }
    return 0;
}
