/* signatures.h
 * Which generic protocol (TLS, HTTP, SSH, ...) do the first payload bytes of
 * a conversation on an Apple port look like? The Apple protocols are not
 * here: their plugins join the sniffer's heuristic list (applelegacy-api.h).
 *
 * Plain C over (const uint8_t *, size_t), no libwireshark: unit-tested and
 * fuzzed as is.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_SIGNATURES_H
#define APPLELEGACY_SIGNATURES_H

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

/* The first signature that matches, or NULL ("unknown"). */
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

#endif /* APPLELEGACY_SIGNATURES_H */
