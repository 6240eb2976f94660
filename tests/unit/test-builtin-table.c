/* test-builtin-table.c
 * The table compiled from data/apple-ports.csv: no row is dead, the legacy
 * ports carry the facts the sources state, and lookups follow precedence.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "builtin-rows.h"
#include "classify.h"
#include "port-index.h"

static al_port_index_t *all_rows;

static const al_row_t *find(al_transport_t t, uint16_t port)
{
    const al_group_t *g = al_port_index_lookup(all_rows, t, port);
    return g ? g->rows[0] : NULL;
}

static void test_size(void)
{
    g_assert_cmpuint(al_builtin_rows_count, >=, 150);
    g_assert_cmpuint(al_port_index_row_count(all_rows), ==, al_builtin_rows_count);
}

/* Every row wins on at least one of its ports: none is hidden entirely by
 * narrower rows, which would make it unreachable. */
static void test_every_row_reachable(void)
{
    for (size_t i = 0; i < al_builtin_rows_count; i++) {
        const al_row_t *row = &al_builtin_rows[i];
        bool reached = false;
        for (unsigned p = row->port_lo; p <= row->port_hi && !reached; p++) {
            const al_group_t *g = al_port_index_lookup(all_rows, row->transport, (uint16_t)p);
            for (unsigned j = 0; g && j < g->count; j++)
                reached = reached || g->rows[j] == row;
        }
        if (!reached)
            g_error("data/apple-ports.csv:%u (%s %u-%u) is never looked up", row->line,
                    al_transport_names[row->transport], row->port_lo, row->port_hi);
    }
}

typedef struct {
    al_transport_t t;
    uint16_t port;
    const char *iana_name;
    al_registration_t registration;
    bool unregistered_use;
    al_lifecycle_t lifecycle;
    const char *expected;
} fact_t;

/* The facts the issue and the sources state for the legacy ports. */
static const fact_t facts[] = {
    {AL_TRANSPORT_TCP, 106, "3com-tsmux", AL_REG_OTHER, true, AL_LC_DISCONTINUED, "pwserver"},
    {AL_TRANSPORT_UDP, 192, "osu-nms", AL_REG_OTHER, false, AL_LC_DISCONTINUED, ""},
    {AL_TRANSPORT_TCP, 311, "asip-webadmin", AL_REG_APPLE, false, AL_LC_DISCONTINUED, "tls"},
    {AL_TRANSPORT_TCP, 625, "dec-dlm", AL_REG_OTHER, true, AL_LC_CURRENT, "dsproxy"},
    {AL_TRANSPORT_TCP, 626, "asia", AL_REG_APPLE, false, AL_LC_DISCONTINUED, ""},
    {AL_TRANSPORT_UDP, 626, "asia", AL_REG_OTHER, true, AL_LC_DISCONTINUED, "serialnumberd"},
    {AL_TRANSPORT_TCP, 660, "mac-srvr-admin", AL_REG_APPLE, false, AL_LC_DISCONTINUED, ""},
    {AL_TRANSPORT_TCP, 687, "asipregistry", AL_REG_APPLE, false, AL_LC_DISCONTINUED, ""},
    {AL_TRANSPORT_UDP, 3283, "Apple-Remote-De", AL_REG_APPLE, false, AL_LC_CURRENT, "ard"},
    {AL_TRANSPORT_TCP, 5009, "winfs", AL_REG_OTHER, true, AL_LC_DISCONTINUED, "acp"},
    {AL_TRANSPORT_TCP, 985, "", AL_REG_UNASSIGNED, false, AL_LC_DISCONTINUED, "rpc"},
    {AL_TRANSPORT_TCP, 80, "http", AL_REG_STANDARD, false, AL_LC_CURRENT, "http"},
    {AL_TRANSPORT_TCP, 443, "https", AL_REG_STANDARD, false, AL_LC_CURRENT, "tls"},
};

static void test_facts(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(facts); i++) {
        const fact_t *f = &facts[i];
        const al_row_t *row = find(f->t, f->port);
        g_test_message("%s %u", al_transport_names[f->t], f->port);
        g_assert_nonnull(row);
        g_assert_cmpuint(row->port_lo, ==, f->port);
        g_assert_cmpuint(row->port_hi, ==, f->port);
        g_assert_cmpstr(row->iana_name, ==, f->iana_name);
        g_assert_cmpstr(al_registration_names[row->registration], ==,
                        al_registration_names[f->registration]);
        g_assert_cmpint(row->unregistered_use, ==, f->unregistered_use);
        g_assert_cmpstr(al_lifecycle_names[row->lifecycle], ==, al_lifecycle_names[f->lifecycle]);
        g_assert_cmpstr(row->expected, ==, f->expected);
        g_assert_nonnull(strstr(row->sources, "apple-"));
    }
}

static void test_last_seen(void)
{
    g_assert_cmpstr(find(AL_TRANSPORT_TCP, 660)->last_seen_in, ==, "Mac OS X Server 10.4");
    g_assert_cmpstr(find(AL_TRANSPORT_TCP, 687)->last_seen_in, ==, "Mac OS X Server 10.6");
    g_assert_cmpstr(find(AL_TRANSPORT_UDP, 626)->last_seen_in, ==, "Mac OS X Server 10.6");
}

static void test_precedence_in_real_data(void)
{
    /* 625 sits inside 600-1023 (RPC); 8080 inside 8000-8999 */
    g_assert_cmpuint(find(AL_TRANSPORT_TCP, 700)->port_lo, ==, 600);
    g_assert_cmpuint(find(AL_TRANSPORT_TCP, 625)->port_lo, ==, 625);
    g_assert_cmpuint(find(AL_TRANSPORT_TCP, 8001)->port_lo, ==, 8000);
    g_assert_cmpuint(find(AL_TRANSPORT_TCP, 8080)->port_lo, ==, 8080);
    g_assert_cmpuint(find(AL_TRANSPORT_TCP, 55555)->port_lo, ==, 49152);
    /* a port used by two services is one group of two rows */
    const al_group_t *g = al_port_index_lookup(all_rows, AL_TRANSPORT_UDP, 500);
    g_assert_cmpuint(g->count, ==, 2);
}

static void test_no_warning_on_standard_ports(void)
{
    /* quiet where nothing is wrong: HTTPS, DNS, HTTP raise nothing */
    g_assert_cmpuint(al_row_warnings(find(AL_TRANSPORT_TCP, 443)), ==, 0);
    g_assert_cmpuint(al_row_warnings(find(AL_TRANSPORT_UDP, 53)), ==, 0);
    g_assert_cmpuint(al_row_warnings(find(AL_TRANSPORT_TCP, 80)), ==, 0);
}

/* The current Apple table decides a port's current facts: where a port has
 * several services, the rows of the current table come first (the first
 * row's lifecycle is the conversation's), the 2010-only ones after them. */
static void test_current_table_rows_first(void)
{
    for (unsigned t = 0; t < AL_TRANSPORT_COUNT; t++) {
        for (unsigned port = 0; port <= 65535; port++) {
            const al_group_t *g = al_port_index_lookup(all_rows, (al_transport_t)t, (uint16_t)port);
            if (!g)
                continue;
            bool seen_2010_only = false;
            for (unsigned i = 0; i < g->count; i++) {
                bool current = strstr(g->rows[i]->sources, "apple-current") != NULL;
                if (current && seen_2010_only)
                    g_test_message("%s/%u: line %u", al_transport_names[t], port, g->rows[i]->line);
                g_assert_false(current && seen_2010_only);
                seen_2010_only |= !current;
            }
        }
    }
    const al_group_t *apns = al_port_index_lookup(all_rows, AL_TRANSPORT_TCP, 5223);
    g_assert_cmpstr(apns->rows[0]->service, ==, "Apple Push Notification Service (APNS)");
    g_assert_cmpuint(al_group_warnings(apns), ==, 0);
}

/* Apple's "unregistered use" is no warning where IANA registers the port to
 * the protocol itself: VNC's rfb on 5900; 5222 is marked in 2010 only. */
static void test_unregistered_use_current_facts(void)
{
    g_assert_true(find(AL_TRANSPORT_TCP, 5900)->unregistered_use);
    g_assert_cmpuint(al_row_warnings(find(AL_TRANSPORT_TCP, 5900)), ==, 0);
    g_assert_false(find(AL_TRANSPORT_TCP, 5222)->unregistered_use);
    g_assert_cmpuint(al_row_warnings(find(AL_TRANSPORT_TCP, 625)), &, AL_WARN_UNREGISTERED_USE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    all_rows = al_port_index_new(al_builtin_rows, al_builtin_rows_count, NULL, 0, NULL, NULL);
    g_test_add_func("/builtin/size", test_size);
    g_test_add_func("/builtin/every-row-reachable", test_every_row_reachable);
    g_test_add_func("/builtin/facts", test_facts);
    g_test_add_func("/builtin/last-seen", test_last_seen);
    g_test_add_func("/builtin/precedence", test_precedence_in_real_data);
    g_test_add_func("/builtin/quiet-standard-ports", test_no_warning_on_standard_ports);
    g_test_add_func("/builtin/current-table-rows-first", test_current_table_rows_first);
    g_test_add_func("/builtin/unregistered-use-current-facts", test_unregistered_use_current_facts);
    int rc = g_test_run();
    al_port_index_free(all_rows);
    return rc;
}
