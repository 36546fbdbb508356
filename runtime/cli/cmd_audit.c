/*
 * cmd_audit.c -- `credex audit --holder H [--stack S]`: stacking progress
 * for one holder; `credex audit --all`: every holder, on worker threads,
 * as text, JSON Lines or CSV, with a progress bar on a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct sink {
    int csv, json, explain;
    const char *fail_unless;
    int errors, differs; /* decisions with status error; differing from --fail-unless */
} sink;

/* On worker threads: reads only k's settings. */
static char *render_one(void *ud, const cx_decision *d)
{
    const sink *k = ud;
    return k->csv    ? cx_decision_csv(d)
           : k->json ? cx_decision_json(d)
                     : cx_decision_text(d, k->explain);
}

/* On the calling thread, in order. */
static int write_one(void *ud, const char *text, cx_status status)
{
    sink *k = ud;
    fputs(text, stdout);
    k->errors += status == CX_ERROR;
    if (k->fail_unless && strcmp(cx_status_name(status), k->fail_unless) != 0) k->differs = 1;
    return ferror(stdout) ? CX_EREGISTRY : CX_OK;
}

static int audit_all(cli *c, cx_rules *rules)
{
    cx_error err;
    sink k = {strcmp(c->format, "csv") == 0,
              strcmp(c->format, "json") == 0,
              c->explain,
              c->fail_unless,
              0,
              0};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = c->jobs ? c->jobs : cores > 0 ? (int)cores : 1;
    if (k.csv) fputs(cx_decision_csv_header(), stdout);
    cx_error_clear(&err);
    int rc = cx_audit_all(rules, c->stack, cli_as_of(c), jobs, render_one, write_one, &k,
                          cli_progress, c, &err);
    cli_progress_done();
    if (rc) return cli_report(&err);
    return k.errors ? CX_EINPUT : k.differs ? 1 : CX_OK;
}

int cmd_audit(cli *c)
{
    cx_registry *r;
    cx_rules *rules = NULL;
    cx_decision **v = NULL;
    size_t n = 0;
    cx_error err;
    if (!c->holder == !c->all) return cli_usage_error(c, "give --holder H or --all");
    if (c->nargs) return cli_usage_error(c, "unexpected argument '%s'", c->args[0]);
    if (!c->all && strcmp(c->format, "csv") == 0)
        return cli_usage_error(c, "--format csv goes with --all");
    int rc = cli_check_fail_unless(c);
    if (rc || (rc = cli_open(c, CX_OPEN_READONLY, &r))) return rc;
    if ((rc = cli_load_rules(c, r, &rules)) == CX_OK) {
        if (c->all) {
            rc = audit_all(c, rules);
        } else {
            cx_error_clear(&err);
            rc = cx_audit(rules, c->holder, c->stack, cli_as_of(c), &v, &n, &err);
            rc = rc ? cli_report(&err) : cli_write_decisions(c, v, n);
        }
    }
    cx_decisions_free(v, n);
    cx_rules_free(rules);
    cx_registry_close(r);
    return rc;
}
