/*
 * test_regex.c -- runtime/regex.c: matching (anchors, UTF-8, NUL bytes),
 * captures, gsub, bad patterns, every counted limit, and the compile
 * cache (same pointer, bounded, safe with two threads). No timing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regex.h"
#include "test.h"

static cx_error err; /* the last error, for messages */

/* Compiles p (NUL-terminated); NULL with err set on failure. */
static cx_regex *compile(const char *p)
{
    cx_regex *re = NULL;
    cx_error_clear(&err);
    if (cx__regex_compile(p, strlen(p), &re, &err) != CX_OK) return NULL;
    return re;
}

/* cx__regex_test of pattern p on len bytes of s: 1, 0, -1 (err set), or
 * -2 when p does not compile. */
static int test_n(const char *p, const char *s, size_t len)
{
    cx_regex *re = compile(p);
    if (!re) return -2;
    int rc = cx__regex_test(re, s, len, &err);
    cx__regex_free(re);
    return rc;
}

static int test_s(const char *p, const char *s)
{
    return test_n(p, s, strlen(s));
}

/* gsub of p on s with repl; returns the result (static) or "(error)" with
 * err set; *count gets the return value. */
static const char *gsub_s(const char *p, const char *s, const char *repl, int *count)
{
    static char result[256];
    char *out = NULL;
    size_t out_len = 0;
    cx_regex *re = compile(p);
    *count = -2;
    if (!re) return "(no compile)";
    *count = cx__regex_gsub(re, s, strlen(s), repl, strlen(repl), &out, &out_len, &err);
    cx__regex_free(re);
    if (*count < 0) return out ? "(out set on error)" : "(error)";
    snprintf(result, sizeof result, "%s", out);
    if (strlen(out) != out_len) snprintf(result, sizeof result, "(bad out_len)");
    free(out);
    return result;
}

/* n copies of c then tail, in a static buffer. */
static char *repeat(char c, size_t n, const char *tail)
{
    static char buf[CX_REGEX_MAX_SUBJECT + 64];
    memset(buf, c, n);
    strcpy(buf + n, tail);
    return buf;
}

/* --------------------------------------------------------------- matching */

TEST(matches_and_anchors)
{
    CHECK_INT(test_s("^[A-Z]{2}-[0-9]+$", "CA-101"), 1);
    CHECK_INT(test_s("^[A-Z]{2}-[0-9]+$", "ca-101"), 0);
    CHECK_INT(test_s("^[A-Z]{2}-[0-9]+$", "xCA-101"), 0);
    CHECK_INT(test_s("EV", "TX-EV-101"), 1); /* unanchored */
    CHECK_INT(test_s("EV", "TX-EX-101"), 0);
    CHECK_INT(test_s("101$", "CA-101"), 1);
    /* $ is the end of the subject only (PCRE2_DOLLAR_ENDONLY): an id with
     * a trailing newline does not pass ^...$ */
    CHECK_INT(test_s("^CA-101$", "CA-101\n"), 0);
    CHECK_INT(test_s("(?m)^b$", "a\nb\nc"), 1);
    CHECK_INT(test_s("\\AEV\\z", "EV"), 1);
    CHECK_INT(test_s("\\AEV\\z", "EVS"), 0);
    CHECK_INT(test_s("^\\d+$", "12"), 1);
    CHECK_INT(test_s("^\\d+$", "\xd9\xa3"), 0); /* ARABIC-INDIC DIGIT THREE: \d is ASCII */
    CHECK_INT(test_s("", ""), 1);
    CHECK_INT(test_s("^$", ""), 1);
    cx_regex *re = compile("^a(b)?");
    CHECK(re != NULL);
    if (!re) return;
    CHECK_STR(cx__regex_pattern(re), "^a(b)?");
    CHECK_INT(cx__regex_group_count(re), 1);
    CHECK(cx__regex_group_name(re, 1) == NULL);
    CHECK(cx__regex_group_name(re, 2) == NULL);
    cx__regex_free(re);
    cx__regex_free(NULL);
}

TEST(utf8_patterns)
{
    CHECK_INT(test_s("^é+$", "éé"), 1);
    CHECK_INT(test_s("^.$", "ß"), 1); /* one character, two bytes */
    CHECK_INT(test_s("^..$", "ß"), 0);
    CHECK_INT(test_s("^[^a]$", "é"), 1);
    CHECK_INT(test_s("(?i)^é$", "É"), 1);
    CHECK_INT(test_s("(?i)^ß$", "\xe1\xba\x9e"), 1); /* U+1E9E CAPITAL SHARP S */
    CHECK_INT(test_s("^Straße$", "Strasse"), 0);
    CHECK_INT(test_s("^\\x{e9}$", "é"), 1);
    cx_regex_captures caps;
    cx_regex *re = compile("(é)(x)");
    CHECK(re != NULL);
    if (!re) return;
    CHECK_INT(cx__regex_match(re, "aéx", strlen("aéx"), &caps, &err), 1);
    CHECK_INT(caps.count, 3);
    CHECK_INT(caps.group[0].start, 1);
    CHECK_INT(caps.group[0].end, 4);
    CHECK_INT(caps.group[1].start, 1);
    CHECK_INT(caps.group[1].end, 3);
    CHECK_INT(caps.group[2].start, 3);
    CHECK_INT(caps.group[2].end, 4);
    cx__regex_free(re);
}

TEST(nul_bytes_are_characters)
{
    CHECK_INT(test_n("a\\x00b", "a\0b", 3), 1);
    CHECK_INT(test_n("^a$", "a\0", 2), 0);
    CHECK_INT(test_n("^a.$", "a\0", 2), 1);
    cx_regex *re = NULL;
    CHECK_INT(cx__regex_compile("a\0b", 3, &re, &err), CX_OK); /* a NUL in the pattern */
    if (!re) return;
    CHECK_INT(cx__regex_test(re, "xa\0by", 5, &err), 1);
    CHECK_INT(cx__regex_test(re, "xa", 2, &err), 0);
    cx__regex_free(re);
}

TEST(captures_with_unset_groups)
{
    cx_regex_captures caps;
    cx_regex *re = compile("(a)|(b)");
    CHECK(re != NULL);
    if (!re) return;
    CHECK_INT(cx__regex_match(re, "xb", 2, &caps, &err), 1);
    CHECK_INT(caps.count, 3);
    CHECK_INT(caps.group[0].start, 1);
    CHECK_INT(caps.group[0].end, 2);
    CHECK_INT(caps.group[1].start, -1);
    CHECK_INT(caps.group[1].end, -1);
    CHECK_INT(caps.group[2].start, 1);
    CHECK_INT(caps.group[2].end, 2);
    CHECK_INT(cx__regex_match(re, "xa", 2, &caps, &err), 1);
    CHECK_INT(caps.group[1].start, 1);
    CHECK_INT(caps.group[2].start, -1); /* unset at the end of the pattern */
    CHECK_INT(cx__regex_match(re, "xy", 2, &caps, &err), 0);
    CHECK_INT(caps.count, 0);
    CHECK_INT(cx__regex_match(re, "b", 1, NULL, &err), 1);
    cx__regex_free(re);

    re = compile("^(?<year>\\d{4})-(?<month>\\d\\d)(-(?<day>\\d\\d))?$");
    CHECK(re != NULL);
    if (!re) return;
    CHECK_INT(cx__regex_group_count(re), 4);
    CHECK_STR(cx__regex_group_name(re, 1), "year");
    CHECK_STR(cx__regex_group_name(re, 2), "month");
    CHECK(cx__regex_group_name(re, 3) == NULL);
    CHECK_STR(cx__regex_group_name(re, 4), "day");
    CHECK_INT(cx__regex_match(re, "2025-06", 7, &caps, &err), 1);
    CHECK_INT(caps.count, 5);
    CHECK_INT(caps.group[2].start, 5);
    CHECK_INT(caps.group[2].end, 7);
    CHECK_INT(caps.group[3].start, -1);
    CHECK_INT(caps.group[4].end, -1);
    cx__regex_free(re);
}

/* ------------------------------------------------------------------- gsub */

TEST(gsub_references)
{
    int n;
    CHECK_STR(gsub_s("(\\w+)@(\\w+)", "a@b c@d", "$2 at $1", &n), "b at a d at c");
    CHECK_INT(n, 2);
    CHECK_STR(gsub_s("\\d+", "a1b22", "<$0>", &n), "a<1>b<22>");
    CHECK_INT(n, 2);
    CHECK_STR(gsub_s("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "_abcdefghijk_", "${10}${11}$10", &n),
              "_jka0_"); /* $10 is $1 then "0" */
    CHECK_STR(gsub_s("x", "axb", "$$", &n), "a$b");
    CHECK_STR(gsub_s("x", "axb", "$$1", &n), "a$1b");
    CHECK_STR(gsub_s("(?<num>\\d+)", "a1b22", "${num}!", &n), "a1!b22!");
    CHECK_STR(gsub_s("(a)|(b)", "ab", "[$1|$2]", &n), "[a|][|b]"); /* unset groups are "" */
    CHECK_STR(gsub_s("é", "café é", "e", &n), "cafe e");
    CHECK_STR(gsub_s("zzz", "abc", "$1$1", &n), "(error)"); /* checked even without a match */
    CHECK_STR(gsub_s("zzz", "abc", "-", &n), "abc");
    CHECK_INT(n, 0);
    CHECK_STR(gsub_s("a", "", "-", &n), "");
    CHECK_INT(n, 0);
}

TEST(gsub_empty_matches)
{
    int n;
    CHECK_STR(gsub_s("x*", "abc", "-", &n), "-a-b-c-");
    CHECK_INT(n, 4);
    CHECK_STR(gsub_s("x*", "xab", "-", &n), "--a-b-"); /* Perl's rule */
    CHECK_STR(gsub_s("", "é", "-", &n), "-é-");        /* moves on a character, not a byte */
    CHECK_INT(n, 2);
    CHECK_STR(gsub_s("", "", "-", &n), "-");
    CHECK_INT(n, 1);
    CHECK_STR(gsub_s("\\b", "ab cd", "|", &n), "|ab| |cd|");
    CHECK_STR(gsub_s("(*CRLF)", "a\r\nb", "-", &n), "-a-\r\n-b-"); /* CRLF is one step */
    CHECK_STR(gsub_s("^", "ab", "-", &n), "-ab");
}

TEST(gsub_nul_bytes)
{
    cx_regex *re = compile("b");
    char *out = NULL;
    size_t out_len = 0;
    CHECK(re != NULL);
    if (!re) return;
    CHECK_INT(cx__regex_gsub(re, "a\0b\0c", 5, "B\0", 2, &out, &out_len, &err), 1);
    CHECK_INT(out_len, 6);
    CHECK(out && memcmp(out, "a\0B\0\0c", 7) == 0);
    free(out);
    cx__regex_free(re);
}

TEST(gsub_bad_replacements)
{
    int n;
    CHECK_STR(gsub_s("(a)", "a", "$2", &n), "(error)");
    CHECK_INT(n, -1);
    CHECK_INT(err.code, CX_EINPUT);
    CHECK_STR(err.message, "bad replacement at offset 0: no group 2 in the pattern (it has 1)");
    CHECK_STR(gsub_s("(a)", "a", "x${nope}", &n), "(error)");
    CHECK_STR(err.message, "bad replacement at offset 1: no group nope in the pattern (it has 1)");
    CHECK_STR(gsub_s("(a)", "a", "${33}", &n), "(error)");
    CHECK_CONTAINS(err.message, "no group 33");
    CHECK_STR(gsub_s("(a)", "a", "cost: $ 5", &n), "(error)");
    CHECK_CONTAINS(err.message, "offset 6: '$' must be followed by a digit, {group} or '$'");
    CHECK_STR(gsub_s("(a)", "a", "$", &n), "(error)");
    CHECK_CONTAINS(err.message, "offset 0");
    CHECK_STR(gsub_s("(a)", "a", "${1", &n), "(error)");
    CHECK_CONTAINS(err.message, "'${' without a closing '}'");
    CHECK_STR(gsub_s("(a)", "a", "${}", &n), "(error)");
    CHECK_CONTAINS(err.message, "'${}' names no group");
}

TEST(gsub_output_is_bounded)
{
    cx_regex *re = compile("a");
    char *out = (char *)"unchanged";
    size_t out_len = 7;
    const char *s = repeat('a', 60000, "");
    CHECK(re != NULL);
    if (!re) return;
    /* 60000 x 19 bytes > 1 MiB */
    CHECK_INT(cx__regex_gsub(re, s, 60000, "0123456789abcdefghi", 19, &out, &out_len, &err), -1);
    CHECK(out == NULL);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_STR(err.message, "regex limit: gsub result longer than 1048576 bytes (pattern \"a\")");
    /* 60000 x 17 bytes fits */
    CHECK_INT(cx__regex_gsub(re, s, 60000, "0123456789abcdefg", 17, &out, &out_len, &err), 60000);
    CHECK_INT(out_len, 60000 * 17);
    free(out);
    cx__regex_free(re);

    /* references to empty text count one byte each, so many empty
     * expansions are bounded too */
    re = compile("()");
    if (!re) return;
    const char *refs = "$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1";
    CHECK_INT(cx__regex_gsub(re, s, 60000, refs, strlen(refs), &out, &out_len, &err), -1);
    CHECK_INT(err.code, CX_ELIMIT);
    cx__regex_free(re);
}

/* ------------------------------------------------------------ bad patterns */

TEST(bad_patterns)
{
    CHECK(compile("(ab") == NULL);
    CHECK_INT(err.code, CX_EINPUT);
    CHECK_STR(err.message, "bad regex at offset 3: missing closing parenthesis");
    CHECK(compile("a{2,1}") == NULL);
    CHECK_STR(err.message, "bad regex at offset 5: numbers out of order in {} quantifier");
    CHECK(compile("[z-a]") == NULL);
    CHECK_CONTAINS(err.message, "bad regex at offset 3: range out of order");
    CHECK(compile("ab\xff") == NULL); /* the pattern must be UTF-8 too */
    CHECK_INT(err.code, CX_EINPUT);
    CHECK_CONTAINS(err.message, "bad regex at offset 2: UTF-8 error");
    CHECK(compile("a\\Cb") == NULL); /* \C could split a character */
    CHECK_CONTAINS(err.message, "\\C is disabled");
    CHECK(compile("(?<=\\Ka)b") == NULL);
    CHECK_INT(err.code, CX_EINPUT);
}

TEST(pattern_limits)
{
    char p[CX_REGEX_MAX_PATTERN + 200];
    cx_regex *re;
    memset(p, 'a', CX_REGEX_MAX_PATTERN + 1);
    p[CX_REGEX_MAX_PATTERN + 1] = '\0';
    CHECK(compile(p) == NULL);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_STR(err.message, "regex limit: pattern longer than 4096 bytes (pattern "
                           "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\")");
    p[CX_REGEX_MAX_PATTERN] = '\0';
    re = compile(p);
    CHECK(re != NULL);
    cx__regex_free(re);

    /* parentheses nested CX_REGEX_MAX_NEST deep are fine, one more is not */
    for (int depth = CX_REGEX_MAX_NEST; depth <= CX_REGEX_MAX_NEST + 1; depth++) {
        size_t n = 0;
        for (int i = 0; i < depth; i++) p[n++] = '(', p[n++] = '?', p[n++] = ':';
        p[n++] = 'a';
        for (int i = 0; i < depth; i++) p[n++] = ')';
        p[n] = '\0';
        re = compile(p);
        CHECK_INT(re != NULL, depth == CX_REGEX_MAX_NEST);
        cx__regex_free(re);
    }
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_CONTAINS(err.message, "regex limit: parentheses nested more than 64 deep at offset");

    /* CX_REGEX_MAX_GROUPS capture groups are fine, one more is not */
    p[0] = '\0';
    for (int i = 0; i < CX_REGEX_MAX_GROUPS; i++) strcat(p, "(a)");
    re = compile(p);
    CHECK(re != NULL);
    if (re) CHECK_INT(cx__regex_group_count(re), CX_REGEX_MAX_GROUPS);
    cx__regex_free(re);
    strcat(p, "(a)");
    CHECK(compile(p) == NULL);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_CONTAINS(err.message, "regex limit: more than 32 capture groups");
}

/* ---------------------------------------------------------- match limits */

/* Checks that p on s (len bytes) trips a limit, in test, match and gsub. */
static void check_limit(const char *p, const char *s, size_t len, const char *what)
{
    cx_regex *re = compile(p);
    cx_regex_captures caps;
    char *out = (char *)"unchanged";
    size_t out_len;
    CHECK(re != NULL);
    if (!re) return;
    CHECK_INT(cx__regex_test(re, s, len, &err), -1);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK(strncmp(err.message, "regex limit: ", 13) == 0);
    CHECK_CONTAINS(err.message, what);
    CHECK_CONTAINS(err.message, p); /* names the pattern */
    cx_error_clear(&err);
    CHECK_INT(cx__regex_match(re, s, len, &caps, &err), -1);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_INT(caps.count, 0);
    cx_error_clear(&err);
    CHECK_INT(cx__regex_gsub(re, s, len, "x", 1, &out, &out_len, &err), -1);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK(out == NULL);
    cx__regex_free(re);
}

TEST(catastrophic_backtracking)
{
    const char *s = repeat('a', 34, "b");
    check_limit("(a+)+$", s, strlen(s), "too many match steps");
    check_limit("(*NO_JIT)(a+)+$", s, strlen(s), "too many match steps"); /* interpreter */
    s = repeat('a', 40, "cb"); /* the b is there, so PCRE2 must try */
    check_limit("(?:a|a)*b", s, strlen(s), "too many match steps");
    check_limit("(*NO_JIT)(?:a|a)*b", s, strlen(s), "too many match steps");
    /* a short subject without the blow-up is fine */
    CHECK_INT(test_s("(a+)+$", "aaab"), 0);
    CHECK_INT(test_s("(a+)+$", "aaa"), 1);
}

TEST(nested_quantifier_memory)
{
    const char *s = repeat('a', 60000, "dcb");
    size_t len = strlen(s);
    /* each iteration keeps a backtracking frame: the JIT stack (JIT) or
     * the heap (interpreter) runs out */
    check_limit("^((((a)*)*)*)*b", s, len, "of JIT stack");
    check_limit("(*NO_JIT)^((((a)*)*)*)*b", s, len, "backtracking needs more than 4096 KiB");
    check_limit("^(?:(a)|b)*c", s, len, "of JIT stack");
    /* the same patterns on a short subject just answer */
    CHECK_INT(test_s("^((((a)*)*)*)*b", "aaab"), 1);
    CHECK_INT(test_s("(*NO_JIT)^(?:(a)|b)*c", "abac"), 1);
}

TEST(step_budget_covers_all_start_positions)
{
    /* about 8000 steps from every start position: fine for a short
     * subject, but over a 64 KiB subject the per-start limit is cut so
     * that the whole search stays within CX_REGEX_STEP_BUDGET */
    const char *p = "(?=(?:a|a){0,5}(?:a|a){0,5}c)";
    CHECK_INT(test_n(p, repeat('a', 100, ""), 100), 0);
    check_limit(p, repeat('a', CX_REGEX_MAX_SUBJECT, ""), CX_REGEX_MAX_SUBJECT,
                "too many match steps");
    /* an anchored pattern has one start position and keeps the full limit */
    CHECK_INT(test_n("^(?:a|a){0,5}(?:a|a){0,5}c", repeat('a', CX_REGEX_MAX_SUBJECT, ""),
                     CX_REGEX_MAX_SUBJECT),
              0);
    /* ordinary patterns on a long subject are fine */
    CHECK_INT(test_n("^[a-z]+$", repeat('a', CX_REGEX_MAX_SUBJECT, ""), CX_REGEX_MAX_SUBJECT), 1);
    CHECK_INT(test_n("b", repeat('a', CX_REGEX_MAX_SUBJECT, ""), CX_REGEX_MAX_SUBJECT), 0);
}

TEST(overlong_subject)
{
    cx_regex *re = compile("a");
    char *out = NULL;
    size_t out_len;
    const char *s = repeat('a', CX_REGEX_MAX_SUBJECT + 1, "");
    CHECK(re != NULL);
    if (!re) return;
    CHECK_INT(cx__regex_test(re, s, CX_REGEX_MAX_SUBJECT, &err), 1);
    CHECK_INT(cx__regex_test(re, s, CX_REGEX_MAX_SUBJECT + 1, &err), -1);
    CHECK_INT(err.code, CX_ELIMIT);
    CHECK_STR(err.message, "regex limit: subject longer than 65536 bytes (pattern \"a\")");
    CHECK_INT(cx__regex_match(re, s, CX_REGEX_MAX_SUBJECT + 1, NULL, &err), -1);
    CHECK_INT(cx__regex_gsub(re, s, CX_REGEX_MAX_SUBJECT + 1, "", 0, &out, &out_len, &err), -1);
    CHECK_INT(err.code, CX_ELIMIT);
    cx__regex_free(re);
}

TEST(invalid_utf8_subject)
{
    int n;
    CHECK_INT(test_n("a", "x\xffy", 3), -1);
    CHECK_INT(err.code, CX_EINPUT);
    CHECK_CONTAINS(err.message, "subject is not valid UTF-8 at byte 1");
    CHECK_INT(test_n("zzz", "ab\xc3", 3), -1); /* truncated, even where nothing matches */
    CHECK_CONTAINS(err.message, "subject is not valid UTF-8 at byte 2");
    CHECK_INT(test_n("(*NO_JIT)zzz", "\xc0\xaf", 2), -1); /* overlong encoding */
    CHECK_CONTAINS(err.message, "subject is not valid UTF-8 at byte 0");
    CHECK_INT(test_n("a", "\xed\xa0\x80", 3), -1);                /* a surrogate */
    CHECK_INT(test_n("a", "abcdefghij\xf4\x90\x80\x80", 14), -1); /* above U+10FFFF */
    CHECK_CONTAINS(err.message, "subject is not valid UTF-8 at byte 10");
    CHECK_INT(err.code, CX_EINPUT);
    CHECK_STR(gsub_s("a", "ab\x80", "x", &n), "(error)");
    CHECK_CONTAINS(err.message, "subject is not valid UTF-8 at byte 2");
}

/* 1 when s (n bytes) is valid UTF-8, by decoding: the reference the
 * subject check must agree with. */
static int utf8_reference(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i], k;
        unsigned long cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            k = 1, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
            k = 2, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0)
            k = 3, cp = c & 0x07;
        else
            return 0;
        if (i + k >= n) return 0;
        for (unsigned j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < (k == 1 ? 0x80ul : k == 2 ? 0x800ul : 0x10000ul)) return 0; /* overlong */
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += k + 1;
    }
    return 1;
}

TEST(utf8_check_agrees_with_decoder)
{
    static const unsigned char tails[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F,
                                          0xA0, 0xBF, 0xC0, 0xC2, 0xF4, 0xFF};
    cx_regex *re = compile("");
    unsigned char s[16];
    int disagree = 0, checked = 0;
    if (!re) return;
    /* every lead byte after an ASCII run (the 8-byte fast path) and at the
     * start, followed by every interesting tail of up to three bytes */
    for (int lead = 0x80; lead <= 0xFF; lead++)
        for (size_t a = 0; a < sizeof tails; a++)
            for (size_t b = 0; b < sizeof tails; b++)
                for (size_t c = 0; c < sizeof tails; c++)
                    for (size_t pre = 0; pre <= 9; pre += 9)
                        for (size_t tail = 1; tail <= 3; tail++) {
                            size_t n = 0;
                            while (n < pre) s[n++] = 'x';
                            s[n++] = (unsigned char)lead;
                            const unsigned char t[3] = {tails[a], tails[b], tails[c]};
                            for (size_t k = 0; k < tail; k++) s[n++] = t[k];
                            int rc = cx__regex_test(re, (const char *)s, n, &err);
                            if ((rc == 1) != utf8_reference(s, n)) disagree++;
                            checked++;
                        }
    CHECK_INT(disagree, 0);
    CHECK(checked > 100000);
    CHECK_INT(cx__regex_test(re, "\xf0\x9f\x98\x80 \xed\x9f\xbf \xef\xbf\xbf", 12, &err), 1);
    cx__regex_free(re);
}

/* ------------------------------------------------------------------- cache */

TEST(cache_same_pointer)
{
    const cx_regex *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    CHECK_INT(cx__regex_cached("^CA-", 4, &a, &err), CX_OK);
    CHECK_INT(cx__regex_cached("^CA-", 4, &b, &err), CX_OK);
    CHECK_INT(cx__regex_cached("^CA-x", 4, &c, &err), CX_OK); /* length-based */
    CHECK_INT(cx__regex_cached("^TX-", 4, &d, &err), CX_OK);
    CHECK(a != NULL && a == b && a == c);
    CHECK(d != NULL && d != a);
    if (a) CHECK_INT(cx__regex_test(a, "CA-1", 4, &err), 1);
    if (d) CHECK_STR(cx__regex_pattern(d), "^TX-");
    const cx_regex *e = NULL, *f = NULL;
    CHECK_INT(cx__regex_cached("a\0b", 3, &e, &err), CX_OK);
    CHECK_INT(cx__regex_cached("a", 1, &f, &err), CX_OK);
    CHECK(e != f);
    /* bad patterns are not cached: the error comes back each time */
    const cx_regex *bad = (const cx_regex *)&err;
    CHECK_INT(cx__regex_cached("(ab", 3, &bad, &err), CX_EINPUT);
    CHECK(bad == NULL);
    CHECK_INT(cx__regex_cached("(ab", 3, &bad, &err), CX_EINPUT);
    CHECK_STR(err.message, "bad regex at offset 3: missing closing parenthesis");
}

TEST(cache_is_bounded)
{
    char p[32];
    const cx_regex *re = NULL, *first = NULL;
    int failures = 0;
    cx__regex_cache_clear();
    for (int i = 0; i < CX_REGEX_CACHE_MAX; i++) {
        snprintf(p, sizeof p, "^p%d$", i);
        if (cx__regex_cached(p, strlen(p), &re, &err) != CX_OK) failures++;
        if (i == 0) first = re;
    }
    CHECK_INT(failures, 0);
    CHECK_INT(cx__regex_cached("^p0$", 4, &re, &err), CX_OK); /* cached ones still come back */
    CHECK(re == first);
    CHECK_INT(cx__regex_cached("^one-more$", 10, &re, &err), CX_ELIMIT);
    CHECK(re == NULL);
    CHECK_STR(err.message,
              "regex limit: more than 4096 distinct patterns (pattern \"^one-more$\")");
    cx__regex_cache_clear();
    CHECK_INT(cx__regex_cached("^one-more$", 10, &re, &err), CX_OK);
    CHECK(re != NULL);
    if (re) CHECK_INT(cx__regex_test(re, "one-more", 8, &err), 1);
}

#define THREAD_PATTERNS 48
#define THREAD_ROUNDS   200

/* What one hammering thread saw. */
typedef struct hammer_run {
    int offset;                            /* where this thread starts in the list */
    const cx_regex *seen[THREAD_PATTERNS]; /* the pointer the cache gave per pattern */
    int changed;                           /* a pattern came back as another pointer */
    int wrong;                             /* a match gave a wrong answer */
} hammer_run;

static void thread_pattern(int i, char *buf, size_t size)
{
    snprintf(buf, size, "^id-%d(?:-([a-z]+))?$", i);
}

/* One cache look-up and three matches for pattern i; counts surprises. */
static void hammer_one(hammer_run *run, int i)
{
    char p[64], s[64], *out = NULL;
    size_t out_len;
    const cx_regex *re = NULL;
    cx_error e;
    cx_regex_captures caps;
    thread_pattern(i, p, sizeof p);
    if (cx__regex_cached(p, strlen(p), &re, &e) != CX_OK) {
        run->wrong++;
        return;
    }
    if (run->seen[i] && run->seen[i] != re) run->changed++;
    run->seen[i] = re;
    snprintf(s, sizeof s, "id-%d-ok", i);
    if (cx__regex_match(re, s, strlen(s), &caps, &e) != 1 ||
        caps.group[1].end - caps.group[1].start != 2)
        run->wrong++;
    snprintf(s, sizeof s, "id-%d0", i);
    if (cx__regex_test(re, s, strlen(s), &e) != 0) run->wrong++;
    snprintf(s, sizeof s, "id-%d-x", i);
    if (cx__regex_gsub(re, s, strlen(s), "[$1]", 4, &out, &out_len, &e) != 1 || strcmp(out, "[x]"))
        run->wrong++;
    free(out);
}

static void *hammer(void *arg)
{
    hammer_run *run = arg;
    for (int round = 0; round < THREAD_ROUNDS; round++)
        for (int k = 0; k < THREAD_PATTERNS; k++)
            hammer_one(run, (k * 7 + run->offset + round) % THREAD_PATTERNS);
    return NULL;
}

TEST(cache_with_two_threads)
{
    hammer_run runs[2] = {{.offset = 0}, {.offset = 5}};
    pthread_t threads[2];
    cx__regex_cache_clear(); /* so the threads race to insert */
    for (int t = 0; t < 2; t++) CHECK_INT(pthread_create(&threads[t], NULL, hammer, &runs[t]), 0);
    for (int t = 0; t < 2; t++) pthread_join(threads[t], NULL);
    for (int t = 0; t < 2; t++) {
        CHECK_INT(runs[t].changed, 0);
        CHECK_INT(runs[t].wrong, 0);
    }
    int different = 0;
    for (int i = 0; i < THREAD_PATTERNS; i++) {
        char p[64];
        const cx_regex *re = NULL;
        thread_pattern(i, p, sizeof p);
        CHECK_INT(cx__regex_cached(p, strlen(p), &re, &err), CX_OK);
        if (re == NULL || runs[0].seen[i] != re || runs[1].seen[i] != re) different++;
    }
    CHECK_INT(different, 0);
    cx__regex_cache_clear();
}

static const test_case cases[] = {
    {"matches_and_anchors", matches_and_anchors},
    {"utf8_patterns", utf8_patterns},
    {"nul_bytes_are_characters", nul_bytes_are_characters},
    {"captures_with_unset_groups", captures_with_unset_groups},
    {"gsub_references", gsub_references},
    {"gsub_empty_matches", gsub_empty_matches},
    {"gsub_nul_bytes", gsub_nul_bytes},
    {"gsub_bad_replacements", gsub_bad_replacements},
    {"gsub_output_is_bounded", gsub_output_is_bounded},
    {"bad_patterns", bad_patterns},
    {"pattern_limits", pattern_limits},
    {"catastrophic_backtracking", catastrophic_backtracking},
    {"nested_quantifier_memory", nested_quantifier_memory},
    {"step_budget_covers_all_start_positions", step_budget_covers_all_start_positions},
    {"overlong_subject", overlong_subject},
    {"invalid_utf8_subject", invalid_utf8_subject},
    {"utf8_check_agrees_with_decoder", utf8_check_agrees_with_decoder},
    {"cache_same_pointer", cache_same_pointer},
    {"cache_is_bounded", cache_is_bounded},
    {"cache_with_two_threads", cache_with_two_threads},
    {NULL, NULL}};

TEST_MAIN(cases)
