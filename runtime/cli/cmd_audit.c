/*
 * cmd_audit.c -- `credex audit --holder H [--stack S]`: stacking progress
 * for one holder; `credex audit --all`: every holder, on worker threads,
 * as text, JSON Lines or CSV, with a progress bar on a terminal; with
 * --summary, counts per stack and status instead of decisions; with
 * --shard K/N, of shard K's holders only.
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
    cx_log *log;         /* with --log: the batch every decision joins */
    cx_error log_err;    /* why logging a decision failed */
} sink;

/* On worker threads: reads only k's settings. */
static int render_one(void *ud, const cx_decision *d, cx_write_fn write, void *wud)
{
    const sink *k = ud;
    return k->csv    ? cx_decision_write_csv(d, write, wud)
           : k->json ? cx_decision_write_json(d, write, wud)
                     : cx_decision_write_text(d, k->explain, write, wud);
}

/* On the calling thread, in order: counts what --fail-unless and the exit
 * status need (the driver writes the texts to stdout: opt.direct). With
 * --log the whole decision comes too, and joins the batch. */
static int write_one(void *ud, const cx_audit_entry *entry)
{
    sink *k = ud;
    if (k->log && cx_log_add(k->log, entry->decision, NULL, &k->log_err)) return k->log_err.code;
    k->errors += entry->status == CX_ERROR;
    if (k->fail_unless && strcmp(cx_status_name(entry->status), k->fail_unless) != 0)
        k->differs = 1;
    return CX_OK;
}

/* What the decisions need beyond statuses: gaps wherever they are shown
 * or logged (replay decides with them: cx_audit), not for CSV rows; the
 * requirement tree for --explain in text. */
static unsigned audit_details(const cli *c, int csv_only)
{
    unsigned details = csv_only ? 0 : CX_DETAIL_GAPS;
    if (c->explain && strcmp(c->format, "text") == 0) details |= CX_DETAIL_EXPLAIN;
    return details;
}

static int audit_all(cli *c, cx_registry *r, cx_rules *rules)
{
    cx_error err;
    sink k = {strcmp(c->format, "csv") == 0,
              strcmp(c->format, "json") == 0,
              c->explain,
              c->fail_unless,
              0,
              0,
              NULL};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = c->jobs ? c->jobs : cores > 0 ? (int)cores : 1;
    int unlogged = cli_log_begin(c, r, rules, &k.log); /* reported; the audit still runs */
    int rc;
    if (k.csv && c->shard <= 1) fputs(cx_decision_csv_header(), stdout); /* cat of the shards */
    fflush(stdout); /* before the texts, which go to the descriptor itself */
    cx_error_clear(&err);
    cx_error_clear(&k.log_err);
    cx_audit_options opt = {.stack = c->stack,
                            .as_of = cli_as_of(c),
                            .jobs = jobs,
                            .decisions = k.log != NULL,
                            .render = render_one,
                            .render_ud = &k,
                            .progress = cli_progress,
                            .progress_ud = c,
                            .max_trips = c->max_trips,
                            .details = audit_details(c, k.csv && !k.log),
                            .csv = k.csv,
                            .json = k.json,
                            .direct = 1,
                            .fd = STDOUT_FILENO,
                            .shard = c->shard,
                            .shards = c->shards};
    rc = cx_audit_each(rules, &opt, write_one, &k, &err);
    cli_progress_done();
    int logged = cli_log_end(k.log, rc == CX_OK); /* a failed run logs nothing */
    if (rc) return k.log_err.code ? cli_report(&k.log_err) : err.code ? cli_report(&err) : rc;
    if (logged || unlogged) return logged ? logged : unlogged;
    return k.errors ? CX_EINPUT : k.differs ? 1 : CX_OK;
}

/* One text line per stack after the as-of date and the count of the
 * holders the rules' snapshot holds (those the audit decided). */
static int write_summary(cli *c, const cx_rules *rules, const cx_audit_count *v, size_t n)
{
    cx_error err;
    int json = strcmp(c->format, "json") == 0;
    if (!json) {
        uint64_t first = 0, end = 0, holders = cx_rules_holder_count(rules);
        if (c->shards && cx_shard_range(holders, c->shard, c->shards, &first, &end, &err))
            return cli_report(&err);
        if (c->shards)
            printf("as of %s: %llu of %llu holder%s (shard %u of %u), %zu stack%s\n", cli_as_of(c),
                   (unsigned long long)(end - first), (unsigned long long)holders,
                   holders == 1 ? "" : "s", c->shard, c->shards, n, n == 1 ? "" : "s");
        else
            printf("as of %s: %llu holder%s, %zu stack%s\n", cli_as_of(c),
                   (unsigned long long)holders, holders == 1 ? "" : "s", n, n == 1 ? "" : "s");
    }
    for (size_t i = 0; i < n; i++) {
        if (!json) {
            printf("%s: met %llu, in_progress %llu, not_started %llu, error %llu\n", v[i].stack,
                   (unsigned long long)v[i].met, (unsigned long long)v[i].in_progress,
                   (unsigned long long)v[i].not_started, (unsigned long long)v[i].error);
            continue;
        }
        char *line = cx_audit_summary_json(&v[i], cli_as_of(c));
        if (!line) return cli_report(&(cx_error){.code = CX_ENOMEM, .message = "out of memory"});
        fputs(line, stdout);
        free(line);
    }
    return cli_output_status();
}

/* --all --summary: statuses only, counted per stack. */
static int audit_summary(cli *c, cx_rules *rules)
{
    cx_error err;
    cx_audit_count *v = NULL;
    size_t n = 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = c->jobs ? c->jobs : cores > 0 ? (int)cores : 1, errors = 0, differs = 0;
    cx_error_clear(&err);
    cx_audit_options opt = {.stack = c->stack,
                            .as_of = cli_as_of(c),
                            .jobs = jobs,
                            .progress = cli_progress,
                            .progress_ud = c,
                            .shard = c->shard,
                            .shards = c->shards};
    int rc = cx_audit_summary_with(rules, &opt, &v, &n, &err);
    cli_progress_done();
    if (rc) return err.code ? cli_report(&err) : rc;
    for (size_t i = 0; i < n; i++) {
        const uint64_t by[4] = {v[i].met, v[i].in_progress, v[i].not_started, v[i].error};
        static const cx_status status[4] = {CX_MET, CX_IN_PROGRESS, CX_NOT_STARTED, CX_ERROR};
        errors |= v[i].error > 0;
        for (size_t k = 0; k < 4 && c->fail_unless; k++)
            differs |= by[k] && strcmp(cx_status_name(status[k]), c->fail_unless) != 0;
    }
    rc = write_summary(c, rules, v, n);
    free(v);
    if (rc) return rc;
    return errors ? CX_EINPUT : differs ? 1 : CX_OK;
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
    if (c->summary && !c->all) return cli_usage_error(c, "--summary goes with --all");
    if (c->shards && !c->all)
        return cli_usage_error(c, "--shard goes with --all (a shard of every holder)");
    if (c->max_trips && (!c->all || c->summary))
        return cli_usage_error(c, "--max-trips goes with --all (a --summary stops at the default, "
                                  "100 trips)");
    if (c->summary && strcmp(c->format, "csv") == 0)
        return cli_usage_error(c, "--summary writes text or json, not csv");
    if (c->summary && c->log)
        return cli_usage_error(c, "--summary decides statuses only: nothing to --log");
    int rc = cli_check_fail_unless(c);
    if (rc || (rc = cli_open(c, cli_decide_flags(c), &r))) return rc;
    if ((rc = cli_load_rules(c, r, &rules)) == CX_OK) {
        if (c->all && c->summary) {
            rc = audit_summary(c, rules);
        } else if (c->all) {
            rc = audit_all(c, r, rules);
        } else {
            cx_error_clear(&err);
            rc = cx_audit_with(rules, c->holder, c->stack, cli_as_of(c), audit_details(c, 0), &v,
                               &n, &err);
            rc = rc ? cli_report(&err) : cli_write_and_log(c, r, rules, v, n);
        }
    }
    cx_decisions_free(v, n);
    cx_rules_free(rules);
    cx_registry_close(r);
    return rc;
}
