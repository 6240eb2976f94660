/* port-row.c
 * Parsers and checks for the columns of the Apple port registry.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "port-row.h"

#include <string.h>

const char *const al_column_names[AL_COL_COUNT] = {
    "port_lo",   "port_hi",          "transport",    "service",
    "iana_name", "iana_description", "registration", "unregistered_use",
    "used_by",   "lifecycle",        "last_seen_in", "expected",
    "rfc",       "sources",          "note",
};

const char *const al_transport_names[AL_TRANSPORT_COUNT] = {"tcp", "udp"};

const char *const al_registration_names[AL_REG_COUNT] = {
    "apple", "standard", "other", "unassigned", "mixed",
};

const char *const al_lifecycle_names[AL_LC_COUNT] = {"current", "legacy", "discontinued"};

static const char *parse_name(const char *s, const char *const *names, unsigned count, uint8_t *out,
                              const char *reason)
{
    for (unsigned i = 0; i < count; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (uint8_t)i;
            return NULL;
        }
    }
    return reason;
}

const char *al_parse_port(const char *s, uint16_t *out)
{
    unsigned long v = 0;
    if (*s == '\0')
        return "empty; a port number (0-65535) is required";
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return "not a port number (0-65535): only decimal digits are allowed";
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > 65535)
            return "not a port number (0-65535): too large";
    }
    if (strlen(s) > 1 && s[0] == '0')
        return "not a port number (0-65535): leading zero";
    *out = (uint16_t)v;
    return NULL;
}

const char *al_parse_transport(const char *s, uint8_t *out)
{
    return parse_name(s, al_transport_names, AL_TRANSPORT_COUNT, out,
                      "unknown transport; expected tcp or udp");
}

const char *al_parse_registration(const char *s, uint8_t *out)
{
    return parse_name(s, al_registration_names, AL_REG_COUNT, out,
                      "unknown registration; expected apple, standard, other, unassigned or "
                      "mixed");
}

const char *al_parse_lifecycle(const char *s, uint8_t *out)
{
    return parse_name(s, al_lifecycle_names, AL_LC_COUNT, out,
                      "unknown lifecycle; expected current, legacy or discontinued");
}

const char *al_parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0) {
        *out = true;
        return NULL;
    }
    if (strcmp(s, "false") == 0) {
        *out = false;
        return NULL;
    }
    return "not a boolean; expected true or false";
}

const char *al_check_filter_name(const char *s)
{
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok)
            return "not a display-filter protocol name (lower-case letters, digits, '_', '.', "
                   "'-')";
    }
    return NULL;
}

const char *al_check_iana_name(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == ',')
            return "not an IANA service keyword (printable ASCII without spaces or commas)";
    }
    return NULL;
}

/* The length of the UTF-8 character at s (1 to 4 bytes, avail at most), or 0
 * when the bytes there are not one: an overlong form, a surrogate, past
 * U+10FFFF, a lone continuation byte, a Latin-1 byte. */
static size_t utf8_char_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

const char *al_check_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);

    while (left > 0) {
        size_t n = utf8_char_len(p, left);
        if (*p < 0x20 || *p == 0x7f)
            return "contains a control character (newline, tab, ...)";
        if (n == 0)
            return "not UTF-8 text (a byte of another encoding, such as Latin-1); write it in "
                   "UTF-8";
        p += n;
        left -= n;
    }
    return NULL;
}

char *al_escape_value(const char *s, size_t len, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    size_t used = 0;

    if (size == 0)
        return out;
    while (len > 0) {
        size_t n = utf8_char_len(p, len);
        bool escape = n == 0 || *p < 0x20 || *p == 0x7f;
        size_t need = escape ? 4 : n;
        /* room for this unit, and for "..." should a later one not fit */
        if (used + need + (len > (escape ? 1 : n) ? 3 : 0) > size - 1) {
            if (used + 3 <= size - 1) {
                memcpy(out + used, "...", 3);
                used += 3;
            }
            break;
        }
        if (escape) {
            out[used++] = '\\';
            out[used++] = 'x';
            out[used++] = hex[*p >> 4];
            out[used++] = hex[*p & 0x0F];
            n = 1;
        } else {
            memcpy(out + used, p, n);
            used += n;
        }
        p += n;
        len -= n;
    }
    out[used] = '\0';
    return out;
}

const char *al_check_required_text(const char *s)
{
    if (*s == '\0')
        return "empty; this column is required";
    return al_check_text(s);
}

const char *al_check_row(const al_row_t *row, al_column_t *column)
{
    if (row->port_hi < row->port_lo) {
        *column = AL_COL_PORT_HI;
        return "port_hi is lower than port_lo";
    }
    if (row->registration == AL_REG_MIXED && !al_row_is_range(row)) {
        *column = AL_COL_REGISTRATION;
        return "mixed is only for a range (port_hi > port_lo)";
    }
    if (!al_row_is_range(row)) {
        bool has_name = row->iana_name && row->iana_name[0] != '\0';
        if (row->registration == AL_REG_UNASSIGNED && has_name) {
            *column = AL_COL_IANA_NAME;
            return "registration is unassigned, but an IANA name is given";
        }
        if (row->registration != AL_REG_UNASSIGNED && !has_name) {
            *column = AL_COL_IANA_NAME;
            return "empty, but registration says IANA assigns the port (use unassigned)";
        }
    }
    return NULL;
}
