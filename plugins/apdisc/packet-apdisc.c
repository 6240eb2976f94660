/* packet-apdisc.c
 * AirPort base-station probes on UDP 192 (IANA "osu-nms"). Apple's port list
 * (TS1629) gives UDP 192 to "AirPort Base Station PPP status or discovery
 * (certain configurations), AirPort Admin Utility, AirPort Express
 * Assistant". The only bytes known come from ONE real capture (nDPI's
 * anyconnect-vpn.pcap, frames 501-579): a Mac sends 4-byte datagrams
 * "08 01 03 10" and "10 01 03 10" to its gateway's UDP 192, in pairs about
 * 0.5 s apart, and no reply comes. What the bytes mean is unknown, so this
 * dissector names no field beyond "byte 0" and "unknown".
 *
 * Confidence: LOW. The heuristic is registered but disabled by default: a
 * 4-byte pattern is too weak to claim UDP traffic in general.
 *
 * Sources: ../shared/reference/apple-protocols.md section 6b.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>

#include "applelegacy-api.h"
#include "ws-compat.h"

#include "apdisc-parse.h"

void proto_register_apdisc(void);
void proto_reg_handoff_apdisc(void);

static int proto_apdisc = -1;

static int hf_byte0 = -1;
static int hf_unknown = -1;
static int hf_payload = -1;

static gint ett_apdisc = -1;

static expert_field ei_low_confidence = EI_INIT;

static dissector_handle_t apdisc_handle;

static const value_string byte0_vals[] = {
    {0x08, "seen in a real capture, meaning unknown"},
    {0x10, "seen in a real capture, meaning unknown"},
    {0, NULL},
};

static void dissect_probe(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti)
{
    guint32 byte0;

    proto_tree_add_item_ret_uint(tree, hf_byte0, tvb, 0, 1, ENC_NA, &byte0);
    proto_tree_add_item(tree, hf_unknown, tvb, 1, APDISC_PROBE_LEN - 1, ENC_NA);
    expert_add_info(pinfo, ti, &ei_low_confidence);
    col_add_fstr(pinfo->cinfo, COL_INFO,
                 "AirPort base-station probe, byte 0 0x%02x (meaning unknown)", byte0);
}

static int dissect_apdisc(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint len = tvb_captured_length(tvb);
    proto_item *ti;
    proto_tree *at;

    if (len == 0)
        return 0;

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "apdisc");
    col_clear(pinfo->cinfo, COL_INFO);
    ti = proto_tree_add_item(tree, proto_apdisc, tvb, 0, -1, ENC_NA);
    at = proto_item_add_subtree(ti, ett_apdisc);

    if (len == tvb_reported_length(tvb) && apdisc_match(tvb_get_ptr(tvb, 0, len), len)) {
        dissect_probe(tvb, pinfo, at, ti);
    } else {
        proto_tree_add_item(at, hf_payload, tvb, 0, len, ENC_NA);
        col_add_fstr(pinfo->cinfo, COL_INFO, "Unknown data, %u bytes", len);
    }
    return (int)len;
}

/* A heuristic's match: the conversation is apdisc from here on. */
static al_heur_bool_t take_apdisc(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_set_dissector(find_or_create_conversation(pinfo), apdisc_handle);
    dissect_apdisc(tvb, pinfo, tree, data);
    return TRUE;
}

static al_heur_bool_t dissect_apdisc_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                          void *data)
{
    guint8 probe[APDISC_PROBE_LEN];

    if (tvb_reported_length(tvb) != APDISC_PROBE_LEN ||
        tvb_captured_length(tvb) != APDISC_PROBE_LEN)
        return FALSE;
    tvb_memcpy(tvb, probe, 0, APDISC_PROBE_LEN);
    if (!apdisc_match(probe, APDISC_PROBE_LEN))
        return FALSE;
    return take_apdisc(tvb, pinfo, tree, data);
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: on
 * UDP, the check the registry's port sniffer applies, apdisc_match() on the
 * whole captured datagram. Unlike the "udp" heuristic it does not ask that
 * the datagram was captured whole. */
static al_heur_bool_t dissect_apdisc_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo,
                                                  proto_tree *tree, void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_UDP, &len);

    if (!p || !apdisc_match(p, len))
        return FALSE;
    dissect_apdisc(tvb, pinfo, tree, data);
    return TRUE;
}

void proto_register_apdisc(void)
{
    static hf_register_info hf[] = {
        {&hf_byte0,
         {"Byte 0", "apdisc.byte0", FT_UINT8, BASE_HEX, VALS(byte0_vals), 0x0,
          "First byte of the probe: 0x08 or 0x10 in the one real capture; meaning unknown", HFILL}},
        {&hf_unknown,
         {"Bytes 1-3 (meaning unknown)", "apdisc.unknown", FT_BYTES, BASE_NONE, NULL, 0x0,
          "01 03 10 in every probe of the one real capture; meaning unknown", HFILL}},
        {&hf_payload,
         {"Payload (unknown)", "apdisc.payload", FT_BYTES, BASE_NONE, NULL, 0x0,
          "A UDP 192 payload unlike the known probes; layout unknown", HFILL}},
    };
    static gint *ett[] = {
        &ett_apdisc,
    };
    static ei_register_info ei[] = {
        {&ei_low_confidence,
         {"apdisc.expert.low_confidence", PI_ASSUMPTION, PI_NOTE,
          "AirPort base-station probe (UDP 192): layout inferred from one real capture; meaning "
          "of the bytes unknown",
          EXPFILL}},
    };
    expert_module_t *expert;

    proto_apdisc =
        proto_register_protocol("AirPort base-station probe (UDP 192)", "apdisc", "apdisc");
    proto_register_field_array(proto_apdisc, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto_apdisc);
    expert_register_field_array(expert, ei, array_length(ei));

    apdisc_handle = register_dissector("apdisc", dissect_apdisc, proto_apdisc);
}

/* The port Apple's tables give the AirPort base-station probes (README.md). */
#define APDISC_UDP_PORTS "192"

void proto_reg_handoff_apdisc(void)
{
    /* With the registry plugin, its port sniffer owns UDP 192 and hands
     * matching payload over through its list; alone, this plugin decodes its
     * documented port itself. */
    al_join_sniffer_or_take_ports(dissect_apdisc_heur_sniffer,
                                  "AirPort base-station probe on the Apple ports", "apdisc_sniffer",
                                  proto_apdisc, apdisc_handle, NULL, APDISC_UDP_PORTS);
    /* Disabled by default: 4 bytes from one capture is too weak a signature
     * for UDP in general. Enable with --enable-heuristic apdisc_udp. */
    heur_dissector_add("udp", dissect_apdisc_heur, "AirPort base-station probe over UDP",
                       "apdisc_udp", proto_apdisc, HEURISTIC_DISABLE);
}
