/* fuzz-netinfo.c
 * libFuzzer target: NetInfo's ONC RPC call checks (plugins/netinfo/
 * netinfo-parse.c), on the input as a datagram and as a TCP stream start.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "netinfo-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    netinfo_call_t call;
    bool udp = netinfo_match_udp(data, size);
    bool tcp = netinfo_match_tcp(data, size);

    FUZZ_CHECK(netinfo_match(data, size) == (udp || tcp));
    if (netinfo_parse_call(data, size, &call)) {
        FUZZ_CHECK(size >= NETINFO_CALL_HEADER_LEN);
        FUZZ_CHECK(call.xid == (uint32_t)fuzz_be(data, size, 0, 4));
        FUZZ_CHECK(call.program == (uint32_t)fuzz_be(data, size, 12, 4));
        (void)netinfo_is_program(call.program);
    }
    if (udp) {
        FUZZ_CHECK(size >= NETINFO_MIN_CALL_LEN);
        FUZZ_CHECK(netinfo_parse_call(data, size, &call));
        FUZZ_CHECK(netinfo_is_program(call.program));
    }
    if (tcp) {
        FUZZ_CHECK(size >= NETINFO_RECORD_MARK_LEN + NETINFO_CALL_HEADER_LEN);
        FUZZ_CHECK(netinfo_parse_call(data + NETINFO_RECORD_MARK_LEN,
                                      size - NETINFO_RECORD_MARK_LEN, &call));
        FUZZ_CHECK(netinfo_is_program(call.program));
    }
    return 0;
}
