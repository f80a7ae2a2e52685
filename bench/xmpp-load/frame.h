/*
 * frame.h — cutting a server's XMPP stream into units, and looking inside one.
 *
 * A load generator needs far less than an XML parser: the stream header, each complete
 * top-level child (a stanza, features, a SASL or TLS element), and the closing tag. The framer
 * finds the end of the next unit by counting start and end tags, honouring quoted attribute
 * values (which may hold '>' and '/'). It accepts what servers send (no DTD, comments, PIs or
 * CDATA on an XMPP stream, RFC 3920 §11) and calls anything else malformed. The stream element
 * must be spelled `stream:stream`, as xmppd and Prosody both spell it.
 *
 * Nothing is copied: units and values are ranges of the caller's buffer.
 */
#ifndef XL_FRAME_H
#define XL_FRAME_H

#include <stddef.h>

typedef enum {
    XL_FRAME_MORE,      /* no complete unit yet */
    XL_FRAME_DECL,      /* <?xml ...?> */
    XL_FRAME_HEADER,    /* <stream:stream ...> */
    XL_FRAME_ELEMENT,   /* one complete child of the stream */
    XL_FRAME_CLOSE,     /* </stream:stream> */
    XL_FRAME_BAD        /* not something an XMPP server sends */
} xl_frame_kind;

/* The next unit at the start of buf[0..len). *used: bytes it spans, leading whitespace
 * included (consume them); *start: where the unit itself begins. MORE and BAD set neither. */
xl_frame_kind xl_frame_next(const char *buf, size_t len, size_t *start, size_t *used);

/* Does element e[0..len) (starting with '<') have the qualified name `name`? */
int xl_elem_is(const char *e, size_t len, const char *name);

/* The value of attribute `name` in the start tag of e[0..len), without its quotes, or NULL. */
const char *xl_elem_attr(const char *e, size_t len, const char *name, size_t *vlen);

/* The character data between the start tag and the end tag of e (empty for <x/>). */
const char *xl_elem_text(const char *e, size_t len, size_t *tlen);

/* The first child element of e (its '<' and its whole length), or NULL. */
const char *xl_elem_child(const char *e, size_t len, size_t *clen);

/* The first occurrence of needle in hay[0..len), or NULL. */
const char *xl_find(const char *hay, size_t len, const char *needle);

#endif
