/*
 * cmd_init.c -- `credex init`: create the registry or migrate it.
 */
#include "cli.h"

int cmd_init(cli *c)
{
    cx_registry *r;
    if (c->nargs) return cli_usage_error(c, "takes no arguments (got '%s')", c->args[0]);
    int rc = cli_open(c, CX_OPEN_CREATE, &r);
    if (rc) return rc;
    if (!c->quiet)
        printf("registry %s ready (schema version %d)\n", c->db, cx_registry_schema_version());
    cx_registry_close(r);
    return CX_OK;
}
