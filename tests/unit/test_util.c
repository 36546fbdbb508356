/*
 * test_util.c -- the shared helpers: edit distance behind "did you mean",
 * cx_nearest, membership of a NULL-terminated list, the string map, the
 * arena and growable strings.
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

static const test_case cases[] = {{"edit_distance", edit_distance},
                                  {"nearest", nearest},
                                  {"strmap", strmap},
                                  {"arena_and_buf", arena_and_buf},
                                  {"error_format", error_format},
                                  {"listed", listed},
                                  {NULL, NULL}};

TEST_MAIN(cases)
