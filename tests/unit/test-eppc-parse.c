/* test-eppc-parse.c
 * eppc_match() and the opening, target request and reply parsers of
 * plugins/eppc/eppc-parse.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "eppc-parse.h"

static const uint8_t opening[] = {'P', 'P', 'C', 'T', 0, 0, 0, 1, 0, 0, 0, 1};

/* nmap's target request for name, as eppc-enum-processes.nse builds it. */
static size_t build_request(uint8_t *buf, const char *name)
{
    size_t n = strlen(name), off = 0;

    memcpy(buf, eppc_request_prefix, EPPC_REQUEST_PREFIX_SIZE);
    off += EPPC_REQUEST_PREFIX_SIZE;
    buf[off++] = (uint8_t)(0xe1 + n);
    buf[off++] = (uint8_t)n;
    memcpy(buf + off, name, n);
    off += n;
    memcpy(buf + off, eppc_request_suffix, EPPC_REQUEST_SUFFIX_SIZE);
    return off + EPPC_REQUEST_SUFFIX_SIZE;
}

static void test_match_opening(void)
{
    g_assert_true(eppc_match(opening, sizeof opening));
    g_assert_true(eppc_match(opening, 8));
    /* shorter than 8: what there is must agree */
    g_assert_true(eppc_match(opening, 4));
    g_assert_true(eppc_match(opening, 7));
    g_assert_false(eppc_match(opening, 3)); /* "PPC" */
    g_assert_false(eppc_match(opening, 0));
    g_assert_false(eppc_match(NULL, 0));
}

static void test_match_rejects(void)
{
    static const uint8_t v2[] = {'P', 'P', 'C', 'T', 0, 0, 0, 2, 0, 0, 0, 1};
    static const uint8_t lower[] = {'p', 'p', 'c', 't', 0, 0, 0, 1, 0, 0, 0, 1};
    static const uint8_t partial_bad[] = {'P', 'P', 'C', 'T', 1};
    static const uint8_t dspx[] = {'D', 'S', 'P', 'X', 0, 0, 0, 0x44};
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00};
    static const char reply[] = "uid=501&pid=1234";
    uint8_t req[64];
    size_t n = build_request(req, "Finder");

    g_assert_false(eppc_match(v2, sizeof v2));
    g_assert_false(eppc_match(lower, sizeof lower));
    g_assert_false(eppc_match(partial_bad, sizeof partial_bad));
    g_assert_false(eppc_match(dspx, sizeof dspx));
    g_assert_false(eppc_match(tls, sizeof tls));
    g_assert_false(eppc_match((const uint8_t *)reply, strlen(reply)));
    g_assert_false(eppc_match(req, n)); /* the second send alone is not a signature */
}

/* Every prefix, in a buffer of exactly that size (so that ASan/valgrind
 * would catch a read past len). */
static void test_never_reads_past_len(void)
{
    uint8_t buf[64];
    size_t n = build_request(buf, "Finder");
    eppc_request_t req;
    eppc_process_t proc;
    eppc_opening_t op;

    for (size_t len = 0; len <= n; len++) {
        uint8_t *copy = g_memdup2(buf, len);
        g_assert_cmpint(eppc_parse_request(copy, len, &req), ==, len >= 16);
        g_assert_false(eppc_match(copy, len));
        g_assert_false(eppc_find_process(copy, len, &proc));
        g_free(copy);
    }
    for (size_t len = 0; len <= sizeof opening; len++) {
        uint8_t *copy = g_memdup2(opening, len);
        g_assert_cmpint(eppc_match(copy, len), ==, len >= 4);
        g_assert_cmpint(eppc_parse_opening(copy, len, &op), ==, len == 12);
        g_free(copy);
    }
    static const char reply[] = "xxuid=501&pid=1234";
    for (size_t len = 0; len <= strlen(reply); len++) {
        uint8_t *copy = g_memdup2(reply, len);
        bool found = eppc_find_process(copy, len, &proc);
        g_assert_cmpint(found, ==, len >= 15);
        if (found) /* a pid cut short by the end of the bytes still counts */
            g_assert_cmpuint(proc.pid, ==, len == 15 ? 1 : len == 16 ? 12 : len == 17 ? 123 : 1234);
        g_free(copy);
    }
}

static void test_parse_opening(void)
{
    static const uint8_t other[] = {'P', 'P', 'C', 'T', 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7, 9};
    eppc_opening_t op;

    g_assert_true(eppc_parse_opening(opening, sizeof opening, &op));
    g_assert_cmpuint(op.unknown1, ==, 1);
    g_assert_cmpuint(op.unknown2, ==, 1);
    /* any values are shown, whatever they mean */
    g_assert_true(eppc_parse_opening(other, sizeof other, &op));
    g_assert_cmpuint(op.unknown1, ==, 0xdeadbeefu);
    g_assert_cmpuint(op.unknown2, ==, 7);
    g_assert_false(eppc_parse_opening(opening, 11, &op));
    g_assert_true(eppc_has_magic(opening, 4));
    g_assert_false(eppc_has_magic(opening, 3));
}

static void test_parse_request(void)
{
    uint8_t buf[128];
    size_t n = build_request(buf, "Finder");
    eppc_request_t req;

    g_assert_cmpuint(n, ==, 8 + 1 + 1 + 6 + 12);
    g_assert_true(eppc_parse_request(buf, n, &req));
    g_assert_cmpuint(req.marker, ==, 0xe7);
    g_assert_cmpuint(req.name_len, ==, 6);
    g_assert_cmpuint(req.name_off, ==, 10);
    g_assert_cmpuint(req.name_end, ==, 16);
    g_assert_true(req.has_suffix);
    g_assert_cmpuint(req.end, ==, n);
    g_assert_cmpmem(buf + req.name_off, req.name_len, "Finder", 6);
    g_assert_true(eppc_request_marker_matches(&req));

    /* without the suffix, or with a different one */
    g_assert_true(eppc_parse_request(buf, n - 1, &req));
    g_assert_false(req.has_suffix);
    g_assert_cmpuint(req.end, ==, 16);
    buf[n - 3] = 0xdd;
    g_assert_true(eppc_parse_request(buf, n, &req));
    g_assert_false(req.has_suffix);

    /* a marker that does not agree with the length is still parsed */
    buf[8] = 0xe1;
    g_assert_true(eppc_parse_request(buf, n, &req));
    g_assert_false(eppc_request_marker_matches(&req));

    /* a different prefix is not a request */
    n = build_request(buf, "Finder");
    buf[1] = 0x4d;
    g_assert_false(eppc_parse_request(buf, n, &req));
}

static void test_parse_request_lengths(void)
{
    uint8_t buf[300];
    size_t n = build_request(buf, "");
    eppc_request_t req;

    g_assert_true(eppc_parse_request(buf, n, &req));
    g_assert_cmpuint(req.name_len, ==, 0);
    g_assert_true(req.has_suffix);

    /* a Pascal length past the end of the bytes */
    n = build_request(buf, "VLC media player");
    buf[9] = 0xff;
    g_assert_false(eppc_parse_request(buf, n, &req));
    memset(buf + n, 'x', sizeof buf - n);
    g_assert_true(eppc_parse_request(buf, 10 + 255, &req));
    g_assert_cmpuint(req.name_end, ==, 265);
    g_assert_false(req.has_suffix);
}

static void test_find_process(void)
{
    static const char reply[] = "\x01\x02garbage uid=501&pid=1234\x00tail";
    size_t len = sizeof reply - 1;
    eppc_process_t p;

    g_assert_true(eppc_find_process((const uint8_t *)reply, len, &p));
    g_assert_cmpuint(p.uid, ==, 501);
    g_assert_cmpuint(p.pid, ==, 1234);
    g_assert_cmpuint(p.start, ==, 10);
    g_assert_cmpuint(p.uid_off, ==, 14);
    g_assert_cmpuint(p.uid_len, ==, 3);
    g_assert_cmpuint(p.pid_off, ==, 22);
    g_assert_cmpuint(p.pid_len, ==, 4);
    g_assert_cmpuint(p.end, ==, 26);
}

static void test_find_process_edge_cases(void)
{
    eppc_process_t p;
#define FIND(s) eppc_find_process((const uint8_t *)(s), strlen(s), &p)

    g_assert_false(FIND(""));
    g_assert_false(FIND("uid="));
    g_assert_false(FIND("uid=&pid=1"));
    g_assert_false(FIND("uid=1&pid="));
    g_assert_false(FIND("uid=1&pid"));
    g_assert_false(FIND("uid=1 &pid=2"));
    g_assert_false(FIND("UID=1&PID=2"));
    /* 32-bit limits */
    g_assert_true(FIND("uid=4294967295&pid=0"));
    g_assert_cmpuint(p.uid, ==, 4294967295u);
    g_assert_cmpuint(p.pid, ==, 0);
    g_assert_false(FIND("uid=4294967296&pid=1"));
    g_assert_false(FIND("uid=12345678901&pid=1"));
    g_assert_false(FIND("uid=1&pid=99999999999999999999"));
    /* the first well-formed one wins; bad ones before it are skipped */
    g_assert_true(FIND("uid=x uid=99999999999&pid=1 uid=7&pid=8 uid=9&pid=10"));
    g_assert_cmpuint(p.uid, ==, 7);
    g_assert_cmpuint(p.pid, ==, 8);
    /* "uuid=" still holds "uid=" */
    g_assert_true(FIND("uuid=3&pid=4"));
    g_assert_cmpuint(p.start, ==, 1);
#undef FIND
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/eppc/match/opening", test_match_opening);
    g_test_add_func("/eppc/match/rejects", test_match_rejects);
    g_test_add_func("/eppc/never-reads-past-len", test_never_reads_past_len);
    g_test_add_func("/eppc/parse/opening", test_parse_opening);
    g_test_add_func("/eppc/parse/request", test_parse_request);
    g_test_add_func("/eppc/parse/request-lengths", test_parse_request_lengths);
    g_test_add_func("/eppc/reply/find-process", test_find_process);
    g_test_add_func("/eppc/reply/edge-cases", test_find_process_edge_cases);
    return g_test_run();
}
