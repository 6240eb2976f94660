/* acp-parse.c
 * Byte-level parsing of the AirPort admin protocol "ACP" (TCP 5009).
 * See acp-parse.h; layouts from apple-protocols.md section 6a.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "acp-parse.h"

#include <string.h>

#define ADLER_MOD 65521u
/* The most bytes that can be summed before b overflows 32 bits (zlib's NMAX). */
#define ADLER_NMAX 5552u

/* K of the keystream key[i] = ((i + 0x55) & 0xff) ^ K[i % 16] (airpyrt
 * keystream.py; the first 32 bytes equal Metasploit's XOR_KEY). */
static const uint8_t keystream_k[16] = {0x5b, 0x6f, 0xaf, 0x5d, 0x9d, 0x5b, 0x0e, 0x13,
                                        0x51, 0xf2, 0xda, 0x1d, 0xe7, 0xe8, 0xd6, 0x73};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

uint32_t acp_adler32_update(uint32_t adler, const uint8_t *data, size_t len)
{
    uint32_t a = adler & 0xffff;
    uint32_t b = adler >> 16;

    while (len > 0) {
        size_t n = len < ADLER_NMAX ? len : ADLER_NMAX;
        len -= n;
        while (n--) {
            a += *data++;
            b += a;
        }
        a %= ADLER_MOD;
        b %= ADLER_MOD;
    }
    return b << 16 | a;
}

uint32_t acp_adler32(const uint8_t *data, size_t len)
{
    return acp_adler32_update(1, data, len);
}

uint32_t acp_header_checksum(const uint8_t *hdr, size_t len)
{
    static const uint8_t zero[4] = {0, 0, 0, 0};
    uint32_t adler;

    if (!hdr || len < ACP_HEADER_LEN)
        return 0;
    adler = acp_adler32_update(1, hdr, ACP_OFF_HEADER_SUM);
    adler = acp_adler32_update(adler, zero, sizeof zero);
    return acp_adler32_update(adler, hdr + ACP_OFF_BODY_SUM, ACP_HEADER_LEN - ACP_OFF_BODY_SUM);
}

bool acp_version_known(uint32_t version)
{
    return version == ACP_VERSION_OLD || version == ACP_VERSION_CURRENT;
}

bool acp_match(const uint8_t *data, size_t len)
{
    if (!data || len < 8)
        return false;
    if (memcmp(data, ACP_MAGIC, 4) != 0)
        return false;
    if (!acp_version_known(be32(data + ACP_OFF_VERSION)))
        return false;
    if (len >= ACP_HEADER_LEN &&
        be32(data + ACP_OFF_HEADER_SUM) != acp_header_checksum(data, ACP_HEADER_LEN))
        return false;
    return true;
}

bool acp_parse_header(const uint8_t *data, size_t len, acp_header_t *out)
{
    if (!data || !out || len < ACP_HEADER_LEN)
        return false;
    out->version = be32(data + ACP_OFF_VERSION);
    out->header_checksum = be32(data + ACP_OFF_HEADER_SUM);
    out->body_checksum = be32(data + ACP_OFF_BODY_SUM);
    out->body_size = (int32_t)be32(data + ACP_OFF_BODY_SIZE);
    out->flags = be32(data + ACP_OFF_FLAGS);
    out->unused = be32(data + ACP_OFF_UNUSED);
    out->command = be32(data + ACP_OFF_COMMAND);
    out->error_code = (int32_t)be32(data + ACP_OFF_ERROR);
    memcpy(out->key, data + ACP_KEY_OFFSET, ACP_KEY_LEN);
    return true;
}

bool acp_message_length(const uint8_t *data, size_t len, uint32_t *out)
{
    int32_t body_size;

    if (!data || !out || len < ACP_OFF_BODY_SIZE + 4)
        return false;
    body_size = (int32_t)be32(data + ACP_OFF_BODY_SIZE);
    if (body_size > ACP_BODY_SIZE_MAX)
        return false;
    *out = ACP_HEADER_LEN + (body_size > 0 ? (uint32_t)body_size : 0);
    return true;
}

uint8_t acp_keystream_byte(size_t i)
{
    return (uint8_t)(((i + 0x55) & 0xff) ^ keystream_k[i % 16]);
}

bool acp_key_is_zero(const uint8_t *key, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (key[i])
            return false;
    }
    return true;
}

size_t acp_key_to_password(const uint8_t *key, size_t len, char *out, size_t out_size)
{
    size_t n = 0;

    if (!out || out_size == 0)
        return 0;
    if (len > ACP_KEY_LEN)
        len = ACP_KEY_LEN;
    for (size_t i = 0; key && i < len && n + 1 < out_size; i++) {
        uint8_t c = key[i] ^ acp_keystream_byte(i);
        if (c == 0)
            break;
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return n;
}

void acp_password_to_key(const char *password, uint8_t key[ACP_KEY_LEN])
{
    size_t len = password ? strlen(password) : 0;

    for (size_t i = 0; i < ACP_KEY_LEN; i++) {
        uint8_t c = i < len ? (uint8_t)password[i] : 0;
        key[i] = c ^ acp_keystream_byte(i);
    }
}

acp_element_status_t acp_parse_element(const uint8_t *data, size_t len, acp_element_t *out)
{
    if (!data || !out || len < ACP_ELEMENT_HDR_LEN)
        return ACP_ELEMENT_SHORT_HDR;
    memcpy(out->name, data, 4);
    out->flags = be32(data + 4);
    out->size = be32(data + 8);
    out->value_offset = ACP_ELEMENT_HDR_LEN;
    out->is_end = be32(data) == 0 && out->flags == 0;
    if (out->size > len - ACP_ELEMENT_HDR_LEN)
        return ACP_ELEMENT_SHORT_VAL;
    return ACP_ELEMENT_OK;
}

bool acp_is_printable(const uint8_t *data, size_t len)
{
    if (!data || len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (data[i] < 0x20 || data[i] > 0x7e)
            return false;
    }
    return true;
}

bool acp_is_cflbinary(const uint8_t *data, size_t len)
{
    return data && len >= 4 && memcmp(data, ACP_CFL_MAGIC, 4) == 0;
}

bool acp_cflbinary_has_footer(const uint8_t *data, size_t len)
{
    return data && len >= 8 && memcmp(data + len - 4, ACP_CFL_FOOTER, 4) == 0;
}
