/* pwserver-parse.h
 * Byte-level parsers for the Apple Password Server protocol (TCP 106 and
 * 3659, UDP 3659): plain C99 over (const uint8_t *, size_t), no libwireshark
 * and no GLib, so that they can be unit-tested and fuzzed on their own.
 *
 * Layouts: ../shared/reference/apple-protocols.md section 8.
 * Every function reads only the bytes it is given; none allocates.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PWSERVER_PARSE_H
#define PWSERVER_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "+OK ApplePasswordServer " (nmap pop3pw match, RADIATOR-APS). */
#define PWSERVER_GREETING_PREFIX     "+OK ApplePasswordServer "
#define PWSERVER_GREETING_PREFIX_LEN 24
/* The UDP 3659 reply nmap knows: "How was your weekend?;<hex>\0". */
#define PWSERVER_UDP_PREFIX     "How was your weekend?;"
#define PWSERVER_UDP_PREFIX_LEN 22

/* A part of a line: offset from the start of the line and length. */
typedef struct {
    size_t off;
    size_t len;
} pwserver_span_t;

/* Who sent a line, as far as its first bytes tell. */
typedef enum {
    PWSERVER_SIDE_UNKNOWN = 0,
    PWSERVER_SIDE_SERVER,
    PWSERVER_SIDE_CLIENT,
} pwserver_side_t;

typedef enum {
    PWSERVER_STATUS_NONE = 0, /* not a status line */
    PWSERVER_STATUS_OK,       /* "+OK" */
    PWSERVER_STATUS_ERR,      /* "-ERR" */
    PWSERVER_STATUS_AUTHOK,   /* "+AUTHOK" */
} pwserver_status_t;

typedef enum {
    PWSERVER_CMD_UNKNOWN = 0,
    PWSERVER_CMD_LIST,
    PWSERVER_CMD_RSAPUBLIC,
    PWSERVER_CMD_RSAVALIDATE,
    PWSERVER_CMD_USER,
    PWSERVER_CMD_AUTH2,
    PWSERVER_CMD_GETPPTPKEYS,
    PWSERVER_CMD_QUIT,
} pwserver_command_t;

/* "+OK ApplePasswordServer <version> password server at <addr> ready." */
typedef struct {
    pwserver_span_t text;    /* everything after "+OK " */
    pwserver_span_t version; /* len 0 when missing */
    pwserver_span_t address; /* len 0 when missing */
    bool complete;           /* the whole documented layout was found */
} pwserver_greeting_t;

/* "<bits> <exponent> <modulus> <name>", all decimal but the name. */
typedef struct {
    uint32_t bits;
    uint64_t exponent;
    pwserver_span_t bits_span;
    pwserver_span_t exponent_span;
    pwserver_span_t modulus;
    pwserver_span_t name;
} pwserver_rsa_key_t;

/* "{<len>}<base64>" */
typedef struct {
    uint32_t length;
    pwserver_span_t length_span; /* the digits */
    pwserver_span_t data;        /* after '}', may be empty */
} pwserver_blob_t;

/* "USER <slot-id> AUTH <MECH> [<hex>]" */
typedef struct {
    pwserver_span_t slot_id;
    pwserver_span_t auth_keyword; /* "AUTH" */
    pwserver_span_t mechanism;
    pwserver_span_t data;  /* len 0 when absent */
    pwserver_span_t extra; /* anything after the data; len 0 normally */
} pwserver_user_t;

/* Strict signature check on the first payload bytes of a segment or
 * datagram, either direction: the TCP signatures or the UDP reply. */
bool pwserver_match(const uint8_t *data, size_t len);
/* Greeting, or a client line starting LIST RSAPUBLIC, RSAPUBLIC,
 * RSAVALIDATE, USER 0x or AUTH2. */
bool pwserver_match_tcp(const uint8_t *data, size_t len);
/* "How was your weekend?;" followed by hex digits up to a NUL or the end. */
bool pwserver_match_udp(const uint8_t *data, size_t len);

/* Printable ASCII (0x20-0x7e) or TAB only. */
bool pwserver_is_text(const uint8_t *data, size_t len);
/* [0-9A-Fa-f]+ */
bool pwserver_is_hex(const uint8_t *data, size_t len);
/* "0x" followed by exactly 32 hex digits. */
bool pwserver_is_slot_id(const uint8_t *data, size_t len);

/* The next space-separated word at or after pos; returns the position just
 * after it (== len at the end), with tok->len == 0 when there is none. */
size_t pwserver_next_token(const uint8_t *line, size_t len, size_t pos, pwserver_span_t *tok);
/* The position of the first non-space at or after pos (len if none). */
size_t pwserver_skip_spaces(const uint8_t *line, size_t len, size_t pos);

/* Who sent this line, from its first bytes (status prefix or known verb). */
pwserver_side_t pwserver_line_side(const uint8_t *line, size_t len);

/* The status word that starts a server line, its length in *word_len. */
pwserver_status_t pwserver_status(const uint8_t *line, size_t len, size_t *word_len);
/* A client verb, case-insensitive. */
pwserver_command_t pwserver_command(const uint8_t *verb, size_t len);

/* line is the whole line, starting "+OK ApplePasswordServer ". */
bool pwserver_parse_greeting(const uint8_t *line, size_t len, pwserver_greeting_t *g);
/* text follows "+OK ": true when it starts "(SASL". */
bool pwserver_is_sasl_list(const uint8_t *text, size_t len);
/* Iterates the mechanisms of a "(SASL "A" "B" ...)" list: start with
 * pos = 0; each call gives the next mechanism (quotes removed) and returns
 * the position to continue from, or 0 when there is none left. */
size_t pwserver_sasl_next(const uint8_t *text, size_t len, size_t pos, pwserver_span_t *mech);
/* text follows "+OK ": four words, the first three decimal. */
bool pwserver_parse_rsa_key(const uint8_t *text, size_t len, pwserver_rsa_key_t *k);
/* "{<decimal>}<base64>" */
bool pwserver_parse_blob(const uint8_t *text, size_t len, pwserver_blob_t *b);
/* args follow "USER ": slot id, "AUTH", mechanism, optional hex. */
bool pwserver_parse_user(const uint8_t *args, size_t len, pwserver_user_t *u);
/* A decimal number of at most 10 digits that fits in 32 bits. */
bool pwserver_parse_u32(const uint8_t *data, size_t len, uint32_t *out);

/* Whether mech (not NUL-terminated) is one of the comma-separated names of
 * list (NUL-terminated), ignoring case and blanks around names. */
bool pwserver_mech_in_list(const char *list, const uint8_t *mech, size_t len);

/* Decodes hex (even length, validated) into out (room for len / 2 bytes).
 * Returns the number of bytes written, or 0 when the input is not hex or has
 * an odd length. */
size_t pwserver_hex_decode(const uint8_t *hex, size_t len, uint8_t *out, size_t out_size);

/* The UDP reply: reply = text before the NUL (or all), hex = the part after
 * ';'. terminated tells whether a NUL ended it. False unless the datagram
 * starts with PWSERVER_UDP_PREFIX. */
bool pwserver_parse_udp_reply(const uint8_t *data, size_t len, pwserver_span_t *reply,
                              pwserver_span_t *hex, bool *terminated);

#endif /* PWSERVER_PARSE_H */
