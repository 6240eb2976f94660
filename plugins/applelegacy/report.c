/* report.c
 * tshark -z applelegacy,report[,json][,FILTER]
 *
 * At the end of the run, one row per (server address, service port,
 * transport): service, registration, lifecycle, clients, conversations,
 * packets, bytes, first and last seen, and warnings, most concerning first.
 * The JSON rows also list the client addresses (sorted), so that reports of
 * several captures can be merged with clients counted once
 * (tools/applelegacy-report).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/address_types.h>
#include <epan/to_str.h>

#include "ws-compat.h"

#include "applelegacy.h"
#include "conn-state.h"
#ifdef HAVE_ARD_PARSE
#include "ard-parse.h"
#endif

#define REPORT_PREFIX "applelegacy,report"

typedef struct {
    char *server;
    uint16_t port;
    uint8_t transport;
    const al_group_t *group;
    GHashTable *clients;       /* client address text -> NULL */
    GHashTable *conversations; /* conversation id -> NULL */
    guint64 packets;
    guint64 bytes;
    nstime_t first_seen;
    nstime_t last_seen;
    unsigned warnings;
    const char *observed;         /* recognised protocol, else "unknown", else NULL */
    guint states[AL_STATE_COUNT]; /* conversations by their final state */
} report_row_t;

/* One conversation, as its packets were counted. */
typedef struct {
    const char *server; /* interned in report_t.names */
    const char *client;
    uint16_t port;
    uint8_t transport;
    uint8_t state; /* al_state_t after its last packet */
    bool to_group; /* broadcast or multicast: no probe finding */
    const al_group_t *group;
    guint64 packets;
    guint64 bytes;
    nstime_t first_seen;
    nstime_t last_seen;
    unsigned warnings;
    const char *observed;
} report_conv_t;

/* A probe finding: what one client sent to Apple ports of one server, where
 * something went unanswered or was refused. */
typedef struct {
    const char *client;
    const char *server;
    GHashTable *ports; /* "transport|port" -> probe_port_t */
    guint64 conversations;
    guint64 packets;
    nstime_t first_seen;
    nstime_t last_seen;
    bool unanswered; /* at least one conversation not answered */
} report_probe_t;

typedef struct {
    uint16_t port;
    uint8_t transport;
    uint8_t state; /* the best outcome of its conversations */
    const al_row_t *row;
} probe_port_t;

/* One advertised service instance of the Bonjour inventory. */
typedef struct {
    GHashTable *hosts; /* announcer address text -> NULL */
    char *service_type;
    char *instance;
    char *target;
    char *model;
    char *firmware;
    const al_group_t *group;
    uint16_t port;
    uint8_t transport;
    guint64 announcements;
    nstime_t first_seen;
    nstime_t last_seen;
} report_bonjour_t;

typedef struct {
    GPtrArray *convs;    /* report_conv_t, indexed by conversation id (NULL: none) */
    GHashTable *names;   /* address texts, each once */
    GHashTable *bonjour; /* "host|type|instance|port" -> report_bonjour_t */
    bool bonjour_listening;
    GHashTable *ard;    /* "server|transport|port" -> AL_WARN_ARD_* bits from the ard tap */
    bool ard_listening; /* the ard listener owns (and frees) ard */
    bool json;
} report_t;

static const struct {
    unsigned bit;
    const char *name;
} warning_names[] = {
    {AL_WARN_PROTOCOL_MISMATCH, "protocol_mismatch"},
    {AL_WARN_ARD_AMPLIFICATION, "ard_amplification"},
    {AL_WARN_ARD_MANY_SOURCES, "ard_many_sources"},
    {AL_WARN_ABANDONED, "abandoned"},
    {AL_WARN_REGISTERED_TO_OTHER, "registered_to_other"},
    {AL_WARN_UNREGISTERED_USE, "unregistered_use"},
    {AL_WARN_UNASSIGNED, "unassigned"},
};

static void row_free(gpointer p)
{
    report_row_t *row = (report_row_t *)p;
    g_free(row->server);
    g_hash_table_destroy(row->clients);
    g_hash_table_destroy(row->conversations);
    g_free(row);
}

static void conv_free(gpointer p)
{
    g_free(p);
}

/* An address as text, kept once for all the conversations that share it. */
static const char *intern_address(report_t *r, const address *a)
{
    char *text = address_to_str(NULL, a);
    char *kept = (char *)g_hash_table_lookup(r->names, text);
    if (!kept) {
        kept = g_strdup(text);
        g_hash_table_add(r->names, kept);
    }
    wmem_free(NULL, text);
    return kept;
}

static void probe_free(gpointer p)
{
    report_probe_t *f = (report_probe_t *)p;
    g_hash_table_destroy(f->ports);
    g_free(f);
}

static void bonjour_free(gpointer p)
{
    report_bonjour_t *b = (report_bonjour_t *)p;
    g_hash_table_destroy(b->hosts);
    g_free(b->service_type);
    g_free(b->instance);
    g_free(b->target);
    g_free(b->model);
    g_free(b->firmware);
    g_free(b);
}

static void report_reset(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    g_ptr_array_set_size(r->convs, 0);
    g_hash_table_remove_all(r->names);
    g_hash_table_remove_all(r->bonjour);
    g_hash_table_remove_all(r->ard);
}

static void count_packet(nstime_t *first, nstime_t *last, bool first_packet, const nstime_t *ts)
{
    if (first_packet || nstime_cmp(ts, first) < 0)
        *first = *ts;
    if (first_packet || nstime_cmp(ts, last) > 0)
        *last = *ts;
}

#ifdef HAVE_ARD_PARSE
/* The ard plugin's tap: amplification and many-sources events, counted on
 * the responder's row (the sender of the packet that raised them). */
static tap_packet_status report_ard_packet(void *tapdata, packet_info *pinfo,
                                           epan_dissect_t *edt _U_, const void *data,
                                           tap_flags_t flags _U_)
{
    GHashTable *ard = (GHashTable *)tapdata;
    const ard_tap_info_t *info = (const ard_tap_info_t *)data;
    unsigned bits = (info->amplification ? AL_WARN_ARD_AMPLIFICATION : 0) |
                    (info->many_sources ? AL_WARN_ARD_MANY_SOURCES : 0);
    if (!bits || !info->is_response || pinfo->ptype != PT_UDP)
        return TAP_PACKET_DONT_REDRAW;
    char *server = address_to_str(NULL, &pinfo->src);
    char *key = g_strdup_printf("%s|%u|%u", server, AL_TRANSPORT_UDP, pinfo->srcport);
    wmem_free(NULL, server);
    bits |= GPOINTER_TO_UINT(g_hash_table_lookup(ard, key));
    g_hash_table_insert(ard, key, GUINT_TO_POINTER(bits));
    return TAP_PACKET_REDRAW;
}
#endif

static tap_packet_status report_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                       const void *data, tap_flags_t flags _U_)
{
    report_t *r = (report_t *)tapdata;
    const al_tap_info_t *info = (const al_tap_info_t *)data;
    /* A conversation's server, port and client do not change: after its
     * first packet only the counters are updated (no address text, no
     * string keys on every packet). */
    guint id = info->conversation_id;
    if (id >= r->convs->len)
        g_ptr_array_set_size(r->convs, (gint)MAX(id + 1, r->convs->len * 2));
    report_conv_t *c = (report_conv_t *)g_ptr_array_index(r->convs, id);
    if (!c) {
        c = g_new0(report_conv_t, 1);
        c->server = intern_address(r, info->server);
        c->client = intern_address(r, info->client);
        c->port = info->service_port;
        c->transport = info->transport;
        c->to_group = info->to_group;
        c->group = info->group;
        g_ptr_array_index(r->convs, id) = c;
    }
    count_packet(&c->first_seen, &c->last_seen, c->packets == 0, &pinfo->abs_ts);
    c->packets++;
    c->bytes += pinfo->fd->pkt_len;
    c->state = info->state;
    c->warnings |= info->warnings;
    if (info->observed && (!c->observed || strcmp(c->observed, "unknown") == 0))
        c->observed = info->observed;
    return TAP_PACKET_REDRAW;
}

static tap_packet_status report_bonjour_packet(void *tapdata, packet_info *pinfo,
                                               epan_dissect_t *edt _U_, const void *data,
                                               tap_flags_t flags _U_)
{
    GHashTable *table = (GHashTable *)tapdata;
    const al_bonjour_tap_info_t *info = (const al_bonjour_tap_info_t *)data;
    char *host = address_to_str(NULL, info->host);
    char *key = g_strdup_printf("%s|%s|%s|%u", info->target, info->service_type, info->instance,
                                info->port);
    report_bonjour_t *b = (report_bonjour_t *)g_hash_table_lookup(table, key);
    if (!b) {
        b = g_new0(report_bonjour_t, 1);
        b->hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        b->service_type = g_strdup(info->service_type);
        b->instance = g_strdup(info->instance);
        b->target = g_strdup(info->target);
        b->model = g_strdup(info->model);
        b->firmware = g_strdup(info->firmware);
        b->group = info->group;
        b->port = info->port;
        b->transport = info->transport;
        g_hash_table_insert(table, key, b);
    } else {
        g_free(key);
        if (!b->model[0] && info->model[0]) {
            g_free(b->model);
            b->model = g_strdup(info->model);
        }
        if (!b->firmware[0] && info->firmware[0]) {
            g_free(b->firmware);
            b->firmware = g_strdup(info->firmware);
        }
    }
    if (!g_hash_table_contains(b->hosts, host))
        g_hash_table_add(b->hosts, g_strdup(host));
    wmem_free(NULL, host);
    count_packet(&b->first_seen, &b->last_seen, b->announcements == 0, &pinfo->abs_ts);
    b->announcements++;
    return TAP_PACKET_REDRAW;
}

/* Discontinued services first, then by service type, host and instance. */
static int bonjour_order(gconstpointer pa, gconstpointer pb)
{
    const report_bonjour_t *a = *(const report_bonjour_t *const *)pa;
    const report_bonjour_t *b = *(const report_bonjour_t *const *)pb;
    uint8_t la = a->group->rows[0]->lifecycle, lb = b->group->rows[0]->lifecycle;
    if (la != lb)
        return la > lb ? -1 : 1;
    int c = strcmp(a->service_type, b->service_type);
    if (!c)
        c = strcmp(a->target, b->target);
    if (!c)
        c = strcmp(a->instance, b->instance);
    return c ? c : (a->port < b->port ? -1 : a->port > b->port);
}

/* The announcer's addresses, sorted, ","-separated. */
static char *hosts_text(const report_bonjour_t *b)
{
    GList *hosts = g_list_sort(g_hash_table_get_keys(b->hosts), (GCompareFunc)strcmp);
    GString *s = g_string_new(NULL);
    for (GList *h = hosts; h; h = h->next) {
        if (h != hosts)
            g_string_append_c(s, ',');
        g_string_append(s, (const char *)h->data);
    }
    g_list_free(hosts);
    return g_string_free(s, FALSE);
}

static GPtrArray *sorted_bonjour(report_t *r)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, r->bonjour);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(out, value);
    g_ptr_array_sort(out, bonjour_order);
    return out;
}

/* The service rows: the conversations the service side answered, by server,
 * transport and port. */
static GHashTable *service_rows(report_t *r)
{
    GHashTable *rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, row_free);
    for (guint id = 0; id < r->convs->len; id++) {
        const report_conv_t *c = (const report_conv_t *)g_ptr_array_index(r->convs, id);
        if (!c || !al_state_answered((al_state_t)c->state))
            continue;
        char *key = g_strdup_printf("%s|%u|%u", c->server, c->transport, c->port);
        report_row_t *row = (report_row_t *)g_hash_table_lookup(rows, key);
        if (!row) {
            row = g_new0(report_row_t, 1);
            row->server = g_strdup(c->server);
            row->port = c->port;
            row->transport = c->transport;
            row->group = c->group;
            row->clients = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            row->conversations = g_hash_table_new(g_direct_hash, g_direct_equal);
            row->warnings = GPOINTER_TO_UINT(g_hash_table_lookup(r->ard, key));
            g_hash_table_insert(rows, key, row);
        } else {
            g_free(key);
        }
        if (!g_hash_table_contains(row->clients, c->client))
            g_hash_table_add(row->clients, g_strdup(c->client));
        g_hash_table_add(row->conversations, GUINT_TO_POINTER(id));
        bool first = row->packets == 0;
        count_packet(&row->first_seen, &row->last_seen, first, &c->first_seen);
        count_packet(&row->first_seen, &row->last_seen, false, &c->last_seen);
        row->packets += c->packets;
        row->bytes += c->bytes;
        row->states[c->state]++;
        row->warnings |= c->warnings;
        if (c->observed && (!row->observed || strcmp(row->observed, "unknown") == 0))
            row->observed = c->observed;
    }
    return rows;
}

/* The probe findings: per client and server, every conversation to an Apple
 * port, where at least one went unanswered or was refused. */
static GPtrArray *probe_findings(report_t *r)
{
    /* the pairs with something unanswered first: only they become findings */
    GHashTable *probed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint id = 0; id < r->convs->len; id++) {
        const report_conv_t *c = (const report_conv_t *)g_ptr_array_index(r->convs, id);
        if (c && !c->to_group && !al_state_answered((al_state_t)c->state))
            g_hash_table_add(probed, g_strdup_printf("%s|%s", c->client, c->server));
    }
    GHashTable *pairs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, probe_free);
    gpointer value;
    for (guint id = 0; id < r->convs->len && g_hash_table_size(probed); id++) {
        const report_conv_t *c = (const report_conv_t *)g_ptr_array_index(r->convs, id);
        if (!c)
            continue;
        char *key = g_strdup_printf("%s|%s", c->client, c->server);
        if (!g_hash_table_contains(probed, key)) {
            g_free(key);
            continue;
        }
        report_probe_t *f = (report_probe_t *)g_hash_table_lookup(pairs, key);
        if (!f) {
            f = g_new0(report_probe_t, 1);
            f->client = c->client;
            f->server = c->server;
            f->ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
            g_hash_table_insert(pairs, key, f);
        } else {
            g_free(key);
        }
        if (!al_state_answered((al_state_t)c->state))
            f->unanswered = true;
        count_packet(&f->first_seen, &f->last_seen, f->conversations == 0, &c->first_seen);
        count_packet(&f->first_seen, &f->last_seen, false, &c->last_seen);
        f->conversations++;
        f->packets += c->packets;
        char *pkey = g_strdup_printf("%u|%u", c->transport, c->port);
        probe_port_t *pp = (probe_port_t *)g_hash_table_lookup(f->ports, pkey);
        if (!pp) {
            pp = g_new0(probe_port_t, 1);
            pp->port = c->port;
            pp->transport = c->transport;
            pp->state = c->state;
            pp->row = c->group->rows[0];
            g_hash_table_insert(f->ports, pkey, pp);
        } else {
            g_free(pkey);
            if (c->state > pp->state)
                pp->state = c->state;
        }
    }
    GPtrArray *out = g_ptr_array_new_with_free_func(probe_free);
    GHashTableIter pi;
    gpointer k;
    g_hash_table_iter_init(&pi, pairs);
    while (g_hash_table_iter_next(&pi, &k, &value)) {
        if (((report_probe_t *)value)->unanswered) {
            g_ptr_array_add(out, value);
            g_hash_table_iter_steal(&pi);
            g_free(k);
        }
    }
    g_hash_table_destroy(pairs);
    g_hash_table_destroy(probed);
    return out;
}

static int row_order(gconstpointer pa, gconstpointer pb)
{
    const report_row_t *a = *(const report_row_t *const *)pa;
    const report_row_t *b = *(const report_row_t *const *)pb;
    unsigned wa = al_warning_weight(a->warnings), wb = al_warning_weight(b->warnings);
    if (wa != wb)
        return wa > wb ? -1 : 1;
    if (a->packets != b->packets)
        return a->packets > b->packets ? -1 : 1;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    if (a->transport != b->transport)
        return a->transport < b->transport ? -1 : 1;
    return strcmp(a->server, b->server);
}

static char *format_time(const nstime_t *t)
{
    struct tm tm;
    time_t secs = t->secs;
    char buf[32];
    if (!gmtime_r(&secs, &tm))
        return g_strdup("-");
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    return g_strdup_printf("%s.%06dZ", buf, t->nsecs / 1000);
}

static char *warnings_text(unsigned w, const char *sep)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(warning_names); i++) {
        if (w & warning_names[i].bit) {
            if (s->len)
                g_string_append(s, sep);
            g_string_append(s, warning_names[i].name);
        }
    }
    return g_string_free(s, FALSE);
}

/* "data exchanged" where every conversation got there, else "2 data
 * exchanged, 1 answered", furthest first. */
static char *states_text(const report_row_t *row)
{
    GString *s = g_string_new(NULL);
    unsigned kinds = 0;
    for (int st = AL_STATE_COUNT - 1; st >= 0; st--)
        kinds += row->states[st] != 0;
    for (int st = AL_STATE_COUNT - 1; st >= 0; st--) {
        if (!row->states[st])
            continue;
        if (s->len)
            g_string_append(s, ", ");
        if (kinds > 1)
            g_string_append_printf(s, "%u ", row->states[st]);
        g_string_append(s, al_state_names[st]);
    }
    return g_string_free(s, FALSE);
}

/* The services of a group, " / "-separated (a port used by two services). */
static char *services_text(const al_group_t *g)
{
    GString *s = g_string_new(NULL);
    for (unsigned i = 0; i < g->count; i++) {
        if (i)
            g_string_append(s, " / ");
        g_string_append(s, g->rows[i]->service);
    }
    return g_string_free(s, FALSE);
}

static void json_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
}

static GPtrArray *sorted_rows(GHashTable *rows)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, rows);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(out, value);
    g_ptr_array_sort(out, row_order);
    return out;
}

/* Findings with the most ports first, then by client and server. */
static guint probe_ports(const report_probe_t *f)
{
    return g_hash_table_size(f->ports);
}

static int probe_order(gconstpointer pa, gconstpointer pb)
{
    const report_probe_t *a = *(const report_probe_t *const *)pa;
    const report_probe_t *b = *(const report_probe_t *const *)pb;
    if (probe_ports(a) != probe_ports(b))
        return probe_ports(a) > probe_ports(b) ? -1 : 1;
    int c = strcmp(a->client, b->client);
    return c ? c : strcmp(a->server, b->server);
}

static int port_order(gconstpointer pa, gconstpointer pb)
{
    const probe_port_t *a = *(const probe_port_t *const *)pa;
    const probe_port_t *b = *(const probe_port_t *const *)pb;
    if (a->transport != b->transport)
        return a->transport < b->transport ? -1 : 1;
    if (a->row->port_lo != b->row->port_lo)
        return a->row->port_lo < b->row->port_lo ? -1 : 1;
    return a->port < b->port ? -1 : a->port > b->port;
}

/* The finding's ports in order (transport, row, port). */
static GPtrArray *sorted_ports(const report_probe_t *f)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, f->ports);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(out, value);
    g_ptr_array_sort(out, port_order);
    return out;
}

/* Ports answered, rejected and unanswered. */
static void probe_counts(const report_probe_t *f, guint counts[3])
{
    GHashTableIter it;
    gpointer value;
    counts[0] = counts[1] = counts[2] = 0;
    g_hash_table_iter_init(&it, f->ports);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        al_state_t s = (al_state_t)((const probe_port_t *)value)->state;
        counts[al_state_answered(s) ? 0 : s == AL_STATE_REJECTED ? 1 : 2]++;
    }
}

/* "udp/626 serialnumberd (rejected), tcp/49152-65535 Xsan (3 ports: 3
 * rejected)": a range row is one entry, never one per port. */
static char *ports_text(const report_probe_t *f)
{
    GString *s = g_string_new(NULL);
    GPtrArray *ports = sorted_ports(f);
    for (guint i = 0; i < ports->len;) {
        const probe_port_t *p = (const probe_port_t *)g_ptr_array_index(ports, i);
        if (s->len)
            g_string_append(s, ", ");
        if (!al_row_is_range(p->row)) {
            g_string_append_printf(s, "%s/%u %s (%s)", al_transport_names[p->transport], p->port,
                                   p->row->service, al_state_names[p->state]);
            i++;
            continue;
        }
        guint n[3] = {0, 0, 0}, j = i;
        for (; j < ports->len; j++) {
            const probe_port_t *q = (const probe_port_t *)g_ptr_array_index(ports, j);
            if (q->row != p->row)
                break;
            n[al_state_answered((al_state_t)q->state) ? 0
              : q->state == AL_STATE_REJECTED         ? 1
                                                      : 2]++;
        }
        g_string_append_printf(s, "%s/%u-%u %s (%u port%s:", al_transport_names[p->transport],
                               p->row->port_lo, p->row->port_hi, p->row->service, j - i,
                               j - i == 1 ? "" : "s");
        const char *what[3] = {"answered", "rejected", "no answer"};
        bool any = false;
        for (int k = 0; k < 3; k++) {
            if (n[k]) {
                g_string_append_printf(s, "%s %u %s", any ? "," : "", n[k], what[k]);
                any = true;
            }
        }
        g_string_append_c(s, ')');
        i = j;
    }
    g_ptr_array_free(ports, TRUE);
    return g_string_free(s, FALSE);
}

static void json_probes(GString *out, GPtrArray *probes)
{
    g_string_append(out, ", \"probes\": [");
    for (guint i = 0; i < probes->len; i++) {
        const report_probe_t *f = (const report_probe_t *)g_ptr_array_index(probes, i);
        char *t1 = format_time(&f->first_seen), *t2 = format_time(&f->last_seen);
        guint n[3];
        probe_counts(f, n);
        g_string_append(out, i ? ",\n  {\"client\": " : "\n  {\"client\": ");
        json_string(out, f->client);
        g_string_append(out, ", \"server\": ");
        json_string(out, f->server);
        g_string_append_printf(
            out,
            ", \"ports_probed\": %u, \"answered\": %u, \"rejected\": %u, "
            "\"no_answer\": %u, \"conversations\": %" PRIu64 ", \"packets\": %" PRIu64
            ", \"first_seen\": \"%s\", \"last_seen\": \"%s\", \"ports\": [",
            probe_ports(f), n[0], n[1], n[2], f->conversations, f->packets, t1, t2);
        GPtrArray *ports = sorted_ports(f);
        for (guint j = 0; j < ports->len; j++) {
            const probe_port_t *p = (const probe_port_t *)g_ptr_array_index(ports, j);
            g_string_append_printf(out,
                                   "%s{\"transport\": \"%s\", \"port\": %u, \"port_lo\": %u, "
                                   "\"port_hi\": %u, \"service\": ",
                                   j ? ", " : "", al_transport_names[p->transport], p->port,
                                   p->row->port_lo, p->row->port_hi);
            json_string(out, p->row->service);
            g_string_append_printf(out, ", \"state\": \"%s\"}", al_state_names[p->state]);
        }
        g_ptr_array_free(ports, TRUE);
        g_string_append(out, "]}");
        g_free(t1);
        g_free(t2);
    }
    g_string_append(out, probes->len ? "\n]" : "]");
}

static void json_bonjour(GString *out, GPtrArray *bonjour)
{
    g_string_append(out, ", \"bonjour\": [");
    for (guint i = 0; i < bonjour->len; i++) {
        const report_bonjour_t *b = (const report_bonjour_t *)g_ptr_array_index(bonjour, i);
        const al_row_t *row = b->group->rows[0];
        char *t1 = format_time(&b->first_seen), *t2 = format_time(&b->last_seen);
        g_string_append(out, i ? ",\n  {\"target\": " : "\n  {\"target\": ");
        json_string(out, b->target);
        g_string_append(out, ", \"addresses\": [");
        GList *hosts = g_list_sort(g_hash_table_get_keys(b->hosts), (GCompareFunc)strcmp);
        for (GList *h = hosts; h; h = h->next) {
            if (h != hosts)
                g_string_append(out, ", ");
            json_string(out, (const char *)h->data);
        }
        g_list_free(hosts);
        g_string_append(out, "], \"service_type\": ");
        json_string(out, b->service_type);
        g_string_append(out, ", \"instance\": ");
        json_string(out, b->instance);
        g_string_append_printf(out, ", \"port\": %u, \"transport\": \"%s\", \"service\": ", b->port,
                               al_transport_names[b->transport]);
        json_string(out, row->service);
        g_string_append_printf(out,
                               ", \"registration\": \"%s\", \"lifecycle\": \"%s\", "
                               "\"model\": ",
                               al_registration_names[row->registration],
                               al_lifecycle_names[row->lifecycle]);
        json_string(out, b->model);
        g_string_append(out, ", \"firmware\": ");
        json_string(out, b->firmware);
        g_string_append_printf(
            out, ", \"announcements\": %" PRIu64 ", \"first_seen\": \"%s\", \"last_seen\": \"%s\"}",
            b->announcements, t1, t2);
        g_free(t1);
        g_free(t2);
    }
    g_string_append(out, bonjour->len ? "\n]" : "]");
}

static void draw_json(GPtrArray *rows, GPtrArray *probes, GPtrArray *bonjour)
{
    GString *out = g_string_new("{\"report\": \"applelegacy\", \"scope\": ");
    json_string(out, applelegacy_scope_name());
    g_string_append(out, ", \"rows\": [");
    for (guint i = 0; i < rows->len; i++) {
        const report_row_t *row = (const report_row_t *)g_ptr_array_index(rows, i);
        const al_row_t *first = row->group->rows[0];
        char *services = services_text(row->group);
        char *t1 = format_time(&row->first_seen), *t2 = format_time(&row->last_seen);

        g_string_append(out, i ? ",\n  {" : "\n  {");
        g_string_append(out, "\"server\": ");
        json_string(out, row->server);
        g_string_append_printf(out,
                               ", \"port\": %u, \"transport\": \"%s\", \"service\": ", row->port,
                               al_transport_names[row->transport]);
        json_string(out, services);
        g_string_append(out, ", \"iana_name\": ");
        json_string(out, first->iana_name);
        g_string_append_printf(out, ", \"registration\": \"%s\", \"lifecycle\": \"%s\"",
                               al_registration_names[first->registration],
                               al_lifecycle_names[first->lifecycle]);
        g_string_append(out, ", \"last_seen_in\": ");
        json_string(out, first->last_seen_in);
        g_string_append(out, ", \"expected\": ");
        json_string(out, first->expected);
        g_string_append(out, ", \"observed\": ");
        json_string(out, row->observed ? row->observed : "");
        g_string_append_printf(out,
                               ", \"clients\": %u, \"conversations\": %u, \"packets\": %" PRIu64
                               ", \"bytes\": %" PRIu64 ", \"first_seen\": \"%s\", "
                               "\"last_seen\": \"%s\", \"client_addresses\": [",
                               g_hash_table_size(row->clients),
                               g_hash_table_size(row->conversations), row->packets, row->bytes, t1,
                               t2);
        GList *clients = g_list_sort(g_hash_table_get_keys(row->clients), (GCompareFunc)strcmp);
        for (GList *c = clients; c; c = c->next) {
            if (c != clients)
                g_string_append(out, ", ");
            json_string(out, (const char *)c->data);
        }
        g_list_free(clients);
        g_string_append(out, "], \"states\": {");
        bool any_state = false;
        for (int st = AL_STATE_COUNT - 1; st >= 0; st--) {
            if (row->states[st]) {
                g_string_append_printf(out, "%s\"%s\": %u", any_state ? ", " : "",
                                       al_state_names[st], row->states[st]);
                any_state = true;
            }
        }
        g_string_append(out, "}, \"warnings\": [");
        bool any = false;
        for (size_t w = 0; w < G_N_ELEMENTS(warning_names); w++) {
            if (row->warnings & warning_names[w].bit) {
                g_string_append_printf(out, "%s\"%s\"", any ? ", " : "", warning_names[w].name);
                any = true;
            }
        }
        g_string_append(out, "]}");
        g_free(services);
        g_free(t1);
        g_free(t2);
    }
    g_string_append(out, rows->len ? "\n]" : "]");
    json_probes(out, probes);
    json_bonjour(out, bonjour);
    g_string_append(out, "}\n");
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
}

enum {
    C_SERVER,
    C_PORT,
    C_SERVICE,
    C_REGISTRATION,
    C_LIFECYCLE,
    C_EXPECTED,
    C_OBSERVED,
    C_CLIENTS,
    C_CONVERSATIONS,
    C_STATE,
    C_PACKETS,
    C_BYTES,
    C_FIRST,
    C_LAST,
    C_WARNINGS,
    N_COLUMNS
};

static const char *const column_titles[N_COLUMNS] = {
    "Server",
    "Port",
    "Service",
    "Registration",
    "Lifecycle",
    "Expected",
    "Observed",
    "Clients",
    "Conv",
    "State",
    "Packets",
    "Bytes",
    "First seen (UTC)",
    "Last seen (UTC)",
    "Warnings",
};
static const bool right_aligned[N_COLUMNS] = {
    [C_CLIENTS] = true,
    [C_CONVERSATIONS] = true,
    [C_PACKETS] = true,
    [C_BYTES] = true,
};

enum {
    P_CLIENT,
    P_SERVER,
    P_PORTS,
    P_ANSWERED,
    P_REJECTED,
    P_NO_ANSWER,
    P_CONV,
    P_PACKETS,
    P_FIRST,
    P_LAST,
    P_LIST,
    N_PROBE_COLUMNS
};
static const char *const probe_titles[N_PROBE_COLUMNS] = {
    "Client",
    "Server",
    "Ports",
    "Answered",
    "Rejected",
    "No answer",
    "Conv",
    "Packets",
    "First seen (UTC)",
    "Last seen (UTC)",
    "Apple ports probed",
};

/* Left-aligned cells but the counts; the last cell unpadded. */
static void print_table(const char *const *titles, int n, const bool *right, GPtrArray *cells)
{
    size_t *width = g_new0(size_t, (gsize)n);
    guint rows = cells->len / (guint)n;
    for (int c = 0; c < n; c++)
        width[c] = strlen(titles[c]);
    for (guint i = 0; i < cells->len; i++) {
        size_t w = (size_t)g_utf8_strlen((const char *)g_ptr_array_index(cells, i), -1);
        width[i % (guint)n] = MAX(width[i % (guint)n], w);
    }
    for (guint i = 0; i <= rows; i++) {
        GString *line = g_string_new(NULL);
        for (int c = 0; c < n; c++) {
            const char *text =
                i == 0 ? titles[c]
                       : (const char *)g_ptr_array_index(cells, (i - 1) * (guint)n + (guint)c);
            size_t pad = width[c] - (size_t)g_utf8_strlen(text, -1);
            if (c)
                g_string_append(line, "  ");
            if (right[c])
                g_string_append_printf(line, "%*s%s", (int)pad, "", text);
            else if (c == n - 1)
                g_string_append(line, text);
            else
                g_string_append_printf(line, "%s%*s", text, (int)pad, "");
        }
        printf("%s\n", line->str);
        g_string_free(line, TRUE);
    }
    g_free(width);
}

static void draw_probes(GPtrArray *probes)
{
    static const bool right[N_PROBE_COLUMNS] = {
        [P_PORTS] = true,     [P_ANSWERED] = true, [P_REJECTED] = true,
        [P_NO_ANSWER] = true, [P_CONV] = true,     [P_PACKETS] = true,
    };
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < probes->len; i++) {
        const report_probe_t *f = (const report_probe_t *)g_ptr_array_index(probes, i);
        guint n[3];
        probe_counts(f, n);
        char *cell[N_PROBE_COLUMNS] = {
            g_strdup(f->client),
            g_strdup(f->server),
            g_strdup_printf("%u", probe_ports(f)),
            g_strdup_printf("%u", n[0]),
            g_strdup_printf("%u", n[1]),
            g_strdup_printf("%u", n[2]),
            g_strdup_printf("%" PRIu64, f->conversations),
            g_strdup_printf("%" PRIu64, f->packets),
            format_time(&f->first_seen),
            format_time(&f->last_seen),
            ports_text(f),
        };
        for (int c = 0; c < N_PROBE_COLUMNS; c++)
            g_ptr_array_add(cells, cell[c]);
    }
    printf("------------------------------------------------------------------------\n");
    printf("Probe findings: %u (client and server where Apple ports went unanswered or were "
           "refused)\n",
           probes->len);
    if (probes->len)
        print_table(probe_titles, N_PROBE_COLUMNS, right, cells);
    g_ptr_array_free(cells, TRUE);
}

enum {
    B_HOST,
    B_ADDRESSES,
    B_TYPE,
    B_INSTANCE,
    B_PORT,
    B_SERVICE,
    B_LIFECYCLE,
    B_MODEL,
    B_FIRMWARE,
    B_ANNOUNCEMENTS,
    B_FIRST,
    B_LAST,
    N_BONJOUR_COLUMNS
};
static const char *const bonjour_titles[N_BONJOUR_COLUMNS] = {
    "Host",     "Addresses",     "Service type",     "Instance",
    "Port",     "Service",       "Lifecycle",        "Model",
    "Firmware", "Announcements", "First seen (UTC)", "Last seen (UTC)",
};

static void draw_bonjour(GPtrArray *bonjour)
{
    static const bool right[N_BONJOUR_COLUMNS] = {[B_ANNOUNCEMENTS] = true};
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < bonjour->len; i++) {
        const report_bonjour_t *b = (const report_bonjour_t *)g_ptr_array_index(bonjour, i);
        const al_row_t *row = b->group->rows[0];
        char *cell[N_BONJOUR_COLUMNS] = {
            g_strdup(b->target),
            hosts_text(b),
            g_strdup(b->service_type),
            g_strdup(b->instance),
            g_strdup_printf("%s/%u", al_transport_names[b->transport], b->port),
            g_strdup(row->service),
            g_strdup(al_lifecycle_names[row->lifecycle]),
            g_strdup(b->model[0] ? b->model : "-"),
            g_strdup(b->firmware[0] ? b->firmware : "-"),
            g_strdup_printf("%" PRIu64, b->announcements),
            format_time(&b->first_seen),
            format_time(&b->last_seen),
        };
        for (int c = 0; c < N_BONJOUR_COLUMNS; c++)
            g_ptr_array_add(cells, cell[c]);
    }
    printf("------------------------------------------------------------------------\n");
    printf("Bonjour inventory: %u advertised services on Apple ports\n", bonjour->len);
    if (bonjour->len)
        print_table(bonjour_titles, N_BONJOUR_COLUMNS, right, cells);
    g_ptr_array_free(cells, TRUE);
}

static void draw_text(GPtrArray *rows, GPtrArray *probes, GPtrArray *bonjour)
{
    size_t width[N_COLUMNS];
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
    guint64 packets = 0, conversations = 0;

    for (int c = 0; c < N_COLUMNS; c++)
        width[c] = strlen(column_titles[c]);
    for (guint i = 0; i < rows->len; i++) {
        const report_row_t *row = (const report_row_t *)g_ptr_array_index(rows, i);
        const al_row_t *first = row->group->rows[0];
        char *w = warnings_text(row->warnings, ",");
        char *cell[N_COLUMNS] = {
            g_strdup(row->server),
            g_strdup_printf("%s/%u", al_transport_names[row->transport], row->port),
            services_text(row->group),
            g_strdup(al_registration_names[first->registration]),
            g_strdup(al_lifecycle_names[first->lifecycle]),
            g_strdup(first->expected[0] ? first->expected : "-"),
            g_strdup(row->observed ? row->observed : "-"),
            g_strdup_printf("%u", g_hash_table_size(row->clients)),
            g_strdup_printf("%u", g_hash_table_size(row->conversations)),
            states_text(row),
            g_strdup_printf("%" PRIu64, row->packets),
            g_strdup_printf("%" PRIu64, row->bytes),
            format_time(&row->first_seen),
            format_time(&row->last_seen),
            g_strdup(w[0] ? w : "-"),
        };
        g_free(w);
        packets += row->packets;
        conversations += g_hash_table_size(row->conversations);
        for (int c = 0; c < N_COLUMNS; c++) {
            width[c] = MAX(width[c], (size_t)g_utf8_strlen(cell[c], -1));
            g_ptr_array_add(cells, cell[c]);
        }
    }

    printf("\n========================================================================\n");
    printf("Apple Legacy Port Registry report (scope: %s)\n", applelegacy_scope_name());
    printf("%u service endpoints, %" PRIu64 " conversations, %" PRIu64 " packets\n", rows->len,
           conversations, packets);
    printf("------------------------------------------------------------------------\n");
    for (guint i = 0; i <= rows->len; i++) {
        GString *line = g_string_new(NULL);
        for (int c = 0; c < N_COLUMNS; c++) {
            const char *text =
                i == 0 ? column_titles[c]
                       : (const char *)g_ptr_array_index(cells, (i - 1) * N_COLUMNS + (guint)c);
            size_t pad = width[c] - (size_t)g_utf8_strlen(text, -1);
            if (c)
                g_string_append(line, "  ");
            if (right_aligned[c])
                g_string_append_printf(line, "%*s%s", (int)pad, "", text);
            else if (c == N_COLUMNS - 1)
                g_string_append(line, text);
            else
                g_string_append_printf(line, "%s%*s", text, (int)pad, "");
        }
        printf("%s\n", line->str);
        g_string_free(line, TRUE);
    }
    draw_probes(probes);
    draw_bonjour(bonjour);
    printf("========================================================================\n");
    g_ptr_array_free(cells, TRUE);
}

static void report_draw(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    GHashTable *table = service_rows(r);
    GPtrArray *rows = sorted_rows(table);
    GPtrArray *probes = probe_findings(r);
    g_ptr_array_sort(probes, probe_order);
    GPtrArray *bonjour = sorted_bonjour(r);
    if (r->json)
        draw_json(rows, probes, bonjour);
    else
        draw_text(rows, probes, bonjour);
    g_ptr_array_free(bonjour, TRUE);
    g_ptr_array_free(probes, TRUE);
    g_ptr_array_free(rows, TRUE);
    g_hash_table_destroy(table);
}

static void report_finish(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    g_ptr_array_free(r->convs, TRUE);
    g_hash_table_destroy(r->names);
    if (!r->bonjour_listening)
        g_hash_table_destroy(r->bonjour);
    if (!r->ard_listening)
        g_hash_table_destroy(r->ard);
    g_free(r);
}

#ifdef HAVE_ARD_PARSE
static void report_ard_finish(void *tapdata)
{
    g_hash_table_destroy((GHashTable *)tapdata);
}
#endif

static void report_table_finish(void *tapdata)
{
    g_hash_table_destroy((GHashTable *)tapdata);
}

static AL_STAT_TAP_INIT_CB report_init(const char *opt_arg, void *userdata _U_)
{
    report_t *r = g_new0(report_t, 1);
    const char *rest = opt_arg + strlen(REPORT_PREFIX);
    const char *filter = NULL;

    if (g_str_has_prefix(rest, ",json")) {
        r->json = true;
        rest += strlen(",json");
    }
    if (*rest == ',')
        filter = rest + 1;
    else if (*rest != '\0') {
        fprintf(stderr,
                "tshark: invalid \"-z %s\": expected -z " REPORT_PREFIX "[,json][,FILTER]\n",
                opt_arg);
        exit(1);
    }
    r->convs = g_ptr_array_new_with_free_func(conv_free);
    r->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r->bonjour = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, bonjour_free);
    r->ard = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    GString *err = register_tap_listener(AL_TAP_NAME, r, filter, 0, report_reset, report_packet,
                                         report_draw, report_finish);
    if (err) {
        fprintf(stderr, "tshark: cannot start -z " REPORT_PREFIX ": %s\n", err->str);
        g_string_free(err, TRUE);
        g_ptr_array_free(r->convs, TRUE);
        g_hash_table_destroy(r->names);
        g_hash_table_destroy(r->bonjour);
        g_hash_table_destroy(r->ard);
        g_free(r);
        exit(1);
    }
    /* The Bonjour inventory's listener owns its table (finish order is not set). */
    err = register_tap_listener(AL_BONJOUR_TAP_NAME, r->bonjour, NULL, 0, NULL,
                                report_bonjour_packet, NULL, report_table_finish);
    if (err)
        g_string_free(err, TRUE);
    else
        r->bonjour_listening = true;
#ifdef HAVE_ARD_PARSE
    /* The ard plugin may not be loaded: then there is simply nothing to add.
     * Every listener's finish runs at exit, in no set order: the ard
     * listener owns the table it fills and frees it. */
    err = register_tap_listener(ARD_TAP_NAME, r->ard, NULL, 0, NULL, report_ard_packet, NULL,
                                report_ard_finish);
    if (err)
        g_string_free(err, TRUE);
    else
        r->ard_listening = true;
#endif
    AL_STAT_TAP_INIT_RETURN(true);
}

void applelegacy_register_report(void)
{
    static stat_tap_ui ui = {
        REGISTER_STAT_GROUP_GENERIC,
        "Apple Legacy Port Registry report",
        REPORT_PREFIX,
        report_init,
        0,
        NULL,
    };
    register_stat_tap_ui(&ui, NULL);
}
