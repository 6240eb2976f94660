/* dsproxy-parse.h
 * Byte-level checks and parsers for the DirectoryService proxy protocol
 * ("DSProxy", TCP 625), without libwireshark or GLib, so that they can be
 * unit-tested and fuzzed on their own.
 *
 * Layout (Apple DirectoryService/Proxy/DSTCPEndpoint.cpp; see
 * shared/reference/apple-protocols.md section 3): every message is
 * "DSPX" | uint32 BE payload length | payload, and the receiver skips 0x00
 * bytes before the tag.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef DSPROXY_PARSE_H
#define DSPROXY_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DSPX_TAG              "DSPX" /* 44 53 50 58, kDSTCPEndpointMessageTagSize = 4 */
#define DSPX_TAG_SIZE         4
#define DSPX_HEADER_SIZE      8                     /* tag + uint32 length */
#define DSPX_MAX_LENGTH       (16u * 1024u * 1024u) /* our sanity limit, not Apple's */
#define DSPX_AUTH_TAG         "DHN2"                /* 44 48 4E 32, DSTCPAuthTag */
#define DSPX_AUTH_TAG_SIZE    4
#define DSPX_MIN_MATCH_LENGTH 4 /* heuristic: the smallest payload it accepts */

/* What dsproxy_parse_header() found at the start of the bytes it was given. */
typedef enum {
    DSPX_HEADER_OK,         /* padding, "DSPX" and a length within DSPX_MAX_LENGTH */
    DSPX_HEADER_SHORT,      /* fewer than 8 bytes after the padding, all agreeing with a tag */
    DSPX_HEADER_BAD_TAG,    /* the first non-zero bytes are not "DSPX" */
    DSPX_HEADER_BAD_LENGTH, /* "DSPX" with a length above DSPX_MAX_LENGTH */
} dsproxy_header_status_t;

typedef struct {
    size_t padding;  /* leading 0x00 bytes before the tag */
    uint32_t length; /* the payload length field (valid for OK and BAD_LENGTH) */
} dsproxy_header_t;

/* Number of leading 0x00 bytes in data[0..len). */
size_t dsproxy_padding(const uint8_t *data, size_t len);

/* Parses the padding and the 8-byte header at the start of data. Never reads
 * beyond len. out may not be NULL. */
dsproxy_header_status_t dsproxy_parse_header(const uint8_t *data, size_t len,
                                             dsproxy_header_t *out);

/* The whole message size the header announces: padding + 8 + length. */
size_t dsproxy_message_size(const dsproxy_header_t *h);

/* True when the first payload bytes of a segment look like a DSPX message:
 * optional 0x00 padding, "DSPX", and a length >= 4 and <= 16 MiB. */
bool dsproxy_match(const uint8_t *data, size_t len);

/* dsproxy_match() and, in addition, the payload starts with "DHN2": the
 * client's first message (a stronger signature). */
bool dsproxy_match_auth(const uint8_t *data, size_t len);

/* True when a message payload starts with the "DHN2" auth tag. */
bool dsproxy_payload_has_auth_tag(const uint8_t *payload, size_t len);

/* Where a message stands in the key negotiation (section 3, steps 1-5). */
typedef enum {
    DSPX_STAGE_CLIENT_PUBLIC = 1,  /* "DHN2" + client DH public key */
    DSPX_STAGE_SERVER_PUBLIC,      /* server DH public key */
    DSPX_STAGE_CHALLENGE,          /* AES-128(challenge) */
    DSPX_STAGE_CHALLENGE_RESPONSE, /* AES-128(challenge + 1) */
    DSPX_STAGE_ENCRYPTED,          /* encrypted sComProxyData, or a session seen mid-way */
} dsproxy_stage_t;

typedef enum {
    DSPX_ROLE_UNKNOWN = 0, /* no message seen yet in this direction */
    DSPX_ROLE_CLIENT,      /* its first message started with "DHN2" */
    DSPX_ROLE_SERVER,      /* its first message followed the client's "DHN2" */
    DSPX_ROLE_MIDSTREAM,   /* the negotiation was not seen: everything is encrypted */
} dsproxy_role_t;

/* The negotiation state of one TCP connection; zero-initialise it. Direction
 * 0 is the sender of the first message seen, 1 the other side. */
typedef struct {
    uint8_t role[2];   /* dsproxy_role_t */
    uint32_t count[2]; /* messages seen per direction (saturating) */
} dsproxy_session_t;

/* The stage of the next well-framed message sent in direction dir (0 or 1),
 * whose payload starts with "DHN2" when auth_tag is true; advances the
 * session. The first message of each direction decides that direction's
 * role. */
dsproxy_stage_t dsproxy_session_next(dsproxy_session_t *s, unsigned dir, bool auth_tag);

#endif /* DSPROXY_PARSE_H */
