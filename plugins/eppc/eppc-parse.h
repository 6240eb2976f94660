/* eppc-parse.h
 * Byte-level checks and parsers for eppc (Remote Apple Events, Program-to-
 * Program Communication over TCP 3031), without libwireshark or GLib, so
 * that they can be unit-tested and fuzzed on their own.
 *
 * There is no specification: everything here comes from nmap's
 * eppc-enum-processes.nse (shared/reference/apple-protocols.md section 9).
 * The client opens with "PPCT" 00 00 00 01 00 00 00 01, then names a target
 * application with e4 4c 50 52 54 01 e1 01 | (0xe1 + len) | Pascal string |
 * df db e3 02 01 3d df df df df d5 00; the server's reply contains ASCII
 * "uid=<n>&pid=<n>" when that application runs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef EPPC_PARSE_H
#define EPPC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EPPC_MAGIC               "PPCT" /* 50 50 43 54 */
#define EPPC_MAGIC_SIZE          4
#define EPPC_OPENING_SIZE        12 /* magic + two uint32 (1 and 1 in nmap's probe) */
#define EPPC_REQUEST_PREFIX_SIZE 8
#define EPPC_REQUEST_SUFFIX_SIZE 12
#define EPPC_NAME_MARKER_BASE    0xe1 /* nmap sends 0xe1 + len(name) before the name */
#define EPPC_MAX_DIGITS          10   /* a uint32 in decimal */

/* The fixed byte runs around the name in nmap's target request; what they
 * mean is unknown. */
extern const uint8_t eppc_request_prefix[EPPC_REQUEST_PREFIX_SIZE];
extern const uint8_t eppc_request_suffix[EPPC_REQUEST_SUFFIX_SIZE];

/* True when the first payload bytes of a segment look like the client's
 * opening: "PPCT", and as much of 00 00 00 01 as there is (at least 4 bytes;
 * all 8 checked when len >= 8). Never reads beyond len. */
bool eppc_match(const uint8_t *data, size_t len);

/* The opening "PPCT" | uint32 | uint32 at the start of data. */
typedef struct {
    uint32_t unknown1; /* 1 in nmap's probe */
    uint32_t unknown2; /* 1 in nmap's probe */
} eppc_opening_t;

/* True when data starts with "PPCT" (whatever follows). */
bool eppc_has_magic(const uint8_t *data, size_t len);

/* True when data holds a whole opening (>= 12 bytes starting "PPCT"). */
bool eppc_parse_opening(const uint8_t *data, size_t len, eppc_opening_t *out);

/* The target request at the start of data. Offsets count from data. */
typedef struct {
    uint8_t marker;   /* offset 8: 0xe1 + name length in nmap's probe */
    uint8_t name_len; /* offset 9: the Pascal string's length byte */
    size_t name_off;  /* offset 10 */
    size_t name_end;  /* just after the name */
    bool has_suffix;  /* the 12 known bytes follow the name */
    size_t end;       /* after the suffix when has_suffix, else name_end */
} eppc_request_t;

/* True when data starts with the known 8-byte prefix followed by the marker
 * byte and a whole Pascal string; the suffix is optional (see has_suffix). */
bool eppc_parse_request(const uint8_t *data, size_t len, eppc_request_t *out);

/* True when the marker byte agrees with the name length as in nmap's probe. */
bool eppc_request_marker_matches(const eppc_request_t *req);

/* "uid=<digits>&pid=<digits>" found in a reply. Offsets count from data. */
typedef struct {
    size_t start;   /* the 'u' of "uid=" */
    size_t uid_off; /* first digit of the uid */
    size_t uid_len;
    uint32_t uid;
    size_t pid_off; /* first digit of the pid */
    size_t pid_len;
    uint32_t pid;
    size_t end; /* just after the last pid digit */
} eppc_process_t;

/* Searches data for the first "uid=<n>&pid=<n>" whose numbers are 1 to 10
 * decimal digits and fit in 32 bits. */
bool eppc_find_process(const uint8_t *data, size_t len, eppc_process_t *out);

#endif /* EPPC_PARSE_H */
