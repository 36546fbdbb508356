/*
 * test.h -- the unit-test harness: CHECK-style assertions that record the
 * failing file:line and expression, and a main that prints
 * "N passed, M failed". Each test_*.c defines its cases with TEST() and
 * lists them in a TESTS table.
 */
#ifndef CX_TEST_H
#define CX_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failed_; /* set by a failing CHECK in the current case */

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);             \
            test_failed_ = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_,    \
                    b_);                                                                           \
            test_failed_ = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                   \
            fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,    \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                       \
            test_failed_ = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                                                \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (!h_ || !strstr(h_, n_)) {                                                              \
            fprintf(stderr, "  %s:%d: %s == \"%s\", expected it to contain \"%s\"\n", __FILE__,    \
                    __LINE__, #hay, h_ ? h_ : "(null)", n_);                                       \
            test_failed_ = 1;                                                                      \
        }                                                                                          \
    } while (0)

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

#define TEST(name) static void name(void)

static int test_run_(const test_case *cases)
{
    int passed = 0, failed = 0;
    for (const test_case *t = cases; t->name; t++) {
        test_failed_ = 0;
        t->fn();
        if (test_failed_) {
            fprintf(stderr, "FAIL %s\n", t->name);
            failed++;
        } else {
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

/* TEST_TMP/prefix+name (or /tmp/...), in one of four static buffers used
 * in turn (so four paths live at once). */
static inline const char *test_tmp_path(const char *prefix, const char *name)
{
    static char paths[4][512];
    static int next;
    const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    char *path = paths[next++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s%s", dir, prefix, name);
    return path;
}

/* Writes text to TEST_TMP/name (or /tmp/name) and returns its path (a
 * test_tmp_path). */
static inline const char *test_write_file(const char *name, const char *text)
{
    const char *path = test_tmp_path("", name);
    FILE *f = fopen(path, "w");
    if (!f) return path;
    fputs(text, f);
    fclose(f);
    return path;
}

/* For tests that build tokens: base64url without padding of len bytes at p, into out (big enough).
 */
static inline void test_b64url(const void *p, size_t len, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const unsigned char *b = p;
    size_t i = 0, o = 0;
    for (; i + 2 < len; i += 3) {
        out[o++] = a[b[i] >> 2];
        out[o++] = a[(b[i] & 3) << 4 | b[i + 1] >> 4];
        out[o++] = a[(b[i + 1] & 15) << 2 | b[i + 2] >> 6];
        out[o++] = a[b[i + 2] & 63];
    }
    if (len - i == 1) {
        out[o++] = a[b[i] >> 2];
        out[o++] = a[(b[i] & 3) << 4];
    } else if (len - i == 2) {
        out[o++] = a[b[i] >> 2];
        out[o++] = a[(b[i] & 3) << 4 | b[i + 1] >> 4];
        out[o++] = a[(b[i + 1] & 15) << 2];
    }
    out[o] = '\0';
}

#define TEST_MAIN(cases)                                                                           \
    int main(void)                                                                                 \
    {                                                                                              \
        return test_run_(cases);                                                                   \
    }

#endif
