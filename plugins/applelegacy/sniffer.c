/* sniffer.c
 * The port sniffer: a dissector on the Apple legacy ports that no stock
 * dissector owns (311, 625, 660, 687, 106, 5009, 3283/udp, 626/udp, ...).
 * On the first payload of a conversation it tries the Apple plugins'
 * heuristics, which join its list "applelegacy.sniffer" (applelegacy-api.h),
 * then the generic signatures (signatures.c). An Apple heuristic that takes
 * the payload sets the conversation to its own dissector; for a generic
 * protocol the sniffer hands the payload to Wireshark's dissector and pins
 * the conversation to itself, so later packets skip the search. The pin is
 * the sniffer and not the dissector found because a conversation dissector is
 * called without pinfo->match_uint: dissectors such as SSH tell client from
 * server by match_uint, so the sniffer sets it to the service port on every
 * packet. When nothing matches it returns 0, so TCP/UDP go on with their
 * heuristics and finally show Data, as they would without this plugin.
 *
 * Ports that a stock dissector already owns (548, 5900, 3689, 5353, 623,
 * 80, 443, ...) are never taken: there the registry only annotates.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/proto_data.h>

#include "ws-compat.h"

#include "applelegacy-api.h"
#include "applelegacy.h"
#include "builtin-rows.h"
#include "signatures.h"

void proto_register_applelegacy_sniffer(void);
void proto_reg_handoff_applelegacy_sniffer(void);

/* Payload-bearing packets tried per conversation (each looked at as
 * applelegacy-api.h says: AL_SNIFF_TCP_BYTES of a segment, a datagram whole). */
#define SNIFF_MAX_TRIES 4

static int proto_sniffer = -1;
static heur_dissector_list_t apple_heuristics;
/* The conversation pin: dissect_sniffer again, but through a handle of no
 * protocol, so that later packets show no sniffer layer (frame.protocols
 * "tcp:ssh", as with Decode As). */
static dissector_handle_t pinned_handle;

typedef struct {
    dissector_handle_t handle; /* the dissector of the protocol found, or NULL */
    guint32 service_port;      /* match_uint when it was found */
    address src;               /* the pair it was found on */
    address dst;
    guint32 srcport;
    guint32 destport;
    uint8_t tries;
    bool done;
} sniff_conv_t;

/* The conversation libwireshark finds for a packet may be one another
 * dissector made with a wildcard port (TFTP's, for any port of the server),
 * shared with other pairs: what the sniffer found holds for its own pair. */
static bool same_pair(const sniff_conv_t *sc, const packet_info *pinfo)
{
    if (sc->srcport == pinfo->srcport && sc->destport == pinfo->destport)
        return addresses_equal(&sc->src, &pinfo->src) && addresses_equal(&sc->dst, &pinfo->dst);
    return sc->srcport == pinfo->destport && sc->destport == pinfo->srcport &&
           addresses_equal(&sc->src, &pinfo->dst) && addresses_equal(&sc->dst, &pinfo->src);
}

/* From this packet on, the pair goes to handle (the conversation is pinned
 * to the sniffer, which calls handle on its pair's packets). */
static void found(conversation_t *conv, sniff_conv_t *sc, packet_info *pinfo,
                  dissector_handle_t handle)
{
    sc->done = true;
    sc->handle = handle;
    sc->service_port = pinfo->match_uint;
    copy_address_wmem(wmem_file_scope(), &sc->src, &pinfo->src);
    copy_address_wmem(wmem_file_scope(), &sc->dst, &pinfo->dst);
    sc->srcport = pinfo->srcport;
    sc->destport = pinfo->destport;
    if (handle)
        conversation_set_dissector_from_frame_number(conv, pinfo->num, pinned_handle);
}

/* The first packet's payload handed to a dissector: TCP's or UDP's data
 * passed on as the port table would have passed it, and reassembly allowed
 * from the first segment on, as for a dissector the port table calls. */
static int hand_over(dissector_handle_t handle, tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                     void *data)
{
    guint16 can_desegment = pinfo->can_desegment;
    pinfo->can_desegment = pinfo->saved_can_desegment;
    int taken = call_dissector_only(handle, tvb, pinfo, tree, data);
    pinfo->can_desegment = can_desegment;
    return taken;
}

static bool try_apple_heuristics(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data,
                                 int *proto)
{
    heur_dtbl_entry_t *entry = NULL;
    guint16 can_desegment = pinfo->can_desegment;
    pinfo->can_desegment = pinfo->saved_can_desegment;
    bool taken = dissector_try_heuristic(apple_heuristics, tvb, pinfo, tree, &entry, data);
    pinfo->can_desegment = can_desegment;
    *proto = taken && entry && entry->protocol ? proto_get_id(entry->protocol) : -1;
    return taken;
}

static int dissect_sniffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    guint len = tvb_captured_length(tvb);
    al_transport_t transport = pinfo->ptype == PT_UDP ? AL_TRANSPORT_UDP : AL_TRANSPORT_TCP;

    if (len == 0)
        return 0;
    conversation_t *conv = find_or_create_conversation(pinfo);
    sniff_conv_t *sc = (sniff_conv_t *)conversation_get_proto_data(conv, proto_sniffer);
    if (!sc) {
        sc = wmem_new0(wmem_file_scope(), sniff_conv_t);
        conversation_add_proto_data(conv, proto_sniffer, sc);
    }
    if (sc->done && !same_pair(sc, pinfo))
        return 0; /* another pair's conversation */
    if (sc->handle) {
        /* A later packet; called through the conversation or the port
         * table. The dissector sees it as it saw the first one. */
        pinfo->match_uint = sc->service_port;
        return call_dissector_only(sc->handle, tvb, pinfo, tree, data);
    }
    if (sc->done)
        return 0;

    /* What took the payload, kept with the frame: it may have taken none of
     * it yet (a TLS record waiting for its next segment), and from 4.2 on
     * its layer is then not among the frame's layers. */
    int proto = -1;
    if (try_apple_heuristics(tvb, pinfo, tree, data, &proto)) {
        /* later packets go to the dissector the plugin registered under its
         * protocol's name (applelegacy-api.h) */
        found(conv, sc, pinfo,
              proto >= 0 ? find_dissector(proto_get_protocol_filter_name(proto)) : NULL);
        if (proto >= 0)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_sniffer, 0,
                             GINT_TO_POINTER(proto + 1));
        return (int)len;
    }
    guint n;
    const guint8 *window = al_sniff_window(tvb, pinfo, AL_SNIFF_TCP | AL_SNIFF_UDP, &n);
    const al_signature_t *sig = window ? al_sniff(window, n, transport) : NULL;
    dissector_handle_t handle = sig ? find_dissector(sig->dissector) : NULL;
    if (handle) {
        found(conv, sc, pinfo, handle);
        int taken = hand_over(handle, tvb, pinfo, tree, data);
        if (taken > 0)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_sniffer, 0,
                             GINT_TO_POINTER(dissector_handle_get_protocol_index(handle) + 1));
        return taken;
    }
    if (++sc->tries >= SNIFF_MAX_TRIES)
        sc->done = true;
    return 0;
}

/* "311,625,660" for the registry's single ports of one transport that no
 * stock dissector owns. Only rows the default scope covers are sniffed: the
 * Apple-specific, legacy and unregistered ones. */
static char *legacy_ports(const char *table_name, al_transport_t transport)
{
    dissector_table_t table = find_dissector_table(table_name);
    al_scope_t scope = AL_SCOPE_APPLE;
    GString *ports = g_string_new(NULL);
    uint16_t last = 0;

    for (size_t i = 0; i < al_builtin_rows_count; i++) {
        const al_row_t *row = &al_builtin_rows[i];
        if (row->transport != transport || al_row_is_range(row) || row->port_lo == 0)
            continue;
        if (!al_row_in_scope(row, &scope) && row->lifecycle == AL_LC_CURRENT)
            continue;
        if (table && dissector_get_uint_handle(table, row->port_lo))
            continue;
        if (row->port_lo == last) /* rows are sorted; a port used twice */
            continue;
        g_string_append_printf(ports, "%s%u", ports->len ? "," : "", row->port_lo);
        last = row->port_lo;
    }
    return g_string_free(ports, FALSE);
}

int applelegacy_sniffed_in_frame(packet_info *pinfo)
{
    return GPOINTER_TO_INT(p_get_proto_data(wmem_file_scope(), pinfo, proto_sniffer, 0)) - 1;
}

/* The Apple protocols: the list's entries by filter name, gathered at the
 * start of every dissection session (after every plugin's handoff). */
static GHashTable *apple_entries;

static void add_apple_entry(const char *list _U_, heur_dtbl_entry_t *entry, gpointer user_data)
{
    if (entry->protocol)
        g_hash_table_insert((GHashTable *)user_data,
                            (gpointer)proto_get_protocol_filter_name(proto_get_id(entry->protocol)),
                            entry);
}

static void sniffer_init(void)
{
    if (!apple_entries)
        apple_entries = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_remove_all(apple_entries);
    heur_dissector_table_foreach(AL_SNIFFER_LIST, add_apple_entry, apple_entries);
}

static void sniffer_cleanup(void)
{
    if (apple_entries)
        g_hash_table_destroy(apple_entries);
    apple_entries = NULL;
}

bool applelegacy_is_apple_protocol(const char *filter_name)
{
    return filter_name && apple_entries && g_hash_table_contains(apple_entries, filter_name);
}

int applelegacy_try_apple_protocol(const char *filter_name, tvbuff_t *tvb, packet_info *pinfo,
                                   proto_tree *tree)
{
    heur_dtbl_entry_t *entry =
        filter_name && apple_entries
            ? (heur_dtbl_entry_t *)g_hash_table_lookup(apple_entries, filter_name)
            : NULL;
    if (!entry || !entry->enabled || !proto_is_protocol_enabled(entry->protocol))
        return -1;
    return entry->dissector(tvb, pinfo, tree, NULL) ? proto_get_id(entry->protocol) : -1;
}

void proto_register_applelegacy_sniffer(void)
{
    proto_sniffer = proto_register_protocol("Apple Legacy Port Sniffer", "AppleLegacySniffer",
                                            "applelegacy_sniffer");
    apple_heuristics =
        AL_REGISTER_HEUR_LIST(AL_SNIFFER_LIST, "Apple protocols on Apple ports", proto_sniffer);
    register_init_routine(sniffer_init);
    register_cleanup_routine(sniffer_cleanup);
}

void proto_reg_handoff_applelegacy_sniffer(void)
{
    dissector_handle_t handle = create_dissector_handle(dissect_sniffer, proto_sniffer);
    pinned_handle = create_dissector_handle(dissect_sniffer, -1);
    char *tcp = legacy_ports("tcp.port", AL_TRANSPORT_TCP);
    char *udp = legacy_ports("udp.port", AL_TRANSPORT_UDP);

    dissector_add_uint_range_with_preference("tcp.port", tcp, handle);
    dissector_add_uint_range_with_preference("udp.port", udp, handle);
    g_free(tcp);
    g_free(udp);
}
