/*
 * cmd_fsck.c -- `credex fsck`: prints each problem cx_fsck finds in the
 * registry, then a summary line. Uses credex.h only.
 */
#include <stdio.h>

#include "cli.h"

static const char *const check_names[] = {"integrity", "foreign key", "value", "tamper", "cache"};

static int print_problem(void *ud, const cx_fsck_problem *p)
{
    const cli *c = ud;
    printf("%s: %s", c->db, check_names[p->check]);
    if (p->table) printf(": %s", p->table);
    if (p->id) printf(" '%s'", p->id);
    printf(": %s\n", p->message);
    return cli_output_status();
}

int cmd_fsck(cli *c)
{
    cx_registry *r;
    cx_error err;
    int64_t problems = 0, tables = 0;
    if (c->nargs) return cli_usage_error(c, "unexpected argument '%s'", c->args[0]);
    int rc = cli_open(c, CX_OPEN_READONLY, &r);
    if (rc) return rc;
    cx_error_clear(&err);
    rc = cx_fsck(r, print_problem, c, &problems, &tables, &err);
    cx_cache_state cache = CX_CACHE_NONE;
    char why[128];
    if (!rc && !c->quiet) rc = cx_registry_cache_check(r, &cache, why, sizeof why, &err);
    if (!rc && (cache == CX_CACHE_FRESH || cache == CX_CACHE_STALE)) /* corrupt: a problem */
        printf("%s: snapshot cache %s%s\n", c->db, cache == CX_CACHE_FRESH ? "" : "stale, ", why);
    cx_registry_close(r);
    if (rc) return err.code ? cli_report(&err) : rc;
    if (!c->quiet && problems)
        printf("%s: %lld problem%s\n", c->db, (long long)problems, problems == 1 ? "" : "s");
    else if (!c->quiet)
        printf("%s: clean (integrity, references, values, digests of %lld tables)\n", c->db,
               (long long)tables);
    return problems ? CX_EREGISTRY : CX_OK;
}
