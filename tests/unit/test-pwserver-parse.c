/* test-pwserver-parse.c
 * The Apple Password Server signature check and line parsers
 * (plugins/pwserver/pwserver-parse.c), including adversarial lengths.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "pwserver-parse.h"

#define S(str) ((const uint8_t *)(str)), (sizeof(str) - 1)

static const char greeting[] =
    "+OK ApplePasswordServer 10.6.0.0 password server at 127.0.0.15 ready.\r\n";

static bool match_str(const char *s)
{
    return pwserver_match((const uint8_t *)s, strlen(s));
}

static void test_match_server_greeting(void)
{
    g_assert_true(match_str(greeting));
    g_assert_true(match_str("+OK ApplePasswordServer 10.4.5.0 password server at 0.0.0.0 ready."));
    g_assert_true(match_str("+OK ApplePasswordServer 1")); /* the rest may follow later */
    g_assert_false(match_str("+OK ApplePasswordServer ")); /* no version yet */
    g_assert_false(match_str("+OK ApplePasswordServer x.y password server"));
    g_assert_false(match_str("+ok applepasswordserver 10.6 password server")); /* case */
    g_assert_false(match_str("+OK POP3 server ready\r\n"));
    g_assert_false(match_str("+OK ApplePasswordServer 10.6\x01 password\r\n")); /* not text */
}

static void test_match_client_lines(void)
{
    g_assert_true(match_str("LIST RSAPUBLIC\r\n"));
    g_assert_true(match_str("LIST RSAPUBLIC"));
    g_assert_false(match_str("LIST RSAPUBLICX\r\n"));
    g_assert_false(match_str("LIST\r\n"));
    g_assert_true(match_str("RSAPUBLIC\r\n"));
    g_assert_true(match_str("RSAPUBLIC"));
    g_assert_false(match_str("RSAPUBLIC KEY\r\n"));
    g_assert_false(match_str("RSAPUBLI"));
    g_assert_true(match_str("RSAVALIDATE {128}QUJD\r\n"));
    g_assert_true(match_str("RSAVALIDATE {12"));
    g_assert_false(match_str("RSAVALIDATE {}QUJD\r\n"));
    g_assert_false(match_str("RSAVALIDATE QUJD\r\n"));
    g_assert_false(match_str("RSAVALIDATE {12x}QUJD\r\n"));
    g_assert_false(match_str("RSAVALIDATE {12345678901}QUJD\r\n")); /* 11 digits */
    g_assert_true(match_str("USER 0x0123456789abcdef0123456789abcdef AUTH CRAM-MD5\r\n"));
    g_assert_true(match_str("USER 0x0123")); /* partial slot id */
    g_assert_false(match_str("USER 0x"));
    g_assert_false(match_str("USER 0xg123456789abcdef0123456789abcdef AUTH CRAM-MD5\r\n"));
    g_assert_false(match_str("USER 0x0123456789abcdef0123456789abcdef0 AUTH CRAM-MD5\r\n"));
    g_assert_false(match_str("USER alice\r\n"));
    g_assert_true(match_str("AUTH2 0A1B2C\r\n"));
    g_assert_true(match_str("AUTH2 0a1b"));
    g_assert_false(match_str("AUTH2 \r\n"));
    g_assert_false(match_str("AUTH2 0A1B 2C\r\n"));
    g_assert_false(match_str("AUTH2 hello\r\n"));
    g_assert_false(match_str("QUIT\r\n")); /* too common to be a signature */
}

static void test_match_other_traffic(void)
{
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03};
    static const uint8_t zeros[64] = {0};
    g_assert_false(pwserver_match(tls, sizeof(tls)));
    g_assert_false(pwserver_match(zeros, sizeof(zeros)));
    g_assert_false(match_str("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    g_assert_false(match_str("SSH-2.0-OpenSSH_9.2p1\r\n"));
    g_assert_false(match_str("DSPX"));
    g_assert_false(match_str("SNQUERY: 127.0.0.1:AAAAAA:xsvr"));
    g_assert_false(pwserver_match(NULL, 0));
    g_assert_false(pwserver_match((const uint8_t *)"", 0));
}

static void test_match_udp(void)
{
    g_assert_true(pwserver_match(S("How was your weekend?;0123ABCD\0")));
    g_assert_true(pwserver_match_udp(S("How was your weekend?;")));
    g_assert_true(pwserver_match_udp(S("How was your weekend?;0a")));
    g_assert_false(pwserver_match_udp(S("How was your weekend?;XYZ\0")));
    g_assert_false(pwserver_match_udp(S("How was your weekend?")));
    g_assert_false(pwserver_match_udp(S("How was your week")));
    g_assert_false(pwserver_match_tcp(S("How was your weekend?;0123\0")));
    g_assert_false(pwserver_match_udp(S("+OK ApplePasswordServer 10.6.0.0")));
}

/* Every prefix of a valid message, and every length of a buffer, are safe:
 * the copy has exactly len bytes, so reading past it would be caught by
 * ASan/valgrind. */
static void test_match_every_length(void)
{
    const char *samples[] = {
        greeting,
        "LIST RSAPUBLIC\r\n",
        "RSAVALIDATE {128}QUJD\r\n",
        "USER 0x0123456789abcdef0123456789abcdef AUTH CRAM-MD5\r\n",
        "AUTH2 0A1B2C\r\n",
        "How was your weekend?;0123ABCD",
    };
    for (size_t s = 0; s < G_N_ELEMENTS(samples); s++) {
        size_t n = strlen(samples[s]);
        for (size_t len = 0; len <= n; len++) {
            uint8_t *copy = g_memdup2(samples[s], len ? len : 1);
            (void)pwserver_match(copy, len);
            g_free(copy);
        }
    }
}

static void test_text_and_hex(void)
{
    g_assert_true(pwserver_is_text(S("+OK\tfine ~")));
    g_assert_true(pwserver_is_text(S("")));
    g_assert_false(pwserver_is_text(S("a\rb")));
    g_assert_false(pwserver_is_text(S("caf\xc3\xa9")));
    g_assert_false(pwserver_is_text(S("\x7f")));
    g_assert_true(pwserver_is_hex(S("09afAF")));
    g_assert_false(pwserver_is_hex(S("")));
    g_assert_false(pwserver_is_hex(S("0x12")));
    g_assert_true(pwserver_is_slot_id(S("0x0123456789abcdef0123456789abcdef")));
    g_assert_true(pwserver_is_slot_id(S("0X0123456789ABCDEF0123456789ABCDEF")));
    g_assert_false(pwserver_is_slot_id(S("0x0123456789abcdef0123456789abcde")));
    g_assert_false(pwserver_is_slot_id(S("0x0123456789abcdef0123456789abcdef0")));
    g_assert_false(pwserver_is_slot_id(S("1x0123456789abcdef0123456789abcdef")));
    g_assert_false(pwserver_is_slot_id(S("0x0123456789abcdef0123456789abcdeg")));
}

static void test_status_and_side(void)
{
    size_t n = 99;
    g_assert_cmpint(pwserver_status(S("+OK"), &n), ==, PWSERVER_STATUS_OK);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpint(pwserver_status(S("+OK (SASL \"A\")"), &n), ==, PWSERVER_STATUS_OK);
    g_assert_cmpint(pwserver_status(S("+AUTHOK 0A"), &n), ==, PWSERVER_STATUS_AUTHOK);
    g_assert_cmpuint(n, ==, 7);
    g_assert_cmpint(pwserver_status(S("-ERR SASL x"), &n), ==, PWSERVER_STATUS_ERR);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpint(pwserver_status(S("+OKAY"), &n), ==, PWSERVER_STATUS_NONE);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpint(pwserver_status(S("-ER"), NULL), ==, PWSERVER_STATUS_NONE);
    g_assert_cmpint(pwserver_status(S(""), NULL), ==, PWSERVER_STATUS_NONE);

    g_assert_cmpint(pwserver_line_side(S(greeting)), ==, PWSERVER_SIDE_SERVER);
    g_assert_cmpint(pwserver_line_side(S("+OK\r\n")), ==, PWSERVER_SIDE_SERVER);
    g_assert_cmpint(pwserver_line_side(S("-ERR no\r\n")), ==, PWSERVER_SIDE_SERVER);
    g_assert_cmpint(pwserver_line_side(S("quit\r\n")), ==, PWSERVER_SIDE_CLIENT);
    g_assert_cmpint(pwserver_line_side(S("LIST RSAPUBLIC\r\n")), ==, PWSERVER_SIDE_CLIENT);
    g_assert_cmpint(pwserver_line_side(S("FOO bar\r\n")), ==, PWSERVER_SIDE_UNKNOWN);
    g_assert_cmpint(pwserver_line_side(S(" QUIT\r\n")), ==, PWSERVER_SIDE_UNKNOWN);
    g_assert_cmpint(pwserver_line_side(S("")), ==, PWSERVER_SIDE_UNKNOWN);
}

static void test_commands(void)
{
    g_assert_cmpint(pwserver_command(S("LIST")), ==, PWSERVER_CMD_LIST);
    g_assert_cmpint(pwserver_command(S("rsapublic")), ==, PWSERVER_CMD_RSAPUBLIC);
    g_assert_cmpint(pwserver_command(S("RSAVALIDATE")), ==, PWSERVER_CMD_RSAVALIDATE);
    g_assert_cmpint(pwserver_command(S("User")), ==, PWSERVER_CMD_USER);
    g_assert_cmpint(pwserver_command(S("AUTH2")), ==, PWSERVER_CMD_AUTH2);
    g_assert_cmpint(pwserver_command(S("GETPPTPKEYS")), ==, PWSERVER_CMD_GETPPTPKEYS);
    g_assert_cmpint(pwserver_command(S("QUIT")), ==, PWSERVER_CMD_QUIT);
    g_assert_cmpint(pwserver_command(S("QUITS")), ==, PWSERVER_CMD_UNKNOWN);
    g_assert_cmpint(pwserver_command(S("AUTH")), ==, PWSERVER_CMD_UNKNOWN);
    g_assert_cmpint(pwserver_command(S("")), ==, PWSERVER_CMD_UNKNOWN);
}

static void test_tokens(void)
{
    pwserver_span_t t;
    const uint8_t *l = (const uint8_t *)"  ab \tcd";
    size_t pos = pwserver_next_token(l, 8, 0, &t);
    g_assert_cmpuint(t.off, ==, 2);
    g_assert_cmpuint(t.len, ==, 2);
    pos = pwserver_next_token(l, 8, pos, &t);
    g_assert_cmpuint(t.off, ==, 6);
    g_assert_cmpuint(t.len, ==, 2);
    g_assert_cmpuint(pos, ==, 8);
    pos = pwserver_next_token(l, 8, pos, &t);
    g_assert_cmpuint(t.len, ==, 0);
    g_assert_cmpuint(pos, ==, 8);
}

static void test_u32(void)
{
    uint32_t v = 0;
    g_assert_true(pwserver_parse_u32(S("0"), &v));
    g_assert_cmpuint(v, ==, 0);
    g_assert_true(pwserver_parse_u32(S("4294967295"), &v));
    g_assert_cmpuint(v, ==, 4294967295u);
    g_assert_false(pwserver_parse_u32(S("4294967296"), &v));
    g_assert_false(pwserver_parse_u32(S("12345678901"), &v));
    g_assert_false(pwserver_parse_u32(S(""), &v));
    g_assert_false(pwserver_parse_u32(S("12a"), &v));
}

static void test_greeting(void)
{
    pwserver_greeting_t g;
    const char *line = "+OK ApplePasswordServer 10.6.0.0 password server at 127.0.0.15 ready.";
    const uint8_t *b = (const uint8_t *)line;

    g_assert_true(pwserver_parse_greeting(b, strlen(line), &g));
    g_assert_true(g.complete);
    g_assert_cmpuint(g.text.off, ==, 4);
    g_assert_cmpuint(g.text.len, ==, strlen(line) - 4);
    g_assert_cmpint(memcmp(b + g.version.off, "10.6.0.0", 8), ==, 0);
    g_assert_cmpuint(g.version.len, ==, 8);
    g_assert_cmpint(memcmp(b + g.address.off, "127.0.0.15", 10), ==, 0);
    g_assert_cmpuint(g.address.len, ==, 10);

    /* cut short: what is there is found, the layout is incomplete */
    g_assert_true(pwserver_parse_greeting(b, 40, &g));
    g_assert_false(g.complete);
    g_assert_cmpuint(g.version.len, ==, 8);
    g_assert_cmpuint(g.address.len, ==, 0);
    g_assert_true(pwserver_parse_greeting(S("+OK ApplePasswordServer 10.6 hello"), &g));
    g_assert_false(g.complete);
    g_assert_cmpuint(g.version.len, ==, 4);
    g_assert_true(pwserver_parse_greeting(S("+OK ApplePasswordServer 1 password server at x "
                                            "ready. more"),
                                          &g));
    g_assert_false(g.complete);
    g_assert_false(pwserver_parse_greeting(S("+OK ApplePassword"), &g));
    for (size_t len = 0; len <= strlen(line); len++) {
        uint8_t *copy = g_memdup2(line, len ? len : 1);
        (void)pwserver_parse_greeting(copy, len, &g);
        g_assert_true(g.version.off + g.version.len <= len || len < 24);
        g_free(copy);
    }
}

static void test_sasl_list(void)
{
    const char *text = "(SASL \"CRAM-MD5\" \"DIGEST-MD5\" \"MS-CHAPv2\")";
    const uint8_t *b = (const uint8_t *)text;
    const char *expect[] = {"CRAM-MD5", "DIGEST-MD5", "MS-CHAPv2"};
    pwserver_span_t m;
    size_t pos = 0, n = 0;

    g_assert_true(pwserver_is_sasl_list(b, strlen(text)));
    while ((pos = pwserver_sasl_next(b, strlen(text), pos, &m)) != 0) {
        g_assert_cmpuint(n, <, 3);
        g_assert_cmpuint(m.len, ==, strlen(expect[n]));
        g_assert_cmpint(memcmp(b + m.off, expect[n], m.len), ==, 0);
        n++;
    }
    g_assert_cmpuint(n, ==, 3);

    /* unquoted names, an empty list, an unterminated quote */
    g_assert_true(pwserver_is_sasl_list(S("(SASL)")));
    g_assert_false(pwserver_is_sasl_list(S("(SASLX)")));
    g_assert_cmpuint(pwserver_sasl_next(S("(SASL)"), 0, &m), ==, 0);
    pos = pwserver_sasl_next(S("(SASL PLAIN LOGIN)"), 0, &m);
    g_assert_cmpuint(m.off, ==, 6);
    g_assert_cmpuint(m.len, ==, 5);
    pos = pwserver_sasl_next(S("(SASL PLAIN LOGIN)"), pos, &m);
    g_assert_cmpuint(m.off, ==, 12);
    g_assert_cmpuint(m.len, ==, 5);
    g_assert_cmpuint(pwserver_sasl_next(S("(SASL PLAIN LOGIN)"), pos, &m), ==, 0);
    pos = pwserver_sasl_next(S("(SASL \"CRAM"), 0, &m);
    g_assert_cmpuint(pos, ==, 11);
    g_assert_cmpuint(m.len, ==, 4);
    g_assert_cmpuint(pwserver_sasl_next(S("(SASL \"CRAM"), pos, &m), ==, 0);
    /* every prefix terminates */
    for (size_t len = 0; len <= strlen(text); len++) {
        uint8_t *copy = g_memdup2(text, len ? len : 1);
        size_t count = 0;
        pos = 0;
        while ((pos = pwserver_sasl_next(copy, len, pos, &m)) != 0) {
            g_assert_cmpuint(m.off + m.len, <=, len);
            g_assert_cmpuint(++count, <=, 3);
        }
        g_free(copy);
    }
}

static void test_rsa_key(void)
{
    pwserver_rsa_key_t k;
    const char *text = "1024 65537 1234567890123 root@demo-server.example.com";
    const uint8_t *b = (const uint8_t *)text;

    g_assert_true(pwserver_parse_rsa_key(b, strlen(text), &k));
    g_assert_cmpuint(k.bits, ==, 1024);
    g_assert_cmpuint(k.exponent, ==, 65537);
    g_assert_cmpuint(k.modulus.off, ==, 11);
    g_assert_cmpuint(k.modulus.len, ==, 13);
    g_assert_cmpuint(k.name.off, ==, 25);
    g_assert_cmpuint(k.name.len, ==, strlen("root@demo-server.example.com"));
    g_assert_false(pwserver_parse_rsa_key(S("1024 65537 123"), &k)); /* no name */
    g_assert_false(pwserver_parse_rsa_key(S("1024 65537 12a3 name"), &k));
    g_assert_false(pwserver_parse_rsa_key(S("x 65537 123 name"), &k));
    g_assert_false(pwserver_parse_rsa_key(S("99999999999 3 123 name"), &k));
    g_assert_false(pwserver_parse_rsa_key(S("1024 12345678901234567890 123 name"), &k));
    g_assert_false(pwserver_parse_rsa_key(S(" 1024 3 123 name"), &k));
    g_assert_false(pwserver_parse_rsa_key(S(""), &k));
    g_assert_true(pwserver_parse_rsa_key(S("2048 3 7 a b  "), &k));
    g_assert_cmpuint(k.name.len, ==, 3); /* "a b", trailing blanks dropped */
}

static void test_blob(void)
{
    pwserver_blob_t bl;
    g_assert_true(pwserver_parse_blob(S("{16}QUJDREVGR0hJSktMTU5PUA=="), &bl));
    g_assert_cmpuint(bl.length, ==, 16);
    g_assert_cmpuint(bl.length_span.off, ==, 1);
    g_assert_cmpuint(bl.length_span.len, ==, 2);
    g_assert_cmpuint(bl.data.off, ==, 4);
    g_assert_cmpuint(bl.data.len, ==, 24);
    g_assert_true(pwserver_parse_blob(S("{0}"), &bl));
    g_assert_cmpuint(bl.data.len, ==, 0);
    g_assert_false(pwserver_parse_blob(S("{}abc"), &bl));
    g_assert_false(pwserver_parse_blob(S("{12abc"), &bl));
    g_assert_false(pwserver_parse_blob(S("12}abc"), &bl));
    g_assert_false(pwserver_parse_blob(S("{99999999999}a"), &bl));
    g_assert_false(pwserver_parse_blob(S("{"), &bl));
    g_assert_false(pwserver_parse_blob(S(""), &bl));
}

static void test_user(void)
{
    pwserver_user_t u;
    const char *args = "0x0123456789abcdef0123456789abcdef AUTH CRAM-MD5";
    const uint8_t *b = (const uint8_t *)args;

    g_assert_true(pwserver_parse_user(b, strlen(args), &u));
    g_assert_cmpuint(u.slot_id.off, ==, 0);
    g_assert_cmpuint(u.slot_id.len, ==, 34);
    g_assert_cmpuint(u.mechanism.off, ==, 40);
    g_assert_cmpuint(u.mechanism.len, ==, 8);
    g_assert_cmpuint(u.data.len, ==, 0);
    g_assert_cmpuint(u.extra.len, ==, 0);

    g_assert_true(pwserver_parse_user(S("0x01 auth DIGEST-MD5 0A0B"), &u));
    g_assert_cmpuint(u.data.off, ==, 21);
    g_assert_cmpuint(u.data.len, ==, 4);
    g_assert_true(pwserver_parse_user(S("0x01 AUTH PLAIN 0A0B extra words"), &u));
    g_assert_cmpuint(u.extra.off, ==, 21);
    g_assert_cmpuint(u.extra.len, ==, 11);
    g_assert_false(pwserver_parse_user(S("0x01 PASS CRAM-MD5"), &u));
    g_assert_false(pwserver_parse_user(S("0x01 AUTH"), &u));
    g_assert_false(pwserver_parse_user(S(""), &u));
}

static void test_mech_in_list(void)
{
    const char *list = "CRAM-MD5, DIGEST-MD5 ,MS-CHAPv2,APOP";
    g_assert_true(pwserver_mech_in_list(list, S("CRAM-MD5")));
    g_assert_true(pwserver_mech_in_list(list, S("digest-md5")));
    g_assert_true(pwserver_mech_in_list(list, S("MS-CHAPV2")));
    g_assert_true(pwserver_mech_in_list(list, S("APOP")));
    g_assert_false(pwserver_mech_in_list(list, S("CRAM")));
    g_assert_false(pwserver_mech_in_list(list, S("CRAM-MD5X")));
    g_assert_false(pwserver_mech_in_list(list, S("GSSAPI")));
    g_assert_false(pwserver_mech_in_list(list, S("")));
    g_assert_false(pwserver_mech_in_list("", S("PLAIN")));
    g_assert_false(pwserver_mech_in_list(",,", S("PLAIN")));
    g_assert_false(pwserver_mech_in_list(NULL, S("PLAIN")));
}

static void test_hex_decode(void)
{
    uint8_t out[8];
    g_assert_cmpuint(pwserver_hex_decode(S("3C31aF"), out, sizeof(out)), ==, 3);
    g_assert_cmpuint(out[0], ==, 0x3c);
    g_assert_cmpuint(out[1], ==, 0x31);
    g_assert_cmpuint(out[2], ==, 0xaf);
    g_assert_cmpuint(pwserver_hex_decode(S("3C3"), out, sizeof(out)), ==, 0);
    g_assert_cmpuint(pwserver_hex_decode(S("3G"), out, sizeof(out)), ==, 0);
    g_assert_cmpuint(pwserver_hex_decode(S(""), out, sizeof(out)), ==, 0);
    g_assert_cmpuint(pwserver_hex_decode(S("00112233445566778899"), out, sizeof(out)), ==, 0);
}

static void test_udp_reply(void)
{
    pwserver_span_t r, h;
    bool term = false;
    g_assert_true(pwserver_parse_udp_reply(S("How was your weekend?;0A1B\0tail"), &r, &h, &term));
    g_assert_true(term);
    g_assert_cmpuint(r.off, ==, 0);
    g_assert_cmpuint(r.len, ==, 26);
    g_assert_cmpuint(h.off, ==, 22);
    g_assert_cmpuint(h.len, ==, 4);
    g_assert_true(pwserver_parse_udp_reply(S("How was your weekend?;0A"), &r, &h, &term));
    g_assert_false(term);
    g_assert_cmpuint(r.len, ==, 24);
    g_assert_cmpuint(h.len, ==, 2);
    g_assert_false(pwserver_parse_udp_reply(S("How was your weekend"), &r, &h, &term));
    g_assert_false(pwserver_parse_udp_reply(NULL, 0, &r, &h, &term));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pwserver/match/greeting", test_match_server_greeting);
    g_test_add_func("/pwserver/match/client-lines", test_match_client_lines);
    g_test_add_func("/pwserver/match/other-traffic", test_match_other_traffic);
    g_test_add_func("/pwserver/match/udp", test_match_udp);
    g_test_add_func("/pwserver/match/every-length", test_match_every_length);
    g_test_add_func("/pwserver/text-and-hex", test_text_and_hex);
    g_test_add_func("/pwserver/status-and-side", test_status_and_side);
    g_test_add_func("/pwserver/commands", test_commands);
    g_test_add_func("/pwserver/tokens", test_tokens);
    g_test_add_func("/pwserver/u32", test_u32);
    g_test_add_func("/pwserver/greeting", test_greeting);
    g_test_add_func("/pwserver/sasl-list", test_sasl_list);
    g_test_add_func("/pwserver/rsa-key", test_rsa_key);
    g_test_add_func("/pwserver/blob", test_blob);
    g_test_add_func("/pwserver/user", test_user);
    g_test_add_func("/pwserver/mech-in-list", test_mech_in_list);
    g_test_add_func("/pwserver/hex-decode", test_hex_decode);
    g_test_add_func("/pwserver/udp-reply", test_udp_reply);
    return g_test_run();
}
