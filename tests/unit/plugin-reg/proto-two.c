/* proto-two.c
 * Fixture of tests/unit/test_make_plugin_reg.py: the second protocol of the
 * plugin, without a handoff, and a tap listener (a stats tree, listed by
 * tshark -z help as fixturetwo,tree).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/stats_tree.h>

#include "fixture.h"

void proto_register_fixturetwo(void);
void register_tap_listener_fixturetwo(void);

static int proto_fixturetwo = -1;

static void tree_init(stats_tree *st)
{
    stats_tree_create_node(st, "Frames", 0, STAT_DT_INT, FALSE);
}

static tap_packet_status tree_packet(stats_tree *st, packet_info *pinfo _U_,
                                     epan_dissect_t *edt _U_, const void *data _U_,
                                     tap_flags_t flags _U_)
{
    tick_stat_node(st, "Frames", 0, FALSE);
    return TAP_PACKET_REDRAW;
}

void proto_register_fixturetwo(void)
{
    proto_fixturetwo =
        proto_register_protocol("Registration fixture two", "FIXTURETWO", "fixturetwo");
    (void)proto_fixturetwo;
}

void register_tap_listener_fixturetwo(void)
{
    stats_tree_register_plugin("frame", "fixturetwo", "Registration fixture two", 0, tree_packet,
                               tree_init, NULL);
}
