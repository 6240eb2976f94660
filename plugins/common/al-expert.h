/* al-expert.h
 * Expert items whose message carries text from the packet.
 *
 * expert_add_info_format() formats its message into a buffer of
 * ITEM_LABEL_LENGTH bytes and cuts it at the last byte that fits, wherever
 * that falls: in the middle of a UTF-8 character when the packet's text (a
 * serial number, an application name, shown with U+FFFD for each byte that
 * is not text) makes the message long. tshark -T json then prints invalid
 * UTF-8, and a JSON reader (tools/applelegacy-report --write) refuses it.
 * al_expert_add_info_fmt() formats the whole message itself, makes it valid
 * UTF-8 and, when it is too long, cuts it on a character boundary and ends it
 * with an ellipsis (U+2026), so the message always fits and is always valid.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPLELEGACY_AL_EXPERT_H
#define APPLELEGACY_AL_EXPERT_H

#include <epan/expert.h>
#include <epan/proto.h>

#include <glib.h>
#include <stdarg.h>
#include <string.h>

/* The longest message expert_add_info_format() keeps whole, in bytes. */
#define AL_EXPERT_MAX_BYTES (ITEM_LABEL_LENGTH - 1)

/* text (valid UTF-8, NUL-terminated, in a buffer of at least strlen + 1
 * bytes) cut in place to at most max bytes on a character boundary, the
 * last three of them an ellipsis when it had to be cut. */
static inline void al_utf8_cut(char *text, size_t max)
{
    static const char ellipsis[] = "\xe2\x80\xa6";
    size_t keep;

    if (strlen(text) <= max)
        return;
    keep = max - (sizeof ellipsis - 1);
    while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80)
        keep--;
    memcpy(text + keep, ellipsis, sizeof ellipsis);
}

G_GNUC_PRINTF(4, 5)
static inline void al_expert_add_info_fmt(packet_info *pinfo, proto_item *pi, expert_field *ei,
                                          const char *format, ...)
{
    va_list ap;
    char *raw, *text;

    va_start(ap, format);
    raw = g_strdup_vprintf(format, ap);
    va_end(ap);
    text = g_utf8_make_valid(raw, -1);
    g_free(raw);
    al_utf8_cut(text, AL_EXPERT_MAX_BYTES);
    expert_add_info_format(pinfo, pi, ei, "%s", text);
    g_free(text);
}

#endif /* APPLELEGACY_AL_EXPERT_H */
