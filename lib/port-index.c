/* port-index.c
 * Builds the per-transport port index of the Apple port table.
 *
 * The index is two arrays of 65536 uint16_t (256 KiB in all) holding
 * "group number + 1" for every port, 0 for none, so a lookup is one load.
 * It is built once at start-up and again only when the scope preference or
 * the user table changes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "port-index.h"

#include <glib.h>

#include <stdlib.h>
#include <string.h>

#define PORT_SPACE 65536u

struct al_port_index {
    uint16_t group_of[AL_TRANSPORT_COUNT][PORT_SPACE];
    al_group_t *groups;
    const al_row_t **members;
    size_t n_groups;
    size_t n_rows;
};

typedef struct {
    const al_row_t *row;
    size_t order; /* position in the input, for a stable order */
    bool user;    /* from the user rows */
} entry_t;

static bool same_range(const al_row_t *a, const al_row_t *b)
{
    return a->transport == b->transport && a->port_lo == b->port_lo && a->port_hi == b->port_hi;
}

/* Paint order: per transport, widest first, built-in before user rows (so a
 * later, narrower or user row overwrites), then by range, then input order so
 * that identical ranges are adjacent and keep their file order. */
static int paint_order(const void *pa, const void *pb)
{
    const entry_t *a = pa, *b = pb;
    unsigned wa = al_row_width(a->row), wb = al_row_width(b->row);
    if (a->row->transport != b->row->transport)
        return a->row->transport < b->row->transport ? -1 : 1;
    if (wa != wb)
        return wa > wb ? -1 : 1;
    if (a->user != b->user)
        return a->user ? 1 : -1;
    if (a->row->port_lo != b->row->port_lo)
        return a->row->port_lo < b->row->port_lo ? -1 : 1;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    return 0;
}

static bool overridden(const al_row_t *row, const al_row_t *user, size_t n_user)
{
    for (size_t i = 0; i < n_user; i++) {
        if (same_range(row, &user[i]))
            return true;
    }
    return false;
}

static const al_row_t *nth_row(const al_row_t *builtin, size_t n_builtin, const al_row_t *user,
                               size_t i)
{
    return i < n_builtin ? &builtin[i] : &user[i - n_builtin];
}

/* The scope keeps or drops a port's services together: all of them when one
 * is in scope, so that the warnings, which look at every service on the port
 * ("abandoned" only when each is discontinued), see them all. Dropping the
 * out-of-scope ones alone made --scope legacy call TCP 8080, whose Apache row
 * is current, abandoned for its discontinued JBOSS row. */
static bool range_in_scope(const al_row_t *row, const al_row_t *builtin, size_t n_builtin,
                           const al_row_t *user, size_t n_user, al_row_filter_t keep,
                           const void *keep_data)
{
    for (size_t i = 0; i < n_builtin + n_user; i++) {
        const al_row_t *other = nth_row(builtin, n_builtin, user, i);
        if (!same_range(row, other) || (i < n_builtin && overridden(other, user, n_user)))
            continue;
        if (keep(other, keep_data))
            return true;
    }
    return false;
}

al_port_index_t *al_port_index_new(const al_row_t *builtin, size_t n_builtin, const al_row_t *user,
                                   size_t n_user, al_row_filter_t keep, const void *keep_data)
{
    al_port_index_t *reg = g_new0(al_port_index_t, 1);
    entry_t *entries = g_new0(entry_t, n_builtin + n_user + 1);

    size_t n = 0;
    for (size_t i = 0; i < n_builtin + n_user; i++) {
        const al_row_t *row = nth_row(builtin, n_builtin, user, i);
        if (i < n_builtin && overridden(row, user, n_user))
            continue;
        if (keep && !range_in_scope(row, builtin, n_builtin, user, n_user, keep, keep_data))
            continue;
        entries[n].row = row;
        entries[n].order = i;
        entries[n].user = i >= n_builtin;
        n++;
    }
    qsort(entries, n, sizeof(*entries), paint_order);

    reg->members = g_new0(const al_row_t *, n + 1);
    reg->groups = g_new0(al_group_t, n + 1);
    reg->n_rows = n;

    for (size_t i = 0; i < n; i++) {
        const al_row_t *row = entries[i].row;
        reg->members[i] = row;
        if (i == 0 || !same_range(row, entries[i - 1].row)) {
            reg->groups[reg->n_groups].rows = &reg->members[i];
            reg->groups[reg->n_groups].count = 0;
            reg->n_groups++;
        }
        al_group_t *group = &reg->groups[reg->n_groups - 1];
        group->count++;
        if (group->count == 1 && reg->n_groups <= UINT16_MAX - 1) {
            uint16_t id = (uint16_t)reg->n_groups; /* group number + 1 */
            for (unsigned p = row->port_lo; p <= row->port_hi; p++)
                reg->group_of[row->transport][p] = id;
        }
    }
    g_free(entries);
    return reg;
}

void al_port_index_free(al_port_index_t *reg)
{
    if (!reg)
        return;
    g_free(reg->groups);
    g_free(reg->members);
    g_free(reg);
}

const al_group_t *al_port_index_lookup(const al_port_index_t *reg, al_transport_t transport,
                                       uint16_t port)
{
    uint16_t id = reg->group_of[transport][port];
    return id ? &reg->groups[id - 1] : NULL;
}

size_t al_port_index_row_count(const al_port_index_t *reg)
{
    return reg->n_rows;
}

bool al_find_conflict(const al_row_t *rows, size_t n, al_conflict_t *out)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const al_row_t *a = &rows[i], *b = &rows[j];
            if (a->transport != b->transport || a->port_hi < b->port_lo || b->port_hi < a->port_lo)
                continue;
            out->first = a;
            out->second = b;
            if (same_range(a, b)) {
                if (strcmp(a->service, b->service) != 0)
                    continue; /* one port, two services: both are shown */
                out->reason = "duplicate row: same ports, transport and service";
                return true;
            }
            if (al_row_width(a) == al_row_width(b)) {
                out->reason = "ranges of equal width overlap, so no rule says which wins "
                              "(nest one inside the other or make them disjoint)";
                return true;
            }
        }
    }
    return false;
}
