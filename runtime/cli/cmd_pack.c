/*
 * cmd_pack.c -- `credex pack sign PACK.lua --key FILE`: loads the pack
 * against the registry and writes PACK.lua.sig through cx_pack_sign
 * (docs/signing.md). It reads no key and builds no signature itself. Uses
 * credex.h only.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_pack(cli *c)
{
    cx_registry *r = NULL;
    cx_diagnostics diags;
    cx_error err;
    if (c->nargs != 2 || strcmp(c->args[0], "sign") != 0)
        return cli_usage_error(c, "expected: credex pack sign PACK.lua --key FILE");
    if (!c->key) return cli_usage_error(c, "credex pack sign needs --key FILE (a private JWK)");
    int rc = cli_open(c, CX_OPEN_READONLY, &r);
    if (rc) return rc;
    cx_diagnostics_init(&diags);
    cx_error_clear(&err);
    rc = cx_pack_sign(r, c->args[1], c->key, &diags, &err);
    if (rc && diags.errors) {
        cli_print_diagnostics(&diags);
        fprintf(stderr, "credex: the pack does not load, so it is not signed\n");
    } else if (rc) {
        cli_report(&err);
    } else {
        cli_print_line(stdout, "signed %s: wrote %s.sig", c->args[1], c->args[1]);
    }
    cx_diagnostics_free(&diags);
    cx_registry_close(r);
    return rc;
}
