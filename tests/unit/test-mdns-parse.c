/* test-mdns-parse.c
 * al_mdns_parse() and its helpers (lib/mdns-parse.c), on DNS
 * messages made here with a small byte builder in the DNS-SD layout Apple's
 * devices use (answers PTR and TXT, additional SRV, A, AAAA, NSEC, OPT).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <stdarg.h>
#include <string.h>

#include "mdns-parse.h"

#define CF      0x8000 /* cache-flush bit of an answer's class */
#define IN      1
#define NSEC    47
#define OPT     41
#define NO_PTR  (-1)
#define FFFD    "\xef\xbf\xbd"
#define TXT_MAX AL_MDNS_MAX_TXT_PAIRS

/* ---- the byte builder ---- */

static void u8(GByteArray *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    g_byte_array_append(b, &x, 1);
}

static void u16(GByteArray *b, unsigned v)
{
    u8(b, v >> 8);
    u8(b, v);
}

static void u32(GByteArray *b, uint32_t v)
{
    u16(b, v >> 16);
    u16(b, v & 0xffff);
}

static void raw(GByteArray *b, const void *p, size_t n)
{
    g_byte_array_append(b, p, (guint)n);
}

static GByteArray *header(unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    GByteArray *b = g_byte_array_new();
    u16(b, 0); /* mDNS: ID 0 */
    u16(b, flags);
    u16(b, qd);
    u16(b, an);
    u16(b, ns);
    u16(b, ar);
    return b;
}

static void label_raw(GByteArray *b, const void *p, size_t n)
{
    u8(b, (unsigned)n);
    raw(b, p, n);
}

/* The labels (NULL-terminated), then a compression pointer to ptr, or the
 * root when ptr is NO_PTR. Returns where the name starts. */
static size_t name(GByteArray *b, int ptr, ...)
{
    size_t at = b->len;
    va_list ap;
    va_start(ap, ptr);
    for (const char *l = va_arg(ap, const char *); l; l = va_arg(ap, const char *))
        label_raw(b, l, strlen(l));
    va_end(ap);
    if (ptr == NO_PTR) {
        u8(b, 0);
    } else {
        u8(b, 0xc0 | ((unsigned)ptr >> 8));
        u8(b, (unsigned)ptr & 0xff);
    }
    return at;
}

/* Type, class, TTL and a RDLENGTH that rr_end fills in. */
static size_t rr_begin(GByteArray *b, unsigned type, unsigned rrclass, uint32_t ttl)
{
    u16(b, type);
    u16(b, rrclass);
    u32(b, ttl);
    u16(b, 0);
    return b->len;
}

static void rr_end(GByteArray *b, size_t rdata)
{
    size_t n = b->len - rdata;
    b->data[rdata - 2] = (uint8_t)(n >> 8);
    b->data[rdata - 1] = (uint8_t)n;
}

static void srv_fixed(GByteArray *b, unsigned port)
{
    u16(b, 0); /* priority */
    u16(b, 0); /* weight */
    u16(b, port);
}

static void txt_string(GByteArray *b, const char *s)
{
    label_raw(b, s, strlen(s));
}

static al_mdns_message_t *parse(const GByteArray *b)
{
    return al_mdns_parse(b->data, b->len);
}

static al_mdns_instance_t *inst_at(const al_mdns_message_t *m, guint i)
{
    g_assert_cmpuint(i, <, m->instances->len);
    return g_ptr_array_index(m->instances, i);
}

static const char *addr_at(const al_mdns_instance_t *inst, guint i)
{
    g_assert_cmpuint(i, <, inst->addresses->len);
    return g_ptr_array_index(inst->addresses, i);
}

static const al_mdns_txt_pair_t *pair_at(const al_mdns_instance_t *inst, guint i)
{
    g_assert_cmpuint(i, <, inst->txt->len);
    return g_ptr_array_index(inst->txt, i);
}

/* ---- the messages ---- */

#define AIRPORT_TXT                                                                                \
    "waMA=00-11-22-33-44-55,raMA=00-11-22-33-44-66,raM2=00-11-22-33-44-67,raNm=Home Net,"          \
    "raCh=11,rCh2=149,raSt=0,raNA=0,syFl=0x8A0C,syAP=120,syVs=7.7.8,model=AirPort7,120,"           \
    "srcv=77800.1,bjSd=23"

typedef struct {
    size_t srv; /* where the SRV record starts */
    size_t a;   /* where the A record starts */
} airport_marks_t;

/* An AirPort Extreme's announcement, laid out as the real ones: answers PTR
 * and TXT (one string, comma-separated pairs), additional _device-info TXT,
 * SRV 5009, A, AAAA, NSEC and OPT. */
static GByteArray *airport(airport_marks_t *marks)
{
    GByteArray *b = header(0x8400, 0, 2, 0, 6);
    size_t svc = name(b, NO_PTR, "_airport", "_tcp", "local", NULL);
    size_t tcp = svc + 1 + 8, local = tcp + 1 + 4;
    size_t at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 4500);
    size_t inst = name(b, (int)svc, "Base Station 1", NULL);
    rr_end(b, at);

    name(b, (int)inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_TXT, IN | CF, 4500);
    txt_string(b, AIRPORT_TXT);
    rr_end(b, at);

    name(b, (int)tcp, "Base Station 1", "_device-info", NULL);
    at = rr_begin(b, AL_MDNS_TYPE_TXT, IN, 4500);
    txt_string(b, "model=AirPort7,120");
    rr_end(b, at);

    if (marks)
        marks->srv = b->len;
    name(b, (int)inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_SRV, IN | CF, 120);
    srv_fixed(b, 5009);
    size_t target = name(b, (int)local, "Base-Station-1", NULL);
    rr_end(b, at);

    if (marks)
        marks->a = b->len;
    name(b, (int)target, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_A, IN | CF, 120);
    raw(b, (const uint8_t[]){10, 0, 1, 1}, 4);
    rr_end(b, at);

    name(b, (int)target, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_AAAA, IN | CF, 120);
    raw(b,
        (const uint8_t[]){0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44,
                          0x55},
        16);
    rr_end(b, at);

    name(b, (int)inst, NULL);
    at = rr_begin(b, NSEC, IN | CF, 4500);
    name(b, (int)inst, NULL);
    raw(b, (const uint8_t[]){0x00, 0x05, 0x00, 0x00, 0x80, 0x00, 0x40}, 7);
    rr_end(b, at);

    name(b, NO_PTR, NULL); /* OPT: root owner, class = UDP payload size */
    at = rr_begin(b, OPT, 1440, 0);
    rr_end(b, at);
    return b;
}

/* A Mac with Screen Sharing and File Sharing, compressed the way mDNSResponder
 * does: the service type enumeration PTR first, then every name a pointer into
 * an earlier one; a reverse-mapping PTR; the host's A records, one spelled out
 * in other case, one twice. */
static GByteArray *big_mac(void)
{
    GByteArray *b = header(0x8400, 0, 3, 0, 7);
    size_t meta = name(b, NO_PTR, "_services", "_dns-sd", "_udp", "local", NULL);
    size_t local = meta + 1 + 9 + 1 + 7 + 1 + 4;
    size_t at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 4500);
    size_t rfb = name(b, (int)local, "_rfb", "_tcp", NULL);
    rr_end(b, at);
    size_t tcp = rfb + 1 + 4;

    name(b, (int)rfb, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 4500);
    size_t rfb_inst = name(b, (int)rfb, "Big Mac", NULL);
    rr_end(b, at);

    size_t afp = name(b, (int)tcp, "_afpovertcp", NULL);
    at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 4500);
    size_t afp_inst = name(b, (int)afp, "Big Mac", NULL);
    rr_end(b, at);

    name(b, (int)rfb_inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_SRV, IN | CF, 120);
    srv_fixed(b, 5900);
    size_t target = name(b, (int)local, "Big-Mac", NULL);
    rr_end(b, at);

    name(b, (int)rfb_inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_TXT, IN | CF, 4500);
    u8(b, 0); /* the usual empty TXT: one zero-length string */
    rr_end(b, at);

    name(b, (int)afp_inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_SRV, IN | CF, 120);
    srv_fixed(b, 548);
    name(b, (int)target, NULL);
    rr_end(b, at);

    name(b, (int)target, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_A, IN | CF, 120);
    raw(b, (const uint8_t[]){192, 168, 1, 20}, 4);
    rr_end(b, at);

    name(b, NO_PTR, "BIG-MAC", "Local", NULL);
    at = rr_begin(b, AL_MDNS_TYPE_A, IN | CF, 120);
    raw(b, (const uint8_t[]){169, 254, 1, 2}, 4);
    rr_end(b, at);

    name(b, NO_PTR, "20", "1", "168", "192", "in-addr", "arpa", NULL);
    at = rr_begin(b, AL_MDNS_TYPE_PTR, IN | CF, 120);
    name(b, (int)target, NULL);
    rr_end(b, at);

    name(b, (int)target, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_A, IN | CF, 120);
    raw(b, (const uint8_t[]){192, 168, 1, 20}, 4);
    rr_end(b, at);
    return b;
}

/* A response with one PTR svc -> instance (instance a raw label). */
static GByteArray *one_ptr(const void *label, size_t n, uint32_t ttl)
{
    GByteArray *b = header(0x8400, 0, 1, 0, 0);
    size_t svc = name(b, NO_PTR, "_rfb", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, ttl);
    label_raw(b, label, n);
    u16(b, 0xc000 | (unsigned)svc);
    rr_end(b, at);
    return b;
}

/* ---- the checks every parse must pass ---- */

static void assert_valid(const char *s)
{
    g_assert_nonnull(s);
    g_assert_true(g_utf8_validate(s, -1, NULL));
}

static void assert_sane(const al_mdns_message_t *m)
{
    g_assert_nonnull(m);
    g_assert_nonnull(m->instances);
    g_assert_cmpuint(m->instances->len, <=, AL_MDNS_MAX_INSTANCES);
    if (!m->is_response)
        g_assert_cmpuint(m->instances->len, ==, 0);
    for (guint i = 0; i < m->instances->len; i++) {
        const al_mdns_instance_t *inst = inst_at(m, i);
        assert_valid(inst->instance);
        assert_valid(inst->service);
        assert_valid(inst->domain);
        assert_valid(inst->target);
        g_assert_true(inst->transport == AL_TRANSPORT_TCP || inst->transport == AL_TRANSPORT_UDP);
        if (!inst->has_srv) {
            g_assert_cmpuint(inst->port, ==, 0);
            g_assert_cmpstr(inst->target, ==, "");
            g_assert_cmpuint(inst->addresses->len, ==, 0);
        }
        g_assert_cmpuint(inst->txt->len, <=, AL_MDNS_MAX_TXT_PAIRS);
        for (guint j = 0; j < inst->txt->len; j++) {
            const al_mdns_txt_pair_t *p = pair_at(inst, j);
            assert_valid(p->key);
            g_assert_cmpuint(strlen(p->key), >, 0);
            g_assert_cmpuint(strlen(p->key), <=, 255);
            if (p->value) {
                assert_valid(p->value);
                g_assert_cmpuint(strlen(p->value), <=, 255 * 3);
            }
            if (p->parent)
                assert_valid(p->parent);
        }
        g_assert_cmpuint(inst->addresses->len, <=, AL_MDNS_MAX_ADDRESSES);
        for (guint j = 0; j < inst->addresses->len; j++)
            assert_valid(addr_at(inst, j));
    }
}

/* ---- tests ---- */

static void test_airport(void)
{
    GByteArray *b = airport(NULL);
    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_true(m->is_response);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_false(m->capped);
    g_assert_cmpuint(m->instances->len, ==, 2);

    const al_mdns_instance_t *ap = inst_at(m, 0);
    g_assert_cmpstr(ap->instance, ==, "Base Station 1");
    g_assert_cmpstr(ap->service, ==, "_airport._tcp");
    g_assert_cmpstr(ap->domain, ==, "local");
    g_assert_cmpint(ap->transport, ==, AL_TRANSPORT_TCP);
    g_assert_true(ap->has_srv);
    g_assert_cmpuint(ap->port, ==, 5009);
    g_assert_cmpstr(ap->target, ==, "Base-Station-1.local");
    g_assert_true(ap->has_txt);
    g_assert_true(ap->cache_flush);
    g_assert_false(ap->goodbye);
    g_assert_cmpuint(ap->addresses->len, ==, 2);
    g_assert_cmpstr(addr_at(ap, 0), ==, "10.0.1.1");
    g_assert_cmpstr(addr_at(ap, 1), ==, "fe80::211:22ff:fe33:4455");

    /* one TXT string, 14 comma-separated pairs */
    g_assert_cmpuint(ap->txt->len, ==, 14);
    g_assert_cmpstr(pair_at(ap, 0)->key, ==, "waMA");
    g_assert_cmpstr(pair_at(ap, 0)->value, ==, "00-11-22-33-44-55");
    g_assert_null(pair_at(ap, 0)->parent);
    g_assert_cmpstr(pair_at(ap, 13)->key, ==, "bjSd");
    g_assert_cmpstr(pair_at(ap, 13)->value, ==, "23");
    g_assert_cmpstr(al_mdns_txt_value(ap, "raMA"), ==, "00-11-22-33-44-66");
    g_assert_cmpstr(al_mdns_txt_value(ap, "raNm"), ==, "Home Net");
    g_assert_cmpstr(al_mdns_txt_value(ap, "syVs"), ==, "7.7.8");
    g_assert_cmpstr(al_mdns_txt_value(ap, "SYVS"), ==, "7.7.8");
    g_assert_cmpstr(al_mdns_txt_value(ap, "model"), ==, "AirPort7,120"); /* its comma kept */
    g_assert_cmpstr(al_mdns_txt_value(ap, "srcv"), ==, "77800.1");
    g_assert_null(al_mdns_txt_find(ap, "120"));
    g_assert_null(al_mdns_txt_find(ap, "adVF"));

    const al_mdns_instance_t *di = inst_at(m, 1);
    g_assert_cmpstr(di->instance, ==, "Base Station 1");
    g_assert_cmpstr(di->service, ==, "_device-info._tcp");
    g_assert_false(di->has_srv);
    g_assert_cmpuint(di->port, ==, 0);
    g_assert_cmpstr(di->target, ==, "");
    g_assert_false(di->cache_flush);
    g_assert_cmpuint(di->txt->len, ==, 1);
    g_assert_cmpstr(al_mdns_txt_value(di, "model"), ==, "AirPort7,120");
    g_assert_cmpuint(di->addresses->len, ==, 0);

    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_compressed_big_mac(void)
{
    GByteArray *b = big_mac();
    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    /* neither _services._dns-sd._udp -> _rfb._tcp nor the reverse PTR */
    g_assert_cmpuint(m->instances->len, ==, 2);

    const al_mdns_instance_t *rfb = inst_at(m, 0);
    g_assert_cmpstr(rfb->instance, ==, "Big Mac");
    g_assert_cmpstr(rfb->service, ==, "_rfb._tcp");
    g_assert_cmpstr(rfb->domain, ==, "local");
    g_assert_cmpuint(rfb->port, ==, 5900);
    g_assert_cmpstr(rfb->target, ==, "Big-Mac.local");
    g_assert_true(rfb->has_txt);
    g_assert_cmpuint(rfb->txt->len, ==, 0);
    /* BIG-MAC.Local is the same host; the repeated A is listed once */
    g_assert_cmpuint(rfb->addresses->len, ==, 2);
    g_assert_cmpstr(addr_at(rfb, 0), ==, "192.168.1.20");
    g_assert_cmpstr(addr_at(rfb, 1), ==, "169.254.1.2");

    const al_mdns_instance_t *afp = inst_at(m, 1);
    g_assert_cmpstr(afp->instance, ==, "Big Mac");
    g_assert_cmpstr(afp->service, ==, "_afpovertcp._tcp");
    g_assert_cmpint(afp->transport, ==, AL_TRANSPORT_TCP);
    g_assert_cmpuint(afp->port, ==, 548);
    g_assert_cmpstr(afp->target, ==, "Big-Mac.local");
    g_assert_false(afp->has_txt);
    g_assert_cmpuint(afp->addresses->len, ==, 2);
    g_assert_cmpstr(addr_at(afp, 0), ==, "192.168.1.20");

    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_adisk(void)
{
    GByteArray *b = header(0x8400, 0, 3, 0, 0);
    size_t svc = name(b, NO_PTR, "_adisk", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 4500);
    size_t inst = name(b, (int)svc, "Time Capsule", NULL);
    rr_end(b, at);
    name(b, (int)inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_SRV, IN | CF, 120);
    srv_fixed(b, 9);
    name(b, (int)(svc + 1 + 6 + 1 + 4), "Time-Capsule", NULL);
    rr_end(b, at);
    name(b, (int)inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_TXT, IN | CF, 4500);
    txt_string(b, "sys=waMA=00:11:22:33:44:55,adVF=0x100");
    txt_string(b, "dk0=adVN=Time Capsule,adVF=0x82");
    rr_end(b, at);

    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_cmpuint(m->instances->len, ==, 1);
    const al_mdns_instance_t *ad = inst_at(m, 0);
    g_assert_cmpstr(ad->instance, ==, "Time Capsule");
    g_assert_cmpstr(ad->service, ==, "_adisk._tcp");
    g_assert_cmpuint(ad->port, ==, 9);
    g_assert_cmpstr(ad->target, ==, "Time-Capsule.local");

    /* each string a pair with its whole value, then its list as sub-pairs */
    g_assert_cmpuint(ad->txt->len, ==, 6);
    g_assert_cmpstr(pair_at(ad, 0)->key, ==, "sys");
    g_assert_cmpstr(pair_at(ad, 0)->value, ==, "waMA=00:11:22:33:44:55,adVF=0x100");
    g_assert_null(pair_at(ad, 0)->parent);
    g_assert_cmpstr(pair_at(ad, 1)->key, ==, "waMA");
    g_assert_cmpstr(pair_at(ad, 1)->value, ==, "00:11:22:33:44:55");
    g_assert_cmpstr(pair_at(ad, 1)->parent, ==, "sys");
    g_assert_cmpstr(pair_at(ad, 2)->key, ==, "adVF");
    g_assert_cmpstr(pair_at(ad, 2)->value, ==, "0x100");
    g_assert_cmpstr(pair_at(ad, 3)->key, ==, "dk0");
    g_assert_cmpstr(pair_at(ad, 3)->value, ==, "adVN=Time Capsule,adVF=0x82");
    g_assert_cmpstr(pair_at(ad, 4)->parent, ==, "dk0");
    g_assert_cmpstr(pair_at(ad, 5)->value, ==, "0x82");

    g_assert_cmpstr(al_mdns_txt_value(ad, "sys"), ==, "waMA=00:11:22:33:44:55,adVF=0x100");
    g_assert_cmpstr(al_mdns_txt_value(ad, "adVF"), ==, "0x100"); /* the first: sys's */
    g_assert_cmpstr(al_mdns_txt_value(ad, "advn"), ==, "Time Capsule");
    g_assert_cmpstr(al_mdns_txt_find_sub(ad, "dk0", "adVF")->value, ==, "0x82");
    g_assert_cmpstr(al_mdns_txt_find_sub(ad, "SYS", "waMA")->value, ==, "00:11:22:33:44:55");
    g_assert_null(al_mdns_txt_find_sub(ad, "sys", "adVN"));
    g_assert_null(al_mdns_txt_find_sub(ad, "dk1", "adVF"));

    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_standard_txt(void)
{
    GByteArray *b = header(0x8400, 0, 1, 0, 0);
    name(b, NO_PTR, "Printer", "_ipp", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_TXT, IN | CF, 4500);
    txt_string(b, "txtvers=1");
    txt_string(b, "Color");   /* a key alone */
    txt_string(b, "=orphan"); /* no key: ignored */
    txt_string(b, "empty=");
    u8(b, 0); /* an empty string: ignored */
    txt_string(b, "note=a, b,c");
    txt_string(b, "pk=QUJD==");
    txt_string(b, "Dup=first");
    txt_string(b, "dup=second");
    rr_end(b, at);

    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_cmpuint(m->instances->len, ==, 1);
    const al_mdns_instance_t *p = inst_at(m, 0);
    g_assert_cmpstr(p->instance, ==, "Printer");
    g_assert_cmpstr(p->service, ==, "_ipp._tcp");
    g_assert_false(p->has_srv);
    g_assert_true(p->has_txt);
    g_assert_cmpuint(p->txt->len, ==, 7);
    g_assert_cmpstr(al_mdns_txt_value(p, "txtvers"), ==, "1");
    g_assert_nonnull(al_mdns_txt_find(p, "color"));
    g_assert_cmpstr(al_mdns_txt_find(p, "color")->key, ==, "Color");
    g_assert_null(al_mdns_txt_find(p, "color")->value);
    g_assert_null(al_mdns_txt_value(p, "Color"));
    g_assert_cmpstr(al_mdns_txt_value(p, "empty"), ==, "");
    g_assert_cmpstr(al_mdns_txt_value(p, "note"), ==, "a, b,c"); /* no KEY= after its commas */
    g_assert_cmpstr(al_mdns_txt_value(p, "pk"), ==, "QUJD==");
    g_assert_null(al_mdns_txt_find(p, "QUJD"));
    g_assert_cmpstr(al_mdns_txt_value(p, "DUP"), ==, "first");
    g_assert_null(al_mdns_txt_find(p, "orphan"));
    g_assert_null(al_mdns_txt_find(p, ""));
    g_assert_null(al_mdns_txt_find(NULL, "x"));

    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_net_assistant_udp(void)
{
    GByteArray *b = header(0x8400, 0, 1, 0, 1);
    size_t inst = name(b, NO_PTR, "Big Mac", "_net-assistant", "_udp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_SRV, IN | CF, 120);
    srv_fixed(b, 3283);
    size_t target = name(b, (int)(inst + 1 + 7 + 1 + 14 + 1 + 4), "Big-Mac", NULL);
    rr_end(b, at);
    name(b, (int)target, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_A, IN | CF, 120);
    raw(b, (const uint8_t[]){10, 0, 1, 5}, 4);
    rr_end(b, at);

    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_cmpuint(m->instances->len, ==, 1);
    const al_mdns_instance_t *na = inst_at(m, 0);
    g_assert_cmpstr(na->service, ==, "_net-assistant._udp");
    g_assert_cmpint(na->transport, ==, AL_TRANSPORT_UDP);
    g_assert_cmpuint(na->port, ==, 3283);
    g_assert_cmpstr(na->target, ==, "Big-Mac.local");
    g_assert_cmpuint(na->addresses->len, ==, 1);
    g_assert_cmpstr(addr_at(na, 0), ==, "10.0.1.5");
    g_assert_false(na->has_txt);
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_ptr_only_and_goodbye(void)
{
    GByteArray *b = one_ptr("Base Station", 12, 0);
    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_cmpuint(m->instances->len, ==, 1);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "Base Station");
    g_assert_false(inst_at(m, 0)->has_srv);
    g_assert_cmpuint(inst_at(m, 0)->port, ==, 0);
    g_assert_true(inst_at(m, 0)->goodbye);
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    b = one_ptr("Base Station", 12, 4500);
    m = parse(b);
    g_assert_false(inst_at(m, 0)->goodbye);
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* only the PTR's TTL says goodbye: an SRV with TTL 0 does not */
    b = header(0x8400, 0, 1, 0, 0);
    name(b, NO_PTR, "Mac", "_rfb", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_SRV, IN | CF, 0);
    srv_fixed(b, 5900);
    name(b, NO_PTR, "Mac", "local", NULL);
    rr_end(b, at);
    m = parse(b);
    g_assert_cmpuint(m->instances->len, ==, 1);
    g_assert_cmpuint(inst_at(m, 0)->port, ==, 5900);
    g_assert_false(inst_at(m, 0)->goodbye);
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* a PTR whose name runs past its RDLENGTH gives no instance */
    b = one_ptr("Base Station", 12, 4500);
    b->data[b->len - 15 - 1] = 13; /* RDLENGTH 15 -> 13: the pointer is outside */
    m = parse(b);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_BAD_RDATA);
    g_assert_cmpuint(m->instances->len, ==, 0);
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_classes(void)
{
    /* SRV in class CH and in IN without cache flush; A with cache flush */
    GByteArray *b = header(0x8400, 0, 3, 0, 0);
    size_t inst = name(b, NO_PTR, "Mac", "_ssh", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_SRV, 3, 120);
    srv_fixed(b, 1);
    name(b, NO_PTR, "chaos", NULL);
    rr_end(b, at);
    name(b, (int)inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_SRV, IN, 120);
    srv_fixed(b, 22);
    size_t target = name(b, NO_PTR, "Mac", "local", NULL);
    rr_end(b, at);
    name(b, (int)target, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_A, 3 | CF, 120); /* CH: not an address */
    raw(b, (const uint8_t[]){1, 2, 3, 4}, 4);
    rr_end(b, at);

    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_cmpuint(m->instances->len, ==, 1);
    g_assert_cmpuint(inst_at(m, 0)->port, ==, 22);
    g_assert_cmpstr(inst_at(m, 0)->target, ==, "Mac.local");
    g_assert_false(inst_at(m, 0)->cache_flush);
    g_assert_cmpuint(inst_at(m, 0)->addresses->len, ==, 0);
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_query(void)
{
    /* a QU question and a known answer: no instance */
    GByteArray *b = header(0x0000, 1, 1, 0, 0);
    size_t svc = name(b, NO_PTR, "_airport", "_tcp", "local", NULL);
    u16(b, AL_MDNS_TYPE_PTR);
    u16(b, IN | AL_MDNS_CLASS_UNICAST);
    name(b, (int)svc, NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 4500);
    name(b, (int)svc, "Base Station 1", NULL);
    rr_end(b, at);

    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_false(m->is_response);
    g_assert_true(m->unicast_response);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_cmpuint(m->instances->len, ==, 0);
    al_mdns_message_free(m);

    /* the same as a response: the question is skipped, the answer read */
    b->data[2] = 0x84;
    b->data[12 + 1 + 8 + 1 + 4 + 1 + 5 + 1 + 2] = 0x00; /* QM, not QU */
    m = parse(b);
    assert_sane(m);
    g_assert_true(m->is_response);
    g_assert_false(m->unicast_response);
    g_assert_cmpuint(m->instances->len, ==, 1);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "Base Station 1");
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_short_and_truncated(void)
{
    al_mdns_message_t *m = al_mdns_parse(NULL, 0);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_SHORT);
    g_assert_cmpuint(m->instances->len, ==, 0);
    al_mdns_message_free(m);
    al_mdns_message_free(NULL);

    airport_marks_t marks;
    GByteArray *b = airport(&marks);
    m = al_mdns_parse(b->data, 11);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_SHORT);
    g_assert_false(m->is_response);
    al_mdns_message_free(m);

    m = al_mdns_parse(b->data, 12); /* a header that promises 8 records */
    g_assert_true(m->is_response);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_TRUNCATED);
    g_assert_cmpuint(m->instances->len, ==, 0);
    al_mdns_message_free(m);

    /* cut inside the SRV record: what came before is kept, without the SRV */
    m = al_mdns_parse(b->data, marks.srv + 5);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_TRUNCATED);
    g_assert_cmpuint(m->instances->len, ==, 2);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "Base Station 1");
    g_assert_false(inst_at(m, 0)->has_srv);
    g_assert_cmpuint(inst_at(m, 0)->port, ==, 0);
    g_assert_cmpuint(inst_at(m, 0)->txt->len, ==, 14);
    g_assert_cmpstr(al_mdns_txt_value(inst_at(m, 0), "syVs"), ==, "7.7.8");
    al_mdns_message_free(m);

    /* cut inside the A record: the SRV is there, the address not */
    m = al_mdns_parse(b->data, marks.a + 3);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_TRUNCATED);
    g_assert_cmpuint(inst_at(m, 0)->port, ==, 5009);
    g_assert_cmpuint(inst_at(m, 0)->addresses->len, ==, 0);
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_rdlength_past_end(void)
{
    GByteArray *b = one_ptr("Big Mac", 7, 4500);
    b->data[7] = 2; /* two answers */
    size_t svc = 12;
    size_t inst = b->len - 2 - 7 - 1;
    name(b, (int)inst, NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_SRV, IN | CF, 120);
    srv_fixed(b, 5900);
    name(b, (int)(svc + 1 + 4 + 1 + 4), "Big-Mac", NULL);
    rr_end(b, at);
    b->data[at - 2] = 0;
    b->data[at - 1] = 200; /* RDLENGTH 200, 16 bytes there */

    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_TRUNCATED);
    g_assert_cmpuint(m->instances->len, ==, 1);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "Big Mac");
    g_assert_false(inst_at(m, 0)->has_srv);
    al_mdns_message_free(m);

    /* with the right RDLENGTH, the same message gives the SRV */
    rr_end(b, at);
    m = parse(b);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_cmpuint(inst_at(m, 0)->port, ==, 5900);
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_bad_rdata(void)
{
    GByteArray *b = header(0x8400, 0, 4, 0, 0);
    size_t inst = name(b, NO_PTR, "Mac", "_rfb", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_SRV, IN, 120); /* too short for an SRV */
    u16(b, 0);
    u16(b, 0);
    u8(b, 1);
    rr_end(b, at);
    name(b, (int)inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_SRV, IN, 120);
    srv_fixed(b, 5900);
    size_t target = name(b, NO_PTR, "Mac", "local", NULL);
    rr_end(b, at);
    name(b, (int)target, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_A, IN, 120); /* 3 bytes */
    raw(b, (const uint8_t[]){1, 2, 3}, 3);
    rr_end(b, at);
    name(b, (int)inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_TXT, IN, 120);
    txt_string(b, "a=1");
    u8(b, 9); /* a string running past RDLENGTH */
    raw(b, "b=2", 3);
    rr_end(b, at);

    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_BAD_RDATA);
    g_assert_cmpuint(m->instances->len, ==, 1);
    const al_mdns_instance_t *mac = inst_at(m, 0);
    g_assert_cmpuint(mac->port, ==, 5900); /* the second SRV */
    g_assert_cmpuint(mac->addresses->len, ==, 0);
    g_assert_cmpuint(mac->txt->len, ==, 1);
    g_assert_cmpstr(al_mdns_txt_value(mac, "a"), ==, "1");
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_pointer_loops(void)
{
    al_mdns_name_t n;
    size_t end = 99;
    /* a pointer to itself */
    const uint8_t self[] = {0xc0, 0x00};
    g_assert_cmpint(al_mdns_read_name(self, 2, 0, &n, &end), ==, AL_MDNS_ERR_BAD_NAME);
    g_assert_cmpuint(end, ==, 99);
    /* two pointers to each other */
    const uint8_t pair[] = {0xc0, 0x02, 0xc0, 0x00};
    g_assert_cmpint(al_mdns_read_name(pair, 4, 0, &n, &end), ==, AL_MDNS_ERR_BAD_NAME);
    /* a label, then a pointer back to it: the pointer limit stops it */
    const uint8_t lab[] = {0x01, 'a', 0xc0, 0x00};
    g_assert_cmpint(al_mdns_read_name(lab, 4, 0, &n, &end), ==, AL_MDNS_ERR_BAD_NAME);
    /* a pointer past the end, a truncated pointer, reserved label types */
    g_assert_cmpint(al_mdns_read_name((const uint8_t[]){0xc0, 0x05}, 2, 0, &n, &end), ==,
                    AL_MDNS_ERR_BAD_NAME);
    g_assert_cmpint(al_mdns_read_name((const uint8_t[]){0xc0}, 1, 0, &n, &end), ==,
                    AL_MDNS_ERR_TRUNCATED);
    g_assert_cmpint(al_mdns_read_name((const uint8_t[]){0x40, 0x00}, 2, 0, &n, &end), ==,
                    AL_MDNS_ERR_BAD_NAME);
    g_assert_cmpint(al_mdns_read_name((const uint8_t[]){0x80, 0x00}, 2, 0, &n, &end), ==,
                    AL_MDNS_ERR_BAD_NAME);
    /* a chain of 32 pointers is followed, 33 are not */
    uint8_t chain[2 * 34 + 1];
    for (unsigned i = 0; i < 34; i++) {
        chain[2 * i] = 0xc0;
        chain[2 * i + 1] = (uint8_t)(2 * i + 2);
    }
    chain[68] = 0;
    g_assert_cmpint(al_mdns_read_name(chain, sizeof(chain), 2 * 2, &n, &end), ==, AL_MDNS_OK);
    g_assert_cmpuint(end, ==, 6);
    g_assert_cmpuint(n.n_labels, ==, 0);
    g_assert_cmpint(al_mdns_read_name(chain, sizeof(chain), 2, &n, &end), ==, AL_MDNS_ERR_BAD_NAME);

    /* in a message: an owner that loops stops the parse */
    GByteArray *b = header(0x8400, 0, 1, 0, 0);
    u16(b, 0xc00c);
    rr_begin(b, AL_MDNS_TYPE_PTR, IN, 1);
    al_mdns_message_t *m = parse(b);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_BAD_NAME);
    g_assert_cmpuint(m->instances->len, ==, 0);
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* a PTR whose target loops is skipped; the next record still counts */
    b = header(0x8400, 0, 2, 0, 0);
    size_t svc = name(b, NO_PTR, "_rfb", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 1);
    u16(b, 0xc000 | (unsigned)(b->len + 2));
    u16(b, 0xc000 | (unsigned)(b->len - 2));
    rr_end(b, at);
    name(b, (int)svc, "Other", NULL);
    at = rr_begin(b, AL_MDNS_TYPE_SRV, IN, 1);
    srv_fixed(b, 5900);
    name(b, NO_PTR, "other", "local", NULL);
    rr_end(b, at);
    m = parse(b);
    assert_sane(m);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_BAD_NAME);
    g_assert_cmpuint(m->instances->len, ==, 1);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "Other");
    g_assert_cmpuint(inst_at(m, 0)->port, ==, 5900);
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static GByteArray *labels_of(const unsigned *lens, size_t n)
{
    GByteArray *b = g_byte_array_new();
    for (size_t i = 0; i < n; i++) {
        u8(b, lens[i]);
        for (unsigned j = 0; j < lens[i]; j++)
            u8(b, 'a' + (i % 26));
    }
    u8(b, 0);
    return b;
}

static void test_long_names(void)
{
    al_mdns_name_t n;
    size_t end;
    /* 3 x 63 + 61: 255 bytes in wire form, the most allowed */
    GByteArray *b = labels_of((const unsigned[]){63, 63, 63, 61}, 4);
    g_assert_cmpuint(b->len, ==, 255);
    g_assert_cmpint(al_mdns_read_name(b->data, b->len, 0, &n, &end), ==, AL_MDNS_OK);
    g_assert_cmpuint(n.wire_len, ==, 255);
    g_assert_cmpuint(n.n_labels, ==, 4);
    g_assert_cmpuint(end, ==, 255);
    g_byte_array_unref(b);
    b = labels_of((const unsigned[]){63, 63, 63, 62}, 4);
    g_assert_cmpint(al_mdns_read_name(b->data, b->len, 0, &n, &end), ==, AL_MDNS_ERR_BAD_NAME);
    g_byte_array_unref(b);
    /* 127 one-byte labels: 255 bytes too */
    unsigned ones[128];
    for (unsigned i = 0; i < 128; i++)
        ones[i] = 1;
    b = labels_of(ones, 127);
    g_assert_cmpint(al_mdns_read_name(b->data, b->len, 0, &n, &end), ==, AL_MDNS_OK);
    g_assert_cmpuint(n.n_labels, ==, 127);
    g_byte_array_unref(b);
    b = labels_of(ones, 128);
    g_assert_cmpint(al_mdns_read_name(b->data, b->len, 0, &n, &end), ==, AL_MDNS_ERR_BAD_NAME);
    g_byte_array_unref(b);

    /* a 63-byte label looping back on itself: the length limit stops it */
    b = labels_of((const unsigned[]){63}, 1);
    b->data[64] = 0xc0;
    u8(b, 0x00);
    g_assert_cmpint(al_mdns_read_name(b->data, b->len, 0, &n, &end), ==, AL_MDNS_ERR_BAD_NAME);
    g_byte_array_unref(b);

    /* in a message: a PTR to a 257-byte name gives no instance */
    b = header(0x8400, 0, 1, 0, 0);
    name(b, NO_PTR, "_rfb", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 1);
    GByteArray *longer = labels_of((const unsigned[]){63, 63, 63, 63}, 4);
    raw(b, longer->data, longer->len);
    g_byte_array_unref(longer);
    rr_end(b, at);
    al_mdns_message_t *m = parse(b);
    g_assert_cmpint(m->error, ==, AL_MDNS_ERR_BAD_NAME);
    g_assert_cmpuint(m->instances->len, ==, 0);
    al_mdns_message_free(m);
    g_byte_array_unref(b);
}

static void test_instance_text(void)
{
    /* 0xff, 0xfe: one U+FFFD per byte */
    GByteArray *b = one_ptr("Caf\xff\xfe", 5, 120);
    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "Caf" FFFD FFFD);
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* a NUL byte, and a UTF-8 sequence cut short */
    b = one_ptr("a\0b\xc3", 4, 120);
    m = parse(b);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "a" FFFD "b" FFFD);
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* UTF-8 and dots stay as they are in the instance label */
    b = one_ptr("B\xc3\xbcro", 5, 120);
    m = parse(b);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "B\xc3\xbcro");
    al_mdns_message_free(m);
    g_byte_array_unref(b);
    b = one_ptr("70-35-60-63.1 Mr. Mac", 21, 120);
    m = parse(b);
    g_assert_cmpstr(inst_at(m, 0)->instance, ==, "70-35-60-63.1 Mr. Mac");
    g_assert_cmpstr(inst_at(m, 0)->service, ==, "_rfb._tcp");
    g_assert_cmpstr(inst_at(m, 0)->domain, ==, "local");
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* in the target and the domain, '.' and '\' inside a label are escaped */
    b = header(0x8400, 0, 1, 0, 0);
    name(b, NO_PTR, "Mac", "_rfb", "_tcp", "my.lan", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_SRV, IN, 120);
    srv_fixed(b, 5900);
    name(b, NO_PTR, "mr.mac\\", "\xff", NULL);
    rr_end(b, at);
    m = parse(b);
    assert_sane(m);
    g_assert_cmpstr(inst_at(m, 0)->domain, ==, "my\\.lan");
    g_assert_cmpstr(inst_at(m, 0)->target, ==, "mr\\.mac\\\\." FFFD);
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* not instance names: too few labels, no _tcp/_udp, service without '_' */
    const char *not_instances[][4] = {
        {"_rfb", "_tcp", "local", NULL},
        {"Mac", "_rfb", "_sctp", "local"},
        {"Mac", "rfb", "_tcp", "local"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(not_instances); i++) {
        b = header(0x8400, 0, 1, 0, 0);
        name(b, NO_PTR, "_rfb", "_tcp", "local", NULL);
        at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 120);
        name(b, NO_PTR, not_instances[i][0], not_instances[i][1], not_instances[i][2],
             not_instances[i][3], NULL);
        rr_end(b, at);
        m = parse(b);
        g_assert_cmpint(m->error, ==, AL_MDNS_OK);
        g_assert_cmpuint(m->instances->len, ==, 0);
        al_mdns_message_free(m);
        g_byte_array_unref(b);
    }
}

static void test_caps(void)
{
    /* 70 PTRs: 64 instances */
    GByteArray *b = header(0x8400, 0, 70, 0, 0);
    size_t svc = name(b, NO_PTR, "_rfb", "_tcp", "local", NULL);
    for (unsigned i = 0; i < 70; i++) {
        char label[16];
        g_snprintf(label, sizeof(label), "Mac %u", i);
        if (i > 0) /* the first owner is svc itself */
            name(b, (int)svc, NULL);
        size_t at = rr_begin(b, AL_MDNS_TYPE_PTR, IN, 120);
        name(b, (int)svc, label, NULL);
        rr_end(b, at);
    }
    al_mdns_message_t *m = parse(b);
    assert_sane(m);
    g_assert_true(m->capped);
    g_assert_cmpint(m->error, ==, AL_MDNS_OK);
    g_assert_cmpuint(m->instances->len, ==, AL_MDNS_MAX_INSTANCES);
    g_assert_cmpstr(inst_at(m, 63)->instance, ==, "Mac 63");
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* 40 TXT pairs, 20 addresses */
    b = header(0x8400, 0, 22, 0, 0);
    size_t inst = name(b, NO_PTR, "Mac", "_rfb", "_tcp", "local", NULL);
    size_t at = rr_begin(b, AL_MDNS_TYPE_TXT, IN, 120);
    for (unsigned i = 0; i < 40; i++) {
        char s[16];
        g_snprintf(s, sizeof(s), "k%u=%u", i, i);
        txt_string(b, s);
    }
    rr_end(b, at);
    name(b, (int)inst, NULL);
    at = rr_begin(b, AL_MDNS_TYPE_SRV, IN, 120);
    srv_fixed(b, 5900);
    size_t target = name(b, NO_PTR, "Mac", "local", NULL);
    rr_end(b, at);
    for (unsigned i = 0; i < 20; i++) {
        name(b, (int)target, NULL);
        at = rr_begin(b, AL_MDNS_TYPE_A, IN, 120);
        raw(b, (const uint8_t[]){10, 0, 0, (uint8_t)i}, 4);
        rr_end(b, at);
    }
    m = parse(b);
    assert_sane(m);
    g_assert_true(m->capped);
    g_assert_cmpuint(inst_at(m, 0)->txt->len, ==, TXT_MAX);
    g_assert_cmpstr(al_mdns_txt_value(inst_at(m, 0), "k31"), ==, "31");
    g_assert_null(al_mdns_txt_find(inst_at(m, 0), "k32"));
    g_assert_cmpuint(inst_at(m, 0)->addresses->len, ==, AL_MDNS_MAX_ADDRESSES);
    g_assert_cmpstr(addr_at(inst_at(m, 0), 15), ==, "10.0.0.15");
    al_mdns_message_free(m);
    g_byte_array_unref(b);

    /* AL_MDNS_MAX_RECORDS records are read: an SRV after 511 A records is,
     * after 512 it is not */
    for (unsigned n_a = 511; n_a <= 512; n_a++) {
        b = header(0x8400, 0, n_a + 1, 0, 0);
        for (unsigned i = 0; i < n_a; i++) {
            name(b, NO_PTR, NULL);
            at = rr_begin(b, AL_MDNS_TYPE_A, IN, 120);
            raw(b, (const uint8_t[]){10, 0, 0, 1}, 4);
            rr_end(b, at);
        }
        name(b, NO_PTR, "Mac", "_rfb", "_tcp", "local", NULL);
        at = rr_begin(b, AL_MDNS_TYPE_SRV, IN, 120);
        srv_fixed(b, 5900);
        name(b, NO_PTR, "Mac", "local", NULL);
        rr_end(b, at);
        m = parse(b);
        g_assert_cmpint(m->error, ==, AL_MDNS_OK);
        g_assert_cmpint(m->capped, ==, n_a == 512);
        g_assert_cmpuint(m->instances->len, ==, n_a == 512 ? 0 : 1);
        al_mdns_message_free(m);
        g_byte_array_unref(b);
    }
}

/* Every truncation of the AirPort message, then random damage. */
static void test_fuzz(void)
{
    GByteArray *msgs[2] = {airport(NULL), big_mac()};
    for (size_t k = 0; k < G_N_ELEMENTS(msgs); k++) {
        GByteArray *b = msgs[k];
        for (size_t cut = 0; cut <= b->len; cut++) {
            /* a copy of exactly cut bytes, so ASan sees any read past it */
            uint8_t *copy = g_memdup2(b->data, cut);
            al_mdns_message_t *m = al_mdns_parse(copy, cut);
            assert_sane(m);
            if (cut < b->len)
                g_assert_cmpint(m->error, !=, AL_MDNS_OK);
            else
                g_assert_cmpuint(m->instances->len, ==, 2);
            al_mdns_message_free(m);
            g_free(copy);
        }
    }

    GRand *rand = g_rand_new_with_seed(0x6d646e73);
    for (unsigned iter = 0; iter < 10000; iter++) {
        GByteArray *b = msgs[iter % 2];
        size_t len = b->len;
        if (g_rand_int_range(rand, 0, 4) == 0)
            len = (size_t)g_rand_int_range(rand, 0, (gint32)b->len + 1);
        uint8_t *copy = g_memdup2(b->data, len);
        unsigned flips = (unsigned)g_rand_int_range(rand, 1, 9);
        for (unsigned f = 0; f < flips && len > 0; f++)
            copy[g_rand_int_range(rand, 0, (gint32)len)] = (uint8_t)g_rand_int_range(rand, 0, 256);
        al_mdns_message_t *m = al_mdns_parse(copy, len);
        assert_sane(m);
        al_mdns_message_free(m);
        g_free(copy);
    }
    g_rand_free(rand);
    g_byte_array_unref(msgs[0]);
    g_byte_array_unref(msgs[1]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mdns/airport", test_airport);
    g_test_add_func("/mdns/compressed-big-mac", test_compressed_big_mac);
    g_test_add_func("/mdns/adisk", test_adisk);
    g_test_add_func("/mdns/standard-txt", test_standard_txt);
    g_test_add_func("/mdns/net-assistant-udp", test_net_assistant_udp);
    g_test_add_func("/mdns/ptr-only-and-goodbye", test_ptr_only_and_goodbye);
    g_test_add_func("/mdns/classes", test_classes);
    g_test_add_func("/mdns/query", test_query);
    g_test_add_func("/mdns/short-and-truncated", test_short_and_truncated);
    g_test_add_func("/mdns/rdlength-past-end", test_rdlength_past_end);
    g_test_add_func("/mdns/bad-rdata", test_bad_rdata);
    g_test_add_func("/mdns/pointer-loops", test_pointer_loops);
    g_test_add_func("/mdns/long-names", test_long_names);
    g_test_add_func("/mdns/instance-text", test_instance_text);
    g_test_add_func("/mdns/caps", test_caps);
    g_test_add_func("/mdns/fuzz", test_fuzz);
    return g_test_run();
}
