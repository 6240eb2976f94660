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

/* The conversation find_or_create_conversation(pinfo) would return.
 * has_payload: the frame carries a payload above TCP/UDP.
 * frame_tvb: the whole frame (a postdissector's tvb), or NULL.
 * Only frames that cannot have started a new conversation, in the first
 * pass, are answered from the cache: UDP, TCP segments with a payload, and
 * TCP frames whose header in frame_tvb shows no SYN. See conv-cache.c. */
conversation_t *al_conversation(packet_info *pinfo, tvbuff_t *frame_tvb, bool has_payload);

/* Forgets every entry: call at the start of each dissection session, before
 * the conversations of the last one are freed or reused. */
void al_conv_cache_reset(void);

/* Frees the cache (cleanup routine). */
void al_conv_cache_free(void);

#endif /* APPLELEGACY_CONV_CACHE_H */
