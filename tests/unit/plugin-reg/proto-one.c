/* proto-one.c
 * Fixture of tests/unit/test_make_plugin_reg.py: the first of two protocols
 * in one plugin, with a handoff that gives it UDP port 65001.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>

#include "fixture.h"

void proto_register_fixtureone(void);
void proto_reg_handoff_fixtureone(void);

static int proto_fixtureone = -1;

static int dissect_fixtureone(tvbuff_t *tvb, packet_info *pinfo _U_, proto_tree *tree _U_,
                              void *data _U_)
{
    return fixture_length(tvb);
}

void proto_register_fixtureone(void)
{
    proto_fixtureone =
        proto_register_protocol("Registration fixture one", "FIXTUREONE", "fixtureone");
}

void proto_reg_handoff_fixtureone(void)
{
    dissector_add_uint("udp.port", 65001,
                       create_dissector_handle(dissect_fixtureone, proto_fixtureone));
}
