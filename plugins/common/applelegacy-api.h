/* applelegacy-api.h
 * All that an Apple protocol plugin knows of the registry plugin
 * (plugins/applelegacy), and all that the registry knows of them: two names
 * in libwireshark's own registries, each looked up at handoff. Neither side
 * links the other or includes its headers; each works when the other is not
 * loaded.
 *
 * 1. The sniffer's heuristic list. On the Apple ports no stock dissector owns
 *    (311, 625, 660, 3283/udp, ...) the registry's port sniffer tries this
 *    list before its generic signatures (TLS, SSH, HTTP, ...). An Apple
 *    plugin joins it, enabled, with a heuristic: a strict check of its own
 *    signature, then the payload dissected; it leaves the conversation alone
 *    (the sniffer pins it, for its own pair: a conversation may be another
 *    dissector's with a wildcard port). Later packets of the pair go to the
 *    dissector the plugin registers under its protocol's filter name
 *    (register_dissector("ard", ...)). The protocol of the entry that takes a
 *    payload is the observed protocol, and an Apple protocol for the
 *    registry's rules. The same plugin's heuristics on "tcp" or "udp" (off
 *    by default) are ordinary ones. Where the list does not
 *    exist (the plugin loaded alone), the plugin registers its documented
 *    ports itself (dissector_add_uint_range_with_preference), so that it
 *    still decodes them.
 *
 * 2. The event tap. What an Apple plugin concludes about a service that the
 *    forensic report should show on that service's row (ARD amplification,
 *    one responder with many requesters) is queued on this tap, an
 *    al_event_t per packet that raises it. The registry registers the tap;
 *    a plugin queues only when find_tap_id() finds it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_API_H
#define APPLELEGACY_API_H

#include <epan/address.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include <stdbool.h>
#include <stdint.h>

#define AL_SNIFFER_LIST "applelegacy.sniffer"
/* What a heuristic on the list looks at: the first AL_SNIFF_TCP_BYTES of a
 * TCP segment, a UDP datagram whole (the sniffer's generic signatures do the
 * same). */
#define AL_SNIFF_TCP_BYTES 256
#define AL_SNIFF_TCP       (1u << 0)
#define AL_SNIFF_UDP       (1u << 1)
#define AL_EVENT_TAP_NAME  "applelegacy.event"

/* Joins the sniffer's list with heuristic fn (enabled): true when the list
 * exists, false when the registry plugin is not loaded. Call at handoff. */
static inline bool al_join_sniffer(heur_dissector_t fn, const char *display_name,
                                   const char *short_name, int proto)
{
    if (!find_heur_dissector_list(AL_SNIFFER_LIST))
        return false;
    heur_dissector_add(AL_SNIFFER_LIST, fn, display_name, short_name, proto, HEURISTIC_ENABLE);
    return true;
}

/* The payload bytes a heuristic on the list checks, on the transports it runs
 * on (AL_SNIFF_TCP, AL_SNIFF_UDP): *len of them; NULL on another transport or
 * with no payload. */
static inline const guint8 *al_sniff_window(tvbuff_t *tvb, packet_info *pinfo, unsigned transports,
                                            guint *len)
{
    guint n = tvb_captured_length(tvb);
    if (pinfo->ptype == PT_TCP && (transports & AL_SNIFF_TCP))
        n = MIN(n, AL_SNIFF_TCP_BYTES);
    else if (pinfo->ptype != PT_UDP || !(transports & AL_SNIFF_UDP))
        n = 0;
    *len = n;
    return n ? tvb_get_ptr(tvb, 0, (gint)n) : NULL;
}

/* At handoff: joins the sniffer's list with fn; without the registry plugin
 * the plugin takes its documented ports itself (tcp_ports, udp_ports: range
 * strings, NULL for a transport it does not run on). Decode As and a port
 * preference exist on those tables either way. */
static inline void al_join_sniffer_or_take_ports(heur_dissector_t fn, const char *display_name,
                                                 const char *short_name, int proto,
                                                 dissector_handle_t handle, const char *tcp_ports,
                                                 const char *udp_ports)
{
    bool joined = al_join_sniffer(fn, display_name, short_name, proto);
    const char *tables[] = {"tcp.port", "udp.port"};
    const char *ports[] = {tcp_ports, udp_ports};
    for (int i = 0; i < 2; i++) {
        if (!ports[i])
            continue;
        if (joined)
            dissector_add_for_decode_as_with_preference(tables[i], handle);
        else
            dissector_add_uint_range_with_preference(tables[i], ports[i], handle);
    }
}

/* One event about the service at server, transport port. */
typedef struct {
    const char *warning;   /* report key, "ard_amplification": [a-z0-9_]+ */
    const char *title;     /* human name, "ARD amplification" */
    unsigned weight;       /* rank among the report's warnings: larger is worse */
    const address *server; /* packet scope is enough: the report copies it */
    uint16_t port;
    bool udp; /* false: TCP */
} al_event_t;

/* The event tap's id, or 0 when the registry plugin is not loaded. Call at
 * handoff. */
static inline int al_event_tap(void)
{
    return find_tap_id(AL_EVENT_TAP_NAME);
}

#endif /* APPLELEGACY_API_H */
