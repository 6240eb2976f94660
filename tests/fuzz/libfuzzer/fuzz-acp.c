/* fuzz-acp.c
 * libFuzzer target: the AirPort admin protocol parsers (plugins/acp/
 * acp-parse.c): signature, header, message length, key/password and the
 * property elements of a body, walked as packet-acp.c walks them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "acp-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    acp_header_t hdr;
    uint32_t msg_len;
    char password[ACP_PASSWORD_MAX + 1];
    uint8_t key[ACP_KEY_LEN];

    /* Adler-32 computed in one go and in two chained parts agree. */
    size_t half = size / 2;
    uint32_t whole = acp_adler32(data, size);
    FUZZ_CHECK(whole == acp_adler32_update(acp_adler32(data, half), data + half, size - half));
    FUZZ_CHECK((whole & 0xffff) < 65521u && (whole >> 16) < 65521u);

    uint32_t sum = acp_header_checksum(data, size);
    FUZZ_CHECK((sum == 0) == (size < ACP_HEADER_LEN));

    bool match = acp_match(data, size);
    if (match) {
        FUZZ_CHECK(size >= 8 && memcmp(data, ACP_MAGIC, 4) == 0);
        FUZZ_CHECK(acp_version_known((uint32_t)fuzz_be(data, size, 4, 4)));
        if (size >= ACP_HEADER_LEN)
            FUZZ_CHECK(sum == (uint32_t)fuzz_be(data, size, ACP_OFF_HEADER_SUM, 4));
    }

    if (acp_message_length(data, size, &msg_len)) {
        FUZZ_CHECK(msg_len >= ACP_HEADER_LEN);
        FUZZ_CHECK(msg_len - ACP_HEADER_LEN <= ACP_BODY_SIZE_MAX);
    }

    if (acp_parse_header(data, size, &hdr)) {
        FUZZ_CHECK(size >= ACP_HEADER_LEN);
        FUZZ_CHECK(hdr.header_checksum == (uint32_t)fuzz_be(data, size, ACP_OFF_HEADER_SUM, 4));
        size_t n = acp_key_to_password(hdr.key, sizeof hdr.key, password, sizeof password);
        FUZZ_CHECK(n <= ACP_PASSWORD_MAX && strlen(password) == n);
        FUZZ_CHECK(acp_key_is_zero(hdr.key, sizeof hdr.key) ==
                   (memcmp(hdr.key, (const uint8_t[ACP_KEY_LEN]){0}, ACP_KEY_LEN) == 0));
        /* The body, walked element by element. */
        size_t pos = ACP_HEADER_LEN;
        while (pos < size) {
            acp_element_t el;
            acp_element_status_t st = acp_parse_element(data + pos, size - pos, &el);
            if (st != ACP_ELEMENT_OK) {
                FUZZ_CHECK(st == ACP_ELEMENT_SHORT_HDR ? size - pos < ACP_ELEMENT_HDR_LEN
                                                       : el.size > size - pos - el.value_offset);
                break;
            }
            FUZZ_CHECK(fuzz_span_in(pos + el.value_offset, el.size, size));
            const uint8_t *value = data + pos + el.value_offset;
            (void)acp_is_printable(value, el.size);
            (void)acp_is_cflbinary(value, el.size);
            (void)acp_cflbinary_has_footer(value, el.size);
            pos += el.value_offset + el.size;
            if (el.is_end)
                break;
        }
    }

    /* Password -> key -> password gives the password back (at most 32
     * bytes, up to its first NUL). */
    char *text = fuzz_cstring(data, size < ACP_KEY_LEN ? size : ACP_KEY_LEN);
    acp_password_to_key(text, key);
    size_t n = acp_key_to_password(key, sizeof key, password, sizeof password);
    FUZZ_CHECK(n == strlen(text) && memcmp(password, text, n) == 0);
    /* A small output buffer truncates but always terminates. */
    char small[4];
    size_t m = acp_key_to_password(data, size, small, sizeof small);
    FUZZ_CHECK(m < sizeof small && small[m] == '\0');
    free(text);

    bool printable = size > 0;
    for (size_t i = 0; i < size; i++)
        printable = printable && data[i] >= 0x20 && data[i] <= 0x7e;
    FUZZ_CHECK(acp_is_printable(data, size) == printable);
    (void)acp_is_cflbinary(data, size);
    (void)acp_cflbinary_has_footer(data, size);
    return 0;
}
