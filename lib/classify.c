/* classify.c
 * Service-side decision, scope and warnings. See classify.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "classify.h"

#include <string.h>

const char *const al_side_evidence_names[] = {"none", "handshake", "port rule"};

bool al_row_in_scope(const al_row_t *row, const void *scope_ptr)
{
    al_scope_t scope = scope_ptr ? *(const al_scope_t *)scope_ptr : AL_SCOPE_APPLE;
    switch (scope) {
    case AL_SCOPE_ALL:
        return true;
    case AL_SCOPE_LEGACY:
        return row->lifecycle != AL_LC_CURRENT || row->unregistered_use;
    case AL_SCOPE_APPLE:
    default:
        return row->registration == AL_REG_APPLE || row->registration == AL_REG_OTHER ||
               row->registration == AL_REG_UNASSIGNED || row->unregistered_use;
    }
}

static bool is_ephemeral(const al_classify_opts_t *opts, uint16_t port)
{
    return opts->is_ephemeral(port, opts->data);
}

/* A group found without a handshake is usable when the port is not a client's
 * ephemeral port, and, for a range, when the peer is an ephemeral port. */
static const al_group_t *guess_side(const al_port_index_t *reg, const al_classify_opts_t *opts,
                                    al_transport_t transport, uint16_t port, uint16_t peer)
{
    if (is_ephemeral(opts, port))
        return NULL;
    const al_group_t *group = al_port_index_lookup(reg, transport, port);
    if (group && al_row_is_range(group->rows[0]) && !is_ephemeral(opts, peer))
        return NULL;
    return group;
}

bool al_classify(const al_port_index_t *reg, const al_classify_opts_t *opts,
                 al_transport_t transport, uint16_t srcport, uint16_t dstport,
                 uint16_t handshake_server_port, al_verdict_t *out)
{
    const al_group_t *group;

    if (handshake_server_port != 0 &&
        (handshake_server_port == srcport || handshake_server_port == dstport)) {
        group = al_port_index_lookup(reg, transport, handshake_server_port);
        if (!group)
            return false;
        out->group = group;
        out->service_port = handshake_server_port;
        out->service_is_src = handshake_server_port == srcport;
        out->evidence = AL_SIDE_HANDSHAKE;
        return true;
    }

    const al_group_t *g_src = guess_side(reg, opts, transport, srcport, dstport);
    const al_group_t *g_dst = guess_side(reg, opts, transport, dstport, srcport);
    bool take_src;
    if (g_src && g_dst) {
        bool src_wk = srcport < 1024, dst_wk = dstport < 1024;
        if (src_wk != dst_wk)
            take_src = src_wk;
        else
            take_src = srcport < dstport;
    } else if (g_src || g_dst) {
        take_src = g_src != NULL;
    } else {
        return false;
    }
    out->group = take_src ? g_src : g_dst;
    out->service_port = take_src ? srcport : dstport;
    out->service_is_src = take_src;
    out->evidence = AL_SIDE_PORT_RULE;
    return true;
}

static unsigned rows_warnings(const al_row_t *const *rows, unsigned count)
{
    unsigned w = 0;
    bool all_discontinued = count > 0, regular = false;
    for (unsigned i = 0; i < count; i++) {
        const al_row_t *row = rows[i];
        if (al_row_is_range(row))
            return 0;
        if (row->lifecycle == AL_LC_CURRENT && !row->unregistered_use)
            regular = true;
        /* Apple's remark is moot where IANA registers the port to the very
         * protocol Apple runs there (VNC's rfb on 5900) */
        if (row->unregistered_use && row->registration != AL_REG_STANDARD)
            w |= AL_WARN_UNREGISTERED_USE;
        if (row->registration == AL_REG_OTHER)
            w |= AL_WARN_REGISTERED_TO_OTHER;
        if (row->registration == AL_REG_UNASSIGNED)
            w |= AL_WARN_UNASSIGNED;
        if (row->lifecycle != AL_LC_DISCONTINUED)
            all_discontinued = false;
    }
    if (regular)
        w &= ~(unsigned)(AL_WARN_REGISTERED_TO_OTHER | AL_WARN_UNASSIGNED);
    if (all_discontinued)
        w |= AL_WARN_ABANDONED;
    return w;
}

unsigned al_group_warnings(const al_group_t *group)
{
    return rows_warnings(group->rows, group->count);
}

unsigned al_row_warnings(const al_row_t *row)
{
    return rows_warnings(&row, 1);
}

static bool row_has(const al_row_t *row, unsigned warning)
{
    switch (warning) {
    case AL_WARN_ABANDONED:
        return row->lifecycle == AL_LC_DISCONTINUED;
    case AL_WARN_REGISTERED_TO_OTHER:
        return row->registration == AL_REG_OTHER;
    case AL_WARN_UNASSIGNED:
        return row->registration == AL_REG_UNASSIGNED;
    case AL_WARN_UNREGISTERED_USE:
        return row->unregistered_use;
    default:
        return false;
    }
}

const al_row_t *al_group_warning_row(const al_group_t *group, unsigned warning)
{
    for (unsigned i = 0; i < group->count; i++) {
        if (row_has(group->rows[i], warning))
            return group->rows[i];
    }
    return group->rows[0];
}

unsigned al_warning_weight(unsigned w)
{
    unsigned weight = 0;
    if (w & AL_WARN_PROTOCOL_MISMATCH)
        weight += 64;
    if (w & AL_WARN_ABANDONED)
        weight += 8;
    if (w & AL_WARN_REGISTERED_TO_OTHER)
        weight += 4;
    if (w & AL_WARN_UNREGISTERED_USE)
        weight += 2;
    if (w & AL_WARN_UNASSIGNED)
        weight += 1;
    return weight;
}

bool al_protocol_compatible(const char *expected, const char *observed, bool observed_is_apple)
{
    if (!observed || !observed[0] || strcmp(observed, "unknown") == 0)
        return true;
    if (expected && strcmp(expected, observed) == 0)
        return true;
    return observed_is_apple && (!expected || !expected[0]);
}
