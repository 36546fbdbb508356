/*
 * regex.h -- PCRE2 for credex (regex.c is the only file that includes
 * pcre2.h): compiled patterns, a compile cache safe for worker threads,
 * JIT with fallback to the interpreter, and counted limits (match steps,
 * heap, pattern and subject size). Every PCRE2 *LIMIT result is reported
 * as one "regex limit" error (CX_ELIMIT).
 */
#ifndef CX_REGEX_H
#define CX_REGEX_H

#include <stddef.h>

#include "credex.h"

typedef struct cx_regex cx_regex; /* immutable once compiled; shareable */

/* Compiles pattern (UTF-8 mode; see docs/security.md). On success *out is
 * owned by the caller (cx__regex_free). A bad pattern is CX_EINPUT with the
 * offset of the problem in the message. */
int cx__regex_compile(const char *pattern, size_t len, cx_regex **out, cx_error *err);
void cx__regex_free(cx_regex *re); /* accepts NULL */

/* Returns 1 on a match, 0 on none, or -1 with err set (CX_ELIMIT for a
 * counted limit, CX_EINPUT for invalid UTF-8 in the subject). */
int cx__regex_test(const cx_regex *re, const char *subject, size_t len, cx_error *err);

/* The pattern text the regex was compiled from. */
const char *cx__regex_pattern(const cx_regex *re);

#endif
