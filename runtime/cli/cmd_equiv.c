/*
 * cmd_equiv.c -- `credex equiv A B [--in J]`: one equivalence decision.
 */
#include "cli.h"

int cmd_equiv(cli *c)
{
    cx_registry *r;
    cx_rules *rules = NULL;
    cx_decision *d = NULL;
    cx_error err;
    if (c->nargs != 2) return cli_usage_error(c, "expected two credential ids: credex equiv A B");
    const char *from = c->args[0], *to = c->args[1];
    int rc = cli_check_fail_unless(c);
    if (rc || (rc = cli_open(c, cli_decide_flags(c), &r))) return rc;
    if ((rc = cli_load_rules(c, r, &rules)) == CX_OK) {
        cx_error_clear(&err);
        rc = cx_equiv(rules, from, to, c->in, cli_as_of(c), &d, &err);
        rc = rc ? cli_report(&err) : cli_write_and_log(c, r, rules, &d, 1);
    }
    cx_decision_free(d);
    cx_rules_free(rules);
    cx_registry_close(r);
    return rc;
}
