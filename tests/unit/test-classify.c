/* test-classify.c
 * The service-side rule, scopes and warnings of classify.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>

#include "classify.h"
#include "rows-fixture.h"

static bool ephemeral_49152(uint16_t port, const void *data)
{
    (void)data;
    return port >= 49152;
}

static const al_classify_opts_t opts = {ephemeral_49152, NULL};
static al_port_index_t *reg;

/* The service chosen for a packet, "" for none. */
static const char *svc(al_transport_t t, uint16_t src, uint16_t dst, uint16_t handshake,
                       uint16_t *port, al_side_evidence_t *ev)
{
    al_verdict_t v;
    if (!al_classify(reg, &opts, t, src, dst, handshake, &v))
        return "";
    if (port)
        *port = v.service_port;
    if (ev)
        *ev = v.evidence;
    g_assert_true(v.service_is_src == (v.service_port == src));
    return v.group->rows[0]->service;
}

static void test_handshake_decides(void)
{
    uint16_t port = 0;
    al_side_evidence_t ev = AL_SIDE_NONE;
    g_assert_cmpstr(svc(T, 40000, 625, 625, &port, &ev), ==, "DSProxy");
    g_assert_cmpuint(port, ==, 625);
    g_assert_cmpint(ev, ==, AL_SIDE_HANDSHAKE);
    /* reply direction */
    g_assert_cmpstr(svc(T, 625, 40000, 625, &port, NULL), ==, "DSProxy");
    /* a server on an ephemeral port is known from the handshake: Xsan */
    g_assert_cmpstr(svc(T, 40000, 50000, 50000, &port, NULL), ==, "Xsan");
    g_assert_cmpuint(port, ==, 50000);
    /* ...and the client's ephemeral port is never taken, even though the
     * server port is not in the table */
    g_assert_cmpstr(svc(T, 52000, 22, 22, NULL, NULL), ==, "");
    g_assert_cmpstr(svc(T, 52000, 443, 443, NULL, NULL), ==, "HTTPS");
    /* a client port inside a wide range with a handshake to a plain port */
    g_assert_cmpstr(svc(T, 42100, 9999, 9999, NULL, NULL), ==, "");
}

static void test_port_rule_without_handshake(void)
{
    uint16_t port = 0;
    al_side_evidence_t ev = AL_SIDE_NONE;
    g_assert_cmpstr(svc(T, 52000, 660, 0, &port, &ev), ==, "Server Admin");
    g_assert_cmpint(ev, ==, AL_SIDE_PORT_RULE);
    g_assert_cmpuint(port, ==, 660);
    /* an ephemeral port is never a service without a handshake */
    g_assert_cmpstr(svc(T, 52000, 22, 0, NULL, NULL), ==, "");
    g_assert_cmpstr(svc(T, 50003, 51000, 0, NULL, NULL), ==, "");
    g_assert_cmpstr(svc(T, 52000, 60000, 0, NULL, NULL), ==, "");
    /* well-known side first, then the lower port */
    g_assert_cmpstr(svc(T, 5009, 625, 0, &port, NULL), ==, "DSProxy");
    g_assert_cmpstr(svc(T, 5009, 8080, 0, &port, NULL), ==, "AirPort Admin");
    /* UDP: the reflection case, source port 3283 towards a victim */
    g_assert_cmpstr(svc(U, 3283, 53000, 0, &port, NULL), ==, "Net Assistant");
    g_assert_cmpuint(port, ==, 3283);
}

static void test_ranges_need_an_ephemeral_peer(void)
{
    /* Linux client ports (32768-60999) fall into 42000-42999: without a
     * handshake a range row is only taken against an ephemeral peer. */
    g_assert_cmpstr(svc(T, 42100, 9999, 0, NULL, NULL), ==, "");
    g_assert_cmpstr(svc(T, 42100, 22, 0, NULL, NULL), ==, "");
    g_assert_cmpstr(svc(T, 42100, 50000, 0, NULL, NULL), ==, "iTunes Radio");
    g_assert_cmpstr(svc(T, 700, 40000, 0, NULL, NULL), ==, "");
    g_assert_cmpstr(svc(T, 700, 5009, 0, NULL, NULL), ==, "AirPort Admin");
    g_assert_cmpstr(svc(T, 8443, 51000, 0, NULL, NULL), ==, "Web service");
}

static void test_scope(void)
{
    const al_row_t *by_name[N_FIXTURE];
    al_scope_t apple = AL_SCOPE_APPLE, all = AL_SCOPE_ALL, legacy = AL_SCOPE_LEGACY;
    for (size_t i = 0; i < N_FIXTURE; i++)
        by_name[i] = &fixture_rows[i];
    /* HTTP: standard, current */
    g_assert_false(al_row_in_scope(by_name[0], &apple));
    g_assert_true(al_row_in_scope(by_name[0], &all));
    g_assert_false(al_row_in_scope(by_name[0], &legacy));
    /* ISAKMP for the discontinued VPN: standard, discontinued */
    g_assert_false(al_row_in_scope(by_name[2], &apple));
    g_assert_true(al_row_in_scope(by_name[2], &legacy));
    /* DSProxy: other, unregistered */
    g_assert_true(al_row_in_scope(by_name[5], &apple));
    g_assert_true(al_row_in_scope(by_name[5], &legacy));
    /* Server Admin: apple */
    g_assert_true(al_row_in_scope(by_name[6], &apple));
    /* Net Assistant: apple, current */
    g_assert_true(al_row_in_scope(by_name[8], &apple));
    g_assert_false(al_row_in_scope(by_name[8], &legacy));
    /* AirPort Admin: legacy, unregistered */
    g_assert_true(al_row_in_scope(by_name[9], &legacy));
    /* mixed ranges are only in "all" (or legacy when not current) */
    g_assert_cmpstr(by_name[13]->service, ==, "Web service");
    g_assert_false(al_row_in_scope(by_name[13], &apple));
    g_assert_true(al_row_in_scope(by_name[4], &legacy));
    /* a NULL scope is the default, apple */
    g_assert_true(al_row_in_scope(by_name[6], NULL));
    g_assert_false(al_row_in_scope(by_name[0], NULL));
}

static void test_scope_in_index(void)
{
    al_scope_t apple = AL_SCOPE_APPLE;
    al_port_index_t *scoped =
        al_port_index_new(fixture_rows, N_FIXTURE, NULL, 0, al_row_in_scope, &apple);
    al_verdict_t v;
    g_assert_false(al_classify(scoped, &opts, T, 40000, 443, 443, &v));
    g_assert_true(al_classify(scoped, &opts, T, 40000, 625, 625, &v));
    al_port_index_free(scoped);
}

static void test_warnings(void)
{
    g_assert_cmpuint(al_row_warnings(&fixture_rows[0]), ==, 0); /* HTTP */
    g_assert_cmpuint(al_row_warnings(&fixture_rows[5]), ==,
                     AL_WARN_UNREGISTERED_USE | AL_WARN_REGISTERED_TO_OTHER | AL_WARN_ABANDONED);
    g_assert_cmpuint(al_row_warnings(&fixture_rows[6]), ==, AL_WARN_ABANDONED);
    g_assert_cmpuint(al_row_warnings(&fixture_rows[7]), ==, AL_WARN_UNASSIGNED | AL_WARN_ABANDONED);
    g_assert_cmpuint(al_row_warnings(&fixture_rows[9]), ==,
                     AL_WARN_UNREGISTERED_USE | AL_WARN_REGISTERED_TO_OTHER);
    /* ranges raise nothing, even discontinued or unassigned ones */
    g_assert_cmpuint(al_row_warnings(&fixture_rows[4]), ==, 0);
    g_assert_cmpuint(al_row_warnings(&fixture_rows[16]), ==, 0); /* Xsan */
    /* a current, documented service on a port IANA gives to others: quiet */
    g_assert_cmpstr(fixture_rows[12].service, ==, "Classroom");
    g_assert_cmpuint(al_row_warnings(&fixture_rows[12]), ==, 0);
    /* groups: a port is abandoned only when every service on it is gone, and
     * a current documented service silences the IANA warnings */
    const al_group_t *apns = al_port_index_lookup(reg, T, 5223);
    g_assert_cmpuint(apns->count, ==, 2);
    g_assert_cmpuint(al_group_warnings(apns), ==, 0);
    g_assert_cmpuint(al_row_warnings(apns->rows[0]), ==,
                     AL_WARN_REGISTERED_TO_OTHER | AL_WARN_ABANDONED);
    const al_group_t *ike = al_port_index_lookup(reg, U, 500);
    g_assert_cmpuint(al_group_warnings(ike), ==, 0);
    g_assert_true(al_group_warning_row(apns, AL_WARN_ABANDONED) == apns->rows[0]);
    /* report order */
    g_assert_cmpuint(al_warning_weight(AL_WARN_PROTOCOL_MISMATCH), >,
                     al_warning_weight(AL_WARN_ABANDONED | AL_WARN_REGISTERED_TO_OTHER |
                                       AL_WARN_UNREGISTERED_USE | AL_WARN_UNASSIGNED));
    g_assert_cmpuint(al_warning_weight(AL_WARN_ABANDONED), >,
                     al_warning_weight(AL_WARN_REGISTERED_TO_OTHER | AL_WARN_UNREGISTERED_USE));
    g_assert_cmpuint(al_warning_weight(0), ==, 0);
}

static void test_protocol_compatible(void)
{
    g_assert_true(al_protocol_compatible("tls", "tls", false));
    g_assert_true(al_protocol_compatible("dsproxy", "unknown", false));
    g_assert_true(al_protocol_compatible("", "unknown", false));
    g_assert_true(al_protocol_compatible("", NULL, false));
    g_assert_false(al_protocol_compatible("dsproxy", "tls", false));
    g_assert_false(al_protocol_compatible("", "ssh", false));  /* SSH on 660 */
    g_assert_false(al_protocol_compatible("", "http", false)); /* plain HTTP, not servermgrd */
    g_assert_true(al_protocol_compatible("", "servermgrd", true));
    g_assert_true(al_protocol_compatible("dsproxy", "dsproxy", true));
    /* another Apple protocol than the one the port expects */
    g_assert_false(al_protocol_compatible("acp", "ard", true));
    g_assert_false(al_protocol_compatible("rpc", "servermgrd", true));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    reg = al_port_index_new(fixture_rows, N_FIXTURE, NULL, 0, NULL, NULL);
    g_test_add_func("/classify/handshake", test_handshake_decides);
    g_test_add_func("/classify/port-rule", test_port_rule_without_handshake);
    g_test_add_func("/classify/ranges", test_ranges_need_an_ephemeral_peer);
    g_test_add_func("/classify/scope", test_scope);
    g_test_add_func("/classify/scope-in-index", test_scope_in_index);
    g_test_add_func("/classify/warnings", test_warnings);
    g_test_add_func("/classify/protocol-compatible", test_protocol_compatible);
    int rc = g_test_run();
    al_port_index_free(reg);
    return rc;
}
