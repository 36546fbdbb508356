/*
 * test_yaml_reader.c -- unit tests of the strict YAML reader: exact trees
 * and 1-based line:column (columns in characters), every refusal with its
 * location and message, and hostile input (depth and alias bombs, junk).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util.h"
#include "yaml_reader.h"

/* The length of a string literal, which may hold NUL bytes. */
#define Y(s) s, sizeof(s) - 1

/* Parses data that must be good; the caller frees *doc. */
static const cx_ynode *load_ok(const char *data, size_t len, cx_ydoc **doc)
{
    cx_error err;
    cx_error_clear(&err);
    int rc = cx__yaml_load_buffer("t.yaml", data, len, doc, &err);
    if (rc != CX_OK) {
        fprintf(stderr, "  unexpected error %d at %d:%d: %s\n", rc, err.line, err.column,
                err.message);
        test_failed_ = 1;
        return NULL;
    }
    return cx__ydoc_root(*doc);
}

/* Parses data that must fail; returns the error. */
static cx_error load_bad(const char *data, size_t len)
{
    cx_error err;
    cx_ydoc *doc = (cx_ydoc *)1;
    cx_error_clear(&err);
    int rc = cx__yaml_load_buffer("bad.yaml", data, len, &doc, &err);
    CHECK_INT(rc, CX_EINPUT);
    CHECK_INT(err.code, CX_EINPUT);
    CHECK(doc == NULL);
    CHECK_STR(err.file, "bad.yaml");
    return err;
}

static void check_scalar(const cx_ynode *n, const char *text, int plain, int line, int column)
{
    CHECK(n != NULL);
    if (!n) return;
    CHECK_INT(n->kind, CX_YSCALAR);
    CHECK_STR(n->text, text);
    CHECK_INT(n->len, strlen(text));
    CHECK_INT(n->plain, plain);
    CHECK_INT(n->line, line);
    CHECK_INT(n->column, column);
}

static void check_node(const cx_ynode *n, cx_ynode_kind kind, size_t count, int line, int column)
{
    CHECK(n != NULL);
    if (!n) return;
    CHECK_INT(n->kind, kind);
    CHECK_INT(n->count, count);
    CHECK_INT(n->line, line);
    CHECK_INT(n->column, column);
}

/* 1 when a and b hold the same tree (and, with locations, the same marks). */
static int same_tree(const cx_ynode *a, const cx_ynode *b, int locations)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind) return 0;
    if (a->kind != CX_YSCALAR && a->count != b->count) return 0;
    if (locations && (a->line != b->line || a->column != b->column)) return 0;
    if (a->kind == CX_YSCALAR)
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0 && a->plain == b->plain;
    for (size_t i = 0; i < a->count; i++) {
        if (a->kind == CX_YMAP && !same_tree(a->keys[i], b->keys[i], locations)) return 0;
        if (!same_tree(a->items[i], b->items[i], locations)) return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ good input */

static const char good_catalog[] = "# credentials\n"
                                   "version: 1\n"
                                   "credentials:\n"
                                   "  - id: TX-EVS-101\n"
                                   "    name: \"Zoë's course\"\n"
                                   "    tags: [ev, 'auto']\n"
                                   "holders:\n"
                                   "  - { name: Zoë, id: h-0001, awards: [] }\n";

TEST(good_document_tree_and_locations)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(Y(good_catalog), &doc);
    check_node(root, CX_YMAP, 3, 2, 1);
    if (!root || root->count != 3) goto done;
    check_scalar(root->keys[0], "version", 1, 2, 1);
    check_scalar(root->items[0], "1", 1, 2, 10);
    check_scalar(root->keys[1], "credentials", 1, 3, 1);
    check_scalar(root->keys[2], "holders", 1, 7, 1);

    const cx_ynode *creds = root->items[1];
    check_node(creds, CX_YLIST, 1, 4, 3);
    const cx_ynode *cred = creds->items[0];
    check_node(cred, CX_YMAP, 3, 4, 5);
    check_scalar(cred->keys[0], "id", 1, 4, 5);
    check_scalar(cred->items[0], "TX-EVS-101", 1, 4, 9);
    check_scalar(cred->keys[1], "name", 1, 5, 5);
    check_scalar(cred->items[1], "Zoë's course", 0, 5, 11);
    const cx_ynode *tags = cred->items[2];
    check_node(tags, CX_YLIST, 2, 6, 11);
    check_scalar(tags->items[0], "ev", 1, 6, 12);
    check_scalar(tags->items[1], "auto", 0, 6, 16);
    CHECK(tags->keys == NULL);

    /* "Zoë" is 3 characters and 4 bytes: the columns after it count characters */
    const cx_ynode *holder = root->items[2]->items[0];
    check_node(root->items[2], CX_YLIST, 1, 8, 3);
    check_node(holder, CX_YMAP, 3, 8, 5);
    check_scalar(holder->keys[0], "name", 1, 8, 7);
    check_scalar(holder->items[0], "Zoë", 1, 8, 13);
    check_scalar(holder->keys[1], "id", 1, 8, 18);
    check_scalar(holder->items[1], "h-0001", 1, 8, 22);
    check_scalar(holder->keys[2], "awards", 1, 8, 30);
    check_node(holder->items[2], CX_YLIST, 0, 8, 38);
    CHECK(holder->items[2]->items == NULL);
    CHECK_STR(cx__ydoc_name(doc), "t.yaml");
done:
    cx__ydoc_free(doc);
}

TEST(flow_and_block_style_give_the_same_tree)
{
    static const char block[] = "a:\n"
                                "  - 1\n"
                                "  - x: y\n"
                                "    z: [w]\n"
                                "b:\n"
                                "  c: d\n"
                                "e: []\n"
                                "f: {}\n";
    static const char flow[] = "{a: [1, {x: y, z: [w]}], b: {c: d}, e: [], f: {}}";
    cx_ydoc *d1 = NULL, *d2 = NULL;
    const cx_ynode *r1 = load_ok(Y(block), &d1);
    const cx_ynode *r2 = load_ok(Y(flow), &d2);
    CHECK(r1 && r2);
    CHECK(same_tree(r1, r2, 0));
    CHECK(!same_tree(r1, r2, 1));
    check_node(r2, CX_YMAP, 4, 1, 1);
    if (r2 && r2->count == 4) {
        check_node(r2->items[0], CX_YLIST, 2, 1, 5);
        check_node(r2->items[0]->items[1], CX_YMAP, 2, 1, 9);
        check_scalar(r2->items[0]->items[1]->items[1]->items[0], "w", 1, 1, 20);
        check_node(r2->items[3], CX_YMAP, 0, 1, 47);
    }
    cx__ydoc_free(d1);
    cx__ydoc_free(d2);
}

TEST(quoted_and_plain_scalars_are_all_text)
{
    static const char yaml[] = "a: 40\n"
                               "b: \"40\"\n"
                               "c: '40'\n"
                               "d: yes\n"
                               "e: ~\n"
                               "f:\n"
                               "g: \"x\\0y\"\n"
                               "h: |\n"
                               "  line one\n"
                               "  line two\n"
                               "i: \"\"\n"
                               "j: 1e999\n";
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(Y(yaml), &doc);
    check_node(root, CX_YMAP, 10, 1, 1);
    if (!root || root->count != 10) goto done;
    check_scalar(cx__ymap_get(root, "a"), "40", 1, 1, 4);
    check_scalar(cx__ymap_get(root, "b"), "40", 0, 2, 4);
    check_scalar(cx__ymap_get(root, "c"), "40", 0, 3, 4);
    check_scalar(cx__ymap_get(root, "d"), "yes", 1, 4, 4);
    check_scalar(cx__ymap_get(root, "e"), "~", 1, 5, 4);
    const cx_ynode *f = cx__ymap_get(root, "f");
    CHECK(f && f->kind == CX_YSCALAR && f->len == 0 && f->plain == 1 && f->line == 6);
    const cx_ynode *g = cx__ymap_get(root, "g");
    CHECK(g && g->len == 3 && memcmp(g->text, "x\0y", 4) == 0 && g->plain == 0);
    check_scalar(cx__ymap_get(root, "h"), "line one\nline two\n", 0, 8, 4);
    check_scalar(cx__ymap_get(root, "i"), "", 0, 11, 4);
    check_scalar(cx__ymap_get(root, "j"), "1e999", 1, 12, 4);
done:
    cx__ydoc_free(doc);
}

TEST(empty_and_comment_only_files_have_no_root)
{
    static const char *const empty[] = {"", "# only a comment\n# and another\n", "\n\n   \n",
                                        "\xEF\xBB\xBF", "\r\n# c\r\n"};
    for (size_t i = 0; i < CX_COUNT(empty); i++) {
        cx_ydoc *doc = NULL;
        CHECK(load_ok(empty[i], strlen(empty[i]), &doc) == NULL);
        CHECK(doc != NULL);
        cx__ydoc_free(doc);
    }
    cx_ydoc *doc = NULL;
    CHECK(load_ok(NULL, 0, &doc) == NULL);
    cx__ydoc_free(doc);
    /* an explicit empty document is an empty plain scalar */
    check_scalar(load_ok(Y("---\n"), &doc), "", 1, 2, 1);
    cx__ydoc_free(doc);
    check_scalar(load_ok(Y("--- text\n"), &doc), "text", 1, 1, 5);
    cx__ydoc_free(doc);
    cx__ydoc_free(NULL);
}

TEST(map_lookup_and_kind_names)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(Y("id: a\nname: b\nlist: [1]\n"), &doc);
    check_scalar(cx__ymap_get(root, "name"), "b", 1, 2, 7);
    CHECK(cx__ymap_get(root, "nam") == NULL);
    CHECK(cx__ymap_get(root, "names") == NULL);
    CHECK(cx__ymap_get(NULL, "id") == NULL);
    CHECK(cx__ymap_get(cx__ymap_get(root, "list"), "id") == NULL);
    CHECK(cx__ymap_get(cx__ymap_get(root, "id"), "id") == NULL);
    CHECK_STR(cx__ynode_kind_name(CX_YMAP), "a mapping");
    CHECK_STR(cx__ynode_kind_name(CX_YLIST), "a list");
    CHECK_STR(cx__ynode_kind_name(CX_YSCALAR), "a scalar");
    cx__ydoc_free(doc);
}

TEST(utf8_bom_is_accepted)
{
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(Y("\xEF\xBB\xBF"
                                     "id: Zoë\nx: y\n"),
                                   &doc);
    check_node(root, CX_YMAP, 2, 1, 1);
    if (root && root->count == 2) {
        check_scalar(root->keys[0], "id", 1, 1, 1);
        check_scalar(root->items[0], "Zoë", 1, 1, 5);
    }
    cx__ydoc_free(doc);
}

/* Replaces every "\n" by "\r\n"; the caller frees. */
static char *to_crlf(const char *s, size_t *len)
{
    char *out = malloc(2 * strlen(s) + 1), *p = out;
    for (; *s; s++) {
        if (*s == '\n') *p++ = '\r';
        *p++ = *s;
    }
    *p = '\0';
    *len = (size_t)(p - out);
    return out;
}

TEST(crlf_gives_the_same_lines_and_columns)
{
    size_t len;
    char *crlf = to_crlf(good_catalog, &len);
    cx_ydoc *d1 = NULL, *d2 = NULL;
    const cx_ynode *r1 = load_ok(Y(good_catalog), &d1);
    const cx_ynode *r2 = load_ok(crlf, len, &d2);
    CHECK(r1 && r2 && same_tree(r1, r2, 1));
    cx__ydoc_free(d1);
    cx__ydoc_free(d2);
    free(crlf);

    /* errors too: a duplicate key and a bad byte */
    crlf = to_crlf("a: 1\nb:\n  c: ü\n  c: 2\n", &len);
    cx_error err = load_bad(crlf, len);
    CHECK_INT(err.line, 4);
    CHECK_INT(err.column, 3);
    CHECK_CONTAINS(err.message, "duplicate key 'c' (first at line 3, column 3)");
    free(crlf);
    crlf = to_crlf("a: 1\nb: ü\nc: ü \xff\n", &len);
    err = load_bad(crlf, len);
    CHECK_INT(err.line, 3);
    CHECK_INT(err.column, 6);
    CHECK_CONTAINS(err.message, "invalid UTF-8 byte 0xff");
    free(crlf);
}

/* ------------------------------------------------------------- refusals */

typedef struct refusal {
    const char *name;    /* what the case shows */
    const char *yaml;    /* the input */
    size_t len;          /* bytes in yaml */
    int line, column;    /* where the error must be */
    const char *message; /* a part of the message */
} refusal;

static const refusal refusals[] = {
    {"anchor", Y("a: &x 1\n"), 1, 4, "YAML anchors and aliases are not supported (anchor &x)"},
    {"alias", Y("a: 1\nb: *x\n"), 2, 4, "YAML anchors and aliases are not supported (alias *x)"},
    {"anchor on a list", Y("a: &l [1]\n"), 1, 4, "(anchor &l)"},
    {"anchor on a block map", Y("a: &m\n  b: 1\n"), 1, 4, "(anchor &m)"},
    {"anchor on a key", Y("&k a: 1\n"), 1, 1, "(anchor &k)"},
    {"core tag", Y("a: !!str 5\n"), 1, 4, "explicit YAML tags are not supported (!!str)"},
    {"local tag", Y("a: !foo 5\n"), 1, 4, "explicit YAML tags are not supported (!foo)"},
    {"non-specific tag", Y("a: ! 5\n"), 1, 4, "explicit YAML tags are not supported (!)"},
    {"tag on a list", Y("- !!seq [1]\n"), 1, 3, "explicit YAML tags are not supported (!!seq)"},
    {"tag on a map", Y("!!map {a: 1}\n"), 1, 1, "explicit YAML tags are not supported (!!map)"},
    {"second document", Y("a: 1\n---\nb: 2\n"), 2, 1, "more than one YAML document"},
    {"second empty document", Y("--- a\n---\n"), 2, 1, "more than one YAML document"},
    {"document after end marker", Y("a: 1\n...\n---\nb: 2\n"), 3, 1, "more than one YAML document"},
    {"implicit document after end marker", Y("a: 1\n...\nb: 2\n"), 3, 1,
     "did not find expected <document start>"},
    {"duplicate key", Y("holders:\n  - name: a\n    id: x\n    jurisdiction: US\n    id: y\n"), 5,
     5, "duplicate key 'id' (first at line 3, column 5)"},
    {"duplicate key quoted", Y("id: 1\n\"id\": 2\n"), 2, 1,
     "duplicate key 'id' (first at line 1, column 1)"},
    {"duplicate key in flow", Y("{a: 1, b: 2, a: 3}"), 1, 14,
     "duplicate key 'a' (first at line 1, column 2)"},
    {"duplicate empty key", Y("? \n: 1\n? \n: 2\n"), 3, 2, "duplicate key ''"},
    {"duplicate key shown safely", Y("\"a\\tb\": 1\n\"a\\tb\": 2\n"), 2, 1, "duplicate key 'a?b'"},
    {"list key", Y("? [a, b]\n: c\n"), 1, 3, "mapping keys must be plain scalars, not a list"},
    {"map key", Y("x: 1\n? {a: 1}\n: c\n"), 2, 3,
     "mapping keys must be plain scalars, not a mapping"},
    {"flow list key", Y("{[a]: 1}"), 1, 2, "mapping keys must be plain scalars"},
    {"mapping value in plain scalar", Y("a: b: c\n"), 1, 5,
     "mapping values are not allowed in this context; quote a value that contains ': '"},
    {"unclosed flow list", Y("a: [1, 2\nb: 3\n"), 2, 2, "did not find expected ',' or ']'"},
    {"unclosed quote", Y("a: \"abc\n"), 2, 1,
     "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)"},
    {"tab indentation", Y("a:\n\tb: 1\n"), 2, 1, "found character that cannot start any token"},
    {"bad indentation", Y("a:\n  b: 1\n c: 2\n"), 3, 2, "did not find expected key"},
    {"invalid leading byte", Y("a: \xff\n"), 1, 4, "invalid UTF-8 byte 0xff"},
    {"stray continuation byte", Y("a: b\x80\n"), 1, 5, "invalid UTF-8 byte 0x80"},
    {"broken sequence", Y("a: \xc3(\n"), 1, 4,
     "invalid UTF-8 sequence: byte 0xc3 is followed by 0x28"},
    {"broken 3-byte sequence", Y("a: é\xe2\x82(\n"), 1, 5, "byte 0xe2 is followed by 0x28"},
    {"file ends inside a character", Y("a: \xe2\x82"), 1, 4,
     "invalid UTF-8 byte 0xe2: the file ends inside a character"},
    {"overlong encoding", Y("a: \xc0\xaf\n"), 1, 4, "starting with byte 0xc0 (overlong)"},
    {"surrogate", Y("a: \xed\xa0\x80\n"), 1, 4, "(U+D800 is not a character)"},
    {"control character",
     Y("a: b\x01"
       "c\n"),
     1, 5, "control character 0x01 is not allowed"},
    {"NUL byte", Y("a: b\0c\n"), 1, 5, "control character 0x00 is not allowed"},
    {"escape character", Y("# \x1b[31m\n"), 1, 3, "control character 0x1b is not allowed"},
    {"C1 control", Y("a: \xc2\x80\n"), 1, 4, "character U+0080 is not allowed"},
    {"noncharacter", Y("a: \xef\xbf\xbe\n"), 1, 4, "character U+FFFE is not allowed"},
    {"UTF-16LE BOM",
     Y("\xff\xfe"
       "a\0:\0 \0b\0"),
     1, 1, "file is not UTF-8 (it starts with a UTF-16 byte order mark)"},
    {"UTF-16BE BOM", Y("\xfe\xff\0a\0:\0 \0b"), 1, 1, "file is not UTF-8"},
    {"UTF-32LE BOM", Y("\xff\xfe\0\0a\0\0\0"), 1, 1, "UTF-32 byte order mark"},
    {"UTF-32BE BOM", Y("\0\0\xfe\xff\0\0\0a"), 1, 1, "UTF-32 byte order mark"},
    {"UTF-16LE without BOM", Y("a\0:\0 \0b\0"), 1, 1, "file is not UTF-8 (it looks like UTF-16"},
    {"PNG header", Y("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), 1, 1, "invalid UTF-8 byte 0x89"},
    {"zip header", Y("PK\x03\x04\x14\0\0\0\x08\0"), 1, 3, "control character 0x03"},
    {"gzip header", Y("\x1f\x8b\x08\0\0\0\0\0"), 1, 1, "control character 0x1f"},
    {"NUL bytes", Y("\0\0\0\0\0\0\0\0"), 1, 1, "control character 0x00"},
    {"ELF header",
     Y("\x7f"
       "ELF\x02\x01\x01\0"),
     1, 1, "control character 0x7f"},
};

TEST(every_refusal_is_located)
{
    for (size_t i = 0; i < CX_COUNT(refusals); i++) {
        const refusal *c = &refusals[i];
        int before = test_failed_;
        test_failed_ = 0;
        cx_error err = load_bad(c->yaml, c->len);
        CHECK_INT(err.line, c->line);
        CHECK_INT(err.column, c->column);
        CHECK_CONTAINS(err.message, c->message);
        if (test_failed_) fprintf(stderr, "  ... in case '%s': %s\n", c->name, err.message);
        test_failed_ |= before;
    }
}

TEST(invalid_utf8_location_counts_characters)
{
    /* line 3: "text: Zoë ünï " is 14 characters and 17 bytes */
    static const char yaml[] = "name: Zoë\n"
                               "note: ünïcödé\n"
                               "text: Zoë ünï \xff tail\n";
    cx_error err = load_bad(Y(yaml));
    CHECK_INT(err.line, 3);
    CHECK_INT(err.column, 15);
    CHECK_STR(err.message, "invalid UTF-8 byte 0xff; expected printable UTF-8 text");
    char line[1400];
    cx_error_format(&err, line, sizeof line);
    CHECK_STR(line, "bad.yaml:3:15: invalid UTF-8 byte 0xff; expected printable UTF-8 text");

    /* the same after a UTF-8 byte order mark, with CRLF */
    err = load_bad(Y("\xEF\xBB\xBF"
                     "a: ü\r\nb: ë\xff\r\n"));
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 5);
    /* in a comment, after a lone CR (a line break for YAML) */
    err = load_bad(Y("a: 1 # ok\rb: 2 # ß\xc3\xc3\n"));
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 9);
    CHECK_CONTAINS(err.message, "byte 0xc3 is followed by 0xc3");
}

TEST(earlier_error_wins_over_a_later_bad_byte)
{
    /* libyaml decodes ahead of its scanner; the reader hands it small
     * pieces, so an anchor on line 1 is reported before a bad byte 8 KB on */
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, "a: &x 1\n");
    for (int i = 0; i < 1000; i++) cx__buf_printf(&b, "k%d: v\n", i);
    cx__buf_puts(&b, "z: \xff\n");
    cx_error err = load_bad(b.data, b.len);
    CHECK_INT(err.line, 1);
    CHECK_INT(err.column, 4);
    CHECK_CONTAINS(err.message, "(anchor &x)");
    cx__buf_free(&b);
}

TEST(duplicate_keys_in_big_maps)
{
    cx_buf b;
    cx__buf_init(&b);
    for (int i = 0; i < 100; i++) cx__buf_printf(&b, "k%d: %d\n", i, i);
    size_t good_len = b.len;
    cx__buf_puts(&b, "k42: again\n");
    cx_error err = load_bad(b.data, b.len);
    CHECK_INT(err.line, 101);
    CHECK_INT(err.column, 1);
    CHECK_CONTAINS(err.message, "duplicate key 'k42' (first at line 43, column 1)");
    /* a long key is cut in the message */
    cx__buf_free(&b);
    cx__buf_init(&b);
    for (int r = 0; r < 2; r++) {
        for (int i = 0; i < 300; i++) cx__buf_puts(&b, "é");
        cx__buf_puts(&b, ": 1\n");
    }
    err = load_bad(b.data, b.len);
    CHECK_INT(err.line, 2);
    CHECK_CONTAINS(err.message, "...' (first at line 1, column 1)");
    CHECK(strlen(err.message) < 200);
    cx__buf_free(&b);

    /* 20,000 distinct keys of one length are fine */
    cx__buf_init(&b);
    for (int i = 0; i < 20000; i++) cx__buf_printf(&b, "key-%05d: %d\n", i, i);
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(b.data, b.len, &doc);
    check_node(root, CX_YMAP, 20000, 1, 1);
    check_scalar(cx__ymap_get(root, "key-19999"), "19999", 1, 20000, 12);
    cx__ydoc_free(doc);
    cx__buf_puts(&b, "key-12345: x\n");
    err = load_bad(b.data, b.len);
    CHECK_INT(err.line, 20001);
    CHECK_CONTAINS(err.message, "first at line 12346, column 1");
    (void)good_len;
    cx__buf_free(&b);
}

/* ------------------------------------------------------ hostile input */

static char *repeat(const char *unit, size_t times, const char *tail, size_t *len)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * times + t + 1);
    for (size_t i = 0; i < times; i++) memcpy(s + i * u, unit, u);
    memcpy(s + u * times, tail, t + 1);
    *len = u * times + t;
    return s;
}

TEST(flow_depth_bomb_stops_at_depth_33)
{
    size_t len;
    char *s = repeat("[", 100000, "", &len);
    cx_error err = load_bad(s, len);
    CHECK_INT(err.line, 1);
    CHECK_INT(err.column, 33);
    CHECK_CONTAINS(err.message, "nesting deeper than 32 levels");
    free(s);
    s = repeat("{a: ", 100000, "", &len);
    err = load_bad(s, len);
    CHECK_INT(err.line, 1);
    CHECK_INT(err.column, 129);
    CHECK_CONTAINS(err.message, "nesting deeper than 32 levels");
    free(s);
}

TEST(block_depth_bombs_stop_at_depth_33)
{
    size_t len;
    char *s = repeat("- ", 100000, "x\n", &len);
    cx_error err = load_bad(s, len);
    CHECK_INT(err.line, 1);
    CHECK_INT(err.column, 65);
    CHECK_CONTAINS(err.message, "nesting deeper than 32 levels");
    free(s);

    /* maps nested by indentation: map n starts at line n, column n */
    cx_buf b;
    cx__buf_init(&b);
    for (int i = 0; i < 2000; i++) cx__buf_printf(&b, "%*sk:\n", i, "");
    err = load_bad(b.data, b.len);
    CHECK_INT(err.line, 33);
    CHECK_INT(err.column, 33);
    CHECK_CONTAINS(err.message, "nesting deeper than 32 levels");
    cx__buf_free(&b);
}

TEST(depth_32_is_allowed)
{
    size_t len;
    char *open = repeat("[", 32, "", &len);
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, open);
    cx__buf_puts(&b, "x");
    for (int i = 0; i < 32; i++) cx__buf_puts(&b, "]");
    cx_ydoc *doc = NULL;
    const cx_ynode *n = load_ok(b.data, b.len, &doc);
    for (int i = 0; i < 32 && n; i++) {
        check_node(n, CX_YLIST, 1, 1, i + 1);
        n = n->items[0];
    }
    check_scalar(n, "x", 1, 1, 33);
    cx__ydoc_free(doc);
    cx__buf_free(&b);
    free(open);
}

TEST(alias_bomb_stops_at_the_first_anchor)
{
    static const char bomb[] = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                               "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                               "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                               "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                               "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                               "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                               "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                               "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                               "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    cx_error err = load_bad(Y(bomb));
    CHECK_INT(err.line, 1);
    CHECK_INT(err.column, 4);
    CHECK_STR(err.message, "YAML anchors and aliases are not supported (anchor &a); write the "
                           "value out in full");
}

/* xorshift32, for repeatable junk */
static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

TEST(random_junk_gives_located_errors)
{
    static const char yamlish[] = "ab -:[]{},#&*!|>'\"%@` \n\t?\r.";
    char junk[4096];
    uint32_t seed = 12345;
    for (int round = 0; round < 400; round++) {
        int binary = round % 2 == 0;
        for (size_t i = 0; i < sizeof junk; i++) {
            uint32_t v = next_random(&seed);
            junk[i] = binary ? (char)(v & 0xFF) : yamlish[v % (sizeof yamlish - 1)];
        }
        cx_ydoc *doc = NULL;
        cx_error err;
        cx_error_clear(&err);
        int rc = cx__yaml_load_buffer("junk", junk, sizeof junk, &doc, &err);
        if (binary) CHECK_INT(rc, CX_EINPUT);
        if (rc != CX_OK) {
            CHECK_INT(rc, CX_EINPUT);
            CHECK(err.line >= 1 && err.column >= 1);
            CHECK(err.message[0] != '\0');
            CHECK(doc == NULL);
        }
        cx__ydoc_free(doc);
    }
}

/* ----------------------------------------------------------------- files */

TEST(load_file_reads_a_fixture)
{
    const char *path = TEST_SRC "/tests/unit/yaml/catalog.yaml";
    cx_ydoc *doc = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx__yaml_load_file(path, &doc, &err), CX_OK);
    CHECK_STR(cx__ydoc_name(doc), path);
    const cx_ynode *root = cx__ydoc_root(doc);
    check_node(root, CX_YMAP, 3, 3, 1);
    const cx_ynode *holders = cx__ymap_get(root, "holders");
    check_node(holders, CX_YLIST, 2, 14, 3);
    if (holders && holders->count == 2) {
        const cx_ynode *awards = cx__ymap_get(holders->items[1], "awards");
        check_node(awards, CX_YLIST, 2, 20, 7);
        if (awards && awards->count == 2) {
            check_node(awards->items[1], CX_YMAP, 2, 21, 9);
            check_scalar(cx__ymap_get(awards->items[1], "issued"), "2025-01-02", 1, 21, 36);
        }
    }
    cx__ydoc_free(doc);
}

TEST(load_file_errors_name_the_file)
{
    const char *path = TEST_SRC "/tests/unit/yaml/duplicate_key.yaml";
    cx_ydoc *doc = NULL;
    cx_error err;
    cx_error_clear(&err);
    CHECK_INT(cx__yaml_load_file(path, &doc, &err), CX_EINPUT);
    CHECK(doc == NULL);
    CHECK_STR(err.file, path);
    CHECK_INT(err.line, 6);
    CHECK_INT(err.column, 5);
    CHECK_CONTAINS(err.message, "duplicate key 'name' (first at line 4, column 5)");

    const char *missing = TEST_SRC "/tests/unit/yaml/no-such-file.yaml";
    cx_error_clear(&err);
    CHECK_INT(cx__yaml_load_file(missing, &doc, &err), CX_EINPUT);
    CHECK(doc == NULL);
    CHECK_STR(err.file, missing);
    CHECK_INT(err.line, 0);
    CHECK_CONTAINS(err.message, "cannot open: No such file or directory");

    cx_error_clear(&err);
    CHECK_INT(cx__yaml_load_file(TEST_SRC "/tests/unit/yaml", &doc, &err), CX_EINPUT);
    CHECK(doc == NULL);
    CHECK_CONTAINS(err.message, "Is a directory");
}

TEST(a_generated_catalog_of_flow_maps)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, "holders:\n");
    for (int h = 0; h < 2000; h++) {
        cx__buf_printf(&b, "  - id: h-%05d\n    awards:\n", h);
        for (int a = 0; a < 5; a++)
            cx__buf_printf(&b, "      - { credential: X-%d, issued: 2025-01-0%d }\n", a, a + 1);
    }
    cx_ydoc *doc = NULL;
    const cx_ynode *root = load_ok(b.data, b.len, &doc);
    const cx_ynode *holders = cx__ymap_get(root, "holders");
    check_node(holders, CX_YLIST, 2000, 2, 3);
    if (holders && holders->count == 2000) {
        const cx_ynode *last = holders->items[1999];
        check_scalar(cx__ymap_get(last, "id"), "h-01999", 1, 2 + 1999 * 7, 9);
        const cx_ynode *awards = cx__ymap_get(last, "awards");
        check_node(awards, CX_YLIST, 5, 4 + 1999 * 7, 7);
        if (awards && awards->count == 5)
            check_scalar(cx__ymap_get(awards->items[4], "issued"), "2025-01-05", 1, 8 + 1999 * 7,
                         36);
    }
    cx__ydoc_free(doc);
    cx__buf_free(&b);
}

/* One schema check of data's root; returns the error (code CX_OK when it passed). */
static cx_error schema_check(const char *data, const cx_yschema *s)
{
    cx_ydoc *doc = NULL;
    cx_error err;
    cx_error_clear(&err);
    const cx_ynode *root = load_ok(data, strlen(data), &doc);
    if (root) {
        int rc = cx__ycheck_map("s.yaml", root, s, &err);
        CHECK_INT(rc, err.code);
    }
    cx__ydoc_free(doc);
    return err;
}

static const char *const case_keys[] = {"name", "holder", "expect", NULL};
static const char *const case_required[] = {"name", "expect", NULL};

TEST(schema_accepts_a_good_map)
{
    cx_yschema s = {.what = "test case", .keys = case_keys, .required = case_required};
    cx_error err = schema_check("name: a\nexpect: {}\n", &s);
    CHECK_INT(err.code, CX_OK);
    const char *const extra[] = {"rules", NULL};
    s.extra = extra;
    err = schema_check("name: a\nrules: x\nexpect: {}\n", &s);
    CHECK_INT(err.code, CX_OK);
}

TEST(schema_refuses_a_non_mapping)
{
    cx_yschema s = {.what = "test case", .keys = case_keys};
    cx_error err = schema_check("\n  - a\n", &s);
    CHECK_INT(err.code, CX_EINPUT);
    CHECK_STR(err.file, "s.yaml");
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 3);
    CHECK_STR(err.message, "expected test case to be a mapping, found a list");
}

TEST(schema_unknown_key_wording)
{
    cx_yschema s = {.what = "test case", .keys = case_keys};
    cx_error err = schema_check("name: a\n  # c\nnmae: b\n", &s);
    CHECK_INT(err.code, CX_EINPUT);
    CHECK_INT(err.line, 3);
    CHECK_INT(err.column, 1);
    CHECK_STR(err.message,
              "unknown key 'nmae' in test case; expected one of: name, holder, expect");
    s.suggest = 1;
    err = schema_check("name: a\nnmae: b\n", &s);
    CHECK_STR(err.message, "unknown key 'nmae' in test case (did you mean 'name'?); expected one "
                           "of: name, holder, expect");
    cx_yschema top = {.noun = "top-level key", .keys = case_keys};
    err = schema_check("{name: a, zzz: b}", &top);
    CHECK_INT(err.line, 1);
    CHECK_INT(err.column, 11);
    CHECK_STR(err.message, "unknown top-level key 'zzz'; expected one of: name, holder, expect");
    const char *const extra[] = {"rules", NULL};
    s.extra = extra; /* allowed, but not offered */
    err = schema_check("rulez: x\n", &s);
    CHECK_STR(err.message, "unknown key 'rulez' in test case; expected one of: name, holder, "
                           "expect");
}

TEST(schema_missing_required_key)
{
    cx_yschema s = {.what = "test case", .keys = case_keys, .required = case_required};
    cx_error err = schema_check("\nname: a\nholder: {}\n", &s);
    CHECK_INT(err.code, CX_EINPUT);
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 1);
    CHECK_STR(err.message, "test case is missing required key 'expect'");
    /* an unknown key is reported before a missing one */
    err = schema_check("zzz: a\n", &s);
    CHECK_STR(err.message, "unknown key 'zzz' in test case; expected one of: name, holder, expect");
}

TEST(schema_unknown_key_alone)
{
    const char *const kinds[] = {"check", "audit", NULL};
    cx_yschema s = {.noun = "expectation", .keys = kinds, .suggest = 1};
    cx_ydoc *doc = NULL;
    cx_error err;
    cx_error_clear(&err);
    const cx_ynode *root = load_ok(Y("chekc: {}\n"), &doc);
    if (root) {
        CHECK_INT(cx__yunknown_key("s.yaml", root->keys[0], &s, &err), CX_EINPUT);
        CHECK_STR(err.file, "s.yaml");
        CHECK_INT(err.line, 1);
        CHECK_INT(err.column, 1);
        CHECK_STR(err.message,
                  "unknown expectation 'chekc' (did you mean 'check'?); expected one of: check, "
                  "audit");
    }
    cx__ydoc_free(doc);
}

TEST(scalar_values_refuse_what_is_not_a_value)
{
    static const struct {
        const char *data;
        size_t len;
        const char *message; /* NULL: accepted */
        int column;
    } cases[] = {
        {Y("k: text\n"), NULL, 0},
        {Y("k: 'null '\n"), NULL, 0},
        {Y("k: [a]\n"), "expected a single value for 'k', found a list", 4},
        {Y("k:  {a: b}\n"), "expected a single value for 'k', found a mapping", 5},
        {Y("k: ''\n"), "empty value for 'k'; give a value or leave the key out", 4},
        {Y("k:\n"), "empty value for 'k'; give a value or leave the key out", 3},
        {Y("k: ~\n"), "empty value for 'k'; give a value or leave the key out", 4},
        {Y("k: Null\n"), "empty value for 'k'; give a value or leave the key out", 4},
        {Y("k: \"a\\0b\"\n"), "NUL character in the value of 'k'", 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cx_ydoc *doc = NULL;
        cx_error err;
        const char *out = NULL;
        cx_error_clear(&err);
        const cx_ynode *root = load_ok(cases[i].data, cases[i].len, &doc);
        if (!root) continue;
        int rc = cx__yscalar("s.yaml", root->items[0], "k", &out, &err);
        if (!cases[i].message) {
            CHECK_INT(rc, CX_OK);
            CHECK_STR(out, root->items[0]->text);
        } else {
            CHECK_INT(rc, CX_EINPUT);
            CHECK_STR(err.file, "s.yaml");
            CHECK_INT(err.line, 1);
            CHECK_INT(err.column, cases[i].column);
            CHECK_STR(err.message, cases[i].message);
            CHECK(out == NULL);
        }
        cx__ydoc_free(doc);
    }
}

static const test_case cases[] = {
    {"good_document_tree_and_locations", good_document_tree_and_locations},
    {"flow_and_block_style_give_the_same_tree", flow_and_block_style_give_the_same_tree},
    {"quoted_and_plain_scalars_are_all_text", quoted_and_plain_scalars_are_all_text},
    {"empty_and_comment_only_files_have_no_root", empty_and_comment_only_files_have_no_root},
    {"map_lookup_and_kind_names", map_lookup_and_kind_names},
    {"utf8_bom_is_accepted", utf8_bom_is_accepted},
    {"crlf_gives_the_same_lines_and_columns", crlf_gives_the_same_lines_and_columns},
    {"every_refusal_is_located", every_refusal_is_located},
    {"invalid_utf8_location_counts_characters", invalid_utf8_location_counts_characters},
    {"earlier_error_wins_over_a_later_bad_byte", earlier_error_wins_over_a_later_bad_byte},
    {"duplicate_keys_in_big_maps", duplicate_keys_in_big_maps},
    {"flow_depth_bomb_stops_at_depth_33", flow_depth_bomb_stops_at_depth_33},
    {"block_depth_bombs_stop_at_depth_33", block_depth_bombs_stop_at_depth_33},
    {"depth_32_is_allowed", depth_32_is_allowed},
    {"alias_bomb_stops_at_the_first_anchor", alias_bomb_stops_at_the_first_anchor},
    {"random_junk_gives_located_errors", random_junk_gives_located_errors},
    {"load_file_reads_a_fixture", load_file_reads_a_fixture},
    {"load_file_errors_name_the_file", load_file_errors_name_the_file},
    {"a_generated_catalog_of_flow_maps", a_generated_catalog_of_flow_maps},
    {"schema_accepts_a_good_map", schema_accepts_a_good_map},
    {"schema_refuses_a_non_mapping", schema_refuses_a_non_mapping},
    {"schema_unknown_key_wording", schema_unknown_key_wording},
    {"schema_missing_required_key", schema_missing_required_key},
    {"schema_unknown_key_alone", schema_unknown_key_alone},
    {"scalar_values_refuse_what_is_not_a_value", scalar_values_refuse_what_is_not_a_value},
    {NULL, NULL},
};

TEST_MAIN(cases)
