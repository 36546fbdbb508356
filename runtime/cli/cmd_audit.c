/*
 * cmd_audit.c -- `credex audit --holder H [--stack S]`: stacking progress
 * for one holder.
 */
#include "cli.h"

int cmd_audit(cli *c)
{
    cx_registry *r;
    cx_rules *rules = NULL;
    cx_decision **v = NULL;
    size_t n = 0;
    cx_error err;
    if (!c->holder) return cli_usage_error(c, "--holder H is required");
    if (c->nargs) return cli_usage_error(c, "unexpected argument '%s'", c->args[0]);
    int rc = cli_check_fail_unless(c);
    if (rc || (rc = cli_open(c, CX_OPEN_READONLY, &r))) return rc;
    if ((rc = cli_load_rules(c, r, &rules)) == CX_OK) {
        cx_error_clear(&err);
        rc = cx_audit(rules, c->holder, c->stack, cli_as_of(c), &v, &n, &err);
        rc = rc ? cli_report(&err) : cli_write_decisions(c, v, n);
    }
    cx_decisions_free(v, n);
    cx_rules_free(rules);
    cx_registry_close(r);
    return rc;
}
