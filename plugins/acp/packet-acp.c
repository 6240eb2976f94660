/* packet-acp.c
 * AirPort admin protocol "ACP" (TCP 5009): the protocol AirPort Utility
 * speaks to AirPort base stations and Time Capsules. Every message is a
 * 128-byte header (magic "acpp", version, Adler-32 of the header and of the
 * body, body size, flags, command, error code, and the admin password XOR-ed
 * with a static keystream) followed by the body. Get/set property bodies are
 * a list of name/flags/size/value elements; authenticate, RPC and feature
 * bodies are Apple's "CFL binary plist". After SRP authentication the session
 * is encrypted (AES-128-CTR) and the headers are no longer visible.
 *
 * Sources (see ../shared/reference/apple-protocols.md section 6a):
 * airpyrt-tools acp/message.py, acp/keystream.py, acp/property.py,
 * acp/cflbinary.py, acp/encryption.py; node-acp src/lib/message.ts;
 * Metasploit lib/rex/proto/acpp/message.rb; real header bytes in
 * https://github.com/x56/airpyrt-tools/issues/1.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/strutil.h>
#include <epan/dissectors/packet-tcp.h>

#include "al-expert.h"
#include "applelegacy-api.h"
#include "ws-compat.h"

#include "acp-parse.h"

void proto_register_acp(void);
void proto_reg_handoff_acp(void);

static int proto_acp = -1;

static int hf_magic = -1;
static int hf_version = -1;
static int hf_header_checksum = -1;
static int hf_header_checksum_status = -1;
static int hf_body_checksum = -1;
static int hf_body_checksum_status = -1;
static int hf_body_size = -1;
static int hf_flags = -1;
static int hf_unused = -1;
static int hf_command = -1;
static int hf_error = -1;
static int hf_padding = -1;
static int hf_key = -1;
static int hf_password = -1;
static int hf_reply = -1;
static int hf_body = -1;
static int hf_property = -1;
static int hf_property_name = -1;
static int hf_property_flags = -1;
static int hf_property_flags_error = -1;
static int hf_property_size = -1;
static int hf_property_value = -1;
static int hf_property_string = -1;
static int hf_property_error = -1;
static int hf_property_end = -1;
static int hf_cflbinary = -1;
static int hf_cflbinary_contents = -1;
static int hf_cflbinary_footer = -1;
static int hf_encrypted = -1;
static int hf_undecoded = -1;

static gint ett_acp = -1;
static gint ett_property = -1;
static gint ett_property_flags = -1;
static gint ett_cflbinary = -1;

static expert_field ei_bad_header_checksum = EI_INIT;
static expert_field ei_bad_body_checksum = EI_INIT;
static expert_field ei_password_exposed = EI_INIT;
static expert_field ei_session_encrypted = EI_INIT;
static expert_field ei_truncated_header = EI_INIT;
static expert_field ei_truncated_body = EI_INIT;
static expert_field ei_bad_magic = EI_INIT;
static expert_field ei_bad_version = EI_INIT;
static expert_field ei_bad_body_size = EI_INIT;
static expert_field ei_error_code = EI_INIT;
static expert_field ei_property_truncated = EI_INIT;
static expert_field ei_property_error = EI_INIT;
static expert_field ei_after_end = EI_INIT;
static expert_field ei_cflbinary_no_footer = EI_INIT;

static dissector_handle_t acp_handle;

static al_pref_bool_t acp_desegment = TRUE;

/* The most property names listed in the Info column per message. */
#define INFO_MAX_NAMES 6

static const value_string acp_version_vals[] = {
    {ACP_VERSION_OLD, "old"},
    {ACP_VERSION_CURRENT, "current"},
    {0, NULL},
};

/* node-acp MessageType; airpyrt also accepts 4 and 0x17, whose names no
 * source gives. */
static const value_string acp_command_vals[] = {
    {ACP_CMD_ECHO, "Echo"},
    {ACP_CMD_FLASH_PRIMARY, "Flash primary"},
    {ACP_CMD_FLASH_SECONDARY, "Flash secondary"},
    {ACP_CMD_FLASH_BOOTLOADER, "Flash bootloader"},
    {ACP_CMD_GET_PROPERTY, "Get property"},
    {ACP_CMD_SET_PROPERTY, "Set property"},
    {ACP_CMD_PERFORM, "Perform"},
    {ACP_CMD_MONITOR, "Monitor"},
    {ACP_CMD_RPC, "RPC"},
    {ACP_CMD_AUTHENTICATE, "Authenticate (SRP)"},
    {ACP_CMD_GET_FEATURES, "Get features"},
    {0, NULL},
};

/* The only error codes the sources name; value_string keys are guint32. */
static const value_string acp_error_vals[] = {
    {(guint32)-10, "Not available"},
    {(guint32)-16, "Invalid key"},
    {(guint32)-6754, "Incorrect password"},
    {0, NULL},
};

/* Per conversation, in file scope. */
typedef struct {
    guint32 auth_frame; /* first frame with an authenticate message; 0: none yet */
    gboolean client_known;
    address client;
    guint32 client_port;
} acp_conv_t;

static void format_error_code(gchar *buf, guint32 value)
{
    const char *name = try_val_to_str(value, acp_error_vals);
    if (name)
        snprintf(buf, ITEM_LABEL_LENGTH, "%s (%d)", name, (gint32)value);
    else
        snprintf(buf, ITEM_LABEL_LENGTH, "%d", (gint32)value);
}

static const char *error_code_str(wmem_allocator_t *pool, gint32 code)
{
    const char *name = try_val_to_str((guint32)code, acp_error_vals);
    return name ? wmem_strdup_printf(pool, "%s (%d)", name, code)
                : wmem_strdup_printf(pool, "%d", code);
}

static acp_conv_t *get_acp_conv(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    acp_conv_t *c = (acp_conv_t *)conversation_get_proto_data(conv, proto_acp);
    if (!c) {
        c = wmem_new0(wmem_file_scope(), acp_conv_t);
        conversation_add_proto_data(conv, proto_acp, c);
    }
    return c;
}

/* A reply comes from the server: the side the TCP handshake went to, or,
 * without a handshake, the side that did not send the first ACP message. */
static gboolean is_reply(packet_info *pinfo, acp_conv_t *c)
{
    if (pinfo->ptype == PT_TCP) {
        struct tcp_analysis *tcpd =
            get_tcp_conversation_data(find_or_create_conversation(pinfo), pinfo);
        if (tcpd && tcpd->server_port != 0 && pinfo->srcport != pinfo->destport)
            return pinfo->srcport == tcpd->server_port;
    }
    if (!c->client_known) {
        copy_address_wmem(wmem_file_scope(), &c->client, &pinfo->src);
        c->client_port = pinfo->srcport;
        c->client_known = TRUE;
    }
    return !(addresses_equal(&pinfo->src, &c->client) && pinfo->srcport == c->client_port);
}

/* Length of the ACP message at offset: 128 + body size from the header,
 * or the rest of the segment for data that is not an ACP header (encrypted
 * session data, garbage). 0 asks TCP for one more segment. */
static al_pdu_len_t get_acp_pdu_len(packet_info *pinfo, tvbuff_t *tvb, int offset, void *data _U_)
{
    guint8 head[ACP_OFF_BODY_SIZE + 4];
    guint avail = tvb_captured_length_remaining(tvb, offset);
    guint rest = tvb_reported_length_remaining(tvb, offset);
    gboolean can_wait = acp_desegment && pinfo->can_desegment;
    guint n = MIN(avail, (guint)sizeof head);
    guint32 len;

    tvb_memcpy(tvb, head, offset, n);
    if (n < 4)
        return can_wait && memcmp(head, ACP_MAGIC, n) == 0 ? 0 : rest;
    if (memcmp(head, ACP_MAGIC, 4) != 0)
        return rest;
    if (n < 8)
        return can_wait ? 0 : rest;
    if (!acp_version_known(tvb_get_ntohl(tvb, offset + ACP_OFF_VERSION)))
        return rest;
    if (n < ACP_OFF_BODY_SIZE + 4)
        return can_wait ? 0 : rest;
    /* A body size too large for a tvbuff: the PDU dissector flags it. */
    return acp_message_length(head, n, &len) ? len : rest;
}

static void add_info(packet_info *pinfo, const char *text)
{
    col_append_sep_str(pinfo->cinfo, COL_INFO, " ; ", text);
}

/* Data that does not start with "acpp". */
static void dissect_not_acp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                            acp_conv_t *c)
{
    guint len = tvb_captured_length(tvb);
    proto_item *pi;

    if (c->auth_frame != 0 && pinfo->num >= c->auth_frame) {
        proto_item_append_text(ti, ", encrypted session data");
        proto_tree_add_item(tree, hf_encrypted, tvb, 0, -1, ENC_NA);
        add_info(pinfo, wmem_strdup_printf(pinfo->pool, "Encrypted session data (%u bytes)", len));
        return;
    }
    pi = proto_tree_add_item(tree, hf_undecoded, tvb, 0, -1, ENC_NA);
    al_expert_add_info_fmt(pinfo, pi, &ei_bad_magic,
                           "No \"acpp\" magic: %u bytes are not an ACP message", len);
    add_info(pinfo, "Not an ACP message");
}

/* Magic and version are there, but the version is not one the sources know:
 * nothing after it can be trusted. */
static void dissect_bad_version(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                guint32 version)
{
    proto_item *pi;

    proto_tree_add_item(tree, hf_magic, tvb, ACP_OFF_MAGIC, 4, ENC_ASCII);
    pi = proto_tree_add_item(tree, hf_version, tvb, ACP_OFF_VERSION, 4, ENC_BIG_ENDIAN);
    al_expert_add_info_fmt(pinfo, pi, &ei_bad_version,
                           "Unknown ACP version 0x%08x (known: 0x00000001, 0x00030001); "
                           "the rest is not decoded",
                           version);
    if (tvb_captured_length(tvb) > 8)
        proto_tree_add_item(tree, hf_undecoded, tvb, 8, -1, ENC_NA);
    add_info(pinfo, "Unknown ACP version");
}

/* A header cut short (end of capture, snapshot length, or reassembly off):
 * the fields that fit, and an expert. */
static void dissect_truncated_header(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                     proto_item *ti)
{
    static const struct {
        int *hf;
        int offset;
        int len;
        guint encoding;
    } fields[] = {
        {&hf_magic, ACP_OFF_MAGIC, 4, ENC_ASCII},
        {&hf_version, ACP_OFF_VERSION, 4, ENC_BIG_ENDIAN},
        {&hf_header_checksum, ACP_OFF_HEADER_SUM, 4, ENC_BIG_ENDIAN},
        {&hf_body_checksum, ACP_OFF_BODY_SUM, 4, ENC_BIG_ENDIAN},
        {&hf_body_size, ACP_OFF_BODY_SIZE, 4, ENC_BIG_ENDIAN},
        {&hf_flags, ACP_OFF_FLAGS, 4, ENC_BIG_ENDIAN},
        {&hf_unused, ACP_OFF_UNUSED, 4, ENC_BIG_ENDIAN},
        {&hf_command, ACP_OFF_COMMAND, 4, ENC_BIG_ENDIAN},
        {&hf_error, ACP_OFF_ERROR, 4, ENC_BIG_ENDIAN},
    };
    guint len = tvb_captured_length(tvb);

    for (size_t i = 0; i < array_length(fields); i++) {
        if ((guint)(fields[i].offset + fields[i].len) <= len)
            proto_tree_add_item(tree, *fields[i].hf, tvb, fields[i].offset, fields[i].len,
                                fields[i].encoding);
    }
    al_expert_add_info_fmt(pinfo, ti, &ei_truncated_header, "Truncated ACP header: %u of %u bytes",
                           len, ACP_HEADER_LEN);
    add_info(pinfo, "Truncated ACP header");
}

static void add_checksum(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, int offset, int hf,
                         int hf_status, expert_field *ei, const char *what, guint32 stored,
                         guint32 computed, gboolean verify)
{
    proto_item *pi = proto_tree_add_checksum(
        tree, tvb, offset, hf, hf_status, NULL, pinfo, computed, ENC_BIG_ENDIAN,
        verify ? PROTO_CHECKSUM_VERIFY : PROTO_CHECKSUM_NO_FLAGS);
    if (verify && stored != computed)
        al_expert_add_info_fmt(pinfo, pi, ei, "Bad ACP %s checksum 0x%08x: the Adler-32 is 0x%08x",
                               what, stored, computed);
}

static void add_password(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo, const acp_header_t *h)
{
    char password[ACP_PASSWORD_MAX + 1];
    size_t len = 0;
    proto_item *pi;

    proto_tree_add_item(tree, hf_key, tvb, ACP_KEY_OFFSET, ACP_KEY_LEN, ENC_NA);
    /* Replies carry an all-zero key: XOR-ing it would "recover" the keystream. */
    if (!acp_key_is_zero(h->key, ACP_KEY_LEN))
        len = acp_key_to_password(h->key, ACP_KEY_LEN, password, sizeof password);
    password[len] = '\0';
    pi = proto_tree_add_string(tree, hf_password, tvb, ACP_KEY_OFFSET, ACP_KEY_LEN, password);
    proto_item_set_generated(pi);
    if (acp_key_is_zero(h->key, ACP_KEY_LEN))
        proto_item_append_text(pi, " (key field all zero: no password sent)");
    if (len > 0)
        al_expert_add_info_fmt(pinfo, pi, &ei_password_exposed,
                               "AirPort admin password readable by anyone on the path: \"%s\"",
                               AL_FORMAT_TEXT(pinfo->pool, password, len));
}

/* One property element at offset; returns the bytes it used, 0 to stop. */
static guint dissect_property(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint offset,
                              wmem_strbuf_t *names, guint *n_names, gboolean *ended)
{
    static int *const flag_bits[] = {&hf_property_flags_error, NULL};
    guint avail = tvb_captured_length_remaining(tvb, offset);
    acp_element_t e;
    acp_element_status_t st = acp_parse_element(tvb_get_ptr(tvb, offset, avail), avail, &e);
    proto_item *ti, *pi;
    proto_tree *et;
    guint vlen;

    if (st == ACP_ELEMENT_SHORT_HDR) {
        pi = proto_tree_add_item(tree, hf_undecoded, tvb, offset, -1, ENC_NA);
        al_expert_add_info_fmt(pinfo, pi, &ei_property_truncated,
                               "Property element header truncated: %u of %u bytes", avail,
                               ACP_ELEMENT_HDR_LEN);
        return 0;
    }
    vlen = st == ACP_ELEMENT_OK ? e.size : avail - ACP_ELEMENT_HDR_LEN;
    ti = proto_tree_add_item(tree, hf_property, tvb, offset, ACP_ELEMENT_HDR_LEN + vlen, ENC_NA);
    et = proto_item_add_subtree(ti, ett_property);
    if (e.is_end) {
        proto_item_append_text(ti, ": end of list");
        proto_tree_add_item(et, hf_property_end, tvb, offset, 4, ENC_NA);
    } else {
        const char *name = tvb_format_text(pinfo->pool, tvb, offset, 4);
        proto_item_append_text(ti, ": %s", name);
        if (*n_names < INFO_MAX_NAMES)
            wmem_strbuf_append_printf(names, "%s%s", *n_names ? "," : "", name);
        else if (*n_names == INFO_MAX_NAMES)
            wmem_strbuf_append(names, ",...");
        (*n_names)++;
        proto_tree_add_item(et, hf_property_name, tvb, offset, 4, ENC_ASCII);
    }
    proto_tree_add_bitmask(et, tvb, offset + 4, hf_property_flags, ett_property_flags, flag_bits,
                           ENC_BIG_ENDIAN);
    proto_tree_add_item(et, hf_property_size, tvb, offset + 8, 4, ENC_BIG_ENDIAN);
    offset += ACP_ELEMENT_HDR_LEN;

    if (st == ACP_ELEMENT_SHORT_VAL) {
        pi = vlen ? proto_tree_add_item(et, hf_property_value, tvb, offset, vlen, ENC_NA) : ti;
        al_expert_add_info_fmt(pinfo, pi, &ei_property_truncated,
                               "Property value truncated: %u of %u bytes", vlen, e.size);
        return 0;
    }
    if ((e.flags & ACP_ELEMENT_FLAG_ERR) && e.size == 4) {
        gint32 code;
        pi = proto_tree_add_item_ret_int(et, hf_property_error, tvb, offset, 4, ENC_BIG_ENDIAN,
                                         &code);
        al_expert_add_info_fmt(pinfo, pi, &ei_property_error, "Property %s: error %s",
                               tvb_format_text(pinfo->pool, tvb, offset - ACP_ELEMENT_HDR_LEN, 4),
                               error_code_str(pinfo->pool, code));
    } else if (e.size > 0) {
        proto_tree_add_item(et, hf_property_value, tvb, offset, e.size, ENC_NA);
        if (acp_is_printable(tvb_get_ptr(tvb, offset, e.size), e.size)) {
            pi = proto_tree_add_item(et, hf_property_string, tvb, offset, e.size, ENC_ASCII);
            proto_item_set_generated(pi);
            if (!e.is_end)
                proto_item_append_text(ti, " = \"%s\"",
                                       tvb_format_text(pinfo->pool, tvb, offset, e.size));
        }
    }
    *ended = e.is_end;
    return ACP_ELEMENT_HDR_LEN + e.size;
}

static void dissect_properties(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                               wmem_strbuf_t *info)
{
    wmem_strbuf_t *names = wmem_strbuf_new(pinfo->pool, "");
    guint offset = 0, used, n_names = 0;
    gboolean ended = FALSE;

    while (!ended && tvb_captured_length_remaining(tvb, offset) > 0) {
        used = dissect_property(tvb, pinfo, tree, offset, names, &n_names, &ended);
        if (used == 0)
            return;
        offset += used;
    }
    if (ended && tvb_captured_length_remaining(tvb, offset) > 0) {
        proto_item *pi = proto_tree_add_item(tree, hf_undecoded, tvb, offset, -1, ENC_NA);
        al_expert_add_info_fmt(pinfo, pi, &ei_after_end, "%u bytes after the end element",
                               tvb_captured_length_remaining(tvb, offset));
    }
    if (n_names)
        wmem_strbuf_append_printf(info, " %s", wmem_strbuf_get_str(names));
}

static void dissect_cflbinary(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                              const acp_header_t *h, gboolean reply, gboolean whole)
{
    guint len = tvb_captured_length(tvb);
    gboolean footer = whole && acp_cflbinary_has_footer(tvb_get_ptr(tvb, 0, len), len);
    guint contents = len - 4 - (footer ? 4 : 0);
    proto_item *ti;
    proto_tree *ct;

    ti = proto_tree_add_item(tree, hf_cflbinary, tvb, 0, 4, ENC_ASCII);
    ct = proto_item_add_subtree(ti, ett_cflbinary);
    if (contents)
        proto_tree_add_item(ct, hf_cflbinary_contents, tvb, 4, contents, ENC_NA);
    if (footer)
        proto_tree_add_item(ct, hf_cflbinary_footer, tvb, len - 4, 4, ENC_ASCII);
    else if (whole)
        expert_add_info(pinfo, ti, &ei_cflbinary_no_footer);
    if (h->command == ACP_CMD_AUTHENTICATE && reply)
        expert_add_info(pinfo, ti, &ei_session_encrypted);
}

static void dissect_body(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const acp_header_t *h,
                         gboolean reply, wmem_strbuf_t *info)
{
    guint len = tvb_captured_length(tvb);
    guint size = tvb_reported_length(tvb);
    gboolean whole = len == size;

    if (!whole)
        al_expert_add_info_fmt(pinfo, proto_tree_get_parent(tree), &ei_truncated_body,
                               "Truncated ACP body: %u of %u bytes", len, size);
    if (len == 0)
        return;
    if (acp_is_cflbinary(tvb_get_ptr(tvb, 0, len), len))
        dissect_cflbinary(tvb, pinfo, tree, h, reply, whole);
    else if (h->command == ACP_CMD_GET_PROPERTY || h->command == ACP_CMD_SET_PROPERTY)
        dissect_properties(tvb, pinfo, tree, info);
    else
        proto_tree_add_item(tree, hf_body, tvb, 0, -1, ENC_NA);
}

static void add_header_fields(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                              const acp_header_t *h, guint body_size)
{
    guint avail = tvb_captured_length_remaining(tvb, ACP_HEADER_LEN);
    gboolean body_whole = avail >= body_size && h->body_size <= ACP_BODY_SIZE_MAX;
    guint32 body_sum =
        body_whole ? acp_adler32(tvb_get_ptr(tvb, ACP_HEADER_LEN, body_size), body_size) : 0;
    proto_item *pi;

    proto_tree_add_item(tree, hf_magic, tvb, ACP_OFF_MAGIC, 4, ENC_ASCII);
    proto_tree_add_item(tree, hf_version, tvb, ACP_OFF_VERSION, 4, ENC_BIG_ENDIAN);
    add_checksum(tree, tvb, pinfo, ACP_OFF_HEADER_SUM, hf_header_checksum,
                 hf_header_checksum_status, &ei_bad_header_checksum, "header", h->header_checksum,
                 acp_header_checksum(tvb_get_ptr(tvb, 0, ACP_HEADER_LEN), ACP_HEADER_LEN), TRUE);
    add_checksum(tree, tvb, pinfo, ACP_OFF_BODY_SUM, hf_body_checksum, hf_body_checksum_status,
                 &ei_bad_body_checksum, "body", h->body_checksum, body_sum, body_whole);
    pi = proto_tree_add_item(tree, hf_body_size, tvb, ACP_OFF_BODY_SIZE, 4, ENC_BIG_ENDIAN);
    if (h->body_size == -1)
        proto_item_append_text(pi, " (stream header, no attached body)");
    else if (h->body_size < 0)
        al_expert_add_info_fmt(pinfo, pi, &ei_bad_body_size,
                               "Negative body size %d (only -1 is defined)", h->body_size);
    else if (h->body_size > ACP_BODY_SIZE_MAX)
        al_expert_add_info_fmt(pinfo, pi, &ei_bad_body_size,
                               "Body size %d is too large to frame (at most %d); the body is not "
                               "decoded",
                               h->body_size, ACP_BODY_SIZE_MAX);
    proto_tree_add_item(tree, hf_flags, tvb, ACP_OFF_FLAGS, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_unused, tvb, ACP_OFF_UNUSED, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_command, tvb, ACP_OFF_COMMAND, 4, ENC_BIG_ENDIAN);
    pi = proto_tree_add_item(tree, hf_error, tvb, ACP_OFF_ERROR, 4, ENC_BIG_ENDIAN);
    if (h->error_code != 0)
        al_expert_add_info_fmt(pinfo, pi, &ei_error_code, "ACP error %s",
                               error_code_str(pinfo->pool, h->error_code));
    proto_tree_add_item(tree, hf_padding, tvb, ACP_OFF_PAD1, ACP_LEN_PAD1, ENC_NA);
    add_password(tree, tvb, pinfo, h);
    proto_tree_add_item(tree, hf_padding, tvb, ACP_OFF_PAD2, ACP_LEN_PAD2, ENC_NA);
}

static void dissect_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                            acp_conv_t *c)
{
    acp_header_t h;
    guint body_size;
    gboolean reply = is_reply(pinfo, c);
    wmem_strbuf_t *info = wmem_strbuf_new(pinfo->pool, "");
    proto_item *pi;

    acp_parse_header(tvb_get_ptr(tvb, 0, ACP_HEADER_LEN), ACP_HEADER_LEN, &h);
    body_size = h.body_size > 0 && h.body_size <= ACP_BODY_SIZE_MAX ? (guint)h.body_size : 0;
    if (h.command == ACP_CMD_AUTHENTICATE && !PINFO_FD_VISITED(pinfo) &&
        (c->auth_frame == 0 || pinfo->num < c->auth_frame))
        c->auth_frame = pinfo->num;

    add_header_fields(tvb, pinfo, tree, &h, body_size);
    pi = proto_tree_add_boolean(tree, hf_reply, tvb, 0, 0, reply);
    proto_item_set_generated(pi);

    wmem_strbuf_append_printf(
        info, "%s %s", AL_VAL_TO_STR(pinfo->pool, h.command, acp_command_vals, "Command 0x%02x"),
        reply ? "reply" : "request");
    if (h.error_code != 0)
        wmem_strbuf_append_printf(info, " error %s", error_code_str(pinfo->pool, h.error_code));
    proto_item_append_text(ti, ", %s", wmem_strbuf_get_str(info));
    if (body_size > 0)
        dissect_body(tvb_new_subset_length(tvb, ACP_HEADER_LEN, body_size), pinfo, tree, &h, reply,
                     info);
    else if (h.body_size > ACP_BODY_SIZE_MAX && tvb_captured_length(tvb) > ACP_HEADER_LEN)
        proto_tree_add_item(tree, hf_undecoded, tvb, ACP_HEADER_LEN, -1, ENC_NA);
    add_info(pinfo, wmem_strbuf_get_str(info));
}

/* What dissect_acp hands tcp_dissect_pdus for its messages: whether the
 * columns are ACP's yet. */
typedef struct {
    bool columns_set;
} acp_segment_t;

/* One ACP message, or the data tcp_dissect_pdus could not frame as one. The
 * first one of the segment makes the columns ACP's: a segment whose bytes
 * all wait for reassembly keeps TCP's (Wireshark 4.4's TCP no longer
 * overwrites what a dissector wrote there before it asked for more data). */
static int dissect_acp_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    acp_segment_t *seg = (acp_segment_t *)data;
    guint len = tvb_captured_length(tvb);
    acp_conv_t *c = get_acp_conv(pinfo);
    proto_item *ti;
    proto_tree *acp_tree;

    if (!seg->columns_set) {
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "ACP");
        col_clear(pinfo->cinfo, COL_INFO);
        seg->columns_set = true;
    }
    ti = proto_tree_add_item(tree, proto_acp, tvb, 0, -1, ENC_NA);
    acp_tree = proto_item_add_subtree(ti, ett_acp);

    if (tvb_memeql(tvb, 0, (const guint8 *)ACP_MAGIC, MIN(len, 4)) != 0)
        dissect_not_acp(tvb, pinfo, acp_tree, ti, c);
    else if (len >= 8 && !acp_version_known(tvb_get_ntohl(tvb, ACP_OFF_VERSION)))
        dissect_bad_version(tvb, pinfo, acp_tree, tvb_get_ntohl(tvb, ACP_OFF_VERSION));
    else if (len < ACP_HEADER_LEN)
        dissect_truncated_header(tvb, pinfo, acp_tree, ti);
    else
        dissect_message(tvb, pinfo, acp_tree, ti, c);
    return tvb_reported_length(tvb);
}

static int dissect_acp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    acp_segment_t seg = {false};
    tcp_dissect_pdus(tvb, pinfo, tree, acp_desegment, 1, get_acp_pdu_len, dissect_acp_pdu, &seg);
    return tvb_captured_length(tvb);
}

static al_heur_bool_t dissect_acp_heur_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                           void *data)
{
    guint len = MIN(tvb_captured_length(tvb), (guint)ACP_HEADER_LEN);

    if (len < 8 || !acp_match(tvb_get_ptr(tvb, 0, len), len))
        return FALSE;
    conversation_set_dissector(find_or_create_conversation(pinfo), acp_handle);
    dissect_acp(tvb, pinfo, tree, data);
    return TRUE;
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: on
 * TCP, the check the registry's port sniffer applies, acp_match() on the
 * first 256 bytes of the segment, decides as the "tcp" heuristic does (the
 * match reads at most the 128-byte header). */
static al_heur_bool_t dissect_acp_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                               void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_TCP, &len);

    if (!p || len < 8 || !acp_match(p, MIN(len, (guint)ACP_HEADER_LEN)))
        return FALSE;
    dissect_acp(tvb, pinfo, tree, data);
    return TRUE;
}

void proto_register_acp(void)
{
    static hf_register_info hf[] = {
        {&hf_magic, {"Magic", "acp.magic", FT_STRING, BASE_NONE, NULL, 0x0, "\"acpp\"", HFILL}},
        {&hf_version,
         {"Version", "acp.version", FT_UINT32, BASE_HEX, VALS(acp_version_vals), 0x0,
          "0x00000001 (old) or 0x00030001 (current)", HFILL}},
        {&hf_header_checksum,
         {"Header checksum", "acp.header_checksum", FT_UINT32, BASE_HEX, NULL, 0x0,
          "Adler-32 of the 128-byte header with this field set to 0", HFILL}},
        {&hf_header_checksum_status,
         {"Header checksum status", "acp.header_checksum.status", FT_UINT8, BASE_NONE,
          VALS(proto_checksum_vals), 0x0, NULL, HFILL}},
        {&hf_body_checksum,
         {"Body checksum", "acp.body_checksum", FT_UINT32, BASE_HEX, NULL, 0x0,
          "Adler-32 of the body (0x00000001 when there is none)", HFILL}},
        {&hf_body_checksum_status,
         {"Body checksum status", "acp.body_checksum.status", FT_UINT8, BASE_NONE,
          VALS(proto_checksum_vals), 0x0, NULL, HFILL}},
        {&hf_body_size,
         {"Body size", "acp.body_size", FT_INT32, BASE_DEC, NULL, 0x0,
          "Bytes of body after the header; -1 for a stream header with no attached body", HFILL}},
        {&hf_flags,
         {"Flags", "acp.flags", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Meaning not documented (4 on requests that expect a reply body; 0, 1, 5 seen)", HFILL}},
        {&hf_unused,
         {"Unused", "acp.unused", FT_UINT32, BASE_DEC, NULL, 0x0, "Zero in every message seen",
          HFILL}},
        {&hf_command,
         {"Command", "acp.command", FT_UINT32, BASE_HEX, VALS(acp_command_vals), 0x0, NULL, HFILL}},
        {&hf_error,
         {"Error code", "acp.error", FT_INT32, BASE_CUSTOM, CF_FUNC(format_error_code), 0x0, NULL,
          HFILL}},
        {&hf_padding, {"Padding", "acp.padding", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_key,
         {"Key", "acp.key", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Admin password, NUL-padded to 32 bytes, XOR-ed with a static keystream", HFILL}},
        {&hf_password,
         {"Admin password", "acp.password", FT_STRING, BASE_NONE, NULL, 0x0,
          "Recovered from the key field (key XOR the static keystream)", HFILL}},
        {&hf_reply,
         {"Reply", "acp.reply", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Sent by the server (the TCP handshake's destination, or else the side that did "
          "not send the first ACP message)",
          HFILL}},
        {&hf_body,
         {"Body", "acp.body", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Body of a command whose body format the sources do not give", HFILL}},
        {&hf_property, {"Property", "acp.property", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_property_name,
         {"Name", "acp.property.name", FT_STRING, BASE_NONE, NULL, 0x0, "4-character property name",
          HFILL}},
        {&hf_property_flags,
         {"Flags", "acp.property.flags", FT_UINT32, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_property_flags_error,
         {"Error", "acp.property.flags.error", FT_BOOLEAN, 32, NULL, ACP_ELEMENT_FLAG_ERR,
          "The value is an int32 error code", HFILL}},
        {&hf_property_size,
         {"Size", "acp.property.size", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_property_value,
         {"Value", "acp.property.value", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_property_string,
         {"Value as string", "acp.property.string", FT_STRING, BASE_NONE, NULL, 0x0,
          "The value, when every byte is printable ASCII", HFILL}},
        {&hf_property_error,
         {"Error code", "acp.property.error", FT_INT32, BASE_CUSTOM, CF_FUNC(format_error_code),
          0x0, NULL, HFILL}},
        {&hf_property_end,
         {"End element", "acp.property.end", FT_NONE, BASE_NONE, NULL, 0x0,
          "Name 00000000 (and flags 0): this element ends the list", HFILL}},
        {&hf_cflbinary,
         {"CFL binary plist", "acp.cflbinary", FT_STRING, BASE_NONE, NULL, 0x0,
          "Apple \"CFL binary plist\" magic", HFILL}},
        {&hf_cflbinary_contents,
         {"Contents", "acp.cflbinary.contents", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Object stream (structure not documented here)", HFILL}},
        {&hf_cflbinary_footer,
         {"Footer", "acp.cflbinary.footer", FT_STRING, BASE_NONE, NULL, 0x0, "\"END!\"", HFILL}},
        {&hf_encrypted,
         {"Encrypted data", "acp.encrypted", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Session data after SRP authentication (AES-128-CTR)", HFILL}},
        {&hf_undecoded,
         {"Undecoded data", "acp.undecoded", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_acp, &ett_property, &ett_property_flags, &ett_cflbinary};
    static ei_register_info ei[] = {
        {&ei_bad_header_checksum,
         {"acp.expert.bad_header_checksum", PI_CHECKSUM, PI_WARN, "Bad ACP header checksum",
          EXPFILL}},
        {&ei_bad_body_checksum,
         {"acp.expert.bad_body_checksum", PI_CHECKSUM, PI_WARN, "Bad ACP body checksum", EXPFILL}},
        {&ei_password_exposed,
         {"acp.expert.password_exposed", PI_SECURITY, PI_WARN,
          "AirPort admin password readable by anyone on the path", EXPFILL}},
        {&ei_session_encrypted,
         {"acp.expert.session_encrypted", PI_SEQUENCE, PI_NOTE,
          "After SRP authentication the session switches to AES-128-CTR; later bytes are not "
          "decodable",
          EXPFILL}},
        {&ei_truncated_header,
         {"acp.expert.truncated_header", PI_MALFORMED, PI_ERROR, "Truncated ACP header", EXPFILL}},
        {&ei_truncated_body,
         {"acp.expert.truncated_body", PI_MALFORMED, PI_ERROR, "Truncated ACP body", EXPFILL}},
        {&ei_bad_magic,
         {"acp.expert.bad_magic", PI_MALFORMED, PI_ERROR, "Not an ACP message (no \"acpp\")",
          EXPFILL}},
        {&ei_bad_version,
         {"acp.expert.bad_version", PI_MALFORMED, PI_ERROR, "Unknown ACP version", EXPFILL}},
        {&ei_bad_body_size,
         {"acp.expert.bad_body_size", PI_PROTOCOL, PI_WARN, "Invalid body size", EXPFILL}},
        {&ei_error_code,
         {"acp.expert.error", PI_RESPONSE_CODE, PI_NOTE, "ACP error code", EXPFILL}},
        {&ei_property_truncated,
         {"acp.expert.property_truncated", PI_MALFORMED, PI_ERROR, "Property element truncated",
          EXPFILL}},
        {&ei_property_error,
         {"acp.expert.property_error", PI_RESPONSE_CODE, PI_NOTE, "Property error code", EXPFILL}},
        {&ei_after_end,
         {"acp.expert.after_end", PI_PROTOCOL, PI_WARN, "Data after the end element", EXPFILL}},
        {&ei_cflbinary_no_footer,
         {"acp.expert.cflbinary_no_footer", PI_PROTOCOL, PI_WARN,
          "CFL binary plist does not end with \"END!\"", EXPFILL}},
    };
    module_t *module;
    expert_module_t *expert;

    proto_acp = proto_register_protocol("AirPort Admin Protocol (ACP)", "ACP", "acp");
    proto_register_field_array(proto_acp, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto_acp);
    expert_register_field_array(expert, ei, array_length(ei));

    module = prefs_register_protocol(proto_acp, NULL);
    prefs_register_bool_preference(module, "desegment",
                                   "Reassemble ACP messages spanning multiple TCP segments",
                                   "Whether the ACP dissector should reassemble messages "
                                   "spanning multiple TCP segments. To use this option, you "
                                   "must also enable \"Allow subdissectors to reassemble TCP "
                                   "streams\" in the TCP protocol settings.",
                                   &acp_desegment);

    acp_handle = register_dissector("acp", dissect_acp, proto_acp);
}

/* The port Apple's tables give ACP (README.md). */
#define ACP_TCP_PORTS "5009"

void proto_reg_handoff_acp(void)
{
    /* With the registry plugin, its port sniffer owns TCP 5009 and hands
     * matching payload over through its list; alone, this plugin decodes its
     * documented port itself. */
    al_join_sniffer_or_take_ports(dissect_acp_heur_sniffer, "AirPort ACP on the Apple ports",
                                  "acp_sniffer", proto_acp, acp_handle, ACP_TCP_PORTS, NULL);
    /* Off by default, as every Apple heuristic: on the ports in Apple's tables
     * the registry's sniffer hands the payload over; this finds the protocol
     * on any other port, at a cost on every payload no port dissector took
     * (README.md, "Heuristics"). The "Apple Legacy Ports" profile turns it on. */
    heur_dissector_add("tcp", dissect_acp_heur_tcp, "AirPort ACP over TCP", "acp_tcp", proto_acp,
                       HEURISTIC_DISABLE);
}
