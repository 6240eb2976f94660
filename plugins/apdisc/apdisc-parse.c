/* apdisc-parse.c
 * The AirPort base-station probes seen on UDP 192; see apdisc-parse.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "apdisc-parse.h"

#include <string.h>

/* Bytes 1-3 of both probes in the capture. */
static const uint8_t apdisc_tail[APDISC_PROBE_LEN - 1] = {0x01, 0x03, 0x10};

bool apdisc_is_known_byte0(uint8_t byte0)
{
    return byte0 == 0x08 || byte0 == 0x10;
}

bool apdisc_match(const uint8_t *data, size_t len)
{
    if (data == NULL || len != APDISC_PROBE_LEN)
        return false;
    return apdisc_is_known_byte0(data[0]) &&
           memcmp(data + 1, apdisc_tail, sizeof(apdisc_tail)) == 0;
}
