/* conv-cache.h
 * find_or_create_conversation() behind a small direct-mapped cache, for the
 * per-packet path of the registry postdissector and the port sniffer.
 *
 * Both run on nearly every TCP packet: a client's ephemeral port lies in the
 * Xsan range (49152-65535), so only the conversation's handshake can say
 * whether it is a service port. libwireshark's lookup hashes the whole
 * conversation key on every call (about 1,100 instructions in 4.0); a hit
 * here compares the addresses and ports once (about 100).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_CONV_CACHE_H
#define APPLELEGACY_CONV_CACHE_H

#include <epan/packet.h>
#include <epan/conversation.h>

/* An address/port pair in a direction-free order, (a, port_a) <= (b,
 * port_b), as 32-bit words, so that comparing and hashing an IPv4 pair
 * takes no call. The words an IPv4 pair does not use are left unset and
 * never read. */
typedef struct {
    uint32_t a[4]; /* an IPv6 address; IPv4 uses the first word */
    uint32_t b[4];
    uint32_t ports; /* port_a << 16 | port_b */
    uint32_t kind;  /* words << 16 | ptype << 8 | address type */
} al_pair_key_t;

/* What a frame's own bytes show of its TCP handshake flags. */
typedef enum {
    AL_TCP_UNSEEN,  /* not TCP over IPv4 plainly in the frame: unknown */
    AL_TCP_NO_SYN,  /* no SYN flag */
    AL_TCP_SYN,     /* SYN without ACK: the destination port serves */
    AL_TCP_SYN_ACK, /* SYN and ACK: the source port serves */
} al_tcp_syn_t;

/* The conversation find_or_create_conversation(pinfo) would return.
 * has_payload: the frame carries a payload above TCP/UDP.
 * frame_tvb: the whole frame (a postdissector's tvb), or NULL.
 * Only frames that cannot have started a new conversation, in the first
 * pass, are answered from the cache: UDP, TCP segments with a payload, and
 * TCP frames whose header in frame_tvb shows no SYN. See conv-cache.c. */
conversation_t *al_conversation(packet_info *pinfo, tvbuff_t *frame_tvb, bool has_payload);

/* Where al_verdict_lookup() looked, for al_verdict_store(). */
typedef struct {
    void *slot; /* NULL: nothing to store (later pass, not an IP pair) */
    al_pair_key_t key;
    al_tcp_syn_t syn; /* the frame's flags (frame_tvb: the whole frame) */
    bool pair_known;  /* a verdict for the pair is kept (a SYN again) */
} al_verdict_ref_t;

/* The verdict stored for the frame's address/port pair by
 * al_verdict_store(), where it must still hold: first pass only; for TCP,
 * no SYN in the frame (a SYN may start a new conversation: the caller
 * decides again, from ref->syn where it says which port serves); for a
 * verdict kept with a conversation, no later conversation for the pair.
 * Returns false when the caller must decide. */
bool al_verdict_lookup(packet_info *pinfo, tvbuff_t *frame_tvb, al_verdict_ref_t *ref,
                       void **verdict);

/* Keeps verdict (any pointer, NULL included) for ref's pair: with conv, the
 * frame's conversation, or with none when decided from the frame's SYN or
 * SYN+ACK alone (then it holds until the pair's next SYN). */
void al_verdict_store(const al_verdict_ref_t *ref, conversation_t *conv, void *verdict);

/* Forgets every entry: call at the start of each dissection session, before
 * the conversations of the last one are freed or reused. */
void al_conv_cache_reset(void);

/* Frees the cache (cleanup routine). */
void al_conv_cache_free(void);

#endif /* APPLELEGACY_CONV_CACHE_H */
