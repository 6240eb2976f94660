/* conn-state.c
 * Connection state of a conversation. See conn-state.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn-state.h"

#include "frame-scan.h"

const char *const al_state_names[AL_STATE_COUNT] = {
    "no answer", "rejected", "answered", "established", "data exchanged",
};

enum {
    CONN_ANSWERED = 1u << 0,
    CONN_REJECTED = 1u << 1,
    CONN_ESTABLISHED = 1u << 2,
    CONN_CLIENT_DATA = 1u << 3,
    CONN_SERVER_DATA = 1u << 4,
};

bool al_conn_update(al_conn_t *c, const al_conn_event_t *e)
{
    bool rst = e->tcp && e->flags_known && (e->tcp_flags & AL_TCP_RST);
    bool syn = e->tcp && e->flags_known && (e->tcp_flags & AL_TCP_SYN);
    bool ack = e->tcp && e->flags_known && (e->tcp_flags & AL_TCP_ACK);

    if (e->icmp_error) {
        if (e->icmp_unreachable && !(c->flags & CONN_ANSWERED))
            c->flags |= CONN_REJECTED;
        return false;
    }
    if (!e->from_server) {
        bool probe = e->tcp ? syn && !ack : true;
        c->client_frames++;
        c->probes += probe;
        if (e->payload)
            c->flags |= CONN_CLIENT_DATA;
        /* the client acknowledges what the service sent: the handshake's
         * third packet, or any ACK of a conversation seen mid-stream */
        if (ack && !syn && !rst && (c->flags & CONN_ANSWERED))
            c->flags |= CONN_ESTABLISHED;
        return probe;
    }
    if (rst) {
        if (!(c->flags & CONN_ANSWERED))
            c->flags |= CONN_REJECTED;
        return false;
    }
    c->flags |= CONN_ANSWERED;
    c->flags &= (uint8_t)~CONN_REJECTED;
    if (e->payload)
        c->flags |= CONN_SERVER_DATA;
    /* seen mid-stream: a service's ACK without SYN means the handshake was
     * before the capture began, once the client has spoken too */
    if (ack && !syn && c->client_frames)
        c->flags |= CONN_ESTABLISHED;
    return false;
}

al_state_t al_conn_state(const al_conn_t *c)
{
    if ((c->flags & CONN_ANSWERED) && (c->flags & CONN_CLIENT_DATA) &&
        (c->flags & CONN_SERVER_DATA))
        return AL_STATE_DATA;
    if (c->flags & CONN_ESTABLISHED)
        return AL_STATE_ESTABLISHED;
    if (c->flags & CONN_ANSWERED)
        return AL_STATE_ANSWERED;
    if (c->flags & CONN_REJECTED)
        return AL_STATE_REJECTED;
    return AL_STATE_NO_ANSWER;
}
