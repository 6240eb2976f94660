/* ws-compat.h
 * Every difference between the Wireshark series this project builds against
 * (4.0 ... 4.6) lives here, and nowhere else.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_WS_COMPAT_H
#define APPLELEGACY_WS_COMPAT_H

#include <ws_version.h>

#include <stdbool.h>

#define AL_WS_AT_LEAST(major, minor)                                                               \
    (WIRESHARK_VERSION_MAJOR > (major) ||                                                          \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

/* Boolean preference variables: gboolean* up to 4.2, bool* from 4.4 on (a
 * different size, so a mismatch is a real bug, not a warning). */
#if AL_WS_AT_LEAST(4, 4)
typedef bool al_pref_bool_t;
#else
typedef gboolean al_pref_bool_t;
#endif

/* UAT callbacks return gboolean in 4.0, bool from 4.2 on. */
#if AL_WS_AT_LEAST(4, 2)
typedef bool al_uat_bool_t;
#else
typedef gboolean al_uat_bool_t;
#endif

/* Heuristic dissectors and tcp_dissect_pdus callbacks. */
#if AL_WS_AT_LEAST(4, 4)
typedef bool al_heur_bool_t;
typedef unsigned al_pdu_len_t;
#else
typedef gboolean al_heur_bool_t;
typedef guint al_pdu_len_t;
#endif

/* value_string.h moved to wsutil in 4.6. */
#if AL_WS_AT_LEAST(4, 6)
#define AL_VALUE_STRING_H <wsutil/value_string.h>
#else
#define AL_VALUE_STRING_H <epan/value_string.h>
#endif

/* Stats-tree menu separator and registration. */
#if AL_WS_AT_LEAST(4, 2)
#define AL_STATS_TREE_MENU_SEPARATOR "//"
#else
#define AL_STATS_TREE_MENU_SEPARATOR "/"
#endif

/* field_info.value: an embedded fvalue_t in 4.0, a pointer from 4.2 on. */
#if AL_WS_AT_LEAST(4, 2)
#define AL_FI_VALUE(fi) ((fi)->value)
#else
#define AL_FI_VALUE(fi) (&(fi)->value)
#endif

#endif /* APPLELEGACY_WS_COMPAT_H */
