/*
 * regex.h -- PCRE2 for credex (regex.c is the only file that includes
 * pcre2.h): compiled patterns, a compile cache safe for worker threads,
 * JIT with fallback to the interpreter, and counted limits (match steps,
 * heap, pattern and subject size). Every PCRE2 *LIMIT result is reported
 * as one "regex limit" error (CX_ELIMIT).
 *
 * Decisions, for rule authors and for docs/security.md:
 *
 * - UTF-8 mode is on (PCRE2_UTF), PCRE2_MATCH_INVALID_UTF is off: a pattern
 *   and a subject must be valid UTF-8. An invalid pattern is a bad regex; an
 *   invalid subject is CX_EINPUT "subject is not valid UTF-8 at byte N: ...".
 *   "." and classes match whole characters, (?i) folds é/É. PCRE2_UCP is
 *   off: \d \w \s \b stay ASCII (\d is 0-9 only, as ids expect). \C is
 *   refused (PCRE2_NEVER_BACKSLASH_C): it could split a character.
 * - "$" is the end of the subject only (PCRE2_DOLLAR_ENDONLY), so
 *   "^...$" does not accept a trailing newline; (?m) still makes it match
 *   at every line end.
 * - Subjects are counted strings: NUL bytes are ordinary characters.
 * - Offsets are byte offsets, in error messages and in captures.
 * - Limits (all counts, never times, so a decision replays exactly):
 *   a pattern is at most CX_REGEX_MAX_PATTERN bytes with parentheses nested
 *   at most CX_REGEX_MAX_NEST deep and at most CX_REGEX_MAX_GROUPS capture
 *   groups; a subject is at most CX_REGEX_MAX_SUBJECT bytes.
 *   PCRE2's match limit restarts at every start position of an unanchored
 *   search, so one search may cost (start positions x limit). We bound the
 *   product: one call may try at most len + 1 start positions, and each may
 *   spend min(CX_REGEX_MATCH_LIMIT, CX_REGEX_STEP_BUDGET / (len + 1)) steps,
 *   so a call costs at most about CX_REGEX_STEP_BUDGET steps (gsub: twice
 *   that, counting the retries after empty matches). Up to 99 bytes get
 *   the full CX_REGEX_MATCH_LIMIT, a 64 KiB subject 152 steps a start.
 *   test and match give a pattern anchored by ^ or \A (one start
 *   position) the full limit whatever the length. The interpreter also
 *   has a depth limit and a heap limit (CX_REGEX_HEAP_LIMIT_KIB); the JIT
 *   has a stack of at most CX_REGEX_JIT_STACK bytes per thread. Any of
 *   these tripping is CX_ELIMIT "regex limit: ..." naming the pattern. The
 *   JIT and the interpreter count steps differently; a pattern that starts
 *   with (*NO_JIT) always runs in the interpreter.
 *
 * Threads: compiled regexes are read-only and may be shared; match data
 * and the JIT stack are per thread (kept by regex.c, freed when the thread
 * exits, or for the calling thread by cx__regex_cache_clear).
 */
#ifndef CX_REGEX_H
#define CX_REGEX_H

#include <stddef.h>

#include "credex.h"

#define CX_REGEX_MAX_PATTERN    4096      /* bytes in a pattern */
#define CX_REGEX_MAX_NEST       64        /* nesting depth of parentheses */
#define CX_REGEX_MAX_GROUPS     32        /* capture groups in a pattern */
#define CX_REGEX_MAX_SUBJECT    65536     /* bytes in a subject */
#define CX_REGEX_MATCH_LIMIT    100000    /* match steps from one start position */
#define CX_REGEX_STEP_BUDGET    10000000  /* match steps over all start positions */
#define CX_REGEX_DEPTH_LIMIT    50000     /* backtracking depth (interpreter only) */
#define CX_REGEX_HEAP_LIMIT_KIB 4096      /* backtracking memory (interpreter only) */
#define CX_REGEX_JIT_STACK      (1 << 20) /* bytes of JIT stack per thread */
#define CX_REGEX_MAX_OUTPUT     (1 << 20) /* bytes in a gsub result */
#define CX_REGEX_CACHE_MAX      4096      /* distinct patterns in the cache */

typedef struct cx_regex cx_regex; /* immutable once compiled; shareable */

/* Compiles pattern (len bytes; NUL bytes allowed). Returns CX_OK and sets
 * *out, owned by the caller (cx__regex_free); or an error code with err
 * set: CX_EINPUT for a bad pattern ("bad regex at offset 3: missing
 * closing parenthesis", the offset in bytes); CX_ELIMIT "regex limit: ..."
 * for a pattern over CX_REGEX_MAX_PATTERN bytes, nested deeper than
 * CX_REGEX_MAX_NEST, with more than CX_REGEX_MAX_GROUPS groups or too
 * large compiled; CX_ENOMEM. JIT-compiles when it can, else the
 * interpreter runs the pattern. */
int cx__regex_compile(const char *pattern, size_t len, cx_regex **out, cx_error *err);
void cx__regex_free(cx_regex *re); /* accepts NULL */

/* The compile cache: returns CX_OK and sets *out to the one shared
 * compiled regex for these pattern bytes (the same pointer every time),
 * owned by the cache and valid until cx__regex_cache_clear; or an error
 * code as cx__regex_compile, or CX_ELIMIT "regex limit: more than 4096
 * distinct patterns". Bad patterns are not cached. Safe from any thread. */
int cx__regex_cached(const char *pattern, size_t len, const cx_regex **out, cx_error *err);

/* Frees every cached regex, and the calling thread's match scratch. Call
 * at exit, when no other thread uses regexes; the cache may be used again
 * afterwards. */
void cx__regex_cache_clear(void);

/* Returns 1 on a match, 0 on none, or -1 with err set (CX_ELIMIT for a
 * counted limit or an overlong subject, CX_EINPUT for invalid UTF-8 in the
 * subject, CX_ENOMEM). The search is unanchored. */
int cx__regex_test(const cx_regex *re, const char *subject, size_t len, cx_error *err);

/* Where the first match is: group[0] is the whole match, group[i] the
 * i-th capture group; offsets are bytes into the subject, start inclusive,
 * end exclusive; a group that did not take part has start = end = -1. */
typedef struct cx_regex_captures {
    int count; /* 1 + the pattern's capture groups: the valid entries of group */
    struct {
        ptrdiff_t start; /* first byte, or -1 when the group is unset */
        ptrdiff_t end;   /* one past the last byte, or -1 when unset */
    } group[CX_REGEX_MAX_GROUPS + 1];
} cx_regex_captures;

/* As cx__regex_test, and on a match fills *caps (which may be NULL). On 0
 * or -1, caps->count is 0. */
int cx__regex_match(const cx_regex *re, const char *subject, size_t len, cx_regex_captures *caps,
                    cx_error *err);

/* Replaces every match of re in subject with repl and returns the number
 * of matches replaced (>= 0), with the result in *out (NUL-terminated,
 * *out_len bytes; owned by the caller: free()); or -1 with err set and
 * *out NULL. In repl: $0 is the whole match, $1..$9 a group (one digit:
 * "$10" is group 1 then "0"), ${10} or ${name} any group, $$ a dollar;
 * any other '$' or a group the pattern does not have is CX_EINPUT (even
 * when nothing matches); a group that did not take part is "". An empty
 * match is replaced too, and the search then moves on one character
 * (Perl's rule: "x*" on "ab" with "-" gives "-a-b-"). A result longer than
 * CX_REGEX_MAX_OUTPUT is CX_ELIMIT (each reference counts at least one
 * byte, so a repl full of empty groups is bounded too). repl's other bytes
 * are copied as they are. Other errors as cx__regex_test. */
int cx__regex_gsub(const cx_regex *re, const char *subject, size_t len, const char *repl,
                   size_t repl_len, char **out, size_t *out_len, cx_error *err);

/* The pattern text the regex was compiled from (NUL-terminated). */
const char *cx__regex_pattern(const cx_regex *re);

/* The number of capture groups (0..CX_REGEX_MAX_GROUPS). */
int cx__regex_group_count(const cx_regex *re);

/* The name of group (1..count), or NULL when it is unnamed or out of
 * range. The string lives as long as re. */
const char *cx__regex_group_name(const cx_regex *re, int group);

#endif
