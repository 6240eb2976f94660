/* port-row.h
 * One row of the Apple port registry (data/apple-ports.csv) and the parsers
 * for its columns.
 *
 * This file and port-row.c are plain C99 without libwireshark: the build-time
 * generator (tools/gen-port-table), the plugin's user table (UAT) and the unit
 * tests all validate values with the same functions, so a value the build
 * accepts is exactly a value the plugin accepts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_PORT_ROW_H
#define APPLELEGACY_PORT_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { AL_TRANSPORT_TCP = 0, AL_TRANSPORT_UDP = 1, AL_TRANSPORT_COUNT } al_transport_t;

/* Who IANA gives the port to (truth: the services file shipped with Wireshark). */
typedef enum {
    AL_REG_APPLE = 0,  /* assigned to this Apple service (660 mac-srvr-admin) */
    AL_REG_STANDARD,   /* assigned to the standard protocol Apple uses (80 http) */
    AL_REG_OTHER,      /* assigned to an unrelated service (625 dec-dlm) */
    AL_REG_UNASSIGNED, /* IANA lists nothing */
    AL_REG_MIXED,      /* a range spanning several IANA assignments */
    AL_REG_COUNT
} al_registration_t;

typedef enum {
    AL_LC_CURRENT = 0,  /* still shipped */
    AL_LC_LEGACY,       /* product exists, this use is gone or deprecated */
    AL_LC_DISCONTINUED, /* the product is gone */
    AL_LC_COUNT
} al_lifecycle_t;

/* The columns of data/apple-ports.csv, in file order. */
typedef enum {
    AL_COL_PORT_LO = 0,
    AL_COL_PORT_HI,
    AL_COL_TRANSPORT,
    AL_COL_SERVICE,
    AL_COL_IANA_NAME,
    AL_COL_IANA_DESCRIPTION,
    AL_COL_REGISTRATION,
    AL_COL_UNREGISTERED_USE,
    AL_COL_USED_BY,
    AL_COL_LIFECYCLE,
    AL_COL_LAST_SEEN_IN,
    AL_COL_EXPECTED,
    AL_COL_RFC,
    AL_COL_SOURCES,
    AL_COL_NOTE,
    AL_COL_COUNT
} al_column_t;

typedef struct {
    uint16_t port_lo;
    uint16_t port_hi;
    uint8_t transport;    /* al_transport_t */
    uint8_t registration; /* al_registration_t */
    uint8_t lifecycle;    /* al_lifecycle_t */
    bool unregistered_use;
    bool user_row; /* from the user table, not from data/apple-ports.csv */
    uint32_t line; /* line in data/apple-ports.csv (0 for user rows) */
    const char *service;
    const char *iana_name;
    const char *iana_description;
    const char *used_by;
    const char *last_seen_in;
    const char *expected;
    const char *rfc;
    const char *sources;
    const char *note;
} al_row_t;

extern const char *const al_column_names[AL_COL_COUNT];
extern const char *const al_transport_names[AL_TRANSPORT_COUNT];
extern const char *const al_registration_names[AL_REG_COUNT];
extern const char *const al_lifecycle_names[AL_LC_COUNT];

/* Each parser returns NULL on success, or a static English reason ("not a port
 * number (0-65535)") on failure. Input is a NUL-terminated field value. */
const char *al_parse_port(const char *s, uint16_t *out);
const char *al_parse_transport(const char *s, uint8_t *out);
const char *al_parse_registration(const char *s, uint8_t *out);
const char *al_parse_lifecycle(const char *s, uint8_t *out);
const char *al_parse_bool(const char *s, bool *out);
/* expected: empty, or a display-filter protocol name ([a-z0-9_.-]+). */
const char *al_check_filter_name(const char *s);
/* iana_name: empty, or a keyword as the IANA file spells it (printable ASCII,
 * no spaces: "Apple-Remote-De", "asip-webadmin"). */
const char *al_check_iana_name(const char *s);
/* free text columns: UTF-8 text without control characters. */
const char *al_check_text(const char *s);
/* A value as an error message may quote it: control bytes, a NUL and bytes
 * that are not UTF-8 as \xNN, valid UTF-8 as it is; cut with "..." to fit
 * size bytes (with the terminating NUL). len: the bytes of s. Returns out. */
char *al_escape_value(const char *s, size_t len, char *out, size_t size);
/* required text columns (service): non-empty free text. */
const char *al_check_required_text(const char *s);

/* Checks that relate several columns of one row (hi >= lo, "mixed" only on a
 * range, unassigned <=> no IANA name on a single port). Returns NULL or a
 * reason, and sets *column to the column the reason is about. */
const char *al_check_row(const al_row_t *row, al_column_t *column);

static inline bool al_row_is_range(const al_row_t *row)
{
    return row->port_hi > row->port_lo;
}

static inline unsigned al_row_width(const al_row_t *row)
{
    return (unsigned)row->port_hi - row->port_lo + 1;
}

#endif /* APPLELEGACY_PORT_ROW_H */
