/*
 * test_import_formats.c -- the import foundation through the loader and
 * the public API: a catalog document built from JSON is checked as YAML is,
 * its errors located by JSON Pointer; the node builder; cx_import with its
 * options (jurisdiction, skip_invalid, the report callback) on CSV files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "credex.h"
#include "json_reader.h"
#include "test.h"

static const char base_yaml[] = "jurisdictions:\n"
                                "  - { id: US-TX, name: Texas }\n"
                                "credentials:\n"
                                "  - { id: C1, name: One, type: certificate, jurisdiction: US-TX,\n"
                                "      grade_scale: [C, B, A] }\n";

static cx_registry *registry_with_base(void)
{
    cx_registry *r = NULL;
    cx_error err;
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, &r, &err), CX_OK);
    const char *path = test_write_file("formats-base.yaml", base_yaml);
    CHECK_INT(cx_import(r, &path, 1, NULL, NULL, &err), CX_OK);
    return r;
}

static const char *formatted(const cx_error *err)
{
    static char buf[2048];
    cx_error_format(err, buf, sizeof buf);
    return buf;
}

/* Loads JSON text as a catalog document into a new loader over r; the
 * result of add_doc, with err. */
static int add_json(cx_registry *r, const char *json, cx_error *err)
{
    cx_ydoc *doc = NULL;
    cx_catalog_loader *ld = NULL;
    cx_error_clear(err);
    int rc = cx__json_load_buffer("x.json", json, strlen(json), &doc, err);
    if (!rc) rc = cx__catalog_loader_new(r, &ld, err);
    if (!rc) rc = cx__catalog_loader_add_doc(ld, doc, NULL, err);
    if (!rc) rc = cx__catalog_loader_commit(ld, NULL, NULL, err);
    cx__catalog_loader_free(ld);
    cx__ydoc_free(doc);
    return rc;
}

TEST(json_catalog_errors_read_by_pointer)
{
    cx_registry *r = registry_with_base();
    cx_error err;
    CHECK_INT(add_json(r,
                       "{\"holders\": [{\"id\": \"h1\", \"awards\": [{\"credential\": \"C1\", "
                       "\"issued\": \"2025-13-01\"}]}]}",
                       &err),
              CX_EINPUT);
    CHECK_STR(formatted(&err), "x.json: /holders/0/awards/0/issued: invalid date '2025-13-01' "
                               "for 'issued': month must be 01 to 12");
    CHECK_INT(add_json(r, "{\"holders\": [{\"id\": \"h1\", \"colour\": \"red\"}]}", &err),
              CX_EINPUT);
    CHECK_CONTAINS(formatted(&err), "x.json: /holders/0/colour: unknown key 'colour' in holder");
    CHECK_INT(add_json(r,
                       "{\"holders\": [{\"id\": \"h1\", \"awards\": [{\"credential\": \"C2\", "
                       "\"issued\": \"2025-01-01\"}]}]}",
                       &err),
              CX_EINPUT);
    CHECK_STR(
        formatted(&err),
        "x.json: /holders/0/awards/0/credential: unknown credential 'C2'; did you mean 'C1'?");
    CHECK_INT(add_json(r, "{\"holders\": [{\"id\": \"h1\", \"jurisdiction\": null}]}", &err),
              CX_EINPUT);
    CHECK_STR(formatted(&err), "x.json: /holders/0/jurisdiction: empty value for 'jurisdiction'; "
                               "give a value or leave the key out");
    CHECK_INT(add_json(r, "[1]", &err), CX_EINPUT);
    CHECK_STR(formatted(&err), "x.json: expected the catalog to be a mapping, found a list");
    cx_registry_close(r);
}

TEST(json_holders_gain_awards)
{
    cx_registry *r = registry_with_base();
    cx_error err;
    cx_holder *h = NULL;
    const char *path = test_write_file(
        "formats-h1.yaml", "holders:\n  - { id: h1, jurisdiction: US-TX, attributes: "
                           "{ a: b }, awards: [{ credential: C1, issued: 2025-01-01 }] }\n");
    CHECK_INT(cx_import(r, &path, 1, NULL, NULL, &err), CX_OK);
    CHECK_INT(add_json(r,
                       "{\"holders\": [{\"id\": \"h1\", \"awards\": [{\"credential\": \"C1\", "
                       "\"issued\": \"2025-02-01\", \"hours\": 12.50}]}]}",
                       &err),
              CX_OK);
    CHECK_INT(cx_registry_holder(r, "h1", &h, &err), CX_OK);
    if (h) {
        CHECK_INT(h->nawards, 2);
        CHECK_INT(h->nattributes, 1);
        CHECK_STR(h->jurisdiction, "US-TX");
    }
    cx_holder_free(h);
    cx_registry_close(r);
}

TEST(builder_grows_maps_and_lists)
{
    cx_ydoc *doc = NULL;
    cx_error err;
    CHECK_INT(cx__ydoc_new("b.x", "json", &doc, &err), CX_OK);
    cx_ynode *map = cx__ynode_new(doc, CX_YMAP, 0, 0, "");
    cx_ynode *list = cx__ynode_new(doc, CX_YLIST, 0, 0, "/l");
    char key[16];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cx_ynode *k = cx__ynode_scalar(doc, key, strlen(key), 0, 0, 0, "");
        CHECK_INT(cx__ymap_put(doc, map, k, cx__ynode_scalar(doc, "v\0w", 3, 1, 0, 0, "")), CX_OK);
        CHECK_INT(cx__ylist_append(doc, list, k), CX_OK);
    }
    cx__ydoc_set_root(doc, map);
    CHECK_INT(map->count, 100);
    CHECK_INT(list->count, 100);
    CHECK_STR(map->keys[99]->text, "k99");
    CHECK_STR(list->items[37]->text, "k37");
    CHECK(cx__ymap_get(map, "k64") == map->items[64]);
    CHECK_INT(map->items[3]->len, 3);
    CHECK(cx__ydoc_root(doc) == map);
    CHECK_STR(cx__ydoc_name(doc), "b.x");
    cx__ydoc_free(doc);
}

/* Collects report lines as the CLI does. */
typedef struct collected {
    char text[4096];
    int n;
} collected;

static void collect(void *ud, const cx_import_issue *issue)
{
    collected *c = ud;
    char *line = cx_import_issue_json(issue);
    if (line) strncat(c->text, line, sizeof c->text - strlen(c->text) - 1);
    free(line);
    c->n++;
}

TEST(options_jurisdiction_skip_invalid_and_report)
{
    cx_registry *r = registry_with_base();
    cx_error err;
    cx_import_stats stats;
    cx_import_options opts;
    collected got;
    const char *path = test_write_file("formats.csv", "holder,credential,issued,grade\n"
                                                      "h1,C1,2025-01-01,B\n"
                                                      "h1,C1,2025-01-02,Z\n"
                                                      "h2,C9,2025-01-03,\n");
    memset(&opts, 0, sizeof opts);
    memset(&got, 0, sizeof got);
    const char *paths[2] = {path, test_write_file("formats-base.yaml", base_yaml)};
    CHECK_INT(cx_import(r, paths, 2, &opts, &stats, &err), CX_EINPUT);
    CHECK_STR(err.message, "column 'credential': unknown credential 'C9'; did you mean 'C1'?");
    CHECK_INT(err.line, 4);
    opts.skip_invalid = 1;
    opts.jurisdiction = "US-TX";
    opts.report = collect;
    opts.report_ud = &got;
    /* the grade is checked because this import defines C1 (with its scale) */
    CHECK_INT(cx_import(r, paths, 2, &opts, &stats, &err), CX_OK);
    CHECK_INT(stats.files[CX_FORMAT_CSV], 1);
    CHECK_INT(stats.files[CX_FORMAT_YAML], 1);
    CHECK_INT(stats.skipped, 2);
    CHECK_INT(stats.count[CX_KIND_AWARD], 1);
    CHECK_INT(stats.count[CX_KIND_HOLDER], 1);
    CHECK_INT(got.n, 2);
    CHECK_CONTAINS(got.text, "{\"file\":\"");
    CHECK_CONTAINS(got.text, "\"pointer\":null,\"line\":4,\"key\":\"credential\",\"why\":"
                             "\"unknown credential 'C9'; did you mean 'C1'?\"}\n");
    CHECK_CONTAINS(got.text, "\"line\":3,\"key\":null,\"why\":\"grade 'Z' is not on the grade "
                             "scale of 'C1'; expected one of: C, B, A\"}\n");
    cx_holder *h = NULL;
    CHECK_INT(cx_registry_holder(r, "h1", &h, &err), CX_OK);
    if (h) CHECK_STR(h->jurisdiction, "US-TX");
    cx_holder_free(h);
    CHECK_INT(cx_registry_has(r, CX_KIND_HOLDER, "h2", &err), 0);
    CHECK_STR(cx_format_name(CX_FORMAT_JWS), "jws");
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"json_catalog_errors_read_by_pointer", json_catalog_errors_read_by_pointer},
    {"json_holders_gain_awards", json_holders_gain_awards},
    {"builder_grows_maps_and_lists", builder_grows_maps_and_lists},
    {"options_jurisdiction_skip_invalid_and_report", options_jurisdiction_skip_invalid_and_report},
    {NULL, NULL},
};

TEST_MAIN(cases)
