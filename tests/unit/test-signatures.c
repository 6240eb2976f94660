/* test-signatures.c
 * The port sniffer's payload signatures (signatures.c): each matches its protocol,
 * rejects the others and never reads beyond the length it is given.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "signatures.h"

#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static const uint8_t tls_hello[] = {0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00};
static const uint8_t rpc_call_udp[] = {0,    0,    0,    1,    0, 0, 0, 0, 0, 0, 0, 2,
                                       0x0b, 0xed, 0x5b, 0xa0, 0, 0, 0, 2, 0, 0, 0, 0};
static const uint8_t rpc_call_tcp[] = {0x80, 0, 0,    24,   0,    0,    0, 1, 0, 0, 0, 0, 0, 0,
                                       0,    2, 0x0b, 0xed, 0x5b, 0xa0, 0, 0, 0, 2, 0, 0, 0, 0};
static const uint8_t smb2[] = {0x00, 0x00, 0x00, 0x40, 0xfe, 'S', 'M', 'B'};
static const uint8_t socks5[] = {0x05, 0x02, 0x00, 0x02};

static const char *name_of(const uint8_t *d, size_t len, al_transport_t t)
{
    const al_signature_t *sig = al_sniff(d, len, t);
    return sig ? sig->name : "unknown";
}

static void test_generic_protocols(void)
{
    g_assert_cmpstr(name_of(tls_hello, sizeof(tls_hello), AL_TRANSPORT_TCP), ==, "tls");
    g_assert_cmpstr(name_of(B("SSH-2.0-OpenSSH_9.2\r\n"), AL_TRANSPORT_TCP), ==, "ssh");
    g_assert_cmpstr(name_of(B("GET / HTTP/1.1\r\n"), AL_TRANSPORT_TCP), ==, "http");
    g_assert_cmpstr(name_of(B("HTTP/1.1 200 OK\r\n"), AL_TRANSPORT_TCP), ==, "http");
    g_assert_cmpstr(name_of(B("RFB 003.889\n"), AL_TRANSPORT_TCP), ==, "vnc");
    g_assert_cmpstr(name_of(B("<stream:stream xmlns='jabber:client'>"), AL_TRANSPORT_TCP), ==,
                    "xmpp");
    g_assert_cmpstr(name_of(B("<?xml version='1.0'?><stream:stream to='x'>"), AL_TRANSPORT_TCP), ==,
                    "xmpp");
    g_assert_cmpstr(
        name_of(B("RPY 0 0 . 0 110\r\nContent-Type: application/beep+xml\r\n"), AL_TRANSPORT_TCP),
        ==, "beep");
    g_assert_cmpstr(name_of(rpc_call_udp, sizeof(rpc_call_udp), AL_TRANSPORT_UDP), ==, "rpc");
    g_assert_cmpstr(name_of(rpc_call_tcp, sizeof(rpc_call_tcp), AL_TRANSPORT_TCP), ==, "rpc");
    g_assert_cmpstr(name_of(smb2, sizeof(smb2), AL_TRANSPORT_TCP), ==, "smb");
    g_assert_cmpstr(name_of(socks5, sizeof(socks5), AL_TRANSPORT_TCP), ==, "socks");
}

static void test_rejects(void)
{
    /* an XML document that is not an XMPP stream, a plain-text line, TLS
     * with a bad version, TCP-only protocols over UDP, SOCKS5 with trailing
     * bytes, an RPC call with rpcvers 3 */
    g_assert_cmpstr(name_of(B("<?xml version='1.0'?><plist version='0.9'>"), AL_TRANSPORT_TCP), ==,
                    "unknown");
    g_assert_cmpstr(name_of(B("hello world\r\n"), AL_TRANSPORT_TCP), ==, "unknown");
    static const uint8_t bad_tls[] = {0x16, 0x02, 0x01, 0x00, 0x2f};
    g_assert_false(al_match_tls(bad_tls, sizeof(bad_tls)));
    g_assert_cmpstr(name_of(B("SSH-2.0-x\r\n"), AL_TRANSPORT_UDP), ==, "unknown");
    static const uint8_t socks_long[] = {0x05, 0x01, 0x00, 0x99};
    g_assert_false(al_match_socks(socks_long, sizeof(socks_long)));
    uint8_t rpc3[sizeof(rpc_call_udp)];
    memcpy(rpc3, rpc_call_udp, sizeof(rpc3));
    rpc3[11] = 3;
    g_assert_false(al_match_rpc_udp(rpc3, sizeof(rpc3)));
    g_assert_cmpstr(name_of(B("MSG x"), AL_TRANSPORT_TCP), ==, "unknown");
}

/* Every signature on every prefix of its own example: no read past len
 * (checked by ASan/valgrind in the sanitizer modes) and no match on an
 * empty buffer. */
static void test_short_inputs(void)
{
    size_t n;
    const al_signature_t *all = al_signatures(&n);
    static const uint8_t zeros[64];
    for (size_t i = 0; i < n; i++) {
        g_assert_false(all[i].match(zeros, 0));
        for (size_t len = 0; len <= sizeof(rpc_call_tcp); len++) {
            uint8_t *copy = g_memdup2(rpc_call_tcp, len ? len : 1);
            (void)all[i].match(copy, len);
            g_free(copy);
        }
    }
    g_assert_false(al_match_tls(tls_hello, 4));
    g_assert_false(al_match_vnc((const uint8_t *)"RFB 003.8", 9));
    g_assert_false(al_match_rpc_tcp(rpc_call_tcp, 10));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sniff/generic", test_generic_protocols);
    g_test_add_func("/sniff/rejects", test_rejects);
    g_test_add_func("/sniff/short-inputs", test_short_inputs);
    return g_test_run();
}
