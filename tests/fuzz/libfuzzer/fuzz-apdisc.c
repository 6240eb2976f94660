/* fuzz-apdisc.c
 * libFuzzer target: the AirPort probe check (plugins/apdisc/apdisc-parse.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "apdisc-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool m = apdisc_match(data, size);

    if (m) {
        FUZZ_CHECK(size == APDISC_PROBE_LEN);
        FUZZ_CHECK(apdisc_is_known_byte0(data[0]));
    }
    if (size > 0)
        (void)apdisc_is_known_byte0(data[0]);
    return 0;
}
