/* packet-servermgrd.c
 * servermgrd, the Server Admin daemon of Mac OS X Server (TCP 311; plain
 * HTTP on older products; probably also TCP 687 and 660, unverified).
 * Server Admin, Workgroup Manager, Server Monitor and serveradmin send
 * "GET /commands/servermgr_<module>?input=<URL-encoded XML plist>&send=..."
 * and get an XML (later perhaps binary) property list back. servermgrd is
 * HTTPS on Mac OS X Server 10.x and plain HTTP on older products.
 *
 * This plugin does not parse HTTP. It has two parts:
 *  - "servermgrd", a thin dissector for the TCP payload (Decode As, the
 *    registry plugin's port sniffer, TCP 311 when loaded without it, the
 *    servermgrd_tcp heuristic): it looks at the first payload bytes of the
 *    conversation and hands the stream to Wireshark's TLS or HTTP dissector.
 *  - a postdissector that adds the servermgrd layer above every HTTP message
 *    that belongs to servermgrd, from the fields the HTTP dissector put in the
 *    tree (request URI, status code, Server, Authorization, WWW-Authenticate,
 *    cookies, the body). It works the same whether HTTP came from TLS (also
 *    with ALPN), from this plugin, from HTTP's own heuristic or from a port.
 *    Why a postdissector: in 4.0 the "http" heuristic list is only tried for
 *    a message body that no media-type dissector took (never for a GET
 *    request, never for a text/xml body), its data pointer is NULL, and the
 *    "http" tap cannot add tree items. README.md has the details.
 *    The first dissection of a frame that has the HTTP fields in its tree
 *    stores where each servermgrd message is (data source index and offsets)
 *    with the frame, and every later pass draws the layer from that.
 *    No tree is built for this plugin alone: without a tree (tshark's summary
 *    lines, Wireshark's first pass without colouring rules) the layer is not
 *    added; the thin dissector still marks its conversations.
 *
 * Sources: ../shared/reference/apple-protocols.md sections 1 and 2
 * (nmap-service-probes matches for the servermgrd responses; the Lithium
 * osx_server plug-in and a Nagios check for the request URL form;
 * erikberglund/servermgr_commands for the command names).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/charsets.h>
#include <epan/conversation.h>
#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/proto.h>
#include <epan/proto_data.h>

#include <string.h>

#include "al-expert.h"
#include "applelegacy-api.h"
#include "ws-compat.h"

#include "servermgrd-parse.h"

void proto_register_servermgrd(void);
void proto_reg_handoff_servermgrd(void);

static int proto_servermgrd = -1;

static int hf_module_list = -1;
static int hf_module = -1;
static int hf_input = -1;
static int hf_command = -1;
static int hf_variant = -1;
static int hf_param = -1;
static int hf_send = -1;
static int hf_basic_auth = -1;
static int hf_over_tls = -1;
static int hf_server = -1;
static int hf_cookie = -1;
static int hf_realm = -1;
static int hf_supports_xmlrpc = -1;
static int hf_supports_binary_plist = -1;
static int hf_body_header = -1;
static int hf_reply_key = -1;
static int hf_binary_plist = -1;

static gint ett_servermgrd = -1;
static gint ett_input = -1;
static gint ett_body_headers = -1;

static expert_field ei_basic_auth = EI_INIT;
static expert_field ei_bad_input = EI_INIT;
static expert_field ei_no_plist = EI_INIT;
static expert_field ei_plist_stopped = EI_INIT;
static expert_field ei_key_limit = EI_INIT;
static expert_field ei_colonless_header = EI_INIT;
static expert_field ei_not_http = EI_INIT;

static dissector_handle_t servermgrd_handle;
static dissector_handle_t tls_handle;
static dissector_handle_t http_handle;

/* Top-level plist keys shown per message, at most. */
#define MAX_PLIST_KEYS 256
/* Header lines left in a body that are shown, at most. */
#define MAX_BODY_HEADERS 32
/* HTTP messages of one frame looked at, at most. */
#define MAX_HTTP_MESSAGES 16

/* The HTTP fields the postdissector reads (see "Keeping the HTTP fields in
 * the tree" below). */
enum {
    HTTP_F_URI,
    HTTP_F_CODE,
    HTTP_F_PHRASE,
    HTTP_F_SERVER,
    HTTP_F_AUTHORIZATION,
    HTTP_F_WWW_AUTHENTICATE,
    HTTP_F_SET_COOKIE,
    HTTP_F_COOKIE,
    HTTP_F_FILE_DATA,
    HTTP_F_COUNT
};

static const char *const http_field_names[HTTP_F_COUNT] = {
    "http.request.uri", "http.response.code", "http.response.phrase",
    "http.server",      "http.authorization", "http.www_authenticate",
    "http.set_cookie",  "http.cookie",        "http.file_data",
};

static int http_field_ids[HTTP_F_COUNT];
static int http_proto_id = -1;

/* Where a field is: a data source of the frame (by its index in
 * pinfo->data_src) and a range in it. */
typedef struct {
    int ds; /* -1: absent */
    int start;
    int length;
} smd_loc_t;

/* One servermgrd message of a frame, as found in the first dissection of the
 * frame that had the HTTP fields. Later passes (a second tshark pass, a packet
 * selected in Wireshark) may have no HTTP fields in their tree, so they redo
 * the servermgrd layer from this. */
typedef struct {
    bool request;
    smd_loc_t msg;        /* the HTTP message */
    smd_loc_t uri;        /* request target */
    smd_loc_t auth;       /* Authorization header, when it is Basic */
    smd_loc_t server;     /* Server header, when it names servermgrd */
    smd_loc_t cookie_hdr; /* Set-Cookie (or Cookie) header with com.apple.servermgrd */
    smd_loc_t www_auth;   /* WWW-Authenticate header with a Basic realm */
    smd_loc_t body;       /* the body as HTTP saw it */
    uint32_t code;        /* response status code */
    const char *phrase;   /* response phrase (file scope, like the strings below) */
    const char *server_value;
    const char *cookie;
    const char *realm;
} smd_msg_t;

typedef struct {
    unsigned count;
    smd_msg_t msgs[];
} smd_frame_t;

/* What is known about a TCP conversation. */
typedef struct {
    uint32_t known_since;     /* first frame that showed servermgrd; 0: none */
    uint32_t transport_frame; /* frame whose first bytes chose the transport */
    smd_start_t transport;    /* TLS or HTTP, chosen by the thin dissector */
} smd_conv_t;

/* What a message showed, for the Info column. */
typedef struct {
    const char *module;
    const char *command;
    const char *variant;
    unsigned keys;
    bool bplist;
    const char *realm;
} smd_summary_t;

/* ------------------------------------------------------------------------ */
/* Conversation                                                             */

static smd_conv_t *conv_data(packet_info *pinfo, bool create)
{
    conversation_t *conv =
        create ? find_or_create_conversation(pinfo) : find_conversation_pinfo(pinfo, 0);
    if (!conv)
        return NULL;
    smd_conv_t *c = (smd_conv_t *)conversation_get_proto_data(conv, proto_servermgrd);
    if (!c && create) {
        c = wmem_new0(wmem_file_scope(), smd_conv_t);
        conversation_add_proto_data(conv, proto_servermgrd, c);
    }
    return c;
}

/* Records that this frame showed servermgrd. The earliest such frame is
 * kept, so that later passes decide as the first one did. */
static void mark_known(packet_info *pinfo)
{
    smd_conv_t *c = conv_data(pinfo, true);
    if (c->known_since == 0 || pinfo->num < c->known_since)
        c->known_since = pinfo->num;
}

/* Did an earlier frame (or this one) of the conversation show servermgrd? */
static bool known_before(packet_info *pinfo)
{
    smd_conv_t *c = conv_data(pinfo, false);
    return c && c->known_since != 0 && c->known_since <= pinfo->num;
}

/* ------------------------------------------------------------------------ */
/* Keeping the HTTP fields in the tree                                      */

/* A tree that is not visible (tshark -T fields, a display filter, Wireshark's
 * filtering and colouring passes) leaves out every field nobody asked for.
 * The HTTP fields this plugin reads are kept in two ways, and no tree is ever
 * built only for this plugin:
 *  - the thin dissector, in front of TLS/HTTP on its own conversations, makes
 *    the tree visible while they dissect when the fields would be left out;
 *  - for HTTP reached without it (HTTP's heuristic, a port, TLS), the
 *    postdissector asks for the fields (set_postdissector_wanted_hfids) once
 *    it has seen that this dissection session builds trees anyway. Asking at
 *    start-up would make tshark and Wireshark build a tree for every packet
 *    (they decide that when a file is opened), which cost about 20% of the
 *    summary run. The request is dropped at the start of every session. */

static dissector_handle_t post_handle;
static bool wanted_active;

static void want_http_fields(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    if (http_proto_id > 0)
        g_array_append_val(wanted, http_proto_id);
    for (int i = 0; i < HTTP_F_COUNT; i++) {
        if (http_field_ids[i] > 0)
            g_array_append_val(wanted, http_field_ids[i]);
    }
    set_postdissector_wanted_hfids(post_handle, wanted);
    wanted_active = true;
}

/* The columns as fields (ws-compat.h, AL_COL_FIELD_NAME): "_ws.col" and the
 * fields of the Protocol and Info columns; -1 where there are none (4.0, or
 * columns not shown). They exist once the preferences made the columns, so
 * they are looked up at the start of every session. */
static int col_proto_id = -1;
static int col_field_protocol = -1;
static int col_field_info = -1;

static int column_field_id(int fmt)
{
    const char *name = AL_COL_FIELD_NAME(fmt);
    return name ? proto_registrar_get_id_byname(name) : -1;
}

static void find_column_fields(void)
{
    col_proto_id = AL_COL_FIELD_NAME(COL_INFO) ? proto_get_id_by_filter_name("_ws.col") : -1;
    col_field_protocol = column_field_id(COL_PROTOCOL);
    col_field_info = column_field_id(COL_INFO);
}

/* servermgrd is enabled, for this dissection session: Wireshark starts a new
 * session (the init routine) when a protocol is enabled or disabled, so the
 * postdissector does not ask libwireshark on every frame. */
static protocol_t *servermgrd_protocol;
static bool servermgrd_enabled;

static void servermgrd_init(void)
{
    servermgrd_enabled = proto_is_protocol_enabled(servermgrd_protocol);
    if (wanted_active)
        set_postdissector_wanted_hfids(post_handle, NULL);
    wanted_active = false;
    find_column_fields();
}

/* Will an item of this field be kept in a tree that is not visible? */
static bool field_kept(int id)
{
    if (id <= 0)
        return true; /* not registered: nothing to keep */
    header_field_info *hfi = proto_registrar_get_nth((guint)id);
    return hfi && hfi->ref_type != HF_REF_TYPE_NONE && hfi->ref_type != HF_REF_TYPE_INDIRECT;
}

static bool http_fields_kept(proto_tree *tree)
{
    if (PTREE_DATA(tree)->visible || !field_kept(http_proto_id))
        return PTREE_DATA(tree)->visible;
    for (int i = 0; i < HTTP_F_COUNT; i++) {
        if (!field_kept(http_field_ids[i]))
            return false;
    }
    return true;
}

/* Calls TLS or HTTP so that the HTTP fields end up in the tree: when the
 * frame has no stored servermgrd messages yet and the tree would leave the
 * fields out, it is visible while they dissect (and again as it was after,
 * also when they throw). */
static int call_keeping_http_fields(dissector_handle_t next, tvbuff_t *tvb, packet_info *pinfo,
                                    proto_tree *tree, void *data)
{
    if (!tree || http_fields_kept(tree) ||
        p_get_proto_data(wmem_file_scope(), pinfo, proto_servermgrd, 0))
        return call_dissector_with_data(next, tvb, pinfo, tree, data);
    volatile int taken = 0;
    gboolean was_visible = proto_tree_set_visible(tree, TRUE);
    TRY
    {
        taken = call_dissector_with_data(next, tvb, pinfo, tree, data);
    }
    FINALLY
    {
        proto_tree_set_visible(tree, was_visible);
    }
    ENDTRY;
    return taken;
}

/* ------------------------------------------------------------------------ */
/* The thin dissector: TLS or HTTP                                          */

/* The transport of the conversation, chosen from the first payload bytes
 * that look like TLS or HTTP and kept for the frames after that one. */
static smd_start_t conv_transport(tvbuff_t *tvb, packet_info *pinfo)
{
    smd_conv_t *c = conv_data(pinfo, true);
    if (c->transport != SMD_START_UNKNOWN && pinfo->num >= c->transport_frame)
        return c->transport;
    unsigned n = tvb_captured_length(tvb);
    smd_start_t start =
        servermgrd_classify_start(n ? tvb_get_ptr(tvb, 0, MIN(n, 16)) : NULL, MIN(n, 16));
    if (start != SMD_START_UNKNOWN &&
        (c->transport == SMD_START_UNKNOWN || pinfo->num < c->transport_frame)) {
        c->transport = start;
        c->transport_frame = pinfo->num;
    }
    return start;
}

static int dissect_not_http(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "servermgrd");
    col_set_str(pinfo->cinfo, COL_INFO, "Neither TLS nor HTTP");
    proto_item *ti = proto_tree_add_item(tree, proto_servermgrd, tvb, 0, -1, ENC_NA);
    expert_add_info(pinfo, ti, &ei_not_http);
    call_data_dissector(tvb, pinfo, tree);
    return tvb_captured_length(tvb);
}

static int dissect_servermgrd(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (tvb_captured_length(tvb) == 0)
        return 0;
    mark_known(pinfo);
    smd_start_t start = conv_transport(tvb, pinfo);
    dissector_handle_t next = start == SMD_START_TLS    ? tls_handle
                              : start == SMD_START_HTTP ? http_handle
                                                        : NULL;
    if (!next)
        return dissect_not_http(tvb, pinfo, tree);
    /* TCP lets only the dissector it calls reassemble; pass that right on to
     * TLS or HTTP, as this dissector only chooses between them. */
    pinfo->can_desegment = pinfo->saved_can_desegment;
    return call_keeping_http_fields(next, tvb, pinfo, tree, data);
}

/* A heuristic's match: the conversation is servermgrd's from here on. */
static al_heur_bool_t take_servermgrd(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                      void *data)
{
    conversation_set_dissector(find_or_create_conversation(pinfo), servermgrd_handle);
    dissect_servermgrd(tvb, pinfo, tree, data);
    return TRUE;
}

static al_heur_bool_t dissect_servermgrd_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                              void *data)
{
    unsigned n = MIN(tvb_captured_length(tvb), SMD_MATCH_WINDOW);
    if (n == 0 || !servermgrd_match(tvb_get_ptr(tvb, 0, n), n))
        return FALSE;
    return take_servermgrd(tvb, pinfo, tree, data);
}

/* The registry's sniffer list (applelegacy-api.h), shared by TCP and UDP: on
 * TCP, the check the registry's port sniffer applies, servermgrd_match() on
 * the first 256 bytes of the segment. The "tcp" heuristic reads 2,048: a
 * response whose Server header ends past byte 256 is found there only. */

static al_heur_bool_t dissect_servermgrd_heur_sniffer(tvbuff_t *tvb, packet_info *pinfo,
                                                      proto_tree *tree, void *data)
{
    guint len;
    const guint8 *p = al_sniff_window(tvb, pinfo, AL_SNIFF_TCP, &len);

    if (!p || !servermgrd_match(p, len))
        return FALSE;
    dissect_servermgrd(tvb, pinfo, tree, data);
    return TRUE;
}

/* ------------------------------------------------------------------------ */
/* First pass: the HTTP dissector's fields                                  */

/* The HTTP fields of one message (NULL when absent). */
typedef struct {
    field_info *msg;
    field_info *f[HTTP_F_COUNT];
} http_fields_t;

/* Occurrences of one HTTP field in a frame, at most. */
#define MAX_FIELD_SEEN 32

/* The HTTP messages and fields of a frame, found in one walk of the HTTP
 * subtrees. The fields are in the tree when the tree is visible or when they
 * are primed (the wanted fields; a display filter or -e naming them). */
typedef struct {
    field_info *msgs[MAX_HTTP_MESSAGES];
    unsigned n_msgs;
    field_info *f[HTTP_F_COUNT][MAX_FIELD_SEEN];
    unsigned n[HTTP_F_COUNT];
} http_seen_t;

/* Only the fields HTTP read from the message count: generated ones repeat
 * another message (4.4 shows the request's URI in the response as a
 * generated http.request.uri, which would make the response a request). */
static void collect_http_node(proto_node *node, gpointer data)
{
    http_seen_t *seen = (http_seen_t *)data;
    field_info *fi = PNODE_FINFO(node);
    if (fi && fi->hfinfo && !FI_GET_FLAG(fi, FI_GENERATED)) {
        for (int i = 0; i < HTTP_F_COUNT; i++) {
            if (fi->hfinfo->id == http_field_ids[i]) {
                if (seen->n[i] < MAX_FIELD_SEEN)
                    seen->f[i][seen->n[i]++] = fi;
                break;
            }
        }
    }
    proto_tree_children_foreach(node, collect_http_node, data);
}

/* HTTP puts its protocol item at the top level of the tree. */
static void collect_http_top(proto_node *node, gpointer data)
{
    http_seen_t *seen = (http_seen_t *)data;
    field_info *fi = PNODE_FINFO(node);
    if (!fi || !fi->hfinfo || fi->hfinfo->id != http_proto_id || seen->n_msgs == MAX_HTTP_MESSAGES)
        return;
    seen->msgs[seen->n_msgs++] = fi;
    proto_tree_children_foreach(node, collect_http_node, data);
}

static bool field_within(const field_info *fi, const field_info *msg)
{
    return fi->ds_tvb == msg->ds_tvb && fi->start >= msg->start &&
           fi->start < msg->start + MAX(msg->length, 1);
}

/* The first occurrence of an HTTP field inside the message; a body that was
 * de-chunked or decompressed lives in its own data source, so when the frame
 * has one message, the only body is taken. */
static field_info *message_field(const http_seen_t *seen, int field, const field_info *msg)
{
    for (unsigned i = 0; i < seen->n[field]; i++) {
        if (field_within(seen->f[field][i], msg))
            return seen->f[field][i];
    }
    if (field == HTTP_F_FILE_DATA && seen->n_msgs == 1 && seen->n[field] == 1)
        return seen->f[field][0];
    return NULL;
}

/* The bytes a field covers in its data source, or NULL. */
static const uint8_t *field_bytes(const field_info *fi, unsigned *len)
{
    if (!fi || !fi->ds_tvb || fi->start < 0 || fi->length <= 0 ||
        !tvb_bytes_exist(fi->ds_tvb, fi->start, fi->length))
        return NULL;
    *len = (unsigned)fi->length;
    return tvb_get_ptr(fi->ds_tvb, fi->start, fi->length);
}

static const char *field_string(field_info *fi)
{
    if (!fi)
        return NULL;
    return fvalue_get_string(AL_FI_VALUE(fi));
}

/* The index of a tvb among the frame's data sources, or -1. Every pass adds
 * the same data sources in the same order, so the index finds the same bytes
 * again in later passes. */
static int data_source_index(packet_info *pinfo, tvbuff_t *tvb)
{
    int i = 0;
    for (GSList *l = pinfo->data_src; l; l = l->next, i++) {
        if (get_data_source_tvb((const struct data_source *)l->data) == tvb)
            return i;
    }
    return -1;
}

static smd_loc_t loc_of(packet_info *pinfo, const field_info *fi)
{
    smd_loc_t l = {-1, 0, 0};
    if (fi && fi->ds_tvb && fi->start >= 0 && fi->length >= 0) {
        l.ds = data_source_index(pinfo, fi->ds_tvb);
        l.start = fi->start;
        l.length = fi->length;
    }
    return l;
}

static const char *file_string(const char *s, size_t len)
{
    return wmem_strndup(wmem_file_scope(), s, len);
}

/* A request to /commands/servermgr_*, or GET / where the conversation is
 * already known to be servermgrd. */
static bool snapshot_request(packet_info *pinfo, const http_fields_t *h, smd_msg_t *m)
{
    unsigned len;
    smd_target_t t;
    const uint8_t *uri = field_bytes(h->f[HTTP_F_URI], &len);
    if (!uri)
        return false;
    smd_target_kind_t kind = servermgrd_parse_target(uri, len, &t);
    if (kind == SMD_TARGET_OTHER || (kind == SMD_TARGET_ROOT && !known_before(pinfo)))
        return false;
    m->request = true;
    m->uri = loc_of(pinfo, h->f[HTTP_F_URI]);
    const char *auth = field_string(h->f[HTTP_F_AUTHORIZATION]);
    if (auth && servermgrd_is_basic_auth((const uint8_t *)auth, strlen(auth)))
        m->auth = loc_of(pinfo, h->f[HTTP_F_AUTHORIZATION]);
    const char *cookies = field_string(h->f[HTTP_F_COOKIE]);
    smd_span_t cookie;
    if (cookies && servermgrd_find_cookie((const uint8_t *)cookies, strlen(cookies), &cookie)) {
        m->cookie_hdr = loc_of(pinfo, h->f[HTTP_F_COOKIE]);
        m->cookie = file_string(cookies + cookie.off, cookie.len);
    }
    return true;
}

/* Does a header line that HTTP left in the body name servermgrd? */
static bool body_names_servermgrd(const http_fields_t *h)
{
    unsigned len;
    smd_hline_t lines[MAX_BODY_HEADERS];
    smd_leftover_t lo;
    smd_span_t cookie;
    const uint8_t *d = field_bytes(h->f[HTTP_F_FILE_DATA], &len);
    if (!d || !servermgrd_leftover_headers(d, len, lines, MAX_BODY_HEADERS, &lo))
        return false;
    for (size_t i = 0; i < lo.count; i++) {
        const smd_hline_t *l = &lines[i];
        if (servermgrd_span_equals(d, l->name, "Server") &&
            servermgrd_is_server_value(d + l->value.off, l->value.len))
            return true;
        if (servermgrd_span_equals(d, l->name, "Set-Cookie") &&
            servermgrd_find_cookie(d + l->value.off, l->value.len, &cookie))
            return true;
    }
    return false;
}

/* A response that names servermgrd (Server header, cookie), or any response
 * where the conversation is already known to be servermgrd. */
static bool snapshot_response(packet_info *pinfo, const http_fields_t *h, smd_msg_t *m)
{
    const char *server = field_string(h->f[HTTP_F_SERVER]);
    const char *set_cookie = field_string(h->f[HTTP_F_SET_COOKIE]);
    const char *www = field_string(h->f[HTTP_F_WWW_AUTHENTICATE]);
    const char *phrase = field_string(h->f[HTTP_F_PHRASE]);
    smd_span_t cookie, realm;
    bool by_server = server && servermgrd_is_server_value((const uint8_t *)server, strlen(server));
    bool by_cookie = set_cookie && servermgrd_find_cookie((const uint8_t *)set_cookie,
                                                          strlen(set_cookie), &cookie);
    if (!by_server && !by_cookie && !body_names_servermgrd(h) && !known_before(pinfo))
        return false;
    m->code = fvalue_get_uinteger(AL_FI_VALUE(h->f[HTTP_F_CODE]));
    if (phrase)
        m->phrase = file_string(phrase, strlen(phrase));
    if (by_server) {
        m->server = loc_of(pinfo, h->f[HTTP_F_SERVER]);
        m->server_value = file_string(server, strlen(server));
    }
    if (by_cookie) {
        m->cookie_hdr = loc_of(pinfo, h->f[HTTP_F_SET_COOKIE]);
        m->cookie = file_string(set_cookie + cookie.off, cookie.len);
    }
    if (www && servermgrd_basic_realm((const uint8_t *)www, strlen(www), &realm)) {
        m->www_auth = loc_of(pinfo, h->f[HTTP_F_WWW_AUTHENTICATE]);
        m->realm = file_string(www + realm.off, realm.len);
    }
    m->body = loc_of(pinfo, h->f[HTTP_F_FILE_DATA]);
    return true;
}

/* Reads the HTTP messages of the frame from the tree, keeps those that
 * belong to servermgrd, and stores them with the frame. */
static smd_frame_t *snapshot_frame(proto_tree *tree, packet_info *pinfo)
{
    smd_msg_t found[MAX_HTTP_MESSAGES];
    unsigned count = 0;
    http_seen_t seen;
    seen.n_msgs = 0;
    memset(seen.n, 0, sizeof(seen.n));
    proto_tree_children_foreach(tree, collect_http_top, &seen);
    for (unsigned i = 0; i < seen.n_msgs; i++) {
        http_fields_t h;
        smd_msg_t *m = &found[count];
        const smd_loc_t none = {-1, 0, 0};
        h.msg = seen.msgs[i];
        for (int f = 0; f < HTTP_F_COUNT; f++)
            h.f[f] = message_field(&seen, f, h.msg);
        memset(m, 0, sizeof(*m));
        m->msg = loc_of(pinfo, h.msg);
        m->uri = m->auth = m->server = m->cookie_hdr = m->www_auth = m->body = none;
        bool ours = h.f[HTTP_F_URI]    ? snapshot_request(pinfo, &h, m)
                    : h.f[HTTP_F_CODE] ? snapshot_response(pinfo, &h, m)
                                       : false;
        if (ours) {
            mark_known(pinfo);
            count++;
        }
    }
    if (count == 0)
        return NULL;
    smd_frame_t *fr = (smd_frame_t *)wmem_alloc(wmem_file_scope(),
                                                sizeof(smd_frame_t) + count * sizeof(smd_msg_t));
    fr->count = count;
    memcpy(fr->msgs, found, count * sizeof(smd_msg_t));
    p_add_proto_data(wmem_file_scope(), pinfo, proto_servermgrd, 0, fr);
    return fr;
}

/* ------------------------------------------------------------------------ */
/* Every pass: the servermgrd layer from what the first pass stored         */

/* A stored location, found again in this pass. */
typedef struct {
    tvbuff_t *tvb; /* NULL: absent */
    int start;
    int length;
} smd_field_t;

typedef struct {
    const smd_msg_t *m;
    smd_field_t msg, uri, auth, server, cookie_hdr, www_auth, body;
} smd_view_t;

static smd_field_t resolve(packet_info *pinfo, smd_loc_t l)
{
    smd_field_t f = {NULL, 0, 0};
    int i = 0;
    if (l.ds < 0)
        return f;
    for (GSList *s = pinfo->data_src; s; s = s->next, i++) {
        if (i == l.ds) {
            tvbuff_t *tvb = get_data_source_tvb((const struct data_source *)s->data);
            if (tvb && tvb_bytes_exist(tvb, l.start, l.length)) {
                f.tvb = tvb;
                f.start = l.start;
                f.length = l.length;
            }
            break;
        }
    }
    return f;
}

/* All locations of all messages are resolved before anything is added, as
 * adding a data source (the decoded input) must not move the others. */
static void resolve_view(packet_info *pinfo, const smd_msg_t *m, smd_view_t *v)
{
    v->m = m;
    v->msg = resolve(pinfo, m->msg);
    v->uri = resolve(pinfo, m->uri);
    v->auth = resolve(pinfo, m->auth);
    v->server = resolve(pinfo, m->server);
    v->cookie_hdr = resolve(pinfo, m->cookie_hdr);
    v->www_auth = resolve(pinfo, m->www_auth);
    v->body = resolve(pinfo, m->body);
}

static const uint8_t *view_bytes(const smd_field_t *f, unsigned *len)
{
    if (!f->tvb || f->length <= 0)
        return NULL;
    *len = (unsigned)f->length;
    return tvb_get_ptr(f->tvb, f->start, f->length);
}

/* The Info column: the servermgrd summary replaces HTTP's line (HTTP fences
 * it; its request line and status line stay in the tree). Further messages
 * of the frame are appended. */
static void set_info(packet_info *pinfo, const char *text, bool first)
{
    if (first) {
        col_clear_fence(pinfo->cinfo, COL_INFO);
        col_add_str(pinfo->cinfo, COL_INFO, text);
    } else {
        col_append_sep_str(pinfo->cinfo, COL_INFO, " | ", text);
    }
}

static char *span_string(packet_info *pinfo, tvbuff_t *tvb, int base, smd_span_t s)
{
    return (char *)tvb_get_string_enc(pinfo->pool, tvb, base + (int)s.off, (int)s.len, ENC_UTF_8);
}

static proto_tree *add_layer(tvbuff_t *tvb, proto_tree *tree, packet_info *pinfo,
                             const smd_view_t *v)
{
    tvbuff_t *at = v->msg.tvb ? v->msg.tvb : tvb;
    proto_item *ti = proto_tree_add_item(tree, proto_servermgrd, at, v->msg.tvb ? v->msg.start : 0,
                                         v->msg.tvb ? v->msg.length : 0, ENC_NA);
    proto_item_append_text(ti, v->m->request ? ", Request" : ", Response");
    proto_tree *st = proto_item_add_subtree(ti, ett_servermgrd);
    proto_item *tls = proto_tree_add_boolean(st, hf_over_tls, at, 0, 0,
                                             proto_is_frame_protocol(pinfo->layers, "tls"));
    proto_item_set_generated(tls);
    return st;
}

static void add_input_entry(tvbuff_t *tvb, int base, const uint8_t *data, const smd_pentry_t *e,
                            packet_info *pinfo, proto_tree *tree, smd_summary_t *sum)
{
    if (e->type == SMD_PV_STRING && servermgrd_span_equals(data, e->key, "command")) {
        proto_tree_add_item(tree, hf_command, tvb, base + (int)e->value.off, (int)e->value.len,
                            ENC_UTF_8);
        sum->command = span_string(pinfo, tvb, base, e->value);
        return;
    }
    if (e->type == SMD_PV_STRING && servermgrd_span_equals(data, e->key, "variant")) {
        proto_tree_add_item(tree, hf_variant, tvb, base + (int)e->value.off, (int)e->value.len,
                            ENC_UTF_8);
        sum->variant = span_string(pinfo, tvb, base, e->value);
        return;
    }
    const char *value;
    if (e->type == SMD_PV_TRUE || e->type == SMD_PV_FALSE)
        value = servermgrd_pvalue_name(e->type);
    else if (e->type == SMD_PV_DICT || e->type == SMD_PV_ARRAY || e->type == SMD_PV_OTHER)
        value = wmem_strdup_printf(pinfo->pool, "<%s>", servermgrd_pvalue_name(e->type));
    else
        value = span_string(pinfo, tvb, base, e->value);
    const char *key = span_string(pinfo, tvb, base, e->key);
    proto_tree_add_string_format_value(tree, hf_param, tvb, base + (int)e->whole.off,
                                       (int)e->whole.len,
                                       wmem_strdup_printf(pinfo->pool, "%s=%s", key, value),
                                       "%s = %s (%s)", key, value, servermgrd_pvalue_name(e->type));
}

/* Adds the top-level keys of the XML plist in data (= tvb from base) under
 * tree: the input's command, variant and parameters for a request, the
 * reply keys for a response. False when data holds no plist dict. */
static bool add_plist_keys(tvbuff_t *tvb, int base, const uint8_t *data, unsigned len,
                           packet_info *pinfo, proto_tree *tree, proto_item *anchor, bool request,
                           smd_summary_t *sum)
{
    smd_plist_iter_t it;
    smd_pentry_t e;
    if (!servermgrd_plist_begin(&it, data, len))
        return false;
    for (;;) {
        smd_plist_step_t step = servermgrd_plist_next(&it, &e);
        if (step == SMD_PLIST_END)
            break;
        if (step == SMD_PLIST_ERROR) {
            al_expert_add_info_fmt(pinfo, anchor, &ei_plist_stopped,
                                   "XML plist not well formed or cut short at byte %u; the keys "
                                   "after it are not shown",
                                   (unsigned)it.pos);
            break;
        }
        if (sum->keys == MAX_PLIST_KEYS) {
            al_expert_add_info_fmt(pinfo, anchor, &ei_key_limit,
                                   "Only the first %u top-level keys are shown", MAX_PLIST_KEYS);
            break;
        }
        sum->keys++;
        if (request) {
            add_input_entry(tvb, base, data, &e, pinfo, tree, sum);
        } else {
            proto_item *ki = proto_tree_add_item(tree, hf_reply_key, tvb, base + (int)e.key.off,
                                                 (int)e.key.len, ENC_UTF_8);
            proto_item_append_text(ki, " (%s)", servermgrd_pvalue_name(e.type));
        }
    }
    return true;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

/* input=: URL-decoded into a new data source, then its plist keys. */
static void dissect_input(tvbuff_t *tvb, int base, const uint8_t *uri, smd_span_t in,
                          packet_info *pinfo, proto_tree *tree, smd_summary_t *sum)
{
    smd_urldecode_t r;
    uint8_t *buf = (uint8_t *)wmem_alloc(pinfo->pool, in.len + 1);
    servermgrd_url_decode(uri + in.off, in.len, buf, &r);
    buf[r.out_len] = '\0';

    proto_item *ti =
        proto_tree_add_string(tree, hf_input, tvb, base + (int)in.off, (int)in.len,
                              (const char *)get_utf_8_string(pinfo->pool, buf, (gint)r.out_len));
    proto_tree *it = proto_item_add_subtree(ti, ett_input);
    if (r.bad_escapes)
        al_expert_add_info_fmt(pinfo, ti, &ei_bad_input,
                               "input= is not valid URL encoding: %u bad %%-escape(s), the first "
                               "at byte %u of the value; kept as they are",
                               (unsigned)r.bad_escapes, (unsigned)r.first_bad);
    if (r.out_len == 0) {
        expert_add_info(pinfo, ti, &ei_no_plist);
        return;
    }
    tvbuff_t *dtvb = tvb_new_child_real_data(tvb, buf, (guint)r.out_len, (gint)r.out_len);
    add_new_data_source(pinfo, dtvb, "servermgrd input (URL-decoded)");
    if (!add_plist_keys(dtvb, 0, buf, (unsigned)r.out_len, pinfo, it, ti, true, sum))
        expert_add_info(pinfo, ti, &ei_no_plist);
}

static void add_send(tvbuff_t *tvb, int base, const uint8_t *uri, smd_span_t send,
                     packet_info *pinfo, proto_tree *tree)
{
    smd_urldecode_t r;
    uint8_t *buf = (uint8_t *)wmem_alloc(pinfo->pool, send.len + 1);
    servermgrd_url_decode(uri + send.off, send.len, buf, &r);
    proto_tree_add_string(tree, hf_send, tvb, base + (int)send.off, (int)send.len,
                          (const char *)get_utf_8_string(pinfo->pool, buf, (gint)r.out_len));
}

static void add_cookie(proto_tree *tree, const smd_view_t *v)
{
    if (v->m->cookie && v->cookie_hdr.tvb)
        proto_tree_add_string(tree, hf_cookie, v->cookie_hdr.tvb, v->cookie_hdr.start,
                              v->cookie_hdr.length, v->m->cookie);
}

static void add_basic_auth(proto_tree *tree, packet_info *pinfo, const smd_field_t *auth)
{
    if (!auth->tvb)
        return;
    proto_item *ti =
        proto_tree_add_item(tree, hf_basic_auth, auth->tvb, auth->start, auth->length, ENC_NA);
    if (!proto_is_frame_protocol(pinfo->layers, "tls"))
        expert_add_info(pinfo, ti, &ei_basic_auth);
}

static void render_request(tvbuff_t *tvb, proto_tree *tree, packet_info *pinfo, const smd_view_t *v,
                           bool first)
{
    unsigned len;
    smd_target_t t;
    smd_summary_t sum = {0};
    proto_tree *st = add_layer(tvb, tree, pinfo, v);
    const uint8_t *uri = view_bytes(&v->uri, &len);
    smd_target_kind_t kind = uri ? servermgrd_parse_target(uri, len, &t) : SMD_TARGET_OTHER;
    const char *text;

    if (kind == SMD_TARGET_ROOT) {
        proto_tree_add_item(st, hf_module_list, v->uri.tvb, v->uri.start, v->uri.length, ENC_NA);
        text = "Request: module list";
    } else if (kind == SMD_TARGET_COMMAND) {
        proto_tree_add_item(st, hf_module, v->uri.tvb, v->uri.start + (int)t.module.off,
                            (int)t.module.len, ENC_ASCII);
        sum.module = span_string(pinfo, v->uri.tvb, v->uri.start, t.module);
        if (t.has_input)
            dissect_input(v->uri.tvb, v->uri.start, uri, t.input, pinfo, st, &sum);
        if (t.has_send)
            add_send(v->uri.tvb, v->uri.start, uri, t.send, pinfo, st);
        text =
            wmem_strdup_printf(pinfo->pool, "Request: %s %s%s%s%s", sum.module,
                               sum.command ? sum.command : "(no command)", sum.variant ? " (" : "",
                               sum.variant ? sum.variant : "", sum.variant ? ")" : "");
    } else {
        text = "Request";
    }
    add_cookie(st, v);
    add_basic_auth(st, pinfo, &v->auth);
    set_info(pinfo, text, first);
}

/* ------------------------------------------------------------------------ */
/* Responses                                                                */

/* One header line that HTTP left in the body. */
static void add_body_header(proto_tree *tree, packet_info *pinfo, const smd_field_t *b,
                            const uint8_t *d, const smd_hline_t *h, smd_summary_t *sum)
{
    int off = b->start + (int)h->line.off, len = (int)h->line.len;
    int value = b->start + (int)h->value.off;
    smd_span_t s;
    proto_item *ti = proto_tree_add_item(tree, hf_body_header, b->tvb, off, len, ENC_UTF_8);
    if (!h->has_colon) {
        al_expert_add_info_fmt(pinfo, ti, &ei_colonless_header,
                               "Header line without a colon: %s (not HTTP; Wireshark's HTTP "
                               "dissector ends the header here and shows the rest as the body)",
                               span_string(pinfo, b->tvb, b->start, h->name));
        if (servermgrd_span_equals(d, h->name, "SupportsXMLRPC"))
            proto_tree_add_item(tree, hf_supports_xmlrpc, b->tvb, off, len, ENC_NA);
        else if (servermgrd_span_equals(d, h->name, "SupportsBinaryPlist"))
            proto_tree_add_item(tree, hf_supports_binary_plist, b->tvb, off, len, ENC_NA);
        return;
    }
    if (servermgrd_span_equals(d, h->name, "Server") &&
        servermgrd_is_server_value(d + h->value.off, h->value.len))
        proto_tree_add_item(tree, hf_server, b->tvb, value, (int)h->value.len, ENC_UTF_8);
    if (servermgrd_span_equals(d, h->name, "Set-Cookie") &&
        servermgrd_find_cookie(d + h->value.off, h->value.len, &s))
        proto_tree_add_item(tree, hf_cookie, b->tvb, value + (int)s.off, (int)s.len, ENC_UTF_8);
    if (servermgrd_span_equals(d, h->name, "WWW-Authenticate") &&
        servermgrd_basic_realm(d + h->value.off, h->value.len, &s)) {
        proto_tree_add_item(tree, hf_realm, b->tvb, value + (int)s.off, (int)s.len, ENC_UTF_8);
        sum->realm = span_string(pinfo, b->tvb, value, s);
    }
}

/* The body: header lines HTTP left in it, then a binary plist or the
 * top-level keys of an XML plist. */
static void dissect_body(proto_tree *tree, proto_item *anchor, packet_info *pinfo,
                         const smd_field_t *b, smd_summary_t *sum)
{
    unsigned len, off = 0;
    smd_hline_t lines[MAX_BODY_HEADERS];
    smd_leftover_t lo;
    const uint8_t *d = view_bytes(b, &len);
    if (!d)
        return;
    if (servermgrd_leftover_headers(d, len, lines, MAX_BODY_HEADERS, &lo)) {
        proto_tree *ht =
            proto_tree_add_subtree(tree, b->tvb, b->start, (int)lo.body_off, ett_body_headers, NULL,
                                   "Header lines the HTTP dissector showed as body");
        for (size_t i = 0; i < lo.count; i++)
            add_body_header(ht, pinfo, b, d, &lines[i], sum);
        off = (unsigned)lo.body_off;
    }
    if (off >= len)
        return;
    if (servermgrd_is_bplist(d + off, len - off)) {
        proto_tree_add_item(tree, hf_binary_plist, b->tvb, b->start + (int)off, (int)(len - off),
                            ENC_NA);
        sum->bplist = true;
        return;
    }
    add_plist_keys(b->tvb, b->start + (int)off, d + off, len - off, pinfo, tree, anchor, false,
                   sum);
}

static void response_info(packet_info *pinfo, const smd_msg_t *m, const smd_summary_t *sum,
                          bool first)
{
    wmem_strbuf_t *s = wmem_strbuf_new(pinfo->pool, "Response: ");
    wmem_strbuf_append_printf(s, "%u", m->code);
    if (m->phrase && *m->phrase)
        wmem_strbuf_append_printf(s, " %s", m->phrase);
    if (sum->realm)
        wmem_strbuf_append_printf(s, ", Basic realm \"%s\"", sum->realm);
    if (sum->bplist)
        wmem_strbuf_append(s, ", binary plist");
    else if (sum->keys)
        wmem_strbuf_append_printf(s, ", %u key%s", sum->keys, sum->keys == 1 ? "" : "s");
    set_info(pinfo, wmem_strbuf_get_str(s), first);
}

static void render_response(tvbuff_t *tvb, proto_tree *tree, packet_info *pinfo,
                            const smd_view_t *v, bool first)
{
    const smd_msg_t *m = v->m;
    smd_summary_t sum = {0};
    proto_tree *st = add_layer(tvb, tree, pinfo, v);
    if (m->server_value && v->server.tvb)
        proto_tree_add_string(st, hf_server, v->server.tvb, v->server.start, v->server.length,
                              m->server_value);
    add_cookie(st, v);
    if (m->realm && v->www_auth.tvb) {
        proto_tree_add_string(st, hf_realm, v->www_auth.tvb, v->www_auth.start, v->www_auth.length,
                              m->realm);
        sum.realm = m->realm;
    }
    dissect_body(st, proto_tree_get_parent(st), pinfo, &v->body, &sum);
    response_info(pinfo, m, &sum, first);
}

/* ------------------------------------------------------------------------ */
/* The columns as fields                                                    */

static void refresh_column_field(proto_node *node, gpointer data)
{
    packet_info *pinfo = (packet_info *)data;
    field_info *fi = PNODE_FINFO(node);
    int col = !fi || !fi->hfinfo                     ? -1
              : fi->hfinfo->id == col_field_info     ? COL_INFO
              : fi->hfinfo->id == col_field_protocol ? COL_PROTOCOL
                                                     : -1;
    const char *text = col >= 0 ? col_get_text(pinfo->cinfo, col) : NULL;
    if (text)
        AL_COL_FIELD_SET(fi, text);
}

/* The "_ws.col" item is hidden: in 4.6 it has no field_info of its own
 * (ws-compat.h, AL_PNODE_HFINFO), only its column fields have. */
static void refresh_column_fields_of(proto_node *node, gpointer data)
{
    const header_field_info *hfinfo = AL_PNODE_HFINFO(node);
    if (hfinfo && hfinfo->id == col_proto_id)
        proto_tree_children_foreach(node, refresh_column_field, data);
}

/* Where the frame dissector already put the columns into the tree as fields
 * (4.4 and later, when a filter or tshark -e asks for one: see ws-compat.h),
 * the Protocol and Info fields get the text this postdissector wrote, so
 * that "_ws.col.info" shows and filters what the packet list shows. */
static void refresh_column_fields(proto_tree *tree, packet_info *pinfo)
{
    if (tree && col_proto_id > 0 && pinfo->cinfo)
        proto_tree_children_foreach(tree, refresh_column_fields_of, pinfo);
}

/* ------------------------------------------------------------------------ */
/* The postdissector                                                        */

static bool frame_has_http(packet_info *pinfo)
{
    for (wmem_list_frame_t *f = wmem_list_head(pinfo->layers); f; f = wmem_list_frame_next(f)) {
        if (GPOINTER_TO_INT(wmem_list_frame_data(f)) == http_proto_id)
            return true;
    }
    return false;
}

/* The postdissector. Its handle belongs to "servermgrd.postdissector", a
 * protocol in name only under "frame", which is always enabled: libwireshark
 * calls it without adding and removing a protocol layer and counts it among
 * the enabled postdissectors (a handle of no protocol would not count; the
 * measurement is in docs/performance.md). It
 * checks that servermgrd is enabled itself (servermgrd_enabled), and names
 * servermgrd in current_proto for the expert items drawn here. A first pass
 * without a tree has nothing to draw and nothing stored: it returns at once. */
static int proto_servermgrd_post = -1;

static int dissect_servermgrd_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                   void *data _U_)
{
    smd_view_t views[MAX_HTTP_MESSAGES];
    if (pinfo->ptype != PT_TCP || (!tree && !PINFO_FD_VISITED(pinfo)) || !servermgrd_enabled)
        return 0;
    if (tree && !wanted_active)
        want_http_fields();
    if (!frame_has_http(pinfo))
        return 0;
    smd_frame_t *fr =
        (smd_frame_t *)p_get_proto_data(wmem_file_scope(), pinfo, proto_servermgrd, 0);
    if (!fr && tree)
        fr = snapshot_frame(tree, pinfo);
    if (!fr)
        return 0;
    const char *saved_proto = pinfo->current_proto;
    pinfo->current_proto = "servermgrd";
    for (unsigned i = 0; i < fr->count; i++)
        resolve_view(pinfo, &fr->msgs[i], &views[i]);
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "servermgrd");
    for (unsigned i = 0; i < fr->count; i++) {
        if (views[i].m->request)
            render_request(tvb, tree, pinfo, &views[i], i == 0);
        else
            render_response(tvb, tree, pinfo, &views[i], i == 0);
    }
    refresh_column_fields(tree, pinfo);
    pinfo->current_proto = saved_proto;
    return tvb_captured_length(tvb);
}

/* ------------------------------------------------------------------------ */
/* Registration                                                             */

void proto_register_servermgrd(void)
{
    static hf_register_info hf[] = {
        {&hf_module_list,
         {"Module list request", "servermgrd.module_list", FT_NONE, BASE_NONE, NULL, 0x0,
          "GET / : servermgrd answers with the HTML \"Server Admin module list\"", HFILL}},
        {&hf_module,
         {"Module", "servermgrd.module", FT_STRING, BASE_NONE, NULL, 0x0,
          "The <module> of /commands/servermgr_<module> (info, network, nfs, xserve, ...)", HFILL}},
        {&hf_input,
         {"Input", "servermgrd.input", FT_STRING, BASE_NONE, NULL, 0x0,
          "The input= query value, URL-decoded: an XML property list", HFILL}},
        {&hf_command,
         {"Command", "servermgrd.command", FT_STRING, BASE_NONE, NULL, 0x0,
          "The <string> after <key>command</key> in the input plist", HFILL}},
        {&hf_variant,
         {"Variant", "servermgrd.variant", FT_STRING, BASE_NONE, NULL, 0x0,
          "The <string> after <key>variant</key> in the input plist", HFILL}},
        {&hf_param,
         {"Parameter", "servermgrd.param", FT_STRING, BASE_NONE, NULL, 0x0,
          "Another top-level key of the input plist, as name=value (dict and array values "
          "shown as <dict>/<array>)",
          HFILL}},
        {&hf_send,
         {"Send", "servermgrd.send", FT_STRING, BASE_NONE, NULL, 0x0,
          "The send= query value, URL-decoded (\"Send Command\" in public clients)", HFILL}},
        {&hf_basic_auth,
         {"HTTP Basic authentication", "servermgrd.basic_auth", FT_NONE, BASE_NONE, NULL, 0x0,
          "The request carries an Authorization: Basic header", HFILL}},
        {&hf_over_tls,
         {"Inside TLS", "servermgrd.over_tls", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The HTTP message came out of a TLS session in this frame", HFILL}},
        {&hf_server,
         {"Server", "servermgrd.server", FT_STRING, BASE_NONE, NULL, 0x0,
          "The Server header of the response names servermgrd", HFILL}},
        {&hf_cookie,
         {"Session cookie", "servermgrd.cookie", FT_STRING, BASE_NONE, NULL, 0x0,
          "The value of the cookie com.apple.servermgrd (Set-Cookie in a response, Cookie in a "
          "request)",
          HFILL}},
        {&hf_realm,
         {"Basic realm", "servermgrd.realm", FT_STRING, BASE_NONE, NULL, 0x0,
          "The realm of WWW-Authenticate: Basic (\"Server Admin\" in nmap's matches)", HFILL}},
        {&hf_supports_xmlrpc,
         {"SupportsXMLRPC", "servermgrd.supports_xmlrpc", FT_NONE, BASE_NONE, NULL, 0x0,
          "The header line SupportsXMLRPC (no colon) is present", HFILL}},
        {&hf_supports_binary_plist,
         {"SupportsBinaryPlist", "servermgrd.supports_binary_plist", FT_NONE, BASE_NONE, NULL, 0x0,
          "The header line SupportsBinaryPlist (no colon) is present", HFILL}},
        {&hf_body_header,
         {"Header line", "servermgrd.body_header", FT_STRING, BASE_NONE, NULL, 0x0,
          "A response header line that Wireshark's HTTP dissector showed as body, because an "
          "earlier line had no colon",
          HFILL}},
        {&hf_reply_key,
         {"Reply key", "servermgrd.reply_key", FT_STRING, BASE_NONE, NULL, 0x0,
          "A top-level key of the XML plist in the response body", HFILL}},
        {&hf_binary_plist,
         {"Binary plist", "servermgrd.binary_plist", FT_BYTES, BASE_NONE, NULL, 0x0,
          "A response body starting \"bplist00\" (structure not decoded)", HFILL}},
    };

    static gint *ett[] = {&ett_servermgrd, &ett_input, &ett_body_headers};

    static ei_register_info ei[] = {
        {&ei_basic_auth,
         {"servermgrd.expert.basic_auth", PI_SECURITY, PI_WARN,
          "Server Admin credentials sent with HTTP Basic authentication without TLS", EXPFILL}},
        {&ei_bad_input,
         {"servermgrd.expert.bad_input", PI_PROTOCOL, PI_WARN, "input= is not valid URL encoding",
          EXPFILL}},
        {&ei_no_plist,
         {"servermgrd.expert.no_plist", PI_PROTOCOL, PI_WARN,
          "input= does not hold an XML property list dictionary", EXPFILL}},
        {&ei_plist_stopped,
         {"servermgrd.expert.plist_stopped", PI_MALFORMED, PI_WARN,
          "XML plist not well formed or cut short", EXPFILL}},
        {&ei_key_limit,
         {"servermgrd.expert.key_limit", PI_UNDECODED, PI_NOTE,
          "Only the first top-level keys are shown", EXPFILL}},
        {&ei_colonless_header,
         {"servermgrd.expert.colonless_header", PI_PROTOCOL, PI_NOTE, "Header line without a colon",
          EXPFILL}},
        {&ei_not_http,
         {"servermgrd.expert.not_http", PI_PROTOCOL, PI_WARN,
          "Neither TLS nor HTTP: servermgrd speaks HTTP, or HTTP inside TLS", EXPFILL}},
    };

    proto_servermgrd =
        proto_register_protocol("Apple Server Admin (servermgrd)", "servermgrd", "servermgrd");
    servermgrd_protocol = find_protocol_by_id(proto_servermgrd);
    proto_servermgrd_post = proto_register_protocol_in_name_only(
        "Apple Server Admin (servermgrd) postdissector", "servermgrd postdissector",
        "servermgrd.postdissector", proto_get_id_by_filter_name("frame"), FT_PROTOCOL);
    proto_register_field_array(proto_servermgrd, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *expert = expert_register_protocol(proto_servermgrd);
    expert_register_field_array(expert, ei, array_length(ei));

    servermgrd_handle = register_dissector("servermgrd", dissect_servermgrd, proto_servermgrd);
    post_handle = AL_REGISTER_DISSECTOR_DESC("servermgrd.postdissector",
                                             "Apple Server Admin (servermgrd) postdissector",
                                             dissect_servermgrd_post, proto_servermgrd_post);
    register_init_routine(servermgrd_init);
}

/* The HTTP fields the postdissector reads exist once every protocol has
 * registered, so they are looked up at handoff. */
static void find_http_fields(void)
{
    http_proto_id = proto_get_id_by_filter_name("http");
    for (int i = 0; i < HTTP_F_COUNT; i++)
        http_field_ids[i] = proto_registrar_get_id_byname(http_field_names[i]);
}

/* The port servermgrd is known on (README.md); 687 and 660 are Apple's
 * server administration ports too, but what they carry is unverified. */
#define SERVERMGRD_TCP_PORTS "311"

void proto_reg_handoff_servermgrd(void)
{
    tls_handle = find_dissector_add_dependency("tls", proto_servermgrd);
    http_handle = find_dissector_add_dependency("http-over-tcp", proto_servermgrd);
    if (!http_handle)
        http_handle = find_dissector_add_dependency("http", proto_servermgrd);

    /* With the registry plugin, its port sniffer owns 311, 687 and 660 and
     * hands matching payload over through its list (TLS on 311 goes to TLS,
     * and the postdissector finds the HTTP inside); alone, this plugin
     * decodes its one verified port, 311, itself. */
    al_join_sniffer_or_take_ports(dissect_servermgrd_heur_sniffer, "servermgrd on the Apple ports",
                                  "servermgrd_sniffer", proto_servermgrd, servermgrd_handle,
                                  SERVERMGRD_TCP_PORTS, NULL);
    /* Off by default, as every Apple heuristic: on the ports in Apple's tables
     * the registry's sniffer hands the payload over; this finds the protocol
     * on any other port, at a cost on every payload no port dissector took
     * (README.md, "Heuristics"). The "Apple Legacy Ports" profile turns it on. */
    heur_dissector_add("tcp", dissect_servermgrd_heur, "servermgrd over TCP", "servermgrd_tcp",
                       proto_servermgrd, HEURISTIC_DISABLE);

    register_postdissector(post_handle);
    find_http_fields();
}
