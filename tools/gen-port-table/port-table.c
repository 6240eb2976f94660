/* port-table.c
 * Validation of data/apple-ports.csv: the header, each field through the same
 * parsers the plugin's user table uses (port-row.c), each row's cross-column
 * rules, and the precedence rules between rows (lib/port-index.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "port-table.h"

#include "csv.h"
#include "port-index.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void report(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static const char *keep_string(port_table_t *t, const char *s)
{
    char *copy = strdup(s);
    char **grown = realloc(t->strings, (t->n_strings + 1) * sizeof(*grown));
    if (!copy || !grown) {
        free(copy);
        if (grown)
            t->strings = grown;
        return NULL;
    }
    t->strings = grown;
    t->strings[t->n_strings++] = copy;
    return copy;
}

/* Fills one row from a record; returns the column of the first bad field and
 * its reason, or NULL. */
static const char *fill_row(port_table_t *t, const csv_record_t *rec, al_row_t *row,
                            al_column_t *bad)
{
    const char *why;
    char *const *f = rec->fields;
    const char **text[AL_COL_COUNT] = {0};

    text[AL_COL_SERVICE] = &row->service;
    text[AL_COL_IANA_NAME] = &row->iana_name;
    text[AL_COL_IANA_DESCRIPTION] = &row->iana_description;
    text[AL_COL_USED_BY] = &row->used_by;
    text[AL_COL_LAST_SEEN_IN] = &row->last_seen_in;
    text[AL_COL_EXPECTED] = &row->expected;
    text[AL_COL_RFC] = &row->rfc;
    text[AL_COL_SOURCES] = &row->sources;
    text[AL_COL_NOTE] = &row->note;

    for (unsigned c = 0; c < AL_COL_COUNT; c++) {
        *bad = (al_column_t)c;
        switch (c) {
        case AL_COL_PORT_LO:
            why = al_parse_port(f[c], &row->port_lo);
            break;
        case AL_COL_PORT_HI:
            why = al_parse_port(f[c], &row->port_hi);
            break;
        case AL_COL_TRANSPORT:
            why = al_parse_transport(f[c], &row->transport);
            break;
        case AL_COL_REGISTRATION:
            why = al_parse_registration(f[c], &row->registration);
            break;
        case AL_COL_LIFECYCLE:
            why = al_parse_lifecycle(f[c], &row->lifecycle);
            break;
        case AL_COL_UNREGISTERED_USE:
            why = al_parse_bool(f[c], &row->unregistered_use);
            break;
        case AL_COL_SERVICE:
        case AL_COL_SOURCES:
            why = al_check_required_text(f[c]);
            break;
        case AL_COL_EXPECTED:
            why = al_check_filter_name(f[c]);
            break;
        case AL_COL_IANA_NAME:
            why = al_check_iana_name(f[c]);
            break;
        default:
            why = al_check_text(f[c]);
            break;
        }
        if (why)
            return why;
        if (text[c] && !(*text[c] = keep_string(t, f[c])))
            return "out of memory";
    }
    return al_check_row(row, bad);
}

int port_table_parse(const char *buf, size_t len, const char *filename, port_table_t *t, char *err,
                     size_t err_size)
{
    csv_reader_t reader;
    csv_record_t rec;
    const char *why = NULL;
    unsigned why_line = 0;
    size_t capacity = 0;
    int rc;

    memset(t, 0, sizeof(*t));
    if (csv_reader_init(&reader, buf, len) != 0) {
        report(err, err_size, "%s: out of memory", filename);
        return -1;
    }

    rc = csv_next(&reader, &rec, &why, &why_line);
    if (rc <= 0) {
        if (rc == 0)
            report(err, err_size, "%s:1: the file is empty; the header line is missing", filename);
        else
            report(err, err_size, "%s:%u: %s", filename, why_line, why);
        goto fail;
    }
    for (unsigned c = 0; c < AL_COL_COUNT; c++) {
        if (rec.count != AL_COL_COUNT || strcmp(rec.fields[c], al_column_names[c]) != 0) {
            report(err, err_size,
                   "%s:%u: header must be exactly the %d columns "
                   "port_lo,port_hi,transport,service,iana_name,iana_description,"
                   "registration,unregistered_use,used_by,lifecycle,last_seen_in,expected,"
                   "rfc,sources,note",
                   filename, rec.line, AL_COL_COUNT);
            goto fail;
        }
    }

    while ((rc = csv_next(&reader, &rec, &why, &why_line)) == 1) {
        if (rec.count != AL_COL_COUNT) {
            report(err, err_size, "%s:%u: %u fields, but the header has %d", filename, rec.line,
                   rec.count, AL_COL_COUNT);
            goto fail;
        }
        if (t->count == capacity) {
            size_t n = capacity ? capacity * 2 : 64;
            al_row_t *grown = realloc(t->rows, n * sizeof(*grown));
            if (!grown) {
                report(err, err_size, "%s: out of memory", filename);
                goto fail;
            }
            t->rows = grown;
            capacity = n;
        }
        al_row_t *row = &t->rows[t->count];
        memset(row, 0, sizeof(*row));
        row->line = rec.line;
        al_column_t bad = AL_COL_PORT_LO;
        why = fill_row(t, &rec, row, &bad);
        if (why) {
            char shown[256]; /* the value with control and non-UTF-8 bytes as \xNN */
            report(err, err_size, "%s:%u: column %s: \"%s\": %s", filename, rec.line,
                   al_column_names[bad],
                   al_escape_value(rec.fields[bad], strlen(rec.fields[bad]), shown, sizeof shown),
                   why);
            goto fail;
        }
        t->count++;
    }
    if (rc < 0) {
        report(err, err_size, "%s:%u: %s", filename, why_line, why);
        goto fail;
    }
    if (t->count == 0) {
        report(err, err_size, "%s:2: the table has a header but no rows", filename);
        goto fail;
    }

    al_conflict_t conflict;
    if (al_find_conflict(t->rows, t->count, &conflict)) {
        report(err, err_size, "%s:%u: %s %u-%u conflicts with line %u (%u-%u): %s", filename,
               conflict.second->line, al_transport_names[conflict.second->transport],
               conflict.second->port_lo, conflict.second->port_hi, conflict.first->line,
               conflict.first->port_lo, conflict.first->port_hi, conflict.reason);
        goto fail;
    }

    csv_reader_free(&reader);
    return 0;

fail:
    csv_reader_free(&reader);
    port_table_free(t);
    return -1;
}

void port_table_free(port_table_t *t)
{
    for (size_t i = 0; i < t->n_strings; i++)
        free(t->strings[i]);
    free(t->strings);
    free(t->rows);
    memset(t, 0, sizeof(*t));
}
