/*
 * json_writer.h -- a streaming JSON writer into a cx_buf: the bytes
 * jansson's json_dump_callback writes with decision.c's flags (compact, keys
 * in the order written, reals to 15 digits), without building a tree. It
 * includes no third-party header and knows nothing of decisions.
 */
#ifndef CX_JSON_WRITER_H
#define CX_JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "credex.h"
#include "util.h"

/* A writer: values go to out one after the other, a comma between two
 * values of the same object or array. Nothing is checked: the caller
 * opens and closes what it writes in order, and a key precedes each value
 * of an object. Out of memory is out->oom (later writes do nothing). */
typedef struct cx_jw {
    cx_buf *out; /* where the bytes go; owned by the caller */
    int first;   /* no comma before the next value: first in its container, or after a key */
} cx_jw;

/* A writer appending to out (which keeps what it holds). */
void cx__jw_start(cx_jw *w, cx_buf *out);

void cx__jw_object(cx_jw *w);     /* "{" */
void cx__jw_object_end(cx_jw *w); /* "}" */
void cx__jw_array(cx_jw *w);      /* "[" */
void cx__jw_array_end(cx_jw *w);  /* "]" */

/* The key of the next member: "key": (escaped as a string is). */
void cx__jw_key(cx_jw *w, const char *key);

/* A string value: s[0..n) (cx__jw_string: up to its NUL) as
 * cx__json_quote writes it. */
void cx__jw_stringn(cx_jw *w, const char *s, size_t n);
void cx__jw_string(cx_jw *w, const char *s);

/* An integer value, as printf's "%lld". */
void cx__jw_int(cx_jw *w, long long i);

/* A catalog number held in hundredths (not CX_NO_NUMBER): an integer when
 * whole ("120"), else the real jansson writes for hundredths / 100.0 at 15
 * digits ("12.5", "-0.05"). */
void cx__jw_hundredths(cx_jw *w, int64_t hundredths);

/* Appends s[0..n) to b as a JSON string, quoted, as jansson dumps it:
 * '"' and '\\' escaped, \b \f \n \r \t, every other character below U+0020
 * as \u00XX (upper-case hex); everything else as is, DEL, U+2028 and all
 * non-ASCII included. Each invalid UTF-8 sequence becomes U+FFFD, as
 * cx__json_text makes it (render.h) before jansson sees the string. */
void cx__json_quote(cx_buf *b, const char *s, size_t n);

/* The oracle the writer is checked against (decision.c): the decision's
 * JSON line built as a jansson tree and dumped, as credex wrote decisions
 * before the writer. Only tests/unit/test_json_writer.c calls it. A
 * malloc'd string the caller frees; NULL when out of memory. */
char *cx__decision_json_jansson(const cx_decision *d);

#endif
