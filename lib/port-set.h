/* port-set.h
 * A set of TCP or UDP port numbers, one bit a port (8 KiB): a test is one
 * load, for what the per-frame path asks of both ports of nearly every frame.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_PORT_SET_H
#define APPLELEGACY_PORT_SET_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint8_t bits[65536 / 8];
} al_port_set_t;

static inline void al_port_set_clear(al_port_set_t *set)
{
    memset(set->bits, 0, sizeof(set->bits));
}

static inline void al_port_set_add(al_port_set_t *set, uint16_t port)
{
    set->bits[port >> 3] |= (uint8_t)(1u << (port & 7));
}

static inline bool al_port_set_has(const al_port_set_t *set, uint16_t port)
{
    return set->bits[port >> 3] & (1u << (port & 7));
}

#endif /* APPLELEGACY_PORT_SET_H */
