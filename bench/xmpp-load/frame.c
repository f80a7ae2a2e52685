/*
 * frame.c — the framer and element helpers (see frame.h). Every scan is bounded by the length
 * it was given; nothing reads past buf[len - 1].
 */
#include <string.h>

#include "frame.h"

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* From a '<' at buf[i]: the index just past the tag's closing '>', or 0 when it has not
 * arrived. Quoted values are skipped whole. */
static size_t tag_end(const char *buf, size_t len, size_t i)
{
    char quote = 0;

    for (i++; i < len; i++) {
        if (quote) {
            if (buf[i] == quote)
                quote = 0;
        } else if (buf[i] == '\'' || buf[i] == '"') {
            quote = buf[i];
        } else if (buf[i] == '>') {
            return i + 1;
        }
    }
    return 0;
}

static int starts(const char *buf, size_t len, size_t i, const char *lit)
{
    size_t n = strlen(lit);

    return len - i >= n && memcmp(buf + i, lit, n) == 0;
}

/* Whether the literal is a prefix of what is there so far (more bytes may complete it). */
static int may_start(const char *buf, size_t len, size_t i, const char *lit)
{
    size_t n = strlen(lit), have = len - i < n ? len - i : n;

    return memcmp(buf + i, lit, have) == 0;
}

xl_frame_kind xl_frame_next(const char *buf, size_t len, size_t *start, size_t *used)
{
    size_t i = 0, end, depth = 0;

    while (i < len && is_space(buf[i]))
        i++;
    if (i == len)
        return XL_FRAME_MORE;
    if (buf[i] != '<')
        return XL_FRAME_BAD;
    if (len - i < 2)
        return XL_FRAME_MORE;
    /* the stream's own tags are told from other elements only once 15-16 bytes are there */
    if (len - i < 16 && (may_start(buf, len, i, "</stream:stream>") || may_start(buf, len, i, "<stream:stream ")))
        return XL_FRAME_MORE;
    if (buf[i + 1] == '?') {
        for (end = i + 2; end + 1 < len; end++)
            if (buf[end] == '?' && buf[end + 1] == '>') {
                *start = i;
                *used = end + 2;
                return XL_FRAME_DECL;
            }
        return XL_FRAME_MORE;
    }
    if (starts(buf, len, i, "</stream:stream>")) {
        *start = i;
        *used = i + 16;
        return XL_FRAME_CLOSE;
    }
    if (starts(buf, len, i, "<stream:stream") && (is_space(buf[i + 14]) || buf[i + 14] == '>')) {
        end = tag_end(buf, len, i);
        if (end == 0)
            return XL_FRAME_MORE;
        *start = i;
        *used = end;
        return XL_FRAME_HEADER;
    }
    /* an element: depth counts open tags until the one that opened it is closed */
    for (end = i; end < len;) {
        size_t te;

        if (buf[end] != '<') {
            end++;
            continue;
        }
        if (end + 1 >= len)
            return XL_FRAME_MORE;
        if (buf[end + 1] == '!' || buf[end + 1] == '?')
            return XL_FRAME_BAD;
        te = tag_end(buf, len, end);
        if (te == 0)
            return XL_FRAME_MORE;
        if (buf[end + 1] == '/') {
            if (depth == 0)
                return XL_FRAME_BAD;
            depth--;
        } else if (buf[te - 2] != '/') {
            depth++;
        }
        end = te;
        if (depth == 0) {
            *start = i;
            *used = end;
            return XL_FRAME_ELEMENT;
        }
    }
    return XL_FRAME_MORE;
}

/* The start tag's name: from after '<' to whitespace, '/' or '>'. */
static size_t name_len(const char *e, size_t len)
{
    size_t i = 1;

    while (i < len && !is_space(e[i]) && e[i] != '/' && e[i] != '>')
        i++;
    return i - 1;
}

int xl_elem_is(const char *e, size_t len, const char *name)
{
    size_t n = strlen(name);

    return len > 1 && e[0] == '<' && name_len(e, len) == n && memcmp(e + 1, name, n) == 0;
}

const char *xl_elem_attr(const char *e, size_t len, const char *name, size_t *vlen)
{
    size_t n = strlen(name), i = 1 + name_len(e, len), te = tag_end(e, len, 0);

    if (te == 0)
        return NULL;
    while (i < te) {
        size_t a, q;

        while (i < te && (is_space(e[i]) || e[i] == '/' || e[i] == '>'))
            i++;
        a = i;
        while (i < te && e[i] != '=' && !is_space(e[i]))
            i++;
        while (i < te && (is_space(e[i]) || e[i] == '='))
            i++;
        if (i >= te || (e[i] != '\'' && e[i] != '"'))
            return NULL;
        for (q = i + 1; q < te && e[q] != e[i]; q++)
            ;
        if (q >= te)
            return NULL;
        if (i - a >= n && memcmp(e + a, name, n) == 0 && (e[a + n] == '=' || is_space(e[a + n]))) {
            *vlen = q - i - 1;
            return e + i + 1;
        }
        i = q + 1;
    }
    return NULL;
}

const char *xl_elem_text(const char *e, size_t len, size_t *tlen)
{
    size_t te = tag_end(e, len, 0), close = len;

    *tlen = 0;
    if (te == 0 || e[te - 2] == '/')
        return e + len;
    while (close > te && e[close - 1] != '<')
        close--;
    if (close <= te)
        return e + len;
    *tlen = close - 1 - te;
    return e + te;
}

const char *xl_elem_child(const char *e, size_t len, size_t *clen)
{
    size_t te = tag_end(e, len, 0), i, start, used;

    if (te == 0 || e[te - 2] == '/')
        return NULL;
    for (i = te; i < len && e[i] != '<'; i++)
        ;
    if (i + 1 >= len || e[i + 1] == '/')
        return NULL;
    if (xl_frame_next(e + i, len - i, &start, &used) != XL_FRAME_ELEMENT)
        return NULL;
    *clen = used - start;
    return e + i + start;
}

const char *xl_find(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;

    if (n == 0 || n > len)
        return NULL;
    for (i = 0; i + n <= len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}
