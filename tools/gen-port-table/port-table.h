/* port-table.h
 * Reads and validates data/apple-ports.csv into al_row_t rows.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef GEN_PORT_TABLE_PORT_TABLE_H
#define GEN_PORT_TABLE_PORT_TABLE_H

#include "port-row.h"

typedef struct {
    al_row_t *rows;
    size_t count;
    char **strings; /* every string the rows point to */
    size_t n_strings;
} port_table_t;

/* Parses and validates the whole table. On error returns -1 and writes
 * "FILE:LINE: column NAME: reason" (or "FILE:LINE: reason") into err. */
int port_table_parse(const char *buf, size_t len, const char *filename, port_table_t *table,
                     char *err, size_t err_size);
void port_table_free(port_table_t *table);

#endif /* GEN_PORT_TABLE_PORT_TABLE_H */
