/*
 * json_writer.c -- JSON values written straight into a cx_buf, byte for
 * byte as jansson 2.14 dumps them with JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(15) (tests/unit/test_json_writer.c checks it against
 * jansson). It includes no third-party header and builds no tree.
 */
#include <stdio.h>
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

void cx__json_quote(cx_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, from = 0; /* s[from..i) is still to copy as is */
    cx__buf_add(b, "\"", 1);
    while (i < n) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t k = c < 0x80 ? 1 : cx__utf8_next(u + i, n - i, &cp);
        if (c >= 0x80 && cp != CX_BAD_CP) { /* valid UTF-8: as is */
            i += k;
            continue;
        }
        cx__buf_add(b, s + from, i - from);
        if (c < 0x80) {
            char e[6];
            cx__buf_add(b, e, escape_of(c, e));
        } else {
            cx__buf_add(b, REPLACEMENT, 3);
        }
        i += k;
        from = i;
    }
    cx__buf_add(b, s + from, n - from);
    cx__buf_add(b, "\"", 1);
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
    separate(w);
    cx__json_quote(w->out, key, strlen(key));
    cx__buf_add(w->out, ":", 1);
    w->first = 1; /* the value follows the colon */
}

void cx__jw_stringn(cx_jw *w, const char *s, size_t n)
{
    separate(w);
    cx__json_quote(w->out, s, n);
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
