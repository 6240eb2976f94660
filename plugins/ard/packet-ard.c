/* packet-ard.c
 * Apple Remote Desktop / Net Assistant (IANA net-assistant, UDP and TCP 3283).
 *
 * The administrator's Remote Desktop and the managed Mac's ARD agent exchange
 * small UDP messages: a big-endian uint16 code, a uint16 data length that
 * excludes the 4-byte header, and the data. GET_INFO (0x0014) asks a client
 * for its status; ANSWER_GET_INFO (0x0001) carries the focused application,
 * the logged-in user, the computer name and addresses. The answer is about
 * 1006 bytes for a 5-byte request, which made UDP 3283 a reflection/
 * amplification vector in 2019 ("ARMS" attacks, about 35:1 per NETSCOUT).
 * This dissector decodes what the sources support, keeps per-conversation
 * byte counts, and raises Expert Information on amplification and on a
 * responder answering many sources.
 *
 * The TCP side of 3283 (reporting, file transfer) has no known framing: it is
 * shown as undecoded data: through Decode As, or on TCP 3283 when this plugin
 * is loaded without the registry plugin.
 *
 * Sources (see ../shared/reference/apple-protocols.md section 4):
 *   ardclient by Dan Keder (packet.py, the GET_INFO answer struct, codes);
 *   nmap nmap-service-probes (netassistant probe and matches);
 *   Phenomite/AMP-Research "Port 3283 - ARD" (live 1002-byte reply, probe);
 *   "ARMS(Apple Remote Management Service) DDoS" write-up (Snort rules);
 *   NETSCOUT ASERT, "A Call to ARMS" (amplification factor).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/address.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/to_str.h>

#include <inttypes.h>

#include "al-expert.h"
#include "applelegacy-api.h"
#include "ws-compat.h"

#include "ard-parse.h"

void proto_register_ard(void);
void proto_reg_handoff_ard(void);

static int proto_ard = -1;

static int hf_ard_code = -1;
static int hf_ard_length = -1;
static int hf_ard_data = -1;
static int hf_ard_trailer = -1;
static int hf_ard_probe = -1;
static int hf_ard_get_info_request = -1;
static int hf_ard_info_unknown_0x04 = -1;
static int hf_ard_info_unknown = -1;
static int hf_ard_info_status = -1;
static int hf_ard_info_focused_app = -1;
static int hf_ard_info_user = -1;
static int hf_ard_info_computer_name = -1;
static int hf_ard_info_ipv4 = -1;
static int hf_ard_info_mac = -1;
static int hf_ard_info_name_utf16_count = -1;
static int hf_ard_info_name_utf16 = -1;
static int hf_ard_ack_code = -1;
static int hf_ard_shutdown_action = -1;
static int hf_ard_send_cmd_unknown_u32 = -1;
static int hf_ard_send_cmd_unknown = -1;
static int hf_ard_send_cmd_command = -1;
static int hf_ard_response = -1;
static int hf_ard_request_bytes = -1;
static int hf_ard_response_bytes = -1;
static int hf_ard_amplification_ratio = -1;
static int hf_ard_tcp_data = -1;

static gint ett_ard = -1;
static gint ett_ard_info = -1;
static gint ett_ard_analysis = -1;

static expert_field ei_ard_length_mismatch = EI_INIT;
static expert_field ei_ard_truncated = EI_INIT;
static expert_field ei_ard_string_length = EI_INIT;
static expert_field ei_ard_amplification = EI_INIT;
static expert_field ei_ard_many_sources = EI_INIT;
static expert_field ei_ard_tcp_unknown = EI_INIT;

static dissector_handle_t ard_handle;
static int ard_tap = -1;
static int ard_event_tap; /* the registry's event tap; 0 when it is not loaded */

/* Preferences */
#define ARD_DEFAULT_AMPLIFICATION_THRESHOLD 10
#define ARD_DEFAULT_MANY_SOURCES_THRESHOLD  5
static guint pref_amplification_threshold = ARD_DEFAULT_AMPLIFICATION_THRESHOLD;
static guint pref_many_sources_threshold = ARD_DEFAULT_MANY_SOURCES_THRESHOLD;

static const value_string ard_code_vals[] = {
    {ARD_CODE_ACK, "ACK"},
    {ARD_CODE_ANSWER_GET_INFO, "ANSWER_GET_INFO"},
    {ARD_CODE_GET_INFO, "GET_INFO"},
    {ARD_CODE_SHUTDOWN, "SHUTDOWN/RESTART"},
    {ARD_CODE_CMD_RESULTS, "CMD_RESULTS"},
    {ARD_CODE_SEND_CMD, "SEND_CMD"},
    {ARD_CODE_CMD_RESULTS_2, "CMD_RESULTS_2"},
    {ARD_CODE_CANCEL_CMD, "CANCEL_CMD"},
    {ARD_CODE_PING_REPLY, "PING_REPLY"},
    {ARD_CODE_PING, "PING"},
    {ARD_CODE_ADD_COMPUTER_2, "ADD_COMPUTER (step 2)"},
    {ARD_CODE_ADD_COMPUTER_1, "ADD_COMPUTER (step 1)"},
    {0, NULL},
};

/* Status at 0x28 of ANSWER_GET_INFO: the values the sources name. */
static const value_string ard_status_vals[] = {
    {0x0001, "Available/no focus"},
    {0x0002, "Available"},
    {0x000d, "Locked"},
    {0x001a, "Login window"},
    {0, NULL},
};

/* The same, short, for the Info column. */
static const value_string ard_probe_short_vals[] = {
    {ARD_PROBE_NMAP, "nmap probe"},
    {ARD_PROBE_AMP_RESEARCH, "AMP-Research probe"},
    {ARD_PROBE_ARMS_SCAN, "ARMS scan"},
    {0, NULL},
};

static const value_string ard_probe_vals[] = {
    {ARD_PROBE_NMAP, "nmap netassistant probe (00 14 00 01 03)"},
    {ARD_PROBE_AMP_RESEARCH, "AMP-Research refined payload (00 14 00 00)"},
    {ARD_PROBE_ARMS_SCAN, "ARMS reflector scan (00 00)"},
    {0, NULL},
};

/* Per UDP conversation, allocated once in file scope. During the first pass
 * the byte counters are running totals; the expert's values are kept so that
 * a revisited packet shows the same message. */
typedef struct {
    address responder;
    guint32 responder_port;
    guint64 request_bytes;
    guint64 response_bytes;
    guint32 amp_frame; /* 0: not raised */
    guint8 amp_kind;   /* ard_amp_t */
    guint64 amp_request_bytes;
    guint64 amp_response_bytes;
} ard_conv_t;

/* Per responder address (file scope): the distinct destinations it answered
 * GET_INFO to. */
typedef struct {
    address addr;
    wmem_map_t *sources;
    guint32 count;
    guint32 raised_frame; /* 0: not raised */
    guint32 raised_count;
} ard_responder_t;

static wmem_map_t *ard_responders;

/* What one UDP message is, for the analysis and the tap. */
typedef struct {
    guint32 code; /* ARD_TAP_NO_CODE when there is no 4-byte header */
    ard_dir_t dir;
    guint payload_len;
    bool arms_signature;
} ard_msg_t;

static guint ard_address_hash(gconstpointer key)
{
    return add_address_to_hash(0, (const address *)key);
}

static gboolean ard_address_equal(gconstpointer a, gconstpointer b)
{
    return addresses_equal((const address *)a, (const address *)b);
}

/* ---- Message bodies --------------------------------------------------- */

/* A Pascal string in a fixed field: length byte, then text. */
static const char *add_pstring(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo,
                               const guint8 *bytes, guint offset, guint field_len)
{
    bool overflow;
    size_t n = ard_pstring_len(bytes[offset], field_len, &overflow);
    const char *s =
        (const char *)tvb_get_string_enc(pinfo->pool, tvb, offset + 1, (gint)n, ENC_ASCII);
    proto_item *pi = proto_tree_add_string(tree, hf, tvb, offset, field_len, s);
    if (overflow)
        al_expert_add_info_fmt(pinfo, pi, &ei_ard_string_length,
                               "Pascal string length %u exceeds its %u-byte field", bytes[offset],
                               field_len);
    return s;
}

static void add_utf16_name(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, guint offset)
{
    guint32 count;
    bool overflow;

    proto_tree_add_item_ret_uint(tree, hf_ard_info_name_utf16_count, tvb, offset, 2, ENC_BIG_ENDIAN,
                                 &count);
    size_t n = ard_utf16_name_len((uint16_t)count, &overflow);
    const char *s = (const char *)tvb_get_string_enc(pinfo->pool, tvb, offset + 2, (gint)n,
                                                     ENC_UTF_16 | ENC_BIG_ENDIAN);
    proto_item *pi = proto_tree_add_string(tree, hf_ard_info_name_utf16, tvb, offset + 2,
                                           ARD_INFO_LEN_NAME_UTF16, s);
    if (overflow)
        al_expert_add_info_fmt(pinfo, pi, &ei_ard_string_length,
                               "UTF-16 name count %u exceeds its %u-byte field", count,
                               ARD_INFO_LEN_NAME_UTF16);
}

/* Bytes [start, end) of the answer that no source explains, clipped to avail. */
static void add_unknown(proto_tree *tree, tvbuff_t *tvb, guint start, guint end, guint avail)
{
    if (end > avail)
        end = avail;
    if (start < end)
        proto_tree_add_item(tree, hf_ard_info_unknown, tvb, start, end - start, ENC_NA);
}

static bool info_has(guint avail, guint offset, guint len)
{
    return offset + len <= avail;
}

/* ANSWER_GET_INFO; avail is the end of the data, counted from the payload
 * start (the offsets of the layout are too). */
static void dissect_answer_get_info(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                    proto_item *ti, const guint8 *bytes, guint avail)
{
    proto_tree *it = proto_tree_add_subtree(tree, tvb, ARD_HEADER_LEN, avail - ARD_HEADER_LEN,
                                            ett_ard_info, NULL, "Client info");
    guint32 status = 0;
    const char *name = NULL, *user = NULL;
    bool have_status = false;

    if (info_has(avail, ARD_INFO_OFF_UNKNOWN_0X04, 2))
        proto_tree_add_item(it, hf_ard_info_unknown_0x04, tvb, ARD_INFO_OFF_UNKNOWN_0X04, 2,
                            ENC_BIG_ENDIAN);
    add_unknown(it, tvb, 0x06, ARD_INFO_OFF_STATUS, avail);
    if (info_has(avail, ARD_INFO_OFF_STATUS, 2)) {
        proto_tree_add_item_ret_uint(it, hf_ard_info_status, tvb, ARD_INFO_OFF_STATUS, 2,
                                     ENC_BIG_ENDIAN, &status);
        have_status = true;
    }
    add_unknown(it, tvb, 0x2A, ARD_INFO_OFF_FOCUSED_APP, avail);
    if (info_has(avail, ARD_INFO_OFF_FOCUSED_APP, ARD_INFO_LEN_FOCUSED_APP))
        add_pstring(it, hf_ard_info_focused_app, tvb, pinfo, bytes, ARD_INFO_OFF_FOCUSED_APP,
                    ARD_INFO_LEN_FOCUSED_APP);
    add_unknown(it, tvb, ARD_INFO_OFF_FOCUSED_APP + ARD_INFO_LEN_FOCUSED_APP, ARD_INFO_OFF_USER,
                avail);
    if (info_has(avail, ARD_INFO_OFF_USER, ARD_INFO_LEN_USER))
        user = add_pstring(it, hf_ard_info_user, tvb, pinfo, bytes, ARD_INFO_OFF_USER,
                           ARD_INFO_LEN_USER);
    if (info_has(avail, ARD_INFO_OFF_NAME, ARD_INFO_LEN_NAME))
        name = add_pstring(it, hf_ard_info_computer_name, tvb, pinfo, bytes, ARD_INFO_OFF_NAME,
                           ARD_INFO_LEN_NAME);
    add_unknown(it, tvb, ARD_INFO_OFF_NAME + ARD_INFO_LEN_NAME, ARD_INFO_OFF_IPV4, avail);
    if (info_has(avail, ARD_INFO_OFF_IPV4, 4))
        proto_tree_add_item(it, hf_ard_info_ipv4, tvb, ARD_INFO_OFF_IPV4, 4, ENC_BIG_ENDIAN);
    add_unknown(it, tvb, ARD_INFO_OFF_IPV4 + 4, ARD_INFO_OFF_MAC, avail);
    if (info_has(avail, ARD_INFO_OFF_MAC, 6))
        proto_tree_add_item(it, hf_ard_info_mac, tvb, ARD_INFO_OFF_MAC, 6, ENC_NA);
    add_unknown(it, tvb, ARD_INFO_OFF_MAC + 6, ARD_INFO_OFF_NAME_UTF16, avail);
    if (info_has(avail, ARD_INFO_OFF_NAME_UTF16, 2 + ARD_INFO_LEN_NAME_UTF16))
        add_utf16_name(it, tvb, pinfo, ARD_INFO_OFF_NAME_UTF16);
    add_unknown(it, tvb, ARD_INFO_LAYOUT_LEN, avail, avail);

    const ard_info_field_t *missing = ard_info_first_missing(avail);
    if (missing)
        al_expert_add_info_fmt(pinfo, ti, &ei_ard_truncated,
                               "Truncated ANSWER_GET_INFO: %u of %u bytes, fields from %s "
                               "(0x%02zX) on are missing",
                               avail, ARD_INFO_LAYOUT_LEN, missing->name, missing->offset);

    if (name)
        col_append_fstr(pinfo->cinfo, COL_INFO, " \"%s\"", name);
    if (user)
        col_append_fstr(pinfo->cinfo, COL_INFO, ", user \"%s\"", user);
    if (have_status)
        col_append_fstr(pinfo->cinfo, COL_INFO, ", status %s",
                        val_to_str_const(status, ard_status_vals, "unknown"));
}

/* A code whose documented structure needs more data than there is. */
static bool check_min_data(packet_info *pinfo, proto_item *ti, guint16 code, guint data_len)
{
    size_t need = ard_min_data_len(code);
    if (data_len >= need)
        return true;
    al_expert_add_info_fmt(pinfo, ti, &ei_ard_truncated,
                           "Truncated %s: %u data bytes, its structure needs at least %zu",
                           val_to_str_const(code, ard_code_vals, "message"), data_len, need);
    return false;
}

static void add_rest(proto_tree *tree, tvbuff_t *tvb, guint offset, guint end)
{
    if (offset < end)
        proto_tree_add_item(tree, hf_ard_data, tvb, offset, end - offset, ENC_NA);
}

/* The data of one message: bytes [4, end) of the payload. */
static void dissect_body(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                         guint16 code, const guint8 *bytes, guint end)
{
    guint off = ARD_HEADER_LEN;
    guint data_len = end - off;
    guint32 value;

    if (!check_min_data(pinfo, ti, code, data_len)) {
        add_rest(tree, tvb, off, end);
        return;
    }
    switch (code) {
    case ARD_CODE_ANSWER_GET_INFO:
        dissect_answer_get_info(tvb, pinfo, tree, ti, bytes, end);
        return;
    case ARD_CODE_GET_INFO:
        if (data_len >= 1) {
            proto_tree_add_item(tree, hf_ard_get_info_request, tvb, off, 1, ENC_NA);
            off += 1;
        }
        break;
    case ARD_CODE_ACK:
        proto_tree_add_item_ret_uint(tree, hf_ard_ack_code, tvb, off, 2, ENC_BIG_ENDIAN, &value);
        col_append_fstr(pinfo->cinfo, COL_INFO, " of %s",
                        AL_VAL_TO_STR(pinfo->pool, value, ard_code_vals, "code 0x%04x"));
        off += 2;
        break;
    case ARD_CODE_SHUTDOWN:
        proto_tree_add_item_ret_uint(tree, hf_ard_shutdown_action, tvb, off, 4, ENC_BIG_ENDIAN,
                                     &value);
        col_append_fstr(pinfo->cinfo, COL_INFO, " action %u", value);
        off += 4;
        break;
    case ARD_CODE_SEND_CMD: {
        proto_tree_add_item(tree, hf_ard_send_cmd_unknown_u32, tvb, off, 4, ENC_BIG_ENDIAN);
        proto_tree_add_item(tree, hf_ard_send_cmd_unknown, tvb, off + 4, 41, ENC_NA);
        off += ARD_SEND_CMD_FIXED_LEN;
        guint room = end - off; /* >= 1: checked above */
        add_pstring(tree, hf_ard_send_cmd_command, tvb, pinfo, bytes, off, room);
        off = end;
        break;
    }
    default:
        break;
    }
    add_rest(tree, tvb, off, end);
}

/* ---- Analysis: amplification and many sources ------------------------- */

static ard_conv_t *get_conv(packet_info *pinfo, const ard_msg_t *msg)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    ard_conv_t *c = (ard_conv_t *)conversation_get_proto_data(conv, proto_ard);
    if (c)
        return c;

    /* The responder is fixed by the first message: the sender of a response
     * code, the receiver of a request code, otherwise the 3283 side. */
    bool src_responds;
    if (msg->dir == ARD_DIR_RESPONSE)
        src_responds = true;
    else if (msg->dir == ARD_DIR_REQUEST)
        src_responds = false;
    else
        src_responds = pinfo->srcport == ARD_PORT && pinfo->destport != ARD_PORT;

    c = wmem_new0(wmem_file_scope(), ard_conv_t);
    copy_address_wmem(wmem_file_scope(), &c->responder, src_responds ? &pinfo->src : &pinfo->dst);
    c->responder_port = src_responds ? pinfo->srcport : pinfo->destport;
    conversation_add_proto_data(conv, proto_ard, c);
    return c;
}

static bool is_from_responder(packet_info *pinfo, const ard_conv_t *c)
{
    return pinfo->srcport == c->responder_port && addresses_equal(&pinfo->src, &c->responder);
}

static void count_bytes(packet_info *pinfo, ard_conv_t *c, const ard_msg_t *msg, bool response)
{
    if (response)
        c->response_bytes += msg->payload_len;
    else
        c->request_bytes += msg->payload_len;
    if (!response || c->amp_frame)
        return;

    ard_amp_t kind =
        ard_amp_check(c->request_bytes, c->response_bytes, pref_amplification_threshold);
    /* Only a real response code makes an unsolicited response. */
    if (kind == ARD_AMP_UNSOLICITED && msg->dir != ARD_DIR_RESPONSE)
        kind = ARD_AMP_NONE;
    if (kind == ARD_AMP_NONE)
        return;
    c->amp_frame = pinfo->num;
    c->amp_kind = (guint8)kind;
    c->amp_request_bytes = c->request_bytes;
    c->amp_response_bytes = c->response_bytes;
}

static void add_amplification_expert(packet_info *pinfo, proto_item *ti, const ard_conv_t *c,
                                     const ard_msg_t *msg)
{
    const char *responder = address_to_str(pinfo->pool, &c->responder);

    if (c->amp_kind == ARD_AMP_RATIO) {
        al_expert_add_info_fmt(pinfo, ti, &ei_ard_amplification,
                               "ARD reflection/amplification: %s sent %" PRIu64
                               " bytes for %" PRIu64 " received (ratio %.1f)",
                               responder, c->amp_response_bytes, c->amp_request_bytes,
                               ard_amp_ratio(c->amp_request_bytes, c->amp_response_bytes));
        return;
    }
    bool arms = msg->arms_signature && pinfo->srcport == ARD_PORT;
    al_expert_add_info_fmt(pinfo, ti, &ei_ard_amplification,
                           "ARD reflection/amplification: %s sent %" PRIu64
                           " bytes for 0 received (unsolicited response to %s, no request "
                           "seen%s)",
                           responder, c->amp_response_bytes,
                           address_to_str(pinfo->pool, &pinfo->dst),
                           arms ? "; ARMS attack signature 00 01 03 ea 00 31 from port 3283" : "");
}

/* First pass: records the destination of an ANSWER_GET_INFO as one of its
 * sender's requesting sources, and marks the packet that reaches the
 * threshold. */
static void count_source(packet_info *pinfo, ard_responder_t **out)
{
    ard_responder_t *r = (ard_responder_t *)wmem_map_lookup(ard_responders, &pinfo->src);
    if (!r) {
        r = wmem_new0(wmem_file_scope(), ard_responder_t);
        copy_address_wmem(wmem_file_scope(), &r->addr, &pinfo->src);
        r->sources = wmem_map_new(wmem_file_scope(), ard_address_hash, ard_address_equal);
        wmem_map_insert(ard_responders, &r->addr, r);
    }
    *out = r;
    if (wmem_map_lookup(r->sources, &pinfo->dst))
        return;
    address *key = wmem_new0(wmem_file_scope(), address);
    copy_address_wmem(wmem_file_scope(), key, &pinfo->dst);
    wmem_map_insert(r->sources, key, GUINT_TO_POINTER(1));
    r->count++;
    if (!r->raised_frame && pref_many_sources_threshold &&
        r->count >= pref_many_sources_threshold) {
        r->raised_frame = pinfo->num;
        r->raised_count = r->count;
    }
}

/* Returns whether this packet carries the many-sources expert. */
static bool many_sources(packet_info *pinfo, proto_item *ti, const ard_msg_t *msg, bool response)
{
    if (msg->code != ARD_CODE_ANSWER_GET_INFO || !response)
        return false;
    ard_responder_t *r = NULL;
    if (!PINFO_FD_VISITED(pinfo))
        count_source(pinfo, &r);
    else
        r = (ard_responder_t *)wmem_map_lookup(ard_responders, &pinfo->src);
    if (!r || r->raised_frame != pinfo->num)
        return false;
    al_expert_add_info_fmt(pinfo, ti, &ei_ard_many_sources,
                           "ARD responder %s answered GET_INFO to %u distinct sources",
                           address_to_str(pinfo->pool, &r->addr), r->raised_count);
    return true;
}

/* An event for the registry's report: a warning on the responder's row (the
 * sender of this response). Weights as the report ranks its warnings: a
 * protocol mismatch 64, an abandoned port 8. */
static void queue_event(packet_info *pinfo, const char *warning, const char *title, unsigned weight)
{
    al_event_t *e = wmem_new0(pinfo->pool, al_event_t);
    e->warning = warning;
    e->title = title;
    e->weight = weight;
    e->server = &pinfo->src;
    e->port = (uint16_t)pinfo->srcport;
    e->udp = true;
    tap_queue_packet(ard_event_tap, pinfo, e);
}

static void analyse(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                    const ard_msg_t *msg)
{
    ard_conv_t *c = get_conv(pinfo, msg);
    bool response = is_from_responder(pinfo, c);
    bool raised;
    guint64 req, resp;

    if (!PINFO_FD_VISITED(pinfo))
        count_bytes(pinfo, c, msg, response);
    raised = c->amp_frame == pinfo->num;
    if (raised) {
        req = c->amp_request_bytes;
        resp = c->amp_response_bytes;
    } else {
        req = c->request_bytes;
        resp = c->response_bytes;
    }

    proto_tree *at =
        proto_tree_add_subtree(tree, tvb, 0, 0, ett_ard_analysis, NULL, "Amplification analysis");
    proto_item *pi = proto_tree_add_boolean(at, hf_ard_response, tvb, 0, 0, response);
    proto_item_set_generated(pi);
    pi = proto_tree_add_uint64(at, hf_ard_request_bytes, tvb, 0, 0, req);
    proto_item_set_generated(pi);
    pi = proto_tree_add_uint64(at, hf_ard_response_bytes, tvb, 0, 0, resp);
    proto_item_set_generated(pi);
    if (response && req > 0) {
        pi = proto_tree_add_double(at, hf_ard_amplification_ratio, tvb, 0, 0,
                                   ard_amp_ratio(req, resp));
        proto_item_set_generated(pi);
    }
    if (raised)
        add_amplification_expert(pinfo, ti, c, msg);
    bool many = many_sources(pinfo, ti, msg, response);

    if (have_tap_listener(ard_tap)) {
        ard_tap_info_t *info = wmem_new0(pinfo->pool, ard_tap_info_t);
        info->code = msg->code;
        info->is_response = response;
        info->amplification = raised;
        info->many_sources = many;
        tap_queue_packet(ard_tap, pinfo, info);
    }
    if (response && pinfo->ptype == PT_UDP && ard_event_tap && have_tap_listener(ard_event_tap)) {
        if (raised)
            queue_event(pinfo, "ard_amplification", "ARD amplification", 32);
        if (many)
            queue_event(pinfo, "ard_many_sources", "ARD many sources", 16);
    }
}

/* ---- Dissectors ------------------------------------------------------- */

static void dissect_short(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                          ard_probe_t probe, guint len)
{
    if (probe == ARD_PROBE_ARMS_SCAN) {
        proto_item *pi = proto_tree_add_uint(tree, hf_ard_probe, tvb, 0, len, probe);
        proto_item_set_generated(pi);
        col_set_str(pinfo->cinfo, COL_INFO, "ARMS reflector scan (00 00)");
    } else {
        col_set_str(pinfo->cinfo, COL_INFO, "Truncated header");
        al_expert_add_info_fmt(pinfo, ti, &ei_ard_truncated,
                               "Truncated: %u-byte datagram, shorter than the 4-byte ARD header",
                               len);
    }
    if (len)
        proto_tree_add_item(tree, hf_ard_data, tvb, 0, len, ENC_NA);
}

static int dissect_ard_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    guint len = tvb_reported_length(tvb);
    guint cap = tvb_captured_length(tvb);
    const guint8 *bytes = cap ? tvb_get_ptr(tvb, 0, cap) : NULL;
    ard_probe_t probe = cap == len ? ard_probe_kind(bytes, cap) : ARD_PROBE_NONE;
    ard_msg_t msg = {ARD_TAP_NO_CODE, ARD_DIR_REQUEST, len, false};
    ard_header_t hdr;

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "ARD");
    col_clear(pinfo->cinfo, COL_INFO);
    proto_item *ti = proto_tree_add_item(tree, proto_ard, tvb, 0, -1, ENC_NA);
    proto_tree *ard_tree = proto_item_add_subtree(ti, ett_ard);

    /* A snapshot length that cuts the header: nothing to decode. */
    if (cap < ARD_HEADER_LEN && cap < len)
        tvb_ensure_bytes_exist(tvb, 0, MIN(len, ARD_HEADER_LEN));
    if (!ard_parse_header(bytes, cap, &hdr)) {
        if (probe != ARD_PROBE_ARMS_SCAN)
            msg.dir = ARD_DIR_UNKNOWN;
        dissect_short(tvb, pinfo, ard_tree, ti, probe, len);
        analyse(tvb, pinfo, ard_tree, ti, &msg);
        return len;
    }

    /* The lengths come from the datagram, not from what was captured. */
    guint avail = len - ARD_HEADER_LEN;
    guint data_len = MIN(hdr.length, avail);
    msg.code = hdr.code;
    msg.dir = ard_code_direction(hdr.code);
    msg.arms_signature = ard_is_arms_signature(bytes, cap);

    col_add_str(pinfo->cinfo, COL_INFO,
                AL_VAL_TO_STR(pinfo->pool, hdr.code, ard_code_vals, "Unknown code 0x%04x"));
    if (probe != ARD_PROBE_NONE) {
        col_append_fstr(pinfo->cinfo, COL_INFO, " (%s)",
                        val_to_str_const(probe, ard_probe_short_vals, ""));
        proto_item *pi = proto_tree_add_uint(ard_tree, hf_ard_probe, tvb, 0, len, probe);
        proto_item_set_generated(pi);
    }
    proto_tree_add_item(ard_tree, hf_ard_code, tvb, 0, 2, ENC_BIG_ENDIAN);
    proto_item *len_item = proto_tree_add_item(ard_tree, hf_ard_length, tvb, 2, 2, ENC_BIG_ENDIAN);
    if (hdr.length != avail)
        al_expert_add_info_fmt(pinfo, len_item, &ei_ard_length_mismatch,
                               "Length field says %u data bytes, the datagram has %u after the "
                               "header",
                               hdr.length, avail);

    /* Decode only what was captured; a snapshot-length cut is reported below. */
    guint end = ARD_HEADER_LEN + MIN(data_len, cap - ARD_HEADER_LEN);
    dissect_body(tvb, pinfo, ard_tree, ti, hdr.code, bytes, end);
    if (avail > data_len && cap > ARD_HEADER_LEN + data_len)
        proto_tree_add_item(ard_tree, hf_ard_trailer, tvb, ARD_HEADER_LEN + data_len,
                            cap - ARD_HEADER_LEN - data_len, ENC_NA);

    analyse(tvb, pinfo, ard_tree, ti, &msg);
    if (cap < len)
        tvb_ensure_bytes_exist(tvb, 0, len);
    return len;
}

/* TCP 3283: no framing is known, so nothing is decoded. */
static int dissect_ard_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    guint len = tvb_reported_length(tvb);

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "ARD");
    col_add_fstr(pinfo->cinfo, COL_INFO, "TCP data, %u bytes (framing unknown)", len);
    proto_item *ti = proto_tree_add_item(tree, proto_ard, tvb, 0, -1, ENC_NA);
    proto_tree *ard_tree = proto_item_add_subtree(ti, ett_ard);
    if (len)
        proto_tree_add_item(ard_tree, hf_ard_tcp_data, tvb, 0, -1, ENC_NA);
    expert_add_info(pinfo, ti, &ei_ard_tcp_unknown);
    return len;
}

static int dissect_ard(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (pinfo->ptype == PT_TCP)
        return dissect_ard_tcp(tvb, pinfo, tree);
    return dissect_ard_udp(tvb, pinfo, tree);
}

/* A heuristic's match: the conversation is ARD from here on. */
static al_heur_bool_t take_ard(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_set_dissector(find_or_create_conversation(pinfo), ard_handle);
    dissect_ard(tvb, pinfo, tree, data);
    return TRUE;
}

static al_heur_bool_t dissect_ard_heur_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                           void *data)
{
    guint cap = tvb_captured_length(tvb);

    if (cap < 2 || cap != tvb_reported_length(tvb))
        return FALSE;
    const guint8 *bytes = tvb_get_ptr(tvb, 0, cap);
    if (!ard_match(bytes, cap))
        return FALSE;
    /* Two zero bytes say little on their own: only toward or from 3283. */
    if (ard_probe_kind(bytes, cap) == ARD_PROBE_ARMS_SCAN && pinfo->srcport != ARD_PORT &&
        pinfo->destport != ARD_PORT)
        return FALSE;
    return take_ard(tvb, pinfo, tree, data);
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: on
 * UDP, the check the registry's port sniffer applies, ard_match() on the
 * whole captured datagram. Unlike the "udp" heuristic it takes the bare ARMS
 * scan "00 00" on every port it is asked about (the sniffer runs on Apple's
 * ports only), and a datagram cut short by the snapshot length. */
static al_heur_bool_t dissect_ard_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                               void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_UDP, &len);

    if (!p || !ard_match(p, len))
        return FALSE;
    dissect_ard(tvb, pinfo, tree, data);
    return TRUE;
}

void proto_register_ard(void)
{
    static hf_register_info hf[] = {
        {&hf_ard_code,
         {"Code", "ard.code", FT_UINT16, BASE_HEX, VALS(ard_code_vals), 0x0,
          "Message code (ardclient's names)", HFILL}},
        {&hf_ard_length,
         {"Data length", "ard.length", FT_UINT16, BASE_DEC, NULL, 0x0,
          "Bytes of data after the 4-byte header", HFILL}},
        {&hf_ard_data,
         {"Data", "ard.data", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Message data with no documented structure", HFILL}},
        {&hf_ard_trailer,
         {"Trailer", "ard.trailer", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes after the length the header states", HFILL}},
        {&hf_ard_probe,
         {"Known scanner payload", "ard.probe", FT_UINT8, BASE_DEC, VALS(ard_probe_vals), 0x0,
          "The whole datagram is a payload that scanners or attack tools send", HFILL}},
        {&hf_ard_get_info_request,
         {"GET_INFO request byte", "ard.get_info.request", FT_UINT8, BASE_HEX, NULL, 0x0,
          "One byte (nmap sends 03); its meaning is unknown", HFILL}},
        {&hf_ard_info_unknown_0x04,
         {"Unknown (0x04)", "ard.info.unknown_0x04", FT_UINT16, BASE_HEX, NULL, 0x0,
          "0x0031 in every observed reply, 0x0030 from ardclient; meaning unknown", HFILL}},
        {&hf_ard_info_unknown,
         {"Unknown", "ard.info.unknown", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes of the answer that no source explains", HFILL}},
        {&hf_ard_info_status,
         {"Status", "ard.info.status", FT_UINT16, BASE_DEC, VALS(ard_status_vals), 0x0,
          "Client status at 0x28 (values named by ardclient)", HFILL}},
        {&hf_ard_info_focused_app,
         {"Focused application", "ard.info.focused_app", FT_STRING, BASE_NONE, NULL, 0x0,
          "Pascal string at 0x2C (48-byte field): focused window or application", HFILL}},
        {&hf_ard_info_user,
         {"User", "ard.info.user", FT_STRING, BASE_NONE, NULL, 0x0,
          "Pascal string at 0x5E (32-byte field): logged-in user", HFILL}},
        {&hf_ard_info_computer_name,
         {"Computer name", "ard.info.computer_name", FT_STRING, BASE_NONE, NULL, 0x0,
          "Pascal string at 0x7E (32-byte field)", HFILL}},
        {&hf_ard_info_ipv4,
         {"IPv4 address", "ard.info.ipv4", FT_IPv4, BASE_NONE, NULL, 0x0,
          "At 0xCA; only ardclient places an IPv4 address here, the other sources do not "
          "confirm it",
          HFILL}},
        {&hf_ard_info_mac,
         {"MAC address", "ard.info.mac", FT_ETHER, BASE_NONE, NULL, 0x0, "At 0xDC", HFILL}},
        {&hf_ard_info_name_utf16_count,
         {"UTF-16 name length", "ard.info.name_utf16_count", FT_UINT16, BASE_DEC, NULL, 0x0,
          "Characters in the UTF-16BE computer name (at 0xE6)", HFILL}},
        {&hf_ard_info_name_utf16,
         {"Computer name (UTF-16)", "ard.info.name_utf16", FT_STRING, BASE_NONE, NULL, 0x0,
          "UTF-16BE computer name at 0xE8 (128-byte field)", HFILL}},
        {&hf_ard_ack_code,
         {"Acknowledged code", "ard.ack.code", FT_UINT16, BASE_HEX, VALS(ard_code_vals), 0x0,
          "The code of the message this ACK acknowledges", HFILL}},
        {&hf_ard_shutdown_action,
         {"Action", "ard.shutdown.action", FT_UINT32, BASE_DEC, NULL, 0x0,
          "1-4 per ardclient; what each value does is not documented", HFILL}},
        {&hf_ard_send_cmd_unknown_u32,
         {"Unknown uint32", "ard.send_cmd.unknown_u32", FT_UINT32, BASE_HEX, NULL, 0x0,
          "First field of SEND_CMD data; meaning unknown", HFILL}},
        {&hf_ard_send_cmd_unknown,
         {"Unknown", "ard.send_cmd.unknown", FT_BYTES, BASE_NONE, NULL, 0x0,
          "41 bytes before the command; meaning unknown", HFILL}},
        {&hf_ard_send_cmd_command,
         {"UNIX command", "ard.send_cmd.command", FT_STRING, BASE_NONE, NULL, 0x0, "Pascal string",
          HFILL}},
        {&hf_ard_response,
         {"From the responder", "ard.response", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Sent by the side that answers (the 3283 service) in this conversation", HFILL}},
        {&hf_ard_request_bytes,
         {"Request bytes", "ard.request_bytes", FT_UINT64, BASE_DEC, NULL, 0x0,
          "UDP payload bytes sent to the responder in this conversation so far", HFILL}},
        {&hf_ard_response_bytes,
         {"Response bytes", "ard.response_bytes", FT_UINT64, BASE_DEC, NULL, 0x0,
          "UDP payload bytes sent by the responder in this conversation so far", HFILL}},
        {&hf_ard_amplification_ratio,
         {"Amplification ratio", "ard.amplification_ratio", FT_DOUBLE, BASE_NONE, NULL, 0x0,
          "Response bytes / request bytes in this conversation so far", HFILL}},
        {&hf_ard_tcp_data,
         {"TCP data (framing unknown)", "ard.tcp.data", FT_BYTES, BASE_NONE, NULL, 0x0,
          "ARD TCP 3283 payload; no source documents its framing", HFILL}},
    };
    static gint *ett[] = {&ett_ard, &ett_ard_info, &ett_ard_analysis};
    static ei_register_info ei[] = {
        {&ei_ard_length_mismatch,
         {"ard.expert.length_mismatch", PI_PROTOCOL, PI_WARN,
          "The length field disagrees with the datagram", EXPFILL}},
        {&ei_ard_truncated,
         {"ard.expert.truncated", PI_MALFORMED, PI_ERROR,
          "The message ends before its documented fields", EXPFILL}},
        {&ei_ard_string_length,
         {"ard.expert.string_length", PI_PROTOCOL, PI_WARN,
          "A string's length exceeds its fixed field", EXPFILL}},
        {&ei_ard_amplification,
         {"ard.expert.amplification", PI_SECURITY, PI_WARN,
          "ARD reflection/amplification: the responder sent far more than it received", EXPFILL}},
        {&ei_ard_many_sources,
         {"ard.expert.many_sources", PI_SECURITY, PI_NOTE,
          "An ARD responder answered GET_INFO to many distinct sources", EXPFILL}},
        {&ei_ard_tcp_unknown,
         {"ard.expert.tcp_unknown", PI_UNDECODED, PI_NOTE,
          "ARD over TCP 3283: framing unknown (reporting and file transfer per Apple); "
          "payload not decoded",
          EXPFILL}},
    };
    module_t *module;
    expert_module_t *expert;

    proto_ard = proto_register_protocol("Apple Remote Desktop (Net Assistant)", "ARD", "ard");
    proto_register_field_array(proto_ard, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto_ard);
    expert_register_field_array(expert, ei, array_length(ei));

    module = prefs_register_protocol(proto_ard, NULL);
    prefs_register_uint_preference(
        module, "amplification_threshold", "Amplification ratio threshold",
        "Raise ard.expert.amplification once per conversation when the responder has sent at "
        "least this many times the bytes it received (0: only unsolicited responses)",
        10, &pref_amplification_threshold);
    prefs_register_uint_preference(
        module, "many_sources_threshold", "Distinct sources threshold",
        "Raise ard.expert.many_sources once per responder when it has answered GET_INFO to "
        "this many distinct source addresses (0: never)",
        10, &pref_many_sources_threshold);

    ard_responders = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), ard_address_hash,
                                            ard_address_equal);
    ard_handle = register_dissector("ard", dissect_ard, proto_ard);
    ard_tap = register_tap(ARD_TAP_NAME);
}

/* The port Apple's tables give ARD, on UDP and TCP (README.md). */
#define ARD_PORTS "3283"

void proto_reg_handoff_ard(void)
{
    ard_event_tap = al_event_tap();
    /* With the registry plugin, its port sniffer owns UDP 3283 and hands
     * matching payload over through its list (TCP 3283 is ARD by Decode As
     * only: nothing tells its payload); alone, this plugin decodes its
     * documented ports itself. */
    al_join_sniffer_or_take_ports(dissect_ard_heur_sniffer, "ARD on the Apple ports", "ard_sniffer",
                                  proto_ard, ard_handle, ARD_PORTS, ARD_PORTS);
    /* Off by default, as every Apple heuristic: on the ports in Apple's tables
     * the registry's sniffer hands the payload over; this finds the protocol
     * on any other port, at a cost on every payload no port dissector took
     * (README.md, "Heuristics"). The "Apple Legacy Ports" profile turns it on. */
    heur_dissector_add("udp", dissect_ard_heur_udp, "ARD over UDP", "ard_udp", proto_ard,
                       HEURISTIC_DISABLE);
}
