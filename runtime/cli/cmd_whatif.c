/*
 * cmd_whatif.c -- `credex whatif CHANGE.yaml`: what a catalog change (and
 * the packs it names) would do to every holder, equivalence and
 * recognition, as text, JSON Lines, CSV or one HTML page, grouped or (with
 * --holders) a line per holder, of every holder or of a --shard's; and the
 * report printing that `credex diff` shares. The work is cx_whatif's; this
 * file only presents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* "defines 1 competency, 2 credentials" for what a change defines. */
static void defined_text(const cx_whatif_report *rep)
{
    if (!cli_print_counts(&rep->defined, "defines ")) printf("defines nothing");
}

static const char *plural(int64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The change line: what is defined, removed, and which packs. */
static void change_text(const cx_whatif_report *rep)
{
    printf("  change: ");
    defined_text(rep);
    if (rep->removed_credentials || rep->removed_competencies || rep->removed_memberships) {
        printf("; removes");
        const char *sep = " ";
        if (rep->removed_credentials) {
            printf("%s%lld %s (with %lld %s and %lld %s)", sep, (long long)rep->removed_credentials,
                   plural(rep->removed_credentials, "credential", "credentials"),
                   (long long)rep->removed_awards, plural(rep->removed_awards, "award", "awards"),
                   (long long)rep->removed_exceptions,
                   plural(rep->removed_exceptions, "exception", "exceptions"));
            sep = ", ";
        }
        if (rep->removed_competencies) {
            printf("%s%lld %s", sep, (long long)rep->removed_competencies,
                   plural(rep->removed_competencies, "competency", "competencies"));
            sep = ", ";
        }
        if (rep->removed_memberships)
            printf("%s%lld %s", sep, (long long)rep->removed_memberships,
                   plural(rep->removed_memberships, "membership", "memberships"));
    }
    if (rep->rules_replaced)
        printf("; rules: %zu %s from the change file", rep->packs_after,
               plural((int64_t)rep->packs_after, "pack", "packs"));
    printf("\n");
}

/* A line of text, JSON or CSV per holder x stack that moved. */
static int holder_lines(const cx_whatif_report *rep, int json, int csv)
{
    for (size_t i = 0; i < rep->nmoved; i++) {
        const cx_holder_transition *h = &rep->moved[i];
        char *line = json  ? cx_holder_transition_json(h)
                     : csv ? cx_holder_transition_csv(h)
                           : cx_holder_transition_text(h);
        if (!line) return CX_ENOMEM;
        fputs(line, stdout);
        free(line);
    }
    return CX_OK;
}

/* The header, the transitions (audits a line per holder with per_holder)
 * and a summary, as text. */
static int report_text(const char *title, const cx_whatif_report *rep, int whatif, int per_holder)
{
    uint64_t holders = 0, equivs = 0, transfers = 0;
    printf("%s as of %s\n", title, rep->as_of);
    if (whatif) change_text(rep);
    printf("  compared: %llu of %llu %s (%llu %s), %llu %s, %llu %s\n",
           (unsigned long long)rep->holders_audited, (unsigned long long)rep->holders,
           plural((int64_t)rep->holders, "holder", "holders"), (unsigned long long)rep->audits,
           plural((int64_t)rep->audits, "audit", "audits"), (unsigned long long)rep->equivs,
           plural((int64_t)rep->equivs, "equivalence", "equivalences"),
           (unsigned long long)rep->transfers,
           plural((int64_t)rep->transfers, "recognition", "recognitions"));
    if (rep->scope) printf("  every holder audited: %s\n", rep->scope);
    if (rep->shards && rep->shard_end > rep->shard_first)
        printf("  shard %u of %u: only the registry's holders %llu to %llu in id order, and "
               "holders the change adds among them\n",
               rep->shard, rep->shards, (unsigned long long)rep->shard_first + 1,
               (unsigned long long)rep->shard_end);
    else if (rep->shards)
        printf("  shard %u of %u: none of the registry's holders (more shards than holders)%s\n",
               rep->shard, rep->shards, rep->shard == 1 ? ", only holders the change adds" : "");
    if (per_holder && holder_lines(rep, 0, 0)) return CX_ENOMEM;
    for (size_t i = 0; i < rep->ntransitions; i++) {
        const cx_transition *t = &rep->transitions[i];
        char *line = per_holder && t->kind == CX_DECISION_AUDIT ? NULL : cx_transition_text(t);
        if (line) fputs(line, stdout);
        free(line);
        if (t->kind == CX_DECISION_AUDIT) holders += t->count;
        equivs += t->kind == CX_DECISION_EQUIV;
        transfers += t->kind == CX_DECISION_TRANSFER;
    }
    if (!rep->ntransitions)
        printf("no transitions\n");
    else
        printf("transitions: %llu holder-stack %s, %llu %s, %llu %s\n", (unsigned long long)holders,
               plural((int64_t)holders, "audit", "audits"), (unsigned long long)equivs,
               plural((int64_t)equivs, "equivalence", "equivalences"),
               (unsigned long long)transfers,
               plural((int64_t)transfers, "recognition", "recognitions"));
    return CX_OK;
}

/* The report as one HTML page. */
static int report_html(const char *title, const cx_whatif_report *rep)
{
    char *page = cx_whatif_report_html(rep, title);
    if (!page) return CX_ENOMEM;
    fputs(page, stdout);
    free(page);
    return CX_OK;
}

int cli_print_whatif(const cli *c, const char *title, const cx_whatif_report *rep)
{
    int csv = strcmp(c->format, "csv") == 0, json = strcmp(c->format, "json") == 0;
    int html = strcmp(c->format, "html") == 0, text = !csv && !json && !html;
    int rc = CX_OK, out = CX_OK;
    if (text) out = report_text(title, rep, strcmp(c->command, "whatif") == 0, c->holder_lines);
    if (html) out = report_html(title, rep);
    if (csv && c->shard <= 1) /* shards after the first: no header, so that cat joins them */
        fputs(c->holder_lines ? cx_holder_transition_csv_header() : cx_transition_csv_header(),
              stdout);
    if ((csv || json) && c->holder_lines) out = holder_lines(rep, json, csv);
    if (out) return out;
    for (size_t i = 0; i < rep->ntransitions; i++) {
        const cx_transition *t = &rep->transitions[i];
        if (strcmp(t->from, "error") == 0 || strcmp(t->to, "error") == 0) rc = CX_EINPUT;
        if (!csv && !json) continue;
        if (c->holder_lines) continue;
        char *line = csv ? cx_transition_csv(t) : cx_transition_json(t);
        if (!line) return CX_ENOMEM;
        fputs(line, stdout);
        free(line);
    }
    return rc;
}

/* Worker threads for the audits: --jobs, else one per core. */
static int jobs_of(const cli *c)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return c->jobs ? c->jobs : cores > 0 ? (int)cores : 1;
}

/* Prints the errors among the pack diagnostics. */
static void pack_errors(const cx_diagnostics *d)
{
    for (size_t i = 0; i < d->count; i++)
        if (!d->items[i].warning)
            cli_print_line(stderr, "%s:%d: error: %s", d->items[i].file, d->items[i].line,
                           d->items[i].message);
}

int cmd_whatif(cli *c)
{
    const char *paths[MAX_RULES + 64];
    char *owned = NULL, title[600];
    size_t n = 0;
    cx_registry *r = NULL;
    cx_whatif_report *rep = NULL;
    cx_diagnostics diags;
    cx_error err;
    if (c->nargs != 1) return cli_usage_error(c, "needs one change file, CHANGE.yaml");
    if (c->shards && strcmp(c->format, "html") == 0)
        return cli_usage_error(c, "--shard writes text, json or csv: an html page reports "
                                  "every holder");
    const char *change = c->args[0];
    c->nargs = 0; /* the packs come from --rules, $CREDEX_RULES or ./rules */
    const cx_pack_trust *trust;
    int rc = cli_pack_trust(c, &trust);
    if (rc) return rc;
    rc = cli_rule_paths(c, paths, sizeof paths / sizeof paths[0], &n, &owned);
    if (rc || (rc = cli_open(c, CX_OPEN_READONLY, &r))) {
        free(owned);
        return rc;
    }
    cx_whatif_options opt = {cli_as_of(c), jobs_of(c), paths,        n,         &diags,
                             cli_progress, c,          c->max_trips, &c->limits};
    opt.pack_trust = trust;
    opt.holders = c->holder_lines || strcmp(c->format, "html") == 0;
    opt.shard = c->shard;
    opt.shards = c->shards;
    cx_diagnostics_init(&diags);
    cx_error_clear(&err);
    rc = cx_whatif(r, change, &opt, &rep, &err);
    cli_progress_done();
    if (rc) {
        pack_errors(&diags);
        cli_report(&err);
    } else {
        snprintf(title, sizeof title, "whatif %s", change);
        rc = cli_print_whatif(c, title, rep);
    }
    cx_whatif_report_free(rep);
    cx_diagnostics_free(&diags);
    cx_registry_close(r);
    free(owned);
    return rc;
}
