/*
 * cmd_diff.c -- `credex diff OLD_RULES NEW_RULES`: what a rule change
 * would do to every holder, equivalence and recognition over one registry,
 * reported as `credex whatif` reports (cli_print_whatif, --holders and
 * --format html too). Presents only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_diff(cli *c)
{
    cx_registry *r = NULL;
    cx_whatif_report *rep = NULL;
    cx_diagnostics diags;
    cx_error err;
    char title[1200];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (c->nargs != 2)
        return cli_usage_error(c, "needs two rule packs or directories, OLD_RULES NEW_RULES");
    if (c->shards && strcmp(c->format, "html") == 0)
        return cli_usage_error(c, "--shard writes text, json or csv: an html page reports "
                                  "every holder");
    const cx_pack_trust *trust;
    int rc = cli_pack_trust(c, &trust);
    if (rc || (rc = cli_open(c, CX_OPEN_READONLY, &r))) return rc;
    const char *old_rules[1] = {c->args[0]}, *new_rules[1] = {c->args[1]};
    cx_whatif_options opt = {cli_as_of(c),
                             c->jobs ? c->jobs : cores > 0 ? (int)cores : 1,
                             NULL,
                             0,
                             &diags,
                             cli_progress,
                             c,
                             c->max_trips};
    opt.pack_trust = trust;
    opt.holders = c->holder_lines || strcmp(c->format, "html") == 0;
    opt.shard = c->shard;
    opt.shards = c->shards;
    cx_diagnostics_init(&diags);
    cx_error_clear(&err);
    rc = cx_diff(r, old_rules, 1, new_rules, 1, &opt, &rep, &err);
    cli_progress_done();
    if (rc) {
        for (size_t i = 0; i < diags.count; i++)
            if (!diags.items[i].warning)
                cli_print_line(stderr, "%s:%d: error: %s", diags.items[i].file, diags.items[i].line,
                               diags.items[i].message);
        cli_report(&err);
    } else {
        snprintf(title, sizeof title, "diff %s -> %s", c->args[0], c->args[1]);
        rc = cli_print_whatif(c, title, rep);
    }
    cx_whatif_report_free(rep);
    cx_diagnostics_free(&diags);
    cx_registry_close(r);
    return rc;
}
