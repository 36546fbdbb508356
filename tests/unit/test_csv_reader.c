/*
 * test_csv_reader.c -- unit tests of the CSV award reader: RFC 4180 fields,
 * the catalog document it builds (holders grouped, awards in row order,
 * every node at its record's line and column), detection by header, and
 * each refusal located at file:LINE: column 'NAME'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_reader.h"
#include "test.h"
#include "util.h"

#define C(s) s, sizeof(s) - 1

static const cx_ynode *load_ok(const char *data, size_t len, cx_ydoc **doc)
{
    cx_error err;
    cx_error_clear(&err);
    if (cx__csv_load_buffer("a.csv", data, len, NULL, doc, &err) != CX_OK) {
        fprintf(stderr, "  unexpected error: %s:%d: %s\n", err.file, err.line, err.message);
        test_failed_ = 1;
        return NULL;
    }
    return cx__ydoc_root(*doc);
}

/* The formatted error of data, which must be refused. */
static const char *load_bad(const char *data, size_t len)
{
    static char buf[2048];
    cx_error err;
    cx_ydoc *doc = (cx_ydoc *)1;
    cx_error_clear(&err);
    CHECK_INT(cx__csv_load_buffer("a.csv", data, len, NULL, &doc, &err), CX_EINPUT);
    CHECK(doc == NULL);
    cx_error_format(&err, buf, sizeof buf);
    return buf;
}

TEST(rows_become_holders_and_awards)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root =
        load_ok(C("holder,credential,issued,grade,result.score,holder_jurisdiction\r\n"
                  "h1,C1,2025-01-02,B,88,US-TX\r\n"
                  "h2,C1,2025-01-03,,,\r\n"
                  "h1,C2,2025-02-01,\"A\",,US-CA\r\n"),
                &doc);
    if (!root) return;
    CHECK_STR(cx__ydoc_format(doc), "csv");
    const cx_ynode *holders = cx__ymap_get(root, "holders");
    CHECK_INT(holders->count, 2);
    const cx_ynode *h1 = holders->items[0];
    CHECK_STR(cx__ymap_get(h1, "id")->text, "h1");
    CHECK_STR(cx__ymap_get(h1, "id")->where, "holder");
    CHECK_STR(cx__ymap_get(h1, "jurisdiction")->text, "US-TX"); /* the first given */
    const cx_ynode *awards = cx__ymap_get(h1, "awards");
    CHECK_INT(awards->count, 2);
    const cx_ynode *a = awards->items[0];
    CHECK_STR(cx__ymap_get(a, "credential")->text, "C1");
    CHECK_INT(cx__ymap_get(a, "issued")->line, 2);
    CHECK_STR(cx__ymap_get(a, "issued")->where, "issued");
    CHECK_STR(cx__ymap_get(cx__ymap_get(a, "results"), "score")->text, "88");
    CHECK_STR(cx__ymap_get(cx__ymap_get(a, "results"), "score")->where, "result.score");
    CHECK_STR(cx__ymap_get(awards->items[1], "grade")->text, "A");
    CHECK_INT(cx__ymap_get(awards->items[1], "grade")->line, 4);
    const cx_ynode *h2 = holders->items[1];
    CHECK(cx__ymap_get(h2, "jurisdiction") == NULL);
    a = cx__ymap_get(h2, "awards")->items[0];
    CHECK(cx__ymap_get(a, "grade") == NULL); /* an empty cell is an absent key */
    CHECK(cx__ymap_get(a, "results") == NULL);
    cx__ydoc_free(doc);
}

TEST(quoted_fields_with_commas_quotes_and_line_breaks)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(C("\xEF\xBB\xBFholder,credential,issued,evidence\n"
                                     "h1,C1,2025-01-02,\"a, \"\"b\"\"\nc\"\n"
                                     "h1,C1,2025-01-03,x\n"),
                                   &doc);
    if (!root) return;
    const cx_ynode *awards = cx__ymap_get(cx__ymap_get(root, "holders")->items[0], "awards");
    CHECK_STR(cx__ymap_get(awards->items[0], "evidence")->text, "a, \"b\"\nc");
    CHECK_INT(cx__ymap_get(awards->items[0], "evidence")->line, 2);
    CHECK_INT(cx__ymap_get(awards->items[1], "issued")->line, 4); /* after the break */
    cx__ydoc_free(doc);
}

TEST(every_refusal_is_located)
{
    CHECK_STR(load_bad(C("holder,credential,issued,colour\nh,c,2025-01-01,red\n")),
              "a.csv:1: column 'colour': unknown column; expected one of: holder, credential, "
              "issued, expires, jurisdiction, hours, status, grade, evidence, "
              "holder_jurisdiction, result.<key>");
    CHECK_STR(load_bad(C("holder,credential,issued,holder\n")),
              "a.csv:1: column 'holder': column named twice in the header (first as field 1)");
    CHECK_STR(load_bad(C("holder,credential,expires\n")),
              "a.csv:1: missing required column 'issued'; the header needs holder, credential "
              "and issued");
    CHECK_STR(load_bad(C("holder,credential,issued\nh,c\n")),
              "a.csv:2: row has 2 fields, the header has 3; quote a value that contains a comma");
    CHECK_STR(load_bad(C("holder,credential,issued\nh,c,2025-01-01,x\n")),
              "a.csv:2: row has 4 fields, the header has 3; quote a value that contains a comma");
    CHECK_STR(load_bad(C("holder,credential,issued\nh,\"c\n\n")),
              "a.csv:2: column 'credential': unterminated quoted field (the quote opens on line "
              "2); close it with \"");
    CHECK_STR(load_bad(C("holder,credential,issued\nh,\"c\"x,2025-01-01\n")),
              "a.csv:2: column 'credential': text after the closing quote of a field; quote the "
              "whole field and double any quote inside it");
    CHECK_STR(load_bad(C("holder,credential,issued\nh,c\"x,2025-01-01\n")),
              "a.csv:2: column 'credential': a quote inside an unquoted field; quote the whole "
              "field and double the quote (\"\")");
    CHECK_STR(load_bad(C("holder,credential,issued\nh,c,2025\0-01-01\n")),
              "a.csv:2: column 'issued': NUL character in a field");
    CHECK_STR(load_bad(C("holder,credential,issued\nh,c\xff,2025-01-01\n")),
              "a.csv:2: column 'credential': invalid UTF-8 byte 0xff in a field; save the file "
              "as UTF-8");
    CHECK_STR(load_bad(C("holder,credential,issued\nh,c,2025-01-01\n,c,2025-01-01\n")),
              "a.csv:3: column 'holder': empty value; every row needs a holder, a credential "
              "and an issue date");
}

TEST(header_names_lose_their_spaces_values_keep_theirs)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root =
        load_ok(C("holder, credential ,issued, evidence\nh,c,2025-01-01, x \n"), &doc);
    if (root) {
        const cx_ynode *a = cx__ymap_get(cx__ymap_get(root, "holders")->items[0], "awards");
        CHECK_STR(cx__ymap_get(a->items[0], "credential")->where, "credential");
        CHECK_STR(cx__ymap_get(a->items[0], "evidence")->text, " x ");
    }
    cx__ydoc_free(doc);
}

TEST(blank_lines_and_a_missing_final_newline)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(C("holder,credential,issued\n\nh,c,2025-01-01"), &doc);
    if (root) {
        const cx_ynode *a = cx__ymap_get(cx__ymap_get(root, "holders")->items[0], "awards");
        CHECK_INT(a->count, 1);
        CHECK_INT(cx__ymap_get(a->items[0], "issued")->line, 3);
    }
    cx__ydoc_free(doc);
}

TEST(detection_by_header)
{
    CHECK(cx__csv_detect(C("holder,credential,issued\n")));
    CHECK(cx__csv_detect(C("\xEF\xBB\xBF\"issued\",grade,\"holder\",credential\r\nx")));
    CHECK(cx__csv_detect(C("holder, credential , issued\n")));
    CHECK(!cx__csv_detect(C("holder,credential\nissued\n")));
    CHECK(!cx__csv_detect(C("holders:\n  - id: h\n")));
    CHECK(!cx__csv_detect(C("")));
}

/* A deterministic generator, so a failure repeats. */
static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fff;
}

TEST(mutated_lists_read_or_fail_located)
{
    static const char good[] = "holder,credential,issued,evidence,result.x\r\n"
                               "h1,C1,2025-01-02,\"a, \"\"b\"\"\nc\",1\r\n"
                               "h2,C2,2025-01-03,,2\r\n";
    static const char bytes[] = {',', '"', '\n', '\r', '\0', (char)0xC3, (char)0xFF, 'x', ' '};
    unsigned state = 12;
    char buf[sizeof good];
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, good, sizeof good);
        size_t len = sizeof good - 1 - next_random(&state) % 8; /* sometimes cut short */
        for (int k = 0; k < 1 + round % 4; k++)
            buf[next_random(&state) % len] = bytes[next_random(&state) % sizeof bytes];
        cx_ydoc *doc = NULL;
        cx_error err;
        cx_error_clear(&err);
        int rc = cx__csv_load_buffer("m.csv", buf, len, NULL, &doc, &err);
        CHECK(rc == CX_OK || rc == CX_EINPUT);
        CHECK(rc == CX_OK ? doc != NULL : doc == NULL && err.line >= 1 && err.message[0]);
        cx__ydoc_free(doc);
    }
}

TEST(hostile_widths_are_bounded)
{
    size_t n = 1000000; /* a row of a million commas: counted, not kept */
    char *buf = malloc(40 + n);
    if (!buf) return;
    size_t len = (size_t)sprintf(buf, "holder,credential,issued\nh1,C1,");
    memset(buf + len, ',', n);
    len += n;
    CHECK_STR(load_bad(buf, len), "a.csv:2: row has 1000003 fields, the header has 3; quote a "
                                  "value that contains a comma");
    len = 0; /* a header of 5000 columns */
    for (int i = 0; i < 5000; i++) len += (size_t)sprintf(buf + len, "result.k%d,", i);
    len += (size_t)sprintf(buf + len, "holder,credential,issued\n");
    CHECK_STR(load_bad(buf, len), "a.csv:1: more than 4096 columns in the header");
    free(buf);
}

static const test_case cases[] = {
    {"rows_become_holders_and_awards", rows_become_holders_and_awards},
    {"quoted_fields_with_commas_quotes_and_line_breaks",
     quoted_fields_with_commas_quotes_and_line_breaks},
    {"every_refusal_is_located", every_refusal_is_located},
    {"header_names_lose_their_spaces_values_keep_theirs",
     header_names_lose_their_spaces_values_keep_theirs},
    {"blank_lines_and_a_missing_final_newline", blank_lines_and_a_missing_final_newline},
    {"detection_by_header", detection_by_header},
    {"mutated_lists_read_or_fail_located", mutated_lists_read_or_fail_located},
    {"hostile_widths_are_bounded", hostile_widths_are_bounded},
    {NULL, NULL},
};

TEST_MAIN(cases)
