/* servermgrd-parse.h
 * Byte-level helpers for the servermgrd (Server Admin) plugin: the signature
 * check, the transport sniff (TLS or HTTP), the request target
 * "/commands/servermgr_<module>?input=...&send=...", URL decoding, a small
 * bounded scanner over the top-level <key>s of an XML property list, and
 * the header lines servermgrd sends that are not HTTP.
 *
 * Pure C99: no libwireshark, no GLib. Every function reads only inside the
 * (data, len) it is given. Offsets in results are relative to that data.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SERVERMGRD_PARSE_H
#define SERVERMGRD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte range inside the data a function was given. */
typedef struct {
    size_t off;
    size_t len;
} smd_span_t;

/* How many first bytes servermgrd_match() looks at, at most. */
#define SMD_MATCH_WINDOW 2048

/* True when the first payload bytes of a segment look like servermgrd: an
 * HTTP request line whose target starts "/commands/servermgr_" (or the same
 * path in absolute form), or an HTTP response whose header carries
 * "Server: servermgrd" or the cookie "com.apple.servermgrd". Looks at no more
 * than SMD_MATCH_WINDOW bytes. */
bool servermgrd_match(const uint8_t *data, size_t len);

/* What the first payload bytes of a conversation are. */
typedef enum {
    SMD_START_UNKNOWN = 0,
    SMD_START_TLS,  /* a TLS record header: type 20-23, version 3.0-3.4 */
    SMD_START_HTTP, /* an HTTP/1.x request line or status line */
} smd_start_t;

smd_start_t servermgrd_classify_start(const uint8_t *data, size_t len);

/* A request target (the URI of the request line). */
typedef enum {
    SMD_TARGET_OTHER = 0,
    SMD_TARGET_COMMAND, /* /commands/servermgr_<module>[?query] */
    SMD_TARGET_ROOT,    /* "/" : the HTML "Server Admin module list" */
} smd_target_kind_t;

typedef struct {
    smd_span_t module; /* <module> of servermgr_<module> */
    bool has_input;
    smd_span_t input; /* the raw (still URL-encoded) value of input= */
    bool has_send;
    smd_span_t send; /* the raw value of send= */
} smd_target_t;

smd_target_kind_t servermgrd_parse_target(const uint8_t *uri, size_t len, smd_target_t *out);

/* URL decoding of a query value: "+" becomes a space and "%XX" a byte. A "%"
 * that is not followed by two hex digits is copied as it is and counted. */
typedef struct {
    size_t out_len;     /* bytes written to out */
    size_t bad_escapes; /* "%" not followed by two hex digits */
    size_t first_bad;   /* offset in the input of the first bad "%" */
} smd_urldecode_t;

/* out must have room for in_len bytes (decoding never grows the text). */
void servermgrd_url_decode(const uint8_t *in, size_t in_len, uint8_t *out, smd_urldecode_t *res);

/* The value types of an XML property list (Apple's PropertyList-1.0 DTD). */
typedef enum {
    SMD_PV_STRING = 0,
    SMD_PV_INTEGER,
    SMD_PV_REAL,
    SMD_PV_TRUE,
    SMD_PV_FALSE,
    SMD_PV_DATE,
    SMD_PV_DATA,
    SMD_PV_DICT,
    SMD_PV_ARRAY,
    SMD_PV_OTHER, /* an element that is not in the DTD */
} smd_pvalue_t;

/* One top-level <key> and its value. */
typedef struct {
    smd_span_t key; /* the text between <key> and </key> (entities not decoded) */
    smd_pvalue_t type;
    smd_span_t value; /* scalars: the text content; dict/array/other: the whole element;
                         true/false and empty elements: empty */
    smd_span_t whole; /* from "<key>" to the end of the value */
} smd_pentry_t;

/* The scanner's position inside the top-level <dict>. */
typedef struct {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool done;
} smd_plist_iter_t;

typedef enum {
    SMD_PLIST_ENTRY = 0, /* *entry was filled */
    SMD_PLIST_END,       /* "</dict>" of the top-level dict */
    SMD_PLIST_ERROR,     /* not well formed or cut short; the scan stops here */
} smd_plist_step_t;

/* Nesting depth the scanner follows inside a value before it gives up. */
#define SMD_PLIST_MAX_DEPTH 64

/* Finds the top-level <dict> of an XML plist (after an optional XML
 * declaration, DOCTYPE, comments and a <plist ...> element). False when the
 * document's first element is not <plist> or <dict>, or its root is not a
 * dict. An empty "<dict/>" root is accepted and yields no entries. */
bool servermgrd_plist_begin(smd_plist_iter_t *it, const uint8_t *data, size_t len);

/* The next top-level key of the dict. On SMD_PLIST_ERROR, it->pos is where
 * the scan stopped. */
smd_plist_step_t servermgrd_plist_next(smd_plist_iter_t *it, smd_pentry_t *entry);

/* The DTD name of a value type ("string", "integer", ...). */
const char *servermgrd_pvalue_name(smd_pvalue_t type);

/* Binary plists begin with these 8 bytes. */
#define SMD_BPLIST_MAGIC     "bplist00"
#define SMD_BPLIST_MAGIC_LEN 8

bool servermgrd_is_bplist(const uint8_t *data, size_t len);

/* True when a Server header value names servermgrd: "servermgrd" alone or
 * followed by "/" or a space (a version or comment). */
bool servermgrd_is_server_value(const uint8_t *value, size_t len);

/* Finds the cookie com.apple.servermgrd in a Cookie or Set-Cookie value;
 * *value gets its value (up to ";" or the end, trimmed). */
bool servermgrd_find_cookie(const uint8_t *hdr, size_t len, smd_span_t *value);

/* For a WWW-Authenticate value of scheme Basic, the realm (the text inside
 * the quotes, or a bare token). Spaces around "=" are allowed, as servermgrd
 * sends 'Basic realm = "Server Admin"'. */
bool servermgrd_basic_realm(const uint8_t *hdr, size_t len, smd_span_t *realm);

/* True when an Authorization value uses the Basic scheme. */
bool servermgrd_is_basic_auth(const uint8_t *hdr, size_t len);

/* Header lines left in an HTTP body. servermgrd sends lines without a colon
 * ("SupportsXMLRPC", "SupportsBinaryPlist"); Wireshark's HTTP dissector ends
 * the header at the first such line and shows the rest as the body. */
typedef struct {
    smd_span_t line;  /* without the line end */
    smd_span_t name;  /* the whole line when there is no colon */
    smd_span_t value; /* trimmed; empty when there is no colon */
    bool has_colon;
} smd_hline_t;

typedef struct {
    size_t count;    /* lines stored (at most the max given) */
    size_t total;    /* header lines seen (may exceed count) */
    size_t body_off; /* where the body starts: after the empty line, or where the
                        header lines stopped */
    bool complete;   /* an empty line ended the header lines */
} smd_leftover_t;

/* Most characters a colon-less header line may have. */
#define SMD_MAX_BARE_LINE 64

/* When data begins with a header line without a colon (a token alone on its
 * line, ended by CRLF or LF), reads the header lines that follow up to the
 * empty line and returns true. Stores at most max lines. */
bool servermgrd_leftover_headers(const uint8_t *data, size_t len, smd_hline_t *lines, size_t max,
                                 smd_leftover_t *res);

/* Case-insensitive comparison of a span with a NUL-terminated ASCII name. */
bool servermgrd_span_equals(const uint8_t *data, smd_span_t span, const char *name);

#endif /* SERVERMGRD_PARSE_H */
