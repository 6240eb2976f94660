/* test-serialnumberd-parse.c
 * serialnumberd_match() and the field splitter of serialnumberd-parse.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "serialnumberd-parse.h"

#define S(str) ((const uint8_t *)(str)), (sizeof(str) - 1)

static const char nmap_query[] = "SNQUERY: 127.0.0.1:AAAAAA:xsvr";
static const char response[] = "SNRESPS:127.0.0.16:0xc05ee77dc33c2b5ab0d55823ccdacf9722ca33e9:xsvr:"
                               "0x4585060ac8ebe6103f81c1b48be4b33db6621c49:0x650e248a:"
                               "0xcf2f408e70b0c4420921e7e0b86f22b3386628d2:127.0.0.16\0";

static void test_match(void)
{
    g_assert_true(serialnumberd_match(S(nmap_query)));
    g_assert_true(serialnumberd_match(S(response)));
    g_assert_true(serialnumberd_match(S("SNQUERY:")));
    g_assert_true(serialnumberd_match(S("SNRESPS:")));
    g_assert_false(serialnumberd_match(S("SNQUERY")));    /* no ':' */
    g_assert_false(serialnumberd_match(S("snquery: x"))); /* case matters */
    g_assert_false(serialnumberd_match(S("SNQUERX: 127.0.0.1")));
    g_assert_false(serialnumberd_match(S("GET / HTTP/1.1\r\n")));
    g_assert_false(serialnumberd_match(S("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")));
    g_assert_false(serialnumberd_match(S("")));
    g_assert_false(serialnumberd_match(NULL, 30));
}

static void test_match_never_reads_past_len(void)
{
    /* The full magic is there, but len says only 7 bytes may be read. */
    g_assert_false(serialnumberd_match((const uint8_t *)nmap_query, 7));
    for (size_t len = 0; len < 8; len++)
        g_assert_false(serialnumberd_match((const uint8_t *)"SNRESPS:", len));
    g_assert_true(serialnumberd_match((const uint8_t *)"SNRESPS:", 8));
}

static void test_type(void)
{
    g_assert_cmpint(serialnumberd_type(S(nmap_query)), ==, SN_TYPE_QUERY);
    g_assert_cmpint(serialnumberd_type(S(response)), ==, SN_TYPE_RESPONSE);
    g_assert_cmpint(serialnumberd_type(S("SNXXXXX:")), ==, SN_TYPE_NONE);
    g_assert_cmpuint(serialnumberd_expected_fields(SN_TYPE_QUERY), ==, 3);
    g_assert_cmpuint(serialnumberd_expected_fields(SN_TYPE_RESPONSE), ==, 7);
    g_assert_cmpuint(serialnumberd_expected_fields(SN_TYPE_NONE), ==, 0);
}

static void test_truncated_type(void)
{
    g_assert_true(serialnumberd_is_truncated_type(S("SNQ")));
    g_assert_true(serialnumberd_is_truncated_type(S("S")));
    g_assert_true(serialnumberd_is_truncated_type(S("SNRESPS")));
    g_assert_false(serialnumberd_is_truncated_type(S("SNQUERY:"))); /* complete */
    g_assert_false(serialnumberd_is_truncated_type(S("SNX")));
    g_assert_false(serialnumberd_is_truncated_type(S("")));
    g_assert_false(serialnumberd_is_truncated_type(NULL, 3));
}

static void assert_field(const uint8_t *data, const sn_message_t *msg, size_t i, const char *want)
{
    g_assert_cmpuint(i, <, msg->field_count);
    g_assert_cmpuint(msg->fields[i].length, ==, strlen(want));
    g_assert_cmpint(memcmp(data + msg->fields[i].offset, want, strlen(want)), ==, 0);
}

static void test_parse_query(void)
{
    const uint8_t *data = (const uint8_t *)nmap_query;
    sn_message_t msg;

    g_assert_true(serialnumberd_parse(S(nmap_query), &msg));
    g_assert_cmpint(msg.type, ==, SN_TYPE_QUERY);
    g_assert_cmpuint(msg.body_offset, ==, 9); /* the space after ':' is skipped */
    g_assert_cmpuint(msg.body_end, ==, 30);
    g_assert_false(msg.has_nul);
    g_assert_cmpuint(msg.field_count, ==, 3);
    assert_field(data, &msg, 0, "127.0.0.1");
    assert_field(data, &msg, 1, "AAAAAA");
    assert_field(data, &msg, 2, "xsvr");
}

static void test_parse_response(void)
{
    const uint8_t *data = (const uint8_t *)response;
    sn_message_t msg;

    g_assert_true(serialnumberd_parse(S(response), &msg));
    g_assert_cmpint(msg.type, ==, SN_TYPE_RESPONSE);
    g_assert_cmpuint(msg.body_offset, ==, 8);
    g_assert_cmpuint(msg.body_end, ==, sizeof(response) - 2);
    g_assert_true(msg.has_nul);
    g_assert_cmpuint(msg.field_count, ==, 7);
    assert_field(data, &msg, 0, "127.0.0.16");
    assert_field(data, &msg, 1, "0xc05ee77dc33c2b5ab0d55823ccdacf9722ca33e9");
    assert_field(data, &msg, 2, "xsvr");
    assert_field(data, &msg, 3, "0x4585060ac8ebe6103f81c1b48be4b33db6621c49");
    assert_field(data, &msg, 4, "0x650e248a");
    assert_field(data, &msg, 5, "0xcf2f408e70b0c4420921e7e0b86f22b3386628d2");
    assert_field(data, &msg, 6, "127.0.0.16");
}

static void test_parse_field_counts(void)
{
    sn_message_t msg;

    g_assert_true(serialnumberd_parse(S("SNQUERY:"), &msg));
    g_assert_cmpuint(msg.field_count, ==, 1);
    g_assert_cmpuint(msg.fields[0].length, ==, 0);

    g_assert_true(serialnumberd_parse(S("SNQUERY: a:b"), &msg));
    g_assert_cmpuint(msg.field_count, ==, 2);

    g_assert_true(serialnumberd_parse(S("SNQUERY: ::"), &msg));
    g_assert_cmpuint(msg.field_count, ==, 3);
    g_assert_cmpuint(msg.fields[2].length, ==, 0);

    /* More fields than the table holds: all are counted, 7 are kept. */
    g_assert_true(serialnumberd_parse(S("SNRESPS:1:2:3:4:5:6:7:8:9:10\0"), &msg));
    g_assert_cmpuint(msg.field_count, ==, 10);
    assert_field((const uint8_t *)"SNRESPS:1:2:3:4:5:6:7:8:9:10", &msg, 6, "7");
}

static void test_parse_nul(void)
{
    sn_message_t msg;

    /* Fields end at the first NUL; what follows is not split. */
    g_assert_true(serialnumberd_parse(S("SNQUERY: a:b:c\0d:e"), &msg));
    g_assert_true(msg.has_nul);
    g_assert_cmpuint(msg.body_end, ==, 14);
    g_assert_cmpuint(msg.field_count, ==, 3);

    g_assert_true(serialnumberd_parse(S("SNRESPS:\0"), &msg));
    g_assert_true(msg.has_nul);
    g_assert_cmpuint(msg.body_end, ==, 8);
    g_assert_cmpuint(msg.field_count, ==, 1);
}

static void test_parse_rejects(void)
{
    sn_message_t msg;

    memset(&msg, 0xff, sizeof(msg));
    g_assert_false(serialnumberd_parse(S("SNQ"), &msg));
    g_assert_cmpint(msg.type, ==, SN_TYPE_NONE);
    g_assert_cmpuint(msg.field_count, ==, 0);
    g_assert_false(serialnumberd_parse(S(""), &msg));
    g_assert_false(serialnumberd_parse(NULL, 0, &msg));
}

static void test_parse_exact_lengths(void)
{
    /* Every prefix of a response parses without reading past its length
     * (valgrind/ASan would see it: each prefix is a fresh heap copy). */
    for (size_t len = 0; len <= sizeof(response) - 1; len++) {
        uint8_t *copy = g_memdup2(response, len ? len : 1);
        sn_message_t msg;
        bool ok = serialnumberd_parse(copy, len, &msg);
        g_assert_true(ok == (len >= SN_MAGIC_LEN));
        if (ok) {
            g_assert_cmpuint(msg.body_end, <=, len);
            g_assert_cmpuint(msg.field_count, >=, 1);
        }
        g_free(copy);
    }
}

static void test_hex_value(void)
{
    g_assert_true(serialnumberd_is_hex_value(S("0xc05ee77dc33c2b5ab0d55823ccdacf9722ca33e9"), 40));
    g_assert_true(serialnumberd_is_hex_value(S("0xC05EE77DC33C2B5AB0D55823CCDACF9722CA33E9"), 40));
    g_assert_true(serialnumberd_is_hex_value(S("0x650e248a"), 8));
    g_assert_false(serialnumberd_is_hex_value(S("0x650e248a"), 40)); /* short */
    g_assert_false(serialnumberd_is_hex_value(S("0x650e248a0"), 8)); /* long */
    g_assert_false(serialnumberd_is_hex_value(S("0x650g248a"), 8));  /* non-hex */
    g_assert_false(serialnumberd_is_hex_value(S("650e248a00"), 8));  /* no 0x */
    g_assert_false(serialnumberd_is_hex_value(S("0X650e248a"), 8));  /* 0X */
    g_assert_false(serialnumberd_is_hex_value(S("0x"), 0));          /* nothing */
    g_assert_false(serialnumberd_is_hex_value(S("0x"), 8));
    g_assert_false(serialnumberd_is_hex_value(S(""), 8));
    g_assert_false(serialnumberd_is_hex_value(NULL, 10, 8));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serialnumberd/match", test_match);
    g_test_add_func("/serialnumberd/match-never-reads-past-len", test_match_never_reads_past_len);
    g_test_add_func("/serialnumberd/type", test_type);
    g_test_add_func("/serialnumberd/truncated-type", test_truncated_type);
    g_test_add_func("/serialnumberd/parse-query", test_parse_query);
    g_test_add_func("/serialnumberd/parse-response", test_parse_response);
    g_test_add_func("/serialnumberd/parse-field-counts", test_parse_field_counts);
    g_test_add_func("/serialnumberd/parse-nul", test_parse_nul);
    g_test_add_func("/serialnumberd/parse-rejects", test_parse_rejects);
    g_test_add_func("/serialnumberd/parse-exact-lengths", test_parse_exact_lengths);
    g_test_add_func("/serialnumberd/hex-value", test_hex_value);
    return g_test_run();
}
