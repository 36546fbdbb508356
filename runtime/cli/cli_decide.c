/*
 * cli_decide.c -- what the decision commands (equiv, transfer, later
 * audit) share: loading the rule packs (and the pack trust set every
 * command that loads packs checks them against), the as-of date, and
 * writing decisions as text or JSON Lines with the exit code they call for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void cli_today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(out, 11, "%Y-%m-%d", &tm);
    else
        out[0] = '\0';
}

const char *cli_as_of(const cli *c)
{
    return c->as_of ? c->as_of : c->today;
}

int cli_load_rules(cli *c, cx_registry *r, cx_rules **out)
{
    const char *paths[MAX_RULES + 64];
    char *owned;
    size_t n;
    cx_diagnostics diags;
    cx_error err;
    const cx_pack_trust *trust;
    c->nargs = 0; /* positional arguments are the command's, not packs */
    int rc = cli_pack_trust(c, &trust);
    if (rc) return rc;
    if ((rc = cli_rule_paths(c, paths, sizeof paths / sizeof paths[0], &n, &owned))) return rc;
    cx_diagnostics_init(&diags);
    cx_error_clear(&err);
    rc = cx_rules_load_trusted(r, paths, n, trust, out, &diags, &err);
    if (rc == CX_EINPUT) {
        for (size_t i = 0; i < diags.count; i++) {
            const cx_diagnostic *g = &diags.items[i];
            if (g->warning) continue;
            if (g->line > 0)
                cli_print_line(stderr, "%s:%d: error: %s", g->file, g->line, g->message);
            else /* not located in the file: a path that names no pack */
                cli_print_line(stderr, "%s: error: %s", g->file, g->message);
        }
        fprintf(stderr, "credex: the rule packs have errors; run credex check for details\n");
        cli_explain_default_rules(c, paths, n, &diags);
    } else if (rc) {
        cli_report(&err);
    }
    cx_diagnostics_free(&diags);
    free(owned);
    return rc;
}

static int status_known(const char *s)
{
    for (int k = CX_MET; k <= CX_ERROR; k++)
        if (strcmp(cx_status_name((cx_status)k), s) == 0) return 1;
    return 0;
}

int cli_write_decisions(const cli *c, cx_decision *const *v, size_t n)
{
    int json = strcmp(c->format, "json") == 0, rc = CX_OK, differs = 0;
    for (size_t i = 0; i < n; i++) {
        char *out = json ? cx_decision_json(v[i]) : cx_decision_text(v[i], c->explain);
        if (!out) return CX_ENOMEM;
        fputs(out, stdout);
        free(out);
        if (v[i]->status == CX_ERROR) rc = CX_EINPUT;
        if (c->fail_unless && strcmp(cx_status_name(v[i]->status), c->fail_unless) != 0)
            differs = 1;
    }
    if (rc == CX_OK && differs) rc = 1;
    return rc;
}

int cli_write_and_log(const cli *c, cx_registry *r, const cx_rules *rules, cx_decision *const *v,
                      size_t n)
{
    int rc = cli_write_decisions(c, v, n);
    fflush(stdout);
    int logged = cli_log_decisions(c, r, rules, v, n);
    return logged ? logged : rc;
}

/* Checks --fail-unless names a status (usage error otherwise). */
int cli_check_fail_unless(cli *c)
{
    if (c->fail_unless && !status_known(c->fail_unless))
        return cli_usage_error(c, "--fail-unless: unknown status '%s'", c->fail_unless);
    return CX_OK;
}

int cli_pack_trust(cli *c, const cx_pack_trust **out)
{
    cx_error err;
    *out = c->pack_trust;
    if (c->pack_trust || !c->pack_trust_file) {
        if (c->require_signed_packs && !c->pack_trust_file)
            return cli_usage_error(c, "--require-signed-packs needs --pack-trust FILE: the "
                                      "authorities and keys that signed packs are checked against");
        return CX_OK;
    }
    cx_error_clear(&err);
    if (cx_pack_trust_load(c->pack_trust_file, c->require_signed_packs, &c->pack_trust, &err))
        return cli_report(&err);
    *out = c->pack_trust;
    return CX_OK;
}
