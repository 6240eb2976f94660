/* stats-tree.c
 * tshark -z applelegacy,tree, and Statistics > Apple Legacy Ports in
 * Wireshark: packets by IANA registration, then lifecycle, then service.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/stats_tree.h>

#include "ws-compat.h"

#include "applelegacy.h"

static int st_node_root = -1;
static const char st_root_name[] = "Apple legacy port packets by registration";

static void tree_init(stats_tree *st)
{
    st_node_root = stats_tree_create_node(st, st_root_name, 0, STAT_DT_INT, TRUE);
}

static tap_packet_status tree_packet(stats_tree *st, packet_info *pinfo _U_,
                                     epan_dissect_t *edt _U_, const void *data,
                                     tap_flags_t flags _U_)
{
    const al_tap_info_t *info = (const al_tap_info_t *)data;

    tick_stat_node(st, st_root_name, 0, FALSE);
    for (unsigned i = 0; i < info->group->count; i++) {
        const al_row_t *row = info->group->rows[i];
        int reg = tick_stat_node(st, al_registration_names[row->registration], st_node_root, TRUE);
        int lc = tick_stat_node(st, al_lifecycle_names[row->lifecycle], reg, TRUE);
        tick_stat_node(st, row->service, lc, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

void applelegacy_register_stats_tree(void)
{
    stats_tree_register_plugin(AL_TAP_NAME, "applelegacy",
                               "Apple Legacy Ports" AL_STATS_TREE_MENU_SEPARATOR
                               "By registration, lifecycle and service",
                               0, tree_packet, tree_init, NULL);
}

void register_tap_listener_applelegacy(void)
{
    applelegacy_register_report();
    applelegacy_register_stats_tree();
}
