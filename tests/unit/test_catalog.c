/*
 * test_catalog.c -- catalog semantics through the API: defaults, quoting,
 * YAML 1.1 booleans, normalised codes, definitions across files, and the
 * loader's holder entry point used by rule tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "credex.h"
#include "test.h"

static const char base[] =
    "jurisdictions:\n"
    "  - { id: US-TX, name: Texas, kind: yes }\n"
    "credentials:\n"
    "  - id: TX-EVS-101\n"
    "    name: EV High-Voltage Safety\n"
    "    type: micro-credential\n"
    "    jurisdiction: US-TX\n"
    "    hours: \"40\"\n"
    "    valid_for: P3Y\n"
    "    codes: { ctid: CE-42EF42AE-C09A-430C-BF6F-F5F3CF0D08E2, cip: 47.0600 }\n"
    "    attributes: { points: 6, on_site: no }\n"
    "holders:\n"
    "  - id: h-0001\n"
    "    awards:\n"
    "      - { credential: TX-EVS-101, issued: 2025-03-14 }\n"
    "      - { credential: TX-EVS-101, issued: 2025-03-14, hours: 12.5 }\n"
    "      - { credential: TX-EVS-101, issued: 2025-03-14, id: retake-2025 }\n";

static cx_registry *memory_registry(void)
{
    cx_registry *r = NULL;
    cx_error err;
    CHECK_INT(cx_registry_open(NULL, CX_OPEN_MEMORY | CX_OPEN_CREATE, &r, &err), CX_OK);
    return r;
}

TEST(defaults_quoting_and_codes)
{
    cx_registry *r = memory_registry();
    cx_error err;
    cx_import_stats stats;
    const char *path = test_write_file("catalog-base.yaml", base);
    cx_error_clear(&err);
    CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, &stats, &err), CX_OK);
    CHECK_INT(stats.count[CX_KIND_AWARD], 3);

    cx_credential *c = NULL;
    CHECK_INT(cx_registry_credential(r, "TX-EVS-101", &c, &err), CX_OK);
    if (c) {
        CHECK_INT(c->hours, 4000); /* "40" is 40 */
        CHECK_INT(c->ncodes, 2);
        CHECK_STR(c->codes[0].key, "cip");
        CHECK_STR(c->codes[0].value, "47.0600"); /* kept as text */
        CHECK_STR(c->codes[1].value, "ce-42ef42ae-c09a-430c-bf6f-f5f3cf0d08e2");
        CHECK_STR(c->attributes[0].key, "on_site");
        CHECK_STR(c->attributes[0].value, "no"); /* not a boolean */
    }
    cx_credential_free(c);

    cx_holder *h = NULL;
    CHECK_INT(cx_registry_holder(r, "h-0001", &h, &err), CX_OK);
    if (h && h->nawards == 3) {
        CHECK_STR(h->awards[0].id, "h-0001/TX-EVS-101/2025-03-14");
        CHECK_STR(h->awards[1].id, "h-0001/TX-EVS-101/2025-03-14#2");
        CHECK_STR(h->awards[2].id, "retake-2025");
        CHECK_INT(h->awards[0].hours, 4000); /* the credential's */
        CHECK_INT(h->awards[1].hours, 1250); /* its own */
        CHECK_STR(h->awards[0].jurisdiction, "US-TX");
        CHECK_STR(h->awards[0].status, "active");
        CHECK(h->awards[0].expires == NULL); /* computed at evaluation */
    }
    cx_holder_free(h);

    /* the jurisdiction's kind: yes is text */
    cx_registry_close(r);
}

TEST(definitions_across_files_name_both_places)
{
    cx_registry *r = memory_registry();
    cx_error err;
    const char *paths[2];
    paths[0] =
        test_write_file("catalog-a.yaml", "jurisdictions:\n  - { id: US-TX, name: Texas }\n");
    paths[1] = test_write_file(
        "catalog-b.yaml", "# the same id again\njurisdictions:\n  - { id: US-TX, name: Tejas }\n");
    cx_error_clear(&err);
    CHECK_INT(cx_catalog_import(r, paths, 2, NULL, NULL, NULL, &err), CX_EINPUT);
    CHECK_CONTAINS(err.file, "catalog-b.yaml");
    CHECK_INT(err.line, 3);
    CHECK_INT(err.column, 11);
    CHECK_CONTAINS(err.message, "jurisdiction 'US-TX' is defined twice in this import (first at ");
    CHECK_CONTAINS(err.message, "catalog-a.yaml:2:11)");
    int64_t counts[CX_KIND_AWARD + 1];
    CHECK_INT(cx_registry_counts(r, counts, &err), CX_OK);
    CHECK_INT(counts[CX_KIND_JURISDICTION], 0); /* nothing written */
    cx_registry_close(r);
}

TEST(later_import_replaces_and_references_earlier)
{
    cx_registry *r = memory_registry();
    cx_error err;
    const char *path = test_write_file("catalog-base2.yaml", base);
    CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
    path = test_write_file("catalog-later.yaml", "holders:\n"
                                                 "  - id: h-0002\n"
                                                 "    jurisdiction: US-TX\n"
                                                 "    awards: [ { credential: TX-EVS-101, "
                                                 "issued: 2026-01-05, status: suspended } ]\n");
    CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
    cx_holder *h = NULL;
    CHECK_INT(cx_registry_holder(r, "h-0002", &h, &err), CX_OK);
    if (h && h->nawards == 1) CHECK_STR(h->awards[0].status, "suspended");
    cx_holder_free(h);
    int64_t version = 0;
    CHECK_INT(cx_registry_content_version(r, &version, &err), CX_OK);
    CHECK_INT(version, 2);
    cx_registry_close(r);
}

TEST(loader_holder_for_rule_tests)
{
    cx_registry *r = memory_registry();
    cx_error err;
    cx_catalog_loader *ld = NULL;
    cx_ydoc *doc = NULL;
    const char *path = test_write_file("catalog-base3.yaml", base);
    CHECK_INT(cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err), CX_OK);
    static const char holder[] = "awards:\n  - { credential: TX-EVS-101, issued: 2026-02-01 }\n";
    CHECK_INT(cx__yaml_load_buffer("case.test.yaml", holder, sizeof holder - 1, &doc, &err), CX_OK);
    CHECK_INT(cx__catalog_loader_new(r, &ld, &err), CX_OK);
    CHECK_INT(cx__catalog_loader_add_holder(ld, cx__ydoc_root(doc), "case.test.yaml", "test-holder",
                                            &err),
              CX_OK);
    CHECK_INT(cx__catalog_loader_commit(ld, NULL, NULL, &err), CX_OK);
    cx_holder *h = NULL;
    CHECK_INT(cx_registry_holder(r, "test-holder", &h, &err), CX_OK);
    if (h && h->nawards == 1) CHECK_STR(h->awards[0].id, "test-holder/TX-EVS-101/2026-02-01");
    cx_holder_free(h);
    cx__catalog_loader_free(ld);
    cx__ydoc_free(doc);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"defaults_quoting_and_codes", defaults_quoting_and_codes},
    {"definitions_across_files_name_both_places", definitions_across_files_name_both_places},
    {"later_import_replaces_and_references_earlier", later_import_replaces_and_references_earlier},
    {"loader_holder_for_rule_tests", loader_holder_for_rule_tests},
    {NULL, NULL}};

TEST_MAIN(cases)
