/* packet-applelegacy.c
 * Apple Legacy Port Registry: annotates every TCP/UDP packet whose service
 * port is one Apple's software has used (data/apple-ports.csv) with what the
 * port is: the Apple service and products, the IANA registration, whether
 * Apple itself calls the use unregistered, whether the product is
 * discontinued, and the protocol that should be on the wire.
 *
 * It is a postdissector: it never takes a port away from another dissector,
 * it only adds a tree beside theirs. Expert Information is raised once per
 * conversation, on its first packet, so that "-z expert" counts conversations.
 *
 * Sources: Apple's tables "Well known TCP and UDP ports used by Apple software
 * products" (2010) and "TCP and UDP ports used by Apple software products"
 * (current), and the IANA registry shipped with Wireshark; see data/README.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/range.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <epan/dissectors/packet-tcp.h>
#include <wsutil/report_message.h>

#include "ws-compat.h"

#include "al-expert.h"
#include "applelegacy.h"
#include "builtin-rows.h"
#include "conn-state.h"
#include "frame-scan.h"
#include "handshakes.h"
#include "port-set.h"
#include "mdns-parse.h"

void proto_register_applelegacy(void);
void proto_reg_handoff_applelegacy(void);

static int proto_applelegacy = -1;
/* The postdissector's handle belongs to "applelegacy.postdissector", a
 * protocol in name only under "frame", which is always enabled: libwireshark
 * calls it on every frame without adding and removing a protocol layer, and
 * counts it among the enabled postdissectors (docs/performance.md has the
 * measurement that keeps it). dissect_applelegacy checks that applelegacy is
 * enabled itself (annotating, set once per session), and sets current_proto
 * for its expert items. */
static int proto_applelegacy_post = -1;
static protocol_t *applelegacy_protocol;
#define AL_SHORT_NAME "AppleLegacy"

static int hf_port = -1;
static int hf_transport = -1;
static int hf_service = -1;
static int hf_iana_name = -1;
static int hf_iana_description = -1;
static int hf_registration = -1;
static int hf_unregistered_use = -1;
static int hf_used_by = -1;
static int hf_lifecycle = -1;
static int hf_last_seen_in = -1;
static int hf_expected = -1;
static int hf_rfc = -1;
static int hf_sources = -1;
static int hf_note = -1;
static int hf_service_side = -1;
static int hf_user_row = -1;
static int hf_observed = -1;
static int hf_evidence = -1;
static int hf_state = -1;
static int hf_apple_tables = -1;
static int hf_bonjour_instance = -1;
static int hf_bonjour_service_type = -1;
static int hf_bonjour_host = -1;
static int hf_bonjour_model = -1;
static int hf_bonjour_firmware = -1;
static gint ett_bonjour = -1;
static int bonjour_tap = -1;

static gint ett_applelegacy = -1;

static expert_field ei_unregistered_use = EI_INIT;
static expert_field ei_registered_to_other = EI_INIT;
static expert_field ei_abandoned = EI_INIT;
static expert_field ei_unassigned = EI_INIT;
static expert_field ei_protocol_mismatch = EI_INIT;
static expert_field ei_probe = EI_INIT;

/* Protocol ids used to find the application layer of a frame. */
static int proto_sniffer = -1;
static int proto_tcp_id = -1;
static int proto_udp_id = -1;
static int proto_data_id = -1;
static int proto_ip_id = -1;
static int proto_ipv6_id = -1;
static int proto_icmp_id = -1;
static int proto_icmpv6_id = -1;

static int applelegacy_tap = -1;

/* Preferences. The scope is a string preference, checked when applied:
 * Wireshark 4.0 silently maps an unknown enum value to the current one, and a
 * bad value must be refused with a message. */
static const char *pref_scope_text = "apple";
static al_scope_t pref_scope = AL_SCOPE_APPLE;
static range_t *pref_ephemeral_ports;
static al_pref_bool_t pref_warn_unregistered_use = TRUE;
static al_pref_bool_t pref_warn_registered_to_other = TRUE;
static al_pref_bool_t pref_warn_abandoned = TRUE;
static al_pref_bool_t pref_warn_unassigned = TRUE;
static al_pref_bool_t pref_warn_protocol_mismatch = TRUE;

#define DEFAULT_EPHEMERAL_PORTS "49152-65535"

static const char *const scope_names[] = {
    [AL_SCOPE_APPLE] = "apple",
    [AL_SCOPE_ALL] = "all",
    [AL_SCOPE_LEGACY] = "legacy",
};

/* The registry in force for the current dissection session. It is rebuilt in
 * the init routine (start of every dissection pass), so conversation data,
 * which lives in file scope, never points into a freed registry. */
static al_port_index_t *registry;
/* The registry is made and applelegacy enabled, for this dissection session. */
static bool annotating;
static al_scope_t registry_scope = AL_SCOPE_APPLE;
static al_classify_opts_t classify_opts;
static uint32_t conversation_counter;

/* A client and a server it sent to on Apple ports: the probe finding is
 * raised once per such pair, on the first frame that shows one of its
 * conversations unanswered or rejected. */
typedef struct {
    address client;
    address server;
    /* its conversations that probed and nobody has answered yet: on one
     * service port, and on others (parallel connections to one service are
     * no scan) */
    uint16_t port;
    uint32_t on_port;
    uint32_t elsewhere;
    uint32_t finding_frame; /* where the probe finding is raised, 0: none */
    uint8_t finding_state;  /* al_state_t of the conversation it was raised on */
} al_pair_t;

static wmem_map_t *pairs; /* al_pair_t, keyed by itself (client, server) */

/* What a conversation was classified as, cached on its first packet. */
typedef struct {
    const al_group_t *group;
    uint16_t service_port;
    uint8_t evidence; /* al_side_evidence_t */
    uint32_t first_frame;
    uint32_t id;
    unsigned warnings;
    address server;
    address client;
    /* What the payload carries: NULL until a payload is seen, then the
     * filter name of the protocol that decoded it, or "unknown". */
    const char *observed;
    uint32_t payload_frame;  /* first frame with payload */
    uint32_t observed_frame; /* frame where a protocol was recognised */
    uint8_t payload_tries;   /* payload packets looked at while unknown */
    al_conn_t conn;          /* how far it got (first pass) */
    uint8_t state;           /* al_state_t of conn, after the last frame seen */
    uint8_t counted;         /* counted in pair->on_port (1) or ->elsewhere (2) */
    uint32_t answer_frame;   /* first frame of the service side: the warnings go there */
    uint32_t mismatch_frame; /* where the mismatch is raised: shown and answered */
    al_pair_t *pair;
} al_conv_t;

/* Payload packets to look at before "unknown" is final. */
#define OBSERVE_MAX_TRIES 4

static unsigned enabled_warnings(void)
{
    unsigned mask = 0;
    if (pref_warn_unregistered_use)
        mask |= AL_WARN_UNREGISTERED_USE;
    if (pref_warn_registered_to_other)
        mask |= AL_WARN_REGISTERED_TO_OTHER;
    if (pref_warn_abandoned)
        mask |= AL_WARN_ABANDONED;
    if (pref_warn_unassigned)
        mask |= AL_WARN_UNASSIGNED;
    if (pref_warn_protocol_mismatch)
        mask |= AL_WARN_PROTOCOL_MISMATCH;
    return mask;
}

static guint pair_hash(gconstpointer key)
{
    const al_pair_t *p = (const al_pair_t *)key;
    return add_address_to_hash(add_address_to_hash(0, &p->client), &p->server);
}

static gboolean pair_equal(gconstpointer a, gconstpointer b)
{
    const al_pair_t *x = (const al_pair_t *)a, *y = (const al_pair_t *)b;
    return addresses_equal(&x->client, &y->client) && addresses_equal(&x->server, &y->server);
}

/* The pair of a new conversation (file scope, found or made). */
static al_pair_t *pair_for(const address *client, const address *server)
{
    al_pair_t key;
    copy_address_shallow(&key.client, client);
    copy_address_shallow(&key.server, server);
    al_pair_t *p = (al_pair_t *)wmem_map_lookup(pairs, &key);
    if (!p) {
        p = wmem_new0(wmem_file_scope(), al_pair_t);
        copy_address_wmem(wmem_file_scope(), &p->client, client);
        copy_address_wmem(wmem_file_scope(), &p->server, server);
        wmem_map_insert(pairs, p, p);
    }
    return p;
}

const char *applelegacy_scope_name(void)
{
    return scope_names[registry_scope];
}

/* The ephemeral_ports preference as a port set, made at the start of each
 * dissection session: asked for both ports of nearly every frame. */
static al_port_set_t ephemeral;

static void make_ephemeral_bits(void)
{
    al_port_set_clear(&ephemeral);
    for (guint i = 0; pref_ephemeral_ports && i < pref_ephemeral_ports->nranges; i++) {
        for (guint32 p = pref_ephemeral_ports->ranges[i].low;
             p <= pref_ephemeral_ports->ranges[i].high && p <= 65535; p++)
            al_port_set_add(&ephemeral, (uint16_t)p);
    }
}

static void applelegacy_init(void)
{
    size_t n_user = 0;
    const al_row_t *user = applelegacy_user_rows(&n_user);

    al_port_index_free(registry);
    registry_scope = pref_scope;
    registry = al_port_index_new(al_builtin_rows, al_builtin_rows_count, user, n_user,
                                 al_row_in_scope, &registry_scope);
    conversation_counter = 0;
    make_ephemeral_bits();
    /* Wireshark starts a new dissection session (this routine again) when a
     * protocol is enabled or disabled, so the per-packet path reads this
     * instead of asking libwireshark on every frame. */
    annotating = registry && proto_is_protocol_enabled(applelegacy_protocol);
}

static void applelegacy_cleanup(void)
{
    annotating = false;
    al_port_index_free(registry);
    registry = NULL;
    applelegacy_user_rows_free();
}

static bool port_is_ephemeral(uint16_t port, const void *data _U_)
{
    return al_port_set_has(&ephemeral, port);
}

static const char *transport_upper(uint8_t transport)
{
    return transport == AL_TRANSPORT_UDP ? "UDP" : "TCP";
}

/* Once per conversation, on its first packet, attached to the first row. */
static void add_experts(packet_info *pinfo, proto_item *ti, const al_conv_t *conv)
{
    const al_group_t *g = conv->group;
    unsigned w = conv->warnings;
    const al_row_t *row;
    const char *tr = transport_upper(g->rows[0]->transport);
    uint16_t port = conv->service_port;

    if (w & AL_WARN_ABANDONED) {
        row = al_group_warning_row(g, AL_WARN_ABANDONED);
        al_expert_add_info_fmt(
            pinfo, ti, &ei_abandoned, "Traffic on abandoned port %s %u: %s is discontinued, %s%s",
            tr, port, row->service, row->last_seen_in[0] ? "last seen in " : "last release unknown",
            row->last_seen_in);
    }
    if (w & AL_WARN_REGISTERED_TO_OTHER) {
        row = al_group_warning_row(g, AL_WARN_REGISTERED_TO_OTHER);
        al_expert_add_info_fmt(pinfo, ti, &ei_registered_to_other,
                               "%s %u is registered by IANA to %s%s%s%s, not to Apple's %s", tr,
                               port, row->iana_name, row->iana_description[0] ? " (" : "",
                               row->iana_description, row->iana_description[0] ? ")" : "",
                               row->service);
    }
    if (w & AL_WARN_UNREGISTERED_USE) {
        row = al_group_warning_row(g, AL_WARN_UNREGISTERED_USE);
        al_expert_add_info_fmt(pinfo, ti, &ei_unregistered_use,
                               "Unregistered use: Apple's own port table calls its use of %s "
                               "%u (%s) unregistered",
                               tr, port, row->service);
    }
    if (w & AL_WARN_UNASSIGNED) {
        row = al_group_warning_row(g, AL_WARN_UNASSIGNED);
        al_expert_add_info_fmt(pinfo, ti, &ei_unassigned,
                               "%s %u is not assigned by IANA; only Apple's table links it to %s",
                               tr, port, row->service);
    }
}

/* "TCP 660 carries SSH; MacOS Server Admin (mac-srvr-admin) expected" */
static void add_mismatch_expert(packet_info *pinfo, proto_item *ti, const al_conv_t *conv,
                                int observed_id)
{
    const al_row_t *row = conv->group->rows[0];
    const char *name = row->registration == AL_REG_APPLE ? row->iana_name : row->expected;
    protocol_t *observed = find_protocol_by_id(observed_id);
    al_expert_add_info_fmt(pinfo, ti, &ei_protocol_mismatch, "%s %u carries %s; %s%s%s%s expected",
                           transport_upper(row->transport), conv->service_port,
                           observed ? proto_get_protocol_short_name(observed) : conv->observed,
                           row->service, name[0] ? " (" : "", name, name[0] ? ")" : "");
}

/* Once per client and server, on the frame that first shows one of its
 * conversations unanswered or rejected. */
static void add_probe_expert(packet_info *pinfo, proto_item *ti, const al_conv_t *conv)
{
    const al_row_t *row = conv->group->rows[0];
    char *client = address_to_str(pinfo->pool, &conv->client);
    char *server = address_to_str(pinfo->pool, &conv->server);
    al_expert_add_info_fmt(
        pinfo, ti, &ei_probe,
        "Probe of Apple ports: %s sent to %s %s %u (%s), %s; every port it "
        "probed there is in the report's probe findings",
        client, server, transport_upper(row->transport), conv->service_port, row->service,
        conv->pair->finding_state == AL_STATE_REJECTED ? "rejected" : "no answer");
}

/* The expert items this frame carries: the conversation's warnings on the
 * frame where the service first answered, the mismatch where it is shown and
 * answered, the probe finding on its frame. */
static void add_frame_experts(packet_info *pinfo, proto_item *ti, const al_conv_t *c)
{
    if (pinfo->num == c->answer_frame)
        add_experts(pinfo, ti, c);
    if (pinfo->num == c->mismatch_frame && (c->warnings & AL_WARN_PROTOCOL_MISMATCH))
        add_mismatch_expert(pinfo, ti, c, proto_get_id_by_filter_name(c->observed));
    if (c->pair && pinfo->num == c->pair->finding_frame)
        add_probe_expert(pinfo, ti, c);
}

/* Which of Apple's two tables list the row: the current one decides the
 * current facts, a 2010-only row is history. */
static const char *apple_tables(const al_row_t *row)
{
    bool in_2010 = strstr(row->sources, "apple-2010") != NULL;
    bool current = strstr(row->sources, "apple-current") != NULL;
    return current ? (in_2010 ? "2010 and current" : "current only")
                   : (in_2010 ? "2010 only" : "neither");
}

static void add_row_tree(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const al_row_t *row,
                         const al_conv_t *conv)
{
    proto_item *ti, *pi;
    proto_tree *st;

    ti = proto_tree_add_protocol_format(
        tree, proto_applelegacy, tvb, 0, 0, "Apple Legacy Port Registry: %s %u, %s (%s, %s), %s",
        transport_upper(row->transport), conv->service_port, row->service,
        al_registration_names[row->registration], al_lifecycle_names[row->lifecycle],
        al_state_names[conv->state]);
    st = proto_item_add_subtree(ti, ett_applelegacy);

#define ADD_GENERATED(expr)                                                                        \
    do {                                                                                           \
        pi = (expr);                                                                               \
        proto_item_set_generated(pi);                                                              \
    } while (0)
    ADD_GENERATED(proto_tree_add_uint(st, hf_port, tvb, 0, 0, conv->service_port));
    ADD_GENERATED(
        proto_tree_add_string(st, hf_transport, tvb, 0, 0, al_transport_names[row->transport]));
    ADD_GENERATED(proto_tree_add_string(st, hf_service, tvb, 0, 0, row->service));
    ADD_GENERATED(proto_tree_add_string(st, hf_iana_name, tvb, 0, 0, row->iana_name));
    ADD_GENERATED(proto_tree_add_string(st, hf_iana_description, tvb, 0, 0, row->iana_description));
    ADD_GENERATED(proto_tree_add_string(st, hf_registration, tvb, 0, 0,
                                        al_registration_names[row->registration]));
    ADD_GENERATED(
        proto_tree_add_boolean(st, hf_unregistered_use, tvb, 0, 0, row->unregistered_use));
    ADD_GENERATED(proto_tree_add_string(st, hf_used_by, tvb, 0, 0, row->used_by));
    ADD_GENERATED(
        proto_tree_add_string(st, hf_lifecycle, tvb, 0, 0, al_lifecycle_names[row->lifecycle]));
    ADD_GENERATED(proto_tree_add_string(st, hf_last_seen_in, tvb, 0, 0, row->last_seen_in));
    ADD_GENERATED(proto_tree_add_string(st, hf_expected, tvb, 0, 0, row->expected));
    ADD_GENERATED(proto_tree_add_string(st, hf_rfc, tvb, 0, 0, row->rfc));
    ADD_GENERATED(proto_tree_add_string(st, hf_sources, tvb, 0, 0, row->sources));
    ADD_GENERATED(proto_tree_add_string(st, hf_apple_tables, tvb, 0, 0, apple_tables(row)));
    if (row->note[0])
        ADD_GENERATED(proto_tree_add_string(st, hf_note, tvb, 0, 0, row->note));
    ADD_GENERATED(proto_tree_add_string(st, hf_service_side, tvb, 0, 0,
                                        al_side_evidence_names[conv->evidence]));
    if (row->user_row)
        ADD_GENERATED(proto_tree_add_boolean(st, hf_user_row, tvb, 0, 0, TRUE));
    bool payload = conv->payload_frame && pinfo->num >= conv->payload_frame;
    if (payload)
        ADD_GENERATED(proto_tree_add_string(st, hf_observed, tvb, 0, 0, conv->observed));
    ADD_GENERATED(
        proto_tree_add_string(st, hf_evidence, tvb, 0, 0, payload ? "payload" : "port only"));
    ADD_GENERATED(proto_tree_add_string(st, hf_state, tvb, 0, 0, al_state_names[conv->state]));
#undef ADD_GENERATED

    if (row == conv->group->rows[0])
        add_frame_experts(pinfo, ti, conv);
}

/* A protocol agrees with a port where it agrees with one of the port's
 * services (TLS on 5223: iChat's SSL, where APNS names no protocol). */
static bool group_compatible(const al_group_t *g, const char *observed)
{
    bool apple = applelegacy_is_apple_protocol(observed);
    for (unsigned i = 0; i < g->count; i++) {
        if (al_protocol_compatible(g->rows[i]->expected, observed, apple))
            return true;
    }
    return false;
}

/* The protocol layers above the last TCP/UDP layer of this frame (not
 * counting the sniffer): the first of them, and the first one that carries
 * what the row expects (AFP in DSI, HTTP in TLS), each -1 when none. */
static void application_layers(packet_info *pinfo, const al_group_t *g, int *first, int *meets)
{
    bool next = false;
    *first = *meets = -1;
    for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f; f = wmem_list_frame_next(f)) {
        int id = GPOINTER_TO_INT(wmem_list_frame_data(f));
        if (id == proto_tcp_id || id == proto_udp_id) {
            next = true;
            *first = *meets = -1;
        } else if (next && id != proto_sniffer && id != proto_applelegacy) {
            if (*first < 0)
                *first = id;
            if (*meets < 0 && id != proto_data_id &&
                group_compatible(g, proto_get_protocol_filter_name(id)))
                *meets = id;
        }
    }
}

/* The IP header's offset in the last frame whose header was found, tried
 * first (the same link layer, as a rule). */
static size_t ip_offset = 14;

/* The frame's transport payload, where the frame holds its header. */
static bool frame_payload(tvbuff_t *tvb, packet_info *pinfo, al_transport_t transport,
                          al_transport_hdr_t *hdr)
{
    if (pinfo->src.type != pinfo->dst.type ||
        (pinfo->src.type != AT_IPv4 && pinfo->src.type != AT_IPv6))
        return false;
    unsigned len = tvb_captured_length(tvb);
    const uint8_t *bytes = tvb_get_ptr(tvb, 0, len);
    return al_find_transport(bytes, len, (size_t)pinfo->src.len, (const uint8_t *)pinfo->src.data,
                             (const uint8_t *)pinfo->dst.data,
                             transport == AL_TRANSPORT_TCP ? AL_IPPROTO_TCP : AL_IPPROTO_UDP,
                             (uint16_t)pinfo->srcport, (uint16_t)pinfo->destport, &ip_offset, hdr);
}

/* Where another dissector took the payload (a conversation an earlier packet
 * opened, a heuristic) but it carries the signature of the Apple protocol the
 * port expects: that protocol's id, the payload decoded by its plugin's
 * heuristic; else -1. */
static int apple_signature(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                           const char *expected, const al_transport_hdr_t *hdr)
{
    if (!expected[0] || !hdr || !hdr->payload_length)
        return -1;
    tvbuff_t *next =
        tvb_new_subset_length(tvb, (gint)hdr->payload_offset, (gint)hdr->payload_length);
    return applelegacy_try_apple_protocol(expected, next, pinfo, tree);
}

/* Updates what the conversation's payload carries (first pass). A protocol
 * that disagrees with the expected one raises the mismatch once: on this
 * frame when the service has answered, else on the frame it answers. */
static void observe_payload(packet_info *pinfo, al_conv_t *c, int first, int meets)
{
    if (c->observed_frame || c->payload_tries >= OBSERVE_MAX_TRIES ||
        (c->payload_frame && pinfo->num <= c->payload_frame && c->observed))
        return;
    int id = meets >= 0 ? meets : first;
    if (id < 0)
        id = applelegacy_sniffed_in_frame(pinfo); /* handed over, nothing taken yet */
    if (id < 0)
        return;
    if (!c->payload_frame)
        c->payload_frame = pinfo->num;
    c->payload_tries++;
    if (id == proto_data_id) {
        c->observed = "unknown";
        return;
    }
    c->observed = proto_get_protocol_filter_name(id);
    c->observed_frame = pinfo->num;
    if (group_compatible(c->group, c->observed))
        return;
    c->warnings |= AL_WARN_PROTOCOL_MISMATCH & enabled_warnings();
    if ((c->warnings & AL_WARN_PROTOCOL_MISMATCH) && c->answer_frame)
        c->mismatch_frame = pinfo->num;
}

/* Takes the frame into the conversation's state (first pass): the warnings
 * wait for the service's answer, unanswered and rejected conversations
 * become the pair's probe finding. */
static void update_state(packet_info *pinfo, al_conv_t *c, const al_conn_event_t *e)
{
    bool probe = al_conn_update(&c->conn, e);
    al_state_t state = al_conn_state(&c->conn);
    al_pair_t *p = c->pair;
    c->state = (uint8_t)state;
    if (p && (al_state_answered(state) || state == AL_STATE_REJECTED) && c->counted) {
        if (c->counted == 1)
            p->on_port--;
        else
            p->elsewhere--;
        c->counted = 0;
    }
    if (al_state_answered(state)) {
        if (!c->answer_frame) {
            c->answer_frame = pinfo->num;
            if ((c->warnings & AL_WARN_PROTOCOL_MISMATCH) && !c->mismatch_frame)
                c->mismatch_frame = pinfo->num;
        }
        return;
    }
    if (!p)
        return;
    /* another conversation of the pair probing, on another service port */
    bool other_port = false;
    if (probe && state == AL_STATE_NO_ANSWER) {
        if (!c->counted) {
            if (!p->on_port)
                p->port = c->service_port;
            c->counted = p->port == c->service_port ? 1 : 2;
            if (c->counted == 1)
                p->on_port++;
            else
                p->elsewhere++;
        }
        other_port = c->counted == 1 ? p->elsewhere > 0 : p->on_port > 0;
    }
    /* A port of a range row (Xsan's 49152-65535) is counted with the others
     * but raises no finding itself: Apple names a range, not a port, and a
     * SYN to one high port is the internet's background scanning. */
    if (p->finding_frame || al_row_is_range(c->group->rows[0]))
        return;
    /* rejected on this frame; or the client probes again, this service
     * (a retransmission) or another port of the same server, and nothing
     * has answered */
    bool rejected_now = state == AL_STATE_REJECTED && (e->from_server || e->icmp_error);
    bool again = probe && state == AL_STATE_NO_ANSWER && (c->conn.probes >= 2 || other_port);
    if (rejected_now || again) {
        p->finding_frame = pinfo->num;
        p->finding_state = (uint8_t)state;
    }
}

/* A broadcast or multicast destination: a discovery, which no one server
 * answers as a conversation; never a probe. */
static bool to_group(const address *a)
{
    const uint8_t *d = (const uint8_t *)a->data;
    if (a->type == AT_IPv4 && a->len == 4)
        return (d[0] & 0xF0) == 0xE0 || (d[0] == 255 && d[1] == 255 && d[2] == 255 && d[3] == 255);
    if (a->type == AT_IPv6 && a->len == 16)
        return d[0] == 0xFF;
    return false;
}

/* A new conversation counts as unanswered for its client and server. */
static void track_pair(al_conv_t *c)
{
    c->state = AL_STATE_NO_ANSWER;
    if (to_group(&c->server))
        return;
    c->pair = pair_for(&c->client, &c->server);
}

/* The record of a conversation classified as v, kept with conv; src and
 * dst: the addresses of the packet the ports of v are from. */
static al_conv_t *new_conv(packet_info *pinfo, conversation_t *conv, const al_verdict_t *v,
                           const address *src, const address *dst)
{
    al_conv_t *c = wmem_new0(wmem_file_scope(), al_conv_t);
    c->group = v->group;
    c->service_port = v->service_port;
    c->evidence = (uint8_t)v->evidence;
    c->first_frame = pinfo->num;
    c->id = ++conversation_counter;
    copy_address_wmem(wmem_file_scope(), &c->server, v->service_is_src ? src : dst);
    copy_address_wmem(wmem_file_scope(), &c->client, v->service_is_src ? dst : src);
    c->warnings = al_group_warnings(v->group) & enabled_warnings();
    conversation_add_proto_data(conv, proto_applelegacy, c);
    track_pair(c);
    return c;
}

/* c is the record of the pair src:sport -> dst:dport. */
static bool record_of(const al_conv_t *c, const address *src, const address *dst, uint16_t sport,
                      uint16_t dport)
{
    if (c->service_port == dport && addresses_equal(&c->server, dst) &&
        addresses_equal(&c->client, src))
        return true;
    return c->service_port == sport && addresses_equal(&c->server, src) &&
           addresses_equal(&c->client, dst);
}

/* The record of the pair src:sport -> dst:dport, made from v where it has
 * none (v NULL: only looked up). libwireshark's lookup falls back to a
 * conversation another dissector made with a wildcard port (TFTP's, for a
 * reply from any port), which other pairs share: a record there holds for
 * its own pair only, and another pair gets a conversation of its own. */
static al_conv_t *pair_record(packet_info *pinfo, al_transport_t transport, const address *src,
                              const address *dst, uint16_t sport, uint16_t dport,
                              const al_verdict_t *v)
{
    conversation_type ctype = transport == AL_TRANSPORT_TCP ? CONVERSATION_TCP : CONVERSATION_UDP;
    conversation_t *conv = find_conversation(pinfo->num, src, dst, ctype, sport, dport, 0);
    al_conv_t *c = conv ? (al_conv_t *)conversation_get_proto_data(conv, proto_applelegacy) : NULL;
    if (c && record_of(c, src, dst, sport, dport))
        return c;
    if (!v)
        return NULL;
    if (!conv || c)
        conv = conversation_new(pinfo->num, src, dst, ctype, sport, dport, 0);
    return new_conv(pinfo, conv, v, src, dst);
}

/* The service port a TCP frame's own SYN or SYN/ACK names, 0 when the
 * frame has none (or its TCP header is not in the frame: then the port rule
 * decides, as for a conversation whose handshake was not captured). */
static uint16_t syn_server_port(tvbuff_t *tvb, packet_info *pinfo)
{
    if (pinfo->src.type != pinfo->dst.type ||
        (pinfo->src.type != AT_IPv4 && pinfo->src.type != AT_IPv6))
        return 0;
    unsigned len = tvb_captured_length(tvb);
    int flags = al_tcp_flags_at(tvb_get_ptr(tvb, 0, len), len, ip_offset, (size_t)pinfo->src.len,
                                (const uint8_t *)pinfo->src.data, (const uint8_t *)pinfo->dst.data,
                                (uint16_t)pinfo->srcport, (uint16_t)pinfo->destport);
    if (flags < 0) {
        al_transport_hdr_t hdr;
        if (!frame_payload(tvb, pinfo, AL_TRANSPORT_TCP, &hdr))
            return 0;
        flags = hdr.tcp_flags;
    }
    if (!(flags & AL_TCP_SYN))
        return 0;
    return (uint16_t)(flags & AL_TCP_ACK ? pinfo->srcport : pinfo->destport);
}

static bool same_verdict(bool a, const al_verdict_t *va, bool b, const al_verdict_t *vb)
{
    return a == b && (!a || (va->service_port == vb->service_port &&
                             va->service_is_src == vb->service_is_src));
}

/* Which service the frame belongs to, in the first pass: the port rule, or
 * the handshake where the frame shows one or the pair's handshake differed
 * from the rule (handshakes.h). No conversation is looked up for a frame
 * that belongs to none. */
static bool frame_verdict(tvbuff_t *tvb, packet_info *pinfo, al_transport_t transport,
                          bool rule_may_apply, al_verdict_t *v, bool *from_pair)
{
    uint16_t sport = (uint16_t)pinfo->srcport, dport = (uint16_t)pinfo->destport;
    bool by_rule =
        rule_may_apply && al_classify(registry, &classify_opts, transport, sport, dport, 0, v);
    *from_pair = false;
    if (transport != AL_TRANSPORT_TCP)
        return by_rule;
    uint16_t server = syn_server_port(tvb, pinfo);
    if (!server) {
        server = al_handshake_server_port(&pinfo->src, &pinfo->dst, sport, dport);
        *from_pair = server != 0;
        return server ? al_classify(registry, &classify_opts, transport, sport, dport, server, v)
                      : by_rule;
    }
    al_verdict_t rule = {0};
    if (by_rule)
        rule = *v;
    bool by_handshake = al_classify(registry, &classify_opts, transport, sport, dport, server, v);
    if (same_verdict(by_rule, &rule, by_handshake, v)) {
        al_handshake_set(&pinfo->src, &pinfo->dst, sport, dport, 0);
        return by_handshake;
    }
    /* A SYN that starts no new conversation (TCP keeps it in the one it
     * has) keeps that conversation's verdict. */
    const al_conv_t *c =
        pair_record(pinfo, transport, &pinfo->src, &pinfo->dst, sport, dport, NULL);
    if (c) {
        *from_pair = true;
        server = c->service_port;
        by_handshake = al_classify(registry, &classify_opts, transport, sport, dport, server, v);
        if (same_verdict(by_rule, &rule, by_handshake, v))
            server = 0;
    }
    al_handshake_set(&pinfo->src, &pinfo->dst, sport, dport, server);
    return by_handshake;
}

/* The verdict a frame gives alone, in a later pass: its own SYN or SYN/ACK,
 * else the port rule. */
static bool own_verdict(tvbuff_t *tvb, packet_info *pinfo, al_transport_t transport,
                        bool rule_may_apply, al_verdict_t *v)
{
    uint16_t sport = (uint16_t)pinfo->srcport, dport = (uint16_t)pinfo->destport;
    uint16_t server = transport == AL_TRANSPORT_TCP ? syn_server_port(tvb, pinfo) : 0;
    if (!server && !rule_may_apply)
        return false;
    return al_classify(registry, &classify_opts, transport, sport, dport, server, v);
}

/* Kept with a frame whose negative verdict came from its pair's handshake. */
static const int no_service_by_pair;

/* The record of the frame's conversation, found or made from the verdict;
 * NULL for a frame of no service in the registry. A frame whose verdict came
 * from its pair's handshake (the table may say otherwise by a later pass) or
 * from its conversation keeps it; a later pass decides the other frames
 * again from themselves, as the first did. */
static al_conv_t *frame_conversation(tvbuff_t *tvb, packet_info *pinfo, al_transport_t transport,
                                     bool rule_may_apply)
{
    al_verdict_t v;
    if (PINFO_FD_VISITED(pinfo)) {
        void *kept = p_get_proto_data(wmem_file_scope(), pinfo, proto_applelegacy, 0);
        if (kept)
            return kept == &no_service_by_pair ? NULL : (al_conv_t *)kept;
        if (!own_verdict(tvb, pinfo, transport, rule_may_apply, &v))
            return NULL;
        return pair_record(pinfo, transport, &pinfo->src, &pinfo->dst, (uint16_t)pinfo->srcport,
                           (uint16_t)pinfo->destport, NULL);
    }
    bool from_pair;
    if (!frame_verdict(tvb, pinfo, transport, rule_may_apply, &v, &from_pair)) {
        if (from_pair)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_applelegacy, 0,
                             (void *)&no_service_by_pair);
        return NULL;
    }
    al_conv_t *c = pair_record(pinfo, transport, &pinfo->src, &pinfo->dst, (uint16_t)pinfo->srcport,
                               (uint16_t)pinfo->destport, &v);
    if (from_pair)
        p_add_proto_data(wmem_file_scope(), pinfo, proto_applelegacy, 0, c);
    return c;
}

static AL_COLD int annotate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, al_conv_t *c,
                            al_transport_t transport);
static AL_COLD int annotate_icmp_error(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                       al_transport_t transport);

/* The model of an instance: its own TXT "model", else that of the same
 * instance's _device-info record in the message (AirPort base stations). */
static const char *instance_model(const al_mdns_message_t *m, const al_mdns_instance_t *inst)
{
    const char *model = al_mdns_txt_value(inst, "model");
    for (guint i = 0; !model && i < m->instances->len; i++) {
        const al_mdns_instance_t *o =
            (const al_mdns_instance_t *)g_ptr_array_index(m->instances, i);
        if (o != inst && strcmp(o->service, "_device-info._tcp") == 0 &&
            strcmp(o->instance, inst->instance) == 0)
            model = al_mdns_txt_value(o, "model");
    }
    return model ? model : "";
}

/* Where the datagram was reassembled from IP fragments, its UDP header and
 * payload are a data source of their own ("Reassembled IPv6"), not in the
 * frame: the payload of the one that starts with this packet's UDP header. */
static const uint8_t *reassembled_udp_payload(packet_info *pinfo, size_t *length)
{
    for (GSList *s = pinfo->data_src ? pinfo->data_src->next : NULL; s; s = s->next) {
        tvbuff_t *src = get_data_source_tvb((const struct data_source *)s->data);
        unsigned len = src ? tvb_captured_length(src) : 0;
        if (len <= 8 || tvb_get_ntohs(src, 0) != pinfo->srcport ||
            tvb_get_ntohs(src, 2) != pinfo->destport || tvb_get_ntohs(src, 4) <= 8 ||
            tvb_get_ntohs(src, 4) > len)
            continue;
        *length = (size_t)tvb_get_ntohs(src, 4) - 8;
        return tvb_get_ptr(src, 8, (gint)*length);
    }
    return NULL;
}

/* An mDNS response on UDP 5353: every service instance it advertises on a
 * port of the registry gets a tree with that port's facts, and a record on
 * the "applelegacy.bonjour" tap (the report's Bonjour inventory). */
static AL_COLD int annotate_bonjour(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    al_transport_hdr_t hdr;
    const uint8_t *payload = NULL;
    size_t length = 0;
    if (frame_payload(tvb, pinfo, AL_TRANSPORT_UDP, &hdr)) {
        payload = tvb_get_ptr(tvb, (gint)hdr.payload_offset, (gint)hdr.payload_length);
        length = hdr.payload_length;
    } else {
        payload = reassembled_udp_payload(pinfo, &length);
    }
    if (!payload || !length)
        return 0;
    al_mdns_message_t *m = al_mdns_parse(payload, length);
    int annotated = 0;
    for (guint i = 0; i < m->instances->len; i++) {
        const al_mdns_instance_t *inst =
            (const al_mdns_instance_t *)g_ptr_array_index(m->instances, i);
        const al_group_t *g;
        /* a range row (Xsan's 49152-65535) names no service of a port a
         * device picked for itself */
        if (!inst->has_srv || !inst->port || inst->goodbye ||
            !(g = al_port_index_lookup(registry, inst->transport, inst->port)) ||
            al_row_is_range(g->rows[0]))
            continue;
        const al_row_t *row = g->rows[0];
        const char *model = instance_model(m, inst);
        const char *firmware = al_mdns_txt_value(inst, "syVs");
        firmware = firmware ? firmware : "";
        annotated++;
        if (tree) {
            proto_item *ti, *pi;
            ti = proto_tree_add_protocol_format(
                tree, proto_applelegacy, tvb, 0, 0,
                "Apple Legacy Port Registry: Bonjour advertises %s \"%s\" on %s %u, %s (%s, %s)",
                inst->service, inst->instance, transport_upper(row->transport), inst->port,
                row->service, al_registration_names[row->registration],
                al_lifecycle_names[row->lifecycle]);
            proto_tree *st = proto_item_add_subtree(ti, ett_bonjour);
#define ADD_GENERATED(expr)                                                                        \
    do {                                                                                           \
        pi = (expr);                                                                               \
        proto_item_set_generated(pi);                                                              \
    } while (0)
            ADD_GENERATED(
                proto_tree_add_string(st, hf_bonjour_service_type, tvb, 0, 0, inst->service));
            ADD_GENERATED(
                proto_tree_add_string(st, hf_bonjour_instance, tvb, 0, 0, inst->instance));
            ADD_GENERATED(proto_tree_add_string(st, hf_bonjour_host, tvb, 0, 0, inst->target));
            if (model[0])
                ADD_GENERATED(proto_tree_add_string(st, hf_bonjour_model, tvb, 0, 0, model));
            if (firmware[0])
                ADD_GENERATED(proto_tree_add_string(st, hf_bonjour_firmware, tvb, 0, 0, firmware));
            ADD_GENERATED(proto_tree_add_uint(st, hf_port, tvb, 0, 0, inst->port));
            ADD_GENERATED(proto_tree_add_string(st, hf_transport, tvb, 0, 0,
                                                al_transport_names[row->transport]));
            ADD_GENERATED(proto_tree_add_string(st, hf_service, tvb, 0, 0, row->service));
            ADD_GENERATED(proto_tree_add_string(st, hf_registration, tvb, 0, 0,
                                                al_registration_names[row->registration]));
            ADD_GENERATED(
                proto_tree_add_boolean(st, hf_unregistered_use, tvb, 0, 0, row->unregistered_use));
            ADD_GENERATED(proto_tree_add_string(st, hf_lifecycle, tvb, 0, 0,
                                                al_lifecycle_names[row->lifecycle]));
            ADD_GENERATED(proto_tree_add_string(st, hf_last_seen_in, tvb, 0, 0, row->last_seen_in));
            ADD_GENERATED(proto_tree_add_string(st, hf_sources, tvb, 0, 0, row->sources));
#undef ADD_GENERATED
        }
        if (have_tap_listener(bonjour_tap)) {
            al_bonjour_tap_info_t *info = wmem_new0(pinfo->pool, al_bonjour_tap_info_t);
            info->host = &pinfo->src;
            info->group = g;
            info->port = inst->port;
            info->transport = (uint8_t)inst->transport;
            info->service_type = wmem_strdup(pinfo->pool, inst->service);
            info->instance = wmem_strdup(pinfo->pool, inst->instance);
            info->target = wmem_strdup(pinfo->pool, inst->target);
            info->model = wmem_strdup(pinfo->pool, model);
            info->firmware = wmem_strdup(pinfo->pool, firmware);
            tap_queue_packet(bonjour_tap, pinfo, info);
        }
    }
    al_mdns_message_free(m);
    return annotated ? (int)tvb_captured_length(tvb) : 0;
}

/* The TCP or UDP header Wireshark last dissected is one an ICMP or ICMPv6
 * error quotes: its ports are the quoted packet's, the addresses the error's
 * own (ICMP restores them). Walks back from the end of the frame's layers. */
static inline bool in_icmp_error(packet_info *pinfo)
{
    wmem_list_frame_t *f = wmem_list_tail(pinfo->layers);
    while (f) {
        int id = GPOINTER_TO_INT(wmem_list_frame_data(f));
        f = wmem_list_frame_prev(f);
        if (id == proto_tcp_id || id == proto_udp_id)
            break;
    }
    if (!f)
        return false;
    int ip = GPOINTER_TO_INT(wmem_list_frame_data(f));
    if (ip != proto_ip_id && ip != proto_ipv6_id)
        return false;
    f = wmem_list_frame_prev(f);
    if (!f)
        return false;
    int icmp = GPOINTER_TO_INT(wmem_list_frame_data(f));
    return icmp == proto_icmp_id || icmp == proto_icmpv6_id;
}

static inline int dissect_applelegacy(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    al_transport_t transport;

    if (pinfo->ptype == PT_TCP) {
        transport = AL_TRANSPORT_TCP;
    } else if (pinfo->ptype == PT_UDP) {
        transport = AL_TRANSPORT_UDP;
    } else {
        /* 4.4 and later restore the ICMP error's own ports and port type
         * after dissecting its quote */
        if (G_UNLIKELY(annotating && in_icmp_error(pinfo)))
            return annotate_icmp_error(tvb, pinfo, tree, AL_TRANSPORT_COUNT);
        return 0;
    }
    if (G_UNLIKELY(!annotating))
        return 0;
    if (G_UNLIKELY(transport == AL_TRANSPORT_UDP &&
                   (pinfo->srcport == AL_MDNS_PORT || pinfo->destport == AL_MDNS_PORT)))
        return annotate_bonjour(tvb, pinfo, tree);
    /* The fast path for ordinary traffic: neither port is in the registry. */
    uint16_t sport = (uint16_t)pinfo->srcport, dport = (uint16_t)pinfo->destport;
    bool src_known = al_port_index_lookup(registry, transport, sport) != NULL;
    bool dst_known = al_port_index_lookup(registry, transport, dport) != NULL;
    if (!src_known && !dst_known)
        return 0;
    if (G_UNLIKELY(in_icmp_error(pinfo)))
        return annotate_icmp_error(tvb, pinfo, tree, transport);
    /* The port rule never takes a client's ephemeral port for a service:
     * a client port in a range row (Xsan's 49152-65535) talking to a port
     * of no row becomes a service only by a handshake. */
    bool rule_may_apply = (src_known && !port_is_ephemeral(sport, NULL)) ||
                          (dst_known && !port_is_ephemeral(dport, NULL));

    al_conv_t *c = frame_conversation(tvb, pinfo, transport, rule_may_apply);
    if (G_LIKELY(!c))
        return 0;
    return annotate(tvb, pinfo, tree, c, transport);
}

/* Tree, expert items and tap record of a frame of conversation c. */
static int annotate_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, al_conv_t *c,
                          al_transport_t transport, bool from_server)
{
    if (tree) {
        for (unsigned i = 0; i < c->group->count; i++)
            add_row_tree(tvb, pinfo, tree, c->group->rows[i], c);
    } else {
        add_frame_experts(pinfo, NULL, c);
    }

    if (have_tap_listener(applelegacy_tap)) {
        al_tap_info_t *info = wmem_new0(pinfo->pool, al_tap_info_t);
        info->group = c->group;
        info->server = &c->server;
        info->client = &c->client;
        info->service_port = c->service_port;
        info->transport = (uint8_t)transport;
        info->warnings = c->warnings;
        info->conversation_id = c->id;
        info->first_in_conversation = pinfo->num == c->first_frame;
        info->expected = c->group->rows[0]->expected;
        info->observed = c->observed;
        info->state = c->state;
        info->from_server = from_server;
        info->to_group = !c->pair;
        tap_queue_packet(applelegacy_tap, pinfo, info);
    }
    return tvb_captured_length(tvb);
}

/* A frame of a conversation the registry has a verdict for. */
static AL_COLD int annotate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, al_conv_t *c,
                            al_transport_t transport)
{
    const char *saved_proto = pinfo->current_proto;
    pinfo->current_proto = AL_SHORT_NAME;
    bool from_server =
        addresses_equal(&pinfo->src, &c->server) && pinfo->srcport == c->service_port;
    const char *expected = c->group->rows[0]->expected;
    int first, meets;
    application_layers(pinfo, c->group, &first, &meets);
    al_transport_hdr_t hdr;
    bool have_hdr = false;
    /* another dissector took the payload: it may still be the expected Apple
     * protocol's, until the conversation is seen to carry something else */
    if (meets < 0 && first >= 0 && (!c->observed_frame || strcmp(c->observed, expected) == 0)) {
        have_hdr = frame_payload(tvb, pinfo, transport, &hdr);
        int apple = apple_signature(tvb, pinfo, tree, expected, have_hdr ? &hdr : NULL);
        if (apple >= 0)
            meets = apple;
    }
    if (!PINFO_FD_VISITED(pinfo)) {
        if (!have_hdr)
            have_hdr = frame_payload(tvb, pinfo, transport, &hdr);
        al_conn_event_t e = {
            .from_server = from_server,
            .tcp = transport == AL_TRANSPORT_TCP,
            .flags_known = have_hdr,
            .tcp_flags = have_hdr ? hdr.tcp_flags : 0,
            .payload = have_hdr ? hdr.payload_length > 0 : first >= 0,
        };
        update_state(pinfo, c, &e);
        observe_payload(pinfo, c, first, meets);
    }
    int len = annotate_frame(tvb, pinfo, tree, c, transport, from_server);
    pinfo->current_proto = saved_proto;
    return len;
}

/* An ICMP or ICMPv6 error quoting a packet on a service port: a frame of
 * the quoted conversation, sent on the service side; destination
 * unreachable rejects it. */
static AL_COLD int annotate_icmp_error(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                       al_transport_t transport)
{
    al_icmp_quote_t q;
    unsigned len = tvb_captured_length(tvb);
    const uint8_t *bytes = tvb_get_ptr(tvb, 0, len);
    bool found =
        transport == AL_TRANSPORT_COUNT
            ? al_find_any_icmp_quote(bytes, len, &q)
            : al_find_icmp_quote(bytes, len,
                                 transport == AL_TRANSPORT_TCP ? AL_IPPROTO_TCP : AL_IPPROTO_UDP,
                                 (uint16_t)pinfo->srcport, (uint16_t)pinfo->destport, &q);
    if (!found)
        return 0;
    transport = q.ipproto == AL_IPPROTO_TCP ? AL_TRANSPORT_TCP : AL_TRANSPORT_UDP;
    uint16_t sport = q.sport, dport = q.dport;
    address qsrc, qdst;
    int type = q.addr_len == 4 ? AT_IPv4 : AT_IPv6;
    set_address(&qsrc, type, (int)q.addr_len, q.src);
    set_address(&qdst, type, (int)q.addr_len, q.dst);
    al_conv_t *c = pair_record(pinfo, transport, &qsrc, &qdst, sport, dport, NULL);
    if (!c) {
        al_verdict_t v;
        uint16_t server = transport == AL_TRANSPORT_TCP
                              ? al_handshake_server_port(&qsrc, &qdst, sport, dport)
                              : 0;
        if (!al_classify(registry, &classify_opts, transport, sport, dport, server, &v))
            return 0;
        c = pair_record(pinfo, transport, &qsrc, &qdst, sport, dport, &v);
    }
    const char *saved_proto = pinfo->current_proto;
    pinfo->current_proto = AL_SHORT_NAME;
    if (!PINFO_FD_VISITED(pinfo)) {
        /* the error is about a packet to the service, not from it */
        bool to_service = addresses_equal(&qdst, &c->server) && dport == c->service_port;
        al_conn_event_t e = {
            .from_server = true,
            .tcp = transport == AL_TRANSPORT_TCP,
            .icmp_error = true,
            .icmp_unreachable = q.unreachable && to_service,
        };
        update_state(pinfo, c, &e);
    }
    int n = annotate_frame(tvb, pinfo, tree, c, transport, true);
    pinfo->current_proto = saved_proto;
    return n;
}

static int dissect_postdissector(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                 void *data _U_)
{
    return dissect_applelegacy(tvb, pinfo, tree);
}

/* The new scope and user rows take effect at the next dissection pass
 * (applelegacy_init), which Wireshark starts after a change. */
static void applelegacy_prefs_changed(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(scope_names); i++) {
        if (pref_scope_text && g_ascii_strcasecmp(pref_scope_text, scope_names[i]) == 0) {
            pref_scope = (al_scope_t)i;
            return;
        }
    }
    report_failure("applelegacy.scope: \"%s\" is not a scope (use apple, all or legacy); "
                   "keeping \"%s\"",
                   pref_scope_text ? pref_scope_text : "", scope_names[pref_scope]);
}

static void applelegacy_user_table_changed(void)
{
}

void proto_register_applelegacy(void)
{
    static hf_register_info hf[] = {
        {&hf_port,
         {"Service port", "applelegacy.port", FT_UINT16, BASE_DEC, NULL, 0x0,
          "The port of the service side of the conversation", HFILL}},
        {&hf_transport,
         {"Transport", "applelegacy.transport", FT_STRING, BASE_NONE, NULL, 0x0, "tcp or udp",
          HFILL}},
        {&hf_service,
         {"Apple service", "applelegacy.service", FT_STRING, BASE_NONE, NULL, 0x0,
          "Apple's name for the service on this port", HFILL}},
        {&hf_iana_name,
         {"IANA name", "applelegacy.iana_name", FT_STRING, BASE_NONE, NULL, 0x0,
          "The IANA service keyword for this port and transport; empty when unassigned", HFILL}},
        {&hf_iana_description,
         {"IANA description", "applelegacy.iana_description", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_registration,
         {"IANA registration", "applelegacy.registration", FT_STRING, BASE_NONE, NULL, 0x0,
          "apple, standard, other, unassigned or mixed (a range)", HFILL}},
        {&hf_unregistered_use,
         {"Unregistered use", "applelegacy.unregistered_use", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Apple's own table calls this use unregistered", HFILL}},
        {&hf_used_by,
         {"Used by", "applelegacy.used_by", FT_STRING, BASE_NONE, NULL, 0x0,
          "Apple products and features that use the port", HFILL}},
        {&hf_lifecycle,
         {"Lifecycle", "applelegacy.lifecycle", FT_STRING, BASE_NONE, NULL, 0x0,
          "current, legacy or discontinued", HFILL}},
        {&hf_last_seen_in,
         {"Last seen in", "applelegacy.last_seen_in", FT_STRING, BASE_NONE, NULL, 0x0,
          "The last release with this use, where a source states it", HFILL}},
        {&hf_expected,
         {"Expected protocol", "applelegacy.expected", FT_STRING, BASE_NONE, NULL, 0x0,
          "Display-filter name of the protocol that should be on the wire; empty when unknown",
          HFILL}},
        {&hf_rfc, {"RFC", "applelegacy.rfc", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_sources,
         {"Sources", "applelegacy.sources", FT_STRING, BASE_NONE, NULL, 0x0,
          "The documents that state this row (see data/README.md)", HFILL}},
        {&hf_note, {"Note", "applelegacy.note", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_service_side,
         {"Service side found by", "applelegacy.service_side", FT_STRING, BASE_NONE, NULL, 0x0,
          "handshake (the SYN's destination) or port rule (no handshake seen)", HFILL}},
        {&hf_observed,
         {"Observed protocol", "applelegacy.observed", FT_STRING, BASE_NONE, NULL, 0x0,
          "Display-filter name of the protocol found in the payload, or unknown", HFILL}},
        {&hf_evidence,
         {"Evidence", "applelegacy.evidence", FT_STRING, BASE_NONE, NULL, 0x0,
          "port only (no payload seen yet) or payload", HFILL}},
        {&hf_state,
         {"Connection state", "applelegacy.state", FT_STRING, BASE_NONE, NULL, 0x0,
          "How far the conversation got: no answer, rejected (TCP RST or ICMP unreachable), "
          "answered, established or data exchanged; as of this frame in the first pass",
          HFILL}},
        {&hf_apple_tables,
         {"Apple tables", "applelegacy.apple_tables", FT_STRING, BASE_NONE, NULL, 0x0,
          "Which of Apple's port tables list this row: 2010 and current, current only, or "
          "2010 only (history: the current table decides the current facts)",
          HFILL}},
        {&hf_bonjour_instance,
         {"Bonjour instance", "applelegacy.bonjour.instance", FT_STRING, BASE_NONE, NULL, 0x0,
          "The advertised service instance's name (DNS-SD)", HFILL}},
        {&hf_bonjour_service_type,
         {"Bonjour service type", "applelegacy.bonjour.service_type", FT_STRING, BASE_NONE, NULL,
          0x0, "_airport._tcp, _rfb._tcp, ...", HFILL}},
        {&hf_bonjour_host,
         {"Bonjour host", "applelegacy.bonjour.host", FT_STRING, BASE_NONE, NULL, 0x0,
          "The SRV record's target host", HFILL}},
        {&hf_bonjour_model,
         {"Model", "applelegacy.bonjour.model", FT_STRING, BASE_NONE, NULL, 0x0,
          "TXT model, of the instance or its _device-info record", HFILL}},
        {&hf_bonjour_firmware,
         {"Firmware", "applelegacy.bonjour.firmware", FT_STRING, BASE_NONE, NULL, 0x0,
          "TXT syVs (AirPort base station firmware)", HFILL}},
        {&hf_user_row,
         {"User row", "applelegacy.user_row", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The row comes from the user table, not from the built-in data", HFILL}},
    };
    static gint *ett[] = {&ett_applelegacy, &ett_bonjour};
    static ei_register_info ei[] = {
        {&ei_unregistered_use,
         {"applelegacy.expert.unregistered_use", PI_ASSUMPTION, PI_WARN,
          "Apple's own table calls this use of the port unregistered", EXPFILL}},
        {&ei_registered_to_other,
         {"applelegacy.expert.registered_to_other", PI_ASSUMPTION, PI_WARN,
          "IANA registers this port to another service", EXPFILL}},
        {&ei_abandoned,
         {"applelegacy.expert.abandoned", PI_DEPRECATED, PI_WARN,
          "Traffic on a port whose Apple service is discontinued", EXPFILL}},
        {&ei_unassigned,
         {"applelegacy.expert.unassigned", PI_ASSUMPTION, PI_NOTE,
          "IANA assigns this port to nobody", EXPFILL}},
        {&ei_protocol_mismatch,
         {"applelegacy.expert.protocol_mismatch", PI_SECURITY, PI_WARN,
          "The payload is not the protocol this port should carry", EXPFILL}},
        {&ei_probe,
         {"applelegacy.expert.probe", PI_SECURITY, PI_NOTE,
          "A client probed Apple ports of a server that did not answer or refused", EXPFILL}},
    };
    module_t *module;
    expert_module_t *expert;

    proto_applelegacy =
        proto_register_protocol("Apple Legacy Port Registry", AL_SHORT_NAME, "applelegacy");
    proto_register_field_array(proto_applelegacy, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    pairs = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), pair_hash, pair_equal);
    al_handshakes_register();
    expert = expert_register_protocol(proto_applelegacy);
    expert_register_field_array(expert, ei, array_length(ei));

    module = prefs_register_protocol(proto_applelegacy, applelegacy_prefs_changed);
    prefs_register_string_preference(
        module, "scope", "Ports to annotate (apple, all or legacy)",
        "apple: ports IANA gives to Apple, to another service or to nobody, and Apple's "
        "unregistered uses (default); all: every row, standard services such as 80 and 443 "
        "too; legacy: only legacy or discontinued uses, and unregistered use",
        &pref_scope_text);
    range_convert_str(wmem_epan_scope(), &pref_ephemeral_ports, DEFAULT_EPHEMERAL_PORTS, 65535);
    prefs_register_range_preference(
        module, "ephemeral_ports", "Client (ephemeral) ports",
        "Ports that clients pick for themselves. When no TCP handshake shows which side is "
        "the server, a port in this range is never taken for a service port",
        &pref_ephemeral_ports, 65535);
    prefs_register_bool_preference(module, "warn_unregistered_use", "Warn about unregistered use",
                                   "Expert warning where Apple's own table calls the use of "
                                   "the port unregistered",
                                   &pref_warn_unregistered_use);
    prefs_register_bool_preference(module, "warn_registered_to_other",
                                   "Warn about ports registered to another service",
                                   "Expert warning where IANA registers the port to a service "
                                   "other than Apple's",
                                   &pref_warn_registered_to_other);
    prefs_register_bool_preference(module, "warn_abandoned", "Warn about abandoned ports",
                                   "Expert warning on traffic to a port whose Apple product is "
                                   "discontinued",
                                   &pref_warn_abandoned);
    prefs_register_bool_preference(module, "warn_unassigned", "Note unassigned ports",
                                   "Expert note where IANA assigns the port to nobody",
                                   &pref_warn_unassigned);
    prefs_register_bool_preference(module, "warn_protocol_mismatch",
                                   "Warn about protocol mismatches",
                                   "Security warning where the payload is not the protocol the "
                                   "port should carry",
                                   &pref_warn_protocol_mismatch);
    prefs_register_uat_preference(module, "user_ports", "User port rows",
                                  "Rows added to or overriding the built-in Apple port table",
                                  applelegacy_user_table_new(applelegacy_user_table_changed));

    classify_opts.is_ephemeral = port_is_ephemeral;
    classify_opts.data = NULL;

    register_init_routine(applelegacy_init);
    register_cleanup_routine(applelegacy_cleanup);
    applelegacy_protocol = find_protocol_by_id(proto_applelegacy);
    proto_applelegacy_post = proto_register_protocol_in_name_only(
        "Apple Legacy Port Registry postdissector", "AppleLegacy postdissector",
        "applelegacy.postdissector", proto_get_id_by_filter_name("frame"), FT_PROTOCOL);
    register_postdissector(AL_REGISTER_DISSECTOR_DESC(
        "applelegacy.postdissector", "Apple Legacy Port Registry postdissector",
        dissect_postdissector, proto_applelegacy_post));
    applelegacy_tap = register_tap(AL_TAP_NAME);
    bonjour_tap = register_tap(AL_BONJOUR_TAP_NAME);
    register_tap(AL_EVENT_TAP_NAME); /* the Apple plugins' events, for report.c */
}

void proto_reg_handoff_applelegacy(void)
{
    proto_tcp_id = proto_get_id_by_filter_name("tcp");
    proto_udp_id = proto_get_id_by_filter_name("udp");
    proto_data_id = proto_get_id_by_filter_name("data");
    proto_ip_id = proto_get_id_by_filter_name("ip");
    proto_ipv6_id = proto_get_id_by_filter_name("ipv6");
    proto_icmp_id = proto_get_id_by_filter_name("icmp");
    proto_icmpv6_id = proto_get_id_by_filter_name("icmpv6");
    proto_sniffer = proto_get_id_by_filter_name("applelegacy_sniffer");
}
