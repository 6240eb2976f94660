/* user-table.c
 * The "applelegacy_ports" User Accessible Table: rows with the columns of
 * data/apple-ports.csv that an analyst adds, or that override built-in rows
 * with the same transport and range, without rebuilding the plugin.
 *
 * The columns are Wireshark's stock UAT fields: numbers for the ports,
 * drop-downs for transport, registration and lifecycle, a checkbox for
 * unregistered use (TRUE or FALSE in the file; the true and false of files
 * written before it was a checkbox read the same), text for the rest. Every
 * field is checked with the parsers the build uses (port-row.c), so a bad
 * value is refused with a message naming the column.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/uat.h>
#include <wsutil/strtoi.h>

#include "ws-compat.h"

#include "applelegacy.h"

/* One row. The members are named after the columns (al_column_names): the
 * stock UAT macros make those the field names of the UAT. */
typedef struct {
    uint32_t port_lo;
    uint32_t port_hi;
    unsigned transport; /* al_transport_t, or NOT_CHOSEN */
    char *service;
    char *iana_name;
    char *iana_description;
    unsigned registration; /* al_registration_t, or NOT_CHOSEN */
    bool unregistered_use;
    char *used_by;
    unsigned lifecycle; /* al_lifecycle_t, or NOT_CHOSEN */
    char *last_seen_in;
    char *expected;
    char *rfc;
    char *sources;
    char *note;
    bool bad_field; /* while loading: a field of this record was refused */
} user_rec_t;

/* A drop-down set to a name that is not one of its choices (a new row in
 * the GUI, a refused value): shown empty, and refused by its check. */
#define NOT_CHOSEN UINT_MAX

/* The record's text columns, for copying and freeing. */
#define TEXT_COLUMNS(r)                                                                            \
    {                                                                                              \
        &(r)->service, &(r)->iana_name, &(r)->iana_description, &(r)->used_by, &(r)->last_seen_in, \
            &(r)->expected, &(r)->rfc, &(r)->sources, &(r)->note                                   \
    }

/* The row as a whole is checked with the field of this column, the last one
 * record_to_row() reads: Wireshark prefixes a field's message with
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

/* The drop-downs' choices: the names port-row.c parses, filled in by
 * applelegacy_user_table_new(). */
static value_string transport_vs[AL_TRANSPORT_COUNT + 1];
static value_string registration_vs[AL_REG_COUNT + 1];
static value_string lifecycle_vs[AL_LC_COUNT + 1];

/* Wireshark's stock set and to-string callbacks of each column. */
UAT_DEC_CB_DEF(user_rec, port_lo, user_rec_t)
UAT_DEC_CB_DEF(user_rec, port_hi, user_rec_t)
UAT_VS_DEF(user_rec, transport, user_rec_t, unsigned, NOT_CHOSEN, "")
UAT_CSTRING_CB_DEF(user_rec, service, user_rec_t)
UAT_CSTRING_CB_DEF(user_rec, iana_name, user_rec_t)
UAT_CSTRING_CB_DEF(user_rec, iana_description, user_rec_t)
UAT_VS_DEF(user_rec, registration, user_rec_t, unsigned, NOT_CHOSEN, "")
AL_UAT_BOOL_CB_DEF(user_rec, unregistered_use, user_rec_t)
UAT_CSTRING_CB_DEF(user_rec, used_by, user_rec_t)
UAT_VS_DEF(user_rec, lifecycle, user_rec_t, unsigned, NOT_CHOSEN, "")
UAT_CSTRING_CB_DEF(user_rec, last_seen_in, user_rec_t)
UAT_CSTRING_CB_DEF(user_rec, expected, user_rec_t)
UAT_CSTRING_CB_DEF(user_rec, rfc, user_rec_t)
UAT_CSTRING_CB_DEF(user_rec, sources, user_rec_t)
UAT_CSTRING_CB_DEF(user_rec, note, user_rec_t)

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
    /* What the GUI's checkbox sets and Wireshark writes to the file. */
    if (strcmp(v, "TRUE") == 0 || strcmp(v, "FALSE") == 0)
        return NULL;
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

/* Checks one field's value (len bytes at ptr: the text of the UAT file or
 * -o, or what the GUI shows in the field). Returns NULL or the error
 * message, without Wireshark's "applelegacy_ports:LINE: " prefix. rec holds
 * the fields before this one (Wireshark sets them in order, refused ones
 * too, and goes on after an error, the last message winning):
 * ROW_CHECK_COLUMN's check also checks the row as a whole (port_hi below
 * port_lo, ...) when no field was refused. */
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
        uint8_t lifecycle;
        al_parse_lifecycle(value, &lifecycle);
        whole.lifecycle = lifecycle;
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

/* The check callback of each column. */
#define COLUMN_CHECK(name, idx)                                                                    \
    static al_uat_bool_t name##_chk(void *rec, const char *ptr, unsigned len, const void *u1 _U_,  \
                                    const void *u2 _U_, char **err)                                \
    {                                                                                              \
        char *message = check_field((user_rec_t *)rec, idx, ptr, len);                             \
        if (message)                                                                               \
            *err = message;                                                                        \
        return message == NULL;                                                                    \
    }

COLUMN_CHECK(port_lo, AL_COL_PORT_LO)
COLUMN_CHECK(port_hi, AL_COL_PORT_HI)
COLUMN_CHECK(transport, AL_COL_TRANSPORT)
COLUMN_CHECK(service, AL_COL_SERVICE)
COLUMN_CHECK(iana_name, AL_COL_IANA_NAME)
COLUMN_CHECK(iana_description, AL_COL_IANA_DESCRIPTION)
COLUMN_CHECK(registration, AL_COL_REGISTRATION)
COLUMN_CHECK(unregistered_use, AL_COL_UNREGISTERED_USE)
COLUMN_CHECK(used_by, AL_COL_USED_BY)
COLUMN_CHECK(lifecycle, AL_COL_LIFECYCLE)
COLUMN_CHECK(last_seen_in, AL_COL_LAST_SEEN_IN)
COLUMN_CHECK(expected, AL_COL_EXPECTED)
COLUMN_CHECK(rfc, AL_COL_RFC)
COLUMN_CHECK(sources, AL_COL_SOURCES)
COLUMN_CHECK(note, AL_COL_NOTE)

static const uat_fld_chk_cb_t column_chks[AL_COL_COUNT] = {
    port_lo_chk,   port_hi_chk,          transport_chk,    service_chk,
    iana_name_chk, iana_description_chk, registration_chk, unregistered_use_chk,
    used_by_chk,   lifecycle_chk,        last_seen_in_chk, expected_chk,
    rfc_chk,       sources_chk,          note_chk,
};

/* The columns, in column order, as Wireshark's stock UAT field macros
 * declare them; applelegacy_user_table_new() gives each the check of its
 * column above instead of the stock one (uat_fld_chk_num_dec, ...), so that
 * a value is checked as the build checks it and refused with its column's
 * name. */
static uat_field_t user_fields[] = {
    UAT_FLD_DEC(user_rec, port_lo, "First port", "First port of the row (0-65535)"),
    UAT_FLD_DEC(user_rec, port_hi, "Last port",
                "Last port of the row; equal to the first for one port"),
    UAT_FLD_VS(user_rec, transport, "Transport", transport_vs, "tcp or udp"),
    UAT_FLD_CSTRING(user_rec, service, "Service", "Apple's name for the service"),
    UAT_FLD_CSTRING(user_rec, iana_name, "IANA name",
                    "IANA keyword for the port; empty when unassigned"),
    UAT_FLD_CSTRING(user_rec, iana_description, "IANA description", "IANA's description"),
    UAT_FLD_VS(user_rec, registration, "Registration", registration_vs,
               "Who IANA assigns the port to: this Apple service, the standard protocol Apple "
               "uses, another service, nobody (unassigned), or several (mixed, ranges only)"),
    UAT_FLD_BOOL(user_rec, unregistered_use, "Unregistered use",
                 "Checked where Apple calls its use of the port unregistered"),
    UAT_FLD_CSTRING(user_rec, used_by, "Used by", "Apple products"),
    UAT_FLD_VS(user_rec, lifecycle, "Lifecycle", lifecycle_vs,
               "current (still shipped), legacy (the use is gone or deprecated) or discontinued "
               "(the product is gone)"),
    UAT_FLD_CSTRING(user_rec, last_seen_in, "Last seen in", "Last release with this use"),
    UAT_FLD_CSTRING(user_rec, expected, "Expected protocol",
                    "Display-filter name of the expected protocol"),
    UAT_FLD_CSTRING(user_rec, rfc, "RFC", "RFC numbers"),
    UAT_FLD_CSTRING(user_rec, sources, "Sources", "Where the row comes from"),
    UAT_FLD_CSTRING(user_rec, note, "Note", "Free text"),
    UAT_END_FIELDS,
};
G_STATIC_ASSERT(G_N_ELEMENTS(user_fields) == AL_COL_COUNT + 1);

/* The name a drop-down shows for value, or "" (NOT_CHOSEN). */
static const char *choice_name(unsigned value, const char *const *names, unsigned count)
{
    return value < count ? names[value] : "";
}

/* Fills an al_row_t from a record: its values as the table shows them,
 * parsed as the build parses the CSV. Returns NULL or the reason the row is
 * refused. */
static const char *record_to_row(const user_rec_t *r, al_row_t *row, al_column_t *bad)
{
    const char *why;
    char port[16];
    static const char empty[] = "";
#define TEXT(s) ((s) ? (s) : empty)
    memset(row, 0, sizeof(*row));
    snprintf(port, sizeof port, "%u", r->port_lo);
    if ((why = al_parse_port(port, &row->port_lo))) {
        *bad = AL_COL_PORT_LO;
        return why;
    }
    snprintf(port, sizeof port, "%u", r->port_hi);
    if ((why = al_parse_port(port, &row->port_hi))) {
        *bad = AL_COL_PORT_HI;
        return why;
    }
    if ((why = al_parse_transport(choice_name(r->transport, al_transport_names, AL_TRANSPORT_COUNT),
                                  &row->transport))) {
        *bad = AL_COL_TRANSPORT;
        return why;
    }
    if ((why = al_parse_registration(
             choice_name(r->registration, al_registration_names, AL_REG_COUNT),
             &row->registration))) {
        *bad = AL_COL_REGISTRATION;
        return why;
    }
    if ((why = al_parse_lifecycle(choice_name(r->lifecycle, al_lifecycle_names, AL_LC_COUNT),
                                  &row->lifecycle))) {
        *bad = AL_COL_LIFECYCLE;
        return why;
    }
    if ((why = al_check_required_text(TEXT(r->service)))) {
        *bad = AL_COL_SERVICE;
        return why;
    }
    row->unregistered_use = r->unregistered_use;
    row->user_row = true;
    row->service = TEXT(r->service);
    row->iana_name = TEXT(r->iana_name);
    row->iana_description = TEXT(r->iana_description);
    row->used_by = TEXT(r->used_by);
    row->last_seen_in = TEXT(r->last_seen_in);
    row->expected = TEXT(r->expected);
    row->rfc = TEXT(r->rfc);
    row->sources = TEXT(r->sources)[0] ? TEXT(r->sources) : "user";
    row->note = TEXT(r->note);
#undef TEXT
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
    *d = *(const user_rec_t *)src;
    char **texts[] = TEXT_COLUMNS(d);
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++)
        *texts[i] = g_strdup(*texts[i]);
    return d;
}

static void user_rec_free(void *rec)
{
    char **texts[] = TEXT_COLUMNS((user_rec_t *)rec);
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_free(*texts[i]);
        *texts[i] = NULL;
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

static void fill_choices(value_string *vs, const char *const *names, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        vs[i].value = i;
        vs[i].strptr = names[i];
    }
    vs[count].value = 0;
    vs[count].strptr = NULL;
}

struct epan_uat *applelegacy_user_table_new(void (*changed)(void))
{
    fill_choices(transport_vs, al_transport_names, AL_TRANSPORT_COUNT);
    fill_choices(registration_vs, al_registration_names, AL_REG_COUNT);
    fill_choices(lifecycle_vs, al_lifecycle_names, AL_LC_COUNT);
    for (unsigned i = 0; i < AL_COL_COUNT; i++)
        user_fields[i].cb.chk = column_chks[i];
    return uat_new("Apple legacy port rows", sizeof(user_rec_t), "applelegacy_ports", TRUE,
                   &user_recs, &n_user_recs, UAT_AFFECTS_DISSECTION, NULL, /* help */
                   user_rec_copy, user_rec_update, user_rec_free, changed, NULL, user_fields);
}
