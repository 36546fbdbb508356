/*
 * test_stream_import.c -- the streaming import (issue 16): a YAML catalog's
 * holders read one by one (cx__yaml_stream_buffer, add_file) must give the
 * model and the error a whole read (cx__yaml_load_file, add_doc) gives,
 * byte for byte, on every bad catalog of tests/catalog/bad and on cases
 * with errors in the second and last holder, aliases across holders, and
 * errors in several sections at once. cx_import of one file, whose holders
 * a thread writes while the file is read (cx__registry_import_ahead), must
 * give the same error and the same rows in every table.
 */
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "credex.h"
#include "test.h"
#include "yaml_reader.h"

/* What one way of reading a file gave: the error, and the model as text. */
typedef struct outcome {
    int rc;         /* of add, then commit */
    cx_error err;   /* when rc */
    cx_buf model;   /* every holder and award of the model, one field a line */
    size_t holders; /* holders in the model */
    cx_buf rows;    /* the registry's rows afterwards (dump_rows) */
} outcome;

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every row of every table of the registry at path into out, "table|value|
 * ..." a line, in byte order: the content whatever order rows were written
 * in. The random registry id, the import's time and the paths it was
 * given (which only cx_import records) are left out. */
static void dump_rows(const char *path, cx_buf *out)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *tables = NULL;
    char **lines = NULL;
    size_t n = 0, cap = 0;
    CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(
        sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
                           -1, &tables, NULL),
        SQLITE_OK);
    while (tables && sqlite3_step(tables) == SQLITE_ROW) {
        char sql[256];
        const char *table = (const char *)sqlite3_column_text(tables, 0);
        sqlite3_stmt *st = NULL;
        if (strcmp(table, "import_file") == 0) continue; /* the paths cx_import was given */
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", table);
        CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (st && sqlite3_step(st) == SQLITE_ROW) {
            cx_buf line;
            cx__buf_init(&line);
            cx__buf_puts(&line, table);
            for (int i = 0; i < sqlite3_column_count(st); i++) {
                const char *v = (const char *)sqlite3_column_text(st, i);
                if (strcmp(table, "import_log") == 0 &&
                    strcmp(sqlite3_column_name(st, i), "created") == 0)
                    v = "T";
                if (strcmp(table, "meta") == 0 && i == 1 &&
                    strcmp(line.data, "meta|registry_id") == 0)
                    v = "X";
                cx__buf_printf(&line, "|%s", v ? v : "NULL");
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                lines = realloc(lines, cap * sizeof *lines);
            }
            lines[n++] = line.data;
        }
        sqlite3_finalize(st);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
    qsort(lines, n, sizeof *lines, by_text);
    for (size_t i = 0; i < n; i++) {
        cx__buf_printf(out, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}

/* A registry file under $TEST_TMP, removed first: its path (static per name). */
static const char *fresh_registry(const char *name, char *path, size_t size)
{
    char aside[600];
    snprintf(path, size, "%s/%s", getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp", name);
    unlink(path);
    snprintf(aside, sizeof aside, "%s-wal", path);
    unlink(aside);
    snprintf(aside, sizeof aside, "%s-shm", path);
    unlink(aside);
    return path;
}

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
    char db[512];
    memset(o, 0, sizeof *o);
    cx__buf_init(&o->model);
    cx__buf_init(&o->rows);
    cx_error_clear(&o->err);
    if (streamed)
        CHECK_INT(cx_registry_open(fresh_registry("stream-loader.db", db, sizeof db),
                                   CX_OPEN_CREATE, &r, &o->err),
                  CX_OK);
    else
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
    if (streamed) dump_rows(db, &o->rows);
}

/* cx_import of path alone into the registry file db (made when absent):
 * one YAML file, so its holders are written while it is read. */
static int import_public(const char *db, const char *path, cx_error *err)
{
    cx_registry *r = NULL;
    int rc = cx_registry_open(db, CX_OPEN_CREATE, &r, err);
    if (!rc) rc = cx_import(r, &path, 1, NULL, NULL, err);
    cx_registry_close(r);
    return rc;
}

/* The public import of path into a fresh registry: its error and rows. */
static void import_ahead(const char *path, outcome *o)
{
    char db[512];
    memset(o, 0, sizeof *o);
    cx__buf_init(&o->model);
    cx__buf_init(&o->rows);
    cx_error_clear(&o->err);
    o->rc = import_public(fresh_registry("stream-ahead.db", db, sizeof db), path, &o->err);
    dump_rows(db, &o->rows);
}

/* Streamed and whole reads of path agree; returns the streamed outcome's
 * code, and its message in msg. */
static int same_both_ways(const char *path, char *msg, size_t size)
{
    outcome s, w, a;
    import_one(path, 1, &s);
    import_one(path, 0, &w);
    import_ahead(path, &a);
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
    /* written while read: the same error, the same rows (none on an error) */
    if (a.rc != s.rc || strcmp(a.err.message, s.err.message) != 0)
        fprintf(stderr, "  %s: ahead %d %s:%d:%d: %s\n", path, a.rc, a.err.file, a.err.line,
                a.err.column, a.err.message);
    CHECK_INT(a.rc, s.rc);
    CHECK_STR(a.err.message, s.err.message);
    CHECK_STR(a.err.file, s.err.file);
    CHECK_INT(a.err.line, s.err.line);
    CHECK_INT(a.err.column, s.err.column);
    CHECK_STR(a.rows.data ? a.rows.data : "", s.rows.data ? s.rows.data : "");
    snprintf(msg, size, "%d:%d: %s", s.err.line, s.err.column, s.err.message);
    int rc = s.rc;
    cx__buf_free(&s.model);
    cx__buf_free(&w.model);
    cx__buf_free(&s.rows);
    cx__buf_free(&w.rows);
    cx__buf_free(&a.rows);
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
    const char *path = test_write_file(name, text);
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
    cx_ystream stream = {"holders", count_item, &s};
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

/* A catalog of defs and n holders (more than the writer's queue holds),
 * whose awards depend on round: a second round replaces some holders'
 * awards, moves an award id to another holder and drops attributes. */
static const char *generated(const char *name, int n, int round)
{
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, defs);
    cx__buf_puts(&b, "holders:\n");
    for (int i = 1; i <= n; i++) {
        cx__buf_printf(&b, "  - id: h%05d\n", i);
        if (i % 3) cx__buf_puts(&b, "    jurisdiction: US-NV\n");
        if (i % 5 == round) cx__buf_printf(&b, "    attributes: { region: r%d }\n", i % 7);
        if (i % 11 == 0) continue;
        cx__buf_puts(&b, "    awards:\n");
        for (int k = 0; k < 1 + (i + round) % 4; k++)
            cx__buf_printf(&b, "      - { credential: c1, issued: 20%02d-0%d-1%d%s }\n", 10 + k,
                           1 + (i + round) % 9, k,
                           k == 2 ? ", grade: A, results: { score: 90 }" : "");
        if (i % 13 == 0) /* repeats: #2 and #3 around a given id (as the map numbers them) */
            cx__buf_printf(&b,
                           "      - { credential: c1, issued: 2010-0%d-10 }\n"
                           "      - { id: given-%d, credential: c1, issued: 2010-0%d-10 }\n"
                           "      - { credential: c1, issued: 2010-0%d-10 }\n",
                           1 + (i + round) % 9, i, 1 + (i + round) % 9, 1 + (i + round) % 9);
        if (i % 97 == 0)
            cx__buf_printf(&b, "      - { id: moved-%d, credential: c1, issued: 2020-01-01 }\n",
                           (i / 97 + round) % 31);
    }
    const char *path = test_write_file(name, b.data);
    cx__buf_free(&b);
    return path;
}

/* cx_import of path into the registry ahead_db and the loader's import
 * (no writer thread, holders after the other entities) into loader_db:
 * the same code and the same rows. */
static void same_rows(const char *ahead_db, const char *loader_db, const char *path, int want_rc)
{
    cx_error err, lerr;
    cx_registry *r = NULL;
    cx_catalog_loader *ld = NULL;
    cx_buf a, l;
    int arc = import_public(ahead_db, path, &err);
    if (arc != want_rc)
        fprintf(stderr, "  %s: %s:%d:%d: %s\n", path, err.file, err.line, err.column, err.message);
    CHECK_INT(arc, want_rc);
    CHECK_INT(cx_registry_open(loader_db, CX_OPEN_CREATE, &r, &lerr), CX_OK);
    CHECK_INT(cx__catalog_loader_new(r, &ld, &lerr), CX_OK);
    int rc = cx__catalog_loader_add_file(ld, path, &lerr);
    if (!rc) rc = cx__catalog_loader_commit(ld, NULL, NULL, &lerr);
    cx__catalog_loader_free(ld);
    cx_registry_close(r);
    CHECK_INT(rc, want_rc);
    if (want_rc) CHECK_STR(err.message, lerr.message);
    cx__buf_init(&a);
    cx__buf_init(&l);
    dump_rows(ahead_db, &a);
    dump_rows(loader_db, &l);
    CHECK(a.data && !strstr(a.data, "\nholder|h00001|") == (want_rc != CX_OK)); /* all or nothing */
    CHECK_STR(a.data ? a.data : "", l.data ? l.data : "");
    cx__buf_free(&a);
    cx__buf_free(&l);
}

TEST(holders_written_ahead_give_the_same_rows)
{
    char adb[512], ldb[512];
    fresh_registry("ahead-a.db", adb, sizeof adb);
    fresh_registry("ahead-l.db", ldb, sizeof ldb);
    same_rows(adb, ldb, generated("ahead-1.yaml", 3000, 0), CX_OK);
    /* over the first: holders replaced, an award id moved to another holder */
    same_rows(adb, ldb, generated("ahead-2.yaml", 3000, 1), CX_OK);
    same_rows(adb, ldb,
              test_write_file("ahead-c0.yaml", "credentials:\n  - { id: c0, name: Z, type: course, "
                                               "provider: p1, jurisdiction: US-NV }\n"),
              CX_OK);
    /* a file that removes, after its holders: written again in the usual order */
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_printf(
        &b, "holders:\n  - { id: h00001, awards: [{ credential: c1, issued: 2024-01-01 }] }\n"
            "  - { id: h09999, jurisdiction: US-NV }\n"
            "remove:\n  credentials: [c0]\n");
    same_rows(adb, ldb, test_write_file("ahead-rm.yaml", b.data), CX_OK);
    cx__buf_free(&b);
    same_rows(adb, ldb, generated("ahead-3.yaml", 1500, 2), CX_OK);
}

/* A holder of many awards (past OWN_SCAN_MOST in catalog.c, whose default
 * ids are then counted in a map, not found by scanning): repeats numbered
 * #2, #3, ... around given ids, as the map of every award id numbers them. */
TEST(a_holder_of_many_awards_numbers_repeats_as_the_map)
{
    char adb[512], ldb[512];
    cx_buf b;
    cx__buf_init(&b);
    cx__buf_puts(&b, defs);
    cx__buf_puts(&b, "holders:\n  - id: h00001\n    awards:\n");
    for (int k = 0; k < 300; k++)
        if (k % 3 == 0)
            cx__buf_printf(&b, "      - { credential: c1, issued: 2010-01-10 }\n");
        else if (k % 50 == 1)
            cx__buf_printf(&b, "      - { id: given-%d, credential: c1, issued: 2010-01-10 }\n", k);
        else
            cx__buf_printf(&b, "      - { credential: c1, issued: 2011-%02d-%02d }\n", 1 + k % 12,
                           1 + k % 28);
    cx__buf_puts(&b, "  - id: h00002\n    awards:\n"
                     "      - { credential: c1, issued: 2010-01-10 }\n"
                     "      - { credential: c1, issued: 2010-01-10 }\n");
    fresh_registry("many-a.db", adb, sizeof adb);
    fresh_registry("many-l.db", ldb, sizeof ldb);
    same_rows(adb, ldb, test_write_file("many.yaml", b.data), CX_OK);
    cx__buf_free(&b);
    cx_buf rows;
    cx__buf_init(&rows);
    dump_rows(adb, &rows);
    CHECK(rows.data && strstr(rows.data, "award|h00001/c1/2010-01-10|h00001|"));
    CHECK(rows.data && strstr(rows.data, "award|h00001/c1/2010-01-10#100|h00001|"));
    CHECK(rows.data && !strstr(rows.data, "award|h00001/c1/2010-01-10#101|"));
    CHECK(rows.data && strstr(rows.data, "award|h00002/c1/2010-01-10#2|h00002|"));
    cx__buf_free(&rows);
}

/* Refuses to insert holder h01500 in the registry at path. */
static void add_trigger(const char *path)
{
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
                           "CREATE TRIGGER boom BEFORE INSERT ON holder WHEN NEW.id = 'h01500'"
                           " BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
}

TEST(a_failed_write_ahead_reports_what_the_import_reports)
{
    char adb[512], ldb[512], path[512];
    cx_error err;
    snprintf(path, sizeof path, "%s", generated("ahead-fail.yaml", 3000, 0));
    fresh_registry("ahead-fa.db", adb, sizeof adb);
    fresh_registry("ahead-fl.db", ldb, sizeof ldb);
    CHECK_INT(import_public(adb, test_write_file("ahead-defs.yaml", defs), &err), CX_OK);
    CHECK_INT(import_public(ldb, test_write_file("ahead-defs.yaml", defs), &err), CX_OK);
    add_trigger(adb);
    add_trigger(ldb);
    /* the writer fails at holder 1500 while the file is read: rolled back,
     * the import runs again and fails there, with the same message */
    same_rows(adb, ldb, path, CX_EREGISTRY);
    CHECK_INT(import_public(adb, path, &err), CX_EREGISTRY);
    CHECK(strstr(err.message, "cannot write holder 'h01500': refused by a test trigger"));
    CHECK_STR(err.file, path);
    CHECK(err.line > 1500); /* the holder's line */
}

static const test_case cases[] = {
    {"every_bad_catalog_fails_the_same_streamed", every_bad_catalog_fails_the_same_streamed},
    {"holders_model_is_the_same_streamed", holders_model_is_the_same_streamed},
    {"error_in_second_and_last_holder", error_in_second_and_last_holder},
    {"alias_across_holders_is_refused", alias_across_holders_is_refused},
    {"errors_elsewhere_keep_their_order", errors_elsewhere_keep_their_order},
    {"reader_hands_over_items_and_keeps_the_rest", reader_hands_over_items_and_keeps_the_rest},
    {"holders_written_ahead_give_the_same_rows", holders_written_ahead_give_the_same_rows},
    {"a_holder_of_many_awards_numbers_repeats_as_the_map",
     a_holder_of_many_awards_numbers_repeats_as_the_map},
    {"a_failed_write_ahead_reports_what_the_import_reports",
     a_failed_write_ahead_reports_what_the_import_reports},
    {NULL, NULL}};

TEST_MAIN(cases)
