/*
 * xc_dialback.h — server dialback keys (RFC 3920 §8.3; XEP-0185 §2; XEP-0220 §2.1–2.2).
 *
 *   key = HEX( HMAC-SHA256( K, Receiving + ' ' + Originating + ' ' + StreamID ) )
 *   K   = HEX( SHA-256( secret ) )        the 64-character lowercase hex *text* is the HMAC key
 *
 * The initiating server computes the key it sends in <db:result/> for (receiving = the peer's
 * domain, originating = ours, id = the id of the peer's response header); as authoritative server
 * it recomputes it from a <db:verify from=R to=O id=ID/> as (R, O, ID) and compares in constant
 * time. Domains may not contain U+0020: the separators then make the message unambiguous, so a
 * key made for one domain pair or stream never verifies for another (the CVE-2016-0756 class).
 */
#ifndef XC_DIALBACK_H
#define XC_DIALBACK_H

#include "xc_base.h"
#include "xc_hmac.h"

#define XC_DB_KEY_LEN 64u        /* a key: hex of 32 bytes */
#define XC_DB_NAME_MAX 1023u     /* a domain (RFC 3920 §3.1) */
#define XC_DB_ID_MAX 1023u       /* a stream id: ours are 32 hex digits; peers' are bounded here */
#define XC_DB_MSG_MAX (2u * XC_DB_NAME_MAX + XC_DB_ID_MAX + 2u)

/* K: the lowercase hex text of SHA-256 of the server's dialback secret. */
typedef struct xc_db_secret {
    char k[XC_DB_KEY_LEN];
} xc_db_secret;

typedef enum xc_db_status {
    XC_DB_OK = 0,
    XC_DB_BAD_NAME = 1,          /* a domain is empty, longer than XC_DB_NAME_MAX, or holds a space */
    XC_DB_BAD_ID = 2             /* the stream id is empty or longer than XC_DB_ID_MAX */
} xc_db_status;

/*@ predicate xc_db_hex_text(char *p, integer n) =
      \forall integer i; 0 <= i < n ==> (('0' <= p[i] <= '9') || ('a' <= p[i] <= 'f'));
*/

/* K from the secret (once, when the server starts or reloads). */
/*@ requires 1 <= len <= XC_HMAC_IN_MAX && \valid_read(secret + (0 .. len - 1));
    requires \valid(k) && \separated(k, secret + (0 .. len - 1));
    assigns k->k[0 .. XC_DB_KEY_LEN - 1];
    ensures xc_db_hex_text(&k->k[0], XC_DB_KEY_LEN);
*/
void xc_db_secret_init(xc_db_secret *k, const char *secret, size_t len);

/* The key for (receiving, originating, id), as 64 lowercase hex characters in out. */
/*@ requires \valid_read(k) && xc_str_valid(receiving) && xc_str_valid(originating) && xc_str_valid(id);
    requires \valid(out + (0 .. XC_DB_KEY_LEN - 1)) && \separated(out + (0 .. XC_DB_KEY_LEN - 1), k);
    assigns out[0 .. XC_DB_KEY_LEN - 1];
    ensures \result == XC_DB_OK || \result == XC_DB_BAD_NAME || \result == XC_DB_BAD_ID;
    ensures \result == XC_DB_OK ==> xc_db_hex_text(out, XC_DB_KEY_LEN);
    ensures \result != XC_DB_OK ==> (receiving.len == 0 || receiving.len > XC_DB_NAME_MAX ||
                                     originating.len == 0 || originating.len > XC_DB_NAME_MAX ||
                                     id.len == 0 || id.len > XC_DB_ID_MAX ||
                                     (\exists integer i; 0 <= i < receiving.len && receiving.ptr[i] == ' ') ||
                                     (\exists integer i; 0 <= i < originating.len && originating.ptr[i] == ' '));
*/
xc_db_status xc_db_key(const xc_db_secret *k, xc_str receiving, xc_str originating, xc_str id, char *out);

/* 1 when `presented` is the key for (receiving, originating, id); 0 otherwise, and always for
 * names or an id xc_db_key refuses. The comparison takes the same time wherever the keys differ. */
/*@ requires \valid_read(k) && xc_str_valid(receiving) && xc_str_valid(originating) && xc_str_valid(id);
    requires xc_str_valid(presented);
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result == 1 ==> presented.len == XC_DB_KEY_LEN;
*/
int xc_db_key_matches(const xc_db_secret *k, xc_str receiving, xc_str originating, xc_str id, xc_str presented);

#endif
