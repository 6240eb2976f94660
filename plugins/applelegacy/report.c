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
    const char *observed; /* recognised protocol, else "unknown", else NULL */
} report_row_t;

/* What one conversation already added: its row and its client. */
typedef struct {
    report_row_t *row;
    address client;
} report_seen_t;

typedef struct {
    GHashTable *rows;   /* "server|transport|port" -> report_row_t */
    GHashTable *seen;   /* conversation id -> report_seen_t */
    GHashTable *ard;    /* same key -> AL_WARN_ARD_* bits from the ard tap */
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

static void seen_free(gpointer p)
{
    report_seen_t *seen = (report_seen_t *)p;
    free_address(&seen->client);
    g_free(seen);
}

static void report_reset(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    g_hash_table_remove_all(r->seen);
    g_hash_table_remove_all(r->rows);
    g_hash_table_remove_all(r->ard);
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

/* The row of the packet's server and port (created on first use), with the
 * packet's client and conversation counted in it. */
static report_row_t *report_row_for(report_t *r, const al_tap_info_t *info, report_seen_t *seen)
{
    char *server = address_to_str(NULL, info->server);
    char *key = g_strdup_printf("%s|%u|%u", server, info->transport, info->service_port);
    report_row_t *row = (report_row_t *)g_hash_table_lookup(r->rows, key);

    if (!row) {
        row = g_new0(report_row_t, 1);
        row->server = g_strdup(server);
        row->port = info->service_port;
        row->transport = info->transport;
        row->group = info->group;
        row->clients = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        row->conversations = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_hash_table_insert(r->rows, key, row);
    } else {
        g_free(key);
    }
    wmem_free(NULL, server);

    char *client = address_to_str(NULL, info->client);
    if (!g_hash_table_contains(row->clients, client))
        g_hash_table_add(row->clients, g_strdup(client));
    wmem_free(NULL, client);
    g_hash_table_add(row->conversations, GUINT_TO_POINTER(info->conversation_id));

    if (!seen) {
        seen = g_new0(report_seen_t, 1);
        g_hash_table_insert(r->seen, GUINT_TO_POINTER(info->conversation_id), seen);
    } else {
        free_address(&seen->client);
    }
    seen->row = row;
    copy_address(&seen->client, info->client);
    return row;
}

static tap_packet_status report_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                       const void *data, tap_flags_t flags _U_)
{
    report_t *r = (report_t *)tapdata;
    const al_tap_info_t *info = (const al_tap_info_t *)data;
    /* A conversation's server, port and client do not change: after its
     * first packet only the counters are updated (no address text, no
     * string keys on every packet). */
    report_seen_t *seen =
        (report_seen_t *)g_hash_table_lookup(r->seen, GUINT_TO_POINTER(info->conversation_id));
    report_row_t *row = seen ? seen->row : NULL;
    if (!seen || !addresses_equal(&seen->client, info->client))
        row = report_row_for(r, info, seen);

    if (row->packets == 0) {
        row->first_seen = pinfo->abs_ts;
        row->last_seen = pinfo->abs_ts;
    }
    row->packets++;
    row->bytes += pinfo->fd->pkt_len;
    if (nstime_cmp(&pinfo->abs_ts, &row->first_seen) < 0)
        row->first_seen = pinfo->abs_ts;
    if (nstime_cmp(&pinfo->abs_ts, &row->last_seen) > 0)
        row->last_seen = pinfo->abs_ts;
    row->warnings |= info->warnings;
    if (info->observed && (!row->observed || strcmp(row->observed, "unknown") == 0))
        row->observed = info->observed;
    return TAP_PACKET_REDRAW;
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

static GPtrArray *sorted_rows(report_t *r)
{
    GPtrArray *rows = g_ptr_array_new();
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, r->rows);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        report_row_t *row = (report_row_t *)value;
        row->warnings |= GPOINTER_TO_UINT(g_hash_table_lookup(r->ard, key));
        g_ptr_array_add(rows, row);
    }
    g_ptr_array_sort(rows, row_order);
    return rows;
}

static void draw_json(GPtrArray *rows)
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
        g_string_append(out, "], \"warnings\": [");
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
    g_string_append(out, rows->len ? "\n]}\n" : "]}\n");
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
    C_PACKETS,
    C_BYTES,
    C_FIRST,
    C_LAST,
    C_WARNINGS,
    N_COLUMNS
};

static const char *const column_titles[N_COLUMNS] = {
    "Server",  "Port", "Service", "Registration", "Lifecycle",        "Expected",        "Observed",
    "Clients", "Conv", "Packets", "Bytes",        "First seen (UTC)", "Last seen (UTC)", "Warnings",
};
static const bool right_aligned[N_COLUMNS] = {
    [C_CLIENTS] = true,
    [C_CONVERSATIONS] = true,
    [C_PACKETS] = true,
    [C_BYTES] = true,
};

static void draw_text(GPtrArray *rows)
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
    printf("========================================================================\n");
    g_ptr_array_free(cells, TRUE);
}

static void report_draw(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    GPtrArray *rows = sorted_rows(r);
    if (r->json)
        draw_json(rows);
    else
        draw_text(rows);
    g_ptr_array_free(rows, TRUE);
}

static void report_finish(void *tapdata)
{
    report_t *r = (report_t *)tapdata;
    g_hash_table_destroy(r->seen);
    g_hash_table_destroy(r->rows);
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
    r->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, row_free);
    r->seen = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, seen_free);
    r->ard = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    GString *err = register_tap_listener(AL_TAP_NAME, r, filter, 0, report_reset, report_packet,
                                         report_draw, report_finish);
    if (err) {
        fprintf(stderr, "tshark: cannot start -z " REPORT_PREFIX ": %s\n", err->str);
        g_string_free(err, TRUE);
        g_hash_table_destroy(r->seen);
        g_hash_table_destroy(r->rows);
        g_hash_table_destroy(r->ard);
        g_free(r);
        exit(1);
    }
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
