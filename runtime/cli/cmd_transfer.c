/*
 * cmd_transfer.c -- `credex transfer --holder H --to J` (each of a
 * holder's awards, or with --award A the one A names) and `credex
 * transfer CRED --from J1 --to J2` (a credential type).
 */
#include "cli.h"

int cmd_transfer(cli *c)
{
    cx_registry *r;
    cx_rules *rules = NULL;
    cx_decision **v = NULL, *one = NULL;
    size_t n = 0;
    cx_error err;
    if (!c->to) return cli_usage_error(c, "--to J is required");
    if (c->holder && (c->nargs || c->from))
        return cli_usage_error(c, "give either --holder H, or CRED --from J1, not both");
    if (c->award && !c->holder) return cli_usage_error(c, "--award A needs --holder H");
    if (!c->holder && (c->nargs != 1 || !c->from))
        return cli_usage_error(c, "expected --holder H --to J, or CRED --from J1 --to J2");
    const char *credential = c->holder ? NULL : c->args[0];
    int rc = cli_check_fail_unless(c);
    if (rc || (rc = cli_open(c, cli_decide_flags(c), &r))) return rc;
    if ((rc = cli_load_rules(c, r, &rules)) == CX_OK) {
        cx_error_clear(&err);
        if (c->holder && c->award) {
            rc = cx_transfer_award(rules, c->holder, c->award, c->to, cli_as_of(c), &v, &n, &err);
            rc = rc ? cli_report(&err) : cli_write_and_log(c, r, rules, v, n);
        } else if (c->holder) {
            rc = cx_transfer_holder(rules, c->holder, c->to, cli_as_of(c), &v, &n, &err);
            rc = rc ? cli_report(&err) : cli_write_and_log(c, r, rules, v, n);
        } else {
            rc = cx_transfer(rules, credential, c->from, c->to, cli_as_of(c), &one, &err);
            rc = rc ? cli_report(&err) : cli_write_and_log(c, r, rules, &one, 1);
        }
    }
    cx_decisions_free(v, n);
    cx_decision_free(one);
    cx_rules_free(rules);
    cx_registry_close(r);
    return rc;
}
