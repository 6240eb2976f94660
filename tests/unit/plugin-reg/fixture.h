/* fixture.h
 * Fixture of tests/unit/test_make_plugin_reg.py: what helpers.c gives the
 * protocols.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <epan/packet.h>

/* Defined in helpers.c, a source of the plugin without any registration. */
int fixture_length(tvbuff_t *tvb);

#endif /* FIXTURE_H */
