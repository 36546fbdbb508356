/*
 * cmd_issue.c -- `credex issue --holder H --stack S --issuer-id IRI
 * --issuer-name NAME --key FILE`: hands the request to cx_issue and writes
 * the badge (stdout, or a temporary file beside --output renamed over it)
 * or, when the stack is not met, the decision and exit 1. Uses credex.h
 * and the C library only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int check_usage(cli *c)
{
    if (c->nargs) return cli_usage_error(c, "unexpected argument '%s'", c->args[0]);
    if (!c->holder || !c->stack) return cli_usage_error(c, "give --holder H and --stack S");
    if (!c->issuer_id || !c->issuer_name)
        return cli_usage_error(c, "give the issuer: --issuer-id IRI and --issuer-name NAME");
    if (strcmp(c->format, "jwt") == 0 && !c->key)
        return cli_usage_error(c, "a signed badge needs the issuer's private key: --key FILE "
                                  "(--format json writes the unsigned credential)");
    return CX_OK;
}

int cmd_issue(cli *c)
{
    cx_registry *r = NULL;
    cx_rules *rules = NULL;
    cx_issuer *issuer = NULL;
    cx_decision *d = NULL;
    char *badge = NULL;
    cx_error err;
    int rc = check_usage(c);
    if (rc) return rc;
    cx_error_clear(&err);
    if ((rc = cx_issuer_new(c->issuer_id, c->issuer_name, c->key, &issuer, &err)))
        return cli_report(&err);
    if ((rc = cli_open(c, CX_OPEN_READONLY, &r)) || (rc = cli_load_rules(c, r, &rules))) goto done;
    cx_issue_options opt = {c->holder, c->stack, cli_as_of(c),
                            strcmp(c->format, "json") == 0 ? CX_ISSUE_JSON : CX_ISSUE_JWT};
    if ((rc = cx_issue(r, rules, issuer, &opt, &badge, &d, &err))) {
        rc = cli_report(&err);
    } else if (!badge) { /* not met: the decision says what is missing */
        rc = cli_write_decisions(c, &d, 1);
        if (rc == CX_OK) rc = 1;
    } else if (c->output) {
        rc = cli_write_file(c->output, badge, strlen(badge));
    } else {
        fputs(badge, stdout);
    }
done:
    free(badge);
    cx_decision_free(d);
    cx_rules_free(rules);
    cx_registry_close(r);
    cx_issuer_free(issuer);
    return rc;
}
