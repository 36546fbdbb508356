/*
 * test_ruletest.c -- the rule-test runner through its C API: the registry
 * each case runs against (a case holder replaces a catalog holder for that
 * case only), the results and summary it reports, the order it finds test
 * files in, and the helpers evaluators share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "credex.h"
#include "ruletest.h"
#include "test.h"

#define MAX_SEEN 64

/* What on_case saw of one case's registry. */
typedef struct seen_case {
    char name[128];
    char holder[64]; /* the case holder's id, "" when none */
    char as_of[11];
    long h1_awards;     /* awards of h-1, or -1 when h-1 is not in the registry */
    long h1_attributes; /* its attributes */
    char h1_first[64];  /* its first award's credential and issue date */
    long test_holder;   /* 1 when test-holder is in the registry */
    long credentials;   /* credentials in the registry */
} seen_case;

/* What on_result reported. */
typedef struct seen_result {
    char file[512];
    int line;
    char name[128];
    int passed, input_error;
    char difference[1024];
} seen_result;

typedef struct seen {
    seen_case cases[MAX_SEEN];
    size_t ncases;
    seen_result results[MAX_SEEN];
    size_t nresults;
} seen;

static void on_case(void *ud, const cx_test_case_info *info)
{
    seen *s = ud;
    cx_holder *h = NULL;
    cx_error err;
    int64_t counts[CX_KIND_AWARD + 1];
    if (s->ncases == MAX_SEEN) return;
    seen_case *c = &s->cases[s->ncases++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", info->name);
    snprintf(c->holder, sizeof c->holder, "%s", info->holder ? info->holder : "");
    snprintf(c->as_of, sizeof c->as_of, "%s", info->as_of);
    c->h1_awards = -1;
    if (cx_registry_holder(info->registry, "h-1", &h, &err) == CX_OK) {
        c->h1_awards = (long)h->nawards;
        c->h1_attributes = (long)h->nattributes;
        if (h->nawards)
            snprintf(c->h1_first, sizeof c->h1_first, "%s %s", h->awards[0].credential,
                     h->awards[0].issued);
        cx_holder_free(h);
    }
    c->test_holder = cx_registry_has(info->registry, CX_KIND_HOLDER, "test-holder", &err);
    c->credentials =
        cx_registry_counts(info->registry, counts, &err) == CX_OK ? counts[CX_KIND_CREDENTIAL] : -1;
}

static void on_result(void *ud, const cx_test_result *r)
{
    seen *s = ud;
    if (s->nresults == MAX_SEEN) return;
    seen_result *x = &s->results[s->nresults++];
    snprintf(x->file, sizeof x->file, "%s", r->file);
    x->line = r->line;
    snprintf(x->name, sizeof x->name, "%s", r->name ? r->name : "(file)");
    x->passed = r->passed;
    x->input_error = r->input_error;
    snprintf(x->difference, sizeof x->difference, "%s", r->difference ? r->difference : "");
}

/* Runs the tests at path (relative to the source tree) into *s. */
static int run(const char *path, seen *s, cx_test_summary *sum)
{
    char full[1024];
    const char *paths[1] = {full};
    cx_test_options opt = {on_result, on_case, s};
    cx_error err;
    snprintf(full, sizeof full, "%s/%s", TEST_SRC, path);
    memset(s, 0, sizeof *s);
    cx_error_clear(&err);
    int rc = cx_test_run(paths, 1, &opt, sum, &err);
    if (rc) fprintf(stderr, "  cx_test_run: %d %s\n", rc, err.message);
    return rc;
}

static const seen_case *find_case(const seen *s, const char *name)
{
    for (size_t i = 0; i < s->ncases; i++)
        if (strcmp(s->cases[i].name, name) == 0) return &s->cases[i];
    fprintf(stderr, "  no case '%s' was run\n", name);
    return NULL;
}

TEST(a_case_holder_replaces_a_catalog_holder_for_that_case_only)
{
    seen *s = calloc(1, sizeof *s);
    cx_test_summary sum;
    CHECK_INT(run("tests/ruletest/runner.test.yaml", s, &sum), CX_OK);
    CHECK_INT(sum.passed, 9);
    CHECK_INT(sum.failed, 0);
    CHECK_INT(s->ncases, 9);

    const seen_case *c = find_case(s, "a directory of packs loads every pack under it");
    if (c) {
        CHECK_STR(c->holder, "");
        CHECK_INT(c->h1_awards, 2);
        CHECK_INT(c->h1_attributes, 1);
        CHECK_STR(c->h1_first, "TX-EVS-101 2025-03-14");
        CHECK_INT(c->test_holder, 0);
        CHECK_STR(c->as_of, "2026-06-01");
    }
    c = find_case(s, "a holder without an id is test-holder");
    if (c) {
        CHECK_STR(c->holder, "test-holder");
        CHECK_INT(c->test_holder, 1);
        CHECK_INT(c->h1_awards, 2);
    }
    c = find_case(s, "a holder with an existing id replaces it for this case");
    if (c) {
        CHECK_STR(c->holder, "h-1");
        CHECK_INT(c->h1_awards, 1);
        CHECK_INT(c->h1_attributes, 0);
        CHECK_STR(c->h1_first, "TX-EVS-101 2026-01-05");
        CHECK_INT(c->test_holder, 0);
    }
    c = find_case(s, "the next case sees the catalog's holder again");
    if (c) {
        CHECK_STR(c->holder, "");
        CHECK_INT(c->h1_awards, 2);
        CHECK_INT(c->h1_attributes, 1);
        CHECK_STR(c->h1_first, "TX-EVS-101 2025-03-14");
    }
    c = find_case(s, "a case overrides the as-of date");
    if (c) CHECK_STR(c->as_of, "2024-02-29");
    c = find_case(s, "a case with its own catalog and rules and a holder");
    if (c) {
        CHECK_INT(c->h1_awards, -1);
        CHECK_INT(c->test_holder, 1);
        CHECK_INT(c->credentials, 1);
    }
    c = find_case(s, "a case overrides the catalog, and the packs compile against it");
    if (c) CHECK_INT(c->credentials, 1);
    free(s);
}

TEST(results_name_each_case_and_what_differed)
{
    seen *s = calloc(1, sizeof *s);
    cx_test_summary sum;
    CHECK_INT(run("tests/ruletest/failing/expectations.test.yaml", s, &sum), CX_OK);
    CHECK_INT(sum.passed, 1);
    CHECK_INT(sum.failed, 4);
    CHECK_INT(sum.input_errors, 0);
    CHECK_INT(cx_test_exit_code(&sum), 1);
    CHECK_INT(s->nresults, 5);
    if (s->nresults == 5) {
        CHECK_STR(s->results[0].name, "this one passes");
        CHECK_INT(s->results[0].line, 5);
        CHECK_INT(s->results[0].passed, 1);
        CHECK_STR(s->results[0].difference, "");
        CHECK_STR(s->results[2].name, "packs expected to fail");
        CHECK_INT(s->results[2].line, 12);
        CHECK_INT(s->results[2].passed, 0);
        CHECK_INT(s->results[2].input_error, 0);
        CHECK_STR(s->results[2].difference,
                  "check: status ok, expected error (the packs loaded: 3 rules)");
        CHECK_CONTAINS(s->results[3].difference,
                       "check: the first error does not match \"unknown jurisdiction\": ");
        CHECK_CONTAINS(s->results[3].difference,
                       "tests/ruletest/fixtures/broken/misspelt.lua:3: error: counts_as: unknown "
                       "credential 'CA-EVS-110'; did you mean 'CA-EVS-101'?");
        CHECK_INT(s->results[4].line, 19);
        CHECK_STR(s->results[4].difference,
                  "check: status ok, expected error (the packs loaded: 3 rules); check: status "
                  "ok, expected error (the packs loaded: 3 rules)");
    }
    free(s);
}

TEST(a_bad_test_file_is_one_failed_case_with_its_located_error)
{
    seen *s = calloc(1, sizeof *s);
    cx_test_summary sum;
    CHECK_INT(run("tests/ruletest/failing/unknown-case-key.test.yaml", s, &sum), CX_OK);
    CHECK_INT(sum.passed, 0);
    CHECK_INT(sum.failed, 1);
    CHECK_INT(sum.input_errors, 1);
    CHECK_INT(cx_test_exit_code(&sum), 3);
    CHECK_INT(s->ncases, 0); /* no case of a bad file runs */
    if (s->nresults == 1) {
        CHECK_STR(s->results[0].name, "(file)");
        CHECK_INT(s->results[0].line, 0);
        CHECK_INT(s->results[0].input_error, 1);
        CHECK_CONTAINS(s->results[0].difference,
                       "unknown-case-key.test.yaml:7:5: unknown key 'as-of' in test case (did "
                       "you mean 'as_of'?); expected one of: name, holder, as_of, catalog, rules, "
                       "expect");
    }
    free(s);
}

TEST(a_bad_holder_fails_its_case_and_the_others_run)
{
    seen *s = calloc(1, sizeof *s);
    cx_test_summary sum;
    CHECK_INT(run("tests/ruletest/failing/bad-holder.test.yaml", s, &sum), CX_OK);
    CHECK_INT(sum.passed, 2);
    CHECK_INT(sum.failed, 2);
    CHECK_INT(sum.input_errors, 2);
    CHECK_INT(cx_test_exit_code(&sum), 3);
    if (s->nresults == 4) {
        CHECK_STR(s->results[1].name, "a misspelt holder field");
        CHECK_INT(s->results[1].line, 7);
        CHECK_CONTAINS(s->results[1].difference,
                       "bad-holder.test.yaml:9:7: unknown key 'awardz' in holder; expected one "
                       "of: id, jurisdiction, attributes, awards");
        CHECK_CONTAINS(s->results[2].difference,
                       "bad-holder.test.yaml:13:31: unknown credential 'CA-EVS-110'; did you mean "
                       "'CA-EVS-101'?");
        CHECK_INT(s->results[3].passed, 1);
    }
    free(s);
}

TEST(directories_run_every_test_file_in_byte_order)
{
    seen *s = calloc(1, sizeof *s);
    cx_test_summary sum;
    CHECK_INT(run("tests/ruletest", s, &sum), CX_OK);
    size_t files = 0;
    int ordered = 1;
    for (size_t i = 1; i < s->nresults; i++) {
        int c = strcmp(s->results[i - 1].file, s->results[i].file);
        if (c > 0) ordered = 0;
        if (c) files++;
    }
    CHECK(ordered);
    CHECK(files >= 15);
    CHECK_CONTAINS(s->results[0].file, "tests/ruletest/decisions.test.yaml");
    CHECK_CONTAINS(s->results[s->nresults - 1].file, "tests/ruletest/runner.test.yaml");
    CHECK_INT(cx_test_exit_code(&sum), 3);
    free(s);
}

TEST(paths_that_name_no_test_file)
{
    seen *s = calloc(1, sizeof *s);
    cx_test_summary sum;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/empty-ruletest-dir",
             getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp");
    mkdir(dir, 0700);
    CHECK_INT(run("tests/ruletest/nosuch.test.yaml", s, &sum), CX_OK);
    CHECK_INT(sum.failed, 1);
    CHECK_INT(sum.input_errors, 1);
    CHECK_CONTAINS(s->results[0].difference, "nosuch.test.yaml: no such test file or directory");

    const char *paths[1] = {dir};
    cx_test_options opt = {on_result, NULL, s};
    cx_error err;
    memset(s, 0, sizeof *s);
    CHECK_INT(cx_test_run(paths, 1, &opt, &sum, &err), CX_OK);
    CHECK_INT(sum.failed, 1);
    CHECK_CONTAINS(s->results[0].difference,
                   "empty-ruletest-dir: no *.test.yaml files under this directory");
    free(s);
}

TEST(lists_compare_as_sets)
{
    const char *want_v[] = {"CA-EVS-101", "CA-EVB-201"};
    cx__strlist want = {want_v, 2};
    const char *same[] = {"CA-EVB-201", "CA-EVS-101", "CA-EVB-201"};
    const char *other[] = {"CA-EVS-101", "CA-EVC-203"};
    cx_buf diff;
    cx__buf_init(&diff);
    CHECK_INT(cx__expect_same_set("used", &want, same, 3, &diff), 1);
    CHECK_INT(diff.len, 0);
    CHECK_INT(cx__expect_same_set("used", &want, other, 2, &diff), 0);
    CHECK_STR(diff.data, "used [CA-EVS-101, CA-EVC-203], expected [CA-EVS-101, CA-EVB-201] "
                         "(extra: CA-EVC-203; lacking: CA-EVB-201)");
    diff.len = 0;
    CHECK_INT(cx__expect_same_set("missing", &want, NULL, 0, &diff), 0);
    CHECK_STR(diff.data, "missing [], expected [CA-EVS-101, CA-EVB-201] (lacking: CA-EVS-101, "
                         "CA-EVB-201)");
    cx__buf_free(&diff);
}

TEST(coverage_rounds_to_two_decimals)
{
    CHECK_INT(cx__expect_coverage_matches(67, 2, 3), 1);
    CHECK_INT(cx__expect_coverage_matches(66, 2, 3), 0);
    CHECK_INT(cx__expect_coverage_matches(80, 4, 5), 1);
    CHECK_INT(cx__expect_coverage_matches(100, 3, 3), 1);
    CHECK_INT(cx__expect_coverage_matches(0, 0, 3), 1);
    CHECK_INT(cx__expect_coverage_matches(0, 0, 0), 0);
    CHECK_INT(cx__expect_coverage_matches(1, 1, 200), 1); /* 0.005 rounds half up */
    CHECK_INT(cx__expect_coverage_matches(0, 1, 201), 1); /* 0.004975 rounds down */
}

static const test_case cases[] = {
    {"a_case_holder_replaces_a_catalog_holder_for_that_case_only",
     a_case_holder_replaces_a_catalog_holder_for_that_case_only},
    {"results_name_each_case_and_what_differed", results_name_each_case_and_what_differed},
    {"a_bad_test_file_is_one_failed_case_with_its_located_error",
     a_bad_test_file_is_one_failed_case_with_its_located_error},
    {"a_bad_holder_fails_its_case_and_the_others_run",
     a_bad_holder_fails_its_case_and_the_others_run},
    {"directories_run_every_test_file_in_byte_order",
     directories_run_every_test_file_in_byte_order},
    {"paths_that_name_no_test_file", paths_that_name_no_test_file},
    {"lists_compare_as_sets", lists_compare_as_sets},
    {"coverage_rounds_to_two_decimals", coverage_rounds_to_two_decimals},
    {NULL, NULL}};

TEST_MAIN(cases)
