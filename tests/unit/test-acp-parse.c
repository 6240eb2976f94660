/* test-acp-parse.c
 * acp-parse.c: Adler-32, the header checksum, the signature check, the key
 * and password, property elements and CFL binary markers. Vectors come from
 * apple-protocols.md section 6a (keystream, real ACP-WIRE header bytes) and
 * from the demo capture (acp_peer.py).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "acp-parse.h"

/* The first 32 keystream bytes as the doc gives them. */
static const uint8_t keystream32[32] = {
    0x0e, 0x39, 0xf8, 0x05, 0xc4, 0x01, 0x55, 0x4f, 0x0c, 0xac, 0x85, 0x7d, 0x86, 0x8a, 0xb5, 0x17,
    0x3e, 0x09, 0xc8, 0x35, 0xf4, 0x31, 0x65, 0x7f, 0x3c, 0x9c, 0xb5, 0x6d, 0x96, 0x9a, 0xa5, 0x07};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A header as the sources lay it out; key NULL means all zero. */
static void make_header(uint8_t h[ACP_HEADER_LEN], uint32_t version, uint32_t body_sum,
                        int32_t body_size, uint32_t flags, uint32_t command, int32_t error,
                        const uint8_t *key)
{
    memset(h, 0, ACP_HEADER_LEN);
    memcpy(h, "acpp", 4);
    put32(h + 4, version);
    put32(h + 12, body_sum);
    put32(h + 16, (uint32_t)body_size);
    put32(h + 20, flags);
    put32(h + 28, command);
    put32(h + 32, (uint32_t)error);
    if (key)
        memcpy(h + ACP_KEY_OFFSET, key, ACP_KEY_LEN);
    put32(h + 8, acp_header_checksum(h, ACP_HEADER_LEN));
}

static void test_adler32(void)
{
    g_assert_cmphex(acp_adler32(NULL, 0), ==, 1);
    g_assert_cmphex(acp_adler32((const uint8_t *)"", 0), ==, ACP_ADLER32_EMPTY);
    /* RFC 1950 reference value (also zlib.adler32). */
    g_assert_cmphex(acp_adler32((const uint8_t *)"Wikipedia", 9), ==, 0x11e60398);
    /* The real AUTH request body (node-acp stage one {state: 1, username: "admin"}),
     * whose Adler-32 is the body checksum in the ACP-WIRE header. */
    static const uint8_t auth_body[] = "CFB0\xd0\x70state\x00\x10\x01\x70username\x00\x70"
                                       "admin\x00\x00"
                                       "END!";
    g_assert_cmpuint(sizeof auth_body - 1, ==, 36);
    g_assert_cmphex(acp_adler32(auth_body, 36), ==, 0xe60d0baf);
    /* Chained updates equal one pass. */
    uint32_t a = acp_adler32_update(1, auth_body, 10);
    g_assert_cmphex(acp_adler32_update(a, auth_body + 10, 26), ==, 0xe60d0baf);
}

static void test_adler32_long(void)
{
    /* More than NMAX (5552) bytes of 0xff, checked against zlib: 0x149a302c is
     * zlib.adler32(b"\xff" * 100000). */
    size_t n = 100000;
    uint8_t *buf = g_malloc(n);
    memset(buf, 0xff, n);
    g_assert_cmphex(acp_adler32(buf, n), ==, 0x149a302c);
    g_free(buf);
}

static void test_keystream(void)
{
    for (size_t i = 0; i < 32; i++)
        g_assert_cmphex(acp_keystream_byte(i), ==, keystream32[i]);
    /* key[i] = ((i + 0x55) & 0xff) ^ K[i % 16] at i = 200: K[8] = 0x51. */
    g_assert_cmphex(acp_keystream_byte(200), ==, ((200 + 0x55) & 0xff) ^ 0x51);
}

static void test_real_header_checksums(void)
{
    uint8_t h[ACP_HEADER_LEN];

    /* ACP-WIRE "sent": AUTH request, empty-password key = keystream. */
    make_header(h, ACP_VERSION_CURRENT, 0xe60d0baf, 0x24, 4, ACP_CMD_AUTHENTICATE, 0, keystream32);
    g_assert_cmphex(acp_header_checksum(h, sizeof h), ==, 0xff9510fe);
    g_assert_true(acp_match(h, sizeof h));
    /* ACP-WIRE "recv": the reply, whose key field is all zero. */
    make_header(h, ACP_VERSION_CURRENT, 0x9664e2bd, 0x1ca, 5, ACP_CMD_AUTHENTICATE, 0, NULL);
    g_assert_cmphex(acp_header_checksum(h, sizeof h), ==, 0x5d41052c);
    g_assert_true(acp_match(h, sizeof h));
    /* The checksum field itself does not count. */
    put32(h + 8, 0xdeadbeef);
    g_assert_cmphex(acp_header_checksum(h, sizeof h), ==, 0x5d41052c);
    g_assert_false(acp_match(h, sizeof h));
    /* Too short: no checksum. */
    g_assert_cmphex(acp_header_checksum(h, 127), ==, 0);
    g_assert_cmphex(acp_header_checksum(NULL, 128), ==, 0);
}

static void test_match(void)
{
    uint8_t h[ACP_HEADER_LEN + 16];
    uint8_t key[ACP_KEY_LEN];

    acp_password_to_key("public", key);
    make_header(h, ACP_VERSION_OLD, 1, 0, 0, ACP_CMD_GET_FEATURES, 0, key);
    memset(h + ACP_HEADER_LEN, 0xaa, 16);
    g_assert_true(acp_match(h, sizeof h));
    g_assert_true(acp_match(h, ACP_HEADER_LEN));
    /* First bytes only (a short first segment): magic and version suffice. */
    for (size_t len = 8; len < ACP_HEADER_LEN; len++)
        g_assert_true(acp_match(h, len));
    for (size_t len = 0; len < 8; len++)
        g_assert_false(acp_match(h, len));
    g_assert_false(acp_match(NULL, 128));

    /* Bad version. */
    put32(h + 4, 0x00020001);
    g_assert_false(acp_match(h, 8));
    put32(h + 4, ACP_VERSION_OLD);
    g_assert_true(acp_match(h, 8));
    /* Bad magic. */
    h[3] = 'q';
    g_assert_false(acp_match(h, sizeof h));
    h[3] = 'p';
    /* Any header byte changed breaks the checksum at 128 bytes, not at 127. */
    h[100] ^= 1;
    g_assert_false(acp_match(h, ACP_HEADER_LEN));
    g_assert_true(acp_match(h, ACP_HEADER_LEN - 1));
}

static void test_match_other_protocols(void)
{
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03};
    static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char eppc[] = "PPCT\0\0\0\1\0\0\0\1";
    uint8_t zeros[ACP_HEADER_LEN] = {0};

    g_assert_false(acp_match(tls, sizeof tls));
    g_assert_false(acp_match((const uint8_t *)http, sizeof http - 1));
    g_assert_false(acp_match((const uint8_t *)eppc, sizeof eppc - 1));
    g_assert_false(acp_match(zeros, sizeof zeros));
    /* "acpp" alone or with a version that is not 1 / 0x30001. */
    g_assert_false(acp_match((const uint8_t *)"acpp\0\0\0\0", 8));
    g_assert_false(acp_match((const uint8_t *)"acppacpp", 8));
    g_assert_false(acp_match((const uint8_t *)"acpp\0\3\0\2", 8));
}

static void test_parse_header(void)
{
    uint8_t h[ACP_HEADER_LEN];
    uint8_t key[ACP_KEY_LEN];
    acp_header_t p;

    acp_password_to_key("public", key);
    make_header(h, ACP_VERSION_CURRENT, 0x180801ac, 16, 4, ACP_CMD_GET_PROPERTY, -6754, key);
    g_assert_true(acp_parse_header(h, sizeof h, &p));
    g_assert_cmphex(p.version, ==, ACP_VERSION_CURRENT);
    g_assert_cmphex(p.header_checksum, ==, acp_header_checksum(h, sizeof h));
    g_assert_cmphex(p.body_checksum, ==, 0x180801ac);
    g_assert_cmpint(p.body_size, ==, 16);
    g_assert_cmpuint(p.flags, ==, 4);
    g_assert_cmpuint(p.unused, ==, 0);
    g_assert_cmphex(p.command, ==, ACP_CMD_GET_PROPERTY);
    g_assert_cmpint(p.error_code, ==, -6754);
    g_assert_cmpmem(p.key, ACP_KEY_LEN, key, ACP_KEY_LEN);
    g_assert_false(acp_parse_header(h, 127, &p));
    g_assert_false(acp_parse_header(NULL, 128, &p));
    g_assert_false(acp_parse_header(h, 128, NULL));
}

static void test_message_length(void)
{
    uint8_t h[ACP_HEADER_LEN];
    uint32_t len = 7;

    make_header(h, ACP_VERSION_CURRENT, 1, 0x24, 4, ACP_CMD_AUTHENTICATE, 0, NULL);
    g_assert_true(acp_message_length(h, 20, &len));
    g_assert_cmpuint(len, ==, 128 + 0x24);
    put32(h + 16, 0);
    g_assert_true(acp_message_length(h, 20, &len));
    g_assert_cmpuint(len, ==, 128);
    put32(h + 16, 0xffffffff); /* -1: stream header */
    g_assert_true(acp_message_length(h, 20, &len));
    g_assert_cmpuint(len, ==, 128);
    put32(h + 16, 0x80000000); /* most negative */
    g_assert_true(acp_message_length(h, 20, &len));
    g_assert_cmpuint(len, ==, 128);
    put32(h + 16, ACP_BODY_SIZE_MAX); /* largest: the length still fits an int32 */
    g_assert_true(acp_message_length(h, 20, &len));
    g_assert_cmpuint(len, ==, 0x7fffffffu);
    len = 7;
    put32(h + 16, ACP_BODY_SIZE_MAX + 1u);
    g_assert_false(acp_message_length(h, 20, &len));
    put32(h + 16, 0x7fffffff);
    g_assert_false(acp_message_length(h, 20, &len));
    g_assert_cmpuint(len, ==, 7);
    g_assert_false(acp_message_length(h, 19, &len));
    g_assert_cmpuint(len, ==, 7);
    g_assert_false(acp_message_length(NULL, 20, &len));
}

static void test_password(void)
{
    uint8_t key[ACP_KEY_LEN];
    char out[ACP_PASSWORD_MAX + 1];

    /* The demo capture's key (frame 119): "public" XOR keystream. */
    static const uint8_t demo[6] = {0x7e, 0x4c, 0x9a, 0x69, 0xad, 0x62};
    acp_password_to_key("public", key);
    g_assert_cmpmem(key, 6, demo, 6);
    g_assert_cmpmem(key + 6, 26, keystream32 + 6, 26);
    g_assert_cmpuint(acp_key_to_password(key, sizeof key, out, sizeof out), ==, 6);
    g_assert_cmpstr(out, ==, "public");

    /* Empty password (AUTH, FEAT): the key is the keystream itself. */
    acp_password_to_key("", key);
    g_assert_cmpmem(key, sizeof key, keystream32, sizeof keystream32);
    g_assert_cmpuint(acp_key_to_password(key, sizeof key, out, sizeof out), ==, 0);
    g_assert_cmpstr(out, ==, "");
    g_assert_false(acp_key_is_zero(key, sizeof key));

    /* 32 characters: no NUL padding left. */
    acp_password_to_key("0123456789abcdef0123456789ABCDEF", key);
    g_assert_cmpuint(acp_key_to_password(key, sizeof key, out, sizeof out), ==, 32);
    g_assert_cmpstr(out, ==, "0123456789abcdef0123456789ABCDEF");
    /* A longer password is cut at 32. */
    acp_password_to_key("0123456789abcdef0123456789ABCDEFxyz", key);
    g_assert_cmpuint(acp_key_to_password(key, sizeof key, out, sizeof out), ==, 32);

    /* Small output buffers and short keys never overflow. */
    char small[4];
    acp_password_to_key("public", key);
    g_assert_cmpuint(acp_key_to_password(key, sizeof key, small, sizeof small), ==, 3);
    g_assert_cmpstr(small, ==, "pub");
    g_assert_cmpuint(acp_key_to_password(key, 2, out, sizeof out), ==, 2);
    g_assert_cmpstr(out, ==, "pu");
    g_assert_cmpuint(acp_key_to_password(key, sizeof key, out, 0), ==, 0);
    g_assert_cmpuint(acp_key_to_password(key, sizeof key, NULL, 10), ==, 0);
    g_assert_cmpuint(acp_key_to_password(NULL, 32, out, sizeof out), ==, 0);
    g_assert_cmpstr(out, ==, "");
    /* A key longer than 32 is read only up to 32. */
    uint8_t long_key[40];
    acp_password_to_key("0123456789abcdef0123456789ABCDEF", long_key);
    memset(long_key + 32, 0x41, 8);
    g_assert_cmpuint(acp_key_to_password(long_key, sizeof long_key, out, sizeof out), ==, 32);

    memset(key, 0, sizeof key);
    g_assert_true(acp_key_is_zero(key, sizeof key));
    key[31] = 1;
    g_assert_false(acp_key_is_zero(key, sizeof key));
}

static void test_elements(void)
{
    /* The demo reply body: syNm = "Demo AirPort", then the end element. */
    static const uint8_t body[] = "syNm\0\0\0\0\0\0\0\x0c"
                                  "Demo AirPort"
                                  "\0\0\0\0\0\0\0\0\0\0\0\x04\0\0\0\0";
    size_t len = sizeof body - 1;
    acp_element_t e;

    g_assert_cmpuint(len, ==, 40);
    g_assert_cmpint(acp_parse_element(body, len, &e), ==, ACP_ELEMENT_OK);
    g_assert_cmpmem(e.name, 4, "syNm", 4);
    g_assert_cmpuint(e.flags, ==, 0);
    g_assert_cmpuint(e.size, ==, 12);
    g_assert_cmpuint(e.value_offset, ==, 12);
    g_assert_false(e.is_end);
    g_assert_true(acp_is_printable(body + 12, 12));

    g_assert_cmpint(acp_parse_element(body + 24, 16, &e), ==, ACP_ELEMENT_OK);
    g_assert_true(e.is_end);
    g_assert_cmpuint(e.size, ==, 4);
    /* The brief end element (size 0) too. */
    g_assert_cmpint(acp_parse_element(body + 24, 12, &e), ==, ACP_ELEMENT_SHORT_VAL);
    static const uint8_t end0[12] = {0};
    g_assert_cmpint(acp_parse_element(end0, 12, &e), ==, ACP_ELEMENT_OK);
    g_assert_true(e.is_end);
    g_assert_cmpuint(e.size, ==, 0);

    /* Error element: flags bit 0, an int32 code. */
    static const uint8_t err[] = {'r', 'a', 'N', 'm', 0,    0,    0,    1,
                                  0,   0,   0,   4,   0xff, 0xff, 0xff, 0xf6};
    g_assert_cmpint(acp_parse_element(err, sizeof err, &e), ==, ACP_ELEMENT_OK);
    g_assert_cmpuint(e.flags & ACP_ELEMENT_FLAG_ERR, ==, 1);
    g_assert_false(e.is_end);

    /* Short header and value; a huge size never wraps. */
    for (size_t n = 0; n < ACP_ELEMENT_HDR_LEN; n++)
        g_assert_cmpint(acp_parse_element(body, n, &e), ==, ACP_ELEMENT_SHORT_HDR);
    for (size_t n = 12; n < 24; n++)
        g_assert_cmpint(acp_parse_element(body, n, &e), ==, ACP_ELEMENT_SHORT_VAL);
    static const uint8_t huge[] = {'d', 'b', 'u', 'g', 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1};
    g_assert_cmpint(acp_parse_element(huge, sizeof huge, &e), ==, ACP_ELEMENT_SHORT_VAL);
    g_assert_cmpuint(e.size, ==, 0xffffffffu);
    g_assert_cmpint(acp_parse_element(NULL, 12, &e), ==, ACP_ELEMENT_SHORT_HDR);
    g_assert_cmpint(acp_parse_element(body, len, NULL), ==, ACP_ELEMENT_SHORT_HDR);
}

static void test_printable(void)
{
    g_assert_true(acp_is_printable((const uint8_t *)" ~", 2));
    g_assert_false(acp_is_printable((const uint8_t *)"a\x1f", 2));
    g_assert_false(acp_is_printable((const uint8_t *)"a\x7f", 2));
    g_assert_false(acp_is_printable((const uint8_t *)"ab\0", 3));
    g_assert_false(acp_is_printable((const uint8_t *)"", 0));
    g_assert_false(acp_is_printable(NULL, 3));
}

static void test_cflbinary(void)
{
    static const char plist[] = "CFB0\xd0\x00"
                                "END!";
    g_assert_true(acp_is_cflbinary((const uint8_t *)plist, sizeof plist - 1));
    g_assert_true(acp_cflbinary_has_footer((const uint8_t *)plist, sizeof plist - 1));
    g_assert_false(acp_cflbinary_has_footer((const uint8_t *)plist, sizeof plist - 2));
    g_assert_true(acp_is_cflbinary((const uint8_t *)"CFB0", 4));
    g_assert_false(acp_is_cflbinary((const uint8_t *)"CFB", 3));
    g_assert_false(acp_is_cflbinary((const uint8_t *)"CFB1xxxx", 8));
    g_assert_false(acp_is_cflbinary(NULL, 8));
    /* "CFB0END!" is the shortest with a footer; the magic cannot be the footer. */
    g_assert_true(acp_cflbinary_has_footer((const uint8_t *)"CFB0END!", 8));
    g_assert_false(acp_cflbinary_has_footer((const uint8_t *)"END!", 4));
    g_assert_false(acp_cflbinary_has_footer(NULL, 8));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acp/adler32", test_adler32);
    g_test_add_func("/acp/adler32-long", test_adler32_long);
    g_test_add_func("/acp/keystream", test_keystream);
    g_test_add_func("/acp/real-header-checksums", test_real_header_checksums);
    g_test_add_func("/acp/match", test_match);
    g_test_add_func("/acp/match-other-protocols", test_match_other_protocols);
    g_test_add_func("/acp/parse-header", test_parse_header);
    g_test_add_func("/acp/message-length", test_message_length);
    g_test_add_func("/acp/password", test_password);
    g_test_add_func("/acp/elements", test_elements);
    g_test_add_func("/acp/printable", test_printable);
    g_test_add_func("/acp/cflbinary", test_cflbinary);
    return g_test_run();
}
