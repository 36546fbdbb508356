/*
 * test_export.c -- cx_export through the public API: the repeats of one
 * default award id come back with the same numbers (the tenth after the
 * ninth, not after the first), the options it refuses, and a writer that
 * fails. tests/cli/export.sh holds the round trips of whole catalogs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credex.h"
#include "test.h"

static const char *tmp_path(const char *name)
{
    static char path[2][1024];
    static int k;
    const char *dir = getenv("TEST_TMP");
    k = (k + 1) % 2;
    snprintf(path[k], sizeof path[k], "%s/export-%s", dir && *dir ? dir : "/tmp", name);
    return path[k];
}

/* A registry in memory holding the catalog text; NULL on failure. */
static cx_registry *registry_of(const char *text)
{
    cx_registry *r = NULL;
    cx_error err;
    const char *path = tmp_path("catalog.yaml");
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(text, f);
    fclose(f);
    if (cx_registry_open(NULL, CX_OPEN_MEMORY, &r, &err) ||
        cx_catalog_import(r, &path, 1, NULL, NULL, NULL, &err)) {
        fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
        cx_registry_close(r);
        return NULL;
    }
    return r;
}

typedef struct text {
    char *s;
    size_t n;
} text;

static int append(const char *s, size_t n, void *ud)
{
    text *t = ud;
    char *more = realloc(t->s, t->n + n + 1);
    if (!more) return -1;
    memcpy(more + t->n, s, n);
    t->s = more;
    t->n += n;
    t->s[t->n] = '\0';
    return 0;
}

static int refuse(const char *s, size_t n, void *ud)
{
    (void)s;
    (void)n;
    (void)ud;
    return -1;
}

/* The export of r with opt, malloc'd; NULL when it failed. */
static char *export_of(cx_registry *r, const cx_export_options *opt)
{
    text t = {NULL, 0};
    cx_error err;
    if (cx_export(r, opt, append, &t, &err) != CX_OK) {
        fprintf(stderr, "  export: %s\n", err.message);
        free(t.s);
        return NULL;
    }
    return t.s;
}

TEST(repeats_of_a_default_id_keep_their_numbers)
{
    char catalog[2048];
    size_t n = (size_t)snprintf(catalog, sizeof catalog,
                                "version: 1\n"
                                "jurisdictions: [{ id: US-OH, name: Ohio }]\n"
                                "credentials: [{ id: C, name: C, type: course, jurisdiction: "
                                "US-OH }]\n"
                                "holders:\n  - id: h\n    awards:\n");
    for (int i = 1; i <= 11; i++) /* eleven awards of C on one day: h/C/2025-01-02 ... #11 */
        n += (size_t)snprintf(catalog + n, sizeof catalog - n,
                              "      - { credential: C, issued: 2025-01-02, grade: g%d }\n", i);
    cx_registry *r = registry_of(catalog), *again = NULL;
    char *first = r ? export_of(r, NULL) : NULL, *second = NULL;
    CHECK(first != NULL);
    if (first) {
        CHECK(strstr(first, "      - id: ") == NULL); /* no award id written */
        const char *g9 = strstr(first, "grade: g9\n"), *g10 = strstr(first, "grade: g10\n");
        CHECK(g9 && g10 && g9 < g10); /* #9 before #10, as the import numbered them */
        again = registry_of(first);
        second = again ? export_of(again, NULL) : NULL;
        CHECK_STR(second, first);
    }
    cx_holder *h = NULL;
    cx_error err;
    if (again && cx_registry_holder(again, "h", &h, &err) == CX_OK) {
        CHECK_INT(h->nawards, 11);
        for (size_t i = 0; i < h->nawards; i++)
            if (strcmp(h->awards[i].id, "h/C/2025-01-02#10") == 0)
                CHECK_STR(h->awards[i].grade, "g10");
    } else {
        CHECK(0);
    }
    cx_holder_free(h);
    free(first);
    free(second);
    cx_registry_close(r);
    cx_registry_close(again);
}

TEST(options_it_refuses_and_a_failing_writer)
{
    cx_registry *r = registry_of("version: 1\njurisdictions: [{ id: US-OH, name: Ohio }]\n");
    cx_error err;
    text t = {NULL, 0};
    if (!r) {
        CHECK(0);
        return;
    }
    cx_export_options csv_of_credentials = {CX_EXPORT_CREDENTIALS, NULL, CX_EXPORT_CSV};
    CHECK_INT(cx_export(r, &csv_of_credentials, append, &t, &err), CX_EUSAGE);
    CHECK_CONTAINS(err.message, "CSV holds awards only, not credentials");
    cx_export_options holder_of_groups = {CX_EXPORT_GROUPS, "h", CX_EXPORT_YAML};
    CHECK_INT(cx_export(r, &holder_of_groups, append, &t, &err), CX_EUSAGE);
    CHECK_CONTAINS(err.message, "a holder does not apply to groups");
    CHECK(t.s == NULL); /* nothing written */
    CHECK_INT(cx_export(r, NULL, refuse, NULL, &err), -1);
    cx_export_options csv = {CX_EXPORT_EVERYTHING, NULL, CX_EXPORT_CSV};
    char *header = export_of(r, &csv);
    CHECK_STR(header,
              "holder,credential,issued,expires,jurisdiction,hours,status,grade,evidence\r\n");
    free(header);
    cx_export_part part;
    CHECK_INT(cx_export_part_parse("competencies", &part), 0);
    CHECK_INT(part, CX_EXPORT_COMPETENCIES);
    CHECK_STR(cx_export_part_name(CX_EXPORT_AWARDS), "awards");
    CHECK_INT(cx_export_part_parse("credential", &part), -1);
    cx_registry_close(r);
}

static const test_case cases[] = {
    {"repeats_of_a_default_id_keep_their_numbers", repeats_of_a_default_id_keep_their_numbers},
    {"options_it_refuses_and_a_failing_writer", options_it_refuses_and_a_failing_writer},
    {NULL, NULL}};

TEST_MAIN(cases)
