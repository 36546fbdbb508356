/*
 * test_util.c -- the shared helpers: edit distance behind "did you mean",
 * cx_nearest, membership of a NULL-terminated list, the string map, the
 * arena and growable strings, the escaping of control characters and the
 * input limits' defaults.
 */
#include "test.h"
#include "util.h"

TEST(listed)
{
    static const char *const statuses[] = {"active", "revoked", "expired", NULL};
    CHECK_INT(cx__listed(statuses, "revoked"), 1);
    CHECK_INT(cx__listed(statuses, "expired"), 1);
    CHECK_INT(cx__listed(statuses, "Revoked"), 0); /* exact, byte for byte */
    CHECK_INT(cx__listed(statuses, "revoke"), 0);
    CHECK_INT(cx__listed(statuses, ""), 0);
    CHECK_INT(cx__listed(NULL, "active"), 0); /* no list: nothing is listed */
}

TEST(edit_distance)
{
    CHECK_INT(cx__edit_distance("TX-EVS-101", "TX-EVS-101", 3), 0);
    CHECK_INT(cx__edit_distance("TX-EVS-110", "TX-EVS-101", 3), 1); /* a swap */
    CHECK_INT(cx__edit_distance("TX-EVS-110", "AZ-EVS-110", 3), 2);
    CHECK_INT(cx__edit_distance("US-TZ", "US-TX", 3), 1);
    CHECK_INT(cx__edit_distance("hourz", "hours", 3), 1);
    CHECK_INT(cx__edit_distance("abc", "", 5), 3);
    CHECK_INT(cx__edit_distance("", "", 5), 0);
    CHECK_INT(cx__edit_distance("kitten", "sitting", 5), 3);
    CHECK_INT(cx__edit_distance("kitten", "sitting", 2), 3); /* capped: limit + 1 */
    CHECK_INT(cx__edit_distance("ab", "ba", 1), 1);
    CHECK_INT(cx__edit_distance("abcdef", "badcfe", 3), 3);
}

TEST(nearest)
{
    static const char *const words[] = {"init", "import", "show", "check", "test"};
    CHECK_STR(cx_nearest("imprt", words, 5), "import");
    CHECK_STR(cx_nearest("shwo", words, 5), "show");
    CHECK_STR(cx_nearest("tset", words, 5), "test");
    CHECK(cx_nearest("frobnicate", words, 5) == NULL);
    CHECK(cx_nearest("x", words, 0) == NULL);
}

TEST(strmap)
{
    cx_strmap m;
    char keys[2000][16];
    void *old = NULL;
    cx__strmap_init(&m);
    CHECK(cx__strmap_get(&m, "missing") == NULL);
    for (int i = 0; i < 2000; i++) {
        snprintf(keys[i], sizeof keys[i], "h-%05d", i);
        CHECK_INT(cx__strmap_put(&m, keys[i], keys[i], NULL), 0);
    }
    CHECK_INT(m.count, 2000);
    CHECK_INT(cx__strmap_put(&m, "h-00042", "other", &old), 1);
    CHECK(old == keys[42]);
    CHECK(cx__strmap_get(&m, "h-01999") == keys[1999]);
    CHECK(cx__strmap_get(&m, "h-02000") == NULL);
    cx__strmap_free(&m);
    CHECK(cx__strmap_get(&m, "h-00001") == NULL);
}

TEST(arena_and_buf)
{
    cx_arena a;
    cx__arena_init(&a);
    char *s = cx__arena_strdup(&a, "TX-EVS-101");
    void *big = cx__arena_alloc(&a, 1 << 20); /* larger than a block */
    char *t = cx__arena_strndup(&a, "CA-EVS-101 and more", 10);
    CHECK_STR(s, "TX-EVS-101");
    CHECK_STR(t, "CA-EVS-101");
    CHECK(big != NULL);
    CHECK(((uintptr_t)cx__arena_alloc(&a, 3) & 7) == 0);
    cx__arena_free(&a);

    cx_buf b;
    cx__buf_init(&b);
    for (int i = 0; i < 1000; i++) cx__buf_printf(&b, "%d,", i);
    CHECK_INT(b.len, 3890);
    CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
    cx__buf_free(&b);
}

TEST(error_format)
{
    cx_error err;
    char buf[256];
    cx_error_clear(&err);
    cx__error(&err, CX_EINPUT, "catalog.yaml", 9, 5, "unknown key '%s'", "hourz");
    cx_error_format(&err, buf, sizeof buf);
    CHECK_STR(buf, "catalog.yaml:9:5: unknown key 'hourz'");
    CHECK_INT(err.code, CX_EINPUT);
    cx__error(&err, CX_EREGISTRY, "credex.db", 0, 0, "locked");
    cx_error_format(&err, buf, sizeof buf);
    CHECK_STR(buf, "credex.db: locked");
}

TEST(escaping)
{
    char buf[64], small[8];
    cx_error err;
    /* C0 (named or \xHH), DEL, C1, separators and bidi controls; UTF-8 kept */
    snprintf(buf, sizeof buf,
             "a\x1b[31m\a\n\t\r\x7f\xc2\x9b\xe2\x80\xa8\xe2\x80\xae\xe2\x81\xa6\xc3\xa9");
    CHECK_STR(cx__escape_controls(buf, sizeof buf),
              "a\\x1b[31m\\x07\\n\\t\\r\\x7f\\u009b\\u2028\\u202e\\u2066\xc3\xa9");
    snprintf(buf, sizeof buf, "plain \xc3\xa9 text");
    CHECK_STR(cx__escape_controls(buf, sizeof buf), "plain \xc3\xa9 text");
    /* cut where an escape or a character no longer fits */
    snprintf(small, sizeof small, "ab\x1b\x1b");
    CHECK_STR(cx__escape_controls(small, sizeof small), "ab\\x1b");
    snprintf(small, sizeof small, "abcd\xc3\xa9");
    CHECK_STR(cx__escape_controls(small, sizeof small), "abcd\xc3\xa9");
    snprintf(small, sizeof small, "\x1b\xc3\xa9\xc3\xa9");
    CHECK_STR(cx__escape_controls(small, sizeof small), "\\x1b\xc3\xa9");
    /* every error is escaped where it is made, file and message */
    cx__error(&err, CX_EINPUT, "f\x07.yaml", 2, 3, "id '%s'", "x\x1b");
    CHECK_STR(err.file, "f\\x07.yaml");
    CHECK_STR(err.message, "id 'x\\x1b'");
    /* and an error written by hand, when it is formatted */
    snprintf(err.message, sizeof err.message, "raw \x1b");
    cx_error_format(&err, buf, sizeof buf);
    CHECK_STR(buf, "f\\x07.yaml:2:3: raw \\x1b");
    char *e = cx_escaped("bell\a, esc \x1b, lf\n");
    CHECK_STR(e, "bell\\x07, esc \\x1b, lf\\n");
    free(e);
    /* a block of lines keeps its line feeds */
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, "one \x1b[2J\ntwo\a\n");
    cx__buf_escape_lines(&b);
    CHECK_STR(b.data, "one \\x1b[2J\ntwo\\x07\n");
    cx__buf_free(&b);
}

TEST(limits)
{
    char buf[32];
    cx_limits some = {0, 5, 0};
    cx_limits l = cx__limits_of(NULL);
    CHECK(l.max_input_bytes == CX_DEFAULT_MAX_INPUT_BYTES);
    CHECK(l.max_scalar_bytes == CX_DEFAULT_MAX_SCALAR_BYTES);
    CHECK(l.max_list_items == CX_DEFAULT_MAX_LIST_ITEMS);
    l = cx__limits_of(&some);
    CHECK(l.max_input_bytes == CX_DEFAULT_MAX_INPUT_BYTES);
    CHECK(l.max_scalar_bytes == 5);
    CHECK_STR(cx__bytes_text(UINT64_C(1) << 30, buf, sizeof buf), "1 GiB");
    CHECK_STR(cx__bytes_text(UINT64_C(1) << 20, buf, sizeof buf), "1 MiB");
    CHECK_STR(cx__bytes_text(65536, buf, sizeof buf), "64 KiB");
    CHECK_STR(cx__bytes_text(1000, buf, sizeof buf), "1000 bytes");
}

static const test_case cases[] = {{"edit_distance", edit_distance},
                                  {"escaping", escaping},
                                  {"limits", limits},
                                  {"nearest", nearest},
                                  {"strmap", strmap},
                                  {"arena_and_buf", arena_and_buf},
                                  {"error_format", error_format},
                                  {"listed", listed},
                                  {NULL, NULL}};

TEST_MAIN(cases)
