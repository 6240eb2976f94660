/* test-dsproxy-parse.c
 * dsproxy_match() and the DSPX header parser and negotiation state of
 * plugins/dsproxy/dsproxy-parse.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "dsproxy-parse.h"

/* "DSPX" | len | "DHN2" | 64-byte key, as in the demo capture's frame 54. */
static size_t client_hello(uint8_t *buf, size_t pad)
{
    size_t n = pad;
    memset(buf, 0, pad);
    memcpy(buf + n,
           "DSPX\x00\x00\x00\x44"
           "DHN2",
           12);
    n += 12;
    for (int i = 0; i < 64; i++)
        buf[n++] = (uint8_t)(0x40 + i);
    return n;
}

static void test_match_client_hello(void)
{
    uint8_t buf[128];
    size_t n = client_hello(buf, 0);

    g_assert_cmpuint(n, ==, 76);
    g_assert_true(dsproxy_match(buf, n));
    g_assert_true(dsproxy_match_auth(buf, n));
    /* the header alone is enough for the plain match */
    g_assert_true(dsproxy_match(buf, 8));
    g_assert_false(dsproxy_match_auth(buf, 8));
    g_assert_false(dsproxy_match_auth(buf, 11));
    g_assert_true(dsproxy_match_auth(buf, 12));
}

static void test_match_server_messages(void)
{
    static const uint8_t key[] = {'D', 'S', 'P', 'X', 0, 0, 0, 0x40, 0x45, 0xc3};
    static const uint8_t block[] = {'D', 'S', 'P', 'X', 0, 0, 0, 0x10, 0x26, 0x6c};

    g_assert_true(dsproxy_match(key, sizeof key));
    g_assert_false(dsproxy_match_auth(key, sizeof key));
    g_assert_true(dsproxy_match(block, sizeof block));
}

static void test_match_padding(void)
{
    uint8_t buf[160];
    size_t n = client_hello(buf, 5);

    g_assert_true(dsproxy_match(buf, n));
    g_assert_true(dsproxy_match_auth(buf, n));
    g_assert_cmpuint(dsproxy_padding(buf, n), ==, 5);
    /* padding, then only part of the header */
    g_assert_false(dsproxy_match(buf, 5 + 7));
    g_assert_true(dsproxy_match(buf, 5 + 8));
}

static void test_match_lengths(void)
{
    uint8_t m[] = {'D', 'S', 'P', 'X', 0, 0, 0, 0};

    g_assert_false(dsproxy_match(m, sizeof m)); /* 0 < 4 */
    m[7] = 3;
    g_assert_false(dsproxy_match(m, sizeof m));
    m[7] = 4;
    g_assert_true(dsproxy_match(m, sizeof m));
    /* 16 MiB exactly is accepted, one more is not */
    m[4] = 0x01, m[5] = 0x00, m[6] = 0x00, m[7] = 0x00;
    g_assert_true(dsproxy_match(m, sizeof m));
    m[7] = 0x01;
    g_assert_false(dsproxy_match(m, sizeof m));
    m[4] = m[5] = m[6] = m[7] = 0xff;
    g_assert_false(dsproxy_match(m, sizeof m));
}

static void test_match_rejects_others(void)
{
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03};
    static const char http[] = "GET / HTTP/1.1\r\n";
    static const uint8_t zeros[64] = {0};
    static const uint8_t lower[] = {'d', 's', 'p', 'x', 0, 0, 0, 0x10};
    static const uint8_t acpp[] = {'a', 'c', 'p', 'p', 0, 3, 0, 1};

    g_assert_false(dsproxy_match(tls, sizeof tls));
    g_assert_false(dsproxy_match((const uint8_t *)http, strlen(http)));
    g_assert_false(dsproxy_match(zeros, sizeof zeros));
    g_assert_false(dsproxy_match(lower, sizeof lower));
    g_assert_false(dsproxy_match(acpp, sizeof acpp));
    g_assert_false(dsproxy_match((const uint8_t *)"DSPX", 4));
    g_assert_false(dsproxy_match((const uint8_t *)"", 0));
    g_assert_false(dsproxy_match(NULL, 0));
    g_assert_false(dsproxy_match_auth(NULL, 0));
}

/* Every prefix of a message, copied to a buffer of exactly that size (so
 * that ASan/valgrind would catch a read past len). */
static void test_match_never_reads_past_len(void)
{
    uint8_t buf[160];
    size_t n = client_hello(buf, 3);

    for (size_t len = 0; len <= n; len++) {
        uint8_t *copy = g_memdup2(buf, len);
        dsproxy_header_t h;
        bool want = len >= 3 + 8;
        g_assert_cmpint(dsproxy_match(copy, len), ==, want);
        g_assert_cmpint(dsproxy_match_auth(copy, len), ==, len >= 3 + 12);
        dsproxy_header_status_t st = dsproxy_parse_header(copy, len, &h);
        g_assert_cmpint(st, ==, want ? DSPX_HEADER_OK : DSPX_HEADER_SHORT);
        g_free(copy);
    }
}

static void test_parse_header(void)
{
    static const uint8_t ok[] = {0, 0, 'D', 'S', 'P', 'X', 0, 0, 0x01, 0x00, 'x'};
    static const uint8_t bad_len[] = {'D', 'S', 'P', 'X', 0x7f, 0xff, 0xff, 0xff};
    static const uint8_t bad_tag[] = {0, 'D', 'S', 'P', 'Y', 0, 0, 0, 4};
    static const uint8_t bad_prefix[] = {0, 0, 'D', 'X'};
    static const uint8_t short_prefix[] = {0, 0, 'D', 'S', 'P'};
    dsproxy_header_t h;

    g_assert_cmpint(dsproxy_parse_header(ok, sizeof ok, &h), ==, DSPX_HEADER_OK);
    g_assert_cmpuint(h.padding, ==, 2);
    g_assert_cmpuint(h.length, ==, 256);
    g_assert_cmpuint(dsproxy_message_size(&h), ==, 2 + 8 + 256);

    g_assert_cmpint(dsproxy_parse_header(bad_len, sizeof bad_len, &h), ==, DSPX_HEADER_BAD_LENGTH);
    g_assert_cmpuint(h.padding, ==, 0);
    g_assert_cmpuint(h.length, ==, 0x7fffffffu);

    g_assert_cmpint(dsproxy_parse_header(bad_tag, sizeof bad_tag, &h), ==, DSPX_HEADER_BAD_TAG);
    g_assert_cmpuint(h.padding, ==, 1);
    g_assert_cmpint(dsproxy_parse_header(bad_prefix, sizeof bad_prefix, &h), ==,
                    DSPX_HEADER_BAD_TAG);
    g_assert_cmpint(dsproxy_parse_header(short_prefix, sizeof short_prefix, &h), ==,
                    DSPX_HEADER_SHORT);
    g_assert_cmpuint(h.padding, ==, 2);
    /* nothing but padding: still waiting for a tag */
    g_assert_cmpint(dsproxy_parse_header(ok, 2, &h), ==, DSPX_HEADER_SHORT);
    g_assert_cmpuint(h.padding, ==, 2);
    g_assert_cmpint(dsproxy_parse_header(NULL, 0, &h), ==, DSPX_HEADER_SHORT);
}

static void test_auth_tag(void)
{
    g_assert_true(dsproxy_payload_has_auth_tag((const uint8_t *)"DHN2", 4));
    g_assert_true(dsproxy_payload_has_auth_tag((const uint8_t *)"DHN2\x01", 5));
    g_assert_false(dsproxy_payload_has_auth_tag((const uint8_t *)"DHN2", 3));
    g_assert_false(dsproxy_payload_has_auth_tag((const uint8_t *)"DHN1", 4));
    g_assert_false(dsproxy_payload_has_auth_tag(NULL, 0));
}

static void test_session_full_negotiation(void)
{
    dsproxy_session_t s = {0};

    g_assert_cmpint(dsproxy_session_next(&s, 0, true), ==, DSPX_STAGE_CLIENT_PUBLIC);
    g_assert_cmpint(dsproxy_session_next(&s, 1, false), ==, DSPX_STAGE_SERVER_PUBLIC);
    g_assert_cmpint(dsproxy_session_next(&s, 0, false), ==, DSPX_STAGE_CHALLENGE);
    g_assert_cmpint(dsproxy_session_next(&s, 1, false), ==, DSPX_STAGE_CHALLENGE_RESPONSE);
    g_assert_cmpint(dsproxy_session_next(&s, 0, false), ==, DSPX_STAGE_ENCRYPTED);
    g_assert_cmpint(dsproxy_session_next(&s, 1, false), ==, DSPX_STAGE_ENCRYPTED);
    /* a later "DHN2" is only encrypted bytes that happen to look like it */
    g_assert_cmpint(dsproxy_session_next(&s, 0, true), ==, DSPX_STAGE_ENCRYPTED);
    g_assert_cmpint(s.role[0], ==, DSPX_ROLE_CLIENT);
    g_assert_cmpint(s.role[1], ==, DSPX_ROLE_SERVER);
}

static void test_session_midstream(void)
{
    dsproxy_session_t s = {0};

    /* the capture starts after the negotiation */
    g_assert_cmpint(dsproxy_session_next(&s, 0, false), ==, DSPX_STAGE_ENCRYPTED);
    g_assert_cmpint(dsproxy_session_next(&s, 1, false), ==, DSPX_STAGE_ENCRYPTED);
    g_assert_cmpint(dsproxy_session_next(&s, 0, false), ==, DSPX_STAGE_ENCRYPTED);
    g_assert_cmpint(s.role[0], ==, DSPX_ROLE_MIDSTREAM);
    g_assert_cmpint(s.role[1], ==, DSPX_ROLE_MIDSTREAM);
}

static void test_session_two_messages_one_direction(void)
{
    dsproxy_session_t s = {0};

    /* the client's key and challenge before the server's key is seen */
    g_assert_cmpint(dsproxy_session_next(&s, 1, true), ==, DSPX_STAGE_CLIENT_PUBLIC);
    g_assert_cmpint(dsproxy_session_next(&s, 1, false), ==, DSPX_STAGE_CHALLENGE);
    g_assert_cmpint(dsproxy_session_next(&s, 0, false), ==, DSPX_STAGE_SERVER_PUBLIC);
    g_assert_cmpint(dsproxy_session_next(&s, 0, false), ==, DSPX_STAGE_CHALLENGE_RESPONSE);
    /* out-of-range directions fold onto 0/1 */
    g_assert_cmpint(dsproxy_session_next(&s, 2, false), ==, DSPX_STAGE_ENCRYPTED);
}

static void test_session_counter_saturates(void)
{
    dsproxy_session_t s = {0};

    s.role[0] = DSPX_ROLE_CLIENT;
    s.count[0] = UINT32_MAX;
    g_assert_cmpint(dsproxy_session_next(&s, 0, false), ==, DSPX_STAGE_ENCRYPTED);
    g_assert_cmpuint(s.count[0], ==, UINT32_MAX);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dsproxy/match/client-hello", test_match_client_hello);
    g_test_add_func("/dsproxy/match/server-messages", test_match_server_messages);
    g_test_add_func("/dsproxy/match/padding", test_match_padding);
    g_test_add_func("/dsproxy/match/lengths", test_match_lengths);
    g_test_add_func("/dsproxy/match/rejects-others", test_match_rejects_others);
    g_test_add_func("/dsproxy/match/never-reads-past-len", test_match_never_reads_past_len);
    g_test_add_func("/dsproxy/parse/header", test_parse_header);
    g_test_add_func("/dsproxy/parse/auth-tag", test_auth_tag);
    g_test_add_func("/dsproxy/session/full-negotiation", test_session_full_negotiation);
    g_test_add_func("/dsproxy/session/midstream", test_session_midstream);
    g_test_add_func("/dsproxy/session/one-direction-first",
                    test_session_two_messages_one_direction);
    g_test_add_func("/dsproxy/session/counter-saturates", test_session_counter_saturates);
    return g_test_run();
}
