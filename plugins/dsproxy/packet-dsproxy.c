/* packet-dsproxy.c
 * Routines for the DirectoryService proxy protocol ("DSProxy"), TCP 625:
 * Mac OS X Server's remote Directory Services access (Workgroup Manager,
 * "Remote Directory Access"), before Mac OS X 10.7.
 *
 * Every message, in both directions, is "DSPX" | uint32 BE payload length |
 * payload; the receiver skips 0x00 bytes before the tag. The connection opens
 * with a key negotiation: the client sends "DHN2" and its 512-bit
 * Diffie-Hellman public key, the server its public key, the client an AES-128
 * encrypted challenge and the server the encrypted challenge + 1. After that
 * every body is an encrypted sComProxyData, so only the DSPX header can be
 * decoded.
 *
 * Sources (see shared/reference/apple-protocols.md section 3): Apple's
 * DirectoryService/Proxy/DSTCPEndpoint.cpp and .h (framing, 'DHN2', DH key
 * size), DSEncryptedEndpoint.cpp/.h (AES-128 session), SharedConsts.h
 * (sComProxyData); ZDI-12-185 / CVE-2012-0650 (port 625). The 64-byte key and
 * 16-byte block sizes are inferred, not stated by the sources.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>

#include "al-expert.h"
#include "applelegacy-api.h"
#include "ws-compat.h"

#include "dsproxy-parse.h"

void proto_register_dsproxy(void);
void proto_reg_handoff_dsproxy(void);

static int proto_dsproxy = -1;

static int hf_padding = -1;
static int hf_tag = -1;
static int hf_length = -1;
static int hf_stage = -1;
static int hf_auth_tag = -1;
static int hf_client_public = -1;
static int hf_client_public_length = -1;
static int hf_server_public = -1;
static int hf_server_public_length = -1;
static int hf_challenge = -1;
static int hf_challenge_response = -1;
static int hf_encrypted_body = -1;
static int hf_data = -1;

static gint ett_dsproxy = -1;

static expert_field ei_encrypted = EI_INIT;
static expert_field ei_bad_length = EI_INIT;
static expert_field ei_bad_tag = EI_INIT;
static expert_field ei_truncated = EI_INIT;

static dissector_handle_t dsproxy_handle;

/* Preferences */
static al_pref_bool_t pref_desegment = TRUE;

static const value_string stage_vals[] = {
    {DSPX_STAGE_CLIENT_PUBLIC, "Client public key"},
    {DSPX_STAGE_SERVER_PUBLIC, "Server public key"},
    {DSPX_STAGE_CHALLENGE, "Challenge"},
    {DSPX_STAGE_CHALLENGE_RESPONSE, "Challenge response"},
    {DSPX_STAGE_ENCRYPTED, "Encrypted"},
    {0, NULL},
};

/* The key negotiation of one TCP connection (file scope). */
typedef struct {
    dsproxy_session_t session;
    address first_src; /* the sender of the first message: direction 0 */
    guint32 first_srcport;
    bool encrypted_noted; /* the "encrypted" note was given in this conversation */
} dsproxy_conv_t;

/* What the first pass decided for one message, kept per frame so that later
 * passes show the same thing whatever order frames are dissected in. */
#define RECORD_STAGE_MASK     0xffu
#define RECORD_NOTE_ENCRYPTED 0x100u /* this message carries the per-conversation note */

/* Per-frame proto data keys: the message counter lives in pinfo->pool, the
 * records in file scope (separate lists, so the keys cannot collide). */
#define KEY_MESSAGE_COUNTER 0

static dsproxy_conv_t *get_conv(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    dsproxy_conv_t *c = (dsproxy_conv_t *)conversation_get_proto_data(conv, proto_dsproxy);

    if (!c) {
        c = wmem_new0(wmem_file_scope(), dsproxy_conv_t);
        copy_address_wmem(wmem_file_scope(), &c->first_src, &pinfo->src);
        c->first_srcport = pinfo->srcport;
        conversation_add_proto_data(conv, proto_dsproxy, c);
    }
    return c;
}

/* Index of this message among the DSPX messages of the frame (0, 1, ...). */
static guint32 next_message_index(packet_info *pinfo)
{
    guint32 *counter =
        (guint32 *)p_get_proto_data(pinfo->pool, pinfo, proto_dsproxy, KEY_MESSAGE_COUNTER);

    if (!counter) {
        counter = wmem_new0(pinfo->pool, guint32);
        p_add_proto_data(pinfo->pool, pinfo, proto_dsproxy, KEY_MESSAGE_COUNTER, counter);
    }
    return (*counter)++;
}

/* The stage of a well-framed message, decided on the first pass. */
static guint32 message_record(packet_info *pinfo, bool auth_tag)
{
    guint32 key = next_message_index(pinfo);
    guint32 rec = GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, proto_dsproxy, key));

    if (rec || PINFO_FD_VISITED(pinfo))
        return rec ? rec : DSPX_STAGE_ENCRYPTED;

    dsproxy_conv_t *c = get_conv(pinfo);
    unsigned dir =
        (addresses_equal(&pinfo->src, &c->first_src) && pinfo->srcport == c->first_srcport) ? 0 : 1;
    rec = dsproxy_session_next(&c->session, dir, auth_tag);
    if (rec == DSPX_STAGE_ENCRYPTED && !c->encrypted_noted) {
        c->encrypted_noted = true;
        rec |= RECORD_NOTE_ENCRYPTED;
    }
    p_add_proto_data(wmem_file_scope(), pinfo, proto_dsproxy, key, GUINT_TO_POINTER(rec));
    return rec;
}

static void add_generated_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item *pi = proto_tree_add_uint(tree, hf, tvb, 0, 0, value);
    proto_item_set_generated(pi);
}

/* The body of a well-framed message: body_off is where the payload starts,
 * cap how many of its length bytes were captured. */
static void add_body(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                     int body_off, guint32 length, guint32 cap, guint32 rec)
{
    switch (rec & RECORD_STAGE_MASK) {
    case DSPX_STAGE_CLIENT_PUBLIC:
        /* Only decided when the payload starts with the 4-byte auth tag. */
        DISSECTOR_ASSERT(cap >= DSPX_AUTH_TAG_SIZE);
        proto_tree_add_item(tree, hf_auth_tag, tvb, body_off, DSPX_AUTH_TAG_SIZE, ENC_ASCII);
        proto_tree_add_item(tree, hf_client_public, tvb, body_off + DSPX_AUTH_TAG_SIZE,
                            cap - DSPX_AUTH_TAG_SIZE, ENC_NA);
        add_generated_uint(tree, hf_client_public_length, tvb, length - DSPX_AUTH_TAG_SIZE);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Client DH public key (%u bytes)",
                            length - DSPX_AUTH_TAG_SIZE);
        break;
    case DSPX_STAGE_SERVER_PUBLIC:
        proto_tree_add_item(tree, hf_server_public, tvb, body_off, cap, ENC_NA);
        add_generated_uint(tree, hf_server_public_length, tvb, length);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Server DH public key (%u bytes)",
                            length);
        break;
    case DSPX_STAGE_CHALLENGE:
        proto_tree_add_item(tree, hf_challenge, tvb, body_off, cap, ENC_NA);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Encrypted challenge (%u bytes)", length);
        break;
    case DSPX_STAGE_CHALLENGE_RESPONSE:
        proto_tree_add_item(tree, hf_challenge_response, tvb, body_off, cap, ENC_NA);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Encrypted challenge response (%u bytes)",
                            length);
        break;
    default:
        proto_tree_add_item(tree, hf_encrypted_body, tvb, body_off, cap, ENC_NA);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Encrypted body (%u bytes)", length);
        if (rec & RECORD_NOTE_ENCRYPTED)
            expert_add_info(pinfo, ti, &ei_encrypted);
        break;
    }
}

/* "DSPX" | length | payload, the header complete and the length sane. */
static void add_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                        const guint8 *data, guint avail, const dsproxy_header_t *h)
{
    int off = (int)h->padding;
    int body_off = off + DSPX_HEADER_SIZE;
    guint32 cap = MIN(avail - (guint)body_off, h->length);
    bool auth_tag = dsproxy_payload_has_auth_tag(data + body_off, cap);
    guint32 rec = message_record(pinfo, auth_tag);

    proto_tree_add_item(tree, hf_tag, tvb, off, DSPX_TAG_SIZE, ENC_ASCII);
    proto_tree_add_item(tree, hf_length, tvb, off + DSPX_TAG_SIZE, 4, ENC_BIG_ENDIAN);
    add_generated_uint(tree, hf_stage, tvb, rec & RECORD_STAGE_MASK);
    proto_item_append_text(ti, ", %s",
                           val_to_str_const(rec & RECORD_STAGE_MASK, stage_vals, "Unknown"));
    add_body(tvb, pinfo, tree, ti, body_off, h->length, cap, rec);
    if (cap < h->length)
        al_expert_add_info_fmt(pinfo, ti, &ei_truncated,
                               "DSPX message truncated: payload length %u, %u bytes captured",
                               h->length, cap);
}

/* Fewer than 8 header bytes (only without TCP reassembly, or at the end of
 * the capture). */
static void add_short_header(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                             guint avail, const dsproxy_header_t *h)
{
    int off = (int)h->padding;
    guint have = avail - (guint)off;

    if (have > 0)
        proto_tree_add_item(tree, hf_data, tvb, off, have, ENC_NA);
    al_expert_add_info_fmt(pinfo, ti, &ei_truncated,
                           "DSPX header truncated: %u of %u bytes captured", have,
                           DSPX_HEADER_SIZE);
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", "Truncated DSPX header");
}

static void add_bad_tag(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                        guint avail, const dsproxy_header_t *h)
{
    int off = (int)h->padding;

    proto_tree_add_item(tree, hf_data, tvb, off, avail - (guint)off, ENC_NA);
    al_expert_add_info_fmt(pinfo, ti, &ei_bad_tag,
                           "No DSPX tag where a message should start; %u bytes not dissected",
                           avail - (guint)off);
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", "No DSPX tag");
}

static void add_bad_length(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                           guint avail, const dsproxy_header_t *h)
{
    int off = (int)h->padding;
    int rest = off + DSPX_HEADER_SIZE;
    proto_item *li;

    proto_tree_add_item(tree, hf_tag, tvb, off, DSPX_TAG_SIZE, ENC_ASCII);
    li = proto_tree_add_item(tree, hf_length, tvb, off + DSPX_TAG_SIZE, 4, ENC_BIG_ENDIAN);
    if (avail > (guint)rest)
        proto_tree_add_item(tree, hf_data, tvb, rest, avail - (guint)rest, ENC_NA);
    al_expert_add_info_fmt(pinfo, li, &ei_bad_length,
                           "DSPX length %u is over the 16 MiB limit; rest of the segment not "
                           "dissected",
                           h->length);
    proto_item_append_text(ti, ", bad length");
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Bad DSPX length %u", h->length);
}

/* What dissect_dsproxy hands tcp_dissect_pdus for its messages: whether the
 * columns are DSProxy's yet. */
typedef struct {
    bool columns_set;
} dsproxy_segment_t;

/* One message as tcp_dissect_pdus cut it (see get_dsproxy_message_len). The
 * first one of the segment makes the columns DSProxy's: a segment whose
 * bytes all wait for reassembly keeps TCP's (Wireshark 4.4's TCP no longer
 * overwrites what a dissector wrote there before it asked for more data). */
static int dissect_dsproxy_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    dsproxy_segment_t *seg = (dsproxy_segment_t *)data;
    guint avail = tvb_captured_length(tvb);
    const guint8 *bytes = tvb_get_ptr(tvb, 0, avail);
    dsproxy_header_t h;
    dsproxy_header_status_t status = dsproxy_parse_header(bytes, avail, &h);
    proto_item *ti;
    proto_tree *dt;

    if (!seg->columns_set) {
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "DSProxy");
        col_clear(pinfo->cinfo, COL_INFO);
        seg->columns_set = true;
    }
    ti = proto_tree_add_item(tree, proto_dsproxy, tvb, 0, avail, ENC_NA);
    dt = proto_item_add_subtree(ti, ett_dsproxy);
    if (h.padding > 0)
        proto_tree_add_item(dt, hf_padding, tvb, 0, (int)h.padding, ENC_NA);

    switch (status) {
    case DSPX_HEADER_OK:
        add_message(tvb, pinfo, dt, ti, bytes, avail, &h);
        break;
    case DSPX_HEADER_SHORT:
        add_short_header(tvb, pinfo, dt, ti, avail, &h);
        break;
    case DSPX_HEADER_BAD_TAG:
        add_bad_tag(tvb, pinfo, dt, ti, avail, &h);
        break;
    case DSPX_HEADER_BAD_LENGTH:
        add_bad_length(tvb, pinfo, dt, ti, avail, &h);
        break;
    }
    return avail;
}

/* The size of the message at offset: padding + 8 + length. Where the header
 * is bad, the rest of the segment, so that the dissector gives up on it
 * instead of waiting for bytes that will never make sense. */
static al_pdu_len_t get_dsproxy_message_len(packet_info *pinfo _U_, tvbuff_t *tvb, int offset,
                                            void *data _U_)
{
    guint avail = tvb_captured_length_remaining(tvb, offset);
    dsproxy_header_t h;

    switch (dsproxy_parse_header(tvb_get_ptr(tvb, offset, avail), avail, &h)) {
    case DSPX_HEADER_OK:
        return (al_pdu_len_t)dsproxy_message_size(&h);
    case DSPX_HEADER_SHORT:
        /* Padding, then part of a header: ask for the header. */
        return (al_pdu_len_t)(h.padding + DSPX_HEADER_SIZE);
    default:
        return MAX(avail, (guint)DSPX_HEADER_SIZE);
    }
}

static int dissect_dsproxy(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    dsproxy_segment_t seg = {false};
    tcp_dissect_pdus(tvb, pinfo, tree, pref_desegment, DSPX_HEADER_SIZE, get_dsproxy_message_len,
                     dissect_dsproxy_message, &seg);
    return tvb_captured_length(tvb);
}

/* A heuristic's match: the conversation is DSProxy from here on. */
static al_heur_bool_t take_dsproxy(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_set_dissector(find_or_create_conversation(pinfo), dsproxy_handle);
    dissect_dsproxy(tvb, pinfo, tree, data);
    return TRUE;
}

static al_heur_bool_t dissect_dsproxy_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                           void *data)
{
    guint len = tvb_captured_length(tvb);

    if (len < DSPX_HEADER_SIZE || !dsproxy_match(tvb_get_ptr(tvb, 0, len), len))
        return FALSE;
    return take_dsproxy(tvb, pinfo, tree, data);
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: on
 * TCP, the check the registry's port sniffer applies, dsproxy_match() on the
 * first 256 bytes of the segment. It differs from the "tcp" heuristic, which
 * reads the whole segment, only on more than 248 bytes of leading padding. */

static al_heur_bool_t dissect_dsproxy_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo,
                                                   proto_tree *tree, void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_TCP, &len);

    if (!p || !dsproxy_match(p, len))
        return FALSE;
    dissect_dsproxy(tvb, pinfo, tree, data);
    return TRUE;
}

void proto_register_dsproxy(void)
{
    static hf_register_info hf[] = {
        {&hf_padding,
         {"Padding", "dsproxy.padding", FT_BYTES, BASE_NONE, NULL, 0x0,
          "0x00 bytes before the tag; the receiver skips them (SyncToMessageBody)", HFILL}},
        {&hf_tag,
         {"Tag", "dsproxy.tag", FT_STRING, BASE_NONE, NULL, 0x0,
          "Message tag \"DSPX\" (kDSTCPEndpointMessageTagSize = 4)", HFILL}},
        {&hf_length,
         {"Length", "dsproxy.length", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Payload length in network order, not counting the 8-byte header", HFILL}},
        {&hf_stage,
         {"Stage", "dsproxy.stage", FT_UINT8, BASE_DEC, VALS(stage_vals), 0x0,
          "Where this message stands in the key negotiation, from its position in the "
          "connection (the first message of each direction decides)",
          HFILL}},
        {&hf_auth_tag,
         {"Auth tag", "dsproxy.auth_tag", FT_STRING, BASE_NONE, NULL, 0x0,
          "DSTCPAuthTag \"DHN2\": opens the key negotiation", HFILL}},
        {&hf_client_public,
         {"Client DH public key", "dsproxy.dh.client_public", FT_BYTES, BASE_NONE, NULL, 0x0,
          "The client's Diffie-Hellman public key (512-bit DH, generator 2): probably 64 bytes "
          "(inferred)",
          HFILL}},
        {&hf_client_public_length,
         {"Client DH public key length", "dsproxy.dh.client_public_length", FT_UINT32, BASE_DEC,
          NULL, 0x0, "Payload length minus the 4-byte auth tag; probably 64 (inferred)", HFILL}},
        {&hf_server_public,
         {"Server DH public key", "dsproxy.dh.server_public", FT_BYTES, BASE_NONE, NULL, 0x0,
          "The server's Diffie-Hellman public key (512-bit DH): probably 64 bytes (inferred)",
          HFILL}},
        {&hf_server_public_length,
         {"Server DH public key length", "dsproxy.dh.server_public_length", FT_UINT32, BASE_DEC,
          NULL, 0x0, "The payload length; probably 64 (inferred)", HFILL}},
        {&hf_challenge,
         {"Encrypted challenge", "dsproxy.challenge", FT_BYTES, BASE_NONE, NULL, 0x0,
          "A 4-byte random challenge encrypted with the AES-128 key derived from DH; probably "
          "one 16-byte block (inferred)",
          HFILL}},
        {&hf_challenge_response,
         {"Encrypted challenge response", "dsproxy.challenge_response", FT_BYTES, BASE_NONE, NULL,
          0x0, "The challenge + 1, encrypted with the session key; probably 16 bytes (inferred)",
          HFILL}},
        {&hf_encrypted_body,
         {"Encrypted body", "dsproxy.encrypted_body", FT_BYTES, BASE_NONE, NULL, 0x0,
          "An sComProxyData encrypted with the session key (AES-128 derived from DH)", HFILL}},
        {&hf_data,
         {"Data", "dsproxy.data", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes that could not be dissected", HFILL}},
    };
    static gint *ett[] = {&ett_dsproxy};
    static ei_register_info ei[] = {
        {&ei_encrypted,
         {"dsproxy.expert.encrypted", PI_DECRYPTION, PI_NOTE,
          "DSProxy body encrypted with the session key (AES-128 derived from DH); not decodable",
          EXPFILL}},
        {&ei_bad_length,
         {"dsproxy.expert.bad_length", PI_MALFORMED, PI_ERROR,
          "DSPX length over the 16 MiB limit; rest of the segment not dissected", EXPFILL}},
        {&ei_bad_tag,
         {"dsproxy.expert.bad_tag", PI_MALFORMED, PI_ERROR,
          "No DSPX tag where a message should start; rest of the segment not dissected", EXPFILL}},
        {&ei_truncated,
         {"dsproxy.expert.truncated", PI_MALFORMED, PI_ERROR, "DSPX message truncated", EXPFILL}},
    };
    module_t *module;
    expert_module_t *expert;

    proto_dsproxy = proto_register_protocol("Apple DirectoryService Proxy", "DSProxy", "dsproxy");
    proto_register_field_array(proto_dsproxy, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto_dsproxy);
    expert_register_field_array(expert, ei, array_length(ei));

    module = prefs_register_protocol(proto_dsproxy, NULL);
    prefs_register_bool_preference(module, "desegment",
                                   "Reassemble DSPX messages spanning multiple TCP segments",
                                   "Whether the DSProxy dissector should reassemble messages "
                                   "spanning multiple TCP segments (TCP's \"Allow subdissector "
                                   "to reassemble TCP streams\" must be on too)",
                                   &pref_desegment);

    dsproxy_handle = register_dissector("dsproxy", dissect_dsproxy, proto_dsproxy);
}

/* The port Apple's tables give DSProxy (README.md). */
#define DSPROXY_TCP_PORTS "625"

void proto_reg_handoff_dsproxy(void)
{
    /* With the registry plugin, its port sniffer owns TCP 625 (where TLS is
     * seen too) and hands matching payload over through its list; alone,
     * this plugin decodes its documented port itself. */
    al_join_sniffer_or_take_ports(dissect_dsproxy_heur_sniffer, "DSProxy on the Apple ports",
                                  "dsproxy_sniffer", proto_dsproxy, dsproxy_handle,
                                  DSPROXY_TCP_PORTS, NULL);
    /* Off by default, as every Apple heuristic: on the ports in Apple's tables
     * the registry's sniffer hands the payload over; this finds the protocol
     * on any other port, at a cost on every payload no port dissector took
     * (README.md, "Heuristics"). The "Apple Legacy Ports" profile turns it on. */
    heur_dissector_add("tcp", dissect_dsproxy_heur, "DSProxy over TCP", "dsproxy_tcp",
                       proto_dsproxy, HEURISTIC_DISABLE);
}
