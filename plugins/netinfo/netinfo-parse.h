/* netinfo-parse.h
 * Recognising ONC RPC calls to NetInfo, without libwireshark: shared by the
 * dissector's heuristics, the registry plugin's port sniffer and the unit
 * tests.
 *
 * NetInfo (apple-protocols.md section 11) is ONC RPC (RFC 5531): program
 * 200100000 (NETINFOPROG) version 2, and 200100001 "netinfobind" (nibindd,
 * nmap-rpc). An RPC call starts with the words xid, msg_type (0 = CALL),
 * rpcvers (2), prog, vers, proc; over TCP a 4-byte record mark comes first.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef NETINFO_PARSE_H
#define NETINFO_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETINFO_PROGRAM     200100000u /* NETINFOPROG */
#define NETINFOBIND_PROGRAM 200100001u /* netinfobind (nibindd) */
#define NETINFO_VERSION     2u

#define NETINFO_RPC_CALL    0u /* msg_type */
#define NETINFO_RPC_VERSION 2u /* rpcvers */

/* xid, msg_type, rpcvers, prog, vers, proc */
#define NETINFO_CALL_HEADER_LEN 24u
/* The shortest call: the header, then credentials and verifier of AUTH_NULL
 * (flavor and length words each). */
#define NETINFO_MIN_CALL_LEN 40u
/* TCP record marking: last-fragment bit and a 31-bit fragment length. */
#define NETINFO_RECORD_MARK_LEN 4u
#define NETINFO_RECORD_LEN_MASK 0x7fffffffu

typedef struct {
    uint32_t xid;
    uint32_t program;
    uint32_t version;
    uint32_t procedure;
} netinfo_call_t;

/* True for 200100000 and 200100001. */
bool netinfo_is_program(uint32_t program);

/* Reads the call header at data[0] (the xid): false when fewer than 24 bytes
 * are given or it is not an RPC version 2 CALL. Any program is accepted. */
bool netinfo_parse_call(const uint8_t *data, size_t len, netinfo_call_t *call);

/* A UDP datagram: a call to a NetInfo program, at least 40 bytes long. */
bool netinfo_match_udp(const uint8_t *data, size_t len);

/* The first bytes of a TCP stream: a record mark whose fragment length can
 * hold a call (>= 40), then a call to a NetInfo program. */
bool netinfo_match_tcp(const uint8_t *data, size_t len);

/* Either of the two: the first payload bytes of a datagram or segment. */
bool netinfo_match(const uint8_t *data, size_t len);

#endif /* NETINFO_PARSE_H */
