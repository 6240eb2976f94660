/* fuzz-port-table.c
 * libFuzzer target: the CSV-to-C generator's reader and validator
 * (tools/gen-port-table/csv.c and port-table.c), then the registry index
 * built from a table that passed (lib/port-index.c).
 *
 * Checks: the CSV reader's records stay within its limits; a rejected table
 * gives a "FILE:LINE: reason" message; an accepted one holds only rows that
 * pass al_check_row() and no conflict, and every port of every row is found
 * in the index by a group that covers it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "csv.h"
#include "port-table.h"
#include "port-index.h"

static void check_csv(const char *buf, size_t size)
{
    csv_reader_t r;
    csv_record_t rec;
    const char *why = NULL;
    unsigned why_line = 0, last_line = 0;
    int rc;

    if (csv_reader_init(&r, buf, size) != 0)
        abort();
    while ((rc = csv_next(&r, &rec, &why, &why_line)) == 1) {
        FUZZ_CHECK(rec.count >= 1 && rec.count <= CSV_MAX_FIELDS);
        FUZZ_CHECK(rec.line > last_line);
        last_line = rec.line;
        for (unsigned i = 0; i < rec.count; i++)
            FUZZ_CHECK(rec.fields[i] != NULL && strlen(rec.fields[i]) <= size);
    }
    if (rc < 0)
        FUZZ_CHECK(why != NULL && why_line >= 1);
    else
        FUZZ_CHECK(rc == 0);
    csv_reader_free(&r);
}

static bool covers(const al_group_t *g, uint16_t port)
{
    for (unsigned i = 0; i < g->count; i++) {
        if (g->rows[i]->port_lo > port || g->rows[i]->port_hi < port)
            return false;
    }
    return g->count > 0;
}

static void check_registry(const port_table_t *t, uint16_t probe)
{
    al_port_index_t *reg = al_port_index_new(t->rows, t->count, NULL, 0, NULL, NULL);
    FUZZ_CHECK(reg != NULL);
    FUZZ_CHECK(al_port_index_row_count(reg) == t->count);
    for (size_t i = 0; i < t->count; i++) {
        const al_row_t *row = &t->rows[i];
        const al_group_t *g;
        g = al_port_index_lookup(reg, (al_transport_t)row->transport, row->port_lo);
        FUZZ_CHECK(g && covers(g, row->port_lo));
        g = al_port_index_lookup(reg, (al_transport_t)row->transport, row->port_hi);
        FUZZ_CHECK(g && covers(g, row->port_hi));
    }
    for (int tr = 0; tr < AL_TRANSPORT_COUNT; tr++) {
        const al_group_t *g = al_port_index_lookup(reg, (al_transport_t)tr, probe);
        if (g)
            FUZZ_CHECK(covers(g, probe) && g->rows[0]->transport == tr);
    }
    al_port_index_free(reg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    port_table_t t;
    char err[512];
    const char *buf = (const char *)data;

    check_csv(buf, size);

    memset(err, 'x', sizeof err);
    if (port_table_parse(buf, size, "fuzz.csv", &t, err, sizeof err) == 0) {
        FUZZ_CHECK(t.count > 0 && t.rows != NULL);
        for (size_t i = 0; i < t.count; i++) {
            al_column_t col;
            const al_row_t *row = &t.rows[i];
            FUZZ_CHECK(al_check_row(row, &col) == NULL);
            FUZZ_CHECK(row->port_lo <= row->port_hi && row->transport < AL_TRANSPORT_COUNT);
            FUZZ_CHECK(row->line >= 2 && !row->user_row);
            FUZZ_CHECK(row->service != NULL && row->note != NULL);
        }
        al_conflict_t conflict;
        FUZZ_CHECK(!al_find_conflict(t.rows, t.count, &conflict));
        check_registry(&t, (uint16_t)fuzz_be(data, size, 0, 2));
        port_table_free(&t);
    } else {
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        FUZZ_CHECK(strncmp(err, "fuzz.csv:", 9) == 0);
        FUZZ_CHECK(t.rows == NULL && t.count == 0);
    }
    return 0;
}
