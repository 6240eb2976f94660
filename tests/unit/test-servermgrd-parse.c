/* test-servermgrd-parse.c
 * servermgrd_match(), the transport sniff, the request target, URL decoding,
 * the plist key scanner and the header helpers of servermgrd-parse.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "servermgrd-parse.h"

#define S(lit) ((const uint8_t *)(lit)), (sizeof(lit) - 1)

static const char DEMO_REQUEST[] =
    "GET /commands/servermgr_info?input=%3C%3Fxml+version%3D%221.0%22+encoding%3D%22UTF-8%22%3F%"
    "3E%3Cplist+version%3D%220.9%22%3E%3Cdict%3E%3Ckey%3Ecommand%3C%2Fkey%3E%3Cstring%"
    "3EgetState%3C%2Fstring%3E%3C%2Fdict%3E%3C%2Fplist%3E&send=Send+Command HTTP/1.1\r\n"
    "Host: 127.0.0.11:311\r\n\r\n";

static const char RESPONSE_200[] = "HTTP/1.1 200 OK\r\nServer: servermgrd\r\nConnection: close\r\n"
                                   "Content-Type: text/html\r\n\r\n<HTML>";

/* nmap-service-probes line 14697: no Server header, only the cookie. */
static const char RESPONSE_COOKIE[] =
    "HTTP/1.1 401 Unauthorized\r\nWww-Authenticate: Basic realm=\"host\"\r\n"
    "Set-Cookie: com.apple.servermgrd=1234; path=/\r\n\r\n";

static gchar *span_str(const char *data, smd_span_t s)
{
    return g_strndup(data + s.off, s.len);
}

/* Every prefix of data must be safe to look at; returns how many matched. */
static unsigned match_prefixes(const char *data, size_t len)
{
    unsigned hits = 0;
    for (size_t n = 0; n <= len; n++) {
        /* a heap copy of exactly n bytes, so that a read past it is caught by
         * ASan/valgrind */
        uint8_t *copy = g_memdup2(data, n ? n : 1);
        hits += servermgrd_match(copy, n);
        g_free(copy);
    }
    return hits;
}

static void test_match_requests(void)
{
    g_assert_true(servermgrd_match(S(DEMO_REQUEST)));
    g_assert_true(servermgrd_match(S("POST /commands/servermgr_xsan HTTP/1.1\r\n")));
    g_assert_true(servermgrd_match(S("GET https://h:311/commands/servermgr_info?x HTTP/1.1\r\n")));
    /* the request line cut by the end of the segment */
    g_assert_true(servermgrd_match(S("GET /commands/servermgr_info?input=%3C%3Fxml")));
    g_assert_true(servermgrd_match(S("GET /commands/servermgr_info HT")));

    g_assert_false(servermgrd_match(S("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")));
    g_assert_false(servermgrd_match(S("GET / HTTP/1.1\r\nHost: servermgr_info\r\n\r\n")));
    g_assert_false(servermgrd_match(S("GET /commands/servermgr_ HTTP/1.1\r\n")));
    g_assert_false(servermgrd_match(S("GET /commands/servermgr_info XTTP/1.1\r\n")));
    g_assert_false(servermgrd_match(S("GET /Commands/servermgr_info HTTP/1.1\r\n")));
    g_assert_false(servermgrd_match(S("get /commands/servermgr_info HTTP/1.1\r\n")));
    g_assert_false(servermgrd_match(S("GET  /commands/servermgr_info HTTP/1.1\r\n")));
    g_assert_false(servermgrd_match(S("GET /commands/servermgr_info%00 HTTP/1.1\r\n")));
    g_assert_false(servermgrd_match(S("XYZZYXYZZYXYZZYXYZ /commands/servermgr_info HTTP/1.1\r\n")));
}

static void test_match_responses(void)
{
    g_assert_true(servermgrd_match(S(RESPONSE_200)));
    g_assert_true(servermgrd_match(S(RESPONSE_COOKIE)));
    g_assert_true(servermgrd_match(S("HTTP/1.1 401 Authorization Required\r\nserver: ServerMgrd\r\n"
                                     "SupportsXMLRPC\r\n")));
    g_assert_true(servermgrd_match(S("HTTP/1.0 200 OK\r\nServer: servermgrd/10.4\r\n\r\n")));
    /* the header line cut by the end of the segment still counts */
    g_assert_true(servermgrd_match(S("HTTP/1.1 200 OK\r\nServer: servermgrd")));

    g_assert_false(servermgrd_match(S("HTTP/1.1 200 OK\r\nServer: servermgrdX\r\n\r\n")));
    g_assert_false(servermgrd_match(S("HTTP/1.1 200 OK\r\nServer: Apache\r\n\r\n")));
    g_assert_false(servermgrd_match(S("HTTP/1.1 200 OK\r\nX-Server: servermgrd\r\n\r\n")));
    /* after the end of the header: body text does not count */
    g_assert_false(
        servermgrd_match(S("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nServer: servermgrd\r\n")));
    g_assert_false(
        servermgrd_match(S("HTTP/1.1 200 OK\r\nSet-Cookie: xcom.apple.servermgrd=1\r\n")));
    g_assert_false(servermgrd_match(S("HTTP/1.1 200 OK\r\nServer: ")));
}

static void test_match_other_traffic(void)
{
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc,
                                  0x03, 0x03, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
    static const uint8_t zeros[64] = {0};
    g_assert_false(servermgrd_match(tls, sizeof(tls)));
    g_assert_false(servermgrd_match(zeros, sizeof(zeros)));
    g_assert_false(servermgrd_match(S("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n")));
    g_assert_false(servermgrd_match(S("DSPX\0\0\0\x44"
                                      "DHN2aaaaaaaaaaaaaaaa")));
    g_assert_false(servermgrd_match(NULL, 100));
    g_assert_false(servermgrd_match(S("GET /commands/")));
}

static void test_match_adversarial_lengths(void)
{
    /* Each prefix long enough to hold the proof matches; none reads past. */
    g_assert_cmpuint(match_prefixes(DEMO_REQUEST, sizeof(DEMO_REQUEST) - 1), ==,
                     sizeof(DEMO_REQUEST) - 1 - strlen("GET /commands/servermgr_"));
    g_assert_cmpuint(match_prefixes(RESPONSE_200, sizeof(RESPONSE_200) - 1), >, 0);
    g_assert_cmpuint(match_prefixes(RESPONSE_COOKIE, sizeof(RESPONSE_COOKIE) - 1), >, 0);

    /* a header block longer than the window: the Server line past it is not seen */
    GString *big = g_string_new("HTTP/1.1 200 OK\r\n");
    while (big->len < SMD_MATCH_WINDOW)
        g_string_append(big, "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    g_string_append(big, "Server: servermgrd\r\n\r\n");
    g_assert_false(servermgrd_match((const uint8_t *)big->str, big->len));
    g_string_free(big, TRUE);
}

static void test_classify_start(void)
{
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x05};
    static const uint8_t appdata[] = {0x17, 0x03, 0x03, 0x00, 0x20};
    static const uint8_t not_tls[] = {0x16, 0x03, 0x05, 0x00, 0x05};
    static const uint8_t not_tls2[] = {0x18, 0x03, 0x01, 0x00, 0x05};
    g_assert_cmpint(servermgrd_classify_start(hello, sizeof(hello)), ==, SMD_START_TLS);
    g_assert_cmpint(servermgrd_classify_start(appdata, sizeof(appdata)), ==, SMD_START_TLS);
    g_assert_cmpint(servermgrd_classify_start(not_tls, sizeof(not_tls)), ==, SMD_START_UNKNOWN);
    g_assert_cmpint(servermgrd_classify_start(not_tls2, sizeof(not_tls2)), ==, SMD_START_UNKNOWN);
    g_assert_cmpint(servermgrd_classify_start(hello, 2), ==, SMD_START_UNKNOWN);
    g_assert_cmpint(servermgrd_classify_start(S("GET / HTTP/1.1\r\n")), ==, SMD_START_HTTP);
    g_assert_cmpint(servermgrd_classify_start(S("OPTIONS * HTTP/1.1\r\n")), ==, SMD_START_HTTP);
    g_assert_cmpint(servermgrd_classify_start(S("GET http://h/ HTTP/1.1\r\n")), ==, SMD_START_HTTP);
    g_assert_cmpint(servermgrd_classify_start(S("HTTP/1.0 200 OK\r\n")), ==, SMD_START_HTTP);
    g_assert_cmpint(servermgrd_classify_start(S("SSH-2.0-OpenSSH\r\n")), ==, SMD_START_UNKNOWN);
    g_assert_cmpint(servermgrd_classify_start(S("GET")), ==, SMD_START_UNKNOWN);
    g_assert_cmpint(servermgrd_classify_start(S("GET ")), ==, SMD_START_UNKNOWN);
    g_assert_cmpint(servermgrd_classify_start(NULL, 0), ==, SMD_START_UNKNOWN);
}

static void test_target_command(void)
{
    const char *uri = "/commands/servermgr_info?input=%3Cplist%3E&send=Send+Command";
    smd_target_t t;
    g_assert_cmpint(servermgrd_parse_target((const uint8_t *)uri, strlen(uri), &t), ==,
                    SMD_TARGET_COMMAND);
    gchar *s = span_str(uri, t.module);
    g_assert_cmpstr(s, ==, "info");
    g_free(s);
    g_assert_true(t.has_input);
    s = span_str(uri, t.input);
    g_assert_cmpstr(s, ==, "%3Cplist%3E");
    g_free(s);
    g_assert_true(t.has_send);
    s = span_str(uri, t.send);
    g_assert_cmpstr(s, ==, "Send+Command");
    g_free(s);

    uri = "https://srv:311/commands/servermgr_xserve/#frag";
    g_assert_cmpint(servermgrd_parse_target((const uint8_t *)uri, strlen(uri), &t), ==,
                    SMD_TARGET_COMMAND);
    s = span_str(uri, t.module);
    g_assert_cmpstr(s, ==, "xserve");
    g_free(s);
    g_assert_false(t.has_input);
    g_assert_false(t.has_send);

    /* first input= wins; names are matched whole; empty value kept */
    uri = "/commands/servermgr_nfs?xinput=1&input=&input=2&send";
    g_assert_cmpint(servermgrd_parse_target((const uint8_t *)uri, strlen(uri), &t), ==,
                    SMD_TARGET_COMMAND);
    g_assert_true(t.has_input);
    g_assert_cmpuint(t.input.len, ==, 0);
    g_assert_true(t.has_send);
    g_assert_cmpuint(t.send.len, ==, 0);
}

static void test_target_other(void)
{
    smd_target_t t;
    g_assert_cmpint(servermgrd_parse_target(S("/"), &t), ==, SMD_TARGET_ROOT);
    g_assert_cmpint(servermgrd_parse_target(S("/?x=1"), &t), ==, SMD_TARGET_ROOT);
    g_assert_cmpint(servermgrd_parse_target(S("http://host:311"), &t), ==, SMD_TARGET_ROOT);
    g_assert_cmpint(servermgrd_parse_target(S("http://host:311/"), &t), ==, SMD_TARGET_ROOT);
    g_assert_cmpint(servermgrd_parse_target(S("/index.html"), &t), ==, SMD_TARGET_OTHER);
    g_assert_cmpint(servermgrd_parse_target(S("/commands/servermgr_"), &t), ==, SMD_TARGET_OTHER);
    g_assert_cmpint(servermgrd_parse_target(S("/commands/servermgr_a b"), &t), ==,
                    SMD_TARGET_OTHER);
    g_assert_cmpint(servermgrd_parse_target(S("/commands/servermgr"), &t), ==, SMD_TARGET_OTHER);
    g_assert_cmpint(servermgrd_parse_target(S("?input=1"), &t), ==, SMD_TARGET_OTHER);
    g_assert_cmpint(servermgrd_parse_target(S("*"), &t), ==, SMD_TARGET_OTHER);
    g_assert_cmpint(servermgrd_parse_target(NULL, 0, &t), ==, SMD_TARGET_OTHER);
}

static void decode(const char *in, gchar **out, smd_urldecode_t *r)
{
    size_t n = strlen(in);
    uint8_t *buf = g_malloc(n + 1);
    servermgrd_url_decode((const uint8_t *)in, n, buf, r);
    g_assert_cmpuint(r->out_len, <=, n);
    *out = g_strndup((const char *)buf, r->out_len);
    g_free(buf);
}

static void test_url_decode(void)
{
    smd_urldecode_t r;
    gchar *s;
    decode("%3Ckey%3Ecommand%3C%2Fkey%3E+x%2b", &s, &r);
    g_assert_cmpstr(s, ==, "<key>command</key> x+");
    g_assert_cmpuint(r.bad_escapes, ==, 0);
    g_free(s);

    decode("%ZZab%4", &s, &r); /* bad, and cut at the end */
    g_assert_cmpstr(s, ==, "%ZZab%4");
    g_assert_cmpuint(r.bad_escapes, ==, 2);
    g_assert_cmpuint(r.first_bad, ==, 0);
    g_free(s);

    decode("ok%3C%", &s, &r);
    g_assert_cmpstr(s, ==, "ok<%");
    g_assert_cmpuint(r.bad_escapes, ==, 1);
    g_assert_cmpuint(r.first_bad, ==, 5);
    g_free(s);

    decode("", &s, &r);
    g_assert_cmpstr(s, ==, "");
    g_assert_cmpuint(r.out_len, ==, 0);
    g_free(s);
}

typedef struct {
    const char *key;
    smd_pvalue_t type;
    const char *value;
} expected_entry_t;

/* Scans data and compares with the expected entries; returns the last step. */
static smd_plist_step_t check_plist(const char *data, const expected_entry_t *exp, size_t n)
{
    smd_plist_iter_t it;
    smd_pentry_t e;
    smd_plist_step_t step;
    size_t i = 0;
    g_assert_true(servermgrd_plist_begin(&it, (const uint8_t *)data, strlen(data)));
    while ((step = servermgrd_plist_next(&it, &e)) == SMD_PLIST_ENTRY) {
        g_assert_cmpuint(i, <, n);
        gchar *k = span_str(data, e.key), *v = span_str(data, e.value);
        g_assert_cmpstr(k, ==, exp[i].key);
        g_assert_cmpint(e.type, ==, exp[i].type);
        g_assert_cmpstr(v, ==, exp[i].value);
        g_assert_true(e.whole.off + e.whole.len <= strlen(data));
        g_assert_true(strncmp(data + e.whole.off, "<key", 4) == 0);
        g_free(k);
        g_free(v);
        i++;
    }
    g_assert_cmpuint(i, ==, n);
    return step;
}

static void test_plist_request(void)
{
    const char *doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"0.9\"><dict>"
                      "<key>command</key><string>getHardwareInfo</string>"
                      "<key>variant</key><string>withQuotaUsage</string></dict></plist>";
    const expected_entry_t exp[] = {
        {"command", SMD_PV_STRING, "getHardwareInfo"},
        {"variant", SMD_PV_STRING, "withQuotaUsage"},
    };
    g_assert_cmpint(check_plist(doc, exp, 2), ==, SMD_PLIST_END);
}

static void test_plist_types_and_nesting(void)
{
    const char *doc =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple Computer//DTD PLIST 1.0//EN\" "
        "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n"
        "\t<key>cpuCount</key>\n\t<integer>2</integer>\n"
        "\t<!-- a comment <key>no</key> -->\n"
        "\t<key>on</key><true/>\n"
        "\t<key>off</key><false/>\n"
        "\t<key>nested</key><dict><key>inner</key><array><string>a</string><dict/></array></dict>\n"
        "\t<key>list</key><array/>\n"
        "\t<key>blob</key><data>AAEC</data>\n"
        "\t<key>when</key><date>2005-01-01T00:00:00Z</date>\n"
        "\t<key>ratio</key><real>0.5</real>\n"
        "\t<key>empty</key><string/>\n"
        "\t<key>odd</key><thing a=\"x>y\">t</thing>\n"
        "\t<key>cdata</key><string><![CDATA[<x>]]></string>\n"
        "</dict>\n</plist>\n";
    const expected_entry_t exp[] = {
        {"cpuCount", SMD_PV_INTEGER, "2"},
        {"on", SMD_PV_TRUE, ""},
        {"off", SMD_PV_FALSE, ""},
        {"nested", SMD_PV_DICT,
         "<dict><key>inner</key><array><string>a</string><dict/></array></dict>"},
        {"list", SMD_PV_ARRAY, ""},
        {"blob", SMD_PV_DATA, "AAEC"},
        {"when", SMD_PV_DATE, "2005-01-01T00:00:00Z"},
        {"ratio", SMD_PV_REAL, "0.5"},
        {"empty", SMD_PV_STRING, ""},
        {"odd", SMD_PV_OTHER, "<thing a=\"x>y\">t</thing>"},
        {"cdata", SMD_PV_STRING, "<![CDATA[<x>]]>"},
    };
    g_assert_cmpint(check_plist(doc, exp, G_N_ELEMENTS(exp)), ==, SMD_PLIST_END);
    g_assert_cmpstr(servermgrd_pvalue_name(SMD_PV_INTEGER), ==, "integer");
    g_assert_cmpstr(servermgrd_pvalue_name(SMD_PV_OTHER), ==, "other");
}

static void test_plist_not_a_dict(void)
{
    smd_plist_iter_t it;
    smd_pentry_t e;
    g_assert_false(servermgrd_plist_begin(&it, S("<plist><array><dict></dict></array></plist>")));
    g_assert_false(servermgrd_plist_begin(&it, S("<html><body>Server Admin module list")));
    g_assert_false(servermgrd_plist_begin(&it, S("bplist00\x01\x02")));
    g_assert_false(servermgrd_plist_begin(&it, S("<plist/>")));
    g_assert_false(servermgrd_plist_begin(&it, S("<?xml version=\"1.0\"")));
    g_assert_false(servermgrd_plist_begin(&it, S("")));
    g_assert_false(servermgrd_plist_begin(&it, NULL, 10));
    g_assert_cmpint(servermgrd_plist_next(&it, &e), ==, SMD_PLIST_END);
    /* a bare root dict and an empty one */
    g_assert_true(servermgrd_plist_begin(&it, S("<dict><key>a</key><string>b</string></dict>")));
    g_assert_cmpint(servermgrd_plist_next(&it, &e), ==, SMD_PLIST_ENTRY);
    g_assert_cmpint(servermgrd_plist_next(&it, &e), ==, SMD_PLIST_END);
    g_assert_cmpint(servermgrd_plist_next(&it, &e), ==, SMD_PLIST_END);
    g_assert_true(servermgrd_plist_begin(&it, S("<plist version=\"1.0\"><dict/></plist>")));
    g_assert_cmpint(servermgrd_plist_next(&it, &e), ==, SMD_PLIST_END);
}

static void test_plist_errors(void)
{
    const expected_entry_t one[] = {{"a", SMD_PV_STRING, "b"}};
    /* cut short after the first entry */
    g_assert_cmpint(check_plist("<plist><dict><key>a</key><string>b</string><key>c</ke", one, 1),
                    ==, SMD_PLIST_ERROR);
    g_assert_cmpint(
        check_plist("<dict><key>a</key><string>b</string><key>c</key><string>d", one, 1), ==,
        SMD_PLIST_ERROR);
    g_assert_cmpint(
        check_plist("<dict><key>a</key><string>b</string><key>c</key><dict><x>", one, 1), ==,
        SMD_PLIST_ERROR);
    /* text where a key belongs; a key without a value */
    g_assert_cmpint(check_plist("<dict>junk</dict>", NULL, 0), ==, SMD_PLIST_ERROR);
    g_assert_cmpint(check_plist("<dict><key>a</key></dict>", NULL, 0), ==, SMD_PLIST_ERROR);
    g_assert_cmpint(check_plist("<dict><string>a</string></dict>", NULL, 0), ==, SMD_PLIST_ERROR);

    /* nesting deeper than the scanner follows */
    GString *deep = g_string_new("<dict><key>k</key>");
    for (int i = 0; i < SMD_PLIST_MAX_DEPTH + 1; i++)
        g_string_append(deep, "<array>");
    for (int i = 0; i < SMD_PLIST_MAX_DEPTH + 1; i++)
        g_string_append(deep, "</array>");
    g_string_append(deep, "</dict>");
    g_assert_cmpint(check_plist(deep->str, NULL, 0), ==, SMD_PLIST_ERROR);
    g_string_free(deep, TRUE);
}

static void test_plist_every_prefix(void)
{
    /* No prefix of a document is read past its end (run under ASan). */
    const char *doc = "<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY x \"y\">]><plist "
                      "version=\"1.0\"><dict><key>a</key><dict><key>b</key><array><true/>"
                      "</array></dict><!-- c --><key>d</key><string>e</string></dict></plist>";
    size_t len = strlen(doc);
    unsigned complete = 0;
    for (size_t n = 0; n <= len; n++) {
        uint8_t *copy = g_memdup2(doc, n ? n : 1);
        smd_plist_iter_t it;
        smd_pentry_t e;
        smd_plist_step_t step = SMD_PLIST_END;
        if (servermgrd_plist_begin(&it, copy, n)) {
            for (int i = 0; i < 10 && (step = servermgrd_plist_next(&it, &e)) == SMD_PLIST_ENTRY;
                 i++)
                g_assert_true(e.whole.off + e.whole.len <= n);
            complete += step == SMD_PLIST_END;
        }
        g_free(copy);
    }
    /* only the prefixes that hold "</dict>" of the root end cleanly */
    g_assert_cmpuint(complete, ==, strlen("</plist>") + 1);
}

static void test_header_values(void)
{
    smd_span_t s;
    const char *v = "Basic realm = \"Server Admin\"";
    g_assert_true(servermgrd_basic_realm((const uint8_t *)v, strlen(v), &s));
    g_assert_cmpuint(s.len, ==, strlen("Server Admin"));
    g_assert_true(strncmp(v + s.off, "Server Admin", s.len) == 0);
    v = "basic realm=host.example, charset=\"UTF-8\"";
    g_assert_true(servermgrd_basic_realm((const uint8_t *)v, strlen(v), &s));
    g_assert_true(s.len == 12 && strncmp(v + s.off, "host.example", s.len) == 0);
    g_assert_false(servermgrd_basic_realm(S("Digest realm=\"x\""), &s));
    g_assert_false(servermgrd_basic_realm(S("Basic realm=\"unterminated"), &s));
    g_assert_false(servermgrd_basic_realm(S("Basicrealm=\"x\""), &s));
    g_assert_false(servermgrd_basic_realm(S("Basic xrealm=\"x\""), &s));
    g_assert_false(servermgrd_basic_realm(S("Basic realm="), &s));

    g_assert_true(servermgrd_is_basic_auth(S("Basic YWRtaW46c2VjcmV0")));
    g_assert_true(servermgrd_is_basic_auth(S("  BASIC x")));
    g_assert_false(servermgrd_is_basic_auth(S("Digest username=\"a\"")));
    g_assert_false(servermgrd_is_basic_auth(S("Basicx")));

    v = "a=b; com.apple.servermgrd=ABC123 ; path=/";
    g_assert_true(servermgrd_find_cookie((const uint8_t *)v, strlen(v), &s));
    g_assert_true(s.len == 6 && strncmp(v + s.off, "ABC123", 6) == 0);
    g_assert_true(servermgrd_find_cookie(S("com.apple.servermgrd="), &s));
    g_assert_cmpuint(s.len, ==, 0);
    g_assert_false(servermgrd_find_cookie(S("xcom.apple.servermgrd=1"), &s));
    g_assert_false(servermgrd_find_cookie(S("com.apple.servermgrdx=1"), &s));
    g_assert_false(servermgrd_find_cookie(S("com.apple.servermgrd"), &s));

    g_assert_true(servermgrd_is_server_value(S("servermgrd")));
    g_assert_true(servermgrd_is_server_value(S("servermgrd/1.0")));
    g_assert_false(servermgrd_is_server_value(S("servermgr")));
    g_assert_false(servermgrd_is_server_value(S("servermgrd2")));
    g_assert_false(servermgrd_is_server_value(NULL, 0));

    g_assert_true(servermgrd_is_bplist(S("bplist00\xd1\x01")));
    g_assert_false(servermgrd_is_bplist(S("bplist0")));
    g_assert_false(servermgrd_is_bplist(S("bplist01")));

    const char *d = "xxCommandyy";
    smd_span_t c = {2, 7};
    g_assert_true(servermgrd_span_equals((const uint8_t *)d, c, "command"));
    g_assert_false(servermgrd_span_equals((const uint8_t *)d, c, "commands"));
}

static void test_leftover_headers(void)
{
    const char *body = "SupportsXMLRPC\r\nSupportsBinaryPlist\r\n"
                       "WWW-Authenticate: Basic realm = \"Server Admin\"\r\n"
                       "Content-Type: text/xml\r\n\r\nbplist00";
    smd_hline_t lines[8];
    smd_leftover_t r;
    g_assert_true(servermgrd_leftover_headers((const uint8_t *)body, strlen(body), lines, 8, &r));
    g_assert_true(r.complete);
    g_assert_cmpuint(r.count, ==, 4);
    g_assert_cmpuint(r.total, ==, 4);
    g_assert_cmpstr(body + r.body_off, ==, "bplist00");
    g_assert_false(lines[0].has_colon);
    g_assert_true(
        servermgrd_span_equals((const uint8_t *)body, lines[1].name, "SupportsBinaryPlist"));
    g_assert_true(lines[2].has_colon);
    g_assert_true(servermgrd_span_equals((const uint8_t *)body, lines[2].name, "www-authenticate"));
    gchar *v = span_str(body, lines[2].value);
    g_assert_cmpstr(v, ==, "Basic realm = \"Server Admin\"");
    g_free(v);

    /* storage smaller than the block: counted, not stored */
    g_assert_true(servermgrd_leftover_headers((const uint8_t *)body, strlen(body), lines, 1, &r));
    g_assert_cmpuint(r.count, ==, 1);
    g_assert_cmpuint(r.total, ==, 4);

    /* LF only, no empty line: stops at the line that is not a header */
    body = "SupportsXMLRPC\nServer: servermgrd\n<plist>\n";
    g_assert_true(servermgrd_leftover_headers((const uint8_t *)body, strlen(body), lines, 8, &r));
    g_assert_false(r.complete);
    g_assert_cmpuint(r.count, ==, 2);
    g_assert_cmpstr(body + r.body_off, ==, "<plist>\n");

    /* cut in the middle of a line */
    body = "SupportsXMLRPC\r\nContent-Ty";
    g_assert_true(servermgrd_leftover_headers((const uint8_t *)body, strlen(body), lines, 8, &r));
    g_assert_cmpuint(r.count, ==, 1);
    g_assert_cmpstr(body + r.body_off, ==, "Content-Ty");

    /* ordinary bodies */
    g_assert_false(servermgrd_leftover_headers(S("<?xml version=\"1.0\"?>\r\n"), lines, 8, &r));
    g_assert_false(servermgrd_leftover_headers(S("bplist00\x00\x01\r\n"), lines, 8, &r));
    g_assert_false(servermgrd_leftover_headers(S("hello world\r\n"), lines, 8, &r));
    g_assert_false(servermgrd_leftover_headers(S("SupportsXMLRPC"), lines, 8, &r));
    g_assert_false(servermgrd_leftover_headers(S("\r\n"), lines, 8, &r));
    g_assert_false(servermgrd_leftover_headers(NULL, 5, lines, 8, &r));
    GString *longline = g_string_new("");
    for (int i = 0; i <= SMD_MAX_BARE_LINE; i++)
        g_string_append_c(longline, 'a');
    g_string_append(longline, "\r\n");
    g_assert_false(
        servermgrd_leftover_headers((const uint8_t *)longline->str, longline->len, lines, 8, &r));
    g_string_free(longline, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/servermgrd/match/requests", test_match_requests);
    g_test_add_func("/servermgrd/match/responses", test_match_responses);
    g_test_add_func("/servermgrd/match/other-traffic", test_match_other_traffic);
    g_test_add_func("/servermgrd/match/adversarial-lengths", test_match_adversarial_lengths);
    g_test_add_func("/servermgrd/classify-start", test_classify_start);
    g_test_add_func("/servermgrd/target/command", test_target_command);
    g_test_add_func("/servermgrd/target/other", test_target_other);
    g_test_add_func("/servermgrd/url-decode", test_url_decode);
    g_test_add_func("/servermgrd/plist/request", test_plist_request);
    g_test_add_func("/servermgrd/plist/types-and-nesting", test_plist_types_and_nesting);
    g_test_add_func("/servermgrd/plist/not-a-dict", test_plist_not_a_dict);
    g_test_add_func("/servermgrd/plist/errors", test_plist_errors);
    g_test_add_func("/servermgrd/plist/every-prefix", test_plist_every_prefix);
    g_test_add_func("/servermgrd/header-values", test_header_values);
    g_test_add_func("/servermgrd/leftover-headers", test_leftover_headers);
    return g_test_run();
}
