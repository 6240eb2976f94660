/* mdns-parse.c
 * DNS-SD service instances in one mDNS response: see mdns-parse.h.
 *
 * Two passes: the first walks the message once, checks every record's bounds
 * and keeps the position of the records that matter (PTR, SRV, TXT, A, AAAA of
 * class IN); the second finds the instances and fills them from those
 * records, comparing names by a hash first.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "mdns-parse.h"

#include <arpa/inet.h>
#include <string.h>

#define HEADER_LEN   12
#define FLAG_QR      0x8000
#define RR_FIXED_LEN 10 /* type, class, TTL, RDLENGTH */
#define SRV_FIXED    6  /* priority, weight, port */

/* A record the second pass may need: where its parts are, not copies. */
typedef struct {
    size_t owner_off;
    size_t rdata_off;
    uint32_t owner_hash;
    uint32_t ttl;
    uint16_t type;
    uint16_t rrclass; /* as sent, cache-flush bit included */
    uint16_t rdlen;
} record_t;

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void set_error(al_mdns_message_t *msg, al_mdns_error_t err)
{
    if (msg->error == AL_MDNS_OK)
        msg->error = err;
}

al_mdns_error_t al_mdns_read_name(const uint8_t *buf, size_t len, size_t off, al_mdns_name_t *name,
                                  size_t *end)
{
    size_t pos = off;
    size_t after = 0;
    bool jumped = false;
    unsigned jumps = 0;
    size_t wire = 1; /* the root label */
    size_t used = 0;

    name->n_labels = 0;
    name->wire_len = 0;
    if (!buf)
        return AL_MDNS_ERR_TRUNCATED;
    for (;;) {
        if (pos >= len)
            return AL_MDNS_ERR_TRUNCATED;
        uint8_t b = buf[pos];
        if ((b & 0xc0) == 0xc0) {
            if (len - pos < 2)
                return AL_MDNS_ERR_TRUNCATED;
            if (!jumped) {
                after = pos + 2;
                jumped = true;
            }
            size_t target = ((size_t)(b & 0x3f) << 8) | buf[pos + 1];
            if (++jumps > AL_MDNS_MAX_POINTERS || target >= len)
                return AL_MDNS_ERR_BAD_NAME;
            pos = target;
            continue;
        }
        if (b & 0xc0) /* 01 and 10: reserved label types */
            return AL_MDNS_ERR_BAD_NAME;
        if (b == 0)
            break;
        if (wire + 1 + b > AL_MDNS_MAX_NAME)
            return AL_MDNS_ERR_BAD_NAME;
        if (len - pos - 1 < b)
            return AL_MDNS_ERR_TRUNCATED;
        memcpy(name->bytes + used, buf + pos + 1, b);
        name->label_off[name->n_labels] = (uint8_t)used;
        name->label_len[name->n_labels] = b;
        name->n_labels++;
        used += b;
        wire += 1 + (size_t)b;
        pos += 1 + (size_t)b;
    }
    name->wire_len = wire;
    if (end)
        *end = jumped ? after : pos + 1;
    return AL_MDNS_OK;
}

static const uint8_t *label(const al_mdns_name_t *n, unsigned i)
{
    return n->bytes + n->label_off[i];
}

/* FNV-1a over the labels, ASCII case folded: DNS names compare so. */
static uint32_t name_hash(const al_mdns_name_t *n)
{
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < n->n_labels; i++) {
        const uint8_t *p = label(n, i);
        h = (h ^ n->label_len[i]) * 16777619u;
        for (unsigned j = 0; j < n->label_len[i]; j++)
            h = (h ^ (uint8_t)g_ascii_tolower(p[j])) * 16777619u;
    }
    return h;
}

static bool bytes_equal_nocase(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (g_ascii_tolower(a[i]) != g_ascii_tolower(b[i]))
            return false;
    }
    return true;
}

static bool label_is(const al_mdns_name_t *n, unsigned i, const char *s)
{
    size_t sl = strlen(s);
    return n->label_len[i] == sl && bytes_equal_nocase(label(n, i), (const uint8_t *)s, sl);
}

static bool names_equal(const al_mdns_name_t *a, const al_mdns_name_t *b)
{
    if (a->n_labels != b->n_labels)
        return false;
    for (unsigned i = 0; i < a->n_labels; i++) {
        if (a->label_len[i] != b->label_len[i] ||
            !bytes_equal_nocase(label(a, i), label(b, i), a->label_len[i]))
            return false;
    }
    return true;
}

/* <Instance>.<_service>.<_tcp|_udp>.<domain...> */
static bool is_instance_name(const al_mdns_name_t *n)
{
    return n->n_labels >= 4 && n->label_len[0] > 0 && n->label_len[1] >= 2 &&
           label(n, 1)[0] == '_' && (label_is(n, 2, "_tcp") || label_is(n, 2, "_udp"));
}

static char *valid_text(const uint8_t *p, size_t n)
{
    if (n == 0)
        return g_strdup("");
    return g_utf8_make_valid((const char *)p, (gssize)n);
}

/* Labels first..last-1 joined by '.', with '.' and '\' inside a label
 * escaped; "." for the root name. */
static char *labels_text(const al_mdns_name_t *n, unsigned first, unsigned last)
{
    if (n->n_labels == 0)
        return g_strdup(".");
    GString *s = g_string_sized_new(n->wire_len);
    for (unsigned i = first; i < last && i < n->n_labels; i++) {
        const uint8_t *p = label(n, i);
        if (i > first)
            g_string_append_c(s, '.');
        for (unsigned j = 0; j < n->label_len[i]; j++) {
            if (p[j] == '.' || p[j] == '\\')
                g_string_append_c(s, '\\');
            g_string_append_c(s, (char)p[j]);
        }
    }
    char *text = valid_text((const uint8_t *)s->str, s->len);
    g_string_free(s, TRUE);
    return text;
}

static void txt_pair_free(gpointer data)
{
    al_mdns_txt_pair_t *pair = data;
    g_free(pair->key);
    g_free(pair->value);
    g_free(pair->parent);
    g_free(pair);
}

static void instance_free(gpointer data)
{
    al_mdns_instance_t *inst = data;
    g_free(inst->instance);
    g_free(inst->service);
    g_free(inst->domain);
    g_free(inst->target);
    g_ptr_array_unref(inst->txt);
    g_ptr_array_unref(inst->addresses);
    g_free(inst);
}

void al_mdns_message_free(al_mdns_message_t *msg)
{
    if (!msg)
        return;
    g_ptr_array_unref(msg->instances);
    g_free(msg);
}

/* ---- TXT ---- */

static bool is_key_byte(uint8_t c)
{
    return g_ascii_isalnum(c) || c == '_' || c == '-';
}

/* s[at..] starts with KEY= (KEY: letters, digits, '_', '-'). */
static bool key_at(const uint8_t *s, size_t n, size_t at)
{
    size_t i = at;
    while (i < n && is_key_byte(s[i]))
        i++;
    return i > at && i < n && s[i] == '=';
}

/* The first comma at or after from that starts a new KEY= item, or n. */
static size_t next_item(const uint8_t *s, size_t n, size_t from)
{
    for (size_t i = from; i < n; i++) {
        if (s[i] == ',' && key_at(s, n, i + 1))
            return i;
    }
    return n;
}

static const uint8_t *find_eq(const uint8_t *s, size_t n)
{
    return memchr(s, '=', n);
}

static void add_pair(al_mdns_message_t *msg, al_mdns_instance_t *inst, const uint8_t *s, size_t n,
                     const uint8_t *parent, size_t parent_len)
{
    if (n == 0 || s[0] == '=') /* no key: RFC 6763 6.4 says ignore */
        return;
    if (inst->txt->len >= AL_MDNS_MAX_TXT_PAIRS) {
        msg->capped = true;
        return;
    }
    const uint8_t *eq = find_eq(s, n);
    al_mdns_txt_pair_t *pair = g_new0(al_mdns_txt_pair_t, 1);
    size_t key_len = eq ? (size_t)(eq - s) : n;
    pair->key = valid_text(s, key_len);
    if (eq)
        pair->value = valid_text(eq + 1, n - key_len - 1);
    if (parent)
        pair->parent = valid_text(parent, parent_len);
    g_ptr_array_add(inst->txt, pair);
}

/* Every KEY=value item of a comma-separated list. */
static void add_items(al_mdns_message_t *msg, al_mdns_instance_t *inst, const uint8_t *s, size_t n,
                      const uint8_t *parent, size_t parent_len)
{
    size_t pos = 0;
    while (pos < n) {
        size_t end = next_item(s, n, pos);
        add_pair(msg, inst, s + pos, end - pos, parent, parent_len);
        pos = end + 1;
    }
}

/* One string of a TXT record: a pair, an AirPort list or an _adisk pair with
 * a list in its value (see mdns-parse.h). */
static void add_txt_string(al_mdns_message_t *msg, al_mdns_instance_t *inst, const uint8_t *s,
                           size_t n)
{
    if (n == 0)
        return;
    const uint8_t *eq = find_eq(s, n);
    if (!eq) {
        add_pair(msg, inst, s, n, NULL, 0);
        return;
    }
    size_t key_len = (size_t)(eq - s);
    const uint8_t *v = eq + 1;
    size_t vn = n - key_len - 1;
    if (key_at(v, vn, 0) && next_item(v, vn, 0) < vn) {
        add_pair(msg, inst, s, n, NULL, 0);
        add_items(msg, inst, v, vn, s, key_len);
    } else if (next_item(s, n, 0) < n) {
        add_items(msg, inst, s, n, NULL, 0);
    } else {
        add_pair(msg, inst, s, n, NULL, 0);
    }
}

static void parse_txt(al_mdns_message_t *msg, al_mdns_instance_t *inst, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t sl = p[i++];
        if (sl > n - i) {
            set_error(msg, AL_MDNS_ERR_BAD_RDATA);
            return;
        }
        add_txt_string(msg, inst, p + i, sl);
        i += sl;
    }
}

const al_mdns_txt_pair_t *al_mdns_txt_find(const al_mdns_instance_t *inst, const char *key)
{
    if (!inst || !key)
        return NULL;
    for (int sub = 0; sub < 2; sub++) {
        for (guint i = 0; i < inst->txt->len; i++) {
            const al_mdns_txt_pair_t *pair = g_ptr_array_index(inst->txt, i);
            if ((pair->parent != NULL) == (sub == 1) && g_ascii_strcasecmp(pair->key, key) == 0)
                return pair;
        }
    }
    return NULL;
}

const al_mdns_txt_pair_t *al_mdns_txt_find_sub(const al_mdns_instance_t *inst, const char *parent,
                                               const char *key)
{
    if (!inst || !parent || !key)
        return NULL;
    for (guint i = 0; i < inst->txt->len; i++) {
        const al_mdns_txt_pair_t *pair = g_ptr_array_index(inst->txt, i);
        if (pair->parent && g_ascii_strcasecmp(pair->parent, parent) == 0 &&
            g_ascii_strcasecmp(pair->key, key) == 0)
            return pair;
    }
    return NULL;
}

const char *al_mdns_txt_value(const al_mdns_instance_t *inst, const char *key)
{
    const al_mdns_txt_pair_t *pair = al_mdns_txt_find(inst, key);
    return pair ? pair->value : NULL;
}

/* ---- the second pass ---- */

typedef struct {
    const uint8_t *buf;
    size_t len;
    const record_t *rr;
    size_t n_rr;
    al_mdns_message_t *msg;
    GArray *names; /* al_mdns_name_t of each instance, parallel to msg->instances */
} ctx_t;

/* Whether record r's owner is name (whose hash is h). */
static bool owner_is(const ctx_t *c, const record_t *r, const al_mdns_name_t *name, uint32_t h)
{
    al_mdns_name_t owner;
    if (r->owner_hash != h)
        return false;
    /* read without error in the first pass */
    if (al_mdns_read_name(c->buf, c->len, r->owner_off, &owner, NULL) != AL_MDNS_OK)
        return false;
    return names_equal(&owner, name);
}

static al_mdns_instance_t *instance_for(ctx_t *c, const al_mdns_name_t *name)
{
    for (guint i = 0; i < c->names->len; i++) {
        if (names_equal(&g_array_index(c->names, al_mdns_name_t, i), name))
            return g_ptr_array_index(c->msg->instances, i);
    }
    if (c->msg->instances->len >= AL_MDNS_MAX_INSTANCES) {
        c->msg->capped = true;
        return NULL;
    }
    al_mdns_instance_t *inst = g_new0(al_mdns_instance_t, 1);
    inst->instance = valid_text(label(name, 0), name->label_len[0]);
    inst->service = labels_text(name, 1, 3);
    inst->domain = labels_text(name, 3, name->n_labels);
    inst->transport = label_is(name, 2, "_udp") ? AL_TRANSPORT_UDP : AL_TRANSPORT_TCP;
    inst->target = g_strdup("");
    inst->txt = g_ptr_array_new_with_free_func(txt_pair_free);
    inst->addresses = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(c->msg->instances, inst);
    g_array_append_val(c->names, *name);
    return inst;
}

/* A name inside RDATA: its uncompressed part must end within the RDATA. */
static bool rdata_name(ctx_t *c, const record_t *r, size_t off, al_mdns_name_t *name)
{
    size_t end;
    al_mdns_error_t err = al_mdns_read_name(c->buf, c->len, off, name, &end);
    if (err != AL_MDNS_OK) {
        set_error(c->msg, err);
        return false;
    }
    if (end > r->rdata_off + r->rdlen) {
        set_error(c->msg, AL_MDNS_ERR_BAD_RDATA);
        return false;
    }
    return true;
}

static void find_instances(ctx_t *c)
{
    for (size_t i = 0; i < c->n_rr; i++) {
        const record_t *r = &c->rr[i];
        al_mdns_name_t name;
        if (r->type == AL_MDNS_TYPE_PTR) {
            if (!rdata_name(c, r, r->rdata_off, &name))
                continue;
        } else if (r->type == AL_MDNS_TYPE_SRV || r->type == AL_MDNS_TYPE_TXT) {
            if (al_mdns_read_name(c->buf, c->len, r->owner_off, &name, NULL) != AL_MDNS_OK)
                continue;
        } else {
            continue;
        }
        if (!is_instance_name(&name))
            continue;
        al_mdns_instance_t *inst = instance_for(c, &name);
        if (inst && r->type == AL_MDNS_TYPE_PTR && r->ttl == 0)
            inst->goodbye = true;
    }
}

static void add_address(ctx_t *c, al_mdns_instance_t *inst, const record_t *r)
{
    char text[INET6_ADDRSTRLEN];
    const uint8_t *p = c->buf + r->rdata_off;

    if (r->type == AL_MDNS_TYPE_A && r->rdlen == 4) {
        if (!inet_ntop(AF_INET, p, text, sizeof(text)))
            return;
    } else if (r->type == AL_MDNS_TYPE_AAAA && r->rdlen == 16) {
        if (!inet_ntop(AF_INET6, p, text, sizeof(text)))
            return;
    } else {
        set_error(c->msg, AL_MDNS_ERR_BAD_RDATA);
        return;
    }
    for (guint i = 0; i < inst->addresses->len; i++) {
        if (strcmp(g_ptr_array_index(inst->addresses, i), text) == 0)
            return;
    }
    if (inst->addresses->len >= AL_MDNS_MAX_ADDRESSES) {
        c->msg->capped = true;
        return;
    }
    g_ptr_array_add(inst->addresses, g_strdup(text));
}

static void fill_instance(ctx_t *c, guint n)
{
    al_mdns_instance_t *inst = g_ptr_array_index(c->msg->instances, n);
    const al_mdns_name_t *name = &g_array_index(c->names, al_mdns_name_t, n);
    uint32_t h = name_hash(name);
    al_mdns_name_t target;

    for (size_t i = 0; i < c->n_rr; i++) {
        const record_t *r = &c->rr[i];
        if (r->type == AL_MDNS_TYPE_SRV && !inst->has_srv && owner_is(c, r, name, h)) {
            if (r->rdlen < SRV_FIXED + 1) {
                set_error(c->msg, AL_MDNS_ERR_BAD_RDATA);
                continue;
            }
            if (!rdata_name(c, r, r->rdata_off + SRV_FIXED, &target))
                continue;
            inst->has_srv = true;
            inst->port = get_u16(c->buf + r->rdata_off + 4);
            g_free(inst->target);
            inst->target = labels_text(&target, 0, target.n_labels);
            inst->cache_flush |= (r->rrclass & AL_MDNS_CLASS_CACHE_FLUSH) != 0;
        } else if (r->type == AL_MDNS_TYPE_TXT && !inst->has_txt && owner_is(c, r, name, h)) {
            inst->has_txt = true;
            inst->cache_flush |= (r->rrclass & AL_MDNS_CLASS_CACHE_FLUSH) != 0;
            parse_txt(c->msg, inst, c->buf + r->rdata_off, r->rdlen);
        }
    }
    if (!inst->has_srv)
        return;
    uint32_t th = name_hash(&target);
    for (size_t i = 0; i < c->n_rr; i++) {
        const record_t *r = &c->rr[i];
        if ((r->type == AL_MDNS_TYPE_A || r->type == AL_MDNS_TYPE_AAAA) &&
            owner_is(c, r, &target, th))
            add_address(c, inst, r);
    }
}

/* ---- the first pass ---- */

static bool wanted_type(uint16_t type)
{
    return type == AL_MDNS_TYPE_PTR || type == AL_MDNS_TYPE_SRV || type == AL_MDNS_TYPE_TXT ||
           type == AL_MDNS_TYPE_A || type == AL_MDNS_TYPE_AAAA;
}

al_mdns_message_t *al_mdns_parse(const uint8_t *buf, size_t len)
{
    al_mdns_message_t *msg = g_new0(al_mdns_message_t, 1);
    msg->instances = g_ptr_array_new_with_free_func(instance_free);
    if (!buf || len < HEADER_LEN) {
        msg->error = AL_MDNS_ERR_SHORT;
        return msg;
    }
    msg->is_response = (get_u16(buf + 2) & FLAG_QR) != 0;
    unsigned n_questions = get_u16(buf + 4);
    size_t n_records = (size_t)get_u16(buf + 6) + get_u16(buf + 8) + get_u16(buf + 10);
    size_t off = HEADER_LEN;
    al_mdns_name_t name;
    size_t end;

    for (unsigned i = 0; i < n_questions; i++) {
        al_mdns_error_t err = al_mdns_read_name(buf, len, off, &name, &end);
        if (err == AL_MDNS_OK && len - end < 4)
            err = AL_MDNS_ERR_TRUNCATED;
        if (err != AL_MDNS_OK) {
            msg->error = err;
            return msg;
        }
        if (get_u16(buf + end + 2) & AL_MDNS_CLASS_UNICAST)
            msg->unicast_response = true;
        off = end + 4;
    }
    if (!msg->is_response)
        return msg;

    record_t *rr = g_new(record_t, MIN(n_records, (size_t)AL_MDNS_MAX_RECORDS));
    size_t n_rr = 0;
    for (size_t i = 0; i < n_records; i++) {
        al_mdns_error_t err = al_mdns_read_name(buf, len, off, &name, &end);
        if (err == AL_MDNS_OK && len - end < RR_FIXED_LEN)
            err = AL_MDNS_ERR_TRUNCATED;
        if (err != AL_MDNS_OK) {
            set_error(msg, err);
            break;
        }
        const uint8_t *p = buf + end;
        record_t r = {
            .owner_off = off,
            .rdata_off = end + RR_FIXED_LEN,
            .type = get_u16(p),
            .rrclass = get_u16(p + 2),
            .ttl = get_u32(p + 4),
            .rdlen = get_u16(p + 8),
        };
        if (len - r.rdata_off < r.rdlen) {
            set_error(msg, AL_MDNS_ERR_TRUNCATED);
            break;
        }
        off = r.rdata_off + r.rdlen;
        if ((r.rrclass & ~AL_MDNS_CLASS_CACHE_FLUSH) != AL_MDNS_CLASS_IN || !wanted_type(r.type))
            continue;
        if (n_rr >= AL_MDNS_MAX_RECORDS) {
            msg->capped = true;
            break;
        }
        r.owner_hash = name_hash(&name);
        rr[n_rr++] = r;
    }

    ctx_t c = {.buf = buf, .len = len, .rr = rr, .n_rr = n_rr, .msg = msg};
    c.names = g_array_new(FALSE, FALSE, sizeof(al_mdns_name_t));
    find_instances(&c);
    for (guint i = 0; i < msg->instances->len; i++)
        fill_instance(&c, i);
    g_array_free(c.names, TRUE);
    g_free(rr);
    return msg;
}
