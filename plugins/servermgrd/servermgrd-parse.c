/* servermgrd-parse.c
 * Byte-level helpers of the servermgrd plugin; see servermgrd-parse.h.
 *
 * Sources: ../shared/reference/apple-protocols.md sections 1 and 2 (nmap
 * service probes for the servermgrd responses; public Server Admin clients
 * for the "/commands/servermgr_<module>?input=<plist>&send=Send+Command"
 * requests) and Apple's PropertyList-1.0 DTD for the element names.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "servermgrd-parse.h"

#include <string.h>

#define NOT_FOUND ((size_t)-1)

static const char COMMANDS_PREFIX[] = "/commands/servermgr_";
#define COMMANDS_PREFIX_LEN (sizeof(COMMANDS_PREFIX) - 1)

static const char COOKIE_NAME[] = "com.apple.servermgrd";
#define COOKIE_NAME_LEN (sizeof(COOKIE_NAME) - 1)

/* Longest request method accepted by the sniffs. */
#define MAX_METHOD_LEN 16

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

static uint8_t ascii_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool is_xml_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 7230 tchar: the characters of a header name or method. */
static bool is_tchar(uint8_t c)
{
    if (is_alpha(c) || is_digit(c))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_module_char(uint8_t c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.';
}

static int hex_value(uint8_t c)
{
    if (is_digit(c))
        return c - '0';
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Case-sensitive: does data[pos..] start with s? */
static bool has_prefix(const uint8_t *data, size_t len, size_t pos, const char *s)
{
    size_t n = strlen(s);
    return pos <= len && len - pos >= n && memcmp(data + pos, s, n) == 0;
}

/* Case-insensitive (ASCII) version of has_prefix. */
static bool has_prefix_ci(const uint8_t *data, size_t len, size_t pos, const char *s)
{
    size_t n = strlen(s);
    if (pos > len || len - pos < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (ascii_lower(data[pos + i]) != ascii_lower((uint8_t)s[i]))
            return false;
    }
    return true;
}

/* First occurrence of needle in data[from..len), or NOT_FOUND. */
static size_t find_bytes(const uint8_t *data, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || from > len || len - from < n)
        return NOT_FOUND;
    for (size_t i = from; i + n <= len; i++) {
        const uint8_t *p = memchr(data + i, (uint8_t)needle[0], len - n + 1 - i);
        if (!p)
            return NOT_FOUND;
        i = (size_t)(p - data);
        if (memcmp(p, needle, n) == 0)
            return i;
    }
    return NOT_FOUND;
}

/* The end of the line that starts at pos (the index of its CR or LF), or
 * NOT_FOUND when the data ends first. *next gets the start of the next line. */
static size_t line_end(const uint8_t *data, size_t len, size_t pos, size_t *next)
{
    const uint8_t *lf = pos < len ? memchr(data + pos, '\n', len - pos) : NULL;
    if (!lf)
        return NOT_FOUND;
    size_t end = (size_t)(lf - data);
    *next = end + 1;
    if (end > pos && data[end - 1] == '\r')
        end--;
    return end;
}

static smd_span_t span(size_t off, size_t len)
{
    smd_span_t s = {off, len};
    return s;
}

/* Trims spaces and tabs from both ends of data[off..off+len). */
static smd_span_t trimmed(const uint8_t *data, size_t off, size_t len)
{
    while (len > 0 && is_space(data[off])) {
        off++;
        len--;
    }
    while (len > 0 && is_space(data[off + len - 1]))
        len--;
    return span(off, len);
}

bool servermgrd_span_equals(const uint8_t *data, smd_span_t s, const char *name)
{
    return strlen(name) == s.len && has_prefix_ci(data, s.off + s.len, s.off, name);
}

/* ------------------------------------------------------------------------ */
/* Request line and request target                                         */

/* Length of the method of a request line at data[0..len) (uppercase letters
 * followed by a space), or 0. */
static size_t method_len(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && i <= MAX_METHOD_LEN && data[i] >= 'A' && data[i] <= 'Z')
        i++;
    if (i < 3 || i > MAX_METHOD_LEN || i >= len || data[i] != ' ')
        return 0;
    return i;
}

/* Where the path of a request target starts: after "http[s]://authority"
 * in absolute form. Returns len when the absolute form has no path. */
static size_t path_start(const uint8_t *uri, size_t len)
{
    size_t pos;
    if (has_prefix_ci(uri, len, 0, "http://"))
        pos = 7;
    else if (has_prefix_ci(uri, len, 0, "https://"))
        pos = 8;
    else
        return 0;
    while (pos < len && uri[pos] != '/' && uri[pos] != '?' && uri[pos] != '#')
        pos++;
    return pos;
}

/* Length of <module> after "/commands/servermgr_" at uri[pos..end). */
static size_t module_len(const uint8_t *uri, size_t end, size_t pos)
{
    size_t n = 0;
    while (pos + n < end && is_module_char(uri[pos + n]))
        n++;
    return n;
}

static void parse_query(const uint8_t *uri, size_t pos, size_t end, smd_target_t *out)
{
    while (pos < end) {
        size_t amp = pos;
        while (amp < end && uri[amp] != '&')
            amp++;
        size_t eq = pos;
        while (eq < amp && uri[eq] != '=')
            eq++;
        smd_span_t name = span(pos, eq - pos);
        smd_span_t value = span(eq < amp ? eq + 1 : amp, eq < amp ? amp - eq - 1 : 0);
        if (!out->has_input && servermgrd_span_equals(uri, name, "input")) {
            out->has_input = true;
            out->input = value;
        } else if (!out->has_send && servermgrd_span_equals(uri, name, "send")) {
            out->has_send = true;
            out->send = value;
        }
        pos = amp + 1;
    }
}

smd_target_kind_t servermgrd_parse_target(const uint8_t *uri, size_t len, smd_target_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!uri || len == 0)
        return SMD_TARGET_OTHER;
    size_t path = path_start(uri, len);
    size_t path_end = path;
    while (path_end < len && uri[path_end] != '?' && uri[path_end] != '#')
        path_end++;
    size_t query_end = path_end;
    while (query_end < len && uri[query_end] != '#')
        query_end++;

    if (path_end == path || (path_end - path == 1 && uri[path] == '/'))
        return path == 0 && path_end == 0 ? SMD_TARGET_OTHER : SMD_TARGET_ROOT;
    if (!has_prefix(uri, path_end, path, COMMANDS_PREFIX))
        return SMD_TARGET_OTHER;
    size_t mod = path + COMMANDS_PREFIX_LEN;
    size_t mlen = module_len(uri, path_end, mod);
    if (mlen == 0 || (mod + mlen < path_end && uri[mod + mlen] != '/'))
        return SMD_TARGET_OTHER;
    out->module = span(mod, mlen);
    if (path_end < len && uri[path_end] == '?')
        parse_query(uri, path_end + 1, query_end, out);
    return SMD_TARGET_COMMAND;
}

/* Does the request target at data[pos..len) start with the servermgrd
 * command path? The target may be cut by the end of the data. */
static bool target_is_command(const uint8_t *data, size_t len, size_t pos)
{
    size_t end = pos;
    while (end < len && data[end] != ' ' && data[end] != '\r' && data[end] != '\n')
        end++;
    const uint8_t *uri = data + pos;
    size_t ulen = end - pos;
    size_t path = path_start(uri, ulen);
    if (!has_prefix(uri, ulen, path, COMMANDS_PREFIX))
        return false;
    size_t mod = path + COMMANDS_PREFIX_LEN;
    size_t mlen = module_len(uri, ulen, mod);
    if (mlen == 0)
        return false;
    if (mod + mlen < ulen && uri[mod + mlen] != '?' && uri[mod + mlen] != '/' &&
        uri[mod + mlen] != '#')
        return false;
    /* When the request line is complete, it must end with an HTTP version. */
    if (end == len)
        return true;
    if (data[end] != ' ')
        return false;
    static const char version[] = "HTTP/1.";
    size_t rest = len - end - 1;
    size_t n = rest < sizeof(version) - 1 ? rest : sizeof(version) - 1;
    return memcmp(data + end + 1, version, n) == 0;
}

/* ------------------------------------------------------------------------ */
/* Header values                                                           */

bool servermgrd_is_server_value(const uint8_t *value, size_t len)
{
    static const char name[] = "servermgrd";
    size_t n = sizeof(name) - 1;
    if (!value || !has_prefix_ci(value, len, 0, name))
        return false;
    return len == n || value[n] == '/' || value[n] == ' ';
}

bool servermgrd_find_cookie(const uint8_t *hdr, size_t len, smd_span_t *value)
{
    size_t from = 0;
    while (hdr && from < len) {
        size_t at = find_bytes(hdr, len, from, COOKIE_NAME);
        if (at == NOT_FOUND)
            return false;
        from = at + 1;
        if (at > 0 && hdr[at - 1] != ' ' && hdr[at - 1] != ';' && hdr[at - 1] != '\t')
            continue;
        size_t pos = at + COOKIE_NAME_LEN;
        while (pos < len && is_space(hdr[pos]))
            pos++;
        if (pos >= len || hdr[pos] != '=')
            continue;
        pos++;
        size_t end = pos;
        while (end < len && hdr[end] != ';')
            end++;
        *value = trimmed(hdr, pos, end - pos);
        return true;
    }
    return false;
}

/* Skips spaces from pos, then an auth scheme "Basic" and one space or more.
 * Returns the position after them, or NOT_FOUND. */
static size_t after_basic(const uint8_t *hdr, size_t len)
{
    size_t pos = 0;
    while (pos < len && is_space(hdr[pos]))
        pos++;
    if (!has_prefix_ci(hdr, len, pos, "basic"))
        return NOT_FOUND;
    pos += 5;
    if (pos < len && !is_space(hdr[pos]))
        return NOT_FOUND;
    while (pos < len && is_space(hdr[pos]))
        pos++;
    return pos;
}

bool servermgrd_is_basic_auth(const uint8_t *hdr, size_t len)
{
    return hdr && after_basic(hdr, len) != NOT_FOUND;
}

bool servermgrd_basic_realm(const uint8_t *hdr, size_t len, smd_span_t *realm)
{
    size_t pos = hdr ? after_basic(hdr, len) : NOT_FOUND;
    if (pos == NOT_FOUND)
        return false;
    for (; pos < len; pos++) {
        if (!has_prefix_ci(hdr, len, pos, "realm"))
            continue;
        if (pos > 0 && !is_space(hdr[pos - 1]) && hdr[pos - 1] != ',')
            continue;
        size_t p = pos + 5;
        while (p < len && is_space(hdr[p]))
            p++;
        if (p >= len || hdr[p] != '=')
            continue;
        p++;
        while (p < len && is_space(hdr[p]))
            p++;
        if (p < len && hdr[p] == '"') {
            const uint8_t *q = memchr(hdr + p + 1, '"', len - p - 1);
            if (!q)
                return false;
            *realm = span(p + 1, (size_t)(q - hdr) - p - 1);
            return true;
        }
        size_t end = p;
        while (end < len && hdr[end] != ',' && !is_space(hdr[end]))
            end++;
        *realm = span(p, end - p);
        return end > p;
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* Signature and transport sniff                                            */

/* Does an HTTP response header at data[0..len) name servermgrd? */
static bool response_names_servermgrd(const uint8_t *data, size_t len)
{
    size_t pos, next;
    if (line_end(data, len, 0, &pos) == NOT_FOUND)
        return false;
    for (;;) {
        size_t end = line_end(data, len, pos, &next);
        if (end == NOT_FOUND)
            end = len; /* the last, cut line still counts */
        if (end == pos)
            return false; /* the empty line: end of the header */
        const uint8_t *colon = memchr(data + pos, ':', end - pos);
        if (colon) {
            size_t c = (size_t)(colon - data);
            smd_span_t name = span(pos, c - pos);
            smd_span_t value = trimmed(data, c + 1, end - c - 1);
            smd_span_t cookie;
            if (servermgrd_span_equals(data, name, "Server") &&
                servermgrd_is_server_value(data + value.off, value.len))
                return true;
            if ((servermgrd_span_equals(data, name, "Set-Cookie") ||
                 servermgrd_span_equals(data, name, "Cookie")) &&
                servermgrd_find_cookie(data + value.off, value.len, &cookie))
                return true;
        }
        if (end == len)
            return false;
        pos = next;
    }
}

bool servermgrd_match(const uint8_t *data, size_t len)
{
    if (!data || len < 16)
        return false;
    if (len > SMD_MATCH_WINDOW)
        len = SMD_MATCH_WINDOW;
    if (has_prefix(data, len, 0, "HTTP/1."))
        return response_names_servermgrd(data, len);
    size_t m = method_len(data, len);
    return m > 0 && target_is_command(data, len, m + 1);
}

smd_start_t servermgrd_classify_start(const uint8_t *data, size_t len)
{
    if (!data || len < 3)
        return SMD_START_UNKNOWN;
    if (data[0] >= 20 && data[0] <= 23 && data[1] == 3 && data[2] <= 4)
        return SMD_START_TLS;
    if (has_prefix(data, len, 0, "HTTP/1."))
        return SMD_START_HTTP;
    size_t m = method_len(data, len);
    if (m > 0 && m + 1 < len &&
        (data[m + 1] == '/' || data[m + 1] == '*' || has_prefix_ci(data, len, m + 1, "http")))
        return SMD_START_HTTP;
    return SMD_START_UNKNOWN;
}

/* ------------------------------------------------------------------------ */
/* URL decoding                                                            */

void servermgrd_url_decode(const uint8_t *in, size_t in_len, uint8_t *out, smd_urldecode_t *res)
{
    size_t o = 0;
    memset(res, 0, sizeof(*res));
    for (size_t i = 0; i < in_len; i++) {
        if (in[i] == '+') {
            out[o++] = ' ';
        } else if (in[i] != '%') {
            out[o++] = in[i];
        } else if (i + 2 < in_len && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
            out[o++] = (uint8_t)(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else {
            if (res->bad_escapes++ == 0)
                res->first_bad = i;
            out[o++] = '%';
        }
    }
    res->out_len = o;
}

/* ------------------------------------------------------------------------ */
/* XML plist scanner                                                        */

typedef struct {
    size_t start; /* the "<" */
    size_t end;   /* after the ">" */
    smd_span_t name;
    bool closing;
    bool self_closing;
} xml_tag_t;

/* Skips an XML declaration/processing instruction, a comment, a DOCTYPE or
 * CDATA at pos. Returns the position after it, pos itself when there is
 * none, or NOT_FOUND when it is not terminated. */
static size_t skip_markup(const uint8_t *d, size_t len, size_t pos)
{
    size_t at;
    if (has_prefix(d, len, pos, "<?")) {
        at = find_bytes(d, len, pos + 2, "?>");
        return at == NOT_FOUND ? NOT_FOUND : at + 2;
    }
    if (has_prefix(d, len, pos, "<!--")) {
        at = find_bytes(d, len, pos + 4, "-->");
        return at == NOT_FOUND ? NOT_FOUND : at + 3;
    }
    if (has_prefix(d, len, pos, "<![CDATA[")) {
        at = find_bytes(d, len, pos + 9, "]]>");
        return at == NOT_FOUND ? NOT_FOUND : at + 3;
    }
    if (has_prefix(d, len, pos, "<!")) {
        size_t gt = find_bytes(d, len, pos + 2, ">");
        size_t sq = find_bytes(d, len, pos + 2, "[");
        if (sq != NOT_FOUND && gt != NOT_FOUND && sq < gt) { /* internal subset */
            at = find_bytes(d, len, sq, "]>");
            return at == NOT_FOUND ? NOT_FOUND : at + 2;
        }
        return gt == NOT_FOUND ? NOT_FOUND : gt + 1;
    }
    return pos;
}

/* Skips white space, comments and processing instructions. */
static size_t skip_misc(const uint8_t *d, size_t len, size_t pos)
{
    for (;;) {
        while (pos < len && is_xml_space(d[pos]))
            pos++;
        if (pos >= len || d[pos] != '<' || pos + 1 >= len ||
            (d[pos + 1] != '?' && d[pos + 1] != '!'))
            return pos;
        size_t next = skip_markup(d, len, pos);
        if (next == NOT_FOUND || next == pos)
            return next == NOT_FOUND ? NOT_FOUND : pos;
        pos = next;
    }
}

/* Reads the tag at d[pos] (which must be "<"). */
static bool read_tag(const uint8_t *d, size_t len, size_t pos, xml_tag_t *t)
{
    if (pos >= len || d[pos] != '<')
        return false;
    t->start = pos++;
    t->closing = pos < len && d[pos] == '/';
    if (t->closing)
        pos++;
    size_t name = pos;
    while (pos < len && (is_alpha(d[pos]) || is_digit(d[pos]) || d[pos] == '_' || d[pos] == ':' ||
                         d[pos] == '-' || d[pos] == '.'))
        pos++;
    if (pos == name)
        return false;
    t->name = span(name, pos - name);
    uint8_t quote = 0;
    for (; pos < len; pos++) {
        if (quote) {
            if (d[pos] == quote)
                quote = 0;
        } else if (d[pos] == '"' || d[pos] == '\'') {
            quote = d[pos];
        } else if (d[pos] == '>') {
            t->self_closing = !t->closing && d[pos - 1] == '/';
            t->end = pos + 1;
            return true;
        } else if (d[pos] == '<') {
            return false;
        }
    }
    return false;
}

static bool tag_is(const uint8_t *d, const xml_tag_t *t, const char *name)
{
    return t->name.len == strlen(name) && memcmp(d + t->name.off, name, t->name.len) == 0;
}

/* The end of the element whose start tag is open (after its end tag), or
 * NOT_FOUND. Follows nesting up to SMD_PLIST_MAX_DEPTH. */
static size_t skip_element(const uint8_t *d, size_t len, const xml_tag_t *open)
{
    size_t pos = open->end;
    unsigned depth = 1;
    while (depth > 0) {
        const uint8_t *lt = pos < len ? memchr(d + pos, '<', len - pos) : NULL;
        if (!lt)
            return NOT_FOUND;
        pos = (size_t)(lt - d);
        size_t next = skip_markup(d, len, pos);
        if (next == NOT_FOUND)
            return NOT_FOUND;
        if (next != pos) {
            pos = next;
            continue;
        }
        xml_tag_t t;
        if (!read_tag(d, len, pos, &t))
            return NOT_FOUND;
        if (t.closing)
            depth--;
        else if (!t.self_closing && ++depth > SMD_PLIST_MAX_DEPTH)
            return NOT_FOUND;
        pos = t.end;
    }
    return pos;
}

/* The text of a simple element up to its end tag "</name>"; *after gets the
 * position after the end tag. */
static bool element_text(const uint8_t *d, size_t len, const xml_tag_t *open, smd_span_t *text,
                         size_t *after)
{
    char close[24];
    if (open->name.len + 4 > sizeof(close))
        return false;
    close[0] = '<';
    close[1] = '/';
    memcpy(close + 2, d + open->name.off, open->name.len);
    close[open->name.len + 2] = '>';
    close[open->name.len + 3] = '\0';
    size_t at = find_bytes(d, len, open->end, close);
    if (at == NOT_FOUND)
        return false;
    *text = span(open->end, at - open->end);
    *after = at + open->name.len + 3;
    return true;
}

static const struct {
    const char *name;
    smd_pvalue_t type;
} PVALUE_NAMES[] = {
    {"string", SMD_PV_STRING}, {"integer", SMD_PV_INTEGER}, {"real", SMD_PV_REAL},
    {"true", SMD_PV_TRUE},     {"false", SMD_PV_FALSE},     {"date", SMD_PV_DATE},
    {"data", SMD_PV_DATA},     {"dict", SMD_PV_DICT},       {"array", SMD_PV_ARRAY},
};
#define N_PVALUE_NAMES (sizeof(PVALUE_NAMES) / sizeof(PVALUE_NAMES[0]))

const char *servermgrd_pvalue_name(smd_pvalue_t type)
{
    for (size_t i = 0; i < N_PVALUE_NAMES; i++) {
        if (PVALUE_NAMES[i].type == type)
            return PVALUE_NAMES[i].name;
    }
    return "other";
}

static smd_pvalue_t pvalue_type(const uint8_t *d, const xml_tag_t *t)
{
    for (size_t i = 0; i < N_PVALUE_NAMES; i++) {
        if (tag_is(d, t, PVALUE_NAMES[i].name))
            return PVALUE_NAMES[i].type;
    }
    return SMD_PV_OTHER;
}

bool servermgrd_plist_begin(smd_plist_iter_t *it, const uint8_t *data, size_t len)
{
    xml_tag_t t;
    memset(it, 0, sizeof(*it));
    it->data = data;
    it->len = data ? len : 0;
    it->done = true;
    size_t pos = skip_misc(it->data, it->len, 0);
    if (pos == NOT_FOUND || !read_tag(it->data, it->len, pos, &t) || t.closing)
        return false;
    if (tag_is(it->data, &t, "plist")) {
        if (t.self_closing)
            return false;
        pos = skip_misc(it->data, it->len, t.end);
        if (pos == NOT_FOUND || !read_tag(it->data, it->len, pos, &t) || t.closing)
            return false;
    }
    if (!tag_is(it->data, &t, "dict"))
        return false;
    it->pos = t.end;
    it->done = t.self_closing;
    return true;
}

/* Reads the value element at pos into e; returns the position after it. */
static size_t read_value(const uint8_t *d, size_t len, size_t pos, smd_pentry_t *e)
{
    xml_tag_t t;
    if (!read_tag(d, len, pos, &t) || t.closing)
        return NOT_FOUND;
    e->type = pvalue_type(d, &t);
    if (t.self_closing) {
        e->value = span(t.end, 0);
        return t.end;
    }
    if (e->type == SMD_PV_DICT || e->type == SMD_PV_ARRAY || e->type == SMD_PV_OTHER) {
        size_t end = skip_element(d, len, &t);
        if (end != NOT_FOUND)
            e->value = span(t.start, end - t.start);
        return end;
    }
    size_t after;
    if (!element_text(d, len, &t, &e->value, &after))
        return NOT_FOUND;
    return after;
}

smd_plist_step_t servermgrd_plist_next(smd_plist_iter_t *it, smd_pentry_t *e)
{
    const uint8_t *d = it->data;
    size_t len = it->len;
    xml_tag_t t;
    if (it->done)
        return SMD_PLIST_END;
    memset(e, 0, sizeof(*e));
    size_t pos = skip_misc(d, len, it->pos);
    if (pos == NOT_FOUND)
        return SMD_PLIST_ERROR;
    it->pos = pos;
    if (!read_tag(d, len, pos, &t))
        return SMD_PLIST_ERROR;
    if (t.closing && tag_is(d, &t, "dict")) {
        it->pos = t.end;
        it->done = true;
        return SMD_PLIST_END;
    }
    if (t.closing || !tag_is(d, &t, "key"))
        return SMD_PLIST_ERROR;
    size_t start = t.start;
    if (t.self_closing) {
        e->key = span(t.end, 0);
        pos = t.end;
    } else if (!element_text(d, len, &t, &e->key, &pos)) {
        return SMD_PLIST_ERROR;
    }
    it->pos = pos;
    pos = skip_misc(d, len, pos);
    if (pos == NOT_FOUND)
        return SMD_PLIST_ERROR;
    it->pos = pos;
    pos = read_value(d, len, pos, e);
    if (pos == NOT_FOUND)
        return SMD_PLIST_ERROR;
    e->whole = span(start, pos - start);
    it->pos = pos;
    return SMD_PLIST_ENTRY;
}

bool servermgrd_is_bplist(const uint8_t *data, size_t len)
{
    return data && len >= SMD_BPLIST_MAGIC_LEN &&
           memcmp(data, SMD_BPLIST_MAGIC, SMD_BPLIST_MAGIC_LEN) == 0;
}

/* ------------------------------------------------------------------------ */
/* Header lines left in a body                                              */

/* Is data[pos..end) a header line without a colon (a token alone)? */
static bool is_bare_line(const uint8_t *data, size_t pos, size_t end)
{
    if (end == pos || end - pos > SMD_MAX_BARE_LINE)
        return false;
    for (size_t i = pos; i < end; i++) {
        if (!is_tchar(data[i]))
            return false;
    }
    return true;
}

/* Splits one header line data[pos..end) into hl; false when it is neither a
 * bare token nor "name: value". */
static bool split_header_line(const uint8_t *data, size_t pos, size_t end, smd_hline_t *hl)
{
    memset(hl, 0, sizeof(*hl));
    hl->line = span(pos, end - pos);
    if (is_bare_line(data, pos, end)) {
        hl->name = hl->line;
        hl->value = span(end, 0);
        return true;
    }
    const uint8_t *colon = memchr(data + pos, ':', end - pos);
    if (!colon || colon == data + pos)
        return false;
    size_t c = (size_t)(colon - data);
    for (size_t i = pos; i < c; i++) {
        if (!is_tchar(data[i]))
            return false;
    }
    hl->has_colon = true;
    hl->name = span(pos, c - pos);
    hl->value = trimmed(data, c + 1, end - c - 1);
    return true;
}

bool servermgrd_leftover_headers(const uint8_t *data, size_t len, smd_hline_t *lines, size_t max,
                                 smd_leftover_t *res)
{
    size_t pos = 0, next;
    memset(res, 0, sizeof(*res));
    if (!data)
        return false;
    /* The first line alone decides, so an ordinary body costs a few bytes. */
    size_t first = len < SMD_MAX_BARE_LINE + 2 ? len : SMD_MAX_BARE_LINE + 2;
    size_t end = line_end(data, first, 0, &next);
    if (end == NOT_FOUND || !is_bare_line(data, 0, end))
        return false;
    while (pos < len) {
        end = line_end(data, len, pos, &next);
        if (end == NOT_FOUND)
            break; /* a cut line: leave it to the body */
        if (end == pos) {
            res->complete = true;
            pos = next;
            break;
        }
        smd_hline_t hl;
        if (!split_header_line(data, pos, end, &hl))
            break;
        if (res->count < max && lines)
            lines[res->count++] = hl;
        res->total++;
        pos = next;
    }
    res->body_off = pos;
    return true;
}
