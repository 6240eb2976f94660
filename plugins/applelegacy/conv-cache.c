/* conv-cache.c
 * A direct-mapped cache in front of find_or_create_conversation(). See
 * conv-cache.h.
 *
 * An entry maps a TCP or UDP address/port pair (either direction) to the
 * exact conversation libwireshark last returned for it, and answers only
 * where libwireshark could not answer differently:
 *  - in the first pass (Wireshark's later passes revisit frames in any
 *    order, and take the long way);
 *  - on a frame that cannot have started a new conversation. TCP starts one
 *    for a known pair on a SYN (the pair reused); libwireshark then returns
 *    the newer conversation of the pair's two directions, and a reused pair
 *    may have its roles swapped, so the entry's own chain alone cannot tell.
 *    A postdissector does not see TCP's flags: it looks at the frame where
 *    the IPv4 and TCP headers lie plainly in it (no tunnel that copies, no
 *    reassembly); no SYN flag, the cache answers, anything else (IPv6
 *    included) takes the long way and refreshes the entry. A dissector
 *    under TCP passes has_payload: a segment with a payload is no SYN (TCP
 *    Fast Open aside: its entry is refreshed on the next frame). UDP starts
 *    no second conversation for a known pair;
 *  - and while no later conversation on the entry's own chain was set up at
 *    or before the frame.
 *
 * Only exact conversations (no wildcard) of IPv4 and IPv6 pairs are kept;
 * packets whose conversation some dissector identifies otherwise
 * (conversation elements or address/port endpoints in pinfo) always take the
 * long way. libwireshark 4.0 to 4.6 never frees a conversation before the
 * end of the dissection session, and the cache is emptied at its start.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conv-cache.h"

#include <string.h>

#define CACHE_SLOTS 4096 /* a power of two */
#define ADDR_WORDS  4    /* an IPv6 address; IPv4 uses the first word */

/* An address/port pair in a direction-free order, (a, port_a) <= (b,
 * port_b), as 32-bit words (unused words zero) so that comparing and
 * hashing it takes no call. */
typedef struct {
    uint32_t a[ADDR_WORDS];
    uint32_t b[ADDR_WORDS];
    uint32_t ports; /* port_a << 16 | port_b */
    uint32_t kind;  /* words << 16 | ptype << 8 | address type */
} cache_key_t;

typedef struct {
    conversation_t *conv; /* NULL: empty */
    cache_key_t key;
} cache_slot_t;

static cache_slot_t *slots;

void al_conv_cache_reset(void)
{
    if (!slots)
        slots = g_new0(cache_slot_t, CACHE_SLOTS);
    else
        memset(slots, 0, sizeof(cache_slot_t) * CACHE_SLOTS);
}

void al_conv_cache_free(void)
{
    g_free(slots);
    slots = NULL;
}

/* Still the conversation libwireshark would find for frame num? */
static bool still_current(const conversation_t *conv, uint32_t num)
{
    if (conv->setup_frame > num)
        return false;
    for (const conversation_t *later = conv->next; later; later = later->next) {
        if (later->setup_frame <= num)
            return false;
    }
    return true;
}

static int compare_words(const uint32_t *x, const uint32_t *y, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

static bool make_key(const packet_info *pinfo, cache_key_t *key)
{
    const address *src = &pinfo->src, *dst = &pinfo->dst;
    if (pinfo->use_conv_addr_port_endpoints || pinfo->conv_elements)
        return false;
    if ((pinfo->ptype != PT_TCP && pinfo->ptype != PT_UDP) || src->type != dst->type)
        return false;
    unsigned words;
    if (src->type == AT_IPv4 && src->len == 4 && dst->len == 4)
        words = 1;
    else if (src->type == AT_IPv6 && src->len == 16 && dst->len == 16)
        words = 4;
    else
        return false;
    uint32_t s[ADDR_WORDS] = {0}, d[ADDR_WORDS] = {0};
    if (words == 1) { /* constant sizes: the copies are inlined */
        memcpy(s, src->data, 4);
        memcpy(d, dst->data, 4);
    } else {
        memcpy(s, src->data, 16);
        memcpy(d, dst->data, 16);
    }
    int order = compare_words(s, d, words);
    bool swap = order > 0 || (order == 0 && pinfo->srcport > pinfo->destport);
    memcpy(key->a, swap ? d : s, sizeof key->a);
    memcpy(key->b, swap ? s : d, sizeof key->b);
    uint32_t lo = swap ? pinfo->destport : pinfo->srcport;
    uint32_t hi = swap ? pinfo->srcport : pinfo->destport;
    key->ports = (lo & 0xffff) << 16 | (hi & 0xffff);
    key->kind = words << 16 | (uint32_t)pinfo->ptype << 8 | (uint32_t)src->type;
    return true;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
    h = (h ^ v) * 0x9E3779B1u;
    return h ^ (h >> 16);
}

static unsigned key_words(const cache_key_t *key)
{
    return key->kind >> 16;
}

static unsigned key_slot(const cache_key_t *key)
{
    uint32_t h = mix(key->kind, key->ports);
    for (unsigned i = 0; i < key_words(key); i++)
        h = mix(mix(h, key->a[i]), key->b[i]);
    return h & (CACHE_SLOTS - 1);
}

static bool keys_equal(const cache_key_t *x, const cache_key_t *y)
{
    unsigned n = key_words(x);
    return x->ports == y->ports && x->kind == y->kind && compare_words(x->a, y->a, n) == 0 &&
           compare_words(x->b, y->b, n) == 0;
}

/* True when the frame's TCP header is found where pinfo's addresses and
 * ports say, inside the frame's bytes, and its SYN flag is clear. IPv4 only:
 * the IPv6 dissector gives pinfo a copy of the addresses, so an IPv6 frame
 * without payload takes the long way. */
static bool frame_shows_no_syn(tvbuff_t *frame_tvb, const packet_info *pinfo)
{
    if (!frame_tvb || pinfo->ptype != PT_TCP || pinfo->src.type != AT_IPv4)
        return false;
    unsigned frame_len = tvb_captured_length(frame_tvb);
    const uint8_t *base = frame_len ? tvb_get_ptr(frame_tvb, 0, (int)frame_len) : NULL;
    /* Compared as integers: src may point anywhere (a tunnel's copy, a
     * reassembled buffer), not only into this frame. */
    uintptr_t from = (uintptr_t)base, src = (uintptr_t)pinfo->src.data;
    if (!base || src < from || src - from >= frame_len || src - from < 12)
        return false;
    size_t ip = (size_t)(src - from) - 12;
    if (ip + 20 > frame_len || (base[ip] >> 4) != 4 || base[ip + 9] != 6)
        return false;
    size_t tcp = ip + (size_t)(base[ip] & 0x0f) * 4;
    if (tcp + 14 > frame_len || ((unsigned)base[tcp] << 8 | base[tcp + 1]) != pinfo->srcport ||
        ((unsigned)base[tcp + 2] << 8 | base[tcp + 3]) != pinfo->destport)
        return false;
    return (base[tcp + 13] & 0x02) == 0;
}

conversation_t *al_conversation(packet_info *pinfo, tvbuff_t *frame_tvb, bool has_payload)
{
    cache_key_t key;
    if (!slots || PINFO_FD_VISITED(pinfo) || !make_key(pinfo, &key))
        return find_or_create_conversation(pinfo);

    cache_slot_t *s = &slots[key_slot(&key)];
    if (s->conv && keys_equal(&s->key, &key) && still_current(s->conv, pinfo->num) &&
        (pinfo->ptype == PT_UDP || has_payload || frame_shows_no_syn(frame_tvb, pinfo)))
        return s->conv;

    conversation_t *conv = find_or_create_conversation(pinfo);
    if (conv && conv->options == 0) {
        s->conv = conv;
        s->key = key;
    }
    return conv;
}
