/* ard-parse.c
 * Byte-level checks and parsers for Apple Remote Desktop / Net Assistant on
 * UDP 3283. Pure C99: see ard-parse.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ard-parse.h"

#include <string.h>

const ard_info_field_t ard_info_fields[] = {
    {"unknown 0x04", ARD_INFO_OFF_UNKNOWN_0X04, 2},
    {"status", ARD_INFO_OFF_STATUS, 2},
    {"focused application", ARD_INFO_OFF_FOCUSED_APP, ARD_INFO_LEN_FOCUSED_APP},
    {"user", ARD_INFO_OFF_USER, ARD_INFO_LEN_USER},
    {"computer name", ARD_INFO_OFF_NAME, ARD_INFO_LEN_NAME},
    {"IPv4 address", ARD_INFO_OFF_IPV4, 4},
    {"MAC address", ARD_INFO_OFF_MAC, 6},
    {"UTF-16 computer name", ARD_INFO_OFF_NAME_UTF16, 2 + ARD_INFO_LEN_NAME_UTF16},
};
const size_t ard_info_field_count = sizeof(ard_info_fields) / sizeof(ard_info_fields[0]);

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

bool ard_code_is_known(uint16_t code)
{
    switch (code) {
    case ARD_CODE_ACK:
    case ARD_CODE_ANSWER_GET_INFO:
    case ARD_CODE_GET_INFO:
    case ARD_CODE_SHUTDOWN:
    case ARD_CODE_CMD_RESULTS:
    case ARD_CODE_SEND_CMD:
    case ARD_CODE_CMD_RESULTS_2:
    case ARD_CODE_CANCEL_CMD:
    case ARD_CODE_PING_REPLY:
    case ARD_CODE_PING:
    case ARD_CODE_ADD_COMPUTER_2:
    case ARD_CODE_ADD_COMPUTER_1:
        return true;
    default:
        return false;
    }
}

ard_dir_t ard_code_direction(uint16_t code)
{
    switch (code) {
    case ARD_CODE_ANSWER_GET_INFO:
    case ARD_CODE_CMD_RESULTS:
    case ARD_CODE_CMD_RESULTS_2:
    case ARD_CODE_PING_REPLY:
        return ARD_DIR_RESPONSE;
    case ARD_CODE_GET_INFO:
    case ARD_CODE_SHUTDOWN:
    case ARD_CODE_SEND_CMD:
    case ARD_CODE_CANCEL_CMD:
    case ARD_CODE_PING:
    case ARD_CODE_ADD_COMPUTER_2:
    case ARD_CODE_ADD_COMPUTER_1:
        return ARD_DIR_REQUEST;
    default:
        return ARD_DIR_UNKNOWN;
    }
}

bool ard_parse_header(const uint8_t *data, size_t len, ard_header_t *hdr)
{
    if (!data || len < ARD_HEADER_LEN)
        return false;
    size_t avail = len - ARD_HEADER_LEN;
    hdr->code = get_u16(data);
    hdr->length = get_u16(data + 2);
    hdr->length_ok = hdr->length == avail;
    hdr->data_len = hdr->length < avail ? hdr->length : avail;
    hdr->trailer_len = avail - hdr->data_len;
    return true;
}

ard_probe_t ard_probe_kind(const uint8_t *data, size_t len)
{
    static const uint8_t nmap[] = {0x00, 0x14, 0x00, 0x01, 0x03};
    static const uint8_t amp[] = {0x00, 0x14, 0x00, 0x00};
    static const uint8_t scan[] = {0x00, 0x00};

    if (!data)
        return ARD_PROBE_NONE;
    if (len == sizeof(nmap) && memcmp(data, nmap, len) == 0)
        return ARD_PROBE_NMAP;
    if (len == sizeof(amp) && memcmp(data, amp, len) == 0)
        return ARD_PROBE_AMP_RESEARCH;
    if (len == sizeof(scan) && memcmp(data, scan, len) == 0)
        return ARD_PROBE_ARMS_SCAN;
    return ARD_PROBE_NONE;
}

bool ard_is_arms_signature(const uint8_t *data, size_t len)
{
    static const uint8_t sig[] = {0x00, 0x01, 0x03, 0xea, 0x00, 0x31};
    return data && len >= sizeof(sig) && memcmp(data, sig, sizeof(sig)) == 0;
}

size_t ard_min_data_len(uint16_t code)
{
    switch (code) {
    case ARD_CODE_ACK:
        return 2;
    case ARD_CODE_SHUTDOWN:
        return 4;
    case ARD_CODE_SEND_CMD:
        return ARD_SEND_CMD_FIXED_LEN + 1;
    default:
        return 0;
    }
}

/* The documented structure of a known code's data, checked strictly: data
 * points after the header and holds exactly n bytes. */
static bool data_fits_code(uint16_t code, const uint8_t *data, size_t n)
{
    if (n < ard_min_data_len(code))
        return false;
    switch (code) {
    case ARD_CODE_ACK: {
        uint16_t acked = get_u16(data);
        return acked != ARD_CODE_ACK && ard_code_is_known(acked);
    }
    case ARD_CODE_GET_INFO:
        return n <= 1;
    case ARD_CODE_ANSWER_GET_INFO:
        /* 00 31 in every observed reply, 00 30 from ardclient. */
        return n >= 2 && data[0] == 0x00 && (data[1] == 0x31 || data[1] == 0x30);
    case ARD_CODE_SHUTDOWN: {
        uint32_t action = get_u32(data);
        return action >= 1 && action <= 4;
    }
    case ARD_CODE_SEND_CMD:
        return (size_t)ARD_SEND_CMD_FIXED_LEN + 1 + data[ARD_SEND_CMD_FIXED_LEN] <= n;
    default:
        return true;
    }
}

bool ard_match(const uint8_t *data, size_t len)
{
    ard_header_t hdr;

    if (ard_probe_kind(data, len) != ARD_PROBE_NONE)
        return true;
    if (!ard_parse_header(data, len, &hdr) || !hdr.length_ok)
        return false;
    if (!ard_code_is_known(hdr.code))
        return false;
    return data_fits_code(hdr.code, data + ARD_HEADER_LEN, hdr.data_len);
}

size_t ard_pstring_len(uint8_t len_byte, size_t field_len, bool *overflow)
{
    size_t room = field_len ? field_len - 1 : 0;
    bool over = len_byte > room;
    if (overflow)
        *overflow = over;
    return over ? room : len_byte;
}

size_t ard_utf16_name_len(uint16_t count, bool *overflow)
{
    size_t bytes = (size_t)count * 2;
    bool over = bytes > ARD_INFO_LEN_NAME_UTF16;
    if (overflow)
        *overflow = over;
    return over ? ARD_INFO_LEN_NAME_UTF16 : bytes;
}

const ard_info_field_t *ard_info_first_missing(size_t payload_len)
{
    for (size_t i = 0; i < ard_info_field_count; i++) {
        if (ard_info_fields[i].offset + ard_info_fields[i].len > payload_len)
            return &ard_info_fields[i];
    }
    return NULL;
}

ard_amp_t ard_amp_check(uint64_t request_bytes, uint64_t response_bytes, unsigned threshold)
{
    if (response_bytes == 0)
        return ARD_AMP_NONE;
    if (request_bytes == 0)
        return ARD_AMP_UNSOLICITED;
    if (threshold == 0)
        return ARD_AMP_NONE;
    /* response / request >= threshold, in integers (no overflow: both sides
     * are byte counts well below 2^58 and threshold below 2^32). */
    if (request_bytes > UINT64_MAX / threshold)
        return ARD_AMP_NONE;
    return response_bytes >= request_bytes * threshold ? ARD_AMP_RATIO : ARD_AMP_NONE;
}

double ard_amp_ratio(uint64_t request_bytes, uint64_t response_bytes)
{
    if (request_bytes == 0)
        return 0.0;
    return (double)response_bytes / (double)request_bytes;
}
