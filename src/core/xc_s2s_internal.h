/*
 * xc_s2s_internal.h — what the three s2s roles share (xc_s2s_common.c):
 *   - reading a jabber:server stream header and a first-level element into plain facts
 *     (each role then maps the facts to one event of its own table);
 *   - writing headers, stream errors, dialback elements and the closing tag;
 *   - the federation policy, host lookup, prepared domains.
 * The roles themselves: xc_s2s_in.c (spec/s2s_in.fsm), xc_s2s_out.c (spec/s2s_out.fsm),
 * xc_s2s_verify.c (spec/s2s_verify.fsm).
 */
#ifndef XC_S2S_INTERNAL_H
#define XC_S2S_INTERNAL_H

#include "xc_s2s.h"
#include "xc_xml_tree.h"

#define XC_NS_DIALBACK "jabber:server:dialback"
#define XC_NS_DIALBACK_FEATURE "urn:xmpp:features:dialback"
#define XC_NS_TLS "urn:ietf:params:xml:ns:xmpp-tls"
#define XC_NS_SASL "urn:ietf:params:xml:ns:xmpp-sasl"
#define XC_NS_BIDI "urn:xmpp:bidi"

/* What a stream header says (RFC 3920 §4.4, §8.3; XEP-0220 §2). */
typedef enum xc_s2s_db_decl {
    XC_S2S_DB_NONE = 0,              /* no xmlns:db on the header */
    XC_S2S_DB_OK = 1,                /* xmlns:db='jabber:server:dialback' */
    XC_S2S_DB_WRONG = 2              /* xmlns:db bound to another URI */
} xc_s2s_db_decl;

typedef struct xc_s2s_hdr {
    xc_str from, to, id;             /* raw values (len 0 when absent) */
    uint8_t has_from, has_to, has_id;
    uint8_t version;                 /* 1: version major >= 1 (RFC 3920 §4.4.1) */
    xc_s2s_db_decl db;
} xc_s2s_hdr;

/* The kinds of first-level element the three tables tell apart. */
typedef enum xc_s2s_el_kind {
    XC_S2S_EL_UNKNOWN = 0,
    XC_S2S_EL_DB_RESULT,
    XC_S2S_EL_DB_VERIFY,
    XC_S2S_EL_STANZA,                /* message, presence, iq in jabber:server */
    XC_S2S_EL_STARTTLS,
    XC_S2S_EL_PROCEED,
    XC_S2S_EL_TLS_FAILURE,
    XC_S2S_EL_AUTH,
    XC_S2S_EL_RESPONSE,
    XC_S2S_EL_ABORT,
    XC_S2S_EL_SASL_SUCCESS,
    XC_S2S_EL_SASL_FAILURE,
    XC_S2S_EL_SASL_CHALLENGE,
    XC_S2S_EL_FEATURES,
    XC_S2S_EL_STREAM_ERROR,
    XC_S2S_EL_BIDI
} xc_s2s_el_kind;

/* The type of a db:result / db:verify (XEP-0220 §2). */
typedef enum xc_s2s_db_type {
    XC_S2S_DBT_NONE = 0,             /* untyped: a request */
    XC_S2S_DBT_VALID,
    XC_S2S_DBT_INVALID,
    XC_S2S_DBT_OTHER                 /* 'error' or anything else */
} xc_s2s_db_type;

typedef struct xc_s2s_el {
    xc_s2s_el_kind kind;
    const xc_xml_node *node;
    xc_str from, to, id;             /* raw attribute values (len 0 when absent) */
    uint8_t has_from, has_to, has_id;
    xc_s2s_db_type db_type;
    xc_str text;                     /* the only text child (a key, SASL data); len 0 when none */
    uint8_t text_ok;                 /* no element child and at most one text child */
    xc_str mechanism;                /* <auth mechanism=.../> */
    uint8_t offer_tls, offer_ext, offer_db; /* <stream:features/>: what it offers */
} xc_s2s_el;

/* The event offset (0 .. 6) of a parser error within each table's ERR_* events, which all
 * three tables declare in the same order. */
/*@ assigns \nothing;
    ensures \result <= 6;
*/
uint32_t s2s_parse_error_offset(xc_stream_error e);

/* 1 with *idx set when d is one of list[0 .. n-1], else 0. */
/*@ requires \valid(idx) && xc_str_valid(d) && n <= XC_S2S_HOSTS_MAX;
    requires \valid_read(list + (0 .. XC_S2S_HOSTS_MAX - 1));
    requires \forall integer i; 0 <= i < XC_S2S_HOSTS_MAX ==> xc_str_valid(list[i]);
    requires \separated(idx, list + (0 .. XC_S2S_HOSTS_MAX - 1));
    assigns *idx;
    ensures (\result == 0 || \result == 1) && (\result == 1 ==> *idx < n);
*/
int s2s_host_index(const xc_str *list, uint32_t n, xc_str d, uint32_t *idx);

/* 1 when raw parses as a domain-only JID (nameprep'd into *j), else 0. */
/*@ requires xc_str_valid(raw) && \valid(j) && \separated(j, raw.ptr + (0 .. raw.len - 1));
    assigns *j;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> xc_jid_ok(j) && j->node_len == 0 && j->resource_len == 0;
*/
int s2s_domain(xc_str raw, xc_jid *j);

/* Copies src into d when it fits; 0 (d emptied) otherwise. */
/*@ requires \valid(d) && xc_str_valid(src);
    assigns *d;
    ensures \result == 0 || \result == 1;
    ensures d->len <= XC_JID_PART_MAX;
*/
int s2s_domain_set(xc_s2s_domain *d, xc_str src);

/*@ requires \valid_read(d) && d->len <= XC_JID_PART_MAX;
    assigns \nothing;
    ensures xc_str_valid(\result);
*/
xc_str s2s_domain_str(const xc_s2s_domain *d);

/* Copies src into dst[0 .. cap-1] when it fits (*len set); 0 otherwise (*len = 0). */
/*@ requires xc_str_valid(src) && \valid(len) && \valid(dst + (0 .. cap - 1)) && \separated(len, dst + (0 .. cap - 1));
    assigns dst[0 .. cap - 1], *len;
    ensures (\result == 0 || \result == 1) && *len <= cap;
*/
int s2s_copy(char *dst, uint32_t cap, xc_str src, uint32_t *len);

/* The facts of the stream header the parser just returned (all absent when there is none).
 * Returned by value: the caller keeps them in a local, apart from every pool. */
/*@ requires xc_xml_parser_ok((xc_xml_parser *)p);
    assigns \nothing;
    ensures xc_str_valid(\result.from) && xc_str_valid(\result.to) && xc_str_valid(\result.id);
*/
xc_s2s_hdr s2s_read_header(const xc_xml_parser *p);

/* The facts of the first-level element the parser just returned (kind UNKNOWN, node NULL
 * when there is none). Returned by value, as s2s_read_header. */
/*@ requires xc_xml_parser_ok((xc_xml_parser *)p);
    assigns \nothing;
    ensures xc_str_valid(\result.from) && xc_str_valid(\result.to) && xc_str_valid(\result.id);
    ensures xc_str_valid(\result.text) && xc_str_valid(\result.mechanism);
    ensures \result.node == \null || (p->done < p->tree.nodes_used && \result.node == p->tree.nodes + p->done);
*/
xc_s2s_el s2s_read_element(const xc_xml_parser *p);

/* 32 lowercase hex digits of XC_S2S_RANDOM_BYTES random bytes: a stream id (RFC 3920 §4.4). */
/*@ requires \valid(out + (0 .. 2 * XC_S2S_RANDOM_BYTES - 1)) && \valid_read(rnd + (0 .. XC_S2S_RANDOM_BYTES - 1));
    assigns out[0 .. 2 * XC_S2S_RANDOM_BYTES - 1];
*/
void s2s_hex_id(char *out, const uint8_t *rnd);

/* <?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:db=... xmlns:stream=...
 * from=.. to=.. [id=..] [version='1.0']> (DESIGN.md "s2s headers"). A to of length 0 is left
 * out; id NULL: none. */
/*@ requires xc_out_ok(w) && xc_str_valid(from) && xc_str_valid(to);
    requires id == \null || \valid_read(id + (0 .. 2 * XC_S2S_RANDOM_BYTES - 1));
    requires \separated(w, from.ptr + (0 .. from.len - 1), to.ptr + (0 .. to.len - 1));
    requires id == \null || \separated(w, id + (0 .. 2 * XC_S2S_RANDOM_BYTES - 1));
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w);
*/
void s2s_put_header(xc_out *w, xc_str from, xc_str to, const char *id, int with_version);

/* <stream:error><COND/></stream:error></stream:stream> (RFC 3920 §4.7). */
/*@ requires xc_out_ok(w);
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w);
*/
void s2s_put_stream_error(xc_out *w, xc_stream_error e);

/*@ requires xc_out_ok(w);
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w);
*/
void s2s_put_close(xc_out *w);

/* What a dialback element carries (XEP-0220 §2): verify or result, from, to, [id], [type],
 * then a key (untyped), or <error type=..><COND/></error> (type error), or nothing. */
typedef struct xc_s2s_db_out {
    uint8_t verify;                  /* 1: db:verify, 0: db:result */
    xc_str from, to, id;             /* id len 0: none */
    xc_s2s_db_type type;
    xc_str key;                      /* untyped only */
    xc_stanza_error_type err_type;   /* DBT_OTHER only */
    xc_stanza_error err_cond;
} xc_s2s_db_out;

/*@ requires xc_out_ok(w) && \valid_read(d);
    requires xc_str_valid(d->from) && xc_str_valid(d->to) && xc_str_valid(d->id) && xc_str_valid(d->key);
    requires \separated(w, d, d->from.ptr + (0 .. d->from.len - 1), d->to.ptr + (0 .. d->to.len - 1),
                        d->id.ptr + (0 .. d->id.len - 1), d->key.ptr + (0 .. d->key.len - 1));
    assigns w->full, w->len, w->out[0 .. w->cap - 1];
    ensures xc_out_ok(w);
*/
void s2s_put_db(xc_out *w, const xc_s2s_db_out *d);

/* Prepares a link over caller memory. */
/*@ requires \valid(l) && xc_s2s_config_ok((xc_s2s_config *)cfg) && xc_s2s_memory_ok((xc_s2s_memory *)mem);
    requires \separated(l, mem, cfg, mem->out + (0 .. mem->out_cap - 1), mem->xml.nodes + (0 .. mem->xml.nodes_n - 1),
                        mem->xml.attrs + (0 .. mem->xml.attrs_n - 1), mem->xml.bytes + (0 .. mem->xml.bytes_n - 1));
    assigns *l;
    ensures xc_s2s_link_ok(l) && l->secure == 0 && l->header_sent == 0;
*/
void s2s_link_init(xc_s2s_link *l, const xc_s2s_config *cfg, const xc_s2s_memory *mem);

/* A new document: the parser forgets everything (RFC 3920 §5.2 step 7, §6.2). */
/*@ requires xc_s2s_link_ok(l);
    assigns l->header_sent, XC_XML_PARSER_MEMORY(&l->xml);
    ensures xc_s2s_link_ok(l) && l->header_sent == 0;
*/
void s2s_link_restart(xc_s2s_link *l);

#endif
