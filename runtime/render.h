/*
 * render.h -- what the rendering files (decision.c, render_*.c) share
 * privately. No third-party header here: the JSON helper names jansson's
 * type without including jansson.h, which only the files that build JSON do.
 */
#ifndef CX_RENDER_H
#define CX_RENDER_H

#include <stddef.h>
#include <stdint.h>

#define CX_BAD_CP 0xFFFFFFFFu /* cx__utf8_next: an invalid sequence */

/* Decodes the character at s[0..n), n >= 1, into *cp and returns its
 * length. An invalid sequence (a stray continuation byte, an overlong form,
 * a surrogate, beyond U+10FFFF, cut short) sets *cp to CX_BAD_CP and
 * returns the length of its maximal subpart, so that each becomes one
 * U+FFFD (Unicode's "substitution of maximal subparts"). */
size_t cx__utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

struct cx_buf;
struct json_t;

/* Appends an audit decision's CSV row (cx_decision_csv): the fields as
 * given, each quoted as RFC 4180 needs (cx__buf_csv_field), NULL empty;
 * CRLF. With cx__csv_audit_head, the one writer of that row, for
 * decisions and for the rows the status plans make without one
 * (audit_all.c). (decision.c) */
void cx__csv_audit_row(struct cx_buf *b, const char *holder, const char *stack, const char *status,
                       const char *issued, const char *expires, const char *missing);

/* The row up to its last field, missing: the first five fields, each
 * followed by its comma. The caller appends missing as cx__buf_csv_field
 * writes it, then CRLF. */
void cx__csv_audit_head(struct cx_buf *b, const char *holder, const char *stack, const char *status,
                        const char *issued, const char *expires);

/* Appends s for a reader at a terminal: invalid UTF-8 as U+FFFD; control
 * characters, line separators and bidirectional controls escaped (\n, \x1b,
 * \u202e), so that no string from a rule pack can break a block of lines,
 * or reorder or recolour what is shown. (decision.c) */
void cx__text_put(struct cx_buf *b, const char *s);

/* A JSON string of s[0..n) with each invalid UTF-8 sequence replaced by
 * U+FFFD; a new reference, NULL only when out of memory. (decision.c) */
struct json_t *cx__json_text(const char *s, size_t n);

#endif
