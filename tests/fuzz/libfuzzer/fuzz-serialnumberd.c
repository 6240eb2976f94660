/* fuzz-serialnumberd.c
 * libFuzzer target: serialnumberd datagram parsing (plugins/serialnumberd/
 * serialnumberd-parse.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "serialnumberd-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sn_message_t msg;
    sn_type_t type = serialnumberd_type(data, size);

    FUZZ_CHECK(serialnumberd_match(data, size) == (type != SN_TYPE_NONE));
    if (serialnumberd_is_truncated_type(data, size))
        FUZZ_CHECK(size > 0 && size < SN_MAGIC_LEN && type == SN_TYPE_NONE);
    FUZZ_CHECK(serialnumberd_expected_fields(type) <= SN_MAX_FIELDS);

    bool ok = serialnumberd_parse(data, size, &msg);
    FUZZ_CHECK(ok == (type != SN_TYPE_NONE));
    if (!ok)
        return 0;
    FUZZ_CHECK(msg.type == type);
    FUZZ_CHECK(SN_MAGIC_LEN <= msg.body_offset && msg.body_offset <= msg.body_end);
    FUZZ_CHECK(msg.body_end <= size);
    FUZZ_CHECK(msg.has_nul == (msg.body_end < size));
    if (msg.has_nul)
        FUZZ_CHECK(data[msg.body_end] == '\0');
    FUZZ_CHECK(memchr(data + msg.body_offset, '\0', msg.body_end - msg.body_offset) == NULL);
    FUZZ_CHECK(msg.field_count >= 1);
    size_t stored = msg.field_count < SN_MAX_FIELDS ? msg.field_count : SN_MAX_FIELDS;
    size_t prev_end = msg.body_offset;
    for (size_t i = 0; i < stored; i++) {
        sn_span_t f = msg.fields[i];
        FUZZ_CHECK(f.offset >= prev_end && f.offset + f.length <= msg.body_end);
        FUZZ_CHECK(memchr(data + f.offset, ':', f.length) == NULL);
        if (f.offset + f.length < msg.body_end)
            FUZZ_CHECK(data[f.offset + f.length] == ':');
        prev_end = f.offset + f.length;
        for (size_t digits = 8; digits <= 40; digits += 32) {
            if (serialnumberd_is_hex_value(data + f.offset, f.length, digits))
                FUZZ_CHECK(f.length == digits + 2 && data[f.offset] == '0');
        }
    }
    return 0;
}
