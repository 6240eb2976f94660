/* packet-serialnumberd.c
 * Apple serialnumberd (UDP 626): Mac OS X Server's daemon that "checks for
 * other servers with the same serial number on the local network" (nmap's
 * comment). A query carries an address, a server serial number and a product
 * code in clear ASCII; a response carries an address, the product code, three
 * 40-digit and one 8-digit hex values whose meaning is not documented, and an
 * address again, then a NUL.
 *
 * Sources (see ../shared/reference/apple-protocols.md section 7):
 * nmap-service-probes, serialnumberd probe and matches (lines 16158-16163) and
 * nmap-payloads; the periodiklabs blog "The Mystery of serialnumberd" (2005),
 * which says Tiger Server also sends 32-byte packets to 224.0.0.1 on this port
 * (layout unknown: such payloads are shown as unknown data).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>

#include "al-expert.h"
#include "applelegacy-api.h"
#include "ws-compat.h"

#include "serialnumberd-parse.h"

void proto_register_serialnumberd(void);
void proto_reg_handoff_serialnumberd(void);

static int proto_serialnumberd = -1;

static int hf_type = -1;
static int hf_address = -1;
static int hf_serial = -1;
static int hf_product = -1;
static int hf_digest1 = -1;
static int hf_digest2 = -1;
static int hf_value8 = -1;
static int hf_digest3 = -1;
static int hf_address2 = -1;
static int hf_unknown = -1;

static gint ett_serialnumberd = -1;

static expert_field ei_serial_exposed = EI_INIT;
static expert_field ei_malformed_field = EI_INIT;

static dissector_handle_t serialnumberd_handle;

/* nmap's probe sends this serial number; its comment calls it a dummy. */
#define SN_NMAP_DUMMY_SERIAL "AAAAAA"

/* One field of a message, in wire order: its hf and, for the "0x..." values,
 * how many hex digits it must have (0: free text). */
typedef struct {
    int *hf;
    size_t hex_digits;
} sn_field_t;

static const sn_field_t query_fields[SN_QUERY_FIELDS] = {
    {&hf_address, 0},
    {&hf_serial, 0},
    {&hf_product, 0},
};

static const sn_field_t response_fields[SN_RESPONSE_FIELDS] = {
    {&hf_address, 0},
    {&hf_digest1, SN_DIGEST_DIGITS},
    {&hf_product, 0},
    {&hf_digest2, SN_DIGEST_DIGITS},
    {&hf_value8, SN_VALUE8_DIGITS},
    {&hf_digest3, SN_DIGEST_DIGITS},
    {&hf_address2, 0},
};

/* The display strings of the fields of one message, for the Info column. */
typedef struct {
    char *text[SN_MAX_FIELDS];
} sn_texts_t;

static void add_unknown(proto_tree *tree, tvbuff_t *tvb, size_t offset, size_t length)
{
    if (length > 0)
        proto_tree_add_item(tree, hf_unknown, tvb, (gint)offset, (gint)length, ENC_NA);
}

static int dissect_not_serialnumberd(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                     const guint8 *bytes, guint len)
{
    if (serialnumberd_is_truncated_type(bytes, len)) {
        proto_item *it = proto_tree_add_item(tree, hf_unknown, tvb, 0, (gint)len, ENC_NA);
        al_expert_add_info_fmt(pinfo, it, &ei_malformed_field,
                               "Malformed serialnumberd.type: truncated (%u of %u bytes)", len,
                               SN_MAGIC_LEN);
        col_set_str(pinfo->cinfo, COL_INFO, "Truncated message type");
    } else {
        add_unknown(tree, tvb, 0, len);
        col_add_fstr(pinfo->cinfo, COL_INFO, "Unknown data, %u bytes", len);
    }
    return (int)len;
}

static void check_hex(packet_info *pinfo, proto_item *item, const sn_field_t *field,
                      const guint8 *bytes, const sn_span_t *span)
{
    if (field->hex_digits == 0)
        return;
    if (serialnumberd_is_hex_value(bytes + span->offset, span->length, field->hex_digits))
        return;
    al_expert_add_info_fmt(pinfo, item, &ei_malformed_field,
                           "Malformed %s: not \"0x\" followed by %u hex digits",
                           proto_registrar_get_abbrev(*field->hf), (unsigned)field->hex_digits);
}

static void check_serial(packet_info *pinfo, proto_item *item, const char *serial, size_t length)
{
    if (length == 0)
        return;
    if (strcmp(serial, SN_NMAP_DUMMY_SERIAL) == 0)
        proto_item_append_text(item, " (nmap's dummy value)");
    al_expert_add_info_fmt(pinfo, item, &ei_serial_exposed,
                           "Server serial number sent in clear: %s", serial);
}

static void add_fields(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const guint8 *bytes,
                       const sn_message_t *msg, sn_texts_t *texts)
{
    const sn_field_t *fields = msg->type == SN_TYPE_QUERY ? query_fields : response_fields;

    for (size_t i = 0; i < msg->field_count; i++) {
        const sn_span_t *span = &msg->fields[i];
        proto_item *item = proto_tree_add_item_ret_display_string(
            tree, *fields[i].hf, tvb, (gint)span->offset, (gint)span->length, ENC_ASCII,
            pinfo->pool, &texts->text[i]);
        check_hex(pinfo, item, &fields[i], bytes, span);
        if (fields[i].hf == &hf_serial)
            check_serial(pinfo, item, texts->text[i], span->length);
    }
}

static void set_info(packet_info *pinfo, const sn_message_t *msg, const sn_texts_t *texts)
{
    if (msg->type == SN_TYPE_QUERY)
        col_add_fstr(pinfo->cinfo, COL_INFO, "Query: address %s, serial %s, product %s",
                     texts->text[0], texts->text[1], texts->text[2]);
    else
        col_add_fstr(pinfo->cinfo, COL_INFO, "Response: address %s, product %s", texts->text[0],
                     texts->text[2]);
}

static void dissect_wrong_count(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                                const sn_message_t *msg, size_t expected)
{
    const char *name = msg->type == SN_TYPE_QUERY ? "Query" : "Response";

    al_expert_add_info_fmt(pinfo, ti, &ei_malformed_field,
                           "Malformed field count: %u ':'-separated fields, expected %u",
                           (unsigned)msg->field_count, (unsigned)expected);
    add_unknown(tree, tvb, msg->body_offset, msg->body_end - msg->body_offset);
    col_add_fstr(pinfo->cinfo, COL_INFO, "%s with %u fields (expected %u)", name,
                 (unsigned)msg->field_count, (unsigned)expected);
}

static void check_end(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                      const sn_message_t *msg, guint len)
{
    if (msg->has_nul) {
        add_unknown(tree, tvb, msg->body_end + 1, len - msg->body_end - 1);
        return;
    }
    /* A snapshot length may have cut the NUL off: only complain about a
     * datagram that was captured whole. */
    if (msg->type == SN_TYPE_RESPONSE && len == tvb_reported_length(tvb))
        al_expert_add_info_fmt(pinfo, ti, &ei_malformed_field,
                               "Malformed terminator: response does not end with NUL");
}

static int dissect_serialnumberd(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                 void *data _U_)
{
    guint len = tvb_captured_length(tvb);
    const guint8 *bytes;
    proto_item *ti;
    proto_tree *st;
    sn_message_t msg;
    sn_texts_t texts = {{NULL}};
    size_t expected;

    if (len == 0)
        return 0;
    bytes = tvb_get_ptr(tvb, 0, len);

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "serialnumberd");
    col_clear(pinfo->cinfo, COL_INFO);
    ti = proto_tree_add_item(tree, proto_serialnumberd, tvb, 0, -1, ENC_NA);
    st = proto_item_add_subtree(ti, ett_serialnumberd);

    if (!serialnumberd_parse(bytes, len, &msg))
        return dissect_not_serialnumberd(tvb, pinfo, st, bytes, len);

    proto_tree_add_item(st, hf_type, tvb, 0, SN_TYPE_LEN, ENC_ASCII);
    expected = serialnumberd_expected_fields(msg.type);
    if (msg.field_count == expected) {
        add_fields(tvb, pinfo, st, bytes, &msg, &texts);
        set_info(pinfo, &msg, &texts);
    } else {
        dissect_wrong_count(tvb, pinfo, st, ti, &msg, expected);
    }
    check_end(tvb, pinfo, st, ti, &msg, len);
    return (int)len;
}

static al_heur_bool_t dissect_serialnumberd_heur(tvbuff_t *tvb, packet_info *pinfo,
                                                 proto_tree *tree, void *data)
{
    guint8 head[SN_MAGIC_LEN];

    if (tvb_captured_length(tvb) < SN_MAGIC_LEN)
        return FALSE;
    tvb_memcpy(tvb, head, 0, SN_MAGIC_LEN);
    if (!serialnumberd_match(head, SN_MAGIC_LEN))
        return FALSE;
    conversation_set_dissector(find_or_create_conversation(pinfo), serialnumberd_handle);
    dissect_serialnumberd(tvb, pinfo, tree, data);
    return TRUE;
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: on
 * UDP, the check the registry's port sniffer applies, serialnumberd_match()
 * on the whole datagram, decides as the "udp" heuristic does (the match reads
 * the 8-byte type only). */
static al_heur_bool_t dissect_serialnumberd_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo,
                                                         proto_tree *tree, void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_UDP, &len);

    if (!p || len < SN_MAGIC_LEN || !serialnumberd_match(p, SN_MAGIC_LEN))
        return FALSE;
    dissect_serialnumberd(tvb, pinfo, tree, data);
    return TRUE;
}

void proto_register_serialnumberd(void)
{
    static hf_register_info hf[] = {
        {&hf_type,
         {"Message type", "serialnumberd.type", FT_STRING, BASE_NONE, NULL, 0x0,
          "SNQUERY (query) or SNRESPS (response)", HFILL}},
        {&hf_address,
         {"Address", "serialnumberd.address", FT_STRING, BASE_NONE, NULL, 0x0,
          "First field: an IP address or host name", HFILL}},
        {&hf_serial,
         {"Serial number", "serialnumberd.serial", FT_STRING, BASE_NONE, NULL, 0x0,
          "Server serial number (query); nmap sends the dummy AAAAAA", HFILL}},
        {&hf_product,
         {"Product", "serialnumberd.product", FT_STRING, BASE_NONE, NULL, 0x0,
          "Product code (nmap uses xsvr)", HFILL}},
        {&hf_digest1,
         {"Hex value 1 (meaning unknown)", "serialnumberd.digest1", FT_STRING, BASE_NONE, NULL, 0x0,
          "Response field 2: \"0x\" and 40 hex digits; meaning unknown", HFILL}},
        {&hf_digest2,
         {"Hex value 2 (meaning unknown)", "serialnumberd.digest2", FT_STRING, BASE_NONE, NULL, 0x0,
          "Response field 4: \"0x\" and 40 hex digits; meaning unknown", HFILL}},
        {&hf_value8,
         {"8-digit hex value (meaning unknown)", "serialnumberd.value8", FT_STRING, BASE_NONE, NULL,
          0x0, "Response field 5: \"0x\" and 8 hex digits; meaning unknown", HFILL}},
        {&hf_digest3,
         {"Hex value 3 (meaning unknown)", "serialnumberd.digest3", FT_STRING, BASE_NONE, NULL, 0x0,
          "Response field 6: \"0x\" and 40 hex digits; meaning unknown", HFILL}},
        {&hf_address2,
         {"Second address", "serialnumberd.address2", FT_STRING, BASE_NONE, NULL, 0x0,
          "Response field 7: an IP address or host name", HFILL}},
        {&hf_unknown,
         {"Unknown data", "serialnumberd.unknown", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes whose layout is not known", HFILL}},
    };
    static gint *ett[] = {
        &ett_serialnumberd,
    };
    static ei_register_info ei[] = {
        {&ei_serial_exposed,
         {"serialnumberd.expert.serial_exposed", PI_SECURITY, PI_NOTE,
          "Server serial number sent in clear", EXPFILL}},
        {&ei_malformed_field,
         {"serialnumberd.expert.malformed_field", PI_MALFORMED, PI_WARN, "Malformed field",
          EXPFILL}},
    };
    expert_module_t *expert;

    proto_serialnumberd = proto_register_protocol(
        "Apple serialnumberd (server serial number check)", "serialnumberd", "serialnumberd");
    proto_register_field_array(proto_serialnumberd, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto_serialnumberd);
    expert_register_field_array(expert, ei, array_length(ei));

    serialnumberd_handle =
        register_dissector("serialnumberd", dissect_serialnumberd, proto_serialnumberd);
}

/* The port Apple's tables give serialnumberd (README.md). */
#define SERIALNUMBERD_UDP_PORTS "626"

void proto_reg_handoff_serialnumberd(void)
{
    /* With the registry plugin, its port sniffer owns UDP 626 and hands
     * matching payload over through its list; alone, this plugin decodes its
     * documented port itself. */
    al_join_sniffer_or_take_ports(dissect_serialnumberd_heur_sniffer,
                                  "serialnumberd on the Apple ports", "serialnumberd_sniffer",
                                  proto_serialnumberd, serialnumberd_handle, NULL,
                                  SERIALNUMBERD_UDP_PORTS);
    /* Off by default, as every Apple heuristic: on the ports in Apple's tables
     * the registry's sniffer hands the payload over; this finds the protocol
     * on any other port, at a cost on every payload no port dissector took
     * (README.md, "Heuristics"). The "Apple Legacy Ports" profile turns it on. */
    heur_dissector_add("udp", dissect_serialnumberd_heur, "serialnumberd over UDP",
                       "serialnumberd_udp", proto_serialnumberd, HEURISTIC_DISABLE);
}
