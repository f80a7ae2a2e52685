/*
 * xc_jid.h — Jabber Identifiers, RFC 3920 §3 (stricter RFC 6122 rules where noted).
 *
 *   jid = [ node "@" ] domain [ "/" resource ]                      RFC 3920 §3.1
 *
 * xc_jid_split only cuts the input (no copying, no stringprep): it is the pure part the
 * prover and the stanza layer can use on raw attribute values. xc_jid_parse cuts, checks and
 * prepares each part (Nodeprep, Nameprep, Resourceprep through xc_stringprep.h) into one
 * fixed buffer inside xc_jid, so a parsed JID is canonical and two JIDs compare byte-wise
 * (RFC 3920 §3.2–§3.4: compare only after preparation).
 *
 * Every malformed case has its own status, so the stanza layer can answer <jid-malformed/>
 * and tests and logs can say exactly why.
 *
 * Invariants of a parsed xc_jid (predicate xc_jid_ok): 1 <= domain_len <= 1023,
 * node_len <= 1023, resource_len <= 1023; a length of 0 means the part is absent (an empty
 * node or resource is never valid). Bytes of buf outside the three parts are unspecified.
 */
#ifndef XC_JID_H
#define XC_JID_H

#include "xc_base.h"
#include "xc_stringprep.h"

/* RFC 3920 §3.1: each part at most 1023 bytes (after preparation). */
#define XC_JID_PART_MAX 1023u
/* node "@" domain "/" resource: 3071 bytes, RFC 3920 §3.1. */
#define XC_JID_FULL_MAX (3u * XC_JID_PART_MAX + 2u)
/* Raw input accepted at all: three raw parts of XC_PREP_IN_MAX bytes and two separators. */
#define XC_JID_IN_MAX (3u * XC_PREP_IN_MAX + 2u)

#define XC_JID_NODE_OFF 0u
#define XC_JID_DOMAIN_OFF XC_JID_PART_MAX
#define XC_JID_RESOURCE_OFF (2u * XC_JID_PART_MAX)

typedef enum {
    XC_JID_OK = 0,
    XC_JID_ERR_EMPTY,              /* zero-length input (the domain is required, §3.2) */
    XC_JID_ERR_TOO_LONG,           /* raw input longer than XC_JID_IN_MAX */
    XC_JID_ERR_UTF8,               /* not well-formed UTF-8, or U+0000 (RFC 3920 §11.5) */
    XC_JID_ERR_NODE_EMPTY,         /* "@" with nothing before it, or node prepared to nothing */
    XC_JID_ERR_NODE_TOO_LONG,      /* node over 1023 bytes after Nodeprep (§3.1) */
    XC_JID_ERR_NODE_PROHIBITED,    /* node holds " & ' / : < > @ or space (App. A.5) */
    XC_JID_ERR_NODE_PREP,          /* Nodeprep fails (§3.3) */
    XC_JID_ERR_DOMAIN_EMPTY,       /* no domain ("a@", "/r", "a@/r"), or "." alone */
    XC_JID_ERR_DOMAIN_TOO_LONG,    /* domain over 1023 bytes after Nameprep (§3.1) */
    XC_JID_ERR_DOMAIN_PREP,        /* Nameprep fails (§3.2) */
    XC_JID_ERR_DOMAIN_BAD_IPV4,    /* all digits and dots but not a dotted quad (§3.2) */
    XC_JID_ERR_DOMAIN_BAD_IPV6,    /* starts with '[' but is not "[" IPv6address "]" */
    XC_JID_ERR_DOMAIN_LABEL_EMPTY, /* empty label: "a..b", ".a" (RFC 3490 §3.1, STD 13) */
    XC_JID_ERR_DOMAIN_LABEL_TOO_LONG, /* ASCII label over 63 bytes (RFC 1035 §2.3.4) */
    XC_JID_ERR_DOMAIN_LABEL_CHAR,  /* ASCII byte other than letter, digit, '-' (STD3) */
    XC_JID_ERR_DOMAIN_LABEL_HYPHEN, /* label starts or ends with '-' (STD3, RFC 3490 §4.1) */
    XC_JID_ERR_RESOURCE_EMPTY,     /* "/" with nothing after it, or prepared to nothing */
    XC_JID_ERR_RESOURCE_TOO_LONG,  /* resource over 1023 bytes after Resourceprep (§3.1) */
    XC_JID_ERR_RESOURCE_PREP,      /* Resourceprep fails (§3.4) */
    XC_JID_ERR_NO_ROOM             /* formatting: the caller's buffer is too small */
} xc_jid_status;

#define XC_JID_STATUS_LAST XC_JID_ERR_NO_ROOM

/* A prepared JID. The parts live at fixed offsets of buf so that no length can move another
 * part: node at XC_JID_NODE_OFF, domain at XC_JID_DOMAIN_OFF, resource at XC_JID_RESOURCE_OFF. */
typedef struct xc_jid {
    char buf[3u * XC_JID_PART_MAX];
    uint32_t node_len;     /* 0: no node */
    uint32_t domain_len;   /* >= 1 once parsed */
    uint32_t resource_len; /* 0: no resource (a bare JID) */
} xc_jid;

/* The three raw parts of an input, as slices of it (xc_jid_split). */
typedef struct xc_jid_parts {
    xc_str node;     /* len 0: no '@' before the first '/' */
    xc_str domain;   /* never empty on success */
    xc_str resource; /* len 0: no '/' */
} xc_jid_parts;

/*@ predicate xc_jid_ok(xc_jid *j) =
      \valid_read(j) &&
      j->node_len <= XC_JID_PART_MAX &&
      1 <= j->domain_len <= XC_JID_PART_MAX &&
      j->resource_len <= XC_JID_PART_MAX;
*/

/* Cuts in[0 .. len-1] per RFC 3920 §3.1: the resource is everything after the first '/',
 * the node is what precedes the first '@' that precedes that '/', the domain is the rest.
 * No preparation and no character checks: those belong to xc_jid_parse. */
/*@ requires len == 0 || \valid_read(in + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, in + (0 .. len - 1));
    assigns *out;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_EMPTY || \result == XC_JID_ERR_TOO_LONG ||
            \result == XC_JID_ERR_NODE_EMPTY || \result == XC_JID_ERR_DOMAIN_EMPTY ||
            \result == XC_JID_ERR_RESOURCE_EMPTY;
    ensures \result == XC_JID_OK ==>
            1 <= out->domain.len && out->node.len + out->domain.len + out->resource.len <= len;
    ensures \result == XC_JID_OK ==> xc_str_valid(out->node) && xc_str_valid(out->domain) &&
            xc_str_valid(out->resource);
*/
xc_jid_status xc_jid_split(const char *in, size_t len, xc_jid_parts *out);

/* Parses and prepares in[0 .. len-1] into *out. On any error *out holds no part (all lengths
 * 0) and the status says which rule failed. */
/*@ requires len == 0 || \valid_read(in + (0 .. len - 1));
    requires \valid(out);
    requires \separated(out, in + (0 .. len - 1));
    assigns *out;
    ensures XC_JID_OK <= \result <= XC_JID_ERR_RESOURCE_PREP;
    ensures \result == XC_JID_OK ==> xc_jid_ok(out);
    ensures \result != XC_JID_OK ==>
            out->node_len == 0 && out->domain_len == 0 && out->resource_len == 0;
*/
xc_jid_status xc_jid_parse(const char *in, size_t len, xc_jid *out);

/* Writes node@domain (or domain) to out; *out_len is its length. No NUL is written. */
/*@ requires xc_jid_ok(j);
    requires \valid(out + (0 .. cap - 1));
    requires \valid(out_len);
    requires \separated(out + (0 .. cap - 1), out_len, j);
    requires \separated(out + (0 .. cap - 1), out_len);
    assigns out[0 .. cap - 1], *out_len;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_NO_ROOM;
    ensures \result == XC_JID_OK ==> *out_len <= cap && *out_len <= XC_JID_FULL_MAX;
    ensures \result != XC_JID_OK ==> *out_len == 0;
*/
xc_jid_status xc_jid_format_bare(const xc_jid *j, char *out, size_t cap, size_t *out_len);

/* Writes node@domain/resource (each part only when present). No NUL is written. */
/*@ requires xc_jid_ok(j);
    requires \valid(out + (0 .. cap - 1));
    requires \valid(out_len);
    requires \separated(out + (0 .. cap - 1), out_len, j);
    requires \separated(out + (0 .. cap - 1), out_len);
    assigns out[0 .. cap - 1], *out_len;
    ensures \result == XC_JID_OK || \result == XC_JID_ERR_NO_ROOM;
    ensures \result == XC_JID_OK ==> *out_len <= cap && *out_len <= XC_JID_FULL_MAX;
    ensures \result != XC_JID_OK ==> *out_len == 0;
*/
xc_jid_status xc_jid_format_full(const xc_jid *j, char *out, size_t cap, size_t *out_len);

/* 1 when a and b have the same node and domain (resources ignored), else 0. */
/*@ requires xc_jid_ok(a) && xc_jid_ok(b);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> a->node_len == b->node_len && a->domain_len == b->domain_len;
*/
int xc_jid_equal_bare(const xc_jid *a, const xc_jid *b);

/* 1 when a and b are the same full JID (node, domain and resource), else 0. */
/*@ requires xc_jid_ok(a) && xc_jid_ok(b);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> a->node_len == b->node_len && a->domain_len == b->domain_len &&
                            a->resource_len == b->resource_len;
*/
int xc_jid_equal_full(const xc_jid *a, const xc_jid *b);

/* The prepared parts as slices of j->buf (len 0 when absent). */
/*@ requires xc_jid_ok(j);
    assigns \nothing;
    ensures \result.len == j->node_len && \result.ptr == &j->buf[XC_JID_NODE_OFF];
*/
xc_str xc_jid_node(const xc_jid *j);

/*@ requires xc_jid_ok(j);
    assigns \nothing;
    ensures \result.len == j->domain_len && \result.ptr == &j->buf[XC_JID_DOMAIN_OFF];
*/
xc_str xc_jid_domain(const xc_jid *j);

/*@ requires xc_jid_ok(j);
    assigns \nothing;
    ensures \result.len == j->resource_len && \result.ptr == &j->buf[XC_JID_RESOURCE_OFF];
*/
xc_str xc_jid_resource(const xc_jid *j);

#endif
