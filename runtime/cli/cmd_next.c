/*
 * cmd_next.c -- `credex next --holder H`: the stacks a holder is closest
 * to completing, each with what to earn (cx_next), written as text or JSON
 * Lines. It ranks nothing itself.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Writes the steps in c's format; 0, or 1 when stdout failed. */
static int write_steps(const cli *c, const cx_next_step *v, size_t n)
{
    int json = strcmp(c->format, "json") == 0;
    for (size_t i = 0; i < n; i++) {
        char *s = json ? cx_next_step_json(&v[i]) : cx_next_step_text(&v[i]);
        if (!s) {
            fprintf(stderr, "credex: out of memory\n");
            return CX_ENOMEM;
        }
        fputs(s, stdout);
        free(s);
    }
    if (!json && !n && !c->quiet)
        cli_print_line(stdout, "no stack to complete for %s: every stack is met or out of reach",
                       c->holder);
    return CX_OK;
}

int cmd_next(cli *c)
{
    cx_registry *r;
    cx_rules *rules = NULL;
    cx_next_step *v = NULL;
    size_t n = 0;
    cx_error err;
    if (!c->holder) return cli_usage_error(c, "--holder H is required");
    if (c->soc && c->filter.tag) return cli_usage_error(c, "give --soc or --tag, not both");
    if (c->nargs) return cli_usage_error(c, "unexpected argument '%s'", c->args[0]);
    cx_next_options opt = {.soc = c->soc, .tag = c->filter.tag, .limit = c->limit};
    int rc = cli_open(c, cli_decide_flags(c), &r);
    if (rc) return rc;
    if ((rc = cli_load_rules(c, r, &rules)) == CX_OK) {
        cx_error_clear(&err);
        rc = cx_next(rules, c->holder, &opt, cli_as_of(c), &v, &n, &err);
        rc = rc ? cli_report(&err) : write_steps(c, v, n);
    }
    cx_next_steps_free(v, n);
    cx_rules_free(rules);
    cx_registry_close(r);
    return rc;
}
