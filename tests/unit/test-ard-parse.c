/* test-ard-parse.c
 * ard_match() and the byte-level parsers of plugins/ard/ard-parse.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "ard-parse.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__})
#define MATCH(...) ard_match(BYTES(__VA_ARGS__), sizeof((const uint8_t[]){__VA_ARGS__}))

/* A 1006-byte ANSWER_GET_INFO like the ARMS replies: 00 01 03 ea 00 31 ... */
static uint8_t *answer(size_t *len)
{
    static uint8_t buf[1006];
    memset(buf, 0, sizeof(buf));
    memcpy(buf, BYTES(0x00, 0x01, 0x03, 0xea, 0x00, 0x31), 6);
    *len = sizeof(buf);
    return buf;
}

static void test_probes(void)
{
    g_assert_true(MATCH(0x00, 0x14, 0x00, 0x01, 0x03));
    g_assert_true(MATCH(0x00, 0x14, 0x00, 0x00));
    g_assert_true(MATCH(0x00, 0x00));
    g_assert_cmpint(ard_probe_kind(BYTES(0x00, 0x14, 0x00, 0x01, 0x03), 5), ==, ARD_PROBE_NMAP);
    g_assert_cmpint(ard_probe_kind(BYTES(0x00, 0x14, 0x00, 0x00), 4), ==, ARD_PROBE_AMP_RESEARCH);
    g_assert_cmpint(ard_probe_kind(BYTES(0x00, 0x00), 2), ==, ARD_PROBE_ARMS_SCAN);
    /* the same bytes with a different length are not the probes */
    g_assert_cmpint(ard_probe_kind(BYTES(0x00, 0x14, 0x00, 0x01, 0x03, 0x00), 6), ==,
                    ARD_PROBE_NONE);
    g_assert_cmpint(ard_probe_kind(BYTES(0x00, 0x00, 0x00), 3), ==, ARD_PROBE_NONE);
    g_assert_cmpint(ard_probe_kind(BYTES(0x00, 0x00), 1), ==, ARD_PROBE_NONE);
    g_assert_cmpint(ard_probe_kind(NULL, 2), ==, ARD_PROBE_NONE);
}

static void test_short_inputs(void)
{
    g_assert_false(ard_match(NULL, 0));
    g_assert_false(ard_match(NULL, 5));
    g_assert_false(MATCH(0x00));
    g_assert_false(MATCH(0x00, 0x01));
    g_assert_false(MATCH(0x00, 0x14, 0x00));
    g_assert_false(MATCH(0x00, 0x00, 0x00));
}

static void test_answers(void)
{
    size_t len;
    uint8_t *a = answer(&len);
    g_assert_true(ard_match(a, len));
    g_assert_true(ard_is_arms_signature(a, len));
    /* 356-byte struct (nmap's 0x0164) and ardclient's 00 30 */
    uint8_t small[360] = {0x00, 0x01, 0x01, 0x64, 0x00, 0x30};
    g_assert_true(ard_match(small, sizeof(small)));
    g_assert_false(ard_is_arms_signature(small, sizeof(small)));
    /* length one off either way */
    g_assert_false(ard_match(a, len - 1));
    a[3] = 0xe9;
    g_assert_false(ard_match(a, len));
    a[3] = 0xea;
    /* not 00 31 / 00 30 at 0x04 */
    a[5] = 0x32;
    g_assert_false(ard_match(a, len));
    a[4] = 0x01;
    a[5] = 0x31;
    g_assert_false(ard_match(a, len));
    /* an answer too short for the 00 31 */
    g_assert_false(MATCH(0x00, 0x01, 0x00, 0x01, 0x00));
    g_assert_false(ard_is_arms_signature(BYTES(0x00, 0x01, 0x03, 0xea, 0x00), 5));
}

static void test_generic_rule(void)
{
    g_assert_true(MATCH(0x00, 0x77, 0x00, 0x00));                         /* PING */
    g_assert_true(MATCH(0x00, 0x76, 0x00, 0x02, 0xab, 0xcd));             /* PING_REPLY */
    g_assert_true(MATCH(0x7d, 0x01, 0x00, 0x01, 0x00));                   /* ADD_COMPUTER 1 */
    g_assert_true(MATCH(0x00, 0x00, 0x00, 0x02, 0x00, 0x14));             /* ACK of GET_INFO */
    g_assert_true(MATCH(0x00, 0x3d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04)); /* SHUTDOWN 4 */
    /* unknown code with a consistent length */
    g_assert_false(MATCH(0x12, 0x34, 0x00, 0x00));
    g_assert_false(MATCH(0x00, 0x02, 0x00, 0x01, 0x00));
    /* inconsistent length */
    g_assert_false(MATCH(0x00, 0x77, 0x00, 0x01));
    g_assert_false(MATCH(0x00, 0x77, 0x01, 0x00, 0x00));
}

static void test_strict_structures(void)
{
    /* GET_INFO: at most one data byte */
    g_assert_true(MATCH(0x00, 0x14, 0x00, 0x01, 0x07));
    g_assert_false(MATCH(0x00, 0x14, 0x00, 0x02, 0x03, 0x00));
    /* ACK: needs the acknowledged code, a known one, not ACK itself */
    g_assert_false(MATCH(0x00, 0x00, 0x00, 0x00));
    g_assert_false(MATCH(0x00, 0x00, 0x00, 0x01, 0x14));
    g_assert_false(MATCH(0x00, 0x00, 0x00, 0x02, 0x00, 0x00));
    g_assert_false(MATCH(0x00, 0x00, 0x00, 0x02, 0x12, 0x34));
    /* SHUTDOWN: uint32 action 1-4 */
    g_assert_true(MATCH(0x00, 0x3d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01));
    g_assert_false(MATCH(0x00, 0x3d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00));
    g_assert_false(MATCH(0x00, 0x3d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05));
    g_assert_false(MATCH(0x00, 0x3d, 0x00, 0x02, 0x00, 0x01));
}

static void test_send_cmd(void)
{
    uint8_t buf[4 + ARD_SEND_CMD_FIXED_LEN + 1 + 5];
    memset(buf, 0, sizeof(buf));
    buf[1] = 0x6b;
    buf[3] = (uint8_t)(sizeof(buf) - 4);
    buf[4 + ARD_SEND_CMD_FIXED_LEN] = 5;
    memcpy(buf + 4 + ARD_SEND_CMD_FIXED_LEN + 1, "uname", 5);
    g_assert_true(ard_match(buf, sizeof(buf)));
    buf[4 + ARD_SEND_CMD_FIXED_LEN] = 6; /* the command would run past the data */
    g_assert_false(ard_match(buf, sizeof(buf)));
    /* too short for the fixed part */
    g_assert_false(MATCH(0x00, 0x6b, 0x00, 0x01, 0x00));
}

static void test_header(void)
{
    ard_header_t h;
    g_assert_false(ard_parse_header(BYTES(0x00, 0x14, 0x00), 3, &h));
    g_assert_true(ard_parse_header(BYTES(0x00, 0x14, 0x00, 0x01, 0x03), 5, &h));
    g_assert_cmpuint(h.code, ==, 0x14);
    g_assert_cmpuint(h.length, ==, 1);
    g_assert_true(h.length_ok);
    g_assert_cmpuint(h.data_len, ==, 1);
    g_assert_cmpuint(h.trailer_len, ==, 0);
    /* length larger than the datagram: data is what there is */
    g_assert_true(ard_parse_header(BYTES(0x00, 0x01, 0x03, 0xea, 0x00, 0x31), 6, &h));
    g_assert_false(h.length_ok);
    g_assert_cmpuint(h.length, ==, 1002);
    g_assert_cmpuint(h.data_len, ==, 2);
    g_assert_cmpuint(h.trailer_len, ==, 0);
    /* length smaller: the rest is a trailer */
    g_assert_true(ard_parse_header(BYTES(0x00, 0x77, 0x00, 0x01, 0xaa, 0xbb, 0xcc), 7, &h));
    g_assert_false(h.length_ok);
    g_assert_cmpuint(h.data_len, ==, 1);
    g_assert_cmpuint(h.trailer_len, ==, 2);
    /* maximum length field */
    g_assert_true(ard_parse_header(BYTES(0xff, 0xff, 0xff, 0xff), 4, &h));
    g_assert_cmpuint(h.length, ==, 0xffff);
    g_assert_cmpuint(h.data_len, ==, 0);
}

static void test_codes(void)
{
    g_assert_true(ard_code_is_known(0x0000));
    g_assert_true(ard_code_is_known(0x7d00));
    g_assert_true(ard_code_is_known(0x7d01));
    g_assert_false(ard_code_is_known(0x7d02));
    g_assert_false(ard_code_is_known(0x0002));
    g_assert_cmpint(ard_code_direction(ARD_CODE_ANSWER_GET_INFO), ==, ARD_DIR_RESPONSE);
    g_assert_cmpint(ard_code_direction(ARD_CODE_PING_REPLY), ==, ARD_DIR_RESPONSE);
    g_assert_cmpint(ard_code_direction(ARD_CODE_CMD_RESULTS_2), ==, ARD_DIR_RESPONSE);
    g_assert_cmpint(ard_code_direction(ARD_CODE_GET_INFO), ==, ARD_DIR_REQUEST);
    g_assert_cmpint(ard_code_direction(ARD_CODE_PING), ==, ARD_DIR_REQUEST);
    g_assert_cmpint(ard_code_direction(ARD_CODE_ACK), ==, ARD_DIR_UNKNOWN);
    g_assert_cmpint(ard_code_direction(0x4242), ==, ARD_DIR_UNKNOWN);
    g_assert_cmpuint(ard_min_data_len(ARD_CODE_ACK), ==, 2);
    g_assert_cmpuint(ard_min_data_len(ARD_CODE_SHUTDOWN), ==, 4);
    g_assert_cmpuint(ard_min_data_len(ARD_CODE_SEND_CMD), ==, 46);
    g_assert_cmpuint(ard_min_data_len(ARD_CODE_PING), ==, 0);
}

static void test_strings(void)
{
    bool over = true;
    g_assert_cmpuint(ard_pstring_len(6, 48, &over), ==, 6);
    g_assert_false(over);
    g_assert_cmpuint(ard_pstring_len(47, 48, &over), ==, 47);
    g_assert_false(over);
    g_assert_cmpuint(ard_pstring_len(48, 48, &over), ==, 47);
    g_assert_true(over);
    g_assert_cmpuint(ard_pstring_len(255, 32, &over), ==, 31);
    g_assert_true(over);
    g_assert_cmpuint(ard_pstring_len(0, 1, &over), ==, 0);
    g_assert_false(over);
    g_assert_cmpuint(ard_pstring_len(3, 0, &over), ==, 0);
    g_assert_true(over);
    g_assert_cmpuint(ard_pstring_len(3, 32, NULL), ==, 3);

    g_assert_cmpuint(ard_utf16_name_len(9, &over), ==, 18);
    g_assert_false(over);
    g_assert_cmpuint(ard_utf16_name_len(64, &over), ==, 128);
    g_assert_false(over);
    g_assert_cmpuint(ard_utf16_name_len(65, &over), ==, 128);
    g_assert_true(over);
    g_assert_cmpuint(ard_utf16_name_len(0xffff, &over), ==, 128);
    g_assert_true(over);
}

static void test_info_layout(void)
{
    g_assert_cmpuint(ard_info_field_count, ==, 8);
    /* the layout ends where ardclient's 356-byte struct does */
    const ard_info_field_t *last = &ard_info_fields[ard_info_field_count - 1];
    g_assert_cmpuint(last->offset + last->len, ==, ARD_INFO_LAYOUT_LEN);
    g_assert_cmpuint(ARD_INFO_LAYOUT_LEN, ==, 356 + 4);
    g_assert_null(ard_info_first_missing(ARD_INFO_LAYOUT_LEN));
    g_assert_null(ard_info_first_missing(1006));
    const ard_info_field_t *m = ard_info_first_missing(0x60);
    g_assert_nonnull(m);
    g_assert_cmpstr(m->name, ==, "user");
    g_assert_cmpuint(m->offset, ==, 0x5E);
    m = ard_info_first_missing(ARD_INFO_LAYOUT_LEN - 1);
    g_assert_cmpstr(m->name, ==, "UTF-16 computer name");
    m = ard_info_first_missing(0);
    g_assert_cmpstr(m->name, ==, "unknown 0x04");
    m = ard_info_first_missing(0x2A);
    g_assert_cmpstr(m->name, ==, "focused application");
    /* fields are in order and do not overlap */
    for (size_t i = 1; i < ard_info_field_count; i++)
        g_assert_cmpuint(ard_info_fields[i - 1].offset + ard_info_fields[i - 1].len, <=,
                         ard_info_fields[i].offset);
}

static void test_amplification(void)
{
    g_assert_cmpint(ard_amp_check(5, 1006, 10), ==, ARD_AMP_RATIO);
    g_assert_cmpint(ard_amp_check(5, 49, 10), ==, ARD_AMP_NONE);
    g_assert_cmpint(ard_amp_check(5, 50, 10), ==, ARD_AMP_RATIO); /* reaches = raises */
    g_assert_cmpint(ard_amp_check(0, 1006, 10), ==, ARD_AMP_UNSOLICITED);
    g_assert_cmpint(ard_amp_check(0, 1006, 0), ==, ARD_AMP_UNSOLICITED);
    g_assert_cmpint(ard_amp_check(5, 1006, 0), ==, ARD_AMP_NONE);
    g_assert_cmpint(ard_amp_check(0, 0, 10), ==, ARD_AMP_NONE);
    g_assert_cmpint(ard_amp_check(5, 0, 10), ==, ARD_AMP_NONE);
    g_assert_cmpint(ard_amp_check(5, 1006, 202), ==, ARD_AMP_NONE);
    g_assert_cmpint(ard_amp_check(5, 1006, 201), ==, ARD_AMP_RATIO);
    /* no overflow with huge counters or thresholds */
    g_assert_cmpint(ard_amp_check(UINT64_MAX / 2, UINT64_MAX, 4294967295u), ==, ARD_AMP_NONE);
    g_assert_cmpint(ard_amp_check(1, UINT64_MAX, 4294967295u), ==, ARD_AMP_RATIO);
    g_assert_cmpfloat_with_epsilon(ard_amp_ratio(5, 1006), 201.2, 1e-9);
    g_assert_cmpfloat(ard_amp_ratio(0, 1006), ==, 0.0);
}

/* Every length of every prefix of a valid answer and of noise: no read past
 * len (ASan/valgrind would tell), and only whole-length answers match. */
static void test_adversarial_lengths(void)
{
    size_t len;
    uint8_t *a = answer(&len);
    for (size_t n = 0; n <= len; n++) {
        uint8_t *copy = g_memdup2(a, n ? n : 1);
        g_assert_cmpint(ard_match(copy, n), ==, n == len);
        g_free(copy);
    }
    GRand *rand = g_rand_new_with_seed(3283);
    unsigned matched = 0;
    for (unsigned i = 0; i < 200000; i++) {
        uint8_t buf[64];
        size_t n = 4 + g_rand_int_range(rand, 0, 60);
        for (size_t j = 0; j < n; j++)
            buf[j] = (uint8_t)g_rand_int_range(rand, 0, 256);
        if (ard_match(buf, n))
            matched++;
    }
    g_rand_free(rand);
    g_assert_cmpuint(matched, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ard/match/probes", test_probes);
    g_test_add_func("/ard/match/short-inputs", test_short_inputs);
    g_test_add_func("/ard/match/answers", test_answers);
    g_test_add_func("/ard/match/generic-rule", test_generic_rule);
    g_test_add_func("/ard/match/strict-structures", test_strict_structures);
    g_test_add_func("/ard/match/send-cmd", test_send_cmd);
    g_test_add_func("/ard/match/adversarial-lengths", test_adversarial_lengths);
    g_test_add_func("/ard/parse/header", test_header);
    g_test_add_func("/ard/parse/codes", test_codes);
    g_test_add_func("/ard/parse/strings", test_strings);
    g_test_add_func("/ard/parse/info-layout", test_info_layout);
    g_test_add_func("/ard/amplification", test_amplification);
    return g_test_run();
}
