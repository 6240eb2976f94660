/* serialnumberd-parse.c
 * Byte-level parsing of serialnumberd datagrams; see serialnumberd-parse.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "serialnumberd-parse.h"

#include <string.h>

static const char sn_query_magic[] = "SNQUERY:";
static const char sn_response_magic[] = "SNRESPS:";

sn_type_t serialnumberd_type(const uint8_t *data, size_t len)
{
    if (data == NULL || len < SN_MAGIC_LEN)
        return SN_TYPE_NONE;
    if (memcmp(data, sn_query_magic, SN_MAGIC_LEN) == 0)
        return SN_TYPE_QUERY;
    if (memcmp(data, sn_response_magic, SN_MAGIC_LEN) == 0)
        return SN_TYPE_RESPONSE;
    return SN_TYPE_NONE;
}

bool serialnumberd_match(const uint8_t *data, size_t len)
{
    return serialnumberd_type(data, len) != SN_TYPE_NONE;
}

bool serialnumberd_is_truncated_type(const uint8_t *data, size_t len)
{
    if (data == NULL || len == 0 || len >= SN_MAGIC_LEN)
        return false;
    return memcmp(data, sn_query_magic, len) == 0 || memcmp(data, sn_response_magic, len) == 0;
}

size_t serialnumberd_expected_fields(sn_type_t type)
{
    switch (type) {
    case SN_TYPE_QUERY:
        return SN_QUERY_FIELDS;
    case SN_TYPE_RESPONSE:
        return SN_RESPONSE_FIELDS;
    default:
        return 0;
    }
}

/* Offset of the first NUL in data[from..len), or len. */
static size_t find_nul(const uint8_t *data, size_t from, size_t len)
{
    const uint8_t *nul = memchr(data + from, '\0', len - from);
    return nul ? (size_t)(nul - data) : len;
}

static void split_fields(const uint8_t *data, sn_message_t *msg)
{
    size_t start = msg->body_offset;

    msg->field_count = 0;
    for (size_t i = msg->body_offset; i <= msg->body_end; i++) {
        if (i < msg->body_end && data[i] != ':')
            continue;
        if (msg->field_count < SN_MAX_FIELDS) {
            msg->fields[msg->field_count].offset = start;
            msg->fields[msg->field_count].length = i - start;
        }
        msg->field_count++;
        start = i + 1;
    }
}

bool serialnumberd_parse(const uint8_t *data, size_t len, sn_message_t *msg)
{
    size_t body;

    memset(msg, 0, sizeof(*msg));
    msg->type = serialnumberd_type(data, len);
    if (msg->type == SN_TYPE_NONE)
        return false;

    body = SN_MAGIC_LEN;
    while (body < len && data[body] == ' ')
        body++;
    msg->body_offset = body;
    msg->body_end = find_nul(data, body, len);
    msg->has_nul = msg->body_end < len;
    split_fields(data, msg);
    return true;
}

static bool is_hex_digit(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool serialnumberd_is_hex_value(const uint8_t *data, size_t len, size_t digits)
{
    if (data == NULL || digits == 0 || len != digits + 2)
        return false;
    if (data[0] != '0' || data[1] != 'x')
        return false;
    for (size_t i = 2; i < len; i++) {
        if (!is_hex_digit(data[i]))
            return false;
    }
    return true;
}
