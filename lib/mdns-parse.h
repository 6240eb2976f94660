/* mdns-parse.h
 * The DNS-SD (Bonjour) service instances that one mDNS response announces,
 * read from the UDP payload of a packet to or from port 5353, without
 * libwireshark: so that the registry can list the Apple services a LAN
 * advertises (_airport._tcp, _adisk._tcp, _rfb._tcp, _net-assistant._udp...).
 *
 * What makes an instance: a name <Instance>.<_service>.<_tcp|_udp>.<domain>
 * that is the target of a PTR record or the owner of an SRV or TXT record in
 * the answer, authority or additional section of a response (QR set). The
 * SRV record of that name gives the port and target host, its TXT record the
 * key=value pairs, and the A/AAAA records of the target host in the same
 * message the addresses. Service type enumeration (_services._dns-sd._udp)
 * and reverse-mapping PTRs name no instance. Queries give no instance.
 *
 * TXT: RFC 6763 pairs, one per string ("key=value", "key" alone: value NULL,
 * "=value" ignored), and the two comma-separated forms of Apple's devices:
 *  - AirPort base stations put all their pairs in ONE string,
 *    "waMA=..,raMA=..,syVs=7.7.8,model=AirPort7,120": each becomes a pair of
 *    its own (parent NULL); a comma not followed by KEY= belongs to the value
 *    (model is "AirPort7,120");
 *  - _adisk puts a list inside a value, "dk0=adVN=Time Capsule,adVF=0x82":
 *    the pair dk0 keeps the whole value, and adVN, adVF are sub-pairs whose
 *    parent is "dk0".
 *
 * Text: every string is valid UTF-8 (each byte that is not becomes U+FFFD).
 * The instance label is kept whole ("Mr. Mac" stays one string); in the
 * service, domain and target, a '.' or '\' inside a label is escaped with '\'.
 *
 * Never reads outside buf. A damaged message ends parsing at the damage: what
 * was read before is returned, with the first error in msg->error. Counts are
 * capped (AL_MDNS_MAX_*), so a hostile packet cannot make it allocate much.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_MDNS_PARSE_H
#define APPLELEGACY_MDNS_PARSE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port-row.h" /* al_transport_t */

#define AL_MDNS_PORT 5353

#define AL_MDNS_MAX_NAME      255 /* bytes of a name in wire form, length bytes and root included */
#define AL_MDNS_MAX_LABELS    127 /* what 255 wire bytes can hold */
#define AL_MDNS_MAX_POINTERS  32  /* compression pointers followed in one name */
#define AL_MDNS_MAX_RECORDS   512 /* resource records read from one message */
#define AL_MDNS_MAX_INSTANCES 64  /* instances returned for one message */
#define AL_MDNS_MAX_TXT_PAIRS 32  /* pairs (sub-pairs included) of one instance */
#define AL_MDNS_MAX_ADDRESSES 16  /* addresses of one instance */

/* Record types the parser reads; any other is skipped by its RDLENGTH. */
enum {
    AL_MDNS_TYPE_A = 1,
    AL_MDNS_TYPE_PTR = 12,
    AL_MDNS_TYPE_TXT = 16,
    AL_MDNS_TYPE_AAAA = 28,
    AL_MDNS_TYPE_SRV = 33,
};
#define AL_MDNS_CLASS_IN          1
#define AL_MDNS_CLASS_CACHE_FLUSH 0x8000 /* rrclass of an answer: unique record */
#define AL_MDNS_CLASS_UNICAST     0x8000 /* qclass of a question: QU */

typedef enum {
    AL_MDNS_OK = 0,
    AL_MDNS_ERR_SHORT,     /* shorter than the 12-byte header */
    AL_MDNS_ERR_TRUNCATED, /* a question or record, or its RDATA, runs past the end */
    AL_MDNS_ERR_BAD_NAME,  /* pointer loop, name over 255 bytes, reserved label type */
    AL_MDNS_ERR_BAD_RDATA, /* RDATA that does not fit its type or its RDLENGTH */
} al_mdns_error_t;

/* One name in wire form, decompressed: the labels' bytes back to back. */
typedef struct {
    uint8_t bytes[AL_MDNS_MAX_NAME];
    uint8_t label_off[AL_MDNS_MAX_LABELS];
    uint8_t label_len[AL_MDNS_MAX_LABELS];
    unsigned n_labels;
    size_t wire_len; /* 1 (the root) + 1 + length of every label */
} al_mdns_name_t;

typedef struct {
    char *key;    /* as sent (made valid UTF-8) */
    char *value;  /* NULL: "key" without '=' */
    char *parent; /* the key whose value held this sub-pair (_adisk), or NULL */
} al_mdns_txt_pair_t;

typedef struct {
    char *instance; /* "Big Mac": the first label, unescaped */
    char *service;  /* "_rfb._tcp" */
    char *domain;   /* "local" */
    al_transport_t transport;
    bool has_srv;
    uint16_t port; /* from the SRV record; 0 without one */
    char *target;  /* the SRV target host, "Big-Mac.local"; "" without SRV */
    bool has_txt;
    bool cache_flush;     /* its SRV or TXT record had the cache-flush bit */
    bool goodbye;         /* its PTR record had TTL 0: the instance is leaving */
    GPtrArray *txt;       /* al_mdns_txt_pair_t *, in message order */
    GPtrArray *addresses; /* char *: "10.0.1.1", "fe80::1"; A before AAAA as sent */
} al_mdns_instance_t;

typedef struct {
    bool is_response;      /* QR set; a query gives no instance */
    bool unicast_response; /* a question asked for a unicast answer (QU) */
    bool capped;           /* a count reached its AL_MDNS_MAX_* and the rest was dropped */
    al_mdns_error_t error; /* the first damage met; parsing stopped there or skipped it */
    GPtrArray *instances;  /* al_mdns_instance_t *, in order of first mention */
} al_mdns_message_t;

/* Parses one DNS message. Never NULL; free with al_mdns_message_free. */
al_mdns_message_t *al_mdns_parse(const uint8_t *buf, size_t len);
void al_mdns_message_free(al_mdns_message_t *msg);

/* The first pair with this key (ASCII case-insensitive, as DNS-SD compares
 * keys): pairs of the TXT strings first, then sub-pairs. NULL when absent. */
const al_mdns_txt_pair_t *al_mdns_txt_find(const al_mdns_instance_t *inst, const char *key);

/* The first sub-pair with this key under the pair named parent. */
const al_mdns_txt_pair_t *al_mdns_txt_find_sub(const al_mdns_instance_t *inst, const char *parent,
                                               const char *key);

/* The value of al_mdns_txt_find(inst, key); NULL when the key is absent or
 * has no value (al_mdns_txt_find tells which). */
const char *al_mdns_txt_value(const al_mdns_instance_t *inst, const char *key);

/* Reads the name at off, following compression pointers (at most
 * AL_MDNS_MAX_POINTERS). *end: the offset after the name where it starts
 * (after its first pointer). AL_MDNS_OK, AL_MDNS_ERR_TRUNCATED or
 * AL_MDNS_ERR_BAD_NAME. */
al_mdns_error_t al_mdns_read_name(const uint8_t *buf, size_t len, size_t off, al_mdns_name_t *name,
                                  size_t *end);

#endif /* APPLELEGACY_MDNS_PARSE_H */
