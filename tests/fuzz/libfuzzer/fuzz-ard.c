/* fuzz-ard.c
 * libFuzzer target: Apple Remote Desktop / Net Assistant parsers
 * (plugins/ard/ard-parse.c), used the way packet-ard.c uses them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "ard-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ard_header_t hdr;
    bool overflow;
    ard_probe_t probe = ard_probe_kind(data, size);
    bool match = ard_match(data, size);

    if (probe != ARD_PROBE_NONE)
        FUZZ_CHECK(match && size <= 5);
    if (ard_is_arms_signature(data, size))
        FUZZ_CHECK(size >= 6);

    if (ard_parse_header(data, size, &hdr)) {
        size_t avail = size - ARD_HEADER_LEN;
        FUZZ_CHECK(size >= ARD_HEADER_LEN);
        FUZZ_CHECK(hdr.data_len <= hdr.length && hdr.data_len <= avail);
        FUZZ_CHECK(hdr.data_len + hdr.trailer_len == avail);
        FUZZ_CHECK(hdr.length_ok == (hdr.length == avail));
        if (ard_code_direction(hdr.code) != ARD_DIR_UNKNOWN)
            FUZZ_CHECK(ard_code_is_known(hdr.code));
        if (match && probe == ARD_PROBE_NONE) {
            FUZZ_CHECK(hdr.length_ok && ard_code_is_known(hdr.code));
            FUZZ_CHECK(hdr.data_len >= ard_min_data_len(hdr.code));
        }
        /* The ANSWER_GET_INFO fields the dissector shows. */
        const ard_info_field_t *missing = ard_info_first_missing(size);
        if (missing)
            FUZZ_CHECK(missing->offset + missing->len > size);
        else
            FUZZ_CHECK(size >= ARD_INFO_LAYOUT_LEN);
        for (size_t i = 0; i < ard_info_field_count; i++) {
            const ard_info_field_t *f = &ard_info_fields[i];
            if (!fuzz_span_in(f->offset, f->len, size))
                break;
            size_t n = ard_pstring_len(data[f->offset], f->len, &overflow);
            FUZZ_CHECK(n + 1 <= f->len);
            FUZZ_CHECK(overflow == (data[f->offset] > f->len - 1));
        }
        if (size >= ARD_INFO_OFF_NAME_UTF16 + 2) {
            uint16_t count = (uint16_t)fuzz_be(data, size, ARD_INFO_OFF_NAME_UTF16, 2);
            size_t n = ard_utf16_name_len(count, &overflow);
            FUZZ_CHECK(n <= ARD_INFO_LEN_NAME_UTF16 && n % 2 == 0);
            FUZZ_CHECK(overflow == ((size_t)count * 2 > ARD_INFO_LEN_NAME_UTF16));
        }
        /* SEND_CMD: the command string inside the data. */
        if (hdr.code == ARD_CODE_SEND_CMD && hdr.data_len > ARD_SEND_CMD_FIXED_LEN) {
            size_t field = hdr.data_len - ARD_SEND_CMD_FIXED_LEN;
            size_t n = ard_pstring_len(data[ARD_HEADER_LEN + ARD_SEND_CMD_FIXED_LEN], field, NULL);
            FUZZ_CHECK(ARD_HEADER_LEN + ARD_SEND_CMD_FIXED_LEN + 1 + n <= size);
        }
    } else {
        FUZZ_CHECK(size < ARD_HEADER_LEN);
    }
    FUZZ_CHECK(ard_pstring_len(size ? data[0] : 0, 0, NULL) == 0);

    /* Amplification arithmetic on counters taken from the input. */
    uint64_t req = fuzz_be(data, size, 0, 8);
    uint64_t resp = fuzz_be(data, size, 8, 8);
    unsigned threshold = (unsigned)fuzz_be(data, size, 16, 4);
    ard_amp_t amp = ard_amp_check(req, resp, threshold);
    if (resp == 0)
        FUZZ_CHECK(amp == ARD_AMP_NONE);
    else if (req == 0)
        FUZZ_CHECK(amp == ARD_AMP_UNSOLICITED);
    else if (amp == ARD_AMP_RATIO)
        FUZZ_CHECK(threshold > 0 && resp / req >= threshold);
    double ratio = ard_amp_ratio(req, resp);
    FUZZ_CHECK(ratio >= 0.0);
    return 0;
}
