/* sniff.h
 * Port-to-protocol heuristics for the Apple legacy ports: which protocol do
 * the first payload bytes of a conversation look like?
 *
 * Plain C over (const uint8_t *, size_t), no libwireshark: unit-tested and
 * fuzzed as is. The Apple protocols' checks come from their own plugins'
 * NAME_match() functions (plugins/NAME/NAME-parse.c) when those plugins are
 * built; the generic ones (TLS, HTTP, SSH, ...) are here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_SNIFF_H
#define APPLELEGACY_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port-row.h"

typedef struct {
    const char *name;      /* display-filter name of the protocol ("ssh") */
    const char *dissector; /* Wireshark dissector to hand the payload to */
    bool (*match)(const uint8_t *data, size_t len);
    uint8_t transports; /* bit (1 << al_transport_t) per transport it runs on */
} al_signature_t;

/* The first signature that matches, or NULL ("unknown"). Apple protocols are
 * tried first (strong magic), then the generic ones. */
const al_signature_t *al_sniff(const uint8_t *data, size_t len, al_transport_t transport);

/* All signatures, for tests and documentation. */
const al_signature_t *al_signatures(size_t *count);

/* The generic checks, exposed for the unit tests. */
bool al_match_tls(const uint8_t *d, size_t len);
bool al_match_http(const uint8_t *d, size_t len);
bool al_match_ssh(const uint8_t *d, size_t len);
bool al_match_vnc(const uint8_t *d, size_t len);
bool al_match_xmpp(const uint8_t *d, size_t len);
bool al_match_beep(const uint8_t *d, size_t len);
bool al_match_rpc_udp(const uint8_t *d, size_t len);
bool al_match_rpc_tcp(const uint8_t *d, size_t len);
bool al_match_smb(const uint8_t *d, size_t len);
bool al_match_socks(const uint8_t *d, size_t len);

#endif /* APPLELEGACY_SNIFF_H */
