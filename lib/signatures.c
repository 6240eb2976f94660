/* signatures.c
 * The generic payload signatures of the port sniffer (sniffer.c): the
 * protocols Apple's ports may carry that are not Apple's own. Each check is
 * strict (magic, version, length consistency) and reads nothing beyond len.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "signatures.h"

#include <string.h>

static bool starts_with(const uint8_t *d, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(d, prefix, n) == 0;
}

static bool contains(const uint8_t *d, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(d + i, needle, n) == 0)
            return true;
    }
    return false;
}

static uint32_t be32(const uint8_t *d)
{
    return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

/* A TLS (or SSL 3.0) record: content type 20-23, version 3.x, length that
 * fits a record. */
bool al_match_tls(const uint8_t *d, size_t len)
{
    if (len < 5 || d[0] < 0x14 || d[0] > 0x17 || d[1] != 0x03 || d[2] > 0x04)
        return false;
    unsigned rec_len = (unsigned)d[3] << 8 | d[4];
    return rec_len > 0 && rec_len <= 16384 + 2048;
}

bool al_match_http(const uint8_t *d, size_t len)
{
    static const char *const starts[] = {"GET /",     "POST /",    "HEAD /",
                                         "PUT /",     "DELETE /",  "OPTIONS ",
                                         "PROPFIND ", "HTTP/1.0 ", "HTTP/1.1 "};
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        if (starts_with(d, len, starts[i]))
            return true;
    }
    return false;
}

/* RFC 4253 identification string. */
bool al_match_ssh(const uint8_t *d, size_t len)
{
    return starts_with(d, len, "SSH-1.") || starts_with(d, len, "SSH-2.");
}

/* RFB ProtocolVersion: "RFB 003.008\n". */
bool al_match_vnc(const uint8_t *d, size_t len)
{
    return len >= 12 && starts_with(d, len, "RFB ") && d[7] == '.' && d[11] == '\n';
}

bool al_match_xmpp(const uint8_t *d, size_t len)
{
    return starts_with(d, len, "<stream:stream") ||
           (starts_with(d, len, "<?xml") && len >= 20 &&
            contains(d, len < 256 ? len : 256, "<stream:stream"));
}

/* RFC 3080 frame header: "MSG 0 1 . 0 52\r\n" and the other frame types. */
bool al_match_beep(const uint8_t *d, size_t len)
{
    static const char *const types[] = {"MSG ", "RPY ", "ERR ", "ANS ", "NUL "};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (starts_with(d, len, types[i]) && len > 4 && d[4] >= '0' && d[4] <= '9')
            return true;
    }
    return false;
}

/* ONC RPC (RFC 5531) message at d: CALL with rpcvers 2, or REPLY with a
 * reply_stat of 0 or 1. */
static bool rpc_message(const uint8_t *d, size_t len)
{
    if (len < 12)
        return false;
    uint32_t type = be32(d + 4);
    if (type == 0)
        return len >= 24 && be32(d + 8) == 2;
    return type == 1 && be32(d + 8) <= 1;
}

bool al_match_rpc_udp(const uint8_t *d, size_t len)
{
    return rpc_message(d, len);
}

/* Over TCP a record mark comes first: last-fragment bit and a length. */
bool al_match_rpc_tcp(const uint8_t *d, size_t len)
{
    if (len < 4)
        return false;
    uint32_t mark = be32(d), frag = mark & 0x7fffffffu;
    return frag >= 12 && frag <= 0x100000 && rpc_message(d + 4, len - 4);
}

/* SMB over NetBIOS session service or direct TCP: session message type 0,
 * then "\xffSMB" (SMB1) or "\xfeSMB" (SMB2). */
bool al_match_smb(const uint8_t *d, size_t len)
{
    return len >= 8 && d[0] == 0x00 && (d[4] == 0xff || d[4] == 0xfe) && d[5] == 'S' &&
           d[6] == 'M' && d[7] == 'B';
}

/* SOCKS5 greeting (RFC 1928): 05, n methods, n method bytes, nothing more;
 * SOCKS4 request: 04, command 1/2, port, IPv4, user id, NUL. */
bool al_match_socks(const uint8_t *d, size_t len)
{
    if (len >= 3 && d[0] == 0x05)
        return d[1] > 0 && len == (size_t)d[1] + 2;
    if (len >= 9 && d[0] == 0x04 && (d[1] == 1 || d[1] == 2))
        return d[len - 1] == 0x00;
    return false;
}

#define TCP_ONLY (1u << AL_TRANSPORT_TCP)
#define UDP_ONLY (1u << AL_TRANSPORT_UDP)
#define BOTH     (TCP_ONLY | UDP_ONLY)

static const al_signature_t signatures[] = {
    {"tls", "tls", al_match_tls, TCP_ONLY},     {"ssh", "ssh", al_match_ssh, TCP_ONLY},
    {"http", "http", al_match_http, TCP_ONLY},  {"vnc", "vnc", al_match_vnc, TCP_ONLY},
    {"xmpp", "xmpp", al_match_xmpp, TCP_ONLY},  {"beep", "beep", al_match_beep, TCP_ONLY},
    {"smb", "nbss", al_match_smb, TCP_ONLY},    {"rpc", "rpc-tcp", al_match_rpc_tcp, TCP_ONLY},
    {"rpc", "rpc", al_match_rpc_udp, UDP_ONLY}, {"socks", "socks", al_match_socks, TCP_ONLY},
};

const al_signature_t *al_sniff(const uint8_t *data, size_t len, al_transport_t transport)
{
    for (size_t i = 0; i < sizeof(signatures) / sizeof(signatures[0]); i++) {
        if ((signatures[i].transports & (1u << transport)) && signatures[i].match(data, len))
            return &signatures[i];
    }
    return NULL;
}

const al_signature_t *al_signatures(size_t *count)
{
    *count = sizeof(signatures) / sizeof(signatures[0]);
    return signatures;
}
