/* not-registrations.c
 * Fixture of tests/unit/test_make_plugin_reg.py, never compiled: the one
 * registration here is proto_register_real() with proto_reg_handoff_real();
 * every other mention of a registration function is not a definition.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
// clang-format off
#include <stddef.h>

/* void proto_register_in_block_comment(void) { }
   void register_tap_listener_in_block_comment(void) { } */
// void proto_register_in_line_comment(void) { }
// a line comment continued on the next line \
void proto_register_in_continued_comment(void) { }

#define DEFINE_IT void proto_register_in_macro(void) { }
  #  define DEFINE_CONTINUED \
    void register_tap_listener_in_continued_macro(void) { }

void proto_register_prototype(void);
void proto_reg_handoff_prototype(void);
void register_tap_listener_prototype(void);
extern void proto_register_extern_prototype(void);
void proto_register_prototype_on_two_lines(void)
;

static const char in_string[] = "void proto_register_in_string(void) { }";
static const char quote = '"', after_quote[] = "void proto_register_after_quote(void) {";
static const char escaped[] = "\" void proto_register_escaped(void) { \"";
static const char continued[] = "a string continued \
void proto_register_in_continued_string(void) { }";

void (*proto_register_pointer)(void);
int proto_register_returns_int(void) { return 0; }
void proto_register_with_argument(int x) { (void)x; }
void proto_register_no_prototype() { }
void my_proto_register_prefixed(void) { }

void proto_register_real(void)
{
    proto_register_prototype();
}

void
proto_reg_handoff_real (  void  )
/* a comment before the body */
{
}
