/* fuzz-sniff.c
 * libFuzzer target: the port sniffer's signatures (plugins/applelegacy/
 * signatures.c), every generic check, called on the input as a TCP and as a
 * UDP payload (the Apple checks have fuzz targets of their own).
 *
 * Checks: al_sniff() returns the first signature of the transport that
 * matches, and NULL only when none does; every match function gives the same
 * answer twice (no hidden state).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "signatures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t count = 0;
    const al_signature_t *sigs = al_signatures(&count);

    FUZZ_CHECK(sigs != NULL && count > 0);
    for (int t = 0; t < AL_TRANSPORT_COUNT; t++) {
        const al_signature_t *first = NULL;
        for (size_t i = 0; i < count; i++) {
            bool m = sigs[i].match(data, size);
            FUZZ_CHECK(m == sigs[i].match(data, size));
            if (m && !first && (sigs[i].transports & (1u << t)))
                first = &sigs[i];
        }
        FUZZ_CHECK(al_sniff(data, size, (al_transport_t)t) == first);
    }
    return 0;
}
