/*
 * json_writer.c -- JSON values written straight into a cx_buf, byte for
 * byte as jansson 2.14 dumps them with JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(15) (tests/unit/test_json_writer.c checks it against
 * jansson). It includes no third-party header and builds no tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "render.h" /* cx__utf8_next */

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

/* ---------------------------------------------------------------- strings */

/* The escape of ASCII character c that jansson writes (c below U+0020, a
 * quote or a backslash) into e; its length. */
static size_t escape_of(unsigned char c, char e[6])
{
    static const char hex[] = "0123456789ABCDEF";
    char one = c == '"'    ? '"'
               : c == '\\' ? '\\'
               : c == '\b' ? 'b'
               : c == '\f' ? 'f'
               : c == '\n' ? 'n'
               : c == '\r' ? 'r'
               : c == '\t' ? 't'
                           : 0;
    e[0] = '\\';
    if (one) {
        e[1] = one;
        return 2;
    }
    memcpy(e + 1, "u00", 3);
    e[4] = hex[c >> 4];
    e[5] = hex[c & 0xF];
    return 6;
}

/* What each byte is in a string: 0 copied as is, 1 escaped (below U+0020,
 * '"', '\\'), 2 non-ASCII (its character checked, then copied). */
static const unsigned char byte_kind[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50: '\\' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x70: DEL as is */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0x80 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0x90 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xA0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xB0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xC0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xD0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xE0 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0xF0 */
};

/* Room for n more bytes and the NUL in b, grown as cx__buf_add grows it;
 * 0, or -1 with b->oom set (as a failed append sets it). */
static int reserve(cx_buf *b, size_t n)
{
    if (b->oom) return -1;
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

/* Input bytes quoted per reservation, at most: a byte becomes at most 6
 * (\u001F), and a character that starts in a segment may take 3 bytes past
 * it; room for a quote and a byte on either side too. */
#define SEGMENT     1024
#define ROOM(bytes) (6 * (bytes) + 8)

/* Writes s[*at..) escaped at o, at most SEGMENT bytes of it (and the end of
 * a character begun there); advances *at; returns the end of what it wrote. */
static char *quote_segment(char *o, const unsigned char *u, size_t n, size_t *at)
{
    size_t i = *at, stop = n - i > SEGMENT ? i + SEGMENT : n;
    while (i < stop) {
        unsigned char c = u[i];
        if (byte_kind[c] == 0) { /* a run of bytes copied as they are */
            size_t from = i++;
            while (i < stop && byte_kind[u[i]] == 0) i++;
            memcpy(o, u + from, i - from);
            o += i - from;
        } else if (byte_kind[c] == 1) {
            o += escape_of(c, o);
            i++;
        } else {
            uint32_t cp;
            size_t k = cx__utf8_next(u + i, n - i, &cp);
            memcpy(o, cp == CX_BAD_CP ? REPLACEMENT : (const char *)u + i, cp == CX_BAD_CP ? 3 : k);
            o += cp == CX_BAD_CP ? 3 : k;
            i += k;
        }
    }
    *at = i;
    return o;
}

/* Appends before (0 or a byte), s[0..n) quoted, then after (0 or a byte). */
static void quote_between(cx_buf *b, char before, const char *s, size_t n, char after)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t at = 0;
    do {
        if (reserve(b, ROOM(n - at < SEGMENT ? n - at : SEGMENT))) return;
        char *o = b->data + b->len;
        if (at == 0) {
            if (before) *o++ = before;
            *o++ = '"';
        }
        o = quote_segment(o, u, n, &at);
        if (at == n) {
            *o++ = '"';
            if (after) *o++ = after;
        }
        b->len = (size_t)(o - b->data);
        b->data[b->len] = '\0';
    } while (at < n);
}

void cx__json_quote(cx_buf *b, const char *s, size_t n)
{
    quote_between(b, 0, s, n, 0);
}

/* ---------------------------------------------------------------- numbers */

/* Appends i in decimal, as "%lld". */
static void put_int(cx_buf *b, long long i)
{
    char digits[24], *p = digits + sizeof digits;
    unsigned long long v = i < 0 ? 0ull - (unsigned long long)i : (unsigned long long)i;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (i < 0) *--p = '-';
    cx__buf_add(b, p, (size_t)(digits + sizeof digits - p));
}

/* Appends value as jansson 2.14's jsonp_dtostr writes it at precision
 * 15: "%.15g" with the locale's decimal point made '.', ".0" added when
 * there is neither a point nor an exponent, and the exponent's '+' and
 * leading zeros dropped. */
static void put_real(cx_buf *b, double value)
{
    char s[64];
    int n = snprintf(s, sizeof s, "%.15g", value);
    if (n < 0 || (size_t)n >= sizeof s - 3) {
        b->oom = 1; /* jansson fails the dump too; a finite double never gets here */
        return;
    }
    size_t len = (size_t)n;
    for (size_t i = 0; i < len; i++) /* the only other character is the decimal point */
        if ((s[i] < '0' || s[i] > '9') && s[i] != '-' && s[i] != '+' && s[i] != 'e') s[i] = '.';
    if (!strchr(s, '.') && !strchr(s, 'e')) {
        memcpy(s + len, ".0", 3);
        len += 2;
    }
    char *e = strchr(s, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-') start++;
        while (*end == '0') end++;
        memmove(start, end, len - (size_t)(end - s) + 1);
        len -= (size_t)(end - start);
    }
    cx__buf_add(b, s, len);
}

/* Hundredths below this in magnitude have at most 15 significant digits:
 * "%.15g" of hundredths / 100.0 gives back their decimal exactly. */
#define EXACT_HUNDREDTHS 1000000000000000LL

static void put_hundredths(cx_buf *b, int64_t h)
{
    if (h % 100 == 0) {
        put_int(b, (long long)(h / 100));
        return;
    }
    if (h <= -EXACT_HUNDREDTHS || h >= EXACT_HUNDREDTHS) {
        put_real(b, (double)h / 100.0);
        return;
    }
    int64_t v = h < 0 ? -h : h;
    char frac[3] = {(char)('0' + v % 100 / 10), (char)('0' + v % 10), 0};
    if (h < 0) cx__buf_add(b, "-", 1);
    put_int(b, (long long)(v / 100));
    cx__buf_add(b, ".", 1);
    cx__buf_add(b, frac, frac[1] == '0' ? 1 : 2); /* 12.5, never 12.50 */
}

/* ----------------------------------------------------------------- values */

void cx__jw_start(cx_jw *w, cx_buf *out)
{
    w->out = out;
    w->first = 1;
}

/* The comma before a value that is not the first of its container. */
static void separate(cx_jw *w)
{
    if (!w->first) cx__buf_add(w->out, ",", 1);
    w->first = 0;
}

/* The comma separate() would write, as a byte for quote_between (0: none). */
static char comma(cx_jw *w)
{
    char c = w->first ? 0 : ',';
    w->first = 0;
    return c;
}

void cx__jw_object(cx_jw *w)
{
    separate(w);
    cx__buf_add(w->out, "{", 1);
    w->first = 1;
}

void cx__jw_object_end(cx_jw *w)
{
    cx__buf_add(w->out, "}", 1);
    w->first = 0;
}

void cx__jw_array(cx_jw *w)
{
    separate(w);
    cx__buf_add(w->out, "[", 1);
    w->first = 1;
}

void cx__jw_array_end(cx_jw *w)
{
    cx__buf_add(w->out, "]", 1);
    w->first = 0;
}

void cx__jw_key(cx_jw *w, const char *key)
{
    quote_between(w->out, comma(w), key, strlen(key), ':');
    w->first = 1; /* the value follows the colon */
}

void cx__jw_stringn(cx_jw *w, const char *s, size_t n)
{
    quote_between(w->out, comma(w), s, n, 0);
}

void cx__jw_string(cx_jw *w, const char *s)
{
    cx__jw_stringn(w, s, strlen(s));
}

void cx__jw_int(cx_jw *w, long long i)
{
    separate(w);
    put_int(w->out, i);
}

void cx__jw_hundredths(cx_jw *w, int64_t hundredths)
{
    separate(w);
    put_hundredths(w->out, hundredths);
}
