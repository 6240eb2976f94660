/* frame-scan.h
 * Finds a packet's own TCP/UDP header, or the header an ICMP error quotes,
 * in the bytes of a frame, for the postdissector: it is given the whole
 * frame, not the offsets at which IP, TCP or UDP were found.
 *
 * The search matches what the frame must hold: an IPv4 or IPv6 header with
 * the protocol and, for the packet's own header, the addresses Wireshark
 * found, followed by a transport header with the packet's ports. Link
 * layers, VLAN tags and tunnels need no parsing: the first such header is
 * the one.
 *
 * Plain C over bytes (no libwireshark): unit-tested in tests/unit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_FRAME_SCAN_H
#define APPLELEGACY_FRAME_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IP protocol numbers of the transports. */
#define AL_IPPROTO_TCP 6
#define AL_IPPROTO_UDP 17

/* TCP header flags. */
#define AL_TCP_FIN 0x01
#define AL_TCP_SYN 0x02
#define AL_TCP_RST 0x04
#define AL_TCP_ACK 0x10

typedef struct {
    size_t transport_offset; /* the TCP or UDP header */
    size_t payload_offset;
    size_t payload_length; /* as the headers state it, within the frame */
    uint8_t tcp_flags;     /* 0 for UDP */
} al_transport_hdr_t;

/* The packet's own transport header. addr_len: 4 (IPv4) or 16 (IPv6); src
 * and dst: the network addresses of the packet; hint (or NULL): the offset of
 * the IP header to try first, set to where it was found. Returns false when
 * no such header is in the frame (an IP fragment, IPv6 extension headers, a
 * cut capture). */
bool al_find_transport(const uint8_t *frame, size_t len, size_t addr_len, const uint8_t *src,
                       const uint8_t *dst, uint8_t ipproto, uint16_t sport, uint16_t dport,
                       size_t *hint, al_transport_hdr_t *out);

/* The flags of the packet's own TCP header, where the IP header is at
 * offset o (no search: the caller's fast path before al_find_transport);
 * -1 when it is not there. */
int al_tcp_flags_at(const uint8_t *frame, size_t len, size_t o, size_t addr_len, const uint8_t *src,
                    const uint8_t *dst, uint16_t sport, uint16_t dport);

/* What an ICMP or ICMPv6 error quotes. */
typedef struct {
    uint8_t ipproto; /* of the quoted packet: AL_IPPROTO_TCP or _UDP */
    uint16_t sport;  /* its ports */
    uint16_t dport;
    size_t addr_len; /* 4 or 16 */
    uint8_t src[16]; /* the quoted packet's source: the client */
    uint8_t dst[16]; /* its destination */
    uint8_t type;    /* of the ICMP message */
    uint8_t code;
    bool unreachable; /* ICMP destination unreachable, ICMPv6 type 1 */
} al_icmp_quote_t;

/* The quoted IP header of an ICMP error whose quoted transport header has
 * ports sport -> dport: ICMP types 3 (unreachable), 4, 5, 11, 12; ICMPv6
 * types 1 to 4. Returns false when the frame holds no such quote. */
bool al_find_icmp_quote(const uint8_t *frame, size_t len, uint8_t ipproto, uint16_t sport,
                        uint16_t dport, al_icmp_quote_t *out);

/* The same for a quoted TCP or UDP packet whatever its ports (Wireshark
 * 4.4 and later restore the ICMP packet's own ports after its quote). */
bool al_find_any_icmp_quote(const uint8_t *frame, size_t len, al_icmp_quote_t *out);

#endif /* APPLELEGACY_FRAME_SCAN_H */
