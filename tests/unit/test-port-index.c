/* test-port-index.c
 * Index building, precedence and overrides of port-index.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "port-index.h"
#include "rows-fixture.h"

static const char *service_at(const al_port_index_t *reg, al_transport_t t, uint16_t port)
{
    const al_group_t *g = al_port_index_lookup(reg, t, port);
    return g ? g->rows[0]->service : NULL;
}

static void test_single_ports(void)
{
    al_port_index_t *reg = al_port_index_new(fixture_rows, N_FIXTURE, NULL, 0, NULL, NULL);
    g_assert_cmpstr(service_at(reg, T, 625), ==, "DSProxy");
    g_assert_cmpstr(service_at(reg, T, 660), ==, "Server Admin");
    g_assert_cmpstr(service_at(reg, U, 3283), ==, "Net Assistant");
    g_assert_null(service_at(reg, T, 3283)); /* the row is UDP only */
    g_assert_null(service_at(reg, U, 625));
    g_assert_null(service_at(reg, T, 22));
    g_assert_null(service_at(reg, T, 0));
    g_assert_cmpuint(al_port_index_row_count(reg), ==, N_FIXTURE);
    al_port_index_free(reg);
}

static void test_narrowest_range_wins(void)
{
    al_port_index_t *reg = al_port_index_new(fixture_rows, N_FIXTURE, NULL, 0, NULL, NULL);
    g_assert_cmpstr(service_at(reg, T, 600), ==, "RPC services");
    g_assert_cmpstr(service_at(reg, T, 624), ==, "RPC services");
    g_assert_cmpstr(service_at(reg, T, 625), ==, "DSProxy");
    g_assert_cmpstr(service_at(reg, T, 1023), ==, "RPC services");
    g_assert_null(service_at(reg, T, 1024));
    g_assert_cmpstr(service_at(reg, T, 8079), ==, "Web service");
    g_assert_cmpstr(service_at(reg, T, 8080), ==, "Apache alternate");
    g_assert_cmpstr(service_at(reg, T, 50003), ==, "FileMaker");
    g_assert_cmpstr(service_at(reg, T, 65535), ==, "Xsan");
    al_port_index_free(reg);
}

static void test_identical_range_is_one_group(void)
{
    al_port_index_t *reg = al_port_index_new(fixture_rows, N_FIXTURE, NULL, 0, NULL, NULL);
    const al_group_t *g = al_port_index_lookup(reg, U, 500);
    g_assert_nonnull(g);
    g_assert_cmpuint(g->count, ==, 2);
    /* file order is kept inside a group */
    g_assert_cmpstr(g->rows[0]->service, ==, "ISAKMP/IKE");
    g_assert_cmpstr(g->rows[1]->service, ==, "Wi-Fi Calling");
    al_port_index_free(reg);
}

static bool only_discontinued(const al_row_t *row, const void *data)
{
    (void)data;
    return row->lifecycle == AL_LC_DISCONTINUED;
}

static void test_filter(void)
{
    al_port_index_t *reg =
        al_port_index_new(fixture_rows, N_FIXTURE, NULL, 0, only_discontinued, NULL);
    g_assert_cmpstr(service_at(reg, T, 660), ==, "Server Admin");
    g_assert_null(service_at(reg, T, 443));
    /* a port's services stay together: the discontinued ISAKMP keeps the
     * current Wi-Fi Calling (so the port is not "abandoned"), and the wider
     * row is still not uncovered */
    const al_group_t *g = al_port_index_lookup(reg, U, 500);
    g_assert_nonnull(g);
    g_assert_cmpuint(g->count, ==, 2);
    g_assert_cmpstr(g->rows[0]->service, ==, "ISAKMP/IKE");
    g_assert_cmpstr(g->rows[1]->service, ==, "Wi-Fi Calling");
    /* 8080 is current and filtered out, so the (current) web range is too */
    g_assert_null(service_at(reg, T, 8080));
    al_port_index_free(reg);
}

static void test_user_rows_override_and_add(void)
{
    const al_row_t user[] = {
        ROW(660, 660, T, AL_REG_APPLE, AL_LC_CURRENT, false, "My Server Admin", "mac-srvr-admin"),
        ROW(7000, 7000, U, AL_REG_UNASSIGNED, AL_LC_LEGACY, false, "Lab tool", ""),
    };
    al_port_index_t *reg = al_port_index_new(fixture_rows, N_FIXTURE, user, 2, NULL, NULL);
    const al_group_t *g = al_port_index_lookup(reg, T, 660);
    g_assert_cmpuint(g->count, ==, 1);
    g_assert_cmpstr(g->rows[0]->service, ==, "My Server Admin");
    g_assert_cmpstr(service_at(reg, U, 7000), ==, "Lab tool");
    g_assert_cmpstr(service_at(reg, T, 625), ==, "DSProxy");
    g_assert_cmpuint(al_port_index_row_count(reg), ==, N_FIXTURE + 1);
    al_port_index_free(reg);
}

static void test_user_row_wins_equal_width_tie(void)
{
    const al_row_t user[] = {
        ROW(620, 630, T, AL_REG_UNASSIGNED, AL_LC_LEGACY, false, "User range", ""),
    };
    const al_row_t builtin[] = {
        ROW(625, 635, T, AL_REG_UNASSIGNED, AL_LC_LEGACY, false, "Built-in range", ""),
    };
    al_port_index_t *reg = al_port_index_new(builtin, 1, user, 1, NULL, NULL);
    g_assert_cmpstr(service_at(reg, T, 626), ==, "User range");
    g_assert_cmpstr(service_at(reg, T, 633), ==, "Built-in range");
    al_port_index_free(reg);
}

static void test_conflicts(void)
{
    al_conflict_t c;
    g_assert_false(al_find_conflict(fixture_rows, N_FIXTURE, &c));

    const al_row_t dup[] = {
        ROW(625, 625, T, AL_REG_OTHER, AL_LC_LEGACY, true, "DSProxy", "dec-dlm"),
        ROW(625, 625, T, AL_REG_OTHER, AL_LC_LEGACY, true, "DSProxy", "dec-dlm"),
    };
    g_assert_true(al_find_conflict(dup, 2, &c));
    g_assert_true(c.first == &dup[0] && c.second == &dup[1]);
    g_assert_cmpstr(c.reason, ==, "duplicate row: same ports, transport and service");

    const al_row_t tie[] = {
        ROW(100, 109, T, AL_REG_MIXED, AL_LC_LEGACY, false, "A", ""),
        ROW(105, 114, T, AL_REG_MIXED, AL_LC_LEGACY, false, "B", ""),
    };
    g_assert_true(al_find_conflict(tie, 2, &c));
    g_assert_nonnull(strstr(c.reason, "equal width overlap"));

    const al_row_t other_transport[] = {
        ROW(100, 109, T, AL_REG_MIXED, AL_LC_LEGACY, false, "A", ""),
        ROW(105, 114, U, AL_REG_MIXED, AL_LC_LEGACY, false, "B", ""),
    };
    g_assert_false(al_find_conflict(other_transport, 2, &c));

    const al_row_t nested_partial[] = {
        ROW(16384, 16403, U, AL_REG_MIXED, AL_LC_CURRENT, false, "Messages", ""),
        ROW(16403, 16472, U, AL_REG_MIXED, AL_LC_CURRENT, false, "Game Center", ""),
    };
    /* different widths: the narrower wins on 16403, no conflict */
    g_assert_false(al_find_conflict(nested_partial, 2, &c));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/registry/single-ports", test_single_ports);
    g_test_add_func("/registry/narrowest-range-wins", test_narrowest_range_wins);
    g_test_add_func("/registry/identical-range-group", test_identical_range_is_one_group);
    g_test_add_func("/registry/filter", test_filter);
    g_test_add_func("/registry/user-rows", test_user_rows_override_and_add);
    g_test_add_func("/registry/user-row-tie", test_user_row_wins_equal_width_tie);
    g_test_add_func("/registry/conflicts", test_conflicts);
    return g_test_run();
}
