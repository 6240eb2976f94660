/* netinfo-parse.c
 * Recognising ONC RPC calls to NetInfo; see netinfo-parse.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "netinfo-parse.h"

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

bool netinfo_is_program(uint32_t program)
{
    return program == NETINFO_PROGRAM || program == NETINFOBIND_PROGRAM;
}

bool netinfo_parse_call(const uint8_t *data, size_t len, netinfo_call_t *call)
{
    if (data == NULL || len < NETINFO_CALL_HEADER_LEN)
        return false;
    if (get_be32(data + 4) != NETINFO_RPC_CALL || get_be32(data + 8) != NETINFO_RPC_VERSION)
        return false;
    call->xid = get_be32(data);
    call->program = get_be32(data + 12);
    call->version = get_be32(data + 16);
    call->procedure = get_be32(data + 20);
    return true;
}

static bool is_netinfo_call(const uint8_t *data, size_t len)
{
    netinfo_call_t call;

    return netinfo_parse_call(data, len, &call) && netinfo_is_program(call.program);
}

bool netinfo_match_udp(const uint8_t *data, size_t len)
{
    return len >= NETINFO_MIN_CALL_LEN && is_netinfo_call(data, len);
}

bool netinfo_match_tcp(const uint8_t *data, size_t len)
{
    if (data == NULL || len < NETINFO_RECORD_MARK_LEN + NETINFO_CALL_HEADER_LEN)
        return false;
    if ((get_be32(data) & NETINFO_RECORD_LEN_MASK) < NETINFO_MIN_CALL_LEN)
        return false;
    return is_netinfo_call(data + NETINFO_RECORD_MARK_LEN, len - NETINFO_RECORD_MARK_LEN);
}

bool netinfo_match(const uint8_t *data, size_t len)
{
    return netinfo_match_udp(data, len) || netinfo_match_tcp(data, len);
}
