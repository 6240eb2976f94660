/* acp-parse.h
 * Byte-level parsing of the AirPort admin protocol "ACP" (TCP 5009), without
 * libwireshark or GLib, so that it can be unit-tested and fuzzed on its own.
 *
 * Layout: ../shared/reference/apple-protocols.md section 6a (airpyrt-tools
 * acp/message.py, acp/keystream.py, acp/property.py; node-acp message.ts;
 * Metasploit acpp/message.rb). All integers are big-endian.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ACP_PARSE_H
#define ACP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACP_HEADER_LEN       128
#define ACP_MAGIC            "acpp"
#define ACP_VERSION_OLD      0x00000001u
#define ACP_VERSION_CURRENT  0x00030001u
#define ACP_KEY_OFFSET       48
#define ACP_KEY_LEN          32
#define ACP_PASSWORD_MAX     ACP_KEY_LEN
#define ACP_ELEMENT_HDR_LEN  12 /* "!4s2I": name, flags, size */
#define ACP_ELEMENT_FLAG_ERR 0x00000001u
#define ACP_CFL_MAGIC        "CFB0"
#define ACP_CFL_FOOTER       "END!"
#define ACP_ADLER32_EMPTY    0x00000001u /* Adler-32 of zero bytes */
/* The largest body size whose message length (128 + size) still fits a
 * signed 32-bit length, as Wireshark's tvbuffs need. */
#define ACP_BODY_SIZE_MAX 0x7fffff7f

/* Header field offsets. */
#define ACP_OFF_MAGIC      0
#define ACP_OFF_VERSION    4
#define ACP_OFF_HEADER_SUM 8
#define ACP_OFF_BODY_SUM   12
#define ACP_OFF_BODY_SIZE  16
#define ACP_OFF_FLAGS      20
#define ACP_OFF_UNUSED     24
#define ACP_OFF_COMMAND    28
#define ACP_OFF_ERROR      32
#define ACP_OFF_PAD1       36
#define ACP_LEN_PAD1       12
#define ACP_OFF_PAD2       80
#define ACP_LEN_PAD2       48

/* Commands (node-acp MessageType). */
#define ACP_CMD_ECHO             0x01
#define ACP_CMD_FLASH_PRIMARY    0x03
#define ACP_CMD_FLASH_SECONDARY  0x05
#define ACP_CMD_FLASH_BOOTLOADER 0x06
#define ACP_CMD_GET_PROPERTY     0x14
#define ACP_CMD_SET_PROPERTY     0x15
#define ACP_CMD_PERFORM          0x16
#define ACP_CMD_MONITOR          0x18
#define ACP_CMD_RPC              0x19
#define ACP_CMD_AUTHENTICATE     0x1a
#define ACP_CMD_GET_FEATURES     0x1b

typedef struct {
    uint32_t version;
    uint32_t header_checksum;
    uint32_t body_checksum;
    int32_t body_size; /* -1: stream header, no attached body */
    uint32_t flags;
    uint32_t unused;
    uint32_t command;
    int32_t error_code;
    uint8_t key[ACP_KEY_LEN];
} acp_header_t;

typedef enum {
    ACP_ELEMENT_OK,        /* a whole element (header and value) */
    ACP_ELEMENT_SHORT_HDR, /* fewer than 12 bytes left */
    ACP_ELEMENT_SHORT_VAL, /* the value runs past the end of the data */
} acp_element_status_t;

typedef struct {
    uint8_t name[4];
    uint32_t flags;
    uint32_t size;
    size_t value_offset; /* from the start of the element */
    bool is_end;         /* the all-zero end element: name 00000000, flags 0 */
} acp_element_t;

/* Adler-32 (RFC 1950 section 8.2), starting from 1; update form to chain. */
uint32_t acp_adler32_update(uint32_t adler, const uint8_t *data, size_t len);
uint32_t acp_adler32(const uint8_t *data, size_t len);

/* Adler-32 of a 128-byte header with its checksum field (bytes 8-11) taken
 * as zero. Needs len >= ACP_HEADER_LEN; returns 0 otherwise (0 is never the
 * Adler-32 of 128 bytes, whose low half is at least 1). */
uint32_t acp_header_checksum(const uint8_t *hdr, size_t len);

bool acp_version_known(uint32_t version);

/* Strict signature check for the heuristic and the port sniffer: at least 8
 * bytes, "acpp", a known version, and with a whole header the header
 * Adler-32. Never reads past len. */
bool acp_match(const uint8_t *data, size_t len);

/* The fixed fields of a header; false when len < ACP_HEADER_LEN. */
bool acp_parse_header(const uint8_t *data, size_t len, acp_header_t *out);

/* Bytes of the whole message (header and body) from the first 20 bytes:
 * 128 + body size, or 128 when the body size is 0, -1 or negative. False
 * when len < 20 or the body size is above ACP_BODY_SIZE_MAX. */
bool acp_message_length(const uint8_t *data, size_t len, uint32_t *out);

/* The static keystream the key field is XOR-ed with (airpyrt keystream.py). */
uint8_t acp_keystream_byte(size_t i);

/* True when every byte of the key is zero (no key sent, as in server
 * replies). */
bool acp_key_is_zero(const uint8_t *key, size_t len);

/* The admin password from the key field: key XOR keystream, up to the first
 * NUL (the NUL padding). Writes at most out_size - 1 bytes and a NUL; returns
 * the password length. len is at most ACP_KEY_LEN (more is ignored). */
size_t acp_key_to_password(const uint8_t *key, size_t len, char *out, size_t out_size);

/* The key field for a password (for tests): password NUL-padded to 32 bytes
 * XOR keystream. */
void acp_password_to_key(const char *password, uint8_t key[ACP_KEY_LEN]);

/* One property element at the start of data. */
acp_element_status_t acp_parse_element(const uint8_t *data, size_t len, acp_element_t *out);

/* True when len > 0 and every byte is printable ASCII (0x20-0x7e). */
bool acp_is_printable(const uint8_t *data, size_t len);

/* "CFB0" at the start / "END!" at the end of a body. */
bool acp_is_cflbinary(const uint8_t *data, size_t len);
bool acp_cflbinary_has_footer(const uint8_t *data, size_t len);

#endif /* ACP_PARSE_H */
