/* fuzz-servermgrd.c
 * libFuzzer target: servermgrd (Server Admin) parsers (plugins/servermgrd/
 * servermgrd-parse.c): the signature, the request target and its URL-encoded
 * values, the header values servermgrd sends, header lines left in a body,
 * and the XML property list scanner, each on its own heap copy of the part
 * the dissector hands it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz-common.h"

#include "servermgrd-parse.h"

#define MAX_LINES 8

static bool span_ok(smd_span_t s, size_t len)
{
    return fuzz_span_in(s.off, s.len, len);
}

static void check_decode(const uint8_t *uri, smd_span_t value)
{
    smd_urldecode_t res;
    uint8_t *in = fuzz_copy(uri + value.off, value.len);
    uint8_t *out = malloc(value.len ? value.len : 1);

    servermgrd_url_decode(in, value.len, out, &res);
    FUZZ_CHECK(res.out_len <= value.len && res.bad_escapes <= value.len);
    if (res.bad_escapes > 0)
        FUZZ_CHECK(res.first_bad < value.len && in[res.first_bad] == '%');
    /* Only escapes shrink the text: three bytes become one. */
    FUZZ_CHECK((value.len - res.out_len) % 2 == 0);
    free(out);
    free(in);
}

static void check_target(const uint8_t *data, size_t size)
{
    smd_target_t t;
    uint8_t *uri = fuzz_copy(data, size);
    smd_target_kind_t kind = servermgrd_parse_target(uri, size, &t);

    if (kind == SMD_TARGET_COMMAND) {
        FUZZ_CHECK(span_ok(t.module, size) && t.module.len > 0);
        if (t.has_input) {
            FUZZ_CHECK(span_ok(t.input, size));
            check_decode(uri, t.input);
        }
        if (t.has_send) {
            FUZZ_CHECK(span_ok(t.send, size));
            check_decode(uri, t.send);
        }
    } else {
        FUZZ_CHECK(!t.has_input && !t.has_send && t.module.len == 0);
    }
    free(uri);
}

static void check_plist(const uint8_t *data, size_t size)
{
    smd_plist_iter_t it;
    smd_pentry_t e;
    uint8_t *body = fuzz_copy(data, size);

    if (servermgrd_plist_begin(&it, body, size)) {
        size_t last = it.pos;
        FUZZ_CHECK(it.pos <= size);
        smd_plist_step_t step;
        for (;;) {
            step = servermgrd_plist_next(&it, &e);
            FUZZ_CHECK(it.pos <= size);
            if (step != SMD_PLIST_ENTRY)
                break;
            FUZZ_CHECK(it.pos > last); /* progress: the scan ends */
            last = it.pos;
            FUZZ_CHECK(span_ok(e.key, size) && span_ok(e.value, size) && span_ok(e.whole, size));
            FUZZ_CHECK(e.whole.off + e.whole.len == it.pos);
            FUZZ_CHECK(e.key.off >= e.whole.off && e.value.off >= e.key.off + e.key.len);
            FUZZ_CHECK(e.value.off + e.value.len <= it.pos);
            FUZZ_CHECK(servermgrd_pvalue_name(e.type) != NULL);
            FUZZ_CHECK(e.type <= SMD_PV_OTHER);
        }
        if (step == SMD_PLIST_END)
            FUZZ_CHECK(it.done && servermgrd_plist_next(&it, &e) == SMD_PLIST_END);
    }
    (void)servermgrd_is_bplist(body, size);
    free(body);
}

static void check_leftover(const uint8_t *data, size_t size)
{
    smd_hline_t lines[MAX_LINES];
    smd_leftover_t res;
    uint8_t *copy = fuzz_copy(data, size);

    if (servermgrd_leftover_headers(copy, size, lines, MAX_LINES, &res)) {
        FUZZ_CHECK(res.count <= MAX_LINES && res.count <= res.total);
        FUZZ_CHECK(res.body_off <= size);
        for (size_t i = 0; i < res.count; i++) {
            smd_hline_t *l = &lines[i];
            FUZZ_CHECK(span_ok(l->line, res.body_off) && span_ok(l->name, size));
            FUZZ_CHECK(span_ok(l->value, size));
            FUZZ_CHECK(l->name.off == l->line.off && l->name.len <= l->line.len);
            FUZZ_CHECK(l->value.off + l->value.len <= l->line.off + l->line.len);
            if (!l->has_colon)
                FUZZ_CHECK(l->name.len == l->line.len && l->value.len == 0);
            FUZZ_CHECK(servermgrd_span_equals(copy, l->name, "x") ==
                       servermgrd_span_equals(copy, l->name, "X"));
        }
        /* No room at all: the same scan, nothing stored. */
        smd_leftover_t none;
        FUZZ_CHECK(servermgrd_leftover_headers(copy, size, NULL, 0, &none));
        FUZZ_CHECK(none.count == 0 && none.total == res.total && none.body_off == res.body_off);
    }
    free(copy);
}

static void check_header_value(const uint8_t *data, size_t size)
{
    smd_span_t s;
    uint8_t *v = fuzz_copy(data, size);

    (void)servermgrd_is_server_value(v, size);
    if (servermgrd_find_cookie(v, size, &s))
        FUZZ_CHECK(span_ok(s, size));
    bool basic = servermgrd_is_basic_auth(v, size);
    if (servermgrd_basic_realm(v, size, &s))
        FUZZ_CHECK(basic && span_ok(s, size));
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)servermgrd_match(data, size);
    (void)servermgrd_classify_start(data, size);

    /* The request target: between the first two spaces of the first line. */
    size_t sp1 = 0;
    while (sp1 < size && data[sp1] != ' ' && data[sp1] != '\n')
        sp1++;
    if (sp1 < size && data[sp1] == ' ') {
        size_t sp2 = sp1 + 1;
        while (sp2 < size && data[sp2] != ' ' && data[sp2] != '\r' && data[sp2] != '\n')
            sp2++;
        check_target(data + sp1 + 1, sp2 - sp1 - 1);
    }
    check_target(data, size);

    /* Header values: after the colon of each line up to the empty line. */
    size_t pos = 0, body = 0;
    while (pos < size) {
        size_t end = pos;
        while (end < size && data[end] != '\n')
            end++;
        size_t stop = end > pos && data[end - 1] == '\r' ? end - 1 : end;
        if (stop == pos) {
            body = end < size ? end + 1 : size;
            break;
        }
        const uint8_t *colon = memchr(data + pos, ':', stop - pos);
        if (colon) {
            size_t v = (size_t)(colon - data) + 1;
            check_header_value(data + v, stop - v);
        }
        pos = end + 1;
    }

    check_leftover(data, size);
    check_plist(data, size);
    if (body > 0 && body < size) {
        check_leftover(data + body, size - body);
        check_plist(data + body, size - body);
    }
    return 0;
}
