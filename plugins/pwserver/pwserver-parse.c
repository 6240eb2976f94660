/* pwserver-parse.c
 * Byte-level parsers for the Apple Password Server protocol; see
 * pwserver-parse.h. Layouts: ../shared/reference/apple-protocols.md
 * section 8 (RADIATOR-APS client, Apple's PasswordServer client code, nmap
 * pop3pw and UDP RPCCheck matches).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "pwserver-parse.h"

#include <string.h>

/* How much of a first line the signature check looks at. */
#define MATCH_SCAN_MAX  1024
#define SLOT_HEX_DIGITS 32

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex_digit(uint8_t c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_eol(uint8_t c)
{
    return c == '\r' || c == '\n';
}

static uint8_t to_upper(uint8_t c)
{
    return (c >= 'a' && c <= 'z') ? (uint8_t)(c - 'a' + 'A') : c;
}

static bool starts_with(const uint8_t *data, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(data, prefix, n) == 0;
}

/* Case-insensitive comparison of a span with a NUL-terminated word. */
static bool equals_nocase(const uint8_t *data, size_t len, const char *word)
{
    if (strlen(word) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (to_upper(data[i]) != to_upper((uint8_t)word[i]))
            return false;
    }
    return true;
}

static size_t first_line_len(const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && !is_eol(data[i]))
        i++;
    return i;
}

bool pwserver_is_text(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((data[i] < 0x20 || data[i] > 0x7e) && data[i] != '\t')
            return false;
    }
    return true;
}

bool pwserver_is_hex(const uint8_t *data, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_hex_digit(data[i]))
            return false;
    }
    return true;
}

bool pwserver_is_slot_id(const uint8_t *data, size_t len)
{
    return len == 2 + SLOT_HEX_DIGITS && data[0] == '0' && (data[1] == 'x' || data[1] == 'X') &&
           pwserver_is_hex(data + 2, SLOT_HEX_DIGITS);
}

/* ---- Signature checks ---------------------------------------------------- */

/* After "USER 0x": the hex digits present must be hex, and after 32 of them
 * comes a space (when the data goes that far). */
static bool match_user(const uint8_t *data, size_t len)
{
    size_t i = 7;
    if (len <= i)
        return false;
    for (; i < len && i < 7 + SLOT_HEX_DIGITS; i++) {
        if (!is_hex_digit(data[i]))
            return false;
    }
    return i == len || data[i] == ' ';
}

/* After "AUTH2 ": hex up to the end of the line. */
static bool match_auth2(const uint8_t *data, size_t len)
{
    size_t i = 6;
    if (len <= i || !is_hex_digit(data[i]))
        return false;
    while (i < len && is_hex_digit(data[i]))
        i++;
    return i == len || is_eol(data[i]);
}

/* After "RSAVALIDATE ": '{' and digits up to '}' as far as the data goes. */
static bool match_rsavalidate(const uint8_t *data, size_t len)
{
    size_t i = 12;
    if (len <= i || data[i] != '{')
        return false;
    for (i++; i < len && data[i] != '}'; i++) {
        if (!is_digit(data[i]) || i > 12 + 10)
            return false;
    }
    return i != 13; /* at least one digit before '}' or the end of the data */
}

/* A word that stands alone on its line: followed by CR, LF or the end. */
static bool match_alone(const uint8_t *data, size_t len, const char *word)
{
    size_t n = strlen(word);
    return starts_with(data, len, word) && (len == n || is_eol(data[n]));
}

static bool match_tcp_prefix(const uint8_t *data, size_t len)
{
    switch (data[0]) {
    case '+':
        return starts_with(data, len, PWSERVER_GREETING_PREFIX) &&
               len > PWSERVER_GREETING_PREFIX_LEN && is_digit(data[PWSERVER_GREETING_PREFIX_LEN]);
    case 'L':
        return match_alone(data, len, "LIST RSAPUBLIC");
    case 'R':
        if (starts_with(data, len, "RSAVALIDATE "))
            return match_rsavalidate(data, len);
        return match_alone(data, len, "RSAPUBLIC");
    case 'U':
        return starts_with(data, len, "USER 0x") && match_user(data, len);
    case 'A':
        return starts_with(data, len, "AUTH2 ") && match_auth2(data, len);
    default:
        return false;
    }
}

bool pwserver_match_tcp(const uint8_t *data, size_t len)
{
    if (!data || len < 9) /* "RSAPUBLIC" is the shortest signature */
        return false;
    if (!match_tcp_prefix(data, len))
        return false;
    size_t line = first_line_len(data, len < MATCH_SCAN_MAX ? len : MATCH_SCAN_MAX);
    return pwserver_is_text(data, line);
}

bool pwserver_match_udp(const uint8_t *data, size_t len)
{
    if (!data || !starts_with(data, len, PWSERVER_UDP_PREFIX))
        return false;
    for (size_t i = PWSERVER_UDP_PREFIX_LEN; i < len && data[i] != '\0'; i++) {
        if (!is_hex_digit(data[i]))
            return false;
    }
    return true;
}

bool pwserver_match(const uint8_t *data, size_t len)
{
    return pwserver_match_tcp(data, len) || pwserver_match_udp(data, len);
}

/* ---- Words ---------------------------------------------------------------- */

size_t pwserver_skip_spaces(const uint8_t *line, size_t len, size_t pos)
{
    while (pos < len && (line[pos] == ' ' || line[pos] == '\t'))
        pos++;
    return pos;
}

size_t pwserver_next_token(const uint8_t *line, size_t len, size_t pos, pwserver_span_t *tok)
{
    pos = pwserver_skip_spaces(line, len, pos);
    tok->off = pos;
    while (pos < len && line[pos] != ' ' && line[pos] != '\t')
        pos++;
    tok->len = pos - tok->off;
    return pos;
}

bool pwserver_parse_u32(const uint8_t *data, size_t len, uint32_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 10)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(data[i]))
            return false;
        v = v * 10 + (uint64_t)(data[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_u64(const uint8_t *data, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 19) /* 19 digits always fit */
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(data[i]))
            return false;
        v = v * 10 + (uint64_t)(data[i] - '0');
    }
    *out = v;
    return true;
}

static bool all_digits(const uint8_t *data, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(data[i]))
            return false;
    }
    return true;
}

/* ---- Lines ---------------------------------------------------------------- */

pwserver_status_t pwserver_status(const uint8_t *line, size_t len, size_t *word_len)
{
    static const struct {
        const char *word;
        pwserver_status_t status;
    } words[] = {
        {"+AUTHOK", PWSERVER_STATUS_AUTHOK},
        {"+OK", PWSERVER_STATUS_OK},
        {"-ERR", PWSERVER_STATUS_ERR},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);
        if (starts_with(line, len, words[i].word) &&
            (len == n || line[n] == ' ' || line[n] == '\t')) {
            if (word_len)
                *word_len = n;
            return words[i].status;
        }
    }
    if (word_len)
        *word_len = 0;
    return PWSERVER_STATUS_NONE;
}

pwserver_command_t pwserver_command(const uint8_t *verb, size_t len)
{
    static const struct {
        const char *verb;
        pwserver_command_t cmd;
    } verbs[] = {
        {"LIST", PWSERVER_CMD_LIST},
        {"RSAPUBLIC", PWSERVER_CMD_RSAPUBLIC},
        {"RSAVALIDATE", PWSERVER_CMD_RSAVALIDATE},
        {"USER", PWSERVER_CMD_USER},
        {"AUTH2", PWSERVER_CMD_AUTH2},
        {"GETPPTPKEYS", PWSERVER_CMD_GETPPTPKEYS},
        {"QUIT", PWSERVER_CMD_QUIT},
    };
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (equals_nocase(verb, len, verbs[i].verb))
            return verbs[i].cmd;
    }
    return PWSERVER_CMD_UNKNOWN;
}

pwserver_side_t pwserver_line_side(const uint8_t *line, size_t len)
{
    pwserver_span_t verb;
    size_t line_len = first_line_len(line, len);

    if (pwserver_status(line, line_len, NULL) != PWSERVER_STATUS_NONE)
        return PWSERVER_SIDE_SERVER;
    pwserver_next_token(line, line_len, 0, &verb);
    if (verb.off == 0 && pwserver_command(line, verb.len) != PWSERVER_CMD_UNKNOWN)
        return PWSERVER_SIDE_CLIENT;
    return PWSERVER_SIDE_UNKNOWN;
}

/* Expects the literal word at pos (after blanks); returns the position after
 * it, or 0 when it is not there. */
static size_t expect_word(const uint8_t *line, size_t len, size_t pos, const char *word)
{
    pwserver_span_t tok;
    size_t next = pwserver_next_token(line, len, pos, &tok);
    if (tok.len == 0 || !equals_nocase(line + tok.off, tok.len, word))
        return 0;
    return next;
}

bool pwserver_parse_greeting(const uint8_t *line, size_t len, pwserver_greeting_t *g)
{
    size_t pos;
    pwserver_span_t end;

    memset(g, 0, sizeof(*g));
    if (!starts_with(line, len, PWSERVER_GREETING_PREFIX))
        return false;
    g->text.off = 4; /* after "+OK " */
    g->text.len = len - 4;
    pos = pwserver_next_token(line, len, PWSERVER_GREETING_PREFIX_LEN, &g->version);
    if (g->version.len == 0)
        return true;
    if (!(pos = expect_word(line, len, pos, "password")) ||
        !(pos = expect_word(line, len, pos, "server")) ||
        !(pos = expect_word(line, len, pos, "at")))
        return true;
    pos = pwserver_next_token(line, len, pos, &g->address);
    if (g->address.len == 0)
        return true;
    pos = pwserver_next_token(line, len, pos, &end);
    g->complete = end.len == 6 && memcmp(line + end.off, "ready.", 6) == 0 &&
                  pwserver_skip_spaces(line, len, pos) == len;
    return true;
}

bool pwserver_is_sasl_list(const uint8_t *text, size_t len)
{
    return starts_with(text, len, "(SASL") && (len == 5 || text[5] == ' ' || text[5] == ')');
}

size_t pwserver_sasl_next(const uint8_t *text, size_t len, size_t pos, pwserver_span_t *mech)
{
    if (pos == 0)
        pos = 5; /* after "(SASL" */
    pos = pwserver_skip_spaces(text, len, pos);
    if (pos >= len || text[pos] == ')')
        return 0;
    if (text[pos] == '"') {
        size_t start = ++pos;
        while (pos < len && text[pos] != '"')
            pos++;
        mech->off = start;
        mech->len = pos - start;
        return pos < len ? pos + 1 : pos;
    }
    mech->off = pos;
    while (pos < len && text[pos] != ' ' && text[pos] != '\t' && text[pos] != ')')
        pos++;
    mech->len = pos - mech->off;
    return pos;
}

bool pwserver_parse_rsa_key(const uint8_t *text, size_t len, pwserver_rsa_key_t *k)
{
    size_t pos;

    memset(k, 0, sizeof(*k));
    pos = pwserver_next_token(text, len, 0, &k->bits_span);
    pos = pwserver_next_token(text, len, pos, &k->exponent_span);
    pos = pwserver_next_token(text, len, pos, &k->modulus);
    k->name.off = pwserver_skip_spaces(text, len, pos);
    k->name.len = len - k->name.off;
    while (k->name.len > 0 && text[k->name.off + k->name.len - 1] == ' ')
        k->name.len--;
    return k->bits_span.off == 0 &&
           pwserver_parse_u32(text + k->bits_span.off, k->bits_span.len, &k->bits) &&
           parse_u64(text + k->exponent_span.off, k->exponent_span.len, &k->exponent) &&
           all_digits(text + k->modulus.off, k->modulus.len) && k->name.len > 0;
}

bool pwserver_parse_blob(const uint8_t *text, size_t len, pwserver_blob_t *b)
{
    size_t i = 1;

    memset(b, 0, sizeof(*b));
    if (len < 3 || text[0] != '{')
        return false;
    while (i < len && text[i] != '}')
        i++;
    if (i == len || !pwserver_parse_u32(text + 1, i - 1, &b->length))
        return false;
    b->length_span.off = 1;
    b->length_span.len = i - 1;
    b->data.off = i + 1;
    b->data.len = len - (i + 1);
    return true;
}

bool pwserver_parse_user(const uint8_t *args, size_t len, pwserver_user_t *u)
{
    size_t pos;

    memset(u, 0, sizeof(*u));
    pos = pwserver_next_token(args, len, 0, &u->slot_id);
    pos = pwserver_next_token(args, len, pos, &u->auth_keyword);
    pos = pwserver_next_token(args, len, pos, &u->mechanism);
    pos = pwserver_next_token(args, len, pos, &u->data);
    u->extra.off = pwserver_skip_spaces(args, len, pos);
    u->extra.len = len - u->extra.off;
    return u->slot_id.len > 0 && u->mechanism.len > 0 &&
           equals_nocase(args + u->auth_keyword.off, u->auth_keyword.len, "AUTH");
}

/* ---- Preferences and payloads --------------------------------------------- */

bool pwserver_mech_in_list(const char *list, const uint8_t *mech, size_t len)
{
    const char *p = list;

    if (!list || len == 0)
        return false;
    while (*p) {
        const char *start, *end;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        start = p;
        while (*p && *p != ',')
            p++;
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == len) {
            size_t i = 0;
            while (i < len && to_upper((uint8_t)start[i]) == to_upper(mech[i]))
                i++;
            if (i == len)
                return true;
        }
    }
    return false;
}

static uint8_t hex_value(uint8_t c)
{
    if (is_digit(c))
        return (uint8_t)(c - '0');
    return (uint8_t)(to_upper(c) - 'A' + 10);
}

size_t pwserver_hex_decode(const uint8_t *hex, size_t len, uint8_t *out, size_t out_size)
{
    if (len % 2 != 0 || len / 2 > out_size || !pwserver_is_hex(hex, len))
        return 0;
    for (size_t i = 0; i < len / 2; i++)
        out[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
    return len / 2;
}

bool pwserver_parse_udp_reply(const uint8_t *data, size_t len, pwserver_span_t *reply,
                              pwserver_span_t *hex, bool *terminated)
{
    size_t i = PWSERVER_UDP_PREFIX_LEN;

    if (!data || !starts_with(data, len, PWSERVER_UDP_PREFIX))
        return false;
    while (i < len && data[i] != '\0')
        i++;
    reply->off = 0;
    reply->len = i;
    hex->off = PWSERVER_UDP_PREFIX_LEN;
    hex->len = i - PWSERVER_UDP_PREFIX_LEN;
    *terminated = i < len;
    return true;
}
