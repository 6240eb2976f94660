/* apdisc-parse.h
 * The AirPort base-station probes seen on UDP 192, without libwireshark:
 * shared by the dissector, the registry plugin's port sniffer and the unit
 * tests.
 *
 * Evidence (apple-protocols.md section 6b): ONE real capture, in which a Mac
 * sends 4-byte datagrams "08 01 03 10" and "10 01 03 10" to its gateway's
 * UDP 192 and gets no reply. What the bytes mean is unknown.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APDISC_PARSE_H
#define APDISC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APDISC_PROBE_LEN 4

/* True when byte 0 has a value seen in the real capture (0x08 or 0x10). */
bool apdisc_is_known_byte0(uint8_t byte0);

/* True only for exactly 4 bytes "?? 01 03 10" with ?? in {0x08, 0x10}. */
bool apdisc_match(const uint8_t *data, size_t len);

#endif /* APDISC_PARSE_H */
