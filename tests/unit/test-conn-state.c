/* test-conn-state.c
 * Connection states from sequences of frames, as Zeek's conn_state names
 * them: S0, REJ, SF and the TCP handshake, UDP answers, ICMP errors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>

#include "conn-state.h"
#include "frame-scan.h"

static al_state_t run(const al_conn_event_t *events, size_t n)
{
    al_conn_t c = {0};
    for (size_t i = 0; i < n; i++)
        al_conn_update(&c, &events[i]);
    return al_conn_state(&c);
}

#define TCP(server, flags, data)                                                                   \
    {                                                                                              \
        .from_server = (server), .tcp = true, .flags_known = true, .tcp_flags = (flags),           \
        .payload = (data)                                                                          \
    }

static void test_tcp(void)
{
    const al_conn_event_t syn = TCP(false, AL_TCP_SYN, false);
    const al_conn_event_t synack = TCP(true, AL_TCP_SYN | AL_TCP_ACK, false);
    const al_conn_event_t ack = TCP(false, AL_TCP_ACK, false);
    const al_conn_event_t cdata = TCP(false, AL_TCP_ACK, true);
    const al_conn_event_t sdata = TCP(true, AL_TCP_ACK, true);
    const al_conn_event_t rst = TCP(true, AL_TCP_RST | AL_TCP_ACK, false);
    const al_conn_event_t crst = TCP(false, AL_TCP_RST, false);

    g_assert_cmpint(run((al_conn_event_t[]){syn, syn}, 2), ==, AL_STATE_NO_ANSWER);
    g_assert_cmpint(run((al_conn_event_t[]){syn, crst}, 2), ==, AL_STATE_NO_ANSWER);
    g_assert_cmpint(run((al_conn_event_t[]){syn, rst, crst}, 3), ==, AL_STATE_REJECTED);
    g_assert_cmpint(run((al_conn_event_t[]){syn, synack}, 2), ==, AL_STATE_ANSWERED);
    /* answered, then the scanner's RST: still answered, the RST rejects nothing */
    g_assert_cmpint(run((al_conn_event_t[]){syn, synack, crst}, 3), ==, AL_STATE_ANSWERED);
    g_assert_cmpint(run((al_conn_event_t[]){syn, synack, ack}, 3), ==, AL_STATE_ESTABLISHED);
    g_assert_cmpint(run((al_conn_event_t[]){syn, synack, ack, cdata}, 4), ==, AL_STATE_ESTABLISHED);
    g_assert_cmpint(run((al_conn_event_t[]){syn, synack, ack, cdata, sdata}, 5), ==, AL_STATE_DATA);
    /* seen mid-stream: data both ways */
    g_assert_cmpint(run((al_conn_event_t[]){cdata, sdata}, 2), ==, AL_STATE_DATA);
    /* a late RST after an answer keeps the answer */
    g_assert_cmpint(run((al_conn_event_t[]){syn, synack, ack, rst}, 4), ==, AL_STATE_ESTABLISHED);
}

static void test_udp_and_icmp(void)
{
    const al_conn_event_t probe = {.payload = true};
    const al_conn_event_t empty_reply = {.from_server = true};
    const al_conn_event_t reply = {.from_server = true, .payload = true};
    const al_conn_event_t unreachable = {
        .from_server = true, .icmp_error = true, .icmp_unreachable = true};
    const al_conn_event_t ttl = {.from_server = true, .icmp_error = true};

    g_assert_cmpint(run((al_conn_event_t[]){probe}, 1), ==, AL_STATE_NO_ANSWER);
    g_assert_cmpint(run((al_conn_event_t[]){probe, unreachable}, 2), ==, AL_STATE_REJECTED);
    g_assert_cmpint(run((al_conn_event_t[]){probe, ttl}, 2), ==, AL_STATE_NO_ANSWER);
    g_assert_cmpint(run((al_conn_event_t[]){probe, empty_reply}, 2), ==, AL_STATE_ANSWERED);
    g_assert_cmpint(run((al_conn_event_t[]){probe, reply}, 2), ==, AL_STATE_DATA);
    /* an unreachable after an answer (the client went away) rejects nothing */
    g_assert_cmpint(run((al_conn_event_t[]){probe, reply, unreachable}, 3), ==, AL_STATE_DATA);
    /* rejected, then answered after all */
    g_assert_cmpint(run((al_conn_event_t[]){probe, unreachable, probe, reply}, 4), ==,
                    AL_STATE_DATA);
    g_assert_cmpstr(al_state_names[AL_STATE_DATA], ==, "data exchanged");
}

/* What counts as a probe of the client: a SYN, a datagram; never an ACK or
 * data segment of a conversation seen mid-stream. */
static void test_probes(void)
{
    al_conn_t c = {0};
    const al_conn_event_t syn = TCP(false, AL_TCP_SYN, false);
    const al_conn_event_t data = TCP(false, AL_TCP_ACK, true);
    const al_conn_event_t datagram = {.payload = true};
    g_assert_true(al_conn_update(&c, &syn));
    g_assert_true(al_conn_update(&c, &syn));
    g_assert_false(al_conn_update(&c, &data));
    g_assert_cmpuint(c.probes, ==, 2);
    g_assert_cmpuint(c.client_frames, ==, 3);
    al_conn_t u = {0};
    g_assert_true(al_conn_update(&u, &datagram));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conn-state/tcp", test_tcp);
    g_test_add_func("/conn-state/udp-and-icmp", test_udp_and_icmp);
    g_test_add_func("/conn-state/probes", test_probes);
    return g_test_run();
}
