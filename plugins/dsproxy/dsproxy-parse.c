/* dsproxy-parse.c
 * Byte-level checks and parsers for DSProxy (TCP 625): see dsproxy-parse.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "dsproxy-parse.h"

#include <string.h>

static uint32_t be32(const uint8_t *d)
{
    return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

size_t dsproxy_padding(const uint8_t *data, size_t len)
{
    size_t n = 0;
    while (n < len && data[n] == 0x00)
        n++;
    return n;
}

dsproxy_header_status_t dsproxy_parse_header(const uint8_t *data, size_t len, dsproxy_header_t *out)
{
    size_t pad = dsproxy_padding(data, len);
    size_t rest = len - pad;
    const uint8_t *h;

    out->padding = pad;
    out->length = 0;
    if (rest == 0)
        return DSPX_HEADER_SHORT;
    h = data + pad;
    if (rest < DSPX_TAG_SIZE) {
        /* What there is of the tag must agree with it. */
        return memcmp(h, DSPX_TAG, rest) == 0 ? DSPX_HEADER_SHORT : DSPX_HEADER_BAD_TAG;
    }
    if (memcmp(h, DSPX_TAG, DSPX_TAG_SIZE) != 0)
        return DSPX_HEADER_BAD_TAG;
    if (rest < DSPX_HEADER_SIZE)
        return DSPX_HEADER_SHORT;
    out->length = be32(h + DSPX_TAG_SIZE);
    if (out->length > DSPX_MAX_LENGTH)
        return DSPX_HEADER_BAD_LENGTH;
    return DSPX_HEADER_OK;
}

size_t dsproxy_message_size(const dsproxy_header_t *h)
{
    return h->padding + DSPX_HEADER_SIZE + (size_t)h->length;
}

bool dsproxy_match(const uint8_t *data, size_t len)
{
    dsproxy_header_t h;

    if (len < DSPX_HEADER_SIZE)
        return false;
    /* Cheapest invariant first: a tag or padding at offset 0. */
    if (data[0] != 0x00 && data[0] != (uint8_t)DSPX_TAG[0])
        return false;
    if (dsproxy_parse_header(data, len, &h) != DSPX_HEADER_OK)
        return false;
    return h.length >= DSPX_MIN_MATCH_LENGTH;
}

bool dsproxy_payload_has_auth_tag(const uint8_t *payload, size_t len)
{
    return len >= DSPX_AUTH_TAG_SIZE && memcmp(payload, DSPX_AUTH_TAG, DSPX_AUTH_TAG_SIZE) == 0;
}

bool dsproxy_match_auth(const uint8_t *data, size_t len)
{
    dsproxy_header_t h;

    if (!dsproxy_match(data, len))
        return false;
    dsproxy_parse_header(data, len, &h);
    size_t body = h.padding + DSPX_HEADER_SIZE;
    return dsproxy_payload_has_auth_tag(data + body, len - body);
}

static dsproxy_role_t first_message_role(const dsproxy_session_t *s, unsigned dir, bool auth_tag)
{
    if (auth_tag)
        return DSPX_ROLE_CLIENT;
    if (s->role[dir ^ 1u] == DSPX_ROLE_CLIENT)
        return DSPX_ROLE_SERVER;
    return DSPX_ROLE_MIDSTREAM;
}

dsproxy_stage_t dsproxy_session_next(dsproxy_session_t *s, unsigned dir, bool auth_tag)
{
    uint32_t n;

    dir &= 1u;
    if (s->role[dir] == DSPX_ROLE_UNKNOWN)
        s->role[dir] = (uint8_t)first_message_role(s, dir, auth_tag);
    n = s->count[dir];
    if (s->count[dir] < UINT32_MAX)
        s->count[dir]++;

    switch (s->role[dir]) {
    case DSPX_ROLE_CLIENT:
        if (n == 0)
            return DSPX_STAGE_CLIENT_PUBLIC;
        return n == 1 ? DSPX_STAGE_CHALLENGE : DSPX_STAGE_ENCRYPTED;
    case DSPX_ROLE_SERVER:
        if (n == 0)
            return DSPX_STAGE_SERVER_PUBLIC;
        return n == 1 ? DSPX_STAGE_CHALLENGE_RESPONSE : DSPX_STAGE_ENCRYPTED;
    default:
        return DSPX_STAGE_ENCRYPTED;
    }
}
