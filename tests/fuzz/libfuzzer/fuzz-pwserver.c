/* fuzz-pwserver.c
 * libFuzzer target: Apple Password Server parsers (plugins/pwserver/
 * pwserver-parse.c). The input is taken as a datagram and as a TCP stream
 * of CRLF lines; each line goes through every line parser, each on its own
 * heap copy so that AddressSanitizer sees the line's end.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "pwserver-parse.h"

static bool span_ok(pwserver_span_t s, size_t len)
{
    return fuzz_span_in(s.off, s.len, len);
}

static bool all_digits(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] < '0' || d[i] > '9')
            return false;
    }
    return n > 0;
}

static void check_tokens(const uint8_t *line, size_t len)
{
    pwserver_span_t tok;
    size_t pos = 0;
    for (;;) {
        size_t next = pwserver_next_token(line, len, pos, &tok);
        FUZZ_CHECK(next <= len && span_ok(tok, len) && tok.off + tok.len == next);
        FUZZ_CHECK(memchr(line + tok.off, ' ', tok.len) == NULL);
        if (tok.len == 0) {
            FUZZ_CHECK(next == len);
            break;
        }
        FUZZ_CHECK(next > pos);
        pos = next;
    }
    FUZZ_CHECK(pwserver_skip_spaces(line, len, len) == len);
}

static void check_text_after_ok(const uint8_t *text, size_t len)
{
    pwserver_rsa_key_t key;
    pwserver_blob_t blob;
    pwserver_span_t mech;

    if (pwserver_is_sasl_list(text, len)) {
        size_t pos = 0;
        unsigned n = 0;
        while ((pos = pwserver_sasl_next(text, len, pos, &mech)) != 0) {
            FUZZ_CHECK(pos <= len && span_ok(mech, len) && ++n <= len);
        }
    }
    if (pwserver_parse_rsa_key(text, len, &key)) {
        FUZZ_CHECK(span_ok(key.bits_span, len) && span_ok(key.exponent_span, len));
        FUZZ_CHECK(span_ok(key.modulus, len) && span_ok(key.name, len) && key.name.len > 0);
        FUZZ_CHECK(all_digits(text + key.modulus.off, key.modulus.len));
    }
    if (pwserver_parse_blob(text, len, &blob)) {
        FUZZ_CHECK(span_ok(blob.length_span, len) && span_ok(blob.data, len));
        FUZZ_CHECK(blob.data.off + blob.data.len == len && text[blob.data.off - 1] == '}');
        uint32_t v;
        FUZZ_CHECK(pwserver_parse_u32(text + blob.length_span.off, blob.length_span.len, &v) &&
                   v == blob.length);
    }
}

static void check_line(const uint8_t *line, size_t len, const char *list)
{
    size_t word_len = 99;
    pwserver_greeting_t g;
    pwserver_user_t u;
    pwserver_span_t verb;
    uint32_t v;

    FUZZ_CHECK(pwserver_is_text(line, len) == pwserver_is_text(line, len));
    check_tokens(line, len);
    (void)pwserver_line_side(line, len);
    pwserver_status_t st = pwserver_status(line, len, &word_len);
    FUZZ_CHECK(word_len <= len && (st == PWSERVER_STATUS_NONE) == (word_len == 0));

    if (pwserver_parse_greeting(line, len, &g)) {
        FUZZ_CHECK(span_ok(g.text, len) && span_ok(g.version, len) && span_ok(g.address, len));
        if (g.complete)
            FUZZ_CHECK(g.version.len > 0 && g.address.len > 0);
    }
    if (st == PWSERVER_STATUS_OK && word_len < len) {
        uint8_t *text = fuzz_copy(line + word_len + 1, len - word_len - 1);
        check_text_after_ok(text, len - word_len - 1);
        free(text);
    }

    size_t after = pwserver_next_token(line, len, 0, &verb);
    pwserver_command_t cmd = pwserver_command(line + verb.off, verb.len);
    if (cmd != PWSERVER_CMD_UNKNOWN)
        FUZZ_CHECK(verb.len >= 4 && verb.len <= 11);
    if (list)
        (void)pwserver_mech_in_list(list, line + verb.off, verb.len);
    if (after < len) {
        uint8_t *args = fuzz_copy(line + after + 1, len - after - 1);
        size_t n = len - after - 1;
        if (pwserver_parse_user(args, n, &u)) {
            FUZZ_CHECK(span_ok(u.slot_id, n) && span_ok(u.auth_keyword, n));
            FUZZ_CHECK(span_ok(u.mechanism, n) && span_ok(u.data, n) && span_ok(u.extra, n));
            FUZZ_CHECK(u.extra.off + u.extra.len == n);
            (void)pwserver_is_slot_id(args + u.slot_id.off, u.slot_id.len);
            if (list)
                (void)pwserver_mech_in_list(list, args + u.mechanism.off, u.mechanism.len);
            uint8_t *out = malloc(u.data.len / 2 + 1);
            size_t got = pwserver_hex_decode(args + u.data.off, u.data.len, out, u.data.len / 2);
            FUZZ_CHECK(got == 0 || got * 2 == u.data.len);
            free(out);
        }
        check_text_after_ok(args, n);
        free(args);
    }
    if (pwserver_is_slot_id(line, len))
        FUZZ_CHECK(len == 34 && pwserver_is_hex(line + 2, 32));
    if (pwserver_parse_u32(line, len, &v))
        FUZZ_CHECK(len >= 1 && len <= 10 && all_digits(line, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pwserver_span_t reply, hex;
    bool terminated;

    FUZZ_CHECK(pwserver_match(data, size) ==
               (pwserver_match_tcp(data, size) || pwserver_match_udp(data, size)));

    if (pwserver_parse_udp_reply(data, size, &reply, &hex, &terminated)) {
        FUZZ_CHECK(span_ok(reply, size) && span_ok(hex, size));
        FUZZ_CHECK(reply.off == 0 && hex.off + hex.len == reply.len);
        FUZZ_CHECK(terminated == (reply.len < size));
        if (pwserver_match_udp(data, size) && hex.len > 0)
            FUZZ_CHECK(pwserver_is_hex(data + hex.off, hex.len));
        /* Decode the hex into a buffer that is exactly big enough. */
        size_t room = hex.len / 2;
        uint8_t *out = malloc(room ? room : 1);
        size_t got = pwserver_hex_decode(data + hex.off, hex.len, out, room);
        FUZZ_CHECK(got == 0 || got * 2 == hex.len);
        if (got > 0) {
            static const char digits[] = "0123456789abcdef";
            for (size_t i = 0; i < got; i++) {
                FUZZ_CHECK((data[hex.off + 2 * i] | 0x20) == digits[out[i] >> 4]);
                FUZZ_CHECK((data[hex.off + 2 * i + 1] | 0x20) == digits[out[i] & 15]);
            }
        }
        /* One byte too small: nothing is written. */
        if (room > 0)
            FUZZ_CHECK(pwserver_hex_decode(data + hex.off, hex.len, out, room - 1) == 0);
        free(out);
    }

    /* The mechanism list of a preference: the first line of the input. */
    size_t first = 0;
    while (first < size && data[first] != '\n')
        first++;
    char *list = fuzz_cstring(data, first);

    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n')
            continue;
        size_t end = i > start && data[i - 1] == '\r' ? i - 1 : i;
        uint8_t *line = fuzz_copy(data + start, end - start);
        check_line(line, end - start, list);
        free(line);
        start = i + 1;
    }
    free(list);
    return 0;
}
