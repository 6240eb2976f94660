/* serialnumberd-parse.h
 * Byte-level parsing of serialnumberd datagrams (UDP 626), without
 * libwireshark: shared by the dissector, the registry plugin's port sniffer
 * and the unit tests.
 *
 * Layout (apple-protocols.md section 7, from nmap-service-probes):
 *   query    "SNQUERY: <ip>:<serial>:<product>"
 *   response "SNRESPS:<ip-or-host>:0x<40 hex>:<product>:0x<40 hex>:0x<8 hex>:"
 *            "0x<40 hex>:<ip-or-host>\0"
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SERIALNUMBERD_PARSE_H
#define SERIALNUMBERD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SN_MAGIC_LEN       8 /* "SNQUERY:" / "SNRESPS:" */
#define SN_TYPE_LEN        7 /* the type name without its ':' */
#define SN_QUERY_FIELDS    3
#define SN_RESPONSE_FIELDS 7
#define SN_MAX_FIELDS      7
#define SN_DIGEST_DIGITS   40
#define SN_VALUE8_DIGITS   8

typedef enum {
    SN_TYPE_NONE = 0,
    SN_TYPE_QUERY,    /* "SNQUERY:" */
    SN_TYPE_RESPONSE, /* "SNRESPS:" */
} sn_type_t;

/* A byte range of the payload. */
typedef struct {
    size_t offset;
    size_t length;
} sn_span_t;

typedef struct {
    sn_type_t type;
    size_t body_offset;              /* first byte of the first field (spaces skipped) */
    size_t body_end;                 /* offset of the first NUL, or the payload length */
    bool has_nul;                    /* a NUL ends the body */
    size_t field_count;              /* every ':'-separated field of the body */
    sn_span_t fields[SN_MAX_FIELDS]; /* the first min(field_count, SN_MAX_FIELDS) */
} sn_message_t;

/* The message type named by the first 8 bytes, or SN_TYPE_NONE. */
sn_type_t serialnumberd_type(const uint8_t *data, size_t len);

/* True when the payload starts with "SNQUERY:" or "SNRESPS:". */
bool serialnumberd_match(const uint8_t *data, size_t len);

/* True when 0 < len < 8 and the payload is the start of "SNQUERY:" or
 * "SNRESPS:": a message cut inside its type. */
bool serialnumberd_is_truncated_type(const uint8_t *data, size_t len);

/* How many fields a message of this type has (0 for SN_TYPE_NONE). */
size_t serialnumberd_expected_fields(sn_type_t type);

/* Splits a message into its ':'-separated fields. False (and *msg zeroed)
 * when the payload is not a serialnumberd message. */
bool serialnumberd_parse(const uint8_t *data, size_t len, sn_message_t *msg);

/* True when data[0..len) is exactly "0x" (lower case x) followed by `digits` hex
 * digits (either case). */
bool serialnumberd_is_hex_value(const uint8_t *data, size_t len, size_t digits);

#endif /* SERIALNUMBERD_PARSE_H */
