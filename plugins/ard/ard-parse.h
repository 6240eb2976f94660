/* ard-parse.h
 * Byte-level checks and parsers for Apple Remote Desktop / Net Assistant on
 * UDP 3283, as plain C over (const uint8_t *, size_t): no libwireshark, no
 * GLib, so they can be unit-tested and fuzzed on their own.
 *
 * Layouts: ../shared/reference/apple-protocols.md section 4 (ardclient's
 * packet.py and GET_INFO answer struct, nmap's netassistant probe and match,
 * AMP-Research's live 1002-byte reply, the ARMS-BLOG Snort rules).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef ARD_PARSE_H
#define ARD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARD_PORT       3283
#define ARD_HEADER_LEN 4 /* uint16 code, uint16 data length */

/* Message codes known from ardclient (apple-protocols.md 4a). */
enum {
    ARD_CODE_ACK = 0x0000,             /* data starts with the acknowledged code */
    ARD_CODE_ANSWER_GET_INFO = 0x0001, /* client status / info */
    ARD_CODE_GET_INFO = 0x0014,        /* admin -> client */
    ARD_CODE_SHUTDOWN = 0x003d,        /* data: uint32 action 1-4 */
    ARD_CODE_CMD_RESULTS = 0x005f,
    ARD_CODE_SEND_CMD = 0x006b, /* !I 41s <pascal cmd> */
    ARD_CODE_CMD_RESULTS_2 = 0x006c,
    ARD_CODE_CANCEL_CMD = 0x006d,
    ARD_CODE_PING_REPLY = 0x0076,
    ARD_CODE_PING = 0x0077,
    ARD_CODE_ADD_COMPUTER_2 = 0x7d00,
    ARD_CODE_ADD_COMPUTER_1 = 0x7d01,
};

/* ANSWER_GET_INFO: offsets from the start of the UDP payload (header
 * included), and field sizes. */
#define ARD_INFO_OFF_UNKNOWN_0X04 0x04
#define ARD_INFO_OFF_STATUS       0x28
#define ARD_INFO_OFF_FOCUSED_APP  0x2C
#define ARD_INFO_LEN_FOCUSED_APP  48
#define ARD_INFO_OFF_USER         0x5E
#define ARD_INFO_LEN_USER         32
#define ARD_INFO_OFF_NAME         0x7E
#define ARD_INFO_LEN_NAME         32
#define ARD_INFO_OFF_IPV4         0xCA
#define ARD_INFO_OFF_MAC          0xDC
#define ARD_INFO_OFF_NAME_UTF16   0xE6  /* uint16 character count, then the name */
#define ARD_INFO_LEN_NAME_UTF16   128   /* bytes of UTF-16BE after the count */
#define ARD_INFO_LAYOUT_LEN       0x168 /* 4-byte header + ardclient's 356-byte struct */

/* SEND_CMD data: uint32, 41 bytes, then a Pascal string (the command). */
#define ARD_SEND_CMD_FIXED_LEN 45

/* One known field of the ANSWER_GET_INFO layout. */
typedef struct {
    const char *name;
    size_t offset;
    size_t len;
} ard_info_field_t;

extern const ard_info_field_t ard_info_fields[];
extern const size_t ard_info_field_count;

/* Payloads that scanners and attack tools send (apple-protocols.md 4b). */
typedef enum {
    ARD_PROBE_NONE = 0,
    ARD_PROBE_NMAP = 1,         /* 00 14 00 01 03: nmap's netassistant probe */
    ARD_PROBE_AMP_RESEARCH = 2, /* 00 14 00 00: AMP-Research "refined payload" */
    ARD_PROBE_ARMS_SCAN = 3,    /* 00 00: 2-byte reflector scan seen by ARMS-BLOG */
} ard_probe_t;

/* Which way a message goes, as far as its code tells. */
typedef enum {
    ARD_DIR_UNKNOWN = 0, /* ACK, unknown codes: either side */
    ARD_DIR_REQUEST = 1,
    ARD_DIR_RESPONSE = 2,
} ard_dir_t;

/* The verdict of the amplification check. */
typedef enum {
    ARD_AMP_NONE = 0,
    ARD_AMP_RATIO = 1,       /* response/request bytes reached the threshold */
    ARD_AMP_UNSOLICITED = 2, /* a response with no request seen */
} ard_amp_t;

typedef struct {
    uint16_t code;
    uint16_t length;    /* the data length the header states */
    size_t data_len;    /* data bytes present within that length: min(length, len - 4) */
    size_t trailer_len; /* bytes after the stated length */
    bool length_ok;     /* length == len - 4 */
} ard_header_t;

/* What the "ard" tap queues for every UDP message (see README.md). */
#define ARD_TAP_NAME    "ard"
#define ARD_TAP_NO_CODE 0xFFFFFFFFu
typedef struct {
    uint32_t code;      /* the message code, or ARD_TAP_NO_CODE (no 4-byte header) */
    bool is_response;   /* sent by the conversation's responder */
    bool amplification; /* this packet raised ard.expert.amplification */
    bool many_sources;  /* this packet raised ard.expert.many_sources */
} ard_tap_info_t;

/* True when the first bytes of a datagram (either direction) look like ARD. */
bool ard_match(const uint8_t *data, size_t len);

/* Reads the 4-byte header; false when len < 4. */
bool ard_parse_header(const uint8_t *data, size_t len, ard_header_t *hdr);

bool ard_code_is_known(uint16_t code);
ard_dir_t ard_code_direction(uint16_t code);
ard_probe_t ard_probe_kind(const uint8_t *data, size_t len);

/* 00 01 03 ea 00 31: the start of the ARMS attack responses. */
bool ard_is_arms_signature(const uint8_t *data, size_t len);

/* The usable length of a Pascal string whose length byte is len_byte in a
 * field of field_len bytes (length byte included); *overflow tells whether
 * the length byte claimed more than the field holds. */
size_t ard_pstring_len(uint8_t len_byte, size_t field_len, bool *overflow);

/* Bytes of the UTF-16BE name for a character count; *overflow as above. */
size_t ard_utf16_name_len(uint16_t count, bool *overflow);

/* The first ANSWER_GET_INFO field not wholly inside payload_len bytes, or
 * NULL when every field is present. */
const ard_info_field_t *ard_info_first_missing(size_t payload_len);

/* Minimum data bytes a known code's documented structure needs (0: none). */
size_t ard_min_data_len(uint16_t code);

/* Amplification: threshold 0 disables the ratio rule; an unsolicited response
 * (no request bytes) is reported whatever the threshold. */
ard_amp_t ard_amp_check(uint64_t request_bytes, uint64_t response_bytes, unsigned threshold);

/* response/request; 0.0 when no request byte was seen. */
double ard_amp_ratio(uint64_t request_bytes, uint64_t response_bytes);

#endif /* ARD_PARSE_H */
