/* packet-netinfo.c
 * NetInfo, the directory service of NeXTSTEP and Mac OS X up to 10.4, over
 * ONC RPC: program 200100000 (NETINFOPROG) version 2, procedures 0-28, and
 * 200100001 "netinfobind" (nibindd). NetInfo picks a dynamic port in
 * 600-1023 unless a static port is set; 985 is the one Apple lists.
 *
 * Wireshark's RPC dissector decodes the ONC RPC layer. This plugin only
 * names the programs and the procedures (through rpc_init_prog), and gives
 * a "netinfo" dissector that hands a port's payload to RPC ("rpc" for UDP,
 * "rpc-tcp" for TCP record marking). Procedure arguments and results are not
 * decoded: dissect_rpc_unknown shows them as RPC's unknown body.
 *
 * Procedure names: only those named in apple-protocols.md section 11 (PING,
 * STATISTICS, ROOT, SELF, PARENT, CREATE, LOOKUPREAD); the others are shown
 * as "proc-N (name unknown)". netinfobind's versions and procedures are
 * unknown: only the program name is registered.
 *
 * Sources: ../shared/reference/apple-protocols.md section 11 (netinfo.h of
 * a NeXT-emulator NetInfo server; nmap-rpc; Directory Access help), RFC 5531.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/dissectors/packet-rpc.h>

#include "applelegacy-api.h"
#include "ws-compat.h"

#include "netinfo-parse.h"

void proto_register_netinfo(void);
void proto_reg_handoff_netinfo(void);

static int proto_netinfo = -1;
static int proto_netinfobind = -1;

static int hf_netinfo_procedure_v2 = -1;

static gint ett_netinfo = -1;
static gint ett_netinfobind = -1;

static dissector_handle_t netinfo_handle;
static dissector_handle_t rpc_handle;
static dissector_handle_t rpc_tcp_handle;

/* Version 2 procedures, 0-28: (number, name). */
#define NI_UNNAMED(X, n) X(n, "proc-" #n " (name unknown)")
#define NETINFO_V2_PROCEDURES(X)                                                                   \
    X(0, "PING")                                                                                   \
    X(1, "STATISTICS")                                                                             \
    X(2, "ROOT")                                                                                   \
    X(3, "SELF")                                                                                   \
    X(4, "PARENT")                                                                                 \
    X(5, "CREATE")                                                                                 \
    NI_UNNAMED(X, 6)                                                                               \
    NI_UNNAMED(X, 7)                                                                               \
    NI_UNNAMED(X, 8)                                                                               \
    NI_UNNAMED(X, 9)                                                                               \
    NI_UNNAMED(X, 10)                                                                              \
    NI_UNNAMED(X, 11)                                                                              \
    NI_UNNAMED(X, 12)                                                                              \
    NI_UNNAMED(X, 13)                                                                              \
    NI_UNNAMED(X, 14)                                                                              \
    NI_UNNAMED(X, 15)                                                                              \
    NI_UNNAMED(X, 16)                                                                              \
    NI_UNNAMED(X, 17)                                                                              \
    NI_UNNAMED(X, 18)                                                                              \
    NI_UNNAMED(X, 19)                                                                              \
    NI_UNNAMED(X, 20)                                                                              \
    NI_UNNAMED(X, 21)                                                                              \
    NI_UNNAMED(X, 22)                                                                              \
    NI_UNNAMED(X, 23)                                                                              \
    NI_UNNAMED(X, 24)                                                                              \
    NI_UNNAMED(X, 25)                                                                              \
    NI_UNNAMED(X, 26)                                                                              \
    NI_UNNAMED(X, 27)                                                                              \
    X(28, "LOOKUPREAD")

/* No argument or result decoding: RPC shows the body as unknown data. */
#define NI_VSFF(n, name) {n, name, dissect_rpc_unknown, dissect_rpc_unknown},
#define NI_VALS(n, name) {n, name},

/* clang-format off */
static const vsff netinfo2_proc[] = {
    NETINFO_V2_PROCEDURES(NI_VSFF)
    {0, NULL, NULL, NULL},
};

static const value_string netinfo2_proc_vals[] = {
    NETINFO_V2_PROCEDURES(NI_VALS)
    {0, NULL},
};
/* clang-format on */

static const rpc_prog_vers_info netinfo_vers_info[] = {
    {NETINFO_VERSION, netinfo2_proc, &hf_netinfo_procedure_v2},
};

/* Hands the payload to Wireshark's RPC dissector: TCP needs record marking. */
static int dissect_netinfo(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (pinfo->ptype == PT_TCP) {
        if (rpc_tcp_handle == NULL)
            return 0;
        /* Like other proxying dissectors (SOCKS), pass on to RPC the
         * desegmentation service that TCP offered to us. */
        pinfo->can_desegment = pinfo->saved_can_desegment;
        return call_dissector_only(rpc_tcp_handle, tvb, pinfo, tree, data);
    }
    if (rpc_handle == NULL)
        return 0;
    return call_dissector_only(rpc_handle, tvb, pinfo, tree, data);
}

static al_heur_bool_t claim(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (dissect_netinfo(tvb, pinfo, tree, data) == 0)
        return FALSE;
    conversation_set_dissector(find_or_create_conversation(pinfo), netinfo_handle);
    return TRUE;
}

static al_heur_bool_t dissect_netinfo_heur_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                               void *data)
{
    guint8 head[NETINFO_MIN_CALL_LEN];

    if (tvb_captured_length(tvb) < NETINFO_MIN_CALL_LEN)
        return FALSE;
    tvb_memcpy(tvb, head, 0, NETINFO_MIN_CALL_LEN);
    if (!netinfo_match_udp(head, NETINFO_MIN_CALL_LEN))
        return FALSE;
    return claim(tvb, pinfo, tree, data);
}

static al_heur_bool_t dissect_netinfo_heur_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                               void *data)
{
    guint8 head[NETINFO_RECORD_MARK_LEN + NETINFO_CALL_HEADER_LEN];

    if (tvb_captured_length(tvb) < sizeof(head))
        return FALSE;
    tvb_memcpy(tvb, head, 0, sizeof(head));
    if (!netinfo_match_tcp(head, sizeof(head)))
        return FALSE;
    return claim(tvb, pinfo, tree, data);
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: the
 * check the registry's port sniffer applies, netinfo_match() on the first 256
 * bytes of a TCP segment or on the whole UDP datagram. netinfo_match() takes
 * a call with or without a record mark on either transport; RPC, as a rule,
 * refuses the form that does not fit the transport, and claim() takes nothing
 * then. */

static al_heur_bool_t dissect_netinfo_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo,
                                                   proto_tree *tree, void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_TCP | AL_SNIFF_UDP, &len);

    if (!p || !netinfo_match(p, len))
        return FALSE;
    return dissect_netinfo(tvb, pinfo, tree, data) != 0;
}

void proto_register_netinfo(void)
{
    static hf_register_info hf[] = {
        {&hf_netinfo_procedure_v2,
         {"V2 Procedure", "netinfo.procedure_v2", FT_UINT32, BASE_DEC, VALS(netinfo2_proc_vals),
          0x0, "NetInfo version 2 procedure; names only where the sources give them", HFILL}},
    };
    static gint *ett[] = {
        &ett_netinfo,
        &ett_netinfobind,
    };

    proto_netinfo = proto_register_protocol("NetInfo", "NetInfo", "netinfo");
    proto_register_field_array(proto_netinfo, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));

    proto_netinfobind =
        proto_register_protocol("NetInfo binder (nibindd)", "netinfobind", "netinfobind");

    netinfo_handle = register_dissector("netinfo", dissect_netinfo, proto_netinfo);
}

/* The static port Apple's tables give NetInfo (README.md); it is otherwise
 * on a dynamic port in 600-1023, which RPC's own heuristic finds through
 * the program number. */
#define NETINFO_PORTS "985"

void proto_reg_handoff_netinfo(void)
{
    rpc_init_prog(proto_netinfo, NETINFO_PROGRAM, ett_netinfo, G_N_ELEMENTS(netinfo_vers_info),
                  netinfo_vers_info);
    /* Versions and procedures unknown: the program name only. */
    rpc_init_prog(proto_netinfobind, NETINFOBIND_PROGRAM, ett_netinfobind, 0, NULL);

    rpc_handle = find_dissector("rpc");
    rpc_tcp_handle = find_dissector("rpc-tcp");

    /* With the registry plugin, its port sniffer owns TCP 985 and hands
     * matching payload over through its list; alone, this plugin decodes its
     * documented port, on TCP and UDP, itself. */
    al_join_sniffer_or_take_ports(dissect_netinfo_heur_sniffer, "NetInfo on the Apple ports",
                                  "netinfo_sniffer", proto_netinfo, netinfo_handle, NETINFO_PORTS,
                                  NETINFO_PORTS);
    /* Off by default, as every Apple heuristic: on the ports in Apple's tables
     * the registry's sniffer hands the payload over; these find the protocol
     * on any other port, at a cost on every payload no port dissector took
     * (README.md, "Heuristics"). The "Apple Legacy Ports" profile turns them on. */
    heur_dissector_add("udp", dissect_netinfo_heur_udp, "NetInfo over UDP (ONC RPC)", "netinfo_udp",
                       proto_netinfo, HEURISTIC_DISABLE);
    heur_dissector_add("tcp", dissect_netinfo_heur_tcp, "NetInfo over TCP (ONC RPC)", "netinfo_tcp",
                       proto_netinfo, HEURISTIC_DISABLE);
}
