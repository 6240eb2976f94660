/* handshakes.c
 * The TCP handshakes whose verdict differs from the port rule. See
 * handshakes.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>

#include "handshakes.h"
#include "port-set.h"

typedef struct {
    address a; /* the pair in a direction-free order: (a, port_a) <= (b, port_b) */
    address b;
    uint16_t port_a;
    uint16_t port_b;
    uint16_t server_port;
} handshake_t;

static wmem_map_t *handshakes; /* handshake_t, keyed by itself */
/* The ports a kept handshake names as the server, one bit each: a frame on
 * neither of them needs no lookup (nearly every frame, since handshakes that
 * overrule the port rule are few). Set for the capture, never cleared. */
static al_port_set_t server_ports;

static void handshakes_init(void)
{
    al_port_set_clear(&server_ports);
}

static guint handshake_hash(gconstpointer key)
{
    const handshake_t *h = (const handshake_t *)key;
    guint hash = add_address_to_hash(add_address_to_hash(0, &h->a), &h->b);
    return hash ^ ((guint)h->port_a << 16 | h->port_b);
}

static gboolean handshake_equal(gconstpointer x, gconstpointer y)
{
    const handshake_t *p = (const handshake_t *)x, *q = (const handshake_t *)y;
    return p->port_a == q->port_a && p->port_b == q->port_b && addresses_equal(&p->a, &q->a) &&
           addresses_equal(&p->b, &q->b);
}

/* The pair as a lookup key, pointing at the caller's addresses. */
static void make_key(handshake_t *key, const address *src, const address *dst, uint16_t sport,
                     uint16_t dport)
{
    int order = cmp_address(src, dst);
    bool src_first = order < 0 || (order == 0 && sport <= dport);
    copy_address_shallow(&key->a, src_first ? src : dst);
    copy_address_shallow(&key->b, src_first ? dst : src);
    key->port_a = src_first ? sport : dport;
    key->port_b = src_first ? dport : sport;
}

void al_handshakes_register(void)
{
    handshakes = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), handshake_hash,
                                        handshake_equal);
    register_init_routine(handshakes_init);
}

uint16_t al_handshake_server_port(const address *src, const address *dst, uint16_t sport,
                                  uint16_t dport)
{
    if (!al_port_set_has(&server_ports, sport) && !al_port_set_has(&server_ports, dport))
        return 0;
    handshake_t key;
    make_key(&key, src, dst, sport, dport);
    const handshake_t *h = (const handshake_t *)wmem_map_lookup(handshakes, &key);
    return h ? h->server_port : 0;
}

void al_handshake_set(const address *src, const address *dst, uint16_t sport, uint16_t dport,
                      uint16_t server_port)
{
    if (server_port)
        al_port_set_add(&server_ports, server_port);
    else if (!al_port_set_has(&server_ports, sport) && !al_port_set_has(&server_ports, dport))
        return; /* nothing kept for the pair */
    handshake_t key;
    make_key(&key, src, dst, sport, dport);
    handshake_t *h = (handshake_t *)wmem_map_lookup(handshakes, &key);
    if (h) {
        h->server_port = server_port; /* 0: the rule holds again */
        return;
    }
    if (!server_port)
        return;
    h = wmem_new(wmem_file_scope(), handshake_t);
    copy_address_wmem(wmem_file_scope(), &h->a, &key.a);
    copy_address_wmem(wmem_file_scope(), &h->b, &key.b);
    h->port_a = key.port_a;
    h->port_b = key.port_b;
    h->server_port = server_port;
    wmem_map_insert(handshakes, h, h);
}
