/* test-netinfo-parse.c
 * netinfo_match() and the RPC call header reader of netinfo-parse.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "netinfo-parse.h"

/* An RPC call: xid, CALL, rpcvers 2, prog, vers, proc, AUTH_NULL cred and
 * verifier (flavor 0, length 0). 40 bytes. */
static size_t build_call(uint8_t *out, uint32_t prog, uint32_t vers, uint32_t proc)
{
    const uint32_t words[10] = {0x12345678, 0, 2, prog, vers, proc, 0, 0, 0, 0};
    for (size_t i = 0; i < 10; i++) {
        out[4 * i] = (uint8_t)(words[i] >> 24);
        out[4 * i + 1] = (uint8_t)(words[i] >> 16);
        out[4 * i + 2] = (uint8_t)(words[i] >> 8);
        out[4 * i + 3] = (uint8_t)words[i];
    }
    return 40;
}

/* The same call behind a TCP record mark (last fragment, length 40). */
static size_t build_tcp_call(uint8_t *out, uint32_t prog)
{
    out[0] = 0x80;
    out[1] = 0;
    out[2] = 0;
    out[3] = 40;
    return 4 + build_call(out + 4, prog, 2, 0);
}

static void test_programs(void)
{
    g_assert_true(netinfo_is_program(200100000));
    g_assert_true(netinfo_is_program(200100001));
    g_assert_false(netinfo_is_program(200100002));
    g_assert_false(netinfo_is_program(100003)); /* NFS */
    g_assert_false(netinfo_is_program(0));
}

static void test_parse_call(void)
{
    uint8_t buf[40];
    netinfo_call_t call;

    build_call(buf, 200100000, 2, 28);
    g_assert_true(netinfo_parse_call(buf, 24, &call));
    g_assert_cmphex(call.xid, ==, 0x12345678);
    g_assert_cmpuint(call.program, ==, 200100000);
    g_assert_cmpuint(call.version, ==, 2);
    g_assert_cmpuint(call.procedure, ==, 28);
    g_assert_false(netinfo_parse_call(buf, 23, &call));
    g_assert_false(netinfo_parse_call(NULL, 40, &call));

    buf[7] = 1; /* REPLY */
    g_assert_false(netinfo_parse_call(buf, 40, &call));
    buf[7] = 0;
    buf[11] = 3; /* rpcvers 3 */
    g_assert_false(netinfo_parse_call(buf, 40, &call));
}

static void test_match_udp(void)
{
    uint8_t buf[40];

    build_call(buf, 200100000, 2, 0);
    g_assert_true(netinfo_match_udp(buf, 40));
    g_assert_true(netinfo_match(buf, 40));
    g_assert_false(netinfo_match_udp(buf, 39)); /* shorter than any call */
    g_assert_false(netinfo_match_tcp(buf, 40)); /* xid is no record mark for this call */

    build_call(buf, 200100001, 1, 3);
    g_assert_true(netinfo_match_udp(buf, 40));

    build_call(buf, 100003, 3, 0); /* NFS */
    g_assert_false(netinfo_match_udp(buf, 40));
    g_assert_false(netinfo_match(buf, 40));
}

static void test_match_udp_rejects_replies(void)
{
    uint8_t buf[40];

    build_call(buf, 200100000, 2, 0);
    buf[7] = 1; /* msg_type REPLY */
    g_assert_false(netinfo_match_udp(buf, 40));
}

static void test_match_tcp(void)
{
    uint8_t buf[44];

    build_tcp_call(buf, 200100000);
    g_assert_true(netinfo_match_tcp(buf, 44));
    g_assert_true(netinfo_match(buf, 44));
    g_assert_true(netinfo_match_tcp(buf, 28)); /* mark + header are enough */
    g_assert_false(netinfo_match_tcp(buf, 27));
    g_assert_false(netinfo_match_udp(buf, 44)); /* offset 12 is rpcvers, not prog */

    buf[0] = 0x00; /* not the last fragment: still a record */
    g_assert_true(netinfo_match_tcp(buf, 44));
    buf[3] = 39; /* a fragment too short for a call */
    g_assert_false(netinfo_match_tcp(buf, 44));

    build_tcp_call(buf, 200100001);
    g_assert_true(netinfo_match_tcp(buf, 44));
    build_tcp_call(buf, 100000); /* portmapper */
    g_assert_false(netinfo_match_tcp(buf, 44));
}

static void test_other_traffic(void)
{
    static const char http[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n\r\n";
    uint8_t tls[64] = {0x16, 0x03, 0x01, 0x00, 0x3b, 0x01};
    uint8_t zeros[64] = {0};

    g_assert_false(netinfo_match((const uint8_t *)http, sizeof(http) - 1));
    g_assert_false(netinfo_match(tls, sizeof(tls)));
    g_assert_false(netinfo_match(zeros, sizeof(zeros)));
    g_assert_false(netinfo_match(NULL, 64));
    g_assert_false(netinfo_match(zeros, 0));
}

static void test_every_length_on_heap(void)
{
    /* Each prefix is its own heap block: a read past len shows under ASan. */
    uint8_t buf[44];
    build_tcp_call(buf, 200100000);
    for (size_t len = 0; len <= sizeof(buf); len++) {
        uint8_t *copy = g_memdup2(buf, len ? len : 1);
        g_assert_true(netinfo_match(copy, len) == (len >= 28));
        g_free(copy);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/netinfo/programs", test_programs);
    g_test_add_func("/netinfo/parse-call", test_parse_call);
    g_test_add_func("/netinfo/match-udp", test_match_udp);
    g_test_add_func("/netinfo/match-udp-rejects-replies", test_match_udp_rejects_replies);
    g_test_add_func("/netinfo/match-tcp", test_match_tcp);
    g_test_add_func("/netinfo/other-traffic", test_other_traffic);
    g_test_add_func("/netinfo/every-length-on-heap", test_every_length_on_heap);
    return g_test_run();
}
