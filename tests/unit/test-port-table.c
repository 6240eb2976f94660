/* test-port-table.c
 * The CSV reader and table validator behind tools/gen-port-table: every kind
 * of bad input gives FILE:LINE, the column and the reason.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "port-table.h"

#define HEADER                                                                                     \
    "port_lo,port_hi,transport,service,iana_name,iana_description,registration,"                   \
    "unregistered_use,used_by,lifecycle,last_seen_in,expected,rfc,sources,note\n"
#define GOOD_625                                                                                   \
    "625,625,tcp,Directory Service Proxy (DSProxy),dec-dlm,DEC DLM,other,true,"                    \
    "\"DirectoryService, Workgroup Manager\",discontinued,Mac OS X Server 10.6,dsproxy,,"          \
    "apple-2010;apple-current,\"said \"\"unregistered\"\"\"\n"

/* Parses text; returns NULL on success or the error message. */
static char *parse(const char *text, port_table_t *t)
{
    static char err[1024];
    port_table_t local;
    port_table_t *table = t ? t : &local;
    if (port_table_parse(text, strlen(text), "ports.csv", table, err, sizeof(err)) == 0) {
        if (!t)
            port_table_free(&local);
        return NULL;
    }
    return err;
}

static void test_good_table(void)
{
    port_table_t t;
    g_assert_null(parse(HEADER GOOD_625
                        "660,660,tcp,MacOS Server Admin,mac-srvr-admin,,apple,false,,"
                        "discontinued,,,,apple-2010,\r\n",
                        &t));
    g_assert_cmpuint(t.count, ==, 2);
    g_assert_cmpuint(t.rows[0].port_lo, ==, 625);
    g_assert_cmpuint(t.rows[0].line, ==, 2);
    g_assert_cmpstr(t.rows[0].used_by, ==, "DirectoryService, Workgroup Manager");
    g_assert_cmpstr(t.rows[0].note, ==, "said \"unregistered\"");
    g_assert_true(t.rows[0].unregistered_use);
    g_assert_cmpint(t.rows[0].registration, ==, AL_REG_OTHER);
    g_assert_cmpint(t.rows[0].lifecycle, ==, AL_LC_DISCONTINUED);
    g_assert_cmpuint(t.rows[1].line, ==, 3);
    g_assert_cmpint(t.rows[1].registration, ==, AL_REG_APPLE);
    port_table_free(&t);
}

typedef struct {
    const char *name;
    const char *text;
    const char *error;
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"empty-file", "", "ports.csv:1: the file is empty; the header line is missing"},
    {"no-rows", HEADER, "ports.csv:2: the table has a header but no rows"},
    {"wrong-header", "port,port_hi\n1,2\n",
     "ports.csv:1: header must be exactly the 15 columns port_lo,port_hi,transport,service,"
     "iana_name,iana_description,registration,unregistered_use,used_by,lifecycle,last_seen_in,"
     "expected,rfc,sources,note"},
    {"too-few-fields", HEADER GOOD_625 "660,660,tcp\n",
     "ports.csv:3: 3 fields, but the header has 15"},
    {"port-too-large", HEADER "70000,70000,tcp,X,,,unassigned,false,,current,,,,apple-2010,\n",
     "ports.csv:2: column port_lo: \"70000\": not a port number (0-65535): too large"},
    {"port-not-number", HEADER "6x0,660,tcp,X,,,unassigned,false,,current,,,,apple-2010,\n",
     "ports.csv:2: column port_lo: \"6x0\": not a port number (0-65535): only decimal digits "
     "are allowed"},
    {"port-empty", HEADER "660,,tcp,X,,,unassigned,false,,current,,,,apple-2010,\n",
     "ports.csv:2: column port_hi: \"\": empty; a port number (0-65535) is required"},
    {"hi-below-lo", HEADER "660,600,tcp,X,,,mixed,false,,current,,,,apple-2010,\n",
     "ports.csv:2: column port_hi: \"600\": port_hi is lower than port_lo"},
    {"bad-transport", HEADER "660,660,sctp,X,,,unassigned,false,,current,,,,apple-2010,\n",
     "ports.csv:2: column transport: \"sctp\": unknown transport; expected tcp or udp"},
    {"bad-registration", HEADER "660,660,tcp,X,x,,registered,false,,current,,,,apple-2010,\n",
     "ports.csv:2: column registration: \"registered\": unknown registration; expected apple, "
     "standard, other, unassigned or mixed"},
    {"bad-lifecycle", HEADER "660,660,tcp,X,,,unassigned,false,,dead,,,,apple-2010,\n",
     "ports.csv:2: column lifecycle: \"dead\": unknown lifecycle; expected current, legacy or "
     "discontinued"},
    {"bad-bool", HEADER "660,660,tcp,X,,,unassigned,yes,,current,,,,apple-2010,\n",
     "ports.csv:2: column unregistered_use: \"yes\": not a boolean; expected true or false"},
    {"empty-service", HEADER "660,660,tcp,,,,unassigned,false,,current,,,,apple-2010,\n",
     "ports.csv:2: column service: \"\": empty; this column is required"},
    {"empty-sources", HEADER "660,660,tcp,X,,,unassigned,false,,current,,,,,\n",
     "ports.csv:2: column sources: \"\": empty; this column is required"},
    {"bad-expected", HEADER "660,660,tcp,X,,,unassigned,false,,current,,Server Admin,,a,\n",
     "ports.csv:2: column expected: \"Server Admin\": not a display-filter protocol name "
     "(lower-case letters, digits, '_', '.', '-')"},
    {"mixed-single-port", HEADER "660,660,tcp,X,,,mixed,false,,current,,,,apple-2010,\n",
     "ports.csv:2: column registration: \"mixed\": mixed is only for a range (port_hi > "
     "port_lo)"},
    {"unassigned-with-name", HEADER "660,660,tcp,X,foo,,unassigned,false,,current,,,,a,\n",
     "ports.csv:2: column iana_name: \"foo\": registration is unassigned, but an IANA name is "
     "given"},
    {"assigned-without-name", HEADER "660,660,tcp,X,,,apple,false,,current,,,,a,\n",
     "ports.csv:2: column iana_name: \"\": empty, but registration says IANA assigns the port "
     "(use unassigned)"},
    {"unterminated-quote", HEADER "660,660,tcp,\"X,,,unassigned,false,,current,,,,a,\n",
     "ports.csv:2: unterminated quoted field"},
    {"stray-quote", HEADER "660,660,tcp,X\"Y,,,unassigned,false,,current,,,,a,\n",
     "ports.csv:2: quote inside an unquoted field (quote the whole field and double the inner "
     "quote)"},
    {"text-after-quote", HEADER "660,660,tcp,\"X\"Y,,,unassigned,false,,current,,,,a,\n",
     "ports.csv:2: text after the closing quote of a field"},
    {"blank-line", HEADER GOOD_625 "\n", "ports.csv:3: empty line"},
    /* a refused value is quoted with control bytes as \xNN, never raw */
    {"control-char", HEADER "660,660,tcp,X\tY,,,unassigned,false,,current,,,,a,\n",
     "ports.csv:2: column service: \"X\\x09Y\": contains a control character (newline, tab, "
     "...)"},
    {"latin1", HEADER "660,660,tcp,Caf\xe9,,,unassigned,false,,current,,,,a,\n",
     "ports.csv:2: column service: \"Caf\\xE9\": not UTF-8 text (a byte of another encoding, "
     "such as Latin-1); write it in UTF-8"},
    {"overlong-utf8", HEADER "660,660,tcp,X\xc0\xafY,,,unassigned,false,,current,,,,a,\n",
     "ports.csv:2: column service: \"X\\xC0\\xAFY\": not UTF-8 text (a byte of another "
     "encoding, such as Latin-1); write it in UTF-8"},
    {"utf8-ok-then-latin1",
     HEADER "660,660,tcp,Caf\xc3\xa9,,,unassigned,false,\xe9,current,,,,a,\n",
     "ports.csv:2: column used_by: \"\\xE9\": not UTF-8 text (a byte of another encoding, such "
     "as Latin-1); write it in UTF-8"},
    {"duplicate", HEADER GOOD_625 GOOD_625,
     "ports.csv:3: tcp 625-625 conflicts with line 2 (625-625): duplicate row: same ports, "
     "transport and service"},
    {"equal-width-overlap",
     HEADER "100,109,tcp,A,,,mixed,false,,current,,,,a,\n"
            "105,114,tcp,B,,,mixed,false,,current,,,,a,\n",
     "ports.csv:3: tcp 105-114 conflicts with line 2 (100-109): ranges of equal width overlap, "
     "so no rule says which wins (nest one inside the other or make them disjoint)"},
};

static void test_bad_case(gconstpointer data)
{
    const bad_case_t *c = (const bad_case_t *)data;
    char *err = parse(c->text, NULL);
    g_assert_nonnull(err);
    g_assert_cmpstr(err, ==, c->error);
}

static void test_line_numbers_follow_quoted_newlines(void)
{
    /* a quoted field may hold a line break: the next record's line counts it */
    char *err = parse(HEADER "625,625,tcp,\"A\nB\",,,unassigned,false,,current,,,,a,\n"
                             "626,626,tcp,X,,,unassigned,false,,bogus,,,,a,\n",
                      NULL);
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(err, "ports.csv:2: column service"));
    err = parse(HEADER "625,625,tcp,\"A B\",,,unassigned,false,,current,,,,a,\n"
                       "626,626,tcp,X,,,unassigned,false,,bogus,,,,a,\n",
                NULL);
    g_assert_true(g_str_has_prefix(err, "ports.csv:3: column lifecycle"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/port-table/good", test_good_table);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        char *path = g_strdup_printf("/port-table/bad/%s", bad_cases[i].name);
        g_test_add_data_func(path, &bad_cases[i], test_bad_case);
        g_free(path);
    }
    g_test_add_func("/port-table/line-numbers", test_line_numbers_follow_quoted_newlines);
    return g_test_run();
}
