/*
 * cmd_test.c -- `credex test [FILE|DIR...] [--coverage]`: runs rule tests
 * through cx_test_run and prints a line per failing case, with --coverage
 * what no case exercised, then "N passed, M failed" as the last line; or
 * JSON Lines, or JUnit XML. The runner and the renderers are libcredex's;
 * this file only chooses the paths and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* "FILE:LINE: FAIL NAME: DIFFERENCE", or the located error of a test file,
 * catalog or pack that could not be read. */
static void print_result(void *ud, const cx_test_result *r)
{
    (void)ud;
    if (r->passed) return;
    if (r->name)
        cli_print_line(stdout, "%s:%d: FAIL %s: %s", r->file, r->line, r->name, r->difference);
    else
        cli_print_line(stdout, "%s", r->difference);
}

/* "coverage: R of N rules, L of M requirement leaves exercised", then
 * "not exercised: FILE:LINE: rule ID (KIND)" or "... requirement PATH in
 * KIND ID" for each gap, in the library's order (file, then line). */
static void print_coverage(void *ud, const cx_test_coverage *cov)
{
    (void)ud;
    printf("coverage: %zu of %zu rules, %zu of %zu requirement leaves exercised\n",
           cov->rules_exercised, cov->rules, cov->leaves_exercised, cov->leaves);
    for (size_t i = 0; i < cov->ngaps; i++) {
        const cx_test_gap *g = &cov->gaps[i];
        if (g->requirement)
            cli_print_line(stdout, "not exercised: %s:%d: requirement %s in %s %s", g->file,
                           g->line, g->requirement, g->rule_kind, g->rule);
        else
            cli_print_line(stdout, "not exercised: %s:%d: rule %s (%s)", g->file, g->line, g->rule,
                           g->rule_kind);
    }
}

/* What the callbacks print into: the format, and the JUnit collector. */
typedef struct test_output {
    int json;      /* --format json */
    cx_junit *xml; /* --format junit: every result, written at the end */
    int oom;       /* a result could not be rendered or kept */
} test_output;

/* Prints a line the library rendered (NULL: out of memory). */
static void print_line(test_output *o, char *line)
{
    if (!line) {
        o->oom = 1;
        return;
    }
    fputs(line, stdout);
    free(line);
}

static void on_result(void *ud, const cx_test_result *r)
{
    test_output *o = ud;
    if (o->xml) {
        if (cx_junit_add(o->xml, r)) o->oom = 1;
    } else if (o->json) {
        print_line(o, cx_test_result_json(r));
    } else {
        print_result(NULL, r);
    }
}

static void on_coverage(void *ud, const cx_test_coverage *cov)
{
    test_output *o = ud;
    if (o->json)
        print_line(o, cx_test_coverage_json(cov));
    else
        print_coverage(NULL, cov);
}

/* The last of the output: the summary line (not with --quiet), the JSON
 * summary, or the whole JUnit document. */
static void print_end(const cli *c, test_output *o, const cx_test_summary *sum)
{
    if (o->xml) {
        char *xml = cx_junit_xml(o->xml);
        print_line(o, xml);
    } else if (o->json) {
        print_line(o, cx_test_summary_json(sum));
    } else if (!c->quiet) {
        printf("%zu passed, %zu failed\n", sum->passed, sum->failed);
    }
}

int cmd_test(cli *c)
{
    static const char *const default_paths[] = {"rules"};
    const char *const *paths = (const char *const *)c->args;
    size_t n = (size_t)c->nargs;
    struct stat st;
    test_output out = {strcmp(c->format, "json") == 0, NULL, 0};
    cx_test_options opt = {on_result, NULL, &out, c->coverage ? on_coverage : NULL, &c->limits};
    cx_test_summary sum;
    cx_error err;
    if (!n) {
        if (stat("rules", &st) != 0 || !S_ISDIR(st.st_mode))
            return cli_usage_error(c, "no test files: name test files or directories, or run "
                                      "where a ./rules directory is");
        paths = default_paths;
        n = 1;
    }
    if (strcmp(c->format, "junit") == 0) {
        if (c->coverage) return cli_usage_error(c, "--coverage does not apply to --format junit");
        if (!(out.xml = cx_junit_new())) return CX_ENOMEM;
    }
    cx_error_clear(&err);
    int rc = cli_pack_trust(c, &opt.pack_trust);
    if (rc) {
        cx_junit_free(out.xml);
        return rc;
    }
    rc = cx_test_run(paths, n, &opt, &sum, &err);
    if (rc == CX_OK) print_end(c, &out, &sum);
    cx_junit_free(out.xml);
    if (rc) return cli_report(&err);
    if (out.oom) {
        fprintf(stderr, "credex: out of memory\n");
        return CX_ENOMEM;
    }
    return cx_test_exit_code(&sum);
}
