/*
 * cmd_test.c -- `credex test [FILE|DIR...] [--coverage]`: runs rule tests
 * through cx_test_run and prints a line per failing case, with --coverage
 * what no case exercised, then "N passed, M failed" as the last line. The
 * runner is libcredex's; this file only chooses the paths and prints.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"

/* "FILE:LINE: FAIL NAME: DIFFERENCE", or the located error of a test file,
 * catalog or pack that could not be read. */
static void print_result(void *ud, const cx_test_result *r)
{
    (void)ud;
    if (r->passed) return;
    if (r->name)
        printf("%s:%d: FAIL %s: %s\n", r->file, r->line, r->name, r->difference);
    else
        printf("%s\n", r->difference);
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
            printf("not exercised: %s:%d: requirement %s in %s %s\n", g->file, g->line,
                   g->requirement, g->rule_kind, g->rule);
        else
            printf("not exercised: %s:%d: rule %s (%s)\n", g->file, g->line, g->rule, g->rule_kind);
    }
}

int cmd_test(cli *c)
{
    static const char *const default_paths[] = {"rules"};
    const char *const *paths = (const char *const *)c->args;
    size_t n = (size_t)c->nargs;
    struct stat st;
    cx_test_options opt = {print_result, NULL, NULL, c->coverage ? print_coverage : NULL};
    cx_test_summary sum;
    cx_error err;
    if (!n) {
        if (stat("rules", &st) != 0 || !S_ISDIR(st.st_mode))
            return cli_usage_error(c, "no test files: name test files or directories, or run "
                                      "where a ./rules directory is");
        paths = default_paths;
        n = 1;
    }
    cx_error_clear(&err);
    int rc = cx_test_run(paths, n, &opt, &sum, &err);
    if (rc) return cli_report(&err);
    printf("%zu passed, %zu failed\n", sum.passed, sum.failed);
    return cx_test_exit_code(&sum);
}
