/* registry.h
 * O(1) lookup of (transport, port) in the Apple port registry.
 *
 * Precedence, checked at build time by tools/gen-port-table and applied here:
 *  - on a port covered by several rows of one transport, the narrowest range
 *    wins (625 beats 600-1023);
 *  - rows with the identical range form a group and are all shown (a port used
 *    by two services, e.g. UDP 500 for IKE and for Wi-Fi Calling);
 *  - two different ranges of equal width must not overlap in the built-in data
 *    (al_find_conflict reports it); a user row wins such a tie;
 *  - a user row whose range equals built-in rows' range replaces them.
 *
 * Plain C (no libwireshark, no GLib) so that the generator and the unit tests
 * use exactly this code.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_PORT_INDEX_H
#define APPLELEGACY_PORT_INDEX_H

#include "port-row.h"

typedef struct {
    const al_row_t *const *rows; /* rows sharing one range; at least one */
    unsigned count;
} al_group_t;

typedef struct al_port_index al_port_index_t;

/* Decides which rows enter the index (the scope preference); NULL keeps all. */
typedef bool (*al_row_filter_t)(const al_row_t *row, const void *data);

/* Builds the index. Returns NULL only when memory is exhausted. */
al_port_index_t *al_port_index_new(const al_row_t *builtin, size_t n_builtin, const al_row_t *user,
                                   size_t n_user, al_row_filter_t keep, const void *keep_data);
void al_port_index_free(al_port_index_t *reg);

/* The winning group for (transport, port), or NULL. O(1). */
const al_group_t *al_port_index_lookup(const al_port_index_t *reg, al_transport_t transport,
                                       uint16_t port);

/* Number of rows that made it into the index. */
size_t al_port_index_row_count(const al_port_index_t *reg);

typedef struct {
    const al_row_t *first; /* the earlier row in the input */
    const al_row_t *second;
    const char *reason;
} al_conflict_t;

/* Finds the first pair of rows that break the precedence rules (duplicate row,
 * or equal-width ranges that overlap). Returns false when there is none. */
bool al_find_conflict(const al_row_t *rows, size_t n, al_conflict_t *out);

#endif /* APPLELEGACY_PORT_INDEX_H */
