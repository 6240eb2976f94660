/* conn-state.h
 * How far a conversation on a service port got: nobody answered, the service
 * side refused it (TCP RST, ICMP unreachable), it answered, the TCP
 * handshake completed, or both sides sent data. An analyst knows these as
 * Zeek's conn_state (S0, REJ, SF, ...).
 *
 * Plain C (no libwireshark): the postdissector feeds it one event per frame,
 * the unit tests feed it sequences.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_CONN_STATE_H
#define APPLELEGACY_CONN_STATE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    AL_STATE_NO_ANSWER = 0, /* only the client spoke (Zeek S0, OTH) */
    AL_STATE_REJECTED,      /* RST or ICMP unreachable before any answer (REJ) */
    AL_STATE_ANSWERED,      /* the service side answered (SYN/ACK, a datagram) */
    AL_STATE_ESTABLISHED,   /* TCP: the client acknowledged the answer */
    AL_STATE_DATA,          /* both sides sent payload */
    AL_STATE_COUNT
} al_state_t;

/* "no answer", "rejected", "answered", "established", "data exchanged" */
extern const char *const al_state_names[AL_STATE_COUNT];

/* One frame of the conversation. */
typedef struct {
    bool from_server;      /* sent by the service side (an ICMP error counts as its) */
    bool tcp;              /* a TCP conversation */
    bool flags_known;      /* tcp_flags were read from the frame */
    uint8_t tcp_flags;     /* AL_TCP_* of frame-scan.h */
    bool payload;          /* the frame carries transport payload */
    bool icmp_unreachable; /* an ICMP/ICMPv6 destination unreachable quoting it */
    bool icmp_error;       /* any ICMP error quoting it (no answer of the service) */
} al_conn_event_t;

typedef struct {
    uint8_t flags;          /* CONN_* in conn-state.c */
    uint32_t client_frames; /* frames the client sent */
    uint32_t probes;        /* of them, TCP SYNs and UDP datagrams: attempts to be answered */
} al_conn_t;

/* Takes one frame into account, in capture order. Returns true when the
 * frame is a probe of the client (a SYN, a datagram). */
bool al_conn_update(al_conn_t *c, const al_conn_event_t *e);

al_state_t al_conn_state(const al_conn_t *c);

/* The service side answered (answered, established or data). */
static inline bool al_state_answered(al_state_t s)
{
    return s >= AL_STATE_ANSWERED;
}

#endif /* APPLELEGACY_CONN_STATE_H */
