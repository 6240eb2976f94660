/* fuzz-dsproxy.c
 * libFuzzer target: DSProxy framing and key-negotiation state
 * (plugins/dsproxy/dsproxy-parse.c), walking the input as a stream of
 * messages the way packet-dsproxy.c does. The first input byte picks the
 * direction of each message (one bit per message).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "dsproxy-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dsproxy_header_t h;
    dsproxy_session_t session = {{0, 0}, {0, 0}};
    uint8_t dirs = size ? data[0] : 0;

    bool match = dsproxy_match(data, size);
    if (dsproxy_match_auth(data, size))
        FUZZ_CHECK(match);
    if (match) {
        FUZZ_CHECK(dsproxy_parse_header(data, size, &h) == DSPX_HEADER_OK);
        FUZZ_CHECK(h.length >= DSPX_MIN_MATCH_LENGTH);
    }

    size_t pos = 0;
    for (unsigned i = 0; pos < size; i++) {
        const uint8_t *p = data + pos;
        size_t rest = size - pos;
        size_t pad = dsproxy_padding(p, rest);
        FUZZ_CHECK(pad <= rest);
        for (size_t j = 0; j < pad; j++)
            FUZZ_CHECK(p[j] == 0);
        FUZZ_CHECK(pad == rest || p[pad] != 0);

        dsproxy_header_status_t st = dsproxy_parse_header(p, rest, &h);
        FUZZ_CHECK(h.padding == pad);
        if (st == DSPX_HEADER_SHORT) {
            FUZZ_CHECK(rest - pad < DSPX_HEADER_SIZE);
            break;
        }
        if (st != DSPX_HEADER_OK) {
            FUZZ_CHECK(st == DSPX_HEADER_BAD_TAG || st == DSPX_HEADER_BAD_LENGTH);
            if (st == DSPX_HEADER_BAD_LENGTH)
                FUZZ_CHECK(h.length > DSPX_MAX_LENGTH);
            break;
        }
        FUZZ_CHECK(h.length <= DSPX_MAX_LENGTH && pad + DSPX_HEADER_SIZE <= rest);
        size_t msg = dsproxy_message_size(&h);
        FUZZ_CHECK(msg == pad + DSPX_HEADER_SIZE + h.length);
        size_t body = pad + DSPX_HEADER_SIZE;
        size_t avail = rest - body < h.length ? rest - body : h.length;
        bool auth = dsproxy_payload_has_auth_tag(p + body, avail);
        dsproxy_stage_t stage = dsproxy_session_next(&session, (dirs >> (i % 8)) & 1u, auth);
        FUZZ_CHECK(stage >= DSPX_STAGE_CLIENT_PUBLIC && stage <= DSPX_STAGE_ENCRYPTED);
        if (msg > rest)
            break;
        pos += msg;
    }
    for (int d = 0; d < 2; d++)
        FUZZ_CHECK(session.role[d] <= DSPX_ROLE_MIDSTREAM);
    return 0;
}
