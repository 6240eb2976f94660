/* builtin-rows.h
 * The rows compiled from data/apple-ports.csv (builtin-rows.c is generated
 * at build time by tools/gen-port-table).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_BUILTIN_ROWS_H
#define APPLELEGACY_BUILTIN_ROWS_H

#include "port-row.h"

extern const al_row_t al_builtin_rows[];
extern const size_t al_builtin_rows_count;

#endif /* APPLELEGACY_BUILTIN_ROWS_H */
