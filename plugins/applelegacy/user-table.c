/* user-table.c
 * The "applelegacy_ports" User Accessible Table: rows with the columns of
 * data/apple-ports.csv that an analyst adds, or that override built-in rows
 * with the same transport and range, without rebuilding the plugin.
 *
 * Every field is checked with the parsers the build uses (port-row.c), so a
 * bad value is refused with a message naming the column.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/uat.h>

#include "ws-compat.h"

#include "applelegacy.h"

typedef struct {
    char *col[AL_COL_COUNT];
    bool bad_field; /* while loading: a field of this record was refused */
} user_rec_t;

/* The row as a whole is checked with the field of this column, the last one
 * record_to_row() parses: Wireshark prefixes a field's message with
 * "applelegacy_ports:LINE: ", not the update callback's, and counts the line
 * one too far for the row's last field. */
#define ROW_CHECK_COLUMN AL_COL_LIFECYCLE
G_STATIC_ASSERT(AL_COL_PORT_LO < ROW_CHECK_COLUMN && AL_COL_PORT_HI < ROW_CHECK_COLUMN &&
                AL_COL_TRANSPORT < ROW_CHECK_COLUMN && AL_COL_SERVICE < ROW_CHECK_COLUMN &&
                AL_COL_IANA_NAME < ROW_CHECK_COLUMN && AL_COL_REGISTRATION < ROW_CHECK_COLUMN &&
                AL_COL_UNREGISTERED_USE < ROW_CHECK_COLUMN);

static user_rec_t *user_recs;
static guint n_user_recs;

/* The rows of the last applelegacy_user_rows() call, kept until the next. */
static al_row_t *user_rows;
static size_t n_user_rows;
static GStringChunk *user_strings; /* the strings user_rows point to */

typedef const char *(*check_fn)(const char *value);

static const char *check_port(const char *v)
{
    uint16_t port;
    return al_parse_port(v, &port);
}

static const char *check_transport(const char *v)
{
    uint8_t t;
    return al_parse_transport(v, &t);
}

static const char *check_registration(const char *v)
{
    uint8_t r;
    return al_parse_registration(v, &r);
}

static const char *check_lifecycle(const char *v)
{
    uint8_t l;
    return al_parse_lifecycle(v, &l);
}

static const char *check_bool(const char *v)
{
    bool b;
    return al_parse_bool(v, &b);
}

static const check_fn column_checks[AL_COL_COUNT] = {
    [AL_COL_PORT_LO] = check_port,
    [AL_COL_PORT_HI] = check_port,
    [AL_COL_TRANSPORT] = check_transport,
    [AL_COL_SERVICE] = al_check_required_text,
    [AL_COL_IANA_NAME] = al_check_iana_name,
    [AL_COL_IANA_DESCRIPTION] = al_check_text,
    [AL_COL_REGISTRATION] = check_registration,
    [AL_COL_UNREGISTERED_USE] = check_bool,
    [AL_COL_USED_BY] = al_check_text,
    [AL_COL_LIFECYCLE] = check_lifecycle,
    [AL_COL_LAST_SEEN_IN] = al_check_text,
    [AL_COL_EXPECTED] = al_check_filter_name,
    [AL_COL_RFC] = al_check_text,
    [AL_COL_SOURCES] = al_check_text,
    [AL_COL_NOTE] = al_check_text,
};

static const char *record_to_row(const user_rec_t *r, al_row_t *row, al_column_t *bad);

/* Checks one field's value (len bytes at ptr, as the UAT file or -o gives
 * it). Returns NULL or the error message, without Wireshark's
 * "applelegacy_ports:LINE: " prefix. rec holds the fields before this one
 * (Wireshark sets them in order, refused ones too, and goes on after an
 * error, the last message winning): ROW_CHECK_COLUMN's check also checks the
 * row as a whole (port_hi below port_lo, ...) when no field was refused. */
static char *check_field(user_rec_t *rec, al_column_t idx, const char *ptr, unsigned len)
{
    char shown[256];
    const char *why = NULL;
    char *value = g_strndup(ptr, len);
    char *message = NULL;

    /* A NUL would silently cut the value where it is. */
    if (memchr(ptr, '\0', len))
        why = "contains a NUL byte";
    else
        why = column_checks[idx](value);
    if (why) {
        message = g_strdup_printf("%s: \"%s\": %s", al_column_names[idx],
                                  al_escape_value(ptr, len, shown, sizeof shown), why);
    } else if (idx == ROW_CHECK_COLUMN && rec && !rec->bad_field) {
        user_rec_t whole = *rec;
        al_row_t row;
        al_column_t bad = AL_COL_PORT_LO;
        whole.col[idx] = value;
        if ((why = record_to_row(&whole, &row, &bad)))
            message = g_strdup_printf("%s: %s", al_column_names[bad], why);
    }
    if (rec) {
        if (idx == 0)
            rec->bad_field = false;
        rec->bad_field = rec->bad_field || message != NULL;
    }
    g_free(value);
    return message;
}

/* The UAT field callbacks: one set per column, generated from its index. */
#define COLUMN_CALLBACKS(name, idx)                                                                \
    static al_uat_bool_t name##_chk(void *rec, const char *ptr, unsigned len, const void *u1 _U_,  \
                                    const void *u2 _U_, char **err)                                \
    {                                                                                              \
        char *message = check_field((user_rec_t *)rec, idx, ptr, len);                             \
        if (message)                                                                               \
            *err = message;                                                                        \
        return message == NULL;                                                                    \
    }                                                                                              \
    static void name##_set(void *rec, const char *buf, unsigned len, const void *u1 _U_,           \
                           const void *u2 _U_)                                                     \
    {                                                                                              \
        user_rec_t *r = (user_rec_t *)rec;                                                         \
        g_free(r->col[idx]);                                                                       \
        r->col[idx] = g_strndup(buf, len);                                                         \
    }                                                                                              \
    static void name##_tostr(void *rec, char **out, unsigned *out_len, const void *u1 _U_,         \
                             const void *u2 _U_)                                                   \
    {                                                                                              \
        const user_rec_t *r = (const user_rec_t *)rec;                                             \
        *out = g_strdup(r->col[idx] ? r->col[idx] : "");                                           \
        *out_len = (unsigned)strlen(*out);                                                         \
    }

COLUMN_CALLBACKS(port_lo, AL_COL_PORT_LO)
COLUMN_CALLBACKS(port_hi, AL_COL_PORT_HI)
COLUMN_CALLBACKS(transport, AL_COL_TRANSPORT)
COLUMN_CALLBACKS(service, AL_COL_SERVICE)
COLUMN_CALLBACKS(iana_name, AL_COL_IANA_NAME)
COLUMN_CALLBACKS(iana_description, AL_COL_IANA_DESCRIPTION)
COLUMN_CALLBACKS(registration, AL_COL_REGISTRATION)
COLUMN_CALLBACKS(unregistered_use, AL_COL_UNREGISTERED_USE)
COLUMN_CALLBACKS(used_by, AL_COL_USED_BY)
COLUMN_CALLBACKS(lifecycle, AL_COL_LIFECYCLE)
COLUMN_CALLBACKS(last_seen_in, AL_COL_LAST_SEEN_IN)
COLUMN_CALLBACKS(expected, AL_COL_EXPECTED)
COLUMN_CALLBACKS(rfc, AL_COL_RFC)
COLUMN_CALLBACKS(sources, AL_COL_SOURCES)
COLUMN_CALLBACKS(note, AL_COL_NOTE)

#define FIELD(name, title, desc)                                                                   \
    {                                                                                              \
#name, title, PT_TXTMOD_STRING,                                                            \
            {name##_chk, name##_set, name##_tostr }, {0, 0, 0 }, 0, desc, FLDFILL                  \
    }

/* Fills an al_row_t from a record whose fields each passed their check.
 * Returns NULL or the reason the row as a whole is refused. */
static const char *record_to_row(const user_rec_t *r, al_row_t *row, al_column_t *bad)
{
    const char *why;
    static const char empty[] = "";
#define COL(i) (r->col[i] ? r->col[i] : empty)
    memset(row, 0, sizeof(*row));
    if ((why = al_parse_port(COL(AL_COL_PORT_LO), &row->port_lo))) {
        *bad = AL_COL_PORT_LO;
        return why;
    }
    if ((why = al_parse_port(COL(AL_COL_PORT_HI), &row->port_hi))) {
        *bad = AL_COL_PORT_HI;
        return why;
    }
    if ((why = al_parse_transport(COL(AL_COL_TRANSPORT), &row->transport))) {
        *bad = AL_COL_TRANSPORT;
        return why;
    }
    if ((why = al_parse_registration(COL(AL_COL_REGISTRATION), &row->registration))) {
        *bad = AL_COL_REGISTRATION;
        return why;
    }
    if ((why = al_parse_lifecycle(COL(AL_COL_LIFECYCLE), &row->lifecycle))) {
        *bad = AL_COL_LIFECYCLE;
        return why;
    }
    if ((why = al_parse_bool(COL(AL_COL_UNREGISTERED_USE), &row->unregistered_use))) {
        *bad = AL_COL_UNREGISTERED_USE;
        return why;
    }
    if ((why = al_check_required_text(COL(AL_COL_SERVICE)))) {
        *bad = AL_COL_SERVICE;
        return why;
    }
    row->user_row = true;
    row->service = COL(AL_COL_SERVICE);
    row->iana_name = COL(AL_COL_IANA_NAME);
    row->iana_description = COL(AL_COL_IANA_DESCRIPTION);
    row->used_by = COL(AL_COL_USED_BY);
    row->last_seen_in = COL(AL_COL_LAST_SEEN_IN);
    row->expected = COL(AL_COL_EXPECTED);
    row->rfc = COL(AL_COL_RFC);
    row->sources = COL(AL_COL_SOURCES)[0] ? COL(AL_COL_SOURCES) : "user";
    row->note = COL(AL_COL_NOTE);
#undef COL
    return al_check_row(row, bad);
}

static al_uat_bool_t user_rec_update(void *rec, char **err)
{
    al_row_t row;
    al_column_t bad = AL_COL_PORT_LO;
    const char *why = record_to_row((const user_rec_t *)rec, &row, &bad);
    if (why) {
        *err = g_strdup_printf("%s: %s", al_column_names[bad], why);
        return FALSE;
    }
    return TRUE;
}

static void *user_rec_copy(void *dest, const void *src, size_t len _U_)
{
    user_rec_t *d = (user_rec_t *)dest;
    const user_rec_t *s = (const user_rec_t *)src;
    for (unsigned i = 0; i < AL_COL_COUNT; i++)
        d->col[i] = g_strdup(s->col[i]);
    d->bad_field = s->bad_field;
    return d;
}

static void user_rec_free(void *rec)
{
    user_rec_t *r = (user_rec_t *)rec;
    for (unsigned i = 0; i < AL_COL_COUNT; i++) {
        g_free(r->col[i]);
        r->col[i] = NULL;
    }
}

/* Frees the copy made by applelegacy_user_rows(), once the registry that
 * points into it is gone: the plugin is unloaded at exit, and memory only a
 * static variable of an unloaded plugin held counts as leaked. */
void applelegacy_user_rows_free(void)
{
    g_free(user_rows);
    user_rows = NULL;
    n_user_rows = 0;
    if (user_strings)
        g_string_chunk_free(user_strings);
    user_strings = NULL;
}

const al_row_t *applelegacy_user_rows(size_t *count)
{
    /* A copy, so that editing the table never frees strings that the
     * registry of the running dissection still points to. */
    applelegacy_user_rows_free();
    user_strings = g_string_chunk_new(1024);
    user_rows = g_new0(al_row_t, n_user_recs + 1);
    n_user_rows = 0;
    for (guint i = 0; i < n_user_recs; i++) {
        al_column_t bad;
        al_row_t *row = &user_rows[n_user_rows];
        /* Records were checked when loaded; a row that still fails is skipped. */
        if (record_to_row(&user_recs[i], row, &bad) != NULL)
            continue;
        const char **strings[] = {&row->service, &row->iana_name,    &row->iana_description,
                                  &row->used_by, &row->last_seen_in, &row->expected,
                                  &row->rfc,     &row->sources,      &row->note};
        for (size_t j = 0; j < G_N_ELEMENTS(strings); j++)
            *strings[j] = g_string_chunk_insert_const(user_strings, *strings[j]);
        n_user_rows++;
    }
    *count = n_user_rows;
    return user_rows;
}

struct epan_uat *applelegacy_user_table_new(void (*changed)(void))
{
    static uat_field_t fields[] = {
        FIELD(port_lo, "First port", "First port of the row (0-65535)"),
        FIELD(port_hi, "Last port", "Last port of the row; equal to the first for one port"),
        FIELD(transport, "Transport", "tcp or udp"),
        FIELD(service, "Service", "Apple's name for the service"),
        FIELD(iana_name, "IANA name", "IANA keyword for the port; empty when unassigned"),
        FIELD(iana_description, "IANA description", "IANA's description"),
        FIELD(registration, "Registration", "apple, standard, other, unassigned or mixed"),
        FIELD(unregistered_use, "Unregistered use", "true where Apple calls the use unregistered"),
        FIELD(used_by, "Used by", "Apple products"),
        FIELD(lifecycle, "Lifecycle", "current, legacy or discontinued"),
        FIELD(last_seen_in, "Last seen in", "Last release with this use"),
        FIELD(expected, "Expected protocol", "Display-filter name of the expected protocol"),
        FIELD(rfc, "RFC", "RFC numbers"),
        FIELD(sources, "Sources", "Where the row comes from"),
        FIELD(note, "Note", "Free text"),
        UAT_END_FIELDS,
    };
    return uat_new("Apple legacy port rows", sizeof(user_rec_t), "applelegacy_ports", TRUE,
                   &user_recs, &n_user_recs, UAT_AFFECTS_DISSECTION, NULL, /* help */
                   user_rec_copy, user_rec_update, user_rec_free, changed, NULL, fields);
}
