/*
 * test_status_list.c -- Bitstring / StatusList2021 encodedList decoding
 * (runtime/status_list.h): the 1EdTech sample list (a copy in
 * tests/fixtures/jws with its licence line), a list with known bits, and
 * every refusal by its message, a decompression bomb included.
 */
#include "jws.h"
#include "status_list.h"
#include "test.h"
#include "util.h"

#define FIX TEST_SRC "/tests/fixtures/jws/"

/* The file's bytes without trailing newlines; the caller frees. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (s = malloc((size_t)n + 1))) {
        n = (long)fread(s, 1, (size_t)n, f);
        while (n > 0 && s[n - 1] == '\n') n--;
        s[n] = '\0';
    }
    fclose(f);
    return s;
}

/* Decodes the value of "encodedList: TEXT" (line 2 of a small YAML
 * document, after a comment line); NULL with the formatted error in msg. */
static cx_status_list *decode_text(const char *text, cx_status_list_format format, char *msg,
                                   size_t size)
{
    size_t n = strlen(text) + 64;
    char *yaml = malloc(n);
    cx_ydoc *doc = NULL;
    cx_status_list *list = NULL;
    cx_error err;
    cx_error_clear(&err);
    msg[0] = '\0';
    snprintf(yaml, n, "# a list\nencodedList: %s\n", text);
    if (cx__yaml_load_buffer("list.yaml", yaml, strlen(yaml), &doc, &err) == CX_OK)
        cx__status_list_decode("list.yaml", cx__ymap_get(cx__ydoc_root(doc), "encodedList"), format,
                               &list, &err);
    if (!list) cx_error_format(&err, msg, size);
    cx__ydoc_free(doc);
    free(yaml);
    return list;
}

/* How many bits of list are set. */
static size_t count_set(const cx_status_list *list)
{
    size_t set = 0;
    for (size_t i = 0; i < cx__status_list_entries(list); i++)
        set += (size_t)cx__status_list_get(list, i);
    return set;
}

TEST(sample_bitstring_list_has_bit_23)
{
    cx_ydoc *doc = NULL;
    cx_status_list *list = NULL;
    cx_error err;
    const cx_ynode *subject, *encoded;
    cx_error_clear(&err);
    CHECK_INT(cx__yaml_load_file(FIX "bitstring-testlist.json", &doc, &err), CX_OK);
    if (!doc) return;
    subject = cx__ymap_get(cx__ydoc_root(doc), "credentialSubject");
    encoded = subject ? cx__ymap_get(subject, "encodedList") : NULL;
    CHECK(encoded != NULL);
    CHECK_INT(cx__status_list_decode(FIX "bitstring-testlist.json", encoded, CX_STATUS_BITSTRING,
                                     &list, &err),
              CX_OK);
    if (list) {
        CHECK_INT(cx__status_list_entries(list), 131072);
        CHECK_INT(cx__status_list_get(list, 22), 0);
        CHECK_INT(cx__status_list_get(list, 23), 1);
        CHECK_INT(cx__status_list_get(list, 24), 0);
        CHECK_INT(count_set(list), 1);
        CHECK_INT(cx__status_list_get(list, 131071), 0);
        CHECK_INT(cx__status_list_get(list, 131072), -1);
    }
    cx__status_list_free(list);
    cx__ydoc_free(doc);
}

TEST(statuslist2021_bits_are_msb_first)
{
    char msg[1024];
    char *text = slurp(FIX "statuslist2021.txt");
    cx_status_list *list = decode_text(text, CX_STATUS_LIST2021, msg, sizeof msg);
    CHECK_STR(msg, "");
    if (list) {
        static const size_t set[] = {0, 7, 8, 1000, 131071};
        CHECK_INT(cx__status_list_entries(list), 131072);
        for (size_t i = 0; i < CX_COUNT(set); i++) CHECK_INT(cx__status_list_get(list, set[i]), 1);
        CHECK_INT(cx__status_list_get(list, 1), 0);
        CHECK_INT(cx__status_list_get(list, 6), 0);
        CHECK_INT(cx__status_list_get(list, 999), 0);
        CHECK_INT(count_set(list), 5);
    }
    cx__status_list_free(list);
    free(text);
}

TEST(status_list_index_from_its_node)
{
    static const struct {
        const char *yaml, *msg;
        int bit;
    } cases[] = {
        {"i: \"1000\"", "", 1},
        {"i: 1001", "", 0},
        {"i: \"0\"", "", 1},
        {"i: \"131071\"", "", 1},
        {"i: \"131072\"",
         "idx.yaml:1:4: statusListIndex 131072 is out of range: the list has 131072 "
         "entries",
         -1},
        {"i: \"99999999999999999999999\"",
         "idx.yaml:1:4: statusListIndex '99999999999999999999999' is not a non-negative decimal "
         "integer",
         -1},
        {"i: \"-1\"", "idx.yaml:1:4: statusListIndex '-1' is not a non-negative decimal integer",
         -1},
        {"i: \"01\"", "idx.yaml:1:4: statusListIndex '01' is not a non-negative decimal integer",
         -1},
        {"i: \"1 \"", "idx.yaml:1:4: statusListIndex '1 ' is not a non-negative decimal integer",
         -1},
        {"i: [1]", "idx.yaml:1:4: expected a single value for 'statusListIndex', found a list", -1},
    };
    char msg[1024];
    char *text = slurp(FIX "statuslist2021.txt");
    cx_status_list *list = decode_text(text, CX_STATUS_LIST2021, msg, sizeof msg);
    for (size_t i = 0; list && i < CX_COUNT(cases); i++) {
        cx_ydoc *doc = NULL;
        cx_error err;
        int bit = -1, rc;
        cx_error_clear(&err);
        CHECK_INT(
            cx__yaml_load_buffer("idx.yaml", cases[i].yaml, strlen(cases[i].yaml), &doc, &err),
            CX_OK);
        rc = cx__status_list_bit("idx.yaml", list, cx__ymap_get(cx__ydoc_root(doc), "i"), &bit,
                                 &err);
        cx_error_format(&err, msg, sizeof msg);
        CHECK_INT(rc, cases[i].bit < 0 ? CX_EINPUT : CX_OK);
        CHECK_STR(rc == CX_OK ? "" : msg, cases[i].msg);
        if (cases[i].bit >= 0) CHECK_INT(bit, cases[i].bit);
        cx__ydoc_free(doc);
    }
    cx__status_list_free(list);
    free(text);
}

TEST(decompression_bomb_is_refused)
{
    char msg[1024];
    char *text = slurp(FIX "status-bomb.txt");
    cx_status_list *list = decode_text(text, CX_STATUS_BITSTRING, msg, sizeof msg);
    CHECK(list == NULL);
    CHECK_STR(msg, "list.yaml:2:14: encodedList refused: the list inflates to more than 16 MiB (a "
                   "decompression bomb?)");
    free(text);
}

TEST(bad_lists_are_refused_located)
{
    static const unsigned char hello[] = "hello, world";
    char *list2021 = slurp(FIX "statuslist2021.txt");
    char *bitstring = slurp(FIX "bitstring-testlist.json");
    char with_u[256], not_gzip[64], cut[64], trailing[256];
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    char msg[1024];
    /* the same gzip with three bytes after it */
    CHECK_INT(cx__b64url_decode(list2021, strlen(list2021), &gz, &gz_len), 0);
    gz = realloc(gz, gz_len + 3);
    memcpy(gz + gz_len, "xyz", 3);
    test_b64url(gz, gz_len + 3, trailing);
    free(gz);
    snprintf(with_u, sizeof with_u, "u%s", list2021);
    test_b64url(hello, sizeof hello - 1, not_gzip + 1);
    not_gzip[0] = 'u';
    snprintf(cut, sizeof cut, "%.40s", list2021);
    {
        static const struct {
            const char *text;
            cx_status_list_format format;
            const char *msg;
        } bad[] = {
            {"H4sIAAAAAAACAwMAAAAAAAAAAAA", CX_STATUS_BITSTRING,
             "list.yaml:2:14: encodedList of a BitstringStatusList must be multibase base64url "
             "(starting with 'u')"},
            {"uH4sIAAAAAAACAwMAAAAAAAAAAAA", CX_STATUS_BITSTRING,
             "list.yaml:2:14: encodedList refused: the list is empty"},
            {"uH4sIAAAAAAACAwMAAAAAAAAAAAA", CX_STATUS_LIST2021,
             "list.yaml:2:14: encodedList refused: the data is not valid GZIP"},
            {"uH4sI=AAAAAACAwMAAAAAAAAAAAA", CX_STATUS_BITSTRING,
             "list.yaml:2:14: invalid base64url in encodedList at character 6: expected the "
             "url-safe alphabet (A-Z a-z 0-9 - _) without padding"},
            {"\"\"", CX_STATUS_LIST2021,
             "list.yaml:2:14: empty value for 'encodedList'; give a value or leave the key out"},
        };
        for (size_t i = 0; i < CX_COUNT(bad); i++) {
            cx_status_list *list = decode_text(bad[i].text, bad[i].format, msg, sizeof msg);
            CHECK(list == NULL);
            CHECK_STR(msg, bad[i].msg);
            cx__status_list_free(list);
        }
    }
    CHECK(decode_text(not_gzip, CX_STATUS_BITSTRING, msg, sizeof msg) == NULL);
    CHECK_STR(msg, "list.yaml:2:14: encodedList refused: the data is not valid GZIP");
    CHECK(decode_text(cut, CX_STATUS_LIST2021, msg, sizeof msg) == NULL);
    CHECK_STR(msg, "list.yaml:2:14: encodedList refused: the GZIP data is cut short");
    CHECK(decode_text(trailing, CX_STATUS_LIST2021, msg, sizeof msg) == NULL);
    CHECK_STR(msg, "list.yaml:2:14: encodedList refused: bytes after the end of the GZIP stream");
    /* a Bitstring list read as StatusList2021: 'u' is base64url too, the length is not */
    CHECK(decode_text(with_u, CX_STATUS_LIST2021, msg, sizeof msg) == NULL);
    CHECK_STR(msg, "list.yaml:2:14: invalid base64url in encodedList at character 77: expected "
                   "the url-safe alphabet (A-Z a-z 0-9 - _) without padding");
    free(list2021);
    free(bitstring);
}

static const test_case tests[] = {
    {"sample_bitstring_list_has_bit_23", sample_bitstring_list_has_bit_23},
    {"statuslist2021_bits_are_msb_first", statuslist2021_bits_are_msb_first},
    {"status_list_index_from_its_node", status_list_index_from_its_node},
    {"decompression_bomb_is_refused", decompression_bomb_is_refused},
    {"bad_lists_are_refused_located", bad_lists_are_refused_located},
    {NULL, NULL},
};

TEST_MAIN(tests)
