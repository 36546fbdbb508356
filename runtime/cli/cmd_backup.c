/*
 * cmd_backup.c -- `credex backup FILE`: a consistent copy of the registry
 * (cx_registry_backup). Uses credex.h only.
 */
#include <stdio.h>

#include "cli.h"

int cmd_backup(cli *c)
{
    cx_registry *r;
    cx_error err;
    if (c->nargs != 1) return cli_usage_error(c, "expected one FILE to write the backup to");
    int rc = cli_open(c, CX_OPEN_READONLY, &r);
    if (rc) return rc;
    cx_error_clear(&err);
    rc = cx_registry_backup(r, c->args[0], c->force, &err);
    cx_registry_close(r);
    if (rc) return cli_report(&err);
    if (!c->quiet) printf("%s: backup of %s written\n", c->args[0], c->db);
    return CX_OK;
}
