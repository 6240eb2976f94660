/* test-apdisc-parse.c
 * apdisc_match(): exactly the two probes of the one real capture.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <string.h>

#include "apdisc-parse.h"

static void test_known_probes(void)
{
    static const uint8_t probe08[] = {0x08, 0x01, 0x03, 0x10};
    static const uint8_t probe10[] = {0x10, 0x01, 0x03, 0x10};

    g_assert_true(apdisc_match(probe08, sizeof(probe08)));
    g_assert_true(apdisc_match(probe10, sizeof(probe10)));
}

static void test_byte0(void)
{
    g_assert_true(apdisc_is_known_byte0(0x08));
    g_assert_true(apdisc_is_known_byte0(0x10));
    for (unsigned b = 0; b < 256; b++) {
        uint8_t probe[4] = {(uint8_t)b, 0x01, 0x03, 0x10};
        bool known = b == 0x08 || b == 0x10;
        g_assert_true(apdisc_is_known_byte0((uint8_t)b) == known);
        g_assert_true(apdisc_match(probe, sizeof(probe)) == known);
    }
}

static void test_tail_must_be_01_03_10(void)
{
    /* Every single-bit change of bytes 1-3 is refused. */
    for (size_t i = 1; i < 4; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            uint8_t probe[4] = {0x08, 0x01, 0x03, 0x10};
            probe[i] ^= (uint8_t)(1u << bit);
            g_assert_false(apdisc_match(probe, sizeof(probe)));
        }
    }
}

static void test_exact_length(void)
{
    static const uint8_t longer[] = {0x08, 0x01, 0x03, 0x10, 0x00};

    g_assert_false(apdisc_match(longer, 5)); /* a trailing byte */
    g_assert_false(apdisc_match(longer, 3)); /* cut short: never reads byte 3 */
    g_assert_false(apdisc_match(longer, 0));
    g_assert_false(apdisc_match(NULL, 4));
    g_assert_false(apdisc_match(longer, (size_t)-1));
}

static void test_exact_length_on_heap(void)
{
    /* A 3-byte heap copy: reading a 4th byte would show under ASan/valgrind. */
    uint8_t *copy = g_memdup2("\x08\x01\x03", 3);
    g_assert_false(apdisc_match(copy, 3));
    g_free(copy);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/apdisc/known-probes", test_known_probes);
    g_test_add_func("/apdisc/byte0", test_byte0);
    g_test_add_func("/apdisc/tail-must-be-01-03-10", test_tail_must_be_01_03_10);
    g_test_add_func("/apdisc/exact-length", test_exact_length);
    g_test_add_func("/apdisc/exact-length-on-heap", test_exact_length_on_heap);
    return g_test_run();
}
