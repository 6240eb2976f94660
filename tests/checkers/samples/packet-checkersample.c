/* packet-checkersample.c
 * Not compiled and not a plugin: a dissector-shaped file with one planted
 * mistake for each of Wireshark's checkers (the comment above each names
 * the checker that must report it). tests/checkers/run-checkers.sh runs the
 * checkers on it before it runs them on the plugins, and fails when a
 * checker no longer reports its mistake: a checker that finds nothing here
 * would find nothing anywhere.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/packet.h>

void proto_register_checkersample(void);

static int proto_checkersample = -1;
static int hf_sample_value = -1;
static int hf_sample_other = -1;
static int hf_sample_flag = -1;
/* checkhf.pl: declared, never registered, never used */
static int hf_sample_forgotten = -1;
static gint ett_sample = -1;

static const value_string sample_vals[] = {{0, "Zero"}, {1, "One"}, {2, "Two"}, {0, NULL}};

/* check_tfs.py: the same strings as Wireshark's tfs_yes_no */
static const true_false_string sample_tfs = {"Yes", "No"};

static int dissect_checkersample(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                 void *data _U_)
{
    proto_item *ti = proto_tree_add_item(tree, proto_checkersample, tvb, 0, -1, ENC_NA);
    proto_tree *st = proto_item_add_subtree(ti, ett_sample);
    guint8 v = tvb_get_guint8(tvb, 0);

    /* check_col_apis.py: a literal string given to col_add_str() */
    col_add_str(pinfo->cinfo, COL_INFO, "Sample");
    /* check_val_to_str.py: an "unknown" string without a format specifier */
    col_append_str(pinfo->cinfo, COL_INFO, val_to_str(v, sample_vals, "Unknown"));
    /* fix-encoding-args.pl: FALSE as the encoding */
    proto_tree_add_item(st, hf_sample_value, tvb, 0, 1, FALSE);
    proto_tree_add_item(st, hf_sample_other, tvb, 1, 1, ENC_BIG_ENDIAN);
    /* check_typed_item_calls.py: the FT_BOOLEAN field added as a uint */
    proto_tree_add_uint(st, hf_sample_flag, tvb, 2, 1, v & 0x01);
    /* checkAPIs.pl: printf (dissectors-restricted) and exit
     * (dissectors-prohibited) */
    printf("sample\n");
    if (v == 0xff)
        exit(1);
    return tvb_captured_length(tvb);
}

void proto_register_checkersample(void)
{
    static hf_register_info hf[] = {
        {&hf_sample_value,
         {"Value", "checkersample.value", FT_UINT8, BASE_DEC, VALS(sample_vals), 0x0, NULL, HFILL}},
        /* checkfiltername.pl: a field outside the protocol's name */
        {&hf_sample_other,
         {"Other value", "other.value", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_sample_flag,
         {"Flag", "checkersample.flag", FT_BOOLEAN, 8, TFS(&sample_tfs), 0x01, NULL, HFILL}},
    };
    static gint *ett[] = {&ett_sample};

    proto_checkersample =
        proto_register_protocol("Checker sample", "CHECKERSAMPLE", "checkersample");
    proto_register_field_array(proto_checkersample, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    register_dissector("checkersample", dissect_checkersample, proto_checkersample);
}
