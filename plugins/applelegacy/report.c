/* report.c
 * tshark -z applelegacy,report[,json][,FILTER]: the report model, as JSON.
 *
 * At the end of the run one JSON object (docs/reports.md, "The report
 * model") that carries everything a renderer needs and nothing it must
 * derive again:
 *  - "scope": the registry's scope;
 *  - "warnings": every warning a row can carry, with its key, title and
 *    weight, in report order: the registry's own, and those the Apple
 *    plugins' events brought (applelegacy-api.h);
 *  - "states": the connection states, least to furthest, and whether each
 *    means that the service answered;
 *  - "rows": one per (server address, service port, transport) that
 *    answered, with its rank (the sum of its warnings' weights), its
 *    warnings in the table's order and its client addresses (so that
 *    models of several captures merge with clients counted once);
 *  - "probes": the probe findings; "bonjour": the Bonjour inventory, each
 *    entry ranked by its lifecycle.
 * Each list is in report order, by the rules docs/reports.md gives:
 * tools/applelegacy_report.py, the renderer of text, CSV and HTML and the
 * merger, orders merged models by the same rules.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <wsutil/json_dumper.h>
#include <wsutil/report_message.h>

#include "ws-compat.h"

#include "applelegacy.h"
#include "conn-state.h"

#define REPORT_PREFIX "applelegacy,report"

/* A warning a row can carry. */
typedef struct {
    char *key; /* "protocol_mismatch" */
    char *title;
    unsigned weight;
    unsigned bit; /* AL_WARN_* for the registry's own, 0 for an event's */
} warning_kind_t;

/* The registry's warnings; their weights are al_warning_weight()'s. */
static const struct {
    unsigned bit;
    const char *key;
    const char *title;
} registry_warnings[] = {
    {AL_WARN_PROTOCOL_MISMATCH, "protocol_mismatch", "Protocol mismatch"},
    {AL_WARN_ABANDONED, "abandoned", "Abandoned port"},
    {AL_WARN_REGISTERED_TO_OTHER, "registered_to_other", "Registered to another service"},
    {AL_WARN_UNREGISTERED_USE, "unregistered_use", "Unregistered use"},
    {AL_WARN_UNASSIGNED, "unassigned", "Unassigned port"},
};

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
    unsigned warnings; /* AL_WARN_* */
    const char *observed;
} report_conv_t;

/* A service row: the answered conversations of one server, port and transport. */
typedef struct {
    const char *server; /* interned */
    char *service;      /* the group's services, " / "-separated */
    uint16_t port;
    uint8_t transport;
    const al_group_t *group;
    GHashTable *clients; /* interned client addresses */
    guint conversations;
    guint64 packets;
    guint64 bytes;
    nstime_t first_seen;
    nstime_t last_seen;
    unsigned warnings;  /* AL_WARN_* */
    GHashTable *events; /* warning_kind_t of the events on it (report_t.events owns it), or NULL */
    guint64 rank;
    const char *observed;         /* recognised protocol, else "unknown", else NULL */
    guint states[AL_STATE_COUNT]; /* conversations by their final state */
} report_row_t;

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
} report_probe_t;

typedef struct {
    uint16_t port;
    uint8_t transport;
    uint8_t state; /* the best outcome of its conversations */
    const al_row_t *row;
} probe_port_t;

/* One advertised service instance of the Bonjour inventory. */
typedef struct {
    GHashTable *hosts; /* interned announcer addresses */
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
    GHashTable *bonjour; /* "target|type|instance|port" -> report_bonjour_t */
    GHashTable *kinds;   /* key -> warning_kind_t */
    GHashTable *events;  /* "server|transport|port" -> set of warning_kind_t */
    unsigned listeners;  /* listeners registered with it: the last one to finish frees it */
} report_t;

static void kind_free(gpointer p)
{
    warning_kind_t *k = (warning_kind_t *)p;
    g_free(k->key);
    g_free(k->title);
    g_free(k);
}

static void add_kind(report_t *r, const char *key, const char *title, unsigned weight, unsigned bit)
{
    warning_kind_t *k = g_new0(warning_kind_t, 1);
    k->key = g_strdup(key);
    k->title = g_strdup(title);
    k->weight = weight;
    k->bit = bit;
    g_hash_table_insert(r->kinds, k->key, k);
}

static void add_registry_kinds(report_t *r)
{
    for (size_t i = 0; i < G_N_ELEMENTS(registry_warnings); i++)
        add_kind(r, registry_warnings[i].key, registry_warnings[i].title,
                 al_warning_weight(registry_warnings[i].bit), registry_warnings[i].bit);
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

static report_t *report_new(void)
{
    report_t *r = g_new0(report_t, 1);
    r->convs = g_ptr_array_new_with_free_func(g_free);
    r->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    r->bonjour = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, bonjour_free);
    r->kinds = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, kind_free);
    r->events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)g_hash_table_destroy);
    add_registry_kinds(r);
    return r;
}

static void report_free(report_t *r)
{
    g_ptr_array_free(r->convs, TRUE);
    g_hash_table_destroy(r->bonjour);
    g_hash_table_destroy(r->events);
    g_hash_table_destroy(r->kinds);
    g_hash_table_destroy(r->names);
    g_free(r);
}

static void report_reset(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    g_ptr_array_set_size(r->convs, 0);
    g_hash_table_remove_all(r->bonjour);
    g_hash_table_remove_all(r->events);
    g_hash_table_remove_all(r->kinds);
    add_registry_kinds(r);
    g_hash_table_remove_all(r->names);
}

static void report_finish(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    if (--r->listeners == 0)
        report_free(r);
}

/* An address as text, kept once for everything that names it. */
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

static char *row_key(const char *server, unsigned transport, unsigned port)
{
    return g_strdup_printf("%s|%u|%u", server, transport, port);
}

static void count_time(nstime_t *first, nstime_t *last, bool first_time, const nstime_t *ts)
{
    if (first_time || nstime_cmp(ts, first) < 0)
        *first = *ts;
    if (first_time || nstime_cmp(ts, last) > 0)
        *last = *ts;
}

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
    count_time(&c->first_seen, &c->last_seen, c->packets == 0, &pinfo->abs_ts);
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
    report_t *r = (report_t *)tapdata;
    const al_bonjour_tap_info_t *info = (const al_bonjour_tap_info_t *)data;
    char *key = g_strdup_printf("%s|%s|%s|%u", info->target, info->service_type, info->instance,
                                info->port);
    report_bonjour_t *b = (report_bonjour_t *)g_hash_table_lookup(r->bonjour, key);
    if (!b) {
        b = g_new0(report_bonjour_t, 1);
        b->hosts = g_hash_table_new(g_direct_hash, g_direct_equal);
        b->service_type = g_strdup(info->service_type);
        b->instance = g_strdup(info->instance);
        b->target = g_strdup(info->target);
        b->model = g_strdup(info->model);
        b->firmware = g_strdup(info->firmware);
        b->group = info->group;
        b->port = info->port;
        b->transport = info->transport;
        g_hash_table_insert(r->bonjour, key, b);
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
    g_hash_table_add(b->hosts, (gpointer)intern_address(r, info->host));
    count_time(&b->first_seen, &b->last_seen, b->announcements == 0, &pinfo->abs_ts);
    b->announcements++;
    return TAP_PACKET_REDRAW;
}

/* A report key: [a-z0-9_]+, as applelegacy-api.h asks. */
static bool is_warning_key(const char *s)
{
    if (!s || !s[0])
        return false;
    for (; *s; s++) {
        if (!g_ascii_islower(*s) && !g_ascii_isdigit(*s) && *s != '_')
            return false;
    }
    return true;
}

/* An Apple plugin's event: its warning, on the row of the service it names.
 * The first event of a key sets the kind's title and weight. */
static tap_packet_status report_event_packet(void *tapdata, packet_info *pinfo _U_,
                                             epan_dissect_t *edt _U_, const void *data,
                                             tap_flags_t flags _U_)
{
    report_t *r = (report_t *)tapdata;
    const al_event_t *e = (const al_event_t *)data;
    if (!e || !e->server || !is_warning_key(e->warning))
        return TAP_PACKET_DONT_REDRAW;
    if (!g_hash_table_contains(r->kinds, e->warning))
        add_kind(r, e->warning, e->title && e->title[0] ? e->title : e->warning, e->weight, 0);
    char *key = row_key(intern_address(r, e->server), e->udp ? AL_TRANSPORT_UDP : AL_TRANSPORT_TCP,
                        e->port);
    GHashTable *set = (GHashTable *)g_hash_table_lookup(r->events, key);
    if (!set) {
        set = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_hash_table_insert(r->events, key, set);
    } else {
        g_free(key);
    }
    g_hash_table_add(set, g_hash_table_lookup(r->kinds, e->warning));
    return TAP_PACKET_REDRAW;
}

/* ---- Report order (docs/reports.md, "Order") ---------------------------- */

/* Warnings: weight descending, then key. */
static int kind_order(gconstpointer pa, gconstpointer pb)
{
    const warning_kind_t *a = *(const warning_kind_t *const *)pa;
    const warning_kind_t *b = *(const warning_kind_t *const *)pb;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return strcmp(a->key, b->key);
}

/* Rows: rank descending, packets descending, then port, transport, server
 * and service. */
static int row_order(gconstpointer pa, gconstpointer pb)
{
    const report_row_t *a = *(const report_row_t *const *)pa;
    const report_row_t *b = *(const report_row_t *const *)pb;
    if (a->rank != b->rank)
        return a->rank > b->rank ? -1 : 1;
    if (a->packets != b->packets)
        return a->packets > b->packets ? -1 : 1;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    int c = strcmp(al_transport_names[a->transport], al_transport_names[b->transport]);
    if (!c)
        c = strcmp(a->server, b->server);
    return c ? c : strcmp(a->service, b->service);
}

/* Probe findings: the most ports first, then client and server. */
static int probe_order(gconstpointer pa, gconstpointer pb)
{
    const report_probe_t *a = *(const report_probe_t *const *)pa;
    const report_probe_t *b = *(const report_probe_t *const *)pb;
    guint na = g_hash_table_size(a->ports), nb = g_hash_table_size(b->ports);
    if (na != nb)
        return na > nb ? -1 : 1;
    int c = strcmp(a->client, b->client);
    return c ? c : strcmp(a->server, b->server);
}

/* A finding's ports: transport, the first port of their row, port. */
static int port_order(gconstpointer pa, gconstpointer pb)
{
    const probe_port_t *a = *(const probe_port_t *const *)pa;
    const probe_port_t *b = *(const probe_port_t *const *)pb;
    int c = strcmp(al_transport_names[a->transport], al_transport_names[b->transport]);
    if (c)
        return c;
    if (a->row->port_lo != b->row->port_lo)
        return a->row->port_lo < b->row->port_lo ? -1 : 1;
    return a->port < b->port ? -1 : a->port > b->port;
}

/* A Bonjour entry's rank: its lifecycle, discontinued (2) the highest. */
static unsigned bonjour_rank(const report_bonjour_t *b)
{
    return b->group->rows[0]->lifecycle;
}

/* Bonjour inventory: rank descending, then service type, host, instance, port. */
static int bonjour_order(gconstpointer pa, gconstpointer pb)
{
    const report_bonjour_t *a = *(const report_bonjour_t *const *)pa;
    const report_bonjour_t *b = *(const report_bonjour_t *const *)pb;
    if (bonjour_rank(a) != bonjour_rank(b))
        return bonjour_rank(a) > bonjour_rank(b) ? -1 : 1;
    int c = strcmp(a->service_type, b->service_type);
    if (!c)
        c = strcmp(a->target, b->target);
    if (!c)
        c = strcmp(a->instance, b->instance);
    return c ? c : (a->port < b->port ? -1 : a->port > b->port);
}

/* The values of a table, sorted. */
static GPtrArray *sorted_values(GHashTable *table, GCompareFunc order)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, table);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(out, value);
    g_ptr_array_sort(out, order);
    return out;
}

/* ---- The sections --------------------------------------------------------- */

static bool row_has(const report_row_t *row, const warning_kind_t *k)
{
    return (k->bit && (row->warnings & k->bit)) ||
           (row->events && g_hash_table_contains(row->events, k));
}

static void row_free(gpointer p)
{
    report_row_t *row = (report_row_t *)p;
    g_free(row->service);
    g_hash_table_destroy(row->clients);
    g_free(row);
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

/* The service rows, ranked and in report order: the conversations the
 * service side answered, by server, transport and port. */
static GPtrArray *service_rows(report_t *r, const GPtrArray *kinds)
{
    GHashTable *rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *out = g_ptr_array_new_with_free_func(row_free);
    for (guint id = 0; id < r->convs->len; id++) {
        const report_conv_t *c = (const report_conv_t *)g_ptr_array_index(r->convs, id);
        if (!c || !al_state_answered((al_state_t)c->state))
            continue;
        char *key = row_key(c->server, c->transport, c->port);
        report_row_t *row = (report_row_t *)g_hash_table_lookup(rows, key);
        if (!row) {
            row = g_new0(report_row_t, 1);
            row->server = c->server;
            row->service = services_text(c->group);
            row->port = c->port;
            row->transport = c->transport;
            row->group = c->group;
            row->clients = g_hash_table_new(g_direct_hash, g_direct_equal);
            row->events = (GHashTable *)g_hash_table_lookup(r->events, key);
            g_hash_table_insert(rows, key, row);
            g_ptr_array_add(out, row);
        } else {
            g_free(key);
        }
        g_hash_table_add(row->clients, (gpointer)c->client);
        count_time(&row->first_seen, &row->last_seen, row->conversations == 0, &c->first_seen);
        count_time(&row->first_seen, &row->last_seen, false, &c->last_seen);
        row->conversations++;
        row->packets += c->packets;
        row->bytes += c->bytes;
        row->states[c->state]++;
        row->warnings |= c->warnings;
        if (c->observed && (!row->observed || strcmp(row->observed, "unknown") == 0))
            row->observed = c->observed;
    }
    g_hash_table_destroy(rows);
    for (guint i = 0; i < out->len; i++) {
        report_row_t *row = (report_row_t *)g_ptr_array_index(out, i);
        for (guint k = 0; k < kinds->len; k++) {
            const warning_kind_t *kind = (const warning_kind_t *)g_ptr_array_index(kinds, k);
            if (row_has(row, kind))
                row->rank += kind->weight;
        }
    }
    g_ptr_array_sort(out, row_order);
    return out;
}

static void probe_free(gpointer p)
{
    report_probe_t *f = (report_probe_t *)p;
    g_hash_table_destroy(f->ports);
    g_free(f);
}

/* The probe findings, in report order: per client and server, every
 * conversation to an Apple port, where at least one to a port of a single
 * row went unanswered or was refused (a range row's ports, Xsan's
 * 49152-65535, are listed with the others but make no finding alone, as
 * the registry's expert item). */
static GPtrArray *probe_findings(report_t *r)
{
    /* the pairs with something unanswered first: only they become findings */
    GHashTable *probed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint id = 0; id < r->convs->len; id++) {
        const report_conv_t *c = (const report_conv_t *)g_ptr_array_index(r->convs, id);
        if (c && !c->to_group && !al_state_answered((al_state_t)c->state) &&
            !al_row_is_range(c->group->rows[0]))
            g_hash_table_add(probed, g_strdup_printf("%s|%s", c->client, c->server));
    }
    GHashTable *pairs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *out = g_ptr_array_new_with_free_func(probe_free);
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
            g_ptr_array_add(out, f);
        } else {
            g_free(key);
        }
        count_time(&f->first_seen, &f->last_seen, f->conversations == 0, &c->first_seen);
        count_time(&f->first_seen, &f->last_seen, false, &c->last_seen);
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
    g_hash_table_destroy(pairs);
    g_hash_table_destroy(probed);
    g_ptr_array_sort(out, probe_order);
    return out;
}

/* ---- JSON ----------------------------------------------------------------- */

static void put_string(json_dumper *d, const char *name, const char *value)
{
    json_dumper_set_member_name(d, name);
    json_dumper_value_string(d, value ? value : "");
}

static void put_uint(json_dumper *d, const char *name, guint64 value)
{
    json_dumper_set_member_name(d, name);
    json_dumper_value_anyf(d, "%" PRIu64, value);
}

/* UTC, to the microsecond: "2026-11-23T16:33:29.840607Z". */
static void put_time(json_dumper *d, const char *name, const nstime_t *t)
{
    struct tm tm;
    time_t secs = t->secs;
    char date[32], text[48];
    if (gmtime_r(&secs, &tm) && strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
        snprintf(text, sizeof(text), "%s.%06dZ", date, t->nsecs / 1000);
    else
        g_strlcpy(text, "-", sizeof(text));
    put_string(d, name, text);
}

/* A set of interned strings as a sorted array. */
static void put_sorted(json_dumper *d, const char *name, GHashTable *set)
{
    GList *all = g_list_sort(g_hash_table_get_keys(set), (GCompareFunc)strcmp);
    json_dumper_set_member_name(d, name);
    json_dumper_begin_array(d);
    for (GList *s = all; s; s = s->next)
        json_dumper_value_string(d, (const char *)s->data);
    json_dumper_end_array(d);
    g_list_free(all);
}

static void put_tables(json_dumper *d, const GPtrArray *kinds)
{
    json_dumper_set_member_name(d, "warnings");
    json_dumper_begin_array(d);
    for (guint i = 0; i < kinds->len; i++) {
        const warning_kind_t *k = (const warning_kind_t *)g_ptr_array_index(kinds, i);
        json_dumper_begin_object(d);
        put_string(d, "key", k->key);
        put_string(d, "title", k->title);
        put_uint(d, "weight", k->weight);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
    json_dumper_set_member_name(d, "states");
    json_dumper_begin_array(d);
    for (int st = 0; st < AL_STATE_COUNT; st++) {
        json_dumper_begin_object(d);
        put_string(d, "name", al_state_names[st]);
        json_dumper_set_member_name(d, "answered");
        json_dumper_value_anyf(d, "%s", al_state_answered((al_state_t)st) ? "true" : "false");
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
}

static void put_row(json_dumper *d, const report_row_t *row, const GPtrArray *kinds)
{
    const al_row_t *first = row->group->rows[0];
    json_dumper_begin_object(d);
    put_string(d, "server", row->server);
    put_uint(d, "port", row->port);
    put_string(d, "transport", al_transport_names[row->transport]);
    put_string(d, "service", row->service);
    put_string(d, "iana_name", first->iana_name);
    put_string(d, "registration", al_registration_names[first->registration]);
    put_string(d, "lifecycle", al_lifecycle_names[first->lifecycle]);
    put_string(d, "last_seen_in", first->last_seen_in);
    put_string(d, "expected", first->expected);
    put_string(d, "observed", row->observed);
    put_uint(d, "clients", g_hash_table_size(row->clients));
    put_uint(d, "conversations", row->conversations);
    put_uint(d, "packets", row->packets);
    put_uint(d, "bytes", row->bytes);
    put_time(d, "first_seen", &row->first_seen);
    put_time(d, "last_seen", &row->last_seen);
    put_sorted(d, "client_addresses", row->clients);
    /* furthest first */
    json_dumper_set_member_name(d, "states");
    json_dumper_begin_object(d);
    for (int st = AL_STATE_COUNT - 1; st >= 0; st--) {
        if (row->states[st])
            put_uint(d, al_state_names[st], row->states[st]);
    }
    json_dumper_end_object(d);
    put_uint(d, "rank", row->rank);
    json_dumper_set_member_name(d, "warnings");
    json_dumper_begin_array(d);
    for (guint i = 0; i < kinds->len; i++) {
        const warning_kind_t *k = (const warning_kind_t *)g_ptr_array_index(kinds, i);
        if (row_has(row, k))
            json_dumper_value_string(d, k->key);
    }
    json_dumper_end_array(d);
    json_dumper_end_object(d);
}

static void put_probe(json_dumper *d, const report_probe_t *f)
{
    GPtrArray *ports = sorted_values(f->ports, port_order);
    guint answered = 0, rejected = 0;
    for (guint i = 0; i < ports->len; i++) {
        al_state_t s = (al_state_t)((const probe_port_t *)g_ptr_array_index(ports, i))->state;
        answered += al_state_answered(s);
        rejected += s == AL_STATE_REJECTED;
    }
    json_dumper_begin_object(d);
    put_string(d, "client", f->client);
    put_string(d, "server", f->server);
    put_uint(d, "ports_probed", ports->len);
    put_uint(d, "answered", answered);
    put_uint(d, "rejected", rejected);
    put_uint(d, "no_answer", ports->len - answered - rejected);
    put_uint(d, "conversations", f->conversations);
    put_uint(d, "packets", f->packets);
    put_time(d, "first_seen", &f->first_seen);
    put_time(d, "last_seen", &f->last_seen);
    json_dumper_set_member_name(d, "ports");
    json_dumper_begin_array(d);
    for (guint i = 0; i < ports->len; i++) {
        const probe_port_t *p = (const probe_port_t *)g_ptr_array_index(ports, i);
        json_dumper_begin_object(d);
        put_string(d, "transport", al_transport_names[p->transport]);
        put_uint(d, "port", p->port);
        put_uint(d, "port_lo", p->row->port_lo);
        put_uint(d, "port_hi", p->row->port_hi);
        put_string(d, "service", p->row->service);
        put_string(d, "state", al_state_names[p->state]);
        json_dumper_end_object(d);
    }
    json_dumper_end_array(d);
    json_dumper_end_object(d);
    g_ptr_array_free(ports, TRUE);
}

static void put_bonjour(json_dumper *d, const report_bonjour_t *b)
{
    const al_row_t *row = b->group->rows[0];
    json_dumper_begin_object(d);
    put_string(d, "target", b->target);
    put_sorted(d, "addresses", b->hosts);
    put_string(d, "service_type", b->service_type);
    put_string(d, "instance", b->instance);
    put_uint(d, "port", b->port);
    put_string(d, "transport", al_transport_names[b->transport]);
    put_string(d, "service", row->service);
    put_string(d, "registration", al_registration_names[row->registration]);
    put_string(d, "lifecycle", al_lifecycle_names[row->lifecycle]);
    put_string(d, "model", b->model);
    put_string(d, "firmware", b->firmware);
    put_uint(d, "announcements", b->announcements);
    put_time(d, "first_seen", &b->first_seen);
    put_time(d, "last_seen", &b->last_seen);
    put_uint(d, "rank", bonjour_rank(b));
    json_dumper_end_object(d);
}

static void report_draw(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    GPtrArray *kinds = sorted_values(r->kinds, kind_order);
    GPtrArray *rows = service_rows(r, kinds);
    GPtrArray *probes = probe_findings(r);
    GPtrArray *bonjour = sorted_values(r->bonjour, bonjour_order);
    /* one line, for the tools that read it (python3 -m json.tool indents it) */
    json_dumper d = {.output_file = stdout};

    json_dumper_begin_object(&d);
    put_string(&d, "report", "applelegacy");
    put_string(&d, "scope", applelegacy_scope_name());
    put_tables(&d, kinds);
    json_dumper_set_member_name(&d, "rows");
    json_dumper_begin_array(&d);
    for (guint i = 0; i < rows->len; i++)
        put_row(&d, (const report_row_t *)g_ptr_array_index(rows, i), kinds);
    json_dumper_end_array(&d);
    json_dumper_set_member_name(&d, "probes");
    json_dumper_begin_array(&d);
    for (guint i = 0; i < probes->len; i++)
        put_probe(&d, (const report_probe_t *)g_ptr_array_index(probes, i));
    json_dumper_end_array(&d);
    json_dumper_set_member_name(&d, "bonjour");
    json_dumper_begin_array(&d);
    for (guint i = 0; i < bonjour->len; i++)
        put_bonjour(&d, (const report_bonjour_t *)g_ptr_array_index(bonjour, i));
    json_dumper_end_array(&d);
    json_dumper_end_object(&d);
    json_dumper_finish(&d);

    g_ptr_array_free(bonjour, TRUE);
    g_ptr_array_free(probes, TRUE);
    g_ptr_array_free(rows, TRUE);
    g_ptr_array_free(kinds, TRUE);
}

/* ---- Registration ----------------------------------------------------------- */

/* A listener of a tap another plugin or part may not provide: without it
 * there is simply nothing of it to add. */
static void listen_also(report_t *r, const char *tap, tap_packet_cb packet)
{
    GString *err = register_tap_listener(tap, r, NULL, 0, NULL, packet, NULL, report_finish);
    if (err)
        g_string_free(err, TRUE);
    else
        r->listeners++;
}

/* A bad argument is reported through libwireshark's report_failure() (tshark
 * prints "tshark: " and the message); from 4.6 on tshark then stops with an
 * error, before on it goes on without the report. */
static AL_STAT_TAP_INIT_CB report_init(const char *opt_arg, void *userdata _U_)
{
    const char *rest = opt_arg + strlen(REPORT_PREFIX);

    /* ",json" asks for what is printed anyway, the model */
    if (g_str_has_prefix(rest, ",json") && (rest[5] == '\0' || rest[5] == ','))
        rest += strlen(",json");
    if (*rest != '\0' && *rest != ',') {
        report_failure("invalid \"-z %s\": expected -z " REPORT_PREFIX "[,json][,FILTER]", opt_arg);
        AL_STAT_TAP_INIT_RETURN(false);
    }
    report_t *r = report_new();
    GString *err = register_tap_listener(AL_TAP_NAME, r, *rest ? rest + 1 : NULL, 0, report_reset,
                                         report_packet, report_draw, report_finish);
    if (err) {
        report_failure("cannot start -z " REPORT_PREFIX ": %s", err->str);
        g_string_free(err, TRUE);
        report_free(r);
        AL_STAT_TAP_INIT_RETURN(false);
    }
    /* Every listener's finish runs at exit, in no set order: the last frees r. */
    r->listeners = 1;
    listen_also(r, AL_BONJOUR_TAP_NAME, report_bonjour_packet);
    listen_also(r, AL_EVENT_TAP_NAME, report_event_packet);
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
