/* eppc-parse.c
 * Byte-level checks and parsers for eppc (TCP 3031): see eppc-parse.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "eppc-parse.h"

#include <string.h>

static const uint8_t opening_version[4] = {0x00, 0x00, 0x00, 0x01};

const uint8_t eppc_request_prefix[EPPC_REQUEST_PREFIX_SIZE] = {0xe4, 0x4c, 0x50, 0x52,
                                                               0x54, 0x01, 0xe1, 0x01};
const uint8_t eppc_request_suffix[EPPC_REQUEST_SUFFIX_SIZE] = {0xdf, 0xdb, 0xe3, 0x02, 0x01, 0x3d,
                                                               0xdf, 0xdf, 0xdf, 0xdf, 0xd5, 0x00};

static uint32_t be32(const uint8_t *d)
{
    return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

bool eppc_has_magic(const uint8_t *data, size_t len)
{
    return len >= EPPC_MAGIC_SIZE && memcmp(data, EPPC_MAGIC, EPPC_MAGIC_SIZE) == 0;
}

bool eppc_match(const uint8_t *data, size_t len)
{
    size_t n;

    if (!eppc_has_magic(data, len))
        return false;
    n = len - EPPC_MAGIC_SIZE;
    if (n > sizeof opening_version)
        n = sizeof opening_version;
    return memcmp(data + EPPC_MAGIC_SIZE, opening_version, n) == 0;
}

bool eppc_parse_opening(const uint8_t *data, size_t len, eppc_opening_t *out)
{
    if (len < EPPC_OPENING_SIZE || !eppc_has_magic(data, len))
        return false;
    out->unknown1 = be32(data + 4);
    out->unknown2 = be32(data + 8);
    return true;
}

bool eppc_parse_request(const uint8_t *data, size_t len, eppc_request_t *out)
{
    size_t off = EPPC_REQUEST_PREFIX_SIZE;

    /* prefix, marker byte, Pascal length byte */
    if (len < off + 2 || memcmp(data, eppc_request_prefix, EPPC_REQUEST_PREFIX_SIZE) != 0)
        return false;
    out->marker = data[off];
    out->name_len = data[off + 1];
    out->name_off = off + 2;
    out->name_end = out->name_off + out->name_len;
    if (out->name_end > len)
        return false;
    out->has_suffix =
        len - out->name_end >= EPPC_REQUEST_SUFFIX_SIZE &&
        memcmp(data + out->name_end, eppc_request_suffix, EPPC_REQUEST_SUFFIX_SIZE) == 0;
    out->end = out->name_end + (out->has_suffix ? EPPC_REQUEST_SUFFIX_SIZE : 0);
    return true;
}

bool eppc_request_marker_matches(const eppc_request_t *req)
{
    return (unsigned)req->marker == EPPC_NAME_MARKER_BASE + (unsigned)req->name_len;
}

/* 1 to EPPC_MAX_DIGITS decimal digits at data[off..len) that fit in 32 bits;
 * returns how many (0 when there is no such number). */
static size_t parse_number(const uint8_t *data, size_t len, size_t off, uint32_t *value)
{
    uint64_t v = 0;
    size_t n = 0;

    while (off + n < len && data[off + n] >= '0' && data[off + n] <= '9') {
        if (n == EPPC_MAX_DIGITS)
            return 0;
        v = v * 10 + (uint64_t)(data[off + n] - '0');
        n++;
    }
    if (n == 0 || v > UINT32_MAX)
        return 0;
    *value = (uint32_t)v;
    return n;
}

/* "uid=<n>&pid=<n>" starting exactly at data[at]. */
static bool process_at(const uint8_t *data, size_t len, size_t at, eppc_process_t *out)
{
    size_t off = at + 4;

    if (len - at < 4 || memcmp(data + at, "uid=", 4) != 0)
        return false;
    out->uid_len = parse_number(data, len, off, &out->uid);
    if (out->uid_len == 0)
        return false;
    out->uid_off = off;
    off += out->uid_len;
    if (len - off < 5 || memcmp(data + off, "&pid=", 5) != 0)
        return false;
    off += 5;
    out->pid_len = parse_number(data, len, off, &out->pid);
    if (out->pid_len == 0)
        return false;
    out->pid_off = off;
    out->start = at;
    out->end = off + out->pid_len;
    return true;
}

bool eppc_find_process(const uint8_t *data, size_t len, eppc_process_t *out)
{
    for (size_t at = 0; len >= 4 && at <= len - 4; at++) {
        if (data[at] == 'u' && process_at(data, len, at, out))
            return true;
    }
    return false;
}
