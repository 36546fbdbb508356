/*
 * test_json_reader.c -- unit tests of the JSON reader: the tree, every
 * node's JSON Pointer (with ~ and / escaped), numbers as canonical text,
 * the plain flag, and each refusal with its location.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "test.h"
#include "util.h"

#define J(s) s, sizeof(s) - 1

static const cx_ynode *load_ok(const char *data, size_t len, cx_ydoc **doc)
{
    cx_error err;
    cx_error_clear(&err);
    int rc = cx__json_load_buffer("t.json", data, len, doc, &err);
    if (rc != CX_OK) {
        fprintf(stderr, "  unexpected error %d at %d:%d: %s\n", rc, err.line, err.column,
                err.message);
        test_failed_ = 1;
        return NULL;
    }
    return cx__ydoc_root(*doc);
}

static cx_error load_bad(const char *data, size_t len)
{
    cx_error err;
    cx_ydoc *doc = (cx_ydoc *)1;
    cx_error_clear(&err);
    CHECK_INT(cx__json_load_buffer("bad.json", data, len, &doc, &err), CX_EINPUT);
    CHECK(doc == NULL);
    return err;
}

static const char *formatted(const cx_error *err)
{
    static char buf[2048];
    cx_error_format(err, buf, sizeof buf);
    return buf;
}

TEST(tree_and_pointers)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root =
        load_ok(J("{\"@graph\": [{\"a/b\": \"x\", \"m~n\": [1, \"two\"]}]}"), &doc);
    if (!root) return;
    CHECK_INT(root->kind, CX_YMAP);
    CHECK_STR(root->where, "");
    CHECK_STR(cx__ydoc_format(doc), "json");
    const cx_ynode *graph = cx__ymap_get(root, "@graph");
    CHECK_INT(graph->kind, CX_YLIST);
    CHECK_STR(graph->where, "/@graph");
    const cx_ynode *item = graph->items[0];
    CHECK_STR(item->where, "/@graph/0");
    CHECK_STR(item->keys[0]->text, "a/b");
    CHECK_STR(item->keys[0]->where, "/@graph/0/a~1b");
    CHECK_STR(cx__ymap_get(item, "a/b")->where, "/@graph/0/a~1b");
    CHECK_STR(cx__ymap_get(item, "a/b")->text, "x");
    const cx_ynode *list = cx__ymap_get(item, "m~n");
    CHECK_STR(list->where, "/@graph/0/m~0n");
    CHECK_STR(list->items[1]->where, "/@graph/0/m~0n/1");
    CHECK_STR(list->items[1]->text, "two");
    CHECK_INT(list->items[0]->line, 0);
    cx__ydoc_free(doc);
}

TEST(numbers_and_literals_as_canonical_text)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root =
        load_ok(J("[48.0, 12.5, 40, -7, 0.1, 1e3, true, false, null, \"40\"]"), &doc);
    if (!root) return;
    static const char *const want[] = {"48",   "12.5", "40",    "-7",   "0.1",
                                       "1000", "true", "false", "null", "40"};
    CHECK_INT(root->count, 10);
    for (size_t i = 0; i < root->count && i < 10; i++) {
        CHECK_STR(root->items[i]->text, want[i]);
        CHECK_INT(root->items[i]->plain, i < 9);
    }
    cx__ydoc_free(doc);
}

TEST(one_bom_is_stripped)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(J("\xEF\xBB\xBF{\"a\": \"b\"}"), &doc);
    if (root) CHECK_STR(cx__ymap_get(root, "a")->text, "b");
    cx__ydoc_free(doc);
    cx_error err = load_bad(J("\xEF\xBB\xBF\xEF\xBB\xBF{}"));
    CHECK_INT(err.line, 1);
}

TEST(duplicate_keys_are_refused_at_their_place)
{
    cx_error err = load_bad(J("{\n  \"a\": 1,\n  \"a\": 2\n}"));
    CHECK_INT(err.line, 3);
    CHECK(err.column > 0);
    CHECK_CONTAINS(err.message, "duplicate object key");
}

TEST(parse_errors_give_line_and_column)
{
    cx_error err = load_bad(J("{\n  \"a\": [1, 2,,]\n}"));
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 14); /* the second comma */
    CHECK_CONTAINS(formatted(&err), "bad.json:2:14: invalid JSON: ");
}

TEST(nul_in_a_string_is_located_by_pointer)
{
    cx_error err = load_bad(J("{\"a\": [\"x\\u0000y\"]}"));
    CHECK_INT(err.line, 0);
    CHECK_STR(formatted(&err), "bad.json: /a/0: NUL character (\\u0000) in a string");
}

TEST(depth_33_is_refused_32_is_read)
{
    char deep[80];
    memset(deep, '[', 33);
    memset(deep + 33, ']', 33);
    cx_error err = load_bad(deep, 66);
    CHECK_INT(err.line, 1);
    CHECK_INT(err.column, 33);
    CHECK_CONTAINS(err.message, "nesting deeper than 32 levels");
    cx_ydoc *doc = NULL;
    CHECK(load_ok(deep + 1, 64, &doc) != NULL);
    cx__ydoc_free(doc);
    /* brackets inside strings do not count */
    char s[120] = "[\"";
    memset(s + 2, '[', 40);
    memcpy(s + 42, "\"]", 3);
    CHECK(load_ok(s, strlen(s), &doc) != NULL);
    cx__ydoc_free(doc);
}

TEST(located_errors_by_pointer_in_every_form)
{
    cx_error err;
    char place[200];
    cx_ynode n = {.kind = CX_YSCALAR, .where = "/@graph/0/ceterms:ownedBy/0"};
    cx_error_clear(&err);
    cx__ynode_error(&err, "x.json", &n, "unknown provider '%s'", "p");
    CHECK_STR(formatted(&err), "x.json: /@graph/0/ceterms:ownedBy/0: unknown provider 'p'");
    n.where = "holder";
    n.line = 7;
    cx__ynode_error(&err, "a.csv", &n, "bad");
    CHECK_STR(formatted(&err), "a.csv:7: column 'holder': bad");
    n.where = NULL;
    n.column = 3;
    cx__ynode_error(&err, "a.yaml", &n, "bad");
    CHECK_STR(formatted(&err), "a.yaml:7:3: bad");
    int is_column = -1;
    CHECK_STR(cx__yerror_parts(&err, place, sizeof place, &is_column), "bad");
    CHECK_STR(place, "");
    CHECK_INT(is_column, 0);
    n.where = "result.score";
    n.column = 0;
    cx__ynode_error(&err, "a.csv", &n, "invalid number '%s'", "x");
    CHECK_STR(cx__yerror_parts(&err, place, sizeof place, &is_column), "invalid number 'x'");
    CHECK_STR(place, "result.score");
    CHECK_INT(is_column, 1);
    n.where = "/a/0";
    n.line = 0;
    cx__ynode_error(&err, "x.json", &n, "bad: really");
    CHECK_STR(cx__yerror_parts(&err, place, sizeof place, &is_column), "bad: really");
    CHECK_STR(place, "/a/0");
    CHECK_INT(is_column, 0);
    CHECK_STR(cx__yplace(place, sizeof place, "a.csv", 7, 0, "issued"), "a.csv:7: column 'issued'");
    CHECK_STR(cx__yplace(place, sizeof place, "x.json", 0, 0, "/a"), "x.json: /a");
    CHECK_STR(cx__yplace(place, sizeof place, "a.yaml", 7, 3, NULL), "a.yaml:7:3");
}

static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fff;
}

TEST(mutated_documents_read_or_fail_located)
{
    static const char good[] = "{\"@graph\": [{\"a/b\": \"x\\u0041\", \"n\": [1.5, true, null]},\n"
                               "  {\"c~\": {\"d\": [[], {}]}}]}";
    static const char bytes[] = {'{', '}', '[', ']', '"', '\\', ',', ':', '\0', (char)0xC3, '1'};
    unsigned state = 7;
    char buf[sizeof good];
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, good, sizeof good);
        size_t len = sizeof good - 1 - next_random(&state) % 4;
        for (int k = 0; k < 1 + round % 3; k++)
            buf[next_random(&state) % len] = bytes[next_random(&state) % sizeof bytes];
        cx_ydoc *doc = NULL;
        cx_error err;
        cx_error_clear(&err);
        int rc = cx__json_load_buffer("m.json", buf, len, &doc, &err);
        CHECK(rc == CX_OK || rc == CX_EINPUT);
        /* refused: at line:col, or at a JSON Pointer */
        CHECK(rc == CX_OK ? doc != NULL : doc == NULL && (err.line >= 1 || err.message[0] == '/'));
        cx__ydoc_free(doc);
    }
}

static const test_case cases[] = {
    {"tree_and_pointers", tree_and_pointers},
    {"numbers_and_literals_as_canonical_text", numbers_and_literals_as_canonical_text},
    {"one_bom_is_stripped", one_bom_is_stripped},
    {"duplicate_keys_are_refused_at_their_place", duplicate_keys_are_refused_at_their_place},
    {"parse_errors_give_line_and_column", parse_errors_give_line_and_column},
    {"nul_in_a_string_is_located_by_pointer", nul_in_a_string_is_located_by_pointer},
    {"depth_33_is_refused_32_is_read", depth_33_is_refused_32_is_read},
    {"located_errors_by_pointer_in_every_form", located_errors_by_pointer_in_every_form},
    {"mutated_documents_read_or_fail_located", mutated_documents_read_or_fail_located},
    {NULL, NULL},
};

TEST_MAIN(cases)
