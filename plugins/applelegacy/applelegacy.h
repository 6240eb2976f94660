/* applelegacy.h
 * What the parts of the applelegacy plugin share: the tap record, the
 * registry in force, and the registration functions plugin.c calls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_APPLELEGACY_H
#define APPLELEGACY_APPLELEGACY_H

#include <epan/packet.h>

#include "applelegacy-api.h"
#include "classify.h"

#define AL_TAP_NAME "applelegacy"

/* For the code run on every frame: what is rare goes out of line, so that
 * the common path spans few instruction cache lines (it is evicted between
 * frames by libwireshark's own, and refetched on each). */
#define AL_COLD __attribute__((cold, noinline))

/* One record per annotated packet, queued on the "applelegacy" tap. */
typedef struct {
    const al_group_t *group; /* in-scope rows of the service port */
    const address *server;   /* address on the service side (file scope) */
    const address *client;
    uint16_t service_port;
    uint8_t transport;        /* al_transport_t */
    unsigned warnings;        /* AL_WARN_* raised for this conversation (enabled ones) */
    uint32_t conversation_id; /* unique per conversation within the capture */
    bool first_in_conversation;
    const char *expected; /* expected protocol of the first row, "" if unknown */
    const char *observed; /* protocol seen in the payload, "unknown", or NULL before any */
    uint8_t state;        /* al_state_t of the conversation after this frame */
    bool from_server;     /* sent on the service side (an ICMP error quoting it too) */
    bool to_group;        /* to a broadcast or multicast address: never a probe */
} al_tap_info_t;

#define AL_BONJOUR_TAP_NAME "applelegacy.bonjour"

/* One record per service instance an mDNS response advertises on a port of
 * the registry, queued on the "applelegacy.bonjour" tap (packet scope). */
typedef struct {
    const address *host; /* the announcer */
    const al_group_t *group;
    uint16_t port;
    uint8_t transport;
    const char *service_type; /* "_airport._tcp" */
    const char *instance;
    const char *target; /* SRV target host */
    const char *model;  /* "" when not announced */
    const char *firmware;
} al_bonjour_tap_info_t;

/* The scope in force, as text ("apple", "all", "legacy"). */
const char *applelegacy_scope_name(void);

/* The "applelegacy" protocol, registered by packet-applelegacy.c. */
void proto_register_applelegacy(void);
void proto_reg_handoff_applelegacy(void);

/* The port sniffer; sniffer.c (registered by plugin.c as a protocol of its
 * own). */
/* The protocol that took this frame's payload on the sniffer's first
 * packet of a conversation (an Apple heuristic or a generic signature's
 * dissector), or -1. */
int applelegacy_sniffed_in_frame(packet_info *pinfo);
/* An Apple protocol: a plugin of that name joined the sniffer's list. */
bool applelegacy_is_apple_protocol(const char *filter_name);
/* The Apple protocol's heuristic run on tvb: its protocol id when it took
 * the payload, else -1 (no such plugin, disabled, or not its signature). */
int applelegacy_try_apple_protocol(const char *filter_name, tvbuff_t *tvb, packet_info *pinfo,
                                   proto_tree *tree);

/* The user table; user-table.c. */
struct epan_uat;
struct epan_uat *applelegacy_user_table_new(void (*changed)(void));
const al_row_t *applelegacy_user_rows(size_t *count);
void applelegacy_user_rows_free(void);

/* Reports; report.c and stats-tree.c, called by register_tap_listener_applelegacy(). */
void applelegacy_register_report(void);
void applelegacy_register_stats_tree(void);
void register_tap_listener_applelegacy(void);

#endif /* APPLELEGACY_APPLELEGACY_H */
