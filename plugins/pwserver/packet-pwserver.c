/* packet-pwserver.c
 * Apple Password Server (Mac OS X Server's Open Directory password server):
 * TCP 106 (IANA "3com-tsmux") and TCP 3659 (IANA "apple-sasl"), and the one
 * known UDP 3659 reply.
 *
 * On TCP it is a line-oriented text protocol, CRLF-terminated, with POP-like
 * status prefixes: the server greets with "+OK ApplePasswordServer <version>
 * password server at <addr> ready.", the client asks for the RSA public key
 * and the SASL mechanisms (LIST RSAPUBLIC), proves the key (RSAVALIDATE) and
 * authenticates a user slot with a SASL mechanism (USER ... AUTH <MECH>,
 * +AUTHOK, AUTH2). Lines are dissected one by one, as Wireshark's IMAP
 * dissector does, and lines split across TCP segments are reassembled. After
 * authentication the session can switch to an encrypted framing whose format
 * is not known; non-text data is shown as such.
 *
 * Sources (see ../shared/reference/apple-protocols.md section 8):
 * Radius::ApplePasswordServer (Open System Consultants), Apple's
 * PasswordServer client code (SASLCode.h, BeginServerSession(),
 * GetRSAPublicKey()), nmap-service-probes (pop3pw NULL-probe match; the UDP
 * RPCCheck match "How was your weekend?;<hex>\0").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/strutil.h>
#include <epan/dissectors/packet-tcp.h>

#include "al-expert.h"
#include "applelegacy-api.h"
#include "ws-compat.h"

#include "pwserver-parse.h"

void proto_register_pwserver(void);
void proto_reg_handoff_pwserver(void);

static int proto_pwserver = -1;

static int hf_request = -1;
static int hf_response = -1;
static int hf_command = -1;
static int hf_parameter = -1;
static int hf_status = -1;
static int hf_text = -1;
static int hf_greeting = -1;
static int hf_server_version = -1;
static int hf_server_address = -1;
static int hf_sasl_mechanism = -1;
static int hf_rsa_bits = -1;
static int hf_rsa_exponent = -1;
static int hf_rsa_modulus = -1;
static int hf_rsa_key_name = -1;
static int hf_blob_length = -1;
static int hf_blob_data = -1;
static int hf_user_slot_id = -1;
static int hf_auth_mechanism = -1;
static int hf_auth_data = -1;
static int hf_auth_data_decoded = -1;
static int hf_pptp_id = -1;
static int hf_pptp_data = -1;
static int hf_pptp_length = -1;
static int hf_error = -1;
static int hf_error_sasl = -1;
static int hf_encrypted = -1;
static int hf_udp_reply = -1;
static int hf_udp_hex = -1;
static int hf_udp_unknown = -1;

static gint ett_pwserver = -1;
static gint ett_line = -1;
static gint ett_auth_data = -1;

static expert_field ei_weak_mechanism = EI_INIT;
static expert_field ei_weak_offered = EI_INIT;
static expert_field ei_error = EI_INIT;
static expert_field ei_unknown_command = EI_INIT;
static expert_field ei_unknown_response = EI_INIT;
static expert_field ei_malformed = EI_INIT;
static expert_field ei_bad_slot_id = EI_INIT;
static expert_field ei_truncated = EI_INIT;
static expert_field ei_encrypted = EI_INIT;
static expert_field ei_udp_unknown = EI_INIT;

static dissector_handle_t pwserver_handle;

#define PWSERVER_DEFAULT_WEAK                                                                      \
    "CRAM-MD5,DIGEST-MD5,MS-CHAPv2,APOP,PLAIN,LOGIN,SMB-NT,SMB-LAN-MANAGER,CRYPT"

/* Preferences */
static al_pref_bool_t pref_desegment = TRUE;
static const char *pref_weak_mechanisms = PWSERVER_DEFAULT_WEAK;

/* A text line longer than this without CRLF is not reassembled further. */
#define PWSERVER_MAX_LINE 32768
/* How much of a line the Info column shows. */
#define PWSERVER_INFO_MAX 80

/* What a conversation has shown so far. Frame numbers are 0 until set (on
 * the first pass); the one-time experts are raised in that frame only. */
typedef struct {
    bool server_known;
    address server_addr;
    guint32 server_port;
    guint32 weak_offered_frame;
    guint32 encrypted_frame;
} pwserver_conv_t;

/* One call of the TCP dissector. */
typedef struct {
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *parent;
    proto_tree *tree; /* created with the first item */
    pwserver_conv_t *conv;
    bool from_server;
    bool info_started;
    bool weak_offered_added;
    bool encrypted_added;
} pwserver_ctx_t;

/* A line being dissected: where it is and its bytes. Spans from the parser
 * are relative to line bytes + base. */
typedef struct {
    tvbuff_t *tvb;
    int offset; /* of the line in the tvb */
    const guint8 *bytes;
    int len;
    bool truncated; /* no CRLF: layout checks would only repeat that */
    proto_item *item;
    proto_tree *tree;
} pwserver_line_t;

/* ---- Conversation --------------------------------------------------------- */

static pwserver_conv_t *get_conversation(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    pwserver_conv_t *c = (pwserver_conv_t *)conversation_get_proto_data(conv, proto_pwserver);
    if (!c) {
        c = wmem_new0(wmem_file_scope(), pwserver_conv_t);
        conversation_add_proto_data(conv, proto_pwserver, c);
    }
    return c;
}

/* The server is the side whose first decisive line is a status line, or the
 * peer of the side whose first decisive line is a known command. Until a
 * line decides it, a leading '+' or '-' is taken as the server's. */
static bool sender_is_server(pwserver_ctx_t *c)
{
    packet_info *pinfo = c->pinfo;
    pwserver_conv_t *conv = c->conv;
    int len = tvb_captured_length(c->tvb);
    const guint8 *data;
    pwserver_side_t side;

    if (conv->server_known)
        return addresses_equal(&pinfo->src, &conv->server_addr) &&
               pinfo->srcport == conv->server_port;
    if (len == 0)
        return false;
    data = tvb_get_ptr(c->tvb, 0, len);
    side = pwserver_line_side(data, (size_t)len);
    if (side == PWSERVER_SIDE_UNKNOWN)
        return data[0] == '+' || data[0] == '-';
    if (!PINFO_FD_VISITED(pinfo)) {
        bool src = side == PWSERVER_SIDE_SERVER;
        copy_address_wmem(wmem_file_scope(), &conv->server_addr, src ? &pinfo->src : &pinfo->dst);
        conv->server_port = src ? pinfo->srcport : pinfo->destport;
        conv->server_known = true;
    }
    return side == PWSERVER_SIDE_SERVER;
}

/* Once the conversation has shown non-text data, later frames are read as
 * encrypted unless they are text. */
static bool encrypted_mode(const pwserver_ctx_t *c)
{
    return c->conv->encrypted_frame && c->pinfo->num > c->conv->encrypted_frame;
}

static bool segment_has_fin(packet_info *pinfo, void *data)
{
    const struct tcpinfo *tcpinfo = (const struct tcpinfo *)data;
    return pinfo->ptype == PT_TCP && tcpinfo && (tcpinfo->flags & TH_FIN);
}

/* ---- Items ------------------------------------------------------------------ */

static proto_tree *pw_tree(pwserver_ctx_t *c)
{
    if (!c->tree) {
        proto_item *ti = proto_tree_add_item(c->parent, proto_pwserver, c->tvb, 0, -1, ENC_NA);
        c->tree = proto_item_add_subtree(ti, ett_pwserver);
    }
    return c->tree;
}

static const char *abbreviate(packet_info *pinfo, const guint8 *bytes, int len)
{
    if (len <= PWSERVER_INFO_MAX)
        return AL_FORMAT_TEXT(pinfo->pool, bytes, len);
    return wmem_strdup_printf(pinfo->pool, "%s...",
                              AL_FORMAT_TEXT(pinfo->pool, bytes, PWSERVER_INFO_MAX));
}

static void add_info(pwserver_ctx_t *c, const char *text)
{
    if (!c->info_started) {
        col_add_fstr(c->pinfo->cinfo, COL_INFO, "%s: %s", c->from_server ? "Response" : "Request",
                     text);
        c->info_started = true;
    } else {
        col_append_fstr(c->pinfo->cinfo, COL_INFO, " | %s", text);
    }
}

static proto_item *add_span(const pwserver_line_t *l, int hf, size_t base, pwserver_span_t span)
{
    return proto_tree_add_item(l->tree, hf, l->tvb, l->offset + (int)(base + span.off),
                               (int)span.len, ENC_ASCII);
}

static void add_malformed(packet_info *pinfo, const pwserver_line_t *l, const char *what,
                          const char *expected)
{
    if (l->truncated)
        return;
    al_expert_add_info_fmt(pinfo, l->item, &ei_malformed, "Malformed %s: expected %s", what,
                           expected);
}

/* Hex authentication data, with its decoded bytes below it. */
static void add_auth_data(packet_info *pinfo, const pwserver_line_t *l, size_t base,
                          pwserver_span_t span, const char *what, const char *expected)
{
    const guint8 *hex = l->bytes + base + span.off;
    proto_item *ti = add_span(l, hf_auth_data, base, span);
    guint8 *decoded = (guint8 *)wmem_alloc(pinfo->pool, span.len / 2 + 1);
    size_t n = pwserver_hex_decode(hex, span.len, decoded, span.len / 2 + 1);

    if (n == 0) {
        add_malformed(pinfo, l, what, expected);
        return;
    }
    proto_tree *st = proto_item_add_subtree(ti, ett_auth_data);
    ti = proto_tree_add_bytes_with_length(st, hf_auth_data_decoded, l->tvb,
                                          l->offset + (int)(base + span.off), (int)span.len,
                                          decoded, (gint)n);
    proto_item_set_generated(ti);
}

/* ---- Client lines ----------------------------------------------------------- */

static void add_parameter(const pwserver_line_t *l, size_t args)
{
    if ((int)args < l->len)
        proto_tree_add_item(l->tree, hf_parameter, l->tvb, l->offset + (int)args,
                            l->len - (int)args, ENC_ASCII);
}

static void dissect_user(packet_info *pinfo, const pwserver_line_t *l, size_t args)
{
    static const char expected[] = "USER <slot-id> AUTH <mechanism> [<hex>]";
    pwserver_user_t u;
    const guint8 *a = l->bytes + args;
    size_t alen = (size_t)l->len - args;

    if (!pwserver_parse_user(a, alen, &u)) {
        add_malformed(pinfo, l, "USER line", expected);
        add_parameter(l, args);
        return;
    }
    proto_item *ti = add_span(l, hf_user_slot_id, args, u.slot_id);
    if (!pwserver_is_slot_id(a + u.slot_id.off, u.slot_id.len) && !l->truncated)
        expert_add_info(pinfo, ti, &ei_bad_slot_id);
    ti = add_span(l, hf_auth_mechanism, args, u.mechanism);
    if (pwserver_mech_in_list(pref_weak_mechanisms, a + u.mechanism.off, u.mechanism.len))
        al_expert_add_info_fmt(
            pinfo, ti, &ei_weak_mechanism,
            "Weak SASL mechanism %s chosen for Apple Password Server authentication",
            AL_FORMAT_TEXT(pinfo->pool, a + u.mechanism.off, u.mechanism.len));
    if (u.data.len > 0)
        add_auth_data(pinfo, l, args, u.data, "USER line", expected);
    if (u.extra.len > 0) {
        add_malformed(pinfo, l, "USER line", expected);
        add_parameter(l, args + u.extra.off);
    }
}

static void dissect_blob(packet_info *pinfo, const pwserver_line_t *l, size_t base,
                         const char *what, const char *expected)
{
    pwserver_blob_t b;

    if (!pwserver_parse_blob(l->bytes + base, (size_t)l->len - base, &b)) {
        add_malformed(pinfo, l, what, expected);
        proto_tree_add_item(l->tree, hf_text, l->tvb, l->offset + (int)base, l->len - (int)base,
                            ENC_ASCII);
        return;
    }
    proto_tree_add_uint(l->tree, hf_blob_length, l->tvb,
                        l->offset + (int)(base + b.length_span.off), (int)b.length_span.len,
                        b.length);
    if (b.data.len > 0)
        add_span(l, hf_blob_data, base, b.data);
}

static void dissect_getpptpkeys(packet_info *pinfo, const pwserver_line_t *l, size_t args)
{
    static const char expected[] = "GETPPTPKEYS <id> <hex> <length>";
    const guint8 *a = l->bytes + args;
    size_t alen = (size_t)l->len - args;
    pwserver_span_t id, hex, length;
    size_t pos;
    guint32 value = 0;

    pos = pwserver_next_token(a, alen, 0, &id);
    pos = pwserver_next_token(a, alen, pos, &hex);
    pos = pwserver_next_token(a, alen, pos, &length);
    if (id.len == 0 || hex.len == 0 || length.len == 0 ||
        pwserver_skip_spaces(a, alen, pos) != alen || !pwserver_is_hex(a + hex.off, hex.len) ||
        !pwserver_parse_u32(a + length.off, length.len, &value)) {
        add_malformed(pinfo, l, "GETPPTPKEYS line", expected);
        add_parameter(l, args);
        return;
    }
    add_span(l, hf_pptp_id, args, id);
    add_span(l, hf_pptp_data, args, hex);
    proto_tree_add_uint(l->tree, hf_pptp_length, l->tvb, l->offset + (int)(args + length.off),
                        (int)length.len, value);
}

static void dissect_auth2(packet_info *pinfo, const pwserver_line_t *l, size_t args)
{
    static const char expected[] = "AUTH2 <hex>";
    pwserver_span_t hex;
    size_t alen = (size_t)l->len - args;
    size_t pos = pwserver_next_token(l->bytes + args, alen, 0, &hex);

    if (hex.len == 0 || pwserver_skip_spaces(l->bytes + args, alen, pos) != alen) {
        add_malformed(pinfo, l, "AUTH2 line", expected);
        add_parameter(l, args);
        return;
    }
    add_auth_data(pinfo, l, args, hex, "AUTH2 line", expected);
}

static void dissect_request(pwserver_ctx_t *c, const pwserver_line_t *l)
{
    packet_info *pinfo = c->pinfo;
    pwserver_span_t verb;
    size_t end = pwserver_next_token(l->bytes, (size_t)l->len, 0, &verb);
    size_t args = pwserver_skip_spaces(l->bytes, (size_t)l->len, end);

    if (verb.len == 0)
        return; /* an empty line */
    proto_item *ti = add_span(l, hf_command, 0, verb);
    switch (pwserver_command(l->bytes + verb.off, verb.len)) {
    case PWSERVER_CMD_USER:
        dissect_user(pinfo, l, args);
        break;
    case PWSERVER_CMD_AUTH2:
        dissect_auth2(pinfo, l, args);
        break;
    case PWSERVER_CMD_RSAVALIDATE:
        dissect_blob(pinfo, l, args, "RSAVALIDATE line", "RSAVALIDATE {<length>}<base64>");
        break;
    case PWSERVER_CMD_GETPPTPKEYS:
        dissect_getpptpkeys(pinfo, l, args);
        break;
    case PWSERVER_CMD_LIST:
    case PWSERVER_CMD_RSAPUBLIC:
    case PWSERVER_CMD_QUIT:
        add_parameter(l, args);
        break;
    case PWSERVER_CMD_UNKNOWN:
    default:
        al_expert_add_info_fmt(pinfo, ti, &ei_unknown_command, "Unknown command: %s",
                               AL_FORMAT_TEXT(pinfo->pool, l->bytes + verb.off, verb.len));
        add_parameter(l, args);
        break;
    }
}

/* ---- Server lines ----------------------------------------------------------- */

static void dissect_greeting(packet_info *pinfo, const pwserver_line_t *l)
{
    pwserver_greeting_t g;

    pwserver_parse_greeting(l->bytes, (size_t)l->len, &g);
    add_span(l, hf_greeting, 0, g.text);
    if (g.version.len > 0)
        add_span(l, hf_server_version, 0, g.version);
    if (g.address.len > 0)
        add_span(l, hf_server_address, 0, g.address);
    if (!g.complete)
        add_malformed(pinfo, l, "greeting",
                      "+OK ApplePasswordServer <version> password server at <address> ready.");
}

static void dissect_sasl_list(pwserver_ctx_t *c, const pwserver_line_t *l, size_t base)
{
    packet_info *pinfo = c->pinfo;
    pwserver_conv_t *conv = c->conv;
    const guint8 *text = l->bytes + base;
    size_t len = (size_t)l->len - base;
    wmem_strbuf_t *weak = wmem_strbuf_new(pinfo->pool, "");
    pwserver_span_t mech;
    size_t pos = 0;

    while ((pos = pwserver_sasl_next(text, len, pos, &mech)) != 0) {
        add_span(l, hf_sasl_mechanism, base, mech);
        if (pwserver_mech_in_list(pref_weak_mechanisms, text + mech.off, mech.len))
            wmem_strbuf_append_printf(weak, "%s%s", wmem_strbuf_get_len(weak) ? ", " : "",
                                      AL_FORMAT_TEXT(pinfo->pool, text + mech.off, mech.len));
    }
    if (text[len - 1] != ')')
        add_malformed(pinfo, l, "SASL list", "(SASL \"<mechanism>\" ...)");
    if (wmem_strbuf_get_len(weak) == 0)
        return;
    if (!conv->weak_offered_frame && !PINFO_FD_VISITED(pinfo))
        conv->weak_offered_frame = pinfo->num;
    if (conv->weak_offered_frame == pinfo->num && !c->weak_offered_added) {
        al_expert_add_info_fmt(pinfo, l->item, &ei_weak_offered,
                               "Server offers weak SASL mechanisms: %s", wmem_strbuf_get_str(weak));
        c->weak_offered_added = true;
    }
}

static void dissect_rsa_key(const pwserver_line_t *l, size_t base, const pwserver_rsa_key_t *k)
{
    proto_tree_add_uint(l->tree, hf_rsa_bits, l->tvb, l->offset + (int)(base + k->bits_span.off),
                        (int)k->bits_span.len, k->bits);
    proto_tree_add_uint64(l->tree, hf_rsa_exponent, l->tvb,
                          l->offset + (int)(base + k->exponent_span.off), (int)k->exponent_span.len,
                          k->exponent);
    add_span(l, hf_rsa_modulus, base, k->modulus);
    add_span(l, hf_rsa_key_name, base, k->name);
}

/* "+OK" and what follows it, told apart by shape. */
static void dissect_ok(pwserver_ctx_t *c, const pwserver_line_t *l, size_t base)
{
    const guint8 *text = l->bytes + base;
    size_t len = (size_t)l->len - base;
    pwserver_rsa_key_t key;

    if (len == 0)
        return;
    if ((size_t)l->len >= PWSERVER_GREETING_PREFIX_LEN &&
        memcmp(l->bytes, PWSERVER_GREETING_PREFIX, PWSERVER_GREETING_PREFIX_LEN) == 0)
        dissect_greeting(c->pinfo, l);
    else if (pwserver_is_sasl_list(text, len))
        dissect_sasl_list(c, l, base);
    else if (text[0] == '{')
        dissect_blob(c->pinfo, l, base, "RSAVALIDATE reply", "+OK {<length>}<base64>");
    else if (pwserver_parse_rsa_key(text, len, &key))
        dissect_rsa_key(l, base, &key);
    else
        proto_tree_add_item(l->tree, hf_text, l->tvb, l->offset + (int)base, (int)len, ENC_ASCII);
}

static void dissect_err(packet_info *pinfo, const pwserver_line_t *l, size_t base)
{
    const guint8 *text = l->bytes + base;
    size_t len = (size_t)l->len - base;
    proto_item *ti =
        proto_tree_add_item(l->tree, hf_error, l->tvb, l->offset + (int)base, (int)len, ENC_ASCII);

    proto_item_set_generated(proto_tree_add_boolean(
        l->tree, hf_error_sasl, l->tvb, l->offset, l->len,
        len >= 4 && memcmp(text, "SASL", 4) == 0 && (len == 4 || text[4] == ' ')));
    al_expert_add_info_fmt(pinfo, ti, &ei_error, "Server error: %s",
                           len ? AL_FORMAT_TEXT(pinfo->pool, text, len) : "(no text)");
}

static void dissect_response(pwserver_ctx_t *c, const pwserver_line_t *l)
{
    size_t word = 0;
    pwserver_status_t status = pwserver_status(l->bytes, (size_t)l->len, &word);
    size_t base = pwserver_skip_spaces(l->bytes, (size_t)l->len, word);

    if (status == PWSERVER_STATUS_NONE) {
        if (l->len > 0)
            expert_add_info(c->pinfo, l->item, &ei_unknown_response);
        return;
    }
    proto_tree_add_item(l->tree, hf_status, l->tvb, l->offset, (int)word, ENC_ASCII);
    switch (status) {
    case PWSERVER_STATUS_OK:
        dissect_ok(c, l, base);
        break;
    case PWSERVER_STATUS_ERR:
        dissect_err(c->pinfo, l, base);
        break;
    case PWSERVER_STATUS_AUTHOK:
    default:
        if ((size_t)l->len > base) {
            pwserver_span_t hex = {0, (size_t)l->len - base};
            add_auth_data(c->pinfo, l, base, hex, "+AUTHOK line", "+AUTHOK <hex>");
        }
        break;
    }
}

/* ---- TCP framing ------------------------------------------------------------ */

static void dissect_line(pwserver_ctx_t *c, int offset, int len, bool truncated)
{
    pwserver_line_t l;

    l.tvb = c->tvb;
    l.offset = offset;
    l.len = len;
    l.bytes = tvb_get_ptr(c->tvb, offset, len);
    l.truncated = truncated;
    l.item = proto_tree_add_item(pw_tree(c), c->from_server ? hf_response : hf_request, c->tvb,
                                 offset, len, ENC_ASCII);
    l.tree = proto_item_add_subtree(l.item, ett_line);
    add_info(c, abbreviate(c->pinfo, l.bytes, len));
    if (truncated && len >= PWSERVER_MAX_LINE)
        al_expert_add_info_fmt(c->pinfo, l.item, &ei_truncated,
                               "Line longer than %d bytes without CRLF: not reassembled further",
                               PWSERVER_MAX_LINE);
    else if (truncated)
        expert_add_info(c->pinfo, l.item, &ei_truncated);
    if (c->from_server)
        dissect_response(c, &l);
    else
        dissect_request(c, &l);
}

/* Non-text bytes from offset to the end: the encrypted framing, or garbage. */
static void dissect_encrypted(pwserver_ctx_t *c, int offset)
{
    pwserver_conv_t *conv = c->conv;
    int len = tvb_captured_length_remaining(c->tvb, offset);
    proto_item *ti = proto_tree_add_item(pw_tree(c), hf_encrypted, c->tvb, offset, len, ENC_NA);

    add_info(c, wmem_strdup_printf(c->pinfo->pool, "Non-text data, %d bytes", len));
    if (!conv->encrypted_frame && !PINFO_FD_VISITED(c->pinfo))
        conv->encrypted_frame = c->pinfo->num;
    if (conv->encrypted_frame == c->pinfo->num && !c->encrypted_added) {
        expert_add_info(c->pinfo, ti, &ei_encrypted);
        c->encrypted_added = true;
    }
}

/* Text apart from line ends: used once the session went non-text, when no
 * line end may come to end a partial line. */
static bool text_with_line_ends(tvbuff_t *tvb, int offset, int len)
{
    const guint8 *p = tvb_get_ptr(tvb, offset, len);
    for (int i = 0; i < len; i++) {
        if (p[i] != '\r' && p[i] != '\n' && !pwserver_is_text(p + i, 1))
            return false;
    }
    return true;
}

/* Whether the line at offset ends in a CR that is the last byte, so that its
 * LF may be in the next segment. */
static bool ends_in_lone_cr(tvbuff_t *tvb, int offset, int linelen, int next_offset)
{
    return next_offset == offset + linelen + 1 && !tvb_offset_exists(tvb, next_offset) &&
           AL_TVB_GET_U8(tvb, offset + linelen) == '\r';
}

/* The columns become PasswordServer's with the first line (or binary data)
 * shown: a segment whose bytes all wait for the rest of a line keeps TCP's
 * (Wireshark 4.4's TCP no longer overwrites what a dissector wrote there
 * before it asked for more data). */
static void tcp_columns(packet_info *pinfo, bool *set)
{
    if (*set)
        return;
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "PasswordServer");
    col_clear(pinfo->cinfo, COL_INFO);
    *set = true;
}

static int dissect_pwserver_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    bool columns_set = false;
    pwserver_ctx_t c = {0};
    int offset = 0;
    bool reassemble;

    c.tvb = tvb;
    c.pinfo = pinfo;
    c.parent = tree;
    c.conv = get_conversation(pinfo);
    c.from_server = sender_is_server(&c);
    reassemble = pref_desegment && pinfo->can_desegment && !segment_has_fin(pinfo, data) &&
                 !encrypted_mode(&c);

    if (encrypted_mode(&c) && !text_with_line_ends(tvb, 0, tvb_captured_length(tvb))) {
        tcp_columns(pinfo, &columns_set);
        dissect_encrypted(&c, 0);
        return tvb_captured_length(tvb);
    }
    while (tvb_offset_exists(tvb, offset)) {
        int next_offset;
        int linelen = tvb_find_line_end(tvb, offset, -1, &next_offset, FALSE);
        bool terminated = next_offset > offset + linelen;

        if (!pwserver_is_text(tvb_get_ptr(tvb, offset, linelen), (size_t)linelen)) {
            tcp_columns(pinfo, &columns_set);
            dissect_encrypted(&c, offset);
            break;
        }
        if (reassemble && linelen < PWSERVER_MAX_LINE &&
            (!terminated || ends_in_lone_cr(tvb, offset, linelen, next_offset))) {
            pinfo->desegment_offset = offset;
            pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
            return tvb_captured_length(tvb);
        }
        tcp_columns(pinfo, &columns_set);
        dissect_line(&c, offset, linelen, !terminated);
        offset = next_offset;
    }
    return tvb_captured_length(tvb);
}

/* ---- UDP ------------------------------------------------------------------- */

static int dissect_pwserver_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    int len = tvb_captured_length(tvb);
    const guint8 *data = tvb_get_ptr(tvb, 0, len);
    pwserver_span_t reply, hex;
    bool terminated = false;
    proto_tree *pt;
    proto_item *ti;
    int used;

    col_set_str(pinfo->cinfo, COL_PROTOCOL, "PasswordServer");
    ti = proto_tree_add_item(tree, proto_pwserver, tvb, 0, -1, ENC_NA);
    pt = proto_item_add_subtree(ti, ett_pwserver);
    if (!pwserver_parse_udp_reply(data, (size_t)len, &reply, &hex, &terminated)) {
        col_add_fstr(pinfo->cinfo, COL_INFO, "Unknown data, %d bytes", len);
        if (len > 0) {
            ti = proto_tree_add_item(pt, hf_udp_unknown, tvb, 0, len, ENC_NA);
            expert_add_info(pinfo, ti, &ei_udp_unknown);
        }
        return len;
    }
    col_add_fstr(pinfo->cinfo, COL_INFO, "Reply: %s", abbreviate(pinfo, data, (int)reply.len));
    ti = proto_tree_add_item(pt, hf_udp_reply, tvb, 0, (int)reply.len, ENC_ASCII);
    proto_tree_add_item(pt, hf_udp_hex, tvb, (int)hex.off, (int)hex.len, ENC_ASCII);
    if (hex.len > 0 && !pwserver_is_hex(data + hex.off, hex.len))
        al_expert_add_info_fmt(pinfo, ti, &ei_malformed,
                               "Malformed UDP reply: expected hex digits after ';'");
    if (!terminated)
        al_expert_add_info_fmt(pinfo, ti, &ei_malformed,
                               "Malformed UDP reply: expected a NUL after the hex digits");
    used = (int)reply.len + (terminated ? 1 : 0);
    if (used < len)
        proto_tree_add_item(pt, hf_udp_unknown, tvb, used, len - used, ENC_NA);
    return len;
}

/* ---- Entry points ----------------------------------------------------------- */

static int dissect_pwserver(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (pinfo->ptype == PT_UDP)
        return dissect_pwserver_udp(tvb, pinfo, tree);
    return dissect_pwserver_tcp(tvb, pinfo, tree, data);
}

/* A heuristic's match: the conversation is the Password Server's from here
 * on. */
static al_heur_bool_t take_pwserver(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_set_dissector(find_or_create_conversation(pinfo), pwserver_handle);
    dissect_pwserver(tvb, pinfo, tree, data);
    return TRUE;
}

static al_heur_bool_t dissect_pwserver_heur_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                                void *data)
{
    int len = tvb_captured_length(tvb);

    if (!pwserver_match_tcp(tvb_get_ptr(tvb, 0, len), (size_t)len))
        return FALSE;
    return take_pwserver(tvb, pinfo, tree, data);
}

static al_heur_bool_t dissect_pwserver_heur_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                                void *data)
{
    int len = tvb_captured_length(tvb);

    if (!pwserver_match_udp(tvb_get_ptr(tvb, 0, len), (size_t)len))
        return FALSE;
    return take_pwserver(tvb, pinfo, tree, data);
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: the
 * check the registry's port sniffer applies, pwserver_match() on the first
 * 256 bytes of a TCP segment or on the whole UDP datagram. Unlike the "tcp"
 * and "udp" heuristics it takes either transport's form on both, and on TCP
 * it looks for the first line's end in 256 bytes, not 1,024. */

static al_heur_bool_t dissect_pwserver_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo,
                                                    proto_tree *tree, void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_TCP | AL_SNIFF_UDP, &len);

    if (!p || !pwserver_match(p, len))
        return FALSE;
    dissect_pwserver(tvb, pinfo, tree, data);
    return TRUE;
}

void proto_register_pwserver(void)
{
    static hf_register_info hf[] = {
        {&hf_request,
         {"Request", "pwserver.request", FT_STRING, BASE_NONE, NULL, 0x0,
          "A client line, without its CRLF", HFILL}},
        {&hf_response,
         {"Response", "pwserver.response", FT_STRING, BASE_NONE, NULL, 0x0,
          "A server line, without its CRLF", HFILL}},
        {&hf_command,
         {"Command", "pwserver.command", FT_STRING, BASE_NONE, NULL, 0x0,
          "The first word of a client line", HFILL}},
        {&hf_parameter,
         {"Parameter", "pwserver.parameter", FT_STRING, BASE_NONE, NULL, 0x0,
          "The rest of a client line that is not decoded further", HFILL}},
        {&hf_status,
         {"Status", "pwserver.status", FT_STRING, BASE_NONE, NULL, 0x0, "+OK, -ERR or +AUTHOK",
          HFILL}},
        {&hf_text,
         {"Text", "pwserver.text", FT_STRING, BASE_NONE, NULL, 0x0,
          "The rest of a server line that is not decoded further", HFILL}},
        {&hf_greeting,
         {"Greeting", "pwserver.greeting", FT_STRING, BASE_NONE, NULL, 0x0,
          "The server's greeting, after +OK", HFILL}},
        {&hf_server_version,
         {"Server version", "pwserver.server_version", FT_STRING, BASE_NONE, NULL, 0x0,
          "ApplePasswordServer version, from the greeting", HFILL}},
        {&hf_server_address,
         {"Server address", "pwserver.server_address", FT_STRING, BASE_NONE, NULL, 0x0,
          "The address the greeting names (\"password server at <address>\")", HFILL}},
        {&hf_sasl_mechanism,
         {"SASL mechanism offered", "pwserver.sasl_mechanism", FT_STRING, BASE_NONE, NULL, 0x0,
          "One mechanism of the server's (SASL ...) list", HFILL}},
        {&hf_rsa_bits,
         {"RSA key bits", "pwserver.rsa.bits", FT_UINT32, BASE_DEC, NULL, 0x0,
          "First word of the RSA public key reply", HFILL}},
        {&hf_rsa_exponent,
         {"RSA public exponent", "pwserver.rsa.exponent", FT_UINT64, BASE_DEC, NULL, 0x0, NULL,
          HFILL}},
        {&hf_rsa_modulus,
         {"RSA modulus", "pwserver.rsa.modulus", FT_STRING, BASE_NONE, NULL, 0x0,
          "The modulus in decimal, as sent", HFILL}},
        {&hf_rsa_key_name,
         {"RSA key name", "pwserver.rsa.key_name", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_blob_length,
         {"RSAVALIDATE length", "pwserver.rsavalidate.length", FT_UINT32, BASE_DEC, NULL, 0x0,
          "The number in braces of {<length>}<base64>; its unit is not documented", HFILL}},
        {&hf_blob_data,
         {"RSAVALIDATE data", "pwserver.rsavalidate.data", FT_STRING, BASE_NONE, NULL, 0x0,
          "The base64 text after {<length>}", HFILL}},
        {&hf_user_slot_id,
         {"Slot ID", "pwserver.user.slot_id", FT_STRING, BASE_NONE, NULL, 0x0,
          "Password Server user slot: 0x followed by 32 hex digits", HFILL}},
        {&hf_auth_mechanism,
         {"SASL mechanism chosen", "pwserver.auth.mechanism", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_auth_data,
         {"Authentication data", "pwserver.auth.data", FT_STRING, BASE_NONE, NULL, 0x0,
          "Hex SASL data (USER, AUTH2 or +AUTHOK)", HFILL}},
        {&hf_auth_data_decoded,
         {"Decoded", "pwserver.auth.data_decoded", FT_BYTES, BASE_NONE | BASE_SHOW_ASCII_PRINTABLE,
          NULL, 0x0, "The bytes the hex authentication data stands for", HFILL}},
        {&hf_pptp_id,
         {"GETPPTPKEYS first word", "pwserver.getpptpkeys.id", FT_STRING, BASE_NONE, NULL, 0x0,
          "GETPPTPKEYS <id> <hex> <length>: the <id> (its meaning is not documented)", HFILL}},
        {&hf_pptp_data,
         {"GETPPTPKEYS hex", "pwserver.getpptpkeys.data", FT_STRING, BASE_NONE, NULL, 0x0,
          "GETPPTPKEYS <id> <hex> <length>: the <hex>", HFILL}},
        {&hf_pptp_length,
         {"GETPPTPKEYS length", "pwserver.getpptpkeys.length", FT_UINT32, BASE_DEC, NULL, 0x0,
          "GETPPTPKEYS <id> <hex> <length>: the <length>", HFILL}},
        {&hf_error,
         {"Error", "pwserver.error", FT_STRING, BASE_NONE, NULL, 0x0, "The text after -ERR",
          HFILL}},
        {&hf_error_sasl,
         {"SASL error", "pwserver.error.sasl", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The error starts -ERR SASL", HFILL}},
        {&hf_encrypted,
         {"Non-text data", "pwserver.encrypted", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes that are not text lines: possibly the encrypted framing (format unknown)", HFILL}},
        {&hf_udp_reply,
         {"UDP reply", "pwserver.udp.reply", FT_STRING, BASE_NONE, NULL, 0x0,
          "\"How was your weekend?;<hex>\" (the NUL not included)", HFILL}},
        {&hf_udp_hex,
         {"UDP reply hex", "pwserver.udp.hex", FT_STRING, BASE_NONE, NULL, 0x0,
          "The hex digits after ';' (meaning unknown)", HFILL}},
        {&hf_udp_unknown,
         {"Unknown data", "pwserver.udp.unknown", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
    };

    static gint *ett[] = {&ett_pwserver, &ett_line, &ett_auth_data};

    static ei_register_info ei[] = {
        {&ei_weak_mechanism,
         {"pwserver.expert.weak_mechanism", PI_SECURITY, PI_WARN,
          "Weak SASL mechanism chosen for Apple Password Server authentication", EXPFILL}},
        {&ei_weak_offered,
         {"pwserver.expert.weak_offered", PI_SECURITY, PI_NOTE,
          "Server offers weak SASL mechanisms", EXPFILL}},
        {&ei_error, {"pwserver.expert.error", PI_RESPONSE_CODE, PI_NOTE, "Server error", EXPFILL}},
        {&ei_unknown_command,
         {"pwserver.expert.unknown_command", PI_UNDECODED, PI_NOTE, "Unknown command", EXPFILL}},
        {&ei_unknown_response,
         {"pwserver.expert.unknown_response", PI_UNDECODED, PI_NOTE,
          "Server line without a +OK, -ERR or +AUTHOK status", EXPFILL}},
        {&ei_malformed,
         {"pwserver.expert.malformed", PI_PROTOCOL, PI_WARN,
          "Line does not follow the documented layout", EXPFILL}},
        {&ei_bad_slot_id,
         {"pwserver.expert.bad_slot_id", PI_PROTOCOL, PI_WARN,
          "Slot ID is not 0x followed by 32 hex digits", EXPFILL}},
        {&ei_truncated,
         {"pwserver.expert.truncated", PI_PROTOCOL, PI_WARN,
          "Truncated line: the data ends before CRLF", EXPFILL}},
        {&ei_encrypted,
         {"pwserver.expert.encrypted", PI_UNDECODED, PI_NOTE,
          "Non-text data: the session may have switched to encrypted framing (format unknown)",
          EXPFILL}},
        {&ei_udp_unknown,
         {"pwserver.expert.udp_unknown", PI_UNDECODED, PI_NOTE,
          "Unknown datagram: only the reply \"How was your weekend?;<hex>\" is known", EXPFILL}},
    };

    module_t *module;
    expert_module_t *expert;

    proto_pwserver = proto_register_protocol("Apple Password Server", "PasswordServer", "pwserver");
    proto_register_field_array(proto_pwserver, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert = expert_register_protocol(proto_pwserver);
    expert_register_field_array(expert, ei, array_length(ei));

    module = prefs_register_protocol(proto_pwserver, NULL);
    prefs_register_bool_preference(module, "desegment",
                                   "Reassemble lines spanning several TCP segments",
                                   "Whether a line split across TCP segments is reassembled. "
                                   "To use this, TCP's \"Allow subdissector to reassemble TCP "
                                   "streams\" must be on too.",
                                   &pref_desegment);
    prefs_register_string_preference(
        module, "weak_mechanisms", "Weak SASL mechanisms",
        "Comma-separated SASL mechanism names (case does not matter) that raise a warning "
        "when a client chooses one and a note when the server offers one",
        &pref_weak_mechanisms);

    pwserver_handle = register_dissector("pwserver", dissect_pwserver, proto_pwserver);
}

/* The ports Apple's tables give the Password Server (README.md): TCP 106 and
 * 3659, UDP 3659. */
#define PWSERVER_TCP_PORTS "106,3659"
#define PWSERVER_UDP_PORTS "3659"

void proto_reg_handoff_pwserver(void)
{
    /* With the registry plugin, its port sniffer owns these ports and hands
     * matching payload over through its list; alone, this plugin decodes its
     * documented ports itself. */
    al_join_sniffer_or_take_ports(dissect_pwserver_heur_sniffer,
                                  "Apple Password Server on the Apple ports", "pwserver_sniffer",
                                  proto_pwserver, pwserver_handle, PWSERVER_TCP_PORTS,
                                  PWSERVER_UDP_PORTS);
    /* Off by default, as every Apple heuristic: on the ports in Apple's tables
     * the registry's sniffer hands the payload over; these find the protocol
     * on any other port, at a cost on every payload no port dissector took
     * (README.md, "Heuristics"). The "Apple Legacy Ports" profile turns them on. */
    heur_dissector_add("tcp", dissect_pwserver_heur_tcp, "Apple Password Server over TCP",
                       "pwserver_tcp", proto_pwserver, HEURISTIC_DISABLE);
    heur_dissector_add("udp", dissect_pwserver_heur_udp, "Apple Password Server over UDP",
                       "pwserver_udp", proto_pwserver, HEURISTIC_DISABLE);
}
