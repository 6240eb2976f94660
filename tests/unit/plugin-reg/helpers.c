/* helpers.c
 * Fixture of tests/unit/test_make_plugin_reg.py: a source of the plugin that
 * registers nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>

#include "fixture.h"

int fixture_length(tvbuff_t *tvb)
{
    return (int)tvb_captured_length(tvb);
}
