/* test-frame-scan.c
 * The packet's own transport header, and an ICMP error's quote, found in a
 * frame's bytes whatever the link layer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "frame-scan.h"

static const uint8_t C[4] = {10, 0, 0, 5}, S[4] = {10, 0, 0, 9};

/* An IPv4 header (no options) for proto with payload bytes after it. */
static size_t ipv4(uint8_t *p, uint8_t proto, const uint8_t *src, const uint8_t *dst,
                   size_t payload)
{
    memset(p, 0, 20);
    p[0] = 0x45;
    p[2] = (uint8_t)((20 + payload) >> 8);
    p[3] = (uint8_t)(20 + payload);
    p[8] = 64;
    p[9] = proto;
    memcpy(p + 12, src, 4);
    memcpy(p + 16, dst, 4);
    return 20;
}

static size_t tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
    memset(p, 0, 20);
    p[0] = (uint8_t)(sport >> 8);
    p[1] = (uint8_t)sport;
    p[2] = (uint8_t)(dport >> 8);
    p[3] = (uint8_t)dport;
    p[12] = 5 << 4;
    p[13] = flags;
    return 20;
}

static size_t udp(uint8_t *p, uint16_t sport, uint16_t dport, size_t payload)
{
    p[0] = (uint8_t)(sport >> 8);
    p[1] = (uint8_t)sport;
    p[2] = (uint8_t)(dport >> 8);
    p[3] = (uint8_t)dport;
    p[4] = (uint8_t)((8 + payload) >> 8);
    p[5] = (uint8_t)(8 + payload);
    p[6] = p[7] = 0;
    return 8;
}

/* Ethernet, raw IP, and an 8-byte link header no table knows: the same
 * answer, at the right offsets; Ethernet padding is not payload. */
static void test_tcp_on_any_link(void)
{
    const size_t links[] = {14, 0, 8};
    for (size_t i = 0; i < G_N_ELEMENTS(links); i++) {
        uint8_t f[128];
        memset(f, 0xAA, sizeof f);
        size_t o = links[i];
        o += ipv4(f + o, AL_IPPROTO_TCP, C, S, 20 + 5);
        size_t t = o;
        o += tcp(f + o, 40000, 625, AL_TCP_SYN | AL_TCP_ACK);
        memcpy(f + o, "hello", 5);
        o += 5 + 6; /* padding */
        al_transport_hdr_t h;
        g_assert_true(al_find_transport(f, o, 4, C, S, AL_IPPROTO_TCP, 40000, 625, NULL, &h));
        g_assert_cmpuint(h.transport_offset, ==, t);
        g_assert_cmpuint(h.payload_offset, ==, t + 20);
        g_assert_cmpuint(h.payload_length, ==, 5);
        g_assert_cmpuint(h.tcp_flags, ==, AL_TCP_SYN | AL_TCP_ACK);
        /* the other direction, other ports, other protocol: not this packet */
        g_assert_false(al_find_transport(f, o, 4, S, C, AL_IPPROTO_TCP, 40000, 625, NULL, &h));
        g_assert_false(al_find_transport(f, o, 4, C, S, AL_IPPROTO_TCP, 40000, 626, NULL, &h));
        g_assert_false(al_find_transport(f, o, 4, C, S, AL_IPPROTO_UDP, 40000, 625, NULL, &h));
        /* cut short: never a read past the end */
        for (size_t cut = 0; cut < t + 20; cut++)
            g_assert_false(
                al_find_transport(f, cut, 4, C, S, AL_IPPROTO_TCP, 40000, 625, NULL, &h));
        /* the fast path: the flags where the IP header is, nothing elsewhere */
        g_assert_cmpint(al_tcp_flags_at(f, o, links[i], 4, C, S, 40000, 625), ==,
                        AL_TCP_SYN | AL_TCP_ACK);
        g_assert_cmpint(al_tcp_flags_at(f, o, links[i] + 1, 4, C, S, 40000, 625), ==, -1);
        g_assert_cmpint(al_tcp_flags_at(f, o, links[i], 4, S, C, 40000, 625), ==, -1);
        g_assert_cmpint(al_tcp_flags_at(f, o, links[i], 4, C, S, 40000, 626), ==, -1);
        for (size_t cut = 0; cut < t + 20; cut++)
            g_assert_cmpint(al_tcp_flags_at(f, cut, links[i], 4, C, S, 40000, 625), ==, -1);
        /* the hint: tried first, set to where the header was found */
        size_t hint = 3;
        g_assert_true(al_find_transport(f, o, 4, C, S, AL_IPPROTO_TCP, 40000, 625, &hint, &h));
        g_assert_cmpuint(hint, ==, links[i]);
    }
}

static void test_udp_payload_as_stated(void)
{
    uint8_t f[96] = {0};
    size_t o = 14;
    o += ipv4(f + o, AL_IPPROTO_UDP, C, S, 8 + 3);
    o += udp(f + o, 40000, 626, 3);
    memcpy(f + o, "abc", 3);
    al_transport_hdr_t h;
    g_assert_true(al_find_transport(f, 60, 4, C, S, AL_IPPROTO_UDP, 40000, 626, NULL, &h));
    g_assert_cmpuint(h.payload_offset, ==, 42);
    g_assert_cmpuint(h.payload_length, ==, 3);
    g_assert_cmpuint(h.tcp_flags, ==, 0);
}

/* A later IP fragment holds no transport header. */
static void test_later_fragment(void)
{
    uint8_t f[96] = {0};
    ipv4(f + 14, AL_IPPROTO_UDP, C, S, 8);
    f[14 + 7] = 8; /* fragment offset 64 */
    udp(f + 34, 40000, 626, 0);
    al_transport_hdr_t h;
    g_assert_false(al_find_transport(f, 42, 4, C, S, AL_IPPROTO_UDP, 40000, 626, NULL, &h));
}

/* The quote of an ICMP port unreachable from the target; the outer header's
 * addresses are the reverse, its protocol ICMP. */
static void test_icmp_quote(void)
{
    uint8_t f[128] = {0};
    size_t o = 14;
    o += ipv4(f + o, 1, S, C, 8 + 28);
    f[o] = 3; /* destination unreachable, port */
    f[o + 1] = 3;
    o += 8;
    o += ipv4(f + o, AL_IPPROTO_UDP, C, S, 8);
    o += udp(f + o, 40000, 626, 0);
    al_icmp_quote_t q;
    g_assert_true(al_find_icmp_quote(f, o, AL_IPPROTO_UDP, 40000, 626, &q));
    g_assert_cmpuint(q.addr_len, ==, 4);
    g_assert_cmpmem(q.src, 4, C, 4);
    g_assert_cmpmem(q.dst, 4, S, 4);
    g_assert_true(q.unreachable);
    g_assert_cmpuint(q.code, ==, 3);
    /* time exceeded quotes too, but does not reject */
    f[14 + 20] = 11;
    g_assert_true(al_find_icmp_quote(f, o, AL_IPPROTO_UDP, 40000, 626, &q));
    g_assert_false(q.unreachable);
    /* an echo reply is no error */
    f[14 + 20] = 0;
    g_assert_false(al_find_icmp_quote(f, o, AL_IPPROTO_UDP, 40000, 626, &q));
    for (size_t cut = 0; cut < o; cut++)
        al_find_icmp_quote(f, cut, AL_IPPROTO_UDP, 40000, 626, &q);
    /* whatever the ports (4.4 and later restore the ICMP packet's own) */
    f[14 + 20] = 3;
    memset(&q, 0, sizeof q);
    g_assert_true(al_find_any_icmp_quote(f, o, &q));
    g_assert_cmpuint(q.ipproto, ==, AL_IPPROTO_UDP);
    g_assert_cmpuint(q.sport, ==, 40000);
    g_assert_cmpuint(q.dport, ==, 626);
    g_assert_cmpmem(q.dst, 4, S, 4);
    f[14 + 20] = 8; /* an echo request quotes nothing */
    g_assert_false(al_find_any_icmp_quote(f, o, &q));
    for (size_t cut = 0; cut < o; cut++)
        g_assert_false(al_find_any_icmp_quote(f, cut, &q));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/frame-scan/tcp-on-any-link", test_tcp_on_any_link);
    g_test_add_func("/frame-scan/udp-payload-as-stated", test_udp_payload_as_stated);
    g_test_add_func("/frame-scan/later-fragment", test_later_fragment);
    g_test_add_func("/frame-scan/icmp-quote", test_icmp_quote);
    return g_test_run();
}
