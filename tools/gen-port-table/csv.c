/* csv.c
 * A strict RFC 4180 reader: fields separated by commas, records by LF or CRLF,
 * fields that hold a comma, quote or line break quoted with '"' and inner
 * quotes doubled. Anything else (a quote inside an unquoted field, text after
 * a closing quote, an unterminated quote, a NUL byte) is an error.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

int csv_reader_init(csv_reader_t *r, const char *buf, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->len = len;
    r->line = 1;
    r->scratch_size = len + CSV_MAX_FIELDS + 1;
    r->scratch = malloc(r->scratch_size);
    return r->scratch ? 0 : -1;
}

void csv_reader_free(csv_reader_t *r)
{
    free(r->scratch);
    r->scratch = NULL;
}

static int fail(const char **error, unsigned *error_line, const char *why, unsigned line)
{
    *error = why;
    *error_line = line;
    return -1;
}

int csv_next(csv_reader_t *r, csv_record_t *rec, const char **error, unsigned *error_line)
{
    if (r->pos >= r->len)
        return 0;

    char *out = r->scratch;
    rec->count = 0;
    rec->line = r->line;

    for (;;) { /* one field per iteration */
        if (rec->count == CSV_MAX_FIELDS)
            return fail(error, error_line, "too many fields", r->line);
        rec->fields[rec->count++] = out;

        if (r->pos < r->len && r->buf[r->pos] == '"') {
            r->pos++;
            for (;;) {
                if (r->pos >= r->len)
                    return fail(error, error_line, "unterminated quoted field", rec->line);
                char c = r->buf[r->pos++];
                if (c == '\0')
                    return fail(error, error_line, "NUL byte in the file", r->line);
                if (c == '"') {
                    if (r->pos < r->len && r->buf[r->pos] == '"') {
                        *out++ = '"';
                        r->pos++;
                        continue;
                    }
                    break;
                }
                if (c == '\n')
                    r->line++;
                *out++ = c;
            }
            if (r->pos < r->len && r->buf[r->pos] != ',' && r->buf[r->pos] != '\n' &&
                r->buf[r->pos] != '\r')
                return fail(error, error_line, "text after the closing quote of a field", r->line);
        } else {
            while (r->pos < r->len) {
                char c = r->buf[r->pos];
                if (c == ',' || c == '\n' || c == '\r')
                    break;
                if (c == '"')
                    return fail(error, error_line,
                                "quote inside an unquoted field (quote the whole field and "
                                "double the inner quote)",
                                r->line);
                if (c == '\0')
                    return fail(error, error_line, "NUL byte in the file", r->line);
                *out++ = c;
                r->pos++;
            }
        }
        *out++ = '\0';

        if (r->pos >= r->len)
            break;
        char sep = r->buf[r->pos++];
        if (sep == ',')
            continue;
        if (sep == '\r') {
            if (r->pos >= r->len || r->buf[r->pos] != '\n')
                return fail(error, error_line, "carriage return without line feed", r->line);
            r->pos++;
        }
        r->line++;
        break;
    }

    if (rec->count == 1 && rec->fields[0][0] == '\0')
        return fail(error, error_line, "empty line", rec->line);
    return 1;
}
