/* frame-scan.c
 * Transport headers and ICMP quotes in a frame's bytes. See frame-scan.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "frame-scan.h"

#include <string.h>

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* An IP header at o carrying ipproto, with the transport header that follows
 * it within the frame for at least `need` bytes. Sets *t to the transport
 * header's offset, *ip_payload to the length the IP header gives its payload
 * and *addr_len. */
static bool ip_header_at(const uint8_t *f, size_t len, size_t o, uint8_t ipproto, size_t need,
                         size_t *t, size_t *ip_payload, size_t *addr_len)
{
    unsigned version = f[o] >> 4;
    if (version == 4) {
        size_t ihl = (size_t)(f[o] & 0x0f) * 4;
        if (ihl < 20 || o + ihl + need > len || f[o + 9] != ipproto)
            return false;
        if (get16(f + o + 6) & 0x1fff) /* a later fragment: no transport header */
            return false;
        size_t total = get16(f + o + 2);
        *t = o + ihl;
        *ip_payload = total > ihl ? total - ihl : 0;
        *addr_len = 4;
        return true;
    }
    if (version == 6) {
        if (o + 40 + need > len || f[o + 6] != ipproto)
            return false;
        *t = o + 40;
        *ip_payload = get16(f + o + 4);
        *addr_len = 16;
        return true;
    }
    return false;
}

static bool ports_at(const uint8_t *f, size_t t, uint16_t sport, uint16_t dport)
{
    return get16(f + t) == sport && get16(f + t + 2) == dport;
}

/* The packet's source and destination addresses in the IP header at o (the
 * sizes constant, so that the compiler compares in place). */
static bool addresses_at(const uint8_t *f, size_t o, size_t addr_len, const uint8_t *src,
                         const uint8_t *dst)
{
    if (addr_len == 4)
        return memcmp(f + o + 12, src, 4) == 0 && memcmp(f + o + 16, dst, 4) == 0;
    return memcmp(f + o + 8, src, 16) == 0 && memcmp(f + o + 24, dst, 16) == 0;
}

/* The packet's own transport header after an IP header at o. */
static bool transport_at(const uint8_t *frame, size_t len, size_t o, size_t addr_len,
                         const uint8_t *src, const uint8_t *dst, uint8_t ipproto, uint16_t sport,
                         uint16_t dport, al_transport_hdr_t *out)
{
    size_t need = ipproto == AL_IPPROTO_TCP ? 20 : 8;
    size_t t, ip_payload, alen;
    if (o + 20 > len || !ip_header_at(frame, len, o, ipproto, need, &t, &ip_payload, &alen) ||
        alen != addr_len)
        return false;
    if (!ports_at(frame, t, sport, dport) || !addresses_at(frame, o, addr_len, src, dst))
        return false;
    size_t hdr, stated;
    if (ipproto == AL_IPPROTO_TCP) {
        hdr = (size_t)(frame[t + 12] >> 4) * 4;
        if (hdr < 20)
            return false;
        stated = ip_payload > hdr ? ip_payload - hdr : 0;
        out->tcp_flags = frame[t + 13];
    } else {
        size_t udp_len = get16(frame + t + 4);
        hdr = 8;
        stated = udp_len > 8 ? udp_len - 8 : 0;
        out->tcp_flags = 0;
    }
    out->transport_offset = t;
    out->payload_offset = t + hdr;
    size_t in_frame = len > t + hdr ? len - (t + hdr) : 0;
    out->payload_length = stated < in_frame ? stated : in_frame;
    return true;
}

bool al_find_transport(const uint8_t *frame, size_t len, size_t addr_len, const uint8_t *src,
                       const uint8_t *dst, uint8_t ipproto, uint16_t sport, uint16_t dport,
                       size_t *hint, al_transport_hdr_t *out)
{
    /* Where the IP header was last time, then where it usually is (Ethernet,
     * raw IP, BSD loopback, Linux cooked, one VLAN tag), before every offset
     * in turn: only the packet's own header matches, so the order does not
     * change the answer. */
    static const size_t usual[] = {14, 0, 4, 16, 18};
    if (!frame || (addr_len != 4 && addr_len != 16))
        return false;
    size_t o = hint ? *hint : 14;
    if (transport_at(frame, len, o, addr_len, src, dst, ipproto, sport, dport, out))
        return true;
    for (size_t i = 0; i < sizeof(usual) / sizeof(usual[0]); i++) {
        o = usual[i];
        if (transport_at(frame, len, o, addr_len, src, dst, ipproto, sport, dport, out))
            goto found;
    }
    for (o = 0; o + 20 <= len; o++) {
        if (transport_at(frame, len, o, addr_len, src, dst, ipproto, sport, dport, out))
            goto found;
    }
    return false;
found:
    if (hint)
        *hint = o;
    return true;
}

int al_tcp_flags_at(const uint8_t *f, size_t len, size_t o, size_t addr_len, const uint8_t *src,
                    const uint8_t *dst, uint16_t sport, uint16_t dport)
{
    size_t t, ip_payload, alen;
    if (o + 20 > len || !ip_header_at(f, len, o, AL_IPPROTO_TCP, 20, &t, &ip_payload, &alen) ||
        alen != addr_len || !ports_at(f, t, sport, dport) ||
        !addresses_at(f, o, addr_len, src, dst))
        return -1;
    return f[t + 13];
}

static bool icmp_error_type(size_t addr_len, uint8_t type)
{
    if (addr_len == 4)
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    return type >= 1 && type <= 4;
}

static bool quote_at(const uint8_t *frame, size_t len, size_t o, uint8_t ipproto,
                     al_icmp_quote_t *out)
{
    size_t t, ip_payload, alen;
    if (!ip_header_at(frame, len, o, ipproto, 4, &t, &ip_payload, &alen) ||
        !icmp_error_type(alen, frame[o - 8]))
        return false;
    size_t src_at = alen == 4 ? o + 12 : o + 8;
    out->ipproto = ipproto;
    out->sport = get16(frame + t);
    out->dport = get16(frame + t + 2);
    out->addr_len = alen;
    memcpy(out->src, frame + src_at, alen);
    memcpy(out->dst, frame + src_at + alen, alen);
    out->type = frame[o - 8];
    out->code = frame[o - 7];
    out->unreachable = alen == 4 ? out->type == 3 : out->type == 1;
    return true;
}

bool al_find_icmp_quote(const uint8_t *frame, size_t len, uint8_t ipproto, uint16_t sport,
                        uint16_t dport, al_icmp_quote_t *out)
{
    if (!frame)
        return false;
    /* The quote follows an 8-byte ICMP header; only its ports are needed. */
    for (size_t o = 8; o + 20 <= len; o++) {
        if (quote_at(frame, len, o, ipproto, out) && out->sport == sport && out->dport == dport)
            return true;
    }
    return false;
}

bool al_find_any_icmp_quote(const uint8_t *frame, size_t len, al_icmp_quote_t *out)
{
    if (!frame)
        return false;
    for (size_t o = 8; o + 20 <= len; o++) {
        if (quote_at(frame, len, o, AL_IPPROTO_UDP, out) ||
            quote_at(frame, len, o, AL_IPPROTO_TCP, out))
            return true;
    }
    return false;
}
