/* packet-eppc.c
 * Routines for eppc: Remote Apple Events, the Program-to-Program
 * Communication toolbox over TCP (port 3031). A Mac with Remote Apple Events
 * on accepts Apple Events from the network; asked about an application by
 * name, it answers with that application's uid and pid before any
 * authentication, which nmap's eppc-enum-processes script uses to list the
 * running applications.
 *
 * No specification is public ("I've found no packet specifications", nmap's
 * author). Only what nmap sends and looks for is decoded: the client's
 * opening "PPCT" 00 00 00 01 00 00 00 01, its target request
 * e4 4c 50 52 54 01 e1 01 | 0xe1 + len | Pascal string name |
 * df db e3 02 01 3d df df df df d5 00, and "uid=<n>&pid=<n>" in the reply.
 * Without framing rules, every TCP segment is dissected as it comes, and
 * whatever is not understood is shown as data.
 *
 * Sources (see shared/reference/apple-protocols.md section 9): nmap
 * scripts/eppc-enum-processes.nse (author Patrik Karlsson).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/proto_data.h>
#include <epan/strutil.h>

#include "al-expert.h"
#include "applelegacy-api.h"
#include "ws-compat.h"

#include "eppc-parse.h"

void proto_register_eppc(void);
void proto_reg_handoff_eppc(void);

static int proto_eppc = -1;

static int hf_magic = -1;
static int hf_unknown1 = -1;
static int hf_unknown2 = -1;
static int hf_unknown = -1;
static int hf_name_marker = -1;
static int hf_target_app_length = -1;
static int hf_target_app = -1;
static int hf_uid = -1;
static int hf_pid = -1;
static int hf_data = -1;

static gint ett_eppc = -1;

static expert_field ei_process_disclosure = EI_INIT;

static dissector_handle_t eppc_handle;

/* Per conversation (file scope): the application the last target request
 * named, for the disclosure message of the reply that follows. */
typedef struct {
    const char *target_app;
} eppc_conv_t;

/* Per reply frame (file scope): the name the first pass found, so that the
 * message does not change when frames are dissected again out of order. */
#define KEY_REPLY_TARGET 0
static const char no_target[] = "";

static eppc_conv_t *get_conv(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    eppc_conv_t *c = (eppc_conv_t *)conversation_get_proto_data(conv, proto_eppc);

    if (!c) {
        c = wmem_new0(wmem_file_scope(), eppc_conv_t);
        conversation_add_proto_data(conv, proto_eppc, c);
    }
    return c;
}

static void append_info(packet_info *pinfo, const char *text)
{
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", text);
}

static void add_data(proto_tree *tree, tvbuff_t *tvb, int offset, int length)
{
    if (length > 0)
        proto_tree_add_item(tree, hf_data, tvb, offset, length, ENC_NA);
}

/* "PPCT" | uint32 | uint32, or as much of it as there is. Returns the bytes
 * used (0 when data does not start with "PPCT"). */
static int dissect_opening(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int offset,
                           const guint8 *data, guint len)
{
    eppc_opening_t op;

    if (!eppc_has_magic(data, len))
        return 0;
    proto_tree_add_item(tree, hf_magic, tvb, offset, EPPC_MAGIC_SIZE, ENC_ASCII);
    if (!eppc_parse_opening(data, len, &op)) {
        add_data(tree, tvb, offset + EPPC_MAGIC_SIZE, (int)len - EPPC_MAGIC_SIZE);
        append_info(pinfo, "Opening PPCT (incomplete)");
        return (int)len;
    }
    proto_tree_add_item(tree, hf_unknown1, tvb, offset + 4, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item(tree, hf_unknown2, tvb, offset + 8, 4, ENC_BIG_ENDIAN);
    append_info(pinfo, "Opening PPCT");
    return EPPC_OPENING_SIZE;
}

/* The target request nmap sends. Returns the bytes used (0 when the known
 * prefix, the marker and a whole Pascal string are not all there). */
static int dissect_request(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int offset,
                           const guint8 *data, guint len)
{
    eppc_request_t req;
    const guint8 *name;
    proto_item *pi;

    if (!eppc_parse_request(data, len, &req))
        return 0;
    proto_tree_add_item(tree, hf_unknown, tvb, offset, EPPC_REQUEST_PREFIX_SIZE, ENC_NA);
    pi = proto_tree_add_item(tree, hf_name_marker, tvb, offset + EPPC_REQUEST_PREFIX_SIZE, 1,
                             ENC_NA);
    proto_item_append_text(pi, eppc_request_marker_matches(&req)
                                   ? " (0xe1 + name length, as in nmap's probe)"
                                   : " (not 0xe1 + name length as in nmap's probe)");
    proto_tree_add_item(tree, hf_target_app_length, tvb, offset + EPPC_REQUEST_PREFIX_SIZE + 1, 1,
                        ENC_NA);
    proto_tree_add_item_ret_string(tree, hf_target_app, tvb, offset + (int)req.name_off,
                                   req.name_len, ENC_UTF_8, pinfo->pool, &name);
    if (req.has_suffix)
        proto_tree_add_item(tree, hf_unknown, tvb, offset + (int)req.name_end,
                            EPPC_REQUEST_SUFFIX_SIZE, ENC_NA);

    char *shown = AL_FORMAT_TEXT(pinfo->pool, name, strlen((const char *)name));
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Target application \"%s\"", shown);
    if (!PINFO_FD_VISITED(pinfo))
        get_conv(pinfo)->target_app = wmem_strdup(wmem_file_scope(), shown);
    return (int)req.end;
}

/* The application named by the request before this reply, or NULL. */
static const char *reply_target(packet_info *pinfo)
{
    const char *name =
        (const char *)p_get_proto_data(wmem_file_scope(), pinfo, proto_eppc, KEY_REPLY_TARGET);

    if (!name && !PINFO_FD_VISITED(pinfo)) {
        const char *last = get_conv(pinfo)->target_app;
        name = last ? last : no_target;
        p_add_proto_data(wmem_file_scope(), pinfo, proto_eppc, KEY_REPLY_TARGET, (void *)name);
    }
    return (name && name[0]) ? name : NULL;
}

/* Bytes not understood: data, and the uid and pid when the reply has them. */
static void dissect_other(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                          int offset, const guint8 *data, guint len)
{
    eppc_process_t proc;

    add_data(tree, tvb, offset, (int)len);
    if (!eppc_find_process(data, len, &proc)) {
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Data (%u bytes)", len);
        return;
    }
    proto_tree_add_uint(tree, hf_uid, tvb, offset + (int)proc.uid_off, (int)proc.uid_len, proc.uid);
    proto_tree_add_uint(tree, hf_pid, tvb, offset + (int)proc.pid_off, (int)proc.pid_len, proc.pid);
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Process uid=%u pid=%u", proc.uid, proc.pid);

    const char *name = reply_target(pinfo);
    if (name)
        al_expert_add_info_fmt(pinfo, ti, &ei_process_disclosure,
                               "Remote Apple Events disclosed uid %u and pid %u of \"%s\" before "
                               "authentication",
                               proc.uid, proc.pid, name);
    else
        al_expert_add_info_fmt(pinfo, ti, &ei_process_disclosure,
                               "Remote Apple Events disclosed uid %u and pid %u before "
                               "authentication",
                               proc.uid, proc.pid);
}

static int dissect_eppc(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint len = tvb_captured_length(tvb);
    const guint8 *bytes = tvb_get_ptr(tvb, 0, len);
    proto_item *ti;
    proto_tree *et;
    int offset = 0;
    int used;

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "EPPC");
    col_clear(pinfo->cinfo, COL_INFO);
    ti = proto_tree_add_item(tree, proto_eppc, tvb, 0, len, ENC_NA);
    et = proto_item_add_subtree(ti, ett_eppc);

    /* Known messages as long as they follow one another, then the rest. */
    while ((guint)offset < len) {
        used = dissect_opening(tvb, pinfo, et, offset, bytes + offset, len - (guint)offset);
        if (used == 0)
            used = dissect_request(tvb, pinfo, et, offset, bytes + offset, len - (guint)offset);
        if (used == 0)
            break;
        offset += used;
    }
    if ((guint)offset < len)
        dissect_other(tvb, pinfo, et, ti, offset, bytes + offset, len - (guint)offset);
    return (int)len;
}

static al_heur_bool_t dissect_eppc_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                        void *data)
{
    guint len = tvb_captured_length(tvb);

    if (len < EPPC_MAGIC_SIZE || !eppc_match(tvb_get_ptr(tvb, 0, len), len))
        return FALSE;
    conversation_set_dissector(find_or_create_conversation(pinfo), eppc_handle);
    dissect_eppc(tvb, pinfo, tree, data);
    return TRUE;
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: on
 * TCP, the check the registry's port sniffer applies, eppc_match() on the
 * first 256 bytes of the segment, decides as the "tcp" heuristic does (the
 * match reads at most 8 bytes). */
static al_heur_bool_t dissect_eppc_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                                void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_TCP, &len);

    if (!p || len < EPPC_MAGIC_SIZE || !eppc_match(p, len))
        return FALSE;
    dissect_eppc(tvb, pinfo, tree, data);
    return TRUE;
}

void proto_register_eppc(void)
{
    static hf_register_info hf[] = {
        {&hf_magic,
         {"Magic", "eppc.magic", FT_STRING, BASE_NONE, NULL, 0x0,
          "\"PPCT\": the first bytes of the client's opening", HFILL}},
        {&hf_unknown1,
         {"Unknown 1", "eppc.unknown1", FT_UINT32, BASE_DEC, NULL, 0x0,
          "value 1 in nmap's probe; meaning unknown", HFILL}},
        {&hf_unknown2,
         {"Unknown 2", "eppc.unknown2", FT_UINT32, BASE_DEC, NULL, 0x0,
          "value 1 in nmap's probe; meaning unknown", HFILL}},
        {&hf_unknown,
         {"Unknown", "eppc.unknown", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Fixed bytes of nmap's target request (before and after the name); meaning unknown",
          HFILL}},
        {&hf_name_marker,
         {"Name marker", "eppc.name_marker", FT_UINT8, BASE_HEX, NULL, 0x0,
          "0xe1 + the name's length in nmap's probe; meaning unknown", HFILL}},
        {&hf_target_app_length,
         {"Target application length", "eppc.target_app_length", FT_UINT8, BASE_DEC, NULL, 0x0,
          "Length byte of the Pascal string that names the application", HFILL}},
        {&hf_target_app,
         {"Target application", "eppc.target_app", FT_STRING, BASE_NONE, NULL, 0x0,
          "The application asked about, by name (character set not documented; shown as "
          "UTF-8)",
          HFILL}},
        {&hf_uid,
         {"uid", "eppc.uid", FT_UINT32, BASE_DEC, NULL, 0x0,
          "User ID of the application's process, from \"uid=<n>\" in the reply", HFILL}},
        {&hf_pid,
         {"pid", "eppc.pid", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Process ID of the application, from \"pid=<n>\" in the reply", HFILL}},
        {&hf_data,
         {"Data", "eppc.data", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes whose meaning is unknown (no specification is public)", HFILL}},
    };
    static gint *ett[] = {&ett_eppc};
    static ei_register_info ei[] = {
        {&ei_process_disclosure,
         {"eppc.expert.process_disclosure", PI_SECURITY, PI_WARN,
          "Remote Apple Events disclosed a uid and pid before authentication", EXPFILL}},
    };
    expert_module_t *expert;

    proto_eppc = proto_register_protocol(
        "Remote Apple Events (Program-to-Program Communication over TCP)", "EPPC", "eppc");
    proto_register_field_array(proto_eppc, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto_eppc);
    expert_register_field_array(expert, ei, array_length(ei));

    eppc_handle = register_dissector("eppc", dissect_eppc, proto_eppc);
}

/* The port Apple's tables give Remote Apple Events (README.md). */
#define EPPC_TCP_PORTS "3031"

void proto_reg_handoff_eppc(void)
{
    /* With the registry plugin, its port sniffer owns TCP 3031 and hands
     * matching payload over through its list; alone, this plugin decodes its
     * documented port itself. */
    al_join_sniffer_or_take_ports(dissect_eppc_heur_sniffer,
                                  "Remote Apple Events on the Apple ports", "eppc_sniffer",
                                  proto_eppc, eppc_handle, EPPC_TCP_PORTS, NULL);
    /* Off by default, as every Apple heuristic: on the ports in Apple's tables
     * the registry's sniffer hands the payload over; this finds the protocol
     * on any other port, at a cost on every payload no port dissector took
     * (README.md, "Heuristics"). The "Apple Legacy Ports" profile turns it on. */
    heur_dissector_add("tcp", dissect_eppc_heur, "Remote Apple Events over TCP", "eppc_tcp",
                       proto_eppc, HEURISTIC_DISABLE);
}
