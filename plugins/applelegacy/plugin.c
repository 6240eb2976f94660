/* plugin.c
 * Entry points the Wireshark plugin loader looks for.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define WS_BUILD_DLL
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/tap.h>
#include <ws_symbol_export.h>

#include "ws-compat.h"

#include "applelegacy.h"

#ifndef APPLELEGACY_VERSION
#define APPLELEGACY_VERSION "0.0.0"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = APPLELEGACY_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

static void register_taps(void)
{
    applelegacy_register_report();
    applelegacy_register_stats_tree();
}

void plugin_register(void)
{
    static proto_plugin plugin_applelegacy;
    static tap_plugin taps_applelegacy;

    plugin_applelegacy.register_protoinfo = proto_register_applelegacy;
    plugin_applelegacy.register_handoff = proto_reg_handoff_applelegacy;
    proto_register_plugin(&plugin_applelegacy);

    taps_applelegacy.register_tap_listener = register_taps;
    tap_register_plugin(&taps_applelegacy);
}
