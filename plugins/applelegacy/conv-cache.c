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
 * An entry may also hold the registry's verdict for the pair (see
 * al_verdict_lookup). A verdict decided from a frame's own SYN or SYN+ACK
 * (TCP takes the server port from that frame too) is kept without any
 * conversation: it holds until the pair's next SYN, which decides again.
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

#include "applelegacy.h"

#include <string.h>

#define CACHE_SLOTS 4096 /* a power of two */
#define ADDR_WORDS  4    /* words of an address in al_pair_key_t */

typedef struct {
    al_pair_key_t key;
    conversation_t *conv; /* NULL: none looked up (or an empty slot) */
    void *verdict;        /* with has_verdict: the registry's, NULL for none */
    bool has_verdict;     /* false: an empty slot, or a conversation alone */
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
static inline bool still_current(const conversation_t *conv, uint32_t num)
{
    if (conv->setup_frame > num)
        return false;
    for (const conversation_t *later = conv->next; later; later = later->next) {
        if (later->setup_frame <= num)
            return false;
    }
    return true;
}

static inline int compare_words(const uint32_t *x, const uint32_t *y, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

/* The key of an IPv6 pair (see make_key). */
static AL_COLD bool make_key_ipv6(const packet_info *pinfo, al_pair_key_t *key)
{
    const address *src = &pinfo->src, *dst = &pinfo->dst;
    if (src->len != 16 || dst->len != 16)
        return false;
    uint32_t s[ADDR_WORDS], d[ADDR_WORDS];
    memcpy(s, src->data, 16);
    memcpy(d, dst->data, 16);
    int order = compare_words(s, d, ADDR_WORDS);
    bool swap = order > 0 || (order == 0 && pinfo->srcport > pinfo->destport);
    memcpy(key->a, swap ? d : s, sizeof key->a);
    memcpy(key->b, swap ? s : d, sizeof key->b);
    uint32_t lo = swap ? pinfo->destport : pinfo->srcport;
    uint32_t hi = swap ? pinfo->srcport : pinfo->destport;
    key->ports = (lo & 0xffff) << 16 | (hi & 0xffff);
    key->kind = ADDR_WORDS << 16 | (uint32_t)pinfo->ptype << 8 | (uint32_t)src->type;
    return true;
}

/* The key of the frame's pair. IPv4 inline, IPv6 out of line. An IPv4 key
 * leaves the words a[1..3] and b[1..3] unset: no code reads them where
 * kind says IPv4 (key_slot, keys_equal). */
G_ALWAYS_INLINE static inline bool make_key(const packet_info *pinfo, al_pair_key_t *key)
{
    const address *src = &pinfo->src, *dst = &pinfo->dst;
    if (G_UNLIKELY(pinfo->use_conv_addr_port_endpoints || pinfo->conv_elements))
        return false;
    if ((pinfo->ptype != PT_TCP && pinfo->ptype != PT_UDP) || src->type != dst->type)
        return false;
    if (G_UNLIKELY(src->type != AT_IPv4 || src->len != 4 || dst->len != 4))
        return src->type == AT_IPv6 && make_key_ipv6(pinfo, key);
    uint32_t s, d; /* compared as numbers: any fixed order will do */
    memcpy(&s, src->data, 4);
    memcpy(&d, dst->data, 4);
    bool swap = s > d || (s == d && pinfo->srcport > pinfo->destport);
    key->a[0] = swap ? d : s;
    key->b[0] = swap ? s : d;
    uint32_t lo = swap ? pinfo->destport : pinfo->srcport;
    uint32_t hi = swap ? pinfo->srcport : pinfo->destport;
    key->ports = (lo & 0xffff) << 16 | (hi & 0xffff);
    key->kind = 1u << 16 | (uint32_t)pinfo->ptype << 8 | (uint32_t)AT_IPv4;
    return true;
}

static inline uint32_t mix(uint32_t h, uint32_t v)
{
    h = (h ^ v) * 0x9E3779B1u;
    return h ^ (h >> 16);
}

/* An IPv4 key uses one word per address. The words after the first, of IPv6
 * keys, are hashed and compared out of line: the per-packet code stays
 * small (it is fetched again on nearly every frame). */
#define KEY_IS_IPV4(key) (((key)->kind >> 16) == 1)

static AL_COLD uint32_t hash_more_words(const al_pair_key_t *key, uint32_t h)
{
    for (unsigned i = 1; i < (key->kind >> 16); i++)
        h = mix(mix(h, key->a[i]), key->b[i]);
    return h;
}

static AL_COLD bool more_words_equal(const al_pair_key_t *x, const al_pair_key_t *y)
{
    unsigned n = (x->kind >> 16) - 1;
    return memcmp(x->a + 1, y->a + 1, n * sizeof x->a[0]) == 0 &&
           memcmp(x->b + 1, y->b + 1, n * sizeof x->b[0]) == 0;
}

G_ALWAYS_INLINE static inline unsigned key_slot(const al_pair_key_t *key)
{
    uint32_t h = mix(mix(mix(key->kind, key->ports), key->a[0]), key->b[0]);
    if (G_UNLIKELY(!KEY_IS_IPV4(key)))
        h = hash_more_words(key, h);
    return h & (CACHE_SLOTS - 1);
}

G_ALWAYS_INLINE static inline bool keys_equal(const al_pair_key_t *x, const al_pair_key_t *y)
{
    if (x->ports != y->ports || x->kind != y->kind || x->a[0] != y->a[0] || x->b[0] != y->b[0])
        return false;
    return G_LIKELY(KEY_IS_IPV4(x)) || more_words_equal(x, y);
}

/* What the frame's TCP header says of SYN and ACK, where the header is found
 * where pinfo's addresses and ports say, inside the frame's bytes. IPv4
 * only: the IPv6 dissector gives pinfo a copy of the addresses, so an IPv6
 * frame is AL_TCP_UNSEEN. */
G_ALWAYS_INLINE static inline al_tcp_syn_t frame_syn(tvbuff_t *frame_tvb, const packet_info *pinfo)
{
    if (!frame_tvb || pinfo->ptype != PT_TCP || pinfo->src.type != AT_IPv4)
        return AL_TCP_UNSEEN;
    unsigned frame_len = tvb_captured_length(frame_tvb);
    const uint8_t *base = frame_len ? tvb_get_ptr(frame_tvb, 0, (int)frame_len) : NULL;
    /* Compared as integers: src may point anywhere (a tunnel's copy, a
     * reassembled buffer), not only into this frame. */
    uintptr_t from = (uintptr_t)base, src = (uintptr_t)pinfo->src.data;
    if (!base || src < from || src - from >= frame_len || src - from < 12)
        return AL_TCP_UNSEEN;
    size_t ip = (size_t)(src - from) - 12;
    if (ip + 20 > frame_len || (base[ip] >> 4) != 4 || base[ip + 9] != 6)
        return AL_TCP_UNSEEN;
    size_t tcp = ip + (size_t)(base[ip] & 0x0f) * 4;
    if (tcp + 14 > frame_len || ((unsigned)base[tcp] << 8 | base[tcp + 1]) != pinfo->srcport ||
        ((unsigned)base[tcp + 2] << 8 | base[tcp + 3]) != pinfo->destport)
        return AL_TCP_UNSEEN;
    switch (base[tcp + 13] & 0x12) {
    case 0x02:
        return AL_TCP_SYN;
    case 0x12:
        return AL_TCP_SYN_ACK;
    default:
        return AL_TCP_NO_SYN;
    }
}

static void store(cache_slot_t *s, const al_pair_key_t *key, conversation_t *conv)
{
    /* The verdict stays with the pair's conversation, or with the pair
     * when it was decided from the handshake without one. */
    if (!keys_equal(&s->key, key) || (s->conv && s->conv != conv))
        s->has_verdict = false;
    s->key = *key;
    s->conv = conv;
}

conversation_t *al_conversation(packet_info *pinfo, tvbuff_t *frame_tvb, bool has_payload)
{
    al_pair_key_t key;
    if (!slots || PINFO_FD_VISITED(pinfo) || !make_key(pinfo, &key))
        return find_or_create_conversation(pinfo);

    cache_slot_t *s = &slots[key_slot(&key)];
    if (s->conv && keys_equal(&s->key, &key) && still_current(s->conv, pinfo->num) &&
        (pinfo->ptype == PT_UDP || has_payload || frame_syn(frame_tvb, pinfo) == AL_TCP_NO_SYN))
        return s->conv;

    conversation_t *conv = find_or_create_conversation(pinfo);
    if (conv && conv->options == 0)
        store(s, &key, conv);
    return conv;
}

bool al_verdict_lookup(packet_info *pinfo, tvbuff_t *frame_tvb, al_verdict_ref_t *ref,
                       void **verdict)
{
    ref->slot = NULL;
    ref->syn = AL_TCP_UNSEEN;
    ref->pair_known = false;
    if (G_UNLIKELY(!slots || PINFO_FD_VISITED(pinfo)) || !make_key(pinfo, &ref->key))
        return false;
    cache_slot_t *s = &slots[key_slot(&ref->key)];
    ref->slot = s;
    if (pinfo->ptype == PT_TCP)
        ref->syn = frame_syn(frame_tvb, pinfo);
    if (!s->has_verdict || !keys_equal(&s->key, &ref->key))
        return false;
    ref->pair_known = true;
    if (pinfo->ptype == PT_TCP ? ref->syn != AL_TCP_NO_SYN : !s->conv)
        return false;
    if (s->conv && !still_current(s->conv, pinfo->num))
        return false;
    *verdict = s->verdict;
    return true;
}

void al_verdict_store(const al_verdict_ref_t *ref, conversation_t *conv, void *verdict)
{
    cache_slot_t *s = (cache_slot_t *)ref->slot;
    if (!s || (conv && conv->options != 0))
        return;
    s->key = ref->key;
    s->conv = conv;
    s->verdict = verdict;
    s->has_verdict = true;
}
