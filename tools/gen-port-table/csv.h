/* csv.h
 * A strict RFC 4180 reader over a memory buffer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef GEN_PORT_TABLE_CSV_H
#define GEN_PORT_TABLE_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 64

typedef struct {
    char *fields[CSV_MAX_FIELDS]; /* NUL-terminated, owned by the reader */
    unsigned count;
    unsigned line; /* line on which the record starts (1-based) */
} csv_record_t;

typedef struct {
    const char *buf;
    size_t len;
    size_t pos;
    unsigned line;
    char *scratch; /* holds the current record's fields */
    size_t scratch_size;
} csv_reader_t;

/* Returns 0 when the reader is ready, -1 when out of memory. */
int csv_reader_init(csv_reader_t *r, const char *buf, size_t len);
void csv_reader_free(csv_reader_t *r);

/* Reads the next record. Returns 1 with a record, 0 at the end of input, -1
 * on a syntax error with *error set to a static reason and *error_line to the
 * line of the error. An empty line is an error: the table has no blank rows. */
int csv_next(csv_reader_t *r, csv_record_t *rec, const char **error, unsigned *error_line);

#endif /* GEN_PORT_TABLE_CSV_H */
