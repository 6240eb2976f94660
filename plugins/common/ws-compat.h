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

/* A boolean UAT column (a checkbox in the GUI, TRUE or FALSE in the file):
 * from 4.4 on UAT_BOOL_CB_DEF's set callback reads "true" in any case as
 * true, 4.0's only "TRUE", and any other spelling as false. AL_UAT_BOOL_CB_DEF
 * is 4.4's on every series, so that a hand-written "true" means the same
 * everywhere. */
#if AL_WS_AT_LEAST(4, 4)
#define AL_UAT_BOOL_CB_DEF(basename, field_name, rec_t) UAT_BOOL_CB_DEF(basename, field_name, rec_t)
#else
#define AL_UAT_BOOL_CB_DEF(basename, field_name, rec_t)                                            \
    static void basename##_##field_name##_set_cb(void *rec, const char *buf, unsigned len,         \
                                                 const void *u1 _U_, const void *u2 _U_)           \
    {                                                                                              \
        char *tmp_str = g_strndup(buf, len);                                                       \
        ((rec_t *)rec)->field_name = g_ascii_strcasecmp(tmp_str, "true") == 0;                     \
        g_free(tmp_str);                                                                           \
    }                                                                                              \
    static void basename##_##field_name##_tostr_cb(void *rec, char **out_ptr, unsigned *out_len,   \
                                                   const void *u1 _U_, const void *u2 _U_)         \
    {                                                                                              \
        *out_ptr = g_strdup(((rec_t *)rec)->field_name ? "TRUE" : "FALSE");                        \
        *out_len = (unsigned)strlen(*out_ptr);                                                     \
    }
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

/* A named dissector handle with a description of its own (tshark -G
 * dissectors prints it; a handle of no protocol has none otherwise). 4.0 has
 * no such descriptions. */
#if AL_WS_AT_LEAST(4, 4)
#define AL_REGISTER_DISSECTOR_DESC(name, desc, fn, proto)                                          \
    register_dissector_with_description(name, desc, fn, proto)
#else
#define AL_REGISTER_DISSECTOR_DESC(name, desc, fn, proto) register_dissector(name, fn, proto)
#endif

/* A heuristic dissector list with a name for the GUI (4.2 and later). */
#if AL_WS_AT_LEAST(4, 2)
#define AL_REGISTER_HEUR_LIST(name, ui_name, proto)                                                \
    register_heur_dissector_list_with_description(name, ui_name, proto)
#else
#define AL_REGISTER_HEUR_LIST(name, ui_name, proto)                                                \
    ((void)(ui_name), register_heur_dissector_list(name, proto))
#endif

/* field_info.value: an embedded fvalue_t in 4.0, a pointer from 4.2 on. */
#if AL_WS_AT_LEAST(4, 2)
#define AL_FI_VALUE(fi) ((fi)->value)
#else
#define AL_FI_VALUE(fi) (&(fi)->value)
#endif

/* tvb_get_guint8() is deprecated from 4.4 on in favour of tvb_get_uint8(),
 * which 4.0 does not have. */
#if AL_WS_AT_LEAST(4, 4)
#define AL_TVB_GET_U8(tvb, offset) tvb_get_uint8((tvb), (offset))
#else
#define AL_TVB_GET_U8(tvb, offset) tvb_get_guint8((tvb), (offset))
#endif

/* format_text() takes the bytes as const guchar* in 4.0 and as const char*
 * in 4.4 and 4.6: a const void* converts to either without a warning. */
#define AL_FORMAT_TEXT(scope, str, len) format_text((scope), (const void *)(str), (len))

/* val_to_str() with an unknown-value format: 4.6 gives it a wmem scope, the
 * older series call that variant val_to_str_wmem(). */
#if AL_WS_AT_LEAST(4, 6)
#define AL_VAL_TO_STR(scope, val, vs, fmt) val_to_str((scope), (val), (vs), (fmt))
#else
#define AL_VAL_TO_STR(scope, val, vs, fmt) val_to_str_wmem((scope), (val), (vs), (fmt))
#endif

/* The init callback of a "-z" statistic (stat_tap_ui.tap_init_cb) returns
 * void up to 4.4 and bool (false: the argument was refused) from 4.6 on.
 * Define it as "static AL_STAT_TAP_INIT_CB name(const char *, void *)" and
 * leave it with AL_STAT_TAP_INIT_RETURN(ok). */
#if AL_WS_AT_LEAST(4, 6)
#define AL_STAT_TAP_INIT_CB         bool
#define AL_STAT_TAP_INIT_RETURN(ok) return (ok)
#else
#define AL_STAT_TAP_INIT_CB void
#define AL_STAT_TAP_INIT_RETURN(ok)                                                                \
    do {                                                                                           \
        (void)(ok);                                                                                \
        return;                                                                                    \
    } while (0)
#endif

/* The columns as fields. 4.4 and later add every column of the packet list to
 * the tree as a hidden field under "_ws.col" (_ws.col.info, _ws.col.protocol;
 * what tshark -e _ws.col.Info and display filters on columns read), and the
 * frame dissector does that just BEFORE it calls the postdissectors: a column
 * a postdissector rewrites keeps its old text in that field unless the
 * postdissector rewrites the field too. AL_COL_FIELD_NAME(fmt) is the name
 * of the field of a column format (COL_INFO, ...), AL_COL_FIELD_SET(fi, text)
 * gives such a field a new text. 4.0 has no such fields (tshark reads the
 * columns themselves when it prints _ws.col.*): no name, and nothing to set
 * (4.0 does not export fvalue_set_string() to plugins either). */
#if AL_WS_AT_LEAST(4, 4)
#include <epan/column.h>
#define AL_COL_FIELD_NAME(fmt)     col_format_abbrev(fmt)
#define AL_COL_FIELD_SET(fi, text) fvalue_set_string((fi)->value, (text))
#else
#define AL_COL_FIELD_NAME(fmt) ((void)(fmt), (const char *)NULL)
#define AL_COL_FIELD_SET(fi, text)                                                                 \
    do {                                                                                           \
        (void)(fi);                                                                                \
        (void)(text);                                                                              \
    } while (0)
#endif

/* The field of a tree node. 4.6 keeps it in the node (PNODE_HFINFO) and
 * gives an item of a tree that is not visible no field_info when nothing
 * asks for the item itself (the hidden "_ws.col" item above the column
 * fields); up to 4.4 every node has a field_info that holds it. */
#if AL_WS_AT_LEAST(4, 6)
#define AL_PNODE_HFINFO(node) PNODE_HFINFO(node)
#else
#define AL_PNODE_HFINFO(node) (PNODE_FINFO(node) ? PNODE_FINFO(node)->hfinfo : NULL)
#endif

/* plugin_describe(): the optional entry point through which 4.2 and later
 * learn what a plugin provides (shown by "tshark -G plugins"); its flags
 * come from wsutil/plugins.h, which Debian installs from 4.4 on. 4.0 has
 * neither: AL_PLUGIN_DESCRIBE(flags) then defines nothing. */
#if AL_WS_AT_LEAST(4, 2) && __has_include(<wsutil/plugins.h>)
#include <wsutil/plugins.h>
#define AL_PLUGIN_DESCRIBE(flags)                                                                  \
    WS_DLL_PUBLIC uint32_t plugin_describe(void);                                                  \
    uint32_t plugin_describe(void)                                                                 \
    {                                                                                              \
        return (flags);                                                                            \
    }
#else
#define AL_PLUGIN_DESCRIBE(flags)
#endif

#endif /* APPLELEGACY_WS_COMPAT_H */
