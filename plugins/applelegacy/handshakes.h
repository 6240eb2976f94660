/* handshakes.h
 * The TCP handshakes whose verdict differs from the port rule.
 *
 * Without a handshake the port rule decides which side of a conversation is
 * the service (classify.h); a SYN or SYN/ACK in the frame decides it for
 * certain. Most handshakes agree with the rule. The few that do not (a SYN
 * to 49200, a port of the Xsan range the rule never takes for a service;
 * a client that happens to use a registry port as its own) are kept here,
 * keyed by the address/port pair, so that the conversation's later frames,
 * which carry no SYN, are decided as their handshake was, without a
 * conversation lookup on every frame. First pass only: later passes read the
 * verdict each frame kept (packet-applelegacy.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_HANDSHAKES_H
#define APPLELEGACY_HANDSHAKES_H

#include <epan/address.h>

#include <stdint.h>

/* Makes the table (file scope: emptied with each capture). Call once, at
 * registration. */
void al_handshakes_register(void);

/* The server port a handshake of the pair set, 0 when none is kept. */
uint16_t al_handshake_server_port(const address *src, const address *dst, uint16_t sport,
                                  uint16_t dport);

/* Keeps server_port for the pair; 0 forgets what was kept (a new handshake
 * that agrees with the port rule). */
void al_handshake_set(const address *src, const address *dst, uint16_t sport, uint16_t dport,
                      uint16_t server_port);

#endif /* APPLELEGACY_HANDSHAKES_H */
