/*
 * test_stream_import.c -- the streaming import (issue 16): a YAML catalog's
 * holders read one by one (cx__yaml_stream_buffer, add_file) must give the
 * model and the error a whole read (cx__yaml_load_file, add_doc) gives,
 * byte for byte, on every bad catalog of tests/catalog/bad and on cases
 * with errors in the second and last holder, aliases across holders, and
 * errors in several sections at once.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "credex.h"
#include "test.h"
#include "yaml_reader.h"

/* Writes text to a file under $TEST_TMP and returns its path (static). */
static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    const char *dir = getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return path;
    fputs(text, f);
    fclose(f);
    return path;
}

/* What one way of reading a file gave: the error, and the model as text. */
typedef struct outcome {
    int rc;         /* of add, then commit */
    cx_error err;   /* when rc */
    cx_buf model;   /* every holder and award of the model, one field a line */
    size_t holders; /* holders in the model */
} outcome;

static void put_text(cx_buf *b, const char *name, const char *v)
{
    cx__buf_printf(b, " %s=%s", name, v ? v : "-");
}

static void put_kv(cx_buf *b, const cx_cat_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) cx__buf_printf(b, " %s:%s", kv[i].key, kv[i].value);
}

static void put_award(cx_buf *b, const cx_cat_award *a)
{
    cx__buf_printf(b, "  award %d:%d", a->loc.line, a->loc.column);
    put_text(b, "id", a->id);
    put_text(b, "credential", a->credential);
    put_text(b, "issued", a->issued);
    put_text(b, "expires", a->expires);
    put_text(b, "jurisdiction", a->jurisdiction);
    put_text(b, "grade", a->grade);
    put_text(b, "evidence", a->evidence);
    put_text(b, "status", a->status);
    cx__buf_printf(b, " hours=%lld", (long long)a->hours);
    put_kv(b, a->results, a->nresults);
    if (a->provenance) {
        const cx_cat_provenance *p = a->provenance;
        put_text(b, "format", p->format);
        put_text(b, "source", p->source_id);
        put_text(b, "issuer", p->issuer);
        put_text(b, "proof", p->proof);
        put_text(b, "verification", p->verification);
        put_text(b, "note", p->note);
        put_text(b, "checked", p->status_checked);
    }
    cx__buf_puts(b, "\n");
}

static void put_model(outcome *o, const cx_catalog *cat)
{
    o->holders = cat->holders.n;
    for (size_t i = 0; i < cat->holders.n; i++) {
        const cx_cat_holder *h = &cat->holders.v[i];
        cx__buf_printf(&o->model, "holder %s:%d:%d", h->loc.file, h->loc.line, h->loc.column);
        put_text(&o->model, "id", h->id);
        put_text(&o->model, "jurisdiction", h->jurisdiction);
        put_kv(&o->model, h->attributes, h->nattributes);
        cx__buf_puts(&o->model, "\n");
        for (size_t k = 0; k < h->nawards; k++) put_award(&o->model, &h->awards[k]);
    }
    cx__buf_printf(&o->model, "awards %zu credentials %zu exceptions %zu\n", cat->nawards,
                   cat->credentials.n, cat->exceptions.n);
}

/* Reads path into a new loader over an empty registry, streamed (add_file)
 * or whole (the YAML reader, then add_doc), and commits it. */
static void import_one(const char *path, int streamed, outcome *o)
{
    cx_registry *r = NULL;
    cx_catalog_loader *ld = NULL;
    cx_ydoc *doc = NULL;
    memset(o, 0, sizeof *o);
    cx__buf_init(&o->model);
    cx_error_clear(&o->err);
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, &r, &o->err), CX_OK);
    CHECK_INT(cx__catalog_loader_new(r, &ld, &o->err), CX_OK);
    if (streamed) {
        o->rc = cx__catalog_loader_add_file(ld, path, &o->err);
    } else {
        o->rc = cx__yaml_load_file(path, &doc, &o->err);
        if (!o->rc) o->rc = cx__catalog_loader_add_doc(ld, doc, NULL, &o->err);
    }
    if (!o->rc) put_model(o, cx__catalog_loader_model(ld));
    if (!o->rc) o->rc = cx__catalog_loader_commit(ld, NULL, NULL, &o->err);
    cx__catalog_loader_free(ld);
    cx__ydoc_free(doc);
    cx_registry_close(r);
}

/* Streamed and whole reads of path agree; returns the streamed outcome's
 * code, and its message in msg. */
static int same_both_ways(const char *path, char *msg, size_t size)
{
    outcome s, w;
    import_one(path, 1, &s);
    import_one(path, 0, &w);
    if (s.rc != w.rc || strcmp(s.err.message, w.err.message) != 0 ||
        strcmp(s.err.file, w.err.file) != 0 || s.err.line != w.err.line ||
        s.err.column != w.err.column)
        fprintf(stderr, "  %s: streamed %d %s:%d:%d: %s\n  whole    %d %s:%d:%d: %s\n", path, s.rc,
                s.err.file, s.err.line, s.err.column, s.err.message, w.rc, w.err.file, w.err.line,
                w.err.column, w.err.message);
    CHECK_INT(s.rc, w.rc);
    CHECK_STR(s.err.message, w.err.message);
    CHECK_INT(s.err.line, w.err.line);
    CHECK_INT(s.err.column, w.err.column);
    CHECK_INT(s.holders, w.holders);
    CHECK_STR(s.model.data ? s.model.data : "", w.model.data ? w.model.data : "");
    snprintf(msg, size, "%d:%d: %s", s.err.line, s.err.column, s.err.message);
    int rc = s.rc;
    cx__buf_free(&s.model);
    cx__buf_free(&w.model);
    return rc;
}

static const char defs[] = "jurisdictions:\n"
                           "  - { id: US-NV, name: Nevada }\n"
                           "providers:\n"
                           "  - { id: p1, name: P }\n"
                           "credentials:\n"
                           "  - { id: c1, name: C, type: course, provider: p1, jurisdiction: "
                           "US-NV, grade_scale: [C, B, A] }\n";

/* Streams name's catalog (defs, then body) both ways; checks the code and
 * that the message starts with want (NULL: no error). */
static void check_case(const char *name, const char *body, int want_rc, const char *want)
{
    char text[8192], msg[1024];
    snprintf(text, sizeof text, "%s%s", defs, body);
    const char *path = write_file(name, text);
    int rc = same_both_ways(path, msg, sizeof msg);
    CHECK_INT(rc, want_rc);
    if (want && strncmp(msg, want, strlen(want)) != 0) {
        fprintf(stderr, "  %s: message [%s], expected [%s...]\n", name, msg, want);
        CHECK(0);
    }
}

TEST(every_bad_catalog_fails_the_same_streamed)
{
    char dir[512], path[1024], msg[1024];
    snprintf(dir, sizeof dir, "%s/tests/catalog/bad", TEST_SRC);
    DIR *d = opendir(dir);
    int files = 0;
    CHECK(d != NULL);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        CHECK_INT(same_both_ways(path, msg, sizeof msg), CX_EINPUT);
        files++;
    }
    if (d) closedir(d);
    CHECK(files >= 40);
    snprintf(path, sizeof path, "%s/tests/catalog/base.yaml", TEST_SRC);
    CHECK_INT(same_both_ways(path, msg, sizeof msg), CX_OK);
    snprintf(path, sizeof path, "%s/examples/ev-mechanic/catalog.yaml", TEST_SRC);
    CHECK_INT(same_both_ways(path, msg, sizeof msg), CX_OK);
}

TEST(holders_model_is_the_same_streamed)
{
    check_case("stream-ok.yaml",
               "holders:\n"
               "  - id: h1\n"
               "    jurisdiction: US-NV\n"
               "    attributes: { region: north, badge_no: \"007\" }\n"
               "    awards:\n"
               "      - { credential: c1, issued: 2024-01-02, grade: B, hours: 12.5 }\n"
               "      - { credential: c1, issued: 2024-01-02, results: { score: 91.5 } }\n"
               "  - id: h2\n"
               "    attributes: { region: south }\n"
               "    awards:\n"
               "      - credential: c1\n"
               "        issued: 2023-05-06\n"
               "        expires: 2026-05-06\n"
               "        status: suspended\n"
               "        evidence: https://example.org/e/2\n"
               "        provenance: { format: ob3, source_id: 'urn:x:1', verification: "
               "unverified, note: by hand }\n"
               "  - { id: h3 }\n",
               CX_OK, NULL);
}

TEST(error_in_second_and_last_holder)
{
    check_case("stream-second.yaml",
               "holders:\n"
               "  - { id: h1, awards: [{ credential: c1, issued: 2024-01-02 }] }\n"
               "  - { id: h2, awards: [{ credential: c1, issued: 2024-02-30 }] }\n"
               "  - { id: h3 }\n",
               CX_EINPUT, "9:50: invalid date '2024-02-30' for 'issued'");
    check_case("stream-last.yaml",
               "holders:\n"
               "  - { id: h1 }\n"
               "  - { id: h2 }\n"
               "  - id: h3\n"
               "    awards:\n"
               "      - { credential: c9, issued: 2024-01-01 }\n",
               CX_EINPUT, "12:23: unknown credential 'c9'; did you mean 'c1'?");
    /* one reference per id is kept: the first unknown one is reported */
    check_case("stream-unknown-twice.yaml",
               "holders:\n"
               "  - { id: h1, awards: [{ credential: c1, issued: 2024-01-01 }] }\n"
               "  - { id: h2, awards: [{ credential: zz, issued: 2024-01-01 }] }\n"
               "  - { id: h3, awards: [{ credential: zz, issued: 2024-01-02 }] }\n"
               "  - { id: h4, jurisdiction: US-XX }\n",
               CX_EINPUT, "9:38: unknown credential 'zz'; did you mean 'c1'?");
    check_case("stream-twice.yaml",
               "holders:\n"
               "  - { id: h1 }\n"
               "  - { id: h2 }\n"
               "  - { id: h1 }\n",
               CX_EINPUT, "10:11: holder 'h1' is defined twice in this import (first at ");
}

TEST(alias_across_holders_is_refused)
{
    check_case("stream-anchor.yaml",
               "holders:\n"
               "  - { id: h1, attributes: &a { region: north } }\n"
               "  - { id: h2 }\n"
               "  - { id: h3, attributes: *a }\n",
               CX_EINPUT, "8:27: YAML anchors and aliases are not supported (anchor &a)");
    check_case("stream-alias.yaml",
               "holders:\n"
               "  - { id: h1, attributes: { region: north } }\n"
               "  - { id: h2 }\n"
               "  - { id: h3, attributes: *a }\n",
               CX_EINPUT, "10:27: YAML anchors and aliases are not supported (alias *a)");
}

TEST(errors_elsewhere_keep_their_order)
{
    /* a holder's error, then a syntax error further on: the syntax error */
    check_case("stream-then-syntax.yaml",
               "holders:\n"
               "  - { id: h1, awards: [{ credential: c1, issued: nope }] }\n"
               "  - { id: h2 }\n"
               "exceptions: [\n",
               CX_EINPUT, "11:1: ");
    /* holders before a bad section the whole read checks first */
    check_case("stream-then-group.yaml",
               "holders:\n"
               "  - { id: h1, awards: [{ credential: c1, issued: nope }] }\n"
               "groups:\n"
               "  - { id: g1, bogus: 1 }\n",
               CX_EINPUT, "10:15: unknown key 'bogus' in group");
    /* references resolve in section order: the credential's before the holder's */
    check_case("stream-refs.yaml",
               "holders:\n"
               "  - { id: h1, awards: [{ credential: zz1, issued: 2024-01-01 }] }\n"
               "groups:\n"
               "  - { id: g1, members: [{ jurisdiction: zz2, from: 2020-01-01 }] }\n",
               CX_EINPUT, "10:41: unknown jurisdiction 'zz2'");
    check_case("stream-top-key.yaml",
               "holders:\n"
               "  - { id: h1, awards: [{ credential: c1, issued: nope }] }\n"
               "holderz: []\n",
               CX_EINPUT, "9:1: unknown top-level key 'holderz'");
    check_case("stream-not-list.yaml", "holders: { id: h1 }\n", CX_EINPUT,
               "7:10: expected a list for 'holders', found a mapping");
}

/* Counts the items handed over, and what the first and last were. */
typedef struct seen_items {
    size_t n;
    int first_line, last_line;
} seen_items;

static int count_item(void *ud, const cx_ynode *item, cx_error *err)
{
    seen_items *s = ud;
    (void)err;
    if (!s->n) s->first_line = item->line;
    s->last_line = item->line;
    s->n++;
    return CX_OK;
}

TEST(reader_hands_over_items_and_keeps_the_rest)
{
    static const char text[] = "a: [x]\n"
                               "holders:\n"
                               "  - { id: h1 }\n"
                               "  - [1, 2]\n"
                               "  - three\n"
                               "b: { holders: [y] }\n";
    seen_items s = {0, 0, 0};
    cx_ydoc *doc = NULL;
    cx_error err;
    cx_limits lim;
    cx_ystream stream = {"holders", count_item, &s, 0};
    CHECK_INT(cx__yaml_stream_buffer("t.yaml", text, sizeof text - 1, NULL, &stream, &doc, &err),
              CX_OK);
    CHECK_INT(s.n, 3);
    CHECK_INT(s.first_line, 3);
    CHECK_INT(s.last_line, 5);
    const cx_ynode *root = cx__ydoc_root(doc);
    CHECK(root && cx__ymap_get(root, "holders") && cx__ymap_get(root, "holders")->count == 0);
    CHECK(root && cx__ymap_get(root, "a") && cx__ymap_get(root, "a")->count == 1);
    const cx_ynode *b = root ? cx__ymap_get(root, "b") : NULL; /* not top-level: kept */
    CHECK(b && cx__ymap_get(b, "holders") && cx__ymap_get(b, "holders")->count == 1);
    cx__ydoc_free(doc);

    /* the list cap counts the items handed over */
    memset(&lim, 0, sizeof lim);
    lim.max_list_items = 2;
    s.n = 0;
    CHECK_INT(cx__yaml_stream_buffer("t.yaml", text, sizeof text - 1, &lim, &stream, &doc, &err),
              CX_EINPUT);
    CHECK_INT(s.n, 2);
    CHECK_INT(err.line, 5);
    CHECK_INT(err.column, 5);
    CHECK(strstr(err.message, "more than 2 items in one list (it starts at line 3, column 3)"));
    CHECK(doc == NULL);
}

static const test_case cases[] = {
    {"every_bad_catalog_fails_the_same_streamed", every_bad_catalog_fails_the_same_streamed},
    {"holders_model_is_the_same_streamed", holders_model_is_the_same_streamed},
    {"error_in_second_and_last_holder", error_in_second_and_last_holder},
    {"alias_across_holders_is_refused", alias_across_holders_is_refused},
    {"errors_elsewhere_keep_their_order", errors_elsewhere_keep_their_order},
    {"reader_hands_over_items_and_keeps_the_rest", reader_hands_over_items_and_keeps_the_rest},
    {NULL, NULL}};

TEST_MAIN(cases)
