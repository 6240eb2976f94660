/* classify.h
 * Which side of a TCP/UDP conversation is the service, which registry rows
 * apply, which are in scope and which warnings they raise.
 *
 * Pure logic over numbers (no libwireshark), unit-tested in tests/unit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_CLASSIFY_H
#define APPLELEGACY_CLASSIFY_H

#include "port-index.h"

/* The applelegacy.scope preference. */
typedef enum {
    AL_SCOPE_APPLE = 0, /* registration apple/other/unassigned, or unregistered use */
    AL_SCOPE_ALL,       /* every row, standard services included */
    AL_SCOPE_LEGACY,    /* lifecycle legacy/discontinued, or unregistered use */
} al_scope_t;

/* How the service side was found. */
typedef enum {
    AL_SIDE_NONE = 0,
    AL_SIDE_HANDSHAKE, /* TCP: destination of the SYN (or source of the SYN/ACK) */
    AL_SIDE_PORT_RULE, /* no handshake seen: the non-ephemeral / well-known / lower port */
} al_side_evidence_t;

extern const char *const al_side_evidence_names[];

typedef struct {
    /* true for a port clients pick for themselves (the ephemeral_ports
     * preference, 49152-65535 by default) */
    bool (*is_ephemeral)(uint16_t port, const void *data);
    const void *data;
} al_classify_opts_t;

typedef struct {
    const al_group_t *group; /* rows of the service port */
    uint16_t service_port;
    bool service_is_src; /* the service port is the source port of this packet */
    al_side_evidence_t evidence;
} al_verdict_t;

/* Registry filter for a scope: pass it to al_port_index_new() with a pointer to
 * an al_scope_t. */
bool al_row_in_scope(const al_row_t *row, const void *scope);

/* Decides the service side of a packet.
 *  handshake_server_port: the TCP server port learnt from the SYN or SYN/ACK of
 *  this conversation, 0 when no handshake was seen (and always 0 for UDP).
 * Rules:
 *  1. With a handshake the server port is certain; only it is looked up.
 *  2. Without one, a port in the ephemeral range is never the service; of the
 *     remaining ports in the registry, the well-known one (< 1024) wins, then
 *     the lower one. A range row (e.g. 8000-8999) is only taken when the peer
 *     port is ephemeral, since a range cannot tell a server from a client.
 * Returns false (and no verdict) when no registry row applies. */
bool al_classify(const al_port_index_t *reg, const al_classify_opts_t *opts,
                 al_transport_t transport, uint16_t srcport, uint16_t dstport,
                 uint16_t handshake_server_port, al_verdict_t *out);

/* Warnings, as bits. */
enum {
    AL_WARN_UNREGISTERED_USE = 1u << 0,    /* Apple's own table says "unregistered use" */
    AL_WARN_REGISTERED_TO_OTHER = 1u << 1, /* IANA gives the port to another service */
    AL_WARN_ABANDONED = 1u << 2,           /* the Apple product is discontinued */
    AL_WARN_UNASSIGNED = 1u << 3,          /* IANA lists nothing for the port */
    AL_WARN_PROTOCOL_MISMATCH = 1u << 4,   /* payload is not the expected protocol */
};

/* The warnings a port raises, from the rows of its group (a port used by
 * several services has several rows):
 *  - unregistered_use where a row says Apple calls the use unregistered,
 *    unless IANA registers the port to the protocol itself (standard);
 *  - registered_to_other / unassigned from the port's IANA status, unless a
 *    current, documented (not "unregistered") Apple service uses the port:
 *    APNS on 5223 is annotated quietly, though IANA gives 5223 to hpvirtgrp;
 *  - abandoned only when every service on the port is discontinued.
 * Range rows raise none: Apple names a range, not a port, and each range
 * holds other services' ports too. */
unsigned al_group_warnings(const al_group_t *group);
unsigned al_row_warnings(const al_row_t *row);

/* The row a warning is about: the first row of the group that raises it. */
const al_row_t *al_group_warning_row(const al_group_t *group, unsigned warning);

/* Whether a protocol observed in the payload agrees with the row's expected
 * protocol. "unknown" (nothing recognised) never disagrees. An Apple protocol
 * (observed_is_apple: its plugin joined the sniffer's list) agrees with an
 * empty expected, where Apple's tables name no protocol. A protocol carried
 * in another (servermgrd in TLS, NetInfo in ONC RPC) agrees through the
 * frame's layers: the caller checks every layer. */
bool al_protocol_compatible(const char *expected, const char *observed, bool observed_is_apple);

/* Larger is more concerning; used to sort reports. The Apple plugins' events
 * carry weights of their own between these (ARD amplification 32, many
 * sources 16: applelegacy-api.h). */
unsigned al_warning_weight(unsigned warnings);

#endif /* APPLELEGACY_CLASSIFY_H */
